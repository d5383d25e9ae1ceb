/* units: parsing and formatting of the quantities an operator writes in rotd.conf.
 * Pure functions; no I/O. */
#ifndef ROTD_UNITS_H
#define ROTD_UNITS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* A daily time-of-day window [start, end) in minutes after midnight. When
 * end <= start the window crosses midnight ("22:00-04:00"). */
struct time_window {
	unsigned start_min;
	unsigned end_min;
};

/* Parses a byte size: a decimal number with an optional unit K, M, G, T, each
 * optionally followed by "B" or "iB" ("20M", "15MB", "512KiB", "1g", "4096",
 * "4096B"); letters in either case. Units are powers of 1024. Returns 0 and sets
 * *bytes (0 included), or -1 on a malformed value or overflow. */
int units_parse_size(const char *s, uint64_t *bytes);

/* Parses a duration: a decimal number with one unit s, m, h, d or w, in either
 * case ("30d", "1h", "90s"); a bare number is seconds. Returns 0 and sets
 * *seconds, or -1 on a malformed value or overflow. */
int units_parse_duration(const char *s, uint64_t *seconds);

/* Parses "HH:MM-HH:MM" (24-hour clock, 00:00 to 23:59, hours may be one digit;
 * "24:00" allowed as an end).
 * start == end is rejected as ambiguous. Returns 0 and fills *w, or -1. */
int units_parse_window(const char *s, struct time_window *w);

/* Parses a percentage "85%" or "85", 0..100. Returns 0 and sets *pct, or -1. */
int units_parse_percent(const char *s, unsigned *pct);

/* Parses a listen address "ADDR:PORT": an IPv4 address ("127.0.0.1:9473") or a
 * bracketed IPv6 one ("[::1]:9473"), port 0..65535 (0: any free port). Returns 0
 * and sets *addr (a new string, without brackets) and *port, or -1. */
int units_parse_listen(const char *s, char **addr, unsigned *port);

/* Returns 1 when minute_of_day (0..1439) is inside w, else 0. */
int units_window_contains(const struct time_window *w, unsigned minute_of_day);

/* Formats bytes for humans ("20.0 MiB", "512 B") into buf, truncating to len;
 * returns buf. */
char *units_format_size(uint64_t bytes, char *buf, size_t len);

/* Formats a duration in the largest exact unit ("30d", "1h", "90s") into buf; returns buf. */
char *units_format_duration(uint64_t seconds, char *buf, size_t len);

/* Formats a duration for a glance, in its two largest units rounded down ("42s", "5m 3s",
 * "2h 3m", "3d 4h"; with pad the second figure has two digits: "5m 03s") into buf;
 * returns buf. */
char *units_format_span(uint64_t seconds, int pad, char *buf, size_t len);

/* Writes t as "2026-10-01 14:05 UTC" into buf (len bytes); returns buf. */
char *units_format_time(time_t t, char *buf, size_t len);

#endif
