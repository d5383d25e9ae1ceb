/* The daemon's status file and `rotd status`. */
#include "autoconf.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "report/status.h"
#include "unit.h"

#define NOW ((time_t)1795341723) /* 2026-11-22T10:02:03Z */

static char web_name[] = "web", core_name[] = "coreapp";
static struct role_policy web = { .name = web_name };
static struct role_policy core = { .name = core_name };

static char name1[] = "biz_waweb_1", name2[] = "biz_coreapp_1", name3[] = "biz_db_1",
	    name4[] = "evil\n\x1b[31m\\x", name5[] = "bad\xff";
static char id1[] = "aaaa", id2[] = "bbbb", id3[] = "cccc", id4[] = "dddd", id5[] = "eeee";
static char img_web[] = "docker.whatsapp.biz/web:v2.53.1", img_core[] = "docker.whatsapp.biz/coreapp:v2.53.1",
	    img_db[] = "mysql:5.7";
static char stopped[] = "exited (1) at 09:00", no_role[] = "no role matched";

static struct container ctrs[] = {
	{ .id = id1, .name = name1, .image = img_web, .role = &web, .state = CTR_RUNNING, .pid = 4242 },
	{ .id = id2, .name = name2, .image = img_core, .role = &core, .state = CTR_STOPPED, .detail = stopped },
	{ .id = id3, .name = name3, .image = img_db, .state = CTR_IGNORED, .detail = no_role },
	{ .id = id4, .name = name4, .image = img_web, .role = &web, .state = CTR_RUNNING, .pid = 4343 },
	{ .id = id5, .name = name5, .image = img_web, .role = &web, .state = CTR_RUNNING, .pid = 4444 },
};
static struct inventory inv = { ctrs, sizeof(ctrs) / sizeof(ctrs[0]) };

static struct status_snapshot snapshot(pid_t pid)
{
	struct status_snapshot s = {
		.pid = pid,
		.version = "0.1",
		.started = NOW - 2 * 3600 - 3 * 60 - 2,
		.updated = NOW,
		.config_path = "/etc/rotd/rotd.conf",
		.activity = "pass",
		.activity_detail = "biz_waweb_1",
		.activity_since = NOW,
		.engine_connected = 1,
		.api_version = "1.47",
		.inv = &inv,
		.next_check = NOW + 42,
		.last_pass_started = NOW - 63,
		.last_pass_seconds = 1.25,
		.last_pass_exit = 0,
		.last_pass_summary = "2 rotated, 0 errors",
	};

	return s;
}

/* A fresh temp dir; returns its path (static buffer). */
static const char *temp_dir(void)
{
	static char dir[64];

	snprintf(dir, sizeof(dir), "/tmp/rotd-status.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	return dir;
}

/* Writes s under a new folder; returns the file's path (new string). */
static char *write_snapshot(const struct status_snapshot *s)
{
	char *path = NULL, *err = NULL;

	ck_assert_int_ne(asprintf(&path, "%s/run/status.json", temp_dir()), -1);
	ck_assert_msg(status_write(path, s, &err) == 0, "%s", err ? err : "?");
	return path;
}

static void remove_snapshot(char *path)
{
	unlink(path);
	for (int i = 0; i < 2; i++) {
		*strrchr(path, '/') = '\0';
		rmdir(path);
	}
	free(path);
}

/* Runs status_show and returns what it printed (new string). */
static char *show(const char *path, int json, int *rc)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(out);
	*rc = status_show(path, out, json, NOW);
	ck_assert_int_eq(fclose(out), 0);
	return text;
}

static pid_t dead_pid(void)
{
	int wstatus;
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(0);
	ck_assert_int_eq(waitpid(pid, &wstatus, 0), pid);
	return pid;
}

