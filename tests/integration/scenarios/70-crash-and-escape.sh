# kill -9 at many points of a pass, each followed by a rerun: nothing lost,
# nothing duplicated, nothing half-written left. Then symlinks that point out of
# the container: refused, named in the report, and the host untouched.
ctr_pid() { engine_docker inspect -f '{{.State.Pid}}' "$1"; }

engine_run biz_crash_1 biz crash docker.whatsapp.biz/web:v2.x
pid=$(ctr_pid biz_crash_1)
root=/proc/$pid/root
conf=$ENGINE_DIR/crash.conf
sed 's/^  keep = 30$/  keep = 1000/' "$TEST_CONF" >"$conf"

next=1
kills=0
recovered=0
iterations=0
# Kill points spread over the first half second of a pass (about as long as a
# pass takes here); go on until 24 kills landed on a live rotd, at most 60 passes.
while [ $kills -lt 24 ] && [ $iterations -lt 60 ]; do
	last=$((next + 2999999))
	seq "$next" "$last" >>"$root/var/log/whatsapp/web.log"
	next=$((last + 1))
	"$ROTD" --config "$conf" --now --rotate-only --container biz_crash_1 >/dev/null 2>&1 &
	victim=$!
	sleep "$(awk -v i="$iterations" 'BEGIN { printf "%.3f", (i % 25) * 0.02 }')"
	kill -9 "$victim" 2>/dev/null && kills=$((kills + 1))
	wait "$victim" 2>/dev/null
	"$ROTD" --config "$conf" --now --rotate-only --container biz_crash_1 >"$ENGINE_DIR/rerun.out" 2>&1 ||
		{ tap_diag "rerun $iterations failed:"; tap_diag "$(cat "$ENGINE_DIR/rerun.out")"; }
	grep -q 'recovered: ' "$ENGINE_DIR/rerun.out" && recovered=$((recovered + 1))
	iterations=$((iterations + 1))
done
total=$((next - 1))
tap_like "rotd was killed mid-pass at least 20 times" "$kills" '^(2[0-9]|[3-9][0-9])$'
tap_diag "killed $kills times in $iterations passes; $recovered reruns finished an interrupted rotation; $total numbers written"
(for a in "$root"/var/log/whatsapp/archive/web.log-*.gz; do zcat "$a"; done; cat "$root/var/log/whatsapp/web.log") |
	sort -n >"$ENGINE_DIR/crash-sorted.txt"
tap_is "after the crashes no number is duplicated" "$(uniq -d "$ENGINE_DIR/crash-sorted.txt" | wc -l)" 0
tap_is "and none is lost" "$(seq 1 "$total" | cmp - "$ENGINE_DIR/crash-sorted.txt" >/dev/null 2>&1; echo $?)" 0
tap_is "no journal record, temp or half-written file is left" \
	"$(ls -A "$root/var/log/whatsapp/archive" | grep -cv '^web\.log-[0-9]\{8\}T[0-9]\{6\}Z\(_[0-9]\{3\}\)\?\.gz$')" 0
bad=0
for a in "$root"/var/log/whatsapp/archive/web.log-*.gz; do gzip -t "$a" 2>/dev/null || bad=$((bad + 1)); done
tap_is "every archive passes gzip -t" "$bad" 0
tap_is "nothing else appeared in the log folder" "$(ls -A "$root/var/log/whatsapp" | sort | tr '\n' ' ')" "archive web.log "

# --- symlinks out of the container --------------------------------------------
sentinel=$(mktemp -d /tmp/rotd-sentinel.XXXXXX)
seq 1 3000000 >"$sentinel/host.log"
before=$(cd "$sentinel" && ls -lA --time-style=full-iso . && sha256sum host.log)

engine_run biz_escape_1 biz escape1 docker.whatsapp.biz/web:v2.x
engine_docker exec biz_escape_1 ln -s "$sentinel/host.log" /var/log/whatsapp/web.log
engine_docker exec biz_escape_1 ln -s "../../../../../../..$sentinel/host.log" /var/log/whatsapp/access.log
engine_run biz_escape_2 biz escape2 docker.whatsapp.biz/web:v2.x
pid=$(ctr_pid biz_escape_2)
seq 1 3000000 >"/proc/$pid/root/var/log/whatsapp/web.log"
engine_docker exec biz_escape_2 ln -s "$sentinel" /var/log/whatsapp/archive

out=$("$ROTD" --now --container biz_escape_1 --container biz_escape_2 2>"$ENGINE_DIR/stderr")
tap_is "a pass meeting a symlinked archive folder is a partial failure (exit 1)" "$?" 1
tap_like "a web.log symlinked to a host file is named and skipped" "$out" '^    /var/log/whatsapp/web\.log  symlink: skipped$'
tap_like "a relative symlink climbing out is named and skipped" "$out" '^    /var/log/whatsapp/access\.log  symlink: skipped$'
tap_like "a symlinked archive folder is named and refused" "$out" \
	'error: archive folder /var/log/whatsapp/archive: it, or a folder on the way to it, is a symlink or not a folder: refused'
tap_like "the rotation that needed it reports it could not run" "$out" \
	'rotate /var/log/whatsapp/web\.log .*FAILED: archive folder /var/log/whatsapp/archive is not available'
tap_is "the host folder and file are exactly as before" \
	"$(cd "$sentinel" && ls -lA --time-style=full-iso . && sha256sum host.log)" "$before"
tap_is "the refused container's log is intact" \
	"$(md5sum <"/proc/$pid/root/var/log/whatsapp/web.log")" "$(seq 1 3000000 | md5sum)"
rm -rf "$sentinel"
engine_docker rm -f biz_crash_1 biz_escape_1 biz_escape_2 >/dev/null
