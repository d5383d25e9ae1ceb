#include "autoconf.h"

#include <jansson.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/escape.h"
#include "lib/exitcode.h"
#include "lib/log.h"
#include "rotate/plan.h"
#include "remedy/remedy.h"
#include "report/report.h"
#include "lib/units.h"
#include "lib/xalloc.h"

/* ---- text ---------------------------------------------------------------- */

static const char *plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* "1 file", "3 files". */
static void print_count(FILE *out, uint64_t n, const char *one, const char *many)
{
	fprintf(out, "%ju %s", (uintmax_t)n, plural(n, one, many));
}

static void print_escaped(FILE *out, const char *s)
{
	char *e = escape_text(s ? s : "-");

	fputs(e, out);
	free(e);
}

static void print_line(FILE *out, const char *prefix, const char *text)
{
	fputs(prefix, out);
	print_escaped(out, text);
	fputc('\n', out);
}

/* The error lines of a list: each message, or, when they were logged, their number. */
static void print_errors(FILE *out, const char *indent, const struct strlist *l, uint64_t total, unsigned flags)
{
	if (total == 0)
		return;
	if (flags & REPORT_ERRORS_LOGGED) {
		fputs(indent, out);
		print_count(out, total, "error", "errors");
		fputs(", logged above\n", out);
		return;
	}
	for (size_t i = 0; i < l->n; i++) {
		fputs(indent, out);
		print_line(out, "error: ", l->v[i]);
	}
	if (total > l->n) {
		fprintf(out, "%sand ", indent);
		print_count(out, total - l->n, "more error", "more errors");
		fputc('\n', out);
	}
}

void report_count_failures(const struct pass *p, const struct jobs *j, struct report_failures *f)
{
	memset(f, 0, sizeof(*f));
	for (size_t i = 0; i < p->n; i++) {
		const struct pass_container *pc = &p->v[i];

		if (pc->ctr->state == CTR_FAILED || pc->errors.n > 0 || (pc->scanned && pc->scan.errors.n > 0))
			f->containers++;
		for (size_t k = 0; pc->outcomes != NULL && k < pc->plan.n; k++)
			if (pc->outcomes[k].error != NULL)
				f->files++;
	}
	if (j == NULL)
		return;
	for (size_t i = 0; i < j->n_cleanup; i++)
		f->jobs += cleanup_failed(&j->cleanup[i]) ? 1 : 0;
	for (size_t i = 0; i < j->n_media; i++)
		f->jobs += j->media[i].result.n_errors > 0 ? 1 : 0;
	f->jobs += (j->gc_error != NULL) + (j->state_error != NULL);
}

static size_t failures_total(const struct report_failures *f)
{
	return f->containers + f->files + f->jobs;
}

/* "2 failures (1 container, 1 file)" */
static void print_failures(FILE *out, const struct report_failures *f)
{
	const char *sep = " (";

	print_count(out, failures_total(f), "failure", "failures");
	if (f->containers > 0) {
		fputs(sep, out);
		print_count(out, f->containers, "container", "containers");
		sep = ", ";
	}
	if (f->files > 0) {
		fputs(sep, out);
		print_count(out, f->files, "file", "files");
		sep = ", ";
	}
	if (f->jobs > 0) {
		fputs(sep, out);
		print_count(out, f->jobs, "off-peak job", "off-peak jobs");
	}
	fputc(')', out);
}

static void print_header(FILE *out, const struct pass *p, const struct jobs *j, const struct remedy *r, int exit_code)
{
	static const char *const states[] = {
		[CTR_RUNNING] = "running with a role", [CTR_STOPPED] = "stopped", [CTR_IGNORED] = "ignored",
		[CTR_VANISHED] = "vanished", [CTR_FAILED] = "failed",
	};
	size_t counts[CTR_FAILED + 1] = { 0 };
	struct report_failures f;
	const char *sep = ": ";

	fprintf(out, "%sengine unix://%s (API %s), config %s\n", p->dry_run ? "dry run: nothing changed. " : "",
		p->socket, p->api_version, p->config_path);
	for (size_t i = 0; i < p->n; i++)
		counts[p->v[i].ctr->state]++;
	print_count(out, p->n, "container", "containers");
	for (size_t s = 0; s <= CTR_FAILED; s++) {
		if (counts[s] == 0)
			continue;
		fprintf(out, "%s%zu %s", sep, counts[s], states[s]);
		sep = ", ";
	}
	fputc('\n', out);
	if (exit_code < 0)
		return;
	report_count_failures(p, j, &f);
	fprintf(out, "exit %d: ", exit_code);
	if (exit_code == EXIT_ROTD_SHORT)
		fputs(r != NULL && r->dry_run ? "a filesystem would stay above low (see remediation)"
					      : "a filesystem is still above low (see remediation)", out);
	if (failures_total(&f) > 0) {
		if (exit_code == EXIT_ROTD_SHORT)
			fputs("; ", out);
		print_failures(out, &f);
	} else if (exit_code != EXIT_ROTD_SHORT) {
		fputs("nothing failed", out);
	}
	fputc('\n', out);
}

