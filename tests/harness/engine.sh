# engine.sh: a throwaway Docker engine for tests and the demo. Source it; needs root.
#
#   engine_start            starts dockerd in a fresh temp dir and waits for /_ping;
#                           sets ENGINE_DIR, ENGINE_SOCK, ENGINE_PID, DOCKER_HOST
#   engine_build_images     imports WhatsApp-like images from a busybox-static rootfs
#   engine_start_whatsapp   starts compose-named web, core and master containers and a db
#   engine_restart          stops dockerd by pid and starts it again on the same folders
#   engine_stop             removes everything it started, stopping processes by pid
#
# dockerd runs with vfs storage, no bridge and no iptables, its own data-root,
# exec-root, socket and pidfile, so it never touches a host engine.

ENGINE_DIR=
ENGINE_SOCK=
ENGINE_PID=

engine_log() { printf '# engine: %s\n' "$*" >&2; }

engine_docker() { docker --host "unix://$ENGINE_SOCK" "$@"; }

engine_ping() {
	curl -sf --max-time 2 --unix-socket "$ENGINE_SOCK" http://localhost/_ping >/dev/null 2>&1
}

engine_start() {
	command -v dockerd >/dev/null || { engine_log "dockerd not found: apt-get install docker.io"; return 1; }
	command -v docker >/dev/null || { engine_log "docker CLI not found: apt-get install docker.io"; return 1; }
	# Short path: unix socket paths are limited to 108 bytes.
	ENGINE_DIR=$(mktemp -d /tmp/rotd-engine.XXXXXX) || return 1
	ENGINE_SOCK=$ENGINE_DIR/docker.sock
	engine_launch || return 1
	DOCKER_HOST=unix://$ENGINE_SOCK
	export DOCKER_HOST
	engine_log "dockerd pid $ENGINE_PID on $ENGINE_SOCK"
}

# Starts dockerd on ENGINE_DIR and waits for /_ping; sets ENGINE_PID.
engine_launch() {
	# dockerd gives up when its containerd is slow to start ("timeout waiting
	# for containerd to start") on a loaded machine: a second try, as systemd's
	# Restart= would give it, not a skip.
	engine_launch_once || { engine_log "dockerd did not start; trying once more"; engine_launch_once; }
}

engine_launch_once() {
	dockerd --storage-driver=vfs --bridge=none --iptables=false --ip6tables=false \
		--host "unix://$ENGINE_SOCK" --data-root "$ENGINE_DIR/data" \
		--exec-root "$ENGINE_DIR/exec" --pidfile "$ENGINE_DIR/dockerd.pid" \
		>>"$ENGINE_DIR/dockerd.log" 2>&1 &
	ENGINE_PID=$!
	i=0
	while ! engine_ping; do
		i=$((i + 1))
		if ! kill -0 "$ENGINE_PID" 2>/dev/null || [ $i -ge 120 ]; then
			engine_log "dockerd did not answer /_ping; its log ends with:"
			tail -n 20 "$ENGINE_DIR/dockerd.log" | sed 's/^/#   /' >&2
			kill -KILL "$ENGINE_PID" 2>/dev/null
			wait "$ENGINE_PID" 2>/dev/null
			return 1
		fi
		sleep 0.5
	done
}

# Stops dockerd by its pid (its containers stop with it) and starts it again on
# the same folders, as a package upgrade or a crash and restart would.
engine_restart() {
	kill -TERM "$ENGINE_PID" 2>/dev/null
	i=0
	while kill -0 "$ENGINE_PID" 2>/dev/null && [ $i -lt 60 ]; do sleep 0.5; i=$((i + 1)); done
	kill -KILL "$ENGINE_PID" 2>/dev/null
	engine_launch || return 1
	engine_log "dockerd restarted: pid $ENGINE_PID"
}

