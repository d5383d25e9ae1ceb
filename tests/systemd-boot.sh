#!/bin/sh
# The units as shipped, under a real systemd (TAP; run as root).
#
# A Debian 12 rootfs (debootstrap --variant=minbase with systemd, dockerd and
# rotd's libraries) boots as a systemd-nspawn machine, with rotd installed by
# `make install DESTDIR=` from a --prefix=/usr --sysconfdir=/etc build and a
# dockerd with a WhatsApp-like web container inside. systemctl and journalctl
# run inside through nsenter. Checked: enable --now on a fresh install, READY
# and STATUS= during a pass, a watchdog kill mid-rotation and the restart that
# completes it, reloads (a broken config fails and the old one stays), a stop
# during a long compression and during cleanup.sh, rotd-now.service from its
# timer, systemd-analyze security, and the priorities of the journal lines.
#
# The rootfs is cached as a tarball keyed by its package list under
# ROTD_SDBOOT_CACHE (/var/cache/rotd/systemd-boot), so only the first run
# debootstraps (about a minute). The build is made in the work folder unless
# ROTD_SDBOOT_BUILDDIR names one configured with --prefix=/usr
# --sysconfdir=/etc. Everything started here is torn down on exit, also on
# failure: the machine (by its leader's pid), its cgroups and its mounts.
# A part that cannot start fails; nothing is skipped.
set -u
here=$(cd "$(dirname "$0")" && pwd)
srcdir=${ROTD_SRCDIR:-$(cd "$here/.." && pwd)}
. "$srcdir/tests/harness/tap.sh"
. "$srcdir/tests/harness/engine.sh"

