#include "autoconf.h"

#include <jansson.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "exitcode.h"
#include "log.h"
#include "plan.h"
#include "remedy.h"
#include "report.h"
#include "units.h"
#include "xalloc.h"

char *report_escape(const char *s)
{
	size_t len = strlen(s), o = 0;
	char *out = xmalloc(len * 4 + 1);

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\\') {
			out[o++] = '\\';
			out[o++] = '\\';
		} else if (c < 0x20 || c >= 0x7f) {
			o += (size_t)snprintf(out + o, 5, "\\x%02x", c);
		} else {
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
	return out;
}

/* ---- text ---------------------------------------------------------------- */

static void print_escaped(FILE *out, const char *s)
{
	char *e = report_escape(s ? s : "-");

	fputs(e, out);
	free(e);
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
		if (f->kind == CTRFS_HARDLINKED)
			fprintf(out, " (%lu links)", (unsigned long)f->nlink);
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

static void print_line(FILE *out, const char *prefix, const char *text)
{
	fputs(prefix, out);
	print_escaped(out, text);
	fputc('\n', out);
}

/* "rotate /var/log/whatsapp/web.log (25.0 MiB > 20.0 MiB)" and, after a real pass, what happened. */
static void print_action(FILE *out, const struct action *a, const struct rotate_outcome *o, int dry_run)
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
	if (o->error) {
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
		if (o->fallback)
			fprintf(out, "; collapse unsupported, copied then truncated: %ju bytes may be lost",
				(uintmax_t)o->maybe_lost);
	} else {
		fputs(": not done", out);
	}
	fputc('\n', out);
}

static void print_running(FILE *out, const struct pass *p, const struct pass_container *pc)
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
		fprintf(out, " (%s)\n", c->mounts[m].type ? c->mounts[m].type : "mount");
	}
	for (size_t i = 0; i < pc->errors.n; i++)
		print_line(out, "    error: ", pc->errors.v[i]);
	for (size_t i = 0; i < pc->recovered.n; i++)
		print_line(out, "    recovered: ", pc->recovered.v[i]);
	if (!pc->scanned)
		return;
	for (size_t i = 0; i < pc->scan.n; i++)
		print_log_file(out, c->role, &pc->scan.files[i]);
	for (size_t i = 0; i < pc->scan.absent.n; i++)
		fprintf(out, "    %s  no such directory\n", pc->scan.absent.v[i]);
	for (size_t i = 0; i < pc->scan.errors.n; i++)
		print_line(out, "    error: ", pc->scan.errors.v[i]);
	for (size_t i = 0; i < pc->plan.n; i++)
		print_action(out, &pc->plan.v[i], pc->outcomes ? &pc->outcomes[i] : NULL, p->dry_run);
}

static void print_jobs(FILE *out, const struct jobs *j)
{
	char b1[32];

	fprintf(out, "\noff-peak jobs: window %s%s\n", j->window_open ? "open" : "closed",
		j->respect_window ? "" : " (not respected: rotd --now runs them regardless)");
	for (size_t i = 0; i < j->n_cleanup; i++) {
		const struct cleanup_task *t = &j->cleanup[i];

		fputs("  cleanup ", out);
		print_escaped(out, t->container);
		if (j->cleanup_skip[i] != JOB_RUN)
			fprintf(out, ": skipped, %s\n", jobs_skip_reason(j->cleanup_skip[i]));
		else if (!t->present)
			fputs(": not present\n", out);
		else if (j->dry_run)
			fputs(": would run\n", out);
		else if (t->error) {
			fputs(": FAILED: ", out);
			print_escaped(out, t->error);
			fputc('\n', out);
		} else
			fprintf(out, ": exit %d in %ld ms\n", t->exit_code, t->ms);
		if (cleanup_failed(t))
			for (size_t k = 0; k < t->tail.n; k++)
				print_line(out, "    | ", t->tail.v[k]);
	}
	for (size_t i = 0; i < j->n_media; i++) {
		const struct media_job *m = &j->media[i];

		fputs("  media ", out);
		print_escaped(out, m->key);
		fputs(" (via ", out);
		print_escaped(out, m->via);
		fputc(')', out);
		if (m->skip != JOB_RUN) {
			fprintf(out, ": skipped, %s\n", jobs_skip_reason(m->skip));
			continue;
		}
		fprintf(out, ": %s %ju files, %s", j->dry_run ? "would prune" : "pruned", (uintmax_t)m->result.files,
			units_format_size(m->result.bytes, b1, sizeof(b1)));
		fprintf(out, "; %ju emptied folders removed; %ju younger kept; %ju skipped; %ju errors\n",
			(uintmax_t)m->result.dirs, (uintmax_t)m->result.kept_young, (uintmax_t)m->result.skipped,
			(uintmax_t)m->result.n_errors);
		for (size_t e = 0; e < m->result.errors.n; e++)
			print_line(out, "    error: ", m->result.errors.v[e]);
	}
	if (j->gc_enabled) {
		fputs("  gc: ", out);
		if (j->gc_error)
			print_line(out, "FAILED: ", j->gc_error);
		else if (j->gc_skip != JOB_RUN)
			fprintf(out, "skipped, %s\n", jobs_skip_reason(j->gc_skip));
		else
			fputs(j->dry_run ? "would call message and media gc\n" : "message and media gc done\n", out);
	}
	if (j->state_warning)
		print_line(out, "  state: ", j->state_warning);
	if (j->state_error)
		print_line(out, "  state: FAILED: ", j->state_error);
}

