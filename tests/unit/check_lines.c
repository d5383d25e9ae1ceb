#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "lib/lines.h"
#include "lib/strlist.h"
#include "unit.h"

/* What the callback saw: each line, with a "!" suffix when it was truncated. */
struct seen {
	struct strlist lines;
	int stop_after;     /* return stop_value after this many lines; 0: never */
	int stop_value;
};

static int collect(const char *line, size_t len, int truncated, void *arg)
{
	struct seen *s = arg;

	ck_assert_uint_eq(strlen(line), len);
	ck_assert_int_eq(line[len], '\0');
	strlist_addf(&s->lines, "%s%s", line, truncated ? "!" : "");
	if (s->stop_after > 0 && (int)s->lines.n == s->stop_after)
		return s->stop_value;
	return 0;
}

/* Feeds each chunk in turn, then flushes; returns everything seen joined with "|". */
static char *run(size_t max_line, const char *const chunks[])
{
	struct lines l;
	struct seen s = { STRLIST_INIT, 0, 0 };
	size_t total = 1;
	char *joined;

	lines_init(&l, max_line);
	for (size_t i = 0; chunks[i] != NULL; i++)
		ck_assert_int_eq(lines_feed(&l, chunks[i], strlen(chunks[i]), collect, &s), 0);
	ck_assert_int_eq(lines_flush(&l, collect, &s), 0);
	lines_free(&l);
	for (size_t i = 0; i < s.lines.n; i++)
		total += strlen(s.lines.v[i]) + 1;
	joined = calloc(1, total);
	ck_assert_ptr_nonnull(joined);
	for (size_t i = 0; i < s.lines.n; i++) {
		if (i > 0)
			strcat(joined, "|");
		strcat(joined, s.lines.v[i]);
	}
	strlist_free(&s.lines);
	return joined;
}

#define CHECK_LINES(max, expect, ...)                                   \
	do {                                                            \
		const char *const chunks_[] = { __VA_ARGS__, NULL };    \
		char *got_ = run((max), chunks_);                       \
		ck_assert_str_eq(got_, (expect));                       \
		free(got_);                                             \
	} while (0)

/* Feeds text one byte at a time, then flushes; returns the joined result. */
static char *run_bytewise(size_t max_line, const char *text)
{
	char bytes[512][2];
	const char *chunks[513];
	size_t n = strlen(text);

	ck_assert_uint_lt(n, 512);
	for (size_t i = 0; i < n; i++) {
		bytes[i][0] = text[i];
		bytes[i][1] = '\0';
		chunks[i] = bytes[i];
	}
	chunks[n] = NULL;
	return run(max_line, chunks);
}

START_TEST(test_whole_lines)
{
	CHECK_LINES(100, "one|two|three", "one\ntwo\nthree\n");
}
END_TEST

START_TEST(test_split_across_chunks)
{
	CHECK_LINES(100, "hello|world|!", "hel", "lo\nwor", "", "ld\n", "!\n");
	CHECK_LINES(100, "abc", "a", "b", "c", "\n");
}
END_TEST

START_TEST(test_crlf)
{
	CHECK_LINES(100, "a|b|c", "a\r\nb\r\n", "c\r", "\n");
	/* only a '\r' right before the '\n' goes; others stay */
	CHECK_LINES(100, "a\rb|\rc", "a\rb\n\rc\n");
}
END_TEST

START_TEST(test_empty_lines)
{
	CHECK_LINES(100, "||x|", "\n\n", "x\n\n");
	CHECK_LINES(100, "", "");
}
END_TEST

START_TEST(test_overlong_truncated)
{
	char *got;

	CHECK_LINES(4, "abcd!|xy", "abcdefgh\nxy\n");
	CHECK_LINES(4, "abcd!|xy", "ab", "cdef", "gh", "ij\nxy\n");
	CHECK_LINES(4, "abcd!|z", "abcde\nz\n");
	/* exactly max_line is whole, with or without CRLF */
	CHECK_LINES(4, "abcd|efgh|ijkl", "abcd\nefgh\r\n", "ijkl");
	/* a '\r' inside an overlong line is part of its cut */
	CHECK_LINES(4, "abc\r!", "abc\rdef\n");
	got = run_bytewise(4, "abcdefgh\nxy\nabcd\r\n123456");
	ck_assert_str_eq(got, "abcd!|xy|abcd|1234!");
	free(got);
}
END_TEST

