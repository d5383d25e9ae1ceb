/* usage: the walk on temp trees against figures counted independently (nftw
 * with FTW_PHYS, and `du -sb` run by the test), and usage_collect's grouping
 * on a hand-made inventory whose running containers open a temp root. */
#include "autoconf.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "config/config.h"
#include "engine/docker.h"
#include "lib/xalloc.h"
#include "unit.h"
#include "unit_tmproot.h"
#include "usage/usage.h"
#include "usage/walk.h"

#define DAY 86400

/* ---- independent figures ---------------------------------------------------- */

static uint64_t nftw_bytes;
static uint64_t nftw_files;
static struct {
	dev_t dev;
	ino_t ino;
} nftw_links[256];
static size_t nftw_n_links;

static int nftw_count(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)path;
	(void)type;
	(void)ftw;
	if (!S_ISDIR(st->st_mode) && st->st_nlink > 1) {
		for (size_t i = 0; i < nftw_n_links; i++)
			if (nftw_links[i].dev == st->st_dev && nftw_links[i].ino == st->st_ino)
				return 0;
		ck_assert_uint_lt(nftw_n_links, 256);
		nftw_links[nftw_n_links].dev = st->st_dev;
		nftw_links[nftw_n_links++].ino = st->st_ino;
	}
	nftw_bytes += (uint64_t)st->st_size;
	nftw_files += S_ISREG(st->st_mode);
	return 0;
}

/* Apparent bytes and regular files under path, by nftw (FTW_PHYS: symlinks not followed). */
static uint64_t tree_bytes(const char *path, uint64_t *files)
{
	nftw_bytes = nftw_files = 0;
	nftw_n_links = 0;
	ck_assert_int_eq(nftw(path, nftw_count, 16, FTW_PHYS), 0);
	if (files != NULL)
		*files = nftw_files;
	return nftw_bytes;
}

/* What `du -sb path` says. */
static uint64_t du_sb(const char *path)
{
	char *cmd = xasprintf("du -sb '%s'", path);
	FILE *p = popen(cmd, "r");
	uintmax_t n = 0;

	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(fscanf(p, "%ju", &n), 1);
	ck_assert_int_eq(pclose(p), 0);
	free(cmd);
	return (uint64_t)n;
}

static size_t open_fds(void)
{
	return unit_count_entries("/proc/self/fd");
}

/* ---- trees ------------------------------------------------------------------- */

