/* The Alertmanager receiver, through the real HTTP server and libcurl. */
#include "autoconf.h"

#include <curl/curl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/httpd.h"
#include "unit.h"
#include "unit_http.h"
#include "remedy/webhook.h"
#include "lib/xalloc.h"

#define TOKEN "s3cret-t0ken"
#define AUTH "Authorization: Bearer " TOKEN
#define JSON "Content-Type: application/json"

/* A stand-in for the daemon: one pass may be pending; while it is, requests
 * join it. triggered counts the requests that asked for a pass (new or
 * joined), queued the new passes, coalesced those that joined. */
static atomic_int triggered, queued, coalesced, pending;
static atomic_size_t last_alerts;
static char last_why[256];

static enum webhook_verdict on_trigger(const char *why, size_t alerts, int may_start, void *arg)
{
	atomic_int *n = arg;

	atomic_store(&last_alerts, alerts);
	if (atomic_load(&pending)) {
		atomic_fetch_add(n, 1);
		atomic_fetch_add(&coalesced, 1);
		return WEBHOOK_COALESCED;
	}
	if (!may_start)
		return WEBHOOK_REFUSED;
	snprintf(last_why, sizeof(last_why), "%s", why);
	atomic_fetch_add(n, 1);
	atomic_fetch_add(&queued, 1);
	atomic_store(&pending, 1);
	return WEBHOOK_QUEUED;
}

/* The daemon's loop takes the pending pass. */
static void pass_starts(void)
{
	atomic_store(&pending, 0);
}

static void handler(const struct httpd_request *req, struct httpd_response *res, void *arg)
{
	webhook_handle(arg, req, res);
}

struct server {
	struct webhook *w;
	struct httpd *h;
	struct strlist alerts, hosts;
};

static void start(struct server *s, unsigned rate)
{
	struct webhook_config c;
	char *err = NULL;

	memset(s, 0, sizeof(*s));
	strlist_add(&s->alerts, "HostOutOf*Space");
	strlist_add(&s->alerts, "RotdDiskFull");
	strlist_add(&s->hosts, "db1.example.com");
	c.token = TOKEN;
	c.alert_names = &s->alerts;
	c.host_names = &s->hosts;
	c.rate_per_minute = rate;
	s->w = webhook_new(&c, on_trigger, &triggered);
	/* the webhook keeps copies */
	strlist_free(&s->alerts);
	strlist_free(&s->hosts);
	s->h = httpd_start("127.0.0.1:0", 1024 * 1024, handler, s->w, &err);
	ck_assert_msg(s->h != NULL, "httpd_start: %s", err ? err : "?");
	atomic_store(&triggered, 0);
	atomic_store(&queued, 0);
	atomic_store(&coalesced, 0);
	atomic_store(&pending, 0);
	atomic_store(&last_alerts, 0);
	last_why[0] = '\0';
}

static void stop(struct server *s)
{
	httpd_stop(s->h);
	webhook_free(s->w);
}

static int is_type(const char *header)
{
	return header != NULL && strncmp(header, "Content-Type:", 13) == 0;
}

/* Makes one request, which must get a reply; body NULL means GET. Two header lines
 * at most (either may be NULL). */
static void request(const struct server *s, const char *path, const char *body, const char *h1, const char *h2,
		    struct unit_reply *r)
{
	size_t len = body != NULL ? strlen(body) : 0, n = 0;
	const char *headers[4];

	if (h1 != NULL)
		headers[n++] = h1;
	if (h2 != NULL)
		headers[n++] = h2;
	/* curl adds its own form Content-Type to a POST unless told otherwise */
	if (!is_type(h1) && !is_type(h2))
		headers[n++] = "Content-Type:";
	headers[n] = NULL;
	ck_assert_int_eq(unit_http_request(httpd_port(s->h), NULL, path, body, len, headers, r), CURLE_OK);
}

/* A version 4 payload with one alert. */
static char *payload(const char *status, const char *name, const char *instance)
{
	return xasprintf("{\"receiver\":\"rotd\",\"status\":\"%s\",\"alerts\":[{\"status\":\"%s\",\"labels\":"
			 "{\"alertname\":\"%s\",\"instance\":\"%s\",\"severity\":\"critical\"},\"annotations\":"
			 "{\"summary\":\"disk full\"},\"startsAt\":\"2024-05-02T10:14:05Z\",\"endsAt\":"
			 "\"0001-01-01T00:00:00Z\",\"fingerprint\":\"0123456789abcdef\"}],\"groupLabels\":"
			 "{\"alertname\":\"%s\"},\"commonLabels\":{},\"commonAnnotations\":{},\"externalURL\":"
			 "\"http://alertmanager:9093\",\"version\":\"4\",\"groupKey\":\"{}\",\"truncatedAlerts\":0}",
			 status, status, name, instance, name);
}

