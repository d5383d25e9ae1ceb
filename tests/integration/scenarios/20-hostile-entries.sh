# Entries rotd must never touch: FIFOs, symlinks, hard links; and log folders that
# point outside the container.
sentinel=$(mktemp -d /tmp/rotd-sentinel.XXXXXX)
echo "host secret" >"$sentinel/secret.log"
sum_before=$(sha256sum "$sentinel/secret.log" /etc/shadow 2>/dev/null)

engine_docker exec biz_waweb_1 sh -c 'mkfifo /var/log/whatsapp/pipe.log;
	ln -s /etc/shadow /var/log/whatsapp/shadow.log;
	echo keep > /tmp/keep; ln /tmp/keep /var/log/whatsapp/linked.log'
engine_docker exec biz-master1-1 sh -c "rm -rf /usr/local/waent/logs;
	ln -s ../../../../../../../..$sentinel /usr/local/waent/logs"

text=$(timeout 60 "$ROTD" --now --dry-run 2>&1)
tap_is "dry run with hostile entries exits 1 (a refused log folder) and does not hang on a FIFO" "$?" 1
tap_like "a FIFO named *.log is reported and skipped" "$text" '^    /var/log/whatsapp/pipe\.log  FIFO: skipped$'
tap_like "a symlink to /etc/shadow is reported and skipped" "$text" '^    /var/log/whatsapp/shadow\.log  symlink: skipped$'
tap_like "a hard-linked log is reported and skipped" "$text" '^    /var/log/whatsapp/linked\.log  hard-linked file: skipped \(2 links\)$'
case $text in
*secret.log*) tap_result 1 "a log folder symlinked to a host path is not followed" ;;
*) tap_result 0 "a log folder symlinked to a host path is not followed" ;;
esac
# stdout and stderr share the output here: the error is said once, where it
# happened, and the report marks it under its container.
tap_like "that folder is refused and named" "$text" \
	'^rotd: container biz-master1-1: /usr/local/waent/logs/\*\.log: a folder on the way is a symlink or not a folder: refused$'
tap_is "and named once, though the log and the report share the output" \
	"$(printf '%s\n' "$text" | grep -c 'a folder on the way is a symlink or not a folder: refused')" 1
tap_like "the report marks it under its container" "$(printf '%s\n' "$text" | sed -n '/^biz-master1-1  /,/^$/p')" \
	'^    1 error, logged above$'
tap_like "and its header counts it as the exit code does" "$text" '^exit 1: 1 failure \(1 container\)$'
tap_is "host sentinel files are unchanged" "$(sha256sum "$sentinel/secret.log" /etc/shadow 2>/dev/null)" "$sum_before"

engine_docker exec biz_waweb_1 rm -f /var/log/whatsapp/pipe.log /var/log/whatsapp/shadow.log /var/log/whatsapp/linked.log
engine_docker exec biz-master1-1 sh -c 'rm /usr/local/waent/logs; mkdir /usr/local/waent/logs'
rm -rf "$sentinel"
