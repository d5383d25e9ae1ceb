#include "autoconf.h"

#include <assert.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/units.h"
#include "lib/xalloc.h"
#include "rotate/archive_name.h"
#include "rotate/ctrfs.h"
#include "rotate/retention.h"

/* --- the files: which stems collide ---------------------------------------- */

/* A regular file, for stem collisions. */
struct entry {
	size_t idx;            /* in scan->files */
	const struct log_file *f;
	const char *adir;      /* its policy's archive_dir */
	size_t alen;           /* without trailing slashes */
	const char *stem;      /* borrowed from stems[idx] */
};

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

/* Seconds from t to now; 0 when t is in the future. */
static uint64_t age_of(time_t t, time_t now)
{
	if (t >= now)
		return 0;
	return (uint64_t)now - (uint64_t)t;
}

/* --- archive groups -------------------------------------------------------- */

#define NONE ((size_t)-1)

/* What an archive counts for, and so which rules may drop it. */
enum group_kind {
	GROUP_SOURCE,          /* a current regular log of a pattern with idle_after 0:
	                          keep, max-age, max-size */
	GROUP_PATTERN,         /* a pattern with idle_after > 0, whose files are archived whole
	                          and then removed: keep, max-age, max-size */
	GROUP_GONE,            /* a log of a pattern with idle_after 0 that is no longer a
	                          current regular file: max-age, max-size */
	GROUP_STEM,            /* a stem no pattern of the role claims: max-size only */
};

enum prune_why { WHY_NONE, WHY_KEEP, WHY_AGE, WHY_BUDGET };

/* One rotd archive in a folder. */
struct archive {
	const char *name;      /* borrowed from the listing */
	char *stem;
	time_t t;
	unsigned seq;
	uint64_t size;
	size_t group;
	int newest;            /* the newest of its group, and the pass adds none to it */
	enum prune_why why;
};

/* One archive folder of the role, however its policies spell it. */
struct folder {
	const char *dir;       /* as the first policy with this folder spells it */
	size_t len;            /* without trailing slashes */
	size_t first_glob;     /* the first pattern whose folder it is */
	uint64_t budget;       /* the smallest non-zero max_size of its patterns; 0: none */
	struct archive *v;     /* oldest first: time, then collision number, then name */
	size_t n, cap;
};

struct group {
	enum group_kind kind;
	size_t folder;
	const struct log_file *file;   /* GROUP_SOURCE: the log */
	const struct log_policy *pol;
	char *name;                    /* action.group: a path, the pattern, or the stem */
	unsigned adding;               /* archives this pass adds to it */
	size_t *arch;                  /* indexes in its folder's v, oldest first */
	size_t n_arch;
	size_t *fresh;                 /* retention_decide: the files whose new archives it gets,
	                                  by their mtime (then path): the order of their names */
	size_t drop_fresh;             /* how many of those new archives keep drops, oldest first */
};

/* The role's archives, sorted into their groups, with the files' stems and
 * collisions. */
struct retention {
	const struct role_policy *role;
	const struct scan_result *scan;
	char **stems;                      /* per file */
	const struct log_file **collides;  /* per file: the earlier file whose stem it repeats */
	size_t *file_group;                /* per file: its group; NONE unless a regular file
	                                      whose stem does not collide */
	size_t *glob_folder;               /* per pattern */
	size_t *glob_group;                /* per pattern: its GROUP_PATTERN, or NONE */
	char **glob_prefix;                /* per pattern: what its files' stems start with */
	struct folder *folders;
	size_t n_folders;
	struct group *groups;
	size_t n_groups, cap_groups;
};

