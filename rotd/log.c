#include "autoconf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

/* sd-daemon priorities */
enum { PRI_ERR = 3, PRI_WARNING = 4, PRI_INFO = 6, PRI_DEBUG = 7 };

static int verbose;
static int journal;

void log_init(void)
{
	const char *js = getenv("JOURNAL_STREAM");

	journal = js != NULL && *js != '\0';
}

void log_set_verbose(int v)
{
	verbose = v;
}

int log_verbose(void)
{
	return verbose;
}

static void vlog(int pri, int with_errno, const char *fmt, va_list ap)
{
	char msg[4096];
	int saved = errno;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (journal)
		fprintf(stderr, "<%d>", pri);
	if (with_errno)
		fprintf(stderr, "rotd: %s: %s\n", msg, strerror(saved));
	else
		fprintf(stderr, "rotd: %s\n", msg);
	errno = saved;
}

#define LOGFN(name, pri, with_errno, guard)          \
	void name(const char *fmt, ...)               \
	{                                              \
		va_list ap;                            \
		if (!(guard))                          \
			return;                        \
		va_start(ap, fmt);                     \
		vlog(pri, with_errno, fmt, ap);        \
		va_end(ap);                            \
	}

LOGFN(log_debug, PRI_DEBUG, 0, verbose)
LOGFN(log_info, PRI_INFO, 0, 1)
LOGFN(log_warn, PRI_WARNING, 1, 1)
LOGFN(log_warnx, PRI_WARNING, 0, 1)
LOGFN(log_error, PRI_ERR, 1, 1)
LOGFN(log_errorx, PRI_ERR, 0, 1)

void fatalx(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(PRI_ERR, 0, fmt, ap);
	va_end(ap);
	exit(status);
}
