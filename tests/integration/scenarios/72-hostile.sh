# A hostile container suite: a container that races rotd (swapping its log for a
# symlink, its log folder for a symlink to a host bind mount), hard links, FIFOs,
# 100,000 logs and 200-level trees, control bytes in names, and a media tree
# with symlinks out. Host files (our sentinels, a bind-mounted victim folder and
# host data, /etc/shadow, /etc/passwd) must end exactly as they began; every
# rotd call is bounded by timeout 60 and must exit 0 or 1, never crash or hang.
h72_pid() { engine_docker inspect -f '{{.State.Pid}}' "$1"; }
h72_in() { c=$1; shift; engine_docker exec "$c" sh -c "$*"; }
h72_sen=$ENGINE_DIR/sentinel
h72_vic=$ENGINE_DIR/victim
h72_biz_running=$(engine_docker ps --filter name=biz_ --filter status=running --format '{{.Names}}' | LC_ALL=C sort | tr '\n' ' ')
h72_hd=$ENGINE_DIR/hostdata
h72_out=$ENGINE_DIR/h72.out
h72_err=$ENGINE_DIR/h72.err
h72_stamp=$ENGINE_DIR/h72.stamp
h72_ctrs="h72_swap_1 h72_hard_1 h72_hardvol_1 h72_fifo_1 h72_fifocore_1 h72_bulk_1 h72_names_1 h72_dirswap_1 h72_media_1 h72_media_2"

# Everything about the host files that must not change: names, sizes, modes,
# mtimes (to the nanosecond) and sha256 of every file.
h72_manifest() {
	for d in "$h72_sen" "$h72_vic" "$h72_hd"; do
		(cd "$d" && find . -printf '%p %y %s %m %T@\n' | LC_ALL=C sort && find . -type f -exec sha256sum {} + | LC_ALL=C sort -k2)
	done
	for f in /etc/shadow /etc/passwd; do
		stat -c '%n %s %a %Y.%y' "$f"
		sha256sum "$f"
	done
}

# h72_same DESC BASELINE: ok when the manifest equals BASELINE; the diff otherwise.
h72_same() {
	h72_manifest >"$ENGINE_DIR/h72.now"
	printf '%s\n' "$2" >"$ENGINE_DIR/h72.was"
	cmp -s "$ENGINE_DIR/h72.was" "$ENGINE_DIR/h72.now"
	rc=$?
	tap_result $rc "$1"
	[ $rc -eq 0 ] || tap_diag "$(diff "$ENGINE_DIR/h72.was" "$ENGINE_DIR/h72.now")"
}

# Host files named like a rotd archive or journal record made since the stamp,
# in the places a confused rotd could write them.
h72_archives_outside() {
	{
		find / /etc /root /var/log /tmp -maxdepth 1 -newer "$h72_stamp" \( -name '*-[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9]Z*' -o -name '.rotd*' -o -name archive \) 2>/dev/null
		find "$h72_sen" "$h72_vic" "$h72_hd" -newer "$h72_stamp" 2>/dev/null
	} | LC_ALL=C sort -u
}

# h72_run LABEL ARGS...: one bounded rotd call; stdout in h72_out, stderr in h72_err,
# exit code in h72_rc. A crash (signal), a hang (124) or a usage error count as bad.
h72_bad=0
h72_ok="0 1"
h72_run() {
	label=$1
	shift
	timeout 60 "$ROTD" "$@" >"$h72_out" 2>"$h72_err"
	h72_rc=$?
	case " $h72_ok " in
	*" $h72_rc "*) ;;
	*)
		h72_bad=$((h72_bad + 1))
		tap_diag "$label: rotd $* exited $h72_rc (124 = hung, >= 128 = killed by a signal)"
		tap_diag "$(tail -n 5 "$h72_err")"
		;;
	esac
	if [ "$h72_rc" = 1 ] && ! grep -Eq 'error|FAILED|refused|cannot' "$h72_out" "$h72_err"; then
		h72_bad=$((h72_bad + 1))
		tap_diag "$label: exit 1 with no message saying why"
	fi
}

# Bytes other than printable ASCII and newline in a file.
h72_raw_bytes() { LC_ALL=C tr -d '\040-\176\n' <"$1" | wc -c | tr -d ' '; }

