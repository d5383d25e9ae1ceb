/* fsusage against df(1) on small tmpfs mounts, and bytes_over put to the test. */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/fsusage.h"
#include "unit.h"

static char mnt[64];
static int mounted;

/* Mounts a tmpfs with opts on a fresh temp folder, in a mount namespace of the
 * test's own so that a failed test leaves no mount behind. The tests run as root
 * (see README); a failed mount is a failed test. */
static void mount_tmpfs(const char *opts)
{
	ck_assert_msg(unshare(CLONE_NEWNS) == 0, "unshare: %s", strerror(errno));
	ck_assert_msg(mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) == 0, "private mounts: %s", strerror(errno));
	snprintf(mnt, sizeof(mnt), "/tmp/rotd-fsusage.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(mnt));
	ck_assert_msg(mount("rotd-test", mnt, "tmpfs", 0, opts) == 0, "cannot mount a tmpfs (%s) on %s: %s",
		      opts, mnt, strerror(errno));
	mounted = 1;
}

static void teardown(void)
{
	if (mounted)
		umount2(mnt, MNT_DETACH);
	mounted = 0;
	if (mnt[0] != '\0')
		rmdir(mnt);
	mnt[0] = '\0';
}

/* Writes size bytes to mnt/name; returns how many went in (less when full). */
static uint64_t fill(const char *name, uint64_t size)
{
	char path[128], buf[65536];
	uint64_t done = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", mnt, name);
	fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	ck_assert_msg(fd >= 0, "%s: %s", path, strerror(errno));
	memset(buf, 'x', sizeof(buf));
	while (done < size) {
		size_t n = size - done < sizeof(buf) ? (size_t)(size - done) : sizeof(buf);
		ssize_t w = write(fd, buf, n);

		if (w < 0) {
			ck_assert_int_eq(errno, ENOSPC);
			break;
		}
		done += (uint64_t)w;
	}
	ck_assert_int_eq(close(fd), 0);
	return done;
}

static void rm(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", mnt, name);
	ck_assert_int_eq(unlink(path), 0);
}

static void measure(struct fs_usage *u)
{
	int fd = open(mnt, O_RDONLY | O_DIRECTORY);

	ck_assert_int_ge(fd, 0);
	memset(u, 0xa5, sizeof(*u));
	ck_assert_int_eq(fsusage_measure(fd, u), 0);
	close(fd);
}

/* Runs df with the given --output fields on mnt; returns the three numbers of its
 * second line, a "-" percentage as -1. */
static void df(const char *fields, uint64_t *a, uint64_t *b, long *pct)
{
	char cmd[256], line[256], p[16];
	unsigned long long x, y;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "df --output=%s -B1 '%s'", fields, mnt);
	f = popen(cmd, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));   /* the header */
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
	ck_assert_int_eq(pclose(f), 0);
	ck_assert_msg(sscanf(line, "%llu %llu %15s", &x, &y, p) == 3, "df said: %s", line);
	*a = x;
	*b = y;
	*pct = strcmp(p, "-") == 0 ? -1 : strtol(p, NULL, 10);
}

/* Checks fsusage_measure against df, bytes and inodes. */
static void same_as_df(void)
{
	struct fs_usage u;
	struct stat st;
	uint64_t used, avail, itotal, iused;
	long pct, ipct;

	measure(&u);
	ck_assert_int_eq(stat(mnt, &st), 0);
	ck_assert(u.dev == st.st_dev);
	df("used,avail,pcent", &used, &avail, &pct);
	ck_assert_uint_eq(u.used, used);
	ck_assert_uint_eq(u.avail, avail);
	ck_assert_int_eq(u.used_pct, pct < 0 ? 0 : pct);
	df("itotal,iused,ipcent", &itotal, &iused, &ipct);
	ck_assert_uint_eq(u.inodes, itotal);
	ck_assert_uint_eq(u.inodes_used, iused);
	ck_assert_int_eq(u.inodes_pct, ipct < 0 ? 0 : ipct);
	ck_assert_uint_eq(fsusage_pct(&u), u.used_pct > u.inodes_pct ? u.used_pct : u.inodes_pct);
}

