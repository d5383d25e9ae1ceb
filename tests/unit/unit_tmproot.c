#include "autoconf.h"

#include <archive.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/xalloc.h"
#include "unit.h"
#include "unit_tmproot.h"

static void make_temp_dir(char *buf, size_t size, const char *base, const char *tag, const char *suffix)
{
	int n = snprintf(buf, size, "%s/rotd-%s%s.XXXXXX", base != NULL ? base : "/tmp", tag, suffix);

	ck_assert_msg(n > 0 && (size_t)n < size, "temp folder name too long");
	ck_assert_msg(mkdtemp(buf) != NULL, "mkdtemp %s: %s", buf, strerror(errno));
}

void unit_tmproot_make(struct unit_tmproot *r, const char *base, const char *tag)
{
	int fd;

	memset(r, 0, sizeof(*r));
	make_temp_dir(r->root, sizeof(r->root), base, tag, "");
	ck_assert_int_eq(chmod(r->root, 0755), 0);
	make_temp_dir(r->outside, sizeof(r->outside), base, tag, "-out");
	fd = open(r->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	r->fs = ctrfs_from_dirfd(fd);
	close(fd);
	ck_assert_ptr_nonnull(r->fs);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void remove_tree(char *dir)
{
	if (dir[0] != '\0')
		nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	dir[0] = '\0';
}

void unit_tmproot_remove(struct unit_tmproot *r)
{
	ctrfs_close(r->fs);
	r->fs = NULL;
	remove_tree(r->root);
	remove_tree(r->outside);
}

const char *unit_tmproot_path(const struct unit_tmproot *r, const char *rel)
{
	static char path[4][512];
	static int next;
	char *p = path[next++ % 4];

	snprintf(p, sizeof(path[0]), "%s/%s", r->root, rel);
	return p;
}

const char *unit_tmproot_outside(const struct unit_tmproot *r, const char *rel)
{
	static char path[512];

	snprintf(path, sizeof(path), "%s/%s", r->outside, rel);
	return path;
}

void unit_tmproot_mkdir(const struct unit_tmproot *r, const char *rel)
{
	const char *path = unit_tmproot_path(r, rel);

	ck_assert_msg(mkdir(path, 0755) == 0, "mkdir %s: %s", path, strerror(errno));
}

void unit_tmproot_symlink(const struct unit_tmproot *r, const char *target, const char *rel)
{
	ck_assert_int_eq(symlink(target, unit_tmproot_path(r, rel)), 0);
}

static void write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		ck_assert_msg(n > 0, "write: %s", strerror(errno));
		data += n;
		len -= (size_t)n;
	}
}

static void set_mtime(int fd, time_t mtime)
{
	struct timespec ts[2] = { { mtime, 0 }, { mtime, 0 } };

	if (mtime > 0)
		ck_assert_int_eq(futimens(fd, ts), 0);
}

void unit_tmproot_write(const struct unit_tmproot *r, const char *rel, const void *data, size_t len,
			time_t mtime)
{
	const char *path = unit_tmproot_path(r, rel);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);

	ck_assert_msg(fd >= 0, "open %s: %s", path, strerror(errno));
	write_all(fd, data, len);
	set_mtime(fd, mtime);
	ck_assert_int_eq(close(fd), 0);
}

void unit_tmproot_put(const struct unit_tmproot *r, const char *rel, const char *text)
{
	unit_tmproot_write(r, rel, text, strlen(text), 0);
}

char *unit_lines(unsigned first, unsigned count)
{
	char *buf = malloc((size_t)count * UNIT_LINE_LEN + 1);

	ck_assert_ptr_nonnull(buf);
	for (unsigned i = 0; i < count; i++)
		snprintf(buf + (size_t)i * UNIT_LINE_LEN, UNIT_LINE_LEN + 1, "line %08u .................\n", first + i);
	return buf;
}

void unit_tmproot_write_lines(const struct unit_tmproot *r, const char *rel, unsigned first, unsigned count,
			      time_t mtime)
{
	const char *path = unit_tmproot_path(r, rel);
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0644);
	char *lines = unit_lines(first, count);

	ck_assert_msg(fd >= 0, "open %s: %s", path, strerror(errno));
	write_all(fd, lines, (size_t)count * UNIT_LINE_LEN);
	free(lines);
	set_mtime(fd, mtime);
	ck_assert_int_eq(close(fd), 0);
}

