#!/bin/bash
# tests/bench/logs.sh [ROTD]: the window query. `rotd logs` for a 5-minute
# window with --grep, over 10 days of archives in 3 containers, against the
# by-hand way: decompress every archive of the log and the live log, and grep
# (the operator's loop of issue [6/6]), in a throwaway Docker engine. Needs
# root. Prints progress, then a table. See BENCHMARKS.md, "Window query".
#
#   ROTD                      the rotd binary (default build/rotd/rotd)
#   BENCH_RUNS=5              timed runs per arm; the table shows medians
#   BENCH_LOGS_DAYS=10        days of archives
#   BENCH_LOGS_DAY_BYTES      bytes of web.log per container and day (default
#                             22020096, 21 MiB: the web role rotates past 20 MiB)
#
# Workload: containers bench_logs_1..3 (web image, role web, built-in policy:
# gzip level 6, keep 30). Each day, every container's web.log gets a day of
# timestamped lines ("2026-11-17 20:10:03.123 ERROR [webhook] ..."; fields vary
# line by line as in gen-log.sh; about 3% ERROR), then rotd --now archives it,
# so the archives are rotd's own. The query is the 3 a.m. one: 5 minutes of one
# day (20:10 to 20:15 UTC of day 7), lines with ERROR, all three containers.
# The peers, each run in turn with caches warm (every archive is read once
# before the runs; nothing is ever dropped, the machine is shared):
#   by hand      for each container, through /proc/PID/root on the host: zcat
#                of every web.log archive in name order, then cat of the live
#                log, into one grep -E for the window's time prefix and ERROR.
#                GNU zcat (gzip 1.12) on the host: the fast way, and the one the
#                ratio is judged against.
#   docker exec  the same loop inside each container through docker exec (its
#                busybox zcat and grep), as the issue writes it; for
#                information, since busybox's zcat is slower than GNU's.
# Every rotd answer is checked against the by-hand one: the same lines.
# rotd's peak RSS is measured for the window and for the whole 10 days with
# the same --grep (every member decompressed, about 3% of every line printed):
# flat means the second is within 1.5 times the first.
set -u

