/* cycle: one pass of rotd, the same for rotd --now and the daemon. In order:
 * finish interrupted rotations and rotate (pass), the emergency pass when asked
 * for or when a filesystem is above its watermark (remedy), the off-peak jobs;
 * then the one exit code that the report, the metrics and the status all show.
 * The exit-code rules live here and nowhere else. */
#ifndef ROTD_CYCLE_H
#define ROTD_CYCLE_H

#include <jansson.h>
#include <stdio.h>
#include <time.h>

#include "config/config.h"
#include "engine/inventory.h"
#include "jobs/jobs.h"
#include "report/metrics.h"
#include "rotate/pass.h"
#include "remedy/remedy.h"

enum cycle_jobs {
	CYCLE_JOBS_NONE,       /* --rotate-only, --remediate, containers that just started */
	CYCLE_JOBS_ALWAYS,     /* rotd --now: whatever the window */
	CYCLE_JOBS_WINDOW,     /* the daemon, --respect-window: inside the window, once per window */
};

enum cycle_remedy {
	CYCLE_REMEDY_NONE,     /* no emergency pass */
	CYCLE_REMEDY_MANUAL,   /* --remediate: whatever is above low */
	CYCLE_REMEDY_WATERMARK,   /* the daemon's check: when something is above high */
	CYCLE_REMEDY_ALERT,    /* an alert: whatever is above low */
};

struct cycle_request {
	int dry_run;
	enum cycle_jobs jobs;
	enum cycle_remedy remedy;
	struct remedy_memory *memory;  /* the daemon's backoff memory, updated; NULL for --now */
	const char *socket;    /* the engine's socket and API version, for the report and exec */
	const char *api_version;
};

struct cycle {
	time_t started;
	double seconds;        /* on the monotonic clock */
	struct pass pass;
	int ran_jobs;
	struct jobs jobs;      /* when ran_jobs */
	int ran_remedy;        /* an emergency pass was measured (remedy_begin) */
	struct remedy remedy;  /* when ran_remedy */
	int remedy_short_first;   /* a filesystem fell short for the first time in its incident */
	int exit_code;         /* EXIT_ROTD_OK, _PARTIAL (a container, file or job failed) or
	                          _SHORT (the emergency pass could not reach low; wins over 1) */
};

/* Runs one pass over inv as req asks, at now. Fills *c (free with cycle_free). */
void cycle_run(struct cycle *c, const struct rotd_config *cfg, const struct inventory *inv,
	       const struct cycle_request *req, time_t now);

/* The report: text (a header with the exit code, the pass, the jobs, the
 * emergency pass) or one JSON object that also carries "exit_code". When out
 * is where stderr goes, the text marks each error "logged above" rather than
 * repeat it. */
void cycle_print(FILE *out, const struct cycle *c, int json);

/* The report as JSON, with "remediation" when one was needed and "exit_code". */
json_t *cycle_report_json(const struct cycle *c);

/* One line for logs and the status: "3 containers, 2 files archived (...)". New string. */
char *cycle_summary(const struct cycle *c);

/* Adds c to m: the pass and its jobs with c's exit code, the emergency pass
 * when one had work, and the filesystems gauges (measured, above low, short of
 * low) when it measured. */
void cycle_record(struct metrics *m, const struct cycle *c);

/* Frees what c owns. */
void cycle_free(struct cycle *c);

#endif
