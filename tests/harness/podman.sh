# podman.sh: Podman's Docker-compatible API service as a second engine for
# tests. Source it (after tap.sh, and engine.sh, whose busybox-static rootfs it reuses);
# needs root. It is independent of engine.sh's dockerd: its own folder, socket,
# pid and helpers.
#
#   podman_start            starts `podman system service` in a fresh temp dir and
#                           waits for /_ping; sets PODMAN_DIR, PODMAN_SOCK, PODMAN_PID
#   podman_cli ARGS...      podman with the service's global flags and configuration
#   podman_build_images     `podman import` of engine.sh's rootfs as WhatsApp-like images
#   podman_run NAME PROJECT SERVICE IMAGE [run options...]   a compose-labelled container
#   podman_start_whatsapp   web, core, master (compose v1 and v2 names) and a db
#   podman_stop             removes everything it started: containers, the service
#                           (by its pid), every process that names the folder in its
#                           command line (the conmon that Podman keeps for about five
#                           minutes after each exec), the containers' cgroups, mounts
#
# Every podman call gets the same global flags: its own --root, --runroot and
# --tmpdir (events log, exit files, locks), --network-config-dir and --volumepath,
# vfs storage, cgroupfs, the file events backend; and its own containers.conf
# (CONTAINERS_CONF) with file locks, so nothing is shared with a host Podman
# (/run/libpod, /dev/shm/libpod_lock, /etc/cni/net.d). Containers have no network
# and --ulimit nofile/nproc=1024: runc cannot raise the rlimits on these machines.

PODMAN_DIR=
PODMAN_SOCK=
PODMAN_PID=

podman_log() { printf '# podman: %s\n' "$*" >&2; }

podman_cli() {
	CONTAINERS_CONF=$PODMAN_DIR/containers.conf timeout 120 podman --root "$PODMAN_DIR/storage" \
		--runroot "$PODMAN_DIR/run" --tmpdir "$PODMAN_DIR/tmp" --network-config-dir "$PODMAN_DIR/net" \
		--volumepath "$PODMAN_DIR/volumes" --storage-driver vfs --cgroup-manager cgroupfs \
		--events-backend file "$@"
}

podman_ping() {
	curl -sf --max-time 2 --unix-socket "$PODMAN_SOCK" http://localhost/_ping >/dev/null 2>&1
}

podman_start() {
	command -v podman >/dev/null || { podman_log "podman not found: apt-get install podman"; return 1; }
	# Short path: unix socket paths are limited to 108 bytes.
	PODMAN_DIR=$(mktemp -d /tmp/rotd-podman.XXXXXX) || return 1
	PODMAN_SOCK=$PODMAN_DIR/podman.sock
	mkdir -p "$PODMAN_DIR/net" || return 1
	printf '[engine]\nlock_type = "file"\n' >"$PODMAN_DIR/containers.conf"
	CONTAINERS_CONF=$PODMAN_DIR/containers.conf podman --root "$PODMAN_DIR/storage" \
		--runroot "$PODMAN_DIR/run" --tmpdir "$PODMAN_DIR/tmp" --network-config-dir "$PODMAN_DIR/net" \
		--volumepath "$PODMAN_DIR/volumes" --storage-driver vfs --cgroup-manager cgroupfs \
		--events-backend file system service --time=0 "unix://$PODMAN_SOCK" \
		>>"$PODMAN_DIR/service.log" 2>&1 &
	PODMAN_PID=$!
	# Until it answers, or at once when the service has exited.
	if ! wait_until 60 "podman_ping || ! kill -0 $PODMAN_PID" || ! podman_ping; then
		podman_log "podman system service did not answer /_ping; its log ends with:"
		tail -n 20 "$PODMAN_DIR/service.log" | sed 's/^/#   /' >&2
		return 1
	fi
	podman_log "podman system service pid $PODMAN_PID on $PODMAN_SOCK ($(podman --version))"
}

