/* Alertmanager payloads: parsing and the match helpers. */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "remedy/alert.h"
#include "unit.h"
#include "lib/xalloc.h"

/* As Alertmanager 0.25 posts it (webhook_configs, version 4). */
static const char firing[] =
	"{\"receiver\":\"rotd\",\"status\":\"firing\",\"alerts\":["
	"{\"status\":\"firing\",\"labels\":{\"alertname\":\"HostOutOfDiskSpace\",\"device\":\"/dev/sda1\","
	"\"fstype\":\"ext4\",\"instance\":\"db1.example.com:9100\",\"job\":\"node\",\"mountpoint\":\"/\","
	"\"severity\":\"warning\"},\"annotations\":{\"description\":\"Disk is almost full (< 10% left)\","
	"\"summary\":\"Host out of disk space (instance db1.example.com:9100)\"},"
	"\"startsAt\":\"2024-05-02T10:14:05.123Z\",\"endsAt\":\"0001-01-01T00:00:00Z\","
	"\"generatorURL\":\"http://prometheus:9090/graph?g0.expr=node_filesystem_avail_bytes&g0.tab=1\","
	"\"fingerprint\":\"b1a3f2c4d5e6f708\"},"
	"{\"status\":\"firing\",\"labels\":{\"alertname\":\"HostHighCpuLoad\",\"hostname\":\"web2\","
	"\"severity\":\"info\"},\"annotations\":{\"description\":\"CPU load is > 80%\"},"
	"\"startsAt\":\"2024-05-02T10:15:00Z\",\"endsAt\":\"0001-01-01T00:00:00Z\",\"generatorURL\":\"\","
	"\"fingerprint\":\"0011223344556677\"}],"
	"\"groupLabels\":{\"alertname\":\"HostOutOfDiskSpace\"},"
	"\"commonLabels\":{\"severity\":\"warning\"},"
	"\"commonAnnotations\":{},"
	"\"externalURL\":\"http://alertmanager:9093\",\"version\":\"4\","
	"\"groupKey\":\"{}:{alertname=\\\"HostOutOfDiskSpace\\\"}\",\"truncatedAlerts\":0}\n";

static const char resolved[] =
	"{\"receiver\":\"rotd\",\"status\":\"resolved\",\"alerts\":["
	"{\"status\":\"resolved\",\"labels\":{\"alertname\":\"HostOutOfDiskSpace\",\"instance\":\"db1:9100\"},"
	"\"annotations\":{},\"startsAt\":\"2024-05-02T10:14:05Z\",\"endsAt\":\"2024-05-02T10:44:05Z\"}],"
	"\"groupLabels\":{},\"commonLabels\":{},\"commonAnnotations\":{},\"externalURL\":\"\",\"version\":\"4\"}";

/* Parses text and expects failure with a message containing want. */
static void expect_bad(const char *text, size_t len, const char *want)
{
	struct alert_batch b;
	char *err = NULL;

	ck_assert_msg(alert_parse(text, len, &b, &err) == -1, "accepted: %.*s", (int)(len > 200 ? 200 : len), text);
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(strstr(err, want) != NULL, "message \"%s\" lacks \"%s\"", err, want);
	ck_assert_ptr_null(strchr(err, '\n'));
	ck_assert_ptr_null(b.v);
	ck_assert_uint_eq(b.n, 0);
	free(err);
}

static void expect_bad_str(const char *text, const char *want)
{
	expect_bad(text, strlen(text), want);
}

START_TEST(parses_firing_payload)
{
	struct alert_batch b;
	char *err = NULL;

	ck_assert_int_eq(alert_parse(firing, strlen(firing), &b, &err), 0);
	ck_assert_ptr_null(err);
	ck_assert_str_eq(b.receiver, "rotd");
	ck_assert_str_eq(b.status, "firing");
	ck_assert_uint_eq(b.n, 2);
	ck_assert_str_eq(b.v[0].name, "HostOutOfDiskSpace");
	ck_assert_str_eq(b.v[0].status, "firing");
	ck_assert_str_eq(b.v[0].instance, "db1.example.com:9100");
	ck_assert_ptr_null(b.v[0].host);
	ck_assert_str_eq(b.v[0].summary, "Host out of disk space (instance db1.example.com:9100)");
	ck_assert(alert_firing(&b.v[0]));
	ck_assert_str_eq(b.v[1].name, "HostHighCpuLoad");
	ck_assert_ptr_null(b.v[1].instance);
	ck_assert_str_eq(b.v[1].host, "web2");
	ck_assert_str_eq(b.v[1].summary, "CPU load is > 80%");
	alert_batch_free(&b);
	ck_assert_ptr_null(b.v);
	ck_assert_uint_eq(b.n, 0);
	alert_batch_free(&b);
}
END_TEST

