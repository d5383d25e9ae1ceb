/* config_scan: follows the tokens through the sections, as libconfuse's
 * parser will, and works around what libconfuse names wrongly or not at all.
 * What it does:
 * - reports a value with a space in it ("size = 15 MB") and says how to
 *   write it, and blanks its tail;
 * - reports a section whose '}' is missing where the section opens, and puts
 *   the '}' where the next statement shows it was meant to be; a list missing
 *   its ',' or '}' likewise;
 * - stops at a section in the wrong place, an unknown section, and a string,
 *   comment or ${ that is never closed: it reports them and cuts the text
 *   there with a '(' that libconfuse refuses, whose message is then dropped.
 * libconfuse then parses the scanned text. */
#include "autoconf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_scan.h"
#include "lib/strlist.h"
#include "lib/units.h"
#include "lib/xalloc.h"

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

	s->frames = config_grow(s->frames, &s->cap_frames, s->depth, sizeof(*s->frames));
	f = &s->frames[s->depth++];
	memset(f, 0, sizeof(*f));
	if (opt == NULL) {
		f->label = xstrdup("");
		return;
	}
	f->opts = opt->subopts;
	f->section = opt->name;
	f->titled = title != NULL;
	f->line = line;
	if (title == NULL)
		f->own = xstrdup(opt->name);
	else if (strcmp(opt->name, "log") == 0)
		f->own = xasprintf("%s \"%s\"", opt->name, config_shown(title, buf, sizeof(buf)));
	else
		f->own = xasprintf("%s %s", opt->name, config_shown(title, buf, sizeof(buf)));
	/* as config_section_label(): a section inside a role is named with its role */
	f->label = xasprintf("%s%s: ", parent != NULL && parent->titled ? parent->label : "", f->own);
	free(title);
}

/* Leaves the innermost section, which closes on line. */
static void pop_frame(struct scan *s, int line)
{
	struct frame *f = top(s);
	struct load_ctx *ctx = s->ctx;

	ctx->spans = config_grow(ctx->spans, &ctx->cap_spans, ctx->n_spans, sizeof(*ctx->spans));
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
	config_syntax_error(s->ctx, f->line, "%.*s { is never closed (missing '}')",
			 (int)strlen(f->label) - 2, f->label);
	scan_insert_char(s, at, '}');
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
	name = scan_tok_text(s, &t[k], 0);
	for (size_t d = s->depth; d-- > 0 && opt == NULL;)
		opt = find_opt(s->frames[d].opts, name);
	free(name);
	if (opt == NULL || k + 1 >= s->n_toks)
		return 0;
	if (opt->type != CFGT_SEC)
		return t[k + 1].kind == TOK_EQ || t[k + 1].kind == TOK_PLUSEQ;
	if (!(opt->flags & CFGF_TITLE))
		return t[k + 1].kind == TOK_LBRACE;
	return scan_is_value(&t[k + 1]) && k + 2 < s->n_toks && t[k + 2].kind == TOK_LBRACE;
}

/* Returns 1 when token k is followed by '{', or by a title and '{'. */
static int opens_section(const struct scan *s, size_t k)
{
	const struct token *t = s->toks;

	if (k + 1 < s->n_toks && t[k + 1].kind == TOK_LBRACE)
		return 1;
	return k + 2 < s->n_toks && scan_is_value(&t[k + 1]) && t[k + 2].kind == TOK_LBRACE;
}

/* ---- a value with a space ---------------------------------------------- */

/* How a value with a space is worded: its key's hint (config_key_hint()), or
 * VALUE_JOINED for pieces without a space between them. */
