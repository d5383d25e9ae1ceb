/* Prometheus metrics: accumulation over passes, rendering, the textfile. */
#include "autoconf.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "report/metrics.h"
#include "unit.h"
#include "lib/xalloc.h"

/* A fake pass of one running container with a ROTATE, a PRUNE, an
 * ARCHIVE_IDLE that failed and a PRUNE that failed; and jobs with one cleanup,
 * one media volume and a GC error. */
struct fixture {
	struct role_policy role;
	struct container ctrs[2];
	struct action actions[4];
	struct rotate_outcome outcomes[4];
	struct pass_container pcs[2];
	struct pass pass;
	struct cleanup_task task;
	enum job_skip task_skip;
	struct media_job media;
	struct jobs jobs;
};

static void fixture_init(struct fixture *f, const char *name)
{
	memset(f, 0, sizeof(*f));
	f->role.name = (char *)"web";
	f->ctrs[0].name = (char *)name;
	f->ctrs[0].role = &f->role;
	f->ctrs[0].state = CTR_RUNNING;
	f->ctrs[1].name = (char *)"broken";
	f->ctrs[1].state = CTR_FAILED;

	f->actions[0].kind = ACTION_ROTATE;
	f->outcomes[0] = (struct rotate_outcome){ .done = 1, .archive = (char *)"web.log-x.gz", .size_before = 1000,
						  .archived = 1000, .compressed = 100, .size_after = 0 };
	f->actions[1].kind = ACTION_PRUNE;
	f->outcomes[1] = (struct rotate_outcome){ .pruned = 1, .pruned_bytes = 50 };
	f->actions[2].kind = ACTION_ARCHIVE_IDLE;
	f->outcomes[2] = (struct rotate_outcome){ .error = (char *)"disk full" };
	f->actions[3].kind = ACTION_PRUNE;
	f->outcomes[3] = (struct rotate_outcome){ .error = (char *)"EPERM" };

	f->pcs[0].ctr = &f->ctrs[0];
	f->pcs[0].scanned = 1;
	f->pcs[0].plan.v = f->actions;
	f->pcs[0].plan.n = 4;
	f->pcs[0].outcomes = f->outcomes;
	f->pcs[1].ctr = &f->ctrs[1];
	f->pass.v = f->pcs;
	f->pass.n = 2;

	f->task.container = name;
	f->task.present = 1;
	f->task.ran = 1;
	f->task.exit_code = 3;
	f->media.key = (char *)"volume:whatsappMedia";
	f->media.ran = 1;
	f->media.result.files = 7;
	f->media.result.bytes = 7000;
	f->media.result.n_errors = 2;
	f->jobs.cleanup = &f->task;
	f->jobs.cleanup_skip = &f->task_skip;
	f->jobs.n_cleanup = 1;
	f->jobs.media = &f->media;
	f->jobs.n_media = 1;
	f->jobs.gc_error = (char *)"gc: 401";
}

static void assert_has(const char *text, const char *line)
{
	char *want = xasprintf("\n%s\n", line);

	ck_assert_msg(strstr(text, want) != NULL, "missing line \"%s\" in:\n%s", line, text);
	free(want);
}

/* Runs promtool check metrics on text: it must accept it with no lint problem. */
static void assert_promtool_ok(const char *text)
{
	const char *path = unit_write_temp("metrics.prom", text);
	char *cmd, out[4096];
	size_t n = 0;
	FILE *p;
	int st;

	ck_assert_msg(access("/usr/bin/promtool", X_OK) == 0 || system("command -v promtool >/dev/null") == 0,
		      "promtool is needed (Debian package prometheus)");
	cmd = xasprintf("promtool check metrics < '%s' 2>&1", path);
	p = popen(cmd, "r");
	free(cmd);
	ck_assert_ptr_nonnull(p);
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	st = pclose(p);
	ck_assert_msg(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0 && n == 0,
		      "promtool check metrics (status %d):\n%s\non:\n%s", st, out, text);
}

