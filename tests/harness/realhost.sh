# realhost.sh: a Docker host laid out as production WhatsApp Business API hosts
# are, for tests. Source it (after tap.sh); needs root. It is a second engine,
# independent of engine.sh's: its own folder, socket, pid and helpers.
#
#   realhost_start SIZE_MB     an ext4 image of SIZE_MB, loop-mounted, is the WHOLE
#                              data-root of a private dockerd: image layers, container
#                              layers, named volumes and the engine's json logs share
#                              one disk that really fills, as /var/lib/docker does
#   realhost_build_images      web, coreapp and mysql images shaped like the real ones
#   realhost_start_fleet       a multiconnect fleet: two masters without the media
#                              volume, three cores and a web with it, a db; compose v1
#                              and v2 names mixed
#   realhost_stop              removes everything, stopping processes by pid, then
#                              unmounts the image and detaches its loop device
#
# Files and space:
#   realhost_ctr_pid / realhost_ctr_root NAME
#   realhost_media_file DAYS_OLD SUBDIR NAME SIZE_KB   one media file in the volume
#   realhost_fill_media DAYS_OLD COUNT SIZE_KB [PREFIX] COUNT files over incoming/...
#                              and outgoing/... subfolders
#   realhost_pct               the loop filesystem's Use%, as df shows it
#   realhost_fill_to PCT young|db   writes young media (2 days old: the 7-day media
#                              floor keeps it) or a filler in the db's data until
#                              Use% is above PCT
#   realhost_core_logs NAME ROLLED CRASH   the core app's logs in realistic numbers
#   realhost_core_file NAME FILE AGE_S KB  one core log file, AGE_S seconds old
#   realhost_archive NAME FILE AGE KB  a rotd-named archive of FILE in the
#                              container's /var/log/whatsapp/archive, AGE (12h, 5d) old
#   realhost_conf SRC          writes REALHOST_CONF: SRC (conf/rotd.conf) with host paths
#   realhost_conf_set SRC DST "KEY = VALUE" BLOCK [SUBBLOCK]   one option changed
#   realhost_rotd ARGS...      the real rotd, DOCKER_HOST on this engine, under timeout
#
# dockerd runs with vfs storage, no bridge, no iptables, its own socket, exec-root,
# pidfile and an empty daemon.json (so json-file logs have no max-size, as the
# official compose files leave them).

REALHOST_DIR=
REALHOST_SOCK=
REALHOST_PID=
REALHOST_IMG=
REALHOST_MNT=
REALHOST_LOOP=
REALHOST_CONF=
REALHOST_DAY=86400

realhost_log() { printf '# realhost: %s\n' "$*" >&2; }

realhost_docker() { timeout 120 docker --host "unix://$REALHOST_SOCK" "$@"; }

realhost_ping() {
	curl -sf --max-time 2 --unix-socket "$REALHOST_SOCK" http://localhost/_ping >/dev/null 2>&1
}

realhost_start() {
	size_mb=${1:-160}
	command -v dockerd >/dev/null || { realhost_log "dockerd not found: apt-get install docker.io"; return 1; }
	command -v mkfs.ext4 >/dev/null || { realhost_log "mkfs.ext4 not found: apt-get install e2fsprogs"; return 1; }
	# Short path: unix socket paths are limited to 108 bytes.
	REALHOST_DIR=$(mktemp -d /tmp/rotd-real.XXXXXX) || return 1
	REALHOST_SOCK=$REALHOST_DIR/docker.sock
	REALHOST_IMG=$REALHOST_DIR/disk.img
	# The image is mounted on the data-root itself, as a dedicated /var/lib/docker is.
	REALHOST_MNT=$REALHOST_DIR/docker
	truncate -s "${size_mb}M" "$REALHOST_IMG" || return 1
	# 4 KiB blocks as on a real host; one inode per 8 KiB is plenty for this fleet.
	mkfs.ext4 -q -F -b 4096 -i 8192 "$REALHOST_IMG" || return 1
	mkdir -p "$REALHOST_MNT" "$REALHOST_DIR/exec" || return 1
	timeout 60 mount -o loop "$REALHOST_IMG" "$REALHOST_MNT" || { realhost_log "cannot loop-mount $REALHOST_IMG"; return 1; }
	REALHOST_LOOP=$(findmnt -n -o SOURCE --mountpoint "$REALHOST_MNT")
	echo '{}' >"$REALHOST_DIR/daemon.json"
	realhost_launch || return 1
	realhost_log "dockerd pid $REALHOST_PID on $REALHOST_SOCK, data-root $REALHOST_MNT on $REALHOST_LOOP (${size_mb} MiB)"
}

