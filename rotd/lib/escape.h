/* escape: text from containers made safe to show. Names and paths come from
 * container filesystems and the Engine API, so they may hold control bytes
 * or invalid UTF-8 that would rewrite a terminal or break a log line. */
#ifndef ROTD_ESCAPE_H
#define ROTD_ESCAPE_H

#include <jansson.h>
#include <stddef.h>

/* A copy of s fit for a terminal: bytes outside printable ASCII become \xNN and
 * '\\' becomes "\\\\". New string. */
char *escape_text(const char *s);

/* The length of the UTF-8 sequence at s (1 to 4), or 0 when s does not start a
 * valid one. s must hold at least 4 bytes or a NUL before them. */
size_t utf8_len(const unsigned char *s);

/* A copy of s in which control characters (C0, DEL, C1) and bytes that are not
 * UTF-8 become \xNN, while valid UTF-8 stays as it is, so a message never
 * echoes control bytes raw. New string. */
char *escape_utf8_text(const char *s);

/* A JSON string for s (null for NULL). json_string() refuses invalid UTF-8,
 * which container names and paths need not be: such an s is stored as
 * escape_text(s). New reference. */
json_t *escape_json_string(const char *s);

#endif