static void make_fifo_and_socket(const struct unit_tmproot *r, const char *fifo, const char *sock)
{
	struct sockaddr_un sa;
	int s;

	ck_assert_int_eq(mkfifo(unit_tmproot_path(r, fifo), 0600), 0);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	ck_assert_uint_lt(strlen(unit_tmproot_path(r, sock)), sizeof(sa.sun_path));
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", unit_tmproot_path(r, sock));
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_ge(s, 0);
	ck_assert_int_eq(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(s);
}

/* A tree with every kind of entry under "t": folders three deep, files of
 * many sizes, hard links (within and across folders), symlinks to a file, to a
 * folder and out of the root, a FIFO and a socket. */
static void make_mixed_tree(const struct unit_tmproot *r)
{
	static char data[9000];
	char rel[64];

	memset(data, 'x', sizeof(data));
	unit_tmproot_mkdir(r, "t");
	for (int a = 0; a < 4; a++) {
		snprintf(rel, sizeof(rel), "t/d%d", a);
		unit_tmproot_mkdir(r, rel);
		snprintf(rel, sizeof(rel), "t/d%d/e", a);
		unit_tmproot_mkdir(r, rel);
		snprintf(rel, sizeof(rel), "t/d%d/e/f", a);
		unit_tmproot_mkdir(r, rel);
		for (int b = 0; b < 12; b++) {
			snprintf(rel, sizeof(rel), "t/d%d/%s/file%d", a, b % 3 == 0 ? "e" : b % 3 == 1 ? "e/f" : ".", b);
			unit_tmproot_write(r, rel, data, (size_t)(a * 1000 + b * 617) % sizeof(data), 0);
		}
	}
	ck_assert_int_eq(link(unit_tmproot_path(r, "t/d0/e/file0"), unit_tmproot_path(r, "t/d0/e/hard0")), 0);
	ck_assert_int_eq(link(unit_tmproot_path(r, "t/d1/e/file3"), unit_tmproot_path(r, "t/d2/hard3")), 0);
	ck_assert_int_eq(link(unit_tmproot_path(r, "t/d1/e/file3"), unit_tmproot_path(r, "t/d3/e/f/hard3b")), 0);
	unit_tmproot_symlink(r, "file2", "t/d0/link-to-file");
	unit_tmproot_symlink(r, "e", "t/d0/link-to-dir");
	unit_tmproot_symlink(r, r->outside, "t/d1/link-out");
	make_fifo_and_socket(r, "t/d2/fifo", "t/d2/sock");
}

/* ---- the walk ---------------------------------------------------------------- */

START_TEST(walk_counts_as_du_does)
{
	struct unit_tmproot r;
	struct walk_result w;
	uint64_t files;
	size_t fds;
	int fd;

	unit_tmproot_make(&r, NULL, "usage");
	make_mixed_tree(&r);
	/* Outside the root, where the symlink points: never counted. */
	fd = open(unit_tmproot_outside(&r, "big"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, 5 << 20), 0);
	close(fd);
	fds = open_fds();
	/* Opening the FIFO would block the walk for good (the test's timeout
	 * catches it); its size and the socket's count, as du counts them. */
	ck_assert_int_eq(walk_path(r.fs, "/t", NULL, &w), 0);
	ck_assert_uint_eq(open_fds(), fds);
	ck_assert_uint_eq(w.bytes, tree_bytes(unit_tmproot_path(&r, "t"), &files));
	ck_assert_uint_eq(w.bytes, du_sb(unit_tmproot_path(&r, "t")));
	ck_assert_uint_eq(w.files, files);
	ck_assert_uint_eq(w.files, 48);         /* 4 x 12; the 3 extra links count once */
	ck_assert_uint_eq(w.dirs, 13);
	ck_assert_uint_eq(w.errors, 0);
	ck_assert_ptr_null(w.error);
	ck_assert_uint_lt(w.bytes, 5 << 20);
	walk_result_free(&w);
	unit_tmproot_remove(&r);
}
END_TEST

START_TEST(walk_threads_agree)
{
	struct walk_options one = { 0, 0, 1, NULL, NULL }, four = { 0, 0, 4, NULL, NULL };
	struct walk_result a, b;
	struct unit_tmproot r;
	char rel[64];

	unit_tmproot_make(&r, NULL, "usage");
	make_mixed_tree(&r);
	for (int i = 0; i < 40; i++) {
		snprintf(rel, sizeof(rel), "t/many%d", i);
		unit_tmproot_mkdir(&r, rel);
		for (int k = 0; k < 10; k++) {
			snprintf(rel, sizeof(rel), "t/many%d/f%d", i, k);
			unit_tmproot_write(&r, rel, "0123456789", (size_t)(i + k) % 10, 0);
		}
	}
	ck_assert_int_eq(walk_path(r.fs, "/t", &one, &a), 0);
	ck_assert_int_eq(walk_path(r.fs, "/t", &four, &b), 0);
	ck_assert_uint_eq(a.bytes, du_sb(unit_tmproot_path(&r, "t")));
	ck_assert_uint_eq(b.bytes, a.bytes);
	ck_assert_uint_eq(b.files, a.files);
	ck_assert_uint_eq(b.dirs, a.dirs);
	ck_assert_uint_eq(a.files, 48 + 400);
	walk_result_free(&a);
	walk_result_free(&b);
	unit_tmproot_remove(&r);
}
END_TEST

START_TEST(walk_ages_regular_files)
{
	time_t now = time(NULL);
	struct walk_options opt = { now - 30 * DAY, 0, 0, NULL, NULL };
	struct walk_result w;
	struct unit_tmproot r;

	unit_tmproot_make(&r, NULL, "usage");
	unit_tmproot_mkdir(&r, "m");
	unit_tmproot_mkdir(&r, "m/old");
	unit_tmproot_write(&r, "m/old/a", "aaaaaaaaaa", 10, now - 60 * DAY);
	unit_tmproot_write(&r, "m/b", "bbbbbbb", 7, now - 31 * DAY);
	unit_tmproot_write(&r, "m/edge", "eee", 3, now - 30 * DAY);     /* mtime == cutoff: old */
	unit_tmproot_write(&r, "m/young", "yyyyy", 5, now - 29 * DAY);
	unit_tmproot_symlink(&r, "young", "m/old-link");                 /* symlinks never count as old */
	ck_assert_int_eq(walk_path(r.fs, "/m", &opt, &w), 0);
	ck_assert_uint_eq(w.old_bytes, 10 + 7 + 3);
	ck_assert_uint_eq(w.old_files, 3);
	ck_assert_uint_eq(w.files, 4);
	ck_assert_uint_eq(w.bytes, du_sb(unit_tmproot_path(&r, "m")));
	walk_result_free(&w);
	opt.cutoff = 0;
	ck_assert_int_eq(walk_path(r.fs, "/m", &opt, &w), 0);
	ck_assert_uint_eq(w.old_bytes, 0);
	walk_result_free(&w);
	unit_tmproot_remove(&r);
}
END_TEST

/* A chain of n nested folders d/d/d... under "deep", each with one 5-byte file. */
static void make_chain(const struct unit_tmproot *r, unsigned n)
{
	char *rel = xstrdup("deep");

	unit_tmproot_mkdir(r, rel);
	for (unsigned i = 0; i < n; i++) {
		char *next = xasprintf("%s/d", rel), *file;

		free(rel);
		rel = next;
		unit_tmproot_mkdir(r, rel);
		file = xasprintf("%s/f", rel);
		unit_tmproot_write(r, file, "12345", 5, 0);
		free(file);
	}
	free(rel);
}

START_TEST(walk_reports_what_is_too_deep)
{
	struct walk_options opt = { 0, 3, 1, NULL, NULL };
	const char *dirs[] = { "deep", "deep/d", "deep/d/d", "deep/d/d/d", "deep/d/d/d/d" };
	struct unit_tmproot r;
	struct walk_result w;
	struct stat st;
	uint64_t dir_bytes = 0;
	size_t fds;

	unit_tmproot_make(&r, NULL, "usage");
	make_chain(&r, 6);
	for (size_t i = 0; i < 5; i++) {
		ck_assert_int_eq(lstat(unit_tmproot_path(&r, dirs[i]), &st), 0);
		dir_bytes += (uint64_t)st.st_size;
	}
	ck_assert_int_eq(walk_path(r.fs, "/deep", &opt, &w), 0);
	/* Levels 1 to 3 entered (3 files), level 4 counted but not entered. */
	ck_assert_uint_eq(w.too_deep, 1);
	ck_assert_uint_eq(w.files, 3);
	ck_assert_uint_eq(w.dirs, 4);
	ck_assert_uint_eq(w.bytes, dir_bytes + 3 * 5);
	ck_assert_uint_eq(w.errors, 0);
	walk_result_free(&w);
	/* The default limit, on several threads, without a crash or a leaked fd. */
	unit_tmproot_remove(&r);
	unit_tmproot_make(&r, NULL, "usage");
	make_chain(&r, WALK_MAX_DEPTH + 3);
	fds = open_fds();
	opt.max_depth = 0;
	opt.threads = 0;
	ck_assert_int_eq(walk_path(r.fs, "/deep", &opt, &w), 0);
	ck_assert_uint_eq(w.too_deep, 1);
	ck_assert_uint_eq(w.files, WALK_MAX_DEPTH);
	ck_assert_uint_eq(open_fds(), fds);
	walk_result_free(&w);
	unit_tmproot_remove(&r);
}
END_TEST

static int stop_at_once(void *arg)
{
	return ++*(int *)arg > 0;
}

START_TEST(walk_stops_when_asked)
{
	int asked = 0;
	struct walk_options opt = { 0, 0, 2, stop_at_once, &asked };
	struct unit_tmproot r;
	struct walk_result w;
	char rel[64];
	size_t fds;

	unit_tmproot_make(&r, NULL, "usage");
	unit_tmproot_mkdir(&r, "s");
	for (int i = 0; i < 30; i++) {
		snprintf(rel, sizeof(rel), "s/d%d", i);
		unit_tmproot_mkdir(&r, rel);
		for (int k = 0; k < 300; k++) {
			snprintf(rel, sizeof(rel), "s/d%d/%d", i, k);
			unit_tmproot_write(&r, rel, "x", 1, 0);
		}
	}
	fds = open_fds();
	ck_assert_int_eq(walk_path(r.fs, "/s", &opt, &w), 0);
	ck_assert_int_eq(w.stopped, 1);
	ck_assert_int_gt(asked, 0);
	ck_assert_uint_lt(w.files, 9000);
	ck_assert_uint_eq(open_fds(), fds);
	walk_result_free(&w);
	unit_tmproot_remove(&r);
}
END_TEST

START_TEST(walk_refuses_a_symlinked_top)
{
	struct unit_tmproot r;
	struct walk_result w;

	unit_tmproot_make(&r, NULL, "usage");
	unit_tmproot_symlink(&r, r.outside, "media");
	errno = 0;
	ck_assert_int_eq(walk_path(r.fs, "/media", NULL, &w), -1);
	ck_assert(errno == ELOOP || errno == ENOTDIR);
	ck_assert_int_eq(walk_path(r.fs, "/absent", NULL, &w), -1);
	ck_assert_int_eq(errno, ENOENT);
	unit_tmproot_remove(&r);
}
END_TEST

/* ---- usage_collect ----------------------------------------------------------- */

static struct unit_tmproot *the_root;

static struct ctrfs *open_the_root(const struct container *c)
{
	(void)c;
	return ctrfs_from_dirfd(ctrfs_root_fd(the_root->fs));
}

static void set_container(struct container *c, const char *name, const struct role_policy *role, const char *status,
			  pid_t pid, const char *log_path, const char *volume)
{
	memset(c, 0, sizeof(*c));
	c->id = xasprintf("%s-id", name);
	c->name = xstrdup(name);
	c->role = role;
	c->state = role == NULL ? CTR_IGNORED : pid > 0 ? CTR_RUNNING : CTR_STOPPED;
	c->status = xstrdup(status);
	c->engine_pid = pid;
	c->pid = c->state == CTR_RUNNING ? pid : 0;
	c->log_path = log_path != NULL ? xstrdup(log_path) : NULL;
	c->log_driver = xstrdup("json-file");
	if (volume != NULL) {
		c->mounts = xcalloc(1, sizeof(*c->mounts));
		c->mounts[0].type = xstrdup("volume");
		c->mounts[0].name = xstrdup(volume);
		c->mounts[0].source = xasprintf("/var/lib/docker/volumes/%s/_data", volume);
		c->mounts[0].destination = xstrdup("/media");
		c->mounts[0].read_write = 1;
		c->n_mounts = 1;
	}
}

static const struct usage_container *find_container(const struct usage *u, const char *name)
{
	for (size_t i = 0; i < u->n_containers; i++)
		if (strcmp(u->containers[i].name, name) == 0)
			return &u->containers[i];
	ck_abort_msg("no container %s", name);
	return NULL;
}

START_TEST(collect_groups_containers_volumes_and_filesystems)
{
	static const char conf[] = "role web {\n  logs = {\"/var/log/web/*.log\"}\n  size = 20M\n"
				   "  archive-dir = /var/log/web/archive\n}\n"
				   "media {\n  root = /media\n  floor = 30d\n}\n";
	time_t now = time(NULL);
	struct strlist errors = STRLIST_INIT;
	struct rotd_config *cfg = config_load_buffer(conf, "usage.conf", &errors);
	struct inventory inv = { NULL, 0 };
	struct unit_tmproot r;
	struct usage u;
	const struct usage_container *web, *other, *stopped;
	char *engine_log;
	uint64_t live;

	ck_assert_msg(cfg != NULL, "%s", errors.n ? errors.v[0] : "?");
	unit_tmproot_make(&r, NULL, "usage");
	the_root = &r;
	usage_set_root_opener(open_the_root);
	unit_tmproot_mkdir(&r, "var");
	unit_tmproot_mkdir(&r, "var/log");
	unit_tmproot_mkdir(&r, "var/log/web");
	unit_tmproot_mkdir(&r, "var/log/web/archive");
	unit_tmproot_write_lines(&r, "var/log/web/app.log", 1, 100, 0);
	unit_tmproot_write_lines(&r, "var/log/web/err.log", 1, 10, 0);
	unit_tmproot_put(&r, "var/log/web/notes.txt", "not a log\n");
	unit_tmproot_write_lines(&r, "var/log/web/archive/app.log.1.gz", 1, 40, 0);
	unit_tmproot_mkdir(&r, "media");
	unit_tmproot_mkdir(&r, "media/pics");
	unit_tmproot_write(&r, "media/pics/old.jpg", "0123456789", 10, now - 40 * DAY);
	unit_tmproot_write(&r, "media/pics/new.jpg", "01234", 5, now - DAY);
	/* The engine's logs, on the host: LogPath and its rotated siblings up to the first gap. */
	engine_log = xstrdup(unit_tmproot_outside(&r, "c-json.log"));
	{
		const char *names[] = { "c-json.log", "c-json.log.1", "c-json.log.2.gz", "c-json.log.4" };

		for (size_t i = 0; i < 4; i++) {
			FILE *f = fopen(unit_tmproot_outside(&r, names[i]), "w");
			ck_assert_ptr_nonnull(f);
			fprintf(f, "%0*d", (int)(100 * (i + 1)), 0);
			fclose(f);
		}
	}
	inv.v = xcalloc(4, sizeof(*inv.v));
	inv.n = 4;
	/* Sorted by name, as inventory_build leaves it. */
	set_container(&inv.v[0], "db", NULL, "running", getpid(), unit_tmproot_outside(&r, "absent-json.log"), "media");
	set_container(&inv.v[1], "gone", NULL, "exited", 0, NULL, "media");
	set_container(&inv.v[2], "old", &cfg->roles[0], "exited", 0, engine_log, NULL);
	set_container(&inv.v[3], "web", &cfg->roles[0], "running", getpid(), NULL, "media");

	usage_collect(NULL, cfg, &inv, now, &u);

	ck_assert_uint_eq(u.n_containers, 4);
	ck_assert_int_eq(u.at, now);
	ck_assert_uint_eq(u.media_floor, 30 * DAY);
	web = find_container(&u, "web");
	other = find_container(&u, "db");
	stopped = find_container(&u, "old");
	live = 110 * UNIT_LINE_LEN;
	ck_assert_str_eq(web->role, "web");
	ck_assert_str_eq(web->state, "running");
	ck_assert_uint_eq(web->bytes[USAGE_LIVE_LOGS], live);
	ck_assert_uint_eq(web->bytes[USAGE_ARCHIVES], du_sb(unit_tmproot_path(&r, "var/log/web/archive")));
	ck_assert_uint_eq(web->bytes[USAGE_ENGINE_LOG], USAGE_UNKNOWN);
	ck_assert_uint_eq(web->bytes[USAGE_WRITABLE_LAYER], USAGE_UNKNOWN);
	ck_assert_uint_eq(web->total, live + web->bytes[USAGE_ARCHIVES]);
	ck_assert_ptr_nonnull(web->note);
	ck_assert_ptr_nonnull(strstr(web->note, "writable layer unknown"));
	ck_assert_uint_lt(web->fs, u.n_fs);
	/* A container without a role is listed, with its role null and no log figures. */
	ck_assert_ptr_null(other->role);
	ck_assert_str_eq(other->state, "running");
	ck_assert_uint_eq(other->bytes[USAGE_LIVE_LOGS], USAGE_UNKNOWN);
	ck_assert_uint_eq(other->bytes[USAGE_ARCHIVES], USAGE_UNKNOWN);
	ck_assert_uint_eq(other->bytes[USAGE_ENGINE_LOG], 0);      /* an absent LogPath holds nothing */
	ck_assert_uint_eq(other->total, 0);
	ck_assert_uint_eq(other->fs, web->fs);
	/* Not running: its engine log is read on the host, its filesystem is its log folder's. */
	ck_assert_str_eq(stopped->state, "exited");
	ck_assert_uint_eq(stopped->bytes[USAGE_ENGINE_LOG], 100 + 200 + 300);
	ck_assert_uint_eq(stopped->bytes[USAGE_LIVE_LOGS], USAGE_UNKNOWN);
	ck_assert_uint_eq(stopped->total, 600);
	ck_assert_ptr_nonnull(strstr(stopped->note, "not running"));
	ck_assert_uint_lt(stopped->fs, u.n_fs);
	/* Largest first. */
	ck_assert_str_eq(u.containers[0].name, "web");
	ck_assert_str_eq(u.containers[1].name, "old");
	/* One volume, walked once, mounted by three (one not running). */
	ck_assert_uint_eq(u.n_volumes, 1);
	ck_assert_str_eq(u.volumes[0].key, "volume:media");
	ck_assert_str_eq(u.volumes[0].name, "media");
	ck_assert_uint_eq(u.volumes[0].bytes, du_sb(unit_tmproot_path(&r, "media")));
	ck_assert_uint_eq(u.volumes[0].files, 2);
	ck_assert_uint_eq(u.volumes[0].prunable_bytes, 10);
	ck_assert_uint_eq(u.volumes[0].prunable_files, 1);
	ck_assert_uint_eq(u.volumes[0].containers.n, 3);
	ck_assert_str_eq(u.volumes[0].containers.v[0], "db");
	ck_assert_str_eq(u.volumes[0].containers.v[1], "gone");
	ck_assert_str_eq(u.volumes[0].containers.v[2], "web");
	ck_assert_uint_lt(u.volumes[0].fs, u.n_fs);
	/* Every filesystem once, measured, in mount order. */
	for (size_t i = 0; i < u.n_fs; i++) {
		ck_assert_int_eq(u.fs[i].measured, 1);
		ck_assert_ptr_nonnull(u.fs[i].label);
		for (size_t k = i + 1; k < u.n_fs; k++) {
			ck_assert_uint_ne(u.fs[i].name.dev, u.fs[k].name.dev);
			ck_assert_int_le(strcmp(u.fs[i].name.mount, u.fs[k].name.mount), 0);
		}
	}
	ck_assert_uint_eq(u.errors.n, 0);
	usage_free(&u);
	ck_assert_uint_eq(u.n_containers, 0);

	/* Nothing in the inventory: nothing measured, nothing wrong. */
	inventory_free(&inv);
	ck_assert_uint_eq(usage_collect(NULL, cfg, &inv, now, &u), 0);
	ck_assert_uint_eq(u.n_containers + u.n_volumes + u.n_fs, 0);
	usage_free(&u);

	usage_set_root_opener(NULL);
	free(engine_log);
	config_free(cfg);
	strlist_free(&errors);
	unit_tmproot_remove(&r);
}
END_TEST

/* A one-request engine on a unix socket: it answers the list with body and
 * keeps the request line. */
struct list_stub {
	int listener;
	const char *body;
	char request[512];
	pthread_t thread;
};

/* Answers one request: the list with e->body, GET /info with an engine root. */
static int list_stub_answer(struct list_stub *e)
{
	char buf[4096], *reply;
	const char *body;
	size_t len = 0;
	int fd = accept(e->listener, NULL, NULL);

	if (fd < 0)
		return -1;
	while (len < sizeof(buf) - 1) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);

		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
		if (strstr(buf, "\r\n\r\n") != NULL)
			break;
	}
	buf[len] = '\0';
	if (strncmp(buf, "GET /info", 9) == 0 || strstr(buf, "/info ") != NULL) {
		body = "{\"DockerRootDir\":\"/var/lib/docker\"}";
	} else {
		snprintf(e->request, sizeof(e->request), "%.*s", (int)strcspn(buf, "\r\n"), buf);
		body = e->body;
	}
	reply = xasprintf("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
			  "Connection: close\r\n\r\n%s", strlen(body), body);
	if (write(fd, reply, strlen(reply)) < 0)
		e->request[0] = '\0';
	free(reply);
	close(fd);
	return 0;
}