void report_print_text(FILE *out, const struct pass *p, const struct jobs *j)
{
	size_t counts[CTR_FAILED + 1] = { 0 };

	for (size_t i = 0; i < p->n; i++)
		counts[p->v[i].ctr->state]++;
	fprintf(out, "%sengine unix://%s (API %s), config %s\n", p->dry_run ? "dry run: nothing changed. " : "",
		p->socket, p->api_version, p->config_path);
	fprintf(out, "%zu containers: %zu running with a role, %zu stopped, %zu ignored, %zu vanished, %zu failed\n",
		p->n, counts[CTR_RUNNING], counts[CTR_STOPPED], counts[CTR_IGNORED], counts[CTR_VANISHED],
		counts[CTR_FAILED]);
	for (size_t i = 0; i < p->n; i++) {
		const struct pass_container *pc = &p->v[i];
		const struct container *c = pc->ctr;

		fputc('\n', out);
		print_escaped(out, c->name);
		fprintf(out, "  %s  ", c->role ? c->role->name : "-");
		print_escaped(out, c->image);
		fprintf(out, "  %s", inventory_state_name(c->state));
		if (c->detail) {
			fputs(": ", out);
			print_escaped(out, c->detail);
		}
		fputc('\n', out);
		if (c->state == CTR_RUNNING)
			print_running(out, p, pc);
	}
	if (j != NULL)
		print_jobs(out, j);
}

/* ---- JSON ---------------------------------------------------------------- */

/* A JSON string for s; invalid UTF-8 is replaced by its escaped form. */
static json_t *jstr(const char *s)
{
	json_t *j;
	char *e;

	if (s == NULL)
		return json_null();
	j = json_string(s);
	if (j != NULL)
		return j;
	e = report_escape(s);
	j = json_string(e);
	free(e);
	return j;
}

static json_t *json_log_file(const struct role_policy *role, const struct log_file *f)
{
	json_t *o = json_object();

	json_object_set_new(o, "path", jstr(f->path));
	json_object_set_new(o, "glob", jstr(f->glob));
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
		json_array_append_new(a, jstr(l->v[i]));
	return a;
}

