/* Runs walk_path once on a host tree, for tests/bench/usage.sh.
 *
 * usage: usage_walk_driver TREE [CUTOFF_EPOCH [THREADS]]
 *
 * The parent of TREE stands in for a container root and the walk starts at
 * "/<basename of TREE>", opened through ctrfs as rotd opens a media root.
 * Prints one line: "bytes N files N old_bytes N dirs N too_deep N errors N
 * wall_ms N maxrss_kib N"; exits 1 when the walk failed or met errors. */
#include "autoconf.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "lib/xalloc.h"
#include "usage/walk.h"

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
	struct walk_options opt = { 0, 0, 0, NULL, NULL };
	struct walk_result r;
	struct rusage ru;
	struct ctrfs *fs;
	char *parent, *slash, *root;
	long long t0, t1;
	int fd, rc;

	if (argc < 2 || argc > 4) {
		fprintf(stderr, "usage: %s TREE [CUTOFF_EPOCH [THREADS]]\n", argv[0]);
		return 2;
	}
	if (argc >= 3)
		opt.cutoff = (time_t)strtoll(argv[2], NULL, 10);
	if (argc == 4)
		opt.threads = (unsigned)strtoul(argv[3], NULL, 10);
	parent = xstrdup(argv[1]);
	slash = strrchr(parent, '/');
	if (slash == NULL || slash[1] == '\0') {
		fprintf(stderr, "%s: TREE must be a path like /tmp/x/tree\n", argv[0]);
		return 2;
	}
	root = xasprintf("/%s", slash + 1);
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
	t0 = now_ms();
	rc = walk_path(fs, root, &opt, &r);
	t1 = now_ms();
	if (rc < 0) {
		perror(argv[1]);
		return 1;
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("bytes %" PRIu64 " files %" PRIu64 " old_bytes %" PRIu64 " dirs %" PRIu64 " too_deep %" PRIu64
	       " errors %" PRIu64 " wall_ms %lld maxrss_kib %ld\n", r.bytes, r.files, r.old_bytes, r.dirs, r.too_deep,
	       r.errors, t1 - t0, ru.ru_maxrss);
	if (r.error != NULL)
		fprintf(stderr, "first error: %s\n", r.error);
	rc = r.errors > 0;
	walk_result_free(&r);
	ctrfs_close(fs);
	free(root);
	free(parent);
	return rc;
}
