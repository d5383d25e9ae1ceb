#!/bin/bash
# tests/bench/cleanup.sh [ROTD]: rotd's cleanup job (the image's cleanup.sh run
# through the Docker Engine API exec endpoints, cleanup.concurrency = 4) against
# the operators' loop `for c in ...; do docker exec "$c" cleanup.sh; done` over
# the same containers, in a throwaway Docker engine. Needs root. Prints
# progress, then a table. See BENCHMARKS.md, "Off-peak cleanup.sh".
#
#   ROTD                    the rotd binary (default build/rotd/rotd)
#   BENCH_RUNS=3            runs per arm; the table shows medians
#   BENCH_CONTAINERS=20     containers (web, core and master in turn)
#   BENCH_CLEANUP_FILES=4000  small files per container, half of them 60 days old
#   BENCH_CLEANUP_SLEEP=1   seconds each cleanup.sh sleeps (its wait on the database)
#
# Workload: every container gets the same stand-in /opt/whatsapp/bin/cleanup.sh
# (written through /proc/PID/root): it removes the files older than 30 days in
# /usr/local/waent/tmp, sleeps BENCH_CLEANUP_SLEEP seconds (the real script's
# wait on the database) and exits 0 only if exactly the young half is left.
# Before every timed run each container's old half is put back from one
# template (cp -a, so the same mtimes), the markers removed, and everything
# synced. After every run the script checks, per container, the exit code (the
# loop's own, rotd's report in --json), one new marker line and the young half
# left, nothing old.
set -u
HZ=$(getconf CLK_TCK)

