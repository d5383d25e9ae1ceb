/* The HTTP server, through real requests with libcurl. */
#include "autoconf.h"

#include <curl/curl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/httpd.h"
#include "unit.h"
#include "unit_http.h"
#include "lib/xalloc.h"

#define MAX_BODY 64

static atomic_int calls;
static atomic_int broken;     /* the handler saw a bad request; Check cannot fail from its thread */

/* Answers "METHOD PATH auth=AUTH type=TYPE peer=PEER len=N\nBODY"; /teapot gets 418
 * as JSON; /nobody an empty 204; /zero leaves the status 0. */
// cppcheck-suppress constParameter ; it is an httpd_handler
static void handler(const struct httpd_request *req, struct httpd_response *res, void *arg)
{
	char *head;

	atomic_fetch_add(&calls, 1);
	if (arg != &calls || req->body == NULL || req->body[req->body_len] != '\0' || req->method == NULL ||
	    req->path == NULL || req->peer == NULL)
		atomic_fetch_add(&broken, 1);
	if (strcmp(req->path, "/nobody") == 0) {
		res->status = 204;
		return;
	}
	if (strcmp(req->path, "/zero") == 0)
		return;
	head = xasprintf("%s %s auth=%s type=%s peer=%s len=%zu\n", req->method, req->path,
			 req->authorization ? req->authorization : "-", req->content_type ? req->content_type : "-",
			 req->peer, req->body_len);
	res->status = strcmp(req->path, "/teapot") == 0 ? 418 : 200;
	if (res->status == 418)
		res->content_type = "application/json";
	res->body = xasprintf("%s%s", head, req->body);
	free(head);
}

static struct httpd *start(void)
{
	char *err = NULL;
	struct httpd *h = httpd_start("127.0.0.1:0", MAX_BODY, handler, &calls, &err);

	ck_assert_msg(h != NULL, "httpd_start: %s", err ? err : "?");
	ck_assert_ptr_null(err);
	ck_assert_uint_gt(httpd_port(h), 0);
	atomic_store(&calls, 0);
	atomic_store(&broken, 0);
	return h;
}

START_TEST(get_with_body_back)
{
	struct httpd *h = start();
	struct unit_reply r;

	ck_assert_int_eq(unit_http_request(httpd_port(h), NULL, "/metrics?x=1", NULL, 0, NULL, &r), CURLE_OK);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.body, "GET /metrics auth=- type=- peer=127.0.0.1 len=0\n");
	ck_assert_str_eq(r.content_type, "text/plain; charset=utf-8");
	unit_reply_free(&r);

	ck_assert_int_eq(unit_http_request(httpd_port(h), NULL, "/teapot", NULL, 0, NULL, &r), CURLE_OK);
	ck_assert_int_eq(r.status, 418);
	ck_assert_str_eq(r.content_type, "application/json");
	unit_reply_free(&r);

	ck_assert_int_eq(unit_http_request(httpd_port(h), NULL, "/nobody", NULL, 0, NULL, &r), CURLE_OK);
	ck_assert_int_eq(r.status, 204);
	ck_assert_uint_eq(r.len, 0);
	unit_reply_free(&r);

	ck_assert_int_eq(unit_http_request(httpd_port(h), NULL, "/zero", NULL, 0, NULL, &r), CURLE_OK);
	ck_assert_int_eq(r.status, 500);
	unit_reply_free(&r);
	ck_assert_int_eq(atomic_load(&calls), 4);
	httpd_stop(h);
}
END_TEST

START_TEST(post_is_echoed_with_headers)
{
	static const char *const hdrs[] = { "Authorization: Bearer s3cret", "Content-Type: application/json",
					    NULL };
	static const char body[] = "{\"a\":1}\0tail";
	struct httpd *h = start();
	char big[MAX_BODY + 1];
	struct unit_reply r;
	char *want;

	ck_assert_int_eq(unit_http_request(httpd_port(h), NULL, "/hook", body, sizeof(body) - 1, hdrs, &r), CURLE_OK);
	ck_assert_int_eq(r.status, 200);
	want = xasprintf("POST /hook auth=Bearer s3cret type=application/json peer=127.0.0.1 len=%zu\n{\"a\":1}",
			 sizeof(body) - 1);
	ck_assert_str_eq(r.body, want);
	free(want);
	unit_reply_free(&r);

	/* exactly max_body is accepted */
	memset(big, 'x', MAX_BODY);
	big[MAX_BODY] = '\0';
	ck_assert_int_eq(unit_http_request(httpd_port(h), NULL, "/big", big, MAX_BODY, NULL, &r), CURLE_OK);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(r.body, "len=64\nxxxx"));
	unit_reply_free(&r);
	ck_assert_int_eq(atomic_load(&calls), 2);
	httpd_stop(h);
}
END_TEST

