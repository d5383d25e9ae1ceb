/* search: every selected log's records merged into one timeline. */
#include "logs/search.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/escape.h"
#include "lib/log.h"
#include "lib/logtime.h"
#include "lib/xalloc.h"
#include "logs/linereader.h"
#include "logs/source.h"
#include "rotate/logclock.h"

/* The clocks of one container's logs, one per log pattern: the one the archive
 * writer dates the members' index with. */
struct target_state {
	const struct logs_target *t;
	struct source_set set;
	struct logclock *clocks;   /* [role->logs.n]; a parser NULL where none could be made */
};

/* One log: its sources read in order, one record at a time. */
struct stream {
	struct target_state *ts;
	const struct log_sources *ls;
	const struct logtime_parser *parser;
	size_t index;              /* its position among all streams: ties go to the lower */
	size_t src;                /* the source being read */
	struct linereader *reader;
	struct recorder *rec;
	const struct record *head; /* the next record to hand out, or NULL when done */
	const char *head_archive;
	const char *open_archive;  /* where the record in progress began (NULL: the live log) */
	char *partial;             /* the first part of a line a source ended inside, whose */
	size_t partial_len;        /* rest begins the next source (a rotation cut at a block */
	size_t partial_cap;        /* boundary) */
	const char *partial_archive;
	int64_t head_key;          /* head's time, or the time of the record before it */
	int64_t last_t;            /* the last time seen in this log (INT64_MIN: none yet) */
	int done;
};

struct search {
	const struct logs_query *q;
	int problems;
};

int search_compile(regex_t *re, const char *pattern, int icase, char **err)
{
	int st = regcomp(re, pattern, REG_EXTENDED | REG_NOSUB | REG_NEWLINE | (icase ? REG_ICASE : 0));

	if (st != 0) {
		char msg[256];

		regerror(st, re, msg, sizeof(msg));
		*err = xasprintf("invalid --grep '%s': %s", pattern, msg);
		return -1;
	}
	return 0;
}

static int time_of(const void *ctx, const char *line, size_t len, int64_t *t_us)
{
	return ctx != NULL && logtime_parse(ctx, line, len, t_us);
}

static void problem(struct search *s, const char *container, const char *path, const char *why)
{
	char *shown = escape_text(path);

	log_errorx_bare("rotd logs: %s: %s: %s", container, shown, why);
	free(shown);
	s->problems++;
}

/* Opens the stream's next source that can be opened; 0, or -1 when none is left. */
static int open_next(struct search *s, struct stream *st)
{
	const struct record *pending = recorder_pending(st->rec);
	/* A record still in progress, or a line cut in two, goes on in this
	 * source's first bytes: the time it carries widens the first member's. */
	int carry = pending != NULL || st->partial_len > 0;
	int64_t carry_us = pending != NULL && pending->has_time ? pending->t_us : st->last_t, t;

	if (st->partial_len > 0 && time_of(st->parser, st->partial, st->partial_len, &t))
		carry_us = t;
	while (st->src < st->ls->n) {
		const struct source *src = &st->ls->v[st->src];
		const char *why = NULL;
		uint64_t size = 0, start = 0;
		int fd = source_open(st->ts->t->fs, src->path, &size, &why);

		if (fd < 0) {
			problem(s, st->ts->t->name, src->path, why);
			st->src++;
			continue;
		}
		switch (src->kind) {
		case SOURCE_LIVE:
			/* Safe with a carry too: what goes on at the start is older than
			 * all that follows, so before the window when bisection skips it. */
			if (s->q->since_us != INT64_MIN && st->parser != NULL)
				start = linereader_bisect(fd, size, time_of, st->parser, s->q->since_us,
							  SEARCH_SLACK_US);
			st->reader = linereader_plain(fd, start, size);
			break;
		case SOURCE_ROTD:
			st->reader = linereader_indexed(fd, src->codec, s->q->since_us, s->q->until_us, carry,
							carry_us);
			break;
		case SOURCE_FOREIGN:
			st->reader = linereader_foreign(fd);
			break;
		}
		return 0;
	}
	return -1;
}

static void close_source(struct stream *st)
{
	linereader_free(st->reader);
	st->reader = NULL;
	st->src++;
}

/* Whether the query keeps r, whose place in the timeline is key. */
static int kept(const struct logs_query *q, const struct record *r, int64_t key)
{
	if (key < q->since_us)
		return 0;
	if (key >= q->until_us)
		return 0;
	return q->grep == NULL || regexec(q->grep, r->text, 0, NULL, 0) == 0;
}

/* Feeds one line to the stream's recorder: 1 with *r set when a record is
 * complete (*archive: the source it began in), else 0. */
static int feed(struct stream *st, const char *line, size_t len, int gap, const char *source_archive,
		const struct record **r, const char **archive)
{
	unsigned long starts = recorder_starts(st->rec);
	int got;

	*archive = st->open_archive;
	got = recorder_line(st->rec, line, len, gap, r);
	if (recorder_starts(st->rec) != starts)
		st->open_archive = source_archive;
	return got;
}

