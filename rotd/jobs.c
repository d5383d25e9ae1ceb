#include "autoconf.h"

#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "jobs.h"
#include "log.h"
#include "offpeak.h"
#include "report.h"
#include "state.h"
#include "units.h"
#include "waclient.h"
#include "xalloc.h"

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

struct listing_ctx {
	struct media_job *job;
	FILE *out;
};

static void on_pruned(const char *path, uint64_t size, time_t mtime, void *arg)
{
	struct listing_ctx *l = arg;

	(void)mtime;
	if (l->job->sample.n < JOBS_SAMPLE_MAX)
		strlist_add(&l->job->sample, path);
	if (l->out != NULL) {
		char sz[32], *shown = report_escape(path);

		fprintf(l->out, "would prune %s (%s) [%s]\n", shown, units_format_size(size, sz, sizeof(sz)),
			l->job->key);
		free(shown);
	}
}

static void run_media(struct jobs *j, const struct rotd_config *cfg, const struct pass *p, struct state *st,
		      time_t now)
{
	if (cfg->media_root == NULL)
		return;
	j->media = xcalloc(p->n + 1, sizeof(*j->media));
	for (size_t i = 0; i < p->n; i++) {
		const struct pass_container *pc = &p->v[i];
		char *key = pc->fs ? inventory_media_key(pc->ctr, cfg->media_root) : NULL;
		struct listing_ctx l;
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
		l.job = mj;
		l.out = j->dry_run ? j->listing : NULL;
		mj->ran = 1;
		media_prune(pc->fs, cfg->media_root, cfg->media_rules, cfg->n_media_rules, cfg->media_floor, now,
			    j->dry_run, on_pruned, &l, &mj->result);
		for (size_t e = 0; e < mj->result.errors.n; e++)
			log_errorx("media %s (via %s): %s", key, mj->via, mj->result.errors.v[e]);
		if (j->dry_run)
			log_debug("media %s (via %s): would prune %ju files, %ju bytes", key, mj->via,
				  (uintmax_t)mj->result.files, (uintmax_t)mj->result.bytes);
		else
			log_info("media %s (via %s): pruned %ju files, %ju bytes", key, mj->via,
				 (uintmax_t)mj->result.files, (uintmax_t)mj->result.bytes);
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
	      int respect_window, FILE *listing, time_t now)
{
	struct state *st;

	memset(j, 0, sizeof(*j));
	j->dry_run = dry_run;
	j->respect_window = respect_window;
	j->listing = listing;
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
		strlist_free(&j->media[i].sample);
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
