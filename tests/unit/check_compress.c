#include "autoconf.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rotate/compress.h"
#include "rotate/member.h"
#include "unit.h"

/* compress_range's read size (RANGE_BUF_SIZE in compress.c): the sizes around it are
 * the interesting ones. */
#define BUF 262144

#define MIB (1024 * 1024)

/* ROTD_TEST_QUICK=1 (e.g. under valgrind) shrinks the big inputs. */
static int quick(void)
{
	const char *q = getenv("ROTD_TEST_QUICK");

	return q != NULL && q[0] != '\0' && strcmp(q, "0") != 0;
}

/* Creates an empty temp file; returns its fd and copies its path to path. */
static int temp_file(char path[64])
{
	int fd;

	snprintf(path, 64, "/tmp/rotd-compress.XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	return fd;
}

/* Like temp_file, but the file is unlinked at once. */
static int anon_file(void)
{
	char path[64];
	int fd = temp_file(path);

	ck_assert_int_eq(unlink(path), 0);
	return fd;
}

static void write_all(int fd, const void *buf, size_t len, uint64_t off)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);

		ck_assert_int_gt(n, 0);
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
}

/* Fills buf[0, len) with realistic log lines (deterministic for a seed). */
static void log_text(char *buf, size_t len, uint32_t seed)
{
	static const char *const levels[] = { "INFO", "INFO", "INFO", "WARN", "DEBUG", "ERROR" };
	static const char *const comps[] = { "web", "core", "db", "media", "push" };
	static const char *const paths[] = { "/v1/messages", "/v1/contacts", "/v1/media",
					     "/v1/health", "/v1/users/login" };
	static const int statuses[] = { 200, 200, 200, 201, 400, 404, 500 };
	uint32_t x = seed | 1;
	unsigned sec = 0;
	size_t at = 0;

	while (at < len) {
		char line[160];
		int n;

		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		sec += x % 3;
		n = snprintf(line, sizeof(line),
			     "2026-11-22 %02u:%02u:%02u.%03u %s [%s] request id=%u path=%s status=%d ms=%u\n",
			     sec / 3600 % 24, sec / 60 % 60, sec % 60, x % 1000, levels[x % 6],
			     comps[(x >> 8) % 5], x % 1000000, paths[(x >> 12) % 5],
			     statuses[(x >> 16) % 7], (x >> 20) % 400);
		ck_assert_int_gt(n, 0);
		if ((size_t)n > len - at)
			n = (int)(len - at);
		memcpy(buf + at, line, (size_t)n);
		at += (size_t)n;
	}
}

/* Writes len bytes of log text to fd from offset 0, in bounded pieces. */
static void fill_log(int fd, uint64_t len)
{
	char *buf = malloc(MIB);
	uint64_t off = 0;
	uint32_t seed = 7;

	ck_assert_ptr_nonnull(buf);
	while (off < len) {
		size_t n = len - off < MIB ? (size_t)(len - off) : MIB;

		log_text(buf, n, seed++);
		write_all(fd, buf, n, off);
		off += n;
	}
	free(buf);
}

static uint64_t file_size(int fd)
{
	struct stat st;

	ck_assert_int_eq(fstat(fd, &st), 0);
	return (uint64_t)st.st_size;
}

/* Runs argv with stdout on out_fd (-1: /dev/null) and returns its exit status, or
 * -1 if it did not exit normally. */
