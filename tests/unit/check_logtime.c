/* lib/logtime: the recognisers, strptime formats, zones, command-line times and
 * RFC 3339 output. Every expected time was computed apart from the code under
 * test, with `date -u -d '...' +%s` (and zdump for the DST changes). */
#include "autoconf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/logtime.h"
#include "unit.h"

#define S 1000000LL
#define NOV27 1795748400LL      /* 2026-11-27 03:00:00Z, the usual reference */
#define JAN2 1798884000LL       /* 2027-01-02 10:00:00Z */
#define JAN10_2029 1862697600LL /* 2029-01-10 00:00:00Z */

/* ROTD_TEST_QUICK=1 (e.g. under valgrind) shortens the benchmark. */
static int quick(void)
{
	const char *q = getenv("ROTD_TEST_QUICK");

	return q != NULL && q[0] != '\0' && strcmp(q, "0") != 0;
}

static struct logtime_zone *zone(const char *name)
{
	char *err = NULL;
	struct logtime_zone *z = logtime_zone_load(name, &err);

	ck_assert_msg(z != NULL, "zone '%s': %s", name, err ? err : "?");
	return z;
}

struct line_case {
	const char *line;
	const char *format;     /* NULL: the built-in recognisers */
	const char *zone;       /* NULL: UTC */
	int64_t ref_s;
	int ok;
	int64_t expect_us;
};

/* Parses c->line from a heap copy of exactly its bytes, so that a read past len
 * shows under valgrind and ASan. */
static void check_line(const struct line_case *c)
{
	struct logtime_zone *z = c->zone ? zone(c->zone) : NULL;
	char *err = NULL;
	struct logtime_parser *p = logtime_parser_new(c->format, z, c->ref_s * S, &err);
	size_t len = strlen(c->line);
	char *copy = malloc(len ? len : 1);
	int64_t t = 12345;
	int ok;

	ck_assert_msg(p != NULL, "format '%s': %s", c->format, err ? err : "?");
	memcpy(copy, c->line, len);
	ok = logtime_parse(p, copy, len, &t);
	ck_assert_msg(ok == c->ok, "'%s' (format %s, zone %s): got %d, want %d", c->line,
		      c->format ? c->format : "built-in", c->zone ? c->zone : "UTC", ok, c->ok);
	if (ok)
		ck_assert_msg(t == c->expect_us, "'%s' (zone %s): got %lld, want %lld", c->line,
			      c->zone ? c->zone : "UTC", (long long)t, (long long)c->expect_us);
	else
		ck_assert_msg(t == 12345, "'%s' changed *t_us without a time", c->line);
	free(copy);
	logtime_parser_free(p);
	logtime_zone_free(z);
}

static void check_lines(const struct line_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++)
		check_line(&cases[i]);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