cd "$(dirname "$0")/../.." || exit 2
REPO=$(pwd)
ROTD=${1:-build/rotd/rotd}
case $ROTD in /*) ;; *) ROTD=$REPO/$ROTD ;; esac
RUNS=${BENCH_RUNS:-3}
N=${BENCH_CONTAINERS:-20}
FILES=${BENCH_CLEANUP_FILES:-4000}
NAP=${BENCH_CLEANUP_SLEEP:-1}
CONCURRENCY=4
TARGET=0.35
SCRIPT=/opt/whatsapp/bin/cleanup.sh
DIR=/usr/local/waent/tmp

say() { printf '%s\n' "$*"; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (it starts its own dockerd)"
[ -x "$ROTD" ] || die "no rotd binary at $ROTD: build it first (mkdir -p build-bench && cd build-bench && ../configure && make -j2), or pass its path"
{ [ "$FILES" -gt 0 ] && [ $((FILES % 2)) = 0 ]; } || die "BENCH_CLEANUP_FILES must be even and > 0"
[ "$N" -gt 0 ] || die "BENCH_CONTAINERS must be > 0"
missing=
command -v jq >/dev/null || missing="$missing jq"
command -v python3 >/dev/null || missing="$missing python3"
[ -x /usr/bin/time ] || missing="$missing time"
if [ -n "$missing" ]; then
	say "installing:$missing"
	# shellcheck disable=SC2086 # one word per package
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing >/dev/null ||
		die "apt-get install$missing failed"
fi

WORK=$(mktemp -d /tmp/rotd-cleanup-bench.XXXXXX) || die "mktemp failed"
# shellcheck source=tests/harness/engine.sh
. "$REPO/tests/harness/engine.sh"
cleanup() {
	set +e
	engine_stop 2>/dev/null # stops dockerd and whatever it left by pid
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- machine
say "machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1), kernel $(uname -r), Debian $(cat /etc/debian_version 2>/dev/null || echo '?')"
say "tools:   $("$ROTD" --version 2>&1 | head -n1); $(docker --version); $(dockerd --version)"
say "command: BENCH_RUNS=$RUNS BENCH_CONTAINERS=$N BENCH_CLEANUP_FILES=$FILES BENCH_CLEANUP_SLEEP=$NAP tests/bench/cleanup.sh $ROTD"

# ---------------------------------------------------------------- inputs
# The template: FILES files of 2 KiB of text, every other one 60 days old (in
# old/), the rest 1 day old (in young/).
TEMPLATE=$WORK/template
python3 - "$TEMPLATE" "$FILES" <<'EOF' || die "generating the template failed"
import os, sys, time
d, n = sys.argv[1], int(sys.argv[2])
os.makedirs(d + "/old")
os.makedirs(d + "/young")
now = time.time()
for i in range(n):
    p = "%s/%s/msg-%05d.tmp" % (d, "old" if i % 2 else "young", i)
    with open(p, "w") as f:
        f.write(("%05d cleanup bench line, some text that compresses like a log\n" % i) * 32)
    t = now - (60 if i % 2 else 1) * 86400
    os.utime(p, (t, t))
EOF
YOUNG=$((FILES / 2))

# The stand-in for the image's cleanup.sh (busybox sh: no find -delete).
STANDIN=$WORK/cleanup.sh
cat >"$STANDIN" <<EOS
#!/bin/sh
# rotd benchmark stand-in for the image's cleanup.sh: remove the files older
# than 30 days, wait as the real script waits on the database, then check.
dir=$DIR
cd "\$dir" || exit 10
find . -type f -name '*.tmp' -mtime +30 >/tmp/cleanup-old.list || exit 11
xargs rm -f </tmp/cleanup-old.list || exit 12
sleep $NAP
left=\$(find . -type f -name '*.tmp' | wc -l)
old=\$(find . -type f -name '*.tmp' -mtime +30 | wc -l)
echo "cleanup: removed \$(wc -l </tmp/cleanup-old.list) files, \$left left"
[ "\$left" -eq $YOUNG ] && [ "\$old" -eq 0 ] || exit 13
date +%s >>/tmp/cleanup-ran
EOS

# ---------------------------------------------------------------- engine
engine_start || die "the engine did not start"
engine_build_images || die "importing the images failed"
CTRS=()
for i in $(seq 1 "$N"); do
	case $((i % 3)) in
	1) c=bench_web_$i; engine_run "$c" bench "web$i" docker.whatsapp.biz/web:v2.x ;;
	2) c=bench_core_$i; engine_run "$c" bench "core$i" docker.whatsapp.biz/coreapp:v2.x ;;
	0) c=bench_master_$i; engine_run "$c" bench "master$i" docker.whatsapp.biz/coreapp:v2.x -e WA_MASTER_NODE=1 ;;
	esac || die "starting container $i failed"
	CTRS+=("$c")
done
declare -A ROOT
CGS=() # the containers' CPU accounting files (cgroup v1 cpuacct.usage or v2 cpu.stat)
for c in "${CTRS[@]}"; do
	pid=$(engine_docker inspect -f '{{.State.Pid}}' "$c") || die "inspect $c failed"
	ROOT[$c]=/proc/$pid/root
	cg=$(awk -F: '$2 ~ /(^|,)cpuacct(,|$)/ { print "/sys/fs/cgroup/cpuacct" $3 "/cpuacct.usage" } $1 == "0" && $2 == "" { print "/sys/fs/cgroup" $3 "/cpu.stat" }' "/proc/$pid/cgroup" | head -n1)
	[ -r "$cg" ] && CGS+=("$cg")
	[ -d "${ROOT[$c]}/opt/whatsapp/bin" ] || die "$c: no /opt/whatsapp/bin through ${ROOT[$c]}"
	# Identical in both arms: written once, before any run.
	install -m 755 "$STANDIN" "${ROOT[$c]}$SCRIPT" || die "$c: cannot write $SCRIPT"
done
say "engine:  $ENGINE_DIR (vfs storage on $(df -T "$ENGINE_DIR" | awk 'NR == 2 { print $2 }')); $N containers: ${CTRS[0]} .. ${CTRS[$((N - 1))]}"

# ---------------------------------------------------------------- config
# The shipped config with: paths in $WORK, no media section (no media
# pruning), gc off, cleanup concurrency 4. The containers' logs are empty, so
# rotation finds nothing to do; plain --now runs the jobs whatever the window.
CONF=$WORK/rotd.conf
sed -e "s|^  socket = .*|  socket = $ENGINE_SOCK|" \
	-e "s|^state-file = .*|state-file = $WORK/state.json|" -e "s|^lock-file = .*|lock-file = $WORK/rotd.lock|" \
	-e "s|^status-file = .*|status-file = $WORK/status.json|" \
	-e "s|^  file = /var/lib/prometheus/node-exporter/rotd.prom|  file = $WORK/rotd.prom|" \
	-e "s|^  concurrency = .*|  concurrency = $CONCURRENCY|" \
	conf/rotd.conf | awk '/^media \{/ { skip = 1 } !skip { print } skip && /^\}/ { skip = 0 }' >"$CONF"
grep -q "^  concurrency = $CONCURRENCY\$" "$CONF" || die "could not set cleanup concurrency in conf/rotd.conf"
grep -q "^  socket = $ENGINE_SOCK\$" "$CONF" || die "could not set the docker socket in conf/rotd.conf"
! grep -q '^media {' "$CONF" || die "could not remove the media section from conf/rotd.conf"
grep -q '^  enabled = false$' "$CONF" || die "gc is not disabled in conf/rotd.conf"
"$ROTD" --config "$CONF" --check-config >"$WORK/check.out" 2>&1 || die "rotd --check-config rejects $CONF: $(cat "$WORK/check.out")"

# ---------------------------------------------------------------- helpers
# reset: every container's folder back to the template (the young half is
# copied once and checked after every run, the old half copied back each time),
# no markers.
reset() {
	local c r
	for c in "${CTRS[@]}"; do
		r=${ROOT[$c]}
		rm -f "$r"/tmp/cleanup-* || die "reset: cleaning $c failed"
		if [ ! -d "$r$DIR" ]; then
			{ mkdir -p "$r$DIR" && cp -a "$TEMPLATE/young/." "$r$DIR/"; } || die "reset: copying the template into $c failed"
		fi
		cp -a "$TEMPLATE/old/." "$r$DIR/" || die "reset: copying the template into $c failed"
	done
	sync
}

# check ARM: in every container the script ran once and did its work.
check() {
	local arm=$1 c r bad=0 ran left old
	for c in "${CTRS[@]}"; do
		r=${ROOT[$c]}
		ran=$(wc -l <"$r/tmp/cleanup-ran" 2>/dev/null || echo 0)
		left=$(find "$r$DIR" -type f | wc -l)
		old=$(find "$r$DIR" -type f -mtime +30 | wc -l)
		if [ "$ran" != 1 ] || [ "$left" != "$YOUNG" ] || [ "$old" != 0 ]; then
			say "  FAIL: $c after $arm: $ran runs, $left files left, $old old (want 1, $YOUNG, 0)"
			bad=1
		fi
	done
	[ $bad = 0 ] || die "$arm did not run cleanup.sh correctly in every container"
}

# The engine's processes: dockerd, containerd and the shims (with the runc
# processes they reaped), found as engine_stop finds them.
ENGINE_PIDS=("$ENGINE_PID")
for p in /proc/[0-9]*; do
	pid=${p#/proc/}
	[ "$pid" = "$$" ] || [ "$pid" = "$ENGINE_PID" ] && continue
	if tr '\0' ' ' 2>/dev/null <"$p/cmdline" | grep -qF "$ENGINE_DIR/"; then ENGINE_PIDS+=("$pid"); fi
done
[ ${#CGS[@]} = "$N" ] || say "warning: found the CPU accounting of ${#CGS[@]} of $N containers; other load is overstated"

# engine_cpu: CPU seconds used so far by the engine's processes and in the
# containers (the scripts and everything docker exec starts in them).
engine_cpu() {
	local p t=0 ns=0 f
	for p in "${ENGINE_PIDS[@]}"; do
		f=$(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$p/stat" 2>/dev/null) && t=$((t + f))
	done
	for f in "${CGS[@]}"; do
		case $f in
		*/cpu.stat) ns=$((ns + $(awk '$1 == "usage_usec" { print $2 * 1000 }' "$f"))) ;;
		*) ns=$((ns + $(cat "$f"))) ;;
		esac
	done
	awk -v t="$t" -v hz="$HZ" -v ns="$ns" 'BEGIN { printf "%.3f", t / hz + ns / 1e9 }'
}

