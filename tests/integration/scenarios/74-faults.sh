# Faults from outside rotd: dockerd killed mid-pass, containers stopped and
# killed mid-rotation, a full archive folder (ENOSPC) and a full log folder, an
# immutable archive folder (EPERM), reads failing with EIO, a corrupt state file,
# and the wall clock jumping a year either way. Each fault is followed by a rerun
# that finishes the work: every number once, in order, nothing stray left.
# Archive folders hold only names rotd and this file make: ls | grep is fine.
# shellcheck disable=SC2010,SC2012
flt_pid() { engine_docker inspect -f '{{.State.Pid}}' "$1"; }
flt_running() { [ "$(engine_docker inspect -f '{{.State.Running}}' "$1" 2>/dev/null)" = true ]; }
fconf=$ENGINE_DIR/flt.conf
sed -e 's/^  keep = 30$/  keep = 1000/' -e "s|^state-file = .*|state-file = $ENGINE_DIR/flt-state.json|" \
	"$TEST_CONF" >"$fconf"
# The same with the web role rotating past 1 MiB, for small logs.
sconf=$ENGINE_DIR/flt-small.conf
sed 's/^  size = 20M$/  size = 1M/' "$fconf" >"$sconf"
fout=$ENGINE_DIR/flt.out

# Runs rotd in the background under a 120 s limit (a hang is exit 137); sets flt_bg
# (timeout's pid) and flt_rotd (rotd's pid, once it exists).
flt_start() {
	timeout -s KILL 120 "$ROTD" "$@" >"$fout" 2>&1 &
	flt_bg=$!
	flt_rotd=
	i=0
	while [ -z "$flt_rotd" ] && [ $i -lt 200 ]; do
		flt_rotd=$(pgrep -P "$flt_bg" | head -n 1)
		[ -n "$flt_rotd" ] || sleep 0.01
		i=$((i + 1))
	done
}

# Waits (at most 15 s) until rotd holds the file $1 (a path ending) open: it is
# compressing it. Returns 1 if rotd ended or never opened it.
flt_wait_open() {
	i=0
	while [ $i -lt 1500 ]; do
		[ -n "$flt_rotd" ] && [ -d "/proc/$flt_rotd/fd" ] || return 1
		ls -l "/proc/$flt_rotd/fd" 2>/dev/null | grep -q -- "$1\$" && return 0
		sleep 0.01
		i=$((i + 1))
	done
	return 1
}

# Concatenates the archives of stem $2 in folder $1 in name order (C locale) and
# the live log $3 into $ENGINE_DIR/flt-all.
flt_concat() {
	(
		for a in $(LC_ALL=C ls "$1" | grep "^$2-"); do zcat "$1/$a"; done
		cat "$3"
	) >"$ENGINE_DIR/flt-all"
}

# Prints the names in archive folder $1 that are not archives of stem $2 nor in
# the extra list $3 (a grep -E alternative, or "^$" for none): temp files, records.
flt_strays() {
	ls -A "$1" | grep -v "^$2-[0-9]\{8\}T[0-9]\{6\}Z\(_[0-9]\{3\}\)\?\.gz\$" | grep -Ev -- "$3"
}

# How many archives of stem $2 in $1 fail gzip -t.
flt_bad_gzip() {
	n=0
	for a in $(ls "$1" | grep "^$2-"); do gzip -t "$1/$a" 2>/dev/null || n=$((n + 1)); done
	echo $n
}

# Checks after a fault and rerun: archives + live log hold seq 1..$4 in order,
# no stray file in the archive or log folder, every archive passes gzip -t.
# $5: the archive stem, when it is not the log's file name.
flt_intact() {
	what=$1 arch=$2 log=$3 last=$4 stem=${5:-$(basename "$3")}
	flt_concat "$arch" "$stem" "$log"
	seq 1 "$last" | cmp -s - "$ENGINE_DIR/flt-all"
	tap_result $? "$what: archives in name order + live log hold 1..$last exactly once, in order"
	tap_is "$what: no journal record or temp file in the archive folder" "$(flt_strays "$arch" "$stem" '^$' | tr '\n' ' ')" ""
	tap_is "$what: no .rotd file left in the log folder" "$(ls -A "$(dirname "$log")" | grep -c rotd)" 0
	tap_is "$what: every archive passes gzip -t" "$(flt_bad_gzip "$arch" "$stem")" 0
}

