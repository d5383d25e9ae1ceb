#include "autoconf.h"

#include <stdio.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <pthread.h>
#include <unistd.h>

#include "lib/pool.h"
#include "lib/xalloc.h"
#include "usage/walk.h"

/* Large enough that a folder of a thousand entries is one getdents64 call. */
#define WALK_BUF_SIZE (64 * 1024)
#define WALK_STOP_EVERY 4096
#define WALK_QUEUE_MAX 64           /* folders handed over and not taken yet */
#define WALK_THREADS_MAX 4

/* The kernel's record, which glibc does not declare under this name. */
struct linux_dirent64 {
	uint64_t d_ino;             // cppcheck-suppress unusedStructMember
	int64_t d_off;              // cppcheck-suppress unusedStructMember
	unsigned short d_reclen;
	unsigned char d_type;       // cppcheck-suppress unusedStructMember
	char d_name[];
};

/* One folder being read. */
struct level {
	int fd;
	char *buf;                  /* WALK_BUF_SIZE bytes, kept for reuse at this depth */
	long len, pos;              /* bytes in buf, next entry */
	char *name;                 /* its name in its parent (NULL at the top) */
};

/* The files with more than one link whose other links have not all been seen
 * yet: open addressing with linear probing on (dev, ino). An entry goes as soon
 * as its last link is counted, so the set holds only the links still pending
 * (a tree whose hard links sit side by side keeps it near empty). */
struct link_slot {
	uint64_t dev;
	uint64_t ino;               /* + 1: 0 marks an empty slot */
	uint64_t pending;           /* links not seen yet */
};

struct seen {
	struct link_slot *v;
	size_t cap, n;              /* slots (a power of 2), used */
};

/* A folder waiting for a walker: handed over by a busy one when another is idle. */
struct task {
	int fd;
	unsigned depth;             /* its depth below the top folder */
	char *path;                 /* relative to the top ("." for the top itself) */
};

/* What the walkers share. */
struct crew {
	const struct walk_options *opt;
	pthread_mutex_t lock;       /* guards the queue and the counters */
	pthread_cond_t wake;
	struct task queue[WALK_QUEUE_MAX];
	size_t queued;
	unsigned busy;              /* walkers with a task */
	unsigned idle;              /* walkers waiting for one */
	int stop;                   /* opt->stop said so: every walker ends */
	pthread_mutex_t links_lock; /* guards links */
	struct seen links;
	struct walker *walkers;
};

/* One thread's walk. */
struct walker {
	struct crew *crew;
	struct walk_result out;
	struct level *lv;           /* max_depth + 1 levels */
	unsigned depth;             /* the level being read */
	unsigned base;              /* the depth of the task's folder below the top */
	char *base_path;            /* the task's path */
	unsigned long ticks;
};

static size_t home_of(const struct seen *s, uint64_t dev, uint64_t ino)
{
	uint64_t h = (dev * 0x9e3779b97f4a7c15ULL) ^ (ino * 0xc2b2ae3d27d4eb4fULL);

	return (size_t)(h ^ (h >> 29)) & (s->cap - 1);
}

static void seen_put(struct seen *s, const struct link_slot *e)
{
	size_t k = home_of(s, e->dev, e->ino);

	while (s->v[k].ino != 0)
		k = (k + 1) & (s->cap - 1);
	s->v[k] = *e;
	s->n++;
}

static void seen_grow(struct seen *s)
{
	struct seen bigger = { NULL, s->cap ? s->cap * 2 : 256, 0 };

	bigger.v = xcalloc(bigger.cap, sizeof(*bigger.v));
	for (size_t i = 0; i < s->cap; i++)
		if (s->v[i].ino != 0)
			seen_put(&bigger, &s->v[i]);
	free(s->v);
	*s = bigger;
}

/* Empties slot i, shifting back the entries after it that probed past it. */
static void seen_remove(struct seen *s, size_t i)
{
	size_t mask = s->cap - 1;

	for (size_t j = (i + 1) & mask; s->v[j].ino != 0; j = (j + 1) & mask) {
		size_t home = home_of(s, s->v[j].dev, s->v[j].ino);

		/* It may move to i unless its home lies cyclically in (i, j]. */
		if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
			s->v[i] = s->v[j];
			i = j;
		}
	}
	s->v[i].ino = 0;
	s->n--;
}

/* Counts one sighting of a file with nlink links; returns 1 when an earlier
 * link of it was already counted. */
