#include "autoconf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <linux/openat2.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "rotate/ctrfs.h"
#include "lib/log.h"
#include "lib/path.h"
#include "lib/xalloc.h"

struct ctrfs {
	int root_fd;
};

#define MAX_DEPTH 256            /* folders deep a fallback walk may hold open */

static atomic_int openat2_missing;   /* the kernel (or valgrind) lacks openat2: 1 */

void ctrfs_force_fallback(int on)
{
	atomic_store(&openat2_missing, on);
}

/* openat2, or -1 with errno ENOSYS once it is known to be missing. */
static int sys_openat2(int dirfd, const char *path, struct open_how *how)
{
	int fd;

	if (atomic_load(&openat2_missing)) {
		errno = ENOSYS;
		return -1;
	}
	fd = (int)syscall(SYS_openat2, dirfd, path, how, sizeof(*how));
	if (fd < 0 && errno == ENOSYS) {
		atomic_store(&openat2_missing, 1);
		log_debug("openat2(2) is missing: resolving container paths component by component");
	}
	return fd;
}

/* ---- the fallback walk ------------------------------------------------------
 * Without openat2 (Linux < 5.6, or under valgrind 3.19), paths are resolved one
 * component at a time: each component is opened with O_NOFOLLOW relative to the
 * folder before it, so the kernel never follows anything on its own; a symlink
 * anywhere is refused with ELOOP. ".." pops our own stack of open folders and
 * stops at the root. */

struct walk {
	int fds[MAX_DEPTH];      /* fds[0] is a duplicate of the root */
	int depth;               /* entries in fds */
	char *rest;              /* what is left to resolve (owned) */
};

static void walk_pop_to(struct walk *w, int depth)
{
	while (w->depth > depth)
		close(w->fds[--w->depth]);
}

static int is_symlink_at(int dirfd, const char *name)
{
	struct stat st;

	return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode);
}

/* Resolves path below dirfd as openat2 with RESOLVE_IN_ROOT|RESOLVE_NO_SYMLINKS
 * (or, with beneath, RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS, where ".." is refused
 * with EXDEV) would, and opens the last component with flags. */
static int walk_open(int dirfd, const char *path, int flags, mode_t mode, int beneath)
{
	struct walk w;
	int fd = -1, saved;

	memset(&w, 0, sizeof(w));
	w.fds[0] = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
	if (w.fds[0] < 0)
		return -1;
	w.depth = 1;
	w.rest = xstrdup(path);
	for (;;) {
		char *p = w.rest, *slash, *name, *left;
		int top, last;

		while (*p == '/')
			p++;
		if (*p == '\0') {
			/* Nothing left (the root itself, or a trailing slash): open the top folder. */
			fd = openat(w.fds[w.depth - 1], ".", flags | O_CLOEXEC, mode);
			break;
		}
		slash = strchr(p, '/');
		name = xstrndup(p, slash != NULL ? (size_t)(slash - p) : strlen(p));
		left = xstrdup(slash != NULL ? slash + 1 : "");
		while (*left == '/')
			memmove(left, left + 1, strlen(left));
		last = left[0] == '\0';
		top = w.fds[w.depth - 1];
		if (strcmp(name, ".") == 0) {
			fd = -2;
		} else if (strcmp(name, "..") == 0) {
			if (beneath) {
				errno = EXDEV;
				fd = -1;
			} else {
				walk_pop_to(&w, w.depth > 1 ? w.depth - 1 : 1);
				fd = -2;
			}
		} else if (!last) {
			fd = openat(top, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (fd < 0 && errno == ENOTDIR && is_symlink_at(top, name)) {
				errno = ELOOP;
			} else if (fd >= 0 && w.depth == MAX_DEPTH) {
				close(fd);
				errno = ENAMETOOLONG;
				fd = -1;
			} else if (fd >= 0) {
				w.fds[w.depth++] = fd;
				fd = -2;
			}
		} else {
			struct stat st;

			fd = openat(top, name, flags | O_NOFOLLOW | O_CLOEXEC, mode);
			/* O_PATH opens a symlink itself; openat2 would refuse it. */
			if (fd >= 0 && !(flags & O_NOFOLLOW) && fstat(fd, &st) == 0 && S_ISLNK(st.st_mode)) {
				close(fd);
				fd = -1;
				errno = ELOOP;
			} else if (fd < 0 && errno == ENOTDIR && is_symlink_at(top, name)) {
				errno = ELOOP;
			}
		}
		if (fd == -2) {
			/* Went one step; go on with what was left. */
			free(w.rest);
			w.rest = left;
			left = NULL;
		}
		free(name);
		free(left);
		if (fd == -2)
			continue;
		break;
	}
	saved = errno;
	walk_pop_to(&w, 0);
	free(w.rest);
	errno = saved;
	return fd;
}

int ctrfs_open_beneath(int dirfd, const char *rel, int flags)
{
	struct open_how how;
	int fd;

	memset(&how, 0, sizeof(how));
	how.flags = (unsigned long long)(flags | O_NOFOLLOW | O_CLOEXEC);
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
	fd = sys_openat2(dirfd, rel[0] != '\0' ? rel : ".", &how);
	if (fd < 0 && errno == ENOSYS)
		fd = walk_open(dirfd, rel, flags | O_NOFOLLOW, 0, 1);
	return fd;
}

/* Reads up to len-1 bytes of a small /proc file relative to dirfd, NUL-terminated. */
static ssize_t read_small_file(int dirfd, const char *name, char *buf, size_t len)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t total = 0, n;

	if (fd < 0)
		return -1;
	while ((size_t)total < len - 1 && (n = read(fd, buf + total, len - 1 - (size_t)total)) > 0)
		total += n;
	close(fd);
	buf[total] = '\0';
	return total;
}

