/* path: splitting an absolute path string into its folder and last component. */
#ifndef ROTD_PATH_H
#define ROTD_PATH_H

/* The folder part of path ("/var/log/web.log" -> "/var/log"; "/web.log" and a
 * path without '/' -> "/"). New string. */
char *path_dir(const char *path);

/* The last component of path (borrowed from it; "" when path ends in '/'). */
const char *path_base(const char *path);

#endif
