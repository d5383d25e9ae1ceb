/* walk: the size of a folder tree, as `du -sb` counts it, read-only and
 * streaming. Every entry is looked at once with fstatat(AT_SYMLINK_NOFOLLOW):
 * a symlink counts its own st_size and is never followed, a FIFO, socket or
 * device counts its st_size and is never opened, a folder counts its st_size
 * and is entered through a single-component openat with O_NOFOLLOW from its
 * parent (so the walk never leaves the tree it started in), and a file with
 * several links counts once per walk. Like du without -x, the walk crosses
 * into filesystems mounted inside the tree.
 *
 * Memory is flat: no list of the tree is kept, only one open folder and one
 * getdents64 buffer per level of depth being walked (at most max_depth), plus
 * the identities of the files seen with more than one link. Folders deeper
 * than max_depth are counted (their own st_size) but not entered, and
 * reported in too_deep. No recursion.
 *
 * It walks on several threads (lib/pool) when asked: a walker that meets a
 * folder while another waits idle hands it over, so both cores stay busy
 * however the tree is shaped. The walker threads start from the caller's
 * thread and inherit its I/O priority (ioprio_set it to idle first). */
#ifndef ROTD_WALK_H
#define ROTD_WALK_H

#include <stdint.h>
#include <time.h>

#include "rotate/ctrfs.h"

#define WALK_MAX_DEPTH 128          /* the default depth limit: levels below the top folder */

struct walk_options {
	time_t cutoff;              /* regular files with mtime <= cutoff count in old_bytes (as media
	                               pruning ages them); 0: none does */
	unsigned max_depth;         /* folders deeper than this are not entered; 0: WALK_MAX_DEPTH */
	unsigned threads;           /* walkers; 0: one per CPU (at most 4) */
	int (*stop)(void *arg);     /* asked every few thousand entries: non-zero ends the walk early;
	                               NULL: never */
	void *arg;
};

struct walk_result {
	uint64_t bytes;             /* apparent bytes of every entry, the top folder included (du -sb) */
	uint64_t files;             /* regular files, each once */
	uint64_t old_bytes;         /* bytes of the regular files with mtime <= cutoff */
	uint64_t old_files;         /* those files */
	uint64_t dirs;              /* folders entered, the top one included */
	uint64_t too_deep;          /* folders beyond max_depth: counted, not entered */
	uint64_t errors;            /* entries that could not be looked at, folders that could not be read */
	char *error;                /* the first of them: "RELPATH: why" (new string), or NULL */
	int stopped;                /* opt->stop ended the walk: the figures are partial */
};

/* Walks the folder open on dirfd (the caller keeps it) and fills *out (zeroed
 * first). opt may be NULL (no cutoff, default depth). Returns 0, or -1 with
 * errno set when dirfd itself cannot be read (nothing counted). */
int walk_fd(int dirfd, const struct walk_options *opt, struct walk_result *out);

/* Opens path through fs (confined, no symlink on the way) and walks it.
 * Returns 0, or -1 with errno set when it cannot be opened (ENOENT: absent). */
int walk_path(const struct ctrfs *fs, const char *path, const struct walk_options *opt, struct walk_result *out);

/* Frees what r owns. */
void walk_result_free(struct walk_result *r);

#endif
