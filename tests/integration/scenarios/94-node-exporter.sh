# rotd's metrics as the monitoring stack reads them, with Debian's own parts:
#   - a real node-exporter (only its textfile collector) reads the metrics file
#     of a running daemon and the one rotd --now writes beside it: no scrape
#     error, both sets of series, no clash;
#   - the daemon's /metrics, and both files, pass promtool check metrics;
#   - conf/rotd-alerts.yml passes promtool check rules, and its unit tests
#     (conf/rotd-alerts.test.yml) pass promtool test rules;
#   - a real Prometheus scrapes node-exporter and evaluates those rules:
#     RotdRemediationFellShort fires while the media volume (a small
#     loop-mounted ext4 filled with media too young to prune) stays above low,
#     and resolves once it was cleaned by hand: the gauge flips within the
#     daemon's interval.
# Every part listens on 127.0.0.1 on a free port, keeps its data in the
# scenario's folder, and is stopped by its pid.
ne_dir=$ENGINE_DIR/ne
ne_tf=$ne_dir/textfile
ne_mnt=$ENGINE_DIR/ne-media
ne_img=$ENGINE_DIR/ne-media.img
ne_conf=$ne_dir/rotd.conf
ne_log=$ne_dir/rotd.log
ne_rotd='' ne_pid='' ne_prom=''
ne_day=86400
ne_failed_at_start=$TAP_FAILED
mkdir -p "$ne_tf" "$ne_dir/prometheus"

ne_now() { date +%s.%N; }
ne_secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
ne_used_pct() { df --output=pcent "$ne_mnt" | tail -n 1 | tr -d ' %'; }
ne_stop_all() {
	for p in $ne_prom $ne_pid $ne_rotd; do
		kill -TERM "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	ne_prom='' ne_pid='' ne_rotd=''
}
trap 'ne_stop_all; realhost_stop; engine_stop' EXIT

# --- the host: a media volume past high, with nothing rotd may prune -----------
ne_host_pct=$(df --output=pcent "$ENGINE_DIR" | tail -n 1 | tr -d ' %')
ne_low=80
[ "$ne_host_pct" -lt 78 ] || ne_low=$((ne_host_pct + 2))
ne_high=$((ne_low + 5))
[ "$ne_high" -le 97 ] || tap_bail "the host filesystem is ${ne_host_pct}% full: no room for the node-exporter tests"
truncate -s 64M "$ne_img" && mkfs.ext4 -q -F -m 5 "$ne_img" && mkdir -p "$ne_mnt" && mount -o loop "$ne_img" "$ne_mnt"
tap_is "node-exporter: a 64 MiB ext4 filesystem is loop-mounted as the media volume" "$?" 0
engine_run biz_neweb_1 ne waweb docker.whatsapp.biz/web:v2.x -v "$ne_mnt:/usr/local/wamedia"
tap_is "node-exporter: a web container uses it as /usr/local/wamedia" "$?" 0
mkdir -p "$ne_mnt/incoming"
ne_j=0
while [ "$(ne_used_pct)" -le "$((ne_high + 1))" ] && [ $ne_j -lt 80 ]; do
	head -c 1048576 /dev/urandom >"$ne_mnt/incoming/young-$ne_j.bin"
	touch -d "@$(($(date +%s) - 2 * ne_day))" "$ne_mnt/incoming/young-$ne_j.bin"
	ne_j=$((ne_j + 1))
done
sync
tap_like "node-exporter: the volume is past high ($ne_high%) with media 2 days old (the floor is 7): $(ne_used_pct)%" \
	"$(ne_used_pct)" '^(8[6-9]|9[0-9]|100)$'

ne_mport=$(free_port)
ne_port=$(free_port)
ne_pport=$(free_port)
ne_h=$(( ($(date +%H | sed 's/^0//') + 12) % 24 ))
ne_window=$(printf '%02d:00-%02d:00' "$ne_h" $(( (ne_h + 1) % 24 )))
sed -e "s/^interval = .*/interval = 2s/" -e "s/^lock-wait = .*/lock-wait = 60s/" \
	-e "s/^  window = .*/  window = $ne_window/" \
	-e "s/^  high = .*/  high = $ne_high%/" -e "s/^  low = .*/  low = $ne_low%/" \
	-e "/^metrics {/,/^}/ s|^  file = .*|  file = $ne_tf/rotd.prom|" \
	-e "/^metrics {/,/^}/ s|^  listen = \"\"|  listen = \"127.0.0.1:$ne_mport\"|" "$TEST_CONF" >"$ne_conf"

