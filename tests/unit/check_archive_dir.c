/* rotate_open_archive_dir against a scratch directory standing in for a container
 * root: the archive folder is made with every missing folder above it, inside the
 * root only, never through a symlink. Run as root (chown). */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "rotate/ctrfs.h"
#include "rotate/rotate.h"
#include "unit.h"
#include "unit_tmproot.h"

static struct unit_tmproot tr;
static struct ctrfs *fs;
static uid_t test_uid = 1234;   /* the owner given to the nearest existing ancestor */
static gid_t test_gid = 5678;

/* ---- a hook into mkdirat, to play the container racing rotd -------------------
 * The test program's mkdirat takes the place of libc's for the code under test:
 * armed for one name, it swaps something in just before or just after the real
 * mkdirat, or fails it. */
enum hook {
	HOOK_NONE,
	HOOK_SYMLINK_AFTER,   /* the folder just made becomes a symlink to hook_target */
	HOOK_FILE_AFTER,      /* the folder just made becomes a regular file */
	HOOK_SYMLINK_BEFORE,  /* a symlink to hook_target is there first (EEXIST) */
	HOOK_DIR_BEFORE,      /* a folder (42:42, 0700) is there first (EEXIST) */
	HOOK_FAIL,            /* mkdirat fails with EROFS */
};

static enum hook hook;
static const char *hook_name;
static char hook_target[256];

int mkdirat(int dirfd, const char *name, mode_t mode)
{
	enum hook h = hook;
	int rc;

	if (h == HOOK_NONE || strcmp(name, hook_name) != 0)
		return (int)syscall(SYS_mkdirat, dirfd, name, mode);
	hook = HOOK_NONE;
	if (h == HOOK_FAIL) {
		errno = EROFS;
		return -1;
	}
	if (h == HOOK_SYMLINK_BEFORE)
		ck_assert_int_eq(symlinkat(hook_target, dirfd, name), 0);
	if (h == HOOK_DIR_BEFORE) {
		ck_assert_int_eq((int)syscall(SYS_mkdirat, dirfd, name, 0700), 0);
		ck_assert_int_eq(fchmodat(dirfd, name, 0700, 0), 0);
		ck_assert_int_eq(fchownat(dirfd, name, 42, 42, AT_SYMLINK_NOFOLLOW), 0);
	}
	rc = (int)syscall(SYS_mkdirat, dirfd, name, mode);
	if (rc == 0 && h == HOOK_SYMLINK_AFTER) {
		ck_assert_int_eq(unlinkat(dirfd, name, AT_REMOVEDIR), 0);
		ck_assert_int_eq(symlinkat(hook_target, dirfd, name), 0);
	}
	if (rc == 0 && h == HOOK_FILE_AFTER) {
		int fd;

		ck_assert_int_eq(unlinkat(dirfd, name, AT_REMOVEDIR), 0);
		fd = openat(dirfd, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
		ck_assert_int_ge(fd, 0);
		close(fd);
	}
	return rc;
}

static void arm(enum hook h, const char *name, const char *target)
{
	hook = h;
	hook_name = name;
	snprintf(hook_target, sizeof(hook_target), "%s", target != NULL ? target : "");
}

/* ---- the scratch root ---------------------------------------------------------- */

static const char *in_root(const char *rel)
{
	return unit_tmproot_path(&tr, rel);
}

static const char *in_outside(const char *rel)
{
	return unit_tmproot_outside(&tr, rel);
}

static void mk(const char *rel)
{
	unit_tmproot_mkdir(&tr, rel);
}

static void put(const char *rel, const char *text)
{
	unit_tmproot_put(&tr, rel, text);
}

static void link_in_root(const char *target, const char *rel)
{
	unit_tmproot_symlink(&tr, target, rel);
}

static void own(const char *rel, uid_t uid, gid_t gid)
{
	ck_assert_int_eq(lchown(in_root(rel), uid, gid), 0);
}

static int exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static int is_symlink(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
}

/* rel is a real folder with mode 0750 owned by uid:gid. */
static void assert_made(const char *rel, uid_t uid, gid_t gid)
{
	struct stat st;

	ck_assert_msg(lstat(in_root(rel), &st) == 0, "%s is missing", rel);
	ck_assert_msg(S_ISDIR(st.st_mode), "%s is not a folder", rel);
	ck_assert_msg((st.st_mode & 07777) == 0750, "%s has mode %o", rel, (unsigned)(st.st_mode & 07777));
	ck_assert_msg(st.st_uid == uid && st.st_gid == gid, "%s is owned by %u:%u, not %u:%u", rel,
		      (unsigned)st.st_uid, (unsigned)st.st_gid, (unsigned)uid, (unsigned)gid);
}

/* fd is the folder rel. */
static void assert_fd_is(int fd, const char *rel)
{
	struct stat a, b;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fstat(fd, &a), 0);
	ck_assert_int_eq(lstat(in_root(rel), &b), 0);
	ck_assert(S_ISDIR(a.st_mode));
	ck_assert(a.st_dev == b.st_dev && a.st_ino == b.st_ino);
}

