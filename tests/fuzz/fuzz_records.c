/* libFuzzer target: the record assembler (logs/record.h) on log bytes, dated by
 * the built-in recognisers (lib/logtime.h). The first byte chooses the record
 * cap, the second whether gaps are marked. Without gaps every line must come
 * out in exactly one record, in order; no record may exceed the cap; a record
 * that is not a continued piece starts with a line that carries a time, or
 * carries none itself. */
#include "autoconf.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/logtime.h"
#include "logs/record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int time_of(const void *ctx, const char *line, size_t len, int64_t *t_us)
{
	return logtime_parse(ctx, line, len, t_us);
}

struct check {
	const struct logtime_parser *p;
	size_t cap;
	char *joined;      /* every record's text, each followed by '\n' */
	size_t len, cap_joined;
};

static void take(struct check *c, const struct record *r)
{
	const char *nl = memchr(r->text, '\n', r->len);
	int64_t t;

	if (r->len > c->cap || strlen(r->text) > r->len || r->lines == 0)
		abort();
	/* the first line by its length, not up to a NUL: log lines may hold NULs */
	if (!r->continued &&
	    r->has_time != time_of(c->p, r->text, nl != NULL ? (size_t)(nl - r->text) : r->len, &t))
		abort();
	if (c->len + r->len + 1 > c->cap_joined) {
		c->cap_joined = (c->len + r->len + 1) * 2;
		c->joined = realloc(c->joined, c->cap_joined);
		if (c->joined == NULL)
			abort();
	}
	memcpy(c->joined + c->len, r->text, r->len);
	c->len += r->len;
	c->joined[c->len++] = '\n';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct logtime_parser *parser;
	struct check c = { NULL, 0, NULL, 0, 0 };
	struct recorder *rec;
	const struct record *r;
	const char *p, *end;
	unsigned gaps;
	size_t line_no = 0, expect = 0;

	if (parser == NULL) {
		char *err = NULL;

		parser = logtime_parser_new(NULL, NULL, INT64_C(1795000000000000), &err);
		if (parser == NULL)
			abort();
	}
	if (size < 2)
		return 0;
	c.p = parser;
	c.cap = 16 + data[0] * 4u;
	gaps = data[1];
	p = (const char *)data + 2;
	end = (const char *)data + size;
	rec = recorder_new(time_of, parser, c.cap);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		int gap = gaps != 0 && (line_no % 8) == (gaps % 8) && (gaps & 0x80);

		if (len > c.cap)
			len = c.cap;
		if (recorder_line(rec, p, len, gap, &r))
			take(&c, r);
		expect += len + 1;
		line_no++;
		p = nl != NULL ? nl + 1 : end;
	}
	if (recorder_finish(rec, &r))
		take(&c, r);
	if (recorder_finish(rec, &r))
		abort();
	recorder_free(rec);
	/* without gaps nothing is dropped: the lines come back in order */
	if (!(gaps & 0x80)) {
		const char *q = (const char *)data + 2;
		size_t o = 0;

		if (c.len != expect)
			abort();
		while (q < end) {
			const char *nl = memchr(q, '\n', (size_t)(end - q));
			size_t len = nl != NULL ? (size_t)(nl - q) : (size_t)(end - q);

			if (len > c.cap)
				len = c.cap;
			if (memcmp(c.joined + o, q, len) != 0 || c.joined[o + len] != '\n')
				abort();
			o += len + 1;
			q = nl != NULL ? nl + 1 : end;
		}
	}
	free(c.joined);
	return 0;
}
