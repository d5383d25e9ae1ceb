# A crash at each named step of a rotation (ROTD_CRASH_AT makes rotd SIGKILL
# itself there), then a rerun: the rerun completes the work, nothing is lost or
# duplicated, and no journal record or temp file is left.
ctr_pid() { engine_docker inspect -f '{{.State.Pid}}' "$1"; }
archive_leftovers() { ls -A "$1" | grep -cv '^[A-Za-z0-9_.-]*-[0-9]\{8\}T[0-9]\{6\}Z\(_[0-9]\{3\}\)\?\.gz$'; }

n=0
for point in archive-written journal-written archive-linked source-cut; do
	for kind in collapse fallback idle; do
		n=$((n + 1))
		name=biz_crashpoint_$n
		case $kind in
		collapse) engine_run "$name" biz cp$n docker.whatsapp.biz/web:v2.x ;;
		fallback) engine_run "$name" biz cp$n docker.whatsapp.biz/web:v2.x --tmpfs /var/log/whatsapp:size=100m ;;
		idle) engine_run "$name" biz wacore docker.whatsapp.biz/coreapp:v2.x ;;
		esac
		root=/proc/$(ctr_pid "$name")/root
		if [ "$kind" = idle ]; then
			log=$root/usr/local/waent/logs/wa-2.log
			seq 1 500000 >"$log"
			seq 500001 500010 >"$root/usr/local/waent/logs/wa.log"
			touch -d '2 hours ago' "$log"
			arch=$root/var/log/whatsapp/archive
			want_last=500000
		else
			log=$root/var/log/whatsapp/web.log
			seq 1 3000000 >"$log"
			arch=$root/var/log/whatsapp/archive
			want_last=3000000
		fi
		ROTD_CRASH_AT=$point "$ROTD" --now --rotate-only --container "$name" >/dev/null 2>&1
		tap_is "$kind: rotd dies at $point" "$?" 137
		out=$("$ROTD" --now --rotate-only --container "$name" 2>&1)
		tap_is "$kind: the rerun after $point exits 0" "$?" 0
		case $point in
		journal-written | archive-linked | source-cut)
			tap_like "$kind: the rerun reports what it finished after $point" "$out" '^    recovered: ' ;;
		esac
		(for a in "$arch"/*.gz; do [ -e "$a" ] && zcat "$a"; done; [ -e "$log" ] && cat "$log") | sort -n >"$ENGINE_DIR/cp.txt"
		# Nothing writes during this test, so even the fallback must lose nothing.
		tap_is "$kind: after $point every line is there exactly once" \
			"$(seq 1 $want_last | cmp - "$ENGINE_DIR/cp.txt" >/dev/null 2>&1; echo $?)" 0
		tap_is "$kind: after $point no journal record or stray file is left" "$(archive_leftovers "$arch")" 0
		engine_docker rm -f "$name" >/dev/null
	done
done

# A crash between two prunes: the rerun finishes pruning down to keep.
engine_run biz_crashprune_1 biz cprune docker.whatsapp.biz/web:v2.x
root=/proc/$(ctr_pid biz_crashprune_1)/root
mkdir -p "$root/var/log/whatsapp/archive"
for d in $(seq 1 35); do echo "old $d" | gzip >"$root/var/log/whatsapp/archive/web.log-$(date -u -d "2026-01-01 +$d days" +%Y%m%dT000000Z).gz"; done
seq 1 3000000 >"$root/var/log/whatsapp/web.log"
ROTD_CRASH_AT=pruning "$ROTD" --now --rotate-only --container biz_crashprune_1 >/dev/null 2>&1
tap_is "rotd dies between two prunes" "$?" 137
tap_ok "the rerun exits 0" "$ROTD" --now --rotate-only --container biz_crashprune_1
tap_is "the rerun prunes down to keep 30" "$(ls "$root/var/log/whatsapp/archive" | grep -c '^web\.log-')" 30
engine_docker rm -f biz_crashprune_1 >/dev/null
