/* The state file and the off-peak window. */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jobs/offpeak.h"
#include "lib/state.h"
#include "unit.h"

START_TEST(missing_file_is_empty_and_quiet)
{
	char *warning = NULL;
	struct state *s = state_load("/nonexistent/rotd/state.json", &warning);

	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_null(warning);
	ck_assert_int_eq(state_last(s, "cleanup", "biz_waweb_1"), 0);
	state_free(s);
}
END_TEST

START_TEST(round_trip_and_mode)
{
	const char *path = unit_write_temp("state.json", "");
	char *warning = NULL, *err = NULL;
	struct state *s;
	struct stat st;

	unlink(path);
	s = state_load(path, &warning);
	state_set(s, "cleanup", "biz_waweb_1", 1700000000);
	state_set(s, "media", "volume:whatsappMedia", 1700000100);
	ck_assert_int_eq(state_save(s, path, &err), 0);
	state_free(s);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	s = state_load(path, &warning);
	ck_assert_ptr_null(warning);
	ck_assert_int_eq(state_last(s, "cleanup", "biz_waweb_1"), 1700000000);
	ck_assert_int_eq(state_last(s, "media", "volume:whatsappMedia"), 1700000100);
	ck_assert_int_eq(state_last(s, "gc", "x"), 0);
	state_free(s);
}
END_TEST

START_TEST(records_round_trip_and_a_bad_one_costs_only_itself)
{
	const char *path = unit_write_temp("state.json", "");
	char *warning = NULL, *err = NULL;
	struct state *s;

	unlink(path);
	s = state_load(path, &warning);
	ck_assert_ptr_null(state_record(s, "metrics-now"));
	state_set(s, "cleanup", "biz_waweb_1", 1700000000);
	state_set_record(s, "metrics-now", json_pack("{s:i}", "passes", 3));
	ck_assert_int_eq(state_save(s, path, &err), 0);
	state_free(s);
	s = state_load(path, &warning);
	ck_assert_ptr_null(warning);
	ck_assert_int_eq(json_integer_value(json_object_get(state_record(s, "metrics-now"), "passes")), 3);
	state_free(s);
	unit_write_temp("state.json", "{\"version\": 1, \"jobs\": {\"cleanup\": {\"a\": 5}}, \"records\": 7}");
	s = state_load(path, &warning);
	ck_assert_ptr_null(warning);
	ck_assert_int_eq(state_last(s, "cleanup", "a"), 5);
	ck_assert_ptr_null(state_record(s, "metrics-now"));
	state_free(s);
}
END_TEST

START_TEST(corrupt_file_is_reported_and_replaced)
{
	static const char *const bad[] = { "{not json", "[]", "{\"version\":2,\"jobs\":{}}",
					   "{\"version\":1,\"jobs\":{\"cleanup\":{\"a\":\"x\"}}}" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *path = unit_write_temp("state.json", bad[i]);
		char *warning = NULL, *err = NULL;
		struct state *s = state_load(path, &warning);

		ck_assert_ptr_nonnull(s);
		ck_assert_msg(warning != NULL && strstr(warning, path) != NULL, "case %zu: %s", i,
			      warning ? warning : "(none)");
		ck_assert_msg(strstr(warning, "replaced") != NULL, "%s", warning);
		free(warning);
		state_set(s, "cleanup", "c", 5);
		ck_assert_int_eq(state_save(s, path, &err), 0);
		state_free(s);
		s = state_load(path, &warning);
		ck_assert_ptr_null(warning);
		ck_assert_int_eq(state_last(s, "cleanup", "c"), 5);
		state_free(s);
	}
}
END_TEST

START_TEST(save_creates_the_folder)
{
	char dir[64], path[96], *err = NULL, *warning = NULL;
	struct state *s = state_load("/nonexistent", &warning);

	snprintf(dir, sizeof(dir), "/tmp/rotd-state.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sub/state.json", dir);
	ck_assert_int_eq(state_save(s, path, &err), 0);
	ck_assert_int_eq(access(path, R_OK), 0);
	state_free(s);
	unlink(path);
	snprintf(path, sizeof(path), "%s/sub", dir);
	rmdir(path);
	rmdir(dir);
}
END_TEST

/* 2026-11-22 is a Sunday; times in UTC. */
#define DAY0 ((time_t)1795305600) /* 2026-11-22T00:00:00Z */

START_TEST(window_same_day)
{
	struct time_window w = { 2 * 60, 5 * 60 };
	time_t start = 0;

	ck_assert_int_eq(offpeak_current(&w, "UTC", DAY0 + 1 * 3600, &start), 0);
	ck_assert_int_eq(offpeak_current(&w, "UTC", DAY0 + 2 * 3600, &start), 1);
	ck_assert_int_eq(start, DAY0 + 2 * 3600);
	ck_assert_int_eq(offpeak_current(&w, "UTC", DAY0 + 4 * 3600 + 59 * 60, &start), 1);
	ck_assert_int_eq(start, DAY0 + 2 * 3600);
	ck_assert_int_eq(offpeak_current(&w, "UTC", DAY0 + 5 * 3600, &start), 0);
}
END_TEST

START_TEST(window_crossing_midnight)
{
	struct time_window w = { 22 * 60, 4 * 60 };
	time_t start = 0;

	ck_assert_int_eq(offpeak_current(&w, "UTC", DAY0 + 23 * 3600, &start), 1);
	ck_assert_int_eq(start, DAY0 + 22 * 3600);
	/* After midnight the occurrence began the day before. */
	ck_assert_int_eq(offpeak_current(&w, "UTC", DAY0 + 86400 + 3 * 3600, &start), 1);
	ck_assert_int_eq(start, DAY0 + 22 * 3600);
	ck_assert_int_eq(offpeak_current(&w, "UTC", DAY0 + 86400 + 4 * 3600, &start), 0);
}
END_TEST

START_TEST(window_in_a_named_zone)
{
	struct time_window w = { 2 * 60, 5 * 60 };
	time_t start = 0;

	/* 02:30 in Berlin (UTC+1 in November) is 01:30 UTC. */
	ck_assert_int_eq(offpeak_current(&w, "Europe/Berlin", DAY0 + 90 * 60, &start), 1);
	ck_assert_int_eq(start, DAY0 + 60 * 60);
	ck_assert_int_eq(offpeak_current(&w, "UTC", DAY0 + 90 * 60, &start), 0);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("state");
	TCase *tc = tcase_create("state file and window");

	tcase_add_test(tc, missing_file_is_empty_and_quiet);
	tcase_add_test(tc, round_trip_and_mode);
	tcase_add_test(tc, corrupt_file_is_reported_and_replaced);
	tcase_add_test(tc, records_round_trip_and_a_bad_one_costs_only_itself);
	tcase_add_test(tc, save_creates_the_folder);
	tcase_add_test(tc, window_same_day);
	tcase_add_test(tc, window_crossing_midnight);
	tcase_add_test(tc, window_in_a_named_zone);
	suite_add_tcase(s, tc);
	return s;
}
