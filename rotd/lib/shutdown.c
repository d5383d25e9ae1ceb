#include "autoconf.h"

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/shutdown.h"

/* CLOCK_MONOTONIC milliseconds of the request + 1; 0 while none (lock-free, so
 * a signal handler may store it). */
static atomic_long requested_at;
static atomic_uint grace = 30;
static atomic_int acknowledged;

static long monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void shutdown_set_grace(unsigned seconds)
{
	atomic_store(&grace, seconds);
}

void shutdown_request(void)
{
	long none = 0;

	atomic_compare_exchange_strong(&requested_at, &none, monotonic_ms() + 1);
}

int shutdown_requested(void)
{
	return atomic_load(&requested_at) != 0;
}

int shutdown_abandon(void)
{
	long at = atomic_load(&requested_at);

	return at != 0 && monotonic_ms() - (at - 1) >= 1000L * (long)atomic_load(&grace);
}

unsigned shutdown_grace_left(void)
{
	long at = atomic_load(&requested_at);
	long left = 1000L * (long)atomic_load(&grace);

	if (at != 0)
		left -= monotonic_ms() - (at - 1);
	return left <= 0 ? 0 : (unsigned)((left + 999) / 1000);
}

int shutdown_acknowledge(void)
{
	return shutdown_requested() && atomic_exchange(&acknowledged, 1) == 0;
}

static int wake_fd = -1;

static void on_stop_signal(int sig)
{
	int saved = errno;

	if (shutdown_requested()) {
		signal(sig, SIG_DFL);
		raise(sig);
	}
	shutdown_request();
	if (wake_fd >= 0 && write(wake_fd, "s", 1) < 0) {
		/* The pipe is full: the loop is awake anyway. */
	}
	errno = saved;
}

void shutdown_install_handlers(int fd)
{
	struct sigaction sa;

	wake_fd = fd;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}
