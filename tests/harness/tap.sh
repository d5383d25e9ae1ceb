# tap.sh: TAP output for shell tests. Source it.
#   tap_ok DESC CMD...        runs CMD; ok when it exits 0
#   tap_is DESC GOT WANT      ok when GOT = WANT
#   tap_like DESC TEXT ERE    ok when TEXT matches the extended regexp
#   tap_diag TEXT             a diagnostic line
#   tap_bail REASON           Bail out! (the run fails; nothing is skipped)
#   tap_end                   prints the plan; returns 1 if anything failed
TAP_N=0
TAP_FAILED=0

tap_result() {
	TAP_N=$((TAP_N + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $TAP_N - $2"
	else
		echo "not ok $TAP_N - $2"
		TAP_FAILED=$((TAP_FAILED + 1))
	fi
}

tap_diag() { for line in "$@"; do printf '%s\n' "$line"; done | sed 's/^/# /'; }

tap_ok() {
	desc=$1
	shift
	out=$("$@" 2>&1)
	rc=$?
	tap_result $rc "$desc"
	[ $rc -eq 0 ] || tap_diag "command: $* (exit $rc)" "$out"
}

tap_is() {
	[ "$2" = "$3" ]
	rc=$?
	tap_result $rc "$1"
	[ $rc -eq 0 ] || tap_diag "got:  $2" "want: $3"
}

tap_like() {
	printf '%s\n' "$2" | grep -Eq -- "$3"
	rc=$?
	tap_result $rc "$1"
	[ $rc -eq 0 ] || tap_diag "wanted a match for: $3" "in:" "$2"
}

tap_bail() {
	echo "Bail out! $*"
	exit 1
}

tap_end() {
	echo "1..$TAP_N"
	[ "$TAP_FAILED" -eq 0 ]
}
