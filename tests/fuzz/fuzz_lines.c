/* libFuzzer target: the line splitter (lines.h). The input is split whole and
 * again in chunks whose sizes its first bytes choose, with a small line cap;
 * both must deliver the same lines. */
#include "autoconf.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/lines.h"

#define NSIZES 4

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct out {
	char *text;          /* each line as "T" or "W", its bytes, then a NUL */
	size_t len, cap;
	size_t max_line;
	size_t lines;
};

static int collect(const char *line, size_t len, int truncated, void *arg)
{
	struct out *o = arg;

	if (len > o->max_line || line[len] != '\0' || memchr(line, '\n', len) != NULL ||
	    (truncated != 0 && truncated != 1) || (truncated && len != o->max_line))
		abort();
	if (o->len + len + 2 > o->cap) {
		o->cap = (o->len + len + 2) * 2;
		o->text = realloc(o->text, o->cap);
		if (o->text == NULL)
			abort();
	}
	o->text[o->len++] = truncated ? 'T' : 'W';
	memcpy(o->text + o->len, line, len);
	o->len += len;
	o->text[o->len++] = '\0';
	o->lines++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lines whole, chunked;
	struct out a = { NULL, 0, 0, 0, 0 }, b = { NULL, 0, 0, 0, 0 };
	unsigned char sizes[NSIZES];
	size_t max_line, off = 0, k = 0, newlines;

	if (size < NSIZES + 1)
		return 0;
	max_line = 1 + data[0] % 32;
	memcpy(sizes, data + 1, NSIZES);
	if (sizes[0] % 64 == 0 && sizes[1] % 64 == 0 && sizes[2] % 64 == 0 && sizes[3] % 64 == 0)
		sizes[0] = 1;
	data += NSIZES + 1;
	size -= NSIZES + 1;
	a.max_line = b.max_line = max_line;

	lines_init(&whole, max_line);
	if (lines_feed(&whole, (const char *)data, size, collect, &a) != 0 || lines_flush(&whole, collect, &a) != 0)
		abort();
	lines_free(&whole);

	lines_init(&chunked, max_line);
	while (off < size) {
		size_t n = sizes[k++ % NSIZES] % 64;

		if (n > size - off)
			n = size - off;
		if (lines_feed(&chunked, (const char *)data + off, n, collect, &b) != 0)
			abort();
		off += n;
	}
	if (lines_flush(&chunked, collect, &b) != 0 || lines_flush(&chunked, collect, &b) != 0)
		abort();
	lines_free(&chunked);

	if (a.len != b.len || a.lines != b.lines || (a.len > 0 && memcmp(a.text, b.text, a.len) != 0))
		abort();
	/* one line per '\n', plus an unterminated last one */
	newlines = 0;
	for (size_t i = 0; i < size; i++)
		newlines += data[i] == '\n';
	if (a.lines != newlines + (size > 0 && data[size - 1] != '\n'))
		abort();
	free(a.text);
	free(b.text);
	return 0;
}
