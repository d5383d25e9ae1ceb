/* publish: what the daemon tells about itself: the status file `rotd status`
 * reads, the one-line STATUS= of the systemd notify protocol, and the
 * Prometheus metrics (the metrics file and the /metrics server).
 *
 * The loop calls it. While a pass runs (publish_in_pass), the progress thread
 * also writes the status file and STATUS= (publish_on_progress); the
 * publisher's lock serializes the two. Out of a pass only the loop writes, and
 * only the loop changes what they read. */
#ifndef ROTD_PUBLISH_H
#define ROTD_PUBLISH_H

#include "engine/inventory.h"
#include "report/metrics.h"
#include "report/status.h"

/* The daemon as the status file shows it. */
struct publish_view {
	const char *status_file;                 /* where to write it; NULL: nowhere */
	struct status_snapshot status;
	struct status_remediation remediation;   /* what status.last_remediation may point to */
};

/* Fills in v->status_file and, in v->status, what the daemon knows (pointers
 * borrowed from it); the publisher has set v->status.updated already and fills
 * in the pid, the version, the activity and the progress. Called with the
 * publisher's lock held, from the loop or, during a pass, the progress thread. */
typedef void (*publish_look_fn)(void *arg, struct publish_view *v);

struct publish;

/* A publisher that counts its errors in m (borrowed, must outlive it) and asks
 * look(arg) what the daemon is; its activity is "starting" since started. Free
 * with publish_free. */
struct publish *publish_new(struct metrics *m, time_t started, publish_look_fn look, void *arg);

/* Stops the /metrics server and frees p. NULL is a no-op. */
void publish_free(struct publish *p);

/* Writes the status file; a failure is logged once until it changes. */
void publish_status(struct publish *p);

/* Sets the activity ("idle", "pass", "remediation", "stopping", ...) and its
 * detail (copied; may be NULL), since now, and writes the status file. */
void publish_activity(struct publish *p, const char *what, const char *detail);

/* Sends a one-line STATUS= when it changed: what is in progress, or what the
 * daemon watches, and a refused reload. */
void publish_systemd(struct publish *p);

/* Tells whether a pass runs (and so whether the progress thread writes). */
void publish_in_pass(struct publish *p, int in_pass);

/* The progress thread's callback (arg: the publisher), at most about once a
 * second while a pass makes progress and at once when a stop is acknowledged:
 * writes the status file and STATUS= during a pass. */
void publish_on_progress(void *arg);

/* Renders the metrics with inv's containers, writes them to metrics_file (NULL:
 * none; a failure is logged once and counted) and serves them at /metrics. */
void publish_metrics(struct publish *p, const char *metrics_file, const struct inventory *inv);

/* Starts, restarts or stops the /metrics server to serve on listen (NULL: none).
 * A failure is logged and counted; there is no server then. */
void publish_serve(struct publish *p, const char *listen);

#endif