START_TEST(empty_metrics_have_every_family)
{
	static const char *const kinds[] = { "engine", "container", "file", "prune", "cleanup",
					     "media", "gc", "state", "config", "metrics" };
	struct metrics *m = metrics_new(1700000000);
	char *text = metrics_render(m);

	assert_has(text, "rotd_build_info{version=\"" PACKAGE_VERSION "\"} 1");
	assert_has(text, "rotd_start_time_seconds 1700000000");
	assert_has(text, "rotd_passes_total 0");
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		char *line = xasprintf("rotd_errors_total{kind=\"%s\"} 0", kinds[i]);

		assert_has(text, line);
		free(line);
	}
	ck_assert_ptr_nonnull(strstr(text, "# TYPE rotd_media_pruned_bytes_total counter\n"));
	ck_assert_ptr_nonnull(strstr(text, "# HELP rotd_last_pass_duration_seconds "));
	assert_promtool_ok(text);
	free(text);
	metrics_free(m);
	metrics_free(NULL);
}
END_TEST

START_TEST(counters_accumulate_over_passes)
{
	struct metrics *m = metrics_new(1700000000);
	struct fixture f;
	char *text;

	fixture_init(&f, "biz_waweb_1");
	metrics_record_pass(m, &f.pass, &f.jobs, 1700000100, 1.5, 2);
	f.task.exit_code = 0;
	metrics_record_pass(m, &f.pass, &f.jobs, 1700000200, 0.25, 0);
	text = metrics_render(m);

	assert_has(text, "rotd_passes_total 2");
	assert_has(text, "rotd_last_pass_timestamp_seconds 1700000200");
	assert_has(text, "rotd_last_pass_success 1");
	assert_has(text, "rotd_last_pass_duration_seconds 0.250");
	assert_has(text, "rotd_rotated_bytes_total{container=\"biz_waweb_1\",role=\"web\"} 2000");
	assert_has(text, "rotd_archives_written_total{container=\"biz_waweb_1\",role=\"web\"} 2");
	assert_has(text, "rotd_archives_pruned_total{container=\"biz_waweb_1\",role=\"web\"} 2");
	/* (1000 shrunk + 50 pruned - 100 written) twice */
	assert_has(text, "rotd_freed_bytes_total{container=\"biz_waweb_1\",role=\"web\"} 1900");
	assert_has(text, "rotd_cleanup_exit_code{container=\"biz_waweb_1\"} 0");
	assert_has(text, "rotd_cleanup_last_run_timestamp_seconds{container=\"biz_waweb_1\"} 1700000200");
	assert_has(text, "rotd_media_pruned_files_total{volume=\"volume:whatsappMedia\"} 14");
	assert_has(text, "rotd_media_pruned_bytes_total{volume=\"volume:whatsappMedia\"} 14000");
	/* the failed container has no rotation series */
	ck_assert_ptr_null(strstr(text, "container=\"broken\""));
	assert_promtool_ok(text);
	free(text);
	metrics_free(m);
}
END_TEST

/* rotd --now's file: every sample carries mode="now", and its totals come back
 * from the state file so that they only grow from one run to the next. */
START_TEST(one_shot_totals_survive_and_carry_the_mode)
{
	struct metrics *m = metrics_new(1700000000), *again;
	struct fixture f;
	json_t *saved;
	char *text;

	fixture_init(&f, "biz_waweb_1");
	metrics_set_mode(m, "now");
	metrics_record_pass(m, &f.pass, &f.jobs, 1700000100, 1.5, 5);
	saved = metrics_save(m);
	metrics_free(m);
	again = metrics_new(1700000300);
	metrics_set_mode(again, "now");
	metrics_restore(again, saved);
	json_decref(saved);
	metrics_record_pass(again, &f.pass, &f.jobs, 1700000400, 0.5, 0);
	text = metrics_render(again);
	assert_has(text, "rotd_passes_total{mode=\"now\"} 2");
	assert_has(text, "rotd_last_pass_success{mode=\"now\"} 1");
	assert_has(text, "rotd_build_info{mode=\"now\",version=\"" PACKAGE_VERSION "\"} 1");
	assert_has(text, "rotd_rotated_bytes_total{mode=\"now\",container=\"biz_waweb_1\",role=\"web\"} 2000");
	assert_has(text, "rotd_media_pruned_files_total{mode=\"now\",volume=\"volume:whatsappMedia\"} 14");
	assert_has(text, "rotd_errors_total{mode=\"now\",kind=\"gc\"} 2");
	ck_assert_ptr_null(strstr(text, "\nrotd_passes_total "));
	assert_promtool_ok(text);
	free(text);
	metrics_free(again);
}
END_TEST

