/* ctrfs against a scratch directory standing in for a container root. */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rotate/ctrfs.h"
#include "unit.h"
#include "unit_tmproot.h"

static struct unit_tmproot tr;
static struct ctrfs *fs;

static void put(const char *rel, const char *text)
{
	unit_tmproot_put(&tr, rel, text);
}

static void mk(const char *rel)
{
	unit_tmproot_mkdir(&tr, rel);
}

static void link_in_root(const char *target, const char *rel)
{
	unit_tmproot_symlink(&tr, target, rel);
}

static void setup(void)
{
	char path[256];
	int fd;

	unit_tmproot_make(&tr, NULL, "ctrfs");
	fs = tr.fs;
	fd = open(unit_tmproot_outside(&tr, "secret"), O_CREAT | O_WRONLY, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "host", 4), 4);
	close(fd);

	mk("etc");
	put("etc/secret", "container");
	mk("var");
	mk("var/log");
	put("var/log/web.log", "0123456789");
	put("var/log/.hidden.log", "x");
	put("var/log/notes.txt", "x");
	snprintf(path, sizeof(path), "%s", unit_tmproot_path(&tr, "var/log/pipe.log"));
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	link_in_root("/etc/secret", "var/log/abs.log");
	put("var/log/one.log", "1");
	ck_assert_int_eq(link(unit_tmproot_path(&tr, "var/log/one.log"), unit_tmproot_path(&tr, "var/log/two.log")),
			 0);
}

static void teardown(void)
{
	unit_tmproot_remove(&tr);
	fs = NULL;
}

static ssize_t read_via(const char *path, char *buf, size_t len)
{
	int fd = ctrfs_open_path(fs, path, O_RDONLY, 0);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return n;
}

START_TEST(symlinks_are_refused_even_inside_the_root)
{
	char buf[64];

	ck_assert_int_eq(read_via("/var/log/abs.log", buf, sizeof(buf)), -1);
	ck_assert_int_eq(errno, ELOOP);
	/* A symlinked folder on the way, as a container can swap one in. */
	link_in_root("/etc", "var/etc-link");
	ck_assert_int_eq(read_via("/var/etc-link/secret", buf, sizeof(buf)), -1);
	ck_assert_int_eq(errno, ELOOP);
	ck_assert_int_eq(read_via("/etc/secret", buf, sizeof(buf)), 9);
	ck_assert_str_eq(buf, "container");
}
END_TEST

START_TEST(dotdot_cannot_climb_out)
{
	char path[256], buf[64];

	snprintf(path, sizeof(path), "../../../../../../..%s/secret", tr.outside);
	ck_assert_int_eq(read_via(path, buf, sizeof(buf)), -1);
	ck_assert_int_eq(errno, ENOENT);
	snprintf(path, sizeof(path), "%s/secret", tr.outside);
	ck_assert_int_eq(read_via(path, buf, sizeof(buf)), -1);
}
END_TEST

START_TEST(relative_symlink_out_of_the_root_stays_in)
{
	char target[256], buf[64];

	snprintf(target, sizeof(target), "../../../../../../..%s", tr.outside);
	link_in_root(target, "var/escape");
	ck_assert_int_eq(read_via("/var/escape/secret", buf, sizeof(buf)), -1);
	ck_assert_int_eq(errno, ELOOP);
}
END_TEST

START_TEST(magic_links_are_refused)
{
	int fd = open("/", O_PATH | O_DIRECTORY);
	struct ctrfs *host;

	ck_assert_int_ge(fd, 0);
	host = ctrfs_from_dirfd(fd);
	close(fd);
	/* /proc/<pid>/root inside a container would lead back out of it. */
	ck_assert_int_eq(ctrfs_open_path(host, "/proc/self/root/etc", O_RDONLY | O_DIRECTORY, 0), -1);
	ck_assert_int_eq(errno, ELOOP);
	ctrfs_close(host);
}
END_TEST

START_TEST(nofollow_on_a_symlink_fails_with_eloop)
{
	ck_assert_int_eq(ctrfs_open_path(fs, "/var/log/abs.log", O_RDONLY | O_NOFOLLOW, 0), -1);
	ck_assert_int_eq(errno, ELOOP);
}
END_TEST

struct seen {
	char names[16][64];
	enum ctrfs_kind kinds[16];
	off_t sizes[16];
	int n;
};

static int collect(const char *name, const struct stat *st, enum ctrfs_kind kind, void *arg)
{
	struct seen *s = arg;

	ck_assert_int_lt(s->n, 16);
	snprintf(s->names[s->n], sizeof(s->names[0]), "%s", name);
	s->kinds[s->n] = kind;
	s->sizes[s->n] = st->st_size;
	s->n++;
	return 0;
}

static int index_of(const struct seen *s, const char *name)
{
	for (int i = 0; i < s->n; i++)
		if (strcmp(s->names[i], name) == 0)
			return i;
	return -1;
}