cd "$(dirname "$0")/../.." || exit 2
REPO=$(pwd)
ROTD=${1:-build/rotd/rotd}
case $ROTD in /*) ;; *) ROTD=$REPO/$ROTD ;; esac
RUNS=${BENCH_RUNS:-5}
DAYS=${BENCH_LOGS_DAYS:-10}
DAY_BYTES=${BENCH_LOGS_DAY_BYTES:-22020096}
TARGET=0.05
FLAT=1.50
CTRS="bench_logs_1 bench_logs_2 bench_logs_3"

say() { printf '%s\n' "$*"; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (it starts its own dockerd)"
[ -x "$ROTD" ] || die "no rotd binary at $ROTD: build it first, or pass its path"
[ "$DAYS" -ge 7 ] || die "BENCH_LOGS_DAYS must be at least 7 (the window is on day 7)"
missing=
command -v gzip >/dev/null || missing="$missing gzip"
command -v jq >/dev/null || missing="$missing jq"
[ -x /usr/bin/time ] || missing="$missing time"
if [ -n "$missing" ]; then
	say "installing:$missing"
	# shellcheck disable=SC2086 # one word per package
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing >/dev/null ||
		die "apt-get install$missing failed"
fi

WORK=$(mktemp -d /tmp/rotd-logs-bench.XXXXXX) || die "mktemp failed"
# shellcheck source=tests/harness/engine.sh
. "$REPO/tests/harness/engine.sh"
cleanup() {
	set +e
	engine_stop 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1), kernel $(uname -r)"
say "tools:   $("$ROTD" --version 2>&1 | head -n1) (commit $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')); gzip $(gzip --version | sed -n '1s/.* //p'); $(busybox 2>&1 | head -n1 | cut -d' ' -f1-2)"

engine_start || die "the engine did not start"
engine_build_images || die "importing the images failed"
declare -A PID
for c in $CTRS; do
	engine_run "$c" bench waweb docker.whatsapp.biz/web:v2.x || die "starting $c failed"
	PID[$c]=$(engine_docker inspect -f '{{.State.Pid}}' "$c")
done
CONF=$WORK/rotd.conf
sed -e "s|^state-file = .*|state-file = $WORK/state.json|" -e "s|^lock-file = .*|lock-file = $WORK/rotd.lock|" \
	-e "s|^status-file = .*|status-file = $WORK/status.json|" -e "s|^  file = /var/lib/prometheus/.*|  file = \"\"|" \
	"$REPO/conf/rotd.conf" >"$CONF"
export DOCKER_HOST=unix://$ENGINE_SOCK

# gen DATE BYTES SEED: a day of web-app lines dated DATE (UTC), spread over the
# whole day, at least BYTES bytes.
gen() {
	awk -v date="$1" -v limit="$2" -v seed="$3" '
function rint(lo, hi) { return lo + int(rand() * (hi - lo + 1)) }
function pick(a, n) { return a[rint(1, n)] }
function b64(n,   s, i) { s = ""; for (i = 0; i < n; i++) s = s substr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", rint(1, 64), 1); return s }
BEGIN {
	srand(seed)
	split("/v1/messages /v1/messages /v1/messages /v1/contacts /v1/media /v1/users/login /v1/health /v1/settings/application /v1/stats/app", paths, " "); np = 9
	split("GET POST POST POST PUT DELETE PATCH", methods, " "); nm = 7
	split("web router auth media webhook queue db stats", comps, " "); nc = 8
	split("text image document audio video template interactive", mtypes, " "); nt = 7
	split("sent delivered read failed", mst, " "); ns = 4
	split("connection reset by peer|upstream timed out after 30000 ms|invalid access token|webhook callback returned 502|database deadlock detected, retrying", errs, "|"); ne = 5
	for (i = 1; i <= 3000; i++) pool[i] = rint(1, 99) "" rint(100000000, 999999999)
	step = 2 * 86400000 / (limit / 150)
	t = 0; id = rint(100000, 900000)
	while (total < limit) {
		t += rint(0, step); if (t > 86399999) t = 86399999
		s = int(t / 1000)
		ts = sprintf("%s %02d:%02d:%02d.%03d", date, int(s / 3600), int(s / 60) % 60, s % 60, t % 1000)
		id += rint(1, 3); r = rand()
		if (r < 0.03)
			line = sprintf("%s ERROR [%s] request id=%d path=%s wa_id=%s: %s", ts, pick(comps, nc), id, pick(paths, np), pool[rint(1, 3000)], pick(errs, ne))
		else if (r < 0.55)
			line = sprintf("%s INFO [%s] message id=%d to=%s type=%s wamid=wamid.HBgL%s status=%s ms=%d", ts, pick(comps, nc), id, pool[rint(1, 3000)], pick(mtypes, nt), b64(rint(24, 40)), pick(mst, ns), rint(1, 900))
		else
			line = sprintf("%s %s [%s] request id=%d method=%s path=%s status=%d ms=%d wa_id=%s bytes=%d", ts, r < 0.62 ? "WARN" : "INFO", pick(comps, nc), id, pick(methods, nm), pick(paths, np), r < 0.6 ? 200 : 400, rint(1, 900), pool[rint(1, 3000)], rint(80, 60000))
		print line
		total += length(line) + 1
	}
}'
}

# ---------------------------------------------------------------- archives
mid=$(date -u -d "$(date -u +%Y-%m-%d)" +%s)
day() { date -u -d "@$((mid - (DAYS - $1) * 86400))" +%Y-%m-%d; }
say "making $DAYS days x 3 containers of archives, $DAY_BYTES bytes of web.log each, archived by rotd --now"
t0=$(date +%s)
for d in $(seq 0 $((DAYS - 1))); do
	for c in $CTRS; do
		gen "$(day "$d")" "$DAY_BYTES" "$((d * 10 + ${c##*_}))" >>"/proc/${PID[$c]}/root/var/log/whatsapp/web.log" || die "writing day $d to $c failed"
	done
	"$ROTD" --config "$CONF" --now --rotate-only >"$WORK/pass.out" 2>&1 || { tail -n 20 "$WORK/pass.out"; die "rotd --now failed on day $d"; }
done
# A last half day stays in the live logs.
for c in $CTRS; do
	gen "$(date -u +%Y-%m-%d)" $((DAY_BYTES / 2)) "$((DAYS * 10 + ${c##*_}))" >>"/proc/${PID[$c]}/root/var/log/whatsapp/web.log"
done
IN_BYTES=0 ARCH_BYTES=0 NARCH=0
for c in $CTRS; do
	r=/proc/${PID[$c]}/root/var/log/whatsapp
	n=$(find "$r/archive" -name 'web.log-*.gz' | wc -l)
	[ "$n" = "$DAYS" ] || die "$c has $n web.log archives, not $DAYS"
	NARCH=$((NARCH + n))
	ARCH_BYTES=$((ARCH_BYTES + $(du -cb "$r"/archive/web.log-*.gz | tail -n 1 | cut -f1)))
	IN_BYTES=$((IN_BYTES + $(cat "$r"/archive/web.log-*.gz | gzip -dc | wc -c) + $(stat -c %s "$r/web.log")))
done
say "  $NARCH archives, $ARCH_BYTES bytes compressed, $IN_BYTES bytes of log with the live ones, in $(($(date +%s) - t0)) s"

# ---------------------------------------------------------------- the query
WDAY=$(day 6)
SINCE="${WDAY}T20:10:00Z" UNTIL="${WDAY}T20:15:00Z" RE=ERROR
PREFIX="^$WDAY 20:1[0-4]:.* $RE "
say "query:   rotd logs --since $SINCE --until $UNTIL --grep $RE (3 containers)"
say "by hand: zcat every archive + cat the live log | grep -E '$PREFIX' (per container)"

BYHAND=$WORK/byhand.sh
cat >"$BYHAND" <<EOS
#!/bin/bash
# By hand through /proc/PID/root with the host's GNU zcat and grep.
for r in $(for c in $CTRS; do printf '/proc/%s/root/var/log/whatsapp ' "${PID[$c]}"; done); do
	{ for f in "\$r"/archive/web.log-*.gz; do zcat "\$f"; done; cat "\$r/web.log"; } | grep -E '$PREFIX'
done
EOS
EXEC=$WORK/exec.sh
cat >"$EXEC" <<EOS
#!/bin/bash
# By hand inside each container with docker exec (busybox zcat and grep).
for c in $CTRS; do
	docker --host unix://$ENGINE_SOCK exec "\$c" sh -c 'for f in /var/log/whatsapp/archive/web.log-*.gz; do zcat "\$f"; done; cat /var/log/whatsapp/web.log' | grep -E '$PREFIX'
done
EOS
chmod 755 "$BYHAND" "$EXEC"

declare -A V
record() { V[$1]="${V[$1]:-} $2"; }
median() {
	# shellcheck disable=SC2086 # one value per word
	printf '%s\n' ${V[$1]} | sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
calc() { awk "BEGIN { printf \"%.${1}f\", $2 }"; }
# timed NAME CMD...: runs CMD with its stdout in $WORK/NAME.out; sets T_WALL (s,
# from the clock in ns: time's %e has 10 ms steps, and rotd's answer takes a
# few) and T_RSS (KiB, time's %M: -v's "Maximum resident set size").
timed() {
	local name=$1 rc t0 t1
	shift
	t0=$(date +%s%N)
	/usr/bin/time -f '%M' -o "$WORK/time.out" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"
	rc=$?
	t1=$(date +%s%N)
	T_WALL=$(calc 4 "($t1 - $t0) / 1e9")
	T_RSS=$(tail -n 1 "$WORK/time.out")
	return $rc
}
# rotd's lines without the "CONTAINER LOG: " prefix, sorted; the peers' sorted.
strip() { sed 's|^[^ ]* /var/log/whatsapp/web\.log: ||' "$1" | LC_ALL=C sort; }

# Caches warm for everyone: every archive and live log read once.
for c in $CTRS; do cat "/proc/${PID[$c]}/root/var/log/whatsapp/archive/"* "/proc/${PID[$c]}/root/var/log/whatsapp/web.log" >/dev/null; done
run_rotd() {
	timed rotd "$ROTD" --config "$CONF" logs --since "$SINCE" --until "$UNTIL" --grep "$RE" || die "rotd logs failed: $(head -n 5 "$WORK/rotd.err")"
	[ "$(strip "$WORK/rotd.out" | md5sum)" = "$(LC_ALL=C sort "$WORK/byhand.ref" | md5sum)" ] ||
		die "rotd logs printed $(wc -l <"$WORK/rotd.out") lines, by hand $(wc -l <"$WORK/byhand.ref"): not the same lines"
	record rotd.wall "$T_WALL"; record rotd.rss "$T_RSS"
	say "  rotd logs: wall ${T_WALL}s, max RSS ${T_RSS} KiB, $(wc -l <"$WORK/rotd.out") lines, verified"
}
run_byhand() {
	timed byhand "$BYHAND" || die "the by-hand loop failed"
	cmp -s "$WORK/byhand.out" "$WORK/byhand.ref" || die "the by-hand loop gave another answer"
	record byhand.wall "$T_WALL"
	say "  by hand (host zcat): wall ${T_WALL}s, $(wc -l <"$WORK/byhand.out") lines"
}
run_exec() {
	timed exec "$EXEC" || die "the docker exec loop failed"
	[ "$(LC_ALL=C sort "$WORK/exec.out" | md5sum)" = "$(LC_ALL=C sort "$WORK/byhand.ref" | md5sum)" ] || die "the docker exec loop gave another answer"
	record exec.wall "$T_WALL"
	say "  by hand (docker exec, busybox zcat): wall ${T_WALL}s"
}
timed byhand "$BYHAND" || die "the by-hand loop failed"
cp "$WORK/byhand.out" "$WORK/byhand.ref"
say "  the answer, by hand: $(wc -l <"$WORK/byhand.ref") lines (untimed: it also warms the caches)"
[ -s "$WORK/byhand.ref" ] || die "the window holds no line with $RE: the workload is wrong"
for r in $(seq "$RUNS"); do
	say "run $r/$RUNS"
	if [ $((r % 2)) = 1 ]; then
		run_byhand
		run_rotd
	else
		run_rotd
		run_byhand
	fi
	run_exec
done

# Flat memory: the whole 10 days with the same --grep, output to a file.
timed all "$ROTD" --config "$CONF" logs --grep "$RE" || die "rotd logs over all days failed: $(head -n 5 "$WORK/all.err")"
ALL_WALL=$T_WALL ALL_RSS=$T_RSS ALL_LINES=$(wc -l <"$WORK/all.out")
say "  rotd logs --grep $RE over every day: wall ${ALL_WALL}s, max RSS ${ALL_RSS} KiB, $ALL_LINES lines"
LOAD=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------- table
M() { median "$1"; }
rw=$(M rotd.wall) bw=$(M byhand.wall) ew=$(M exec.wall) rr=$(M rotd.rss)
ratio=$(calc 4 "$rw / $bw")
verdict=$(awk -v r="$ratio" -v t="$TARGET" 'BEGIN { print (r <= t ? "met" : "MISSED") }')
flat=$(calc 2 "$ALL_RSS / $rr")
fverdict=$(awk -v f="$flat" -v t="$FLAT" 'BEGIN { print (f <= t ? "met" : "MISSED") }')
row() { printf '%-40s %-10s %-10s %-7s %s\n' "$@"; }
say ""
say "medians of $RUNS runs; $NARCH archives ($ARCH_BYTES bytes, $IN_BYTES bytes of log), $(nproc) CPUs"
row what rotd peer ratio "target / verdict"
row "wall, 5-minute window --grep (s)" "$rw" "$bw" "$ratio" "<= $TARGET x zcat | grep by hand: $verdict"
row "  vs docker exec + busybox zcat (s)" "$rw" "$ew" "$(calc 4 "$rw / $ew")" "(info: the issue's loop, inside the containers)"
row "max RSS, 5-minute window (KiB)" "$rr" "" "" "(info)"
row "max RSS, all $DAYS days --grep (KiB)" "$ALL_RSS" "" "" "(info: $ALL_LINES lines printed, wall ${ALL_WALL}s)"
row "rotd RSS all days / window" "" "" "$flat" "flat: <= $FLAT: $fverdict"
row "load average after the runs" "$LOAD" "" "" "(info: the machine is shared)"
[ "$verdict" = met ] && [ "$fverdict" = met ]
