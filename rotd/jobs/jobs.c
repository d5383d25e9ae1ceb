#include "autoconf.h"

#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "jobs/jobs.h"
#include "lib/escape.h"
#include "lib/log.h"
#include "jobs/offpeak.h"
#include "lib/state.h"
#include "lib/units.h"
#include "jobs/waclient.h"
#include "lib/xalloc.h"

static enum job_skip window_skip(const struct jobs *j, const struct state *st, const char *job, const char *subject)
{
	if (!j->respect_window)
		return JOB_RUN;
	if (!j->window_open)
		return JOB_OUTSIDE_WINDOW;
	return state_last(st, job, subject) >= j->window_start ? JOB_DONE_THIS_WINDOW : JOB_RUN;
}

static int role_listed(const struct strlist *roles, const struct role_policy *role)
{
	return role != NULL && strlist_contains(roles, role->name);
}

static void run_cleanup(struct jobs *j, const struct rotd_config *cfg, const struct pass *p, struct state *st,
			time_t now)
{
	struct cleanup_task *todo;
	size_t n_todo = 0, *index;

	j->cleanup = xcalloc(p->n + 1, sizeof(*j->cleanup));
	j->cleanup_skip = xcalloc(p->n + 1, sizeof(*j->cleanup_skip));
	todo = xcalloc(p->n + 1, sizeof(*todo));
	index = xcalloc(p->n + 1, sizeof(*index));
	for (size_t i = 0; i < p->n; i++) {
		const struct pass_container *pc = &p->v[i];
		struct cleanup_task *t;

		if (pc->fs == NULL || !role_listed(&cfg->cleanup.roles, pc->ctr->role))
			continue;
		t = &j->cleanup[j->n_cleanup];
		t->container = pc->ctr->name;
		t->container_id = pc->ctr->id;
		t->fs = pc->fs;
		t->exit_code = -1;
		j->cleanup_skip[j->n_cleanup] = window_skip(j, st, "cleanup", pc->ctr->name);
		if (j->cleanup_skip[j->n_cleanup] == JOB_RUN) {
			todo[n_todo] = *t;
			index[n_todo++] = j->n_cleanup;
		}
		j->n_cleanup++;
	}
	cleanup_run(&cfg->cleanup, p->socket, j->dry_run, todo, n_todo);
	for (size_t k = 0; k < n_todo; k++) {
		struct cleanup_task *t = &j->cleanup[index[k]];

		*t = todo[k];
		if (!j->dry_run && t->present && !cleanup_failed(t))
			state_set(st, "cleanup", t->container, now);
	}
	free(todo);
	free(index);
}

void jobs_media_count(struct media_rule_sum *s, const char *path, uint64_t size, time_t mtime)
{
	if (s->files == 0 || mtime < s->oldest)
		s->oldest = mtime;
	if (s->files == 0 || mtime > s->newest)
		s->newest = mtime;
	s->files++;
	s->bytes += size;
	if (s->paths.n < JOBS_MEDIA_PATHS)
		strlist_add(&s->paths, path);
}

void jobs_media_rule_free(struct media_rule_sum *s)
{
	free(s->name);
	free(s->path);
	strlist_free(&s->paths);
	memset(s, 0, sizeof(*s));
}

/* What the media walk's callback adds to. */
struct media_walk {
	const struct media_job *job;
	struct media_rule_sum *rule;
	int dry_run;
};

static void on_pruned(const char *path, uint64_t size, time_t mtime, void *arg)
{
	struct media_walk *w = arg;

	jobs_media_count(w->rule, path, size, mtime);
	if (log_verbose()) {
		char sz[32], when[32], *shown = escape_text(path);

		log_debug("media %s rule %s: %s %s (%s, modified %s)", w->job->key, w->rule->name,
			  w->dry_run ? "would prune" : "pruned", shown, units_format_size(size, sz, sizeof(sz)),
			  units_format_time(mtime, when, sizeof(when)));
		free(shown);
	}
}

/* Adds what one rule's walk found to the job's total. */
static void add_rule_result(struct media_result *sum, struct media_rule_sum *rs, struct media_result *one)
{
	rs->kept_young = one->kept_young;
	rs->skipped = one->skipped;
	rs->n_errors = one->n_errors;
	media_result_add(sum, one);
	media_result_free(one);
}

/* Prunes the media of job mj through fs, one rule at a time so that each is
 * summed on its own (media_prune walks the rules in turn the same way). */
static void prune_media(struct media_job *mj, const struct ctrfs *fs, const struct rotd_config *cfg, int dry_run,
			time_t now)
{
	mj->rules = xcalloc(cfg->n_media_rules + 1, sizeof(*mj->rules));
	for (size_t r = 0; r < cfg->n_media_rules; r++) {
		const struct media_rule *rule = &cfg->media_rules[r];
		struct media_rule_sum *rs = &mj->rules[mj->n_rules++];
		struct media_walk w = { mj, rs, dry_run };
		struct media_result one;
		int st;

		rs->name = xstrdup(rule->name ? rule->name : rule->path);
		rs->path = xstrdup(rule->path);
		rs->older_than = rule->max_age > cfg->media_floor ? rule->max_age : cfg->media_floor;
		st = media_prune(fs, cfg->media_root, rule, 1, cfg->media_floor, now, dry_run, on_pruned, &w, &one);
		add_rule_result(&mj->result, rs, &one);
		if (st < 0)
			break;   /* the root itself cannot be opened: every rule would say so */
	}
}

