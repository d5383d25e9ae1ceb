/* log: rotd's diagnostics on stderr.
 *
 * Every message is one line prefixed "rotd: ". Under systemd (JOURNAL_STREAM set)
 * the prefix is the sd-daemon "<N>" priority instead: the journal names the
 * program itself (rotd[PID]: ...). The *_warn variants append
 * ": strerror(errno)"; the *_warnx variants do not. Debug lines appear only after
 * log_set_verbose(1).
 *
 * Each line, its prefixes included, goes out in one write(2) under one lock, so
 * lines from different threads never interleave or mix priorities. A message
 * that holds newlines keeps its priority prefix on every line. */
#ifndef ROTD_LOG_H
#define ROTD_LOG_H

/* Reads JOURNAL_STREAM to choose the line format; call once at start. */
void log_init(void);
/* Enables (1) or disables (0) debug lines. */
void log_set_verbose(int verbose);
/* Returns 1 when debug lines are enabled. */
int log_verbose(void);

void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_errorx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Like log_errorx, but without "rotd: " outside the journal: for lines that are
 * a command's own output, such as --check-config's "file:line: message" list.
 * Under the journal the line carries the err priority like any other. */
void log_errorx_bare(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Logs at error priority and exits with status; never returns. */
void fatalx(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

/* Draws line (one line of printable text, no newline) on stderr as the
 * transient line, over the previous one ("\r", then the text, then erase to the
 * end of the line). The next log line erases it first, in the same write. For
 * a terminal only: the caller checks isatty. */
void log_transient(const char *line);
/* Erases the transient line, if one is shown. */
void log_transient_clear(void);

#endif
