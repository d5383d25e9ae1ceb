#include "autoconf.h"

#include <errno.h>
#include <linux/ioprio.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "config/config.h"
#include "engine/docker.h"
#include "engine/inventory.h"
#include "lib/heartbeat.h"
#include "lib/log.h"
#include "lib/shutdown.h"
#include "lib/units.h"
#include "lib/xalloc.h"
#include "report/metrics.h"
#include "usage/usage.h"
#include "usage_refresh.h"

#define USAGE_RETRY_S 60         /* the usage refresh found no engine: try again this soon */
#define USAGE_NICE 10            /* the usage refresh's CPU niceness */

enum usage_problem { USAGE_PROBLEM_PRIORITY, USAGE_PROBLEM_ENGINE, USAGE_PROBLEM_MEASURE, USAGE_PROBLEMS };

struct usage_refresh {
	pthread_t tid;
	struct metrics *metrics;        /* the daemon's; metrics_set_usage is the one call made on it */
	int wake_fd;                    /* the loop's wake pipe */
	pthread_mutex_t lock;
	pthread_cond_t changed;         /* a stop, or a new config */
	/* guarded by lock: */
	int stop;
	int new_config;
	struct rotd_config *cfg;        /* the loop's config in use */
	struct rotd_config *busy;       /* the config a refresh measures with, or NULL */
	struct rotd_config *retired;    /* replaced while busy: the thread frees it */
	int fresh;                      /* the metrics hold a refresh the loop has not published */
	/* the thread's own: */
	unsigned logged;                /* 1 << enum usage_problem: logged, not yet cleared */
};

/* Logs problem once until usage_problem_clear(kind): the refresh repeats every
 * usage-interval, its errors need not. */
static void usage_problem(struct usage_refresh *r, enum usage_problem kind, const char *problem)
{
	if (r->logged & (1U << kind))
		return;
	r->logged |= 1U << kind;
	log_warnx("usage refresh: %s (said once until it clears)", problem);
}

static void usage_problem_clear(struct usage_refresh *r, enum usage_problem kind)
{
	r->logged &= ~(1U << kind);
}

/* docker_cancel_fn: ends the refresh's transfers on a stop. */
static int usage_refresh_cancelled(void *arg)
{
	struct usage_refresh *r = arg;
	int stop;

	pthread_mutex_lock(&r->lock);
	stop = r->stop;
	pthread_mutex_unlock(&r->lock);
	return stop || shutdown_requested();
}

/* The calling thread at idle I/O priority (its I/O waits for a disk no one
 * else uses) and niced. */
static void usage_refresh_lower_priority(struct usage_refresh *r)
{
	pid_t tid = (pid_t)syscall(SYS_gettid);

	if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, tid, IOPRIO_PRIO_VALUE(IOPRIO_CLASS_IDLE, 0)) < 0) {
		char *why = xasprintf("cannot lower its I/O priority to idle: %s", strerror(errno));

		usage_problem(r, USAGE_PROBLEM_PRIORITY, why);
		free(why);
	}
	/* On Linux a thread id names one thread: only this one is niced. */
	if (setpriority(PRIO_PROCESS, (id_t)tid, USAGE_NICE) < 0)
		log_debug("usage refresh: cannot nice itself: %s", strerror(errno));
}

/* One refresh with cfg. Returns 0, or -1 when the engine could not list the
 * containers (nothing changed then). */
static int usage_refresh_once(struct usage_refresh *r, const struct rotd_config *cfg)
{
	struct docker_options dopt = { 0, cfg->docker_timeout_ms, 0 };
	char *why = NULL, *socket = docker_choose_socket(cfg->docker_socket, &why);
	struct inventory inv;
	struct docker *d;
	struct usage u;
	int st;

	if (socket == NULL) {
		usage_problem(r, USAGE_PROBLEM_ENGINE, why);
		free(why);
		return -1;
	}
	d = docker_new(socket, &dopt);
	docker_set_cancel(d, usage_refresh_cancelled, r);
	st = docker_ping(d);
	if (st == DOCKER_OK)
		st = inventory_build(d, cfg, NULL, &inv);
	if (st != DOCKER_OK) {
		if (!usage_refresh_cancelled(r)) {
			why = xasprintf("cannot list containers: %s; trying again within %d s", docker_error(d),
					USAGE_RETRY_S);
			usage_problem(r, USAGE_PROBLEM_ENGINE, why);
			free(why);
		}
		docker_free(d);
		free(socket);
		return -1;
	}
	usage_problem_clear(r, USAGE_PROBLEM_ENGINE);
	usage_collect(d, cfg, &inv, time(NULL), &u);
	if (!usage_refresh_cancelled(r)) {
		if (u.errors.n > 0) {
			why = xasprintf("%zu figure%s could not be measured, first: %s; see rotd usage", u.errors.n,
					u.errors.n == 1 ? "" : "s", u.errors.v[0]);
			usage_problem(r, USAGE_PROBLEM_MEASURE, why);
			free(why);
		} else {
			usage_problem_clear(r, USAGE_PROBLEM_MEASURE);
		}
		metrics_set_usage(r->metrics, &u);
		pthread_mutex_lock(&r->lock);
		r->fresh = 1;
		pthread_mutex_unlock(&r->lock);
		if (write(r->wake_fd, "u", 1) < 0) {
			/* The pipe is full: the loop is awake anyway. */
		}
	}
	usage_free(&u);
	inventory_free(&inv);
	docker_free(d);
	free(socket);
	return 0;
}

