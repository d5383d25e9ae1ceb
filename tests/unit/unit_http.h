/* A small libcurl client for the unit tests that talk to the HTTP server. The
 * caller runs curl_global_init() first (the tests do it in an unchecked fixture). */
#ifndef ROTD_TESTS_UNIT_HTTP_H
#define ROTD_TESTS_UNIT_HTTP_H

#include <curl/curl.h>
#include <stddef.h>

/* What came back. After a request body is never NULL: it holds the len bytes
 * received plus a NUL ("" when none came, also when the request failed).
 * content_type is NULL when the reply had none; status is 0 when no reply came. */
struct unit_reply {
	long status;
	char *body;
	size_t len;
	char *content_type;
};

/* Makes one request to url and returns curl's code; r is filled in either way and
 * must be freed with unit_reply_free(). method NULL means GET, or POST when body is
 * not NULL; otherwise it is sent as given (not "HEAD": curl would wait for a body).
 * body is body_len bytes and may hold NULs. headers is a NULL-terminated list of
 * "Name: value" lines, or NULL; they are sent as given, so curl adds its own
 * "Content-Type: application/x-www-form-urlencoded" to a POST unless they hold
 * one ("Content-Type:" sends none). Gives up after 20 s. Aborts the test when curl
 * cannot start. */
CURLcode unit_http_request_url(const char *url, const char *method, const char *body, size_t body_len,
			       const char *const *headers, struct unit_reply *r);

/* unit_http_request_url() on http://127.0.0.1:PORT followed by path ("/..."). */
CURLcode unit_http_request(unsigned port, const char *method, const char *path, const char *body, size_t body_len,
			   const char *const *headers, struct unit_reply *r);

/* Frees what r holds and zeroes it; r may then be reused. */
void unit_reply_free(struct unit_reply *r);

#endif
