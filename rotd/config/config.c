/* config: loads rotd.conf (the public API of config/config.h). The text is
 * scanned and parsed (config_confuse.c), every value lands typed through the
 * key table (config_keys.c), every section is checked when it closes
 * (config_check.c), and all problems are reported together, sorted by line,
 * with control bytes and bytes that are not UTF-8 escaped. */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "config/config_internal.h"
#include "config/default_conf.h"
#include "lib/escape.h"
#include "lib/log.h"
#include "lib/xalloc.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

#define MAX_CONF_BYTES (1024 * 1024)
#define MAX_ERRORS 100          /* messages shown; a count says how many more there are */

/* ---- errors ------------------------------------------------------------ */

void *config_grow(void *v, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return v;
	*cap = *cap ? *cap * 2 : 16;
	return xreallocarray(v, *cap, size);
}

static void add_error_v(struct load_ctx *ctx, int line, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

static void add_error_v(struct load_ctx *ctx, int line, const char *fmt, va_list ap)
{
	struct located_error *e;
	char *msg = xvasprintf(fmt, ap);

	ctx->errs = config_grow(ctx->errs, &ctx->cap_errs, ctx->n_errs, sizeof(*ctx->errs));
	e = &ctx->errs[ctx->n_errs];
	e->line = line;
	e->syntax = 0;
	e->seq = ctx->n_errs++;
	e->text = line > 0 ? xasprintf("%s:%d: %s", ctx->name, line, msg) : xasprintf("%s: %s", ctx->name, msg);
	free(msg);
}

void config_error(struct load_ctx *ctx, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_error_v(ctx, line, fmt, ap);
	va_end(ap);
}

void config_syntax_error(struct load_ctx *ctx, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_error_v(ctx, line, fmt, ap);
	va_end(ap);
	ctx->errs[ctx->n_errs - 1].syntax = 1;
	ctx->n_syntax++;
}

static int by_line(const void *a, const void *b)
{
	const struct located_error *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void config_note_value_line(struct load_ctx *ctx, int line)
{
	ctx->value_lines = config_grow(ctx->value_lines, &ctx->cap_value_lines, ctx->n_value_lines,
				sizeof(*ctx->value_lines));
	ctx->value_lines[ctx->n_value_lines++] = line;
}

int config_is_value_line(const struct load_ctx *ctx, int line)
{
	for (size_t i = 0; i < ctx->n_value_lines; i++)
		if (ctx->value_lines[i] == line)
			return 1;
	return 0;
}

/* ---- loading ----------------------------------------------------------- */

static void free_ctx(struct load_ctx *ctx)
{
	for (size_t i = 0; i < ctx->n_errs; i++)
		free(ctx->errs[i].text);
	free(ctx->errs);
	free(ctx->value_lines);
	free(ctx->spans);
	free(ctx->lines);
	for (size_t i = 0; i < ctx->n_titles; i++)
		free(ctx->titles[i].title);
	free(ctx->titles);
}

struct rotd_config *config_load_buffer(const char *text, const char *name, struct strlist *errors)
{
	struct load_ctx ctx;
	struct rotd_config *result = NULL;
	cfg_t *cfg;

	memset(&ctx, 0, sizeof(ctx));
	ctx.name = name;
	config_key_begin(&ctx);
	cfg = config_confuse_parse(&ctx, text);
	if (cfg != NULL && ctx.n_syntax == 0 && cfg_size(cfg, "role") == 0)
		config_error(&ctx, 1, "no role is defined; rotd needs at least one "
			     "'role NAME { match {...} logs = {...} size = ... archive-dir = ... }'");
	if (cfg != NULL && ctx.n_syntax == 0)
		config_check_cleanup_roles(&ctx, cfg);
	if (ctx.n_errs > 1)
		qsort(ctx.errs, ctx.n_errs, sizeof(*ctx.errs), by_line);
	for (size_t i = 0; i < ctx.n_errs && i < MAX_ERRORS; i++)
		strlist_take(errors, escape_utf8_text(ctx.errs[i].text));
	if (ctx.n_errs > MAX_ERRORS) {
		char *more = xasprintf("%s: and %zu more errors; is this the right file?", name,
				       ctx.n_errs - MAX_ERRORS);

		strlist_take(errors, escape_utf8_text(more));
		free(more);
	}
	if (cfg != NULL && ctx.n_errs == 0)
		result = config_key_assemble(&ctx, name);
	config_key_end(&ctx);
	cfg_free(cfg);
	free_ctx(&ctx);
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

static void add_file_error(struct strlist *errors, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Appends a message about the file itself, escaped like every other. */
static void add_file_error(struct strlist *errors, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	strlist_take(errors, escape_utf8_text(msg));
	free(msg);
}

/* Returns what kind of file mode is, for "not a regular file (a FIFO)". */
static const char *file_kind(mode_t mode)
{
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISDIR(mode))
		return "a folder";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISSOCK(mode))
		return "a socket";
	return "not a file";
}

/* Reads the whole file at path; returns it, or NULL after adding an error. Only
 * a regular file of at most MAX_CONF_BYTES is read. A FIFO, a device or a
 * socket is refused before it is opened; the open never blocks, and the file
 * type is checked again on the open fd, in case the path changed in between. */
static char *read_text(const char *path, struct strlist *errors)
{
	struct stat st;
	char *text, *nul;
	size_t len = 0;
	int fd, failed = 0;

	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		add_file_error(errors, "%s: not a regular file (%s)", path, file_kind(st.st_mode));
		return NULL;
	}
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		add_file_error(errors, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0) {
		add_file_error(errors, "%s: cannot read: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		add_file_error(errors, "%s: not a regular file (%s)", path, file_kind(st.st_mode));
		close(fd);
		return NULL;
	}
	if (st.st_size > MAX_CONF_BYTES) {
		add_file_error(errors, "%s: larger than 1 MiB (%lld bytes); is this the right file?", path,
			       (long long)st.st_size);
		close(fd);
		return NULL;
	}
	text = xmalloc(MAX_CONF_BYTES + 1);
	for (;;) {
		ssize_t n = read(fd, text + len, MAX_CONF_BYTES + 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			add_file_error(errors, "%s: cannot read: %s", path, strerror(errno));
			failed = 1;
			break;
		}
		len += (size_t)n;
		if (n == 0 || len > MAX_CONF_BYTES)
			break;
	}
	close(fd);
	nul = failed ? NULL : memchr(text, '\0', len);
	if (!failed && len > MAX_CONF_BYTES) {         /* it grew since fstat */
		add_file_error(errors, "%s: larger than 1 MiB; is this the right file?", path);
		failed = 1;
	} else if (nul != NULL) {
		add_file_error(errors, "%s:%d: contains a NUL byte; is this the right file?", path,
			       line_at(text, (size_t)(nul - text)));
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

/* The default of status-file: what rotd status reads when the file gives none. */
#define DEFAULT_STATUS_FILE "/run/rotd/status.json"

char *config_status_file(const char *path)
{
	struct strlist errors = STRLIST_INIT;
	char *text, *found = NULL;

	if (path == NULL) {
		if (access(config_default_path(), F_OK) != 0)
			return xstrdup(DEFAULT_STATUS_FILE);
		path = config_default_path();
	}
	text = read_text(path, &errors);
	strlist_free(&errors);
	/* A line "status-file = VALUE" or "status-file = \"VALUE\"", as written at
	 * the top level; the last one wins, as libconfuse would have it. */
	for (char *line = text; line != NULL && *line != '\0';) {
		char *end = strchr(line, '\n'), *p = line;

		if (end != NULL)
			*end = '\0';
		p += strspn(p, " \t");
		if (strncmp(p, "status-file", 11) == 0) {
			p += 11;
			p += strspn(p, " \t");
			if (*p == '=') {
				size_t n;

				p++;
				p += strspn(p, " \t");
				if (*p == '"') {
					p++;
					n = strcspn(p, "\"");
				} else {
					n = strcspn(p, " \t#\r");
				}
				if (n > 0 && p[0] == '/') {
					free(found);
					found = xstrndup(p, n);
				}
			}
		}
		line = end != NULL ? end + 1 : NULL;
	}
	free(text);
	return found != NULL ? found : xstrdup(DEFAULT_STATUS_FILE);
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
		free(r->log_policies[i].timestamp);
		free(r->log_policies[i].timezone);
	}
	free(r->log_policies);
	strlist_free(&r->logs);
	free(r->archive_dir);
	free(r->timestamp);
	free(r->timezone);
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
