#!/bin/bash
# tests/bench/usage.sh [BUILD]: rotd's usage walk (walk_path through
# tests/bench/usage_walk_driver.c) against `du -s` on the same tree of
# 1,000,000 files on a loop-mounted ext4 image. No Docker. Needs root (mount).
# Prints progress, then a table. See BENCHMARKS.md, "Usage accounting".
#
#   BUILD                   a configured build dir holding autoconf.h (default build)
#   BENCH_RUNS=5            timed runs per tool; the table shows medians
#   BENCH_USAGE_FANOUT=100  the tree is FANOUT x FANOUT folders x FANOUT files
#   BENCH_USAGE_DIR         where the image goes (default a new dir in /tmp)
#
# The tree: FANOUT top folders, each with FANOUT folders of FANOUT files of
# varied sizes (0 to 4,000 bytes, and one file in 10,000 of 1 MiB); every
# tenth folder holds a chain of 8 nested folders with 10 files each, and in
# every folder one file in 100 is a hard link to another, one in 100 a symlink
# (so the count stays FANOUT^3 entries besides the folders). rotd walks on
# one thread per CPU (at most 4), as usage_collect does. Caches stay warm:
# the tree is walked once by each tool untimed, then the tools alternate, so
# both read from the page cache the same number of times (caches are never
# dropped: the machine is shared).
set -u

cd "$(dirname "$0")/../.." || exit 2
REPO=$(pwd)
BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD=$REPO/$BUILD ;; esac
RUNS=${BENCH_RUNS:-5}
FAN=${BENCH_USAGE_FANOUT:-100}
TOTAL=$((FAN * FAN * FAN))

