#include "autoconf.h"

#include <stdint.h>
#include <string.h>

#include "lib/units.h"
#include "unit.h"

static void assert_size(const char *s, uint64_t expect)
{
	uint64_t v = 12345;

	ck_assert_msg(units_parse_size(s, &v) == 0, "'%s' should parse", s);
	ck_assert_msg(v == expect, "'%s' gave %llu, not %llu", s, (unsigned long long)v,
		      (unsigned long long)expect);
}

static void assert_not_size(const char *s)
{
	uint64_t v = 12345;

	ck_assert_msg(units_parse_size(s, &v) == -1, "'%s' should be rejected", s);
	ck_assert_msg(v == 12345, "'%s' changed the result on failure", s);
}

static void assert_duration(const char *s, uint64_t expect)
{
	uint64_t v = 12345;

	ck_assert_msg(units_parse_duration(s, &v) == 0, "'%s' should parse", s);
	ck_assert_msg(v == expect, "'%s' gave %llu, not %llu", s, (unsigned long long)v,
		      (unsigned long long)expect);
}

static void assert_not_duration(const char *s)
{
	uint64_t v = 12345;

	ck_assert_msg(units_parse_duration(s, &v) == -1, "'%s' should be rejected", s);
	ck_assert_msg(v == 12345, "'%s' changed the result on failure", s);
}

static void assert_window(const char *s, unsigned start, unsigned end)
{
	struct time_window w = { 7, 7 };

	ck_assert_msg(units_parse_window(s, &w) == 0, "'%s' should parse", s);
	ck_assert_uint_eq(w.start_min, start);
	ck_assert_uint_eq(w.end_min, end);
}

static void assert_not_window(const char *s)
{
	struct time_window w = { 7, 7 };

	ck_assert_msg(units_parse_window(s, &w) == -1, "'%s' should be rejected", s);
	ck_assert_uint_eq(w.start_min, 7);
}

static void assert_percent(const char *s, unsigned expect)
{
	unsigned v = 999;

	ck_assert_msg(units_parse_percent(s, &v) == 0, "'%s' should parse", s);
	ck_assert_uint_eq(v, expect);
}

static void assert_not_percent(const char *s)
{
	unsigned v = 999;

	ck_assert_msg(units_parse_percent(s, &v) == -1, "'%s' should be rejected", s);
	ck_assert_uint_eq(v, 999);
}

START_TEST(test_size_plain_bytes)
{
	assert_size("0", 0);
	assert_size("1", 1);
	assert_size("4096", 4096);
	assert_size("4096B", 4096);
	assert_size("4096b", 4096);
	assert_size("007", 7);
}
END_TEST

START_TEST(test_size_units_are_powers_of_1024)
{
	assert_size("512K", 512u * 1024);
	assert_size("512k", 512u * 1024);
	assert_size("512KB", 512u * 1024);
	assert_size("512KiB", 512u * 1024);
	assert_size("512kib", 512u * 1024);
	assert_size("20M", 20u * 1024 * 1024);
	assert_size("15MB", 15u * 1024 * 1024);
	assert_size("15MiB", 15u * 1024 * 1024);
	assert_size("1g", 1024u * 1024 * 1024);
	assert_size("1G", 1024u * 1024 * 1024);
	assert_size("1GB", 1024u * 1024 * 1024);
	assert_size("2T", 2ull << 40);
	assert_size("2TiB", 2ull << 40);
}
END_TEST

START_TEST(test_size_boundaries_and_overflow)
{
	assert_size("18446744073709551615", UINT64_MAX);
	assert_size("16777215T", 16777215ull << 40);
	assert_not_size("18446744073709551616");
	assert_not_size("16777216T");
	assert_not_size("17179869184G");
	assert_not_size("99999999999999999999T");
	assert_not_size("99999999999999999999");
}
END_TEST

