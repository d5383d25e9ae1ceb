#include "autoconf.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "engine/docker.h"
#include "engine/events.h"
#include "unit.h"

/* Makes a fresh temp dir and returns dir + "/" + name in out. */
static void temp_path(char *out, size_t outsz, const char *name)
{
	char dir[] = "/tmp/rotd-docker.XXXXXX";

	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_lt(snprintf(out, outsz, "%s/%s", dir, name), (int)outsz);
}

/* Removes path and its temp dir. */
static void remove_temp(const char *path)
{
	char dir[256];
	char *slash;

	unlink(path);
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	ck_assert_ptr_nonnull(slash);
	*slash = '\0';
	rmdir(dir);
}

/* Creates a unix socket bound at path; listens with backlog when listen_too. Returns the fd. */
static int bound_socket(const char *path, int listen_too)
{
	struct sockaddr_un sa;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	ck_assert_int_ge(fd, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	ck_assert_uint_lt(strlen(path), sizeof(sa.sun_path));
	memcpy(sa.sun_path, path, strlen(path) + 1);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	if (listen_too)
		ck_assert_int_eq(listen(fd, 4), 0);
	return fd;
}

static void check_json(struct docker_filters *f, const char *expect)
{
	char *json = docker_filters_json(f);

	ck_assert_str_eq(json, expect);
	free(json);
}

static void check_query(struct docker_filters *f, const char *expect)
{
	char *q = docker_filters_query(f);

	ck_assert_str_eq(q, expect);
	free(q);
}

START_TEST(test_filters_json_sorted)
{
	struct docker_filters *f = docker_filters_new();

	check_json(f, "{}");
	docker_filters_add(f, "status", "running");
	docker_filters_add(f, "label", "com.docker.compose.project=biz");
	docker_filters_add(f, "ancestor", "docker.whatsapp.biz/web");
	check_json(f, "{\"ancestor\":[\"docker.whatsapp.biz/web\"],"
		      "\"label\":[\"com.docker.compose.project=biz\"],\"status\":[\"running\"]}");
	docker_filters_free(f);
	docker_filters_free(NULL);
}
END_TEST

START_TEST(test_filters_json_multiple_values)
{
	struct docker_filters *f = docker_filters_new();

	docker_filters_add(f, "name", "^/biz_waweb_1$");
	docker_filters_add(f, "name", "^/biz_wacore_1$");
	docker_filters_add(f, "name", "^/biz_waweb_1$");   /* a repeat adds nothing */
	docker_filters_add(f, "label", "a=b");
	check_json(f, "{\"label\":[\"a=b\"],\"name\":[\"^/biz_waweb_1$\",\"^/biz_wacore_1$\"]}");
	docker_filters_free(f);
}
END_TEST

START_TEST(test_filters_json_escaping)
{
	struct docker_filters *f = docker_filters_new();

	docker_filters_add(f, "label", "say=\"hi\"\\");
	docker_filters_add(f, "label", "tab\there\nnewline");
	docker_filters_add(f, "label", "caf\xc3\xa9=\xe2\x9c\x93");
	check_json(f, "{\"label\":[\"say=\\\"hi\\\"\\\\\",\"tab\\there\\nnewline\","
		      "\"caf\xc3\xa9=\xe2\x9c\x93\"]}");
	docker_filters_free(f);

	/* bytes that are not UTF-8 cannot go into JSON: they become '?' */
	f = docker_filters_new();
	docker_filters_add(f, "name", "bad\xff\xfe");
	check_json(f, "{\"name\":[\"bad??\"]}");
	docker_filters_free(f);
}
END_TEST

START_TEST(test_filters_query)
{
	struct docker_filters *f = docker_filters_new();

	check_query(f, "%7B%7D");
	docker_filters_add(f, "label", "a=b c&d");
	check_query(f, "%7B%22label%22%3A%5B%22a%3Db%20c%26d%22%5D%7D");
	docker_filters_free(f);

	f = docker_filters_new();
	docker_filters_add(f, "name", "^/x-y_z.1~$");
	docker_filters_add(f, "label", "\xc3\xa9");
	check_query(f, "%7B%22label%22%3A%5B%22%C3%A9%22%5D%2C%22name%22%3A%5B%22%5E%2Fx-y_z.1~%24%22%5D%7D");
	docker_filters_free(f);
}
END_TEST

/* Whether the exact-name filter for name matches an engine's name text, as a POSIX
 * extended regex (the metacharacters rotd escapes mean the same as in Go's RE2). */
static int name_filter_matches(const char *name, const char *engine_name)
{
	char *re = docker_exact_name_regex(name);
	regex_t compiled;
	int rc;

	ck_assert_int_eq(regcomp(&compiled, re, REG_EXTENDED | REG_NOSUB), 0);
	rc = regexec(&compiled, engine_name, 0, NULL, 0) == 0;
	regfree(&compiled);
	free(re);
	return rc;
}

START_TEST(test_exact_name_regex)
{
	char *re = docker_exact_name_regex("biz_waweb_1");

	ck_assert_str_eq(re, "^/?biz_waweb_1$");
	free(re);
	re = docker_exact_name_regex("a.b[c](d)*+?{e}|^$\\");
	ck_assert_str_eq(re, "^/?a\\.b\\[c\\]\\(d\\)\\*\\+\\?\\{e\\}\\|\\^\\$\\\\$");
	free(re);
	re = docker_exact_name_regex("");
	ck_assert_str_eq(re, "^/?$");
	free(re);

	/* Docker matches the filter against "/NAME", Podman against "NAME". */
	ck_assert(name_filter_matches("biz_waweb_1", "/biz_waweb_1"));
	ck_assert(name_filter_matches("biz_waweb_1", "biz_waweb_1"));
	ck_assert(name_filter_matches("biz-master1-1", "biz-master1-1"));
	/* ... and never another container's name. */
	ck_assert(!name_filter_matches("biz_waweb_1", "/biz_waweb_10"));
	ck_assert(!name_filter_matches("biz_waweb_1", "biz_waweb_10"));
	ck_assert(!name_filter_matches("biz_waweb_1", "/x/biz_waweb_1"));
	ck_assert(!name_filter_matches("biz_waweb_1", "xbiz_waweb_1"));
	ck_assert(!name_filter_matches("biz_waweb_1", "//biz_waweb_1"));
	ck_assert(!name_filter_matches("waweb", "/biz_waweb_1"));
	/* A dot in a name is a dot. */
	ck_assert(name_filter_matches("web.1", "/web.1"));
	ck_assert(!name_filter_matches("web.1", "/webx1"));
	ck_assert(name_filter_matches("a(b)*", "a(b)*"));
	ck_assert(!name_filter_matches("a(b)*", "abbb"));
}
END_TEST

START_TEST(test_filters_add_exact_name)
{
	struct docker_filters *f = docker_filters_new();

	docker_filters_add_exact_name(f, "biz_waweb_1");
	docker_filters_add_exact_name(f, "web.1");
	docker_filters_add_exact_name(f, "biz_waweb_1");   /* a repeat adds nothing */
	check_json(f, "{\"name\":[\"^/?biz_waweb_1$\",\"^/?web\\\\.1$\"]}");
	check_query(f, "%7B%22name%22%3A%5B%22%5E%2F%3Fbiz_waweb_1%24%22%2C%22%5E%2F%3Fweb%5C%5C.1%24%22%5D%7D");
	docker_filters_free(f);
}
END_TEST

START_TEST(test_events_names_of_both_engines)
{
	struct docker_filters *f = events_filters();

	/* Podman filters on "died" and "remove" where Docker says "die" and "destroy":
	 * the stream subscribes to both ... */
	check_json(f, "{\"event\":[\"start\",\"die\",\"died\",\"destroy\",\"remove\",\"rename\"],"
		      "\"type\":[\"container\"]}");
	docker_filters_free(f);
	/* ... and the daemon sees Docker's names, whichever engine spoke. */
	ck_assert_str_eq(events_action("start"), "start");
	ck_assert_str_eq(events_action("die"), "die");
	ck_assert_str_eq(events_action("died"), "die");
	ck_assert_str_eq(events_action("destroy"), "destroy");
	ck_assert_str_eq(events_action("remove"), "destroy");
	ck_assert_str_eq(events_action("rename"), "rename");
	ck_assert_ptr_null(events_action("exec_died"));
	ck_assert_ptr_null(events_action("exec_die"));
	ck_assert_ptr_null(events_action("cleanup"));
	ck_assert_ptr_null(events_action("kill"));
	ck_assert_ptr_null(events_action(""));
}
END_TEST

/* Sets DOCKER_HOST (NULL: unset) and checks what docker_choose_socket returns. */
static void check_choice(const char *docker_host, const char *config_socket, const char *expect)
{
	char *why = (char *)"untouched";
	char *got;

	if (docker_host != NULL)
		ck_assert_int_eq(setenv("DOCKER_HOST", docker_host, 1), 0);
	else
		ck_assert_int_eq(unsetenv("DOCKER_HOST"), 0);
	got = docker_choose_socket(config_socket, &why);
	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got, expect);
	ck_assert_ptr_null(why);
	free(got);
}

