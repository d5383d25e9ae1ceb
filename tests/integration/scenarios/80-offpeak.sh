# Off-peak jobs: cleanup.sh once per container and window, failures and timeouts
# reported; media pruned once per shared volume, never past symlinks or the root;
# the client's GC called with the right auth (against the REST API stub).
ctr_pid() { engine_docker inspect -f '{{.State.Pid}}' "$1"; }
hour() { date -u -d "@$(($(date +%s) + $1 * 3600))" +%H:00; }
oconf=$ENGINE_DIR/offpeak.conf
state=$ENGINE_DIR/offpeak-state.json
# An open window around now (UTC), a 2 s exec timeout, our own state file.
sed -e "s|^  window = .*|  window = $(hour -1)-$(hour 2)|" -e 's|^  timezone = .*|  timezone = "UTC"|' \
	-e "s|^state-file = .*|state-file = $state|" -e 's|^  timeout = 10m|  timeout = 2s|' \
	"$TEST_CONF" >"$oconf"

marker_lines() { engine_docker exec "$1" sh -c 'cat /tmp/cleanup-ran 2>/dev/null | wc -l'; }
for c in biz_waweb_1 biz_wacore_1 biz-master1-1 biz_db_1; do engine_docker exec "$c" rm -f /tmp/cleanup-ran; done

out=$("$ROTD" --config "$oconf" --now --respect-window \
	--container biz_waweb_1 --container biz_wacore_1 --container biz-master1-1 --container biz_db_1 2>"$ENGINE_DIR/stderr")
tap_is "a pass inside the window exits 0" "$?" 0
tap_is "cleanup.sh ran once in the web container" "$(marker_lines biz_waweb_1)" 1
tap_is "cleanup.sh ran once in the core container" "$(marker_lines biz_wacore_1)" 1
tap_is "cleanup.sh ran once in the master container" "$(marker_lines biz-master1-1)" 1
tap_is "cleanup.sh did not run in the db container" "$(marker_lines biz_db_1)" 0
tap_like "the report gives cleanup's exit code" "$out" '^  cleanup biz_waweb_1: exit 0 in [0-9]+ ms$'
tap_like "the state file records it" "$(jq -r '.jobs.cleanup.biz_waweb_1' "$state")" '^[0-9]+$'

out=$("$ROTD" --config "$oconf" --now --respect-window --container biz_waweb_1 2>&1)
tap_is "a second pass in the same window exits 0" "$?" 0
tap_is "and does not run cleanup.sh again" "$(marker_lines biz_waweb_1)" 1
tap_like "it says why" "$out" '^  cleanup biz_waweb_1: skipped, already done in this window$'

"$ROTD" --config "$oconf" --now --container biz_waweb_1 >/dev/null 2>&1
tap_is "rotd --now without --respect-window runs it regardless" "$(marker_lines biz_waweb_1)" 2

closed=$ENGINE_DIR/closed.conf
sed "s|^  window = .*|  window = $(hour 3)-$(hour 4)|" "$oconf" >"$closed"
out=$("$ROTD" --config "$closed" --now --respect-window --container biz_wacore_1 2>&1)
tap_like "outside the window --respect-window skips it" "$out" '^  cleanup biz_wacore_1: skipped, outside the off-peak window$'
tap_is "and it did not run" "$(marker_lines biz_wacore_1)" 1

# A failing and a hanging script: reported with their output; the pass goes on.
engine_run biz_failclean_1 biz failclean docker.whatsapp.biz/web:v2.x
engine_run biz_hangclean_1 biz hangclean docker.whatsapp.biz/web:v2.x
engine_run biz_noclean_1 biz noclean docker.whatsapp.biz/web:v2.x
printf '#!/bin/sh\necho "purging old files"\necho "disk is read-only" >&2\nexit 3\n' >"/proc/$(ctr_pid biz_failclean_1)/root/opt/whatsapp/bin/cleanup.sh"
printf '#!/bin/sh\necho "starting a long purge"\nexec sleep 30\n' >"/proc/$(ctr_pid biz_hangclean_1)/root/opt/whatsapp/bin/cleanup.sh"
rm "/proc/$(ctr_pid biz_noclean_1)/root/opt/whatsapp/bin/cleanup.sh"
start=$(date +%s)
json=$("$ROTD" --config "$oconf" --now --json --container biz_failclean_1 --container biz_hangclean_1 \
	--container biz_noclean_1 --container biz_waweb_1 2>"$ENGINE_DIR/stderr")
