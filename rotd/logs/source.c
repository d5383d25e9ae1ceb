/* source: the live logs of a container and their archives, rotd's and others'. */
#include "logs/source.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/escape.h"
#include "lib/log.h"
#include "lib/path.h"
#include "lib/xalloc.h"
#include "rotate/archive_name.h"
#include "rotate/scan.h"

/* One folder's entries, listed once per container. */
struct dir_entry {
	char *name;
	enum ctrfs_kind kind;
	time_t mtime;
	uint64_t size;
};

struct dir_listing {
	char *dir;             /* path in the container, no trailing '/' */
	struct dir_entry *v;
	size_t n, cap;
	int failed;            /* errno of the listing, 0 when listed (ENOENT: no such folder) */
};

struct lister {
	const struct ctrfs *fs;
	const char *container;
	struct dir_listing *dirs;
	size_t n_dirs;
	int problems;
	struct strlist warned;  /* paths already named in a warning */
};

static int add_entry(const char *name, const struct stat *st, enum ctrfs_kind kind, void *arg)
{
	struct dir_listing *d = arg;

	if (kind == CTRFS_DIRECTORY)
		return 0;
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 16;
		d->v = xreallocarray(d->v, d->cap, sizeof(*d->v));
	}
	d->v[d->n].name = xstrdup(name);
	d->v[d->n].kind = kind;
	d->v[d->n].mtime = st->st_mtime;
	d->v[d->n].size = (uint64_t)st->st_size;
	d->n++;
	return 0;
}

static const struct dir_listing *listing_of(struct lister *l, const char *dir)
{
	size_t len = archive_name_dir_len(dir);
	struct dir_listing *d;
	char *pattern;

	for (size_t i = 0; i < l->n_dirs; i++)
		if (strlen(l->dirs[i].dir) == len && strncmp(l->dirs[i].dir, dir, len) == 0)
			return &l->dirs[i];
	l->dirs = xreallocarray(l->dirs, l->n_dirs + 1, sizeof(*l->dirs));
	d = &l->dirs[l->n_dirs++];
	memset(d, 0, sizeof(*d));
	d->dir = xstrndup(dir, len);
	pattern = xasprintf("%s/*", strcmp(d->dir, "/") == 0 ? "" : d->dir);
	if (ctrfs_glob(l->fs, pattern, add_entry, d) < 0) {
		d->failed = errno != 0 ? errno : EIO;
		if (d->failed != ENOENT) {
			log_errorx_bare("rotd logs: %s: %s: cannot list: %s", l->container, d->dir,
					strerror(d->failed));
			l->problems++;
		}
	}
	free(pattern);
	return d;
}

/* Why an entry of kind is not read, or NULL when it is. */
static const char *refusal(enum ctrfs_kind kind)
{
	switch (kind) {
	case CTRFS_REGULAR:
		return NULL;
	case CTRFS_SYMLINK:
		return "a symlink, not followed";
	case CTRFS_HARDLINKED:
		return "a hard-linked file, not read";
	case CTRFS_FIFO:
		return "a FIFO, not read";
	case CTRFS_DEVICE:
		return "a device, not read";
	case CTRFS_SOCKET:
		return "a socket, not read";
	default:
		return "not a regular file, not read";
	}
}

/* Names path in a warning once and counts it. */
static void refuse(struct lister *l, const char *path, const char *why)
{
	char *shown;

	if (strlist_contains(&l->warned, path))
		return;
	strlist_add(&l->warned, path);
	shown = escape_text(path);
	log_errorx_bare("rotd logs: %s: %s: %s", l->container, shown, why);
	free(shown);
	l->problems++;
}

int source_is_foreign_archive(const char *name, const char *base)
{
	static const char *const suffixes[] = { ".gz", ".bz2", ".xz", ".zst", NULL };
	size_t n = strlen(base);
	const char *rest;

	if (strncmp(name, base, n) != 0)
		return 0;
	rest = name + n;
	if ((rest[0] == '.' || rest[0] == '-') && isdigit((unsigned char)rest[1]))
		return 1;
	for (size_t i = 0; suffixes[i] != NULL; i++)
		if (strcmp(rest, suffixes[i]) == 0)
			return 1;
	return 0;
}

static int is_live_log(const struct scan_result *scan, const char *path)
{
	for (size_t i = 0; i < scan->n; i++)
		if (strcmp(scan->files[i].path, path) == 0)
			return 1;
	return 0;
}

static void push_source(struct log_sources *ls, size_t *cap, char *path, const struct dir_entry *e,
			enum source_kind kind)
{
	struct source *s;