/* A damaged record restarts the damaged series, never crashes or counts garbage. */
START_TEST(restore_ignores_what_has_the_wrong_shape)
{
	struct metrics *m = metrics_new(1700000000);
	json_t *bad = json_loads("{\"passes\": -4, \"files\": [{\"l1\": 3}, {\"l1\": \"c\", \"l2\": \"web\", "
				 "\"a\": \"x\", \"b\": 7}], \"errors\": {\"kind\": 1}, \"media\": 5}",
				 0, NULL);
	char *text;

	ck_assert_ptr_nonnull(bad);
	metrics_restore(m, bad);
	metrics_restore(m, NULL);
	json_decref(bad);
	text = metrics_render(m);
	assert_has(text, "rotd_passes_total 0");
	assert_has(text, "rotd_archives_written_total{container=\"c\",role=\"web\"} 7");
	assert_has(text, "rotd_rotated_bytes_total{container=\"c\",role=\"web\"} 0");
	assert_promtool_ok(text);
	free(text);
	metrics_free(m);
}
END_TEST

START_TEST(now_path_sits_beside_the_daemons)
{
	char *p = metrics_now_path("/var/lib/prometheus/node-exporter/rotd.prom");

	ck_assert_str_eq(p, "/var/lib/prometheus/node-exporter/rotd-now.prom");
	free(p);
	p = metrics_now_path("/srv/metrics");
	ck_assert_str_eq(p, "/srv/metrics-now");
	free(p);
}
END_TEST

START_TEST(error_counts)
{
	struct metrics *m = metrics_new(1700000000);
	struct fixture f;
	char *text;

	fixture_init(&f, "c");
	strlist_add(&f.pcs[0].errors, "cannot open the archive folder");
	strlist_add(&f.pcs[0].scan.errors, "cannot read /var/log");
	f.jobs.state_error = (char *)"cannot save";
	f.task.timed_out = 1;
	f.task.error = (char *)"timed out";
	metrics_record_pass(m, &f.pass, &f.jobs, 1700000100, 1, 2);
	metrics_count_error(m, "engine");
	metrics_count_error(m, "config");
	metrics_count_error(m, "metrics");
	metrics_count_error(m, "metrics");
	metrics_count_error(m, "odd\"kind");
	text = metrics_render(m);

	/* errors + scan errors + the failed container */
	assert_has(text, "rotd_errors_total{kind=\"container\"} 3");
	assert_has(text, "rotd_errors_total{kind=\"file\"} 1");
	assert_has(text, "rotd_errors_total{kind=\"prune\"} 1");
	assert_has(text, "rotd_errors_total{kind=\"cleanup\"} 1");
	assert_has(text, "rotd_errors_total{kind=\"media\"} 2");
	assert_has(text, "rotd_errors_total{kind=\"gc\"} 1");
	assert_has(text, "rotd_errors_total{kind=\"state\"} 1");
	assert_has(text, "rotd_errors_total{kind=\"engine\"} 1");
	assert_has(text, "rotd_errors_total{kind=\"config\"} 1");
	assert_has(text, "rotd_errors_total{kind=\"metrics\"} 2");
	assert_has(text, "rotd_errors_total{kind=\"odd\\\"kind\"} 1");
	assert_has(text, "rotd_cleanup_exit_code{container=\"c\"} -1");
	assert_has(text, "rotd_last_pass_success 0");
	assert_promtool_ok(text);
	free(text);
	strlist_free(&f.pcs[0].errors);
	strlist_free(&f.pcs[0].scan.errors);
	metrics_free(m);
}
END_TEST

START_TEST(dry_run_is_ignored)
{
	struct metrics *m = metrics_new(1700000000);
	char *before = metrics_render(m), *after;
	struct fixture f;

	fixture_init(&f, "c");
	f.pass.dry_run = 1;
	f.jobs.dry_run = 1;
	metrics_record_pass(m, &f.pass, &f.jobs, 1700000100, 1, 0);
	after = metrics_render(m);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
	metrics_free(m);
}
END_TEST

