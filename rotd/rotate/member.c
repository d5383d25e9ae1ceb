#include "autoconf.h"

#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libdeflate.h>
#include <zstd.h>

#include "rotate/member.h"
#include "lib/xalloc.h"

/* The index payload, the same in both kinds:
 *   version u8, flags u8, member size u32, input size u32, min_us i64, max_us i64
 * all little-endian. gzip stores it as FEXTRA subfield 'R','T' (LEN = 26); zstd
 * as a skippable frame whose content is 'R','T' then the payload. */
#define INDEX_VERSION 1
#define INDEX_LEN 26
#define INDEX_KNOWN_FLAGS (MEMBER_HAS_TIME | MEMBER_CONTINUES)

/* gzip: 10-byte fixed header, XLEN, then our one subfield (4-byte head + payload). */
#define GZ_FIXED 10
#define GZ_FLG_FTEXT 0x01
#define GZ_FLG_FEXTRA 0x04
#define GZ_FLG_RESERVED 0xe0
#define GZ_HEADER (GZ_FIXED + 2 + 4 + INDEX_LEN)
#define GZ_TRAILER 8

/* zstd: skippable frame magic, its content size, 'R','T', payload. */
#define ZST_SKIP_MAGIC 0x184D2A5Eu
#define ZST_SKIP_CONTENT (2 + INDEX_LEN)
#define ZST_HEADER (8 + ZST_SKIP_CONTENT)
/* The smallest zstd frame: magic, frame header, one empty last block. */
#define ZST_MIN_FRAME 9

/* What member_next reads first: a whole header as rotd writes it. Longer gzip
 * extra fields (other subfields) are read in a second pread. */
#define PEEK_LEN 64

struct member_encoder {
	enum compress_kind kind;
	int level;
	struct libdeflate_compressor *deflate;
	ZSTD_CCtx *zstd;
};

static void put_le16(unsigned char *p, uint16_t v)
{
	v = htole16(v);
	memcpy(p, &v, sizeof(v));
}

static void put_le32(unsigned char *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, sizeof(v));
}

static void put_le64(unsigned char *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, sizeof(v));
}

static uint16_t get_le16(const unsigned char *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return le16toh(v);
}

static uint32_t get_le32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}

static uint64_t get_le64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

struct member_encoder *member_encoder_new(enum compress_kind kind, int level, char **err)
{
	const char *name = kind == COMPRESS_ZSTD ? "zstd" : "gzip";
	int max_level = kind == COMPRESS_ZSTD ? 19 : 9;
	struct member_encoder *enc;

	if (level < 1 || level > max_level) {
		*err = xasprintf("invalid %s compression level %d (expected 1..%d)", name, level,
				 max_level);
		return NULL;
	}
	enc = xcalloc(1, sizeof(*enc));
	enc->kind = kind;
	enc->level = level;
	if (kind == COMPRESS_ZSTD) {
		enc->zstd = ZSTD_createCCtx();
		if (enc->zstd == NULL ||
		    ZSTD_isError(ZSTD_CCtx_setParameter(enc->zstd, ZSTD_c_compressionLevel, level)) ||
		    ZSTD_isError(ZSTD_CCtx_setParameter(enc->zstd, ZSTD_c_checksumFlag, 1)) ||
		    ZSTD_isError(ZSTD_CCtx_setParameter(enc->zstd, ZSTD_c_contentSizeFlag, 1))) {
			member_encoder_free(enc);
			*err = xstrdup("setting up zstd: out of memory");
			return NULL;
		}
	} else {
		enc->deflate = libdeflate_alloc_compressor(level);
		if (enc->deflate == NULL) {
			member_encoder_free(enc);
			*err = xstrdup("setting up gzip: out of memory");
			return NULL;
		}
	}
	return enc;
}

void member_encoder_free(struct member_encoder *enc)
{
	if (enc == NULL)
		return;
	if (enc->deflate != NULL)
		libdeflate_free_compressor(enc->deflate);
	ZSTD_freeCCtx(enc->zstd);
	free(enc);
}

size_t member_bound(const struct member_encoder *enc, size_t input_size)
{
	if (enc->kind == COMPRESS_ZSTD)
		return ZST_HEADER + ZSTD_compressBound(input_size);
	return GZ_HEADER + libdeflate_deflate_compress_bound(enc->deflate, input_size) + GZ_TRAILER;
}

static void put_index(unsigned char *p, const struct member_info *info)
{
	p[0] = INDEX_VERSION;
	p[1] = (unsigned char)info->flags;
	put_le32(p + 2, (uint32_t)info->size);
	put_le32(p + 6, info->input_size);
	put_le64(p + 10, (uint64_t)info->min_us);
	put_le64(p + 18, (uint64_t)info->max_us);
}