static int cmp_archive(const void *a, const void *b)
{
	const struct archive *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* The folder for archive_dir (pattern glob's), made on first sight. */
static size_t folder_of(struct retention *g, const char *dir, size_t glob)
{
	size_t len = archive_name_dir_len(dir), i;

	for (i = 0; i < g->n_folders; i++)
		if (g->folders[i].len == len && memcmp(g->folders[i].dir, dir, len) == 0)
			return i;
	g->folders[i].dir = dir;
	g->folders[i].len = len;
	g->folders[i].first_glob = glob;
	g->n_folders++;
	return i;
}

/* What the stems of glob's files start with in archive_dir: "" or "<lastdir>_". New string. */
static char *glob_prefix(const char *glob, const char *archive_dir)
{
	const char *last = strrchr(glob, '/');
	char *probe, *stem, *prefix;

	if (last == NULL)
		return xstrdup("");
	probe = xasprintf("%.*s/x", (int)(last - glob), glob);
	stem = archive_name_stem(probe, archive_dir);
	prefix = xstrndup(stem, strlen(stem) - 1);
	free(probe);
	free(stem);
	return prefix;
}

static size_t add_group(struct retention *g, enum group_kind kind, size_t folder, const struct log_file *f,
			const struct log_policy *pol, char *name)
{
	struct group *gr;

	if (g->n_groups == g->cap_groups) {
		g->cap_groups = g->cap_groups ? g->cap_groups * 2 : 16;
		g->groups = xreallocarray(g->groups, g->cap_groups, sizeof(*g->groups));
	}
	gr = &g->groups[g->n_groups];
	memset(gr, 0, sizeof(*gr));
	gr->kind = kind;
	gr->folder = folder;
	gr->file = f;
	gr->pol = pol;
	gr->name = name;
	return g->n_groups++;
}

/* The pattern that claims stem in folder: of the patterns archiving there whose
 * prefix stem starts with and whose last component matches the rest, the one with
 * the longest prefix (the first in role order on a tie); NONE when none does. */
static size_t claimer(const struct retention *g, size_t folder, const char *stem)
{
	size_t best = NONE, best_len = 0;

	for (size_t i = 0; i < g->role->logs.n; i++) {
		const char *glob = g->role->logs.v[i];
		const char *last = strrchr(glob, '/');
		size_t plen = strlen(g->glob_prefix[i]);

		if (g->glob_folder[i] != folder || strncmp(stem, g->glob_prefix[i], plen) != 0 ||
		    stem[plen] == '\0')
			continue;
		if (fnmatch(last ? last + 1 : glob, stem + plen, FNM_PERIOD) != 0)
			continue;
		if (best == NONE || plen > best_len) {
			best = i;
			best_len = plen;
		}
	}
	return best;
}

/* A current file that owns the archives of its stem in its folder. */
struct owner {
	size_t folder;
	const char *stem;
	size_t file;
};

static int cmp_owner(const void *a, const void *b)
{
	const struct owner *x = a, *y = b;

	if (x->folder != y->folder)
		return x->folder < y->folder ? -1 : 1;
	return strcmp(x->stem, y->stem);
}

/* An archive no current file owns, sorted by stem to make one group per stem. */
struct pending {
	const char *stem;
	size_t k;
};

static int cmp_pending(const void *a, const void *b)
{
	const struct pending *x = a, *y = b;
	int c = strcmp(x->stem, y->stem);

	if (c != 0)
		return c;
	return x->k < y->k ? -1 : x->k > y->k;
}

/* Lists the folders' archives (the union of the listings of the patterns that
 * share a folder, each name once), oldest first. */
static void gather_archives(struct retention *g, const struct existing_archive *const *archives_of,
			    const size_t *n_archives_of)
{
	size_t i, k;

	for (i = 0; archives_of != NULL && n_archives_of != NULL && i < g->role->logs.n; i++) {
		struct folder *fo = &g->folders[g->glob_folder[i]];

		for (k = 0; archives_of[i] != NULL && k < n_archives_of[i]; k++) {
			const struct existing_archive *e = &archives_of[i][k];
			struct archive a;

			memset(&a, 0, sizeof(a));
			/* A dot file is no archive (journal records are named after theirs). */
			if (e->name == NULL || e->name[0] == '.' ||
			    (a.stem = archive_name_split(e->name, &a.t, &a.seq)) == NULL)
				continue;
			a.name = e->name;
			a.size = e->size;
			a.group = NONE;
			if (fo->n == fo->cap) {
				fo->cap = fo->cap ? fo->cap * 2 : 16;
				fo->v = xreallocarray(fo->v, fo->cap, sizeof(*fo->v));
			}
			fo->v[fo->n++] = a;
		}
	}
	for (i = 0; i < g->n_folders; i++) {
		struct folder *fo = &g->folders[i];
		size_t uniq = 0;

		if (fo->n > 1)
			qsort(fo->v, fo->n, sizeof(*fo->v), cmp_archive);
		/* A name listed twice (by two patterns, or twice in one listing) is one file. */
		for (k = 0; k < fo->n; k++) {
			if (uniq > 0 && strcmp(fo->v[uniq - 1].name, fo->v[k].name) == 0) {
				if (fo->v[uniq - 1].size == 0)
					fo->v[uniq - 1].size = fo->v[k].size;
				free(fo->v[k].stem);
				continue;
			}
			fo->v[uniq++] = fo->v[k];
		}
		fo->n = uniq;
	}
}

/* Every file's stem, and which files repeat an earlier file's stem in the same
 * archive folder. */
static void examine_files(struct retention *g)
{
	const struct scan_result *scan = g->scan;
	struct entry *reg = xcalloc(scan->n + 1, sizeof(*reg));
	size_t n_reg = 0, i;

	for (i = 0; i < scan->n; i++) {
		const struct log_file *f = &scan->files[i];
		const struct log_policy *pol;

		assert(f->glob_index < g->role->logs.n);
		pol = &g->role->log_policies[f->glob_index];
		g->stems[i] = archive_name_stem(f->path, pol->archive_dir);
		if (f->kind != CTRFS_REGULAR)
			continue;
		reg[n_reg].idx = i;
		reg[n_reg].f = f;
		reg[n_reg].adir = pol->archive_dir;
		reg[n_reg].alen = archive_name_dir_len(pol->archive_dir);
		reg[n_reg].stem = g->stems[i];
		n_reg++;
	}

	/* Two sources with one stem in one archive folder would share archives and their
	 * pruning: the later one in scan order is skipped instead. */
	if (n_reg > 1)
		qsort(reg, n_reg, sizeof(*reg), cmp_stem);
	for (i = 1; i < n_reg; i++) {
		const struct entry *prev = &reg[i - 1];

		if (prev->alen == reg[i].alen && memcmp(prev->adir, reg[i].adir, prev->alen) == 0 &&
		    strcmp(prev->stem, reg[i].stem) == 0)
			g->collides[reg[i].idx] = g->collides[prev->idx] ? g->collides[prev->idx] : prev->f;
	}
	free(reg);
}

/* Puts every archive of folder fi in its group: the group of the current file with
 * its stem; else the pattern that claims it (see claimer) when that pattern's files
 * are archived whole; else one group per stem, a gone log of the claiming pattern
 * or a stem no pattern claims. */
static void assign_archives(struct retention *g, size_t fi, const struct owner *owners, size_t n_owners)
{
	struct folder *fo = &g->folders[fi];
	struct pending *pend = xcalloc(fo->n + 1, sizeof(*pend));
	size_t n_pend = 0, k, j;

	for (k = 0; k < fo->n; k++) {
		struct archive *a = &fo->v[k];
		struct owner key = { fi, a->stem, 0 };
		const struct owner *o = n_owners ? bsearch(&key, owners, n_owners, sizeof(*owners), cmp_owner) : NULL;
		size_t c;

		if (o != NULL) {
			a->group = g->file_group[o->file];
			continue;
		}
		c = claimer(g, fi, a->stem);
		if (c != NONE && g->glob_group[c] != NONE) {
			a->group = g->glob_group[c];
			continue;
		}
		pend[n_pend].stem = a->stem;
		pend[n_pend++].k = k;
	}
	if (n_pend > 1)
		qsort(pend, n_pend, sizeof(*pend), cmp_pending);
	for (k = 0; k < n_pend; k = j) {
		size_t c = claimer(g, fi, pend[k].stem), gi;

		if (c != NONE) {
			const char *glob = g->role->logs.v[c];
			const char *last = strrchr(glob, '/');

			gi = add_group(g, GROUP_GONE, fi, NULL, &g->role->log_policies[c],
				       xasprintf("%.*s/%s", (int)(last ? last - glob : 0), glob,
						 pend[k].stem + strlen(g->glob_prefix[c])));
		} else {
			gi = add_group(g, GROUP_STEM, fi, NULL, &g->role->log_policies[fo->first_glob],
				       xstrdup(pend[k].stem));
		}
		for (j = k; j < n_pend && strcmp(pend[j].stem, pend[k].stem) == 0; j++)
			fo->v[pend[j].k].group = gi;
	}
	free(pend);
}

struct retention *retention_new(const struct role_policy *role, const struct scan_result *scan,
				const struct existing_archive *const *archives_of, const size_t *n_archives_of)
{
	struct retention *g = xcalloc(1, sizeof(*g));
	size_t nf = scan->n, ng = role->logs.n, i, k, n_owners = 0;
	struct owner *owners;
	size_t *fill;

	g->role = role;
	g->scan = scan;
	g->stems = xcalloc(nf + 1, sizeof(*g->stems));
	g->collides = xcalloc(nf + 1, sizeof(*g->collides));
	g->file_group = xcalloc(nf + 1, sizeof(*g->file_group));
	g->glob_folder = xcalloc(ng + 1, sizeof(*g->glob_folder));
	g->glob_group = xcalloc(ng + 1, sizeof(*g->glob_group));
	g->glob_prefix = xcalloc(ng + 1, sizeof(*g->glob_prefix));
	g->folders = xcalloc(ng + 1, sizeof(*g->folders));

	for (i = 0; i < ng; i++) {
		const struct log_policy *pol = &role->log_policies[i];
		struct folder *fo;

		g->glob_folder[i] = folder_of(g, pol->archive_dir, i);
		fo = &g->folders[g->glob_folder[i]];
		if (pol->max_size > 0 && (fo->budget == 0 || pol->max_size < fo->budget))
			fo->budget = pol->max_size;
		g->glob_prefix[i] = glob_prefix(role->logs.v[i], pol->archive_dir);
		g->glob_group[i] = pol->idle_after > 0 ? add_group(g, GROUP_PATTERN, g->glob_folder[i], NULL, pol,
								     xstrdup(role->logs.v[i]))
						       : NONE;
	}
	gather_archives(g, archives_of, n_archives_of);
	examine_files(g);

	owners = xcalloc(nf + 1, sizeof(*owners));
	for (i = 0; i < nf; i++) {
		const struct log_file *f = &scan->files[i];
		const struct log_policy *pol = &role->log_policies[f->glob_index];
		size_t fi = g->glob_folder[f->glob_index];

		g->file_group[i] = NONE;
		if (f->kind != CTRFS_REGULAR || g->collides[i] != NULL)
			continue;
		g->file_group[i] = pol->idle_after > 0 ? g->glob_group[f->glob_index]
						       : add_group(g, GROUP_SOURCE, fi, f, pol, xstrdup(f->path));
		owners[n_owners].folder = fi;
		owners[n_owners].stem = g->stems[i];
		owners[n_owners++].file = i;
	}
	if (n_owners > 1)
		qsort(owners, n_owners, sizeof(*owners), cmp_owner);
	for (i = 0; i < g->n_folders; i++)
		assign_archives(g, i, owners, n_owners);
	free(owners);

	/* Each group's archives, oldest first. */
	for (i = 0; i < g->n_folders; i++)
		for (k = 0; k < g->folders[i].n; k++)
			g->groups[g->folders[i].v[k].group].n_arch++;
	fill = xcalloc(g->n_groups + 1, sizeof(*fill));
	for (i = 0; i < g->n_groups; i++)
		g->groups[i].arch = xcalloc(g->groups[i].n_arch + 1, sizeof(*g->groups[i].arch));
	for (i = 0; i < g->n_folders; i++)
		for (k = 0; k < g->folders[i].n; k++) {
			size_t gi = g->folders[i].v[k].group;

			g->groups[gi].arch[fill[gi]++] = k;
		}
	free(fill);
	return g;
}

void retention_free(struct retention *g)
{
	size_t i, k;

	if (g == NULL)
		return;
	for (i = 0; i < g->scan->n; i++)
		free(g->stems[i]);
	for (i = 0; i < g->role->logs.n; i++)
		free(g->glob_prefix[i]);
	for (i = 0; i < g->n_folders; i++) {
		for (k = 0; k < g->folders[i].n; k++)
			free(g->folders[i].v[k].stem);
		free(g->folders[i].v);
	}
	for (i = 0; i < g->n_groups; i++) {
		free(g->groups[i].name);
		free(g->groups[i].arch);
		free(g->groups[i].fresh);
	}
	free(g->stems);
	free(g->collides);
	free(g->file_group);
	free(g->glob_folder);
	free(g->glob_group);
	free(g->glob_prefix);
	free(g->folders);
	free(g->groups);
	free(g);
}

static struct archive *group_archive(const struct retention *g, const struct group *gr, size_t k)
{
	return &g->folders[gr->folder].v[gr->arch[k]];
}

/* Marks the newest archive of each group that the pass adds none to. */
static void mark_newest(struct retention *g)
{
	for (size_t i = 0; i < g->n_groups; i++) {
		const struct group *gr = &g->groups[i];

		if (gr->adding == 0 && gr->n_arch > 0)
			group_archive(g, gr, gr->n_arch - 1)->newest = 1;
	}
}

/* Decides which archives retention drops and why, each once: beyond keep (counting
 * what the pass adds, which is newer than every archive there: when it alone is
 * more than keep, the new archives of the oldest files go too), then older than
 * max-age, then, folder by folder, the oldest until the folder is within its
 * max-size. */
static void mark_prunes(struct retention *g, time_t now)
{
	size_t i, k;

	mark_newest(g);
	for (i = 0; i < g->n_groups; i++) {
		struct group *gr = &g->groups[i];
		size_t drop = 0;

		if (gr->kind == GROUP_SOURCE || gr->kind == GROUP_PATTERN) {
			size_t total = gr->n_arch + gr->adding;

			drop = total > gr->pol->keep ? total - gr->pol->keep : 0;
			if (drop > gr->n_arch) {
				gr->drop_fresh = drop - gr->n_arch;
				drop = gr->n_arch;
			}
		}
		for (k = 0; k < drop; k++)
			group_archive(g, gr, k)->why = WHY_KEEP;
		if (gr->kind == GROUP_STEM || gr->pol->max_age == 0)
			continue;
		for (k = drop; k < gr->n_arch; k++) {
			struct archive *a = group_archive(g, gr, k);

			if (!a->newest && age_of(a->t, now) > gr->pol->max_age)
				a->why = WHY_AGE;
		}
	}
	for (i = 0; i < g->n_folders; i++) {
		struct folder *fo = &g->folders[i];
		uint64_t total = 0;

		if (fo->budget == 0)
			continue;
		for (k = 0; k < fo->n; k++)
			if (fo->v[k].why == WHY_NONE)
				total += fo->v[k].size;
		for (k = 0; k < fo->n && total > fo->budget; k++) {
			struct archive *a = &fo->v[k];

			if (a->why != WHY_NONE || a->newest)
				continue;
			a->why = WHY_BUDGET;
			total -= a->size;
		}
	}
}

/* --- what retention adds to a plan ---------------------------------------- */

/* Appends the PRUNE of archive a (of group gr) with reason. */
static void push_prune(struct plan *p, size_t *cap, const struct group *gr, const struct archive *a, char *reason)
{
	struct action *act = action_push(p, cap, ACTION_PRUNE, gr->kind == GROUP_SOURCE ? gr->file : NULL,
					 gr->pol, a->stem, reason);

	act->archive = xstrdup(a->name);
	act->group = xstrdup(gr->name);
	act->archive_time = a->t;
	act->archive_size = a->size;
}

/* Appends the PRUNEs of group gr that keep or max-age decided, oldest first: its
 * archives, then the new archives of its oldest files archived in this pass
 * (file set, archive NULL: see plan_make). */
static void push_group_prunes(struct plan *p, size_t *cap, const struct retention *g, const struct group *gr,
			      time_t now)
{
	char buf[32];

	for (size_t k = 0; k < gr->n_arch; k++) {
		const struct archive *a = group_archive(g, gr, k);

		if (a->why == WHY_KEEP)
			push_prune(p, cap, gr, a, xasprintf("beyond keep %u", gr->pol->keep));
		else if (a->why == WHY_AGE)
			push_prune(p, cap, gr, a,
				   xasprintf("older than max-age %s",
					     units_format_duration(gr->pol->max_age, buf, sizeof(buf))));
	}
	for (size_t k = 0; k < gr->drop_fresh; k++) {
		size_t fi = gr->fresh[k];
		const struct log_file *f = &g->scan->files[fi];
		struct action *act = action_push(p, cap, ACTION_PRUNE, f, gr->pol, g->stems[fi],
						 xasprintf("beyond keep %u", gr->pol->keep));

		act->group = xstrdup(gr->name);
		act->archive_time = now;
	}
}

/* A file whose new archive joins a group, for ordering them by mtime, then path. */
struct fresh_key {
	time_t mtime;
	const char *path;
	size_t idx;            /* in scan->files */
};

static int cmp_fresh(const void *a, const void *b)
{
	const struct fresh_key *x = a, *y = b;

	if (x->mtime != y->mtime)
		return x->mtime < y->mtime ? -1 : 1;
	return strcmp(x->path, y->path);
}

/* Lists, for each group, its files that this pass archives (archived[i] set),
 * oldest first. */
static void list_fresh(struct retention *g, const unsigned char *archived)
{
	const struct scan_result *scan = g->scan;
	struct fresh_key *keys = xcalloc(scan->n + 1, sizeof(*keys));
	size_t *filled = xcalloc(g->n_groups + 1, sizeof(*filled));
	size_t n = 0, i, k;

	for (i = 0; i < g->n_groups; i++)
		g->groups[i].fresh = xcalloc(g->groups[i].adding + 1, sizeof(*g->groups[i].fresh));
	for (i = 0; i < scan->n; i++)
		if (archived[i] && g->file_group[i] != NONE) {
			keys[n].mtime = scan->files[i].mtime;
			keys[n].path = scan->files[i].path;
			keys[n++].idx = i;
		}
	if (n > 1)
		qsort(keys, n, sizeof(*keys), cmp_fresh);
	for (k = 0; k < n; k++) {
		size_t gi = g->file_group[keys[k].idx];

		g->groups[gi].fresh[filled[gi]++] = keys[k].idx;
	}
	free(filled);
	free(keys);
}

/* Sets what the new archives of gr's files must be named after, so that each name
 * sorts after every archive of the group (its stem's included) and after the new
 * archives of the group's older files: rotate names an archive at now, or just
 * after newest_t/newest_seq when that is not before now. mains[i] is the action
 * of file i. */
static void name_order(const struct retention *g, const struct group *gr, struct action *const *mains, time_t now)
{
	int has = 0;
	time_t t = 0;
	unsigned seq = 0;

	if (gr->n_arch > 0) {
		const struct archive *newest = group_archive(g, gr, gr->n_arch - 1);

		has = 1;
		t = newest->t;
		seq = newest->seq;
	}
	for (size_t k = 0; k < gr->adding; k++) {
		struct action *a = mains[gr->fresh[k]];

		a->has_newest = has;
		a->newest_t = t;
		a->newest_seq = seq;
		/* The name rotate gives it, which the next one must follow. */
		if (has && t >= now && seq + 1 < 1000) {
			seq++;
		} else if (has && t >= now) {
			t++;
			seq = 0;
		} else {
			t = now;
			seq = 0;
		}
		has = 1;
	}
}

const char *retention_stem(const struct retention *r, size_t i)
{
	return r->stems[i];
}

const struct log_file *retention_collision(const struct retention *r, size_t i)
{
	return r->collides[i];
}

const char *retention_group(const struct retention *r, size_t i)
{
	return r->file_group[i] != NONE ? r->groups[r->file_group[i]].name : NULL;
}

void retention_decide(struct retention *r, const unsigned char *archived, time_t now)
{
	for (size_t i = 0; i < r->scan->n; i++)
		if (archived[i] && r->file_group[i] != NONE)
			r->groups[r->file_group[i]].adding++;
	list_fresh(r, archived);
	mark_prunes(r, now);
}

void retention_push_own(const struct retention *r, size_t i, struct plan *p, size_t *cap, time_t now)
{
	const struct group *gr = r->file_group[i] != NONE ? &r->groups[r->file_group[i]] : NULL;

	if (gr != NULL && gr->kind == GROUP_SOURCE)
		push_group_prunes(p, cap, r, gr, now);
}

void retention_push_rest(const struct retention *r, struct plan *p, size_t *cap, time_t now)
{
	size_t i, k;

	for (i = 0; i < r->n_groups; i++)
		if (r->groups[i].kind != GROUP_SOURCE)
			push_group_prunes(p, cap, r, &r->groups[i], now);
	for (i = 0; i < r->n_folders; i++) {
		const struct folder *fo = &r->folders[i];
		char buf[32];

		for (k = 0; k < fo->n; k++)
			if (fo->v[k].why == WHY_BUDGET)
				push_prune(p, cap, &r->groups[fo->v[k].group], &fo->v[k],
					   xasprintf("archive folder over max-size %s",
						     units_format_size(fo->budget, buf, sizeof(buf))));
	}
}

void retention_name_order(const struct retention *r, struct action *const *mains, time_t now)
{
	for (size_t i = 0; i < r->n_groups; i++)
		name_order(r, &r->groups[i], mains, now);
}

/* --- the emergency pass ---------------------------------------------------- */

struct candidate {
	const struct archive *a;
	const struct group *gr;
};

static int cmp_candidate(const void *a, const void *b)
{
	const struct candidate *x = a, *y = b;

	if (x->a->t != y->a->t)
		return x->a->t < y->a->t ? -1 : 1;
	return strcmp(x->a->name, y->a->name);
}

struct plan retention_emergency(const struct role_policy *role, const struct scan_result *scan,
				const struct existing_archive *const *archives_of, const size_t *n_archives_of,
				time_t now, uint64_t floor)
{
	struct plan p = { NULL, 0 };
	struct retention *g = retention_new(role, scan, archives_of, n_archives_of);
	struct candidate *c;
	size_t n = 0, cap = 0, total = 0, i, k;
	char buf[32];

	mark_newest(g);
	for (i = 0; i < g->n_folders; i++)
		total += g->folders[i].n;
	c = xcalloc(total + 1, sizeof(*c));
	for (i = 0; i < g->n_folders; i++)
		for (k = 0; k < g->folders[i].n; k++) {
			const struct archive *a = &g->folders[i].v[k];

			if (a->newest || age_of(a->t, now) < floor)
				continue;
			c[n].a = a;
			c[n++].gr = &g->groups[a->group];
		}
	if (n > 1)
		qsort(c, n, sizeof(*c), cmp_candidate);
	units_format_duration(floor, buf, sizeof(buf));
	for (i = 0; i < n; i++)
		push_prune(&p, &cap, c[i].gr, c[i].a, xasprintf("emergency: older than archive-floor %s", buf));
	free(c);
	retention_free(g);
	return p;
}

