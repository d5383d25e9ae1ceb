#include "autoconf.h"

#include <string.h>

#include "lib/path.h"
#include "lib/xalloc.h"

char *path_dir(const char *path)
{
	const char *slash = strrchr(path, '/');

	return (slash == NULL || slash == path) ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
}

const char *path_base(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}
