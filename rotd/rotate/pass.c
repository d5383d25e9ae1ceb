#include "autoconf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rotate/apply.h"
#include "engine/docker.h"
#include "lib/exitcode.h"
#include "rotate/journal.h"
#include "lib/log.h"
#include "rotate/pass.h"
#include "rotate/retention.h"
#include "lib/xalloc.h"

static void container_error(struct pass_container *pc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void container_error(struct pass_container *pc, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	log_errorx("container %s: %s", pc->ctr->name, s);
	strlist_take(&pc->errors, s);
}

static struct pass_archive_dir *find_dir(const struct pass_container *pc, const char *path)
{
	for (size_t i = 0; i < pc->n_dirs; i++)
		if (strcmp(pc->dirs[i].path, path) == 0)
			return &pc->dirs[i];
	return NULL;
}

/* The entry open_archive_dirs made for path; every policy's folder has one. */
static struct pass_archive_dir *dir_for(struct pass_container *pc, const char *path)
{
	struct pass_archive_dir *d = find_dir(pc, path);

	if (d == NULL) {
		log_errorx("internal error: archive folder %s was never opened", path);
		abort();
	}
	return d;
}

/* Opens (without creating) each distinct archive folder of the role. */
static void open_archive_dirs(struct pass_container *pc)
{
	const struct role_policy *role = pc->ctr->role;

	pc->dirs = xcalloc(role->logs.n, sizeof(*pc->dirs));
	for (size_t i = 0; i < role->logs.n; i++) {
		const char *path = role->log_policies[i].archive_dir;
		struct pass_archive_dir *d;
		char *err = NULL;

		if (find_dir(pc, path) != NULL)
			continue;
		d = &pc->dirs[pc->n_dirs++];
		d->path = path;
		d->fd = rotate_open_archive_dir(pc->fs, path, 0, &err);
		if (d->fd < 0 && err != NULL)
			container_error(pc, "%s", err);
		free(err);
	}
}

/* Lists d's regular files (dot files other than journal records left out) with
 * their sizes; nothing when d is not open or cannot be read. */
static void list_dir(struct pass_archive_dir *d)
{
	int fd;
	DIR *dp;
	const struct dirent *de;
	size_t cap = 0, n = 0;

	strlist_free(&d->names);
	free(d->sizes);
	d->sizes = NULL;
	if (d->fd < 0)
		return;
	fd = openat(d->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	dp = fd >= 0 ? fdopendir(fd) : NULL;
	if (dp == NULL) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(dp)) != NULL) {
		struct stat st;

		if (de->d_name[0] == '.' && strncmp(de->d_name, JOURNAL_PREFIX, strlen(JOURNAL_PREFIX)) != 0)
			continue;
		if (fstatat(d->fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			d->sizes = xreallocarray(d->sizes, cap, sizeof(*d->sizes));
		}
		d->sizes[n++] = st.st_size > 0 ? (uint64_t)st.st_size : 0;
		strlist_add(&d->names, de->d_name);
	}
	closedir(dp);
}

/* Finishes (or, in a dry run, lists) interrupted rotations recorded in the journals. */
static void recover(struct pass_container *pc, int dry_run)
{
	for (size_t i = 0; i < pc->n_dirs; i++) {
		struct pass_archive_dir *d = &pc->dirs[i];

		list_dir(d);
		for (size_t k = 0; k < d->names.n; k++) {
			char *what = NULL;

			if (strncmp(d->names.v[k], JOURNAL_PREFIX, strlen(JOURNAL_PREFIX)) != 0)
				continue;
			if (dry_run) {
				strlist_addf(&pc->recovered, "would finish the interrupted rotation recorded in %s/%s",
					     d->path, d->names.v[k]);
				continue;
			}
			if (rotate_recover(&pc->target, d->fd, d->names.v[k], &what) < 0)
				container_error(pc, "%s", what);
			else
				log_info("container %s: %s", pc->ctr->name, what);
			strlist_take(&pc->recovered, what);
		}
		list_dir(d);
	}
}

/* What plan_make and retention_emergency read: each pattern's archive folder listing. */
struct listings {
	const struct existing_archive **lists;  /* per pattern of the role */
	size_t *counts;
	struct existing_archive **owned;        /* per folder */
	size_t n_owned;
};

static void listings_make(const struct pass_container *pc, struct listings *l)
{
	const struct role_policy *role = pc->ctr->role;

	l->lists = xcalloc(role->logs.n + 1, sizeof(*l->lists));
	l->counts = xcalloc(role->logs.n + 1, sizeof(*l->counts));
	l->owned = xcalloc(pc->n_dirs + 1, sizeof(*l->owned));
	l->n_owned = pc->n_dirs;
	for (size_t d = 0; d < pc->n_dirs; d++) {
		l->owned[d] = xcalloc(pc->dirs[d].names.n + 1, sizeof(**l->owned));
		for (size_t k = 0; k < pc->dirs[d].names.n; k++) {
			l->owned[d][k].name = pc->dirs[d].names.v[k];
			l->owned[d][k].size = pc->dirs[d].sizes[k];
		}
	}
	for (size_t i = 0; i < role->logs.n; i++) {
		const struct pass_archive_dir *d = find_dir(pc, role->log_policies[i].archive_dir);

		if (d == NULL)
			continue;
		l->lists[i] = l->owned[d - pc->dirs];
		l->counts[i] = d->names.n;
	}
}

static void listings_free(struct listings *l)
{
	for (size_t d = 0; d < l->n_owned; d++)
		free(l->owned[d]);
	free(l->owned);
	free(l->lists);
	free(l->counts);
}

static void make_plan(struct pass_container *pc, time_t now)
{
	struct listings l;

	listings_make(pc, &l);
	pc->plan = plan_make(pc->ctr->role, &pc->scan, l.lists, l.counts, now);
	listings_free(&l);
}

struct plan pass_emergency_plan(const struct pass_container *pc, time_t now, uint64_t floor)
{
	struct plan p = { NULL, 0 };
	struct listings l;

	if (!pc->scanned || pc->ctr->role == NULL)
		return p;
	listings_make(pc, &l);
	p = retention_emergency(pc->ctr->role, &pc->scan, l.lists, l.counts, now, floor);
	listings_free(&l);
	return p;
}

int pass_archive_dir_fd(const struct pass_container *pc, const char *path)
{
	const struct pass_archive_dir *d = find_dir(pc, path);

	return d != NULL ? d->fd : -1;
}

static int log_output_line(const char *stream, const char *line, size_t len, int truncated, void *arg)
{
	const char *const *container = arg;

	(void)stream;
	(void)len;
	log_info("container %s: postrotate: %s%s", *container, line, truncated ? " [cut]" : "");
	return 0;
}

/* rotate_exec_fn for method rename: one engine connection per call, so worker
 * threads never share a curl handle. */
static int exec_postrotate(const struct rotate_target *t, const char *const argv[], char **err)
{
	const struct pass_exec *pe = t->exec_ctx;
	const char *container = t->container;
	struct docker_exec_outcome out;

	if (docker_exec_lines(pe->socket, pe->container_id, argv, pe->timeout_ms, log_output_line, &container,
			      &out) != DOCKER_OK) {
		*err = out.error;
		return -1;
	}
	if (out.exit_code != 0)
		log_warnx("container %s: postrotate exited %d", t->container, out.exit_code);
	return out.exit_code;
}

/* Reads one running container: opens its root, recovers, scans and plans. */
static void read_container(struct pass_container *pc, const char *socket, unsigned timeout_ms, int dry_run,
			   time_t now)
{
	const struct container *c = pc->ctr;

	pc->fs = ctrfs_open(c->pid, c->id);
	if (pc->fs == NULL) {
		container_error(pc, "cannot open its filesystem through /proc/%ld/root: %s", (long)c->pid,
				errno == ESTALE ? "the pid now belongs to another process" : strerror(errno));
		return;
	}
	pc->target.fs = pc->fs;
	pc->target.pid = c->pid;
	pc->target.container = c->name;
	pc->target.exec = exec_postrotate;
	pc->target.exec_ctx = &pc->exec;
	pc->exec.socket = socket;
	pc->exec.container_id = c->id;
	pc->exec.timeout_ms = timeout_ms;
	open_archive_dirs(pc);
	recover(pc, dry_run);
	scan_logs(pc->fs, c->role, &pc->scan);
	for (size_t e = 0; e < pc->scan.errors.n; e++)
		log_errorx("container %s: %s", c->name, pc->scan.errors.v[e]);
	make_plan(pc, now);
	pc->scanned = 1;
}

/* Opens, creating where needed, the archive folders that planned actions write to. */
static void prepare_dirs(struct pass_container *pc)
{
	for (size_t i = 0; i < pc->plan.n; i++) {
		const struct action *a = &pc->plan.v[i];
		struct pass_archive_dir *d;
		char *err = NULL;

		if (a->kind != ACTION_ROTATE && a->kind != ACTION_ARCHIVE_IDLE)
			continue;
		d = dir_for(pc, a->policy->archive_dir);
		if (d->fd >= 0)
			continue;
		d->fd = rotate_open_archive_dir(pc->fs, d->path, 1, &err);
		if (d->fd < 0) {
			container_error(pc, "%s", err);
			free(err);
			return;
		}
	}
}

/* 1 when PRUNE a belongs in unit u, the last one made: the prunes of a main
 * action's own log (plan puts them right after it), or a run of prunes alone of
 * one stem in one folder. */
static int joins(const struct apply_unit *u, const struct action *a, int dir_fd)
{
	if (u == NULL)
		return 0;
	if (u->main != NULL)
		return a->file != NULL && a->file == u->main->file && a->archive != NULL;
	return u->dir_fd == dir_fd && strcmp(u->prunes[0]->stem, a->stem) == 0;
}

static struct apply_unit *new_unit(struct pass_container *pc, struct apply_unit *units, size_t *n, int dir_fd)
{
	struct apply_unit *u = &units[(*n)++];

	memset(u, 0, sizeof(*u));
	u->target = &pc->target;
	u->dir_fd = dir_fd;
	return u;
}

static void add_prune(struct apply_unit *u, const struct action *a, struct rotate_outcome *o)
{
	size_t n = u->n_prunes;

	/* The arrays double whenever the count reaches a power of two. */
	if ((n & (n - 1)) == 0) {
		u->prunes = xreallocarray(u->prunes, n ? 2 * n : 1, sizeof(*u->prunes));
		u->prune_outcomes = xreallocarray(u->prune_outcomes, n ? 2 * n : 1, sizeof(*u->prune_outcomes));
	}
	u->prunes[n] = a;
	u->prune_outcomes[n] = o;
	u->n_prunes = n + 1;
}

/* Groups a container's actions into units: each ROTATE or ARCHIVE_IDLE with the
 * PRUNEs of its own log that follow it, into mains; PRUNEs with no main action
 * (of patterns, of logs not rotated now, over a folder's budget), a unit per run
 * of one stem, into prunes. */
static void add_units(struct pass_container *pc, struct apply_unit *mains, size_t *n_mains,
		      struct apply_unit *prunes, size_t *n_prunes)
{
	struct apply_unit *u = NULL;

	pc->outcomes = xcalloc(pc->plan.n + 1, sizeof(*pc->outcomes));
	for (size_t i = 0; i < pc->plan.n; i++) {
		const struct action *a = &pc->plan.v[i];
		const struct pass_archive_dir *d;

		if (a->kind == ACTION_SKIP)
			continue;
		d = dir_for(pc, a->policy->archive_dir);
		if (d->fd < 0) {
			pc->outcomes[i].error = xasprintf("archive folder %s is not available", d->path);
			continue;
		}
		if (a->kind != ACTION_PRUNE) {
			u = new_unit(pc, mains, n_mains, d->fd);
			u->main = a;
			u->main_outcome = &pc->outcomes[i];
			continue;
		}
		if (!joins(u, a, d->fd))
			u = new_unit(pc, prunes, n_prunes, d->fd);
		add_prune(u, a, &pc->outcomes[i]);
	}
}

/* 1 when action i is a ROTATE or ARCHIVE_IDLE of a group that made no archive
 * (failed, was left alone, or never ran). */
static int made_none(const struct pass_container *pc, size_t i)
{
	const struct action *a = &pc->plan.v[i];

	return (a->kind == ACTION_ROTATE || a->kind == ACTION_ARCHIVE_IDLE) && a->group != NULL &&
	       !pc->outcomes[i].done;
}

/* The index of the ROTATE or ARCHIVE_IDLE of file f, or pc->plan.n. */
static size_t main_of(const struct pass_container *pc, const struct log_file *f)
{
	size_t i;

	for (i = 0; i < pc->plan.n; i++)
		if ((pc->plan.v[i].kind == ACTION_ROTATE || pc->plan.v[i].kind == ACTION_ARCHIVE_IDLE) &&
		    pc->plan.v[i].file == f)
			break;
	return i;
}

/* Newest first: the prunes to keep back when some of a group's new archives failed. */
static int newest_first(const void *x, const void *y)
{
	const struct action *a = *(const struct action *const *)x, *b = *(const struct action *const *)y;

	if (a->archive_time != b->archive_time)
		return a->archive_time > b->archive_time ? -1 : 1;
	if (a->file != NULL && b->file != NULL && a->file->mtime != b->file->mtime)
		return a->file->mtime > b->file->mtime ? -1 : 1;
	return strcmp(b->archive, a->archive);
}

/* Between the main actions and the other prunes. A PRUNE with no archive name
 * drops the new archive of its file (keep counted more new archives than keep):
 * it gets the name that archive was given, or, when none was made, the note
 * "not needed: no new archive was made". Then, for each group (see plan.h) that
 * got fewer new archives than planned: keep counted them, and max-age and
 * max-size spared no newest for them. When none was made, none of the group's
 * prunes is done; otherwise the newest made is newer than every old one, and as
 * many of the group's prunes as archives failed (of files whose own new archive
 * was not to be dropped anyway), the newest, are kept back. Either way with the
 * note "kept: the new archive of its log failed". */
static void settle_prunes(struct pass_container *pc)
{
	const struct action **pending = xcalloc(pc->plan.n + 1, sizeof(*pending));
	unsigned char *to_drop = xcalloc(pc->plan.n + 1, 1); /* per main action: keep drops its archive */

	for (size_t k = 0; k < pc->plan.n; k++) {
		struct action *b = &pc->plan.v[k];
		size_t m;

		if (b->kind != ACTION_PRUNE || b->archive != NULL || pc->outcomes[k].error != NULL)
			continue;
		m = b->file != NULL ? main_of(pc, b->file) : pc->plan.n;
		if (m < pc->plan.n)
			to_drop[m] = 1;
		if (m < pc->plan.n && pc->outcomes[m].done && pc->outcomes[m].archive != NULL)
			b->archive = xstrdup(pc->outcomes[m].archive);
		else if (pc->outcomes[k].note == NULL)
			pc->outcomes[k].note = xstrdup("not needed: no new archive was made");
	}
	for (size_t i = 0; i < pc->plan.n; i++) {
		const char *group = pc->plan.v[i].group;
		size_t made = 0, failed = 0, n = 0, seen = 0;

		if (!made_none(pc, i))
			continue;
		for (size_t k = 0; k < i && !seen; k++)
			seen = made_none(pc, k) && strcmp(pc->plan.v[k].group, group) == 0;
		if (seen)
			continue;       /* this group was dealt with at its first failure */
		for (size_t k = 0; k < pc->plan.n; k++) {
			const struct action *b = &pc->plan.v[k];
			const struct rotate_outcome *o = &pc->outcomes[k];
			int is_main = b->kind == ACTION_ROTATE || b->kind == ACTION_ARCHIVE_IDLE;

			if (b->group == NULL || strcmp(b->group, group) != 0)
				continue;
			if (is_main && o->done)
				made++;
			else if (is_main && !to_drop[k])
				failed++;
			else if (b->kind == ACTION_PRUNE && b->archive != NULL && o->note == NULL && o->error == NULL &&
				 o->pruned == 0)
				pending[n++] = b;
		}
		if (made > 0 && n > 1)
			qsort(pending, n, sizeof(*pending), newest_first);
		for (size_t k = 0; k < n && (made == 0 || k < failed); k++)
			pc->outcomes[pending[k] - pc->plan.v].note = xstrdup("kept: the new archive of its log failed");
	}
	free(to_drop);
	free(pending);
}

static void free_units(struct apply_unit *units, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(units[i].prunes);
		free(units[i].prune_outcomes);
	}
	free(units);
}

