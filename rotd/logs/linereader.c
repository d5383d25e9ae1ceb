/* linereader: lines out of plain files, rotd's indexed archives and other archives. */
#include "logs/linereader.h"

#include <archive.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/xalloc.h"
#include "rotate/member.h"

/* Bytes read at a time from a plain file or out of libarchive. */
#define CHUNK (64u * 1024u)

enum reader_kind { READ_PLAIN, READ_FOREIGN, READ_INDEXED };

struct linereader {
	int fd;
	enum reader_kind kind;
	char *chunk;               /* bytes read and not yet split */
	size_t chunk_len, chunk_pos, chunk_cap;
	char *carry;               /* the start of a line that crosses chunks */
	size_t carry_len, carry_cap;
	int carry_out;             /* carry was delivered: empty it on the next call */
	int unterminated;          /* the line delivered last ended the input without a '\n' */
	int eof;
	int gap;                   /* lines were skipped before the next line */
	uint64_t off, end;         /* READ_PLAIN: next offset, end */
	struct archive *ar;        /* READ_FOREIGN */
	enum compress_kind codec;  /* READ_INDEXED */
	int64_t since_us, until_us;
	uint64_t moff;             /* READ_INDEXED: the next member's offset */
	int prev_read;             /* READ_INDEXED: the member before was read */
	int carry_in;              /* READ_INDEXED: the first member ends a record or line begun before */
	int64_t carry_us;          /* ... dated this */
	char err[256];
};

static struct linereader *reader_new(int fd, enum reader_kind kind)
{
	struct linereader *r = xcalloc(1, sizeof(*r));

	r->fd = fd;
	r->kind = kind;
	return r;
}

struct linereader *linereader_plain(int fd, uint64_t start, uint64_t end)
{
	struct linereader *r = reader_new(fd, READ_PLAIN);

	r->gap = start > 0; /* the lines before start are skipped */
	r->off = start;
	r->end = end;
	return r;
}

static int foreign_start(struct linereader *r)
{
	struct archive_entry *entry;
	int st;

	r->kind = READ_FOREIGN;
	r->ar = archive_read_new();
	/* Not archive_read_support_filter_all: a hostile file must not make
	 * libarchive run an external decompressor (lrzip, lzop, grzip). */
	archive_read_support_filter_gzip(r->ar);
	archive_read_support_filter_bzip2(r->ar);
	archive_read_support_filter_xz(r->ar);
	archive_read_support_filter_lzma(r->ar);
	archive_read_support_filter_zstd(r->ar);
	archive_read_support_filter_lz4(r->ar);
	archive_read_support_format_raw(r->ar);
	archive_read_support_format_empty(r->ar);
	if (lseek(r->fd, 0, SEEK_SET) < 0 || archive_read_open_fd(r->ar, r->fd, CHUNK) != ARCHIVE_OK) {
		snprintf(r->err, sizeof(r->err), "cannot read: %s",
			 archive_error_string(r->ar) ? archive_error_string(r->ar) : strerror(errno));
		return -1;
	}
	st = archive_read_next_header(r->ar, &entry);
	if (st == ARCHIVE_EOF) {
		r->eof = 1;
		return 0;
	}
	if (st != ARCHIVE_OK && st != ARCHIVE_WARN) {
		snprintf(r->err, sizeof(r->err), "cannot read: %s",
			 archive_error_string(r->ar) ? archive_error_string(r->ar) : "unknown format");
		return -1;
	}
	return 0;
}

struct linereader *linereader_foreign(int fd)
{
	struct linereader *r = reader_new(fd, READ_FOREIGN);

	if (foreign_start(r) < 0)
		r->eof = -1;
	return r;
}

struct linereader *linereader_indexed(int fd, enum compress_kind codec, int64_t since_us, int64_t until_us,
				      int carry, int64_t carry_us)
{
	struct linereader *r = reader_new(fd, READ_INDEXED);

	r->prev_read = carry;
	r->carry_in = carry;
	r->carry_us = carry_us;
	r->codec = codec;
	r->since_us = since_us;
	r->until_us = until_us;
	return r;
}

/* Whether the member info describes is read: it overlaps the window, or it
 * continues (or, without a time, follows) a member that was read. */
