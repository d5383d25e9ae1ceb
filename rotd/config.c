#include "autoconf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <confuse.h>

#include "config.h"
#include "default_conf.h"
#include "log.h"
#include "xalloc.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

#define MAX_CONF_BYTES (1024 * 1024)
#define MAX_TIMEOUT_S 86400u
#define MAX_GC_TIMEOUT_S 3600u
#define DEFAULT_CLEANUP_COMMAND "/opt/whatsapp/bin/cleanup.sh"

/* How the file is checked.
 *
 * libconfuse 3.3 counts every '#' or '//' comment line twice and silently drops
 * an unquoted '*', so the text is first scanned here: comments are blanked (line
 * breaks kept), an unquoted '*' is reported, and the line where each section's
 * '{' opens is noted. libconfuse then parses the scanned text. Every value goes
 * through on_value(), which checks it and records any problem with the line it
 * is on; every section's end goes through a validate callback that checks
 * required options and cross-field rules. Nothing stops the parse except
 * libconfuse's own syntax errors, which come through on_confuse_error(). Only a
 * file with no problem at all is converted into struct rotd_config. */

struct located_error {
	int line;
	size_t seq;
	char *text;
};

/* Where one section opens (the line of its name or title) and closes ('}'),
 * in the order sections close. */
struct section_span {
	int open_line;
	int close_line;
};

/* Where an option was last set, keyed by the section holding it. */
struct option_line {
	const cfg_t *sec;
	const char *opt;
	int line;
};

/* A titled section seen so far (role, rule or log), for the duplicate-title
 * message and for the role's checks of its log sections. */
struct titled_section {
	const cfg_t *scope;             /* the section holding it: root, media or a role */
	char *title;
	int line;                       /* where it opens */
};

struct load_ctx {
	const char *name;               /* the file, as messages name it */
	cfg_t *root;
	struct located_error *errs;     /* semantic errors, sorted by line at the end */
	size_t n_errs, cap_errs;
	struct strlist syntax;          /* errors that stopped or broke the parse */
	struct section_span *spans;
	size_t n_spans, cap_spans, next_span;
	struct option_line *lines;
	size_t n_lines, cap_lines;
	struct titled_section *titles;
	size_t n_titles, cap_titles;
	int unclosed_line;              /* a section '{' never closed, or 0 */
	int media_seen;
	int cleanup_line, gc_line;      /* where the cleanup and gc sections open, or 0 */
	int webhook_line;
};

/* libconfuse's callbacks carry no user pointer, and its lexer is global anyway:
 * one load at a time. */
static struct load_ctx *current;

/* Makes room for one more element of size in *v (capacity *cap, count n). */
static void *grow(void *v, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return v;
	*cap = *cap ? *cap * 2 : 16;
	return xreallocarray(v, *cap, size);
}