static void print_log_file(FILE *out, const struct role_policy *role, const struct log_file *f)
{
	const struct log_policy *pol;
	char size[32];

	if (role == NULL)   /* only containers with a role are scanned */
		return;
	pol = &role->log_policies[f->glob_index];

	fputs("    ", out);
	print_escaped(out, f->path);
	if (f->kind != CTRFS_REGULAR) {
		fprintf(out, "  %s: skipped", ctrfs_kind_name(f->kind));
		if (f->kind == CTRFS_HARDLINKED) {
			fputs(" (", out);
			print_count(out, (uint64_t)f->nlink, "link", "links");
			fputc(')', out);
		}
		fputc('\n', out);
		return;
	}
	fprintf(out, "  %s", units_format_size(f->size, size, sizeof(size)));
	if (f->size > pol->size) {
		char limit[32];

		fprintf(out, "  over %s", units_format_size(pol->size, limit, sizeof(limit)));
	}
	fputc('\n', out);
}

/* "rotate /var/log/whatsapp/web.log (25.0 MiB > 20.0 MiB)" and, after a real pass, what happened. */
static void print_action(FILE *out, const struct action *a, const struct rotate_outcome *o, int dry_run,
			 unsigned flags)
{
	char b1[32], b2[32], b3[32];

	if (a->kind == ACTION_SKIP)
		return;
	fprintf(out, "    %s%s ", dry_run ? "would " : "", plan_action_name(a->kind));
	if (a->kind == ACTION_PRUNE && a->archive == NULL && a->file != NULL) {
		/* keep drops the archive this pass makes of the file */
		fputs("the new archive of ", out);
		print_escaped(out, a->file->path);
	} else {
		print_escaped(out, a->kind == ACTION_PRUNE ? a->archive : a->file->path);
	}
	fputs(" (", out);
	print_escaped(out, a->reason);
	if (a->kind == ACTION_PRUNE && a->group != NULL && (a->file == NULL || strcmp(a->group, a->file->path) != 0)) {
		/* An archive of a pattern, of a log that is gone, or a lone stem. */
		fputs(", for ", out);
		print_escaped(out, a->group);
	}
	fputc(')', out);
	if (o == NULL) {
		fputc('\n', out);
		return;
	}
	if (o->error && (flags & REPORT_ERRORS_LOGGED)) {
		fputs(": FAILED, logged above", out);
	} else if (o->error) {
		fputs(": FAILED: ", out);
		print_escaped(out, o->error);
	} else if (o->note) {
		fputs(": not done: ", out);
		print_escaped(out, o->note);
	} else if (a->kind == ACTION_PRUNE) {
		fputs(o->pruned ? ": removed" : ": already gone", out);
	} else if (o->done) {
		fputs(": archived ", out);
		fputs(units_format_size(o->archived, b1, sizeof(b1)), out);
		fputs(" into ", out);
		print_escaped(out, o->archive);
		fprintf(out, " (%s), %s left", units_format_size(o->compressed, b2, sizeof(b2)),
			units_format_size(o->size_after, b3, sizeof(b3)));
		if (o->fallback) {
			fputs("; collapse unsupported, copied then truncated: ", out);
			print_count(out, o->maybe_lost, "byte", "bytes");
			fputs(" may be lost", out);
		}
	} else {
		fputs(": not done", out);
	}
	fputc('\n', out);
}

static void print_running(FILE *out, const struct pass *p, const struct pass_container *pc, unsigned flags)
{
	const struct container *c = pc->ctr;

	fprintf(out, "  pid %ld", (long)c->pid);
	if (c->project || c->service) {
		fputs(", compose ", out);
		print_escaped(out, c->project);
		fputc('/', out);
		print_escaped(out, c->service);
	}
	fputc('\n', out);
	for (size_t m = 0; m < c->n_mounts; m++) {
		fputs("    mount ", out);
		print_escaped(out, c->mounts[m].name ? c->mounts[m].name : c->mounts[m].source);
		fputs(" -> ", out);
		print_escaped(out, c->mounts[m].destination);
		fputs(" (", out);
		print_escaped(out, c->mounts[m].type ? c->mounts[m].type : "mount");
		fputs(")\n", out);
	}
	if (flags & REPORT_ERRORS_LOGGED)
		/* The container's and its scan's errors, counted once. */
		print_errors(out, "    ", &pc->errors, pc->errors.n + (pc->scanned ? pc->scan.errors.n : 0), flags);
	else
		print_errors(out, "    ", &pc->errors, pc->errors.n, flags);
	for (size_t i = 0; i < pc->recovered.n; i++)
		print_line(out, "    recovered: ", pc->recovered.v[i]);
	if (!pc->scanned)
		return;
	for (size_t i = 0; i < pc->scan.n; i++)
		print_log_file(out, c->role, &pc->scan.files[i]);
	for (size_t i = 0; i < pc->scan.absent.n; i++) {
		fputs("    ", out);
		print_escaped(out, pc->scan.absent.v[i]);
		fputs("  no such directory\n", out);
	}
	if (!(flags & REPORT_ERRORS_LOGGED))
		print_errors(out, "    ", &pc->scan.errors, pc->scan.errors.n, flags);
	for (size_t i = 0; i < pc->plan.n; i++)
		print_action(out, &pc->plan.v[i], pc->outcomes ? &pc->outcomes[i] : NULL, p->dry_run, flags);
}