SUITE=bookworm
MIRROR=${ROTD_SDBOOT_MIRROR:-http://deb.debian.org/debian}
CACHE_DIR=${ROTD_SDBOOT_CACHE:-/var/cache/rotd/systemd-boot}
# The packages issue 13 found enough; the libraries the built rotd needs are added.
BASE_PKGS="systemd systemd-sysv dbus procps busybox-static docker.io libcurl4 libarchive13 libconfuse2 libjansson4 libmicrohttpd12"
CTR=biz_waweb_1
LOGDIR=/var/log/whatsapp
ARCHDIR=/var/log/whatsapp/archive

WORK=
ROOT=
NSPAWN_PID=
LEADER=
CG=
IMMUTABLE=

[ "$(id -u)" = 0 ] || tap_bail "the systemd boot scenario boots a machine and must run as root"
for tool in systemd-nspawn debootstrap nsenter jq zstd readelf chattr; do
	command -v "$tool" >/dev/null || tap_bail "$tool not found: sh .ci/deps.sh installs it"
done

# ---- helpers ------------------------------------------------------------------

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
step_time() { tap_diag "time: $1: $(since "$2") s"; }

# Runs a command inside the machine, with a clean environment.
m() {
	nsenter -t "$LEADER" -a env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		LANG=C.UTF-8 SYSTEMD_PAGER= SYSTEMD_COLORS=0 "$@"
}

# prop UNIT PROPERTY: one property's value.
prop() { m systemctl show -p "$2" --value "$1" 2>/dev/null; }

# wait_for SECONDS CMD...: polls CMD every 0.2 s until it succeeds; 1 on timeout.
wait_for() {
	wf_end=$(($(date +%s) + $1))
	shift
	while ! "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -lt "$wf_end" ] || return 1
		sleep 0.2
	done
}
# wait_until SECONDS 'SHELL CONDITION': the same for a condition evaluated here
# (so it may use the functions above).
wait_until() { wait_for "$1" eval "$2"; }

# The journal's newest cursor, to read what comes after it.
cursor() {
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		c=$(m journalctl -q -n 1 -o json | jq -r '.__CURSOR // empty')
		[ -n "$c" ] && { echo "$c"; return 0; }
		sleep 0.5
	done
	echo "# no journal cursor" >&2
	return 1
}

# jlog CURSOR: rotd's own journal entries since CURSOR (any unit), one per
# line: PRIORITY, a tab, the unit, a tab, MESSAGE (newlines as \n). Filtered
# here, not by journalctl: in systemd 252 --after-cursor with a match (-p err,
# FIELD=value) skips the first matching entry.
jlog() {
	m journalctl -q --no-pager -o json --after-cursor="$1" |
		jq -r 'select(.SYSLOG_IDENTIFIER == "rotd")
			| [.PRIORITY, (._SYSTEMD_UNIT // ""), (.MESSAGE | if type == "array" then implode else tostring end)] | @tsv'
}
# jerr CURSOR: those at err or worse.
jerr() { jlog "$1" | awk -F '\t' '$1 <= 3'; }

# The web container's root as the host sees it (vfs: a plain folder).
ctr_root() {
	ctr_id=$(m docker inspect -f '{{.Id}}' "$CTR") || return 1
	mount_id=$(cat "$ROOT/var/lib/docker/image/vfs/layerdb/mounts/$ctr_id/mount-id") || return 1
	printf '%s\n' "$ROOT/var/lib/docker/vfs/dir/$mount_id"
}

# numbered_log FILE LINES: lines "<9-digit number> <padding>", about 100 bytes each.
numbered_log() {
	awk -v n="$2" 'BEGIN { pad = sprintf("%88s", ""); gsub(/ /, "x", pad); for (i = 1; i <= n; i++) printf "%09d %s\n", i, pad }' >"$1"
}

# lines_whole LINES: every numbered line 1..LINES is in the live web.log or its
# archives exactly once.
lines_whole() {
	{
		for a in "$CROOT$ARCHDIR"/web.log-*; do [ -f "$a" ] && zcat "$a"; done
		cat "$CROOT$LOGDIR/web.log"
	} | awk -v n="$1" '{ k = $1 + 0; if (seen[k]++) dup++; cnt++ }
		END { miss = 0; for (i = 1; i <= n; i++) if (!(i in seen)) miss++
		      printf "%d lines, %d duplicated, %d missing\n", cnt, dup + 0, miss; exit !(dup == 0 && miss == 0 && cnt == n) }'
}

# leftovers: rotd's own temporary or journal files in the log and archive folders.
leftovers() { find "$CROOT$LOGDIR" -name '.rotd*' 2>/dev/null; }

# write_conf EXTRA_SED: the shipped config with checks every 2 s and /metrics
# served on loopback, then the given sed expression, as /etc/rotd/rotd.conf.
write_conf() {
	sed -e 's/^interval = .*/interval = 2s/' -e '/^metrics {/,/^}/s/^  listen = .*/  listen = 127.0.0.1:9473/' \
		-e "${1:-}" "$srcdir/conf/rotd.conf" >"$ROOT/etc/rotd/rotd.conf.new" &&
		mv "$ROOT/etc/rotd/rotd.conf.new" "$ROOT/etc/rotd/rotd.conf"
}

# ---- teardown -----------------------------------------------------------------

teardown() {
	[ -n "$WORK" ] || return 0
	[ -z "$IMMUTABLE" ] || chattr -i "$IMMUTABLE" 2>/dev/null
	if [ -n "${ROTD_SDBOOT_KEEP:-}" ] && [ -n "$LEADER" ]; then
		echo "# ROTD_SDBOOT_KEEP: machine left running: nsenter -t $LEADER -a; work folder $WORK" >&2
		return 0
	fi
	if [ -n "$NSPAWN_PID" ] && kill -0 "$NSPAWN_PID" 2>/dev/null; then
		# SIGRTMIN+4 asks systemd for a clean poweroff; nspawn exits with it.
		[ -z "$LEADER" ] || kill -s RTMIN+4 "$LEADER" 2>/dev/null
		i=0
		while kill -0 "$NSPAWN_PID" 2>/dev/null && [ $i -lt 150 ]; do sleep 0.2; i=$((i + 1)); done
		# Killing the leader (PID 1 inside) kills everything in the machine.
		[ -z "$LEADER" ] || kill -KILL "$LEADER" 2>/dev/null
		kill -KILL "$NSPAWN_PID" 2>/dev/null
		wait "$NSPAWN_PID" 2>/dev/null
	fi
	if [ -n "$CG" ]; then
		# With a cgroup namespace (nspawn's default here) dockerd's cgroup
		# parent lies inside the machine's; without one it would be at the top.
		for d in /sys/fs/cgroup/*/"$CG" /sys/fs/cgroup/*/"$CG-docker"; do
			[ -d "$d" ] || continue
			find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null | while read -r p; do kill -KILL "$p" 2>/dev/null; done
			i=0
			while [ -d "$d" ] && [ $i -lt 50 ]; do
				find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
				[ -d "$d" ] && sleep 0.2
				i=$((i + 1))
			done
			[ -d "$d" ] && echo "# teardown: cannot remove the cgroup $d" >&2
		done
	fi
	grep -F " $WORK/" /proc/mounts | awk '{ print $2 }' | sort -r | while read -r mp; do umount -l "$mp" 2>/dev/null; done
	rm -rf "$WORK"
	WORK=
}
trap teardown EXIT
trap 'exit 1' INT TERM HUP

WORK=$(mktemp -d /var/tmp/rotd-sdboot.XXXXXX) || tap_bail "cannot make a work folder"
CG=$(basename "$WORK")
ROOT=$WORK/root
T_ALL=$(now)

# ---- 1. the build -------------------------------------------------------------

t=$(now)
if [ -n "${ROTD_SDBOOT_BUILDDIR:-}" ]; then
	build=$ROTD_SDBOOT_BUILDDIR
	make -C "$build" -j2 >"$WORK/build.log" 2>&1
else
	build=$WORK/build
	mkdir -p "$build" && (cd "$build" && "$srcdir/configure" --prefix=/usr --sysconfdir=/etc \
		--localstatedir=/var && make -j2) >"$WORK/build.log" 2>&1
fi
rc=$?
grep -qx 'prefix = /usr' "$build/Makefile" 2>/dev/null && grep -qx 'sysconfdir = /etc' "$build/Makefile" || rc=1
tap_result $rc "rotd builds for --prefix=/usr --sysconfdir=/etc"
[ $rc -eq 0 ] || { tail -n 30 "$WORK/build.log" | sed 's/^/# /'; tap_bail "no build to install"; }
step_time build "$t"

# ---- 2. the rootfs (cached) ---------------------------------------------------

# The Debian packages that hold the libraries rotd links against.
lib_pkgs() {
	readelf -d "$build/rotd/rotd" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | while read -r lib; do
		path=$(ldd "$build/rotd/rotd" | awk -v l="$lib" '$1 == l { print $3 }')
		[ -n "$path" ] || continue
		for p in "$path" "$(readlink -f "$path")" "/usr$path" "${path#/usr}"; do
			pkg=$(dpkg -S "$p" 2>/dev/null | head -n 1 | cut -d: -f1) && [ -n "$pkg" ] && { echo "$pkg"; break; }
		done
	done
}
# shellcheck disable=SC2046,SC2086
pkgs=$(printf '%s\n' $BASE_PKGS $(lib_pkgs) | awk '$0 != "libc6" && !seen[$0]++' | tr '\n' ',' | sed 's/,$//')
key=$(printf '%s\n' v1 "$SUITE" "$MIRROR" minbase "$pkgs" | sha256sum | cut -c1-16)
tarball=$CACHE_DIR/$SUITE-minbase-$key.tar.zst
tap_diag "rootfs packages: $pkgs"

t=$(now)
mkdir -p "$CACHE_DIR" "$ROOT"
(
	flock 9
	if [ ! -s "$tarball" ]; then
		echo "debootstrap $SUITE into $ROOT" >&2
		debootstrap --variant=minbase --include="$pkgs" "$SUITE" "$ROOT" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 || exit 1
		apt_clean=$ROOT/var/cache/apt/archives
		rm -f "$apt_clean"/*.deb
		tar --zstd --numeric-owner --xattrs --xattrs-include='*' -C "$ROOT" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball" || exit 1
		echo fresh >"$WORK/rootfs-origin"
	else
		tar --zstd --numeric-owner --xattrs --xattrs-include='*' -C "$ROOT" -xf "$tarball" || exit 1
		echo cached >"$WORK/rootfs-origin"
	fi
) 9>"$CACHE_DIR/.lock" 2>"$WORK/rootfs.err"
rc=$?
origin=$(cat "$WORK/rootfs-origin" 2>/dev/null)
tap_result $rc "a $SUITE minbase rootfs with systemd and docker.io (${origin:-none}: $tarball)"
if [ $rc -ne 0 ]; then
	sed 's/^/# /' "$WORK/rootfs.err"
	[ -f "$WORK/debootstrap.log" ] && tail -n 20 "$WORK/debootstrap.log" | sed 's/^/# /'
	[ -f "$ROOT/debootstrap/debootstrap.log" ] && tail -n 20 "$ROOT/debootstrap/debootstrap.log" | sed 's/^/# /'
	tap_bail "no rootfs to boot"
fi
step_time "rootfs ($origin)" "$t"

# ---- 3. make install into it ----------------------------------------------------

t=$(now)
out=$(make -C "$build" install DESTDIR="$ROOT" 2>&1)
rc=$?
tap_result $rc "make install DESTDIR=rootfs"
[ $rc -eq 0 ] || tap_diag "$out"
missing=
for f in /usr/sbin/rotd /usr/lib/systemd/system/rotd.service /usr/lib/systemd/system/rotd-now.service \
	/usr/lib/systemd/system/rotd.timer /usr/lib/tmpfiles.d/rotd.conf /etc/rotd/rotd.conf \
	/usr/share/man/man8/rotd.8; do
	[ -e "$ROOT$f" ] || missing="$missing $f"
done
tap_is "it installs the binary, the units, the tmpfiles.d entry, the config and the manual" "${missing:-none}" none
out=$(chroot "$ROOT" /usr/sbin/rotd --check-config 2>&1)
tap_is "the installed rotd runs in the rootfs and reads /etc/rotd/rotd.conf" "$out" "configuration OK (/etc/rotd/rotd.conf)"
step_time "make install" "$t"

# dockerd inside: vfs, no bridge or iptables (--private-network has only lo), and
# its own cgroup parent (removed with the machine's cgroups at the end).
mkdir -p "$ROOT/etc/docker"
cat >"$ROOT/etc/docker/daemon.json" <<EOF
{ "storage-driver": "vfs", "bridge": "none", "iptables": false, "ip6tables": false,
  "cgroup-parent": "/$CG-docker" }
EOF
# nspawn mounts the cgroup v1 controllers read-only; runc needs them writable.
# (A plain remount,rw fails with "busy"; a bind remount works.)
cat >"$ROOT/etc/systemd/system/rotd-test-cgroups.service" <<'EOF'
[Unit]
Description=rotd tests: make the cgroup v1 controllers writable for dockerd
DefaultDependencies=no
Before=containerd.service docker.service
After=local-fs.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/sh -c 'for d in /sys/fs/cgroup/*/; do mount -o remount,bind,rw "$d"; done'

[Install]
WantedBy=multi-user.target
EOF
ln -sf /etc/systemd/system/rotd-test-cgroups.service "$ROOT/etc/systemd/system/multi-user.target.wants/rotd-test-cgroups.service"
# The WhatsApp-like image: a busybox-static rootfs whose cleanup.sh sleeps while
# /tmp/slow-cleanup exists.
engine_make_rootfs "$WORK/wa" || tap_bail "cannot make the container rootfs"
cat >"$WORK/wa/opt/whatsapp/bin/cleanup.sh" <<'EOS'
#!/bin/sh
# Stand-in for the image's cleanup.sh: leaves a marker per run; slow on request.
while [ -e /tmp/slow-cleanup ]; do sleep 1; done
date +%s >>/tmp/cleanup-ran
EOS
tar -C "$WORK/wa" -cf "$ROOT/root/wa.tar" .

# ---- 4. boot --------------------------------------------------------------------

# The machine runs in cgroups of its own (every hierarchy), so that it and its
# dockerd never meet the host's, and all of it goes at the end.
cg_procs=
for h in /sys/fs/cgroup/*/; do
	[ -f "$h/cgroup.procs" ] || continue
	mkdir -p "$h$CG" || continue
	for f in cpuset.cpus cpuset.mems; do
		[ -f "$h$CG/$f" ] && cat "$h$f" >"$h$CG/$f" 2>/dev/null
	done
	cg_procs="$cg_procs $h$CG/cgroup.procs"
done
t=$(now)
# shellcheck disable=SC2016
SYSTEMD_SECCOMP=0 sh -c 'for f in $1; do echo $$ >"$f"; done; shift; exec "$@"' sh "$cg_procs" \
	systemd-nspawn -D "$ROOT" --register=no --keep-unit --capability=all --private-network \
	--console=read-only -b </dev/null >"$WORK/nspawn.log" 2>&1 &
NSPAWN_PID=$!
# The leader is nspawn's child whose pid inside its namespace is 1.
find_leader() {
	for c in $(cat /proc/"$NSPAWN_PID"/task/*/children 2>/dev/null); do
		nspid=$(awk '/^NSpid:/ { print $NF }' "/proc/$c/status" 2>/dev/null)
		[ "$nspid" = 1 ] && { echo "$c"; return 0; }
	done
	return 1
}
wait_for 30 find_leader
LEADER=$(find_leader)
[ -n "$LEADER" ] || { tail -n 30 "$WORK/nspawn.log" | sed 's/^/# /'; }
tap_result "$([ -n "$LEADER" ]; echo $?)" "systemd-nspawn starts the machine (leader pid ${LEADER:-none})"
[ -n "$LEADER" ] || tap_bail "no machine"
# systemctl talks to PID 1 through its private socket, which exists only once
# the manager is set up: asked earlier, even --wait fails at once ("Failed to
# connect to bus"), which a loaded machine made happen.
wait_for 120 test -S "/proc/$LEADER/root/run/systemd/private"
state=$(timeout 120 nsenter -t "$LEADER" -a env -i PATH=/usr/bin:/bin systemctl is-system-running --wait 2>&1)
case $state in running | degraded) rc=0 ;; *) rc=1 ;; esac
tap_result $rc "systemd boots to multi-user (is-system-running: $state)"
[ "$state" = running ] || tap_diag "failed units: $(m systemctl --failed --no-legend --plain 2>&1 | tr '\n' ' ')"
[ $rc -eq 0 ] || { tail -n 40 "$WORK/nspawn.log" | sed 's/^/# /'; tap_bail "the machine did not boot"; }
tap_is "PID 1 is systemd $(m systemctl --version | awk 'NR == 1 { print $2 }')" "$(m cat /proc/1/comm)" systemd
step_time boot "$t"
tap_diag "systemd-analyze time: $(m systemd-analyze time 2>&1 | head -n 1)"

