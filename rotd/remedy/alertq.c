#include "autoconf.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/httpd.h"
#include "lib/log.h"
#include "lib/strlist.h"
#include "lib/xalloc.h"
#include "remedy/alertq.h"
#include "remedy/webhook.h"

#define WEBHOOK_MAX_BODY (1024 * 1024)
#define ALERT_SETTLE_S 10        /* alerts just after an emergency pass wait this long for theirs */

struct alertq {
	int wake_fd;
	struct httpd *httpd;           /* the receiver, or NULL */
	struct webhook *hook;
	pthread_mutex_t lock;
	char *reason;                  /* a remediation an alert asked for, not yet run; guarded */
	unsigned requests;             /* requests coalesced into it, the first included; guarded */
	size_t alerts;                 /* the matching firing alerts in them; guarded */
	long not_before;               /* monotonic, the loop's own: an emergency pass just ended, so
	                                  the next one alerts ask for waits until then, coalescing */
};

struct alertq *alertq_new(int wake_fd)
{
	struct alertq *q = xcalloc(1, sizeof(*q));

	q->wake_fd = wake_fd;
	pthread_mutex_init(&q->lock, NULL);
	return q;
}

static void stop_receiver(struct alertq *q)
{
	httpd_stop(q->httpd);
	q->httpd = NULL;
	webhook_free(q->hook);
	q->hook = NULL;
}

void alertq_free(struct alertq *q)
{
	if (q == NULL)
		return;
	stop_receiver(q);
	free(q->reason);
	pthread_mutex_destroy(&q->lock);
	free(q);
}

static void wake_loop(const struct alertq *q)
{
	if (write(q->wake_fd, "a", 1) < 0) {
		/* The pipe is full: the loop is awake anyway. */
	}
}

enum webhook_verdict alertq_ask(const char *why, size_t alerts, int may_start, void *arg)
{
	struct alertq *q = arg;
	enum webhook_verdict v;

	pthread_mutex_lock(&q->lock);
	if (q->reason != NULL) {
		q->requests++;
		q->alerts += alerts;
		v = WEBHOOK_COALESCED;
	} else if (!may_start) {
		v = WEBHOOK_REFUSED;
	} else {
		q->reason = xstrdup(why);
		q->requests = 1;
		q->alerts = alerts;
		v = WEBHOOK_QUEUED;
	}
	pthread_mutex_unlock(&q->lock);
	if (v == WEBHOOK_QUEUED)
		wake_loop(q);
	return v;
}

static int pending(struct alertq *q)
{
	int is;

	pthread_mutex_lock(&q->lock);
	is = q->reason != NULL;
	pthread_mutex_unlock(&q->lock);
	return is;
}

char *alertq_take(struct alertq *q, long now, long *next_check, unsigned *requests, size_t *alerts)
{
	char *why;

	*requests = 0;
	*alerts = 0;
	if (!pending(q))
		return NULL;
	if (now < q->not_before && now < *next_check) {
		*next_check = q->not_before;
		return NULL;
	}
	pthread_mutex_lock(&q->lock);
	why = q->reason;
	*requests = q->requests;
	*alerts = q->alerts;
	q->reason = NULL;
	q->requests = 0;
	q->alerts = 0;
	pthread_mutex_unlock(&q->lock);
	return why;
}

void alertq_requeue(struct alertq *q, char *why, unsigned requests, size_t alerts)
{
	pthread_mutex_lock(&q->lock);
	if (q->reason == NULL) {
		q->reason = why;
		why = NULL;
	}
	q->requests += requests;
	q->alerts += alerts;
	pthread_mutex_unlock(&q->lock);
	free(why);
}

void alertq_settle(struct alertq *q, long now)
{
	q->not_before = now + ALERT_SETTLE_S;
}

char *alertq_line(const char *why, unsigned requests, size_t alerts)
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
static void host_names(const struct webhook_policy *w, struct strlist *names)
{
	char host[256];

	strlist_copy(names, &w->hosts);
	if (gethostname(host, sizeof(host)) == 0) {
		host[sizeof(host) - 1] = '\0';
		strlist_add(names, host);
	}
}

int alertq_listen(struct alertq *q, const struct webhook_policy *w)
{
	struct strlist names = STRLIST_INIT;
	struct webhook_config wc;
	char *err = NULL;

	stop_receiver(q);
	if (w->listen == NULL)
		return 0;
	host_names(w, &names);
	wc.token = w->token;
	wc.alert_names = &w->alerts;
	wc.host_names = &names;
	wc.rate_per_minute = w->rate;
	q->hook = webhook_new(&wc, alertq_ask, q);
	strlist_free(&names);
	q->httpd = httpd_start(w->listen, WEBHOOK_MAX_BODY, serve_webhook, q->hook, &err);
	if (q->httpd == NULL) {
		log_errorx("webhook: cannot listen on %s: %s", w->listen, err);
		free(err);
		webhook_free(q->hook);
		q->hook = NULL;
		return -1;
	}
	log_info("webhook: receiving Alertmanager alerts at http://%s/alerts", w->listen);
	return 0;
}
