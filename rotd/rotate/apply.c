#include "autoconf.h"

#include <stdlib.h>

#include "rotate/apply.h"
#include "lib/crashpoint.h"
#include "lib/log.h"
#include "lib/pool.h"
#include "lib/shutdown.h"
#include "lib/xalloc.h"

/* Notes why the unit's prunes that nothing decided yet are left alone. */
static void keep_prunes(struct apply_unit *u, const char *why)
{
	for (size_t i = 0; i < u->n_prunes; i++)
		if (u->prune_outcomes[i]->note == NULL && u->prune_outcomes[i]->error == NULL)
			u->prune_outcomes[i]->note = xstrdup(why);
}

static void run_unit(struct apply_unit *u, time_t now)
{
	if (shutdown_requested()) {
		if (u->main != NULL)
			u->main_outcome->note = xstrdup("not started: rotd is stopping");
		keep_prunes(u, "not started: rotd is stopping");
		return;
	}
	if (u->main != NULL) {
		rotate_run(u->target, u->main, u->dir_fd, now, u->main_outcome);
		/* A compression abandoned by a stop was asked for: a warning, not an
		 * error (the source is whole; the next pass does it again). */
		if (u->main_outcome->error && shutdown_abandon())
			log_warnx("container %s: %s", u->target->container, u->main_outcome->error);
		else if (u->main_outcome->error)
			log_errorx("container %s: %s", u->target->container, u->main_outcome->error);
		/* Without the new archive, pruning would leave fewer than keep. */
		if (!u->main_outcome->done) {
			keep_prunes(u, "kept: the new archive of its log failed");
			return;
		}
	}
	for (size_t i = 0; i < u->n_prunes; i++) {
		if (i == 1)
			crashpoint("pruning");
		/* Kept back by the pass, or the new archive of a file that was not made. */
		if (u->prune_outcomes[i]->note != NULL || u->prune_outcomes[i]->error != NULL ||
		    u->prunes[i]->archive == NULL)
			continue;
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