START_TEST(skipped_jobs_and_no_jobs)
{
	struct metrics *m = metrics_new(1700000000);
	struct fixture f;
	char *text;

	fixture_init(&f, "c");
	f.task_skip = JOB_OUTSIDE_WINDOW;
	f.media.skip = JOB_DONE_THIS_WINDOW;
	f.media.ran = 0;
	metrics_record_pass(m, &f.pass, &f.jobs, 1700000100, 1, 0);
	metrics_record_pass(m, &f.pass, NULL, 1700000200, 1, 0);
	text = metrics_render(m);
	ck_assert_ptr_null(strstr(text, "rotd_cleanup_exit_code{"));
	ck_assert_ptr_null(strstr(text, "rotd_media_pruned_files_total{"));
	assert_has(text, "rotd_errors_total{kind=\"media\"} 0");
	assert_has(text, "rotd_errors_total{kind=\"cleanup\"} 0");
	assert_has(text, "rotd_errors_total{kind=\"gc\"} 1");
	assert_has(text, "rotd_passes_total 2");
	free(text);
	metrics_free(m);
}
END_TEST

START_TEST(labels_are_escaped_and_sorted)
{
	struct metrics *m = metrics_new(1700000000);
	struct fixture a, b;
	struct role_policy odd = { .name = (char *)"r\\o\"le" };
	struct container ctrs[4] = {
		{ .name = (char *)"zeta", .role = &a.role, .state = CTR_RUNNING },
		{ .name = (char *)"alpha", .role = &odd, .state = CTR_STOPPED },
		{ .name = (char *)"x", .state = CTR_IGNORED },
		{ .name = (char *)"y", .state = CTR_IGNORED },
	};
	struct inventory inv = { ctrs, 4 };
	char *text, *z, *q;

	fixture_init(&a, "zeta");
	fixture_init(&b, "we\"ird\\name\nline");
	metrics_record_pass(m, &a.pass, NULL, 1700000100, 1, 0);
	metrics_record_pass(m, &b.pass, NULL, 1700000100, 1, 0);
	metrics_set_inventory(m, &inv);
	text = metrics_render(m);

	assert_has(text, "rotd_archives_written_total{container=\"we\\\"ird\\\\name\\nline\",role=\"web\"} 1");
	z = strstr(text, "rotd_archives_written_total{container=\"zeta\"");
	q = strstr(text, "rotd_archives_written_total{container=\"we");
	ck_assert_ptr_nonnull(z);
	ck_assert_ptr_nonnull(q);
	ck_assert_msg(q < z, "series are not sorted:\n%s", text);
	assert_has(text, "rotd_containers{role=\"none\",state=\"ignored\"} 2");
	assert_has(text, "rotd_containers{role=\"r\\\\o\\\"le\",state=\"stopped\"} 1");
	assert_has(text, "rotd_containers{role=\"web\",state=\"running\"} 1");
	ck_assert(strstr(text, "role=\"none\"") < strstr(text, "role=\"web\",state"));
	assert_promtool_ok(text);
	free(text);

	/* the gauge is replaced, not added to */
	inv.n = 1;
	metrics_set_inventory(m, &inv);
	text = metrics_render(m);
	ck_assert_ptr_null(strstr(text, "state=\"ignored\""));
	assert_has(text, "rotd_containers{role=\"web\",state=\"running\"} 1");
	free(text);
	metrics_free(m);
}
END_TEST

/* The filesystems gauges are the state the last check measured: they follow a
 * disk cleaned by hand, and only an emergency pass's shortfall (the daemon's
 * memory, or a --now --remediate run's targets) counts as short of low. */
