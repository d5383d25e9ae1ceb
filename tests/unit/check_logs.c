/* rotd logs: the sources of a container, the line readers and the records, on
 * temp container trees (check_logs_search: the search and its output). */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config/config.h"
#include "lib/strlist.h"
#include "lib/xalloc.h"
#include "logs/linereader.h"
#include "logs/record.h"
#include "logs/source.h"
#include "logs_fixture.h"
#include "unit.h"
#include "unit_tmproot.h"

/* The test clock: a line "@N ..." was written at N seconds. */
static int at_time(const void *ctx, const char *line, size_t len, int64_t *t_us)
{
	int64_t t = 0;
	size_t i = 1;

	(void)ctx;
	if (len < 2 || line[0] != '@' || line[1] < '0' || line[1] > '9')
		return 0;
	while (i < len && line[i] >= '0' && line[i] <= '9')
		t = t * 10 + (line[i++] - '0');
	*t_us = t * 1000000;
	return 1;
}

/* Every line of r joined by '\n' (each line ended by one): a new string. */
static char *drain(struct linereader *r)
{
	size_t cap = 4096, n = 0;
	char *out = xmalloc(cap);
	const char *line;
	size_t len;
	int gap, st;

	while ((st = linereader_next(r, &line, &len, &gap)) > 0) {
		while (n + len + 2 > cap)
			cap *= 2;
		out = xreallocarray(out, cap, 1);
		memcpy(out + n, line, len);
		n += len;
		out[n++] = '\n';
	}
	ck_assert_msg(st == 0, "read error: %s", linereader_error(r));
	out[n] = '\0';
	return out;
}

START_TEST(test_foreign_names)
{
	ck_assert(source_is_foreign_archive("web.log.1", "web.log"));
	ck_assert(source_is_foreign_archive("web.log.2.gz", "web.log"));
	ck_assert(source_is_foreign_archive("web.log-20260930.gz", "web.log"));
	ck_assert(source_is_foreign_archive("web.log-20260930.bz2", "web.log"));
	ck_assert(source_is_foreign_archive("web.log.gz", "web.log"));
	ck_assert(source_is_foreign_archive("web.log.xz", "web.log"));
	ck_assert(!source_is_foreign_archive("web.log", "web.log"));
	ck_assert(!source_is_foreign_archive("web.log.lock", "web.log"));
	ck_assert(!source_is_foreign_archive("web.logx.1", "web.log"));
	ck_assert(!source_is_foreign_archive("access.log.1", "web.log"));
	ck_assert(!source_is_foreign_archive("web.log.gz.tmp", "web.log"));
}
END_TEST

static void put_at(struct unit_tmproot *r, const char *rel, time_t mtime)
{
	unit_tmproot_write(r, rel, "x\n", 2, mtime);
}

