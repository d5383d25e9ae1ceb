#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "lib/tzdata.h"
#include "lib/xalloc.h"

#define S_PER_DAY INT64_C(86400)
#define MAX_OFFSET (26 * 3600)
#define TZIF_MAX_COUNT 100000u
#define FOOTER_FIRST_YEAR 1900
#define FOOTER_LAST_YEAR 2100
#define TZIF_FAR_S (INT64_C(1) << 58)   /* transitions further out are not kept */

/* ---- calendar ------------------------------------------------------------ */

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int tzdata_days_in_month(int y, int m)
{
	static const unsigned char dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
int64_t tzdata_days_from_civil(int y, int m, int d)
{
	int64_t yy = (int64_t)y - (m <= 2);
	int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
	int64_t yoe = yy - era * 400;
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

void tzdata_civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

int64_t tzdata_floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* The offset in force at UTC second t. */
int32_t tzdata_offset_at(const struct tzdata *z, int64_t t)
{
	size_t lo = 0, hi = z->n;

	if (z->n == 0 || t < z->at[0])
		return z->initial;
	while (hi - lo > 1) {             /* at[lo] <= t < at[hi] */
		size_t mid = lo + (hi - lo) / 2;

		if (z->at[mid] <= t)
			lo = mid;
		else
			hi = mid;
	}
	return z->off[lo];
}

/* The offset that wall time w (seconds, read as if UTC) takes: the one in force
 * there, or the one before the change for a skipped or repeated wall time. */
int32_t tzdata_offset_for_wall(const struct tzdata *z, int64_t w)
{
	size_t lo = 0, hi = z->n;
	int32_t before;

	/* transition i starts, on the wall clock of before it, at at[i] + off[i-1] */
	if (z->n == 0 || w < z->at[0] + z->initial)
		return z->initial;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (w >= z->at[mid] + z->off[mid - 1])
			lo = mid;
		else
			hi = mid;
	}
	before = lo == 0 ? z->initial : z->off[lo - 1];
	/* a gap: the wall clock jumped from at + before to at + off */
	return w < z->at[lo] + z->off[lo] ? before : z->off[lo];
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

/* ---- POSIX TZ rules (a TZif footer, or TZ itself) ------------------------- */

struct posix_date {
	char kind;                    /* 'J' (1..365, no Feb 29), 'N' (0..365), 'M' */
	int n, month, week, wday;
	int32_t time;                 /* local seconds after midnight */
};

struct posix_rule {
	int32_t std_off, dst_off;     /* seconds east of UTC */
	int has_dst;
	struct posix_date start, end;
};

static const char *posix_name(const char *s)
{
	const char *p = s;

	if (*p == '<') {
		while (*p != '\0' && *p != '>')
			p++;
		return *p == '>' && p - s >= 4 ? p + 1 : NULL;
	}
	while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))
		p++;
	return p - s >= 3 ? p : NULL;
}

static const char *posix_number(const char *s, int max, int *v)
{
	int n = 0;

	if (*s < '0' || *s > '9')
		return NULL;
	while (*s >= '0' && *s <= '9') {
		n = n * 10 + (*s++ - '0');
		if (n > max)
			return NULL;
	}
	*v = n;
	return s;
}

/* [+-]hh[:mm[:ss]] into seconds (sign as written). */
static const char *posix_hms(const char *s, int max_hours, int32_t *secs)
{
	int sign = 1, h, m = 0, sec = 0;

	if (*s == '+' || *s == '-')
		sign = *s++ == '-' ? -1 : 1;
	if ((s = posix_number(s, max_hours, &h)) == NULL)
		return NULL;
	if (*s == ':' && ((s = posix_number(s + 1, 59, &m)) == NULL))
		return NULL;
	if (*s == ':' && ((s = posix_number(s + 1, 59, &sec)) == NULL))
		return NULL;
	*secs = sign * (h * 3600 + m * 60 + sec);
	return s;
}

static const char *posix_date(const char *s, struct posix_date *d)
{
	d->time = 2 * 3600;
	if (*s == 'M') {
		d->kind = 'M';
		if ((s = posix_number(s + 1, 12, &d->month)) == NULL || d->month < 1 || *s != '.' ||
		    (s = posix_number(s + 1, 5, &d->week)) == NULL || d->week < 1 || *s != '.' ||
		    (s = posix_number(s + 1, 6, &d->wday)) == NULL)
			return NULL;
	} else if (*s == 'J') {
		d->kind = 'J';
		if ((s = posix_number(s + 1, 365, &d->n)) == NULL || d->n < 1)
			return NULL;
	} else {
		d->kind = 'N';
		if ((s = posix_number(s, 365, &d->n)) == NULL)
			return NULL;
	}
	if (*s == '/')
		s = posix_hms(s + 1, 167, &d->time);
	return s;
}