static int seen_link(struct seen *s, dev_t dev, ino_t ino, nlink_t nlink)
{
	struct link_slot e = { (uint64_t)dev, (uint64_t)ino + 1, (uint64_t)nlink - 1 };

	if (s->cap > 0) {
		for (size_t k = home_of(s, e.dev, e.ino); s->v[k].ino != 0; k = (k + 1) & (s->cap - 1)) {
			if (s->v[k].dev != e.dev || s->v[k].ino != e.ino)
				continue;
			if (s->v[k].pending <= 1)
				seen_remove(s, k);
			else
				s->v[k].pending--;
			return 1;
		}
	}
	if (2 * (s->n + 1) > s->cap)
		seen_grow(s);
	seen_put(s, &e);
	return 0;
}

/* The path of entry name (NULL: the folder itself) in the current folder,
 * relative to the top. New string. */
static char *path_of(const struct walker *w, const char *name)
{
	size_t len = strlen(w->base_path) + 2 + (name != NULL ? strlen(name) + 1 : 0);
	char *path, *p;

	for (unsigned d = 1; d <= w->depth; d++)
		len += strlen(w->lv[d].name) + 1;
	p = path = xmalloc(len);
	p += sprintf(p, "%s", w->base_path);
	for (unsigned d = 1; d <= w->depth; d++)
		p += sprintf(p, "/%s", w->lv[d].name);
	if (name != NULL)
		sprintf(p, "/%s", name);
	return path;
}

/* Records a failure at entry name of the current folder (NULL: the folder). */
static void fail(struct walker *w, const char *name, int err)
{
	char *path;

	w->out.errors++;
	if (w->out.error != NULL)
		return;
	path = path_of(w, name);
	w->out.error = xasprintf("%s: %s", path, strerror(err));
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
}

/* Hands folder fd over to an idle walker when one waits and the queue has
 * room; returns 0 when it did not (the caller walks it). */
static int hand_over(struct walker *w, int fd, const char *name)
{
	struct crew *c = w->crew;
	int done = 0;

	pthread_mutex_lock(&c->lock);
	if (c->idle > 0 && c->queued < WALK_QUEUE_MAX) {
		struct task *t = &c->queue[c->queued++];

		t->fd = fd;
		t->depth = w->base + w->depth + 1;
		t->path = path_of(w, name);
		pthread_cond_signal(&c->wake);
		done = 1;
	}
	pthread_mutex_unlock(&c->lock);
	return done;
}

/* Counts one sighting of a file with several links; 1 when already counted. */
static int counted_before(struct walker *w, const struct stat *st)
{
	struct crew *c = w->crew;
	int before;

	pthread_mutex_lock(&c->links_lock);
	before = seen_link(&c->links, st->st_dev, st->st_ino, st->st_nlink);
	pthread_mutex_unlock(&c->links_lock);
	return before;
}