static void run_media(struct jobs *j, const struct rotd_config *cfg, const struct pass *p, struct state *st,
		      time_t now)
{
	char b[32];

	if (cfg->media_root == NULL)
		return;
	j->media = xcalloc(p->n + 1, sizeof(*j->media));
	for (size_t i = 0; i < p->n; i++) {
		const struct pass_container *pc = &p->v[i];
		char *key = pc->fs ? inventory_media_key(pc->ctr, cfg->media_root) : NULL;
		struct media_job *mj;
		int seen = 0;

		if (key == NULL)
			continue;
		for (size_t k = 0; k < j->n_media; k++)
			seen |= strcmp(j->media[k].key, key) == 0;
		if (seen) {
			log_debug("media %s was already pruned through another container", key);
			free(key);
			continue;
		}
		mj = &j->media[j->n_media++];
		mj->key = key;
		mj->via = pc->ctr->name;
		mj->skip = window_skip(j, st, "media", key);
		if (mj->skip != JOB_RUN)
			continue;
		mj->ran = 1;
		prune_media(mj, pc->fs, cfg, j->dry_run, now);
		for (size_t e = 0; e < mj->result.errors.n; e++)
			log_errorx("media %s (via %s): %s", key, mj->via, mj->result.errors.v[e]);
		if (mj->result.n_errors > mj->result.errors.n)
			log_errorx("media %s (via %s): and %ju more %s", key, mj->via,
				   (uintmax_t)(mj->result.n_errors - mj->result.errors.n),
				   mj->result.n_errors - mj->result.errors.n == 1 ? "error" : "errors");
		if (j->dry_run)
			log_debug("media %s (via %s): would prune %ju %s (%s)", key, mj->via, (uintmax_t)mj->result.files,
				  mj->result.files == 1 ? "file" : "files", units_format_size(mj->result.bytes, b, sizeof(b)));
		else
			log_info("media %s (via %s): pruned %ju %s (%s)", key, mj->via, (uintmax_t)mj->result.files,
				 mj->result.files == 1 ? "file" : "files", units_format_size(mj->result.bytes, b, sizeof(b)));
		if (!j->dry_run && mj->result.n_errors == 0)
			state_set(st, "media", key, now);
	}
}

static void run_gc(struct jobs *j, const struct rotd_config *cfg, struct state *st, time_t now)
{
	struct waclient_settings s = { cfg->gc.endpoint, cfg->gc.username, cfg->gc.password, cfg->gc.ca_file,
				       cfg->gc.verify_tls, (unsigned)(cfg->gc.timeout * 1000) };
	char **owned = NULL, *err = NULL;
	struct waclient *w;

	j->gc_enabled = cfg->gc.enabled;
	if (!cfg->gc.enabled)
		return;
	if (cfg->gc.env_file != NULL && waclient_read_env_file(cfg->gc.env_file, &s, &owned, &err) < 0) {
		j->gc_error = err;
		goto out;
	}
	if (s.endpoint == NULL || s.username == NULL || s.password == NULL) {
		j->gc_error = xstrdup("gc: endpoint, username and password are needed (config or env-file)");
		goto out;
	}
	j->gc_skip = window_skip(j, st, "gc", s.endpoint);
	if (j->gc_skip != JOB_RUN || j->dry_run)
		goto out;
	j->gc_ran = 1;
	w = waclient_new(&s);
	if (waclient_gc(w, "message", now, &err) < 0 || waclient_gc(w, "media", now, &err) < 0)
		j->gc_error = err;
	else
		state_set(st, "gc", s.endpoint, now);
	waclient_free(w);
out:
	if (j->gc_error)
		log_errorx("%s", j->gc_error);
	for (size_t i = 0; owned && owned[i]; i++)
		free(owned[i]);
	free(owned);
}

void jobs_run(struct jobs *j, const struct rotd_config *cfg, const struct pass *p, int dry_run,
	      int respect_window, time_t now)
{
	struct state *st;

	memset(j, 0, sizeof(*j));
	j->dry_run = dry_run;
	j->respect_window = respect_window;
	j->window_open = offpeak_current(&cfg->offpeak, cfg->timezone, now, &j->window_start);
	st = state_load(cfg->state_file, &j->state_warning);
	if (j->state_warning)
		log_warnx("%s", j->state_warning);
	run_cleanup(j, cfg, p, st, now);
	run_media(j, cfg, p, st, now);
	run_gc(j, cfg, st, now);
	if (!dry_run && state_save(st, cfg->state_file, &j->state_error) < 0)
		log_errorx("%s", j->state_error);
	state_free(st);
}

void jobs_free(struct jobs *j)
{
	for (size_t i = 0; i < j->n_cleanup; i++)
		cleanup_task_free(&j->cleanup[i]);
	free(j->cleanup);
	free(j->cleanup_skip);
	for (size_t i = 0; i < j->n_media; i++) {
		free(j->media[i].key);
		media_result_free(&j->media[i].result);
		for (size_t r = 0; r < j->media[i].n_rules; r++)
			jobs_media_rule_free(&j->media[i].rules[r]);
		free(j->media[i].rules);
	}
	free(j->media);
	free(j->gc_error);
	free(j->state_warning);
	free(j->state_error);
	memset(j, 0, sizeof(*j));
}

int jobs_failed(const struct jobs *j)
{
	for (size_t i = 0; i < j->n_cleanup; i++)
		if (cleanup_failed(&j->cleanup[i]))
			return 1;
	for (size_t i = 0; i < j->n_media; i++)
		if (j->media[i].result.n_errors > 0)
			return 1;
	return j->gc_error != NULL || j->state_error != NULL;
}

const char *jobs_skip_reason(enum job_skip skip)
{
	switch (skip) {
	case JOB_OUTSIDE_WINDOW:
		return "outside the off-peak window";
	case JOB_DONE_THIS_WINDOW:
		return "already done in this window";
	case JOB_RUN:
		break;
	}
	return "";
}
