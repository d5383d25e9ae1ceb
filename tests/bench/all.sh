#!/bin/bash
# tests/bench/all.sh [BUILD]: every performance comparison in one run, against
# the tools operators use today, then one summary of the targets:
#   run.sh      rotd vs logrotate + gzip (wall, CPU), gzip -6 and zstd -3 (CPU
#               per byte), and peak RSS for logs from 10 MB to 1 GB
#   media.sh    media pruning vs find -delete
#   cleanup.sh  cleanup.sh in 20 containers at concurrency 4 vs a sequential
#               docker exec loop
#   usage.sh    the usage walk vs du -s on 1,000,000 files (a loop-mounted ext4
#               image), byte totals vs du -sb, peak RSS
#   compress.sh the compressor on a 1 GiB log vs gzip -6 and zstd -3 (wall, CPU
#               per byte, archive size)
# BUILD is a configured and built build dir (default build). Needs root. About
# 30 minutes on 2 cores. Each script's own settings apply; media.sh's tree
# defaults to 50 x 50 x 50 files here (BENCH_MEDIA_FANOUT). See BENCHMARKS.md.
set -u
cd "$(dirname "$0")/../.." || exit 2
build=${1:-build}
[ -x "$build/rotd/rotd" ] || { echo "bench: no rotd in $build: configure and make it first" >&2; exit 2; }
logs=$(mktemp -d /tmp/rotd-bench-all.XXXXXX) || exit 2
status=0
for b in run media cleanup usage compress; do
	printf '=== tests/bench/%s.sh\n' "$b"
	case $b in
	media) BENCH_MEDIA_FANOUT=${BENCH_MEDIA_FANOUT:-50} tests/bench/media.sh "$build" ;;
	usage) tests/bench/usage.sh "$build" ;;
	compress) tests/bench/compress.sh "$build" ;;
	*) tests/bench/$b.sh "$build/rotd/rotd" ;;
	esac 2>&1 | tee "$logs/$b.log"
	[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
done
printf '\n=== summary: every target, as each script judged it\n'
grep -hE '(<=|<) [0-9.]+ ?(x|KiB)|flat: ' "$logs/run.log" "$logs/media.log" "$logs/cleanup.log" "$logs/usage.log" "$logs/compress.log" | grep -v '^ *same, rotd jobs'
if grep -qhE 'NOT MET|MISSED' "$logs"/*.log; then
	status=1
fi
printf 'logs: %s\n' "$logs"
exit $status
