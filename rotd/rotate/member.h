/* member: the indexed members rotd writes its archives as, and how to read them.
 *
 * An archive is a series of independent members, each holding at most
 * MEMBER_MAX_INPUT bytes of the log, cut at a record's start where possible:
 *   gzip: one gzip member per piece (RFC 1952), with FEXTRA carrying one subfield
 *     'R','T' (as BGZF's 'B','C'), so gzip -t and zcat read the file unchanged;
 *   zstd: a skippable frame (magic 0x184D2A5E) with the same index, then one zstd
 *     frame with the data, so zstd -t and zstd -d read it unchanged.
 * The index of a member: the whole member's size on disk (to hop to the next
 * without decompressing), its input size, and the least and greatest time of its
 * lines that carry one. On disk, little-endian: version u8 (1), flags u8, size
 * u32, input size u32, min_us i64, max_us i64 (26 bytes; both times 0 without
 * MEMBER_HAS_TIME); gzip: the subfield's LEN is 26, and rotd's members have no
 * other subfield (readers skip any); zstd: the skippable frame holds 'R','T'
 * then the 26 bytes. A reader hops from header to header and decompresses only
 * the members whose times overlap its window.
 * Cuts: a piece ends at the start of its last line that carries a time (so a
 * record, a dated line and its continuation lines, stays whole), else after its
 * last newline, else at MEMBER_MAX_INPUT; the range's last piece ends with it.
 * Times are those compress_range's clock reads from each line's start.
 * Archives rotd did not write (no index on their first member) are not members:
 * member_next says so, and they are read whole with libarchive. */
#ifndef ROTD_MEMBER_H
#define ROTD_MEMBER_H

#include <stddef.h>
#include <stdint.h>

#include "config/config.h"

/* Input bytes per member, at most. */
#define MEMBER_MAX_INPUT (1024u * 1024u)

enum member_flags {
	MEMBER_HAS_TIME = 1,       /* min_us/max_us are set: some line carried a time */
	MEMBER_CONTINUES = 2,      /* its first bytes continue the record of the member
	                              before it (a record longer than MEMBER_MAX_INPUT):
	                              set when the piece before was cut inside a line (it
	                              held no newline), or, with a clock, when the member's
	                              first line carries no time; never on an archive's
	                              first member */
};

/* One member's index, as stored in its header. */
struct member_info {
	uint64_t offset;           /* where the member starts in the archive */
	uint64_t size;             /* the whole member on disk: header, data, trailer */
	uint32_t input_size;       /* its bytes of log, <= MEMBER_MAX_INPUT */
	unsigned flags;            /* enum member_flags */
	int64_t min_us;            /* the least time of its lines, when MEMBER_HAS_TIME */
	int64_t max_us;            /* the greatest */
};

/* Reusable per-thread compressor state (libdeflate or a ZSTD_CCtx), for one kind
 * and level. */
struct member_encoder;

/* Makes an encoder; level as compress_range's (gzip 1..9, zstd 1..19). Returns
 * NULL with *err set for a bad level or no memory. */
struct member_encoder *member_encoder_new(enum compress_kind kind, int level, char **err);
void member_encoder_free(struct member_encoder *enc);

/* The most bytes member_encode can write for input_size bytes of input. */
size_t member_bound(const struct member_encoder *enc, size_t input_size);

/* Encodes in[0, n) (n <= MEMBER_MAX_INPUT) as one complete member with info's
 * flags, min_us and max_us into out (cap >= member_bound(enc, n)). Returns the
 * bytes written (info->size is set to it, info->input_size to n), or 0 on failure. */
size_t member_encode(struct member_encoder *enc, const void *in, size_t n, struct member_info *info,
		     void *out, size_t cap);

/* Reads the header of the member at offset of the archive open on fd (pread; the
 * file offset is untouched), whose codec is kind. Returns 1 and fills *info, 0
 * at a clean end of file, or -1 when the bytes there are not an indexed member
 * (an archive rotd did not write, or a truncated or corrupt one), with errno set
 * (EINVAL for the format, or pread's). Reads at most a few dozen bytes. */
int member_next(int fd, uint64_t offset, enum compress_kind kind, struct member_info *info);

/* Parses a member header already in memory (buf holds len bytes from the
 * member's start); what member_next does after its pread, for fuzzing. Returns
 * 1, 0 when len is 0, or -1. */
int member_parse(const void *buf, size_t len, enum compress_kind kind, uint64_t offset,
		 struct member_info *info);

/* Decompresses the member info describes from fd into out (cap >= info->input_size)
 * and checks it (gzip's CRC-32 and length; zstd's checksum). Returns 0, or -1
 * with errno set (EBADMSG for corrupt data, or pread's). */
int member_decode(int fd, const struct member_info *info, enum compress_kind kind, void *out,
		  size_t cap);

#endif