static void setup(void)
{
	hook = HOOK_NONE;
	if (geteuid() != 0) {
		/* Without root only our own ids can be given away. */
		test_uid = geteuid();
		test_gid = getegid();
	}
	unit_tmproot_make(&tr, NULL, "adir");
	fs = tr.fs;
}

static void teardown(void)
{
	hook = HOOK_NONE;
	unit_tmproot_remove(&tr);
	fs = NULL;
}

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

/* rotate_open_archive_dir, with a umask that would leave a plain mkdir unusable. */
static int open_dir(const char *path, int create, char **err)
{
	mode_t old = umask(0777);
	int fd;

	*err = NULL;
	fd = rotate_open_archive_dir(fs, path, create, err);
	umask(old);
	return fd;
}

/* The call fails, with a message that names path and contains what. */
static void assert_refused(const char *path, int create, const char *what)
{
	char *err;
	int fd = open_dir(path, create, &err);

	ck_assert_int_eq(fd, -1);
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(strstr(err, path) != NULL && strstr(err, what) != NULL, "message: %s", err);
	ck_assert_ptr_null(strchr(err, '\n'));
	free(err);
}

/* ---- making the folder ------------------------------------------------------------ */

START_TEST(missing_parents_under_var_log_are_made)
{
	char *err;
	int fd;

	mk("var");
	mk("var/log");
	own("var/log", test_uid, test_gid);
	fd = open_dir("/var/log/whatsapp/archive", 1, &err);
	ck_assert_msg(fd >= 0, "%s", err != NULL ? err : "");
	ck_assert_ptr_null(err);
	assert_fd_is(fd, "var/log/whatsapp/archive");
	close(fd);
	assert_made("var/log/whatsapp", test_uid, test_gid);
	assert_made("var/log/whatsapp/archive", test_uid, test_gid);
	/* The ancestor itself is left as it was. */
	{
		struct stat st;

		ck_assert_int_eq(lstat(in_root("var/log"), &st), 0);
		ck_assert_int_eq(st.st_mode & 07777, 0755);
	}
	/* Once made, the next call only opens it. */
	fd = open_dir("/var/log/whatsapp/archive", 1, &err);
	assert_fd_is(fd, "var/log/whatsapp/archive");
	close(fd);
}
END_TEST

START_TEST(every_folder_from_the_root_down_is_made)
{
	char *err;
	int fd;

	own("", test_uid, test_gid);
	fd = open_dir("/var/log/whatsapp/archive", 1, &err);
	ck_assert_msg(fd >= 0, "%s", err != NULL ? err : "");
	assert_fd_is(fd, "var/log/whatsapp/archive");
	close(fd);
	assert_made("var", test_uid, test_gid);
	assert_made("var/log", test_uid, test_gid);
	assert_made("var/log/whatsapp", test_uid, test_gid);
	assert_made("var/log/whatsapp/archive", test_uid, test_gid);
	ck_assert_int_eq(unit_count_entries(tr.root), 1);
}
END_TEST

