#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/escape.h"
#include "lib/logtime.h"
#include "lib/tzdata.h"
#include "lib/xalloc.h"

#define US_PER_S INT64_C(1000000)
#define S_PER_DAY INT64_C(86400)
#define TZIF_MAX_BYTES (1024 * 1024)
#define STRPTIME_BYTES (2 * LOGTIME_SCAN_BYTES)

struct logtime_zone {
	struct tzdata data;
};

struct logtime_parser {
	char *format;                 /* NULL: the built-in recognisers */
	struct logtime_zone *zone;
	int64_t reference_us;
	int reference_year;
	int has_year, has_zone;
};

/* A broken-down time read from text. */
struct civil {
	int year, month, day, hour, minute, second, micro;
	int has_zone;
	int offset;                   /* seconds east of UTC, when has_zone */
};

static int civil_valid(const struct civil *c)
{
	return c->month >= 1 && c->month <= 12 && c->day >= 1 &&
	       c->day <= tzdata_days_in_month(c->year, c->month) && c->hour >= 0 && c->hour <= 23 &&
	       c->minute >= 0 && c->minute <= 59 && c->second >= 0 && c->second <= 60;
}

/* Seconds since the epoch of a wall time read as if it were UTC. */
static int64_t wall_seconds(int y, int mo, int d, int h, int mi, int s)
{
	return tzdata_days_from_civil(y, mo, d) * S_PER_DAY + h * 3600 + mi * 60 + s;
}

/* ---- zones --------------------------------------------------------------- */

static struct logtime_zone *zone_fixed(int32_t offset)
{
	struct logtime_zone *z = xcalloc(1, sizeof(*z));

	z->data.initial = offset;
	return z;
}

void logtime_zone_free(struct logtime_zone *z)
{
	if (z == NULL)
		return;
	tzdata_clear(&z->data);
	free(z);
}

int64_t logtime_zone_to_utc(const struct logtime_zone *z, int year, int month, int day, int hour,
			    int minute, int second, int micro)
{
	int64_t w = wall_seconds(year, month, day, hour, minute, second);

	if (z != NULL)
		w -= z->data.n == 0 ? z->data.initial : tzdata_offset_for_wall(&z->data, w);
	return w * US_PER_S + micro;
}

/* Reads the TZif file at path. Returns a new zone, or NULL with *err set. */
static struct logtime_zone *tzif_load(const char *path, const char *name, char **err)
{
	struct logtime_zone *z;
	unsigned char *buf;
	struct stat st;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0) {
		*err = errno == ENOENT || errno == ENOTDIR
			       ? xasprintf("unknown time zone '%s'", name)
			       : xasprintf("cannot read time zone '%s' (%s): %s", name, path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > TZIF_MAX_BYTES) {
		close(fd);
		*err = xasprintf("unknown time zone '%s' (%s is not a time zone file)", name, path);
		return NULL;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	z = xcalloc(1, sizeof(*z));
	if (tzdata_parse_tzif(buf, got, &z->data) < 0) {
		free(z);
		z = NULL;
	}
	free(buf);
	if (z == NULL)
		*err = xasprintf("unknown time zone '%s' (%s is not a TZif file)", name, path);
	return z;
}

/* "+hh:mm", "+hhmm" or "+hh" at s (len bytes). Returns the bytes read and sets
 * *offset, or 0 when s holds none. */
static size_t read_offset(const char *s, size_t len, int *offset)
{
	int sign, h, m = 0;
	size_t n;

	if (len < 3 || (s[0] != '+' && s[0] != '-') || (unsigned)(s[1] - '0') > 9 || (unsigned)(s[2] - '0') > 9)
		return 0;
	sign = s[0] == '-' ? -1 : 1;
	h = (s[1] - '0') * 10 + (s[2] - '0');
	n = 3;
	if (len >= 6 && s[3] == ':' && (unsigned)(s[4] - '0') <= 9 && (unsigned)(s[5] - '0') <= 9) {
		m = (s[4] - '0') * 10 + (s[5] - '0');
		n = 6;
	} else if (len >= 5 && (unsigned)(s[3] - '0') <= 9 && (unsigned)(s[4] - '0') <= 9) {
		m = (s[3] - '0') * 10 + (s[4] - '0');
		n = 5;
	}
	if (n < len && (unsigned)(s[n] - '0') <= 9)
		return 0;
	if (h > 23 || m > 59)
		return 0;
	*offset = sign * (h * 3600 + m * 60);
	return n;
}

/* Returns 1 when name is safe to look up under the zone folder. */
static int zone_name_ok(const char *name)
{
	if (name[0] == '/' || strstr(name, "..") != NULL || strlen(name) > 255)
		return 0;
	for (const char *p = name; *p != '\0'; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '/' || *p == '_' || *p == '-' || *p == '+' || *p == '.'))
			return 0;
	return 1;
}