/* Holds the first part of a line cut in two by the end of a source. */
static void hold(struct stream *st, const char *line, size_t len, const char *source_archive)
{
	if (st->partial_len + len > LINEREADER_LINE_MAX)
		len = LINEREADER_LINE_MAX - st->partial_len;
	if (st->partial_len + len > st->partial_cap) {
		st->partial_cap = st->partial_len + len;
		st->partial = xreallocarray(st->partial, st->partial_cap, 1);
	}
	if (st->partial_len == 0)
		st->partial_archive = source_archive;
	memcpy(st->partial + st->partial_len, line, len);
	st->partial_len += len;
}

/* The next record complete in the stream: 1 with *r and *archive set, or 0
 * when the stream is done. A record runs on from one source into the next (a
 * stack trace a rotation cut), and so does a line the cut split; a record is
 * named after the source it began in. */
static int next_record(struct search *s, struct stream *st, const struct record **r, const char **archive)
{
	for (;;) {
		const struct source *src;
		const char *line, *src_archive;
		size_t len;
		int gap, n;

		if (st->reader == NULL && open_next(s, st) < 0) {
			if (st->partial_len > 0) {
				size_t plen = st->partial_len;

				st->partial_len = 0;
				if (feed(st, st->partial, plen, 0, st->partial_archive, r, archive))
					return 1;
			}
			*archive = st->open_archive;
			return recorder_finish(st->rec, r);
		}
		src = &st->ls->v[st->src];
		src_archive = src->kind == SOURCE_LIVE ? NULL : src->name;
		n = linereader_next(st->reader, &line, &len, &gap);
		if (n <= 0) {
			if (n < 0)
				problem(s, st->ts->t->name, src->path, linereader_error(st->reader));
			close_source(st);
			continue;
		}
		if (linereader_unterminated(st->reader) && st->src + 1 < st->ls->n) {
			hold(st, line, len, src_archive);
			continue;
		}
		if (st->partial_len > 0) {
			/* After a gap the rest of the cut line was skipped with the
			 * record it belongs to, outside the window: drop its first part. */
			if (!gap) {
				hold(st, line, len, src_archive);
				line = st->partial;
				len = st->partial_len;
				src_archive = st->partial_archive;
			}
			st->partial_len = 0;
		}
		if (feed(st, line, len, gap, src_archive, r, archive))
			return 1;
	}
}

/* Reads on until the stream's next kept record is its head, or it is done. */
static void advance(struct search *s, struct stream *st)
{
	st->head = NULL;
	while (!st->done) {
		const struct record *r = NULL;
		const char *archive = NULL;

		if (!next_record(s, st, &r, &archive)) {
			st->done = 1;
			break;
		}
		if (r->has_time)
			st->last_t = r->t_us;
		if (r->has_time && s->q->until_us != INT64_MAX && r->t_us - SEARCH_SLACK_US >= s->q->until_us) {
			/* Past the window by more than the slack: the rest of this log is later still. */
			st->done = 1;
			break;
		}
		if (!kept(s->q, r, r->has_time ? r->t_us : st->last_t))
			continue;
		st->head = r;
		st->head_archive = archive;
		st->head_key = r->has_time ? r->t_us : st->last_t;
		return;
	}
	linereader_free(st->reader);
	st->reader = NULL;
}

static int before(const struct stream *a, const struct stream *b)
{
	if (a->head_key != b->head_key)
		return a->head_key < b->head_key;
	return a->index < b->index;
}

static void heap_down(struct stream **h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		struct stream *tmp;

		if (l < n && before(h[l], h[m]))
			m = l;
		if (r < n && before(h[r], h[m]))
			m = r;
		if (m == i)
			return;
		tmp = h[i];
		h[i] = h[m];
		h[m] = tmp;
		i = m;
	}
}

static void heap_up(struct stream **h, size_t i)
{
	while (i > 0 && before(h[i], h[(i - 1) / 2])) {
		struct stream *tmp = h[i];

		h[i] = h[(i - 1) / 2];
		h[(i - 1) / 2] = tmp;
		i = (i - 1) / 2;
	}
}

/* Whether --role lets a container of role (NULL: none) in. */
static int role_wanted(const struct logs_query *q, const struct role_policy *role)
{
	if (q->roles == NULL || q->roles->n == 0)
		return 1;
	return role != NULL && strlist_contains(q->roles, role->name);
}

/* Opens the clock of every pattern some log of ts came from; a clock that does
 * not load is named, and its logs' lines carry no time. */