say() { printf '%s\n' "$*"; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

[ -f "$BUILD/autoconf.h" ] || die "no $BUILD/autoconf.h: configure a build dir first, or pass its path"
[ "$(id -u)" = 0 ] || die "needs root to mount the ext4 image"
missing=
command -v python3 >/dev/null || missing="$missing python3"
command -v gcc >/dev/null || missing="$missing gcc"
command -v mkfs.ext4 >/dev/null || missing="$missing e2fsprogs"
[ -x /usr/bin/time ] || missing="$missing time"
if [ -n "$missing" ]; then
	say "installing:$missing"
	# shellcheck disable=SC2086 # one word per package
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing >/dev/null ||
		die "apt-get install$missing failed"
fi

WORK=$(mktemp -d "${BENCH_USAGE_DIR:-/tmp}/rotd-usage-bench.XXXXXX") || die "mktemp failed"
MNT=$WORK/mnt
cleanup() {
	mountpoint -q "$MNT" && umount "$MNT"
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

DRIVER=$WORK/usage_walk_driver
gcc -std=gnu11 -O2 -g -I"$BUILD" -I"$REPO/rotd" -o "$DRIVER" "$REPO/tests/bench/usage_walk_driver.c" \
	"$REPO"/rotd/usage/walk.c "$REPO"/rotd/rotate/ctrfs.c "$REPO"/rotd/lib/{xalloc,strlist,log,path,pool}.c -lpthread ||
	die "building the driver failed"

# An image sized for the tree: about 2 KiB of data and one inode per file.
IMG_MB=$((TOTAL * 5 / 1000 + 512))
truncate -s "${IMG_MB}M" "$WORK/fs.img" || die "truncate failed"
mkfs.ext4 -q -F -N $((TOTAL + TOTAL / 5 + 10000)) "$WORK/fs.img" || die "mkfs.ext4 failed"
mkdir "$MNT" || die "mkdir $MNT failed"
mount -o loop "$WORK/fs.img" "$MNT" || die "mounting the image failed"

say "machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1), kernel $(uname -r)"
say "tools:   $(du --version | head -n1); rotd commit $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?') (+ working tree)"
say "tree:    $TOTAL entries ($FAN x $FAN folders x $FAN) on ext4 in a ${IMG_MB} MB loop image; warm caches; $RUNS runs per tool"

python3 - "$MNT/tree" "$FAN" <<'EOF' || die "generating the tree failed"
import os, sys
from multiprocessing import Pool
tree, fan = sys.argv[1], int(sys.argv[2])
flags = os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_CLOEXEC
blob = b"x" * 4096
big = b"y" * (1 << 20)
def fill(folder, first, n):
    for c in range(n):
        k = first + c
        p = "%s/f%05d.dat" % (folder, c)
        if c % 100 == 99:
            os.link("%s/f%05d.dat" % (folder, c - 2), p)
        elif c % 100 == 98:
            os.symlink("f%05d.dat" % (c - 1), p)
        else:
            fd = os.open(p, flags, 0o644)
            os.write(fd, big if k % 10000 == 1234 else blob[:(k * 7919) % 4001])
            os.close(fd)
def top(a):
    pa = "%s/%03d" % (tree, a)
    os.mkdir(pa)
    for b in range(fan):
        pb = "%s/%03d" % (pa, b)
        os.mkdir(pb)
        base = (a * fan + b) * fan
        if b % 10 == 0 and fan >= 90:
            # 80 of its files go into a chain of 8 nested folders of 10
            fill(pb, base, fan - 80)
            deep = pb
            for d in range(8):
                deep = "%s/d%d" % (deep, d)
                os.mkdir(deep)
                fill(deep, base + fan - 80 + d * 10, 10)
        else:
            fill(pb, base, fan)
os.mkdir(tree)
with Pool(os.cpu_count()) as pool:
    pool.map(top, range(fan), chunksize=1)
EOF
sync
ENTRIES=$(find "$MNT/tree" -mindepth 1 | wc -l)
DIRS=$(find "$MNT/tree" -type d | wc -l)
say "built:   $ENTRIES entries below the top ($DIRS folders), $(find "$MNT/tree" -type l | wc -l) symlinks, $(find "$MNT/tree" -type f -links +1 | wc -l) hard-linked names"

# Warm-up, untimed: each tool reads the tree once.
du -s "$MNT/tree" >/dev/null
"$DRIVER" "$MNT/tree" >/dev/null || die "the driver failed on the warm-up walk"

# timed WHAT CMD...: appends "wall rss" to $WORK/WHAT and keeps the output.
timed() {
	what=$1
	shift
	/usr/bin/time -f '%e %M' -o "$WORK/time.out" "$@" >"$WORK/$what.out" || die "$what failed"
	cat "$WORK/time.out" >>"$WORK/$what"
	say "  $what: $(awk '{ printf "wall %s s, peak RSS %s KiB", $1, $2 }' "$WORK/time.out")"
}

for i in $(seq "$RUNS"); do
	say "run $i"
	if [ $((i % 2)) = 1 ]; then
		timed du du -s "$MNT/tree"
		timed rotd "$DRIVER" "$MNT/tree"
	else
		timed rotd "$DRIVER" "$MNT/tree"
		timed du du -s "$MNT/tree"
	fi
	timed rotd1 "$DRIVER" "$MNT/tree" 0 1
done
LOAD=$(cut -d' ' -f1-3 /proc/loadavg)

DU_SB=$(du -sb "$MNT/tree" | cut -f1)
ROTD_B=$(awk '{ print $2 }' "$WORK/rotd.out")
ROTD_FILES=$(awk '{ print $4 }' "$WORK/rotd.out")
FIND_FILES=$(find "$MNT/tree" -type f -links 1 | wc -l)
FIND_FILES=$((FIND_FILES + $(find "$MNT/tree" -type f -links +1 -printf '%i\n' | sort -u | wc -l)))

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
col() { awk -v c="$2" '{ print $c }' "$WORK/$1" | median; }

DW=$(col du 1) RW=$(col rotd 1) R1W=$(col rotd1 1)
DM=$(col du 2) RM=$(col rotd 2)
RATIO=$(awk -v a="$RW" -v b="$DW" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
# Run i's rotd / du: the two ran back to back, so load that drifts over the
# minutes of the benchmark weighs on both alike.
PAIRS=$(paste "$WORK/rotd" "$WORK/du" | awk '{ printf "%.2f\n", ($3 > 0 ? $1 / $3 : 0) }')
PAIR_RATIO=$(printf '%s\n' "$PAIRS" | median)
VERDICT=$(awk -v r="$PAIR_RATIO" 'BEGIN { print (r <= 1.0 ? "met" : "NOT MET") }')
BYTES=$([ "$ROTD_B" = "$DU_SB" ] && echo "equal: met" || echo "differ: NOT MET")
FILES=$([ "$ROTD_FILES" = "$FIND_FILES" ] && echo "equal: met" || echo "differ: NOT MET")

# Flat memory: the same driver on a tree 1000 times smaller.
mkdir -p "$MNT/small"
for a in $(seq 10); do
	mkdir "$MNT/small/$a"
	for c in $(seq 10); do : >"$MNT/small/$a/$c"; done
done
/usr/bin/time -f '%M' -o "$WORK/small.out" "$DRIVER" "$MNT/small" >/dev/null || die "driver on the small tree failed"
SMALL_RSS=$(cat "$WORK/small.out")
FLAT=$(awk -v a="$RM" -v b="$SMALL_RSS" 'BEGIN { printf "%.2f", a / b }')

say ""
printf '%-34s %-12s %-12s %-7s %s\n' what rotd du ratio "target / verdict"
printf '%-34s %-12s %-12s %-7s %s\n' "wall, median of $RUNS (s)" "$RW" "$DW" "$RATIO" "(info)"
printf '%-34s %-12s %-12s %-7s %s\n' "wall, median of per-run ratios" "" "" "$PAIR_RATIO" "<= 1.0 x du -s: $VERDICT"
printf '%-34s %s\n' "per-run ratios rotd / du" "$(printf '%s' "$PAIRS" | tr '\n' ' ')"
printf '%-34s %-12s %-12s %-7s %s\n' "wall, one walker thread (s)" "$R1W" "$DW" \
	"$(awk -v a="$R1W" -v b="$DW" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')" "(info)"
printf '%-34s %-12s %-12s %-7s %s\n' "bytes (rotd vs du -sb)" "$ROTD_B" "$DU_SB" "" "$BYTES"
printf '%-34s %-12s %-12s %-7s %s\n' "regular files (rotd vs find)" "$ROTD_FILES" "$FIND_FILES" "" "$FILES"
printf '%-34s %-12s %-12s %-7s %s\n' "peak RSS, $TOTAL files (KiB)" "$RM" "$DM" "" "(info)"
printf '%-34s %-12s %-12s %-7s %s\n' "peak RSS, 100 files (KiB)" "$SMALL_RSS" "" "" "(info)"
printf '%-34s %-12s %-12s %-7s %s\n' "load average after the runs" "$LOAD" "" "" "(info: the machine is shared)"
printf '%-34s %-12s %-12s %-7s %s\n' "rotd RSS $TOTAL / 100 files" "" "" "$FLAT" \
	"flat: <= 1.10: $(awk -v f="$FLAT" 'BEGIN { print (f <= 1.10 ? "met" : "NOT MET") }')"
[ "$VERDICT" = met ] && [ "$BYTES" = "equal: met" ] && [ "$FILES" = "equal: met" ]