tap_is "a pass with a failing cleanup is a partial failure (exit 1)" "$?" 1
took=$(($(date +%s) - start))
cl() { printf '%s' "$json" | jq -r --arg c "$1" ".jobs.cleanup[] | select(.container == \$c) | $2"; }
tap_is "the failing script's exit code is reported" "$(cl biz_failclean_1 .exit_code)" 3
tap_like "with its output" "$(cl biz_failclean_1 '.output_tail | join("|")')" 'purging old files.*disk is read-only|disk is read-only.*purging old files'
tap_like "its stderr went to rotd's log, tagged with the container" "$(cat "$ENGINE_DIR/stderr")" 'container biz_failclean_1: cleanup stderr: disk is read-only'
tap_is "the hanging script is reported as timed out" "$(cl biz_hangclean_1 .timed_out)" true
tap_like "with its output" "$(cl biz_hangclean_1 '.output_tail | join("|")')" 'starting a long purge'
tap_like "and the pass did not wait for it" "$took" '^([0-9]|1[0-9])$'
tap_is "a container without the script reports not present" "$(cl biz_noclean_1 .present)" false
tap_is "which is not a failure" "$(cl biz_noclean_1 .error)" null
tap_is "the other containers still ran" "$(cl biz_waweb_1 .exit_code)" 0
engine_docker rm -f biz_failclean_1 biz_hangclean_1 biz_noclean_1 >/dev/null

# Media: two containers share one volume; it is pruned once, by age, floor and rule.
mconf=$ENGINE_DIR/media.conf
cat >"$mconf" <<EOC
state-file = $ENGINE_DIR/media-state.json
lock-file = $ENGINE_DIR/rotd.lock
role web {
  match {
    image = {"docker.whatsapp.biz/web:*"}
  }
  logs = {"/var/log/whatsapp/*.log"}
  size = 20M
  archive-dir = /var/log/whatsapp/archive
}
media {
  root = /usr/local/wamedia
  floor = 7d
  rule outgoing {
    path = outgoing
    age = 30d
  }
  rule incoming {
    path = incoming
    age = 1d
  }
}
EOC
engine_run biz_media_1 biz media1 docker.whatsapp.biz/web:v2.x -v mediaShared:/usr/local/wamedia
engine_run biz_media_2 biz media2 docker.whatsapp.biz/web:v2.x -v mediaShared:/usr/local/wamedia
root=/proc/$(ctr_pid biz_media_1)/root
m=$root/usr/local/wamedia
mkdir -p "$m/outgoing/2026/10" "$m/incoming/x" "$root/usr/local/other"
for f in outgoing/2026/10/old.jpg outgoing/young.jpg incoming/x/old.bin incoming/five-days.bin incoming/two-days.bin; do
	echo "$f" >"$m/$f"
done
touch -d '40 days ago' "$m/outgoing/2026/10/old.jpg" "$m/incoming/x/old.bin"
touch -d '10 days ago' "$m/outgoing/young.jpg" "$m/incoming/two-days.bin"
touch -d '5 days ago' "$m/incoming/five-days.bin"
touch -d '2 days ago' "$m/incoming/two-days.bin"
echo keep >"$root/usr/local/other/old.jpg"
touch -d '40 days ago' "$root/usr/local/other/old.jpg"
sentinel=$(mktemp -d /tmp/rotd-media-sentinel.XXXXXX)
echo host >"$sentinel/old.jpg"
touch -d '40 days ago' "$sentinel/old.jpg" "$sentinel"
ln -s "$sentinel/old.jpg" "$m/outgoing/link-to-host.jpg"
ln -s "$sentinel" "$m/outgoing/dir-to-host"
ln -s / "$m/incoming/root"
before=$(cd "$sentinel" && ls -lA --time-style=full-iso . && sha256sum old.jpg)

dry=$("$ROTD" --config "$mconf" --now --dry-run --container biz_media_1 --container biz_media_2 2>&1)
tap_like "nothing comes before the dry run's header" "$(printf '%s\n' "$dry" | head -n 1)" \
	'^dry run: nothing changed\. engine unix://'
tap_like "the dry run sums what would go per volume" "$dry" \
	'^  media volume:mediaShared \(via biz_media_1\): would prune 2 files \(44 B\); 3 younger files kept; 3 entries skipped$'
tap_like "and per rule, with the files' mtime" "$dry" \
	'^    rule outgoing \(older than 30d\): 1 file \(25 B\), modified [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} UTC$'
tap_like "the floor (7d) wins over a younger rule age" "$dry" '^    rule incoming \(older than 1w\): 1 file \(19 B\), modified '
tap_like "the dry run lists what would go" "$dry" '^      /usr/local/wamedia/outgoing/2026/10/old\.jpg$'
vdry=$("$ROTD" -v --config "$mconf" --now --dry-run --container biz_media_1 --container biz_media_2 2>&1 >/dev/null)
tap_like "with -v each file that would go is logged" "$vdry" \
	'^rotd: media volume:mediaShared rule incoming: would prune /usr/local/wamedia/incoming/x/old\.bin \(19 B, modified '