START_TEST(test_bytes_like_df)
{
	static const uint64_t sizes[] = { 1, 4096, 4097, 100000, 40960, 1 << 20, 777777, 1 << 20 };
	struct fs_usage u;
	char name[32];
	size_t i;

	mount_tmpfs("size=4m");
	measure(&u);
	ck_assert_uint_eq(u.size, 4 << 20);
	ck_assert_uint_eq(u.used, 0);
	ck_assert_uint_eq(u.avail, 4 << 20);
	ck_assert_uint_eq(u.used_pct, 0);
	ck_assert_uint_eq(fsusage_bytes_over(&u, 0), 0);
	same_as_df();
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		snprintf(name, sizeof(name), "f%zu", i);
		fill(name, sizes[i]);
		same_as_df();
	}
	measure(&u);
	ck_assert_uint_eq(u.size, 4 << 20);
	ck_assert_uint_eq(u.used + u.avail, u.size);
	ck_assert_uint_gt(u.used_pct, 70);
	ck_assert_uint_lt(u.used_pct, 100);
	/* Full to the last block. */
	ck_assert_uint_lt(fill("rest", 8 << 20), 8 << 20);
	same_as_df();
	measure(&u);
	ck_assert_uint_eq(u.avail, 0);
	ck_assert_uint_eq(u.used, u.size);
	ck_assert_uint_eq(u.used_pct, 100);
	ck_assert_uint_eq(fsusage_pct(&u), 100);
	ck_assert_uint_eq(fsusage_bytes_over(&u, 100), 0);
	ck_assert_uint_eq(fsusage_bytes_over(&u, 0), u.used);
	rm("rest");
	same_as_df();
}
END_TEST

START_TEST(test_inodes_like_df)
{
	struct fs_usage u;
	char name[128];
	int i, made;

	mount_tmpfs("size=4m,nr_inodes=64");
	measure(&u);
	ck_assert_uint_eq(u.inodes, 64);
	ck_assert_uint_eq(u.inodes_used, 1);   /* the root folder */
	ck_assert_uint_eq(u.inodes_pct, 2);    /* 1.5625% rounded up */
	same_as_df();
	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "empty%d", i);
		fill(name, 0);
	}
	same_as_df();
	measure(&u);
	ck_assert_uint_eq(u.inodes_used, 41);
	ck_assert_uint_eq(u.inodes_pct, 65);   /* 64.06% */
	ck_assert_uint_eq(u.used_pct, 0);
	ck_assert_uint_eq(fsusage_pct(&u), 65);
	/* The byte figure alone says nothing is over. */
	ck_assert_uint_eq(fsusage_bytes_over(&u, 50), 0);
	/* Out of inodes. */
	for (made = 0;; made++) {
		int fd;

		snprintf(name, sizeof(name), "%s/more%d", mnt, made);
		fd = open(name, O_CREAT | O_WRONLY, 0644);
		if (fd < 0) {
			ck_assert_int_eq(errno, ENOSPC);
			break;
		}
		close(fd);
		ck_assert_int_lt(made, 64);
	}
	same_as_df();
	measure(&u);
	ck_assert_uint_eq(u.inodes_used, 64);
	ck_assert_uint_eq(u.inodes_pct, 100);
	ck_assert_uint_eq(fsusage_pct(&u), 100);
}
END_TEST