/* Posts body with the token and a JSON type; expects status and, when want is
 * not NULL, that the body holds it. */
static void post(const struct server *s, const char *body, long status, const char *want)
{
	struct unit_reply r;

	request(s, "/alerts", body, AUTH, JSON, &r);
	ck_assert_msg(r.status == status, "status %ld, want %ld: %s", r.status, status, r.body);
	ck_assert_str_eq(r.content_type, "application/json");
	if (want != NULL)
		ck_assert_msg(strstr(r.body, want) != NULL, "body %s lacks %s", r.body, want);
	unit_reply_free(&r);
}

START_TEST(matching_alert_triggers_once)
{
	static const char two[] =
		"{\"status\":\"firing\",\"alerts\":["
		"{\"status\":\"firing\",\"labels\":{\"alertname\":\"HostOutOfDiskSpace\",\"instance\":\"db1:9100\"}},"
		"{\"status\":\"firing\",\"labels\":{\"alertname\":\"RotdDiskFull\",\"host\":\"DB1.example.com\"}},"
		"{\"status\":\"firing\",\"labels\":{\"alertname\":\"Watchdog\"}},"
		"{\"status\":\"resolved\",\"labels\":{\"alertname\":\"RotdDiskFull\",\"host\":\"db1\"}}]}";
	struct server s;
	char *p;

	start(&s, 100);
	p = payload("firing", "HostOutOfDiskSpace", "db1.example.com:9100");
	post(&s, p, 200, "{\"triggered\":true,\"matched\":1,\"ignored\":0,\"resolved\":0,\"coalesced\":false}");
	free(p);
	ck_assert_int_eq(atomic_load(&triggered), 1);
	ck_assert_uint_eq(atomic_load(&last_alerts), 1);
	ck_assert_str_eq(last_why, "alert HostOutOfDiskSpace for db1.example.com:9100");
	pass_starts();

	/* several matching alerts in one request: still one trigger, told how many */
	post(&s, two, 200, "{\"triggered\":true,\"matched\":2,\"ignored\":1,\"resolved\":1,\"coalesced\":false}");
	ck_assert_int_eq(atomic_load(&triggered), 2);
	ck_assert_uint_eq(atomic_load(&last_alerts), 2);
	ck_assert_str_eq(last_why, "alert HostOutOfDiskSpace for db1:9100");

	/* while that pass is pending, another request joins it */
	post(&s, two, 200, "{\"triggered\":true,\"matched\":2,\"ignored\":1,\"resolved\":1,\"coalesced\":true}");
	ck_assert_int_eq(atomic_load(&queued), 2);
	ck_assert_int_eq(atomic_load(&coalesced), 1);
	stop(&s);
}
END_TEST

START_TEST(other_alerts_do_not_trigger)
{
	struct server s;
	char *p;

	start(&s, 100);
	p = payload("firing", "HostHighCpuLoad", "db1:9100");
	post(&s, p, 200, "{\"triggered\":false,\"matched\":0,\"ignored\":1,\"resolved\":0,\"coalesced\":false}");
	free(p);
	p = payload("firing", "HostOutOfDiskSpace", "db10:9100");
	post(&s, p, 200, "\"triggered\":false");
	free(p);
	p = payload("firing", "HostOutOfDiskSpace", "web1.example.com:9100");
	post(&s, p, 200, "\"triggered\":false");
	free(p);
	p = payload("resolved", "HostOutOfDiskSpace", "db1:9100");
	post(&s, p, 200, "{\"triggered\":false,\"matched\":0,\"ignored\":0,\"resolved\":1,\"coalesced\":false}");
	free(p);
	post(&s, "{\"status\":\"firing\",\"alerts\":[]}", 200, "{\"triggered\":false,\"matched\":0");
	ck_assert_int_eq(atomic_load(&triggered), 0);
	stop(&s);
}
END_TEST

