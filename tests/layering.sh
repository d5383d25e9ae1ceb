#!/bin/sh
# The layering gate. rotd's folders are stages of one flow, each built only on
# the ones before it:
#
#   lib <- config <- engine <- rotate <- jobs <- usage <- logs <- remedy <- report <- top
#
# (top is rotd/ itself: cycle, daemon, main). This checks, over every quoted
# #include under rotd/:
#   - an include names its folder ("engine/docker.h"; the top's own headers
#     need none), and the file exists;
#   - it points to the same stage or an earlier one, so lib/ includes only lib/
#     and only the top level includes report/;
#   - no two modules (a .c with its .h) include each other, directly or round
#     a longer loop.
# Usage: tests/layering.sh [SRCDIR]. Prints one line per breach; exit 1 if any.
set -u
src=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$src" || exit 1

stages="lib config engine rotate jobs usage logs remedy report top"

rank() {
	i=0
	for s in $stages; do
		[ "$s" = "$1" ] && { echo $i; return; }
		i=$((i + 1))
	done
	echo -1
}

stage_of() { # rotd/engine/docker.c -> engine; rotd/main.c -> top
	case $1 in
	rotd/*/*) d=${1#rotd/}; echo "${d%%/*}" ;;
	*) echo top ;;
	esac
}

module_of() { # rotd/engine/docker.c -> engine/docker; rotd/main.c -> main
	m=${1#rotd/}
	echo "${m%.*}"
}

breaches=0
edges=$(mktemp)
trap 'rm -f "$edges"' EXIT

for f in $(find rotd -name '*.[ch]' | sort); do
	from_stage=$(stage_of "$f")
	from_rank=$(rank "$from_stage")
	if [ "$from_rank" -lt 0 ]; then
		echo "$f: folder rotd/$from_stage is not a stage ($stages)"
		breaches=$((breaches + 1))
		continue
	fi
	grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" |
		sed 's/^\([0-9]*\):.*"\([^"]*\)".*/\1 \2/' >"$edges.inc"
	while read -r line inc; do
		[ "$inc" = autoconf.h ] && continue
		case $inc in
		*/*) ;;
		*)
			if [ ! -f "rotd/$inc" ]; then
				echo "$f:$line: #include \"$inc\" names no folder (write \"STAGE/$inc\")"
				breaches=$((breaches + 1))
				continue
			fi
			;;
		esac
		if [ ! -f "rotd/$inc" ]; then
			echo "$f:$line: #include \"$inc\": no such file rotd/$inc"
			breaches=$((breaches + 1))
			continue
		fi
		to_stage=$(stage_of "rotd/$inc")
		to_rank=$(rank "$to_stage")
		if [ "$to_rank" -gt "$from_rank" ]; then
			echo "$f:$line: $from_stage/ includes $inc, a later stage ($stages)"
			breaches=$((breaches + 1))
		fi
		from_mod=$(module_of "$f")
		to_mod=$(module_of "rotd/$inc")
		[ "$from_mod" != "$to_mod" ] && echo "$from_mod $to_mod" >>"$edges"
	done <"$edges.inc"
	rm -f "$edges.inc"
done

# tsort names the modules on a loop on stderr.
loops=$(sort -u "$edges" | tsort 2>&1 >/dev/null | sed -n 's/^tsort: //p')
if [ -n "$loops" ]; then
	echo "include cycle between modules:"
	echo "$loops" | grep -v 'input contains a loop' | sort -u | sed 's/^/    /'
	breaches=$((breaches + 1))
fi

if [ "$breaches" -gt 0 ]; then
	echo "layering: $breaches breach(es)"
	exit 1
fi
echo "layering: $(find rotd -name '*.[ch]' | wc -l) files, $(sort -u "$edges" | wc -l) module edges, no breach"
