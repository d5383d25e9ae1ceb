/* compress: streams a byte range of one file into a compressed archive on another
 * fd, in process, as indexed members (rotate/member.h): the range is cut into
 * pieces of at most MEMBER_MAX_INPUT bytes, at a record's start where it can be,
 * and the pieces are compressed in parallel (libdeflate for gzip, libzstd for
 * zstd) and written in order. Memory stays bounded whatever the input size: two
 * pieces and their output per thread plus one compressor, about 2.5 MiB a thread
 * at the default levels (threads 0: one per CPU, at most COMPRESS_DEFAULT_THREADS_MAX,
 * so at most about 20 MiB per archive being written). */
#ifndef ROTD_COMPRESS_H
#define ROTD_COMPRESS_H

#include <stddef.h>
#include <stdint.h>

#include "config/config.h"

struct compress_result {
	uint64_t bytes_in;     /* bytes read from the source */
	uint64_t bytes_out;    /* compressed bytes written */
	uint64_t digest;       /* compress_digest of the bytes read */
};

/* The most threads that threads 0 picks: on a large host, rotd's other workers
 * (one per container) already use the other cores, and memory stays small. */
#define COMPRESS_DEFAULT_THREADS_MAX 8u

/* Says whether a line carries a time: returns 1 and sets *t_us (microseconds since
 * the epoch, UTC), or 0 for a line without one (a continuation line). Called from
 * several threads at once. */
typedef int (*compress_time_fn)(const void *ctx, const char *line, size_t len, int64_t *t_us);

/* How compress_range dates lines; time_of NULL: members carry no times and are cut
 * at line ends. */
struct compress_clock {
	compress_time_fn time_of;
	const void *ctx;
};

/* Reads bytes [0, length) of src_fd with pread (the file offset is not used or
 * changed) and writes them compressed to dst_fd, which must be empty and
 * positioned at 0, as indexed members dated by clock (NULL: no times), on up to
 * threads threads (0: one per CPU, at most COMPRESS_DEFAULT_THREADS_MAX). level is the compressor's level (gzip 1..9,
 * zstd 1..19). Does not fsync. Returns 0 and fills *res, or -1 with *err set to
 * a new one-line message (the source shrank under us, a read or write error such
 * as ENOSPC, or the compressor's error). On failure dst_fd may hold a prefix of
 * the archive; the caller discards it. */
int compress_range(int src_fd, uint64_t length, int dst_fd, enum compress_kind kind, int level,
		   const struct compress_clock *clock, unsigned threads,
		   struct compress_result *res, char **err);

/* The archive file suffix for kind: ".gz" or ".zst". */
const char *compress_suffix(enum compress_kind kind);

/* A 64-bit digest of bytes [0, length) of fd, read with pread; the same function
 * compress_range computes as it reads. Returns 0 and sets *digest, or -1 with
 * errno set (pread's errno such as EIO, or ENODATA when the file is shorter than
 * length). */
int compress_digest_file(int fd, uint64_t length, uint64_t *digest);

/* The same digest computed incrementally: init, update with the bytes in any
 * number of pieces of any sizes, then final. The result depends only on the
 * concatenated bytes. Not cryptographic: it detects accidental change (any single
 * changed byte always changes it; other changes collide with probability about
 * 2^-64), not tampering. The fields are private to compress.c; it owns no memory. */
struct compress_digest {
	uint64_t h;                 /* state after the last whole 8-byte word */
	uint64_t len;               /* bytes fed so far */
	unsigned char part[8];      /* the last len % 8 bytes, not yet in h */
};
void compress_digest_init(struct compress_digest *d);
void compress_digest_update(struct compress_digest *d, const void *buf, size_t len);
/* Returns the digest of everything fed so far; d may be updated further. */
uint64_t compress_digest_final(const struct compress_digest *d);

#endif
