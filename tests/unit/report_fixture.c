/* The report's fixtures and golden files: see report_fixture.h. */
#include "autoconf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"
#include "report_fixture.h"
#include "unit.h"

#define MiB (1024ULL * 1024)
#define GiB (1024ULL * MiB)
#define DAY 86400
#define NOW REPORT_FIXTURE_NOW

/* ---- golden files ---------------------------------------------------------- */

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

/* The first line where want and got differ (1-based); *w and *g are set to
 * its start in each. They differ somewhere. */
static size_t first_difference(const char *want, const char *got, const char **w, const char **g)
{
	size_t line = 1;

	*w = want;
	*g = got;
	for (size_t i = 0; want[i] == got[i]; i++) {
		if (want[i] == '\n') {
			line++;
			*w = want + i + 1;
			*g = got + i + 1;
		}
	}
	return line;
}

void report_fixture_assert_golden(const char *file, const char *text)
{
	const char *update = getenv("ROTD_UPDATE_GOLDEN");
	char *path = xasprintf("%s/tests/unit/golden/%s", TEST_SRCDIR, file);
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
		const char *got = unit_write_temp(file, text), *w, *g;
		size_t line = first_difference(want, text, &w, &g);
		char *cmd = xasprintf("diff -u '%s' '%s' 2>&1", path, got), diff[8192];
		FILE *d = popen(cmd, "r");
		size_t n = d ? fread(diff, 1, sizeof(diff) - 1, d) : 0;

		diff[n] = '\0';
		if (d)
			pclose(d);
		ck_abort_msg("%s differs from the golden file at line %zu (ROTD_UPDATE_GOLDEN=1 rewrites it):\n"
			     "  golden: %.*s\n  now:    %.*s\n%s", file, line, (int)strcspn(w, "\n"),
			     *w != '\0' ? w : "(end of file)", (int)strcspn(g, "\n"), *g != '\0' ? g : "(end of file)",
			     diff);
	}
	free(want);
	free(path);
}

/* ---- fixtures -------------------------------------------------------------- */

#define WEB_GLOB "/var/log/whatsapp/*.log"
#define CORE_GLOB "/usr/local/waent/logs/*.log"

/* Log policies of the web and core roles (indexes into role->logs). */
static struct log_policy web_pols[3] = {
	{ .glob = (char *)WEB_GLOB, .size = 20 * MiB, .keep = 30,
	  .archive_dir = (char *)"/var/log/whatsapp/archive" },
	{ .glob = (char *)"/var/log/lighttpd/*.log", .size = 20 * MiB, .keep = 30,
	  .archive_dir = (char *)"/var/log/whatsapp/archive" },
	{ .glob = (char *)"/var/log/whatsapp/archive/*.gz", .size = 20 * MiB, .keep = 30,
	  .archive_dir = (char *)"/var/log/whatsapp/archive" },
};
static struct log_policy core_pols[2] = {
	{ .glob = (char *)CORE_GLOB, .size = 15 * MiB, .keep = 30,
	  .archive_dir = (char *)"/var/log/whatsapp/archive", .idle_after = 3600 },
	{ .glob = (char *)"/var/log/whatsapp/*.log", .size = 15 * MiB, .keep = 30,
	  .archive_dir = (char *)"/var/log/whatsapp/archive" },
};
static struct role_policy web_role = { .name = (char *)"web", .log_policies = web_pols };
static struct role_policy core_role = { .name = (char *)"core", .log_policies = core_pols };

static struct mount_info media_mount = { (char *)"volume", (char *)"whatsappMedia",
					 (char *)"/var/lib/docker/volumes/whatsappMedia/_data",
					 (char *)"/usr/local/wamedia", 1 };

