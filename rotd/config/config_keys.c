/* config_keys: every section and key of rotd.conf, declared once.
 *
 * A key's row gives its section, its name, its value type (the parser), its
 * default and where its typed value lands: the offset of a field in the struct
 * that its section fills (struct rotd_config for the top level and the
 * sections that appear once; struct role_policy, role_match, log_policy or
 * media_rule for each role, match, log and rule section). libconfuse's option
 * tables are generated from these rows, every value is parsed once, by its
 * row's parser, straight into its field, and the config is assembled from
 * those fields. As systemd's conf-parser: section, key, parser, offset. */
#include "autoconf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/config_internal.h"
#include "lib/strlist.h"
#include "lib/xalloc.h"

/* What a section's keys fill. */
enum target {
	INTO_CONFIG,            /* struct rotd_config: the top level and sections that appear once */
	INTO_ROLE,              /* struct role_policy */
	INTO_MATCH,             /* struct role_match */
	INTO_LOG,               /* struct log_policy: the values this log section sets */
	INTO_RULE,              /* struct media_rule */
};

struct config_section {
	const char *parent;     /* the section it is in; NULL: the top level */
	const char *name;
	int flags;              /* libconfuse's CFGF_MULTI, CFGF_TITLE, ... */
	enum target into;
	section_check *check;   /* run when it closes, or NULL */
};

/* In file order; libconfuse's tables list a section's subsections in this order. */
static const struct config_section sections[] = {
	{ NULL, "metrics", CFGF_NONE, INTO_CONFIG, NULL },
	{ NULL, "webhook", CFGF_NONE, INTO_CONFIG, config_check_webhook },
	{ NULL, "docker", CFGF_NONE, INTO_CONFIG, NULL },
	{ NULL, "offpeak", CFGF_NONE, INTO_CONFIG, NULL },
	{ NULL, "role", CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES, INTO_ROLE, config_check_role },
	{ "role", "match", CFGF_MULTI, INTO_MATCH, config_check_match },
	{ "role", "log", CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES, INTO_LOG, config_check_log },
	{ NULL, "media", CFGF_NONE, INTO_CONFIG, config_check_media },
	{ "media", "rule", CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES, INTO_RULE, config_check_rule },
	{ NULL, "watermarks", CFGF_NONE, INTO_CONFIG, config_check_watermarks },
	{ NULL, "cleanup", CFGF_NONE, INTO_CONFIG, config_check_cleanup },
	{ NULL, "gc", CFGF_NONE, INTO_CONFIG, config_check_gc },
};

#define N_SECTIONS (sizeof(sections) / sizeof(sections[0]))

enum key_flags {
	KEY_LIST = 1,           /* a list of strings: its field is a struct strlist */
	KEY_LOG = 2,            /* a role key that a log section may set for its pattern */
};

#define NO_FIELD SIZE_MAX       /* checked, but kept in no field (a string key only) */

struct config_key {
	const char *section;    /* NULL: the top level */
	const char *name;
	const struct value_type *type;
	const char *def;        /* the default, as the file would write it; NULL: none */
	size_t offset;          /* of its field in the struct its section fills */
	int flags;
	size_t log_offset;      /* KEY_LOG: of its field in struct log_policy */
};

#define CONFIG(field) offsetof(struct rotd_config, field)
#define ROLE(field) offsetof(struct role_policy, field)
#define LOG(field) offsetof(struct log_policy, field)

#define KEY(sec, name, type, def, offset) { sec, name, &(type), def, offset, 0, 0 }
#define LIST(sec, name, type, offset) { sec, name, &(type), NULL, offset, KEY_LIST, 0 }
#define ROLE_KEY(name, type, def, field) \
	{ "role", name, &(type), def, ROLE(field), KEY_LOG, LOG(field) }
#define ROLE_LIST(name, type, field) \
	{ "role", name, &(type), NULL, ROLE(field), KEY_LIST | KEY_LOG, LOG(field) }

