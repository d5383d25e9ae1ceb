/* config_value: the value types of rotd.conf. Each parser turns the text of a
 * value into its typed result, or says what is wrong with it; the key table
 * names one type per key. */
#include "autoconf.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "config/config_internal.h"
#include "lib/escape.h"
#include "lib/logtime.h"
#include "lib/units.h"
#include "lib/xalloc.h"

#define MAX_TIMEOUT_S 86400u
#define MAX_GC_TIMEOUT_S 3600u
#define ZONEINFO_DIR "/usr/share/zoneinfo"

/* ---- text in messages -------------------------------------------------- */

const char *config_shown_n(const char *s, size_t n, char *buf, size_t len)
{
	size_t cut = n;

	if (n > SHOWN_MAX) {
		cut = SHOWN_MAX;
		while (cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80)
			cut--;
	}
	snprintf(buf, len, "%.*s%s", (int)cut, s, cut < n ? "..." : "");
	return buf;
}

const char *config_shown(const char *s, char *buf, size_t len)
{
	return config_shown_n(s, strlen(s), buf, len);
}

/* ---- storing ----------------------------------------------------------- */

/* Replaces the string in *field with a copy of s, or with NULL when empty
 * and s is "". */
static void store_string(void *field, const char *s, int empty)
{
	char **p = field;

	free(*p);
	*p = empty && s[0] == '\0' ? NULL : xstrdup(s);
}

/* ---- numbers ------------------------------------------------------------ */

/* Parses a whole decimal number in lo..hi (chrony's parse_int). Returns 0 or -1. */
static int parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *out)
{
	unsigned long long n = 0;

	if (s == NULL || *s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		n = n * 10 + (unsigned)(*s - '0');
		if (n > hi)
			return -1;
	}
	if (n < lo)
		return -1;
	*out = (unsigned)n;
	return 0;
}

/* Stores a number in lo..hi as unsigned; returns why when it is not one. */
static const char *uint_in(const char *v, void *field, unsigned lo, unsigned hi, const char *why)
{
	unsigned n;

	if (parse_uint(v, lo, hi, &n) < 0)
		return why;
	*(unsigned *)field = n;
	return NULL;
}

static const char *parse_jobs(const char *v, void *field)
{
	return uint_in(v, field, 0, 256, "must be a whole number from 0 to 256 (0 = one per CPU)");
}

static const char *parse_keep(const char *v, void *field)
{
	return uint_in(v, field, 1, 10000, "must be a whole number from 1 to 10000");
}

static const char *parse_concurrency(const char *v, void *field)
{
	return uint_in(v, field, 1, 64, "must be a whole number from 1 to 64");
}

static const char *parse_rate(const char *v, void *field)
{
	return uint_in(v, field, 1, 600, "must be a whole number of requests per minute from 1 to 600");
}

/* The range for the compressor is checked with the section (gzip 1..9, zstd 1..19). */
static const char *parse_level(const char *v, void *field)
{
	unsigned n;

	if (parse_uint(v, 0, 1000, &n) < 0)
		return "must be a whole number (gzip 1 to 9, zstd 1 to 19)";
	*(int *)field = (int)n;
	return NULL;
}

static const char *parse_percent(const char *v, void *field)
{
	unsigned n;

	if (units_parse_percent(v, &n) < 0)
		return "is not a percentage from 0 to 100 (e.g. 85%)";
	*(unsigned *)field = n;
	return NULL;
}

/* ---- sizes and durations ------------------------------------------------ */

static const char *parse_size(const char *v, void *field)
{
	uint64_t n;

	if (units_parse_size(v, &n) < 0)
		return "is not a size (examples: 20M, 15MB, 512K)";
	if (n == 0)
		return "must be more than 0 (examples: 20M, 15MB, 512K)";
	*(uint64_t *)field = n;
	return NULL;
}

static const char *parse_max_size(const char *v, void *field)
{
	uint64_t n;

	if (units_parse_size(v, &n) < 0)
		return "is not a size (examples: 1G, 500M, 2GiB; 0 sets no budget)";
	*(uint64_t *)field = n;
	return NULL;
}

