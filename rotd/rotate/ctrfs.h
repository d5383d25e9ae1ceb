/* ctrfs: confined access to one container's files from the host.
 *
 * A struct ctrfs holds a directory fd on the container's root, opened through
 * /proc/<pid> after checking that the process belongs to the container (pids are
 * reused). Every path is resolved with openat2(RESOLVE_IN_ROOT |
 * RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS): ".." stops at the container's
 * root, and a symlink anywhere on the way is refused (ELOOP), because a
 * container can point one at a host folder it has mounted, or swap one in while
 * rotd works. No host path string is ever built from container data. */
#ifndef ROTD_CTRFS_H
#define ROTD_CTRFS_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

struct ctrfs;

/* What a directory entry is, for the one question rotd asks: may it be touched? */
enum ctrfs_kind {
	CTRFS_REGULAR,      /* a regular file with one link: the only kind rotd touches */
	CTRFS_HARDLINKED,   /* a regular file with more than one link */
	CTRFS_SYMLINK,
	CTRFS_FIFO,
	CTRFS_SOCKET,
	CTRFS_DEVICE,
	CTRFS_DIRECTORY,
	CTRFS_OTHER,
};

/* Opens the root of the container whose init process is pid, and checks through
 * the same /proc/<pid> handle that the process's cgroup names container_id.
 * Returns a new handle, or NULL with errno set: ESRCH (the process is gone),
 * ESTALE (the pid now belongs to something else), or what open(2) said. */
struct ctrfs *ctrfs_open(pid_t pid, const char *container_id);

/* A handle confined to an already open directory (duplicated; the caller keeps
 * dirfd). For host trees such as a media volume, and for tests. NULL on failure. */
struct ctrfs *ctrfs_from_dirfd(int dirfd);

/* Closes the handle; NULL is allowed. */
void ctrfs_close(struct ctrfs *fs);

/* The root directory fd (owned by fs). */
int ctrfs_root_fd(const struct ctrfs *fs);

/* openat2 of path (absolute or relative, always inside the root) with
 * RESOLVE_IN_ROOT|RESOLVE_NO_SYMLINKS|RESOLVE_NO_MAGICLINKS and O_CLOEXEC added to
 * flags. Returns the fd, or -1 with errno set (ELOOP when any component is a
 * symlink; ENOTDIR from the kernel for a symlinked last component opened with
 * O_DIRECTORY). */
int ctrfs_open_path(const struct ctrfs *fs, const char *path, int flags, mode_t mode);

/* openat2 of rel beneath dirfd with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
 * RESOLVE_NO_MAGICLINKS and O_NOFOLLOW | O_CLOEXEC added to flags: no symlink
 * anywhere on the way, no escape (".." leaving dirfd fails with EXDEV). "" opens
 * dirfd itself. Returns the fd, or -1 with errno set. */
int ctrfs_open_beneath(int dirfd, const char *rel, int flags);

/* Both calls fall back to a walk of one component at a time, each opened with
 * O_NOFOLLOW relative to the one before, when the kernel (or valgrind) lacks
 * openat2: the same answers, ".." stopping at the root and every symlink
 * refused (beneath, the walk refuses every "..", not only those that would
 * leave dirfd). Tests force the walk with 1. */
void ctrfs_force_fallback(int on);

/* Classifies st as one of enum ctrfs_kind. */
enum ctrfs_kind ctrfs_classify(const struct stat *st);

/* A short noun for kind ("regular file", "symlink", "FIFO", "hard-linked file"...). */
const char *ctrfs_kind_name(enum ctrfs_kind kind);

/* Receives one match: its name inside the directory, lstat-style facts and kind.
 * Returns 0 to go on, non-zero to stop. */
typedef int (*ctrfs_match_cb)(const char *name, const struct stat *st, enum ctrfs_kind kind, void *arg);

/* Lists the entries of the directory part of pattern (an absolute path whose
 * wildcards are only in the last component) whose names match the last component
 * (fnmatch, FNM_PERIOD), without following symlinks, streaming: entries are never
 * all held in memory. Returns 0, the callback's non-zero value, or -1 with errno
 * set (ENOENT when the directory does not exist, ENOTDIR, ...). */
int ctrfs_glob(const struct ctrfs *fs, const char *pattern, ctrfs_match_cb cb, void *arg);

#endif
