/* shutdown (the two-stage stop) and heartbeat (watchdog pings). Each is
 * process-wide state that cannot be reset, so each test walks one sequence. */
#include "autoconf.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "lib/heartbeat.h"
#include "lib/shutdown.h"
#include "unit.h"

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

START_TEST(stop_then_abandon_after_grace)
{
	ck_assert_int_eq(shutdown_requested(), 0);
	ck_assert_int_eq(shutdown_abandon(), 0);
	shutdown_set_grace(1);
	shutdown_install_handlers(-1);
	ck_assert_int_eq(raise(SIGTERM), 0);
	ck_assert_int_eq(shutdown_requested(), 1);
	ck_assert_int_eq(shutdown_abandon(), 0);
	sleep_ms(1100);
	ck_assert_int_eq(shutdown_abandon(), 1);
	/* A later request keeps the first time. */
	shutdown_request();
	ck_assert_int_eq(shutdown_abandon(), 1);
}
END_TEST

/* Returns how many datagrams wait on fd, reading them; each must be WATCHDOG=1. */
static int drain_pings(int fd)
{
	char buf[64];
	ssize_t n;
	int count = 0;

	while ((n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT)) > 0) {
		buf[n] = '\0';
		ck_assert_str_eq(buf, "WATCHDOG=1");
		count++;
	}
	return count;
}

static void *muted_ticks(void *arg)
{
	heartbeat_mute_thread();
	for (int i = 0; i < 100; i++)
		heartbeat_tick();
	return arg;
}

START_TEST(heartbeat_pings_a_third_of_the_period)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[] = "/tmp/rotd-hb.XXXXXX";
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/notify", dir);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(setenv("NOTIFY_SOCKET", sa.sun_path, 1), 0);

	heartbeat_init(0);
	ck_assert_uint_eq(heartbeat_interval_ms(), 0);
	heartbeat_tick();
	ck_assert_int_eq(drain_pings(fd), 0);

	heartbeat_init(600000);               /* 600 ms: a ping at most every 200 ms */
	ck_assert_uint_eq(heartbeat_interval_ms(), 200);
	heartbeat_tick();
	ck_assert_int_eq(drain_pings(fd), 1);
	for (int i = 0; i < 100; i++)
		heartbeat_tick();
	ck_assert_int_eq(drain_pings(fd), 0);
	sleep_ms(220);
	heartbeat_tick();
	heartbeat_tick();
	ck_assert_int_eq(drain_pings(fd), 1);

	/* A muted thread's ticks never ping, however long since the last; the
	 * other threads' still do. */
	sleep_ms(220);
	{
		pthread_t t;

		ck_assert_int_eq(pthread_create(&t, NULL, muted_ticks, NULL), 0);
		ck_assert_int_eq(pthread_join(t, NULL), 0);
	}
	ck_assert_int_eq(drain_pings(fd), 0);
	heartbeat_tick();
	ck_assert_int_eq(drain_pings(fd), 1);

	unsetenv("NOTIFY_SOCKET");
	heartbeat_init(0);
	close(fd);
	unlink(sa.sun_path);
	rmdir(dir);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("shutdown and heartbeat");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, stop_then_abandon_after_grace);
	tcase_add_test(tc, heartbeat_pings_a_third_of_the_period);
	suite_add_tcase(s, tc);
	return s;
}