START_TEST(test_source_listing)
{
	struct rotd_config *cfg = logs_fixture_web_config();
	struct unit_tmproot r;
	struct source_set set;
	const struct log_sources *web = NULL;
	static const char *const want[] = {
		"/var/log/whatsapp/web.log.2.gz",                        /* mtime 2026-09-29 */
		"/var/log/whatsapp/archive/web.log-20260930.gz",         /* 2026-09-30 */
		"/var/log/whatsapp/web.log.1",                           /* 2026-10-01 */
		"/var/log/whatsapp/archive/web.log-20261120T000000Z.gz", /* its name's time */
		"/var/log/whatsapp/archive/web.log-20261120T000000Z_001.zst",
		"/var/log/whatsapp/archive/web.log-20261121T000000Z.gz",
		"/var/log/whatsapp/web.log",
	};
	int problems;

	unit_tmproot_make(&r, NULL, "logs-src");
	unit_tmproot_mkdir(&r, "var");
	unit_tmproot_mkdir(&r, "var/log");
	unit_tmproot_mkdir(&r, "var/log/whatsapp");
	unit_tmproot_mkdir(&r, "var/log/whatsapp/archive");
	put_at(&r, "var/log/whatsapp/web.log", 1795000000);
	put_at(&r, "var/log/whatsapp/access.log", 1795000000);
	/* rotd's names: ordered by their time, whatever their mtime */
	put_at(&r, "var/log/whatsapp/archive/web.log-20261121T000000Z.gz", 1000);
	put_at(&r, "var/log/whatsapp/archive/web.log-20261120T000000Z_001.zst", 3000);
	put_at(&r, "var/log/whatsapp/archive/web.log-20261120T000000Z.gz", 2000);
	put_at(&r, "var/log/whatsapp/archive/access.log-20261120T000000Z.gz", 2000);
	/* logrotate's, in the archive folder and beside the log: by mtime */
	put_at(&r, "var/log/whatsapp/archive/web.log-20260930.gz", 1790726400);
	put_at(&r, "var/log/whatsapp/web.log.1", 1790812800);
	put_at(&r, "var/log/whatsapp/web.log.2.gz", 1790640000);
	put_at(&r, "var/log/whatsapp/web.log.lock", 1790640000);
	/* refused: a symlink, a FIFO, a hard-linked file */
	unit_tmproot_symlink(&r, "/etc/shadow", "var/log/whatsapp/archive/web.log-20261122T000000Z.gz");
	ck_assert_int_eq(mkfifo(unit_tmproot_path(&r, "var/log/whatsapp/archive/web.log-20261123T000000Z.gz"), 0644),
			 0);
	put_at(&r, "var/log/whatsapp/archive/web.log.3", 1790000000);
	ck_assert_int_eq(link(unit_tmproot_path(&r, "var/log/whatsapp/archive/web.log.3"),
			      unit_tmproot_path(&r, "var/log/elsewhere")),
			 0);

	problems = source_list(r.fs, "web1", &cfg->roles[0], NULL, &set);
	ck_assert_int_eq(problems, 3);
	ck_assert_uint_eq(set.n, 2);
	for (size_t i = 0; i < set.n; i++)
		if (strcmp(set.logs[i].log_path, "/var/log/whatsapp/web.log") == 0)
			web = &set.logs[i];
	ck_assert_ptr_nonnull(web);
	ck_assert_uint_eq(web->n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < web->n; i++)
		ck_assert_str_eq(web->v[i].path, want[i]);
	ck_assert_int_eq(web->v[0].kind, SOURCE_FOREIGN);
	ck_assert_int_eq(web->v[3].kind, SOURCE_ROTD);
	ck_assert_int_eq(web->v[3].codec, COMPRESS_GZIP);
	ck_assert_int_eq(web->v[4].codec, COMPRESS_ZSTD);
	ck_assert_int_eq(web->v[6].kind, SOURCE_LIVE);
	ck_assert_str_eq(web->v[3].name, "web.log-20261120T000000Z.gz");
	source_set_free(&set);

	/* --log narrows by path or by file name */
	{
		struct strlist globs = STRLIST_INIT;

		strlist_add(&globs, "acc*");
		problems = source_list(r.fs, "web1", &cfg->roles[0], &globs, &set);
		ck_assert_int_eq(problems, 0);
		ck_assert_uint_eq(set.n, 1);
		ck_assert_str_eq(set.logs[0].log_path, "/var/log/whatsapp/access.log");
		ck_assert_uint_eq(set.logs[0].n, 2);
		source_set_free(&set);
		strlist_free(&globs);
		strlist_add(&globs, "/var/log/*/web.log");
		problems = source_list(r.fs, "web1", &cfg->roles[0], &globs, &set);
		ck_assert_int_eq(problems, 3);
		ck_assert_uint_eq(set.n, 1);
		source_set_free(&set);
		strlist_free(&globs);
	}
	unit_tmproot_remove(&r);
	config_free(cfg);
}
END_TEST

/* The logs a pattern archived whole and removed are searched through rotd's
 * archives of them, named by their stems. */
