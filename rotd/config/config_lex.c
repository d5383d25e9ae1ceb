/* config_lex: cuts rotd.conf into tokens the way libconfuse's lexer does,
 * around its bugs: libconfuse 3.3 counts every '#' or '//' comment line twice
 * and silently drops an unquoted '*'. The scan blanks comments (line breaks
 * kept), reports and replaces an unquoted '*', and reports an unset ${NAME}
 * and a string, comment or ${ that is never closed. */
#include "autoconf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_scan.h"
#include "lib/xalloc.h"

void scan_add_token(struct scan *s, enum tok_kind kind, size_t start, size_t end, int line, int end_line)
{
	struct token *k;

	s->toks = config_grow(s->toks, &s->cap_toks, s->n_toks, sizeof(*s->toks));
	k = &s->toks[s->n_toks++];
	k->kind = kind;
	k->start = start;
	k->end = end;
	k->line = line;
	k->end_line = end_line;
}

void scan_insert_char(struct scan *s, size_t at, char c)
{
	s->ins = config_grow(s->ins, &s->cap_ins, s->n_ins, sizeof(*s->ins));
	s->ins[s->n_ins].at = at;
	s->ins[s->n_ins++].c = c;
}

/* Cuts the text at offset at, a token's start on line: libconfuse stops there
 * and its message about it is dropped. */
void scan_cut_at(struct scan *s, size_t at, int line)
{
	if (at >= s->cut)
		return;
	s->cut = at;
	if (s->ctx->quiet_line == 0 || line < s->ctx->quiet_line)
		s->ctx->quiet_line = line;
}

/* Blanks t[from..to) except line breaks, counting them in *line (may be NULL). */
void scan_blank(char *t, size_t from, size_t to, int *line)
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

		config_error(s->ctx, line, "${%s} is not set in rotd's environment", config_shown(name, buf, sizeof(buf)));
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
	config_syntax_error(s->ctx, line, "%s %s... is never closed (missing the closing %s)", what,
			 config_shown_n(s->orig + at, n, buf, sizeof(buf)), closer);
	scan_cut_at(s, at, line);
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
			config_syntax_error(s->ctx, *line, "'%.*s' in a string is not an escape; write a "
					 "backslash as \\\\", (int)(n < 8 ? n + 1 : 9), t + i);
			scan_cut_at(s, *pos, start);
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
				scan_cut_at(s, *pos, start);
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
	scan_add_token(s, TOK_STRING, *pos, i + 1, start, *line);
	if (unset)
		config_note_value_line(s->ctx, *line);
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
			config_error(s->ctx, line, "'*' outside quotes is lost by the parser; put patterns "
				  "in double quotes, e.g. \"/var/log/app/*.log\"");
			t[i] = '_';
		} else if (!is_word_char(t[i]) || (t[i] == '/' && t[i + 1] == '/')) {
			break;
		}
	}
	if (i == *pos)
		i++;    /* not reached: scan_lex() sends only word characters here */
	scan_add_token(s, TOK_WORD, *pos, i, line, line);
	*pos = i;
}

/* Cuts the text into tokens, as libconfuse's lexer does, and blanks comments. */
void scan_lex(struct scan *s)
{
	char *t = s->t;
	size_t i = 0;
	int line = 1;

	if (strncmp(t, "\xef\xbb\xbf", 3) == 0)
		scan_blank(t, 0, 3, NULL);
	while (i < s->len) {
		char c = t[i];

		if (c == '\n') {
			line++;
			i++;
		} else if (c == ' ' || c == '\t' || c == '\r') {
			i++;
		} else if (c == '#' || (c == '/' && t[i + 1] == '/')) {
			size_t end = i + strcspn(t + i, "\n");

			scan_blank(t, i, end, NULL);
			i = end;
		} else if (c == '/' && t[i + 1] == '*') {
			const char *close = strstr(t + i + 2, "*/");

			if (close == NULL) {
				config_syntax_error(s->ctx, line, "comment '/*' is never closed with '*/'");
				scan_cut_at(s, i, line);
				break;
			}
			scan_blank(t, i, (size_t)(close - t) + 2, &line);
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
				config_note_value_line(s->ctx, line);
			scan_add_token(s, TOK_ENV, i, close + 1, line, line);
			i = close + 1;
		} else if (strchr("{}=,()", c) != NULL) {
			scan_add_token(s, c == '{' ? TOK_LBRACE : c == '}' ? TOK_RBRACE : c == '=' ? TOK_EQ :
				  c == ',' ? TOK_COMMA : TOK_PAREN, i, i + 1, line, line);
			i++;
		} else if (c == '+') {
			/* libconfuse drops a '+' that does not start "+=" */
			if (t[i + 1] == '=')
				scan_add_token(s, TOK_PLUSEQ, i, i + 2, line, line);
			i += t[i + 1] == '=' ? 2 : 1;
		} else {
			lex_word(s, &i, line);
		}
	}
	s->end_line = line;
}

int scan_is_value(const struct token *k)
{
	return k->kind == TOK_WORD || k->kind == TOK_STRING || k->kind == TOK_ENV;
}

/* The text of a value token, without the quotes of a string; from the scanned
 * text (what libconfuse reads) or the original (for messages). New string. */
char *scan_tok_text(const struct scan *s, const struct token *k, int orig)
{
	const char *t = orig ? s->orig : s->t;

	if (k->kind == TOK_STRING)
		return xstrndup(t + k->start + 1, k->end - k->start - 2);
	return xstrndup(t + k->start, k->end - k->start);
}
