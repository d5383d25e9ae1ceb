#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "engine/demux.h"
#include "unit.h"

#define CAP 4096

/* What the callback saw: bytes per stream, the stream of every byte in order, and calls. */
struct seen {
	char data[3][CAP];
	size_t len[3];
	char order[CAP];    /* '0'/'1'/'2' per payload byte */
	size_t order_len;
	int calls;
	int stop_at_call;   /* return stop_value on this call (1-based); 0: never */
	int stop_value;
};

static int collect(enum demux_stream stream, const char *data, size_t len, void *arg)
{
	struct seen *s = arg;

	ck_assert_int_ge(stream, DEMUX_STDIN);
	ck_assert_int_le(stream, DEMUX_STDERR);
	ck_assert_uint_gt(len, 0);
	ck_assert_uint_le(s->len[stream] + len, CAP);
	ck_assert_uint_le(s->order_len + len, CAP);
	memcpy(s->data[stream] + s->len[stream], data, len);
	s->len[stream] += len;
	memset(s->order + s->order_len, '0' + (int)stream, len);
	s->order_len += len;
	s->calls++;
	return s->calls == s->stop_at_call ? s->stop_value : 0;
}

/* Appends one frame to buf at *len. */
static void frame(char *buf, size_t *len, int stream, const char *payload, size_t n)
{
	unsigned char h[8] = { (unsigned char)stream, 0, 0, 0, (unsigned char)(n >> 24),
			       (unsigned char)(n >> 16), (unsigned char)(n >> 8), (unsigned char)n };

	memcpy(buf + *len, h, 8);
	memcpy(buf + *len + 8, payload, n);
	*len += 8 + n;
}

static void assert_stream(const struct seen *s, enum demux_stream st, const char *expect, size_t n)
{
	ck_assert_uint_eq(s->len[st], n);
	ck_assert_int_eq(memcmp(s->data[st], expect, n), 0);
}

START_TEST(test_single_frame)
{
	struct demux d;
	struct seen *s = calloc(1, sizeof(*s));
	char buf[64];
	size_t len = 0;

	frame(buf, &len, DEMUX_STDOUT, "hello\n", 6);
	demux_init(&d);
	ck_assert_int_eq(demux_at_boundary(&d), 1);
	ck_assert_int_eq(demux_feed(&d, buf, len, collect, s), 0);
	assert_stream(s, DEMUX_STDOUT, "hello\n", 6);
	ck_assert_uint_eq(s->len[DEMUX_STDERR], 0);
	ck_assert_int_eq(s->calls, 1);
	ck_assert_int_eq(demux_at_boundary(&d), 1);
	free(s);
}
END_TEST

START_TEST(test_many_frames_one_chunk)
{
	struct demux d;
	struct seen *s = calloc(1, sizeof(*s));
	char buf[256];
	size_t len = 0;

	frame(buf, &len, DEMUX_STDOUT, "a", 1);
	frame(buf, &len, DEMUX_STDERR, "bb", 2);
	frame(buf, &len, DEMUX_STDOUT, "ccc", 3);
	frame(buf, &len, DEMUX_STDIN, "d", 1);
	frame(buf, &len, DEMUX_STDERR, "eeee", 4);
	demux_init(&d);
	ck_assert_int_eq(demux_feed(&d, buf, len, collect, s), 0);
	assert_stream(s, DEMUX_STDOUT, "accc", 4);
	assert_stream(s, DEMUX_STDERR, "bbeeee", 6);
	assert_stream(s, DEMUX_STDIN, "d", 1);
	ck_assert_str_eq(s->order, "12211102222");
	ck_assert_int_eq(s->calls, 5);
	ck_assert_int_eq(demux_at_boundary(&d), 1);
	free(s);
}
END_TEST

/* A stream of frames with empty ones, a payload over 255 bytes, and every stream. */
static size_t sample_stream(char *buf)
{
	char big[700];
	size_t len = 0;

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)('A' + i % 26);
	frame(buf, &len, DEMUX_STDOUT, "out1\n", 5);
	frame(buf, &len, DEMUX_STDERR, "", 0);
	frame(buf, &len, DEMUX_STDERR, "err1\n", 5);
	frame(buf, &len, DEMUX_STDOUT, big, sizeof(big));
	frame(buf, &len, DEMUX_STDOUT, "", 0);
	frame(buf, &len, DEMUX_STDERR, "e", 1);
	frame(buf, &len, DEMUX_STDIN, "in", 2);
	frame(buf, &len, DEMUX_STDOUT, "end", 3);
	return len;
}