START_TEST(test_no_limits)
{
	struct fs_usage u;
	uint64_t a, b;
	long pct;

	/* size=0 and nr_inodes=0: a tmpfs without limits reports zero of everything. */
	mount_tmpfs("size=0,nr_inodes=0");
	fill("some", 100000);
	measure(&u);
	ck_assert_uint_eq(u.size, 0);
	ck_assert_uint_eq(u.used, 0);
	ck_assert_uint_eq(u.avail, 0);
	ck_assert_uint_eq(u.used_pct, 0);
	ck_assert_uint_eq(u.inodes, 0);
	ck_assert_uint_eq(u.inodes_used, 0);
	ck_assert_uint_eq(u.inodes_pct, 0);
	ck_assert_uint_eq(fsusage_pct(&u), 0);
	ck_assert_uint_eq(fsusage_bytes_over(&u, 0), 0);
	df("used,avail,pcent", &a, &b, &pct);
	ck_assert_int_eq(pct, -1);
	same_as_df();
}
END_TEST

/* Rewrites mnt/big with size bytes. */
static void big(uint64_t size)
{
	ck_assert_uint_eq(fill("big", size), size);
}

static void shrink_big(uint64_t size, uint64_t by)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/big", mnt);
	ck_assert_int_eq(truncate(path, (off_t)(size - by)), 0);
}

START_TEST(test_bytes_over_frees_enough)
{
	static const unsigned pcts[] = { 0, 1, 10, 25, 33, 50, 62, 63, 64, 70, 74, 75, 99 };
	const uint64_t size = 3 << 20, block = 4096;
	struct fs_usage u;
	size_t i;

	mount_tmpfs("size=4m");
	fill("small", 12345);
	for (i = 0; i < sizeof(pcts) / sizeof(pcts[0]); i++) {
		unsigned pct = pcts[i];
		uint64_t over, freed;

		big(size);
		measure(&u);
		over = fsusage_bytes_over(&u, pct);
		if (u.used_pct <= pct) {
			ck_assert_uint_eq(over, 0);
			continue;
		}
		ck_assert_uint_gt(over, 0);
		ck_assert_uint_le(over, u.used);
		freed = (over + block - 1) / block * block;
		if (freed > size) {   /* only 0% asks for more than the big file */
			ck_assert_uint_eq(pct, 0);
			ck_assert_uint_eq(over, u.used);
			continue;
		}
		/* One block short is not enough... */
		shrink_big(size, freed - block);
		measure(&u);
		ck_assert_msg(u.used_pct > pct, "%u%%: freeing %llu of %llu bytes gave %u%%", pct,
			      (unsigned long long)(freed - block), (unsigned long long)over, u.used_pct);
		ck_assert_uint_gt(fsusage_bytes_over(&u, pct), 0);
		/* ...bytes_over rounded to blocks is. */
		shrink_big(size, freed);
		measure(&u);
		ck_assert_msg(u.used_pct <= pct, "%u%%: freeing %llu of %llu bytes gave %u%%", pct,
			      (unsigned long long)freed, (unsigned long long)over, u.used_pct);
		ck_assert_uint_eq(fsusage_bytes_over(&u, pct), 0);
		same_as_df();
	}
}
END_TEST

static struct fs_usage usage(uint64_t used, uint64_t avail)
{
	struct fs_usage u;

	memset(&u, 0, sizeof(u));
	u.used = used;
	u.avail = avail;
	u.size = used + avail < used ? UINT64_MAX : used + avail;
	return u;
}