START_TEST(filesystems_gauges_follow_the_last_check)
{
	struct metrics *m = metrics_new(1700000000), *now;
	struct remedy_fs fs[3];
	struct remedy r;
	struct remedy_recall recall = { .dev = 11, .pct = 90, .at = 1700000100, .told = 1 };
	struct remedy_memory mem = { &recall, 1, 0 };
	json_t *saved;
	char *text;

	text = metrics_render(m);
	ck_assert_ptr_nonnull(strstr(text, "# TYPE rotd_filesystems_short_of_low gauge\n"));
	ck_assert_ptr_null(strstr(text, "\nrotd_filesystems_above_low "));
	free(text);

	memset(fs, 0, sizeof(fs));
	memset(&r, 0, sizeof(r));
	r.low = 80;
	r.high = 85;
	r.fs = fs;
	r.n_fs = 3;
	fs[0].name.dev = 11;   /* the emergency pass left it at 90% */
	fs[0].after.used_pct = 90;
	fs[0].target = 1;
	fs[1].name.dev = 12;   /* between the watermarks, never remedied */
	fs[1].after.used_pct = 82;
	fs[2].name.dev = 13;   /* fine */
	fs[2].after.inodes_pct = 80;
	metrics_record_filesystems(m, &r, &mem);
	text = metrics_render(m);
	assert_has(text, "rotd_filesystems_measured 3");
	assert_has(text, "rotd_filesystems_above_low 2");
	assert_has(text, "rotd_filesystems_short_of_low 1");
	assert_promtool_ok(text);
	free(text);

	/* cleaned by hand: the next check says so, the memory forgot it */
	r.fs[0].after.used_pct = 40;
	mem.n = 0;
	metrics_record_filesystems(m, &r, &mem);
	text = metrics_render(m);
	assert_has(text, "rotd_filesystems_above_low 1");
	assert_has(text, "rotd_filesystems_short_of_low 0");
	free(text);

	/* a dry run changes nothing */
	r.fs[0].after.used_pct = 99;
	r.dry_run = 1;
	metrics_record_filesystems(m, &r, &mem);
	text = metrics_render(m);
	assert_has(text, "rotd_filesystems_above_low 1");
	free(text);
	r.dry_run = 0;

	/* rotd --now --remediate: no memory; a target still above low is short */
	now = metrics_new(1700000000);
	metrics_set_mode(now, "now");
	metrics_record_filesystems(now, &r, NULL);
	text = metrics_render(now);
	assert_has(text, "rotd_filesystems_above_low{mode=\"now\"} 2");
	assert_has(text, "rotd_filesystems_short_of_low{mode=\"now\"} 1");
	assert_promtool_ok(text);
	free(text);
	/* and the next run starts without them: they belong to the run that measured */
	saved = metrics_save(now);
	metrics_free(now);
	now = metrics_new(1700000500);
	metrics_set_mode(now, "now");
	metrics_restore(now, saved);
	json_decref(saved);
	text = metrics_render(now);
	ck_assert_ptr_null(strstr(text, "\nrotd_filesystems_short_of_low{"));
	free(text);
	metrics_free(now);
	metrics_free(m);
}
END_TEST

/* A hand-made refresh: a measured filesystem and one statvfs failed on; a
 * container with a role and every figure, one without a role that is not
 * running (no live logs or archives to read), one whose name needs escaping;
 * two volumes. */
struct usage_fixture {
	struct usage_fs fs[2];
	struct usage_container ctrs[3];
	struct usage_volume vols[2];
	struct usage u;
};

static void usage_fixture_init(struct usage_fixture *f)
{
	static const uint64_t web[USAGE_KINDS] = { 1000, 2000, 300, 40 };
	static const uint64_t db[USAGE_KINDS] = { USAGE_UNKNOWN, USAGE_UNKNOWN, 5000, 52428800 };
	static const uint64_t odd[USAGE_KINDS] = { 7, USAGE_UNKNOWN, 0, USAGE_UNKNOWN };

	memset(f, 0, sizeof(*f));
	f->fs[0].name.mount = (char *)"/var/lib/docker";
	f->fs[0].name.device = (char *)"/dev/sda1";
	f->fs[0].measured = 1;
	f->fs[0].use.size = 1000;
	f->fs[0].use.used = 750;
	f->fs[0].use.avail = 250;
	f->fs[1].name.mount = (char *)"/srv/broken";
	f->fs[1].measured = 0;

	f->ctrs[0].name = (char *)"biz_waweb_1";
	f->ctrs[0].role = "web";
	f->ctrs[0].state = (char *)"running";
	memcpy(f->ctrs[0].bytes, web, sizeof(web));
	f->ctrs[1].name = (char *)"biz_db_1";
	f->ctrs[1].state = (char *)"exited";
	memcpy(f->ctrs[1].bytes, db, sizeof(db));
	f->ctrs[2].name = (char *)"we\"ird\\name";
	f->ctrs[2].role = "web";
	memcpy(f->ctrs[2].bytes, odd, sizeof(odd));

	f->vols[0].key = (char *)"volume:whatsappMedia";
	f->vols[0].bytes = 123456789;
	f->vols[1].key = (char *)"bind:/srv/media";
	f->vols[1].bytes = 0;

	f->u.at = 1700000300;
	f->u.fs = f->fs;
	f->u.n_fs = 2;
	f->u.containers = f->ctrs;
	f->u.n_containers = 3;
	f->u.volumes = f->vols;
	f->u.n_volumes = 2;
}

