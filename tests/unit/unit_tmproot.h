/* A temp folder standing in for a container root, opened as a ctrfs with
 * ctrfs_from_dirfd, and a second temp folder outside it (for escape tests).
 * Paths named "rel" are relative to the root; every helper aborts the test on
 * failure. */
#ifndef ROTD_TESTS_UNIT_TMPROOT_H
#define ROTD_TESTS_UNIT_TMPROOT_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "rotate/ctrfs.h"

struct unit_tmproot {
	char root[128];        /* host path of the root (mode 0755) */
	char outside[128];     /* host path of a folder beside it */
	struct ctrfs *fs;      /* the root, confined */
};

/* Makes the root and the outside folder as <base>/rotd-<tag>.XXXXXX and
 * <base>/rotd-<tag>-out.XXXXXX (base NULL: /tmp) and opens the root. */
void unit_tmproot_make(struct unit_tmproot *r, const char *base, const char *tag);

/* Closes the handle and removes both folders with everything in them. */
void unit_tmproot_remove(struct unit_tmproot *r);

/* The host path of rel inside the root; one of 4 static buffers, reused in turn. */
const char *unit_tmproot_path(const struct unit_tmproot *r, const char *rel);

/* The host path of rel inside the outside folder (static buffer). */
const char *unit_tmproot_outside(const struct unit_tmproot *r, const char *rel);

/* mkdir rel with mode 0755. */
void unit_tmproot_mkdir(const struct unit_tmproot *r, const char *rel);

/* A symlink rel pointing at target (taken as it is). */
void unit_tmproot_symlink(const struct unit_tmproot *r, const char *target, const char *rel);

/* Creates or replaces rel with len bytes of data; mtime (seconds) is set when > 0. */
void unit_tmproot_write(const struct unit_tmproot *r, const char *rel, const void *data, size_t len,
			time_t mtime);

/* Creates or replaces rel with the NUL-terminated text. */
void unit_tmproot_put(const struct unit_tmproot *r, const char *rel, const char *text);

/* The numbered lines first..first+count-1, each UNIT_LINE_LEN bytes with its
 * newline ("line 00000042 ...\n"). New buffer of count * UNIT_LINE_LEN bytes. */
#define UNIT_LINE_LEN 32
char *unit_lines(unsigned first, unsigned count);

/* Appends the numbered lines first..first+count-1 to rel (created when missing);
 * mtime is set afterwards when > 0. */
void unit_tmproot_write_lines(const struct unit_tmproot *r, const char *rel, unsigned first, unsigned count,
			      time_t mtime);

/* The content of rel: a new buffer (NUL-terminated, *len bytes without the NUL),
 * or NULL when rel does not exist. */
char *unit_tmproot_read(const struct unit_tmproot *r, const char *rel, size_t *len);

/* Decompresses the archive rel (libarchive, raw format) in full: a new buffer of
 * *len bytes (NUL-terminated). Fails the test when the archive is missing,
 * truncated or corrupt, or not compressed as its suffix says (".gz": gzip,
 * ".zst": zstd). */
char *unit_tmproot_decompress(const struct unit_tmproot *r, const char *rel, size_t *len);

/* The names in folder rel, "." and ".." excepted, sorted: a new NULL-terminated
 * array (free with unit_tmproot_list_free), *n set when n is not NULL. */
char **unit_tmproot_list(const struct unit_tmproot *r, const char *rel, size_t *n);

/* Frees a list from unit_tmproot_list; NULL is allowed. */
void unit_tmproot_list_free(char **names);

#endif
