#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/atomicfile.h"
#include "lib/path.h"
#include "lib/xalloc.h"

static int write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int atomicfile_write(const char *path, const void *data, size_t len, mode_t mode, mode_t dir_mode,
		     const char *what, char **err)
{
	char *dir = path_dir(path);
	char *tmp = xasprintf("%s/.%s.XXXXXX", dir, path_base(path));
	int fd = -1, dfd, rc = -1;

	if (dir_mode != 0) {
		if (mkdir(dir, dir_mode) == 0) {
			/* mkdir applied the umask. */
			chmod(dir, dir_mode);
		} else if (errno != EEXIST) {
			*err = xasprintf("cannot create %s for %s %s: %s", dir, what, path, strerror(errno));
			goto out;
		}
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		*err = xasprintf("cannot write %s %s: %s: %s", what, path, dir, strerror(errno));
		goto out;
	}
	if (fchmod(fd, mode) < 0 || write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		*err = xasprintf("cannot write %s %s: %s", what, path, strerror(errno));
		goto fail;
	}
	if (close(fd) < 0) {
		fd = -1;
		*err = xasprintf("cannot write %s %s: %s", what, path, strerror(errno));
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		*err = xasprintf("cannot replace %s %s: %s", what, path, strerror(errno));
		goto fail;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	rc = 0;
	goto out;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
out:
	free(tmp);
	free(dir);
	return rc;
}
