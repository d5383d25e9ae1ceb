/* apply: carries out planned rotations on a bounded pool of worker threads.
 * Each unit is one source log's work: its ROTATE or ARCHIVE_IDLE, then the PRUNEs
 * of its stem, which run only once the new archive is durable. */
#ifndef ROTD_APPLY_H
#define ROTD_APPLY_H

#include <stddef.h>
#include <time.h>

#include "plan.h"
#include "rotate.h"

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
 * all are done. Outcomes are written through the unit's pointers. Once a
 * shutdown is requested (shutdown.h), units not yet started are left alone with
 * the note "not started: rotd is stopping". */
void apply_run(struct apply_unit *units, size_t n, unsigned jobs, time_t now);

#endif