START_TEST(test_choose_socket_precedence)
{
	check_choice(NULL, NULL, "/var/run/docker.sock");
	check_choice(NULL, "", "/var/run/docker.sock");
	check_choice(NULL, "/srv/docker.sock", "/srv/docker.sock");
	check_choice("unix:///run/user/docker.sock", "/srv/docker.sock", "/run/user/docker.sock");
	check_choice("unix:///run/user/docker.sock", NULL, "/run/user/docker.sock");
	check_choice("", "/srv/docker.sock", "/srv/docker.sock");
	check_choice("", NULL, DOCKER_DEFAULT_SOCKET);
	unsetenv("DOCKER_HOST");
}
END_TEST

START_TEST(test_choose_socket_refuses_other_schemes)
{
	static const char *const hosts[] = { "tcp://10.0.0.5:2376", "ssh://admin@host", "unix://",
					     "/var/run/docker.sock", NULL };

	for (size_t i = 0; hosts[i] != NULL; i++) {
		char *why = NULL;

		ck_assert_int_eq(setenv("DOCKER_HOST", hosts[i], 1), 0);
		ck_assert_ptr_null(docker_choose_socket("/srv/docker.sock", &why));
		ck_assert_ptr_nonnull(why);
		ck_assert_ptr_nonnull(strstr(why, hosts[i]));
		ck_assert_ptr_nonnull(strstr(why, "unix"));
		ck_assert_ptr_nonnull(strstr(why, "/proc"));
		free(why);
	}
	/* why may be NULL */
	ck_assert_int_eq(setenv("DOCKER_HOST", "tcp://h:2375", 1), 0);
	ck_assert_ptr_null(docker_choose_socket(NULL, NULL));
	unsetenv("DOCKER_HOST");
}
END_TEST

