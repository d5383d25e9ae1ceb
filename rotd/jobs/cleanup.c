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
#include "lib/log.h"
#include "lib/pool.h"
#include "lib/shutdown.h"
#include "lib/xalloc.h"

struct cleanup_batch {
	const struct cleanup_policy *policy;
	const char *socket;
	int dry_run;
	struct cleanup_task *tasks;
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

static int on_line(const char *stream, const char *line, size_t len, int truncated, void *arg)
{
	struct cleanup_task *t = arg;

	(void)len;
	log_info("container %s: cleanup %s: %s%s", t->container, stream, line, truncated ? " [cut]" : "");
	keep_tail(&t->tail, line);
	return 0;
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
	struct docker_exec_outcome out;
	long start = now_ms();
	int st;

	t->exit_code = -1;
	t->present = command_present(t->fs, b->policy->command.v[0]);
	if (!t->present || b->dry_run)
		return;
	progress_begin("cleanup.sh", t->container, NULL, 0);
	st = docker_exec_lines(b->socket, t->container_id, (const char *const *)b->policy->command.v,
			       (unsigned)(b->policy->timeout * 1000), on_line, t, &out);
	progress_end();
	t->ran = out.started;
	t->ms = now_ms() - start;
	t->exit_code = out.exit_code;
	if (st == DOCKER_ETIMEOUT) {
		t->timed_out = 1;
		t->error = xasprintf("timed out after %lu s; the engine cannot stop an exec, so it may still be "
				     "running in the container",
				     (unsigned long)b->policy->timeout);
		free(out.error);
	} else {
		t->error = out.error;
	}
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