/* first and second both occur in text, first earlier. */
static void assert_before(const char *text, const char *first, const char *second)
{
	const char *a = strstr(text, first), *b = strstr(text, second);

	ck_assert_msg(a != NULL && b != NULL && a < b, "\"%s\" is not before \"%s\" in:\n%s", first, second, text);
}

/* Before any refresh the usage families have HELP and TYPE but no sample. */
START_TEST(usage_gauges_absent_before_a_refresh)
{
	struct metrics *m = metrics_new(1700000000);
	char *text = metrics_render(m);

	ck_assert_ptr_nonnull(strstr(text, "# TYPE rotd_container_bytes gauge\n"));
	ck_assert_ptr_nonnull(strstr(text, "# TYPE rotd_volume_bytes gauge\n"));
	ck_assert_ptr_nonnull(strstr(text, "# TYPE rotd_filesystem_used_ratio gauge\n"));
	ck_assert_ptr_nonnull(strstr(text, "# TYPE rotd_usage_refreshed_timestamp_seconds gauge\n"));
	ck_assert_ptr_null(strstr(text, "\nrotd_container_bytes{"));
	ck_assert_ptr_null(strstr(text, "\nrotd_volume_bytes{"));
	ck_assert_ptr_null(strstr(text, "\nrotd_filesystem_used_ratio{"));
	ck_assert_ptr_null(strstr(text, "\nrotd_usage_refreshed_timestamp_seconds "));
	free(text);
	metrics_free(m);
}
END_TEST

START_TEST(usage_gauges_show_the_last_refresh)
{
	struct metrics *m = metrics_new(1700000000);
	struct usage_fixture f;
	char *text;

	usage_fixture_init(&f);
	metrics_set_usage(m, &f.u);
	text = metrics_render(m);
	assert_has(text, "rotd_container_bytes{container=\"biz_waweb_1\",role=\"web\",kind=\"live_logs\"} 1000");
	assert_has(text, "rotd_container_bytes{container=\"biz_waweb_1\",role=\"web\",kind=\"archives\"} 2000");
	assert_has(text, "rotd_container_bytes{container=\"biz_waweb_1\",role=\"web\",kind=\"engine_log\"} 300");
	assert_has(text, "rotd_container_bytes{container=\"biz_waweb_1\",role=\"web\",kind=\"writable_layer\"} 40");
	/* without a role: "none", as rotd_containers says; unknown figures left out, not 0 */
	assert_has(text, "rotd_container_bytes{container=\"biz_db_1\",role=\"none\",kind=\"engine_log\"} 5000");
	assert_has(text,
		   "rotd_container_bytes{container=\"biz_db_1\",role=\"none\",kind=\"writable_layer\"} 52428800");
	ck_assert_ptr_null(strstr(text, "container=\"biz_db_1\",role=\"none\",kind=\"live_logs\""));
	ck_assert_ptr_null(strstr(text, "container=\"biz_db_1\",role=\"none\",kind=\"archives\""));
	/* a measured 0 is shown */
	assert_has(text, "rotd_container_bytes{container=\"we\\\"ird\\\\name\",role=\"web\","
			 "kind=\"engine_log\"} 0");
	assert_has(text, "rotd_container_bytes{container=\"we\\\"ird\\\\name\",role=\"web\","
			 "kind=\"live_logs\"} 7");
	ck_assert_ptr_null(strstr(text, "name\",role=\"web\",kind=\"archives\""));
	assert_has(text, "rotd_volume_bytes{volume=\"volume:whatsappMedia\"} 123456789");
	assert_has(text, "rotd_volume_bytes{volume=\"bind:/srv/media\"} 0");
	assert_has(text, "rotd_filesystem_used_ratio{mount=\"/var/lib/docker\"} 0.750000");
	ck_assert_ptr_null(strstr(text, "/srv/broken"));
	assert_has(text, "rotd_usage_refreshed_timestamp_seconds 1700000300");
	/* sorted by labels: biz_db_1 before biz_waweb_1, archives before engine_log */
	assert_before(text, "container=\"biz_db_1\"", "container=\"biz_waweb_1\"");
	assert_before(text, "biz_waweb_1\",role=\"web\",kind=\"archives\"",
		      "biz_waweb_1\",role=\"web\",kind=\"engine_log\"");
	assert_promtool_ok(text);
	free(text);
	metrics_free(m);
}
END_TEST