START_TEST(test_size_garbage)
{
	static const char *const bad[] = {
		"", "M", "B", "KiB", "-1", "+1", " 1", "1 ", "1 M", "1.5M", "1X", "20X", "1MM",
		"1MiBB", "1MBB", "1iB", "1Mi", "1Mb ", "0x10", "1e3", "1P", "10%", "1K1",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_not_size(bad[i]);
	assert_not_size(NULL);
}
END_TEST

START_TEST(test_duration_units)
{
	assert_duration("0", 0);
	assert_duration("90", 90);
	assert_duration("90s", 90);
	assert_duration("15m", 900);
	assert_duration("1h", 3600);
	assert_duration("1H", 3600);
	assert_duration("30d", 30u * 86400);
	assert_duration("7d", 7u * 86400);
	assert_duration("2w", 14u * 86400);
	assert_duration("0d", 0);
}
END_TEST

START_TEST(test_duration_boundaries_and_overflow)
{
	assert_duration("18446744073709551615", UINT64_MAX);
	assert_duration("18446744073709551615s", UINT64_MAX);
	assert_duration("30500568904943w", 30500568904943ull * 604800);
	assert_not_duration("30500568904944w");
	assert_not_duration("18446744073709551615m");
	assert_not_duration("18446744073709551616");
	assert_not_duration("99999999999999999999d");
}
END_TEST

START_TEST(test_duration_garbage)
{
	static const char *const bad[] = {
		"", "s", "h", "1x", "1y", "1hh", "1h30m", "-1", "+1", " 1", "1 ", "1 h", "1.5h",
		"7days", "1ms", "0x10", "d7",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_not_duration(bad[i]);
	assert_not_duration(NULL);
}
END_TEST

START_TEST(test_window_forms)
{
	assert_window("02:00-05:00", 120, 300);
	assert_window("2:00-5:00", 120, 300);
	assert_window("22:00-04:00", 1320, 240);
	assert_window("23:59-00:00", 1439, 0);
	assert_window("00:00-24:00", 0, 1440);
	assert_window("22:30-24:00", 1350, 1440);
	assert_window("00:00-23:59", 0, 1439);
}
END_TEST

START_TEST(test_window_garbage)
{
	static const char *const bad[] = {
		"", "02:00", "02:00-", "-05:00", "0200-0500", "02:00-05:00x", " 02:00-05:00",
		"02:00 - 05:00", "02:00-05:00 ", "002:00-05:00", "02:0-05:00", "02:000-05:00",
		"24:00-01:00", "00:00-24:01", "25:00-01:00", "02:60-03:00", "02:00-03:60",
		"-1:00-02:00", "02.00-05.00", "02:00_05:00", "ab:cd-ef:gh",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_not_window(bad[i]);
	assert_not_window(NULL);
}
END_TEST

START_TEST(test_window_start_equal_end_rejected)
{
	assert_not_window("05:00-05:00");
	assert_not_window("00:00-00:00");
	assert_not_window("5:00-05:00");
}
END_TEST

START_TEST(test_window_contains_edges)
{
	struct time_window day = { 120, 300 };
	struct time_window night = { 1320, 240 };
	struct time_window all = { 0, 1440 };
	struct time_window to_midnight = { 1350, 1440 };

	ck_assert_int_eq(units_window_contains(&day, 119), 0);
	ck_assert_int_eq(units_window_contains(&day, 120), 1);
	ck_assert_int_eq(units_window_contains(&day, 299), 1);
	ck_assert_int_eq(units_window_contains(&day, 300), 0);
	ck_assert_int_eq(units_window_contains(&day, 0), 0);

	ck_assert_int_eq(units_window_contains(&night, 1319), 0);
	ck_assert_int_eq(units_window_contains(&night, 1320), 1);
	ck_assert_int_eq(units_window_contains(&night, 1439), 1);
	ck_assert_int_eq(units_window_contains(&night, 0), 1);
	ck_assert_int_eq(units_window_contains(&night, 239), 1);
	ck_assert_int_eq(units_window_contains(&night, 240), 0);
	ck_assert_int_eq(units_window_contains(&night, 720), 0);

	ck_assert_int_eq(units_window_contains(&all, 0), 1);
	ck_assert_int_eq(units_window_contains(&all, 1439), 1);
	ck_assert_int_eq(units_window_contains(&to_midnight, 1349), 0);
	ck_assert_int_eq(units_window_contains(&to_midnight, 1439), 1);
	ck_assert_int_eq(units_window_contains(&to_midnight, 0), 0);
}
END_TEST

START_TEST(test_window_contains_out_of_range_minute)
{
	struct time_window night = { 1320, 240 };
	struct time_window all = { 0, 1440 };

	ck_assert_int_eq(units_window_contains(&night, 1440), 0);
	ck_assert_int_eq(units_window_contains(&all, 1440), 0);
	ck_assert_int_eq(units_window_contains(&all, 100000), 0);
}
END_TEST

START_TEST(test_percent)
{
	assert_percent("85%", 85);
	assert_percent("85", 85);
	assert_percent("0", 0);
	assert_percent("0%", 0);
	assert_percent("100%", 100);
	assert_percent("100", 100);
	assert_not_percent("101");
	assert_not_percent("101%");
	assert_not_percent("99999999999999999999");
	assert_not_percent("-1");
	assert_not_percent("85%%");
	assert_not_percent("%");
	assert_not_percent("");
	assert_not_percent("8 5");
	assert_not_percent("85 %");
	assert_not_percent("85.5");
	assert_not_percent("%85");
	assert_not_percent(NULL);
}
END_TEST

START_TEST(test_format_size)
{
	char buf[32];

	ck_assert_str_eq(units_format_size(0, buf, sizeof(buf)), "0 B");
	ck_assert_str_eq(units_format_size(512, buf, sizeof(buf)), "512 B");
	ck_assert_str_eq(units_format_size(1023, buf, sizeof(buf)), "1023 B");
	ck_assert_str_eq(units_format_size(1024, buf, sizeof(buf)), "1.0 KiB");
	ck_assert_str_eq(units_format_size(1536, buf, sizeof(buf)), "1.5 KiB");
	ck_assert_str_eq(units_format_size(15u << 20, buf, sizeof(buf)), "15.0 MiB");
	ck_assert_str_eq(units_format_size(20u << 20, buf, sizeof(buf)), "20.0 MiB");
	ck_assert_str_eq(units_format_size((1u << 20) - 1, buf, sizeof(buf)), "1.0 MiB");
	ck_assert_str_eq(units_format_size(1ull << 30, buf, sizeof(buf)), "1.0 GiB");
	ck_assert_str_eq(units_format_size(3ull << 40, buf, sizeof(buf)), "3.0 TiB");
	ck_assert_str_eq(units_format_size(UINT64_MAX, buf, sizeof(buf)), "16.0 EiB");
}
END_TEST

START_TEST(test_format_truncates_safely)
{
	char buf[4];

	memset(buf, 'x', sizeof(buf));
	ck_assert_ptr_eq(units_format_size(20u << 20, buf, sizeof(buf)), buf);
	ck_assert_str_eq(buf, "20.");
	memset(buf, 'x', sizeof(buf));
	ck_assert_ptr_eq(units_format_duration(12345, buf, sizeof(buf)), buf);
	ck_assert_str_eq(buf, "123");
}
END_TEST

START_TEST(test_format_duration_largest_exact_unit)
{
	char buf[32];

	ck_assert_str_eq(units_format_duration(0, buf, sizeof(buf)), "0s");
	ck_assert_str_eq(units_format_duration(90, buf, sizeof(buf)), "90s");
	ck_assert_str_eq(units_format_duration(60, buf, sizeof(buf)), "1m");
	ck_assert_str_eq(units_format_duration(900, buf, sizeof(buf)), "15m");
	ck_assert_str_eq(units_format_duration(5400, buf, sizeof(buf)), "90m");
	ck_assert_str_eq(units_format_duration(3600, buf, sizeof(buf)), "1h");
	ck_assert_str_eq(units_format_duration(3601, buf, sizeof(buf)), "3601s");
	ck_assert_str_eq(units_format_duration(86400, buf, sizeof(buf)), "1d");
	ck_assert_str_eq(units_format_duration(30u * 86400, buf, sizeof(buf)), "30d");
	ck_assert_str_eq(units_format_duration(7u * 86400, buf, sizeof(buf)), "1w");
	ck_assert_str_eq(units_format_duration(14u * 86400, buf, sizeof(buf)), "2w");
	ck_assert_str_eq(units_format_duration(UINT64_MAX, buf, sizeof(buf)),
			 "18446744073709551615s");
}
END_TEST

START_TEST(test_format_duration_round_trips)
{
	static const uint64_t values[] = { 0, 1, 59, 60, 61, 3599, 3600, 86399, 86400,
					   604800, 2592000, 1209600, 31536000 };
	char buf[32];

	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		uint64_t back = 1;

		units_format_duration(values[i], buf, sizeof(buf));
		ck_assert_int_eq(units_parse_duration(buf, &back), 0);
		ck_assert_msg(back == values[i], "%s did not round-trip", buf);
	}
}
END_TEST

START_TEST(test_format_span_two_largest_units)
{
	char buf[32];

	ck_assert_str_eq(units_format_span(0, 0, buf, sizeof(buf)), "0s");
	ck_assert_str_eq(units_format_span(42, 0, buf, sizeof(buf)), "42s");
	ck_assert_str_eq(units_format_span(59, 0, buf, sizeof(buf)), "59s");
	ck_assert_str_eq(units_format_span(60, 0, buf, sizeof(buf)), "1m 0s");
	ck_assert_str_eq(units_format_span(303, 0, buf, sizeof(buf)), "5m 3s");
	ck_assert_str_eq(units_format_span(3599, 0, buf, sizeof(buf)), "59m 59s");
	/* rounded down: the seconds of 2h 3m 59s are left out */
	ck_assert_str_eq(units_format_span(2 * 3600 + 3 * 60 + 59, 0, buf, sizeof(buf)), "2h 3m");
	ck_assert_str_eq(units_format_span(86399, 0, buf, sizeof(buf)), "23h 59m");
	ck_assert_str_eq(units_format_span(3 * 86400 + 4 * 3600 + 59, 0, buf, sizeof(buf)), "3d 4h");
	/* no weeks: days go on counting */
	ck_assert_str_eq(units_format_span(30u * 86400, 0, buf, sizeof(buf)), "30d 0h");
	ck_assert_str_eq(units_format_span(UINT64_MAX, 0, buf, sizeof(buf)), "213503982334601d 7h");
}
END_TEST

START_TEST(test_format_span_padded)
{
	char buf[32];

	ck_assert_str_eq(units_format_span(0, 1, buf, sizeof(buf)), "0s");
	ck_assert_str_eq(units_format_span(11, 1, buf, sizeof(buf)), "11s");
	ck_assert_str_eq(units_format_span(60, 1, buf, sizeof(buf)), "1m 00s");
	ck_assert_str_eq(units_format_span(125, 1, buf, sizeof(buf)), "2m 05s");
	ck_assert_str_eq(units_format_span(3720, 1, buf, sizeof(buf)), "1h 02m");
	ck_assert_str_eq(units_format_span(3 * 86400 + 4 * 3600, 1, buf, sizeof(buf)), "3d 04h");
	ck_assert_str_eq(units_format_span(86400 + 23 * 3600, 1, buf, sizeof(buf)), "1d 23h");
	/* truncated to the buffer like every formatter here */
	memset(buf, 'x', sizeof(buf));
	ck_assert_ptr_eq(units_format_span(125, 1, buf, 4), buf);
	ck_assert_str_eq(buf, "2m ");
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("units");
	TCase *tc = tcase_create("units");

	tcase_add_test(tc, test_size_plain_bytes);
	tcase_add_test(tc, test_size_units_are_powers_of_1024);
	tcase_add_test(tc, test_size_boundaries_and_overflow);
	tcase_add_test(tc, test_size_garbage);
	tcase_add_test(tc, test_duration_units);
	tcase_add_test(tc, test_duration_boundaries_and_overflow);
	tcase_add_test(tc, test_duration_garbage);
	tcase_add_test(tc, test_window_forms);
	tcase_add_test(tc, test_window_garbage);
	tcase_add_test(tc, test_window_start_equal_end_rejected);
	tcase_add_test(tc, test_window_contains_edges);
	tcase_add_test(tc, test_window_contains_out_of_range_minute);
	tcase_add_test(tc, test_percent);
	tcase_add_test(tc, test_format_size);
	tcase_add_test(tc, test_format_truncates_safely);
	tcase_add_test(tc, test_format_duration_largest_exact_unit);
	tcase_add_test(tc, test_format_duration_round_trips);
	tcase_add_test(tc, test_format_span_two_largest_units);
	tcase_add_test(tc, test_format_span_padded);
	suite_add_tcase(s, tc);
	return s;
}
