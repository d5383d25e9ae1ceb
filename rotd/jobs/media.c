#include "autoconf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/heartbeat.h"
#include "jobs/media.h"
#include "lib/shutdown.h"
#include "lib/xalloc.h"

/* One open folder of the walk. Its own path is w->path[0..path_len). */
struct frame {
	DIR *dir;
	size_t path_len;
	uint64_t removed;          /* entries removed from it (or that would be) */
	int kept;                  /* some entry stays, so it cannot become empty */
};

/* media_relieve's census: old files per day of age, the oldest days lumped together. */
#define RELIEVE_DAYS 4096
#define DAY 86400

struct day {
	uint64_t files;
	uint64_t bytes;            /* on disk: st_blocks, not st_size */
};

struct walker {
	const struct media_rule *rule;
	int64_t cutoff;            /* files with mtime <= cutoff are old enough */
	dev_t dev;                 /* the root's filesystem */
	int dry_run;
	media_file_cb cb;
	void *arg;
	struct media_result *out;
	uint64_t disk_bytes;       /* blocks of the files pruned, in bytes */
	struct day *census;        /* RELIEVE_DAYS days to count old files in, or NULL */
	time_t now;
	int stopped;               /* a walk stopped early for shutdown */
	char *path;                /* path inside the container of the current entry */
	size_t path_len, path_cap;
	struct frame frames[MEDIA_MAX_DEPTH];
	size_t depth;
};

