#include "autoconf.h"

#include <archive.h>
#include <archive_entry.h>
#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rotate/compress.h"
#include "lib/heartbeat.h"
#include "lib/progress.h"
#include "lib/shutdown.h"
#include "lib/xalloc.h"

/* Read size for compress_range: large enough that syscalls and libarchive's
 * per-call overhead vanish next to the compressor's work. */
#define RANGE_BUF_SIZE (256 * 1024)
/* Read size for compress_digest_file (only hashing, so larger reads help more). */
#define DIGEST_BUF_SIZE (1024 * 1024)

/* Digest constants: odd, otherwise arbitrary (random) 64-bit values. */
#define DIGEST_SEED UINT64_C(0x2c49abfaaed36747)
#define DIGEST_MUL_W UINT64_C(0x9e3779b97f4a7c15)
#define DIGEST_MUL_H UINT64_C(0xcb28cf3fba2b87c9)
#define DIGEST_FIN_1 UINT64_C(0x7da8e6715e330103)
#define DIGEST_FIN_2 UINT64_C(0x1631e79d0652c8db)

static inline uint64_t rotl64(uint64_t x, unsigned r)
{
	return (x << r) | (x >> (64 - r));
}

/* Folds one word into the state. For a fixed h it is a bijection of w, and for a
 * fixed w a bijection of h, so a change confined to one word always survives to
 * the end. w * DIGEST_MUL_W does not depend on h and runs off the critical path. */
static inline uint64_t digest_absorb(uint64_t h, uint64_t w)
{
	h ^= w * DIGEST_MUL_W;
	return rotl64(h, 29) * DIGEST_MUL_H;
}

static inline uint64_t load_le64(const unsigned char *p)
{
	uint64_t w;

	memcpy(&w, p, sizeof(w));
	return le64toh(w);
}

void compress_digest_init(struct compress_digest *d)
{
	d->h = DIGEST_SEED;
	d->len = 0;
	memset(d->part, 0, sizeof(d->part));
}

void compress_digest_update(struct compress_digest *d, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t npart = (size_t)(d->len % 8);
	uint64_t h = d->h;

	d->len += len;
	if (npart != 0) {
		size_t take = 8 - npart < len ? 8 - npart : len;

		memcpy(d->part + npart, p, take);
		p += take;
		len -= take;
		if (npart + take < 8)
			return;
		h = digest_absorb(h, load_le64(d->part));
	}
	for (; len >= 8; p += 8, len -= 8)
		h = digest_absorb(h, load_le64(p));
	memcpy(d->part, p, len);
	d->h = h;
}

uint64_t compress_digest_final(const struct compress_digest *d)
{
	size_t npart = (size_t)(d->len % 8);
	unsigned char tail[8] = { 0 };
	uint64_t h;

	memcpy(tail, d->part, npart);
	h = digest_absorb(d->h, load_le64(tail));
	h = digest_absorb(h, d->len);
	h ^= h >> 31;
	h *= DIGEST_FIN_1;
	h ^= h >> 29;
	h *= DIGEST_FIN_2;
	h ^= h >> 32;
	return h;
}

/* pread that retries on EINTR. */
static ssize_t pread_retry(int fd, void *buf, size_t len, uint64_t off)
{
	ssize_t n;

	do
		n = pread(fd, buf, len, (off_t)off);
	while (n < 0 && errno == EINTR);
	return n;
}

int compress_digest_file(int fd, uint64_t length, uint64_t *digest)
{
	struct compress_digest d;
	unsigned char *buf;
	uint64_t off = 0;

	if (length > (uint64_t)INT64_MAX) {
		errno = EINVAL;
		return -1;
	}
	buf = xmalloc(DIGEST_BUF_SIZE);
	compress_digest_init(&d);
	while (off < length) {
		size_t want = length - off < DIGEST_BUF_SIZE ? (size_t)(length - off) : DIGEST_BUF_SIZE;
		ssize_t n = pread_retry(fd, buf, want, off);

		if (n <= 0) {
			int saved = n == 0 ? ENODATA : errno;

			free(buf);
			errno = saved;
			return -1;
		}
		compress_digest_update(&d, buf, (size_t)n);
		off += (uint64_t)n;
	}
	free(buf);
	*digest = compress_digest_final(&d);
	return 0;
}

