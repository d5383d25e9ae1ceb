/* record: lines into records, stack traces whole. */
#include "logs/record.h"

#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"

struct recorder {
	linereader_time_fn time_of;
	const void *ctx;
	size_t cap;
	struct record cur;     /* being built */
	size_t cur_cap;
	struct record done;    /* handed out */
	size_t done_cap;
	int open;              /* cur holds a record */
	unsigned long starts;  /* records started */
	int dropping;          /* after a gap, until a line with a time */
};

struct recorder *recorder_new(linereader_time_fn time_of, const void *ctx, size_t cap)
{
	struct recorder *rec = xcalloc(1, sizeof(*rec));

	rec->time_of = time_of;
	rec->ctx = ctx;
	rec->cap = cap > 0 ? cap : RECORD_MAX;
	return rec;
}

void recorder_free(struct recorder *rec)
{
	if (rec == NULL)
		return;
	free(rec->cur.text);
	free(rec->done.text);
	free(rec);
}

/* Moves cur to done (swapping the buffers) and hands it out. */
static int complete(struct recorder *rec, const struct record **out)
{
	struct record tmp = rec->done;
	size_t tcap = rec->done_cap;

	rec->done = rec->cur;
	rec->done_cap = rec->cur_cap;
	rec->cur = tmp;
	rec->cur_cap = tcap;
	rec->open = 0;
	*out = &rec->done;
	return 1;
}

static void start(struct recorder *rec, int has_time, int64_t t, int continued)
{
	rec->cur.has_time = has_time;
	rec->cur.t_us = has_time ? t : 0;
	rec->cur.len = 0;
	rec->cur.lines = 0;
	rec->cur.continued = continued;
	if (rec->cur.text != NULL)
		rec->cur.text[0] = '\0';
	rec->open = 1;
	rec->starts++;
}

static void append(struct recorder *rec, const char *line, size_t len)
{
	size_t need = rec->cur.len + (rec->cur.lines > 0) + len + 1;

	if (need > rec->cur_cap) {
		size_t cap = rec->cur_cap ? rec->cur_cap : 256;

		while (cap < need)
			cap *= 2;
		rec->cur.text = xreallocarray(rec->cur.text, cap, 1);
		rec->cur_cap = cap;
	}
	if (rec->cur.lines > 0)
		rec->cur.text[rec->cur.len++] = '\n';
	memcpy(rec->cur.text + rec->cur.len, line, len);
	rec->cur.len += len;
	rec->cur.text[rec->cur.len] = '\0';
	rec->cur.lines++;
}

int recorder_line(struct recorder *rec, const char *line, size_t len, int gap, const struct record **out)
{
	int64_t t = 0;
	int has_time = rec->time_of(rec->ctx, line, len, &t);
	int done = 0;

	if (len > rec->cap)
		len = rec->cap;
	if (gap) {
		if (rec->open)
			done = complete(rec, out);
		rec->dropping = 1;
	}
	if (has_time) {
		rec->dropping = 0;
		if (rec->open)
			done = complete(rec, out);
		start(rec, 1, t, 0);
		append(rec, line, len);
		return done;
	}
	if (rec->dropping)
		return done;
	if (!rec->open) {
		start(rec, 0, 0, 0);
	} else if (rec->cur.len + 1 + len > rec->cap) {
		int had = rec->cur.has_time;
		int64_t was = rec->cur.t_us;

		done = complete(rec, out);
		start(rec, had, was, 1);
	}
	append(rec, line, len);
	return done;
}

int recorder_finish(struct recorder *rec, const struct record **out)
{
	if (!rec->open)
		return 0;
	return complete(rec, out);
}

const struct record *recorder_pending(const struct recorder *rec)
{
	return rec->open ? &rec->cur : NULL;
}

unsigned long recorder_starts(const struct recorder *rec)
{
	return rec->starts;
}