static int member_wanted(const struct linereader *r, const struct member_info *info)
{
	if (r->since_us == INT64_MIN && r->until_us == INT64_MAX)
		return 1;
	if (info->offset == 0 && r->carry_in) {
		int timed = (info->flags & MEMBER_HAS_TIME) != 0;
		int64_t lo = timed && info->min_us < r->carry_us ? info->min_us : r->carry_us;
		int64_t hi = timed && info->max_us > r->carry_us ? info->max_us : r->carry_us;

		return hi >= r->since_us && lo < r->until_us;
	}
	if ((info->flags & MEMBER_HAS_TIME) && info->max_us >= r->since_us && info->min_us < r->until_us)
		return 1;
	return r->prev_read && ((info->flags & MEMBER_CONTINUES) || !(info->flags & MEMBER_HAS_TIME));
}

static int fill(struct linereader *r);

/* Decodes the next member worth reading into the chunk: 1, 0 at the end, -1 on error. */
static int fill_member(struct linereader *r)
{
	for (;;) {
		struct member_info info;
		int st = member_next(r->fd, r->moff, r->codec, &info);

		if (st == 0)
			return 0;
		if (st < 0) {
			if (r->moff == 0 && errno == EINVAL) {
				/* Not rotd's members: an old single-member archive, or another program's. */
				if (foreign_start(r) < 0)
					return -1;
				return r->eof ? 0 : fill(r);
			}
			snprintf(r->err, sizeof(r->err), "corrupt or truncated archive at byte %llu: %s",
				 (unsigned long long)r->moff, errno == EINVAL ? "not a member header" : strerror(errno));
			return -1;
		}
		r->moff = info.offset + info.size;
		if (!member_wanted(r, &info)) {
			r->prev_read = 0;
			r->gap = 1;
			continue;
		}
		if (info.input_size > MEMBER_MAX_INPUT) {
			snprintf(r->err, sizeof(r->err), "corrupt archive: the member at byte %llu claims %u bytes",
				 (unsigned long long)info.offset, (unsigned)info.input_size);
			return -1;
		}
		/* As large as the members read so far: a small archive, such as a
		 * crash log's, keeps a small buffer while its log waits in the merge. */
		if (r->chunk_cap < info.input_size) {
			r->chunk = xreallocarray(r->chunk, info.input_size, 1);
			r->chunk_cap = info.input_size;
		}
		if (member_decode(r->fd, &info, r->codec, r->chunk, r->chunk_cap) < 0) {
			snprintf(r->err, sizeof(r->err), "corrupt archive: the member at byte %llu: %s",
				 (unsigned long long)info.offset, strerror(errno));
			return -1;
		}
		r->prev_read = 1;
		r->chunk_len = info.input_size;
		if (r->chunk_len > 0)
			return 1;
	}
}

/* Fills the chunk with the next bytes: 1, 0 at the end, -1 on error. */
static int fill(struct linereader *r)
{
	ssize_t n;

	r->chunk_pos = 0;
	r->chunk_len = 0;
	if (r->kind == READ_INDEXED)
		return fill_member(r);
	if (r->chunk_cap < CHUNK) {
		r->chunk = xreallocarray(r->chunk, CHUNK, 1);
		r->chunk_cap = CHUNK;
	}
	switch (r->kind) {
	case READ_PLAIN:
		if (r->off >= r->end)
			return 0;
		do
			n = pread(r->fd, r->chunk, r->end - r->off < CHUNK ? (size_t)(r->end - r->off) : CHUNK,
				  (off_t)r->off);
		while (n < 0 && errno == EINTR);
		if (n < 0) {
			snprintf(r->err, sizeof(r->err), "read error: %s", strerror(errno));
			return -1;
		}
		if (n == 0) /* it shrank (truncated by a rotation): what is left is gone */
			return 0;
		r->off += (uint64_t)n;
		r->chunk_len = (size_t)n;
		return 1;
	case READ_INDEXED:
		return 0;
	case READ_FOREIGN:
		n = archive_read_data(r->ar, r->chunk, CHUNK);
		if (n < 0) {
			snprintf(r->err, sizeof(r->err), "corrupt or truncated archive: %s",
				 archive_error_string(r->ar) ? archive_error_string(r->ar) : "read error");
			return -1;
		}
		r->chunk_len = (size_t)n;
		return n > 0;
	}
	return 0;
}

static void carry_add(struct linereader *r, const char *p, size_t n)
{
	if (r->carry_len + n > r->carry_cap) {
		size_t cap = r->carry_cap ? r->carry_cap : 4096;

		while (cap < r->carry_len + n)
			cap *= 2;
		r->carry = xreallocarray(r->carry, cap, 1);
		r->carry_cap = cap;
	}
	memcpy(r->carry + r->carry_len, p, n);
	r->carry_len += n;
}

