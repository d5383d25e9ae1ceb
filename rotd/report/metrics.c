#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/atomicfile.h"
#include "report/metrics.h"
#include "lib/path.h"
#include "lib/xalloc.h"

/* A series is a tuple of label values (at most two) and its numbers. */
struct series {
	char *l1, *l2;
	uint64_t a, b, c, d;     /* family-dependent, see the users */
	int64_t g;               /* a signed gauge */
};

struct series_set {
	struct series *v;
	size_t n, cap;
};

/* One sample of rotd_container_bytes. */
struct usage_sample {
	char *container, *role;
	const char *kind;        /* usage_kind_name(): static */
	uint64_t bytes;
};

/* The usage gauges as one refresh left them, replaced whole. */
struct usage_gauges {
	int have;                       /* a refresh measured */
	time_t at;
	struct usage_sample *ctr;       /* sorted by container, role, kind */
	size_t n_ctr;
	struct series_set volumes;      /* volume: a bytes */
	struct series_set fs;           /* mount: a used, b used + available */
};

/* Where the refresh thread leaves the usage gauges for the renderer. */
struct usage_slot {
	pthread_mutex_t lock;
	struct usage_gauges gauges;     /* guarded by lock */
};

static const char *const base_kinds[] = { "engine", "container", "file", "prune", "cleanup", "media",
					  "gc", "state", "config", "metrics" };

struct metrics {
	time_t started;
	uint64_t passes;
	int have_pass;
	time_t last_start;
	int last_success;
	double last_seconds;
	struct series_set containers;   /* role, state: a = count */
	struct series_set files;        /* container, role: a rotated bytes, b written, c pruned, d freed */
	struct series_set cleanup;      /* container: g exit code, a last run */
	struct series_set media;        /* volume: a files, b bytes */
	struct series_set errors;       /* kind: a count */
	struct series_set remedies;     /* trigger: a runs, b bytes freed */
	int have_remedy;
	time_t remedy_at;
	int remedy_reached_low;
	int have_fs;                    /* the filesystems gauges, once a pass measured */
	uint64_t fs_measured, fs_above_low, fs_short;
	char *mode;                     /* the mode label, or NULL */
	struct usage_slot *usage;       /* the one part another thread writes */
};

static struct series *series_get(struct series_set *s, const char *l1, const char *l2)
{
	struct series *e;

	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i].l1, l1) == 0 && (l2 == NULL || strcmp(s->v[i].l2, l2) == 0))
			return &s->v[i];
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 8;
		s->v = xreallocarray(s->v, s->cap, sizeof(*s->v));
	}
	e = &s->v[s->n++];
	memset(e, 0, sizeof(*e));
	e->l1 = xstrdup(l1);
	e->l2 = xstrdup(l2);
	return e;
}

static void series_clear(struct series_set *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].l1);
		free(s->v[i].l2);
	}
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}

struct metrics *metrics_new(time_t started)
{
	struct metrics *m = xcalloc(1, sizeof(*m));

	m->started = started;
	m->usage = xcalloc(1, sizeof(*m->usage));
	pthread_mutex_init(&m->usage->lock, NULL);
	for (size_t i = 0; i < sizeof(base_kinds) / sizeof(base_kinds[0]); i++)
		series_get(&m->errors, base_kinds[i], NULL);
	return m;
}

static void usage_gauges_clear(struct usage_gauges *g)
{
	for (size_t i = 0; i < g->n_ctr; i++) {
		free(g->ctr[i].container);
		free(g->ctr[i].role);
	}
	free(g->ctr);
	series_clear(&g->volumes);
	series_clear(&g->fs);
	memset(g, 0, sizeof(*g));
}

void metrics_free(struct metrics *m)
{
	if (m == NULL)
		return;
	usage_gauges_clear(&m->usage->gauges);
	pthread_mutex_destroy(&m->usage->lock);
	free(m->usage);
	series_clear(&m->containers);
	series_clear(&m->files);
	series_clear(&m->cleanup);
	series_clear(&m->media);
	series_clear(&m->errors);
	series_clear(&m->remedies);
	free(m->mode);
	free(m);
}

