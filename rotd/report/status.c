#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "lib/escape.h"
#include "lib/log.h"
#include "lib/path.h"
#include "lib/progress.h"
#include "report/report.h"
#include "lib/atomicfile.h"
#include "report/status.h"
#include "lib/units.h"
#include "lib/xalloc.h"

/* ---- writing -------------------------------------------------------------- */

static json_t *containers_json(const struct inventory *inv)
{
	json_t *a = json_array();

	for (size_t i = 0; inv != NULL && i < inv->n; i++) {
		const struct container *c = &inv->v[i];
		json_t *o = json_object();

		json_object_set_new(o, "name", escape_json_string(c->name));
		json_object_set_new(o, "id", escape_json_string(c->id));
		json_object_set_new(o, "image", escape_json_string(c->image));
		json_object_set_new(o, "role", escape_json_string(c->role != NULL ? c->role->name : NULL));
		json_object_set_new(o, "state", json_string(inventory_state_name(c->state)));
		json_object_set_new(o, "pid", json_integer(c->pid));
		json_object_set_new(o, "detail", escape_json_string(c->detail));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *progress_json(const struct progress_snapshot *p)
{
	json_t *a = json_array();

	for (size_t i = 0; p != NULL && i < p->n; i++) {
		const struct progress_entry *e = &p->v[i];
		json_t *o = json_object();

		json_object_set_new(o, "step", escape_json_string(e->step));
		json_object_set_new(o, "container", escape_json_string(e->container));
		json_object_set_new(o, "path", escape_json_string(e->path));
		json_object_set_new(o, "done_bytes", json_integer((json_int_t)(e->done & INT64_MAX)));
		json_object_set_new(o, "total_bytes", json_integer((json_int_t)(e->total & INT64_MAX)));
		json_object_set_new(o, "seconds", json_real(isfinite(e->seconds) ? e->seconds : 0.0));
		json_object_set_new(o, "bytes_per_second", json_real(progress_rate(e)));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *reload_json(const struct status_snapshot *s)
{
	json_t *o;

	if (s->reload_refused == 0)
		return json_null();
	o = json_object();
	json_object_set_new(o, "refused_at", json_integer(s->reload_refused));
	json_object_set_new(o, "error", escape_json_string(s->reload_error));
	json_object_set_new(o, "errors", json_integer((json_int_t)s->reload_errors));
	return o;
}

static json_t *remediation_json(const struct status_remediation *r)
{
	json_t *o, *above;

	if (r == NULL)
		return json_null();
	o = json_object();
	above = json_array();
	json_object_set_new(o, "started", json_integer(r->started));
	json_object_set_new(o, "trigger", escape_json_string(r->trigger));
	json_object_set_new(o, "reason", escape_json_string(r->reason));
	json_object_set_new(o, "freed_bytes", json_integer(r->freed));
	json_object_set_new(o, "reached_low", json_boolean(r->reached_low));
	json_object_set_new(o, "low_percent", json_integer(r->low_pct));
	for (size_t i = 0; i < r->n_above; i++) {
		json_t *f = json_object();

		json_object_set_new(f, "filesystem", escape_json_string(r->above[i].label));
		json_object_set_new(f, "used_percent", json_integer(r->above[i].used_pct));
		json_array_append_new(above, f);
	}
	json_object_set_new(o, "above_low", above);
	return o;
}

json_t *status_to_json(const struct status_snapshot *s)
{
	json_t *root = json_object(), *o;

	json_object_set_new(root, "pid", json_integer(s->pid));
	json_object_set_new(root, "version", escape_json_string(s->version));
	json_object_set_new(root, "started", json_integer(s->started));
	json_object_set_new(root, "updated", json_integer(s->updated));
	json_object_set_new(root, "config", escape_json_string(s->config_path));
	json_object_set_new(root, "config_read", json_integer(s->config_read));

	o = json_object();
	json_object_set_new(o, "what", escape_json_string(s->activity));
	json_object_set_new(o, "detail", escape_json_string(s->activity_detail));
	json_object_set_new(o, "since", json_integer(s->activity_since));
	json_object_set_new(root, "activity", o);
	json_object_set_new(root, "progress", progress_json(s->progress));

	o = json_object();
	json_object_set_new(o, "connected", json_boolean(s->engine_connected));
	json_object_set_new(o, "error", escape_json_string(s->engine_error));
	json_object_set_new(o, "api_version", escape_json_string(s->api_version));
	json_object_set_new(root, "engine", o);

	json_object_set_new(root, "containers", containers_json(s->inv));
	json_object_set_new(root, "next_check", json_integer(s->next_check));

	if (s->last_pass_started != 0) {
		o = json_object();
		json_object_set_new(o, "started", json_integer(s->last_pass_started));
		json_object_set_new(o, "seconds",
				    json_real(isfinite(s->last_pass_seconds) ? s->last_pass_seconds : 0.0));
		json_object_set_new(o, "exit_code", json_integer(s->last_pass_exit));
		json_object_set_new(o, "summary", escape_json_string(s->last_pass_summary));
		json_object_set_new(o, "report", s->last_report != NULL ? json_incref(s->last_report) : json_null());
		json_object_set_new(root, "last_pass", o);
	} else {
		json_object_set_new(root, "last_pass", json_null());
	}
	json_object_set_new(root, "reload", reload_json(s));
	json_object_set_new(root, "last_remediation", remediation_json(s->last_remediation));
	return root;
}

int status_write(const char *path, const struct status_snapshot *s, char **err)
{
	json_t *root = status_to_json(s);
	char *text = json_dumps(root, JSON_INDENT(2));
	char *line;
	int rc;

	json_decref(root);
	if (text == NULL) {
		*err = xasprintf("cannot write the status file %s: the status does not encode as JSON", path);
		return -1;
	}
	line = xasprintf("%s\n", text);
	free(text);
	/* Readable by whoever runs `rotd status`, whatever the daemon's umask. */
	rc = atomicfile_write(path, line, strlen(line), 0644, 0755, "the status file", err);
	free(line);
	return rc;
}

/* ---- showing -------------------------------------------------------------- */

static void print_escaped(FILE *out, const char *s)
{
	char *e = escape_text(s != NULL ? s : "-");

	fputs(e, out);
	free(e);
}

static const char *get_str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static time_t get_time(json_t *o, const char *key)
{
	return (time_t)json_integer_value(json_object_get(o, key));
}

/* Times are shown in UTC; the date is left out when it is today's. */
static char *format_time(time_t t, time_t now, int with_date, char *buf, size_t len)
{
	struct tm tm, tm_now;

	if (gmtime_r(&t, &tm) == NULL) {
		snprintf(buf, len, "@%lld", (long long)t);
		return buf;
	}
	if (!with_date && gmtime_r(&now, &tm_now) != NULL &&
	    (tm.tm_year != tm_now.tm_year || tm.tm_yday != tm_now.tm_yday))
		with_date = 1;
	strftime(buf, len, with_date ? "%Y-%m-%d %H:%M:%S UTC" : "%H:%M:%S UTC", &tm);
	return buf;
}

/* "42s", "5m 3s", "2h 3m", "3d 4h"; a negative age is 0s. */
static char *format_age(long long secs, char *buf, size_t len)
{
	return units_format_span(secs > 0 ? (uint64_t)secs : 0, 0, buf, len);
}

static void print_activity(FILE *out, json_t *root, time_t now)
{
	json_t *act = json_object_get(root, "activity");
	const char *what = get_str(act, "what"), *detail = get_str(act, "detail");
	time_t next = get_time(root, "next_check");
	char buf[64];

	fputs("  now:        ", out);
	print_escaped(out, what != NULL ? what : "unknown");
	if (what != NULL && strcmp(what, "idle") == 0) {
		if (next > now)
			fprintf(out, ", next check in %s", format_age(next - now, buf, sizeof(buf)));
		else if (next != 0)
			fputs(", next check due", out);
	} else if (get_time(act, "since") != 0) {
		fprintf(out, " since %s", format_time(get_time(act, "since"), now, 0, buf, sizeof(buf)));
	}
	if (detail != NULL) {
		fputs(" (", out);
		print_escaped(out, detail);
		fputc(')', out);
	}
	fputc('\n', out);
}

/* Keeps the lines short on a host that rotates many files at once. */
#define PROGRESS_LINES_MAX 8

/* One line per piece of work in progress, as the daemon last wrote them. */
static void print_progress(FILE *out, json_t *root)
{
	json_t *list = json_object_get(root, "progress"), *p;
	size_t i, n = json_array_size(list);

	json_array_foreach(list, i, p) {
		struct progress_entry e;
		double rate;
		char *what;
		json_int_t done = json_integer_value(json_object_get(p, "done_bytes"));
		json_int_t total = json_integer_value(json_object_get(p, "total_bytes"));

		if (i == PROGRESS_LINES_MAX) {
			fprintf(out, "              and %zu more\n", n - i);
			break;
		}
		memset(&e, 0, sizeof(e));
		e.step = (char *)(get_str(p, "step") != NULL ? get_str(p, "step") : "working");
		e.container = (char *)get_str(p, "container");
		e.path = (char *)get_str(p, "path");
		e.done = done > 0 ? (uint64_t)done : 0;
		e.total = total > 0 ? (uint64_t)total : 0;
		e.seconds = json_number_value(json_object_get(p, "seconds"));
		rate = json_number_value(json_object_get(p, "bytes_per_second"));
		what = progress_describe(&e);
		fputs(i == 0 ? "  progress:   " : "              ", out);
		fputs(what, out);
		if (rate > 0 && isfinite(rate)) {
			char r[32];

			fprintf(out, ", %s", progress_format_rate(rate, r, sizeof(r)));
			if (e.total > e.done) {
				char t[32];

				fprintf(out, ", %s left", progress_format_eta((double)(e.total - e.done) / rate, t, sizeof(t)));
			}
		}
		fputc('\n', out);
		free(what);
	}
}

static void print_engine(FILE *out, json_t *root)
{
	json_t *eng = json_object_get(root, "engine");
	const char *api = get_str(eng, "api_version"), *err = get_str(eng, "error");

	fputs("  engine:     ", out);
	if (json_is_true(json_object_get(eng, "connected"))) {
		fputs("connected", out);
		if (api != NULL) {
			fputs(", API ", out);
			print_escaped(out, api);
		}
	} else {
		fputs("disconnected", out);
		if (err != NULL) {
			fputs(": ", out);
			print_escaped(out, err);
		}
	}
	fputc('\n', out);
}

static int is_state(json_t *c, const char *state)
{
	const char *s = get_str(c, "state");

	return s != NULL && strcmp(s, state) == 0;
}

/* Containers without a role are only counted: a busy host has many. */
static void print_containers(FILE *out, json_t *root)
{
	json_t *list = json_object_get(root, "containers"), *c;
	size_t i, n = json_array_size(list), running = 0, ignored = 0;
	int wname = 0, wrole = 0;

	json_array_foreach(list, i, c) {
		char *name, *role;
		int l;

		if (is_state(c, "running"))
			running++;
		if (is_state(c, "ignored")) {
			ignored++;
			continue;
		}
		name = escape_text(get_str(c, "name") != NULL ? get_str(c, "name") : "-");
		role = escape_text(get_str(c, "role") != NULL ? get_str(c, "role") : "-");
		if ((l = (int)strlen(name)) > wname)
			wname = l < 40 ? l : 40;
		if ((l = (int)strlen(role)) > wrole)
			wrole = l < 20 ? l : 20;
		free(name);
		free(role);
	}
	fprintf(out, "  containers: %zu (%zu running with a role", n, running);
	if (ignored > 0)
		fprintf(out, ", %zu without a role", ignored);
	fputs(")\n", out);

	json_array_foreach(list, i, c) {
		const char *detail = get_str(c, "detail");
		char *name, *role, *state;

		if (is_state(c, "ignored"))
			continue;
		name = escape_text(get_str(c, "name") != NULL ? get_str(c, "name") : "-");
		role = escape_text(get_str(c, "role") != NULL ? get_str(c, "role") : "-");
		state = escape_text(get_str(c, "state") != NULL ? get_str(c, "state") : "-");
		fprintf(out, "    %-*s  %-*s  %-8s", wname, name, wrole, role, state);
		if (is_state(c, "running")) {
			fprintf(out, " pid %lld", (long long)json_integer_value(json_object_get(c, "pid")));
		} else if (detail != NULL) {
			fputs(" ", out);
			print_escaped(out, detail);
		}
		fputc('\n', out);
		free(name);
		free(role);
		free(state);
	}
}

static void print_last_pass(FILE *out, json_t *root, time_t now)
{
	json_t *lp = json_object_get(root, "last_pass");
	const char *summary = get_str(lp, "summary");
	char buf[64];

	fputs("  last pass:  ", out);
	if (!json_is_object(lp)) {
		fputs("none yet\n", out);
		return;
	}
	fprintf(out, "%s, %.1f s, exit %lld", format_time(get_time(lp, "started"), now, 0, buf, sizeof(buf)),
		json_number_value(json_object_get(lp, "seconds")),
		(long long)json_integer_value(json_object_get(lp, "exit_code")));
	if (summary != NULL) {
		fputs(": ", out);
		print_escaped(out, summary);
	}
	fputc('\n', out);
}

static void print_reload(FILE *out, json_t *root, time_t now)
{
	json_t *rl = json_object_get(root, "reload");
	time_t read_at = get_time(root, "config_read");
	json_int_t errors = json_integer_value(json_object_get(rl, "errors"));
	char when[64];

	if (!json_is_object(rl))
		return;
	fprintf(out, "  reload:     refused at %s: ", format_time(get_time(rl, "refused_at"), now, 0, when, sizeof(when)));
	print_escaped(out, get_str(rl, "error") != NULL ? get_str(rl, "error") : "the configuration has errors");
	if (read_at != 0) {
		char then[64];

		fprintf(out, "; still running with the config read at %s", format_time(read_at, now, 0, then, sizeof(then)));
	} else {
		fputs("; still running with the config read before", out);
	}
	if (errors > 1)
		fprintf(out, " (and %lld more error%s; rotd --check-config lists them)", (long long)errors - 1,
			errors == 2 ? "" : "s");
	fputc('\n', out);
}

static void print_remediation(FILE *out, json_t *root, time_t now)
{
	json_t *r = json_object_get(root, "last_remediation"), *above = json_object_get(r, "above_low"), *f;
	const char *why = get_str(r, "reason") != NULL ? get_str(r, "reason") : get_str(r, "trigger");
	json_int_t freed = json_integer_value(json_object_get(r, "freed_bytes"));
	json_int_t low = json_integer_value(json_object_get(r, "low_percent"));
	char when[64];
	size_t i;

	if (!json_is_object(r))
		return;
	fprintf(out, "  remediated: %s (", format_time(get_time(r, "started"), now, 0, when, sizeof(when)));
	print_escaped(out, why != NULL ? why : "unknown trigger");
	if (freed > 0) {
		char size[32];

		fprintf(out, "): freed %s; ", units_format_size((uint64_t)freed, size, sizeof(size)));
	} else {
		fputs("): freed nothing; ", out);
	}
	if (json_is_true(json_object_get(r, "reached_low"))) {
		fprintf(out, "every filesystem is under %lld%%\n", (long long)low);
		return;
	}
	fprintf(out, "still above %lld%%", (long long)low);
	json_array_foreach(above, i, f) {
		fputs(i == 0 ? ": " : ", ", out);
		print_escaped(out, get_str(f, "filesystem"));
		fprintf(out, " %lld%%", (long long)json_integer_value(json_object_get(f, "used_percent")));
	}
	fputc('\n', out);
}

static void print_text(FILE *out, json_t *root, int running, time_t now)
{
	const char *version = get_str(root, "version"), *config = get_str(root, "config");
	long long pid = json_integer_value(json_object_get(root, "pid"));
	time_t started = get_time(root, "started"), updated = get_time(root, "updated");
	char t[64], age[32];

	fputs("rotd ", out);
	print_escaped(out, version != NULL ? version : "?");
	fprintf(out, " daemon (pid %lld) ", pid);
	if (running)
		fprintf(out, "running since %s (up %s)\n", format_time(started, now, 1, t, sizeof(t)),
			format_age(now - started, age, sizeof(age)));
	else
		fprintf(out, "not running; last update %s (%s ago)\n", format_time(updated, now, 1, t, sizeof(t)),
			format_age(now - updated, age, sizeof(age)));
	if (running) {
		print_activity(out, root, now);
		print_progress(out, root);
		print_engine(out, root);
	}
	fputs("  config:     ", out);
	print_escaped(out, config);
	if (running && get_time(root, "config_read") != 0)
		fprintf(out, " (read at %s)", format_time(get_time(root, "config_read"), now, 0, t, sizeof(t)));
	fputc('\n', out);
	if (running) {
		print_reload(out, root, now);
		print_containers(out, root);
	}
	print_last_pass(out, root, now);
	print_remediation(out, root, now);
}

static int pid_alive(json_t *root)
{
	json_t *j = json_object_get(root, "pid");
	json_int_t pid = json_integer_value(j);

	/* kill(0 or negative) would address process groups. */
	if (!json_is_integer(j) || pid <= 0 || pid != (json_int_t)(pid_t)pid)
		return 0;
	return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

int status_show(const char *path, FILE *out, int json, time_t now)
{
	json_error_t jerr;
	json_t *root;
	FILE *f;
	int running;

	f = fopen(path, "re");
	if (f == NULL) {
		if (errno == ENOENT)
			log_errorx("no status file %s: is the daemon running?", path);
		else
			log_errorx("cannot read the status file %s: %s", path, strerror(errno));
		return 2;
	}
	root = json_loadf(f, 0, &jerr);
	fclose(f);
	if (root == NULL) {
		log_errorx("the status file %s is not valid JSON (line %d: %s)", path, jerr.line, jerr.text);
		return 2;
	}
	if (!json_is_object(root)) {
		log_errorx("the status file %s is not a JSON object", path);
		json_decref(root);
		return 2;
	}
	running = pid_alive(root);
	if (json) {
		json_object_set_new(root, "running", json_boolean(running));
		json_dumpf(root, out, JSON_INDENT(2));
		fputc('\n', out);
	} else {
		print_text(out, root, running, now);
	}
	json_decref(root);
	return running ? 0 : 3;
}