static int run(char *const argv[], int out_fd)
{
	pid_t pid = fork();
	int status;

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int out = out_fd >= 0 ? out_fd : open("/dev/null", O_WRONLY);

		if (out < 0 || dup2(out, STDOUT_FILENO) < 0)
			_exit(126);
		execvp(argv[0], argv);
		_exit(127);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The CLI's integrity test ("-t") or decompression to stdout ("-dc") of path must
 * exit 0. */
static void assert_cli(enum compress_kind kind, const char *op, const char *path, int out_fd)
{
	char gzip[] = "gzip", zstd[] = "zstd", q[] = "-q", o[8], p[64];
	char *gz[] = { gzip, o, p, NULL };
	char *zst[] = { zstd, q, o, p, NULL };

	snprintf(o, sizeof(o), "%s", op);
	snprintf(p, sizeof(p), "%s", path);
	ck_assert_int_eq(run(kind == COMPRESS_ZSTD ? zst : gz, out_fd), 0);
}

/* Decompresses path with libarchive's read side and checks it is exactly bytes
 * [0, len) of src_fd (len > 0: libarchive's raw reader needs at least one byte to
 * recognise a stream). */
static void assert_decompresses_to(const char *path, int src_fd, uint64_t len)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	char *want = malloc(BUF);
	char *got = malloc(BUF);
	uint64_t off = 0;

	ck_assert_uint_gt(len, 0);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(want);
	ck_assert_ptr_nonnull(got);
	ck_assert_int_eq(archive_read_support_filter_all(a), ARCHIVE_OK);
	ck_assert_int_eq(archive_read_support_format_raw(a), ARCHIVE_OK);
	ck_assert_msg(archive_read_open_filename(a, path, 65536) == ARCHIVE_OK, "%s: %s", path,
		      archive_error_string(a));
	ck_assert_msg(archive_read_next_header(a, &e) == ARCHIVE_OK, "%s: %s", path,
		      archive_error_string(a));
	for (;;) {
		la_ssize_t n = archive_read_data(a, got, BUF);

		ck_assert_msg(n >= 0, "%s: %s", path, archive_error_string(a));
		if (n == 0)
			break;
		ck_assert_uint_le(off + (uint64_t)n, len);
		ck_assert_int_eq(pread(src_fd, want, (size_t)n, (off_t)off), n);
		ck_assert_int_eq(memcmp(want, got, (size_t)n), 0);
		off += (uint64_t)n;
	}
	ck_assert_uint_eq(off, len);
	ck_assert_int_eq(archive_read_next_header(a, &e), ARCHIVE_EOF);
	ck_assert_int_eq(archive_read_free(a), ARCHIVE_OK);
	free(want);
	free(got);
}

/* The empty case, through the CLI: decompresses to nothing. */
static void assert_decompresses_empty(enum compress_kind kind, const char *path)
{
	int out = anon_file();

	assert_cli(kind, "-dc", path, out);
	ck_assert_uint_eq(file_size(out), 0);
	ck_assert_int_eq(close(out), 0);
}

/* Compresses [0, len) of src_fd into a new temp file (path left in dst_path) and
 * checks the result's counters against the file. */
static void compress_to_temp(int src_fd, uint64_t len, enum compress_kind kind, int level,
			     char dst_path[64], struct compress_result *res)
{
	int dst = temp_file(dst_path);
	char *err = NULL;
	int r = compress_range(src_fd, len, dst, kind, level, NULL, 0, res, &err);

	ck_assert_msg(r == 0, "compress_range: %s", err ? err : "(no message)");
	ck_assert_ptr_null(err);
	ck_assert_uint_eq(res->bytes_in, len);
	ck_assert_uint_eq(res->bytes_out, file_size(dst));
	ck_assert_int_eq(close(dst), 0);
}

/* The test clock: log_text's "2026-11-22 hh:mm:ss.mmm" at a line's start, as
 * microseconds into the day; anything else carries no time. */
static int test_time_of(const void *ctx, const char *line, size_t len, int64_t *t_us)
{
	unsigned h, m, sec, ms;
	char buf[24];

	(void)ctx;
	if (len < 23 || memcmp(line, "2026-11-22 ", 11) != 0)
		return 0;
	memcpy(buf, line + 11, 12);
	buf[12] = '\0';
	if (sscanf(buf, "%2u:%2u:%2u.%3u", &h, &m, &sec, &ms) != 4)
		return 0;
	*t_us = ((int64_t)(h * 3600 + m * 60 + sec) * 1000 + ms) * 1000;
	return 1;
}

static const struct compress_clock test_clock = { test_time_of, NULL };

/* What a walk over an archive's members found. */
struct walk {
	size_t members;
	size_t continues;      /* members flagged MEMBER_CONTINUES */
	size_t dated;          /* members flagged MEMBER_HAS_TIME */
};

/* Hops over the members of path with member_next, decodes each with member_decode
 * and checks it is the next piece of src_fd's [0, len): cut after a newline or
 * at MEMBER_MAX_INPUT, or (clock) at a dated line, with flags and times that
 * match its lines. For gzip, the file ends with the last member's ISIZE. */