/* Counts one entry of the current folder; enters it when it is a folder. */
static void visit(struct walker *w, const char *name)
{
	const struct walk_options *opt = w->crew->opt;
	struct level *l = &w->lv[w->depth];
	struct stat st;

	if (fstatat(l->fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno != ENOENT)    /* gone since it was listed: nothing to count */
			fail(w, name, errno);
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		int fd;

		w->out.bytes += (uint64_t)st.st_size;
		if (w->base + w->depth >= opt->max_depth) {
			w->out.too_deep++;
			return;
		}
		fd = openat(l->fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
		if (fd < 0) {
			if (errno != ENOENT)
				fail(w, name, errno);
			return;
		}
		w->out.dirs++;
		if (__atomic_load_n(&w->crew->idle, __ATOMIC_RELAXED) == 0 || !hand_over(w, fd, name))
			enter(w, fd, name);
		return;
	}
	if (st.st_nlink > 1 && counted_before(w, &st))
		return;
	w->out.bytes += (uint64_t)st.st_size;
	if (S_ISREG(st.st_mode)) {
		w->out.files++;
		if (st.st_mtime <= opt->cutoff) {
			w->out.old_bytes += (uint64_t)st.st_size;
			w->out.old_files++;
		}
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
	struct crew *c = w->crew;

	if (++w->ticks % WALK_STOP_EVERY == 0 && c->opt->stop != NULL && c->opt->stop(c->opt->arg)) {
		pthread_mutex_lock(&c->lock);
		__atomic_store_n(&c->stop, 1, __ATOMIC_RELAXED);
		pthread_cond_broadcast(&c->wake);
		pthread_mutex_unlock(&c->lock);
	}
	return __atomic_load_n(&c->stop, __ATOMIC_RELAXED);
}

/* Walks the task's folder to its end (closing every folder it opened). */
static void walk_task(struct walker *w, struct task *t)
{
	int stopping = 0;

	w->lv[0].fd = t->fd;
	w->lv[0].len = w->lv[0].pos = 0;
	w->depth = 0;
	w->base = t->depth;
	w->base_path = t->path;
	for (;;) {
		const char *name = stopping ? NULL : next_name(w);

		if (name == NULL) {
			close(w->lv[w->depth].fd);
			if (w->depth == 0)
				break;
			w->depth--;
			continue;
		}
		visit(w, name);
		stopping = stop_now(w);
	}
	free(t->path);
}

/* Takes tasks until none is left and no walker can hand one over. */
static void walker_run(size_t i, void *arg)
{
	struct crew *c = arg;
	struct walker *w = &c->walkers[i];

	for (;;) {
		struct task t;

		pthread_mutex_lock(&c->lock);
		while (c->queued == 0 && c->busy > 0 && !c->stop) {
			__atomic_add_fetch(&c->idle, 1, __ATOMIC_RELAXED);
			pthread_cond_wait(&c->wake, &c->lock);
			__atomic_sub_fetch(&c->idle, 1, __ATOMIC_RELAXED);
		}
		if (c->queued == 0 || c->stop) {
			pthread_cond_broadcast(&c->wake);
			pthread_mutex_unlock(&c->lock);
			return;
		}
		t = c->queue[--c->queued];
		c->busy++;
		pthread_mutex_unlock(&c->lock);
		walk_task(w, &t);
		pthread_mutex_lock(&c->lock);
		if (--c->busy == 0)
			pthread_cond_broadcast(&c->wake);
		pthread_mutex_unlock(&c->lock);
	}
}

static unsigned walker_count(unsigned threads)
{
	long cpus;

	if (threads > 0)
		return threads < WALK_THREADS_MAX ? threads : WALK_THREADS_MAX;
	cpus = sysconf(_SC_NPROCESSORS_ONLN);
	return cpus < 1 ? 1 : cpus > WALK_THREADS_MAX ? WALK_THREADS_MAX : (unsigned)cpus;
}

/* Sums the walkers' figures into out; the first error of the first walker
 * that met one is kept. */
static void gather(struct crew *c, unsigned n, struct walk_result *out)
{
	for (unsigned i = 0; i < n; i++) {
		struct walk_result *r = &c->walkers[i].out;

		out->bytes += r->bytes;
		out->files += r->files;
		out->old_bytes += r->old_bytes;
		out->old_files += r->old_files;
		out->dirs += r->dirs;
		out->too_deep += r->too_deep;
		out->errors += r->errors;
		if (out->error == NULL) {
			out->error = r->error;
			r->error = NULL;
		}
		free(r->error);
	}
	out->stopped = c->stop;
}

int walk_fd(int dirfd, const struct walk_options *opt, struct walk_result *out)
{
	struct walk_options o = { 0, WALK_MAX_DEPTH, 0, NULL, NULL };
	struct crew c;
	struct stat st;
	unsigned n;
	int fd;

	memset(out, 0, sizeof(*out));
	if (opt != NULL)
		o = *opt;
	if (o.max_depth == 0)
		o.max_depth = WALK_MAX_DEPTH;
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
	n = walker_count(o.threads);
	memset(&c, 0, sizeof(c));
	c.opt = &o;
	pthread_mutex_init(&c.lock, NULL);
	pthread_cond_init(&c.wake, NULL);
	pthread_mutex_init(&c.links_lock, NULL);
	c.walkers = xcalloc(n, sizeof(*c.walkers));
	for (unsigned i = 0; i < n; i++) {
		c.walkers[i].crew = &c;
		c.walkers[i].lv = xcalloc(o.max_depth + 1, sizeof(*c.walkers[i].lv));
		c.walkers[i].lv[0].buf = xmalloc(WALK_BUF_SIZE);
	}
	c.queue[0] = (struct task){ fd, 0, xstrdup(".") };
	c.queued = 1;
	if (n == 1)
		walker_run(0, &c);
	else
		pool_run(n, n, walker_run, &c);
	while (c.queued > 0) {          /* left by a stop */
		close(c.queue[--c.queued].fd);
		free(c.queue[c.queued].path);
	}
	out->bytes = (uint64_t)st.st_size;
	out->dirs = 1;
	gather(&c, n, out);
	for (unsigned i = 0; i < n; i++) {
		for (unsigned d = 0; d <= o.max_depth; d++) {
			free(c.walkers[i].lv[d].buf);
			free(c.walkers[i].lv[d].name);
		}
		free(c.walkers[i].lv);
	}
	free(c.walkers);
	free(c.links.v);
	pthread_mutex_destroy(&c.links_lock);
	pthread_cond_destroy(&c.wake);
	pthread_mutex_destroy(&c.lock);
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
