#include "autoconf.h"

#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rotate/compress.h"
#include "rotate/member.h"
#include "lib/crashpoint.h"
#include "lib/heartbeat.h"
#include "lib/pool.h"
#include "lib/progress.h"
#include "lib/shutdown.h"
#include "lib/xalloc.h"

/* Members compressed per pool_run, per thread: two, so that a thread that
 * finishes early takes another while the slowest one runs. */
#define SLOTS_PER_THREAD 2
/* Read size for compress_digest_file (only hashing, so larger reads help more). */
#define DIGEST_BUF_SIZE (1024 * 1024)

/* Digest constants: odd, otherwise arbitrary (random) 64-bit values. */
#define DIGEST_SEED UINT64_C(0x2c49abfaaed36747)
#define DIGEST_MUL_W UINT64_C(0x9e3779b97f4a7c15)
#define DIGEST_MUL_H UINT64_C(0xcb28cf3fba2b87c9)
#define DIGEST_FIN_1 UINT64_C(0x7da8e6715e330103)
#define DIGEST_FIN_2 UINT64_C(0x1631e79d0652c8db)

static inline uint64_t rotl64(uint64_t x, unsigned r)
{
	return (x << r) | (x >> (64 - r));
}

/* Folds one word into the state. For a fixed h it is a bijection of w, and for a
 * fixed w a bijection of h, so a change confined to one word always survives to
 * the end. w * DIGEST_MUL_W does not depend on h and runs off the critical path. */
static inline uint64_t digest_absorb(uint64_t h, uint64_t w)
{
	h ^= w * DIGEST_MUL_W;
	return rotl64(h, 29) * DIGEST_MUL_H;
}

static inline uint64_t load_le64(const unsigned char *p)
{
	uint64_t w;

	memcpy(&w, p, sizeof(w));
	return le64toh(w);
}

void compress_digest_init(struct compress_digest *d)
{
	d->h = DIGEST_SEED;
	d->len = 0;
	memset(d->part, 0, sizeof(d->part));
}

void compress_digest_update(struct compress_digest *d, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t npart = (size_t)(d->len % 8);
	uint64_t h = d->h;

	d->len += len;
	if (npart != 0) {
		size_t take = 8 - npart < len ? 8 - npart : len;

		memcpy(d->part + npart, p, take);
		p += take;
		len -= take;
		if (npart + take < 8)
			return;
		h = digest_absorb(h, load_le64(d->part));
	}
	for (; len >= 8; p += 8, len -= 8)
		h = digest_absorb(h, load_le64(p));
	memcpy(d->part, p, len);
	d->h = h;
}

uint64_t compress_digest_final(const struct compress_digest *d)
{
	size_t npart = (size_t)(d->len % 8);
	unsigned char tail[8] = { 0 };
	uint64_t h;

	memcpy(tail, d->part, npart);
	h = digest_absorb(d->h, load_le64(tail));
	h = digest_absorb(h, d->len);
	h ^= h >> 31;
	h *= DIGEST_FIN_1;
	h ^= h >> 29;
	h *= DIGEST_FIN_2;
	h ^= h >> 32;
	return h;
}

/* pread that retries on EINTR. */
static ssize_t pread_retry(int fd, void *buf, size_t len, uint64_t off)
{
	ssize_t n;

	do
		n = pread(fd, buf, len, (off_t)off);
	while (n < 0 && errno == EINTR);
	return n;
}

int compress_digest_file(int fd, uint64_t length, uint64_t *digest)
{
	struct compress_digest d;
	unsigned char *buf;
	uint64_t off = 0;

	if (length > (uint64_t)INT64_MAX) {
		errno = EINVAL;
		return -1;
	}
	buf = xmalloc(DIGEST_BUF_SIZE);
	compress_digest_init(&d);
	while (off < length) {
		size_t want = length - off < DIGEST_BUF_SIZE ? (size_t)(length - off) : DIGEST_BUF_SIZE;
		ssize_t n = pread_retry(fd, buf, want, off);

		if (n <= 0) {
			int saved = n == 0 ? ENODATA : errno;

			free(buf);
			errno = saved;
			return -1;
		}
		compress_digest_update(&d, buf, (size_t)n);
		off += (uint64_t)n;
	}
	free(buf);
	*digest = compress_digest_final(&d);
	return 0;
}

const char *compress_suffix(enum compress_kind kind)
{
	return kind == COMPRESS_ZSTD ? ".zst" : ".gz";
}