/* Records "path: msg"; control characters in path (hostile names) become '?'. */
static void add_error(struct media_result *out, const char *path, const char *msg)
{
	char *s;
	size_t i;

	out->n_errors++;
	if (out->errors.n >= MEDIA_MAX_ERRORS)
		return;
	s = xasprintf("%s: %s", path, msg);
	for (i = 0; s[i] != '\0'; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			s[i] = '?';
	strlist_take(&out->errors, s);
}

static void walk_error(struct walker *w, int err)
{
	add_error(w->out, w->path, strerror(err));
}

/* Sets the path to its first len bytes. */
static void path_cut(struct walker *w, size_t len)
{
	w->path_len = len;
	w->path[len] = '\0';
}

/* Appends "/name" to the path. */
static void path_push(struct walker *w, const char *name)
{
	size_t n = strlen(name);

	if (w->path_len + n + 2 > w->path_cap) {
		w->path_cap = (w->path_len + n + 2) * 2;
		w->path = xreallocarray(w->path, w->path_cap, 1);
	}
	w->path[w->path_len++] = '/';
	memcpy(w->path + w->path_len, name, n + 1);
	w->path_len += n;
}

static int name_matches(const struct media_rule *rule, const char *name)
{
	size_t i;

	if (rule->globs.n == 0)
		return 1;
	for (i = 0; i < rule->globs.n; i++)
		if (fnmatch(rule->globs.v[i], name, 0) == 0)
			return 1;
	return 0;
}

/* Starts walking the folder open on fd (taken over), whose path is the current one. */
static int push_dir(struct walker *w, int fd)
{
	struct frame *f = &w->frames[w->depth];

	f->dir = fdopendir(fd);
	if (f->dir == NULL) {
		int saved = errno;

		close(fd);
		walk_error(w, saved);
		return -1;
	}
	f->path_len = w->path_len;
	f->removed = 0;
	f->kept = 0;
	w->depth++;
	return 0;
}

/* Finishes the top folder; removes it when pruning emptied it, unless it is the
 * rule's own folder. */
static void pop_dir(struct walker *w)
{
	struct frame *f = &w->frames[--w->depth];
	struct frame *parent;

	closedir(f->dir);
	if (w->depth == 0)
		return;
	parent = &w->frames[w->depth - 1];
	path_cut(w, f->path_len);
	if (w->dry_run || f->removed == 0 || f->kept) {
		parent->kept = 1;
		return;
	}
	if (unlinkat(dirfd(parent->dir), w->path + parent->path_len + 1, AT_REMOVEDIR) == 0) {
		w->out->dirs++;
		parent->removed++;
		return;
	}
	/* ENOTEMPTY: something new arrived meanwhile; ENOENT: someone else removed it. */
	if (errno != ENOENT)
		parent->kept = 1;
	if (errno != ENOENT && errno != ENOTEMPTY && errno != EEXIST)
		walk_error(w, errno);
}

/* Descends into the subfolder name of the top folder, staying on the root's
 * filesystem and never through a symlink. */
static void enter_dir(struct walker *w, struct frame *parent, const char *name)
{
	struct stat st;
	int fd;

	if (w->depth == MEDIA_MAX_DEPTH) {
		char msg[64];

		snprintf(msg, sizeof(msg), "nested more than %d folders deep, not pruned", MEDIA_MAX_DEPTH - 1);
		parent->kept = 1;
		add_error(w->out, w->path, msg);
		return;
	}
	fd = openat(dirfd(parent->dir), name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return;
		parent->kept = 1;
		if (errno == ELOOP || errno == ENOTDIR)   /* replaced by a symlink or a file */
			w->out->skipped++;
		else
			walk_error(w, errno);
		return;
	}
	if (fstat(fd, &st) != 0) {
		walk_error(w, errno);
		close(fd);
		parent->kept = 1;
		return;
	}
	if (st.st_dev != w->dev) {   /* like find -xdev */
		w->out->skipped++;
		close(fd);
		parent->kept = 1;
		return;
	}
	if (push_dir(w, fd) != 0)
		parent->kept = 1;
}

/* Prunes the file name of folder f when the rule wants it; st is its lstat, or
 * NULL when not known yet. */
static void visit_file(struct walker *w, struct frame *f, const char *name, const struct stat *st)
{
	struct stat sb;

	if (!name_matches(w->rule, name)) {
		f->kept = 1;
		return;
	}
	if (st == NULL) {
		if (fstatat(dirfd(f->dir), name, &sb, AT_SYMLINK_NOFOLLOW) != 0) {
			if (errno != ENOENT) {
				f->kept = 1;
				walk_error(w, errno);
			}
			return;
		}
		st = &sb;
	}
	if (ctrfs_classify(st) != CTRFS_REGULAR) {
		f->kept = 1;
		w->out->skipped++;
		return;
	}
	if ((int64_t)st->st_mtim.tv_sec > w->cutoff) {
		f->kept = 1;
		w->out->kept_young++;
		return;
	}
	if (!w->dry_run && unlinkat(dirfd(f->dir), name, 0) != 0) {
		if (errno != ENOENT) {
			f->kept = 1;
			walk_error(w, errno);
		}
		return;
	}
	f->removed++;
	w->out->files++;
	w->out->bytes += (uint64_t)st->st_size;
	w->disk_bytes += (uint64_t)st->st_blocks * 512;
	if (w->census != NULL) {
		/* Modular arithmetic gives the true age: mtime <= cutoff <= now. */
		uint64_t day = ((uint64_t)w->now - (uint64_t)st->st_mtim.tv_sec) / DAY;

		struct day *d = &w->census[day < RELIEVE_DAYS ? day : RELIEVE_DAYS - 1];

		d->files++;
		d->bytes += (uint64_t)st->st_blocks * 512;
	}
	if (w->cb != NULL)
		w->cb(w->path, (uint64_t)st->st_size, st->st_mtim.tv_sec, w->arg);
}

/* One entry of the top folder; the current path ends with its name. */
static void visit(struct walker *w, struct frame *f, const struct dirent *de)
{
	const char *name = de->d_name;
	struct stat st;

	if (strncmp(name, ".rotd", 5) == 0) {
		f->kept = 1;
		return;
	}
	switch (de->d_type) {
	case DT_DIR:
		enter_dir(w, f, name);
		return;
	case DT_REG:
		visit_file(w, f, name, NULL);
		return;
	case DT_UNKNOWN:
		if (fstatat(dirfd(f->dir), name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
			if (errno != ENOENT) {
				f->kept = 1;
				walk_error(w, errno);
			}
			return;
		}
		if (S_ISDIR(st.st_mode))
			enter_dir(w, f, name);
		else
			visit_file(w, f, name, &st);
		return;
	default:
		/* Symlinks and special files: never touched, counted when the rule
		 * would have wanted the name. */
		f->kept = 1;
		if (name_matches(w->rule, name))
			w->out->skipped++;
		return;
	}
}

/* Walks the rule folder open on fd (taken over) depth first, one DIR per level. */
static void walk(struct walker *w, int fd)
{
	if (push_dir(w, fd) != 0)
		return;
	while (w->depth > 0) {
		struct frame *f = &w->frames[w->depth - 1];
		struct dirent *de;

		path_cut(w, f->path_len);
		heartbeat_tick();
		if (shutdown_requested()) {
			/* Each unlink stands alone, so stopping here is safe; say so once. */
			add_error(w->out, w->path, "stopped early: rotd is stopping");
			w->stopped = 1;
			for (size_t i = 0; i < w->depth; i++)
				w->frames[i].kept = 1;
			while (w->depth > 0)
				pop_dir(w);
			return;
		}
		errno = 0;
		de = readdir(f->dir);
		if (de == NULL) {
			if (errno != 0) {
				f->kept = 1;
				walk_error(w, errno);
			}
			pop_dir(w);
			continue;
		}
		if (de->d_name[0] == '.' && (de->d_name[1] == '\0' || (de->d_name[1] == '.' && de->d_name[2] == '\0')))
			continue;
		path_push(w, de->d_name);
		visit(w, f, de);
	}
}

/* Opens the folder rel (a rule path) beneath root_fd, refusing any symlink on the
 * way and any escape from the root. On failure errno is ELOOP for a symlink, even
 * a symlinked last component (which O_DIRECTORY reports as ENOTDIR). */
static int open_rule_dir(int root_fd, const char *rel)
{
	struct stat st;
	int fd = ctrfs_open_beneath(root_fd, rel, O_RDONLY | O_DIRECTORY);

	if (fd >= 0 || errno != ENOTDIR)
		return fd;
	fd = ctrfs_open_beneath(root_fd, rel, O_PATH);
	if (fd >= 0) {
		int is_link = fstat(fd, &st) == 0 && S_ISLNK(st.st_mode);

		close(fd);
		errno = is_link ? ELOOP : ENOTDIR;
		return -1;
	}
	errno = ENOTDIR;
	return -1;
}

/* Sets the path to root followed by rel, without "." components or doubled
 * slashes, e.g. "/usr/local/wamedia" + "./outgoing/" -> "/usr/local/wamedia/outgoing". */
static void path_start(struct walker *w, const char *root, const char *rel)
{
	const char *p = rel;

	path_cut(w, 0);
	while (*root == '/')
		root++;
	while (*root != '\0') {
		size_t n = strcspn(root, "/");
		char *part = xstrndup(root, n);

		path_push(w, part);
		free(part);
		root += n;
		while (*root == '/')
			root++;
	}
	while (*p != '\0') {
		size_t n = strcspn(p, "/");

		if (n > 0 && !(n == 1 && p[0] == '.')) {
			char *part = xstrndup(p, n);

			path_push(w, part);
			free(part);
		}
		p += n;
		while (*p == '/')
			p++;
	}
	if (w->path_len == 0) {
		w->path[0] = '/';
		w->path[1] = '\0';
		w->path_len = 1;
	}
}

static int64_t cutoff_for(time_t now, uint64_t age)
{
	if (age > (uint64_t)INT64_MAX || (int64_t)now < INT64_MIN + (int64_t)age)
		return INT64_MIN;
	return (int64_t)now - (int64_t)age;
}

/* Opens the media root; on failure records why in out and returns -1. */
static int open_root(const struct ctrfs *fs, const char *root, dev_t *dev, struct media_result *out)
{
	struct stat st;
	int fd = ctrfs_open_path(fs, root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);

	if (fd < 0 || fstat(fd, &st) != 0) {
		add_error(out, root, errno == ELOOP || errno == ENOTDIR ?
			  "it, or a folder on the way to it, is a symlink or not a folder: refused" : strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*dev = st.st_dev;
	return fd;
}

static struct walker *walker_new(dev_t dev, time_t now)
{
	struct walker *w = xcalloc(1, sizeof(*w));

	w->dev = dev;
	w->now = now;
	w->path_cap = 256;
	w->path = xmalloc(w->path_cap);
	return w;
}

static void walker_free(struct walker *w)
{
	free(w->path);
	free(w);
}

/* Applies w->rule with w->cutoff under the media root open on root_fd. */
static void prune_rule(struct walker *w, int root_fd, const char *root)
{
	const struct media_rule *rule = w->rule;
	struct stat st;
	int fd;

	path_start(w, root, rule->path);
	fd = open_rule_dir(root_fd, rule->path);
	if (fd < 0) {
		if (errno == ELOOP)
			add_error(w->out, w->path, "a symlink is on the way to this folder, not pruned");
		else if (errno == EXDEV)
			add_error(w->out, w->path, "not inside the media root, not pruned");
		else if (errno != ENOENT)
			walk_error(w, errno);
		return;
	}
	if (fstat(fd, &st) != 0) {
		walk_error(w, errno);
		close(fd);
		return;
	}
	if (st.st_dev != w->dev) {
		w->out->skipped++;
		close(fd);
		return;
	}
	walk(w, fd);
}

int media_prune(const struct ctrfs *fs, const char *root, const struct media_rule *rules, size_t n_rules,
		uint64_t floor, time_t now, int dry_run, media_file_cb cb, void *arg, struct media_result *out)
{
	struct walker *w;
	dev_t dev;
	size_t i;
	int root_fd;

	memset(out, 0, sizeof(*out));
	root_fd = open_root(fs, root, &dev, out);
	if (root_fd < 0)
		return -1;
	w = walker_new(dev, now);
	w->dry_run = dry_run;
	w->cb = cb;
	w->arg = arg;
	w->out = out;
	for (i = 0; i < n_rules; i++) {
		w->rule = &rules[i];
		w->cutoff = cutoff_for(now, rules[i].max_age > floor ? rules[i].max_age : floor);
		prune_rule(w, root_fd, root);
	}
	walker_free(w);
	close(root_fd);
	return 0;
}

/* Adds what one walk of media_relieve found to out. Every walk sees the whole
 * tree, so skipped entries and errors are counted once, not once per walk. */
static void relieve_merge(struct media_result *out, struct media_result *r)
{
	size_t i;

	out->files += r->files;
	out->bytes += r->bytes;
	out->dirs += r->dirs;
	if (r->skipped > out->skipped)
		out->skipped = r->skipped;
	for (i = 0; i < r->errors.n; i++)
		if (out->errors.n < MEDIA_MAX_ERRORS && !strlist_contains(&out->errors, r->errors.v[i]))
			strlist_add(&out->errors, r->errors.v[i]);
	if (r->n_errors > out->n_errors)
		out->n_errors = r->n_errors;
	if (out->errors.n > out->n_errors)
		out->n_errors = out->errors.n;
	media_result_free(r);
}

/* The day to cut at among census[lo..hi): the youngest whose older days (up to
 * hi) hold at least want bytes, else lo; -1 when these days hold no file. */
static long relieve_pick(const struct day *census, size_t lo, size_t hi, uint64_t want)
{
	uint64_t bytes = 0, files = 0;
	size_t d;

	for (d = hi; d-- > lo;) {
		bytes += census[d].bytes;
		files += census[d].files;
		if (files > 0 && bytes >= want)
			return (long)d;
	}
	return files > 0 ? (long)lo : -1;
}

int media_relieve(const struct ctrfs *fs, const char *root, uint64_t floor, time_t now, uint64_t want_bytes,
		  media_enough_fn enough, void *arg, struct media_result *out)
{
	struct media_rule all;
	struct media_result r;
	struct walker *w;
	struct day *census;
	uint64_t removed = 0;
	size_t lo, hi = RELIEVE_DAYS;
	dev_t dev;
	int root_fd;

	memset(out, 0, sizeof(*out));
	root_fd = open_root(fs, root, &dev, out);
	if (root_fd < 0)
		return -1;
	memset(&all, 0, sizeof(all));
	all.name = (char *)"relieve";
	all.path = (char *)"";   /* root itself; no globs: every file */
	census = xcalloc(RELIEVE_DAYS, sizeof(*census));
	w = walker_new(dev, now);
	w->rule = &all;

	/* The census: a dry run at the floor, counting what it would prune by age. */
	memset(&r, 0, sizeof(r));
	w->out = &r;
	w->dry_run = 1;
	w->census = census;
	w->cutoff = cutoff_for(now, floor);
	prune_rule(w, root_fd, root);
	out->kept_young = r.kept_young;
	r.files = r.bytes = 0;
	relieve_merge(out, &r);
	w->dry_run = 0;
	w->census = NULL;

	/* Days before lo hold no file older than floor. */
	lo = floor / DAY < RELIEVE_DAYS ? (size_t)(floor / DAY) : RELIEVE_DAYS - 1;
	while (!w->stopped) {
		uint64_t still = want_bytes > removed ? want_bytes - removed : 0;
		uint64_t age;
		long d;

		if (shutdown_requested()) {
			add_error(out, root, "stopped early: rotd is stopping");
			break;
		}
		d = relieve_pick(census, lo, hi, still);
		if (d < 0)
			break;          /* nothing older than floor is left */
		hi = (size_t)d;
		age = (uint64_t)d * DAY > floor ? (uint64_t)d * DAY : floor;
		memset(&r, 0, sizeof(r));
		w->out = &r;
		w->disk_bytes = 0;
		w->cutoff = cutoff_for(now, age);
		prune_rule(w, root_fd, root);
		removed += w->disk_bytes;
		relieve_merge(out, &r);
		if (enough(arg) || hi == lo)
			break;
	}
	walker_free(w);
	free(census);
	close(root_fd);
	return 0;
}

void media_result_add(struct media_result *sum, const struct media_result *one)
{
	sum->files += one->files;
	sum->bytes += one->bytes;
	sum->dirs += one->dirs;
	sum->kept_young += one->kept_young;
	sum->skipped += one->skipped;
	sum->n_errors += one->n_errors;
	for (size_t e = 0; e < one->errors.n && sum->errors.n < MEDIA_MAX_ERRORS; e++)
		strlist_add(&sum->errors, one->errors.v[e]);
}

void media_result_free(struct media_result *r)
{
	if (r == NULL)
		return;
	strlist_free(&r->errors);
	r->n_errors = 0;
}