START_TEST(test_iso)
{
	static const struct line_case cases[] = {
		{ "2026-11-27 03:00:00.123 [ERROR] core: db timeout", NULL, NULL, NOV27, 1, NOV27 * S + 123000 },
		{ "2026-11-27T03:00:00+00:00 ready", NULL, NULL, NOV27, 1, NOV27 * S },
		{ "2026-11-27 03:00:00", NULL, NULL, NOV27, 1, NOV27 * S },
		{ "2026-11-27T03:00:00Z", NULL, NULL, NOV27, 1, NOV27 * S },
		{ "2026-11-27T03:00:00+05:30 x", NULL, NULL, NOV27, 1, 1795728600LL * S },
		{ "2026-11-27T03:00:00+0530 x", NULL, NULL, NOV27, 1, 1795728600LL * S },
		{ "2026-11-27T03:00:00-08 x", NULL, NULL, NOV27, 1, 1795777200LL * S },
		{ "2026-11-27T03:00:00.5-08:00", NULL, NULL, NOV27, 1, 1795777200LL * S + 500000 },
		{ "2026-11-27 03:00:00,250 - app - INFO", NULL, NULL, NOV27, 1, NOV27 * S + 250000 },
		/* a zone after a space: +hhmm or +hh:mm, not +hh alone */
		{ "2026-11-27 03:00:00.5 -0800 PST m=+0.1", NULL, NULL, NOV27, 1, 1795777200LL * S + 500000 },
		{ "2026-11-27 03:00:00 +05:30 x", NULL, "Europe/Berlin", NOV27, 1, 1795728600LL * S },
		{ "2026-11-27 03:00:00 -08 x", NULL, "+01:00", NOV27, 1, 1795744800LL * S },
		{ "2026-11-27 03:00:00 -123456 x", NULL, "+01:00", NOV27, 1, 1795744800LL * S },
		{ "2026-11-27 03:00:00 +24:00", NULL, NULL, NOV27, 1, NOV27 * S },
		{ "2026-11-27 03:00:00 +", NULL, NULL, NOV27, 1, NOV27 * S },
		/* fractions of 1..9 digits; microseconds kept, the rest dropped */
		{ "2026-11-27 03:00:00.1", NULL, NULL, NOV27, 1, NOV27 * S + 100000 },
		{ "2026-11-27 03:00:00.12", NULL, NULL, NOV27, 1, NOV27 * S + 120000 },
		{ "2026-11-27 03:00:00.123", NULL, NULL, NOV27, 1, NOV27 * S + 123000 },
		{ "2026-11-27 03:00:00.1234", NULL, NULL, NOV27, 1, NOV27 * S + 123400 },
		{ "2026-11-27 03:00:00.12345", NULL, NULL, NOV27, 1, NOV27 * S + 123450 },
		{ "2026-11-27 03:00:00.123456", NULL, NULL, NOV27, 1, NOV27 * S + 123456 },
		{ "2026-11-27 03:00:00.1234567", NULL, NULL, NOV27, 1, NOV27 * S + 123456 },
		{ "2026-11-27 03:00:00.12345678", NULL, NULL, NOV27, 1, NOV27 * S + 123456 },
		{ "2026-11-27 03:00:00.123456789Z", NULL, NULL, NOV27, 1, NOV27 * S + 123456 },
		{ "2026-11-27 03:00:00. x", NULL, NULL, NOV27, 1, NOV27 * S },
		/* a time without a zone is in the parser's zone */
		{ "2026-11-27 03:00:00 x", NULL, "+01:00", NOV27, 1, 1795744800LL * S },
		{ "2026-11-27 03:00:00Z x", NULL, "+01:00", NOV27, 1, NOV27 * S },
		{ "2026-07-01 12:00:00 x", NULL, "Europe/Berlin", NOV27, 1, 1782900000LL * S },
		{ "2026-01-15 12:00:00 x", NULL, "Europe/Berlin", NOV27, 1, 1768474800LL * S },
		/* edges of the calendar */
		{ "2028-02-29 12:00:00", NULL, NULL, NOV27, 1, 1835438400LL * S },
		{ "1970-01-01 00:00:00", NULL, NULL, NOV27, 1, 0 },
		{ "1969-12-31 23:59:59", NULL, NULL, NOV27, 1, -1 * S },
		{ "9999-12-31 23:59:59", NULL, NULL, NOV27, 1, 253402300799LL * S },
		{ "2026-12-31 23:59:60", NULL, NULL, NOV27, 1, (1798761599LL + 1) * S },
		{ "2027-02-29 12:00:00", NULL, NULL, NOV27, 0, 0 },
		{ "2100-02-29 12:00:00", NULL, NULL, NOV27, 0, 0 },
		{ "2026-04-31 12:00:00", NULL, NULL, NOV27, 0, 0 },
		{ "2026-13-01 12:00:00", NULL, NULL, NOV27, 0, 0 },
		{ "2026-00-10 12:00:00", NULL, NULL, NOV27, 0, 0 },
		{ "2026-11-00 12:00:00", NULL, NULL, NOV27, 0, 0 },
		{ "2026-11-27 24:00:00", NULL, NULL, NOV27, 0, 0 },
		{ "2026-11-27 03:60:00", NULL, NULL, NOV27, 0, 0 },
		{ "2026-11-27 03:00:61", NULL, NULL, NOV27, 0, 0 },
		{ "2026-11-27T03:00:00+24:00", NULL, NULL, NOV27, 0, 0 },
		{ "2026-11-27T03:00:00+1", NULL, NULL, NOV27, 0, 0 },
		/* not ISO enough, or cut short by len */
		{ "2026-11-27 03:00", NULL, NULL, NOV27, 0, 0 },
		{ "2026-11-27", NULL, NULL, NOV27, 0, 0 },
		{ "2026-11-27 03:00:0", NULL, NULL, NOV27, 0, 0 },
		{ "2026/11/27 03:00:00", NULL, NULL, NOV27, 0, 0 },
		{ "2026-11-27x03:00:00", NULL, NULL, NOV27, 0, 0 },
		{ " 2026-11-27 03:00:00", NULL, NULL, NOV27, 0, 0 },
		/* continuation lines */
		{ "\tat com.whatsapp.Foo.bar(Foo.java:42)", NULL, NULL, NOV27, 0, 0 },
		{ "Caused by: java.io.IOException: broken pipe", NULL, NULL, NOV27, 0, 0 },
		{ "", NULL, NULL, NOV27, 0, 0 },
		{ "   ", NULL, NULL, NOV27, 0, 0 },
		{ "12345", NULL, NULL, NOV27, 0, 0 },
	};

	check_lines(cases, N(cases));
}
END_TEST

