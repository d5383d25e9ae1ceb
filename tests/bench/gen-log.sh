#!/bin/sh
# gen-log.sh KIND BYTES [SEED]: writes at least BYTES of realistic WhatsApp
# Business API web-container log text to stdout (whole lines; it stops at the
# first line end at or past BYTES).
#
# KIND picks the line shape: web (application log), access (lighttpd combined
# format), error (warnings and errors with multi-line stack traces), requests
# (one JSON object per request) or audit (key=value audit trail). Fields vary
# line by line (timestamps advance by random steps, request ids, wa_ids,
# message ids, latencies, paths, statuses), so the text compresses like a real
# log (gzip -6 about 4-8x) rather than like a repeated constant. The same
# KIND and SEED always give the same bytes.
set -eu

[ $# -ge 2 ] || { echo "usage: $0 web|access|error|requests|audit BYTES [SEED]" >&2; exit 2; }
kind=$1 bytes=$2 seed=${3:-1}
case $kind in web | access | error | requests | audit) ;; *) echo "$0: unknown kind '$kind'" >&2; exit 2 ;; esac
case $bytes in '' | *[!0-9]*) echo "$0: BYTES must be a number" >&2; exit 2 ;; esac
case $seed in '' | *[!0-9]*) echo "$0: SEED must be a number" >&2; exit 2 ;; esac

