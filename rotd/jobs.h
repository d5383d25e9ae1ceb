/* jobs: the off-peak work of a pass — the image's cleanup script in each
 * container, media pruning once per media volume, and the client's own garbage
 * collectors. With the window respected (the daemon, --respect-window) each runs
 * only inside the window and once per window per subject, as the state file
 * records; rotd --now alone runs them regardless. */
#ifndef ROTD_JOBS_H
#define ROTD_JOBS_H

#include <stdio.h>
#include <time.h>

#include "cleanup.h"
#include "config.h"
#include "media.h"
#include "pass.h"
#include "strlist.h"

/* Why a job did not run for a subject. */
enum job_skip {
	JOB_RUN = 0,            /* it ran (or, in a dry run, would run) */
	JOB_OUTSIDE_WINDOW,     /* the window is respected and closed */
	JOB_DONE_THIS_WINDOW,   /* the window is respected and it already succeeded in it */
};

struct media_job {
	char *key;              /* "volume:NAME", "bind:SOURCE": pruned once per key */
	const char *via;        /* the container whose root reaches it (borrowed name) */
	enum job_skip skip;
	int ran;
	struct media_result result;
	struct strlist sample;  /* dry run: the first paths that would go (JSON report) */
};

struct jobs {
	int respect_window;
	int window_open;
	time_t window_start;
	int dry_run;
	FILE *listing;          /* dry run, text: where each would-be-pruned path is streamed, or NULL */
	struct cleanup_task *cleanup;
	enum job_skip *cleanup_skip;
	size_t n_cleanup;
	struct media_job *media;
	size_t n_media;
	int gc_enabled;
	enum job_skip gc_skip;
	int gc_ran;
	char *gc_error;         /* one line, or NULL */
	char *state_warning;    /* the state file was missing pieces or corrupt */
	char *state_error;      /* the state file could not be saved */
};

#define JOBS_SAMPLE_MAX 1000

/* Runs the jobs for the running containers of pass p (after its rotations).
 * listing, in a dry run, receives "would prune PATH (SIZE)" lines as the media
 * walk finds them (NULL: none). Fills *j (free with jobs_free). */
void jobs_run(struct jobs *j, const struct rotd_config *cfg, const struct pass *p, int dry_run,
	      int respect_window, FILE *listing, time_t now);

/* Frees what j owns. */
void jobs_free(struct jobs *j);

/* 1 when any job failed (cleanup exit != 0 or timeout, media errors, GC error,
 * state not saved), else 0. */
int jobs_failed(const struct jobs *j);

/* "outside the window", "already done in this window", or "" for JOB_RUN. */
const char *jobs_skip_reason(enum job_skip skip);

#endif
