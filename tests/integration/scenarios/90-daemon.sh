# The daemon against the real engine: systemd notify (READY, STATUS, WATCHDOG),
# status, metrics, containers picked up from events, growth rotated within an
# interval, the usage gauges, SIGHUP with a broken config, the lock shared with
# rotd --now, an engine restart under it, and SIGTERM during a large compression.
dconf=$ENGINE_DIR/daemon.conf
dlog=$ENGINE_DIR/daemon.log
nlog=$ENGINE_DIR/notify.log
nsock=$ENGINE_DIR/notify.sock
mport=$((20000 + $$ % 20000))
ctr_pid() { engine_docker inspect -f '{{.State.Pid}}' "$1"; }
ctr_root() { echo "/proc/$(ctr_pid "$1")/root"; }

write_daemon_conf() {
	sed -e "s/^interval = .*/interval = $1/" -e "s/^stop-timeout = .*/stop-timeout = $2/" \
		-e "s/^lock-wait = .*/lock-wait = 1s/" -e "s/^usage-interval = .*/usage-interval = 2s/" \
		-e "/^metrics {/,/^}/ s|^  listen = \"\"|  listen = \"127.0.0.1:$mport\"|" \
		-e "/^role web {/,/^}/ s/^  compress = gzip/  compress = zstd/" \
		-e "/^role web {/,/^}/ s/^  compress-level = 6/  compress-level = 19/" "$TEST_CONF" >"$dconf"
}

# A listener on a unix datagram socket, as systemd's notify socket is.
python3 - "$nsock" "$nlog" <<'EOF' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a", buffering=1) as out:
    while True:
        out.write(s.recv(65536).decode(errors="replace").replace("\n", "|") + "\n")
EOF
listener=$!
wait_for 5 test -S "$nsock"

start_daemon() {
	NOTIFY_SOCKET=$nsock WATCHDOG_USEC=3000000 "$REAL_ROTD" --config "$dconf" >>"$dlog" 2>&1 &
	daemon=$!
}

# A created (not yet started) web container whose web.log already holds $2 MB.
create_with_log() {
	engine_docker create --network none --name "$1" --label com.docker.compose.project=biz \
		--label com.docker.compose.service=waweb docker.whatsapp.biz/web:v2.x sleep 1000000 >/dev/null
	head -c "$(($2 * 1048576))" /dev/zero | tr '\0' 'x' >"$ENGINE_DIR/big.log"
	engine_docker cp "$ENGINE_DIR/big.log" "$1:/var/log/whatsapp/web.log"
	rm -f "$ENGINE_DIR/big.log"
}
archives_of() { ls "$(ctr_root "$1")/var/log/whatsapp/archive" 2>/dev/null | grep -c '^web\.log-.*\.zst$'; }

# --- rotd --now writes its own metrics file beside the daemon's ------------------
rm -f "$ENGINE_DIR/rotd.prom" "$ENGINE_DIR/rotd-now.prom"
now_passes() { sed -n 's/^rotd_passes_total{mode="now"} \([0-9]*\)$/\1/p' "$ENGINE_DIR/rotd-now.prom" 2>/dev/null; }
"$ROTD" --now --rotate-only --container biz_wacore_1 >/dev/null 2>&1
first=$(now_passes)
tap_like "rotd --now writes rotd-now.prom after its pass, every series with mode=\"now\"" "${first:-none}" '^[0-9]+$'
tap_is "and leaves the daemon's file alone" "$(test -e "$ENGINE_DIR/rotd.prom" && echo exists)" ""
tap_like "a --container run writes no host-wide containers gauge" "$(grep -c '^rotd_containers' "$ENGINE_DIR/rotd-now.prom")" '^0$'
out=$(promtool check metrics <"$ENGINE_DIR/rotd-now.prom" 2>&1)
tap_is "and it passes promtool check metrics" "$?:$out" "0:"
"$ROTD" --now --rotate-only >/dev/null 2>&1
tap_is "the next rotd --now counts on from the state file" "$(now_passes)" "$((${first:-0} + 1))"
tap_like "a run over the whole host has the containers gauge" "$(cat "$ENGINE_DIR/rotd-now.prom")" \
	'rotd_containers\{mode="now",role="web",state="running"\} [0-9]+'
rm -f "$ENGINE_DIR/rotd.prom"

