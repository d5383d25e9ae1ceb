#include "autoconf.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/log.h"

/* sd-daemon priorities */
enum { PRI_ERR = 3, PRI_WARNING = 4, PRI_INFO = 6, PRI_DEBUG = 7 };

#define MSG_MAX 4096              /* a longer message is cut */
#define ERASE "\r\033[K"          /* back to column 0, erase to the end of the line */

static int verbose;
static int journal;

/* Guards stderr's lines and whether a transient line is on screen. */
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static int transient_shown;

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

/* Writes all of buf to stderr, retrying short writes and EINTR; with out_lock
 * held. One write(2) unless the kernel takes less. */
static void write_all(const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(STDERR_FILENO, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

/* Appends s to out (capacity cap, length *len), each newline followed by
 * prefix, so that every line of a multi-line message keeps it. Stops short of
 * the last byte, which is kept for the final newline. */
static void append(char *out, size_t cap, size_t *len, const char *s, const char *prefix)
{
	size_t plen = strlen(prefix);

	for (; *s != '\0' && *len + 1 < cap; s++) {
		out[(*len)++] = *s;
		if (*s == '\n' && s[1] != '\0') {
			if (*len + plen + 1 >= cap)
				break;
			for (const char *q = prefix; *q != '\0'; q++)
				out[(*len)++] = *q;
		}
	}
}

/* bare: no "rotd: " outside the journal. */
static void vlog(int pri, int with_errno, int bare, const char *fmt, va_list ap)
{
	/* ERASE, "<N>" or "rotd: ", the message, ": " and strerror, "\n". */
	char msg[MSG_MAX], prefix[16], line[sizeof(ERASE) + 3 * MSG_MAX];
	size_t len = sizeof(ERASE) - 1;
	int saved = errno;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* The journal names the program itself (rotd[PID]: ...), so a line for
	 * it carries only the priority. */
	if (journal)
		snprintf(prefix, sizeof(prefix), "<%d>", pri);
	else
		snprintf(prefix, sizeof(prefix), "%s", bare ? "" : "rotd: ");
	append(line, sizeof(line), &len, prefix, "");
	append(line, sizeof(line), &len, msg, prefix);
	if (with_errno) {
		append(line, sizeof(line), &len, ": ", "");
		append(line, sizeof(line), &len, strerror(saved), prefix);
	}
	line[len++] = '\n';
	memcpy(line, ERASE, sizeof(ERASE) - 1);

	pthread_mutex_lock(&out_lock);
	if (transient_shown)
		write_all(line, len);
	else
		write_all(line + sizeof(ERASE) - 1, len - (sizeof(ERASE) - 1));
	transient_shown = 0;
	pthread_mutex_unlock(&out_lock);
	errno = saved;
}

#define LOGFN(name, pri, with_errno, guard)          \
	void name(const char *fmt, ...)               \
	{                                              \
		va_list ap;                            \
		if (!(guard))                          \
			return;                        \
		va_start(ap, fmt);                     \
		vlog(pri, with_errno, 0, fmt, ap);     \
		va_end(ap);                            \
	}

LOGFN(log_debug, PRI_DEBUG, 0, verbose)
LOGFN(log_info, PRI_INFO, 0, 1)
LOGFN(log_warn, PRI_WARNING, 1, 1)
LOGFN(log_warnx, PRI_WARNING, 0, 1)
LOGFN(log_error, PRI_ERR, 1, 1)
LOGFN(log_errorx, PRI_ERR, 0, 1)

void log_errorx_bare(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(PRI_ERR, 0, 1, fmt, ap);
	va_end(ap);
}

void fatalx(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(PRI_ERR, 0, 0, fmt, ap);
	va_end(ap);
	exit(status);
}

void log_transient(const char *text)
{
	char line[MSG_MAX];
	int n = snprintf(line, sizeof(line), "\r%s\033[K", text);

	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = (int)sizeof(line) - 1;
	pthread_mutex_lock(&out_lock);
	write_all(line, (size_t)n);
	transient_shown = 1;
	pthread_mutex_unlock(&out_lock);
}

void log_transient_clear(void)
{
	pthread_mutex_lock(&out_lock);
	if (transient_shown)
		write_all(ERASE, sizeof(ERASE) - 1);
	transient_shown = 0;
	pthread_mutex_unlock(&out_lock);
}
