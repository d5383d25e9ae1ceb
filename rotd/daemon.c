#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cycle.h"
#include "daemon.h"
#include "engine/docker.h"
#include "engine/events.h"
#include "lib/exitcode.h"
#include "lib/heartbeat.h"
#include "engine/inventory.h"
#include "jobs/jobs.h"
#include "lib/lock.h"
#include "lib/log.h"
#include "report/metrics.h"
#include "lib/notify.h"
#include "jobs/offpeak.h"
#include "lib/progress.h"
#include "publish.h"
#include "usage_refresh.h"
#include "report/report.h"
#include "lib/shutdown.h"
#include "report/status.h"
#include "lib/strlist.h"
#include "lib/units.h"
#include "remedy/alertq.h"
#include "lib/xalloc.h"

#define LOCK_RETRY_S 10          /* another pass holds the lock: try again this soon */
#define RELIST_RETRY_S 5         /* listing failed although the engine answered */
#define JOBS_RETRY_S (15 * 60)   /* failed off-peak jobs: try again this much later in the window */


struct daemon {
	const char *config_path;
	struct rotd_config *cfg;
	char *socket;
	struct docker *d;              /* the loop's own client: ping, list, inspect */
	struct events *events;
	struct inventory inv;
	int connected;
	char *engine_error;            /* why the engine is unreachable, or NULL */
	int need_relist;
	long relist_at;                /* monotonic seconds */
	int ready_sent;
	struct strlist pending;        /* container ids to re-inspect */
	struct strlist started;        /* of those, the ones that started: check them at once */
	time_t started_at;
	long next_check;               /* monotonic seconds */
	time_t jobs_retry_at;          /* wall clock: the window is a wall-clock matter */
	struct metrics *metrics;
	struct publish *pub;           /* the status file, STATUS= and the metrics */
	struct alertq *alerts;         /* the Alertmanager receiver and what it asked for */
	struct progress_watch *watch;
	time_t config_read;            /* when the config in use was read */
	time_t reload_refused;         /* when a reload was last refused; 0: none since */
	char *reload_error;            /* its first error line */
	size_t reload_errors;
	int remedied;                  /* an emergency pass had work since the start */
	time_t remedy_at;
	const char *remedy_trigger;    /* remedy_trigger_name() */
	char *remedy_reason;           /* the alert's, or NULL */
	int64_t remedy_freed;
	int remedy_reached_low;
	unsigned remedy_low;
	struct status_fs *remedy_above;   /* labels owned */
	size_t remedy_n_above;
	time_t last_pass_started;
	double last_pass_seconds;
	int last_pass_exit;
	char *last_pass_summary;
	json_t *last_report;
	struct remedy_memory remedy_memory;   /* backoff of emergency passes that fell short */
	struct usage_refresh *usage;   /* the usage gauges' thread */
};

static int wake_pipe[2] = { -1, -1 };
static volatile sig_atomic_t reload_asked;

static void on_sighup(int sig)
{
	int saved = errno;

	(void)sig;
	reload_asked = 1;
	if (write(wake_pipe[1], "h", 1) < 0) {
		/* The pipe is full: the loop is awake anyway. */
	}
	errno = saved;
}

static long monotonic_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec;
}

static void replace(char **slot, const char *value)
{
	free(*slot);
	*slot = value != NULL ? xstrdup(value) : NULL;
}

/* ---- what the daemon tells ------------------------------------------------ */

/* publish_look_fn: the daemon as the status file shows it. */
static void look(void *arg, struct publish_view *v)
{
	const struct daemon *dm = arg;
	struct status_snapshot *s = &v->status;
	long mono = monotonic_now();

	v->status_file = dm->cfg->status_file;
	s->started = dm->started_at;
	s->config_path = dm->cfg->path;
	s->engine_connected = dm->connected;
	s->engine_error = dm->engine_error;
	s->api_version = dm->connected ? docker_api_version(dm->d) : NULL;
	s->inv = &dm->inv;
	s->next_check = dm->connected ? s->updated + (dm->next_check > mono ? dm->next_check - mono : 0) : 0;
	s->last_pass_started = dm->last_pass_started;
	s->last_pass_seconds = dm->last_pass_seconds;
	s->last_pass_exit = dm->last_pass_exit;
	s->last_pass_summary = dm->last_pass_summary;
	s->last_report = dm->last_report;
	s->config_read = dm->config_read;
	s->reload_refused = dm->reload_refused;
	s->reload_error = dm->reload_error;
	s->reload_errors = dm->reload_errors;
	if (dm->remedied) {
		v->remediation.started = dm->remedy_at;
		v->remediation.trigger = dm->remedy_trigger;
		v->remediation.reason = dm->remedy_reason;
		v->remediation.freed = dm->remedy_freed;
		v->remediation.reached_low = dm->remedy_reached_low;
		v->remediation.low_pct = dm->remedy_low;
		v->remediation.above = dm->remedy_above;
		v->remediation.n_above = dm->remedy_n_above;
		s->last_remediation = &v->remediation;
	}
}

