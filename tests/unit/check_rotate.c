/* rotate.c on a temp folder standing in for a container root: every operation
 * (copytruncate by collapse and by the truncate fallback, rename, archive of an
 * idle file, prune; gzip and zstd) without a crash, then killed at each crash
 * point it passes (ROTD_CRASH_AT, in a forked child) and recovered with
 * rotate_recover: every line once and in order across the archives and the live
 * log, nothing partial left, a second recovery a no-op, the next rotation clean.
 * Mirrors tests/integration/scenarios/70-crash-and-escape.sh and
 * 75-crashpoints.sh. Run as root (the idle and rename checks need a process in a
 * mount namespace of its own, standing in for the container's init). */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rotate/apply.h"
#include "rotate/archive_name.h"
#include "rotate/compress.h"
#include "rotate/journal.h"
#include "rotate/plan.h"
#include "rotate/rotate.h"
#include "lib/xalloc.h"
#include "unit.h"
#include "unit_tmproot.h"

#define LOG_DIR "var/log/whatsapp"
#define ARCHIVE_REL LOG_DIR "/archive"
#define IDLE_DIR "usr/local/waent/logs"
#define IDLE_REL IDLE_DIR "/wa-2.log"
#define NEWEST_REL IDLE_DIR "/wa.log"
#define NOW ((time_t)1785000000)   /* 2026-07-25 */
#define N_OLD 3                    /* archives the prune operation drops */

/* ---- the fallocate the code under test sees ---------------------------------------
 * Armed, it refuses FALLOC_FL_COLLAPSE_RANGE as tmpfs does, which forces the
 * copy-then-truncate fallback on any filesystem. */
static int refuse_collapse;

int fallocate(int fd, int mode, off_t offset, off_t len)
{
	if (refuse_collapse && (mode & FALLOC_FL_COLLAPSE_RANGE) != 0) {
		errno = EOPNOTSUPP;
		return -1;
	}
	return (int)syscall(SYS_fallocate, fd, mode, offset, len);
}

/* ---- the operations ------------------------------------------------------------ */

enum op { OP_COLLAPSE, OP_TRUNCATE, OP_RENAME, OP_IDLE, OP_PRUNE, N_OPS };

static const char *const op_names[N_OPS] = { "copytruncate", "copytruncate (truncate fallback)", "rename",
					     "archive idle", "prune" };

/* The crash points each operation passes, in the order it passes them
 * ("member-written": inside compress_range, after its first member is written). */
static const char *const op_points[N_OPS][6] = {
	[OP_COLLAPSE] = { "member-written", "archive-written", "journal-written", "archive-linked", "source-cut", NULL },
	[OP_TRUNCATE] = { "member-written", "archive-written", "journal-written", "archive-linked", "source-cut", NULL },
	[OP_RENAME] = { "journal-written", "renamed", "member-written", "archive-linked", "source-cut", NULL },
	[OP_IDLE] = { "member-written", "archive-written", "journal-written", "archive-linked", "source-cut", NULL },
	[OP_PRUNE] = { "pruning", NULL },
};

static struct unit_tmproot tr;
static int dir_fd = -1;            /* the archive folder */
static pid_t ns_holder = -1;       /* stands in for the container's init */
static enum op op;
static enum compress_kind kind;
static struct log_policy policy;
static struct log_file file;
static struct action action;
static struct action prunes[N_OLD];
static struct rotate_target target;
static unsigned lines_written;     /* the source got lines 1..lines_written */
static unsigned rotations;         /* each rotation is named for NOW + rotations */
static char *source_rel;
static const char *log_name;       /* the rotated log in LOG_DIR, "web.log" unless a test says */
static char log_rel[128];          /* LOG_DIR "/" log_name */
static char log_path[130];         /* "/" log_rel */
static char *old_names[N_OLD];

/* ROTD_TEST_QUICK=1 (e.g. under valgrind) shrinks the logs. */
static unsigned log_lines(void)
{
	const char *q = getenv("ROTD_TEST_QUICK");

	return q != NULL && q[0] != '\0' && strcmp(q, "0") != 0 ? 1000 : 100000;
}

