#!/bin/bash
# tests/bench/compress.sh [BUILD]: rotd's compressor (compress_range, through
# tests/bench/compress_driver.c) against `gzip -6` and `zstd -3` on one
# generated 1 GiB log on the host. No Docker. Prints progress, then a table of
# wall, CPU and archive size ratios against the targets. See BENCHMARKS.md,
# "Compression".
#
#   BUILD                  a configured and built build dir (default build)
#   BENCH_RUNS=3           runs per tool; the table shows medians
#   BENCH_COMPRESS_BYTES   bytes of log (default 1 GiB)
#   BENCH_COMPRESS_DIR     where the files go (default a new dir in /var/tmp)
#
# The log (tests/bench/gen-log.sh web) is read once before the runs so every
# tool starts from a warm page cache; rotd uses one thread per CPU (threads 0,
# as a rotation does), without a clock and again dating every line with
# lib/logtime's built-in recognisers (the "lines dated" rows). Every rotd
# archive is checked: gzip -dc / zstd -dc give the log back byte for byte.
set -u

cd "$(dirname "$0")/../.." || exit 2
REPO=$(pwd)
BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD=$REPO/$BUILD ;; esac
RUNS=${BENCH_RUNS:-3}
BYTES=${BENCH_COMPRESS_BYTES:-1073741824}

