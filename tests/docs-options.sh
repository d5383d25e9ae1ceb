#!/bin/sh
# Usage: tests/docs-options.sh ROTD
# The options rotd --help lists and those rotd(8)'s OPTIONS section documents
# are the same set, long and short: a new option needs both, and a removed one
# leaves neither behind. Prints the difference and exits 1 when they differ.
set -u
rotd=${1:?usage: tests/docs-options.sh ROTD}
man=$(cd "$(dirname "$0")/.." && pwd)/man/rotd.8
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rotd-docs.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

"$rotd" --help | grep -oE -- '(^|[ ,[])-(-[a-z][a-z-]*|[a-zA-Z])\b' | sed 's/^[ ,[]*//' | sort -u >"$tmp/help"
# In the man source a dash is written \-; options are set in bold (.B/.BR/.BI).
sed -n '/^\.SH OPTIONS/,/^\.SH /p' "$man" | grep -E '^\.(B|BR|BI|TP)' | sed 's/\\-/-/g' |
	grep -oE -- '(^|[ "])-(-[a-z][a-z-]*|[a-zA-Z])\b' | sed 's/^[ "]*//' | sort -u >"$tmp/man"
[ -s "$tmp/help" ] || { echo "rotd --help lists no options"; exit 1; }
[ -s "$tmp/man" ] || { echo "rotd(8) has no OPTIONS section"; exit 1; }
if ! cmp -s "$tmp/help" "$tmp/man"; then
	echo "only in rotd --help:"
	comm -23 "$tmp/help" "$tmp/man" | sed 's/^/  /'
	echo "only in rotd(8) OPTIONS:"
	comm -13 "$tmp/help" "$tmp/man" | sed 's/^/  /'
	exit 1
fi
echo "rotd --help and rotd(8) document the same $(wc -l <"$tmp/help") options"