/* Offsets in sample_stream() at which a frame ends (demux_at_boundary must be 1). */
static int is_frame_end(size_t off)
{
	static const size_t ends[] = { 0, 13, 21, 34, 742, 750, 759, 769, 780 };

	for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++)
		if (ends[i] == off)
			return 1;
	return 0;
}

START_TEST(test_every_split)
{
	char buf[1024];
	size_t len = sample_stream(buf);
	struct seen *ref = calloc(1, sizeof(*ref));
	struct seen *s = calloc(1, sizeof(*s));
	struct demux d;

	ck_assert_uint_eq(len, 780);
	demux_init(&d);
	ck_assert_int_eq(demux_feed(&d, buf, len, collect, ref), 0);
	ck_assert_int_eq(demux_at_boundary(&d), 1);
	ck_assert_uint_eq(ref->len[DEMUX_STDOUT], 5 + 700 + 3);
	ck_assert_int_eq(memcmp(ref->data[DEMUX_STDOUT], "out1\nABC", 8), 0);
	ck_assert_int_eq(memcmp(ref->data[DEMUX_STDOUT] + 705, "end", 3), 0);
	assert_stream(ref, DEMUX_STDERR, "err1\ne", 6);
	assert_stream(ref, DEMUX_STDIN, "in", 2);

	/* one byte at a time */
	demux_init(&d);
	for (size_t i = 0; i < len; i++) {
		ck_assert_int_eq(demux_feed(&d, buf + i, 1, collect, s), 0);
		ck_assert_int_eq(demux_at_boundary(&d), is_frame_end(i + 1));
	}
	ck_assert_uint_eq(s->order_len, ref->order_len);
	ck_assert_int_eq(memcmp(s->order, ref->order, ref->order_len), 0);
	for (int st = 0; st < 3; st++)
		assert_stream(s, (enum demux_stream)st, ref->data[st], ref->len[st]);

	/* every 2-way split, including empty halves */
	for (size_t cut = 0; cut <= len; cut++) {
		memset(s, 0, sizeof(*s));
		demux_init(&d);
		ck_assert_int_eq(demux_feed(&d, buf, cut, collect, s), 0);
		ck_assert_int_eq(demux_at_boundary(&d), is_frame_end(cut));
		ck_assert_int_eq(demux_feed(&d, buf + cut, len - cut, collect, s), 0);
		ck_assert_int_eq(demux_at_boundary(&d), 1);
		ck_assert_uint_eq(s->order_len, ref->order_len);
		ck_assert_int_eq(memcmp(s->order, ref->order, ref->order_len), 0);
		for (int st = 0; st < 3; st++)
			assert_stream(s, (enum demux_stream)st, ref->data[st], ref->len[st]);
	}
	free(ref);
	free(s);
}
END_TEST

START_TEST(test_zero_length_frames)
{
	struct demux d;
	struct seen *s = calloc(1, sizeof(*s));
	char buf[64];
	size_t len = 0;

	frame(buf, &len, DEMUX_STDOUT, "", 0);
	frame(buf, &len, DEMUX_STDERR, "", 0);
	frame(buf, &len, DEMUX_STDOUT, "x", 1);
	frame(buf, &len, DEMUX_STDOUT, "", 0);
	demux_init(&d);
	ck_assert_int_eq(demux_feed(&d, buf, 8, collect, s), 0);
	ck_assert_int_eq(s->calls, 0);
	ck_assert_int_eq(demux_at_boundary(&d), 1);
	ck_assert_int_eq(demux_feed(&d, buf + 8, len - 8, collect, s), 0);
	ck_assert_int_eq(s->calls, 1);
	assert_stream(s, DEMUX_STDOUT, "x", 1);
	ck_assert_int_eq(demux_at_boundary(&d), 1);
	/* an empty feed changes nothing */
	ck_assert_int_eq(demux_feed(&d, buf, 0, collect, s), 0);
	ck_assert_int_eq(demux_at_boundary(&d), 1);
	free(s);
}
END_TEST

START_TEST(test_interleaving)
{
	struct demux d;
	struct seen *s = calloc(1, sizeof(*s));
	char buf[512];
	size_t len = 0;

	for (int i = 0; i < 20; i++)
		frame(buf, &len, i % 2 == 0 ? DEMUX_STDOUT : DEMUX_STDERR, i % 2 == 0 ? "o" : "ee", i % 2 == 0 ? 1 : 2);
	demux_init(&d);
	/* chunks of 5 bytes cut through headers and payloads alike */
	for (size_t off = 0; off < len; off += 5)
		ck_assert_int_eq(demux_feed(&d, buf + off, len - off < 5 ? len - off : 5, collect, s), 0);
	ck_assert_uint_eq(s->len[DEMUX_STDOUT], 10);
	ck_assert_uint_eq(s->len[DEMUX_STDERR], 20);
	ck_assert_str_eq(s->order, "122122122122122122122122122122");
	free(s);
}
END_TEST

