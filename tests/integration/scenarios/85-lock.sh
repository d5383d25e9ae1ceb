# One pass at a time: a pass that finds the lock held waits up to lock-wait,
# then exits 4 with a clear message; a dry run does not need the lock.
lconf=$ENGINE_DIR/lock.conf
lockfile=$ENGINE_DIR/rotd.lock
sed 's/^lock-wait = .*/lock-wait = 1s/' "$TEST_CONF" >"$lconf"
flock -x "$lockfile" sleep 4 &
holder=$!
sleep 0.5
start=$(date +%s)
err=$("$ROTD" --config "$lconf" --now --rotate-only --container biz_waweb_1 2>&1 >/dev/null)
tap_is "a pass that cannot get the lock exits 4" "$?" 4
tap_like "and says who to wait for" "$err" "another rotd pass still holds $lockfile after 1 s \\(lock-wait\\)"
"$ROTD" --config "$lconf" --now --dry-run --container biz_waweb_1 >/dev/null 2>&1
tap_is "a dry run does not wait for the lock" "$?" 0
sed 's/^lock-wait = .*/lock-wait = 30s/' "$TEST_CONF" >"$lconf"
"$ROTD" --config "$lconf" --now --rotate-only --container biz_waweb_1 >/dev/null 2>"$ENGINE_DIR/lock.err"
tap_is "a pass with a longer lock-wait waits for the holder and then runs" "$?" 0
waited=$(($(date +%s) - start))
tap_like "it started only after the holder let go" "$waited" '^[3-9]$|^[1-9][0-9]$'
tap_like "and said it was waiting" "$(cat "$ENGINE_DIR/lock.err")" 'another rotd pass holds .* waiting up to 30 s'
wait "$holder" 2>/dev/null
