#include "autoconf.h"

#include <errno.h>
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
	suite_add_tcase(s, tc);
	return s;
}
