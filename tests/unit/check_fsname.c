/* fsname: mountinfo lines, option lists, and naming real mounts (a tmpfs and a
 * bind mount of one of its folders, as a volume is, in a mount namespace of the
 * test's own). */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/fsname.h"
#include "unit.h"

START_TEST(parses_a_line_with_optional_fields)
{
	char line[] = "36 35 98:0 /mnt1 /mnt/my\\040disk rw,noatime master:1 shared:7 - ext4 /dev/root rw,errors=continue\n";
	struct mountinfo_entry e;

	ck_assert_int_eq(fsname_parse_line(line, &e), 0);
	ck_assert_int_eq(e.mount_id, 36);
	ck_assert_uint_eq(e.major, 98);
	ck_assert_uint_eq(e.minor, 0);
	ck_assert_str_eq(e.root, "/mnt1");
	ck_assert_str_eq(e.mount_point, "/mnt/my disk");
	ck_assert_str_eq(e.fstype, "ext4");
	ck_assert_str_eq(e.source, "/dev/root");
	ck_assert_str_eq(e.super_options, "rw,errors=continue");
}
END_TEST

START_TEST(refuses_malformed_lines)
{
	const char *bad[] = {
		"",
		"36 35 98:0 /mnt1 /mnt rw\n",                      /* no separator */
		"36 35 98:0 /mnt1 /mnt rw - ext4\n",               /* no source */
		"x 35 98:0 / /mnt rw - ext4 /dev/sda rw\n",         /* id not a number */
		"36 35 98 / /mnt rw - ext4 /dev/sda rw\n",          /* no minor */
		"99999999999 35 98:0 / /mnt rw - ext4 /dev/sda rw\n",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *copy = strdup(bad[i]);
		struct mountinfo_entry e;

		ck_assert_msg(fsname_parse_line(copy, &e) < 0, "accepted: %s", bad[i]);
		free(copy);
	}
}
END_TEST

START_TEST(finds_an_option)
{
	const char *o = "rw,lowerdir=/a:/b,upperdir=/var/lib/docker/overlay2/x/diff,workdir=/w";
	char *v = fsname_option(o, "upperdir");

	ck_assert_str_eq(v, "/var/lib/docker/overlay2/x/diff");
	free(v);
	ck_assert_ptr_null(fsname_option(o, "upper"));
	ck_assert_ptr_null(fsname_option("rw", "upperdir"));
	ck_assert_ptr_null(fsname_option("", "upperdir"));
	v = fsname_option("upperdir=", "upperdir");
	ck_assert_ptr_null(v);
}
END_TEST

static char mnt[64], bind[64];

static void private_mounts(void)
{
	ck_assert_msg(unshare(CLONE_NEWNS) == 0, "unshare: %s", strerror(errno));
	ck_assert_msg(mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) == 0, "private mounts: %s",
		      strerror(errno));
	snprintf(mnt, sizeof(mnt), "/tmp/rotd-fsname.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(mnt));
	ck_assert_msg(mount("rotd-fsname-test", mnt, "tmpfs", 0, "size=1m") == 0, "mount: %s", strerror(errno));
}

static void teardown(void)
{
	if (bind[0] != '\0') {
		umount2(bind, MNT_DETACH);
		rmdir(bind);
	}
	if (mnt[0] != '\0') {
		umount2(mnt, MNT_DETACH);
		rmdir(mnt);
	}
	bind[0] = mnt[0] = '\0';
}

