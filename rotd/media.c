#include "autoconf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "heartbeat.h"
#include "media.h"
#include "shutdown.h"
#include "xalloc.h"

/* One open folder of the walk. Its own path is w->path[0..path_len). */
struct frame {
	DIR *dir;
	size_t path_len;
	uint64_t removed;          /* entries removed from it (or that would be) */
	int kept;                  /* some entry stays, so it cannot become empty */
};

struct walker {
	const struct media_rule *rule;
	int64_t cutoff;            /* files with mtime <= cutoff are old enough */
	dev_t dev;                 /* the root's filesystem */
	int dry_run;
	media_file_cb cb;
	void *arg;
	struct media_result *out;
	char *path;                /* path inside the container of the current entry */
	size_t path_len, path_cap;
	struct frame frames[MEDIA_MAX_DEPTH];
	size_t depth;
};

/* Records "path: msg"; control characters in path (hostile names) become '?'. */
static void add_error(struct media_result *out, const char *path, const char *msg)
{
	char *s;
	size_t i;

	out->n_errors++;
	if (out->errors.n >= MEDIA_MAX_ERRORS)
		return;
	s = xasprintf("%s: %s", path, msg);
	for (i = 0; s[i] != '\0'; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			s[i] = '?';
	strlist_take(&out->errors, s);
}

static void walk_error(struct walker *w, int err)
{
	add_error(w->out, w->path, strerror(err));
}

/* Sets the path to its first len bytes. */
static void path_cut(struct walker *w, size_t len)
{
	w->path_len = len;
	w->path[len] = '\0';
}

/* Appends "/name" to the path. */
static void path_push(struct walker *w, const char *name)
{
	size_t n = strlen(name);

	if (w->path_len + n + 2 > w->path_cap) {
		w->path_cap = (w->path_len + n + 2) * 2;
		w->path = xreallocarray(w->path, w->path_cap, 1);
	}
	w->path[w->path_len++] = '/';
	memcpy(w->path + w->path_len, name, n + 1);
	w->path_len += n;
}

static int name_matches(const struct media_rule *rule, const char *name)
{
	size_t i;

	if (rule->globs.n == 0)
		return 1;
	for (i = 0; i < rule->globs.n; i++)
		if (fnmatch(rule->globs.v[i], name, 0) == 0)
			return 1;
	return 0;
}

/* Starts walking the folder open on fd (taken over), whose path is the current one. */
static int push_dir(struct walker *w, int fd)
{
	struct frame *f = &w->frames[w->depth];

	f->dir = fdopendir(fd);
	if (f->dir == NULL) {
		int saved = errno;

		close(fd);
		walk_error(w, saved);
		return -1;
	}
	f->path_len = w->path_len;
	f->removed = 0;
	f->kept = 0;
	w->depth++;
	return 0;
}

/* Finishes the top folder; removes it when pruning emptied it, unless it is the
 * rule's own folder. */
static void pop_dir(struct walker *w)
{
	struct frame *f = &w->frames[--w->depth];
	struct frame *parent;

	closedir(f->dir);
	if (w->depth == 0)
		return;
	parent = &w->frames[w->depth - 1];
	path_cut(w, f->path_len);
	if (w->dry_run || f->removed == 0 || f->kept) {
		parent->kept = 1;
		return;
	}
	if (unlinkat(dirfd(parent->dir), w->path + parent->path_len + 1, AT_REMOVEDIR) == 0) {
		w->out->dirs++;
		parent->removed++;
		return;
	}
	/* ENOTEMPTY: something new arrived meanwhile; ENOENT: someone else removed it. */
	if (errno != ENOENT)
		parent->kept = 1;
	if (errno != ENOENT && errno != ENOTEMPTY && errno != EEXIST)
		walk_error(w, errno);
}

/* Descends into the subfolder name of the top folder, staying on the root's
 * filesystem and never through a symlink. */
static void enter_dir(struct walker *w, struct frame *parent, const char *name)
{
	struct stat st;
	int fd;

	if (w->depth == MEDIA_MAX_DEPTH) {
		char msg[64];

		snprintf(msg, sizeof(msg), "nested more than %d folders deep, not pruned", MEDIA_MAX_DEPTH - 1);
		parent->kept = 1;
		add_error(w->out, w->path, msg);
		return;
	}
	fd = openat(dirfd(parent->dir), name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return;
		parent->kept = 1;
		if (errno == ELOOP || errno == ENOTDIR)   /* replaced by a symlink or a file */
			w->out->skipped++;
		else
			walk_error(w, errno);
		return;
	}
	if (fstat(fd, &st) != 0) {
		walk_error(w, errno);
		close(fd);
		parent->kept = 1;
		return;
	}
	if (st.st_dev != w->dev) {   /* like find -xdev */
		w->out->skipped++;
		close(fd);
		parent->kept = 1;
		return;
	}
	if (push_dir(w, fd) != 0)
		parent->kept = 1;
}

/* Prunes the file name of folder f when the rule wants it; st is its lstat, or
 * NULL when not known yet. */
static void visit_file(struct walker *w, struct frame *f, const char *name, const struct stat *st)
{
	struct stat sb;

	if (!name_matches(w->rule, name)) {
		f->kept = 1;
		return;
	}
	if (st == NULL) {
		if (fstatat(dirfd(f->dir), name, &sb, AT_SYMLINK_NOFOLLOW) != 0) {
			if (errno != ENOENT) {
				f->kept = 1;
				walk_error(w, errno);
			}
			return;
		}
		st = &sb;
	}
	if (ctrfs_classify(st) != CTRFS_REGULAR) {
		f->kept = 1;
		w->out->skipped++;
		return;
	}
	if ((int64_t)st->st_mtim.tv_sec > w->cutoff) {
		f->kept = 1;
		w->out->kept_young++;
		return;
	}
	if (!w->dry_run && unlinkat(dirfd(f->dir), name, 0) != 0) {
		if (errno != ENOENT) {
			f->kept = 1;
			walk_error(w, errno);
		}
		return;
	}
	f->removed++;
	w->out->files++;
	w->out->bytes += (uint64_t)st->st_size;
	if (w->cb != NULL)
		w->cb(w->path, (uint64_t)st->st_size, st->st_mtim.tv_sec, w->arg);
}

/* One entry of the top folder; the current path ends with its name. */
static void visit(struct walker *w, struct frame *f, const struct dirent *de)
{
	const char *name = de->d_name;
	struct stat st;

	if (strncmp(name, ".rotd", 5) == 0) {
		f->kept = 1;
		return;
	}
	switch (de->d_type) {
	case DT_DIR:
		enter_dir(w, f, name);
		return;
	case DT_REG:
		visit_file(w, f, name, NULL);
		return;
	case DT_UNKNOWN:
		if (fstatat(dirfd(f->dir), name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
			if (errno != ENOENT) {
				f->kept = 1;
				walk_error(w, errno);
			}
			return;
		}
		if (S_ISDIR(st.st_mode))
			enter_dir(w, f, name);
		else
			visit_file(w, f, name, &st);
		return;
	default:
		/* Symlinks and special files: never touched, counted when the rule
		 * would have wanted the name. */
		f->kept = 1;
		if (name_matches(w->rule, name))
			w->out->skipped++;
		return;
	}
}

/* Walks the rule folder open on fd (taken over) depth first, one DIR per level. */
static void walk(struct walker *w, int fd)
{
	if (push_dir(w, fd) != 0)
		return;
	while (w->depth > 0) {
		struct frame *f = &w->frames[w->depth - 1];
		struct dirent *de;

		path_cut(w, f->path_len);
		heartbeat_tick();
		if (shutdown_requested()) {
			/* Each unlink stands alone, so stopping here is safe; say so once. */
			add_error(w->out, w->path, "stopped early: rotd is stopping");
			for (size_t i = 0; i < w->depth; i++)
				w->frames[i].kept = 1;
			while (w->depth > 0)
				pop_dir(w);
			return;
		}
		errno = 0;
		de = readdir(f->dir);
		if (de == NULL) {
			if (errno != 0) {
				f->kept = 1;
				walk_error(w, errno);
			}
			pop_dir(w);
			continue;
		}
		if (de->d_name[0] == '.' && (de->d_name[1] == '\0' || (de->d_name[1] == '.' && de->d_name[2] == '\0')))
			continue;
		path_push(w, de->d_name);
		visit(w, f, de);
	}
}

/* openat2 of rel beneath root_fd, never through a symlink. */
static int open_beneath(int root_fd, const char *rel, int flags)
{
	struct open_how how;

	memset(&how, 0, sizeof(how));
	how.flags = (unsigned long long)(flags | O_NOFOLLOW | O_CLOEXEC);
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
	return (int)syscall(SYS_openat2, root_fd, rel[0] != '\0' ? rel : ".", &how, sizeof(how));
}

/* Opens the folder rel (a rule path) beneath root_fd, refusing any symlink on the
 * way and any escape from the root. On failure errno is ELOOP for a symlink, even
 * a symlinked last component (which O_DIRECTORY reports as ENOTDIR). */
static int open_rule_dir(int root_fd, const char *rel)
{
	struct stat st;
	int fd = open_beneath(root_fd, rel, O_RDONLY | O_DIRECTORY);

	if (fd >= 0 || errno != ENOTDIR)
		return fd;
	fd = open_beneath(root_fd, rel, O_PATH);
	if (fd >= 0) {
		int is_link = fstat(fd, &st) == 0 && S_ISLNK(st.st_mode);

		close(fd);
		errno = is_link ? ELOOP : ENOTDIR;
		return -1;
	}
	errno = ENOTDIR;
	return -1;
}

/* Sets the path to root followed by rel, without "." components or doubled
 * slashes, e.g. "/usr/local/wamedia" + "./outgoing/" -> "/usr/local/wamedia/outgoing". */
static void path_start(struct walker *w, const char *root, const char *rel)
{
	const char *p = rel;

	path_cut(w, 0);
	while (*root == '/')
		root++;
	while (*root != '\0') {
		size_t n = strcspn(root, "/");
		char *part = xstrndup(root, n);

		path_push(w, part);
		free(part);
		root += n;
		while (*root == '/')
			root++;
	}
	while (*p != '\0') {
		size_t n = strcspn(p, "/");

		if (n > 0 && !(n == 1 && p[0] == '.')) {
			char *part = xstrndup(p, n);

			path_push(w, part);
			free(part);
		}
		p += n;
		while (*p == '/')
			p++;
	}
	if (w->path_len == 0) {
		w->path[0] = '/';
		w->path[1] = '\0';
		w->path_len = 1;
	}
}

static int64_t cutoff_for(time_t now, uint64_t age)
{
	if (age > (uint64_t)INT64_MAX || (int64_t)now < INT64_MIN + (int64_t)age)
		return INT64_MIN;
	return (int64_t)now - (int64_t)age;
}

int media_prune(const struct ctrfs *fs, const char *root, const struct media_rule *rules, size_t n_rules,
		uint64_t floor, time_t now, int dry_run, media_file_cb cb, void *arg, struct media_result *out)
{
	struct walker *w;
	struct stat st;
	size_t i;
	int root_fd;

	memset(out, 0, sizeof(*out));
	root_fd = ctrfs_open_path(fs, root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);
	if (root_fd < 0 || fstat(root_fd, &st) != 0) {
		add_error(out, root, strerror(errno));
		if (root_fd >= 0)
			close(root_fd);
		return -1;
	}
	w = xcalloc(1, sizeof(*w));
	w->dev = st.st_dev;
	w->dry_run = dry_run;
	w->cb = cb;
	w->arg = arg;
	w->out = out;
	w->path_cap = 256;
	w->path = xmalloc(w->path_cap);
	for (i = 0; i < n_rules; i++) {
		const struct media_rule *rule = &rules[i];
		int fd;

		w->rule = rule;
		w->cutoff = cutoff_for(now, rule->max_age > floor ? rule->max_age : floor);
		path_start(w, root, rule->path);
		fd = open_rule_dir(root_fd, rule->path);
		if (fd < 0) {
			if (errno == ELOOP)
				add_error(out, w->path, "a symlink is on the way to this folder, not pruned");
			else if (errno == EXDEV)
				add_error(out, w->path, "not inside the media root, not pruned");
			else if (errno != ENOENT)
				walk_error(w, errno);
			continue;
		}
		if (fstat(fd, &st) != 0) {
			walk_error(w, errno);
			close(fd);
			continue;
		}
		if (st.st_dev != w->dev) {
			out->skipped++;
			close(fd);
			continue;
		}
		walk(w, fd);
	}
	free(w->path);
	free(w);
	close(root_fd);
	return 0;
}

void media_result_free(struct media_result *r)
{
	if (r == NULL)
		return;
	strlist_free(&r->errors);
	r->n_errors = 0;
}
