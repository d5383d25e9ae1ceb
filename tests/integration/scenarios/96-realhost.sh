# A host shaped like production (tests/harness/realhost.sh): one small
# loop-mounted ext4 filesystem is the engine's whole data-root, so image and
# container layers, the whatsappMedia volume, the db's data and the engine's
# json logs share a disk that really fills; a multiconnect fleet with two
# masters WITHOUT the media volume (their /usr/local/wamedia is a folder of the
# image), three cores and a web with it, compose v1 and v2 names mixed so that
# a master sorts first; coreapp images with no /var/log/whatsapp; the core
# app's rolled and crash logs in realistic numbers. Checked against it:
#   1. remediation reaches the media by volume, never through a master, and
#      names the filesystem by mount point and device;
#   2. the core logs are archived although /var/log/whatsapp did not exist;
#   3. keep counts per pattern for files archived whole;
#   4. max-age, max-size and the emergency pass's archive-floor step;
#   5-8. the daemon on a full disk with nothing to free: cleanup.sh and the
#      "what takes the space" text once (backoff), one line for a stopped
#      container, counters never going back under a rotd --now, status and
#      metrics agreeing on a pass that fell short.
# The engine is torn down at the end, and by run.sh's EXIT trap on failure.

rh_t0=$(date +%s)
# rh_ok RC DESC [DIAG...]: a result; on failure the diagnostics, and df.
rh_ok() {
	rh_rc=$1 rh_desc=$2
	shift 2
	tap_result "$rh_rc" "$rh_desc"
	[ "$rh_rc" -eq 0 ] || tap_diag "$@" "df: $(realhost_df)"
}
# rh_is DESC GOT WANT [DIAG...]: as tap_is, with diagnostics and df on failure.
rh_is() {
	rh_isd=$1 rh_isg=$2 rh_isw=$3
	shift 3
	[ "$rh_isg" = "$rh_isw" ]
	rh_rc=$?
	tap_result "$rh_rc" "$rh_isd"
	[ "$rh_rc" -eq 0 ] || tap_diag "got:  $rh_isg" "want: $rh_isw" "$@" "df: $(realhost_df)"
}
rh_root() { realhost_ctr_root "$1"; }
# rh_sleep_until T: sleeps until the epoch second T (at once if it passed).
rh_sleep_until() { rh_s=$(($1 - $(date +%s))); [ "$rh_s" -le 0 ] || sleep "$rh_s"; }
rh_markers() { cat "$(rh_root "$1")/tmp/cleanup-ran" 2>/dev/null | wc -l | tr -d ' '; }
rh_stamp_of() { printf '%s' "$1" | sed -n 's/.*-\([0-9]\{8\}T[0-9]\{6\}Z\)\(_[0-9]*\)\{0,1\}\.gz$/\1/p'; }

# --- the host -------------------------------------------------------------------
rh_failed_at_start=$TAP_FAILED   # failures of earlier scenarios are not this host's
realhost_start 160
tap_result $? "a realistic host: dockerd whose whole data-root is a 160 MiB loop-mounted ext4"
[ -n "$REALHOST_PID" ] && kill -0 "$REALHOST_PID" 2>/dev/null || tap_bail "the realistic host's engine did not start"
realhost_build_images
tap_result $? "web, coreapp and mysql images shaped like the real ones are imported"
realhost_start_fleet
tap_result $? "the fleet starts: biz-master1-1, biz-master2-1, biz_wacore1..3_1, biz_waweb_1, biz_db_1"
rh_running=$(realhost_docker ps --format '{{.Names}}' | sort | tr '\n' ' ')
tap_is "all seven containers run" "$rh_running" "biz-master1-1 biz-master2-1 biz_db_1 biz_wacore1_1 biz_wacore2_1 biz_wacore3_1 biz_waweb_1 "
[ "$TAP_FAILED" -eq "$rh_failed_at_start" ] || tap_bail "the realistic host could not be built"
realhost_conf "$srcdir/conf/rotd.conf"

# Fixture self-checks: one filesystem holds it all; the masters lack the volume.
rh_vol=$(realhost_docker volume inspect -f '{{.Mountpoint}}' whatsappMedia)
rh_jlog=$(realhost_docker inspect -f '{{.LogPath}}' biz_waweb_1)
rh_fs() { df --output=target "$1" | tail -n 1; }
tap_is "the media volume's _data and a container's json log are on the loop filesystem" \
	"$(rh_fs "$rh_vol"):$(rh_fs "$rh_jlog"):$(stat -c %d "$rh_vol"):$(stat -c %d "$rh_jlog")" \
	"$REALHOST_MNT:$REALHOST_MNT:$(stat -c %d "$REALHOST_MNT"):$(stat -c %d "$REALHOST_MNT")"
