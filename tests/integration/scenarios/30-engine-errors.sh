# An engine that cannot be reached gives one clear line and exit 3.
err=$(DOCKER_HOST=unix:///nonexistent/docker.sock "$ROTD" --now --dry-run 2>&1 >/dev/null)
tap_is "a missing socket exits 3" "$?" 3
tap_like "a missing socket is named in one line" "$err" '^rotd: cannot reach the Docker engine at /nonexistent/docker\.sock: No such file or directory$'
tap_is "the missing-socket message is a single line" "$(printf '%s\n' "$err" | wc -l)" 1

dead=$ENGINE_DIR/dead.sock
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$dead"
err=$(DOCKER_HOST=unix://$dead "$ROTD" --now --dry-run 2>&1 >/dev/null)
tap_is "a refused connection exits 3" "$?" 3
tap_like "a refused connection is named in one line" "$err" "^rotd: cannot reach the Docker engine at $dead: Connection refused\$"

err=$(DOCKER_HOST=tcp://127.0.0.1:2375 "$ROTD" --now --dry-run 2>&1 >/dev/null)
tap_is "a non-unix DOCKER_HOST is a usage error (exit 2)" "$?" 2
tap_like "and says rotd needs a unix socket" "$err" 'unix'

conf=$ENGINE_DIR/socket.conf
sed "s|^  socket = .*|  socket = \"$ENGINE_SOCK\"|" "$TEST_CONF" >"$conf"
out=$(env -u DOCKER_HOST "$ROTD" --config "$conf" --now --dry-run 2>&1)
tap_is "without DOCKER_HOST the config's docker.socket is used" "$?" 0
tap_like "and the report names that socket" "$out" "engine unix://$ENGINE_SOCK "
out=$(DOCKER_HOST=unix:///nonexistent/docker.sock "$ROTD" --config "$conf" --now --dry-run 2>&1)
tap_is "DOCKER_HOST wins over the config's socket" "$?" 3