START_TEST(the_owner_is_that_of_the_nearest_existing_ancestor)
{
	char *err;
	int fd;

	if (geteuid() != 0)
		return;   /* giving folders away needs root */
	/* / and /var belong to someone else; /var/log, the nearest, is what counts. */
	own("", 42, 43);
	mk("var");
	own("var", 44, 45);
	mk("var/log");
	own("var/log", test_uid, test_gid);
	fd = open_dir("/var/log/whatsapp/archive", 1, &err);
	ck_assert_int_ge(fd, 0);
	close(fd);
	assert_made("var/log/whatsapp", test_uid, test_gid);
	assert_made("var/log/whatsapp/archive", test_uid, test_gid);
}
END_TEST

START_TEST(an_existing_folder_is_only_opened)
{
	struct stat st;
	char *err;

	mk("var");
	mk("var/log");
	mk("var/log/whatsapp");
	mk("var/log/whatsapp/archive");
	ck_assert_int_eq(chmod(in_root("var/log/whatsapp/archive"), 0700), 0);
	own("var/log", test_uid, test_gid);
	for (int create = 0; create <= 1; create++) {
		int fd = open_dir("/var/log/whatsapp/archive", create, &err);

		ck_assert_ptr_null(err);
		assert_fd_is(fd, "var/log/whatsapp/archive");
		close(fd);
	}
	ck_assert_int_eq(lstat(in_root("var/log/whatsapp/archive"), &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0700);
	ck_assert_int_eq(st.st_uid, geteuid());
}
END_TEST

START_TEST(without_create_a_missing_folder_stays_missing)
{
	char *err;

	mk("var");
	mk("var/log");
	ck_assert_int_eq(open_dir("/var/log/whatsapp/archive", 0, &err), -1);
	ck_assert_ptr_null(err);
	ck_assert(!exists(in_root("var/log/whatsapp")));
}
END_TEST

/* ---- refusing -------------------------------------------------------------------- */

/* /var/log/whatsapp is a symlink to target: refused, with and without create, and
 * nothing is made where it points (given as a host path and as a root path). */
static void check_symlinked_whatsapp(const char *target, const char *host_view, const char *root_view)
{
	mk("var");
	mk("var/log");
	link_in_root(target, "var/log/whatsapp");
	assert_refused("/var/log/whatsapp/archive", 1, "symlink");
	assert_refused("/var/log/whatsapp/archive", 0, "symlink");
	ck_assert(is_symlink(in_root("var/log/whatsapp")));
	ck_assert_msg(!exists(host_view), "%s was made", host_view);
	if (root_view != NULL)
		ck_assert_msg(!exists(in_root(root_view)), "%s was made in the root", root_view);
}

START_TEST(a_symlinked_parent_pointing_inside_is_refused)
{
	mk("tmp");
	mk("tmp/elsewhere");
	check_symlinked_whatsapp("/tmp/elsewhere", "/tmp/elsewhere/archive", "tmp/elsewhere/archive");
}
END_TEST

START_TEST(a_symlinked_parent_pointing_outside_is_refused)
{
	char target[256];

	snprintf(target, sizeof(target), "%s", tr.outside);
	check_symlinked_whatsapp(target, in_outside("archive"), NULL);
	ck_assert_int_eq(unit_count_entries(tr.outside), 0);
}
END_TEST

START_TEST(a_relative_symlink_climbing_out_is_refused)
{
	char target[256];

	snprintf(target, sizeof(target), "../../../../../../..%s", tr.outside);
	check_symlinked_whatsapp(target, in_outside("archive"), NULL);
	ck_assert_int_eq(unit_count_entries(tr.outside), 0);
}
END_TEST

START_TEST(a_symlink_higher_up_is_refused)
{
	link_in_root(tr.outside, "var");
	assert_refused("/var/log/whatsapp/archive", 1, "symlink");
	ck_assert_int_eq(unit_count_entries(tr.outside), 0);
}
END_TEST

START_TEST(a_symlinked_archive_folder_is_refused_as_before)
{
	char *err;

	mk("var");
	mk("var/log");
	mk("var/log/whatsapp");
	link_in_root(tr.outside, "var/log/whatsapp/archive");
	ck_assert_int_eq(open_dir("/var/log/whatsapp/archive", 1, &err), -1);
	ck_assert_str_eq(err, "archive folder /var/log/whatsapp/archive: it, or a folder on the way to it, is a "
			      "symlink or not a folder: refused");
	free(err);
	ck_assert(is_symlink(in_root("var/log/whatsapp/archive")));
}
END_TEST

START_TEST(a_file_in_the_way_is_an_error)
{
	char buf[8] = "";
	FILE *f;

	mk("var");
	mk("var/log");
	put("var/log/whatsapp", "x");
	assert_refused("/var/log/whatsapp/archive", 1, "not a folder");
	f = fopen(in_root("var/log/whatsapp"), "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), f));
	fclose(f);
	ck_assert_str_eq(buf, "x");
	/* And a file where the archive folder itself should be. */
	ck_assert_int_eq(unlink(in_root("var/log/whatsapp")), 0);
	mk("var/log/whatsapp");
	put("var/log/whatsapp/archive", "y");
	assert_refused("/var/log/whatsapp/archive", 1, "not a folder");
}
END_TEST

START_TEST(dotdot_cannot_climb_out)
{
	char path[256], inside[256];
	char *err;
	int fd;

	/* ".." stops at the root: the folder is made under the root, named like the
	 * outside folder, and nothing appears outside. */
	snprintf(path, sizeof(path), "/../../../../../../..%s/made/archive", tr.outside);
	fd = open_dir(path, 1, &err);
	ck_assert_msg(fd >= 0, "%s", err != NULL ? err : "");
	snprintf(inside, sizeof(inside), "%s/made/archive", tr.outside + 1);
	assert_fd_is(fd, inside);
	close(fd);
	ck_assert_int_eq(unit_count_entries(tr.outside), 0);

	fd = open_dir("/var/log/../../../../../archive2", 1, &err);
	ck_assert_msg(fd >= 0, "%s", err != NULL ? err : "");
	assert_fd_is(fd, "archive2");
	close(fd);
	ck_assert(!exists(in_root("var")));

	snprintf(path, sizeof(path), "../../../../../../..%s/rel", tr.outside);
	fd = open_dir(path, 1, &err);
	ck_assert_msg(fd >= 0, "%s", err != NULL ? err : "");
	snprintf(inside, sizeof(inside), "%s/rel", tr.outside + 1);
	assert_fd_is(fd, inside);
	close(fd);
	ck_assert_int_eq(unit_count_entries(tr.outside), 0);
}
END_TEST

/* ---- the container racing rotd ---------------------------------------------------- */

START_TEST(a_symlink_swapped_in_after_mkdir_is_refused)
{
	char *err;

	mk("var");
	mk("var/log");
	arm(HOOK_SYMLINK_AFTER, "whatsapp", tr.outside);
	ck_assert_int_eq(open_dir("/var/log/whatsapp/archive", 1, &err), -1);
	ck_assert_str_eq(err, "cannot create archive folder /var/log/whatsapp/archive: /var/log/whatsapp is a "
			      "symlink: refused");
	free(err);
	ck_assert(is_symlink(in_root("var/log/whatsapp")));
	ck_assert_int_eq(unit_count_entries(tr.outside), 0);
}
END_TEST

START_TEST(a_symlink_there_before_mkdir_is_refused)
{
	char *err;

	mk("var");
	mk("var/log");
	arm(HOOK_SYMLINK_BEFORE, "archive", tr.outside);
	ck_assert_int_eq(open_dir("/var/log/whatsapp/archive", 1, &err), -1);
	ck_assert_str_eq(err, "cannot create archive folder /var/log/whatsapp/archive: "
			      "/var/log/whatsapp/archive is a symlink: refused");
	free(err);
	assert_made("var/log/whatsapp", geteuid(), getegid());
	ck_assert_int_eq(unit_count_entries(tr.outside), 0);
}
END_TEST

START_TEST(a_file_swapped_in_is_refused)
{
	char *err;

	mk("var");
	mk("var/log");
	arm(HOOK_FILE_AFTER, "whatsapp", NULL);
	ck_assert_int_eq(open_dir("/var/log/whatsapp/archive", 1, &err), -1);
	ck_assert_str_eq(err, "cannot create archive folder /var/log/whatsapp/archive: /var/log/whatsapp is a "
			      "regular file, not a folder: refused");
	free(err);
}
END_TEST

START_TEST(a_folder_made_meanwhile_is_used_as_it_is)
{
	struct stat st;
	char *err;
	int fd;

	if (geteuid() != 0)
		return;   /* the hook gives the folder to 42:42 */
	mk("var");
	mk("var/log");
	own("var/log", test_uid, test_gid);
	arm(HOOK_DIR_BEFORE, "whatsapp", NULL);
	fd = open_dir("/var/log/whatsapp/archive", 1, &err);
	ck_assert_msg(fd >= 0, "%s", err != NULL ? err : "");
	assert_fd_is(fd, "var/log/whatsapp/archive");
	close(fd);
	ck_assert_int_eq(lstat(in_root("var/log/whatsapp"), &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0700);
	ck_assert_int_eq(st.st_uid, 42);
	assert_made("var/log/whatsapp/archive", test_uid, test_gid);
}
END_TEST

START_TEST(a_failed_mkdir_names_the_folder)
{
	char *err;

	mk("var");
	arm(HOOK_FAIL, "log", NULL);
	ck_assert_int_eq(open_dir("/var/log/whatsapp/archive", 1, &err), -1);
	ck_assert_str_eq(err, "cannot create archive folder /var/log/whatsapp/archive: cannot make /var/log: "
			      "Read-only file system");
	free(err);
	ck_assert(!exists(in_root("var/log")));
}
END_TEST

/* Every test runs twice: through openat2, and through the walk rotd uses where
 * openat2 is missing. */
static TCase *archive_dir_tcase(const char *name, void (*up)(void), void (*down)(void))
{
	const TTest *const tests[] = {
		missing_parents_under_var_log_are_made, every_folder_from_the_root_down_is_made,
		the_owner_is_that_of_the_nearest_existing_ancestor, an_existing_folder_is_only_opened,
		without_create_a_missing_folder_stays_missing, a_symlinked_parent_pointing_inside_is_refused,
		a_symlinked_parent_pointing_outside_is_refused, a_relative_symlink_climbing_out_is_refused,
		a_symlink_higher_up_is_refused, a_symlinked_archive_folder_is_refused_as_before,
		a_file_in_the_way_is_an_error, dotdot_cannot_climb_out, a_symlink_swapped_in_after_mkdir_is_refused,
		a_symlink_there_before_mkdir_is_refused, a_file_swapped_in_is_refused,
		a_folder_made_meanwhile_is_used_as_it_is, a_failed_mkdir_names_the_folder,
	};
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, up, down);
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		tcase_add_test(tc, tests[i]);
	return tc;
}

Suite *unit_suite(void)
{
	Suite *s = suite_create("archive_dir");

	suite_add_tcase(s, archive_dir_tcase("archive folder", setup, teardown));
	suite_add_tcase(s, archive_dir_tcase("archive folder without openat2", setup_fallback, teardown_fallback));
	return s;
}