static struct walk walk_members(const char *path, enum compress_kind kind, int src_fd,
				uint64_t len, const struct compress_clock *clock)
{
	struct walk w = { 0, 0, 0 };
	int fd = open(path, O_RDONLY);
	char *got = malloc(MEMBER_MAX_INPUT), *want = malloc(MEMBER_MAX_INPUT);
	struct member_info mi;
	uint64_t at = 0, in = 0, size;
	int r, prev_mid = 0;

	ck_assert_int_ge(fd, 0);
	ck_assert_ptr_nonnull(got);
	ck_assert_ptr_nonnull(want);
	size = file_size(fd);
	while ((r = member_next(fd, at, kind, &mi)) == 1) {
		int64_t lo = INT64_MAX, hi = INT64_MIN, t;
		int first_dated = 0, mid;

		ck_assert_uint_eq(mi.offset, at);
		ck_assert_int_eq(member_decode(fd, &mi, kind, got, MEMBER_MAX_INPUT), 0);
		ck_assert_int_eq(pread(src_fd, want, mi.input_size, (off_t)in), (ssize_t)mi.input_size);
		ck_assert_int_eq(memcmp(got, want, mi.input_size), 0);
		mid = in + mi.input_size < len &&
		      (mi.input_size == 0 || got[mi.input_size - 1] != '\n');
		if (mid)
			ck_assert_uint_eq(mi.input_size, MEMBER_MAX_INPUT);
		for (size_t i = 0; i < mi.input_size;) {
			char *nl = memchr(got + i, '\n', mi.input_size - i);
			size_t n = nl != NULL ? (size_t)(nl - (got + i)) : mi.input_size - i;

			if (clock != NULL && !(i == 0 && prev_mid) &&
			    clock->time_of(NULL, got + i, n, &t)) {
				lo = t < lo ? t : lo;
				hi = t > hi ? t : hi;
				first_dated |= i == 0;
			}
			i += n + 1;
		}
		ck_assert_int_eq(!!(mi.flags & MEMBER_HAS_TIME), lo <= hi);
		if (lo <= hi) {
			ck_assert_int_eq(mi.min_us, lo);
			ck_assert_int_eq(mi.max_us, hi);
			w.dated++;
		}
		ck_assert_int_eq(!!(mi.flags & MEMBER_CONTINUES),
				 in > 0 && (prev_mid || (clock != NULL && !first_dated)));
		w.continues += (mi.flags & MEMBER_CONTINUES) != 0;
		w.members++;
		in += mi.input_size;
		at += mi.size;
		prev_mid = mid;
	}
	ck_assert_int_eq(r, 0);
	ck_assert_uint_eq(at, size);
	ck_assert_uint_eq(in, len);
	if (kind == COMPRESS_GZIP) {
		unsigned char t[4];

		ck_assert_int_eq(pread(fd, t, 4, (off_t)(size - 4)), 4);
		ck_assert_uint_eq((uint32_t)t[0] | (uint32_t)t[1] << 8 | (uint32_t)t[2] << 16 |
				  (uint32_t)t[3] << 24, mi.input_size);
	}
	ck_assert_int_eq(close(fd), 0);
	free(got);
	free(want);
	return w;
}

/* gzip -dc / zstd -dc of path give exactly src_fd's [0, len). */
static void assert_cli_decompresses_to(enum compress_kind kind, const char *path, int src_fd,
				       uint64_t len)
{
	int out = anon_file();
	uint64_t a, b;

	assert_cli(kind, "-dc", path, out);
	ck_assert_uint_eq(file_size(out), len);
	ck_assert_int_eq(compress_digest_file(out, len, &a), 0);
	ck_assert_int_eq(compress_digest_file(src_fd, len, &b), 0);
	ck_assert_uint_eq(a, b);
	ck_assert_int_eq(close(out), 0);
}

static void roundtrip(enum compress_kind kind, uint64_t len)
{
	int src = anon_file();
	char dst[64];
	struct compress_result res;
	uint64_t digest;

	fill_log(src, len);
	compress_to_temp(src, len, kind, kind == COMPRESS_ZSTD ? 3 : 6, dst, &res);
	if (len > 0)
		assert_decompresses_to(dst, src, len);
	else
		assert_decompresses_empty(kind, dst);
	assert_cli(kind, "-t", dst, -1);
	assert_cli_decompresses_to(kind, dst, src, len);
	walk_members(dst, kind, src, len, NULL);
	ck_assert_int_eq(compress_digest_file(src, len, &digest), 0);
	ck_assert_uint_eq(res.digest, digest);
	ck_assert_int_eq(unlink(dst), 0);
	ck_assert_int_eq(close(src), 0);
}

/* _i is the compress_kind. */
START_TEST(test_roundtrip_small)
{
	static const uint64_t sizes[] = { 0, 1, BUF - 1, BUF, BUF + 1, 2 * BUF + 7 };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		roundtrip((enum compress_kind)_i, sizes[i]);
}
END_TEST