enum value_kind {
	VALUE_OTHER = HINT_OTHER, VALUE_SIZE = HINT_SIZE, VALUE_DURATION = HINT_DURATION,
	VALUE_PERCENT = HINT_PERCENT, VALUE_NUMBER = HINT_NUMBER, VALUE_WINDOW = HINT_WINDOW,
	VALUE_ARGV = HINT_ARGV, VALUE_JOINED,
};

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
	enum value_kind kind = (enum value_kind)config_key_hint(top(s)->section, opt->name, in_list);
	struct strlist words = STRLIST_INIT;
	char raw[SHOWN_BUF], buf[SHOWN_BUF];
	const char *unit, *label = top(s)->label;
	char *joined, *example = NULL;
	size_t n = 0, o = 0;
	int spaced = 0;

	for (size_t i = first; i <= last; i++) {
		strlist_take(&words, scan_tok_text(s, &s->toks[i], 1));
		spaced |= i > first && s->toks[i].start > s->toks[i - 1].end;
	}
	for (size_t i = 0; i < words.n; i++)
		n += strlen(words.v[i]) + 4;
	joined = xreallocarray(NULL, n + 1, 1);
	joined[0] = '\0';
	config_shown_n(s->orig + k->start, s->toks[last].end - k->start, raw, sizeof(raw));
	if (!spaced)    /* "${DIR}/docker.sock", "a"b: pieces that libconfuse splits */
		kind = VALUE_JOINED;
	switch (kind) {
	case VALUE_SIZE:
	case VALUE_DURATION:
	case VALUE_PERCENT:
		unit = words.n == 2 && all_digits(words.v[0]) ? unit_letter(kind, words.v[1]) : NULL;
		example = unit != NULL ? xasprintf("%s%s", config_shown(words.v[0], buf, sizeof(buf)), unit) :
			  xstrdup(kind == VALUE_SIZE ? "20M" : kind == VALUE_DURATION ? "7d" : "85%");
		if (kind == VALUE_PERCENT)
			config_error(s->ctx, k->line, "%s%s = %s: write percentages without a space, e.g. %s",
				  label, opt->name, raw, example);
		else
			config_error(s->ctx, k->line, "%s%s = %s: write %s without a space, e.g. %s (or \"%s\")",
				  label, opt->name, raw, kind == VALUE_SIZE ? "sizes" : "durations", example,
				  example);
		break;
	case VALUE_NUMBER:
		config_error(s->ctx, k->line, "%s%s = %s: write just the number, e.g. %s", label, opt->name, raw,
			  all_digits(words.v[0]) ? config_shown(words.v[0], buf, sizeof(buf)) : "1");
		break;
	case VALUE_WINDOW: {
		struct time_window w;

		for (size_t i = 0; i < words.n; i++)
			o += (size_t)snprintf(joined + o, n + 1 - o, "%s", words.v[i]);
		config_error(s->ctx, k->line, "%s%s = %s: write the window without spaces, e.g. %s", label,
			  opt->name, raw, units_parse_window(joined, &w) == 0 ?
			  config_shown(joined, buf, sizeof(buf)) : "02:00-05:00");
		break;
	}
	case VALUE_ARGV:
		for (size_t i = 0; i < words.n; i++)
			o += (size_t)snprintf(joined + o, n + 1 - o, "%s\"%s\"", i ? ", " : "", words.v[i]);
		config_error(s->ctx, k->line, "%s%s item %s: give each argument its own quoted item, e.g. {%s}",
			  label, opt->name, raw, config_shown(joined, buf, sizeof(buf)));
		break;
	case VALUE_JOINED:
		for (size_t i = 0; i < words.n; i++)
			o += (size_t)snprintf(joined + o, n + 1 - o, "%s", words.v[i]);
		config_error(s->ctx, k->line, "%s%s %s %s: write it as one string in double quotes, e.g. \"%s\"",
			  label, opt->name, in_list ? "item" : "=", raw, config_shown(joined, buf, sizeof(buf)));
		break;
	case VALUE_OTHER:
		for (size_t i = 0; i < words.n; i++)
			o += (size_t)snprintf(joined + o, n + 1 - o, "%s%s", i ? " " : "", words.v[i]);
		config_error(s->ctx, k->line, "%s%s %s %s: put %s with spaces in double quotes, e.g. \"%s\"",
			  label, opt->name, in_list ? "item" : "=", raw, in_list ? "an item" : "a value",
			  config_shown(joined, buf, sizeof(buf)));
		break;
	}
	config_note_value_line(s->ctx, k->end_line);
	free(example);
	free(joined);
	strlist_free(&words);
}

