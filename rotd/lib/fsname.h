/* fsname: which filesystem a folder is on, named as df names it on the host:
 * its mount point and device. A folder opened through a container's root is
 * looked up in that container's mountinfo (by the fd's mnt_id), then in the
 * host's. An overlay mount (overlay2 gives each container its own device) is
 * traced to the filesystem of its upper layer, so every container on one disk
 * names, and counts as, the same filesystem. */
#ifndef ROTD_FSNAME_H
#define ROTD_FSNAME_H

#include <sys/types.h>

struct fs_name {
	dev_t dev;          /* the backing filesystem's device: for grouping */
	char *mount;        /* its mount point on the host ("/var/lib/docker"), or, when the
	                       host does not mount it, inside the container */
	char *device;       /* the mount source ("/dev/sda1", "tmpfs") */
	char *fstype;       /* "ext4", "xfs", ... */
};

/* One parsed line of /proc/<pid>/mountinfo. Strings point into the line,
 * which is modified (octal escapes such as \040 are decoded). */
struct mountinfo_entry {
	int mount_id;
	unsigned major, minor;
	const char *root;        /* the folder of the filesystem mounted here */
	const char *mount_point;
	const char *fstype;
	const char *source;
	const char *super_options;
};

/* Parses one mountinfo line in place. Returns 0, or -1 when it is malformed. */
int fsname_parse_line(char *line, struct mountinfo_entry *e);

/* The value of key in a comma-separated option list ("upperdir=/x,workdir=/y"),
 * as a new string, or NULL when absent or empty. */
char *fsname_option(const char *options, const char *key);

/* Names the filesystem of the folder open on fd, which was opened through the
 * root of the process pid (0: a host folder). Never fails: what cannot be
 * found is named from st_dev ("device 7:3", mount "?"). Free with
 * fsname_free. */
void fsname_of_fd(int fd, pid_t pid, struct fs_name *out);

/* "MOUNT (DEVICE)", e.g. "/var/lib/docker (/dev/sda1)". New string. */
char *fsname_label(const struct fs_name *n);

/* Frees what n owns. */
void fsname_free(struct fs_name *n);

#endif