void metrics_set_mode(struct metrics *m, const char *mode)
{
	free(m->mode);
	m->mode = mode != NULL ? xstrdup(mode) : NULL;
}

static void add_errors(struct metrics *m, const char *kind, uint64_t n)
{
	series_get(&m->errors, kind, NULL)->a += n;
}

void metrics_count_error(struct metrics *m, const char *kind)
{
	add_errors(m, kind, 1);
}

/* One container's rotations. Only containers rotd works on (running with a role)
 * get series, so they appear at 0 from their first pass. Container errors are
 * those the JSON report lists under "errors": pass_container.errors, scan errors,
 * and a container that could not be inspected. freed_bytes is clamped at 0 per
 * container and pass so the counter never goes down (an archive can in theory be
 * larger than what its source shrank by). */
static void record_container(struct metrics *m, const struct pass_container *pc)
{
	const struct container *c = pc->ctr;
	uint64_t shrunk = 0, added = 0;
	struct series *s;

	add_errors(m, "container", pc->errors.n + (pc->scanned ? pc->scan.errors.n : 0) +
					   (c->state == CTR_FAILED ? 1 : 0));
	if (c->state != CTR_RUNNING || c->role == NULL)
		return;
	s = series_get(&m->files, c->name, c->role->name);
	for (size_t i = 0; pc->outcomes != NULL && i < pc->plan.n; i++) {
		const struct rotate_outcome *o = &pc->outcomes[i];

		switch (pc->plan.v[i].kind) {
		case ACTION_ROTATE:
		case ACTION_ARCHIVE_IDLE:
			if (o->error)
				add_errors(m, "file", 1);
			if (o->done) {
				s->a += o->archived;
				if (o->archive != NULL)
					s->b++;
				if (o->size_before > o->size_after)
					shrunk += o->size_before - o->size_after;
				added += o->compressed;
			}
			break;
		case ACTION_PRUNE:
			if (o->error)
				add_errors(m, "prune", 1);
			break;
		case ACTION_SKIP:
			break;
		}
		/* Prunes are counted in the PRUNE actions' own outcomes (see apply.c);
		 * summing over every outcome does not depend on that. */
		s->c += o->pruned;
		shrunk += o->pruned_bytes;
	}
	if (shrunk > added)
		s->d += shrunk - added;
}

/* A cleanup that was due (JOB_RUN) and whose command is present was attempted;
 * its timestamp is the pass's start, and its exit code -1 when it errored or
 * timed out. */
static void record_jobs(struct metrics *m, const struct jobs *j, time_t started)
{
	for (size_t i = 0; i < j->n_cleanup; i++) {
		const struct cleanup_task *t = &j->cleanup[i];
		struct series *s;

		if (j->cleanup_skip[i] != JOB_RUN || !t->present)
			continue;
		if (cleanup_failed(t))
			add_errors(m, "cleanup", 1);
		s = series_get(&m->cleanup, t->container, NULL);
		s->g = t->error != NULL || t->timed_out ? -1 : t->exit_code;
		s->a = started > 0 ? (uint64_t)started : 0;
	}
	for (size_t i = 0; i < j->n_media; i++) {
		const struct media_job *mj = &j->media[i];
		struct series *s;

		if (mj->skip != JOB_RUN || !mj->ran)
			continue;
		s = series_get(&m->media, mj->key, NULL);
		s->a += mj->result.files;
		s->b += mj->result.bytes;
		add_errors(m, "media", mj->result.n_errors);
	}
	if (j->gc_error != NULL)
		add_errors(m, "gc", 1);
	if (j->state_error != NULL)
		add_errors(m, "state", 1);
}