struct logtime_zone *logtime_zone_load(const char *name, char **err)
{
	const char *dir = getenv("TZDIR");
	struct logtime_zone *z;
	char *path;
	int offset = 0;
	size_t len;

	*err = NULL;
	if (name == NULL || name[0] == '\0' || strcasecmp(name, "UTC") == 0 || strcmp(name, "Z") == 0)
		return zone_fixed(0);
	len = strlen(name);
	if ((name[0] == '+' || name[0] == '-') && read_offset(name, len, &offset) == len)
		return zone_fixed(offset);
	if (name[0] == '+' || name[0] == '-' || !zone_name_ok(name)) {
		char *shown = escape_utf8_text(name);

		if (name[0] == '+' || name[0] == '-')
			*err = xasprintf("invalid time zone offset '%s' (expected +hh:mm, +hhmm or +hh)", shown);
		else
			*err = xasprintf("invalid time zone name '%s' (expected UTC, +hh:mm or a name such as "
					 "Europe/Berlin)", shown);
		free(shown);
		return NULL;
	}
	path = xasprintf("%s/%s", dir != NULL && dir[0] == '/' ? dir : "/usr/share/zoneinfo", name);
	z = tzif_load(path, name, err);
	free(path);
	return z;
}

struct logtime_zone *logtime_zone_local(void)
{
	const char *tz = getenv("TZ");
	struct logtime_zone *z = NULL;
	char *err = NULL;

	if (tz != NULL) {
		if (tz[0] == ':')
			tz++;
		if (tz[0] == '/')
			z = tzif_load(tz, tz, &err);
		else if ((z = logtime_zone_load(tz, &err)) == NULL) {
			z = xcalloc(1, sizeof(*z));
			if (tzdata_parse_posix(tz, &z->data) < 0) {
				free(z);
				z = NULL;
			}
		}
	} else {
		z = tzif_load("/etc/localtime", "/etc/localtime", &err);
	}
	free(err);
	return z != NULL ? z : zone_fixed(0);
}

/* ---- the built-in recognisers -------------------------------------------- */

static int digit(char c)
{
	return (unsigned)(c - '0') <= 9;
}

/* The two-digit number at s, or -1. */
static int num2(const char *s)
{
	return digit(s[0]) && digit(s[1]) ? (s[0] - '0') * 10 + (s[1] - '0') : -1;
}

/* The month (1..12) whose English abbreviation is at s (3 bytes, any case), or 0. */
static int month_abbr(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned k = (unsigned)(u[0] | 0x20) << 16 | (unsigned)(u[1] | 0x20) << 8 | (unsigned)(u[2] | 0x20);

#define M3(a, b, c) ((unsigned)(a) << 16 | (unsigned)(b) << 8 | (unsigned)(c))
	switch (k) {
	case M3('j', 'a', 'n'): return 1;
	case M3('f', 'e', 'b'): return 2;
	case M3('m', 'a', 'r'): return 3;
	case M3('a', 'p', 'r'): return 4;
	case M3('m', 'a', 'y'): return 5;
	case M3('j', 'u', 'n'): return 6;
	case M3('j', 'u', 'l'): return 7;
	case M3('a', 'u', 'g'): return 8;
	case M3('s', 'e', 'p'): return 9;
	case M3('o', 'c', 't'): return 10;
	case M3('n', 'o', 'v'): return 11;
	case M3('d', 'e', 'c'): return 12;
	default: return 0;
	}
#undef M3
}