START_TEST(json_fields)
{
	struct status_snapshot s = snapshot(1234);
	json_t *report = json_pack("{s:i}", "rotated", 2);
	json_t *j, *c, *lp;

	s.last_report = report;
	j = status_to_json(&s);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "pid")), 1234);
	ck_assert_str_eq(json_string_value(json_object_get(j, "version")), "0.1");
	ck_assert_int_eq(json_integer_value(json_object_get(j, "started")), s.started);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "updated")), NOW);
	ck_assert_str_eq(json_string_value(json_object_get(j, "config")), "/etc/rotd/rotd.conf");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "activity"), "what")), "pass");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "activity"), "detail")),
			 "biz_waweb_1");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(j, "activity"), "since")), NOW);
	ck_assert(json_is_true(json_object_get(json_object_get(j, "engine"), "connected")));
	ck_assert(json_is_null(json_object_get(json_object_get(j, "engine"), "error")));
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "engine"), "api_version")), "1.47");
	ck_assert_int_eq(json_integer_value(json_object_get(j, "next_check")), NOW + 42);

	ck_assert_uint_eq(json_array_size(json_object_get(j, "containers")), 5);
	c = json_array_get(json_object_get(j, "containers"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(c, "name")), "biz_waweb_1");
	ck_assert_str_eq(json_string_value(json_object_get(c, "id")), "aaaa");
	ck_assert_str_eq(json_string_value(json_object_get(c, "role")), "web");
	ck_assert_str_eq(json_string_value(json_object_get(c, "state")), "running");
	ck_assert_int_eq(json_integer_value(json_object_get(c, "pid")), 4242);
	c = json_array_get(json_object_get(j, "containers"), 2);
	ck_assert(json_is_null(json_object_get(c, "role")));
	ck_assert_str_eq(json_string_value(json_object_get(c, "state")), "ignored");
	ck_assert_int_eq(json_integer_value(json_object_get(c, "pid")), 0);
	/* Not valid UTF-8: kept, escaped. */
	c = json_array_get(json_object_get(j, "containers"), 4);
	ck_assert_str_eq(json_string_value(json_object_get(c, "name")), "bad\\xff");

	lp = json_object_get(j, "last_pass");
	ck_assert_int_eq(json_integer_value(json_object_get(lp, "started")), NOW - 63);
	ck_assert(json_real_value(json_object_get(lp, "seconds")) == 1.25);
	ck_assert_int_eq(json_integer_value(json_object_get(lp, "exit_code")), 0);
	ck_assert_str_eq(json_string_value(json_object_get(lp, "summary")), "2 rotated, 0 errors");
	ck_assert_ptr_eq(json_object_get(lp, "report"), report);
	json_decref(j);
	/* The report was borrowed, not taken. */
	ck_assert_int_eq(json_integer_value(json_object_get(report, "rotated")), 2);
	json_decref(report);

	s = snapshot(1234);
	s.last_pass_started = 0;
	s.inv = NULL;
	s.engine_connected = 0;
	s.engine_error = "cannot connect to /run/docker.sock";
	s.api_version = NULL;
	j = status_to_json(&s);
	ck_assert(json_is_null(json_object_get(j, "last_pass")));
	ck_assert_uint_eq(json_array_size(json_object_get(j, "containers")), 0);
	ck_assert(json_is_false(json_object_get(json_object_get(j, "engine"), "connected")));
	ck_assert(json_is_null(json_object_get(json_object_get(j, "engine"), "api_version")));
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "engine"), "error")),
			 "cannot connect to /run/docker.sock");
	json_decref(j);
}
END_TEST

#define MiB (UINT64_C(1) << 20)

static struct progress_entry in_progress[] = {
	{ (char *)"rotating", (char *)"biz_wacore1_1", (char *)"/usr/local/waent/logs/wa.log", 412 * MiB, 894 * MiB,
	  10.0 },
	{ (char *)"archiving", (char *)"evil\x1b[2J", (char *)"/var/log/whatsapp/old\n.log", 3 * MiB + MiB / 2,
	  9 * MiB, 1.0 },
	{ (char *)"cleanup.sh", (char *)"biz_waweb_1", NULL, 0, 0, 0.2 },
};
static const struct progress_snapshot progress = { in_progress, 3 };
static const struct status_fs above[] = { { "/var/lib/docker (/dev/sdb1)", 91 }, { "/ (/dev/sda1)", 85 } };

