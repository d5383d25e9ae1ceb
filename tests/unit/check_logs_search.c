/* rotd logs: the search (the merge of many logs, the window, grep, archives
 * of every kind) and its text and JSON output, on temp container trees. */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config/config.h"
#include "lib/logtime.h"
#include "lib/strlist.h"
#include "lib/xalloc.h"
#include "logs/record.h"
#include "logs/search.h"
#include "report/logs_report.h"
#include "rotate/compress.h"
#include "rotate/member.h"
#include "logs_fixture.h"
#include "unit.h"
#include "unit_tmproot.h"

/* ROTD_TEST_QUICK=1 (e.g. under valgrind) runs fewer windows. */
static int quick(void)
{
	const char *q = getenv("ROTD_TEST_QUICK");

	return q != NULL && q[0] != '\0' && strcmp(q, "0") != 0;
}

#define T0 INT64_C(1795748400) /* 2026-11-27 03:00:00 UTC */

/* "2026-11-27 03:MM:SS" for T0 + sec. */
static void iso(char *buf, size_t size, int64_t sec)
{
	time_t t = (time_t)(T0 + sec);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm);
}

/* Every hit as "CONTAINER LOG ARCHIVE|-  SECONDS-AFTER-T0|-  TEXT" lines. */
struct hits {
	char *text;
	size_t len, cap;
	size_t n;
	int json;            /* check each hit's JSON too */
};

static int collect(const struct logs_hit *hit, void *arg)
{
	struct hits *h = arg;
	char line[512];
	int n;

	if (hit->record->has_time)
		n = snprintf(line, sizeof(line), "%s %s %s %lld %s\n", hit->container, hit->log,
			     hit->archive ? hit->archive : "-", (long long)(hit->record->t_us / 1000000 - T0),
			     hit->record->text);
	else
		n = snprintf(line, sizeof(line), "%s %s %s - %s\n", hit->container, hit->log,
			     hit->archive ? hit->archive : "-", hit->record->text);
	ck_assert_int_lt(n, (int)sizeof(line));
	if (h->len + (size_t)n + 1 > h->cap) {
		h->cap = (h->len + (size_t)n + 1) * 2;
		h->text = xreallocarray(h->text, h->cap, 1);
	}
	memcpy(h->text + h->len, line, (size_t)n + 1);
	h->len += (size_t)n;
	h->n++;
	if (h->json) {
		char *out = NULL;
		size_t out_len = 0;
		FILE *f = open_memstream(&out, &out_len);
		json_error_t jerr;
		json_t *o;

		logs_report_print_json(f, hit);
		fclose(f);
		ck_assert_ptr_nonnull(strchr(out, '\n'));
		ck_assert_ptr_eq(strchr(out, '\n'), out + out_len - 1);
		o = json_loads(out, 0, &jerr);
		ck_assert_msg(o != NULL, "not JSON: %s: %s", jerr.text, out);
		ck_assert_uint_eq(json_object_size(o), 6);
		ck_assert_str_eq(json_string_value(json_object_get(o, "container")), hit->container);
		ck_assert_str_eq(json_string_value(json_object_get(o, "role")), hit->role);
		ck_assert_str_eq(json_string_value(json_object_get(o, "log")), hit->log);
		if (hit->archive != NULL)
			ck_assert_str_eq(json_string_value(json_object_get(o, "archive")), hit->archive);
		else
			ck_assert(json_is_null(json_object_get(o, "archive")));
		ck_assert_str_eq(json_string_value(json_object_get(o, "text")), hit->record->text);
		if (hit->record->has_time) {
			char when[LOGTIME_RFC3339_SIZE];

			ck_assert_str_eq(json_string_value(json_object_get(o, "time")),
					 logtime_format_rfc3339(hit->record->t_us, when));
		} else {
			ck_assert(json_is_null(json_object_get(o, "time")));
		}
		/* the keys in the documented order */
		ck_assert_ptr_nonnull(strstr(out, "{\"time\":"));
		ck_assert(strstr(out, "\"container\":") < strstr(out, "\"role\":"));
		ck_assert(strstr(out, "\"log\":") < strstr(out, "\"archive\":"));
		ck_assert(strstr(out, "\"archive\":") < strstr(out, "\"text\":"));
		json_decref(o);
		free(out);
	}
	return 0;
}

