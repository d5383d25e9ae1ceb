# A real Alertmanager (Debian's prometheus-alertmanager) delivers to the
# daemon's webhook, with the bearer token from a credentials_file, as an
# operator would set it up. The media volume is a small loop-mounted ext4
# filled between the watermarks, so that only an alert makes rotd act:
#   firing            -> the emergency pass brings the volume under low;
#   resolved          -> logged, nothing runs;
#   wrong token       -> 401 in rotd's log (and Alertmanager's), nothing runs;
#   a burst           -> several alert names and labels at once, while a
#                        remediation runs and just after it: every notification
#                        gets 200 and they make one more pass, not one each;
#                        Alertmanager's own log shows no failed notification;
#   a flood           -> beyond the rate limit, 429.
# Alertmanager runs with its own storage folder and ports on 127.0.0.1, no
# cluster, and is stopped by its pid.
am_dir=$ENGINE_DIR/am
am_mnt=$ENGINE_DIR/am-media
am_img=$ENGINE_DIR/am-media.img
am_conf=$am_dir/rotd.conf
am_log=$am_dir/rotd.log
am_pid='' am_rotd=''
am_day=86400
am_failed_at_start=$TAP_FAILED
mkdir -p "$am_dir/data"

am_now() { date +%s.%N; }
am_secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
am_used_pct() { df --output=pcent "$am_mnt" | tail -n 1 | tr -d ' %'; }
am_count() { grep -c -- "$1" "$2" 2>/dev/null || true; }
# am_media FOLDER NAME MIB AGE_DAYS
am_media() {
	mkdir -p "$am_mnt/$1"
	head -c "$(($3 * 1048576))" /dev/urandom >"$am_mnt/$1/$2"
	touch -d "@$(($(date +%s) - $4 * am_day))" "$am_mnt/$1/$2"
}
am_fill_n=0
# Young media (never pruned) up to a few points under low, then old media
# that an emergency pass may prune until the volume is just above low (but
# under high, where the daemon's own check would act).
am_fill_between() {
	am_j=0
	while [ "$(am_used_pct)" -le "$((am_low - 4))" ] && [ $am_j -lt 60 ]; do
		am_media incoming "young-$am_fill_n-$am_j.bin" 1 2
		am_j=$((am_j + 1))
	done
	am_j=0
	while [ "$(am_used_pct)" -le "$am_low" ] && [ $am_j -lt 20 ]; do
		am_media outgoing "old-$am_fill_n-$am_j.bin" 1 $((100 - am_j))
		am_j=$((am_j + 1))
	done
	am_fill_n=$((am_fill_n + 1))
	sync
}
am_under_low() { [ "$(am_used_pct)" -le "$am_low" ]; }
amtool_add() { amtool --alertmanager.url="http://127.0.0.1:$am_port" alert add "$@"; }
am_stop_all() {
	[ -z "$am_pid" ] || { kill -TERM "$am_pid" 2>/dev/null; wait "$am_pid" 2>/dev/null; }
	[ -z "$am_rotd" ] || { kill -TERM "$am_rotd" 2>/dev/null; wait "$am_rotd" 2>/dev/null; }
	am_pid='' am_rotd=''
}
# Whatever happens, Alertmanager and the daemon stop with the run.
trap 'am_stop_all; realhost_stop; engine_stop' EXIT

