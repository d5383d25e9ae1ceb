#include "autoconf.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "lib/escape.h"
#include "lib/log.h"
#include "lib/progress.h"
#include "lib/shutdown.h"
#include "lib/units.h"
#include "lib/xalloc.h"

#define WATCH_TICK_MS 100         /* how soon a stop request is acknowledged */
#define CHANGED_EVERY_S 1.0       /* the daemon's status file and STATUS=, at most */
#define DRAW_EVERY_S 0.25         /* the terminal line */
#define RATE_AFTER_S 0.5          /* a rate measured over less says little */

/* ---- the registry ------------------------------------------------------------
 * Pieces in progress, oldest first, under lock. Each belongs to the thread that
 * began it: only that thread advances or ends it, so advancing needs no lock and
 * a piece is freed only after it left the list. */

struct piece {
	char *step;
	char *container;
	char *path;
	atomic_uint_fast64_t done;
	atomic_uint_fast64_t total;
	double started;               /* monotonic seconds */
	struct piece *outer;          /* the thread's enclosing piece */
	struct piece *prev, *next;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct piece *oldest, *newest;   /* guarded by lock */
static atomic_uint_fast64_t generation;
static _Thread_local struct piece *innermost;

static double monotonic_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void progress_begin(const char *step, const char *container, const char *path, uint64_t total)
{
	struct piece *p = xcalloc(1, sizeof(*p));

	p->step = xstrdup(step != NULL ? step : "working");
	p->container = container != NULL ? xstrdup(container) : NULL;
	p->path = path != NULL ? xstrdup(path) : NULL;
	atomic_init(&p->done, 0);
	atomic_init(&p->total, total);
	p->started = monotonic_s();
	p->outer = innermost;
	innermost = p;
	pthread_mutex_lock(&lock);
	p->prev = newest;
	if (newest != NULL)
		newest->next = p;
	else
		oldest = p;
	newest = p;
	pthread_mutex_unlock(&lock);
	atomic_fetch_add(&generation, 1);
}

void progress_set_total(uint64_t total)
{
	if (innermost == NULL)
		return;
	atomic_store(&innermost->total, total);
	atomic_fetch_add(&generation, 1);
}

void progress_advance(uint64_t bytes)
{
	if (innermost == NULL)
		return;
	atomic_fetch_add(&innermost->done, bytes);
	atomic_fetch_add(&generation, 1);
}

void progress_end(void)
{
	struct piece *p = innermost;

	if (p == NULL)
		return;
	innermost = p->outer;
	pthread_mutex_lock(&lock);
	if (p->prev != NULL)
		p->prev->next = p->next;
	else
		oldest = p->next;
	if (p->next != NULL)
		p->next->prev = p->prev;
	else
		newest = p->prev;
	pthread_mutex_unlock(&lock);
	atomic_fetch_add(&generation, 1);
	free(p->step);
	free(p->container);
	free(p->path);
	free(p);
}

void progress_snapshot(struct progress_snapshot *s)
{
	double now = monotonic_s();
	size_t n = 0, i = 0;

	pthread_mutex_lock(&lock);
	for (const struct piece *p = oldest; p != NULL; p = p->next)
		n++;
	s->v = n > 0 ? xcalloc(n, sizeof(*s->v)) : NULL;
	for (const struct piece *p = oldest; p != NULL; p = p->next, i++) {
		struct progress_entry *e = &s->v[i];

		e->step = xstrdup(p->step);
		e->container = p->container != NULL ? xstrdup(p->container) : NULL;
		e->path = p->path != NULL ? xstrdup(p->path) : NULL;
		e->done = (uint64_t)atomic_load(&p->done);
		e->total = (uint64_t)atomic_load(&p->total);
		e->seconds = now > p->started ? now - p->started : 0.0;
	}
	pthread_mutex_unlock(&lock);
	s->n = n;
}

void progress_snapshot_free(struct progress_snapshot *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].step);
		free(s->v[i].container);
		free(s->v[i].path);
	}
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

uint64_t progress_generation(void)
{
	return (uint64_t)atomic_load(&generation);
}

/* ---- formatting ---------------------------------------------------------------- */

static const char *const unit_names[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };

/* The largest binary unit v holds at least once. */
static unsigned unit_of(uint64_t v)
{
	unsigned u = 0;

	while (u + 1 < sizeof(unit_names) / sizeof(unit_names[0]) && v >> (10 * (u + 1)) != 0)
		u++;
	return u;
}

/* v in unit u, rounded down, with one decimal or none; in integers, so that
 * nothing rounds up to look finished. */
static void figure(uint64_t v, unsigned u, int decimal, char *buf, size_t len)
{
	unsigned shift = 10 * u;
	uint64_t whole = v >> shift;
	/* The remainder is under 2^60, so ten times it still fits. */
	uint64_t tenths = u > 0 ? ((v & ((UINT64_C(1) << shift) - 1)) * 10) >> shift : 0;

	if (u > 0 && decimal)
		snprintf(buf, len, "%" PRIu64 ".%" PRIu64, whole, tenths);
	else
		snprintf(buf, len, "%" PRIu64, whole);
}

/* Whether figures of total's size read better with a decimal: "1.2 of 2.6 GiB",
 * but "412 of 894 MiB". */
static int wants_decimal(uint64_t v, unsigned u)
{
	return u > 0 && v >> (10 * u) < 10;
}

char *progress_format_amount(uint64_t done, uint64_t total, char *buf, size_t len)
{
	uint64_t scale = total != 0 ? total : done;
	unsigned u = unit_of(scale);
	int dec = wants_decimal(scale, u);
	char d[32], t[32];

	if (scale == 0) {
		snprintf(buf, len, "%s", "");
		return buf;
	}
	figure(done, u, dec, d, sizeof(d));
	if (total == 0) {
		snprintf(buf, len, "%s %s", d, unit_names[u]);
		return buf;
	}
	figure(total, u, dec, t, sizeof(t));
	snprintf(buf, len, "%s of %s %s", d, t, unit_names[u]);
	return buf;
}

char *progress_format_rate(double bytes_per_second, char *buf, size_t len)
{
	uint64_t b = 0;
	size_t n;

	if (isfinite(bytes_per_second) && bytes_per_second > 0)
		b = bytes_per_second >= 1.8e19 ? UINT64_MAX : (uint64_t)bytes_per_second;
	units_format_size(b, buf, len);
	n = strlen(buf);
	if (len > n)
		snprintf(buf + n, len - n, "/s");
	return buf;
}

char *progress_format_eta(double seconds, char *buf, size_t len)
{
	long long s = 0;

	if (isfinite(seconds) && seconds > 0) {
		s = seconds >= 1e15 ? (long long)1e15 : (long long)seconds;
		if ((double)s < seconds)
			s++;   /* rounded up: never "0s" while work is left */
	}
	return units_format_span((uint64_t)s, 1, buf, len);
}

double progress_rate(const struct progress_entry *e)
{
	if (e->seconds < RATE_AFTER_S || e->done == 0)
		return 0.0;
	return (double)e->done / e->seconds;
}

/* Seconds left at the rate so far, or -1 when unknown. */
static double eta_of(const struct progress_entry *e)
{
	double rate = progress_rate(e);

	if (rate <= 0 || e->total == 0)
		return -1;
	return e->total > e->done ? (double)(e->total - e->done) / rate : 0.0;
}

/* "biz_waweb_1:/var/log/whatsapp/web.log", or with step and no path
 * "cleanup.sh biz_waweb_1"; base_only shortens the path to ".../NAME". Escaped.
 * New string. */
static char *subject(const struct progress_entry *e, int with_step, int base_only)
{
	const char *path = e->path;
	char *c = e->container != NULL ? escape_text(e->container) : NULL;
	char *p, *out;

	if (path != NULL && base_only && strrchr(path, '/') != NULL && strrchr(path, '/') != path)
		path = strrchr(path, '/') + 1;
	p = path != NULL ? escape_text(path) : NULL;
	out = xasprintf("%s%s%s%s%s%s", with_step ? e->step : "", with_step && (c != NULL || p != NULL) ? " " : "",
			c != NULL ? c : "", c != NULL && p != NULL ? ":" : "",
			p != NULL && path != e->path ? ".../" : "", p != NULL ? p : "");
	free(c);
	free(p);
	return out;
}