# --- 1. dockerd killed during a pass over a large log -------------------------
was_running=$(engine_docker ps --format '{{.Names}}' | sort)
engine_run biz_fdock_1 biz fdock docker.whatsapp.biz/web:v2.x
root=/proc/$(flt_pid biz_fdock_1)/root
seq 1 20000000 >"$root/var/log/whatsapp/web.log"
flt_start --config "$fconf" --now --rotate-only --container biz_fdock_1
flt_wait_open /var/log/whatsapp/web.log
tap_result $? "dockerd kill: rotd is compressing web.log when dockerd is killed"
kill -9 "$ENGINE_PID"
wait "$flt_bg"
frc=$?
tap_like "dockerd kill: the pass ends with 0, 1 or 3, no hang or crash (exit $frc)" "$frc" '^[013]$'
if [ "$frc" -ne 0 ]; then
	tap_like "dockerd kill: the failure is explained" "$(cat "$fout")" '(engine|[Dd]ocker|biz_fdock_1).*(refused|lost|unreachable|reach|No such file|closed)'
fi
tap_diag "dockerd killed mid-pass: rotd exit $frc; its output:" "$(cat "$fout")"
# While dockerd is down, a pass says so with exit 3 at once.
out=$(timeout -s KILL 60 "$ROTD" --config "$fconf" --now --rotate-only 2>&1)
tap_is "dockerd down: a pass exits 3" "$?" 3
tap_like "dockerd down: and says the engine cannot be reached" "$out" '[Ee]ngine|[Dd]ocker'
engine_launch
tap_result $? "dockerd kill: dockerd starts again on the same folders"
for c in $was_running biz_fdock_1; do
	flt_running "$c" || engine_docker start "$c" >/dev/null
done
tap_is "dockerd kill: every container that ran before runs again" \
	"$(engine_docker ps --format '{{.Names}}' | grep -v '^biz_fdock_1$' | sort | tr '\n' ' ')" "$(echo "$was_running" | tr '\n' ' ')"
root=/proc/$(flt_pid biz_fdock_1)/root
out=$(timeout -s KILL 120 "$ROTD" --config "$fconf" --now --rotate-only --container biz_fdock_1 2>&1)
tap_is "dockerd kill: the rerun exits 0" "$?" 0
[ -z "$out" ] || tap_diag "rerun after dockerd kill:" "$out"
flt_intact "dockerd kill" "$root/var/log/whatsapp/archive" "$root/var/log/whatsapp/web.log" 20000000
engine_docker rm -f biz_fdock_1 >/dev/null

# --- 2. a container stopped, and one killed, mid-rotation ---------------------
for how in stop kill; do
	c=biz_f${how}_1
	engine_run "$c" biz "f$how" docker.whatsapp.biz/web:v2.x
	root=/proc/$(flt_pid "$c")/root
	seq 1 20000000 >"$root/var/log/whatsapp/web.log"
	flt_start --config "$fconf" --now --rotate-only --container "$c"
	flt_wait_open /var/log/whatsapp/web.log
	tap_result $? "docker $how: rotd is compressing web.log when the container goes"
	if [ $how = stop ]; then engine_docker stop -t 0 "$c" >/dev/null; else engine_docker kill "$c" >/dev/null; fi
	wait "$flt_bg"
	frc=$?
	tap_like "docker $how: the pass ends with 0 or 1, no hang or crash (exit $frc)" "$frc" '^[01]$'
	if [ "$frc" -ne 0 ]; then
		tap_like "docker $how: the failure names the container" "$(cat "$fout")" "$c"
	fi
	tap_diag "docker $how mid-rotation: rotd exit $frc; its output:" "$(cat "$fout")"
	engine_docker start "$c" >/dev/null
	root=/proc/$(flt_pid "$c")/root
	out=$(timeout -s KILL 120 "$ROTD" --config "$fconf" --now --rotate-only --container "$c" 2>&1)
	tap_is "docker $how: after docker start the rerun exits 0" "$?" 0
	[ -z "$out" ] || tap_diag "rerun after docker $how:" "$out"
	flt_intact "docker $how" "$root/var/log/whatsapp/archive" "$root/var/log/whatsapp/web.log" 20000000
	engine_docker rm -f "$c" >/dev/null
done