# --- start, notify, status, metrics --------------------------------------------
write_daemon_conf 3s 2s
start_daemon
wait_for 20 grep -q '^READY=1' "$nlog"
tap_is "the daemon tells systemd READY=1 after its first ping and inventory" "$?" 0
wait_for 10 grep -q '^WATCHDOG=1' "$nlog"
tap_is "with WATCHDOG_USEC set it pings WATCHDOG=1 from its loop" "$?" 0
wait_for 10 grep -q '^STATUS=watching .* containers' "$nlog"
tap_is "and sends a one-line STATUS=" "$?" 0
tap_diag "$(grep '^STATUS=' "$nlog" | tail -n 1)"
wait_for 10 test -s "$ENGINE_DIR/rotd.prom"
st=$("$REAL_ROTD" --config "$dconf" status)
tap_is "rotd status exits 0 while the daemon runs" "$?" 0
tap_like "and shows its inventory" "$st" 'biz_waweb_1 +web +running'
tap_is "rotd status --json says running" "$("$REAL_ROTD" --config "$dconf" status --json | jq -r .running)" true
out=$(promtool check metrics <"$ENGINE_DIR/rotd.prom" 2>&1)
tap_is "the metrics file passes promtool check metrics" "$?:$out" "0:"
tap_like "it covers the last pass" "$(cat "$ENGINE_DIR/rotd.prom")" '^rotd_last_pass_success 1$'
served=$(curl -sf --max-time 5 "http://127.0.0.1:$mport/metrics")
tap_like "the daemon serves the same at /metrics on 127.0.0.1" "$served" '^rotd_passes_total [0-9]+$'
tap_is "and answers 404 elsewhere" "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$mport/")" 404

# --- the usage gauges, refreshed every usage-interval (2 s here) ---------------
served() { curl -sf --max-time 5 "http://127.0.0.1:$mport/metrics"; }
gauge() { served | sed -n "s/^$1 \([0-9.]*\)\$/\1/p"; }
wait_for 20 sh -c "curl -sf --max-time 5 'http://127.0.0.1:$mport/metrics' | grep -q '^rotd_filesystem_used_ratio{'"
tap_is "after a usage refresh /metrics shows rotd_filesystem_used_ratio" "$?" 0
tap_like "as a ratio of 0 to 1 for the engine's filesystem" "$(served)" \
	'rotd_filesystem_used_ratio\{mount="[^"]+"\} (0\.[0-9]+|1\.0+)'
# a live log of a known size, written after a refresh: the next ones count it
# on top of what the container's logs held (earlier scenarios left some)
live='rotd_container_bytes{container="biz_waweb_1",role="web",kind="live_logs"}'
wait_for 20 sh -c "curl -sf --max-time 5 'http://127.0.0.1:$mport/metrics' | grep -qF '$live '"
live_before=$(served | grep -F "$live " | awk '{ print $2 }')
head -c 1048576 /dev/zero >"$(ctr_root biz_waweb_1)/var/log/whatsapp/usage.log"
live_after=$((${live_before:-0} + 1048576))
wait_for 10 sh -c "curl -sf --max-time 5 'http://127.0.0.1:$mport/metrics' | grep -qxF '$live $live_after'"
tap_is "a refresh every usage-interval: rotd_container_bytes counts a live log written since" "$?" 0
tap_diag "live logs of biz_waweb_1: ${live_before:-none} before, $(served | grep -F "$live " | awk '{ print $2 }') after (want $live_after)"
tap_like "with the other kinds of a running container" "$(served)" \
	'rotd_container_bytes\{container="biz_waweb_1",role="web",kind="archives"\} [0-9]+'
# the writable layer holds usage.log; an engine that reports no SizeRw (vfs, for a
# container that wrote nothing) gets no writable_layer series rather than a 0
size_rw=$(curl -sf --max-time 60 --unix-socket "$ENGINE_SOCK" 'http://localhost/containers/json?all=1&size=1' |
	jq -r '.[] | select(.Names[0] == "/biz_waweb_1") | .SizeRw // "none"')
tap_is "the writable layer as the engine reports it (SizeRw: $size_rw)" \
	"$(gauge 'rotd_container_bytes{container="biz_waweb_1",role="web",kind="writable_layer"}')" \
	"${size_rw#none}"