START_TEST(parses_resolved_payload)
{
	struct alert_batch b;
	char *err = NULL;

	ck_assert_int_eq(alert_parse(resolved, strlen(resolved), &b, &err), 0);
	ck_assert_str_eq(b.status, "resolved");
	ck_assert_uint_eq(b.n, 1);
	ck_assert_str_eq(b.v[0].status, "resolved");
	ck_assert(!alert_firing(&b.v[0]));
	ck_assert_ptr_null(b.v[0].summary);
	alert_batch_free(&b);
}
END_TEST

START_TEST(fallbacks_and_ignored_fields)
{
	static const char text[] =
		"{\"status\":\"firing\",\"extra\":[1,2,{}],\"receiver\":7,\"alerts\":["
		"{\"labels\":{\"alertname\":\"A\",\"host\":5,\"nodename\":\"n1\",\"instance\":null},"
		"\"annotations\":\"x\",\"status\":3},"
		"{\"labels\":{\"alertname\":\"B\",\"host\":\"h\",\"hostname\":\"x\"},"
		"\"annotations\":{\"summary\":[],\"description\":\"d\"},\"status\":\"resolved\"}]}";
	struct alert_batch b;
	char *err = NULL;

	ck_assert_int_eq(alert_parse(text, strlen(text), &b, &err), 0);
	ck_assert_ptr_null(b.receiver);
	ck_assert_uint_eq(b.n, 2);
	/* no usable alert status: the payload's */
	ck_assert_str_eq(b.v[0].status, "firing");
	ck_assert_str_eq(b.v[0].host, "n1");
	ck_assert_ptr_null(b.v[0].instance);
	ck_assert_ptr_null(b.v[0].summary);
	ck_assert_str_eq(b.v[1].status, "resolved");
	ck_assert_str_eq(b.v[1].host, "h");
	ck_assert_str_eq(b.v[1].summary, "d");
	alert_batch_free(&b);

	ck_assert_int_eq(alert_parse("{\"status\":\"firing\",\"alerts\":[]}", 31, &b, &err), 0);
	ck_assert_uint_eq(b.n, 0);
	alert_batch_free(&b);
}
END_TEST

START_TEST(missing_or_wrong_fields)
{
	expect_bad_str("{\"alerts\":[]}", "\"status\" is missing or not a string");
	expect_bad_str("{\"status\":1,\"alerts\":[]}", "\"status\" is missing or not a string");
	expect_bad_str("{\"status\":\"firing\"}", "\"alerts\" is missing or not an array");
	expect_bad_str("{\"status\":\"firing\",\"alerts\":{}}", "\"alerts\" is missing or not an array");
	expect_bad_str("{\"status\":\"firing\",\"alerts\":[{\"labels\":{\"alertname\":\"A\"}},1]}",
		       "alert 2 is not an object");
	expect_bad_str("{\"status\":\"firing\",\"alerts\":[{\"labels\":[]}]}",
		       "alert 1: labels is missing or not an object");
	expect_bad_str("{\"status\":\"firing\",\"alerts\":[{}]}", "alert 1: labels is missing");
	expect_bad_str("{\"status\":\"firing\",\"alerts\":[{\"labels\":{\"alertname\":\"A\"}},"
		       "{\"labels\":{\"alertname\":\"B\"}},{\"labels\":{\"instance\":\"x\"}}]}",
		       "alert 3: labels.alertname is missing or not a string");
	expect_bad_str("{\"status\":\"firing\",\"alerts\":[{\"labels\":{\"alertname\":null}}]}",
		       "alert 1: labels.alertname is missing or not a string");
	expect_bad_str("{\"status\":\"firing\",\"status\":\"resolved\",\"alerts\":[]}", "duplicate");
}
END_TEST

START_TEST(not_json)
{
	static const char nul[] = "{\"status\":\"firing\",\0\"alerts\":[]}";

	expect_bad_str("x", "not JSON: '[' or '{' expected near 'x' (line 1, column 1)");
	expect_bad("", 0, "not JSON: ");
	expect_bad_str("[]", "not a JSON object");
	expect_bad_str("[{\"status\":\"firing\",\"alerts\":[]}]", "not a JSON object");
	expect_bad_str("{\"status\":\"firing\",\"alerts\":[]} x", "not JSON: ");
	expect_bad_str("{\"status\":\"firing\",\"alerts\":[]}{}", "not JSON: ");
	expect_bad_str("{\"status\":\"firing\",\"alerts\":[", "not JSON: ");
	expect_bad(nul, sizeof(nul) - 1, "not JSON: ");
	/* a NUL right after a valid payload is trailing garbage too */
	expect_bad("{\"status\":\"firing\",\"alerts\":[]}\0", 32, "not JSON: ");
	expect_bad_str("{\"status\":\"fi\\u0000ring\",\"alerts\":[]}", "not JSON: ");
	/* the input quoted back never breaks the line */
	expect_bad_str("{\"status\":\"a\nb\",\"alerts\":[]}", "not JSON: ");
	expect_bad_str("\x01\x02\n\x7f", "not JSON: ");
}
END_TEST