# --- 3. ENOSPC: the archive folder on a full tmpfs; the log folder full ------
full=$ENGINE_DIR/flt-full
mkdir -p "$full"
mount -t tmpfs -o size=1m flt-full "$full"
head -c 900000 /dev/zero >"$full/filler"
engine_run biz_fnospc_1 biz fnospc docker.whatsapp.biz/web:v2.x -v "$full:/var/log/whatsapp/archive"
root=/proc/$(flt_pid biz_fnospc_1)/root
head -c 30000000 /dev/urandom >"$ENGINE_DIR/flt-rand"
cp "$ENGINE_DIR/flt-rand" "$root/var/log/whatsapp/web.log"
out=$(timeout -s KILL 120 "$ROTD" --config "$sconf" --now --rotate-only --container biz_fnospc_1 2>&1)
tap_is "ENOSPC: a pass into a full archive folder exits 1" "$?" 1
tap_like "ENOSPC: the message says No space left on device and names the log and folder" "$out" \
	'/var/log/whatsapp/web\.log.*/var/log/whatsapp/archive.*No space left on device'
tap_like "ENOSPC: the report names the container" "$out" 'biz_fnospc_1'
tap_is "ENOSPC: the log is byte-identical" "$(sha256sum <"$root/var/log/whatsapp/web.log")" "$(sha256sum <"$ENGINE_DIR/flt-rand")"
tap_is "ENOSPC: nothing but the filler is in the archive folder" "$(ls -A "$full" | tr '\n' ' ')" "filler "
tap_is "ENOSPC: no .rotd file left in the log folder" "$(ls -A "$root/var/log/whatsapp" | grep -c rotd)" 0
mount -o remount,size=64m "$full"
out=$(timeout -s KILL 120 "$ROTD" --config "$sconf" --now --rotate-only --container biz_fnospc_1 2>&1)
tap_is "ENOSPC: with space freed the rerun exits 0" "$?" 0
flt_concat "$full" web.log "$root/var/log/whatsapp/web.log"
tap_is "ENOSPC: archive + live log are the original bytes" "$(sha256sum <"$ENGINE_DIR/flt-all")" "$(sha256sum <"$ENGINE_DIR/flt-rand")"
tap_is "ENOSPC: one archive and the filler, nothing else" "$(flt_strays "$full" web.log '^$' | tr '\n' ' ')" "filler "
tap_is "ENOSPC: the archive passes gzip -t" "$(flt_bad_gzip "$full" web.log)" 0
engine_docker rm -f biz_fnospc_1 >/dev/null
umount "$full"

# The log's own folder full (the usual reason to rotate): an ext4 with no free
# block. Collapse needs no new block; rotd must not fall back to copy-then-
# truncate (which loses lines a writer appends meanwhile) because the probe
# file could not get its two blocks.
img=$ENGINE_DIR/flt-logfull.img
lfull=$ENGINE_DIR/flt-logfull
mkdir -p "$lfull"
truncate -s 32M "$img"
mkfs.ext4 -q -F -b 4096 -m 0 "$img"
mount -o loop "$img" "$lfull"
engine_run biz_flogfull_1 biz flogfull docker.whatsapp.biz/web:v2.x -v "$lfull:/var/log/lighttpd"
root=/proc/$(flt_pid biz_flogfull_1)/root
seq 1 2000000 >"$lfull/error.log"
head -c 64M /dev/zero >"$lfull/filler" 2>/dev/null
sync
tap_is "full log folder: the filesystem has no free block" "$(stat -f -c %a "$lfull")" 0
json=$(timeout -s KILL 120 "$ROTD" --config "$sconf" --now --rotate-only --json --container biz_flogfull_1 2>"$ENGINE_DIR/flt-stderr")
frc=$?
tap_is "full log folder: the pass exits 0" "$frc" 0
tap_is "full log folder: error.log was rotated" \
	"$(printf '%s' "$json" | jq -r '.containers[0].actions[] | select(.path == "/var/log/lighttpd/error.log") | .done')" true
tap_is "full log folder: by collapsing, not the lossy copy-then-truncate fallback" \
	"$(printf '%s' "$json" | jq -r '.containers[0].actions[] | select(.path == "/var/log/lighttpd/error.log") | .fallback')" false
flt_intact "full log folder" "$root/var/log/whatsapp/archive" "$lfull/error.log" 2000000 lighttpd_error.log
engine_docker rm -f biz_flogfull_1 >/dev/null
umount "$lfull"
rm -f "$img"