realhost_launch() {
	dockerd --config-file "$REALHOST_DIR/daemon.json" --storage-driver=vfs --bridge=none --iptables=false \
		--ip6tables=false --host "unix://$REALHOST_SOCK" --data-root "$REALHOST_MNT" \
		--exec-root "$REALHOST_DIR/exec" --pidfile "$REALHOST_DIR/dockerd.pid" \
		>>"$REALHOST_DIR/dockerd.log" 2>&1 &
	REALHOST_PID=$!
	# Until it answers, or at once when dockerd has exited.
	if ! wait_until 60 "realhost_ping || ! kill -0 $REALHOST_PID" || ! realhost_ping; then
		realhost_log "dockerd did not answer /_ping; its log ends with:"
		tail -n 20 "$REALHOST_DIR/dockerd.log" | sed 's/^/#   /' >&2
		return 1
	fi
}

realhost_stop() {
	[ -n "$REALHOST_DIR" ] || return 0
	if [ -n "$REALHOST_PID" ] && kill -0 "$REALHOST_PID" 2>/dev/null; then
		ids=$(timeout 30 docker --host "unix://$REALHOST_SOCK" ps -aq 2>/dev/null)
		[ -z "$ids" ] || timeout 60 docker --host "unix://$REALHOST_SOCK" rm -f $ids >/dev/null 2>&1
		kill -TERM "$REALHOST_PID" 2>/dev/null
		wait_until 20 "! kill -0 $REALHOST_PID"
		kill -KILL "$REALHOST_PID" 2>/dev/null
	fi
	# Whatever outlived dockerd (its containerd, shims, a rotd daemon of a test)
	# names our unique folder in its command line: stopped by pid.
	for p in /proc/[0-9]*; do
		pid=${p#/proc/}
		[ "$pid" = "$$" ] && continue
		if tr '\0' ' ' 2>/dev/null <"$p/cmdline" | grep -qF "$REALHOST_DIR/"; then
			kill -KILL "$pid" 2>/dev/null
		fi
	done
	# Mounts under the folder (the engine's shm mounts, then the image itself).
	grep -F " $REALHOST_DIR/" /proc/mounts | awk '{print $2}' | sort -r | while read -r m; do
		[ "$m" = "$REALHOST_MNT" ] && continue
		umount -l "$m" 2>/dev/null
	done
	if grep -qF " $REALHOST_MNT " /proc/mounts; then
		timeout 60 umount "$REALHOST_MNT" 2>/dev/null || umount -l "$REALHOST_MNT" 2>/dev/null
	fi
	# mount -o loop sets autoclear; detach it ourselves if it is still ours.
	if [ -n "$REALHOST_LOOP" ] && losetup -j "$REALHOST_IMG" 2>/dev/null | grep -q "^$REALHOST_LOOP:"; then
		losetup -d "$REALHOST_LOOP" 2>/dev/null
	fi
	rm -rf "$REALHOST_DIR"
	REALHOST_DIR= REALHOST_PID= REALHOST_SOCK= REALHOST_IMG= REALHOST_MNT= REALHOST_LOOP= REALHOST_CONF=
}

# ---- images ---------------------------------------------------------------------

# realhost_make_rootfs DIR FOLDER...: a busybox-static rootfs with FOLDERs.
realhost_make_rootfs() {
	root=$1
	shift
	busybox=$(command -v busybox) || { realhost_log "busybox not found: apt-get install busybox-static"; return 1; }
	mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/var/log" "$root/root" || return 1
	chmod 1777 "$root/tmp"
	for d in "$@"; do mkdir -p "$root$d" || return 1; done
	cp "$busybox" "$root/bin/busybox"
	# The applets the images and tests use, not all of them: every container
	# layer is a full copy under vfs, and the disk is small.
	for applet in sh ash cat echo date sleep ls mkdir rm rmdir mv cp touch wc head tail grep sed awk \
		gzip gunzip zcat find stat du df printf test id chmod chown ln sort uniq tr cut seq dd sync \
		kill true false env xargs basename dirname md5sum od readlink ps expr; do
		ln -sf busybox "$root/bin/$applet"
	done
	echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
	echo 'mysql:x:999:999:MySQL:/var/lib/mysql:/bin/false' >>"$root/etc/passwd"
	printf 'root:x:0:\nadm:x:4:\nmysql:x:999:\n' >"$root/etc/group"
}

realhost_cleanup_script() {
	mkdir -p "$1/opt/whatsapp/bin"
	cat >"$1/opt/whatsapp/bin/cleanup.sh" <<'EOS'
#!/bin/sh
# Stand-in for the image's cleanup.sh: leaves a marker per run.
date +%s >>/tmp/cleanup-ran
EOS
	chmod 755 "$1/opt/whatsapp/bin/cleanup.sh"
}

realhost_build_images() {
	r=$REALHOST_DIR/rootfs
	rm -rf "$r"
	# web: its logs, lighttpd's, the media root as a folder of the image.
	realhost_make_rootfs "$r/web" /var/log/whatsapp /var/log/lighttpd /usr/local/wamedia || return 1
	realhost_cleanup_script "$r/web"
	# coreapp: /usr/local/waent/logs and the media root, and NO /var/log/whatsapp:
	# the core app does not write there, and a master has no media volume.
	realhost_make_rootfs "$r/coreapp" /usr/local/waent/logs /usr/local/wamedia || return 1
	realhost_cleanup_script "$r/coreapp"
	# mysql: its own data, no cleanup.sh.
	realhost_make_rootfs "$r/mysql" /var/lib/mysql /var/log/mysql /var/run/mysqld || return 1
	chown -R 999:999 "$r/mysql/var/lib/mysql" "$r/mysql/var/log/mysql" "$r/mysql/var/run/mysqld"
	for spec in web:docker.whatsapp.biz/web:v2.51.1 coreapp:docker.whatsapp.biz/coreapp:v2.51.1 mysql:mysql:5.7; do
		dir=${spec%%:*}
		tag=${spec#*:}
		tar -C "$r/$dir" -c . | realhost_docker import -c 'ENV PATH=/bin' - "$tag" >/dev/null || return 1
	done
	rm -rf "$r"
}

# ---- the fleet ------------------------------------------------------------------

# realhost_run NAME PROJECT SERVICE COMPOSE_VERSION IMAGE SCRIPT [docker run options...]:
# a compose-labelled container, as docker-compose (v1) or docker compose (v2)
# makes it, running sh -c SCRIPT.
realhost_run() {
	name=$1 project=$2 service=$3 cver=$4 image=$5 script=$6
	shift 6
	realhost_docker run -d --network none --name "$name" \
		--label "com.docker.compose.project=$project" \
		--label "com.docker.compose.service=$service" \
		--label "com.docker.compose.container-number=1" \
		--label "com.docker.compose.oneoff=False" \
		--label "com.docker.compose.version=$cver" \
		"$@" "$image" sh -c "$script" >/dev/null
}

# The command of a container that writes LINES lines to stdout when it starts
# (the engine's json log is not empty; with no max-size it grows as the app
# talks), then runs sleep 1000000. Its PID 1 exits on SIGTERM, as the real apps
# do, so that docker stop is prompt.
realhost_chatty() {
	printf '%s' "ts=\$(date -u +%Y-%m-%dT%H:%M:%SZ); i=0; while [ \$i -lt $2 ]; do echo \"\$ts $1 [info] worker \$i: connected to db, config loaded, handlers registered, queue drained\"; i=\$((i + 1)); done; echo \"$1 [info] ready\"; trap 'echo \"$1 [info] SIGTERM: shutting down\"; exit 0' TERM; sleep 1000000 & wait"
}

REALHOST_MASTERS="biz-master1-1 biz-master2-1"
REALHOST_CORES="biz_wacore1_1 biz_wacore2_1 biz_wacore3_1"
REALHOST_WEB=biz_waweb_1
REALHOST_DB=biz_db_1
# The containers that run cleanup.sh (web, core and master roles).
REALHOST_CLEANUP="biz_waweb_1 biz_wacore1_1 biz_wacore2_1 biz_wacore3_1 biz-master1-1 biz-master2-1"

# Created in this order: the masters last, so that they come first both in the
# engine's list (newest first) and by name ("biz-master1-1" < "biz_wacore1_1").
realhost_start_fleet() {
	web=docker.whatsapp.biz/web:v2.51.1
	core=docker.whatsapp.biz/coreapp:v2.51.1
	realhost_run biz_db_1 biz db 1.29.2 mysql:5.7 "$(realhost_chatty mysqld 300)" \
		-e MYSQL_ROOT_PASSWORD=secret -v biz_mysqlData:/var/lib/mysql || return 1
	realhost_run biz_waweb_1 biz waweb 1.29.2 "$web" "$(realhost_chatty waweb 1500)" \
		-v whatsappMedia:/usr/local/wamedia -e WA_DB_ENGINE=MYSQL -e WA_DB_HOSTNAME=db || return 1
	# The third core is the chattiest: its json log (some MiB) makes it the
	# largest consumer, as a talkative container without max-size is.
	for n in 1 2 3; do
		realhost_run "biz_wacore${n}_1" biz "wacore$n" 1.29.2 "$core" \
			"$(realhost_chatty "wacore$n" "$([ $n -eq 3 ] && echo 20000 || echo 800)")" \
			-v whatsappMedia:/usr/local/wamedia -e WA_DB_ENGINE=MYSQL -e WA_DB_HOSTNAME=db || return 1
	done
	for n in 1 2; do
		realhost_run "biz-master$n-1" biz "master$n" 2.20.2 "$core" "$(realhost_chatty "master$n" 400)" \
			-e WA_MASTER_NODE=1 -e WA_DB_ENGINE=MYSQL -e WA_DB_HOSTNAME=db || return 1
	done
	# The web app's and lighttpd's logs, small (under their 20 MB).
	w=$(realhost_ctr_root biz_waweb_1)
	for f in whatsapp/web.log whatsapp/access.log whatsapp/error.log lighttpd/access.log lighttpd/error.log; do
		seq 1 400 | sed "s|^|$(date -u +%Y-%m-%dT%H:%M:%SZ) $f: request |" >"$w/var/log/$f" || return 1
	done
	# The db's own data: an InnoDB-sized file.
	dd if=/dev/urandom of="$(realhost_ctr_root biz_db_1)/var/lib/mysql/ibdata1" bs=1M count=6 status=none || return 1
	chown 999:999 "$(realhost_ctr_root biz_db_1)/var/lib/mysql/ibdata1"
	# Give the chatty starts a moment to reach their sleep.
	wait_for 10 realhost_fleet_asleep
}

# 0 when the db and the containers with cleanup.sh (7 in all) have reached their sleep.
realhost_fleet_asleep() {
	n=0
	for c in biz_db_1 $REALHOST_CLEANUP; do
		ps --ppid "$(realhost_ctr_pid "$c")" -o comm= 2>/dev/null | grep -qx sleep && n=$((n + 1))
	done
	[ $n -eq 7 ]
}

realhost_ctr_pid() { realhost_docker inspect -f '{{.State.Pid}}' "$1"; }
realhost_ctr_root() { echo "/proc/$(realhost_ctr_pid "$1")/root"; }

# ---- disk -----------------------------------------------------------------------

realhost_pct() { df --output=pcent "$REALHOST_MNT" | tail -n 1 | tr -d ' %'; }
realhost_df() { df -h "$REALHOST_MNT" | tail -n 1; }

# The media volume, reached as rotd must reach it: through a container that mounts it.
realhost_media_root() { echo "$(realhost_ctr_root "$REALHOST_WEB")/usr/local/wamedia"; }

# realhost_media_file DAYS_OLD SUBDIR NAME SIZE_KB: one media file in the volume.
realhost_media_file() {
	m=$(realhost_media_root)
	mkdir -p "$m/$2" || return 1
	head -c "$(($4 * 1024))" /dev/urandom >"$m/$2/$3" || return 1
	touch -d "@$(($(date +%s) - $1 * REALHOST_DAY - 600))" "$m/$2/$3"
}

# realhost_fill_media DAYS_OLD COUNT SIZE_KB [PREFIX]: COUNT files of SIZE_KB
# DAYS_OLD days old, over incoming/... and outgoing/... subfolders as the client
# lays them out (by media type and hash prefix).
realhost_fill_media() {
	days=$1 count=$2 kb=$3 prefix=${4:-m}
	k=0
	while [ $k -lt "$count" ]; do
		case $((k % 4)) in
		0) sub=incoming/image/$(printf '%02x' $((k % 256))) ext=jpg ;;
		1) sub=outgoing/sent/$(printf '%02x' $((k % 256))) ext=mp4 ;;
		2) sub=incoming/document/$(printf '%02x' $((k % 256))) ext=pdf ;;
		*) sub=outgoing/sent/$(printf '%02x' $((k % 256))) ext=ogg ;;
		esac
		realhost_media_file "$days" "$sub" "$prefix-${days}d-$k.$ext" "$kb" || return 1
		k=$((k + 1))
	done
}