tap_like "a container without a role has series too, with role \"none\"" "$(served)" \
	'rotd_container_bytes\{container="biz_db_1",role="none",kind="engine_log"\} [0-9]+'
# a container without a role (the db image), started and then removed
engine_docker run -d --network none --name biz_usage_gone mysql:5.7 sleep 1000000 >/dev/null
wait_for 10 sh -c "curl -sf --max-time 5 'http://127.0.0.1:$mport/metrics' | grep -q 'container=\"biz_usage_gone\",role=\"none\"'"
tap_is "a container started since the last refresh is listed at the next" "$?" 0
engine_docker rm -f biz_usage_gone >/dev/null
wait_for 10 sh -c "! curl -sf --max-time 5 'http://127.0.0.1:$mport/metrics' | grep -q 'container=\"biz_usage_gone\"'"
tap_is "and gone from the gauges once it is removed: no stale series" "$?" 0
tap_like "the refresh's timestamp is recent" "$(($(date +%s) - $(gauge rotd_usage_refreshed_timestamp_seconds)))" \
	'^(1?[0-9])$'
tap_is "the metrics file has the same usage series" "$(grep -c '^rotd_container_bytes{' "$ENGINE_DIR/rotd.prom")" \
	"$(served | grep -c '^rotd_container_bytes{')"
tap_is "the daemon says once that it refreshes, and how" \
	"$(grep -c 'usage refresh every 2s at idle I/O priority' "$dlog")" 1
