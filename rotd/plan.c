#include "autoconf.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctrfs.h"
#include "plan.h"
#include "units.h"
#include "xalloc.h"

#define TS_LEN 16 /* "yyyymmddThhmmssZ" */

const char *plan_action_name(enum action_kind kind)
{
	switch (kind) {
	case ACTION_ROTATE:
		return "rotate";
	case ACTION_ARCHIVE_IDLE:
		return "archive-idle";
	case ACTION_PRUNE:
		return "prune";
	case ACTION_SKIP:
		return "skip";
	}
	return "unknown";
}

/* Length of path without its trailing slashes ("/" keeps its one slash). */
static size_t trimmed_len(const char *path)
{
	size_t n = strlen(path);

	while (n > 1 && path[n - 1] == '/')
		n--;
	return n;
}

/* Length of the directory part of path (up to its last '/', excluded); "/x" gives 0,
 * the root. Sets *has_dir to 0 when path has no '/'. */
static size_t dir_len(const char *path, size_t len, int *has_dir)
{
	size_t i = len;

	while (i > 0 && path[i - 1] != '/')
		i--;
	*has_dir = i > 0;
	return i > 0 ? i - 1 : 0;
}

char *plan_archive_stem(const char *source_path, const char *archive_dir)
{
	size_t slen = strlen(source_path), alen = trimmed_len(archive_dir);
	int s_has, a_has;
	size_t sdir = dir_len(source_path, slen, &s_has);
	size_t adir = dir_len(archive_dir, alen, &a_has);
	const char *name = source_path + (s_has ? sdir + 1 : 0);
	size_t comp;

	if (!s_has)
		return xstrdup(source_path);
	if (a_has && alen > 1 && sdir == adir && memcmp(source_path, archive_dir, sdir) == 0)
		return xstrdup(name);
	/* The last component of the source's directory; a file at the root has none,
	 * and then its name alone is the stem. */
	comp = sdir;
	while (comp > 0 && source_path[comp - 1] != '/')
		comp--;
	if (comp == sdir)
		return xstrdup(name);
	return xasprintf("%.*s_%s", (int)(sdir - comp), source_path + comp, name);
}

char *plan_archive_name(const char *stem, time_t t, unsigned seq, const char *suffix)
{
	struct tm tm;

	/* A time gmtime_r cannot represent (far beyond year 9999) names as the epoch. */
	if (gmtime_r(&t, &tm) == NULL || tm.tm_year + 1900 > 9999 || tm.tm_year + 1900 < 0) {
		time_t zero = 0;

		gmtime_r(&zero, &tm);
	}
	if (seq > 0)
		return xasprintf("%s-%04d%02d%02dT%02d%02d%02dZ_%03u%s", stem, tm.tm_year + 1900,
				 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, seq, suffix);
	return xasprintf("%s-%04d%02d%02dT%02d%02d%02dZ%s", stem, tm.tm_year + 1900, tm.tm_mon + 1,
			 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, suffix);
}

/* The value of the n decimal digits at s, or -1 when one is not a digit. */
static int digits(const char *s, size_t n)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int plan_parse_archive_name(const char *name, const char *stem, time_t *t, unsigned *seq)
{
	size_t slen = strlen(stem);
	const char *p;
	struct tm tm, back;
	time_t when;
	unsigned long n = 0;
	int year, mon, day, hour, min, sec;

	if (slen == 0 || strncmp(name, stem, slen) != 0 || name[slen] != '-')
		return 0;
	p = name + slen + 1;
	if (strnlen(p, TS_LEN) < TS_LEN || p[8] != 'T' || p[15] != 'Z')
		return 0;
	year = digits(p, 4);
	mon = digits(p + 4, 2);
	day = digits(p + 6, 2);
	hour = digits(p + 9, 2);
	min = digits(p + 11, 2);
	sec = digits(p + 13, 2);
	if (year < 0 || mon < 0 || day < 0 || hour < 0 || min < 0 || sec < 0)
		return 0;
	p += TS_LEN;
	if (*p == '_') {
		int v = digits(p + 1, 3);

		if (v < 1)
			return 0; /* exactly three digits, 001 to 999 */
		n = (unsigned long)v;
		p += 4;
	}
	if (strcmp(p, ".gz") != 0 && strcmp(p, ".zst") != 0)
		return 0;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_sec = sec;
	when = timegm(&tm);
	/* Out-of-range fields (month 13, Feb 30, second 60) do not round-trip. */
	if (gmtime_r(&when, &back) == NULL || back.tm_year != year - 1900 || back.tm_mon != mon - 1 ||
	    back.tm_mday != day || back.tm_hour != hour || back.tm_min != min || back.tm_sec != sec)
		return 0;
	*t = when;
	*seq = (unsigned)n;
	return 1;
}

