#!/bin/sh
# The systemd units pass systemd-analyze verify (TAP). The service is checked
# with ExecStart pointing at the built binary, since it is not installed here.
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
tap_like "ProtectSystem=strict with ReadWritePaths for state, lock and metrics" "$svc" \
	'^ReadWritePaths=/var/lib/rotd /run -/var/lib/prometheus/node-exporter$'
tap_like "a capability bounding set" "$svc" '^CapabilityBoundingSet=CAP_SYS_PTRACE'
tap_is "and no ProtectProc (rotd must see the containers' processes)" "$(printf '%s\n' "$svc" | grep -c '^ProtectProc')" 0
tap_end
