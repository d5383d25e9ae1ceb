/* docker_exec_lines (declared in docker.h): docker_exec with a client of its own,
 * its output split into lines. Kept apart from docker.c, the client itself, and
 * built only on its public calls. */
#include "autoconf.h"

#include <stddef.h>

#include "engine/docker.h"
#include "lib/lines.h"
#include "lib/xalloc.h"

/* One of an exec's output streams, split into lines. */
struct exec_output {
	const char *name;
	struct lines split;
	docker_line_cb cb;
	void *arg;
};

static int exec_output_line(const char *line, size_t len, int truncated, void *arg)
{
	const struct exec_output *o = arg;

	return o->cb(o->name, line, len, truncated, o->arg);
}

/* arg is the stdout and the stderr exec_output, in that order. */
static int exec_output_split(enum demux_stream stream, const char *data, size_t len, void *arg)
{
	struct exec_output *o = (struct exec_output *)arg + (stream == DEMUX_STDERR ? 1 : 0);

	return lines_feed(&o->split, data, len, exec_output_line, o);
}

int docker_exec_lines(const char *socket_path, const char *id, const char *const argv[], unsigned timeout_ms,
		      docker_line_cb cb, void *arg, struct docker_exec_outcome *out)
{
	struct exec_output outputs[2] = { { "stdout", { 0 }, cb, arg }, { "stderr", { 0 }, cb, arg } };
	struct docker_exec_result res = { -1 };
	struct docker *d = docker_new(socket_path, NULL);
	int rc;

	lines_init(&outputs[0].split, DOCKER_EXEC_LINE_MAX);
	lines_init(&outputs[1].split, DOCKER_EXEC_LINE_MAX);
	out->started = 0;
	rc = docker_ping(d);
	if (rc == DOCKER_OK) {
		out->started = 1;
		rc = docker_exec(d, id, argv, timeout_ms, exec_output_split, outputs, &res);
	}
	for (size_t i = 0; i < 2; i++) {
		lines_flush(&outputs[i].split, exec_output_line, &outputs[i]);
		lines_free(&outputs[i].split);
	}
	out->exit_code = res.exit_code;
	out->error = rc != DOCKER_OK ? xstrdup(docker_error(d)) : NULL;
	docker_free(d);
	return rc;
}
