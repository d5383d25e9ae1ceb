/* report: what a pass saw and did, for people (text) and machines (JSON).
 * Container-controlled strings (names, paths) are escaped before they are shown. */
#ifndef ROTD_REPORT_H
#define ROTD_REPORT_H

#include <jansson.h>
#include <stdio.h>
#include <time.h>

#include "jobs/jobs.h"
#include "rotate/pass.h"
#include "remedy/remedy.h"

/* Flags for the text report. */
#define REPORT_ERRORS_LOGGED 1u   /* the reader also sees rotd's log just above the report
				     (stderr goes where the report goes), where each error
				     was logged as it happened: the report marks each failure
				     ("FAILED, logged above", "2 errors, logged above") and
				     does not repeat its message */

/* The failures of a pass and its jobs, counted as the exit code counts them:
 * any of them makes rotd exit 1 (or 5 when an emergency pass fell short). */
struct report_failures {
	size_t containers;     /* failed to be inspected, or with container-level or scan errors */
	size_t files;          /* actions (rotations, archives, prunes) that failed */
	size_t jobs;           /* cleanup runs, media volumes, the GC, the state file */
};

/* Counts the failures of p and j (may be NULL) into *f. */
void report_count_failures(const struct pass *p, const struct jobs *j, struct report_failures *f);

/* Writes the human summary of a pass that exits with exit_code (-1: not
 * shown). The header comes first: engine and config; the containers by state;
 * the exit code with the failures counted as it counts them. Then each
 * container, the off-peak jobs j (may be NULL), and the emergency pass r (may
 * be NULL). Media are summed per rule with the first REPORT_PATHS_SHOWN paths.
 * flags: REPORT_*. */
void report_print_text(FILE *out, const struct pass *p, const struct jobs *j, const struct remedy *r,
		       int exit_code, unsigned flags);

#define REPORT_PATHS_SHOWN 5

/* 1 when out is the same open file as stderr (a terminal, a pipe that both go
 * to, the journal): what rotd logged is then just above the report. */
int report_shares_log(FILE *out);

/* p and j (may be NULL) as one JSON object; new reference. */
json_t *report_json(const struct pass *p, const struct jobs *j);

/* Logs (info) one line per file a real pass archived and per archive it
 * pruned, for the daemon's journal. */
void report_log_pass(const struct pass *p);

/* One line summing up p and j (may be NULL): "3 containers, 2 files archived
 * (41.0 MiB), 1 failure", failures counted as report_count_failures does. New
 * string. */
char *report_summary(const struct pass *p, const struct jobs *j);

/* Writes the emergency pass's section of the report: each filesystem (mount
 * point and device) before and after, or, in a dry run, as estimated; each step
 * with what it freed or would free; the archives dropped; and, when it fell
 * short, what takes the space. flags: REPORT_*. */
void report_print_remedy_text(FILE *out, const struct remedy *r, unsigned flags);

/* The same as a JSON object; new reference. */
json_t *report_remedy_json(const struct remedy *r);

#endif