START_TEST(bad_token_is_401)
{
	static const char *const bad[] = { NULL, "Authorization: Bearer wrong", "Authorization: Bearer " TOKEN "x",
					   "Authorization: Bearer s3cret-t0ke", "Authorization: Basic " TOKEN,
					   "Authorization: Bearer", "Authorization: " TOKEN };
	struct server s;
	struct unit_reply r;
	char *p;

	start(&s, 100);
	p = payload("firing", "HostOutOfDiskSpace", "db1:9100");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		request(&s, "/alerts", p, JSON, bad[i], &r);
		ck_assert_msg(r.status == 401, "%s: status %ld", bad[i] ? bad[i] : "no token", r.status);
		ck_assert_ptr_nonnull(strstr(r.body, "\"error\""));
		unit_reply_free(&r);
	}
	ck_assert_int_eq(atomic_load(&triggered), 0);
	/* the scheme's case does not matter */
	request(&s, "/alerts", p, JSON, "Authorization: bearer " TOKEN, &r);
	ck_assert_int_eq(r.status, 200);
	unit_reply_free(&r);
	ck_assert_int_eq(atomic_load(&triggered), 1);
	free(p);
	stop(&s);
}
END_TEST

START_TEST(malformed_json_is_400)
{
	static const char *const bad[] = { "", "{", "not json", "[]", "{\"status\":\"firing\"}",
					   "{\"status\":\"firing\",\"alerts\":[{\"labels\":{}}]}" };
	struct server s;

	start(&s, 100);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		post(&s, bad[i], 400, "{\"error\":\"bad payload: ");
	post(&s, "{\"status\":\"firing\",\"alerts\":{}}", 400,
	     "{\"error\":\"bad payload: \\\"alerts\\\" is missing or not an array\"}");
	post(&s, "\x01\xff\n", 400, "not JSON");
	ck_assert_int_eq(atomic_load(&triggered), 0);
	stop(&s);
}
END_TEST

START_TEST(content_type)
{
	static const char *const bad[] = { NULL, "Content-Type: text/plain", "Content-Type: application/jsonx",
					   "Content-Type: application/x-www-form-urlencoded",
					   "Content-Type: application/json-seq" };
	static const char *const good[] = { "Content-Type: Application/JSON", "Content-Type: application/json; charset=utf-8",
					    "Content-Type: application/json ;charset=UTF-8" };
	struct server s;
	struct unit_reply r;
	char *p;

	start(&s, 100);
	p = payload("firing", "HostOutOfDiskSpace", "db1:9100");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		request(&s, "/alerts", p, AUTH, bad[i], &r);
		ck_assert_msg(r.status == 415, "%s: status %ld", bad[i] ? bad[i] : "no type", r.status);
		unit_reply_free(&r);
	}
	ck_assert_int_eq(atomic_load(&triggered), 0);
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		request(&s, "/alerts", p, AUTH, good[i], &r);
		ck_assert_msg(r.status == 200, "%s: status %ld", good[i], r.status);
		unit_reply_free(&r);
	}
	ck_assert_int_eq(atomic_load(&triggered), 3);
	free(p);
	stop(&s);
}
END_TEST

START_TEST(method_and_path)
{
	struct server s;
	struct unit_reply r;
	char *p;

	start(&s, 100);
	p = payload("firing", "HostOutOfDiskSpace", "db1:9100");
	request(&s, "/alerts", NULL, AUTH, NULL, &r);
	ck_assert_int_eq(r.status, 405);
	unit_reply_free(&r);
	/* the path is checked first, even without a token */
	request(&s, "/other", p, JSON, NULL, &r);
	ck_assert_int_eq(r.status, 404);
	unit_reply_free(&r);
	request(&s, "/alerts/", p, AUTH, JSON, &r);
	ck_assert_int_eq(r.status, 404);
	unit_reply_free(&r);
	request(&s, "/", NULL, NULL, NULL, &r);
	ck_assert_int_eq(r.status, 404);
	unit_reply_free(&r);
	/* a query string is no part of the path */
	request(&s, "/alerts?x=1", p, AUTH, JSON, &r);
	ck_assert_int_eq(r.status, 200);
	unit_reply_free(&r);
	ck_assert_int_eq(atomic_load(&triggered), 1);
	free(p);
	stop(&s);
}
END_TEST

/* The pass bucket: rate new passes a minute. Requests that join a pending
 * pass, and requests that ask for nothing, cost nothing from it. */
