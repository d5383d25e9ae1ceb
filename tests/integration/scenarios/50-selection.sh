# --container, the rotd.role label override, and a bad label.
json=$("$ROTD" --now --dry-run --json --container biz_waweb_1)
tap_is "--container keeps exactly that container" \
	"$(printf '%s' "$json" | jq -r '[.containers[].name] | join(",")')" biz_waweb_1

engine_docker run -d --network none --name a.b busybox:test sleep 1000000 >/dev/null
engine_docker run -d --network none --name aXb busybox:test sleep 1000000 >/dev/null
json=$("$ROTD" --now --dry-run --json --container a.b)
tap_is "--container takes the name literally, not as a pattern" \
	"$(printf '%s' "$json" | jq -r '[.containers[].name] | join(",")')" a.b
engine_docker rm -f a.b aXb >/dev/null

engine_docker run -d --network none --name custom_app --label rotd.role=web busybox:test sleep 1000000 >/dev/null
engine_docker run -d --network none --name biz_waweb_9 --label rotd.role=none docker.whatsapp.biz/web:v2.x sleep 1000000 >/dev/null
json=$("$ROTD" --now --dry-run --json)
tap_is "label rotd.role=web makes any container a web container" \
	"$(printf '%s' "$json" | jq -r '.containers[] | select(.name == "custom_app") | .role')" web
tap_is "label rotd.role=none makes a WhatsApp container ignored" \
	"$(printf '%s' "$json" | jq -r '.containers[] | select(.name == "biz_waweb_9") | .state')" ignored

engine_docker run -d --network none --name typo_app --label rotd.role=wbe busybox:test sleep 1000000 >/dev/null
out=$("$ROTD" --now --dry-run 2>"$ENGINE_DIR/stderr")
tap_is "a label naming no role is a partial failure (exit 1)" "$?" 1
tap_like "the error names the container and the label" "$(cat "$ENGINE_DIR/stderr")" \
	'container typo_app: label rotd\.role=wbe names no role in the configuration'
tap_like "the other containers are still reported" "$out" '^biz_waweb_1  web  '
engine_docker rm -f custom_app biz_waweb_9 typo_app >/dev/null