# realhost_fill_to PCT young|db: writes until Use% is above PCT; young media
# (2 days old, which no rule or emergency may prune) or a filler in the db's data.
realhost_fill_to() {
	want=$1 how=$2
	k=0
	while [ "$(realhost_pct)" -le "$want" ] && [ $k -lt 400 ]; do
		case $how in
		young) realhost_media_file 2 "incoming/image/f$((k % 8))" "young-fill-$$-$k.jpg" 1024 || return 1 ;;
		*)
			dd if=/dev/urandom of="$(realhost_ctr_root "$REALHOST_DB")/var/lib/mysql/ib_fill$k" bs=1M count=1 \
				status=none || return 1
			;;
		esac
		sync -f "$REALHOST_MNT"
		k=$((k + 1))
	done
	[ "$(realhost_pct)" -gt "$want" ]
}

# realhost_db_unfill: removes the db fillers.
realhost_db_unfill() { rm -f "$(realhost_ctr_root "$REALHOST_DB")"/var/lib/mysql/ib_fill*; sync -f "$REALHOST_MNT"; }

# ---- the core app's logs ----------------------------------------------------------

realhost_hex() { od -An -N4 -tx1 /dev/urandom | tr -d ' \n'; }

# realhost_core_file NAME FILE AGE_S KB: a core app log of about KB KiB in
# /usr/local/waent/logs, lines with timestamps ending AGE_S seconds ago, that
# mtime; recorded with its md5 in $REALHOST_DIR/manifest.NAME.
realhost_core_file() {
	name=$1 file=$2 age=$3 kb=$4
	dir=$(realhost_ctr_root "$name")/usr/local/waent/logs
	end=$(($(date +%s) - age))
	lines=$((kb * 1024 / 120 + 1))
	# (mawk wants a seed below 2^31)
	awk -v n="$lines" -v end="$end" -v seed="$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')" -v ctr="$name" 'BEGIN {
		srand(seed)
		split("info info info info debug warn error", lvl, " ")
		split("msg_send msg_recv db_query conn_mgr media_up noise_hs wa_push keepalive", mod, " ")
		t = end - n * 2
		for (i = 0; i < n; i++) {
			t += int(rand() * 4)
			if (t > end) t = end
			printf "%s.%03d [%s] [%s] %s: handled request id=%08x in %d ms, queue %d, peers %d\n",
				strftime("%Y-%m-%d %H:%M:%S", t, 1), int(rand() * 1000), lvl[1 + int(rand() * 7)], ctr,
				mod[1 + int(rand() * 8)], int(rand() * 4294967295), int(rand() * 900), int(rand() * 64),
				int(rand() * 12)
		}
	}' >"$dir/$file" || return 1
	touch -d "@$end" "$dir/$file"
	printf '%s %s %s\n' "$file" "$end" "$(md5sum <"$dir/$file" | cut -d' ' -f1)" >>"$REALHOST_DIR/manifest.$name"
}

