/* progress: concurrent updates, the figures people read (amounts, bytes/s,
 * ETA), the 64 MiB threshold of the terminal line, no line when stderr is not
 * a terminal, and the stop acknowledgement said by a thread within ~100 ms. */
#include "autoconf.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/progress.h"
#include "lib/shutdown.h"
#include "unit.h"

#define MiB (UINT64_C(1) << 20)
#define GiB (UINT64_C(1) << 30)

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct progress_entry entry(const char *step, const char *ctr, const char *path, uint64_t done,
				   uint64_t total, double seconds)
{
	struct progress_entry e = { (char *)step, (char *)ctr, (char *)path, done, total, seconds };

	return e;
}

/* ---- the registry under threads ---------------------------------------------- */

#define WORKERS 8
#define CHUNKS 2000
#define CHUNK 4096

static atomic_int readers_stop;
static pthread_barrier_t begun, go;

static void *snapshotter(void *arg)
{
	size_t *seen = arg;

	while (!atomic_load(&readers_stop)) {
		struct progress_snapshot s;

		progress_snapshot(&s);
		ck_assert_uint_le(s.n, 2 * WORKERS);
		for (size_t i = 0; i < s.n; i++) {
			ck_assert_ptr_nonnull(s.v[i].step);
			ck_assert_uint_le(s.v[i].done, s.v[i].total);
			ck_assert(s.v[i].seconds >= 0.0);
		}
		if (s.n > *seen)
			*seen = s.n;
		progress_snapshot_free(&s);
	}
	return NULL;
}

static void *worker(void *arg)
{
	long id = (long)arg;
	char path[64];
	struct progress_snapshot s;
	int found = 0;

	snprintf(path, sizeof(path), "/var/log/whatsapp/w%ld.log", id);
	progress_begin("rotating", "biz_waweb_1", path, 0);
	progress_set_total((uint64_t)CHUNKS * CHUNK);
	pthread_barrier_wait(&begun);
	pthread_barrier_wait(&go);
	/* A nested piece hides nothing of the outer one's count. */
	progress_begin("media", "volume:whatsappMedia", NULL, 0);
	progress_end();
	for (int i = 0; i < CHUNKS; i++)
		progress_advance(CHUNK);
	progress_snapshot(&s);
	for (size_t i = 0; i < s.n; i++) {
		if (s.v[i].path != NULL && strcmp(s.v[i].path, path) == 0) {
			ck_assert_uint_eq(s.v[i].done, (uint64_t)CHUNKS * CHUNK);
			ck_assert_uint_eq(s.v[i].total, (uint64_t)CHUNKS * CHUNK);
			ck_assert_str_eq(s.v[i].step, "rotating");
			ck_assert_str_eq(s.v[i].container, "biz_waweb_1");
			found++;
		}
	}
	progress_snapshot_free(&s);
	ck_assert_int_eq(found, 1);
	progress_end();
	return NULL;
}

START_TEST(concurrent_updates)
{
	pthread_t w[WORKERS], r;
	uint64_t gen = progress_generation();
	size_t seen = 0;
	struct progress_snapshot s;

	/* Outside any piece, updates do nothing. */
	progress_advance(100);
	progress_set_total(100);
	progress_end();
	progress_snapshot(&s);
	ck_assert_uint_eq(s.n, 0);
	progress_snapshot_free(&s);

	atomic_store(&readers_stop, 0);
	ck_assert_int_eq(pthread_barrier_init(&begun, NULL, WORKERS + 1), 0);
	ck_assert_int_eq(pthread_barrier_init(&go, NULL, WORKERS + 1), 0);
	ck_assert_int_eq(pthread_create(&r, NULL, snapshotter, &seen), 0);
	for (long i = 0; i < WORKERS; i++)
		ck_assert_int_eq(pthread_create(&w[i], NULL, worker, (void *)i), 0);
	/* Every worker has begun its piece: all are seen, none done yet. */
	pthread_barrier_wait(&begun);
	progress_snapshot(&s);
	ck_assert_uint_eq(s.n, WORKERS);
	for (size_t i = 0; i < s.n; i++) {
		ck_assert_uint_eq(s.v[i].total, (uint64_t)CHUNKS * CHUNK);
		ck_assert_uint_eq(s.v[i].done, 0);
	}
	progress_snapshot_free(&s);
	pthread_barrier_wait(&go);
	for (int i = 0; i < WORKERS; i++)
		ck_assert_int_eq(pthread_join(w[i], NULL), 0);
	atomic_store(&readers_stop, 1);
	ck_assert_int_eq(pthread_join(r, NULL), 0);
	pthread_barrier_destroy(&begun);
	pthread_barrier_destroy(&go);
	ck_assert_uint_le(seen, 2 * WORKERS);
	ck_assert_uint_gt(progress_generation(), gen);
	progress_snapshot(&s);
	ck_assert_uint_eq(s.n, 0);
	progress_snapshot_free(&s);
}
END_TEST

