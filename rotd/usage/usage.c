#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/path.h"
#include "lib/shutdown.h"
#include "lib/xalloc.h"
#include "rotate/scan.h"
#include "usage/usage.h"
#include "usage/walk.h"

static usage_root_opener root_opener;

void usage_set_root_opener(usage_root_opener open)
{
	root_opener = open;
}

const char *usage_kind_name(enum usage_kind kind)
{
	switch (kind) {
	case USAGE_LIVE_LOGS:
		return "live_logs";
	case USAGE_ARCHIVES:
		return "archives";
	case USAGE_ENGINE_LOG:
		return "engine_log";
	case USAGE_WRITABLE_LAYER:
	case USAGE_KINDS:
		break;
	}
	return "writable_layer";
}

/* One collection in progress. */
struct collector {
	const struct rotd_config *cfg;
	struct usage *u;
	struct ctrfs **roots;          /* per inventory entry: its root, or NULL */
	json_t *sized;                 /* the engine's sized list, or NULL */
	const char *sized_error;       /* why there is none */
	char *engine_root;             /* the engine's DockerRootDir (GET /info), or NULL */
};

static void add_error(struct usage *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add_error(struct usage *u, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	strlist_take(&u->errors, xvasprintf(fmt, ap));
	va_end(ap);
}

static void add_note(struct usage_container *uc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Notes accumulate, "; " between them. */
static void add_note(struct usage_container *uc, const char *fmt, ...)
{
	va_list ap;
	char *s, *joined;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	if (uc->note == NULL) {
		uc->note = s;
		return;
	}
	joined = xasprintf("%s; %s", uc->note, s);
	free(uc->note);
	free(s);
	uc->note = joined;
}

/* The index in u->fs of the filesystem of the folder open on fd (reached
 * through the root of pid, 0 for the host), measured when it is new. */
static size_t fs_index(struct usage *u, int fd, pid_t pid)
{
	struct usage_fs *f;
	struct fs_name name;

	fsname_of_fd(fd, pid, &name);
	for (size_t i = 0; i < u->n_fs; i++)
		if (u->fs[i].name.dev == name.dev) {
			fsname_free(&name);
			return i;
		}
	u->fs = xreallocarray(u->fs, u->n_fs + 1, sizeof(*u->fs));
	f = &u->fs[u->n_fs];
	memset(f, 0, sizeof(*f));
	f->name = name;
	f->label = fsname_label(&name);
	if (fsusage_measure(fd, &f->use) == 0)
		f->measured = 1;
	else
		add_error(u, "%s: cannot measure it: %s", f->label, strerror(errno));
	return u->n_fs++;
}

/* The filesystem of folder dir in a container's tree, or USAGE_NO_FS when it
 * cannot be opened. */
static size_t fs_of_folder(struct usage *u, const struct ctrfs *root, pid_t pid, const char *dir)
{
	int fd = ctrfs_open_path(root, dir, O_RDONLY | O_DIRECTORY, 0);
	size_t i;

	if (fd < 0)
		return USAGE_NO_FS;
	i = fs_index(u, fd, pid);
	close(fd);
	return i;
}

static int stop_walk(void *arg)
{
	(void)arg;
	return shutdown_requested();
}

/* Walks dir in root; reports its problems as "WHO: DIR: why". Returns 0, or -1
 * when dir could not be opened (ENOENT: it does not exist). */
static int walk_folder(struct usage *u, const char *who, const struct ctrfs *root, const char *dir, time_t cutoff,
		       struct walk_result *r)
{
	struct walk_options opt = { cutoff, 0, 0, stop_walk, NULL };

	if (walk_path(root, dir, &opt, r) < 0) {
		if (errno != ENOENT)
			add_error(u, "%s: %s: %s", who, dir, strerror(errno));
		return -1;
	}
	if (r->errors > 0)
		add_error(u, "%s: %s: %ju entr%s not counted, first %s", who, dir, (uintmax_t)r->errors,
			  r->errors == 1 ? "y" : "ies", r->error);
	if (r->too_deep > 0)
		add_error(u, "%s: %s: %ju folder%s deeper than %u levels not entered (counted low)", who, dir,
			  (uintmax_t)r->too_deep, r->too_deep == 1 ? "" : "s", WALK_MAX_DEPTH);
	if (r->stopped)
		add_error(u, "%s: %s: stopped by a shutdown (counted low)", who, dir);
	return 0;
}

/* Bytes of the regular files the role's log patterns match, as scan_logs finds
 * them; adds to *in_layer those of the files in c's writable layer (no mount
 * holds them). */
static uint64_t live_logs(const struct container *c, const struct ctrfs *root, uint64_t *in_layer)
{
	struct scan_result scan;
	uint64_t total = 0;

	scan_logs(root, c->role, &scan);
	for (size_t i = 0; i < scan.n; i++) {
		if (scan.files[i].kind != CTRFS_REGULAR && scan.files[i].kind != CTRFS_HARDLINKED)
			continue;
		total += scan.files[i].size;
		if (inventory_mount_of(c, scan.files[i].path) == NULL)
			*in_layer += scan.files[i].size;
	}
	scan_free(&scan);
	return total;
}

/* Adds to dirs, once each, the role's archive folders (its own, then each log's). */
static void archive_dirs(const struct role_policy *role, struct strlist *dirs)
{
	if (!strlist_contains(dirs, role->archive_dir))
		strlist_add(dirs, role->archive_dir);
	for (size_t g = 0; g < role->logs.n; g++)
		if (!strlist_contains(dirs, role->log_policies[g].archive_dir))
			strlist_add(dirs, role->log_policies[g].archive_dir);
}

/* Live logs and archives of a running container with a role, and the
 * filesystems of its log and archive folders. Returns the bytes of them that
 * lie in its writable layer, which SizeRw counts too. */
static uint64_t measure_role(struct collector *k, struct usage_container *uc, const struct container *c,
			     const struct ctrfs *root)
{
	const struct role_policy *role = c->role;
	struct strlist dirs = STRLIST_INIT;
	uint64_t in_layer = 0;

	uc->bytes[USAGE_LIVE_LOGS] = live_logs(c, root, &in_layer);
	uc->bytes[USAGE_ARCHIVES] = 0;
	archive_dirs(role, &dirs);
	for (size_t d = 0; d < dirs.n; d++) {
		struct walk_result r;

		if (walk_folder(k->u, c->name, root, dirs.v[d], 0, &r) == 0) {
			uc->bytes[USAGE_ARCHIVES] += r.bytes;
			if (inventory_mount_of(c, dirs.v[d]) == NULL)
				in_layer += r.bytes;
		}
		walk_result_free(&r);
		fs_of_folder(k->u, root, c->engine_pid, dirs.v[d]);
	}
	strlist_free(&dirs);
	for (size_t g = 0; g < role->logs.n; g++) {
		char *dir = path_dir(role->logs.v[g]);

		fs_of_folder(k->u, root, c->engine_pid, dir);
		free(dir);
	}
	return in_layer;
}

/* Adds the size of the regular file at path to *total; returns 0, or -1 with
 * errno set when it cannot be looked at. */
static int add_file(const char *path, uint64_t *total)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return -1;
	if (S_ISREG(st.st_mode))
		*total += (uint64_t)st.st_size;
	return 0;
}

/* Bytes of an engine log on the host: log_path and its rotated siblings, lstat
 * only; an absent log_path counts 0. Returns 0, or -1 with errno set. */
static int engine_log_bytes(const char *log_path, uint64_t *bytes)
{
	*bytes = 0;
	if (add_file(log_path, bytes) < 0 && errno != ENOENT)
		return -1;
	/* json-file keeps LogPath.1, LogPath.2 ... (.gz when compressed): up to the first gap. */
	for (unsigned n = 1;; n++) {
		char *sibling = xasprintf("%s.%u", log_path, n);
		int found = add_file(sibling, bytes) == 0;

		free(sibling);
		if (!found) {
			sibling = xasprintf("%s.%u.gz", log_path, n);
			found = add_file(sibling, bytes) == 0;
			free(sibling);
		}
		if (!found)
			break;
	}
	return 0;
}

/* Where the engine keeps c's log: LogPath, or, for the local driver (which
 * names none), its file under the engine's root. New string, or NULL. */
static char *engine_log_file(const struct collector *k, const struct container *c)
{
	if (c->log_path != NULL)
		return xstrdup(c->log_path);
	if (c->log_driver != NULL && strcmp(c->log_driver, "local") == 0 && k->engine_root != NULL &&
	    c->id != NULL && strchr(c->id, '/') == NULL)
		return xasprintf("%s/containers/%s/local-logs/container.log", k->engine_root, c->id);
	return NULL;
}

static void measure_engine_log(struct collector *k, struct usage_container *uc, const struct container *c)
{
	char *file = engine_log_file(k, c), *dir;
	int fd;

	if (file == NULL) {
		if (c->log_driver != NULL && strcmp(c->log_driver, "none") == 0)
			uc->bytes[USAGE_ENGINE_LOG] = 0;   /* the engine keeps nothing */
		else
			add_note(uc, "the engine names no log file (log driver %s)",
				 c->log_driver != NULL ? c->log_driver : "unknown");
		return;
	}
	if (engine_log_bytes(file, &uc->bytes[USAGE_ENGINE_LOG]) < 0) {
		uc->bytes[USAGE_ENGINE_LOG] = USAGE_UNKNOWN;
		add_note(uc, "%s: %s", file, strerror(errno));
		add_error(k->u, "%s: %s: %s", c->name, file, strerror(errno));
	}
	dir = path_dir(file);
	free(file);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		size_t i = fs_index(k->u, fd, 0);

		if (uc->fs == USAGE_NO_FS)
			uc->fs = i;
		close(fd);
	}
	free(dir);
}