t=$(now)
wait_for 60 m docker info
tap_is "dockerd runs inside (docker.service $(prop docker.service ActiveState))" "$(prop docker.service ActiveState)" active
m docker import -c 'ENV PATH=/bin' /root/wa.tar docker.whatsapp.biz/web:v2.x >/dev/null 2>&1 &&
	m docker run -d --network none --name "$CTR" --label com.docker.compose.project=biz \
		--label com.docker.compose.service=waweb --label com.docker.compose.container-number=1 \
		docker.whatsapp.biz/web:v2.x sleep 1000000 >"$WORK/run.log" 2>&1
rc=$?
tap_result $rc "a WhatsApp-like web container runs in it"
[ $rc -eq 0 ] || { tap_diag "$(cat "$WORK/run.log")"; tap_bail "no container"; }
CROOT=$(ctr_root)
tap_result "$([ -d "$CROOT$LOGDIR" ]; echo $?)" "its files are reachable from the host ($CROOT)"
ctr_cg=$(find /sys/fs/cgroup/memory/"$CG" -maxdepth 3 -type d -name "$(m docker inspect -f '{{.Id}}' "$CTR")" 2>/dev/null)
tap_like "dockerd's cgroup parent lies in the machine's own cgroup" "$ctr_cg" "^/sys/fs/cgroup/memory/$CG/$CG-docker/"
step_time "dockerd and the container" "$t"

