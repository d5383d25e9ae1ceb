/* webhook: the Alertmanager webhook receiver's request handling, served by the
 * daemon through httpd.h at POST /alerts.
 *
 * Every request must carry "Authorization: Bearer TOKEN" (compared in constant
 * time). Then, in this order of checks:
 *   404 any other path; 405 any other method than POST (with Allow: POST);
 *   401 a missing or wrong token (nothing else is looked at);
 *   429 a flood: more than WEBHOOK_FLOOD_FACTOR * rate_per_minute requests of
 *       any kind in the last minute (token bucket, counted after
 *       authentication, so strangers cannot starve Alertmanager);
 *   415 a Content-Type other than application/json (parameters allowed);
 *   400 a payload alert_parse rejects, with its message;
 *   429 the request asks for a new emergency pass and rate_per_minute new
 *       passes were already asked for in the last minute (a second bucket);
 *   200 otherwise, with a JSON body {"triggered": true|false, "matched": N,
 *       "ignored": M, "resolved": R, "coalesced": true|false}.
 * A firing alert whose name matches alert_names and which names this host
 * (alert_names_host with host_names) makes the handler call trigger once per
 * request with all such alerts of the request; resolved alerts are logged
 * (info) and trigger nothing; other alerts are logged at debug level and
 * ignored. Nothing is triggered by any 4xx.
 *
 * Alertmanager takes a 429 (any 4xx) as final and drops the notification until
 * its group's next flush. So a request that only joins a pass already asked
 * for (trigger says WEBHOOK_COALESCED: a pass is pending, or will follow the
 * one running) costs nothing from the pass bucket and is answered 200, and
 * requests that ask for nothing (resolved or other alerts) cost nothing from it
 * either: a burst of notifications while a remediation runs, or just after
 * one, is coalesced, never refused. Only a flood gets 429. */
#ifndef ROTD_WEBHOOK_H
#define ROTD_WEBHOOK_H

#include "lib/httpd.h"
#include "lib/strlist.h"

struct webhook_config {
	const char *token;                  /* required, non-empty */
	const struct strlist *alert_names;  /* globs */
	const struct strlist *host_names;   /* this host's names */
	unsigned rate_per_minute;           /* new emergency passes asked for a minute, >= 1 */
};

#define WEBHOOK_FLOOD_FACTOR 10   /* requests of any kind: this many times rate_per_minute */

/* What became of a request for an emergency pass. */
enum webhook_verdict {
	WEBHOOK_QUEUED,       /* a new pass was asked for */
	WEBHOOK_COALESCED,    /* it joined a pass already asked for and not started yet */
	WEBHOOK_REFUSED,      /* it needs a new pass, and may_start was 0 */
};

/* Asks for an emergency pass for alerts matching firing alerts; why is one
 * line ("alert HostOutOfDiskSpace for db1:9100"), the first of them. With
 * may_start 0 (the pass bucket is empty) it may only join a pass already asked
 * for. Called from the HTTP server's thread with the webhook's lock held: it
 * must be thread-safe and quick (the daemon sets a flag and wakes its loop),
 * and must not call back into the webhook. */
typedef enum webhook_verdict (*webhook_trigger_fn)(const char *why, size_t alerts, int may_start, void *arg);

struct webhook;

/* Copies what it needs from c. trigger may be NULL (every request that asks
 * for a pass is then WEBHOOK_QUEUED while the bucket lasts). Never NULL. */
struct webhook *webhook_new(const struct webhook_config *c, webhook_trigger_fn trigger, void *arg);

/* Answers one request as above. Thread-safe. */
void webhook_handle(struct webhook *w, const struct httpd_request *req, struct httpd_response *res);

/* Frees w; NULL is allowed. */
void webhook_free(struct webhook *w);

#endif
