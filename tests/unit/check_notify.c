/* The sd_notify protocol, against real listening sockets. */
#include "autoconf.h"

#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/notify.h"
#include "unit.h"

struct listener {
	int fd;
	char dir[64];
	char path[96];
};

static void listen_path(struct listener *l)
{
	struct sockaddr_un sa;

	snprintf(l->dir, sizeof(l->dir), "/tmp/rotd-notify.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(l->dir));
	snprintf(l->path, sizeof(l->path), "%s/notify", l->dir);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	ck_assert_uint_lt(strlen(l->path), sizeof(sa.sun_path));
	memcpy(sa.sun_path, l->path, strlen(l->path) + 1);
	l->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(l->fd, 0);
	ck_assert_int_eq(bind(l->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(setenv("NOTIFY_SOCKET", l->path, 1), 0);
}

/* Binds an abstract socket; l->path gets the '@' form systemd would export. */
static void listen_abstract(struct listener *l)
{
	struct sockaddr_un sa;
	size_t len;

	l->dir[0] = '\0';
	snprintf(l->path, sizeof(l->path), "@rotd-notify-test/%ld/%d", (long)getpid(), rand());
	len = strlen(l->path);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, l->path, len);
	sa.sun_path[0] = '\0';
	l->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(l->fd, 0);
	ck_assert_int_eq(bind(l->fd, (struct sockaddr *)&sa, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)),
			 0);
	ck_assert_int_eq(setenv("NOTIFY_SOCKET", l->path, 1), 0);
}

/* One datagram, NUL-terminated into buf; its length, or -1 when none came. */
static ssize_t receive(struct listener *l, char *buf, size_t len)
{
	struct pollfd p = { l->fd, POLLIN, 0 };
	ssize_t n;

	if (poll(&p, 1, 2000) != 1)
		return -1;
	n = recv(l->fd, buf, len - 1, MSG_DONTWAIT);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

static int pending(struct listener *l)
{
	struct pollfd p = { l->fd, POLLIN, 0 };

	return poll(&p, 1, 0) == 1;
}

static void listener_close(struct listener *l)
{
	close(l->fd);
	if (l->dir[0] != '\0') {
		unlink(l->path);
		rmdir(l->dir);
	}
	unsetenv("NOTIFY_SOCKET");
}

START_TEST(ready_arrives_intact)
{
	struct listener l = { 0 };
	char buf[256];

	listen_path(&l);
	ck_assert_int_eq(notify_send("READY=1"), 1);
	ck_assert_int_eq(receive(&l, buf, sizeof(buf)), 7);
	ck_assert_str_eq(buf, "READY=1");
	ck_assert_int_eq(pending(&l), 0);
	listener_close(&l);
}
END_TEST

START_TEST(multi_line_state_is_one_datagram)
{
	static const char state[] = "READY=1\nSTATUS=watching 3 containers\nMAINPID=1";
	struct listener l = { 0 };
	char buf[256];

	listen_path(&l);
	ck_assert_int_eq(notify_send(state), 1);
	ck_assert_int_eq(receive(&l, buf, sizeof(buf)), (ssize_t)strlen(state));
	ck_assert_str_eq(buf, state);
	ck_assert_int_eq(pending(&l), 0);
	/* Each call is its own datagram. */
	ck_assert_int_eq(notify_send("WATCHDOG=1"), 1);
	ck_assert_int_eq(notify_send("STOPPING=1"), 1);
	ck_assert_int_eq(receive(&l, buf, sizeof(buf)), 10);
	ck_assert_str_eq(buf, "WATCHDOG=1");
	ck_assert_int_eq(receive(&l, buf, sizeof(buf)), 10);
	ck_assert_str_eq(buf, "STOPPING=1");
	listener_close(&l);
}
END_TEST

START_TEST(abstract_socket)
{
	struct listener l = { 0 };
	char buf[256];

	listen_abstract(&l);
	ck_assert_int_eq(notify_send("STATUS=idle"), 1);
	ck_assert_int_eq(receive(&l, buf, sizeof(buf)), 11);
	ck_assert_str_eq(buf, "STATUS=idle");
	listener_close(&l);
}
END_TEST

START_TEST(unset_socket_is_a_no_op)
{
	unsetenv("NOTIFY_SOCKET");
	ck_assert_int_eq(notify_send("READY=1"), 0);
	setenv("NOTIFY_SOCKET", "", 1);
	ck_assert_int_eq(notify_send("READY=1"), 0);
	unsetenv("NOTIFY_SOCKET");
}
END_TEST

START_TEST(bad_socket_fails)
{
	char dir[64], path[96], longpath[300];
	FILE *f;

	snprintf(dir, sizeof(dir), "/tmp/rotd-notify.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));

	/* Nobody listening. */
	snprintf(path, sizeof(path), "%s/nobody", dir);
	setenv("NOTIFY_SOCKET", path, 1);
	errno = 0;
	ck_assert_int_eq(notify_send("READY=1"), -1);
	ck_assert_int_ne(errno, 0);

	/* Not a socket. */
	snprintf(path, sizeof(path), "%s/plain", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	setenv("NOTIFY_SOCKET", path, 1);
	ck_assert_int_eq(notify_send("READY=1"), -1);
	unlink(path);

	/* Too long for sun_path. */
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	setenv("NOTIFY_SOCKET", longpath, 1);
	errno = 0;
	ck_assert_int_eq(notify_send("READY=1"), -1);
	ck_assert_int_eq(errno, EINVAL);
	longpath[0] = '@';
	errno = 0;
	ck_assert_int_eq(notify_send("READY=1"), -1);
	ck_assert_int_eq(errno, EINVAL);

	/* Neither a path nor an abstract name. */
	setenv("NOTIFY_SOCKET", "relative/notify", 1);
	errno = 0;
	ck_assert_int_eq(notify_send("READY=1"), -1);
	ck_assert_int_eq(errno, EINVAL);
	setenv("NOTIFY_SOCKET", "@", 1);
	ck_assert_int_eq(notify_send("READY=1"), -1);

	unsetenv("NOTIFY_SOCKET");
	rmdir(dir);
}
END_TEST

START_TEST(watchdog_env)
{
	static const char *const garbage[] = { "", "0", "-5", "+5", " 5", "5 ", "5s", "abc", "0x10",
					       "99999999999999999999999" };
	char own[32];

	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	ck_assert_uint_eq(notify_watchdog_usec(), 0);

	setenv("WATCHDOG_USEC", "30000000", 1);
	ck_assert_uint_eq(notify_watchdog_usec(), 30000000);

	for (size_t i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
		setenv("WATCHDOG_USEC", garbage[i], 1);
		ck_assert_msg(notify_watchdog_usec() == 0, "WATCHDOG_USEC=\"%s\" accepted", garbage[i]);
	}

	setenv("WATCHDOG_USEC", "5000000", 1);
	snprintf(own, sizeof(own), "%ld", (long)getpid());
	setenv("WATCHDOG_PID", own, 1);
	ck_assert_uint_eq(notify_watchdog_usec(), 5000000);
	snprintf(own, sizeof(own), "%ld", (long)getpid() + 1);
	setenv("WATCHDOG_PID", own, 1);
	ck_assert_uint_eq(notify_watchdog_usec(), 0);
	setenv("WATCHDOG_PID", "garbage", 1);
	ck_assert_uint_eq(notify_watchdog_usec(), 0);

	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("notify");
	TCase *tc = tcase_create("sd_notify");

	tcase_add_test(tc, ready_arrives_intact);
	tcase_add_test(tc, multi_line_state_is_one_datagram);
	tcase_add_test(tc, abstract_socket);
	tcase_add_test(tc, unset_socket_is_a_no_op);
	tcase_add_test(tc, bad_socket_fails);
	tcase_add_test(tc, watchdog_env);
	suite_add_tcase(s, tc);
	return s;
}
