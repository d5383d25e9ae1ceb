#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "lib/lines.h"
#include "lib/xalloc.h"

/* The buffer holds up to max_line bytes of a line plus one for a '\r' that may
 * precede the '\n', plus the terminating NUL. */
static size_t hold_limit(const struct lines *l)
{
	return l->max_line + 1;
}

void lines_init(struct lines *l, size_t max_line)
{
	memset(l, 0, sizeof(*l));
	l->max_line = max_line > 0 ? max_line : 1;
}

/* Appends n bytes (n <= hold_limit - len) to the buffer, growing it as needed. */
static void append(struct lines *l, const char *data, size_t n)
{
	size_t need = l->len + n + 1;

	if (need > l->cap) {
		size_t cap = l->cap > 0 ? l->cap : 128;

		while (cap < need)
			cap *= 2;
		if (cap > hold_limit(l) + 1)
			cap = hold_limit(l) + 1;
		l->buf = xreallocarray(l->buf, cap, 1);
		l->cap = cap;
	}
	memcpy(l->buf + l->len, data, n);
	l->len += n;
}

/* Passes the first len buffered bytes to cb as one line and empties the buffer. */
static int emit(struct lines *l, size_t len, int truncated, lines_cb cb, void *arg)
{
	if (l->buf == NULL)
		append(l, "", 0);
	l->buf[len] = '\0';
	l->len = 0;
	return cb(l->buf, len, truncated, arg);
}

/* Delivers the complete buffered line without a trailing '\r', cut at max_line. */
static int emit_line(struct lines *l, lines_cb cb, void *arg)
{
	size_t len = l->len;

	if (len > 0 && l->buf[len - 1] == '\r')
		len--;
	if (len > l->max_line)
		return emit(l, l->max_line, 1, cb, arg);
	return emit(l, len, 0, cb, arg);
}

int lines_feed(struct lines *l, const char *data, size_t len, lines_cb cb, void *arg)
{
	while (len > 0) {
		const char *nl = memchr(data, '\n', len);
		size_t seg = nl != NULL ? (size_t)(nl - data) : len;
		size_t room = hold_limit(l) - l->len;
		int rc = 0;

		if (l->discarding) {
			l->discarding = nl == NULL;
		} else if (seg > room) {
			append(l, data, room);
			l->discarding = nl == NULL;
			rc = emit(l, l->max_line, 1, cb, arg);
		} else {
			append(l, data, seg);
			if (nl != NULL)
				rc = emit_line(l, cb, arg);
		}
		if (nl == NULL || rc != 0)
			return rc;
		data += seg + 1;
		len -= seg + 1;
	}
	return 0;
}

int lines_flush(struct lines *l, lines_cb cb, void *arg)
{
	if (l->discarding) {
		l->discarding = 0;
		l->len = 0;
		return 0;
	}
	if (l->len == 0)
		return 0;
	return emit_line(l, cb, arg);
}

void lines_free(struct lines *l)
{
	free(l->buf);
	memset(l, 0, sizeof(*l));
}
