#include "autoconf.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/notify.h"

int notify_send(const char *state)
{
	const char *name = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa;
	size_t len, slen = strlen(state);
	socklen_t salen;
	ssize_t n;
	int fd, saved;

	if (name == NULL || name[0] == '\0')
		return 0;
	len = strlen(name);
	/* A path needs its terminating NUL; an abstract name ('@' becomes NUL) does not. */
	if ((name[0] != '@' && name[0] != '/') || len < 2 ||
	    len >= sizeof(sa.sun_path) + (name[0] == '@')) {
		errno = EINVAL;
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, name, len);
	if (name[0] == '@') {
		sa.sun_path[0] = '\0';
		salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
	} else {
		salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + 1);
	}

	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	n = sendto(fd, state, slen, MSG_NOSIGNAL, (struct sockaddr *)&sa, salen);
	saved = errno;
	close(fd);
	if (n < 0) {
		errno = saved;
		return -1;
	}
	if ((size_t)n != slen) {
		errno = EMSGSIZE;
		return -1;
	}
	return 1;
}

/* Digits only, no sign, no spaces; 0 on anything else or overflow. */
static unsigned long long parse_positive(const char *s)
{
	unsigned long long v = 0;

	if (s == NULL || *s == '\0')
		return 0;
	for (; *s != '\0'; s++) {
		unsigned d;

		if (*s < '0' || *s > '9')
			return 0;
		d = (unsigned)(*s - '0');
		if (v > (~0ULL - d) / 10)
			return 0;
		v = v * 10 + d;
	}
	return v;
}

uint64_t notify_watchdog_usec(void)
{
	const char *pid = getenv("WATCHDOG_PID");
	unsigned long long usec;

	if (pid != NULL) {
		unsigned long long p = parse_positive(pid);

		if (p == 0 || p != (unsigned long long)getpid())
			return 0;
	}
	usec = parse_positive(getenv("WATCHDOG_USEC"));
	return (uint64_t)usec;
}