START_TEST(test_missing_socket)
{
	char path[256];
	char expect[512];
	struct docker *d;
	json_t *out = NULL;

	temp_path(path, sizeof(path), "docker.sock");
	d = docker_new(path, NULL);
	ck_assert_str_eq(docker_socket(d), path);
	ck_assert_str_eq(docker_error(d), "");
	ck_assert_str_eq(docker_api_version(d), DOCKER_API_MIN);
	snprintf(expect, sizeof(expect), "cannot reach the Docker engine at %s: No such file or directory", path);
	ck_assert_int_eq(docker_ping(d), DOCKER_EUNREACHABLE);
	ck_assert_str_eq(docker_error(d), expect);
	ck_assert_int_eq(docker_inspect_container(d, "abc", &out), DOCKER_EUNREACHABLE);
	ck_assert_ptr_null(out);
	ck_assert_str_eq(docker_error(d), expect);
	ck_assert_int_eq(docker_list_containers(d, 1, NULL, &out), DOCKER_EUNREACHABLE);
	ck_assert_str_eq(docker_error(d), expect);
	ck_assert_str_eq(docker_api_version(d), DOCKER_API_MIN);
	docker_free(d);
	docker_free(NULL);
	remove_temp(path);
}
END_TEST

START_TEST(test_refused_socket)
{
	char path[256];
	char expect[512];
	struct docker *d;
	int fd;

	/* a socket file whose listener has gone */
	temp_path(path, sizeof(path), "docker.sock");
	fd = bound_socket(path, 1);
	close(fd);
	d = docker_new(path, NULL);
	snprintf(expect, sizeof(expect), "cannot reach the Docker engine at %s: Connection refused", path);
	ck_assert_int_eq(docker_ping(d), DOCKER_EUNREACHABLE);
	ck_assert_str_eq(docker_error(d), expect);
	docker_free(d);
	remove_temp(path);

	/* bound but never listening */
	temp_path(path, sizeof(path), "docker.sock");
	fd = bound_socket(path, 0);
	d = docker_new(path, NULL);
	snprintf(expect, sizeof(expect), "cannot reach the Docker engine at %s: Connection refused", path);
	ck_assert_int_eq(docker_ping(d), DOCKER_EUNREACHABLE);
	ck_assert_str_eq(docker_error(d), expect);
	docker_free(d);
	close(fd);
	remove_temp(path);
}
END_TEST

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

