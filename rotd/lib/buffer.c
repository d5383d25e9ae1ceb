#include "autoconf.h"

#include <string.h>

#include "lib/buffer.h"
#include "lib/xalloc.h"

int buffer_append(char **buf, size_t *len, size_t *cap, const char *data, size_t n, size_t max)
{
	if (n > max - *len)
		return -1;
	if (*len + n + 1 > *cap) {
		size_t grown = *cap > 0 ? *cap : 4096;

		while (grown < *len + n + 1)
			grown *= 2;
		*buf = xreallocarray(*buf, grown, 1);
		*cap = grown;
	}
	memcpy(*buf + *len, data, n);
	*len += n;
	(*buf)[*len] = '\0';
	return 0;
}
