/* Runs media_prune once on a host tree, for tests/bench/media.sh.
 *
 * usage: media_prune_driver TREE AGE_DAYS FLOOR_DAYS [--dry-run]
 *
 * The parent of TREE stands in for a container root, the media root is
 * "/<basename of TREE>" and the one rule is {path ".", max_age AGE_DAYS}. Prints
 * the counts on one line; exits 1 on errors. */
#include "autoconf.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jobs/media.h"
#include "lib/xalloc.h"

int main(int argc, char **argv)
{
	struct media_rule rule;
	struct media_result r;
	struct ctrfs *fs;
	char *parent, *slash, *mroot;
	size_t i;
	int fd, rc;

	if (argc < 4 || argc > 5 || (argc == 5 && strcmp(argv[4], "--dry-run") != 0)) {
		fprintf(stderr, "usage: %s TREE AGE_DAYS FLOOR_DAYS [--dry-run]\n", argv[0]);
		return 2;
	}
	parent = xstrdup(argv[1]);
	slash = strrchr(parent, '/');
	if (slash == NULL || slash[1] == '\0') {
		fprintf(stderr, "%s: TREE must be a path like /tmp/x/tree\n", argv[0]);
		return 2;
	}
	mroot = xasprintf("/%s", slash + 1);
	if (slash == parent)
		slash[1] = '\0';
	else
		*slash = '\0';
	fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || (fs = ctrfs_from_dirfd(fd)) == NULL) {
		perror(parent);
		return 1;
	}
	close(fd);
	memset(&rule, 0, sizeof(rule));
	rule.name = (char *)"bench";
	rule.path = (char *)".";
	rule.max_age = strtoull(argv[2], NULL, 10) * 86400;
	rc = media_prune(fs, mroot, &rule, 1, strtoull(argv[3], NULL, 10) * 86400, time(NULL), argc == 5, NULL,
			 NULL, &r);
	printf("files %" PRIu64 " bytes %" PRIu64 " dirs %" PRIu64 " kept_young %" PRIu64 " skipped %" PRIu64
	       " errors %" PRIu64 "\n",
	       r.files, r.bytes, r.dirs, r.kept_young, r.skipped, r.n_errors);
	for (i = 0; i < r.errors.n; i++)
		fprintf(stderr, "%s\n", r.errors.v[i]);
	if (r.n_errors > 0)
		rc = -1;
	media_result_free(&r);
	ctrfs_close(fs);
	free(mroot);
	free(parent);
	return rc == 0 ? 0 : 1;
}
