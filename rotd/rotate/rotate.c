#include "autoconf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "rotate/archive_name.h"
#include "rotate/compress.h"
#include "lib/crashpoint.h"
#include "rotate/holders.h"
#include "rotate/journal.h"
#include "rotate/logclock.h"
#include "lib/log.h"
#include "lib/path.h"
#include "lib/progress.h"
#include "rotate/rotate.h"
#include "lib/xalloc.h"

/* How many same-second collisions we try before giving up on a name. */
#define MAX_NAME_SEQ 1000
#define MAX_NAME_SECONDS_AHEAD 60
#ifndef XFS_SUPER_MAGIC
#define XFS_SUPER_MAGIC 0x58465342
#endif

static void set_error(struct rotate_outcome *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void set_error(struct rotate_outcome *o, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	free(o->error);
	o->error = s;
}

/* ---- the archive folder --------------------------------------------------------
 * A missing archive folder is made with every missing folder above it (a core
 * container has no /var/log/whatsapp at all), one component at a time: the
 * nearest existing ancestor is opened through ctrfs, then each missing component
 * is made with mkdirat and opened with O_NOFOLLOW relative to the one before, so
 * nothing is ever followed and nothing is made outside the container's root. */

/* The components path resolves to inside the root: "" and "." dropped, ".."
 * dropping the one before it and stopping at the root, as RESOLVE_IN_ROOT does.
 * Since no symlink is ever followed, this lexical answer is the real one. */
struct dir_components {
	char **v;
	size_t n;
};

static void dir_components_split(struct dir_components *c, const char *path)
{
	const char *p = path;

	c->v = xcalloc(strlen(path) / 2 + 1, sizeof(*c->v));
	c->n = 0;
	for (;;) {
		size_t len;

		while (*p == '/')
			p++;
		len = strcspn(p, "/");
		if (len == 0)
			break;
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			if (c->n > 0)
				free(c->v[--c->n]);
		} else if (!(len == 1 && p[0] == '.')) {
			c->v[c->n++] = xstrndup(p, len);
		}
		p += len;
	}
}

static void dir_components_free(struct dir_components *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i]);
	free(c->v);
}

/* "/" followed by the first k components joined with '/'. New string. */
static char *dir_components_prefix(const struct dir_components *c, size_t k)
{
	size_t len = 1;
	char *s, *p;

	for (size_t i = 0; i < k; i++)
		len += strlen(c->v[i]) + 1;
	s = xmalloc(len + 1);
	p = s;
	*p++ = '/';
	for (size_t i = 0; i < k; i++) {
		size_t l = strlen(c->v[i]);

		if (i > 0)
			*p++ = '/';
		memcpy(p, c->v[i], l);
		p += l;
	}
	*p = '\0';
	return s;
}

/* Makes component i of c (the folder at prefix i+1) in parent_fd, the folder at
 * prefix i, owned by uid:gid with mode 0750, and fsyncs parent_fd. One already
 * there (made meanwhile) is only opened. Returns its fd, or -1 with *err set. */
