/* offpeak: the daily window for the heavy jobs, in local time or a named zone. */
#ifndef ROTD_OFFPEAK_H
#define ROTD_OFFPEAK_H

#include <time.h>

#include "lib/units.h"

/* Returns 1 when t falls inside window w in time zone tz (NULL or "": local
 * time) and sets *start to the moment that occurrence of the window began (the
 * previous day's start for the early part of a window crossing midnight);
 * returns 0 otherwise. Not thread-safe (it switches TZ while it works). */
int offpeak_current(const struct time_window *w, const char *tz, time_t t, time_t *start);

#endif
