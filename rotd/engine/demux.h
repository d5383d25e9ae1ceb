/* demux: splits Docker's multiplexed exec/attach stream into stdout and stderr.
 *
 * Each frame is an 8-byte header {stream, 0, 0, 0, size32be} followed by size bytes.
 * Input may arrive in arbitrary chunks: headers and payloads split anywhere are
 * reassembled. Pure; no I/O. */
#ifndef ROTD_DEMUX_H
#define ROTD_DEMUX_H

#include <stddef.h>
#include <stdint.h>

enum demux_stream { DEMUX_STDIN = 0, DEMUX_STDOUT = 1, DEMUX_STDERR = 2 };

/* Receives a piece of one frame's payload (a frame may arrive in several pieces).
 * Returns 0 to go on, non-zero to stop demux_feed with that value. */
typedef int (*demux_cb)(enum demux_stream stream, const char *data, size_t len, void *arg);

struct demux {
	unsigned char header[8];
	size_t header_len;     /* bytes of header[] filled so far */
	uint32_t remaining;    /* payload bytes left in the current frame */
	enum demux_stream stream;
	int failed;            /* set after a malformed header; further input is refused */
};

/* Prepares d for a new stream. */
void demux_init(struct demux *d);

/* Feeds len bytes. Calls cb for each payload piece, in order. Returns 0; -1 when
 * a header is malformed (stream byte > 2 or non-zero padding), after which every
 * call returns -1; or the callback's non-zero value. */
int demux_feed(struct demux *d, const char *buf, size_t len, demux_cb cb, void *arg);

/* Returns 1 when the stream ended cleanly between frames, else 0 (truncated frame). */
int demux_at_boundary(const struct demux *d);

#endif
