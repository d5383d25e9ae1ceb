# --check-config and config errors from the command line.
out=$("$ROTD" --check-config --config "$ROTD_SRCDIR/conf/rotd.conf" 2>&1)
tap_is "the shipped rotd.conf checks OK (exit 0)" "$?" 0
tap_like "and says so" "$out" '^configuration OK'

bad=$ENGINE_DIR/bad.conf
sed -e 's/^\( *size = \)20M/\120X/' -e 's/^\( *keep = \)30/\10/' "$ROTD_SRCDIR/conf/rotd.conf" >"$bad"
err=$("$ROTD" --check-config --config "$bad" 2>&1)
tap_is "a bad config exits 2" "$?" 2
tap_like "a bad size is reported as file:line" "$err" "^$bad:[0-9]+: .*size"
tap_like "a bad keep is reported as file:line" "$err" "^$bad:[0-9]+: .*keep"
tap_is "both errors are reported together, with no OK line" \
	"$(printf '%s\n' "$err" | grep -c "^$bad:[0-9]*: ")" "$(printf '%s\n' "$err" | grep -c .)"
err=$("$ROTD" --now --dry-run --config "$bad" 2>&1)
tap_is "a pass with a bad config exits 2 before touching the engine" "$?" 2
err=$("$ROTD" --check-config --config "$ENGINE_DIR/missing.conf" 2>&1)
tap_is "a missing config file exits 2" "$?" 2
tap_like "and names the file" "$err" "missing\.conf"
"$ROTD" --bogus >/dev/null 2>&1
tap_is "an unknown option exits 2" "$?" 2