START_TEST(test_source_gone_logs)
{
	struct strlist errors = STRLIST_INIT;
	struct rotd_config *cfg = config_load_buffer("role core {\n  match {\n    name = {\"core*\"}\n  }\n"
						     "  logs = {\"/usr/local/waent/logs/*.log\", \"/var/log/whatsapp/*.log\"}\n"
						     "  size = 15M\n  archive-dir = /var/log/whatsapp/archive\n}\n",
						     "core.conf", &errors);
	struct unit_tmproot r;
	struct source_set set;

	ck_assert_ptr_nonnull(cfg);
	unit_tmproot_make(&r, NULL, "logs-gone");
	unit_tmproot_mkdir(&r, "usr");
	unit_tmproot_mkdir(&r, "usr/local");
	unit_tmproot_mkdir(&r, "usr/local/waent");
	unit_tmproot_mkdir(&r, "usr/local/waent/logs");
	unit_tmproot_mkdir(&r, "var");
	unit_tmproot_mkdir(&r, "var/log");
	unit_tmproot_mkdir(&r, "var/log/whatsapp");
	unit_tmproot_mkdir(&r, "var/log/whatsapp/archive");
	put_at(&r, "usr/local/waent/logs/wa-service-1.log", 1795000000);
	put_at(&r, "var/log/whatsapp/archive/logs_wa-service-1.log-20261120T000000Z.gz", 1);
	put_at(&r, "var/log/whatsapp/archive/logs_wa-service-0-crash.log-20261119T000000Z.gz", 1);
	put_at(&r, "var/log/whatsapp/archive/logs_wa-service-0-crash.log-20261118T000000Z.gz", 1);
	put_at(&r, "var/log/whatsapp/archive/old.log-20261118T000000Z.zst", 1);
	put_at(&r, "var/log/whatsapp/archive/logs_notes.txt-20261118T000000Z.gz", 1);
	ck_assert_int_eq(source_list(r.fs, "core1", &cfg->roles[0], NULL, &set), 0);
	ck_assert_uint_eq(set.n, 3);
	ck_assert_str_eq(set.logs[0].log_path, "/usr/local/waent/logs/wa-service-1.log");
	ck_assert_uint_eq(set.logs[0].n, 2);
	ck_assert_str_eq(set.logs[1].log_path, "/usr/local/waent/logs/wa-service-0-crash.log");
	ck_assert_uint_eq(set.logs[1].log_index, 0);
	ck_assert_uint_eq(set.logs[1].n, 2);
	ck_assert_str_eq(set.logs[1].v[0].name, "logs_wa-service-0-crash.log-20261118T000000Z.gz");
	ck_assert_int_eq(set.logs[1].v[1].kind, SOURCE_ROTD);
	ck_assert_str_eq(set.logs[2].log_path, "/var/log/whatsapp/old.log");
	ck_assert_uint_eq(set.logs[2].log_index, 1);
	ck_assert_int_eq(set.logs[2].v[0].codec, COMPRESS_ZSTD);
	source_set_free(&set);
	unit_tmproot_remove(&r);
	config_free(cfg);
}
END_TEST

START_TEST(test_source_open_refuses)
{
	struct unit_tmproot r;
	const char *why = NULL;
	uint64_t size = 0;
	int fd;

	unit_tmproot_make(&r, NULL, "logs-open");
	unit_tmproot_put(&r, "plain", "abc\n");
	unit_tmproot_symlink(&r, "plain", "link");
	ck_assert_int_eq(mkfifo(unit_tmproot_path(&r, "fifo"), 0644), 0);
	unit_tmproot_put(&r, "two", "x\n");
	ck_assert_int_eq(link(unit_tmproot_path(&r, "two"), unit_tmproot_path(&r, "two-again")), 0);
	fd = source_open(r.fs, "/plain", &size, &why);
	ck_assert_int_ge(fd, 0);
	ck_assert_uint_eq(size, 4);
	close(fd);
	ck_assert_int_eq(source_open(r.fs, "/link", &size, &why), -1);
	ck_assert_str_eq(why, "a symlink, not followed");
	/* a FIFO is opened without blocking, then refused */
	ck_assert_int_eq(source_open(r.fs, "/fifo", &size, &why), -1);
	ck_assert_str_eq(why, "a FIFO, not read");
	ck_assert_int_eq(source_open(r.fs, "/two", &size, &why), -1);
	ck_assert_str_eq(why, "a hard-linked file, not read");
	unit_tmproot_remove(&r);
}
END_TEST

/* Feeds text line by line to a recorder (cap bytes) and writes each record
 * as "[T|-]:text|" into out. */
static void records_of(const char *text, size_t cap, const int *gaps, char *out, size_t out_size)
{
	struct recorder *rec = recorder_new(at_time, NULL, cap);
	const struct record *r;
	const char *p = text;
	size_t o = 0;
	int i = 0;

	out[0] = '\0';
	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (recorder_line(rec, p, len, gaps != NULL && gaps[i], &r))
			o += (size_t)snprintf(out + o, out_size - o, "%s%lld:%s|", r->continued ? "+" : "",
					      r->has_time ? (long long)(r->t_us / 1000000) : -1LL, r->text);
		i++;
		p = nl ? nl + 1 : p + len;
	}
	if (recorder_finish(rec, &r))
		o += (size_t)snprintf(out + o, out_size - o, "%s%lld:%s|", r->continued ? "+" : "",
				      r->has_time ? (long long)(r->t_us / 1000000) : -1LL, r->text);
	ck_assert_uint_lt(o, out_size);
	recorder_free(rec);
}

