#include "autoconf.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "lib/pool.h"
#include "lib/xalloc.h"

struct pool {
	size_t n;
	size_t next;           /* the next task to hand out; guarded by lock */
	pool_task_fn fn;
	void *arg;
	pthread_mutex_t lock;
};

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
		p->fn(i, p->arg);
	}
}

void pool_run(size_t n, unsigned threads, pool_task_fn fn, void *arg)
{
	struct pool p = { n, 0, fn, arg, PTHREAD_MUTEX_INITIALIZER };
	pthread_t *tids;
	size_t started = 0;

	if (n == 0)
		return;
	if (threads == 0) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);

		threads = cpus > 0 ? (unsigned)cpus : 1;
	}
	if (threads > n)
		threads = (unsigned)n;
	tids = xcalloc(threads, sizeof(*tids));
	for (unsigned i = 0; i < threads; i++)
		if (pthread_create(&tids[started], NULL, worker, &p) == 0)
			started++;
	if (started == 0)
		worker(&p);
	for (size_t i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	free(tids);
	pthread_mutex_destroy(&p.lock);
}