# --- 4a. EPERM: an immutable archive folder (root ignores mode bits) ----------
img=$ENGINE_DIR/flt-immut.img
imm=$ENGINE_DIR/flt-immut
mkdir -p "$imm"
truncate -s 32M "$img"
mkfs.ext4 -q -F "$img"
mount -o loop "$img" "$imm"
rmdir "$imm/lost+found"
chattr +i "$imm"
engine_run biz_fperm_1 biz fperm docker.whatsapp.biz/web:v2.x -v "$imm:/var/log/whatsapp/archive"
root=/proc/$(flt_pid biz_fperm_1)/root
seq 1 1000000 >"$root/var/log/whatsapp/web.log"
out=$(timeout -s KILL 120 "$ROTD" --config "$sconf" --now --rotate-only --container biz_fperm_1 2>&1)
tap_is "EPERM: a pass into an immutable archive folder exits 1" "$?" 1
tap_like "EPERM: the message says Operation not permitted and names the log and folder" "$out" \
	'/var/log/whatsapp/web\.log.*/var/log/whatsapp/archive.*Operation not permitted'
tap_like "EPERM: the report names the container" "$out" 'biz_fperm_1'
tap_is "EPERM: the log is untouched" "$(md5sum <"$root/var/log/whatsapp/web.log")" "$(seq 1 1000000 | md5sum)"
chattr -i "$imm"
tap_is "EPERM: the archive folder is still empty" "$(ls -A "$imm" | wc -l)" 0
out=$(timeout -s KILL 120 "$ROTD" --config "$sconf" --now --rotate-only --container biz_fperm_1 2>&1)
tap_is "EPERM: once writable again the rerun exits 0" "$?" 0
flt_intact "EPERM" "$imm" "$root/var/log/whatsapp/web.log" 1000000
engine_docker rm -f biz_fperm_1 >/dev/null
umount "$imm"
rm -f "$img"

# --- 4b. EIO: the log on a loop device whose backing file loses its tail ------
# ext4 without a journal, one block group: all metadata sits before the log's
# data, so truncating the image inside the log's extent makes exactly the rest
# of the log unreadable (the loop driver fails reads past the backing file's end).
img=$ENGINE_DIR/flt-eio.img
eio=$ENGINE_DIR/flt-eio
mkdir -p "$eio"
truncate -s 64M "$img"
mkfs.ext4 -q -F -O ^has_journal -b 4096 "$img"
mount -o loop "$img" "$eio"
engine_run biz_feio_1 biz feio docker.whatsapp.biz/web:v2.x -v "$eio:/var/log/lighttpd"
root=/proc/$(flt_pid biz_feio_1)/root
seq 1 1000000 >"$eio/error.log"
sync
first=$(filefrag -v "$eio/error.log" | sed -n 's/^ *0: *[0-9]*\.\. *[0-9]*: *\([0-9]*\)\.\..*/\1/p')
cp --sparse=always "$img" "$img.good"
dd if="$eio/error.log" iflag=nocache count=0 status=none
truncate -s $(((first + 800) * 4096)) "$img"
dd if="$eio/error.log" iflag=nocache count=0 status=none
if [ -n "$first" ] && ! cat "$eio/error.log" >/dev/null 2>&1; then
	tap_result 0 "EIO: reading the log's tail fails (loop device over a truncated image)"
	out=$(timeout -s KILL 120 "$ROTD" --config "$sconf" --now --rotate-only --container biz_feio_1 2>&1)
	tap_is "EIO: a pass over a log that cannot be read exits 1" "$?" 1
	tap_like "EIO: the message says Input/output error and names the log" "$out" '/var/log/lighttpd/error\.log.*Input/output error'
	tap_like "EIO: the report names the container" "$out" 'biz_feio_1'
	tap_is "EIO: no archive, record or temp file is left" "$(ls -A "$root/var/log/whatsapp/archive" 2>/dev/null | wc -l)" 0
	tap_is "EIO: no .rotd file left in the log folder" "$(ls -A "$eio" | grep -c rotd)" 0
	dd if="$img.good" of="$img" bs=1M conv=notrunc,sparse status=none
	dd if="$eio/error.log" iflag=nocache count=0 status=none
	tap_is "EIO: with the device healed the log is whole and untouched" "$(md5sum <"$eio/error.log")" "$(seq 1 1000000 | md5sum)"
	out=$(timeout -s KILL 120 "$ROTD" --config "$sconf" --now --rotate-only --container biz_feio_1 2>&1)
	tap_is "EIO: the rerun exits 0" "$?" 0
	flt_intact "EIO" "$root/var/log/whatsapp/archive" "$eio/error.log" 1000000 lighttpd_error.log