static json_t *json_action(const struct action *a, const struct rotate_outcome *o)
{
	json_t *j = json_object();

	json_object_set_new(j, "action", json_string(plan_action_name(a->kind)));
	json_object_set_new(j, "path", a->file ? jstr(a->file->path) : json_null());
	json_object_set_new(j, "archive", jstr(a->kind == ACTION_PRUNE ? a->archive : (o ? o->archive : NULL)));
	json_object_set_new(j, "reason", jstr(a->reason));
	if (a->kind == ACTION_PRUNE) {
		json_object_set_new(j, "group", jstr(a->group));
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
	json_object_set_new(j, "note", jstr(o->note));
	json_object_set_new(j, "error", jstr(o->error));
	return j;
}

static json_t *json_container(const struct pass_container *pc)
{
	const struct container *c = pc->ctr;
	json_t *o = json_object(), *mounts = json_array(), *errors = json_strlist(&pc->errors);

	json_object_set_new(o, "name", jstr(c->name));
	json_object_set_new(o, "role", c->role ? json_string(c->role->name) : json_null());
	json_object_set_new(o, "state", json_string(inventory_state_name(c->state)));
	json_object_set_new(o, "detail", jstr(c->detail));
	json_object_set_new(o, "id", jstr(c->id));
	json_object_set_new(o, "image", jstr(c->image));
	json_object_set_new(o, "pid", json_integer(c->pid));
	json_object_set_new(o, "project", jstr(c->project));
	json_object_set_new(o, "service", jstr(c->service));
	for (size_t m = 0; m < c->n_mounts; m++) {
		json_t *mo = json_object();

		json_object_set_new(mo, "type", jstr(c->mounts[m].type));
		json_object_set_new(mo, "name", jstr(c->mounts[m].name));
		json_object_set_new(mo, "source", jstr(c->mounts[m].source));
		json_object_set_new(mo, "destination", jstr(c->mounts[m].destination));
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
			json_array_append_new(errors, jstr(pc->scan.errors.v[i]));
		for (size_t i = 0; i < pc->plan.n; i++)
			json_array_append_new(actions, json_action(&pc->plan.v[i], pc->outcomes ? &pc->outcomes[i] : NULL));
		json_object_set_new(o, "actions", actions);
	}
	if (c->state == CTR_FAILED)
		json_array_append_new(errors, jstr(c->detail));
	json_object_set_new(o, "errors", errors);
	return o;
}

static json_t *json_jobs(const struct jobs *j)
{
	json_t *o = json_object(), *cl = json_array(), *media = json_array();

	json_object_set_new(o, "window_open", json_boolean(j->window_open));
	json_object_set_new(o, "respect_window", json_boolean(j->respect_window));
	for (size_t i = 0; i < j->n_cleanup; i++) {
		const struct cleanup_task *t = &j->cleanup[i];
		json_t *c = json_object();

		json_object_set_new(c, "container", jstr(t->container));
		json_object_set_new(c, "skipped", j->cleanup_skip[i] ? json_string(jobs_skip_reason(j->cleanup_skip[i]))
								  : json_null());
		json_object_set_new(c, "present", json_boolean(t->present));
		json_object_set_new(c, "ran", json_boolean(t->ran));
		json_object_set_new(c, "exit_code", t->ran ? json_integer(t->exit_code) : json_null());
		json_object_set_new(c, "timed_out", json_boolean(t->timed_out));
		json_object_set_new(c, "error", jstr(t->error));
		json_object_set_new(c, "ms", json_integer(t->ms));
		json_object_set_new(c, "output_tail", json_strlist(&t->tail));
		json_array_append_new(cl, c);
	}
	for (size_t i = 0; i < j->n_media; i++) {
		const struct media_job *m = &j->media[i];
		json_t *mo = json_object();

		json_object_set_new(mo, "key", jstr(m->key));
		json_object_set_new(mo, "via", jstr(m->via));
		json_object_set_new(mo, "skipped", m->skip ? json_string(jobs_skip_reason(m->skip)) : json_null());
		json_object_set_new(mo, "files", json_integer((json_int_t)m->result.files));
		json_object_set_new(mo, "bytes", json_integer((json_int_t)m->result.bytes));
		json_object_set_new(mo, "dirs_removed", json_integer((json_int_t)m->result.dirs));
		json_object_set_new(mo, "kept_young", json_integer((json_int_t)m->result.kept_young));
		json_object_set_new(mo, "skipped_entries", json_integer((json_int_t)m->result.skipped));
		json_object_set_new(mo, "errors", json_strlist(&m->result.errors));
		json_object_set_new(mo, "error_count", json_integer((json_int_t)m->result.n_errors));
		if (j->dry_run)
			json_object_set_new(mo, "would_prune_sample", json_strlist(&m->sample));
		json_array_append_new(media, mo);
	}
	json_object_set_new(o, "cleanup", cl);
	json_object_set_new(o, "media", media);
	if (j->gc_enabled) {
		json_t *g = json_object();

		json_object_set_new(g, "skipped", j->gc_skip ? json_string(jobs_skip_reason(j->gc_skip)) : json_null());
		json_object_set_new(g, "ran", json_boolean(j->gc_ran));
		json_object_set_new(g, "error", jstr(j->gc_error));
		json_object_set_new(o, "gc", g);
	}
	json_object_set_new(o, "state_warning", jstr(j->state_warning));
	json_object_set_new(o, "state_error", jstr(j->state_error));
	return o;
}

json_t *report_json(const struct pass *p, const struct jobs *j)
{
	json_t *root = json_object(), *engine = json_object(), *ctrs = json_array();

	json_object_set_new(engine, "socket", jstr(p->socket));
	json_object_set_new(engine, "api_version", jstr(p->api_version));
	json_object_set_new(root, "engine", engine);
	json_object_set_new(root, "config", jstr(p->config_path));
	json_object_set_new(root, "dry_run", json_boolean(p->dry_run));
	json_object_set_new(root, "time", json_integer((json_int_t)p->now));
	for (size_t i = 0; i < p->n; i++)
		json_array_append_new(ctrs, json_container(&p->v[i]));
	json_object_set_new(root, "containers", ctrs);
	if (j != NULL)
		json_object_set_new(root, "jobs", json_jobs(j));
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
		name = report_escape(pc->ctr->name);
		for (size_t k = 0; k < pc->plan.n; k++) {
			const struct action *a = &pc->plan.v[k];
			const struct rotate_outcome *o = &pc->outcomes[k];
			char *path, *archive;

			if (a->kind == ACTION_PRUNE && o->pruned > 0) {
				archive = report_escape(a->archive);
				path = report_escape(a->reason);
				log_info("container %s: pruned %s (%s)", name, archive, path);
				free(archive);
				free(path);
				continue;
			}
			if (a->kind == ACTION_PRUNE || a->kind == ACTION_SKIP || !o->done)
				continue;
			path = report_escape(a->file->path);
			archive = report_escape(o->archive);
			log_info("container %s: %s %s: archived %s into %s (%s)%s", name, plan_action_name(a->kind),
				 path, units_format_size(o->archived, b1, sizeof(b1)), archive,
				 units_format_size(o->compressed, b2, sizeof(b2)),
				 o->fallback ? ", copied then truncated" : "");
			if (o->pruned > 0)
				log_info("container %s: pruned %u old archives of %s", name, o->pruned, path);
			free(path);
			free(archive);
		}
		free(name);
	}
}

