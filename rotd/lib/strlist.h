/* strlist: a growable, owned array of strings. */
#ifndef ROTD_STRLIST_H
#define ROTD_STRLIST_H

#include <stddef.h>

struct strlist {
	char **v;      /* v[0..n-1] are owned strings; v[n] is NULL when n > 0 */
	size_t n;
	size_t cap;
};

#define STRLIST_INIT { NULL, 0, 0 }

/* Appends a copy of s. */
void strlist_add(struct strlist *l, const char *s);
/* Appends a printf-formatted string. */
void strlist_addf(struct strlist *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s and takes ownership of it. */
void strlist_take(struct strlist *l, char *s);
/* Returns 1 when some element equals s, else 0. */
int strlist_contains(const struct strlist *l, const char *s);
/* Deep-copies src into dst (dst must be empty). */
void strlist_copy(struct strlist *dst, const struct strlist *src);
/* Frees the elements and the array; leaves l empty and reusable. */
void strlist_free(struct strlist *l);

#endif
