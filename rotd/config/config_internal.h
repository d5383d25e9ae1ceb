/* config's private interface: what the files of rotd/config share. The rest of
 * rotd includes config/config.h only.
 *
 * How a file is checked: the scan (config_scan.c, config_lex.c) works around
 * libconfuse's lexer and rewrites the text; libconfuse (config_confuse.c)
 * parses it with option tables generated from the key table (config_keys.c).
 * Every value goes through config_key_value(), which parses it once with its
 * key's value type (config_value.c) into the struct its section fills, and
 * records any problem at the value's line; every section's end goes through
 * its check (config_check.c). Only a file with no problem at all is assembled
 * into struct rotd_config. */
#ifndef ROTD_CONFIG_INTERNAL_H
#define ROTD_CONFIG_INTERNAL_H

#include <stddef.h>

#include <confuse.h>

struct rotd_config;

#define DEFAULT_CLEANUP_COMMAND "/opt/whatsapp/bin/cleanup.sh"

/* ---- the load in progress ---------------------------------------------- */

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
	int bad;                        /* the value set there did not parse */
};

/* A titled section seen so far (role, rule or log), for the duplicate-title
 * message and for the role's checks of its log sections. */
struct titled_section {
	const cfg_t *scope;             /* the section holding it: root, media or a role */
	char *title;
	int line;                       /* where it opens */
};

/* The struct that one section of a kind that may repeat (role, match, log,
 * rule) fills with its typed values. */
struct section_values {
	const cfg_t *sec;
	const char *section;            /* its name in the key table (sec may be gone) */
	void *obj;
};

struct load_ctx {
	const char *name;               /* the file, as messages name it */
	cfg_t *root;
	struct located_error *errs;     /* every error, sorted by line at the end */
	size_t n_errs, cap_errs;
	size_t n_syntax;                /* how many of them stop or broke the parse */
	int quiet_line;                 /* libconfuse's errors from this line on are dropped: the
	                                   scan has reported a better one and cut the text; 0: none */
	int *value_lines;               /* lines whose value the scan has already reported: the
	                                   value is not reported again */
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
	struct rotd_config *out;        /* the typed values of the top level and of the sections
	                                   that appear once, defaults first */
	struct section_values *values;  /* the typed values of each role, match, log and rule */
	size_t n_values, cap_values;
};

/* Makes room for one more element of size in *v (capacity *cap, count n);
 * returns the array, maybe moved. */
void *config_grow(void *v, size_t *cap, size_t n, size_t size);

/* Records an error at line (0: about the whole file); fmt is the message
 * without "file:line: ". */
