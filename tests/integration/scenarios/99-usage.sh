# rotd usage on the realistic host (tests/harness/realhost.sh): the answer to
# "what fills this disk" checked against what du, df and the engine say of the
# same paths, on one 160 MiB loop-mounted ext4 that is the engine's data-root.
# The fixture makes every figure non-trivial: live logs and archives of
# different sizes per container (none at all in one master), a file written
# into two containers' writable layers outside any volume, media of 1 to 40
# days against a media floor of 10 days (so prunable_bytes is a strict part of
# bytes), a json-file log grown by a core's output until that core is the
# largest consumer, and entries du neither counts twice nor follows (a second
# link to an archive, a symlinked log, a symlink to / in the volume). Checked,
# each on its own line:
#   1. the filesystem: mount and device; bytes within 1% and percentages of
#      bytes and of inodes within a point of df;
#   2. every container, the db, an nginx and a redis without a role too: role,
#      state, filesystem; live logs and archives within 1% of du -sb through
#      /proc/PID/root; the engine log as its log driver keeps it (the json-file
#      log at LogPath, with the files the engine rotated for the nginx's
#      max-file; the local driver's folder for the redis); the writable layer
#      as SizeRw;
#   3. the whatsappMedia volume once, though four containers mount it: bytes,
#      files and prunable bytes as du and find count them on its mountpoint;
#   4. the text form: every container, the volume, the largest consumer named
#      at its end;
#   5. --container NAME narrows the output to those containers;
#   6. a host folder bound at a fourth core's media root: listed once beside
#      the volume, by its host path, with the host filesystem that holds it;
#   7. a stopped container: its state, null live-log figures, and the engine's
#      figures still there;
#   8. the same against Podman's API service, with the figures Podman reports.
# The engine is torn down at the end, and by run.sh's EXIT trap on failure.

# Sourced by run.sh, which sets srcdir; realhost.sh sets REALHOST_*.
# shellcheck disable=SC2154,SC2153
us_t0=$(date +%s)
us_floor_days=10

