/* The text report's layout, held by golden files: a dry run, a real pass (its
 * errors shown in full, and marked only where the log already holds them), a
 * remediation that reached low, one that fell short, and a remediation dry run
 * with estimates. Each pass, its jobs and its emergency pass are built by hand,
 * as check_metrics does, and rendered into memory with report_print_text; the
 * result must equal tests/unit/golden/NAME.txt byte for byte.
 *
 * After a deliberate change of layout, rewrite the golden files and review
 * the diff:
 *
 *     ROTD_UPDATE_GOLDEN=1 make check TESTS=tests/unit/check_report
 *     git diff tests/unit/golden/
 *
 * Also: the media summary per rule keeps counts for every file and the paths
 * of only the first JOBS_MEDIA_PATHS, and says so in JSON; the header's
 * failures agree with the exit code; singular and plural. */
#include "autoconf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/exitcode.h"
#include "report/report.h"
#include "unit.h"
#include "lib/xalloc.h"

#define MiB (1024ULL * 1024)
#define GiB (1024ULL * MiB)
#define DAY 86400
#define NOW 1790000000        /* 2026-09-21 14:13:20 UTC */

/* ---- golden files ---------------------------------------------------------- */

static char *render_text(const struct pass *p, const struct jobs *j, const struct remedy *r, int exit_code,
			 unsigned flags)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(out);
	report_print_text(out, p, j, r, exit_code, flags);
	ck_assert_int_eq(fclose(out), 0);
	return text;
}

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (f == NULL)
		return NULL;
	do {
		if (len + 4096 + 1 > cap) {
			cap = (len + 4096 + 1) * 2;
			buf = xreallocarray(buf, cap, 1);
		}
		n = fread(buf + len, 1, 4096, f);
		len += n;
	} while (n > 0);
	fclose(f);
	buf[len] = '\0';
	return buf;
}

/* Compares text with tests/unit/golden/name.txt; with ROTD_UPDATE_GOLDEN=1
 * writes it there instead. On a difference, shows diff -u. */
static void assert_golden(const char *name, const char *text)
{
	const char *update = getenv("ROTD_UPDATE_GOLDEN");
	char *path = xasprintf("%s/tests/unit/golden/%s.txt", TEST_SRCDIR, name);
	char *want;

	if (update != NULL && strcmp(update, "1") == 0) {
		FILE *f = fopen(path, "w");

		ck_assert_msg(f != NULL, "cannot write %s: %s", path, strerror(errno));
		ck_assert_int_eq(fputs(text, f) >= 0, 1);
		ck_assert_int_eq(fclose(f), 0);
		free(path);
		return;
	}
	want = read_all(path);
	ck_assert_msg(want != NULL, "no golden file %s (ROTD_UPDATE_GOLDEN=1 writes it): %s", path, strerror(errno));
	if (strcmp(want, text) != 0) {
		const char *got = unit_write_temp(name, text);
		char *cmd = xasprintf("diff -u '%s' '%s' 2>&1", path, got), diff[8192];
		FILE *d = popen(cmd, "r");
		size_t n = d ? fread(diff, 1, sizeof(diff) - 1, d) : 0;

		diff[n] = '\0';
		if (d)
			pclose(d);
		ck_abort_msg("%s differs from the golden file (ROTD_UPDATE_GOLDEN=1 rewrites it):\n%s", name, diff);
	}
	free(want);
	free(path);
}

/* ---- fixtures -------------------------------------------------------------- */

/* Log policies of the web and core roles (indexes into role->logs). */
static struct log_policy web_pols[3] = {
	{ .glob = (char *)"/var/log/whatsapp/*.log", .size = 20 * MiB, .keep = 30,
	  .archive_dir = (char *)"/var/log/whatsapp/archive" },
	{ .glob = (char *)"/var/log/lighttpd/*.log", .size = 20 * MiB, .keep = 30,
	  .archive_dir = (char *)"/var/log/whatsapp/archive" },
	{ .glob = (char *)"/var/log/whatsapp/archive/*.gz", .size = 20 * MiB, .keep = 30,
	  .archive_dir = (char *)"/var/log/whatsapp/archive" },
};
static struct log_policy core_pols[2] = {
	{ .glob = (char *)"/usr/local/waent/logs/*.log", .size = 15 * MiB, .keep = 30,
	  .archive_dir = (char *)"/var/log/whatsapp/archive", .idle_after = 3600 },
	{ .glob = (char *)"/var/log/whatsapp/*.log", .size = 15 * MiB, .keep = 30,
	  .archive_dir = (char *)"/var/log/whatsapp/archive" },
};
static struct role_policy web_role = { .name = (char *)"web", .log_policies = web_pols };
static struct role_policy core_role = { .name = (char *)"core", .log_policies = core_pols };

