/* config_confuse: where rotd meets libconfuse. Its callbacks carry no user
 * pointer, and its lexer is global anyway, so the load in progress is the
 * global `current`, here and nowhere else: the callbacks hand it on to the
 * key table and the checks. One load at a time. */
#include "autoconf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_internal.h"

static struct load_ctx *current;

/* Every value of every key: keeps the text for libconfuse, and hands it to the
 * key table, which parses it once. */
static int on_value(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	*(const char **)result = value;
	if (current != NULL)
		config_key_value(current, cfg, opt, value);
	return 0;
}

/* Every section's end: its checks. */
static int on_section_end(cfg_t *parent, cfg_opt_t *opt)
{
	if (current != NULL)
		config_key_section_end(current, parent, opt);
	return 0;
}

/* Formats libconfuse's message fmt into msg; a message with one string (a
 * name, a token) quotes at most SHOWN_MAX bytes of it. */
static void confuse_message(char *msg, size_t len, const char *fmt, va_list ap)
{
	const char *s = strstr(fmt, "%s");

	if (s != NULL && strchr(fmt, '%') == s && strchr(s + 2, '%') == NULL) {
		char buf[SHOWN_BUF];

		config_shown(va_arg(ap, const char *), buf, sizeof(buf));
		snprintf(msg, len, "%.*s%s%s", (int)(s - fmt), fmt, buf, s + 2);
		return;
	}
	vsnprintf(msg, len, fmt, ap);
}

/* libconfuse error function: its messages become "file:line: section: message". */
static void on_confuse_error(cfg_t *cfg, const char *fmt, va_list ap)
{
	struct load_ctx *ctx = current;
	char label[256], msg[512];

	if (ctx == NULL || (ctx->quiet_line != 0 && cfg->line >= ctx->quiet_line))
		return;
	config_section_label(ctx, cfg, label, sizeof(label));
	if (strcmp(fmt, "found duplicate title '%s'") == 0) {
		char buf[SHOWN_BUF];
		const char *raw = va_arg(ap, const char *);
		const char *title = config_shown(raw, buf, sizeof(buf));
		const char *kind = cfg == ctx->root ? "role" : "rule";
		int first = config_title_line(ctx, cfg, raw);

		if (cfg != ctx->root && strcmp(cfg->name, "role") == 0)
			snprintf(msg, sizeof(msg), "log \"%s\" has a second section (first on line %d); "
				 "put its options in one section", title, first);
		else
			snprintf(msg, sizeof(msg), "%s '%s' is defined twice (first on line %d); "
				 "each %s needs its own name", kind, title, first, kind);
	} else {
		confuse_message(msg, sizeof(msg), fmt, ap);
	}
	config_syntax_error(ctx, cfg->line, "%s%s", label, msg);
}


cfg_t *config_confuse_parse(struct load_ctx *ctx, const char *text)
{
	cfg_opt_t *opts = config_key_opts(on_value);
	cfg_t *cfg = cfg_init(opts, CFGF_NONE);
	char *scanned;
	int rc;

	config_key_opts_free(opts);
	if (cfg == NULL) {
		config_syntax_error(ctx, 0, "cannot set up the parser: %s", strerror(errno));
		return NULL;
	}
	/* cfg holds its own copy of the option tables, which the scan follows */
	scanned = config_scan_text(ctx, cfg->opts, text);
	cfg_set_error_function(cfg, on_confuse_error);
	config_key_set_validate(cfg, on_section_end);
	ctx->root = cfg;
	current = ctx;
	rc = cfg_parse_buf(cfg, scanned);
	current = NULL;
	free(scanned);
	if (rc != CFG_SUCCESS) {
		if (ctx->n_syntax == 0)
			config_syntax_error(ctx, 0, "cannot parse (libconfuse error %d)", rc);
		cfg_free(cfg);
		ctx->root = NULL;
		return NULL;
	}
	return cfg;
}
