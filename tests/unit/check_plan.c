/* plan: archive naming, idle detection, rotation, pruning and their order. Every
 * input is built by hand, so these tests depend on nothing but plan itself. */
#include "autoconf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rotate/archive_name.h"
#include "rotate/plan.h"
#include "rotate/retention.h"
#include "lib/strlist.h"
#include "lib/xalloc.h"
#include "unit.h"

#define MIB (UINT64_C(1024) * 1024)
#define HOUR 3600
#define DAY 86400
#define MAX_GLOBS 4
#define MAX_FILES 16
#define MAX_ARCHIVES 64

#define WA_ARCHIVE "/var/log/whatsapp/archive"
#define WA_LOGS "/var/log/whatsapp/*.log"
#define CORE_LOGS "/usr/local/waent/logs/*.log"

/* A role, what scan saw and the archive folders' listings, all owned here. */
struct fx {
	struct role_policy role;
	struct log_policy pol[MAX_GLOBS];
	struct log_file files[MAX_FILES];
	struct scan_result scan;
	struct existing_archive arch[MAX_GLOBS][MAX_ARCHIVES];
	const struct existing_archive *arch_of[MAX_GLOBS];
	size_t n_arch[MAX_GLOBS];
	struct plan plan;
};

/* One expected action: the source path (the archive name for PRUNE) and the reason. */
struct want {
	enum action_kind kind;
	const char *what;
	const char *reason;
};

static time_t utc(int y, int mo, int d, int h, int mi, int s)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	return timegm(&tm);
}

#define NOW utc(2026, 11, 22, 12, 0, 0)

static void fx_init(struct fx *fx)
{
	size_t i;

	memset(fx, 0, sizeof(*fx));
	fx->role.name = xstrdup("test");
	fx->role.log_policies = fx->pol;
	for (i = 0; i < MAX_GLOBS; i++)
		fx->arch_of[i] = fx->arch[i];
	fx->scan.files = fx->files;
}

/* Adds a glob with its effective policy; returns its index. */
static size_t fx_glob(struct fx *fx, const char *glob, uint64_t size, unsigned keep, uint64_t idle_after,
		      const char *archive_dir)
{
	size_t i = fx->role.logs.n;
	struct log_policy *p = &fx->pol[i];

	ck_assert_uint_lt(i, MAX_GLOBS);
	strlist_add(&fx->role.logs, glob);
	p->glob = xstrdup(glob);
	p->size = size;
	p->keep = keep;
	p->compress = COMPRESS_GZIP;
	p->compress_level = 6;
	p->archive_dir = xstrdup(archive_dir);
	p->method = METHOD_COPYTRUNCATE;
	p->idle_after = idle_after;
	return i;
}

/* Adds what scan saw; callers add files in path order, as scan sorts them. */
static void fx_file(struct fx *fx, size_t gi, const char *path, enum ctrfs_kind kind, uint64_t size,
		    time_t mtime, nlink_t nlink)
{
	struct log_file *f = &fx->files[fx->scan.n];

	ck_assert_uint_lt(fx->scan.n, MAX_FILES);
	if (fx->scan.n > 0)
		ck_assert_msg(strcmp(fx->files[fx->scan.n - 1].path, path) < 0, "test files out of order");
	f->path = xstrdup(path);
	f->glob = fx->role.logs.v[gi];
	f->glob_index = gi;
	f->kind = kind;
	f->size = size;
	f->mtime = mtime;
	f->nlink = nlink;
	fx->scan.n++;
}

static void fx_reg(struct fx *fx, size_t gi, const char *path, uint64_t size, time_t mtime)
{
	fx_file(fx, gi, path, CTRFS_REGULAR, size, mtime, 1);
}

static void fx_archive(struct fx *fx, size_t gi, const char *name)
{
	ck_assert_uint_lt(fx->n_arch[gi], MAX_ARCHIVES);
	fx->arch[gi][fx->n_arch[gi]++].name = xstrdup(name);
}

/* Adds stem's archive made at t, of size bytes, to glob gi's folder. */
static void fx_archive_sized(struct fx *fx, size_t gi, const char *stem, time_t t, uint64_t size)
{
	char *name = archive_name_make(stem, t, 0, ".gz");

	ck_assert_uint_lt(fx->n_arch[gi], MAX_ARCHIVES);
	fx->arch[gi][fx->n_arch[gi]].name = name;
	fx->arch[gi][fx->n_arch[gi]++].size = size;
}

/* Adds stem's archive made at t (gzip, no seq) to glob gi's folder. */
static void fx_archive_at(struct fx *fx, size_t gi, const char *stem, time_t t)
{
	char *name = archive_name_make(stem, t, 0, ".gz");

	fx_archive(fx, gi, name);
	free(name);
}

static void fx_plan(struct fx *fx, time_t now)
{
	plan_free(&fx->plan);
	fx->plan = plan_make(&fx->role, &fx->scan, fx->arch_of, fx->n_arch, now);
}

static void fx_free(struct fx *fx)
{
	size_t i, j;

	plan_free(&fx->plan);
	for (i = 0; i < fx->scan.n; i++)
		free(fx->files[i].path);
	for (i = 0; i < fx->role.logs.n; i++) {
		free(fx->pol[i].glob);
		free(fx->pol[i].archive_dir);
		for (j = 0; j < fx->n_arch[i]; j++)
			free((char *)fx->arch[i][j].name);
	}
	strlist_free(&fx->role.logs);
	free(fx->role.name);
}

/* The plan as text, one action a line, for failure messages. */
static char *dump(const struct plan *p)
{
	char *out = xstrdup("");
	size_t i;

	for (i = 0; i < p->n; i++) {
		const struct action *a = &p->v[i];
		char *next = a->kind == ACTION_PRUNE && a->archive == NULL ?
			xasprintf("%s  prune the new archive of %s [%s]\n", out, a->file->path, a->reason) :
			xasprintf("%s  %s %s [%s]\n", out, plan_action_name(a->kind),
				  a->kind == ACTION_PRUNE ? a->archive : a->file->path, a->reason);

		free(out);
		out = next;
	}
	return out;
}

/* Asserts that the plan is exactly w[0..n-1]. */
static void expect(const struct fx *fx, const struct want *w, size_t n)
{
	const struct plan *p = &fx->plan;
	char *text = dump(p);
	size_t i;

	ck_assert_msg(p->n == n, "%zu actions, want %zu:\n%s", p->n, n, text);
	for (i = 0; i < n; i++) {
		const struct action *a = &p->v[i];
		const char *what = a->kind == ACTION_PRUNE ? a->archive : a->file != NULL ? a->file->path : "(no file)";

		ck_assert_msg(a->kind == w[i].kind && strcmp(what, w[i].what) == 0 &&
				      strcmp(a->reason, w[i].reason) == 0,
			      "action %zu: want %s %s [%s], plan:\n%s", i, plan_action_name(w[i].kind), w[i].what,
			      w[i].reason, text);
		/* A prune that counts for a pattern (or a log that is gone) has no file. */
		ck_assert(a->file != NULL || a->kind == ACTION_PRUNE);
		if (a->file != NULL)
			ck_assert_ptr_eq(a->policy, &fx->pol[a->file->glob_index]);
		else
			ck_assert(a->policy >= fx->pol && a->policy < fx->pol + fx->role.logs.n);
		ck_assert_ptr_nonnull(a->stem);
		ck_assert_int_eq(a->archive == NULL, a->kind != ACTION_PRUNE);
		ck_assert(a->group != NULL || a->kind == ACTION_SKIP || a->kind == ACTION_ROTATE ||
			  a->kind == ACTION_ARCHIVE_IDLE);
		if (a->kind == ACTION_PRUNE) {
			time_t t;
			unsigned seq;

			ck_assert_int_eq(archive_name_parse(a->archive, a->stem, &t, &seq), 1);
			ck_assert_int_eq(a->archive_time, t);
		}
	}
	free(text);
}

#define EXPECT(fx, ...)                                                                            \
	do {                                                                                       \
		static const struct want w_[] = { __VA_ARGS__ };                                  \
		expect((fx), w_, sizeof(w_) / sizeof(w_[0]));                                     \
	} while (0)

#define EXPECT_NONE(fx) expect((fx), NULL, 0)

/* --- naming -------------------------------------------------------------- */

START_TEST(test_archive_name)
{
	time_t t = utc(2026, 11, 22, 1, 2, 3);
	char *s;

	s = archive_name_make("web.log", t, 0, ".gz");
	ck_assert_str_eq(s, "web.log-20261122T010203Z.gz");
	free(s);
	s = archive_name_make("web.log", t, 2, ".gz");
	ck_assert_str_eq(s, "web.log-20261122T010203Z_002.gz");
	free(s);
	s = archive_name_make("lighttpd_error.log", t, 0, ".zst");
	ck_assert_str_eq(s, "lighttpd_error.log-20261122T010203Z.zst");
	free(s);
	s = archive_name_make("a", utc(1999, 1, 2, 23, 59, 59), 17, ".zst");
	ck_assert_str_eq(s, "a-19990102T235959Z_017.zst");
	free(s);
}
END_TEST

START_TEST(test_parse_round_trips)
{
	static const char *const stems[] = { "web.log", "wa-service-1a2b-crash.log", "logs_2024-01.log",
					     "x-20261122T010203Z.gz" };
	static const unsigned seqs[] = { 0, 1, 2, 10, 999 };
	static const char *const suffixes[] = { ".gz", ".zst" };
	time_t times[] = { utc(2026, 11, 22, 1, 2, 3), utc(1970, 1, 1, 0, 0, 0), utc(2000, 2, 29, 23, 59, 59) };
	size_t a, b, c, d;

	for (a = 0; a < sizeof(stems) / sizeof(stems[0]); a++)
		for (b = 0; b < sizeof(seqs) / sizeof(seqs[0]); b++)
			for (c = 0; c < sizeof(suffixes) / sizeof(suffixes[0]); c++)
				for (d = 0; d < sizeof(times) / sizeof(times[0]); d++) {
					char *name = archive_name_make(stems[a], times[d], seqs[b], suffixes[c]);
					time_t t = 1;
					unsigned seq = 99;

					ck_assert_msg(archive_name_parse(name, stems[a], &t, &seq) == 1,
						      "%s did not parse", name);
					ck_assert_msg(t == times[d] && seq == seqs[b], "%s gave %lld/%u", name,
						      (long long)t, seq);
					free(name);
				}
}
END_TEST

