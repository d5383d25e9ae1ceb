#include "autoconf.h"

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "engine/docker.h"
#include "engine/events.h"
#include "lib/log.h"
#include "lib/xalloc.h"

#define BACKOFF_FIRST_S 1
#define BACKOFF_MAX_S 30

struct events {
	char *socket;
	unsigned timeout_ms;
	int fd;                     /* eventfd: non-zero while the queue is not empty */
	pthread_t thread;
	pthread_mutex_t lock;       /* guards everything below */
	pthread_cond_t wake;        /* signalled by events_stop */
	int stop;
	struct event *queue;
	size_t n, cap;
	time_t since;               /* the last event's time: where a new stream resumes */
};

static void post(struct events *e, enum event_kind kind, const char *id, const char *action, const char *detail,
		 time_t t)
{
	uint64_t one = 1;
	struct event *ev;

	pthread_mutex_lock(&e->lock);
	if (e->n == e->cap) {
		e->cap = e->cap ? e->cap * 2 : 16;
		e->queue = xreallocarray(e->queue, e->cap, sizeof(*e->queue));
	}
	ev = &e->queue[e->n++];
	ev->kind = kind;
	ev->id = id ? xstrdup(id) : NULL;
	ev->action = action ? xstrdup(action) : NULL;
	ev->detail = detail ? xstrdup(detail) : NULL;
	ev->time = t;
	pthread_mutex_unlock(&e->lock);
	if (write(e->fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_warn("events: cannot wake the main loop");
}

static int stopping(struct events *e)
{
	int stop;

	pthread_mutex_lock(&e->lock);
	stop = e->stop;
	pthread_mutex_unlock(&e->lock);
	return stop;
}

static int cancel_hook(void *arg)
{
	return stopping(arg);
}

/* Sleeps seconds unless asked to stop first; returns 1 when asked to stop. */
static int nap(struct events *e, unsigned seconds)
{
	struct timespec until;
	int stop;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += seconds;
	pthread_mutex_lock(&e->lock);
	while (!e->stop && pthread_cond_timedwait(&e->wake, &e->lock, &until) != ETIMEDOUT)
		;
	stop = e->stop;
	pthread_mutex_unlock(&e->lock);
	return stop;
}

static int on_event(json_t *ev, void *arg)
{
	struct events *e = arg;
	json_t *actor = json_object_get(ev, "Actor");
	const char *id = json_string_value(json_object_get(actor, "ID"));
	const char *action = json_string_value(json_object_get(ev, "Action"));
	json_int_t t = json_integer_value(json_object_get(ev, "time"));

	if (id == NULL)
		id = json_string_value(json_object_get(ev, "id"));
	if (action == NULL)
		action = json_string_value(json_object_get(ev, "status"));
	if (id == NULL || action == NULL)
		return stopping(e);
	log_debug("event: container %.12s %s", id, action);
	if (t <= 0)
		t = (json_int_t)time(NULL);
	pthread_mutex_lock(&e->lock);
	if ((time_t)t > e->since)
		e->since = (time_t)t;
	pthread_mutex_unlock(&e->lock);
	if (events_action(action) != NULL)
		post(e, EVENT_CONTAINER, id, events_action(action), NULL, (time_t)t);
	return stopping(e);
}

/* Each followed action under Docker's name, then under the other engine's. */
static const struct {
	const char *docker;
	const char *other;
} followed[] = {
	{ "start", "start" },
	{ "die", "died" },           /* Podman filters on "died" (its stream says "die") */
	{ "destroy", "remove" },     /* Podman removes with "remove" */
	{ "rename", "rename" },
};

const char *events_action(const char *engine_action)
{
	for (size_t i = 0; i < sizeof(followed) / sizeof(followed[0]); i++)
		if (strcmp(engine_action, followed[i].docker) == 0 || strcmp(engine_action, followed[i].other) == 0)
			return followed[i].docker;
	return NULL;
}

struct docker_filters *events_filters(void)
{
	struct docker_filters *f = docker_filters_new();

	docker_filters_add(f, "type", "container");
	for (size_t i = 0; i < sizeof(followed) / sizeof(followed[0]); i++) {
		docker_filters_add(f, "event", followed[i].docker);
		docker_filters_add(f, "event", followed[i].other);
	}
	return f;
}

static void *follow(void *arg)
{
	struct events *e = arg;
	struct docker_options opt = { 0, e->timeout_ms, 0 };
	struct docker_filters *filters = events_filters();
	struct docker *d = docker_new(e->socket, &opt);
	unsigned backoff = BACKOFF_FIRST_S;
	int connected = -1;         /* 0 once DISCONNECTED was posted; -1 before the first ping */

	docker_set_cancel(d, cancel_hook, e);
	while (!stopping(e)) {
		char since[32];
		int rc;

		if (docker_ping(d) != DOCKER_OK) {
			if (stopping(e))
				break;
			if (connected != 0)
				post(e, EVENT_DISCONNECTED, NULL, NULL, docker_error(d), time(NULL));
			connected = 0;
			if (nap(e, backoff))
				break;
			backoff = backoff * 2 > BACKOFF_MAX_S ? BACKOFF_MAX_S : backoff * 2;
			continue;
		}
		backoff = BACKOFF_FIRST_S;
		pthread_mutex_lock(&e->lock);
		if (e->since == 0)
			e->since = time(NULL);
		snprintf(since, sizeof(since), "%lld", (long long)e->since);
		pthread_mutex_unlock(&e->lock);
		/* Connected is posted before the stream opens; the main loop's relist
		 * after it and since= together cover the gap. */
		post(e, EVENT_CONNECTED, NULL, NULL, docker_api_version(d), time(NULL));
		rc = docker_events(d, since, NULL, filters, on_event, e);
		if (stopping(e))
			break;
		log_debug("events stream ended: %s", rc == DOCKER_OK ? "closed by the engine" : docker_error(d));
		post(e, EVENT_DISCONNECTED, NULL, NULL,
		     rc == DOCKER_OK ? "the engine closed the events stream" : docker_error(d), time(NULL));
		connected = 0;
		if (nap(e, backoff))
			break;
	}
	docker_filters_free(filters);
	docker_free(d);
	return NULL;
}

struct events *events_start(const char *socket, unsigned timeout_ms)
{
	struct events *e = xcalloc(1, sizeof(*e));
	pthread_condattr_t ca;

	e->socket = xstrdup(socket);
	e->timeout_ms = timeout_ms;
	e->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (e->fd < 0)
		fatalx(1, "cannot create an eventfd: %s", strerror(errno));
	pthread_mutex_init(&e->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_cond_init(&e->wake, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&e->thread, NULL, follow, e) != 0)
		fatalx(1, "cannot start the events thread: %s", strerror(errno));
	return e;
}

int events_fd(const struct events *e)
{
	return e->fd;
}

size_t events_take(struct events *e, struct event **out)
{
	uint64_t count;
	size_t n;

	if (read(e->fd, &count, sizeof(count)) < 0 && errno != EAGAIN)
		log_warn("events: cannot read the wake counter");
	pthread_mutex_lock(&e->lock);
	*out = e->queue;
	n = e->n;
	e->queue = NULL;
	e->n = e->cap = 0;
	pthread_mutex_unlock(&e->lock);
	return n;
}

void events_free_list(struct event *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].id);
		free(v[i].action);
		free(v[i].detail);
	}
	free(v);
}

void events_stop(struct events *e)
{
	struct event *rest;
	size_t n;

	if (e == NULL)
		return;
	pthread_mutex_lock(&e->lock);
	e->stop = 1;
	pthread_cond_signal(&e->wake);
	pthread_mutex_unlock(&e->lock);
	pthread_join(e->thread, NULL);
	n = events_take(e, &rest);
	events_free_list(rest, n);
	close(e->fd);
	pthread_cond_destroy(&e->wake);
	pthread_mutex_destroy(&e->lock);
	free(e->socket);
	free(e);
}