static struct mount_info media_mount = { (char *)"volume", (char *)"whatsappMedia", NULL,
					 (char *)"/usr/local/wamedia", 1 };

static struct container ctr_web = {
	.name = (char *)"biz_waweb_1", .image = (char *)"docker.whatsapp.biz/web:v2.53.2", .project = (char *)"biz",
	.service = (char *)"waweb", .role = &web_role, .state = CTR_RUNNING, .pid = 4242, .mounts = &media_mount,
	.n_mounts = 1,
};
static struct container ctr_core = {
	.name = (char *)"biz_wacore_1", .image = (char *)"docker.whatsapp.biz/coreapp:v2.53.2",
	.project = (char *)"biz", .service = (char *)"wacore", .role = &core_role, .state = CTR_RUNNING, .pid = 4343,
	.mounts = &media_mount, .n_mounts = 1,
};
static struct container ctr_stopped = {
	.name = (char *)"biz_wacore_2", .image = (char *)"docker.whatsapp.biz/coreapp:v2.53.2",
	.project = (char *)"biz", .service = (char *)"wacore", .role = &core_role, .state = CTR_STOPPED,
	.detail = (char *)"exited, not running: skipped",
};
static struct container ctr_db = {
	.name = (char *)"biz_db_1", .image = (char *)"mysql:5.7", .project = (char *)"biz", .service = (char *)"db",
	.state = CTR_IGNORED, .detail = (char *)"matches no role",
};
static struct container ctr_failed = {
	.name = (char *)"biz_master1_1", .image = (char *)"docker.whatsapp.biz/coreapp:v2.53.2",
	.state = CTR_FAILED, .detail = (char *)"inspect failed: the engine said: container is restarting",
};

static struct log_file web_files[4] = {
	{ .path = (char *)"/var/log/whatsapp/access.log", .glob_index = 0, .kind = CTRFS_REGULAR, .size = 1234,
	  .nlink = 1 },
	{ .path = (char *)"/var/log/whatsapp/pipe.log", .glob_index = 0, .kind = CTRFS_FIFO, .nlink = 1 },
	{ .path = (char *)"/var/log/whatsapp/linked.log", .glob_index = 0, .kind = CTRFS_HARDLINKED, .size = 5,
	  .nlink = 2 },
	{ .path = (char *)"/var/log/whatsapp/web.log", .glob_index = 0, .kind = CTRFS_REGULAR, .size = 25 * MiB,
	  .nlink = 1 },
};
static struct log_file core_files[2] = {
	{ .path = (char *)"/usr/local/waent/logs/wa-service-1a2b-crash.log", .glob_index = 0,
	  .kind = CTRFS_REGULAR, .size = 3 * 1024, .nlink = 1 },
	{ .path = (char *)"/usr/local/waent/logs/wa-service-3c4d.log", .glob_index = 0, .kind = CTRFS_REGULAR,
	  .size = 16 * MiB, .nlink = 1 },
};

static char *absent_web[] = { (char *)"/var/log/lighttpd/*.log" };
static char *scan_error_core[] = { (char *)"/var/log/whatsapp/*.log: Permission denied" };

/* web: rotate web.log, prune two archives beyond keep (one of the log, one a
 * lone stem), skip the FIFO and the hard link. */
static struct action web_actions[5] = {
	{ .kind = ACTION_SKIP, .file = &web_files[1], .policy = &web_pols[0], .reason = (char *)"FIFO" },
	{ .kind = ACTION_SKIP, .file = &web_files[2], .policy = &web_pols[0], .reason = (char *)"hard-linked file" },
	{ .kind = ACTION_ROTATE, .file = &web_files[3], .policy = &web_pols[0], .group = (char *)"/var/log/whatsapp/web.log",
	  .reason = (char *)"25.0 MiB > 20.0 MiB" },
	{ .kind = ACTION_PRUNE, .file = &web_files[3], .policy = &web_pols[0],
	  .archive = (char *)"web.log-20260801T000000Z.gz", .group = (char *)"/var/log/whatsapp/web.log",
	  .reason = (char *)"beyond keep 30", .archive_size = 2 * MiB },
	{ .kind = ACTION_PRUNE, .policy = &web_pols[0], .archive = (char *)"old.log-20250101T000000Z.gz",
	  .group = (char *)"old.log", .reason = (char *)"older than max-age 90d", .archive_size = 4096 },
};
/* core: archive the idle crash log whole, rotate the big one. */
static struct action core_actions[2] = {
	{ .kind = ACTION_ARCHIVE_IDLE, .file = &core_files[0], .policy = &core_pols[0],
	  .group = (char *)"/usr/local/waent/logs/*.log", .reason = (char *)"idle for 2d" },
	{ .kind = ACTION_ROTATE, .file = &core_files[1], .policy = &core_pols[0],
	  .group = (char *)"/usr/local/waent/logs/wa-service-3c4d.log", .reason = (char *)"16.0 MiB > 15.0 MiB" },
};