static int make_archive_dir_component(const struct dir_components *c, size_t i, int parent_fd, uid_t uid,
				      gid_t gid, const char *path, char **err)
{
	const char *name = c->v[i];
	const char *step = NULL;
	int made, fd, saved;
	char *here;

	made = mkdirat(parent_fd, name, 0750) == 0;
	if (!made && errno != EEXIST) {
		saved = errno;
		here = dir_components_prefix(c, i + 1);
		*err = xasprintf("cannot create archive folder %s: cannot make %s: %s", path, here, strerror(saved));
		free(here);
		return -1;
	}
	/* Whatever is there now, made by us or swapped in since, is opened without
	 * following it: a symlink is refused here. */
	fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		struct stat st;

		saved = errno;
		here = dir_components_prefix(c, i + 1);
		if ((saved == ELOOP || saved == ENOTDIR) && fstatat(parent_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
			*err = ctrfs_classify(&st) == CTRFS_SYMLINK ?
				xasprintf("cannot create archive folder %s: %s is a symlink: refused", path, here) :
				xasprintf("cannot create archive folder %s: %s is a %s, not a folder: refused", path,
					  here, ctrfs_kind_name(ctrfs_classify(&st)));
		else
			*err = xasprintf("cannot create archive folder %s: cannot open %s: %s", path, here,
					 strerror(saved));
		free(here);
		return -1;
	}
	if (!made)
		return fd;
	if (fchown(fd, uid, gid) < 0)
		step = "set the owner of";
	else if (fchmod(fd, 0750) < 0)
		step = "set the mode of";
	else if (fsync(parent_fd) < 0)
		step = "sync the folder holding";
	if (step != NULL) {
		saved = errno;
		here = dir_components_prefix(c, i + 1);
		*err = xasprintf("cannot create archive folder %s: cannot %s %s: %s", path, step, here,
				 strerror(saved));
		free(here);
		close(fd);
		return -1;
	}
	return fd;
}

/* Makes the missing archive folder path and the missing folders above it, each
 * owned like the nearest folder that exists. Returns its fd, or -1 with *err set. */
static int create_archive_dir(const struct ctrfs *fs, const char *path, char **err)
{
	struct dir_components c;
	struct stat st;
	size_t k;
	int fd = -1;

	dir_components_split(&c, path);
	/* The nearest existing ancestor: prefix k. The root always exists. */
	for (k = c.n; k-- > 0;) {
		char *here = dir_components_prefix(&c, k);
		int saved;

		fd = ctrfs_open_path(fs, here, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);
		saved = errno;
		if (fd < 0 && saved != ENOENT) {
			*err = saved == ELOOP || saved == ENOTDIR ?
				xasprintf("cannot create archive folder %s: %s, or a folder on the way to it, is a "
					  "symlink or not a folder: refused", path, here) :
				xasprintf("cannot create archive folder %s: %s: %s", path, here, strerror(saved));
			free(here);
			dir_components_free(&c);
			return -1;
		}
		if (fd >= 0 && fstat(fd, &st) < 0) {
			*err = xasprintf("cannot create archive folder %s: %s: %s", path, here, strerror(errno));
			free(here);
			close(fd);
			dir_components_free(&c);
			return -1;
		}
		free(here);
		if (fd >= 0)
			break;
	}
	if (fd < 0) {
		/* Nothing left to make (path named the root), or the root itself failed. */
		*err = xasprintf("cannot create archive folder %s: %s", path, strerror(ENOENT));
		dir_components_free(&c);
		return -1;
	}
	for (size_t i = k; i < c.n; i++) {
		int next = make_archive_dir_component(&c, i, fd, st.st_uid, st.st_gid, path, err);

		close(fd);
		fd = next;
		if (fd < 0)
			break;
	}
	dir_components_free(&c);
	return fd;
}

int rotate_open_archive_dir(const struct ctrfs *fs, const char *path, int create, char **err)
{
	int fd = ctrfs_open_path(fs, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);

	if (fd >= 0)
		return fd;
	if (errno == ELOOP || errno == ENOTDIR) {
		*err = xasprintf("archive folder %s: it, or a folder on the way to it, is a symlink or not a folder: "
				 "refused", path);
		return -1;
	}
	if (errno != ENOENT) {
		*err = xasprintf("archive folder %s: %s", path, strerror(errno));
		return -1;
	}
	if (!create) {
		*err = NULL;
		return -1;
	}
	return create_archive_dir(fs, path, err);
}

/* A journal record for the source at path (identity st) whose first length bytes,
 * with this digest, go into the archive; the archive name is set when linking. */
static void record_for(struct journal_record *rec, enum journal_cut cut, const char *path, const struct stat *st,
		       uint64_t length, uint64_t digest)
{
	memset(rec, 0, sizeof(*rec));
	rec->cut = cut;
	rec->source = (char *)path;
	rec->dev = st->st_dev;
	rec->ino = st->st_ino;
	rec->length = length;
	rec->digest = digest;
}

/* Opens a source log and checks it is still a single-link regular file. */
static int open_source(const struct ctrfs *fs, const char *path, int flags, struct stat *st, char **why)
{
	int fd = ctrfs_open_path(fs, path, flags | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, 0);

	if (fd < 0) {
		*why = xasprintf("cannot open %s: %s", path,
				 errno == ELOOP ? "it, or a folder on the way to it, is now a symlink: refused" :
				 strerror(errno));
		return -1;
	}
	if (fstat(fd, st) < 0) {
		*why = xasprintf("cannot stat %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (ctrfs_classify(st) != CTRFS_REGULAR) {
		*why = xasprintf("%s is now a %s: refused", path, ctrfs_kind_name(ctrfs_classify(st)));
		close(fd);
		return -1;
	}
	return fd;
}

/* Filesystems known to support FALLOC_FL_COLLAPSE_RANGE. */
static int collapse_known(int fd)
{
	struct statfs sfs;

	if (fstatfs(fd, &sfs) < 0)
		return 0;
	return sfs.f_type == EXT4_SUPER_MAGIC || sfs.f_type == XFS_SUPER_MAGIC;
}

/* Whether FALLOC_FL_COLLAPSE_RANGE works in the folder holding the log: tried on
 * an O_TMPFILE there, which never becomes visible. A full filesystem cannot
 * take the probe's two blocks, and a full disk is exactly when rotation matters
 * most: then the filesystem's type decides (a collapse needs no new blocks, and
 * if it is refused after all, the archive is withdrawn and the log left whole). */
static int collapse_supported(const struct ctrfs *fs, const char *log_path, unsigned long block)
{
	char *dir = path_dir(log_path);
	int dfd = ctrfs_open_path(fs, dir, O_RDONLY | O_DIRECTORY, 0);
	int tfd, ok = 0;

	free(dir);
	if (dfd < 0)
		return 0;
	tfd = openat(dfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (tfd < 0) {
		ok = (errno == ENOSPC || errno == EDQUOT) && collapse_known(dfd);
		close(dfd);
		return ok;
	}
	if (fallocate(tfd, 0, 0, (off_t)(2 * block)) < 0)
		ok = (errno == ENOSPC || errno == EDQUOT) && collapse_known(dfd);
	else
		ok = fallocate(tfd, FALLOC_FL_COLLAPSE_RANGE, 0, (off_t)block) == 0;
	close(tfd);
	close(dfd);
	return ok;
}

/* Compresses [0, length) of src (the log at path) into a new O_TMPFILE in dir_fd,
 * owned and moded like the source, fsynced. Returns the tmp fd, or -1 with
 * o->error set. */
static int write_archive_tmp(const char *path, const struct log_policy *pol, int src, const struct stat *st,
			     uint64_t length, int dir_fd, struct compress_result *res, struct rotate_outcome *o)
{
	int tfd = openat(dir_fd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
	struct logclock lc = { 0 };
	char *err = NULL;
	int r;

	if (tfd < 0) {
		set_error(o, "%s: cannot create a temporary archive in %s: %s", path, pol->archive_dir,
			  strerror(errno));
		return -1;
	}
	progress_set_total(length);
	/* A clock that no longer loads (its zone file removed since the config check)
	 * costs the archive its time index, never the rotation. */
	if (logclock_open(&lc, pol, (int64_t)time(NULL) * 1000000, &err) < 0) {
		log_warnx("%s: archiving without a time index: %s", path, err);
		free(err);
		err = NULL;
	}
	r = compress_range(src, length, tfd, pol->compress, pol->compress_level,
			   lc.parser != NULL ? &lc.clock : NULL, 0, res, &err);
	logclock_close(&lc);
	if (r < 0) {
		set_error(o, "%s: compressing into %s: %s", path, pol->archive_dir, err);
		free(err);
		close(tfd);
		return -1;
	}
	if (fchown(tfd, st->st_uid, st->st_gid) < 0 || fchmod(tfd, st->st_mode & 0777) < 0 || fsync(tfd) < 0) {
		set_error(o, "%s: finishing the archive in %s: %s", path, pol->archive_dir, strerror(errno));
		close(tfd);
		return -1;
	}
	return tfd;
}

/* Links tmp into dir_fd as name and fsyncs the folder. Returns 0; or -1 with errno
 * when nothing was linked (EEXIST: the name is taken); or -1 with errno after
 * taking the link back out when the folder could not be fsynced. */
static int link_tmp(int tfd, int dir_fd, const char *name)
{
	char fdpath[64];
	int saved;

	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", tfd);
	if (linkat(AT_FDCWD, fdpath, dir_fd, name, AT_SYMLINK_FOLLOW) < 0)
		return -1;
	if (fsync(dir_fd) == 0)
		return 0;
	saved = errno;
	unlinkat(dir_fd, name, 0);
	errno = saved;
	return -1;
}

/* The first name for a's archive, at or after *seq, that sorts after the stem's
 * newest archive and is free in dir_fd; *seq is left at the name's number.
 * NULL when every name up to MAX_NAME_SECONDS_AHEAD seconds on is taken. */
static char *next_free_name(const struct action *a, int dir_fd, time_t now, unsigned *seq)
{
	/* Names must sort in the order archives were made, even if the clock went
	 * back or this second already has one: never name before the newest. */
	if (a->has_newest && a->newest_t >= now) {
		now = a->newest_t;
		if (*seq <= a->newest_seq)
			*seq = a->newest_seq + 1;
	}
	/* When a second's numbers run out (a clock that once ran far ahead left
	 * its names behind), the next seconds still sort after them. */
	for (time_t last = now + MAX_NAME_SECONDS_AHEAD; now <= last; now++, *seq = 0) {
		for (; *seq < MAX_NAME_SEQ; (*seq)++) {
			char *name = archive_name_make(a->stem, now, *seq, compress_suffix(a->policy->compress));
			char *record = xasprintf("%s%s", JOURNAL_PREFIX, name);
			struct stat st;
			int taken = fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 ||
				    fstatat(dir_fd, record, &st, AT_SYMLINK_NOFOLLOW) == 0;

			free(record);
			if (!taken)
				return name;
			free(name);
		}
	}
	return NULL;
}

/* Journals and links tmp into dir_fd under a free name for the stem at now.
 * Returns 0 with o->archive set, or -1 with o->error set (nothing left behind). */
static int link_archive(const struct action *a, struct journal_record *rec, int tfd, int dir_fd, time_t now,
			struct rotate_outcome *o)
{
	unsigned seq = 0;
	char *name;

	while ((name = next_free_name(a, dir_fd, now, &seq)) != NULL) {
		rec->archive = name;
		crashpoint("archive-written");
		if (journal_write(dir_fd, rec) < 0) {
			int saved = errno;

			rec->archive = NULL;
			free(name);
			if (saved == EEXIST) {
				seq++;
				continue;
			}
			set_error(o, "%s: cannot write the journal record in %s: %s", a->file->path,
				  a->policy->archive_dir, strerror(saved));
			return -1;
		}
		crashpoint("journal-written");
		if (link_tmp(tfd, dir_fd, name) < 0) {
			int saved = errno;

			journal_remove(dir_fd, name);
			rec->archive = NULL;
			free(name);
			if (saved == EEXIST) {
				seq++;
				continue;
			}
			set_error(o, "%s: cannot link the archive into %s: %s", a->file->path, a->policy->archive_dir,
				  strerror(saved));
			return -1;
		}
		rec->archive = NULL;
		o->archive = name;
		crashpoint("archive-linked");
		return 0;
	}
	set_error(o, "%s: no free archive name for %s in %s", a->file->path, a->stem, a->policy->archive_dir);
	return -1;
}

/* Takes a linked archive back out (the source was left as it was). */
static void withdraw_archive(int dir_fd, struct rotate_outcome *o)
{
	unlinkat(dir_fd, o->archive, 0);
	journal_remove(dir_fd, o->archive);
	free(o->archive);
	o->archive = NULL;
}

/* Unlinks path if it still names the inode st describes. */
static int remove_source(const struct ctrfs *fs, const char *path, const struct stat *st)
{
	char *dir = path_dir(path);
	int dfd = ctrfs_open_path(fs, dir, O_RDONLY | O_DIRECTORY, 0);
	struct stat now;
	int rc = -1;

	free(dir);
	if (dfd < 0)
		return -1;
	if (fstatat(dfd, path_base(path), &now, AT_SYMLINK_NOFOLLOW) == 0) {
		if (now.st_dev == st->st_dev && now.st_ino == st->st_ino)
			rc = unlinkat(dfd, path_base(path), 0);
		else
			errno = ESTALE;
	}
	if (rc == 0)
		rc = fsync(dfd);
	close(dfd);
	return rc;
}

static int run_copytruncate(const struct rotate_target *t, const struct action *a, int dir_fd, time_t now,
			    struct rotate_outcome *o)
{
	struct journal_record rec;
	struct compress_result res;
	struct statvfs vfs;
	struct stat st;
	uint64_t length;
	char *why = NULL;
	int src, tfd, rc = -1;

	src = open_source(t->fs, a->file->path, O_RDWR, &st, &why);
	if (src < 0) {
		set_error(o, "%s", why);
		free(why);
		return -1;
	}
	o->size_before = (uint64_t)st.st_size;
	if (fstatvfs(src, &vfs) < 0 || vfs.f_bsize == 0) {
		set_error(o, "%s: statvfs: %s", a->file->path, strerror(errno));
		goto out;
	}
	o->fallback = !collapse_supported(t->fs, a->file->path, vfs.f_bsize);
	/* Collapse removes whole blocks only, and never up to the end of the file:
	 * archive the block-aligned prefix short of EOF and leave the tail live, so no
	 * byte is in both places. */
	length = (uint64_t)st.st_size;
	if (!o->fallback) {
		length -= length % vfs.f_bsize;
		if (length == (uint64_t)st.st_size && length > 0)
			length -= vfs.f_bsize;
	}
	if (length == 0) {
		o->note = xasprintf("%s is smaller than one filesystem block: left for later", a->file->path);
		rc = 0;
		goto out;
	}
	tfd = write_archive_tmp(a->file->path, a->policy, src, &st, length, dir_fd, &res, o);
	if (tfd < 0)
		goto out;
	record_for(&rec, o->fallback ? JOURNAL_TRUNCATE : JOURNAL_COLLAPSE, a->file->path, &st, length, res.digest);
	rc = link_archive(a, &rec, tfd, dir_fd, now, o);
	close(tfd);
	if (rc < 0)
		goto out;
	rc = -1;
	if (!o->fallback) {
		if (fallocate(src, FALLOC_FL_COLLAPSE_RANGE, 0, (off_t)length) < 0) {
			set_error(o, "%s: collapse refused (%s): archive withdrawn, log left as it was", a->file->path,
				  strerror(errno));
			withdraw_archive(dir_fd, o);
			goto out;
		}
	} else {
		struct stat before_cut;

		if (fstat(src, &before_cut) < 0 || ftruncate(src, 0) < 0) {
			set_error(o, "%s: truncate after copy: %s", a->file->path, strerror(errno));
			goto out; /* the journal finishes the cut on the next pass */
		}
		o->maybe_lost = (uint64_t)before_cut.st_size > length ? (uint64_t)before_cut.st_size - length : 0;
	}
	if (fdatasync(src) < 0) {
		set_error(o, "%s: fdatasync after the cut: %s", a->file->path, strerror(errno));
		goto out;
	}
	crashpoint("source-cut");
	journal_remove(dir_fd, o->archive);
	if (fstat(src, &st) == 0)
		o->size_after = (uint64_t)st.st_size;
	o->archived = length;
	o->compressed = res.bytes_out;
	o->done = 1;
	rc = 0;
out:
	close(src);
	return rc;
}

static int run_archive_idle(const struct rotate_target *t, const struct action *a, int dir_fd, time_t now,
			    struct rotate_outcome *o)
{
	struct journal_record rec;
	struct compress_result res;
	struct stat st, after;
	char *why = NULL;
	pid_t holder = 0;
	int src, tfd, held, rc = -1;

	src = open_source(t->fs, a->file->path, O_RDONLY, &st, &why);
	if (src < 0) {
		set_error(o, "%s", why);
		free(why);
		return -1;
	}
	o->size_before = (uint64_t)st.st_size;
	held = holders_find(t->pid, st.st_dev, st.st_ino, &holder);
	if (held != 0) {
		o->note = held > 0 ? xasprintf("%s is open by pid %ld: kept", a->file->path, (long)holder)
				   : xasprintf("%s: cannot tell who holds it open (%s): kept", a->file->path,
					       strerror(errno));
		rc = 0;
		goto out;
	}
	tfd = write_archive_tmp(a->file->path, a->policy, src, &st, (uint64_t)st.st_size, dir_fd, &res, o);
	if (tfd < 0)
		goto out;
	record_for(&rec, JOURNAL_REMOVE, a->file->path, &st, (uint64_t)st.st_size, res.digest);
	rc = link_archive(a, &rec, tfd, dir_fd, now, o);
	close(tfd);
	if (rc < 0)
		goto out;
	rc = -1;
	if (fstat(src, &after) < 0 || after.st_size != st.st_size || after.st_mtim.tv_sec != st.st_mtim.tv_sec ||
	    after.st_mtim.tv_nsec != st.st_mtim.tv_nsec) {
		o->note = xasprintf("%s was written to while being archived: archive withdrawn, kept", a->file->path);
		withdraw_archive(dir_fd, o);
		rc = 0;
		goto out;
	}
	if (remove_source(t->fs, a->file->path, &st) < 0) {
		set_error(o, "%s: cannot remove it after archiving: %s", a->file->path, strerror(errno));
		goto out; /* the journal finishes the removal on the next pass */
	}
	crashpoint("source-cut");
	journal_remove(dir_fd, o->archive);
	o->archived = (uint64_t)st.st_size;
	o->compressed = res.bytes_out;
	o->size_after = 0;
	o->done = 1;
	rc = 0;
out:
	close(src);
	return rc;
}

/* How long a renamed log may stay open after postrotate before it is left for
 * the next pass. */
#define REOPEN_WAIT_MS 5000
#define REOPEN_POLL_MS 100

/* Waits until no container process holds (dev, ino). Returns 0, or the holder's pid
 * (or -1 when holders cannot be read) once the wait is over. */
static pid_t wait_released(const struct rotate_target *t, dev_t dev, ino_t ino, unsigned wait_ms)
{
	for (unsigned waited = 0;; waited += REOPEN_POLL_MS) {
		pid_t holder = 0;
		int held = holders_find(t->pid, dev, ino, &holder);

		if (held == 0)
			return 0;
		if (held < 0)
			return -1;
		if (waited >= wait_ms)
			return holder;
		usleep(REOPEN_POLL_MS * 1000);
	}
}

/* Archives the renamed log (in dfd as renamed, identity st) into dir_fd as
 * archive, then unlinks it. Returns 0, or -1 with o->error set. */
static int archive_renamed(const char *path, const struct log_policy *pol, int dfd, const char *renamed, const struct stat *st, int dir_fd, const char *archive,
			   struct rotate_outcome *o)
{
	struct compress_result res;
	struct stat now;
	int src = openat(dfd, renamed, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	int tfd, rc = -1;

	if (src < 0 || fstat(src, &now) < 0 || now.st_dev != st->st_dev || now.st_ino != st->st_ino) {
		set_error(o, "%s: the renamed log %s changed under us: left alone", path, renamed);
		if (src >= 0)
			close(src);
		return -1;
	}
	tfd = write_archive_tmp(path, pol, src, &now, (uint64_t)now.st_size, dir_fd, &res, o);
	if (tfd >= 0) {
		if (link_tmp(tfd, dir_fd, archive) < 0) {
			set_error(o, "%s: cannot link the archive %s: %s", path, archive, strerror(errno));
		} else {
			crashpoint("archive-linked");
			if (unlinkat(dfd, renamed, 0) < 0 || fsync(dfd) < 0) {
				set_error(o, "%s: cannot remove the renamed log %s: %s", path, renamed, strerror(errno));
			} else {
				o->archived = (uint64_t)now.st_size;
				o->compressed = res.bytes_out;
				rc = 0;
			}
		}
		close(tfd);
	}
	close(src);
	return rc;
}

static int run_rename(const struct rotate_target *t, const struct action *a, int dir_fd, time_t now,
		      struct rotate_outcome *o)
{
	const char *base = path_base(a->file->path);
	char *dir = path_dir(a->file->path), *renamed = xasprintf(".%s.rotd-rotating", base), *why = NULL;
	struct journal_record rec;
	struct stat st, moved;
	unsigned seq = 0;
	int src, dfd = -1, rc = -1;
	pid_t holder;

	o->postrotate_status = -1;
	src = open_source(t->fs, a->file->path, O_RDONLY, &st, &why);
	if (src < 0) {
		set_error(o, "%s", why);
		goto out;
	}
	o->size_before = (uint64_t)st.st_size;
	close(src);
	dfd = ctrfs_open_path(t->fs, dir, O_RDONLY | O_DIRECTORY, 0);
	if (dfd < 0) {
		set_error(o, "%s: cannot open its folder: %s", a->file->path, strerror(errno));
		goto out;
	}
	if (t->exec == NULL) {
		set_error(o, "%s: method rename needs to run postrotate in the container, which is not possible here",
			  a->file->path);
		goto out;
	}
	record_for(&rec, JOURNAL_RENAME, a->file->path, &st, 0, 0);
	rec.renamed = renamed;
	rec.archive = next_free_name(a, dir_fd, now, &seq);
	if (rec.archive == NULL || journal_write(dir_fd, &rec) < 0) {
		set_error(o, "%s: cannot journal the rename in %s: %s", a->file->path, a->policy->archive_dir,
			  rec.archive ? strerror(errno) : "no free archive name");
		free(rec.archive);
		goto out;
	}
	o->archive = rec.archive;
	crashpoint("journal-written");
	if (renameat2(dfd, base, dfd, renamed, RENAME_NOREPLACE) < 0) {
		set_error(o, "%s: cannot rename it to %s: %s", a->file->path, renamed, strerror(errno));
		journal_remove(dir_fd, o->archive);
		free(o->archive);
		o->archive = NULL;
		goto out;
	}
	if (fstatat(dfd, renamed, &moved, AT_SYMLINK_NOFOLLOW) < 0 || moved.st_dev != st.st_dev ||
	    moved.st_ino != st.st_ino) {
		/* Swapped between our open and the rename: put it back untouched. */
		renameat2(dfd, renamed, dfd, base, RENAME_NOREPLACE);
		set_error(o, "%s was replaced while being renamed: put back, not rotated", a->file->path);
		journal_remove(dir_fd, o->archive);
		free(o->archive);
		o->archive = NULL;
		goto out;
	}
	fsync(dfd);
	crashpoint("renamed");
	o->postrotate_status = t->exec(t, (const char *const *)a->policy->postrotate.v, &why);
	if (o->postrotate_status < 0) {
		o->note = xasprintf("%s: postrotate could not run (%s); the renamed log is archived once "
				    "nothing holds it",
				    a->file->path, why);
		free(why);
		why = NULL;
	}
	holder = wait_released(t, st.st_dev, st.st_ino, REOPEN_WAIT_MS);
	if (holder != 0) {
		free(o->note);
		o->note = xasprintf("%s: renamed to %s, but pid %ld still holds it after postrotate: left for the "
				    "next pass",
				    a->file->path, renamed, (long)holder);
		rc = 0; /* the journal keeps it for the next pass */
		goto out;
	}
	if (archive_renamed(a->file->path, a->policy, dfd, renamed, &st, dir_fd, o->archive, o) < 0)
		goto out;
	crashpoint("source-cut");
	journal_remove(dir_fd, o->archive);
	o->size_after = 0;
	o->done = 1;
	rc = 0;
out:
	if (dfd >= 0)
		close(dfd);
	free(why);
	free(dir);
	free(renamed);
	return rc;
}

/* Finishes an interrupted rename rotation. Returns 0 (journal done), 1 (keep the
 * journal: still held), or -1 with *what set to the error. */
static int recover_rename(const struct rotate_target *t, int dir_fd, const struct journal_record *r, char **what)
{
	char *dir = path_dir(r->source);
	int dfd = ctrfs_open_path(t->fs, dir, O_RDONLY | O_DIRECTORY, 0), archived, rc = 0;
	struct rotate_outcome o;
	struct log_policy pol;
	struct stat st, ast;
	pid_t holder;

	free(dir);
	memset(&o, 0, sizeof(o));
	archived = fstatat(dir_fd, r->archive, &ast, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(ast.st_mode);
	if (dfd < 0 || fstatat(dfd, r->renamed, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_dev != r->dev ||
	    st.st_ino != r->ino) {
		*what = xasprintf(archived ? "%s: interrupted rename rotation into %s had already finished"
					   : "%s: interrupted before the rename; nothing to finish",
				  r->source, r->archive);
	} else if (archived) {
		rc = unlinkat(dfd, r->renamed, 0) == 0 ? fsync(dfd) : -1;
		*what = rc == 0 ? xasprintf("%s: removed the renamed log already archived into %s", r->source,
					    r->archive)
				: xasprintf("%s: cannot remove the renamed log: %s", r->source, strerror(errno));
	} else if ((holder = wait_released(t, st.st_dev, st.st_ino, 0)) != 0) {
		*what = xasprintf("%s: the renamed log is still held by pid %ld: left for the next pass", r->source,
				  (long)holder);
		rc = 1;
	} else {
		/* The archive's compression is the suffix's (at the end: the stem may
		 * hold ".zst" too); the level is the default. */
		const char *zst = compress_suffix(COMPRESS_ZSTD);
		size_t len = strlen(r->archive), zst_len = strlen(zst);
		int is_zst = len >= zst_len && strcmp(r->archive + len - zst_len, zst) == 0;

		memset(&pol, 0, sizeof(pol));
		pol.compress = is_zst ? COMPRESS_ZSTD : COMPRESS_GZIP;
		pol.compress_level = pol.compress == COMPRESS_ZSTD ? 3 : 6;
		pol.archive_dir = (char *)"the archive folder";
		rc = archive_renamed(r->source, &pol, dfd, r->renamed, &st, dir_fd, r->archive, &o);
		*what = rc == 0 ? xasprintf("%s: finished an interrupted rename rotation into %s", r->source, r->archive)
				: xstrdup(o.error);
	}
	rotate_outcome_free(&o);
	if (dfd >= 0)
		close(dfd);
	return rc;
}

int rotate_run(const struct rotate_target *t, const struct action *a, int dir_fd, time_t now,
	       struct rotate_outcome *o)
{
	int rc;

	progress_begin(a->kind == ACTION_ARCHIVE_IDLE ? "archiving" : "rotating", t->container, a->file->path,
		       a->file->size);
	if (a->kind == ACTION_ARCHIVE_IDLE)
		rc = run_archive_idle(t, a, dir_fd, now, o);
	else if (a->policy->method == METHOD_RENAME)
		rc = run_rename(t, a, dir_fd, now, o);
	else
		rc = run_copytruncate(t, a, dir_fd, now, o);
	progress_end();
	return rc;
}

int rotate_prune(int dir_fd, const char *name, struct rotate_outcome *o)
{
	struct stat st;

	if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0;
		set_error(o, "archive %s: %s", name, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		set_error(o, "archive %s is not a regular file: left alone", name);
		return -1;
	}
	if (unlinkat(dir_fd, name, 0) < 0) {
		set_error(o, "cannot remove archive %s: %s", name, strerror(errno));
		return -1;
	}
	o->pruned++;
	o->pruned_bytes += (uint64_t)st.st_size;
	return 0;
}

/* Whether the first length bytes of fd still hash to digest. */
static int prefix_unchanged(int fd, const struct stat *st, const struct journal_record *r)
{
	uint64_t digest;

	if ((uint64_t)st->st_size < r->length)
		return 0;
	if (compress_digest_file(fd, r->length, &digest) < 0)
		return -1;
	return digest == r->digest;
}

/* Finishes the cut of a record whose archive exists. */
static int finish_cut(const struct rotate_target *t, int dir_fd, const struct journal_record *r, char **what)
{
	int flags = r->cut == JOURNAL_REMOVE ? O_RDONLY : O_RDWR;
	struct stat st;
	char *why = NULL;
	int fd = open_source(t->fs, r->source, flags, &st, &why), same, rc = 0;

	if (fd < 0) {
		*what = xasprintf("%s: archive %s is complete; the log is gone or changed (%s)", r->source, r->archive,
				  why);
		free(why);
		return 0;
	}
	same = (st.st_dev == r->dev && st.st_ino == r->ino) ? prefix_unchanged(fd, &st, r) : 0;
	if (same < 0) {
		*what = xasprintf("%s: cannot read it to finish an interrupted rotation: %s", r->source,
				  strerror(errno));
		close(fd);
		return -1;
	}
	if (!same) {
		*what = xasprintf("%s: interrupted rotation into %s had already finished", r->source, r->archive);
	} else if (r->cut == JOURNAL_COLLAPSE) {
		rc = fallocate(fd, FALLOC_FL_COLLAPSE_RANGE, 0, (off_t)r->length) == 0 ? fdatasync(fd) : -1;
		*what = rc == 0 ? xasprintf("%s: finished an interrupted rotation into %s (collapsed %ju bytes)",
					    r->source, r->archive, (uintmax_t)r->length)
				: xasprintf("%s: cannot finish the collapse into %s: %s", r->source, r->archive,
					    strerror(errno));
	} else if (r->cut == JOURNAL_TRUNCATE) {
		uint64_t lost = (uint64_t)st.st_size - r->length;

		rc = ftruncate(fd, 0) == 0 ? fdatasync(fd) : -1;
		*what = rc == 0 ? xasprintf("%s: finished an interrupted copy-then-truncate into %s (%ju bytes "
					    "written since the copy may be lost)",
					    r->source, r->archive, (uintmax_t)lost)
				: xasprintf("%s: cannot finish the truncate: %s", r->source, strerror(errno));
	} else if ((uint64_t)st.st_size != r->length) {
		/* Written to since: the archive holds its old content, so it may not go;
		 * take the archive back so nothing is kept twice. */
		unlinkat(dir_fd, r->archive, 0);
		*what = xasprintf("%s: written to since it was archived into %s: archive withdrawn, log kept",
				  r->source, r->archive);
	} else {
		rc = remove_source(t->fs, r->source, &st);
		*what = rc == 0 ? xasprintf("%s: finished removing an idle log archived into %s", r->source,
					    r->archive)
				: xasprintf("%s: cannot remove it: %s", r->source, strerror(errno));
	}
	close(fd);
	return rc;
}

int rotate_recover(const struct rotate_target *t, int dir_fd, const char *record, char **what)
{
	struct journal_record r;
	struct stat st;
	int rc = 0;

	if (journal_read(dir_fd, record, &r) < 0) {
		*what = xasprintf("journal record %s is unreadable (%s): removed", record, strerror(errno));
		unlinkat(dir_fd, record, 0);
		return 0;
	}
	progress_begin("finishing", t->container, r.source, 0);
	if (r.cut == JOURNAL_RENAME)
		rc = recover_rename(t, dir_fd, &r, what);
	else if (fstatat(dir_fd, r.archive, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
		*what = xasprintf("%s: interrupted before its archive %s existed; nothing to finish", r.source,
				  r.archive);
	else
		rc = finish_cut(t, dir_fd, &r, what);
	progress_end();
	if (rc == 0 && journal_remove(dir_fd, r.archive) < 0) {
		free(*what);
		*what = xasprintf("cannot remove journal record %s: %s", record, strerror(errno));
		rc = -1;
	}
	journal_record_free(&r);
	return rc;
}

void rotate_outcome_free(struct rotate_outcome *o)
{
	free(o->archive);
	free(o->note);
	free(o->error);
	memset(o, 0, sizeof(*o));
}
