#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/docker.h"
#include "unit.h"

/* Engine-level tests of the docker module, against the engine named by DOCKER_HOST
 * (tests/integration/run.sh starts one). Scratch containers are named engine-test-*
 * and removed at the end. */

#define IMAGE "docker.whatsapp.biz/web:v2.x"

static char scratch_name[64];
static char scratch_id[128];
static char ev_name[80];
static char setup_error[256];

/* Runs argv (no shell) with stdout captured into out[outsz] (trailing newline cut) and
 * stderr silenced when quiet; returns the exit status, or -1 when it could not run. */
static int run_quiet(const char *const argv[], char *out, size_t outsz, int quiet)
{
	posix_spawn_file_actions_t fa;
	int fds[2];
	pid_t pid;
	size_t len = 0;
	int status;

	if (pipe(fds) != 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
	posix_spawn_file_actions_addclose(&fa, fds[0]);
	posix_spawn_file_actions_addclose(&fa, fds[1]);
	if (quiet)
		posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	if (posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, environ) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	for (;;) {
		char tmp[256];
		ssize_t n = read(fds[0], tmp, sizeof(tmp));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (ssize_t i = 0; i < n && out != NULL; i++)
			if (len + 1 < outsz)
				out[len++] = tmp[i];
	}
	close(fds[0]);
	if (out != NULL) {
		while (len > 0 && (out[len - 1] == '\n' || out[len - 1] == '\r'))
			len--;
		out[len] = '\0';
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int run(const char *const argv[], char *out, size_t outsz)
{
	return run_quiet(argv, out, outsz, 0);
}

static void remove_container(const char *name)
{
	const char *const argv[] = { "docker", "rm", "-f", name, NULL };
	char out[256];

	run_quiet(argv, out, sizeof(out), 1);
}

/* Runs once, in the runner's process: starts the scratch container. */
static void scratch_setup(void)
{
	const char *host = getenv("DOCKER_HOST");
	const char *const argv[] = { "docker", "run", "-d", "--name", scratch_name, "--network", "none",
				     IMAGE, "sleep", "600", NULL };

	docker_global_init();
	snprintf(scratch_name, sizeof(scratch_name), "engine-test-%ld", (long)getpid());
	snprintf(ev_name, sizeof(ev_name), "%s-ev", scratch_name);
	if (host == NULL || *host == '\0') {
		snprintf(setup_error, sizeof(setup_error), "DOCKER_HOST is not set; run these tests "
			 "through tests/integration/run.sh, which starts an engine");
		return;
	}
	if (run(argv, scratch_id, sizeof(scratch_id)) != 0 || strlen(scratch_id) < 12)
		snprintf(setup_error, sizeof(setup_error), "cannot start %s from %s: docker run failed",
			 scratch_name, IMAGE);
}

static void scratch_teardown(void)
{
	const char *host = getenv("DOCKER_HOST");

	if (host != NULL && *host != '\0') {
		remove_container(scratch_name);
		remove_container(ev_name);
	}
	docker_global_cleanup();
}

/* Returns a client for the engine in DOCKER_HOST, after a successful ping. */
static struct docker *engine(const struct docker_options *opt)
{
	const char *host = getenv("DOCKER_HOST");
	char *why = NULL;
	char *socket;
	struct docker *d;

	ck_assert_msg(host != NULL && *host != '\0', "DOCKER_HOST must name the test engine");
	socket = docker_choose_socket(NULL, &why);
	ck_assert_msg(socket != NULL, "%s", why != NULL ? why : "");
	d = docker_new(socket, opt);
	free(socket);
	ck_assert_msg(docker_ping(d) == DOCKER_OK, "ping: %s", docker_error(d));
	ck_assert_msg(setup_error[0] == '\0', "%s", setup_error);
	return d;
}

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- output capture ----------------------------------------------------- */

struct buf {
	char *data;
	size_t len;
	size_t cap;
};

static void buf_add(struct buf *b, const char *data, size_t len)
{
	if (b->len + len + 1 > b->cap) {
		b->cap = (b->len + len + 1) * 2;
		b->data = realloc(b->data, b->cap);
		ck_assert_ptr_nonnull(b->data);
	}
	memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

struct output {
	struct buf out;
	struct buf err;
	int switches;          /* how often the stream changed between pieces */
	int last;
	int stop_after;        /* return 1 after this many pieces; 0: never */
	int pieces;
};

static int capture(enum demux_stream stream, const char *data, size_t len, void *arg)
{
	struct output *o = arg;

	if (o->pieces > 0 && o->last != (int)stream)
		o->switches++;
	o->last = (int)stream;
	o->pieces++;
	buf_add(stream == DEMUX_STDERR ? &o->err : &o->out, data, len);
	return o->stop_after > 0 && o->pieces >= o->stop_after;
}

static void output_free(struct output *o)
{
	free(o->out.data);
	free(o->err.data);
}

/* ---- tests --------------------------------------------------------------- */

START_TEST(test_ping_negotiates)
{
	struct docker *d = engine(NULL);

	ck_assert_int_ge(docker_api_compare(docker_api_version(d), DOCKER_API_MIN), 0);
	ck_assert_int_le(docker_api_compare(docker_api_version(d), DOCKER_API_MAX), 0);
	ck_assert_str_eq(docker_error(d), "");
	docker_free(d);
}
END_TEST

START_TEST(test_list_with_name_filter)
{
	struct docker *d = engine(NULL);
	struct docker_filters *f = docker_filters_new();
	json_t *list = NULL;

	docker_filters_add_exact_name(f, scratch_name);   /* the one builder, against the real engine */
	ck_assert_msg(docker_list_containers(d, 1, f, &list) == DOCKER_OK, "%s", docker_error(d));
	ck_assert_uint_eq(json_array_size(list), 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(list, 0), "Id")), scratch_id);
	json_decref(list);

	/* unfiltered, the scratch container is among them */
	ck_assert_int_eq(docker_list_containers(d, 0, NULL, &list), DOCKER_OK);
	ck_assert_uint_ge(json_array_size(list), 1);
	json_decref(list);
	docker_filters_free(f);
	docker_free(d);
}
END_TEST

START_TEST(test_inspect)
{
	struct docker *d = engine(NULL);
	json_t *c = NULL;
	json_t *state;

	ck_assert_msg(docker_inspect_container(d, scratch_id, &c) == DOCKER_OK, "%s", docker_error(d));
	ck_assert_str_eq(json_string_value(json_object_get(c, "Id")), scratch_id);
	state = json_object_get(c, "State");
	ck_assert(json_is_true(json_object_get(state, "Running")));
	ck_assert_int_gt(json_integer_value(json_object_get(state, "Pid")), 0);
	json_decref(c);

	/* by name too */
	ck_assert_int_eq(docker_inspect_container(d, scratch_name, &c), DOCKER_OK);
	ck_assert_str_eq(json_string_value(json_object_get(c, "Id")), scratch_id);
	json_decref(c);
	docker_free(d);
}
END_TEST

START_TEST(test_inspect_not_found)
{
	struct docker *d = engine(NULL);
	json_t *c = NULL;

	ck_assert_int_eq(docker_inspect_container(d, "nope", &c), DOCKER_ENOTFOUND);
	ck_assert_ptr_null(c);
	ck_assert_str_eq(docker_error(d), "engine said: No such container: nope");
	/* an id that needs escaping stays one path segment, query characters included */
	ck_assert_int_eq(docker_inspect_container(d, "nope?size=1&x=/y z#", &c), DOCKER_ENOTFOUND);
	ck_assert_str_eq(docker_error(d), "engine said: No such container: nope?size=1&x=/y z#");
	/* and the handle still works */
	ck_assert_int_eq(docker_inspect_container(d, scratch_id, &c), DOCKER_OK);
	ck_assert_str_eq(docker_error(d), "");
	json_decref(c);
	docker_free(d);
}
END_TEST

START_TEST(test_exec_exit_code_and_streams)
{
	const char *const argv[] = { "sh", "-c", "echo out; echo err >&2; exit 3", NULL };
	struct docker *d = engine(NULL);
	struct docker_exec_result res = { 99 };
	struct output o;

	memset(&o, 0, sizeof(o));
	ck_assert_msg(docker_exec(d, scratch_id, argv, 10000, capture, &o, &res) == DOCKER_OK, "%s",
		      docker_error(d));
	ck_assert_int_eq(res.exit_code, 3);
	ck_assert_uint_eq(o.out.len, 4);
	ck_assert_str_eq(o.out.data, "out\n");
	ck_assert_uint_eq(o.err.len, 4);
	ck_assert_str_eq(o.err.data, "err\n");
	output_free(&o);

	/* the same handle goes on working after the hijacked connection */
	memset(&o, 0, sizeof(o));
	{
		const char *const ok[] = { "true", NULL };

		ck_assert_int_eq(docker_exec(d, scratch_id, ok, 0, capture, &o, &res), DOCKER_OK);
		ck_assert_int_eq(res.exit_code, 0);
		ck_assert_uint_eq(o.out.len + o.err.len, 0);
	}
	ck_assert_int_eq(docker_ping(d), DOCKER_OK);
	output_free(&o);
	docker_free(d);
}
END_TEST

START_TEST(test_exec_large_interleaved_output)
{
	const char *const argv[] = { "sh", "-c",
				     "i=0; while [ $i -lt 160 ]; do seq $((i*1000+1)) $((i*1000+1000)); "
				     "echo e$i >&2; i=$((i+1)); done", NULL };
	struct docker *d = engine(NULL);
	struct docker_exec_result res = { 99 };
	struct output o;
	struct buf want_out = { NULL, 0, 0 };
	struct buf want_err = { NULL, 0, 0 };
	char line[32];

	for (int n = 1; n <= 160000; n++)
		buf_add(&want_out, line, (size_t)snprintf(line, sizeof(line), "%d\n", n));
	for (int n = 0; n < 160; n++)
		buf_add(&want_err, line, (size_t)snprintf(line, sizeof(line), "e%d\n", n));
	ck_assert_uint_gt(want_out.len, 1000000);

	memset(&o, 0, sizeof(o));
	ck_assert_msg(docker_exec(d, scratch_id, argv, 60000, capture, &o, &res) == DOCKER_OK, "%s",
		      docker_error(d));
	ck_assert_int_eq(res.exit_code, 0);
	ck_assert_uint_eq(o.out.len, want_out.len);
	ck_assert_int_eq(memcmp(o.out.data, want_out.data, want_out.len), 0);
	ck_assert_uint_eq(o.err.len, want_err.len);
	ck_assert_int_eq(memcmp(o.err.data, want_err.data, want_err.len), 0);
	ck_assert_int_ge(o.switches, 2);
	output_free(&o);
	free(want_out.data);
	free(want_err.data);
	docker_free(d);
}
END_TEST

START_TEST(test_exec_timeout)
{
	const char *const argv[] = { "sleep", "30", NULL };
	const char *const echo[] = { "echo", "still here", NULL };
	struct docker *d = engine(NULL);
	struct docker_exec_result res = { 99 };
	struct output o;
	long long start;
	json_t *c = NULL;

	memset(&o, 0, sizeof(o));
	start = mono_ms();
	ck_assert_int_eq(docker_exec(d, scratch_id, argv, 1000, capture, &o, &res), DOCKER_ETIMEOUT);
	ck_assert_int_lt(mono_ms() - start, 2000);
	ck_assert_int_ge(mono_ms() - start, 900);
	ck_assert_int_eq(res.exit_code, -1);
	ck_assert_msg(strstr(docker_error(d), "may still be running in the container") != NULL, "%s",
		      docker_error(d));
	ck_assert_ptr_nonnull(strstr(docker_error(d), "timed out after 1000 ms"));

	/* the same handle works after the timeout */
	ck_assert_int_eq(docker_inspect_container(d, scratch_id, &c), DOCKER_OK);
	json_decref(c);
	ck_assert_int_eq(docker_exec(d, scratch_id, echo, 5000, capture, &o, &res), DOCKER_OK);
	ck_assert_int_eq(res.exit_code, 0);
	ck_assert_str_eq(o.out.data, "still here\n");
	output_free(&o);
	docker_free(d);
}
END_TEST

START_TEST(test_exec_errors)
{
	const char *const argv[] = { "true", NULL };
	const char *const missing[] = { "/no/such/program", NULL };
	const char *const chatty[] = { "seq", "1", "100000", NULL };
	struct docker *d = engine(NULL);
	struct docker_exec_result res = { 99 };
	struct output o;

	memset(&o, 0, sizeof(o));
	ck_assert_int_eq(docker_exec(d, "nope", argv, 5000, capture, &o, &res), DOCKER_ENOTFOUND);
	ck_assert_str_eq(docker_error(d), "engine said: No such container: nope");
	ck_assert_int_eq(res.exit_code, -1);

	/* a program that does not exist: the engine reports it as exit code 126/127 */
	ck_assert_int_eq(docker_exec(d, scratch_id, missing, 5000, capture, &o, &res), DOCKER_OK);
	ck_assert_int_ge(res.exit_code, 126);

	/* the callback stops the stream: DOCKER_ESTOPPED, and the handle still works */
	output_free(&o);
	memset(&o, 0, sizeof(o));
	o.stop_after = 1;
	ck_assert_int_eq(docker_exec(d, scratch_id, chatty, 5000, capture, &o, &res), DOCKER_ESTOPPED);
	ck_assert_int_eq(o.pieces, 1);
	ck_assert_int_eq(docker_ping(d), DOCKER_OK);
	output_free(&o);
	docker_free(d);
}
END_TEST

START_TEST(test_response_cap)
{
	struct docker_options opt = { 0, 0, 64 };
	struct docker *d = engine(&opt);
	json_t *c = NULL;

	ck_assert_int_eq(docker_inspect_container(d, scratch_id, &c), DOCKER_ETOOBIG);
	ck_assert_ptr_null(c);
	ck_assert_ptr_nonnull(strstr(docker_error(d), "exceeded 64 bytes"));
	ck_assert_int_eq(docker_ping(d), DOCKER_OK);
	docker_free(d);
}
END_TEST

struct seen_events {
	char actions[512];
	int count;
	int stop_after;
};

static int on_event(json_t *ev, void *arg)
{
	struct seen_events *s = arg;
	const char *action = json_string_value(json_object_get(ev, "Action"));
	const char *name = json_string_value(json_object_get(json_object_get(json_object_get(ev, "Actor"),
									    "Attributes"), "name"));

	ck_assert_ptr_nonnull(action);
	ck_assert_ptr_nonnull(name);
	ck_assert_str_eq(name, ev_name);
	s->count++;
	strncat(s->actions, action, sizeof(s->actions) - strlen(s->actions) - 2);
	strcat(s->actions, " ");
	return s->stop_after > 0 && s->count >= s->stop_after;
}

START_TEST(test_events_window)
{
	const char *const run_argv[] = { "docker", "run", "--name", ev_name, "--network", "none", IMAGE,
					 "true", NULL };
	const char *const rm_argv[] = { "docker", "rm", ev_name, NULL };
	struct docker *d = engine(NULL);
	struct docker_filters *f = docker_filters_new();
	struct seen_events s;
	char since[32], until[32];
	char out[256];
	long long start;

	snprintf(since, sizeof(since), "%lld", (long long)time(NULL) - 1);
	ck_assert_int_eq(run(run_argv, out, sizeof(out)), 0);
	ck_assert_int_eq(run(rm_argv, out, sizeof(out)), 0);
	snprintf(until, sizeof(until), "%lld", (long long)time(NULL) + 1);
	docker_filters_add(f, "type", "container");
	docker_filters_add(f, "container", ev_name);

	memset(&s, 0, sizeof(s));
	start = mono_ms();
	ck_assert_msg(docker_events(d, since, until, f, on_event, &s) == DOCKER_OK, "%s", docker_error(d));
	ck_assert_int_lt(mono_ms() - start, 10000);
	{
		static const char *const want[] = { "create ", "start ", "die ", "destroy ", NULL };
		const char *at = s.actions;

		for (size_t i = 0; want[i] != NULL; i++) {
			at = strstr(at, want[i]);
			ck_assert_msg(at != NULL, "no %s(in order) among: %s", want[i], s.actions);
		}
	}
	ck_assert_str_eq(docker_error(d), "");

	/* a callback that stops: DOCKER_ESTOPPED after one event, and the handle still works */
	memset(&s, 0, sizeof(s));
	s.stop_after = 1;
	ck_assert_int_eq(docker_events(d, since, NULL, f, on_event, &s), DOCKER_ESTOPPED);
	ck_assert_int_eq(s.count, 1);
	ck_assert_int_eq(docker_ping(d), DOCKER_OK);

	docker_filters_free(f);
	docker_free(d);
}
END_TEST

START_TEST(test_socket_from_docker_host_is_used)
{
	const char *host = getenv("DOCKER_HOST");
	struct docker *d = engine(NULL);

	ck_assert_msg(strncmp(host, "unix://", 7) == 0, "DOCKER_HOST=%s", host);
	ck_assert_str_eq(docker_socket(d), host + 7);
	docker_free(d);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("engine");
	TCase *tc = tcase_create("engine");

	tcase_add_unchecked_fixture(tc, scratch_setup, scratch_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_ping_negotiates);
	tcase_add_test(tc, test_socket_from_docker_host_is_used);
	tcase_add_test(tc, test_list_with_name_filter);
	tcase_add_test(tc, test_inspect);
	tcase_add_test(tc, test_inspect_not_found);
	tcase_add_test(tc, test_exec_exit_code_and_streams);
	tcase_add_test(tc, test_exec_large_interleaved_output);
	tcase_add_test(tc, test_exec_timeout);
	tcase_add_test(tc, test_exec_errors);
	tcase_add_test(tc, test_response_cap);
	tcase_add_test(tc, test_events_window);
	suite_add_tcase(s, tc);
	return s;
}