void pass_run(struct pass *p, const struct rotd_config *cfg, const struct inventory *inv, int dry_run, time_t now)
{
	struct apply_unit *mains, *prunes;
	size_t n_mains = 0, n_prunes = 0, total_actions = 0;

	p->dry_run = dry_run;
	p->now = now;
	p->n = inv->n;
	p->v = xcalloc(inv->n + 1, sizeof(*p->v));
	for (size_t i = 0; i < inv->n; i++) {
		p->v[i].ctr = &inv->v[i];
		if (inv->v[i].state != CTR_RUNNING)
			continue;
		read_container(&p->v[i], p->socket, cfg->docker_timeout_ms, dry_run, now);
		if (!dry_run && p->v[i].scanned)
			prepare_dirs(&p->v[i]);
		total_actions += p->v[i].plan.n;
	}
	if (dry_run)
		return;
	mains = xcalloc(total_actions + 1, sizeof(*mains));
	prunes = xcalloc(total_actions + 1, sizeof(*prunes));
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].scanned)
			add_units(&p->v[i], mains, &n_mains, prunes, &n_prunes);
	/* Old archives go only after the new archive is durable: a main action's unit
	 * prunes its own log after it; the other prunes wait for every main action. */
	apply_run(mains, n_mains, cfg->jobs, now);
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].scanned)
			settle_prunes(&p->v[i]);
	apply_run(prunes, n_prunes, cfg->jobs, now);
	free_units(mains, n_mains);
	free_units(prunes, n_prunes);
	/* What the folders hold now, for the emergency step. */
	for (size_t i = 0; i < p->n; i++)
		for (size_t d = 0; p->v[i].scanned && d < p->v[i].n_dirs; d++)
			list_dir(&p->v[i].dirs[d]);
}