	for (size_t i = 0; i < ls->n; i++)
		if (strcmp(ls->v[i].path, path) == 0) {
			free(path);
			return;
		}
	if (ls->n == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		ls->v = xreallocarray(ls->v, *cap, sizeof(*ls->v));
	}
	s = &ls->v[ls->n++];
	memset(s, 0, sizeof(*s));
	s->path = path;
	s->name = path_base(s->path);
	s->kind = kind;
	s->order = e->mtime;
	s->size = e->size;
	if (kind == SOURCE_ROTD)
		s->codec = strlen(e->name) > 4 && strcmp(e->name + strlen(e->name) - 4, ".zst") == 0 ? COMPRESS_ZSTD
												   : COMPRESS_GZIP;
}

static int by_order(const void *a, const void *b)
{
	const struct source *x = a, *y = b;

	if (x->kind == SOURCE_LIVE || y->kind == SOURCE_LIVE)
		return (x->kind == SOURCE_LIVE) - (y->kind == SOURCE_LIVE);
	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return strcmp(x->path, y->path);
}

/* Whether some log of set already reads path. */
static int claimed(const struct source_set *set, const char *path)
{
	for (size_t i = 0; i < set->n; i++)
		for (size_t k = 0; k < set->logs[i].n; k++)
			if (strcmp(set->logs[i].v[k].path, path) == 0)
				return 1;
	return 0;
}

/* The archives of one live log in one folder: rotd's names for stem, and
 * foreign ones named after base. */
static void collect(struct lister *l, const struct source_set *set, struct log_sources *ls, size_t *cap,
		    const struct scan_result *scan, const char *dir, const char *stem, const char *base)
{
	const struct dir_listing *d = listing_of(l, dir);

	for (size_t i = 0; i < d->n; i++) {
		const struct dir_entry *e = &d->v[i];
		enum source_kind kind;
		time_t t;
		unsigned seq = 0;
		char *path;

		if (stem != NULL && archive_name_parse(e->name, stem, &t, &seq))
			kind = SOURCE_ROTD;
		else if ((stem != NULL && source_is_foreign_archive(e->name, stem)) ||
			 (base != NULL && source_is_foreign_archive(e->name, base)))
			kind = SOURCE_FOREIGN;
		else
			continue;
		path = xasprintf("%s/%s", strcmp(d->dir, "/") == 0 ? "" : d->dir, e->name);
		/* Two logs of one stem in one folder: the first one reads them, as
		 * rotd archives only its (retention_collision). */
		if (is_live_log(scan, path) || claimed(set, path)) {
			free(path);
			continue;
		}
		if (refusal(e->kind) != NULL) {
			refuse(l, path, refusal(e->kind));
			free(path);
			continue;
		}
		push_source(ls, cap, path, e, kind);
		if (kind == SOURCE_ROTD) {
			ls->v[ls->n - 1].order = t;
			ls->v[ls->n - 1].seq = seq;
		}
	}
}

static int wanted(const struct strlist *globs, const char *path)
{
	if (globs == NULL || globs->n == 0)
		return 1;
	for (size_t i = 0; i < globs->n; i++)
		if (fnmatch(globs->v[i], path, 0) == 0 || fnmatch(globs->v[i], path_base(path), 0) == 0)
			return 1;
	return 0;
}


/* The log of set at path, added (with no sources yet) when missing. */
static struct log_sources *log_of(struct source_set *set, size_t *cap, const char *path, size_t log_index)
{
	for (size_t i = 0; i < set->n; i++)
		if (strcmp(set->logs[i].log_path, path) == 0)
			return &set->logs[i];
	if (set->n == *cap) {
		*cap *= 2;
		set->logs = xreallocarray(set->logs, *cap, sizeof(*set->logs));
	}
	memset(&set->logs[set->n], 0, sizeof(set->logs[set->n]));
	set->logs[set->n].log_path = xstrdup(path);
	set->logs[set->n].log_index = log_index;
	return &set->logs[set->n++];
}

/* rotd's archives of the logs of pattern k that are gone: the files a pattern
 * archives whole (idle-after) and removes, the core app's rolled and crash
 * logs. Their stems name them: "<dir's last component>_<name>" or "<name>". */