/* A snapshot with work in progress, a refused reload and a remediation that fell short. */
static struct status_snapshot busy_snapshot(pid_t pid, struct status_remediation *rem)
{
	struct status_snapshot s = snapshot(pid);

	memset(rem, 0, sizeof(*rem));
	rem->started = NOW - 600;
	rem->trigger = "alert";
	rem->reason = "alert HighDiskUsage for host:/";
	rem->freed = 310 * (int64_t)MiB;
	rem->reached_low = 0;
	rem->low_pct = 80;
	rem->above = above;
	rem->n_above = 2;
	s.progress = &progress;
	s.config_read = NOW - 2 * 3600;
	s.reload_refused = NOW - 50 * 60;
	s.reload_error = "/etc/rotd/rotd.conf:14: interval: '3 parsecs' is not a duration";
	s.reload_errors = 3;
	s.last_remediation = rem;
	return s;
}

START_TEST(json_new_fields)
{
	struct status_remediation rem;
	struct status_snapshot s = snapshot(1234);
	json_t *j, *p, *o;

	/* None of them yet: stable empty values. */
	j = status_to_json(&s);
	ck_assert_uint_eq(json_array_size(json_object_get(j, "progress")), 0);
	ck_assert(json_is_array(json_object_get(j, "progress")));
	ck_assert_int_eq(json_integer_value(json_object_get(j, "config_read")), 0);
	ck_assert(json_is_null(json_object_get(j, "reload")));
	ck_assert(json_is_null(json_object_get(j, "last_remediation")));
	json_decref(j);

	s = busy_snapshot(1234, &rem);
	j = status_to_json(&s);
	/* The fields that were there stay as they were. */
	ck_assert_str_eq(json_string_value(json_object_get(j, "config")), "/etc/rotd/rotd.conf");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "activity"), "what")), "pass");
	ck_assert_int_eq(json_integer_value(json_object_get(j, "config_read")), NOW - 2 * 3600);

	ck_assert_uint_eq(json_array_size(json_object_get(j, "progress")), 3);
	p = json_array_get(json_object_get(j, "progress"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(p, "step")), "rotating");
	ck_assert_str_eq(json_string_value(json_object_get(p, "container")), "biz_wacore1_1");
	ck_assert_str_eq(json_string_value(json_object_get(p, "path")), "/usr/local/waent/logs/wa.log");
	ck_assert_int_eq(json_integer_value(json_object_get(p, "done_bytes")), 412 * MiB);
	ck_assert_int_eq(json_integer_value(json_object_get(p, "total_bytes")), 894 * MiB);
	ck_assert(json_real_value(json_object_get(p, "seconds")) == 10.0);
	ck_assert(json_real_value(json_object_get(p, "bytes_per_second")) == 41.2 * MiB);
	p = json_array_get(json_object_get(j, "progress"), 2);
	ck_assert(json_is_null(json_object_get(p, "path")));
	ck_assert_int_eq(json_integer_value(json_object_get(p, "total_bytes")), 0);
	ck_assert(json_real_value(json_object_get(p, "bytes_per_second")) == 0.0);

	o = json_object_get(j, "reload");
	ck_assert_int_eq(json_integer_value(json_object_get(o, "refused_at")), NOW - 50 * 60);
	ck_assert_str_eq(json_string_value(json_object_get(o, "error")),
			 "/etc/rotd/rotd.conf:14: interval: '3 parsecs' is not a duration");
	ck_assert_int_eq(json_integer_value(json_object_get(o, "errors")), 3);

	o = json_object_get(j, "last_remediation");
	ck_assert_int_eq(json_integer_value(json_object_get(o, "started")), NOW - 600);
	ck_assert_str_eq(json_string_value(json_object_get(o, "trigger")), "alert");
	ck_assert_str_eq(json_string_value(json_object_get(o, "reason")), "alert HighDiskUsage for host:/");
	ck_assert_int_eq(json_integer_value(json_object_get(o, "freed_bytes")), 310 * MiB);
	ck_assert(json_is_false(json_object_get(o, "reached_low")));
	ck_assert_int_eq(json_integer_value(json_object_get(o, "low_percent")), 80);
	ck_assert_uint_eq(json_array_size(json_object_get(o, "above_low")), 2);
	p = json_array_get(json_object_get(o, "above_low"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(p, "filesystem")), "/var/lib/docker (/dev/sdb1)");
	ck_assert_int_eq(json_integer_value(json_object_get(p, "used_percent")), 91);
	json_decref(j);
}
END_TEST

