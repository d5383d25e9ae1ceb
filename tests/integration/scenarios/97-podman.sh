# Podman as a second engine: its Docker-compatible API service (podman.sh), the
# same busybox-static images through `podman import`, compose-named web, core
# and master containers, and a representative subset of the scenarios against
# it through DOCKER_HOST: discovery and roles, --container with an exact name
# and a typo, rotation with a writer running, cleanup.sh through exec, media
# pruning through the volume, the engine log's hint, and the daemon's event
# handling (a start, Podman's "died" and "remove"). A part that cannot start
# fails its tests; nothing is skipped.
pod_t0=$(date +%s)
pod_took() { echo "$(($(date +%s) - pod_t0)) s"; }
pod_pid() { podman_cli inspect -f '{{.State.Pid}}' "$1"; }
pod_root() { echo "/proc/$(pod_pid "$1")/root"; }
# rotd with DOCKER_HOST on Podman, its state, lock, status and metrics in PODMAN_DIR.
pod_rotd() { DOCKER_HOST=unix://$PODMAN_SOCK timeout 120 "$REAL_ROTD" "$@"; }

pod_checks() {
	pconf=$PODMAN_DIR/rotd.conf
	sed "s|$ENGINE_DIR/|$PODMAN_DIR/|g" "$TEST_CONF" >"$pconf"

	# --- discovery and roles ---------------------------------------------------------
	web=$(pod_root biz_waweb_1)
	seq 1 3400000 >"$web/var/log/whatsapp/web.log"
	echo GET >"$web/var/log/whatsapp/access.log"
	head -c 3072 /dev/zero >"$(pod_root biz_wacore_1)/usr/local/waent/logs/wa-service-1a2b-crash.log"
	echo m >"$(pod_root biz-master1-1)/var/log/whatsapp/master.log"
	podman_run biz_wacore_2 biz wacore2 docker.whatsapp.biz/coreapp:v2.x && podman_cli kill biz_wacore_2 >/dev/null
	text=$(pod_rotd --config "$pconf" --now --dry-run 2>"$PODMAN_DIR/stderr")
	tap_is "Podman: the dry run exits 0" "$?" 0
	tap_is "Podman: nothing on stderr" "$(cat "$PODMAN_DIR/stderr")" ""
	tap_like "Podman: the header names the engine and API 1.41" "$text" \
		"^dry run: nothing changed\. engine unix://$PODMAN_SOCK \(API 1\.41\)"
	json=$(pod_rotd --config "$pconf" --now --dry-run --json)
	tap_is "Podman: --json exits 0" "$?" 0
	role_of() { printf '%s' "$json" | jq -r --arg n "$1" '.containers[] | select(.name == $n) | "\(.role) \(.state)"'; }
	tap_is "Podman: biz_waweb_1 is web (image, compose v1 name)" "$(role_of biz_waweb_1)" "web running"
	tap_is "Podman: biz_wacore_1 is core" "$(role_of biz_wacore_1)" "core running"
	tap_is "Podman: biz-master1-1 is master (WA_MASTER_NODE=1, compose v2 name)" "$(role_of biz-master1-1)" "master running"
	tap_is "Podman: the db has no role" "$(role_of biz_db_1)" "null ignored"
	tap_is "Podman: a killed WhatsApp container is reported stopped" "$(role_of biz_wacore_2)" "core stopped"
	tap_is "Podman: the pid is the container's, and /proc/<pid>/root reads its web.log (exact size)" \
		"$(printf '%s' "$json" | jq -r '.containers[] | select(.name == "biz_waweb_1") | "\(.pid) \(.logs[] | select(.path == "/var/log/whatsapp/web.log") | .size)"')" \
		"$(pod_pid biz_waweb_1) $(stat -c %s "$web/var/log/whatsapp/web.log")"
	tap_like "Podman: the core's crash log is seen" "$text" '^    /usr/local/waent/logs/wa-service-1a2b-crash\.log  3\.0 KiB$'
	tap_like "Podman: the media volume mount is shown" "$text" '^    mount whatsappMedia -> /usr/local/wamedia \(volume\)$'
	tap_is "Podman: compose project and service" \
		"$(printf '%s' "$json" | jq -r '.containers[] | select(.name == "biz-master1-1") | "\(.project)/\(.service)"')" biz/master1
	tap_diag "podman: discovery done after $(pod_took)"

	# --- --container: exact names, and a typo ---------------------------------------
	names() { printf '%s' "$1" | jq -c '[.containers[].name]'; }
	json=$(pod_rotd --config "$pconf" --now --dry-run --json --container biz_waweb_1 2>"$PODMAN_DIR/stderr")
	tap_is "Podman: --container biz_waweb_1 exits 0" "$?" 0
	tap_is "Podman: and selects exactly that container (Podman matches names without the /)" "$(names "$json")" '["biz_waweb_1"]'
	json=$(pod_rotd --config "$pconf" --now --dry-run --json --container biz_wacore_1 --container biz-master1-1 2>/dev/null)
	tap_is "Podman: two --container names select those two" "$(names "$json")" '["biz-master1-1","biz_wacore_1"]'
	out=$(pod_rotd --config "$pconf" --now --dry-run --container biz_waweb_l 2>&1)
	tap_is "Podman: a typo'd --container exits 2" "$?" 2
	tap_like "Podman: and says so" "$out" '^rotd: no container named biz_waweb_l; nothing done'
	out=$(pod_rotd --config "$pconf" --now --dry-run --container biz.waweb.1 2>&1)
	tap_is "Podman: a dot in --container is a dot, not a wildcard (exit 2)" "$?" 2

	# --- rotation with a writer running ------------------------------------------------
	rm -f "$web/tmp/writer.done"
	# shellcheck disable=SC2016 # expanded in the container
	podman_cli exec -d biz_waweb_1 sh -c 'i=3400001; while [ $i -le 3500000 ]; do echo $i; i=$((i+1)); done >>/var/log/whatsapp/web.log; touch /tmp/writer.done' >/dev/null
	sleep 0.3
	json=$(pod_rotd --config "$pconf" --now --json --rotate-only --container biz_waweb_1 2>"$PODMAN_DIR/stderr")
	tap_is "Podman: a pass with a writer running exits 0" "$?" 0
	wait_for 60 test -e "$web/tmp/writer.done"
	tap_is "Podman: the writer finished" "$?" 0
	act() { printf '%s' "$json" | jq -r ".containers[0].actions[] | select(.path == \"/var/log/whatsapp/web.log\") | $1"; }
	tap_is "Podman: web.log was rotated" "$(act .done)" true
	tap_is "Podman: by collapsing, not the fallback" "$(act .fallback)" false
	tap_like "Podman: into a UTC-stamped gzip archive" "$(act .archive)" '^web\.log-[0-9]{8}T[0-9]{6}Z\.gz$'
	gzip -t "$web/var/log/whatsapp/archive/"web.log-*.gz
	tap_result $? "Podman: the archive passes gzip -t"
	tap_like "Podman: the live file keeps only the unarchived tail" "$(stat -c %s "$web/var/log/whatsapp/web.log")" '^[0-9]{1,7}$'
	seq 1 3500000 >"$PODMAN_DIR/want"
	(zcat "$web/var/log/whatsapp/archive/"web.log-*.gz; cat "$web/var/log/whatsapp/web.log") | sort -n |
		cmp -s - "$PODMAN_DIR/want"
	tap_result $? "Podman: archive + live file hold every line exactly once (writer running)"
	rm -f "$PODMAN_DIR/want"
	tap_diag "podman: rotation done after $(pod_took)"

	# --- cleanup.sh through exec, and media through the volume ---------------------
	printf '#!/bin/sh\necho "purging old files"\necho "disk is read-only" >&2\nexit 3\n' \
		>"$(pod_root biz-master1-1)/opt/whatsapp/bin/cleanup.sh"
	m=$web/usr/local/wamedia
	mkdir -p "$m/outgoing/2026/10" "$m/incoming/x"
	for f in outgoing/2026/10/old.jpg outgoing/young.jpg incoming/x/old.bin; do echo "$f" >"$m/$f"; done
	touch -d '40 days ago' "$m/outgoing/2026/10/old.jpg" "$m/incoming/x/old.bin"
	touch -d '10 days ago' "$m/outgoing/young.jpg"
	json=$(pod_rotd --config "$pconf" --now --json --container biz_waweb_1 --container biz_wacore_1 \
		--container biz-master1-1 --container biz_db_1 2>"$PODMAN_DIR/stderr")
	tap_is "Podman: a pass with a failing cleanup.sh is a partial failure (exit 1)" "$?" 1
	cl() { printf '%s' "$json" | jq -r --arg c "$1" '.jobs.cleanup[] | select(.container == $c) | .exit_code'; }
	tap_is "Podman: cleanup.sh ran through exec in web and core with exit 0" "$(cl biz_waweb_1) $(cl biz_wacore_1)" "0 0"
	tap_is "Podman: the master's failing cleanup.sh reports its exit code" "$(cl biz-master1-1)" 3
	tap_like "Podman: its stderr went to rotd's log, tagged with the container" "$(cat "$PODMAN_DIR/stderr")" \
		'container biz-master1-1: cleanup stderr: disk is read-only'
	marks() { f="$(pod_root "$1")/tmp/cleanup-ran"; if [ -e "$f" ]; then wc -l <"$f"; else echo 0; fi; }
	tap_is "Podman: it ran once in web and core, never in the db" \
		"$(marks biz_waweb_1) $(marks biz_wacore_1) $(marks biz_db_1)" "1 1 0"
	tap_is "Podman: the media volume shared by web and core is pruned once" \
		"$(printf '%s' "$json" | jq -c '[.jobs.media[] | .key]')" '["volume:whatsappMedia"]'
	tap_is "Podman: two old files pruned" "$(printf '%s' "$json" | jq '.jobs.media[0].files')" 2
	tap_is "Podman: old media is gone, also as the core sees the volume" \
		"$(test -e "$(pod_root biz_wacore_1)/usr/local/wamedia/outgoing/2026/10/old.jpg"; echo $?)$(test -e "$m/incoming/x/old.bin"; echo $?)" 11
	tap_is "Podman: media younger than its rule's age is kept" "$(cat "$m/outgoing/young.jpg")" outgoing/young.jpg

	# --- the engine log's hint --------------------------------------------------
	# Watermarks under the host's usage make the dry run list what takes the space.
	sed -e 's/^  high = .*/  high = 2%/' -e 's/^  low = .*/  low = 1%/' "$pconf" >"$PODMAN_DIR/rem.conf"
	json=$(pod_rotd --config "$PODMAN_DIR/rem.conf" --now --remediate --dry-run --json 2>/dev/null)
	cons() { printf '%s' "$json" | jq -r ".remediation.consumers[] | select(.container == \"biz_waweb_1\") | $1"; }
	tap_like "Podman: the remediation report names its engine log, ctr.log" "$(cons .engine_log)" '/userdata/ctr\.log$'
	tap_is "Podman: with no json-file max-size hint (its inspect says json-file, the log is Podman's own)" \
		"$(cons .hint)" null
	tap_diag "podman: jobs done after $(pod_took)"

	# --- the daemon: events of Podman ----------------------------------------------
	hour() { date -u -d "@$(($(date +%s) + $1 * 3600))" +%H:00; }
	dconf=$PODMAN_DIR/daemon.conf
	dlog=$PODMAN_DIR/daemon.log
	# An interval of an hour: only the events can tell the daemon anything.
	sed -e 's/^interval = .*/interval = 1h/' -e "s|^  window = .*|  window = $(hour 3)-$(hour 4)|" \
		-e 's|^  timezone = .*|  timezone = "UTC"|' "$pconf" >"$dconf"
	DOCKER_HOST=unix://$PODMAN_SOCK "$REAL_ROTD" --config "$dconf" >>"$dlog" 2>&1 &
	pdaemon=$!
	wait_for 20 grep -q '^rotd: inventory: ' "$dlog"
	tap_is "Podman: the daemon connects and lists the containers" "$?" 0
	wait_for 20 sh -c "jq -e '.activity.what == \"idle\"' '$PODMAN_DIR/status.json'"
	podman_cli create --network none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 --name biz_waweb_late \
		--label com.docker.compose.project=biz --label com.docker.compose.service=waweb \
		docker.whatsapp.biz/web:v2.x sleep 1000000 >/dev/null
	head -c 26214400 /dev/zero | tr '\0' 'x' >"$PODMAN_DIR/big.log"
	podman_cli cp "$PODMAN_DIR/big.log" biz_waweb_late:/var/log/whatsapp/web.log
	rm -f "$PODMAN_DIR/big.log"
	podman_cli start biz_waweb_late >/dev/null
	started=$(date +%s)
	late_id=$(podman_cli inspect -f '{{.Id}}' biz_waweb_late | cut -c1-12)
	wait_for 15 grep -q 'container biz_waweb_late (role web) started: checking its logs now' "$dlog"
	tap_is "Podman: a container started after the daemon is picked up from the start event" "$?" 0
	late=$(pod_root biz_waweb_late)
	wait_for 15 sh -c "ls '$late/var/log/whatsapp/archive' 2>/dev/null | grep -q '^web\.log-.*\.gz\$'"
	tap_is "Podman: and its oversized web.log is rotated at once" "$?" 0
	tap_like "Podman: within seconds ($(($(date +%s) - started)) s)" "$(($(date +%s) - started))" '^([0-9]|1[0-5])$'
	state_of() { jq -r --arg n "$1" '[.containers[] | select(.name == $n) | .state] | first // "absent"' "$PODMAN_DIR/status.json"; }
	wait_for 15 sh -c "jq -e '.activity.what == \"idle\"' '$PODMAN_DIR/status.json'"
	mark=$(wc -l <"$dlog")
	podman_cli stop -t 0 biz_waweb_late >/dev/null 2>&1
	wait_for 10 sh -c "[ \"\$(jq -r '[.containers[] | select(.name == \"biz_waweb_late\") | .state] | first' '$PODMAN_DIR/status.json')\" = stopped ]"
	tap_is "Podman: a stopped container is marked stopped from Podman's died event" "$?" 0
	sleep 2
	tap_is "Podman: with one log line" "$(tail -n +$((mark + 1)) "$dlog")" \
		"rotd: container biz_waweb_late is stopped: exited, not running: skipped"
	mark=$(wc -l <"$dlog")
	podman_cli rm biz_waweb_late >/dev/null
	wait_for 10 sh -c "jq -e '[.containers[] | select(.name == \"biz_waweb_late\")] | length == 0' '$PODMAN_DIR/status.json'"
	tap_is "Podman: a removed container is dropped from Podman's remove event" "$?" 0
	sleep 2
	tap_is "Podman: with one log line" "$(tail -n +$((mark + 1)) "$dlog")" "rotd: container $late_id is gone"
	tap_is "Podman: biz_waweb_1 is still running in the daemon's inventory" "$(state_of biz_waweb_1)" running
	# Interval passes every second now: a stopped container is said once, never again.
	sed -i 's/^interval = .*/interval = 1s/' "$dconf"
	lists_before=$(grep -c '^rotd: inventory: ' "$dlog")
	kill -HUP "$pdaemon"
	wait_for 10 grep -q "configuration reloaded from $dconf" "$dlog"
	tap_is "Podman: SIGHUP reloads an interval of 1 s" "$?" 0
	# a reload lists the containers again, and logs it: wait for that line, or
	# it may land after the mark below (it did once on a loaded machine)
	wait_for 10 sh -c "[ \$(grep -c '^rotd: inventory: ' '$dlog') -gt $lists_before ]"
	wait_for 10 sh -c "jq -e '.activity.what == \"idle\"' '$PODMAN_DIR/status.json'"
	mark=$(wc -l <"$dlog")
	podman_cli stop -t 0 biz-master1-1 >/dev/null 2>&1
	wait_for 10 sh -c "[ \"\$(jq -r '[.containers[] | select(.name == \"biz-master1-1\") | .state] | first' '$PODMAN_DIR/status.json')\" = stopped ]"
	tap_is "Podman: a container stopped under 1 s intervals is marked stopped" "$?" 0
	sleep 4
	tap_is "Podman: and said once in 4 intervals, with nothing else logged" "$(tail -n +$((mark + 1)) "$dlog")" \
		"rotd: container biz-master1-1 is stopped: exited, not running: skipped"
	kill -TERM "$pdaemon"
	wait "$pdaemon"
	tap_is "Podman: the daemon stops on SIGTERM with exit 0" "$?" 0
	tap_is "Podman: nothing in the daemon's log is a warning or an error" \
		"$(grep -ciE 'cannot|error|fail|warn' "$dlog")" 0
	tap_diag "podman: daemon done after $(pod_took)"
}

podman_start
rc=$?
tap_result $rc "Podman's API service starts on its own socket and answers /_ping"
if [ $rc -eq 0 ]; then
	podman_build_images
	rc=$?
	tap_result $rc "Podman: WhatsApp-like images are imported from the busybox-static rootfs"
fi
if [ $rc -eq 0 ]; then
	podman_start_whatsapp
	rc=$?
	tap_result $rc "Podman: web, core, master (compose v1 and v2 names) and db containers start"
fi
if [ $rc -eq 0 ]; then
	tap_diag "podman: engine and containers up after $(pod_took)"
	pod_checks
else
	tap_result 1 "Podman: the checks against Podman cannot run without its engine and containers"
fi

# Teardown: the conmon of every exec (Podman keeps them about five minutes) goes too.
# pod_naming DIR: the pids whose command line names DIR.
pod_naming() {
	for p in /proc/[0-9]*; do
		tr '\0' ' ' 2>/dev/null <"$p/cmdline" | grep -qF "$1/" && echo "${p#/proc/}"
	done
}
pdir=${PODMAN_DIR:-/nonexistent}
tap_diag "podman: $(pod_naming "$pdir" | wc -l) processes name $pdir before teardown"
podman_stop
tap_is "Podman: teardown leaves no process naming its folder (conmon included)" "$(pod_naming "$pdir" | wc -l)" 0
tap_is "Podman: and no folder or mount" "$(test -e "$pdir" && echo left; grep -cF " $pdir/" /proc/mounts)" 0
tap_diag "podman: scenario took $(pod_took)"