START_TEST(names_a_tmpfs_by_mount_point_and_device)
{
	char sub[128];
	struct fs_name n;
	int fd;

	private_mounts();
	snprintf(sub, sizeof(sub), "%s/logs", mnt);
	ck_assert_int_eq(mkdir(sub, 0755), 0);
	fd = open(sub, O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(fd, 0);
	for (int as_container = 0; as_container < 2; as_container++) {
		fsname_of_fd(fd, as_container ? getpid() : 0, &n);
		ck_assert_str_eq(n.mount, mnt);
		ck_assert_str_eq(n.device, "rotd-fsname-test");
		ck_assert_str_eq(n.fstype, "tmpfs");
		{
			char *label = fsname_label(&n);

			ck_assert_str_eq(label + strlen(mnt), " (rotd-fsname-test)");
			free(label);
		}
		fsname_free(&n);
	}
	close(fd);
}
END_TEST

/* A volume is a bind mount of a folder of the disk: it is named by the disk's
 * own mount point, and counts as the same filesystem. */
START_TEST(a_bind_mount_is_the_filesystem_it_comes_from)
{
	char vol[128];
	struct fs_name a, b;
	int fda, fdb;

	private_mounts();
	snprintf(vol, sizeof(vol), "%s/volumes", mnt);
	ck_assert_int_eq(mkdir(vol, 0755), 0);
	snprintf(vol, sizeof(vol), "%s/volumes/media", mnt);
	ck_assert_int_eq(mkdir(vol, 0755), 0);
	snprintf(bind, sizeof(bind), "/tmp/rotd-fsbind.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(bind));
	ck_assert_msg(mount(vol, bind, "none", MS_BIND, NULL) == 0, "bind: %s", strerror(errno));
	fda = open(mnt, O_RDONLY | O_DIRECTORY);
	fdb = open(bind, O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(fda, 0);
	ck_assert_int_ge(fdb, 0);
	fsname_of_fd(fda, 0, &a);
	fsname_of_fd(fdb, getpid(), &b);
	ck_assert(a.dev == b.dev);
	ck_assert_str_eq(b.mount, mnt);
	ck_assert_str_eq(b.device, a.device);
	fsname_free(&a);
	fsname_free(&b);
	close(fda);
	close(fdb);
}
END_TEST

/* overlay2 gives each container a device of its own; both containers' roots
 * must name, and count as, the disk their upper layers live on. */
START_TEST(overlays_are_traced_to_the_disk_of_their_upper_layers)
{
	char dir[160], opts[512], merged[2][160];
	struct fs_name disk, ctr[2];
	int fd;

	private_mounts();
	snprintf(dir, sizeof(dir), "%s/lower", mnt);
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	for (int i = 0; i < 2; i++) {
		snprintf(dir, sizeof(dir), "%s/c%d", mnt, i);
		ck_assert_int_eq(mkdir(dir, 0755), 0);
		snprintf(dir, sizeof(dir), "%s/c%d/diff", mnt, i);
		ck_assert_int_eq(mkdir(dir, 0755), 0);
		snprintf(dir, sizeof(dir), "%s/c%d/work", mnt, i);
		ck_assert_int_eq(mkdir(dir, 0755), 0);
		snprintf(merged[i], sizeof(merged[i]), "%s/c%d/merged", mnt, i);
		ck_assert_int_eq(mkdir(merged[i], 0755), 0);
		snprintf(opts, sizeof(opts), "lowerdir=%s/lower,upperdir=%s/c%d/diff,workdir=%s/c%d/work", mnt, mnt, i,
			 mnt, i);
		ck_assert_msg(mount("overlay", merged[i], "overlay", 0, opts) == 0, "overlay: %s", strerror(errno));
	}
	fd = open(mnt, O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(fd, 0);
	fsname_of_fd(fd, 0, &disk);
	close(fd);
	for (int i = 0; i < 2; i++) {
		struct stat st;

		fd = open(merged[i], O_RDONLY | O_DIRECTORY);
		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(fstat(fd, &st), 0);
		ck_assert_msg(st.st_dev != disk.dev, "the overlay has a device of its own");
		fsname_of_fd(fd, getpid(), &ctr[i]);
		close(fd);
		ck_assert(ctr[i].dev == disk.dev);
		ck_assert_str_eq(ctr[i].mount, mnt);
		ck_assert_str_eq(ctr[i].device, "rotd-fsname-test");
	}
	for (int i = 0; i < 2; i++) {
		umount2(merged[i], MNT_DETACH);
		fsname_free(&ctr[i]);
	}
	fsname_free(&disk);
}
END_TEST

START_TEST(a_bad_fd_is_named_not_fatal)
{
	struct fs_name n;

	fsname_of_fd(-1, 0, &n);
	ck_assert_str_eq(n.mount, "?");
	ck_assert_ptr_nonnull(n.device);
	fsname_free(&n);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("fsname");
	TCase *parse = tcase_create("parse");
	TCase *real = tcase_create("real mounts");

	tcase_add_test(parse, parses_a_line_with_optional_fields);
	tcase_add_test(parse, refuses_malformed_lines);
	tcase_add_test(parse, finds_an_option);
	tcase_add_test(parse, a_bad_fd_is_named_not_fatal);
	tcase_add_checked_fixture(real, NULL, teardown);
	tcase_add_test(real, names_a_tmpfs_by_mount_point_and_device);
	tcase_add_test(real, a_bind_mount_is_the_filesystem_it_comes_from);
	tcase_add_test(real, overlays_are_traced_to_the_disk_of_their_upper_layers);
	suite_add_tcase(s, parse);
	suite_add_tcase(s, real);
	return s;
}
