#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rotate/member.h"
#include "unit.h"

#define GZ_HEADER 42   /* fixed header, XLEN, the 'R','T' subfield */
#define ZST_HEADER 36  /* the skippable frame */

static int temp_file(char path[64])
{
	int fd;

	snprintf(path, 64, "/tmp/rotd-member.XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	return fd;
}

static void write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		ck_assert_int_gt(n, 0);
		p += n;
		len -= (size_t)n;
	}
}

/* n bytes of log lines, different for each seed. */
static char *text(size_t n, unsigned seed)
{
	char *buf = malloc(n + 1);
	size_t at = 0;

	ck_assert_ptr_nonnull(buf);
	while (at < n) {
		char line[96];
		int k = snprintf(line, sizeof(line), "2026-11-27 10:%02u:%02u INFO seed=%u n=%zu ok\n",
				 (unsigned)(at / 60 % 60), (unsigned)(at % 60), seed, at * 7919 % 10007);

		if ((size_t)k > n - at)
			k = (int)(n - at);
		memcpy(buf + at, line, (size_t)k);
		at += (size_t)k;
	}
	return buf;
}

/* Encodes in[0, n) as one member into a new buffer (*len its size). */
static unsigned char *encode(enum compress_kind kind, int level, const char *in, size_t n,
			     unsigned flags, int64_t lo, int64_t hi, size_t *len)
{
	char *err = NULL;
	struct member_encoder *enc = member_encoder_new(kind, level, &err);
	struct member_info info = { .flags = flags, .min_us = lo, .max_us = hi };
	size_t cap;
	unsigned char *out;

	ck_assert_msg(enc != NULL, "%s", err ? err : "?");
	cap = member_bound(enc, n);
	out = malloc(cap);
	ck_assert_ptr_nonnull(out);
	*len = member_encode(enc, in, n, &info, out, cap);
	ck_assert_uint_gt(*len, 0);
	ck_assert_uint_eq(info.size, *len);
	ck_assert_uint_eq(info.input_size, n);
	member_encoder_free(enc);
	return out;
}

/* Runs sh -c cmd; returns its exit status. */
static int shell(const char *cmd)
{
	int st = system(cmd);

	ck_assert_int_ne(st, -1);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* _i is the compress_kind. */
START_TEST(test_roundtrip_each_level)
{
	enum compress_kind kind = (enum compress_kind)_i;
	static const size_t sizes[] = { 0, 1, 4095, 100000, MEMBER_MAX_INPUT };
	int max = kind == COMPRESS_ZSTD ? 19 : 9;
	char *in = text(MEMBER_MAX_INPUT, 1), *out = malloc(MEMBER_MAX_INPUT);

	ck_assert_ptr_nonnull(out);
	for (int level = 1; level <= max; level += kind == COMPRESS_ZSTD ? 6 : 2) {
		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			size_t n = sizes[i], len;
			unsigned char *m = encode(kind, level, in, n, MEMBER_HAS_TIME, -5, 1234567, &len);
			struct member_info info;
			char path[64];
			int fd = temp_file(path);

			ck_assert_int_eq(member_parse(m, len, kind, 77, &info), 1);
			ck_assert_uint_eq(info.offset, 77);
			ck_assert_uint_eq(info.size, len);
			ck_assert_uint_eq(info.input_size, n);
			ck_assert_uint_eq(info.flags, MEMBER_HAS_TIME);
			ck_assert_int_eq(info.min_us, -5);
			ck_assert_int_eq(info.max_us, 1234567);
			write_all(fd, "0123456", 7);
			write_all(fd, m, len);
			info.offset = 7;
			memset(out, 0, MEMBER_MAX_INPUT);
			ck_assert_int_eq(member_decode(fd, &info, kind, out, MEMBER_MAX_INPUT), 0);
			ck_assert_int_eq(memcmp(out, in, n), 0);
			if (n > 0)
				ck_assert_int_eq(member_decode(fd, &info, kind, out, n - 1), -1);
			ck_assert_int_eq(close(fd), 0);
			ck_assert_int_eq(unlink(path), 0);
			free(m);
		}
	}
	free(in);
	free(out);
}
END_TEST

