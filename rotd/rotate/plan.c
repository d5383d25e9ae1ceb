#include "autoconf.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/units.h"
#include "lib/xalloc.h"
#include "rotate/ctrfs.h"
#include "rotate/plan.h"

#define NONE ((size_t)-1)

/* A regular file, for finding the newest of each (glob, directory). */
struct sibling {
	size_t idx;            /* in scan->files */
	const struct log_file *f;
	size_t dlen;           /* directory part of f->path */
};

static int cmp_sibling(const void *a, const void *b)
{
	const struct sibling *x = a, *y = b;
	size_t n = x->dlen < y->dlen ? x->dlen : y->dlen;
	int c;

	if (x->f->glob_index != y->f->glob_index)
		return x->f->glob_index < y->f->glob_index ? -1 : 1;
	c = memcmp(x->f->path, y->f->path, n);
	if (c != 0)
		return c;
	if (x->dlen != y->dlen)
		return x->dlen < y->dlen ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int same_glob_dir(const struct sibling *x, const struct sibling *y)
{
	return x->f->glob_index == y->f->glob_index && x->dlen == y->dlen &&
	       memcmp(x->f->path, y->f->path, x->dlen) == 0;
}

/* 1 when a is newer than b: later mtime, or on a tie the greater path. */
static int newer(const struct log_file *a, const struct log_file *b)
{
	if (a->mtime != b->mtime)
		return a->mtime > b->mtime;
	return strcmp(a->path, b->path) > 0;
}

/* Seconds from t to now; 0 when t is in the future. */
static uint64_t age_of(time_t t, time_t now)
{
	if (t >= now)
		return 0;
	return (uint64_t)now - (uint64_t)t;
}

/* "3h": the age in its largest whole unit (days, hours, minutes, seconds), rounded down. */
static void format_age(uint64_t s, char *buf, size_t len)
{
	if (s >= 86400)
		snprintf(buf, len, "%" PRIu64 "d", s / 86400);
	else if (s >= 3600)
		snprintf(buf, len, "%" PRIu64 "h", s / 3600);
	else if (s >= 60)
		snprintf(buf, len, "%" PRIu64 "m", s / 60);
	else
		snprintf(buf, len, "%" PRIu64 "s", s);
}

/* "20.0 MiB > 15.0 MiB", or exact byte counts when both round to the same text. */
static char *size_reason(uint64_t size, uint64_t limit)
{
	char a[32], b[32];

	units_format_size(size, a, sizeof(a));
	units_format_size(limit, b, sizeof(b));
	if (strcmp(a, b) == 0)
		return xasprintf("%" PRIu64 " bytes > %" PRIu64 " bytes", size, limit);
	return xasprintf("%s > %s", a, b);
}

/* Per file of scan: 1 for the newest regular file of its glob in its directory,
 * the active one, which is never archived whole. New array. */
static unsigned char *newest_files(const struct scan_result *scan)
{
	unsigned char *is_newest = xcalloc(scan->n + 1, sizeof(*is_newest));
	struct sibling *reg = xcalloc(scan->n + 1, sizeof(*reg));
	size_t n_reg = 0, i, j;

	for (i = 0; i < scan->n; i++) {
		const struct log_file *f = &scan->files[i];
		const char *slash = strrchr(f->path, '/');

		if (f->kind != CTRFS_REGULAR)
			continue;
		reg[n_reg].idx = i;
		reg[n_reg].f = f;
		reg[n_reg].dlen = slash != NULL ? (size_t)(slash - f->path) : 0;
		n_reg++;
	}
	if (n_reg > 1)
		qsort(reg, n_reg, sizeof(*reg), cmp_sibling);
	for (i = 0; i < n_reg; i = j) {
		size_t best = i;

		for (j = i + 1; j < n_reg && same_glob_dir(&reg[i], &reg[j]); j++)
			if (newer(reg[j].f, reg[best].f))
				best = j;
		is_newest[reg[best].idx] = 1;
	}
	free(reg);
	return is_newest;
}

struct plan plan_make(const struct role_policy *role, const struct scan_result *scan,
		      const struct existing_archive *const *archives_of, const size_t *n_archives_of, time_t now)
{
	struct plan p = { NULL, 0 };
	struct retention *r = retention_new(role, scan, archives_of, n_archives_of);
	unsigned char *is_newest = newest_files(scan);
	unsigned char *archived;
	size_t cap = 0, i;
	enum action_kind *kinds;
	char **reasons;
	size_t *main_at;       /* per file: its action's index in p, or NONE */
	struct action **mains;

	kinds = xcalloc(scan->n + 1, sizeof(*kinds));
	reasons = xcalloc(scan->n + 1, sizeof(*reasons));
	archived = xcalloc(scan->n + 1, sizeof(*archived));
	main_at = xcalloc(scan->n + 1, sizeof(*main_at));
	mains = xcalloc(scan->n + 1, sizeof(*mains));

	/* What happens to each file; ACTION_PRUNE stands for "nothing". */
	for (i = 0; i < scan->n; i++) {
		const struct log_file *f = &scan->files[i];
		const struct log_policy *pol = &role->log_policies[f->glob_index];
		const char *glob = f->glob ? f->glob : role->logs.v[f->glob_index];
		const struct log_file *collision = retention_collision(r, i);
		uint64_t age = age_of(f->mtime, now);

		kinds[i] = ACTION_PRUNE;
		if (f->kind == CTRFS_HARDLINKED) {
			kinds[i] = ACTION_SKIP;
			reasons[i] = xasprintf("%s (%ju links)", ctrfs_kind_name(f->kind), (uintmax_t)f->nlink);
		} else if (f->kind != CTRFS_REGULAR) {
			kinds[i] = ACTION_SKIP;
			reasons[i] = xstrdup(ctrfs_kind_name(f->kind));
		} else if (collision != NULL) {
			kinds[i] = ACTION_SKIP;
			reasons[i] = xasprintf("archive name stem '%s' collides with %s", retention_stem(r, i),
					       collision->path);
		} else if (!is_newest[i] && pol->idle_after > 0 && age >= pol->idle_after) {
			char buf[32];

			format_age(age, buf, sizeof(buf));
			kinds[i] = ACTION_ARCHIVE_IDLE;
			reasons[i] = xasprintf("idle %s, not the newest of %s", buf, glob);
		} else if (f->size > pol->size) {
			kinds[i] = ACTION_ROTATE;
			reasons[i] = size_reason(f->size, pol->size);
		}
		archived[i] = kinds[i] == ACTION_ROTATE || kinds[i] == ACTION_ARCHIVE_IDLE;
	}
	retention_decide(r, archived, now);

	/* Each file's action, then the prunes of its own log; then those of the patterns
	 * and of logs that are gone; then the folders' budgets. */
	for (i = 0; i < scan->n; i++) {
		const struct log_file *f = &scan->files[i];
		const struct log_policy *pol = &role->log_policies[f->glob_index];
		const char *group = retention_group(r, i);

		main_at[i] = NONE;
		if (kinds[i] != ACTION_PRUNE) {
			struct action *a = action_push(&p, &cap, kinds[i], f, pol, retention_stem(r, i), reasons[i]);

			reasons[i] = NULL;
			main_at[i] = p.n - 1;
			if (kinds[i] != ACTION_SKIP && group != NULL)
				a->group = xstrdup(group);
		}
		retention_push_own(r, i, &p, &cap, now);
	}
	retention_push_rest(r, &p, &cap, now);
	/* p.v no longer moves: order the names of the new archives. */
	for (i = 0; i < scan->n; i++)
		mains[i] = main_at[i] != NONE ? &p.v[main_at[i]] : NULL;
	retention_name_order(r, mains, now);

	for (i = 0; i < scan->n; i++)
		free(reasons[i]);
	free(reasons);
	free(kinds);
	free(archived);
	free(main_at);
	free(mains);
	free(is_newest);
	retention_free(r);
	return p;
}