START_TEST(test_parse_stem_with_dashes_and_digits)
{
	time_t t = 0;
	unsigned seq = 0;

	ck_assert_int_eq(archive_name_parse("wa-service-1a2b-crash.log-20261122T010203Z_003.zst",
						 "wa-service-1a2b-crash.log", &t, &seq),
			 1);
	ck_assert_int_eq(t, utc(2026, 11, 22, 1, 2, 3));
	ck_assert_uint_eq(seq, 3);
	/* A shorter stem that is a prefix up to a '-' is another log. */
	ck_assert_int_eq(archive_name_parse("wa-service-1a2b-crash.log-20261122T010203Z_003.zst",
						 "wa-service-1a2b", &t, &seq),
			 0);
	ck_assert_int_eq(archive_name_parse("wa-service-1a2b-crash.log-20261122T010203Z_003.zst",
						 "wa-service-1a2b-crash", &t, &seq),
			 0);
}
END_TEST

START_TEST(test_parse_rejects_near_misses)
{
	static const char *const bad[] = {
		"web.log-20261122T010203Z.gz.tmp",
		"web.log-20261122T010203Z.gz~",
		".web.log-20261122T010203Z.gz",
		"web.log-2026112T010203Z.gz",
		"web.log-202611220T010203Z.gz",
		"web.log-20261122T01023Z.gz",
		"web.log-20261122T010203.gz",
		"web.log-20261122t010203Z.gz",
		"web.log-20261122T010203z.gz",
		"web.log-20261122 010203Z.gz",
		"web.log-2026-11-22T010203Z.gz",
		"web.log-2026112xT010203Z.gz",
		"web.logx-20261122T010203Z.gz",
		"web.log20261122T010203Z.gz",
		"web.log_20261122T010203Z.gz",
		"web.log--20261122T010203Z.gz",
		"web.log-20261122T010203Z_02.gz",
		"web.log-20261122T010203Z_000.gz",
		"web.log-20261122T010203Z_.gz",
		"web.log-20261122T010203Z__002.gz",
		"web.log-20261122T010203Z_002x.gz",
		"web.log-20261122T010203Z_+02.gz",
		"web.log-20261122T010203Z_1000.gz",
		"web.log-20261122T010203Z-2.gz",
		"web.log-20261122T010203Z",
		"web.log-20261122T010203Z.",
		"web.log-20261122T010203Z.gzip",
		"web.log-20261122T010203Z.bz2",
		"web.log-20261122T010203Z.GZ",
		"web.log-20261122T010203Z.zst.gz",
		"web.log-20261322T010203Z.gz",
		"web.log-20260230T010203Z.gz",
		"web.log-20261100T010203Z.gz",
		"web.log-20261122T240203Z.gz",
		"web.log-20261122T016003Z.gz",
		"web.log-20261122T010260Z.gz",
		"access.log-20261122T010203Z.gz",
		"web.log",
		"web.log-",
		"",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		time_t t = 7;
		unsigned seq = 7;

		ck_assert_msg(archive_name_parse(bad[i], "web.log", &t, &seq) == 0, "'%s' accepted", bad[i]);
		ck_assert_msg(t == 7 && seq == 7, "'%s' changed the outputs", bad[i]);
	}
}
END_TEST

START_TEST(test_parse_wrong_stem)
{
	time_t t;
	unsigned seq;

	ck_assert_int_eq(archive_name_parse("web.log-20261122T010203Z.gz", "web", &t, &seq), 0);
	ck_assert_int_eq(archive_name_parse("web.log-20261122T010203Z.gz", "web.lo", &t, &seq), 0);
	ck_assert_int_eq(archive_name_parse("web.log-20261122T010203Z.gz", "eb.log", &t, &seq), 0);
	ck_assert_int_eq(archive_name_parse("web.log-20261122T010203Z.gz", "web.log-20261122T010203Z", &t,
						 &seq),
			 0);
	ck_assert_int_eq(archive_name_parse("web.log-20261122T010203Z.gz", "", &t, &seq), 0);
}
END_TEST