static int rule_parse(const char *s, struct posix_rule *r)
{
	int32_t v;

	memset(r, 0, sizeof(*r));
	if ((s = posix_name(s)) == NULL || (s = posix_hms(s, 24, &v)) == NULL)
		return -1;
	r->std_off = -v;
	if (*s == '\0')
		return 0;
	if ((s = posix_name(s)) == NULL)
		return -1;
	r->has_dst = 1;
	r->dst_off = r->std_off + 3600;
	if (*s != ',' && *s != '\0') {
		if ((s = posix_hms(s, 24, &v)) == NULL)
			return -1;
		r->dst_off = -v;
	}
	if (*s == '\0') {             /* no rule: the US rule POSIX leaves to the system */
		r->start = (struct posix_date){ 'M', 0, 3, 2, 0, 2 * 3600 };
		r->end = (struct posix_date){ 'M', 0, 11, 1, 0, 2 * 3600 };
		return 0;
	}
	if (*s != ',' || (s = posix_date(s + 1, &r->start)) == NULL || *s != ',' ||
	    (s = posix_date(s + 1, &r->end)) == NULL || *s != '\0')
		return -1;
	return 0;
}

/* Seconds since the epoch, as if UTC, of the local midnight that starts rule day d of year y. */
static int64_t posix_day(int y, const struct posix_date *d)
{
	int64_t jan1 = tzdata_days_from_civil(y, 1, 1);

	if (d->kind == 'J')
		return (jan1 + d->n - 1 + (is_leap(y) && d->n >= 60)) * S_PER_DAY;
	if (d->kind == 'N')
		return (jan1 + d->n) * S_PER_DAY;
	{
		int64_t first = tzdata_days_from_civil(y, d->month, 1);
		int wd_first = (int)(((first + 4) % 7 + 7) % 7);   /* 1970-01-01 was a Thursday */
		int day = 1 + (d->wday - wd_first + 7) % 7 + (d->week - 1) * 7;

		while (day > tzdata_days_in_month(y, d->month))
			day -= 7;
		return (first + day - 1) * S_PER_DAY;
	}
}

static void zone_append(struct tzdata *z, size_t *cap, int64_t at, int32_t off)
{
	if (z->n > 0 && at <= z->at[z->n - 1])
		return;
	if (z->n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		z->at = xreallocarray(z->at, *cap, sizeof(*z->at));
		z->off = xreallocarray(z->off, *cap, sizeof(*z->off));
	}
	z->at[z->n] = at;
	z->off[z->n] = off;
	z->n++;
}

/* Adds the transitions rule r makes after z's last one, through FOOTER_LAST_YEAR. */
static void zone_extend(struct tzdata *z, size_t cap, const struct posix_rule *r, int from_year)
{
	if (z->n == 0)
		z->initial = r->std_off;
	if (!r->has_dst)
		return;
	for (int y = from_year; y <= FOOTER_LAST_YEAR; y++) {
		int64_t on = posix_day(y, &r->start) + r->start.time - r->std_off;
		int64_t off = posix_day(y, &r->end) + r->end.time - r->dst_off;
		int64_t last = z->n > 0 ? z->at[z->n - 1] : INT64_MIN;

		if (on < off) {
			if (on > last)
				zone_append(z, &cap, on, r->dst_off);
			if (off > last)
				zone_append(z, &cap, off, r->std_off);
		} else {
			if (off > last)
				zone_append(z, &cap, off, r->std_off);
			if (on > last)
				zone_append(z, &cap, on, r->dst_off);
		}
	}
}

/* Reads the TZif header at p (times of tsize bytes): sets the counts the data
 * block needs and its size. Returns 0, or -1 when it is no header or the block
 * does not fit before end. */
static int tzif_header(const unsigned char *p, const unsigned char *end, size_t tsize, uint32_t *timecnt,
		       uint32_t *typecnt, size_t *block)
{
	uint32_t isut, isstd, leap, charcnt;

	if ((size_t)(end - p) < 44 || memcmp(p, "TZif", 4) != 0)
		return -1;
	isut = be32(p + 20), isstd = be32(p + 24), leap = be32(p + 28);
	*timecnt = be32(p + 32), *typecnt = be32(p + 36), charcnt = be32(p + 40);
	if (isut > TZIF_MAX_COUNT || isstd > TZIF_MAX_COUNT || leap > TZIF_MAX_COUNT ||
	    *timecnt > TZIF_MAX_COUNT || *typecnt > 256 || *typecnt == 0 || charcnt > TZIF_MAX_COUNT)
		return -1;
	*block = *timecnt * tsize + *timecnt + *typecnt * 6 + charcnt + leap * (tsize + 4) + isstd + isut;
	return (size_t)(end - p - 44) < *block ? -1 : 0;
}

