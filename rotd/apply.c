#include "autoconf.h"

#include <stdlib.h>

#include "apply.h"
#include "crashpoint.h"
#include "log.h"
#include "pool.h"
#include "shutdown.h"
#include "xalloc.h"

static void run_unit(struct apply_unit *u, time_t now)
{
	if (shutdown_requested()) {
		if (u->main != NULL)
			u->main_outcome->note = xstrdup("not started: rotd is stopping");
		return;
	}
	if (u->main != NULL) {
		rotate_run(u->target, u->main, u->dir_fd, now, u->main_outcome);
		if (u->main_outcome->error)
			log_errorx("container %s: %s", u->target->container, u->main_outcome->error);
		/* Without the new archive, pruning would leave fewer than keep. */
		if (!u->main_outcome->done)
			return;
	}
	for (size_t i = 0; i < u->n_prunes; i++) {
		if (i == 1)
			crashpoint("pruning");
		if (rotate_prune(u->dir_fd, u->prunes[i]->archive, u->prune_outcomes[i]) < 0)
			log_errorx("container %s: %s", u->target->container, u->prune_outcomes[i]->error);
	}
}

struct apply_batch {
	struct apply_unit *units;
	time_t now;
};

static void run_unit_task(size_t i, void *arg)
{
	const struct apply_batch *b = arg;

	run_unit(&b->units[i], b->now);
}

void apply_run(struct apply_unit *units, size_t n, unsigned jobs, time_t now)
{
	struct apply_batch b = { units, now };

	pool_run(n, jobs, run_unit_task, &b);
}