START_TEST(test_records)
{
	char out[1024];
	static const int gaps[] = { 0, 0, 1, 0, 0, 0 };

	/* leading lines without a time form one record; stack traces stay whole */
	records_of("orphan a\norphan b\n@10 error\n  at f()\n  at g()\n@11 next\n@12 last\n", RECORD_MAX, NULL,
		   out, sizeof(out));
	ck_assert_str_eq(out, "-1:orphan a\norphan b|10:@10 error\n  at f()\n  at g()|11:@11 next|12:@12 last|");
	/* after a gap the lines without a time belonged to a skipped record */
	records_of("@1 a\n  a2\n  lost\n  lost too\n@5 b\n  b2\n", RECORD_MAX, gaps, out, sizeof(out));
	ck_assert_str_eq(out, "1:@1 a\n  a2|5:@5 b\n  b2|");
	/* an empty line is a line */
	records_of("@1 a\n\n@2 b\n", RECORD_MAX, NULL, out, sizeof(out));
	ck_assert_str_eq(out, "1:@1 a\n|2:@2 b|");
}
END_TEST

START_TEST(test_record_cap)
{
	char out[1024];

	/* a record over its cap goes on as records of the same time, nothing lost */
	records_of("@7 0123456789\nabcdefghij\nklmnopqrst\nuvwxyz\n@8 x\n", 24, NULL, out, sizeof(out));
	ck_assert_str_eq(out, "7:@7 0123456789\nabcdefghij|+7:klmnopqrst\nuvwxyz|8:@8 x|");
}
END_TEST

START_TEST(test_plain_reader)
{
	struct unit_tmproot r;
	struct linereader *lr;
	uint64_t size;
	char *text;
	int fd;

	unit_tmproot_make(&r, NULL, "logs-plain");
	unit_tmproot_put(&r, "log", "one\r\ntwo\n\nthree without newline");
	fd = source_open(r.fs, "/log", &size, &(const char *){ NULL });
	ck_assert_int_ge(fd, 0);
	text = drain(lr = linereader_plain(fd, 0, size));
	ck_assert_str_eq(text, "one\ntwo\n\nthree without newline\n");
	free(text);
	linereader_free(lr);
	/* read up to the size it had: what is appended later waits for the next search */
	fd = source_open(r.fs, "/log", &size, &(const char *){ NULL });
	text = drain(lr = linereader_plain(fd, 5, 9));
	ck_assert_str_eq(text, "two\n");
	free(text);
	linereader_free(lr);
	unit_tmproot_remove(&r);
}
END_TEST

START_TEST(test_overlong_line)
{
	struct unit_tmproot r;
	struct linereader *lr;
	size_t n = LINEREADER_LINE_MAX + 1000, len, total = 0, pieces = 0;
	char *big = malloc(n + 1);
	const char *line;
	uint64_t size;
	int gap, fd;

	memset(big, 'x', n);
	big[n] = '\n';
	unit_tmproot_make(&r, NULL, "logs-long");
	unit_tmproot_write(&r, "log", big, n + 1, 0);
	fd = source_open(r.fs, "/log", &size, &(const char *){ NULL });
	lr = linereader_plain(fd, 0, size);
	while (linereader_next(lr, &line, &len, &gap) > 0) {
		ck_assert_uint_le(len, LINEREADER_LINE_MAX);
		total += len;
		pieces++;
	}
	ck_assert_uint_eq(total, n);
	ck_assert_uint_eq(pieces, 2);
	linereader_free(lr);
	free(big);
	unit_tmproot_remove(&r);
}
END_TEST

static const char *const tools[] = { "gzip", "bzip2", "xz", "zstd" };
static const char *const tool_suffix[] = { ".gz", ".bz2", ".xz", ".zst" };

/* An archive another program wrote, read whole through libarchive. */
START_TEST(test_foreign_reader)
{
	struct unit_tmproot r;
	struct linereader *lr;
	char name[64], *text, *want = unit_lines(1, 5000);
	uint64_t size;
	int fd;

	unit_tmproot_make(&r, NULL, "logs-foreign");
	unit_tmproot_write(&r, "web.log.1", want, 5000 * UNIT_LINE_LEN, 0);
	snprintf(name, sizeof(name), "web.log.1%s", tool_suffix[_i]);
	logs_fixture_compress_with(tools[_i], unit_tmproot_path(&r, "web.log.1"), unit_tmproot_path(&r, name));
	snprintf(name, sizeof(name), "/web.log.1%s", tool_suffix[_i]);
	fd = source_open(r.fs, name, &size, &(const char *){ NULL });
	ck_assert_int_ge(fd, 0);
	text = drain(lr = linereader_foreign(fd));
	ck_assert_uint_eq(strlen(text), 5000 * UNIT_LINE_LEN);
	ck_assert(memcmp(text, want, 5000 * UNIT_LINE_LEN) == 0);
	free(text);
	linereader_free(lr);
	/* an uncompressed one too (logrotate without compress) */
	fd = source_open(r.fs, "/web.log.1", &size, &(const char *){ NULL });
	text = drain(lr = linereader_foreign(fd));
	ck_assert(memcmp(text, want, 5000 * UNIT_LINE_LEN) == 0);
	free(text);
	linereader_free(lr);
	free(want);
	unit_tmproot_remove(&r);
}
END_TEST