# --- rotd --now --remediate falls short; then the daemon does --------------------
"$ROTD" --config "$ne_conf" --now --remediate >"$ne_dir/now.out" 2>&1
tap_is "node-exporter: rotd --now --remediate exits 5: nothing safe to remove" "$?" 5
tap_like "node-exporter: it writes rotd-now.prom beside the daemon's file, short of low there" \
	"$(cat "$ne_tf/rotd-now.prom" 2>/dev/null)" '^rotd_filesystems_short_of_low\{mode="now"\} 1$'
"$REAL_ROTD" --config "$ne_conf" >"$ne_log" 2>&1 &
ne_rotd=$!
wait_for 20 grep -q '^rotd_filesystems_short_of_low 1$' "$ne_tf/rotd.prom"
tap_is "node-exporter: the daemon's watermark check falls short too; rotd.prom says so" "$?" 0

# --- node-exporter ---------------------------------------------------------------
ne_t0=$(ne_now)
prometheus-node-exporter --web.listen-address="127.0.0.1:$ne_port" --collector.disable-defaults \
	--collector.textfile --collector.textfile.directory="$ne_tf" >"$ne_dir/node-exporter.log" 2>&1 &
ne_pid=$!
wait_for 20 curl -sf "http://127.0.0.1:$ne_port/metrics"
ne_ok=$?
tap_is "node-exporter: node-exporter 1.5 starts on 127.0.0.1:$ne_port with only its textfile collector ($(ne_secs "$ne_t0" "$(ne_now)") s)" "$ne_ok" 0
[ "$ne_ok" -eq 0 ] || tap_diag "$(tail -n 20 "$ne_dir/node-exporter.log")"
tap_diag "$(prometheus-node-exporter --version 2>&1 | head -n 1)"
ne_scrape=$(curl -s "http://127.0.0.1:$ne_port/metrics")
tap_like "node-exporter: its textfile collector reads both files with no error" "$ne_scrape" '^node_textfile_scrape_error 0$'
tap_like "node-exporter: it reads rotd.prom" "$ne_scrape" "^node_textfile_mtime_seconds\\{file=\"$ne_tf/rotd.prom\"\\} "
tap_like "node-exporter: and rotd-now.prom" "$ne_scrape" "^node_textfile_mtime_seconds\\{file=\"$ne_tf/rotd-now.prom\"\\} "
tap_like "node-exporter: the daemon's series, without a mode label" "$ne_scrape" '^rotd_passes_total [1-9][0-9]*$'
tap_like "node-exporter: rotd --now's beside them, with mode=\"now\"" "$ne_scrape" '^rotd_passes_total\{mode="now"\} [1-9][0-9]*$'
tap_is "node-exporter: each family has one HELP and one TYPE: no clash" \
	"$(printf '%s\n' "$ne_scrape" | grep '^# \(HELP\|TYPE\) rotd_' | sort | uniq -d)" ""
tap_is "node-exporter: both say what fell short" \
	"$(printf '%s\n' "$ne_scrape" | grep '^rotd_filesystems_short_of_low' | sort | tr '\n' ' ')" \
	'rotd_filesystems_short_of_low 1 rotd_filesystems_short_of_low{mode="now"} 1 '
ne_out=$(printf '%s\n' "$ne_scrape" | promtool check metrics 2>&1)
tap_is "node-exporter: its whole scrape, rotd's series included, passes promtool check metrics" "$?:$ne_out" "0:"

# --- promtool ---------------------------------------------------------------------
ne_out=$(curl -s "http://127.0.0.1:$ne_mport/metrics" | promtool check metrics 2>&1)
tap_is "node-exporter: the daemon's /metrics passes promtool check metrics" "$?:$ne_out" "0:"
ne_out=$(promtool check metrics <"$ne_tf/rotd.prom" 2>&1)
tap_is "node-exporter: so does rotd.prom" "$?:$ne_out" "0:"
ne_out=$(promtool check metrics <"$ne_tf/rotd-now.prom" 2>&1)
tap_is "node-exporter: and rotd-now.prom" "$?:$ne_out" "0:"
ne_out=$(promtool check rules "$srcdir/conf/rotd-alerts.yml" 2>&1)
tap_is "node-exporter: conf/rotd-alerts.yml passes promtool check rules" "$?" 0
tap_diag "$ne_out"
ne_out=$(cd "$srcdir/conf" && promtool test rules rotd-alerts.test.yml 2>&1)
tap_is "node-exporter: promtool test rules: RotdRemediationFellShort fires while above low, resolves under low" "$?" 0
tap_diag "$ne_out"

# --- Prometheus evaluates the rules live -------------------------------------------
cat >"$ne_dir/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $srcdir/conf/rotd-alerts.yml
scrape_configs:
  - job_name: node
    static_configs:
      - targets: ['127.0.0.1:$ne_port']
