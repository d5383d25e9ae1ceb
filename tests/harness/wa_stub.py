#!/usr/bin/env python3
"""A stub of the WhatsApp Business API client's REST API, for rotd's tests.

Only the calls rotd makes (the real client cannot run in the test environment):
  POST /v1/users/login          Basic auth -> {"users":[{"token","expires_after"}]}
  PUT  /v1/services/message/gc  Bearer token -> {"meta":{...}}
  PUT  /v1/services/media/gc    Bearer token -> {"meta":{...}}
expires_after reads like "2026-11-29 10:00:00+00:00" (--expiry-offset changes
the offset, not the instant). --fail-gc CODE makes both gc calls answer CODE.
Errors follow the API's shape: {"errors":[{"code","title","details"}],"meta":{...}}.

Listens on 127.0.0.1; prints the chosen port as its first stdout line. Every
request is appended to --record FILE as one JSON line: method, path,
authorization (the raw header, or null) and body.
"""

import argparse
import base64
import datetime
import http.server
import json
import secrets
import sys
import time

META = {"api_status": "stable", "version": "2.51.3"}


def make_handler(opts, tokens):
    expected_basic = "Basic " + base64.b64encode(
        ("%s:%s" % (opts.user, opts.password)).encode()).decode()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "wa-stub/1"

        def log_message(self, fmt, *args):  # keep stderr quiet
            pass

        def _record(self, body):
            if not opts.record:
                return
            line = json.dumps({
                "method": self.command,
                "path": self.path,
                "authorization": self.headers.get("Authorization"),
                "body": body.decode("utf-8", "replace"),
            })
            with open(opts.record, "a", encoding="utf-8") as f:
                f.write(line + "\n")

        def _send(self, status, obj):
            data = json.dumps(obj).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _error(self, status, code, title, details):
            self._send(status, {"errors": [{"code": code, "title": title,
                                            "details": details}],
                                "meta": META})

        def _body(self):
            n = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(n) if n > 0 else b""

        def _handle(self):
            body = self._body()
            self._record(body)
            if self.path == "/v1/users/login":
                if self.command != "POST":
                    return self._error(405, 1002, "Method not allowed",
                                       "Use POST.")
                if body.strip() not in (b"", b"{}"):
                    try:
                        json.loads(body)
                    except ValueError:
                        return self._error(400, 1000, "Bad request",
                                           "Malformed JSON body.")
                if self.headers.get("Authorization") != expected_basic:
                    return self._error(401, 1005, "Access denied",
                                       "Invalid credentials.")
                token = secrets.token_urlsafe(24)
                expires = time.time() + opts.token_ttl
                tokens[token] = expires
                tz = datetime.timezone(
                    datetime.timedelta(minutes=opts.expiry_offset))
                stamp = datetime.datetime.fromtimestamp(
                    int(expires), tz).isoformat(sep=" ")
                return self._send(200, {"users": [{"token": token,
                                                   "expires_after": stamp}],
                                        "meta": META})
            if self.path in ("/v1/services/message/gc",
                             "/v1/services/media/gc"):
                if self.command != "PUT":
                    return self._error(405, 1002, "Method not allowed",
                                       "Use PUT.")
                auth = self.headers.get("Authorization") or ""
                if not auth.startswith("Bearer "):
                    return self._error(401, 1005, "Access denied",
                                       "Missing bearer token.")
                exp = tokens.get(auth[len("Bearer "):])
                if exp is None:
                    return self._error(401, 1005, "Access denied",
                                       "Invalid token.")
                if exp <= time.time():
                    return self._error(401, 1005, "Access denied",
                                       "Token expired.")
                if opts.fail_gc:
                    return self._error(opts.fail_gc, 1014, "Internal error",
                                       "Garbage collection failed.")
                return self._send(200, {"meta": META})
            return self._error(404, 1006, "Resource not found",
                               "Unknown path %s." % self.path)

        do_GET = do_POST = do_PUT = do_DELETE = _handle

    return Handler


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--record", default=None)
    ap.add_argument("--user", default="admin")
    ap.add_argument("--password", default="secret")
    ap.add_argument("--token-ttl", type=int, default=7 * 24 * 3600)
    ap.add_argument("--expiry-offset", type=int, default=0,
                    metavar="MINUTES",
                    help="UTC offset used to write expires_after")
    ap.add_argument("--fail-gc", type=int, default=0, metavar="CODE")
    opts = ap.parse_args()

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", opts.port), make_handler(opts, {}))
    server.daemon_threads = True
    sys.stdout.write("%d\n" % server.server_address[1])
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