/* ---- passes --------------------------------------------------------------- */

/* Whether the off-peak jobs are due now (the window is open and a failure is not
 * being retried too soon); jobs_run itself skips what already ran this window. */
static int jobs_due(struct daemon *dm, time_t now)
{
	time_t start;

	if (shutdown_requested() || now < dm->jobs_retry_at)
		return 0;
	return offpeak_current(&dm->cfg->offpeak, dm->cfg->timezone, now, &start);
}

/* Logs what an emergency pass did; what takes the space only when a
 * filesystem fell short for the first time in its incident. */
static void log_remedy(const struct cycle *c, const char *why)
{
	const struct remedy *r = &c->remedy;
	char freed[32];
	int64_t f = remedy_freed(r);

	units_format_size(f > 0 ? (uint64_t)f : 0, freed, sizeof(freed));
	if (r->reached_low) {
		log_info("remediation (%s): freed %s; every filesystem is under %u%%", why, freed, r->low);
		return;
	}
	if (!c->remedy_short_first) {
		log_info("remediation (%s): freed %s; still above %u%%, as reported before", why, freed, r->low);
		return;
	}
	log_warnx("remediation (%s): freed %s, but a filesystem is still above %u%%; everything safe is gone; "
		  "not again for it until it grows or remediation-backoff passes", why, freed, r->low);
	for (size_t i = 0; i < r->n_fs; i++)
		if (r->fs[i].target && fsusage_pct(&r->fs[i].after) > r->low)
			log_warnx("filesystem %s: %u%% used", r->fs[i].label, fsusage_pct(&r->fs[i].after));
	if (r->n_consumers > 0) {
		const struct remedy_consumer *u = &r->consumers[0];
		char l[32], a[32], m[32], e[32];

		log_warnx("largest consumer: %s: live logs %s, archives %s, media %s, engine log %s%s%s", u->container,
			  units_format_size(u->live_logs, l, sizeof(l)), units_format_size(u->archives, a, sizeof(a)),
			  units_format_size(u->media, m, sizeof(m)),
			  units_format_size(u->engine_log_bytes, e, sizeof(e)), u->hint ? "; " : "",
			  u->hint ? u->hint : "");
	}
}

static void forget_remedy(struct daemon *dm)
{
	for (size_t i = 0; i < dm->remedy_n_above; i++)
		free((char *)dm->remedy_above[i].label);
	free(dm->remedy_above);
	dm->remedy_above = NULL;
	dm->remedy_n_above = 0;
	replace(&dm->remedy_reason, NULL);
}

/* Keeps what an emergency pass did for the status file. */
static void remember_remedy(struct daemon *dm, const struct cycle *c, const char *alert, time_t when)
{
	const struct remedy *r = &c->remedy;

	forget_remedy(dm);
	dm->remedied = 1;
	dm->remedy_at = when;
	dm->remedy_trigger = remedy_trigger_name(r->trigger);
	replace(&dm->remedy_reason, alert);
	dm->remedy_freed = remedy_freed(r);
	dm->remedy_reached_low = r->reached_low;
	dm->remedy_low = r->low;
	dm->remedy_above = xcalloc(r->n_fs + 1, sizeof(*dm->remedy_above));
	for (size_t i = 0; i < r->n_fs; i++) {
		if (!r->fs[i].target || fsusage_pct(&r->fs[i].after) <= r->low)
			continue;
		dm->remedy_above[dm->remedy_n_above].label = xstrdup(r->fs[i].label != NULL ? r->fs[i].label : "?");
		dm->remedy_above[dm->remedy_n_above].used_pct = fsusage_pct(&r->fs[i].after);
		dm->remedy_n_above++;
	}
}

/* One pass over inv (the whole inventory, or containers that just started),
 * under the lock; with with_jobs, the emergency pass when a filesystem is above
 * high (or alert is set: above low) and then the off-peak jobs when due.
 * Returns 0, or -1 when another pass held the lock. */