else
	tap_diag "this environment could not produce EIO with a loop device over a truncated image (first block '$first'): the EIO checks did not run"
	tap_result 1 "EIO: reading the log's tail fails (loop device over a truncated image)"
fi
engine_docker rm -f biz_feio_1 >/dev/null
umount "$eio"
rm -f "$img" "$img.good"

# --- 5. a corrupt state file --------------------------------------------------
stf=$ENGINE_DIR/flt-state.json
engine_run biz_fstate_1 biz fstate docker.whatsapp.biz/web:v2.x
root=/proc/$(flt_pid biz_fstate_1)/root
n=0
for kind in garbage truncated symlink directory; do
	rm -rf "$stf"
	case $kind in
	garbage) head -c 4096 /dev/urandom >"$stf" ;;
	truncated) printf '{\n  "jobs": {\n    "cleanup": {\n      "biz_fstate_1": 17' >"$stf" ;;
	symlink) ln -s /dev/zero "$stf" ;;
	directory) mkdir -p "$stf/sub" ;;
	esac
	seq $((n + 1)) $((n + 200000)) >>"$root/var/log/whatsapp/web.log"
	n=$((n + 200000))
	out=$(timeout -s KILL 120 "$ROTD" --config "$sconf" --now --respect-window --container biz_fstate_1 2>&1)
	frc=$?
	tap_like "state $kind: the warning names the file and says it will be replaced" "$out" \
		"state file $stf (is corrupt|is not a regular file|has an unknown layout).*replaced"
	if [ $kind = directory ]; then
		tap_is "state $kind: the pass cannot save its state: partial failure (exit 1)" "$frc" 1
		[ "$frc" -eq 1 ] || tap_diag "state $kind: rotd said:" "$out"
		# The log shares the output: it says why, the report marks it.
		tap_like "state $kind: and says why" "$out" "^rotd: cannot [a-z]+ the state file $stf: "
		tap_like "state $kind: the report marks the failure" "$out" '^  state: FAILED, logged above$'
		tap_is "state $kind: the folder in its place is left alone" "$(test -d "$stf/sub"; echo $?)" 0
	else
		tap_is "state $kind: the pass exits 0" "$frc" 0
		tap_is "state $kind: replaced by a regular file with the current layout" \
			"$(test -f "$stf" && test ! -L "$stf" && jq -r '.version | type' "$stf")" number
	fi
	tap_is "state $kind: the log was rotated all the same" "$(ls "$root/var/log/whatsapp/archive" | grep -c '^web\.log-')" \
		"$(echo "$kind" | sed 's/garbage/1/; s/truncated/2/; s/symlink/3/; s/directory/4/')"
done
tap_is "state: /dev/zero is still a device" "$(stat -c %F /dev/zero)" "character special file"
flt_intact "state" "$root/var/log/whatsapp/archive" "$root/var/log/whatsapp/web.log" $n
rm -rf "$stf"
engine_docker rm -f biz_fstate_1 >/dev/null