# --- the host: a media volume between the watermarks -----------------------
# Watermarks the host's own filesystem (the engine's, with the other test
# containers' logs) is under, so that only the media volume is a target.
am_host_pct=$(df --output=pcent "$ENGINE_DIR" | tail -n 1 | tr -d ' %')
am_low=80
[ "$am_host_pct" -lt 78 ] || am_low=$((am_host_pct + 2))
am_high=$((am_low + 5))
[ "$am_high" -le 97 ] || tap_bail "the host filesystem is ${am_host_pct}% full: no room for the Alertmanager tests"
truncate -s 64M "$am_img" && mkfs.ext4 -q -F -m 5 "$am_img" && mkdir -p "$am_mnt" && mount -o loop "$am_img" "$am_mnt"
tap_is "alertmanager: a 64 MiB ext4 filesystem is loop-mounted as the media volume" "$?" 0
engine_run biz_amweb_1 am waweb docker.whatsapp.biz/web:v2.x -v "$am_mnt:/usr/local/wamedia"
tap_is "alertmanager: a web container uses it as /usr/local/wamedia" "$?" 0
# Its cleanup.sh can be made slow, so that a remediation lasts long enough to
# send alerts while it runs.
am_ctr_root=/proc/$(engine_docker inspect -f '{{.State.Pid}}' biz_amweb_1)/root
cat >"$am_ctr_root/opt/whatsapp/bin/cleanup.sh" <<'EOS'
#!/bin/sh
date +%s >>/tmp/cleanup-ran
[ -f /tmp/slow ] && sleep "$(cat /tmp/slow)"
exit 0
EOS
am_fill_between
tap_like "alertmanager: the volume is between low ($am_low%) and high ($am_high%): $(am_used_pct)%" \
	"$(am_used_pct)" "^($((am_low + 1))|$((am_low + 2))|$((am_low + 3))|$((am_low + 4))|$am_high)$"

# --- rotd's daemon with the webhook ---------------------------------------------
am_wport=$(free_port)
am_port=$(free_port)
am_token=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
printf '%s\n' "$am_token" >"$am_dir/rotd.token"
printf '%s\n' "not-$am_token" >"$am_dir/wrong.token"
chmod 600 "$am_dir/rotd.token" "$am_dir/wrong.token"
# The off-peak window is hours away, so that only alerts prune media.
am_h=$(( ($(date +%H | sed 's/^0//') + 12) % 24 ))
am_window=$(printf '%02d:00-%02d:00' "$am_h" $(( (am_h + 1) % 24 )))
# rate = 4: a burst of more notifications than that must still get 200.
sed -e "s/^interval = .*/interval = 30s/" -e "s/^  window = .*/  window = $am_window/" \
	-e "s/^  high = .*/  high = $am_high%/" -e "s/^  low = .*/  low = $am_low%/" \
	-e "s/^  remediation-backoff = .*/  remediation-backoff = 1s/" \
	-e "/^webhook {/,/^}/ s|^  listen = \"\"|  listen = \"127.0.0.1:$am_wport\"|" \
	-e "/^webhook {/,/^}/ s|^  rate = .*|  rate = 4|" \
	-e "s|^  #token-file = .*|  token-file = \"$am_dir/rotd.token\"|" "$TEST_CONF" >"$am_conf"
"$REAL_ROTD" --config "$am_conf" >"$am_log" 2>&1 &
am_rotd=$!
wait_for 20 grep -q 'inventory: ' "$am_log"
tap_is "alertmanager: rotd's daemon starts with its webhook on 127.0.0.1:$am_wport" \
	"$?:$(am_count 'receiving Alertmanager alerts' "$am_log")" "0:1"

# --- Alertmanager --------------------------------------------------------------
# Two receivers: rotd with the right token, and one with a wrong token for
# alerts labelled token="wrong". Groups by alert name and instance, and
# flushes fast.
cat >"$am_dir/alertmanager.yml" <<EOF
route:
  receiver: rotd
  group_by: [alertname, instance]
  group_wait: 1s
  group_interval: 2s
  repeat_interval: 1h
  routes:
    - matchers: ['token="wrong"']
      receiver: rotd-wrong-token
receivers:
  - name: rotd
    webhook_configs:
      - url: http://127.0.0.1:$am_wport/alerts
        http_config: { authorization: { credentials_file: $am_dir/rotd.token } }
  - name: rotd-wrong-token
    webhook_configs:
      - url: http://127.0.0.1:$am_wport/alerts
        http_config: { authorization: { credentials_file: $am_dir/wrong.token } }