START_TEST(test_bad_level)
{
	char *err = NULL;

	ck_assert_ptr_null(member_encoder_new(COMPRESS_GZIP, 10, &err));
	ck_assert_ptr_nonnull(strstr(err, "compression level"));
	free(err);
	err = NULL;
	ck_assert_ptr_null(member_encoder_new(COMPRESS_ZSTD, 0, &err));
	ck_assert_ptr_nonnull(strstr(err, "compression level"));
	free(err);
}
END_TEST

/* Three members in one file: member_next hops over them and ends cleanly; the
 * CLIs and Python read the whole file as one stream. */
START_TEST(test_next_hops)
{
	enum compress_kind kind = (enum compress_kind)_i;
	static const size_t sizes[] = { 300000, 0, MEMBER_MAX_INPUT };
	char *in[3];
	unsigned char *m[3];
	size_t len[3];
	char path[64], cmd[512];
	int fd = temp_file(path);
	struct member_info info;
	uint64_t at = 0;
	char *out = malloc(MEMBER_MAX_INPUT);
	FILE *all;

	ck_assert_ptr_nonnull(out);
	snprintf(cmd, sizeof(cmd), "%s.plain", path);
	all = fopen(cmd, "w");
	ck_assert_ptr_nonnull(all);
	for (int i = 0; i < 3; i++) {
		in[i] = text(sizes[i], (unsigned)i);
		m[i] = encode(kind, 3, in[i], sizes[i], i == 2 ? MEMBER_CONTINUES : 0, 0, 0, &len[i]);
		write_all(fd, m[i], len[i]);
		ck_assert_uint_eq(fwrite(in[i], 1, sizes[i], all), sizes[i]);
	}
	ck_assert_int_eq(fclose(all), 0);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(member_next(fd, at, kind, &info), 1);
		ck_assert_uint_eq(info.offset, at);
		ck_assert_uint_eq(info.size, len[i]);
		ck_assert_uint_eq(info.input_size, sizes[i]);
		ck_assert_uint_eq(info.flags, i == 2 ? MEMBER_CONTINUES : 0);
		ck_assert_int_eq(member_decode(fd, &info, kind, out, MEMBER_MAX_INPUT), 0);
		ck_assert_int_eq(memcmp(out, in[i], sizes[i]), 0);
		at += info.size;
	}
	ck_assert_int_eq(member_next(fd, at, kind, &info), 0);
	/* In the middle of a member: not a header. */
	errno = 0;
	ck_assert_int_eq(member_next(fd, len[0] / 2, kind, &info), -1);
	ck_assert_int_eq(errno, EINVAL);
	if (kind == COMPRESS_GZIP) {
		snprintf(cmd, sizeof(cmd),
			 "gzip -t %s && zcat %s | cmp -s - %s.plain && python3 -c 'import gzip,sys; "
			 "sys.exit(gzip.open(sys.argv[1]).read() != open(sys.argv[2], \"rb\").read())' "
			 "%s %s.plain", path, path, path, path, path);
	} else {
		snprintf(cmd, sizeof(cmd), "zstd -qt %s && zstd -qdc %s | cmp -s - %s.plain",
			 path, path, path);
	}
	ck_assert_int_eq(shell(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s.plain", path);
	ck_assert_int_eq(unlink(cmd), 0);
	ck_assert_int_eq(close(fd), 0);
	ck_assert_int_eq(unlink(path), 0);
	for (int i = 0; i < 3; i++) {
		free(in[i]);
		free(m[i]);
	}
	free(out);
}
END_TEST

/* Archives rotd did not write: plain gzip and zstd output is refused with EINVAL
 * (the reader then uses libarchive), as are empty and non-compressed bytes. */
START_TEST(test_refuses_plain)
{
	enum compress_kind kind = (enum compress_kind)_i;
	char path[64], cmd[256];
	int fd = temp_file(path);
	struct member_info info;
	char *in = text(5000, 3);

	write_all(fd, in, 5000);
	errno = 0;
	ck_assert_int_eq(member_next(fd, 0, kind, &info), -1);  /* plain text */
	ck_assert_int_eq(errno, EINVAL);
	snprintf(cmd, sizeof(cmd), "%s -c %s > %s.z", kind == COMPRESS_ZSTD ? "zstd -q" : "gzip", path,
		 path);
	ck_assert_int_eq(shell(cmd), 0);
	ck_assert_int_eq(close(fd), 0);
	snprintf(cmd, sizeof(cmd), "%s.z", path);
	fd = open(cmd, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	errno = 0;
	ck_assert_int_eq(member_next(fd, 0, kind, &info), -1);
	ck_assert_int_eq(errno, EINVAL);
	/* And the other kind's member. */
	{
		size_t len;
		unsigned char *m = encode(kind, 1, in, 100, 0, 0, 0, &len);
		enum compress_kind other = kind == COMPRESS_ZSTD ? COMPRESS_GZIP : COMPRESS_ZSTD;

		ck_assert_int_eq(member_parse(m, len, other, 0, &info), -1);
		free(m);
	}
	ck_assert_int_eq(close(fd), 0);
	ck_assert_int_eq(unlink(cmd), 0);
	ck_assert_int_eq(unlink(path), 0);
	free(in);
}
END_TEST

/* Every truncation of a header is refused, and so is each corrupt field. */
START_TEST(test_refuses_corrupt)
{
	enum compress_kind kind = (enum compress_kind)_i;
	size_t hdr = kind == COMPRESS_ZSTD ? ZST_HEADER : GZ_HEADER;
	size_t idx = kind == COMPRESS_ZSTD ? 10 : 16;  /* where the payload starts */
	char *in = text(20000, 4);
	size_t len;
	unsigned char *m = encode(kind, 6, in, 20000, MEMBER_HAS_TIME, 10, 20, &len);
	unsigned char *c = malloc(len);
	struct member_info info;

	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(member_parse(m, 0, kind, 0, &info), 0);
	for (size_t n = 1; n < hdr; n++)
		ck_assert_int_eq(member_parse(m, n, kind, 0, &info), -1);
	ck_assert_int_eq(member_parse(m, hdr, kind, 0, &info), 1);
	/* Single corrupt bytes in the header: magic, method, flags, lengths, the index. */
	{
		static const size_t gz_at[] = { 0, 1, 2, 3, 11, 12, 13, 14, 15, 16 };
		static const size_t zs_at[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 };
		const size_t *at = kind == COMPRESS_ZSTD ? zs_at : gz_at;

		for (size_t i = 0; i < 10; i++) {
			memcpy(c, m, len);
			c[at[i]] ^= 0x40;
			errno = 0;
			ck_assert_msg(member_parse(c, len, kind, 0, &info) == -1, "byte %zu", at[i]);
			ck_assert_int_eq(errno, EINVAL);
		}
	}
	memcpy(c, m, len);
	c[idx] = 2;                       /* unknown version */
	ck_assert_int_eq(member_parse(c, len, kind, 0, &info), -1);
	memcpy(c, m, len);
	c[idx + 1] |= 0x80;               /* unknown flag */
	ck_assert_int_eq(member_parse(c, len, kind, 0, &info), -1);
	memcpy(c, m, len);
	memset(c + idx + 2, 0, 4);        /* size 0 */
	ck_assert_int_eq(member_parse(c, len, kind, 0, &info), -1);
	memcpy(c, m, len);
	c[idx + 4] = 0x30;                /* size 3 MiB: more than 20000 bytes can take */
	ck_assert_int_eq(member_parse(c, len, kind, 0, &info), -1);
	memcpy(c, m, len);
	c[idx + 9] = 0x7f;                /* input size past MEMBER_MAX_INPUT */
	ck_assert_int_eq(member_parse(c, len, kind, 0, &info), -1);
	memcpy(c, m, len);
	c[idx + 10] = 30;                 /* min 30 > max 20 */
	ck_assert_int_eq(member_parse(c, len, kind, 0, &info), -1);
	memcpy(c, m, len);
	c[idx + 1] = 0;                   /* times without MEMBER_HAS_TIME */
	ck_assert_int_eq(member_parse(c, len, kind, 0, &info), -1);
	/* Corrupt data: the header parses, decoding fails with EBADMSG. */
	{
		char path[64];
		int fd = temp_file(path);
		char *out = malloc(MEMBER_MAX_INPUT);

		ck_assert_ptr_nonnull(out);
		memcpy(c, m, len);
		c[hdr + (len - hdr) / 2] ^= 0x10;
		write_all(fd, c, len);
		ck_assert_int_eq(member_next(fd, 0, kind, &info), 1);
		errno = 0;
		ck_assert_int_eq(member_decode(fd, &info, kind, out, MEMBER_MAX_INPUT), -1);
		ck_assert_int_eq(errno, EBADMSG);
		/* Truncated file: the member's end is missing. */
		ck_assert_int_eq(ftruncate(fd, (off_t)(len - 3)), 0);
		ck_assert_int_eq(member_next(fd, 0, kind, &info), 1);
		errno = 0;
		ck_assert_int_eq(member_decode(fd, &info, kind, out, MEMBER_MAX_INPUT), -1);
		ck_assert_int_eq(errno, EBADMSG);
		ck_assert_int_eq(close(fd), 0);
		ck_assert_int_eq(unlink(path), 0);
		free(out);
	}
	free(c);
	free(m);
	free(in);
}
END_TEST

/* Other FEXTRA subfields before and after 'R','T' are skipped; gzip still reads
 * it, and member_next reads an extra field longer than its first read. */
START_TEST(test_gzip_other_subfields)
{
	char *in = text(50000, 5), *out = malloc(MEMBER_MAX_INPUT);
	size_t len, before = 200, after = 3;
	unsigned char *m = encode(COMPRESS_GZIP, 6, in, 50000, 0, 0, 0, &len);
	size_t xlen = 30 + 4 + before + 4 + after, big = len + 8 + before + after;
	unsigned char *c = calloc(1, big);
	struct member_info info;
	char path[64], cmd[200];
	int fd = temp_file(path);
	uint32_t size = (uint32_t)big;

	ck_assert_ptr_nonnull(out);
	ck_assert_ptr_nonnull(c);
	memcpy(c, m, 10);
	c[10] = (unsigned char)xlen;
	c[11] = (unsigned char)(xlen >> 8);
	c[12] = 'A';
	c[13] = 'B';
	c[14] = (unsigned char)before;
	memset(c + 16, 'z', before);
	memcpy(c + 16 + before, m + 12, 30);               /* the 'R','T' subfield */
	memcpy(c + 16 + before + 6, &size, 4);             /* its size field (LE host) */
	memcpy(c + 16 + before + 30, "CD\x03\0xyz", 7);
	memcpy(c + 12 + xlen, m + 42, len - 42);
	write_all(fd, c, big);
	ck_assert_int_eq(member_next(fd, 0, COMPRESS_GZIP, &info), 1);
	ck_assert_uint_eq(info.size, big);
	ck_assert_uint_eq(info.input_size, 50000);
	ck_assert_int_eq(member_decode(fd, &info, COMPRESS_GZIP, out, MEMBER_MAX_INPUT), 0);
	ck_assert_int_eq(memcmp(out, in, 50000), 0);
	snprintf(cmd, sizeof(cmd), "gzip -t %s", path);
	ck_assert_int_eq(shell(cmd), 0);
	/* 'R','T' twice, or with the wrong LEN: refused. */
	c[12] = 'R';
	c[13] = 'T';
	ck_assert_int_eq(member_parse(c, big, COMPRESS_GZIP, 0, &info), -1);
	c[12] = 'A';
	c[16 + before + 2] = 25;
	ck_assert_int_eq(member_parse(c, big, COMPRESS_GZIP, 0, &info), -1);
	/* A subfield running past XLEN. */
	c[16 + before + 2] = 26;
	ck_assert_int_eq(member_parse(c, big, COMPRESS_GZIP, 0, &info), 1);
	c[16 + before + 32] = 4;
	ck_assert_int_eq(member_parse(c, big, COMPRESS_GZIP, 0, &info), -1);
	ck_assert_int_eq(close(fd), 0);
	ck_assert_int_eq(unlink(path), 0);
	free(c);
	free(m);
	free(in);
	free(out);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("member");
	TCase *tc = tcase_create("member");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_roundtrip_each_level, COMPRESS_GZIP, COMPRESS_ZSTD + 1);
	tcase_add_test(tc, test_bad_level);
	tcase_add_loop_test(tc, test_next_hops, COMPRESS_GZIP, COMPRESS_ZSTD + 1);
	tcase_add_loop_test(tc, test_refuses_plain, COMPRESS_GZIP, COMPRESS_ZSTD + 1);
	tcase_add_loop_test(tc, test_refuses_corrupt, COMPRESS_GZIP, COMPRESS_ZSTD + 1);
	tcase_add_test(tc, test_gzip_other_subfields);
	suite_add_tcase(s, tc);
	return s;
}
