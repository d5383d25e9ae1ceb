#!/bin/sh
# Integration tests: the real rotd binary against a real dockerd that this script
# starts (tests/harness/engine.sh) and always tears down, even on failure.
# Output is TAP. If the engine cannot start, the run fails; nothing is skipped.
set -u
here=$(cd "$(dirname "$0")" && pwd)
srcdir=${ROTD_SRCDIR:-$(cd "$here/../.." && pwd)}
builddir=${ROTD_BUILDDIR:-$srcdir}
ROTD=${ROTD:-$builddir/rotd/rotd}
. "$srcdir/tests/harness/tap.sh"
. "$srcdir/tests/harness/engine.sh"
. "$srcdir/tests/harness/realhost.sh"
. "$srcdir/tests/harness/podman.sh"

trap 'podman_stop; realhost_stop; engine_stop' EXIT
trap 'exit 1' INT TERM HUP

[ "$(id -u)" = 0 ] || tap_bail "integration tests start their own dockerd and must run as root"
[ -x "$ROTD" ] || tap_bail "no rotd binary at $ROTD"

engine_start
tap_result $? "a private dockerd starts and answers /_ping"
# Every pass in the tests keeps its state file in the engine's temp folder: a
# wrapper adds --config TEST_CONF unless the scenario gives its own config.
TEST_CONF=$ENGINE_DIR/test.conf
sed -e "s|^state-file = .*|state-file = $ENGINE_DIR/state.json|" -e "s|^lock-file = .*|lock-file = $ENGINE_DIR/rotd.lock|" \
	-e "s|^status-file = .*|status-file = $ENGINE_DIR/status.json|" \
	-e "s|^  file = /var/lib/prometheus/node-exporter/rotd.prom|  file = $ENGINE_DIR/rotd.prom|" \
	"$srcdir/conf/rotd.conf" >"$TEST_CONF"
REAL_ROTD=$ROTD
ROTD=$ENGINE_DIR/rotd
cat >"$ROTD" <<EOW
#!/bin/sh
for a in "\$@"; do case \$a in --config|-c|--config=*) exec "$REAL_ROTD" "\$@";; esac; done
exec "$REAL_ROTD" --config "$TEST_CONF" "\$@"
EOW
chmod +x "$ROTD"
export TEST_CONF
[ "$TAP_FAILED" -eq 0 ] || tap_bail "no Docker engine: the integration tests cannot run"
engine_build_images
tap_result $? "WhatsApp-like images are imported from a busybox-static rootfs"
engine_start_whatsapp
tap_result $? "web, core, master (compose v1 and v2 names) and db containers start"
[ "$TAP_FAILED" -eq 0 ] || tap_bail "the test containers could not be created"

# Runs a Check program with TAP on stdout and re-numbers its results into ours.
run_check_program() {
	prog=$1
	out=$(CK_TAP_LOG_FILE_NAME=- CK_VERBOSITY=silent "$prog" 2>&1)
	rc=$?
	printf '%s\n' "$out" | grep -E '^(ok|not ok) ' >"$ENGINE_DIR/tap.$$" || true
	while IFS= read -r line; do
		case $line in
		"not ok"*) tap_result 1 "$(basename "$prog"): ${line#not ok * - }" ;;
		ok*) tap_result 0 "$(basename "$prog"): ${line#ok * - }" ;;
		esac
	done <"$ENGINE_DIR/tap.$$"
	tap_result $rc "$(basename "$prog") exits 0"
	[ $rc -eq 0 ] || tap_diag "$out"
}

# ROTD_SCENARIOS="60 95" runs only the scenarios whose names start so, and no
# Check programs: for working on one scenario. CI leaves it unset.
if [ -z "${ROTD_SCENARIOS:-}" ]; then
	run_check_program "$builddir/tests/integration/check_engine"
	run_check_program "$builddir/tests/integration/check_inventory_engine"
	run_check_program "$builddir/tests/integration/check_waclient"
fi

for scenario in "$here"/scenarios/[0-9]*.sh; do
	if [ -n "${ROTD_SCENARIOS:-}" ]; then
		wanted=0
		for prefix in $ROTD_SCENARIOS; do
			case $(basename "$scenario") in "$prefix"*) wanted=1 ;; esac
		done
		[ $wanted -eq 1 ] || continue
	fi
	tap_diag "scenario $(basename "$scenario")"
	. "$scenario"
done

tap_end