# realhost_core_logs NAME ROLLED CRASH: one active wa-service-<hex>.log (written
# now), ROLLED rolled files and CRASH crash logs, each with its own hex, tens to
# hundreds of KB, hours to days old. The manifest names them by kind:
# $REALHOST_DIR/{active,rolled,crash}.NAME list the file names.
realhost_core_logs() {
	name=$1 rolled=$2 crash=$3
	k=0
	while [ $k -lt "$rolled" ]; do
		f=wa-service-$(realhost_hex).log
		# 2 h, 7 h, 12 h, ... plus some minutes; sizes 40 to 300 KiB.
		realhost_core_file "$name" "$f" $(((2 + 5 * k) * 3600 + (k * 7 % 50) * 60)) $((40 + (k * 37) % 260)) || return 1
		echo "$f" >>"$REALHOST_DIR/rolled.$name"
		k=$((k + 1))
	done
	k=0
	while [ $k -lt "$crash" ]; do
		f=wa-service-$(realhost_hex)-crash.log
		realhost_core_file "$name" "$f" $(((3 + 11 * k) * 3600 + 1234)) $((12 + (k * 29) % 90)) || return 1
		echo "$f" >>"$REALHOST_DIR/crash.$name"
		k=$((k + 1))
	done
	f=wa-service-$(realhost_hex).log
	realhost_core_file "$name" "$f" 5 120 || return 1
	echo "$f" >>"$REALHOST_DIR/active.$name"
}

