#!/bin/sh
# Runs every test and quality gate, then prints "N passed, M failed" as its last line.
#
#   1. build with -Werror                      (gate)
#   2. make check: unit tests (Check) and integration tests against a private
#      dockerd; every TAP result counts as one test
#   2b. the systemd units under a real systemd: a debootstrapped Debian 12
#      booted with systemd-nspawn, rotd installed by make install
#      (tests/systemd-boot.sh); every TAP result counts as one test
#   3. unit and integration tests under ASan and UBSan (gates); the integration
#      suite includes a full rotd --now pass under valgrind memcheck
#   4. unit tests under valgrind memcheck      (gate, one per program)
#   5. the layering of rotd/ (tests/layering.sh); the Grafana dashboard queries only rotd's metrics
#      (tests/grafana-metrics.sh); cppcheck and clang-tidy; rotd --help and rotd(8) list the same options
#                                              (gates)
#   6. libFuzzer runs of the network- and file-facing parsers: Alertmanager
#      payloads, rotd.conf, inspect JSON, exec frames, event lines
#      (gate; FUZZ_SECONDS per target, default 60)
#   7. make distcheck (unit tests from the tarball), and every tracked file in
#      the tarball                              (gates)
#
# Needs root (the integration tests start dockerd) and the packages .ci/deps.sh installs.
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
cd "$src" || exit 1
out=$src/build-test
logs=$out/logs
passed=0
failed=0

gate() {
	name=$1
	shift
	printf '%s ... ' "$name"
	if "$@" >"$logs/$name.log" 2>&1; then
		echo ok
		passed=$((passed + 1))
	else
		echo FAILED
		failed=$((failed + 1))
		tail -n 40 "$logs/$name.log" | sed 's/^/    /'
	fi
}

rm -rf "$out" "$src/build-asan"
mkdir -p "$logs" "$src/build-asan"
[ -x ./configure ] || ./autogen.sh >"$logs/autogen.log" 2>&1 || { cat "$logs/autogen.log"; exit 1; }

gate build-werror sh -c "cd '$out' && '$src/configure' --enable-werror && make -j2"

printf 'make check (unit + integration) ... '
(cd "$out" && make -j2 check) >"$logs/check.log" 2>&1
check_rc=$?
count() { sed -n "s/^# $1: *\([0-9]*\)\$/\1/p" "$logs/check.log" | tail -n 1; }
c_pass=$(count PASS)
c_fail=$(count FAIL)
c_err=$(count ERROR)
c_skip=$(count SKIP)
c_xpass=$(count XPASS)
passed=$((passed + ${c_pass:-0}))
failed=$((failed + ${c_fail:-0} + ${c_err:-0} + ${c_skip:-0} + ${c_xpass:-0}))
if [ $check_rc -ne 0 ] || [ -z "$c_pass" ]; then
	echo "FAILED (exit $check_rc)"
	[ -n "$c_pass" ] || failed=$((failed + 1))
	for f in "$out"/tests/unit/*.log "$out"/tests/integration/*.log; do
		[ -f "$f" ] || continue
		grep -qE '^(not ok|Bail out)|^(FAIL|ERROR):' "$f" && { echo "--- $f"; grep -vE '^ok ' "$f" | tail -n 60; }
	done
else
	echo "ok (${c_pass} passed)"
fi

# Runs a TAP program; each result counts as one test, and a program that
# bails out, exits non-zero or prints no plan counts one more failure.
tap_program() {
	name=$1
	shift
	printf '%s ... ' "$name"
	"$@" >"$logs/$name.log" 2>&1
	rc=$?
	t_pass=$(grep -c '^ok ' "$logs/$name.log")
	t_fail=$(grep -c '^not ok ' "$logs/$name.log")
	passed=$((passed + t_pass))
	failed=$((failed + t_fail))
	if [ $rc -ne 0 ] || [ "$t_fail" -ne 0 ] || ! grep -q '^1\.\.[0-9]' "$logs/$name.log"; then
		echo "FAILED (exit $rc, $t_pass passed, $t_fail failed)"
		[ "$t_fail" -ne 0 ] || failed=$((failed + 1))
		grep -vE '^ok ' "$logs/$name.log" | tail -n 60 | sed 's/^/    /'
	else
		echo "ok ($t_pass passed)"
	fi
}

# About 2 minutes, plus about 1 the first time, when it debootstraps the
# rootfs it then keeps as a tarball in /var/cache/rotd/systemd-boot.
tap_program systemd-boot sh tests/systemd-boot.sh

unit_tests=$(cd "$out" && make -s -f Makefile print-unit-tests 2>/dev/null)
gate asan-ubsan-unit sh -c "cd '$src/build-asan' && '$src/configure' --enable-werror --enable-sanitizers \
	&& make -j2 && make check TESTS='$unit_tests'"
gate asan-ubsan-integration sh -c "cd '$src/build-asan' && \
	ROTD_VALGRIND_BINARY='$out/rotd/rotd' make check TESTS='tests/integration/run.sh'"

# valgrind 3.19 (Debian 12) does not know openat2(2): under it ctrfs and media
# take rotd's component-by-component fallback walk, which ctrfs also tests
# directly.
for t in $unit_tests; do
	gate "valgrind-$(basename "$t")" env CK_FORK=no ROTD_TEST_QUICK=1 valgrind --quiet --leak-check=full \
		--errors-for-leak-kinds=definite,indirect --error-exitcode=1 "$out/$t"
done

gate layering sh tests/layering.sh

gate grafana-metrics sh tests/grafana-metrics.sh

gate cppcheck cppcheck --quiet --enable=warning,style,performance,portability --error-exitcode=1 \
	--inline-suppr --suppress=missingIncludeSystem --std=c11 -I "$out" -I rotd \
	rotd tests/unit tests/integration tests/fuzz

gate clang-tidy sh tests/clang-tidy.sh "$out"

gate docs-options sh tests/docs-options.sh "$out/rotd/rotd"

gate fuzz sh tests/fuzz/run.sh "${FUZZ_SECONDS:-60}"

# The tarball builds and passes the unit tests on its own (the integration suite
# already ran above), and it ships every tracked source, test and doc.
gate distcheck sh -c "cd '$out' && make -j2 distcheck TESTS='$unit_tests'"
gate dist-complete sh -c "cd '$src' && git ls-files rotd conf man systemd tests .ci .clang-tidy README.md BENCHMARKS.md \
	| sort >'$out/tracked.txt' && tar -tzf '$out'/rotd-*.tar.gz | sed 's|^rotd-[^/]*/||' | sort >'$out/dist.txt' \
	&& comm -23 '$out/tracked.txt' '$out/dist.txt' | tee '$out/missing-from-dist.txt' | { ! grep -q .; }"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
