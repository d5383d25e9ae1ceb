/* jobs: the off-peak work of a pass — the image's cleanup script in each
 * container, media pruning once per media volume, and the client's own garbage
 * collectors. With the window respected (the daemon, --respect-window) each runs
 * only inside the window and once per window per subject, as the state file
 * records; rotd --now alone runs them regardless. */
#ifndef ROTD_JOBS_H
#define ROTD_JOBS_H

#include <stdint.h>
#include <time.h>

#include "jobs/cleanup.h"
#include "config/config.h"
#include "jobs/media.h"
#include "rotate/pass.h"
#include "lib/strlist.h"

/* Why a job did not run for a subject. */
enum job_skip {
	JOB_RUN = 0,            /* it ran (or, in a dry run, would run) */
	JOB_OUTSIDE_WINDOW,     /* the window is respected and closed */
	JOB_DONE_THIS_WINDOW,   /* the window is respected and it already succeeded in it */
};

/* What one media rule pruned (or, in a dry run, would prune) in one volume.
 * Bounded: counts for every file, the paths of the first JOBS_MEDIA_PATHS. */
struct media_rule_sum {
	char *name;             /* the rule's name, e.g. "outgoing" */
	char *path;             /* its folder under the media root, as configured */
	uint64_t older_than;    /* seconds: the rule's max-age, or the floor when that is more */
	uint64_t files;         /* files pruned (would be) */
	uint64_t bytes;         /* their sizes */
	uint64_t kept_young;    /* files it matched but kept as too young */
	uint64_t skipped;       /* symlinks, hard links, special files, other filesystems */
	uint64_t n_errors;
	time_t oldest;          /* the oldest and newest mtime among the files; 0 when none */
	time_t newest;
	struct strlist paths;   /* the first JOBS_MEDIA_PATHS files, in walk order */
};

#define JOBS_MEDIA_PATHS 1000

struct media_job {
	char *key;              /* "volume:NAME", "bind:SOURCE": pruned once per key */
	const char *via;        /* the container whose root reaches it (borrowed name) */
	enum job_skip skip;
	int ran;
	struct media_result result;   /* summed over the rules */
	struct media_rule_sum *rules; /* one per configured rule, in config order, when ran */
	size_t n_rules;
};

struct jobs {
	int respect_window;
	int window_open;
	time_t window_start;
	int dry_run;
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

/* Runs the jobs for the running containers of pass p (after its rotations).
 * Media are walked rule by rule and summed per rule (struct media_rule_sum);
 * nothing is printed while they run: with -v each file pruned (or that would
 * be) is logged at debug level as it is found. Fills *j (free with jobs_free). */
void jobs_run(struct jobs *j, const struct rotd_config *cfg, const struct pass *p, int dry_run,
	      int respect_window, time_t now);

/* Counts one file of rule summary s (its path inside the container, size and
 * mtime); keeps a copy of path only while fewer than JOBS_MEDIA_PATHS are kept. */
void jobs_media_count(struct media_rule_sum *s, const char *path, uint64_t size, time_t mtime);

/* Frees what s owns. */
void jobs_media_rule_free(struct media_rule_sum *s);

/* Frees what j owns. */
void jobs_free(struct jobs *j);

/* 1 when any job failed (cleanup exit != 0 or timeout, media errors, GC error,
 * state not saved), else 0. */
int jobs_failed(const struct jobs *j);

/* "outside the window", "already done in this window", or "" for JOB_RUN. */
const char *jobs_skip_reason(enum job_skip skip);

#endif