START_TEST(show_progress_reload_and_remediation)
{
	struct status_remediation rem;
	struct status_snapshot s = busy_snapshot(getpid(), &rem);
	char *path = write_snapshot(&s), *text;
	int rc;

	text = show(path, 0, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_msg(strstr(text, "  now:        pass since 10:02:03 UTC (biz_waweb_1)\n"
				   "  progress:   rotating biz_wacore1_1:/usr/local/waent/logs/wa.log: 412 of 894 MiB, "
				   "41.2 MiB/s, 12s left\n"
				   "              archiving evil\\x1b[2J:/var/log/whatsapp/old\\x0a.log: 3.5 of 9.0 MiB, "
				   "3.5 MiB/s, 2s left\n"
				   "              cleanup.sh biz_waweb_1\n"
				   "  engine:     connected, API 1.47\n") != NULL,
		      "%s", text);
	ck_assert_msg(strstr(text, "  config:     /etc/rotd/rotd.conf (read at 08:02:03 UTC)\n"
				   "  reload:     refused at 09:12:03 UTC: /etc/rotd/rotd.conf:14: interval: '3 parsecs' is "
				   "not a duration; still running with the config read at 08:02:03 UTC (and 2 more errors; "
				   "rotd --check-config lists them)\n") != NULL,
		      "%s", text);
	ck_assert_msg(strstr(text, "  remediated: 09:52:03 UTC (alert HighDiskUsage for host:/): freed 310.0 MiB; still "
				   "above 80%: /var/lib/docker (/dev/sdb1) 91%, / (/dev/sda1) 85%\n") != NULL,
		      "%s", text);
	ck_assert_ptr_null(strchr(text, '\x1b'));
	free(text);

	/* A watermark pass that reached low, one reload error, nothing in progress. */
	rem.reason = NULL;
	rem.trigger = "watermark";
	rem.reached_low = 1;
	rem.n_above = 0;
	s.reload_errors = 1;
	s.progress = NULL;
	s.activity = "idle";
	s.activity_detail = NULL;
	remove_snapshot(path);
	path = write_snapshot(&s);
	text = show(path, 0, &rc);
	ck_assert_msg(strstr(text, "  remediated: 09:52:03 UTC (watermark): freed 310.0 MiB; every filesystem is under "
				   "80%\n") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "still running with the config read at 08:02:03 UTC\n") != NULL, "%s", text);
	ck_assert_ptr_null(strstr(text, "progress:"));
	free(text);

	/* No refused reload, no remediation: no such lines. */
	s.reload_refused = 0;
	s.last_remediation = NULL;
	remove_snapshot(path);
	path = write_snapshot(&s);
	text = show(path, 0, &rc);
	ck_assert_ptr_null(strstr(text, "reload:"));
	ck_assert_ptr_null(strstr(text, "remediated:"));
	free(text);

	/* --json carries them, with "running" added. */
	s.last_remediation = &rem;
	remove_snapshot(path);
	path = write_snapshot(&s);
	text = show(path, 1, &rc);
	{
		json_error_t jerr;
		json_t *j = json_loads(text, 0, &jerr);

		ck_assert_msg(j != NULL, "%s", jerr.text);
		ck_assert(json_is_true(json_object_get(j, "running")));
		ck_assert(json_is_true(json_object_get(json_object_get(j, "last_remediation"), "reached_low")));
		ck_assert(json_is_null(json_object_get(j, "reload")));
		json_decref(j);
	}
	free(text);
	remove_snapshot(path);
}
END_TEST