void metrics_record_pass(struct metrics *m, const struct pass *p, const struct jobs *j, time_t started,
			 double seconds, int exit_code)
{
	if (p->dry_run || (j != NULL && j->dry_run))
		return;
	m->passes++;
	m->have_pass = 1;
	m->last_start = started;
	m->last_success = exit_code == 0;
	m->last_seconds = seconds > 0 ? seconds : 0;
	for (size_t i = 0; i < p->n; i++)
		record_container(m, &p->v[i]);
	if (j != NULL)
		record_jobs(m, j, started);
}

void metrics_set_inventory(struct metrics *m, const struct inventory *inv)
{
	series_clear(&m->containers);
	for (size_t i = 0; i < inv->n; i++) {
		const struct container *c = &inv->v[i];

		series_get(&m->containers, c->role ? c->role->name : INVENTORY_ROLE_NONE,
			   inventory_state_name(c->state))->a++;
	}
}

/* ---- usage ---------------------------------------------------------------- */

static int cmp_usage_sample(const void *pa, const void *pb)
{
	const struct usage_sample *a = pa, *b = pb;
	int r = strcmp(a->container, b->container);

	if (r == 0)
		r = strcmp(a->role, b->role);
	return r != 0 ? r : strcmp(a->kind, b->kind);
}

/* g from u; a figure u could not measure has no sample. */
static void usage_gauges_build(struct usage_gauges *g, const struct usage *u)
{
	memset(g, 0, sizeof(*g));
	g->have = 1;
	g->at = u->at;
	g->ctr = xcalloc(u->n_containers * USAGE_KINDS + 1, sizeof(*g->ctr));
	for (size_t i = 0; i < u->n_containers; i++) {
		const struct usage_container *c = &u->containers[i];

		for (int k = 0; k < USAGE_KINDS; k++) {
			struct usage_sample *s;

			if (c->bytes[k] == USAGE_UNKNOWN)
				continue;
			s = &g->ctr[g->n_ctr++];
			s->container = xstrdup(c->name);
			s->role = xstrdup(c->role != NULL ? c->role : INVENTORY_ROLE_NONE);
			s->kind = usage_kind_name((enum usage_kind)k);
			s->bytes = c->bytes[k];
		}
	}
	if (g->n_ctr > 0)
		qsort(g->ctr, g->n_ctr, sizeof(*g->ctr), cmp_usage_sample);
	for (size_t i = 0; i < u->n_volumes; i++)
		series_get(&g->volumes, u->volumes[i].key, NULL)->a = u->volumes[i].bytes;
	for (size_t i = 0; i < u->n_fs; i++) {
		const struct usage_fs *f = &u->fs[i];
		struct series *s;

		/* Two entries of one mount point would make a duplicate series: the first wins. */
		if (!f->measured || f->name.mount == NULL || f->use.used + f->use.avail == 0)
			continue;
		s = series_get(&g->fs, f->name.mount, NULL);
		if (s->b != 0)
			continue;
		s->a = f->use.used;
		s->b = f->use.used + f->use.avail;
	}
}

void metrics_set_usage(struct metrics *m, const struct usage *u)
{
	struct usage_gauges fresh, old;

	usage_gauges_build(&fresh, u);
	pthread_mutex_lock(&m->usage->lock);
	old = m->usage->gauges;
	m->usage->gauges = fresh;
	pthread_mutex_unlock(&m->usage->lock);
	usage_gauges_clear(&old);
}

/* ---- rendering ------------------------------------------------------------ */

