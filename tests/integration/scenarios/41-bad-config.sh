# Bad configuration, table-driven, through the real binary. Every bad file (and
# every config path that is not a regular file) goes through rotd
# --check-config, rotd --now --dry-run and the daemon, each under timeout 10.
# Each must print exactly its message(s) on stderr, nothing on stdout (no
# report), and exit 2: not 124 (it hung) nor 128 and up (it crashed). The files
# set their state, lock, status and metrics files in a folder of their own,
# which must stay empty: no pass ran.
bc_dir=$ENGINE_DIR/bad-config
rm -rf "$bc_dir"
mkdir -p "$bc_dir/out"
bc_run=$bc_dir/out

# What a pass would write, were a bad file accepted (lines 1 to 6 of each file).
bc_head="state-file = $bc_dir/out/state.json
lock-file = $bc_dir/out/rotd.lock
status-file = $bc_dir/out/status.json
metrics {
  file = $bc_dir/out/rotd.prom
}"
# A valid role (lines 7 to 14 after bc_head).
bc_role='role web {
  match {
    image = "docker.whatsapp.biz/web:*"
  }
  logs = {"/var/log/whatsapp/*.log"}
  size = 20M
  archive-dir = /var/log/whatsapp/archive
}'
bc_tz_why='use one such as Europe/Berlin, or UTC ("" is the host'"'"'s local time)'
bc_sections='sections here: metrics, webhook, docker, offpeak, role, media, watermarks, cleanup, gc'

# The TEST_CONF files of the other scenarios must not change either.
bc_sum() {
	for f in "$ENGINE_DIR/state.json" "$ENGINE_DIR/rotd.prom" "$ENGINE_DIR/status.json"; do
		if [ -e "$f" ]; then cksum <"$f"; else echo "no $f"; fi
	done
}
bc_before=$(bc_sum)

# bc_check NAME PATH WANT: the three runs with --config PATH. WANT is the
# whole stderr, with @F@ standing for PATH.
bc_check() {
	bc_want=$(printf '%s\n' "$3" | awk -v f="$2" '{ gsub(/@F@/, f); print }')
	for bc_mode in --check-config "--now --dry-run" daemon; do
		bc_args=$bc_mode
		[ "$bc_mode" = daemon ] && bc_args=
		# shellcheck disable=SC2086 # bc_args is a list of options
		env -u TZDIR -u ROTD_TEST_NO_SUCH_VAR timeout 10 "$ROTD" $bc_args --config "$2" \
			>"$bc_run/stdout" 2>"$bc_run/stderr"
		bc_rc=$?
		tap_is "$1: rotd ${bc_mode} exits 2 (124: it hung; 128 and up: it crashed)" "$bc_rc" 2
		tap_is "$1: rotd ${bc_mode} says exactly what is wrong" "$(cat "$bc_run/stderr")" "$bc_want"
		tap_is "$1: rotd ${bc_mode} prints no report" "$(cat "$bc_run/stdout")" ""
	done
}

# bc_case NAME WANT: the file is stdin.
bc_case() {
	cat >"$bc_dir/$1.conf"
	bc_check "$1" "$bc_dir/$1.conf" "$2"
}

bc_case timezone "@F@:16: offpeak: timezone 'Mars/Olympus' is not a known time zone (not in /usr/share/zoneinfo); $bc_tz_why" <<EOF
$bc_head
$bc_role
offpeak {
  timezone = "Mars/Olympus"
}
EOF

bc_case timezone-path "@F@:16: offpeak: timezone '../../../etc/passwd' is not a time zone name; use one from the tz database such as Europe/Berlin, or UTC (\"\" is the host's local time)" <<EOF
$bc_head
$bc_role
offpeak {
  timezone = "../../../etc/passwd"
}
EOF