/* Stores a duration in lo..hi seconds; returns why when it is not one. */
static const char *duration_in(const char *v, void *field, uint64_t lo, uint64_t hi, const char *why)
{
	uint64_t n;

	if (units_parse_duration(v, &n) < 0 || n < lo || n > hi)
		return why;
	*(uint64_t *)field = n;
	return NULL;
}

static const char *parse_duration(const char *v, void *field)
{
	return duration_in(v, field, 0, UINT64_MAX, "is not a duration (examples: 7d, 12h, 0)");
}

static const char *parse_positive_duration(const char *v, void *field)
{
	return duration_in(v, field, 1, UINT64_MAX,
			   "is not a duration greater than 0 (examples: 30d, 1h, 90s, 2w)");
}

static const char *parse_idle(const char *v, void *field)
{
	return duration_in(v, field, 0, UINT64_MAX,
			   "is not a duration (examples: 1h, 30m, 2d; 0 never archives idle files whole)");
}

static const char *parse_max_age(const char *v, void *field)
{
	return duration_in(v, field, 0, UINT64_MAX,
			   "is not a duration (examples: 14d, 2w, 90d; 0 keeps archives of any age)");
}

static const char *parse_timeout(const char *v, void *field)
{
	return duration_in(v, field, 1, MAX_TIMEOUT_S, "is not a duration from 1s to 1d (examples: 30s, 2m)");
}

/* The same timeout, stored as unsigned milliseconds. */
static const char *parse_timeout_ms(const char *v, void *field)
{
	uint64_t s;
	const char *why = parse_timeout(v, &s);

	if (why == NULL)
		*(unsigned *)field = (unsigned)(s * 1000);
	return why;
}

static const char *parse_gc_timeout(const char *v, void *field)
{
	return duration_in(v, field, 1, MAX_GC_TIMEOUT_S, "is not a duration from 1s to 1h (examples: 60s, 2m)");
}

static const char *parse_window(const char *v, void *field)
{
	struct time_window w;

	if (units_parse_window(v, &w) < 0)
		return "is not a daily window HH:MM-HH:MM with different start and end "
		       "(e.g. 02:00-05:00, or 22:00-04:00 across midnight)";
	*(struct time_window *)field = w;
	return NULL;
}

/* ---- words ---------------------------------------------------------------- */

/* true/false (and libconfuse's yes/no, on/off), as an int. */
static const char *parse_bool(const char *v, void *field)
{
	if (strcmp(v, "true") == 0 || strcmp(v, "yes") == 0 || strcmp(v, "on") == 0)
		*(int *)field = 1;
	else if (strcmp(v, "false") == 0 || strcmp(v, "no") == 0 || strcmp(v, "off") == 0)
		*(int *)field = 0;
	else
		return "must be true or false";
	return NULL;
}

static const char *parse_compress(const char *v, void *field)
{
	if (strcmp(v, "gzip") == 0)
		*(enum compress_kind *)field = COMPRESS_GZIP;
	else if (strcmp(v, "zstd") == 0)
		*(enum compress_kind *)field = COMPRESS_ZSTD;
	else
		return "must be gzip or zstd";
	return NULL;
}

static const char *parse_method(const char *v, void *field)
{
	if (strcmp(v, "copytruncate") == 0)
		*(enum rotate_method *)field = METHOD_COPYTRUNCATE;
	else if (strcmp(v, "rename") == 0)
		*(enum rotate_method *)field = METHOD_RENAME;
	else
		return "must be copytruncate or rename";
	return NULL;
}

/* ---- strings ------------------------------------------------------------ */

static const char *parse_string(const char *v, void *field)
{
	store_string(field, v, 0);
	return NULL;
}

/* A string that is NULL when "". */
static const char *parse_optional_string(const char *v, void *field)
{
	store_string(field, v, 1);
	return NULL;
}

