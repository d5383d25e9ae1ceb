/* source: what `rotd logs` reads of one running container. For each of its
 * role's log patterns, the live logs (rotate/scan.h) and, for each live log,
 * its archives: rotd's own ("<stem>-<time>.gz|.zst" in the pattern's archive
 * folder) and the ones rotd did not write, the app's logrotate output named
 * after the log ("web.log-20260930.gz", "web.log.1", "web.log.2.gz", ".bz2",
 * ".xz", ".zst"), in the archive folder and beside the live log. The logs of
 * a pattern that are gone (archived whole, such as the core app's rolled and
 * crash logs) are searched too, through rotd's archives of them. Folders are
 * listed with ctrfs_glob, which never follows a symlink; a symlink, FIFO,
 * device or hard-linked entry is named in a warning and not read. */
#ifndef ROTD_SOURCE_H
#define ROTD_SOURCE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "config/config.h"
#include "lib/strlist.h"
#include "rotate/ctrfs.h"

enum source_kind {
	SOURCE_LIVE,       /* the live log: read up to its size when opened */
	SOURCE_ROTD,       /* named as rotd names archives: indexed members, or an old single member */
	SOURCE_FOREIGN,    /* an archive rotd did not write: read whole with libarchive */
};

/* One file to read. */
struct source {
	char *path;                /* its path in the container */
	const char *name;          /* its file name (inside path) */
	enum source_kind kind;
	enum compress_kind codec;  /* SOURCE_ROTD: from its suffix */
	time_t order;              /* rotd's name time, else mtime: sources sort by it */
	unsigned seq;              /* rotd's collision suffix */
	uint64_t size;             /* as listed */
};

/* One log and its sources, oldest first, the live log last (none when it is gone). */
struct log_sources {
	char *log_path;            /* the log's path in the container (a gone log's too) */
	size_t log_index;          /* its pattern's position in role->logs */
	struct source *v;
	size_t n;
};

struct source_set {
	struct log_sources *logs;  /* the live logs in scan order (by path), then the gone ones */
	size_t n;
};

/* Lists the sources of the logs of role in fs whose path or file name matches
 * one of globs (fnmatch; NULL or empty: every log). Every entry that is not
 * read (a symlink, FIFO, device, hard-linked file) and every folder that
 * cannot be listed is logged as one line "CONTAINER: PATH: why" and counted.
 * Returns that count; fills *out (free with source_set_free). */
int source_list(const struct ctrfs *fs, const char *container, const struct role_policy *role,
		const struct strlist *globs, struct source_set *out);

/* Frees what set owns and empties it. */
void source_set_free(struct source_set *set);

/* Whether name is an archive the app's logrotate made of a log whose name (or
 * archive stem) is base: base, then '.' or '-' and a digit ("web.log.1",
 * "web.log-20260930.gz"), or base and a compression suffix ("web.log.gz"). */
int source_is_foreign_archive(const char *name, const char *base);

/* Opens path in fs read-only without blocking or following a symlink, and
 * checks it is a regular file with one link. Returns the fd and sets *size, or
 * -1 with *why set to a static reason ("a symlink, not followed", "a FIFO, not
 * read") or strerror's text. */
int source_open(const struct ctrfs *fs, const char *path, uint64_t *size, const char **why);

#endif
