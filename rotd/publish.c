#include "autoconf.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/httpd.h"
#include "lib/log.h"
#include "lib/notify.h"
#include "lib/progress.h"
#include "lib/shutdown.h"
#include "lib/xalloc.h"
#include "publish.h"

#define METRICS_MAX_BODY 0       /* /metrics takes no body */

struct publish {
	struct metrics *metrics;       /* borrowed */
	publish_look_fn look;
	void *look_arg;
	pthread_mutex_t tell_lock;     /* the status file and STATUS=, and what they read here */
	int in_pass;                   /* guarded by tell_lock */
	const char *activity;
	char *activity_detail;
	time_t activity_since;
	char *status_problem;          /* the last status-file error, logged once */
	char *status_line;             /* the last STATUS= sent */
	pthread_mutex_t published_lock;
	char *published;               /* the metrics text /metrics serves */
	char *metrics_problem;         /* the last metrics-file error, logged once */
	struct httpd *httpd;
	char *httpd_listen;
};

static void replace(char **slot, const char *value)
{
	free(*slot);
	*slot = value != NULL ? xstrdup(value) : NULL;
}

/* Logs problem once until it changes (a missing folder would otherwise repeat
 * every interval); NULL clears it. */
static void report_once(char **last, const char *problem)
{
	if (problem != NULL && (*last == NULL || strcmp(*last, problem) != 0))
		log_warnx("%s", problem);
	replace(last, problem);
}

struct publish *publish_new(struct metrics *m, time_t started, publish_look_fn look, void *arg)
{
	struct publish *p = xcalloc(1, sizeof(*p));

	p->metrics = m;
	p->look = look;
	p->look_arg = arg;
	p->activity = "starting";
	p->activity_since = started;
	pthread_mutex_init(&p->tell_lock, NULL);
	pthread_mutex_init(&p->published_lock, NULL);
	return p;
}

void publish_free(struct publish *p)
{
	if (p == NULL)
		return;
	httpd_stop(p->httpd);
	free(p->activity_detail);
	free(p->status_problem);
	free(p->status_line);
	free(p->published);
	free(p->metrics_problem);
	free(p->httpd_listen);
	pthread_mutex_destroy(&p->tell_lock);
	pthread_mutex_destroy(&p->published_lock);
	free(p);
}

/* What the daemon is now, as of updated. */
static void look(const struct publish *p, struct publish_view *v, time_t updated)
{
	memset(v, 0, sizeof(*v));
	v->status.updated = updated;
	p->look(p->look_arg, v);
}

/* With tell_lock held. */
static void write_status_locked(struct publish *p)
{
	struct publish_view v;
	struct progress_snapshot progress;
	char *err = NULL;

	look(p, &v, time(NULL));
	v.status.pid = getpid();
	v.status.version = PACKAGE_VERSION;
	v.status.activity = p->activity;
	v.status.activity_detail = p->activity_detail;
	v.status.activity_since = p->activity_since;
	progress_snapshot(&progress);
	v.status.progress = &progress;
	status_write(v.status_file, &v.status, &err);
	progress_snapshot_free(&progress);
	report_once(&p->status_problem, err);
	free(err);
}

void publish_status(struct publish *p)
{
	pthread_mutex_lock(&p->tell_lock);
	write_status_locked(p);
	pthread_mutex_unlock(&p->tell_lock);
}

void publish_activity(struct publish *p, const char *what, const char *detail)
{
	pthread_mutex_lock(&p->tell_lock);
	p->activity = what;
	replace(&p->activity_detail, detail);
	p->activity_since = time(NULL);
	write_status_locked(p);
	pthread_mutex_unlock(&p->tell_lock);
}

/* During a pass: what is in progress ("rotating C:/path: 412 of 894 MiB (and 2
 * more)"), or what a stop waits for. NULL when nothing is. New string. */
static char *progress_line(const struct publish *p)
{
	struct progress_snapshot ps;
	char *line;

	if (!p->in_pass)
		return NULL;
	progress_snapshot(&ps);
	if (shutdown_requested())
		line = progress_stop_line(&ps, shutdown_grace_left(), NULL);
	else
		line = progress_status_line(&ps);
	progress_snapshot_free(&ps);
	return line;
}

/* Out of a pass: "watching 5 containers (3 running with a role); last pass
 * 08:05:00: ...", or why the engine is not there. New string. */
