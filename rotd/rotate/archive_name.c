#include "autoconf.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/xalloc.h"
#include "rotate/archive_name.h"

#define TS_LEN 16 /* "yyyymmddThhmmssZ" */

size_t archive_name_dir_len(const char *archive_dir)
{
	size_t n = strlen(archive_dir);

	while (n > 1 && archive_dir[n - 1] == '/')
		n--;
	return n;
}

/* Length of the directory part of path (up to its last '/', excluded); "/x" gives 0,
 * the root. Sets *has_dir to 0 when path has no '/'. */
static size_t dir_len(const char *path, size_t len, int *has_dir)
{
	size_t i = len;

	while (i > 0 && path[i - 1] != '/')
		i--;
	*has_dir = i > 0;
	return i > 0 ? i - 1 : 0;
}

char *archive_name_stem(const char *source_path, const char *archive_dir)
{
	size_t slen = strlen(source_path), alen = archive_name_dir_len(archive_dir);
	int s_has, a_has;
	size_t sdir = dir_len(source_path, slen, &s_has);
	size_t adir = dir_len(archive_dir, alen, &a_has);
	const char *name = source_path + (s_has ? sdir + 1 : 0);
	size_t comp;

	if (!s_has)
		return xstrdup(source_path);
	if (a_has && alen > 1 && sdir == adir && memcmp(source_path, archive_dir, sdir) == 0)
		return xstrdup(name);
	/* The last component of the source's directory; a file at the root has none,
	 * and then its name alone is the stem. */
	comp = sdir;
	while (comp > 0 && source_path[comp - 1] != '/')
		comp--;
	if (comp == sdir)
		return xstrdup(name);
	return xasprintf("%.*s_%s", (int)(sdir - comp), source_path + comp, name);
}

char *archive_name_make(const char *stem, time_t t, unsigned seq, const char *suffix)
{
	struct tm tm;

	/* A time gmtime_r cannot represent (far beyond year 9999) names as the epoch. */
	if (gmtime_r(&t, &tm) == NULL || tm.tm_year + 1900 > 9999 || tm.tm_year + 1900 < 0) {
		time_t zero = 0;

		gmtime_r(&zero, &tm);
	}
	if (seq > 0)
		return xasprintf("%s-%04d%02d%02dT%02d%02d%02dZ_%03u%s", stem, tm.tm_year + 1900,
				 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, seq, suffix);
	return xasprintf("%s-%04d%02d%02dT%02d%02d%02dZ%s", stem, tm.tm_year + 1900, tm.tm_mon + 1,
			 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, suffix);
}

/* The value of the n decimal digits at s, or -1 when one is not a digit. */
static int digits(const char *s, size_t n)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int archive_name_parse(const char *name, const char *stem, time_t *t, unsigned *seq)
{
	size_t slen = strlen(stem);
	const char *p;
	struct tm tm, back;
	time_t when;
	unsigned long n = 0;
	int year, mon, day, hour, min, sec;

	if (slen == 0 || strncmp(name, stem, slen) != 0 || name[slen] != '-')
		return 0;
	p = name + slen + 1;
	if (strnlen(p, TS_LEN) < TS_LEN || p[8] != 'T' || p[15] != 'Z')
		return 0;
	year = digits(p, 4);
	mon = digits(p + 4, 2);
	day = digits(p + 6, 2);
	hour = digits(p + 9, 2);
	min = digits(p + 11, 2);
	sec = digits(p + 13, 2);
	if (year < 0 || mon < 0 || day < 0 || hour < 0 || min < 0 || sec < 0)
		return 0;
	p += TS_LEN;
	if (*p == '_') {
		int v = digits(p + 1, 3);

		if (v < 1)
			return 0; /* exactly three digits, 001 to 999 */
		n = (unsigned long)v;
		p += 4;
	}
	if (strcmp(p, ".gz") != 0 && strcmp(p, ".zst") != 0)
		return 0;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_sec = sec;
	when = timegm(&tm);
	/* Out-of-range fields (month 13, Feb 30, second 60) do not round-trip. */
	if (gmtime_r(&when, &back) == NULL || back.tm_year != year - 1900 || back.tm_mon != mon - 1 ||
	    back.tm_mday != day || back.tm_hour != hour || back.tm_min != min || back.tm_sec != sec)
		return 0;
	*t = when;
	*seq = (unsigned)n;
	return 1;
}

char *archive_name_split(const char *name, time_t *t, unsigned *seq)
{
	size_t n = strlen(name), end;
	char *stem;

	if (n > 3 && strcmp(name + n - 3, ".gz") == 0)
		end = n - 3;
	else if (n > 4 && strcmp(name + n - 4, ".zst") == 0)
		end = n - 4;
	else
		return NULL;
	if (end >= 4 && name[end - 4] == '_' && digits(name + end - 3, 3) >= 0)
		end -= 4;
	if (end < TS_LEN + 2 || name[end - TS_LEN - 1] != '-')
		return NULL;
	stem = xstrndup(name, end - TS_LEN - 1);
	if (!archive_name_parse(name, stem, t, seq)) {
		free(stem);
		return NULL;
	}
	return stem;
}
