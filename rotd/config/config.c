#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <confuse.h>

#include "config/config.h"
#include "config/default_conf.h"
#include "lib/escape.h"
#include "lib/log.h"
#include "lib/xalloc.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

#define MAX_CONF_BYTES (1024 * 1024)
#define MAX_ERRORS 100          /* messages shown; a count says how many more there are */
#define MAX_TIMEOUT_S 86400u
#define MAX_GC_TIMEOUT_S 3600u
#define DEFAULT_CLEANUP_COMMAND "/opt/whatsapp/bin/cleanup.sh"
#define ZONEINFO_DIR "/usr/share/zoneinfo"

/* How the file is checked.
 *
 * libconfuse 3.3 counts every '#' or '//' comment line twice, silently drops
 * an unquoted '*', and names the wrong thing when a '}' is missing or a value
 * has a space in it. So the text is first scanned here (scan_text()): it is cut
 * into tokens the way libconfuse's lexer cuts it, and the sections are followed
 * with libconfuse's own option tables. The scan blanks comments (line breaks
 * kept), reports what it can name better than libconfuse, repairs what it
 * can, and notes the line where each section opens. libconfuse then parses the
 * scanned text. Every value goes through on_value(), which checks it and
 * records any problem with the line it is on; every section's end goes through
 * a validate callback that checks required options and cross-field rules.
 * Nothing stops the parse except a syntax error, which libconfuse reports
 * through on_confuse_error(), or which the scan reports and then cuts the text
 * at. Only a file with no problem at all is converted into struct rotd_config.
 * Messages are sorted by line, and control bytes and bytes that are not UTF-8
 * are escaped in them. */

struct located_error {
	int line;                       /* 0: the message is about the whole file */
	size_t seq;
	char *text;
	int syntax;                     /* it stops or broke the parse */
};

