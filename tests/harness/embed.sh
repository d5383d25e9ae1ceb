#!/bin/sh
# Usage: embed.sh SYMBOL < file > file.c
# Writes a C file defining `const char SYMBOL[]` with the bytes of stdin.
set -eu
sym=$1
printf '/* Generated from conf/rotd.conf by tests/harness/embed.sh; do not edit. */\n'
printf '#include "config/default_conf.h"\n\nconst char %s[] = ""\n' "$sym"
sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/\t"/' -e 's/$/\\n"/'
printf ';\n'