START_TEST(invalid_utf8)
{
	expect_bad_str("{\"status\":\"fir\xff" "ing\",\"alerts\":[]}", "not JSON: ");
	expect_bad_str("{\"status\":\"firing\",\"alerts\":[{\"labels\":{\"alertname\":\"\xc0\xaf\"}}]}", "not JSON: ");
	/* surrogates written as escapes must pair */
	expect_bad_str("{\"status\":\"firing\",\"alerts\":[{\"labels\":{\"alertname\":\"\\ud800\"}}]}", "not JSON: ");
}
END_TEST

START_TEST(too_long_strings)
{
	char *s = xmalloc(ALERT_MAX_STRING + 1);
	struct alert_batch b;
	char *text, *err = NULL;

	memset(s, 'a', ALERT_MAX_STRING);
	s[ALERT_MAX_STRING] = '\0';
	/* exactly the limit is fine */
	text = xasprintf("{\"status\":\"firing\",\"alerts\":[{\"labels\":{\"alertname\":\"%s\"}}]}", s);
	ck_assert_int_eq(alert_parse(text, strlen(text), &b, &err), 0);
	ck_assert_uint_eq(strlen(b.v[0].name), ALERT_MAX_STRING);
	alert_batch_free(&b);
	free(text);

	text = xasprintf("{\"status\":\"firing\",\"alerts\":[{\"labels\":{\"alertname\":\"A\",\"instance\":\"%sb\"}}]}",
			 s);
	expect_bad_str(text, "alert 1: labels.instance is too long (4097 bytes, at most 4096)");
	free(text);
	text = xasprintf("{\"status\":\"firing\",\"alerts\":[{\"labels\":{\"alertname\":\"A\"},"
			 "\"annotations\":{\"summary\":\"%sb\"}}]}", s);
	expect_bad_str(text, "alert 1: annotations.summary is too long");
	free(text);
	text = xasprintf("{\"status\":\"%sb\",\"alerts\":[]}", s);
	expect_bad_str(text, "\"status\" is too long");
	free(text);
	text = xasprintf("{\"status\":\"firing\",\"receiver\":\"%sb\",\"alerts\":[]}", s);
	expect_bad_str(text, "\"receiver\" is too long");
	free(text);
	/* strings rotd does not use may be as long as they like */
	text = xasprintf("{\"status\":\"firing\",\"externalURL\":\"%s%s\",\"alerts\":[]}", s, s);
	ck_assert_int_eq(alert_parse(text, strlen(text), &b, &err), 0);
	alert_batch_free(&b);
	free(text);
	free(s);
}
END_TEST

static char *many_alerts(size_t n)
{
	static const char one[] = "{\"labels\":{\"alertname\":\"A\"}},";
	size_t len = 64 + n * (sizeof(one) - 1);
	char *text = xmalloc(len), *p = text;

	p += sprintf(p, "{\"status\":\"firing\",\"alerts\":[");
	for (size_t i = 0; i < n; i++) {
		memcpy(p, one, sizeof(one) - 1);
		p += sizeof(one) - 1;
	}
	strcpy(n > 0 ? p - 1 : p, "]}");
	return text;
}

START_TEST(too_many_alerts)
{
	struct alert_batch b;
	char *text, *err = NULL;

	text = many_alerts(ALERT_MAX_ALERTS);
	ck_assert_int_eq(alert_parse(text, strlen(text), &b, &err), 0);
	ck_assert_uint_eq(b.n, ALERT_MAX_ALERTS);
	alert_batch_free(&b);
	free(text);
	text = many_alerts(ALERT_MAX_ALERTS + 1);
	expect_bad_str(text, "too many alerts: 1001 (at most 1000)");
	free(text);
}
END_TEST

/* An alert built by hand, as alert_parse would leave it. */
static struct alert mk(const char *name, const char *status, const char *instance, const char *host)
{
	struct alert a = { (char *)name, (char *)status, (char *)instance, (char *)host, NULL };

	return a;
}