/* Token j is a value of opt: takes the values after it on the same line as
 * its tail ("15 MB"), reports and blanks them. Returns the next token. */
static size_t value_tail(struct scan *s, const cfg_opt_t *opt, size_t j, int in_list)
{
	size_t k = j + 1;

	while (k < s->n_toks && scan_is_value(&s->toks[k]) && s->toks[k].line == s->toks[k - 1].end_line &&
	       !starts_statement(s, k))
		k++;
	if (k > j + 1) {
		report_spaced(s, opt, j, k - 1, in_list);
		for (size_t m = j + 1; m < k; m++)
			scan_blank(s->t, s->toks[m].start, s->toks[m].end, NULL);
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
		if (!scan_is_value(&t[k]))
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
		if (!scan_is_value(&t[k]))
			break;
		if (starts_statement(s, k)) {
			config_syntax_error(s->ctx, open, "%s%s = { is never closed (missing '}')", top(s)->label,
					 opt->name);
			scan_insert_char(s, t[k].start, '}');
			return k;
		}
		config_syntax_error(s->ctx, t[k].line, "%s%s: a ',' is missing before %s (list items are "
				 "separated by commas)", top(s)->label, opt->name,
				 config_shown_n(s->orig + t[k].start, t[k].end - t[k].start, buf, sizeof(buf)));
		scan_insert_char(s, t[k].start, ',');
	}
	if (k < s->n_toks) {
		stopped_at(s, k);
		return SIZE_MAX;
	}
	if (s->cut == SIZE_MAX) {
		config_syntax_error(s->ctx, open, "%s%s = { is never closed (missing '}')", top(s)->label, opt->name);
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
			config_syntax_error(s->ctx, k->line, "a '%s' section goes %s, not at the top level", name, home);
		else
			config_syntax_error(s->ctx, k->line, "%sa '%s' section goes %s, not inside %s", f->label, name,
					 home, f->own);
	} else {
		char known[256];
		size_t n = 0;

		known[0] = '\0';
		for (cfg_opt_t *o = f->opts; o != NULL && o->name != NULL && n < sizeof(known); o++)
			if (o->type == CFGT_SEC)
				n += (size_t)snprintf(known + n, sizeof(known) - n, "%s%s", n ? ", " : "", o->name);
		config_syntax_error(s->ctx, k->line, "%sno such section '%s' (%s%s)", f->label, name,
				 n ? "sections here: " : "no section goes here", known);
	}
	scan_cut_at(s, k->start, k->line);
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
		name = scan_tok_text(s, &t[i], 0);
		if (strchr(name, '|') != NULL) {
			/* libconfuse would take it as a path into a section */
			config_syntax_error(s->ctx, t[i].line, "%sno such option '%s'; write an option inside its "
					 "section, e.g. docker { socket = ... }", top(s)->label,
					 config_shown(name, buf, sizeof(buf)));
			scan_cut_at(s, t[i].start, t[i].line);
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
				if (j >= s->n_toks || !scan_is_value(&t[j])) {
					stopped_at(s, j);
					return;
				}
				title = scan_tok_text(s, &t[j++], 1);
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
		if (!scan_is_value(&t[j])) {
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
		scan_insert_char(s, s->len, '(');
		if (s->ctx->quiet_line == 0 || s->end_line < s->ctx->quiet_line)
			s->ctx->quiet_line = s->end_line;
	}
}

/* Returns the text libconfuse is to read (new string): text scanned, with the
 * repairs and the cut. Notes where sections open and close. */
char *config_scan_text(struct load_ctx *ctx, cfg_opt_t *root, const char *text)
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
	scan_lex(&s);
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
		scan_blank(s.t, s.cut, s.len, NULL);
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
