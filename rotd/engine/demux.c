#include "autoconf.h"

#include <string.h>

#include "engine/demux.h"

void demux_init(struct demux *d)
{
	memset(d, 0, sizeof(*d));
	d->stream = DEMUX_STDOUT;
}

/* Decodes the complete header in d->header; returns 0, or -1 when it is malformed. */
static int parse_header(struct demux *d)
{
	const unsigned char *h = d->header;

	if (h[0] > DEMUX_STDERR || h[1] != 0 || h[2] != 0 || h[3] != 0)
		return -1;
	d->stream = (enum demux_stream)h[0];
	d->remaining = (uint32_t)h[4] << 24 | (uint32_t)h[5] << 16 | (uint32_t)h[6] << 8 | (uint32_t)h[7];
	d->header_len = 0;
	return 0;
}

int demux_feed(struct demux *d, const char *buf, size_t len, demux_cb cb, void *arg)
{
	while (len > 0 && !d->failed) {
		size_t n;

		if (d->remaining == 0) {
			n = sizeof(d->header) - d->header_len;
			if (n > len)
				n = len;
			memcpy(d->header + d->header_len, buf, n);
			d->header_len += n;
			if (d->header_len == sizeof(d->header) && parse_header(d) != 0)
				d->failed = 1;
		} else {
			int rc;

			n = d->remaining < len ? d->remaining : len;
			d->remaining -= (uint32_t)n;
			rc = cb(d->stream, buf, n, arg);
			if (rc != 0)
				return rc;
		}
		buf += n;
		len -= n;
	}
	return d->failed ? -1 : 0;
}

int demux_at_boundary(const struct demux *d)
{
	return !d->failed && d->header_len == 0 && d->remaining == 0;
}