/* Method rename's postrotate: the application reopens its log, making a new one. */
static int postrotate(const struct rotate_target *t, const char *const argv[], char **err)
{
	int fd = open(unit_tmproot_path(&tr, log_rel), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

	(void)t;
	(void)argv;
	if (fd < 0) {
		*err = xstrdup(strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

/* Whether FALLOC_FL_COLLAPSE_RANGE works in folder dir. */
static int collapse_works(const char *dir)
{
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600), ok;

	if (fd < 0)
		return 0;
	ok = fallocate(fd, 0, 0, 2 * 65536) == 0 && fallocate(fd, FALLOC_FL_COLLAPSE_RANGE, 0, 65536) == 0;
	close(fd);
	return ok;
}

/* A folder for the temp root where collapse works (ext4, xfs), else NULL. */
static const char *collapse_base(void)
{
	const char *const candidates[] = { getenv("TMPDIR"), "/var/tmp", "/tmp", "." };

	for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++)
		if (candidates[i] != NULL && collapse_works(candidates[i]))
			return candidates[i];
	return NULL;
}

/* Starts a process (sleep, so that valgrind follows nothing) in a mount
 * namespace of its own, with none of our files open but the host file hold
 * when not NULL: it plays the container's application holding its log. */
static void start_ns_holder(const char *hold)
{
	int ready[2];
	char c = 'n';

	ck_assert_int_eq(pipe2(ready, O_CLOEXEC), 0);
	ns_holder = fork();
	ck_assert_int_ge(ns_holder, 0);
	if (ns_holder == 0) {
		int ok = unshare(CLONE_NEWNS) == 0 || unshare(CLONE_NEWUSER | CLONE_NEWNS) == 0;

		for (int fd = 3; fd < 1024; fd++)
			if (fd != ready[1])
				close(fd);
		if (hold != NULL && open(hold, O_RDONLY) < 0)
			ok = 0;
		c = ok ? 'y' : 'n';
		if (write(ready[1], &c, 1) != 1 || !ok)
			_exit(1);
		execlp("sleep", "sleep", "infinity", (char *)NULL);
		_exit(127);
	}
	close(ready[1]);
	ck_assert_int_eq(read(ready[0], &c, 1), 1);
	close(ready[0]);
	ck_assert_msg(c == 'y', "cannot start the stand-in container init in a mount namespace of its own");
	target.pid = ns_holder;
}

static void stop_ns_holder(void)
{
	if (ns_holder > 0) {
		kill(ns_holder, SIGKILL);
		waitpid(ns_holder, NULL, 0);
	}
	ns_holder = -1;
}

static void setup(void)
{
	memset(&target, 0, sizeof(target));
	start_ns_holder(NULL);
	unit_tmproot_make(&tr, collapse_base(), "rotate");
	unit_tmproot_mkdir(&tr, "var");
	unit_tmproot_mkdir(&tr, "var/log");
	unit_tmproot_mkdir(&tr, LOG_DIR);
	unit_tmproot_mkdir(&tr, ARCHIVE_REL);
	unit_tmproot_mkdir(&tr, "usr");
	unit_tmproot_mkdir(&tr, "usr/local");
	unit_tmproot_mkdir(&tr, "usr/local/waent");
	unit_tmproot_mkdir(&tr, IDLE_DIR);
	dir_fd = open(unit_tmproot_path(&tr, ARCHIVE_REL), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(dir_fd, 0);
	target.fs = tr.fs;
	target.container = "tmproot";
	target.exec = postrotate;
	lines_written = 0;
	rotations = 0;
	log_name = "web.log";
}

static void teardown(void)
{
	refuse_collapse = 0;
	unsetenv("ROTD_CRASH_AT");
	if (dir_fd >= 0)
		close(dir_fd);
	dir_fd = -1;
	free(action.stem);
	for (size_t i = 0; i < N_OLD; i++) {
		free(old_names[i]);
		old_names[i] = NULL;
		free(prunes[i].archive);
	}
	memset(prunes, 0, sizeof(prunes));
	memset(&action, 0, sizeof(action));
	unit_tmproot_remove(&tr);
	stop_ns_holder();
}

/* Sets up operation o with compressor k: the policy, the action and a source log
 * holding lines 1..log_lines(); for a prune, N_OLD older archives of its stem. */
static void begin(enum op o, enum compress_kind k)
{
	int idle = o == OP_IDLE;

	op = o;
	kind = k;
	refuse_collapse = o == OP_TRUNCATE;
	if (o == OP_COLLAPSE || o == OP_PRUNE)
		ck_assert_msg(collapse_works(tr.root), "no temp folder here supports FALLOC_FL_COLLAPSE_RANGE");
	memset(&policy, 0, sizeof(policy));
	snprintf(log_rel, sizeof(log_rel), "%s/%s", LOG_DIR, log_name);
	snprintf(log_path, sizeof(log_path), "/%s", log_rel);
	policy.glob = idle ? (char *)"/" IDLE_DIR "/wa*.log" : log_path;
	policy.size = 1024;
	policy.keep = 30;
	policy.compress = k;
	policy.compress_level = k == COMPRESS_ZSTD ? 3 : 6;
	policy.archive_dir = (char *)"/" ARCHIVE_REL;
	policy.method = o == OP_RENAME ? METHOD_RENAME : METHOD_COPYTRUNCATE;
	policy.idle_after = idle ? 3600 : 0;
	source_rel = idle ? (char *)IDLE_REL : log_rel;
	memset(&file, 0, sizeof(file));
	file.path = idle ? (char *)"/" IDLE_REL : log_path;
	file.glob = policy.glob;
	file.kind = CTRFS_REGULAR;
	file.nlink = 1;
	memset(&action, 0, sizeof(action));
	action.kind = idle ? ACTION_ARCHIVE_IDLE : ACTION_ROTATE;
	action.file = &file;
	action.policy = &policy;
	action.stem = archive_name_stem(file.path, policy.archive_dir);
	if (idle)
		unit_tmproot_put(&tr, NEWEST_REL, "the newest file of the glob: never archived\n");
	unit_tmproot_write_lines(&tr, source_rel, 1, log_lines(), idle ? NOW - 7200 : 0);
	lines_written = log_lines();
	file.size = (uint64_t)lines_written * UNIT_LINE_LEN;
	for (size_t i = 0; o == OP_PRUNE && i < N_OLD; i++) {
		char rel[512];

		old_names[i] = archive_name_make(action.stem, NOW - (time_t)(N_OLD - i) * 86400, 0,
						 compress_suffix(k));
		snprintf(rel, sizeof(rel), "%s/%s", ARCHIVE_REL, old_names[i]);
		unit_tmproot_put(&tr, rel, "an older archive\n");
		memset(&prunes[i], 0, sizeof(prunes[i]));
		prunes[i].kind = ACTION_PRUNE;
		prunes[i].file = &file;
		prunes[i].policy = &policy;
		prunes[i].archive = xstrdup(old_names[i]);
	}
}

/* Runs the operation once (a prune: the rotation of its log, then its prunes,
 * as apply does; with main 0 only the prunes). Fills o; for a prune, adds up
 * what the prunes removed in *pruned. */
static void run_op(struct rotate_outcome *o, int main, unsigned *pruned)
{
	time_t now = NOW + (time_t)rotations++;

	memset(o, 0, sizeof(*o));
	if (op != OP_PRUNE) {
		rotate_run(&target, &action, dir_fd, now, o);
		return;
	}
	{
		struct rotate_outcome prune_outcomes[N_OLD];
		struct rotate_outcome *prune_outcome_ptrs[N_OLD];
		const struct action *prune_ptrs[N_OLD];
		struct apply_unit u;

		memset(prune_outcomes, 0, sizeof(prune_outcomes));
		for (size_t i = 0; i < N_OLD; i++) {
			prune_outcome_ptrs[i] = &prune_outcomes[i];
			prune_ptrs[i] = &prunes[i];
		}
		memset(&u, 0, sizeof(u));
		u.target = &target;
		u.dir_fd = dir_fd;
		u.main = main ? &action : NULL;
		u.main_outcome = o;
		u.prunes = prune_ptrs;
		u.prune_outcomes = prune_outcome_ptrs;
		u.n_prunes = N_OLD;
		apply_run(&u, 1, 1, now);
		for (size_t i = 0; i < N_OLD; i++) {
			ck_assert_msg(prune_outcomes[i].error == NULL, "prune: %s", prune_outcomes[i].error);
			*pruned += prune_outcomes[i].pruned;
			rotate_outcome_free(&prune_outcomes[i]);
		}
	}
}

/* ---- what the tree holds ---------------------------------------------------------- */

static int is_old_archive(const char *name)
{
	for (size_t i = 0; i < N_OLD; i++)
		if (old_names[i] != NULL && strcmp(old_names[i], name) == 0)
			return 1;
	return 0;
}

struct tree_counts {
	unsigned records;     /* journal records in the archive folder */
	unsigned archives;    /* archives of the stem this test made */
	unsigned old;         /* older archives still there */
};

/* Counts what the archive folder holds, failing on anything that is neither an
 * archive of the stem, with the policy's suffix, nor a journal record. */
static struct tree_counts count_archive_dir(void)
{
	char **names = unit_tmproot_list(&tr, ARCHIVE_REL, NULL);
	struct tree_counts c = { 0, 0, 0 };

	for (char **p = names; *p != NULL; p++) {
		size_t len = strlen(*p), slen = strlen(compress_suffix(kind));
		time_t t;
		unsigned seq;

		if (strncmp(*p, JOURNAL_PREFIX, strlen(JOURNAL_PREFIX)) == 0)
			c.records++;
		else if (is_old_archive(*p))
			c.old++;
		else if (archive_name_parse(*p, action.stem, &t, &seq) && len > slen &&
			 strcmp(*p + len - slen, compress_suffix(kind)) == 0)
			c.archives++;
		else
			ck_abort_msg("%s: stray file in the archive folder: %s", op_names[op], *p);
	}
	unit_tmproot_list_free(names);
	return c;
}

/* The log folders hold nothing but the logs and the archive folder: no renamed
 * log, no temp file. */
static void assert_log_dirs_clean(void)
{
	char **names = unit_tmproot_list(&tr, LOG_DIR, NULL);

	for (char **p = names; *p != NULL; p++)
		ck_assert_msg(strcmp(*p, "archive") == 0 || strcmp(*p, log_name) == 0, "%s: stray file in %s: %s",
			      op_names[op], LOG_DIR, *p);
	unit_tmproot_list_free(names);
	names = unit_tmproot_list(&tr, IDLE_DIR, NULL);
	for (char **p = names; *p != NULL; p++)
		ck_assert_msg(strcmp(*p, "wa.log") == 0 || strcmp(*p, "wa-2.log") == 0, "%s: stray file in %s: %s",
			      op_names[op], IDLE_DIR, *p);
	unit_tmproot_list_free(names);
	if (op == OP_IDLE) {
		size_t len;
		char *newest = unit_tmproot_read(&tr, NEWEST_REL, &len);

		ck_assert_ptr_nonnull(newest);
		ck_assert_str_eq(newest, "the newest file of the glob: never archived\n");
		free(newest);
	}
}

struct buf {
	char *p;
	size_t len;
};

static void buf_add(struct buf *b, const char *data, size_t len)
{
	b->p = xreallocarray(b->p, b->len + len + 1, 1);
	memcpy(b->p + b->len, data, len);
	b->len += len;
}

/* The archives of the stem this test made, decompressed in name order (the order
 * they were made), then the live source. */
static struct buf archived_then_live(void)
{
	char **names = unit_tmproot_list(&tr, ARCHIVE_REL, NULL);
	struct buf all = { NULL, 0 };
	size_t len;
	char *data;

	buf_add(&all, "", 0);
	for (char **p = names; *p != NULL; p++) {
		char rel[512];

		if ((*p)[0] == '.' || is_old_archive(*p))
			continue;
		snprintf(rel, sizeof(rel), "%s/%s", ARCHIVE_REL, *p);
		data = unit_tmproot_decompress(&tr, rel, &len);
		buf_add(&all, data, len);
		free(data);
	}
	unit_tmproot_list_free(names);
	data = unit_tmproot_read(&tr, source_rel, &len);
	if (data != NULL)
		buf_add(&all, data, len);
	free(data);
	return all;
}

/* Every line the source was given is there exactly once, in order, across the
 * archives and the live source; nothing else is. */
static void assert_every_line_once(const char *when)
{
	struct buf all = archived_then_live();
	char *want = unit_lines(1, lines_written);
	size_t want_len = (size_t)lines_written * UNIT_LINE_LEN;
	size_t same = 0;

	while (same < all.len && same < want_len && all.p[same] == want[same])
		same++;
	ck_assert_msg(same == all.len && same == want_len,
		      "%s, %s: %zu bytes across archives and log, want %zu (lines 1..%u); they differ from line %zu on",
		      op_names[op], when, all.len, want_len, lines_written, same / UNIT_LINE_LEN + 1);
	free(all.p);
	free(want);
}

/* Everything in the three folders: names and contents. */
static struct buf snapshot(void)
{
	const char *const dirs[] = { LOG_DIR, ARCHIVE_REL, IDLE_DIR };
	struct buf s = { NULL, 0 };

	buf_add(&s, "", 0);
	for (size_t d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++) {
		char **names = unit_tmproot_list(&tr, dirs[d], NULL);

		for (char **p = names; *p != NULL; p++) {
			char rel[512];
			struct stat st;

			snprintf(rel, sizeof(rel), "%s/%s", dirs[d], *p);
			buf_add(&s, rel, strlen(rel) + 1);
			ck_assert_int_eq(lstat(unit_tmproot_path(&tr, rel), &st), 0);
			if (S_ISREG(st.st_mode)) {
				size_t len;
				char *data = unit_tmproot_read(&tr, rel, &len);

				buf_add(&s, data, len);
				free(data);
			}
		}
		unit_tmproot_list_free(names);
	}
	return s;
}

/* Runs rotate_recover on every journal record, as a pass does first; for a
 * prune, then the prunes again, as the next pass plans them. Returns how many
 * records there were. */
static unsigned recover_all(unsigned *pruned)
{
	char **names = unit_tmproot_list(&tr, ARCHIVE_REL, NULL);
	unsigned records = 0;

	for (char **p = names; *p != NULL; p++) {
		char *what = NULL;
		int rc;

		if (strncmp(*p, JOURNAL_PREFIX, strlen(JOURNAL_PREFIX)) != 0)
			continue;
		records++;
		rc = rotate_recover(&target, dir_fd, *p, &what);
		ck_assert_msg(rc == 0, "%s: recovering %s returned %d: %s", op_names[op], *p, rc, what);
		ck_assert_ptr_nonnull(what);
		free(what);
	}
	unit_tmproot_list_free(names);
	if (op == OP_PRUNE) {
		struct rotate_outcome o;

		run_op(&o, 0, pruned);
		rotate_outcome_free(&o);
	}
	return records;
}

/* The archive o names holds exactly the first o->archived bytes of before. */
static void assert_archive_holds(const struct rotate_outcome *o, const char *before, size_t before_len)
{
	char rel[512];
	size_t len;
	char *data;
	struct stat st;

	ck_assert_ptr_nonnull(o->archive);
	snprintf(rel, sizeof(rel), "%s/%s", ARCHIVE_REL, o->archive);
	data = unit_tmproot_decompress(&tr, rel, &len);
	ck_assert_uint_le(o->archived, before_len);
	ck_assert_msg(len == o->archived && memcmp(data, before, len) == 0,
		      "%s: the archive holds %zu bytes, not the %ju bytes cut", op_names[op], len,
		      (uintmax_t)o->archived);
	free(data);
	ck_assert_int_eq(lstat(unit_tmproot_path(&tr, rel), &st), 0);
	ck_assert_uint_eq(o->compressed, (uint64_t)st.st_size);
	ck_assert_int_eq(st.st_mode & 0777, 0644);
}

/* One clean rotation of the current source: done, and the archive holds exactly
 * what was cut; a prune's removes want_pruned older archives. */
static void rotate_clean(const char *when, unsigned want_pruned)
{
	struct rotate_outcome o;
	unsigned pruned = 0;
	size_t before_len;
	char *before = unit_tmproot_read(&tr, source_rel, &before_len);

	ck_assert_ptr_nonnull(before);
	run_op(&o, 1, &pruned);
	ck_assert_msg(o.done && o.error == NULL && o.note == NULL, "%s, %s: done %d, error %s, note %s",
		      op_names[op],
		      when, o.done, o.error, o.note);
	ck_assert_uint_eq(o.size_before, before_len);
	ck_assert_int_eq(o.fallback, op == OP_TRUNCATE);
	assert_archive_holds(&o, before, before_len);
	if (op == OP_COLLAPSE || op == OP_PRUNE) {
		size_t len;
		char *after = unit_tmproot_read(&tr, source_rel, &len);

		/* Whole blocks only, never up to the end: the tail stays live. */
		ck_assert_uint_gt(o.archived, 0);
		ck_assert_uint_lt(o.archived, before_len);
		ck_assert_uint_eq(len, before_len - o.archived);
		ck_assert_uint_eq(o.size_after, len);
		ck_assert(memcmp(after, before + o.archived, len) == 0);
		free(after);
	} else if (op == OP_TRUNCATE) {
		struct stat st;

		ck_assert_uint_eq(o.archived, before_len);
		ck_assert_int_eq(lstat(unit_tmproot_path(&tr, source_rel), &st), 0);
		ck_assert_int_eq(st.st_size, 0);
		ck_assert_uint_eq(o.maybe_lost, 0);
	} else {
		/* Rename and idle archive the whole file; rename leaves the new log
		 * postrotate made, idle leaves none. */
		struct stat st;

		ck_assert_uint_eq(o.archived, before_len);
		ck_assert_uint_eq(o.size_after, 0);
		if (op == OP_RENAME) {
			ck_assert_int_eq(o.postrotate_status, 0);
			ck_assert_int_eq(lstat(unit_tmproot_path(&tr, source_rel), &st), 0);
			ck_assert_int_eq(st.st_size, 0);
		} else {
			ck_assert_int_eq(lstat(unit_tmproot_path(&tr, source_rel), &st), -1);
		}
	}
	ck_assert_uint_eq(pruned, want_pruned);
	ck_assert_uint_eq(count_archive_dir().records, 0);
	assert_log_dirs_clean();
	free(before);
	rotate_outcome_free(&o);
}

/* Gives the source the next count lines, as the application would: appended, or
 * a new idle file. */
static void write_more(unsigned count)
{
	unit_tmproot_write_lines(&tr, source_rel, lines_written + 1, count, op == OP_IDLE ? NOW - 7200 : 0);
	lines_written += count;
	file.size = (uint64_t)lines_written * UNIT_LINE_LEN;
}

/* At least min lines, as many as make the source end on a filesystem block. */
static unsigned lines_to_block_end(unsigned min)
{
	struct statvfs vfs;
	struct stat st;
	uint64_t size = 0, end;

	ck_assert_int_eq(statvfs(tr.root, &vfs), 0);
	ck_assert_int_eq(vfs.f_bsize % UNIT_LINE_LEN, 0);
	if (lstat(unit_tmproot_path(&tr, source_rel), &st) == 0)
		size = (uint64_t)st.st_size;
	ck_assert_int_eq(size % UNIT_LINE_LEN, 0);
	end = size + (uint64_t)min * UNIT_LINE_LEN;
	end += (vfs.f_bsize - end % vfs.f_bsize) % vfs.f_bsize;
	return (unsigned)((end - size) / UNIT_LINE_LEN);
}

/* ---- without a crash ------------------------------------------------------------- */

/* _i: op * 2 + compressor. */
START_TEST(each_operation_without_a_crash)
{
	struct tree_counts c;

	begin((enum op)(_i / 2), (enum compress_kind)(_i % 2));
	rotate_clean("first rotation", op == OP_PRUNE ? N_OLD : 0);
	assert_every_line_once("after the first rotation");
	/* A log that ends on a block boundary: collapse still leaves its last block. */
	write_more(lines_to_block_end(log_lines() / 2));
	rotate_clean("second rotation", 0);
	assert_every_line_once("after the second rotation");
	c = count_archive_dir();
	ck_assert_uint_eq(c.archives, 2);
	ck_assert_uint_eq(c.old, 0);
}
END_TEST

START_TEST(prune_removes_only_regular_archives)
{
	struct rotate_outcome o;
	char rel[512];

	begin(OP_PRUNE, COMPRESS_GZIP);
	memset(&o, 0, sizeof(o));
	ck_assert_int_eq(rotate_prune(dir_fd, old_names[0], &o), 0);
	ck_assert_uint_eq(o.pruned, 1);
	ck_assert_uint_eq(o.pruned_bytes, strlen("an older archive\n"));
	/* Already gone: not an error, not counted. */
	ck_assert_int_eq(rotate_prune(dir_fd, old_names[0], &o), 0);
	ck_assert_uint_eq(o.pruned, 1);
	snprintf(rel, sizeof(rel), "%s/%s", ARCHIVE_REL, old_names[1]);
	ck_assert_int_eq(unlink(unit_tmproot_path(&tr, rel)), 0);
	unit_tmproot_mkdir(&tr, rel);
	ck_assert_int_eq(rotate_prune(dir_fd, old_names[1], &o), -1);
	ck_assert_ptr_nonnull(strstr(o.error, "is not a regular file: left alone"));
	ck_assert_uint_eq(o.pruned, 1);
	rotate_outcome_free(&o);
	ck_assert_int_eq(rmdir(unit_tmproot_path(&tr, rel)), 0);
}
END_TEST

/* ---- killed at each crash point --------------------------------------------------- */

struct crash_case {
	enum op op;
	const char *point;
	enum compress_kind kind;
};

static size_t crash_cases(struct crash_case *v)
{
	size_t n = 0;

	for (int o = 0; o < N_OPS; o++)
		for (size_t p = 0; op_points[o][p] != NULL; p++)
			for (int k = COMPRESS_GZIP; k <= COMPRESS_ZSTD; k++) {
				if (v != NULL) {
					v[n].op = (enum op)o;
					v[n].point = op_points[o][p];
					v[n].kind = (enum compress_kind)k;
				}
				n++;
			}
	return n;
}

/* What the crash left, before recovery, shows where it happened. */
static void assert_crashed_where(const char *point, struct tree_counts c)
{
	struct stat st;
	char renamed_rel[256];
	int renamed, source;
	unsigned want_records = 1, want_archives = 1;

	snprintf(renamed_rel, sizeof(renamed_rel), "%s/.%s.rotd-rotating", LOG_DIR, log_name);
	renamed = lstat(unit_tmproot_path(&tr, renamed_rel), &st) == 0;
	source = lstat(unit_tmproot_path(&tr, source_rel), &st) == 0;

	if (strcmp(point, "archive-written") == 0 || strcmp(point, "pruning") == 0 ||
	    (strcmp(point, "member-written") == 0 && op != OP_RENAME))
		want_records = 0;
	/* Killed mid-compression: the archive is an unlinked O_TMPFILE, so nothing. */
	if (strcmp(point, "archive-written") == 0 || strcmp(point, "journal-written") == 0 ||
	    strcmp(point, "renamed") == 0 || strcmp(point, "member-written") == 0)
		want_archives = 0;
	ck_assert_msg(c.records == want_records && c.archives == want_archives,
		      "%s killed at %s left %u journal records and %u archives", op_names[op], point, c.records,
		      c.archives);
	if (op == OP_RENAME) {
		int want_renamed = strcmp(point, "renamed") == 0 || strcmp(point, "member-written") == 0 ||
				   strcmp(point, "archive-linked") == 0;

		ck_assert_int_eq(renamed, want_renamed);
		/* Postrotate has made a new log once the old one is renamed. */
		ck_assert_int_eq(source, strcmp(point, "renamed") != 0);
	} else if (op == OP_IDLE) {
		ck_assert_int_eq(source, strcmp(point, "source-cut") != 0);
	}
	if (op == OP_PRUNE)
		ck_assert_uint_eq(c.old, N_OLD - 1);
}

/* Kills the operation begun at point in a forked child, recovers, and checks
 * the outcome, a second recovery and the next rotation. */
static void crash_and_recover(const char *point)
{
	struct tree_counts c;
	struct buf before, after;
	unsigned pruned = 0;
	int status;
	pid_t child = fork();

	ck_assert_int_ge(child, 0);
	if (child == 0) {
		struct rotate_outcome o;
		unsigned ignored = 0;

		setenv("ROTD_CRASH_AT", point, 1);
		run_op(&o, 1, &ignored);
		_exit(3);
	}
	ck_assert_int_eq(waitpid(child, &status, 0), child);
	ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "%s did not die at %s (status 0x%x)",
		      op_names[op], point, (unsigned)status);
	assert_crashed_where(point, count_archive_dir());

	recover_all(&pruned);
	c = count_archive_dir();
	ck_assert_msg(c.records == 0, "%s, %s: %u journal records left after recovery", op_names[op], point,
		      c.records);
	ck_assert_uint_eq(c.old, 0);
	ck_assert_uint_eq(pruned, op == OP_PRUNE ? N_OLD - 1 : 0);
	assert_log_dirs_clean();
	assert_every_line_once(point);

	before = snapshot();
	pruned = 0;
	ck_assert_uint_eq(recover_all(&pruned), 0);
	ck_assert_uint_eq(pruned, 0);
	after = snapshot();
	ck_assert_msg(before.len == after.len && memcmp(before.p, after.p, before.len) == 0,
		      "%s, %s: a second recovery changed the tree", op_names[op], point);
	free(before.p);
	free(after.p);

	write_more(log_lines() / 2);
	rotate_clean("the rotation after recovery", 0);
	assert_every_line_once("after the rotation that followed recovery");
}

START_TEST(killed_at_each_crash_point_then_recovered)
{
	struct crash_case *cases = calloc(crash_cases(NULL), sizeof(*cases));
	struct crash_case cc;

	ck_assert_ptr_nonnull(cases);
	crash_cases(cases);
	cc = cases[_i];
	free(cases);
	begin(cc.op, cc.kind);
	crash_and_recover(cc.point);
}
END_TEST

/* Recovery archives a renamed log with the compressor its archive's name ends
 * in, even when the log's own name holds the other suffix. */
START_TEST(a_recovered_rename_compresses_as_the_archive_name_ends)
{
	log_name = _i == COMPRESS_GZIP ? "trace.zst.log" : "trace.gz.log";
	begin(OP_RENAME, (enum compress_kind)_i);
	crash_and_recover("renamed");
}
END_TEST

/* Killed right after the rename while the application still holds the renamed
 * log (postrotate never ran): recovery keeps the record and the log, and
 * finishes once nothing holds it. */
START_TEST(a_renamed_log_still_held_is_kept_until_released)
{
	char renamed_rel[256], *what = NULL, *name = NULL;
	char **names;
	size_t len;
	char *held;
	int status;
	pid_t child;

	begin(OP_RENAME, (enum compress_kind)_i);
	stop_ns_holder();
	start_ns_holder(unit_tmproot_path(&tr, log_rel));
	child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0) {
		struct rotate_outcome o;
		unsigned ignored = 0;

		setenv("ROTD_CRASH_AT", "renamed", 1);
		run_op(&o, 1, &ignored);
		_exit(3);
	}
	ck_assert_int_eq(waitpid(child, &status, 0), child);
	ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	names = unit_tmproot_list(&tr, ARCHIVE_REL, &len);
	ck_assert_uint_eq(len, 1);
	name = xstrdup(names[0]);
	unit_tmproot_list_free(names);
	ck_assert_int_eq(rotate_recover(&target, dir_fd, name, &what), 1);
	ck_assert_msg(strstr(what, "still held by pid") != NULL, "%s", what);
	free(what);
	ck_assert_uint_eq(count_archive_dir().records, 1);
	snprintf(renamed_rel, sizeof(renamed_rel), "%s/.%s.rotd-rotating", LOG_DIR, log_name);
	held = unit_tmproot_read(&tr, renamed_rel, &len);
	ck_assert_ptr_nonnull(held);
	ck_assert_uint_eq(len, (size_t)lines_written * UNIT_LINE_LEN);
	free(held);

	stop_ns_holder();
	start_ns_holder(NULL);
	ck_assert_int_eq(rotate_recover(&target, dir_fd, name, &what), 0);
	ck_assert_msg(strstr(what, "finished an interrupted rename rotation") != NULL, "%s", what);
	free(what);
	free(name);
	ck_assert_uint_eq(count_archive_dir().records, 0);
	assert_log_dirs_clean();
	assert_every_line_once("once released");
	write_more(log_lines() / 2);
	rotate_clean("the rotation after recovery", 0);
	assert_every_line_once("after the rotation that followed recovery");
}
END_TEST

/* Recovery of a rename passes archive-linked itself: killed there, the next
 * recovery finishes. */
START_TEST(killed_again_while_recovering_a_rename)
{
	char renamed_rel[256];
	struct tree_counts c;
	unsigned pruned = 0;
	struct stat st;
	int status;
	pid_t child;

	begin(OP_RENAME, (enum compress_kind)_i);
	child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0) {
		struct rotate_outcome o;
		unsigned ignored = 0;

		setenv("ROTD_CRASH_AT", "renamed", 1);
		run_op(&o, 1, &ignored);
		_exit(3);
	}
	ck_assert_int_eq(waitpid(child, &status, 0), child);
	ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0) {
		unsigned ignored = 0;

		setenv("ROTD_CRASH_AT", "archive-linked", 1);
		recover_all(&ignored);
		_exit(3);
	}
	ck_assert_int_eq(waitpid(child, &status, 0), child);
	ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
		      "recovering the rename did not die at archive-linked (status 0x%x)", (unsigned)status);
	/* The archive is linked, the renamed log still there. */
	c = count_archive_dir();
	ck_assert_msg(c.records == 1 && c.archives == 1, "%u journal records and %u archives", c.records,
		      c.archives);
	snprintf(renamed_rel, sizeof(renamed_rel), "%s/.%s.rotd-rotating", LOG_DIR, log_name);
	ck_assert_int_eq(lstat(unit_tmproot_path(&tr, renamed_rel), &st), 0);
	ck_assert_uint_eq(recover_all(&pruned), 1);
	ck_assert_uint_eq(count_archive_dir().records, 0);
	assert_log_dirs_clean();
	assert_every_line_once("after a crash while recovering");
}
END_TEST

