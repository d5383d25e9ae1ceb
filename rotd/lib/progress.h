/* progress: what rotd is doing right now and how far it got, for whoever
 * watches: the step ("rotating", "archiving", "finishing", "cleanup.sh",
 * "media", "remediation"), its subject (a container and a path inside it) and
 * bytes done of total.
 *
 * Work reports from any thread. progress_begin and progress_end bracket one
 * piece of work in the calling thread (pieces nest); progress_set_total and
 * progress_advance update the calling thread's innermost piece and do nothing
 * in a thread that began none, so the compressor ticks without knowing who
 * called it. Readers take a snapshot. Nothing here is for signal handlers.
 *
 * A watch thread turns the snapshots into what people see: the daemon's status
 * file and STATUS= (through a callback, at most once a second), rotd --now's
 * one-line terminal display, and the acknowledgement of a stop request. */
#ifndef ROTD_PROGRESS_H
#define ROTD_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

/* Files at least this large get rotd --now's terminal line (strictly larger). */
#define PROGRESS_CONSOLE_MIN (UINT64_C(64) << 20)

/* Begins a piece of work in the calling thread: step (a short verb, copied),
 * container and path (copied, either may be NULL) and the bytes it will take
 * (0: not known yet). Thread-safe. */
void progress_begin(const char *step, const char *container, const char *path, uint64_t total);

/* Sets the total of the calling thread's innermost piece. */
void progress_set_total(uint64_t total);

/* Adds bytes to what the calling thread's innermost piece has done. Lock-free;
 * cheap enough for every buffer. */
void progress_advance(uint64_t bytes);

/* Ends the calling thread's innermost piece; the one around it, if any,
 * becomes innermost again. Does nothing when none was begun. */
void progress_end(void);

/* One piece of work as a snapshot shows it. */
struct progress_entry {
	char *step;
	char *container;          /* or NULL */
	char *path;               /* inside the container, or NULL */
	uint64_t done;
	uint64_t total;           /* 0: not known */
	double seconds;           /* since it began */
};

struct progress_snapshot {
	struct progress_entry *v; /* oldest first */
	size_t n;
};

/* Copies what is in progress now into *s (free with progress_snapshot_free). */
void progress_snapshot(struct progress_snapshot *s);

/* Frees what s holds. */
void progress_snapshot_free(struct progress_snapshot *s);

/* A number that changes whenever a piece begins, ends or advances. */
uint64_t progress_generation(void);

/* ---- formatting (pure) ---------------------------------------------------- */

/* "412 of 894 MiB", "1.2 of 2.6 GiB", "12 KiB" (total 0: done alone), or ""
 * when both are 0. Both figures share the total's unit. Returns buf. */
char *progress_format_amount(uint64_t done, uint64_t total, char *buf, size_t len);

/* "45.1 MiB/s", "512 B/s". Returns buf. */
char *progress_format_rate(double bytes_per_second, char *buf, size_t len);

/* Time left, rounded up: "11s", "2m 05s", "1h 02m", "3d 04h". Returns buf. */
char *progress_format_eta(double seconds, char *buf, size_t len);

/* Bytes per second over the entry's life so far, or 0 when too early to say
 * (under half a second, or nothing done). */
double progress_rate(const struct progress_entry *e);

/* "rotating biz_waweb_1:/var/log/whatsapp/web.log: 412 of 894 MiB",
 * "cleanup.sh biz_waweb_1". Container-controlled strings are escaped as by
 * escape_text. New string. */
char *progress_describe(const struct progress_entry *e);

/* The entry to name when only one fits: of those with a known total, the one
 * with the most bytes left (the oldest among equals); else the newest. NULL
 * when s is empty. */
const struct progress_entry *progress_main(const struct progress_snapshot *s);

/* One line for STATUS=: progress_describe of progress_main, then " (and N
 * more)" when others run beside it. NULL when nothing is in progress. New
 * string. */
char *progress_status_line(const struct progress_snapshot *s);

/* rotd --now's terminal line, over the entries whose total is over
 * PROGRESS_CONSOLE_MIN: "rotating biz_waweb_1:/var/log/whatsapp/web.log: 412 of
 * 894 MiB, 45.1 MiB/s, ETA 11s", or "compressing 3 files: 1.2 of 2.6 GiB, ..."
 * for several. Shortened to fit width - 1 columns (width 0: no limit). NULL when
 * no such entry runs. New string. */
char *progress_console_line(const struct progress_snapshot *s, size_t width);

/* The acknowledgement of a stop request: "stopping: finishing
 * biz_waweb_1:/var/log/whatsapp/web.log (412 of 894 MiB, up to 30 s more)",
 * where grace is the seconds shutdown still allows work in progress ("abandoning"
 * when 0); then "; " and hint
 * unless hint is NULL. "stopping on request" when nothing is in progress. New
 * string. */
char *progress_stop_line(const struct progress_snapshot *s, unsigned grace, const char *hint);

/* ---- the watch thread ------------------------------------------------------ */

struct progress_watch_options {
	int console;              /* draw progress_console_line on stderr, \r-updated,
	                             if stderr is a terminal (else nothing is drawn) */
	const char *stop_hint;    /* for progress_stop_line, or NULL (copied) */
	void (*changed)(void *arg);  /* called from the watch thread at most about once a
	                                second while progress changes, and at once after a
	                                stop was acknowledged; or NULL */
	void *arg;
};

struct progress_watch;

/* Starts a thread that wakes every 100 ms: acknowledges a stop request (a log
 * line, progress_stop_line, said once by whoever calls shutdown_acknowledge
 * first), calls changed when due and redraws the console line. Returns the
 * handle, or NULL (logged) when no thread could start. */
struct progress_watch *progress_watch_start(const struct progress_watch_options *o);

/* Stops and joins the thread, erasing the console line. NULL is ignored. */
void progress_watch_stop(struct progress_watch *w);

/* rotd --now's watch: the console line when stderr is a terminal, and a stop
 * hint about pressing Ctrl-C again (or, without a terminal, sending the signal
 * again). progress_console_stop ends it and erases the line before anything
 * else is printed. One at a time. */
void progress_console_start(void);
void progress_console_stop(void);

#endif