static int run_pass(struct daemon *dm, const struct inventory *inv, int with_jobs, const char *why,
		    const char *alert)
{
	struct cycle_request req;
	struct cycle c;
	char *lock_err = NULL;
	time_t now = time(NULL);
	int lock_fd;

	lock_fd = lock_take(dm->cfg->lock_file, 0, &lock_err);
	if (lock_fd == -2) {
		log_info("another rotd pass holds %s; trying again in %d s", dm->cfg->lock_file, LOCK_RETRY_S);
		return -1;
	}
	if (lock_fd == -1) {
		log_errorx("%s; this pass runs without the lock", lock_err);
		free(lock_err);
	}
	publish_activity(dm->pub, alert != NULL ? "remediation" : "pass", alert != NULL ? alert : why);
	memset(&req, 0, sizeof(req));
	req.jobs = with_jobs && jobs_due(dm, now) ? CYCLE_JOBS_WINDOW : CYCLE_JOBS_NONE;
	req.remedy = !with_jobs ? CYCLE_REMEDY_NONE : alert != NULL ? CYCLE_REMEDY_ALERT : CYCLE_REMEDY_WATERMARK;
	req.memory = &dm->remedy_memory;
	req.socket = docker_socket(dm->d);
	req.api_version = docker_api_version(dm->d);
	publish_in_pass(dm->pub, 1);
	cycle_run(&c, dm->cfg, inv, &req, now);
	publish_in_pass(dm->pub, 0);
	if (lock_fd >= 0)
		close(lock_fd);
	if (c.ran_remedy && c.remedy.needed) {
		log_remedy(&c, alert != NULL ? alert : "watermark");
		remember_remedy(dm, &c, alert, now);
	} else if (alert != NULL) {
		log_info("remediation (%s): nothing to do: every filesystem is under %u%% or backing off", alert,
			 c.remedy.low);
	}
	if (c.ran_jobs && jobs_failed(&c.jobs))
		dm->jobs_retry_at = now + JOBS_RETRY_S;
	report_log_pass(&c.pass);
	dm->last_pass_started = now;
	dm->last_pass_seconds = c.seconds;
	dm->last_pass_exit = c.exit_code;
	free(dm->last_pass_summary);
	dm->last_pass_summary = cycle_summary(&c);
	json_decref(dm->last_report);
	dm->last_report = cycle_report_json(&c);
	if (c.exit_code == EXIT_ROTD_OK)
		log_debug("pass (%s) done in %.1f s: %s", why, c.seconds, dm->last_pass_summary);
	else
		log_warnx("pass (%s) done in %.1f s (exit %d): %s", why, c.seconds, c.exit_code,
			  dm->last_pass_summary);
	cycle_record(dm->metrics, &c);
	cycle_free(&c);
	publish_metrics(dm->pub, dm->cfg->metrics_file, &dm->inv);
	publish_activity(dm->pub, shutdown_requested() ? "stopping" : "idle", NULL);
	return 0;
}

/* The containers of dm->inv whose ids are in ids and that run with a role, as a
 * view that borrows dm->inv's entries (free only .v). */
static struct inventory running_subset(const struct daemon *dm, const struct strlist *ids)
{
	struct inventory sub = { xcalloc(ids->n + 1, sizeof(struct container)), 0 };

	for (size_t i = 0; i < dm->inv.n; i++)
		if (dm->inv.v[i].state == CTR_RUNNING && strlist_contains(ids, dm->inv.v[i].id))
			sub.v[sub.n++] = dm->inv.v[i];
	return sub;
}

/* ---- the engine ------------------------------------------------------------ */

static void take_events(struct daemon *dm)
{
	struct event *v;
	size_t n = events_take(dm->events, &v);

	for (size_t i = 0; i < n; i++) {
		const struct event *ev = &v[i];

		switch (ev->kind) {
		case EVENT_CONNECTED:
			if (!dm->connected)
				log_info("connected to the Docker engine at %s", dm->socket);
			dm->connected = 1;
			dm->need_relist = 1;
			dm->relist_at = 0;
			replace(&dm->engine_error, NULL);
			break;
		case EVENT_DISCONNECTED:
			if (dm->connected || dm->engine_error == NULL)
				log_warnx("%s; reconnecting with backoff", ev->detail ? ev->detail : "lost the engine");
			if (dm->connected)
				metrics_count_error(dm->metrics, "engine");
			dm->connected = 0;
			replace(&dm->engine_error, ev->detail ? ev->detail : "lost the engine");
			break;
		case EVENT_CONTAINER:
			if (!strlist_contains(&dm->pending, ev->id))
				strlist_add(&dm->pending, ev->id);
			if (strcmp(ev->action, "start") == 0 && !strlist_contains(&dm->started, ev->id))
				strlist_add(&dm->started, ev->id);
			break;
		}
	}
	events_free_list(v, n);
}