struct fixture {
	struct pass_container pcs[5];
	struct pass pass;
	struct rotate_outcome web_out[5];
	struct rotate_outcome core_out[2];
	struct cleanup_task tasks[3];
	enum job_skip task_skip[3];
	struct media_job media[2];
	struct jobs jobs;
	struct remedy remedy;
	struct remedy_fs fs[2];
	struct remedy_step steps[4];
	struct remedy_dropped dropped[7];
	struct remedy_consumer consumers[2];
};

static void strlist_of(struct strlist *l, char **v, size_t n)
{
	l->v = v;
	l->n = n;
}

/* The pass over the five containers; outcomes only when real. */
static void make_pass(struct fixture *f, int dry_run)
{
	struct pass_container *web = &f->pcs[0], *core = &f->pcs[1];

	web->ctr = &ctr_web;
	web->scanned = 1;
	web->scan.files = web_files;
	web->scan.n = 4;
	strlist_of(&web->scan.absent, absent_web, 1);
	web->plan.v = web_actions;
	web->plan.n = 5;
	core->ctr = &ctr_core;
	core->scanned = 1;
	core->scan.files = core_files;
	core->scan.n = 2;
	strlist_of(&core->scan.errors, scan_error_core, 1);
	core->plan.v = core_actions;
	core->plan.n = 2;
	f->pcs[2].ctr = &ctr_stopped;
	f->pcs[3].ctr = &ctr_db;
	f->pcs[4].ctr = &ctr_failed;
	f->pass.socket = "/run/docker.sock";
	f->pass.api_version = "1.44";
	f->pass.config_path = "/etc/rotd/rotd.conf";
	f->pass.dry_run = dry_run;
	f->pass.now = NOW;
	f->pass.v = f->pcs;
	f->pass.n = dry_run ? 4 : 5;   /* the dry run met no failed container */
	if (dry_run)
		return;
	f->web_out[2] = (struct rotate_outcome){ .done = 1, .archive = (char *)"web.log-20260921T141320Z.gz",
						 .size_before = 25 * MiB, .archived = 25 * MiB - 4096,
						 .compressed = 2 * MiB + 512 * 1024, .size_after = 4096, .pruned = 1,
						 .pruned_bytes = 2 * MiB };
	f->web_out[3] = (struct rotate_outcome){ .pruned = 1, .pruned_bytes = 2 * MiB };
	f->web_out[4] = (struct rotate_outcome){ .error = (char *)"old.log-20250101T000000Z.gz: cannot remove it: "
								  "Operation not permitted" };
	web->outcomes = f->web_out;
	f->core_out[0] = (struct rotate_outcome){
		.error = (char *)"/usr/local/waent/logs/wa-service-1a2b-crash.log: cannot write its archive in "
			       "/var/log/whatsapp/archive: No space left on device" };
	f->core_out[1] = (struct rotate_outcome){ .done = 1, .archive = (char *)"wa-service-3c4d.log-20260921T141320Z.gz",
						  .size_before = 16 * MiB, .archived = 16 * MiB, .compressed = MiB,
						  .size_after = 0, .fallback = 1, .maybe_lost = 1 };
	core->outcomes = f->core_out;
	core->scan.errors.n = 0;
	strlist_add(&core->recovered, "/usr/local/waent/logs/wa-service-9e9e.log: finished an interrupted rotation");
}

/* Media of one volume over two rules: 1200 old outgoing files (more than the
 * JSON keeps), 3 incoming, and an error. */