# ---- archives ---------------------------------------------------------------------

realhost_stamp() { date -u -d "@$1" +%Y%m%dT%H%M%SZ; }

# realhost_archive NAME FILE AGE KB: an archive named as rotd names them,
# FILE-<UTC time AGE ago>.gz (AGE as 12h or 5d), of KB KiB of random data (valid
# gzip, incompressible), in NAME's /var/log/whatsapp/archive; prints its name.
realhost_archive() {
	dir=$(realhost_ctr_root "$1")/var/log/whatsapp/archive
	case $3 in
	*h) secs=$((${3%h} * 3600)) ;;
	*d) secs=$((${3%d} * REALHOST_DAY)) ;;
	*) secs=$3 ;;
	esac
	t=$(($(date +%s) - secs - 300))
	a=$2-$(realhost_stamp "$t").gz
	mkdir -p "$dir" || return 1
	head -c "$(($4 * 1024))" /dev/urandom | gzip -1 >"$dir/$a" || return 1
	touch -d "@$t" "$dir/$a"
	echo "$a"
}

# ---- rotd ---------------------------------------------------------------------------

# realhost_conf SRC: REALHOST_CONF, conf/rotd.conf with only the host paths changed.
realhost_conf() {
	REALHOST_CONF=$REALHOST_DIR/rotd.conf
	sed -e "s|^state-file = .*|state-file = $REALHOST_DIR/state.json|" \
		-e "s|^lock-file = .*|lock-file = $REALHOST_DIR/rotd.lock|" \
		-e "s|^status-file = .*|status-file = $REALHOST_DIR/status.json|" \
		-e "s|^  file = /var/lib/prometheus/node-exporter/rotd.prom|  file = $REALHOST_DIR/rotd.prom|" \
		"$1" >"$REALHOST_CONF"
}

