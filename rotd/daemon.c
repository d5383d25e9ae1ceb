#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
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
#include "lib/httpd.h"
#include "engine/inventory.h"
#include "jobs/jobs.h"
#include "lib/lock.h"
#include "lib/log.h"
#include "report/metrics.h"
#include "lib/notify.h"
#include "jobs/offpeak.h"
#include "lib/progress.h"
#include "report/report.h"
#include "lib/shutdown.h"
#include "report/status.h"
#include "lib/strlist.h"
#include "lib/units.h"
#include "remedy/webhook.h"
#include "lib/xalloc.h"

#define LOCK_RETRY_S 10          /* another pass holds the lock: try again this soon */
#define RELIST_RETRY_S 5         /* listing failed although the engine answered */
#define JOBS_RETRY_S (15 * 60)   /* failed off-peak jobs: try again this much later in the window */
#define METRICS_MAX_BODY 0       /* /metrics takes no body */
#define WEBHOOK_MAX_BODY (1024 * 1024)
#define ALERT_SETTLE_S 10        /* alerts just after an emergency pass wait this long for theirs */

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
	struct httpd *httpd;
	char *httpd_listen;
	struct httpd *hook_httpd;      /* the Alertmanager receiver, or NULL */
	struct webhook *hook;
	char *hook_listen;
	pthread_mutex_t alert_lock;
	char *alert_reason;            /* a remediation an alert asked for, not yet run; guarded */
	unsigned alert_requests;       /* requests coalesced into it, the first included; guarded */
	size_t alert_alerts;           /* the matching firing alerts in them; guarded */
	long alert_not_before;         /* monotonic: the loop's; an emergency pass just ended, so the
	                                  next one alerts ask for waits until then, coalescing */
	pthread_mutex_t published_lock;
	char *published;               /* the metrics text /metrics serves */
	char *metrics_problem;         /* the last metrics-file error, logged once */
	char *status_problem;          /* the last status-file error, logged once */
	char *status_line;             /* the last STATUS= sent */
	/* While in_pass, the progress thread (on_progress) also writes the status file
	 * and STATUS=; tell_lock serializes that with the loop's own writes. Out of a
	 * pass only the loop writes, and only the loop changes what they read. */
	pthread_mutex_t tell_lock;
	int in_pass;                   /* guarded by tell_lock */
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
	const char *activity;
	char *activity_detail;
	time_t activity_since;
	time_t last_pass_started;
	double last_pass_seconds;
	int last_pass_exit;
	char *last_pass_summary;
	json_t *last_report;
	struct remedy_memory remedy_memory;   /* backoff of emergency passes that fell short */
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

/* ---- what the daemon tells: status file, STATUS=, metrics ------------------ */

/* Logs problem once until it changes (a missing folder would otherwise repeat
 * every interval); NULL clears it. */
static void report_once(char **last, const char *problem)
{
	if (problem != NULL && (*last == NULL || strcmp(*last, problem) != 0))
		log_warnx("%s", problem);
	replace(last, problem);
}

/* With tell_lock held. */
static void write_status_locked(struct daemon *dm)
{
	long mono = monotonic_now();
	struct status_snapshot s;
	struct status_remediation rem;
	struct progress_snapshot progress;
	char *err = NULL;

	memset(&s, 0, sizeof(s));
	s.pid = getpid();
	s.version = PACKAGE_VERSION;
	s.started = dm->started_at;
	s.updated = time(NULL);
	s.config_path = dm->cfg->path;
	s.activity = dm->activity;
	s.activity_detail = dm->activity_detail;
	s.activity_since = dm->activity_since;
	s.engine_connected = dm->connected;
	s.engine_error = dm->engine_error;
	s.api_version = dm->connected ? docker_api_version(dm->d) : NULL;
	s.inv = &dm->inv;
	s.next_check = dm->connected ? s.updated + (dm->next_check > mono ? dm->next_check - mono : 0) : 0;
	s.last_pass_started = dm->last_pass_started;
	s.last_pass_seconds = dm->last_pass_seconds;
	s.last_pass_exit = dm->last_pass_exit;
	s.last_pass_summary = dm->last_pass_summary;
	s.last_report = dm->last_report;
	progress_snapshot(&progress);
	s.progress = &progress;
	s.config_read = dm->config_read;
	s.reload_refused = dm->reload_refused;
	s.reload_error = dm->reload_error;
	s.reload_errors = dm->reload_errors;
	if (dm->remedied) {
		memset(&rem, 0, sizeof(rem));
		rem.started = dm->remedy_at;
		rem.trigger = dm->remedy_trigger;
		rem.reason = dm->remedy_reason;
		rem.freed = dm->remedy_freed;
		rem.reached_low = dm->remedy_reached_low;
		rem.low_pct = dm->remedy_low;
		rem.above = dm->remedy_above;
		rem.n_above = dm->remedy_n_above;
		s.last_remediation = &rem;
	}
	status_write(dm->cfg->status_file, &s, &err);
	progress_snapshot_free(&progress);
	report_once(&dm->status_problem, err);
	free(err);
}

