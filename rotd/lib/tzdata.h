/* tzdata: the proleptic Gregorian calendar, and a time zone's UTC offsets as a
 * table of transitions, read from TZif data (RFC 8536) or a POSIX TZ rule. Pure
 * functions of their arguments: no TZ, no locale, no global state. lib/logtime
 * is its one user. */
#ifndef ROTD_TZDATA_H
#define ROTD_TZDATA_H

#include <stddef.h>
#include <stdint.h>

/* Transitions, oldest first: off[i] (seconds east of UTC) is in force from at[i]
 * (UTC seconds) on; initial before at[0], or always when n is 0. */
struct tzdata {
	size_t n;
	int64_t *at;
	int32_t *off;
	int32_t initial;
};

/* Days since 1970-01-01 of the date year-month-day (month 1..12). */
int64_t tzdata_days_from_civil(int year, int month, int day);

/* The date of days since 1970-01-01. */
void tzdata_civil_from_days(int64_t days, int *year, int *month, int *day);

/* The days in month (1..12) of year: 28..31. */
int tzdata_days_in_month(int year, int month);

/* a / b rounded towards minus infinity (b > 0). */
int64_t tzdata_floor_div(int64_t a, int64_t b);

/* Fills z (its old contents are not freed) from TZif data: the 64-bit section of
 * a v2+ file, else the v1 one, then the v2+ footer's POSIX rule through the year
 * 2100. Returns 0, or -1 when buf is not valid TZif (z then owns nothing). */
int tzdata_parse_tzif(const unsigned char *buf, size_t size, struct tzdata *z);

/* Fills z from a POSIX TZ rule ("CET-1CEST,M3.5.0,M10.5.0/3", "<+0330>-3:30"),
 * with its transitions from 1970 through 2100. Returns 0, or -1 when rule is not
 * one (z then owns nothing). */
int tzdata_parse_posix(const char *rule, struct tzdata *z);

/* Makes dst a deep copy of src. */
void tzdata_copy(struct tzdata *dst, const struct tzdata *src);

/* Frees z's tables and empties it. */
void tzdata_clear(struct tzdata *z);

/* The offset (seconds east of UTC) in force at UTC second t. */
int32_t tzdata_offset_at(const struct tzdata *z, int64_t t);

/* The offset that wall time w (seconds since the epoch, read as if UTC) takes:
 * the one in force then; for a wall time a change skips or repeats, the one in
 * force just before the change. */
int32_t tzdata_offset_for_wall(const struct tzdata *z, int64_t w);

#endif