bc_case value-with-space "@F@:9: role web: size = 15 MB: write sizes without a space, e.g. 15M (or \"15M\")
@F@:14: media: floor = 7 days: write durations without a space, e.g. 7d (or \"7d\")
@F@:16: interval = 5 s: write durations without a space, e.g. 5s (or \"5s\")" <<EOF
$bc_head
role web {
  logs = {"/var/log/whatsapp/*.log"}
  size = 15 MB
  archive-dir = /var/log/whatsapp/archive
}
media {
  root = /usr/local/wamedia
  floor = 7 days
}
interval = 5 s
EOF

bc_case argv-with-space "@F@:11: role web: postrotate item /bin/kill -HUP 1: give each argument its own quoted item, e.g. {\"/bin/kill\", \"-HUP\", \"1\"}" <<EOF
$bc_head
role web {
  logs = {"/var/log/whatsapp/*.log"}
  size = 20M
  method = rename
  postrotate = {/bin/kill -HUP 1}
  archive-dir = /var/log/whatsapp/archive
}
EOF

# libconfuse alone: "role master: no such option 'role'"
bc_case missing-brace "@F@:7: role master { is never closed (missing '}')" <<EOF
$bc_head
role master {
  match {
    image = "docker.whatsapp.biz/coreapp:*"
    env = {"WA_MASTER_NODE=1"}
  }
  logs = {"/usr/local/waent/logs/*.log"}
  size = 15M
  archive-dir = /var/log/whatsapp/archive
$bc_role
EOF

bc_case missing-brace-at-end "@F@:7: role web { is never closed (missing '}')
@F@:11: role web: logs = { is never closed (missing '}')" <<EOF
$bc_head
role web {
  match {
    image = "docker.whatsapp.biz/web:*"
  }
  logs = {"/var/log/whatsapp/*.log",
EOF

bc_case missing-comma "@F@:12: role web: logs: a ',' is missing before \"/var/log/lighttpd/*.log\" (list items are separated by commas)" <<EOF
$bc_head
role web {
  match {
    image = "docker.whatsapp.biz/web:*"
  }
  logs = {"/var/log/whatsapp/*.log"
          "/var/log/lighttpd/*.log"}
  size = 20M
  archive-dir = /var/log/whatsapp/archive
}
EOF

# libconfuse alone: "docker: socket '' must be an absolute path"
bc_case unset-variable "@F@:8: \${ROTD_TEST_NO_SUCH_VAR} is not set in rotd's environment" <<EOF
$bc_head
docker {
  socket = \${ROTD_TEST_NO_SUCH_VAR}
}
$bc_role
EOF

bc_case control-bytes "@F@:15: jobs '\\x1b[31m\\xff' must be a whole number from 0 to 256 (0 = one per CPU)
@F@:16: no such option '\\x07bell'" <<EOF
$bc_head
$bc_role
jobs = $(printf '\033[31m\377')
$(printf '\007')bell = 1
EOF

# found in the order 10 (the scan), 7 (the parse): printed by line
bc_case sorted-by-line "@F@:7: jobs 'many' must be a whole number from 0 to 256 (0 = one per CPU)
@F@:10: role web: size = 15 MB: write sizes without a space, e.g. 15M (or \"15M\")" <<EOF
$bc_head
jobs = many
role web {
  logs = {"/var/log/whatsapp/*.log"}
  size = 15 MB
  archive-dir = /var/log/whatsapp/archive
}
EOF

bc_case unterminated-string "@F@:15: the string \"4... is never closed (missing the closing \")" <<EOF
$bc_head
$bc_role
jobs = "4
EOF

bc_case unterminated-comment "@F@:15: comment '/*' is never closed with '*/'" <<EOF
$bc_head
$bc_role
/* jobs = 4
EOF

bc_case bad-escape "@F@:15: '\\9' in a string is not an escape; write a backslash as \\\\" <<EOF
$bc_head
$bc_role
jobs = "\\9"
EOF

printf '%s\n%s\njobs = 1\0\n' "$bc_head" "$bc_role" >"$bc_dir/nul-byte.conf"
bc_check nul-byte "$bc_dir/nul-byte.conf" "@F@:15: contains a NUL byte; is this the right file?"

# the start of an ELF file without its NUL bytes: one line, escaped
# shellcheck disable=SC2016 # a literal ${X}
printf '\177ELF\002\001\001\003>\001\320a@pG\002@8\n*\n${X}\n"\377\n' >"$bc_dir/binary.conf"
bc_check binary-garbage "$bc_dir/binary.conf" "@F@:1: no such option '\\x7fELF\\x02\\x01\\x01\\x03>\\x01\\xd0a@pG\\x02@8'"

bc_x64=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
bc_case long-line "@F@:15: jobs '$bc_x64...' must be a whole number from 0 to 256 (0 = one per CPU)" <<EOF
$bc_head
$bc_role
jobs = $(head -c 102400 /dev/zero | tr '\0' x)
EOF

bc_case deep-nesting "@F@:7: no such section 'a' ($bc_sections)" <<EOF
$bc_head
$(awk 'BEGIN { for (i = 0; i < 10000; i++) printf "a { "; for (i = 0; i < 10000; i++) printf "} "; print "" }')
$bc_role
EOF

bc_case nested-sections "@F@:9: role web: match: a 'match' section goes inside a role section, not inside match" <<EOF
$bc_head
role web {
  match {
    match {
      image = "docker.whatsapp.biz/web:*"
    }
  }
  logs = {"/var/log/whatsapp/*.log"}
  size = 20M
  archive-dir = /var/log/whatsapp/archive
}
EOF

bc_case misplaced-section "@F@:7: a 'match' section goes inside a role section, not at the top level" <<EOF
$bc_head
match {
  image = "docker.whatsapp.biz/web:*"
}
$bc_role
EOF

bc_case option-twice "@F@:16: 'jobs' is already set on line 15" <<EOF
$bc_head
$bc_role
jobs = 1
jobs = 2
EOF

bc_case unknown-section "@F@:15: no such section 'retention' ($bc_sections)" <<EOF
$bc_head
$bc_role
retention {
  keep = 3
}
EOF

bc_case out-of-range "@F@:15: jobs '99999999999999999999' must be a whole number from 0 to 256 (0 = one per CPU)
@F@:17: watermarks: high '101%' is not a percentage from 0 to 100 (e.g. 85%)" <<EOF
$bc_head
$bc_role
jobs = 99999999999999999999
watermarks {
  high = 101%
}
EOF

# Config paths that are not a regular file: refused at once, never opened
# for a blocking read.
mkfifo "$bc_dir/fifo.conf"
bc_check fifo "$bc_dir/fifo.conf" "@F@: not a regular file (a FIFO)"
mkdir "$bc_dir/folder.conf"
bc_check folder "$bc_dir/folder.conf" "@F@: not a regular file (a folder)"
bc_check device /dev/null "@F@: not a regular file (a character device)"
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$bc_dir/socket.conf"
bc_check socket "$bc_dir/socket.conf" "@F@: not a regular file (a socket)"
bc_check missing "$bc_dir/missing.conf" "@F@: cannot open: No such file or directory"
{
	printf '%s\n%s\n' "$bc_head" "$bc_role"
	head -c 1100000 /dev/zero | tr '\0' '#'
} >"$bc_dir/large.conf"
bc_check too-large "$bc_dir/large.conf" \
	"@F@: larger than 1 MiB ($(wc -c <"$bc_dir/large.conf" | tr -d ' ') bytes); is this the right file?"

rm -f "$bc_run/stdout" "$bc_run/stderr"
tap_is "no bad config let a pass write its state, lock, status or metrics file" "$(ls -A "$bc_run")" ""
tap_is "and the other scenarios' state and metrics files are untouched" "$(bc_sum)" "$bc_before"

# The same head with a good file is accepted, and its dry run prints a
# report: the checks above would have seen a pass.
printf '%s\n%s\n' "$bc_head" "$bc_role" >"$bc_dir/good.conf"
bc_out=$(timeout 10 "$ROTD" --check-config --config "$bc_dir/good.conf" 2>&1)
tap_is "the good file checks OK" "$?" 0
tap_is "and says so" "$bc_out" "configuration OK ($bc_dir/good.conf)"
bc_out=$(timeout 10 "$ROTD" --now --dry-run --config "$bc_dir/good.conf" 2>/dev/null)
tap_is "its dry run exits 0" "$?" 0
tap_like "and prints a report" "$bc_out" 'web'

# A UTF-8 byte order mark, as some editors write it, is accepted.
printf '\357\273\277%s\n%s\n' "$bc_head" "$bc_role" >"$bc_dir/bom.conf"
bc_out=$(timeout 10 "$ROTD" --check-config --config "$bc_dir/bom.conf" 2>&1)
tap_is "a file that starts with a UTF-8 BOM checks OK" "$?" 0
tap_is "and says so" "$bc_out" "configuration OK ($bc_dir/bom.conf)"