/* "HH:MM:SS" at s (8 bytes available). Returns 0 or -1. */
static int read_hms(const char *s, struct civil *c)
{
	if (s[2] != ':' || s[5] != ':')
		return -1;
	c->hour = num2(s);
	c->minute = num2(s + 3);
	c->second = num2(s + 6);
	return c->hour < 0 || c->minute < 0 || c->second < 0 ? -1 : 0;
}

/* A fraction "[.,]digits" at s; returns the bytes read (0 for none) and sets c->micro. */
static size_t read_fraction(const char *s, size_t len, struct civil *c)
{
	size_t i = 1;
	int micro = 0, kept = 0;

	c->micro = 0;
	if (len < 2 || (s[0] != '.' && s[0] != ',') || !digit(s[1]))
		return 0;
	for (; i < len && digit(s[i]); i++)
		if (kept < 6) {
			micro = micro * 10 + (s[i] - '0');
			kept++;
		}
	for (; kept < 6; kept++)
		micro *= 10;
	c->micro = micro;
	return i;
}

enum {
	ISO_DATE_ONLY = 1,      /* "YYYY-MM-DD" alone is a time (midnight) */
	ISO_NO_SECONDS = 2,     /* "YYYY-MM-DD HH:MM" is a time */
};

/* ISO 8601 at s (len bytes). Returns the bytes read, or 0 when s does not start
 * with a valid one. */
static size_t read_iso(const char *s, size_t len, unsigned flags, struct civil *c)
{
	size_t n;
	int cc, yy;

	if (len < 10 || s[4] != '-' || s[7] != '-' || (cc = num2(s)) < 0 || (yy = num2(s + 2)) < 0)
		return 0;
	c->year = cc * 100 + yy;
	c->month = num2(s + 5);
	c->day = num2(s + 8);
	c->hour = c->minute = c->second = c->micro = 0;
	c->has_zone = 0;
	n = 10;
	if (len >= 16 && (s[10] == ' ' || s[10] == 'T') && s[13] == ':' && (c->hour = num2(s + 11)) >= 0 &&
	    (c->minute = num2(s + 14)) >= 0) {
		n = 16;
		if (len >= 19 && s[16] == ':' && (c->second = num2(s + 17)) >= 0)
			n = 19 + read_fraction(s + 19, len - 19, c);
		else if (!(flags & ISO_NO_SECONDS))
			return 0;
		else
			c->second = 0;
	} else if (!(flags & ISO_DATE_ONLY)) {
		return 0;
	} else {
		c->hour = c->minute = 0;
	}
	if (n < len && n > 10) {
		size_t z;

		if (s[n] == 'Z') {
			c->has_zone = 1;
			c->offset = 0;
			n++;
		} else if ((z = read_offset(s + n, len - n, &c->offset)) > 0) {
			c->has_zone = 1;
			n += z;
		} else if (s[n] == '+' || s[n] == '-') {
			return 0;
		} else if (s[n] == ' ' && (z = read_offset(s + n + 1, len - n - 1, &c->offset)) >= 5) {
			/* "... 03:00:00 +0100", as Go, Java and git print: hh alone is too loose */
			c->has_zone = 1;
			n += 1 + z;
		}
	}
	return civil_valid(c) ? n : 0;
}

/* "[27/Nov/2026:03:00:00 +0000]" at s (len bytes, s[0] == '['). Returns 0 or -1. */
static int read_clf(const char *s, size_t len, struct civil *c)
{
	int cc, yy;

	if (len < 22 || s[3] != '/' || s[7] != '/' || s[12] != ':' || (c->day = num2(s + 1)) < 0 ||
	    (c->month = month_abbr(s + 4)) == 0 || (cc = num2(s + 8)) < 0 || (yy = num2(s + 10)) < 0 ||
	    read_hms(s + 13, c) < 0)
		return -1;
	c->year = cc * 100 + yy;
	c->micro = 0;
	c->has_zone = 0;
	if (s[21] == ' ' && len >= 28 && s[27] == ']' && read_offset(s + 22, 5, &c->offset) == 5)
		c->has_zone = 1;
	else if (s[21] != ']')
		return -1;
	return civil_valid(c) ? 0 : -1;
}

