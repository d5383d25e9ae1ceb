/* plan: what a pass will do to one container's logs. A pure function of the
 * policy, what scan saw, the archives already there, and the time: no I/O.
 * --dry-run prints exactly this list; apply carries it out. */
#ifndef ROTD_PLAN_H
#define ROTD_PLAN_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "config.h"
#include "scan.h"

/* One archive found in an archive folder. */
struct existing_archive {
	const char *name;      /* file name in the archive folder (borrowed) */
	uint64_t size;         /* its size in bytes (0 when unknown) */
};

enum action_kind {
	ACTION_ROTATE,         /* over its size: archive its content, then cut it (policy->method) */
	ACTION_ARCHIVE_IDLE,   /* not the newest of its glob and idle: archive whole, then remove */
	ACTION_PRUNE,          /* an archive retention drops (beyond keep, past max-age, over the
	                          folder's max-size, or an emergency): removed once the new
	                          archive of its log is durable */
	ACTION_SKIP,           /* matched but must not be touched (not a single-link regular file) */
};

struct action {
	enum action_kind kind;
	const struct log_file *file;       /* the source (borrowed from scan); for PRUNE, the source
	                                      whose archive it is, or NULL when the archive counts
	                                      for a pattern (files archived whole) */
	const struct log_policy *policy;   /* the source's effective policy (borrowed from the config) */
	char *stem;                        /* archive name stem of the source, see plan_archive_stem */
	char *archive;                     /* PRUNE: the archive's file name in policy->archive_dir */
	char *group;                       /* PRUNE: the log its archive counts for: the source's path
	                                      for rotated logs, the pattern for files archived whole */
	time_t archive_time;               /* PRUNE: the time in the archive's name */
	uint64_t archive_size;             /* PRUNE: its size in bytes */
	char *reason;                      /* one line for the report, e.g. "25.0 MiB > 20.0 MiB" */
	int has_newest;                    /* ROTATE, ARCHIVE_IDLE: the stem has archives already, */
	time_t newest_t;                   /* and this is the newest one's time */
	unsigned newest_seq;               /* and collision number */
};

struct plan {
	struct action *v;      /* ordered: per stem, ROTATE or ARCHIVE_IDLE before its PRUNEs */
	size_t n;
};

/* The archive name stem for a source log: its file name when its directory is the
 * parent of archive_dir (/var/log/whatsapp/web.log with archive /var/log/whatsapp/archive
 * -> "web.log"), else "<last directory component>_<file name>" (/var/log/lighttpd/error.log
 * -> "lighttpd_error.log"). New string. */
char *plan_archive_stem(const char *source_path, const char *archive_dir);

/* The archive name for stem at time t (UTC): "<stem>-<yyyymmddThhmmssZ><suffix>",
 * or with seq 1..999 "<stem>-<yyyymmddThhmmssZ>_<seq as 3 digits><suffix>" for a
 * collision in the same second. Names of one stem sort by name in the order they
 * were made ('_' sorts after '.'), so `zcat web.log-*` reads them in order. New string. */
char *plan_archive_name(const char *stem, time_t t, unsigned seq, const char *suffix);

/* Parses an archive name: when name is "<stem>-<ts>[_<seq>].gz|.zst" for this stem,
 * returns 1 and sets *t and *seq; else 0. */
int plan_parse_archive_name(const char *name, const char *stem, time_t *t, unsigned *seq);

/* Decides the actions for one container:
 *  - SKIP for every matched file that is not CTRFS_REGULAR;
 *  - ARCHIVE_IDLE for a regular file that is not the newest (by mtime) of the files
 *    its glob matched in its directory, when its policy's idle_after > 0 and
 *    now - mtime >= idle_after;
 *  - ROTATE for any other regular file larger than its policy's size;
 *  - PRUNE, oldest first, for the archives of each stem beyond keep, counting the
 *    one the ROTATE or ARCHIVE_IDLE of that stem will add.
 * A file's policy is role->log_policies[file->glob_index]. archives
 * lists the names in each glob's archive folder: archives_of[i] / n_archives_of[i]
 * for role->logs.v[i] (several globs may share one folder; names of other stems are
 * ignored). Returns the plan (free with plan_free). */
struct plan plan_make(const struct role_policy *role, const struct scan_result *scan,
		      const struct existing_archive *const *archives_of, const size_t *n_archives_of, time_t now);

/* The archives an emergency pass may drop from one container's folders: every
 * archive, grouped as plan_make groups them, whose name time is at least floor
 * seconds before now and that is not the newest of its group. PRUNE actions
 * ordered oldest first (archive_time, then name), reason "emergency: older
 * than archive-floor 1d". Pure, as plan_make. Free with plan_free. */
struct plan plan_emergency(const struct role_policy *role, const struct scan_result *scan,
			   const struct existing_archive *const *archives_of, const size_t *n_archives_of, time_t now,
			   uint64_t floor);

/* Frees what p owns and empties it. */
void plan_free(struct plan *p);

/* "rotate", "archive-idle", "prune", "skip". */
const char *plan_action_name(enum action_kind kind);

#endif