static void measure_writable_layer(const struct collector *k, struct usage_container *uc, const struct container *c)
{
	size_t i;
	json_t *entry;

	if (k->sized == NULL) {
		add_note(uc, "writable layer unknown: %s", k->sized_error);
		return;
	}
	json_array_foreach(k->sized, i, entry) {
		const char *id = json_string_value(json_object_get(entry, "Id"));
		json_t *size = json_object_get(entry, "SizeRw");

		if (id == NULL || strcmp(id, c->id) != 0)
			continue;
		if (json_is_integer(size) && json_integer_value(size) >= 0)
			uc->bytes[USAGE_WRITABLE_LAYER] = (uint64_t)json_integer_value(size);
		else if (size == NULL && json_is_integer(json_object_get(entry, "SizeRootFs")))
			/* Docker leaves SizeRw out when it is 0 (omitempty), SizeRootFs shows
			 * the sizes were computed */
			uc->bytes[USAGE_WRITABLE_LAYER] = 0;
		else
			add_note(uc, "the engine did not report its writable layer (SizeRw)");
		return;
	}
	add_note(uc, "the engine's sized list lacks it: writable layer unknown");
}

static void measure_container(struct collector *k, const struct container *c, size_t at)
{
	struct usage_container *uc = &k->u->containers[at];
	struct ctrfs *root = NULL;
	uint64_t in_layer = 0;

	uc->name = xstrdup(c->name);
	uc->id = xstrdup(c->id != NULL ? c->id : "");
	uc->role = c->role != NULL ? c->role->name : NULL;
	uc->state = xstrdup(c->status != NULL ? c->status : inventory_state_name(c->state));
	for (int kind = 0; kind < USAGE_KINDS; kind++)
		uc->bytes[kind] = USAGE_UNKNOWN;
	uc->fs = USAGE_NO_FS;
	if (c->engine_pid > 0 && c->id != NULL) {
		root = root_opener != NULL ? root_opener(c) : ctrfs_open(c->engine_pid, c->id);
		if (root == NULL) {
			add_note(uc, "cannot open its root: %s", strerror(errno));
			add_error(k->u, "%s: cannot open its root: %s", c->name, strerror(errno));
		} else {
			uc->fs = fs_index(k->u, ctrfs_root_fd(root), c->engine_pid);
		}
	}
	k->roots[at] = root;
	if (c->role != NULL && root != NULL)
		in_layer = measure_role(k, uc, c, root);
	else if (c->role != NULL)
		add_note(uc, "not running: its logs and archives cannot be read");
	measure_engine_log(k, uc, c);
	measure_writable_layer(k, uc, c);
	for (int kind = 0; kind < USAGE_KINDS; kind++)
		if (uc->bytes[kind] != USAGE_UNKNOWN)
			uc->total += uc->bytes[kind];
	/* logs kept in the writable layer are in SizeRw already: count them once */
	if (uc->bytes[USAGE_WRITABLE_LAYER] != USAGE_UNKNOWN)
		uc->total -= in_layer < uc->bytes[USAGE_WRITABLE_LAYER] ? in_layer : uc->bytes[USAGE_WRITABLE_LAYER];
}