char *report_summary(const struct pass *p, const struct jobs *j)
{
	unsigned rotated = 0, errors = 0, containers = 0;
	uint64_t archived = 0;
	char b[32];

	for (size_t i = 0; i < p->n; i++) {
		const struct pass_container *pc = &p->v[i];

		if (pc->fs != NULL)
			containers++;
		errors += (unsigned)pc->errors.n + (pc->scanned ? (unsigned)pc->scan.errors.n : 0);
		for (size_t k = 0; pc->outcomes != NULL && k < pc->plan.n; k++) {
			if (pc->outcomes[k].error != NULL)
				errors++;
			if (pc->plan.v[k].kind != ACTION_PRUNE && pc->outcomes[k].done) {
				rotated++;
				archived += pc->outcomes[k].archived;
			}
		}
	}
	return xasprintf("%u containers, %u files archived (%s), %u errors%s", containers, rotated,
			 units_format_size(archived, b, sizeof(b)), errors,
			 j != NULL && jobs_failed(j) ? ", off-peak jobs failed" : "");
}

static const char *fs_line(const struct remedy *r, const struct remedy_fs *f, char *buf, size_t len)
{
	char used[32];

	snprintf(buf, len, "%u%% used (%s)%s", fsusage_pct(&f->after), units_format_size(f->after.used, used,
		 sizeof(used)), !f->target ? "" : fsusage_pct(&f->after) <= r->low ? ", under low" : ", ABOVE low");
	return buf;
}