/* Lists the containers anew (at start, after a reconnect or a reload). */
static void relist(struct daemon *dm)
{
	struct inventory fresh;
	size_t with_role = 0;
	int st;

	st = docker_ping(dm->d);
	if (st == DOCKER_OK)
		st = inventory_build(dm->d, dm->cfg, NULL, &fresh);
	if (st != DOCKER_OK) {
		log_errorx("cannot list containers: %s; trying again in %d s", docker_error(dm->d), RELIST_RETRY_S);
		metrics_count_error(dm->metrics, "engine");
		dm->relist_at = monotonic_now() + RELIST_RETRY_S;
		return;
	}
	inventory_free(&dm->inv);
	dm->inv = fresh;
	dm->need_relist = 0;
	strlist_free(&dm->pending);
	strlist_free(&dm->started);
	for (size_t i = 0; i < dm->inv.n; i++)
		with_role += dm->inv.v[i].state == CTR_RUNNING;
	log_info("inventory: %zu containers, %zu running with a role (engine API %s)", dm->inv.n, with_role,
		 docker_api_version(dm->d));
	/* Logs may have grown while rotd could not see them. */
	dm->next_check = monotonic_now();
	if (!dm->ready_sent) {
		notify_send("READY=1");
		dm->ready_sent = 1;
	}
	publish_status(dm->pub);
}

/* The state of container id in dm->inv, or -1 when it has no entry. */
static int state_of(const struct daemon *dm, const char *id)
{
	for (size_t i = 0; i < dm->inv.n; i++)
		if (dm->inv.v[i].id != NULL && strcmp(dm->inv.v[i].id, id) == 0)
			return (int)dm->inv.v[i].state;
	return -1;
}

/* Re-inspects the containers events (or the stale check) named; checks at once
 * those that started. Says one line per change of state, none for a container
 * whose news arrive twice. */
static void refresh_pending(struct daemon *dm)
{
	struct strlist check = STRLIST_INIT;

	for (size_t i = 0; i < dm->pending.n; i++) {
		const char *id = dm->pending.v[i];
		const struct container *c;
		int before = state_of(dm, id);
		int st = inventory_refresh(dm->d, dm->cfg, &dm->inv, id, &c);

		if (st != DOCKER_OK) {
			log_warnx("container %.12s: cannot inspect it: %s; listing all again", id, docker_error(dm->d));
			dm->need_relist = 1;
			break;
		}
		if (c == NULL) {
			if (before >= 0 && before != CTR_IGNORED)
				log_info("container %.12s is gone", id);
		} else if (c->state == CTR_RUNNING) {
			if (strlist_contains(&dm->started, id) || before != CTR_RUNNING) {
				log_info("container %s (role %s) started: checking its logs now", c->name, c->role->name);
				strlist_add(&check, id);
			}
		} else if (c->state != CTR_IGNORED && (int)c->state != before) {
			log_info("container %s is %s%s%s", c->name, inventory_state_name(c->state),
				 c->detail ? ": " : "", c->detail ? c->detail : "");
		}
	}
	strlist_free(&dm->pending);
	strlist_free(&dm->started);
	if (check.n > 0 && !dm->need_relist) {
		struct inventory sub = running_subset(dm, &check);
		char *why = xasprintf("%zu container%s started", check.n, check.n == 1 ? "" : "s");

		if (run_pass(dm, &sub, 0, why, NULL) < 0)
			dm->next_check = monotonic_now() + LOCK_RETRY_S;
		free(why);
		free(sub.v);
	}
	strlist_free(&check);
	publish_status(dm->pub);
}

/* Before a full pass: re-inspects at once the containers whose pid is gone and
 * whatever a cheap list shows the events missed. */
static void refresh_stale(struct daemon *dm)
{
	if (inventory_stale(dm->d, &dm->inv, &dm->pending) != DOCKER_OK) {
		log_debug("cannot list containers to check the inventory: %s", docker_error(dm->d));
		return;
	}
	if (dm->pending.n > 0)
		refresh_pending(dm);
}

