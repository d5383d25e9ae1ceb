#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "jobs/cleanup.h"
#include "lib/progress.h"
#include "engine/docker.h"
#include "lib/lines.h"
#include "lib/log.h"
#include "lib/pool.h"
#include "lib/shutdown.h"
#include "lib/xalloc.h"

#define CLEANUP_MAX_LINE 4096

struct cleanup_batch {
	const struct cleanup_policy *policy;
	const char *socket;
	int dry_run;
	struct cleanup_task *tasks;
};

struct output {
	struct cleanup_task *task;
	const char *stream;
	struct lines split;
};

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void keep_tail(struct strlist *tail, const char *line)
{
	if (tail->n == CLEANUP_TAIL_LINES) {
		free(tail->v[0]);
		memmove(tail->v, tail->v + 1, (tail->n - 1) * sizeof(*tail->v));
		tail->n--;
	}
	strlist_add(tail, line);
}

static int on_line(const char *line, size_t len, int truncated, void *arg)
{
	struct output *o = arg;

	(void)len;
	log_info("container %s: cleanup %s: %s%s", o->task->container, o->stream, line, truncated ? " [cut]" : "");
	keep_tail(&o->task->tail, line);
	return 0;
}

static int on_output(enum demux_stream stream, const char *data, size_t len, void *arg)
{
	struct output *outs = arg;

	return lines_feed(&outs[stream == DEMUX_STDERR ? 1 : 0].split, data, len, on_line,
			  &outs[stream == DEMUX_STDERR ? 1 : 0]);
}

/* The command's program must be an executable regular file in the container. */
static int command_present(const struct ctrfs *fs, const char *program)
{
	struct stat st;
	int fd = ctrfs_open_path(fs, program, O_PATH, 0);
	int ok;

	if (fd < 0)
		return 0;
	ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111) != 0;
	close(fd);
	return ok;
}

static void run_one(size_t i, void *arg)
{
	const struct cleanup_batch *b = arg;
	struct cleanup_task *t = &b->tasks[i];
	struct docker_exec_result res = { -1 };
	struct output outs[2] = { { t, "stdout", { 0 } }, { t, "stderr", { 0 } } };
	struct docker *d;
	long start = now_ms();
	int st;

	t->exit_code = -1;
	t->present = command_present(t->fs, b->policy->command.v[0]);
	if (!t->present || b->dry_run)
		return;
	lines_init(&outs[0].split, CLEANUP_MAX_LINE);
	lines_init(&outs[1].split, CLEANUP_MAX_LINE);
	d = docker_new(b->socket, NULL);
	progress_begin("cleanup.sh", t->container, NULL, 0);
	st = docker_ping(d);
	if (st == DOCKER_OK) {
		t->ran = 1;
		st = docker_exec(d, t->container_id, (const char *const *)b->policy->command.v,
				 (unsigned)(b->policy->timeout * 1000), on_output, outs, &res);
	}
	progress_end();
	lines_flush(&outs[0].split, on_line, &outs[0]);
	lines_flush(&outs[1].split, on_line, &outs[1]);
	lines_free(&outs[0].split);
	lines_free(&outs[1].split);
	t->ms = now_ms() - start;
	t->exit_code = res.exit_code;
	if (st == DOCKER_ETIMEOUT) {
		t->timed_out = 1;
		t->error = xasprintf("timed out after %lu s; the engine cannot stop an exec, so it may still be "
				     "running in the container",
				     (unsigned long)b->policy->timeout);
	} else if (st != DOCKER_OK) {
		t->error = xstrdup(docker_error(d));
	}
	docker_free(d);
	/* A stop that cuts the job short is asked for, not a failure: still
	 * recorded as not done (it runs again in the next window), but no error. */
	if (st == DOCKER_ESTOPPED && shutdown_requested())
		log_warnx("container %s: cleanup: cut short because rotd is stopping; it may still be running in "
			  "the container and runs again in the next window",
			  t->container);
	else if (t->error)
		log_errorx("container %s: cleanup: %s", t->container, t->error);
	else if (t->exit_code != 0)
		log_errorx("container %s: cleanup exited %d", t->container, t->exit_code);
	else
		log_info("container %s: cleanup done in %ld ms", t->container, t->ms);
}

void cleanup_run(const struct cleanup_policy *policy, const char *socket, int dry_run, struct cleanup_task *tasks,
		 size_t n)
{
	struct cleanup_batch b = { policy, socket, dry_run, tasks };

	pool_run(n, policy->concurrency ? policy->concurrency : 1, run_one, &b);
}

int cleanup_failed(const struct cleanup_task *t)
{
	return t->error != NULL || (t->ran && t->exit_code != 0);
}

void cleanup_task_free(struct cleanup_task *t)
{
	free(t->error);
	strlist_free(&t->tail);
	t->error = NULL;
}