/* Returns 1 when path has a ".." component. */
static int has_dotdot(const char *path)
{
	for (const char *p = path; (p = strstr(p, "..")) != NULL; p += 2)
		if ((p == path || p[-1] == '/') && (p[2] == '\0' || p[2] == '/'))
			return 1;
	return 0;
}

static const char *check_abs_path(const char *v)
{
	if (v[0] != '/')
		return "must be an absolute path";
	if (has_dotdot(v))
		return "must not contain a '..' component";
	return NULL;
}

/* An absolute path of a file on the host (state-file, env-file, ca-file). */
static const char *check_abs_file(const char *v)
{
	const char *why = check_abs_path(v);

	if (why == NULL && v[strlen(v) - 1] == '/')
		return "must name a file, not a folder";
	return why;
}

static const char *parse_abs_path(const char *v, void *field)
{
	const char *why = check_abs_path(v);

	if (why == NULL)
		store_string(field, v, 0);
	return why;
}

static const char *parse_abs_file(const char *v, void *field)
{
	const char *why = check_abs_file(v);

	if (why == NULL)
		store_string(field, v, 0);
	return why;
}

/* An absolute file, or "" (NULL: none). */
static const char *parse_optional_abs_file(const char *v, void *field)
{
	const char *why = v[0] == '\0' ? NULL : check_abs_file(v);

	if (why == NULL)
		store_string(field, v, 1);
	return why;
}

static const char *parse_rule_path(const char *v, void *field)
{
	if (v[0] == '\0')
		return "must not be empty (a folder under the media root, e.g. outgoing)";
	if (v[0] == '/')
		return "must be relative to the media root (e.g. outgoing)";
	if (has_dotdot(v))
		return "must not contain a '..' component";
	store_string(field, v, 0);
	return NULL;
}

static const char *parse_endpoint(const char *v, void *field)
{
	size_t scheme = strncmp(v, "https://", 8) == 0 ? 8 : strncmp(v, "http://", 7) == 0 ? 7 : 0;

	if (strcmp(v, "https:") == 0 || strcmp(v, "http:") == 0)
		return "lost its '//...' to a comment; put the endpoint in double quotes "
		       "(e.g. \"https://localhost:9090\")";
	if (scheme == 0)
		return "must start with https:// or http:// (e.g. \"https://localhost:9090\")";
	if (strpbrk(v, " \t\r\n") != NULL)
		return "must not contain spaces";
	if (v[scheme] == '\0' || v[scheme] == '/')
		return "has no host (e.g. \"https://localhost:9090\")";
	store_string(field, v, 0);
	return NULL;
}

/* "ADDR:PORT", or "" (NULL: off). */
static const char *parse_listen(const char *v, void *field)
{
	char *addr;
	unsigned port;

	if (v[0] != '\0') {
		if (units_parse_listen(v, &addr, &port) < 0)
			return "must be \"\" (off) or ADDR:PORT with a numeric IP address, e.g. "
			       "127.0.0.1:9473 or [::1]:9473";
		free(addr);
	}
	store_string(field, v, 1);
	return NULL;
}

/* The folder where glibc looks up zone names: TZDIR, or /usr/share/zoneinfo. */
static const char *zone_dir(void)
{
	const char *dir = getenv("TZDIR");

	return dir != NULL && dir[0] == '/' ? dir : ZONEINFO_DIR;
}

/* Returns 1 when glibc finds the zone name: a TZif file in zone_dir(). name
 * has been checked to stay inside that folder. */
static int zone_exists(const char *name)
{
	char path[4096], magic[4];
	struct stat st;
	int fd, ok;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", zone_dir(), name) >= sizeof(path))
		return 0;
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && read(fd, magic, 4) == 4 &&
	     memcmp(magic, "TZif", 4) == 0;
	close(fd);
	return ok;
}