const char *compress_suffix(enum compress_kind kind)
{
	return kind == COMPRESS_ZSTD ? ".zst" : ".gz";
}

/* Where libarchive's output goes: our own write callback, so that short writes
 * and EINTR are handled here and a write error keeps its errno. */
struct sink {
	int fd;
	uint64_t written;
	int error;      /* errno of the failed write(2); 0 if none failed */
	int discard;    /* set on failure: write nothing more to fd */
};

static la_ssize_t sink_write(struct archive *a, void *arg, const void *buf, size_t len)
{
	struct sink *s = arg;
	const char *p = buf;
	size_t left = len;

	if (s->discard) {
		archive_set_error(a, ECANCELED, "compression abandoned");
		return -1;
	}
	while (left > 0) {
		ssize_t n = write(s->fd, p, left);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			s->error = n < 0 ? errno : EIO;
			archive_set_error(a, s->error, "writing the archive: %s", strerror(s->error));
			return -1;
		}
		p += n;
		left -= (size_t)n;
		s->written += (uint64_t)n;
	}
	return (la_ssize_t)len;
}

/* The message for a libarchive failure in step: the write error if one caused it,
 * else libarchive's own text. */
static char *archive_failure(struct archive *a, const struct sink *s, const char *step)
{
	const char *text;

	if (s->error != 0)
		return xasprintf("writing the archive: %s", strerror(s->error));
	text = archive_error_string(a);
	return xasprintf("%s: %s", step, text != NULL ? text : "unknown libarchive error");
}

/* Releases a writer after a failure. Closing (not archive_write_fail) is what
 * frees the compressor's state (zlib's deflateEnd runs only in close); the sink
 * refuses the trailer it would flush, so dst_fd gets nothing more. */
static void writer_abandon(struct archive *a, struct sink *s)
{
	s->discard = 1;
	(void)archive_write_close(a);
	archive_write_free(a);
}

/* Creates the libarchive writer for kind and level, writing into *s. Returns it,
 * or NULL with *err set. */
static struct archive *writer_open(enum compress_kind kind, int level, struct sink *s, char **err)
{
	const char *name = kind == COMPRESS_ZSTD ? "zstd" : "gzip";
	int max_level = kind == COMPRESS_ZSTD ? 19 : 9;
	struct archive *a;
	struct archive_entry *e;
	char level_text[16];
	int r;

