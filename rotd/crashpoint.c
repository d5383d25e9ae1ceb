#include "autoconf.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "crashpoint.h"

void crashpoint(const char *name)
{
	const char *armed = getenv("ROTD_CRASH_AT");

	if (armed != NULL && strcmp(armed, name) == 0)
		raise(SIGKILL);
}