void report_print_remedy_text(FILE *out, const struct remedy *r)
{
	char b1[32], b2[64];

	fprintf(out, "remediation (%s; high %u%%, low %u%%)%s:\n", remedy_trigger_name(r->trigger), r->high, r->low,
		r->dry_run ? ", dry run: nothing freed" : "");
	for (size_t i = 0; i < r->n_fs; i++) {
		const struct remedy_fs *f = &r->fs[i];

		fputs("  filesystem ", out);
		print_escaped(out, f->label);
		fprintf(out, ": %u%% -> %s%s\n", fsusage_pct(&f->before), fs_line(r, f, b2, sizeof(b2)),
			f->backing_off ? "; backing off: an emergency pass left it there and it has not grown" : "");
	}
	if (!r->needed) {
		fprintf(out, "  nothing above %u%%: nothing to do\n",
			r->trigger == REMEDY_WATERMARK ? r->high : r->low);
		return;
	}
	for (size_t i = 0; i < r->n_steps; i++) {
		fprintf(out, "  step %zu: ", i + 1);
		print_escaped(out, r->steps[i].what);
		fprintf(out, ": freed %s\n", r->steps[i].freed < 0 ? "0 B (usage grew meanwhile)" :
			units_format_size((uint64_t)r->steps[i].freed, b1, sizeof(b1)));
	}
	if (r->cleanup_skipped != NULL)
		print_line(out, "  ", r->cleanup_skipped);
	for (size_t i = 0; i < r->n_dropped; i++) {
		fputs("    dropped ", out);
		print_escaped(out, r->dropped[i].container);
		fputc(':', out);
		print_escaped(out, r->dropped[i].path);
		fprintf(out, " (%s)\n", units_format_size(r->dropped[i].bytes, b1, sizeof(b1)));
	}
	for (size_t i = 0; i < r->errors.n; i++)
		print_line(out, "  error: ", r->errors.v[i]);
	fprintf(out, "  freed %s in all; %s\n",
		remedy_freed(r) > 0 ? units_format_size((uint64_t)remedy_freed(r), b1, sizeof(b1)) : "0 B",
		r->reached_low ? "every filesystem is under low" : "STILL ABOVE low: everything safe to remove is gone");
	if (r->n_consumers > 0)
		fputs("  what takes the space, largest first:\n", out);
	for (size_t i = 0; i < r->n_consumers; i++) {
		const struct remedy_consumer *u = &r->consumers[i];
		char l[32], a[32], m[32], e[32];

		fputs("    ", out);
		print_escaped(out, u->container);
		fprintf(out, " (%s): live logs %s, archives %s, media %s, engine log %s", u->role ? u->role : "no role",
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

		json_object_set_new(f, "label", jstr(r->fs[i].label));
		json_object_set_new(f, "mount", jstr(r->fs[i].name.mount));
		json_object_set_new(f, "device", jstr(r->fs[i].name.device));
		json_object_set_new(f, "fstype", jstr(r->fs[i].name.fstype));
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
		json_array_append_new(steps, json_pack("{s:o, s:I}", "what", jstr(r->steps[i].what), "freed",
						       (json_int_t)r->steps[i].freed));
	json_object_set_new(o, "steps", steps);
	json_object_set_new(o, "media", json_pack("{s:I, s:I, s:I}", "files", (json_int_t)r->media.files, "bytes",
						  (json_int_t)r->media.bytes, "kept_young",
						  (json_int_t)r->media.kept_young));
	for (size_t i = 0; i < r->n_consumers; i++) {
		const struct remedy_consumer *u = &r->consumers[i];

		json_array_append_new(cons, json_pack("{s:o, s:o, s:I, s:I, s:I, s:o, s:I, s:o}", "container",
						      jstr(u->container), "role", jstr(u->role), "live_logs",
						      (json_int_t)u->live_logs, "archives", (json_int_t)u->archives,
						      "media", (json_int_t)u->media, "engine_log", jstr(u->engine_log),
						      "engine_log_bytes", (json_int_t)u->engine_log_bytes, "hint",
						      jstr(u->hint)));
	}
	json_object_set_new(o, "consumers", cons);
	for (size_t i = 0; i < r->n_volumes; i++)
		json_array_append_new(vols, json_pack("{s:o, s:o, s:o}", "key", jstr(r->volumes[i].key), "via",
						      jstr(r->volumes[i].via), "containers",
						      json_strlist(&r->volumes[i].containers)));
	json_object_set_new(o, "volumes", vols);
	for (size_t i = 0; i < r->n_dropped; i++)
		json_array_append_new(dropped, json_pack("{s:o, s:o, s:I}", "container", jstr(r->dropped[i].container),
							 "path", jstr(r->dropped[i].path), "bytes",
							 (json_int_t)r->dropped[i].bytes));
	json_object_set_new(o, "archives_dropped", dropped);
	json_object_set_new(o, "cleanup_skipped", jstr(r->cleanup_skipped));
	json_object_set_new(o, "errors", json_strlist(&r->errors));
	return o;
}
