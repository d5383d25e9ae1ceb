#include "autoconf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "unit.h"
#include "jobs/waclient.h"

/* Tests of waclient against tests/harness/wa_stub.py, a stub of the WhatsApp
 * Business API client's REST API. Each test case starts its own stub in an
 * unchecked fixture (so it outlives the forked tests) and kills it by pid in the
 * teardown; an atexit handler kills whatever is left when a run is cut short. */

#ifndef TEST_SRCDIR
#error "TEST_SRCDIR must name the source directory"
#endif

#define USER "admin"
#define PASS "s3cr3t:with colon"
/* base64("admin:s3cr3t:with colon") */
#define BASIC "Basic YWRtaW46czNjcjN0OndpdGggY29sb24="

struct stub {
	pid_t pid;
	int port;
	char record[128];
	char endpoint[64];
	char error[256];
};

static pid_t owner_pid;
static char tmpdir[64];
static struct stub stubs[4];
static size_t nstubs;
static struct stub *cur;   /* the running test case's stub */

static void stop_stub(struct stub *s)
{
	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		while (waitpid(s->pid, NULL, 0) < 0 && errno == EINTR)
			;
		s->pid = 0;
	}
	if (s->record[0] != '\0')
		unlink(s->record);
}

static void cleanup_all(void)
{
	if (getpid() != owner_pid)   /* a forked test exiting */
		return;
	for (size_t i = 0; i < nstubs; i++)
		stop_stub(&stubs[i]);
	if (tmpdir[0] != '\0')
		rmdir(tmpdir);
	curl_global_cleanup();
}

/* Starts the stub with extra options (NULL-terminated) and reads its port. */
static struct stub *start_stub(const char *const extra[])
{
	struct stub *s = &stubs[nstubs++];
	const char *argv[24];
	size_t n = 0;
	int fds[2];
	FILE *f;
	char line[32];

