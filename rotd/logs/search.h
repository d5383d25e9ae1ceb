/* search: `rotd logs`. For every selected running container and every selected
 * log, the records of its sources (logs/source.h), oldest archive first and
 * the live log last, merged across all logs and containers into one timeline,
 * oldest first (a k-way merge on a heap; a record without a time keeps its
 * place in its own log, after the record before it). A log's sources are read
 * as one text: a line or a record that a rotation cut in two (rotd archives a
 * block-aligned prefix) is whole again, named after the archive it began in.
 * Records are kept when their time lies in [since, until) and, with a regular
 * expression, when one of their lines matches it; each is handed to a callback
 * as soon as it is known to be next, so the output streams and memory stays
 * flat (a few buffers per log) however much matches. Reads only; takes no lock. */
#ifndef ROTD_SEARCH_H
#define ROTD_SEARCH_H

#include <regex.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "engine/inventory.h"
#include "lib/strlist.h"
#include "logs/record.h"
#include "rotate/ctrfs.h"

/* How far back a log's times may go (lines written out of order by several
 * threads) and still be found by bisection and by the end of a log's search. */
#define SEARCH_SLACK_US (60 * INT64_C(1000000))

struct logs_query {
	int64_t since_us;              /* INT64_MIN: no lower bound */
	int64_t until_us;              /* INT64_MAX: no upper bound */
	const regex_t *grep;           /* compiled with REG_NEWLINE (search_compile); NULL: every record */
	const struct strlist *roles;   /* only containers of these roles; NULL or empty: all */
	const struct strlist *logs;    /* fnmatch globs on a log's path or file name; NULL or empty: all */
	const struct strlist *named;   /* the containers named on the command line (they must be searchable) */
	int64_t now_us;                /* dates year-less times */
};

/* One record found. */
struct logs_hit {
	const struct record *record;
	const char *container;
	const char *role;
	const char *log;               /* the live log's path in the container */
	const char *archive;           /* the archive's file name, or NULL for the live log */
};

/* Receives a hit; returns 0 to go on, non-zero to stop the search. */
typedef int (*logs_hit_fn)(const struct logs_hit *hit, void *arg);

/* One container to search, already opened. */
struct logs_target {
	const char *name;
	const struct role_policy *role;
	const struct ctrfs *fs;
};

/* Compiles pattern as a POSIX extended regular expression matched line by line
 * (REG_ICASE when icase). Returns 0, or -1 with *err set to a new message
 * holding regerror's text. */
int search_compile(regex_t *re, const char *pattern, int icase, char **err);

/* Searches targets[0, n) and hands every record found to cb in time order.
 * Every source that cannot be read is logged in one line ("rotd logs:
 * CONTAINER: PATH: why") and counted. Returns that count (0: all read). */
int search_targets(const struct logs_target *targets, size_t n, const struct logs_query *q, logs_hit_fn cb,
		   void *arg);

/* The same over the containers of inv: running ones are opened through
 * /proc/<pid>/root; the others are named as unreachable ("rotd logs: NAME: not
 * running (exited)") and counted, containers without a role only when named. */
int search_inventory(const struct inventory *inv, const struct logs_query *q, logs_hit_fn cb, void *arg);

#endif