START_TEST(test_clf)
{
	static const struct line_case cases[] = {
		{ "127.0.0.1 - - [27/Nov/2026:03:00:00 +0000] \"GET /v1/health HTTP/1.1\" 200 2", NULL, NULL,
		  NOV27, 1, NOV27 * S },
		{ "[27/Nov/2026:03:00:00 +0000]", NULL, NULL, NOV27, 1, NOV27 * S },
		{ "10.0.0.7 - alice [27/Nov/2026:04:00:00 +0100] \"POST /v1/messages\"", NULL, NULL, NOV27, 1,
		  NOV27 * S },
		{ "h - - [27/Nov/2026:03:00:00 -0800] x", NULL, NULL, NOV27, 1, 1795777200LL * S },
		{ "h - - [27/nov/2026:03:00:00 +0000] x", NULL, NULL, NOV27, 1, NOV27 * S },
		/* without a zone: the parser's */
		{ "h [27/Nov/2026:03:00:00] x", NULL, "+01:00", NOV27, 1, 1795744800LL * S },
		/* a first '[' that is not a time does not hide a later one */
		{ "[pid 7] [27/Nov/2026:03:00:00 +0000] x", NULL, NULL, NOV27, 1, NOV27 * S },
		/* the '[' at byte 63 is found, at byte 64 it is not */
		{ "...............................................................[27/Nov/2026:03:00:00 +0000]",
		  NULL, NULL, NOV27, 1, NOV27 * S },
		{ "................................................................[27/Nov/2026:03:00:00 +0000]",
		  NULL, NULL, NOV27, 0, 0 },
		{ "h [29/Feb/2028:12:00:00 +0000] x", NULL, NULL, NOV27, 1, 1835438400LL * S },
		{ "h [29/Feb/2027:12:00:00 +0000] x", NULL, NULL, NOV27, 0, 0 },
		{ "h [27/Nov/2026:25:00:00 +0000] x", NULL, NULL, NOV27, 0, 0 },
		{ "h [27/Xyz/2026:03:00:00 +0000] x", NULL, NULL, NOV27, 0, 0 },
		{ "h [27/Nov/2026:03:00:00 +00] x", NULL, NULL, NOV27, 0, 0 },
		{ "h [27/Nov/2026:03:00:00 +0000", NULL, NULL, NOV27, 0, 0 },
		{ "h [27/Nov/2026:03:00", NULL, NULL, NOV27, 0, 0 },
		{ "h [", NULL, NULL, NOV27, 0, 0 },
	};

	check_lines(cases, N(cases));
}
END_TEST

START_TEST(test_syslog)
{
	static const struct line_case cases[] = {
		{ "Nov 27 03:00:00 host prog[1]: started", NULL, NULL, NOV27, 1, NOV27 * S },
		{ "Nov 20 03:00:00 host prog[1]: x", NULL, NULL, NOV27, 1, 1795143600LL * S },
		{ "Nov  7 03:00:00 host prog[1]: x", NULL, NULL, NOV27, 1, (1795143600LL - 13 * 86400) * S },
		{ "Nov 07 03:00:00 host prog[1]: x", NULL, NULL, NOV27, 1, (1795143600LL - 13 * 86400) * S },
		{ "Nov 27 03:00:00.123456 host x", NULL, NULL, NOV27, 1, NOV27 * S + 123456 },
		{ "Nov 27 04:00:00 host x", NULL, "Europe/Berlin", NOV27, 1, NOV27 * S },
		/* the year rolls back for a December line read in January... */
		{ "Dec 31 23:59:59 host x", NULL, NULL, JAN2, 1, 1798761599LL * S },
		{ "Jan  2 10:00:00 host x", NULL, NULL, JAN2, 1, JAN2 * S },
		/* ...but not for a line up to a day ahead of the reference (clock skew) */
		{ "Jan  3 09:00:00 host x", NULL, NULL, JAN2, 1, 1798966800LL * S },
		{ "Jan  3 11:00:00 host x", NULL, NULL, JAN2, 1, 1767438000LL * S },
		/* Feb 29 read in a year without one is from the last leap year's */
		{ "Feb 29 12:00:00 host x", NULL, NULL, JAN10_2029, 1, 1835438400LL * S },
		{ "Feb 29 12:00:00 host x", NULL, NULL, NOV27, 0, 0 },
		{ "Nov 31 03:00:00 host x", NULL, NULL, NOV27, 0, 0 },
		{ "Nov 27 03:00:000 host x", NULL, NULL, NOV27, 0, 0 },
		{ "Nov 27 3:00:00 host x", NULL, NULL, NOV27, 0, 0 },
		{ "Foo 27 03:00:00 host x", NULL, NULL, NOV27, 0, 0 },
		{ "Nov 27 03:00:0", NULL, NULL, NOV27, 0, 0 },
		{ "November 27 03:00:00", NULL, NULL, NOV27, 0, 0 },
	};

	check_lines(cases, N(cases));
}
END_TEST

