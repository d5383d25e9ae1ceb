/* lines: splits a byte stream into lines, across chunk boundaries.
 * Used for the /events stream and for exec output. Pure; no I/O. */
#ifndef ROTD_LINES_H
#define ROTD_LINES_H

#include <stddef.h>

/* Receives one line without its '\n' (and without a trailing '\r'), NUL-terminated
 * at line[len]. truncated is 1 when the line exceeded the cap and was cut.
 * Returns 0 to go on, non-zero to stop. */
typedef int (*lines_cb)(const char *line, size_t len, int truncated, void *arg);

struct lines {
	char *buf;         /* owned */
	size_t len;
	size_t cap;
	size_t max_line;   /* longer lines are delivered cut at max_line bytes, truncated=1 */
	int discarding;    /* inside the unread rest of an overlong line */
};

/* Prepares l; max_line is the longest line delivered whole (> 0). */
void lines_init(struct lines *l, size_t max_line);

/* Feeds len bytes; calls cb for each complete line. Returns 0 or cb's non-zero value. */
int lines_feed(struct lines *l, const char *data, size_t len, lines_cb cb, void *arg);

/* Delivers a final unterminated line, if any. Returns 0 or cb's non-zero value. */
int lines_flush(struct lines *l, lines_cb cb, void *arg);

/* Frees the buffer. */
void lines_free(struct lines *l);

#endif