static char *watching_line(const struct status_snapshot *s)
{
	size_t with_role = 0;
	char when[16] = "";

	for (size_t i = 0; i < s->inv->n; i++)
		with_role += s->inv->v[i].state == CTR_RUNNING;
	if (s->last_pass_started != 0) {
		struct tm tm;

		localtime_r(&s->last_pass_started, &tm);
		strftime(when, sizeof(when), "%H:%M:%S", &tm);
	}
	if (!s->engine_connected)
		return xasprintf("waiting for the Docker engine: %s",
				 s->engine_error != NULL ? s->engine_error : "not connected yet");
	if (s->last_pass_started == 0)
		return xasprintf("watching %zu containers (%zu running with a role)", s->inv->n, with_role);
	return xasprintf("watching %zu containers (%zu running with a role); last pass %s: %s", s->inv->n,
			 with_role, when, s->last_pass_summary);
}

/* With tell_lock held. */
static void tell_systemd_locked(struct publish *p)
{
	struct publish_view v;
	char *line = progress_line(p), *msg;

	look(p, &v, time(NULL));
	if (line == NULL)
		line = watching_line(&v.status);
	if (v.status.reload_refused != 0) {
		struct tm tm;
		char at[16] = "", *longer;

		localtime_r(&v.status.reload_refused, &tm);
		strftime(at, sizeof(at), "%H:%M:%S", &tm);
		longer = xasprintf("%s; reload refused at %s (see rotd status)", line, at);
		free(line);
		line = longer;
	}
	if (p->status_line != NULL && strcmp(p->status_line, line) == 0) {
		free(line);
		return;
	}
	msg = xasprintf("STATUS=%s", line);
	notify_send(msg);
	free(msg);
	free(p->status_line);
	p->status_line = line;
}

void publish_systemd(struct publish *p)
{
	pthread_mutex_lock(&p->tell_lock);
	tell_systemd_locked(p);
	pthread_mutex_unlock(&p->tell_lock);
}

void publish_on_progress(void *arg)
{
	struct publish *p = arg;

	pthread_mutex_lock(&p->tell_lock);
	if (p->in_pass) {
		if (shutdown_requested() && strcmp(p->activity, "stopping") != 0) {
			p->activity = "stopping";
			p->activity_since = time(NULL);
		}
		write_status_locked(p);
		tell_systemd_locked(p);
	}
	pthread_mutex_unlock(&p->tell_lock);
}

void publish_in_pass(struct publish *p, int in_pass)
{
	pthread_mutex_lock(&p->tell_lock);
	p->in_pass = in_pass;
	pthread_mutex_unlock(&p->tell_lock);
}

void publish_metrics(struct publish *p, const char *metrics_file, const struct inventory *inv)
{
	char *text, *err = NULL;

	metrics_set_inventory(p->metrics, inv);
	text = metrics_render(p->metrics);
	if (metrics_file != NULL && metrics_write_file(metrics_file, text, &err) < 0) {
		if (p->metrics_problem == NULL || strcmp(p->metrics_problem, err) != 0)
			metrics_count_error(p->metrics, "metrics");
	}
	report_once(&p->metrics_problem, err);
	free(err);
	pthread_mutex_lock(&p->published_lock);
	free(p->published);
	p->published = text;
	pthread_mutex_unlock(&p->published_lock);
}

static void serve_metrics(const struct httpd_request *req, struct httpd_response *res, void *arg)
{
	struct publish *p = arg;

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
	pthread_mutex_lock(&p->published_lock);
	res->body = xstrdup(p->published != NULL ? p->published : "");
	pthread_mutex_unlock(&p->published_lock);
	res->status = 200;
	res->content_type = "text/plain; version=0.0.4; charset=utf-8";
}

void publish_serve(struct publish *p, const char *listen)
{
	char *err = NULL;

	if (listen != NULL && p->httpd_listen != NULL && strcmp(listen, p->httpd_listen) == 0)
		return;
	httpd_stop(p->httpd);
	p->httpd = NULL;
	replace(&p->httpd_listen, NULL);
	if (listen == NULL)
		return;
	p->httpd = httpd_start(listen, METRICS_MAX_BODY, serve_metrics, p, &err);
	if (p->httpd == NULL) {
		log_errorx("metrics: cannot serve on %s: %s", listen, err);
		metrics_count_error(p->metrics, "metrics");
		free(err);
		return;
	}
	replace(&p->httpd_listen, listen);
	log_info("metrics: serving http://%s/metrics", listen);
}
