#!/bin/bash
# tests/bench/run.sh [ROTD]: rotd against logrotate + gzip, gzip -6 and zstd -3
# on the same files, in a throwaway Docker engine. Needs root. Prints progress,
# then a table of ratios against the issue's targets. See BENCHMARKS.md.
#
#   ROTD                the rotd binary (default build/rotd/rotd)
#   BENCH_RUNS=3        runs per measurement; the table shows medians
#   BENCH_LOG_BYTES     bytes per log (default 21 MiB: the web role rotates at > 20 MiB)
#   BENCH_RSS_SIZES     single-log sizes for the peak RSS runs (default "10M 100M 1G")
#
# Workload: containers bench_web_1..3 (image docker.whatsapp.biz/web:v2.x, role
# web), each with web.log, access.log, error.log, requests.log and audit.log of
# generated log text in /var/log/whatsapp. Before every timed run the logs are
# restored to identical content, the archive folders emptied, the inputs read
# once (warm page cache for every tool) and everything synced. After every
# rotating run each log is checked: exactly one archive, the log shrank, and
# archive + what is left of the log equal the original byte for byte.
set -u

cd "$(dirname "$0")/../.." || exit 2
REPO=$(pwd)
ROTD=${1:-build/rotd/rotd}
case $ROTD in /*) ;; *) ROTD=$REPO/$ROTD ;; esac
RUNS=${BENCH_RUNS:-3}
LOG_BYTES=${BENCH_LOG_BYTES:-22020096}
RSS_SIZES=${BENCH_RSS_SIZES:-10M 100M 1G}
LOGS="web access error requests audit"
CTRS="bench_web_1 bench_web_2 bench_web_3"
BIG=bench_big_1

say() { printf '%s\n' "$*"; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (it starts its own dockerd)"
[ -x "$ROTD" ] || die "no rotd binary at $ROTD: build it first (mkdir -p build-bench && cd build-bench && ../configure && make -j2), or pass its path"

# Tools, installed only when missing.
missing=
command -v logrotate >/dev/null || missing="$missing logrotate"
command -v zstd >/dev/null || missing="$missing zstd"
command -v gzip >/dev/null || missing="$missing gzip"
[ -x /usr/bin/time ] || missing="$missing time"
if [ -n "$missing" ]; then
	say "installing:$missing"
	# shellcheck disable=SC2086 # one word per package
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing >/dev/null ||
		die "apt-get install$missing failed"
fi

WORK=$(mktemp -d /tmp/rotd-bench.XXXXXX) || die "mktemp failed"
# shellcheck source=tests/harness/engine.sh
. "$REPO/tests/harness/engine.sh"
cleanup() {
	set +e
	engine_stop 2>/dev/null # quiet about processes that exit while it looks
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- machine
FS_ROOT=$(df -T /tmp | awk 'NR == 2 { print $2 }')
say "machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1), kernel $(uname -r), Debian $(cat /etc/debian_version), /tmp on $FS_ROOT"
say "tools:   $("$ROTD" --version 2>&1 | head -n1); $(logrotate --version 2>&1 | head -n1); gzip $(gzip --version | sed -n '1s/.* //p'); zstd $(zstd -V | sed 's/.* v\([0-9.]*\).*/\1/')"

# ---------------------------------------------------------------- inputs
SRC=$WORK/src
mkdir -p "$SRC"
say "generating $LOG_BYTES bytes each of:"
for l in $LOGS; do
	sh "$REPO/tests/bench/gen-log.sh" "$l" "$LOG_BYTES" 1 >"$SRC/$l.log" || die "gen-log.sh $l failed"
	say "  $l.log $(stat -c %s "$SRC/$l.log") bytes, gzip -6 ratio $(awk -v a="$(stat -c %s "$SRC/$l.log")" -v b="$(gzip -6 -c "$SRC/$l.log" | wc -c)" 'BEGIN { printf "%.1f", a / b }')"
