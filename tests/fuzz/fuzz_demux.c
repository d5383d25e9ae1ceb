/* libFuzzer target: Docker's exec stream demultiplexer (demux.h). The input
 * is fed whole and again in chunks whose sizes its first bytes choose; both
 * must deliver the same bytes on the same streams and fail alike. */
#include "autoconf.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/demux.h"

#define NSIZES 4

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What a feed delivered: the payload bytes, and each byte's stream. */
struct out {
	char *bytes;
	char *streams;
	size_t len;
};

static int collect(enum demux_stream stream, const char *data, size_t len, void *arg)
{
	struct out *o = arg;

	if ((unsigned)stream > DEMUX_STDERR || len == 0)
		abort();
	memcpy(o->bytes + o->len, data, len);
	memset(o->streams + o->len, (int)stream, len);
	o->len += len;
	return 0;
}

static void out_init(struct out *o, size_t cap)
{
	o->bytes = malloc(cap + 1);
	o->streams = malloc(cap + 1);
	o->len = 0;
	if (o->bytes == NULL || o->streams == NULL)
		abort();
}

static void out_free(struct out *o)
{
	free(o->bytes);
	free(o->streams);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct demux whole, chunked;
	struct out a, b;
	unsigned char sizes[NSIZES];
	int rc_whole, rc_chunked = 0, failed = 0;
	size_t off = 0, k = 0;

	if (size < NSIZES)
		return 0;
	memcpy(sizes, data, NSIZES);
	if (sizes[0] == 0 && sizes[1] == 0 && sizes[2] == 0 && sizes[3] == 0)
		sizes[0] = 1;
	data += NSIZES;
	size -= NSIZES;
	out_init(&a, size);
	out_init(&b, size);

	demux_init(&whole);
	rc_whole = demux_feed(&whole, (const char *)data, size, collect, &a);

	demux_init(&chunked);
	while (off < size) {
		/* sizes 0..255, so empty feeds happen too */
		size_t n = sizes[k++ % NSIZES];

		if (n > size - off)
			n = size - off;
		rc_chunked = demux_feed(&chunked, (const char *)data + off, n, collect, &b);
		if (failed && rc_chunked != -1)
			abort();
		failed |= rc_chunked == -1;
		off += n;
	}
	if (size == 0)
		rc_chunked = demux_feed(&chunked, "", 0, collect, &b);

	if (rc_whole != rc_chunked || (rc_whole != 0 && rc_whole != -1))
		abort();
	if (a.len != b.len || a.len > size || memcmp(a.bytes, b.bytes, a.len) != 0 ||
	    memcmp(a.streams, b.streams, a.len) != 0)
		abort();
	if (demux_at_boundary(&whole) != demux_at_boundary(&chunked))
		abort();
	if (rc_whole == -1 && (demux_at_boundary(&whole) || demux_feed(&whole, "x", 1, collect, &a) != -1))
		abort();
	out_free(&a);
	out_free(&b);
	return 0;
}