START_TEST(nesting_and_order)
{
	struct progress_snapshot s;

	progress_begin("remediation", NULL, NULL, 0);
	progress_begin("rotating", "c1", "/a.log", 10 * MiB);
	progress_advance(MiB);
	progress_snapshot(&s);
	ck_assert_uint_eq(s.n, 2);
	ck_assert_str_eq(s.v[0].step, "remediation");
	ck_assert_str_eq(s.v[1].step, "rotating");
	ck_assert_uint_eq(s.v[0].done, 0);
	ck_assert_uint_eq(s.v[1].done, MiB);
	/* The piece with bytes left is the one to name. */
	ck_assert_ptr_eq(progress_main(&s), &s.v[1]);
	progress_snapshot_free(&s);
	progress_end();
	progress_advance(MiB); /* the outer one again */
	progress_snapshot(&s);
	ck_assert_uint_eq(s.n, 1);
	ck_assert_uint_eq(s.v[0].done, MiB);
	ck_assert_ptr_eq(progress_main(&s), &s.v[0]);
	progress_snapshot_free(&s);
	progress_end();
	progress_snapshot(&s);
	ck_assert_uint_eq(s.n, 0);
	ck_assert_ptr_null(progress_main(&s));
	ck_assert_ptr_null(progress_status_line(&s));
	progress_snapshot_free(&s);
}
END_TEST

/* ---- formatting ------------------------------------------------------------------ */

START_TEST(amounts)
{
	char b[64];

	ck_assert_str_eq(progress_format_amount(412 * MiB, 894 * MiB + 300 * 1024, b, sizeof(b)), "412 of 894 MiB");
	ck_assert_str_eq(progress_format_amount(412 * MiB + MiB / 2, 894 * MiB, b, sizeof(b)), "412 of 894 MiB");
	ck_assert_str_eq(progress_format_amount(GiB + GiB / 5 + MiB, 2 * GiB + GiB * 6 / 10 + MiB, b, sizeof(b)),
			 "1.2 of 2.6 GiB");
	ck_assert_str_eq(progress_format_amount(12 * MiB, 40 * MiB, b, sizeof(b)), "12 of 40 MiB");
	ck_assert_str_eq(progress_format_amount(0, 5 * MiB, b, sizeof(b)), "0.0 of 5.0 MiB");
	ck_assert_str_eq(progress_format_amount(100, 900, b, sizeof(b)), "100 of 900 B");
	/* Never rounded up to look finished. */
	ck_assert_str_eq(progress_format_amount(894 * MiB - 1, 894 * MiB, b, sizeof(b)), "893 of 894 MiB");
	ck_assert_str_eq(progress_format_amount(894 * MiB, 894 * MiB, b, sizeof(b)), "894 of 894 MiB");
	/* Total not known: what is done. */
	ck_assert_str_eq(progress_format_amount(12 * 1024, 0, b, sizeof(b)), "12 KiB");
	ck_assert_str_eq(progress_format_amount(0, 0, b, sizeof(b)), "");
	ck_assert_str_eq(progress_format_amount(UINT64_MAX, UINT64_MAX, b, sizeof(b)), "15 of 15 EiB");
}
END_TEST