# ---- 5. a fresh install: systemctl enable --now, nothing else -------------------

tap_is "systemd-tmpfiles made the metrics folder at boot (rotd's tmpfiles.d entry)" \
	"$(m stat -c %a /var/lib/prometheus/node-exporter 2>&1)" 755
# As on a system that has not booted since the install: no metrics folder.
m rm -rf /var/lib/prometheus
C0=$(cursor)
t=$(now)
out=$(m systemctl enable --now rotd.service 2>&1)
rc=$?
tap_result $rc "systemctl enable --now rotd.service"
[ $rc -eq 0 ] || tap_diag "$out"
tap_is "READY=1: the unit is active (running)" "$(prop rotd.service ActiveState)/$(prop rotd.service SubState)" active/running
step_time "enable --now until READY" "$t"
tap_like "STATUS= says what it watches" "$(prop rotd.service StatusText)" 'watching|idle|pass'
tap_is "enabled for multi-user.target" "$(m systemctl is-enabled rotd.service)" enabled
wait_for 20 m test -s /var/lib/prometheus/node-exporter/rotd.prom
tap_like "the metrics folder is made before the start and rotd.prom written in it" \
	"$(m ls -l /var/lib/prometheus/node-exporter/rotd.prom 2>&1)" '^-rw-r--r-- .* /var/lib/prometheus/node-exporter/rotd.prom$'
