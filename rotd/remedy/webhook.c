#include "autoconf.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "remedy/alert.h"
#include "lib/log.h"
#include "remedy/webhook.h"
#include "lib/xalloc.h"

#define WEBHOOK_PATH "/alerts"
#define JSON_TYPE "application/json"

/* A token bucket: capacity tokens, refilled at capacity a minute. */
struct bucket {
	double capacity;
	double tokens;
	struct timespec last;       /* CLOCK_MONOTONIC time tokens was last brought up to date */
};

struct webhook {
	char *token;
	size_t token_len;
	struct strlist alert_names;
	struct strlist host_names;
	webhook_trigger_fn trigger;
	void *arg;

	pthread_mutex_t lock;       /* guards the buckets and serializes trigger calls */
	struct bucket requests;     /* any authenticated request: the flood limit */
	struct bucket passes;       /* requests that ask for a new pass */
};

static void bucket_init(struct bucket *b, double capacity)
{
	b->capacity = capacity;
	b->tokens = capacity;
	clock_gettime(CLOCK_MONOTONIC, &b->last);
}

/* Brings b's tokens up to date; with the webhook's lock held. */
static void bucket_refill(struct bucket *b)
{
	struct timespec now;
	double elapsed;

	clock_gettime(CLOCK_MONOTONIC, &now);
	elapsed = (double)(now.tv_sec - b->last.tv_sec) + (double)(now.tv_nsec - b->last.tv_nsec) / 1e9;
	if (elapsed > 0) {
		b->tokens += elapsed * b->capacity / 60.0;
		if (b->tokens > b->capacity)
			b->tokens = b->capacity;
		b->last = now;
	}
}

struct webhook *webhook_new(const struct webhook_config *c, webhook_trigger_fn trigger, void *arg)
{
	struct webhook *w = xcalloc(1, sizeof(*w));

	w->token = xstrdup(c->token != NULL ? c->token : "");
	w->token_len = strlen(w->token);
	if (c->alert_names != NULL)
		strlist_copy(&w->alert_names, c->alert_names);
	if (c->host_names != NULL)
		strlist_copy(&w->host_names, c->host_names);
	w->trigger = trigger;
	w->arg = arg;
	pthread_mutex_init(&w->lock, NULL);
	bucket_init(&w->passes, c->rate_per_minute > 0 ? c->rate_per_minute : 1);
	bucket_init(&w->requests, w->passes.capacity * WEBHOOK_FLOOD_FACTOR);
	return w;
}

