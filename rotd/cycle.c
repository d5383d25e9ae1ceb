#include "autoconf.h"

#include <string.h>

#include "cycle.h"
#include "lib/exitcode.h"
#include "lib/log.h"
#include "report/report.h"
#include "lib/shutdown.h"

static enum remedy_trigger trigger_of(enum cycle_remedy r)
{
	switch (r) {
	case CYCLE_REMEDY_WATERMARK:
		return REMEDY_WATERMARK;
	case CYCLE_REMEDY_ALERT:
		return REMEDY_ALERT;
	case CYCLE_REMEDY_NONE:
	case CYCLE_REMEDY_MANUAL:
		break;
	}
	return REMEDY_MANUAL;
}

/* The exit-code rules: a failed container, file or job is 1; an emergency pass
 * that could not reach low is 5, and wins over 1. */
static int exit_code_of(const struct cycle *c)
{
	int code = pass_exit_code(&c->pass);

	if (code == EXIT_ROTD_OK && c->ran_jobs && jobs_failed(&c->jobs))
		code = EXIT_ROTD_PARTIAL;
	if (c->ran_remedy && c->remedy.needed && !c->remedy.reached_low)
		code = EXIT_ROTD_SHORT;
	return code;
}

void cycle_run(struct cycle *c, const struct rotd_config *cfg, const struct inventory *inv,
	       const struct cycle_request *req, time_t now)
{
	struct timespec t0, t1;

	memset(c, 0, sizeof(*c));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	c->started = now;
	c->pass.socket = req->socket;
	c->pass.api_version = req->api_version;
	c->pass.config_path = cfg->path;
	if (req->remedy != CYCLE_REMEDY_NONE) {
		remedy_begin(&c->remedy, cfg, inv, trigger_of(req->remedy), req->dry_run, req->memory, now);
		c->ran_remedy = 1;
	}
	pass_run(&c->pass, cfg, inv, req->dry_run, now);
	if (c->ran_remedy) {
		remedy_finish(&c->remedy, cfg, req->socket, &c->pass, now);
		if (req->memory != NULL && !req->dry_run)
			c->remedy_short_first = remedy_remember(req->memory, &c->remedy, now);
	}
	if (req->jobs != CYCLE_JOBS_NONE && shutdown_requested()) {
		log_warnx("stopping on request: the off-peak jobs do not run");
	} else if (req->jobs != CYCLE_JOBS_NONE) {
		jobs_run(&c->jobs, cfg, &c->pass, req->dry_run, req->jobs == CYCLE_JOBS_WINDOW, now);
		c->ran_jobs = 1;
	}
	c->exit_code = exit_code_of(c);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	c->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
}

static int remedy_shown(const struct cycle *c)
{
	return c->ran_remedy && (c->remedy.needed || c->remedy.trigger == REMEDY_MANUAL);
}

json_t *cycle_report_json(const struct cycle *c)
{
	json_t *root = report_json(&c->pass, c->ran_jobs ? &c->jobs : NULL);

	if (remedy_shown(c))
		json_object_set_new(root, "remediation", report_remedy_json(&c->remedy));
	json_object_set_new(root, "exit_code", json_integer(c->exit_code));
	return root;
}

void cycle_print(FILE *out, const struct cycle *c, int json)
{
	json_t *root;

	if (!json) {
		/* Where the log goes to the same place, each error is already there once. */
		report_print_text(out, &c->pass, c->ran_jobs ? &c->jobs : NULL, remedy_shown(c) ? &c->remedy : NULL,
				  c->exit_code, report_shares_log(out) ? REPORT_ERRORS_LOGGED : 0);
		return;
	}
	root = cycle_report_json(c);
	json_dumpf(root, out, JSON_INDENT(2) | JSON_SORT_KEYS);
	fputc('\n', out);
	json_decref(root);
}

char *cycle_summary(const struct cycle *c)
{
	return report_summary(&c->pass, c->ran_jobs ? &c->jobs : NULL);
}

void cycle_record(struct metrics *m, const struct cycle *c)
{
	if (c->pass.dry_run)
		return;
	metrics_record_pass(m, &c->pass, c->ran_jobs ? &c->jobs : NULL, c->started, c->seconds, c->exit_code);
	if (c->ran_remedy) {
		metrics_record_remedy(m, &c->remedy, c->started + (time_t)c->seconds);
		/* remedy_begin kept the daemon's memory (NULL for rotd --now), which
		 * remedy_remember brought up to date at the end of cycle_run. */
		metrics_record_filesystems(m, &c->remedy, c->remedy.memory);
	}
}

void cycle_free(struct cycle *c)
{
	if (c->ran_jobs)
		jobs_free(&c->jobs);
	if (c->ran_remedy)
		remedy_free(&c->remedy);
	pass_free(&c->pass);
	memset(c, 0, sizeof(*c));
}