START_TEST(rates_and_etas)
{
	char b[32];
	struct progress_entry e = entry("rotating", "c", "/x.log", 100 * MiB, 200 * MiB, 2.0);

	ck_assert_str_eq(progress_format_rate(45.1 * MiB, b, sizeof(b)), "45.1 MiB/s");
	ck_assert_str_eq(progress_format_rate(512, b, sizeof(b)), "512 B/s");
	ck_assert_str_eq(progress_format_rate(0, b, sizeof(b)), "0 B/s");
	ck_assert_str_eq(progress_format_rate(-3, b, sizeof(b)), "0 B/s");
	ck_assert_str_eq(progress_format_rate(1.5 * GiB, b, sizeof(b)), "1.5 GiB/s");

	ck_assert_str_eq(progress_format_eta(0, b, sizeof(b)), "0s");
	ck_assert_str_eq(progress_format_eta(10.2, b, sizeof(b)), "11s");
	ck_assert_str_eq(progress_format_eta(59.5, b, sizeof(b)), "1m 00s");
	ck_assert_str_eq(progress_format_eta(125, b, sizeof(b)), "2m 05s");
	ck_assert_str_eq(progress_format_eta(3720, b, sizeof(b)), "1h 02m");
	ck_assert_str_eq(progress_format_eta(3 * 86400 + 4 * 3600, b, sizeof(b)), "3d 04h");
	ck_assert_str_eq(progress_format_eta(-1, b, sizeof(b)), "0s");

	ck_assert(progress_rate(&e) == 50.0 * MiB);
	e.seconds = 0.2;  /* too early to say */
	ck_assert(progress_rate(&e) == 0.0);
	e.seconds = 2.0;
	e.done = 0;
	ck_assert(progress_rate(&e) == 0.0);
}
END_TEST

START_TEST(describe)
{
	struct progress_entry e = entry("rotating", "biz_wacore1_1", "/usr/local/waent/logs/wa.log", 412 * MiB,
					894 * MiB, 9.0);
	struct progress_entry job = entry("cleanup.sh", "biz_waweb_1", NULL, 0, 0, 3.0);
	struct progress_entry evil = entry("rotating", "evil\x1b[2J", "/var/log/\n\xff.log", 0, 0, 1.0);
	char *s;

	s = progress_describe(&e);
	ck_assert_str_eq(s, "rotating biz_wacore1_1:/usr/local/waent/logs/wa.log: 412 of 894 MiB");
	free(s);
	s = progress_describe(&job);
	ck_assert_str_eq(s, "cleanup.sh biz_waweb_1");
	free(s);
	s = progress_describe(&evil);
	ck_assert_str_eq(s, "rotating evil\\x1b[2J:/var/log/\\x0a\\xff.log");
	free(s);
}
END_TEST

START_TEST(status_line)
{
	struct progress_entry v[3] = {
		entry("rotating", "biz_waweb_1", "/var/log/whatsapp/web.log", 5 * MiB, 20 * MiB, 1.0),
		entry("rotating", "biz_wacore1_1", "/usr/local/waent/logs/wa.log", 412 * MiB, 894 * MiB, 9.0),
		entry("archiving", "biz_wacore1_1", "/usr/local/waent/logs/wa-1.log", 1 * MiB, 16 * MiB, 1.0),
	};
	struct progress_snapshot s = { v, 3 };
	char *line = progress_status_line(&s);

	ck_assert_str_eq(line, "rotating biz_wacore1_1:/usr/local/waent/logs/wa.log: 412 of 894 MiB (and 2 more)");
	free(line);
	s.n = 1;
	line = progress_status_line(&s);
	ck_assert_str_eq(line, "rotating biz_waweb_1:/var/log/whatsapp/web.log: 5 of 20 MiB");
	free(line);
}
END_TEST

