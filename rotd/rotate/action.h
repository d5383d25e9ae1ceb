/* action: one thing a pass does to a container's logs, and the plan that lists
 * them. plan.h decides the rotations, retention.h the prunes; apply carries
 * them out and report shows them. */
#ifndef ROTD_ACTION_H
#define ROTD_ACTION_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "config/config.h"
#include "rotate/scan.h"

enum action_kind {
	ACTION_ROTATE,         /* over its size: archive its content, then cut it (policy->method) */
	ACTION_ARCHIVE_IDLE,   /* not the newest of its glob and idle: archive whole, then remove */
	ACTION_PRUNE,          /* an archive retention drops (beyond keep, past max-age, over the
	                          folder's max-size, or an emergency): removed once the new
	                          archive of its log is durable */
	ACTION_SKIP,           /* matched but must not be touched (not a single-link regular file) */
};

struct action {
	enum action_kind kind;
	const struct log_file *file;       /* the source (borrowed from scan); for PRUNE, the source
	                                      whose archive it is when that is a current log counted
	                                      per file, or the file whose new archive it drops (see
	                                      archive); else NULL */
	const struct log_policy *policy;   /* the source's effective policy (borrowed from the config) */
	char *stem;                        /* archive name stem of the source, see archive_name_stem */
	char *archive;                     /* PRUNE: the archive's file name in policy->archive_dir;
	                                      NULL for the archive that file's ROTATE or ARCHIVE_IDLE
	                                      makes in this pass, which keep drops once it is made
	                                      (the pass fills in its name then) */
	char *group;                       /* PRUNE: the log its archive counts for: the source's path
	                                      for rotated logs (also of one that is gone), the pattern
	                                      for files archived whole, the stem for an archive no
	                                      pattern claims; ROTATE, ARCHIVE_IDLE: the group its new
	                                      archive joins. NULL for SKIP */
	time_t archive_time;               /* PRUNE: the time in the archive's name (now for a new one) */
	uint64_t archive_size;             /* PRUNE: its size in bytes (0: unknown, or a new one) */
	char *reason;                      /* one line for the report, e.g. "25.0 MiB > 20.0 MiB" */
	int has_newest;                    /* ROTATE, ARCHIVE_IDLE: the new archive's name must sort
	                                      after the name at newest_t, newest_seq: the newest of
	                                      its group (its stem's included), or, when the pass
	                                      archives several files of the group, the name the
	                                      previous one (by mtime, then path) gets */
	time_t newest_t;
	unsigned newest_seq;
};

struct plan {
	struct action *v;      /* ordered as plan_make describes */
	size_t n;
};

/* Appends an action of kind for file f (may be NULL) with policy pol, a copy of
 * stem and reason (taken); *cap is p->v's capacity, grown as needed. Returns
 * the new action (valid until the next append), its other fields zero. */
struct action *action_push(struct plan *p, size_t *cap, enum action_kind kind, const struct log_file *f,
			   const struct log_policy *pol, const char *stem, char *reason);

/* Frees what p owns and empties it. */
void plan_free(struct plan *p);

/* "rotate", "archive-idle", "prune", "skip". */
const char *plan_action_name(enum action_kind kind);

#endif
