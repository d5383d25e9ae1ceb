# Bad command lines, through the real binary against the real engine: each
# gives exactly one line on stderr with its exact text, exit 2, no hang, no
# crash, and nothing done (no report, no state or metrics file touched).
# One row per case: ARGS (as one shell word list) | exact stderr.
cli_state=$ENGINE_DIR/cli-state.json
cli_conf=$ENGINE_DIR/cli.conf
sed -e "s|^state-file = .*|state-file = $cli_state|" -e "s|^  file = .*rotd.prom|  file = $ENGINE_DIR/cli.prom|" \
	"$TEST_CONF" >"$cli_conf"
rm -f "$cli_state" "$ENGINE_DIR/cli.prom" "$ENGINE_DIR/cli-now.prom"

cli_case() {
	want=$1
	shift
	timeout 20 "$REAL_ROTD" "$@" >"$ENGINE_DIR/cli.out" 2>"$ENGINE_DIR/cli.err"
	rc=$?
	tap_is "rotd $*: exit 2 (not a hang, crash or other code)" "$rc" 2
	tap_is "rotd $*: one exact line" "$(cat "$ENGINE_DIR/cli.err")" "$want"
	tap_is "rotd $*: nothing on stdout, no state or metrics written" \
		"$(cat "$ENGINE_DIR/cli.out"; ls "$cli_state" "$ENGINE_DIR/cli.prom" "$ENGINE_DIR/cli-now.prom" 2>/dev/null)" ""
}

cli_case "rotd: no container named biz_wacore1; nothing done (rotd --now --dry-run lists the containers)" \
	--config "$cli_conf" --now --container biz_wacore1
cli_case "rotd: no container named nope; nothing done (rotd --now --dry-run lists the containers)" \
	--config "$cli_conf" --now --dry-run --container biz_waweb_1 --container nope
cli_case "rotd: --json goes with --now (or, for --json, with status); see rotd --help" --config "$cli_conf" --json
cli_case "rotd: --dry-run goes with --now (or, for --json, with status); see rotd --help" --config "$cli_conf" -n
cli_case "rotd: --remediate goes with --now (or, for --json, with status); see rotd --help" \
	--config "$cli_conf" --remediate
cli_case "rotd: --container goes with --now (or, for --json, with status); see rotd --help" \
	--config "$cli_conf" --container biz_waweb_1
cli_case "rotd: unknown option '--bogus'; see rotd --help" --config "$cli_conf" --now --bogus
cli_case "rotd: unknown option '-x'; see rotd --help" --config "$cli_conf" -nx
cli_case "rotd: '--now=3': this option takes no value; see rotd --help" --config "$cli_conf" --now=3
cli_case "rotd: --config needs a value; see rotd --help" --now --config
cli_case "rotd: unexpected argument 'stauts'; see rotd --help" --config "$cli_conf" stauts
cli_case "rotd: status takes only --config and --json; see rotd --help" --config "$cli_conf" status --now
cli_case "rotd: --check-config takes only --config; see rotd --help" --config "$cli_conf" --check-config --now
cli_case "rotd: --remediate runs its own steps: not with --respect-window or --rotate-only" \
	--config "$cli_conf" --now --remediate --rotate-only

# rotd usage: the same one line and exit 2, nothing measured or printed.
cli_case "rotd: no container named nope; nothing done (rotd usage lists the containers)" \
	--config "$cli_conf" usage --container biz_waweb_1 --container nope
cli_case "rotd: no container named biz_wacore1; nothing done (rotd usage lists the containers)" \
	--config "$cli_conf" usage --json --container biz_wacore1
cli_case "rotd: usage takes only --config, --json and --container; see rotd --help" --config "$cli_conf" usage --now
cli_case "rotd: usage takes only --config, --json and --container; see rotd --help" --config "$cli_conf" usage -n
cli_case "rotd: usage takes only --config, --json and --container; see rotd --help" \
	--config "$cli_conf" --remediate usage
cli_case "rotd: usage takes only --config, --json and --container; see rotd --help" \
	--config "$cli_conf" usage --check-config
cli_case "rotd: unexpected argument 'extra'; see rotd --help" --config "$cli_conf" usage extra
cli_case "rotd: unexpected argument 'usage'; see rotd --help" --config "$cli_conf" status usage
cli_case "rotd: --container needs a value; see rotd --help" --config "$cli_conf" usage --container
cli_case "rotd: '--json=1': this option takes no value; see rotd --help" --config "$cli_conf" usage --json=1

# A name that exists is measured, read-only: no state or metrics file, and
# no wait for the rotation lock a pass holds.
cli_lock=$(sed -n 's/^lock-file = //p' "$cli_conf")
(
	flock -x 9 || exit 9
	timeout 20 "$REAL_ROTD" --config "$cli_conf" usage --json --container biz_waweb_1 9>&- \
		>"$ENGINE_DIR/cli.out" 2>"$ENGINE_DIR/cli.err"
) 9>"$cli_lock"
tap_is "rotd usage --container biz_waweb_1 runs while a pass holds the lock (exit 0)" "$?" 0
tap_is "and lists only that container" \
	"$(jq -r '[.containers[].name] | join(" ")' "$ENGINE_DIR/cli.out")" "biz_waweb_1"
tap_is "and writes no state or metrics file" \
	"$(ls "$cli_state" "$ENGINE_DIR/cli.prom" "$ENGINE_DIR/cli-now.prom" 2>/dev/null)" ""

# A name that exists still works, and writes what a pass writes.
timeout 60 "$REAL_ROTD" --config "$cli_conf" --now --rotate-only --container biz_waweb_1 >/dev/null 2>&1
tap_is "a --container that exists runs (exit 0)" "$?" 0
tap_ok "and writes rotd --now's metrics" test -s "$ENGINE_DIR/cli-now.prom"
rm -f "$cli_state" "$ENGINE_DIR/cli.prom" "$ENGINE_DIR/cli-now.prom" "$cli_conf" "$ENGINE_DIR/cli.out" "$ENGINE_DIR/cli.err"
