/* rotate: the crash-safe file operations of one rotation inside a container.
 *
 * Every source is opened through ctrfs with O_NOFOLLOW and must be a regular file
 * with one link. Archives are written to an O_TMPFILE in the archive folder,
 * fsynced, recorded in the journal, linked into place and the folder fsynced;
 * only then is the source cut (collapse, or truncate as a fallback) or removed. */
#ifndef ROTD_ROTATE_H
#define ROTD_ROTATE_H

#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "rotate/ctrfs.h"
#include "rotate/plan.h"

struct rotate_target;

/* Runs argv inside the target container (method rename's postrotate). Returns the
 * command's exit code, or -1 with *err set to a new message when it could not run. */
typedef int (*rotate_exec_fn)(const struct rotate_target *t, const char *const argv[], char **err);

/* Where the operations happen. */
struct rotate_target {
	const struct ctrfs *fs;
	pid_t pid;                 /* the container's init, for the open-file check */
	const char *container;     /* name, for messages */
	rotate_exec_fn exec;       /* NULL: postrotate cannot run (method rename fails) */
	const void *exec_ctx;      /* for exec's use */
};

/* What one ROTATE or ARCHIVE_IDLE (and the PRUNEs of its stem) did. */
struct rotate_outcome {
	int done;                  /* the source was archived and cut or removed */
	char *archive;             /* the new archive's name, or NULL */
	uint64_t size_before;      /* source size when opened */
	uint64_t archived;         /* source bytes now in the archive */
	uint64_t compressed;       /* archive size */
	uint64_t size_after;       /* source size after the cut (0 when removed) */
	int fallback;              /* collapse unsupported: copied then truncated */
	uint64_t maybe_lost;       /* fallback: bytes written between copy and truncate, as measured
	                              just before the truncate (a write in the instant between the
	                              measure and the truncate is lost uncounted) */
	int postrotate_status;     /* method rename: postrotate's exit code; -1 not run */
	unsigned pruned;           /* archives removed beyond keep */
	uint64_t pruned_bytes;
	char *note;                /* why nothing was done although planned, or NULL */
	char *error;               /* one line, or NULL */
};

/* Opens the archive folder path for writing, refusing a symlinked folder. When it
 * is missing and create is set, makes it and every missing folder above it (a core
 * container has no /var/log/whatsapp), one component at a time inside the root:
 * the nearest existing ancestor is opened through ctrfs, then each component is
 * made with mkdirat and opened with O_NOFOLLOW, so a symlink found or swapped in
 * anywhere is refused, and ".." stops at the root. Each folder made gets mode 0750
 * (whatever the umask) and the owner and group of the nearest existing ancestor,
 * and its parent is fsynced; one that appears meanwhile is opened as it is.
 * Returns the directory fd; or -1 with *err NULL when it is missing and create is
 * 0; or -1 with *err set to a new one-line message naming the folder that failed. */
int rotate_open_archive_dir(const struct ctrfs *fs, const char *path, int create, char **err);

/* Carries out action a (ROTATE by copytruncate or rename, or ARCHIVE_IDLE) into the
 * archive folder dir_fd, naming the archive for time now. Fills *o; returns 0
 * when done or deliberately left alone (o->note), -1 on error (o->error). */
int rotate_run(const struct rotate_target *t, const struct action *a, int dir_fd, time_t now,
	       struct rotate_outcome *o);

/* Removes archive name from dir_fd if it is a regular file. Adds to o->pruned and
 * o->pruned_bytes. Returns 0, or -1 with o->error set. */
int rotate_prune(int dir_fd, const char *name, struct rotate_outcome *o);

/* Completes or discards the journal record named record in dir_fd (see journal.h).
 * Returns 0 (record done and removed) or 1 (record kept: a renamed log is still
 * held open) and sets *what to a new one-line description, or -1 with *what set to
 * the error. */
int rotate_recover(const struct rotate_target *t, int dir_fd, const char *record, char **what);

/* Frees what o owns. */
void rotate_outcome_free(struct rotate_outcome *o);

#endif
