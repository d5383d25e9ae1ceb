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

#include "config.h"
#include "log.h"
#include "path.h"
#include "report.h"
#include "atomicfile.h"
#include "status.h"
#include "xalloc.h"

/* ---- writing -------------------------------------------------------------- */

static json_t *str_or_null(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

/* json_string() refuses invalid UTF-8, which container names need not be. */
static json_t *str_lossy(const char *s)
{
	json_t *j;

	if (s == NULL)
		return json_null();
	j = json_string(s);
	if (j == NULL) {
		char *e = report_escape(s);

		j = json_string(e);
		free(e);
	}
	return j;
}

static json_t *containers_json(const struct inventory *inv)
{
	json_t *a = json_array();

	for (size_t i = 0; inv != NULL && i < inv->n; i++) {
		const struct container *c = &inv->v[i];
		json_t *o = json_object();

		json_object_set_new(o, "name", str_lossy(c->name));
		json_object_set_new(o, "id", str_lossy(c->id));
		json_object_set_new(o, "image", str_lossy(c->image));
		json_object_set_new(o, "role", str_or_null(c->role != NULL ? c->role->name : NULL));
		json_object_set_new(o, "state", json_string(inventory_state_name(c->state)));
		json_object_set_new(o, "pid", json_integer(c->pid));
		json_object_set_new(o, "detail", str_lossy(c->detail));
		json_array_append_new(a, o);
	}
	return a;
}

json_t *status_to_json(const struct status_snapshot *s)
{
	json_t *root = json_object(), *o;

	json_object_set_new(root, "pid", json_integer(s->pid));
	json_object_set_new(root, "version", str_or_null(s->version));
	json_object_set_new(root, "started", json_integer(s->started));
	json_object_set_new(root, "updated", json_integer(s->updated));
	json_object_set_new(root, "config", str_lossy(s->config_path));

	o = json_object();
	json_object_set_new(o, "what", str_or_null(s->activity));
	json_object_set_new(o, "detail", str_lossy(s->activity_detail));
	json_object_set_new(o, "since", json_integer(s->activity_since));
	json_object_set_new(root, "activity", o);

	o = json_object();
	json_object_set_new(o, "connected", json_boolean(s->engine_connected));
	json_object_set_new(o, "error", str_lossy(s->engine_error));
	json_object_set_new(o, "api_version", str_lossy(s->api_version));
	json_object_set_new(root, "engine", o);

	json_object_set_new(root, "containers", containers_json(s->inv));
	json_object_set_new(root, "next_check", json_integer(s->next_check));

	if (s->last_pass_started != 0) {
		o = json_object();
		json_object_set_new(o, "started", json_integer(s->last_pass_started));
		json_object_set_new(o, "seconds",
				    json_real(isfinite(s->last_pass_seconds) ? s->last_pass_seconds : 0.0));
		json_object_set_new(o, "exit_code", json_integer(s->last_pass_exit));
		json_object_set_new(o, "summary", str_lossy(s->last_pass_summary));
		json_object_set_new(o, "report", s->last_report != NULL ? json_incref(s->last_report) : json_null());
		json_object_set_new(root, "last_pass", o);
	} else {
		json_object_set_new(root, "last_pass", json_null());
	}
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
	char *e = report_escape(s != NULL ? s : "-");

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

/* "42s", "5m 3s", "2h 3m", "3d 4h". */
static char *format_age(long long secs, char *buf, size_t len)
{
	if (secs < 0)
		secs = 0;
	if (secs < 60)
		snprintf(buf, len, "%llds", secs);
	else if (secs < 3600)
		snprintf(buf, len, "%lldm %llds", secs / 60, secs % 60);
	else if (secs < 86400)
		snprintf(buf, len, "%lldh %lldm", secs / 3600, secs % 3600 / 60);
	else
		snprintf(buf, len, "%lldd %lldh", secs / 86400, secs % 86400 / 3600);
	return buf;
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
		name = report_escape(get_str(c, "name") != NULL ? get_str(c, "name") : "-");
		role = report_escape(get_str(c, "role") != NULL ? get_str(c, "role") : "-");
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
		name = report_escape(get_str(c, "name") != NULL ? get_str(c, "name") : "-");
		role = report_escape(get_str(c, "role") != NULL ? get_str(c, "role") : "-");
		state = report_escape(get_str(c, "state") != NULL ? get_str(c, "state") : "-");
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
		print_engine(out, root);
	}
	fputs("  config:     ", out);
	print_escaped(out, config);
	fputc('\n', out);
	if (running)
		print_containers(out, root);
	print_last_pass(out, root, now);
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
