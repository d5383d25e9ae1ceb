#include "autoconf.h"

#include <stdio.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/xalloc.h"
#include "usage/walk.h"

/* Large enough that a folder of a thousand entries is one getdents64 call. */
#define WALK_BUF_SIZE (64 * 1024)
#define WALK_STOP_EVERY 4096

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/* One folder being read. */
struct level {
	int fd;
	char *buf;                  /* WALK_BUF_SIZE bytes, kept for reuse at this depth */
	long len, pos;              /* bytes in buf, next entry */
	char *name;                 /* its name in its parent (NULL at the top) */
};

/* The identities of files with more than one link: open addressing on (dev, ino). */
struct seen {
	uint64_t *v;                /* pairs: dev, ino + 1 (0: an empty slot) */
	size_t cap, n;              /* slots (a power of 2), used */
};

struct walker {
	const struct walk_options *opt;
	struct walk_result *out;
	struct level *lv;
	unsigned depth;             /* the level being read */
	struct seen seen;
	unsigned long ticks;
};

static size_t slot_of(const struct seen *s, uint64_t dev, uint64_t ino)
{
	uint64_t h = (dev * 0x9e3779b97f4a7c15ULL) ^ (ino * 0xc2b2ae3d27d4eb4fULL);

	return (size_t)(h ^ (h >> 29)) & (s->cap - 1);
}

static void seen_grow(struct seen *s)
{
	struct seen bigger = { NULL, s->cap ? s->cap * 2 : 1024, 0 };

	bigger.v = xcalloc(bigger.cap * 2, sizeof(*bigger.v));
	for (size_t i = 0; i < s->cap; i++) {
		size_t k;

		if (s->v[2 * i + 1] == 0)
			continue;
		k = slot_of(&bigger, s->v[2 * i], s->v[2 * i + 1]);
		while (bigger.v[2 * k + 1] != 0)
			k = (k + 1) & (bigger.cap - 1);
		bigger.v[2 * k] = s->v[2 * i];
		bigger.v[2 * k + 1] = s->v[2 * i + 1];
		bigger.n++;
	}
	free(s->v);
	*s = bigger;
}

/* Adds (dev, ino); returns 1 when it was already there. */
static int seen_add(struct seen *s, dev_t dev, ino_t ino)
{
	uint64_t d = (uint64_t)dev, i = (uint64_t)ino + 1;
	size_t k;

	if (2 * (s->n + 1) > s->cap)
		seen_grow(s);
	k = slot_of(s, d, i);
	while (s->v[2 * k + 1] != 0) {
		if (s->v[2 * k] == d && s->v[2 * k + 1] == i)
			return 1;
		k = (k + 1) & (s->cap - 1);
	}
	s->v[2 * k] = d;
	s->v[2 * k + 1] = i;
	s->n++;
	return 0;
}

/* Records a failure at entry name of the current folder (NULL: the folder). */
static void fail(struct walker *w, const char *name, int err)
{
	struct walk_result *out = w->out;
	size_t len = 1;
	char *path, *p;

	out->errors++;
	if (out->error != NULL)
		return;
	for (unsigned d = 1; d <= w->depth; d++)
		len += strlen(w->lv[d].name) + 1;
	len += name != NULL ? strlen(name) + 1 : 0;
	p = path = xmalloc(len + 1);
	*p = '.';
	p++;
	for (unsigned d = 1; d <= w->depth; d++)
		p += sprintf(p, "/%s", w->lv[d].name);
	if (name != NULL)
		sprintf(p, "/%s", name);
	out->error = xasprintf("%s: %s", path, strerror(err));
	free(path);
}

static void enter(struct walker *w, int fd, const char *name)
{
	struct level *l = &w->lv[++w->depth];

	l->fd = fd;
	l->len = l->pos = 0;
	free(l->name);
	l->name = xstrdup(name);
	if (l->buf == NULL)
		l->buf = xmalloc(WALK_BUF_SIZE);
	w->out->dirs++;
}

