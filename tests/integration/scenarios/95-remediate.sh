# Disk-usage remediation: a small loop-mounted ext4 filesystem as the media
# volume, filled past the watermarks. rotd --now --remediate brings it under
# low, oldest media first, never below the floor, and its report's freed bytes
# match df; with nothing safe left it exits 5 and names the consumers. Then the
# daemon: its watermark check, and the Alertmanager webhook.
rconf=$ENGINE_DIR/remediate.conf
mnt=$ENGINE_DIR/wamedia-fs
img=$ENGINE_DIR/wamedia.img
day=86400
ctr_pid() { engine_docker inspect -f '{{.State.Pid}}' "$1"; }
used_bytes() { df -B1 --output=used "$mnt" | tail -n 1 | tr -d ' '; }
used_pct() { df --output=pcent "$mnt" | tail -n 1 | tr -d ' %'; }

# Watermarks the host's own filesystem (where the engine keeps the containers'
# logs) is already under, so that only the media volume is a target.
host_pct=$(df --output=pcent "$ENGINE_DIR" | tail -n 1 | tr -d ' %')
low=80
[ "$host_pct" -lt 78 ] || low=$((host_pct + 2))
high=$((low + 5))
[ "$high" -le 97 ] || tap_bail "the host filesystem is ${host_pct}% full: no room for the remediation tests"
sed -e "s/^  high = .*/  high = $high%/" -e "s/^  low = .*/  low = $low%/" "$TEST_CONF" >"$rconf"

truncate -s 64M "$img" && mkfs.ext4 -q -F -m 5 "$img" && mkdir -p "$mnt" && mount -o loop "$img" "$mnt"
tap_is "a 64 MiB ext4 filesystem is loop-mounted as the media volume" "$?" 0
engine_run biz_remweb_1 rem waweb docker.whatsapp.biz/web:v2.x -v "$mnt:/usr/local/wamedia"
tap_is "a web container uses it as /usr/local/wamedia" "$?" 0

# media FOLDER NAME MIB AGE_DAYS: a file of MIB MiB, AGE_DAYS old.
media() {
	mkdir -p "$mnt/$1"
	head -c "$(($3 * 1048576))" /dev/urandom >"$mnt/$1/$2"
	touch -d "@$(($(date +%s) - $4 * day))" "$mnt/$1/$2"
}
# Old media, 2 MiB every 10 days from 100 to 10 days back, in both folders,
# plus young media (2 days) until the filesystem is past high.
for age in 100 90 80 70 60 50 40 30 20 10; do
	if [ $((age / 10 % 2)) -eq 0 ]; then dir=outgoing; else dir=incoming/sub; fi
	media "$dir" "old-$age.bin" 2 "$age"
done
i=0
while [ "$(used_pct)" -le "$((high + 2))" ] && [ $i -lt 60 ]; do
	media incoming "young-$i.bin" 1 2
	i=$((i + 1))
done
sync
before_pct=$(used_pct)
before=$(used_bytes)
tap_like "the media volume is past high ($high%): ${before_pct}%" "$before_pct" '^(8[6-9]|9[0-9]|100)$'

out=$("$ROTD" --config "$rconf" --now --remediate --json --container biz_remweb_1 2>"$ENGINE_DIR/rem.err")
tap_is "rotd --now --remediate exits 0 once under low" "$?" 0
after=$(used_bytes)
tap_like "the media volume is under low ($low%): $(used_pct)%" "$(used_pct)" "^([0-9]|[1-7][0-9]|$low)$"
remaining=$(cd "$mnt" && find . -name 'old-*' | sed 's/.*old-\([0-9]*\)\.bin/\1/' | sort -n | tr '\n' ' ')
tap_diag "old media left (days): $remaining"
# Oldest first: what is left is a prefix of the youngest ages.
tap_like "the oldest media went first" "$remaining" '^(10 )?(20 )?(30 )?(40 )?(50 )?(60 )?(70 )?(80 )?(90 )?$'
tap_like "and only as much as needed (the 10- and 20-day-old files stay)" "$remaining" '^10 20 '
tap_is "media younger than the floor (7 days) is untouched" "$(find "$mnt/incoming" -name 'young-*' | wc -l)" "$i"
rep_freed=$(printf '%s' "$out" | jq '[.remediation.filesystems[] | select(.target) | .freed] | add')
tap_is "the freed bytes in the report match df" "$rep_freed" "$((before - after))"
tap_is "the report says low was reached" "$(printf '%s' "$out" | jq -r .remediation.reached_low)" true
steps=$(printf '%s' "$out" | jq -r '.remediation.steps[].what' | cut -c1-20 | tr '\n' '|')
tap_like "in the documented order: rotation, cleanup.sh, media" "$steps" '^rotation and archive\|cleanup.sh in 1 cont\|oldest media first i'
tap_is "the JSON exit code is 0" "$(printf '%s' "$out" | jq .exit_code)" 0

# --- nothing safe left --------------------------------------------------------
find "$mnt" -name 'old-*' -delete
while [ "$(used_pct)" -le "$((high + 2))" ] && [ $i -lt 120 ]; do
	media incoming "young-$i.bin" 1 2
	i=$((i + 1))
done
sync
text=$("$ROTD" --config "$rconf" --now --remediate --container biz_remweb_1 2>&1)
tap_is "with only young media left, --remediate exits 5" "$?" 5
tap_like "and says so" "$text" 'STILL ABOVE low: everything safe to remove is gone'
tap_like "it names what takes the space, container by container" "$text" \
	'biz_remweb_1 \(web\): live logs [0-9.]+ [KMG]?i?B, archives [0-9.]+ [KMG]?i?B, media [0-9.]+ MiB, engine log'
