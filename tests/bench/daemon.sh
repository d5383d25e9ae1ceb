#!/bin/bash
# tests/bench/daemon.sh [ROTD]: the daemon's idle cost. Starts a throwaway
# engine with BENCH_CONTAINERS WhatsApp-like containers (web, core and master in
# turn, each with small logs), runs rotd as a daemon with the shipped config
# (interval 60s), lets it settle, then measures its CPU time and memory over
# BENCH_SECONDS. Needs root. See BENCHMARKS.md.
#
#   BENCH_CONTAINERS=30   containers
#   BENCH_SECONDS=300     measured idle period
#   BENCH_SETTLE=20       seconds before measuring (first pass, inventory)
set -u

cd "$(dirname "$0")/../.." || exit 2
REPO=$(pwd)
ROTD=${1:-build/rotd/rotd}
case $ROTD in /*) ;; *) ROTD=$REPO/$ROTD ;; esac
N=${BENCH_CONTAINERS:-30}
SECONDS_IDLE=${BENCH_SECONDS:-300}
SETTLE=${BENCH_SETTLE:-20}

say() { printf '%s\n' "$*"; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (it starts its own dockerd)"
[ -x "$ROTD" ] || die "no rotd binary at $ROTD"

. "$REPO/tests/harness/engine.sh"
daemon=
cleanup() {
	[ -z "$daemon" ] || { kill -TERM "$daemon" 2>/dev/null; wait "$daemon" 2>/dev/null; }
	engine_stop
}
trap cleanup EXIT
engine_start || die "no engine"
engine_build_images || die "cannot build images"
say "starting $N containers"
for i in $(seq 1 "$N"); do
	case $((i % 3)) in
	0) engine_run "bench_web_$i" bench "web$i" docker.whatsapp.biz/web:v2.x ;;
	1) engine_run "bench_core_$i" bench "core$i" docker.whatsapp.biz/coreapp:v2.x ;;
	2) engine_run "bench_master_$i" bench "master$i" docker.whatsapp.biz/coreapp:v2.x -e WA_MASTER_NODE=1 ;;
	esac || die "cannot start container $i"
done
for c in $(engine_docker ps --format '{{.Names}}'); do
	root=/proc/$(engine_docker inspect -f '{{.State.Pid}}' "$c")/root
	head -c 100000 /dev/zero | tr '\0' 'l' >"$root/var/log/whatsapp/web.log"
	head -c 100000 /dev/zero | tr '\0' 'l' >"$root/usr/local/waent/logs/wa.log"
done
conf=$ENGINE_DIR/bench.conf
sed -e "s|^state-file = .*|state-file = $ENGINE_DIR/state.json|" -e "s|^lock-file = .*|lock-file = $ENGINE_DIR/rotd.lock|" \
	-e "s|^status-file = .*|status-file = $ENGINE_DIR/status.json|" \
	-e "s|^  file = /var/lib/prometheus/node-exporter/rotd.prom|  file = $ENGINE_DIR/rotd.prom|" \
	conf/rotd.conf >"$conf"
"$ROTD" --config "$conf" >"$ENGINE_DIR/daemon.log" 2>&1 &
daemon=$!
sleep "$SETTLE"
kill -0 "$daemon" || die "the daemon died: $(cat "$ENGINE_DIR/daemon.log")"
grep -q "inventory: $((N + 0)) containers" "$ENGINE_DIR/daemon.log" || say "warning: $(grep inventory "$ENGINE_DIR/daemon.log")"
ticks() { awk '{print $14 + $15}' "/proc/$daemon/stat"; }
hz=$(getconf CLK_TCK)
t0=$(ticks)
passes0=$(awk '/^rotd_passes_total/ {print $2}' "$ENGINE_DIR/rotd.prom")
say "measuring $SECONDS_IDLE s of idle running"
sleep "$SECONDS_IDLE"
t1=$(ticks)
passes1=$(awk '/^rotd_passes_total/ {print $2}' "$ENGINE_DIR/rotd.prom")
rss=$(awk '/^VmRSS/ {print $2}' "/proc/$daemon/status")
hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$daemon/status")
threads=$(awk '/^Threads/ {print $2}' "/proc/$daemon/status")
anon=$(awk '/^RssAnon/ {print $2}' "/proc/$daemon/status")
file=$(awk '/^RssFile/ {print $2}' "/proc/$daemon/status")
cpu_s=$(awk -v t="$((t1 - t0))" -v hz="$hz" 'BEGIN { printf "%.2f", t / hz }')
pct=$(awk -v c="$cpu_s" -v s="$SECONDS_IDLE" 'BEGIN { printf "%.3f", 100 * c / s }')
say ""
say "rotd daemon, $N containers, ${SECONDS_IDLE} s idle (interval 60s, $((passes1 - passes0)) interval passes):"
say "  CPU time       ${cpu_s} s  ($pct % of one core)"
say "  RSS now        $((rss / 1024)).$(((rss % 1024) * 10 / 1024)) MB"
say "  peak RSS       $((hwm / 1024)).$(((hwm % 1024) * 10 / 1024)) MB"
say "  of which       $((anon / 1024)).$(((anon % 1024) * 10 / 1024)) MB private (heap, stacks), $((file / 1024)).$(((file % 1024) * 10 / 1024)) MB shared library pages"
say "  threads        $threads (main loop + events)"