START_TEST(name_globs)
{
	struct strlist names = STRLIST_INIT;
	struct alert a = mk("HostOutOfDiskSpace", "firing", NULL, NULL);
	struct alert b = mk("hostoutofdiskspace", "firing", NULL, NULL);
	struct alert c = mk("NodeFilesystemAlmostOutOfSpace", "firing", NULL, NULL);
	struct alert d = mk("Watchdog", "firing", NULL, NULL);

	ck_assert(!alert_name_matches(&a, &names));
	strlist_add(&names, "HostOutOf*Space");
	strlist_add(&names, "NodeFilesystem?lmost*");
	ck_assert(alert_name_matches(&a, &names));
	ck_assert(!alert_name_matches(&b, &names));
	ck_assert(alert_name_matches(&c, &names));
	ck_assert(!alert_name_matches(&d, &names));
	strlist_add(&names, "*");
	ck_assert(alert_name_matches(&d, &names));
	strlist_free(&names);

	ck_assert(alert_firing(&a));
	a.status = (char *)"resolved";
	ck_assert(!alert_firing(&a));
	a.status = (char *)"Firing";
	ck_assert(!alert_firing(&a));
}
END_TEST

START_TEST(host_matching)
{
	static const struct {
		const char *instance, *host;
		int want;
	} cases[] = {
		{ "db1:9100", NULL, 1 },                 /* first label of a name */
		{ "db1.example.com:9100", NULL, 1 },     /* whole name */
		{ "DB1.Example.COM:9100", NULL, 1 },     /* any case */
		{ "db1.example.com", NULL, 1 },          /* no port */
		{ "db1", NULL, 1 },
		{ "db1.other.net:9100", NULL, 0 },       /* same first label, other domain */
		{ "db10:9100", NULL, 0 },
		{ "db:9100", NULL, 0 },
		{ "db2:9100", NULL, 0 },
		{ "[::1]:9100", NULL, 1 },
		{ "[::1]", NULL, 1 },
		{ "::1", NULL, 1 },                      /* bare IPv6: all of it */
		{ "[::2]:9100", NULL, 0 },
		{ "10.0.0.7:9100", NULL, 1 },
		{ "10.0.0.70:9100", NULL, 0 },
		{ ":9100", NULL, 0 },
		{ "", NULL, 0 },
		{ NULL, "db1", 1 },
		{ NULL, "DB1", 1 },
		{ NULL, "db1.example.com", 1 },
		{ NULL, "db10", 0 },
		{ NULL, "", 0 },
		{ "web1:9100", "db1", 1 },               /* either label will do */
		{ "db1:9100", "web1", 1 },
		{ "web1:9100", "web1", 0 },
		{ NULL, NULL, 0 },                       /* neither label: nothing */
	};
	struct strlist names = STRLIST_INIT;

	strlist_add(&names, "db1.example.com");
	strlist_add(&names, "::1");
	strlist_add(&names, "10.0.0.7");
	strlist_add(&names, "");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct alert a = mk("A", "firing", cases[i].instance, cases[i].host);

		ck_assert_msg(alert_names_host(&a, &names) == cases[i].want, "instance %s host %s: want %d",
			      cases[i].instance ? cases[i].instance : "(none)", cases[i].host ? cases[i].host : "(none)",
			      cases[i].want);
	}
	strlist_free(&names);
}
END_TEST

START_TEST(short_name_matches_long_label)
{
	struct strlist names = STRLIST_INIT;
	struct alert a = mk("A", "firing", "db1.example.com:9100", NULL);
	struct alert b = mk("A", "firing", "db10.example.com:9100", NULL);
	struct alert c = mk("A", "firing", NULL, "Db1.Corp.Example");

	ck_assert(!alert_names_host(&a, &names));
	strlist_add(&names, "db1");
	ck_assert(alert_names_host(&a, &names));
	ck_assert(!alert_names_host(&b, &names));
	ck_assert(alert_names_host(&c, &names));
	strlist_free(&names);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("alert");
	TCase *tc = tcase_create("parse");
	TCase *tm = tcase_create("match");

	tcase_add_test(tc, parses_firing_payload);
	tcase_add_test(tc, parses_resolved_payload);
	tcase_add_test(tc, fallbacks_and_ignored_fields);
	tcase_add_test(tc, missing_or_wrong_fields);
	tcase_add_test(tc, not_json);
	tcase_add_test(tc, invalid_utf8);
	tcase_add_test(tc, too_long_strings);
	tcase_add_test(tc, too_many_alerts);
	suite_add_tcase(s, tc);
	tcase_add_test(tm, name_globs);
	tcase_add_test(tm, host_matching);
	tcase_add_test(tm, short_name_matches_long_label);
	suite_add_tcase(s, tm);
	return s;
}
