/* compress_driver KIND LEVEL THREADS SRC DST: compresses all of SRC into DST
 * (created or truncated) with rotd's compress_range, the way a rotation pass
 * does, and prints "bytes_in bytes_out". For tests/bench/compress.sh. */
#include "autoconf.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rotate/compress.h"

int main(int argc, char **argv)
{
	struct compress_result res;
	enum compress_kind kind;
	struct stat st;
	char *err = NULL;
	int src, dst;

	if (argc != 6) {
		fprintf(stderr, "usage: %s gzip|zstd LEVEL THREADS SRC DST\n", argv[0]);
		return 2;
	}
	kind = strcmp(argv[1], "zstd") == 0 ? COMPRESS_ZSTD : COMPRESS_GZIP;
	src = open(argv[4], O_RDONLY | O_CLOEXEC);
	dst = open(argv[5], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (src < 0 || dst < 0 || fstat(src, &st) < 0) {
		perror("compress_driver");
		return 1;
	}
	if (compress_range(src, (uint64_t)st.st_size, dst, kind, atoi(argv[2]), NULL,
			   (unsigned)atoi(argv[3]), &res, &err) < 0) {
		fprintf(stderr, "compress_driver: %s\n", err);
		free(err);
		return 1;
	}
	printf("%" PRIu64 " %" PRIu64 "\n", res.bytes_in, res.bytes_out);
	close(src);
	return close(dst) == 0 ? 0 : 1;
}