static int deliver(struct linereader *r, const char *p, size_t n, const char **line, size_t *len, int *gap)
{
	if (n > 0 && p[n - 1] == '\r')
		n--;
	*line = p;
	*len = n;
	*gap = r->gap;
	r->gap = 0;
	return 1;
}

int linereader_next(struct linereader *r, const char **line, size_t *len, int *gap)
{
	if (r->carry_out) {
		r->carry_len = 0;
		r->carry_out = 0;
	}
	if (r->eof < 0)
		return -1;
	for (;;) {
		if (r->chunk_pos < r->chunk_len) {
			const char *p = r->chunk + r->chunk_pos;
			size_t avail = r->chunk_len - r->chunk_pos;
			size_t room = LINEREADER_LINE_MAX - r->carry_len;
			const char *nl = memchr(p, '\n', avail < room ? avail : room);

			if (nl != NULL) {
				size_t n = (size_t)(nl - p);

				r->chunk_pos += n + 1;
				if (r->carry_len == 0)
					return deliver(r, p, n, line, len, gap);
				carry_add(r, p, n);
				r->carry_out = 1;
				return deliver(r, r->carry, r->carry_len, line, len, gap);
			}
			if (avail >= room) { /* an overlong line: its first piece */
				carry_add(r, p, room);
				r->chunk_pos += room;
				r->carry_out = 1;
				return deliver(r, r->carry, r->carry_len, line, len, gap);
			}
			carry_add(r, p, avail);
			r->chunk_pos = r->chunk_len;
			continue;
		}
		if (!r->eof) {
			int st = fill(r);

			if (st < 0) {
				r->eof = -1;
				return -1;
			}
			if (st > 0)
				continue;
			r->eof = 1;
		}
		if (r->carry_len > 0) {
			r->carry_out = 1;
			r->unterminated = 1;
			return deliver(r, r->carry, r->carry_len, line, len, gap);
		}
		return 0;
	}
}

int linereader_unterminated(const struct linereader *r)
{
	return r->unterminated;
}

const char *linereader_error(const struct linereader *r)
{
	return r->err;
}

void linereader_free(struct linereader *r)
{
	if (r == NULL)
		return;
	if (r->ar != NULL)
		archive_read_free(r->ar);
	if (r->fd >= 0)
		close(r->fd);
	free(r->chunk);
	free(r->carry);
	free(r);
}

/* The first line with a time that starts at or after off (off itself when 0):
 * 1 with *at and *t set, or 0 when none starts in the next block. */
static int probe(int fd, uint64_t off, uint64_t size, linereader_time_fn time_of, const void *ctx, char *buf,
		 uint64_t *at, int64_t *t)
{
	size_t want = size - off < CHUNK ? (size_t)(size - off) : CHUNK;
	ssize_t n;
	size_t pos = 0;

	do
		n = pread(fd, buf, want, (off_t)off);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return 0;
	if (off > 0) {
		const char *nl = memchr(buf, '\n', (size_t)n);

		if (nl == NULL)
			return 0;
		pos = (size_t)(nl - buf) + 1;
	}
	while (pos < (size_t)n) {
		const char *nl = memchr(buf + pos, '\n', (size_t)n - pos);

		if (nl == NULL)
			return 0;
		if (time_of(ctx, buf + pos, (size_t)(nl - (buf + pos)), t)) {
			*at = off + pos;
			return 1;
		}
		pos = (size_t)(nl - buf) + 1;
	}
	return 0;
}

uint64_t linereader_bisect(int fd, uint64_t size, linereader_time_fn time_of, const void *ctx,
			   int64_t target_us, int64_t slack_us)
{
	char *buf = xmalloc(CHUNK);
	uint64_t lo = 0, hi = size;
	int64_t target = target_us > INT64_MIN + slack_us ? target_us - slack_us : INT64_MIN;

	while (hi > lo && hi - lo > CHUNK) {
		uint64_t mid = lo + (hi - lo) / 2, at;
		int64_t t;

		if (!probe(fd, mid, size, time_of, ctx, buf, &at, &t))
			break;
		if (t < target)
			lo = at;
		else
			hi = mid;
	}
	free(buf);
	return lo;
}
