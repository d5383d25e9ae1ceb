/* buffer: appending to a growable, NUL-terminated byte buffer with a size cap,
 * for HTTP answers read in callback chunks. */
#ifndef ROTD_BUFFER_H
#define ROTD_BUFFER_H

#include <stddef.h>

/* Appends n bytes of data to *buf (holding *len bytes in *cap, grown as needed
 * and always NUL-terminated) unless *len + n would exceed max. Returns 0, or -1
 * with nothing appended. */
int buffer_append(char **buf, size_t *len, size_t *cap, const char *data, size_t n, size_t max);

#endif
