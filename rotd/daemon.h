/* daemon: rotd as a long-running service (rotd without --now).
 *
 * One loop on the main thread: it keeps the inventory current from the
 * engine's events (events.h), rotates what is over its size every interval and
 * at once in a container that just started, runs the off-peak jobs once per
 * window, reloads the config on SIGHUP (keeping the old one when the new one is
 * invalid), and on SIGTERM or SIGINT finishes the files in progress and exits.
 * Every pass takes the lock that rotd --now takes. It speaks the systemd notify
 * protocol (READY, STATUS, WATCHDOG, RELOADING, STOPPING), writes the status
 * file for `rotd status`, and the Prometheus metrics after every pass.
 * A thread of its own, at idle I/O priority, measures what fills the disks
 * (usage.h) every usage-interval for the usage gauges, without the lock and
 * without anything a pass waits for. */
#ifndef ROTD_DAEMON_H
#define ROTD_DAEMON_H

#include "config/config.h"

/* Runs until a stop signal. config_path is what --config named (NULL: the
 * default file or the built-in defaults), re-read on SIGHUP; cfg is its first
 * load, taken over. Returns the exit status: 0 after a stop signal, 3 when the
 * engine's socket cannot even be chosen. */
int daemon_run(const char *config_path, struct rotd_config *cfg);

#endif