static void make_media(struct media_job *m, int dry_run)
{
	struct media_rule_sum *out, *in;

	m->key = (char *)"volume:whatsappMedia";
	m->via = "biz_waweb_1";
	m->ran = 1;
	m->rules = xcalloc(2, sizeof(*m->rules));
	m->n_rules = 2;
	out = &m->rules[0];
	in = &m->rules[1];
	out->name = xstrdup("outgoing");
	out->path = xstrdup("outgoing");
	out->older_than = 30 * DAY;
	in->name = xstrdup("incoming");
	in->path = xstrdup("incoming");
	in->older_than = 7 * DAY;
	if (dry_run) {
		for (int i = 0; i < 1200; i++) {
			char path[96];

			snprintf(path, sizeof(path), "/usr/local/wamedia/outgoing/2026/07/%04d.jpg", i);
			jobs_media_count(out, path, 2048, NOW - 80 * DAY + i * 3600);
		}
		jobs_media_count(in, "/usr/local/wamedia/incoming/b/voice-2.opus", 7000, NOW - 9 * DAY);
		jobs_media_count(in, "/usr/local/wamedia/incoming/a/photo-1.jpg", 90000, NOW - 20 * DAY);
		jobs_media_count(in, "/usr/local/wamedia/incoming/a/\x1b[31mred.jpg", 10, NOW - 8 * DAY);
		out->kept_young = 40;
		in->kept_young = 12;
		in->skipped = 1;
		in->n_errors = 1;
		m->result.files = out->files + in->files;
		m->result.bytes = out->bytes + in->bytes;
		m->result.kept_young = 52;
		m->result.skipped = 1;
		m->result.n_errors = 1;
		strlist_add(&m->result.errors, "/usr/local/wamedia/incoming/locked: Permission denied");
	} else {
		jobs_media_count(in, "/usr/local/wamedia/incoming/a/photo-1.jpg", 90000, NOW - 20 * DAY);
		m->result.files = 1;
		m->result.bytes = 90000;
		m->result.dirs = 1;
		m->result.kept_young = 1;
	}
}

static void make_jobs(struct fixture *f, int dry_run)
{
	struct jobs *j = &f->jobs;

	j->dry_run = dry_run;
	j->window_open = 1;
	j->cleanup = f->tasks;
	j->cleanup_skip = f->task_skip;
	j->n_cleanup = 2;
	f->tasks[0] = (struct cleanup_task){ .container = "biz_waweb_1", .present = 1, .exit_code = -1 };
	f->tasks[1] = (struct cleanup_task){ .container = "biz_wacore_1", .present = 0, .exit_code = -1 };
	j->media = f->media;
	j->n_media = 1;
	make_media(&f->media[0], dry_run);
	j->gc_enabled = 1;
	if (dry_run)
		return;
	j->n_cleanup = 3;
	f->tasks[0] = (struct cleanup_task){ .container = "biz_waweb_1", .present = 1, .ran = 1, .exit_code = 0,
					     .ms = 1200 };
	f->tasks[1] = (struct cleanup_task){ .container = "biz_wacore_1", .present = 1, .ran = 1, .exit_code = 3,
					     .ms = 310 };
	strlist_add(&f->tasks[1].tail, "purging old files");
	strlist_add(&f->tasks[1].tail, "rm: /usr/local/waent/data/tmp: Read-only file system");
	f->tasks[2] = (struct cleanup_task){ .container = "biz_wacore_3", .present = 1, .exit_code = -1 };
	f->task_skip[2] = JOB_DONE_THIS_WINDOW;
	j->respect_window = 1;
	j->state_warning = (char *)"state file /var/lib/rotd/state.json is corrupt (line 1: '{' expected); it will be "
				   "replaced";
}

static void fixture_free(struct fixture *f)
{
	for (size_t i = 0; i < f->jobs.n_media; i++) {
		for (size_t r = 0; r < f->media[i].n_rules; r++)
			jobs_media_rule_free(&f->media[i].rules[r]);
		free(f->media[i].rules);
		strlist_free(&f->media[i].result.errors);
	}
	for (size_t i = 0; i < 3; i++)
		strlist_free(&f->tasks[i].tail);
	for (size_t i = 0; i < 5; i++)
		strlist_free(&f->pcs[i].recovered);
	strlist_free(&f->remedy.errors);
}

/* A usage of size bytes with used_pct pct. */
static struct fs_usage usage(uint64_t size, unsigned pct)
{
	struct fs_usage u = { .size = size, .used = size / 100 * pct, .avail = size - size / 100 * pct,
			      .used_pct = pct };

	return u;
}