START_TEST(console_threshold)
{
	struct progress_entry v[2] = {
		entry("rotating", "biz_waweb_1", "/var/log/whatsapp/web.log", 32 * MiB, 64 * MiB, 4.0),
		entry("rotating", "biz_wacore1_1", "/usr/local/waent/logs/wa.log", 400 * MiB, 800 * MiB, 8.0),
	};
	/* The same small file once it is just over the threshold, then too early
	 * for a rate; and as a big file, rotating or archiving, beside v[1]. */
	struct progress_entry above[1] = {
		entry("rotating", "biz_waweb_1", "/var/log/whatsapp/web.log", 32 * MiB, PROGRESS_CONSOLE_MIN + 1, 4.0),
	};
	struct progress_entry early[1] = {
		entry("rotating", "biz_waweb_1", "/var/log/whatsapp/web.log", 32 * MiB, PROGRESS_CONSOLE_MIN + 1, 0.1),
	};
	struct progress_entry two_big[2] = {
		entry("rotating", "biz_waweb_1", "/var/log/whatsapp/web.log", 32 * MiB, 96 * MiB, 4.0),
		v[1],
	};
	struct progress_entry two_steps[2] = {
		entry("archiving", "biz_waweb_1", "/var/log/whatsapp/web.log", 32 * MiB, 96 * MiB, 4.0),
		v[1],
	};
	struct progress_snapshot at_min_s = { v, 1 }, above_s = { above, 1 }, early_s = { early, 1 };
	struct progress_snapshot small_big_s = { v, 2 }, two_big_s = { two_big, 2 }, two_steps_s = { two_steps, 2 };
	struct progress_snapshot big_s = { &v[1], 1 };
	char *line;

	/* 64 MiB exactly: no line. */
	ck_assert_ptr_null(progress_console_line(&at_min_s, 0));
	line = progress_console_line(&above_s, 0);
	ck_assert_ptr_nonnull(line);
	ck_assert_str_eq(line, "rotating biz_waweb_1:/var/log/whatsapp/web.log: 32 of 64 MiB, 8.0 MiB/s, ETA 5s");
	free(line);
	/* Too early for a rate: no rate, no ETA. */
	line = progress_console_line(&early_s, 0);
	ck_assert_str_eq(line, "rotating biz_waweb_1:/var/log/whatsapp/web.log: 32 of 64 MiB");
	free(line);

	/* The small file is left out of the sum; the big one alone is named. */
	line = progress_console_line(&small_big_s, 0);
	ck_assert_str_eq(line, "rotating biz_wacore1_1:/usr/local/waent/logs/wa.log: 400 of 800 MiB, 50.0 MiB/s, ETA 8s");
	free(line);
	/* Two big ones: summed, the later ETA. */
	line = progress_console_line(&two_big_s, 0);
	ck_assert_str_eq(line, "rotating 2 files: 432 of 896 MiB, 58.0 MiB/s, ETA 8s");
	free(line);
	line = progress_console_line(&two_steps_s, 0);
	ck_assert_str_eq(line, "compressing 2 files: 432 of 896 MiB, 58.0 MiB/s, ETA 8s");
	free(line);

	/* Fit to the terminal: the path shortened first, then cut; never wraps. */
	line = progress_console_line(&big_s, 100);
	ck_assert_str_eq(line, "rotating biz_wacore1_1:/usr/local/waent/logs/wa.log: 400 of 800 MiB, 50.0 MiB/s, ETA 8s");
	free(line);
	line = progress_console_line(&big_s, 72);
	ck_assert_str_eq(line, "rotating biz_wacore1_1:.../wa.log: 400 of 800 MiB, 50.0 MiB/s, ETA 8s");
	free(line);
	line = progress_console_line(&big_s, 40);
	ck_assert_uint_eq(strlen(line), 39);
	free(line);
}
END_TEST

