#!/bin/sh
# clang-tidy over rotd/**/*.c with the repository's .clang-tidy (warnings are
# errors), two files at a time. Usage: tests/clang-tidy.sh BUILDDIR (for autoconf.h).
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?usage: tests/clang-tidy.sh BUILDDIR}
command -v clang-tidy >/dev/null || { echo "clang-tidy not found: apt-get install clang-tidy" >&2; exit 1; }
cd "$src" || exit 1
# Expanded unquoted in the inner shell: split into words, the quotes around the
# string macro stay literal, as a compiler command line wants them.
TIDY_FLAGS="-std=gnu11 -I$build -Irotd -DSYSCONFDIR=\"/usr/local/etc\" $(pkg-config --cflags libcurl libarchive libconfuse jansson libmicrohttpd)"
export TIDY_FLAGS
# shellcheck disable=SC2016 # expanded by the inner shell
ls rotd/*.c rotd/*/*.c | xargs -P 2 -n 4 sh -c 'clang-tidy --quiet "$@" -- $TIDY_FLAGS 2>/dev/null' clang-tidy >"$build/clang-tidy.log"
rc=$?
grep -E 'warning:|error:' "$build/clang-tidy.log"
[ $rc -eq 0 ] && ! grep -qE 'warning:|error:' "$build/clang-tidy.log"
