/* libFuzzer target: the member header parser and decoder (rotate/member.h).
 * The first byte picks the kind (even: gzip, odd: zstd), the rest is an archive.
 * member_parse must agree with member_next on the same bytes in a memfd, stay
 * within its contract, and member_decode of whatever parses must not misbehave. */
#include "autoconf.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "rotate/member.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int memfd = -1;

static void check(const struct member_info *m, uint64_t offset)
{
	if (m->offset != offset || m->input_size > MEMBER_MAX_INPUT || m->size == 0 ||
	    ((m->flags & MEMBER_HAS_TIME) && m->min_us > m->max_us) ||
	    (m->flags & ~(unsigned)(MEMBER_HAS_TIME | MEMBER_CONTINUES)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum compress_kind kind;
	struct member_info a, b;
	uint64_t at = 0;
	int r, n;
	char *out;

	if (size == 0)
		return 0;
	kind = data[0] & 1 ? COMPRESS_ZSTD : COMPRESS_GZIP;
	data++;
	size--;
	r = member_parse(data, size, kind, 0, &a);
	if (r < -1 || r > 1 || (r == 0 && size != 0))
		abort();
	if (r == 1)
		check(&a, 0);
	if (memfd < 0)
		memfd = memfd_create("fuzz_member", MFD_CLOEXEC);
	if (memfd < 0 || ftruncate(memfd, 0) < 0 ||
	    (size > 0 && pwrite(memfd, data, size, 0) != (ssize_t)size))
		abort();
	n = member_next(memfd, 0, kind, &b);
	/* member_next reads at most what member_parse needs: they agree. */
	if (n != r || (r == 1 && memcmp(&a, &b, sizeof(a)) != 0))
		abort();
	out = malloc(MEMBER_MAX_INPUT);
	if (out == NULL)
		abort();
	/* Hop and decode as a reader would; a bad member ends the walk. */
	for (int i = 0; i < 8 && member_next(memfd, at, kind, &b) == 1; i++) {
		check(&b, at);
		errno = 0;
		if (member_decode(memfd, &b, kind, out, MEMBER_MAX_INPUT) < 0 && errno == 0)
			abort();
		at += b.size;
	}
	free(out);
	return 0;
}