/* One member in the making: its piece of the source and its compressed bytes. */
struct slot {
	unsigned char *in;        /* MEMBER_MAX_INPUT bytes */
	unsigned char *out;       /* out_cap bytes, allocated on first use */
	size_t len;               /* bytes of in that are this member's */
	int mid_line;             /* in starts inside a line (the piece before was cut there) */
	int first;                /* the archive's first member */
	size_t out_len;           /* 0: encoding failed */
	struct member_info info;
};

/* What the threads of one pool_run share. */
struct batch {
	struct slot *slots;
	const struct compress_clock *clock;
	size_t out_cap;
	pthread_mutex_t lock;
	struct member_encoder **idle;  /* encoders no thread uses; guarded by lock */
	size_t n_idle;
};

/* Sets s's times and flags from its lines: every line that starts in it is dated
 * (the fragment a mid-line cut left at its start is not a line start). */
static void date_lines(struct slot *s, const struct compress_clock *clock)
{
	const unsigned char *p = s->in, *end = s->in + s->len;
	int first_line = 1, first_dated = 0;

	s->info.flags = s->mid_line ? MEMBER_CONTINUES : 0;
	s->info.min_us = s->info.max_us = 0;
	if (clock == NULL || clock->time_of == NULL)
		return;
	if (s->mid_line) {
		p = memchr(p, '\n', s->len);
		p = p == NULL ? end : p + 1;
		first_line = 0;
	}
	while (p < end) {
		const unsigned char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		int64_t t;

		if (clock->time_of(clock->ctx, (const char *)p, n, &t)) {
			if (!(s->info.flags & MEMBER_HAS_TIME)) {
				s->info.min_us = s->info.max_us = t;
				s->info.flags |= MEMBER_HAS_TIME;
			} else if (t < s->info.min_us) {
				s->info.min_us = t;
			} else if (t > s->info.max_us) {
				s->info.max_us = t;
			}
			first_dated |= first_line;
		}
		first_line = 0;
		p = nl != NULL ? nl + 1 : end;
	}
	/* An undated first line continues the record of the member before (the record
	 * was longer than a piece), unless there is none in this archive. */
	if (!s->first && !s->mid_line && !first_dated)
		s->info.flags |= MEMBER_CONTINUES;
}

static void encode_task(size_t i, void *arg)
{
	struct batch *b = arg;
	struct slot *s = &b->slots[i];
	struct member_encoder *enc;

	date_lines(s, b->clock);
	pthread_mutex_lock(&b->lock);
	enc = b->idle[--b->n_idle];
	pthread_mutex_unlock(&b->lock);
	s->out_len = member_encode(enc, s->in, s->len, &s->info, s->out, b->out_cap);
	pthread_mutex_lock(&b->lock);
	b->idle[b->n_idle++] = enc;
	pthread_mutex_unlock(&b->lock);
}

/* Where to end a full piece p[0, len) that is not the range's last: at the start
 * of its last dated line after the first (so that a record and its continuation
 * lines stay together), else after its last newline, else at len (then
 * *mid_line is set: the next piece starts inside a line). */
static size_t cut_piece(const unsigned char *p, size_t len, const struct compress_clock *clock,
			int *mid_line)
{
	const unsigned char *last = memrchr(p, '\n', len);
	size_t stop = len;
	const unsigned char *nl;

	*mid_line = last == NULL;
	if (last == NULL)
		return len;
	if (clock == NULL || clock->time_of == NULL)
		return (size_t)(last - p) + 1;
	while ((nl = memrchr(p, '\n', stop)) != NULL) {
		size_t start = (size_t)(nl - p) + 1;
		int64_t t;

		if (start < stop && clock->time_of(clock->ctx, (const char *)p + start, stop - start, &t))
			return start;
		stop = (size_t)(nl - p);
	}
	return (size_t)(last - p) + 1;
}

