/* journal: one record per rotation step in flight, kept beside the archives, so a
 * crash at any point leaves a state the next pass completes.
 *
 * A record "<archive dir>/.rotd-pending.<archive name>" is written and fsynced
 * before the archive is linked into place, and removed once the source has been
 * cut or removed. Recovery (apply) reads it back: if the archive exists and the
 * source's first `length` bytes still hash to `digest`, the cut did not happen
 * and is done now; otherwise it did. */
#ifndef ROTD_JOURNAL_H
#define ROTD_JOURNAL_H

#include <stdint.h>
#include <sys/types.h>

#define JOURNAL_PREFIX ".rotd-pending."

enum journal_cut {
	JOURNAL_COLLAPSE,   /* remove [0, length) with FALLOC_FL_COLLAPSE_RANGE */
	JOURNAL_TRUNCATE,   /* copy-then-truncate fallback: truncate to 0 */
	JOURNAL_REMOVE,     /* idle file archived whole: unlink it */
	JOURNAL_RENAME,     /* method rename: the log was renamed to `renamed`, to be
	                       archived whole into `archive` and then unlinked */
};

struct journal_record {
	enum journal_cut cut;
	char *source;       /* path inside the container */
	char *archive;      /* archive file name in the archive folder */
	char *renamed;      /* JOURNAL_RENAME: the renamed log's name in the source's
	                       folder; NULL otherwise */
	dev_t dev;          /* the source's identity when archived */
	ino_t ino;
	uint64_t length;    /* bytes of the source the archive holds, from offset 0
	                       (JOURNAL_RENAME: 0, the archive holds the whole file) */
	uint64_t digest;    /* compress digest of those bytes (JOURNAL_RENAME: 0) */
};

/* Writes the record for r->archive into the archive folder dir_fd with O_EXCL,
 * fsyncs it and the folder. Returns 0, or -1 with errno set. */
int journal_write(int dir_fd, const struct journal_record *r);

/* Removes the record for archive (ENOENT is not an error) and fsyncs the folder.
 * Returns 0, or -1 with errno set. */
int journal_remove(int dir_fd, const char *archive);

/* Reads the record file named name (which starts with JOURNAL_PREFIX) in dir_fd.
 * Returns 0 and fills *r (free with journal_record_free), or -1: errno EINVAL for
 * a malformed record, else what open/read said. */
int journal_read(int dir_fd, const char *name, struct journal_record *r);

/* Frees what r owns. */
void journal_record_free(struct journal_record *r);

/* "collapse", "truncate", "remove", "rename". */
const char *journal_cut_name(enum journal_cut cut);

#endif