static void print_container(FILE *out, const struct pass *p, const struct pass_container *pc, unsigned flags)
{
	const struct container *c = pc->ctr;

	fputc('\n', out);
	print_escaped(out, c->name);
	fprintf(out, "  %s  ", c->role ? c->role->name : "-");
	print_escaped(out, c->image);
	fprintf(out, "  %s", inventory_state_name(c->state));
	if (c->state == CTR_FAILED && (flags & REPORT_ERRORS_LOGGED)) {
		fputs(", logged above", out);
	} else if (c->detail) {
		fputs(": ", out);
		print_escaped(out, c->detail);
	}
	fputc('\n', out);
	if (c->state == CTR_RUNNING)
		print_running(out, p, pc, flags);
}

static void print_cleanup(FILE *out, const struct jobs *j, size_t i, unsigned flags)
{
	const struct cleanup_task *t = &j->cleanup[i];

	fputs("  cleanup ", out);
	print_escaped(out, t->container);
	if (j->cleanup_skip[i] != JOB_RUN) {
		fprintf(out, ": skipped, %s\n", jobs_skip_reason(j->cleanup_skip[i]));
		return;
	}
	if (!t->present) {
		fputs(": not present\n", out);
		return;
	}
	if (j->dry_run) {
		fputs(": would run\n", out);
		return;
	}
	if (t->error && (flags & REPORT_ERRORS_LOGGED)) {
		fputs(": FAILED, logged above\n", out);
		return;
	}
	if (t->error)
		print_line(out, ": FAILED: ", t->error);
	else
		fprintf(out, ": %sexit %d in %ld ms\n", t->exit_code != 0 ? "FAILED: " : "", t->exit_code, t->ms);
	/* Its output went to rotd's log line by line as it came. */
	if (cleanup_failed(t) && !(flags & REPORT_ERRORS_LOGGED))
		for (size_t k = 0; k < t->tail.n; k++)
			print_line(out, "    | ", t->tail.v[k]);
}

static void print_media_rule(FILE *out, const struct media_rule_sum *s)
{
	char b[32], t1[32];

	fputs("    rule ", out);
	print_escaped(out, s->name);
	fprintf(out, " (older than %s): ", units_format_duration(s->older_than, b, sizeof(b)));
	if (s->files == 0) {
		fputs("none\n", out);
		return;
	}
	print_count(out, s->files, "file", "files");
	fprintf(out, " (%s), ", units_format_size(s->bytes, b, sizeof(b)));
	if (s->files == 1) {
		fprintf(out, "modified %s\n", units_format_time(s->oldest, t1, sizeof(t1)));
	} else {
		char t2[32];

		fprintf(out, "oldest %s, newest %s\n", units_format_time(s->oldest, t1, sizeof(t1)),
			units_format_time(s->newest, t2, sizeof(t2)));
	}
	for (size_t k = 0; k < s->paths.n && k < REPORT_PATHS_SHOWN; k++)
		print_line(out, "      ", s->paths.v[k]);
	if (s->files > REPORT_PATHS_SHOWN)
		fprintf(out, "      and %ju more (every one with -v; the first %d in --json)\n",
			(uintmax_t)(s->files - REPORT_PATHS_SHOWN), JOBS_MEDIA_PATHS);
}

static void print_media(FILE *out, const struct jobs *j, const struct media_job *m, unsigned flags)
{
	const struct media_result *res = &m->result;
	char b[32];

	fputs("  media ", out);
	print_escaped(out, m->key);
	fputs(" (via ", out);
	print_escaped(out, m->via);
	fputc(')', out);
	if (m->skip != JOB_RUN) {
		fprintf(out, ": skipped, %s\n", jobs_skip_reason(m->skip));
		return;
	}
	fprintf(out, ": %s ", j->dry_run ? "would prune" : "pruned");
	print_count(out, res->files, "file", "files");
	fprintf(out, " (%s)", units_format_size(res->bytes, b, sizeof(b)));
	if (res->dirs > 0) {
		fputs("; ", out);
		print_count(out, res->dirs, "emptied folder", "emptied folders");
		fputs(" removed", out);
	}
	if (res->kept_young > 0) {
		fputs("; ", out);
		print_count(out, res->kept_young, "younger file", "younger files");
		fputs(" kept", out);
	}
	if (res->skipped > 0) {
		fputs("; ", out);
		print_count(out, res->skipped, "entry", "entries");
		fputs(" skipped", out);
	}
	if (res->n_errors > 0) {
		fputs("; ", out);
		print_count(out, res->n_errors, "error", "errors");
		if (flags & REPORT_ERRORS_LOGGED)
			fputs(", logged above", out);
	}
	fputc('\n', out);
	for (size_t r = 0; r < m->n_rules; r++)
		print_media_rule(out, &m->rules[r]);
	if (!(flags & REPORT_ERRORS_LOGGED))
		print_errors(out, "    ", &res->errors, res->n_errors, flags);
}