void webhook_free(struct webhook *w)
{
	if (w == NULL)
		return;
	free(w->token);
	strlist_free(&w->alert_names);
	strlist_free(&w->host_names);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

/* Compares every byte of both strings whatever they hold, so the time taken
 * tells nothing about how much of a guess was right. */
static int token_equal(const char *given, size_t given_len, const char *want, size_t want_len)
{
	size_t n = given_len > want_len ? given_len : want_len;
	unsigned diff = given_len != want_len;

	for (size_t i = 0; i < n; i++) {
		unsigned char a = i < given_len ? (unsigned char)given[i] : 0;
		unsigned char b = i < want_len ? (unsigned char)want[i] : 0;

		diff |= (unsigned)(a ^ b);
	}
	return diff == 0;
}

static int authorized(const struct webhook *w, const char *authorization)
{
	const char *t;
	size_t len;

	if (authorization == NULL || strncasecmp(authorization, "Bearer ", 7) != 0)
		return 0;
	t = authorization + 7;
	while (*t == ' ' || *t == '\t')
		t++;
	len = strlen(t);
	while (len > 0 && (t[len - 1] == ' ' || t[len - 1] == '\t'))
		len--;
	return token_equal(t, len, w->token, w->token_len);
}

/* Takes one token from the flood bucket; 0 when it is empty. */
static int take_request_token(struct webhook *w)
{
	int ok;

	pthread_mutex_lock(&w->lock);
	bucket_refill(&w->requests);
	ok = w->requests.tokens >= 1.0;
	if (ok)
		w->requests.tokens -= 1.0;
	pthread_mutex_unlock(&w->lock);
	return ok;
}

/* Asks for a pass for alerts matching alerts (why names the first): a new
 * pass takes a token from the pass bucket, joining one already asked for
 * takes none. */
static enum webhook_verdict ask_for_pass(struct webhook *w, const char *why, size_t alerts)
{
	enum webhook_verdict v;
	int may_start;

	pthread_mutex_lock(&w->lock);
	bucket_refill(&w->passes);
	may_start = w->passes.tokens >= 1.0;
	if (w->trigger != NULL)
		v = w->trigger(why, alerts, may_start, w->arg);
	else
		v = may_start ? WEBHOOK_QUEUED : WEBHOOK_REFUSED;
	if (v == WEBHOOK_QUEUED)
		w->passes.tokens -= 1.0;
	pthread_mutex_unlock(&w->lock);
	return v;
}

/* "application/json", any case, alone or followed by parameters. */
static int json_content_type(const char *type)
{
	size_t n = strlen(JSON_TYPE);

	if (type == NULL)
		return 0;
	while (*type == ' ' || *type == '\t')
		type++;
	if (strncasecmp(type, JSON_TYPE, n) != 0)
		return 0;
	type += n;
	while (*type == ' ' || *type == '\t')
		type++;
	return *type == '\0' || *type == ';';
}

/* A copy of s fit for one log line (alert fields come from the network). */
static char *printable(const char *s)
{
	char *c = xstrdup(s != NULL ? s : "-");

	for (unsigned char *p = (unsigned char *)c; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			*p = '?';
	return c;
}

static void respond_json(struct httpd_response *res, int status, json_t *j)
{
	char *text = json_dumps(j, JSON_COMPACT);

	res->status = status;
	res->content_type = JSON_TYPE;
	res->body = text != NULL ? xasprintf("%s\n", text) : NULL;
	free(text);
	json_decref(j);
}

/* Answers a rejected request with status and a JSON {"error": reason}, and
 * logs it. reason is ASCII without control characters. */
static void reject(const struct httpd_request *req, struct httpd_response *res, int status, const char *reason)
{
	log_warnx("webhook: request from %s rejected with %d: %s", req->peer != NULL ? req->peer : "?", status,
		  reason);
	respond_json(res, status, json_pack("{s:s}", "error", reason));
}

/* "alert NAME for WHERE", printable. */
static char *describe(const struct alert *a)
{
	char *name = printable(a->name);
	char *where = printable(a->instance != NULL ? a->instance : a->host);
	char *s = xasprintf("alert %s for %s", name, where);

	free(name);
	free(where);
	return s;
}

void webhook_handle(struct webhook *w, const struct httpd_request *req, struct httpd_response *res)
{
	struct alert_batch b;
	size_t matched = 0, ignored = 0, resolved = 0;
	char *err = NULL, *why = NULL;
	enum webhook_verdict verdict = WEBHOOK_QUEUED;

	if (req->path == NULL || strcmp(req->path, WEBHOOK_PATH) != 0) {
		reject(req, res, 404, "not found: alerts are posted to " WEBHOOK_PATH);
		return;
	}
	if (req->method == NULL || strcmp(req->method, "POST") != 0) {
		reject(req, res, 405, "method not allowed: use POST");
		res->allow = "POST";
		return;
	}
	if (!authorized(w, req->authorization)) {
		reject(req, res, 401, req->authorization == NULL ? "missing bearer token" : "wrong bearer token");
		return;
	}
	if (!take_request_token(w)) {
		reject(req, res, 429, "too many requests: a flood");
		return;
	}
	if (!json_content_type(req->content_type)) {
		reject(req, res, 415, "Content-Type must be application/json");
		return;
	}
	if (alert_parse(req->body, req->body_len, &b, &err) < 0) {
		char *reason = xasprintf("bad payload: %s", err);

		reject(req, res, 400, reason);
		free(reason);
		free(err);
		return;
	}
	for (size_t i = 0; i < b.n; i++) {
		const struct alert *a = &b.v[i];
		char *d = describe(a);

		if (alert_firing(a) && alert_name_matches(a, &w->alert_names) &&
		    alert_names_host(a, &w->host_names)) {
			matched++;
			if (why == NULL) {
				why = d;
				continue;
			}
			log_debug("webhook: %s is firing too", d);
		} else if (a->status != NULL && strcmp(a->status, "resolved") == 0) {
			resolved++;
			log_info("webhook: %s is resolved", d);
		} else {
			ignored++;
			log_debug("webhook: %s ignored: not an alert rotd acts on here", d);
		}
		free(d);
	}
	alert_batch_free(&b);
	if (why != NULL) {
		char more[48] = "";

		if (matched > 1)
			snprintf(more, sizeof(more), " (and %zu more)", matched - 1);
		verdict = ask_for_pass(w, why, matched);
		switch (verdict) {
		case WEBHOOK_QUEUED:
			log_info("webhook: %s%s is firing: emergency pass requested", why, more);
			break;
		case WEBHOOK_COALESCED:
			log_info("webhook: %s%s is firing: coalesced into the emergency pass already requested", why,
				 more);
			break;
		case WEBHOOK_REFUSED:
			break;
		}
		free(why);
		if (verdict == WEBHOOK_REFUSED) {
			char *reason = xasprintf("too many requests: new emergency passes asked for more often than "
						 "%.0f a minute",
						 w->passes.capacity);

			reject(req, res, 429, reason);
			free(reason);
			return;
		}
	}
	respond_json(res, 200,
		     json_pack("{s:b, s:I, s:I, s:I, s:b}", "triggered", matched > 0, "matched", (json_int_t)matched,
			       "ignored", (json_int_t)ignored, "resolved", (json_int_t)resolved, "coalesced",
			       verdict == WEBHOOK_COALESCED));
}
