/* The JSON documents rotd prints or writes, held by golden files as the text
 * report is (check_report): report_json() of a dry run, a real pass and a pass
 * with errors; report_remedy_json() of an emergency pass that reached low, one
 * that fell short and a dry run; `rotd --json` of a whole cycle (cycle_print);
 * the status file (status_to_json) of a busy daemon and of one just started;
 * and `rotd status --json` (status_show). The pass, jobs and emergency pass
 * are check_report's (report_fixture.c), at a fixed time.
 *
 * Each document is compared pretty-printed with sorted keys, as `rotd --json`
 * prints it, with tests/unit/golden/NAME.json byte for byte; `rotd status
 * --json` is compared exactly as it prints it (the status file's key order,
 * "running" added last). After a deliberate change, rewrite them and review
 * the diff:
 *
 *     ROTD_UPDATE_GOLDEN=1 make check TESTS=tests/unit/check_report_json
 *     git diff tests/unit/golden/
 */
#include "autoconf.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cycle.h"
#include "lib/exitcode.h"
#include "lib/progress.h"
#include "lib/xalloc.h"
#include "report/report.h"
#include "report/status.h"
#include "report_fixture.h"
#include "unit.h"

#define MiB (1024ULL * 1024)
#define DAY 86400
#define NOW REPORT_FIXTURE_NOW

/* Compares j, pretty-printed with sorted keys, with golden/name.json; takes j. */
static void assert_json_golden(const char *name, json_t *j)
{
	char *text, *file = xasprintf("%s.json", name), *doc;

	ck_assert_ptr_nonnull(j);
	text = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
	ck_assert_ptr_nonnull(text);
	doc = xasprintf("%s\n", text);
	report_fixture_assert_golden(file, doc);
	free(doc);
	free(text);
	free(file);
	json_decref(j);
}

/* ---- report_json ----------------------------------------------------------- */

START_TEST(dry_run_json)
{
	struct report_fixture f;

	memset(&f, 0, sizeof(f));
	report_fixture_pass(&f, 1);
	report_fixture_jobs(&f, 1);
	assert_json_golden("dry-run", report_json(&f.pass, &f.jobs));
	report_fixture_free(&f);
}
END_TEST

START_TEST(real_pass_json)
{
	struct report_fixture f;

	memset(&f, 0, sizeof(f));
	report_fixture_pass(&f, 0);
	report_fixture_jobs(&f, 0);
	assert_json_golden("real-pass", report_json(&f.pass, &f.jobs));
	report_fixture_free(&f);
}
END_TEST

/* Every kind of error a pass and its jobs can report, each in its place. */
START_TEST(real_pass_errors_json)
{
	struct report_fixture f;
	char *ctr_errors[] = { (char *)"archive folder /var/log/whatsapp/archive: Permission denied" };

	memset(&f, 0, sizeof(f));
	report_fixture_pass(&f, 0);
	report_fixture_jobs(&f, 0);
	f.jobs.gc_error = (char *)"gc: login to https://wa.example:9090 failed: 401 Unauthorized";
	f.jobs.state_error = (char *)"cannot save the state file /var/lib/rotd/state.json: Read-only file system";
	f.tasks[2] = (struct cleanup_task){ .container = "biz_wacore_3", .present = 1, .ran = 1, .exit_code = -1,
					    .timed_out = 1, .error = (char *)"timed out after 600 s", .ms = 600000 };
	f.task_skip[2] = JOB_RUN;
	f.pcs[0].errors.v = ctr_errors;
	f.pcs[0].errors.n = 1;
	f.pcs[1].scan.errors.n = 1;
	strlist_add(&f.media[0].result.errors, "/usr/local/wamedia/incoming/locked: Permission denied");
	strlist_add(&f.media[0].result.errors, "/usr/local/wamedia/outgoing/2026/07/0001.jpg: cannot remove it: "
			 "Read-only file system");
	f.media[0].result.n_errors = 2;
	assert_json_golden("real-pass-errors", report_json(&f.pass, &f.jobs));
	f.pcs[0].errors.n = 0;
	f.pcs[0].errors.v = NULL;
	report_fixture_free(&f);
}
END_TEST

/* ---- report_remedy_json ---------------------------------------------------- */