static struct logs_query open_query(void)
{
	struct logs_query q;

	memset(&q, 0, sizeof(q));
	q.since_us = INT64_MIN;
	q.until_us = INT64_MAX;
	q.now_us = (T0 + 3600) * 1000000;
	return q;
}

/* The web tree with the folders of logs_fixture_web_conf. */
static void web_tree(struct unit_tmproot *r, const char *tag)
{
	unit_tmproot_make(r, NULL, tag);
	unit_tmproot_mkdir(r, "var");
	unit_tmproot_mkdir(r, "var/log");
	unit_tmproot_mkdir(r, "var/log/whatsapp");
	unit_tmproot_mkdir(r, "var/log/whatsapp/archive");
}

/* Appends "TIME TEXT\n" lines to a buffer. */
static size_t put_line(char *buf, size_t o, int64_t sec, const char *text)
{
	char when[32];

	iso(when, sizeof(when), sec);
	return o + (size_t)sprintf(buf + o, "%s %s\n", when, text);
}

START_TEST(test_merge_three_streams)
{
	struct rotd_config *cfg = logs_fixture_web_config();
	struct unit_tmproot a, b;
	struct logs_target t[2];
	struct logs_query q = open_query();
	struct hits h = { NULL, 0, 0, 0, 1 };
	char buf[4096];
	size_t o;

	web_tree(&a, "logs-merge-a");
	web_tree(&b, "logs-merge-b");
	o = put_line(buf, 0, 1, "web a1");
	o += (size_t)sprintf(buf + o, "  at trace()\n");
	o = put_line(buf, o, 4, "web a4");
	o = put_line(buf, o, 7, "web a7");
	unit_tmproot_write(&a, "var/log/whatsapp/web.log", buf, o, 0);
	o = (size_t)sprintf(buf, "no time yet\n");
	o = put_line(buf, o, 2, "access a2");
	o = put_line(buf, o, 4, "access a4");
	o = put_line(buf, o, 9, "access a9");
	unit_tmproot_write(&a, "var/log/whatsapp/access.log", buf, o, 0);
	o = put_line(buf, 0, 0, "web b0");
	o = put_line(buf, o, 3, "web b3");
	o = put_line(buf, o, 4, "web b4");
	o = put_line(buf, o, 8, "web b8");
	unit_tmproot_write(&b, "var/log/whatsapp/web.log", buf, o, 0);
	t[0] = (struct logs_target){ "web1", &cfg->roles[0], a.fs };
	t[1] = (struct logs_target){ "web2", &cfg->roles[0], b.fs };
	ck_assert_int_eq(search_targets(t, 2, &q, collect, &h), 0);
	ck_assert_str_eq(h.text,
			 "web1 /var/log/whatsapp/access.log - - no time yet\n"
			 "web2 /var/log/whatsapp/web.log - 0 2026-11-27 03:00:00 web b0\n"
			 "web1 /var/log/whatsapp/web.log - 1 2026-11-27 03:00:01 web a1\n  at trace()\n"
			 "web1 /var/log/whatsapp/access.log - 2 2026-11-27 03:00:02 access a2\n"
			 "web2 /var/log/whatsapp/web.log - 3 2026-11-27 03:00:03 web b3\n"
			 "web1 /var/log/whatsapp/access.log - 4 2026-11-27 03:00:04 access a4\n"
			 "web1 /var/log/whatsapp/web.log - 4 2026-11-27 03:00:04 web a4\n"
			 "web2 /var/log/whatsapp/web.log - 4 2026-11-27 03:00:04 web b4\n"
			 "web1 /var/log/whatsapp/web.log - 7 2026-11-27 03:00:07 web a7\n"
			 "web2 /var/log/whatsapp/web.log - 8 2026-11-27 03:00:08 web b8\n"
			 "web1 /var/log/whatsapp/access.log - 9 2026-11-27 03:00:09 access a9\n");

	/* the window is [since, until): its edges exactly */
	free(h.text);
	memset(&h, 0, sizeof(h));
	q.since_us = (T0 + 4) * 1000000;
	q.until_us = (T0 + 8) * 1000000;
	ck_assert_int_eq(search_targets(t, 2, &q, collect, &h), 0);
	ck_assert_str_eq(h.text,
			 "web1 /var/log/whatsapp/access.log - 4 2026-11-27 03:00:04 access a4\n"
			 "web1 /var/log/whatsapp/web.log - 4 2026-11-27 03:00:04 web a4\n"
			 "web2 /var/log/whatsapp/web.log - 4 2026-11-27 03:00:04 web b4\n"
			 "web1 /var/log/whatsapp/web.log - 7 2026-11-27 03:00:07 web a7\n");
	free(h.text);
	unit_tmproot_remove(&a);
	unit_tmproot_remove(&b);
	config_free(cfg);
}
END_TEST

