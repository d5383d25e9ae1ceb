#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "jobs/offpeak.h"
#include "lib/xalloc.h"

/* Runs localtime_r/mktime under zone tz, restoring the process's TZ after. */
struct tz_switch {
	char *saved;
	int had;
	int active;
};

static void tz_enter(struct tz_switch *z, const char *tz)
{
	const char *cur = getenv("TZ");

	z->active = tz != NULL && *tz != '\0';
	if (!z->active)
		return;
	z->had = cur != NULL;
	z->saved = xstrdup(cur);
	setenv("TZ", tz, 1);
	tzset();
}

static void tz_leave(struct tz_switch *z)
{
	if (!z->active)
		return;
	if (z->had)
		setenv("TZ", z->saved, 1);
	else
		unsetenv("TZ");
	tzset();
	free(z->saved);
}

int offpeak_current(const struct time_window *w, const char *tz, time_t t, time_t *start)
{
	struct tz_switch z;
	struct tm tm;
	unsigned minute;
	int inside;

	tz_enter(&z, tz);
	localtime_r(&t, &tm);
	minute = (unsigned)(tm.tm_hour * 60 + tm.tm_min);
	inside = units_window_contains(w, minute);
	if (inside) {
		/* In the part after midnight of a window that crosses it, the
		 * occurrence began the day before. */
		if (w->end_min <= w->start_min && minute < w->end_min)
			tm.tm_mday -= 1;
		tm.tm_hour = (int)(w->start_min / 60);
		tm.tm_min = (int)(w->start_min % 60);
		tm.tm_sec = 0;
		tm.tm_isdst = -1;
		*start = mktime(&tm);
	}
	tz_leave(&z);
	return inside;
}