static void write_status(struct daemon *dm)
{
	pthread_mutex_lock(&dm->tell_lock);
	write_status_locked(dm);
	pthread_mutex_unlock(&dm->tell_lock);
}

static void set_activity(struct daemon *dm, const char *what, const char *detail)
{
	pthread_mutex_lock(&dm->tell_lock);
	dm->activity = what;
	replace(&dm->activity_detail, detail);
	dm->activity_since = time(NULL);
	write_status_locked(dm);
	pthread_mutex_unlock(&dm->tell_lock);
}

/* During a pass: what is in progress ("rotating C:/path: 412 of 894 MiB (and 2
 * more)"), or what a stop waits for. NULL when nothing is. New string. */
static char *progress_line(const struct daemon *dm)
{
	struct progress_snapshot p;
	char *line;

	if (!dm->in_pass)
		return NULL;
	progress_snapshot(&p);
	if (shutdown_requested())
		line = progress_stop_line(&p, shutdown_grace_left(), NULL);
	else
		line = progress_status_line(&p);
	progress_snapshot_free(&p);
	return line;
}

/* Out of a pass: "watching 5 containers (3 running with a role); last pass
 * 08:05:00: ...", or why the engine is not there. New string. */
static char *watching_line(const struct daemon *dm)
{
	size_t with_role = 0;
	char when[16] = "";

	for (size_t i = 0; i < dm->inv.n; i++)
		with_role += dm->inv.v[i].state == CTR_RUNNING;
	if (dm->last_pass_started != 0) {
		struct tm tm;

		localtime_r(&dm->last_pass_started, &tm);
		strftime(when, sizeof(when), "%H:%M:%S", &tm);
	}
	if (!dm->connected)
		return xasprintf("waiting for the Docker engine: %s",
				 dm->engine_error != NULL ? dm->engine_error : "not connected yet");
	if (dm->last_pass_started == 0)
		return xasprintf("watching %zu containers (%zu running with a role)", dm->inv.n, with_role);
	return xasprintf("watching %zu containers (%zu running with a role); last pass %s: %s", dm->inv.n, with_role,
			 when, dm->last_pass_summary);
}

/* Sends a one-line STATUS= when it changed; with tell_lock held. */
static void tell_systemd_locked(struct daemon *dm)
{
	char *line = progress_line(dm), *msg;

	if (line == NULL)
		line = watching_line(dm);
	if (dm->reload_refused != 0) {
		struct tm tm;
		char at[16] = "", *longer;

		localtime_r(&dm->reload_refused, &tm);
		strftime(at, sizeof(at), "%H:%M:%S", &tm);
		longer = xasprintf("%s; reload refused at %s (see rotd status)", line, at);
		free(line);
		line = longer;
	}
	if (dm->status_line != NULL && strcmp(dm->status_line, line) == 0) {
		free(line);
		return;
	}
	msg = xasprintf("STATUS=%s", line);
	notify_send(msg);
	free(msg);
	free(dm->status_line);
	dm->status_line = line;
}

static void tell_systemd(struct daemon *dm)
{
	pthread_mutex_lock(&dm->tell_lock);
	tell_systemd_locked(dm);
	pthread_mutex_unlock(&dm->tell_lock);
}

/* From the progress thread, at most about once a second while a pass makes
 * progress, and at once when a stop is acknowledged. */
static void on_progress(void *arg)
{
	struct daemon *dm = arg;

	pthread_mutex_lock(&dm->tell_lock);
	if (dm->in_pass) {
		if (shutdown_requested() && strcmp(dm->activity, "stopping") != 0) {
			dm->activity = "stopping";
			dm->activity_since = time(NULL);
		}
		write_status_locked(dm);
		tell_systemd_locked(dm);
	}
	pthread_mutex_unlock(&dm->tell_lock);
}

static void set_in_pass(struct daemon *dm, int in_pass)
{
	pthread_mutex_lock(&dm->tell_lock);
	dm->in_pass = in_pass;
	pthread_mutex_unlock(&dm->tell_lock);
}

