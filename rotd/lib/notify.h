/* notify: the systemd service notification protocol (see sd_notify(3)),
 * spoken directly on NOTIFY_SOCKET without libsystemd. */
#ifndef ROTD_NOTIFY_H
#define ROTD_NOTIFY_H

#include <stdint.h>

/* Sends state (e.g. "READY=1\nSTATUS=watching 3 containers") as one datagram to
 * the socket named by NOTIFY_SOCKET: a filesystem path, or an abstract socket
 * when it starts with '@'. Returns 1 when sent, 0 when NOTIFY_SOCKET is unset
 * (or empty: not started by systemd, nothing to do), or -1 with errno set
 * (EINVAL when the value is neither an absolute path nor '@name', or too long
 * for sun_path; else the error from sending). Thread-safe. */
int notify_send(const char *state);

/* The watchdog period systemd expects pings within (WATCHDOG_USEC), in
 * microseconds, when WATCHDOG_PID is unset or names this process; else 0
 * (no watchdog). */
uint64_t notify_watchdog_usec(void);

#endif