START_TEST(stop_lines)
{
	struct progress_entry v[2] = {
		entry("rotating", "biz_waweb_1", "/var/log/whatsapp/web.log", 412 * MiB, 894 * MiB, 9.0),
		entry("cleanup.sh", "biz_wacore1_1", NULL, 0, 0, 3.0),
	};
	struct progress_snapshot s = { v, 1 };
	char *line;

	line = progress_stop_line(&s, 30, "press Ctrl-C again to stop at once");
	ck_assert_str_eq(line, "stopping: finishing biz_waweb_1:/var/log/whatsapp/web.log (412 of 894 MiB, up to 30 s "
			       "more); press Ctrl-C again to stop at once");
	free(line);
	s.n = 2;
	line = progress_stop_line(&s, 30, NULL);
	ck_assert_str_eq(line, "stopping: finishing biz_waweb_1:/var/log/whatsapp/web.log (412 of 894 MiB, up to 30 s "
			       "more) and 1 more");
	free(line);
	line = progress_stop_line(&s, 0, NULL);
	ck_assert_str_eq(line, "stopping: abandoning biz_waweb_1:/var/log/whatsapp/web.log (412 of 894 MiB) and 1 more");
	free(line);
	s.v = &v[1];
	s.n = 1;
	line = progress_stop_line(&s, 30, NULL);
	ck_assert_str_eq(line, "stopping: finishing cleanup.sh biz_wacore1_1 (up to 30 s more)");
	free(line);
	s.n = 0;
	line = progress_stop_line(&s, 30, "press Ctrl-C again to stop at once");
	ck_assert_str_eq(line, "stopping on request; press Ctrl-C again to stop at once");
	free(line);
}
END_TEST

/* ---- the watch thread ----------------------------------------------------------- */

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