START_TEST(test_silent_socket_times_out)
{
	struct docker_options opt = { 0, 300, 0 };
	char path[256];
	char expect[512];
	struct docker *d;
	long long start;
	int fd;

	/* the kernel accepts the connection into the backlog, but nobody ever answers */
	temp_path(path, sizeof(path), "docker.sock");
	fd = bound_socket(path, 1);
	d = docker_new(path, &opt);
	start = mono_ms();
	ck_assert_int_eq(docker_ping(d), DOCKER_ETIMEOUT);
	ck_assert_int_lt(mono_ms() - start, 2000);
	snprintf(expect, sizeof(expect), "GET /_ping to the Docker engine at %s timed out after 300 ms", path);
	ck_assert_str_eq(docker_error(d), expect);
	docker_free(d);
	close(fd);
	remove_temp(path);
}
END_TEST

START_TEST(test_api_compare)
{
	ck_assert_int_lt(docker_api_compare("1.9", "1.25"), 0);
	ck_assert_int_gt(docker_api_compare("1.25", "1.9"), 0);
	ck_assert_int_eq(docker_api_compare("1.41", "1.41"), 0);
	ck_assert_int_gt(docker_api_compare("1.100", "1.99"), 0);
	ck_assert_int_gt(docker_api_compare("2.0", "1.99"), 0);
	ck_assert_int_lt(docker_api_compare("garbage", "0.0"), 0);
	ck_assert_int_lt(docker_api_compare(NULL, "1.0"), 0);
	ck_assert_int_gt(docker_api_compare("1.0", "1."), 0);
}
END_TEST

static void check_negotiate(const char *engine, int expect_rc, const char *expect)
{
	char out[16] = "unchanged";

	ck_assert_int_eq(docker_api_negotiate(engine, out, sizeof(out)), expect_rc);
	ck_assert_str_eq(out, expect);
}

START_TEST(test_api_negotiate)
{
	check_negotiate("1.41", 0, "1.41");
	check_negotiate("1.25", 0, "1.25");
	check_negotiate(DOCKER_API_MAX, 0, DOCKER_API_MAX);
	check_negotiate("1.99", 0, DOCKER_API_MAX);
	check_negotiate("2.3", 0, DOCKER_API_MAX);
	check_negotiate(NULL, 0, DOCKER_API_MIN);
	check_negotiate("1.24", -1, "unchanged");
	check_negotiate("1.9", -1, "unchanged");
	check_negotiate("", -1, "unchanged");
	check_negotiate("1.41beta", -1, "unchanged");
	check_negotiate("v1.41", -1, "unchanged");
	check_negotiate("1.41.2", -1, "unchanged");
}
END_TEST

