/* scan: the log files a running container holds, per its role's globs, read
 * through ctrfs. What plan decides from; what --dry-run shows. */
#ifndef ROTD_SCAN_H
#define ROTD_SCAN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "config/config.h"
#include "rotate/ctrfs.h"
#include "lib/strlist.h"

struct log_file {
	char *path;            /* inside the container: the glob's directory + "/" + name */
	const char *glob;      /* the role's pattern that found it (borrowed from the config) */
	size_t glob_index;     /* its position in role->logs */
	enum ctrfs_kind kind;  /* only CTRFS_REGULAR files may be rotated */
	uint64_t size;
	time_t mtime;
	nlink_t nlink;
};

struct scan_result {
	struct log_file *files;    /* sorted by path; one entry per path; the first glob that matches it wins */
	size_t n;
	struct strlist absent;     /* globs whose directory does not exist in the container */
	struct strlist errors;     /* "PATTERN: strerror" for directories that could not be read */
};

/* Lists every entry matching role->logs in fs. Never fails as a whole: each glob's
 * problem is recorded in out->absent or out->errors. Free with scan_free. */
void scan_logs(const struct ctrfs *fs, const struct role_policy *role, struct scan_result *out);

/* Frees what r owns and empties it. */
void scan_free(struct scan_result *r);

#endif
