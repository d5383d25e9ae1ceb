#include "autoconf.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "apply.h"
#include "crashpoint.h"
#include "log.h"
#include "xalloc.h"

struct pool {
	struct apply_unit *units;
	size_t n;
	size_t next;          /* the next unit to hand out; guarded by lock */
	time_t now;
	pthread_mutex_t lock;
};

static void run_unit(struct apply_unit *u, time_t now)
{
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

static void *worker(void *arg)
{
	struct pool *p = arg;

	for (;;) {
		size_t i;

		pthread_mutex_lock(&p->lock);
		i = p->next < p->n ? p->next++ : p->n;
		pthread_mutex_unlock(&p->lock);
		if (i == p->n)
			return NULL;
		run_unit(&p->units[i], p->now);
	}
}

void apply_run(struct apply_unit *units, size_t n, unsigned jobs, time_t now)
{
	struct pool p = { units, n, 0, now, PTHREAD_MUTEX_INITIALIZER };
	pthread_t *threads;
	size_t started = 0;

	if (n == 0)
		return;
	if (jobs == 0) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);

		jobs = cpus > 0 ? (unsigned)cpus : 1;
	}
	if (jobs > n)
		jobs = (unsigned)n;
	threads = xcalloc(jobs, sizeof(*threads));
	for (unsigned i = 0; i < jobs; i++)
		if (pthread_create(&threads[started], NULL, worker, &p) == 0)
			started++;
	if (started == 0)
		worker(&p); /* no thread could start: do the work here */
	for (size_t i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	free(threads);
	pthread_mutex_destroy(&p.lock);
}
