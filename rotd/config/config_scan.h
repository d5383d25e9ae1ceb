/* config_scan.h: what the scan's two files share (config_lex.c cuts the
 * text into tokens, config_scan.c follows them through the sections). */
#ifndef ROTD_CONFIG_SCAN_H
#define ROTD_CONFIG_SCAN_H

#include <stddef.h>

#include "config/config_internal.h"

/* The scan cuts the text into libconfuse's tokens (config_lex.c), then
 * follows them with the option tables (config_scan.c). */

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
	const char *section;            /* its name in the key table; NULL: top level */
	int titled;
	int line;                       /* where it opens */
	char *own;                      /* "role web", "match", "log \"/x\"", ... ; NULL: top level */
	char *label;                    /* how messages name it, as config_section_label() does */
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

/* Appends a token of kind at [start, end) of the text, from line to end_line. */
void scan_add_token(struct scan *s, enum tok_kind kind, size_t start, size_t end, int line, int end_line);

/* Notes that the scan adds c before offset at. */
void scan_insert_char(struct scan *s, size_t at, char c);

/* Cuts the text at offset at, a token's start on line: libconfuse stops there
 * and its message about it is dropped. */
void scan_cut_at(struct scan *s, size_t at, int line);

/* Blanks t[from..to) except line breaks, counting them in *line (may be NULL). */
void scan_blank(char *t, size_t from, size_t to, int *line);

/* Cuts the text into tokens, as libconfuse's lexer does, and blanks comments. */
void scan_lex(struct scan *s);

/* Returns 1 when k is a value: a word, a string or a ${NAME}. */
int scan_is_value(const struct token *k);

/* The text of a value token, without the quotes of a string; from the scanned
 * text (what libconfuse reads) or the original (for messages). New string. */
char *scan_tok_text(const struct scan *s, const struct token *k, int orig);

#endif
