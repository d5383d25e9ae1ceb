/* media pruning against scratch directories standing in for a container root. */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/fsusage.h"
#include "jobs/media.h"
#include "lib/shutdown.h"
#include "unit.h"

#define DAY 86400
#define MROOT "/usr/local/wamedia"

static char root[64];      /* the fake container root */
static char outside[64];   /* a host folder that must never be touched */
static struct ctrfs *fs;
static time_t now;

/* Host path of rel (relative to the media root) in a static buffer. */
static const char *at(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *at(const char *fmt, ...)
{
	static char path[4][8192];
	static int next;
	char rel[4096];
	va_list ap;
	char *p = path[next++ % 4];

	va_start(ap, fmt);
	vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	snprintf(p, sizeof(path[0]), "%s%s/%s", root, MROOT, rel);
	return p;
}

static void set_age(const char *path, long days)
{
	struct timespec ts[2];

	ts[0].tv_sec = ts[1].tv_sec = now - days * DAY;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	ck_assert_int_eq(utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW), 0);
}

/* Creates the file at host path with some bytes and an mtime days ago. */
static void file_at(const char *path, long days, const char *text)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);

	ck_assert_msg(fd >= 0, "%s: %s", path, strerror(errno));
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	set_age(path, days);
}

static void media_file(const char *rel, long days)
{
	file_at(at("%s", rel), days, "media-bytes");
}

static void mkdirs(const char *rel)
{
	char path[8192], *p;

	snprintf(path, sizeof(path), "%s%s/%s", root, MROOT, rel);
	for (p = path + strlen(root) + 1; *p != '\0'; p++)
		if (*p == '/') {
			*p = '\0';
			ck_assert(mkdir(path, 0755) == 0 || errno == EEXIST);
			*p = '/';
		}
	ck_assert(mkdir(path, 0755) == 0 || errno == EEXIST);
}