/* Each refresh replaces the last whole: a container that is gone has no stale
 * series left, and a figure that became unknown is left out. */
START_TEST(usage_gauges_leave_no_stale_series)
{
	struct metrics *m = metrics_new(1700000000);
	struct usage_fixture f;
	char *text;

	usage_fixture_init(&f);
	metrics_set_usage(m, &f.u);
	f.u.n_containers = 1;          /* biz_db_1 and the odd one are gone */
	f.u.n_volumes = 1;
	f.ctrs[0].bytes[USAGE_ARCHIVES] = USAGE_UNKNOWN;
	f.ctrs[0].bytes[USAGE_LIVE_LOGS] = 999;
	f.fs[0].use.used = 500;
	f.fs[0].use.avail = 500;
	f.u.at = 1700000900;
	metrics_set_usage(m, &f.u);
	text = metrics_render(m);
	ck_assert_ptr_null(strstr(text, "biz_db_1"));
	ck_assert_ptr_null(strstr(text, "ird"));
	ck_assert_ptr_null(strstr(text, "bind:/srv/media"));
	ck_assert_ptr_null(strstr(text, "kind=\"archives\""));
	assert_has(text, "rotd_container_bytes{container=\"biz_waweb_1\",role=\"web\",kind=\"live_logs\"} 999");
	assert_has(text, "rotd_filesystem_used_ratio{mount=\"/var/lib/docker\"} 0.500000");
	assert_has(text, "rotd_usage_refreshed_timestamp_seconds 1700000900");
	free(text);

	/* an empty refresh: no series at all, but it did measure */
	memset(&f.u, 0, sizeof(f.u));
	f.u.at = 1700001500;
	metrics_set_usage(m, &f.u);
	text = metrics_render(m);
	ck_assert_ptr_null(strstr(text, "\nrotd_container_bytes{"));
	ck_assert_ptr_null(strstr(text, "\nrotd_filesystem_used_ratio{"));
	assert_has(text, "rotd_usage_refreshed_timestamp_seconds 1700001500");
	free(text);
	metrics_free(m);
}
END_TEST

/* The usage gauges carry the mode label like every other sample, and are not
 * kept across one-shot runs: they describe the refresh that measured them. */
START_TEST(usage_gauges_carry_the_mode_and_are_not_saved)
{
	struct metrics *m = metrics_new(1700000000), *again;
	struct usage_fixture f;
	json_t *saved;
	char *text;

	usage_fixture_init(&f);
	metrics_set_mode(m, "now");
	metrics_set_usage(m, &f.u);
	text = metrics_render(m);
	assert_has(text, "rotd_container_bytes{mode=\"now\",container=\"biz_waweb_1\",role=\"web\","
			 "kind=\"archives\"} 2000");
	assert_has(text, "rotd_volume_bytes{mode=\"now\",volume=\"volume:whatsappMedia\"} 123456789");
	assert_has(text, "rotd_usage_refreshed_timestamp_seconds{mode=\"now\"} 1700000300");
	assert_promtool_ok(text);
	free(text);
	saved = metrics_save(m);
	again = metrics_new(1700000500);
	metrics_restore(again, saved);
	json_decref(saved);
	text = metrics_render(again);
	ck_assert_ptr_null(strstr(text, "\nrotd_container_bytes{"));
	free(text);
	metrics_free(again);
	metrics_free(m);
}
END_TEST