static struct container ctr_web = {
	.id = (char *)"4f1e8c2d9a7b6e5f4f1e8c2d9a7b6e5f4f1e8c2d9a7b6e5f4f1e8c2d9a7b6e5f",
	.name = (char *)"biz_waweb_1", .image = (char *)"docker.whatsapp.biz/web:v2.53.2", .project = (char *)"biz",
	.service = (char *)"waweb", .role = &web_role, .state = CTR_RUNNING, .pid = 4242, .mounts = &media_mount,
	.n_mounts = 1,
};
static struct container ctr_core = {
	.id = (char *)"5a2b9d3e0b8c7f6a5a2b9d3e0b8c7f6a5a2b9d3e0b8c7f6a5a2b9d3e0b8c7f6a",
	.name = (char *)"biz_wacore_1", .image = (char *)"docker.whatsapp.biz/coreapp:v2.53.2",
	.project = (char *)"biz", .service = (char *)"wacore", .role = &core_role, .state = CTR_RUNNING, .pid = 4343,
	.mounts = &media_mount, .n_mounts = 1,
};
static struct container ctr_stopped = {
	.id = (char *)"6b3cae4f1c9d8a7b6b3cae4f1c9d8a7b6b3cae4f1c9d8a7b6b3cae4f1c9d8a7b",
	.name = (char *)"biz_wacore_2", .image = (char *)"docker.whatsapp.biz/coreapp:v2.53.2",
	.project = (char *)"biz", .service = (char *)"wacore", .role = &core_role, .state = CTR_STOPPED,
	.detail = (char *)"exited, not running: skipped",
};
static struct container ctr_db = {
	.id = (char *)"77aa0f5a2dae9b8c77aa0f5a2dae9b8c77aa0f5a2dae9b8c77aa0f5a2dae9b8c",
	.name = (char *)"biz_db_1", .image = (char *)"mysql:5.7", .project = (char *)"biz", .service = (char *)"db",
	.state = CTR_IGNORED, .detail = (char *)"matches no role",
};
static struct container ctr_failed = {
	.id = (char *)"8d4dbf6b3ebfac9d8d4dbf6b3ebfac9d8d4dbf6b3ebfac9d8d4dbf6b3ebfac9d",
	.name = (char *)"biz_master1_1", .image = (char *)"docker.whatsapp.biz/coreapp:v2.53.2",
	.state = CTR_FAILED, .detail = (char *)"inspect failed: the engine said: container is restarting",
};

static struct log_file web_files[4] = {
	{ .path = (char *)"/var/log/whatsapp/access.log", .glob = WEB_GLOB, .glob_index = 0, .kind = CTRFS_REGULAR,
	  .size = 1234, .mtime = NOW - 60, .nlink = 1 },
	{ .path = (char *)"/var/log/whatsapp/pipe.log", .glob = WEB_GLOB, .glob_index = 0, .kind = CTRFS_FIFO,
	  .mtime = NOW - DAY, .nlink = 1 },
	{ .path = (char *)"/var/log/whatsapp/linked.log", .glob = WEB_GLOB, .glob_index = 0,
	  .kind = CTRFS_HARDLINKED, .size = 5, .mtime = NOW - 3 * DAY, .nlink = 2 },
	{ .path = (char *)"/var/log/whatsapp/web.log", .glob = WEB_GLOB, .glob_index = 0, .kind = CTRFS_REGULAR,
	  .size = 25 * MiB, .mtime = NOW - 5, .nlink = 1 },
};
static struct log_file core_files[2] = {
	{ .path = (char *)"/usr/local/waent/logs/wa-service-1a2b-crash.log", .glob = CORE_GLOB, .glob_index = 0,
	  .kind = CTRFS_REGULAR, .size = 3 * 1024, .mtime = NOW - 2 * DAY, .nlink = 1 },
	{ .path = (char *)"/usr/local/waent/logs/wa-service-3c4d.log", .glob = CORE_GLOB, .glob_index = 0,
	  .kind = CTRFS_REGULAR, .size = 16 * MiB, .mtime = NOW - 1, .nlink = 1 },
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
	  .reason = (char *)"beyond keep 30", .archive_time = 1785542400, .archive_size = 2 * MiB },
	{ .kind = ACTION_PRUNE, .policy = &web_pols[0], .archive = (char *)"old.log-20250101T000000Z.gz",
	  .group = (char *)"old.log", .reason = (char *)"older than max-age 90d", .archive_time = 1735689600,
	  .archive_size = 4096 },
};
/* core: archive the idle crash log whole, rotate the big one. */
static struct action core_actions[2] = {
	{ .kind = ACTION_ARCHIVE_IDLE, .file = &core_files[0], .policy = &core_pols[0],
	  .group = (char *)"/usr/local/waent/logs/*.log", .reason = (char *)"idle for 2d" },
	{ .kind = ACTION_ROTATE, .file = &core_files[1], .policy = &core_pols[0],
	  .group = (char *)"/usr/local/waent/logs/wa-service-3c4d.log", .reason = (char *)"16.0 MiB > 15.0 MiB" },
};