START_TEST(test_roundtrip_large)
{
	roundtrip((enum compress_kind)_i, quick() ? 2 * MIB + 3 : 20 * MIB + 3);
}
END_TEST

START_TEST(test_suffix)
{
	ck_assert_str_eq(compress_suffix(COMPRESS_GZIP), ".gz");
	ck_assert_str_eq(compress_suffix(COMPRESS_ZSTD), ".zst");
}
END_TEST

/* The gzip header: no file name, no mtime, OS unknown, FEXTRA with the 'R','T'
 * subfield alone. */
START_TEST(test_gzip_header)
{
	static const unsigned char want[4] = { 0x1f, 0x8b, 8, 4 };
	int src = anon_file();
	char dst[64];
	struct compress_result res;
	unsigned char h[10];
	int fd;

	fill_log(src, 1000);
	compress_to_temp(src, 1000, COMPRESS_GZIP, 6, dst, &res);
	fd = open(dst, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pread(fd, h, sizeof(h), 0), (ssize_t)sizeof(h));
	ck_assert_int_eq(memcmp(h, want, sizeof(want)), 0);
	ck_assert_uint_eq(h[4] | h[5] | h[6] | h[7], 0);     /* MTIME=0 */
	ck_assert_uint_eq(h[9], 255);
	ck_assert_int_eq(pread(fd, h, sizeof(h), 10), (ssize_t)sizeof(h));
	ck_assert_int_eq(memcmp(h, "\x1e\0RT\x1a\0\x01\0", 8), 0);  /* XLEN 30, LEN 26, v1 */
	ck_assert_int_eq(close(fd), 0);
	ck_assert_int_eq(unlink(dst), 0);
	ck_assert_int_eq(close(src), 0);
}
END_TEST

START_TEST(test_prefix_only)
{
	int src = anon_file();
	char dst[64];
	struct compress_result res;

	fill_log(src, 3 * BUF);
	ck_assert_int_eq(lseek(src, 12345, SEEK_SET), 12345);
	compress_to_temp(src, BUF + 100, (enum compress_kind)_i, 6, dst, &res);
	ck_assert_int_eq(lseek(src, 0, SEEK_CUR), 12345);
	ck_assert_uint_eq(res.bytes_in, BUF + 100);
	assert_decompresses_to(dst, src, BUF + 100);
	ck_assert_int_eq(unlink(dst), 0);
	ck_assert_int_eq(close(src), 0);
}
END_TEST

static void assert_fails_with(int src, uint64_t len, int dst, enum compress_kind kind, int level,
			      const char *needle1, const char *needle2)
{
	struct compress_result res = { 0, 0, 0 };
	char *err = NULL;

	ck_assert_int_eq(compress_range(src, len, dst, kind, level, NULL, 0, &res, &err), -1);
	ck_assert_ptr_nonnull(err);
	ck_assert_ptr_null(strchr(err, '\n'));
	ck_assert_msg(strstr(err, needle1) != NULL, "no \"%s\" in \"%s\"", needle1, err);
	ck_assert_msg(needle2 == NULL || strstr(err, needle2) != NULL, "no \"%s\" in \"%s\"",
		      needle2, err);
	free(err);
}

START_TEST(test_source_shorter)
{
	enum compress_kind kind = (enum compress_kind)_i;
	int src = anon_file();
	int dst = anon_file();

	fill_log(src, 1000);
	assert_fails_with(src, 5000, dst, kind, 3, "1000 bytes", "5000");
	ck_assert_uint_eq(file_size(dst), 0);  /* no trailer flushed after the failure */
	fill_log(src, 300001);  /* EOF inside the second read */
	assert_fails_with(src, 600000, dst, kind, 3, "300001 bytes", "600000");
	ck_assert_int_eq(close(dst), 0);
	ck_assert_int_eq(close(src), 0);
}
END_TEST

START_TEST(test_read_error)
{
	int src = open("/tmp", O_RDONLY | O_DIRECTORY);
	int dst = anon_file();

	ck_assert_int_ge(src, 0);
	assert_fails_with(src, 10, dst, (enum compress_kind)_i, 3, "reading the source",
			  strerror(EISDIR));
	ck_assert_int_eq(close(dst), 0);
	ck_assert_int_eq(close(src), 0);
}
END_TEST

/* /dev/full fails every write with ENOSPC: first at close (small input, output
 * still buffered), then in the middle of the data (large input). */