tap_like "the state folder /var/lib/rotd exists (StateDirectory)" "$(m stat -c %F /var/lib/rotd 2>&1)" directory
wait_for 10 m test -s /run/rotd/status.json
tap_like "rotd status reads /run/rotd/status.json (RuntimeDirectory)" "$(m rotd status 2>&1)" "$CTR"
tap_is "the daemon runs with /etc/rotd/rotd.conf" "$(m rotd status --json 2>/dev/null | jq -r .config)" /etc/rotd/rotd.conf
started=$(jlog "$C0" | grep -F 'daemon started')
tap_like "its journal lines carry priority 6 and the identifier rotd" "$started" '^6	rotd\.service	rotd [^ ]+ daemon started'
tap_is "no line repeats \"rotd: \" after the identifier" "$(jlog "$C0" | awk -F '\t' 'index($3, "rotd: ") == 1' | head -n 3)" ""
tap_is "nothing at err so far" "$(jerr "$C0")" ""

# ---- 6. reload: a good config applies; STATUS= during a pass ----------------------

C1=$(cursor)
read_at=$(m rotd status --json 2>/dev/null | jq -r .config_read)
sleep 1.1
write_conf ""
out=$(m systemctl reload rotd.service 2>&1)
rc=$?
tap_result $rc "systemctl reload with a good config succeeds"
[ $rc -eq 0 ] || tap_diag "$out"
wait_until 10 'jlog "$C1" | grep -q "configuration reloaded"'
tap_like "and the daemon reloads it" "$(jlog "$C1" | cut -f 3)" 'configuration reloaded from /etc/rotd/rotd.conf'
tap_result "$([ "$(m rotd status --json 2>/dev/null | jq -r .config_read)" -gt "$read_at" ]; echo $?)" "rotd status shows the new read time"
wait_until 10 'm busybox wget -q -O /dev/null http://127.0.0.1:9473/metrics'
tap_like "and serves /metrics under the unit's sandbox and system call filter" \
	"$(m busybox wget -q -O - http://127.0.0.1:9473/metrics 2>&1 | grep -m 1 '^rotd_')" '^rotd_'

# A big log, little compressible, so that a pass takes a while.
big_mb=${ROTD_SDBOOT_BIG_MB:-300}
t=$(now)
head -c $((big_mb * 1024 * 768)) /dev/urandom | base64 -w 120 >"$CROOT$LOGDIR/web.log.new" && mv "$CROOT$LOGDIR/web.log.new" "$CROOT$LOGDIR/web.log"
step_time "writing a ${big_mb} MiB web.log" "$t"
t=$(now)
seen=
end=$(($(date +%s) + 60))
while [ "$(date +%s)" -lt $end ]; do
	s=$(prop rotd.service StatusText)
	case $s in *web.log*) seen=$s; break ;; esac
	sleep 0.1