static void publish_metrics(struct daemon *dm)
{
	char *text, *err = NULL;

	metrics_set_inventory(dm->metrics, &dm->inv);
	text = metrics_render(dm->metrics);
	if (dm->cfg->metrics_file != NULL && metrics_write_file(dm->cfg->metrics_file, text, &err) < 0) {
		if (dm->metrics_problem == NULL || strcmp(dm->metrics_problem, err) != 0)
			metrics_count_error(dm->metrics, "metrics");
	}
	report_once(&dm->metrics_problem, err);
	free(err);
	pthread_mutex_lock(&dm->published_lock);
	free(dm->published);
	dm->published = text;
	pthread_mutex_unlock(&dm->published_lock);
}

static void serve_metrics(const struct httpd_request *req, struct httpd_response *res, void *arg)
{
	struct daemon *dm = arg;

	if (strcmp(req->path, "/metrics") != 0) {
		res->status = 404;
		res->body = xstrdup("not found; try /metrics\n");
		return;
	}
	if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
		res->status = 405;
		res->body = xstrdup("only GET\n");
		return;
	}
	pthread_mutex_lock(&dm->published_lock);
	res->body = xstrdup(dm->published != NULL ? dm->published : "");
	pthread_mutex_unlock(&dm->published_lock);
	res->status = 200;
	res->content_type = "text/plain; version=0.0.4; charset=utf-8";
}

/* Starts, restarts or stops the /metrics server to match the config. */
static void configure_httpd(struct daemon *dm)
{
	const char *want = dm->cfg->metrics_listen;
	char *err = NULL;

	if (want != NULL && dm->httpd_listen != NULL && strcmp(want, dm->httpd_listen) == 0)
		return;
	httpd_stop(dm->httpd);
	dm->httpd = NULL;
	replace(&dm->httpd_listen, NULL);
	if (want == NULL)
		return;
	dm->httpd = httpd_start(want, METRICS_MAX_BODY, serve_metrics, dm, &err);
	if (dm->httpd == NULL) {
		log_errorx("metrics: cannot serve on %s: %s", want, err);
		metrics_count_error(dm->metrics, "metrics");
		free(err);
		return;
	}
	replace(&dm->httpd_listen, want);
	log_info("metrics: serving http://%s/metrics", want);
}

/* ---- the Alertmanager receiver -------------------------------------------- */

static void wake_loop(void)
{
	if (write(wake_pipe[1], "a", 1) < 0) {
		/* The pipe is full: the loop is awake anyway. */
	}
}

/* From the HTTP thread, with the webhook's lock held: a request for an
 * emergency pass joins the one already asked for and not started yet, or asks
 * for one (and wakes the loop) when it may. So alerts that arrive while a
 * pass runs, or while the one after it waits, make at most one more pass. */
static enum webhook_verdict on_alert(const char *why, size_t alerts, int may_start, void *arg)
{
	struct daemon *dm = arg;
	enum webhook_verdict v;

	pthread_mutex_lock(&dm->alert_lock);
	if (dm->alert_reason != NULL) {
		dm->alert_requests++;
		dm->alert_alerts += alerts;
		v = WEBHOOK_COALESCED;
	} else if (!may_start) {
		v = WEBHOOK_REFUSED;
	} else {
		dm->alert_reason = xstrdup(why);
		dm->alert_requests = 1;
		dm->alert_alerts = alerts;
		v = WEBHOOK_QUEUED;
	}
	pthread_mutex_unlock(&dm->alert_lock);
	if (v == WEBHOOK_QUEUED)
		wake_loop();
	return v;
}

static int alert_pending(struct daemon *dm)
{
	int pending;

	pthread_mutex_lock(&dm->alert_lock);
	pending = dm->alert_reason != NULL;
	pthread_mutex_unlock(&dm->alert_lock);
	return pending;
}

/* The pending request's first reason (new string), or NULL, with how many
 * requests and alerts it stands for; clears it. */
static char *take_alert(struct daemon *dm, unsigned *requests, size_t *alerts)
{
	char *why;

	pthread_mutex_lock(&dm->alert_lock);
	why = dm->alert_reason;
	*requests = dm->alert_requests;
	*alerts = dm->alert_alerts;
	dm->alert_reason = NULL;
	dm->alert_requests = 0;
	dm->alert_alerts = 0;
	pthread_mutex_unlock(&dm->alert_lock);
	return why;
}

/* Puts back a request take_alert gave (the pass could not run); takes why. */
static void requeue_alert(struct daemon *dm, char *why, unsigned requests, size_t alerts)
{
	pthread_mutex_lock(&dm->alert_lock);
	if (dm->alert_reason == NULL) {
		dm->alert_reason = why;
		why = NULL;
	}
	dm->alert_requests += requests;
	dm->alert_alerts += alerts;
	pthread_mutex_unlock(&dm->alert_lock);
	free(why);
}

