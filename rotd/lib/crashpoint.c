#include "autoconf.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/crashpoint.h"

void crashpoint(const char *name)
{
	const char *armed = getenv("ROTD_CRASH_AT");
	const char *stall = getenv("ROTD_STALL_AT");

	if (armed != NULL && strcmp(armed, name) == 0)
		raise(SIGKILL);
	if (stall != NULL && strcmp(stall, name) == 0)
		for (;;)
			pause();
}
