/* log: one write(2) per line, so that lines from worker threads never
 * interleave or mix their journal priorities; the transient progress line is
 * erased in the same write as the line that follows it. */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/log.h"
#include "unit.h"

/* Points stderr at fd; returns the old stderr. */
static int redirect_stderr(int fd)
{
	int saved = dup(STDERR_FILENO);

	ck_assert_int_ge(saved, 0);
	ck_assert_int_eq(dup2(fd, STDERR_FILENO), STDERR_FILENO);
	return saved;
}

static void restore_stderr(int saved)
{
	ck_assert_int_eq(dup2(saved, STDERR_FILENO), STDERR_FILENO);
	close(saved);
}

/* ---- many threads, one pipe -------------------------------------------------------- */

#define THREADS 8
#define LINES 3000

struct sink {
	int fd;
	char *buf;
	size_t len, cap;
};

static void *read_all(void *arg)
{
	struct sink *s = arg;

	for (;;) {
		ssize_t n;

		if (s->cap - s->len < 65536) {
			s->cap = s->cap * 2 + 65536;
			s->buf = realloc(s->buf, s->cap);
			if (s->buf == NULL)
				abort();
		}
		n = read(s->fd, s->buf + s->len, s->cap - s->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		s->len += (size_t)n;
	}
	s->buf[s->len] = '\0';
	return NULL;
}

static const char pad[] = "................................................................................"
			  "................................................................................"
			  "................................................................................";

static void *log_lines(void *arg)
{
	long t = (long)arg;

	for (int i = 0; i < LINES; i++) {
		int width = (int)((t * 37 + i * 11) % (int)(sizeof(pad) - 1));

		switch (i % 3) {
		case 0:
			log_info("thread %ld line %d level info %.*s|", t, i, width, pad);
			break;
		case 1:
			log_warnx("thread %ld line %d level warning %.*s|", t, i, width, pad);
			break;
		default:
			errno = ENOSPC;
			log_error("thread %ld line %d level error %.*s|", t, i, width, pad);
			break;
		}
	}
	return NULL;
}

START_TEST(threads_never_interleave_or_mix_priorities)
{
	static unsigned char seen[THREADS][LINES];
	struct sink sink = { -1, NULL, 0, 0 };
	pthread_t reader, w[THREADS];
	int p[2], saved;
	size_t count = 0;
	char *line, *save = NULL;

	ck_assert_int_eq(setenv("JOURNAL_STREAM", "8:12345", 1), 0);
	log_init();
	ck_assert_int_eq(pipe(p), 0);
	sink.fd = p[0];
	ck_assert_int_eq(pthread_create(&reader, NULL, read_all, &sink), 0);
	saved = redirect_stderr(p[1]);
	close(p[1]);
	for (long t = 0; t < THREADS; t++)
		ck_assert_int_eq(pthread_create(&w[t], NULL, log_lines, (void *)t), 0);
	for (int t = 0; t < THREADS; t++)
		ck_assert_int_eq(pthread_join(w[t], NULL), 0);
	restore_stderr(saved);    /* the last write end closes: the reader sees EOF */
	ck_assert_int_eq(pthread_join(reader, NULL), 0);
	close(p[0]);

	ck_assert_msg(sink.len > 0 && sink.buf[sink.len - 1] == '\n', "output does not end a line");
	for (line = strtok_r(sink.buf, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		int pri = -1, t = -1, i = -1, dots = -1, end = 0;
		char level[16] = "";
		const char *tail;

		ck_assert_msg(sscanf(line, "<%d>thread %d line %d level %15s %n", &pri, &t, &i, level, &dots) == 4,
			      "mangled line: %s", line);
		ck_assert_msg(t >= 0 && t < THREADS && i >= 0 && i < LINES, "bad numbers: %s", line);
		ck_assert_msg(!seen[t][i], "line twice: %s", line);
		seen[t][i] = 1;
		ck_assert_int_eq(i % 3, strcmp(level, "info") == 0 ? 0 : strcmp(level, "warning") == 0 ? 1 : 2);
		ck_assert_msg(pri == (i % 3 == 0 ? 6 : i % 3 == 1 ? 4 : 3), "priority %d for %s", pri, level);
		/* The padding is whole, then the end marker, then (errors) strerror. */
		tail = line + dots;
		end = (int)strspn(tail, ".");
		ck_assert_int_eq(end, (int)((t * 37 + i * 11) % (int)(sizeof(pad) - 1)));
		if (i % 3 == 2)
			ck_assert_msg(strcmp(tail + end, "|: No space left on device") == 0, "%s", line);
		else
			ck_assert_msg(strcmp(tail + end, "|") == 0, "%s", line);
		count++;
	}
	ck_assert_uint_eq(count, (size_t)THREADS * LINES);
	free(sink.buf);
	unsetenv("JOURNAL_STREAM");
}
END_TEST

/* ---- one write per line -------------------------------------------------------------
 * On a SOCK_SEQPACKET socket every write(2) is one message, so recv shows how
 * the lines were cut. */

/* The next message on fd. New string. */
static char *next_write(int fd)
{
	char buf[32768];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);

	ck_assert_msg(n > 0, "no write waiting");
	buf[n] = '\0';
	return strdup(buf);
}

static void expect_write(int fd, const char *want)
{
	char *got = next_write(fd);

	ck_assert_str_eq(got, want);
	free(got);
}

START_TEST(one_write_per_line)
{
	int sv[2], saved;
	char big[6000];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	ck_assert_int_eq(setenv("JOURNAL_STREAM", "8:12345", 1), 0);
	log_init();
	saved = redirect_stderr(sv[1]);

	log_info("hello %s", "world");
	errno = EACCES;
	log_warn("cannot open %s", "/x");
	log_errorx("two\nlines");
	log_set_verbose(0);
	log_debug("not shown");
	log_set_verbose(1);
	log_debug("shown");
	log_set_verbose(0);
	memset(big, 'b', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	log_info("%s", big);
	/* The transient line, and the log line that erases it in its own write. */
	log_transient("rotating c:/web.log: 1 of 900 MiB");
	log_transient("rotating c:/web.log: 2 of 900 MiB");
	log_warnx("after the line");
	log_transient_clear();       /* nothing shown: nothing written */
	log_transient("rotating c:/web.log: 3 of 900 MiB");
	log_transient_clear();
	log_info("plain");
	log_errorx_bare("f.conf:1: bad");

	unsetenv("JOURNAL_STREAM");
	log_init();
	log_info("without the journal");
	log_errorx_bare("f.conf:2: bad");
	restore_stderr(saved);

	expect_write(sv[0], "<6>hello world\n");
	expect_write(sv[0], "<4>cannot open /x: Permission denied\n");
	expect_write(sv[0], "<3>two\n<3>lines\n");
	expect_write(sv[0], "<7>shown\n");
	{
		char *got = next_write(sv[0]);

		/* Cut at the message limit, still one line with its prefix. */
		ck_assert_uint_ge(strlen(got), 4000);
		ck_assert(strncmp(got, "<6>bbbb", 7) == 0);
		ck_assert_int_eq(got[strlen(got) - 1], '\n');
		ck_assert_ptr_eq(strchr(got, '\n'), got + strlen(got) - 1);
		free(got);
	}
	expect_write(sv[0], "\rrotating c:/web.log: 1 of 900 MiB\033[K");
	expect_write(sv[0], "\rrotating c:/web.log: 2 of 900 MiB\033[K");
	expect_write(sv[0], "\r\033[K<4>after the line\n");
	expect_write(sv[0], "\rrotating c:/web.log: 3 of 900 MiB\033[K");
	expect_write(sv[0], "\r\033[K");
	expect_write(sv[0], "<6>plain\n");
	expect_write(sv[0], "<3>f.conf:1: bad\n");
	expect_write(sv[0], "rotd: without the journal\n");
	expect_write(sv[0], "f.conf:2: bad\n");
	ck_assert_int_lt(recv(sv[0], big, sizeof(big), MSG_DONTWAIT), 0);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("lines");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, threads_never_interleave_or_mix_priorities);
	tcase_add_test(tc, one_write_per_line);
	suite_add_tcase(s, tc);
	return s;
}
