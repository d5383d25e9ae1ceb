#!/bin/sh
# The systemd units pass systemd-analyze verify and score at most 3.0 in
# systemd-analyze security (TAP). The services are checked with ExecStart
# pointing at the built binary, since it is not installed here.
# tests/systemd-boot.sh runs them under a real systemd.
set -u
srcdir=${ROTD_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
builddir=${ROTD_BUILDDIR:-$srcdir}
. "$srcdir/tests/harness/tap.sh"
command -v systemd-analyze >/dev/null || tap_bail "systemd-analyze not found: apt-get install systemd"
dir=$(mktemp -d /tmp/rotd-units.XXXXXX)
trap 'rm -rf "$dir"' EXIT
sed "s|@sbindir@|$builddir/rotd|" "$srcdir/systemd/rotd-now.service.in" >"$dir/rotd-now.service"
sed "s|@sbindir@|$builddir/rotd|" "$srcdir/systemd/rotd.service.in" >"$dir/rotd.service"
cp "$srcdir/systemd/rotd.timer" "$dir/rotd.timer"
out=$(cd "$dir" && SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no ./rotd.service ./rotd-now.service ./rotd.timer 2>&1)
rc=$?
# Complaints about units that are not ours (docker.service is absent here) are not findings.
ours=$(printf '%s\n' "$out" | grep -E 'rotd(-now)?\.service|rotd\.timer' | grep -v 'docker\.service')
tap_is "systemd-analyze verify exits 0 on rotd.service, rotd-now.service and rotd.timer" "$rc" 0
tap_is "and reports nothing about them" "$ours" ""
[ -z "$out" ] || tap_diag "$out"
tap_like "the timer runs daily in the off-peak window, persistent, with a random delay" \
	"$(cat "$dir/rotd.timer")" 'OnCalendar=\*-\*-\* 02:00:00'
tap_like "the service is a oneshot pass that respects the window" "$(cat "$dir/rotd-now.service")" \
	'ExecStart=.*/rotd --now --respect-window'
svc=$(cat "$dir/rotd.service")
tap_like "the daemon's service is Type=notify" "$svc" '^Type=notify$'
tap_like "restarted on failure" "$svc" '^Restart=on-failure$'
tap_like "with a watchdog" "$svc" '^WatchdogSec=[0-9]+'
tap_like "ProtectSystem=strict with ReadWritePaths for the lock and metrics" "$svc" \
	'^ReadWritePaths=/run -/var/lib/prometheus/node-exporter$'
tap_like "and a StateDirectory for the state file" "$svc" '^StateDirectory=rotd$'
tap_is "a reload checks the config first, so that a broken one fails it" \
	"$(printf '%s\n' "$svc" | grep '^ExecReload=' | tr '\n' '|')" \
	"ExecReload=$builddir/rotd/rotd --check-config|ExecReload=/bin/kill -HUP \$MAINPID|"
tap_like "a capability bounding set" "$svc" '^CapabilityBoundingSet=CAP_SYS_PTRACE'
tap_is "and no ProtectProc (rotd must see the containers' processes)" "$(printf '%s\n' "$svc" | grep -c '^ProtectProc')" 0
now=$(cat "$dir/rotd-now.service")
for opt in ProtectKernelLogs=yes ProtectClock=yes ProtectHostname=yes RestrictSUIDSGID=yes PrivateDevices=yes \
	RestrictNamespaces=yes MemoryDenyWriteExecute=yes SystemCallFilter=@system-service UMask=0077; do
	tap_is "both services set $opt" "$(printf '%s\n' "$svc" | grep -cx "$opt") $(printf '%s\n' "$now" | grep -cx "$opt")" "1 1"
done
# A metrics folder missing at start would be dropped from ReadWritePaths: both
# make it from rotd's tmpfiles.d entry first.
tap_like "both create the metrics folder before the start" \
	"$(printf '%s\n' "$svc" | grep -c '^ExecStartPre=-+systemd-tmpfiles --create rotd.conf$') $(printf '%s\n' "$now" | grep -c '^ExecStartPre=-+systemd-tmpfiles --create rotd.conf$')" '^1 1$'
mkdir "$dir/root"
out=$(systemd-tmpfiles --root="$dir/root" --create "$srcdir/systemd/rotd.tmpfiles" 2>&1)
tap_is "the tmpfiles.d entry makes /var/lib/prometheus/node-exporter, mode 755" \
	"$(stat -c %a "$dir/root/var/lib/prometheus/node-exporter" 2>&1)" 755
[ -z "$out" ] || tap_diag "$out"
for u in rotd.service rotd-now.service; do
	score=$(cd "$dir" && systemd-analyze security --offline=yes --no-pager "./$u" 2>&1 |
		sed -n "s/.*Overall exposure level for $u: \([0-9.]*\).*/\1/p")
	awk -v s="${score:-99}" 'BEGIN { exit !(s <= 3.0) }'
	tap_result $? "systemd-analyze security --offline: $u scores ${score:-nothing}, at most 3.0"
done
tap_end