START_TEST(test_enospc)
{
	enum compress_kind kind = (enum compress_kind)_i;
	int src = anon_file();
	int full = open("/dev/full", O_WRONLY);

	ck_assert_int_ge(full, 0);
	fill_log(src, 100);
	assert_fails_with(src, 100, full, kind, 3, "writing the archive: No space left on device",
			  NULL);
	fill_log(src, 4 * MIB);
	assert_fails_with(src, 4 * MIB, full, kind, 3,
			  "writing the archive: No space left on device", NULL);
	ck_assert_int_eq(close(full), 0);
	ck_assert_int_eq(close(src), 0);
}
END_TEST

START_TEST(test_bad_dst)
{
	int src = anon_file();

	fill_log(src, 100);
	assert_fails_with(src, 100, -1, (enum compress_kind)_i, 3, "writing the archive",
			  strerror(EBADF));
	ck_assert_int_eq(close(src), 0);
}
END_TEST

/* Log text with a record longer than two members inside: a dated line, then
 * 2.5 MiB of undated continuation lines (a stack trace), then dated lines again. */
static uint64_t fill_records(int fd)
{
	static const char frame[] = "\tat com.whatsapp.core.Handler.run(Handler.java:123)\n";
	const size_t fl = sizeof(frame) - 1, stack = MIB / fl * fl;
	char *buf = malloc(MIB);
	uint64_t off = 0;

	ck_assert_ptr_nonnull(buf);
	log_text(buf, MIB / 2, 5);
	write_all(fd, buf, MIB / 2, off);  /* log_text ends inside a line: ... */
	off += MIB / 2;
	write_all(fd, "\n2026-11-22 12:00:00.000 ERROR [web] boom\n", 42, off);  /* ... end it */
	off += 42;
	for (size_t i = 0; i < stack; i += fl)
		memcpy(buf + i, frame, fl);
	for (int i = 0; i < 5; i++, off += stack / 2 / fl * fl)
		write_all(fd, buf, stack / 2 / fl * fl, off);
	log_text(buf, 2 * MIB / 3, 6);
	write_all(fd, buf, 2 * MIB / 3, off);
	off += 2 * MIB / 3;
	free(buf);
	return off;
}

