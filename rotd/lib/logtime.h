/* logtime: the time a log line was written, read from the line's own first bytes.
 *
 * Times are microseconds since the Unix epoch, UTC (int64_t). A parser holds
 * either the built-in recognisers or one strptime(3) format, plus the zone that
 * applies to times written without one. Parsers and zones are immutable once
 * made, so worker threads may share them: nothing here touches TZ, the process's
 * locale state or any global. */
#ifndef ROTD_LOGTIME_H
#define ROTD_LOGTIME_H

#include <stddef.h>
#include <stdint.h>

/* Bytes of a line a recogniser looks at: a timestamp must start within them. */
#define LOGTIME_SCAN_BYTES 64

/* Room for logtime_format_rfc3339's text, with its terminating NUL. */
#define LOGTIME_RFC3339_SIZE 40

struct logtime_zone;
struct logtime_parser;

/* Loads a zone: "UTC" or "" (UTC), a fixed offset ("+05:30", "-0800", "+05"), or an IANA
 * name read from its TZif file under TZDIR or /usr/share/zoneinfo
 * ("Europe/Berlin"). Returns a new zone, or NULL with *err set to a new one-line
 * message ("unknown time zone 'Mars/Base'"). */
struct logtime_zone *logtime_zone_load(const char *name, char **err);

/* Frees z; NULL is allowed. */
void logtime_zone_free(struct logtime_zone *z);

/* The UTC time of a wall-clock time in zone z: year (e.g. 2026), month 1..12, day
 * 1..31, hour, minute, second, microsecond. A wall time that a DST change skips
 * or repeats takes the offset in force just before the change. */
int64_t logtime_zone_to_utc(const struct logtime_zone *z, int year, int month, int day, int hour,
			    int minute, int second, int micro);

/* A parser. format NULL: the built-in recognisers, tried in this order on the
 * line's first LOGTIME_SCAN_BYTES bytes:
 *   ISO 8601 at the line's start: "2026-11-27 03:00:00", "2026-11-27T03:00:00.123456",
 *     with an optional fraction (any number of digits; microseconds kept) and an
 *     optional zone "Z", "+hh:mm", "+hhmm" or "+hh" (or " +hhmm", " +hh:mm" after
 *     a space, as Go and Java print them);
 *   the common log format anywhere in those bytes: "[27/Nov/2026:03:00:00 +0000]";
 *   syslog at the line's start: "Nov 27 03:00:00" (day may be space-padded).
 * format non-NULL: a strptime(3) format that must match at the line's start
 *   (%z is honoured when present; a fraction ".123" right after a format that
 *   ends in %S or %T is read too).
 * zone (copied; NULL means UTC) applies to times written without a zone.
 * reference_us dates year-less times (syslog, or a format without %Y): they take
 * the reference's year, or the year before when that would put them more than a
 * day after the reference (a December line read in January).
 * Returns a new parser, or NULL with *err set to a new one-line message when
 * format is empty, has no conversion, no date (a month and a day, or %j), or
 * uses %s (which strptime reads in the process's TZ). */
struct logtime_parser *logtime_parser_new(const char *format, const struct logtime_zone *zone,
					  int64_t reference_us, char **err);

/* Frees p; NULL is allowed. */
void logtime_parser_free(struct logtime_parser *p);

/* Reads the time line (len bytes, no newline needed, not NUL-terminated) starts
 * with. Returns 1 and sets *t_us, or 0 when the line carries no time that p
 * recognises (a continuation line). Never reads past line + len. Thread-safe. */
int logtime_parse(const struct logtime_parser *p, const char *line, size_t len, int64_t *t_us);

/* Parses a time given on rotd's command line, as journalctl reads them:
 *   "now"; relative "-30s", "-30m", "-2h", "-1d", "-1w" (before now_us), or "+N..." after it
 *   (the units may be spelt "sec", "min", "hours", "days", "weeks" too);
 *   "today", "yesterday", "tomorrow": local midnight;
 *   absolute "YYYY-MM-DD", "YYYY-MM-DD HH:MM", "YYYY-MM-DD HH:MM:SS[.frac]", with a
 *   'T' instead of the space too, and an optional zone (Z, +hh:mm) as in ISO 8601,
 *   or " UTC" after it.
 *   Without a zone an absolute time (and "today"...) is the host's local time: local,
 *   the host's zone as the caller loaded it once (logtime_zone_local), or NULL to
 *   have logtime_zone_local() read on this call.
 * Returns 0 and sets *t_us, or -1 with *err set to a new one-line message naming text. */
int logtime_parse_cli(const char *text, int64_t now_us, const struct logtime_zone *local,
		      int64_t *t_us, char **err);

/* The host's zone: TZ when set (a name, ":name", an absolute path or a POSIX rule
 * such as "CET-1CEST,M3.5.0,M10.5.0/3"), else /etc/localtime; UTC when neither
 * can be read. Never NULL. */
struct logtime_zone *logtime_zone_local(void);

/* Writes t_us as RFC 3339 in UTC, "2026-11-27T03:00:00.123456Z" (the fraction
 * only when t_us has one, as 6 digits) into buf, which has LOGTIME_RFC3339_SIZE
 * bytes. Returns buf. */
char *logtime_format_rfc3339(int64_t t_us, char *buf);

#endif