	memset(s, 0, sizeof(*s));
	snprintf(s->record, sizeof(s->record), "%s/record.%zu", tmpdir, nstubs);
	argv[n++] = "python3";
	argv[n++] = TEST_SRCDIR "/tests/harness/wa_stub.py";
	argv[n++] = "--port";
	argv[n++] = "0";
	argv[n++] = "--record";
	argv[n++] = s->record;
	argv[n++] = "--user";
	argv[n++] = USER;
	argv[n++] = "--password";
	argv[n++] = PASS;
	for (size_t i = 0; extra[i] != NULL && n < 23; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	if (pipe(fds) != 0) {
		snprintf(s->error, sizeof(s->error), "pipe: %s", strerror(errno));
		return s;
	}
	fflush(NULL);
	s->pid = fork();
	if (s->pid < 0) {
		snprintf(s->error, sizeof(s->error), "fork: %s", strerror(errno));
		s->pid = 0;
		close(fds[0]);
		close(fds[1]);
		return s;
	}
	if (s->pid == 0) {
		close(fds[0]);
		dup2(fds[1], STDOUT_FILENO);
		close(fds[1]);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(fds[1]);
	f = fdopen(fds[0], "r");
	if (f == NULL || fgets(line, sizeof(line), f) == NULL || (s->port = atoi(line)) <= 0)
		snprintf(s->error, sizeof(s->error), "the stub did not print its port");
	if (f != NULL)
		fclose(f);
	else
		close(fds[0]);
	snprintf(s->endpoint, sizeof(s->endpoint), "http://127.0.0.1:%d", s->port);
	return s;
}

static void global_setup(void)
{
	if (owner_pid != 0)
		return;
	owner_pid = getpid();
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/rotd-wa.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		tmpdir[0] = '\0';
	curl_global_init(CURL_GLOBAL_DEFAULT);
	atexit(cleanup_all);
}

static void setup_default(void)
{
	static const char *const extra[] = { NULL };

	global_setup();
	cur = start_stub(extra);
}

static void setup_short_ttl(void)
{
	static const char *const extra[] = { "--token-ttl", "30", NULL };

	global_setup();
	cur = start_stub(extra);
}

static void setup_offset(void)
{
	static const char *const extra[] = { "--expiry-offset", "-330", NULL };

	global_setup();
	cur = start_stub(extra);
}

static void setup_fail_gc(void)
{
	static const char *const extra[] = { "--fail-gc", "500", NULL };

	global_setup();
	cur = start_stub(extra);
}

static void teardown_stub(void)
{
	if (cur != NULL)
		stop_stub(cur);
	cur = NULL;
}

/* Checks the stub runs and empties its record. */
static void stub_ready(void)
{
	ck_assert_ptr_nonnull(cur);
	ck_assert_msg(cur->error[0] == '\0', "%s", cur->error);
	ck_assert_int_eq(truncate(cur->record, 0) == 0 || errno == ENOENT, 1);
}

static struct waclient *client_for(const char *endpoint, const char *password)
{
	struct waclient_settings s = { endpoint, USER, password, NULL, 1, 5000 };

	return waclient_new(&s);
}

/* The recorded requests, as a JSON array. */
static json_t *records(void)
{
	json_t *arr = json_array();
	FILE *f = fopen(cur->record, "r");
	char line[4096];

	if (f == NULL)
		return arr;
	while (fgets(line, sizeof(line), f) != NULL) {
		json_t *o = json_loads(line, 0, NULL);

		ck_assert_ptr_nonnull(o);
		json_array_append_new(arr, o);
	}
	fclose(f);
	return arr;
}

static const char *rec_str(json_t *recs, size_t i, const char *key)
{
	return json_string_value(json_object_get(json_array_get(recs, i), key));
}

static size_t count_logins(json_t *recs)
{
	size_t i, n = 0;
	json_t *o;

	json_array_foreach(recs, i, o) {
		if (strcmp(json_string_value(json_object_get(o, "path")), "/v1/users/login") == 0)
			n++;
	}
	return n;
}

START_TEST(test_login_basic_auth)
{
	struct waclient *w;
	char *err = NULL;
	const char *token;
	time_t now = time(NULL), exp;
	json_t *recs;

	stub_ready();
	w = client_for(cur->endpoint, PASS);
	ck_assert_ptr_null(waclient_token(w, &exp));
	ck_assert_int_eq(exp, 0);
	ck_assert_msg(waclient_login(w, now, &err) == 0, "%s", err);
	token = waclient_token(w, &exp);
	ck_assert_ptr_nonnull(token);
	ck_assert_int_ge(exp, now + 7 * 24 * 3600 - 5);
	ck_assert_int_le(exp, now + 7 * 24 * 3600 + 5);
	/* cached: no second request */
	ck_assert_int_eq(waclient_login(w, now, &err), 0);

	recs = records();
	ck_assert_int_eq(json_array_size(recs), 1);
	ck_assert_str_eq(rec_str(recs, 0, "method"), "POST");
	ck_assert_str_eq(rec_str(recs, 0, "path"), "/v1/users/login");
	ck_assert_str_eq(rec_str(recs, 0, "authorization"), BASIC);
	ck_assert_str_eq(rec_str(recs, 0, "body"), "{}");
	json_decref(recs);
	waclient_free(w);
}
END_TEST

START_TEST(test_gc_bearer_reused)
{
	struct waclient *w;
	char *err = NULL;
	char bearer[256];
	time_t now = time(NULL);
	json_t *recs;

	stub_ready();
	w = client_for(cur->endpoint, PASS);
	ck_assert_msg(waclient_gc(w, "message", now, &err) == 0, "%s", err);
	ck_assert_msg(waclient_gc(w, "media", now, &err) == 0, "%s", err);
	snprintf(bearer, sizeof(bearer), "Bearer %s", waclient_token(w, NULL));

	recs = records();
	ck_assert_int_eq(json_array_size(recs), 3);
	ck_assert_int_eq(count_logins(recs), 1);
	ck_assert_str_eq(rec_str(recs, 0, "path"), "/v1/users/login");
	ck_assert_str_eq(rec_str(recs, 1, "method"), "PUT");
	ck_assert_str_eq(rec_str(recs, 1, "path"), "/v1/services/message/gc");
	ck_assert_str_eq(rec_str(recs, 1, "authorization"), bearer);
	ck_assert_str_eq(rec_str(recs, 1, "body"), "");
	ck_assert_str_eq(rec_str(recs, 2, "method"), "PUT");
	ck_assert_str_eq(rec_str(recs, 2, "path"), "/v1/services/media/gc");
	ck_assert_str_eq(rec_str(recs, 2, "authorization"), bearer);
	json_decref(recs);

	ck_assert_int_eq(waclient_gc(w, "bogus", now, &err), -1);
	ck_assert_ptr_nonnull(strstr(err, "bogus"));
	free(err);
	waclient_free(w);
}
END_TEST

START_TEST(test_stale_token_relogin)
{
	struct waclient *w;
	char *err = NULL;
	time_t now = time(NULL), exp;
	json_t *recs;

	stub_ready();
	w = client_for(cur->endpoint, PASS);
	/* a token saved earlier that the API no longer knows: 401, login, retry */
	waclient_set_token(w, "revoked-token", now + 3600);
	ck_assert_msg(waclient_gc(w, "media", now, &err) == 0, "%s", err);
	ck_assert_str_ne(waclient_token(w, &exp), "revoked-token");
	ck_assert_int_gt(exp, now + 3600);

	recs = records();
	ck_assert_int_eq(json_array_size(recs), 3);
	ck_assert_str_eq(rec_str(recs, 0, "authorization"), "Bearer revoked-token");
	ck_assert_str_eq(rec_str(recs, 1, "path"), "/v1/users/login");
	ck_assert_str_eq(rec_str(recs, 2, "path"), "/v1/services/media/gc");
	json_decref(recs);
	waclient_free(w);
}
END_TEST

START_TEST(test_wrong_password)
{
	struct waclient *w;
	char *err = NULL;

	stub_ready();
	w = client_for(cur->endpoint, "wrong");
	ck_assert_int_eq(waclient_login(w, time(NULL), &err), -1);
	ck_assert_ptr_nonnull(err);
	ck_assert_str_eq(err, "POST /v1/users/login: HTTP 401: 1005 Access denied: Invalid credentials.");
	ck_assert_ptr_null(strchr(err, '\n'));
	free(err);
	err = NULL;
	ck_assert_int_eq(waclient_gc(w, "message", time(NULL), &err), -1);
	ck_assert_ptr_nonnull(strstr(err, "HTTP 401"));
	ck_assert_ptr_nonnull(strstr(err, "1005"));
	ck_assert_ptr_nonnull(strstr(err, "Invalid credentials"));
	ck_assert_ptr_null(strstr(err, "wrong"));
	ck_assert_ptr_null(waclient_token(w, NULL));
	free(err);
	waclient_free(w);
}
END_TEST

START_TEST(test_connection_refused)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	char endpoint[64];
	struct waclient *w;
	char *err = NULL;

	ck_assert_int_ge(fd, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	close(fd);   /* nothing listens there now */
	snprintf(endpoint, sizeof(endpoint), "http://127.0.0.1:%d", ntohs(sa.sin_port));

	w = client_for(endpoint, PASS);
	ck_assert_int_eq(waclient_gc(w, "message", time(NULL), &err), -1);
	ck_assert_ptr_nonnull(strstr(err, "cannot reach http://127.0.0.1:"));
	ck_assert_ptr_nonnull(strstr(err, "Connection refused"));
	free(err);
	waclient_free(w);
}
END_TEST

START_TEST(test_bad_scheme)
{
	struct waclient *w = client_for("ftp://127.0.0.1:21", PASS);
	char *err = NULL;

	ck_assert_int_eq(waclient_login(w, time(NULL), &err), -1);
	ck_assert_ptr_nonnull(strstr(err, "not an http:// or https:// URL"));
	free(err);
	waclient_free(w);
}
END_TEST

START_TEST(test_https_against_http)
{
	char endpoint[64];
	struct waclient *w;
	char *err = NULL;
	time_t t0 = time(NULL);

	stub_ready();
	snprintf(endpoint, sizeof(endpoint), "https://127.0.0.1:%d", cur->port);
	w = client_for(endpoint, PASS);
	ck_assert_int_eq(waclient_login(w, t0, &err), -1);
	ck_assert_msg(strstr(err, "TLS") != NULL || strstr(err, "lost the connection") != NULL, "%s", err);
	ck_assert_ptr_null(strstr(err, "timed out"));
	ck_assert_int_le(time(NULL) - t0, 4);
	free(err);
	waclient_free(w);
}
END_TEST

START_TEST(test_short_ttl_relogin)
{
	struct waclient *w;
	char *err = NULL;
	time_t now = time(NULL), exp;
	json_t *recs;

	stub_ready();
	w = client_for(cur->endpoint, PASS);
	ck_assert_msg(waclient_gc(w, "message", now, &err) == 0, "%s", err);
	waclient_token(w, &exp);
	ck_assert_int_le(exp, now + 35);
	/* 30 s left: under the 60 s margin, so the next call logs in again */
	ck_assert_msg(waclient_gc(w, "media", now, &err) == 0, "%s", err);
	recs = records();
	ck_assert_int_eq(json_array_size(recs), 4);
	ck_assert_int_eq(count_logins(recs), 2);
	ck_assert_str_eq(rec_str(recs, 2, "path"), "/v1/users/login");
	json_decref(recs);
	waclient_free(w);
}
END_TEST

START_TEST(test_expiry_offset)
{
	struct waclient *w;
	char *err = NULL;
	time_t now = time(NULL), exp;

	stub_ready();
	w = client_for(cur->endpoint, PASS);
	ck_assert_msg(waclient_login(w, now, &err) == 0, "%s", err);
	/* written as local time at -05:30, yet the same instant */
	waclient_token(w, &exp);
	ck_assert_int_ge(exp, now + 7 * 24 * 3600 - 5);
	ck_assert_int_le(exp, now + 7 * 24 * 3600 + 5);
	waclient_free(w);
}
END_TEST

START_TEST(test_fail_gc)
{
	struct waclient *w;
	char *err = NULL;

	stub_ready();
	w = client_for(cur->endpoint, PASS);
	ck_assert_int_eq(waclient_gc(w, "media", time(NULL), &err), -1);
	ck_assert_ptr_nonnull(strstr(err, "PUT /v1/services/media/gc: HTTP 500"));
	ck_assert_ptr_nonnull(strstr(err, "1014 Internal error"));
	free(err);
	waclient_free(w);
}
END_TEST

static void free_owned(char **owned)
{
	if (owned == NULL)
		return;
	for (char **p = owned; *p != NULL; p++)
		free(*p);
	free(owned);
}

START_TEST(test_env_file)
{
	const char *path = unit_write_temp("wa.env",
					   "# WhatsApp Business API client\n"
					   "\n"
					   "  WA_WEB_ENDPOINT=\"https://wa.example:9090\"\n"
					   "export WA_WEB_USERNAME='admin user'\r\n"
					   "WA_DB_PASSWORD=ignored\n"
					   "\tWA_WEB_PASSWORD = pa#ss=\"x\" \n");
	struct waclient_settings s = { NULL, NULL, NULL, NULL, 1, 0 };
	char **owned = NULL;
	char *err = NULL;

	ck_assert_msg(waclient_read_env_file(path, &s, &owned, &err) == 0, "%s", err);
	ck_assert_str_eq(s.endpoint, "https://wa.example:9090");
	ck_assert_str_eq(s.username, "admin user");
	ck_assert_str_eq(s.password, "pa#ss=\"x\"");
	ck_assert_ptr_nonnull(owned);
	ck_assert_ptr_nonnull(owned[2]);
	ck_assert_ptr_null(owned[3]);
	free_owned(owned);
}
END_TEST

START_TEST(test_env_file_preset_wins)
{
	const char *path = unit_write_temp("wa2.env",
					   "WA_WEB_ENDPOINT=http://file:1\n"
					   "WA_WEB_USERNAME=fileuser\n"
					   "WA_WEB_PASSWORD=\"esc\\\"aped\"\n");
	struct waclient_settings s = { "http://config:2", NULL, NULL, NULL, 1, 0 };
	char **owned = NULL;
	char *err = NULL;

	ck_assert_msg(waclient_read_env_file(path, &s, &owned, &err) == 0, "%s", err);
	ck_assert_str_eq(s.endpoint, "http://config:2");
	ck_assert_str_eq(s.username, "fileuser");
	ck_assert_str_eq(s.password, "esc\"aped");
	ck_assert_ptr_nonnull(owned[1]);
	ck_assert_ptr_null(owned[2]);
	free_owned(owned);
}
END_TEST

START_TEST(test_env_file_errors)
{
	struct waclient_settings s = { NULL, NULL, NULL, NULL, 1, 0 };
	char **owned = NULL;
	char *err = NULL;
	char want[300];
	const char *path;

	path = unit_write_temp("bad1.env", "# ok\nWA_WEB_USERNAME=u\nWA_WEB_PASSWORD\n");
	ck_assert_int_eq(waclient_read_env_file(path, &s, &owned, &err), -1);
	snprintf(want, sizeof(want), "%s:3: ", path);
	ck_assert_ptr_nonnull(strstr(err, want));
	ck_assert_ptr_null(s.username);   /* untouched on error */
	ck_assert_ptr_null(owned);
	free(err);

	path = unit_write_temp("bad2.env", "WA_WEB_PASSWORD=\"open\n");
	ck_assert_int_eq(waclient_read_env_file(path, &s, &owned, &err), -1);
	snprintf(want, sizeof(want), "%s:1: unterminated", path);
	ck_assert_ptr_nonnull(strstr(err, want));
	free(err);

	path = unit_write_temp("bad3.env", "=value\n");
	ck_assert_int_eq(waclient_read_env_file(path, &s, &owned, &err), -1);
	snprintf(want, sizeof(want), "%s:1: ", path);
	ck_assert_ptr_nonnull(strstr(err, want));
	free(err);

	ck_assert_int_eq(waclient_read_env_file("/nonexistent/wa.env", &s, &owned, &err), -1);
	ck_assert_str_eq(err, "/nonexistent/wa.env: No such file or directory");
	free(err);
	ck_assert_ptr_null(s.endpoint);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("waclient");
	TCase *tc;

	tc = tcase_create("stub");
	tcase_add_unchecked_fixture(tc, setup_default, teardown_stub);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_login_basic_auth);
	tcase_add_test(tc, test_gc_bearer_reused);
	tcase_add_test(tc, test_stale_token_relogin);
	tcase_add_test(tc, test_wrong_password);
	tcase_add_test(tc, test_connection_refused);
	tcase_add_test(tc, test_bad_scheme);
	tcase_add_test(tc, test_https_against_http);
	suite_add_tcase(s, tc);

	tc = tcase_create("short_ttl");
	tcase_add_unchecked_fixture(tc, setup_short_ttl, teardown_stub);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_short_ttl_relogin);
	suite_add_tcase(s, tc);

	tc = tcase_create("expiry_offset");
	tcase_add_unchecked_fixture(tc, setup_offset, teardown_stub);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_expiry_offset);
	suite_add_tcase(s, tc);

	tc = tcase_create("fail_gc");
	tcase_add_unchecked_fixture(tc, setup_fail_gc, teardown_stub);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_fail_gc);
	suite_add_tcase(s, tc);

	tc = tcase_create("env_file");
	tcase_add_test(tc, test_env_file);
	tcase_add_test(tc, test_env_file_preset_wins);
	tcase_add_test(tc, test_env_file_errors);
	suite_add_tcase(s, tc);
	return s;
}
