# Rotation: a writer during copytruncate (collapse and the fallback), keep, the
# core app's idle files, archive formats, owner and mode, dry run == real run.
ctr_pid() { engine_docker inspect -f '{{.State.Pid}}' "$1"; }
in_ctr() { c=$1; shift; engine_docker exec "$c" sh -c "$*"; }

# Every number 1..$2 exactly once across the archives of web.log and the live file.
numbers_exactly_once() {
	c=$1 last=$2
	in_ctr "$c" 'for a in /var/log/whatsapp/archive/web.log-*; do case $a in *.gz) zcat "$a";; *.zst) cat "$a" | zstd -dc 2>/dev/null;; esac; done; cat /var/log/whatsapp/web.log' >"$ENGINE_DIR/all.txt"
	sort -n "$ENGINE_DIR/all.txt" >"$ENGINE_DIR/sorted.txt"
	seq 1 "$last" | cmp -s - "$ENGINE_DIR/sorted.txt"
}

# Fills web.log with numbers 1..$2 (from the host, through the container's root).
fill_numbers() {
	seq 1 "$2" >"/proc/$(ctr_pid "$1")/root/var/log/whatsapp/web.log"
}

# Starts a writer appending numbers $2..$3 to web.log with O_APPEND, as fast as sh can.
start_writer() {
	engine_docker exec -d "$1" sh -c "i=$2; while [ \$i -le $3 ]; do echo \$i; i=\$((i+1)); done >>/var/log/whatsapp/web.log; touch /tmp/writer.done"
}

wait_writer() {
	i=0
	while ! in_ctr "$1" 'test -e /tmp/writer.done' && [ $i -lt 600 ]; do sleep 0.2; i=$((i + 1)); done
	in_ctr "$1" 'rm -f /tmp/writer.done'
}

# --- collapse with a writer ---------------------------------------------------
engine_run biz_rotweb_1 biz rotweb docker.whatsapp.biz/web:v2.x
fill_numbers biz_rotweb_1 3400000
start_writer biz_rotweb_1 3400001 3600000
sleep 0.3
json=$("$ROTD" --now --json --container biz_rotweb_1 2>"$ENGINE_DIR/stderr")
tap_is "a pass with a writer running exits 0" "$?" 0
wait_writer biz_rotweb_1
act() { printf '%s' "$json" | jq -r --arg p "$1" ".containers[0].actions[] | select(.path == \$p) | $2"; }
tap_is "web.log was rotated" "$(act /var/log/whatsapp/web.log .done)" true
tap_is "by collapsing, not the fallback" "$(act /var/log/whatsapp/web.log .fallback)" false
tap_like "into a UTC-stamped gzip archive" "$(act /var/log/whatsapp/web.log .archive)" '^web\.log-[0-9]{8}T[0-9]{6}Z\.gz$'
numbers_exactly_once biz_rotweb_1 3600000
tap_result $? "archive + live file hold every number exactly once (collapse, writer running)"
tap_like "the live file keeps only the unarchived tail" "$(in_ctr biz_rotweb_1 'wc -c < /var/log/whatsapp/web.log')" '^ *[0-9]{1,7}$'
pid=$(ctr_pid biz_rotweb_1)
gzip -t "/proc/$pid/root/var/log/whatsapp/archive/"web.log-*.gz
tap_result $? "the archive passes gzip -t"
tap_is "no journal record or stray file is left" \
	"$(ls -A "/proc/$pid/root/var/log/whatsapp/archive" | grep -v '^web\.log-.*\.gz$' | wc -l)" 0

# --- the copy-then-truncate fallback on tmpfs (no FALLOC_FL_COLLAPSE_RANGE) ---
engine_run biz_rotfallback_1 biz rotfallback docker.whatsapp.biz/web:v2.x --tmpfs /var/log/whatsapp:size=200m
fill_numbers biz_rotfallback_1 3400000
start_writer biz_rotfallback_1 3400001 3700000
sleep 0.3
json=$("$ROTD" --now --json --container biz_rotfallback_1 2>"$ENGINE_DIR/stderr")
tap_is "a fallback pass exits 0" "$?" 0
wait_writer biz_rotfallback_1
tap_is "tmpfs refuses collapse: the fallback was used" "$(act /var/log/whatsapp/web.log .fallback)" true
reported=$(act /var/log/whatsapp/web.log .maybe_lost)
numbers_exactly_once biz_rotfallback_1 3700000
seq 1 3700000 | sort >"$ENGINE_DIR/want.txt"
sort "$ENGINE_DIR/sorted.txt" | comm -23 "$ENGINE_DIR/want.txt" - >"$ENGINE_DIR/missing.txt"
lost=$(awk '{ n += length($0) + 1 } END { print n + 0 }' "$ENGINE_DIR/missing.txt")
dups=$(uniq -d "$ENGINE_DIR/sorted.txt" | wc -l)
tap_is "the fallback duplicates nothing" "$dups" 0
# maybe_lost is measured just before the truncate: a write that lands between
# that measure and the truncate is lost too, uncounted. It shows only on a
# loaded machine (2,784 bytes once, under ASan with the CI busy), so the figure
# must never overstate, and may understate by no more than such a window.
tap_result "$([ "$reported" -le "$lost" ] && [ $((lost - reported)) -lt 65536 ]; echo $?)" \
	"the bytes the fallback reports as possibly lost are the bytes actually lost, short of at most a window's writes"
tap_diag "fallback: reported $reported bytes possibly lost, $lost bytes ($(wc -l <"$ENGINE_DIR/missing.txt") lines) missing"