	if (level < 1 || level > max_level) {
		*err = xasprintf("invalid %s compression level %d (expected 1..%d)", name, level,
				 max_level);
		return NULL;
	}
	a = archive_write_new();
	if (a == NULL) {
		*err = xstrdup("setting up the compressor: libarchive is out of memory");
		return NULL;
	}
	if (archive_write_set_format_raw(a) != ARCHIVE_OK) {
		*err = archive_failure(a, s, "setting up the raw format");
		goto fail;
	}
	/* ARCHIVE_WARN here means libarchive lacks zlib/libzstd and would run an external
	 * program; refuse that rather than fork from a worker thread. */
	r = kind == COMPRESS_ZSTD ? archive_write_add_filter_zstd(a) : archive_write_add_filter_gzip(a);
	if (r != ARCHIVE_OK) {
		*err = archive_failure(a, s, kind == COMPRESS_ZSTD ? "setting up zstd" : "setting up gzip");
		goto fail;
	}
	snprintf(level_text, sizeof(level_text), "%d", level);
	if (archive_write_set_filter_option(a, name, "compression-level", level_text) != ARCHIVE_OK) {
		*err = archive_failure(a, s, "setting the compression level");
		goto fail;
	}
	/* gzip: store no mtime (libarchive writes the current time unless told not to;
	 * it never stores a file name). */
	if (kind == COMPRESS_GZIP &&
	    archive_write_set_filter_option(a, name, "timestamp", NULL) != ARCHIVE_OK) {
		*err = archive_failure(a, s, "turning off the gzip timestamp");
		goto fail;
	}
	/* No output blocking: compressed bytes go straight to sink_write and the last
	 * block is never padded with zeros (which gzip -t would flag). */
	if (archive_write_set_bytes_per_block(a, 0) != ARCHIVE_OK) {
		*err = archive_failure(a, s, "setting the block size");
		goto fail;
	}
	if (archive_write_open2(a, s, NULL, sink_write, NULL, NULL) != ARCHIVE_OK) {
		*err = archive_failure(a, s, "opening the archive");
		goto fail;
	}
	/* The raw format takes exactly one regular-file entry and writes no header. */
	e = archive_entry_new();
	if (e == NULL) {
		*err = xstrdup("setting up the archive entry: libarchive is out of memory");
		goto fail;
	}
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_pathname(e, "data");
	archive_entry_set_perm(e, 0600);
	r = archive_write_header(a, e);
	archive_entry_free(e);
	if (r != ARCHIVE_OK) {
		*err = archive_failure(a, s, "writing the entry header");
		goto fail;
	}
	return a;

fail:
	writer_abandon(a, s);
	return NULL;
}

int compress_range(int src_fd, uint64_t length, int dst_fd, enum compress_kind kind, int level,
		   const struct compress_clock *clock, unsigned threads,
		   struct compress_result *res, char **err)
{
	struct sink s = { .fd = dst_fd, .written = 0, .error = 0, .discard = 0 };
	struct compress_digest d;
	struct archive *a;
	unsigned char *buf;
	uint64_t off = 0;

	(void)clock;
	(void)threads;
	*err = NULL;
	if (length > (uint64_t)INT64_MAX) {
		*err = xasprintf("length %" PRIu64 " is too large", length);
		return -1;
	}
	a = writer_open(kind, level, &s, err);
	if (a == NULL)
		return -1;
	buf = xmalloc(RANGE_BUF_SIZE);
	compress_digest_init(&d);
	while (off < length) {
		size_t want = length - off < RANGE_BUF_SIZE ? (size_t)(length - off) : RANGE_BUF_SIZE;
		ssize_t n;
		la_ssize_t w;

		heartbeat_tick();
		if (shutdown_abandon()) {
			*err = xasprintf("abandoned after %" PRIu64 " of %" PRIu64 " bytes: rotd is stopping",
					 off, length);
			goto fail;
		}
		n = pread_retry(src_fd, buf, want, off);
		if (n < 0) {
			*err = xasprintf("reading the source at offset %" PRIu64 ": %s", off,
					 strerror(errno));
			goto fail;
		}
		if (n == 0) {
			*err = xasprintf("source shrank to %" PRIu64 " bytes while reading (expected %"
					 PRIu64 ")", off, length);
			goto fail;
		}
		compress_digest_update(&d, buf, (size_t)n);
		w = archive_write_data(a, buf, (size_t)n);
		if (w != n) {
			*err = archive_failure(a, &s, "compressing");
			goto fail;
		}
		off += (uint64_t)n;
		progress_advance((uint64_t)n);
	}
	free(buf);
	if (archive_write_close(a) != ARCHIVE_OK) {
		*err = archive_failure(a, &s, "finishing the archive");
		writer_abandon(a, &s);
		return -1;
	}
	archive_write_free(a);
	res->bytes_in = length;
	res->bytes_out = s.written;
	res->digest = compress_digest_final(&d);
	return 0;

fail:
	free(buf);
	writer_abandon(a, &s);
	return -1;
}