/* Connects the client and the events thread to the socket the config names.
 * Returns 0, or -1 when DOCKER_HOST is unusable. */
static int attach_engine(struct daemon *dm)
{
	struct docker_options dopt = { 0, dm->cfg->docker_timeout_ms, 0 };
	char *why = NULL;
	char *socket = docker_choose_socket(dm->cfg->docker_socket, &why);

	if (socket == NULL) {
		log_errorx("%s", why);
		free(why);
		return -1;
	}
	if (dm->socket != NULL && strcmp(socket, dm->socket) == 0) {
		free(socket);
		return 0;
	}
	events_stop(dm->events);
	docker_free(dm->d);
	free(dm->socket);
	dm->socket = socket;
	dm->d = docker_new(socket, &dopt);
	dm->events = events_start(socket, dm->cfg->docker_timeout_ms);
	dm->connected = 0;
	dm->need_relist = 1;
	return 0;
}

/* ---- reload ---------------------------------------------------------------- */

static void reload(struct daemon *dm)
{
	struct strlist errors = STRLIST_INIT;
	struct rotd_config *cfg, *old = dm->cfg;

	notify_send("RELOADING=1");
	cfg = config_load_chosen(dm->config_path, &errors);
	if (cfg == NULL) {
		for (size_t i = 0; i < errors.n; i++)
			log_errorx("%s", errors.v[i]);
		log_errorx("configuration not reloaded; still running with the one read from %s", old->path);
		metrics_count_error(dm->metrics, "config");
		dm->reload_refused = time(NULL);
		replace(&dm->reload_error, errors.n > 0 ? errors.v[0] : NULL);
		dm->reload_errors = errors.n;
		strlist_free(&errors);
		notify_send("READY=1");
		publish_status(dm->pub);
		return;
	}
	/* The inventory points into the old config's roles: list again under the new one. */
	inventory_free(&dm->inv);
	dm->need_relist = 1;
	dm->relist_at = 0;
	dm->cfg = cfg;
	usage_refresh_config(dm->usage, cfg, old);
	dm->config_read = time(NULL);
	dm->reload_refused = 0;
	replace(&dm->reload_error, NULL);
	dm->reload_errors = 0;
	shutdown_set_grace((unsigned)cfg->stop_timeout);
	if (attach_engine(dm) < 0)
		log_errorx("keeping the engine at %s", dm->socket);
	publish_serve(dm->pub, cfg->metrics_listen);
	if (alertq_listen(dm->alerts, &cfg->webhook) < 0)
		metrics_count_error(dm->metrics, "config");
	dm->next_check = monotonic_now();
	log_info("configuration reloaded from %s", cfg->path);
	notify_send("READY=1");
	publish_status(dm->pub);
}

/* ---- the loop -------------------------------------------------------------- */

static void wait_for_work(struct daemon *dm)
{
	struct pollfd fds[2] = {
		{ wake_pipe[0], POLLIN, 0 },
		{ events_fd(dm->events), POLLIN, 0 },
	};
	long long timeout_ms = -1;
	uint64_t beat = heartbeat_interval_ms();
	long now = monotonic_now();

	if (dm->connected && dm->need_relist)
		timeout_ms = dm->relist_at > now ? (dm->relist_at - now) * 1000LL : 0;
	else if (dm->connected)
		timeout_ms = dm->next_check > now ? (dm->next_check - now) * 1000LL : 0;
	if (beat > 0 && (timeout_ms < 0 || (uint64_t)timeout_ms > beat))
		timeout_ms = (long long)beat;
	if (timeout_ms > 24LL * 3600 * 1000)
		timeout_ms = 24LL * 3600 * 1000;
	if (poll(fds, 2, (int)timeout_ms) > 0 && (fds[0].revents & POLLIN)) {
		char drain[64];

		while (read(wake_pipe[0], drain, sizeof(drain)) > 0)
			;
	}
}