START_TEST(test_grep)
{
	struct rotd_config *cfg = logs_fixture_web_config();
	struct unit_tmproot a;
	struct logs_target t;
	struct logs_query q = open_query();
	struct hits h = { NULL, 0, 0, 0, 1 };
	char buf[4096], *err = NULL;
	regex_t re;
	size_t o;

	web_tree(&a, "logs-grep");
	o = put_line(buf, 0, 1, "GET /v1/messages 200");
	o = put_line(buf, o, 2, "Traceback follows");
	o += (size_t)sprintf(buf + o, "  File \"x.py\"\n  KeyError: 'Token'\n");
	o = put_line(buf, o, 3, "GET /v1/health 200");
	o = put_line(buf, o, 4, "keyerror in lower case");
	unit_tmproot_write(&a, "var/log/whatsapp/web.log", buf, o, 0);
	t = (struct logs_target){ "web1", &cfg->roles[0], a.fs };

	/* a match on a continuation line prints the record whole */
	ck_assert_int_eq(search_compile(&re, "KeyError: '[A-Z]", 0, &err), 0);
	q.grep = &re;
	ck_assert_int_eq(search_targets(&t, 1, &q, collect, &h), 0);
	ck_assert_str_eq(h.text, "web1 /var/log/whatsapp/web.log - 2 2026-11-27 03:00:02 Traceback follows\n"
				 "  File \"x.py\"\n  KeyError: 'Token'\n");
	regfree(&re);
	free(h.text);
	memset(&h, 0, sizeof(h));

	/* -i; ^ anchors at every line's start, not only the record's */
	ck_assert_int_eq(search_compile(&re, "^  keyerror|health", 1, &err), 0);
	ck_assert_int_eq(search_targets(&t, 1, &q, collect, &h), 0);
	ck_assert_uint_eq(h.n, 2);
	ck_assert_ptr_nonnull(strstr(h.text, "Traceback"));
	ck_assert_ptr_nonnull(strstr(h.text, "health"));
	regfree(&re);
	free(h.text);

	/* a bad expression says why, in regerror's words */
	ck_assert_int_eq(search_compile(&re, "a(b", 0, &err), -1);
	ck_assert_ptr_nonnull(strstr(err, "invalid --grep 'a(b': "));
	ck_assert_ptr_nonnull(strstr(err, "Unmatched ("));
	free(err);
	unit_tmproot_remove(&a);
	config_free(cfg);
}
END_TEST

/* A clock for compress_range: the built-in recognisers. */
static int clock_time(const void *ctx, const char *line, size_t len, int64_t *t_us)
{
	return logtime_parse(ctx, line, len, t_us);
}

/* Writes lines [from, to) seconds (one line every step seconds, every 10th with
 * a two-line trace) to a buffer: new, *len set. */