# Writes a busybox-static rootfs with the WhatsApp layout to $1.
engine_make_rootfs() {
	root=$1
	busybox=$(command -v busybox) || { engine_log "busybox not found: apt-get install busybox-static"; return 1; }
	mkdir -p "$root/bin" "$root/tmp" "$root/etc" "$root/var/log/whatsapp" "$root/var/log/lighttpd" \
		"$root/usr/local/waent/logs" "$root/usr/local/wamedia" "$root/opt/whatsapp/bin"
	cp "$busybox" "$root/bin/busybox"
	for applet in $("$root/bin/busybox" --list); do
		[ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
	done
	echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
	echo 'root:x:0:' >"$root/etc/group"
	cat >"$root/opt/whatsapp/bin/cleanup.sh" <<'EOS'
#!/bin/sh
# Stand-in for the image's cleanup.sh: leaves a marker per run.
date +%s >>/tmp/cleanup-ran
EOS
	chmod 755 "$root/opt/whatsapp/bin/cleanup.sh"
}

engine_build_images() {
	rootfs=$ENGINE_DIR/rootfs
	engine_make_rootfs "$rootfs" || return 1
	for tag in docker.whatsapp.biz/web:v2.x docker.whatsapp.biz/coreapp:v2.x mysql:5.7 busybox:test; do
		tar -C "$rootfs" -c . | engine_docker import -c 'ENV PATH=/bin' - "$tag" >/dev/null || return 1
	done
}

# engine_run NAME PROJECT SERVICE IMAGE [docker run options...]: a compose-labelled container.
engine_run() {
	name=$1 project=$2 service=$3 image=$4
	shift 4
	engine_docker run -d --network none --name "$name" \
		--label "com.docker.compose.project=$project" \
		--label "com.docker.compose.service=$service" \
		--label "com.docker.compose.container-number=1" \
		"$@" "$image" sleep 1000000 >/dev/null
}

# The containers a WhatsApp Business API host runs, named as compose v1 and v2 name them.
engine_start_whatsapp() {
	engine_run biz_waweb_1 biz waweb docker.whatsapp.biz/web:v2.x -v whatsappMedia:/usr/local/wamedia || return 1
	engine_run biz_wacore_1 biz wacore docker.whatsapp.biz/coreapp:v2.x -v whatsappMedia:/usr/local/wamedia || return 1
	engine_run biz-master1-1 biz master1 docker.whatsapp.biz/coreapp:v2.x -e WA_MASTER_NODE=1 || return 1
	engine_run biz_db_1 biz db mysql:5.7 -e MYSQL_ROOT_PASSWORD=secret || return 1
}

engine_stop() {
	[ -n "$ENGINE_DIR" ] || return 0
	if [ -n "$ENGINE_PID" ] && kill -0 "$ENGINE_PID" 2>/dev/null; then
		ids=$(engine_docker ps -aq 2>/dev/null)
		[ -z "$ids" ] || engine_docker rm -f $ids >/dev/null 2>&1
		kill -TERM "$ENGINE_PID" 2>/dev/null
		i=0
		while kill -0 "$ENGINE_PID" 2>/dev/null && [ $i -lt 40 ]; do sleep 0.5; i=$((i + 1)); done
		kill -KILL "$ENGINE_PID" 2>/dev/null
	fi
	# Whatever outlived dockerd (its containerd, shims) is found by our unique dir
	# in its command line and stopped by pid.
	for p in /proc/[0-9]*; do
		pid=${p#/proc/}
		[ "$pid" = "$$" ] && continue
		if tr '\0' ' ' 2>/dev/null <"$p/cmdline" | grep -qF "$ENGINE_DIR/"; then
			kill -KILL "$pid" 2>/dev/null
		fi
	done
	grep -F " $ENGINE_DIR/" /proc/mounts | awk '{print $2}' | sort -r | while read -r m; do
		umount -l "$m" 2>/dev/null
	done
	rm -rf "$ENGINE_DIR"
	ENGINE_DIR= ENGINE_PID= ENGINE_SOCK=
}