/* ---- volumes ---------------------------------------------------------------- */

static struct usage_volume *volume_of(struct usage *u, const char *key)
{
	struct usage_volume *v;

	for (size_t i = 0; i < u->n_volumes; i++)
		if (strcmp(u->volumes[i].key, key) == 0)
			return &u->volumes[i];
	u->volumes = xreallocarray(u->volumes, u->n_volumes + 1, sizeof(*u->volumes));
	v = &u->volumes[u->n_volumes++];
	memset(v, 0, sizeof(*v));
	v->key = xstrdup(key);
	v->name = xstrdup(strchr(key, ':') != NULL ? strchr(key, ':') + 1 : key);
	v->bytes = v->files = v->prunable_bytes = v->prunable_files = USAGE_UNKNOWN;
	v->fs = USAGE_NO_FS;
	return v;
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every volume at the media root, walked once through the first running
 * container (in inventory order) that mounts it. */
static void measure_volumes(struct collector *k, const struct inventory *inv, time_t now)
{
	const struct rotd_config *cfg = k->cfg;
	struct usage *u = k->u;
	time_t cutoff = (uint64_t)now > cfg->media_floor ? now - (time_t)cfg->media_floor : 0;

	if (cfg->media_root == NULL)
		return;
	for (size_t i = 0; i < inv->n; i++) {
		const struct container *c = &inv->v[i];
		char *key = inventory_media_key(c, cfg->media_root);
		struct usage_volume *v;
		struct walk_result r;
		char *who;

		if (key == NULL)
			continue;
		v = volume_of(u, key);
		free(key);
		strlist_add(&v->containers, c->name);
		if (v->bytes != USAGE_UNKNOWN || k->roots[i] == NULL)
			continue;
		who = xasprintf("%s (via %s)", v->key, c->name);
		if (walk_folder(u, who, k->roots[i], cfg->media_root, cutoff, &r) == 0) {
			v->bytes = r.bytes;
			v->files = r.files;
			v->prunable_bytes = r.old_bytes;
			v->prunable_files = r.old_files;
			v->fs = fs_of_folder(u, k->roots[i], c->engine_pid, cfg->media_root);
		}
		walk_result_free(&r);
		free(who);
	}
	for (size_t i = 0; i < u->n_volumes; i++) {
		struct usage_volume *v = &u->volumes[i];

		if (v->containers.n > 1)
			qsort(v->containers.v, v->containers.n, sizeof(*v->containers.v), by_string);
		if (v->bytes == USAGE_UNKNOWN)
			add_error(u, "%s: not measured: no running container that mounts it could read %s", v->key,
				  cfg->media_root);
	}
}

/* ---- order and the whole ---------------------------------------------------- */

static uint64_t known(uint64_t x)
{
	return x == USAGE_UNKNOWN ? 0 : x;
}

static int by_total_then_name(const void *a, const void *b)
{
	const struct usage_container *x = a, *y = b;

	if (x->total != y->total)
		return x->total < y->total ? 1 : -1;
	return strcmp(x->name, y->name);
}

static int by_bytes_then_key(const void *a, const void *b)
{
	const struct usage_volume *x = a, *y = b;

	if (known(x->bytes) != known(y->bytes))
		return known(x->bytes) < known(y->bytes) ? 1 : -1;
	return strcmp(x->key, y->key);
}

static int by_mount(const void *a, const void *b)
{
	const struct usage_fs *x = a, *y = b;

	return strcmp(x->name.mount, y->name.mount);
}

/* Sorts the filesystems by mount point and renumbers the indexes into them. */
static void order_filesystems(struct usage *u)
{
	dev_t *devs;
	size_t *map;

	if (u->n_fs < 2)
		return;
	/* Each filesystem's dev is unique: it carries the old index through the sort. */
	devs = xcalloc(u->n_fs, sizeof(*devs));
	map = xcalloc(u->n_fs, sizeof(*map));
	for (size_t i = 0; i < u->n_fs; i++)
		devs[i] = u->fs[i].name.dev;
	qsort(u->fs, u->n_fs, sizeof(*u->fs), by_mount);
	for (size_t old = 0; old < u->n_fs; old++)
		for (size_t i = 0; i < u->n_fs; i++)
			if (u->fs[i].name.dev == devs[old])
				map[old] = i;
	for (size_t i = 0; i < u->n_containers; i++)
		if (u->containers[i].fs != USAGE_NO_FS)
			u->containers[i].fs = map[u->containers[i].fs];
	for (size_t i = 0; i < u->n_volumes; i++)
		if (u->volumes[i].fs != USAGE_NO_FS)
			u->volumes[i].fs = map[u->volumes[i].fs];
	free(map);
	free(devs);
}

size_t usage_collect(struct docker *d, const struct rotd_config *cfg, const struct inventory *inv, time_t now,
		     struct usage *u)
{
	struct collector k;

