/* media: prunes old media files under a container's media root, confined by
 * ctrfs, without following symlinks, leaving the root's filesystem, or holding
 * more than one directory handle per level in memory. */
#ifndef ROTD_MEDIA_H
#define ROTD_MEDIA_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "config/config.h"
#include "rotate/ctrfs.h"
#include "lib/strlist.h"

struct media_result {
	uint64_t files;            /* files pruned (or, in a dry run, that would be) */
	uint64_t bytes;            /* their sizes */
	uint64_t dirs;             /* emptied subfolders removed (dry run: 0) */
	uint64_t kept_young;       /* files a rule matched but younger than its age or the floor */
	uint64_t skipped;          /* symlinks, hard-linked files, special files, other filesystems */
	struct strlist errors;     /* "PATH: what happened", at most MEDIA_MAX_ERRORS */
	uint64_t n_errors;         /* all errors, including those not kept in errors */
};

#define MEDIA_MAX_ERRORS 50
#define MEDIA_MAX_DEPTH 64         /* folders open at once per rule, its own included */

/* Receives each file pruned (or, in a dry run, that would be): its path inside the
 * container, size and mtime. */
typedef void (*media_file_cb)(const char *path, uint64_t size, time_t mtime, void *arg);

/* Applies rules under root (an absolute path inside fs, e.g. "/usr/local/wamedia"):
 * for each rule, walks root/rule->path depth first and removes every single-link
 * regular file whose name matches one of rule->globs (all files when empty) and
 * whose mtime is at least max(rule->max_age, floor) seconds before now; then
 * removes the subfolders that this emptied (never root or a rule's own folder).
 * Symlinks, hard-linked files, special files and folders on another filesystem
 * are skipped and counted (kept_young and skipped count only names a glob
 * matches; names starting with ".rotd" are never touched). A rule folder reached
 * through a symlink is refused with an error; a missing one is not an error.
 * Folders more than MEDIA_MAX_DEPTH - 1 levels below a rule's folder are not
 * entered (one error each). Errors are returned, not logged. With dry_run
 * nothing is removed. cb may be NULL. Fills *out (free with media_result_free);
 * returns 0, or -1 when root itself cannot be opened (out->errors says why). */
int media_prune(const struct ctrfs *fs, const char *root, const struct media_rule *rules, size_t n_rules,
		uint64_t floor, time_t now, int dry_run, media_file_cb cb, void *arg, struct media_result *out);

/* Says whether enough has been freed; called by media_relieve between rounds. */
typedef int (*media_enough_fn)(void *arg);

/* The emergency prune: removes the oldest media under root first, whatever the
 * rules say, never a file younger than floor, until enough(arg) says so or no
 * file older than floor is left. want_bytes (what must go, e.g. from
 * fsusage_bytes_over) guides how far back to cut: one walk (as media_prune with
 * dry_run) collects the bytes per day of age; then each round removes the files
 * older than the youngest age whose older files add up to the bytes still
 * wanted (at least one more day each round), and asks enough(). Same
 * confinement, skipping and error rules as media_prune (root's own folder is
 * never removed). Fills *out with what all rounds removed (kept_young counts
 * files younger than floor); returns 0, or -1 when root cannot be opened. */
int media_relieve(const struct ctrfs *fs, const char *root, uint64_t floor, time_t now, uint64_t want_bytes,
		  media_enough_fn enough, void *arg, struct media_result *out);

/* Adds one's counts and errors (up to MEDIA_MAX_ERRORS in all) to sum. */
void media_result_add(struct media_result *sum, const struct media_result *one);

/* Frees what r owns. */
void media_result_free(struct media_result *r);

#endif