/* "Nov 27 03:00:00" or "Nov  7 03:00:00" at s. Returns 0 or -1; c->year is not set. */
static int read_syslog(const char *s, size_t len, struct civil *c)
{
	if (len < 15 || s[3] != ' ' || s[6] != ' ' || (c->month = month_abbr(s)) == 0)
		return -1;
	if (s[4] == ' ' && digit(s[5]))
		c->day = s[5] - '0';
	else if ((c->day = num2(s + 4)) < 0)
		return -1;
	if (read_hms(s + 7, c) < 0 || (len > 15 && digit(s[15])))
		return -1;
	read_fraction(s + 15, len - 15, c);
	c->has_zone = 0;
	return 0;
}

/* The UTC time of c, in p's zone when c carries none. */
static int64_t civil_to_utc(const struct logtime_parser *p, const struct civil *c)
{
	if (c->has_zone)
		return (wall_seconds(c->year, c->month, c->day, c->hour, c->minute, c->second) - c->offset) *
			       US_PER_S + c->micro;
	return logtime_zone_to_utc(p->zone, c->year, c->month, c->day, c->hour, c->minute, c->second,
				   c->micro);
}

/* Dates year-less c: the reference's year, or the one before when that is more
 * than a day after the reference. Returns 0 or -1 (no such day in either). */
static int date_yearless(const struct logtime_parser *p, struct civil *c, int64_t *t_us)
{
	c->year = p->reference_year;
	if (civil_valid(c)) {
		*t_us = civil_to_utc(p, c);
		if (*t_us <= p->reference_us + S_PER_DAY * US_PER_S)
			return 0;
	}
	c->year--;
	if (!civil_valid(c))
		return -1;
	*t_us = civil_to_utc(p, c);
	return 0;
}

static int parse_builtin(const struct logtime_parser *p, const char *line, size_t len, int64_t *t_us)
{
	struct civil c;
	size_t scan = len < LOGTIME_SCAN_BYTES ? len : LOGTIME_SCAN_BYTES;
	const char *b;

	if (len >= 19 && digit(line[0]) && read_iso(line, len, 0, &c) > 0) {
		*t_us = civil_to_utc(p, &c);
		return 1;
	}
	for (const char *q = line; q < line + scan && (b = memchr(q, '[', scan - (size_t)(q - line))) != NULL;
	     q = b + 1) {
		if (read_clf(b, len - (size_t)(b - line), &c) == 0) {
			*t_us = civil_to_utc(p, &c);
			return 1;
		}
	}
	if (len >= 15 && read_syslog(line, len, &c) == 0 && date_yearless(p, &c, t_us) == 0)
		return 1;
	return 0;
}

/* ---- strptime formats ----------------------------------------------------- */

/* Which fields format fills: sets the parser's has_year and has_zone. Returns
 * NULL, or a message naming what is wrong with format (shown: format escaped). */
static char *format_problem(struct logtime_parser *p, const char *format, const char *shown)
{
	int conversions = 0, month = 0, mday = 0, yday = 0;

	for (const char *f = format; *f != '\0'; f++) {
		if (*f != '%')
			continue;
		f++;
		if (*f == 'E' || *f == 'O')
			f++;
		switch (*f) {
		case '\0':
			return xasprintf("timestamp format '%s' ends in a lone '%%'", shown);
		case '%': case 'n': case 't':
			continue;
		case 's':
			return xasprintf("timestamp format '%s' uses %%s (seconds since the epoch), which is "
					 "not supported", shown);
		case 'Y': case 'y': case 'C':
			p->has_year = 1;
			break;
		case 'm': case 'b': case 'B': case 'h':
			month = 1;
			break;
		case 'd': case 'e':
			mday = 1;
			break;
		case 'j':
			yday = 1;
			break;
		case 'D': case 'x': case 'F': case 'c':
			month = mday = p->has_year = 1;
			break;
		case 'z':
			p->has_zone = 1;
			break;
		default:
			break;
		}
		conversions++;
	}
	if (conversions == 0)
		return xasprintf("timestamp format '%s' has no %% conversion", shown);
	if (!(month && mday) && !yday)
		return xasprintf("timestamp format '%s' has no date (it needs %%d with %%m or %%b, or %%j)",
				 shown);
	return NULL;
}