/* ---- a writer appending while copytruncate runs ---------------------------------- */

struct writer {
	pthread_t thread;
	int fd;
	atomic_uint written;   /* lines 1..written are in the file */
	atomic_int stop;
	atomic_int finished;
	unsigned max;
};

static void *writer_main(void *arg)
{
	struct writer *w = arg;

	while (!atomic_load(&w->stop) && atomic_load(&w->written) < w->max) {
		unsigned next = atomic_load(&w->written) + 1;
		char *line = unit_lines(next, 1);
		ssize_t n = write(w->fd, line, UNIT_LINE_LEN);

		free(line);
		if (n != UNIT_LINE_LEN)
			break;
		atomic_store(&w->written, next);
	}
	atomic_store(&w->finished, 1);
	return NULL;
}

START_TEST(a_writer_appending_during_copytruncate_loses_and_duplicates_nothing)
{
	struct writer w;
	unsigned overlapped = 0, runs = 0;

	begin(OP_COLLAPSE, (enum compress_kind)_i);
	w.fd = open(unit_tmproot_path(&tr, source_rel), O_WRONLY | O_APPEND | O_CLOEXEC);
	ck_assert_int_ge(w.fd, 0);
	atomic_init(&w.written, lines_written);
	atomic_init(&w.stop, 0);
	atomic_init(&w.finished, 0);
	w.max = lines_written * 20;
	ck_assert_int_eq(pthread_create(&w.thread, NULL, writer_main, &w), 0);
	/* At least 3 rotations, and on until one of them ran while lines came in. */
	while (runs < 3 || (overlapped == 0 && runs < 50)) {
		struct rotate_outcome o;
		unsigned pruned = 0, at_start = atomic_load(&w.written);

		run_op(&o, 1, &pruned);
		if (atomic_load(&w.written) > at_start)
			overlapped++;
		ck_assert_msg(o.error == NULL, "%s", o.error);
		rotate_outcome_free(&o);
		runs++;
		while (atomic_load(&w.written) < at_start + 100 && !atomic_load(&w.finished))
			sched_yield();
	}
	atomic_store(&w.stop, 1);
	ck_assert_int_eq(pthread_join(w.thread, NULL), 0);
	close(w.fd);
	lines_written = atomic_load(&w.written);
	ck_assert_msg(overlapped > 0, "no rotation ran while the writer wrote (%u runs)", runs);
	assert_every_line_once("with a writer appending");
	ck_assert_uint_eq(count_archive_dir().records, 0);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("rotate");
	TCase *tc = tcase_create("operations");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, each_operation_without_a_crash, 0, N_OPS * 2);
	tcase_add_test(tc, prune_removes_only_regular_archives);
	tcase_add_loop_test(tc, a_writer_appending_during_copytruncate_loses_and_duplicates_nothing, COMPRESS_GZIP,
			    COMPRESS_ZSTD + 1);
	suite_add_tcase(s, tc);
	tc = tcase_create("crash points");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, killed_at_each_crash_point_then_recovered, 0, (int)crash_cases(NULL));
	tcase_add_loop_test(tc, a_recovered_rename_compresses_as_the_archive_name_ends, COMPRESS_GZIP,
			    COMPRESS_ZSTD + 1);
	tcase_add_loop_test(tc, a_renamed_log_still_held_is_kept_until_released, COMPRESS_GZIP, COMPRESS_ZSTD + 1);
	tcase_add_loop_test(tc, killed_again_while_recovering_a_rename, COMPRESS_GZIP, COMPRESS_ZSTD + 1);
	suite_add_tcase(s, tc);
	return s;
}
