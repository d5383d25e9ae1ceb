/* report: what a pass saw and did, for people (text) and machines (JSON).
 * Container-controlled strings (names, paths) are escaped before they are shown. */
#ifndef ROTD_REPORT_H
#define ROTD_REPORT_H

#include <jansson.h>
#include <stdio.h>

#include "jobs.h"
#include "pass.h"
#include "remedy.h"

/* Writes the human summary of p and its off-peak jobs j (j may be NULL). */
void report_print_text(FILE *out, const struct pass *p, const struct jobs *j);

/* p and j (may be NULL) as one JSON object; new reference. */
json_t *report_json(const struct pass *p, const struct jobs *j);

/* Logs (info) one line per file a real pass archived and per archive it
 * pruned, for the daemon's journal. */
void report_log_pass(const struct pass *p);

/* One line summing up p and j (may be NULL): "3 containers, 2 files archived
 * (41.0 MiB), 0 errors". New string. */
char *report_summary(const struct pass *p, const struct jobs *j);

/* Writes what the emergency pass r measured and did, and, when it fell short,
 * what takes the space. */
void report_print_remedy_text(FILE *out, const struct remedy *r);

/* The same as a JSON object; new reference. */
json_t *report_remedy_json(const struct remedy *r);

/* A copy of s fit for a terminal: bytes outside printable ASCII become \xNN and
 * '\\' becomes "\\\\". New string. */
char *report_escape(const char *s);

#endif