static void make_remedy(struct fixture *f, int dry_run, int reached)
{
	struct remedy *r = &f->remedy;

	r->trigger = REMEDY_MANUAL;
	r->high = 85;
	r->low = 80;
	r->dry_run = dry_run;
	r->needed = 1;
	r->reached_low = reached;
	r->fs = f->fs;
	r->n_fs = 2;
	f->fs[0].label = (char *)"/var/lib/docker (/dev/sda1)";
	f->fs[0].target = 1;
	f->fs[0].before = usage(100 * GiB, 91);
	f->fs[0].after = usage(100 * GiB, reached ? 78 : 88);
	f->fs[1].label = (char *)"/srv/wamedia (/dev/sdb1)";
	f->fs[1].before = usage(50 * GiB, 40);
	f->fs[1].after = usage(50 * GiB, 40);
	r->steps = f->steps;
	if (dry_run) {
		f->fs[1].target = 1;
		f->fs[1].before = usage(50 * GiB, 86);
		f->fs[1].after = usage(50 * GiB, 79);
		f->steps[0] = (struct remedy_step){ (char *)"rotation and archives beyond keep, max-age and max-size",
						    (int64_t)(9 * GiB - MiB), (char *)"rotated logs are assumed to compress "
						    "10:1; pruned archives count whole" };
		f->steps[1] = (struct remedy_step){ (char *)"cleanup.sh", 0,
						    (char *)"cannot be estimated: it runs the image's own script" };
		f->steps[2] = (struct remedy_step){ (char *)"oldest media first in volume:whatsappMedia (via "
						    "biz_waweb_1)", (int64_t)(3584 * MiB),
						    (char *)"1204 files older than 7d hold 3.5 GiB" };
		f->steps[3] = (struct remedy_step){ (char *)"oldest archives first, none younger than 1d and never "
						    "the newest of a log: 1 file", (int64_t)MiB, NULL };
		r->n_steps = 4;
	} else {
		f->steps[0] = (struct remedy_step){ (char *)"rotation and archives beyond keep, max-age and max-size",
						    (int64_t)(2 * GiB), NULL };
		f->steps[1] = (struct remedy_step){ (char *)"cleanup.sh in 1 container", -4096, NULL };
		f->steps[2] = (struct remedy_step){ (char *)"oldest media first in volume:whatsappMedia (via "
						    "biz_waweb_1), none younger than 7d: 1204 files, 11.0 GiB",
						    (int64_t)(11 * GiB), NULL };
		r->n_steps = 3;
	}
	if (reached || dry_run)
		return;
	f->fs[0].after = usage(100 * GiB, 88);
	f->steps[2].freed = (int64_t)(1 * GiB);
	f->steps[2].what = (char *)"oldest media first in volume:whatsappMedia (via biz_waweb_1), none younger than "
				   "7d: 1 file, 1.0 GiB";
	f->steps[3] = (struct remedy_step){ (char *)"oldest archives first, none younger than 1d and never the "
					    "newest of a log: 7 files, 7.0 MiB", (int64_t)(7 * MiB), NULL };
	r->n_steps = 4;
	for (int i = 0; i < 7; i++) {
		static char paths[7][80];

		snprintf(paths[i], sizeof(paths[i]), "/var/log/whatsapp/archive/web.log-2026080%dT000000Z.gz", i + 1);
		f->dropped[i] = (struct remedy_dropped){ (char *)"biz_waweb_1", paths[i], MiB };
	}
	r->dropped = f->dropped;
	r->n_dropped = 7;
	r->dropped_bytes = 7 * MiB;
	r->cleanup_skipped = (char *)"cleanup.sh: skipped, it ran 12 min ago (remediation-backoff 30m)";
	strlist_add(&r->errors, "container biz_wacore_1: cannot measure /var/log/whatsapp: Permission denied");
}

static void make_consumers(struct fixture *f)
{
	struct remedy *r = &f->remedy;

	f->consumers[0] = (struct remedy_consumer){
		.container = (char *)"biz_waweb_1", .role = "web", .live_logs = 40 * MiB, .archives = 300 * MiB,
		.media = 60 * GiB, .engine_log = (char *)"/var/lib/docker/containers/4f1e/4f1e-json.log",
		.engine_log_bytes = 9 * GiB,
		.hint = (char *)"its json-file log has no max-size: set \"log-opts\": {\"max-size\": \"50m\"} in "
				"/etc/docker/daemon.json and recreate the container" };
	f->consumers[1] = (struct remedy_consumer){ .container = (char *)"biz_db_1", .engine_log_bytes = 2 * GiB,
						    .engine_log = (char *)"/var/lib/docker/containers/77aa/77aa-json.log" };
	r->consumers = f->consumers;
	r->n_consumers = 2;
}

/* ---- golden tests ---------------------------------------------------------- */

