/* alert: Alertmanager webhook payloads (webhook_configs, payload version 4):
 * parsing, and deciding whether an alert is one rotd acts on. Pure; fed by the
 * network, so it must hold up against any input (it is fuzzed). */
#ifndef ROTD_ALERT_H
#define ROTD_ALERT_H

#include <stddef.h>

#include "lib/strlist.h"

#define ALERT_MAX_ALERTS 1000      /* more alerts in one payload is malformed */
#define ALERT_MAX_STRING 4096      /* longer label values are malformed */

struct alert {
	char *name;          /* labels.alertname (required) */
	char *status;        /* the alert's "status" ("firing" or "resolved"), else the payload's */
	char *instance;      /* labels.instance, or NULL */
	char *host;          /* labels.host, else labels.hostname, else labels.nodename, or NULL */
	char *summary;       /* annotations.summary, else annotations.description, or NULL */
};

struct alert_batch {
	char *receiver;      /* or NULL */
	char *status;        /* the payload's "status" (required): "firing" or "resolved" */
	struct alert *v;
	size_t n;
};

/* Parses body (len bytes; need not be NUL-terminated; may hold NULs). A payload
 * is a JSON object with "status" (a string) and "alerts" (an array of at most
 * ALERT_MAX_ALERTS objects, each with "labels": an object with a string
 * "alertname"); other fields are ignored; every string used must be UTF-8 of at
 * most ALERT_MAX_STRING bytes. Returns 0 and fills *out (free with
 * alert_batch_free), or -1 with *err set to a new one-line message saying what
 * is wrong, e.g. "not JSON: '[' or '{' expected near 'x' (line 1, column 1)",
 * "\"alerts\" is missing or not an array", "alert 3: labels.alertname is
 * missing or not a string". */
int alert_parse(const char *body, size_t len, struct alert_batch *out, char **err);

/* Frees what b owns and empties it; an empty batch is allowed. */
void alert_batch_free(struct alert_batch *b);

/* 1 when a's status is "firing". */
int alert_firing(const struct alert *a);

/* 1 when a's name matches one of names (fnmatch(3) globs, case-sensitive). */
int alert_name_matches(const struct alert *a, const struct strlist *names);

/* 1 when a concerns this host: the host part of its instance label
 * ("db1.example.com:9100" -> "db1.example.com", "[::1]:9100" -> "::1", no port
 * -> all of it), or its host label, equals one of names case-insensitively, or
 * equals the first label of one of them ("db1" for "db1.example.com") or the
 * other way round. An alert with neither label matches nothing. */
int alert_names_host(const struct alert *a, const struct strlist *names);

#endif