START_TEST(test_foreign_corrupt)
{
	struct unit_tmproot r;
	struct linereader *lr;
	char *want = unit_lines(1, 20000), *gz;
	const char *line;
	size_t len, gzlen;
	uint64_t size;
	int gap, fd, st;

	unit_tmproot_make(&r, NULL, "logs-corrupt");
	unit_tmproot_write(&r, "web.log.1", want, 20000 * UNIT_LINE_LEN, 0);
	logs_fixture_compress_with("gzip", unit_tmproot_path(&r, "web.log.1"), unit_tmproot_path(&r, "web.log.1.gz"));
	gz = unit_tmproot_read(&r, "web.log.1.gz", &gzlen);
	unit_tmproot_write(&r, "web.log.1.gz", gz, gzlen / 2, 0); /* truncated */
	fd = source_open(r.fs, "/web.log.1.gz", &size, &(const char *){ NULL });
	lr = linereader_foreign(fd);
	while ((st = linereader_next(lr, &line, &len, &gap)) > 0)
		;
	ck_assert_int_eq(st, -1);
	ck_assert_ptr_nonnull(strstr(linereader_error(lr), "truncated"));
	linereader_free(lr);
	free(gz);
	free(want);
	unit_tmproot_remove(&r);
}
END_TEST

/* Bisection lands on a record before the target, close to it. */
START_TEST(test_bisect)
{
	struct unit_tmproot r;
	size_t n = 200000, o = 0;
	char *text = malloc(n * 40);
	uint64_t size, at;
	int fd;

	for (size_t i = 0; i < n; i++) {
		o += (size_t)sprintf(text + o, "@%zu line %zu\n", 1000 + i, i);
		if (i % 7 == 0)
			o += (size_t)sprintf(text + o, "  continued %zu\n", i);
	}
	unit_tmproot_make(&r, NULL, "logs-bisect");
	unit_tmproot_write(&r, "log", text, o, 0);
	fd = source_open(r.fs, "/log", &size, &(const char *){ NULL });
	for (int64_t target = 900; target < 1000 + (int64_t)n + 100; target += 12345) {
		int64_t t;

		at = linereader_bisect(fd, size, at_time, NULL, target * 1000000, 0);
		ck_assert(at == 0 || text[at - 1] == '\n');
		if (at > 0) {
			ck_assert(at_time(NULL, text + at, 20, &t));
			ck_assert_int_lt(t, target * 1000000);
			/* within a block or two of the target's line */
			ck_assert_int_gt(t, (target - 10000) * 1000000);
		}
	}
	/* the slack moves it back */
	at = linereader_bisect(fd, size, at_time, NULL, 150000 * INT64_C(1000000), 60 * INT64_C(1000000));
	{
		int64_t t;

		ck_assert(at_time(NULL, text + at, 20, &t));
		ck_assert_int_lt(t, (150000 - 60) * INT64_C(1000000));
	}
	/* no times at all: from the start */
	unit_tmproot_write(&r, "plain", text, o, 0);
	memset(text, 'x', o);
	for (size_t i = 79; i < o; i += 80)
		text[i] = '\n';
	unit_tmproot_write(&r, "notimes", text, o, 0);
	close(fd);
	fd = source_open(r.fs, "/notimes", &size, &(const char *){ NULL });
	ck_assert_uint_eq(linereader_bisect(fd, size, at_time, NULL, 5000 * INT64_C(1000000), 0), 0);
	close(fd);
	free(text);
	unit_tmproot_remove(&r);
}
END_TEST



Suite *unit_suite(void)
{
	Suite *s = suite_create("logs");
	TCase *tc = tcase_create("logs");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_foreign_names);
	tcase_add_test(tc, test_source_listing);
	tcase_add_test(tc, test_source_gone_logs);
	tcase_add_test(tc, test_source_open_refuses);
	tcase_add_test(tc, test_records);
	tcase_add_test(tc, test_record_cap);
	tcase_add_test(tc, test_plain_reader);
	tcase_add_test(tc, test_overlong_line);
	tcase_add_loop_test(tc, test_foreign_reader, 0, 4);
	tcase_add_test(tc, test_foreign_corrupt);
	tcase_add_test(tc, test_bisect);
	suite_add_tcase(s, tc);
	return s;
}