jdry=$("$ROTD" --config "$mconf" --now --dry-run --json --container biz_media_1 --container biz_media_2 2>/dev/null)
tap_is "the JSON lists each rule's paths and says the list is whole" \
	"$(printf '%s' "$jdry" | jq -c '[.jobs.media[0].rules[] | {name, files, paths, paths_capped}]')" \
	'[{"name":"outgoing","files":1,"paths":["/usr/local/wamedia/outgoing/2026/10/old.jpg"],"paths_capped":false},{"name":"incoming","files":1,"paths":["/usr/local/wamedia/incoming/x/old.bin"],"paths_capped":false}]'
tap_is "and removes nothing" "$(test -e "$m/outgoing/2026/10/old.jpg"; echo $?)" 0
json=$("$ROTD" --config "$mconf" --now --json --container biz_media_1 --container biz_media_2 2>"$ENGINE_DIR/stderr")
tap_is "a media pass exits 0" "$?" 0
tap_is "the shared volume is pruned once" "$(printf '%s' "$json" | jq '[.jobs.media[] | select(.key == "volume:mediaShared")] | length')" 1
tap_is "two old files pruned" "$(printf '%s' "$json" | jq '.jobs.media[0].files')" 2
tap_is "old outgoing media is gone" "$(test -e "$m/outgoing/2026/10/old.jpg"; echo $?)" 1
tap_is "its emptied folders are gone" "$(test -e "$m/outgoing/2026"; echo $?)" 1
tap_is "old incoming media is gone" "$(test -e "$m/incoming/x/old.bin"; echo $?)" 1
tap_is "media younger than the rule's age is kept" "$(test -e "$m/outgoing/young.jpg"; echo $?)" 0
tap_is "media younger than the floor is kept even when the rule says 1d" "$(test -e "$m/incoming/five-days.bin"; echo $?)" 0
tap_is "the rule folders themselves are kept" "$(test -d "$m/outgoing" && test -d "$m/incoming"; echo $?)" 0
tap_is "a file outside the media root is untouched" "$(cat "$root/usr/local/other/old.jpg")" keep
tap_is "symlink targets on the host are untouched" "$(cd "$sentinel" && ls -lA --time-style=full-iso . && sha256sum old.jpg)" "$before"
tap_is "the symlinks themselves are left" "$(test -L "$m/outgoing/link-to-host.jpg" && test -L "$m/incoming/root"; echo $?)" 0
rm -rf "$sentinel"
engine_docker rm -f biz_media_1 biz_media_2 >/dev/null
engine_docker volume rm mediaShared >/dev/null

# GC against the REST API stub.
record=$ENGINE_DIR/gc-record.jsonl
python3 "$ROTD_SRCDIR/tests/harness/wa_stub.py" --port 0 --record "$record" --user admin --password 'se"cret' \
	>"$ENGINE_DIR/stub.out" 2>"$ENGINE_DIR/stub.err" &
stub=$!
i=0
while [ ! -s "$ENGINE_DIR/stub.out" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
port=$(head -n 1 "$ENGINE_DIR/stub.out")
envfile=$ENGINE_DIR/wa.env
printf 'WA_WEB_ENDPOINT=http://127.0.0.1:%s\nWA_WEB_USERNAME=admin\nWA_WEB_PASSWORD='"'"'se"cret'"'"'\n' "$port" >"$envfile"
gconf=$ENGINE_DIR/gc.conf
sed -e 's/^  enabled = false/  enabled = true/' \
	-e "s|^  #env-file = .*|  env-file = \"$envfile\"|" "$oconf" >"$gconf"
out=$("$ROTD" --config "$gconf" --now --container biz_waweb_1 2>&1)
tap_is "a pass with GC enabled exits 0" "$?" 0
tap_like "and reports it" "$out" '^  gc: message and media gc done$'
tap_is "the stub saw one login with Basic auth for admin" \
	"$(jq -r 'select(.path == "/v1/users/login") | "\(.method) \(.authorization)"' "$record")" \
	"POST Basic $(printf '%s' 'admin:se"cret' | base64)"
tap_is "then the message GC with the Bearer token" \
	"$(jq -r 'select(.path == "/v1/services/message/gc") | "\(.method) \(.authorization | startswith("Bearer "))"' "$record")" "PUT true"
tap_is "and the media GC with the Bearer token" \
	"$(jq -r 'select(.path == "/v1/services/media/gc") | "\(.method) \(.authorization | startswith("Bearer "))"' "$record")" "PUT true"
kill "$stub" 2>/dev/null
wait "$stub" 2>/dev/null
