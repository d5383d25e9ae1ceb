/* httpd: a small HTTP/1.1 server (libmicrohttpd) for rotd's own endpoints, such
 * as /metrics. It serves from its own thread and hands every complete request to
 * one handler. Listening on anything but loopback is the caller's choice. */
#ifndef ROTD_HTTPD_H
#define ROTD_HTTPD_H

#include <stddef.h>

struct httpd_request {
	const char *method;          /* "GET", "POST", ... */
	const char *path;            /* the URL path, without the query string */
	const char *authorization;   /* the Authorization header, or NULL */
	const char *content_type;    /* the Content-Type header, or NULL */
	const char *body;            /* the whole body, NUL-terminated (may hold NULs); "" if none */
	size_t body_len;
	const char *peer;            /* the client's address, "127.0.0.1" */
};

struct httpd_response {
	int status;                  /* HTTP status; 0 is taken as 500 */
	const char *content_type;    /* borrowed static string; NULL: "text/plain; charset=utf-8" */
	char *body;                  /* new string the server frees, or NULL for an empty body */
	const char *allow;           /* borrowed static string for an Allow header (with 405), or NULL */
};

/* Fills *res for req. Called from the server's thread: it must be thread-safe. */
typedef void (*httpd_handler)(const struct httpd_request *req, struct httpd_response *res, void *arg);

struct httpd;

/* Starts serving on listen ("ADDR:PORT" as units_parse_listen reads it; port 0
 * picks a free port) and calls
 * handler for each request whose body is at most max_body bytes; larger bodies
 * get 413 without calling it (a body sent without waiting for "100 Continue" is
 * read and dropped, up to 1 MiB over the limit, so the client sees the 413), and
 * connections idle for 10 s are closed. At most 16 connections at a time.
 * Returns the server, or NULL with *err set to a new one-line message (bad
 * address, port in use). */
struct httpd *httpd_start(const char *listen, size_t max_body, httpd_handler handler, void *arg, char **err);

/* The port actually bound (useful with port 0). */
unsigned httpd_port(const struct httpd *h);

/* Stops serving, waits for the handler calls in flight, frees h; NULL is allowed. */
void httpd_stop(struct httpd *h);

#endif
