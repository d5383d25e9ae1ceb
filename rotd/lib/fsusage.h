/* fsusage: how full a filesystem is, measured with fstatvfs(2) on a folder's fd
 * (so it works through a container's root), the way df(1) counts. */
#ifndef ROTD_FSUSAGE_H
#define ROTD_FSUSAGE_H

#include <stdint.h>
#include <sys/types.h>

struct fs_usage {
	dev_t dev;                /* st_dev of the folder: which filesystem it is */
	uint64_t size;            /* bytes: f_blocks * f_frsize */
	uint64_t used;            /* bytes: (f_blocks - f_bfree) * f_frsize */
	uint64_t avail;           /* bytes an unprivileged writer may still use: f_bavail * f_frsize */
	unsigned used_pct;        /* df's Use%: used * 100 / (used + avail), rounded up; 0 when empty */
	uint64_t inodes;          /* f_files; 0 when the filesystem has no inode limit */
	uint64_t inodes_used;     /* f_files - f_ffree */
	unsigned inodes_pct;      /* inodes_used * 100 / inodes, rounded up; 0 without a limit */
};

/* Measures the filesystem holding the folder open on dirfd. Returns 0 and fills
 * *u, or -1 with errno set. */
int fsusage_measure(int dirfd, struct fs_usage *u);

/* The larger of used_pct and inodes_pct: the figure watermarks compare. */
unsigned fsusage_pct(const struct fs_usage *u);

/* Bytes that must go for used_pct to be at most pct (0 when it already is):
 * used - floor(pct * (used + avail) / 100). */
uint64_t fsusage_bytes_over(const struct fs_usage *u, unsigned pct);

/* Makes u the usage an estimate expects once bytes more are freed: used falls,
 * avail grows, used_pct follows (inodes are left as they are). */
void fsusage_after_freeing(struct fs_usage *u, uint64_t bytes);

#endif