START_TEST(remediation_json)
{
	struct report_fixture f;

	memset(&f, 0, sizeof(f));
	report_fixture_remedy(&f, 0, 1);
	assert_json_golden("remediation-reached", report_remedy_json(&f.remedy));

	report_fixture_remedy(&f, 0, 0);
	report_fixture_consumers(&f);
	assert_json_golden("remediation-short", report_remedy_json(&f.remedy));
	report_fixture_free(&f);
}
END_TEST

START_TEST(remediation_dry_run_json)
{
	struct report_fixture f;

	memset(&f, 0, sizeof(f));
	report_fixture_remedy(&f, 1, 0);
	f.fs[0].after = report_fixture_usage(100ULL * 1024 * MiB, 82);
	report_fixture_consumers(&f);
	assert_json_golden("remediation-dry-run", report_remedy_json(&f.remedy));
	report_fixture_free(&f);
}
END_TEST

/* ---- a whole cycle: rotd --json ------------------------------------------- */

/* A cycle as cycle_run leaves it: the real pass, its jobs, and a manual
 * emergency pass that fell short (exit 5). It borrows f's parts: free f with
 * report_fixture_free, never c with cycle_free. */
static void make_cycle(struct cycle *c, struct report_fixture *f)
{
	memset(f, 0, sizeof(*f));
	report_fixture_pass(f, 0);
	report_fixture_jobs(f, 0);
	report_fixture_remedy(f, 0, 0);
	report_fixture_consumers(f);
	/* pass_run opened the two running containers (the summary counts them);
	 * only compared with NULL. */
	f->pcs[0].fs = (struct ctrfs *)f;
	f->pcs[1].fs = (struct ctrfs *)f;
	memset(c, 0, sizeof(*c));
	c->started = NOW;
	c->seconds = 12.5;
	c->pass = f->pass;
	c->ran_jobs = 1;
	c->jobs = f->jobs;
	c->ran_remedy = 1;
	c->remedy = f->remedy;
	c->exit_code = EXIT_ROTD_SHORT;
}

START_TEST(cycle_json)
{
	struct report_fixture f;
	struct cycle c;
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(out);
	make_cycle(&c, &f);
	cycle_print(out, &c, 1);
	ck_assert_int_eq(fclose(out), 0);
	report_fixture_assert_golden("cycle.json", text);
	free(text);
	report_fixture_free(&f);
}
END_TEST

/* The emergency pass is in the report when one was asked for, or needed. */
START_TEST(cycle_json_remediation_when_shown)
{
	struct report_fixture f;
	struct cycle c;
	json_t *j;

	make_cycle(&c, &f);
	c.remedy.needed = 0;
	c.remedy.reached_low = 1;
	c.exit_code = EXIT_ROTD_PARTIAL;
	j = cycle_report_json(&c);
	ck_assert_ptr_nonnull(json_object_get(j, "remediation"));   /* --remediate */
	ck_assert_int_eq(json_integer_value(json_object_get(j, "exit_code")), EXIT_ROTD_PARTIAL);
	json_decref(j);
	c.remedy.trigger = REMEDY_WATERMARK;   /* the daemon's check found nothing above high */
	j = cycle_report_json(&c);
	ck_assert_ptr_null(json_object_get(j, "remediation"));
	json_decref(j);
	c.ran_jobs = 0;
	j = cycle_report_json(&c);
	ck_assert_ptr_null(json_object_get(j, "jobs"));
	json_decref(j);
	report_fixture_free(&f);
}
END_TEST

/* ---- the status file and rotd status --json --------------------------------- */

static struct progress_entry in_progress[] = {
	{ (char *)"rotating", (char *)"biz_wacore_1", (char *)"/usr/local/waent/logs/wa-service-3c4d.log", 6 * MiB,
	  16 * MiB, 2.0 },
	{ (char *)"cleanup.sh", (char *)"biz_waweb_1", NULL, 0, 0, 0.25 },
};
static const struct progress_snapshot progress = { in_progress, 2 };
static const struct status_fs above_low[] = { { "/var/lib/docker (/dev/sda1)", 88 } };

/* The daemon in a pass, right after the cycle of make_cycle, with everything
 * the file can hold: work in progress, a refused reload, the last remediation. */