tap_like "the engine's json logs are not empty, and have no max-size" \
	"$(stat -c %s "$rh_jlog"):$(realhost_docker inspect -f '{{.HostConfig.LogConfig.Type}} {{index .HostConfig.LogConfig.Config "max-size"}}' biz_waweb_1)" \
	'^[1-9][0-9]{3,}:json-file (<no value>)?$'
rh_mounts=
for c in $REALHOST_MASTERS; do rh_mounts="$rh_mounts$c=[$(realhost_docker inspect -f '{{range .Mounts}}{{.Name}}{{end}}' "$c")] "; done
tap_is "the masters have no whatsappMedia mount" "$rh_mounts" "biz-master1-1=[] biz-master2-1=[] "
tap_is "the cores and the web mount whatsappMedia" \
	"$(for c in $REALHOST_CORES $REALHOST_WEB; do realhost_docker inspect -f '{{range .Mounts}}{{.Name}}:{{.Destination}}{{end}}' "$c"; done | sort -u)" \
	"whatsappMedia:/usr/local/wamedia"
tap_is "the coreapp containers have no /var/log/whatsapp" \
	"$(for c in $REALHOST_CORES $REALHOST_MASTERS; do [ -e "$(rh_root "$c")/var/log/whatsapp" ] && echo "$c"; done)" ""
tap_diag "loop filesystem $REALHOST_LOOP on $REALHOST_MNT: $(realhost_df)"

# --- 1. remediation reaches the media by volume ------------------------------------
# Each master keeps a 40-day-old file in its own (image) /usr/local/wamedia.
for c in $REALHOST_MASTERS; do
	mkdir -p "$(rh_root "$c")/usr/local/wamedia/outgoing/sent"
	head -c 204800 /dev/urandom >"$(rh_root "$c")/usr/local/wamedia/outgoing/sent/master-own.jpg"
	touch -d "@$(($(date +%s) - 40 * REALHOST_DAY))" "$(rh_root "$c")/usr/local/wamedia/outgoing/sent/master-own.jpg"
done
rh_master_files() {
	for c in $REALHOST_MASTERS; do
		printf '%s:%s ' "$c" "$(stat -c '%i %s %Y' "$(rh_root "$c")/usr/local/wamedia/outgoing/sent/master-own.jpg" 2>&1)"
	done
}
rh_master_before=$(rh_master_files)
# Young media (2 days), then month-old media (31 to 60 days) until past high.
realhost_fill_media 2 12 256 young
rh_k=0
while [ "$(realhost_pct)" -le 86 ] && [ $rh_k -lt 400 ]; do
	realhost_media_file $((31 + rh_k * 7 % 30)) "$(if [ $((rh_k % 2)) -eq 0 ]; then echo outgoing/sent; else echo incoming/image; fi)/$(printf '%02x' $((rh_k % 16)))" \
		"old-$rh_k.jpg" 512
	rh_k=$((rh_k + 1))
done
sync -f "$REALHOST_MNT"
rh_before=$(realhost_pct)
tap_like "the one disk is past high (85%) with month-old and young media: ${rh_before}%" "$rh_before" '^(8[6-9]|9[0-9]|100)$'
# The dry run first: it estimates from the same candidates and changes nothing.
rh_media_before=$(find "$(realhost_media_root)" -type f | wc -l)
rh_out=$(realhost_rotd --config "$REALHOST_CONF" --now --remediate --dry-run --json 2>"$REALHOST_DIR/rem0.err")
rh_rc=$?
rh_is "1: --remediate --dry-run estimates low is reachable (exit 0)" "$rh_rc" 0 "$(cat "$REALHOST_DIR/rem0.err")" \
	"$(printf '%s' "$rh_out" | jq -c '.remediation | {filesystems, steps}' 2>&1)"
rh_is "1: the estimate's media step would free something" \
	"$(printf '%s' "$rh_out" | jq '[.remediation.steps[] | select(.what | startswith("oldest media")) | .freed] | add > 0')" true
rh_is "1: and the estimated usage is under low" \
	"$(printf '%s' "$rh_out" | jq '[.remediation.filesystems[] | select(.target) | .after.used_pct <= 80] | all')" true
rh_is "1: the dry run changed nothing: same Use% and every media file still there" \
	"$(realhost_pct) $(find "$(realhost_media_root)" -type f | wc -l)" "$rh_before $rh_media_before"