START_TEST(test_flush_partial)
{
	struct lines l;
	struct seen s = { STRLIST_INIT, 0, 0 };

	lines_init(&l, 100);
	ck_assert_int_eq(lines_feed(&l, "a\npart", 6, collect, &s), 0);
	ck_assert_uint_eq(s.lines.n, 1);
	ck_assert_int_eq(lines_flush(&l, collect, &s), 0);
	ck_assert_uint_eq(s.lines.n, 2);
	ck_assert_str_eq(s.lines.v[1], "part");
	/* a second flush has nothing left */
	ck_assert_int_eq(lines_flush(&l, collect, &s), 0);
	ck_assert_uint_eq(s.lines.n, 2);
	/* and the splitter goes on working */
	ck_assert_int_eq(lines_feed(&l, "next\n", 5, collect, &s), 0);
	ck_assert_str_eq(s.lines.v[2], "next");
	lines_free(&l);
	strlist_free(&s.lines);

	CHECK_LINES(100, "x|tail", "x\ntail\r");
	/* the rest of an overlong line is not delivered again at flush */
	CHECK_LINES(3, "abc!", "abcdef");
}
END_TEST

START_TEST(test_callback_stop)
{
	struct lines l;
	struct seen s = { STRLIST_INIT, 2, 7 };

	lines_init(&l, 100);
	ck_assert_int_eq(lines_feed(&l, "1\n2\n3\n4\n", 8, collect, &s), 7);
	ck_assert_uint_eq(s.lines.n, 2);
	ck_assert_str_eq(s.lines.v[1], "2");
	strlist_free(&s.lines);

	s.stop_after = 1;
	s.stop_value = -3;
	ck_assert_int_eq(lines_feed(&l, "x", 1, collect, &s), 0);
	ck_assert_int_eq(lines_flush(&l, collect, &s), -3);
	ck_assert_uint_eq(s.lines.n, 1);
	lines_free(&l);
	strlist_free(&s.lines);

	/* a stop on a truncated line is returned too */
	lines_init(&l, 2);
	s.stop_after = 1;
	s.stop_value = 9;
	ck_assert_int_eq(lines_feed(&l, "abcdef", 6, collect, &s), 9);
	ck_assert_str_eq(s.lines.v[0], "ab!");
	lines_free(&l);
	strlist_free(&s.lines);
}
END_TEST

START_TEST(test_binary_and_large)
{
	struct lines l;
	struct seen s = { STRLIST_INIT, 0, 0 };
	size_t big = 300000;
	char *text = malloc(big + 1);

	ck_assert_ptr_nonnull(text);
	memset(text, 'q', big);
	text[big] = '\n';
	lines_init(&l, 1 << 20);
	for (size_t off = 0; off <= big; off += 4096) {
		size_t n = big + 1 - off < 4096 ? big + 1 - off : 4096;

		ck_assert_int_eq(lines_feed(&l, text + off, n, collect, &s), 0);
	}
	ck_assert_uint_eq(s.lines.n, 1);
	ck_assert_uint_eq(strlen(s.lines.v[0]), big);
	lines_free(&l);
	strlist_free(&s.lines);
	free(text);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("lines");
	TCase *tc = tcase_create("lines");

	tcase_add_test(tc, test_whole_lines);
	tcase_add_test(tc, test_split_across_chunks);
	tcase_add_test(tc, test_crlf);
	tcase_add_test(tc, test_empty_lines);
	tcase_add_test(tc, test_overlong_truncated);
	tcase_add_test(tc, test_flush_partial);
	tcase_add_test(tc, test_callback_stop);
	tcase_add_test(tc, test_binary_and_large);
	suite_add_tcase(s, tc);
	return s;
}