static void print_jobs(FILE *out, const struct jobs *j, unsigned flags)
{
	fprintf(out, "\noff-peak jobs: window %s%s\n", j->window_open ? "open" : "closed",
		j->respect_window ? "" : " (not respected: rotd --now runs them regardless)");
	for (size_t i = 0; i < j->n_cleanup; i++)
		print_cleanup(out, j, i, flags);
	for (size_t i = 0; i < j->n_media; i++)
		print_media(out, j, &j->media[i], flags);
	if (j->gc_enabled) {
		fputs("  gc: ", out);
		if (j->gc_error && (flags & REPORT_ERRORS_LOGGED))
			fputs("FAILED, logged above\n", out);
		else if (j->gc_error)
			print_line(out, "FAILED: ", j->gc_error);
		else if (j->gc_skip != JOB_RUN)
			fprintf(out, "skipped, %s\n", jobs_skip_reason(j->gc_skip));
		else
			fputs(j->dry_run ? "would call message and media gc\n" : "message and media gc done\n", out);
	}
	if (j->state_warning && (flags & REPORT_ERRORS_LOGGED))
		fputs("  state: a warning, logged above\n", out);
	else if (j->state_warning)
		print_line(out, "  state: ", j->state_warning);
	if (j->state_error && (flags & REPORT_ERRORS_LOGGED))
		fputs("  state: FAILED, logged above\n", out);
	else if (j->state_error)
		print_line(out, "  state: FAILED: ", j->state_error);
}

void report_print_text(FILE *out, const struct pass *p, const struct jobs *j, const struct remedy *r,
		       int exit_code, unsigned flags)
{
	print_header(out, p, j, r, exit_code);
	for (size_t i = 0; i < p->n; i++)
		print_container(out, p, &p->v[i], flags);
	if (j != NULL)
		print_jobs(out, j, flags);
	if (r != NULL)
		report_print_remedy_text(out, r, flags);
}

int report_shares_log(FILE *out)
{
	struct stat a, b;
	int fd = fileno(out);

	if (fd < 0 || fstat(fd, &a) != 0 || fstat(STDERR_FILENO, &b) != 0)
		return 0;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino && a.st_rdev == b.st_rdev;
}

/* ---- JSON ---------------------------------------------------------------- */

static json_t *json_log_file(const struct role_policy *role, const struct log_file *f)
{
	json_t *o = json_object();

	json_object_set_new(o, "path", escape_json_string(f->path));
	json_object_set_new(o, "glob", escape_json_string(f->glob));
	json_object_set_new(o, "type", json_string(ctrfs_kind_name(f->kind)));
	json_object_set_new(o, "size", json_integer((json_int_t)f->size));
	json_object_set_new(o, "mtime", json_integer((json_int_t)f->mtime));
	json_object_set_new(o, "links", json_integer((json_int_t)f->nlink));
	json_object_set_new(o, "rotatable", json_boolean(f->kind == CTRFS_REGULAR));
	json_object_set_new(o, "over_size", json_boolean(f->kind == CTRFS_REGULAR && role != NULL &&
							 f->size > role->log_policies[f->glob_index].size));
	return o;
}

static json_t *json_strlist(const struct strlist *l)
{
	json_t *a = json_array();

	for (size_t i = 0; i < l->n; i++)
		json_array_append_new(a, escape_json_string(l->v[i]));
	return a;
}

static json_t *json_action(const struct action *a, const struct rotate_outcome *o)
{
	json_t *j = json_object();

	json_object_set_new(j, "action", json_string(plan_action_name(a->kind)));
	json_object_set_new(j, "path", a->file ? escape_json_string(a->file->path) : json_null());
	json_object_set_new(j, "archive",
			    escape_json_string(a->kind == ACTION_PRUNE ? a->archive : (o ? o->archive : NULL)));
	json_object_set_new(j, "reason", escape_json_string(a->reason));
	if (a->kind == ACTION_PRUNE) {
		json_object_set_new(j, "group", escape_json_string(a->group));
		json_object_set_new(j, "archive_time", json_integer((json_int_t)a->archive_time));
		json_object_set_new(j, "archive_size", json_integer((json_int_t)a->archive_size));
	}
	if (o == NULL || a->kind == ACTION_SKIP)
		return j;
	json_object_set_new(j, "done", json_boolean(a->kind == ACTION_PRUNE ? o->pruned > 0 : o->done));
	if (a->kind == ACTION_PRUNE) {
		json_object_set_new(j, "bytes_freed", json_integer((json_int_t)o->pruned_bytes));
	} else {
		json_object_set_new(j, "bytes_before", json_integer((json_int_t)o->size_before));
		json_object_set_new(j, "bytes_archived", json_integer((json_int_t)o->archived));
		json_object_set_new(j, "bytes_compressed", json_integer((json_int_t)o->compressed));
		json_object_set_new(j, "bytes_after", json_integer((json_int_t)o->size_after));
		json_object_set_new(j, "fallback", json_boolean(o->fallback));
		json_object_set_new(j, "maybe_lost", json_integer((json_int_t)o->maybe_lost));
	}
	json_object_set_new(j, "note", escape_json_string(o->note));
	json_object_set_new(j, "error", escape_json_string(o->error));
	return j;
}