static const char *check_timezone(const char *v)
{
	static const char allowed[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_+-/";
	static char why[4200];  /* one load at a time */

	if (v[0] == '\0' || strcmp(v, "UTC") == 0)
		return NULL;
	/* no "..", no leading '/': the name stays inside the zone folder */
	if (v[0] == '/' || strspn(v, allowed) != strlen(v) || strlen(v) > 255)
		return "is not a time zone name; use one from the tz database such as Europe/Berlin, "
		       "or UTC (\"\" is the host's local time)";
	if (zone_exists(v))
		return NULL;
	snprintf(why, sizeof(why), "is not a known time zone (not in %s); use one such as "
		 "Europe/Berlin, or UTC (\"\" is the host's local time)", zone_dir());
	return why;
}

/* A zone name, or "" (NULL: the host's local time). */
static const char *parse_timezone(const char *v, void *field)
{
	const char *why = check_timezone(v);

	if (why == NULL)
		store_string(field, v, 1);
	return why;
}

/* A strptime(3) format for the time a log's lines start with, checked as
 * lib/logtime will use it; "" (NULL): the built-in recognisers. */
static const char *parse_timestamp(const char *v, void *field)
{
	static const char prefix[] = "timestamp format '";
	static char why[512];   /* one load at a time */
	char *err = NULL, *shown;
	struct logtime_parser *p;
	size_t skip;

	if (v[0] == '\0') {
		store_string(field, v, 1);
		return NULL;
	}
	p = logtime_parser_new(v, NULL, 0, &err);
	if (p != NULL) {
		logtime_parser_free(p);
		store_string(field, v, 1);
		return NULL;
	}
	/* the reason alone: the message quotes the value already */
	shown = escape_utf8_text(v);
	skip = strlen(prefix) + strlen(shown) + 2;
	if (strncmp(err, prefix, strlen(prefix)) == 0 && strlen(err) > skip)
		snprintf(why, sizeof(why), "%s", err + skip);
	else
		snprintf(why, sizeof(why), "is not a usable strptime format (%s)", err);
	free(shown);
	free(err);
	return why;
}

/* The zone of the times a log writes without one: UTC, a fixed offset or a
 * zone name, loaded as lib/logtime will load it. */
static const char *parse_log_timezone(const char *v, void *field)
{
	static char why[4200];  /* one load at a time */
	char *err = NULL;
	struct logtime_zone *z;

	if (v[0] == '\0')
		return "must not be empty; use UTC (the default), an offset such as +05:30, or a name "
		       "such as Europe/Berlin";
	z = logtime_zone_load(v, &err);
	if (z != NULL) {
		logtime_zone_free(z);
		store_string(field, v, 0);
		return NULL;
	}
	if (strncmp(err, "invalid time zone offset", 24) == 0)
		snprintf(why, sizeof(why), "is not a UTC offset (+hh:mm, +hhmm or +hh, hours 0 to 23)");
	else if (strncmp(err, "invalid time zone name", 22) == 0)
		snprintf(why, sizeof(why), "is not a time zone name; use UTC, an offset such as +05:30, "
			 "or a name such as Europe/Berlin");
	else if (strncmp(err, "unknown time zone", 17) == 0)
		snprintf(why, sizeof(why), "is not a known time zone (not in %s); use UTC, an offset "
			 "such as +05:30, or a name such as Europe/Berlin", zone_dir());
	else
		snprintf(why, sizeof(why), "cannot be loaded: %s", err);
	free(err);
	return why;
}

/* ---- list items ------------------------------------------------------------ */

static const char *check_item(const char *v, void *field)
{
	(void)v;
	(void)field;
	return NULL;
}

static const char *check_not_empty(const char *v, void *field)
{
	(void)field;
	return v[0] == '\0' ? "must not be empty" : NULL;
}

static const char *check_env(const char *v, void *field)
{
	size_t key = strcspn(v, "=");

	(void)field;
	if (key == 0 || (v[0] >= '0' && v[0] <= '9') ||
	    strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") != key)
		return "is not KEY or KEY=VALUE (KEY: letters, digits and '_', "
		       "not starting with a digit; e.g. WA_MASTER_NODE=1)";
	return NULL;
}

static const char *check_log_glob(const char *v, void *field)
{
	const char *last = strrchr(v, '/');

	(void)field;
	if (v[0] != '/')
		return "must be an absolute path inside the container (e.g. /var/log/app/*.log)";
	if (has_dotdot(v))
		return "must not contain a '..' component";
	if (last[1] == '\0')
		return "must name files, not a directory (e.g. /var/log/app/*.log)";
	if (strcspn(v, "*?[") < (size_t)(last - v))
		return "may have wildcards (* ? [) only in its last component "
		       "(e.g. /var/log/app/*.log)";
	return NULL;
}

static const char *check_file_glob(const char *v, void *field)
{
	(void)field;
	if (v[0] == '\0' || strchr(v, '/') != NULL)
		return "must be a file name pattern without '/' (e.g. *.jpg)";
	return NULL;
}

/* ---- the types ------------------------------------------------------------ */

#define POD(parser, type, hint) { parser, STORE_POD, sizeof(type), hint }
#define STRING(parser) { parser, STORE_STRING, sizeof(char *), HINT_OTHER }
#define ITEM(checker, hint) { checker, STORE_ITEM, 0, hint }

const struct value_type vt_string = STRING(parse_string);
const struct value_type vt_optional_string = STRING(parse_optional_string);
const struct value_type vt_abs_path = STRING(parse_abs_path);
const struct value_type vt_abs_file = STRING(parse_abs_file);
const struct value_type vt_optional_abs_file = STRING(parse_optional_abs_file);
const struct value_type vt_rule_path = STRING(parse_rule_path);
const struct value_type vt_endpoint = STRING(parse_endpoint);
const struct value_type vt_timezone = STRING(parse_timezone);
const struct value_type vt_timestamp = STRING(parse_timestamp);
const struct value_type vt_log_timezone = STRING(parse_log_timezone);
const struct value_type vt_listen = STRING(parse_listen);
const struct value_type vt_size = POD(parse_size, uint64_t, HINT_SIZE);
const struct value_type vt_max_size = POD(parse_max_size, uint64_t, HINT_SIZE);
const struct value_type vt_duration = POD(parse_duration, uint64_t, HINT_DURATION);
const struct value_type vt_positive_duration = POD(parse_positive_duration, uint64_t, HINT_DURATION);
const struct value_type vt_idle = POD(parse_idle, uint64_t, HINT_DURATION);
const struct value_type vt_max_age = POD(parse_max_age, uint64_t, HINT_DURATION);
const struct value_type vt_timeout = POD(parse_timeout, uint64_t, HINT_DURATION);
const struct value_type vt_timeout_ms = POD(parse_timeout_ms, unsigned, HINT_DURATION);
const struct value_type vt_gc_timeout = POD(parse_gc_timeout, uint64_t, HINT_DURATION);
const struct value_type vt_window = POD(parse_window, struct time_window, HINT_WINDOW);
const struct value_type vt_percent = POD(parse_percent, unsigned, HINT_PERCENT);
const struct value_type vt_jobs = POD(parse_jobs, unsigned, HINT_NUMBER);
const struct value_type vt_keep = POD(parse_keep, unsigned, HINT_NUMBER);
const struct value_type vt_level = POD(parse_level, int, HINT_NUMBER);
const struct value_type vt_concurrency = POD(parse_concurrency, unsigned, HINT_NUMBER);
const struct value_type vt_rate = POD(parse_rate, unsigned, HINT_NUMBER);
const struct value_type vt_bool = POD(parse_bool, int, HINT_OTHER);
const struct value_type vt_compress = POD(parse_compress, enum compress_kind, HINT_OTHER);
const struct value_type vt_method = POD(parse_method, enum rotate_method, HINT_OTHER);
const struct value_type vt_item = ITEM(check_item, HINT_OTHER);
const struct value_type vt_item_not_empty = ITEM(check_not_empty, HINT_OTHER);
const struct value_type vt_item_argv = ITEM(check_not_empty, HINT_ARGV);
const struct value_type vt_item_env = ITEM(check_env, HINT_OTHER);
const struct value_type vt_item_log_glob = ITEM(check_log_glob, HINT_OTHER);
const struct value_type vt_item_file_glob = ITEM(check_file_glob, HINT_OTHER);