EOF
ne_t0=$(ne_now)
prometheus --config.file="$ne_dir/prometheus.yml" --storage.tsdb.path="$ne_dir/prometheus" \
	--web.listen-address="127.0.0.1:$ne_pport" >"$ne_dir/prometheus.log" 2>&1 &
ne_prom=$!
# "daemon" or "now" for each firing RotdRemediationFellShort, sorted.
ne_firing() {
	curl -s "http://127.0.0.1:$ne_pport/api/v1/alerts" |
		jq -r '[.data.alerts[] | select(.labels.alertname == "RotdRemediationFellShort" and .state == "firing") |
			(.labels.mode // "daemon")] | sort | join(",")' 2>/dev/null
}
ne_firing_is() { [ "$(ne_firing)" = "$1" ]; }
wait_for 30 ne_firing_is daemon,now
tap_is "node-exporter: Prometheus scrapes node-exporter and RotdRemediationFellShort fires for the daemon and for rotd --now ($(ne_secs "$ne_t0" "$(ne_now)") s after its start)" \
	"$(ne_firing)" daemon,now

# --- cleaned by hand: the gauge flips, the alert resolves --------------------------
ne_t0=$(ne_now)
find "$ne_mnt/incoming" -name 'young-*' -delete
sync
ne_daemon_gauge() {
	curl -s "http://127.0.0.1:$ne_port/metrics" | sed -n 's/^rotd_filesystems_short_of_low \([0-9]*\)$/\1/p'
}
ne_gauge_is() { [ "$(ne_daemon_gauge)" = "$1" ]; }
wait_for 15 ne_gauge_is 0
tap_is "node-exporter: cleaned by hand to $(ne_used_pct)%, the daemon's gauge is 0 within its interval ($(ne_secs "$ne_t0" "$(ne_now)") s)" \
	"$(ne_daemon_gauge)" 0
ne_scrape=$(curl -s "http://127.0.0.1:$ne_port/metrics")
tap_like "node-exporter: though the last emergency pass's history still says it fell short" "$ne_scrape" \
	'^rotd_last_remediation_reached_low 0$'
tap_like "node-exporter: and no filesystem is above low" "$ne_scrape" '^rotd_filesystems_above_low 0$'
wait_for 15 ne_firing_is now
tap_is "node-exporter: Prometheus resolves the daemon's RotdRemediationFellShort ($(ne_secs "$ne_t0" "$(ne_now)") s after the clean-up)" \
	"$(ne_firing)" now
ne_t0=$(ne_now)
"$ROTD" --config "$ne_conf" --now --remediate >"$ne_dir/now2.out" 2>&1
tap_is "node-exporter: the next rotd --now --remediate exits 0" "$?" 0
tap_like "node-exporter: and its file says nothing is short of low" "$(cat "$ne_tf/rotd-now.prom")" \
	'^rotd_filesystems_short_of_low\{mode="now"\} 0$'
wait_for 15 ne_firing_is ""
tap_is "node-exporter: then Prometheus resolves rotd --now's too ($(ne_secs "$ne_t0" "$(ne_now)") s)" "$(ne_firing)" ""
ne_scrape=$(curl -s "http://127.0.0.1:$ne_port/metrics")
tap_like "node-exporter: still with no textfile scrape error" "$ne_scrape" '^node_textfile_scrape_error 0$'

# --- the end -------------------------------------------------------------------------
if [ "$TAP_FAILED" -gt "$ne_failed_at_start" ]; then
	tap_diag "rotd's log:" "$(tail -n 30 "$ne_log")" "node-exporter's log:" "$(tail -n 10 "$ne_dir/node-exporter.log")" \
		"Prometheus's log:" "$(grep -v 'level=info' "$ne_dir/prometheus.log" | tail -n 10)"
fi
kill -TERM "$ne_prom" "$ne_pid"
wait "$ne_prom"
ne_rc=$?
wait "$ne_pid" 2>/dev/null
# Prometheus exits 0; node-exporter leaves SIGTERM to its default action.
tap_is "node-exporter: Prometheus and node-exporter stop on SIGTERM" "$ne_rc:$?" "0:143"
kill -TERM "$ne_rotd"
wait "$ne_rotd"
tap_is "node-exporter: the daemon stops cleanly" "$?" 0
ne_prom='' ne_pid='' ne_rotd=''
trap 'realhost_stop; engine_stop' EXIT
engine_docker rm -f biz_neweb_1 >/dev/null 2>&1
umount "$ne_mnt" 2>/dev/null
rm -f "$ne_img"
