/* cleanup: runs the image's own cleanup script in containers through docker
 * exec, a bounded number of containers at a time, with a timeout per exec. */
#ifndef ROTD_CLEANUP_H
#define ROTD_CLEANUP_H

#include <stddef.h>

#include "config/config.h"
#include "rotate/ctrfs.h"
#include "lib/strlist.h"

#define CLEANUP_TAIL_LINES 20

/* One container's run. */
struct cleanup_task {
	const char *container;     /* name (borrowed) */
	const char *container_id;  /* (borrowed) */
	const struct ctrfs *fs;    /* its files, to check the command exists (borrowed) */
	int present;               /* the command's program is an executable file in it */
	int ran;                   /* the exec started */
	int exit_code;             /* -1 when unknown */
	int timed_out;             /* gave up waiting; it may still run in the container */
	char *error;               /* why it could not run, or NULL */
	struct strlist tail;       /* its last CLEANUP_TAIL_LINES lines of output */
	long ms;                   /* how long it took */
};

/* Runs policy->command in each task's container (unless dry_run, which only
 * checks presence), policy->concurrency at a time, logging every output line
 * tagged with the container's name. Fills the tasks' outcomes. */
void cleanup_run(const struct cleanup_policy *policy, const char *socket, int dry_run, struct cleanup_task *tasks,
		 size_t n);

/* Whether the task counts as a failure (ran and failed, timed out, or errored). */
int cleanup_failed(const struct cleanup_task *t);

/* Frees what t owns. */
void cleanup_task_free(struct cleanup_task *t);

#endif
