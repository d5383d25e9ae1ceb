/* apply: carries out planned rotations on a bounded pool of worker threads.
 * Each unit is one source log's work: its ROTATE or ARCHIVE_IDLE, then the PRUNEs
 * of its own log, which run only once the new archive is durable; or PRUNEs alone,
 * which the pass runs only after every unit with a main action finished. */
#ifndef ROTD_APPLY_H
#define ROTD_APPLY_H

#include <stddef.h>
#include <time.h>

#include "rotate/plan.h"
#include "rotate/rotate.h"

struct apply_unit {
	const struct rotate_target *target;
	int dir_fd;                       /* the archive folder of the unit's policy */
	const struct action *main;        /* ROTATE or ARCHIVE_IDLE, or NULL for prunes alone */
	struct rotate_outcome *main_outcome;
	const struct action **prunes;     /* owned array of borrowed actions */
	struct rotate_outcome **prune_outcomes;
	size_t n_prunes;
};

/* Runs every unit on min(jobs, n) threads (jobs 0: one per CPU) and returns when
 * all are done. Outcomes are written through the unit's pointers. A PRUNE whose
 * outcome already holds a note or an error, or that has no archive name, is left
 * alone. When the main action is
 * not done, the unit's PRUNEs are left alone with the note "kept: the new archive
 * of its log failed". Once a shutdown is requested (shutdown.h), units not yet
 * started are left alone with the note "not started: rotd is stopping". */
void apply_run(struct apply_unit *units, size_t n, unsigned jobs, time_t now);

#endif