done
tap_like "STATUS= shows the step during the pass" "$seen" '(rotating|archiving|finishing) biz_waweb_1:/var/log/whatsapp/web.log'
tap_diag "StatusText: $seen"
wait_until 120 'ls "$CROOT$ARCHDIR"/web.log-* && [ "$(stat -c %s "$CROOT$LOGDIR/web.log")" -lt 1048576 ]'
rc=$?
tap_result $rc "the pass archives web.log and cuts it"
secs=$(since "$t")
rate=$(awk -v s="$secs" -v m="$big_mb" 'BEGIN { printf "%.0f", m / s }')
tap_diag "time: rotating ${big_mb} MiB: $secs s ($rate MiB/s)"
wait_until 10 '! prop rotd.service StatusText | grep -q web.log'
tap_like "after the pass STATUS= is the summary again" "$(prop rotd.service StatusText)" 'watching|last pass'
tap_is "nothing at err" "$(jerr "$C1")" ""

# ---- 7. reload: a broken config fails and the old one stays ----------------------

C2=$(cursor)
pid=$(prop rotd.service MainPID)
read_at=$(m rotd status --json 2>/dev/null | jq -r .config_read)
cp "$ROOT/etc/rotd/rotd.conf" "$WORK/good.conf"
printf 'interval = 10s\nno-such-setting = 1\n' >>"$ROOT/etc/rotd/rotd.conf"
out=$(m systemctl reload rotd.service 2>&1)
tap_result $((!$?)) "systemctl reload with a broken config fails"
tap_diag "$out"
tap_is "rotd keeps running (same pid, active)" "$(prop rotd.service MainPID)/$(prop rotd.service ActiveState)" "$pid/active"
sleep 1
tap_is "with the old config (rotd status: same read time)" "$(m rotd status --json 2>/dev/null | jq -r .config_read)" "$read_at"
errs=$(jerr "$C2")
tap_like "the error is logged at err, with file:line, in one entry" "$errs" \
	'^3	rotd\.service	/etc/rotd/rotd\.conf:[0-9]+: .*no-such-setting'
tap_is "and at no other priority" "$(jlog "$C2" | awk -F '\t' '$1 != 3' | grep -c 'no-such-setting')" 0
# The daemon itself, signalled past ExecReload, also keeps the old config.
C3=$(cursor)
m systemctl kill -s HUP --kill-who=main rotd.service
wait_until 10 'jlog "$C3" | grep -q "not reloaded"'
errs=$(jerr "$C3")
tap_like "a SIGHUP with the broken config: the daemon logs it at err, whole" "$errs" \
	'^3	rotd\.service	configuration not reloaded; still running with the one read from /etc/rotd/rotd\.conf$'
tap_is "each of its errors in one entry at err, none at another priority" \
	"$(jlog "$C3" | awk -F '\t' '$1 != 3 && /rotd\.conf|not reloaded|no-such-setting/')" ""
tap_like "STATUS= tells the reload was refused" "$(prop rotd.service StatusText)" 'reload refused'
tap_is "still the same process" "$(prop rotd.service MainPID)" "$pid"
cp "$WORK/good.conf" "$ROOT/etc/rotd/rotd.conf"
m systemctl reload rotd.service >/dev/null 2>&1

# An error in a worker thread while others log: a log rotd may not cut (immutable).
C4=$(cursor)
numbered_log "$CROOT$LOGDIR/access.log" 250000
numbered_log "$CROOT$LOGDIR/error.log" 250000
numbered_log "$CROOT$LOGDIR/other.log" 250000
IMMUTABLE=$CROOT$LOGDIR/error.log
chattr +i "$IMMUTABLE"
wait_until 60 'ls "$CROOT$ARCHDIR"/access.log-* "$CROOT$ARCHDIR"/other.log-* && jlog "$C4" | grep -q error.log'
sleep 3
chattr -i "$IMMUTABLE" && IMMUTABLE=
errs=$(jerr "$C4")
tap_like "a worker thread's error (error.log is immutable), among others' lines, is logged at err" "$errs" '^3	rotd\.service	.*error\.log.*(not permitted|Operation)'
tap_is "no line about error.log's failure at another priority" \
	"$(jlog "$C4" | awk -F '\t' '$1 != 3 && /error\.log/ && /not permitted|cannot|failed/')" ""
tap_diag "err lines:" "$errs"
rm -f "$CROOT$LOGDIR/error.log" "$CROOT$LOGDIR/access.log" "$CROOT$LOGDIR/other.log"

# ---- 8. the watchdog kills a stalled rotd; the restart completes the rotation ----