rh_out=$(realhost_rotd --config "$REALHOST_CONF" --now --remediate --json 2>"$REALHOST_DIR/rem1.err")
rh_rc=$?
rh_err=$(cat "$REALHOST_DIR/rem1.err")
rh_ok $rh_rc "1: rotd --now --remediate --json exits 0" "exit $rh_rc" "stderr:" "$rh_err" "report:" "$(printf '%s' "$rh_out" | jq -c '.remediation | {filesystems, steps, media, errors}' 2>&1)"
rh_after=$(realhost_pct)
printf '%s' "$rh_after" | grep -Eq '^([0-9]|[1-7][0-9]|80)$'
rh_ok $? "1: df shows the loop filesystem at or under low (80%): $rh_before% -> $rh_after%" "$(printf '%s' "$rh_out" | jq -c '.remediation.steps' 2>&1)"
rh_files=$(printf '%s' "$rh_out" | jq '.remediation.media.files' 2>/dev/null)
[ "${rh_files:-0}" != null ] && [ "${rh_files:-0}" -gt 0 ] 2>/dev/null
rh_ok $? "1: old media was pruned (.remediation.media.files = ${rh_files:-none})" "$(printf '%s' "$rh_out" | jq -c '.remediation.media' 2>&1)"
rh_is "1: every young media file is still there" "$(find "$(realhost_media_root)" -name 'young-2d-*' -type f | wc -l)" 12 \
	"$(printf '%s' "$rh_out" | jq -c '.remediation.media' 2>&1)"
rh_fsj=$(printf '%s' "$rh_out" | jq -c '[.remediation.filesystems[] | {"label": .label, "mount": .mount, "device": .device, "target": .target}]' 2>&1)
rh_n=$(printf '%s' "$rh_out" | jq --arg m "$REALHOST_MNT" --arg d "$REALHOST_LOOP" \
	'[.remediation.filesystems[] | select(.mount == $m and (.device == $d or .device == ($d | ltrimstr("/dev/"))))] | length' 2>/dev/null)