START_TEST(test_strptime_formats)
{
	static const struct line_case cases[] = {
		{ "27/Nov/2026:03:00:00 +0100 GET /", "%d/%b/%Y:%H:%M:%S %z", NULL, NOV27, 1, 1795744800LL * S },
		{ "27/Nov/2026:03:00:00 -08:00 GET /", "%d/%b/%Y:%H:%M:%S %z", "Europe/Berlin", NOV27, 1,
		  1795777200LL * S },
		{ "2026-07-01 12:00:00 x", "%Y-%m-%d %H:%M:%S", "Europe/Berlin", NOV27, 1, 1782900000LL * S },
		{ "2026-11-27 03:00:00.250 x", "%Y-%m-%d %H:%M:%S", NULL, NOV27, 1, NOV27 * S + 250000 },
		{ "11/27/26 03:00:00 x", "%D %T", NULL, NOV27, 1, NOV27 * S },
		/* without %Y: the reference's year, or the one before */
		{ "Dec 31 23:59:59 x", "%b %d %H:%M:%S", NULL, JAN2, 1, 1798761599LL * S },
		{ "Nov 27 03:00:00 x", "%b %d %H:%M:%S", NULL, NOV27, 1, NOV27 * S },
		{ "27.11. 03:00 x", "%d.%m. %H:%M", NULL, NOV27, 1, NOV27 * S },
		{ "31.02.2026 03:00 x", "%d.%m.%Y %H:%M", NULL, NOV27, 0, 0 },
		{ "2026-11-27 03:00:00 x", "%d/%b/%Y:%H:%M:%S %z", NULL, NOV27, 0, 0 },
		{ "27/Nov/2026:03:00:00 GET /", "%d/%b/%Y:%H:%M:%S %z", NULL, NOV27, 0, 0 },
		{ "\tat foo", "%Y-%m-%d %H:%M:%S", NULL, NOV27, 0, 0 },
		{ "", "%Y-%m-%d %H:%M:%S", NULL, NOV27, 0, 0 },
	};

	check_lines(cases, N(cases));
}
END_TEST

START_TEST(test_strptime_line_not_terminated)
{
	/* strptime needs a NUL: the parser must stop at len, not at the byte after */
	char *err = NULL;
	struct logtime_parser *p = logtime_parser_new("%Y-%m-%d %H:%M:%S", NULL, NOV27 * S, &err);
	const char text[] = "2026-11-27 03:00:009";
	int64_t t = 0;

	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(logtime_parse(p, text, 19, &t), 1);
	ck_assert_int_eq(t, NOV27 * S);
	ck_assert_int_eq(logtime_parse(p, text, 18, &t), 1);  /* "...03:00:0" is 0 seconds */
	ck_assert_int_eq(logtime_parse(p, text, 16, &t), 0);
	logtime_parser_free(p);
}
END_TEST

static void check_bad_format(const char *format, const char *want)
{
	char *err = NULL;
	struct logtime_parser *p = logtime_parser_new(format, NULL, 0, &err);

	ck_assert_msg(p == NULL, "format '%s' should be refused", format);
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(strstr(err, want) != NULL, "format '%s': '%s' lacks '%s'", format, err, want);
	ck_assert_ptr_null(strchr(err, '\n'));
	free(err);
}

START_TEST(test_bad_formats)
{
	check_bad_format("", "empty timestamp format");
	check_bad_format("hello", "timestamp format 'hello' has no % conversion");
	check_bad_format("%%", "has no % conversion");
	check_bad_format("%H:%M:%S", "has no date");
	check_bad_format("%d %H:%M", "has no date");
	check_bad_format("%Y-%m-%d %", "lone '%'");
	check_bad_format("%s", "uses %s (seconds since the epoch), which is not supported");
	check_bad_format("%H\n", "timestamp format '%H\\x0a' has no date");
}
END_TEST