int tzdata_parse_tzif(const unsigned char *buf, size_t size, struct tzdata *z)
{
	const unsigned char *p = buf, *end = buf + size;
	uint32_t timecnt, typecnt;
	size_t tsize = 4, block, cap;
	struct posix_rule rule;
	int32_t *types;
	int version2;

	memset(z, 0, sizeof(*z));
	if (size < 44)
		return -1;
	version2 = buf[4] >= '2';
	if (tzif_header(p, end, tsize, &timecnt, &typecnt, &block) < 0)
		return -1;
	p += 44;
	if (version2) {                  /* skip the v1 data to the 64-bit header and data */
		p += block;
		tsize = 8;
		if (tzif_header(p, end, tsize, &timecnt, &typecnt, &block) < 0)
			return -1;
		p += 44;
	}

	types = xreallocarray(NULL, typecnt, sizeof(*types));
	for (uint32_t i = 0; i < typecnt; i++) {
		types[i] = (int32_t)be32(p + timecnt * tsize + timecnt + i * 6);
		if (types[i] < -MAX_OFFSET || types[i] > MAX_OFFSET) {
			free(types);
			return -1;
		}
	}
	/* before the first transition: type 0 (RFC 8536 3.2) */
	z->initial = types[0];
	cap = timecnt;
	if (timecnt > 0) {
		z->at = xreallocarray(NULL, timecnt, sizeof(*z->at));
		z->off = xreallocarray(NULL, timecnt, sizeof(*z->off));
	}
	for (uint32_t i = 0; i < timecnt; i++) {
		int64_t at = tsize == 8 ? be64(p + i * 8) : (int32_t)be32(p + i * 4);
		unsigned idx = p[timecnt * tsize + i];

		if (idx >= typecnt || (z->n > 0 && at <= z->at[z->n - 1])) {
			free(types);
			tzdata_clear(z);
			return -1;
		}
		/* zic's "big bang" (-2^59) and the like: the type before any time we read */
		if (at < -TZIF_FAR_S) {
			z->initial = types[idx];
			continue;
		}
		if (at > TZIF_FAR_S)
			break;
		z->at[z->n] = at;
		z->off[z->n] = types[idx];
		z->n++;
	}
	free(types);

	/* the v2+ footer, "\nPOSIX-TZ\n": the rule after the last transition */
	p += block;
	if (version2 && p < end && *p == '\n') {
		const unsigned char *nl = memchr(p + 1, '\n', (size_t)(end - p - 1));

		if (nl != NULL && nl - p - 1 < 128) {
			char text[128];
			int from = 1970;

			memcpy(text, p + 1, (size_t)(nl - p - 1));
			text[nl - p - 1] = '\0';
			if (z->n > 0 && z->at[z->n - 1] >= tzdata_days_from_civil(FOOTER_LAST_YEAR, 1, 1) * S_PER_DAY) {
				from = FOOTER_LAST_YEAR + 1;
			} else if (z->n > 0) {
				int m, d;

				tzdata_civil_from_days(tzdata_floor_div(z->at[z->n - 1], S_PER_DAY), &from, &m, &d);
				if (from < FOOTER_FIRST_YEAR)
					from = FOOTER_FIRST_YEAR;
			}
			if (text[0] != '\0' && rule_parse(text, &rule) == 0)
				zone_extend(z, cap, &rule, from);
		}
	}
	return 0;
}

int tzdata_parse_posix(const char *rule, struct tzdata *z)
{
	struct posix_rule r;

	memset(z, 0, sizeof(*z));
	if (rule_parse(rule, &r) < 0)
		return -1;
	zone_extend(z, 0, &r, 1970);
	return 0;
}

void tzdata_copy(struct tzdata *dst, const struct tzdata *src)
{
	*dst = *src;
	dst->at = NULL;
	dst->off = NULL;
	if (src->n > 0) {
		dst->at = xreallocarray(NULL, src->n, sizeof(*dst->at));
		dst->off = xreallocarray(NULL, src->n, sizeof(*dst->off));
		memcpy(dst->at, src->at, src->n * sizeof(*dst->at));
		memcpy(dst->off, src->off, src->n * sizeof(*dst->off));
	}
}

void tzdata_clear(struct tzdata *z)
{
	free(z->at);
	free(z->off);
	memset(z, 0, sizeof(*z));
}