EOF
am_t0=$(am_now)
prometheus-alertmanager --config.file="$am_dir/alertmanager.yml" --storage.path="$am_dir/data" \
	--web.listen-address="127.0.0.1:$am_port" --cluster.listen-address= >"$am_dir/alertmanager.log" 2>&1 &
am_pid=$!
wait_for 20 curl -sf "http://127.0.0.1:$am_port/-/ready"
am_ok=$?
tap_is "alertmanager: Alertmanager 0.25 starts on 127.0.0.1:$am_port ($(am_secs "$am_t0" "$(am_now)") s)" "$am_ok" 0
[ "$am_ok" -eq 0 ] || tap_diag "$(tail -n 20 "$am_dir/alertmanager.log")"
tap_diag "$(prometheus-alertmanager --version 2>&1 | head -n 1)"
# Labels an alert about this host carries: node-exporter's instance.
am_inst="$(hostname):9100"

# --- firing -> the emergency pass ------------------------------------------------
am_before=$(am_used_pct)
am_t0=$(am_now)
amtool_add HostOutOfDiskSpace instance="$am_inst" severity=critical mountpoint=/usr/local/wamedia \
	--annotation=summary="disk almost full" >/dev/null
tap_is "alertmanager: amtool adds a firing HostOutOfDiskSpace for $am_inst" "$?" 0
wait_for 15 am_under_low
tap_is "alertmanager: Alertmanager delivers it and the emergency pass brings the volume from $am_before% under low: $(am_used_pct)% ($(am_secs "$am_t0" "$(am_now)") s after the alert)" "$?" 0
wait_for 5 grep -q 'remediation (alert HostOutOfDiskSpace' "$am_log"
am_t_pass=$(date +%s)
tap_like "alertmanager: rotd logs the alert and the pass" "$(cat "$am_log")" \
	"remediation \\(alert HostOutOfDiskSpace for $am_inst\\): freed"

# --- resolved -> nothing -----------------------------------------------------------
am_fill_between
am_between=$(am_used_pct)
am_passes=$(am_count 'remediation (' "$am_log")
am_t0=$(am_now)
amtool_add HostOutOfDiskSpace instance="$am_inst" severity=critical mountpoint=/usr/local/wamedia \
	--end="$(date -u -d '-1 second' +%Y-%m-%dT%H:%M:%SZ)" >/dev/null
wait_for 15 grep -q "alert HostOutOfDiskSpace for $am_inst is resolved" "$am_log"
tap_is "alertmanager: the resolved notification arrives ($(am_secs "$am_t0" "$(am_now)") s) and rotd logs it" "$?" 0
sleep 2
tap_is "alertmanager: and runs nothing: the volume stays at $am_between%, no pass" \
	"$(am_used_pct):$(am_count 'remediation (' "$am_log")" "$am_between:$am_passes"

# --- wrong token -> 401, nothing ---------------------------------------------------
am_t0=$(am_now)
amtool_add HostOutOfDiskSpace instance="$am_inst" severity=critical token=wrong >/dev/null
wait_for 15 grep -q 'rejected with 401: wrong bearer token' "$am_log"
tap_is "alertmanager: a receiver with a wrong credentials_file gets 401 ($(am_secs "$am_t0" "$(am_now)") s)" "$?" 0
wait_for 5 grep -q 'rotd-wrong-token/webhook.*401' "$am_dir/alertmanager.log"
tap_is "alertmanager: Alertmanager logs that notification as failed with 401" "$?" 0
sleep 2
tap_is "alertmanager: and nothing runs: the volume stays at $am_between%, no pass" \
	"$(am_used_pct):$(am_count 'remediation (' "$am_log")" "$am_between:$am_passes"
# Alertmanager keeps a failed group's notification for its next flush (every
# group_interval): resolve that alert so that it stops trying.
amtool_add HostOutOfDiskSpace instance="$am_inst" severity=critical token=wrong \
	--end="$(date -u -d '-1 second' +%Y-%m-%dT%H:%M:%SZ)" >/dev/null