/* ---- a stub engine for docker_exec_lines ---------------------------------- */

/* Answers one request per connection on a unix socket, as the engine would for a
 * ping and one exec: create, start (a raw multiplexed stream), inspect. */
struct stub_engine {
	char path[256];
	int listen_fd;
	pthread_t thread;
	const char *create_status;    /* e.g. "201 Created" */
	const char *create_body;
	char output[8192];            /* the raw stream exec start sends */
	size_t output_len;
	int hang;                     /* keep the stream open until the client leaves */
	int exit_code;
	char create_request[1024];    /* the exec create body as received */
};

static void send_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, data, len, MSG_NOSIGNAL);

		if (n <= 0)
			return;
		data += n;
		len -= (size_t)n;
	}
}

static void stub_reply(int fd, const char *status, const char *body)
{
	char head[256];
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.1 %s\r\nApi-Version: 1.41\r\nContent-Type: application/json\r\n"
			 "Content-Length: %zu\r\nConnection: close\r\n\r\n", status, strlen(body));

	send_all(fd, head, (size_t)n);
	send_all(fd, body, strlen(body));
}

/* Reads one request into buf; returns its body (NUL-terminated), or NULL. */
static char *stub_read(int fd, char *buf, size_t cap)
{
	size_t len = 0, want = 0;
	char *end = NULL;

	while (end == NULL || len < want) {
		ssize_t n = read(fd, buf + len, cap - 1 - len);

		if (n <= 0)
			return NULL;
		len += (size_t)n;
		buf[len] = '\0';
		if (end == NULL && (end = strstr(buf, "\r\n\r\n")) != NULL) {
			const char *cl = strstr(buf, "Content-Length:");

			end += 4;
			want = (size_t)(end - buf) + (cl != NULL && cl < end ? strtoul(cl + 15, NULL, 10) : 0);
		}
	}
	return end;
}

static void stub_answer(struct stub_engine *e, int fd)
{
	char req[4096], body[64];
	const char *b = stub_read(fd, req, sizeof(req));

	if (b == NULL)
		return;
	if (strncmp(req, "GET /_ping ", 11) == 0) {
		stub_reply(fd, "200 OK", "OK");
	} else if (strncmp(req, "POST /v1.41/containers/abc/exec ", 32) == 0) {
		snprintf(e->create_request, sizeof(e->create_request), "%s", b);
		stub_reply(fd, e->create_status, e->create_body);
	} else if (strncmp(req, "POST /v1.41/exec/e1/start ", 26) == 0) {
		static const char head[] = "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n"
					   "Connection: close\r\n\r\n";
		struct pollfd p = { fd, POLLIN, 0 };

		send_all(fd, head, sizeof(head) - 1);
		send_all(fd, e->output, e->output_len);
		if (e->hang && poll(&p, 1, 10000) == 1)
			(void)read(fd, req, sizeof(req));
	} else if (strncmp(req, "GET /v1.41/exec/e1/json ", 24) == 0) {
		snprintf(body, sizeof(body), "{\"Running\":false,\"ExitCode\":%d}", e->exit_code);
		stub_reply(fd, "200 OK", body);
	} else {
		stub_reply(fd, "404 Not Found", "{\"message\":\"page not found\"}");
	}
}

static void *stub_main(void *arg)
{
	struct stub_engine *e = arg;
	int fd;

	while ((fd = accept(e->listen_fd, NULL, NULL)) >= 0) {
		stub_answer(e, fd);
		close(fd);
	}
	return NULL;
}

/* Appends one frame of the raw stream to e's output. */
static void stub_frame(struct stub_engine *e, enum demux_stream stream, const char *payload, size_t len)
{
	unsigned char *h = (unsigned char *)e->output + e->output_len;

	ck_assert_uint_le(e->output_len + 8 + len, sizeof(e->output));
	memset(h, 0, 8);
	h[0] = (unsigned char)stream;
	h[4] = (unsigned char)(len >> 24);
	h[5] = (unsigned char)(len >> 16);
	h[6] = (unsigned char)(len >> 8);
	h[7] = (unsigned char)len;
	memcpy(e->output + e->output_len + 8, payload, len);
	e->output_len += 8 + len;
}

