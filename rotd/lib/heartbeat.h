/* heartbeat: proof that rotd is moving, turned into systemd watchdog pings.
 *
 * The daemon's loop ticks whenever it wakes; long work ticks as it makes
 * progress (each compressed buffer, each engine transfer second, each media
 * folder). A tick sends WATCHDOG=1 when a third of the watchdog period has gone
 * by since the last ping, so a hang anywhere stops the pings and systemd
 * restarts rotd. */
#ifndef ROTD_HEARTBEAT_H
#define ROTD_HEARTBEAT_H

#include <stdint.h>

/* Turns pings on with systemd's watchdog period in microseconds (0: off, the
 * default). Call before any thread ticks. */
void heartbeat_init(uint64_t watchdog_usec);

/* Records progress; pings when due. Cheap, thread-safe. */
void heartbeat_tick(void);

/* From now on, ticks of the calling thread are ignored: its progress says
 * nothing of whether the work the watchdog guards is moving. */
void heartbeat_mute_thread(void);

/* Milliseconds between pings (a third of the period), or 0 when off. */
uint64_t heartbeat_interval_ms(void);

#endif
