/* compress_driver KIND LEVEL THREADS SRC DST [clock]: compresses all of SRC into
 * DST (created or truncated) with rotd's compress_range, the way a rotation pass
 * does, and prints "bytes_in bytes_out". "clock" dates the lines with lib/logtime's
 * built-in recognisers in UTC (as a policy without timestamp/timezone does).
 * For tests/bench/compress.sh. */
#include "autoconf.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/logtime.h"
#include "rotate/compress.h"

static int time_of(const void *ctx, const char *line, size_t len, int64_t *t_us)
{
	return logtime_parse(ctx, line, len, t_us);
}

int main(int argc, char **argv)
{
	struct compress_clock clock = { time_of, NULL };
	struct logtime_zone *zone = NULL;
	struct logtime_parser *parser = NULL;
	struct compress_result res;
	enum compress_kind kind;
	struct stat st;
	char *err = NULL;
	int src, dst;

	if (argc != 6 && !(argc == 7 && strcmp(argv[6], "clock") == 0)) {
		fprintf(stderr, "usage: %s gzip|zstd LEVEL THREADS SRC DST [clock]\n", argv[0]);
		return 2;
	}
	if (argc == 7) {
		zone = logtime_zone_load("UTC", &err);
		parser = zone != NULL ? logtime_parser_new(NULL, zone, (int64_t)time(NULL) * 1000000,
							   &err) : NULL;
		if (parser == NULL) {
			fprintf(stderr, "compress_driver: %s\n", err);
			return 1;
		}
		clock.ctx = parser;
	}
	kind = strcmp(argv[1], "zstd") == 0 ? COMPRESS_ZSTD : COMPRESS_GZIP;
	src = open(argv[4], O_RDONLY | O_CLOEXEC);
	dst = open(argv[5], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (src < 0 || dst < 0 || fstat(src, &st) < 0) {
		perror("compress_driver");
		return 1;
	}
	if (compress_range(src, (uint64_t)st.st_size, dst, kind, atoi(argv[2]), parser != NULL ? &clock : NULL,
			   (unsigned)atoi(argv[3]), &res, &err) < 0) {
		fprintf(stderr, "compress_driver: %s\n", err);
		free(err);
		return 1;
	}
	printf("%" PRIu64 " %" PRIu64 "\n", res.bytes_in, res.bytes_out);
	close(src);
	logtime_parser_free(parser);
	logtime_zone_free(zone);
	return close(dst) == 0 ? 0 : 1;
}