void pass_free(struct pass *p)
{
	for (size_t i = 0; i < p->n; i++) {
		struct pass_container *pc = &p->v[i];

		for (size_t k = 0; pc->outcomes && k < pc->plan.n; k++)
			rotate_outcome_free(&pc->outcomes[k]);
		free(pc->outcomes);
		plan_free(&pc->plan);
		if (pc->scanned)
			scan_free(&pc->scan);
		for (size_t d = 0; d < pc->n_dirs; d++) {
			if (pc->dirs[d].fd >= 0)
				close(pc->dirs[d].fd);
			strlist_free(&pc->dirs[d].names);
			free(pc->dirs[d].sizes);
		}
		free(pc->dirs);
		strlist_free(&pc->recovered);
		strlist_free(&pc->errors);
		ctrfs_close(pc->fs);
	}
	free(p->v);
	p->v = NULL;
	p->n = 0;
}

int pass_exit_code(const struct pass *p)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct pass_container *pc = &p->v[i];

		if (pc->ctr->state == CTR_FAILED || pc->errors.n > 0 || (pc->scanned && pc->scan.errors.n > 0))
			return EXIT_ROTD_PARTIAL;
		for (size_t k = 0; pc->outcomes && k < pc->plan.n; k++)
			if (pc->outcomes[k].error)
				return EXIT_ROTD_PARTIAL;
	}
	return EXIT_ROTD_OK;
}
