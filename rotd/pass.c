#include "autoconf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply.h"
#include "docker.h"
#include "lines.h"
#include "exitcode.h"
#include "journal.h"
#include "log.h"
#include "pass.h"
#include "xalloc.h"

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

static struct pass_archive_dir *find_dir(struct pass_container *pc, const char *path)
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

static void list_dir(struct pass_archive_dir *d)
{
	int fd;
	DIR *dp;
	const struct dirent *de;

	strlist_free(&d->names);
	if (d->fd < 0)
		return;
	fd = openat(d->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	dp = fd >= 0 ? fdopendir(fd) : NULL;
	if (dp == NULL) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(dp)) != NULL)
		if (de->d_name[0] != '.' || strncmp(de->d_name, JOURNAL_PREFIX, strlen(JOURNAL_PREFIX)) == 0)
			strlist_add(&d->names, de->d_name);
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

static void make_plan(struct pass_container *pc, time_t now)
{
	const struct role_policy *role = pc->ctr->role;
	const struct existing_archive **lists = xcalloc(role->logs.n, sizeof(*lists));
	struct existing_archive **owned = xcalloc(pc->n_dirs, sizeof(*owned));
	size_t *counts = xcalloc(role->logs.n, sizeof(*counts));

	for (size_t d = 0; d < pc->n_dirs; d++) {
		owned[d] = xcalloc(pc->dirs[d].names.n + 1, sizeof(**owned));
		for (size_t k = 0; k < pc->dirs[d].names.n; k++)
			owned[d][k].name = pc->dirs[d].names.v[k];
	}
	for (size_t i = 0; i < role->logs.n; i++) {
		struct pass_archive_dir *d = dir_for(pc, role->log_policies[i].archive_dir);
		size_t di = (size_t)(d - pc->dirs);

		lists[i] = owned[di];
		counts[i] = d->names.n;
	}
	pc->plan = plan_make(role, &pc->scan, lists, counts, now);
	for (size_t d = 0; d < pc->n_dirs; d++)
		free(owned[d]);
	free(owned);
	free(lists);
	free(counts);
}

struct exec_output {
	const char *container;
	struct lines out;
	struct lines err;
};

static int log_output_line(const char *line, size_t len, int truncated, void *arg)
{
	const struct exec_output *x = arg;

	(void)len;
	log_info("container %s: postrotate: %s%s", x->container, line, truncated ? " [cut]" : "");
	return 0;
}

static int log_exec_output(enum demux_stream stream, const char *data, size_t len, void *arg)
{
	struct exec_output *x = arg;

	return lines_feed(stream == DEMUX_STDERR ? &x->err : &x->out, data, len, log_output_line, x);
}

/* rotate_exec_fn for method rename: one engine connection per call, so worker
 * threads never share a curl handle. */
static int exec_postrotate(const struct rotate_target *t, const char *const argv[], char **err)
{
	const struct pass_exec *pe = t->exec_ctx;
	struct docker *d = docker_new(pe->socket, NULL);
	struct docker_exec_result res = { -1 };
	struct exec_output x;
	int st;

	x.container = t->container;
	lines_init(&x.out, 4096);
	lines_init(&x.err, 4096);
	st = docker_ping(d);
	if (st == DOCKER_OK)
		st = docker_exec(d, pe->container_id, argv, pe->timeout_ms, log_exec_output, &x, &res);
	lines_flush(&x.out, log_output_line, &x);
	lines_flush(&x.err, log_output_line, &x);
	lines_free(&x.out);
	lines_free(&x.err);
	if (st != DOCKER_OK) {
		*err = xstrdup(docker_error(d));
		docker_free(d);
		return -1;
	}
	docker_free(d);
	if (res.exit_code != 0)
		log_warnx("container %s: postrotate exited %d", t->container, res.exit_code);
	return res.exit_code;
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

static const char *unit_stem(const struct apply_unit *u)
{
	return u->main ? u->main->stem : u->prunes[0]->stem;
}

/* Groups a container's actions into units: each ROTATE or ARCHIVE_IDLE with the
 * PRUNEs that follow it for the same stem (plan orders them so), and PRUNEs with
 * no main action as a unit of their own. Returns the new number of units. */
static size_t add_units(struct pass_container *pc, struct apply_unit *units, size_t n)
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
		if (a->kind != ACTION_PRUNE || u == NULL || strcmp(unit_stem(u), a->stem) != 0) {
			u = &units[n++];
			memset(u, 0, sizeof(*u));
			u->target = &pc->target;
			u->dir_fd = d->fd;
			u->prunes = xcalloc(pc->plan.n, sizeof(*u->prunes));
			u->prune_outcomes = xcalloc(pc->plan.n, sizeof(*u->prune_outcomes));
		}
		if (a->kind == ACTION_PRUNE) {
			u->prunes[u->n_prunes] = a;
			u->prune_outcomes[u->n_prunes++] = &pc->outcomes[i];
		} else {
			u->main = a;
			u->main_outcome = &pc->outcomes[i];
		}
	}
	return n;
}

void pass_run(struct pass *p, const struct rotd_config *cfg, const struct inventory *inv, int dry_run, time_t now)
{
	struct apply_unit *units;
	size_t n_units = 0, total_actions = 0;

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
	units = xcalloc(total_actions + 1, sizeof(*units));
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].scanned)
			n_units = add_units(&p->v[i], units, n_units);
	apply_run(units, n_units, cfg->jobs, now);
	for (size_t i = 0; i < n_units; i++) {
		free(units[i].prunes);
		free(units[i].prune_outcomes);
	}
	free(units);
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
