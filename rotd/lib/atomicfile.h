/* atomicfile: replaces a small file whole, so that readers see the old content
 * or the new, never a mix, and a crash leaves one of the two: a uniquely named
 * temp file in the same folder, fsync, rename over the file, fsync of the folder. */
#ifndef ROTD_ATOMICFILE_H
#define ROTD_ATOMICFILE_H

#include <stddef.h>
#include <sys/types.h>

/* Writes the len bytes at data to path with permissions mode (exactly, whatever
 * the umask). When dir_mode is not 0, a missing folder (one level) is created
 * with it; when 0, a missing folder is an error. what names the file in
 * messages ("the metrics file"). Safe to call from several threads at once.
 * Returns 0, or -1 with *err set to a new one-line message naming what and path;
 * no temp file is left behind. */
int atomicfile_write(const char *path, const void *data, size_t len, mode_t mode, mode_t dir_mode,
		     const char *what, char **err);

#endif