# --- host files that must never change ----------------------------------------------
mkdir -p "$h72_sen" "$h72_vic" "$h72_hd/outgoing" "$h72_hd/wamedia/outgoing" "$h72_hd/wamedia/incoming"
seq 1 3000000 >"$h72_sen/secret.log"
echo "host secret" >"$h72_sen/shadow"
seq 1 3000000 >"$h72_vic/web.log"
echo "victim access" >"$h72_vic/access.log"
# The victim looks like a host's own log folder, archive folder included.
mkdir -p "$h72_vic/lighttpd" "$h72_vic/archive"
echo "host archive" >"$h72_vic/archive/README"
echo "victim error" >"$h72_vic/lighttpd/error.log"
for f in old.jpg outgoing/old.jpg wamedia/outgoing/old.jpg wamedia/incoming/old.jpg; do
	echo "host media $f" >"$h72_hd/$f"
	touch -d '60 days ago' "$h72_hd/$f"
done
touch -d '60 days ago' "$h72_hd/outgoing" "$h72_hd/wamedia/outgoing" "$h72_hd/wamedia/incoming" "$h72_hd/wamedia" "$h72_hd"
h72_before=$(h72_manifest)
sleep 1
touch "$h72_stamp"
h72_base=$h72_before

# --- 1. web.log swapped between a big file and symlinks to /etc/shadow ------------------
engine_run h72_swap_1 h72 swap docker.whatsapp.biz/web:v2.x
root=/proc/$(h72_pid h72_swap_1)/root
echo 'root:!:1::::::' >"$root/etc/shadow"
ctr_shadow=$(sha256sum <"$root/etc/shadow")
seq 1 3000000 >"$root/var/log/whatsapp/web.log"
# Renames are atomic; the regular file spends its time away as .r (not *.log)
# and is refilled past 20 MB whenever a rotation cut it.
# shellcheck disable=SC2016 # expanded by the container's shell
engine_docker exec -d h72_swap_1 sh -c 'cd /var/log/whatsapp; n=0
	while [ ! -e /tmp/stop ]; do
		mv -f web.log .r; ln -s /etc/shadow web.log; rm -f web.log; mv -f .r web.log
		mv -f web.log .r; ln -s ../../../../etc/shadow web.log; rm -f web.log; mv -f .r web.log
		n=$((n + 1)); [ $((n % 50)) -ne 0 ] || [ "$(wc -c <web.log)" -gt 21000000 ] || head -c 22000000 /dev/zero >>web.log
		echo $n >/tmp/swaps
	done; touch /tmp/stopped'
