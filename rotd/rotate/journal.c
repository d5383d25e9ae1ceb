#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rotate/journal.h"
#include "lib/xalloc.h"

#define JOURNAL_MAGIC "rotd-journal 1"
#define JOURNAL_MAX 16384

static const char *const cut_names[] = { "collapse", "truncate", "remove", "rename" };

const char *journal_cut_name(enum journal_cut cut)
{
	return cut_names[cut];
}

/* Container paths may hold any byte but NUL: store them as hex. */
static char *hex_encode(const char *s)
{
	size_t n = strlen(s);
	char *out = xmalloc(n * 2 + 1);

	for (size_t i = 0; i < n; i++)
		snprintf(out + i * 2, 3, "%02x", (unsigned char)s[i]);
	out[n * 2] = '\0';
	return out;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static char *hex_decode(const char *s)
{
	size_t n = strlen(s);
	char *out;

	if (n == 0 || n % 2 != 0)
		return NULL;
	out = xmalloc(n / 2 + 1);
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hex_value(s[2 * i]), lo = hex_value(s[2 * i + 1]);

		if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
			free(out);
			return NULL;
		}
		out[i] = (char)(hi * 16 + lo);
	}
	out[n / 2] = '\0';
	return out;
}

static char *record_name(const char *archive)
{
	return xasprintf("%s%s", JOURNAL_PREFIX, archive);
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, buf, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

int journal_write(int dir_fd, const struct journal_record *r)
{
	char *name = record_name(r->archive);
	char *src = hex_encode(r->source), *arc = hex_encode(r->archive);
	char *ren = r->renamed ? hex_encode(r->renamed) : xstrdup("-");
	char *text = xasprintf("%s\ncut %s\nsource %s\narchive %s\nrenamed %s\ndev %ju\nino %ju\nlength %" PRIu64
			       "\ndigest %016" PRIx64 "\nend\n",
			       JOURNAL_MAGIC, journal_cut_name(r->cut), src, arc, ren, (uintmax_t)r->dev,
			       (uintmax_t)r->ino, r->length, r->digest);
	int fd, rc = -1;

	fd = openat(dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0) {
		int saved;

		rc = (write_all(fd, text, strlen(text)) == 0 && fsync(fd) == 0 && fsync(dir_fd) == 0) ? 0 : -1;
		saved = errno;
		close(fd);
		if (rc < 0)
			unlinkat(dir_fd, name, 0);
		errno = saved;
	}
	free(text);
	free(src);
	free(arc);
	free(ren);
	free(name);
	return rc;
}

int journal_remove(int dir_fd, const char *archive)
{
	char *name = record_name(archive);
	int rc = unlinkat(dir_fd, name, 0);

	free(name);
	if (rc < 0 && errno != ENOENT)
		return -1;
	return fsync(dir_fd);
}

/* Returns the value after "key " on its own line in text, as a new string, or NULL. */
static char *field(const char *text, const char *key)
{
	size_t klen = strlen(key);

	for (const char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		if (strncmp(line, key, klen) == 0 && line[klen] == ' ') {
			const char *v = line + klen + 1, *end = strchr(v, '\n');

			return end ? xstrndup(v, (size_t)(end - v)) : NULL;
		}
	}
	return NULL;
}

static int parse_u64(const char *s, int base, uint64_t *out)
{
	char *end;

	if (s == NULL || *s == '\0' || *s == '-')
		return -1;
	errno = 0;
	*out = (uint64_t)strtoull(s, &end, base);
	return (errno != 0 || *end != '\0') ? -1 : 0;
}

static int parse_record(const char *text, struct journal_record *r)
{
	char *cut = field(text, "cut"), *src = field(text, "source"), *arc = field(text, "archive");
	char *dev = field(text, "dev"), *ino = field(text, "ino"), *len = field(text, "length");
	char *dig = field(text, "digest"), *ren = field(text, "renamed");
	uint64_t v_dev, v_ino;
	int ok = 0;

	memset(r, 0, sizeof(*r));
	if (strncmp(text, JOURNAL_MAGIC "\n", strlen(JOURNAL_MAGIC) + 1) == 0 && strstr(text, "\nend\n") &&
	    cut && src && arc && parse_u64(dev, 10, &v_dev) == 0 && parse_u64(ino, 10, &v_ino) == 0 &&
	    parse_u64(len, 10, &r->length) == 0 && parse_u64(dig, 16, &r->digest) == 0) {
		ok = 1;
		if (strcmp(cut, "collapse") == 0)
			r->cut = JOURNAL_COLLAPSE;
		else if (strcmp(cut, "truncate") == 0)
			r->cut = JOURNAL_TRUNCATE;
		else if (strcmp(cut, "remove") == 0)
			r->cut = JOURNAL_REMOVE;
		else if (strcmp(cut, "rename") == 0)
			r->cut = JOURNAL_RENAME;
		else
			ok = 0;
		r->source = hex_decode(src);
		r->archive = hex_decode(arc);
		r->dev = (dev_t)v_dev;
		r->ino = (ino_t)v_ino;
		if (r->cut == JOURNAL_RENAME)
			r->renamed = ren ? hex_decode(ren) : NULL;
		if (r->source == NULL || r->archive == NULL || strchr(r->archive, '/') != NULL ||
		    (r->cut == JOURNAL_RENAME && (r->renamed == NULL || strchr(r->renamed, '/') != NULL)))
			ok = 0;
	}
	free(cut);
	free(src);
	free(arc);
	free(dev);
	free(ino);
	free(len);
	free(dig);
	free(ren);
	if (!ok) {
		journal_record_free(r);
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int journal_read(int dir_fd, const char *name, struct journal_record *r)
{
	char buf[JOURNAL_MAX + 1];
	ssize_t n, total = 0;
	int fd = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct stat st;

	memset(r, 0, sizeof(*r));
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	while (total < JOURNAL_MAX && (n = read(fd, buf + total, (size_t)(JOURNAL_MAX - total))) > 0)
		total += n;
	close(fd);
	buf[total] = '\0';
	if (memchr(buf, '\0', (size_t)total) != NULL) {
		errno = EINVAL;
		return -1;
	}
	return parse_record(buf, r);
}

void journal_record_free(struct journal_record *r)
{
	free(r->source);
	free(r->archive);
	free(r->renamed);
	r->source = r->archive = r->renamed = NULL;
}