START_TEST(body_over_max_gets_413)
{
	static const char *const expect[] = { "Expect: 100-continue", NULL };
	static const char *const chunked[] = { "Transfer-Encoding: chunked", NULL };
	size_t sizes[] = { MAX_BODY + 1, 100000, 3 * 1024 * 1024 };
	struct httpd *h = start();
	char *big = xmalloc(3 * 1024 * 1024);
	struct unit_reply r;

	memset(big, 'y', 3 * 1024 * 1024);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		ck_assert_int_eq(unit_http_request(httpd_port(h), NULL, "/up", big, sizes[i], NULL, &r), CURLE_OK);
		ck_assert_msg(r.status == 413, "size %zu: status %ld", sizes[i], r.status);
		unit_reply_free(&r);
	}
	ck_assert_int_eq(unit_http_request(httpd_port(h), NULL, "/up", big, 1000, expect, &r), CURLE_OK);
	ck_assert_int_eq(r.status, 413);
	unit_reply_free(&r);
	/* no Content-Length: found out while reading */
	ck_assert_int_eq(unit_http_request(httpd_port(h), NULL, "/up", big, 1000, chunked, &r), CURLE_OK);
	ck_assert_int_eq(r.status, 413);
	unit_reply_free(&r);
	ck_assert_int_eq(atomic_load(&calls), 0);

	/* the server still works */
	ck_assert_int_eq(unit_http_request(httpd_port(h), NULL, "/ok", "hi", 2, chunked, &r), CURLE_OK);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(r.body, "len=2\nhi"));
	unit_reply_free(&r);
	ck_assert_int_eq(atomic_load(&calls), 1);
	free(big);
	httpd_stop(h);
}
END_TEST

START_TEST(bad_listen_fails_with_a_message)
{
	static const char *const bad[] = { "nonsense", "127.0.0.1", "127.0.0.1:99999", "[::1", "example.com:80",
					   "300.1.1.1:80" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *err = NULL;
		struct httpd *h = httpd_start(bad[i], MAX_BODY, handler, &calls, &err);

		ck_assert_msg(h == NULL, "%s accepted", bad[i]);
		ck_assert_ptr_nonnull(err);
		ck_assert_msg(strstr(err, bad[i]) != NULL, "%s: %s", bad[i], err);
		ck_assert_ptr_null(strchr(err, '\n'));
		free(err);
	}
}
END_TEST

START_TEST(address_in_use_fails)
{
	struct httpd *h = start(), *h2;
	char *listen = xasprintf("127.0.0.1:%u", httpd_port(h)), *err = NULL;

	h2 = httpd_start(listen, MAX_BODY, handler, &calls, &err);
	ck_assert_ptr_null(h2);
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(strstr(err, listen) != NULL && strstr(err, "in use") != NULL, "%s", err);
	ck_assert_ptr_null(strchr(err, '\n'));
	free(err);
	free(listen);
	httpd_stop(h);
}
END_TEST

START_TEST(ipv6_loopback)
{
	char *err = NULL;
	struct httpd *h = httpd_start("[::1]:0", MAX_BODY, handler, &calls, &err);
	struct unit_reply r;
	char *url;

	if (h == NULL) {
		/* a host without IPv6 (some containers): nothing to test */
		ck_assert_ptr_nonnull(err);
		free(err);
		return;
	}
	url = xasprintf("http://[::1]:%u/six", httpd_port(h));
	ck_assert_int_eq(unit_http_request_url(url, NULL, NULL, 0, NULL, &r), CURLE_OK);
	ck_assert_ptr_nonnull(strstr(r.body, "GET /six auth=- type=- peer=::1 len=0"));
	unit_reply_free(&r);
	free(url);
	httpd_stop(h);
}
END_TEST

START_TEST(stop_is_clean)
{
	struct httpd *h = start();
	unsigned port = httpd_port(h);
	struct unit_reply r;

	/* a keep-alive connection left open by curl's handle is closed by stop */
	ck_assert_int_eq(unit_http_request(port, NULL, "/a", NULL, 0, NULL, &r), CURLE_OK);
	unit_reply_free(&r);
	httpd_stop(h);
	httpd_stop(NULL);
	ck_assert_int_ne(unit_http_request(port, NULL, "/a", NULL, 0, NULL, &r), CURLE_OK);
	unit_reply_free(&r);
}
END_TEST

static void check_handler(void)
{
	ck_assert_int_eq(atomic_load(&broken), 0);
}

static void curl_setup(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void curl_teardown(void)
{
	curl_global_cleanup();
}

Suite *unit_suite(void)
{
	Suite *s = suite_create("httpd");
	TCase *tc = tcase_create("httpd");

	tcase_add_unchecked_fixture(tc, curl_setup, curl_teardown);
	tcase_add_checked_fixture(tc, NULL, check_handler);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, get_with_body_back);
	tcase_add_test(tc, post_is_echoed_with_headers);
	tcase_add_test(tc, body_over_max_gets_413);
	tcase_add_test(tc, bad_listen_fails_with_a_message);
	tcase_add_test(tc, address_in_use_fails);
	tcase_add_test(tc, ipv6_loopback);
	tcase_add_test(tc, stop_is_clean);
	suite_add_tcase(s, tc);
	return s;
}