[ "${rh_n:-0}" -ge 1 ] 2>/dev/null
rh_ok $? "1: the filesystem is named by its mount point ($REALHOST_MNT) and device ($REALHOST_LOOP)" "filesystems: $rh_fsj"
printf '%s\n%s\n' "$rh_out" "$rh_err" | grep -q 'via biz-master'
[ $? -ne 0 ]
rh_ok $? "1: a master is never the media source (no \"via biz-master\")" "$(printf '%s\n%s\n' "$rh_out" "$rh_err" | grep -o '[^"]*via biz-master[^"]*' | head -n 3)"
rh_is "1: the masters' own /usr/local/wamedia file is untouched" "$(rh_master_files)" "$rh_master_before" \
	"$(printf '%s\n%s\n' "$rh_out" "$rh_err" | grep -o '[^"]*via [^"]*' | head -n 3)"

# --- 2. core logs where /var/log/whatsapp did not exist --------------------------------
rh_coreset="$REALHOST_CORES biz-master1-1"
for c in $rh_coreset; do realhost_core_logs "$c" 8 3; done
rh_out=$(realhost_rotd --config "$REALHOST_CONF" --now 2>&1)
rh_rc=$?
rh_ok $rh_rc "2: rotd --now over the fleet exits 0" "exit $rh_rc" "$rh_out"
rh_bad_dir= rh_bad_mode= rh_bad_arch= rh_bad_src= rh_bad_active=
for c in $rh_coreset; do
	r=$(rh_root "$c")
	a=$r/var/log/whatsapp/archive
	[ -d "$a" ] || rh_bad_dir="$rh_bad_dir $c"
	[ "$(stat -c '%a %u:%g' "$a" 2>/dev/null)" = "750 $(stat -c '%u:%g' "$r/var/log")" ] && [ "$(stat -c %u:%g "$r/var/log")" = 0:0 ] ||
		rh_bad_mode="$rh_bad_mode $c:$(stat -c '%a/%u:%g' "$a" 2>&1)"
	for f in $(cat "$REALHOST_DIR/rolled.$c" "$REALHOST_DIR/crash.$c"); do
		[ -e "$r/usr/local/waent/logs/$f" ] && rh_bad_src="$rh_bad_src $c:$f"
		rh_g=$(ls "$a" 2>/dev/null | grep -c "^logs_$f-.*\.gz\$")
		rh_one=$a/$(ls "$a" 2>/dev/null | grep "^logs_$f-.*\.gz\$" | head -n 1)
		want=$(grep "^$f " "$REALHOST_DIR/manifest.$c" | cut -d' ' -f3)
		if [ "$rh_g" -ne 1 ] || [ ! -f "$rh_one" ] || ! gzip -t "$rh_one" 2>/dev/null ||
			[ "$(gzip -dc "$rh_one" | md5sum | cut -d' ' -f1)" != "$want" ]; then
			rh_bad_arch="$rh_bad_arch $c:$f($rh_g)"
		fi
	done
	[ -f "$r/usr/local/waent/logs/$(cat "$REALHOST_DIR/active.$c")" ] || rh_bad_active="$rh_bad_active $c"
done
rh_is "2: each core's (and a master's) /var/log/whatsapp/archive exists" "$rh_bad_dir" "" \
	"rotd --now said:" "$(printf '%s' "$rh_out" | tail -n 30)"
rh_is "2: it is mode 0750, owned as /var/log (root)" "$rh_bad_mode" ""
rh_is "2: each rolled and crash file has one archive that passes gzip -t and holds it whole" "$rh_bad_arch" "" \
	"rotd --now said:" "$(printf '%s' "$rh_out" | tail -n 30)"
rh_is "2: the rolled and crash sources are gone" "$rh_bad_src" ""
rh_is "2: the active wa-service log is still there" "$rh_bad_active" ""
printf '%s' "$rh_out" | grep -q 'cannot create archive folder'
[ $? -ne 0 ]
rh_ok $? "2: rotd says nothing of \"cannot create archive folder\"" "$(printf '%s' "$rh_out" | grep 'cannot create archive folder' | head -n 4)"
tap_is "the masters' own /usr/local/wamedia file is still untouched after a full pass" "$(rh_master_files)" "$rh_master_before"

# --- 3. rolled files' archives stay at keep (per pattern) -----------------------------
rh_c=biz_wacore3_1
rh_r=$(rh_root "$rh_c")
realhost_conf_set "$REALHOST_CONF" "$REALHOST_DIR/keep5.conf" "keep = 5" "role core {" '  log "/usr/local/waent/logs/*.log" {'
rm -f "$rh_r"/var/log/whatsapp/archive/* "$REALHOST_DIR/rolled.$rh_c" "$REALHOST_DIR/manifest.$rh_c"
touch "$rh_r/usr/local/waent/logs/$(cat "$REALHOST_DIR/active.$rh_c")"
# 12 rolled files, 2 h to 35 h old: the newest first in rolled.$rh_c.
rh_k=0
while [ $rh_k -lt 12 ]; do
	f=wa-service-$(realhost_hex).log
	realhost_core_file "$rh_c" "$f" $(((2 + 3 * rh_k) * 3600)) $((20 + rh_k * 3))
	echo "$f" >>"$REALHOST_DIR/rolled.$rh_c"
	rh_k=$((rh_k + 1))
done
rh_kept() { ls "$rh_r/var/log/whatsapp/archive" 2>/dev/null | grep '^logs_wa-service-' | sed 's/^logs_\(wa-service-[0-9a-f]*\.log\)-.*/\1/' | sort | tr '\n' ' '; }
rh_out1=$(realhost_rotd --config "$REALHOST_DIR/keep5.conf" --now --container "$rh_c" 2>&1)
rh_rc=$?
rh_n=$(ls "$rh_r/var/log/whatsapp/archive" 2>/dev/null | grep -c '^logs_wa-service-')
rh_ok "$([ $rh_rc -eq 0 ] && [ "$rh_n" -eq 5 ] && echo 0 || echo 1)" \
	"3: keep = 5: after 12 rolled files, rotd --now leaves 5 archives of the pattern (exit $rh_rc, $rh_n)" \
	"$(ls "$rh_r/var/log/whatsapp/archive" 2>&1)" "$rh_out1"
rh_is "3: they are the archives of the 5 newest rolled files" "$(rh_kept)" "$(head -n 5 "$REALHOST_DIR/rolled.$rh_c" | sort | tr '\n' ' ')" \
	"$(ls "$rh_r/var/log/whatsapp/archive" 2>&1)" "$rh_out1"
# Three more, newer than all of those (80 to 100 minutes: idle past 1 h).
for m in 80 90 100; do
	f=wa-service-$(realhost_hex).log
	realhost_core_file "$rh_c" "$f" $((m * 60)) 30
	sed -i "1i $f" "$REALHOST_DIR/rolled.$rh_c"
done
sleep 1
rh_out2=$(realhost_rotd --config "$REALHOST_DIR/keep5.conf" --now --container "$rh_c" 2>&1)
rh_rc=$?
rh_n=$(ls "$rh_r/var/log/whatsapp/archive" 2>/dev/null | grep -c '^logs_wa-service-')
rh_ok "$([ $rh_rc -eq 0 ] && [ "$rh_n" -eq 5 ] && echo 0 || echo 1)" \
	"3: after 3 more and a second rotd --now: still exactly 5 (exit $rh_rc, $rh_n)" \
	"$(ls "$rh_r/var/log/whatsapp/archive" 2>&1)" "$rh_out2"
rh_is "3: the 5 newest: the 3 new ones and the 2 newest of before" "$(rh_kept)" "$(head -n 5 "$REALHOST_DIR/rolled.$rh_c" | sort | tr '\n' ' ')" \
	"$(ls "$rh_r/var/log/whatsapp/archive" 2>&1)" "$rh_out2"

# --- 4. max-age, max-size, archive-floor --------------------------------------------
rh_w=$(rh_root "$REALHOST_WEB")
rh_wa=$rh_w/var/log/whatsapp/archive
rh_arch() { ls "$rh_wa" 2>/dev/null | grep "^$1-" | sort | tr '\n' ' '; }
# 4a. max-age = 10d: web.log's archives older than 10 days go.
realhost_conf_set "$REALHOST_CONF" "$REALHOST_DIR/maxage.conf" "max-age = 10d" "role web {"
rm -rf "$rh_wa"
rh_keep_w=
for age in 2d 5d 9d; do rh_keep_w="$rh_keep_w$(realhost_archive "$REALHOST_WEB" web.log "$age" 2) "; done
for age in 11d 15d 30d; do realhost_archive "$REALHOST_WEB" web.log "$age" 2 >/dev/null; done
rh_keep_a=$(realhost_archive "$REALHOST_WEB" access.log 12d 2)
realhost_archive "$REALHOST_WEB" access.log 20d 2 >/dev/null
rh_out=$(realhost_rotd --config "$REALHOST_DIR/maxage.conf" --now --rotate-only --container "$REALHOST_WEB" 2>&1)
rh_rc=$?
rh_ok $rh_rc "4: rotd --now with max-age = 10d exits 0" "exit $rh_rc" "$rh_out"
rh_is "4: max-age = 10d: web.log's archives of 11, 15 and 30 days go, those of 2, 5, 9 stay" \
	"$(rh_arch web.log)" "$(printf '%s\n' $rh_keep_w | sort | tr '\n' ' ')" \
	"rotd --now said:" "$rh_out"
rh_is "4: max-age never drops the newest archive of a log (access.log's, 12 days)" "$(rh_arch access.log)" "$rh_keep_a " \
	"rotd --now said:" "$rh_out"
rm -rf "$rh_wa"
rh_keep_w=$(realhost_archive "$REALHOST_WEB" web.log 12d 2)
for age in 20d 40d; do realhost_archive "$REALHOST_WEB" web.log "$age" 2 >/dev/null; done
rh_out=$(realhost_rotd --config "$REALHOST_DIR/maxage.conf" --now --rotate-only --container "$REALHOST_WEB" 2>&1)
rh_is "4: max-age with every web.log archive past it keeps the newest (12 days)" "$(rh_arch web.log)" "$rh_keep_w " \
	"rotd --now said:" "$rh_out"
# 4b. max-size = 350K: six archives of 100 KiB, the 3 newest fit.
realhost_conf_set "$REALHOST_CONF" "$REALHOST_DIR/maxsize.conf" "max-size = 350K" "role web {"
rm -rf "$rh_wa"
rh_keep_w=
for age in 1d 2d 3d; do rh_keep_w="$rh_keep_w$(realhost_archive "$REALHOST_WEB" web.log "$age" 100) "; done
for age in 4d 5d 6d; do realhost_archive "$REALHOST_WEB" web.log "$age" 100 >/dev/null; done
rh_out=$(realhost_rotd --config "$REALHOST_DIR/maxsize.conf" --now --rotate-only --container "$REALHOST_WEB" 2>&1)
rh_rc=$?
rh_ok $rh_rc "4: rotd --now with max-size = 350K exits 0" "exit $rh_rc" "$rh_out"
rh_is "4: max-size = 350K: the 3 oldest of six 100 KiB archives go" "$(rh_arch web.log)" "$(printf '%s\n' $rh_keep_w | sort | tr '\n' ' ')" \
	"rotd --now said:" "$rh_out"
rh_sum=$(find "$rh_wa" -type f -printf '%s\n' 2>/dev/null | awk '{s += $1} END {print s + 0}')
tap_like "4: the folder is within its budget ($rh_sum bytes <= 358400)" "$rh_sum" '^([0-9]{1,5}|[0-2][0-9]{5}|3[0-4][0-9]{4}|35[0-7][0-9]{3}|358[0-3][0-9]{2}|358400)$'

# 4c. The emergency pass's last step: no media left to prune (only young media),
# the disk filled by the db past high, old archives in the web container.
realhost_conf_set "$REALHOST_CONF" "$REALHOST_DIR/floor.conf" "archive-floor = 2d" "watermarks {"
find "$(realhost_media_root)" -type f -mtime +7 -delete
rm -rf "$rh_wa"
# Droppable, oldest first: access.log 20d, web.log 12d, 8d, 5d, 3d (3 MiB each).
rh_elig="$(realhost_archive "$REALHOST_WEB" access.log 20d 3072) $(realhost_archive "$REALHOST_WEB" web.log 12d 3072)"
rh_elig="$rh_elig $(realhost_archive "$REALHOST_WEB" web.log 8d 3072) $(realhost_archive "$REALHOST_WEB" web.log 5d 3072)"
rh_elig="$rh_elig $(realhost_archive "$REALHOST_WEB" web.log 3d 3072)"
# Never dropped: younger than archive-floor (36 h, 12 h), the newest of access.log (4d).
rh_prot="$(realhost_archive "$REALHOST_WEB" web.log 36h 3072) $(realhost_archive "$REALHOST_WEB" web.log 12h 1024)"
rh_prot="$rh_prot $(realhost_archive "$REALHOST_WEB" access.log 4d 1024)"
realhost_fill_to 86 db
rh_before=$(realhost_pct)
tap_like "4: the disk is past high again, with no old media left: ${rh_before}%" "$rh_before" '^(8[6-9]|9[0-9]|100)$'
rh_out=$(realhost_rotd --config "$REALHOST_DIR/floor.conf" --now --remediate --json 2>"$REALHOST_DIR/rem4.err")
rh_rc=$?
rh_rep=$(printf '%s' "$rh_out" | jq -c '.remediation | {steps, archives_dropped, errors}' 2>&1)
rh_ok "$([ $rh_rc -eq 0 ] && [ "$(realhost_pct)" -le 80 ] && echo 0 || echo 1)" \
	"4: archive-floor step: rotd --now --remediate exits 0 and df is under low ($rh_before% -> $(realhost_pct)%, exit $rh_rc)" \
	"$rh_rep" "$(tail -n 20 "$REALHOST_DIR/rem4.err")"
rh_dropped=$(printf '%s' "$rh_out" | jq -r '.remediation.archives_dropped[]? | .path' 2>/dev/null | sed 's|.*/||' | sort | tr '\n' ' ')
rh_fields=$(printf '%s' "$rh_out" | jq -r '[.remediation.archives_dropped[]? | select((.container == "biz_waweb_1") and (.path | type == "string") and (.bytes > 0))] | length' 2>/dev/null)
rh_total=$(printf '%s' "$rh_out" | jq -r '[.remediation.archives_dropped[]?] | length' 2>/dev/null)
rh_ok "$([ "${rh_total:-0}" -gt 0 ] 2>/dev/null && [ "$rh_fields" = "$rh_total" ] && echo 0 || echo 1)" \
	"4: .remediation.archives_dropped lists what it dropped, with container, path and bytes (${rh_total:-0})" "$rh_rep"
# The dropped ones are exactly the oldest droppable ones, and they are gone.
rh_n=$(printf '%s\n' $rh_dropped | grep -c .)
rh_want=$(printf '%s\n' $rh_elig | head -n "$rh_n" | sort | tr '\n' ' ')
rh_ok "$([ "$rh_n" -gt 0 ] && [ "$rh_dropped" = "$rh_want" ] && echo 0 || echo 1)" "4: the oldest archives went first" \
	"dropped: ${rh_dropped:-none}" "oldest first would be: $rh_elig"
rh_left=
for a in $rh_dropped; do [ -e "$rh_wa/$a" ] && rh_left="$rh_left $a"; done
rh_is "4: and are gone" "$rh_left" "" \
	"$rh_rep"
rh_miss=
for a in $rh_prot; do [ -e "$rh_wa/$a" ] || rh_miss="$rh_miss $a"; done
rh_is "4: none younger than archive-floor (2d), nor the newest of a log, was dropped" "$rh_miss" "" \
	"$rh_rep"
rh_n=$(printf '%s' "$rh_out" | jq '[.remediation.steps[] | select((.what | test("archive"; "i")) and .freed > 0)] | length' 2>/dev/null)
rh_ok "$([ "${rh_n:-0}" -ge 1 ] 2>/dev/null && echo 0 || echo 1)" "4: the report has an archive step that freed space" "$rh_rep"
# Too little to drop: everything droppable goes, the floor and the newest still hold.
rm -rf "$rh_wa"
rh_elig="$(realhost_archive "$REALHOST_WEB" web.log 10d 1024) $(realhost_archive "$REALHOST_WEB" web.log 6d 1024)"
rh_prot="$(realhost_archive "$REALHOST_WEB" web.log 36h 3072) $(realhost_archive "$REALHOST_WEB" web.log 12h 1024)"
rh_prot="$rh_prot $(realhost_archive "$REALHOST_WEB" access.log 30d 1024)"
realhost_fill_to 86 db
rh_out=$(realhost_rotd --config "$REALHOST_DIR/floor.conf" --now --remediate --json 2>"$REALHOST_DIR/rem4b.err")
rh_rc=$?
rh_rep=$(printf '%s' "$rh_out" | jq -c '.remediation | {steps, archives_dropped, errors}' 2>&1)
rh_is "4: with too little droppable, --remediate exits 5" "$rh_rc" 5 \
	"$rh_rep" "$(tail -n 20 "$REALHOST_DIR/rem4b.err")"
rh_dropped=$(printf '%s' "$rh_out" | jq -r '.remediation.archives_dropped[]? | .path' 2>/dev/null | sed 's|.*/||' | sort | tr '\n' ' ')
rh_ok "$([ "$rh_dropped" = "$(printf '%s\n' $rh_elig | sort | tr '\n' ' ')" ] && echo 0 || echo 1)" \
	"4: it dropped every droppable archive (web.log 10d, 6d), and only those" "got: $rh_dropped" "want: $rh_elig" "$rh_rep"
rh_miss=
for a in $rh_prot; do [ -e "$rh_wa/$a" ] || rh_miss="$rh_miss $a"; done
rh_is "4: the 36 h one (under archive-floor 2d), the 12 h one and access.log's only one stay" "$rh_miss" "" \
	"$rh_rep"

# --- 5-7. the daemon on a full disk with nothing to free -----------------------------
rm -rf "$rh_wa"
realhost_fill_to 86 db
tap_like "5: the disk is past high with nothing left to free: $(realhost_pct)%" "$(realhost_pct)" '^(8[6-9]|9[0-9]|100)$'
rh_hour() { date -u -d "@$(($(date +%s) + $1 * 3600))" +%H:00; }
rh_dconf=$REALHOST_DIR/daemon.conf
rh_dlog=$REALHOST_DIR/daemon.log
# Every 5 s; the off-peak window far from now, so only remediation runs cleanup.sh.
sed -e 's/^interval = .*/interval = 5s/' -e "s|^state-file = .*|state-file = $REALHOST_DIR/daemon-state.json|" \
	-e "s|^  window = .*|  window = $(rh_hour 6)-$(rh_hour 7)|" -e 's|^  timezone = .*|  timezone = "UTC"|' \
	"$REALHOST_CONF" >"$rh_dconf"
for c in $REALHOST_CLEANUP; do rm -f "$(rh_root "$c")/tmp/cleanup-ran"; done
rm -f "$REALHOST_DIR/rotd.prom" "$REALHOST_DIR/status.json"
DOCKER_HOST=unix://$REALHOST_SOCK "$REAL_ROTD" --config "$rh_dconf" >"$rh_dlog" 2>&1 &
rh_daemon=$!
rh_dstart=$(date +%s)
wait_for 30 grep -q 'remediation (' "$rh_dlog"
rh_ok $? "5: the daemon (interval 5s) runs the emergency pass" "$(tail -n 20 "$rh_dlog")"
# ~45 s of intervals, then the cores' counts (before one of them stops).
rh_sleep_until $((rh_dstart + 45))
rh_cores_seen=
for c in $REALHOST_CORES; do rh_cores_seen="$rh_cores_seen$c=$(rh_markers "$c") "; done
# 6. A container stops; over the next ~30 s the daemon names it once at most.
rh_mark=$(wc -l <"$rh_dlog")
rh_s0=$(date +%s)
realhost_docker stop biz_wacore3_1 >/dev/null
tap_diag "docker stop biz_wacore3_1 took $(($(date +%s) - rh_s0)) s; state $(realhost_docker inspect -f '{{.State.Status}} {{.State.ExitCode}}' biz_wacore3_1)"
sleep 32
# One line says it stopped; a pass that was opening its root at that moment may
# add its own failure first (the race is real: one cycle, one more line). What
# must not happen is a line every interval.
rh_named=$(tail -n +"$((rh_mark + 1))" "$rh_dlog" | grep -c 'biz_wacore3_1')
rh_repeated=$(tail -n +"$((rh_mark + 1))" "$rh_dlog" | grep 'biz_wacore3_1' | sort | uniq -d | wc -l)
rh_ok "$([ "$rh_named" -le 2 ] && [ "$rh_repeated" -eq 0 ] && echo 0 || echo 1)" \
	"6: after biz_wacore3_1 stops, the daemon names it once (twice if a pass raced the stop), never again over 30 s ($rh_named)" \
	"$(tail -n +"$((rh_mark + 1))" "$rh_dlog" | grep 'biz_wacore3_1' | head -n 8)"
rh_sleep_until $((rh_dstart + 90))
rh_counts=
for c in $REALHOST_CLEANUP; do
	case $c in biz_wacore*) continue ;; esac
	rh_counts="$rh_counts$c=$(rh_markers "$c") "
