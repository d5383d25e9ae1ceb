/* events: follows the engine's container events on a thread of its own, so that
 * the daemon learns at once when a container starts, dies, is destroyed or
 * renamed, and when the engine goes away or comes back.
 *
 * The thread pings the engine, reports EVENT_CONNECTED, then streams /events
 * (type container; start, die, destroy, rename, under the names of both
 * engines: Podman filters on "died" and "remove") and queues each one. When the
 * stream breaks it reports EVENT_DISCONNECTED once, retries with exponential
 * backoff (1 s doubling to 30 s), and resumes the stream with since= the time of
 * the last event it saw, so that nothing in between is missed. */
#ifndef ROTD_EVENTS_H
#define ROTD_EVENTS_H

#include <stddef.h>
#include <time.h>

enum event_kind {
	EVENT_CONTAINER,        /* a container event: id and action are set */
	EVENT_CONNECTED,        /* the engine answers again (also the first time); detail is
	                           the negotiated API version */
	EVENT_DISCONNECTED,     /* the engine cannot be reached; detail says why */
};

struct event {
	enum event_kind kind;
	char *id;               /* container id, or NULL */
	char *action;           /* "start", "die", "destroy" or "rename" (Docker's names, whichever
	                           engine sent it), or NULL */
	char *detail;           /* see the kinds; may be NULL */
	time_t time;            /* when the engine says it happened (CONTAINER), else now */
};

struct events;
struct docker_filters;

/* The container action an engine reported, under Docker's name: Podman's "died" is
 * "die", its "remove" is "destroy"; NULL for an action the daemon does not follow
 * (exec_died, cleanup...). Pure. */
const char *events_action(const char *engine_action);

/* The filters of the events stream: type container, and the followed actions
 * under both engines' names. Free with docker_filters_free. */
struct docker_filters *events_filters(void);

/* Starts following the engine at socket (timeouts from timeout_ms for its
 * pings). Never NULL; the thread reports what it finds through the queue. */
struct events *events_start(const char *socket, unsigned timeout_ms);

/* A file descriptor that is readable while events wait in the queue (for poll). */
int events_fd(const struct events *e);

/* Takes every queued event, oldest first, into *out (a new array, NULL when
 * none) and returns how many. Free with events_free_list. */
size_t events_take(struct events *e, struct event **out);

/* Frees a list from events_take. */
void events_free_list(struct event *v, size_t n);

/* Stops the thread (within about a second), frees e and what is still queued;
 * NULL is allowed. */
void events_stop(struct events *e);

#endif
