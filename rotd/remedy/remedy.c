#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/path.h"
#include "lib/progress.h"
#include "remedy/remedy.h"
#include "rotate/rotate.h"
#include "lib/shutdown.h"
#include "lib/units.h"
#include "lib/xalloc.h"
#include "usage/usage.h"

struct remedy_ctr {
	const struct container *ctr;
	struct ctrfs *fs;
};

const char *remedy_trigger_name(enum remedy_trigger t)
{
	switch (t) {
	case REMEDY_WATERMARK:
		return "watermark";
	case REMEDY_ALERT:
		return "alert";
	case REMEDY_MANUAL:
		break;
	}
	return "manual";
}

/* ---- measuring ------------------------------------------------------------ */

static void fail(struct remedy *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* An error of the emergency pass: logged where it happens, and kept for the
 * report. */
static void fail(struct remedy *r, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	log_errorx("%s", s);
	strlist_take(&r->errors, s);
}

static struct remedy_fs *fs_by_dev(struct remedy *r, dev_t dev)
{
	for (size_t i = 0; i < r->n_fs; i++)
		if (r->fs[i].name.dev == dev)
			return &r->fs[i];
	return NULL;
}

/* Measures the filesystem of folder dir in container k; a missing folder is not
 * an error (a role's glob may name folders an image lacks). Returns the index
 * of its filesystem in r->fs, or -1. */
static long measure_dir(struct remedy *r, size_t k, const char *dir)
{
	const struct remedy_ctr *c = &r->ctrs[k];
	struct remedy_fs *f;
	struct fs_usage u;
	struct fs_name name;
	int fd = ctrfs_open_path(c->fs, dir, O_RDONLY | O_DIRECTORY, 0);

	if (fd < 0) {
		if (errno != ENOENT)
			fail(r, "container %s: cannot open %s to measure it: %s", c->ctr->name, dir,
				     strerror(errno));
		return -1;
	}
	if (fsusage_measure(fd, &u) < 0) {
		fail(r, "container %s: cannot measure %s: %s", c->ctr->name, dir, strerror(errno));
		close(fd);
		return -1;
	}
	fsname_of_fd(fd, c->ctr->pid, &name);
	f = fs_by_dev(r, name.dev);
	if (f != NULL) {
		fsname_free(&name);
		close(fd);
		return f - r->fs;
	}
	r->fs = xreallocarray(r->fs, r->n_fs + 1, sizeof(*r->fs));
	f = &r->fs[r->n_fs++];
	memset(f, 0, sizeof(*f));
	f->before = f->after = u;
	f->name = name;
	f->label = fsname_label(&name);
	f->fd = fd;
	return f - r->fs;
}

/* The media volumes: from the mounts whose destination holds the media root,
 * each volume once, reached through the first container that mounts it. */
static void find_volumes(struct remedy *r, const char *media_root)
{
	r->volumes = xcalloc(r->n_ctrs + 1, sizeof(*r->volumes));
	for (size_t k = 0; k < r->n_ctrs; k++) {
		char *key = inventory_media_key(r->ctrs[k].ctr, media_root);
		struct remedy_volume *v = NULL;
		long fs;

		if (key == NULL)
			continue;
		for (size_t i = 0; i < r->n_volumes && v == NULL; i++)
			if (strcmp(r->volumes[i].key, key) == 0)
				v = &r->volumes[i];
		if (v != NULL) {
			strlist_add(&v->containers, r->ctrs[k].ctr->name);
			free(key);
			continue;
		}
		fs = measure_dir(r, k, media_root);
		if (fs < 0) {
			free(key);
			continue;
		}
		v = &r->volumes[r->n_volumes++];
		v->key = key;
		v->ctr = k;
		v->via = r->ctrs[k].ctr->name;
		v->fs = (size_t)fs;
		strlist_add(&v->containers, r->ctrs[k].ctr->name);
	}
}

/* Measures every filesystem again; returns the bytes its targets' used fell by
 * since the last measure. */
static int64_t measure_again(struct remedy *r)
{
	int64_t freed = 0;

	for (size_t i = 0; i < r->n_fs; i++) {
		struct remedy_fs *f = &r->fs[i];
		struct fs_usage u;

		if (fsusage_measure(f->fd, &u) < 0) {
			fail(r, "cannot measure %s again: %s", f->label, strerror(errno));
			continue;
		}
		if (f->target)
			freed += (int64_t)f->after.used - (int64_t)u.used;
		f->after = u;
	}
	return freed;
}

static int all_under_low(const struct remedy *r)
{
	for (size_t i = 0; i < r->n_fs; i++)
		if (r->fs[i].target && fsusage_pct(&r->fs[i].after) > r->low)
			return 0;
	return 1;
}

int64_t remedy_freed(const struct remedy *r)
{
	int64_t freed = 0;

	for (size_t i = 0; i < r->n_fs; i++)
		if (r->fs[i].target)
			freed += (int64_t)r->fs[i].before.used - (int64_t)r->fs[i].after.used;
	return freed;
}

static void add_step(struct remedy *r, int64_t freed, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void add_step(struct remedy *r, int64_t freed, const char *fmt, ...)
{
	struct remedy_step *s;
	va_list ap;

	r->steps = xreallocarray(r->steps, r->n_steps + 1, sizeof(*r->steps));
	s = &r->steps[r->n_steps++];
	va_start(ap, fmt);
	s->what = xvasprintf(fmt, ap);
	va_end(ap);
	s->freed = freed;
	s->note = NULL;
}

static const struct remedy_recall *recall_of(const struct remedy_memory *m, dev_t dev)
{
	for (size_t i = 0; m != NULL && i < m->n; i++)
		if (m->v[i].dev == dev)
			return &m->v[i];
	return NULL;
}

/* A filesystem an earlier pass left above low is left alone until its usage
 * grows by a point or the backoff passes. */
static int backing_off(const struct remedy *r, const struct remedy_fs *f, time_t now)
{
	const struct remedy_recall *rc = recall_of(r->memory, f->name.dev);

	return rc != NULL && fsusage_pct(&f->before) <= rc->pct && now >= rc->at &&
	       (uint64_t)(now - rc->at) < r->backoff;
}

void remedy_begin(struct remedy *r, const struct rotd_config *cfg, const struct inventory *inv,
		  enum remedy_trigger trigger, int dry_run, const struct remedy_memory *memory, time_t now)
{
	unsigned threshold;

	memset(r, 0, sizeof(*r));
	r->trigger = trigger;
	r->high = cfg->high_watermark;
	r->low = cfg->low_watermark;
	r->dry_run = dry_run;
	r->inv = inv;
	r->memory = memory;
	r->backoff = cfg->remediation_backoff;
	r->ctrs = xcalloc(inv->n + 1, sizeof(*r->ctrs));
	for (size_t i = 0; i < inv->n; i++) {
		const struct container *c = &inv->v[i];
		struct ctrfs *fs;

		if (c->state != CTR_RUNNING)
			continue;
		fs = ctrfs_open(c->pid, c->id);
		if (fs == NULL) {
			/* The pass that follows in the same cycle opens it too and reports
			 * the failure (a container that stopped a moment ago): one fact,
			 * one line. */
			log_debug("container %s: cannot open its root: %s", c->name, strerror(errno));
			continue;
		}
		r->ctrs[r->n_ctrs].ctr = c;
		r->ctrs[r->n_ctrs++].fs = fs;
	}
	for (size_t k = 0; k < r->n_ctrs; k++) {
		const struct role_policy *role = r->ctrs[k].ctr->role;

		for (size_t g = 0; g < role->logs.n; g++) {
			char *dir = path_dir(role->logs.v[g]);

			measure_dir(r, k, dir);
			measure_dir(r, k, role->log_policies[g].archive_dir);
			free(dir);
		}
		measure_dir(r, k, role->archive_dir);
	}
	if (cfg->media_root != NULL)
		find_volumes(r, cfg->media_root);
	threshold = trigger == REMEDY_WATERMARK ? r->high : r->low;
	for (size_t i = 0; i < r->n_fs; i++) {
		struct remedy_fs *f = &r->fs[i];
		unsigned pct = fsusage_pct(&f->before);

		if (pct <= r->low)
			continue;
		if (backing_off(r, f, now)) {
			f->backing_off = pct > threshold;
			continue;
		}
		f->target = 1;
		if (pct > threshold)
			r->needed = 1;
	}
	r->reached_low = !r->needed || all_under_low(r);
}

/* ---- the steps ------------------------------------------------------------ */

static void run_cleanup(struct remedy *r, const struct rotd_config *cfg, const char *socket, time_t now)
{
	size_t ran = 0;

	if (r->memory != NULL && r->memory->cleanup_at != 0 && now >= r->memory->cleanup_at &&
	    (uint64_t)(now - r->memory->cleanup_at) < r->backoff) {
		char ago[32], backoff[32];

		r->cleanup_skipped = xasprintf("cleanup.sh ran %s ago in an emergency pass; not again before "
					       "remediation-backoff (%s)",
					       units_format_duration((uint64_t)(now - r->memory->cleanup_at), ago,
								     sizeof(ago)),
					       units_format_duration(r->backoff, backoff, sizeof(backoff)));
		return;
	}
	r->cleanup = xcalloc(r->n_ctrs + 1, sizeof(*r->cleanup));
	for (size_t k = 0; k < r->n_ctrs; k++) {
		const struct container *c = r->ctrs[k].ctr;
		struct cleanup_task *t;

		if (!strlist_contains(&cfg->cleanup.roles, c->role->name))
			continue;
		t = &r->cleanup[r->n_cleanup++];
		t->container = c->name;
		t->container_id = c->id;
		t->fs = r->ctrs[k].fs;
		t->exit_code = -1;
	}
	cleanup_run(&cfg->cleanup, socket, 0, r->cleanup, r->n_cleanup);
	for (size_t i = 0; i < r->n_cleanup; i++) {
		ran += r->cleanup[i].ran;
		if (cleanup_failed(&r->cleanup[i]))
			strlist_addf(&r->errors, "cleanup.sh in %s failed%s%s", r->cleanup[i].container,
				     r->cleanup[i].error ? ": " : "", r->cleanup[i].error ? r->cleanup[i].error : "");
	}
	add_step(r, measure_again(r), "cleanup.sh in %zu container%s", ran, ran == 1 ? "" : "s");
}

struct relief {
	struct remedy *r;
	struct remedy_fs *f;
};

static int media_enough(void *arg)
{
	struct relief *x = arg;
	struct fs_usage u;

	if (fsusage_measure(x->f->fd, &u) < 0)
		return 1;
	return fsusage_pct(&u) <= x->r->low || shutdown_requested();
}

static void run_media(struct remedy *r, const struct rotd_config *cfg, time_t now)
{
	char floor[32], bytes[32];

	for (size_t i = 0; i < r->n_volumes; i++) {
		const struct remedy_volume *v = &r->volumes[i];
		struct remedy_fs *f = &r->fs[v->fs];
		struct relief x = { r, f };
		struct media_result one;
		const struct remedy_ctr *c = &r->ctrs[v->ctr];

		if (!f->target || fsusage_pct(&f->after) <= r->low || shutdown_requested())
			continue;
		memset(&one, 0, sizeof(one));
		progress_begin("media", c->ctr->name, v->key, 0);
		if (media_relieve(c->fs, cfg->media_root, cfg->media_floor, now, fsusage_bytes_over(&f->after, r->low),
				  media_enough, &x, &one) < 0 && one.errors.n == 0)
			fail(r, "media %s (via %s): cannot open %s", v->key, c->ctr->name, cfg->media_root);
		progress_end();
		for (size_t e = 0; e < one.errors.n; e++)
			fail(r, "media %s (via %s): %s", v->key, c->ctr->name, one.errors.v[e]);
		media_result_add(&r->media, &one);
		add_step(r, measure_again(r), "oldest media first in %s (via %s), none younger than %s: %ju file%s, %s",
			 v->key, c->ctr->name, units_format_duration(cfg->media_floor, floor, sizeof(floor)),
			 (uintmax_t)one.files, one.files == 1 ? "" : "s", units_format_size(one.bytes, bytes, sizeof(bytes)));
		media_result_free(&one);
	}
}

/* An archive step 4 may drop. */
struct candidate {
	const struct pass_container *pc;
	const struct action *a;
	int dir_fd;
	long fs;                       /* index into r->fs, or -1: not on a target */
};

static int by_archive_time(const void *x, const void *y)
{
	const struct candidate *a = x, *b = y;

	if (a->a->archive_time != b->a->archive_time)
		return a->a->archive_time < b->a->archive_time ? -1 : 1;
	return strcmp(a->a->archive, b->a->archive);
}

/* The filesystem in r of the archive folder open on fd (reached through pid). */
static long fs_of_dir(struct remedy *r, int fd, pid_t pid)
{
	struct fs_name name;
	const struct remedy_fs *f;

	fsname_of_fd(fd, pid, &name);
	f = fs_by_dev(r, name.dev);
	fsname_free(&name);
	return f != NULL ? f - r->fs : -1;
}

static void add_dropped(struct remedy *r, const struct pass_container *pc, const struct action *a, uint64_t bytes)
{
	struct remedy_dropped *d;

	r->dropped = xreallocarray(r->dropped, r->n_dropped + 1, sizeof(*r->dropped));
	d = &r->dropped[r->n_dropped++];
	d->container = xstrdup(pc->ctr->name);
	d->path = xasprintf("%s/%s", a->policy->archive_dir, a->archive);
	d->bytes = bytes;
	r->dropped_bytes += bytes;
}

/* What step 4 may drop on the targets, oldest first: the candidates (into
 * *out) and the plans they point into (into *plans: p->n of them, plan_free
 * each). Returns their number. */
static size_t archive_candidates(struct remedy *r, const struct rotd_config *cfg, const struct pass *p, time_t now,
				 struct plan **plans_out, struct candidate **out)
{
	struct plan *plans = xcalloc(p->n + 1, sizeof(*plans));
	struct candidate *cands = NULL;
	size_t n = 0, cap = 0;

	for (size_t i = 0; i < p->n; i++) {
		const struct pass_container *pc = &p->v[i];
		int last_fd = -1;
		long last_fs = -1;

		plans[i] = pass_emergency_plan(pc, now, cfg->archive_floor);
		for (size_t k = 0; k < plans[i].n; k++) {
			const struct action *a = &plans[i].v[k];
			int fd = pass_archive_dir_fd(pc, a->policy->archive_dir);
			long fs;

			if (fd < 0)
				continue;
			/* A container's archives share one or two folders: name each once. */
			fs = fd == last_fd ? last_fs : fs_of_dir(r, fd, pc->ctr->pid);
			last_fd = fd;
			last_fs = fs;
			if (fs < 0 || !r->fs[fs].target)
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				cands = xreallocarray(cands, cap, sizeof(*cands));
			}
			cands[n++] = (struct candidate){ pc, a, fd, fs };
		}
	}
	if (n > 1)
		qsort(cands, n, sizeof(*cands), by_archive_time);
	*plans_out = plans;
	*out = cands;
	return n;
}

static void free_candidates(const struct pass *p, struct plan *plans, struct candidate *cands)
{
	for (size_t i = 0; i < p->n; i++)
		plan_free(&plans[i]);
	free(plans);
	free(cands);
}

/* Step 4: the oldest archives on the targets first, never younger than
 * archive-floor, never the newest of a log, until each target is under low. */
static void drop_archives(struct remedy *r, const struct rotd_config *cfg, const struct pass *p, time_t now)
{
	struct plan *plans;
	struct candidate *cands;
	size_t n = archive_candidates(r, cfg, p, now, &plans, &cands), files = 0;
	char floor[32], bytes[32];

	for (size_t i = 0; i < n && !shutdown_requested(); i++) {
		struct remedy_fs *f = &r->fs[cands[i].fs];
		struct rotate_outcome o;
		struct fs_usage u;

		if (fsusage_measure(f->fd, &u) < 0 || fsusage_pct(&u) <= r->low)
			continue;
		memset(&o, 0, sizeof(o));
		if (rotate_prune(cands[i].dir_fd, cands[i].a->archive, &o) < 0) {
			fail(r, "container %s: %s", cands[i].pc->ctr->name, o.error);
		} else if (o.pruned > 0) {
			add_dropped(r, cands[i].pc, cands[i].a, o.pruned_bytes);
			log_info("container %s: dropped archive %s/%s (%s)", cands[i].pc->ctr->name,
				 cands[i].a->policy->archive_dir, cands[i].a->archive, cands[i].a->reason);
			files++;
		}
		rotate_outcome_free(&o);
	}
	add_step(r, measure_again(r), "oldest archives first, none younger than %s and never the newest of a log: "
		 "%zu file%s, %s", units_format_duration(cfg->archive_floor, floor, sizeof(floor)), files,
		 files == 1 ? "" : "s", units_format_size(r->dropped_bytes, bytes, sizeof(bytes)));
	free_candidates(p, plans, cands);
}

/* ---- estimates (--remediate --dry-run) -------------------------------------- */

/* What a rotated log's archive is assumed to cost: logs compress at least 10:1. */
#define ESTIMATE_RATIO 10

/* The filesystem in r of folder dir in pc's container, or -1. */
static long fs_of_folder(struct remedy *r, const struct pass_container *pc, const char *dir)
{
	int fd;
	long fs;

	if (pc->fs == NULL)
		return -1;
	fd = ctrfs_open_path(pc->fs, dir, O_RDONLY | O_DIRECTORY, 0);
	if (fd < 0)
		return -1;
	fs = fs_of_dir(r, fd, pc->ctr->pid);
	close(fd);
	return fs;
}

/* Counts bytes as freed on filesystem fs if it is a target; returns them. */
static uint64_t credit(struct remedy *r, long fs, uint64_t bytes)
{
	if (fs < 0 || !r->fs[fs].target)
		return 0;
	fsusage_after_freeing(&r->fs[fs].after, bytes);
	return bytes;
}

static void add_estimate(struct remedy *r, uint64_t freed, const char *note, const char *what)
{
	add_step(r, (int64_t)freed, "%s", what);
	r->steps[r->n_steps - 1].note = note != NULL ? xstrdup(note) : NULL;
}

/* Step 1 in a dry run: what the pass's plan would cut from live logs (less
 * what its archives cost) and the archives it would prune. */
static void estimate_pass(struct remedy *r, const struct pass *p)
{
	uint64_t freed = 0;

	for (size_t i = 0; i < p->n; i++) {
		const struct pass_container *pc = &p->v[i];

		for (size_t k = 0; pc->scanned && k < pc->plan.n; k++) {
			const struct action *a = &pc->plan.v[k];
			char *dir;

			if (a->kind == ACTION_PRUNE) {
				freed += credit(r, fs_of_folder(r, pc, a->policy->archive_dir), a->archive_size);
			} else if (a->kind == ACTION_ROTATE || a->kind == ACTION_ARCHIVE_IDLE) {
				dir = path_dir(a->file->path);
				freed += credit(r, fs_of_folder(r, pc, dir), a->file->size - a->file->size / ESTIMATE_RATIO);
				free(dir);
			}
		}
	}
	add_estimate(r, freed, "rotated logs are assumed to compress 10:1; pruned archives count whole",
		     "rotation and archives beyond keep, max-age and max-size");
}

static const struct usage_volume *usage_volume_of(const struct usage *u, const char *key)
{
	for (size_t i = 0; i < u->n_volumes; i++)
		if (strcmp(u->volumes[i].key, key) == 0)
			return &u->volumes[i];
	return NULL;
}

static const struct usage_container *usage_container_of(const struct usage *u, const char *name)
{
	for (size_t i = 0; i < u->n_containers; i++)
		if (strcmp(u->containers[i].name, name) == 0)
			return &u->containers[i];
	return NULL;
}

/* The media step of a dry run, from the one accounting: what each volume
 * holds older than the floor (usage's prunable figures). */
static void estimate_media(struct remedy *r, const struct rotd_config *cfg, const struct usage *u)
{
	char floor[32], bytes[32];

	for (size_t i = 0; i < r->n_volumes; i++) {
		const struct remedy_volume *v = &r->volumes[i];
		const struct usage_volume *uv = usage_volume_of(u, v->key);
		struct remedy_fs *f = &r->fs[v->fs];
		uint64_t freed = 0, old, files;
		char *note;

		if (!f->target || fsusage_pct(&f->after) <= r->low)
			continue;
		old = uv != NULL ? uv->prunable_bytes : USAGE_UNKNOWN;
		files = uv != NULL ? uv->prunable_files : USAGE_UNKNOWN;
		if (old == USAGE_UNKNOWN || files == USAGE_UNKNOWN) {
			note = xstrdup("cannot be estimated: the volume could not be measured");
		} else {
			uint64_t want = fsusage_bytes_over(&f->after, r->low);

			freed = credit(r, (long)v->fs, old < want ? old : want);
			note = xasprintf("%ju file%s older than %s hold%s %s", (uintmax_t)files, files == 1 ? "" : "s",
					 units_format_duration(cfg->media_floor, floor, sizeof(floor)),
					 files == 1 ? "s" : "", units_format_size(old, bytes, sizeof(bytes)));
		}
		add_step(r, (int64_t)freed, "oldest media first in %s (via %s)", v->key, r->ctrs[v->ctr].ctr->name);
		r->steps[r->n_steps - 1].note = note;
	}
}

static void estimate_archives(struct remedy *r, const struct rotd_config *cfg, const struct pass *p, time_t now)
{
	struct plan *plans;
	struct candidate *cands;
	size_t n = archive_candidates(r, cfg, p, now, &plans, &cands), files = 0;
	uint64_t freed = 0;
	char floor[32], what[160];

	for (size_t i = 0; i < n; i++) {
		struct remedy_fs *f = &r->fs[cands[i].fs];

		if (fsusage_pct(&f->after) <= r->low)
			continue;
		freed += credit(r, cands[i].fs, cands[i].a->archive_size);
		files++;
	}
	snprintf(what, sizeof(what), "oldest archives first, none younger than %s and never the newest of a log: "
		 "%zu file%s", units_format_duration(cfg->archive_floor, floor, sizeof(floor)), files, files == 1 ? "" : "s");
	add_estimate(r, freed, NULL, what);
	free_candidates(p, plans, cands);
}

/* A dry run's steps as estimates: each target's after becomes its expected
 * usage, step by step, from the dry-run pass p and the same candidates the
 * real steps would take. */
static void estimate(struct remedy *r, const struct rotd_config *cfg, const struct pass *p, time_t now)
{
	for (size_t i = 0; i < r->n_fs; i++)
		r->fs[i].after = r->fs[i].before;
	estimate_pass(r, p);
	if (!all_under_low(r))
		add_estimate(r, 0, "cannot be estimated: it runs the image's own script", "cleanup.sh");
	if (!all_under_low(r)) {
		struct usage u;

		usage_collect(NULL, cfg, r->inv, now, &u);
		for (size_t i = 0; i < u.errors.n; i++)
			log_info("media estimate: %s", u.errors.v[i]);
		estimate_media(r, cfg, &u);
		usage_free(&u);
	}
	if (!all_under_low(r))
		estimate_archives(r, cfg, p, now);
}

/* ---- what takes the space ----------------------------------------------------- */

static const char *no_max_size_hint =
	"its json-file log has no max-size: set \"log-opts\": {\"max-size\": \"50m\", \"max-file\": \"5\"} in "
	"/etc/docker/daemon.json (or logging options in the compose file) and recreate the container";

static uint64_t consumer_total(const struct remedy_consumer *c)
{
	return c->live_logs + c->archives + c->media + c->engine_log_bytes;
}

static int by_total_desc(const void *a, const void *b)
{
	uint64_t x = consumer_total(a), y = consumer_total(b);

	return x < y ? 1 : x > y ? -1 : 0;
}

static uint64_t known(uint64_t bytes)
{
	return bytes == USAGE_UNKNOWN ? 0 : bytes;
}

/* Bytes of the media volume container k reaches first (0 for the others). */
static uint64_t media_bytes(const struct remedy *r, const struct usage *u, size_t k)
{
	for (size_t i = 0; i < r->n_volumes; i++) {
		const struct usage_volume *v;

		if (r->volumes[i].ctr != k)
			continue;
		v = usage_volume_of(u, r->volumes[i].key);
		return v != NULL ? known(v->bytes) : 0;
	}
	return 0;
}

/* Names c's engine log in rc when LogPath is a regular file (and, with
 * only_full, when it and its rotated siblings hold bytes). */
static void add_consumer_log(struct remedy_consumer *rc, const struct container *c, const struct usage_container *uc,
			     int only_full)
{
	uint64_t bytes = uc != NULL ? known(uc->bytes[USAGE_ENGINE_LOG]) : 0;
	struct stat st;

	if (c->log_path != NULL && (bytes > 0 || !only_full) && lstat(c->log_path, &st) == 0 &&
	    S_ISREG(st.st_mode)) {
		rc->engine_log = xstrdup(c->log_path);
		rc->engine_log_bytes = bytes;
	}
	if (inventory_json_log_unbounded(c))
		rc->hint = xstrdup(no_max_size_hint);
}

/* What takes the space, from the one accounting (usage_collect): the running
 * containers with a role it opened, then the others whose engine log holds
 * bytes (containers rotd does not look after can still fill the engine's folder). */
static void gather_consumers(struct remedy *r, const struct rotd_config *cfg, time_t now)
{
	struct usage u;

	usage_collect(NULL, cfg, r->inv, now, &u);
	for (size_t i = 0; i < u.errors.n; i++)
		log_info("what takes the space: %s", u.errors.v[i]);
	r->consumers = xcalloc(r->inv->n + 1, sizeof(*r->consumers));
	for (size_t k = 0; k < r->n_ctrs; k++) {
		const struct container *c = r->ctrs[k].ctr;
		const struct usage_container *uc = usage_container_of(&u, c->name);
		struct remedy_consumer *rc = &r->consumers[r->n_consumers++];

		rc->container = xstrdup(c->name);
		rc->role = c->role->name;
		if (uc != NULL) {
			rc->live_logs = known(uc->bytes[USAGE_LIVE_LOGS]);
			rc->archives = known(uc->bytes[USAGE_ARCHIVES]);
		}
		rc->media = media_bytes(r, &u, k);
		add_consumer_log(rc, c, uc, 0);
	}
	for (size_t i = 0; i < r->inv->n; i++) {
		const struct container *c = &r->inv->v[i];
		const struct usage_container *uc = usage_container_of(&u, c->name);
		struct remedy_consumer *rc;

		if (c->state == CTR_RUNNING || uc == NULL || known(uc->bytes[USAGE_ENGINE_LOG]) == 0)
			continue;
		rc = &r->consumers[r->n_consumers];
		add_consumer_log(rc, c, uc, 1);
		if (rc->engine_log == NULL) {
			free(rc->hint);
			rc->hint = NULL;
			continue;
		}
		rc->container = xstrdup(c->name);
		rc->role = c->role != NULL ? c->role->name : NULL;
		r->n_consumers++;
	}
	usage_free(&u);
	if (r->n_consumers > 1)
		qsort(r->consumers, r->n_consumers, sizeof(*r->consumers), by_total_desc);
}

void remedy_finish(struct remedy *r, const struct rotd_config *cfg, const char *socket, const struct pass *p,
		   time_t now)
{
	int64_t freed = measure_again(r);

	if (!r->needed) {
		r->reached_low = 1;
		return;
	}
	if (r->dry_run) {
		estimate(r, cfg, p, now);
	} else {
		add_step(r, freed, "rotation and archives beyond keep, max-age and max-size");
		if (!all_under_low(r) && !shutdown_requested())
			run_cleanup(r, cfg, socket, now);
		if (!all_under_low(r) && !shutdown_requested())
			run_media(r, cfg, now);
		if (!all_under_low(r) && !shutdown_requested())
			drop_archives(r, cfg, p, now);
	}
	r->reached_low = all_under_low(r);
	if (!r->reached_low)
		gather_consumers(r, cfg, now);
}

int remedy_remember(struct remedy_memory *m, const struct remedy *r, time_t now)
{
	int first = 0;

	if (r->n_cleanup > 0 && !r->dry_run)
		m->cleanup_at = now;
	for (size_t i = 0; i < r->n_fs; i++) {
		const struct remedy_fs *f = &r->fs[i];
		struct remedy_recall *rc = (struct remedy_recall *)recall_of(m, f->name.dev);
		unsigned pct = fsusage_pct(&f->after);

		if (pct <= r->low) {
			if (rc != NULL)
				*rc = m->v[--m->n];
			continue;
		}
		/* Only an emergency pass that ran and fell short starts or renews a
		 * backoff; a check that found nothing above its threshold does not. */
		if (!f->target || !r->needed || r->dry_run)
			continue;
		if (rc == NULL) {
			m->v = xreallocarray(m->v, m->n + 1, sizeof(*m->v));
			rc = &m->v[m->n++];
			memset(rc, 0, sizeof(*rc));
			rc->dev = f->name.dev;
		}
		rc->pct = pct;
		rc->at = now;
		if (!rc->told)
			first = 1;
		rc->told = 1;
	}
	return first;
}

void remedy_memory_free(struct remedy_memory *m)
{
	free(m->v);
	memset(m, 0, sizeof(*m));
}

void remedy_free(struct remedy *r)
{
	for (size_t i = 0; i < r->n_fs; i++) {
		free(r->fs[i].label);
		fsname_free(&r->fs[i].name);
		close(r->fs[i].fd);
	}
	free(r->fs);
	for (size_t i = 0; i < r->n_volumes; i++) {
		free(r->volumes[i].key);
		strlist_free(&r->volumes[i].containers);
	}
	free(r->volumes);
	for (size_t i = 0; i < r->n_dropped; i++) {
		free(r->dropped[i].container);
		free(r->dropped[i].path);
	}
	free(r->dropped);
	free(r->cleanup_skipped);
	for (size_t i = 0; i < r->n_steps; i++) {
		free(r->steps[i].what);
		free(r->steps[i].note);
	}
	free(r->steps);
	for (size_t i = 0; i < r->n_cleanup; i++)
		cleanup_task_free(&r->cleanup[i]);
	free(r->cleanup);
	media_result_free(&r->media);
	for (size_t i = 0; i < r->n_consumers; i++) {
		free(r->consumers[i].container);
		free(r->consumers[i].engine_log);
		free(r->consumers[i].hint);
	}
	free(r->consumers);
	strlist_free(&r->errors);
	for (size_t k = 0; k < r->n_ctrs; k++)
		ctrfs_close(r->ctrs[k].fs);
	free(r->ctrs);
	memset(r, 0, sizeof(*r));
}