void config_error(struct load_ctx *ctx, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The same for an error that stops or breaks the parse: the checks of the
 * whole file (a role defined, cleanup's roles) are then left out. */
void config_syntax_error(struct load_ctx *ctx, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Notes that the value on line has been reported by the scan. */
void config_note_value_line(struct load_ctx *ctx, int line);

/* Returns 1 when the scan has reported the value on line. */
int config_is_value_line(const struct load_ctx *ctx, int line);

/* ---- values (config_value.c) ------------------------------------------- */

#define SHOWN_MAX 64    /* bytes of a value or name that a message quotes */
#define SHOWN_BUF (SHOWN_MAX + 8)

/* Writes the first n bytes of s into buf (size len), cut after SHOWN_MAX bytes
 * at a character boundary with "..." added; returns buf. */
const char *config_shown_n(const char *s, size_t n, char *buf, size_t len);

/* config_shown_n() for a whole string. */
const char *config_shown(const char *s, char *buf, size_t len);

/* How the scan words its message about a value with a space in it. */
enum value_hint { HINT_OTHER, HINT_SIZE, HINT_DURATION, HINT_PERCENT, HINT_NUMBER, HINT_WINDOW, HINT_ARGV };

/* What a parsed value is stored as. */
enum value_storage {
	STORE_POD,              /* size bytes, copied as they are */
	STORE_STRING,           /* a char * the field owns (may be NULL) */
	STORE_ITEM,             /* a list item: checked only; the list is a struct strlist */
};

/* Parses text. On success stores the typed value in *field (a string replaces
 * and frees the one there) and returns NULL; else returns what is wrong with it
 * (the message reads "OPTION 'VALUE' <returned text>") and leaves *field alone.
 * A list item's parser only checks it (field is NULL). */
typedef const char *value_parser(const char *text, void *field);

struct value_type {
	value_parser *parse;
	enum value_storage storage;
	size_t size;                    /* bytes of the field */
	enum value_hint hint;
};

extern const struct value_type vt_string, vt_optional_string, vt_abs_path, vt_abs_file,
	vt_optional_abs_file, vt_rule_path, vt_endpoint, vt_timezone, vt_listen, vt_size, vt_max_size,
	vt_duration, vt_positive_duration, vt_idle, vt_max_age, vt_timeout, vt_timeout_ms, vt_gc_timeout,
	vt_window, vt_percent, vt_jobs, vt_keep, vt_level, vt_concurrency, vt_rate, vt_bool, vt_compress,
	vt_method, vt_item, vt_item_not_empty, vt_item_argv, vt_item_env, vt_item_log_glob,
	vt_item_file_glob, vt_timestamp, vt_log_timezone;

/* ---- the key table (config_keys.c) ------------------------------------- */

/* Returns libconfuse's option table for the whole file, generated from the key
 * table: every value goes to on_value. Free with config_key_opts_free(). */
cfg_opt_t *config_key_opts(cfg_callback_t on_value);

/* Frees what config_key_opts() returned. */
void config_key_opts_free(cfg_opt_t *opts);

/* Has libconfuse call on_end when any section of cfg closes. */
void config_key_set_validate(cfg_t *cfg, cfg_validate_callback_t on_end);

/* Returns how the scan words a value of key name in the section named
 * section (NULL: the top level) with a space in it. */
enum value_hint config_key_hint(const char *section, const char *name, int in_list);

/* Sets up ctx->out with every default of the top level and of the sections
 * that appear once. */
void config_key_begin(struct load_ctx *ctx);

/* Takes value for option opt in sec: notes its line, parses it once into the
 * struct sec fills and records any problem. */
void config_key_value(struct load_ctx *ctx, cfg_t *sec, cfg_opt_t *opt, const char *value);

/* Runs the checks of the section opt of parent that has just closed. */
void config_key_section_end(struct load_ctx *ctx, cfg_t *parent, cfg_opt_t *opt);

/* Returns the typed value of key in sec for the checks: the file's, else the
 * default; NULL when the file's value is wrong, or when there is neither. */
const void *config_key_get(struct load_ctx *ctx, const cfg_t *sec, const char *key);

/* Returns 1 when the file sets key in sec (a list: even to {}). */
int config_key_is_set(cfg_t *sec, const char *key);

/* Turns the typed values of a file with no problem into the config (which the
 * caller owns); name is its path. */
struct rotd_config *config_key_assemble(struct load_ctx *ctx, const char *name);

/* Frees the typed values that were not assembled. */
void config_key_end(struct load_ctx *ctx);

/* ---- the checks of sections (config_check.c) --------------------------- */

/* Writes how messages name section sec ("role web: ", "docker: ", or "" at
 * the top level) into buf; returns buf. */
const char *config_section_label(const struct load_ctx *ctx, const cfg_t *sec, char *buf, size_t len);

/* Returns the line where the section closing at close_line opened. */
int config_section_start(struct load_ctx *ctx, int close_line);

/* Returns the line where option opt was set in sec, or 0. */
int config_option_line(const struct load_ctx *ctx, const cfg_t *sec, const char *opt);

/* Notes that the section titled title, inside scope, opened at line. */
void config_remember_title(struct load_ctx *ctx, const cfg_t *scope, const char *title, int line);

/* Returns the line where the section titled title, inside scope, opened, or 0. */
int config_title_line(const struct load_ctx *ctx, const cfg_t *scope, const char *title);

/* The checks of a section sec (inside parent) that opened at start and has
 * just closed. */
typedef void section_check(struct load_ctx *ctx, cfg_t *parent, cfg_t *sec, int start);

section_check config_check_role, config_check_log, config_check_match, config_check_rule,
	config_check_media, config_check_watermarks, config_check_cleanup, config_check_gc,
	config_check_webhook;

/* Checks, once every role is read, that cleanup.roles names defined roles, each once. */
void config_check_cleanup_roles(struct load_ctx *ctx, cfg_t *root);

/* ---- libconfuse (config_scan.c, config_confuse.c) ---------------------- */

/* Returns the text libconfuse is to read (new string): text scanned, with the
 * repairs and the cut. Notes where sections open and close. */
char *config_scan_text(struct load_ctx *ctx, cfg_opt_t *root, const char *text);

/* Scans text and parses it with libconfuse; returns the cfg (cfg_free it) or
 * NULL after a syntax error. One at a time. */
cfg_t *config_confuse_parse(struct load_ctx *ctx, const char *text);

#endif