static json_t *json_container(const struct pass_container *pc)
{
	const struct container *c = pc->ctr;
	json_t *o = json_object(), *mounts = json_array(), *errors = json_strlist(&pc->errors);

	json_object_set_new(o, "name", escape_json_string(c->name));
	json_object_set_new(o, "role", c->role ? json_string(c->role->name) : json_null());
	json_object_set_new(o, "state", json_string(inventory_state_name(c->state)));
	json_object_set_new(o, "detail", escape_json_string(c->detail));
	json_object_set_new(o, "id", escape_json_string(c->id));
	json_object_set_new(o, "image", escape_json_string(c->image));
	json_object_set_new(o, "pid", json_integer(c->pid));
	json_object_set_new(o, "project", escape_json_string(c->project));
	json_object_set_new(o, "service", escape_json_string(c->service));
	for (size_t m = 0; m < c->n_mounts; m++) {
		json_t *mo = json_object();

		json_object_set_new(mo, "type", escape_json_string(c->mounts[m].type));
		json_object_set_new(mo, "name", escape_json_string(c->mounts[m].name));
		json_object_set_new(mo, "source", escape_json_string(c->mounts[m].source));
		json_object_set_new(mo, "destination", escape_json_string(c->mounts[m].destination));
		json_object_set_new(mo, "rw", json_boolean(c->mounts[m].read_write));
		json_array_append_new(mounts, mo);
	}
	json_object_set_new(o, "mounts", mounts);
	json_object_set_new(o, "recovered", json_strlist(&pc->recovered));
	if (pc->scanned) {
		json_t *logs = json_array(), *actions = json_array();

		for (size_t i = 0; i < pc->scan.n; i++)
			json_array_append_new(logs, json_log_file(c->role, &pc->scan.files[i]));
		json_object_set_new(o, "logs", logs);
		json_object_set_new(o, "absent", json_strlist(&pc->scan.absent));
		for (size_t i = 0; i < pc->scan.errors.n; i++)
			json_array_append_new(errors, escape_json_string(pc->scan.errors.v[i]));
		for (size_t i = 0; i < pc->plan.n; i++)
			json_array_append_new(actions, json_action(&pc->plan.v[i], pc->outcomes ? &pc->outcomes[i] : NULL));
		json_object_set_new(o, "actions", actions);
	}
	if (c->state == CTR_FAILED)
		json_array_append_new(errors, escape_json_string(c->detail));
	json_object_set_new(o, "errors", errors);
	return o;
}

/* Each rule's sum; "paths" holds every file up to the cap, and "paths_capped"
 * says whether more went than it holds. */