START_TEST(write_creates_folder_and_reads_back)
{
	struct status_snapshot s = snapshot(1234);
	char *path = write_snapshot(&s), *dir = strdup(path), *err = NULL;
	json_error_t jerr;
	struct stat st;
	json_t *j, *c;

	*strrchr(dir, '/') = '\0';
	ck_assert_int_eq(stat(dir, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0755);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0644);
	ck_assert_uint_eq(unit_count_entries(dir), 1);

	j = json_load_file(path, 0, &jerr);
	ck_assert_ptr_nonnull(j);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "pid")), 1234);
	c = json_array_get(json_object_get(j, "containers"), 0);
	ck_assert_ptr_nonnull(json_string_value(json_object_get(c, "name")));
	ck_assert_str_eq(json_string_value(json_object_get(c, "name")), "biz_waweb_1");
	json_decref(j);

	/* Replacing leaves no temp file either. */
	s.activity = "idle";
	ck_assert_int_eq(status_write(path, &s, &err), 0);
	ck_assert_uint_eq(unit_count_entries(dir), 1);
	j = json_load_file(path, 0, &jerr);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "activity"), "what")), "idle");
	json_decref(j);

	free(dir);
	remove_snapshot(path);
}
END_TEST

START_TEST(write_failure_names_the_path)
{
	struct status_snapshot s = snapshot(1234);
	char *err = NULL;

	ck_assert_int_eq(status_write("/nonexistent/rotd/deeper/status.json", &s, &err), -1);
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(strstr(err, "/nonexistent/rotd/deeper") != NULL, "%s", err);
	free(err);
}
END_TEST

START_TEST(show_running)
{
	struct status_snapshot s = snapshot(getpid());
	char *path = write_snapshot(&s), *text;
	int rc;

	text = show(path, 0, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_msg(strstr(text, "rotd 0.1 daemon (pid ") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "running since 2026-11-22 07:59:01 UTC (up 2h 3m)") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "pass since 10:02:03 UTC (biz_waweb_1)") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "connected, API 1.47") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "/etc/rotd/rotd.conf") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "containers: 5 (3 running with a role, 1 without a role)") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "biz_waweb_1") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "pid 4242") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "biz_coreapp_1") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "exited (1) at 09:00") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "biz_db_1") == NULL, "ignored container listed:\n%s", text);
	ck_assert_msg(strstr(text, "last pass:  10:01:00 UTC, 1.2 s, exit 0: 2 rotated, 0 errors") != NULL, "%s",
		      text);
	free(text);

	/* Idle and disconnected. */
	s.activity = "idle";
	s.activity_detail = NULL;
	s.engine_connected = 0;
	s.engine_error = "cannot connect to /run/docker.sock: refused";
	s.last_pass_started = 0;
	remove_snapshot(path);
	path = write_snapshot(&s);
	text = show(path, 0, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_msg(strstr(text, "idle, next check in 42s\n") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "disconnected: cannot connect to /run/docker.sock: refused") != NULL, "%s",
		      text);
	ck_assert_msg(strstr(text, "last pass:  none yet") != NULL, "%s", text);
	free(text);
	remove_snapshot(path);
}
END_TEST

