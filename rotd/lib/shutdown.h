/* shutdown: a stop asked for by a signal (SIGTERM, SIGINT), which long work
 * polls so that it ends at a safe point instead of being killed mid-step.
 *
 * Two stages: once requested, no new file, container or job is started; once
 * the grace period has also passed, work in progress is abandoned at its next
 * safe point (a compression into an unlinked temp file, an engine request). */
#ifndef ROTD_SHUTDOWN_H
#define ROTD_SHUTDOWN_H

/* Sets how many seconds work in progress may go on after the request (default 30). */
void shutdown_set_grace(unsigned seconds);

/* Makes SIGTERM and SIGINT request the stop (and write one byte to wake_fd
 * unless it is -1, to wake a poll); a second such signal ends the process at
 * once, with the default action. */
void shutdown_install_handlers(int wake_fd);

/* Records the request. Async-signal-safe; repeated calls keep the first time. */
void shutdown_request(void);

/* 1 once a stop was requested, else 0. Thread-safe. */
int shutdown_requested(void);

/* 1 once a stop was requested and the grace period has passed, else 0. Thread-safe. */
int shutdown_abandon(void);

/* Seconds of the grace period still left, rounded up: all of it while no stop
 * was requested, 0 once work in progress is abandoned. Thread-safe. */
unsigned shutdown_grace_left(void);

/* 1 for exactly one call after a stop was requested, else 0: whoever gets the 1
 * says that the request was heard (never the signal handler, which only sets
 * the flag). Thread-safe. */
int shutdown_acknowledge(void);

#endif