static char *format_check(struct logtime_parser *p, const char *format)
{
	char *shown = escape_utf8_text(format), *why = format_problem(p, format, shown);

	free(shown);
	return why;
}

/* The format ends in seconds, so that a fraction may follow them in the line. */
static int format_ends_in_seconds(const char *f)
{
	size_t n = strlen(f);

	return n >= 2 && f[n - 2] == '%' && (f[n - 1] == 'S' || f[n - 1] == 'T');
}

static int parse_format(const struct logtime_parser *p, const char *line, size_t len, int64_t *t_us)
{
	char text[STRPTIME_BYTES + 1];
	size_t n = len < STRPTIME_BYTES ? len : STRPTIME_BYTES;
	struct civil c;
	struct tm tm;
	const char *end;

	memcpy(text, line, n);
	text[n] = '\0';
	memset(&tm, 0, sizeof(tm));
	tm.tm_mday = 1;
	tm.tm_year = p->reference_year - 1900;
	end = strptime(text, p->format, &tm);
	if (end == NULL)
		return 0;
	c.year = tm.tm_year + 1900;
	c.month = tm.tm_mon + 1;
	c.day = tm.tm_mday;
	c.hour = tm.tm_hour;
	c.minute = tm.tm_min;
	c.second = tm.tm_sec;
	c.micro = 0;
	c.has_zone = p->has_zone;
	c.offset = p->has_zone ? (int)tm.tm_gmtoff : 0;
	if (format_ends_in_seconds(p->format))
		read_fraction(end, (size_t)(text + n - end), &c);
	if (!p->has_year)
		return date_yearless(p, &c, t_us) == 0;
	if (!civil_valid(&c))
		return 0;
	*t_us = civil_to_utc(p, &c);
	return 1;
}

struct logtime_parser *logtime_parser_new(const char *format, const struct logtime_zone *zone,
					  int64_t reference_us, char **err)
{
	struct logtime_parser *p = xcalloc(1, sizeof(*p));
	int m, d;

	*err = NULL;
	if (format != NULL) {
		if (format[0] == '\0') {
			*err = xasprintf("empty timestamp format");
			free(p);
			return NULL;
		}
		if ((*err = format_check(p, format)) != NULL) {
			free(p);
			return NULL;
		}
		p->format = xstrdup(format);
	}
	p->zone = zone_fixed(0);
	if (zone != NULL)
		tzdata_copy(&p->zone->data, &zone->data);
	p->reference_us = reference_us;
	tzdata_civil_from_days(tzdata_floor_div(reference_us, S_PER_DAY * US_PER_S), &p->reference_year, &m, &d);
	return p;
}

void logtime_parser_free(struct logtime_parser *p)
{
	if (p == NULL)
		return;
	free(p->format);
	logtime_zone_free(p->zone);
	free(p);
}

int logtime_parse(const struct logtime_parser *p, const char *line, size_t len, int64_t *t_us)
{
	if (p->format != NULL)
		return parse_format(p, line, len, t_us);
	return parse_builtin(p, line, len, t_us);
}

/* ---- command-line times --------------------------------------------------- */

/* The microseconds in one of unit (len bytes), or 0 when it names none. */
static int64_t unit_us(const char *unit, size_t len)
{
	static const struct {
		const char *name;
		int64_t secs;
	} units[] = {
		{ "s", 1 }, { "sec", 1 }, { "secs", 1 }, { "second", 1 }, { "seconds", 1 },
		{ "m", 60 }, { "min", 60 }, { "mins", 60 }, { "minute", 60 }, { "minutes", 60 },
		{ "h", 3600 }, { "hour", 3600 }, { "hours", 3600 },
		{ "d", 86400 }, { "day", 86400 }, { "days", 86400 },
		{ "w", 604800 }, { "week", 604800 }, { "weeks", 604800 },
	};

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strlen(units[i].name) == len && memcmp(units[i].name, unit, len) == 0)
			return units[i].secs * US_PER_S;
	return 0;
}

/* "-30m", "+2h": returns 0 and sets *t_us, -1 when text is no such form, -2 when
 * it is out of range. */