i=0
while [ ! -s "$root/tmp/swaps" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
h72_bad=0
codes=
rotated=0
skipped=0
t0=$(date +%s)
for pass in $(seq 1 20); do
	if [ $((pass % 2)) -eq 0 ]; then
		h72_run "swap pass $pass" --now --json --container h72_swap_1
		jq -e . "$h72_out" >/dev/null 2>&1 || { h72_bad=$((h72_bad + 1)); tap_diag "swap pass $pass: --json output is not JSON"; }
	else
		h72_run "swap pass $pass" --now --container h72_swap_1
		grep -q 'web\.log  symlink: skipped' "$h72_out" && skipped=$((skipped + 1))
	fi
	grep -Eq 'rotate /var/log/whatsapp/web\.log|"action": "rotate"' "$h72_out" && rotated=$((rotated + 1))
	codes="$codes$h72_rc"
done
touch "$root/tmp/stop"
i=0
while [ ! -e "$root/tmp/stopped" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
tap_diag "20 passes against $(cat "$root/tmp/swaps") swaps in $(($(date +%s) - t0)) s; exit codes $codes; web.log rotated in $rotated, seen as a symlink in $skipped"
tap_is "swap: every pass exits 0 or 1 with a reason, within 60 s, never on a signal" "$h72_bad" 0
h72_same "swap: the host's /etc/shadow, /etc/passwd and sentinels are unchanged" "$h72_base"
tap_is "swap: the container's own /etc/shadow is unchanged" "$(sha256sum <"$root/etc/shadow")" "$ctr_shadow"
tap_is "swap: nothing named like an archive appears outside the container" "$(h72_archives_outside)" ""
tap_is "swap: the container's archive folder holds only web.log archives" \
	"$(find "$root/var/log/whatsapp/archive" -mindepth 1 -printf '%f\n' | grep -cv '^web\.log-[0-9]\{8\}T[0-9]\{6\}Z\(_[0-9]\{3\}\)\?\.gz$')" 0
bad=0
for a in "$root"/var/log/whatsapp/archive/web.log-*.gz; do [ -e "$a" ] || continue; gzip -t "$a" 2>/dev/null || bad=$((bad + 1)); done
tap_is "swap: every archive made during the race passes gzip -t" "$bad" 0

# --- 2. hard links --------------------------------------------------------------------------
engine_run h72_hard_1 h72 hard docker.whatsapp.biz/web:v2.x
root=/proc/$(h72_pid h72_hard_1)/root
seq 1 3000000 >"$root/etc/big.dat"
ln "$root/etc/passwd" "$root/var/log/whatsapp/access.log"
ln "$root/etc/big.dat" "$root/var/log/whatsapp/web.log"
engine_run h72_hardvol_1 h72 hardvol docker.whatsapp.biz/web:v2.x -v h72logs:/var/log/whatsapp
root2=/proc/$(h72_pid h72_hardvol_1)/root
mkdir -p "$root2/var/log/whatsapp/private"
seq 1 3000000 >"$root2/var/log/whatsapp/private/data.bin"
ln "$root2/var/log/whatsapp/private/data.bin" "$root2/var/log/whatsapp/web.log"
sums() { sha256sum "$root/etc/passwd" "$root/etc/big.dat" "$root2/var/log/whatsapp/private/data.bin" | cut -c1-64; }
hard_before=$(sums)
h72_bad=0
h72_run "hard links" --now --container h72_hard_1 --container h72_hardvol_1
tap_is "hard links: the pass exits 0" "$h72_rc" 0
tap_is "hard links: web.log linked to a container file and to a file on a volume: both skipped, saying why" \
	"$(grep -c '^    /var/log/whatsapp/web\.log  hard-linked file: skipped (2 links)$' "$h72_out")" 2
tap_like "hard links: access.log linked to the container's /etc/passwd is skipped" "$(cat "$h72_out")" \
	'^    /var/log/whatsapp/access\.log  hard-linked file: skipped \(2 links\)$'
h72_run "hard links json" --now --json --container h72_hard_1 --container h72_hardvol_1
tap_is "hard links: the JSON report lists no action on a hard-linked file" \
	"$(jq '[.containers[].actions[]? | select(.path == "/var/log/whatsapp/web.log" or .path == "/var/log/whatsapp/access.log") | select(.action != "skip")] | length' "$h72_out")" 0
tap_is "hard links: both names of every link keep their content" "$(sums)" "$hard_before"
tap_is "hard links: no archive was made" "$(find "$root/var/log/whatsapp" "$root2/var/log/whatsapp" -name '*.gz' | wc -l)" 0

# --- 3. FIFOs ---------------------------------------------------------------------------------
engine_run h72_fifo_1 h72 fifo docker.whatsapp.biz/web:v2.x
root=/proc/$(h72_pid h72_fifo_1)/root
mkdir -p "$root/var/log/whatsapp/archive"
mkfifo "$root/var/log/whatsapp/web.log" "$root/var/log/whatsapp/error.log" "$root/var/log/lighttpd/access.log" \
	"$root/var/log/whatsapp/archive/web.log-20200101T000000Z.gz" "$root/var/log/whatsapp/archive/.rotd-pending.web.log-20200101T000001Z.gz"
seq 1 3000000 >"$root/var/log/whatsapp/real.log"
engine_run h72_fifocore_1 h72 wacore docker.whatsapp.biz/coreapp:v2.x
rootc=/proc/$(h72_pid h72_fifocore_1)/root
mkfifo "$rootc/usr/local/waent/logs/wa-1.log" "$rootc/usr/local/waent/logs/wa.log"
touch -h -d '3 hours ago' "$rootc/usr/local/waent/logs/wa-1.log"
h72_bad=0
t0=$(date +%s)
h72_run "FIFOs dry" --now --dry-run --container h72_fifo_1 --container h72_fifocore_1
h72_run "FIFOs" --now --container h72_fifo_1 --container h72_fifocore_1
fifo_text=$(cat "$h72_out")
h72_run "FIFOs json" --now --json --container h72_fifo_1 --container h72_fifocore_1
tap_is "FIFOs: three passes neither hang nor crash ($(($(date +%s) - t0)) s)" "$h72_bad" 0
tap_like "FIFOs: web.log as a FIFO is reported and skipped" "$fifo_text" '^    /var/log/whatsapp/web\.log  FIFO: skipped$'
tap_like "FIFOs: error.log as a FIFO is reported and skipped" "$fifo_text" '^    /var/log/whatsapp/error\.log  FIFO: skipped$'
tap_like "FIFOs: lighttpd's access.log as a FIFO is reported and skipped" "$fifo_text" '^    /var/log/lighttpd/access\.log  FIFO: skipped$'
tap_like "FIFOs: an idle core log that is a FIFO is reported and skipped" "$fifo_text" '^    /usr/local/waent/logs/wa-1\.log  FIFO: skipped$'
tap_like "FIFOs: the regular log beside them is still rotated" "$fifo_text" 'rotate /var/log/whatsapp/real\.log'
tap_is "FIFOs: they are all still FIFOs" \
	"$(for f in "$root/var/log/whatsapp/web.log" "$root/var/log/whatsapp/error.log" "$root/var/log/lighttpd/access.log" \
		"$root/var/log/whatsapp/archive/web.log-20200101T000000Z.gz" "$rootc/usr/local/waent/logs/wa-1.log"; do [ -p "$f" ] || echo "$f"; done)" ""
jq -e . "$h72_out" >/dev/null 2>&1
tap_result $? "FIFOs: the --json report is valid JSON"

# --- 4. 100,000 logs and 200-level trees -----------------------------------------------------
engine_run h72_bulk_1 h72 bulk docker.whatsapp.biz/web:v2.x -v h72bulkmedia:/usr/local/wamedia
root=/proc/$(h72_pid h72_bulk_1)/root
# shellcheck disable=SC2016 # expanded by the inner sh
(cd "$root/var/log/whatsapp" && seq -f 'f%06g.log' 1 100000 | xargs touch && seq -f 'f%06g.log' 1 1000 | xargs -n 100 sh -c 'for f; do echo x >"$f"; done' sh)
deep=$(printf 'd/%.0s' $(seq 1 200))
mkdir -p "$root/var/log/whatsapp/$deep" "$root/usr/local/wamedia/outgoing/$deep"
seq 1 3000000 >"$root/var/log/whatsapp/${deep}deep.log"
echo old >"$root/usr/local/wamedia/outgoing/${deep}old.jpg"
ln -s / "$root/usr/local/wamedia/outgoing/${deep}root"
touch -d '60 days ago' "$root/usr/local/wamedia/outgoing/${deep}old.jpg"
echo shallow >"$root/usr/local/wamedia/outgoing/d/old.jpg"
touch -d '60 days ago' "$root/usr/local/wamedia/outgoing/d/old.jpg"
h72_bad=0
t0=$(date +%s)
/usr/bin/time -v -o "$ENGINE_DIR/h72.time" timeout 120 "$ROTD" --now --container h72_bulk_1 >"$h72_out" 2>"$h72_err"
h72_rc=$?
t1=$(date +%s)
rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$ENGINE_DIR/h72.time")
tap_diag "100,000 logs, 200-level trees: exit $h72_rc in $((t1 - t0)) s, peak RSS ${rss} KiB, $(wc -l <"$h72_out") report lines"
tap_like "bulk: the pass exits 0 or 1" "$h72_rc" '^[01]$'
tap_like "bulk: it finished within 120 s ($((t1 - t0)) s)" "$((t1 - t0))" '^([0-9]|[0-9][0-9]|1[01][0-9])$'
# ASan's shadow memory and quarantine roughly triple a process's RSS: the
# bound is rotd's, so a sanitizer build gets three times the room.
rss_cap=102400
ldd "$REAL_ROTD" 2>/dev/null | grep -q libasan && rss_cap=$((rss_cap * 3))
tap_ok "bulk: peak RSS ${rss} KiB stays under $((rss_cap / 1024)) MB" test "${rss:-999999999}" -lt "$rss_cap"
tap_is "bulk: all 100,000 logs are listed" "$(grep -c '^    /var/log/whatsapp/f[0-9]\{6\}\.log  ' "$h72_out")" 100000
tap_is "bulk: the tiny logs are all still there" "$(find "$root/var/log/whatsapp" -maxdepth 1 -name 'f*.log' | wc -l)" 100000
tap_is "bulk: the log 200 folders down (not matched by the pattern) is untouched" \
	"$(md5sum <"$root/var/log/whatsapp/${deep}deep.log")" "$(seq 1 3000000 | md5sum)"
tap_is "bulk: media 2 folders down older than 30 days is pruned" "$(test -e "$root/usr/local/wamedia/outgoing/d/old.jpg"; echo $?)" 1
tap_is "bulk: media 200 folders down is kept (beyond the walk's depth)" "$(test -e "$root/usr/local/wamedia/outgoing/${deep}old.jpg"; echo $?)" 0
tap_like "bulk: and the depth limit is reported" "$(cat "$h72_err" "$h72_out")" 'nested more than [0-9]+ folders deep'

# --- 5. control bytes and invalid UTF-8 in names --------------------------------------------
engine_run h72_names_1 h72 names docker.whatsapp.biz/web:v2.x
root=/proc/$(h72_pid h72_names_1)/root
nl=$(printf '\nx')
nl=${nl%x}
tab=$(printf '\t')
esc=$(printf '\033')
ff=$(printf '\377')
logs=$root/var/log/whatsapp
for n in "web${nl}fake.log" "tab${tab}bed.log" "${esc}[31mred${esc}[0m.log" "bad${ff}.log" "${nl}error: injected.log"; do
	seq 1 3000000 >"$logs/$n"
done
h72_bad=0
h72_run "names text" --now --rotate-only --container h72_names_1
cp "$h72_out" "$ENGINE_DIR/h72.names.txt"
cp "$h72_err" "$ENGINE_DIR/h72.names.err"
text=$(cat "$h72_out")
for n in "web${nl}fake.log" "tab${tab}bed.log" "${esc}[31mred${esc}[0m.log" "bad${ff}.log" "${nl}error: injected.log"; do
	seq 1 3000000 >>"$logs/$n"
done
h72_run "names json" --now --rotate-only --json --container h72_names_1
tap_is "names: both passes exit 0 or 1, never crash or hang" "$h72_bad" 0
tap_is "names: no control or non-ASCII byte in the text report" "$(h72_raw_bytes "$ENGINE_DIR/h72.names.txt")" 0
tap_is "names: no control or non-ASCII byte in its diagnostics" "$(h72_raw_bytes "$ENGINE_DIR/h72.names.err")" 0
tap_is "names: no line of the report starts with the text after a newline in a name" \
	"$(grep -c '^fake\.log\|^error: injected' "$ENGINE_DIR/h72.names.txt")" 0
tap_like "names: the newline is shown escaped" "$text" 'web\\x0afake\.log'
tap_like "names: the tab is shown escaped" "$text" 'tab\\x09bed\.log'
tap_like "names: ESC is shown escaped" "$text" '\\x1b\[31mred\\x1b\[0m\.log'
tap_like "names: the invalid UTF-8 byte is shown escaped" "$text" 'bad\\xff\.log'
jq -e . "$h72_out" >/dev/null 2>&1
tap_result $? "names: the --json report is valid JSON"
tap_is "names: no control or non-ASCII byte in the JSON report" "$(h72_raw_bytes "$h72_out")" 0
lost=
for n in "web${nl}fake.log" "tab${tab}bed.log" "${esc}[31mred${esc}[0m.log" "bad${ff}.log" "${nl}error: injected.log"; do
	got=$( (for a in "$logs/archive/$n"-*.gz; do [ -e "$a" ] && zcat "$a"; done; cat "$logs/$n") | md5sum)
	[ "$got" = "$( (seq 1 3000000; seq 1 3000000) | md5sum)" ] || lost="$lost [$(printf '%s' "$n" | od -An -c | tr -s ' ')]"
done
tap_is "names: each such log, archives + live file, holds its lines exactly once" "$lost" ""
tap_diag "names: $(find "$logs/archive" -name '*.gz' | wc -l) archives made for the 5 logs"

# --- 6. the log folder swapped for a symlink to a host bind mount, or to / -----------------------
engine_run h72_dirswap_1 h72 dirswap docker.whatsapp.biz/web:v2.x -v "$h72_vic:/victim"
root=/proc/$(h72_pid h72_dirswap_1)/root
seq 1 3000000 >"$root/var/log/whatsapp/web.log"
seq 1 3000000 >"$root/big.log"
ctr_big=$(md5sum <"$root/big.log")
h72_base=$(h72_manifest)
touch "$h72_stamp"
# First held still: the folder is a symlink to /victim for a whole pass.
h72_in h72_dirswap_1 'mv /var/log/whatsapp /var/log/whatsapp.real && ln -s /victim /var/log/whatsapp'
h72_bad=0
h72_run "log folder a symlink to a bind mount" --now --rotate-only --container h72_dirswap_1
tap_is "dirswap: a pass with /var/log/whatsapp -> /victim (a host bind mount) exits 0 or 1 with a reason" "$h72_bad" 0
h72_same "dirswap: with the folder held as a symlink, the host victim folder is exactly as before" "$h72_base"
tap_is "dirswap: and no archive appeared in it" "$(h72_archives_outside)" ""
[ "$(h72_archives_outside)" = "" ] || tap_diag "$(cat "$h72_out")"
h72_in h72_dirswap_1 'rm /var/log/whatsapp && mv /var/log/whatsapp.real /var/log/whatsapp'
# Then racing: real folder, symlink to /victim, symlink to /, each held 20 ms.
h72_base=$(h72_manifest)
touch "$h72_stamp"
# shellcheck disable=SC2016 # expanded by the container's shell
engine_docker exec -d h72_dirswap_1 sh -c 'n=0; cd /var/log
	while [ ! -e /tmp/stop ]; do
		mv whatsapp whatsapp.real; ln -s /victim whatsapp; usleep 20000; rm whatsapp; mv whatsapp.real whatsapp; usleep 20000
		mv whatsapp whatsapp.real; ln -s / whatsapp; usleep 20000; rm whatsapp; mv whatsapp.real whatsapp; usleep 20000
		mv lighttpd lighttpd.real; ln -s /victim/lighttpd lighttpd; usleep 20000; rm lighttpd; mv lighttpd.real lighttpd
		n=$((n + 1)); echo $n >/tmp/swaps
	done; touch /tmp/stopped'
i=0
while [ ! -s "$root/tmp/swaps" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
h72_bad=0
codes=
t0=$(date +%s)
for pass in $(seq 1 20); do
	h72_run "dirswap pass $pass" --now --rotate-only --container h72_dirswap_1
	codes="$codes$h72_rc"
	[ "$(h72_archives_outside)" = "" ] || { tap_diag "dirswap: pass $pass touched the victim:" "$(cat "$h72_out")"; break; }
done
touch "$root/tmp/stop"
i=0
while [ ! -e "$root/tmp/stopped" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
tap_diag "dirswap: $pass passes against $(cat "$root/tmp/swaps") swaps in $(($(date +%s) - t0)) s; exit codes $codes"
tap_is "dirswap: every racing pass exits 0 or 1 with a reason, within 60 s" "$h72_bad" 0
h72_same "dirswap: racing, the bind-mounted host victim folder is exactly as before" "$h72_base"
tap_is "dirswap: nothing new appeared in it, no archive outside the container" "$(h72_archives_outside)" ""
tap_is "dirswap: the container's /big.log (reached through the symlink to /) is untouched" "$(md5sum <"$root/big.log")" "$ctr_big"

# --- 7. media behind symlinks to / and to a host bind mount -----------------------------------
mconf=$ENGINE_DIR/h72-media.conf
sed -e 's/^  high = .*/  high = 2%/' -e 's/^  low = .*/  low = 1%/' "$TEST_CONF" >"$mconf"
engine_run h72_media_1 h72 media docker.whatsapp.biz/web:v2.x -v h72media:/usr/local/wamedia -v "$h72_hd:/hostdata"
root=/proc/$(h72_pid h72_media_1)/root
m=$root/usr/local/wamedia
mkdir -p "$m/outgoing/sub" "$m/incoming"
for f in outgoing/own-old.jpg outgoing/sub/own-old.jpg incoming/own-old.jpg; do echo own >"$m/$f"; done
touch -d '60 days ago' "$m/outgoing/own-old.jpg" "$m/outgoing/sub/own-old.jpg" "$m/incoming/own-old.jpg"
ln -s /hostdata "$m/outgoing/evil"
ln -s / "$m/outgoing/evil-root"
ln -s ../../../../hostdata "$m/outgoing/sub/evil-rel"
ln -s /hostdata/old.jpg "$m/outgoing/evil.jpg"
echo "container file" >"$root/etc/old.jpg"
touch -d '60 days ago' "$root/etc/old.jpg"
touch -h -d '60 days ago' "$m/outgoing/evil" "$m/outgoing/evil-root" "$m/outgoing/sub/evil-rel" "$m/outgoing/evil.jpg"
ctr_files() { (cd "$root" && find bin etc usr/local/waent opt -printf '%p %y %s\n' | LC_ALL=C sort | md5sum); }
ctr_before=$(ctr_files)
h72_base=$(h72_manifest)
h72_bad=0
h72_run "media" --now --container h72_media_1
media_text=$(cat "$h72_out")
tap_is "media: the pass exits 0" "$h72_rc" 0
tap_is "media: the container's own old media is pruned (the rules did run)" \
	"$(for f in outgoing/own-old.jpg outgoing/sub/own-old.jpg incoming/own-old.jpg; do [ ! -e "$m/$f" ] || echo "$f"; done)" ""
tap_is "media: the symlinks themselves are left" \
	"$(for l in outgoing/evil outgoing/evil-root outgoing/sub/evil-rel outgoing/evil.jpg; do [ -L "$m/$l" ] || echo "$l"; done)" ""
h72_same "media: the host data behind them is unchanged" "$h72_base"
tap_is "media: the container's files behind the symlink to / are unchanged" "$(ctr_files)" "$ctr_before"
tap_diag "media: $(printf '%s\n' "$media_text" | grep '^  media' | head -n 1)"
# incoming itself a symlink to the host data: the rule folder is refused.
rm -rf "$m/incoming"
ln -s /hostdata/wamedia/incoming "$m/incoming"
h72_run "media, incoming a symlink" --now --container h72_media_1
tap_like "media: a rule folder that is a symlink is refused and reported" "$(cat "$h72_out" "$h72_err")" \
	'/usr/local/wamedia/incoming: a symlink is on the way to this folder, not pruned'
h72_ok="0 1 5"
h72_run "media remediate" --config "$mconf" --now --remediate --json --container h72_media_1
h72_ok="0 1"
tap_like "media: --remediate (low 1%) exits 0, 1 or 5" "$h72_rc" '^[015]$'
tap_like "media: --remediate pruned oldest media first" "$(jq -r '[.remediation.steps[].what] | join("|")' "$h72_out" 2>/dev/null)" 'oldest media first'
h72_same "media: after --remediate the host data is unchanged" "$h72_base"
tap_is "media: and the container's files behind the symlink to / too" "$(ctr_files)" "$ctr_before"
tap_is "media: no pass crashed or hung" "$h72_bad" 0

# The media root reached through a symlinked parent: the volume is mounted at
# /usr/local/wamedia, and the container moves /usr/local (the mount point's
# parent, which it may rename) aside and puts a symlink to the host data in its
# place. /usr/local/wamedia then names /hostdata/wamedia.
engine_run h72_media_2 h72 media2 docker.whatsapp.biz/web:v2.x -v h72media2:/usr/local/wamedia -v "$h72_hd:/hostdata"
h72_in h72_media_2 'mv /usr/local /usr/local.real && ln -s /hostdata /usr/local'
h72_base=$(h72_manifest)
tap_is "media: the container could move its media root's parent and symlink it to the host data" \
	"$(h72_in h72_media_2 'readlink /usr/local')" /hostdata
h72_bad=0
h72_run "media via a symlinked parent" --now --container h72_media_2
tap_is "media via a symlinked parent: rotd neither crashes nor hangs" "$h72_bad" 0
h72_same "media via a symlinked parent: the host data is unchanged" "$h72_base"
h72_ok="0 1 5"
h72_run "media remediate via a symlinked parent" --config "$mconf" --now --remediate --container h72_media_2
h72_ok="0 1"
tap_is "media via a symlinked parent: --remediate neither crashes nor hangs" "$h72_bad" 0
h72_same "media via a symlinked parent: --remediate leaves the host data unchanged too" "$h72_base"

# --- after all ----------------------------------------------------------------------------------
h72_same "the final manifest of sentinel, victim, hostdata, /etc/shadow and /etc/passwd equals the first" "$h72_before"
# shellcheck disable=SC2086 # a list of names
engine_docker rm -f $h72_ctrs >/dev/null 2>&1
engine_docker volume rm h72logs h72bulkmedia h72media h72media2 >/dev/null 2>&1
tap_is "every container of this scenario is removed" "$(engine_docker ps -aq --filter label=com.docker.compose.project=h72 | wc -l)" 0
tap_is "the biz_* containers are still running" \
	"$(engine_docker ps --filter name=biz_ --filter status=running --format '{{.Names}}' | LC_ALL=C sort | tr '\n' ' ')" \
	"$h72_biz_running"
