/* journal records: round trips, hostile paths, and malformed records. */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rotate/journal.h"
#include "unit.h"

static char dir[64];
static int dfd = -1;

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/rotd-journal.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(dfd, 0);
}

static void teardown(void)
{
	close(dfd);
	rmdir(dir); /* each test removes what it wrote */
}

static void put_raw(const char *name, const char *text)
{
	int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

START_TEST(round_trip_with_a_hostile_path)
{
	struct journal_record w = { .cut = JOURNAL_COLLAPSE,
				    .source = (char *)"/var/log/we\nird \xff name.log",
				    .archive = (char *)"web.log-20261122T010203Z.gz",
				    .dev = 2049, .ino = 123456789, .length = 4096 * 3,
				    .digest = 0x0123456789abcdefULL };
	struct journal_record r;

	ck_assert_int_eq(journal_write(dfd, &w), 0);
	ck_assert_int_eq(journal_read(dfd, JOURNAL_PREFIX "web.log-20261122T010203Z.gz", &r), 0);
	ck_assert_int_eq(r.cut, JOURNAL_COLLAPSE);
	ck_assert_str_eq(r.source, w.source);
	ck_assert_str_eq(r.archive, w.archive);
	ck_assert_uint_eq(r.dev, 2049);
	ck_assert_uint_eq(r.ino, 123456789);
	ck_assert_uint_eq(r.length, 4096 * 3);
	ck_assert_uint_eq(r.digest, 0x0123456789abcdefULL);
	journal_record_free(&r);
	ck_assert_int_eq(journal_remove(dfd, w.archive), 0);
	ck_assert_int_eq(faccessat(dfd, JOURNAL_PREFIX "web.log-20261122T010203Z.gz", F_OK, 0), -1);
}
END_TEST

START_TEST(every_cut_kind_round_trips)
{
	enum journal_cut cuts[] = { JOURNAL_COLLAPSE, JOURNAL_TRUNCATE, JOURNAL_REMOVE, JOURNAL_RENAME };
	static const char *const names[] = { "collapse", "truncate", "remove", "rename" };

	for (size_t i = 0; i < 4; i++) {
		char name[64];
		struct journal_record w = { .cut = cuts[i], .source = (char *)"/a.log", .archive = name,
					    .renamed = cuts[i] == JOURNAL_RENAME ? (char *)".a.log.rotd-rotating" : NULL,
					    .dev = 1, .ino = 2, .length = 3, .digest = 4 };
		struct journal_record r;
		char rec[96];

		snprintf(name, sizeof(name), "a.log-20261122T010203Z-%zu.gz", i + 1);
		snprintf(rec, sizeof(rec), JOURNAL_PREFIX "%s", name);
		ck_assert_int_eq(journal_write(dfd, &w), 0);
		ck_assert_int_eq(journal_read(dfd, rec, &r), 0);
		ck_assert_int_eq(r.cut, cuts[i]);
		ck_assert_str_eq(journal_cut_name(r.cut), names[i]);
		if (cuts[i] == JOURNAL_RENAME)
			ck_assert_str_eq(r.renamed, ".a.log.rotd-rotating");
		else
			ck_assert_ptr_null(r.renamed);
		journal_record_free(&r);
		ck_assert_int_eq(journal_remove(dfd, name), 0);
	}
}
END_TEST

START_TEST(write_is_exclusive_and_remove_tolerates_absence)
{
	struct journal_record w = { .cut = JOURNAL_REMOVE, .source = (char *)"/a.log",
				    .archive = (char *)"a.log-x.gz", .dev = 1, .ino = 2, .length = 3, .digest = 4 };

	ck_assert_int_eq(journal_write(dfd, &w), 0);
	ck_assert_int_eq(journal_write(dfd, &w), -1);
	ck_assert_int_eq(errno, EEXIST);
	ck_assert_int_eq(journal_remove(dfd, "a.log-x.gz"), 0);
	ck_assert_int_eq(journal_remove(dfd, "a.log-x.gz"), 0);
}
END_TEST

START_TEST(malformed_records_are_refused)
{
	static const char *const bad[] = {
		"",
		"rotd-journal 1\ncut collapse\n",
		"rotd-journal 2\ncut collapse\nsource 2f61\narchive 61\ndev 1\nino 2\nlength 3\ndigest 4\nend\n",
		"rotd-journal 1\ncut explode\nsource 2f61\narchive 61\ndev 1\nino 2\nlength 3\ndigest 4\nend\n",
		"rotd-journal 1\ncut collapse\nsource 2f6\narchive 61\ndev 1\nino 2\nlength 3\ndigest 4\nend\n",
		"rotd-journal 1\ncut collapse\nsource 2f61\narchive 2f61\ndev 1\nino 2\nlength 3\ndigest 4\nend\n",
		"rotd-journal 1\ncut collapse\nsource 2f61\narchive 61\ndev x\nino 2\nlength 3\ndigest 4\nend\n",
		"rotd-journal 1\ncut collapse\nsource 2f61\narchive 61\ndev 1\nino 2\nlength -3\ndigest 4\nend\n",
		"rotd-journal 1\ncut collapse\nsource 2f0061\narchive 61\ndev 1\nino 2\nlength 3\ndigest 4\nend\n",
		"rotd-journal 1\ncut collapse\nsource 2f61\narchive 61\ndev 1\nino 2\nlength 3\ndigest 4\n",
		"rotd-journal 1\ncut rename\nsource 2f61\narchive 61\nrenamed -\ndev 1\nino 2\nlength 0\ndigest 0\nend\n",
		"rotd-journal 1\ncut rename\nsource 2f61\narchive 61\nrenamed 2f62\ndev 1\nino 2\nlength 0\ndigest 0\nend\n",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct journal_record r;

		put_raw(JOURNAL_PREFIX "bad", bad[i]);
		ck_assert_msg(journal_read(dfd, JOURNAL_PREFIX "bad", &r) == -1, "record %zu was accepted", i);
		ck_assert_int_eq(errno, EINVAL);
	}
	unlinkat(dfd, JOURNAL_PREFIX "bad", 0);
}
END_TEST

START_TEST(a_fifo_record_is_refused_without_blocking)
{
	struct journal_record r;

	ck_assert_int_eq(mkfifoat(dfd, JOURNAL_PREFIX "fifo", 0600), 0);
	ck_assert_int_eq(journal_read(dfd, JOURNAL_PREFIX "fifo", &r), -1);
	ck_assert_int_eq(errno, EINVAL);
	unlinkat(dfd, JOURNAL_PREFIX "fifo", 0);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("journal");
	TCase *tc = tcase_create("records");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, round_trip_with_a_hostile_path);
	tcase_add_test(tc, every_cut_kind_round_trips);
	tcase_add_test(tc, write_is_exclusive_and_remove_tolerates_absence);
	tcase_add_test(tc, malformed_records_are_refused);
	tcase_add_test(tc, a_fifo_record_is_refused_without_blocking);
	suite_add_tcase(s, tc);
	return s;
}