podman_build_images() {
	rootfs=$PODMAN_DIR/rootfs
	engine_make_rootfs "$rootfs" || return 1
	for tag in docker.whatsapp.biz/web:v2.x docker.whatsapp.biz/coreapp:v2.x mysql:5.7 busybox:test; do
		tar -C "$rootfs" -c . | podman_cli import -q -c 'ENV PATH=/bin' - "$tag" >/dev/null || return 1
	done
}

# podman_run NAME PROJECT SERVICE IMAGE [podman run options...]: a compose-labelled container.
podman_run() {
	name=$1 project=$2 service=$3 image=$4
	shift 4
	podman_cli run -d --network none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 --name "$name" \
		--label "com.docker.compose.project=$project" \
		--label "com.docker.compose.service=$service" \
		--label "com.docker.compose.container-number=1" \
		"$@" "$image" sleep 1000000 >/dev/null
}

# The containers a WhatsApp Business API host runs, named as compose v1 and v2 name them.
podman_start_whatsapp() {
	podman_run biz_waweb_1 biz waweb docker.whatsapp.biz/web:v2.x -v whatsappMedia:/usr/local/wamedia || return 1
	podman_run biz_wacore_1 biz wacore docker.whatsapp.biz/coreapp:v2.x -v whatsappMedia:/usr/local/wamedia || return 1
	podman_run biz-master1-1 biz master1 docker.whatsapp.biz/coreapp:v2.x -e WA_MASTER_NODE=1 || return 1
	podman_run biz_db_1 biz db mysql:5.7 -e MYSQL_ROOT_PASSWORD=secret || return 1
}

# The ids of every container in our storage, whatever the service still knows.
podman_ids() {
	for d in "$PODMAN_DIR"/storage/vfs-containers/*/; do
		d=${d%/}
		d=${d##*/}
		printf '%s\n' "$d" | grep -E '^[0-9a-f]{64}$'
	done
}

podman_stop() {
	[ -n "$PODMAN_DIR" ] || return 0
	ids=$(podman_ids)
	if [ -n "$ids" ]; then
		podman_cli rm -f -t 0 -a >/dev/null 2>&1
		podman_cli volume rm -f -a >/dev/null 2>&1
	fi
	if [ -n "$PODMAN_PID" ] && kill -0 "$PODMAN_PID" 2>/dev/null; then
		kill -TERM "$PODMAN_PID" 2>/dev/null
		wait_until 20 "! kill -0 $PODMAN_PID"
		kill -KILL "$PODMAN_PID" 2>/dev/null
		wait "$PODMAN_PID" 2>/dev/null
	fi
	# What outlived the service (the conmon of each container and of each exec,
	# a rotd daemon of a test) names our unique folder in its command line; a
	# container's own processes (if rm failed) are in a cgroup named after its id.
	# All are stopped by pid.
	for p in /proc/[0-9]*; do
		pid=${p#/proc/}
		[ "$pid" = "$$" ] && continue
		if tr '\0' ' ' 2>/dev/null <"$p/cmdline" | grep -qF "$PODMAN_DIR/"; then
			kill -KILL "$pid" 2>/dev/null
			continue
		fi
		for id in $ids; do
			if grep -qF "libpod-$id" "$p/cgroup" 2>/dev/null; then
				kill -KILL "$pid" 2>/dev/null
				break
			fi
		done
	done
	# Their cgroups, if rm could not remove them (cgroup v1 and v2 layouts).
	for id in $ids; do
		for cg in /sys/fs/cgroup/*/libpod_parent/libpod-"$id" /sys/fs/cgroup/libpod_parent/libpod-"$id"; do
			wait_until 2 "[ ! -d '$cg' ] || rmdir '$cg'"
		done
	done
	grep -F " $PODMAN_DIR/" /proc/mounts | awk '{print $2}' | sort -r | while read -r m; do
		umount -l "$m" 2>/dev/null
	done
	rm -rf "$PODMAN_DIR"
	PODMAN_DIR='' PODMAN_PID='' PODMAN_SOCK=''
}
