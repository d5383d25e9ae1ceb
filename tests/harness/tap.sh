# tap.sh: TAP output for shell tests. Source it.
#   tap_ok DESC CMD...        runs CMD; ok when it exits 0
#   tap_is DESC GOT WANT      ok when GOT = WANT
#   tap_like DESC TEXT ERE    ok when TEXT matches the extended regexp
#   tap_diag TEXT             a diagnostic line
#   tap_bail REASON           Bail out! (the run fails; nothing is skipped)
#   tap_end                   prints the plan; returns 1 if anything failed
# and the helpers the scenarios share:
#   free_port                 prints a TCP port of 127.0.0.1 that is free now
#   wait_for SECONDS CMD...   runs CMD (its output discarded) every 0.2 s until it
#                             exits 0; returns 1 if it did not within SECONDS
#   wait_until SECONDS 'COND' the same for a shell condition, evaluated here
#                             (it sees this shell's variables and functions)
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

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Tries counted, not the clock: SECONDS * 5 tries, 0.2 s apart. The counter's
# name is its own: scenarios are sourced into one shell and keep theirs.
wait_for() {
	wait_for_tries=$(($1 * 5))
	shift
	until "$@" >/dev/null 2>&1; do
		wait_for_tries=$((wait_for_tries - 1))
		[ "$wait_for_tries" -gt 0 ] || return 1
		sleep 0.2
	done
}

wait_until() { wait_for "$1" eval "$2"; }