# --- keep 30 per source log -------------------------------------------------
pid=$(ctr_pid biz_rotweb_1)
arch=/proc/$pid/root/var/log/whatsapp/archive
for d in $(seq 1 35); do echo "old $d" | gzip >"$arch/access.log-$(date -u -d "2026-01-01 +$d days" +%Y%m%dT000000Z).gz"; done
head -c 21000000 /dev/zero | tr '\0' 'a' >"/proc/$pid/root/var/log/whatsapp/access.log"
json=$("$ROTD" --now --json --container biz_rotweb_1 2>"$ENGINE_DIR/stderr")
tap_is "a pass with 35 archives exits 0" "$?" 0
tap_is "30 access.log archives remain" "$(ls "$arch" | grep -c '^access\.log-')" 30
tap_is "the oldest six are gone" "$(ls "$arch" | grep -c '^access\.log-2026010[2-7]T')" 0
tap_is "the newest old one is kept" "$(ls "$arch" | grep -c "^access\.log-$(date -u -d '2026-01-01 +35 days' +%Y%m%d)T000000Z\.gz\$")" 1
tap_is "the report counts six prunes" "$(printf '%s' "$json" | jq '[.containers[0].actions[] | select(.action == "prune" and .done)] | length')" 6

# --- core: idle rolled and crash files archived whole; the active one untouched
engine_run biz_rotcore_1 biz wacore docker.whatsapp.biz/coreapp:v2.x
pid=$(ctr_pid biz_rotcore_1)
logs=/proc/$pid/root/usr/local/waent/logs
seq 1 1000 >"$logs/wa-1.log"
seq 1001 2000 >"$logs/wa-service-1a2b-crash.log"
seq 2001 3000 >"$logs/wa-held.log"
seq 3001 3100 >"$logs/wa.log"
touch -d '3 hours ago' "$logs/wa-1.log" "$logs/wa-service-1a2b-crash.log" "$logs/wa-held.log"
engine_docker exec -d biz_rotcore_1 sh -c 'exec 3>>/usr/local/waent/logs/wa-held.log; sleep 1000000'
sleep 0.5
dry=$("$ROTD" --now --dry-run --json --container biz_rotcore_1)
json=$("$ROTD" --now --json --container biz_rotcore_1 2>"$ENGINE_DIR/stderr")
tap_is "a core pass exits 0" "$?" 0
tap_is "the dry run listed exactly the actions the pass took" \
	"$(printf '%s' "$dry" | jq -c '[.containers[0].actions[] | [.action, .path, .archive]]')" \
	"$(printf '%s' "$json" | jq -c '[.containers[0].actions[] | [.action, .path, (if .action == "prune" then .archive else null end)]]')"
tap_is "the idle rolled file is gone" "$(test -e "$logs/wa-1.log"; echo $?)" 1
tap_is "the idle crash log is gone" "$(test -e "$logs/wa-service-1a2b-crash.log"; echo $?)" 1
tap_is "its archive holds it whole" "$(zcat "/proc/$pid/root/var/log/whatsapp/archive/"logs_wa-service-1a2b-crash.log-*.gz | md5sum)" "$(seq 1001 2000 | md5sum)"
tap_is "the rolled file's archive holds it whole" "$(zcat "/proc/$pid/root/var/log/whatsapp/archive/"logs_wa-1.log-*.gz | md5sum)" "$(seq 1 1000 | md5sum)"
tap_is "the active file under 15 MB is untouched" "$(md5sum <"$logs/wa.log")" "$(seq 3001 3100 | md5sum)"
tap_is "an idle file held open by a process is kept" "$(md5sum <"$logs/wa-held.log")" "$(seq 2001 3000 | md5sum)"
tap_like "and the report says who holds it" "$(printf '%s' "$json" | jq -r '.containers[0].actions[] | select(.path == "/usr/local/waent/logs/wa-held.log") | .note')" 'open by pid [0-9]+'

# --- zstd, owner and mode ------------------------------------------------------
engine_run biz_rotzstd_1 biz rotzstd docker.whatsapp.biz/web:v2.x
pid=$(ctr_pid biz_rotzstd_1)
seq 1 3000000 >"/proc/$pid/root/var/log/whatsapp/web.log"
chown 1000:1000 "/proc/$pid/root/var/log/whatsapp/web.log"
chmod 0640 "/proc/$pid/root/var/log/whatsapp/web.log"
zconf=$ENGINE_DIR/zstd.conf
sed 's/^  compress = gzip/  compress = zstd/; s/^  compress-level = 6/  compress-level = 3/' "$TEST_CONF" >"$zconf"
"$ROTD" --config "$zconf" --now --container biz_rotzstd_1 >"$ENGINE_DIR/out" 2>&1
tap_is "a zstd pass exits 0" "$?" 0
z=$(ls "/proc/$pid/root/var/log/whatsapp/archive/"web.log-*.zst)
zstd -tq "$z"
tap_result $? "the zstd archive passes zstd -t"
tap_is "the archive keeps the log's owner" "$(stat -c %u:%g "$z")" 1000:1000
tap_is "the archive keeps the log's mode" "$(stat -c %a "$z")" 640
tap_is "the archive folder was created with its parent's owner and mode 750" \
	"$(stat -c %u:%a "/proc/$pid/root/var/log/whatsapp/archive")" "$(stat -c %u "/proc/$pid/root/var/log/whatsapp"):750"
tap_is "zstd archive + live file hold every number once" \
	"$( (zstd -dc "$z"; cat "/proc/$pid/root/var/log/whatsapp/web.log") | md5sum)" "$(seq 1 3000000 | md5sum)"

engine_docker rm -f biz_rotfallback_1 biz_rotzstd_1 >/dev/null