static void strlist_of(struct strlist *l, char **v, size_t n)
{
	l->v = v;
	l->n = n;
}

/* The pass over the five containers; outcomes only when real. */
void report_fixture_pass(struct report_fixture *f, int dry_run)
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

void report_fixture_jobs(struct report_fixture *f, int dry_run)
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

void report_fixture_free(struct report_fixture *f)
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
	strlist_free(&f->volumes[0].containers);
}

struct fs_usage report_fixture_usage(uint64_t size, unsigned pct)
{
	/* One inode per 16 KiB, as mkfs.ext4 makes them, 12% of them used. */
	struct fs_usage u = { .size = size, .used = size / 100 * pct, .avail = size - size / 100 * pct,
			      .used_pct = pct, .inodes = size / 16384, .inodes_used = size / 16384 / 100 * 12,
			      .inodes_pct = 12 };

	return u;
}

void report_fixture_remedy(struct report_fixture *f, int dry_run, int reached)
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
	f->fs[0].name = (struct fs_name){ .mount = (char *)"/var/lib/docker", .device = (char *)"/dev/sda1",
					  .fstype = (char *)"ext4" };
	f->fs[0].target = 1;
	f->fs[0].before = report_fixture_usage(100 * GiB, 91);
	f->fs[0].after = report_fixture_usage(100 * GiB, reached ? 78 : 88);
	f->fs[1].label = (char *)"/srv/wamedia (/dev/sdb1)";
	f->fs[1].name = (struct fs_name){ .mount = (char *)"/srv/wamedia", .device = (char *)"/dev/sdb1",
					  .fstype = (char *)"xfs" };
	f->fs[1].before = report_fixture_usage(50 * GiB, 40);
	f->fs[1].after = report_fixture_usage(50 * GiB, 40);
	r->steps = f->steps;
	/* Called again on the same fixture: the volume's list is made afresh. */
	strlist_free(&f->volumes[0].containers);
	f->volumes[0] = (struct remedy_volume){ .key = (char *)"volume:whatsappMedia", .via = "biz_waweb_1", .fs = 1 };
	strlist_add(&f->volumes[0].containers, "biz_waweb_1");
	strlist_add(&f->volumes[0].containers, "biz_wacore_1");
	r->volumes = f->volumes;
	r->n_volumes = 1;
	r->media = (struct media_result){ .files = 1204, .bytes = dry_run ? 3584 * MiB : 11 * GiB,
					  .dirs = dry_run ? 0 : 3, .kept_young = 52 };
	if (dry_run) {
		f->fs[1].target = 1;
		f->fs[1].before = report_fixture_usage(50 * GiB, 86);
		f->fs[1].after = report_fixture_usage(50 * GiB, 79);
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
	f->fs[0].after = report_fixture_usage(100 * GiB, 88);
	f->steps[2].freed = (int64_t)(1 * GiB);
	r->media = (struct media_result){ .files = 1, .bytes = 1 * GiB, .kept_young = 1255 };
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

void report_fixture_consumers(struct report_fixture *f)
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