static struct status_snapshot busy_snapshot(struct inventory *inv, struct status_remediation *rem,
					    const struct cycle *c, json_t *report, char *summary)
{
	struct status_snapshot s = {
		.pid = 4711,
		.version = "1.0.0",
		.started = NOW - 2 * DAY,
		.updated = NOW + 40,
		.config_path = "/etc/rotd/rotd.conf",
		.activity = "pass",
		.activity_detail = "biz_wacore_1",
		.activity_since = NOW + 38,
		.engine_connected = 1,
		.api_version = "1.44",
		.inv = inv,
		.next_check = NOW + 300,
		.last_pass_started = c->started,
		.last_pass_seconds = c->seconds,
		.last_pass_exit = c->exit_code,
		.last_pass_summary = summary,
		.last_report = report,
		.progress = &progress,
		.config_read = NOW - DAY,
		.reload_refused = NOW + 30,
		.reload_error = "/etc/rotd/rotd.conf:14: interval: '3 parsecs' is not a duration",
		.reload_errors = 3,
		.last_remediation = rem,
	};

	*rem = (struct status_remediation){ .started = c->started, .trigger = "manual",
					    .freed = remedy_freed(&c->remedy), .reached_low = 0, .low_pct = 80,
					    .above = above_low, .n_above = 1 };
	return s;
}

/* The inventory the daemon holds: the pass's containers. */
static void inventory_of(const struct pass *p, struct container *v, struct inventory *inv)
{
	for (size_t i = 0; i < p->n; i++)
		v[i] = *p->v[i].ctr;
	inv->v = v;
	inv->n = p->n;
}

START_TEST(status_json)
{
	struct report_fixture f;
	struct cycle c;
	struct container ctrs[5];
	struct inventory inv;
	struct status_remediation rem;
	struct status_snapshot s;
	json_t *report;
	char *summary;

	make_cycle(&c, &f);
	inventory_of(&c.pass, ctrs, &inv);
	report = cycle_report_json(&c);
	summary = cycle_summary(&c);
	s = busy_snapshot(&inv, &rem, &c, report, summary);
	assert_json_golden("status", status_to_json(&s));
	json_decref(report);
	free(summary);
	report_fixture_free(&f);
}
END_TEST

START_TEST(status_starting_json)
{
	struct status_snapshot s = {
		.pid = 4711,
		.version = "1.0.0",
		.started = NOW,
		.updated = NOW,
		.config_path = "/etc/rotd/rotd.conf",
		.activity = "starting",
		.activity_since = NOW,
		.engine_error = "cannot connect to /run/docker.sock: No such file or directory",
		.config_read = NOW,
	};

	assert_json_golden("status-starting", status_to_json(&s));
}
END_TEST

/* What `rotd status --json` prints of the file the busy daemon wrote; pid 1 is
 * always alive (or not ours: EPERM), so it is running. */
START_TEST(status_show_json)
{
	struct report_fixture f;
	struct cycle c;
	struct container ctrs[5];
	struct inventory inv;
	struct status_remediation rem;
	struct status_snapshot s;
	json_t *report;
	char *summary, *err = NULL, *text = NULL, *path;
	size_t len = 0;
	FILE *out;

	make_cycle(&c, &f);
	inventory_of(&c.pass, ctrs, &inv);
	report = cycle_report_json(&c);
	summary = cycle_summary(&c);
	s = busy_snapshot(&inv, &rem, &c, report, summary);
	s.pid = 1;
	path = xstrdup(unit_write_temp("status.json", ""));
	ck_assert_msg(status_write(path, &s, &err) == 0, "%s", err != NULL ? err : "?");
	out = open_memstream(&text, &len);
	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(status_show(path, out, 1, NOW + 45), 0);
	ck_assert_int_eq(fclose(out), 0);
	report_fixture_assert_golden("status-show.json", text);
	unlink(path);
	free(path);
	free(text);
	json_decref(report);
	free(summary);
	report_fixture_free(&f);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("report_json");
	TCase *golden = tcase_create("golden");
	TCase *rules = tcase_create("rules");

	tcase_add_test(golden, dry_run_json);
	tcase_add_test(golden, real_pass_json);
	tcase_add_test(golden, real_pass_errors_json);
	tcase_add_test(golden, remediation_json);
	tcase_add_test(golden, remediation_dry_run_json);
	tcase_add_test(golden, cycle_json);
	tcase_add_test(golden, status_json);
	tcase_add_test(golden, status_starting_json);
	tcase_add_test(golden, status_show_json);
	suite_add_tcase(s, golden);
	tcase_add_test(rules, cycle_json_remediation_when_shown);
	suite_add_tcase(s, rules);
	return s;
}