done
rh_is "5: over ~45 s (9 intervals) cleanup.sh ran exactly once in each core" "$rh_cores_seen" "biz_wacore1_1=1 biz_wacore2_1=1 biz_wacore3_1=1 " \
	"daemon log:" "$(grep -v 'cleanup done' "$rh_dlog" | tail -n 20)"
rh_is "5: over ~90 s (18 intervals) exactly once in the web and each master" "$rh_counts" "biz_waweb_1=1 biz-master1-1=1 biz-master2-1=1 " \
	"daemon log:" "$(grep -v 'cleanup done' "$rh_dlog" | tail -n 20)"
rh_n=$(grep -c -E 'largest consumer|what takes the space' "$rh_dlog")
rh_ok "$([ "$rh_n" -eq 1 ] && echo 0 || echo 1)" \
	"5: the daemon logs what takes the space once, not every interval ($rh_n)" \
	"$(grep -E 'remediation|largest consumer|what takes the space' "$rh_dlog" | head -n 10)"
tap_diag "remediation lines in the daemon's log: $(grep -c 'remediation (' "$rh_dlog")"
# 7. A rotd --now beside the daemon: the counters of its metrics file never go back.
rh_totals() { grep -E '^rotd_[a-z_]+_total(\{[^}]*\})? ' "$REALHOST_DIR/rotd.prom" 2>/dev/null | sort; }
wait_for 10 test -s "$REALHOST_DIR/rotd.prom"
rh_m0=$(rh_totals)
rh_out=$(realhost_rotd --config "$rh_dconf" --now 2>&1)
rh_rc=$?
rh_m1=$(rh_totals)
rh_back=$(printf '%s\n' "$rh_m1" | awk -v before="$rh_m0" '
	BEGIN { n = split(before, b, "\n"); for (i = 1; i <= n; i++) if (b[i] != "") { k = b[i]; sub(/ [^ ]*$/, "", k); v = b[i]; sub(/.* /, "", v); want[k] = v } }
	{ k = $0; sub(/ [^ ]*$/, "", k); v = $0; sub(/.* /, "", v); got[k] = v }
	END { for (k in want) if (!(k in got) || got[k] + 0 < want[k] + 0) printf "%s %s -> %s; ", k, want[k], (k in got) ? got[k] : "gone" }')
rh_ok "$([ -n "$rh_m0" ] && [ -z "$rh_back" ] && echo 0 || echo 1)" \
	"7: a rotd --now beside the daemon leaves every *_total counter at least where it was ($(printf '%s\n' "$rh_m0" | grep -c .) series)" \
	"went back: ${rh_back:-none}" "rotd --now exit $rh_rc"
kill -TERM "$rh_daemon" 2>/dev/null
wait_until 40 "! kill -0 $rh_daemon"
kill -KILL "$rh_daemon" 2>/dev/null
wait "$rh_daemon"
rh_ok $? "the daemon stops on SIGTERM with exit 0" "$(tail -n 10 "$rh_dlog")"

# --- 8. status and metrics agree on a pass that fell short ------------------------------
sed -e 's/^interval = .*/interval = 1h/' -e "s|^state-file = .*|state-file = $REALHOST_DIR/daemon2-state.json|" \
	"$rh_dconf" >"$rh_dconf.2"
rm -f "$REALHOST_DIR/rotd.prom" "$REALHOST_DIR/status.json"
realhost_fill_to 86 db
DOCKER_HOST=unix://$REALHOST_SOCK "$REAL_ROTD" --config "$rh_dconf.2" >"$rh_dlog.2" 2>&1 &
rh_daemon=$!
wait_for 40 sh -c "jq -e '.last_pass != null' '$REALHOST_DIR/status.json' && test -s '$REALHOST_DIR/rotd.prom'"
rh_ok $? "8: a daemon (interval 1h) on the full disk finishes its first pass" "$(tail -n 20 "$rh_dlog.2")"
rh_st=$(realhost_rotd --config "$rh_dconf.2" status --json 2>&1)
rh_is "8: rotd status --json: the last pass's exit code is 5" "$(printf '%s' "$rh_st" | jq -r '.last_pass.exit_code' 2>&1)" 5 \
	"$(printf '%s' "$rh_st" | jq -c '.last_pass | {exit_code, summary}' 2>&1)" "$(tail -n 10 "$rh_dlog.2")"
rh_is "8: the metrics say the same: rotd_last_pass_success 0, rotd_last_remediation_reached_low 0" \
	"$(grep -E '^rotd_last_(pass_success|remediation_reached_low) ' "$REALHOST_DIR/rotd.prom" | sort | tr '\n' ' ')" \
	"rotd_last_pass_success 0 rotd_last_remediation_reached_low 0 " \
	"$(grep -v '^#' "$REALHOST_DIR/rotd.prom" 2>&1 | grep -E 'last|remediation')"
rh_out=$(realhost_rotd --config "$rh_dconf.2" --now --remediate 2>&1)
rh_rc=$?
rh_ok "$([ $rh_rc -eq 5 ] && echo 0 || echo 1)" "8: rotd --now --remediate in that state exits 5 ($rh_rc)" "$(printf '%s' "$rh_out" | tail -n 25)"
rh_out=$(realhost_rotd --config "$rh_dconf.2" --now --remediate --dry-run 2>&1)
rh_rc=$?
rh_ok "$([ $rh_rc -eq 5 ] && echo 0 || echo 1)" "8: and --remediate --dry-run estimates it falls short (exit 5, $rh_rc)" "$(printf '%s' "$rh_out" | tail -n 25)"
kill -TERM "$rh_daemon" 2>/dev/null
wait_until 40 "! kill -0 $rh_daemon"
kill -KILL "$rh_daemon" 2>/dev/null
wait "$rh_daemon"
tap_is "the masters' own /usr/local/wamedia file is untouched at the end" "$(rh_master_files)" "$rh_master_before"

tap_diag "scenario 96 took $(($(date +%s) - rh_t0)) s; dockerd log: $(grep -ciE 'no space left' "$REALHOST_DIR/dockerd.log") 'no space left' lines"
realhost_stop
