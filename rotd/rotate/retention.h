/* retention: which archives of a container go. Its archives, folder by folder,
 * are sorted into groups (a current log, a pattern whose files are archived
 * whole, a log that is gone, a stem no pattern claims); keep, max-age and
 * max-size drop from those groups, and an emergency pass drops what the
 * archive floor allows. Pure, as plan.h: no I/O. plan_make (plan.h) describes
 * the groups and the rules. */
#ifndef ROTD_RETENTION_H
#define ROTD_RETENTION_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "config/config.h"
#include "rotate/action.h"
#include "rotate/scan.h"

/* One archive found in an archive folder. */
struct existing_archive {
	const char *name;      /* file name in the archive folder (borrowed) */
	uint64_t size;         /* its size in bytes (0 when unknown) */
};

struct retention;

/* Sorts the archives of role's folders (archives_of[i] / n_archives_of[i]: the
 * listing of role->logs.v[i]'s folder, as plan_make takes them) into their
 * groups, with the archive name stem of every file of scan. role, scan and the
 * listings must outlive it. Free with retention_free. */
struct retention *retention_new(const struct role_policy *role, const struct scan_result *scan,
				const struct existing_archive *const *archives_of, const size_t *n_archives_of);

/* Frees r. NULL is a no-op. */
void retention_free(struct retention *r);

/* The archive name stem of scan file i (borrowed from r). */
const char *retention_stem(const struct retention *r, size_t i);

/* The earlier file whose stem scan file i repeats in the same archive folder
 * (so that file i must be skipped), or NULL. */
const struct log_file *retention_collision(const struct retention *r, size_t i);

/* The group scan file i's archives count for (action.group; borrowed from r),
 * or NULL when it has none: it is not a regular file, or its stem collides. */
const char *retention_group(const struct retention *r, size_t i);

/* Decides, once, what keep, max-age and max-size drop at now, given the files
 * this pass archives (archived[i] nonzero: scan file i gets a new archive). */
void retention_decide(struct retention *r, const unsigned char *archived, time_t now);

/* Appends to p (capacity *cap, see action_push) the PRUNEs that keep and
 * max-age decided for scan file i's own log, oldest first; none unless its
 * archives count per file (idle_after 0). */
void retention_push_own(const struct retention *r, size_t i, struct plan *p, size_t *cap, time_t now);

/* Appends the keep and max-age PRUNEs of the patterns, of logs that are gone
 * and of lone stems, group by group, then the max-size PRUNEs of each folder. */
void retention_push_rest(const struct retention *r, struct plan *p, size_t *cap, time_t now);

/* Sets has_newest, newest_t and newest_seq of the actions that archive a file
 * (mains[i]: scan file i's action, or NULL), so that each new name sorts after
 * every archive of its group and after the new archives of its older files. */
void retention_name_order(const struct retention *r, struct action *const *mains, time_t now);

/* The archives an emergency pass may drop from one container's folders: every
 * archive, grouped as plan_make groups them, whose name time is at least floor
 * seconds before now and that is not the newest of its group. PRUNE actions
 * ordered oldest first (archive_time, then name), reason "emergency: older
 * than archive-floor 1d" (floor as units_format_duration writes it). Pure, as
 * plan_make. Free with plan_free. */
struct plan retention_emergency(const struct role_policy *role, const struct scan_result *scan,
				const struct existing_archive *const *archives_of, const size_t *n_archives_of,
				time_t now, uint64_t floor);

#endif
