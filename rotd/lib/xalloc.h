/* Allocation wrappers: they abort with a message on out-of-memory or size overflow,
 * so callers never test for NULL. */
#ifndef ROTD_XALLOC_H
#define ROTD_XALLOC_H

#include <stddef.h>

/* malloc(size); never returns NULL. */
void *xmalloc(size_t size);
/* calloc(n, size) with overflow check; zeroed; never returns NULL. */
void *xcalloc(size_t n, size_t size);
/* reallocarray(p, n, size) with overflow check; never returns NULL. */
void *xreallocarray(void *p, size_t n, size_t size);
/* strdup(s); never returns NULL. xstrdup(NULL) returns NULL. */
char *xstrdup(const char *s);
/* strndup(s, n); never returns NULL. */
char *xstrndup(const char *s, size_t n);
#include <stdarg.h>

/* vprintf into a new string; never returns NULL. */
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
/* printf into a new string; never returns NULL. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
