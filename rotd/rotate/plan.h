/* plan: what a pass will do to one container's logs. A pure function of the
 * policy, what scan saw, the archives already there, and the time: no I/O.
 * --dry-run prints exactly this list; apply carries it out. plan decides which
 * files are rotated or archived whole and puts the actions in order; what
 * retention drops comes from retention.h, the names from archive_name.h. */
#ifndef ROTD_PLAN_H
#define ROTD_PLAN_H

#include <stddef.h>
#include <time.h>

#include "config/config.h"
#include "rotate/action.h"
#include "rotate/retention.h"
#include "rotate/scan.h"

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
 *    whose stem prefix ("" or "<lastdir>_", see archive_name_stem) the stem starts
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

#endif
