#include "autoconf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/path.h"
#include "rotate/scan.h"
#include "lib/xalloc.h"

struct glob_walk {
	struct scan_result *out;
	size_t cap;
	const char *glob;
	size_t glob_index;
	const char *dir;    /* the glob's directory, "/" for the root */
};

static int add_match(const char *name, const struct stat *st, enum ctrfs_kind kind, void *arg)
{
	struct glob_walk *w = arg;
	struct scan_result *out = w->out;
	struct log_file *f;

	if (kind == CTRFS_DIRECTORY)
		return 0;
	if (out->n == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 16;
		out->files = xreallocarray(out->files, w->cap, sizeof(*out->files));
	}
	f = &out->files[out->n++];
	f->path = xasprintf("%s/%s", strcmp(w->dir, "/") == 0 ? "" : w->dir, name);
	f->glob = w->glob;
	f->glob_index = w->glob_index;
	f->kind = kind;
	f->size = (uint64_t)st->st_size;
	f->mtime = st->st_mtime;
	f->nlink = st->st_nlink;
	return 0;
}

static int by_path_then_glob(const void *a, const void *b)
{
	const struct log_file *x = a, *y = b;
	int c = strcmp(x->path, y->path);

	if (c != 0)
		return c;
	return (x->glob_index > y->glob_index) - (x->glob_index < y->glob_index);
}

/* Drops later duplicates of a path (two globs can find the same file); keeps the first glob. */
static void drop_duplicates(struct scan_result *r)
{
	size_t keep = 0;

	for (size_t i = 0; i < r->n; i++) {
		if (keep > 0 && strcmp(r->files[keep - 1].path, r->files[i].path) == 0) {
			free(r->files[i].path);
			continue;
		}
		r->files[keep++] = r->files[i];
	}
	r->n = keep;
}

void scan_logs(const struct ctrfs *fs, const struct role_policy *role, struct scan_result *out)
{
	size_t cap = 0;

	memset(out, 0, sizeof(*out));
	for (size_t g = 0; g < role->logs.n; g++) {
		const char *glob = role->logs.v[g];
		char *dir = path_dir(glob);
		struct glob_walk w = { out, cap, glob, g, dir };

		if (ctrfs_glob(fs, glob, add_match, &w) < 0) {
			if (errno == ENOENT)
				strlist_add(&out->absent, glob);
			else if (errno == ELOOP || errno == ENOTDIR)
				strlist_addf(&out->errors, "%s: a folder on the way is a symlink or not a folder: refused",
					     glob);
			else
				strlist_addf(&out->errors, "%s: %s", glob, strerror(errno));
		}
		cap = w.cap;
		free(dir);
	}
	if (out->n > 1)
		qsort(out->files, out->n, sizeof(*out->files), by_path_then_glob);
	drop_duplicates(out);
}

void scan_free(struct scan_result *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->files[i].path);
	free(r->files);
	strlist_free(&r->absent);
	strlist_free(&r->errors);
	memset(r, 0, sizeof(*r));
}