/* Zone conversions, against zdump's transitions for 2026. */
START_TEST(test_zone_dst)
{
	struct logtime_zone *berlin = zone("Europe/Berlin"), *sydney = zone("Australia/Sydney");

	ck_assert_int_eq(logtime_zone_to_utc(berlin, 2026, 1, 15, 12, 0, 0, 0), 1768474800LL * S);
	ck_assert_int_eq(logtime_zone_to_utc(berlin, 2026, 7, 1, 12, 0, 0, 7), 1782900000LL * S + 7);
	/* the last second before the spring change, and the first after */
	ck_assert_int_eq(logtime_zone_to_utc(berlin, 2026, 3, 29, 1, 59, 59, 0), 1774745999LL * S);
	ck_assert_int_eq(logtime_zone_to_utc(berlin, 2026, 3, 29, 3, 0, 0, 0), 1774746000LL * S);
	/* the gap: 02:30 does not exist; it takes CET, the offset before the change */
	ck_assert_int_eq(logtime_zone_to_utc(berlin, 2026, 3, 29, 2, 30, 0, 0), 1774747800LL * S);
	/* the overlap: 02:30 happens twice; CEST, the offset before the change */
	ck_assert_int_eq(logtime_zone_to_utc(berlin, 2026, 10, 25, 2, 30, 0, 0), 1792888200LL * S);
	ck_assert_int_eq(logtime_zone_to_utc(berlin, 2026, 10, 25, 3, 0, 0, 0), 1792893600LL * S);
	/* after the file's last transition (2037): the POSIX footer's rule */
	ck_assert_int_eq(logtime_zone_to_utc(berlin, 2038, 7, 1, 12, 0, 0, 0), 2161591200LL * S);
	ck_assert_int_eq(logtime_zone_to_utc(berlin, 2100, 7, 1, 12, 0, 0, 0), 4118119200LL * S);
	/* southern hemisphere: summer in January */
	ck_assert_int_eq(logtime_zone_to_utc(sydney, 2026, 1, 15, 12, 0, 0, 0), 1768438800LL * S);
	ck_assert_int_eq(logtime_zone_to_utc(sydney, 2026, 7, 15, 12, 0, 0, 0), 1784080800LL * S);
	/* April overlap: 02:30 AEDT first; October gap: 02:30 takes AEST */
	ck_assert_int_eq(logtime_zone_to_utc(sydney, 2026, 4, 5, 2, 30, 0, 0), 1775316600LL * S);
	ck_assert_int_eq(logtime_zone_to_utc(sydney, 2026, 10, 4, 2, 30, 0, 0), 1791045000LL * S);
	logtime_zone_free(berlin);
	logtime_zone_free(sydney);
}
END_TEST

START_TEST(test_zone_fixed)
{
	static const struct {
		const char *name;
		int64_t expect;           /* 2026-11-27 03:00:00 in that zone */
	} cases[] = {
		{ "UTC", NOV27 }, { "", NOV27 }, { "utc", NOV27 }, { "Etc/UTC", NOV27 },
		{ "+05:30", 1795728600LL }, { "+0530", 1795728600LL }, { "-0800", 1795777200LL },
		{ "-08", 1795777200LL }, { "+01:00", 1795744800LL },
	};

	for (size_t i = 0; i < N(cases); i++) {
		struct logtime_zone *z = zone(cases[i].name);

		ck_assert_msg(logtime_zone_to_utc(z, 2026, 11, 27, 3, 0, 0, 0) == cases[i].expect * S, "zone '%s'",
			      cases[i].name);
		logtime_zone_free(z);
	}
	ck_assert_int_eq(logtime_zone_to_utc(NULL, 2026, 11, 27, 3, 0, 0, 0), NOV27 * S);
}
END_TEST

static void check_bad_zone(const char *name, const char *want)
{
	char *err = NULL;
	struct logtime_zone *z = logtime_zone_load(name, &err);

	ck_assert_msg(z == NULL, "zone '%s' should be refused", name);
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(strstr(err, want) != NULL, "zone '%s': '%s' lacks '%s'", name, err, want);
	ck_assert_ptr_null(strchr(err, '\n'));
	free(err);
}

START_TEST(test_zone_bad_names)
{
	check_bad_zone("Mars/Base", "unknown time zone 'Mars/Base'");
	check_bad_zone("../../../etc/passwd", "invalid time zone name '../../../etc/passwd'");
	check_bad_zone("Europe/../../etc/passwd", "invalid time zone name");
	check_bad_zone("/etc/passwd", "invalid time zone name '/etc/passwd'");
	check_bad_zone("Europe/Ber lin", "invalid time zone name");
	check_bad_zone("+25:00", "invalid time zone offset '+25:00'");
	check_bad_zone("+05:3", "invalid time zone offset");
	check_bad_zone("-", "invalid time zone offset");
	check_bad_zone("Europe", "unknown time zone 'Europe'");   /* a folder */
	check_bad_zone("Europe/Berlin\n", "invalid time zone name 'Europe/Berlin\\x0a'");
	check_bad_zone("+01:00\n", "invalid time zone offset '+01:00\\x0a'");
}
END_TEST