/* Everything readable on fd now (non-blocking). New string. */
static char *drain(int fd)
{
	size_t len = 0, cap = 65536;
	char *buf = malloc(cap);
	ssize_t n;

	ck_assert_ptr_nonnull(buf);
	while ((n = read(fd, buf + len, cap - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	return buf;
}

START_TEST(no_line_when_not_a_tty)
{
	int p[2], saved;
	char *out;

	ck_assert_int_eq(pipe2(p, O_NONBLOCK), 0);
	saved = redirect_stderr(p[1]);
	progress_begin("rotating", "biz_waweb_1", "/var/log/whatsapp/web.log", 900 * MiB);
	progress_console_start();
	for (int i = 0; i < 8; i++) {
		progress_advance(10 * MiB);
		sleep_ms(100);
	}
	progress_console_stop();
	progress_end();
	restore_stderr(saved);
	out = drain(p[0]);
	ck_assert_str_eq(out, "");
	free(out);
	close(p[0]);
	close(p[1]);
}
END_TEST

START_TEST(line_on_a_tty)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY), slave, saved;
	char *out;

	ck_assert_int_ge(master, 0);
	ck_assert_int_eq(grantpt(master), 0);
	ck_assert_int_eq(unlockpt(master), 0);
	slave = open(ptsname(master), O_RDWR | O_NOCTTY);
	ck_assert_int_ge(slave, 0);
	ck_assert_int_eq(fcntl(master, F_SETFL, O_NONBLOCK), 0);
	saved = redirect_stderr(slave);

	/* A small file: nothing. */
	progress_begin("rotating", "biz_waweb_1", "/var/log/whatsapp/small.log", 64 * MiB);
	progress_console_start();
	progress_advance(MiB);
	sleep_ms(400);
	progress_console_stop();
	progress_end();
	out = drain(master);
	ck_assert_str_eq(out, "");
	free(out);

	/* A big one: drawn with \r, with bytes/s and ETA, and erased at the end. */
	progress_begin("rotating", "biz_wacore1_1", "/usr/local/waent/logs/wa.log", 894 * MiB);
	progress_console_start();
	for (int i = 0; i < 10; i++) {
		progress_advance(20 * MiB);
		sleep_ms(100);
	}
	progress_console_stop();
	progress_end();
	restore_stderr(saved);
	out = drain(master);
	ck_assert_msg(strstr(out, "\rrotating biz_wacore1_1:/usr/local/waent/logs/wa.log: ") != NULL, "%s", out);
	ck_assert_msg(strstr(out, " of 894 MiB, ") != NULL, "%s", out);
	ck_assert_msg(strstr(out, "MiB/s, ETA ") != NULL, "%s", out);
	ck_assert_msg(strchr(out, '\n') == NULL, "a progress line must not scroll: %s", out);
	ck_assert_msg(strlen(out) >= 4 && strcmp(out + strlen(out) - 4, "\r\033[K") == 0, "not erased: %s", out);
	free(out);
	close(slave);
	close(master);
}
END_TEST

static atomic_int changed_calls;

static void count_changed(void *arg)
{
	(void)arg;
	atomic_fetch_add(&changed_calls, 1);
}

START_TEST(changed_at_most_once_a_second)
{
	struct progress_watch_options o = { 0, NULL, count_changed, NULL };
	struct progress_watch *w = progress_watch_start(&o);
	double t0 = now_s();
	int calls;

	ck_assert_ptr_nonnull(w);
	sleep_ms(1200);
	ck_assert_int_eq(atomic_load(&changed_calls), 0); /* nothing changed */
	progress_begin("rotating", "c", "/x.log", 100 * MiB);
	while (now_s() - t0 < 3.7) {
		progress_advance(64 * 1024);
		sleep_ms(5);
	}
	progress_end();
	progress_watch_stop(w);
	calls = atomic_load(&changed_calls);
	/* ~2.5 s of changes after 1.2 s of quiet: at most once a second. */
	ck_assert_msg(calls >= 2 && calls <= 3, "%d calls", calls);
}
END_TEST

START_TEST(stop_is_acknowledged_at_once)
{
	struct pollfd pfd;
	int p[2], saved;
	double t0, waited;
	char *out;

	ck_assert_int_eq(pipe2(p, O_NONBLOCK), 0);
	saved = redirect_stderr(p[1]);
	shutdown_set_grace(30);
	ck_assert_uint_eq(shutdown_grace_left(), 30);
	ck_assert_int_eq(shutdown_acknowledge(), 0);  /* nothing to acknowledge yet */
	shutdown_install_handlers(-1);
	progress_begin("rotating", "biz_waweb_1", "/var/log/whatsapp/web.log", 894 * MiB);
	progress_advance(412 * MiB);
	progress_console_start();
	t0 = now_s();
	/* The handler only sets the flag; the watch thread says it. */
	ck_assert_int_eq(raise(SIGINT), 0);
	pfd.fd = p[0];
	pfd.events = POLLIN;
	ck_assert_int_eq(poll(&pfd, 1, 1000), 1);
	waited = now_s() - t0;
	sleep_ms(300); /* said once, not every tick */
	progress_console_stop();
	progress_end();
	restore_stderr(saved);
	out = drain(p[0]);
	ck_assert_str_eq(out, "rotd: stopping: finishing biz_waweb_1:/var/log/whatsapp/web.log (412 of 894 MiB, up to 30 s "
			      "more); a second SIGINT or SIGTERM stops at once\n");
	ck_assert_msg(waited < 0.3, "acknowledged after %.3f s", waited);
	/* Nobody else says it again. */
	ck_assert_int_eq(shutdown_acknowledge(), 0);
	/* The grace counts down from the request. */
	ck_assert_uint_eq(shutdown_grace_left(), 30);
	shutdown_set_grace(1);
	sleep_ms(1100);
	ck_assert_uint_eq(shutdown_grace_left(), 0);
	ck_assert_int_eq(shutdown_abandon(), 1);
	free(out);
	close(p[0]);
	close(p[1]);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("progress");
	TCase *tc = tcase_create("registry");
	TCase *fmt = tcase_create("formatting");
	TCase *watch = tcase_create("watch");

	tcase_add_test(tc, concurrent_updates);
	tcase_add_test(tc, nesting_and_order);
	suite_add_tcase(s, tc);
	tcase_add_test(fmt, amounts);
	tcase_add_test(fmt, rates_and_etas);
	tcase_add_test(fmt, describe);
	tcase_add_test(fmt, status_line);
	tcase_add_test(fmt, console_threshold);
	tcase_add_test(fmt, stop_lines);
	suite_add_tcase(s, fmt);
	tcase_set_timeout(watch, 20);
	tcase_add_test(watch, no_line_when_not_a_tty);
	tcase_add_test(watch, line_on_a_tty);
	tcase_add_test(watch, changed_at_most_once_a_second);
	/* Last: a stop request cannot be taken back (when Check does not fork). */
	tcase_add_test(watch, stop_is_acknowledged_at_once);
	suite_add_tcase(s, watch);
	return s;
}