/* --- plan_make ----------------------------------------------------------- */

/* A regular file, for grouping by (glob, directory) and for stem collisions. */
struct entry {
	size_t idx;            /* in scan->files */
	const struct log_file *f;
	size_t dlen;           /* directory part of f->path */
	const char *adir;      /* its policy's archive_dir */
	size_t alen;           /* without trailing slashes */
	const char *stem;      /* borrowed from stems[idx] */
};

static int cmp_group(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
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

static int same_group(const struct entry *x, const struct entry *y)
{
	return x->f->glob_index == y->f->glob_index && x->dlen == y->dlen &&
	       memcmp(x->f->path, y->f->path, x->dlen) == 0;
}

static int cmp_stem(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	size_t n = x->alen < y->alen ? x->alen : y->alen;
	int c = memcmp(x->adir, y->adir, n);

	if (c != 0)
		return c;
	if (x->alen != y->alen)
		return x->alen < y->alen ? -1 : 1;
	c = strcmp(x->stem, y->stem);
	if (c != 0)
		return c;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* 1 when a is newer than b: later mtime, or on a tie the greater path. */
static int newer(const struct log_file *a, const struct log_file *b)
{
	if (a->mtime != b->mtime)
		return a->mtime > b->mtime;
	return strcmp(a->path, b->path) > 0;
}

struct parsed_archive {
	const char *name;
	time_t t;
	unsigned seq;
};

static int cmp_archive(const void *a, const void *b)
{
	const struct parsed_archive *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Seconds from mtime to now; 0 when mtime is in the future. */
static uint64_t age_of(time_t mtime, time_t now)
{
	if (mtime >= now)
		return 0;
	return (uint64_t)now - (uint64_t)mtime;
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

static struct action *push(struct plan *p, size_t *cap, enum action_kind kind, const struct log_file *f,
			   const struct log_policy *pol, const char *stem, char *reason)
{
	struct action *a;

	if (p->n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		p->v = xreallocarray(p->v, *cap, sizeof(*p->v));
	}
	a = &p->v[p->n++];
	memset(a, 0, sizeof(*a));
	a->kind = kind;
	a->file = f;
	a->policy = pol;
	a->stem = xstrdup(stem);
	a->archive = NULL;
	a->reason = reason;
	return a;
}

/* Appends PRUNEs for stem's archives in names beyond pol->keep, counting one new archive
 * when adding. */
static void plan_prunes(struct plan *p, size_t *cap, const struct log_file *f, const struct log_policy *pol,
			const char *stem, const struct existing_archive *names, size_t n_names, int adding)
{
	struct parsed_archive *arch;
	size_t n = 0, i, uniq, drop;

	if (names == NULL || n_names == 0)
		return;
	arch = xcalloc(n_names, sizeof(*arch));
	for (i = 0; i < n_names; i++) {
		if (names[i].name != NULL &&
		    plan_parse_archive_name(names[i].name, stem, &arch[n].t, &arch[n].seq)) {
			arch[n].name = names[i].name;
			n++;
		}
	}
	if (n > 1)
		qsort(arch, n, sizeof(*arch), cmp_archive);
	/* A name listed twice is one file. */
	uniq = 0;
	for (i = 0; i < n; i++)
		if (uniq == 0 || strcmp(arch[uniq - 1].name, arch[i].name) != 0)
			arch[uniq++] = arch[i];
	if (adding && uniq > 0) {
		/* The new archive must sort after every archive of its stem. */
		struct action *main_action = &p->v[p->n - 1];

		main_action->has_newest = 1;
		main_action->newest_t = arch[uniq - 1].t;
		main_action->newest_seq = arch[uniq - 1].seq;
	}
	drop = uniq + (adding ? 1 : 0);
	drop = drop > pol->keep ? drop - pol->keep : 0;
	for (i = 0; i < drop && i < uniq; i++) {
		struct action *a = push(p, cap, ACTION_PRUNE, f, pol, stem,
					xasprintf("beyond keep %u", pol->keep));

		a->archive = xstrdup(arch[i].name);
	}
	free(arch);
}

struct plan plan_make(const struct role_policy *role, const struct scan_result *scan,
		      const struct existing_archive *const *archives_of, const size_t *n_archives_of, time_t now)
{
	struct plan p = { NULL, 0 };
	size_t cap = 0, n_reg = 0, i, j;
	struct entry *reg;
	char **stems;
	unsigned char *is_newest;
	const struct log_file **collides; /* per file: the earlier file whose stem it repeats */

	if (scan->n == 0)
		return p;
	reg = xcalloc(scan->n, sizeof(*reg));
	stems = xcalloc(scan->n, sizeof(*stems));
	is_newest = xcalloc(scan->n, sizeof(*is_newest));
	collides = xcalloc(scan->n, sizeof(*collides));

	for (i = 0; i < scan->n; i++) {
		const struct log_file *f = &scan->files[i];
		const struct log_policy *pol;
		int has_dir;

		assert(f->glob_index < role->logs.n);
		pol = &role->log_policies[f->glob_index];
		stems[i] = plan_archive_stem(f->path, pol->archive_dir);
		if (f->kind != CTRFS_REGULAR)
			continue;
		reg[n_reg].idx = i;
		reg[n_reg].f = f;
		reg[n_reg].dlen = dir_len(f->path, strlen(f->path), &has_dir);
		reg[n_reg].adir = pol->archive_dir;
		reg[n_reg].alen = trimmed_len(pol->archive_dir);
		reg[n_reg].stem = stems[i];
		n_reg++;
	}

	/* The newest regular file of each (glob, directory) group is the active one. */
	if (n_reg > 1)
		qsort(reg, n_reg, sizeof(*reg), cmp_group);
	for (i = 0; i < n_reg; i = j) {
		size_t best = i;

		for (j = i + 1; j < n_reg && same_group(&reg[i], &reg[j]); j++)
			if (newer(reg[j].f, reg[best].f))
				best = j;
		is_newest[reg[best].idx] = 1;
	}

	/* Two sources with one stem in one archive folder would share archives and their
	 * pruning: the later one in scan order is skipped instead. */
	if (n_reg > 1)
		qsort(reg, n_reg, sizeof(*reg), cmp_stem);
	for (i = 1; i < n_reg; i++) {
		const struct entry *prev = &reg[i - 1];

		if (prev->alen == reg[i].alen && memcmp(prev->adir, reg[i].adir, prev->alen) == 0 &&
		    strcmp(prev->stem, reg[i].stem) == 0)
			collides[reg[i].idx] = collides[prev->idx] ? collides[prev->idx] : prev->f;
	}

	/* Stems come only from current regular files: archives whose source is gone (or is
	 * no longer a regular file) have no stem to match, and are left alone. */
	for (i = 0; i < scan->n; i++) {
		const struct log_file *f = &scan->files[i];
		const struct log_policy *pol = &role->log_policies[f->glob_index];
		const char *glob = f->glob ? f->glob : role->logs.v[f->glob_index];
		uint64_t age = age_of(f->mtime, now);
		int adding = 0;

		if (f->kind == CTRFS_HARDLINKED) {
			push(&p, &cap, ACTION_SKIP, f, pol, stems[i],
			     xasprintf("%s (%ju links)", ctrfs_kind_name(f->kind), (uintmax_t)f->nlink));
			continue;
		}
		if (f->kind != CTRFS_REGULAR) {
			push(&p, &cap, ACTION_SKIP, f, pol, stems[i], xstrdup(ctrfs_kind_name(f->kind)));
			continue;
		}
		if (collides[i] != NULL) {
			push(&p, &cap, ACTION_SKIP, f, pol, stems[i],
			     xasprintf("archive name stem '%s' collides with %s", stems[i], collides[i]->path));
			continue;
		}
		if (!is_newest[i] && pol->idle_after > 0 && age >= pol->idle_after) {
			char buf[32];

			format_age(age, buf, sizeof(buf));
			push(&p, &cap, ACTION_ARCHIVE_IDLE, f, pol, stems[i],
			     xasprintf("idle %s, not the newest of %s", buf, glob));
			adding = 1;
		} else if (f->size > pol->size) {
			push(&p, &cap, ACTION_ROTATE, f, pol, stems[i], size_reason(f->size, pol->size));
			adding = 1;
		}
		plan_prunes(&p, &cap, f, pol, stems[i], archives_of ? archives_of[f->glob_index] : NULL,
			    n_archives_of ? n_archives_of[f->glob_index] : 0, adding);
	}

	for (i = 0; i < scan->n; i++)
		free(stems[i]);
	free(stems);
	free(reg);
	free(is_newest);
	free(collides);
	return p;
}

void plan_free(struct plan *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		free(p->v[i].stem);
		free(p->v[i].archive);
		free(p->v[i].reason);
	}
	free(p->v);
	p->v = NULL;
	p->n = 0;
}