struct usage_racer {
	struct metrics *m;
	struct usage *u;
};

static void *usage_race(void *arg)
{
	const struct usage_racer *r = arg;

	for (int i = 0; i < 200; i++) {
		r->u->n_containers = (size_t)(i % 4);
		metrics_set_usage(r->m, r->u);
	}
	return NULL;
}

/* The refresh thread swaps the gauges in while the loop renders: every render
 * shows one refresh whole (under helgrind or TSan this also shows the lock). */
START_TEST(usage_gauges_swap_while_rendering)
{
	struct metrics *m = metrics_new(1700000000);
	struct usage_fixture f;
	struct usage_racer r;
	pthread_t t;

	usage_fixture_init(&f);
	r.m = m;
	r.u = &f.u;
	ck_assert_int_eq(pthread_create(&t, NULL, usage_race, &r), 0);
	for (int i = 0; i < 200; i++) {
		char *text = metrics_render(m);
		const char *waweb = strstr(text, "container=\"biz_waweb_1\"");

		/* biz_waweb_1's four kinds come together or not at all */
		if (waweb != NULL)
			assert_has(text, "rotd_container_bytes{container=\"biz_waweb_1\",role=\"web\","
					 "kind=\"writable_layer\"} 40");
		free(text);
	}
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	metrics_free(m);
}
END_TEST

START_TEST(write_file_is_atomic)
{
	char dir[] = "/tmp/rotd-metrics.XXXXXX", *path, *err = NULL, buf[64];
	struct stat st;
	FILE *f;
	size_t n;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	path = xasprintf("%s/rotd.prom", dir);
	ck_assert_int_eq(metrics_write_file(path, "a 1\n", &err), 0);
	ck_assert_int_eq(metrics_write_file(path, "b 2\n", &err), 0);
	ck_assert_ptr_null(err);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0644);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	ck_assert_str_eq(buf, "b 2\n");
	ck_assert_uint_eq(unit_count_entries(dir), 1);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(rmdir(dir), 0);
	free(path);
}
END_TEST

START_TEST(write_file_missing_folder)
{
	char *err = NULL;
	struct stat st;

	ck_assert_int_eq(metrics_write_file("/nonexistent/rotd-metrics/rotd.prom", "a 1\n", &err), -1);
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(strstr(err, "/nonexistent/rotd-metrics/rotd.prom") != NULL, "%s", err);
	ck_assert_ptr_null(strchr(err, '\n'));
	ck_assert_int_ne(stat("/nonexistent/rotd-metrics", &st), 0);
	free(err);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc = tcase_create("metrics");

	tcase_add_test(tc, empty_metrics_have_every_family);
	tcase_add_test(tc, counters_accumulate_over_passes);
	tcase_add_test(tc, error_counts);
	tcase_add_test(tc, one_shot_totals_survive_and_carry_the_mode);
	tcase_add_test(tc, restore_ignores_what_has_the_wrong_shape);
	tcase_add_test(tc, now_path_sits_beside_the_daemons);
	tcase_add_test(tc, dry_run_is_ignored);
	tcase_add_test(tc, skipped_jobs_and_no_jobs);
	tcase_add_test(tc, labels_are_escaped_and_sorted);
	tcase_add_test(tc, filesystems_gauges_follow_the_last_check);
	tcase_add_test(tc, usage_gauges_absent_before_a_refresh);
	tcase_add_test(tc, usage_gauges_show_the_last_refresh);
	tcase_add_test(tc, usage_gauges_leave_no_stale_series);
	tcase_add_test(tc, usage_gauges_carry_the_mode_and_are_not_saved);
	tcase_add_test(tc, usage_gauges_swap_while_rendering);
	tcase_add_test(tc, write_file_is_atomic);
	tcase_add_test(tc, write_file_missing_folder);
	suite_add_tcase(s, tc);
	return s;
}