START_TEST(test_bytes_over_arithmetic)
{
	struct fs_usage u;

	u = usage(0, 0);
	ck_assert_uint_eq(fsusage_bytes_over(&u, 0), 0);
	ck_assert_uint_eq(fsusage_bytes_over(&u, 90), 0);
	u = usage(50, 50);
	ck_assert_uint_eq(fsusage_bytes_over(&u, 50), 0);
	ck_assert_uint_eq(fsusage_bytes_over(&u, 51), 0);
	ck_assert_uint_eq(fsusage_bytes_over(&u, 49), 1);
	ck_assert_uint_eq(fsusage_bytes_over(&u, 0), 50);
	ck_assert_uint_eq(fsusage_bytes_over(&u, 100), 0);
	ck_assert_uint_eq(fsusage_bytes_over(&u, 1000), 0);
	u = usage(7, 3);        /* floor(33 * 10 / 100) = 3 */
	ck_assert_uint_eq(fsusage_bytes_over(&u, 33), 4);
	u = usage(999, 1);      /* floor(99 * 1000 / 100) = 990 */
	ck_assert_uint_eq(fsusage_bytes_over(&u, 99), 9);
	/* Far beyond what pct * (used + avail) could hold in 64 bits. */
	u = usage(UINT64_MAX, 0);
	ck_assert_uint_eq(fsusage_bytes_over(&u, 0), UINT64_MAX);
	ck_assert_uint_eq(fsusage_bytes_over(&u, 99), UINT64_MAX - UINT64_MAX / 100 * 99 - (UINT64_MAX % 100) * 99 / 100);
	u = usage(UINT64_MAX / 2 + 1, UINT64_MAX / 2);   /* total UINT64_MAX, odd */
	ck_assert_uint_eq(fsusage_bytes_over(&u, 50), 1);
	u = usage(UINT64_MAX - 5, UINT64_MAX - 5);       /* total does not fit */
	ck_assert_uint_eq(fsusage_bytes_over(&u, 50), 0);
	ck_assert_uint_eq(fsusage_bytes_over(&u, 49), (UINT64_MAX - 5) / 50 + 1);   /* 2% of used, rounded up */
#ifdef __SIZEOF_INT128__
	/* Against 128-bit arithmetic. */
	for (unsigned pct = 0; pct <= 100; pct++) {
		static const uint64_t v[][2] = {
			{ 123456789012345ULL, 987654321098ULL }, { UINT64_MAX / 3, UINT64_MAX / 7 },
			{ 1, UINT64_MAX - 1 }, { UINT64_MAX - 1, 1 }, { 4096, 4190208 },
		};
		size_t i;

		for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
			unsigned __int128 t = (unsigned __int128)v[i][0] + v[i][1];
			unsigned __int128 keep = t * pct / 100;
			uint64_t want = keep >= v[i][0] ? 0 : v[i][0] - (uint64_t)keep;

			u = usage(v[i][0], v[i][1]);
			ck_assert_uint_eq(fsusage_bytes_over(&u, pct), want);
		}
	}
#endif
}
END_TEST

START_TEST(test_pct_and_errors)
{
	struct fs_usage u;

	memset(&u, 0, sizeof(u));
	u.used_pct = 40;
	u.inodes_pct = 41;
	ck_assert_uint_eq(fsusage_pct(&u), 41);
	u.used_pct = 90;
	ck_assert_uint_eq(fsusage_pct(&u), 90);
	errno = 0;
	ck_assert_int_eq(fsusage_measure(-1, &u), -1);
	ck_assert_int_eq(errno, EBADF);
}
END_TEST

/* An estimate's usage: freeing what bytes_over asks for brings it to pct. */
START_TEST(test_after_freeing)
{
	struct fs_usage u;

	memset(&u, 0, sizeof(u));
	u.used = 900;
	u.avail = 100;
	u.used_pct = 90;
	fsusage_after_freeing(&u, fsusage_bytes_over(&u, 80));
	ck_assert_uint_eq(u.used, 800);
	ck_assert_uint_eq(u.avail, 200);
	ck_assert_uint_eq(u.used_pct, 80);
	fsusage_after_freeing(&u, 5000);
	ck_assert_uint_eq(u.used, 0);
	ck_assert_uint_eq(u.used_pct, 0);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("fsusage");
	TCase *tc = tcase_create("fsusage");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_bytes_like_df);
	tcase_add_test(tc, test_inodes_like_df);
	tcase_add_test(tc, test_no_limits);
	tcase_add_test(tc, test_bytes_over_frees_enough);
	tcase_add_test(tc, test_bytes_over_arithmetic);
	tcase_add_test(tc, test_pct_and_errors);
	tcase_add_test(tc, test_after_freeing);
	suite_add_tcase(s, tc);
	return s;
}