static int exists(const char *path)
{
	struct stat st;

	return fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static uint64_t tree_sum;

static int sum_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	uint64_t h = tree_sum ^ 0xcbf29ce484222325ULL;
	const char *p;

	(void)type;
	(void)ftw;
	for (p = path; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
	h = (h ^ (uint64_t)st->st_mtime) * 0x100000001b3ULL;
	h = (h ^ (uint64_t)st->st_mode) * 0x100000001b3ULL;
	if (S_ISREG(st->st_mode)) {
		char buf[256];
		ssize_t n;
		int fd = open(path, O_RDONLY);

		ck_assert_int_ge(fd, 0);
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			for (ssize_t i = 0; i < n; i++)
				h = (h ^ (unsigned char)buf[i]) * 0x100000001b3ULL;
		close(fd);
	}
	tree_sum += h;
	return 0;
}

/* A checksum of names, modes, mtimes and contents under the host path dir. */
static uint64_t checksum(const char *dir)
{
	tree_sum = 0;
	ck_assert_int_eq(nftw(dir, sum_one, 16, FTW_PHYS), 0);
	return tree_sum;
}

static int rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

static void setup(void)
{
	char path[256];
	int fd;

	now = time(NULL);
	snprintf(root, sizeof(root), "/tmp/rotd-media.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
	snprintf(outside, sizeof(outside), "/tmp/rotd-media-out.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(outside));
	snprintf(path, sizeof(path), "%s/secret.jpg", outside);
	file_at(path, 100, "host secret");
	snprintf(path, sizeof(path), "%s/dir", outside);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/dir/old.jpg", outside);
	file_at(path, 100, "host media");
	mkdirs("");
	fd = open(root, O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(fd, 0);
	fs = ctrfs_from_dirfd(fd);
	ck_assert_ptr_nonnull(fs);
	close(fd);
}

static void teardown(void)
{
	ctrfs_close(fs);
	fs = NULL;
	nftw(root, rm_one, 16, FTW_PHYS | FTW_DEPTH | FTW_MOUNT);
	nftw(outside, rm_one, 16, FTW_PHYS | FTW_DEPTH);
}

static struct media_rule rule(const char *path, long days)
{
	struct media_rule r;

	memset(&r, 0, sizeof(r));
	r.name = (char *)"test";
	r.path = (char *)path;
	r.max_age = (uint64_t)days * DAY;
	return r;
}

struct seen {
	uint64_t files, bytes;
	char last[512];
};

static void seen_cb(const char *path, uint64_t size, time_t mtime, void *arg)
{
	struct seen *s = arg;

	(void)mtime;
	s->files++;
	s->bytes += size;
	snprintf(s->last, sizeof(s->last), "%s", path);
}

static void prune(const struct media_rule *rules, size_t n, long floor_days, int dry_run,
		  struct seen *seen, struct media_result *out)
{
	ck_assert_int_eq(media_prune(fs, MROOT, rules, n, (uint64_t)floor_days * DAY, now, dry_run,
				     seen != NULL ? seen_cb : NULL, seen, out), 0);
}

START_TEST(test_age_per_rule)
{
	struct media_rule rules[2] = { rule("outgoing", 30), rule("incoming", 10) };
	struct media_result r;
	struct seen s;

	memset(&s, 0, sizeof(s));
	mkdirs("outgoing");
	mkdirs("incoming");
	media_file("outgoing/old.jpg", 31);
	media_file("outgoing/young.jpg", 20);
	media_file("incoming/old.jpg", 20);
	media_file("incoming/young.jpg", 5);
	media_file("elsewhere.jpg", 400);
	prune(rules, 2, 7, 0, &s, &r);
	ck_assert(!exists(at("outgoing/old.jpg")));
	ck_assert(exists(at("outgoing/young.jpg")));
	ck_assert(!exists(at("incoming/old.jpg")));
	ck_assert(exists(at("incoming/young.jpg")));
	ck_assert(exists(at("elsewhere.jpg")));
	ck_assert_uint_eq(r.files, 2);
	ck_assert_uint_eq(r.bytes, 2 * strlen("media-bytes"));
	ck_assert_uint_eq(r.kept_young, 2);
	ck_assert_uint_eq(r.n_errors, 0);
	ck_assert_uint_eq(s.files, 2);
	ck_assert_str_eq(s.last, MROOT "/incoming/old.jpg");
	media_result_free(&r);
}
END_TEST

START_TEST(test_floor_wins)
{
	struct media_rule rules[1] = { rule("outgoing", 1) };
	struct media_result r;

	mkdirs("outgoing");
	media_file("outgoing/three-days.jpg", 3);
	media_file("outgoing/ten-days.jpg", 10);
	prune(rules, 1, 7, 0, NULL, &r);
	ck_assert(exists(at("outgoing/three-days.jpg")));
	ck_assert(!exists(at("outgoing/ten-days.jpg")));
	ck_assert_uint_eq(r.files, 1);
	ck_assert_uint_eq(r.kept_young, 1);
	media_result_free(&r);
}
END_TEST

START_TEST(test_globs)
{
	struct media_rule rules[1] = { rule("outgoing/images", 30) };
	struct media_result r;

	strlist_add(&rules[0].globs, "*.jpg");
	strlist_add(&rules[0].globs, "*.png");
	mkdirs("outgoing/images/sub");
	media_file("outgoing/images/a.jpg", 60);
	media_file("outgoing/images/sub/b.png", 60);
	media_file("outgoing/images/c.txt", 60);
	media_file("outgoing/images/.rotd-partial.jpg", 60);
	media_file("outgoing/images/d.png", 3);
	prune(rules, 1, 7, 0, NULL, &r);
	ck_assert(!exists(at("outgoing/images/a.jpg")));
	ck_assert(!exists(at("outgoing/images/sub/b.png")));
	ck_assert(exists(at("outgoing/images/c.txt")));
	ck_assert(exists(at("outgoing/images/.rotd-partial.jpg")));
	ck_assert(exists(at("outgoing/images/d.png")));
	ck_assert_uint_eq(r.files, 2);
	ck_assert_uint_eq(r.kept_young, 1);
	ck_assert_uint_eq(r.skipped, 0);
	strlist_free(&rules[0].globs);
	media_result_free(&r);
}
END_TEST

START_TEST(test_symlinks_untouched)
{
	struct media_rule rules[1] = { rule("outgoing", 30) };
	struct media_result r;
	char target[256];
	uint64_t before;

	mkdirs("outgoing");
	snprintf(target, sizeof(target), "%s/secret.jpg", outside);
	ck_assert_int_eq(symlink(target, at("outgoing/file-link.jpg")), 0);
	snprintf(target, sizeof(target), "%s/dir", outside);
	ck_assert_int_eq(symlink(target, at("outgoing/dir-link")), 0);
	ck_assert_int_eq(symlink("/../../../../tmp", at("outgoing/up.jpg")), 0);
	set_age(at("outgoing/file-link.jpg"), 100);
	media_file("outgoing/real.jpg", 100);
	before = checksum(outside);
	prune(rules, 1, 7, 0, NULL, &r);
	ck_assert_uint_eq(checksum(outside), before);
	ck_assert(exists(at("outgoing/file-link.jpg")));
	ck_assert(exists(at("outgoing/dir-link")));
	ck_assert(exists(at("outgoing/up.jpg")));
	ck_assert(!exists(at("outgoing/real.jpg")));
	ck_assert_uint_eq(r.files, 1);
	ck_assert_uint_eq(r.skipped, 3);
	ck_assert_uint_eq(r.n_errors, 0);
	media_result_free(&r);
}
END_TEST

START_TEST(test_symlinked_rule_folder_refused)
{
	struct media_rule rules[3] = { rule("linked", 30), rule("real/linked/images", 30), rule("inner", 30) };
	struct media_result r;
	char target[256];
	uint64_t before;

	snprintf(target, sizeof(target), "%s/dir", outside);
	ck_assert_int_eq(symlink(target, at("linked")), 0);
	mkdirs("real");
	mkdirs("other/images");
	media_file("other/images/old.jpg", 100);
	ck_assert_int_eq(symlink("../other", at("real/linked")), 0);
	ck_assert_int_eq(symlink("other/images", at("inner")), 0);
	before = checksum(outside);
	prune(rules, 3, 7, 0, NULL, &r);
	ck_assert_uint_eq(checksum(outside), before);
	ck_assert(exists(at("other/images/old.jpg")));
	ck_assert_uint_eq(r.files, 0);
	ck_assert_uint_eq(r.n_errors, 3);
	ck_assert_uint_eq(r.errors.n, 3);
	ck_assert_str_eq(r.errors.v[0], MROOT "/linked: a symlink is on the way to this folder, not pruned");
	ck_assert_str_eq(r.errors.v[1], MROOT "/real/linked/images: a symlink is on the way to this folder, not pruned");
	media_result_free(&r);
}
END_TEST

START_TEST(test_hardlink_and_fifo_skipped)
{
	struct media_rule rules[1] = { rule("outgoing", 30) };
	struct media_result r;

	mkdirs("outgoing");
	media_file("outgoing/one.jpg", 100);
	ck_assert_int_eq(link(at("outgoing/one.jpg"), at("outgoing/two.jpg")), 0);
	ck_assert_int_eq(mkfifo(at("outgoing/clip.mp4"), 0644), 0);
	set_age(at("outgoing/clip.mp4"), 100);
	prune(rules, 1, 7, 0, NULL, &r);
	ck_assert(exists(at("outgoing/one.jpg")));
	ck_assert(exists(at("outgoing/two.jpg")));
	ck_assert(exists(at("outgoing/clip.mp4")));
	ck_assert_uint_eq(r.files, 0);
	ck_assert_uint_eq(r.skipped, 3);
	ck_assert_uint_eq(r.n_errors, 0);
	media_result_free(&r);
}
END_TEST

START_TEST(test_emptied_folders_removed)
{
	struct media_rule rules[2] = { rule("outgoing", 30), rule(".", 30) };
	struct media_result r;

	mkdirs("outgoing/a/b");
	mkdirs("outgoing/c");
	mkdirs("outgoing/empty");
	mkdirs("outgoing/d/empty");
	media_file("outgoing/a/b/old.jpg", 60);
	media_file("outgoing/a/old.jpg", 60);
	media_file("outgoing/c/old.jpg", 60);
	media_file("outgoing/c/young.jpg", 1);
	media_file("outgoing/d/old.jpg", 60);
	media_file("outgoing/old.jpg", 60);
	prune(rules, 1, 7, 0, NULL, &r);
	ck_assert(!exists(at("outgoing/a")));
	ck_assert(exists(at("outgoing/c/young.jpg")));
	ck_assert(!exists(at("outgoing/c/old.jpg")));
	ck_assert(exists(at("outgoing/empty")));
	ck_assert(exists(at("outgoing/d/empty")));
	ck_assert(!exists(at("outgoing/d/old.jpg")));
	ck_assert(exists(at("outgoing")));
	ck_assert_uint_eq(r.files, 5);
	ck_assert_uint_eq(r.dirs, 2);
	media_result_free(&r);

	/* The whole media root as a rule: root and rule folder stay. */
	media_file("outgoing/c/young.jpg", 60);
	prune(rules + 1, 1, 7, 0, NULL, &r);
	ck_assert(!exists(at("outgoing/c")));
	ck_assert(exists(at("outgoing/empty")));
	ck_assert(exists(at("outgoing")));
	ck_assert(exists(at(".")));
	ck_assert_uint_eq(r.files, 1);
	ck_assert_uint_eq(r.dirs, 1);
	media_result_free(&r);
}
END_TEST

static void build_mixed(void)
{
	mkdirs("outgoing/a/b");
	mkdirs("outgoing/x");
	media_file("outgoing/a/b/old.jpg", 60);
	media_file("outgoing/a/old.png", 60);
	media_file("outgoing/x/young.jpg", 2);
	media_file("outgoing/x/old.jpg", 45);
	ck_assert_int_eq(symlink("/etc/passwd", at("outgoing/x/link.jpg")), 0);
}

START_TEST(test_dry_run)
{
	struct media_rule rules[1] = { rule("outgoing", 30) };
	struct media_result dry, real;
	struct seen s_dry, s_real;
	uint64_t before;

	memset(&s_dry, 0, sizeof(s_dry));
	memset(&s_real, 0, sizeof(s_real));
	build_mixed();
	before = checksum(root);
	prune(rules, 1, 7, 1, &s_dry, &dry);
	ck_assert_uint_eq(checksum(root), before);
	ck_assert_uint_eq(dry.files, 3);
	ck_assert_uint_eq(dry.dirs, 0);
	ck_assert_uint_eq(s_dry.files, 3);
	ck_assert_uint_eq(s_dry.bytes, dry.bytes);
	prune(rules, 1, 7, 0, &s_real, &real);
	ck_assert_uint_eq(real.files, dry.files);
	ck_assert_uint_eq(real.bytes, dry.bytes);
	ck_assert_uint_eq(real.kept_young, dry.kept_young);
	ck_assert_uint_eq(real.skipped, dry.skipped);
	ck_assert_uint_eq(s_real.files, s_dry.files);
	ck_assert_uint_eq(s_real.bytes, s_dry.bytes);
	ck_assert_uint_eq(real.dirs, 2);
	ck_assert(!exists(at("outgoing/a")));
	media_result_free(&dry);
	media_result_free(&real);
}
END_TEST

START_TEST(test_missing_rule_folder_and_root)
{
	struct media_rule rules[2] = { rule("nope", 30), rule("outgoing", 30) };
	struct media_result r;

	mkdirs("outgoing");
	media_file("outgoing/old.jpg", 60);
	prune(rules, 2, 7, 0, NULL, &r);
	ck_assert_uint_eq(r.n_errors, 0);
	ck_assert_uint_eq(r.files, 1);
	media_result_free(&r);

	ck_assert_int_eq(media_prune(fs, "/no/such/root", rules, 2, 0, now, 0, NULL, NULL, &r), -1);
	ck_assert_uint_eq(r.n_errors, 1);
	ck_assert_str_eq(r.errors.v[0], "/no/such/root: No such file or directory");
	media_result_free(&r);

	/* A file where the rule folder should be. */
	media_file("notdir", 60);
	rules[0] = rule("notdir", 30);
	prune(rules, 1, 7, 0, NULL, &r);
	ck_assert_uint_eq(r.n_errors, 1);
	ck_assert_str_eq(r.errors.v[0], MROOT "/notdir: Not a directory");
	ck_assert(exists(at("notdir")));
	media_result_free(&r);
}
END_TEST

START_TEST(test_too_deep)
{
	struct media_rule rules[1] = { rule("deep", 30) };
	struct media_result r;
	char rel[1024] = "deep", file[1100];
	int i;

	/* The rule folder and MEDIA_MAX_DEPTH - 1 levels below it are walked:
	 * deep/d{63}/last.jpg goes, deep/d{64} is refused. */
	for (i = 1; i < MEDIA_MAX_DEPTH; i++)
		strcat(rel, "/d");
	mkdirs(rel);
	snprintf(file, sizeof(file), "%s/last.jpg", rel);
	media_file(file, 60);
	strcat(rel, "/d");
	mkdirs(rel);
	snprintf(file, sizeof(file), "%s/deepest.jpg", rel);
	media_file(file, 60);
	prune(rules, 1, 7, 0, NULL, &r);
	ck_assert(exists(at("%s", file)));
	ck_assert(!exists(at("%.*s/last.jpg", (int)strlen(rel) - 2, rel)));
	ck_assert_uint_eq(r.files, 1);
	ck_assert_uint_eq(r.n_errors, 1);
	ck_assert_ptr_nonnull(strstr(r.errors.v[0], "nested more than 63 folders deep, not pruned"));
	ck_assert_ptr_nonnull(strstr(r.errors.v[0], MROOT "/deep/d/d/"));
	media_result_free(&r);
}
END_TEST

START_TEST(test_error_cap)
{
	struct media_rule rules[1] = { rule("outgoing", 30) };
	struct media_result r;
	char name[64];
	int i;

	/* 60 unreadable folders. Root reads them anyway, so the walk runs under an
	 * unprivileged effective uid (restored afterwards). */
	ck_assert_int_eq(chmod(root, 0755), 0);
	mkdirs("outgoing");
	ck_assert_int_eq(chmod(at("outgoing"), 0777), 0);
	for (i = 0; i < MEDIA_MAX_ERRORS + 10; i++) {
		snprintf(name, sizeof(name), "outgoing/d%02d", i);
		mkdirs(name);
		snprintf(name, sizeof(name), "outgoing/d%02d/old.jpg", i);
		media_file(name, 60);
		ck_assert_int_eq(chmod(at("outgoing/d%02d", i), 0), 0);
	}
	media_file("outgoing/old.jpg", 60);
	ck_assert_int_eq(chmod(at("outgoing/old.jpg"), 0666), 0);
	if (geteuid() == 0)
		ck_assert_int_eq(seteuid(65534), 0);
	prune(rules, 1, 7, 0, NULL, &r);
	if (getuid() == 0)
		ck_assert_int_eq(seteuid(0), 0);
	ck_assert_uint_eq(r.n_errors, MEDIA_MAX_ERRORS + 10);
	ck_assert_uint_eq(r.errors.n, MEDIA_MAX_ERRORS);
	ck_assert_ptr_nonnull(strstr(r.errors.v[0], MROOT "/outgoing/d"));
	ck_assert_ptr_nonnull(strstr(r.errors.v[0], ": Permission denied"));
	ck_assert_uint_eq(r.files, 1);   /* the walk went on */
	ck_assert(!exists(at("outgoing/old.jpg")));
	media_result_free(&r);
	for (i = 0; i < MEDIA_MAX_ERRORS + 10; i++)
		ck_assert_int_eq(chmod(at("outgoing/d%02d", i), 0755), 0);
}
END_TEST

START_TEST(test_other_filesystem_skipped)
{
	struct media_rule rules[1] = { rule("outgoing", 30) };
	struct media_result r;
	int kept;

	mkdirs("outgoing/mnt");
	/* The tests run as root (see README); a failed mount is a failed test. */
	ck_assert_msg(mount("rotd-test", at("outgoing/mnt"), "tmpfs", 0, "size=1m") == 0,
		      "cannot mount a tmpfs for the other-filesystem test: %s", strerror(errno));
	media_file("outgoing/mnt/old.jpg", 60);
	media_file("outgoing/old.jpg", 60);
	prune(rules, 1, 7, 0, NULL, &r);
	kept = exists(at("outgoing/mnt/old.jpg"));
	ck_assert_int_eq(umount(at("outgoing/mnt")), 0);
	ck_assert(kept);
	ck_assert(!exists(at("outgoing/old.jpg")));
	ck_assert_uint_eq(r.skipped, 1);
	ck_assert_uint_eq(r.files, 1);
	media_result_free(&r);
}
END_TEST

START_TEST(test_many_files_flat_memory)
{
	struct media_rule rules[1] = { rule("outgoing/big", 30) };
	struct media_result r;
	struct rusage before, after;
	struct timespec ts[2];
	char name[32];
	int dfd, i;

	mkdirs("outgoing/big");
	dfd = open(at("outgoing/big"), O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(dfd, 0);
	for (i = 0; i < 100000; i++) {
		snprintf(name, sizeof(name), "IMG-%06d.jpg", i);
		int fd = openat(dfd, name, O_CREAT | O_WRONLY | O_EXCL, 0644);

		ck_assert_int_ge(fd, 0);
		ts[0].tv_sec = ts[1].tv_sec = now - (i % 2 ? 60 : 1) * DAY;
		ts[0].tv_nsec = ts[1].tv_nsec = 0;
		ck_assert_int_eq(futimens(fd, ts), 0);
		close(fd);
	}
	close(dfd);
	ck_assert_int_eq(getrusage(RUSAGE_SELF, &before), 0);
	prune(rules, 1, 7, 0, NULL, &r);
	ck_assert_int_eq(getrusage(RUSAGE_SELF, &after), 0);
	ck_assert_uint_eq(r.files, 50000);
	ck_assert_uint_eq(r.kept_young, 50000);
	ck_assert_uint_eq(r.n_errors, 0);
	ck_assert_msg(after.ru_maxrss - before.ru_maxrss < 8 * 1024, "maxrss grew by %ld KiB",
		      after.ru_maxrss - before.ru_maxrss);
	ck_assert(exists(at("outgoing/big/IMG-000000.jpg")));
	ck_assert(!exists(at("outgoing/big/IMG-000001.jpg")));
	media_result_free(&r);
}
END_TEST

/* ---- media_relieve ------------------------------------------------------ */

#define CHUNK (256 * 1024)

/* The media root becomes a 4 MiB tmpfs, mounted in a mount namespace of the
 * test's own so that a failed test leaves no mount behind (entered before the
 * root is opened: an fd from the old namespace would not see the mount). */
static void setup_relieve(void)
{
	ck_assert_msg(unshare(CLONE_NEWNS) == 0, "unshare: %s", strerror(errno));
	ck_assert_msg(mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) == 0, "private mounts: %s", strerror(errno));
	setup();
	ck_assert_msg(mount("rotd-test", at("."), "tmpfs", 0, "size=4m") == 0,
		      "cannot mount a tmpfs for the relieve tests: %s", strerror(errno));
}

static void teardown_relieve(void)
{
	umount2(at("."), MNT_DETACH);
	teardown();
}

/* A CHUNK-byte file at rel, age seconds old. */
static void chunk_file(const char *rel, long age)
{
	static char buf[CHUNK];
	struct timespec ts[2];
	int fd = open(at("%s", rel), O_CREAT | O_WRONLY | O_TRUNC, 0644);

	ck_assert_msg(fd >= 0, "%s: %s", rel, strerror(errno));
	memset(buf, 'm', sizeof(buf));
	ck_assert_int_eq(write(fd, buf, sizeof(buf)), (ssize_t)sizeof(buf));
	ts[0].tv_sec = ts[1].tv_sec = now - age;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	ck_assert_int_eq(futimens(fd, ts), 0);
	close(fd);
}

/* Two files of each age, 2.5 MiB in all: 63% of the tmpfs. */
static const struct {
	int days;
	const char *rel[2];
} aged[] = {
	{ 60, { "old/d60-1.bin", "old/x/d60-2.bin" } },
	{ 40, { "a/d40-1.bin", "b/d40-2.bin" } },
	{ 20, { "a/d20-1.bin", "d20-2.bin" } },
	{ 10, { "b/d10-1.bin", "b/c/d10-2.bin" } },
	{ 3, { "a/d3-1.bin", "b/c/d3-2.bin" } },
};
#define N_AGED (sizeof(aged) / sizeof(aged[0]))

static void build_aged(void)
{
	size_t i;

	mkdirs("old/x");
	mkdirs("a");
	mkdirs("b/c");
	for (i = 0; i < N_AGED; i++) {
		chunk_file(aged[i].rel[0], aged[i].days * DAY);
		chunk_file(aged[i].rel[1], aged[i].days * DAY);
	}
}

/* Checks which ages are still there: left holds them, ending with 0. */
static void ages_left(const int *left)
{
	size_t i;

	for (i = 0; i < N_AGED; i++) {
		int want = 0;

		for (const int *l = left; *l != 0; l++)
			want |= *l == aged[i].days;
		ck_assert_msg(exists(at("%s", aged[i].rel[0])) == want && exists(at("%s", aged[i].rel[1])) == want,
			      "files %d days old should %s", aged[i].days, want ? "stay" : "be gone");
	}
}

struct enough {
	int calls;
	int ret;          /* what to say when there is no target */
	int target;       /* percent the tmpfs must be at most, or -1 */
	int stop_after;   /* request a shutdown on this call, or 0 */
	unsigned pct;     /* the last measured */
};

static int enough_fn(void *arg)
{
	struct enough *e = arg;
	struct fs_usage u;
	int fd;

	e->calls++;
	if (e->stop_after == e->calls)
		shutdown_request();
	if (e->target < 0)
		return e->ret;
	fd = open(at("."), O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fsusage_measure(fd, &u), 0);
	close(fd);
	e->pct = fsusage_pct(&u);
	return e->pct <= (unsigned)e->target;
}

static unsigned media_pct(uint64_t *over, unsigned target)
{
	struct fs_usage u;
	int fd = open(at("."), O_RDONLY | O_DIRECTORY);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fsusage_measure(fd, &u), 0);
	close(fd);
	if (over != NULL)
		*over = fsusage_bytes_over(&u, target);
	return fsusage_pct(&u);
}

static void relieve(uint64_t want, struct enough *e, struct media_result *out)
{
	ck_assert_int_eq(media_relieve(fs, MROOT, 7 * DAY, now, want, enough_fn, e, out), 0);
}

START_TEST(test_relieve_a_little)
{
	struct enough e = { 0, 1, -1, 0, 0 };
	struct media_result r;
	static const int left[] = { 40, 20, 10, 3, 0 };

	build_aged();
	ck_assert_uint_eq(media_pct(NULL, 0), 63);
	relieve(1, &e, &r);
	ages_left(left);
	ck_assert_int_eq(e.calls, 1);
	ck_assert_uint_eq(r.files, 2);
	ck_assert_uint_eq(r.bytes, 2 * CHUNK);
	ck_assert_uint_eq(r.dirs, 2);          /* old/x and old */
	ck_assert_uint_eq(r.kept_young, 2);
	ck_assert_uint_eq(r.skipped, 0);
	ck_assert_uint_eq(r.n_errors, 0);
	ck_assert(exists(at("a")));
	ck_assert(!exists(at("old")));
	ck_assert(exists(at(".")));
	media_result_free(&r);
}
END_TEST

START_TEST(test_relieve_one_cutoff)
{
	static const int left_40[] = { 20, 10, 3, 0 }, left_20[] = { 10, 3, 0 };
	struct enough e = { 0, 1, -1, 0, 0 };
	struct media_result r;

	/* More than the oldest day holds, not more than the two oldest: one walk
	 * cutting at 40 days. */
	build_aged();
	relieve(3 * CHUNK, &e, &r);
	ages_left(left_40);
	ck_assert_int_eq(e.calls, 1);
	ck_assert_uint_eq(r.files, 4);
	media_result_free(&r);

	build_aged();
	e.calls = 0;
	relieve(4 * CHUNK, &e, &r);
	ages_left(left_40);
	ck_assert_int_eq(e.calls, 1);
	media_result_free(&r);

	build_aged();
	e.calls = 0;
	relieve(4 * CHUNK + 1, &e, &r);
	ages_left(left_20);
	ck_assert_int_eq(e.calls, 1);
	ck_assert_uint_eq(r.files, 6);
	ck_assert_uint_eq(r.bytes, 6 * CHUNK);
	media_result_free(&r);
}
END_TEST

START_TEST(test_relieve_until_under)
{
	static const int left[] = { 20, 10, 3, 0 };
	struct enough e = { 0, 0, 45, 0, 0 };
	struct media_result r;

	/* Told far too little is wanted, it goes a day further each round until the
	 * disk is under 45%: 63% -> 50% -> 38%. */
	build_aged();
	relieve(1, &e, &r);
	ages_left(left);
	ck_assert_int_eq(e.calls, 2);
	ck_assert_uint_eq(e.pct, 38);
	ck_assert_uint_eq(r.files, 4);
	ck_assert_uint_eq(r.n_errors, 0);
	media_result_free(&r);
}
END_TEST

START_TEST(test_relieve_want_from_fsusage)
{
	static const int left[] = { 10, 3, 0 };
	struct enough e = { 0, 0, 30, 0, 0 };
	struct media_result r;
	uint64_t over;

	/* 30% of 4 MiB: 1.3 MiB must go, the three oldest days hold 1.5 MiB. */
	build_aged();
	ck_assert_uint_eq(media_pct(&over, 30), 63);
	ck_assert_uint_gt(over, 4 * CHUNK);
	ck_assert_uint_le(over, 6 * CHUNK);
	relieve(over, &e, &r);
	ages_left(left);
	ck_assert_int_eq(e.calls, 1);
	ck_assert_uint_eq(e.pct, 25);
	media_result_free(&r);
}
END_TEST

START_TEST(test_relieve_everything_old)
{
	static const int left[] = { 3, 0 };
	struct enough e = { 0, 0, -1, 0, 0 };
	struct media_result r;

	/* More than all old files: one walk at the floor. */
	build_aged();
	relieve(UINT64_MAX, &e, &r);
	ages_left(left);
	ck_assert_int_eq(e.calls, 1);
	ck_assert_uint_eq(r.files, 8);
	ck_assert_uint_eq(r.bytes, 8 * CHUNK);
	ck_assert_uint_eq(r.kept_young, 2);
	ck_assert_uint_eq(r.dirs, 2);
	ck_assert_uint_eq(r.n_errors, 0);
	media_result_free(&r);

	/* Never enough and too little wanted: a round per day holding files,
	 * none for the empty days down to the floor. */
	build_aged();
	e.calls = 0;
	relieve(1, &e, &r);
	ages_left(left);
	ck_assert_int_eq(e.calls, 4);
	ck_assert_uint_eq(r.files, 8);
	ck_assert_uint_eq(r.kept_young, 2);
	media_result_free(&r);

	/* Nothing old left: no round at all. */
	e.calls = 0;
	relieve(UINT64_MAX, &e, &r);
	ages_left(left);
	ck_assert_int_eq(e.calls, 0);
	ck_assert_uint_eq(r.files, 0);
	ck_assert_uint_eq(r.kept_young, 2);
	media_result_free(&r);
}
END_TEST

START_TEST(test_relieve_floor_between_days)
{
	struct enough e = { 0, 0, -1, 0, 0 };
	struct media_result r;

	mkdirs("f");
	chunk_file("f/seven.bin", 7 * DAY);
	chunk_file("f/seven-and-a-half.bin", 7 * DAY + DAY / 2);
	chunk_file("f/seven-and-three-quarters.bin", 7 * DAY + 3 * DAY / 4);
	chunk_file("f/nine.bin", 9 * DAY);
	ck_assert_int_eq(media_relieve(fs, MROOT, 7 * DAY + DAY / 2, now, UINT64_MAX, enough_fn, &e, &r), 0);
	ck_assert(exists(at("f/seven.bin")));
	ck_assert(!exists(at("f/seven-and-a-half.bin")));
	ck_assert(!exists(at("f/seven-and-three-quarters.bin")));
	ck_assert(!exists(at("f/nine.bin")));
	ck_assert_uint_eq(r.files, 3);
	ck_assert_uint_eq(r.kept_young, 1);
	ck_assert_int_eq(e.calls, 1);
	media_result_free(&r);
}
END_TEST

START_TEST(test_relieve_untouchables)
{
	struct enough e = { 0, 0, -1, 0, 0 };
	struct media_result r;
	char target[256];
	uint64_t before;

	mkdirs("out");
	mkdirs(".rotd-work");
	chunk_file("out/real.bin", 100 * DAY);
	chunk_file("out/one.bin", 100 * DAY);
	ck_assert_int_eq(link(at("out/one.bin"), at("out/two.bin")), 0);
	ck_assert_int_eq(mkfifo(at("out/clip.mp4"), 0644), 0);
	set_age(at("out/clip.mp4"), 100);
	snprintf(target, sizeof(target), "%s/secret.jpg", outside);
	ck_assert_int_eq(symlink(target, at("out/file-link.jpg")), 0);
	set_age(at("out/file-link.jpg"), 100);
	snprintf(target, sizeof(target), "%s/dir", outside);
	ck_assert_int_eq(symlink(target, at("out/dir-link")), 0);
	chunk_file("out/.rotd-partial.bin", 100 * DAY);
	chunk_file(".rotd-work/old.bin", 100 * DAY);
	before = checksum(outside);
	relieve(UINT64_MAX, &e, &r);
	ck_assert_uint_eq(checksum(outside), before);
	ck_assert(!exists(at("out/real.bin")));
	ck_assert(exists(at("out/one.bin")));
	ck_assert(exists(at("out/two.bin")));
	ck_assert(exists(at("out/clip.mp4")));
	ck_assert(exists(at("out/file-link.jpg")));
	ck_assert(exists(at("out/dir-link")));
	ck_assert(exists(at("out/.rotd-partial.bin")));
	ck_assert(exists(at(".rotd-work/old.bin")));
	ck_assert_uint_eq(r.files, 1);
	ck_assert_uint_eq(r.skipped, 5);   /* counted once, not once per walk */
	ck_assert_uint_eq(r.n_errors, 0);
	ck_assert_int_eq(e.calls, 1);
	media_result_free(&r);
}
END_TEST

START_TEST(test_relieve_errors_and_stop)
{
	struct enough e = { 0, 0, -1, 0, 0 };
	struct media_result r;

	ck_assert_int_eq(media_relieve(fs, "/no/such/root", 7 * DAY, now, 1, enough_fn, &e, &r), -1);
	ck_assert_uint_eq(r.n_errors, 1);
	ck_assert_str_eq(r.errors.v[0], "/no/such/root: No such file or directory");
	ck_assert_int_eq(e.calls, 0);
	media_result_free(&r);

	/* A stop asked for by the end of the first round ends the work there. Only in a test
	 * process of its own: the request cannot be taken back. */
	if (getenv("CK_FORK") != NULL && strcmp(getenv("CK_FORK"), "no") == 0)
		return;
	build_aged();
	e.stop_after = 1;
	relieve(1, &e, &r);
	ck_assert_int_eq(e.calls, 1);
	ck_assert_uint_eq(r.files, 2);
	ck_assert_uint_eq(r.n_errors, 1);
	ck_assert_str_eq(r.errors.v[0], MROOT ": stopped early: rotd is stopping");
	media_result_free(&r);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("media");
	TCase *tc = tcase_create("prune");
	TCase *big = tcase_create("big");
	TCase *rl = tcase_create("relieve");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_age_per_rule);
	tcase_add_test(tc, test_floor_wins);
	tcase_add_test(tc, test_globs);
	tcase_add_test(tc, test_symlinks_untouched);
	tcase_add_test(tc, test_symlinked_rule_folder_refused);
	tcase_add_test(tc, test_hardlink_and_fifo_skipped);
	tcase_add_test(tc, test_emptied_folders_removed);
	tcase_add_test(tc, test_dry_run);
	tcase_add_test(tc, test_missing_rule_folder_and_root);
	tcase_add_test(tc, test_too_deep);
	tcase_add_test(tc, test_error_cap);
	tcase_add_test(tc, test_other_filesystem_skipped);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(big, setup, teardown);
	tcase_set_timeout(big, 300);
	tcase_add_test(big, test_many_files_flat_memory);
	suite_add_tcase(s, big);
	tcase_add_checked_fixture(rl, setup_relieve, teardown_relieve);
	tcase_add_test(rl, test_relieve_a_little);
	tcase_add_test(rl, test_relieve_one_cutoff);
	tcase_add_test(rl, test_relieve_until_under);
	tcase_add_test(rl, test_relieve_want_from_fsusage);
	tcase_add_test(rl, test_relieve_everything_old);
	tcase_add_test(rl, test_relieve_floor_between_days);
	tcase_add_test(rl, test_relieve_untouchables);
	tcase_add_test(rl, test_relieve_errors_and_stop);
	suite_add_tcase(s, rl);
	return s;
}