	memset(u, 0, sizeof(*u));
	u->at = now;
	u->media_floor = cfg->media_floor;
	memset(&k, 0, sizeof(k));
	k.cfg = cfg;
	k.u = u;
	k.roots = xcalloc(inv->n + 1, sizeof(*k.roots));
	if (d == NULL) {
		k.sized_error = "no engine was asked";
	} else {
		json_t *info = NULL;

		if (docker_list_containers_sized(d, 1, NULL, &k.sized) != DOCKER_OK) {
			k.sized = NULL;
			k.sized_error = "the engine's sized list failed";
			add_error(u, "the engine's list with sizes: %s", docker_error(d));
		}
		if (docker_info(d, &info) == DOCKER_OK && json_is_string(json_object_get(info, "DockerRootDir")))
			k.engine_root = xstrdup(json_string_value(json_object_get(info, "DockerRootDir")));
		json_decref(info);
	}
	u->containers = xcalloc(inv->n + 1, sizeof(*u->containers));
	u->n_containers = inv->n;
	for (size_t i = 0; i < inv->n; i++)
		measure_container(&k, &inv->v[i], i);
	measure_volumes(&k, inv, now);
	for (size_t i = 0; i < inv->n; i++)
		ctrfs_close(k.roots[i]);
	free(k.roots);
	json_decref(k.sized);
	free(k.engine_root);
	order_filesystems(u);
	if (u->n_containers > 1)
		qsort(u->containers, u->n_containers, sizeof(*u->containers), by_total_then_name);
	if (u->n_volumes > 1)
		qsort(u->volumes, u->n_volumes, sizeof(*u->volumes), by_bytes_then_key);
	return u->errors.n;
}

void usage_free(struct usage *u)
{
	for (size_t i = 0; i < u->n_fs; i++) {
		fsname_free(&u->fs[i].name);
		free(u->fs[i].label);
	}
	free(u->fs);
	for (size_t i = 0; i < u->n_containers; i++) {
		free(u->containers[i].name);
		free(u->containers[i].id);
		free(u->containers[i].state);
		free(u->containers[i].note);
	}
	free(u->containers);
	for (size_t i = 0; i < u->n_volumes; i++) {
		free(u->volumes[i].key);
		free(u->volumes[i].name);
		strlist_free(&u->volumes[i].containers);
	}
	free(u->volumes);
	strlist_free(&u->errors);
	memset(u, 0, sizeof(*u));
}