static int parse_relative(const char *text, int64_t now_us, int64_t *t_us)
{
	const char *s = text + 1;
	int64_t n = 0, unit, delta;

	if (!digit(*s))
		return -1;
	for (; digit(*s); s++) {
		if (n > (INT64_MAX / 4 - 9) / 10)
			return -2;
		n = n * 10 + (*s - '0');
	}
	if ((unit = unit_us(s, strlen(s))) == 0)
		return -1;
	if (n > INT64_MAX / 4 / unit)
		return -2;
	delta = n * unit;
	if (text[0] == '-' ? now_us < INT64_MIN / 2 + delta : now_us > INT64_MAX / 2 - delta)
		return -2;
	*t_us = text[0] == '-' ? now_us - delta : now_us + delta;
	return 0;
}

/* "today", "yesterday", "tomorrow": local midnight. Returns 0, or -1 for another word. */
static int parse_day_word(const char *text, int64_t now_us, const struct logtime_zone *local, int64_t *t_us)
{
	int shift, y, m, d;
	int64_t now_s = tzdata_floor_div(now_us, US_PER_S);

	if (strcmp(text, "today") == 0)
		shift = 0;
	else if (strcmp(text, "yesterday") == 0)
		shift = -1;
	else if (strcmp(text, "tomorrow") == 0)
		shift = 1;
	else
		return -1;
	now_s += tzdata_offset_at(&local->data, now_s);
	tzdata_civil_from_days(tzdata_floor_div(now_s, S_PER_DAY) + shift, &y, &m, &d);
	*t_us = logtime_zone_to_utc(local, y, m, d, 0, 0, 0, 0);
	return 0;
}

int logtime_parse_cli(const char *text, int64_t now_us, const struct logtime_zone *local,
		      int64_t *t_us, char **err)
{
	struct logtime_zone *own = NULL;
	struct civil c;
	size_t len = strlen(text), n;
	int rc = -1;

	*err = NULL;
	if (strcmp(text, "now") == 0) {
		*t_us = now_us;
		return 0;
	}
	if (text[0] == '-' || text[0] == '+') {
		rc = parse_relative(text, now_us, t_us);
		if (rc == 0)
			return 0;
		if (rc == -2) {
			char *shown = escape_utf8_text(text);

			*err = xasprintf("time '%s' is out of range", shown);
			free(shown);
			return -1;
		}
	}
	if (local == NULL)
		local = own = logtime_zone_local();
	if (parse_day_word(text, now_us, local, t_us) == 0) {
		rc = 0;
	} else if (digit(text[0]) && (n = read_iso(text, len, ISO_DATE_ONLY | ISO_NO_SECONDS, &c)) > 0 &&
		   (n == len || (!c.has_zone && strcmp(text + n, " UTC") == 0))) {
		if (n < len) {
			c.has_zone = 1;
			c.offset = 0;
		}
		if (c.has_zone)
			*t_us = (wall_seconds(c.year, c.month, c.day, c.hour, c.minute, c.second) - c.offset) *
					US_PER_S + c.micro;
		else
			*t_us = logtime_zone_to_utc(local, c.year, c.month, c.day, c.hour, c.minute, c.second,
						    c.micro);
		rc = 0;
	} else {
		char *shown = escape_utf8_text(text);

		*err = xasprintf("invalid time '%s' (expected now, today, yesterday, -30m, -2h, -1d, +5m, "
				 "YYYY-MM-DD, or YYYY-MM-DD HH:MM[:SS] with an optional Z or +hh:mm)", shown);
		free(shown);
		rc = -1;
	}
	logtime_zone_free(own);
	return rc;
}

char *logtime_format_rfc3339(int64_t t_us, char *buf)
{
	int64_t secs = t_us / US_PER_S, rest = t_us % US_PER_S, days, sod;
	int micro, y, m, d;

	if (rest < 0) {
		rest += US_PER_S;
		secs--;
	}
	micro = (int)rest;
	days = tzdata_floor_div(secs, S_PER_DAY);
	sod = secs - days * S_PER_DAY;

	tzdata_civil_from_days(days, &y, &m, &d);
	if (micro != 0)
		snprintf(buf, LOGTIME_RFC3339_SIZE, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", y, m, d,
			 (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60), micro);
	else
		snprintf(buf, LOGTIME_RFC3339_SIZE, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d,
			 (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60));
	return buf;
}
