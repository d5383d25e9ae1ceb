# A full rotd --now pass under valgrind memcheck: discovery, recovery, scan,
# plan, compression on worker threads, pruning, cleanup.sh through docker exec,
# media pruning and the report, against the real engine, with no memory error
# and no leak. (valgrind 3.19 has no openat2, so rotd resolves container paths
# with its component-by-component walk here, which this also exercises.)
vconf=$ENGINE_DIR/valgrind.conf
# When the suite runs a sanitizer build (which valgrind cannot run), CI points
# this at the plain build of the same sources.
vg_rotd=${ROTD_VALGRIND_BINARY:-$REAL_ROTD}
ctr_pid() { engine_docker inspect -f '{{.State.Pid}}' "$1"; }
sed -e 's/^  size = 20M$/  size = 1M/' -e 's/^  size = 15M$/  size = 1M/' "$TEST_CONF" >"$vconf"
engine_run biz_vgweb_1 vg waweb docker.whatsapp.biz/web:v2.x -v vgMedia:/usr/local/wamedia
vroot=/proc/$(ctr_pid biz_vgweb_1)/root
seq 1 300000 >"$vroot/var/log/whatsapp/web.log"
mkdir -p "$vroot/var/log/whatsapp/archive" "$vroot/usr/local/wamedia/outgoing/old"
for k in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31; do
	printf 'old %s\n' "$k" | gzip >"$vroot/var/log/whatsapp/archive/web.log-202601$(printf %02d "$k")T000000Z.gz"
done
for k in 1 2 3; do echo media >"$vroot/usr/local/wamedia/outgoing/old/m$k.jpg"; done
touch -d '60 days ago' "$vroot"/usr/local/wamedia/outgoing/old/*.jpg
out=$(valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
	--child-silent-after-fork=yes "$vg_rotd" --config "$vconf" --now --json --container biz_vgweb_1 \
	2>"$ENGINE_DIR/valgrind.err")
rc=$?
tap_is "a full rotd --now pass under valgrind exits 0 (99 would be a memory error or leak)" "$rc" 0
[ "$rc" -eq 0 ] || tap_diag "$(grep -v '^--' "$ENGINE_DIR/valgrind.err" | tail -n 40)"
tap_is "valgrind reported nothing" "$(grep -c '^==' "$ENGINE_DIR/valgrind.err")" 0
tap_is "the pass rotated web.log" "$(printf '%s' "$out" | jq -r '.containers[0].actions[] | select(.path == "/var/log/whatsapp/web.log" and .action == "rotate") | .done')" true
tap_is "it pruned archives beyond keep" "$(find "$vroot/var/log/whatsapp/archive" -name 'web.log-*.gz' | wc -l)" 30
tap_is "it ran cleanup.sh" "$(printf '%s' "$out" | jq -r '.jobs.cleanup[0].exit_code')" 0
tap_is "it pruned the old media" "$(find "$vroot/usr/local/wamedia/outgoing" -name '*.jpg' | wc -l)" 0
engine_docker rm -f biz_vgweb_1 >/dev/null 2>&1
engine_docker volume rm vgMedia >/dev/null 2>&1
