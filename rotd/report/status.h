/* status: what the daemon is doing, written by the daemon to a small JSON file
 * (atomically, whenever it changes) and shown by `rotd status`. */
#ifndef ROTD_STATUS_H
#define ROTD_STATUS_H

#include <jansson.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#include "engine/inventory.h"
#include "lib/progress.h"

/* A filesystem an emergency pass left above low. */
struct status_fs {
	const char *label;            /* "MOUNT (DEVICE)" */
	unsigned used_pct;
};

/* What the last emergency pass did. */
struct status_remediation {
	time_t started;
	const char *trigger;          /* "watermark", "alert", "manual" */
	const char *reason;           /* the alert's, or NULL */
	int64_t freed;                /* bytes */
	int reached_low;
	unsigned low_pct;
	const struct status_fs *above;   /* those still above low */
	size_t n_above;
};

struct status_snapshot {
	pid_t pid;
	const char *version;          /* PACKAGE_VERSION */
	time_t started;               /* when the daemon started */
	time_t updated;               /* when this snapshot was taken */
	const char *config_path;
	const char *activity;         /* "starting", "idle", "pass", "remediation", "jobs", "stopping",
	                                 "stopped" */
	const char *activity_detail;  /* e.g. "biz_waweb_1", or NULL */
	time_t activity_since;
	int engine_connected;
	const char *engine_error;     /* the last engine error while disconnected, or NULL */
	const char *api_version;      /* negotiated, or NULL */
	const struct inventory *inv;  /* the daemon's current inventory */
	time_t next_check;            /* when the next interval pass is due */
	time_t last_pass_started;     /* 0: no pass yet */
	double last_pass_seconds;
	int last_pass_exit;           /* the pass's exit code (0, 1, 3) */
	const char *last_pass_summary; /* one line, e.g. "2 rotated, 0 errors" */
	json_t *last_report;          /* report_json() of the last pass (borrowed), or NULL */
	const struct progress_snapshot *progress;   /* what is in progress now, or NULL */
	time_t config_read;           /* when the config in use was read; 0: unknown */
	time_t reload_refused;        /* when the last reload was refused; 0: none since
	                                 the config in use was read */
	const char *reload_error;     /* its first error line ("file:line: message") */
	size_t reload_errors;         /* how many lines it had */
	const struct status_remediation *last_remediation;   /* NULL: none yet */
};

/* The snapshot as a JSON object: {"pid", "version", "started", "updated",
 * "config", "config_read", "activity": {"what","detail","since"}, "progress":
 * [{"step","container","path","done_bytes","total_bytes","seconds",
 * "bytes_per_second"}], "engine": {"connected","error","api_version"},
 * "containers": [{"name","id","image","role","state","pid","detail"}],
 * "next_check", "last_pass": {"started","seconds","exit_code","summary",
 * "report"} or null (no pass yet), "reload": {"refused_at","error","errors"} or
 * null (none refused), "last_remediation": {"started","trigger","reason",
 * "freed_bytes","reached_low","low_percent","above_low": [{"filesystem",
 * "used_percent"}]} or null (none yet)}. Times are Unix seconds (config_read 0:
 * unknown); total_bytes 0 is not known; absent strings are null; strings that
 * are not valid UTF-8 are stored escaped as by escape_text(). New reference. */
json_t *status_to_json(const struct status_snapshot *s);

/* Writes status_to_json(s) to path atomically (a uniquely named temp file in
 * the same folder, mode 0644, fsync, rename), creating the folder (0755, one
 * level) if missing. Safe to call from several threads. Returns 0, or -1
 * with *err set to a new message naming the path. */
int status_write(const char *path, const struct status_snapshot *s, char **err);

/* `rotd status`: reads path and prints it to out, as text for people or (json
 * set) as the file's JSON with "running" added. The daemon counts as running
 * when its pid is alive; otherwise the text says it is not running and when it
 * last updated the file. Returns 0 when a daemon is running, 3 when the file
 * exists but its daemon is gone, 2 when the file is missing or unreadable (with
 * a line on stderr naming the path). Container-controlled strings are escaped. */
int status_show(const char *path, FILE *out, int json, time_t now);

#endif