/* Writes len bytes to dir/name. */
static void write_file(const char *dir, const char *name, const void *data, size_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

static void remove_file(const char *dir, const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_int_eq(unlink(path), 0);
}

/* TZDIR is honoured; a v1-only TZif file is read; a file that is not TZif, or
 * is cut short, is refused. */
START_TEST(test_zone_tzdir_v1_and_garbage)
{
	/* v1: one transition at 1000000000 (2001-09-09 01:46:40Z) from UTC to +02:00 */
	static const unsigned char v1[] = {
		'T', 'Z', 'i', 'f', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 4,
		0x3b, 0x9a, 0xca, 0x00, 1,
		0, 0, 0, 0, 0, 0,  0, 0, 0x1c, 0x20, 0, 0,
		'U', 'T', 'C', 0,
	};
	char dir[] = "/tmp/rotd-tzdir.XXXXXX";
	const char *old = getenv("TZDIR");
	char *saved = old ? strdup(old) : NULL;
	struct logtime_zone *z;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	write_file(dir, "Test_V1", v1, sizeof(v1));
	write_file(dir, "Short", v1, sizeof(v1) - 5);
	write_file(dir, "Text", "not a zone\n", 11);
	setenv("TZDIR", dir, 1);
	z = zone("Test_V1");
	ck_assert_int_eq(logtime_zone_to_utc(z, 2000, 1, 1, 0, 0, 0, 0), 946684800LL * S);
	ck_assert_int_eq(logtime_zone_to_utc(z, 2002, 1, 1, 0, 0, 0, 0), (1009843200LL - 7200) * S);
	logtime_zone_free(z);
	check_bad_zone("Short", "unknown time zone 'Short' (");
	check_bad_zone("Text", "is not a TZif file");
	check_bad_zone("Europe/Berlin", "unknown time zone 'Europe/Berlin'");
	if (saved) {
		setenv("TZDIR", saved, 1);
		free(saved);
	} else {
		unsetenv("TZDIR");
	}
	remove_file(dir, "Test_V1");
	remove_file(dir, "Short");
	remove_file(dir, "Text");
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/* logtime_zone_local reads TZ (":name", a name, a POSIX rule), else /etc/localtime. */
START_TEST(test_zone_local)
{
	const char *old = getenv("TZ");
	char *saved = old ? strdup(old) : NULL;
	static const struct {
		const char *tz;
		int64_t expect;           /* 2026-07-01 12:00:00 local */
	} cases[] = {
		{ "Europe/Berlin", 1782900000LL }, { ":Europe/Berlin", 1782900000LL },
		{ "CET-1CEST,M3.5.0,M10.5.0/3", 1782900000LL }, { "UTC", 1782907200LL },
		{ "", 1782907200LL }, { "Nowhere/Atall", 1782907200LL },
		{ "AEST-10AEDT,M10.1.0,M4.1.0/3", 1782871200LL },
	};

	for (size_t i = 0; i < N(cases); i++) {
		struct logtime_zone *z;

		setenv("TZ", cases[i].tz, 1);
		z = logtime_zone_local();
		ck_assert_ptr_nonnull(z);
		ck_assert_msg(logtime_zone_to_utc(z, 2026, 7, 1, 12, 0, 0, 0) == cases[i].expect * S, "TZ='%s'",
			      cases[i].tz);
		logtime_zone_free(z);
	}
	/* the POSIX rule's gap, as the TZif file has it */
	setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3", 1);
	{
		struct logtime_zone *z = logtime_zone_local();

		ck_assert_int_eq(logtime_zone_to_utc(z, 2026, 3, 29, 2, 30, 0, 0), 1774747800LL * S);
		ck_assert_int_eq(logtime_zone_to_utc(z, 2026, 10, 25, 2, 30, 0, 0), 1792888200LL * S);
		logtime_zone_free(z);
	}
	unsetenv("TZ");
	logtime_zone_free(logtime_zone_local());
	if (saved) {
		setenv("TZ", saved, 1);
		free(saved);
	}
}
END_TEST

/* The parser keeps its own copy of the zone. */
START_TEST(test_parser_copies_zone)
{
	struct logtime_zone *z = zone("Europe/Berlin");
	char *err = NULL;
	struct logtime_parser *p = logtime_parser_new(NULL, z, NOV27 * S, &err);
	int64_t t = 0;

	logtime_zone_free(z);
	ck_assert_int_eq(logtime_parse(p, "2026-07-01 12:00:00", 19, &t), 1);
	ck_assert_int_eq(t, 1782900000LL * S);
	logtime_parser_free(p);
	logtime_parser_free(NULL);
	logtime_zone_free(NULL);
}
END_TEST

struct cli_case {
	const char *text;
	int64_t expect_s;
	int micro;
};

START_TEST(test_cli)
{
	static const struct cli_case cases[] = {
		{ "now", NOV27, 0 },
		{ "-30m", NOV27 - 1800, 0 }, { "-2h", NOV27 - 7200, 0 }, { "-1d", NOV27 - 86400, 0 },
		{ "-90s", NOV27 - 90, 0 }, { "-1w", NOV27 - 604800, 0 }, { "+5m", NOV27 + 300, 0 },
		{ "-30min", NOV27 - 1800, 0 }, { "-2hours", NOV27 - 7200, 0 }, { "-0s", NOV27, 0 },
		/* absolute, in the local zone (Europe/Berlin here) unless a zone is given */
		{ "2026-11-27", 1795734000LL, 0 },
		{ "2026-11-27 03:00", 1795744800LL, 0 },
		{ "2026-11-27 03:00:00", 1795744800LL, 0 },
		{ "2026-11-27T03:00:00", 1795744800LL, 0 },
		{ "2026-11-27 03:00:00.5", 1795744800LL, 500000 },
		{ "2026-07-01 12:00", 1782900000LL, 0 },
		{ "2026-11-27T03:00:00Z", NOV27, 0 },
		{ "2026-11-27 03:00Z", NOV27, 0 },
		{ "2026-11-27 03:00:00 UTC", NOV27, 0 },
		{ "2026-11-27 03:00:00 +0100", 1795744800LL, 0 },
		{ "2026-11-27T03:00:00+05:30", 1795728600LL, 0 },
		{ "2026-11-27T03:00:00-0800", 1795777200LL, 0 },
		/* 03:00Z is 04:00 in Berlin: today began at 00:00 +01:00 */
		{ "today", 1795734000LL, 0 },
		{ "yesterday", 1795647600LL, 0 },
		{ "tomorrow", 1795734000LL + 86400, 0 },
	};
	struct logtime_zone *berlin = zone("Europe/Berlin");

	for (size_t i = 0; i < N(cases); i++) {
		int64_t t = 0;
		char *err = NULL;

		ck_assert_msg(logtime_parse_cli(cases[i].text, NOV27 * S, berlin, &t, &err) == 0, "'%s': %s",
			      cases[i].text, err ? err : "?");
		ck_assert_msg(t == cases[i].expect_s * S + cases[i].micro, "'%s': got %lld, want %lld",
			      cases[i].text, (long long)t, (long long)(cases[i].expect_s * S + cases[i].micro));
	}
	logtime_zone_free(berlin);
}
END_TEST

static void check_bad_cli(const char *text, const char *want)
{
	char *err = NULL;
	int64_t t = 7;

	ck_assert_msg(logtime_parse_cli(text, NOV27 * S, NULL, &t, &err) == -1, "'%s' should be refused", text);
	ck_assert_int_eq(t, 7);
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(strstr(err, want) != NULL, "'%s': '%s' lacks '%s'", text, err, want);
	ck_assert_ptr_null(strchr(err, '\n'));
	free(err);
}

START_TEST(test_cli_errors)
{
	check_bad_cli("yesterdayish", "invalid time 'yesterdayish' (expected now,");
	check_bad_cli("", "invalid time ''");
	check_bad_cli("-30", "invalid time '-30'");
	check_bad_cli("-30x", "invalid time '-30x'");
	check_bad_cli("-m", "invalid time '-m'");
	check_bad_cli("30m", "invalid time '30m'");
	check_bad_cli("2026-13-01", "invalid time '2026-13-01'");
	check_bad_cli("2026-02-29", "invalid time");
	check_bad_cli("2026-11-27 25:00", "invalid time");
	check_bad_cli("2026-11-27 03:00:00 junk", "invalid time");
	check_bad_cli("2026-11-27T03:00:00+25:00", "invalid time");
	check_bad_cli("NOW", "invalid time 'NOW'");
	check_bad_cli("-99999999999999999999w", "time '-99999999999999999999w' is out of range");
	check_bad_cli("+9999999999999999w", "is out of range");
	/* control bytes in the text are shown escaped: the message stays one line */
	check_bad_cli("-30m\n\x1b[2J", "invalid time '-30m\\x0a\\x1b[2J' (expected");
}
END_TEST

START_TEST(test_rfc3339)
{
	static const struct {
		int64_t t_us;
		const char *text;
	} cases[] = {
		{ NOV27 * S, "2026-11-27T03:00:00Z" },
		{ NOV27 * S + 123000, "2026-11-27T03:00:00.123000Z" },
		{ NOV27 * S + 1, "2026-11-27T03:00:00.000001Z" },
		{ 0, "1970-01-01T00:00:00Z" },
		{ -1, "1969-12-31T23:59:59.999999Z" },
		{ -1 * S, "1969-12-31T23:59:59Z" },
		{ 1835438400LL * S, "2028-02-29T12:00:00Z" },
		{ 253402300799LL * S, "9999-12-31T23:59:59Z" },
	};
	char buf[LOGTIME_RFC3339_SIZE];

	for (size_t i = 0; i < N(cases); i++) {
		ck_assert_ptr_eq(logtime_format_rfc3339(cases[i].t_us, buf), buf);
		ck_assert_str_eq(buf, cases[i].text);
	}
	/* the far ends of int64_t still fit the buffer */
	logtime_format_rfc3339(INT64_MAX, buf);
	ck_assert_uint_lt(strlen(buf), LOGTIME_RFC3339_SIZE);
	logtime_format_rfc3339(INT64_MIN, buf);
	ck_assert_uint_lt(strlen(buf), LOGTIME_RFC3339_SIZE);
}
END_TEST

/* ns a line of logtime_parse with p over lines[0..n), each rounds times; the
 * first timed of them carry a time. */
static double ns_per_line(const struct logtime_parser *p, const char *const *lines, int n, int timed,
			  long rounds)
{
	size_t len[8];
	struct timespec a, b;
	int64_t t;
	long found = 0;

	for (int i = 0; i < n; i++)
		len[i] = strlen(lines[i]);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long r = 0; r < rounds; r++)
		for (int i = 0; i < n; i++)
			found += logtime_parse(p, lines[i], len[i], &t);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ck_assert_int_eq(found, timed * rounds);
	return ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) / ((double)rounds * n);
}