exec awk -v kind="$kind" -v limit="$bytes" -v seed="$seed" '
function pick(a, n) { return a[int(rand() * n) + 1] }
function rint(lo, hi) { return lo + int(rand() * (hi - lo + 1)) }
function hex(n,   s, i) { s = ""; for (i = 0; i < n; i++) s = s substr("0123456789abcdef", rint(1, 16), 1); return s }
function b64(n,   s, i) {
	s = ""
	for (i = 0; i < n; i++) s = s substr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", rint(1, 64), 1)
	return s
}
# Customers and sessions come from pools, as on a real host where the same
# numbers and sessions recur.
function waid() { return pool_wa[rint(1, NPOOL)] }
function wamid() { return "wamid.HBgL" b64(rint(24, 40)) }
function ip() { return "10." rint(0, 3) "." rint(0, 255) "." rint(1, 254) }
# Wall clock: starts 2026-11-22 01:00:00 and advances 0-40 ms a line.
function tick() {
	ms += rint(0, 40)
	while (ms >= 1000) { ms -= 1000; sec++ }
	while (sec >= 60) { sec -= 60; min++ }
	while (min >= 60) { min -= 60; hour++ }
	if (hour >= 24) hour = 0
}
function stamp() { return sprintf("2026-11-22 %02d:%02d:%02d.%03d", hour, min, sec, ms) }
function clf() { return sprintf("22/Nov/2026:%02d:%02d:%02d +0000", hour, min, sec) }
function level(   r) { r = rand(); return r < 0.86 ? "INFO" : r < 0.94 ? "WARN" : r < 0.97 ? "DEBUG" : "ERROR" }
function status(   r) { r = rand(); return r < 0.82 ? 200 : r < 0.90 ? 201 : r < 0.94 ? 400 : r < 0.96 ? 401 : r < 0.98 ? 404 : r < 0.99 ? 429 : 500 }
function emit(s) { print s; total += length(s) + 1 }
BEGIN {
	srand(seed)
	split("/v1/messages /v1/messages /v1/messages /v1/contacts /v1/media /v1/users/login /v1/health /v1/settings/application /v1/stats/app /v1/stats/db /v1/certificates/webhooks/ca /v1/account /v1/services/message/gc /v1/services/media/gc", paths, " "); npaths = 14
	split("GET POST POST POST PUT DELETE PATCH", methods, " "); nmethods = 7
	split("1 44 49 55 91 234 27 62 52 33 39 7 86 971", cc, " "); ncc = 14
	split("text image document audio video template interactive location sticker reaction", mtypes, " "); nmtypes = 10
	split("sent delivered read failed", mstatus, " "); nmstatus = 4
	split("web router auth media webhook queue db stats", comps, " "); ncomps = 8
	split("curl/7.88.1 python-requests/2.31.0 Go-http-client/1.1 okhttp/4.12.0 axios/1.6.2 Apache-HttpClient/4.5.14 node-fetch/1.0", agents, " "); nagents = 7
	split("connection reset by peer|upstream timed out after 30000 ms|invalid access token|rate limit exceeded for wa_id|media upload failed: 413 payload too large|webhook callback returned 502|database deadlock detected, retrying|certificate verification failed", errs, "|"); nerrs = 8
	split("admin ops-bot deploy monitor support api-client", users, " "); nusers = 6
	split("login logout token.refresh settings.update webhook.update user.create user.delete password.change media.delete", actions, " "); nactions = 9
	NPOOL = 3000
	for (i = 1; i <= NPOOL; i++) pool_wa[i] = pick(cc, ncc) rint(100000000, 999999999)
	for (i = 1; i <= 64; i++) pool_sess[i] = hex(24)
	hour = 1; min = 0; sec = 0; ms = 0; reqid = rint(100000, 900000)
	while (total < limit) {
		tick(); reqid += rint(1, 3)
		p = pick(paths, npaths); st = status(); lat = int(rand() * rand() * 900) + 1
		if (kind == "web") {
			lv = level(); c = pick(comps, ncomps)
			if (p == "/v1/messages" && rand() < 0.6)
				emit(sprintf("%s %s [%s] message id=%d to=%s type=%s wamid=%s status=%s ms=%d", stamp(), lv, c, reqid, waid(), pick(mtypes, nmtypes), wamid(), pick(mstatus, nmstatus), lat))
			else
				emit(sprintf("%s %s [%s] request id=%d method=%s path=%s status=%d ms=%d wa_id=%s bytes=%d", stamp(), lv, c, reqid, pick(methods, nmethods), p, st, lat, waid(), rint(80, 60000)))
		} else if (kind == "access") {
			emit(sprintf("%s - - [%s] \"%s %s HTTP/1.1\" %d %d \"-\" \"%s\" rt=%d.%03d req=%s", ip(), clf(), pick(methods, nmethods), p, st, rint(60, 90000), pick(agents, nagents), int(lat / 1000), lat % 1000, hex(16)))
		} else if (kind == "error") {
			lv = rand() < 0.7 ? "WARN" : "ERROR"
			emit(sprintf("%s %s [%s] request id=%d path=%s wa_id=%s: %s", stamp(), lv, pick(comps, ncomps), reqid, p, waid(), pick(errs, nerrs)))
			if (lv == "ERROR" && rand() < 0.5) {
				n = rint(3, 8)
				for (i = 0; i < n; i++)
					emit(sprintf("    at %s.%s (/opt/whatsapp/lib/%s.js:%d:%d)", pick(comps, ncomps), pick(actions, nactions), pick(comps, ncomps), rint(10, 2400), rint(1, 80)))
			}
		} else if (kind == "requests") {
			emit(sprintf("{\"ts\":\"%s\",\"id\":%d,\"method\":\"%s\",\"path\":\"%s\",\"status\":%d,\"ms\":%d,\"wa_id\":\"%s\",\"remote\":\"%s\",\"trace\":\"%s\",\"bytes_in\":%d,\"bytes_out\":%d}", stamp(), reqid, pick(methods, nmethods), p, st, lat, waid(), ip(), hex(32), rint(0, 4000), rint(40, 60000)))
		} else {
			emit(sprintf("%s AUDIT user=%s action=%s result=%s src=%s session=%s target=%s", stamp(), pick(users, nusers), pick(actions, nactions), st < 400 ? "ok" : "denied", ip(), pool_sess[rint(1, 64)], rand() < 0.5 ? waid() : pick(paths, npaths)))
		}
	}
}'