static void add_error(struct load_ctx *ctx, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Records a semantic error at line; fmt is the message without "file:line: ". */
static void add_error(struct load_ctx *ctx, int line, const char *fmt, ...)
{
	struct located_error *e;
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	ctx->errs = grow(ctx->errs, &ctx->cap_errs, ctx->n_errs, sizeof(*ctx->errs));
	e = &ctx->errs[ctx->n_errs];
	e->line = line;
	e->seq = ctx->n_errs++;
	e->text = xasprintf("%s:%d: %s", ctx->name, line, msg);
	free(msg);
}

static int by_line(const void *a, const void *b)
{
	const struct located_error *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* ---- scanning --------------------------------------------------------- */

/* Returns 1 when c can be part of an unquoted value. */
static int is_word_char(char c)
{
	return c != '\0' && strchr(" \t\r\n#\"'={}()+,", c) == NULL;
}

/* Returns the index just past the string quoted by t[i], counting line breaks. */
static size_t skip_string(const char *t, size_t i, int *line)
{
	char quote = t[i++];

	while (t[i] != '\0' && t[i] != quote) {
		if (t[i] == '\\' && t[i + 1] != '\0')
			i++;
		if (t[i] == '\n')
			(*line)++;
		i++;
	}
	return t[i] == quote ? i + 1 : i;
}

/* Blanks t[from..to) except line breaks, counting them. */
static void blank(char *t, size_t from, size_t to, int *line)
{
	for (size_t i = from; i < to; i++) {
		if (t[i] == '\n')
			(*line)++;
		else
			t[i] = ' ';
	}
}

static void add_span(struct load_ctx *ctx, int open_line, int close_line)
{
	ctx->spans = grow(ctx->spans, &ctx->cap_spans, ctx->n_spans, sizeof(*ctx->spans));
	ctx->spans[ctx->n_spans].open_line = open_line;
	ctx->spans[ctx->n_spans++].close_line = close_line;
}

/* Returns a copy of text that libconfuse counts lines in correctly: comments are
 * blanked and an unquoted '*' is reported and replaced. Notes where sections open
 * and close, and the first section '{' left open at the end. */
static char *scan_text(struct load_ctx *ctx, const char *text)
{
	char *t = xstrdup(text);
	int *open = NULL;       /* open braces: line, negated for a list's '{' */
	size_t depth = 0, cap = 0, i = 0;
	char last = '\0';       /* last significant character, and its line */
	int last_line = 1, line = 1;

	while (t[i] != '\0') {
		char c = t[i];
		char prev = i > 0 ? t[i - 1] : '\0';

		if (c == '"' || c == '\'') {
			i = skip_string(t, i, &line);
			last = c;
			last_line = line;
		} else if (c == '#' || (c == '/' && t[i + 1] == '/')) {
			size_t end = i + strcspn(t + i, "\n");

			blank(t, i, end, &line);
			i = end;
		} else if (c == '/' && t[i + 1] == '*' && !is_word_char(prev)) {
			const char *close = strstr(t + i + 2, "*/");
			size_t end = close ? (size_t)(close - t) + 2 : strlen(t);
			int start = line;

			blank(t, i, end, &line);
			if (close == NULL)
				strlist_addf(&ctx->syntax, "%s:%d: comment '/*' is never closed with '*/'",
					     ctx->name, start);
			i = end;
		} else if (c == '*') {
			add_error(ctx, line, "'*' outside quotes is lost by the parser; put patterns "
				  "in double quotes, e.g. \"/var/log/app/*.log\"");
			t[i++] = '_';
			last = '_';
			last_line = line;
		} else if (c == '$' && t[i + 1] == '{' && !is_word_char(prev) && strchr(t + i, '}')) {
			size_t end = (size_t)(strchr(t + i, '}') - t) + 1;

			for (; i < end; i++)
				if (t[i] == '\n')
					line++;
			last = '}';
			last_line = line;
		} else {
			if (c == '{') {
				open = grow(open, &cap, depth, sizeof(*open));
				open[depth++] = last == '=' ? -last_line : last_line;
			} else if (c == '}' && depth > 0 && open[--depth] > 0) {
				add_span(ctx, open[depth], line);
			} else if (c == '\n') {
				line++;
			}
			if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
				last = c;
				last_line = line;
			}
			i++;
		}
	}
	while (depth > 0 && ctx->unclosed_line == 0)
		if (open[--depth] > 0)
			ctx->unclosed_line = open[depth];
	free(open);
	return t;
}

/* ---- names for messages ------------------------------------------------ */

/* Writes how messages name section sec ("role web: ", "role web: match: ",
 * "role web: log \"/var/log/x.log\": ", "rule outgoing: ", "docker: ", or ""
 * at the top level) into buf. */
static const char *section_label(const struct load_ctx *ctx, const cfg_t *sec, char *buf, size_t len)
{
	unsigned n = cfg_size(ctx->root, "role");
	const char *role = n > 0 ? cfg_title(cfg_getnsec(ctx->root, "role", n - 1)) : "?";

	if (sec == NULL || sec == ctx->root)
		buf[0] = '\0';
	else if (strcmp(sec->name, "match") == 0)
		snprintf(buf, len, "role %s: match: ", role);
	else if (strcmp(sec->name, "log") == 0)
		snprintf(buf, len, "role %s: log \"%s\": ", role, sec->title);
	else if (sec->title != NULL)
		snprintf(buf, len, "%s %s: ", sec->name, sec->title);
	else
		snprintf(buf, len, "%s: ", sec->name);
	return buf;
}

/* Returns the line where the section closing at close_line opened: the next
 * span in closing order, or close_line if the scan and libconfuse disagree. */
static int section_start(struct load_ctx *ctx, int close_line)
{
	const struct section_span *s;

	if (ctx->next_span >= ctx->n_spans)
		return close_line;
	s = &ctx->spans[ctx->next_span++];
	return s->close_line == close_line ? s->open_line : close_line;
}

/* Returns the line where option opt was set in sec, or 0. */
static int option_line(const struct load_ctx *ctx, const cfg_t *sec, const char *opt)
{
	for (size_t i = 0; i < ctx->n_lines; i++)
		if (ctx->lines[i].sec == sec && strcmp(ctx->lines[i].opt, opt) == 0)
			return ctx->lines[i].line;
	return 0;
}

/* Notes that opt was set in sec at line; returns the earlier line for a scalar
 * that was already set, else 0. */
static int note_option_line(struct load_ctx *ctx, const cfg_t *sec, const cfg_opt_t *opt, int line)
{
	for (size_t i = 0; i < ctx->n_lines; i++) {
		struct option_line *l = &ctx->lines[i];

		if (l->sec == sec && strcmp(l->opt, opt->name) == 0) {
			int earlier = l->line;

			if (opt->flags & CFGF_LIST)
				return 0;
			l->line = line;
			return earlier;
		}
	}
	ctx->lines = grow(ctx->lines, &ctx->cap_lines, ctx->n_lines, sizeof(*ctx->lines));
	ctx->lines[ctx->n_lines].sec = sec;
	ctx->lines[ctx->n_lines].opt = opt->name;
	ctx->lines[ctx->n_lines++].line = line;
	return 0;
}

/* ---- values ------------------------------------------------------------ */

/* Parses a whole decimal number in lo..hi. Returns 0 or -1. */
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

static int parse_compress(const char *s, enum compress_kind *kind)
{
	if (strcmp(s, "gzip") == 0)
		*kind = COMPRESS_GZIP;
	else if (strcmp(s, "zstd") == 0)
		*kind = COMPRESS_ZSTD;
	else
		return -1;
	return 0;
}

static int parse_method(const char *s, enum rotate_method *method)
{
	if (strcmp(s, "copytruncate") == 0)
		*method = METHOD_COPYTRUNCATE;
	else if (strcmp(s, "rename") == 0)
		*method = METHOD_RENAME;
	else
		return -1;
	return 0;
}

/* Returns 1 when path has a ".." component. */
static int has_dotdot(const char *path)
{
	for (const char *p = path; (p = strstr(p, "..")) != NULL; p += 2)
		if ((p == path || p[-1] == '/') && (p[2] == '\0' || p[2] == '/'))
			return 1;
	return 0;
}

/* Each check_* returns NULL when value is acceptable, else what is wrong with it
 * (the message reads "OPTION 'VALUE' <returned text>"). */

static const char *check_abs_path(const char *v)
{
	if (v[0] != '/')
		return "must be an absolute path";
	if (has_dotdot(v))
		return "must not contain a '..' component";
	return NULL;
}

static const char *check_log_glob(const char *v)
{
	const char *last = strrchr(v, '/');

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

static const char *check_rule_path(const char *v)
{
	if (v[0] == '\0')
		return "must not be empty (a folder under the media root, e.g. outgoing)";
	if (v[0] == '/')
		return "must be relative to the media root (e.g. outgoing)";
	if (has_dotdot(v))
		return "must not contain a '..' component";
	return NULL;
}

static const char *check_file_glob(const char *v)
{
	if (v[0] == '\0' || strchr(v, '/') != NULL)
		return "must be a file name pattern without '/' (e.g. *.jpg)";
	return NULL;
}

static const char *check_not_empty(const char *v)
{
	return v[0] == '\0' ? "must not be empty" : NULL;
}

static const char *check_env(const char *v)
{
	size_t key = strcspn(v, "=");

	if (key == 0 || (v[0] >= '0' && v[0] <= '9') ||
	    strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") != key)
		return "is not KEY or KEY=VALUE (KEY: letters, digits and '_', "
		       "not starting with a digit; e.g. WA_MASTER_NODE=1)";
	return NULL;
}

static const char *check_size(const char *v)
{
	uint64_t n;

	if (units_parse_size(v, &n) < 0)
		return "is not a size (examples: 20M, 15MB, 512K)";
	return n == 0 ? "must be more than 0 (examples: 20M, 15MB, 512K)" : NULL;
}

static const char *check_duration(const char *v)
{
	uint64_t n;

	return units_parse_duration(v, &n) < 0 ? "is not a duration (examples: 7d, 12h, 0)" : NULL;
}

static const char *check_positive_duration(const char *v)
{
	uint64_t n;

	if (units_parse_duration(v, &n) < 0 || n == 0)
		return "is not a duration greater than 0 (examples: 30d, 1h, 90s, 2w)";
	return NULL;
}

static const char *check_idle(const char *v)
{
	uint64_t n;

	return units_parse_duration(v, &n) < 0 ?
		"is not a duration (examples: 1h, 30m, 2d; 0 never archives idle files whole)" : NULL;
}

static const char *check_max_age(const char *v)
{
	uint64_t n;

	return units_parse_duration(v, &n) < 0 ?
		"is not a duration (examples: 14d, 2w, 90d; 0 keeps archives of any age)" : NULL;
}

static const char *check_max_size(const char *v)
{
	uint64_t n;

	return units_parse_size(v, &n) < 0 ?
		"is not a size (examples: 1G, 500M, 2GiB; 0 sets no budget)" : NULL;
}

static const char *check_timeout(const char *v)
{
	uint64_t n;

	if (units_parse_duration(v, &n) < 0 || n == 0 || n > MAX_TIMEOUT_S)
		return "is not a duration from 1s to 1d (examples: 30s, 2m)";
	return NULL;
}

static const char *check_gc_timeout(const char *v)
{
	uint64_t n;

	if (units_parse_duration(v, &n) < 0 || n == 0 || n > MAX_GC_TIMEOUT_S)
		return "is not a duration from 1s to 1h (examples: 60s, 2m)";
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

/* Parses true/false (and libconfuse's yes/no, on/off). Returns 0 or -1. */
static int parse_bool(const char *s, int *out)
{
	if (strcmp(s, "true") == 0 || strcmp(s, "yes") == 0 || strcmp(s, "on") == 0)
		*out = 1;
	else if (strcmp(s, "false") == 0 || strcmp(s, "no") == 0 || strcmp(s, "off") == 0)
		*out = 0;
	else
		return -1;
	return 0;
}

static const char *check_bool(const char *v)
{
	int b;

	return parse_bool(v, &b) < 0 ? "must be true or false" : NULL;
}

static const char *check_concurrency(const char *v)
{
	unsigned n;

	return parse_uint(v, 1, 64, &n) < 0 ? "must be a whole number from 1 to 64" : NULL;
}

static const char *check_endpoint(const char *v)
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
	return NULL;
}

static const char *check_window(const char *v)
{
	struct time_window w;

	if (units_parse_window(v, &w) < 0)
		return "is not a daily window HH:MM-HH:MM with different start and end "
		       "(e.g. 02:00-05:00, or 22:00-04:00 across midnight)";
	return NULL;
}

static const char *check_optional_abs_file(const char *v)
{
	return v[0] == '\0' ? NULL : check_abs_file(v);
}

static const char *check_rate(const char *v)
{
	unsigned n;

	return parse_uint(v, 1, 600, &n) < 0 ? "must be a whole number of requests per minute from 1 to 600" : NULL;
}

static const char *check_listen(const char *v)
{
	char *addr;
	unsigned port;

	if (v[0] == '\0')
		return NULL;
	if (units_parse_listen(v, &addr, &port) < 0)
		return "must be \"\" (off) or ADDR:PORT with a numeric IP address, e.g. 127.0.0.1:9473 or [::1]:9473";
	free(addr);
	return NULL;
}

static const char *check_percent(const char *v)
{
	unsigned n;

	return units_parse_percent(v, &n) < 0 ? "is not a percentage from 0 to 100 (e.g. 85%)" : NULL;
}

static const char *check_jobs(const char *v)
{
	unsigned n;

	return parse_uint(v, 0, 256, &n) < 0 ?
		"must be a whole number from 0 to 256 (0 = one per CPU)" : NULL;
}

static const char *check_keep(const char *v)
{
	unsigned n;

	return parse_uint(v, 1, 10000, &n) < 0 ? "must be a whole number from 1 to 10000" : NULL;
}

static const char *check_level(const char *v)
{
	unsigned n;

	return parse_uint(v, 0, 1000, &n) < 0 ?
		"must be a whole number (gzip 1 to 9, zstd 1 to 19)" : NULL;
}

static const char *check_compress(const char *v)
{
	enum compress_kind k;

	return parse_compress(v, &k) < 0 ? "must be gzip or zstd" : NULL;
}

static const char *check_method(const char *v)
{
	enum rotate_method m;

	return parse_method(v, &m) < 0 ? "must be copytruncate or rename" : NULL;
}

/* An option name means the same wherever it appears (a log section repeats some
 * role options), so one table serves all sections. */
static const struct {
	const char *opt;
	const char *(*check)(const char *value);
} checks[] = {
	{ "socket", check_abs_path },
	{ "timeout", check_timeout },
	{ "jobs", check_jobs },
	{ "window", check_window },
	{ "image", check_not_empty },
	{ "service", check_not_empty },
	{ "name", check_not_empty },
	{ "env", check_env },
	{ "not-env", check_env },
	{ "logs", check_log_glob },
	{ "size", check_size },
	{ "keep", check_keep },
	{ "compress", check_compress },
	{ "compress-level", check_level },
	{ "archive-dir", check_abs_path },
	{ "method", check_method },
	{ "postrotate", check_not_empty },
	{ "idle-after", check_idle },
	{ "max-age", check_max_age },
	{ "max-size", check_max_size },
	{ "root", check_abs_path },
	{ "floor", check_duration },
	{ "path", check_rule_path },
	{ "age", check_positive_duration },
	{ "globs", check_file_glob },
	{ "high", check_percent },
	{ "low", check_percent },
	{ "archive-floor", check_duration },
	{ "remediation-backoff", check_positive_duration },
	{ "state-file", check_abs_file },
	{ "lock-file", check_abs_file },
	{ "lock-wait", check_duration },
	{ "interval", check_positive_duration },
	{ "stop-timeout", check_duration },
	{ "status-file", check_abs_file },
	{ "listen", check_listen },
	{ "command", check_not_empty },
	{ "concurrency", check_concurrency },
	{ "enabled", check_bool },
	{ "endpoint", check_endpoint },
	{ "env-file", check_abs_file },
	{ "ca-file", check_abs_file },
	{ "verify-tls", check_bool },
};

/* The exceptions: an option whose check depends on its section. */
static const struct {
	const char *section;
	const char *opt;
	const char *(*check)(const char *value);
} section_checks[] = {
	{ "gc", "timeout", check_gc_timeout },
	{ "metrics", "file", check_optional_abs_file },
	{ "webhook", "token-file", check_optional_abs_file },
	{ "webhook", "rate", check_rate },
	{ "webhook", "alerts", check_not_empty },
	{ "webhook", "hosts", check_not_empty },
};

typedef const char *check_fn(const char *value);

/* Returns the check for option opt in section sec, or NULL. */
static check_fn *find_check(const cfg_t *sec, const char *opt)
{
	for (size_t i = 0; i < sizeof(section_checks) / sizeof(section_checks[0]); i++)
		if (strcmp(section_checks[i].section, sec->name) == 0 &&
		    strcmp(section_checks[i].opt, opt) == 0)
			return section_checks[i].check;
	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++)
		if (strcmp(checks[i].opt, opt) == 0)
			return checks[i].check;
	return NULL;
}

static void remember_title(struct load_ctx *ctx, const cfg_t *scope, const char *title, int line);

/* libconfuse value callback for every option: checks the value, records any
 * problem at the value's line, and keeps the text so that parsing goes on. */
static int on_value(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	struct load_ctx *ctx = current;
	check_fn *check;
	const char *why;
	char label[256];
	int earlier;

	*(const char **)result = value;
	if (ctx == NULL)
		return 0;
	earlier = note_option_line(ctx, cfg, opt, cfg->line);
	if (earlier != 0)
		add_error(ctx, cfg->line, "%s'%s' is already set on line %d",
			  section_label(ctx, cfg, label, sizeof(label)), opt->name, earlier);
	/* cleanup.roles can only be checked once every role is read: note the
	 * line of each name for check_cleanup_roles(). */
	if (strcmp(cfg->name, "cleanup") == 0 && strcmp(opt->name, "roles") == 0)
		remember_title(ctx, cfg, value, cfg->line);
	check = find_check(cfg, opt->name);
	why = check != NULL ? check(value) : NULL;
	if (why != NULL)
		add_error(ctx, cfg->line, "%s%s '%s' %s",
			  section_label(ctx, cfg, label, sizeof(label)), opt->name, value, why);
	return 0;
}

/* ---- sections ---------------------------------------------------------- */

static cfg_t *last_section(cfg_opt_t *opt)
{
	return cfg_opt_getnsec(opt, cfg_opt_size(opt) - 1);
}

/* Records an error unless sec has a value (or a non-empty list) for opt. */
static void require(struct load_ctx *ctx, cfg_t *sec, const char *opt, int line)
{
	cfg_opt_t *o = cfg_getopt(sec, opt);
	char label[256];

	section_label(ctx, sec, label, sizeof(label));
	if (o->flags & CFGF_LIST) {
		if (cfg_opt_size(o) > 0)
			return;
		if (o->flags & CFGF_MODIFIED) {
			add_error(ctx, line, "%s'%s' is empty; list at least one value", label, opt);
			return;
		}
	} else if (cfg_getstr(sec, opt) != NULL) {
		return;
	}
	add_error(ctx, line, "%srequired option '%s' is missing", label, opt);
}

/* Checks a role or rule title; returns 1 when it is acceptable. */
static int check_title(struct load_ctx *ctx, const char *kind, const char *title, int line)
{
	static const char allowed[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-";

	if (title[0] == '\0' || strspn(title, allowed) != strlen(title)) {
		add_error(ctx, line, "%s name '%s' may only use letters, digits, '_', '.' and '-'",
			  kind, title);
		return 0;
	}
	return 1;
}

/* Notes that the section titled title, inside scope, opened at line. */
static void remember_title(struct load_ctx *ctx, const cfg_t *scope, const char *title, int line)
{
	ctx->titles = grow(ctx->titles, &ctx->cap_titles, ctx->n_titles, sizeof(*ctx->titles));
	ctx->titles[ctx->n_titles].scope = scope;
	ctx->titles[ctx->n_titles].title = xstrdup(title);
	ctx->titles[ctx->n_titles++].line = line;
}

/* Returns the line where the section titled title, inside scope, opened, or 0. */
static int title_line(const struct load_ctx *ctx, const cfg_t *scope, const char *title)
{
	for (size_t i = 0; i < ctx->n_titles; i++)
		if (ctx->titles[i].scope == scope && strcmp(ctx->titles[i].title, title) == 0)
			return ctx->titles[i].line;
	return 0;
}

/* Checks level (NULL: the compressor's default, always fine) against the
 * compressor named compress; reports at line. from_role: the level is the role's
 * and a log section changed the compressor. */
static void check_level_range(struct load_ctx *ctx, const char *level, const char *compress, int line,
			      const char *label, int from_role)
{
	enum compress_kind kind;
	unsigned n, max;

	if (level == NULL || compress == NULL || parse_compress(compress, &kind) < 0 ||
	    parse_uint(level, 0, 1000, &n) < 0)
		return;
	max = kind == COMPRESS_ZSTD ? 19 : 9;
	if (n >= 1 && n <= max)
		return;
	if (from_role)
		add_error(ctx, line, "%sthe role's compress-level '%s' is out of range for %s (1 to %u); "
			  "set compress-level in this section too", label, level,
			  kind == COMPRESS_ZSTD ? "zstd" : "gzip", max);
	else
		add_error(ctx, line, "%scompress-level '%s' is out of range for %s (1 to %u)",
			  label, level, kind == COMPRESS_ZSTD ? "zstd" : "gzip", max);
}

/* Checks the role's compress-level against its compressor. */
static void check_role_level(struct load_ctx *ctx, cfg_t *role, const char *label)
{
	check_level_range(ctx, cfg_getstr(role, "compress-level"), cfg_getstr(role, "compress"),
			  option_line(ctx, role, "compress-level"), label, 0);
}

/* The same for the effective values of a log section that opens at start. */
static void check_log_level(struct load_ctx *ctx, cfg_t *role, cfg_t *log, const char *label, int start)
{
	const char *level = cfg_getstr(log, "compress-level");
	const char *compress = cfg_getstr(log, "compress");
	int line;

	if (level != NULL) {
		line = option_line(ctx, log, "compress-level");
		check_level_range(ctx, level, compress ? compress : cfg_getstr(role, "compress"),
				  line ? line : start, label, 0);
	} else if (compress != NULL) {
		line = option_line(ctx, log, "compress");
		check_level_range(ctx, cfg_getstr(role, "compress-level"), compress,
				  line ? line : start, label, 1);
	}
}

/* Checks that postrotate is given exactly when the method renames. */
static void check_role_method(struct load_ctx *ctx, cfg_t *role, const char *label, int start)
{
	enum rotate_method method;
	int line;

	if (parse_method(cfg_getstr(role, "method"), &method) < 0)
		return;
	if (method == METHOD_RENAME && cfg_size(role, "postrotate") == 0) {
		line = option_line(ctx, role, "method");
		add_error(ctx, line ? line : start, "%smethod 'rename' needs a postrotate command "
			  "that makes the app reopen its logs (or use method copytruncate)", label);
	} else if (method == METHOD_COPYTRUNCATE && cfg_size(role, "postrotate") > 0) {
		line = option_line(ctx, role, "postrotate");
		add_error(ctx, line ? line : start, "%spostrotate is only run with method rename; "
			  "set method = rename or remove postrotate", label);
	}
}

/* Checks the effective method and postrotate of a log section that opens at
 * start; what the section does not change is the role's own check. */
static void check_log_method(struct load_ctx *ctx, cfg_t *role, cfg_t *log, const char *label, int start)
{
	const char *name = cfg_getstr(log, "method");
	int own_post = (cfg_getopt(log, "postrotate")->flags & CFGF_MODIFIED) != 0;
	unsigned n_post = cfg_size(own_post ? log : role, "postrotate");
	enum rotate_method method;
	int line;

	if (name == NULL && !own_post)
		return;
	if (parse_method(name ? name : cfg_getstr(role, "method"), &method) < 0)
		return;
	if (method == METHOD_RENAME && n_post == 0) {
		line = option_line(ctx, log, "method");
		if (name != NULL)
			add_error(ctx, line ? line : start, "%smethod 'rename' needs a postrotate command "
				  "that makes the app reopen its logs (or use method copytruncate)", label);
		else
			add_error(ctx, start, "%spostrotate is empty, but the role's method 'rename' needs "
				  "a command that makes the app reopen its logs (or set method = "
				  "copytruncate in this section)", label);
	} else if (method == METHOD_COPYTRUNCATE && n_post > 0) {
		line = option_line(ctx, log, own_post ? "postrotate" : "method");
		if (own_post)
			add_error(ctx, line ? line : start, "%spostrotate is only run with method rename; "
				  "set method = rename or remove postrotate", label);
		else
			add_error(ctx, line ? line : start, "%smethod 'copytruncate' never runs the "
				  "role's postrotate; set postrotate = {} in this section, or use "
				  "method rename", label);
	}
}

/* Checks that every log section names one of the role's logs patterns, and that
 * its values together with the role's still make sense. */
static void check_role_logs(struct load_ctx *ctx, cfg_t *role, const char *role_label)
{
	for (unsigned i = 0; i < cfg_size(role, "log"); i++) {
		cfg_t *log = cfg_getnsec(role, "log", i);
		const char *glob = cfg_title(log);
		int start = title_line(ctx, role, glob);
		char label[256];
		int known = 0;

		for (unsigned j = 0; j < cfg_size(role, "logs") && !known; j++)
			known = strcmp(cfg_getnstr(role, "logs", j), glob) == 0;
		if (!known) {
			add_error(ctx, start, "%slog \"%s\" is not one of the role's logs patterns",
				  role_label, glob);
			continue;
		}
		section_label(ctx, log, label, sizeof(label));
		check_log_level(ctx, role, log, label, start);
		check_log_method(ctx, role, log, label, start);
	}
}

static int on_role_end(cfg_t *parent, cfg_opt_t *opt)
{
	struct load_ctx *ctx = current;
	cfg_t *role = last_section(opt);
	const char *title = cfg_title(role);
	char label[256];
	int start;

	if (ctx == NULL)
		return 0;
	start = section_start(ctx, parent->line);
	section_label(ctx, role, label, sizeof(label));
	if (check_title(ctx, "role", title, start) && strcmp(title, "none") == 0)
		add_error(ctx, start, "role name 'none' is reserved (the label rotd.role=none "
			  "means: ignore this container); choose another name");
	require(ctx, role, "logs", start);
	require(ctx, role, "size", start);
	require(ctx, role, "archive-dir", start);
	check_role_level(ctx, role, label);
	check_role_method(ctx, role, label, start);
	check_role_logs(ctx, role, label);
	remember_title(ctx, parent, title, start);
	return 0;
}

/* A log section's checks need the whole role: here only where it opens is noted. */
static int on_log_end(cfg_t *parent, cfg_opt_t *opt)
{
	struct load_ctx *ctx = current;

	if (ctx == NULL)
		return 0;
	remember_title(ctx, parent, cfg_title(last_section(opt)), section_start(ctx, parent->line));
	return 0;
}

static int on_match_end(cfg_t *parent, cfg_opt_t *opt)
{
	/* not-env only excludes, so it cannot make a block select anything. */
	static const char *const lists[] = { "image", "service", "name", "env" };
	struct load_ctx *ctx = current;
	cfg_t *match = last_section(opt);
	char label[256];
	int start;

	if (ctx == NULL)
		return 0;
	start = section_start(ctx, parent->line);
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		if (cfg_size(match, lists[i]) > 0)
			return 0;
	add_error(ctx, start, "%sthe block has no condition that selects containers (not-env only excludes); "
		  "give image, service, name or env",
		  section_label(ctx, match, label, sizeof(label)));
	return 0;
}

static int on_rule_end(cfg_t *parent, cfg_opt_t *opt)
{
	struct load_ctx *ctx = current;
	cfg_t *rule = last_section(opt);
	int start;

	if (ctx == NULL)
		return 0;
	start = section_start(ctx, parent->line);
	check_title(ctx, "rule", cfg_title(rule), start);
	require(ctx, rule, "path", start);
	require(ctx, rule, "age", start);
	remember_title(ctx, parent, cfg_title(rule), start);
	return 0;
}

static int on_media_end(cfg_t *parent, cfg_opt_t *opt)
{
	struct load_ctx *ctx = current;

	if (ctx == NULL)
		return 0;
	ctx->media_seen = 1;
	require(ctx, last_section(opt), "root", section_start(ctx, parent->line));
	return 0;
}

static int on_watermarks_end(cfg_t *parent, cfg_opt_t *opt)
{
	struct load_ctx *ctx = current;
	cfg_t *wm = last_section(opt);
	unsigned high, low;
	int start, line;

	if (ctx == NULL)
		return 0;
	start = section_start(ctx, parent->line);
	if (units_parse_percent(cfg_getstr(wm, "high"), &high) < 0 ||
	    units_parse_percent(cfg_getstr(wm, "low"), &low) < 0 || low < high)
		return 0;
	line = option_line(ctx, wm, "low");
	if (line == 0)
		line = option_line(ctx, wm, "high");
	add_error(ctx, line ? line : start, "watermarks: low (%u%%) must be below high (%u%%)",
		  low, high);
	return 0;
}

/* Notes where a section that may appear once opens (*first); a second one is an
 * error. Returns where this one opens. */
static int once_section(struct load_ctx *ctx, cfg_t *parent, const char *name, int *first)
{
	int start = section_start(ctx, parent->line);

	if (*first != 0)
		add_error(ctx, start, "%s: a second %s section (first on line %d); put its options "
			  "in one section", name, name, *first);
	else
		*first = start;
	return start;
}

static int on_cleanup_end(cfg_t *parent, cfg_opt_t *opt)
{
	struct load_ctx *ctx = current;
	cfg_t *sec = last_section(opt);
	const char *prog;
	int start;

	if (ctx == NULL)
		return 0;
	start = once_section(ctx, parent, "cleanup", &ctx->cleanup_line);
	if (cfg_size(sec, "command") == 0) {
		if (cfg_getopt(sec, "command")->flags & CFGF_MODIFIED)
			add_error(ctx, start, "cleanup: 'command' is empty; give the program and its "
				  "arguments, e.g. {\"" DEFAULT_CLEANUP_COMMAND "\"}");
		return 0;
	}
	prog = cfg_getnstr(sec, "command", 0);
	if (prog[0] != '\0' && prog[0] != '/') {
		int line = option_line(ctx, sec, "command");

		add_error(ctx, line ? line : start, "cleanup: command '%s' must start with the "
			  "program's absolute path inside the container (e.g. "
			  DEFAULT_CLEANUP_COMMAND ")", prog);
	}
	return 0;
}

/* The token file's first line, or NULL with errno set (ENODATA: empty). New string. */
static char *read_token_file(const char *path)
{
	char line[1024];
	FILE *f = fopen(path, "re");
	char *token = NULL;

	if (f == NULL)
		return NULL;
	if (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] != '\0')
			token = xstrdup(line);
	}
	fclose(f);
	if (token == NULL)
		errno = ENODATA;
	return token;
}

static int on_webhook_end(cfg_t *parent, cfg_opt_t *opt)
{
	struct load_ctx *ctx = current;
	cfg_t *sec = last_section(opt);
	const char *listen, *token, *file;
	int start;

	if (ctx == NULL)
		return 0;
	start = once_section(ctx, parent, "webhook", &ctx->webhook_line);
	listen = cfg_getstr(sec, "listen");
	token = cfg_getstr(sec, "token");
	file = cfg_getstr(sec, "token-file");
	if (listen == NULL || listen[0] == '\0')
		return 0;
	if ((token == NULL || token[0] == '\0') && (file == NULL || file[0] == '\0')) {
		add_error(ctx, start, "webhook: listen needs a token or a token-file (the bearer token "
			  "Alertmanager sends)");
	} else if (token != NULL && token[0] != '\0' && file != NULL && file[0] != '\0') {
		add_error(ctx, start, "webhook: give either token or token-file, not both");
	} else if (file != NULL && file[0] != '\0') {
		char *t = read_token_file(file);

		if (t == NULL)
			add_error(ctx, start, "webhook: cannot read the token-file %s: %s", file,
				  errno == ENODATA ? "its first line is empty" : strerror(errno));
		free(t);
	}
	return 0;
}

static int on_gc_end(cfg_t *parent, cfg_opt_t *opt)
{
	struct load_ctx *ctx = current;
	cfg_t *sec = last_section(opt);
	int start, enabled;

	if (ctx == NULL)
		return 0;
	start = once_section(ctx, parent, "gc", &ctx->gc_line);
	if (parse_bool(cfg_getstr(sec, "enabled"), &enabled) == 0 && enabled &&
	    cfg_getstr(sec, "endpoint") == NULL && cfg_getstr(sec, "env-file") == NULL)
		add_error(ctx, start, "gc: enabled = true needs an endpoint, or an env-file "
			  "with WA_WEB_ENDPOINT=");
	return 0;
}

/* Checks, once every role is read, that cleanup.roles names defined roles, each
 * once. */
static void check_cleanup_roles(struct load_ctx *ctx, cfg_t *root)
{
	cfg_t *sec = cfg_getsec(root, "cleanup");
	unsigned n_roles = cfg_size(root, "role");

	if (n_roles == 0)
		return;
	for (unsigned i = 0; i < cfg_size(sec, "roles"); i++) {
		const char *name = cfg_getnstr(sec, "roles", i);
		size_t nth = 0;         /* earlier mentions of name in the list */
		int line = 0;

		for (unsigned j = 0; j < i; j++)
			nth += strcmp(cfg_getnstr(sec, "roles", j), name) == 0;
		for (size_t t = 0; t < ctx->n_titles && line == 0; t++)
			if (ctx->titles[t].scope == sec && strcmp(ctx->titles[t].title, name) == 0 &&
			    nth-- == 0)
				line = ctx->titles[t].line;

		if (cfg_gettsec(root, "role", name) == NULL) {
			char known[512] = "";
			size_t len = 0;

			for (unsigned j = 0; j < n_roles && len < sizeof(known); j++)
				len += (size_t)snprintf(known + len, sizeof(known) - len, "%s%s",
							j ? ", " : "",
							cfg_title(cfg_getnsec(root, "role", j)));
			add_error(ctx, line ? line : ctx->cleanup_line, "cleanup: roles names '%s', "
				  "which is not a defined role (defined: %s)", name, known);
			continue;
		}
		for (unsigned j = 0; j < i; j++)
			if (strcmp(cfg_getnstr(sec, "roles", j), name) == 0) {
				add_error(ctx, line ? line : ctx->cleanup_line,
					  "cleanup: roles names '%s' twice", name);
				break;
			}
	}
}

/* For sections with nothing to check: keeps the span order in step. */
static int on_plain_end(cfg_t *parent, cfg_opt_t *opt)
{
	(void)opt;
	if (current != NULL)
		section_start(current, parent->line);
	return 0;
}

/* libconfuse error function: its messages become "file:line: section: message". */
static void on_confuse_error(cfg_t *cfg, const char *fmt, va_list ap)
{
	struct load_ctx *ctx = current;
	char label[256], msg[512];

	if (ctx == NULL)
		return;
	section_label(ctx, cfg, label, sizeof(label));
	if (strcmp(fmt, "found duplicate title '%s'") == 0) {
		const char *title = va_arg(ap, const char *);
		const char *kind = cfg == ctx->root ? "role" : "rule";
		int first = title_line(ctx, cfg, title);

		if (cfg != ctx->root && strcmp(cfg->name, "role") == 0)
			snprintf(msg, sizeof(msg), "log \"%s\" has a second section (first on line %d); "
				 "put its options in one section", title, first);
		else
			snprintf(msg, sizeof(msg), "%s '%s' is defined twice (first on line %d); "
				 "each %s needs its own name", kind, title, first, kind);
		strlist_addf(&ctx->syntax, "%s:%d: %s%s", ctx->name, cfg->line, label, msg);
		return;
	}
	vsnprintf(msg, sizeof(msg), fmt, ap);
	strlist_addf(&ctx->syntax, "%s:%d: %s%s", ctx->name, cfg->line, label, msg);
}

/* ---- the result -------------------------------------------------------- */

/* Stops on a value that passed its check but cannot be converted: a bug here. */
static void must(int rc, const char *what)
{
	if (rc != 0) {
		fprintf(stderr, "rotd: internal error: config value '%s' passed checks but "
			"does not convert\n", what);
		abort();
	}
}

static void copy_list(struct strlist *dst, cfg_t *sec, const char *opt)
{
	for (unsigned i = 0; i < cfg_size(sec, opt); i++)
		strlist_add(dst, cfg_getnstr(sec, opt, i));
}

/* Returns level as a number, or the default of compressor kind when level is NULL. */
static int level_or_default(const char *level, enum compress_kind kind)
{
	unsigned u;

	if (level == NULL)
		return kind == COMPRESS_ZSTD ? 3 : 6;
	must(parse_uint(level, 1, 19, &u), "compress-level");
	return (int)u;
}

/* Fills p for pattern glob: the role's values r, overridden by what log (the
 * pattern's section in role, or NULL) sets. */
static void extract_policy(struct log_policy *p, const struct role_policy *r, cfg_t *role, cfg_t *log,
			   const char *glob)
{
	const char *v;

	p->glob = xstrdup(glob);
	p->size = r->size;
	p->keep = r->keep;
	p->compress = r->compress;
	p->archive_dir = xstrdup(log && (v = cfg_getstr(log, "archive-dir")) ? v : r->archive_dir);
	p->method = r->method;
	p->idle_after = r->idle_after;
	p->max_age = r->max_age;
	p->max_size = r->max_size;
	if (log && (v = cfg_getstr(log, "size")) != NULL)
		must(units_parse_size(v, &p->size), "size");
	if (log && (v = cfg_getstr(log, "keep")) != NULL)
		must(parse_uint(v, 1, 10000, &p->keep), "keep");
	if (log && (v = cfg_getstr(log, "compress")) != NULL)
		must(parse_compress(v, &p->compress), "compress");
	v = log ? cfg_getstr(log, "compress-level") : NULL;
	p->compress_level = level_or_default(v ? v : cfg_getstr(role, "compress-level"), p->compress);
	if (log && (v = cfg_getstr(log, "method")) != NULL)
		must(parse_method(v, &p->method), "method");
	if (log && (cfg_getopt(log, "postrotate")->flags & CFGF_MODIFIED))
		copy_list(&p->postrotate, log, "postrotate");
	else
		strlist_copy(&p->postrotate, &r->postrotate);
	if (log && (v = cfg_getstr(log, "idle-after")) != NULL)
		must(units_parse_duration(v, &p->idle_after), "idle-after");
	if (log && (v = cfg_getstr(log, "max-age")) != NULL)
		must(units_parse_duration(v, &p->max_age), "max-age");
	if (log && (v = cfg_getstr(log, "max-size")) != NULL)
		must(units_parse_size(v, &p->max_size), "max-size");
}

static void extract_role(struct role_policy *r, cfg_t *sec)
{
	r->name = xstrdup(cfg_title(sec));
	r->n_matches = cfg_size(sec, "match");
	r->matches = xcalloc(r->n_matches ? r->n_matches : 1, sizeof(*r->matches));
	for (size_t i = 0; i < r->n_matches; i++) {
		cfg_t *m = cfg_getnsec(sec, "match", (unsigned)i);

		copy_list(&r->matches[i].images, m, "image");
		copy_list(&r->matches[i].services, m, "service");
		copy_list(&r->matches[i].names, m, "name");
		copy_list(&r->matches[i].envs, m, "env");
		copy_list(&r->matches[i].not_envs, m, "not-env");
	}
	copy_list(&r->logs, sec, "logs");
	must(units_parse_size(cfg_getstr(sec, "size"), &r->size), "size");
	must(parse_uint(cfg_getstr(sec, "keep"), 1, 10000, &r->keep), "keep");
	must(parse_compress(cfg_getstr(sec, "compress"), &r->compress), "compress");
	r->compress_level = level_or_default(cfg_getstr(sec, "compress-level"), r->compress);
	r->archive_dir = xstrdup(cfg_getstr(sec, "archive-dir"));
	must(parse_method(cfg_getstr(sec, "method"), &r->method), "method");
	copy_list(&r->postrotate, sec, "postrotate");
	must(units_parse_duration(cfg_getstr(sec, "idle-after"), &r->idle_after), "idle-after");
	must(units_parse_duration(cfg_getstr(sec, "max-age"), &r->max_age), "max-age");
	must(units_parse_size(cfg_getstr(sec, "max-size"), &r->max_size), "max-size");
	r->log_policies = xcalloc(r->logs.n ? r->logs.n : 1, sizeof(*r->log_policies));
	for (size_t i = 0; i < r->logs.n; i++)
		extract_policy(&r->log_policies[i], r, sec, cfg_gettsec(sec, "log", r->logs.v[i]),
			       r->logs.v[i]);
}

static void extract_media(struct rotd_config *c, cfg_t *media)
{
	c->media_root = xstrdup(cfg_getstr(media, "root"));
	c->n_media_rules = cfg_size(media, "rule");
	c->media_rules = xcalloc(c->n_media_rules ? c->n_media_rules : 1, sizeof(*c->media_rules));
	for (size_t i = 0; i < c->n_media_rules; i++) {
		cfg_t *sec = cfg_getnsec(media, "rule", (unsigned)i);
		struct media_rule *r = &c->media_rules[i];

		r->name = xstrdup(cfg_title(sec));
		r->path = xstrdup(cfg_getstr(sec, "path"));
		copy_list(&r->globs, sec, "globs");
		must(units_parse_duration(cfg_getstr(sec, "age"), &r->max_age), "age");
	}
}

/* The cleanup section, or its defaults: the default roles are those of web, core
 * and master that the file defines. */
static void extract_cleanup(struct cleanup_policy *p, cfg_t *root)
{
	static const char *const default_roles[] = { "web", "core", "master" };
	cfg_t *sec = cfg_getsec(root, "cleanup");

	if (cfg_size(sec, "command") > 0)
		copy_list(&p->command, sec, "command");
	else
		strlist_add(&p->command, DEFAULT_CLEANUP_COMMAND);
	must(units_parse_duration(cfg_getstr(sec, "timeout"), &p->timeout), "timeout");
	must(parse_uint(cfg_getstr(sec, "concurrency"), 1, 64, &p->concurrency), "concurrency");
	if (cfg_getopt(sec, "roles")->flags & CFGF_MODIFIED) {
		copy_list(&p->roles, sec, "roles");
		return;
	}
	for (size_t i = 0; i < sizeof(default_roles) / sizeof(default_roles[0]); i++)
		if (cfg_gettsec(root, "role", default_roles[i]) != NULL)
			strlist_add(&p->roles, default_roles[i]);
}

static void extract_gc(struct gc_policy *p, cfg_t *root)
{
	cfg_t *sec = cfg_getsec(root, "gc");

	must(parse_bool(cfg_getstr(sec, "enabled"), &p->enabled), "enabled");
	p->endpoint = xstrdup(cfg_getstr(sec, "endpoint"));
	p->username = xstrdup(cfg_getstr(sec, "username"));
	p->password = xstrdup(cfg_getstr(sec, "password"));
	p->env_file = xstrdup(cfg_getstr(sec, "env-file"));
	p->ca_file = xstrdup(cfg_getstr(sec, "ca-file"));
	must(parse_bool(cfg_getstr(sec, "verify-tls"), &p->verify_tls), "verify-tls");
	must(units_parse_duration(cfg_getstr(sec, "timeout"), &p->timeout), "timeout");
}

/* A copy of s, or NULL when s is NULL or "". */
static char *empty_to_null(const char *s)
{
	return s != NULL && s[0] != '\0' ? xstrdup(s) : NULL;
}

static void extract_webhook(struct webhook_policy *p, cfg_t *root)
{
	static const char *const default_alerts[] = {
		"HostOutOfDiskSpace", "HostOutOfInodes", "NodeFilesystemAlmostOutOfSpace",
		"NodeFilesystemSpaceFillingUp", "NodeFilesystemAlmostOutOfFiles", "HighDiskUsage",
		"DiskUsageHigh", "DiskSpaceLow",
	};

	cfg_t *sec = cfg_getsec(root, "webhook");
	const char *file = cfg_getstr(sec, "token-file");

	p->listen = empty_to_null(cfg_getstr(sec, "listen"));
	p->token = empty_to_null(cfg_getstr(sec, "token"));
	if (p->token == NULL && file != NULL && file[0] != '\0')
		p->token = read_token_file(file);
	/* Checked at load; a token file that vanished since leaves the receiver off. */
	if (p->token == NULL) {
		free(p->listen);
		p->listen = NULL;
	}
	copy_list(&p->alerts, sec, "alerts");
	if (p->alerts.n == 0)
		for (size_t i = 0; i < sizeof(default_alerts) / sizeof(default_alerts[0]); i++)
			strlist_add(&p->alerts, default_alerts[i]);
	copy_list(&p->hosts, sec, "hosts");
	must(parse_uint(cfg_getstr(sec, "rate"), 1, 600, &p->rate), "rate");
}

/* Converts a parsed, fully checked cfg into the struct the rest of rotd reads. */
static struct rotd_config *extract(cfg_t *cfg, const char *name, int media_seen)
{
	struct rotd_config *c = xcalloc(1, sizeof(*c));
	cfg_t *docker = cfg_getsec(cfg, "docker");
	cfg_t *offpeak = cfg_getsec(cfg, "offpeak");
	cfg_t *media = cfg_getsec(cfg, "media");
	cfg_t *wm = cfg_getsec(cfg, "watermarks");
	cfg_t *metrics = cfg_getsec(cfg, "metrics");
	const char *tz = cfg_getstr(offpeak, "timezone");
	uint64_t timeout;

	c->path = xstrdup(name);
	c->docker_socket = xstrdup(cfg_getstr(docker, "socket"));
	must(units_parse_duration(cfg_getstr(docker, "timeout"), &timeout), "timeout");
	c->docker_timeout_ms = (unsigned)(timeout * 1000);
	must(parse_uint(cfg_getstr(cfg, "jobs"), 0, 256, &c->jobs), "jobs");
	must(units_parse_window(cfg_getstr(offpeak, "window"), &c->offpeak), "window");
	c->timezone = tz != NULL && tz[0] != '\0' ? xstrdup(tz) : NULL;
	c->n_roles = cfg_size(cfg, "role");
	c->roles = xcalloc(c->n_roles ? c->n_roles : 1, sizeof(*c->roles));
	for (size_t i = 0; i < c->n_roles; i++)
		extract_role(&c->roles[i], cfg_getnsec(cfg, "role", (unsigned)i));
	must(units_parse_duration(cfg_getstr(media, "floor"), &c->media_floor), "floor");
	if (media_seen)
		extract_media(c, media);
	must(units_parse_percent(cfg_getstr(wm, "high"), &c->high_watermark), "high");
	must(units_parse_percent(cfg_getstr(wm, "low"), &c->low_watermark), "low");
	must(units_parse_duration(cfg_getstr(wm, "archive-floor"), &c->archive_floor), "archive-floor");
	must(units_parse_duration(cfg_getstr(wm, "remediation-backoff"), &c->remediation_backoff),
	     "remediation-backoff");
	extract_cleanup(&c->cleanup, cfg);
	extract_gc(&c->gc, cfg);
	extract_webhook(&c->webhook, cfg);
	c->state_file = xstrdup(cfg_getstr(cfg, "state-file"));
	c->lock_file = xstrdup(cfg_getstr(cfg, "lock-file"));
	must(units_parse_duration(cfg_getstr(cfg, "lock-wait"), &c->lock_wait), "lock-wait");
	must(units_parse_duration(cfg_getstr(cfg, "interval"), &c->interval), "interval");
	must(units_parse_duration(cfg_getstr(cfg, "stop-timeout"), &c->stop_timeout), "stop-timeout");
	c->status_file = xstrdup(cfg_getstr(cfg, "status-file"));
	c->metrics_file = empty_to_null(cfg_getstr(metrics, "file"));
	c->metrics_listen = empty_to_null(cfg_getstr(metrics, "listen"));
	return c;
}

/* ---- loading ----------------------------------------------------------- */

static void free_ctx(struct load_ctx *ctx)
{
	for (size_t i = 0; i < ctx->n_errs; i++)
		free(ctx->errs[i].text);
	free(ctx->errs);
	strlist_free(&ctx->syntax);
	free(ctx->spans);
	free(ctx->lines);
	for (size_t i = 0; i < ctx->n_titles; i++)
		free(ctx->titles[i].title);
	free(ctx->titles);
}

/* Parses scanned text with libconfuse; returns the cfg (cfg_free it) or NULL
 * after a syntax error. */
static cfg_t *parse(struct load_ctx *ctx, const char *scanned)
{
	cfg_opt_t match_opts[] = {
		CFG_STR_LIST_CB("image", 0, CFGF_NONE, on_value),
		CFG_STR_LIST_CB("service", 0, CFGF_NONE, on_value),
		CFG_STR_LIST_CB("name", 0, CFGF_NONE, on_value),
		CFG_STR_LIST_CB("env", 0, CFGF_NONE, on_value),
		CFG_STR_LIST_CB("not-env", 0, CFGF_NONE, on_value),
		CFG_END()
	};
	cfg_opt_t log_opts[] = {
		CFG_STR_CB("size", 0, CFGF_NONE, on_value),
		CFG_STR_CB("keep", 0, CFGF_NONE, on_value),
		CFG_STR_CB("compress", 0, CFGF_NONE, on_value),
		CFG_STR_CB("compress-level", 0, CFGF_NONE, on_value),
		CFG_STR_CB("archive-dir", 0, CFGF_NONE, on_value),
		CFG_STR_CB("method", 0, CFGF_NONE, on_value),
		CFG_STR_LIST_CB("postrotate", 0, CFGF_NONE, on_value),
		CFG_STR_CB("idle-after", 0, CFGF_NONE, on_value),
		CFG_STR_CB("max-age", 0, CFGF_NONE, on_value),
		CFG_STR_CB("max-size", 0, CFGF_NONE, on_value),
		CFG_END()
	};
	cfg_opt_t role_opts[] = {
		CFG_SEC("match", match_opts, CFGF_MULTI),
		CFG_SEC("log", log_opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
		CFG_STR_LIST_CB("logs", 0, CFGF_NONE, on_value),
		CFG_STR_CB("size", 0, CFGF_NONE, on_value),
		CFG_STR_CB("keep", "30", CFGF_NONE, on_value),
		CFG_STR_CB("compress", "gzip", CFGF_NONE, on_value),
		CFG_STR_CB("compress-level", 0, CFGF_NONE, on_value),
		CFG_STR_CB("archive-dir", 0, CFGF_NONE, on_value),
		CFG_STR_CB("method", "copytruncate", CFGF_NONE, on_value),
		CFG_STR_LIST_CB("postrotate", 0, CFGF_NONE, on_value),
		CFG_STR_CB("idle-after", "1h", CFGF_NONE, on_value),
		CFG_STR_CB("max-age", "0", CFGF_NONE, on_value),
		CFG_STR_CB("max-size", "0", CFGF_NONE, on_value),
		CFG_END()
	};
	cfg_opt_t rule_opts[] = {
		CFG_STR_CB("path", 0, CFGF_NONE, on_value),
		CFG_STR_CB("age", 0, CFGF_NONE, on_value),
		CFG_STR_LIST_CB("globs", 0, CFGF_NONE, on_value),
		CFG_END()
	};
	cfg_opt_t media_opts[] = {
		CFG_STR_CB("root", 0, CFGF_NONE, on_value),
		CFG_STR_CB("floor", "7d", CFGF_NONE, on_value),
		CFG_SEC("rule", rule_opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
		CFG_END()
	};
	cfg_opt_t docker_opts[] = {
		CFG_STR_CB("socket", 0, CFGF_NONE, on_value),
		CFG_STR_CB("timeout", "30s", CFGF_NONE, on_value),
		CFG_END()
	};
	cfg_opt_t offpeak_opts[] = {
		CFG_STR_CB("window", "02:00-05:00", CFGF_NONE, on_value),
		CFG_STR_CB("timezone", "", CFGF_NONE, on_value),
		CFG_END()
	};
	cfg_opt_t watermark_opts[] = {
		CFG_STR_CB("high", "85%", CFGF_NONE, on_value),
		CFG_STR_CB("low", "80%", CFGF_NONE, on_value),
		CFG_STR_CB("archive-floor", "1d", CFGF_NONE, on_value),
		CFG_STR_CB("remediation-backoff", "30m", CFGF_NONE, on_value),
		CFG_END()
	};
	cfg_opt_t cleanup_opts[] = {
		CFG_STR_LIST_CB("command", 0, CFGF_NONE, on_value),
		CFG_STR_CB("timeout", "10m", CFGF_NONE, on_value),
		CFG_STR_CB("concurrency", "4", CFGF_NONE, on_value),
		CFG_STR_LIST_CB("roles", 0, CFGF_NONE, on_value),
		CFG_END()
	};
	cfg_opt_t gc_opts[] = {
		CFG_STR_CB("enabled", "false", CFGF_NONE, on_value),
		CFG_STR_CB("endpoint", 0, CFGF_NONE, on_value),
		CFG_STR_CB("username", 0, CFGF_NONE, on_value),
		CFG_STR_CB("password", 0, CFGF_NONE, on_value),
		CFG_STR_CB("env-file", 0, CFGF_NONE, on_value),
		CFG_STR_CB("ca-file", 0, CFGF_NONE, on_value),
		CFG_STR_CB("verify-tls", "true", CFGF_NONE, on_value),
		CFG_STR_CB("timeout", "60s", CFGF_NONE, on_value),
		CFG_END()
	};
	cfg_opt_t webhook_opts[] = {
		CFG_STR_CB("listen", "", CFGF_NONE, on_value),
		CFG_STR_CB("token", 0, CFGF_NONE, on_value),
		CFG_STR_CB("token-file", 0, CFGF_NONE, on_value),
		CFG_STR_LIST_CB("alerts", 0, CFGF_NONE, on_value),
		CFG_STR_LIST_CB("hosts", 0, CFGF_NONE, on_value),
		CFG_STR_CB("rate", "10", CFGF_NONE, on_value),
		CFG_END()
	};
	cfg_opt_t metrics_opts[] = {
		CFG_STR_CB("file", "/var/lib/prometheus/node-exporter/rotd.prom", CFGF_NONE, on_value),
		CFG_STR_CB("listen", "", CFGF_NONE, on_value),
		CFG_END()
	};
	cfg_opt_t opts[] = {
		CFG_STR_CB("state-file", "/var/lib/rotd/state.json", CFGF_NONE, on_value),
		CFG_STR_CB("interval", "60s", CFGF_NONE, on_value),
		CFG_STR_CB("stop-timeout", "30s", CFGF_NONE, on_value),
		CFG_STR_CB("status-file", "/run/rotd/status.json", CFGF_NONE, on_value),
		CFG_SEC("metrics", metrics_opts, CFGF_NONE),
		CFG_SEC("webhook", webhook_opts, CFGF_NONE),
		CFG_STR_CB("lock-file", "/run/rotd.lock", CFGF_NONE, on_value),
		CFG_STR_CB("lock-wait", "5m", CFGF_NONE, on_value),
		CFG_SEC("docker", docker_opts, CFGF_NONE),
		CFG_STR_CB("jobs", "0", CFGF_NONE, on_value),
		CFG_SEC("offpeak", offpeak_opts, CFGF_NONE),
		CFG_SEC("role", role_opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
		CFG_SEC("media", media_opts, CFGF_NONE),
		CFG_SEC("watermarks", watermark_opts, CFGF_NONE),
		CFG_SEC("cleanup", cleanup_opts, CFGF_NONE),
		CFG_SEC("gc", gc_opts, CFGF_NONE),
		CFG_END()
	};
	cfg_t *cfg = cfg_init(opts, CFGF_NONE);
	int rc;

	if (cfg == NULL) {
		strlist_addf(&ctx->syntax, "%s: cannot set up the parser: %s", ctx->name, strerror(errno));
		return NULL;
	}
	cfg_set_error_function(cfg, on_confuse_error);
	cfg_set_validate_func(cfg, "docker", on_plain_end);
	cfg_set_validate_func(cfg, "offpeak", on_plain_end);
	cfg_set_validate_func(cfg, "role", on_role_end);
	cfg_set_validate_func(cfg, "role|match", on_match_end);
	cfg_set_validate_func(cfg, "role|log", on_log_end);
	cfg_set_validate_func(cfg, "media", on_media_end);
	cfg_set_validate_func(cfg, "media|rule", on_rule_end);
	cfg_set_validate_func(cfg, "watermarks", on_watermarks_end);
	cfg_set_validate_func(cfg, "cleanup", on_cleanup_end);
	cfg_set_validate_func(cfg, "gc", on_gc_end);
	cfg_set_validate_func(cfg, "metrics", on_plain_end);
	cfg_set_validate_func(cfg, "webhook", on_webhook_end);
	ctx->root = cfg;
	current = ctx;
	rc = cfg_parse_buf(cfg, scanned);
	current = NULL;
	if (rc != CFG_SUCCESS) {
		if (ctx->syntax.n == 0)
			strlist_addf(&ctx->syntax, "%s: cannot parse (libconfuse error %d)", ctx->name, rc);
		cfg_free(cfg);
		return NULL;
	}
	return cfg;
}

struct rotd_config *config_load_buffer(const char *text, const char *name, struct strlist *errors)
{
	struct load_ctx ctx;
	struct rotd_config *result = NULL;
	char *scanned;
	cfg_t *cfg;

	memset(&ctx, 0, sizeof(ctx));
	ctx.name = name;
	scanned = scan_text(&ctx, text);
	cfg = parse(&ctx, scanned);
	if (cfg != NULL && ctx.unclosed_line != 0)
		strlist_addf(&ctx.syntax, "%s:%d: '{' is never closed with '}' before the end of the file",
			     name, ctx.unclosed_line);
	if (cfg != NULL && ctx.syntax.n == 0 && cfg_size(cfg, "role") == 0)
		add_error(&ctx, 1, "no role is defined; rotd needs at least one "
			  "'role NAME { match {...} logs = {...} size = ... archive-dir = ... }'");
	if (cfg != NULL && ctx.syntax.n == 0)
		check_cleanup_roles(&ctx, cfg);
	if (ctx.n_errs > 1)
		qsort(ctx.errs, ctx.n_errs, sizeof(*ctx.errs), by_line);
	for (size_t i = 0; i < ctx.n_errs; i++) {
		strlist_take(errors, ctx.errs[i].text);
		ctx.errs[i].text = NULL;
	}
	for (size_t i = 0; i < ctx.syntax.n; i++)
		strlist_add(errors, ctx.syntax.v[i]);
	if (cfg != NULL && ctx.n_errs == 0 && ctx.syntax.n == 0)
		result = extract(cfg, name, ctx.media_seen);
	cfg_free(cfg);
	free_ctx(&ctx);
	free(scanned);
	return result;
}

/* Returns the line number of offset len in text. */
static int line_at(const char *text, size_t len)
{
	int line = 1;

	for (size_t i = 0; i < len; i++)
		line += text[i] == '\n';
	return line;
}

/* Reads the whole file at path; returns it, or NULL after adding an error. */
static char *read_text(const char *path, struct strlist *errors)
{
	FILE *f = fopen(path, "re");
	char *text;
	size_t len;
	int failed;

	if (f == NULL) {
		strlist_addf(errors, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	text = xmalloc(MAX_CONF_BYTES + 1);
	len = fread(text, 1, MAX_CONF_BYTES + 1, f);
	failed = ferror(f);
	if (failed)
		strlist_addf(errors, "%s: cannot read: %s", path, strerror(errno));
	fclose(f);
	if (!failed && len > MAX_CONF_BYTES) {
		strlist_addf(errors, "%s: larger than %d bytes; is this the right file?", path,
			     MAX_CONF_BYTES);
		failed = 1;
	}
	if (!failed && memchr(text, '\0', len) != NULL) {
		strlist_addf(errors, "%s:%d: contains a NUL byte; is this the right file?", path,
			     line_at(text, (size_t)((char *)memchr(text, '\0', len) - text)));
		failed = 1;
	}
	if (failed) {
		free(text);
		return NULL;
	}
	text[len] = '\0';
	return text;
}

struct rotd_config *config_load(const char *path, struct strlist *errors)
{
	struct rotd_config *cfg;
	char *text = read_text(path, errors);

	if (text == NULL)
		return NULL;
	cfg = config_load_buffer(text, path, errors);
	free(text);
	return cfg;
}

struct rotd_config *config_load_chosen(const char *path, struct strlist *errors)
{
	if (path == NULL) {
		if (access(config_default_path(), F_OK) != 0 && errno == ENOENT) {
			log_debug("%s does not exist; using the built-in defaults", config_default_path());
			return config_load_defaults();
		}
		path = config_default_path();
	}
	return config_load(path, errors);
}

struct rotd_config *config_load_defaults(void)
{
	struct strlist errors = STRLIST_INIT;
	struct rotd_config *cfg = config_load_buffer(rotd_default_conf, "<built-in>", &errors);

	if (cfg == NULL) {
		fputs("rotd: the built-in configuration (conf/rotd.conf) is invalid; "
		      "this is a build bug:\n", stderr);
		for (size_t i = 0; i < errors.n; i++)
			fprintf(stderr, "  %s\n", errors.v[i]);
		abort();
	}
	strlist_free(&errors);
	return cfg;
}

const struct role_policy *config_role(const struct rotd_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_roles; i++)
		if (strcmp(cfg->roles[i].name, name) == 0)
			return &cfg->roles[i];
	return NULL;
}

static void free_role(struct role_policy *r)
{
	for (size_t i = 0; i < r->n_matches; i++) {
		strlist_free(&r->matches[i].images);
		strlist_free(&r->matches[i].services);
		strlist_free(&r->matches[i].names);
		strlist_free(&r->matches[i].envs);
		strlist_free(&r->matches[i].not_envs);
	}
	free(r->matches);
	free(r->name);
	for (size_t i = 0; i < r->logs.n; i++) {
		free(r->log_policies[i].glob);
		free(r->log_policies[i].archive_dir);
		strlist_free(&r->log_policies[i].postrotate);
	}
	free(r->log_policies);
	strlist_free(&r->logs);
	free(r->archive_dir);
	strlist_free(&r->postrotate);
}

void config_free(struct rotd_config *cfg)
{
	if (cfg == NULL)
		return;
	for (size_t i = 0; i < cfg->n_roles; i++)
		free_role(&cfg->roles[i]);
	free(cfg->roles);
	for (size_t i = 0; i < cfg->n_media_rules; i++) {
		free(cfg->media_rules[i].name);
		free(cfg->media_rules[i].path);
		strlist_free(&cfg->media_rules[i].globs);
	}
	free(cfg->media_rules);
	free(cfg->path);
	free(cfg->docker_socket);
	free(cfg->timezone);
	free(cfg->media_root);
	strlist_free(&cfg->cleanup.command);
	strlist_free(&cfg->cleanup.roles);
	free(cfg->gc.endpoint);
	free(cfg->gc.username);
	if (cfg->gc.password != NULL)
		explicit_bzero(cfg->gc.password, strlen(cfg->gc.password));
	free(cfg->gc.password);
	free(cfg->gc.env_file);
	free(cfg->gc.ca_file);
	free(cfg->state_file);
	free(cfg->lock_file);
	free(cfg->status_file);
	free(cfg->metrics_file);
	free(cfg->metrics_listen);
	free(cfg->webhook.listen);
	free(cfg->webhook.token);
	strlist_free(&cfg->webhook.alerts);
	strlist_free(&cfg->webhook.hosts);
	free(cfg);
}

const char *config_default_path(void)
{
	return SYSCONFDIR "/rotd/rotd.conf";
}
