# Method rename: rename, run postrotate in the container, wait until nothing holds
# the old file, archive it whole, remove it. A writer that reopens per line loses nothing.
ctr_pid() { engine_docker inspect -f '{{.State.Pid}}' "$1"; }
rconf=$ENGINE_DIR/rename.conf
cat >"$rconf" <<EOC
lock-file = $ENGINE_DIR/rotd.lock
state-file = $ENGINE_DIR/rename-state.json
role web {
  match {
    image = {"docker.whatsapp.biz/web:*"}
  }
  logs = {"/var/log/whatsapp/*.log"}
  size = 1M
  archive-dir = /var/log/whatsapp/archive
  method = rename
  postrotate = {"/bin/sh", "-c", "echo reopen >> /tmp/postrotate.ran"}
}
EOC
engine_run biz_rename_1 biz rename docker.whatsapp.biz/web:v2.x
root=/proc/$(ctr_pid biz_rename_1)/root
seq 1 300000 >"$root/var/log/whatsapp/web.log"
engine_docker exec -d biz_rename_1 sh -c 'i=300001; while [ $i -le 330000 ]; do echo $i >>/var/log/whatsapp/web.log; i=$((i+1)); done; touch /tmp/writer.done'
sleep 0.3
json=$("$ROTD" --config "$rconf" --now --json --container biz_rename_1 2>"$ENGINE_DIR/stderr")
tap_is "a rename pass with a writer exits 0" "$?" 0
i=0
while [ ! -e "$root/tmp/writer.done" ] && [ $i -lt 600 ]; do sleep 0.2; i=$((i + 1)); done
tap_is "web.log was rotated by rename" \
	"$(printf '%s' "$json" | jq -r '.containers[0].actions[] | select(.path == "/var/log/whatsapp/web.log") | .done')" true
tap_is "postrotate ran once in the container" "$(cat "$root/tmp/postrotate.ran")" reopen
(zcat "$root"/var/log/whatsapp/archive/web.log-*.gz; cat "$root/var/log/whatsapp/web.log") | sort -n >"$ENGINE_DIR/rn.txt"
tap_is "archive + new log hold every number exactly once" "$(seq 1 330000 | cmp - "$ENGINE_DIR/rn.txt" >/dev/null 2>&1; echo $?)" 0
tap_is "no renamed file or journal record is left" "$(ls -A "$root/var/log/whatsapp" "$root/var/log/whatsapp/archive" | grep -c 'rotd')" 0

# A crash right after the rename: the rerun archives the renamed log.
seq 1 300000 >"$root/var/log/whatsapp/web.log"
rm -f "$root"/var/log/whatsapp/archive/* "$root/tmp/postrotate.ran"
ROTD_CRASH_AT=renamed "$ROTD" --config "$rconf" --now --container biz_rename_1 >/dev/null 2>&1
tap_is "rotd dies right after renaming" "$?" 137
tap_is "the renamed log is there" "$(ls -A "$root/var/log/whatsapp" | grep -c '^\.web\.log\.rotd-rotating$')" 1
out=$("$ROTD" --config "$rconf" --now --container biz_rename_1 2>&1)
tap_is "the rerun exits 0" "$?" 0
tap_like "and says it finished the interrupted rename" "$out" 'recovered: /var/log/whatsapp/web\.log: finished an interrupted rename rotation'
tap_is "the archive holds every line once" "$(zcat "$root"/var/log/whatsapp/archive/web.log-*.gz | md5sum)" "$(seq 1 300000 | md5sum)"
tap_is "nothing of the rename is left" "$(ls -A "$root/var/log/whatsapp" "$root/var/log/whatsapp/archive" | grep -c 'rotd')" 0
engine_docker rm -f biz_rename_1 >/dev/null