/* The recognisers on typical lines, many times over: each dated line is found
 * every time (the count), and the ns a line are printed for the reader. No bound
 * is asserted: speed is judged by the benchmarks (tests/bench/compress.sh dates
 * every line of its 1 GiB log), never by a timed test. */
START_TEST(test_speed)
{
	static const char *const mix[] = {
		"2026-11-27 03:00:00.123 [ERROR] core: db timeout after 5000 ms",
		"127.0.0.1 - - [27/Nov/2026:03:00:00 +0000] \"GET /v1/health HTTP/1.1\" 200 2",
		"Nov 27 03:00:00 host prog[1]: started",
		"\tat com.whatsapp.Foo.bar(Foo.java:42)",
	};
	static const char *const iso_zoned[] = { "2026-11-27T03:00:00.123456+00:00 ready" };
	static const char *const clf_only[] = { mix[1] };
	static const char *const syslog_only[] = { mix[2] };
	static const char *const iso_only[] = { mix[0] };
	struct logtime_zone *berlin = zone("Europe/Berlin");
	char *err = NULL;
	struct logtime_parser *p = logtime_parser_new(NULL, berlin, NOV27 * S, &err);
	struct logtime_parser *utc = logtime_parser_new(NULL, NULL, NOV27 * S, &err);
	struct logtime_parser *fmt = logtime_parser_new("%Y-%m-%d %H:%M:%S", berlin, NOV27 * S, &err);
	long rounds = quick() ? 2000 : 1000000;
	double ns = ns_per_line(p, mix, 4, 3, rounds);

	printf("# logtime_parse, ns a line: mix of 4 (Europe/Berlin) %.1f; ISO (UTC) %.1f, ISO "
	       "(Europe/Berlin) %.1f, ISO with a zone %.1f, CLF at byte 14 %.1f, syslog %.1f; "
	       "strptime \"%%Y-%%m-%%d %%H:%%M:%%S\" %.1f\n", ns, ns_per_line(utc, iso_only, 1, 1, rounds),
	       ns_per_line(p, iso_only, 1, 1, rounds), ns_per_line(p, iso_zoned, 1, 1, rounds),
	       ns_per_line(p, clf_only, 1, 1, rounds), ns_per_line(p, syslog_only, 1, 1, rounds),
	       ns_per_line(fmt, iso_only, 1, 1, rounds / 10 + 1));
	logtime_parser_free(p);
	logtime_parser_free(utc);
	logtime_parser_free(fmt);
	logtime_zone_free(berlin);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("logtime");
	TCase *tc = tcase_create("logtime");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_iso);
	tcase_add_test(tc, test_clf);
	tcase_add_test(tc, test_syslog);
	tcase_add_test(tc, test_strptime_formats);
	tcase_add_test(tc, test_strptime_line_not_terminated);
	tcase_add_test(tc, test_bad_formats);
	tcase_add_test(tc, test_zone_dst);
	tcase_add_test(tc, test_zone_fixed);
	tcase_add_test(tc, test_zone_bad_names);
	tcase_add_test(tc, test_zone_tzdir_v1_and_garbage);
	tcase_add_test(tc, test_zone_local);
	tcase_add_test(tc, test_parser_copies_zone);
	tcase_add_test(tc, test_cli);
	tcase_add_test(tc, test_cli_errors);
	tcase_add_test(tc, test_rfc3339);
	tcase_add_test(tc, test_speed);
	suite_add_tcase(s, tc);
	return s;
}
