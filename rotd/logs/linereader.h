/* linereader: the lines of one source, pulled one at a time with bounded
 * buffers (nothing proportional to the file): a live plain file read up to the
 * size it had when opened, an archive rotd wrote read member by member (only
 * the members whose times overlap the window), or an archive rotd did not write
 * read whole through libarchive. A line longer than LINEREADER_LINE_MAX comes
 * out in pieces of that size, so nothing is lost. */
#ifndef ROTD_LINEREADER_H
#define ROTD_LINEREADER_H

#include <stddef.h>
#include <stdint.h>

#include "config/config.h"

/* The longest line delivered in one piece. */
#define LINEREADER_LINE_MAX (1024u * 1024u)

/* Says whether a line carries a time: 1 and *t_us set, or 0 (as compress_time_fn). */
typedef int (*linereader_time_fn)(const void *ctx, const char *line, size_t len, int64_t *t_us);

struct linereader;

/* Reads bytes [start, end) of the plain file open on fd (fd is taken: closed by
 * linereader_free). start must be 0 or a line's start; after 0 its first line
 * comes with gap set. */
struct linereader *linereader_plain(int fd, uint64_t start, uint64_t end);

/* Reads the archive open on fd (taken) whole with libarchive: gzip, bzip2, xz,
 * lzma, zstd, lz4, or no compression at all. */
struct linereader *linereader_foreign(int fd);

/* Reads the archive rotd wrote open on fd (taken), codec its suffix's: only the
 * members whose [min, max] overlaps [since_us, until_us), the members without a
 * time or continuing a record that follow a member read, and every member when
 * the window is open on both sides (INT64_MIN, INT64_MAX). carry says that the
 * source before ended inside a record or a line dated carry_us (INT64_MIN:
 * undated), which the first member's first bytes end: that member's range then
 * reaches down to carry_us. When its first member is not an indexed one (an
 * archive rotd wrote before members, or another program's), it reads the file
 * whole as linereader_foreign does. */
struct linereader *linereader_indexed(int fd, enum compress_kind codec, int64_t since_us, int64_t until_us,
				      int carry, int64_t carry_us);

/* The next line, without its '\n' (nor a trailing '\r'): returns 1 and sets
 * *line (valid until the next call) and *len; 0 at the end; -1 on a read or
 * decompression error (linereader_error says what). *gap is 1 when lines were
 * skipped just before this one (members outside the window), else 0. */
int linereader_next(struct linereader *r, const char **line, size_t *len, int *gap);

/* Whether the line linereader_next gave last ended the input without a '\n':
 * the first part of a line whose rest begins the next source (an archive of a
 * rotation cut at a block boundary, then the live log). */
int linereader_unterminated(const struct linereader *r);

/* What went wrong, after linereader_next returned -1 (owned by r). */
const char *linereader_error(const struct linereader *r);

/* Closes the fd and frees r; NULL is allowed. */
void linereader_free(struct linereader *r);

/* Where to start reading the plain file on fd (its first size bytes) for the
 * records at or after target_us: a byte offset found by bisection, 0 or the
 * start of a line whose time (time_of) is before target_us, so that no record at
 * or after target_us lies before it as long as the file's times never go back
 * by more than slack_us. Reads a few blocks per step; returns 0 when the lines
 * carry no time. */
uint64_t linereader_bisect(int fd, uint64_t size, linereader_time_fn time_of, const void *ctx,
			   int64_t target_us, int64_t slack_us);

#endif