/* The reason the pass gives: "alert NAME for WHERE and 6 more alerts; 4 more
 * requests coalesced". New string. */
static char *alert_line(const char *why, unsigned requests, size_t alerts)
{
	char more[48] = "", coalesced[48] = "";

	if (alerts > 1)
		snprintf(more, sizeof(more), " and %zu more alert%s", alerts - 1, alerts == 2 ? "" : "s");
	if (requests > 1)
		snprintf(coalesced, sizeof(coalesced), "; %u more request%s coalesced", requests - 1,
			 requests == 2 ? "" : "s");
	return xasprintf("%s%s%s", why, more, coalesced);
}

static void serve_webhook(const struct httpd_request *req, struct httpd_response *res, void *arg)
{
	webhook_handle(arg, req, res);
}

/* The names alerts may call this host: its hostname, and the configured ones. */
static void host_names(const struct rotd_config *cfg, struct strlist *names)
{
	char host[256];

	strlist_copy(names, &cfg->webhook.hosts);
	if (gethostname(host, sizeof(host)) == 0) {
		host[sizeof(host) - 1] = '\0';
		strlist_add(names, host);
	}
}

/* Starts, restarts or stops the receiver to match the config (a reload may
 * change the token or the names, so it is rebuilt whenever the config is). */
static void configure_webhook(struct daemon *dm)
{
	const struct webhook_policy *w = &dm->cfg->webhook;
	struct strlist names = STRLIST_INIT;
	struct webhook_config wc;
	char *err = NULL;

	httpd_stop(dm->hook_httpd);
	dm->hook_httpd = NULL;
	webhook_free(dm->hook);
	dm->hook = NULL;
	replace(&dm->hook_listen, NULL);
	if (w->listen == NULL)
		return;
	host_names(dm->cfg, &names);
	wc.token = w->token;
	wc.alert_names = &w->alerts;
	wc.host_names = &names;
	wc.rate_per_minute = w->rate;
	dm->hook = webhook_new(&wc, on_alert, dm);
	strlist_free(&names);
	dm->hook_httpd = httpd_start(w->listen, WEBHOOK_MAX_BODY, serve_webhook, dm->hook, &err);
	if (dm->hook_httpd == NULL) {
		log_errorx("webhook: cannot listen on %s: %s", w->listen, err);
		metrics_count_error(dm->metrics, "config");
		free(err);
		webhook_free(dm->hook);
		dm->hook = NULL;
		return;
	}
	replace(&dm->hook_listen, w->listen);
	log_info("webhook: receiving Alertmanager alerts at http://%s/alerts", w->listen);
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
	set_activity(dm, alert != NULL ? "remediation" : "pass", alert != NULL ? alert : why);
	memset(&req, 0, sizeof(req));
	req.jobs = with_jobs && jobs_due(dm, now) ? CYCLE_JOBS_WINDOW : CYCLE_JOBS_NONE;
	req.remedy = !with_jobs ? CYCLE_REMEDY_NONE : alert != NULL ? CYCLE_REMEDY_ALERT : CYCLE_REMEDY_WATERMARK;
	req.memory = &dm->remedy_memory;
	req.socket = docker_socket(dm->d);
	req.api_version = docker_api_version(dm->d);
	set_in_pass(dm, 1);
	cycle_run(&c, dm->cfg, inv, &req, now);
	set_in_pass(dm, 0);
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
	publish_metrics(dm);
	set_activity(dm, shutdown_requested() ? "stopping" : "idle", NULL);
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
	write_status(dm);
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
	write_status(dm);
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
		write_status(dm);
		return;
	}
	/* The inventory points into the old config's roles: list again under the new one. */
	inventory_free(&dm->inv);
	dm->need_relist = 1;
	dm->relist_at = 0;
	dm->cfg = cfg;
	config_free(old);
	dm->config_read = time(NULL);
	dm->reload_refused = 0;
	replace(&dm->reload_error, NULL);
	dm->reload_errors = 0;
	shutdown_set_grace((unsigned)cfg->stop_timeout);
	if (attach_engine(dm) < 0)
		log_errorx("keeping the engine at %s", dm->socket);
	configure_httpd(dm);
	configure_webhook(dm);
	dm->next_check = monotonic_now();
	log_info("configuration reloaded from %s", cfg->path);
	notify_send("READY=1");
	write_status(dm);
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
		if (dm->connected && dm->need_relist && monotonic_now() >= dm->relist_at)
			relist(dm);
		if (dm->connected && !dm->need_relist && dm->pending.n > 0)
			refresh_pending(dm);
		if (dm->connected && !dm->need_relist && !shutdown_requested()) {
			long now = monotonic_now();
			char *alert = NULL, *why = NULL;
			unsigned requests = 0;
			size_t alerts = 0;

			if (alert_pending(dm) && now < dm->alert_not_before && now < dm->next_check) {
				/* Just after an emergency pass: alerts are likely news of the
				 * disk it just cleaned. Wait, coalescing, and check then. */
				dm->next_check = dm->alert_not_before;
			} else if (alert_pending(dm)) {
				alert = take_alert(dm, &requests, &alerts);
			}
			if (alert != NULL || now >= dm->next_check) {
				time_t remedied_at = dm->remedy_at;

				if (alert != NULL) {
					why = alert_line(alert, requests, alerts);
					if (requests > 1)
						log_info("webhook: %u requests (%zu alerts) coalesced into one emergency pass",
							 requests, alerts);
				}
				refresh_stale(dm);
				if (dm->need_relist) {
					if (alert != NULL)
						requeue_alert(dm, alert, requests, alerts);
					alert = NULL;
				} else if (run_pass(dm, &dm->inv, 1, alert != NULL ? "alert" : "interval", why) < 0) {
					dm->next_check = monotonic_now() + LOCK_RETRY_S;
					if (alert != NULL)
						requeue_alert(dm, alert, requests, alerts);
					alert = NULL;
				} else {
					dm->next_check = monotonic_now() + (long)dm->cfg->interval;
					if (alert != NULL || dm->remedy_at != remedied_at)
						dm->alert_not_before = monotonic_now() + ALERT_SETTLE_S;
				}
				write_status(dm);
			}
			free(why);
			free(alert);
		}
		tell_systemd(dm);
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
	struct progress_watch_options watch = { 0, NULL, on_progress, NULL };
	struct daemon dm;

	memset(&dm, 0, sizeof(dm));
	dm.config_path = config_path;
	dm.cfg = cfg;
	dm.started_at = time(NULL);
	dm.activity = "starting";
	dm.activity_since = dm.started_at;
	dm.config_read = dm.started_at;
	dm.metrics = metrics_new(dm.started_at);
	pthread_mutex_init(&dm.published_lock, NULL);
	pthread_mutex_init(&dm.alert_lock, NULL);
	pthread_mutex_init(&dm.tell_lock, NULL);
	install_signals();
	shutdown_set_grace((unsigned)cfg->stop_timeout);
	heartbeat_init(notify_watchdog_usec());
	if (attach_engine(&dm) < 0) {
		metrics_free(dm.metrics);
		config_free(cfg);
		pthread_mutex_destroy(&dm.tell_lock);
		return EXIT_ROTD_CONFIG;
	}
	log_info("rotd %s daemon started (config %s, checks every %llu s)", PACKAGE_VERSION, cfg->path,
		 (unsigned long long)cfg->interval);
	configure_httpd(&dm);
	configure_webhook(&dm);
	publish_metrics(&dm);
	write_status(&dm);
	watch.arg = &dm;
	dm.watch = progress_watch_start(&watch);
	loop(&dm);
	progress_watch_stop(dm.watch);
	dm.watch = NULL;

	if (shutdown_acknowledge())
		log_info("stopping on request");
	notify_send("STOPPING=1");
	events_stop(dm.events);
	httpd_stop(dm.httpd);
	httpd_stop(dm.hook_httpd);
	webhook_free(dm.hook);
	dm.connected = 0;
	set_activity(&dm, "stopped", NULL);
	docker_free(dm.d);
	inventory_free(&dm.inv);
	strlist_free(&dm.pending);
	strlist_free(&dm.started);
	metrics_free(dm.metrics);
	json_decref(dm.last_report);
	remedy_memory_free(&dm.remedy_memory);
	free(dm.last_pass_summary);
	free(dm.published);
	free(dm.metrics_problem);
	free(dm.status_problem);
	free(dm.status_line);
	free(dm.activity_detail);
	free(dm.reload_error);
	forget_remedy(&dm);
	free(dm.engine_error);
	free(dm.httpd_listen);
	free(dm.hook_listen);
	free(dm.alert_reason);
	free(dm.socket);
	pthread_mutex_destroy(&dm.published_lock);
	pthread_mutex_destroy(&dm.alert_lock);
	pthread_mutex_destroy(&dm.tell_lock);
	config_free(dm.cfg);
	close(wake_pipe[0]);
	close(wake_pipe[1]);
	log_info("stopped");
	return EXIT_ROTD_OK;
}