static struct timespec monotonic_in(uint64_t seconds)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += (time_t)seconds;
	return ts;
}

static void log_usage_interval(uint64_t every)
{
	if (every == 0) {
		log_info("usage refresh off (usage-interval 0)");
	} else {
		char d[32];

		log_info("usage refresh every %s at idle I/O priority", units_format_duration(every, d, sizeof(d)));
	}
}

static void *usage_refresh_main(void *arg)
{
	struct usage_refresh *r = arg;
	struct timespec next = monotonic_in(0);    /* the first refresh at once */
	uint64_t every;

	pthread_setname_np(pthread_self(), "rotd-usage");   /* for top -H and ionice -p */
	usage_refresh_lower_priority(r);
	heartbeat_mute_thread();
	pthread_mutex_lock(&r->lock);
	every = r->cfg->usage_interval;
	log_usage_interval(every);
	while (!r->stop) {
		struct rotd_config *cfg, *retired;
		int rc = every == 0 ? pthread_cond_wait(&r->changed, &r->lock)
				    : pthread_cond_timedwait(&r->changed, &r->lock, &next);
		int failed;

		if (r->stop)
			break;
		if (r->new_config) {
			r->new_config = 0;
			if (r->cfg->usage_interval != every) {
				every = r->cfg->usage_interval;
				log_usage_interval(every);
				next = monotonic_in(0);
			}
			continue;
		}
		if (every == 0 || rc != ETIMEDOUT)
			continue;
		cfg = r->busy = r->cfg;
		pthread_mutex_unlock(&r->lock);
		failed = usage_refresh_once(r, cfg) < 0;
		pthread_mutex_lock(&r->lock);
		retired = r->retired;
		r->busy = NULL;
		r->retired = NULL;
		if (retired != NULL) {
			pthread_mutex_unlock(&r->lock);
			config_free(retired);
			pthread_mutex_lock(&r->lock);
		}
		next = monotonic_in(failed && every > USAGE_RETRY_S ? USAGE_RETRY_S : every);
	}
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

struct usage_refresh *usage_refresh_start(struct metrics *m, struct rotd_config *cfg, int wake_fd)
{
	struct usage_refresh *r = xcalloc(1, sizeof(*r));
	pthread_condattr_t ca;
	sigset_t all, old;
	int err;

	r->metrics = m;
	r->wake_fd = wake_fd;
	r->cfg = cfg;
	pthread_mutex_init(&r->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&r->changed, &ca);
	pthread_condattr_destroy(&ca);
	/* Signals are the loop's: the thread starts with them blocked. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&r->tid, NULL, usage_refresh_main, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err != 0) {
		log_errorx("usage refresh: cannot start its thread: %s; no usage gauges", strerror(err));
		pthread_cond_destroy(&r->changed);
		pthread_mutex_destroy(&r->lock);
		free(r);
		return NULL;
	}
	return r;
}

void usage_refresh_config(struct usage_refresh *r, struct rotd_config *cfg, struct rotd_config *old)
{
	if (r == NULL) {
		config_free(old);
		return;
	}
	pthread_mutex_lock(&r->lock);
	r->cfg = cfg;
	r->new_config = 1;
	if (r->busy == old) {
		r->retired = old;
		old = NULL;
	}
	pthread_cond_signal(&r->changed);
	pthread_mutex_unlock(&r->lock);
	config_free(old);
}

int usage_refresh_fresh(struct usage_refresh *r)
{
	int fresh;

	if (r == NULL)
		return 0;
	pthread_mutex_lock(&r->lock);
	fresh = r->fresh;
	r->fresh = 0;
	pthread_mutex_unlock(&r->lock);
	return fresh;
}

void usage_refresh_stop(struct usage_refresh *r)
{
	if (r == NULL)
		return;
	pthread_mutex_lock(&r->lock);
	r->stop = 1;
	pthread_cond_signal(&r->changed);
	pthread_mutex_unlock(&r->lock);
	pthread_join(r->tid, NULL);
	pthread_cond_destroy(&r->changed);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

