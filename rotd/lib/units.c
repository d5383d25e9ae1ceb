#include "autoconf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/units.h"
#include "lib/xalloc.h"

#define MINUTES_PER_DAY 1440u

/* Reads a run of decimal digits at *s into *value and advances *s.
 * Returns 0, or -1 when there is no digit or the number overflows. */
static int read_decimal(const char **s, uint64_t *value)
{
	const char *p = *s;
	uint64_t v = 0;

	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned digit = (unsigned)(*p - '0');

		if (v > (UINT64_MAX - digit) / 10)
			return -1;
		v = v * 10 + digit;
	}
	*s = p;
	*value = v;
	return 0;
}

/* Sets *product to a * b; returns -1 on overflow. */
static int multiply(uint64_t a, uint64_t b, uint64_t *product)
{
	if (b != 0 && a > UINT64_MAX / b)
		return -1;
	*product = a * b;
	return 0;
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* Returns the power of 1024 named by the size unit letter c, or -1. */
static int size_exponent(char c)
{
	switch (lower(c)) {
	case 'k': return 1;
	case 'm': return 2;
	case 'g': return 3;
	case 't': return 4;
	default:  return -1;
	}
}

/* Returns 1 when s (case-insensitively) is "", "b" or "ib", the tails a size unit may have. */
static int is_size_tail(const char *s)
{
	if (*s == '\0')
		return 1;
	if (lower(s[0]) == 'i')
		s++;
	return lower(s[0]) == 'b' && s[1] == '\0';
}

int units_parse_size(const char *s, uint64_t *bytes)
{
	uint64_t n, result;
	int exp = 0;

	if (s == NULL || read_decimal(&s, &n) < 0)
		return -1;
	if (*s != '\0' && lower(*s) != 'b') {
		exp = size_exponent(*s);
		if (exp < 0)
			return -1;
		s++;
		if (!is_size_tail(s))
			return -1;
	} else if (!(*s == '\0' || s[1] == '\0')) {
		return -1;
	}
	result = n;
	while (exp-- > 0)
		if (multiply(result, 1024, &result) < 0)
			return -1;
	*bytes = result;
	return 0;
}

/* Returns the seconds in one duration unit letter c, or 0 when c is not one. */
static uint64_t duration_unit(char c)
{
	switch (lower(c)) {
	case 's': return 1;
	case 'm': return 60;
	case 'h': return 3600;
	case 'd': return 86400;
	case 'w': return 604800;
	default:  return 0;
	}
}

int units_parse_duration(const char *s, uint64_t *seconds)
{
	uint64_t n, unit = 1;

	if (s == NULL || read_decimal(&s, &n) < 0)
		return -1;
	if (*s != '\0') {
		unit = duration_unit(*s);
		if (unit == 0 || s[1] != '\0')
			return -1;
	}
	return multiply(n, unit, seconds);
}

/* Reads "H:MM" or "HH:MM" at *s into minutes after midnight, advancing *s.
 * Hours may be 24 only as 24:00 and only when allow_24 is set. Returns 0 or -1. */
static int read_clock(const char **s, int allow_24, unsigned *minutes)
{
	const char *p = *s;
	unsigned h = 0, m;
	int digits;

	for (digits = 0; digits < 2 && *p >= '0' && *p <= '9'; digits++, p++)
		h = h * 10 + (unsigned)(*p - '0');
	if (digits == 0 || *p != ':')
		return -1;
	p++;
	if (p[0] < '0' || p[0] > '5' || p[1] < '0' || p[1] > '9')
		return -1;
	m = (unsigned)(p[0] - '0') * 10 + (unsigned)(p[1] - '0');
	p += 2;
	if (h > 24 || (h == 24 && (!allow_24 || m != 0)))
		return -1;
	*minutes = h * 60 + m;
	*s = p;
	return 0;
}

int units_parse_window(const char *s, struct time_window *w)
{
	unsigned start, end;

	if (s == NULL || read_clock(&s, 0, &start) < 0 || *s++ != '-' ||
	    read_clock(&s, 1, &end) < 0 || *s != '\0')
		return -1;
	if (start == end)
		return -1;
	w->start_min = start;
	w->end_min = end;
	return 0;
}

int units_parse_percent(const char *s, unsigned *pct)
{
	uint64_t n;

	if (s == NULL || read_decimal(&s, &n) < 0)
		return -1;
	if (*s == '%')
		s++;
	if (*s != '\0' || n > 100)
		return -1;
	*pct = (unsigned)n;
	return 0;
}

int units_window_contains(const struct time_window *w, unsigned minute_of_day)
{
	if (minute_of_day >= MINUTES_PER_DAY)
		return 0;
	if (w->start_min < w->end_min)
		return minute_of_day >= w->start_min && minute_of_day < w->end_min;
	return minute_of_day >= w->start_min || minute_of_day < w->end_min;
}

char *units_format_size(uint64_t bytes, char *buf, size_t len)
{
	static const char *const names[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	double v = (double)bytes;
	size_t i = 0;

	if (bytes < 1024) {
		snprintf(buf, len, "%u B", (unsigned)bytes);
		return buf;
	}
	v /= 1024;
	/* Move up while the value would print as 1024.0 or more. */
	while (v >= 1023.95 && i + 1 < sizeof(names) / sizeof(names[0])) {
		v /= 1024;
		i++;
	}
	snprintf(buf, len, "%.1f %s", v, names[i]);
	return buf;
}

char *units_format_duration(uint64_t seconds, char *buf, size_t len)
{
	static const char letters[] = "wdhm";
	size_t i;

	for (i = 0; seconds != 0 && letters[i] != '\0'; i++) {
		uint64_t unit = duration_unit(letters[i]);

		if (seconds % unit == 0) {
			snprintf(buf, len, "%llu%c", (unsigned long long)(seconds / unit), letters[i]);
			return buf;
		}
	}
	snprintf(buf, len, "%llus", (unsigned long long)seconds);
	return buf;
}

char *units_format_span(uint64_t seconds, int pad, char *buf, size_t len)
{
	static const struct { uint64_t unit, next; char letter, next_letter; } spans[] = {
		{ 86400, 3600, 'd', 'h' }, { 3600, 60, 'h', 'm' }, { 60, 1, 'm', 's' },
	};

	for (size_t i = 0; i < sizeof(spans) / sizeof(spans[0]); i++) {
		if (seconds < spans[i].unit)
			continue;
		snprintf(buf, len, pad ? "%llu%c %02llu%c" : "%llu%c %llu%c",
			 (unsigned long long)(seconds / spans[i].unit), spans[i].letter,
			 (unsigned long long)(seconds % spans[i].unit / spans[i].next), spans[i].next_letter);
		return buf;
	}
	snprintf(buf, len, "%llus", (unsigned long long)seconds);
	return buf;
}

int units_parse_listen(const char *s, char **addr, unsigned *port)
{
	const char *colon, *host = s, *host_end;
	unsigned char probe[sizeof(struct in6_addr)];
	char *name, *end;
	unsigned long p;
	int ok;

	if (s[0] == '[') {
		host = s + 1;
		host_end = strchr(host, ']');
		if (host_end == NULL || host_end[1] != ':')
			return -1;
		colon = host_end + 1;
	} else {
		colon = strrchr(s, ':');
		if (colon == NULL)
			return -1;
		host_end = colon;
	}
	if (colon[1] < '0' || colon[1] > '9')
		return -1;
	errno = 0;
	p = strtoul(colon + 1, &end, 10);
	if (errno != 0 || *end != '\0' || p > 65535 || host_end == host)
		return -1;
	name = xstrndup(host, (size_t)(host_end - host));
	ok = inet_pton(s[0] == '[' ? AF_INET6 : AF_INET, name, probe) == 1;
	if (!ok) {
		free(name);
		return -1;
	}
	*addr = name;
	*port = (unsigned)p;
	return 0;
}

char *units_format_time(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(buf, len, "%Y-%m-%d %H:%M UTC", &tm) == 0)
		snprintf(buf, len, "@%jd", (intmax_t)t);
	return buf;
}