static char *log_text(int64_t from, int64_t to, int64_t step, size_t *len)
{
	size_t cap = (size_t)((to - from) / step + 1) * 120, o = 0;
	char *buf = xmalloc(cap);

	for (int64_t s = from; s < to; s += step) {
		char text[64];

		snprintf(text, sizeof(text), "event %lld of the web app", (long long)s);
		o = put_line(buf, o, s, text);
		if (s % 10 == 0)
			o += (size_t)sprintf(buf + o, "  at handler(%lld)\n  at loop()\n", (long long)s);
	}
	*len = o;
	return buf;
}

/* Compresses text into rel with compress_range, dated by the built-in recognisers. */
static void rotd_archive(struct unit_tmproot *r, const char *rel, const char *text, size_t len,
			 enum compress_kind kind)
{
	struct logtime_parser *p = logtime_parser_new(NULL, NULL, (T0 + 3600) * 1000000, &(char *){ NULL });
	struct compress_clock clock = { clock_time, p };
	struct compress_result res;
	char *err = NULL;
	int src, dst;

	unit_tmproot_write(r, "tmp-src", text, len, 0);
	src = open(unit_tmproot_path(r, "tmp-src"), O_RDONLY);
	dst = open(unit_tmproot_path(r, rel), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(src, 0);
	ck_assert_int_ge(dst, 0);
	ck_assert_msg(compress_range(src, len, dst, kind, kind == COMPRESS_ZSTD ? 3 : 6, &clock, 2, &res, &err) == 0,
		      "%s", err);
	close(src);
	close(dst);
	unlink(unit_tmproot_path(r, "tmp-src"));
	logtime_parser_free(p);
}

/* Counts the records of h with time in [since, until) seconds and checks they
 * come in order. */
static size_t in_order(const struct hits *h, int64_t since, int64_t until)
{
	const char *p = h->text;
	long long last = LLONG_MIN;
	size_t n = 0;

	while (p != NULL && *p != '\0') {
		const char *f = strchr(strchr(strchr(p, ' ') + 1, ' ') + 1, ' ') + 1;
		char *e;
		/* not sscanf: it measures the whole rest of the text each time */
		long long t = strtoll(f, &e, 10);

		ck_assert_ptr_ne(e, f);
		ck_assert_int_ge(t, since);
		ck_assert_int_lt(t, until);
		ck_assert_int_gt(t, last);
		last = t;
		n++;
		/* skip the record's trace lines */
		p = strchr(p, '\n');
		while (p != NULL && strncmp(p + 1, "  at ", 5) == 0)
			p = strchr(p + 1, '\n');
		p = p != NULL ? p + 1 : NULL;
	}
	return n;
}

/* A log read across archives: logrotate's, rotd's (several members, gzip and
 * zstd) and the live log, whole and in a window. */
START_TEST(test_archives_and_window)
{
	struct rotd_config *cfg = logs_fixture_web_config();
	struct unit_tmproot a;
	struct logs_target t;
	struct logs_query q = open_query();
	struct hits h = { NULL, 0, 0, 0, 0 };
	size_t len;
	char *text;
	/* a line a second, about 50 bytes: each rotd archive holds several members */
	static const int64_t cuts[] = { -200000, -150000, -100000, -50000, 0, 30000 };

	web_tree(&a, "logs-archives");
	text = log_text(cuts[0], cuts[1], 1, &len);
	unit_tmproot_write(&a, "var/log/whatsapp/web.log.1", text, len, 0);
	logs_fixture_compress_with("gzip", unit_tmproot_path(&a, "var/log/whatsapp/web.log.1"),
		      unit_tmproot_path(&a, "var/log/whatsapp/archive/web.log-20261120.gz"));
	unlink(unit_tmproot_path(&a, "var/log/whatsapp/web.log.1"));
	{
		struct timespec ts[2] = { { T0 + cuts[1], 0 }, { T0 + cuts[1], 0 } };

		ck_assert_int_eq(utimensat(AT_FDCWD, unit_tmproot_path(&a, "var/log/whatsapp/archive/web.log-20261120.gz"),
					   ts, 0), 0);
	}
	free(text);
	text = log_text(cuts[1], cuts[2], 1, &len);
	rotd_archive(&a, "var/log/whatsapp/archive/web.log-20261125T231500Z.gz", text, len, COMPRESS_GZIP);
	free(text);
	text = log_text(cuts[2], cuts[3], 1, &len);
	rotd_archive(&a, "var/log/whatsapp/archive/web.log-20261126T131000Z.zst", text, len, COMPRESS_ZSTD);
	free(text);
	text = log_text(cuts[3], cuts[4], 1, &len);
	rotd_archive(&a, "var/log/whatsapp/archive/web.log-20261127T030000Z.gz", text, len, COMPRESS_GZIP);
	free(text);
	text = log_text(cuts[4], cuts[5], 1, &len);
	unit_tmproot_write(&a, "var/log/whatsapp/web.log", text, len, 0);
	free(text);
	t = (struct logs_target){ "web1", &cfg->roles[0], a.fs };

	ck_assert_int_eq(search_targets(&t, 1, &q, collect, &h), 0);
	ck_assert_uint_eq(in_order(&h, cuts[0], cuts[5]), (size_t)(cuts[5] - cuts[0]));
	ck_assert_ptr_nonnull(strstr(h.text, " web.log-20261120.gz -200000 "));
	ck_assert_ptr_nonnull(strstr(h.text, " web.log-20261126T131000Z.zst -100000 "));
	ck_assert_ptr_nonnull(strstr(h.text, " - 0 2026-11-27 03:00:00 event 0 of the web app\n  at handler(0)\n"
					     "  at loop()\n"));
	free(h.text);

	/* windows across sources and members: exactly the records inside */
	for (int64_t since = cuts[0] - 100; since < cuts[5]; since += quick() ? 77777 : 17777) {
		int64_t until = since + 4321;
		size_t want = 0;

		for (int64_t sec = cuts[0]; sec < cuts[5]; sec++)
			want += sec >= since && sec < until;
		memset(&h, 0, sizeof(h));
		q.since_us = (T0 + since) * 1000000;
		q.until_us = (T0 + until) * 1000000;
		ck_assert_int_eq(search_targets(&t, 1, &q, collect, &h), 0);
		ck_assert_uint_eq(in_order(&h, since, until), want);
		free(h.text);
	}
	unit_tmproot_remove(&a);
	config_free(cfg);
}
END_TEST


/* Only the members that overlap the window are decompressed: a corrupt member
 * outside it goes unnoticed, inside it is named (gzip, then zstd). */
START_TEST(test_members_skipped)
{
	struct rotd_config *cfg = logs_fixture_web_config();
	struct unit_tmproot a;
	struct logs_target t;
	struct logs_query q = open_query();
	struct hits h = { NULL, 0, 0, 0, 0 };
	struct member_info first = { 0 }, info;
	uint64_t off = 0;
	size_t len, members = 0;
	char *text = log_text(-100000, 0, 1, &len);
	enum compress_kind kind = _i ? COMPRESS_ZSTD : COMPRESS_GZIP;
	const char *rel = _i ? "var/log/whatsapp/archive/web.log-20261127T030000Z.zst"
			     : "var/log/whatsapp/archive/web.log-20261127T030000Z.gz";
	int fd;

	web_tree(&a, "logs-members");
	unit_tmproot_put(&a, "var/log/whatsapp/web.log", "");
	rotd_archive(&a, rel, text, len, kind);
	free(text);
	fd = open(unit_tmproot_path(&a, rel), O_RDWR);
	ck_assert_int_ge(fd, 0);
	while (member_next(fd, off, kind, &info) == 1) {
		if (members++ == 0)
			first = info;
		off = info.offset + info.size;
	}
	ck_assert_uint_ge(members, 4);
	ck_assert(first.flags & MEMBER_HAS_TIME);
	/* spoil the middle of the first member's data */
	ck_assert_int_eq(pwrite(fd, "\xde\xad\xbe\xef\xde\xad\xbe\xef", 8, (off_t)(first.offset + first.size / 2)), 8);
	close(fd);
	t = (struct logs_target){ "web1", &cfg->roles[0], a.fs };
	q.since_us = (T0 - 1000) * 1000000;
	q.until_us = (T0 - 900) * 1000000;
	ck_assert_int_eq(search_targets(&t, 1, &q, collect, &h), 0);
	ck_assert_uint_eq(in_order(&h, -1000, -900), 100);
	free(h.text);
	memset(&h, 0, sizeof(h));
	q.since_us = (first.min_us / 1000000 + 10) * 1000000;
	q.until_us = (first.min_us / 1000000 + 20) * 1000000;
	ck_assert_int_eq(search_targets(&t, 1, &q, collect, &h), 1);
	free(h.text);
	unit_tmproot_remove(&a);
	config_free(cfg);
}
END_TEST

/* A container tree's sources that cannot be read are counted, the rest is searched. */
START_TEST(test_unreadable_counted)
{
	struct rotd_config *cfg = logs_fixture_web_config();
	struct unit_tmproot a;
	struct logs_target t;
	struct logs_query q = open_query();
	struct hits h = { NULL, 0, 0, 0, 0 };
	char buf[256];
	size_t o;

	web_tree(&a, "logs-unreadable");
	o = put_line(buf, 0, 1, "live");
	unit_tmproot_write(&a, "var/log/whatsapp/web.log", buf, o, 0);
	unit_tmproot_put(&a, "var/log/whatsapp/archive/web.log-20261126T000000Z.gz", "not gzip at all\n");
	unit_tmproot_symlink(&a, "/etc/passwd", "var/log/whatsapp/archive/web.log-20261125T000000Z.gz");
	t = (struct logs_target){ "web1", &cfg->roles[0], a.fs };
	ck_assert_int_eq(search_targets(&t, 1, &q, collect, &h), 1);
	/* an archive rotd names but did not write is still read, as libarchive reads it */
	ck_assert_str_eq(h.text, "web1 /var/log/whatsapp/web.log web.log-20261126T000000Z.gz - not gzip at all\n"
				 "web1 /var/log/whatsapp/web.log - 1 2026-11-27 03:00:01 live\n");
	free(h.text);
	unit_tmproot_remove(&a);
	config_free(cfg);
}
END_TEST

/* --since on a large live log: bisection gives what a linear read gives. */
START_TEST(test_live_bisection)
{
	struct rotd_config *cfg = logs_fixture_web_config();
	struct unit_tmproot a;
	struct logs_target t;
	struct logs_query q = open_query();
	struct hits h = { NULL, 0, 0, 0, 0 };
	size_t len;
	char *text = log_text(-100000, 0, 1, &len);

	web_tree(&a, "logs-bisect-live");
	unit_tmproot_write(&a, "var/log/whatsapp/web.log", text, len, 0);
	free(text);
	t = (struct logs_target){ "web1", &cfg->roles[0], a.fs };
	q.since_us = (T0 - 500) * 1000000;
	q.until_us = (T0 - 200) * 1000000;
	ck_assert_int_eq(search_targets(&t, 1, &q, collect, &h), 0);
	ck_assert_uint_eq(in_order(&h, -500, -200), 300);
	free(h.text);
	unit_tmproot_remove(&a);
	config_free(cfg);
}
END_TEST

/* The text form: every line of a record prefixed, control bytes shown as \xNN. */
START_TEST(test_text_report)
{
	struct record rec = { 1, T0 * 1000000, NULL, 0, 3, 0 };
	struct logs_hit hit = { &rec, "web\x1b", "web", "/var/log/w.log", NULL };
	char text[] = "2026-11-27 03:00:00 a\tb\x1b[2J\n  at f()\n\xc3\xa9t\xc3\xa9 \xc2\x9b";
	char *out = NULL;
	size_t out_len = 0;
	FILE *f = open_memstream(&out, &out_len);

	rec.text = text;
	rec.len = strlen(text);
	logs_report_print_text(f, &hit);
	fclose(f);
	ck_assert_str_eq(out, "web\\x1b /var/log/w.log: 2026-11-27 03:00:00 a\tb\\x1b[2J\n"
			      "web\\x1b /var/log/w.log:   at f()\n"
			      "web\\x1b /var/log/w.log: \xc3\xa9t\xc3\xa9 \\xc2\\x9b\n");
	free(out);
}
END_TEST

/* A stack trace that a rotation cut in two, between two archives and between
 * an archive and the live log, is one record: matched and printed whole, named
 * after the archive it began in, also when the window skips the next
 * archive's other members. */
START_TEST(test_record_across_sources)
{
	struct rotd_config *cfg = logs_fixture_web_config();
	struct unit_tmproot a;
	struct logs_target t;
	struct logs_query q = open_query();
	struct hits h = { NULL, 0, 0, 0, 1 };
	char *err = NULL, *text, *tail;
	size_t len, o;
	regex_t re;

	web_tree(&a, "logs-across");
	/* archive 1 ends inside the trace of its last record */
	text = log_text(-300000, -200000, 1, &len);
	text = xreallocarray(text, len + 256, 1);
	len = put_line(text, len, -200000, "ERROR first cut");
	len += (size_t)sprintf(text + len, "  at cut.one()\n");
	rotd_archive(&a, "var/log/whatsapp/archive/web.log-20261125T000000Z.gz", text, len, COMPRESS_GZIP);
	free(text);
	/* archive 2 starts with the rest of it, and ends inside another trace */
	tail = log_text(-199999, -100000, 1, &len);
	text = xmalloc(len + 512);
	o = (size_t)sprintf(text, "  at cut.two()\n");
	memcpy(text + o, tail, len);
	o += len;
	o = put_line(text, o, -100000, "ERROR second cut");
	o += (size_t)sprintf(text + o, "  at cut.three()\n");
	free(tail);
	rotd_archive(&a, "var/log/whatsapp/archive/web.log-20261126T000000Z.zst", text, o, COMPRESS_ZSTD);
	free(text);
	/* the live log starts with the rest of that one */
	tail = log_text(-99999, 0, 1, &len);
	text = xmalloc(len + 64);
	o = (size_t)sprintf(text, "  at cut.four()\n");
	memcpy(text + o, tail, len);
	o += len;
	free(tail);
	unit_tmproot_write(&a, "var/log/whatsapp/web.log", text, o, 0);
	free(text);
	t = (struct logs_target){ "web1", &cfg->roles[0], a.fs };
	ck_assert_int_eq(search_compile(&re, "cut\\.(two|four)", 0, &err), 0);
	q.grep = &re;
	ck_assert_int_eq(search_targets(&t, 1, &q, collect, &h), 0);
	ck_assert_str_eq(h.text, "web1 /var/log/whatsapp/web.log web.log-20261125T000000Z.gz -200000 "
				 "2026-11-24 19:26:40 ERROR first cut\n  at cut.one()\n  at cut.two()\n"
				 "web1 /var/log/whatsapp/web.log web.log-20261126T000000Z.zst -100000 "
				 "2026-11-25 23:13:20 ERROR second cut\n  at cut.three()\n  at cut.four()\n");
	free(h.text);
	/* a window around each cut: its other members are skipped, the trace stays whole */
	memset(&h, 0, sizeof(h));
	q.since_us = (T0 - 200000) * 1000000;
	q.until_us = (T0 - 199999) * 1000000;
	ck_assert_int_eq(search_targets(&t, 1, &q, collect, &h), 0);
	ck_assert_uint_eq(h.n, 1);
	ck_assert_ptr_nonnull(strstr(h.text, "  at cut.two()\n"));
	free(h.text);
	memset(&h, 0, sizeof(h));
	q.since_us = (T0 - 100000) * 1000000;
	q.until_us = (T0 - 99999) * 1000000;
	ck_assert_int_eq(search_targets(&t, 1, &q, collect, &h), 0);
	ck_assert_uint_eq(h.n, 1);
	ck_assert_ptr_nonnull(strstr(h.text, "  at cut.four()\n"));
	free(h.text);
	regfree(&re);
	unit_tmproot_remove(&a);
	config_free(cfg);
}
END_TEST

/* A rotation cuts at a block boundary, inside a line: the line's two parts, at
 * the end of one source and the start of the next, are one line again. */
START_TEST(test_line_across_sources)
{
	struct rotd_config *cfg = logs_fixture_web_config();
	struct unit_tmproot a;
	struct logs_target t;
	struct logs_query q = open_query();
	struct hits h = { NULL, 0, 0, 0, 1 };
	char *err = NULL, *text;
	size_t len, cut1, cut2;
	regex_t re;

	web_tree(&a, "logs-cutline");
	text = log_text(-30000, 0, 1, &len);
	text = xreallocarray(text, len + 256, 1);
	len = put_line(text, len, 0, "ERROR the cut one");
	len += (size_t)sprintf(text + len, "  at cut.one()\n");
	len = put_line(text, len, 1, "after");
	/* the first cut inside a line's time, the second inside a trace line */
	cut1 = (size_t)(strstr(text, "2026-11-26 22:00:00") - text) + 7;
	cut2 = (size_t)(strstr(text, "cut.one") - text) + 4;
	rotd_archive(&a, "var/log/whatsapp/archive/web.log-20261126T220000Z.gz", text, cut1, COMPRESS_GZIP);
	rotd_archive(&a, "var/log/whatsapp/archive/web.log-20261127T030000Z.gz", text + cut1, cut2 - cut1,
		     COMPRESS_GZIP);
	unit_tmproot_write(&a, "var/log/whatsapp/web.log", text + cut2, len - cut2, 0);
	t = (struct logs_target){ "web1", &cfg->roles[0], a.fs };
	ck_assert_int_eq(search_compile(&re, "^  at cut\\.one\\(\\)$|^2026-11-26 22:00:00 ", 0, &err), 0);
	q.grep = &re;
	ck_assert_int_eq(search_targets(&t, 1, &q, collect, &h), 0);
	ck_assert_str_eq(h.text, "web1 /var/log/whatsapp/web.log web.log-20261126T220000Z.gz -18000 "
				 "2026-11-26 22:00:00 event -18000 of the web app\n  at handler(-18000)\n  at loop()\n"
				 "web1 /var/log/whatsapp/web.log web.log-20261127T030000Z.gz 0 "
				 "2026-11-27 03:00:00 ERROR the cut one\n  at cut.one()\n");
	free(h.text);
	/* and in a window that starts after the cut */
	memset(&h, 0, sizeof(h));
	q.since_us = T0 * 1000000;
	q.until_us = (T0 + 1) * 1000000;
	ck_assert_int_eq(search_targets(&t, 1, &q, collect, &h), 0);
	ck_assert_uint_eq(h.n, 1);
	free(h.text);
	/* the whole log, every line once */
	memset(&h, 0, sizeof(h));
	q.grep = NULL;
	q.since_us = INT64_MIN;
	q.until_us = INT64_MAX;
	ck_assert_int_eq(search_targets(&t, 1, &q, collect, &h), 0);
	ck_assert_uint_eq(h.n, 30002);
	free(h.text);
	free(text);
	regfree(&re);
	unit_tmproot_remove(&a);
	config_free(cfg);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("logs_search");
	TCase *tc = tcase_create("logs_search");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_merge_three_streams);
	tcase_add_test(tc, test_grep);
	tcase_add_test(tc, test_archives_and_window);
	tcase_add_loop_test(tc, test_members_skipped, 0, 2);
	tcase_add_test(tc, test_unreadable_counted);
	tcase_add_test(tc, test_live_bisection);
	tcase_add_test(tc, test_text_report);
	tcase_add_test(tc, test_record_across_sources);
	tcase_add_test(tc, test_line_across_sources);
	suite_add_tcase(s, tc);
	return s;
}