say() { printf '%s\n' "$*"; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

{ [ -f "$BUILD/autoconf.h" ] && [ -f "$BUILD/librotd.a" ]; } ||
	die "no $BUILD/librotd.a: configure and make a build dir first, or pass its path"
for tool in gzip zstd gcc pkg-config cmp; do
	command -v "$tool" >/dev/null || die "$tool is missing"
done
[ -x /usr/bin/time ] || die "/usr/bin/time is missing (apt-get install time)"

WORK=$(mktemp -d "${BENCH_COMPRESS_DIR:-/var/tmp}/rotd-compress-bench.XXXXXX") || die "mktemp failed"
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

DRIVER=$WORK/compress_driver
# shellcheck disable=SC2046 # one word per flag
gcc -std=gnu11 -O2 -g -I"$BUILD" -I"$REPO/rotd" -o "$DRIVER" "$REPO/tests/bench/compress_driver.c" \
	"$BUILD/librotd.a" $(pkg-config --libs libdeflate libzstd libarchive libcurl jansson libconfuse libmicrohttpd) \
	-lpthread || die "building the driver failed"

say "machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1), kernel $(uname -r)"
say "tools:   $(gzip --version | head -n1), $(zstd --version); rotd commit $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?') (+ working tree)"
say "generating $BYTES bytes of web log"
sh "$REPO/tests/bench/gen-log.sh" web "$BYTES" >"$WORK/log" || die "gen-log.sh failed"
INPUT=$(stat -c %s "$WORK/log")
cat "$WORK/log" >/dev/null

# timed NAME OUT CMD...: runs CMD with stdout to OUT and records its wall and CPU time.
timed() {
	local name=$1 out=$2 t
	shift 2
	sync
	/usr/bin/time -f '%e %U %S' -o "$WORK/time" "$@" >"$out" || die "$name failed"
	read -r wall user sys <"$WORK/time"
	t=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
	echo "$wall" >>"$WORK/$name.wall"
	echo "$t" >>"$WORK/$name.cpu"
	say "  $name: wall ${wall}s CPU ${t}s"
}
median() { sort -g "$WORK/$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
calc() { awk -v p="$1" "BEGIN { printf \"%.\" p \"f\", $2 }"; }

for run in $(seq 1 "$RUNS"); do
	say "run $run of $RUNS"
	timed gzip-6 "$WORK/ref.gz" gzip -6 -c "$WORK/log"
	stat -c %s "$WORK/ref.gz" >"$WORK/gzip-6.size"
	timed rotd-gzip "$WORK/rotd.out" "$DRIVER" gzip 6 0 "$WORK/log" "$WORK/rotd.gz"
	stat -c %s "$WORK/rotd.gz" >"$WORK/rotd-gzip.size"
	timed zstd-3 "$WORK/ref.zst" zstd -q -3 -c "$WORK/log"
	stat -c %s "$WORK/ref.zst" >"$WORK/zstd-3.size"
	timed rotd-zstd "$WORK/rotd.out" "$DRIVER" zstd 3 0 "$WORK/log" "$WORK/rotd.zst"
	stat -c %s "$WORK/rotd.zst" >"$WORK/rotd-zstd.size"
	timed rotd-gzip-clock "$WORK/rotd.out" "$DRIVER" gzip 6 0 "$WORK/log" "$WORK/rotd-clock.gz" clock
	timed rotd-zstd-clock "$WORK/rotd.out" "$DRIVER" zstd 3 0 "$WORK/log" "$WORK/rotd-clock.zst" clock
	rm -f "$WORK/ref.gz" "$WORK/ref.zst"
done
cmp -s "$WORK/log" <(gzip -dc "$WORK/rotd.gz") || die "gzip -dc of rotd's archive is not the log"
cmp -s "$WORK/log" <(zstd -qdc "$WORK/rotd.zst") || die "zstd -dc of rotd's archive is not the log"
say "verified: gzip -dc and zstd -dc of rotd's archives give the log back"

verdict() { awk -v v="$1" -v l="$3" -v op="$2" 'BEGIN { ok = (op == "<=") ? v <= l : v < l; print ok ? "met" : "MISSED" }'; }
row() { printf '%-28s %-11s %-11s %-7s %-22s %s\n' "$@"; }
ns() { calc 2 "$1 * 1e9 / $INPUT"; }

gw=$(median rotd-gzip.wall) pw=$(median gzip-6.wall) gc=$(median rotd-gzip.cpu) pc=$(median gzip-6.cpu)
zw=$(median rotd-zstd.wall) qw=$(median zstd-3.wall) zc=$(median rotd-zstd.cpu) qc=$(median zstd-3.cpu)
ga=$(median rotd-gzip.size) pa=$(median gzip-6.size) za=$(median rotd-zstd.size) qa=$(median zstd-3.size)
r_gw=$(calc 2 "$gw / $pw") r_gc=$(calc 2 "$gc / $pc") r_ga=$(calc 3 "$ga / $pa")
r_zw=$(calc 2 "$zw / $qw") r_zc=$(calc 2 "$zc / $qc") r_za=$(calc 3 "$za / $qa")

say ""
say "medians of $RUNS runs; $INPUT input bytes; $(nproc) CPUs, rotd threads = one per CPU"
row what rotd peer ratio target verdict
row "gzip wall (s)" "$gw" "$pw" "$r_gw" "<= 0.50 x gzip -6" "$(verdict "$r_gw" "<=" 0.50)"
row "gzip CPU per byte (ns/B)" "$(ns "$gc")" "$(ns "$pc")" "$r_gc" "<= 0.50 x gzip -6" "$(verdict "$r_gc" "<=" 0.50)"
row "gzip archive (bytes)" "$ga" "$pa" "$r_ga" "<= 1.02 x gzip -6" "$(verdict "$r_ga" "<=" 1.02)"
row "zstd wall (s)" "$zw" "$qw" "$r_zw" "(info)" ""
row "zstd CPU per byte (ns/B)" "$(ns "$zc")" "$(ns "$qc")" "$r_zc" "(info)" ""
row "zstd archive (bytes)" "$za" "$qa" "$r_za" "(info: 1 MiB members)" ""
row "gzip CPU/B, lines dated" "$(ns "$(median rotd-gzip-clock.cpu)")" "$(ns "$pc")" "$(calc 2 "$(median rotd-gzip-clock.cpu) / $pc")" "(info: logtime clock)" ""
row "zstd CPU/B, lines dated" "$(ns "$(median rotd-zstd-clock.cpu)")" "$(ns "$qc")" "$(calc 2 "$(median rotd-zstd-clock.cpu) / $qc")" "(info: logtime clock)" ""
