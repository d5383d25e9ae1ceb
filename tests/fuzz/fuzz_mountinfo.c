/* libFuzzer target: one line of /proc/<pid>/mountinfo (fsname.h), which a
 * container shapes through its own mounts, and the option lookup. The parsed
 * fields must lie inside the line and be NUL-terminated. */
#include "autoconf.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/fsname.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void inside(const char *p, const char *line, size_t len)
{
	if (p < line || p > line + len || strlen(p) > len)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = malloc(size + 1);
	struct mountinfo_entry e;

	if (line == NULL)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	if (fsname_parse_line(line, &e) == 0) {
		char *v;

		inside(e.root, line, size);
		inside(e.mount_point, line, size);
		inside(e.fstype, line, size);
		inside(e.source, line, size);
		if (e.super_options[0] != '\0')
			inside(e.super_options, line, size);
		if (e.mount_id < 0)
			abort();
		v = fsname_option(e.super_options, "upperdir");
		if (v != NULL && (v[0] == '\0' || strchr(v, ',') != NULL))
			abort();
		free(v);
	}
	free(line);
	return 0;
}