static void compress_file(int src, uint64_t len, const char *dst_path, enum compress_kind kind,
			  const struct compress_clock *clock, unsigned threads)
{
	int dst = open(dst_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	struct compress_result res;
	char *err = NULL;

	ck_assert_int_ge(dst, 0);
	ck_assert_msg(compress_range(src, len, dst, kind, 3, clock, threads, &res, &err) == 0,
		      "compress_range: %s", err ? err : "(no message)");
	ck_assert_uint_eq(res.bytes_out, file_size(dst));
	ck_assert_int_eq(close(dst), 0);
}

/* Dated log text: every member is dated, none continues, and each but the last
 * is as full as a cut at a line start allows. */
START_TEST(test_clock_plain)
{
	enum compress_kind kind = (enum compress_kind)_i;
	int src = anon_file();
	char dst[64];
	struct walk w;

	close(temp_file(dst));
	fill_log(src, 5 * MIB + 77);
	compress_file(src, 5 * MIB + 77, dst, kind, &test_clock, 2);
	w = walk_members(dst, kind, src, 5 * MIB + 77, &test_clock);
	ck_assert_uint_eq(w.members, 6);
	ck_assert_uint_eq(w.dated, 6);
	ck_assert_uint_eq(w.continues, 0);
	assert_cli_decompresses_to(kind, dst, src, 5 * MIB + 77);
	ck_assert_int_eq(unlink(dst), 0);
	ck_assert_int_eq(close(src), 0);
}
END_TEST

/* A record longer than a member: the members it spans after its first say they
 * continue it, the one wholly inside it has no time; without a clock, the same
 * file is cut at line ends and nothing continues. */
START_TEST(test_clock_long_record)
{
	enum compress_kind kind = (enum compress_kind)_i;
	int src = anon_file();
	uint64_t len = fill_records(src);
	char dst[64];
	struct walk w;

	close(temp_file(dst));
	compress_file(src, len, dst, kind, &test_clock, 4);
	w = walk_members(dst, kind, src, len, &test_clock);
	ck_assert_uint_eq(w.continues, 2);
	ck_assert_uint_eq(w.dated, w.members - 1);
	assert_cli(kind, "-t", dst, -1);
	assert_decompresses_to(dst, src, len);
	compress_file(src, len, dst, kind, NULL, 4);
	w = walk_members(dst, kind, src, len, NULL);
	ck_assert_uint_eq(w.continues, 0);
	ck_assert_uint_eq(w.dated, 0);
	ck_assert_int_eq(unlink(dst), 0);
	ck_assert_int_eq(close(src), 0);
}
END_TEST

/* A 2.5 MiB line: cut at MEMBER_MAX_INPUT twice, the next two members continue. */
START_TEST(test_long_line)
{
	enum compress_kind kind = (enum compress_kind)_i;
	int src = anon_file();
	uint64_t len = 5 * MIB / 2 + 1000;
	char *buf = malloc(5 * MIB / 2);
	char dst[64];
	struct walk w;

	ck_assert_ptr_nonnull(buf);
	memset(buf, 'y', 5 * MIB / 2);
	write_all(src, buf, 5 * MIB / 2, 0);
	log_text(buf, 1000, 9);
	buf[0] = '\n';
	write_all(src, buf, 1000, 5 * MIB / 2);
	free(buf);
	close(temp_file(dst));
	compress_file(src, len, dst, kind, &test_clock, 0);
	w = walk_members(dst, kind, src, len, &test_clock);
	ck_assert_uint_eq(w.members, 3);
	ck_assert_uint_eq(w.continues, 2);
	ck_assert_uint_eq(w.dated, 1);
	assert_cli_decompresses_to(kind, dst, src, len);
	ck_assert_int_eq(unlink(dst), 0);
	ck_assert_int_eq(close(src), 0);
}
END_TEST

/* The archive does not depend on the number of threads. */
START_TEST(test_threads_same_bytes)
{
	enum compress_kind kind = (enum compress_kind)_i;
	int src = anon_file();
	uint64_t len = fill_records(src);
	char one[64], four[64];
	char *cmp_argv[] = { (char *)"cmp", (char *)"-s", one, four, NULL };

	close(temp_file(one));
	close(temp_file(four));
	compress_file(src, len, one, kind, &test_clock, 1);
	compress_file(src, len, four, kind, &test_clock, 4);
	ck_assert_int_eq(run(cmp_argv, -1), 0);
	compress_file(src, len, four, kind, NULL, 3);
	ck_assert_int_ne(run(cmp_argv, -1), 0);  /* the comparison can fail */
	compress_file(src, len, one, kind, NULL, 1);
	ck_assert_int_eq(run(cmp_argv, -1), 0);
	ck_assert_int_eq(unlink(one), 0);
	ck_assert_int_eq(unlink(four), 0);
	ck_assert_int_eq(close(src), 0);
}
END_TEST

static uint64_t compressed_size(int src, uint64_t len, enum compress_kind kind, int level)
{
	int dst = anon_file();
	struct compress_result res;
	char *err = NULL;

	ck_assert_int_eq(compress_range(src, len, dst, kind, level, NULL, 0, &res, &err), 0);
	ck_assert_uint_eq(res.bytes_out, file_size(dst));
	ck_assert_int_eq(close(dst), 0);
	return res.bytes_out;
}

START_TEST(test_levels)
{
	int src = anon_file();
	uint64_t len = 2 * MIB;
	uint64_t g1, g9, z1, z9;

	fill_log(src, len);
	g1 = compressed_size(src, len, COMPRESS_GZIP, 1);
	g9 = compressed_size(src, len, COMPRESS_GZIP, 9);
	z1 = compressed_size(src, len, COMPRESS_ZSTD, 1);
	z9 = compressed_size(src, len, COMPRESS_ZSTD, 9);
	ck_assert_uint_lt(g9, g1);
	ck_assert_uint_lt(z9, z1);
	ck_assert_uint_lt(g1, len / 3);
	ck_assert_int_eq(close(src), 0);
}
END_TEST

START_TEST(test_invalid_level)
{
	static const struct { enum compress_kind kind; int level; } bad[] = {
		{ COMPRESS_GZIP, 0 }, { COMPRESS_GZIP, 10 }, { COMPRESS_GZIP, -1 },
		{ COMPRESS_ZSTD, 0 }, { COMPRESS_ZSTD, 20 }, { COMPRESS_ZSTD, -5 },
	};
	int src = anon_file();
	int dst = anon_file();

	fill_log(src, 100);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_fails_with(src, 100, dst, bad[i].kind, bad[i].level, "compression level",
				  NULL);
	ck_assert_uint_eq(file_size(dst), 0);
	ck_assert_int_eq(close(dst), 0);
	ck_assert_int_eq(close(src), 0);
}
END_TEST

static uint64_t digest_chunked(const unsigned char *buf, size_t len, size_t chunk)
{
	struct compress_digest d;

	compress_digest_init(&d);
	for (size_t at = 0; at < len; at += chunk)
		compress_digest_update(&d, buf + at, len - at < chunk ? len - at : chunk);
	return compress_digest_final(&d);
}

static uint64_t digest_mem(const unsigned char *buf, size_t len)
{
	return digest_chunked(buf, len, len == 0 ? 1 : len);
}

/* n bytes of mixed log text and binary, for the digest tests. */
static unsigned char *sample(size_t n)
{
	unsigned char *buf = malloc(n);

	ck_assert_ptr_nonnull(buf);
	log_text((char *)buf, n, 11);
	for (size_t i = 0; i < n; i += 97)
		buf[i] = (unsigned char)(i * 131);
	return buf;
}

START_TEST(test_digest_chunking)
{
	size_t n = quick() ? 100003 : 1000003;
	unsigned char *buf = sample(n);
	uint64_t whole = digest_mem(buf, n);
	static const size_t chunks[] = { 1, 2, 3, 7, 8, 9, 15, 16, 4096, 65536, 262144 };
	struct compress_digest d;
	uint32_t x = 12345;

	for (size_t i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++)
		ck_assert_uint_eq(digest_chunked(buf, n, chunks[i]), whole);
	/* Irregular pieces, including empty ones; final is repeatable mid-stream. */
	compress_digest_init(&d);
	for (size_t at = 0; at < n;) {
		size_t take;

		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		take = x % 50;
		if (take > n - at)
			take = n - at;
		compress_digest_update(&d, buf + at, take);
		at += take;
		if (at == n / 2)
			ck_assert_uint_eq(compress_digest_final(&d), digest_mem(buf, at));
	}
	ck_assert_uint_eq(compress_digest_final(&d), whole);
	free(buf);
}
END_TEST

START_TEST(test_digest_detects_changes)
{
	size_t n = 4099;
	unsigned char *buf = sample(n + 16);
	uint64_t orig = digest_mem(buf, n);

	/* Every single-byte change, at every position. */
	for (size_t i = 0; i < n; i++) {
		unsigned char save = buf[i];

		buf[i] ^= 0xff;
		ck_assert_uint_ne(digest_mem(buf, n), orig);
		buf[i] = save ^ 0x01;
		ck_assert_uint_ne(digest_mem(buf, n), orig);
		buf[i] = save;
	}
	ck_assert_uint_eq(digest_mem(buf, n), orig);
	/* Shifted ranges, and prefixes of each other (the length counts). */
	for (size_t s = 1; s <= 16; s++)
		ck_assert_uint_ne(digest_mem(buf + s, n), orig);
	ck_assert_uint_ne(digest_mem(buf, n - 1), orig);
	ck_assert_uint_ne(digest_mem(buf, n + 1), orig);
	/* Two swapped words. */
	{
		unsigned char tmp[8];

		memcpy(tmp, buf + 800, 8);
		memcpy(buf + 800, buf + 1600, 8);
		memcpy(buf + 1600, tmp, 8);
		ck_assert_uint_ne(digest_mem(buf, n), orig);
	}
	free(buf);
}
END_TEST

/* Trailing zeros are not ignored, and all-zero inputs of different lengths differ. */
START_TEST(test_digest_zeros)
{
	static const unsigned char zeros[64];
	static const unsigned char a0[2] = { 'a', 0 };
	uint64_t seen[65];

	ck_assert_uint_ne(digest_mem(a0, 1), digest_mem(a0, 2));
	for (size_t i = 0; i <= 64; i++) {
		seen[i] = digest_mem(zeros, i);
		for (size_t j = 0; j < i; j++)
			ck_assert_uint_ne(seen[i], seen[j]);
	}
}
END_TEST

START_TEST(test_digest_file)
{
	size_t n = 3 * BUF + 5;
	unsigned char *buf = sample(n);
	int fd = anon_file();
	int dst = anon_file();
	struct compress_result res;
	uint64_t dg = 0;
	char *err = NULL;

	write_all(fd, buf, n, 0);
	ck_assert_int_eq(compress_digest_file(fd, n, &dg), 0);
	ck_assert_uint_eq(dg, digest_mem(buf, n));
	ck_assert_int_eq(compress_digest_file(fd, 1000, &dg), 0);
	ck_assert_uint_eq(dg, digest_mem(buf, 1000));
	ck_assert_int_eq(compress_digest_file(fd, 0, &dg), 0);
	ck_assert_uint_eq(dg, digest_mem(buf, 0));
	ck_assert_int_eq(compress_range(fd, n - 1, dst, COMPRESS_GZIP, 1, NULL, 0, &res, &err), 0);
	ck_assert_uint_eq(res.digest, digest_mem(buf, n - 1));

	errno = 0;
	ck_assert_int_eq(compress_digest_file(fd, n + 1, &dg), -1);
	ck_assert_int_eq(errno, ENODATA);
	errno = 0;
	ck_assert_int_eq(compress_digest_file(-1, 10, &dg), -1);
	ck_assert_int_eq(errno, EBADF);
	ck_assert_int_eq(close(dst), 0);
	ck_assert_int_eq(close(fd), 0);
	free(buf);
}
END_TEST

static long maxrss_kib(void)
{
	struct rusage ru;

	ck_assert_int_eq(getrusage(RUSAGE_SELF, &ru), 0);
	return ru.ru_maxrss;
}

/* 200 MB (sparse, with log text every 4 MiB) to /dev/null on 2 threads, whatever
 * this machine's CPUs: the peak RSS of this (forked) test process grows by less
 * than 16 MiB. */
START_TEST(test_bounded_memory)
{
	enum compress_kind kind = (enum compress_kind)_i;
	uint64_t len = quick() ? 20 * (uint64_t)MIB : 200 * (uint64_t)MIB;
	char *text = malloc(BUF);
	int src = anon_file();
	int dst = open("/dev/null", O_WRONLY);
	struct compress_result res;
	char *err = NULL;
	long before;

	ck_assert_ptr_nonnull(text);
	ck_assert_int_ge(dst, 0);
	ck_assert_int_eq(ftruncate(src, (off_t)len), 0);
	log_text(text, BUF, 3);
	for (uint64_t off = 0; off < len; off += 4 * MIB)
		write_all(src, text, BUF, off);
	free(text);
	before = maxrss_kib();
	ck_assert_int_eq(compress_range(src, len, dst, kind, kind == COMPRESS_ZSTD ? 3 : 6, NULL, 2, &res,
					&err), 0);
	ck_assert_uint_eq(res.bytes_in, len);
	ck_assert_uint_lt(res.bytes_out, len / 50);
	ck_assert_msg(maxrss_kib() - before < 16 * 1024, "peak RSS grew by %ld KiB",
		      maxrss_kib() - before);
	ck_assert_int_eq(close(dst), 0);
	ck_assert_int_eq(close(src), 0);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("compress");
	TCase *tc = tcase_create("compress");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_roundtrip_small, COMPRESS_GZIP, COMPRESS_ZSTD + 1);
	tcase_add_loop_test(tc, test_roundtrip_large, COMPRESS_GZIP, COMPRESS_ZSTD + 1);
	tcase_add_test(tc, test_suffix);
	tcase_add_test(tc, test_gzip_header);
	tcase_add_loop_test(tc, test_prefix_only, COMPRESS_GZIP, COMPRESS_ZSTD + 1);
	tcase_add_loop_test(tc, test_source_shorter, COMPRESS_GZIP, COMPRESS_ZSTD + 1);
	tcase_add_loop_test(tc, test_read_error, COMPRESS_GZIP, COMPRESS_ZSTD + 1);
	tcase_add_loop_test(tc, test_enospc, COMPRESS_GZIP, COMPRESS_ZSTD + 1);
	tcase_add_loop_test(tc, test_bad_dst, COMPRESS_GZIP, COMPRESS_ZSTD + 1);
	tcase_add_loop_test(tc, test_clock_plain, COMPRESS_GZIP, COMPRESS_ZSTD + 1);
	tcase_add_loop_test(tc, test_clock_long_record, COMPRESS_GZIP, COMPRESS_ZSTD + 1);
	tcase_add_loop_test(tc, test_long_line, COMPRESS_GZIP, COMPRESS_ZSTD + 1);
	tcase_add_loop_test(tc, test_threads_same_bytes, COMPRESS_GZIP, COMPRESS_ZSTD + 1);
	tcase_add_test(tc, test_levels);
	tcase_add_test(tc, test_invalid_level);
	tcase_add_test(tc, test_digest_chunking);
	tcase_add_test(tc, test_digest_detects_changes);
	tcase_add_test(tc, test_digest_zeros);
	tcase_add_test(tc, test_digest_file);
	tcase_add_loop_test(tc, test_bounded_memory, COMPRESS_GZIP, COMPRESS_ZSTD + 1);
	suite_add_tcase(s, tc);
	return s;
}