size_t member_encode(struct member_encoder *enc, const void *in, size_t n, struct member_info *info,
		     void *out, size_t cap)
{
	unsigned char *o = out;
	size_t body, total;

	if (n > MEMBER_MAX_INPUT || cap < member_bound(enc, n) || (info->flags & ~INDEX_KNOWN_FLAGS))
		return 0;
	if (!(info->flags & MEMBER_HAS_TIME))
		info->min_us = info->max_us = 0;
	if (enc->kind == COMPRESS_ZSTD) {
		body = ZSTD_compress2(enc->zstd, o + ZST_HEADER, cap - ZST_HEADER, in, n);
		if (ZSTD_isError(body))
			return 0;
		total = ZST_HEADER + body;
		put_le32(o, ZST_SKIP_MAGIC);
		put_le32(o + 4, ZST_SKIP_CONTENT);
		o[8] = 'R';
		o[9] = 'T';
	} else {
		body = libdeflate_deflate_compress(enc->deflate, in, n, o + GZ_HEADER,
						   cap - GZ_HEADER - GZ_TRAILER);
		if (body == 0)
			return 0;
		total = GZ_HEADER + body + GZ_TRAILER;
		o[0] = 0x1f;
		o[1] = 0x8b;
		o[2] = 8;                  /* CM: deflate */
		o[3] = GZ_FLG_FEXTRA;
		put_le32(o + 4, 0);        /* MTIME: none */
		o[8] = enc->level >= 9 ? 2 : enc->level == 1 ? 4 : 0;  /* XFL */
		o[9] = 255;                /* OS: unknown */
		put_le16(o + 10, 4 + INDEX_LEN);
		o[12] = 'R';
		o[13] = 'T';
		put_le16(o + 14, INDEX_LEN);
		put_le32(o + GZ_HEADER + body, libdeflate_crc32(0, in, n));
		put_le32(o + GZ_HEADER + body + 4, (uint32_t)n);
	}
	info->size = total;
	info->input_size = (uint32_t)n;
	put_index(o + (enc->kind == COMPRESS_ZSTD ? 10 : 16), info);
	return total;
}

/* Reads the payload at p into info; header is the bytes before the compressed
 * data, trailer_min the least the data and trailer can take. Returns 1 or -1. */
static int parse_index(const unsigned char *p, uint64_t offset, size_t header, size_t trailer_min,
		       struct member_info *info)
{
	struct member_info m;

	if (p[0] != INDEX_VERSION || (p[1] & ~INDEX_KNOWN_FLAGS))
		return -1;
	m.offset = offset;
	m.flags = p[1];
	m.size = get_le32(p + 2);
	m.input_size = get_le32(p + 6);
	m.min_us = (int64_t)get_le64(p + 10);
	m.max_us = (int64_t)get_le64(p + 18);
	/* No compressor grows its input by more than 1/128 plus a little (libdeflate's
	 * and ZSTD_compressBound's worst cases are far below), so a larger size is a
	 * corrupt index that would make a reader skip the members after it. */
	if (m.size < header + trailer_min || m.input_size > MEMBER_MAX_INPUT ||
	    m.size > header + trailer_min + m.input_size + m.input_size / 128 + 1024)
		return -1;
	if ((m.flags & MEMBER_HAS_TIME) ? m.min_us > m.max_us : (m.min_us != 0 || m.max_us != 0))
		return -1;
	if (offset > UINT64_MAX - m.size)
		return -1;
	*info = m;
	return 1;
}

/* Finds the 'R','T' subfield in the gzip extra field ex[0, xlen). Returns its
 * payload, or NULL when it is missing, malformed or there twice. */
static const unsigned char *find_rt(const unsigned char *ex, size_t xlen)
{
	const unsigned char *rt = NULL;
	size_t at = 0;

	while (at < xlen) {
		size_t len;

		if (xlen - at < 4)
			return NULL;
		len = get_le16(ex + at + 2);
		if (len > xlen - at - 4)
			return NULL;
		if (ex[at] == 'R' && ex[at + 1] == 'T') {
			if (rt != NULL || len != INDEX_LEN)
				return NULL;
			rt = ex + at + 4;
		}
		at += 4 + len;
	}
	return rt;
}

static int parse_gzip(const unsigned char *b, size_t len, uint64_t offset, struct member_info *info)
{
	const unsigned char *rt;
	size_t xlen;

	if (len < GZ_FIXED + 2 || b[0] != 0x1f || b[1] != 0x8b || b[2] != 8 ||
	    !(b[3] & GZ_FLG_FEXTRA) || (b[3] & GZ_FLG_RESERVED))
		return -1;
	xlen = get_le16(b + GZ_FIXED);
	if (len - GZ_FIXED - 2 < xlen)
		return -1;
	rt = find_rt(b + GZ_FIXED + 2, xlen);
	if (rt == NULL)
		return -1;
	/* Empty deflate data takes at least 2 bytes (one final stored or fixed block). */
	return parse_index(rt, offset, GZ_FIXED + 2 + xlen, 2 + GZ_TRAILER, info);
}

