/* config_check: the checks of a section once it has closed: required keys,
 * titles, and the rules between keys (a level in the compressor's range, a
 * postrotate only with method rename, low below high, ...). Values come typed
 * from the key table (config_key_get()); a value that did not parse has been
 * reported already and is left out of these checks. */
#include "autoconf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/config_internal.h"
#include "lib/xalloc.h"

/* ---- names for messages ------------------------------------------------ */

/* Writes how messages name section sec ("role web: ", "role web: match: ",
 * "role web: log \"/var/log/x.log\": ", "rule outgoing: ", "docker: ", or ""
 * at the top level) into buf. */
const char *config_section_label(const struct load_ctx *ctx, const cfg_t *sec, char *buf, size_t len)
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
int config_section_start(struct load_ctx *ctx, int close_line)
{
	const struct section_span *s;

	if (ctx->next_span >= ctx->n_spans)
		return close_line;
	s = &ctx->spans[ctx->next_span++];
	return s->close_line == close_line ? s->open_line : close_line;
}

/* Returns the line where option opt was set in sec, or 0. */
int config_option_line(const struct load_ctx *ctx, const cfg_t *sec, const char *opt)
{
	for (size_t i = 0; i < ctx->n_lines; i++)
		if (ctx->lines[i].sec == sec && strcmp(ctx->lines[i].opt, opt) == 0)
			return ctx->lines[i].line;
	return 0;
}

/* ---- sections ---------------------------------------------------------- */

/* Records an error unless sec has a value (or a non-empty list) for opt. */
static void require(struct load_ctx *ctx, cfg_t *sec, const char *opt, int line)
{
	cfg_opt_t *o = cfg_getopt(sec, opt);
	char label[256];

	config_section_label(ctx, sec, label, sizeof(label));
	if (o->flags & CFGF_LIST) {
		if (cfg_opt_size(o) > 0)
			return;
		if (o->flags & CFGF_MODIFIED) {
			config_error(ctx, line, "%s'%s' is empty; list at least one value", label, opt);
			return;
		}
	} else if (cfg_getstr(sec, opt) != NULL) {
		return;
	}
	config_error(ctx, line, "%srequired option '%s' is missing", label, opt);
}