static json_t *json_media_rules(const struct media_job *m)
{
	json_t *a = json_array();

	for (size_t r = 0; r < m->n_rules; r++) {
		const struct media_rule_sum *s = &m->rules[r];
		json_t *o = json_object();

		json_object_set_new(o, "name", escape_json_string(s->name));
		json_object_set_new(o, "path", escape_json_string(s->path));
		json_object_set_new(o, "older_than", json_integer((json_int_t)s->older_than));
		json_object_set_new(o, "files", json_integer((json_int_t)s->files));
		json_object_set_new(o, "bytes", json_integer((json_int_t)s->bytes));
		json_object_set_new(o, "kept_young", json_integer((json_int_t)s->kept_young));
		json_object_set_new(o, "skipped_entries", json_integer((json_int_t)s->skipped));
		json_object_set_new(o, "error_count", json_integer((json_int_t)s->n_errors));
		json_object_set_new(o, "oldest_mtime", s->files ? json_integer((json_int_t)s->oldest) : json_null());
		json_object_set_new(o, "newest_mtime", s->files ? json_integer((json_int_t)s->newest) : json_null());
		json_object_set_new(o, "paths", json_strlist(&s->paths));
		json_object_set_new(o, "paths_capped", json_boolean(s->files > s->paths.n));
		json_object_set_new(o, "paths_cap", json_integer(JOBS_MEDIA_PATHS));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *json_jobs(const struct jobs *j)
{
	json_t *o = json_object(), *cl = json_array(), *media = json_array();

	json_object_set_new(o, "window_open", json_boolean(j->window_open));
	json_object_set_new(o, "respect_window", json_boolean(j->respect_window));
	for (size_t i = 0; i < j->n_cleanup; i++) {
		const struct cleanup_task *t = &j->cleanup[i];
		json_t *c = json_object();

		json_object_set_new(c, "container", escape_json_string(t->container));
		json_object_set_new(c, "skipped", j->cleanup_skip[i] ? json_string(jobs_skip_reason(j->cleanup_skip[i]))
								  : json_null());
		json_object_set_new(c, "present", json_boolean(t->present));
		json_object_set_new(c, "ran", json_boolean(t->ran));
		json_object_set_new(c, "exit_code", t->ran ? json_integer(t->exit_code) : json_null());
		json_object_set_new(c, "timed_out", json_boolean(t->timed_out));
		json_object_set_new(c, "error", escape_json_string(t->error));
		json_object_set_new(c, "ms", json_integer(t->ms));
		json_object_set_new(c, "output_tail", json_strlist(&t->tail));
		json_array_append_new(cl, c);
	}
	for (size_t i = 0; i < j->n_media; i++) {
		const struct media_job *m = &j->media[i];
		json_t *mo = json_object();

		json_object_set_new(mo, "key", escape_json_string(m->key));
		json_object_set_new(mo, "via", escape_json_string(m->via));
		json_object_set_new(mo, "skipped", m->skip ? json_string(jobs_skip_reason(m->skip)) : json_null());
		json_object_set_new(mo, "files", json_integer((json_int_t)m->result.files));
		json_object_set_new(mo, "bytes", json_integer((json_int_t)m->result.bytes));
		json_object_set_new(mo, "dirs_removed", json_integer((json_int_t)m->result.dirs));
		json_object_set_new(mo, "kept_young", json_integer((json_int_t)m->result.kept_young));
		json_object_set_new(mo, "skipped_entries", json_integer((json_int_t)m->result.skipped));
		json_object_set_new(mo, "errors", json_strlist(&m->result.errors));
		json_object_set_new(mo, "error_count", json_integer((json_int_t)m->result.n_errors));
		json_object_set_new(mo, "rules", json_media_rules(m));
		json_array_append_new(media, mo);
	}
	json_object_set_new(o, "cleanup", cl);
	json_object_set_new(o, "media", media);
	if (j->gc_enabled) {
		json_t *g = json_object();

		json_object_set_new(g, "skipped", j->gc_skip ? json_string(jobs_skip_reason(j->gc_skip)) : json_null());
		json_object_set_new(g, "ran", json_boolean(j->gc_ran));
		json_object_set_new(g, "error", escape_json_string(j->gc_error));
		json_object_set_new(o, "gc", g);
	}
	json_object_set_new(o, "state_warning", escape_json_string(j->state_warning));
	json_object_set_new(o, "state_error", escape_json_string(j->state_error));
	return o;
}

json_t *report_json(const struct pass *p, const struct jobs *j)
{
	json_t *root = json_object(), *engine = json_object(), *ctrs = json_array();
	struct report_failures f;

	json_object_set_new(engine, "socket", escape_json_string(p->socket));
	json_object_set_new(engine, "api_version", escape_json_string(p->api_version));
	json_object_set_new(root, "engine", engine);
	json_object_set_new(root, "config", escape_json_string(p->config_path));
	json_object_set_new(root, "dry_run", json_boolean(p->dry_run));
	json_object_set_new(root, "time", json_integer((json_int_t)p->now));
	for (size_t i = 0; i < p->n; i++)
		json_array_append_new(ctrs, json_container(&p->v[i]));
	json_object_set_new(root, "containers", ctrs);
	if (j != NULL)
		json_object_set_new(root, "jobs", json_jobs(j));
	report_count_failures(p, j, &f);
	json_object_set_new(root, "failures", json_pack("{s:I, s:I, s:I}", "containers", (json_int_t)f.containers,
							"files", (json_int_t)f.files, "jobs", (json_int_t)f.jobs));
	json_object_set_new(root, "exit_code",
			    json_integer(pass_exit_code(p) == 0 && (j == NULL || !jobs_failed(j)) ? 0 : 1));
	return root;
}

void report_log_pass(const struct pass *p)
{
	char b1[32], b2[32];

	for (size_t i = 0; i < p->n; i++) {
		const struct pass_container *pc = &p->v[i];
		char *name;

		if (pc->outcomes == NULL)
			continue;
		name = escape_text(pc->ctr->name);
		for (size_t k = 0; k < pc->plan.n; k++) {
			const struct action *a = &pc->plan.v[k];
			const struct rotate_outcome *o = &pc->outcomes[k];
			char *path, *archive;

			if (a->kind == ACTION_PRUNE && o->pruned > 0) {
				archive = escape_text(a->archive);
				path = escape_text(a->reason);
				log_info("container %s: pruned %s (%s)", name, archive, path);
				free(archive);
				free(path);
				continue;
			}
			if (a->kind == ACTION_PRUNE || a->kind == ACTION_SKIP || !o->done)
				continue;
			path = escape_text(a->file->path);
			archive = escape_text(o->archive);
			log_info("container %s: %s %s: archived %s into %s (%s)%s", name, plan_action_name(a->kind),
				 path, units_format_size(o->archived, b1, sizeof(b1)), archive,
				 units_format_size(o->compressed, b2, sizeof(b2)),
				 o->fallback ? ", copied then truncated" : "");
			if (o->pruned > 0)
				log_info("container %s: pruned %u old %s of %s", name, o->pruned,
					 plural(o->pruned, "archive", "archives"), path);
			free(path);
			free(archive);
		}
		free(name);
	}
}

char *report_summary(const struct pass *p, const struct jobs *j)
{
	unsigned rotated = 0, containers = 0;
	uint64_t archived = 0;
	struct report_failures f;
	size_t failed;
	char b[32];

	for (size_t i = 0; i < p->n; i++) {
		const struct pass_container *pc = &p->v[i];

		if (pc->fs != NULL)
			containers++;
		for (size_t k = 0; pc->outcomes != NULL && k < pc->plan.n; k++) {
			if (pc->plan.v[k].kind != ACTION_PRUNE && pc->outcomes[k].done) {
				rotated++;
				archived += pc->outcomes[k].archived;
			}
		}
	}
	report_count_failures(p, j, &f);
	failed = failures_total(&f);
	return xasprintf("%u %s, %u %s archived (%s), %zu %s", containers, plural(containers, "container", "containers"),
			 rotated, plural(rotated, "file", "files"), units_format_size(archived, b, sizeof(b)), failed,
			 plural(failed, "failure", "failures"));
}

/* ---- remediation ------------------------------------------------------------ */

/* "91% -> 78% used (12.0 GiB), under low"; in a dry run "91% -> about 78% (would reach low)". */
static void print_fs(FILE *out, const struct remedy *r, const struct remedy_fs *f)
{
	unsigned before = fsusage_pct(&f->before), after = fsusage_pct(&f->after);
	char b[32];

	fputs("  filesystem ", out);
	print_escaped(out, f->label);
	if (r->dry_run && f->target && r->needed)
		fprintf(out, ": %u%% -> about %u%% (%s)", before, after,
			after <= r->low ? "would reach low" : "would stay ABOVE low");
	else if (r->dry_run)
		fprintf(out, ": %u%% used (%s)", before, units_format_size(f->before.used, b, sizeof(b)));
	else
		fprintf(out, ": %u%% -> %u%% used (%s)%s", before, after, units_format_size(f->after.used, b, sizeof(b)),
			!f->target ? "" : after <= r->low ? ", under low" : ", ABOVE low");
	if (f->backing_off)
		fputs("; backing off: an emergency pass left it there and it has not grown", out);
	fputc('\n', out);
}

static void print_step(FILE *out, const struct remedy *r, size_t i)
{
	const struct remedy_step *s = &r->steps[i];
	char b[32];

	fprintf(out, "  step %zu: ", i + 1);
	print_escaped(out, s->what);
	if (r->dry_run) {
		fprintf(out, ": would free about %s", units_format_size(s->freed > 0 ? (uint64_t)s->freed : 0, b, sizeof(b)));
		if (s->note != NULL) {
			fputs(" (", out);
			print_escaped(out, s->note);
			fputc(')', out);
		}
	} else {
		fprintf(out, ": freed %s", s->freed < 0 ? "0 B (usage grew meanwhile)" :
			units_format_size((uint64_t)s->freed, b, sizeof(b)));
	}
	fputc('\n', out);
}

static void print_consumers(FILE *out, const struct remedy *r)
{
	if (r->n_consumers > 0)
		fputs("  what takes the space, largest first:\n", out);
	for (size_t i = 0; i < r->n_consumers; i++) {
		const struct remedy_consumer *u = &r->consumers[i];
		char l[32], a[32], m[32], e[32];

		fputs("    ", out);
		print_escaped(out, u->container);
		fputs(" (", out);
		print_escaped(out, u->role ? u->role : "no role");
		fprintf(out, "): live logs %s, archives %s, media %s, engine log %s",
			units_format_size(u->live_logs, l, sizeof(l)), units_format_size(u->archives, a, sizeof(a)),
			units_format_size(u->media, m, sizeof(m)), units_format_size(u->engine_log_bytes, e, sizeof(e)));
		if (u->engine_log != NULL) {
			fputs(" (", out);
			print_escaped(out, u->engine_log);
			fputc(')', out);
		}
		fputc('\n', out);
		if (u->hint != NULL)
			print_line(out, "      hint: ", u->hint);
	}
}

void report_print_remedy_text(FILE *out, const struct remedy *r, unsigned flags)
{
	int64_t freed = remedy_freed(r);
	char b[32];

	fprintf(out, "\nremediation (%s; high %u%%, low %u%%)%s:\n", remedy_trigger_name(r->trigger), r->high, r->low,
		r->dry_run ? ", dry run: estimates, nothing freed" : "");
	for (size_t i = 0; i < r->n_fs; i++)
		print_fs(out, r, &r->fs[i]);
	if (!r->needed) {
		fprintf(out, "  nothing above %u%%: nothing to do\n", r->trigger == REMEDY_WATERMARK ? r->high : r->low);
		return;
	}
	for (size_t i = 0; i < r->n_steps; i++)
		print_step(out, r, i);
	if (r->cleanup_skipped != NULL)
		print_line(out, "  ", r->cleanup_skipped);
	if (r->n_dropped > 0) {
		fputs("  dropped ", out);
		print_count(out, r->n_dropped, "archive", "archives");
		fprintf(out, " (%s):\n", units_format_size(r->dropped_bytes, b, sizeof(b)));
	}
	for (size_t i = 0; i < r->n_dropped && i < REPORT_PATHS_SHOWN; i++) {
		fputs("    ", out);
		print_escaped(out, r->dropped[i].container);
		fputc(':', out);
		print_escaped(out, r->dropped[i].path);
		fprintf(out, " (%s)\n", units_format_size(r->dropped[i].bytes, b, sizeof(b)));
	}
	if (r->n_dropped > REPORT_PATHS_SHOWN)
		fprintf(out, "    and %zu more (every one in --json)\n", r->n_dropped - REPORT_PATHS_SHOWN);
	print_errors(out, "  ", &r->errors, r->errors.n, flags);
	units_format_size(freed > 0 ? (uint64_t)freed : 0, b, sizeof(b));
	if (r->dry_run)
		fprintf(out, "  would free about %s in all; %s\n", b, r->reached_low ? "every filesystem would reach low" :
			"a filesystem would stay ABOVE low even with everything safe removed");
	else
		fprintf(out, "  freed %s in all; %s\n", b, r->reached_low ? "every filesystem is under low" :
			"STILL ABOVE low: everything safe to remove is gone");
	print_consumers(out, r);
}

static json_t *json_usage(const struct fs_usage *u)
{
	return json_pack("{s:I, s:I, s:I, s:i, s:I, s:I, s:i}", "size", (json_int_t)u->size, "used",
			 (json_int_t)u->used, "avail", (json_int_t)u->avail, "used_pct", (int)u->used_pct, "inodes",
			 (json_int_t)u->inodes, "inodes_used", (json_int_t)u->inodes_used, "inodes_pct",
			 (int)u->inodes_pct);
}

json_t *report_remedy_json(const struct remedy *r)
{
	json_t *o = json_object(), *fss = json_array(), *steps = json_array(), *cons = json_array();
	json_t *vols = json_array(), *dropped = json_array();

	json_object_set_new(o, "trigger", json_string(remedy_trigger_name(r->trigger)));
	json_object_set_new(o, "high_pct", json_integer(r->high));
	json_object_set_new(o, "low_pct", json_integer(r->low));
	json_object_set_new(o, "dry_run", json_boolean(r->dry_run));
	json_object_set_new(o, "needed", json_boolean(r->needed));
	json_object_set_new(o, "reached_low", json_boolean(r->reached_low));
	json_object_set_new(o, "freed", json_integer((json_int_t)remedy_freed(r)));
	for (size_t i = 0; i < r->n_fs; i++) {
		json_t *f = json_object();

		json_object_set_new(f, "label", escape_json_string(r->fs[i].label));
		json_object_set_new(f, "mount", escape_json_string(r->fs[i].name.mount));
		json_object_set_new(f, "device", escape_json_string(r->fs[i].name.device));
		json_object_set_new(f, "fstype", escape_json_string(r->fs[i].name.fstype));
		json_object_set_new(f, "target", json_boolean(r->fs[i].target));
		json_object_set_new(f, "backing_off", json_boolean(r->fs[i].backing_off));
		json_object_set_new(f, "before", json_usage(&r->fs[i].before));
		json_object_set_new(f, "after", json_usage(&r->fs[i].after));
		json_object_set_new(f, "freed", json_integer((json_int_t)r->fs[i].before.used -
							    (json_int_t)r->fs[i].after.used));
		json_array_append_new(fss, f);
	}
	json_object_set_new(o, "filesystems", fss);
	for (size_t i = 0; i < r->n_steps; i++)
		json_array_append_new(steps, json_pack("{s:o, s:I, s:o}", "what", escape_json_string(r->steps[i].what),
						       "freed", (json_int_t)r->steps[i].freed, "note",
						       escape_json_string(r->steps[i].note)));
	json_object_set_new(o, "steps", steps);
	json_object_set_new(o, "media", json_pack("{s:I, s:I, s:I}", "files", (json_int_t)r->media.files, "bytes",
						  (json_int_t)r->media.bytes, "kept_young",
						  (json_int_t)r->media.kept_young));
	for (size_t i = 0; i < r->n_consumers; i++) {
		const struct remedy_consumer *u = &r->consumers[i];

		json_array_append_new(cons, json_pack("{s:o, s:o, s:I, s:I, s:I, s:o, s:I, s:o}", "container",
						      escape_json_string(u->container), "role", escape_json_string(u->role), "live_logs",
						      (json_int_t)u->live_logs, "archives", (json_int_t)u->archives,
						      "media", (json_int_t)u->media, "engine_log", escape_json_string(u->engine_log),
						      "engine_log_bytes", (json_int_t)u->engine_log_bytes, "hint",
						      escape_json_string(u->hint)));
	}
	json_object_set_new(o, "consumers", cons);
	for (size_t i = 0; i < r->n_volumes; i++)
		json_array_append_new(vols, json_pack("{s:o, s:o, s:o}", "key", escape_json_string(r->volumes[i].key), "via",
						      escape_json_string(r->volumes[i].via), "containers",
						      json_strlist(&r->volumes[i].containers)));
	json_object_set_new(o, "volumes", vols);
	for (size_t i = 0; i < r->n_dropped; i++)
		json_array_append_new(dropped, json_pack("{s:o, s:o, s:I}", "container",
							 escape_json_string(r->dropped[i].container), "path",
							 escape_json_string(r->dropped[i].path), "bytes",
							 (json_int_t)r->dropped[i].bytes));
	json_object_set_new(o, "archives_dropped", dropped);
	json_object_set_new(o, "cleanup_skipped", escape_json_string(r->cleanup_skipped));
	json_object_set_new(o, "errors", json_strlist(&r->errors));
	return o;
}