sleep 3
am_failed_before=$(am_count 'Notify for alerts failed' "$am_dir/alertmanager.log")
am_failed_metric() {
	curl -s "http://127.0.0.1:$am_port/metrics" |
		sed -n 's/^alertmanager_notifications_failed_total{integration="webhook"} //p'
}
am_metric_before=$(am_failed_metric)
tap_diag "Alertmanager retried the wrong token's notification at each flush until it was resolved: $am_failed_before failures"

# --- a burst while a remediation runs, and just after ------------------------------
# Alerts within 10 s of an emergency pass wait for the next one: let that
# time pass since the first, so that this burst starts a pass at once.
am_left=$((am_t_pass + 11 - $(date +%s)))
[ "$am_left" -le 0 ] || sleep "$am_left"
am_alert_passes=$(am_count 'remediation (alert' "$am_log")
# cleanup.sh takes 4 s in this pass: long enough for Alertmanager to deliver
# a burst while it runs.
echo 4 >"$am_ctr_root/tmp/slow"
am_cleanups=$(wc -l <"$am_ctr_root/tmp/cleanup-ran" 2>/dev/null || echo 0)
am_cleanup_started() { [ "$(wc -l <"$am_ctr_root/tmp/cleanup-ran" 2>/dev/null || echo 0)" -gt "$am_cleanups" ]; }
am_requested=$(am_count 'emergency pass requested' "$am_log")
am_coalesced=$(am_count 'coalesced into the emergency pass already requested' "$am_log")
am_t0=$(am_now)
amtool_add NodeFilesystemAlmostOutOfSpace instance="$am_inst" mountpoint=/usr/local/wamedia >/dev/null
wait_for 15 am_cleanup_started
tap_is "alertmanager: a NodeFilesystemAlmostOutOfSpace alert starts a remediation; its cleanup.sh runs ($(am_secs "$am_t0" "$(am_now)") s)" "$?" 0
# Several alert names and labels at once: one group, so one notification,
# per name (one of them a group that fired before).
am_seen=$(am_count 'webhook: alert' "$am_log")
am_burst_delivered() { [ "$(am_count 'webhook: alert' "$am_log")" -ge $((am_seen + 6)) ]; }
am_t1=$(am_now)
am_jobs=
for name in HostOutOfDiskSpace DiskUsageHigh HighDiskUsage NodeFilesystemSpaceFillingUp DiskSpaceLow HostOutOfInodes; do
	for mp in /usr/local/wamedia /var/lib/docker; do
		amtool_add "$name" instance="$am_inst" mountpoint="$mp" severity=critical >/dev/null &
		am_jobs="$am_jobs $!"
	done
done
# shellcheck disable=SC2086 # a list of pids
wait $am_jobs
wait_for 10 am_burst_delivered
am_burst_secs=$(am_secs "$am_t1" "$(am_now)")
am_running=0
grep -q 'remediation (alert NodeFilesystemAlmostOutOfSpace' "$am_log" || am_running=1
tap_is "alertmanager: the burst (12 alerts, 6 names) is delivered in $am_burst_secs s, while that remediation still runs" "$am_running" 1
# Just after the pass: one more alert, within the settling time.
wait_for 15 grep -q 'remediation (alert NodeFilesystemAlmostOutOfSpace' "$am_log"
tap_is "alertmanager: the remediation ends and the volume is under low: $(am_used_pct)%" "$?:$(am_under_low && echo under)" "0:under"
amtool_add HostOutOfInodes instance="$am_inst" mountpoint=/srv >/dev/null
wait_for 20 grep -q 'requests (.* alerts) coalesced into one emergency pass' "$am_log"
tap_is "alertmanager: the burst and the late alert make one more pass" "$?" 0
am_line=$(grep 'coalesced into one emergency pass' "$am_log" | tail -n 1)
tap_diag "rotd: ${am_line#*rotd: }"
am_n=$(printf '%s\n' "$am_line" | sed -n 's/.*webhook: \([0-9]*\) requests (\([0-9]*\) alerts) coalesced.*/\1/p')
am_nalerts=$(printf '%s\n' "$am_line" | sed -n 's/.*webhook: \([0-9]*\) requests (\([0-9]*\) alerts) coalesced.*/\2/p')
am_new_req=$(($(am_count 'emergency pass requested' "$am_log") - am_requested))
am_new_coal=$(($(am_count 'coalesced into the emergency pass already requested' "$am_log") - am_coalesced))
tap_like "alertmanager: it stands for several notifications and every alert of the burst ($am_n requests, $am_nalerts alerts)" \
	"${am_n:-0}:${am_nalerts:-0}" '^([6-9]|[1-9][0-9]):(1[3-9]|[2-9][0-9])$'