static void stub_start(struct stub_engine *e)
{
	e->create_status = e->create_status != NULL ? e->create_status : "201 Created";
	e->create_body = e->create_body != NULL ? e->create_body : "{\"Id\":\"e1\"}";
	temp_path(e->path, sizeof(e->path), "docker.sock");
	e->listen_fd = bound_socket(e->path, 1);
	ck_assert_int_eq(pthread_create(&e->thread, NULL, stub_main, e), 0);
}

static void stub_stop(struct stub_engine *e)
{
	shutdown(e->listen_fd, SHUT_RDWR);
	ck_assert_int_eq(pthread_join(e->thread, NULL), 0);
	close(e->listen_fd);
	remove_temp(e->path);
}

/* What the line callback saw: "stream:line" or "stream:[N bytes, cut]", one a line. */
struct seen {
	char text[1024];
	int calls;
	int stop_after;               /* 0: never stop */
};

static int see_line(const char *stream, const char *line, size_t len, int truncated, void *arg)
{
	struct seen *s = arg;
	size_t used = strlen(s->text);

	ck_assert_uint_eq(strlen(line), len);
	if (len > 64)
		snprintf(s->text + used, sizeof(s->text) - used, "%s:[%zu bytes%s]\n", stream, len,
			 truncated ? ", cut" : "");
	else
		snprintf(s->text + used, sizeof(s->text) - used, "%s:%s%s\n", stream, line, truncated ? " [cut]" : "");
	s->calls++;
	return s->stop_after != 0 && s->calls >= s->stop_after;
}

static const char *const sh_argv[] = { "/bin/sh", "-c", "echo hi", NULL };

START_TEST(test_exec_lines_splits_both_streams)
{
	struct stub_engine e = { .exit_code = 3 };
	struct docker_exec_outcome out = { -1, 99, (char *)"untouched" };
	struct seen seen = { "", 0, 0 };
	char longline[5001];

	memset(longline, 'x', 5000);
	longline[5000] = '\n';
	stub_frame(&e, DEMUX_STDOUT, "hello\nwor", 9);
	stub_frame(&e, DEMUX_STDERR, "oops\n", 5);
	stub_frame(&e, DEMUX_STDOUT, "ld\r\n\npartial", 12);
	stub_frame(&e, DEMUX_STDERR, longline, sizeof(longline));
	stub_frame(&e, DEMUX_STDERR, "tail", 4);
	stub_start(&e);
	ck_assert_int_eq(docker_exec_lines(e.path, "abc", sh_argv, 5000, see_line, &seen, &out), DOCKER_OK);
	/* a line split across frames is whole; the last unterminated lines come at the end, stdout first */
	ck_assert_str_eq(seen.text, "stdout:hello\nstderr:oops\nstdout:world\nstdout:\nstderr:[4096 bytes, cut]\n"
				    "stdout:partial\nstderr:tail\n");
	ck_assert_int_eq(out.started, 1);
	ck_assert_int_eq(out.exit_code, 3);
	ck_assert_ptr_null(out.error);
	ck_assert_str_eq(e.create_request,
			 "{\"AttachStderr\":true,\"AttachStdout\":true,\"Cmd\":[\"/bin/sh\",\"-c\",\"echo hi\"],\"Tty\":false}");
	stub_stop(&e);
}
END_TEST

