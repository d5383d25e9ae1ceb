/* The HTTP server, through real requests with libcurl. */
#include "autoconf.h"

#include <curl/curl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "httpd.h"
#include "unit.h"
#include "xalloc.h"

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

struct reply {
	long status;
	char *body;
	size_t len;
	char *type;
};

static size_t on_data(char *data, size_t size, size_t n, void *arg)
{
	struct reply *r = arg;

	r->body = xreallocarray(r->body, r->len + size * n + 1, 1);
	memcpy(r->body + r->len, data, size * n);
	r->len += size * n;
	r->body[r->len] = '\0';
	return size * n;
}

/* Makes one request; body NULL means GET. Returns curl's code. */
static CURLcode request(unsigned port, const char *path, const char *body, size_t body_len,
			const char *const *headers, struct reply *r)
{
	struct curl_slist *hl = NULL;
	char *url = xasprintf("http://127.0.0.1:%u%s", port, path);
	CURL *c = curl_easy_init();
	CURLcode rc;
	char *ct = NULL;

	ck_assert_ptr_nonnull(c);
	memset(r, 0, sizeof(*r));
	r->body = xstrdup("");
	for (size_t i = 0; headers && headers[i]; i++)
		hl = curl_slist_append(hl, headers[i]);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
	}
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
	r->type = xstrdup(ct);
	curl_easy_cleanup(c);
	curl_slist_free_all(hl);
	free(url);
	return rc;
}

static void reply_free(struct reply *r)
{
	free(r->body);
	free(r->type);
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
	struct reply r;

	ck_assert_int_eq(request(httpd_port(h), "/metrics?x=1", NULL, 0, NULL, &r), CURLE_OK);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.body, "GET /metrics auth=- type=- peer=127.0.0.1 len=0\n");
	ck_assert_str_eq(r.type, "text/plain; charset=utf-8");
	reply_free(&r);

	ck_assert_int_eq(request(httpd_port(h), "/teapot", NULL, 0, NULL, &r), CURLE_OK);
	ck_assert_int_eq(r.status, 418);
	ck_assert_str_eq(r.type, "application/json");
	reply_free(&r);

	ck_assert_int_eq(request(httpd_port(h), "/nobody", NULL, 0, NULL, &r), CURLE_OK);
	ck_assert_int_eq(r.status, 204);
	ck_assert_uint_eq(r.len, 0);
	reply_free(&r);

	ck_assert_int_eq(request(httpd_port(h), "/zero", NULL, 0, NULL, &r), CURLE_OK);
	ck_assert_int_eq(r.status, 500);
	reply_free(&r);
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
	struct reply r;
	char *want;

	ck_assert_int_eq(request(httpd_port(h), "/hook", body, sizeof(body) - 1, hdrs, &r), CURLE_OK);
	ck_assert_int_eq(r.status, 200);
	want = xasprintf("POST /hook auth=Bearer s3cret type=application/json peer=127.0.0.1 len=%zu\n{\"a\":1}",
			 sizeof(body) - 1);
	ck_assert_str_eq(r.body, want);
	free(want);
	reply_free(&r);

	/* exactly max_body is accepted */
	memset(big, 'x', MAX_BODY);
	big[MAX_BODY] = '\0';
	ck_assert_int_eq(request(httpd_port(h), "/big", big, MAX_BODY, NULL, &r), CURLE_OK);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(r.body, "len=64\nxxxx"));
	reply_free(&r);
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
	struct reply r;

	memset(big, 'y', 3 * 1024 * 1024);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		ck_assert_int_eq(request(httpd_port(h), "/up", big, sizes[i], NULL, &r), CURLE_OK);
		ck_assert_msg(r.status == 413, "size %zu: status %ld", sizes[i], r.status);
		reply_free(&r);
	}
	ck_assert_int_eq(request(httpd_port(h), "/up", big, 1000, expect, &r), CURLE_OK);
	ck_assert_int_eq(r.status, 413);
	reply_free(&r);
	/* no Content-Length: found out while reading */
	ck_assert_int_eq(request(httpd_port(h), "/up", big, 1000, chunked, &r), CURLE_OK);
	ck_assert_int_eq(r.status, 413);
	reply_free(&r);
	ck_assert_int_eq(atomic_load(&calls), 0);

	/* the server still works */
	ck_assert_int_eq(request(httpd_port(h), "/ok", "hi", 2, chunked, &r), CURLE_OK);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(r.body, "len=2\nhi"));
	reply_free(&r);
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
	struct reply r;
	char *url;
	CURL *c;

	if (h == NULL) {
		/* a host without IPv6 (some containers): nothing to test */
		ck_assert_ptr_nonnull(err);
		free(err);
		return;
	}
	url = xasprintf("http://[::1]:%u/six", httpd_port(h));
	c = curl_easy_init();
	memset(&r, 0, sizeof(r));
	r.body = xstrdup("");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	ck_assert_int_eq(curl_easy_perform(c), CURLE_OK);
	ck_assert_ptr_nonnull(strstr(r.body, "GET /six auth=- type=- peer=::1 len=0"));
	curl_easy_cleanup(c);
	free(r.body);
	free(url);
	httpd_stop(h);
}
END_TEST

START_TEST(stop_is_clean)
{
	struct httpd *h = start();
	unsigned port = httpd_port(h);
	struct reply r;

	/* a keep-alive connection left open by curl's handle is closed by stop */
	ck_assert_int_eq(request(port, "/a", NULL, 0, NULL, &r), CURLE_OK);
	reply_free(&r);
	httpd_stop(h);
	httpd_stop(NULL);
	ck_assert_int_ne(request(port, "/a", NULL, 0, NULL, &r), CURLE_OK);
	reply_free(&r);
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