START_TEST(glob_lists_and_classifies_without_following)
{
	struct seen s;

	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(ctrfs_glob(fs, "/var/log/*.log", collect, &s), 0);
	ck_assert_int_eq(s.n, 5);
	ck_assert_int_eq(s.kinds[index_of(&s, "web.log")], CTRFS_REGULAR);
	ck_assert_int_eq(s.sizes[index_of(&s, "web.log")], 10);
	ck_assert_int_eq(s.kinds[index_of(&s, "pipe.log")], CTRFS_FIFO);
	ck_assert_int_eq(s.kinds[index_of(&s, "abs.log")], CTRFS_SYMLINK);
	ck_assert_int_eq(s.kinds[index_of(&s, "one.log")], CTRFS_HARDLINKED);
	ck_assert_int_eq(s.kinds[index_of(&s, "two.log")], CTRFS_HARDLINKED);
	ck_assert_int_eq(index_of(&s, ".hidden.log"), -1);
	ck_assert_int_eq(index_of(&s, "notes.txt"), -1);
}
END_TEST

START_TEST(glob_of_a_missing_directory_is_enoent)
{
	struct seen s;

	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(ctrfs_glob(fs, "/var/log/lighttpd/*.log", collect, &s), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(ctrfs_glob(fs, "/var/log/web.log/*.log", collect, &s), -1);
	ck_assert_int_eq(errno, ENOTDIR);
}
END_TEST

static int stop_at_first(const char *name, const struct stat *st, enum ctrfs_kind kind, void *arg)
{
	(void)name;
	(void)st;
	(void)kind;
	(*(int *)arg)++;
	return 7;
}

START_TEST(glob_stops_when_the_callback_says_so)
{
	int calls = 0;

	ck_assert_int_eq(ctrfs_glob(fs, "/var/log/*.log", stop_at_first, &calls), 7);
	ck_assert_int_eq(calls, 1);
}
END_TEST

START_TEST(open_checks_pid_and_identity)
{
	const char *id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

	ck_assert_ptr_null(ctrfs_open(getpid(), id));
	ck_assert_int_eq(errno, ESTALE);
	ck_assert_ptr_null(ctrfs_open(0x3ffffff, id));
	ck_assert_int_eq(errno, ESRCH);
	ck_assert_ptr_null(ctrfs_open(getpid(), "not-an-id"));
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(kind_names)
{
	ck_assert_str_eq(ctrfs_kind_name(CTRFS_REGULAR), "regular file");
	ck_assert_str_eq(ctrfs_kind_name(CTRFS_HARDLINKED), "hard-linked file");
	ck_assert_str_eq(ctrfs_kind_name(CTRFS_FIFO), "FIFO");
	ck_assert_str_eq(ctrfs_kind_name(CTRFS_SYMLINK), "symlink");
}
END_TEST

static void setup_fallback(void)
{
	setup();
	ctrfs_force_fallback(1);
}

static void teardown_fallback(void)
{
	ctrfs_force_fallback(0);
	teardown();
}

START_TEST(beneath_refuses_symlinks_and_dotdot)
{
	int root_fd = ctrfs_root_fd(fs), fd;

	link_in_root("/var", "abs-link");
	fd = ctrfs_open_beneath(root_fd, "var/log", O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(fd, 0);
	close(fd);
	fd = ctrfs_open_beneath(root_fd, "", O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(ctrfs_open_beneath(root_fd, "var/../../etc", O_RDONLY | O_DIRECTORY), -1);
	ck_assert_int_eq(errno, EXDEV);
	ck_assert_int_eq(ctrfs_open_beneath(root_fd, "abs-link/log", O_RDONLY | O_DIRECTORY), -1);
	ck_assert_int_eq(errno, ELOOP);
	ck_assert_int_eq(ctrfs_open_beneath(root_fd, "abs-link", O_RDONLY | O_DIRECTORY), -1);
	/* openat2 says ENOTDIR for a symlinked last component with O_DIRECTORY. */
	ck_assert_msg(errno == ELOOP || errno == ENOTDIR, "errno %d", errno);
}
END_TEST

/* Every confinement test runs twice: through openat2, and through the walk
 * rotd uses where openat2 is missing. */
static TCase *confinement_tcase(const char *name, void (*up)(void), void (*down)(void))
{
	const TTest *const confinement_tests[] = {
		symlinks_are_refused_even_inside_the_root, dotdot_cannot_climb_out,
		relative_symlink_out_of_the_root_stays_in, magic_links_are_refused,
		nofollow_on_a_symlink_fails_with_eloop, glob_lists_and_classifies_without_following,
		glob_of_a_missing_directory_is_enoent, glob_stops_when_the_callback_says_so,
		open_checks_pid_and_identity, beneath_refuses_symlinks_and_dotdot,
	};
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, up, down);
	for (size_t i = 0; i < sizeof(confinement_tests) / sizeof(confinement_tests[0]); i++)
		tcase_add_test(tc, confinement_tests[i]);
	return tc;
}

Suite *unit_suite(void)
{
	Suite *s = suite_create("ctrfs");
	TCase *tc = confinement_tcase("confined access", setup, teardown);

	tcase_add_test(tc, kind_names);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, confinement_tcase("confined access without openat2", setup_fallback, teardown_fallback));
	return s;
}
