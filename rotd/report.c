#include "autoconf.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "exitcode.h"
#include "report.h"
#include "units.h"
#include "xalloc.h"

void report_init(struct report *r, const struct inventory *inv)
{
	r->v = xcalloc(inv->n, sizeof(*r->v));
	r->n = inv->n;
	for (size_t i = 0; i < inv->n; i++)
		r->v[i].ctr = &inv->v[i];
}

void report_free(struct report *r)
{
	for (size_t i = 0; i < r->n; i++) {
		if (r->v[i].scanned)
			scan_free(&r->v[i].scan);
		free(r->v[i].error);
	}
	free(r->v);
	r->v = NULL;
	r->n = 0;
}

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

static int container_has_error(const struct report_container *rc)
{
	return rc->ctr->state == CTR_FAILED || rc->error != NULL || (rc->scanned && rc->scan.errors.n > 0);
}

int report_exit_code(const struct report *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (container_has_error(&r->v[i]))
			return EXIT_ROTD_PARTIAL;
	return EXIT_ROTD_OK;
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
	char size[32];

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
	if (f->size > role->size) {
		char limit[32];

		fprintf(out, "  over %s", units_format_size(role->size, limit, sizeof(limit)));
	}
	fputc('\n', out);
}

static void print_running(FILE *out, const struct report_container *rc)
{
	const struct container *c = rc->ctr;

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
	if (rc->error) {
		fputs("    error: ", out);
		print_escaped(out, rc->error);
		fputc('\n', out);
		return;
	}
	if (!rc->scanned)
		return;
	for (size_t i = 0; i < rc->scan.n; i++)
		print_log_file(out, c->role, &rc->scan.files[i]);
	for (size_t i = 0; i < rc->scan.absent.n; i++)
		fprintf(out, "    %s  no such directory\n", rc->scan.absent.v[i]);
	for (size_t i = 0; i < rc->scan.errors.n; i++) {
		fputs("    error: ", out);
		print_escaped(out, rc->scan.errors.v[i]);
		fputc('\n', out);
	}
}

void report_print_text(FILE *out, const struct report *r)
{
	size_t counts[CTR_FAILED + 1] = { 0 };

	for (size_t i = 0; i < r->n; i++)
		counts[r->v[i].ctr->state]++;
	fprintf(out, "%sengine unix://%s (API %s), config %s\n", r->dry_run ? "dry run: nothing changed. " : "",
		r->socket, r->api_version, r->config_path);
	fprintf(out, "%zu containers: %zu running with a role, %zu stopped, %zu ignored, %zu vanished, %zu failed\n",
		r->n, counts[CTR_RUNNING], counts[CTR_STOPPED], counts[CTR_IGNORED], counts[CTR_VANISHED],
		counts[CTR_FAILED]);
	for (size_t i = 0; i < r->n; i++) {
		const struct report_container *rc = &r->v[i];
		const struct container *c = rc->ctr;

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
			print_running(out, rc);
	}
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
	json_object_set_new(o, "over_size", json_boolean(f->kind == CTRFS_REGULAR && f->size > role->size));
	return o;
}

static json_t *json_strlist(const struct strlist *l)
{
	json_t *a = json_array();

	for (size_t i = 0; i < l->n; i++)
		json_array_append_new(a, jstr(l->v[i]));
	return a;
}

static json_t *json_container(const struct report_container *rc)
{
	const struct container *c = rc->ctr;
	json_t *o = json_object(), *mounts = json_array(), *errors = json_array();

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
	if (rc->scanned) {
		json_t *logs = json_array();

		for (size_t i = 0; i < rc->scan.n; i++)
			json_array_append_new(logs, json_log_file(c->role, &rc->scan.files[i]));
		json_object_set_new(o, "logs", logs);
		json_object_set_new(o, "absent", json_strlist(&rc->scan.absent));
		for (size_t i = 0; i < rc->scan.errors.n; i++)
			json_array_append_new(errors, jstr(rc->scan.errors.v[i]));
	}
	if (rc->error)
		json_array_append_new(errors, jstr(rc->error));
	if (c->state == CTR_FAILED)
		json_array_append_new(errors, jstr(c->detail));
	json_object_set_new(o, "errors", errors);
	return o;
}

void report_print_json(FILE *out, const struct report *r)
{
	json_t *root = json_object(), *engine = json_object(), *ctrs = json_array();

	json_object_set_new(engine, "socket", jstr(r->socket));
	json_object_set_new(engine, "api_version", jstr(r->api_version));
	json_object_set_new(root, "engine", engine);
	json_object_set_new(root, "config", jstr(r->config_path));
	json_object_set_new(root, "dry_run", json_boolean(r->dry_run));
	for (size_t i = 0; i < r->n; i++)
		json_array_append_new(ctrs, json_container(&r->v[i]));
	json_object_set_new(root, "containers", ctrs);
	json_object_set_new(root, "exit_code", json_integer(report_exit_code(r)));
	json_dumpf(root, out, JSON_INDENT(2) | JSON_SORT_KEYS);
	fputc('\n', out);
	json_decref(root);
}