# us_near GOT WANT: 0 when both are integers and GOT is within 1% of WANT.
us_near() {
	printf '%s %s\n' "$1" "$2" | awk '$1 !~ /^[0-9]+$/ || $2 !~ /^[0-9]+$/ { exit 1 }
		{ d = $1 - $2; if (d < 0) d = -d; exit !(d * 100 <= $2) }'
}
# us_point GOT WANT: 0 when both are numbers and GOT is within one point of WANT.
us_point() {
	printf '%s %s\n' "$1" "$2" | awk '$1 !~ /^[0-9]+(\.[0-9]+)?$/ || $2 !~ /^[0-9]+$/ { exit 1 }
		{ d = $1 - $2; if (d < 0) d = -d; exit !(d <= 1) }'
}
# us_check_near DESC GOT WANT [DIAG...]: a result for us_near, saying what differed.
us_check_near() {
	us_d=$1 us_g=$2 us_w=$3
	shift 3
	us_near "$us_g" "$us_w"
	us_rc=$?
	tap_result $us_rc "$us_d (rotd $us_g, want $us_w)"
	[ $us_rc -eq 0 ] || tap_diag "rotd says $us_g, the reference says $us_w: more than 1% apart" "$@"
}
# us_is DESC GOT WANT [DIAG...]: as tap_is, with diagnostics on failure.
us_is() {
	us_d=$1 us_g=$2 us_w=$3
	shift 3
	[ "$us_g" = "$us_w" ]
	us_rc=$?
	tap_result $us_rc "$us_d"
	[ $us_rc -eq 0 ] || tap_diag "got:  $us_g" "want: $us_w" "$@"
}
us_root() { realhost_ctr_root "$1"; }
# us_du PATH...: du -sb of the paths that exist, added up (0 for none).
us_du() {
	us_n=0
	for us_p in "$@"; do { [ -e "$us_p" ] || [ -L "$us_p" ]; } && us_n=$((us_n + $(du -sb "$us_p" | cut -f1))); done
	echo "$us_n"
}
# us_patterns NAME: the log patterns of NAME's role in the config (conf/rotd.conf).
us_patterns() {
	case $1 in
	biz_waweb_1) echo '/var/log/whatsapp/*.log /var/log/lighttpd/*.log' ;;
	biz_db_1 | biz_nginx_1 | biz_redis_1) ;;
	*) echo '/usr/local/waent/logs/*.log /var/log/whatsapp/*.log' ;;
	esac
}
# us_live_files NAME: the files NAME's role's log patterns match, through /proc/PID/root.
us_live_files() {
	us_r=$(us_root "$1")
	# shellcheck disable=SC2086 # the patterns are globbed on purpose
	for us_pat in $(us_patterns "$1"); do for us_p in "$us_r"$us_pat; do { [ -e "$us_p" ] || [ -L "$us_p" ]; } && printf '%s\n' "$us_p"; done; done
}
# us_live NAME: du -sb of the files NAME's role's log patterns match, through /proc/PID/root.
us_live() {
	# shellcheck disable=SC2046 # the paths have no spaces
	us_du $(us_live_files "$1")
}
# us_arch NAME: du -sb of NAME's archive folder (every role here has /var/log/whatsapp/archive).
us_arch() { us_du "$(us_root "$1")/var/log/whatsapp/archive"; }
us_logpath() { realhost_docker inspect -f '{{.LogPath}}' "$1"; }
# us_engine_log NAME: du -sb of what NAME's log driver keeps: the json-file log at
# LogPath and its rotated files (LogPath.1, ...); for the local driver, which
# names no LogPath, its folder <data-root>/containers/ID/local-logs.
us_engine_log() {
	us_lp=$(us_logpath "$1")
	if [ -n "$us_lp" ]; then
		# shellcheck disable=SC2046 # the rotated files (the paths have no spaces)
		us_du "$us_lp" $(ls "$us_lp".* 2>/dev/null)
	else
		us_du "$REALHOST_MNT/containers/$(realhost_docker inspect -f '{{.Id}}' "$1")/local-logs"
	fi
}
us_engine_files() { ls -l "$REALHOST_MNT/containers/$(realhost_docker inspect -f '{{.Id}}' "$1")"/*log* 2>&1; }
us_sizerw() { realhost_docker inspect --size -f '{{.SizeRw}}' "$1"; }
# us_field JSON NAME FIELD: FIELD of container NAME in a usage report ("absent" without it).
us_field() {
	printf '%s' "$1" | jq -r --arg n "$2" --arg f "$3" \
		'[.containers[]? | select(.name == $n) | .[$f]] | if length == 0 then "absent" else .[0] end' 2>&1
}
# us_say NAME KB: NAME's PID 1 writes about KB KiB of lines to its stdout, which
# the engine copies into its json-file log; returns once the log stops growing.
us_say() {
	# shellcheck disable=SC2016 # expanded in the container
	realhost_docker exec "$1" sh -c 'n=$(($1 * 1024 / 100)); i=0; ts=$(date -u +%Y-%m-%dT%H:%M:%SZ)
		while [ $i -lt $n ]; do
		echo "$ts [info] handled request $i: message queue drained, all peers connected, ack sent ok"
		i=$((i + 1)); done >/proc/1/fd/1' sh "$2" || return 1
	us_lp=$(us_logpath "$1")
	us_was=-1
	while [ "$(stat -c %s "$us_lp")" != "$us_was" ]; do
		us_was=$(stat -c %s "$us_lp")
		sleep 1
	done
}

# --- the host -------------------------------------------------------------------
us_failed_at_start=$TAP_FAILED   # failures of earlier scenarios are not this host's
realhost_start 160
tap_result $? "usage: a realistic host: dockerd whose whole data-root is a 160 MiB loop-mounted ext4"
if [ -z "$REALHOST_PID" ] || ! kill -0 "$REALHOST_PID" 2>/dev/null; then tap_bail "the realistic host's engine did not start"; fi
realhost_build_images
tap_result $? "usage: web, coreapp and mysql images shaped like the real ones are imported"
realhost_start_fleet
tap_result $? "usage: the fleet starts: two masters, three cores, a web and a db"
[ "$TAP_FAILED" -eq "$us_failed_at_start" ] || tap_bail "the realistic host could not be built"
realhost_conf "$srcdir/conf/rotd.conf"
us_conf=$REALHOST_DIR/usage.conf
realhost_conf_set "$REALHOST_CONF" "$us_conf" "floor = ${us_floor_days}d" "media {"
tap_like "usage: the scenario's config sets a media floor of $us_floor_days days" "$(grep -E '^ *floor = ' "$us_conf")" \
	"^ *floor = ${us_floor_days}d\$"

# --- the data --------------------------------------------------------------------
# Two more without a role, beside the db: an nginx whose json-file log the engine
# rotates (max-size 100k, max-file 3), a redis on the engine's local log driver.
realhost_run biz_nginx_1 biz nginx 1.29.2 mysql:5.7 "$(realhost_chatty nginx 3000)" \
	--log-opt max-size=100k --log-opt max-file=3
us_rc=$?
realhost_run biz_redis_1 biz redis 1.29.2 mysql:5.7 "$(realhost_chatty redis 6000)" --log-driver local
tap_result $((us_rc + $?)) "usage: biz_nginx_1 (json-file, max-size 100k, max-file 3) and biz_redis_1 (local log driver) start"
for us_c in biz_nginx_1 biz_redis_1; do
	head -c 65536 /dev/urandom >"$(us_root "$us_c")/tmp/cache.bin"
	us_was=-1
	while [ "$(us_engine_log "$us_c")" != "$us_was" ]; do
		us_was=$(us_engine_log "$us_c")
		sleep 1
	done
done
us_all="biz-master1-1 biz-master2-1 biz_db_1 biz_nginx_1 biz_redis_1 biz_wacore1_1 biz_wacore2_1 biz_wacore3_1 biz_waweb_1"
# Live logs of different sizes; biz-master2-1 has none at all.
seq 1 150000 | sed 's/^/GET \/v1\/messages 200 /' >"$(us_root biz_waweb_1)/var/log/whatsapp/web.log"
realhost_core_logs biz_wacore1_1 3 1
realhost_core_logs biz_wacore2_1 6 2
realhost_core_file biz_wacore3_1 "wa-service-$(realhost_hex).log" 5 200
realhost_core_logs biz-master1-1 2 0
# Archives of different sizes (KiB; each folder well over 100 times its own 4 KiB entry).
for us_spec in biz_waweb_1:web.log:5d:500 biz_waweb_1:web.log:3d:300 biz_waweb_1:access.log:2d:200 \
	biz_wacore1_1:wa-service.log:4d:400 biz_wacore1_1:wa-service.log:6d:450 biz_wacore2_1:wa-service.log:2d:800 \
	biz-master1-1:master.log:3d:600; do
	IFS=: read -r us_c us_f us_age us_kb <<EOF
$us_spec
EOF
	realhost_archive "$us_c" "$us_f" "$us_age" "$us_kb" >/dev/null
done
# Entries du does not count twice or follow: a second link to an archive (one
# walk counts it once), a log pattern's match that is a symlink to 400 KiB of
# media, a symlink in the volume to the container's /.
us_a=$(us_root biz_waweb_1)/var/log/whatsapp/archive
us_f=$(find "$us_a" -name "web.log-*.gz" -printf "%f\n" | head -n 1)
ln "$us_a/$us_f" "$us_a/$us_f.bak"
ln -s /usr/local/wamedia/outgoing/sent/5f/m-40d-400.bin "$(us_root biz_waweb_1)/var/log/whatsapp/media.log"
# The writable layer, outside every volume: a dump in the db, a blob in a master.
head -c 1572864 /dev/urandom >"$(us_root biz_db_1)/root/dump.sql"
mkdir -p "$(us_root biz-master1-1)/opt/whatsapp/data"
head -c 716800 /dev/urandom >"$(us_root biz-master1-1)/opt/whatsapp/data/blob.bin"
# Media of 1 to 40 days; those of 12 and 40 days are past the floor of 10.
for us_spec in 1:incoming/image/0a:300 1:outgoing/sent/1b:120 5:incoming/document/2c:250 12:outgoing/sent/3d:180 \
	12:incoming/image/4e:90 40:outgoing/sent/5f:400 40:incoming/video/6a:330; do
	us_age=${us_spec%%:*} us_rest=${us_spec#*:}
	realhost_media_file "$us_age" "${us_rest%:*}" "m-${us_age}d-${us_rest##*:}.bin" "${us_rest##*:}"
done
ln -s / "$(realhost_media_root)/outgoing/escape"
# The third core talks: its json-file log grows by some MiB of output.
us_say biz_wacore3_1 8192
us_n=$(stat -c %s "$(us_logpath biz_wacore3_1)")
[ "$us_n" -gt 8388608 ] 2>/dev/null
tap_result $? "usage: biz_wacore3_1's output grows its json-file log past 8 MiB ($us_n bytes)"
sync -f "$REALHOST_MNT"
us_vol=$(realhost_docker volume inspect -f '{{.Mountpoint}}' whatsappMedia)
tap_like "usage: fixture: db's writable layer holds its 1.5 MiB dump (SizeRw $(us_sizerw biz_db_1))" \
	"$(us_sizerw biz_db_1)" '^(1[5-9]|[2-9][0-9])[0-9]{5}$'
tap_diag "usage: loop filesystem $REALHOST_LOOP on $REALHOST_MNT: $(realhost_df); fixture after $(($(date +%s) - us_t0)) s"

# --- rotd usage --json ---------------------------------------------------------------
us_json=$(realhost_rotd --config "$us_conf" usage --json 2>"$REALHOST_DIR/usage.err")
us_rc=$?
us_at=$(date +%s)
# The references, at once: nothing on this host writes meanwhile.
us_df=$(df -B1 --output=size,used,pcent,ipcent "$REALHOST_MNT" | tail -n 1 | tr -d '%')
# The text form's notes say why a figure is missing.
us_text0=$(realhost_rotd --config "$us_conf" usage 2>&1)
us_is "usage: rotd usage --json exits 0" "$us_rc" 0
us_is "usage: with nothing on stderr" "$(cat "$REALHOST_DIR/usage.err")" ""
printf '%s' "$us_json" | jq -ne 'input | (.filesystems | type) == "array" and (.containers | type) == "array" and (.volumes | type) == "array"' \
	>/dev/null 2>&1
us_rc=$?
tap_result $us_rc "usage: the report is JSON with filesystems[], containers[] and volumes[]"
[ $us_rc -eq 0 ] || tap_diag "$(printf '%s' "$us_json" | head -c 2000)"

# --- 1. the filesystem ------------------------------------------------------------------
us_is "usage 1: one filesystem holds it all, named by its host mount point and device" \
	"$(printf '%s' "$us_json" | jq -c '[.filesystems[]? | {mount, device}]' 2>&1)" \
	"[{\"mount\":\"$REALHOST_MNT\",\"device\":\"$REALHOST_LOOP\"}]"
us_fs() { printf '%s' "$us_json" | jq -r --arg m "$REALHOST_MNT" "[.filesystems[]? | select(.mount == \$m) | .$1] | first" 2>&1; }
read -r us_dsize us_dused us_dpct us_dipct <<EOF
$us_df
EOF
us_check_near "usage 1: bytes_total as df counts it" "$(us_fs bytes_total)" "$us_dsize" "df -B1 --output=size: $us_dsize"
us_check_near "usage 1: bytes_used as df counts it" "$(us_fs bytes_used)" "$us_dused" "df -B1 --output=used: $us_dused"
us_point "$(us_fs used_percent)" "$us_dpct"
us_rc=$?
tap_result $us_rc "usage 1: used_percent within a point of df's Use% (rotd $(us_fs used_percent), df $us_dpct)"
[ $us_rc -eq 0 ] || tap_diag "df: $(realhost_df)"
us_point "$(us_fs inodes_used_percent)" "$us_dipct"
us_rc=$?
tap_result $us_rc "usage 1: inodes_used_percent within a point of df's IUse% (rotd $(us_fs inodes_used_percent), df $us_dipct)"
[ $us_rc -eq 0 ] || tap_diag "$(df -i "$REALHOST_MNT" | tail -n 1)"

# --- 2. every container --------------------------------------------------------------------
us_is "usage 2: every container is listed once, those without a role (db, nginx, redis) too" \
	"$(printf '%s' "$us_json" | jq -r '.containers[]?.name' 2>&1 | LC_ALL=C sort | tr '\n' ' ')" "$us_all "
us_role() {
	case $1 in
	biz-master*) echo master ;;
	biz_wacore*) echo core ;;
	biz_waweb_1) echo web ;;
	*) echo null ;;
	esac
}
for us_c in $us_all; do
	us_is "usage 2: $us_c: role and state" "$(us_field "$us_json" "$us_c" role) $(us_field "$us_json" "$us_c" state)" \
		"$(us_role "$us_c") running"
done
# A container's and a volume's filesystem: the loop filesystem's mount point (or its label, if it has one).
us_fsname=$(printf '%s' "$us_json" | jq -r --arg m "$REALHOST_MNT" '[.filesystems[]? | select(.mount == $m) | .label // .mount] | first' 2>/dev/null)
us_on_loop() { [ "$1" = "$REALHOST_MNT" ] || { [ -n "$us_fsname" ] && [ "$1" = "$us_fsname" ]; }; }
us_bad=
for us_c in $us_all; do
	us_f=$(us_field "$us_json" "$us_c" filesystem)
	us_on_loop "$us_f" || us_bad="$us_bad $us_c=$us_f"
done
us_is "usage 2: every container lives on the loop filesystem ($REALHOST_MNT)" "$us_bad" ""
for us_c in $us_all; do
	us_r=$(us_root "$us_c")
	if [ "$(us_role "$us_c")" = null ]; then
		us_is "usage 2: $us_c has no role, so no live-log or archive figure (null)" \
			"$(us_field "$us_json" "$us_c" live_logs_bytes) $(us_field "$us_json" "$us_c" archives_bytes)" "null null"
	else
		us_check_near "usage 2: $us_c: live_logs_bytes within 1% of du -sb of its role's log patterns" \
			"$(us_field "$us_json" "$us_c" live_logs_bytes)" "$(us_live "$us_c")" \
			"patterns: $(us_patterns "$us_c") under $us_r" \
			"$(us_live_files "$us_c" | xargs -r du -ab)"
		us_check_near "usage 2: $us_c: archives_bytes within 1% of du -sb of /var/log/whatsapp/archive" \
			"$(us_field "$us_json" "$us_c" archives_bytes)" "$(us_arch "$us_c")" \
			"$(du -ab "$us_r/var/log/whatsapp/archive" 2>&1)"
	fi
	us_check_near "usage 2: $us_c: engine_log_bytes is what its log driver keeps ($(realhost_docker inspect -f '{{.HostConfig.LogConfig.Type}}' "$us_c"))" \
		"$(us_field "$us_json" "$us_c" engine_log_bytes)" "$(us_engine_log "$us_c")" "LogPath: $(us_logpath "$us_c")" \
		"$(us_engine_files "$us_c")" "rotd's note: $(printf '%s\n' "$us_text0" | grep -F "? $us_c:")"
	us_check_near "usage 2: $us_c: writable_layer_bytes is the engine's SizeRw" \
		"$(us_field "$us_json" "$us_c" writable_layer_bytes)" "$(us_sizerw "$us_c")" \
		"docker ps -s: $(realhost_docker ps -s --filter "name=^$us_c\$" --format '{{.Size}}')"
done
tap_diag "usage: the containers as rotd sees them:" \
	"$(printf '%s' "$us_json" | jq -c '.containers[]? | [.name, .live_logs_bytes, .archives_bytes, .engine_log_bytes, .writable_layer_bytes]' 2>&1)"

# --- 3. the shared volume, once --------------------------------------------------------------
us_is "usage 3: the media volume is listed once, though the cores and the web all mount it" \
	"$(printf '%s' "$us_json" | jq -c '[.volumes[]? | .key]' 2>&1)" '["volume:whatsappMedia"]'
us_v() { printf '%s' "$us_json" | jq -r "[.volumes[]? | select(.key == \"volume:whatsappMedia\") | .$1] | first" 2>&1; }
us_f=$(us_v filesystem)
us_on_loop "$us_f"
us_is "usage 3: by its name, on the loop filesystem" "$(us_v name) $?" "whatsappMedia 0" "its filesystem: $us_f"
us_is "usage 3: with the containers that mount it, and not the masters" "$(us_v 'containers | join(" ")')" \
	"biz_wacore1_1 biz_wacore2_1 biz_wacore3_1 biz_waweb_1"
us_check_near "usage 3: bytes within 1% of du -sb of the volume's mountpoint" "$(us_v bytes)" "$(us_du "$us_vol")" \
	"mountpoint $us_vol" "$(du -ab "$us_vol")"
us_is "usage 3: files: the regular files under it" "$(us_v files)" "$(find "$us_vol" -type f | wc -l | tr -d ' ')" \
	"$(find "$us_vol" -type f)"
us_old=$(find "$us_vol" -type f ! -newermt "@$((us_at - us_floor_days * REALHOST_DAY))" -printf '%s\n' | awk '{s += $1} END {print s + 0}')
us_check_near "usage 3: prunable_bytes: the files older than the ${us_floor_days}-day media floor" "$(us_v prunable_bytes)" "$us_old" \
	"$(find "$us_vol" -type f -printf '%TY-%Tm-%Td %s %p\n' | sort)"
us_p=$(us_v prunable_bytes) us_b=$(us_v bytes)
[ "$us_p" -gt 0 ] 2>/dev/null && [ "$us_p" -lt "$us_b" ] 2>/dev/null
tap_result $? "usage 3: prunable_bytes is a strict part of bytes ($us_p of $us_b)"

# --- 4. the text form -----------------------------------------------------------------------------
us_text=$(realhost_rotd --config "$us_conf" usage 2>&1)
us_is "usage 4: rotd usage (text) exits 0" "$?" 0 "$us_text"
tap_diag "usage 4: rotd usage says:" "$us_text"
us_miss=
for us_c in $us_all whatsappMedia "$REALHOST_MNT"; do
	printf '%s\n' "$us_text" | grep -qF -- "$us_c" || us_miss="$us_miss $us_c"
done
us_is "usage 4: the table names every container, the volume and the filesystem" "$us_miss" "" "$us_text"
# The largest consumer by the references: each container's figures added up, and the volume.
us_big=$(for us_c in $us_all; do
	printf '%s %s\n' $(($(us_live "$us_c") + $(us_arch "$us_c") + $(us_engine_log "$us_c") + $(us_sizerw "$us_c"))) "$us_c"
done
printf '%s whatsappMedia\n' "$(us_du "$us_vol")")
us_top=$(printf '%s\n' "$us_big" | sort -rn | head -n 1 | cut -d' ' -f2)
us_is "usage 4: fixture: the talkative core is the largest consumer" "$us_top" biz_wacore3_1 "$us_big"
tap_like "usage 4: the text ends by naming the largest consumer, $us_top" \
	"$(printf '%s\n' "$us_text" | grep -v '^[[:space:]]*$' | tail -n 2)" "$us_top"

# --- 5. --container narrows ------------------------------------------------------------------------
us_one=$(realhost_rotd --config "$us_conf" usage --json --container biz_db_1 2>&1)
us_is "usage 5: --container biz_db_1 lists only biz_db_1" "$(printf '%s' "$us_one" | jq -c '[.containers[]?.name]' 2>&1)" \
	'["biz_db_1"]'
us_is "usage 5: with the same figures as the whole report" \
	"$(printf '%s' "$us_one" | jq -c '.containers[0] | [.role, .engine_log_bytes, .writable_layer_bytes]' 2>&1)" \
	"$(printf '%s' "$us_json" | jq -c '.containers[] | select(.name == "biz_db_1") | [.role, .engine_log_bytes, .writable_layer_bytes]' 2>&1)"
us_two=$(realhost_rotd --config "$us_conf" usage --json --container biz_waweb_1 --container biz-master1-1 2>&1)
us_is "usage 5: two --container names list those two" \
	"$(printf '%s' "$us_two" | jq -r '.containers[]?.name' 2>&1 | LC_ALL=C sort | tr '\n' ' ')" "biz-master1-1 biz_waweb_1 "
us_text=$(realhost_rotd --config "$us_conf" usage --container biz_waweb_1 2>&1)
us_rc=$?
us_names=
for us_c in $us_all; do
	printf '%s\n' "$us_text" | grep -qF -- "$us_c" && us_names="$us_names $us_c"
done
us_is "usage 5: the text form with --container biz_waweb_1 exits 0 and names that container alone" "$us_rc:$us_names" \
	"0: biz_waweb_1" "$us_text"

# --- 6. a bind mount at the media root, on another filesystem ----------------------------------------
# A fourth core whose media root is a host folder, as compose files with
# ./media:/usr/local/wamedia have it; the folder is on the host's own
# filesystem, not the loop one.
us_bind=$REALHOST_DIR/srv-media
mkdir -p "$us_bind/outgoing/sent/7c" "$us_bind/incoming/image/8d"
head -c 262144 /dev/urandom >"$us_bind/outgoing/sent/7c/bind-40d.jpg"
head -c 131072 /dev/urandom >"$us_bind/incoming/image/8d/bind-1d.jpg"
touch -d "@$(($(date +%s) - 40 * REALHOST_DAY))" "$us_bind/outgoing/sent/7c/bind-40d.jpg"
touch -d "@$(($(date +%s) - REALHOST_DAY))" "$us_bind/incoming/image/8d/bind-1d.jpg"
realhost_run biz_wacore4_1 biz wacore4 1.29.2 docker.whatsapp.biz/coreapp:v2.51.1 "$(realhost_chatty wacore4 10)" \
	-v "$us_bind:/usr/local/wamedia" -e WA_DB_ENGINE=MYSQL -e WA_DB_HOSTNAME=db
tap_result $? "usage 6: biz_wacore4_1 starts with the host folder $us_bind bound at its media root"
us_json=$(realhost_rotd --config "$us_conf" usage --json 2>"$REALHOST_DIR/usage.err")
us_is "usage 6: rotd usage --json exits 0" "$?" 0 "$(cat "$REALHOST_DIR/usage.err")"
read -r us_bmnt us_bdev us_bpct <<EOF
$(df --output=target,source,pcent "$us_bind" | tail -n 1 | tr -d '%')
EOF
us_is "usage 6: two media roots, each once: the bind and the volume" \
	"$(printf '%s' "$us_json" | jq -c '[.volumes[]? | .key] | sort' 2>&1)" "[\"bind:$us_bind\",\"volume:whatsappMedia\"]"
us_b() { printf '%s' "$us_json" | jq -r --arg k "bind:$us_bind" "[.volumes[]? | select(.key == \$k) | .$1] | first" 2>&1; }
us_is "usage 6: the bind by its host path, mounted by biz_wacore4_1 alone, on $us_bmnt" \
	"$(us_b name) [$(us_b 'containers | join(" ")')] $(us_b filesystem)" "$us_bind [biz_wacore4_1] $us_bmnt"
us_check_near "usage 6: the bind's bytes within 1% of du -sb of the folder" "$(us_b bytes)" "$(us_du "$us_bind")" "$(du -ab "$us_bind")"
us_check_near "usage 6: its prunable_bytes: its file of 40 days" "$(us_b prunable_bytes)" 262144
us_is "usage 6: the volume is still shared by the same four containers" "$(us_v 'containers | join(" ")')" \
	"biz_wacore1_1 biz_wacore2_1 biz_wacore3_1 biz_waweb_1"
us_is "usage 6: the host filesystem that holds the bind is listed by its mount point and device" \
	"$(printf '%s' "$us_json" | jq -c --arg m "$us_bmnt" '[.filesystems[]? | select(.mount == $m) | .device]' 2>&1)" \
	"[\"$us_bdev\"]" "filesystems: $(printf '%s' "$us_json" | jq -c '[.filesystems[]? | {mount, device}]' 2>&1)"
us_f=$(printf '%s' "$us_json" | jq -r --arg m "$us_bmnt" '[.filesystems[]? | select(.mount == $m) | .used_percent] | first' 2>&1)
us_point "$us_f" "$us_bpct"
tap_result $? "usage 6: its used_percent within a point of df's (rotd $us_f, df $us_bpct)"

# --- 7. a stopped container ---------------------------------------------------------------------------
realhost_docker stop biz-master2-1 >/dev/null
us_json=$(realhost_rotd --config "$us_conf" usage --json 2>"$REALHOST_DIR/usage.err")
us_is "usage 7: with biz-master2-1 stopped, rotd usage --json exits 0" "$?" 0
us_is "usage 7: biz-master2-1 is listed with its role and the engine's state" \
	"$(us_field "$us_json" biz-master2-1 role) $(us_field "$us_json" biz-master2-1 state)" \
	"master $(realhost_docker inspect -f '{{.State.Status}}' biz-master2-1)"
us_is "usage 7: and null live-log and archive figures (it has no tree to read)" \
	"$(us_field "$us_json" biz-master2-1 live_logs_bytes) $(us_field "$us_json" biz-master2-1 archives_bytes)" "null null"
us_f=$(us_field "$us_json" biz-master2-1 filesystem)
us_on_loop "$us_f"
us_is "usage 7: it still lives on the loop filesystem, where its layer and its engine log are" "$?" 0 \
	"its filesystem: $us_f" "LogPath: $(us_logpath biz-master2-1)"
us_check_near "usage 7: its engine log is still its json-file log at LogPath" \
	"$(us_field "$us_json" biz-master2-1 engine_log_bytes)" "$(us_du "$(us_logpath biz-master2-1)")"
us_check_near "usage 7: its writable layer is still the engine's SizeRw" \
	"$(us_field "$us_json" biz-master2-1 writable_layer_bytes)" "$(us_sizerw biz-master2-1)"

realhost_stop

# --- 8. Podman: the same command with the figures Podman reports ---------------------------
# Its Docker-compatible API (tests/harness/podman.sh, as 97-podman.sh starts it):
# the engine log is conmon's k8s-file log at LogPath, SizeRw comes from its
# /containers/json?size=true, its storage (vfs) and volume live on the host's /tmp.
us_api() { curl -sf --max-time 30 --unix-socket "$PODMAN_SOCK" "http://localhost$1"; }
us_pod_pid() { podman_cli inspect -f '{{.State.Pid}}' "$1"; }
us_pod_root() { echo "/proc/$(us_pod_pid "$1")/root"; }
us_pod_logpath() { us_api "/containers/$1/json" | jq -r .LogPath; }
us_pod_sizerw() { us_api '/containers/json?all=true&size=true' | jq -r --arg n "/$1" '.[] | select(.Names | index($n)) | .SizeRw'; }
podman_start
us_rc=$?
tap_result $us_rc "usage 8: Podman's API service starts on its own socket"
if [ $us_rc -eq 0 ]; then
	podman_build_images && podman_start_whatsapp
	us_rc=$?
	tap_result $us_rc "usage 8: Podman: web, core, master and db containers start"
fi
if [ $us_rc -eq 0 ]; then
	us_pall="biz-master1-1 biz_db_1 biz_wacore_1 biz_waweb_1"
	realhost_conf_set "$TEST_CONF" "$PODMAN_DIR/usage.tmp" "floor = ${us_floor_days}d" "media {"
	sed "s|$ENGINE_DIR/|$PODMAN_DIR/|g" "$PODMAN_DIR/usage.tmp" >"$PODMAN_DIR/usage.conf"
	us_pweb=$(us_pod_root biz_waweb_1)
	seq 1 60000 | sed 's/^/GET \/v1\/contacts 200 /' >"$us_pweb/var/log/whatsapp/web.log"
	mkdir -p "$us_pweb/var/log/whatsapp/archive"
	head -c 409600 /dev/urandom | gzip -1 >"$us_pweb/var/log/whatsapp/archive/web.log-20261101T000000Z.gz"
	seq 1 9000 | sed 's/^/core: handled request /' >"$(us_pod_root biz_wacore_1)/usr/local/waent/logs/wa-service-1a2b.log"
	head -c 1048576 /dev/urandom >"$(us_pod_root biz_db_1)/tmp/dump.sql"
	us_m=$us_pweb/usr/local/wamedia
	mkdir -p "$us_m/outgoing/sent/aa" "$us_m/incoming/image/bb"
	head -c 307200 /dev/urandom >"$us_m/outgoing/sent/aa/old.jpg"
	head -c 204800 /dev/urandom >"$us_m/incoming/image/bb/young.jpg"
	touch -d "@$(($(date +%s) - 40 * REALHOST_DAY))" "$us_m/outgoing/sent/aa/old.jpg"
	touch -d "@$(($(date +%s) - REALHOST_DAY))" "$us_m/incoming/image/bb/young.jpg"
	# shellcheck disable=SC2016 # expanded in the container
	podman_cli exec biz_wacore_1 sh -c 'seq 1 20000 | sed "s/^/core: queue drained, peers connected, line /" >/proc/1/fd/1'
	sleep 2
	us_pjson=$(DOCKER_HOST=unix://$PODMAN_SOCK timeout 120 "$REAL_ROTD" --config "$PODMAN_DIR/usage.conf" usage --json \
		2>"$PODMAN_DIR/usage.err")
	us_is "usage 8: Podman: rotd usage --json exits 0" "$?" 0 "$(cat "$PODMAN_DIR/usage.err")"
	us_pvol=$(podman_cli volume inspect -f '{{.Mountpoint}}' whatsappMedia)
	us_pmnt=$(df --output=target "$us_pvol" | tail -n 1)
	us_pdf=$(df --output=pcent "$us_pvol" | tail -n 1 | tr -d ' %')
	us_is "usage 8: Podman: every container is listed, biz_db_1 (no role) too" \
		"$(printf '%s' "$us_pjson" | jq -r '.containers[]? | "\(.name)=\(.role)"' 2>&1 | LC_ALL=C sort | tr '\n' ' ')" \
		"biz-master1-1=master biz_db_1=null biz_wacore_1=core biz_waweb_1=web "
	for us_c in $us_pall; do
		us_lp=$(us_pod_logpath "$us_c")
		us_check_near "usage 8: Podman: $us_c: engine_log_bytes is its log at LogPath" \
			"$(us_field "$us_pjson" "$us_c" engine_log_bytes)" "$(us_du "$us_lp")" "LogPath: $us_lp"
		us_check_near "usage 8: Podman: $us_c: writable_layer_bytes is Podman's SizeRw" \
			"$(us_field "$us_pjson" "$us_c" writable_layer_bytes)" "$(us_pod_sizerw "$us_c")"
	done
	us_check_near "usage 8: Podman: biz_waweb_1: live_logs_bytes within 1% of du -sb" \
		"$(us_field "$us_pjson" biz_waweb_1 live_logs_bytes)" \
		"$(us_du "$us_pweb"/var/log/whatsapp/*.log "$us_pweb"/var/log/lighttpd/*.log)"
	us_check_near "usage 8: Podman: biz_waweb_1: archives_bytes within 1% of du -sb" \
		"$(us_field "$us_pjson" biz_waweb_1 archives_bytes)" "$(us_du "$us_pweb/var/log/whatsapp/archive")"
	us_is "usage 8: Podman: the media volume once, with the web and the core that mount it" \
		"$(printf '%s' "$us_pjson" | jq -c '[.volumes[]? | [.key, (.containers | join(" "))]]' 2>&1)" \
		'[["volume:whatsappMedia","biz_wacore_1 biz_waweb_1"]]'
	us_pv() { printf '%s' "$us_pjson" | jq -r "[.volumes[]? | .$1] | first" 2>&1; }
	us_check_near "usage 8: Podman: the volume's bytes within 1% of du -sb of its mountpoint" "$(us_pv bytes)" "$(us_du "$us_pvol")" \
		"mountpoint $us_pvol" "$(du -ab "$us_pvol")"
	us_check_near "usage 8: Podman: its prunable_bytes: the one file past the floor" "$(us_pv prunable_bytes)" 307200
	us_point "$(printf '%s' "$us_pjson" | jq -r --arg m "$us_pmnt" '[.filesystems[]? | select(.mount == $m) | .used_percent] | first' 2>&1)" \
		"$us_pdf"
	us_rc=$?
	tap_result $us_rc "usage 8: Podman: the storage's filesystem ($us_pmnt) is listed, used_percent within a point of df ($us_pdf%)"
	[ $us_rc -eq 0 ] || tap_diag "$(printf '%s' "$us_pjson" | jq -c '.filesystems' 2>&1)"
else
	tap_result 1 "usage 8: the checks against Podman cannot run without its engine and containers"
fi
podman_stop

tap_diag "scenario 99 took $(($(date +%s) - us_t0)) s"