char *progress_describe(const struct progress_entry *e)
{
	char *what = subject(e, 1, 0), *out;
	char amount[64];

	progress_format_amount(e->done, e->total, amount, sizeof(amount));
	if (amount[0] == '\0')
		return what;
	out = xasprintf("%s: %s", what, amount);
	free(what);
	return out;
}

const struct progress_entry *progress_main(const struct progress_snapshot *s)
{
	const struct progress_entry *best = NULL;
	uint64_t best_left = 0;

	for (size_t i = 0; i < s->n; i++) {
		const struct progress_entry *e = &s->v[i];
		uint64_t left = e->total > e->done ? e->total - e->done : 0;

		if (e->total == 0)
			continue;
		if (best == NULL || left > best_left) {
			best = e;
			best_left = left;
		}
	}
	if (best == NULL && s->n > 0)
		best = &s->v[s->n - 1];
	return best;
}

char *progress_status_line(const struct progress_snapshot *s)
{
	const struct progress_entry *e = progress_main(s);
	char *what, *out;

	if (e == NULL)
		return NULL;
	what = progress_describe(e);
	if (s->n == 1)
		return what;
	out = xasprintf("%s (and %zu more)", what, s->n - 1);
	free(what);
	return out;
}

/* The console line for the big entries, with the subject shortened or not. */
static char *console_text(const struct progress_snapshot *s, int base_only)
{
	const struct progress_entry *one = NULL;
	const char *step = NULL;
	uint64_t done = 0, total = 0;
	double rate = 0.0, eta = -1.0;
	size_t n = 0;
	char amount[64], *what, *out;
	int rates_known = 1;

	for (size_t i = 0; i < s->n; i++) {
		const struct progress_entry *e = &s->v[i];
		double ee = eta_of(e);

		if (e->total <= PROGRESS_CONSOLE_MIN)
			continue;
		n++;
		one = e;
		if (step == NULL)
			step = e->step;
		else if (strcmp(step, e->step) != 0)
			step = "compressing";
		done += e->done;
		total += e->total;
		rate += progress_rate(e);
		if (ee < 0)
			rates_known = 0;
		else if (ee > eta)
			eta = ee;
	}
	if (n == 0)
		return NULL;
	what = n == 1 ? subject(one, 1, base_only) : xasprintf("%s %zu files", step, n);
	progress_format_amount(done, total, amount, sizeof(amount));
	if (rate > 0 && rates_known) {
		char r[32], t[32];

		out = xasprintf("%s: %s, %s, ETA %s", what, amount, progress_format_rate(rate, r, sizeof(r)),
				progress_format_eta(eta, t, sizeof(t)));
	} else {
		out = xasprintf("%s: %s", what, amount);
	}
	free(what);
	return out;
}

char *progress_console_line(const struct progress_snapshot *s, size_t width)
{
	char *line = console_text(s, 0);

	if (line == NULL || width == 0 || strlen(line) < width)
		return line;
	free(line);
	line = console_text(s, 1);
	if (strlen(line) >= width)
		line[width > 1 ? width - 1 : 0] = '\0';
	return line;
}

char *progress_stop_line(const struct progress_snapshot *s, unsigned grace, const char *hint)
{
	const struct progress_entry *e = progress_main(s);
	char *line, *out;

	if (e == NULL) {
		line = xstrdup("stopping on request");
	} else {
		char amount[64], more[32] = "", extra[48] = "";
		char *what = subject(e, e->path == NULL, 0);

		progress_format_amount(e->done, e->total, amount, sizeof(amount));
		if (grace > 0)
			snprintf(more, sizeof(more), "up to %u s more", grace);
		if (s->n > 1)
			snprintf(extra, sizeof(extra), " and %zu more", s->n - 1);
		if (amount[0] != '\0' || more[0] != '\0')
			line = xasprintf("stopping: %s %s (%s%s%s)%s", grace > 0 ? "finishing" : "abandoning", what,
					 amount, amount[0] != '\0' && more[0] != '\0' ? ", " : "", more, extra);
		else
			line = xasprintf("stopping: %s %s%s", grace > 0 ? "finishing" : "abandoning", what, extra);
		free(what);
	}
	if (hint == NULL)
		return line;
	out = xasprintf("%s; %s", line, hint);
	free(line);
	return out;
}

