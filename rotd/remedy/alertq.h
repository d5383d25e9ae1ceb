/* alertq: the Alertmanager receiver and the queue of emergency passes its
 * alerts ask for. The receiver (webhook.h, served by httpd.h) runs on its own
 * thread; a request for a pass joins the one already asked for and not started
 * yet, or asks for one and wakes the daemon's loop, which takes it when it may.
 * So alerts that arrive while a pass runs, or while the one after it waits,
 * make at most one more pass. Just after an emergency pass, alerts are likely
 * news of the disk it cleaned: the loop lets them settle, coalescing, first. */
#ifndef ROTD_ALERTQ_H
#define ROTD_ALERTQ_H

#include <stddef.h>

#include "config/config.h"
#include "remedy/webhook.h"

struct alertq;

/* A queue with nothing asked for and no receiver; wake_fd is written one byte
 * whenever a new pass is asked for (the loop's wake pipe, non-blocking). Free
 * with alertq_free. */
struct alertq *alertq_new(int wake_fd);

/* Stops the receiver and frees q and what is queued. NULL is a no-op. */
void alertq_free(struct alertq *q);

/* Starts, restarts or stops the receiver to match w (rebuilt on every call, since
 * a reload may change the token or the names). Returns 0, or -1 (logged) when it
 * cannot listen on w->listen; then there is no receiver. */
int alertq_listen(struct alertq *q, const struct webhook_policy *w);

/* The receiver's webhook_trigger_fn (arg: the queue), from its thread: joins
 * the request already asked for and not taken yet (WEBHOOK_COALESCED), or
 * asks for one and wakes the loop (WEBHOOK_QUEUED) when may_start is set, or
 * refuses (WEBHOOK_REFUSED). why is copied. */
enum webhook_verdict alertq_ask(const char *why, size_t alerts, int may_start, void *arg);

/* From the loop, at now (monotonic seconds): the pending request's first reason
 * (new string), with how many requests and alerts it stands for, and clears it.
 * NULL when none is pending, or when an emergency pass ended less than the
 * settle time ago and no pass is due yet (now < *next_check): then the request
 * stays, and *next_check becomes the end of the settle time. */
char *alertq_take(struct alertq *q, long now, long *next_check, unsigned *requests, size_t *alerts);

/* Puts back a request alertq_take gave (the pass could not run); takes why. */
void alertq_requeue(struct alertq *q, char *why, unsigned requests, size_t alerts);

/* An emergency pass ended at now (monotonic seconds): alerts wait a few
 * seconds, coalescing, before they may ask for the next. */
void alertq_settle(struct alertq *q, long now);

/* The reason the pass gives: "WHY and 6 more alerts; 4 more requests
 * coalesced". New string. */
char *alertq_line(const char *why, unsigned requests, size_t alerts);

#endif
