#include "autoconf.h"

#include <stdatomic.h>
#include <time.h>

#include "lib/heartbeat.h"
#include "lib/log.h"
#include "lib/notify.h"

static uint64_t interval_ms;             /* 0: watchdog off */
static atomic_ullong last_ping_ms;
static _Thread_local int muted;          /* heartbeat_mute_thread was called in this thread */

static unsigned long long monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000u + (unsigned long long)ts.tv_nsec / 1000000u;
}

void heartbeat_init(uint64_t watchdog_usec)
{
	interval_ms = watchdog_usec / 3000u;
	if (watchdog_usec > 0 && interval_ms == 0)
		interval_ms = 1;
	atomic_store(&last_ping_ms, 0);
	if (interval_ms > 0)
		log_debug("systemd watchdog: pinging every %llu ms", (unsigned long long)interval_ms);
}

void heartbeat_tick(void)
{
	unsigned long long now, last;

	if (interval_ms == 0 || muted)
		return;
	now = monotonic_ms();
	last = atomic_load(&last_ping_ms);
	if (last != 0 && now - last < interval_ms)
		return;
	/* One thread wins the ping; the others see the new time. */
	if (!atomic_compare_exchange_strong(&last_ping_ms, &last, now))
		return;
	if (notify_send("WATCHDOG=1") < 0)
		log_warn("cannot ping the systemd watchdog");
}

void heartbeat_mute_thread(void)
{
	muted = 1;
}

uint64_t heartbeat_interval_ms(void)
{
	return interval_ms;
}