/* Counts one entry of the current folder; enters it when it is a folder. */
static void visit(struct walker *w, const char *name)
{
	struct walk_result *out = w->out;
	struct level *l = &w->lv[w->depth];
	struct stat st;
	int fd;

	if (fstatat(l->fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno != ENOENT)    /* gone since it was listed: nothing to count */
			fail(w, name, errno);
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		out->bytes += (uint64_t)st.st_size;
		if (w->depth >= w->opt->max_depth) {
			out->too_deep++;
			return;
		}
		fd = openat(l->fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
		if (fd < 0) {
			if (errno != ENOENT)
				fail(w, name, errno);
			return;
		}
		enter(w, fd, name);
		return;
	}
	if (st.st_nlink > 1 && seen_add(&w->seen, st.st_dev, st.st_ino))
		return;
	out->bytes += (uint64_t)st.st_size;
	if (S_ISREG(st.st_mode)) {
		out->files++;
		if (st.st_mtime <= w->opt->cutoff)
			out->old_bytes += (uint64_t)st.st_size;
	}
}

/* The next entry's name in the current folder, or NULL at its end. */
static const char *next_name(struct walker *w)
{
	struct level *l = &w->lv[w->depth];

	for (;;) {
		const struct linux_dirent64 *d;

		if (l->pos >= l->len) {
			long n = syscall(SYS_getdents64, l->fd, l->buf, WALK_BUF_SIZE);

			if (n < 0)
				fail(w, NULL, errno);
			if (n <= 0)
				return NULL;
			l->len = n;
			l->pos = 0;
		}
		d = (const struct linux_dirent64 *)(l->buf + l->pos);
		l->pos += d->d_reclen;
		if (d->d_name[0] == '.' && (d->d_name[1] == '\0' || (d->d_name[1] == '.' && d->d_name[2] == '\0')))
			continue;
		return d->d_name;
	}
}

static int stop_now(struct walker *w)
{
	if (w->opt->stop == NULL || ++w->ticks % WALK_STOP_EVERY != 0)
		return 0;
	if (w->opt->stop(w->opt->arg))
		w->out->stopped = 1;
	return w->out->stopped;
}

int walk_fd(int dirfd, const struct walk_options *opt, struct walk_result *out)
{
	struct walk_options defaults = { 0, WALK_MAX_DEPTH, NULL, NULL };
	struct walker w;
	struct stat st;
	int fd;

	memset(out, 0, sizeof(*out));
	if (opt != NULL)
		defaults = *opt;
	if (defaults.max_depth == 0)
		defaults.max_depth = WALK_MAX_DEPTH;
	/* A folder fd of our own: getdents64 moves its offset. */
	fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0) {
		int err = errno;

		close(fd);
		errno = err;
		return -1;
	}
	memset(&w, 0, sizeof(w));
	w.opt = &defaults;
	w.out = out;
	w.lv = xcalloc(defaults.max_depth + 1, sizeof(*w.lv));
	w.lv[0].fd = fd;
	w.lv[0].buf = xmalloc(WALK_BUF_SIZE);
	out->bytes = (uint64_t)st.st_size;
	out->dirs = 1;
	for (;;) {
		const char *name = next_name(&w);

		if (name == NULL) {
			close(w.lv[w.depth].fd);
			if (w.depth == 0)
				break;
			w.depth--;
			continue;
		}
		visit(&w, name);
		if (stop_now(&w)) {
			for (;;) {
				close(w.lv[w.depth].fd);
				if (w.depth == 0)
					break;
				w.depth--;
			}
			break;
		}
	}
	for (unsigned d = 0; d <= defaults.max_depth; d++) {
		free(w.lv[d].buf);
		free(w.lv[d].name);
	}
	free(w.lv);
	free(w.seen.v);
	return 0;
}

int walk_path(const struct ctrfs *fs, const char *path, const struct walk_options *opt, struct walk_result *out)
{
	int fd = ctrfs_open_path(fs, path, O_RDONLY | O_DIRECTORY, 0);
	int rc, err;

	if (fd < 0) {
		memset(out, 0, sizeof(*out));
		return -1;
	}
	rc = walk_fd(fd, opt, out);
	err = errno;
	close(fd);
	errno = err;
	return rc;
}

void walk_result_free(struct walk_result *r)
{
	free(r->error);
	r->error = NULL;
}