static int write_all(int fd, const unsigned char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The state of one compress_range call. */
struct writer {
	int src_fd;
	uint64_t length;
	uint64_t off;                /* source bytes read so far */
	const unsigned char *carry;  /* the cut-off end of the last piece, to start the next */
	size_t carry_len;
	int carry_mid_line;
	int started;                 /* a member has been read */
	struct compress_digest d;
	uint64_t written;
};

/* Fills s with the next piece (the carry, then fresh bytes) and cuts it. Returns
 * 0, or -1 with *err set. */
static int fill_slot(struct writer *w, struct slot *s, const struct compress_clock *clock,
		     char **err)
{
	size_t len = w->carry_len;
	uint64_t left = w->length - w->off;
	size_t want = MEMBER_MAX_INPUT - len;
	size_t cut;

	if (len > 0)
		memmove(s->in, w->carry, len);
	if (left < want)
		want = (size_t)left;
	while (want > 0) {
		ssize_t n = pread_retry(w->src_fd, s->in + len, want, w->off);

		if (n < 0) {
			*err = xasprintf("reading the source at offset %" PRIu64 ": %s", w->off,
					 strerror(errno));
			return -1;
		}
		if (n == 0) {
			*err = xasprintf("source shrank to %" PRIu64 " bytes while reading (expected %"
					 PRIu64 ")", w->off, w->length);
			return -1;
		}
		compress_digest_update(&w->d, s->in + len, (size_t)n);
		len += (size_t)n;
		want -= (size_t)n;
		w->off += (uint64_t)n;
	}
	s->mid_line = w->carry_mid_line;
	s->first = !w->started;
	w->started = 1;
	if (w->off == w->length)
		cut = len;
	else
		cut = cut_piece(s->in, len, clock, &w->carry_mid_line);
	s->len = cut;
	w->carry = s->in + cut;
	w->carry_len = len - cut;
	return 0;
}

/* Whether another member is due: unread source bytes or a carry. An empty range
 * still gets one (empty) member, so the archive is a valid gzip or zstd file. */
static int more(const struct writer *w)
{
	return w->off < w->length || w->carry_len > 0 || !w->started;
}

int compress_range(int src_fd, uint64_t length, int dst_fd, enum compress_kind kind, int level,
		   const struct compress_clock *clock, unsigned threads,
		   struct compress_result *res, char **err)
{
	struct writer w = { .src_fd = src_fd, .length = length };
	struct batch b = { .clock = clock, .lock = PTHREAD_MUTEX_INITIALIZER };
	struct member_encoder **encs;
	size_t n_slots, n_encs = 0;
	int ret = -1;

	*err = NULL;
	if (length > (uint64_t)INT64_MAX) {
		*err = xasprintf("length %" PRIu64 " is too large", length);
		return -1;
	}
	if (threads == 0) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);

		threads = cpus > 0 ? (unsigned)cpus : 1;
		if (threads > COMPRESS_DEFAULT_THREADS_MAX)
			threads = COMPRESS_DEFAULT_THREADS_MAX;
	}
	/* No more slots or threads than the range has members. */
	n_slots = (size_t)threads * SLOTS_PER_THREAD;
	if ((uint64_t)n_slots > length / MEMBER_MAX_INPUT + 1)
		n_slots = (size_t)(length / MEMBER_MAX_INPUT + 1);
	if (threads > n_slots)
		threads = (unsigned)n_slots;
	encs = xcalloc(threads, sizeof(*encs));
	for (; n_encs < threads; n_encs++) {
		encs[n_encs] = member_encoder_new(kind, level, err);
		if (encs[n_encs] == NULL)
			goto out;
	}
	b.idle = xcalloc(threads, sizeof(*b.idle));
	b.out_cap = member_bound(encs[0], MEMBER_MAX_INPUT);
	b.slots = xcalloc(n_slots, sizeof(*b.slots));
	compress_digest_init(&w.d);
	while (more(&w)) {
		size_t n = 0;

		heartbeat_tick();
		if (shutdown_abandon()) {
			*err = xasprintf("abandoned after %" PRIu64 " of %" PRIu64 " bytes: rotd is stopping",
					 w.off, length);
			goto out;
		}
		for (; n < n_slots && more(&w); n++) {
			struct slot *s = &b.slots[n];

			if (s->in == NULL) {
				s->in = xmalloc(MEMBER_MAX_INPUT);
				s->out = xmalloc(b.out_cap);
			}
			if (fill_slot(&w, s, clock, err) < 0)
				goto out;
		}
		memcpy(b.idle, encs, threads * sizeof(*encs));
		b.n_idle = threads;
		pool_run(n, threads, encode_task, &b);
		for (size_t i = 0; i < n; i++) {
			const struct slot *s = &b.slots[i];

			if (s->out_len == 0) {
				*err = xasprintf("compressing %zu bytes failed", s->len);
				goto out;
			}
			if (write_all(dst_fd, s->out, s->out_len) < 0) {
				*err = xasprintf("writing the archive: %s", strerror(errno));
				goto out;
			}
			w.written += s->out_len;
			progress_advance(s->len);
			crashpoint("member-written");
		}
		/* The carry points into the last slot; the next batch starts at slot 0. */
	}
	res->bytes_in = length;
	res->bytes_out = w.written;
	res->digest = compress_digest_final(&w.d);
	ret = 0;
out:
	for (size_t i = 0; b.slots != NULL && i < n_slots; i++) {
		free(b.slots[i].in);
		free(b.slots[i].out);
	}
	free(b.slots);
	free(b.idle);
	for (size_t i = 0; i < n_encs; i++)
		member_encoder_free(encs[i]);
	free(encs);
	pthread_mutex_destroy(&b.lock);
	return ret;
}
