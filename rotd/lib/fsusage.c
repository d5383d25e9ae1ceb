#include "autoconf.h"

#include <stdint.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "lib/fsusage.h"

/* floor(a * m / b) with *rem = (a * m) mod b, exactly and without overflow for
 * any a, m <= 100 and b > 0 (a * m may not fit in 64 bits on a large filesystem).
 * The result fits: callers have a <= b or b >= m. */
static uint64_t mul_div(uint64_t a, unsigned m, uint64_t b, uint64_t *rem)
{
	uint64_t q = (a / b) * m, ra = a % b, r = 0;
	unsigned i;

	/* ra * m = q' * b + r, one ra at a time, keeping r < b. */
	for (i = 0; i < m; i++) {
		if (r >= b - ra) {
			r -= b - ra;
			q++;
		} else {
			r += ra;
		}
	}
	*rem = r;
	return q;
}

/* part * 100 / whole rounded up (part <= whole), 0 when whole is 0: df's Use%. */
static unsigned pct_up(uint64_t part, uint64_t whole)
{
	uint64_t q, r;

	if (whole == 0)
		return 0;
	if (part > whole)
		part = whole;
	q = mul_div(part, 100, whole, &r);
	return (unsigned)(q + (r != 0));
}

/* a * b, or UINT64_MAX when it does not fit. */
static uint64_t mul_sat(uint64_t a, uint64_t b)
{
	if (b != 0 && a > UINT64_MAX / b)
		return UINT64_MAX;
	return a * b;
}

int fsusage_measure(int dirfd, struct fs_usage *u)
{
	struct statvfs sv;
	struct stat st;
	uint64_t frsize, blocks, bfree, bavail, used_blocks, files, ffree;

	if (fstat(dirfd, &st) != 0 || fstatvfs(dirfd, &sv) != 0)
		return -1;
	frsize = sv.f_frsize != 0 ? sv.f_frsize : sv.f_bsize;
	blocks = sv.f_blocks;
	bfree = sv.f_bfree <= blocks ? sv.f_bfree : blocks;
	bavail = sv.f_bavail;
	used_blocks = blocks - bfree;
	files = sv.f_files;
	ffree = sv.f_ffree <= files ? sv.f_ffree : files;

	u->dev = st.st_dev;
	u->size = mul_sat(blocks, frsize);
	u->used = mul_sat(used_blocks, frsize);
	u->avail = mul_sat(bavail, frsize);
	/* In blocks, as df does: the ratio is the same and nothing saturates. */
	if (bavail > UINT64_MAX - used_blocks)
		u->used_pct = pct_up(used_blocks / 2, used_blocks / 2 + bavail / 2);
	else
		u->used_pct = pct_up(used_blocks, used_blocks + bavail);
	u->inodes = files;
	u->inodes_used = files - ffree;
	u->inodes_pct = pct_up(u->inodes_used, files);
	return 0;
}

unsigned fsusage_pct(const struct fs_usage *u)
{
	return u->used_pct > u->inodes_pct ? u->used_pct : u->inodes_pct;
}

uint64_t fsusage_bytes_over(const struct fs_usage *u, unsigned pct)
{
	uint64_t qu, ru, qa, ra, rest, carry;

	if (pct >= 100)
		return 0;
	/* floor(pct * (used + avail) / 100) as the sum of two exact parts, since
	 * used + avail need not fit. */
	qu = mul_div(u->used, pct, 100, &ru);
	qa = mul_div(u->avail, pct, 100, &ra);
	carry = (ru + ra) / 100;
	if (qu >= u->used)
		return 0;
	rest = u->used - qu;
	if (qa + carry >= rest)
		return 0;
	return rest - qa - carry;
}

void fsusage_after_freeing(struct fs_usage *u, uint64_t bytes)
{
	if (bytes > u->used)
		bytes = u->used;
	u->used -= bytes;
	u->avail = u->avail > UINT64_MAX - bytes ? UINT64_MAX : u->avail + bytes;
	if (u->avail > UINT64_MAX - u->used)
		u->used_pct = pct_up(u->used / 2, u->used / 2 + u->avail / 2);
	else
		u->used_pct = pct_up(u->used, u->used + u->avail);
}