START_TEST(dry_run_layout)
{
	struct fixture f;
	char *text;

	memset(&f, 0, sizeof(f));
	make_pass(&f, 1);
	make_jobs(&f, 1);
	text = render_text(&f.pass, &f.jobs, NULL, EXIT_ROTD_PARTIAL, 0);
	assert_golden("dry-run", text);
	free(text);
	fixture_free(&f);
}
END_TEST

START_TEST(real_pass_layout)
{
	struct fixture f;
	char *text;

	memset(&f, 0, sizeof(f));
	make_pass(&f, 0);
	make_jobs(&f, 0);
	text = render_text(&f.pass, &f.jobs, NULL, EXIT_ROTD_PARTIAL, 0);
	assert_golden("real-pass", text);
	free(text);
	fixture_free(&f);
}
END_TEST

/* When stderr goes where the report goes, each message is already there once. */
START_TEST(real_pass_errors_logged_layout)
{
	struct fixture f;
	char *text;

	memset(&f, 0, sizeof(f));
	make_pass(&f, 0);
	make_jobs(&f, 0);
	f.jobs.gc_error = (char *)"gc: login to https://wa.example:9090 failed: 401 Unauthorized";
	f.jobs.state_error = (char *)"cannot save the state file /var/lib/rotd/state.json: Read-only file system";
	f.tasks[2] = (struct cleanup_task){ .container = "biz_wacore_3", .present = 1, .ran = 1, .exit_code = -1,
					    .error = (char *)"timed out after 600 s" };
	f.task_skip[2] = JOB_RUN;
	f.pcs[0].errors.v = (char *[]){ (char *)"archive folder /var/log/whatsapp/archive: Permission denied" };
	f.pcs[0].errors.n = 1;
	f.pcs[1].scan.errors.n = 1;
	f.media[0].result.n_errors = 2;
	text = render_text(&f.pass, &f.jobs, NULL, EXIT_ROTD_PARTIAL, REPORT_ERRORS_LOGGED);
	assert_golden("real-pass-errors-logged", text);
	ck_assert_ptr_null(strstr(text, "Permission denied"));
	ck_assert_ptr_null(strstr(text, "401"));
	ck_assert_ptr_null(strstr(text, "Read-only"));
	ck_assert_ptr_null(strstr(text, "No space left"));
	ck_assert_ptr_null(strstr(text, "restarting"));
	f.pcs[0].errors.n = 0;
	f.pcs[0].errors.v = NULL;
	free(text);
	fixture_free(&f);
}
END_TEST

/* A remediation that reached low, and one that fell short, with a pass that
 * rotated one log. */
START_TEST(remediation_layout)
{
	struct fixture f;
	char *text;

	memset(&f, 0, sizeof(f));
	make_pass(&f, 0);
	f.pass.n = 1;
	f.web_out[4] = (struct rotate_outcome){ .pruned = 1, .pruned_bytes = 4096 };
	make_remedy(&f, 0, 1);
	text = render_text(&f.pass, NULL, &f.remedy, EXIT_ROTD_OK, 0);
	assert_golden("remediation-reached", text);
	free(text);

	make_remedy(&f, 0, 0);
	make_consumers(&f);
	text = render_text(&f.pass, NULL, &f.remedy, EXIT_ROTD_SHORT, 0);
	assert_golden("remediation-short", text);
	free(text);
	fixture_free(&f);
}
END_TEST

START_TEST(remediation_dry_run_layout)
{
	struct fixture f;
	char *text;

	memset(&f, 0, sizeof(f));
	make_pass(&f, 1);
	f.pass.n = 1;
	make_remedy(&f, 1, 0);
	f.fs[0].after = usage(100 * GiB, 82);
	make_consumers(&f);
	text = render_text(&f.pass, NULL, &f.remedy, EXIT_ROTD_SHORT, 0);
	assert_golden("remediation-dry-run", text);
	free(text);
	fixture_free(&f);
}
END_TEST

/* ---- what the layout rests on ---------------------------------------------- */