static int cmp_str(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int cmp_series(const void *pa, const void *pb)
{
	const struct series *a = pa, *b = pb;
	int r = cmp_str(a->l1, b->l1);

	return r != 0 ? r : cmp_str(a->l2, b->l2);
}

/* A sorted shallow copy, so rendering leaves m untouched. */
static struct series *sorted(const struct series_set *s)
{
	struct series *v = xcalloc(s->n + 1, sizeof(*v));

	if (s->n > 0) {
		memcpy(v, s->v, s->n * sizeof(*v));
		qsort(v, s->n, sizeof(*v), cmp_series);
	}
	return v;
}

static void put_escaped(FILE *f, const char *s)
{
	for (; s != NULL && *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '"')
			fputs("\\\"", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

static void put_head(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* The mode label metrics_render puts first on every sample, or NULL. */
static __thread const char *mode_label;

static void put_plain(FILE *f, const char *name, const char *value)
{
	if (mode_label != NULL) {
		fprintf(f, "%s{mode=\"", name);
		put_escaped(f, mode_label);
		fprintf(f, "\"} %s\n", value);
		return;
	}
	fprintf(f, "%s %s\n", name, value);
}

/* name{k1="v1",...} value: n label pairs, after the mode label. */
static void put_labels(FILE *f, const char *name, const char *const (*kv)[2], size_t n, const char *value)
{
	fprintf(f, "%s{", name);
	if (mode_label != NULL) {
		fputs("mode=\"", f);
		put_escaped(f, mode_label);
		fputs(n > 0 ? "\"," : "\"", f);
	}
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%s=\"", kv[i][0]);
		put_escaped(f, kv[i][1]);
		fputs(i + 1 < n ? "\"," : "\"", f);
	}
	fprintf(f, "} %s\n", value);
}

/* name{k1="v1",k2="v2"} value; k2 may be NULL. */
static void put_sample(FILE *f, const char *name, const char *k1, const char *v1, const char *k2,
		       const char *v2, const char *value)
{
	const char *const kv[2][2] = { { k1, v1 }, { k2, v2 } };

	put_labels(f, name, kv, k2 != NULL ? 2 : 1, value);
}

static const char *u64(char *buf, size_t len, uint64_t v)
{
	snprintf(buf, len, "%" PRIu64, v);
	return buf;
}

enum field { F_A, F_B, F_C, F_D, F_G };

static uint64_t field_u(const struct series *s, enum field f)
{
	switch (f) {
	case F_A:
		return s->a;
	case F_B:
		return s->b;
	case F_C:
		return s->c;
	case F_D:
		return s->d;
	case F_G:
		break;
	}
	return 0;
}

/* A family over a series set: HELP, TYPE, then its sorted series. */
static void put_family(FILE *b, const struct series_set *set, const char *name, const char *type,
		       const char *help, const char *k1, const char *k2, enum field f)
{
	struct series *v = sorted(set);
	char num[32];

	put_head(b, name, type, help);
	for (size_t i = 0; i < set->n; i++) {
		if (f == F_G)
			snprintf(num, sizeof(num), "%" PRId64, v[i].g);
		else
			u64(num, sizeof(num), field_u(&v[i], f));
		put_sample(b, name, k1, v[i].l1, k2, v[i].l2, num);
	}
	free(v);
}

void metrics_record_remedy(struct metrics *m, const struct remedy *r, time_t at)
{
	struct series *e;
	int64_t freed;

	if (r->dry_run || !r->needed)
		return;
	e = series_get(&m->remedies, remedy_trigger_name(r->trigger), NULL);
	freed = remedy_freed(r);
	e->a++;
	e->b += freed > 0 ? (uint64_t)freed : 0;
	m->have_remedy = 1;
	m->remedy_at = at;
	m->remedy_reached_low = r->reached_low;
}

void metrics_record_filesystems(struct metrics *m, const struct remedy *r, const struct remedy_memory *memory)
{
	if (r->dry_run)
		return;
	m->have_fs = 1;
	m->fs_measured = r->n_fs;
	m->fs_above_low = 0;
	m->fs_short = 0;
	for (size_t i = 0; i < r->n_fs; i++) {
		const struct remedy_fs *f = &r->fs[i];
		int short_of_low = 0;

		if (fsusage_pct(&f->after) <= r->low)
			continue;
		m->fs_above_low++;
		if (memory == NULL) {
			short_of_low = f->target;
		} else {
			for (size_t k = 0; k < memory->n && !short_of_low; k++)
				short_of_low = memory->v[k].dev == f->name.dev;
		}
		m->fs_short += short_of_low != 0;
	}
}

/* The usage families; with the usage slot's lock held. */
static void put_usage(FILE *b, const struct usage_gauges *g)
{
	struct series *v;
	char num[64];

	put_head(b, "rotd_container_bytes", "gauge",
		 "Bytes a container takes, by kind (live_logs, archives, engine_log, writable_layer), "
		 "at the last usage refresh.");
	for (size_t i = 0; i < g->n_ctr; i++) {
		const struct usage_sample *s = &g->ctr[i];
		const char *const kv[3][2] = {
			{ "container", s->container }, { "role", s->role }, { "kind", s->kind }
		};

		put_labels(b, "rotd_container_bytes", kv, 3, u64(num, sizeof(num), s->bytes));
	}
	put_family(b, &g->volumes, "rotd_volume_bytes", "gauge",
		   "Bytes under the media root of a volume (or bind), at the last usage refresh.", "volume", NULL,
		   F_A);
	put_head(b, "rotd_filesystem_used_ratio", "gauge",
		 "Used share of a filesystem holding container data, volumes or logs: used / (used + available), "
		 "as df's Use%, at the last usage refresh.");
	v = sorted(&g->fs);
	for (size_t i = 0; i < g->fs.n; i++) {
		snprintf(num, sizeof(num), "%.6f", (double)v[i].a / (double)v[i].b);
		put_sample(b, "rotd_filesystem_used_ratio", "mount", v[i].l1, NULL, NULL, num);
	}
	free(v);
	put_head(b, "rotd_usage_refreshed_timestamp_seconds", "gauge",
		 "When the last usage refresh measured, in seconds since the epoch.");
	if (g->have)
		put_plain(b, "rotd_usage_refreshed_timestamp_seconds",
			  u64(num, sizeof(num), g->at > 0 ? (uint64_t)g->at : 0));
}

char *metrics_render(const struct metrics *m)
{
	char num[64], *text = NULL;
	size_t len = 0;
	FILE *b = open_memstream(&text, &len);

	if (b == NULL)
		abort();
	mode_label = m->mode;
	put_head(b, "rotd_build_info", "gauge", "rotd's version; always 1.");
	put_sample(b, "rotd_build_info", "version", PACKAGE_VERSION, NULL, NULL, "1");
	put_head(b, "rotd_start_time_seconds", "gauge", "When rotd started, in seconds since the epoch.");
	put_plain(b, "rotd_start_time_seconds", u64(num, sizeof(num), m->started > 0 ? (uint64_t)m->started : 0));
	put_head(b, "rotd_passes_total", "counter", "Passes completed (dry runs excluded).");
	put_plain(b, "rotd_passes_total", u64(num, sizeof(num), m->passes));
	put_head(b, "rotd_last_pass_timestamp_seconds", "gauge",
		 "When the last pass started, in seconds since the epoch.");
	if (m->have_pass)
		put_plain(b, "rotd_last_pass_timestamp_seconds",
			  u64(num, sizeof(num), m->last_start > 0 ? (uint64_t)m->last_start : 0));
	put_head(b, "rotd_last_pass_success", "gauge", "1 when the last pass ended with exit code 0, else 0.");
	if (m->have_pass)
		put_plain(b, "rotd_last_pass_success", m->last_success ? "1" : "0");
	put_head(b, "rotd_last_pass_duration_seconds", "gauge", "How long the last pass took.");
	if (m->have_pass) {
		snprintf(num, sizeof(num), "%.3f", m->last_seconds);
		put_plain(b, "rotd_last_pass_duration_seconds", num);
	}
	put_family(b, &m->containers, "rotd_containers", "gauge", "Containers on the host by role and state.",
		   "role", "state", F_A);
	put_family(b, &m->files, "rotd_rotated_bytes_total", "counter", "Source log bytes archived.",
		   "container", "role", F_A);
	put_family(b, &m->files, "rotd_archives_written_total", "counter", "Archives written.", "container",
		   "role", F_B);
	put_family(b, &m->files, "rotd_archives_pruned_total", "counter", "Archives removed beyond keep.",
		   "container", "role", F_C);
	put_family(b, &m->files, "rotd_freed_bytes_total", "counter",
		   "Bytes freed: live logs shrunk plus archives pruned minus archives written.", "container",
		   "role", F_D);
	put_family(b, &m->cleanup, "rotd_cleanup_exit_code", "gauge",
		   "Exit code of the last cleanup run (-1: timed out or could not run).", "container", NULL, F_G);
	put_family(b, &m->cleanup, "rotd_cleanup_last_run_timestamp_seconds", "gauge",
		   "When the last cleanup ran (its pass's start), in seconds since the epoch.", "container", NULL,
		   F_A);
	put_family(b, &m->media, "rotd_media_pruned_files_total", "counter", "Media files pruned.", "volume",
		   NULL, F_A);
	put_family(b, &m->media, "rotd_media_pruned_bytes_total", "counter", "Bytes of media files pruned.",
		   "volume", NULL, F_B);
	put_family(b, &m->errors, "rotd_errors_total", "counter", "Errors by kind.", "kind", NULL, F_A);
	put_family(b, &m->remedies, "rotd_remediations_total", "counter",
		   "Emergency passes run, by what started them.", "trigger", NULL, F_A);
	put_family(b, &m->remedies, "rotd_remediation_freed_bytes_total", "counter",
		   "Bytes emergency passes freed on the filesystems above low.", "trigger", NULL, F_B);
	put_head(b, "rotd_last_remediation_timestamp_seconds", "gauge",
		 "When the last emergency pass ran, in seconds since the epoch.");
	if (m->have_remedy)
		put_plain(b, "rotd_last_remediation_timestamp_seconds",
			  u64(num, sizeof(num), m->remedy_at > 0 ? (uint64_t)m->remedy_at : 0));
	put_head(b, "rotd_last_remediation_reached_low", "gauge",
		 "1 when the last emergency pass brought every filesystem under the low watermark, else 0.");
	if (m->have_remedy)
		put_plain(b, "rotd_last_remediation_reached_low", m->remedy_reached_low ? "1" : "0");
	put_head(b, "rotd_filesystems_measured", "gauge",
		 "Filesystems holding the containers' logs, archives and media that the last check measured.");
	if (m->have_fs)
		put_plain(b, "rotd_filesystems_measured", u64(num, sizeof(num), m->fs_measured));
	put_head(b, "rotd_filesystems_above_low", "gauge",
		 "Measured filesystems above the low watermark at the last check.");
	if (m->have_fs)
		put_plain(b, "rotd_filesystems_above_low", u64(num, sizeof(num), m->fs_above_low));
	put_head(b, "rotd_filesystems_short_of_low", "gauge",
		 "Measured filesystems an emergency pass left above the low watermark and still above it at the "
		 "last check.");
	if (m->have_fs)
		put_plain(b, "rotd_filesystems_short_of_low", u64(num, sizeof(num), m->fs_short));
	pthread_mutex_lock(&m->usage->lock);
	put_usage(b, &m->usage->gauges);
	pthread_mutex_unlock(&m->usage->lock);
	mode_label = NULL;
	if (fclose(b) != 0 || text == NULL)
		abort();
	return text;
}

/* ---- keeping totals across one-shot runs ---------------------------------- */

static json_t *save_set(const struct series_set *s)
{
	json_t *a = json_array();

	for (size_t i = 0; i < s->n; i++) {
		const struct series *e = &s->v[i];

		json_array_append_new(a, json_pack("{s:s, s:s?, s:I, s:I, s:I, s:I, s:I}", "l1", e->l1, "l2", e->l2,
						   "a", (json_int_t)e->a, "b", (json_int_t)e->b, "c", (json_int_t)e->c,
						   "d", (json_int_t)e->d, "g", (json_int_t)e->g));
	}
	return a;
}

/* A saved number: an integer >= 0 (or any integer for a signed gauge), else 0. */
static uint64_t saved_u(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) && json_integer_value(v) >= 0 ? (uint64_t)json_integer_value(v) : 0;
}

static void restore_set(struct series_set *s, const json_t *a)
{
	size_t i;
	json_t *o;

	if (!json_is_array(a))
		return;
	json_array_foreach(a, i, o) {
		json_t *l1 = json_object_get(o, "l1"), *l2 = json_object_get(o, "l2"), *g = json_object_get(o, "g");
		struct series *e;

		if (!json_is_string(l1) || (l2 != NULL && !json_is_string(l2) && !json_is_null(l2)))
			continue;
		e = series_get(s, json_string_value(l1), json_is_string(l2) ? json_string_value(l2) : NULL);
		e->a = saved_u(o, "a");
		e->b = saved_u(o, "b");
		e->c = saved_u(o, "c");
		e->d = saved_u(o, "d");
		e->g = json_is_integer(g) ? (int64_t)json_integer_value(g) : 0;
	}
}

json_t *metrics_save(const struct metrics *m)
{
	json_t *o = json_object();

	json_object_set_new(o, "passes", json_integer((json_int_t)m->passes));
	json_object_set_new(o, "have_pass", json_integer(m->have_pass));
	json_object_set_new(o, "last_start", json_integer((json_int_t)m->last_start));
	json_object_set_new(o, "last_success", json_integer(m->last_success));
	json_object_set_new(o, "last_ms", json_integer((json_int_t)(m->last_seconds * 1000)));
	json_object_set_new(o, "files", save_set(&m->files));
	json_object_set_new(o, "cleanup", save_set(&m->cleanup));
	json_object_set_new(o, "media", save_set(&m->media));
	json_object_set_new(o, "errors", save_set(&m->errors));
	json_object_set_new(o, "remedies", save_set(&m->remedies));
	json_object_set_new(o, "have_remedy", json_integer(m->have_remedy));
	json_object_set_new(o, "remedy_at", json_integer((json_int_t)m->remedy_at));
	json_object_set_new(o, "remedy_reached_low", json_integer(m->remedy_reached_low));
	return o;
}

void metrics_restore(struct metrics *m, const json_t *saved)
{
	if (!json_is_object(saved))
		return;
	m->passes = saved_u(saved, "passes");
	m->have_pass = saved_u(saved, "have_pass") != 0;
	m->last_start = (time_t)saved_u(saved, "last_start");
	m->last_success = saved_u(saved, "last_success") != 0;
	m->last_seconds = (double)saved_u(saved, "last_ms") / 1000.0;
	restore_set(&m->files, json_object_get(saved, "files"));
	restore_set(&m->cleanup, json_object_get(saved, "cleanup"));
	restore_set(&m->media, json_object_get(saved, "media"));
	restore_set(&m->errors, json_object_get(saved, "errors"));
	restore_set(&m->remedies, json_object_get(saved, "remedies"));
	m->have_remedy = saved_u(saved, "have_remedy") != 0;
	m->remedy_at = (time_t)saved_u(saved, "remedy_at");
	m->remedy_reached_low = saved_u(saved, "remedy_reached_low") != 0;
}

char *metrics_now_path(const char *daemon_path)
{
	size_t n = strlen(daemon_path);

	if (n > 5 && strcmp(daemon_path + n - 5, ".prom") == 0)
		return xasprintf("%.*s-now.prom", (int)(n - 5), daemon_path);
	return xasprintf("%s-now", daemon_path);
}

/* ---- the file --------------------------------------------------------------- */

/* The temp file is hidden and does not end in .prom, so node-exporter's textfile
 * collector never reads a half-written one. */
int metrics_write_file(const char *path, const char *text, char **err)
{
	/* 0644: node-exporter's textfile collector may run as another user. */
	return atomicfile_write(path, text, strlen(text), 0644, 0, "the metrics file", err);
}