/* Serves the two requests usage_collect makes: the sized list and /info. */
static void *list_stub_serve(void *arg)
{
	struct list_stub *e = arg;

	for (int i = 0; i < 2; i++)
		if (list_stub_answer(e) < 0)
			break;
	return NULL;
}

static void list_stub_start(struct list_stub *e, const char *path)
{
	struct sockaddr_un sa;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	e->listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(e->listener, 0);
	ck_assert_int_eq(bind(e->listener, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(e->listener, 4), 0);
	ck_assert_int_eq(pthread_create(&e->thread, NULL, list_stub_serve, e), 0);
}

START_TEST(writable_layers_come_from_the_sized_list)
{
	static const char body[] = "[{\"Id\":\"a-id\",\"Names\":[\"/a\"],\"SizeRw\":1234,\"SizeRootFs\":99999},"
				   "{\"Id\":\"b-id\",\"Names\":[\"/b\"],\"SizeRootFs\":5},"
				   "{\"Id\":\"d-id\",\"Names\":[\"/d\"]}]";
	struct rotd_config *cfg = config_load_defaults();
	struct inventory inv = { NULL, 0 };
	struct list_stub e = { -1, body, "", 0 };
	struct unit_tmproot r;
	struct docker *d;
	struct usage u;
	const struct usage_container *a, *b, *c, *d2;

	unit_tmproot_make(&r, NULL, "usage");
	list_stub_start(&e, unit_tmproot_outside(&r, "engine.sock"));
	d = docker_new(unit_tmproot_outside(&r, "engine.sock"), NULL);
	inv.v = xcalloc(4, sizeof(*inv.v));
	inv.n = 4;
	set_container(&inv.v[0], "a", NULL, "exited", 0, NULL, NULL);
	set_container(&inv.v[1], "b", NULL, "created", 0, NULL, NULL);
	set_container(&inv.v[2], "c", NULL, "exited", 0, NULL, NULL);
	set_container(&inv.v[3], "d", NULL, "exited", 0, NULL, NULL);

	usage_collect(d, cfg, &inv, time(NULL), &u);
	pthread_join(e.thread, NULL);
	close(e.listener);

	ck_assert_ptr_nonnull(strstr(e.request, "GET "));
	ck_assert_ptr_nonnull(strstr(e.request, "/containers/json?"));
	ck_assert_ptr_nonnull(strstr(e.request, "all=1"));
	ck_assert_ptr_nonnull(strstr(e.request, "size=1"));
	a = find_container(&u, "a");
	b = find_container(&u, "b");
	c = find_container(&u, "c");
	ck_assert_uint_eq(a->bytes[USAGE_WRITABLE_LAYER], 1234);
	ck_assert_uint_eq(a->total, 1234);
	/* Docker leaves out a SizeRw of 0 (omitempty) but gives SizeRootFs */
	ck_assert_uint_eq(b->bytes[USAGE_WRITABLE_LAYER], 0);
	ck_assert(b->note == NULL || strstr(b->note, "SizeRw") == NULL);
	/* without either, the sizes were not computed: unknown, and said so */
	d2 = find_container(&u, "d");
	ck_assert_uint_eq(d2->bytes[USAGE_WRITABLE_LAYER], USAGE_UNKNOWN);
	ck_assert_ptr_nonnull(strstr(d2->note, "SizeRw"));
	ck_assert_uint_eq(c->bytes[USAGE_WRITABLE_LAYER], USAGE_UNKNOWN);
	ck_assert_ptr_nonnull(strstr(c->note, "writable layer unknown"));
	ck_assert_str_eq(u.containers[0].name, "a");
	ck_assert_uint_eq(u.errors.n, 0);
	usage_free(&u);
	docker_free(d);
	inventory_free(&inv);
	config_free(cfg);
	unit_tmproot_remove(&r);
}
END_TEST

/* Logs kept in the writable layer are in SizeRw too: a total counts them once;
 * logs on a mount are not, and add to it. */
START_TEST(logs_in_the_writable_layer_count_once)
{
	static const char conf[] = "role web {\n  logs = {\"/var/log/web/*.log\"}\n  size = 20M\n"
				   "  archive-dir = /var/log/web/archive\n}\n";
	static const char body[] = "[{\"Id\":\"inlayer-id\",\"SizeRw\":100000,\"SizeRootFs\":9},"
				   "{\"Id\":\"onmount-id\",\"SizeRw\":100000,\"SizeRootFs\":9}]";
	struct strlist errors = STRLIST_INIT;
	struct rotd_config *cfg = config_load_buffer(conf, "usage.conf", &errors);
	struct inventory inv = { NULL, 0 };
	struct list_stub e = { -1, body, "", 0 };
	struct unit_tmproot r;
	struct docker *d;
	struct usage u;
	const struct usage_container *in, *on;
	uint64_t logs;

	ck_assert_msg(cfg != NULL, "%s", errors.n ? errors.v[0] : "?");
	unit_tmproot_make(&r, NULL, "usage");
	the_root = &r;
	usage_set_root_opener(open_the_root);
	unit_tmproot_mkdir(&r, "var");
	unit_tmproot_mkdir(&r, "var/log");
	unit_tmproot_mkdir(&r, "var/log/web");
	unit_tmproot_mkdir(&r, "var/log/web/archive");
	unit_tmproot_write_lines(&r, "var/log/web/app.log", 1, 100, 0);
	unit_tmproot_write_lines(&r, "var/log/web/archive/app.log.1.gz", 1, 40, 0);
	list_stub_start(&e, unit_tmproot_outside(&r, "engine.sock"));
	d = docker_new(unit_tmproot_outside(&r, "engine.sock"), NULL);
	inv.v = xcalloc(2, sizeof(*inv.v));
	inv.n = 2;
	set_container(&inv.v[0], "inlayer", &cfg->roles[0], "running", getpid(), NULL, NULL);
	set_container(&inv.v[1], "onmount", &cfg->roles[0], "running", getpid(), NULL, "logs");
	free(inv.v[1].mounts[0].destination);
	inv.v[1].mounts[0].destination = xstrdup("/var/log/web");

	usage_collect(d, cfg, &inv, time(NULL), &u);
	pthread_join(e.thread, NULL);
	close(e.listener);

	in = find_container(&u, "inlayer");
	on = find_container(&u, "onmount");
	logs = in->bytes[USAGE_LIVE_LOGS] + in->bytes[USAGE_ARCHIVES];
	ck_assert_uint_gt(in->bytes[USAGE_LIVE_LOGS], 0);
	ck_assert_uint_eq(in->bytes[USAGE_WRITABLE_LAYER], 100000);
	ck_assert_uint_eq(in->bytes[USAGE_ENGINE_LOG], USAGE_UNKNOWN);
	ck_assert_uint_eq(in->total, 100000);
	ck_assert_uint_eq(on->bytes[USAGE_LIVE_LOGS] + on->bytes[USAGE_ARCHIVES], logs);
	ck_assert_uint_eq(on->total, 100000 + logs);
	usage_free(&u);
	inventory_free(&inv);
	docker_free(d);
	usage_set_root_opener(NULL);
	unit_tmproot_remove(&r);
	config_free(cfg);
}
END_TEST

START_TEST(inventory_keeps_the_status_and_pid_of_every_container)
{
	static const char running[] = "{\"Id\":\"x1\",\"Name\":\"/plain\",\"Config\":{\"Image\":\"busybox\"},"
				      "\"State\":{\"Status\":\"running\",\"Running\":true,\"Pid\":4321}}";
	static const char paused[] = "{\"Id\":\"x2\",\"Name\":\"/later\",\"Config\":{\"Image\":\"busybox\"},"
				     "\"State\":{\"Status\":\"exited\",\"Running\":false,\"Pid\":0}}";
	struct rotd_config *cfg = config_load_defaults();
	struct inventory inv = { NULL, 0 };
	json_t *j;

	inv.v = xcalloc(2, sizeof(*inv.v));
	inv.n = 2;
	j = json_loads(running, 0, NULL);
	ck_assert_int_eq(inventory_entry_from_inspect(cfg, j, &inv.v[0]), 0);
	json_decref(j);
	j = json_loads(paused, 0, NULL);
	ck_assert_int_eq(inventory_entry_from_inspect(cfg, j, &inv.v[1]), 0);
	json_decref(j);
	/* No role: ignored by rotd, yet its status and pid are there for usage. */
	ck_assert_int_eq(inv.v[0].state, CTR_IGNORED);
	ck_assert_int_eq(inv.v[0].pid, 0);
	ck_assert_int_eq(inv.v[0].engine_pid, 4321);
	ck_assert_str_eq(inv.v[0].status, "running");
	ck_assert_int_eq(inv.v[1].engine_pid, 0);
	ck_assert_str_eq(inv.v[1].status, "exited");
	inventory_free(&inv);
	config_free(cfg);
}
END_TEST

START_TEST(kinds_are_named_as_json_spells_them)
{
	ck_assert_str_eq(usage_kind_name(USAGE_LIVE_LOGS), "live_logs");
	ck_assert_str_eq(usage_kind_name(USAGE_ARCHIVES), "archives");
	ck_assert_str_eq(usage_kind_name(USAGE_ENGINE_LOG), "engine_log");
	ck_assert_str_eq(usage_kind_name(USAGE_WRITABLE_LAYER), "writable_layer");
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("usage");
	TCase *walk = tcase_create("walk");
	TCase *collect = tcase_create("collect");

	tcase_set_timeout(walk, 60);
	tcase_add_test(walk, walk_counts_as_du_does);
	tcase_add_test(walk, walk_threads_agree);
	tcase_add_test(walk, walk_ages_regular_files);
	tcase_add_test(walk, walk_reports_what_is_too_deep);
	tcase_add_test(walk, walk_stops_when_asked);
	tcase_add_test(walk, walk_refuses_a_symlinked_top);
	suite_add_tcase(s, walk);
	tcase_set_timeout(collect, 60);
	tcase_add_test(collect, collect_groups_containers_volumes_and_filesystems);
	tcase_add_test(collect, writable_layers_come_from_the_sized_list);
	tcase_add_test(collect, logs_in_the_writable_layer_count_once);
	tcase_add_test(collect, inventory_keeps_the_status_and_pid_of_every_container);
	tcase_add_test(collect, kinds_are_named_as_json_spells_them);
	suite_add_tcase(s, collect);
	return s;
}