busy_ticks() {
	local cpu user nice sys idle iowait irq softirq steal
	read -r cpu user nice sys idle iowait irq softirq steal _ </proc/stat
	: "$cpu" "$idle" "$iowait"
	echo $((user + nice + sys + irq + softirq + steal))
}

# timed OUT CMD...: CMD under /usr/bin/time; sets T_WALL, T_CPU (user+sys of
# CMD and its children: rotd, or bash and the docker CLIs; not the scripts,
# which run under the engine), T_ENGINE (CPU seconds of dockerd, containerd,
# the shims and everything in the containers: the scripts) and T_BG (CPUs that
# other processes on the machine used meanwhile). Returns CMD's status.
timed() {
	local out=$1 rc b0 b1 e0 e1 u s
	shift
	b0=$(busy_ticks)
	e0=$(engine_cpu)
	/usr/bin/time -f '%e %U %S' -o "$WORK/time.out" "$@" >"$out" 2>"$out.err"
	rc=$?
	e1=$(engine_cpu)
	b1=$(busy_ticks)
	read -r T_WALL u s < <(tail -n 1 "$WORK/time.out")
	T_CPU=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')
	T_ENGINE=$(awk -v a="$e0" -v b="$e1" 'BEGIN { printf "%.2f", b - a }')
	T_BG=$(awk -v b=$((b1 - b0)) -v hz="$HZ" -v c="$T_CPU" -v e="$T_ENGINE" -v w="$T_WALL" \
		'BEGIN { x = w > 0 ? (b / hz - c - e) / w : 0; printf "%.2f", x < 0 ? 0 : x }')
	record bg "$T_BG"
	return $rc
}