/* The header's failures are those the exit code counts, whatever failed. */
START_TEST(failures_agree_with_the_exit_code)
{
	struct fixture f;
	struct report_failures n;
	char *text;

	memset(&f, 0, sizeof(f));
	make_pass(&f, 0);
	make_jobs(&f, 0);
	report_count_failures(&f.pass, &f.jobs, &n);
	ck_assert_uint_eq(n.containers, 1);   /* the failed one */
	ck_assert_uint_eq(n.files, 2);
	ck_assert_uint_eq(n.jobs, 1);         /* cleanup exit 3 */
	ck_assert_int_eq(pass_exit_code(&f.pass), EXIT_ROTD_PARTIAL);

	/* Only a job failed: the pass alone exits 0, the header still says 1. */
	f.web_out[4].error = NULL;
	f.core_out[0].error = NULL;
	f.pass.n = 2;
	ck_assert_int_eq(pass_exit_code(&f.pass), EXIT_ROTD_OK);
	ck_assert_int_eq(jobs_failed(&f.jobs), 1);
	text = render_text(&f.pass, &f.jobs, NULL, EXIT_ROTD_PARTIAL, 0);
	ck_assert_msg(strstr(text, "\nexit 1: 1 failure (1 off-peak job)\n") != NULL, "%s", text);
	free(text);

	/* Nothing failed. */
	f.tasks[1].exit_code = 0;
	ck_assert_int_eq(jobs_failed(&f.jobs), 0);
	report_count_failures(&f.pass, &f.jobs, &n);
	ck_assert_uint_eq(n.containers + n.files + n.jobs, 0);
	text = render_text(&f.pass, &f.jobs, NULL, EXIT_ROTD_OK, 0);
	ck_assert_msg(strstr(text, "\n2 containers: 2 running with a role\nexit 0: nothing failed\n") != NULL, "%s", text);
	free(text);
	fixture_free(&f);
}
END_TEST

START_TEST(singular_and_plural)
{
	struct fixture f;
	char *text;

	memset(&f, 0, sizeof(f));
	make_pass(&f, 0);
	f.pass.n = 1;
	f.pcs[0].fs = (struct ctrfs *)&f;   /* opened */
	f.web_out[4] = (struct rotate_outcome){ .pruned = 1, .pruned_bytes = 4096 };
	text = report_summary(&f.pass, NULL);
	ck_assert_str_eq(text, "1 container, 1 file archived (25.0 MiB), 0 failures");
	free(text);
	text = render_text(&f.pass, NULL, NULL, EXIT_ROTD_OK, 0);
	ck_assert_msg(strstr(text, "\n1 container: 1 running with a role\nexit 0: nothing failed\n") != NULL, "%s", text);
	ck_assert_ptr_null(strstr(text, " 1 bytes"));
	free(text);
	f.pass.n = 0;
	text = render_text(&f.pass, NULL, NULL, EXIT_ROTD_OK, 0);
	ck_assert_msg(strstr(text, "\n0 containers\n") != NULL, "%s", text);
	free(text);
	fixture_free(&f);
}
END_TEST

/* Millions of files: counts for all, paths for the first JOBS_MEDIA_PATHS. */
START_TEST(media_summary_is_bounded)
{
	struct media_rule_sum s;

	memset(&s, 0, sizeof(s));
	for (int i = 0; i < 200000; i++) {
		char path[64];

		snprintf(path, sizeof(path), "/usr/local/wamedia/outgoing/%06d", i);
		jobs_media_count(&s, path, 10, NOW - 100 * DAY + (i % 1000) * 60 - (i == 150000 ? DAY : 0));
	}
	ck_assert_uint_eq(s.files, 200000);
	ck_assert_uint_eq(s.bytes, 2000000);
	ck_assert_uint_eq(s.paths.n, JOBS_MEDIA_PATHS);
	ck_assert_str_eq(s.paths.v[0], "/usr/local/wamedia/outgoing/000000");
	ck_assert_str_eq(s.paths.v[JOBS_MEDIA_PATHS - 1], "/usr/local/wamedia/outgoing/000999");
	ck_assert_int_eq(s.oldest, NOW - 101 * DAY);
	ck_assert_int_eq(s.newest, NOW - 100 * DAY + 999 * 60);
	jobs_media_rule_free(&s);
}
END_TEST

static json_t *at(json_t *j, const char *path)
{
	/* "a.0.b": objects by key, arrays by index. */
	char *copy = xstrdup(path), *save = NULL;

	for (char *k = strtok_r(copy, ".", &save); k != NULL && j != NULL; k = strtok_r(NULL, ".", &save))
		j = json_is_array(j) ? json_array_get(j, strtoul(k, NULL, 10)) : json_object_get(j, k);
	free(copy);
	ck_assert_msg(j != NULL, "no %s in the JSON report", path);
	return j;
}

