#include "autoconf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "lib/fsname.h"
#include "lib/xalloc.h"

/* Decodes mountinfo's octal escapes (\040 for a space) in place. */
static void unescape(char *s)
{
	char *o = s;

	for (char *p = s; *p; p++) {
		if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' && p[3] >= '0' &&
		    p[3] <= '7') {
			*o++ = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
			p += 3;
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
}

/* The next space-separated field of *p (NUL-terminated in place), or NULL. */
static char *field(char **p)
{
	char *s = *p, *e;

	while (*s == ' ')
		s++;
	if (*s == '\0' || *s == '\n')
		return NULL;
	e = s;
	while (*e != '\0' && *e != ' ' && *e != '\n')
		e++;
	if (*e != '\0')
		*e++ = '\0';
	*p = e;
	return s;
}

int fsname_parse_line(char *line, struct mountinfo_entry *e)
{
	char *p = line, *f[6], *opt, *sep;
	unsigned long id;
	char *end;

	/* id parent major:minor root mount-point options [optional...] - fstype source super */
	for (int i = 0; i < 6; i++)
		if ((f[i] = field(&p)) == NULL)
			return -1;
	errno = 0;
	id = strtoul(f[0], &end, 10);
	if (errno != 0 || *end != '\0' || id > 0x7fffffff)
		return -1;
	if (sscanf(f[2], "%u:%u", &e->major, &e->minor) != 2)
		return -1;
	while ((opt = field(&p)) != NULL && strcmp(opt, "-") != 0)
		;
	if (opt == NULL)
		return -1;
	if ((e->fstype = field(&p)) == NULL || (e->source = field(&p)) == NULL)
		return -1;
	sep = field(&p);
	e->super_options = sep != NULL ? sep : "";
	e->mount_id = (int)id;
	unescape(f[3]);
	unescape(f[4]);
	unescape((char *)e->source);
	e->root = f[3];
	e->mount_point = f[4];
	return 0;
}

char *fsname_option(const char *options, const char *key)
{
	size_t klen = strlen(key);
	const char *p = options;

	while (p != NULL && *p != '\0') {
		const char *end = strchr(p, ',');
		size_t len = end != NULL ? (size_t)(end - p) : strlen(p);

		if (len > klen + 1 && strncmp(p, key, klen) == 0 && p[klen] == '=')
			return xstrndup(p + klen + 1, len - klen - 1);
		p = end != NULL ? end + 1 : NULL;
	}
	return NULL;
}

/* The fd's mount id from /proc/self/fdinfo, or -1. */
static int mount_id_of(int fd)
{
	char path[64], *line = NULL;
	size_t cap = 0;
	int id = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (f == NULL)
		return -1;
	while (getline(&line, &cap, f) > 0)
		if (sscanf(line, "mnt_id: %d", &id) == 1)
			break;
	free(line);
	fclose(f);
	return id;
}

struct wanted {
	int mount_id;          /* match this mount id, or -1 */
	dev_t dev;             /* else this device, preferring root "/" and the shortest mount point */
	int found;
	int whole;             /* the best match's root is "/" */
	char *mount, *device, *fstype, *super_options;
};

static void take(struct wanted *w, const struct mountinfo_entry *e)
{
	free(w->mount);
	free(w->device);
	free(w->fstype);
	free(w->super_options);
	w->mount = xstrdup(e->mount_point);
	w->device = xstrdup(e->source);
	w->fstype = xstrdup(e->fstype);
	w->super_options = xstrdup(e->super_options);
	w->whole = strcmp(e->root, "/") == 0;
	w->found = 1;
}

/* Looks w up in the mountinfo file of pid (0: this process). */
static void look_up(pid_t pid, struct wanted *w)
{
	char path[64], *line = NULL;
	size_t cap = 0;
	FILE *f;

	if (pid > 0)
		snprintf(path, sizeof(path), "/proc/%ld/mountinfo", (long)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/mountinfo");
	f = fopen(path, "re");
	if (f == NULL)
		return;
	while (getline(&line, &cap, f) > 0) {
		struct mountinfo_entry e;

		if (fsname_parse_line(line, &e) < 0)
			continue;
		if (w->mount_id >= 0) {
			if (e.mount_id == w->mount_id) {
				take(w, &e);
				break;
			}
			continue;
		}
		if (makedev(e.major, e.minor) != w->dev)
			continue;
		if (!w->found || (!w->whole && strcmp(e.root, "/") == 0) ||
		    (w->whole == (strcmp(e.root, "/") == 0) && strlen(e.mount_point) < strlen(w->mount)))
			take(w, &e);
	}
	free(line);
	fclose(f);
}

static void wanted_free(struct wanted *w)
{
	free(w->mount);
	free(w->device);
	free(w->fstype);
	free(w->super_options);
}

void fsname_of_fd(int fd, pid_t pid, struct fs_name *out)
{
	struct wanted in_ctr = { -1, 0, 0, 0, NULL, NULL, NULL, NULL };
	struct wanted on_host = { -1, 0, 0, 0, NULL, NULL, NULL, NULL };
	struct stat st;

	memset(out, 0, sizeof(*out));
	if (fstat(fd, &st) < 0)
		st.st_dev = 0;
	out->dev = st.st_dev;
	in_ctr.mount_id = mount_id_of(fd);
	if (in_ctr.mount_id >= 0)
		look_up(pid, &in_ctr);
	if (in_ctr.found && strcmp(in_ctr.fstype, "overlay") == 0) {
		/* overlay2: the writable layer's folder is a host path on the real disk. */
		char *upper = fsname_option(in_ctr.super_options, "upperdir");
		struct stat ust;

		if (upper != NULL && stat(upper, &ust) == 0)
			out->dev = ust.st_dev;
		free(upper);
	}
	on_host.dev = out->dev;
	look_up(0, &on_host);
	if (on_host.found) {
		out->mount = xstrdup(on_host.mount);
		out->device = xstrdup(on_host.device);
		out->fstype = xstrdup(on_host.fstype);
	} else if (in_ctr.found) {
		out->mount = xstrdup(in_ctr.mount);
		out->device = xstrdup(in_ctr.device);
		out->fstype = xstrdup(in_ctr.fstype);
	} else {
		out->mount = xstrdup("?");
		out->device = xasprintf("device %u:%u", major(out->dev), minor(out->dev));
		out->fstype = xstrdup("?");
	}
	wanted_free(&in_ctr);
	wanted_free(&on_host);
}

char *fsname_label(const struct fs_name *n)
{
	return xasprintf("%s (%s)", n->mount ? n->mount : "?", n->device ? n->device : "?");
}

void fsname_free(struct fs_name *n)
{
	free(n->mount);
	free(n->device);
	free(n->fstype);
	memset(n, 0, sizeof(*n));
}