START_TEST(show_escapes_container_strings)
{
	struct status_snapshot s = snapshot(getpid());
	char *path = write_snapshot(&s), *text;
	int rc;

	text = show(path, 0, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_msg(strstr(text, "evil\\x0a\\x1b[31m\\\\x") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "bad\\\\xff") != NULL, "%s", text);
	ck_assert_ptr_null(strchr(text, '\x1b'));
	ck_assert_ptr_null(strstr(text, "evil\n"));
	free(text);
	remove_snapshot(path);
}
END_TEST

START_TEST(show_dead_daemon)
{
	struct status_snapshot s = snapshot(dead_pid());
	char *path, *text;
	int rc;

	s.updated = NOW - 180;
	path = write_snapshot(&s);
	text = show(path, 0, &rc);
	ck_assert_int_eq(rc, 3);
	ck_assert_msg(strstr(text, "not running; last update 2026-11-22 09:59:03 UTC (3m 0s ago)") != NULL, "%s",
		      text);
	free(text);

	text = show(path, 1, &rc);
	ck_assert_int_eq(rc, 3);
	{
		json_error_t jerr;
		json_t *j = json_loads(text, 0, &jerr);

		ck_assert_msg(j != NULL, "%s", jerr.text);
		ck_assert(json_is_false(json_object_get(j, "running")));
		json_decref(j);
	}
	free(text);
	remove_snapshot(path);
}
END_TEST

START_TEST(show_json)
{
	struct status_snapshot s = snapshot(getpid());
	char *path = write_snapshot(&s), *text;
	json_error_t jerr;
	json_t *j;
	int rc;

	text = show(path, 1, &rc);
	ck_assert_int_eq(rc, 0);
	j = json_loads(text, 0, &jerr);
	ck_assert_msg(j != NULL, "%s: %s", jerr.text, text);
	ck_assert(json_is_true(json_object_get(j, "running")));
	ck_assert_int_eq(json_integer_value(json_object_get(j, "pid")), getpid());
	ck_assert_uint_eq(json_array_size(json_object_get(j, "containers")), 5);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(j, "containers"), 3), "name")),
			 name4);
	json_decref(j);
	free(text);
	remove_snapshot(path);
}
END_TEST

START_TEST(show_missing_or_bad_file)
{
	const char *bad;
	char *text;
	int rc;

	text = show("/nonexistent/rotd/status.json", 0, &rc);
	ck_assert_int_eq(rc, 2);
	ck_assert_str_eq(text, "");
	free(text);
	text = show("/nonexistent/rotd/status.json", 1, &rc);
	ck_assert_int_eq(rc, 2);
	free(text);

	bad = unit_write_temp("status.json", "{not json");
	text = show(bad, 0, &rc);
	ck_assert_int_eq(rc, 2);
	free(text);
	bad = unit_write_temp("status.json", "[1, 2]");
	text = show(bad, 1, &rc);
	ck_assert_int_eq(rc, 2);
	free(text);
	unlink(bad);

	/* A file without a usable pid counts as a gone daemon, never as kill(0). */
	bad = unit_write_temp("status.json", "{\"pid\": 0}");
	text = show(bad, 0, &rc);
	ck_assert_int_eq(rc, 3);
	free(text);
	bad = unit_write_temp("status.json", "{\"pid\": -1}");
	text = show(bad, 0, &rc);
	ck_assert_int_eq(rc, 3);
	free(text);
	unlink(bad);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("status");
	TCase *tc = tcase_create("status file");

	tcase_add_test(tc, json_fields);
	tcase_add_test(tc, json_new_fields);
	tcase_add_test(tc, show_progress_reload_and_remediation);
	tcase_add_test(tc, write_creates_folder_and_reads_back);
	tcase_add_test(tc, write_failure_names_the_path);
	tcase_add_test(tc, show_running);
	tcase_add_test(tc, show_escapes_container_strings);
	tcase_add_test(tc, show_dead_daemon);
	tcase_add_test(tc, show_json);
	tcase_add_test(tc, show_missing_or_bad_file);
	suite_add_tcase(s, tc);
	return s;
}