mkdir -p "$ROOT/etc/systemd/system/rotd.service.d"
cat >"$ROOT/etc/systemd/system/rotd.service.d/50-test-stall.conf" <<'EOF'
# rotd tests: hang right after the archive is linked, before the source is cut.
[Service]
WatchdogSec=6s
Environment=ROTD_STALL_AT=archive-linked
LimitCORE=0
EOF
m systemctl daemon-reload
m systemctl restart rotd.service
# Read by the restart check below (inside a wait_until string).
# shellcheck disable=SC2034
restarts=$(prop rotd.service NRestarts)
rm -f "$CROOT$ARCHDIR"/web.log-*
C5=$(cursor)
t=$(now)
numbered_log "$CROOT$LOGDIR/web.log" 300000
wait_until 90 '[ "$(prop rotd.service Result)" = watchdog ]'
rc=$?
tap_result $rc "the watchdog (WatchdogSec=6s) kills rotd stalled mid-rotation"
step_time "stall until the watchdog kill" "$t"
# The restart (RestartSec=10s) runs without the stall.
rm -f "$ROOT/etc/systemd/system/rotd.service.d/50-test-stall.conf"
m systemctl daemon-reload
tap_like "the archive was linked, the source not cut yet" \
	"$(ls -A "$CROOT$ARCHDIR" | tr '\n' ' ')" '\.rotd.*web\.log-[0-9]{8}T[0-9]{6}Z\.gz'
wait_until 40 '[ "$(prop rotd.service NRestarts)" -gt "$restarts" ] && [ "$(prop rotd.service ActiveState)" = active ]'
tap_result $? "systemd restarts rotd (Restart=on-failure)"
step_time "kill until restarted" "$t"
wait_until 30 '[ -z "$(leftovers)" ] && [ "$(stat -c %s "$CROOT$LOGDIR/web.log")" -lt 1048576 ]'
tap_result $? "its recovery completes the interrupted rotation"
tap_like "exactly one archive, whole" "$(ls "$CROOT$ARCHDIR" | grep -c '^web\.log-') $(for a in "$CROOT$ARCHDIR"/web.log-*; do gzip -t "$a" && echo whole; done)" '^1 whole$'
tap_like "no line lost or duplicated between the archive and the cut log" "$(lines_whole 300000)" '^300000 lines, 0 duplicated, 0 missing$'
tap_is "no .rotd* leftovers" "$(leftovers)" ""
tap_like "the journal tells of the watchdog" "$(m journalctl -q --after-cursor="$C5" -o json | jq -r 'select(.UNIT == "rotd.service") | .MESSAGE' | grep -i watchdog | head -n 1)" '[Ww]atchdog timeout'
tap_diag "recovery: $(jlog "$C5" | cut -f 3 | grep -iE 'journal|interrupted|recover|finish' | head -n 3 | tr '\n' '|')"

# ---- 9. stop during a long compression ------------------------------------------

C6=$(cursor)
rm -f "$CROOT$ARCHDIR"/web.log-*
# With the shipped stop-timeout (30 s) and TimeoutStopSec (90 s): a log big
# enough to compress for about 45 s at the rate measured above.
stop_mb=${ROTD_SDBOOT_STOP_MB:-$(awk -v r="$rate" 'BEGIN { m = r * 45; if (m < 400) m = 400; if (m > 3000) m = 3000; printf "%d", m }')}
head -c $((stop_mb * 1024 * 768)) /dev/urandom | base64 -w 120 >"$CROOT$LOGDIR/web.log.new" && mv "$CROOT$LOGDIR/web.log.new" "$CROOT$LOGDIR/web.log"
size=$(stat -c %s "$CROOT$LOGDIR/web.log")
wait_until 60 'prop rotd.service StatusText | grep -q web.log'
tap_diag "StatusText at the stop: $(prop rotd.service StatusText)"
limit=$(prop rotd.service TimeoutStopUSec)
t=$(now)
m systemctl stop rotd.service
secs=$(since "$t")
tap_result "$(awk -v s="$secs" 'BEGIN { exit !(s < 90) }'; echo $?)" "a stop during a long compression ends within TimeoutStopSec ($secs s of $limit)"
tap_is "cleanly (Result=success, not killed)" "$(prop rotd.service Result)" success
# Abandoned after stop-timeout: the source whole and no archive; or, on a
# machine fast enough, finished: one whole archive and the source cut.
got="$(stat -c %s "$CROOT$LOGDIR/web.log") $(find "$CROOT$ARCHDIR" -name 'web.log-*' | wc -l) $(leftovers | wc -l)"
case $got in
"$size 0 0") tap_result 0 "abandoned after stop-timeout: the source is whole, nothing archived, no leftovers" ;;
*" 1 0") tap_result "$(gzip -t "$CROOT$ARCHDIR"/web.log-* && [ "$(stat -c %s "$CROOT$LOGDIR/web.log")" -lt 1048576 ]; echo $?)" \
	"finished within stop-timeout: one whole archive, the source cut, no leftovers" ;;
*) tap_result 1 "the source is whole or archived whole, no leftovers (size, archives, leftovers: $got; the source had $size)" ;;
esac
tap_is "nothing at err during the stop" "$(jerr "$C6")" ""
tap_diag "$(jlog "$C6" | cut -f 1,3 | tail -n 4)"
rm -f "$CROOT$LOGDIR/web.log"

# ---- 10. stop during cleanup.sh ---------------------------------------------------

