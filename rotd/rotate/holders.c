#include "autoconf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rotate/holders.h"

/* Scans /proc/<pid>/fd of one process for (dev, ino). */
static int process_holds(int proc_fd, const char *pid_name, dev_t dev, ino_t ino)
{
	char fd_dir[300];
	struct dirent *de;
	int dfd, found = 0;
	DIR *dp;

	snprintf(fd_dir, sizeof(fd_dir), "%s/fd", pid_name);
	dfd = openat(proc_fd, fd_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return 0; /* exited meanwhile, or a kernel thread */
	dp = fdopendir(dfd);
	if (dp == NULL) {
		close(dfd);
		return 0;
	}
	while (!found && (de = readdir(dp)) != NULL) {
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		/* stat follows the fd's magic link to the open file itself. */
		if (fstatat(dirfd(dp), de->d_name, &st, 0) == 0 && st.st_dev == dev && st.st_ino == ino)
			found = 1;
	}
	closedir(dp);
	return found;
}

int holders_find(pid_t container_pid, dev_t dev, ino_t ino, pid_t *holder)
{
	char ns_path[64];
	struct stat ns;
	struct dirent *de;
	DIR *proc;
	int proc_fd, found = 0;

	snprintf(ns_path, sizeof(ns_path), "/proc/%ld/ns/mnt", (long)container_pid);
	if (stat(ns_path, &ns) < 0)
		return -1;
	proc = opendir("/proc");
	if (proc == NULL)
		return -1;
	proc_fd = dirfd(proc);
	while (!found && (de = readdir(proc)) != NULL) {
		char mnt[300];
		struct stat st;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(mnt, sizeof(mnt), "%s/ns/mnt", de->d_name);
		if (fstatat(proc_fd, mnt, &st, 0) < 0 || st.st_ino != ns.st_ino || st.st_dev != ns.st_dev)
			continue;
		if (process_holds(proc_fd, de->d_name, dev, ino)) {
			*holder = (pid_t)atol(de->d_name);
			found = 1;
		}
	}
	closedir(proc);
	return found;
}
