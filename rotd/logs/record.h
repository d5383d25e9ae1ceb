/* record: lines grouped into records. A line that carries a time starts a
 * record; the lines after it without one (a stack trace, continuation lines)
 * belong to it; lines before the first time form a record with no time.
 * Records run on across the end of one input into the next (a stack trace that a
 * rotation cut in two is one record) until recorder_finish.
 * A record holds at most RECORD_MAX bytes: a longer one is cut, at a line's end,
 * into several records of the same time (the pieces after the first keep its
 * time and are marked continued), so nothing is lost and memory stays bounded.
 * After a gap (lines skipped because they lie outside the window), the lines
 * without a time belong to a record that was skipped, and are dropped until the
 * next line with a time. Pure: no I/O. */
#ifndef ROTD_RECORD_H
#define ROTD_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "logs/linereader.h"

/* The most bytes of text one record holds. */
#define RECORD_MAX (1024u * 1024u)

struct record {
	int has_time;
	int64_t t_us;          /* when has_time */
	char *text;            /* its lines joined by '\n', NUL-terminated (owned by the recorder) */
	size_t len;            /* bytes of text, without the NUL */
	size_t lines;
	int continued;         /* a piece after the first of a record longer than RECORD_MAX */
};

struct recorder;

/* A recorder dating lines with time_of(ctx, ...); cap is the most bytes a record
 * holds (RECORD_MAX, or less for tests). */
struct recorder *recorder_new(linereader_time_fn time_of, const void *ctx, size_t cap);

/* Frees rec; NULL is allowed. */
void recorder_free(struct recorder *rec);

/* Feeds one line (len bytes, no newline; gap as linereader_next's). Returns 1
 * when it completed a record, now in *out until the next call to
 * recorder_line or recorder_finish; else 0. */
int recorder_line(struct recorder *rec, const char *line, size_t len, int gap, const struct record **out);

/* Completes the record in progress at the end of the input: 1 with *out set, or 0
 * when there is none. */
int recorder_finish(struct recorder *rec, const struct record **out);

/* The record in progress (borrowed; it changes with the next line), or NULL. */
const struct record *recorder_pending(const struct recorder *rec);

/* How many records (pieces included) rec has started: a caller sees whether a
 * line started one. */
unsigned long recorder_starts(const struct recorder *rec);

#endif