/* ---- the watch thread ------------------------------------------------------------ */

struct progress_watch {
	pthread_t tid;
	pthread_mutex_t mu;
	pthread_cond_t cond;
	int stop;                     /* guarded by mu */
	int console;                  /* stderr is a terminal and the line was asked for */
	char *stop_hint;
	void (*changed)(void *arg);
	void *arg;
	uint64_t last_generation;
	double last_changed;
	double last_draw;
	int drawn;
};

static size_t terminal_width(void)
{
	struct winsize ws;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 80;
}

static void watch_changed(struct progress_watch *w, double now)
{
	w->last_generation = progress_generation();
	w->last_changed = now;
	w->changed(w->arg);
}

static void watch_tick(struct progress_watch *w)
{
	double now = monotonic_s();
	struct progress_snapshot s;

	if (shutdown_acknowledge()) {
		char *line;

		progress_snapshot(&s);
		line = progress_stop_line(&s, shutdown_grace_left(), w->stop_hint);
		progress_snapshot_free(&s);
		log_info("%s", line);
		free(line);
		w->drawn = 0;
		if (w->changed != NULL)
			watch_changed(w, now);
	}
	if (w->changed != NULL && progress_generation() != w->last_generation && now - w->last_changed >= CHANGED_EVERY_S)
		watch_changed(w, now);
	if (w->console && now - w->last_draw >= DRAW_EVERY_S) {
		char *line;

		progress_snapshot(&s);
		line = progress_console_line(&s, terminal_width());
		progress_snapshot_free(&s);
		if (line != NULL) {
			log_transient(line);
			w->drawn = 1;
		} else if (w->drawn) {
			log_transient_clear();
			w->drawn = 0;
		}
		free(line);
		w->last_draw = now;
	}
}

static void *watch_main(void *arg)
{
	struct progress_watch *w = arg;

	pthread_mutex_lock(&w->mu);
	while (!w->stop) {
		struct timespec until;

		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += WATCH_TICK_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		while (!w->stop && pthread_cond_timedwait(&w->cond, &w->mu, &until) != ETIMEDOUT)
			;
		if (w->stop)
			break;
		pthread_mutex_unlock(&w->mu);
		watch_tick(w);
		pthread_mutex_lock(&w->mu);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

struct progress_watch *progress_watch_start(const struct progress_watch_options *o)
{
	struct progress_watch *w = xcalloc(1, sizeof(*w));
	pthread_condattr_t ca;
	int err;

	pthread_mutex_init(&w->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->cond, &ca);
	pthread_condattr_destroy(&ca);
	w->console = o->console && isatty(STDERR_FILENO);
	w->stop_hint = o->stop_hint != NULL ? xstrdup(o->stop_hint) : NULL;
	w->changed = o->changed;
	w->arg = o->arg;
	w->last_generation = progress_generation();
	w->last_changed = monotonic_s();
	err = pthread_create(&w->tid, NULL, watch_main, w);
	if (err != 0) {
		log_errorx("cannot start the progress thread: %s; no progress is shown", strerror(err));
		pthread_cond_destroy(&w->cond);
		pthread_mutex_destroy(&w->mu);
		free(w->stop_hint);
		free(w);
		return NULL;
	}
	return w;
}

void progress_watch_stop(struct progress_watch *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = 1;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->tid, NULL);
	if (w->drawn)
		log_transient_clear();
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->mu);
	free(w->stop_hint);
	free(w);
}

static struct progress_watch *console_watch;

void progress_console_start(void)
{
	struct progress_watch_options o = { 1, NULL, NULL, NULL };

	if (console_watch != NULL)
		return;
	o.stop_hint = isatty(STDERR_FILENO) ? "press Ctrl-C again to stop at once"
					    : "a second SIGINT or SIGTERM stops at once";
	console_watch = progress_watch_start(&o);
}

void progress_console_stop(void)
{
	progress_watch_stop(console_watch);
	console_watch = NULL;
}