/* One row per key; a new option is one row here (and its entry in
 * rotd.conf(5)). A role key that a log section may set too is one row
 * (ROLE_KEY, ROLE_LIST); keys of one name in other sections are rows of
 * their own (docker, cleanup and gc each have a timeout). */
static const struct config_key keys[] = {
	KEY(NULL, "state-file", vt_abs_file, "/var/lib/rotd/state.json", CONFIG(state_file)),
	KEY(NULL, "interval", vt_positive_duration, "60s", CONFIG(interval)),
	KEY(NULL, "stop-timeout", vt_duration, "30s", CONFIG(stop_timeout)),
	KEY(NULL, "usage-interval", vt_duration, "10m", CONFIG(usage_interval)),
	KEY(NULL, "status-file", vt_abs_file, "/run/rotd/status.json", CONFIG(status_file)),
	KEY(NULL, "lock-file", vt_abs_file, "/run/rotd.lock", CONFIG(lock_file)),
	KEY(NULL, "lock-wait", vt_duration, "5m", CONFIG(lock_wait)),
	KEY(NULL, "jobs", vt_jobs, "0", CONFIG(jobs)),

	KEY("metrics", "file", vt_optional_abs_file, "/var/lib/prometheus/node-exporter/rotd.prom",
	    CONFIG(metrics_file)),
	KEY("metrics", "listen", vt_listen, "", CONFIG(metrics_listen)),

	KEY("webhook", "listen", vt_listen, "", CONFIG(webhook.listen)),
	KEY("webhook", "token", vt_optional_string, NULL, CONFIG(webhook.token)),
	/* read into webhook.token by its check */
	KEY("webhook", "token-file", vt_optional_abs_file, NULL, NO_FIELD),
	LIST("webhook", "alerts", vt_item_not_empty, CONFIG(webhook.alerts)),
	LIST("webhook", "hosts", vt_item_not_empty, CONFIG(webhook.hosts)),
	KEY("webhook", "rate", vt_rate, "10", CONFIG(webhook.rate)),

	KEY("docker", "socket", vt_abs_path, NULL, CONFIG(docker_socket)),
	KEY("docker", "timeout", vt_timeout_ms, "30s", CONFIG(docker_timeout_ms)),

	KEY("offpeak", "window", vt_window, "02:00-05:00", CONFIG(offpeak)),
	KEY("offpeak", "timezone", vt_timezone, "", CONFIG(timezone)),

	LIST("role", "logs", vt_item_log_glob, ROLE(logs)),
	ROLE_KEY("size", vt_size, NULL, size),
	ROLE_KEY("keep", vt_keep, "30", keep),
	ROLE_KEY("compress", vt_compress, "gzip", compress),
	/* 0: not set; then the compressor's default */
	ROLE_KEY("compress-level", vt_level, NULL, compress_level),
	ROLE_KEY("archive-dir", vt_abs_path, NULL, archive_dir),
	ROLE_KEY("method", vt_method, "copytruncate", method),
	ROLE_LIST("postrotate", vt_item_argv, postrotate),
	ROLE_KEY("idle-after", vt_idle, "1h", idle_after),
	ROLE_KEY("max-age", vt_max_age, "0", max_age),
	ROLE_KEY("max-size", vt_max_size, "0", max_size),
	/* NULL: the built-in recognisers; offpeak's timezone is another key */
	ROLE_KEY("timestamp", vt_timestamp, NULL, timestamp),
	ROLE_KEY("timezone", vt_log_timezone, "UTC", timezone),

	LIST("match", "image", vt_item_not_empty, offsetof(struct role_match, images)),
	LIST("match", "service", vt_item_not_empty, offsetof(struct role_match, services)),
	LIST("match", "name", vt_item_not_empty, offsetof(struct role_match, names)),
	LIST("match", "env", vt_item_env, offsetof(struct role_match, envs)),
	LIST("match", "not-env", vt_item_env, offsetof(struct role_match, not_envs)),

	KEY("media", "root", vt_abs_path, NULL, CONFIG(media_root)),
	KEY("media", "floor", vt_duration, "7d", CONFIG(media_floor)),

	KEY("rule", "path", vt_rule_path, NULL, offsetof(struct media_rule, path)),
	KEY("rule", "age", vt_positive_duration, NULL, offsetof(struct media_rule, max_age)),
	LIST("rule", "globs", vt_item_file_glob, offsetof(struct media_rule, globs)),

	KEY("watermarks", "high", vt_percent, "85%", CONFIG(high_watermark)),
	KEY("watermarks", "low", vt_percent, "80%", CONFIG(low_watermark)),
	KEY("watermarks", "archive-floor", vt_duration, "1d", CONFIG(archive_floor)),
	KEY("watermarks", "remediation-backoff", vt_positive_duration, "30m", CONFIG(remediation_backoff)),

	LIST("cleanup", "command", vt_item_argv, CONFIG(cleanup.command)),
	KEY("cleanup", "timeout", vt_timeout, "10m", CONFIG(cleanup.timeout)),
	KEY("cleanup", "concurrency", vt_concurrency, "4", CONFIG(cleanup.concurrency)),
	LIST("cleanup", "roles", vt_item, CONFIG(cleanup.roles)),

	KEY("gc", "enabled", vt_bool, "false", CONFIG(gc.enabled)),
	KEY("gc", "endpoint", vt_endpoint, NULL, CONFIG(gc.endpoint)),
	KEY("gc", "username", vt_string, NULL, CONFIG(gc.username)),
	KEY("gc", "password", vt_string, NULL, CONFIG(gc.password)),
	KEY("gc", "env-file", vt_abs_file, NULL, CONFIG(gc.env_file)),
	KEY("gc", "ca-file", vt_abs_file, NULL, CONFIG(gc.ca_file)),
	KEY("gc", "verify-tls", vt_bool, "true", CONFIG(gc.verify_tls)),
	KEY("gc", "timeout", vt_gc_timeout, "60s", CONFIG(gc.timeout)),
};

