/* plan: what a pass will do to one container's logs. A pure function of the
 * policy, what scan saw, the archives already there, and the time: no I/O.
 * --dry-run prints exactly this list; apply carries it out. */
#ifndef ROTD_PLAN_H
#define ROTD_PLAN_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "config/config.h"
#include "rotate/scan.h"

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
	                                      whose archive it is when that is a current log counted
	                                      per file, or the file whose new archive it drops (see
	                                      archive); else NULL */
	const struct log_policy *policy;   /* the source's effective policy (borrowed from the config) */
	char *stem;                        /* archive name stem of the source, see plan_archive_stem */
	char *archive;                     /* PRUNE: the archive's file name in policy->archive_dir;
	                                      NULL for the archive that file's ROTATE or ARCHIVE_IDLE
	                                      makes in this pass, which keep drops once it is made
	                                      (the pass fills in its name then) */
	char *group;                       /* PRUNE: the log its archive counts for: the source's path
	                                      for rotated logs (also of one that is gone), the pattern
	                                      for files archived whole, the stem for an archive no
	                                      pattern claims; ROTATE, ARCHIVE_IDLE: the group its new
	                                      archive joins. NULL for SKIP */
	time_t archive_time;               /* PRUNE: the time in the archive's name (now for a new one) */
	uint64_t archive_size;             /* PRUNE: its size in bytes (0: unknown, or a new one) */
	char *reason;                      /* one line for the report, e.g. "25.0 MiB > 20.0 MiB" */
	int has_newest;                    /* ROTATE, ARCHIVE_IDLE: the new archive's name must sort
	                                      after the name at newest_t, newest_seq: the newest of
	                                      its group (its stem's included), or, when the pass
	                                      archives several files of the group, the name the
	                                      previous one (by mtime, then path) gets */
	time_t newest_t;
	unsigned newest_seq;
};

struct plan {
	struct action *v;      /* ordered as plan_make describes */
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
 *  - SKIP for every matched file that is not CTRFS_REGULAR, or whose stem repeats an
 *    earlier file's in the same archive folder;
 *  - ARCHIVE_IDLE for a regular file that is not the newest (by mtime) of the files
 *    its glob matched in its directory, when its policy's idle_after > 0 and
 *    now - mtime >= idle_after;
 *  - ROTATE for any other regular file larger than its policy's size;
 *  - PRUNE for archives that retention drops.
 * A file's policy is role->log_policies[file->glob_index]. archives_of[i] /
 * n_archives_of[i] list the archive folder of role->logs.v[i] (several globs may
 * share one folder, spelled alike up to trailing slashes: their listings are merged,
 * each name once; names that are not "<stem>-<yyyymmddThhmmssZ>[_NNN].gz|.zst", or
 * that start with '.', such as journal records, are ignored).
 *
 * Groups. Every archive of a folder counts for one group:
 *  - the current regular file with its stem, if any: that file's log when its
 *    pattern has idle_after 0, else its pattern;
 *  - else the pattern that claims it: of the patterns archiving into the folder, one
 *    whose stem prefix ("" or "<lastdir>_", see plan_archive_stem) the stem starts
 *    with and whose last component fnmatch()es the rest (FNM_PERIOD); the longest
 *    prefix wins, then the first in role order. With idle_after > 0 the archive
 *    counts for that pattern (its files are removed once archived); with idle_after
 *    0 for that pattern's log of this name, which is gone;
 *  - else its stem alone.
 * Rules, each archive dropped at most once, for the first that applies:
 *  - "beyond keep N": the oldest of a file's log or a pattern beyond the policy's
 *    keep, counting the archives this pass adds to the group, which are newer than
 *    all its archives (logs that are gone and lone stems have no keep). When the new
 *    ones alone are more than keep, those of the oldest files (mtime, then path) go
 *    too: a PRUNE with that file and no archive name;
 *  - "older than max-age D": name time more than the policy's max_age before now
 *    (lone stems excepted);
 *  - "archive folder over max-size S": while the sizes of the folder's archives that
 *    remain add up to more than its budget (the smallest non-zero max_size of the
 *    patterns archiving there), its oldest archive of any group.
 * max-age and max-size never drop the newest archive of a group, unless this pass
 * adds a newer one to it.
 * Order: the files in scan order, each with its ROTATE or ARCHIVE_IDLE and, for a
 * log counted per file, the PRUNEs of its keep and max-age right after; then the
 * keep and max-age PRUNEs of the patterns, logs that are gone and lone stems; then
 * the max-size PRUNEs of each folder. PRUNEs of one group are oldest first (name
 * time, collision number, name). A PRUNE has file set only when its group is a
 * current file's log. Returns the plan (free with plan_free). */
struct plan plan_make(const struct role_policy *role, const struct scan_result *scan,
		      const struct existing_archive *const *archives_of, const size_t *n_archives_of, time_t now);

/* The archives an emergency pass may drop from one container's folders: every
 * archive, grouped as plan_make groups them, whose name time is at least floor
 * seconds before now and that is not the newest of its group. PRUNE actions
 * ordered oldest first (archive_time, then name), reason "emergency: older
 * than archive-floor 1d" (floor as units_format_duration writes it). Pure, as
 * plan_make. Free with plan_free. */
struct plan plan_emergency(const struct role_policy *role, const struct scan_result *scan,
			   const struct existing_archive *const *archives_of, const size_t *n_archives_of, time_t now,
			   uint64_t floor);

/* Frees what p owns and empties it. */
void plan_free(struct plan *p);

/* "rotate", "archive-idle", "prune", "skip". */
const char *plan_action_name(enum action_kind kind);

#endif