declare -A V
record() { V[$1]="${V[$1]:-} $2"; }
median() {
	# shellcheck disable=SC2086 # one value per word
	printf '%s\n' ${V[$1]} | sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
calc() { awk "BEGIN { printf \"%.${1}f\", $2 }"; }

# The operators' loop, with each exit code written down.
LOOP=$WORK/loop.sh
cat >"$LOOP" <<'EOS'
#!/bin/bash
# loop.sh SOCKET SCRIPT NAME...: docker exec SCRIPT in each NAME in turn.
sock=$1 script=$2
shift 2
for c; do
	docker --host "unix://$sock" exec "$c" "$script"
	echo "rc $c $?" >&2
done
EOS
chmod 755 "$LOOP"

run_peer() {
	local n
	reset
	timed "$WORK/out.peer" "$LOOP" "$ENGINE_SOCK" "$SCRIPT" "${CTRS[@]}" || die "the docker exec loop failed"
	n=$(grep -c '^rc .* 0$' "$WORK/out.peer.err")
	[ "$n" = "$N" ] || { grep '^rc ' "$WORK/out.peer.err" | grep -v ' 0$' | sed 's/^/    /'; die "docker exec loop: $n of $N scripts exited 0"; }
	check "docker exec loop"
	record peer.wall "$T_WALL"; record peer.cpu "$T_CPU"; record peer.engine "$T_ENGINE"
	say "  docker exec loop: wall ${T_WALL}s, CPU ${T_CPU}s (bash + docker CLIs), engine + scripts ${T_ENGINE}s; $n/$N exit 0, verified; other load ${T_BG} CPUs"
}

run_rotd() {
	local n rc ms
	reset
	timed "$WORK/out.rotd" "$ROTD" --now --json --config "$CONF"
	rc=$?
	[ $rc = 0 ] || { sed 's/^/    /' "$WORK/out.rotd.err" | tail -n 20; die "rotd --now exited with status $rc"; }
	n=$(jq '[.jobs.cleanup[] | select(.skipped == null and .present and .ran and .exit_code == 0 and (.timed_out | not) and .error == null)] | length' "$WORK/out.rotd") ||
		die "cannot read rotd's JSON report ($WORK/out.rotd)"
	[ "$n" = "$N" ] || { jq -c '.jobs.cleanup[]' "$WORK/out.rotd" | sed 's/^/    /'; die "rotd: $n of $N scripts ran and exited 0"; }
	check rotd
	ms=$(jq '[.jobs.cleanup[].ms] | add / length | floor' "$WORK/out.rotd")
	record rotd.wall "$T_WALL"; record rotd.cpu "$T_CPU"; record rotd.engine "$T_ENGINE"; record rotd.ms "$ms"
	say "  rotd --now: wall ${T_WALL}s, CPU ${T_CPU}s (rotd), engine + scripts ${T_ENGINE}s; $n/$N exit 0 (mean ${ms} ms each), verified; other load ${T_BG} CPUs"
}

# One script alone, for the floor: what one cleanup.sh takes through docker exec.
reset
timed "$WORK/out.one" docker --host "unix://$ENGINE_SOCK" exec "${CTRS[0]}" "$SCRIPT" || die "cleanup.sh in ${CTRS[0]} failed: $(cat "$WORK/out.one" "$WORK/out.one.err")"
say "one cleanup.sh through docker exec: wall ${T_WALL}s, engine + script CPU ${T_ENGINE}s ($(cat "$WORK/out.one"))"
V[bg]=''


# ---------------------------------------------------------------- runs
say "workload: $N containers, cleanup.sh removing $((FILES / 2)) of $FILES files + sleep $NAP each; $RUNS runs per arm"
# The order alternates so that neither arm always runs right after the other.
for r in $(seq "$RUNS"); do
	say "run $r/$RUNS"
	if [ $((r % 2)) = 1 ]; then
		run_peer
		run_rotd
	else
		run_rotd
		run_peer
	fi
done

# ---------------------------------------------------------------- table
M() { median "$1"; }
pw=$(M peer.wall) rw=$(M rotd.wall) pc=$(M peer.cpu) rc=$(M rotd.cpu) pe=$(M peer.engine) re=$(M rotd.engine)
ratio=$(calc 2 "$rw / $pw")
waves=$(((N + CONCURRENCY - 1) / CONCURRENCY))
ideal=$(calc 2 "$waves / $N")
verdict=$(awk -v r="$ratio" -v t="$TARGET" 'BEGIN { print (r <= t ? "met" : "MISSED") }')
row() { printf '%-34s %-9s %-9s %-7s %s\n' "$@"; }
say ""
say "medians of $RUNS runs; $N containers, rotd cleanup concurrency $CONCURRENCY, $(nproc) CPUs"
row what rotd peer ratio "target / verdict"
row "wall, $N x cleanup.sh (s)" "$rw" "$pw" "$ratio" "<= $TARGET x docker exec loop: $verdict"
row "  ideal at concurrency $CONCURRENCY" "" "" "$ideal" "(info: $waves waves of $CONCURRENCY / $N in turn)"
row "CPU user+sys of the tool (s)" "$rc" "$pc" "$(calc 2 "$rc / ($pc > 0 ? $pc : 1)")" "(info: rotd vs bash + $N docker CLIs)"
row "CPU engine + scripts (s)" "$re" "$pe" "$(calc 2 "$re / ($pe > 0 ? $pe : 1)")" "(info: dockerd, containerd, shims, scripts)"
row "mean cleanup.sh in rotd (ms)" "$(M rotd.ms)" "$(calc 0 "$pw * 1000 / $N")" "" "(info: peer = loop wall / $N)"
row "machine: other load (CPUs)" "" "" "$(M bg)" "(info: 0 = idle machine)"
if [ "$(calc 0 "($(M bg) >= 0.25)")" = 1 ]; then
	say "WARNING: the machine was not idle (other processes used $(M bg) CPUs): the scripts' CPU"
	say "WARNING: work competes with them, which slows the concurrent arm most; rerun on an idle machine."
fi