/* Checks a role or rule title; returns 1 when it is acceptable. */
static int check_title(struct load_ctx *ctx, const char *kind, const char *title, int line)
{
	static const char allowed[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-";

	if (title[0] == '\0' || strspn(title, allowed) != strlen(title)) {
		config_error(ctx, line, "%s name '%s' may only use letters, digits, '_', '.' and '-'",
			  kind, title);
		return 0;
	}
	return 1;
}

/* Notes that the section titled title, inside scope, opened at line. */
void config_remember_title(struct load_ctx *ctx, const cfg_t *scope, const char *title, int line)
{
	ctx->titles = config_grow(ctx->titles, &ctx->cap_titles, ctx->n_titles, sizeof(*ctx->titles));
	ctx->titles[ctx->n_titles].scope = scope;
	ctx->titles[ctx->n_titles].title = xstrdup(title);
	ctx->titles[ctx->n_titles++].line = line;
}

/* Returns the line where the section titled title, inside scope, opened, or 0. */
int config_title_line(const struct load_ctx *ctx, const cfg_t *scope, const char *title)
{
	for (size_t i = 0; i < ctx->n_titles; i++)
		if (ctx->titles[i].scope == scope && strcmp(ctx->titles[i].title, title) == 0)
			return ctx->titles[i].line;
	return 0;
}

/* Checks level (NULL: unset or wrong, nothing to check), as written in text,
 * against compressor kind (NULL: wrong); reports at line. from_role: the level
 * is the role's and a log section changed the compressor. */
static void check_level_range(struct load_ctx *ctx, const int *level, const char *text,
			      const enum compress_kind *kind, int line, const char *label, int from_role)
{
	unsigned max;

	if (level == NULL || kind == NULL)
		return;
	max = *kind == COMPRESS_ZSTD ? 19 : 9;
	if (*level >= 1 && (unsigned)*level <= max)
		return;
	if (from_role)
		config_error(ctx, line, "%sthe role's compress-level '%s' is out of range for %s (1 to %u); "
			     "set compress-level in this section too", label, text,
			     *kind == COMPRESS_ZSTD ? "zstd" : "gzip", max);
	else
		config_error(ctx, line, "%scompress-level '%s' is out of range for %s (1 to %u)",
			     label, text, *kind == COMPRESS_ZSTD ? "zstd" : "gzip", max);
}

/* Checks the role's compress-level against its compressor. */
static void check_role_level(struct load_ctx *ctx, cfg_t *role, const char *label)
{
	check_level_range(ctx, config_key_get(ctx, role, "compress-level"), cfg_getstr(role, "compress-level"),
			  config_key_get(ctx, role, "compress"), config_option_line(ctx, role, "compress-level"),
			  label, 0);
}

/* The same for the effective values of a log section that opens at start. */
static void check_log_level(struct load_ctx *ctx, cfg_t *role, cfg_t *log, const char *label, int start)
{
	const enum compress_kind *kind = config_key_is_set(log, "compress") ?
		config_key_get(ctx, log, "compress") : config_key_get(ctx, role, "compress");
	int line;

	if (config_key_is_set(log, "compress-level")) {
		line = config_option_line(ctx, log, "compress-level");
		check_level_range(ctx, config_key_get(ctx, log, "compress-level"),
				  cfg_getstr(log, "compress-level"), kind, line ? line : start, label, 0);
	} else if (config_key_is_set(log, "compress")) {
		line = config_option_line(ctx, log, "compress");
		check_level_range(ctx, config_key_get(ctx, role, "compress-level"),
				  cfg_getstr(role, "compress-level"), kind, line ? line : start, label, 1);
	}
}

/* Checks that postrotate is given exactly when the method renames. */
static void check_role_method(struct load_ctx *ctx, cfg_t *role, const char *label, int start)
{
	const enum rotate_method *method = config_key_get(ctx, role, "method");
	int line;

	if (method == NULL)
		return;
	if (*method == METHOD_RENAME && cfg_size(role, "postrotate") == 0) {
		line = config_option_line(ctx, role, "method");
		config_error(ctx, line ? line : start, "%smethod 'rename' needs a postrotate command "
			     "that makes the app reopen its logs (or use method copytruncate)", label);
	} else if (*method == METHOD_COPYTRUNCATE && cfg_size(role, "postrotate") > 0) {
		line = config_option_line(ctx, role, "postrotate");
		config_error(ctx, line ? line : start, "%spostrotate is only run with method rename; "
			     "set method = rename or remove postrotate", label);
	}
}

/* Checks the effective method and postrotate of a log section that opens at
 * start; what the section does not change is the role's own check. */
static void check_log_method(struct load_ctx *ctx, cfg_t *role, cfg_t *log, const char *label, int start)
{
	int own_method = config_key_is_set(log, "method");
	int own_post = config_key_is_set(log, "postrotate");
	unsigned n_post = cfg_size(own_post ? log : role, "postrotate");
	const enum rotate_method *method;
	int line;

	if (!own_method && !own_post)
		return;
	method = config_key_get(ctx, own_method ? log : role, "method");
	if (method == NULL)
		return;
	if (*method == METHOD_RENAME && n_post == 0) {
		line = config_option_line(ctx, log, "method");
		if (own_method)
			config_error(ctx, line ? line : start, "%smethod 'rename' needs a postrotate command "
				     "that makes the app reopen its logs (or use method copytruncate)", label);
		else
			config_error(ctx, start, "%spostrotate is empty, but the role's method 'rename' needs "
				     "a command that makes the app reopen its logs (or set method = "
				     "copytruncate in this section)", label);
	} else if (*method == METHOD_COPYTRUNCATE && n_post > 0) {
		line = config_option_line(ctx, log, own_post ? "postrotate" : "method");
		if (own_post)
			config_error(ctx, line ? line : start, "%spostrotate is only run with method rename; "
				     "set method = rename or remove postrotate", label);
		else
			config_error(ctx, line ? line : start, "%smethod 'copytruncate' never runs the "
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
		int start = config_title_line(ctx, role, glob);
		char label[256];
		int known = 0;

		for (unsigned j = 0; j < cfg_size(role, "logs") && !known; j++)
			known = strcmp(cfg_getnstr(role, "logs", j), glob) == 0;
		if (!known) {
			config_error(ctx, start, "%slog \"%s\" is not one of the role's logs patterns",
				     role_label, glob);
			continue;
		}
		config_section_label(ctx, log, label, sizeof(label));
		check_log_level(ctx, role, log, label, start);
		check_log_method(ctx, role, log, label, start);
	}
}

void config_check_role(struct load_ctx *ctx, cfg_t *parent, cfg_t *role, int start)
{
	const char *title = cfg_title(role);
	char label[256];

	config_section_label(ctx, role, label, sizeof(label));
	if (check_title(ctx, "role", title, start) && strcmp(title, "none") == 0)
		config_error(ctx, start, "role name 'none' is reserved (the label rotd.role=none "
			     "means: ignore this container); choose another name");
	require(ctx, role, "logs", start);
	require(ctx, role, "size", start);
	require(ctx, role, "archive-dir", start);
	check_role_level(ctx, role, label);
	check_role_method(ctx, role, label, start);
	check_role_logs(ctx, role, label);
	config_remember_title(ctx, parent, title, start);
}

/* A log section's checks need the whole role: here only where it opens is noted. */
void config_check_log(struct load_ctx *ctx, cfg_t *parent, cfg_t *log, int start)
{
	config_remember_title(ctx, parent, cfg_title(log), start);
}

void config_check_match(struct load_ctx *ctx, cfg_t *parent, cfg_t *match, int start)
{
	/* not-env only excludes, so it cannot make a block select anything. */
	static const char *const lists[] = { "image", "service", "name", "env" };
	char label[256];

	(void)parent;
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		if (cfg_size(match, lists[i]) > 0)
			return;
	config_error(ctx, start, "%sthe block has no condition that selects containers (not-env only "
		     "excludes); give image, service, name or env",
		     config_section_label(ctx, match, label, sizeof(label)));
}

void config_check_rule(struct load_ctx *ctx, cfg_t *parent, cfg_t *rule, int start)
{
	check_title(ctx, "rule", cfg_title(rule), start);
	require(ctx, rule, "path", start);
	require(ctx, rule, "age", start);
	config_remember_title(ctx, parent, cfg_title(rule), start);
}

void config_check_media(struct load_ctx *ctx, cfg_t *parent, cfg_t *media, int start)
{
	(void)parent;
	ctx->media_seen = 1;
	require(ctx, media, "root", start);
}

void config_check_watermarks(struct load_ctx *ctx, cfg_t *parent, cfg_t *wm, int start)
{
	const unsigned *high = config_key_get(ctx, wm, "high");
	const unsigned *low = config_key_get(ctx, wm, "low");
	int line;

	(void)parent;
	if (high == NULL || low == NULL || *low < *high)
		return;
	line = config_option_line(ctx, wm, "low");
	if (line == 0)
		line = config_option_line(ctx, wm, "high");
	config_error(ctx, line ? line : start, "watermarks: low (%u%%) must be below high (%u%%)", *low, *high);
}

/* Notes where a section that may appear once opens (*first); a second one is an
 * error. */
static void once_section(struct load_ctx *ctx, const char *name, int *first, int start)
{
	if (*first != 0)
		config_error(ctx, start, "%s: a second %s section (first on line %d); put its options "
			     "in one section", name, name, *first);
	else
		*first = start;
}

void config_check_cleanup(struct load_ctx *ctx, cfg_t *parent, cfg_t *sec, int start)
{
	const char *prog;

	(void)parent;
	once_section(ctx, "cleanup", &ctx->cleanup_line, start);
	if (cfg_size(sec, "command") == 0) {
		if (config_key_is_set(sec, "command"))
			config_error(ctx, start, "cleanup: 'command' is empty; give the program and its "
				     "arguments, e.g. {\"" DEFAULT_CLEANUP_COMMAND "\"}");
		return;
	}
	prog = cfg_getnstr(sec, "command", 0);
	if (prog[0] != '\0' && prog[0] != '/') {
		int line = config_option_line(ctx, sec, "command");

		config_error(ctx, line ? line : start, "cleanup: command '%s' must start with the "
			     "program's absolute path inside the container (e.g. "
			     DEFAULT_CLEANUP_COMMAND ")", prog);
	}
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

/* Also reads the token-file, when it gives the token, into webhook.token. */
void config_check_webhook(struct load_ctx *ctx, cfg_t *parent, cfg_t *sec, int start)
{
	const char *listen = cfg_getstr(sec, "listen");
	const char *token = cfg_getstr(sec, "token");
	const char *file = cfg_getstr(sec, "token-file");
	int on = listen != NULL && listen[0] != '\0';
	int has_token = token != NULL && token[0] != '\0';
	int has_file = file != NULL && file[0] != '\0';
	char *read;

	(void)parent;
	once_section(ctx, "webhook", &ctx->webhook_line, start);
	if (on && !has_token && !has_file) {
		config_error(ctx, start, "webhook: listen needs a token or a token-file (the bearer token "
			     "Alertmanager sends)");
		return;
	}
	if (on && has_token && has_file) {
		config_error(ctx, start, "webhook: give either token or token-file, not both");
		return;
	}
	if (has_token || !has_file)
		return;
	read = read_token_file(file);
	if (read == NULL && on)
		config_error(ctx, start, "webhook: cannot read the token-file %s: %s", file,
			     errno == ENODATA ? "its first line is empty" : strerror(errno));
	free(ctx->out->webhook.token);
	ctx->out->webhook.token = read;
}

void config_check_gc(struct load_ctx *ctx, cfg_t *parent, cfg_t *sec, int start)
{
	const int *enabled = config_key_get(ctx, sec, "enabled");

	(void)parent;
	once_section(ctx, "gc", &ctx->gc_line, start);
	if (enabled != NULL && *enabled && !config_key_is_set(sec, "endpoint") &&
	    !config_key_is_set(sec, "env-file"))
		config_error(ctx, start, "gc: enabled = true needs an endpoint, or an env-file "
			     "with WA_WEB_ENDPOINT=");
}

/* Checks, once every role is read, that cleanup.roles names defined roles, each
 * once. */
void config_check_cleanup_roles(struct load_ctx *ctx, cfg_t *root)
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
			config_error(ctx, line ? line : ctx->cleanup_line, "cleanup: roles names '%s', "
				  "which is not a defined role (defined: %s)", name, known);
			continue;
		}
		for (unsigned j = 0; j < i; j++)
			if (strcmp(cfg_getnstr(sec, "roles", j), name) == 0) {
				config_error(ctx, line ? line : ctx->cleanup_line,
					  "cleanup: roles names '%s' twice", name);
				break;
			}
	}
}

