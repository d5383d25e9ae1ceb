#include "autoconf.h"

#include <string.h>

#include "path.h"
#include "xalloc.h"

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