C7=$(cursor)
h0=$(date -d '-1 hour' +%H:00)
h1=$(date -d '+2 hours' +%H:00)
write_conf "s/^  window = .*/  window = $h0-$h1/;s/^stop-timeout = .*/stop-timeout = 5s/"
m rm -f /var/lib/rotd/state.json
touch "$CROOT/tmp/slow-cleanup"
m systemctl start rotd.service
wait_until 60 'prop rotd.service StatusText | grep -q cleanup'
tap_like "STATUS= shows cleanup.sh running (window $h0-$h1)" "$(prop rotd.service StatusText)" 'cleanup'
t=$(now)
m systemctl stop rotd.service
secs=$(since "$t")
rm -f "$CROOT/tmp/slow-cleanup"
tap_result "$(awk -v s="$secs" 'BEGIN { exit !(s < 90) }'; echo $?)" "a stop during cleanup.sh ends within TimeoutStopSec ($secs s)"
tap_is "cleanly (Result=success)" "$(prop rotd.service Result)" success
tap_is "and is not logged at err" "$(jerr "$C7")" ""
tap_like "but said at warning" "$(jlog "$C7" | awk -F '\t' '$1 == 4')" 'cleanup: cut short because rotd is stopping'

# ---- 11. rotd-now.service from its timer ------------------------------------------

C8=$(cursor)
write_conf ""
numbered_log "$CROOT$LOGDIR/web.log" 300000
m rm -f /var/lib/prometheus/node-exporter/rotd-now.prom
mkdir -p "$ROOT/etc/systemd/system/rotd.timer.d"
cat >"$ROOT/etc/systemd/system/rotd.timer.d/50-test-soon.conf" <<'EOF'
# rotd tests: fire a second after the timer starts.
[Timer]
OnActiveSec=1s
RandomizedDelaySec=0
EOF
m systemctl daemon-reload
t=$(now)
out=$(m systemctl enable --now rotd.timer 2>&1)
rc=$?
tap_result $rc "systemctl enable --now rotd.timer"
[ $rc -eq 0 ] || tap_diag "$out"
wait_until 120 '[ "$(prop rotd-now.service ExecMainExitTimestampMonotonic)" != 0 ] && [ "$(prop rotd-now.service ActiveState)" = inactive ]'
tap_is "the timer starts rotd-now.service, which completes" \
	"$(prop rotd-now.service Result) $(prop rotd-now.service ExecMainStatus)" "success 0"
step_time "rotd-now from the timer" "$t"
tap_like "its pass rotated web.log" "$(ls "$CROOT$ARCHDIR" | tr '\n' ' ')" 'web\.log-'
tap_like "and wrote rotd-now.prom" "$(m ls -l /var/lib/prometheus/node-exporter/rotd-now.prom 2>&1)" '^-rw-r--r--'
tap_like "the timer waits for its next day" "$(m systemctl list-timers --no-legend rotd.timer 2>&1)" 'rotd\.timer'
tap_is "nothing at err" "$(jerr "$C8")" ""
m systemctl disable --now rotd.timer >/dev/null 2>&1

# ---- 12. systemd-analyze security ---------------------------------------------------

out=$(m systemd-analyze security --no-pager rotd.service rotd-now.service 2>&1)
for u in rotd.service rotd-now.service; do
	score=$(printf '%s\n' "$out" | sed -n "s/.*Overall exposure level for $u: \([0-9.]*\).*/\1/p")
	tap_result "$(awk -v s="${score:-99}" 'BEGIN { exit !(s <= 3.0) }'; echo $?)" "systemd-analyze security $u: ${score:-none} (at most 3.0)"
done
printf '%s\n' "$out" | grep -E '✗|Overall' | sed 's/^/# /'

# ---- 13. the whole journal --------------------------------------------------------

all=$(jlog "$C0")
tap_like "the journal holds rotd's lines of the whole run" "$(printf '%s\n' "$all" | wc -l)" '^[0-9]{2,}$'
tap_is "none repeats \"rotd: \" after the identifier" "$(printf '%s\n' "$all" | awk -F '\t' 'index($3, "rotd: ") == 1' | head -n 3)" ""

# ---- 14. power off and clean up -------------------------------------------------------

m docker rm -f "$CTR" >/dev/null 2>&1
t=$(now)
kill -s RTMIN+4 "$LEADER"
wait_until 60 '! kill -0 "$NSPAWN_PID"'
tap_result $? "the machine powers off"
step_time poweroff "$t"
wait "$NSPAWN_PID" 2>/dev/null
NSPAWN_PID=
LEADER=
teardown
left=$(ls -d /sys/fs/cgroup/*/"$CG" /sys/fs/cgroup/*/"$CG-docker" 2>/dev/null; grep -F "/var/tmp/$CG" /proc/mounts; ls -d "/var/tmp/$CG" 2>/dev/null)
tap_is "its cgroups, mounts and files are gone" "${left:-none}" none
tap_diag "time: total $(since "$T_ALL") s"
tap_end
