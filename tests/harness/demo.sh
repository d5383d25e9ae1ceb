#!/bin/sh
# make demo: rotd --now --dry-run against this host's Docker engine, or, when the
# host has none, against a throwaway engine with WhatsApp-like containers.
# Usage: demo.sh PATH-TO-ROTD
set -u
ROTD=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/engine.sh"

host_sock=/var/run/docker.sock
case ${DOCKER_HOST:-} in unix://*) host_sock=${DOCKER_HOST#unix://} ;; esac
if [ -S "$host_sock" ] && curl -sf --max-time 3 --unix-socket "$host_sock" http://localhost/_ping >/dev/null 2>&1; then
	echo "== rotd usage against the engine at $host_sock: what fills the disks"
	"$ROTD" usage
	echo
	echo "== rotd --now --dry-run against the engine at $host_sock"
	exec "$ROTD" --now --dry-run
fi

echo "== no Docker engine on this host: starting a throwaway one with WhatsApp-like containers"
trap engine_stop EXIT
trap 'exit 1' INT TERM HUP
engine_start || exit 3
engine_build_images || exit 1
engine_start_whatsapp || exit 1
engine_docker exec biz_waweb_1 sh -c 'dd if=/dev/zero of=/var/log/whatsapp/web.log bs=1048576 count=24 2>/dev/null;
	echo "GET /v1/health 200" > /var/log/whatsapp/access.log; : > /var/log/lighttpd/error.log;
	mkfifo /var/log/whatsapp/trap.log'
engine_docker exec biz_wacore_1 sh -c 'dd if=/dev/zero of=/usr/local/waent/logs/wa-service-5f3a-crash.log bs=1024 count=700 2>/dev/null'
# The core app's log: a day of dated lines (16 MB, past the core's 15 MB) with
# one error and its stack trace at 20:12, for rotd logs to find after the pass.
core_root=/proc/$(engine_docker inspect -f '{{.State.Pid}}' biz_wacore_1)/root
awk 'BEGIN {
	for (s = 0; s < 86400; s += 0.4) {
		printf "2026-11-27 %02d:%02d:%06.3f [INFO] coreapp: message delivered to wa_id 1555%07d (queue depth %d)\n",
			s / 3600, (s % 3600) / 60, s % 60, s * 10, s % 97
		if (s >= 72720 && s < 72720.4)
			printf "2026-11-27 20:12:00.200 [ERROR] coreapp: database connection lost\n\tat com.whatsapp.db.Pool.get(Pool.java:88)\n\tat com.whatsapp.core.Send.run(Send.java:41)\n"
	}
}' >"$core_root/var/log/whatsapp/core.log"
engine_docker exec biz-master1-1 sh -c 'echo started > /var/log/whatsapp/master.log'
# Media: one file past the 30-day rule, one recent.
media=/proc/$(engine_docker inspect -f '{{.State.Pid}}' biz_waweb_1)/root/usr/local/wamedia
mkdir -p "$media/outgoing/2026/09" "$media/incoming"
echo old >"$media/outgoing/2026/09/sent.jpg"
echo new >"$media/incoming/received.jpg"
touch -d '45 days ago' "$media/outgoing/2026/09/sent.jpg"
conf=$ENGINE_DIR/demo.conf
sed -e "s|^state-file = .*|state-file = $ENGINE_DIR/state.json|" \
	-e "s|^  file = /var/lib/prometheus/node-exporter/rotd.prom|  file = $ENGINE_DIR/rotd.prom|" \
	"$here/../../conf/rotd.conf" >"$conf"
echo "== rotd usage: what fills the disks, before the pass"
"$ROTD" --config "$conf" usage
echo
echo "== rotd --now --dry-run: what a pass would do"
"$ROTD" --config "$conf" --now --dry-run || exit $?
echo
echo "== rotd --now: the pass itself (the throwaway engine's containers only)"
"$ROTD" --config "$conf" --now
rc=$?
echo "== rotd exited $rc"
echo
echo "== rotd logs: the core's error around 20:12, found in the archive the pass just wrote"
"$ROTD" --config "$conf" logs --since 2026-11-27T20:10:00Z --until 2026-11-27T20:15:00Z --grep 'ERROR|FATAL'
echo
echo "== the Prometheus metrics it wrote (node-exporter textfile format; rotd --now's own file), in part"
grep -E '^rotd_(last_pass_success|passes_total|rotated_bytes_total|archives_written_total|media_pruned_files_total)' \
	"$ENGINE_DIR/rotd-now.prom"
exit $rc
