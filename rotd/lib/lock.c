#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "lib/lock.h"
#include "lib/shutdown.h"
#include "lib/log.h"
#include "lib/xalloc.h"

#define LOCK_POLL_MS 200

int lock_take(const char *path, unsigned long wait_s, char **err)
{
	int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	struct timespec start, now;
	int told = 0;

	if (fd < 0) {
		*err = xasprintf("cannot open the lock file %s: %s", path, strerror(errno));
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return fd;
		if (errno != EWOULDBLOCK && errno != EINTR) {
			*err = xasprintf("cannot lock %s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((unsigned long)(now.tv_sec - start.tv_sec) >= wait_s || shutdown_requested()) {
			close(fd);
			return -2;
		}
		if (!told) {
			log_info("another rotd pass holds %s; waiting up to %lu s", path, wait_s);
			told = 1;
		}
		usleep(LOCK_POLL_MS * 1000);
	}
}