START_TEST(test_exec_lines_timeout_keeps_what_came)
{
	struct stub_engine e = { .hang = 1 };
	struct docker_exec_outcome out;
	struct seen seen = { "", 0, 0 };
	long long start;

	stub_frame(&e, DEMUX_STDOUT, "started\nhalf", 12);
	stub_start(&e);
	start = mono_ms();
	ck_assert_int_eq(docker_exec_lines(e.path, "abc", sh_argv, 300, see_line, &seen, &out), DOCKER_ETIMEOUT);
	ck_assert_int_lt(mono_ms() - start, 3000);
	ck_assert_str_eq(seen.text, "stdout:started\nstdout:half\n");
	ck_assert_int_eq(out.started, 1);
	ck_assert_int_eq(out.exit_code, -1);
	ck_assert_str_eq(out.error, "exec of /bin/sh in container abc timed out after 300 ms; the process may still "
				    "be running in the container");
	free(out.error);
	stub_stop(&e);
}
END_TEST

START_TEST(test_exec_lines_engine_refusals)
{
	struct stub_engine e = { .create_status = "404 Not Found",
				 .create_body = "{\"message\":\"No such container: abc\"}" };
	struct docker_exec_outcome out;
	struct seen seen = { "", 0, 0 };
	char missing[256], expect[512];

	stub_start(&e);
	ck_assert_int_eq(docker_exec_lines(e.path, "abc", sh_argv, 5000, see_line, &seen, &out), DOCKER_ENOTFOUND);
	ck_assert_int_eq(out.started, 1);
	ck_assert_int_eq(out.exit_code, -1);
	ck_assert_str_eq(out.error, "engine said: No such container: abc");
	ck_assert_int_eq(seen.calls, 0);
	free(out.error);
	stub_stop(&e);

	/* no engine at all: the exec was never asked for */
	temp_path(missing, sizeof(missing), "docker.sock");
	snprintf(expect, sizeof(expect), "cannot reach the Docker engine at %s: No such file or directory", missing);
	ck_assert_int_eq(docker_exec_lines(missing, "abc", sh_argv, 5000, see_line, &seen, &out), DOCKER_EUNREACHABLE);
	ck_assert_int_eq(out.started, 0);
	ck_assert_int_eq(out.exit_code, -1);
	ck_assert_str_eq(out.error, expect);
	free(out.error);
	remove_temp(missing);
}
END_TEST

START_TEST(test_exec_lines_callback_stops)
{
	struct stub_engine e = { 0 };
	struct docker_exec_outcome out;
	struct seen seen = { "", 0, 1 };

	stub_frame(&e, DEMUX_STDOUT, "one\ntwo\n", 8);
	stub_start(&e);
	ck_assert_int_eq(docker_exec_lines(e.path, "abc", sh_argv, 5000, see_line, &seen, &out), DOCKER_ESTOPPED);
	ck_assert_str_eq(seen.text, "stdout:one\n");
	ck_assert_int_eq(out.started, 1);
	ck_assert_str_eq(out.error, "the exec output callback stopped the stream");
	free(out.error);
	stub_stop(&e);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("docker");
	TCase *tc = tcase_create("docker");

	docker_global_init();
	tcase_add_test(tc, test_filters_json_sorted);
	tcase_add_test(tc, test_filters_json_multiple_values);
	tcase_add_test(tc, test_filters_json_escaping);
	tcase_add_test(tc, test_filters_query);
	tcase_add_test(tc, test_exact_name_regex);
	tcase_add_test(tc, test_filters_add_exact_name);
	tcase_add_test(tc, test_events_names_of_both_engines);
	tcase_add_test(tc, test_choose_socket_precedence);
	tcase_add_test(tc, test_choose_socket_refuses_other_schemes);
	tcase_add_test(tc, test_missing_socket);
	tcase_add_test(tc, test_refused_socket);
	tcase_add_test(tc, test_silent_socket_times_out);
	tcase_add_test(tc, test_api_compare);
	tcase_add_test(tc, test_api_negotiate);
	tcase_add_test(tc, test_exec_lines_splits_both_streams);
	tcase_add_test(tc, test_exec_lines_timeout_keeps_what_came);
	tcase_add_test(tc, test_exec_lines_engine_refusals);
	tcase_add_test(tc, test_exec_lines_callback_stops);
	suite_add_tcase(s, tc);
	return s;
}