static void collect_gone(struct lister *l, struct source_set *out, size_t *cap, const struct role_policy *role,
			 size_t k, const struct scan_result *scan, const struct strlist *globs)
{
	const struct log_policy *pol = &role->log_policies[k];
	const struct dir_listing *d = listing_of(l, pol->archive_dir);
	char *gdir = path_dir(role->logs.v[k]);
	char *probe = xasprintf("%s/@", strcmp(gdir, "/") == 0 ? "" : gdir);
	char *prefix = archive_name_stem(probe, pol->archive_dir);
	size_t plen = strlen(prefix) - 1;
	size_t first = out->n;

	for (size_t i = 0; i < d->n; i++) {
		const struct dir_entry *e = &d->v[i];
		struct log_sources *ls;
		unsigned seq = 0;
		time_t t;
		char *stem = archive_name_split(e->name, &t, &seq), *log, *path;
		size_t scap;

		if (stem == NULL)
			continue;
		if (strncmp(stem, prefix, plen) != 0 || stem[plen] == '\0' ||
		    fnmatch(path_base(role->logs.v[k]), stem + plen, FNM_PERIOD) != 0) {
			free(stem);
			continue;
		}
		log = xasprintf("%s/%s", strcmp(gdir, "/") == 0 ? "" : gdir, stem + plen);
		path = xasprintf("%s/%s", strcmp(d->dir, "/") == 0 ? "" : d->dir, e->name);
		free(stem);
		if (is_live_log(scan, log) || !wanted(globs, log) || claimed(out, path)) {
			free(log);
			free(path);
			continue;
		}
		if (refusal(e->kind) != NULL) {
			refuse(l, path, refusal(e->kind));
			free(log);
			free(path);
			continue;
		}
		ls = log_of(out, cap, log, k);
		scap = ls->n;
		push_source(ls, &scap, path, e, SOURCE_ROTD);
		ls->v[ls->n - 1].order = t;
		ls->v[ls->n - 1].seq = seq;
		free(log);
	}
	for (size_t i = first; i < out->n; i++)
		qsort(out->logs[i].v, out->logs[i].n, sizeof(*out->logs[i].v), by_order);
	free(prefix);
	free(probe);
	free(gdir);
}

int source_list(const struct ctrfs *fs, const char *container, const struct role_policy *role,
		const struct strlist *globs, struct source_set *out)
{
	size_t lcap;
	struct lister l = { fs, container, NULL, 0, 0, STRLIST_INIT };
	struct scan_result scan;

	memset(out, 0, sizeof(*out));
	scan_logs(fs, role, &scan);
	for (size_t i = 0; i < scan.errors.n; i++) {
		log_errorx_bare("rotd logs: %s: %s", container, scan.errors.v[i]);
		l.problems++;
	}
	lcap = scan.n ? scan.n : 1;
	out->logs = xcalloc(lcap, sizeof(*out->logs));
	for (size_t i = 0; i < scan.n; i++) {
		const struct log_file *f = &scan.files[i];
		const struct log_policy *pol = &role->log_policies[f->glob_index];
		struct log_sources *ls;
		struct dir_entry live;
		size_t cap = 0;
		char *stem, *dir;

		if (!wanted(globs, f->path) || f->kind == CTRFS_DIRECTORY)
			continue;
		if (refusal(f->kind) != NULL) {
			refuse(&l, f->path, refusal(f->kind));
			continue;
		}
		ls = &out->logs[out->n++];
		ls->log_path = xstrdup(f->path);
		ls->log_index = f->glob_index;
		stem = archive_name_stem(f->path, pol->archive_dir);
		dir = path_dir(f->path);
		collect(&l, out, ls, &cap, &scan, pol->archive_dir, stem, NULL);
		collect(&l, out, ls, &cap, &scan, dir, NULL, path_base(f->path));
		live.name = (char *)path_base(f->path);
		live.kind = f->kind;
		live.mtime = f->mtime;
		live.size = f->size;
		push_source(ls, &cap, xstrdup(f->path), &live, SOURCE_LIVE);
		qsort(ls->v, ls->n, sizeof(*ls->v), by_order);
		free(stem);
		free(dir);
	}
	for (size_t k = 0; k < role->logs.n; k++)
		collect_gone(&l, out, &lcap, role, k, &scan, globs);
	for (size_t i = 0; i < l.n_dirs; i++) {
		for (size_t k = 0; k < l.dirs[i].n; k++)
			free(l.dirs[i].v[k].name);
		free(l.dirs[i].v);
		free(l.dirs[i].dir);
	}
	free(l.dirs);
	strlist_free(&l.warned);
	scan_free(&scan);
	return l.problems;
}

void source_set_free(struct source_set *set)
{
	for (size_t i = 0; i < set->n; i++) {
		for (size_t k = 0; k < set->logs[i].n; k++)
			free(set->logs[i].v[k].path);
		free(set->logs[i].v);
		free(set->logs[i].log_path);
	}
	free(set->logs);
	memset(set, 0, sizeof(*set));
}

int source_open(const struct ctrfs *fs, const char *path, uint64_t *size, const char **why)
{
	struct stat st;
	int fd = ctrfs_open_path(fs, path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW, 0);

	if (fd < 0) {
		*why = errno == ELOOP ? "a symlink, not followed" : strerror(errno);
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		*why = strerror(errno);
		close(fd);
		return -1;
	}
	if (ctrfs_classify(&st) != CTRFS_REGULAR) {
		*why = refusal(ctrfs_classify(&st));
		close(fd);
		return -1;
	}
	*size = (uint64_t)st.st_size;
	return fd;
}
