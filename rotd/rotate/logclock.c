#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "rotate/logclock.h"

static int time_of(const void *ctx, const char *line, size_t len, int64_t *t_us)
{
	return logtime_parse(ctx, line, len, t_us);
}

int logclock_open(struct logclock *c, const struct log_policy *pol, int64_t now_us, char **err)
{
	memset(c, 0, sizeof(*c));
	c->zone = logtime_zone_load(pol->timezone != NULL ? pol->timezone : "UTC", err);
	if (c->zone == NULL)
		return -1;
	c->parser = logtime_parser_new(pol->timestamp, c->zone, now_us, err);
	if (c->parser == NULL) {
		logclock_close(c);
		return -1;
	}
	c->clock.time_of = time_of;
	c->clock.ctx = c->parser;
	return 0;
}

void logclock_close(struct logclock *c)
{
	logtime_parser_free(c->parser);
	logtime_zone_free(c->zone);
	memset(c, 0, sizeof(*c));
}