# realhost_conf_set SRC DST "KEY = VALUE" BLOCK [SUBBLOCK]: DST is SRC with the
# option KEY set to VALUE in the section that starts with the line BLOCK (e.g.
# "role core {", "watermarks {"), or in its nested section SUBBLOCK (e.g.
# '  log "/usr/local/waent/logs/*.log" {'): the section's own KEY line is
# replaced, or the line is added at its end. Comments are not counted as braces.
realhost_conf_set() {
	awk -v opt="$3" -v b1="$4" -v b2="${5:-}" '
		BEGIN { key = opt; sub(/[ \t]*=.*/, "", key); want = (b2 == "") ? 1 : 2 }
		{
			line = $0; code = line; sub(/#.*/, "", code)
			opens = gsub(/\{/, "{", code); closes = gsub(/\}/, "}", code)
			if (depth == 0 && line == b1) lvl = 1
			else if (lvl == 1 && want == 2 && depth == 1 && line == b2) lvl = 2
			if (lvl == want && !done && depth == want && line ~ ("^[ \t]*" key "[ \t]*=")) {
				match(line, /^[ \t]*/); print substr(line, 1, RLENGTH) opt; done = 1; depth += opens - closes; next
			}
			if (lvl == want && !done && depth == want && closes > 0 && depth + opens - closes < want) {
				pad = ""; for (i = 0; i < want; i++) pad = pad "  "
				print pad opt; done = 1
			}
			print
			depth += opens - closes
			if (lvl == 2 && depth < 2) lvl = 1
			if (lvl == 1 && depth < 1) lvl = 0
		}
		END { if (!done) exit 1 }' "$1" >"$2"
}

realhost_rotd() {
	DOCKER_HOST=unix://$REALHOST_SOCK timeout 300 "$REAL_ROTD" "$@"
}