# --- 6. the wall clock jumping a year back and ahead --------------------------
# (Under the sanitizer build libfaketime is preloaded ahead of the ASan runtime,
# which ASan allows once told not to check the order.)
faketime_lib=
for l in /usr/lib/*/faketime/libfaketime.so.1 /usr/lib/faketime/libfaketime.so.1; do
	[ -e "$l" ] && faketime_lib=$l
done
if [ -z "$faketime_lib" ]; then
	tap_diag "libfaketime not found: apt-get install faketime"
	tap_result 1 "clock: libfaketime is installed"
else
	engine_run biz_fclock_1 biz fclock docker.whatsapp.biz/web:v2.x
	root=/proc/$(flt_pid biz_fclock_1)/root
	arch=$root/var/log/whatsapp/archive
	n=0
	ok=0
	names=
	# now, a year back, a year ahead, now again (before the newest), a year back again
	for shift_ in "" -365d +365d "" -365d; do
		seq $((n + 1)) $((n + 200000)) >>"$root/var/log/whatsapp/web.log"
		n=$((n + 200000))
		if [ -n "$shift_" ]; then
			ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 LD_PRELOAD=$faketime_lib FAKETIME=$shift_ FAKETIME_DONT_FAKE_MONOTONIC=1 \
				timeout -s KILL 120 "$ROTD" --config "$sconf" --now --rotate-only --container biz_fclock_1 >"$fout" 2>&1
		else
			timeout -s KILL 120 "$ROTD" --config "$sconf" --now --rotate-only --container biz_fclock_1 >"$fout" 2>&1
		fi
		frc=$?
		[ $frc -eq 0 ] && ok=$((ok + 1))
		[ $frc -eq 0 ] || tap_diag "clock ${shift_:-now}: exit $frc" "$(cat "$fout")"
		# The archive just made must sort after every earlier one.
		new=$(ls "$arch" | grep '^web\.log-' | grep -vxF -- "$names" | tr '\n' ' ')
		last=$(LC_ALL=C ls "$arch" | grep '^web\.log-' | tail -n 1)
		[ "$new" = "$last " ] || tap_diag "clock ${shift_:-now}: new archive '$new' does not sort last ('$last')"
		names=$(ls "$arch" | grep '^web\.log-')
	done
	tap_is "clock: five passes with the clock jumping exit 0" "$ok" 5
	tap_is "clock: five archives" "$(ls "$arch" | grep -c '^web\.log-')" 5
	tap_diag "clock: archives in name order:" "$(LC_ALL=C ls "$arch")"
	flt_intact "clock" "$arch" "$root/var/log/whatsapp/web.log" $n
	# Pruning by count still drops the oldest made, whatever their names say.
	sizes=0
	for a in $(LC_ALL=C ls "$arch" | grep '^web\.log-' | head -n 3); do
		sizes=$((sizes + $(zcat "$arch/$a" | wc -c)))
	done
	kconf=$ENGINE_DIR/flt-keep.conf
	sed 's/^  keep = 1000$/  keep = 3/' "$sconf" >"$kconf"
	seq $((n + 1)) $((n + 200000)) >>"$root/var/log/whatsapp/web.log"
	n=$((n + 200000))
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 LD_PRELOAD=$faketime_lib FAKETIME=+365d FAKETIME_DONT_FAKE_MONOTONIC=1 \
		timeout -s KILL 120 "$ROTD" --config "$kconf" --now --rotate-only --container biz_fclock_1 >"$fout" 2>&1
	tap_is "clock: a keep = 3 pass a year ahead exits 0" "$?" 0
	tap_is "clock: three archives remain" "$(ls "$arch" | grep -c '^web\.log-')" 3
	flt_concat "$arch" web.log "$root/var/log/whatsapp/web.log"
	seq 1 "$n" | tail -c +$((sizes + 1)) | cmp -s - "$ENGINE_DIR/flt-all"
	tap_result $? "clock: the three pruned were the oldest made; the rest + live log continue in order"
	engine_docker rm -f biz_fclock_1 >/dev/null

	# A clock that once ran a year ahead, and 999 rotations in that second since
	# (a year-ahead archive with the last collision number): the next rotation
	# must still find a name that sorts last, not stop for a year.
	engine_run biz_fclock_2 biz fclock2 docker.whatsapp.biz/web:v2.x
	root=/proc/$(flt_pid biz_fclock_2)/root
	arch=$root/var/log/whatsapp/archive
	mkdir -p "$arch"
	ahead=web.log-$(date -u -d '+365 days' +%Y%m%dT%H%M%SZ)_999.gz
	gzip </dev/null >"$arch/$ahead"
	seq 1 200000 >"$root/var/log/whatsapp/web.log"
	out=$(timeout -s KILL 120 "$ROTD" --config "$sconf" --now --rotate-only --container biz_fclock_2 2>&1)
	tap_is "clock: after $ahead a rotation still exits 0" "$?" 0
	[ "$(ls "$arch" | grep -c '^web\.log-')" -eq 2 ] || tap_diag "rotd said:" "$out"
	tap_is "clock: and its archive is made and sorts after it" \
		"$(LC_ALL=C ls "$arch" | grep '^web\.log-' | head -n 1) $(ls "$arch" | grep -c '^web\.log-')" "$ahead 2"
	flt_intact "clock after _999" "$arch" "$root/var/log/whatsapp/web.log" 200000
	engine_docker rm -f biz_fclock_2 >/dev/null
fi
rm -f "$ENGINE_DIR/flt-all" "$ENGINE_DIR/flt-rand"