START_TEST(test_stem_rules)
{
	static const struct {
		const char *path, *archive_dir, *stem;
	} cases[] = {
		/* the log's folder holds the archive folder: the file name alone */
		{ "/var/log/whatsapp/web.log", WA_ARCHIVE, "web.log" },
		{ "/var/log/whatsapp/web.log", WA_ARCHIVE "/", "web.log" },
		{ "/var/log/whatsapp/web.log", WA_ARCHIVE "//", "web.log" },
		/* elsewhere: prefixed with the log's own folder name */
		{ "/var/log/lighttpd/error.log", WA_ARCHIVE, "lighttpd_error.log" },
		{ "/usr/local/waent/logs/wa-service-1a2b-crash.log", WA_ARCHIVE, "logs_wa-service-1a2b-crash.log" },
		{ "/var/log/whatsapp/archive/web.log", WA_ARCHIVE, "archive_web.log" },
		{ "/var/log/whatsapp/sub/web.log", WA_ARCHIVE, "sub_web.log" },
		{ "/var/log/web.log", WA_ARCHIVE, "log_web.log" },
		{ "/var/log/whatsappx/web.log", WA_ARCHIVE, "whatsappx_web.log" },
		/* a file at the root: its name (beside /archive), or its name alone (no folder) */
		{ "/boot.log", "/archive", "boot.log" },
		{ "/boot.log", WA_ARCHIVE, "boot.log" },
		{ "/var/boot.log", "/archive", "var_boot.log" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *s = archive_name_stem(cases[i].path, cases[i].archive_dir);

		ck_assert_msg(strcmp(s, cases[i].stem) == 0, "%s with %s: '%s', want '%s'", cases[i].path,
			      cases[i].archive_dir, s, cases[i].stem);
		free(s);
	}
}
END_TEST

START_TEST(test_action_names)
{
	ck_assert_str_eq(plan_action_name(ACTION_ROTATE), "rotate");
	ck_assert_str_eq(plan_action_name(ACTION_ARCHIVE_IDLE), "archive-idle");
	ck_assert_str_eq(plan_action_name(ACTION_PRUNE), "prune");
	ck_assert_str_eq(plan_action_name(ACTION_SKIP), "skip");
}
END_TEST

/* --- rotation ------------------------------------------------------------ */

START_TEST(test_web_over_size)
{
	struct fx fx;
	size_t g;

	fx_init(&fx);
	g = fx_glob(&fx, WA_LOGS, 20 * MIB, 30, 0, WA_ARCHIVE);
	fx_reg(&fx, g, "/var/log/whatsapp/web.log", 25 * MIB, NOW - 1);
	fx_plan(&fx, NOW);
	EXPECT(&fx, { ACTION_ROTATE, "/var/log/whatsapp/web.log", "25.0 MiB > 20.0 MiB" });
	ck_assert_str_eq(fx.plan.v[0].stem, "web.log");
	fx_free(&fx);
}
END_TEST

START_TEST(test_web_one_byte_over_size_shows_bytes)
{
	struct fx fx;
	size_t g;

	fx_init(&fx);
	g = fx_glob(&fx, WA_LOGS, 20 * MIB, 30, 0, WA_ARCHIVE);
	fx_reg(&fx, g, "/var/log/whatsapp/web.log", 20 * MIB + 1, NOW - 1);
	fx_plan(&fx, NOW);
	EXPECT(&fx, { ACTION_ROTATE, "/var/log/whatsapp/web.log", "20971521 bytes > 20971520 bytes" });
	fx_free(&fx);
}
END_TEST

START_TEST(test_web_at_and_under_size)
{
	struct fx fx;
	size_t g;

	fx_init(&fx);
	g = fx_glob(&fx, WA_LOGS, 20 * MIB, 30, 0, WA_ARCHIVE);
	fx_reg(&fx, g, "/var/log/whatsapp/access.log", 20 * MIB, NOW - 1);
	fx_reg(&fx, g, "/var/log/whatsapp/empty.log", 0, NOW - 1);
	fx_reg(&fx, g, "/var/log/whatsapp/web.log", 20 * MIB - 1, NOW - 1);
	fx_plan(&fx, NOW);
	EXPECT_NONE(&fx);
	fx_free(&fx);
}
END_TEST

START_TEST(test_empty_scan)
{
	struct fx fx;

	fx_init(&fx);
	fx_glob(&fx, WA_LOGS, 20 * MIB, 30, 0, WA_ARCHIVE);
	fx_archive_at(&fx, 0, "web.log", NOW - DAY);
	fx_plan(&fx, NOW);
	EXPECT_NONE(&fx);
	ck_assert_ptr_null(fx.plan.v);
	fx_free(&fx);
}
END_TEST

START_TEST(test_no_archive_listing)
{
	struct fx fx;
	struct plan p;
	size_t g;

	fx_init(&fx);
	g = fx_glob(&fx, WA_LOGS, 20 * MIB, 30, 0, WA_ARCHIVE);
	fx_reg(&fx, g, "/var/log/whatsapp/web.log", 25 * MIB, NOW - 1);
	p = plan_make(&fx.role, &fx.scan, NULL, NULL, NOW);
	ck_assert_uint_eq(p.n, 1);
	ck_assert_int_eq(p.v[0].kind, ACTION_ROTATE);
	plan_free(&p);
	ck_assert_uint_eq(p.n, 0);
	ck_assert_ptr_null(p.v);
	plan_free(&p);
	fx_free(&fx);
}
END_TEST

/* --- idle files ---------------------------------------------------------- */

/* The core app's folder: an active file, a rolled one and a crash log. */
static size_t core_fixture(struct fx *fx, uint64_t idle_after)
{
	size_t g = fx_glob(fx, CORE_LOGS, 15 * MIB, 30, idle_after, WA_ARCHIVE);

	fx_reg(fx, g, "/usr/local/waent/logs/wa-service-1a2b-crash.log", 4096, NOW - 2 * HOUR - 5);
	fx_reg(fx, g, "/usr/local/waent/logs/wa-service-1a2b.1.log", 16 * MIB, NOW - 2 * HOUR - 30 * 60);
	fx_reg(fx, g, "/usr/local/waent/logs/wa-service-1a2b.log", 3 * MIB, NOW - 2 * HOUR);
	return g;
}

START_TEST(test_core_idle_files_archived_active_untouched)
{
	struct fx fx;

	fx_init(&fx);
	core_fixture(&fx, HOUR);
	fx_plan(&fx, NOW);
	/* The rolled file is also over size: it is archived whole all the same. The
	 * active file is idle too, but it is the newest. */
	EXPECT(&fx,
	       { ACTION_ARCHIVE_IDLE, "/usr/local/waent/logs/wa-service-1a2b-crash.log",
		 "idle 2h, not the newest of " CORE_LOGS },
	       { ACTION_ARCHIVE_IDLE, "/usr/local/waent/logs/wa-service-1a2b.1.log",
		 "idle 2h, not the newest of " CORE_LOGS });
	ck_assert_str_eq(fx.plan.v[0].stem, "logs_wa-service-1a2b-crash.log");
	ck_assert_str_eq(fx.plan.v[1].stem, "logs_wa-service-1a2b.1.log");
	fx_free(&fx);
}
END_TEST

START_TEST(test_idle_after_zero_disables)
{
	struct fx fx;

	fx_init(&fx);
	core_fixture(&fx, 0);
	fx_plan(&fx, NOW + 365 * DAY);
	EXPECT(&fx, { ACTION_ROTATE, "/usr/local/waent/logs/wa-service-1a2b.1.log", "16.0 MiB > 15.0 MiB" });
	fx_free(&fx);
}
END_TEST

START_TEST(test_idle_threshold_is_inclusive)
{
	struct fx fx;
	time_t rolled_mtime;

	fx_init(&fx);
	core_fixture(&fx, 3 * HOUR);
	rolled_mtime = fx.files[1].mtime;
	/* One second short of idle (the crash log is younger still): over size, so rotated. */
	fx_plan(&fx, rolled_mtime + 3 * HOUR - 1);
	EXPECT(&fx, { ACTION_ROTATE, "/usr/local/waent/logs/wa-service-1a2b.1.log", "16.0 MiB > 15.0 MiB" });
	/* Exactly idle_after: idle. */
	fx_plan(&fx, rolled_mtime + 3 * HOUR);
	EXPECT(&fx, { ACTION_ARCHIVE_IDLE, "/usr/local/waent/logs/wa-service-1a2b.1.log",
		      "idle 3h, not the newest of " CORE_LOGS });
	fx_free(&fx);
}
END_TEST

START_TEST(test_idle_age_formats)
{
	struct fx fx;
	size_t g;

	fx_init(&fx);
	g = fx_glob(&fx, CORE_LOGS, 15 * MIB, 30, 30, WA_ARCHIVE);
	fx_reg(&fx, g, "/usr/local/waent/logs/a.log", 1, NOW - 45);
	fx_reg(&fx, g, "/usr/local/waent/logs/b.log", 1, NOW - 90 * 60 - 59);
	fx_reg(&fx, g, "/usr/local/waent/logs/c.log", 1, NOW - 3 * DAY - 23 * HOUR);
	fx_reg(&fx, g, "/usr/local/waent/logs/d.log", 1, NOW - 5 * 60);
	fx_reg(&fx, g, "/usr/local/waent/logs/e.log", 1, NOW);
	fx_plan(&fx, NOW);
	EXPECT(&fx, { ACTION_ARCHIVE_IDLE, "/usr/local/waent/logs/a.log", "idle 45s, not the newest of " CORE_LOGS },
	       { ACTION_ARCHIVE_IDLE, "/usr/local/waent/logs/b.log", "idle 1h, not the newest of " CORE_LOGS },
	       { ACTION_ARCHIVE_IDLE, "/usr/local/waent/logs/c.log", "idle 3d, not the newest of " CORE_LOGS },
	       { ACTION_ARCHIVE_IDLE, "/usr/local/waent/logs/d.log", "idle 5m, not the newest of " CORE_LOGS });
	fx_free(&fx);
}
END_TEST

START_TEST(test_idle_but_newest)
{
	struct fx fx;
	size_t g;

	fx_init(&fx);
	g = fx_glob(&fx, CORE_LOGS, 15 * MIB, 30, HOUR, WA_ARCHIVE);
	fx_reg(&fx, g, "/usr/local/waent/logs/wa-service-1a2b.log", 3 * MIB, NOW - 5 * DAY);
	fx_plan(&fx, NOW);
	EXPECT_NONE(&fx);
	fx.files[0].size = 15 * MIB + 512 * 1024;
	fx_plan(&fx, NOW);
	EXPECT(&fx, { ACTION_ROTATE, "/usr/local/waent/logs/wa-service-1a2b.log", "15.5 MiB > 15.0 MiB" });
	fx_free(&fx);
}
END_TEST

START_TEST(test_idle_future_mtime_is_not_idle)
{
	struct fx fx;
	size_t g;

	fx_init(&fx);
	g = fx_glob(&fx, CORE_LOGS, 15 * MIB, 30, HOUR, WA_ARCHIVE);
	fx_reg(&fx, g, "/usr/local/waent/logs/a.log", 1, NOW + 10 * DAY);
	fx_reg(&fx, g, "/usr/local/waent/logs/b.log", 1, NOW + 20 * DAY);
	fx_plan(&fx, NOW);
	EXPECT_NONE(&fx);
	fx_free(&fx);
}
END_TEST

START_TEST(test_idle_mtime_tie_greatest_path_is_newest)
{
	struct fx fx;
	size_t g;

	fx_init(&fx);
	g = fx_glob(&fx, CORE_LOGS, 15 * MIB, 30, HOUR, WA_ARCHIVE);
	fx_reg(&fx, g, "/usr/local/waent/logs/a.log", 1, NOW - 2 * HOUR);
	fx_reg(&fx, g, "/usr/local/waent/logs/b.log", 1, NOW - 2 * HOUR);
	fx_reg(&fx, g, "/usr/local/waent/logs/c.log", 1, NOW - 2 * HOUR);
	fx_plan(&fx, NOW);
	EXPECT(&fx, { ACTION_ARCHIVE_IDLE, "/usr/local/waent/logs/a.log", "idle 2h, not the newest of " CORE_LOGS },
	       { ACTION_ARCHIVE_IDLE, "/usr/local/waent/logs/b.log", "idle 2h, not the newest of " CORE_LOGS });
	fx_free(&fx);
}
END_TEST

START_TEST(test_idle_groups_by_glob_and_directory)
{
	struct fx fx;
	size_t web, core;

	fx_init(&fx);
	core = fx_glob(&fx, CORE_LOGS, 15 * MIB, 30, HOUR, WA_ARCHIVE);
	web = fx_glob(&fx, WA_LOGS, 15 * MIB, 30, HOUR, WA_ARCHIVE);
	/* Each folder's newest file is its own active one, however old. */
	fx_reg(&fx, core, "/usr/local/waent/logs/old.log", 1, NOW - 9 * DAY);
	fx_reg(&fx, core, "/usr/local/waent/logs/wa.log", 1, NOW - 8 * DAY);
	fx_reg(&fx, web, "/var/log/whatsapp/web.log", 1, NOW - 7 * DAY);
	fx_plan(&fx, NOW);
	EXPECT(&fx, { ACTION_ARCHIVE_IDLE, "/usr/local/waent/logs/old.log", "idle 9d, not the newest of " CORE_LOGS });
	fx_free(&fx);
}
END_TEST

START_TEST(test_only_regular_files_choose_the_newest)
{
	struct fx fx;
	size_t g;

	fx_init(&fx);
	g = fx_glob(&fx, CORE_LOGS, 15 * MIB, 30, HOUR, WA_ARCHIVE);
	fx_reg(&fx, g, "/usr/local/waent/logs/a.log", 1, NOW - 3 * HOUR);
	fx_reg(&fx, g, "/usr/local/waent/logs/b.log", 1, NOW - 2 * HOUR);
	fx_file(&fx, g, "/usr/local/waent/logs/c.log", CTRFS_FIFO, 0, NOW, 1);
	fx_file(&fx, g, "/usr/local/waent/logs/d.log", CTRFS_HARDLINKED, 1, NOW - 60, 2);
	fx_plan(&fx, NOW);
	EXPECT(&fx, { ACTION_ARCHIVE_IDLE, "/usr/local/waent/logs/a.log", "idle 3h, not the newest of " CORE_LOGS },
	       { ACTION_SKIP, "/usr/local/waent/logs/c.log", "FIFO" },
	       { ACTION_SKIP, "/usr/local/waent/logs/d.log", "hard-linked file (2 links)" });
	fx_free(&fx);
}
END_TEST

/* --- skips --------------------------------------------------------------- */

START_TEST(test_skip_non_regular)
{
	struct fx fx;
	size_t g;

	fx_init(&fx);
	/* Logs counted per file (idle-after 0), as the web role's. */
	g = fx_glob(&fx, WA_LOGS, 20 * MIB, 30, 0, WA_ARCHIVE);
	fx_file(&fx, g, "/var/log/whatsapp/access.log", CTRFS_SYMLINK, 25 * MIB, NOW - DAY, 1);
	fx_file(&fx, g, "/var/log/whatsapp/dir.log", CTRFS_DIRECTORY, 4096, NOW - DAY, 2);
	fx_file(&fx, g, "/var/log/whatsapp/error.log", CTRFS_HARDLINKED, 25 * MIB, NOW - DAY, 3);
	fx_file(&fx, g, "/var/log/whatsapp/pipe.log", CTRFS_FIFO, 0, NOW - DAY, 1);
	fx_file(&fx, g, "/var/log/whatsapp/sock.log", CTRFS_SOCKET, 0, NOW - DAY, 1);
	fx_reg(&fx, g, "/var/log/whatsapp/web.log", 25 * MIB, NOW - DAY);
	/* The symlink's name-alike archives are not pruned: no regular source owns them,
	 * so keep does not apply (no max-age or max-size is set). */
	fx_archive_at(&fx, g, "access.log", NOW - 3 * DAY);
	fx.pol[g].keep = 1;
	fx_plan(&fx, NOW);
	EXPECT(&fx, { ACTION_SKIP, "/var/log/whatsapp/access.log", "symlink" },
	       { ACTION_SKIP, "/var/log/whatsapp/dir.log", "directory" },
	       { ACTION_SKIP, "/var/log/whatsapp/error.log", "hard-linked file (3 links)" },
	       { ACTION_SKIP, "/var/log/whatsapp/pipe.log", "FIFO" },
	       { ACTION_SKIP, "/var/log/whatsapp/sock.log", "socket" },
	       { ACTION_ROTATE, "/var/log/whatsapp/web.log", "25.0 MiB > 20.0 MiB" });
	fx_free(&fx);
}
END_TEST

START_TEST(test_stem_collision_skips_the_later_file)
{
	struct fx fx;
	size_t a, b;

	fx_init(&fx);
	a = fx_glob(&fx, "/opt/a/logs/*.log", 15 * MIB, 2, 0, WA_ARCHIVE);
	b = fx_glob(&fx, "/opt/b/logs/*.log", 15 * MIB, 2, 0, WA_ARCHIVE "/");
	fx_reg(&fx, a, "/opt/a/logs/x.log", 20 * MIB, NOW);
	fx_reg(&fx, b, "/opt/b/logs/x.log", 20 * MIB, NOW);
	fx_reg(&fx, b, "/opt/b/logs/y.log", 1, NOW);
	fx_archive_at(&fx, a, "logs_x.log", NOW - 2 * DAY);
	fx_archive_at(&fx, a, "logs_x.log", NOW - DAY);
	fx_archive_at(&fx, b, "logs_x.log", NOW - 2 * DAY);
	fx_archive_at(&fx, b, "logs_x.log", NOW - DAY);
	fx_plan(&fx, NOW);
	EXPECT(&fx, { ACTION_ROTATE, "/opt/a/logs/x.log", "20.0 MiB > 15.0 MiB" },
	       { ACTION_PRUNE, "logs_x.log-20261120T120000Z.gz", "beyond keep 2" },
	       { ACTION_SKIP, "/opt/b/logs/x.log",
		 "archive name stem 'logs_x.log' collides with /opt/a/logs/x.log" });
	fx_free(&fx);
}
END_TEST

START_TEST(test_same_stem_in_other_archive_folders_is_no_collision)
{
	struct fx fx;
	size_t a, b;

	fx_init(&fx);
	a = fx_glob(&fx, "/opt/a/logs/*.log", 15 * MIB, 2, 0, "/opt/a/archive");
	b = fx_glob(&fx, "/opt/b/logs/*.log", 15 * MIB, 2, 0, "/opt/b/archive");
	fx_reg(&fx, a, "/opt/a/logs/x.log", 20 * MIB, NOW);
	fx_reg(&fx, b, "/opt/b/logs/x.log", 20 * MIB, NOW);
	fx_plan(&fx, NOW);
	EXPECT(&fx, { ACTION_ROTATE, "/opt/a/logs/x.log", "20.0 MiB > 15.0 MiB" },
	       { ACTION_ROTATE, "/opt/b/logs/x.log", "20.0 MiB > 15.0 MiB" });
	ck_assert_str_eq(fx.plan.v[0].stem, "logs_x.log");
	ck_assert_str_eq(fx.plan.v[1].stem, "logs_x.log");
	fx_free(&fx);
}
END_TEST

/* --- pruning ------------------------------------------------------------- */

START_TEST(test_prune_35_archives_with_rotation_keep_30)
{
	struct fx fx;
	size_t g, i;
	char *oldest[6];

	fx_init(&fx);
	g = fx_glob(&fx, WA_LOGS, 20 * MIB, 30, 0, WA_ARCHIVE);
	fx_reg(&fx, g, "/var/log/whatsapp/web.log", 21 * MIB, NOW);
	/* Day k's archive for k = 1..35, listed in no particular order. */
	for (i = 0; i < 35; i++)
		fx_archive_at(&fx, g, "web.log", utc(2026, 10, 1, 0, 0, 0) + (time_t)((i * 13) % 35) * DAY);
	fx_plan(&fx, NOW);
	for (i = 0; i < 6; i++)
		oldest[i] = archive_name_make("web.log", utc(2026, 10, 1, 0, 0, 0) + (time_t)i * DAY, 0, ".gz");
	ck_assert_str_eq(oldest[0], "web.log-20261001T000000Z.gz");
	ck_assert_uint_eq(fx.plan.n, 7);
	ck_assert_int_eq(fx.plan.v[0].kind, ACTION_ROTATE);
	ck_assert_str_eq(fx.plan.v[0].reason, "21.0 MiB > 20.0 MiB");
	for (i = 0; i < 6; i++) {
		const struct action *a = &fx.plan.v[i + 1];

		ck_assert_int_eq(a->kind, ACTION_PRUNE);
		ck_assert_str_eq(a->archive, oldest[i]);
		ck_assert_str_eq(a->reason, "beyond keep 30");
		ck_assert_str_eq(a->stem, "web.log");
		ck_assert_ptr_eq(a->file, &fx.files[0]);
		free(oldest[i]);
	}
	fx_free(&fx);
}
END_TEST

START_TEST(test_prune_without_rotation)
{
	struct fx fx;
	size_t g, i;

	fx_init(&fx);
	g = fx_glob(&fx, WA_LOGS, 20 * MIB, 30, 0, WA_ARCHIVE);
	fx_reg(&fx, g, "/var/log/whatsapp/web.log", 1, NOW);
	for (i = 0; i < 30; i++)
		fx_archive_at(&fx, g, "web.log", NOW - (time_t)(i + 1) * DAY);
	fx_plan(&fx, NOW);
	EXPECT_NONE(&fx); /* exactly keep */
	fx_archive_at(&fx, g, "web.log", NOW - 40 * DAY);
	fx_plan(&fx, NOW);
	EXPECT(&fx, { ACTION_PRUNE, "web.log-20261013T120000Z.gz", "beyond keep 30" });
	fx_free(&fx);
}
END_TEST

START_TEST(test_prune_counts_rotation_only_beyond_keep)
{
	struct fx fx;
	size_t g, i;

	fx_init(&fx);
	g = fx_glob(&fx, WA_LOGS, 20 * MIB, 30, 0, WA_ARCHIVE);
	fx_reg(&fx, g, "/var/log/whatsapp/web.log", 21 * MIB, NOW);
	for (i = 0; i < 29; i++)
		fx_archive_at(&fx, g, "web.log", NOW - (time_t)(i + 1) * DAY);
	fx_plan(&fx, NOW);
	EXPECT(&fx, { ACTION_ROTATE, "/var/log/whatsapp/web.log", "21.0 MiB > 20.0 MiB" });
	fx_free(&fx);
}
END_TEST

START_TEST(test_prune_counts_idle_archive)
{
	struct fx fx;
	size_t g;

	fx_init(&fx);
	g = fx_glob(&fx, CORE_LOGS, 15 * MIB, 1, HOUR, WA_ARCHIVE);
	fx_reg(&fx, g, "/usr/local/waent/logs/wa-service-1a2b-crash.log", 10, NOW - 2 * HOUR);
	fx_reg(&fx, g, "/usr/local/waent/logs/wa-service-1a2b.log", 10, NOW);
	fx_archive_at(&fx, g, "logs_wa-service-1a2b-crash.log", NOW - DAY);
	fx_archive_at(&fx, g, "logs_wa-service-1a2b.log", NOW - DAY);
	fx_plan(&fx, NOW);
	/* Files archived whole count per pattern: two archives and the new one, keep 1. */
	EXPECT(&fx,
	       { ACTION_ARCHIVE_IDLE, "/usr/local/waent/logs/wa-service-1a2b-crash.log",
		 "idle 2h, not the newest of " CORE_LOGS },
	       { ACTION_PRUNE, "logs_wa-service-1a2b-crash.log-20261121T120000Z.gz", "beyond keep 1" },
	       { ACTION_PRUNE, "logs_wa-service-1a2b.log-20261121T120000Z.gz", "beyond keep 1" });
	ck_assert_str_eq(fx.plan.v[0].group, CORE_LOGS);
	ck_assert_ptr_null(fx.plan.v[1].file);
	ck_assert_str_eq(fx.plan.v[1].group, CORE_LOGS);
	ck_assert_str_eq(fx.plan.v[2].group, CORE_LOGS);
	fx_free(&fx);
}
END_TEST

START_TEST(test_prune_ignores_other_stems)
{
	struct fx fx;
	size_t g, i;
	time_t old = utc(2020, 1, 1, 0, 0, 0);

	fx_init(&fx);
	g = fx_glob(&fx, WA_LOGS, 20 * MIB, 3, 0, WA_ARCHIVE);
	fx_reg(&fx, g, "/var/log/whatsapp/web.log", 21 * MIB, NOW);
	/* Older than any of web.log's, so a sloppy match would prune them first. */
	fx_archive_at(&fx, g, "access.log", old);
	fx_archive_at(&fx, g, "web.log.1", old);
	fx_archive_at(&fx, g, "web", old);
	fx_archive_at(&fx, g, "lighttpd_web.log", old);
	fx_archive_at(&fx, g, "gone.log", old); /* its source no longer exists: left alone */
	fx_archive(&fx, g, "web.log-20200101T000000Z.gz.tmp");
	fx_archive(&fx, g, ".web.log-20200101T000000Z.gz");
	fx_archive(&fx, g, "web.log-20200101T000000Z.xz");
	fx_archive(&fx, g, "web.log");
	for (i = 0; i < 3; i++)
		fx_archive_at(&fx, g, "web.log", NOW - (time_t)(i + 1) * DAY);
	fx_plan(&fx, NOW);
	EXPECT(&fx, { ACTION_ROTATE, "/var/log/whatsapp/web.log", "21.0 MiB > 20.0 MiB" },
	       { ACTION_PRUNE, "web.log-20261119T120000Z.gz", "beyond keep 3" });
	fx_free(&fx);
}
END_TEST

START_TEST(test_prune_orders_by_time_then_seq_across_suffixes)
{
	struct fx fx;
	size_t g;

	fx_init(&fx);
	g = fx_glob(&fx, WA_LOGS, 20 * MIB, 2, 0, WA_ARCHIVE);
	fx_reg(&fx, g, "/var/log/whatsapp/web.log", 1, NOW);
	fx_archive(&fx, g, "web.log-20261122T010204Z.gz");
	fx_archive(&fx, g, "web.log-20261122T010203Z_010.zst");
	fx_archive(&fx, g, "web.log-20261122T010203Z_002.gz");
	fx_archive(&fx, g, "web.log-20261122T010203Z.zst");
	fx_archive(&fx, g, "web.log-20261122T010203Z_009.gz");
	fx_archive(&fx, g, "web.log-20261122T010203Z_002.gz"); /* listed twice: one file */
	fx_plan(&fx, NOW);
	EXPECT(&fx, { ACTION_PRUNE, "web.log-20261122T010203Z.zst", "beyond keep 2" },
	       { ACTION_PRUNE, "web.log-20261122T010203Z_002.gz", "beyond keep 2" },
	       { ACTION_PRUNE, "web.log-20261122T010203Z_009.gz", "beyond keep 2" });
	fx_free(&fx);
}
END_TEST

START_TEST(test_prune_shared_archive_folder)
{
	struct fx fx;
	size_t web, lighttpd;

	fx_init(&fx);
	web = fx_glob(&fx, WA_LOGS, 20 * MIB, 1, 0, WA_ARCHIVE);
	lighttpd = fx_glob(&fx, "/var/log/lighttpd/*.log", 20 * MIB, 1, 0, WA_ARCHIVE);
	fx_reg(&fx, lighttpd, "/var/log/lighttpd/error.log", 1, NOW);
	fx_reg(&fx, web, "/var/log/whatsapp/web.log", 1, NOW);
	/* Both globs share the folder, so each listing holds both stems' archives. */
	fx_archive_at(&fx, web, "web.log", NOW - 2 * DAY);
	fx_archive_at(&fx, web, "web.log", NOW - DAY);
	fx_archive_at(&fx, web, "lighttpd_error.log", NOW - 2 * DAY);
	fx_archive_at(&fx, web, "lighttpd_error.log", NOW - DAY);
	fx_archive_at(&fx, lighttpd, "lighttpd_error.log", NOW - 2 * DAY);
	fx_archive_at(&fx, lighttpd, "lighttpd_error.log", NOW - DAY);
	fx_archive_at(&fx, lighttpd, "web.log", NOW - 2 * DAY);
	fx_archive_at(&fx, lighttpd, "web.log", NOW - DAY);
	fx_plan(&fx, NOW);
	EXPECT(&fx, { ACTION_PRUNE, "lighttpd_error.log-20261120T120000Z.gz", "beyond keep 1" },
	       { ACTION_PRUNE, "web.log-20261120T120000Z.gz", "beyond keep 1" });
	fx_free(&fx);
}
END_TEST

/* --- retention: groups, max-age, max-size ---------------------------------- */

/* The name of stem's archive made at t (gzip, no seq), in a static buffer. */
static const char *aname(const char *stem, time_t t)
{
	static char buf[4][256];
	static unsigned next;
	char *name = archive_name_make(stem, t, 0, ".gz");
	char *out = buf[next++ % 4];

	snprintf(out, sizeof(buf[0]), "%s", name);
	free(name);
	return out;
}

/* Asserts that action i prunes stem's archive made at t for reason, counted for group. */
static void assert_prune(const struct fx *fx, size_t i, const char *stem, time_t t, const char *reason,
			 const char *group)
{
	const struct action *a;
	char *text = dump(&fx->plan);

	ck_assert_msg(i < fx->plan.n, "no action %zu:\n%s", i, text);
	a = &fx->plan.v[i];
	ck_assert_msg(a->kind == ACTION_PRUNE && strcmp(a->archive, aname(stem, t)) == 0 &&
			      strcmp(a->reason, reason) == 0 && strcmp(a->group, group) == 0,
		      "action %zu: want prune %s [%s] for %s, plan:\n%s", i, aname(stem, t), reason, group, text);
	ck_assert_str_eq(a->stem, stem);
	ck_assert_int_eq(a->archive_time, t);
	free(text);
}

/* The core app names each rolled file anew: 40 archives of 40 rolled files that are
 * gone, keep 30: the 10 oldest go, counted for the pattern. */
START_TEST(test_rolled_archives_keep_per_pattern)
{
	struct fx fx;
	size_t g, i;
	char stems[40][64];
	time_t t[40];

	fx_init(&fx);
	g = fx_glob(&fx, CORE_LOGS, 15 * MIB, 30, HOUR, WA_ARCHIVE);
	fx_reg(&fx, g, "/usr/local/waent/logs/wa-service-ffff.log", 1, NOW);
	for (i = 0; i < 40; i++) {
		snprintf(stems[i], sizeof(stems[i]), "logs_wa-service-%04zx.log", 0xa000 + i * 37);
		t[i] = NOW - (time_t)(40 - i) * DAY;
	}
	for (i = 0; i < 40; i++) {
		size_t k = (i * 17) % 40; /* listed in no particular order */

		fx_archive_at(&fx, g, stems[k], t[k]);
	}
	fx_plan(&fx, NOW);
	ck_assert_uint_eq(fx.plan.n, 10);
	for (i = 0; i < 10; i++) {
		assert_prune(&fx, i, stems[i], t[i], "beyond keep 30", CORE_LOGS);
		ck_assert_ptr_null(fx.plan.v[i].file);
		ck_assert_ptr_eq(fx.plan.v[i].policy, &fx.pol[g]);
	}

	/* A rolled file archived whole now counts too: 11 go, after every file's action. */
	fx_reg(&fx, g, "/usr/local/waent/logs/wa-service-fffg.log", 1, NOW - 2 * HOUR);
	fx.files[0].mtime = NOW - 3 * HOUR; /* the older one is idle, the new one active */
	fx_plan(&fx, NOW);
	ck_assert_uint_eq(fx.plan.n, 12);
	ck_assert_int_eq(fx.plan.v[0].kind, ACTION_ARCHIVE_IDLE);
	ck_assert_str_eq(fx.plan.v[0].file->path, "/usr/local/waent/logs/wa-service-ffff.log");
	ck_assert_str_eq(fx.plan.v[0].group, CORE_LOGS);
	for (i = 0; i < 11; i++)
		assert_prune(&fx, i + 1, stems[i], t[i], "beyond keep 30", CORE_LOGS);
	fx_free(&fx);
}
END_TEST

/* 12 rolled files archived in one pass, keep 5: the new archives of the 7 oldest
 * (by mtime) go too, once made; the names follow the files' order. */
START_TEST(test_new_archives_beyond_keep)
{
	static const int hours[12] = { 14, 2, 35, 8, 20, 5, 29, 11, 26, 17, 32, 23 };
	struct fx fx;
	size_t g, i, k;
	char path[64];

	fx_init(&fx);
	g = fx_glob(&fx, CORE_LOGS, 15 * MIB, 5, HOUR, WA_ARCHIVE);
	for (i = 0; i < 12; i++) {
		snprintf(path, sizeof(path), "/usr/local/waent/logs/wa-service-%02zu.log", i);
		fx_reg(&fx, g, path, 1, NOW - hours[i] * HOUR);
	}
	fx_reg(&fx, g, "/usr/local/waent/logs/wa-service-zz.log", 1, NOW); /* the active one */
	fx_plan(&fx, NOW);
	ck_assert_uint_eq(fx.plan.n, 19);
	for (i = 0; i < 12; i++)
		ck_assert_int_eq(fx.plan.v[i].kind, ACTION_ARCHIVE_IDLE);
	/* Oldest first: 35, 32, 29, 26, 23, 20, 17 hours. */
	for (k = 0; k < 7; k++) {
		const struct action *a = &fx.plan.v[12 + k];

		ck_assert_int_eq(a->kind, ACTION_PRUNE);
		ck_assert_ptr_null(a->archive);
		ck_assert_ptr_nonnull(a->file);
		ck_assert_int_eq(a->file->mtime, NOW - (35 - 3 * (time_t)k) * HOUR);
		ck_assert_str_eq(a->reason, "beyond keep 5");
		ck_assert_str_eq(a->group, CORE_LOGS);
		ck_assert_int_eq(a->archive_time, NOW);
		ck_assert_str_eq(a->stem, fx.plan.v[a->file - fx.files].stem);
	}
	/* Names in the files' order: the oldest at NOW, each next one just after. */
	for (i = 0; i < 12; i++) {
		const struct action *a = &fx.plan.v[i];
		unsigned rank = (unsigned)((35 - hours[i]) / 3); /* 0 for the oldest */

		ck_assert_int_eq(a->has_newest, rank > 0);
		if (rank > 0) {
			ck_assert_int_eq(a->newest_t, NOW);
			ck_assert_uint_eq(a->newest_seq, rank - 1);
		}
	}
	fx_free(&fx);
}
END_TEST

/* The next pass: the five kept, named in the same second in their files' order,
 * and three newer rolled files: the three oldest of the five go. */
START_TEST(test_same_second_archives_go_in_name_order)
{
	struct fx fx;
	size_t g, i;
	time_t t1 = NOW - 2 * HOUR;
	char name[128];

	fx_init(&fx);
	g = fx_glob(&fx, CORE_LOGS, 15 * MIB, 5, HOUR, WA_ARCHIVE);
	fx_reg(&fx, g, "/usr/local/waent/logs/wa-service-a1.log", 1, NOW - 80 * 60);
	fx_reg(&fx, g, "/usr/local/waent/logs/wa-service-a2.log", 1, NOW - 100 * 60);
	fx_reg(&fx, g, "/usr/local/waent/logs/wa-service-a3.log", 1, NOW - 90 * 60);
	fx_reg(&fx, g, "/usr/local/waent/logs/wa-service-zz.log", 1, NOW);
	/* Stems whose names sort against their order. */
	for (i = 0; i < 5; i++) {
		char *n, stem[64];

		snprintf(stem, sizeof(stem), "logs_wa-service-%c.log", (int)('z' - i));
		n = archive_name_make(stem, t1, (unsigned)(7 + i), ".gz");
		fx_archive(&fx, g, n);
		free(n);
	}
	fx_plan(&fx, NOW);
	ck_assert_uint_eq(fx.plan.n, 6);
	for (i = 0; i < 3; i++) {
		char *n, stem[64];

		snprintf(stem, sizeof(stem), "logs_wa-service-%c.log", (int)('z' - i));
		n = archive_name_make(stem, t1, (unsigned)(7 + i), ".gz");
		snprintf(name, sizeof(name), "%s", n);
		free(n);
		ck_assert_str_eq(fx.plan.v[3 + i].archive, name);
		ck_assert_str_eq(fx.plan.v[3 + i].reason, "beyond keep 5");
	}
	/* The group's newest is older than now: the first new one is named at now. */
	ck_assert_int_eq(fx.plan.v[1].has_newest, 1); /* a2, the oldest file */
	ck_assert_int_eq(fx.plan.v[1].newest_t, t1);
	ck_assert_uint_eq(fx.plan.v[1].newest_seq, 11);
	ck_assert_int_eq(fx.plan.v[2].newest_t, NOW); /* a3 */
	ck_assert_uint_eq(fx.plan.v[2].newest_seq, 0);
	ck_assert_int_eq(fx.plan.v[0].newest_t, NOW); /* a1 */
	ck_assert_uint_eq(fx.plan.v[0].newest_seq, 1);
	fx_free(&fx);
}
END_TEST

/* A group whose newest archive is in this very second (or later): the new ones
 * follow it, and run into the next second past _999. */
START_TEST(test_name_order_follows_a_newest_in_this_second)
{
	struct fx fx;
	size_t g;
	char *n;

	fx_init(&fx);
	g = fx_glob(&fx, CORE_LOGS, 15 * MIB, 30, HOUR, WA_ARCHIVE);
	fx_reg(&fx, g, "/usr/local/waent/logs/a.log", 1, NOW - 3 * HOUR);
	fx_reg(&fx, g, "/usr/local/waent/logs/b.log", 1, NOW - 2 * HOUR);
	fx_reg(&fx, g, "/usr/local/waent/logs/c.log", 1, NOW);
	n = archive_name_make("logs_other.log", NOW, 998, ".gz");
	fx_archive(&fx, g, n);
	free(n);
	fx_plan(&fx, NOW);
	ck_assert_uint_eq(fx.plan.n, 2);
	ck_assert_int_eq(fx.plan.v[0].has_newest, 1);
	ck_assert_int_eq(fx.plan.v[0].newest_t, NOW);
	ck_assert_uint_eq(fx.plan.v[0].newest_seq, 998);
	ck_assert_int_eq(fx.plan.v[1].newest_t, NOW); /* a.log is named _999: b.log goes on */
	ck_assert_uint_eq(fx.plan.v[1].newest_seq, 999);
	fx_free(&fx);
}
END_TEST

/* Both patterns archive into one folder; "" is a prefix of "logs_", but an archive
 * belongs to the pattern with the longest prefix only. */
START_TEST(test_longest_prefix_claims)
{
	struct fx fx;
	size_t wa, core;

	fx_init(&fx);
	wa = fx_glob(&fx, WA_LOGS, 20 * MIB, 2, HOUR, WA_ARCHIVE);
	core = fx_glob(&fx, CORE_LOGS, 15 * MIB, 2, HOUR, WA_ARCHIVE);
	fx_archive_at(&fx, wa, "logs_wa-1.log", NOW - 5 * DAY);
	fx_archive_at(&fx, wa, "logs_wa-2.log", NOW - 4 * DAY);
	fx_archive_at(&fx, wa, "logs_wa-3.log", NOW - 3 * DAY);
	fx_archive_at(&fx, wa, "lighttpd_error.log", NOW - 2 * DAY);
	fx_archive_at(&fx, wa, "web.log", NOW - DAY);
	fx_archive_at(&fx, core, "logs_wa-3.log", NOW - 3 * DAY); /* the same folder listed again */
	fx_plan(&fx, NOW);
	EXPECT(&fx, { ACTION_PRUNE, "logs_wa-1.log-20261117T120000Z.gz", "beyond keep 2" });
	ck_assert_str_eq(fx.plan.v[0].group, CORE_LOGS);
	ck_assert_ptr_eq(fx.plan.v[0].policy, &fx.pol[core]);

	/* No pattern with a longer prefix matches lighttpd_error.log: "" claims it. */
	fx.pol[wa].keep = 1;
	fx_plan(&fx, NOW);
	EXPECT(&fx, { ACTION_PRUNE, "lighttpd_error.log-20261120T120000Z.gz", "beyond keep 1" },
	       { ACTION_PRUNE, "logs_wa-1.log-20261117T120000Z.gz", "beyond keep 2" });
	ck_assert_str_eq(fx.plan.v[0].group, WA_LOGS);
	fx_free(&fx);
}
END_TEST

/* A pattern counted per file claims its gone logs' archives from a shorter prefix:
 * keep does not reach them, max-age does (but not the newest). */
START_TEST(test_longest_prefix_claim_by_a_log_counted_per_file)
{
	struct fx fx;
	size_t wa, lt;

	fx_init(&fx);
	wa = fx_glob(&fx, WA_LOGS, 20 * MIB, 1, HOUR, WA_ARCHIVE);
	lt = fx_glob(&fx, "/var/log/lighttpd/*.log", 20 * MIB, 1, 0, WA_ARCHIVE);
	fx_archive_at(&fx, wa, "lighttpd_gone.log", NOW - 30 * DAY);
	fx_archive_at(&fx, wa, "lighttpd_gone.log", NOW - 20 * DAY);
	fx_archive_at(&fx, wa, "lighttpd_gone.log", NOW - 10 * DAY);
	fx_archive_at(&fx, wa, "web.log", NOW - DAY);
	fx_plan(&fx, NOW);
	EXPECT_NONE(&fx);
	fx.pol[lt].max_age = 7 * DAY;
	fx_plan(&fx, NOW);
	EXPECT(&fx, { ACTION_PRUNE, "lighttpd_gone.log-20261023T120000Z.gz", "older than max-age 1w" },
	       { ACTION_PRUNE, "lighttpd_gone.log-20261102T120000Z.gz", "older than max-age 1w" });
	ck_assert_str_eq(fx.plan.v[0].group, "/var/log/lighttpd/gone.log");
	ck_assert_ptr_null(fx.plan.v[0].file);
	ck_assert_ptr_eq(fx.plan.v[0].policy, &fx.pol[lt]);
	fx_free(&fx);
}
END_TEST

START_TEST(test_max_age_drops_exactly_the_old_ones)
{
	struct fx fx;
	size_t g, i;

	fx_init(&fx);
	g = fx_glob(&fx, WA_LOGS, 20 * MIB, 30, 0, WA_ARCHIVE);
	fx.pol[g].max_age = 10 * DAY;
	fx_reg(&fx, g, "/var/log/whatsapp/access.log", 1, NOW);
	fx_reg(&fx, g, "/var/log/whatsapp/web.log", 1, NOW);
	for (i = 1; i <= 15; i++)
		fx_archive_at(&fx, g, "web.log", NOW - (time_t)i * DAY);
	fx_archive_at(&fx, g, "web.log", NOW - 10 * DAY - 1);
	/* All of access.log's and gone.log's are old: the newest of each stays. */
	fx_archive_at(&fx, g, "access.log", NOW - 20 * DAY);
	fx_archive_at(&fx, g, "access.log", NOW - 30 * DAY);
	fx_archive_at(&fx, g, "gone.log", NOW - 40 * DAY);
	fx_archive_at(&fx, g, "gone.log", NOW - 50 * DAY);
	fx_plan(&fx, NOW);
	ck_assert_uint_eq(fx.plan.n, 8);
	assert_prune(&fx, 0, "access.log", NOW - 30 * DAY, "older than max-age 10d", "/var/log/whatsapp/access.log");
	ck_assert_ptr_eq(fx.plan.v[0].file, &fx.files[0]);
	for (i = 0; i < 5; i++)
		assert_prune(&fx, 1 + i, "web.log", NOW - (time_t)(15 - i) * DAY, "older than max-age 10d",
			     "/var/log/whatsapp/web.log");
	/* One second past ten days is older; exactly ten days is not. */
	ck_assert_str_eq(fx.plan.v[6].reason, "older than max-age 10d");
	ck_assert_int_eq(fx.plan.v[6].archive_time, NOW - 10 * DAY - 1);
	assert_prune(&fx, 7, "gone.log", NOW - 50 * DAY, "older than max-age 10d", "/var/log/whatsapp/gone.log");
	ck_assert_ptr_null(fx.plan.v[7].file);

	/* Rotating access.log now makes a newer archive: both old ones may go. */
	fx.files[0].size = 21 * MIB;
	fx_plan(&fx, NOW);
	ck_assert_int_eq(fx.plan.v[0].kind, ACTION_ROTATE);
	assert_prune(&fx, 1, "access.log", NOW - 30 * DAY, "older than max-age 10d", "/var/log/whatsapp/access.log");
	assert_prune(&fx, 2, "access.log", NOW - 20 * DAY, "older than max-age 10d", "/var/log/whatsapp/access.log");
	ck_assert_uint_eq(fx.plan.n, 10);
	fx_free(&fx);
}
END_TEST

START_TEST(test_max_age_after_keep_and_never_the_newest_of_a_pattern)
{
	struct fx fx;
	size_t g;

	fx_init(&fx);
	g = fx_glob(&fx, CORE_LOGS, 15 * MIB, 3, HOUR, WA_ARCHIVE);
	fx.pol[g].max_age = 7 * DAY;
	fx_reg(&fx, g, "/usr/local/waent/logs/wa.log", 1, NOW);
	fx_archive_at(&fx, g, "logs_a.log", NOW - 12 * DAY);
	fx_archive_at(&fx, g, "logs_b.log", NOW - 11 * DAY);
	fx_archive_at(&fx, g, "logs_c.log", NOW - 10 * DAY);
	fx_archive_at(&fx, g, "logs_d.log", NOW - 9 * DAY);
	fx_archive_at(&fx, g, "logs_e.log", NOW - 8 * DAY);
	fx_plan(&fx, NOW);
	/* Each once, for the first rule: two beyond keep 3, two too old, the newest kept. */
	ck_assert_uint_eq(fx.plan.n, 4);
	assert_prune(&fx, 0, "logs_a.log", NOW - 12 * DAY, "beyond keep 3", CORE_LOGS);
	assert_prune(&fx, 1, "logs_b.log", NOW - 11 * DAY, "beyond keep 3", CORE_LOGS);
	assert_prune(&fx, 2, "logs_c.log", NOW - 10 * DAY, "older than max-age 1w", CORE_LOGS);
	assert_prune(&fx, 3, "logs_d.log", NOW - 9 * DAY, "older than max-age 1w", CORE_LOGS);
	fx_free(&fx);
}
END_TEST

START_TEST(test_budget_drops_oldest_first_until_under)
{
	struct fx fx;
	size_t g;

	fx_init(&fx);
	g = fx_glob(&fx, WA_LOGS, 20 * MIB, 30, 0, WA_ARCHIVE);
	fx.pol[g].max_size = 10 * MIB;
	fx_reg(&fx, g, "/var/log/whatsapp/access.log", 1, NOW);
	fx_reg(&fx, g, "/var/log/whatsapp/web.log", 1, NOW);
	fx_archive_sized(&fx, g, "gone.log", NOW - 9 * DAY, 3 * MIB); /* the only one of its log */
	fx_archive_sized(&fx, g, "web.log", NOW - 8 * DAY, 3 * MIB);
	fx_archive_sized(&fx, g, "access.log", NOW - 7 * DAY, 3 * MIB);
	fx_archive_sized(&fx, g, "web.log", NOW - 6 * DAY, 3 * MIB);
	fx_archive_sized(&fx, g, "access.log", NOW - 5 * DAY, 3 * MIB);
	fx_archive_sized(&fx, g, "web.log", NOW - 4 * DAY, 3 * MIB);
	fx_archive(&fx, g, "notes.txt"); /* not an archive: not counted */
	fx.arch[g][fx.n_arch[g] - 1].size = 100 * MIB;
	fx_archive(&fx, g, ".rotd-pending.web.log-20261101T000000Z.gz"); /* a journal record */
	fx.arch[g][fx.n_arch[g] - 1].size = 100 * MIB;
	fx_plan(&fx, NOW);
	/* 18 MiB: three go, oldest first, skipping gone.log's only archive; 9 MiB remain. */
	ck_assert_uint_eq(fx.plan.n, 3);
	assert_prune(&fx, 0, "web.log", NOW - 8 * DAY, "archive folder over max-size 10.0 MiB",
		     "/var/log/whatsapp/web.log");
	assert_prune(&fx, 1, "access.log", NOW - 7 * DAY, "archive folder over max-size 10.0 MiB",
		     "/var/log/whatsapp/access.log");
	assert_prune(&fx, 2, "web.log", NOW - 6 * DAY, "archive folder over max-size 10.0 MiB",
		     "/var/log/whatsapp/web.log");
	ck_assert_uint_eq(fx.plan.v[0].archive_size, 3 * MIB);
	ck_assert_ptr_eq(fx.plan.v[0].file, &fx.files[1]);

	/* A budget nothing can meet: everything but the newest of each log goes. */
	fx.pol[g].max_size = 1 * MIB;
	fx_plan(&fx, NOW);
	ck_assert_uint_eq(fx.plan.n, 3);
	ck_assert_str_eq(fx.plan.v[2].reason, "archive folder over max-size 1.0 MiB");

	/* Rotating web.log adds a newer archive: its newest old one may go too, after
	 * the rotation. */
	fx.files[1].size = 21 * MIB;
	fx_plan(&fx, NOW);
	ck_assert_uint_eq(fx.plan.n, 5);
	ck_assert_int_eq(fx.plan.v[0].kind, ACTION_ROTATE);
	assert_prune(&fx, 4, "web.log", NOW - 4 * DAY, "archive folder over max-size 1.0 MiB",
		     "/var/log/whatsapp/web.log");
	fx_free(&fx);
}
END_TEST

START_TEST(test_budget_after_keep_smallest_of_shared_folder)
{
	struct fx fx;
	size_t wa, lt;

	fx_init(&fx);
	wa = fx_glob(&fx, WA_LOGS, 20 * MIB, 2, 0, WA_ARCHIVE);
	lt = fx_glob(&fx, "/var/log/lighttpd/*.log", 20 * MIB, 30, 0, WA_ARCHIVE);
	fx.pol[wa].max_size = 10 * MIB;
	fx.pol[lt].max_size = 6 * MIB;
	fx_reg(&fx, lt, "/var/log/lighttpd/error.log", 1, NOW);
	fx_reg(&fx, wa, "/var/log/whatsapp/web.log", 1, NOW);
	fx_archive_sized(&fx, wa, "web.log", NOW - 5 * DAY, 2 * MIB);
	fx_archive_sized(&fx, wa, "web.log", NOW - 4 * DAY, 2 * MIB);
	fx_archive_sized(&fx, wa, "web.log", NOW - 3 * DAY, 2 * MIB);
	fx_archive_sized(&fx, lt, "lighttpd_error.log", NOW - 6 * DAY, 2 * MIB);
	fx_archive_sized(&fx, lt, "lighttpd_error.log", NOW - 2 * DAY, 2 * MIB);
	fx_plan(&fx, NOW);
	/* keep first (its 2 MiB no longer count), then the smaller budget: 8 MiB > 6 MiB. */
	EXPECT(&fx, { ACTION_PRUNE, "web.log-20261117T120000Z.gz", "beyond keep 2" },
	       { ACTION_PRUNE, "lighttpd_error.log-20261116T120000Z.gz", "archive folder over max-size 6.0 MiB" });
	ck_assert_ptr_eq(fx.plan.v[1].file, &fx.files[0]);
	fx_free(&fx);
}
END_TEST

/* --- emergency ------------------------------------------------------------- */

static void fx_emergency(struct fx *fx, time_t now, uint64_t floor)
{
	plan_free(&fx->plan);
	fx->plan = retention_emergency(&fx->role, &fx->scan, fx->arch_of, fx->n_arch, now, floor);
}

START_TEST(test_emergency_oldest_first_floor_and_newest)
{
	struct fx fx;
	size_t wa, core;

	fx_init(&fx);
	wa = fx_glob(&fx, WA_LOGS, 20 * MIB, 30, 0, WA_ARCHIVE);
	core = fx_glob(&fx, CORE_LOGS, 15 * MIB, 30, HOUR, WA_ARCHIVE);
	fx_reg(&fx, core, "/usr/local/waent/logs/wa-service-aaaa.log", 1, NOW);
	fx_reg(&fx, wa, "/var/log/whatsapp/web.log", 1, NOW);
	fx_archive_sized(&fx, wa, "web.log", NOW - 3 * DAY, 30);
	fx_archive_sized(&fx, wa, "web.log", NOW - 2 * DAY, 20);
	fx_archive_sized(&fx, wa, "web.log", NOW - 12 * HOUR, 10);
	fx_archive_sized(&fx, wa, "web.log", NOW - HOUR, 5);
	fx_archive_sized(&fx, core, "logs_wa-service-0001.log", NOW - 4 * DAY, 40);
	fx_archive_sized(&fx, core, "logs_wa-service-0002.log", NOW - 2 * DAY, 20);
	fx_archive_sized(&fx, core, "logs_wa-service-0003.log", NOW - 6 * HOUR, 6);
	fx_archive_sized(&fx, wa, "gone.log", NOW - 5 * DAY, 50);
	fx_archive(&fx, wa, ".rotd-pending.web.log-20261101T000000Z.gz"); /* a journal record */
	fx_archive(&fx, wa, ".rotd-pending.web.log-20261102T000000Z.gz");
	fx_emergency(&fx, NOW, DAY);
	EXPECT(&fx, { ACTION_PRUNE, "logs_wa-service-0001.log-20261118T120000Z.gz",
		      "emergency: older than archive-floor 1d" },
	       { ACTION_PRUNE, "web.log-20261119T120000Z.gz", "emergency: older than archive-floor 1d" },
	       { ACTION_PRUNE, "logs_wa-service-0002.log-20261120T120000Z.gz",
		 "emergency: older than archive-floor 1d" },
	       { ACTION_PRUNE, "web.log-20261120T120000Z.gz", "emergency: older than archive-floor 1d" });
	ck_assert_ptr_null(fx.plan.v[0].file);
	ck_assert_str_eq(fx.plan.v[0].group, CORE_LOGS);
	ck_assert_uint_eq(fx.plan.v[0].archive_size, 40);
	ck_assert_ptr_eq(fx.plan.v[1].file, &fx.files[1]);
	ck_assert_str_eq(fx.plan.v[1].group, "/var/log/whatsapp/web.log");

	/* No floor: web.log's 12-hour-old one too; still never the newest of a group. */
	fx_emergency(&fx, NOW, 0);
	ck_assert_uint_eq(fx.plan.n, 5);
	ck_assert_str_eq(fx.plan.v[4].archive, "web.log-20261122T000000Z.gz");
	ck_assert_str_eq(fx.plan.v[4].reason, "emergency: older than archive-floor 0s");

	/* A floor older than everything: nothing. */
	fx_emergency(&fx, NOW, 30 * DAY);
	EXPECT_NONE(&fx);
	fx_free(&fx);
}
END_TEST

START_TEST(test_emergency_without_listings)
{
	struct fx fx;
	struct plan p;
	size_t g;

	fx_init(&fx);
	g = fx_glob(&fx, WA_LOGS, 20 * MIB, 30, 0, WA_ARCHIVE);
	fx_reg(&fx, g, "/var/log/whatsapp/web.log", 25 * MIB, NOW - 1);
	p = retention_emergency(&fx.role, &fx.scan, NULL, NULL, NOW, DAY);
	ck_assert_uint_eq(p.n, 0);
	ck_assert_ptr_null(p.v);
	plan_free(&p);
	fx_free(&fx);
}
END_TEST

/* --- order --------------------------------------------------------------- */

/* A web container with a bit of everything; archives listed in the order given. */
static void order_fixture(struct fx *fx, int reverse)
{
	static const char *const names[] = {
		"web.log-20261120T000000Z.gz",
		"web.log-20261121T000000Z.gz",
		"web.log-20261119T000000Z.gz",
		"access.log-20261118T000000Z.gz",
		"access.log-20261117T000000Z.gz",
		"access.log-20261119T000000Z_002.gz",
		"lighttpd_error.log-20261101T000000Z.gz",
		"lighttpd_error.log-20261102T000000Z.zst",
	};
	size_t n = sizeof(names) / sizeof(names[0]);
	size_t wa = fx_glob(fx, WA_LOGS, 20 * MIB, 2, 0, WA_ARCHIVE);
	size_t lt = fx_glob(fx, "/var/log/lighttpd/*.log", 20 * MIB, 2, HOUR, WA_ARCHIVE);
	size_t i;

	fx_reg(fx, lt, "/var/log/lighttpd/access.log", 1, NOW - 10);
	fx_reg(fx, lt, "/var/log/lighttpd/error.log", 30 * MIB, NOW - 3 * HOUR);
	fx_reg(fx, wa, "/var/log/whatsapp/access.log", 30 * MIB, NOW);
	fx_file(fx, wa, "/var/log/whatsapp/debug.log", CTRFS_SYMLINK, 0, NOW, 1);
	fx_reg(fx, wa, "/var/log/whatsapp/error.log", 1, NOW - 5);
	fx_reg(fx, wa, "/var/log/whatsapp/web.log", 1, NOW - 2 * HOUR);
	for (i = 0; i < n; i++) {
		const char *name = names[reverse ? n - 1 - i : i];

		fx_archive(fx, wa, name);
		fx_archive(fx, lt, name);
	}
}

START_TEST(test_order_is_deterministic)
{
	struct fx a, b;
	size_t i;

	fx_init(&a);
	fx_init(&b);
	order_fixture(&a, 0);
	order_fixture(&b, 1);
	fx_plan(&a, NOW);
	fx_plan(&b, NOW);
	/* A log counted per file has its prunes right after its own action (or place);
	 * a pattern's prunes come after every file's action. */
	EXPECT(&a,
	       { ACTION_ARCHIVE_IDLE, "/var/log/lighttpd/error.log",
		 "idle 3h, not the newest of /var/log/lighttpd/*.log" },
	       { ACTION_ROTATE, "/var/log/whatsapp/access.log", "30.0 MiB > 20.0 MiB" },
	       { ACTION_PRUNE, "access.log-20261117T000000Z.gz", "beyond keep 2" },
	       { ACTION_PRUNE, "access.log-20261118T000000Z.gz", "beyond keep 2" },
	       { ACTION_SKIP, "/var/log/whatsapp/debug.log", "symlink" },
	       { ACTION_PRUNE, "web.log-20261119T000000Z.gz", "beyond keep 2" },
	       { ACTION_PRUNE, "lighttpd_error.log-20261101T000000Z.gz", "beyond keep 2" });
	ck_assert_ptr_eq(a.plan.v[2].file, &a.files[2]);
	ck_assert_str_eq(a.plan.v[2].group, "/var/log/whatsapp/access.log");
	ck_assert_str_eq(a.plan.v[5].group, "/var/log/whatsapp/web.log");
	ck_assert_ptr_null(a.plan.v[6].file);
	ck_assert_str_eq(a.plan.v[6].group, "/var/log/lighttpd/*.log");
	ck_assert_uint_eq(a.plan.n, b.plan.n);
	for (i = 0; i < a.plan.n; i++) {
		ck_assert_int_eq(a.plan.v[i].kind, b.plan.v[i].kind);
		if (a.plan.v[i].file == NULL)
			ck_assert_ptr_null(b.plan.v[i].file);
		else
			ck_assert_str_eq(a.plan.v[i].file->path, b.plan.v[i].file->path);
		ck_assert_str_eq(a.plan.v[i].stem, b.plan.v[i].stem);
		ck_assert_str_eq(a.plan.v[i].reason, b.plan.v[i].reason);
		if (a.plan.v[i].archive)
			ck_assert_str_eq(a.plan.v[i].archive, b.plan.v[i].archive);
	}
	fx_free(&a);
	fx_free(&b);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("plan");
	TCase *naming = tcase_create("naming");
	TCase *rotate = tcase_create("rotate");
	TCase *idle = tcase_create("idle");
	TCase *skip = tcase_create("skip");
	TCase *prune = tcase_create("prune");
	TCase *retention = tcase_create("retention");
	TCase *emergency = tcase_create("emergency");
	TCase *order = tcase_create("order");

	tcase_add_test(naming, test_archive_name);
	tcase_add_test(naming, test_parse_round_trips);
	tcase_add_test(naming, test_parse_stem_with_dashes_and_digits);
	tcase_add_test(naming, test_parse_rejects_near_misses);
	tcase_add_test(naming, test_parse_wrong_stem);
	tcase_add_test(naming, test_stem_rules);
	tcase_add_test(naming, test_action_names);
	suite_add_tcase(s, naming);

	tcase_add_test(rotate, test_web_over_size);
	tcase_add_test(rotate, test_web_one_byte_over_size_shows_bytes);
	tcase_add_test(rotate, test_web_at_and_under_size);
	tcase_add_test(rotate, test_empty_scan);
	tcase_add_test(rotate, test_no_archive_listing);
	suite_add_tcase(s, rotate);

	tcase_add_test(idle, test_core_idle_files_archived_active_untouched);
	tcase_add_test(idle, test_idle_after_zero_disables);
	tcase_add_test(idle, test_idle_threshold_is_inclusive);
	tcase_add_test(idle, test_idle_age_formats);
	tcase_add_test(idle, test_idle_but_newest);
	tcase_add_test(idle, test_idle_future_mtime_is_not_idle);
	tcase_add_test(idle, test_idle_mtime_tie_greatest_path_is_newest);
	tcase_add_test(idle, test_idle_groups_by_glob_and_directory);
	tcase_add_test(idle, test_only_regular_files_choose_the_newest);
	suite_add_tcase(s, idle);

	tcase_add_test(skip, test_skip_non_regular);
	tcase_add_test(skip, test_stem_collision_skips_the_later_file);
	tcase_add_test(skip, test_same_stem_in_other_archive_folders_is_no_collision);
	suite_add_tcase(s, skip);

	tcase_add_test(prune, test_prune_35_archives_with_rotation_keep_30);
	tcase_add_test(prune, test_prune_without_rotation);
	tcase_add_test(prune, test_prune_counts_rotation_only_beyond_keep);
	tcase_add_test(prune, test_prune_counts_idle_archive);
	tcase_add_test(prune, test_prune_ignores_other_stems);
	tcase_add_test(prune, test_prune_orders_by_time_then_seq_across_suffixes);
	tcase_add_test(prune, test_prune_shared_archive_folder);
	suite_add_tcase(s, prune);

	tcase_add_test(retention, test_rolled_archives_keep_per_pattern);
	tcase_add_test(retention, test_new_archives_beyond_keep);
	tcase_add_test(retention, test_same_second_archives_go_in_name_order);
	tcase_add_test(retention, test_name_order_follows_a_newest_in_this_second);
	tcase_add_test(retention, test_longest_prefix_claims);
	tcase_add_test(retention, test_longest_prefix_claim_by_a_log_counted_per_file);
	tcase_add_test(retention, test_max_age_drops_exactly_the_old_ones);
	tcase_add_test(retention, test_max_age_after_keep_and_never_the_newest_of_a_pattern);
	tcase_add_test(retention, test_budget_drops_oldest_first_until_under);
	tcase_add_test(retention, test_budget_after_keep_smallest_of_shared_folder);
	suite_add_tcase(s, retention);

	tcase_add_test(emergency, test_emergency_oldest_first_floor_and_newest);
	tcase_add_test(emergency, test_emergency_without_listings);
	suite_add_tcase(s, emergency);

	tcase_add_test(order, test_order_is_deterministic);
	suite_add_tcase(s, order);
	return s;
}
