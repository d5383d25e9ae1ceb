/* holders: whether any process of a container holds a given file open.
 * Guards the removal of idle files: a file some process still writes to is kept. */
#ifndef ROTD_HOLDERS_H
#define ROTD_HOLDERS_H

#include <sys/types.h>

/* Looks through the processes that share container_pid's mount namespace for an
 * open fd on the file (dev, ino). Returns 1 and sets *holder to one such pid, 0
 * when none holds it, or -1 with errno set when container_pid's namespace cannot
 * be read (callers then treat the file as held). */
int holders_find(pid_t container_pid, dev_t dev, ino_t ino, pid_t *holder);

#endif