static int id_is_hex64(const char *id)
{
	size_t i;

	for (i = 0; id[i] != '\0'; i++)
		if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
			return 0;
	return i == 64;
}

struct ctrfs *ctrfs_open(pid_t pid, const char *container_id)
{
	char procpath[32], cgroup[8192];
	struct ctrfs *fs;
	int pid_fd, root_fd, saved;

	if (pid <= 0 || container_id == NULL || !id_is_hex64(container_id)) {
		errno = EINVAL;
		return NULL;
	}
	snprintf(procpath, sizeof(procpath), "/proc/%ld", (long)pid);
	pid_fd = open(procpath, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (pid_fd < 0) {
		if (errno == ENOENT)
			errno = ESRCH;
		return NULL;
	}
	/* Both the root and the cgroup are read through pid_fd, which stays bound to
	 * the process we opened even if the pid is reused meanwhile. */
	root_fd = openat(pid_fd, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0)
		goto fail_pid;
	if (read_small_file(pid_fd, "cgroup", cgroup, sizeof(cgroup)) < 0)
		goto fail_root;
	if (strstr(cgroup, container_id) == NULL) {
		errno = ESTALE;
		goto fail_root;
	}
	close(pid_fd);
	fs = xmalloc(sizeof(*fs));
	fs->root_fd = root_fd;
	return fs;

fail_root:
	saved = errno;
	close(root_fd);
	errno = saved;
fail_pid:
	saved = errno;
	close(pid_fd);
	errno = (saved == ENOENT) ? ESRCH : saved;
	return NULL;
}

struct ctrfs *ctrfs_from_dirfd(int dirfd)
{
	struct ctrfs *fs;
	int fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);

	if (fd < 0)
		return NULL;
	fs = xmalloc(sizeof(*fs));
	fs->root_fd = fd;
	return fs;
}

void ctrfs_close(struct ctrfs *fs)
{
	if (fs == NULL)
		return;
	close(fs->root_fd);
	free(fs);
}

int ctrfs_root_fd(const struct ctrfs *fs)
{
	return fs->root_fd;
}

int ctrfs_open_path(const struct ctrfs *fs, const char *path, int flags, mode_t mode)
{
	struct open_how how;
	int fd;

	memset(&how, 0, sizeof(how));
	how.flags = (unsigned long long)(flags | O_CLOEXEC);
	how.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0;
	how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
	fd = sys_openat2(fs->root_fd, path, &how);
	if (fd < 0 && errno == ENOSYS)
		fd = walk_open(fs->root_fd, path, flags, (mode_t)how.mode, 0);
	return fd;
}

enum ctrfs_kind ctrfs_classify(const struct stat *st)
{
	switch (st->st_mode & S_IFMT) {
	case S_IFREG:
		return st->st_nlink == 1 ? CTRFS_REGULAR : CTRFS_HARDLINKED;
	case S_IFLNK:
		return CTRFS_SYMLINK;
	case S_IFIFO:
		return CTRFS_FIFO;
	case S_IFSOCK:
		return CTRFS_SOCKET;
	case S_IFCHR:
	case S_IFBLK:
		return CTRFS_DEVICE;
	case S_IFDIR:
		return CTRFS_DIRECTORY;
	default:
		return CTRFS_OTHER;
	}
}

const char *ctrfs_kind_name(enum ctrfs_kind kind)
{
	switch (kind) {
	case CTRFS_REGULAR:
		return "regular file";
	case CTRFS_HARDLINKED:
		return "hard-linked file";
	case CTRFS_SYMLINK:
		return "symlink";
	case CTRFS_FIFO:
		return "FIFO";
	case CTRFS_SOCKET:
		return "socket";
	case CTRFS_DEVICE:
		return "device";
	case CTRFS_DIRECTORY:
		return "directory";
	case CTRFS_OTHER:
		break;
	}
	return "special file";
}

int ctrfs_glob(const struct ctrfs *fs, const char *pattern, ctrfs_match_cb cb, void *arg)
{
	const char *base = path_base(pattern);
	char *dir;
	DIR *dp;
	int dfd, ret = 0, saved;

	if (base == pattern || *base == '\0') {
		errno = EINVAL;
		return -1;
	}
	dir = path_dir(pattern);
	dfd = ctrfs_open_path(fs, dir, O_RDONLY | O_DIRECTORY, 0);
	saved = errno;
	free(dir);
	if (dfd < 0) {
		errno = saved;
		return -1;
	}
	dp = fdopendir(dfd);
	if (dp == NULL) {
		saved = errno;
		close(dfd);
		errno = saved;
		return -1;
	}
	while (ret == 0) {
		struct stat st;
		const struct dirent *de;

		errno = 0;
		de = readdir(dp);
		if (de == NULL) {
			if (errno != 0)
				ret = -1;
			break;
		}
		if (fnmatch(base, de->d_name, FNM_PERIOD) != 0)
			continue;
		if (fstatat(dirfd(dp), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				continue; /* removed since readdir */
			ret = -1;
			break;
		}
		ret = cb(de->d_name, &st, ctrfs_classify(&st), arg);
	}
	saved = errno;
	closedir(dp);
	errno = saved;
	return ret;
}