START_TEST(test_malformed_sticky)
{
	static const unsigned char bad_stream[8] = { 3, 0, 0, 0, 0, 0, 0, 1 };
	static const unsigned char bad_pad[8] = { 1, 0, 1, 0, 0, 0, 0, 1 };
	struct demux d;
	struct seen *s = calloc(1, sizeof(*s));
	char good[32];
	size_t len = 0;

	frame(good, &len, DEMUX_STDOUT, "ok", 2);

	demux_init(&d);
	ck_assert_int_eq(demux_feed(&d, good, len, collect, s), 0);
	ck_assert_int_eq(demux_feed(&d, (const char *)bad_stream, 8, collect, s), -1);
	ck_assert_int_eq(demux_at_boundary(&d), 0);
	ck_assert_int_eq(demux_feed(&d, good, len, collect, s), -1);
	ck_assert_int_eq(demux_feed(&d, good, 0, collect, s), -1);
	ck_assert_int_eq(s->calls, 1);

	/* non-zero padding, with the header split across two feeds */
	demux_init(&d);
	ck_assert_int_eq(demux_feed(&d, (const char *)bad_pad, 3, collect, s), 0);
	ck_assert_int_eq(demux_feed(&d, (const char *)bad_pad + 3, 5, collect, s), -1);
	ck_assert_int_eq(demux_feed(&d, good, len, collect, s), -1);
	ck_assert_int_eq(s->calls, 1);

	/* a bad header after good frames in the same chunk: the good ones are delivered first */
	{
		char buf[64];
		size_t n = 0;

		frame(buf, &n, DEMUX_STDERR, "zz", 2);
		memcpy(buf + n, bad_stream, 8);
		n += 8;
		demux_init(&d);
		ck_assert_int_eq(demux_feed(&d, buf, n, collect, s), -1);
		ck_assert_int_eq(s->calls, 2);
		assert_stream(s, DEMUX_STDERR, "zz", 2);
	}
	free(s);
}
END_TEST

START_TEST(test_callback_stop)
{
	struct demux d;
	struct seen *s = calloc(1, sizeof(*s));
	char buf[64];
	size_t len = 0;

	frame(buf, &len, DEMUX_STDOUT, "1", 1);
	frame(buf, &len, DEMUX_STDERR, "2", 1);
	frame(buf, &len, DEMUX_STDOUT, "3", 1);
	s->stop_at_call = 2;
	s->stop_value = 42;
	demux_init(&d);
	ck_assert_int_eq(demux_feed(&d, buf, len, collect, s), 42);
	ck_assert_int_eq(s->calls, 2);
	ck_assert_uint_eq(s->len[DEMUX_STDOUT], 1);
	/* the stop is not sticky: the rest of the stream can still be fed */
	ck_assert_int_eq(demux_feed(&d, buf + 18, len - 18, collect, s), 0);
	assert_stream(s, DEMUX_STDOUT, "13", 2);
	ck_assert_int_eq(demux_at_boundary(&d), 1);
	free(s);
}
END_TEST

START_TEST(test_boundary)
{
	struct demux d;
	struct seen *s = calloc(1, sizeof(*s));
	static const unsigned char huge[8] = { 1, 0, 0, 0, 0x01, 0x02, 0x03, 0x04 };

	demux_init(&d);
	ck_assert_int_eq(demux_at_boundary(&d), 1);
	ck_assert_int_eq(demux_feed(&d, (const char *)huge, 4, collect, s), 0);
	ck_assert_int_eq(demux_at_boundary(&d), 0);
	ck_assert_int_eq(demux_feed(&d, (const char *)huge + 4, 4, collect, s), 0);
	ck_assert_uint_eq(d.remaining, 0x01020304u);
	ck_assert_int_eq(demux_at_boundary(&d), 0);
	ck_assert_int_eq(demux_feed(&d, "abc", 3, collect, s), 0);
	ck_assert_uint_eq(d.remaining, 0x01020301u);
	ck_assert_int_eq(demux_at_boundary(&d), 0);
	free(s);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("demux");
	TCase *tc = tcase_create("demux");

	tcase_add_test(tc, test_single_frame);
	tcase_add_test(tc, test_many_frames_one_chunk);
	tcase_add_test(tc, test_every_split);
	tcase_add_test(tc, test_zero_length_frames);
	tcase_add_test(tc, test_interleaving);
	tcase_add_test(tc, test_malformed_sticky);
	tcase_add_test(tc, test_callback_stop);
	tcase_add_test(tc, test_boundary);
	suite_add_tcase(s, tc);
	return s;
}
