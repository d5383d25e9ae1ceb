# Discovery: roles for compose v1/v2 names, ignored and stopped containers, log sizes.
ctr_sh() { c=$1; shift; engine_docker exec "$c" sh -c "$*"; }

ctr_sh biz_waweb_1 'dd if=/dev/zero of=/var/log/whatsapp/web.log bs=1048576 count=25 2>/dev/null;
	echo GET > /var/log/whatsapp/access.log; echo e > /var/log/lighttpd/error.log'
ctr_sh biz_wacore_1 'dd if=/dev/zero of=/usr/local/waent/logs/wa-service-1a2b-crash.log bs=1024 count=3 2>/dev/null'
ctr_sh biz-master1-1 'echo m > /var/log/whatsapp/master.log'
engine_docker run -d --network none --name unrelated busybox:test sleep 1000000 >/dev/null
engine_run biz_wacore_2 biz wacore2 docker.whatsapp.biz/coreapp:v2.x && engine_docker kill biz_wacore_2 >/dev/null

text=$("$ROTD" --now --dry-run 2>"$ENGINE_DIR/stderr")
tap_is "dry run exits 0" "$?" 0
tap_like "web container by image and compose v1 name" "$text" '^biz_waweb_1  web  docker\.whatsapp\.biz/web:v2\.x  running$'
tap_like "core container by coreapp image without WA_MASTER_NODE" "$text" '^biz_wacore_1  core  docker\.whatsapp\.biz/coreapp:v2\.x  running$'
tap_like "master container (compose v2 name) by WA_MASTER_NODE=1" "$text" '^biz-master1-1  master  docker\.whatsapp\.biz/coreapp:v2\.x  running$'
tap_like "the db container is ignored" "$text" '^biz_db_1  -  mysql:5\.7  ignored: matches no role$'
tap_like "an unrelated container is ignored" "$text" '^unrelated  -  busybox:test  ignored: matches no role$'
tap_like "a stopped WhatsApp container is reported and skipped" "$text" '^biz_wacore_2  core  docker\.whatsapp\.biz/coreapp:v2\.x  stopped: exited, not running: skipped$'
tap_like "a 25 MiB web.log is seen through /proc/<pid>/root and flagged over 20 MiB" "$text" '^    /var/log/whatsapp/web\.log  25\.0 MiB  over 20\.0 MiB$'
tap_like "lighttpd logs are web logs" "$text" '^    /var/log/lighttpd/error\.log  2 B$'
tap_like "core crash logs are seen under /usr/local/waent/logs" "$text" '^    /usr/local/waent/logs/wa-service-1a2b-crash\.log  3\.0 KiB$'
tap_like "the media volume mount is shown" "$text" '^    mount whatsappMedia -> /usr/local/wamedia \(volume\)$'
tap_like "compose project and service are shown" "$text" '^  pid [0-9]+, compose biz/waweb$'
tap_is "nothing on stderr" "$(cat "$ENGINE_DIR/stderr")" ""

json=$("$ROTD" --now --dry-run --json)
tap_is "--json exits 0" "$?" 0
role_of() { printf '%s' "$json" | jq -r --arg n "$1" '.containers[] | select(.name == $n) | .role'; }
tap_is "JSON: biz_waweb_1 is web" "$(role_of biz_waweb_1)" web
tap_is "JSON: biz_wacore_1 is core" "$(role_of biz_wacore_1)" core
tap_is "JSON: biz-master1-1 is master" "$(role_of biz-master1-1)" master
tap_is "JSON: biz_db_1 has no role" "$(role_of biz_db_1)" null
tap_is "JSON: the stopped container's state" \
	"$(printf '%s' "$json" | jq -r '.containers[] | select(.name == "biz_wacore_2") | .state')" stopped
tap_is "JSON: web.log's exact size in bytes" \
	"$(printf '%s' "$json" | jq -r '.containers[] | select(.name == "biz_waweb_1") | .logs[] | select(.path == "/var/log/whatsapp/web.log") | .size')" 26214400
tap_is "JSON: every container has a name and a role key" \
	"$(printf '%s' "$json" | jq '[.containers[] | select(has("name") and has("role"))] | length')" \
	"$(printf '%s' "$json" | jq '.containers | length')"
tap_is "JSON: compose project and service" \
	"$(printf '%s' "$json" | jq -r '.containers[] | select(.name == "biz-master1-1") | "\(.project)/\(.service)"')" biz/master1

engine_docker rm -f unrelated >/dev/null
