/* The pass, jobs and emergency pass that the report's golden tests render
 * (check_report: text; check_report_json: JSON), built by hand as check_metrics
 * does, at a fixed time; and the comparison with tests/unit/golden/. */
#ifndef ROTD_TESTS_REPORT_FIXTURE_H
#define ROTD_TESTS_REPORT_FIXTURE_H

#include <stdint.h>

#include "jobs/jobs.h"
#include "lib/fsusage.h"
#include "rotate/pass.h"
#include "remedy/remedy.h"

#define REPORT_FIXTURE_NOW 1790000000   /* 2026-09-21 14:13:20 UTC: every pass runs then */

/* Zero it, then fill it with the functions below; the containers, their
 * policies and their files are static and shared. */
struct report_fixture {
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
	struct remedy_volume volumes[1];
	struct remedy_dropped dropped[7];
	struct remedy_consumer consumers[2];
};

/* A pass over five containers (a web, a core, a stopped one, one without a
 * role, one that failed inspection): a dry run met only the first four; a
 * real one also has outcomes, two of them failed, and a recovered rotation. */
void report_fixture_pass(struct report_fixture *f, int dry_run);

/* The off-peak jobs: cleanup.sh, the media of one volume over two rules, the
 * GC; a real run adds a failed cleanup, one skipped as done this window and a
 * corrupt state file. */
void report_fixture_jobs(struct report_fixture *f, int dry_run);

/* A manual emergency pass over two filesystems that reached low or not (a dry
 * run: estimates, and short); one that fell short also dropped 7 archives,
 * skipped cleanup.sh (backoff) and could not measure a folder. */
void report_fixture_remedy(struct report_fixture *f, int dry_run, int reached);

/* What takes the space, for an emergency pass that fell short. */
void report_fixture_consumers(struct report_fixture *f);

/* Frees what the functions above allocated in f. */
void report_fixture_free(struct report_fixture *f);

/* A filesystem of size bytes, pct used. */
struct fs_usage report_fixture_usage(uint64_t size, unsigned pct);

/* Compares text with tests/unit/golden/file (e.g. "dry-run.txt"); with
 * ROTD_UPDATE_GOLDEN=1 writes it there instead. On a difference, fails the
 * test with the first differing line and diff -u. */
void report_fixture_assert_golden(const char *file, const char *text);

#endif