static int parse_zstd(const unsigned char *b, size_t len, uint64_t offset, struct member_info *info)
{
	if (len < ZST_HEADER || get_le32(b) != ZST_SKIP_MAGIC || get_le32(b + 4) != ZST_SKIP_CONTENT ||
	    b[8] != 'R' || b[9] != 'T')
		return -1;
	return parse_index(b + 10, offset, ZST_HEADER, ZST_MIN_FRAME, info);
}

int member_parse(const void *buf, size_t len, enum compress_kind kind, uint64_t offset,
		 struct member_info *info)
{
	int r;

	if (len == 0)
		return 0;
	r = kind == COMPRESS_ZSTD ? parse_zstd(buf, len, offset, info)
				  : parse_gzip(buf, len, offset, info);
	if (r < 0)
		errno = EINVAL;
	return r;
}

/* pread of exactly len bytes (fewer only at end of file), retrying on EINTR and
 * short reads. Returns the bytes read or -1. */
static ssize_t pread_full(int fd, void *buf, size_t len, uint64_t off)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = pread(fd, (char *)buf + got, len - got, (off_t)(off + got));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

int member_next(int fd, uint64_t offset, enum compress_kind kind, struct member_info *info)
{
	unsigned char peek[PEEK_LEN];
	unsigned char *big;
	ssize_t n;
	size_t want;
	int r;

	if (offset > INT64_MAX) {
		errno = EINVAL;
		return -1;
	}
	n = pread_full(fd, peek, sizeof(peek), offset);
	if (n < 0)
		return -1;
	r = member_parse(peek, (size_t)n, kind, offset, info);
	if (r >= 0 || kind != COMPRESS_GZIP || n < GZ_FIXED + 2)
		return r;
	/* A gzip header whose extra field is longer than the first read. */
	want = GZ_FIXED + 2 + get_le16(peek + GZ_FIXED);
	if (want <= (size_t)n) {
		errno = EINVAL;
		return -1;
	}
	big = xmalloc(want);
	n = pread_full(fd, big, want, offset);
	r = n < 0 ? -1 : member_parse(big, (size_t)n, kind, offset, info);
	if (n >= 0 && r == 0) {
		r = -1;
		errno = EINVAL;
	}
	free(big);
	return r;
}

static int decode_gzip(const unsigned char *m, const struct member_info *info, void *out, size_t cap)
{
	struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
	size_t in_used = 0, out_len = 0;
	enum libdeflate_result r;

	if (d == NULL) {
		errno = ENOMEM;
		return -1;
	}
	r = libdeflate_gzip_decompress_ex(d, m, (size_t)info->size, out, cap, &in_used, &out_len);
	libdeflate_free_decompressor(d);
	if (r != LIBDEFLATE_SUCCESS || in_used != info->size || out_len != info->input_size) {
		errno = EBADMSG;
		return -1;
	}
	return 0;
}

static int decode_zstd(const unsigned char *m, const struct member_info *info, void *out, size_t cap)
{
	ZSTD_DCtx *d = ZSTD_createDCtx();
	size_t body = (size_t)info->size - ZST_HEADER;
	size_t r;

	if (d == NULL) {
		errno = ENOMEM;
		return -1;
	}
	/* One frame exactly: a second frame inside the member is corruption. */
	if (ZSTD_findFrameCompressedSize(m + ZST_HEADER, body) != body) {
		ZSTD_freeDCtx(d);
		errno = EBADMSG;
		return -1;
	}
	r = ZSTD_decompressDCtx(d, out, cap, m + ZST_HEADER, body);
	ZSTD_freeDCtx(d);
	if (ZSTD_isError(r) || r != info->input_size) {
		errno = EBADMSG;
		return -1;
	}
	return 0;
}

int member_decode(int fd, const struct member_info *info, enum compress_kind kind, void *out,
		  size_t cap)
{
	size_t header = kind == COMPRESS_ZSTD ? ZST_HEADER : GZ_FIXED + 2;
	unsigned char *m;
	ssize_t n;
	int r, saved;

	if (cap < info->input_size || info->size <= header || info->input_size > MEMBER_MAX_INPUT ||
	    info->size > 2 * (uint64_t)MEMBER_MAX_INPUT + 65536) {
		errno = EINVAL;
		return -1;
	}
	m = xmalloc((size_t)info->size);
	n = pread_full(fd, m, (size_t)info->size, info->offset);
	if (n < 0) {
		saved = errno;
		free(m);
		errno = saved;
		return -1;
	}
	if ((uint64_t)n != info->size) {
		free(m);
		errno = EBADMSG;
		return -1;
	}
	r = kind == COMPRESS_ZSTD ? decode_zstd(m, info, out, cap) : decode_gzip(m, info, out, cap);
	saved = errno;
	free(m);
	errno = saved;
	return r;
}
