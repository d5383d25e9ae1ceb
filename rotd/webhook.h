/* webhook: the Alertmanager webhook receiver's request handling, served by the
 * daemon through httpd.h at POST /alerts.
 *
 * Every request must carry "Authorization: Bearer TOKEN" (compared in constant
 * time). Then, in this order of checks:
 *   404 any other path; 405 any other method than POST (with Allow: POST);
 *   401 a missing or wrong token (nothing else is looked at);
 *   429 more than rate_per_minute requests in the last minute (token bucket,
 *       counted after authentication, so strangers cannot starve Alertmanager);
 *   415 a Content-Type other than application/json (parameters allowed);
 *   400 a payload alert_parse rejects, with its message;
 *   200 otherwise, with a JSON body {"triggered": true|false, "matched": N,
 *       "ignored": M, "resolved": R}.
 * A firing alert whose name matches alert_names and which names this host
 * (alert_names_host with host_names) makes the handler call trigger once per
 * request; resolved alerts are logged (info) and trigger nothing; other alerts
 * are logged at debug level and ignored. Nothing is triggered by any 4xx. */
#ifndef ROTD_WEBHOOK_H
#define ROTD_WEBHOOK_H

#include "httpd.h"
#include "strlist.h"

struct webhook_config {
	const char *token;                  /* required, non-empty */
	const struct strlist *alert_names;  /* globs */
	const struct strlist *host_names;   /* this host's names */
	unsigned rate_per_minute;           /* >= 1 */
};

/* Asks for a remediation pass; why is one line ("alert HostOutOfDiskSpace for
 * db1:9100"). Called from the HTTP server's thread: it must be thread-safe and
 * quick (the daemon sets a flag and wakes its loop). */
typedef void (*webhook_trigger_fn)(const char *why, void *arg);

struct webhook;

/* Copies what it needs from c. Never NULL. */
struct webhook *webhook_new(const struct webhook_config *c, webhook_trigger_fn trigger, void *arg);

/* Answers one request as above. Thread-safe. */
void webhook_handle(struct webhook *w, const struct httpd_request *req, struct httpd_response *res);

/* Frees w; NULL is allowed. */
void webhook_free(struct webhook *w);

#endif