START_TEST(media_summary_in_json)
{
	struct fixture f;
	json_t *root;

	memset(&f, 0, sizeof(f));
	make_pass(&f, 1);
	make_jobs(&f, 1);
	root = report_json(&f.pass, &f.jobs);
	ck_assert_int_eq(json_integer_value(at(root, "jobs.media.0.files")), 1203);
	ck_assert_str_eq(json_string_value(at(root, "jobs.media.0.rules.0.name")), "outgoing");
	ck_assert_int_eq(json_integer_value(at(root, "jobs.media.0.rules.0.files")), 1200);
	ck_assert_int_eq(json_integer_value(at(root, "jobs.media.0.rules.0.bytes")), 1200 * 2048);
	ck_assert_int_eq(json_integer_value(at(root, "jobs.media.0.rules.0.older_than")), 30 * DAY);
	ck_assert_int_eq(json_integer_value(at(root, "jobs.media.0.rules.0.oldest_mtime")), NOW - 80 * DAY);
	ck_assert_int_eq(json_integer_value(at(root, "jobs.media.0.rules.0.newest_mtime")), NOW - 80 * DAY + 1199 * 3600);
	ck_assert_uint_eq(json_array_size(at(root, "jobs.media.0.rules.0.paths")), JOBS_MEDIA_PATHS);
	ck_assert(json_is_true(at(root, "jobs.media.0.rules.0.paths_capped")));
	ck_assert_int_eq(json_integer_value(at(root, "jobs.media.0.rules.0.paths_cap")), JOBS_MEDIA_PATHS);
	ck_assert_int_eq(json_integer_value(at(root, "jobs.media.0.rules.0.kept_young")), 40);
	ck_assert_int_eq(json_integer_value(at(root, "jobs.media.0.rules.1.files")), 3);
	ck_assert_uint_eq(json_array_size(at(root, "jobs.media.0.rules.1.paths")), 3);
	ck_assert(json_is_false(at(root, "jobs.media.0.rules.1.paths_capped")));
	ck_assert_str_eq(json_string_value(at(root, "jobs.media.0.rules.1.paths.2")),
			 "/usr/local/wamedia/incoming/a/\x1b[31mred.jpg");
	ck_assert_int_eq(json_integer_value(at(root, "jobs.media.0.rules.1.oldest_mtime")), NOW - 20 * DAY);
	ck_assert_int_eq(json_integer_value(at(root, "jobs.media.0.rules.1.newest_mtime")), NOW - 8 * DAY);
	ck_assert_int_eq(json_integer_value(at(root, "failures.containers")), 1);
	ck_assert_int_eq(json_integer_value(at(root, "failures.jobs")), 1);
	ck_assert_int_eq(json_integer_value(at(root, "exit_code")), 1);
	json_decref(root);
	fixture_free(&f);
}
END_TEST

START_TEST(remediation_json_has_notes)
{
	struct fixture f;
	json_t *root;

	memset(&f, 0, sizeof(f));
	make_remedy(&f, 1, 0);
	root = report_remedy_json(&f.remedy);
	ck_assert_str_eq(json_string_value(at(root, "steps.1.note")),
			 "cannot be estimated: it runs the image's own script");
	ck_assert(json_is_null(at(root, "steps.3.note")));
	json_decref(root);
	fixture_free(&f);
}
END_TEST

/* The report knows when stderr goes where it goes. */
START_TEST(shares_log_with_stderr)
{
	FILE *same = tmpfile(), *other = tmpfile(), *mem;
	char *buf = NULL;
	size_t len = 0;
	int saved = dup(STDERR_FILENO);

	ck_assert_ptr_nonnull(same);
	ck_assert_ptr_nonnull(other);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_ge(dup2(fileno(same), STDERR_FILENO), 0);
	ck_assert_int_eq(report_shares_log(same), 1);
	ck_assert_int_eq(report_shares_log(other), 0);
	mem = open_memstream(&buf, &len);
	ck_assert_int_eq(report_shares_log(mem), 0);
	ck_assert_int_ge(dup2(saved, STDERR_FILENO), 0);
	close(saved);
	fclose(mem);
	free(buf);
	fclose(same);
	fclose(other);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("report");
	TCase *golden = tcase_create("golden");
	TCase *rules = tcase_create("rules");

	tcase_add_test(golden, dry_run_layout);
	tcase_add_test(golden, real_pass_layout);
	tcase_add_test(golden, real_pass_errors_logged_layout);
	tcase_add_test(golden, remediation_layout);
	tcase_add_test(golden, remediation_dry_run_layout);
	suite_add_tcase(s, golden);
	tcase_add_test(rules, failures_agree_with_the_exit_code);
	tcase_add_test(rules, singular_and_plural);
	tcase_add_test(rules, media_summary_is_bounded);
	tcase_add_test(rules, media_summary_in_json);
	tcase_add_test(rules, remediation_json_has_notes);
	tcase_add_test(rules, shares_log_with_stderr);
	suite_add_tcase(s, rules);
	return s;
}