usage_tid=$(grep -lx rotd-usage /proc/"$daemon"/task/*/comm 2>/dev/null | head -n 1 | cut -d/ -f5)
tap_like "its thread runs at idle I/O priority" "$(ionice -p "${usage_tid:-0}" 2>&1)" '^idle'
tap_is "and niced (10), alone" "$(cut -d' ' -f19 "/proc/$daemon/task/${usage_tid:-0}/stat"):$(cut -d' ' -f19 \
	"/proc/$daemon/stat")" "10:0"
out=$(served | promtool check metrics 2>&1)
tap_is "/metrics with the usage gauges passes promtool check metrics" "$?:$out" "0:"
rm -f "$(ctr_root biz_waweb_1)/var/log/whatsapp/usage.log"
# A reload hands the refresh its new interval; an hour keeps the engine's sized
# lists (on vfs, a walk of every container) out of the timings below.
sed -i 's/^usage-interval = .*/usage-interval = 1h/' "$dconf"
kill -HUP "$daemon"
wait_for 10 grep -q 'usage refresh every 1h at idle I/O priority' "$dlog"
tap_is "a reload hands the refresh its new usage-interval" "$?" 0
: >"$dlog"

# --- a container started after the daemon --------------------------------------
create_with_log biz_waweb_late 25
engine_docker start biz_waweb_late >/dev/null
started=$(date +%s)
wait_for 15 grep -q 'container biz_waweb_late (role web) started: checking its logs now' "$dlog"
tap_is "a container started after the daemon is picked up from the events" "$?" 0
wait_for 15 sh -c "[ \$(ls '$(ctr_root biz_waweb_late)/var/log/whatsapp/archive' 2>/dev/null | grep -c 'zst\$') -ge 1 ]"
tap_is "and its oversized web.log is rotated at once" "$?" 0
tap_like "within seconds" "$(($(date +%s) - started))" '^([0-9]|1[0-5])$'

# --- growth past the size within one interval ----------------------------------
before=$(archives_of biz_waweb_1)
head -c 22000000 /dev/zero | tr '\0' 'y' >>"$(ctr_root biz_waweb_1)/var/log/whatsapp/web.log"
grown=$(date +%s)
wait_for 12 sh -c "[ \$(ls '$(ctr_root biz_waweb_1)/var/log/whatsapp/archive' | grep -c '^web\.log-.*\.zst\$') -gt $before ]"
tap_is "a log that grows past its size is rotated within one interval (3 s)" "$?" 0
tap_like "(it took $(($(date +%s) - grown)) s)" "$(($(date +%s) - grown))" '^[0-9]$|^1[0-2]$'

# --- SIGHUP with a broken config -----------------------------------------------
cp "$dconf" "$dconf.good"
sed 's/^interval = .*/interval = 3 parsecs/' "$dconf.good" >"$dconf"
bad_line=$(grep -n '^interval = ' "$dconf" | cut -d: -f1)
kill -HUP "$daemon"
wait_for 10 grep -q 'configuration not reloaded' "$dlog"
tap_is "SIGHUP with a broken config keeps the old one" "$?" 0
tap_like "and logs file:line" "$(cat "$dlog")" "$dconf:$bad_line: "
kill -0 "$daemon" 2>/dev/null
tap_is "the daemon is still running" "$?" 0
grep -q '^RELOADING=1' "$nlog"
tap_is "it told systemd RELOADING=1" "$?" 0
st_out=$("$ROTD" --config "$dconf" status 2>&1)
tap_is "rotd status works with the broken file on disk (exit 0: running)" "$?" 0
tap_like "it says the file has errors and reads the status file anyway" "$st_out" \
	"^rotd: $dconf has [0-9]+ errors? \(rotd --check-config lists them\); reading the status file "
tap_like "rotd status shows the refused reload with its first error" "$st_out" "reload: +refused at .*$dconf:$bad_line: "
sed 's/^interval = .*/interval = 2s/' "$dconf.good" >"$dconf"
kill -HUP "$daemon"
wait_for 10 grep -q "configuration reloaded from $dconf" "$dlog"
tap_is "SIGHUP with a good config reloads it" "$?" 0

# --- the lock: rotd --now while the daemon is mid-pass --------------------------
head -c 300000000 /dev/urandom >>"$(ctr_root biz_waweb_1)/var/log/whatsapp/web.log"
wait_for 15 sh -c "jq -e '.activity.what == \"pass\"' '$ENGINE_DIR/status.json'"
tap_is "the daemon starts compressing 300 MB" "$?" 0
err=$("$ROTD" --config "$dconf" --now --rotate-only --container biz_wacore_1 2>&1 >/dev/null)
tap_is "rotd --now while the daemon is mid-pass exits 4 after lock-wait" "$?" 4
tap_like "and says so" "$err" 'another rotd pass still holds .* after 1 s'
wait_for 10 grep -q '^STATUS=rotating .*web\.log: [0-9.]* of [0-9.]* MiB' "$nlog"
tap_is "STATUS= shows the file in progress and its bytes done of total" "$?" 0
tap_like "rotd status shows the same progress" "$("$ROTD" --config "$dconf" status 2>&1)" \
	'progress: +rotating biz_waweb_1:/var/log/whatsapp/web\.log: [0-9.]+ of [0-9.]+ MiB'

# --- SIGTERM during the large compression --------------------------------------
sleep 1
size_before=$(stat -c %s "$(ctr_root biz_waweb_1)/var/log/whatsapp/web.log")
t0=$(date +%s)
kill -TERM "$daemon"
wait "$daemon"
tap_is "SIGTERM during a large compression exits 0" "$?" 0
tap_like "within stop-timeout (2 s) and a margin" "$(($(date +%s) - t0))" '^[0-5]$'
tap_like "the compression was abandoned, not half-written" "$(cat "$dlog")" 'abandoned after [0-9]+ of [0-9]+ bytes: rotd is stopping'
tap_like "the stop was acknowledged at once, naming the file in progress" "$(cat "$dlog")" 'stopping: finishing biz_waweb_1:/var/log/whatsapp/web\.log \('
tap_is "the source log is whole" "$(stat -c %s "$(ctr_root biz_waweb_1)/var/log/whatsapp/web.log")" "$size_before"
stray=$(find "$(ctr_root biz_waweb_1)/var/log/whatsapp" -name '.rotd*' | wc -l)
tap_is "no temp or journal files are left" "$stray" 0
grep -q '^STOPPING=1' "$nlog"
tap_is "it told systemd STOPPING=1" "$?" 0
"$REAL_ROTD" --config "$dconf" status >"$ENGINE_DIR/status.txt"
tap_is "rotd status exits 3 once the daemon is gone" "$?" 3
tap_like "and says it is not running" "$(cat "$ENGINE_DIR/status.txt")" 'not running'

# --- SIGTERM with the default grace: the file in progress is finished ---------
: >"$dlog"
write_daemon_conf 1h 30s
start_daemon
wait_for 20 sh -c "jq -e '.activity.what == \"pass\"' '$ENGINE_DIR/status.json'"
tap_is "a new daemon starts the interrupted 300 MB rotation again" "$?" 0
sleep 1
t0=$(date +%s)
kill -TERM "$daemon"
wait "$daemon"
tap_is "SIGTERM with the default stop-timeout exits 0" "$?" 0
tap_like "after finishing the file (it took $(($(date +%s) - t0)) s, bound 30 s)" "$(($(date +%s) - t0))" '^([0-9]|[12][0-9]|30)$'
wlog=$(ctr_root biz_waweb_1)/var/log/whatsapp
newest=$(ls "$wlog/archive" | grep '^web\.log-.*\.zst$' | sort | tail -n 1)
tap_is "the 300 MB log was archived completely" "$(ls "$wlog/archive" | grep -c '^web\.log-.*\.zst$'):$(zstd -q -t "$wlog/archive/$newest" && echo whole)" "$((before + 2)):whole"
tap_like "and cut" "$(stat -c %s "$wlog/web.log")" '^[0-9]{1,7}$'
tap_is "no temp or journal files are left" "$(find "$wlog" -name '.rotd*' | wc -l)" 0

# --- the off-peak jobs, once per window -----------------------------------------
hour() { date -u -d "@$(($(date +%s) + $1 * 3600))" +%H:00; }
marker_lines() { engine_docker exec "$1" sh -c 'cat /tmp/cleanup-ran 2>/dev/null | wc -l'; }
for c in biz_waweb_1 biz_wacore_1 biz-master1-1; do engine_docker exec "$c" rm -f /tmp/cleanup-ran; done
write_daemon_conf 1s 30s
sed -i -e "s|^  window = .*|  window = $(hour -1)-$(hour 2)|" -e 's|^  timezone = .*|  timezone = "UTC"|' \
	-e "s|^state-file = .*|state-file = $ENGINE_DIR/daemon-state.json|" "$dconf"
: >"$dlog"
start_daemon
wait_for 30 sh -c "[ \"\$(docker exec biz_waweb_1 cat /tmp/cleanup-ran 2>/dev/null | wc -l)\$(docker exec biz_wacore_1 cat /tmp/cleanup-ran 2>/dev/null | wc -l)\$(docker exec biz-master1-1 cat /tmp/cleanup-ran 2>/dev/null | wc -l)\" = 111 ]"
tap_is "inside the window the daemon runs cleanup.sh in web, core and master" "$?" 0
sleep 4
tap_is "once per window, though its interval (1 s) passed several times" \
	"$(marker_lines biz_waweb_1)$(marker_lines biz_wacore_1)$(marker_lines biz-master1-1)" 111
tap_like "the state file records it" "$(cat "$ENGINE_DIR/daemon-state.json")" 'biz_waweb_1'
kill -TERM "$daemon"
wait "$daemon"
write_daemon_conf 1h 30s

# --- an engine restart under the daemon ----------------------------------------
: >"$dlog"
start_daemon
wait_for 20 grep -q 'inventory:' "$dlog"
tap_is "the daemon starts again" "$?" 0
engine_restart
tap_is "dockerd restarts" "$?" 0
wait_for 60 grep -q 'reconnecting with backoff' "$dlog"
tap_is "the daemon notices the engine went away" "$?" 0
wait_for 60 sh -c "grep -A100 'reconnecting with backoff' '$dlog' | grep -q 'connected to the Docker engine'"
tap_is "and reconnects" "$?" 0
create_with_log biz_waweb_after 21
engine_docker start biz_waweb_after >/dev/null
wait_for 20 grep -q 'container biz_waweb_after (role web) started' "$dlog"
tap_is "and goes on: a container started after the restart is picked up" "$?" 0
wait_for 20 sh -c "ls '$(ctr_root biz_waweb_after)/var/log/whatsapp/archive' | grep -q zst"
tap_is "and rotated" "$?" 0
kill -TERM "$daemon"
wait "$daemon"
tap_is "and it stops cleanly" "$?" 0
tap_diag "daemon log:" "$(tail -n 15 "$dlog")"

kill "$listener" 2>/dev/null
wait "$listener" 2>/dev/null
engine_docker rm -f biz_waweb_late biz_waweb_after >/dev/null 2>&1
engine_docker start biz_waweb_1 biz_wacore_1 biz-master1-1 biz_db_1 >/dev/null 2>&1