done
SRC_TOTAL=$(cat "$SRC"/*.log | wc -c)

# ---------------------------------------------------------------- engine
engine_start || die "the engine did not start"
engine_build_images || die "importing the images failed"
for c in $CTRS $BIG; do
	engine_run "$c" bench web docker.whatsapp.biz/web:v2.x || die "starting $c failed"
done
declare -A PID
for c in $CTRS $BIG; do
	PID[$c]=$(engine_docker inspect -f '{{.State.Pid}}' "$c") || die "inspect $c failed"
	[ -d "/proc/${PID[$c]}/root/var/log/whatsapp" ] || die "$c: no /var/log/whatsapp through /proc/${PID[$c]}/root"
done
ENGINE_FS=$(df -T "$ENGINE_DIR" | awk 'NR == 2 { print $2 }')
say "engine:  $ENGINE_DIR (vfs storage on $ENGINE_FS); containers: $CTRS $BIG"
logdir() { printf '/proc/%s/root/var/log/whatsapp' "${PID[$1]}"; }

# ---------------------------------------------------------------- configs
CONF_GZ=$WORK/rotd-gzip.conf CONF_ZS=$WORK/rotd-zstd.conf CONF_RSS=$WORK/rotd-rss.conf
cp conf/rotd.conf "$CONF_GZ"
sed -e 's/^  compress = gzip$/  compress = zstd/' -e 's/^  compress-level = 6$/  compress-level = 3/' \
	conf/rotd.conf >"$CONF_ZS"
if [ "$(grep -c '^  compress = zstd$' "$CONF_ZS")" -lt 3 ] || [ "$(grep -c '^  compress-level = 3$' "$CONF_ZS")" -lt 3 ]; then
	die "could not switch conf/rotd.conf to zstd -3 (its compress lines changed?)"
fi
# One worker: the compressor's own cost, without two threads sharing the machine.
CONF_GZ1=$WORK/rotd-gzip-j1.conf CONF_ZS1=$WORK/rotd-zstd-j1.conf
sed 's/^jobs = 0$/jobs = 1/' "$CONF_GZ" >"$CONF_GZ1"
sed 's/^jobs = 0$/jobs = 1/' "$CONF_ZS" >"$CONF_ZS1"
grep -q '^jobs = 1$' "$CONF_GZ1" || die "could not set jobs = 1 (conf/rotd.conf has no 'jobs = 0' line?)"
# The web role rotates at > 20 MiB; the RSS runs also rotate a 10 MiB log.
sed 's/^  size = 20M$/  size = 1M/' conf/rotd.conf >"$CONF_RSS"
grep -q '^  size = 1M$' "$CONF_RSS" || die "could not lower the web role's size in conf/rotd.conf"
for f in "$CONF_GZ" "$CONF_ZS" "$CONF_GZ1" "$CONF_ZS1" "$CONF_RSS"; do
	"$ROTD" --config "$f" --check-config >/dev/null 2>&1 || die "rotd --check-config rejects $f"
done

LR_CONF=$WORK/logrotate.conf
for c in $CTRS; do
	d=$(logdir "$c")
	cat <<EOF
$d/*.log {
	size 20M
	rotate 30
	compress
	copytruncate
	olddir $d/archive
	missingok
	nodateext
}
EOF
done >"$LR_CONF"

# ---------------------------------------------------------------- helpers
# restore: identical logs in every container, empty archive folders, inputs
# read once (warm cache for whichever tool runs next), all written back to disk.
restore() {
	local c d l
	for c in $CTRS; do
		d=$(logdir "$c")
		rm -rf "$d/archive" "$d"/*.log "$d"/.*.rotd-* || die "restore: cleaning $c failed"
		mkdir "$d/archive" || die "restore: mkdir $d/archive failed"
		for l in $LOGS; do cp "$SRC/$l.log" "$d/$l.log" || die "restore: copying $l.log into $c failed"; done
	done
	for c in $CTRS; do cat "$(logdir "$c")"/*.log; done >/dev/null
	sync
}

# busy_ticks: CPU ticks the whole machine spent not idle, from /proc/stat.
busy_ticks() {
	local cpu user nice sys idle iowait irq softirq steal
	read -r cpu user nice sys idle iowait irq softirq steal _ </proc/stat
	: "$cpu" "$idle" "$iowait"
	echo $((user + nice + sys + irq + softirq + steal))
}
HZ=$(getconf CLK_TCK)

# timed OUT CMD...: runs CMD under /usr/bin/time; sets T_WALL T_CPU (user+sys,
# children included) T_RSS (KiB, the largest process) and T_BG (CPUs that
# other processes on the machine used meanwhile). Returns CMD's status.
timed() {
	local out=$1 rc b0 b1 u s
	shift
	b0=$(busy_ticks)
	/usr/bin/time -f '%e %U %S %M' -o "$WORK/time.out" "$@" >"$out" 2>&1
	rc=$?
	b1=$(busy_ticks)
	read -r T_WALL u s T_RSS < <(tail -n 1 "$WORK/time.out")
	T_CPU=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')
	T_BG=$(awk -v b=$((b1 - b0)) -v hz="$HZ" -v c="$T_CPU" -v w="$T_WALL" \
		'BEGIN { x = w > 0 ? (b / hz - c) / w : 0; printf "%.2f", x < 0 ? 0 : x }')
	record bg "$T_BG"
	return $rc
}

# verify_one DIR LOG ORIGINAL EXT: exactly one archive of LOG (either naming:
# rotd's LOG-<time>.gz or logrotate's LOG.1.gz), LOG shrank, and archive + the
# rest of LOG equal ORIGINAL. Adds the archive's size to ARCH_BYTES.
verify_one() {
	local d=$1 log=$2 orig=$3 ext=$4 dec arch
	local -a found
	case $ext in .gz) dec="gzip -dc" ;; *) dec="zstd -dcq" ;; esac
	shopt -s nullglob
	found=("$d/archive/$log"[-.]*"$ext")
	shopt -u nullglob
	[ ${#found[@]} -eq 1 ] || { say "  FAIL: $d/archive holds ${#found[@]} $ext archives of $log (want 1)"; return 1; }
	arch=${found[0]}
	[ "$(stat -c %s "$d/$log")" -lt "$(stat -c %s "$orig")" ] || { say "  FAIL: $d/$log did not shrink"; return 1; }
	# shellcheck disable=SC2086 # $dec is a command and its options
	cmp -s "$orig" <($dec "$arch" && cat "$d/$log") || { say "  FAIL: $arch + $d/$log differ from the original"; return 1; }
	ARCH_BYTES=$((ARCH_BYTES + $(stat -c %s "$arch")))
}

# verify_pass NAME EXT: every log of every container rotated correctly.
verify_pass() {
	local name=$1 ext=$2 c l bad=0
	ARCH_BYTES=0
	for c in $CTRS; do
		for l in $LOGS; do verify_one "$(logdir "$c")" "$l.log" "$SRC/$l.log" "$ext" || bad=1; done
	done
	[ $bad = 0 ] || die "$name did not rotate every log correctly (output: $WORK/out.$name)"
}

calc() { awk "BEGIN { printf \"%.${1}f\", $2 }"; }
declare -A V # V[metric] = "run1 run2 ..."
record() { V[$1]="${V[$1]:-} $2"; }
median() {
	# shellcheck disable=SC2086 # one value per word
	printf '%s\n' ${V[$1]} | sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

ROTD_CTRS=()
for c in $CTRS; do ROTD_CTRS+=(--container "$c"); done

run_rotd() { # run_rotd NAME CONF EXT
	local name=$1 conf=$2 ext=$3
	restore
	# --rotate-only: the same job logrotate does (the off-peak jobs have their
	# own benchmarks: media.sh, cleanup.sh).
	timed "$WORK/out.$name" "$ROTD" --now --rotate-only --config "$conf" "${ROTD_CTRS[@]}" ||
		{ sed 's/^/    /' "$WORK/out.$name"; die "$name exited with status $?"; }
	verify_pass "$name" "$ext"
	record "$name.wall" "$T_WALL"; record "$name.cpu" "$T_CPU"; record "$name.arch" "$ARCH_BYTES"
	record "$name.rss" "$T_RSS"
	say "  $name: wall ${T_WALL}s cpu ${T_CPU}s rss ${T_RSS}KiB archives $ARCH_BYTES bytes, 15/15 verified; other load ${T_BG} CPUs"
}

run_logrotate() {
	restore
	rm -f "$WORK/logrotate.state"
	timed "$WORK/out.logrotate" logrotate -f -s "$WORK/logrotate.state" "$LR_CONF" ||
		{ sed 's/^/    /' "$WORK/out.logrotate"; die "logrotate exited with status $?"; }
	verify_pass logrotate .gz
	record logrotate.wall "$T_WALL"; record logrotate.cpu "$T_CPU"; record logrotate.arch "$ARCH_BYTES"
	say "  logrotate: wall ${T_WALL}s cpu ${T_CPU}s archives $ARCH_BYTES bytes, 15/15 verified; other load ${T_BG} CPUs"
}

# The CLIs over the same 15 files, one after another (restore() has just put them back).
run_cli() { # run_cli NAME COMPRESSOR...
	local name=$1 files=() c l
	shift
	for c in $CTRS; do for l in $LOGS; do files+=("$(logdir "$c")/$l.log"); done; done
	# shellcheck disable=SC2016 # expanded by the inner sh
	timed "$WORK/out.$name" sh -c 'cmd=$1; shift; for f; do $cmd -c "$f" >/dev/null || exit 1; done' sh "$*" "${files[@]}" ||
		die "$name failed"
	record "$name.cpu" "$T_CPU"
	say "  $name: wall ${T_WALL}s cpu ${T_CPU}s; other load ${T_BG} CPUs"
}

# What two CPUs give here: gzip -6 of two logs one after the other, then both at
# once. On an idle 2-CPU machine the speedup is close to 2; a shared or
# hyperthreaded VM gives less, and so does every parallel tool in this run.
# shellcheck disable=SC2016 # expanded by the inner sh
run_calibrate() {
	local ser par
	timed "$WORK/out.cal" sh -c 'gzip -6 -c "$1" >/dev/null && gzip -6 -c "$2" >/dev/null' sh "$SRC/web.log" "$SRC/access.log" ||
		die "calibration failed"
	ser=$T_WALL
	timed "$WORK/out.cal" sh -c 'gzip -6 -c "$1" >/dev/null & gzip -6 -c "$2" >/dev/null & wait' sh "$SRC/web.log" "$SRC/access.log" ||
		die "calibration failed"
	par=$T_WALL
	record speedup "$(calc 2 "$ser / $par")"
	say "  2 x gzip -6: serial ${ser}s, parallel ${par}s, speedup $(calc 2 "$ser / $par"); other load ${T_BG} CPUs"
}

# ---------------------------------------------------------------- passes
INPUT_BYTES=$((SRC_TOTAL * 3))
say "workload: 3 containers x 5 logs, $INPUT_BYTES bytes in all; $RUNS runs of each"
for r in $(seq "$RUNS"); do
	say "run $r/$RUNS"
	run_rotd rotd-gzip "$CONF_GZ" .gz
	run_logrotate
	run_rotd rotd-zstd "$CONF_ZS" .zst
	run_rotd rotd-gzip-j1 "$CONF_GZ1" .gz
	run_rotd rotd-zstd-j1 "$CONF_ZS1" .zst
	run_calibrate
	restore
	run_cli gzip-6 gzip -6
	run_cli zstd-3 zstd -q -3
done

# ---------------------------------------------------------------- peak RSS
to_bytes() { numfmt --from=iec "$1"; }
# gen_big N: N bytes of the generated text, repeated as needed.
gen_big() {
	local n=$1 reps i
	reps=$(((n + SRC_TOTAL - 1) / SRC_TOTAL))
	for i in $(seq "$reps"); do cat "$SRC"/*.log; done 2>/dev/null | head -c "$n"
}
say "peak RSS: one web.log in $BIG, rotated with $(basename "$CONF_RSS") (web size 1M)"
BIGDIR=$(logdir "$BIG")
for sz in $RSS_SIZES; do
	n=$(to_bytes "$sz") || die "bad size $sz in BENCH_RSS_SIZES"
	for r in $(seq "$RUNS"); do
		rm -rf "$BIGDIR/archive" "$BIGDIR"/*.log
		mkdir "$BIGDIR/archive"
		gen_big "$n" >"$BIGDIR/web.log"
		[ "$(stat -c %s "$BIGDIR/web.log")" = "$n" ] || die "could not write $n bytes into $BIG"
		cat "$BIGDIR/web.log" >/dev/null
		sync
		timed "$WORK/out.rss" "$ROTD" --now --rotate-only --config "$CONF_RSS" --container "$BIG" ||
			{ sed 's/^/    /' "$WORK/out.rss"; die "rotd on a $sz log exited with status $?"; }
		shopt -s nullglob
		found=("$BIGDIR/archive/web.log-"*.gz)
		shopt -u nullglob
		if [ ${#found[@]} -ne 1 ] || [ "$(stat -c %s "$BIGDIR/web.log")" -ge "$n" ] ||
			! cmp -s <(gen_big "$n") <(gzip -dc "${found[0]}" && cat "$BIGDIR/web.log"); then
			die "rotd did not rotate the $sz log correctly"
		fi
		record "rss.$sz" "$T_RSS"
		say "  $sz: wall ${T_WALL}s max RSS ${T_RSS} KiB, verified"
	done
done

# ---------------------------------------------------------------- table
M() { median "$1"; }
# verdict VALUE OP LIMIT
verdict() { awk -v v="$1" -v l="$3" -v op="$2" 'BEGIN { ok = (op == "<=") ? v <= l : v < l; print ok ? "met" : "MISSED" }'; }
row() { printf '%-32s %-11s %-11s %-7s %-27s %s\n' "$@"; }

rg_w=$(M rotd-gzip.wall) lr_w=$(M logrotate.wall) rz_w=$(M rotd-zstd.wall)
rg_c=$(M rotd-gzip.cpu) lr_c=$(M logrotate.cpu) rz_c=$(M rotd-zstd.cpu)
g_c=$(M gzip-6.cpu) z_c=$(M zstd-3.cpu)
rg_a=$(M rotd-gzip.arch) lr_a=$(M logrotate.arch) rz_a=$(M rotd-zstd.arch)
ns() { calc 2 "$1 * 1e9 / $INPUT_BYTES"; }

r_gw=$(calc 2 "$rg_w / $lr_w")
r_gc=$(calc 2 "$rg_c / $lr_c")
r_gb=$(calc 2 "$rg_c / $g_c")
r_zw=$(calc 3 "$rz_w / $lr_w")
r_zb=$(calc 2 "$rz_c / $z_c")
r_ga=$(calc 3 "$rg_a / $lr_a")

say ""
say "medians of $RUNS runs (ns/B = CPU seconds per input byte x 1e9); $INPUT_BYTES input bytes per pass (15 logs); $(nproc) CPUs, rotd jobs = 0"
row what rotd peer ratio target verdict
row "gzip pass wall (s)" "$rg_w" "$lr_w" "$r_gw" "<= 0.25 x logrotate" "$(verdict "$r_gw" "<=" 0.25)"
row "gzip pass CPU (s)" "$rg_c" "$lr_c" "$r_gc" "(info)" ""
row "gzip pass CPUs busy (CPU/wall)" "$(calc 2 "$rg_c / $rg_w")" "$(calc 2 "$lr_c / $lr_w")" "" "(info: machine speedup $(M speedup))" ""
row "gzip CPU per byte (ns/B)" "$(ns "$rg_c")" "$(ns "$g_c")" "$r_gb" "<= 0.50 x gzip -6" "$(verdict "$r_gb" "<=" 0.50)"
row "  same, rotd jobs = 1" "$(ns "$(M rotd-gzip-j1.cpu)")" "$(ns "$g_c")" "$(calc 2 "$(M rotd-gzip-j1.cpu) / $g_c")" "(info)" ""
row "gzip pass wall, jobs = 1 (s)" "$(M rotd-gzip-j1.wall)" "$lr_w" "$(calc 2 "$(M rotd-gzip-j1.wall) / $lr_w")" "(info)" ""
row "gzip archives (bytes)" "$rg_a" "$lr_a" "$r_ga" "<= 1.02 x logrotate" "$(verdict "$r_ga" "<=" 1.02)"
row "zstd pass wall (s)" "$rz_w" "$lr_w" "$r_zw" "<= 0.15 x logrotate gzip" "$(verdict "$r_zw" "<=" 0.15)"
row "  same, later target" "" "" "" "<= 0.12 x logrotate gzip" "$(verdict "$r_zw" "<=" 0.12)"
row "zstd CPU per byte (ns/B)" "$(ns "$rz_c")" "$(ns "$z_c")" "$r_zb" "<= 1.10 x zstd -3" "$(verdict "$r_zb" "<=" 1.10)"
row "  same, rotd jobs = 1" "$(ns "$(M rotd-zstd-j1.cpu)")" "$(ns "$z_c")" "$(calc 2 "$(M rotd-zstd-j1.cpu) / $z_c")" "(info)" ""
row "zstd archives (bytes)" "$rz_a" "" "" "(info)" ""
first='' last=''
for sz in $RSS_SIZES; do
	v=$(M "rss.$sz")
	[ -n "$first" ] || first=$v
	last=$v
	row "peak RSS, one $sz log (KiB)" "$v" "" "" "< 20480 KiB" "$(verdict "$v" "<" 20480)"
done
r_flat=$(calc 2 "$last / $first")
row "RSS largest / smallest log" "" "" "$r_flat" "flat: <= 1.10" "$(verdict "$r_flat" "<=" 1.10)"
row "peak RSS, gzip pass (KiB)" "$(M rotd-gzip.rss)" "" "" "(info: 2 workers)" ""
row "peak RSS, zstd pass (KiB)" "$(M rotd-zstd.rss)" "" "" "(info: 2 workers)" ""
row "machine: 2 x gzip -6 speedup" "" "" "$(M speedup)" "(info: 2.00 = 2 free CPUs)" ""
row "machine: other load (CPUs)" "" "" "$(M bg)" "(info: 0 = idle machine)" ""
if [ "$(calc 0 "($(M bg) >= 0.25 || $(M speedup) < 1.7)")" = 1 ]; then
	say "WARNING: the machine was not idle (other processes used $(M bg) CPUs; 2 x gzip -6 speedup $(M speedup)):"
	say "WARNING: parallel results (rotd jobs = 0) are pessimistic; rerun on an idle machine."
fi