#define N_KEYS (sizeof(keys) / sizeof(keys[0]))

/* ---- lookups ------------------------------------------------------------ */

static int same(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static const struct config_section *find_section(const char *name)
{
	for (size_t i = 0; i < N_SECTIONS; i++)
		if (strcmp(sections[i].name, name) == 0)
			return &sections[i];
	return NULL;
}

/* Returns 1 when key k belongs in the section named section: its own keys, and
 * for a log section the role keys marked KEY_LOG. */
static int key_in(const struct config_key *k, const char *section)
{
	if (same(section, "log"))
		return (k->flags & KEY_LOG) != 0;
	return same(k->section, section);
}

/* Where k's value lands in the struct of the section named section. */
static size_t key_offset(const struct config_key *k, const char *section)
{
	return same(section, "log") ? k->log_offset : k->offset;
}

static const struct config_key *find_key(const char *section, const char *name)
{
	for (size_t i = 0; i < N_KEYS; i++)
		if (key_in(&keys[i], section) && strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

/* The name of section sec in the tables; NULL for the top level. */
static const char *section_name(const struct load_ctx *ctx, const cfg_t *sec)
{
	return sec == ctx->root ? NULL : sec->name;
}

static size_t target_size(enum target into)
{
	switch (into) {
	case INTO_ROLE:
		return sizeof(struct role_policy);
	case INTO_MATCH:
		return sizeof(struct role_match);
	case INTO_LOG:
		return sizeof(struct log_policy);
	case INTO_RULE:
		return sizeof(struct media_rule);
	case INTO_CONFIG:
		break;
	}
	return sizeof(struct rotd_config);
}

enum value_hint config_key_hint(const char *section, const char *name, int in_list)
{
	const struct config_key *k = find_key(section, name);
	enum value_hint hint = k != NULL ? k->type->hint : HINT_OTHER;

	/* a list's items are worded as arguments or as words; a list given as
	 * one value (logs = "x" y) as words */
	if (in_list)
		return hint == HINT_ARGV ? HINT_ARGV : HINT_OTHER;
	return hint == HINT_ARGV ? HINT_OTHER : hint;
}

/* ---- libconfuse's tables -------------------------------------------------- */

/* Returns the options of the section named section (NULL: the top level):
 * its keys, then its subsections. */
static cfg_opt_t *build_opts(const char *section, cfg_callback_t on_value)
{
	size_t n = 0, i = 0;
	cfg_opt_t *opts;

	for (size_t k = 0; k < N_KEYS; k++)
		n += key_in(&keys[k], section);
	for (size_t s = 0; s < N_SECTIONS; s++)
		n += same(sections[s].parent, section);
	opts = xcalloc(n + 1, sizeof(*opts));   /* ends with CFG_END(): all zero */
	for (size_t k = 0; k < N_KEYS; k++) {
		const struct config_key *key = &keys[k];
		/* a log section has no defaults: what it does not set is the role's */
		const char *def = same(section, "log") ? NULL : key->def;

		if (!key_in(key, section))
			continue;
		if (key->flags & KEY_LIST) {
			cfg_opt_t o = CFG_STR_LIST_CB(key->name, NULL, CFGF_NONE, on_value);

			opts[i++] = o;
		} else {
			cfg_opt_t o = CFG_STR_CB(key->name, def, CFGF_NONE, on_value);

			opts[i++] = o;
		}
	}
	for (size_t s = 0; s < N_SECTIONS; s++) {
		if (same(sections[s].parent, section)) {
			cfg_opt_t o = CFG_SEC(sections[s].name, build_opts(sections[s].name, on_value),
					      sections[s].flags);

			opts[i++] = o;
		}
	}
	return opts;
}

cfg_opt_t *config_key_opts(cfg_callback_t on_value)
{
	return build_opts(NULL, on_value);
}

void config_key_opts_free(cfg_opt_t *opts)
{
	for (cfg_opt_t *o = opts; o != NULL && o->name != NULL; o++)
		if (o->type == CFGT_SEC)
			config_key_opts_free(o->subopts);
	free(opts);
}

void config_key_set_validate(cfg_t *cfg, cfg_validate_callback_t on_end)
{
	for (size_t s = 0; s < N_SECTIONS; s++) {
		char path[64];

		if (sections[s].parent != NULL)
			snprintf(path, sizeof(path), "%s|%s", sections[s].parent, sections[s].name);
		else
			snprintf(path, sizeof(path), "%s", sections[s].name);
		cfg_set_validate_func(cfg, path, on_end);
	}
}

/* ---- the typed values ------------------------------------------------------ */

/* Sets the defaults of the keys of the section named section in obj, the
 * struct it fills. */
static void set_defaults(void *obj, const char *section)
{
	for (size_t k = 0; k < N_KEYS; k++) {
		const struct config_key *key = &keys[k];
		const char *why;

		if (!key_in(key, section) || key->def == NULL || key->offset == NO_FIELD)
			continue;
		why = key->type->parse(key->def, (char *)obj + key->offset);
		if (why != NULL) {
			fprintf(stderr, "rotd: internal error: the default of %s, '%s', %s\n", key->name,
				key->def, why);
			abort();
		}
	}
}

/* Frees what the fields of obj, the struct of a section named section, own. */
static void free_fields(void *obj, const char *section)
{
	for (size_t k = 0; k < N_KEYS; k++) {
		const struct config_key *key = &keys[k];
		size_t off = key_offset(key, section);

		if (!key_in(key, section) || off == NO_FIELD)
			continue;
		if (key->flags & KEY_LIST)
			strlist_free((struct strlist *)((char *)obj + off));
		else if (key->type->storage == STORE_STRING)
			free(*(char **)((char *)obj + off));
	}
}

void config_key_begin(struct load_ctx *ctx)
{
	ctx->out = xcalloc(1, sizeof(*ctx->out));
	set_defaults(ctx->out, NULL);
	for (size_t s = 0; s < N_SECTIONS; s++)
		if (sections[s].into == INTO_CONFIG)
			set_defaults(ctx->out, sections[s].name);
}

/* Makes the struct that a section of kind s fills, with its defaults. */
static void *new_values(const struct config_section *s)
{
	void *obj = xcalloc(1, target_size(s->into));

	if (s->into != INTO_LOG)
		set_defaults(obj, s->name);
	return obj;
}

/* Returns the struct that sec fills; a role's, match's, log's or rule's is
 * made when first needed. */
static void *values_of(struct load_ctx *ctx, const cfg_t *sec)
{
	const char *name = section_name(ctx, sec);
	const struct config_section *s = name != NULL ? find_section(name) : NULL;
	struct section_values *v;

	if (s == NULL || s->into == INTO_CONFIG)
		return ctx->out;
	for (size_t i = 0; i < ctx->n_values; i++)
		if (ctx->values[i].sec == sec)
			return ctx->values[i].obj;
	ctx->values = config_grow(ctx->values, &ctx->cap_values, ctx->n_values, sizeof(*ctx->values));
	v = &ctx->values[ctx->n_values++];
	v->sec = sec;
	v->section = s->name;
	v->obj = new_values(s);
	return v->obj;
}

/* Takes the struct that sec, a role or a rule, fills out of ctx: the caller
 * owns it. */
static void *take_values(struct load_ctx *ctx, const cfg_t *sec)
{
	void *obj = values_of(ctx, sec);

	for (size_t i = 0; i < ctx->n_values; i++)
		if (ctx->values[i].obj == obj) {
			ctx->values[i] = ctx->values[--ctx->n_values];
			return obj;
		}
	return NULL;    /* not reached: a role's or rule's struct is in ctx->values */
}

/* Notes that opt was set in sec at line; returns its record, and in *earlier
 * the line where a scalar was already set, else 0. */
static struct option_line *note_option_line(struct load_ctx *ctx, const cfg_t *sec, const cfg_opt_t *opt,
					    int line, int *earlier)
{
	struct option_line *l;

	*earlier = 0;
	for (size_t i = 0; i < ctx->n_lines; i++) {
		l = &ctx->lines[i];
		if (l->sec == sec && strcmp(l->opt, opt->name) == 0) {
			if (!(opt->flags & CFGF_LIST)) {
				*earlier = l->line;
				l->line = line;
			}
			return l;
		}
	}
	ctx->lines = config_grow(ctx->lines, &ctx->cap_lines, ctx->n_lines, sizeof(*ctx->lines));
	l = &ctx->lines[ctx->n_lines++];
	l->sec = sec;
	l->opt = opt->name;
	l->line = line;
	l->bad = 0;
	return l;
}

void config_key_value(struct load_ctx *ctx, cfg_t *sec, cfg_opt_t *opt, const char *value)
{
	const char *section = section_name(ctx, sec);
	const struct config_key *key = find_key(section, opt->name);
	char *scratch = NULL;   /* a NO_FIELD key's string */
	struct option_line *l;
	char label[256];
	const char *why;
	void *field;
	size_t off;
	int earlier;

	l = note_option_line(ctx, sec, opt, sec->line, &earlier);
	if (earlier != 0)
		config_error(ctx, sec->line, "%s'%s' is already set on line %d",
			     config_section_label(ctx, sec, label, sizeof(label)), opt->name, earlier);
	/* cleanup.roles can only be checked once every role is read: note the
	 * line of each name for config_check_cleanup_roles(). */
	if (same(section, "cleanup") && strcmp(opt->name, "roles") == 0)
		config_remember_title(ctx, sec, value, sec->line);
	if (key == NULL)
		return;         /* not reached: libconfuse knows only the keys of the table */
	off = key_offset(key, section);
	if (key->type->storage == STORE_ITEM)
		field = NULL;
	else if (off == NO_FIELD)
		field = &scratch;
	else
		field = (char *)values_of(ctx, sec) + off;
	why = key->type->parse(value, field);
	free(scratch);
	if (!(opt->flags & CFGF_LIST))
		l->bad = why != NULL;
	/* a value the scan has reported ("15 MB", an unset ${NAME}) is not reported again */
	if (why != NULL && !config_is_value_line(ctx, sec->line)) {
		char buf[SHOWN_BUF];

		config_error(ctx, sec->line, "%s%s '%s' %s", config_section_label(ctx, sec, label, sizeof(label)),
			     opt->name, config_shown(value, buf, sizeof(buf)), why);
	}
}

void config_key_section_end(struct load_ctx *ctx, cfg_t *parent, cfg_opt_t *opt)
{
	const struct config_section *s = find_section(opt->name);
	int start = config_section_start(ctx, parent->line);

	if (s != NULL && s->check != NULL)
		s->check(ctx, parent, cfg_opt_getnsec(opt, cfg_opt_size(opt) - 1), start);
}

const void *config_key_get(struct load_ctx *ctx, const cfg_t *sec, const char *name)
{
	const char *section = section_name(ctx, sec);
	const struct config_key *key = find_key(section, name);

	if (key == NULL || (key->flags & KEY_LIST) || key_offset(key, section) == NO_FIELD)
		return NULL;
	for (size_t i = 0; i < ctx->n_lines; i++)
		if (ctx->lines[i].sec == sec && strcmp(ctx->lines[i].opt, name) == 0) {
			if (ctx->lines[i].bad)
				return NULL;
			return (char *)values_of(ctx, sec) + key_offset(key, section);
		}
	if (key->def == NULL || same(section, "log"))
		return NULL;
	return (char *)values_of(ctx, sec) + key_offset(key, section);
}

int config_key_is_set(cfg_t *sec, const char *key)
{
	cfg_opt_t *o = cfg_getopt(sec, key);

	return o != NULL && (o->flags & CFGF_MODIFIED) != 0;
}

/* ---- the result -------------------------------------------------------------- */

/* Copies the lists that sec (a section named section) holds into obj, the
 * struct it fills. */
static void take_lists(void *obj, cfg_t *sec, const char *section)
{
	for (size_t k = 0; k < N_KEYS; k++) {
		const struct config_key *key = &keys[k];
		struct strlist *list;

		if (!key_in(key, section) || !(key->flags & KEY_LIST))
			continue;
		list = (struct strlist *)((char *)obj + key_offset(key, section));
		for (unsigned i = 0; i < cfg_size(sec, key->name); i++)
			strlist_add(list, cfg_getnstr(sec, key->name, i));
	}
}

/* Copies the field of key k at src into dst. */
static void copy_field(const struct config_key *k, void *dst, const void *src)
{
	if (k->flags & KEY_LIST)
		strlist_copy(dst, src);
	else if (k->type->storage == STORE_STRING)
		*(char **)dst = xstrdup(*(char *const *)src);
	else
		memcpy(dst, src, k->type->size);
}

/* The compressor's default level. */
static int default_level(enum compress_kind kind)
{
	return kind == COMPRESS_ZSTD ? 3 : 6;
}

/* Fills p for pattern glob: the role's values r, overridden by what log (the
 * pattern's section in the role, or NULL) sets, whose values are lv. */
static void log_policy(struct log_policy *p, const struct role_policy *r, cfg_t *log,
		       const struct log_policy *lv, const char *glob)
{
	p->glob = xstrdup(glob);
	for (size_t k = 0; k < N_KEYS; k++) {
		const struct config_key *key = &keys[k];
		int own = log != NULL && config_key_is_set(log, key->name);

		if (key->flags & KEY_LOG)
			copy_field(key, (char *)p + key->log_offset,
				   own ? (const char *)lv + key->log_offset : (const char *)r + key->offset);
	}
	if (p->compress_level == 0)
		p->compress_level = default_level(p->compress);
}

static void assemble_role(struct load_ctx *ctx, struct role_policy *r, cfg_t *sec)
{
	struct role_policy *v = take_values(ctx, sec);

	if (v != NULL)
		*r = *v;
	free(v);
	r->name = xstrdup(cfg_title(sec));
	take_lists(r, sec, "role");
	r->n_matches = cfg_size(sec, "match");
	r->matches = xcalloc(r->n_matches ? r->n_matches : 1, sizeof(*r->matches));
	for (size_t i = 0; i < r->n_matches; i++)
		take_lists(&r->matches[i], cfg_getnsec(sec, "match", (unsigned)i), "match");
	for (unsigned i = 0; i < cfg_size(sec, "log"); i++) {
		cfg_t *log = cfg_getnsec(sec, "log", i);

		take_lists(values_of(ctx, log), log, "log");
	}
	r->log_policies = xcalloc(r->logs.n ? r->logs.n : 1, sizeof(*r->log_policies));
	for (size_t i = 0; i < r->logs.n; i++) {
		cfg_t *log = cfg_gettsec(sec, "log", r->logs.v[i]);

		log_policy(&r->log_policies[i], r, log, log != NULL ? values_of(ctx, log) : NULL, r->logs.v[i]);
	}
	if (r->compress_level == 0)
		r->compress_level = default_level(r->compress);
}

static void assemble_media(struct load_ctx *ctx, struct rotd_config *c, cfg_t *media)
{
	c->n_media_rules = cfg_size(media, "rule");
	c->media_rules = xcalloc(c->n_media_rules ? c->n_media_rules : 1, sizeof(*c->media_rules));
	for (size_t i = 0; i < c->n_media_rules; i++) {
		cfg_t *sec = cfg_getnsec(media, "rule", (unsigned)i);
		struct media_rule *v = take_values(ctx, sec);

		if (v != NULL)
			c->media_rules[i] = *v;
		free(v);
		c->media_rules[i].name = xstrdup(cfg_title(sec));
		take_lists(&c->media_rules[i], sec, "rule");
	}
}

/* What the lists of cleanup and webhook are when the file leaves them empty:
 * cleanup's roles are those of web, core and master that the file defines. */
static void list_defaults(struct rotd_config *c, cfg_t *root)
{
	static const char *const default_roles[] = { "web", "core", "master" };
	static const char *const default_alerts[] = {
		"HostOutOfDiskSpace", "HostOutOfInodes", "NodeFilesystemAlmostOutOfSpace",
		"NodeFilesystemSpaceFillingUp", "NodeFilesystemAlmostOutOfFiles", "HighDiskUsage",
		"DiskUsageHigh", "DiskSpaceLow",
	};

	if (c->cleanup.command.n == 0)
		strlist_add(&c->cleanup.command, DEFAULT_CLEANUP_COMMAND);
	if (!config_key_is_set(cfg_getsec(root, "cleanup"), "roles"))
		for (size_t i = 0; i < sizeof(default_roles) / sizeof(default_roles[0]); i++)
			if (cfg_gettsec(root, "role", default_roles[i]) != NULL)
				strlist_add(&c->cleanup.roles, default_roles[i]);
	if (c->webhook.alerts.n == 0)
		for (size_t i = 0; i < sizeof(default_alerts) / sizeof(default_alerts[0]); i++)
			strlist_add(&c->webhook.alerts, default_alerts[i]);
}

struct rotd_config *config_key_assemble(struct load_ctx *ctx, const char *name)
{
	struct rotd_config *c = ctx->out;
	cfg_t *root = ctx->root;

	ctx->out = NULL;
	c->path = xstrdup(name);
	for (size_t s = 0; s < N_SECTIONS; s++)
		if (sections[s].into == INTO_CONFIG)
			take_lists(c, cfg_getsec(root, sections[s].name), sections[s].name);
	c->n_roles = cfg_size(root, "role");
	c->roles = xcalloc(c->n_roles ? c->n_roles : 1, sizeof(*c->roles));
	for (size_t i = 0; i < c->n_roles; i++)
		assemble_role(ctx, &c->roles[i], cfg_getnsec(root, "role", (unsigned)i));
	if (ctx->media_seen)
		assemble_media(ctx, c, cfg_getsec(root, "media"));
	list_defaults(c, root);
	/* no token (token-file unreadable since the check): the receiver is off */
	if (c->webhook.token == NULL) {
		free(c->webhook.listen);
		c->webhook.listen = NULL;
	}
	return c;
}

void config_key_end(struct load_ctx *ctx)
{
	for (size_t i = 0; i < ctx->n_values; i++) {
		free_fields(ctx->values[i].obj, ctx->values[i].section);
		free(ctx->values[i].obj);
	}
	free(ctx->values);
	config_free(ctx->out);
}