static void target_clocks(struct search *s, struct target_state *ts)
{
	const struct role_policy *role = ts->t->role;
	unsigned char *tried = xcalloc(role->logs.n ? role->logs.n : 1, 1);

	ts->clocks = xcalloc(role->logs.n ? role->logs.n : 1, sizeof(*ts->clocks));
	for (size_t i = 0; i < ts->set.n; i++) {
		size_t k = ts->set.logs[i].log_index;
		char *err = NULL;

		if (tried[k])
			continue;
		tried[k] = 1;
		if (logclock_open(&ts->clocks[k], &role->log_policies[k], s->q->now_us, &err) < 0) {
			problem(s, ts->t->name, role->logs.v[k], err);
			free(err);
		}
	}
	free(tried);
}

int search_targets(const struct logs_target *targets, size_t n, const struct logs_query *q, logs_hit_fn cb,
		   void *arg)
{
	struct search s = { q, 0 };
	struct target_state *ts = xcalloc(n ? n : 1, sizeof(*ts));
	struct stream *streams;
	struct stream **heap;
	size_t n_streams = 0, n_heap = 0, k = 0;

	for (size_t i = 0; i < n; i++) {
		ts[i].t = &targets[i];
		if (!role_wanted(q, targets[i].role))
			continue;
		s.problems += source_list(targets[i].fs, targets[i].name, targets[i].role, q->logs, &ts[i].set);
		target_clocks(&s, &ts[i]);
		n_streams += ts[i].set.n;
	}
	streams = xcalloc(n_streams ? n_streams : 1, sizeof(*streams));
	heap = xcalloc(n_streams ? n_streams : 1, sizeof(*heap));
	for (size_t i = 0; i < n; i++)
		for (size_t l = 0; l < ts[i].set.n; l++, k++) {
			struct stream *st = &streams[k];

			st->ts = &ts[i];
			st->ls = &ts[i].set.logs[l];
			st->parser = ts[i].clocks[st->ls->log_index].parser;
			st->index = k;
			st->last_t = INT64_MIN;
			st->rec = recorder_new(time_of, st->parser, RECORD_MAX);
		}
	/* Every log's first record, then one record at a time from the earliest. */
	for (k = 0; k < n_streams; k++) {
		advance(&s, &streams[k]);
		if (streams[k].head != NULL) {
			heap[n_heap] = &streams[k];
			heap_up(heap, n_heap++);
		}
	}
	while (n_heap > 0) {
		struct stream *st = heap[0];
		struct logs_hit hit = { st->head, st->ts->t->name, st->ts->t->role->name, st->ls->log_path,
					st->head_archive };

		if (cb(&hit, arg) != 0)
			break;
		advance(&s, st);
		if (st->head == NULL)
			heap[0] = heap[--n_heap];
		heap_down(heap, n_heap, 0);
	}
	for (k = 0; k < n_streams; k++) {
		linereader_free(streams[k].reader);
		recorder_free(streams[k].rec);
		free(streams[k].partial);
	}
	for (size_t i = 0; i < n; i++) {
		if (ts[i].clocks != NULL)
			for (size_t p = 0; p < targets[i].role->logs.n; p++)
				logclock_close(&ts[i].clocks[p]);
		free(ts[i].clocks);
		source_set_free(&ts[i].set);
	}
	free(heap);
	free(streams);
	free(ts);
	return s.problems;
}

int search_inventory(const struct inventory *inv, const struct logs_query *q, logs_hit_fn cb, void *arg)
{
	struct logs_target *targets = xcalloc(inv->n ? inv->n : 1, sizeof(*targets));
	size_t n = 0;
	int problems = 0;

	for (size_t i = 0; i < inv->n; i++) {
		const struct container *c = &inv->v[i];
		int named = q->named != NULL && strlist_contains(q->named, c->name);
		struct ctrfs *fs;

		if (!role_wanted(q, c->role))
			continue;
		switch (c->state) {
		case CTR_RUNNING:
			fs = ctrfs_open(c->pid, c->id);
			if (fs == NULL) {
				log_errorx_bare("rotd logs: %s: unreachable: cannot open its root: %s", c->name,
						strerror(errno));
				problems++;
				continue;
			}
			targets[n].name = c->name;
			targets[n].role = c->role;
			targets[n].fs = fs;
			n++;
			break;
		case CTR_STOPPED:
			log_errorx_bare("rotd logs: %s: not running (%s)", c->name,
					c->status != NULL ? c->status : "stopped");
			problems++;
			break;
		case CTR_IGNORED:
			if (named) {
				log_errorx_bare("rotd logs: %s: has no role (%s); no logs to search", c->name,
						c->detail != NULL ? c->detail : "no rule matches it");
				problems++;
			}
			break;
		case CTR_VANISHED:
			if (named) {
				log_errorx_bare("rotd logs: %s: no longer exists", c->name);
				problems++;
			}
			break;
		case CTR_FAILED:
			log_errorx_bare("rotd logs: %s: unreachable: %s", c->name,
					c->detail != NULL ? c->detail : "cannot inspect it");
			problems++;
			break;
		}
	}
	problems += search_targets(targets, n, q, cb, arg);
	for (size_t i = 0; i < n; i++)
		ctrfs_close((struct ctrfs *)targets[i].fs);
	free(targets);
	return problems;
}
