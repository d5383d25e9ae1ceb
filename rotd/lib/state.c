#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/path.h"
#include "lib/atomicfile.h"
#include "lib/state.h"
#include "lib/xalloc.h"

#define STATE_VERSION 1
#define STATE_MAX_BYTES (16 * 1024 * 1024)

/* {"version": 1, "jobs": {JOB: {SUBJECT: unix-time, ...}, ...}, "records": {KEY: any}} */
struct state {
	json_t *jobs;
	json_t *records;
};

static struct state *empty_state(void)
{
	struct state *s = xmalloc(sizeof(*s));

	s->jobs = json_object();
	s->records = json_object();
	return s;
}

/* Keeps only well-formed entries, so a hand-edited file cannot confuse lookups. */
static int valid_jobs(json_t *jobs)
{
	const char *job, *subject;
	json_t *subjects, *t;

	if (!json_is_object(jobs))
		return 0;
	json_object_foreach(jobs, job, subjects) {
		if (!json_is_object(subjects))
			return 0;
		json_object_foreach(subjects, subject, t)
			if (!json_is_integer(t) || json_integer_value(t) < 0)
				return 0;
	}
	return 1;
}

struct state *state_load(const char *path, char **warning)
{
	json_error_t jerr;
	struct state *s;
	struct stat st;
	json_t *root;

	*warning = NULL;
	if (stat(path, &st) < 0) {
		if (errno != ENOENT)
			*warning = xasprintf("state file %s: %s; starting afresh", path, strerror(errno));
		return empty_state();
	}
	if (!S_ISREG(st.st_mode) || st.st_size > STATE_MAX_BYTES) {
		*warning = xasprintf("state file %s is not a regular file under 16 MiB; it will be replaced", path);
		return empty_state();
	}
	root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		*warning = xasprintf("state file %s is corrupt (line %d: %s); it will be replaced", path, jerr.line,
				     jerr.text);
		return empty_state();
	}
	if (json_integer_value(json_object_get(root, "version")) != STATE_VERSION ||
	    !valid_jobs(json_object_get(root, "jobs"))) {
		*warning = xasprintf("state file %s has an unknown layout; it will be replaced", path);
		json_decref(root);
		return empty_state();
	}
	s = xmalloc(sizeof(*s));
	s->jobs = json_incref(json_object_get(root, "jobs"));
	s->records = json_object_get(root, "records");
	/* A damaged records object costs only the records, never the job times. */
	s->records = json_is_object(s->records) ? json_incref(s->records) : json_object();
	json_decref(root);
	return s;
}

time_t state_last(const struct state *s, const char *job, const char *subject)
{
	return (time_t)json_integer_value(json_object_get(json_object_get(s->jobs, job), subject));
}

void state_set(struct state *s, const char *job, const char *subject, time_t t)
{
	json_t *subjects = json_object_get(s->jobs, job);

	if (subjects == NULL) {
		subjects = json_object();
		json_object_set_new(s->jobs, job, subjects);
	}
	json_object_set_new(subjects, subject, json_integer((json_int_t)t));
}

const json_t *state_record(const struct state *s, const char *key)
{
	return json_object_get(s->records, key);
}

void state_set_record(struct state *s, const char *key, json_t *value)
{
	json_object_set_new(s->records, key, value);
}

int state_save(const struct state *s, const char *path, char **err)
{
	json_t *root = json_pack("{s:i, s:O, s:O}", "version", STATE_VERSION, "jobs", s->jobs, "records", s->records);
	char *text = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS);
	char *line = xasprintf("%s\n", text != NULL ? text : "{}");
	int rc = atomicfile_write(path, line, strlen(line), 0600, 0700, "the state file", err);

	free(line);
	free(text);
	json_decref(root);
	return rc;
}

void state_free(struct state *s)
{
	if (s == NULL)
		return;
	json_decref(s->jobs);
	json_decref(s->records);
	free(s);
}