tap_like "with the engine's json log and a hint about max-size" "$text" 'hint: its json-file log has no max-size'
tap_is "young media is still untouched" "$(find "$mnt/incoming" -name 'young-*' | wc -l)" "$i"

# --- the daemon: watermark check and the webhook ---------------------------
find "$mnt/incoming" -name 'young-*' -delete
i=0
for age in 100 90 80 70 60; do media outgoing "old-$age.bin" 2 "$age"; done
# Between low and high: the daemon's own check leaves it alone.
while [ "$(used_pct)" -le "$low" ] && [ $i -lt 60 ]; do
	media incoming "young-$i.bin" 1 2
	i=$((i + 1))
done
sync
between=$(used_pct)
wport=$((21000 + $$ % 20000))
token=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
printf '%s\n' "$token" >"$ENGINE_DIR/hook.token"
sed -e 's/^interval = .*/interval = 2s/' -e "s|^  listen = \"\"|  listen = \"127.0.0.1:$wport\"|" \
	-e "s|^  #token-file = .*|  token-file = \"$ENGINE_DIR/hook.token\"|" "$rconf" >"$rconf.d"
# The metrics section's listen stays off: only the webhook's first listen line is set.
awk '/^metrics \{/ {m=1} /^}/ {m=0} m && /listen =/ {sub(/".*"/, "\"\"")} {print}' "$rconf.d" >"$rconf.daemon"
"$REAL_ROTD" --config "$rconf.daemon" >"$ENGINE_DIR/rem-daemon.log" 2>&1 &
rdaemon=$!
i=0
until curl -s -o /dev/null "http://127.0.0.1:$wport/" || [ $i -ge 50 ]; do sleep 0.2; i=$((i + 1)); done
sleep 3
tap_is "between low and high ($between%) the daemon's watermark check does nothing" "$(used_pct)" "$between"
post() {
	curl -s -o "$ENGINE_DIR/hook.out" -w '%{http_code}' -H "Authorization: Bearer $1" \
		-H 'Content-Type: application/json' --data-binary "$2" "http://127.0.0.1:$wport/alerts"
}
alert() {
	printf '{"version":"4","status":"%s","receiver":"rotd","alerts":[{"status":"%s","labels":{"alertname":"%s","instance":"%s:9100"},"annotations":{"summary":"disk"}}]}' "$1" "$1" "$2" "$3"
}
tap_is "a bad token is rejected (401)" "$(post wrong "$(alert firing HostOutOfDiskSpace "$(hostname)")")" 401
tap_is "malformed JSON is rejected (400)" "$(post "$token" '{"alerts": [')" 400
tap_is "another alert is accepted (200)" "$(post "$token" "$(alert firing HostHighCpuLoad "$(hostname)")")" 200
tap_like "but ignored" "$(cat "$ENGINE_DIR/hook.out")" '"triggered": *false'
tap_is "an alert for another host is ignored" "$(post "$token" "$(alert firing HostOutOfDiskSpace otherhost)"):$(jq .triggered "$ENGINE_DIR/hook.out")" "200:false"
sleep 2
tap_is "none of them triggered a pass" "$(used_pct)" "$between"
tap_is "a matching firing alert is accepted" "$(post "$token" "$(alert firing HostOutOfDiskSpace "$(hostname)")"):$(jq .triggered "$ENGINE_DIR/hook.out")" "200:true"
wait_pct() { i=0; while [ "$(used_pct)" -gt "$1" ] && [ $i -lt 100 ]; do sleep 0.2; i=$((i + 1)); done; }
wait_pct "$low"
tap_like "and triggers the emergency pass: under low ($(used_pct)%)" "$(used_pct)" "^([0-9]|[1-7][0-9]|$low)$"
tap_like "the daemon logs why" "$(cat "$ENGINE_DIR/rem-daemon.log")" 'remediation \(alert HostOutOfDiskSpace'
tap_is "a resolved alert is logged, not acted on" "$(post "$token" "$(alert resolved HostOutOfDiskSpace "$(hostname)")"):$(jq .triggered "$ENGINE_DIR/hook.out")" "200:false"
# Past high: the daemon's own check acts within an interval. It is paused
# while the volume fills, so that it sees the fill whole.
kill -STOP "$rdaemon"
i=0
for age in 100 90 80 70 60 50 40; do media outgoing "old2-$age.bin" 2 "$age"; done
while [ "$(used_pct)" -le "$((high + 1))" ] && [ $i -lt 60 ]; do
	media incoming "young2-$i.bin" 1 2
	i=$((i + 1))
done
sync
tap_like "the volume is past high again ($(used_pct)%)" "$(used_pct)" '^(8[6-9]|9[0-9]|100)$'
kill -CONT "$rdaemon"
wait_pct "$low"
tap_like "the daemon's watermark check brings it under low within an interval" "$(used_pct)" "^([0-9]|[1-7][0-9]|$low)$"
tap_like "and logs it" "$(cat "$ENGINE_DIR/rem-daemon.log")" 'remediation \(watermark\): freed'
kill -TERM "$rdaemon"
wait "$rdaemon"
tap_is "the daemon stops cleanly" "$?" 0

engine_docker rm -f biz_remweb_1 >/dev/null 2>&1
umount "$mnt" 2>/dev/null