START_TEST(rate_limit)
{
	struct server s;
	struct unit_reply r;
	char *p, *q;

	start(&s, 3);
	p = payload("firing", "HostOutOfDiskSpace", "db1:9100");
	q = payload("resolved", "HostOutOfDiskSpace", "db1:9100");
	/* strangers do not use up the budget */
	for (int i = 0; i < 10; i++) {
		request(&s, "/alerts", p, JSON, "Authorization: Bearer nope", &r);
		ck_assert_int_eq(r.status, 401);
		unit_reply_free(&r);
	}
	for (int i = 0; i < 3; i++) {
		post(&s, p, 200, "\"coalesced\":false");
		/* a burst while it is pending (the pass runs, or waits to): joined, never refused */
		for (int k = 0; k < 4; k++)
			post(&s, p, 200, "\"coalesced\":true");
		pass_starts();
	}
	ck_assert_int_eq(atomic_load(&queued), 3);
	ck_assert_int_eq(atomic_load(&coalesced), 12);
	/* resolved alerts ask for nothing and cost nothing */
	for (int i = 0; i < 5; i++)
		post(&s, q, 200, "\"resolved\":1");
	/* a fourth new pass in the minute is one too many */
	post(&s, p, 429, "new emergency passes");
	ck_assert_int_eq(atomic_load(&queued), 3);
	ck_assert_int_eq(atomic_load(&triggered), 15);
	free(p);
	free(q);
	stop(&s);
}
END_TEST

/* The flood bucket: WEBHOOK_FLOOD_FACTOR * rate requests of any kind a minute,
 * checked before the content type and the payload. */
START_TEST(flood_limit)
{
	struct server s;
	struct unit_reply r;
	char *q;

	start(&s, 1);
	q = payload("resolved", "HostOutOfDiskSpace", "db1:9100");
	for (int i = 0; i < WEBHOOK_FLOOD_FACTOR; i++)
		post(&s, q, 200, "\"resolved\":1");
	post(&s, q, 429, "a flood");
	request(&s, "/alerts", "x", AUTH, "Content-Type: text/plain", &r);
	ck_assert_int_eq(r.status, 429);
	unit_reply_free(&r);
	ck_assert_int_eq(atomic_load(&triggered), 0);
	free(q);
	stop(&s);
}
END_TEST

START_TEST(direct_calls)
{
	struct strlist none = STRLIST_INIT, names = STRLIST_INIT, hosts = STRLIST_INIT;
	struct webhook_config c = { TOKEN, &none, NULL, 1 };
	struct webhook *w = webhook_new(&c, NULL, NULL);
	struct httpd_request req = { "POST", "/alerts", "Bearer " TOKEN, "application/json",
				     "{\"status\":\"firing\",\"alerts\":[{\"labels\":{\"alertname\":\"A\"}}]}", 0,
				     "192.0.2.1" };
	struct httpd_response res = { 0, NULL, NULL, NULL };

	req.body_len = strlen(req.body);
	for (int i = 0; i < WEBHOOK_FLOOD_FACTOR; i++) {
		webhook_handle(w, &req, &res);
		ck_assert_int_eq(res.status, 200);
		ck_assert_str_eq(res.body,
				 "{\"triggered\":false,\"matched\":0,\"ignored\":1,\"resolved\":0,\"coalesced\":false}\n");
		free(res.body);
		memset(&res, 0, sizeof(res));
	}
	webhook_handle(w, &req, &res);
	ck_assert_int_eq(res.status, 429);
	free(res.body);
	webhook_free(w);
	webhook_free(NULL);

	/* Without a trigger function, a matching alert takes from the pass bucket. */
	strlist_add(&names, "A");
	strlist_add(&hosts, "h1");
	c.alert_names = &names;
	c.host_names = &hosts;
	w = webhook_new(&c, NULL, NULL);
	req.body = "{\"status\":\"firing\",\"alerts\":[{\"labels\":{\"alertname\":\"A\",\"host\":\"h1\"}}]}";
	req.body_len = strlen(req.body);
	memset(&res, 0, sizeof(res));
	webhook_handle(w, &req, &res);
	ck_assert_int_eq(res.status, 200);
	free(res.body);
	memset(&res, 0, sizeof(res));
	webhook_handle(w, &req, &res);
	ck_assert_int_eq(res.status, 429);
	free(res.body);
	webhook_free(w);
	strlist_free(&names);
	strlist_free(&hosts);
}
END_TEST

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
	Suite *s = suite_create("webhook");
	TCase *tc = tcase_create("webhook");

	tcase_add_unchecked_fixture(tc, curl_setup, curl_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, matching_alert_triggers_once);
	tcase_add_test(tc, other_alerts_do_not_trigger);
	tcase_add_test(tc, bad_token_is_401);
	tcase_add_test(tc, malformed_json_is_400);
	tcase_add_test(tc, content_type);
	tcase_add_test(tc, method_and_path);
	tcase_add_test(tc, rate_limit);
	tcase_add_test(tc, flood_limit);
	tcase_add_test(tc, direct_calls);
	suite_add_tcase(s, tc);
	return s;
}