char *unit_tmproot_read(const struct unit_tmproot *r, const char *rel, size_t *len)
{
	int fd = open(unit_tmproot_path(r, rel), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	size_t cap = 4096, n = 0;
	char *buf;

	if (fd < 0) {
		ck_assert_msg(errno == ENOENT, "open %s: %s", rel, strerror(errno));
		*len = 0;
		return NULL;
	}
	buf = malloc(cap + 1);
	ck_assert_ptr_nonnull(buf);
	for (;;) {
		ssize_t got;

		if (n == cap) {
			cap *= 2;
			buf = xreallocarray(buf, cap + 1, 1);
		}
		got = read(fd, buf + n, cap - n);
		ck_assert_msg(got >= 0, "read %s: %s", rel, strerror(errno));
		if (got == 0)
			break;
		n += (size_t)got;
	}
	close(fd);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* The filter a name's suffix promises: gzip for ".gz", zstd for ".zst". */
static int filter_of(const char *name)
{
	size_t len = strlen(name);

	if (len > 3 && strcmp(name + len - 3, ".gz") == 0)
		return ARCHIVE_FILTER_GZIP;
	ck_assert_msg(len > 4 && strcmp(name + len - 4, ".zst") == 0, "%s is not named .gz or .zst", name);
	return ARCHIVE_FILTER_ZSTD;
}

char *unit_tmproot_decompress(const struct unit_tmproot *r, const char *rel, size_t *len)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	int fd = open(unit_tmproot_path(r, rel), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap + 1);

	ck_assert_msg(fd >= 0, "open archive %s: %s", rel, strerror(errno));
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(archive_read_support_filter_all(a), ARCHIVE_OK);
	ck_assert_int_eq(archive_read_support_format_raw(a), ARCHIVE_OK);
	ck_assert_msg(archive_read_open_fd(a, fd, 65536) == ARCHIVE_OK, "%s: %s", rel, archive_error_string(a));
	ck_assert_msg(archive_read_next_header(a, &e) == ARCHIVE_OK, "%s: %s", rel, archive_error_string(a));
	ck_assert_msg(archive_filter_code(a, 0) == filter_of(rel), "%s is compressed with %s", rel,
		      archive_filter_name(a, 0));
	for (;;) {
		la_ssize_t got;

		if (n == cap) {
			cap *= 2;
			buf = xreallocarray(buf, cap + 1, 1);
		}
		got = archive_read_data(a, buf + n, cap - n);
		ck_assert_msg(got >= 0, "%s does not decompress: %s", rel, archive_error_string(a));
		if (got == 0)
			break;
		n += (size_t)got;
	}
	ck_assert_msg(archive_read_next_header(a, &e) == ARCHIVE_EOF, "%s: %s", rel, archive_error_string(a));
	ck_assert_int_eq(archive_read_free(a), ARCHIVE_OK);
	close(fd);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **unit_tmproot_list(const struct unit_tmproot *r, const char *rel, size_t *n)
{
	DIR *d = opendir(unit_tmproot_path(r, rel));
	const struct dirent *e;
	size_t count = 0, cap = 16;
	char **names = malloc(cap * sizeof(*names));

	ck_assert_msg(d != NULL, "opendir %s: %s", rel, strerror(errno));
	ck_assert_ptr_nonnull(names);
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (count + 1 == cap) {
			cap *= 2;
			names = xreallocarray(names, cap, sizeof(*names));
		}
		names[count] = strdup(e->d_name);
		ck_assert_ptr_nonnull(names[count]);
		count++;
	}
	closedir(d);
	qsort(names, count, sizeof(*names), compare_names);
	names[count] = NULL;
	if (n != NULL)
		*n = count;
	return names;
}

void unit_tmproot_list_free(char **names)
{
	if (names == NULL)
		return;
	for (char **p = names; *p != NULL; p++)
		free(*p);
	free(names);
}
