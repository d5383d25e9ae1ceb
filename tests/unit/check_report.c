/* The text report's layout, held by golden files: a dry run, a real pass (its
 * errors shown in full, and marked only where the log already holds them), a
 * remediation that reached low, one that fell short, and a remediation dry run
 * with estimates. Each pass, its jobs and its emergency pass are built by hand,
 * as check_metrics does (tests/unit/report_fixture.c), and rendered into
 * memory with report_print_text; the result must equal
 * tests/unit/golden/NAME.txt byte for byte.
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

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/exitcode.h"
#include "lib/xalloc.h"
#include "report/report.h"
#include "report_fixture.h"
#include "unit.h"

#define MiB (1024ULL * 1024)
#define GiB (1024ULL * MiB)
#define DAY 86400
#define NOW REPORT_FIXTURE_NOW

/* ---- rendering ------------------------------------------------------------- */

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

static void assert_golden(const char *name, const char *text)
{
	char *file = xasprintf("%s.txt", name);

	report_fixture_assert_golden(file, text);
	free(file);
}

/* ---- golden tests ---------------------------------------------------------- */

START_TEST(dry_run_layout)
{
	struct report_fixture f;
	char *text;

	memset(&f, 0, sizeof(f));
	report_fixture_pass(&f, 1);
	report_fixture_jobs(&f, 1);
	text = render_text(&f.pass, &f.jobs, NULL, EXIT_ROTD_PARTIAL, 0);
	assert_golden("dry-run", text);
	free(text);
	report_fixture_free(&f);
}
END_TEST

START_TEST(real_pass_layout)
{
	struct report_fixture f;
	char *text;

	memset(&f, 0, sizeof(f));
	report_fixture_pass(&f, 0);
	report_fixture_jobs(&f, 0);
	text = render_text(&f.pass, &f.jobs, NULL, EXIT_ROTD_PARTIAL, 0);
	assert_golden("real-pass", text);
	free(text);
	report_fixture_free(&f);
}
END_TEST

/* When stderr goes where the report goes, each message is already there once. */
START_TEST(real_pass_errors_logged_layout)
{
	struct report_fixture f;
	char *text;

	memset(&f, 0, sizeof(f));
	report_fixture_pass(&f, 0);
	report_fixture_jobs(&f, 0);
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
	report_fixture_free(&f);
}
END_TEST

/* A remediation that reached low, and one that fell short, with a pass that
 * rotated one log. */
START_TEST(remediation_layout)
{
	struct report_fixture f;
	char *text;

	memset(&f, 0, sizeof(f));
	report_fixture_pass(&f, 0);
	f.pass.n = 1;
	f.web_out[4] = (struct rotate_outcome){ .pruned = 1, .pruned_bytes = 4096 };
	report_fixture_remedy(&f, 0, 1);
	text = render_text(&f.pass, NULL, &f.remedy, EXIT_ROTD_OK, 0);
	assert_golden("remediation-reached", text);
	free(text);

	report_fixture_remedy(&f, 0, 0);
	report_fixture_consumers(&f);
	text = render_text(&f.pass, NULL, &f.remedy, EXIT_ROTD_SHORT, 0);
	assert_golden("remediation-short", text);
	free(text);
	report_fixture_free(&f);
}
END_TEST

START_TEST(remediation_dry_run_layout)
{
	struct report_fixture f;
	char *text;

	memset(&f, 0, sizeof(f));
	report_fixture_pass(&f, 1);
	f.pass.n = 1;
	report_fixture_remedy(&f, 1, 0);
	f.fs[0].after = report_fixture_usage(100 * GiB, 82);
	report_fixture_consumers(&f);
	text = render_text(&f.pass, NULL, &f.remedy, EXIT_ROTD_SHORT, 0);
	assert_golden("remediation-dry-run", text);
	free(text);
	report_fixture_free(&f);
}
END_TEST

/* ---- what the layout rests on ---------------------------------------------- */

/* The header's failures are those the exit code counts, whatever failed. */
START_TEST(failures_agree_with_the_exit_code)
{
	struct report_fixture f;
	struct report_failures n;
	char *text;

	memset(&f, 0, sizeof(f));
	report_fixture_pass(&f, 0);
	report_fixture_jobs(&f, 0);
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
	report_fixture_free(&f);
}
END_TEST

START_TEST(singular_and_plural)
{
	struct report_fixture f;
	char *text;

	memset(&f, 0, sizeof(f));
	report_fixture_pass(&f, 0);
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
	report_fixture_free(&f);
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
	struct report_fixture f;
	json_t *root;

	memset(&f, 0, sizeof(f));
	report_fixture_pass(&f, 1);
	report_fixture_jobs(&f, 1);
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
	report_fixture_free(&f);
}
END_TEST

START_TEST(remediation_json_has_notes)
{
	struct report_fixture f;
	json_t *root;

	memset(&f, 0, sizeof(f));
	report_fixture_remedy(&f, 1, 0);
	root = report_remedy_json(&f.remedy);
	ck_assert_str_eq(json_string_value(at(root, "steps.1.note")),
			 "cannot be estimated: it runs the image's own script");
	ck_assert(json_is_null(at(root, "steps.3.note")));
	json_decref(root);
	report_fixture_free(&f);
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