/* Where one section opens (the line of its name) and closes ('}'), in the
 * order sections close. */
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
	struct located_error *errs;     /* every error, sorted by line at the end */
	size_t n_errs, cap_errs;
	size_t n_syntax;                /* how many of them stop or broke the parse */
	int quiet_line;                 /* libconfuse's errors from this line on are dropped: the
	                                   scan has reported a better one and cut the text; 0: none */
	int *value_lines;               /* lines whose value the scan has already reported: on_value()
	                                   does not report it again */
	size_t n_value_lines, cap_value_lines;
	struct section_span *spans;
	size_t n_spans, cap_spans, next_span;
	struct option_line *lines;
	size_t n_lines, cap_lines;
	struct titled_section *titles;
	size_t n_titles, cap_titles;
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
static void add_syntax_error(struct load_ctx *ctx, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void add_error_v(struct load_ctx *ctx, int line, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

static void add_error_v(struct load_ctx *ctx, int line, const char *fmt, va_list ap)
{
	struct located_error *e;
	char *msg = xvasprintf(fmt, ap);

	ctx->errs = grow(ctx->errs, &ctx->cap_errs, ctx->n_errs, sizeof(*ctx->errs));
	e = &ctx->errs[ctx->n_errs];
	e->line = line;
	e->syntax = 0;
	e->seq = ctx->n_errs++;
	e->text = line > 0 ? xasprintf("%s:%d: %s", ctx->name, line, msg) : xasprintf("%s: %s", ctx->name, msg);
	free(msg);
}

/* Records an error at line (0: about the whole file); fmt is the message
 * without "file:line: ". */
static void add_error(struct load_ctx *ctx, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_error_v(ctx, line, fmt, ap);
	va_end(ap);
}

/* The same for an error that stops or breaks the parse: the checks of the
 * whole file (a role defined, cleanup's roles) are then left out. */
static void add_syntax_error(struct load_ctx *ctx, int line, const char *fmt, ...)
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

/* Notes that the value on line has been reported by the scan. */
static void note_value_line(struct load_ctx *ctx, int line)
{
	ctx->value_lines = grow(ctx->value_lines, &ctx->cap_value_lines, ctx->n_value_lines,
				sizeof(*ctx->value_lines));
	ctx->value_lines[ctx->n_value_lines++] = line;
}

static int is_value_line(const struct load_ctx *ctx, int line)
{
	for (size_t i = 0; i < ctx->n_value_lines; i++)
		if (ctx->value_lines[i] == line)
			return 1;
	return 0;
}

/* ---- text in messages -------------------------------------------------- */

#define SHOWN_MAX 64    /* bytes of a value or name that a message quotes */

/* Writes the first n bytes of s into buf (size len), cut after SHOWN_MAX bytes
 * at a character boundary with "..." added; returns buf. */
static const char *shown_n(const char *s, size_t n, char *buf, size_t len)
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

#define SHOWN_BUF (SHOWN_MAX + 8)

/* shown_n() for a whole string. */
static const char *shown(const char *s, char *buf, size_t len)
{
	return shown_n(s, strlen(s), buf, len);
}

/* ---- scanning --------------------------------------------------------- */

/* The scan cuts the text into libconfuse's tokens, then follows them with the
 * option tables. What it does:
 * - blanks comments and a UTF-8 byte order mark;
 * - reports an unquoted '*' and replaces it, an unset ${NAME}, and a value
 *   with a space in it ("size = 15 MB"), whose tail it blanks;
 * - reports a section whose '}' is missing where the section opens, and puts
 *   the '}' where the next statement shows it was meant to be; a list missing
 *   its ',' or '}' likewise;
 * - stops at a section in the wrong place, an unknown section, and a string,
 *   comment or ${ that is never closed: it reports them and cuts the text
 *   there with a '(' that libconfuse refuses, whose message is then dropped. */

enum tok_kind { TOK_WORD, TOK_STRING, TOK_ENV, TOK_LBRACE, TOK_RBRACE, TOK_EQ, TOK_PLUSEQ, TOK_COMMA, TOK_PAREN };

struct token {
	enum tok_kind kind;
	size_t start, end;              /* [start, end) in the text */
	int line, end_line;             /* where it starts and ends */
};

/* A character the scan adds before offset at (a '}' or ',' that is missing). */
struct insertion {
	size_t at;
	char c;
};

/* A section the scan is inside. */
struct frame {
	cfg_opt_t *opts;                /* its options */
	int titled;
	int line;                       /* where it opens */
	char *own;                      /* "role web", "match", "log \"/x\"", ... ; NULL: top level */
	char *label;                    /* how messages name it, as section_label() does */
};

struct scan {
	struct load_ctx *ctx;
	const char *orig;               /* the text as written, for messages */
	char *t;                        /* the copy libconfuse reads, edited in place */
	size_t len;
	int end_line;                   /* the line at the end of the text */
	struct token *toks;
	size_t n_toks, cap_toks;
	struct insertion *ins;
	size_t n_ins, cap_ins;
	size_t cut;                     /* where the text is cut, or SIZE_MAX */
	int open_at_end;                /* a section or list is still open at the end */
	int stop_line;                  /* where libconfuse will stop on a syntax error, or 0 */
	size_t brace;                   /* the first '}' at or after the last lookup, or len */
	struct frame *frames;
	size_t depth, cap_frames;
};

static void add_token(struct scan *s, enum tok_kind kind, size_t start, size_t end, int line, int end_line)
{
	struct token *k;

	s->toks = grow(s->toks, &s->cap_toks, s->n_toks, sizeof(*s->toks));
	k = &s->toks[s->n_toks++];
	k->kind = kind;
	k->start = start;
	k->end = end;
	k->line = line;
	k->end_line = end_line;
}

static void insert_char(struct scan *s, size_t at, char c)
{
	s->ins = grow(s->ins, &s->cap_ins, s->n_ins, sizeof(*s->ins));
	s->ins[s->n_ins].at = at;
	s->ins[s->n_ins++].c = c;
}

/* Cuts the text at offset at, a token's start on line: libconfuse stops there
 * and its message about it is dropped. */
static void cut_at(struct scan *s, size_t at, int line)
{
	if (at >= s->cut)
		return;
	s->cut = at;
	if (s->ctx->quiet_line == 0 || line < s->ctx->quiet_line)
		s->ctx->quiet_line = line;
}

/* Blanks t[from..to) except line breaks, counting them in *line (may be NULL). */
static void blank(char *t, size_t from, size_t to, int *line)
{
	for (size_t i = from; i < to; i++) {
		if (t[i] == '\n') {
			if (line != NULL)
				(*line)++;
		} else {
			t[i] = ' ';
		}
	}
}

/* Returns the offset of the first '}' at or after from (which only grows from
 * call to call), or s->len. */
static size_t next_brace(struct scan *s, size_t from)
{
	if (s->brace == SIZE_MAX || s->brace < from) {
		const char *p = strchr(s->t + from, '}');

		s->brace = p != NULL ? (size_t)(p - s->t) : s->len;
	}
	return s->brace;
}

/* Returns 1 when c can be part of an unquoted value ('*' is reported apart). */
static int is_word_char(char c)
{
	return c != '\0' && strchr(" \t\r\n#\"'={}()+,*", c) == NULL;
}

/* Checks the ${...} whose inside is t[from..to) at line: reported unless the
 * variable is set or has a default (${NAME:-default}). Returns 1 when it is
 * reported. */
static int check_env_ref(struct scan *s, size_t from, size_t to, int line)
{
	char *name = xstrndup(s->t + from, to - from);
	char *colon = strchr(name, ':');
	int unset;

	if (colon != NULL && colon[1] == '-')
		unset = 0;
	else
		unset = getenv(name) == NULL;
	if (unset) {
		char buf[SHOWN_BUF];

		add_error(s->ctx, line, "${%s} is not set in rotd's environment", shown(name, buf, sizeof(buf)));
	}
	free(name);
	return unset;
}

/* Reports the string, comment or ${ opened at t[at] on line as never closed,
 * and cuts the text there. */
static void never_closed(struct scan *s, size_t at, int line, const char *what, const char *closer)
{
	size_t n = strcspn(s->orig + at, "\n");
	char buf[SHOWN_BUF];

	if (n > 24)
		n = 24;
	add_syntax_error(s->ctx, line, "%s %s... is never closed (missing the closing %s)", what,
			 shown_n(s->orig + at, n, buf, sizeof(buf)), closer);
	cut_at(s, at, line);
}

/* Returns 1 when the backslash at p starts a digit escape that libconfuse
 * refuses inside double quotes: more digits than an octal escape takes (\9,
 * \08, \1234), or an octal value above \377. */
static int bad_escape(const char *p)
{
	size_t digits = strspn(p + 1, "0123456789"), octal = strspn(p + 1, "01234567");
	unsigned value = 0;

	if (digits == 0)
		return 0;
	if (octal > 3)
		octal = 3;
	if (digits > octal)
		return 1;
	for (size_t i = 1; i <= octal; i++)
		value = value * 8 + (unsigned)(p[i] - '0');
	return value > 0xff;
}

/* Scans the quoted string at *pos as libconfuse does ("${NAME}" is replaced
 * inside double quotes); returns 0, or -1 when it is never closed. */
static int lex_string(struct scan *s, size_t *pos, int *line)
{
	const char *t = s->t;
	char quote = t[*pos];
	size_t i = *pos + 1;
	int start = *line, unset = 0;

	while (i < s->len && t[i] != quote) {
		if (quote == '"' && t[i] == '\\' && bad_escape(t + i)) {
			size_t n = strspn(t + i + 1, "0123456789");

			/* libconfuse would stop inside the string, and start its next
			 * parse there */
			add_syntax_error(s->ctx, *line, "'%.*s' in a string is not an escape; write a "
					 "backslash as \\\\", (int)(n < 8 ? n + 1 : 9), t + i);
			cut_at(s, *pos, start);
			return -1;
		}
		if (t[i] == '\\' && t[i + 1] != '\0') {
			*line += t[i + 1] == '\n';
			i += 2;
			continue;
		}
		if (quote == '"' && t[i] == '$' && t[i + 1] == '{' && next_brace(s, i + 2) < s->len) {
			size_t close = next_brace(s, i + 2);

			/* libconfuse would not count the line breaks inside */
			if (memchr(t + i, '\n', close - i) != NULL) {
				never_closed(s, i, *line, "the variable", "'}' on its line");
				cut_at(s, *pos, start);
				return -1;
			}
			unset |= check_env_ref(s, i + 2, close, *line);
			i = close + 1;
			continue;
		}
		*line += t[i] == '\n';
		i++;
	}
	if (i >= s->len) {
		never_closed(s, *pos, start, "the string", quote == '"' ? "\"" : "'");
		return -1;
	}
	add_token(s, TOK_STRING, *pos, i + 1, start, *line);
	if (unset)
		note_value_line(s->ctx, *line);
	*pos = i + 1;
	return 0;
}

/* Scans an unquoted value at *pos; an unquoted '*' is reported and replaced. */
static void lex_word(struct scan *s, size_t *pos, int line)
{
	char *t = s->t;
	size_t i = *pos;

	for (;; i++) {
		if (t[i] == '*') {
			add_error(s->ctx, line, "'*' outside quotes is lost by the parser; put patterns "
				  "in double quotes, e.g. \"/var/log/app/*.log\"");
			t[i] = '_';
		} else if (!is_word_char(t[i]) || (t[i] == '/' && t[i + 1] == '/')) {
			break;
		}
	}
	if (i == *pos)
		i++;    /* not reached: lex() sends only word characters here */
	add_token(s, TOK_WORD, *pos, i, line, line);
	*pos = i;
}

/* Cuts the text into tokens, as libconfuse's lexer does, and blanks comments. */
static void lex(struct scan *s)
{
	char *t = s->t;
	size_t i = 0;
	int line = 1;

	if (strncmp(t, "\xef\xbb\xbf", 3) == 0)
		blank(t, 0, 3, NULL);
	while (i < s->len) {
		char c = t[i];

		if (c == '\n') {
			line++;
			i++;
		} else if (c == ' ' || c == '\t' || c == '\r') {
			i++;
		} else if (c == '#' || (c == '/' && t[i + 1] == '/')) {
			size_t end = i + strcspn(t + i, "\n");

			blank(t, i, end, NULL);
			i = end;
		} else if (c == '/' && t[i + 1] == '*') {
			const char *close = strstr(t + i + 2, "*/");

			if (close == NULL) {
				add_syntax_error(s->ctx, line, "comment '/*' is never closed with '*/'");
				cut_at(s, i, line);
				break;
			}
			blank(t, i, (size_t)(close - t) + 2, &line);
			i = (size_t)(close - t) + 2;
		} else if (c == '"' || c == '\'') {
			if (lex_string(s, &i, &line) < 0)
				break;
		} else if (c == '$' && t[i + 1] == '{' && next_brace(s, i + 2) < s->len) {
			size_t close = next_brace(s, i + 2);

			if (memchr(t + i, '\n', close - i) != NULL) {
				never_closed(s, i, line, "the variable", "'}' on its line");
				break;
			}
			if (check_env_ref(s, i + 2, close, line))
				note_value_line(s->ctx, line);
			add_token(s, TOK_ENV, i, close + 1, line, line);
			i = close + 1;
		} else if (strchr("{}=,()", c) != NULL) {
			add_token(s, c == '{' ? TOK_LBRACE : c == '}' ? TOK_RBRACE : c == '=' ? TOK_EQ :
				  c == ',' ? TOK_COMMA : TOK_PAREN, i, i + 1, line, line);
			i++;
		} else if (c == '+') {
			/* libconfuse drops a '+' that does not start "+=" */
			if (t[i + 1] == '=')
				add_token(s, TOK_PLUSEQ, i, i + 2, line, line);
			i += t[i + 1] == '=' ? 2 : 1;
		} else {
			lex_word(s, &i, line);
		}
	}
	s->end_line = line;
}

static int is_value(const struct token *k)
{
	return k->kind == TOK_WORD || k->kind == TOK_STRING || k->kind == TOK_ENV;
}

/* The text of a value token, without the quotes of a string; from the scanned
 * text (what libconfuse reads) or the original (for messages). New string. */
static char *tok_text(const struct scan *s, const struct token *k, int orig)
{
	const char *t = orig ? s->orig : s->t;

	if (k->kind == TOK_STRING)
		return xstrndup(t + k->start + 1, k->end - k->start - 2);
	return xstrndup(t + k->start, k->end - k->start);
}

static cfg_opt_t *find_opt(cfg_opt_t *opts, const char *name)
{
	for (; opts != NULL && opts->name != NULL; opts++)
		if (strcmp(opts->name, name) == 0)
			return opts;
	return NULL;
}

static struct frame *top(struct scan *s)
{
	return &s->frames[s->depth - 1];
}

/* Enters the section opt (title: a new string or NULL) that opens on line. */
static void push_frame(struct scan *s, cfg_opt_t *opt, char *title, int line)
{
	struct frame *parent = s->depth > 0 ? top(s) : NULL;
	struct frame *f;
	char buf[SHOWN_BUF];

	s->frames = grow(s->frames, &s->cap_frames, s->depth, sizeof(*s->frames));
	f = &s->frames[s->depth++];
	memset(f, 0, sizeof(*f));
	if (opt == NULL) {
		f->label = xstrdup("");
		return;
	}
	f->opts = opt->subopts;
	f->titled = title != NULL;
	f->line = line;
	if (title == NULL)
		f->own = xstrdup(opt->name);
	else if (strcmp(opt->name, "log") == 0)
		f->own = xasprintf("%s \"%s\"", opt->name, shown(title, buf, sizeof(buf)));
	else
		f->own = xasprintf("%s %s", opt->name, shown(title, buf, sizeof(buf)));
	/* as section_label(): a section inside a role is named with its role */
	f->label = xasprintf("%s%s: ", parent->titled ? parent->label : "", f->own);
	free(title);
}

/* Leaves the innermost section, which closes on line. */
static void pop_frame(struct scan *s, int line)
{
	struct frame *f = top(s);
	struct load_ctx *ctx = s->ctx;

	ctx->spans = grow(ctx->spans, &ctx->cap_spans, ctx->n_spans, sizeof(*ctx->spans));
	ctx->spans[ctx->n_spans].open_line = f->line;
	ctx->spans[ctx->n_spans++].close_line = line;
	free(f->own);
	free(f->label);
	s->depth--;
}

/* Reports the innermost section as never closed, closes it before offset at
 * (on line) and leaves it. */
static void close_missing(struct scan *s, size_t at, int line)
{
	struct frame *f = top(s);

	/* the label without its ": " */
	add_syntax_error(s->ctx, f->line, "%.*s { is never closed (missing '}')",
			 (int)strlen(f->label) - 2, f->label);
	insert_char(s, at, '}');
	pop_frame(s, line);
}

/* Returns 1 when token k starts a statement of the current section or of one
 * around it: a known name followed by '=' or '+=' (an option) or by '{' or a
 * title and '{' (a section). */
static int starts_statement(struct scan *s, size_t k)
{
	const struct token *t = s->toks;
	cfg_opt_t *opt = NULL;
	char *name;

	if (k >= s->n_toks || (t[k].kind != TOK_WORD && t[k].kind != TOK_STRING))
		return 0;
	name = tok_text(s, &t[k], 0);
	for (size_t d = s->depth; d-- > 0 && opt == NULL;)
		opt = find_opt(s->frames[d].opts, name);
	free(name);
	if (opt == NULL || k + 1 >= s->n_toks)
		return 0;
	if (opt->type != CFGT_SEC)
		return t[k + 1].kind == TOK_EQ || t[k + 1].kind == TOK_PLUSEQ;
	if (!(opt->flags & CFGF_TITLE))
		return t[k + 1].kind == TOK_LBRACE;
	return is_value(&t[k + 1]) && k + 2 < s->n_toks && t[k + 2].kind == TOK_LBRACE;
}

/* Returns 1 when token k is followed by '{', or by a title and '{'. */
static int opens_section(const struct scan *s, size_t k)
{
	const struct token *t = s->toks;

	if (k + 1 < s->n_toks && t[k + 1].kind == TOK_LBRACE)
		return 1;
	return k + 2 < s->n_toks && is_value(&t[k + 1]) && t[k + 2].kind == TOK_LBRACE;
}

/* ---- a value with a space ---------------------------------------------- */

enum value_kind {
	VALUE_OTHER, VALUE_SIZE, VALUE_DURATION, VALUE_PERCENT, VALUE_NUMBER, VALUE_WINDOW, VALUE_ARGV,
	VALUE_JOINED,   /* pieces without a space between them */
};

static enum value_kind value_kind(const char *opt, int in_list)
{
	static const char *const sizes[] = { "size", "max-size" };
	static const char *const durations[] = {
		"timeout", "idle-after", "max-age", "floor", "age", "archive-floor",
		"remediation-backoff", "lock-wait", "interval", "stop-timeout",
	};
	static const char *const numbers[] = { "jobs", "keep", "compress-level", "concurrency", "rate" };

	if (in_list)
		return strcmp(opt, "postrotate") == 0 || strcmp(opt, "command") == 0 ? VALUE_ARGV : VALUE_OTHER;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		if (strcmp(opt, sizes[i]) == 0)
			return VALUE_SIZE;
	for (size_t i = 0; i < sizeof(durations) / sizeof(durations[0]); i++)
		if (strcmp(opt, durations[i]) == 0)
			return VALUE_DURATION;
	for (size_t i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++)
		if (strcmp(opt, numbers[i]) == 0)
			return VALUE_NUMBER;
	if (strcmp(opt, "high") == 0 || strcmp(opt, "low") == 0)
		return VALUE_PERCENT;
	return strcmp(opt, "window") == 0 ? VALUE_WINDOW : VALUE_OTHER;
}

/* Returns the unit letter rotd writes for the unit word w of a value of kind
 * ("MB" -> "M", "days" -> "d"), or NULL. */
static const char *unit_letter(enum value_kind kind, const char *w)
{
	static const struct {
		enum value_kind kind;
		const char *letter;
		const char *words;      /* each word between '|' */
	} units[] = {
		{ VALUE_SIZE, "", "|b|byte|bytes|" },
		{ VALUE_SIZE, "K", "|k|kb|kib|kilobyte|kilobytes|kibibyte|kibibytes|" },
		{ VALUE_SIZE, "M", "|m|mb|mib|megabyte|megabytes|mebibyte|mebibytes|" },
		{ VALUE_SIZE, "G", "|g|gb|gib|gigabyte|gigabytes|gibibyte|gibibytes|" },
		{ VALUE_SIZE, "T", "|t|tb|tib|terabyte|terabytes|tebibyte|tebibytes|" },
		{ VALUE_DURATION, "s", "|s|sec|secs|second|seconds|" },
		{ VALUE_DURATION, "m", "|m|min|mins|minute|minutes|" },
		{ VALUE_DURATION, "h", "|h|hr|hrs|hour|hours|" },
		{ VALUE_DURATION, "d", "|d|day|days|" },
		{ VALUE_DURATION, "w", "|w|wk|wks|week|weeks|" },
		{ VALUE_PERCENT, "%", "|%|percent|" },
	};
	char key[24];
	size_t n = strlen(w);

	if (n == 0 || n + 3 > sizeof(key))
		return NULL;
	key[0] = '|';
	for (size_t i = 0; i < n; i++)
		key[i + 1] = w[i] >= 'A' && w[i] <= 'Z' ? (char)(w[i] - 'A' + 'a') : w[i];
	key[n + 1] = '|';
	key[n + 2] = '\0';
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (units[i].kind == kind && strstr(units[i].words, key) != NULL)
			return units[i].letter;
	return NULL;
}

static int all_digits(const char *s)
{
	return s[0] != '\0' && strspn(s, "0123456789") == strlen(s);
}

/* Reports that the value of opt is the tokens first..last, which are on one
 * line with spaces between them, and says how to write it. */
static void report_spaced(struct scan *s, const cfg_opt_t *opt, size_t first, size_t last, int in_list)
{
	const struct token *k = &s->toks[first];
	enum value_kind kind = value_kind(opt->name, in_list);
	struct strlist words = STRLIST_INIT;
	char raw[SHOWN_BUF], buf[SHOWN_BUF];
	const char *unit, *label = top(s)->label;
	char *joined, *example = NULL;
	size_t n = 0, o = 0;
	int spaced = 0;

	for (size_t i = first; i <= last; i++) {
		strlist_take(&words, tok_text(s, &s->toks[i], 1));
		spaced |= i > first && s->toks[i].start > s->toks[i - 1].end;
	}
	for (size_t i = 0; i < words.n; i++)
		n += strlen(words.v[i]) + 4;
	joined = xreallocarray(NULL, n + 1, 1);
	joined[0] = '\0';
	shown_n(s->orig + k->start, s->toks[last].end - k->start, raw, sizeof(raw));
	if (!spaced)    /* "${DIR}/docker.sock", "a"b: pieces that libconfuse splits */
		kind = VALUE_JOINED;
	switch (kind) {
	case VALUE_SIZE:
	case VALUE_DURATION:
	case VALUE_PERCENT:
		unit = words.n == 2 && all_digits(words.v[0]) ? unit_letter(kind, words.v[1]) : NULL;
		example = unit != NULL ? xasprintf("%s%s", shown(words.v[0], buf, sizeof(buf)), unit) :
			  xstrdup(kind == VALUE_SIZE ? "20M" : kind == VALUE_DURATION ? "7d" : "85%");
		if (kind == VALUE_PERCENT)
			add_error(s->ctx, k->line, "%s%s = %s: write percentages without a space, e.g. %s",
				  label, opt->name, raw, example);
		else
			add_error(s->ctx, k->line, "%s%s = %s: write %s without a space, e.g. %s (or \"%s\")",
				  label, opt->name, raw, kind == VALUE_SIZE ? "sizes" : "durations", example,
				  example);
		break;
	case VALUE_NUMBER:
		add_error(s->ctx, k->line, "%s%s = %s: write just the number, e.g. %s", label, opt->name, raw,
			  all_digits(words.v[0]) ? shown(words.v[0], buf, sizeof(buf)) : "1");
		break;
	case VALUE_WINDOW: {
		struct time_window w;

		for (size_t i = 0; i < words.n; i++)
			o += (size_t)snprintf(joined + o, n + 1 - o, "%s", words.v[i]);
		add_error(s->ctx, k->line, "%s%s = %s: write the window without spaces, e.g. %s", label,
			  opt->name, raw, units_parse_window(joined, &w) == 0 ?
			  shown(joined, buf, sizeof(buf)) : "02:00-05:00");
		break;
	}
	case VALUE_ARGV:
		for (size_t i = 0; i < words.n; i++)
			o += (size_t)snprintf(joined + o, n + 1 - o, "%s\"%s\"", i ? ", " : "", words.v[i]);
		add_error(s->ctx, k->line, "%s%s item %s: give each argument its own quoted item, e.g. {%s}",
			  label, opt->name, raw, shown(joined, buf, sizeof(buf)));
		break;
	case VALUE_JOINED:
		for (size_t i = 0; i < words.n; i++)
			o += (size_t)snprintf(joined + o, n + 1 - o, "%s", words.v[i]);
		add_error(s->ctx, k->line, "%s%s %s %s: write it as one string in double quotes, e.g. \"%s\"",
			  label, opt->name, in_list ? "item" : "=", raw, shown(joined, buf, sizeof(buf)));
		break;
	case VALUE_OTHER:
		for (size_t i = 0; i < words.n; i++)
			o += (size_t)snprintf(joined + o, n + 1 - o, "%s%s", i ? " " : "", words.v[i]);
		add_error(s->ctx, k->line, "%s%s %s %s: put %s with spaces in double quotes, e.g. \"%s\"",
			  label, opt->name, in_list ? "item" : "=", raw, in_list ? "an item" : "a value",
			  shown(joined, buf, sizeof(buf)));
		break;
	}
	note_value_line(s->ctx, k->end_line);
	free(example);
	free(joined);
	strlist_free(&words);
}

/* Token j is a value of opt: takes the values after it on the same line as
 * its tail ("15 MB"), reports and blanks them. Returns the next token. */
static size_t value_tail(struct scan *s, const cfg_opt_t *opt, size_t j, int in_list)
{
	size_t k = j + 1;

	while (k < s->n_toks && is_value(&s->toks[k]) && s->toks[k].line == s->toks[k - 1].end_line &&
	       !starts_statement(s, k))
		k++;
	if (k > j + 1) {
		report_spaced(s, opt, j, k - 1, in_list);
		for (size_t m = j + 1; m < k; m++)
			blank(s->t, s->toks[m].start, s->toks[m].end, NULL);
	}
	return k;
}

/* Notes that libconfuse will stop on token k (or at the end): what the scan
 * found after it is not reported, as nothing after a syntax error is. */
static void stopped_at(struct scan *s, size_t k)
{
	s->stop_line = k < s->n_toks ? s->toks[k].end_line : s->end_line;
}

/* The list of opt opens with the '{' at token j. Returns the token after it,
 * or SIZE_MAX when libconfuse will refuse it. */
static size_t walk_list(struct scan *s, const cfg_opt_t *opt, size_t j)
{
	const struct token *t = s->toks;
	int open = t[j].line;
	size_t k = j + 1;
	char buf[SHOWN_BUF];

	while (k < s->n_toks) {
		if (t[k].kind == TOK_RBRACE)
			return k + 1;
		if (!is_value(&t[k]))
			break;
		k = value_tail(s, opt, k, 1);
		if (k >= s->n_toks)
			break;
		if (t[k].kind == TOK_COMMA) {
			k++;
			continue;
		}
		if (t[k].kind == TOK_RBRACE)
			return k + 1;
		if (!is_value(&t[k]))
			break;
		if (starts_statement(s, k)) {
			add_syntax_error(s->ctx, open, "%s%s = { is never closed (missing '}')", top(s)->label,
					 opt->name);
			insert_char(s, t[k].start, '}');
			return k;
		}
		add_syntax_error(s->ctx, t[k].line, "%s%s: a ',' is missing before %s (list items are "
				 "separated by commas)", top(s)->label, opt->name,
				 shown_n(s->orig + t[k].start, t[k].end - t[k].start, buf, sizeof(buf)));
		insert_char(s, t[k].start, ',');
	}
	if (k < s->n_toks) {
		stopped_at(s, k);
		return SIZE_MAX;
	}
	if (s->cut == SIZE_MAX) {
		add_syntax_error(s->ctx, open, "%s%s = { is never closed (missing '}')", top(s)->label, opt->name);
		s->open_at_end = 1;
	}
	return s->n_toks;
}

/* Writes where a section named name belongs ("at the top level", "inside a
 * role section") into buf; returns buf, or NULL when no section has that name. */
static const char *section_home(cfg_opt_t *root, const char *name, char *buf, size_t len)
{
	cfg_opt_t *o = find_opt(root, name);

	if (o != NULL) {
		if (o->type != CFGT_SEC)
			return NULL;
		snprintf(buf, len, "at the top level");
		return buf;
	}
	for (o = root; o != NULL && o->name != NULL; o++) {
		cfg_opt_t *sub = o->type == CFGT_SEC ? find_opt(o->subopts, name) : NULL;

		if (sub != NULL && sub->type == CFGT_SEC) {
			snprintf(buf, len, "inside %s %s section", o->flags & CFGF_MULTI ? "a" : "the", o->name);
			return buf;
		}
	}
	return NULL;
}

/* Token i names name, which the current section does not know. When a section
 * around it knows it and '}'s are missing, closes the sections in between and
 * returns 1 (walk on from token i). Reports a section in the wrong place or an
 * unknown section and cuts the text there. Returns 0: stop walking. */
static int not_here(struct scan *s, size_t i, const char *name, long *missing)
{
	const struct token *k = &s->toks[i];
	struct frame *f = top(s);
	cfg_opt_t *opt = NULL;
	char home[64];
	size_t d = s->depth - 1;

	while (d > 0 && opt == NULL)
		opt = find_opt(s->frames[--d].opts, name);
	if (opt != NULL && *missing >= (long)(s->depth - 1 - d) && starts_statement(s, i)) {
		while (s->depth - 1 > d) {
			close_missing(s, k->start, k->line);
			(*missing)--;
		}
		return 1;
	}
	if (!opens_section(s, i))
		return 0;       /* libconfuse says "no such option" */
	if (section_home(s->frames[0].opts, name, home, sizeof(home)) != NULL) {
		if (s->depth == 1)
			add_syntax_error(s->ctx, k->line, "a '%s' section goes %s, not at the top level", name, home);
		else
			add_syntax_error(s->ctx, k->line, "%sa '%s' section goes %s, not inside %s", f->label, name,
					 home, f->own);
	} else {
		char known[256];
		size_t n = 0;

		known[0] = '\0';
		for (cfg_opt_t *o = f->opts; o != NULL && o->name != NULL && n < sizeof(known); o++)
			if (o->type == CFGT_SEC)
				n += (size_t)snprintf(known + n, sizeof(known) - n, "%s%s", n ? ", " : "", o->name);
		add_syntax_error(s->ctx, k->line, "%sno such section '%s' (%s%s)", f->label, name,
				 n ? "sections here: " : "no section goes here", known);
	}
	cut_at(s, k->start, k->line);
	return 0;
}

/* Follows the tokens through the sections of root, as libconfuse's parser
 * will, until the end or until libconfuse would stop. */
static void walk(struct scan *s, cfg_opt_t *root)
{
	const struct token *t = s->toks;
	long missing = 0;       /* '{' without a '}' */
	size_t i = 0;
	char buf[SHOWN_BUF];

	for (size_t k = 0; k < s->n_toks; k++)
		missing += (t[k].kind == TOK_LBRACE) - (t[k].kind == TOK_RBRACE);
	push_frame(s, NULL, NULL, 0);
	s->frames[0].opts = root;
	while (i < s->n_toks) {
		cfg_opt_t *opt;
		char *name;
		size_t j;

		if (t[i].kind == TOK_RBRACE) {
			if (s->depth == 1) {
				stopped_at(s, i);       /* libconfuse: unexpected closing brace */
				return;
			}
			pop_frame(s, t[i].line);
			i++;
			continue;
		}
		if (t[i].kind == TOK_ENV)
			return;         /* a name from the environment: libconfuse may know it */
		if (t[i].kind != TOK_WORD && t[i].kind != TOK_STRING) {
			stopped_at(s, i);
			return;
		}
		name = tok_text(s, &t[i], 0);
		if (strchr(name, '|') != NULL) {
			/* libconfuse would take it as a path into a section */
			add_syntax_error(s->ctx, t[i].line, "%sno such option '%s'; write an option inside its "
					 "section, e.g. docker { socket = ... }", top(s)->label,
					 shown(name, buf, sizeof(buf)));
			cut_at(s, t[i].start, t[i].line);
			stopped_at(s, i);
			free(name);
			return;
		}
		opt = find_opt(top(s)->opts, name);
		if (opt == NULL) {
			int again = not_here(s, i, name, &missing);

			free(name);
			if (again)
				continue;
			stopped_at(s, i);
			return;
		}
		free(name);
		j = i + 1;
		if (opt->type == CFGT_SEC) {
			char *title = NULL;

			if (opt->flags & CFGF_TITLE) {
				if (j >= s->n_toks || !is_value(&t[j])) {
					stopped_at(s, j);
					return;
				}
				title = tok_text(s, &t[j++], 1);
			}
			if (j >= s->n_toks || t[j].kind != TOK_LBRACE) {
				free(title);
				stopped_at(s, j);
				return;
			}
			push_frame(s, opt, title, t[i].line);
			i = j + 1;
			continue;
		}
		if (j >= s->n_toks || (t[j].kind != TOK_EQ && t[j].kind != TOK_PLUSEQ) || ++j >= s->n_toks) {
			stopped_at(s, j);
			return;
		}
		if ((opt->flags & CFGF_LIST) && t[j].kind == TOK_LBRACE) {
			i = walk_list(s, opt, j);
			if (i == SIZE_MAX)
				return;
			continue;
		}
		if (!is_value(&t[j])) {
			stopped_at(s, j);
			return;
		}
		i = value_tail(s, opt, j, 0);
	}
	if (s->cut != SIZE_MAX)
		return;         /* the text was cut: its end is not the file's */
	while (s->depth > 1) {
		close_missing(s, s->len, s->end_line);
		s->open_at_end = 1;
	}
	/* Not repaired at the end: libconfuse stops on a '(' there, before the
	 * checks of the sections left open, which would only report what the
	 * file has not reached. */
	if (s->open_at_end) {
		/* close_missing() put its '}'s at the end */
		while (s->n_ins > 0 && s->ins[s->n_ins - 1].at == s->len)
			s->n_ins--;
		insert_char(s, s->len, '(');
		if (s->ctx->quiet_line == 0 || s->end_line < s->ctx->quiet_line)
			s->ctx->quiet_line = s->end_line;
	}
}

/* Returns the text libconfuse is to read (new string): text scanned, with the
 * repairs and the cut. Notes where sections open and close. */
static char *scan_text(struct load_ctx *ctx, cfg_opt_t *root, const char *text)
{
	struct scan s;
	char *out;
	size_t o = 0, next = 0;

	size_t first_err = ctx->n_errs, kept = first_err;

	memset(&s, 0, sizeof(s));
	s.ctx = ctx;
	s.orig = text;
	s.t = xstrdup(text);
	s.len = strlen(text);
	s.cut = SIZE_MAX;
	s.brace = SIZE_MAX;
	lex(&s);
	walk(&s, root);
	for (size_t i = first_err; i < ctx->n_errs && s.stop_line > 0; i++) {
		struct located_error *e = &ctx->errs[i];

		if (e->line <= s.stop_line) {
			ctx->errs[kept++] = *e;
			continue;
		}
		ctx->n_syntax -= e->syntax != 0;
		free(e->text);
	}
	if (s.stop_line > 0)
		ctx->n_errs = kept;
	if (s.cut != SIZE_MAX) {
		blank(s.t, s.cut, s.len, NULL);
		s.t[s.cut] = '(';
	}
	out = xreallocarray(NULL, s.len + s.n_ins + 1, 1);
	for (size_t i = 0; i <= s.len; i++) {
		while (next < s.n_ins && s.ins[next].at == i) {
			if (i <= s.cut)
				out[o++] = s.ins[next].c;
			next++;
		}
		if (i < s.len)
			out[o++] = s.t[i];
	}
	out[o] = '\0';
	while (s.depth > 0) {
		free(top(&s)->own);
		free(top(&s)->label);
		s.depth--;
	}
	free(s.frames);
	free(s.toks);
	free(s.ins);
	free(s.t);
	return out;
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
	{ "timezone", check_timezone },
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
	/* a value the scan has reported ("15 MB", an unset ${NAME}) is not checked again */
	check = is_value_line(ctx, cfg->line) ? NULL : find_check(cfg, opt->name);
	why = check != NULL ? check(value) : NULL;
	if (why != NULL) {
		char buf[SHOWN_BUF];

		add_error(ctx, cfg->line, "%s%s '%s' %s", section_label(ctx, cfg, label, sizeof(label)),
			  opt->name, shown(value, buf, sizeof(buf)), why);
	}
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

/* Formats libconfuse's message fmt into msg; a message with one string (a
 * name, a token) quotes at most SHOWN_MAX bytes of it. */
static void confuse_message(char *msg, size_t len, const char *fmt, va_list ap)
{
	const char *s = strstr(fmt, "%s");

	if (s != NULL && strchr(fmt, '%') == s && strchr(s + 2, '%') == NULL) {
		char buf[SHOWN_BUF];

		shown(va_arg(ap, const char *), buf, sizeof(buf));
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
	section_label(ctx, cfg, label, sizeof(label));
	if (strcmp(fmt, "found duplicate title '%s'") == 0) {
		char buf[SHOWN_BUF];
		const char *raw = va_arg(ap, const char *);
		const char *title = shown(raw, buf, sizeof(buf));
		const char *kind = cfg == ctx->root ? "role" : "rule";
		int first = title_line(ctx, cfg, raw);

		if (cfg != ctx->root && strcmp(cfg->name, "role") == 0)
			snprintf(msg, sizeof(msg), "log \"%s\" has a second section (first on line %d); "
				 "put its options in one section", title, first);
		else
			snprintf(msg, sizeof(msg), "%s '%s' is defined twice (first on line %d); "
				 "each %s needs its own name", kind, title, first, kind);
	} else {
		confuse_message(msg, sizeof(msg), fmt, ap);
	}
	add_syntax_error(ctx, cfg->line, "%s%s", label, msg);
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
	free(ctx->value_lines);
	free(ctx->spans);
	free(ctx->lines);
	for (size_t i = 0; i < ctx->n_titles; i++)
		free(ctx->titles[i].title);
	free(ctx->titles);
}

/* Scans text and parses it with libconfuse; returns the cfg (cfg_free it) or
 * NULL after a syntax error. */
static cfg_t *parse(struct load_ctx *ctx, const char *text)
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
	char *scanned;
	int rc;

	if (cfg == NULL) {
		add_syntax_error(ctx, 0, "cannot set up the parser: %s", strerror(errno));
		return NULL;
	}
	/* cfg holds its own copy of the option tables, which the scan follows */
	scanned = scan_text(ctx, cfg->opts, text);
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
	free(scanned);
	if (rc != CFG_SUCCESS) {
		if (ctx->n_syntax == 0)
			add_syntax_error(ctx, 0, "cannot parse (libconfuse error %d)", rc);
		cfg_free(cfg);
		return NULL;
	}
	return cfg;
}

struct rotd_config *config_load_buffer(const char *text, const char *name, struct strlist *errors)
{
	struct load_ctx ctx;
	struct rotd_config *result = NULL;
	cfg_t *cfg;

	memset(&ctx, 0, sizeof(ctx));
	ctx.name = name;
	cfg = parse(&ctx, text);
	if (cfg != NULL && ctx.n_syntax == 0 && cfg_size(cfg, "role") == 0)
		add_error(&ctx, 1, "no role is defined; rotd needs at least one "
			  "'role NAME { match {...} logs = {...} size = ... archive-dir = ... }'");
	if (cfg != NULL && ctx.n_syntax == 0)
		check_cleanup_roles(&ctx, cfg);
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
		result = extract(cfg, name, ctx.media_seen);
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