static void loop(struct daemon *dm)
{
	for (;;) {
		heartbeat_tick();
		if (shutdown_requested())
			return;
		if (reload_asked) {
			reload_asked = 0;
			reload(dm);
		}
		take_events(dm);
		if (!dm->need_relist && usage_refresh_fresh(dm->usage))
			publish_metrics(dm->pub, dm->cfg->metrics_file, &dm->inv);
		if (dm->connected && dm->need_relist && monotonic_now() >= dm->relist_at)
			relist(dm);
		if (dm->connected && !dm->need_relist && dm->pending.n > 0)
			refresh_pending(dm);
		if (dm->connected && !dm->need_relist && !shutdown_requested()) {
			long now = monotonic_now();
			unsigned requests;
			size_t alerts;
			char *why = NULL;
			char *alert = alertq_take(dm->alerts, now, &dm->next_check, &requests, &alerts);

			if (alert != NULL || now >= dm->next_check) {
				time_t remedied_at = dm->remedy_at;

				if (alert != NULL) {
					why = alertq_line(alert, requests, alerts);
					if (requests > 1)
						log_info("webhook: %u requests (%zu alerts) coalesced into one emergency pass",
							 requests, alerts);
				}
				refresh_stale(dm);
				if (dm->need_relist) {
					if (alert != NULL)
						alertq_requeue(dm->alerts, alert, requests, alerts);
					alert = NULL;
				} else if (run_pass(dm, &dm->inv, 1, alert != NULL ? "alert" : "interval", why) < 0) {
					dm->next_check = monotonic_now() + LOCK_RETRY_S;
					if (alert != NULL)
						alertq_requeue(dm->alerts, alert, requests, alerts);
					alert = NULL;
				} else {
					dm->next_check = monotonic_now() + (long)dm->cfg->interval;
					if (alert != NULL || dm->remedy_at != remedied_at)
						alertq_settle(dm->alerts, monotonic_now());
				}
				publish_status(dm->pub);
			}
			free(why);
			free(alert);
		}
		publish_systemd(dm->pub);
		wait_for_work(dm);
	}
}

static void install_signals(void)
{
	struct sigaction sa;

	if (pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		fatalx(EXIT_ROTD_PARTIAL, "cannot create a pipe: %s", strerror(errno));
	shutdown_install_handlers(wake_pipe[1]);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sighup;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

int daemon_run(const char *config_path, struct rotd_config *cfg)
{
	struct progress_watch_options watch = { 0, NULL, publish_on_progress, NULL };
	struct daemon dm;

	memset(&dm, 0, sizeof(dm));
	dm.config_path = config_path;
	dm.cfg = cfg;
	dm.started_at = time(NULL);
	dm.config_read = dm.started_at;
	dm.metrics = metrics_new(dm.started_at);
	install_signals();
	shutdown_set_grace((unsigned)cfg->stop_timeout);
	heartbeat_init(notify_watchdog_usec());
	if (attach_engine(&dm) < 0) {
		metrics_free(dm.metrics);
		config_free(cfg);
		return EXIT_ROTD_CONFIG;
	}
	dm.pub = publish_new(dm.metrics, dm.started_at, look, &dm);
	dm.alerts = alertq_new(wake_pipe[1]);
	log_info("rotd %s daemon started (config %s, checks every %llu s)", PACKAGE_VERSION, cfg->path,
		 (unsigned long long)cfg->interval);
	publish_serve(dm.pub, cfg->metrics_listen);
	if (alertq_listen(dm.alerts, &cfg->webhook) < 0)
		metrics_count_error(dm.metrics, "config");
	publish_metrics(dm.pub, cfg->metrics_file, &dm.inv);
	publish_status(dm.pub);
	dm.usage = usage_refresh_start(dm.metrics, cfg, wake_pipe[1]);
	watch.arg = dm.pub;
	dm.watch = progress_watch_start(&watch);
	loop(&dm);
	progress_watch_stop(dm.watch);
	dm.watch = NULL;

	if (shutdown_acknowledge())
		log_info("stopping on request");
	notify_send("STOPPING=1");
	events_stop(dm.events);
	usage_refresh_stop(dm.usage);
	publish_serve(dm.pub, NULL);
	alertq_free(dm.alerts);
	dm.connected = 0;
	publish_activity(dm.pub, "stopped", NULL);
	docker_free(dm.d);
	inventory_free(&dm.inv);
	strlist_free(&dm.pending);
	strlist_free(&dm.started);
	publish_free(dm.pub);
	metrics_free(dm.metrics);
	json_decref(dm.last_report);
	remedy_memory_free(&dm.remedy_memory);
	free(dm.last_pass_summary);
	free(dm.reload_error);
	forget_remedy(&dm);
	free(dm.engine_error);
	free(dm.socket);
	config_free(dm.cfg);
	close(wake_pipe[0]);
	close(wake_pipe[1]);
	log_info("stopped");
	return EXIT_ROTD_OK;
}
