/* logclock: how the lines of one log are dated, made from its policy's `timestamp`
 * and `timezone` (lib/logtime), for the archive writer's index and for rotd logs. */
#ifndef ROTD_LOGCLOCK_H
#define ROTD_LOGCLOCK_H

#include <stdint.h>

#include "config/config.h"
#include "lib/logtime.h"
#include "rotate/compress.h"

struct logclock {
	struct logtime_zone *zone;
	struct logtime_parser *parser;
	struct compress_clock clock;   /* dates lines with parser; what compress_range takes */
};

/* Makes the clock of pol's lines, dating year-less times against now_us. Returns 0,
 * or -1 with *err set to a new one-line message (a zone or format the config check
 * let through but that no longer loads, such as a zone file removed since). */
int logclock_open(struct logclock *c, const struct log_policy *pol, int64_t now_us, char **err);

/* Frees what c owns; a zeroed or closed clock is allowed. */
void logclock_close(struct logclock *c);

#endif
