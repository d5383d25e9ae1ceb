#!/bin/bash
# tests/bench/media.sh [BUILD]: rotd's media pruning (media_prune through
# tests/bench/media_prune_driver.c) against `find TREE -type f -mtime +30 -delete`
# on identical trees on the host. No Docker. Prints progress, then a table.
# See BENCHMARKS.md, "Media pruning".
#
#   BUILD                 a configured build dir holding autoconf.h (default build)
#   BENCH_RUNS=3          runs per tool; the table shows medians
#   BENCH_MEDIA_FANOUT=100  the tree is FANOUT x FANOUT folders x FANOUT files
#   BENCH_MEDIA_DIR       where the trees go (default a new dir in /var/tmp)
#
# Each run gets a freshly generated tree: half the files have an mtime 60 days
# ago, half 1 day ago, alternating inside every leaf folder (so no folder
# empties and both tools do the same work). The tree is synced before the
# timed command, so both start with warm caches and no dirty pages. After every run the script checks that exactly the old half
# is gone and the young half is intact.
set -u

cd "$(dirname "$0")/../.." || exit 2
REPO=$(pwd)
BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD=$REPO/$BUILD ;; esac
RUNS=${BENCH_RUNS:-3}
FAN=${BENCH_MEDIA_FANOUT:-100}
TOTAL=$((FAN * FAN * FAN))
HALF=$((TOTAL / 2))

say() { printf '%s\n' "$*"; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

[ -f "$BUILD/autoconf.h" ] || die "no $BUILD/autoconf.h: configure a build dir first (mkdir -p build && cd build && ../configure), or pass its path"
[ $((FAN % 2)) = 0 ] || die "BENCH_MEDIA_FANOUT must be even"
missing=
command -v python3 >/dev/null || missing="$missing python3"
command -v gcc >/dev/null || missing="$missing gcc"
[ -x /usr/bin/time ] || missing="$missing time"
if [ -n "$missing" ]; then
	say "installing:$missing"
	# shellcheck disable=SC2086 # one word per package
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing >/dev/null ||
		die "apt-get install$missing failed"
fi

WORK=$(mktemp -d "${BENCH_MEDIA_DIR:-/var/tmp}/rotd-media-bench.XXXXXX") || die "mktemp failed"
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

DRIVER=$WORK/media_prune_driver
gcc -std=gnu11 -O2 -g -I"$BUILD" -I"$REPO/rotd" -o "$DRIVER" "$REPO/tests/bench/media_prune_driver.c" \
	"$REPO"/rotd/jobs/media.c "$REPO"/rotd/rotate/ctrfs.c "$REPO"/rotd/lib/{xalloc,strlist,log}.c || die "building the driver failed"

FS=$(df -T "$WORK" | awk 'NR == 2 { print $2 " on " $1 }')
say "machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1), kernel $(uname -r), Debian $(cat /etc/debian_version), $WORK on $FS"
say "tools:   $(find . -maxdepth 0 --version | head -n1); rotd commit $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?') (+ working tree)"

# gen TREE: FAN top folders x FAN folders x FAN empty files, mtimes set per file,
# made by one process per CPU (creating a million files is the slow part).
gen() {
	python3 - "$1" "$FAN" <<'EOF'
import os, sys, time
from multiprocessing import Pool
tree, fan = sys.argv[1], int(sys.argv[2])
now = time.time()
old, young = (now - 60 * 86400,) * 2, (now - 86400,) * 2
flags = os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_CLOEXEC
def top(a):
    pa = "%s/%03d" % (tree, a)
    os.mkdir(pa)
    for b in range(fan):
        pb = "%s/%03d" % (pa, b)
        os.mkdir(pb)
        for c in range(fan):
            fd = os.open("%s/IMG-%03d.jpg" % (pb, c), flags, 0o644)
            os.utime(fd, old if c % 2 else young)
            os.close(fd)
os.mkdir(tree)
with Pool(os.cpu_count()) as pool:
    pool.map(top, range(fan), chunksize=1)
EOF
}

# check TREE: exactly the young half is left.
check() {
	left=$(find "$1" -type f | wc -l)
	old=$(find "$1" -type f -mtime +30 | wc -l)
	if [ "$left" != "$HALF" ] || [ "$old" != 0 ]; then
		die "$2 left $left files ($old old) in $1, expected $HALF (0 old)"
	fi
}

busy_jiffies() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }

# timed WHAT CMD...: runs CMD on a fresh tree; appends "wall rss cpu other" to $WORK/WHAT.
timed() {
	what=$1
	shift
	rm -rf "$WORK/tree"
	gen "$WORK/tree" || die "generating the tree failed"
	sync
	b0=$(busy_jiffies)
	/usr/bin/time -f '%e %M %U %S' -o "$WORK/time.out" "$@" >"$WORK/cmd.out" || die "$what failed: $(cat "$WORK/cmd.out")"
	b1=$(busy_jiffies)
	check "$WORK/tree" "$what"
	read -r wall rss user sys <"$WORK/time.out"
	awk -v w="$wall" -v r="$rss" -v u="$user" -v s="$sys" -v b="$((b1 - b0))" -v hz="$(getconf CLK_TCK)" \
		'BEGIN { o = (b / hz - u - s) / (w > 0 ? w : 1); printf "%s %s %.2f %.2f\n", w, r, u + s, o < 0 ? 0 : o }' >>"$WORK/$what"
	say "  $what: $(tail -n1 "$WORK/$what" | awk '{ printf "wall %s s, peak RSS %s KiB, CPU %s s, other load %s CPUs", $1, $2, $3, $4 }') $(cat "$WORK/cmd.out")"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
col() { awk -v c="$2" '{ print $c }' "$WORK/$1" | median; }

say "tree: $FAN x $FAN folders x $FAN files = $TOTAL files, half 60 days old; $RUNS runs per tool"
# The order alternates so that neither tool always runs right after the other.
for i in $(seq "$RUNS"); do
	say "run $i"
	if [ $((i % 2)) = 1 ]; then
		timed find find "$WORK/tree" -type f -mtime +30 -delete
		timed rotd "$DRIVER" "$WORK/tree" 30 7
	else
		timed rotd "$DRIVER" "$WORK/tree" 30 7
		timed find find "$WORK/tree" -type f -mtime +30 -delete
	fi
done

# Flat memory: the same driver on a tree 1000 times smaller.
rm -rf "$WORK/tree"
FAN_SAVE=$FAN
FAN=10
gen "$WORK/tree" || die "generating the small tree failed"
FAN=$FAN_SAVE
/usr/bin/time -f '%M' -o "$WORK/small.out" "$DRIVER" "$WORK/tree" 30 7 >/dev/null || die "driver on the small tree failed"
SMALL_RSS=$(cat "$WORK/small.out")

FW=$(col find 1) RW=$(col rotd 1)
FM=$(col find 2) RM=$(col rotd 2)
FC=$(col find 3) RC=$(col rotd 3)
FO=$(col find 4) RO=$(col rotd 4)
RATIO=$(awk -v a="$RW" -v b="$FW" 'BEGIN { printf "%.2f", a / b }')
VERDICT=$(awk -v r="$RATIO" 'BEGIN { print (r <= 1.0 ? "met" : "NOT MET") }')
FLAT=$(awk -v a="$RM" -v b="$SMALL_RSS" 'BEGIN { printf "%.2f", a / b }')
say ""
printf '%-34s %-10s %-10s %-7s %s\n' what rotd find ratio "target / verdict"
printf '%-34s %-10s %-10s %-7s %s\n' "wall, median of $RUNS (s)" "$RW" "$FW" "$RATIO" "<= 1.00 x find: $VERDICT"
printf '%-34s %-10s %-10s %-7s %s\n' "CPU user+sys, median (s)" "$RC" "$FC" "$(awk -v a="$RC" -v b="$FC" 'BEGIN { printf "%.2f", a / b }')" "(info)"
printf '%-34s %-10s %-10s %-7s %s\n' "peak RSS, $TOTAL files (KiB)" "$RM" "$FM" "$(awk -v a="$RM" -v b="$FM" 'BEGIN { printf "%.2f", a / b }')" "(info)"
printf '%-34s %-10s %-10s %-7s %s\n' "peak RSS, 1000 files (KiB)" "$SMALL_RSS" "" "" "(info)"
printf '%-34s %-10s %-10s %-7s %s\n' "rotd RSS $TOTAL / 1000 files" "" "" "$FLAT" "flat: <= 1.10: $(awk -v f="$FLAT" 'BEGIN { print (f <= 1.10 ? "met" : "NOT MET") }')"
printf '%-34s %-10s %-10s %-7s %s\n' "other load, median (CPUs)" "$RO" "$FO" "" "(info: 0 = idle machine)"