tap_is "alertmanager: each of them got 200: 2 asked for a pass, the other $((${am_n:-1} - 1)) were coalesced" \
	"$am_new_req:$am_new_coal" "2:$((${am_n:-1} - 1))"
wait_for 15 grep -q 'remediation (alert .*more requests coalesced' "$am_log"
tap_like "alertmanager: that one more pass runs and finds the volume under low" \
	"$(grep 'more requests coalesced' "$am_log" | grep 'remediation (' | tail -n 1)" 'nothing to do|freed'
sleep 3
tap_is "alertmanager: no further pass follows (one from the first alert, one for the rest)" \
	"$(($(am_count 'remediation (alert' "$am_log") - am_alert_passes))" 2
tap_is "alertmanager: rotd refused none of them (no 429)" "$(am_count 'rejected with 429' "$am_log")" 0
tap_is "alertmanager: Alertmanager's log shows no failed notification since the wrong token's" \
	"$(am_count 'Notify for alerts failed' "$am_dir/alertmanager.log")" "$am_failed_before"
[ "$TAP_FAILED" -eq "$am_failed_at_start" ] || tap_diag "$(grep 'Notify for alerts failed' "$am_dir/alertmanager.log" | tail -n 5)"
tap_is "alertmanager: and its alertmanager_notifications_failed_total{integration=\"webhook\"} did not grow" \
	"$(am_failed_metric)" "$am_metric_before"
rm -f "$am_ctr_root/tmp/slow"

# --- a flood -> 429 ----------------------------------------------------------------
am_post() {
	curl -s -o /dev/null -w '%{http_code}\n' -H "Authorization: Bearer $am_token" -H 'Content-Type: application/json' \
		--data-binary '{"version":"4","status":"resolved","alerts":[{"status":"resolved","labels":{"alertname":"X"}}]}' \
		"http://127.0.0.1:$am_wport/alerts"
}
am_codes=$(for _ in $(seq 60); do am_post; done | sort | uniq -c | awk '{printf "%s:%s ", $2, $1}')
tap_like "alertmanager: only a flood (60 requests at once; rate 4, so 40 a minute) gets 429: $am_codes" "$am_codes" \
	'^200:[0-9]+ 429:[0-9]+ $'
tap_like "alertmanager: and rotd says why" "$(cat "$am_log")" 'rejected with 429: too many requests: a flood'

# --- the end -----------------------------------------------------------------------
if [ "$TAP_FAILED" -gt "$am_failed_at_start" ]; then
	tap_diag "rotd's log:" "$(tail -n 40 "$am_log")" "Alertmanager's log:" "$(tail -n 20 "$am_dir/alertmanager.log")"
fi
kill -TERM "$am_pid"
wait "$am_pid"
tap_is "alertmanager: Alertmanager stops on SIGTERM" "$?" 0
kill -TERM "$am_rotd"
wait "$am_rotd"
tap_is "alertmanager: the daemon stops cleanly" "$?" 0
am_pid='' am_rotd=''
trap 'realhost_stop; engine_stop' EXIT
engine_docker rm -f biz_amweb_1 >/dev/null 2>&1
umount "$am_mnt" 2>/dev/null
rm -f "$am_img"
