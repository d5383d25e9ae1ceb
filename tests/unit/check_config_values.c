/* What a valid rotd.conf gives: the shipped file and the built-in defaults, the
 * defaults of a minimal file, and the typed values in struct rotd_config. Every
 * message of a file that does not load is in check_config.c. */
#include "autoconf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "unit.h"

#define SHIPPED TEST_SRCDIR "/conf/rotd.conf"
#define MiB (1024ull * 1024)
#define N_ROWS(table) (sizeof(table) / sizeof((table)[0]))

/* A valid role, five lines. */
#define ROLE_WEB \
	"role web {\n" \
	"  logs = {\"/var/log/whatsapp/*.log\"}\n" \
	"  size = 20M\n" \
	"  archive-dir = /var/log/whatsapp/archive\n" \
	"}\n"
/* Pieces of a role, one line each. */
#define HEAD "role web {\n"
#define LOGS "  logs = {\"/var/log/whatsapp/*.log\"}\n"
#define SIZE "  size = 20M\n"
#define ADIR "  archive-dir = /var/log/whatsapp/archive\n"
#define END "}\n"
#define LEND "  }\n"
/* Two patterns, and a section for each, for the per-pattern overrides. */
#define GLOB_A "/var/log/a/*.log"
#define GLOB_B "/var/log/b/*.log"
#define LOGS2 "  logs = {\"" GLOB_A "\", \"" GLOB_B "\"}\n"
#define LOG_A "  log \"" GLOB_A "\" {\n"
#define LOG_B "  log \"" GLOB_B "\" {\n"
#define ARCHIVE "/var/log/whatsapp/archive"
#define CLEANUP_CMD "/opt/whatsapp/bin/cleanup.sh"

/* Ends assert_list's list; typed, because a bare NULL in varargs need not be a pointer. */
#define END_OF_LIST ((const char *)NULL)

/* Loads text from a file and asserts that it is accepted. */
static struct rotd_config *expect_ok(const char *text)
{
	struct strlist errors = STRLIST_INIT;
	struct rotd_config *cfg = config_load(unit_write_temp("rotd.conf", text), &errors);

	ck_assert_msg(cfg != NULL, "rejected: %s", errors.n ? errors.v[0] : "(no message)");
	ck_assert_uint_eq(errors.n, 0);
	return cfg;
}

/* Loads the shipped conf/rotd.conf and asserts that it is accepted. */
static struct rotd_config *load_shipped(void)
{
	struct strlist errors = STRLIST_INIT;
	struct rotd_config *cfg = config_load(SHIPPED, &errors);

	ck_assert_msg(cfg != NULL, "%s", errors.n ? errors.v[0] : "");
	ck_assert_uint_eq(errors.n, 0);
	return cfg;
}

static void assert_list(const struct strlist *l, const char *first, ...)
{
	const char *want = first;
	size_t n = 0;
	va_list ap;

	va_start(ap, first);
	for (; want != NULL; want = va_arg(ap, const char *)) {
		ck_assert_msg(n < l->n, "list too short: no '%s'", want);
		ck_assert_str_eq(l->v[n], want);
		n++;
	}
	va_end(ap);
	ck_assert_uint_eq(l->n, n);
}

static void assert_same_list(const struct strlist *a, const struct strlist *b)
{
	ck_assert_uint_eq(a->n, b->n);
	for (size_t i = 0; i < a->n; i++)
		ck_assert_str_eq(a->v[i], b->v[i]);
}

static void assert_same_policy(const struct log_policy *p, const struct log_policy *q)
{
	ck_assert_str_eq(p->glob, q->glob);
	ck_assert_uint_eq(p->size, q->size);
	ck_assert_uint_eq(p->keep, q->keep);
	ck_assert_int_eq(p->compress, q->compress);
	ck_assert_int_eq(p->compress_level, q->compress_level);
	ck_assert_str_eq(p->archive_dir, q->archive_dir);
	ck_assert_int_eq(p->method, q->method);
	assert_same_list(&p->postrotate, &q->postrotate);
	ck_assert_uint_eq(p->idle_after, q->idle_after);
	ck_assert_uint_eq(p->max_age, q->max_age);
	ck_assert_uint_eq(p->max_size, q->max_size);
}

static void assert_same_role(const struct role_policy *a, const struct role_policy *b)
{
	ck_assert_str_eq(a->name, b->name);
	ck_assert_uint_eq(a->n_matches, b->n_matches);
	for (size_t i = 0; i < a->n_matches; i++) {
		assert_same_list(&a->matches[i].images, &b->matches[i].images);
		assert_same_list(&a->matches[i].services, &b->matches[i].services);
		assert_same_list(&a->matches[i].names, &b->matches[i].names);
		assert_same_list(&a->matches[i].envs, &b->matches[i].envs);
		assert_same_list(&a->matches[i].not_envs, &b->matches[i].not_envs);
	}
	assert_same_list(&a->logs, &b->logs);
	ck_assert_uint_eq(a->size, b->size);
	ck_assert_uint_eq(a->keep, b->keep);
	ck_assert_int_eq(a->compress, b->compress);
	ck_assert_int_eq(a->compress_level, b->compress_level);
	ck_assert_str_eq(a->archive_dir, b->archive_dir);
	ck_assert_int_eq(a->method, b->method);
	assert_same_list(&a->postrotate, &b->postrotate);
	ck_assert_uint_eq(a->idle_after, b->idle_after);
	ck_assert_uint_eq(a->max_age, b->max_age);
	ck_assert_uint_eq(a->max_size, b->max_size);
	for (size_t i = 0; i < a->logs.n; i++)
		assert_same_policy(&a->log_policies[i], &b->log_policies[i]);
}

/* What a log_policy should hold, field by field. */
struct want_policy {
	const char *glob;
	uint64_t size;
	unsigned keep;
	enum compress_kind compress;
	int compress_level;
	const char *archive_dir;
	enum rotate_method method;
	const char *postrotate[4];     /* the whole argv, then NULL */
	uint64_t idle_after;
	uint64_t max_age;
	uint64_t max_size;
};

static void assert_policy(const struct log_policy *p, const struct want_policy *w)
{
	size_t n = 0;

	ck_assert_str_eq(p->glob, w->glob);
	ck_assert_uint_eq(p->size, w->size);
	ck_assert_uint_eq(p->keep, w->keep);
	ck_assert_int_eq(p->compress, w->compress);
	ck_assert_int_eq(p->compress_level, w->compress_level);
	ck_assert_str_eq(p->archive_dir, w->archive_dir);
	ck_assert_int_eq(p->method, w->method);
	for (; n < N_ROWS(w->postrotate) && w->postrotate[n] != NULL; n++) {
		ck_assert_uint_lt(n, p->postrotate.n);
		ck_assert_str_eq(p->postrotate.v[n], w->postrotate[n]);
	}
	ck_assert_uint_eq(p->postrotate.n, n);
	ck_assert_uint_eq(p->idle_after, w->idle_after);
	ck_assert_uint_eq(p->max_age, w->max_age);
	ck_assert_uint_eq(p->max_size, w->max_size);
}

/* The policies of HEAD LOGS2 SIZE ADIR with nothing overridden. */
static const struct want_policy plain_a = {
	GLOB_A, 20 * MiB, 30, COMPRESS_GZIP, 6, ARCHIVE, METHOD_COPYTRUNCATE, { NULL }, 3600, 0, 0
};
static const struct want_policy plain_b = {
	GLOB_B, 20 * MiB, 30, COMPRESS_GZIP, 6, ARCHIVE, METHOD_COPYTRUNCATE, { NULL }, 3600, 0, 0
};

/* ---- the shipped file and the built-in defaults ------------------------ */

START_TEST(test_shipped_roles_and_policies)
{
	static const struct want_policy waent = {
		"/usr/local/waent/logs/*.log", 15 * MiB, 30, COMPRESS_GZIP, 6, ARCHIVE, METHOD_COPYTRUNCATE,
		{ NULL }, 3600, 0, 0
	};
	static const struct want_policy core_whatsapp = {
		"/var/log/whatsapp/*.log", 15 * MiB, 30, COMPRESS_GZIP, 6, ARCHIVE, METHOD_COPYTRUNCATE,
		{ NULL }, 0, 0, 0
	};
	static const struct want_policy web_whatsapp = {
		"/var/log/whatsapp/*.log", 20 * MiB, 30, COMPRESS_GZIP, 6, ARCHIVE, METHOD_COPYTRUNCATE,
		{ NULL }, 0, 0, 0
	};
	static const struct want_policy web_lighttpd = {
		"/var/log/lighttpd/*.log", 20 * MiB, 30, COMPRESS_GZIP, 6, ARCHIVE, METHOD_COPYTRUNCATE,
		{ NULL }, 0, 0, 0
	};
	struct rotd_config *cfg = load_shipped();

	ck_assert_str_eq(cfg->path, SHIPPED);
	ck_assert_uint_eq(cfg->n_roles, 3);
	ck_assert_str_eq(cfg->roles[0].name, "master");
	ck_assert_str_eq(cfg->roles[1].name, "core");
	ck_assert_str_eq(cfg->roles[2].name, "web");
	for (size_t i = 0; i < cfg->n_roles; i++) {
		const struct role_policy *r = &cfg->roles[i];

		ck_assert_uint_eq(r->size, strcmp(r->name, "web") == 0 ? 20 * MiB : 15 * MiB);
		ck_assert_uint_eq(r->keep, 30);
		ck_assert_int_eq(r->compress, COMPRESS_GZIP);
		ck_assert_int_eq(r->compress_level, 6);
		ck_assert_str_eq(r->archive_dir, ARCHIVE);
		ck_assert_int_eq(r->method, METHOD_COPYTRUNCATE);
		ck_assert_uint_eq(r->postrotate.n, 0);
		ck_assert_uint_eq(r->idle_after, 0);
		ck_assert_uint_eq(r->n_matches, 2);
		/* Retention beyond keep is off unless asked for. */
		ck_assert_uint_eq(r->max_age, 0);
		ck_assert_uint_eq(r->max_size, 0);
	}
	assert_list(&cfg->roles[0].logs, "/usr/local/waent/logs/*.log", "/var/log/whatsapp/*.log", END_OF_LIST);
	assert_list(&cfg->roles[1].logs, "/usr/local/waent/logs/*.log", "/var/log/whatsapp/*.log", END_OF_LIST);
	assert_list(&cfg->roles[2].logs, "/var/log/whatsapp/*.log", "/var/log/lighttpd/*.log", END_OF_LIST);
	for (size_t i = 0; i < 2; i++) {
		/* master, then core: the app's rolled and crash files go after an hour,
		 * /var/log/whatsapp files are never archived whole. */
		assert_policy(&cfg->roles[i].log_policies[0], &waent);
		assert_policy(&cfg->roles[i].log_policies[1], &core_whatsapp);
	}
	assert_policy(&cfg->roles[2].log_policies[0], &web_whatsapp);
	assert_policy(&cfg->roles[2].log_policies[1], &web_lighttpd);
	config_free(cfg);
}
END_TEST

START_TEST(test_shipped_matching_rules)
{
	struct rotd_config *cfg = load_shipped();
	const struct role_match *m = cfg->roles[0].matches;

	assert_list(&m[0].images, "docker.whatsapp.biz/coreapp:*", END_OF_LIST);
	assert_list(&m[0].envs, "WA_MASTER_NODE=1", END_OF_LIST);
	ck_assert_uint_eq(m[0].not_envs.n, 0);
	assert_list(&m[1].services, "master", "master[0-9]*", END_OF_LIST);
	ck_assert_uint_eq(m[1].images.n, 0);
	m = cfg->roles[1].matches;
	assert_list(&m[0].images, "docker.whatsapp.biz/coreapp:*", END_OF_LIST);
	assert_list(&m[0].not_envs, "WA_MASTER_NODE=1", END_OF_LIST);
	ck_assert_uint_eq(m[0].envs.n, 0);
	assert_list(&m[1].services, "wacore", "wacore[0-9]*", END_OF_LIST);
	m = cfg->roles[2].matches;
	assert_list(&m[0].images, "docker.whatsapp.biz/web:*", END_OF_LIST);
	assert_list(&m[1].services, "waweb", END_OF_LIST);
	ck_assert_uint_eq(m[1].names.n, 0);
	config_free(cfg);
}
END_TEST

START_TEST(test_shipped_global_sections)
{
	struct rotd_config *cfg = load_shipped();

	ck_assert_str_eq(cfg->docker_socket, "/var/run/docker.sock");
	ck_assert_uint_eq(cfg->docker_timeout_ms, 30000);
	ck_assert_uint_eq(cfg->jobs, 0);
	ck_assert_uint_eq(cfg->offpeak.start_min, 2 * 60);
	ck_assert_uint_eq(cfg->offpeak.end_min, 5 * 60);
	ck_assert_ptr_null(cfg->timezone);
	ck_assert_str_eq(cfg->media_root, "/usr/local/wamedia");
	ck_assert_uint_eq(cfg->media_floor, 7 * 86400);
	ck_assert_uint_eq(cfg->n_media_rules, 2);
	ck_assert_str_eq(cfg->media_rules[0].name, "outgoing");
	ck_assert_str_eq(cfg->media_rules[0].path, "outgoing");
	ck_assert_uint_eq(cfg->media_rules[0].max_age, 30 * 86400);
	ck_assert_uint_eq(cfg->media_rules[0].globs.n, 0);
	ck_assert_str_eq(cfg->media_rules[1].name, "incoming");
	ck_assert_str_eq(cfg->media_rules[1].path, "incoming");
	ck_assert_uint_eq(cfg->media_rules[1].max_age, 30 * 86400);
	ck_assert_uint_eq(cfg->high_watermark, 85);
	ck_assert_uint_eq(cfg->low_watermark, 80);
	ck_assert_uint_eq(cfg->archive_floor, 86400);
	ck_assert_uint_eq(cfg->remediation_backoff, 30 * 60);
	ck_assert_str_eq(cfg->state_file, "/var/lib/rotd/state.json");
	assert_list(&cfg->cleanup.command, CLEANUP_CMD, END_OF_LIST);
	ck_assert_uint_eq(cfg->cleanup.timeout, 600);
	ck_assert_uint_eq(cfg->cleanup.concurrency, 4);
	assert_list(&cfg->cleanup.roles, "web", "core", "master", END_OF_LIST);
	ck_assert_int_eq(cfg->gc.enabled, 0);
	ck_assert_ptr_null(cfg->gc.endpoint);
	ck_assert_ptr_null(cfg->gc.username);
	ck_assert_ptr_null(cfg->gc.password);
	ck_assert_ptr_null(cfg->gc.env_file);
	ck_assert_ptr_null(cfg->gc.ca_file);
	ck_assert_int_eq(cfg->gc.verify_tls, 1);
	ck_assert_uint_eq(cfg->gc.timeout, 60);
	config_free(cfg);
}
END_TEST

START_TEST(test_builtin_defaults_equal_file)
{
	struct rotd_config *file = load_shipped();
	struct rotd_config *def = config_load_defaults();

	ck_assert_str_eq(def->path, "<built-in>");
	ck_assert_str_eq(def->docker_socket, file->docker_socket);
	ck_assert_uint_eq(def->docker_timeout_ms, file->docker_timeout_ms);
	ck_assert_uint_eq(def->jobs, file->jobs);
	ck_assert_uint_eq(def->offpeak.start_min, file->offpeak.start_min);
	ck_assert_uint_eq(def->offpeak.end_min, file->offpeak.end_min);
	ck_assert_ptr_null(def->timezone);
	ck_assert_uint_eq(def->n_roles, file->n_roles);
	for (size_t i = 0; i < def->n_roles; i++)
		assert_same_role(&def->roles[i], &file->roles[i]);
	ck_assert_str_eq(def->media_root, file->media_root);
	ck_assert_uint_eq(def->media_floor, file->media_floor);
	ck_assert_uint_eq(def->n_media_rules, file->n_media_rules);
	for (size_t i = 0; i < def->n_media_rules; i++) {
		ck_assert_str_eq(def->media_rules[i].name, file->media_rules[i].name);
		ck_assert_str_eq(def->media_rules[i].path, file->media_rules[i].path);
		assert_same_list(&def->media_rules[i].globs, &file->media_rules[i].globs);
		ck_assert_uint_eq(def->media_rules[i].max_age, file->media_rules[i].max_age);
	}
	ck_assert_uint_eq(def->high_watermark, file->high_watermark);
	ck_assert_uint_eq(def->low_watermark, file->low_watermark);
	ck_assert_uint_eq(def->archive_floor, file->archive_floor);
	ck_assert_uint_eq(def->remediation_backoff, file->remediation_backoff);
	assert_same_list(&def->cleanup.command, &file->cleanup.command);
	ck_assert_uint_eq(def->cleanup.timeout, file->cleanup.timeout);
	ck_assert_uint_eq(def->cleanup.concurrency, file->cleanup.concurrency);
	assert_same_list(&def->cleanup.roles, &file->cleanup.roles);
	ck_assert_int_eq(def->gc.enabled, file->gc.enabled);
	ck_assert_int_eq(def->gc.verify_tls, file->gc.verify_tls);
	ck_assert_uint_eq(def->gc.timeout, file->gc.timeout);
	ck_assert_str_eq(def->state_file, file->state_file);
	config_free(def);
	config_free(file);
}
END_TEST

/* ---- valid texts and what they give ------------------------------------ */

/* The defaults of a file with one minimal role. */
static void check_role_defaults(const struct rotd_config *cfg)
{
	const struct role_policy *r = &cfg->roles[0];

	ck_assert_uint_eq(cfg->n_roles, 1);
	ck_assert_str_eq(r->name, "web");
	ck_assert_uint_eq(r->n_matches, 0);
	ck_assert_uint_eq(r->size, 20 * MiB);
	ck_assert_uint_eq(r->keep, 30);
	ck_assert_int_eq(r->compress, COMPRESS_GZIP);
	ck_assert_int_eq(r->compress_level, 6);
	ck_assert_int_eq(r->method, METHOD_COPYTRUNCATE);
	ck_assert_uint_eq(r->postrotate.n, 0);
	ck_assert_uint_eq(r->idle_after, 3600);
	ck_assert_uint_eq(r->max_age, 0);
	ck_assert_uint_eq(r->max_size, 0);
	ck_assert_uint_eq(r->log_policies[0].max_age, 0);
	ck_assert_uint_eq(r->log_policies[0].max_size, 0);
}

static void check_global_defaults(const struct rotd_config *cfg)
{
	ck_assert_ptr_null(cfg->docker_socket);
	ck_assert_uint_eq(cfg->docker_timeout_ms, 30000);
	ck_assert_uint_eq(cfg->jobs, 0);
	ck_assert_uint_eq(cfg->offpeak.start_min, 120);
	ck_assert_uint_eq(cfg->offpeak.end_min, 300);
	ck_assert_ptr_null(cfg->timezone);
	ck_assert_uint_eq(cfg->high_watermark, 85);
	ck_assert_uint_eq(cfg->low_watermark, 80);
	ck_assert_uint_eq(cfg->archive_floor, 86400);
	ck_assert_uint_eq(cfg->remediation_backoff, 30 * 60);
	ck_assert_uint_eq(cfg->media_floor, 7 * 86400);
	/* no media section: rotd never prunes media */
	ck_assert_ptr_null(cfg->media_root);
	ck_assert_uint_eq(cfg->n_media_rules, 0);
	ck_assert_str_eq(cfg->lock_file, "/run/rotd.lock");
	ck_assert_uint_eq(cfg->lock_wait, 300);
}

static void check_cleanup_gc_defaults(const struct rotd_config *cfg)
{
	ck_assert_str_eq(cfg->state_file, "/var/lib/rotd/state.json");
	assert_list(&cfg->cleanup.command, CLEANUP_CMD, END_OF_LIST);
	ck_assert_uint_eq(cfg->cleanup.timeout, 600);
	ck_assert_uint_eq(cfg->cleanup.concurrency, 4);
	/* Only the default roles that the file defines. */
	assert_list(&cfg->cleanup.roles, "web", END_OF_LIST);
	ck_assert_int_eq(cfg->gc.enabled, 0);
	ck_assert_ptr_null(cfg->gc.endpoint);
	ck_assert_ptr_null(cfg->gc.env_file);
	ck_assert_ptr_null(cfg->gc.ca_file);
	ck_assert_int_eq(cfg->gc.verify_tls, 1);
	ck_assert_uint_eq(cfg->gc.timeout, 60);
}

static void check_daemon_defaults(const struct rotd_config *cfg)
{
	ck_assert_uint_eq(cfg->interval, 60);
	ck_assert_uint_eq(cfg->usage_interval, 600);
	ck_assert_uint_eq(cfg->stop_timeout, 30);
	ck_assert_str_eq(cfg->status_file, "/run/rotd/status.json");
	ck_assert_str_eq(cfg->metrics_file, "/var/lib/prometheus/node-exporter/rotd.prom");
	ck_assert_ptr_null(cfg->metrics_listen);
	ck_assert_ptr_null(cfg->webhook.listen);
	ck_assert_ptr_null(cfg->webhook.token);
	ck_assert_uint_eq(cfg->webhook.rate, 10);
	ck_assert_int_eq(strlist_contains(&cfg->webhook.alerts, "HostOutOfDiskSpace"), 1);
	ck_assert_int_eq(strlist_contains(&cfg->webhook.alerts, "NodeFilesystemAlmostOutOfSpace"), 1);
	ck_assert_uint_eq(cfg->webhook.hosts.n, 0);
}

static void check_quoted_and_unquoted(const struct rotd_config *cfg)
{
	ck_assert_str_eq(cfg->docker_socket, "/run/docker.sock");
	ck_assert_uint_eq(cfg->docker_timeout_ms, 120000);
	ck_assert_uint_eq(cfg->jobs, 4);
	ck_assert_uint_eq(cfg->offpeak.start_min, 22 * 60);
	ck_assert_uint_eq(cfg->offpeak.end_min, 4 * 60);
	ck_assert_str_eq(cfg->timezone, "Europe/Berlin");
	ck_assert_uint_eq(cfg->roles[0].size, 15 * MiB);
	ck_assert_uint_eq(cfg->roles[0].keep, 7);
	ck_assert_uint_eq(cfg->roles[0].idle_after, 14 * 86400);
	ck_assert_uint_eq(cfg->roles[1].size, 512 * 1024);
	ck_assert_uint_eq(cfg->roles[2].size, 4096);
	ck_assert_uint_eq(cfg->roles[2].idle_after, 90);
	ck_assert_uint_eq(cfg->high_watermark, 90);
	ck_assert_uint_eq(cfg->low_watermark, 70);
}

static void check_jobs_256(const struct rotd_config *cfg)
{
	ck_assert_uint_eq(cfg->jobs, 256);
}

static void check_role_name(const struct rotd_config *cfg)
{
	ck_assert_str_eq(cfg->roles[0].name, "Web_2.a-b");
}

static void check_dots_inside_names(const struct rotd_config *cfg)
{
	assert_list(&cfg->roles[0].logs, "/var/log/..app/x...log", END_OF_LIST);
}

static void check_hash_inside_quotes(const struct rotd_config *cfg)
{
	ck_assert_str_eq(cfg->roles[0].archive_dir, "/var/log/#archive//x");
}

static void check_idle_after_zero(const struct rotd_config *cfg)
{
	ck_assert_uint_eq(cfg->roles[0].idle_after, 0);
	ck_assert_uint_eq(cfg->roles[0].log_policies[0].idle_after, 0);
	ck_assert_uint_eq(cfg->roles[1].idle_after, 0);
	ck_assert_uint_eq(cfg->roles[1].log_policies[0].idle_after, 0);
}

static void check_zstd_levels(const struct rotd_config *cfg)
{
	ck_assert_int_eq(cfg->roles[0].compress, COMPRESS_ZSTD);
	ck_assert_int_eq(cfg->roles[0].compress_level, 3);
	ck_assert_int_eq(cfg->roles[1].compress_level, 19);
	ck_assert_int_eq(cfg->roles[2].compress, COMPRESS_GZIP);
	ck_assert_int_eq(cfg->roles[2].compress_level, 1);
}

static void check_rename_with_postrotate(const struct rotd_config *cfg)
{
	ck_assert_int_eq(cfg->roles[0].method, METHOD_RENAME);
	assert_list(&cfg->roles[0].postrotate, "/bin/kill", "-HUP", "1", END_OF_LIST);
}

static void check_match_lists(const struct rotd_config *cfg)
{
	const struct role_match *m = cfg->roles[0].matches;

	ck_assert_uint_eq(cfg->roles[0].n_matches, 2);
	assert_list(&m[0].names, "biz_*", "biz-*", END_OF_LIST);
	assert_list(&m[0].envs, "WA_MASTER_NODE=1", "_X", "a1=", END_OF_LIST);
	assert_list(&m[0].not_envs, "DEBUG", END_OF_LIST);
	assert_list(&m[1].images, "x:*", END_OF_LIST);
}

static void check_media_rules(const struct rotd_config *cfg)
{
	ck_assert_str_eq(cfg->media_root, "/m");
	ck_assert_uint_eq(cfg->media_floor, 0);
	ck_assert_uint_eq(cfg->n_media_rules, 1);
	ck_assert_str_eq(cfg->media_rules[0].name, "pics");
	ck_assert_str_eq(cfg->media_rules[0].path, "out/pics");
	ck_assert_uint_eq(cfg->media_rules[0].max_age, 14 * 86400);
	assert_list(&cfg->media_rules[0].globs, "*.jpg", "*.png", END_OF_LIST);
}

static void check_retention_everywhere(const struct rotd_config *cfg)
{
	struct want_policy a = plain_a, b = plain_b;

	ck_assert_uint_eq(cfg->roles[0].max_age, 14 * 86400);
	ck_assert_uint_eq(cfg->roles[0].max_size, 1024 * MiB);
	a.max_age = b.max_age = 14 * 86400;
	a.max_size = b.max_size = 1024 * MiB;
	assert_policy(&cfg->roles[0].log_policies[0], &a);
	assert_policy(&cfg->roles[0].log_policies[1], &b);
}

static void check_retention_off(const struct rotd_config *cfg)
{
	ck_assert_uint_eq(cfg->roles[0].max_age, 0);
	ck_assert_uint_eq(cfg->roles[0].max_size, 0);
}

static void check_retention_units(const struct rotd_config *cfg)
{
	ck_assert_uint_eq(cfg->roles[0].log_policies[0].max_age, 14 * 86400);
	ck_assert_uint_eq(cfg->roles[0].log_policies[0].max_size, 512 * MiB);
}

static void check_retention_off_per_pattern(const struct rotd_config *cfg)
{
	const struct role_policy *r = &cfg->roles[0];

	ck_assert_uint_eq(r->max_age, 7 * 86400);
	ck_assert_uint_eq(r->max_size, 100 * MiB);
	ck_assert_uint_eq(r->log_policies[0].max_age, 7 * 86400);
	ck_assert_uint_eq(r->log_policies[0].max_size, 0);
	ck_assert_uint_eq(r->log_policies[1].max_age, 0);
	ck_assert_uint_eq(r->log_policies[1].max_size, 100 * MiB);
}

static void check_floor_and_backoff(const struct rotd_config *cfg)
{
	ck_assert_uint_eq(cfg->archive_floor, 3 * 86400);
	ck_assert_uint_eq(cfg->remediation_backoff, 7200);
	ck_assert_uint_eq(cfg->high_watermark, 85);
	ck_assert_uint_eq(cfg->low_watermark, 80);
}

static void check_floor_0_backoff_90(const struct rotd_config *cfg)
{
	ck_assert_uint_eq(cfg->archive_floor, 0);
	ck_assert_uint_eq(cfg->remediation_backoff, 90);
}

static void check_plain_policies(const struct rotd_config *cfg)
{
	assert_policy(&cfg->roles[0].log_policies[0], &plain_a);
	assert_policy(&cfg->roles[0].log_policies[1], &plain_b);
}

static void check_postrotate_inherited(const struct rotd_config *cfg)
{
	const struct log_policy *p = cfg->roles[0].log_policies;

	ck_assert_str_eq(p[0].glob, "/a/*.log");
	ck_assert_int_eq(p[0].method, METHOD_RENAME);
	assert_list(&p[0].postrotate, "/usr/bin/reopen", END_OF_LIST);
	ck_assert_str_eq(p[1].glob, "/b/*.log");
	ck_assert_int_eq(p[1].method, METHOD_RENAME);
	ck_assert_uint_eq(p[1].keep, 3);
	assert_list(&p[1].postrotate, "/bin/kill", "-HUP", "1", END_OF_LIST);
	ck_assert_str_eq(p[2].glob, "/c/*.log");
	ck_assert_int_eq(p[2].method, METHOD_COPYTRUNCATE);
	ck_assert_uint_eq(p[2].postrotate.n, 0);
	assert_list(&cfg->roles[0].postrotate, "/bin/kill", "-HUP", "1", END_OF_LIST);
}

static void check_level_inherited(const struct rotd_config *cfg)
{
	ck_assert_int_eq(cfg->roles[0].log_policies[0].compress, COMPRESS_GZIP);
	ck_assert_int_eq(cfg->roles[0].log_policies[0].compress_level, 9);
	ck_assert_int_eq(cfg->roles[0].log_policies[1].compress, COMPRESS_ZSTD);
	ck_assert_int_eq(cfg->roles[0].log_policies[1].compress_level, 9);
}

static void check_sections_in_any_order(const struct rotd_config *cfg)
{
	ck_assert_uint_eq(cfg->roles[0].log_policies[0].size, 1 * MiB);
	ck_assert_uint_eq(cfg->roles[0].log_policies[1].size, 2 * MiB);
	ck_assert_uint_eq(cfg->roles[0].log_policies[0].keep, 30);
	ck_assert_uint_eq(cfg->roles[1].log_policies[0].size, 20 * MiB);
	ck_assert_uint_eq(cfg->roles[1].log_policies[0].keep, 5);
	ck_assert_uint_eq(cfg->roles[1].log_policies[1].keep, 30);
}

static void check_one_line_statements(const struct rotd_config *cfg)
{
	ck_assert_uint_eq(cfg->roles[0].keep, 3);
	ck_assert_uint_eq(cfg->roles[0].log_policies[0].keep, 4);
	ck_assert_uint_eq(cfg->jobs, 2);
	ck_assert_uint_eq(cfg->docker_timeout_ms, 5000);
}

static void check_socket_from_env(const struct rotd_config *cfg)
{
	ck_assert_str_eq(cfg->docker_socket, "/run/test.sock");
}

static void check_socket_from_env_2(const struct rotd_config *cfg)
{
	ck_assert_str_eq(cfg->docker_socket, "/run/test.sock.2");
}

static void check_socket_from_default(const struct rotd_config *cfg)
{
	ck_assert_str_eq(cfg->docker_socket, "/run/default.sock");
}

static void check_loaded(const struct rotd_config *cfg)
{
	ck_assert_uint_eq(cfg->n_roles, 1);
}

static void check_crlf(const struct rotd_config *cfg)
{
	ck_assert_uint_eq(cfg->jobs, 3);
	ck_assert_str_eq(cfg->roles[0].archive_dir, "/a");
}

static void check_cleanup_roles_in_default_order(const struct rotd_config *cfg)
{
	assert_list(&cfg->cleanup.roles, "web", "master", END_OF_LIST);
}

static void check_cleanup_without_roles(const struct rotd_config *cfg)
{
	ck_assert_uint_eq(cfg->cleanup.timeout, 90);
	assert_list(&cfg->cleanup.command, CLEANUP_CMD, END_OF_LIST);
	ck_assert_uint_eq(cfg->cleanup.concurrency, 4);
	assert_list(&cfg->cleanup.roles, "web", END_OF_LIST);
}

static void check_cleanup_and_gc_set(const struct rotd_config *cfg)
{
	ck_assert_str_eq(cfg->state_file, "/srv/rotd/state.json");
	assert_list(&cfg->cleanup.command, "/bin/sh", "-c", "/opt/x.sh --all", END_OF_LIST);
	ck_assert_uint_eq(cfg->cleanup.timeout, 86400);
	ck_assert_uint_eq(cfg->cleanup.concurrency, 64);
	assert_list(&cfg->cleanup.roles, "other", "web", END_OF_LIST);
	ck_assert_int_eq(cfg->gc.enabled, 1);
	ck_assert_str_eq(cfg->gc.endpoint, "http://10.0.0.5:9090");
	ck_assert_str_eq(cfg->gc.username, "admin");
	ck_assert_str_eq(cfg->gc.password, "p#ss w//rd");
	ck_assert_str_eq(cfg->gc.env_file, "/opt/whatsapp/.env");
	ck_assert_str_eq(cfg->gc.ca_file, "/etc/ssl/wa.pem");
	ck_assert_int_eq(cfg->gc.verify_tls, 0);
	ck_assert_uint_eq(cfg->gc.timeout, 3600);
}

static void check_cleanup_runs_nowhere(const struct rotd_config *cfg)
{
	ck_assert_uint_eq(cfg->cleanup.roles.n, 0);
	ck_assert_uint_eq(cfg->cleanup.concurrency, 1);
}

static void check_gc_env_file_only(const struct rotd_config *cfg)
{
	ck_assert_int_eq(cfg->gc.enabled, 1);
	ck_assert_ptr_null(cfg->gc.endpoint);
	ck_assert_str_eq(cfg->gc.env_file, "/opt/whatsapp/.env");
}

static void check_gc_endpoint_only(const struct rotd_config *cfg)
{
	ck_assert_int_eq(cfg->gc.enabled, 1);
	ck_assert_str_eq(cfg->gc.endpoint, "https://localhost:9090");
	ck_assert_ptr_null(cfg->gc.env_file);
}

static void check_lock_set(const struct rotd_config *cfg)
{
	ck_assert_str_eq(cfg->lock_file, "/tmp/x.lock");
	ck_assert_uint_eq(cfg->lock_wait, 0);
}

/* A rotd.conf that config_load() accepts, and what it must give. */
static const struct good_config {
	const char *text;
	void (*check)(const struct rotd_config *cfg);
} good_configs[] = {
	/* Defaults: a file with one minimal role */
	{ ROLE_WEB, check_role_defaults },
	{ ROLE_WEB, check_global_defaults },
	{ ROLE_WEB, check_cleanup_gc_defaults },
	{ ROLE_WEB, check_daemon_defaults },
	/* Accepted forms: quoted or not, units, bounds, characters */
	{ "docker {\n  socket = \"/run/docker.sock\"\n  timeout = \"2m\"\n}\n"
	  "jobs = \"4\"\n"
	  "offpeak {\n  window = \"22:00-04:00\"\n  timezone = Europe/Berlin\n}\n"
	  "role a {\n  logs = {\"/a/*.log\"}\n  size = \"15MB\"\n  archive-dir = \"/a/archive\"\n"
	  "  keep = \"7\"\n  idle-after = \"2w\"\n}\n"
	  "role b {\n  logs = {\"/b/*.log\"}\n  size = 512KiB\n  archive-dir = /b\n}\n"
	  "role c {\n  logs = {\"/c/x.log\"}\n  size = 4096\n  archive-dir = /c\n  idle-after = 90\n}\n"
	  "watermarks {\n  high = \"90%\"\n  low = 70\n}\n", check_quoted_and_unquoted },
	{ "jobs = 256\n" ROLE_WEB, check_jobs_256 },
	{ "role Web_2.a-b {\n" LOGS SIZE ADIR END, check_role_name },
	{ HEAD "  logs = {\"/var/log/..app/x...log\"}\n" SIZE ADIR END, check_dots_inside_names },
	{ HEAD LOGS SIZE "  archive-dir = \"/var/log/#archive//x\"\n" END, check_hash_inside_quotes },
	/* a value followed by the next statement is not a value with a space */
	{ "role web {\n  logs = {\"" GLOB_A "\"} size = 20M keep = 3 archive-dir = /a log \"" GLOB_A "\" {\n"
	  "    keep = 4 }\n}\njobs = 2 docker { timeout = 5s }\n", check_one_line_statements },
	/* a byte order mark, CRLF line ends */
	{ "\xef\xbb\xbf" ROLE_WEB, check_loaded },
	{ "jobs = 3\r\nrole web {\r\n  logs = {\"/var/log/a.log\"}\r\n"
	  "  size = 20M\r\n  archive-dir = /a\r\n}\r\n",
	  check_crlf },
	/* Environment variables, with ROTD_TEST_SOCK=/run/test.sock and ROTD_TEST_UNSET unset */
	{ "docker {\n  socket = ${ROTD_TEST_SOCK}\n}\n" ROLE_WEB, check_socket_from_env },
	{ "docker {\n  socket = \"${ROTD_TEST_SOCK}.2\"\n}\n" ROLE_WEB, check_socket_from_env_2 },
	{ "docker {\n  socket = ${ROTD_TEST_UNSET:-/run/default.sock}\n}\n" ROLE_WEB, check_socket_from_default },
	/* A role's values */
	{ HEAD LOGS SIZE ADIR "  idle-after = 0\n" END
	  "role b {\n  logs = {\"/b/*.log\"}\n  size = 1M\n  archive-dir = /b\n  idle-after = 0h\n}\n",
	  check_idle_after_zero },
	{ HEAD LOGS SIZE ADIR "  compress = zstd\n" END
	  "role b {\n  logs = {\"/b/*.log\"}\n  size = 1M\n  archive-dir = /b\n"
	  "  compress-level = 19\n  compress = zstd\n}\n"
	  "role c {\n  logs = {\"/c/*.log\"}\n  size = 1M\n  archive-dir = /c\n  compress-level = 1\n}\n",
	  check_zstd_levels },
	{ HEAD LOGS SIZE ADIR "  method = rename\n  postrotate = {\"/bin/kill\", \"-HUP\", \"1\"}\n" END,
	  check_rename_with_postrotate },
	{ HEAD "  match {\n    name = {\"biz_*\", \"biz-*\"}\n    env = {\"WA_MASTER_NODE=1\", \"_X\", \"a1=\"}\n"
	  "    not-env = {\"DEBUG\"}\n  }\n  match {\n    image = \"x:*\"\n  }\n" LOGS SIZE ADIR END,
	  check_match_lists },
	/* Retention: max-age and max-size, in the role and per pattern */
	{ HEAD LOGS2 SIZE ADIR "  max-age = 14d\n  max-size = 1G\n" END, check_retention_everywhere },
	{ HEAD LOGS SIZE ADIR "  max-age = 0\n  max-size = 0\n" END, check_retention_off },
	{ HEAD LOGS SIZE ADIR "  max-age = \"2w\"\n  max-size = 512MiB\n" END, check_retention_units },
	/* a log section can also turn the role's retention off for its pattern */
	{ HEAD LOGS2 SIZE ADIR "  max-age = 7d\n  max-size = 100M\n"
	  LOG_B "    max-age = 0\n" LEND LOG_A "    max-size = 0\n" LEND END, check_retention_off_per_pattern },
	/* Log sections: what a pattern inherits from its role */
	{ HEAD LOGS2 SIZE ADIR END, check_plain_policies },
	/* the role renames; b inherits its command (its section changes only keep),
	 * a replaces it, and c goes back to copytruncate with no command */
	{ HEAD "  logs = {\"/a/*.log\", \"/b/*.log\", \"/c/*.log\"}\n" SIZE ADIR
	  "  method = rename\n  postrotate = {\"/bin/kill\", \"-HUP\", \"1\"}\n"
	  "  log \"/c/*.log\" {\n    method = copytruncate\n    postrotate = {}\n  }\n"
	  "  log \"/a/*.log\" {\n    postrotate = {\"/usr/bin/reopen\"}\n  }\n"
	  "  log \"/b/*.log\" {\n    keep = 3\n  }\n" END, check_postrotate_inherited },
	/* the role's explicit level carries over when a pattern switches compressor */
	{ HEAD LOGS2 SIZE ADIR "  compress-level = 9\n" LOG_B "    compress = zstd\n" LEND END,
	  check_level_inherited },
	/* sections before the logs list, in another order, in two roles */
	{ HEAD LOG_B "    size = 2M\n" LEND LOG_A "    size = 1M\n" LEND LOGS2 SIZE ADIR END
	  "role core {\n" LOG_A "    keep = 5\n" LEND LOGS2 SIZE ADIR END, check_sections_in_any_order },
	/* media { }, watermarks { }, lock-file, lock-wait */
	{ ROLE_WEB "media {\n  root = /m\n  floor = 0\n  rule pics {\n    path = out/pics\n    age = 2w\n"
	  "    globs = {\"*.jpg\", \"*.png\"}\n  }\n}\n", check_media_rules },
	{ ROLE_WEB "watermarks {\n  archive-floor = 3d\n  remediation-backoff = 2h\n}\n",
	  check_floor_and_backoff },
	{ ROLE_WEB "watermarks {\n  archive-floor = 0\n  remediation-backoff = 90\n}\n",
	  check_floor_0_backoff_90 },
	{ ROLE_WEB "lock-file = /tmp/x.lock\nlock-wait = 0\n", check_lock_set },
	/* cleanup { } and gc { } */
	{ "role master {\n" LOGS SIZE ADIR END "role other {\n" LOGS SIZE ADIR END ROLE_WEB,
	  check_cleanup_roles_in_default_order },
	{ "cleanup {\n  timeout = 90s\n}\n" ROLE_WEB, check_cleanup_without_roles },
	{ "state-file = \"/srv/rotd/state.json\"\n"
	  "cleanup {\n"
	  "  command = {\"/bin/sh\", \"-c\", \"/opt/x.sh --all\"}\n"
	  "  timeout = 1d\n"
	  "  concurrency = 64\n"
	  "  roles = {\"other\", \"web\"}\n"
	  "}\n"
	  "gc {\n"
	  "  enabled = true\n"
	  "  endpoint = \"http://10.0.0.5:9090\"\n"
	  "  username = admin\n"
	  "  password = \"p#ss w//rd\"\n"
	  "  env-file = /opt/whatsapp/.env\n"
	  "  ca-file = /etc/ssl/wa.pem\n"
	  "  verify-tls = false\n"
	  "  timeout = 1h\n"
	  "}\n"
	  ROLE_WEB "role other {\n" LOGS SIZE ADIR END, check_cleanup_and_gc_set },
	{ ROLE_WEB "cleanup {\n  roles = {}\n  concurrency = 1\n}\n", check_cleanup_runs_nowhere },
	{ ROLE_WEB "gc {\n  enabled = true\n  env-file = /opt/whatsapp/.env\n}\n", check_gc_env_file_only },
	{ ROLE_WEB "gc {\n  enabled = true\n  endpoint = \"https://localhost:9090\"\n}\n",
	  check_gc_endpoint_only },
};

START_TEST(test_good_config)
{
	struct rotd_config *cfg;

	ck_assert_int_eq(setenv("ROTD_TEST_SOCK", "/run/test.sock", 1), 0);
	unsetenv("ROTD_TEST_UNSET");
	cfg = expect_ok(good_configs[_i].text);
	unsetenv("ROTD_TEST_SOCK");
	good_configs[_i].check(cfg);
	config_free(cfg);
}
END_TEST

/* ---- log sections: one override each ----------------------------------- */

/* A log section for GLOB_A in a role with GLOB_A and GLOB_B, and the policy it gives GLOB_A. */
struct log_override {
	const char *body;
	struct want_policy want;
};

static const struct log_override log_overrides[] = {
	{ "    size = 5M\n",
	  { GLOB_A, 5 * MiB, 30, COMPRESS_GZIP, 6, ARCHIVE, METHOD_COPYTRUNCATE, { NULL }, 3600, 0, 0 } },
	{ "    keep = 3\n",
	  { GLOB_A, 20 * MiB, 3, COMPRESS_GZIP, 6, ARCHIVE, METHOD_COPYTRUNCATE, { NULL }, 3600, 0, 0 } },
	/* no level anywhere: the pattern gets zstd's default, not the role's 6 */
	{ "    compress = zstd\n",
	  { GLOB_A, 20 * MiB, 30, COMPRESS_ZSTD, 3, ARCHIVE, METHOD_COPYTRUNCATE, { NULL }, 3600, 0, 0 } },
	{ "    compress-level = 9\n",
	  { GLOB_A, 20 * MiB, 30, COMPRESS_GZIP, 9, ARCHIVE, METHOD_COPYTRUNCATE, { NULL }, 3600, 0, 0 } },
	{ "    archive-dir = \"/var/log/a/old\"\n",
	  { GLOB_A, 20 * MiB, 30, COMPRESS_GZIP, 6, "/var/log/a/old", METHOD_COPYTRUNCATE, { NULL },
	    3600, 0, 0 } },
	{ "    method = rename\n    postrotate = {\"/bin/kill\", \"-USR1\", \"1\"}\n",
	  { GLOB_A, 20 * MiB, 30, COMPRESS_GZIP, 6, ARCHIVE, METHOD_RENAME, { "/bin/kill", "-USR1", "1", NULL },
	    3600, 0, 0 } },
	{ "    idle-after = 2h\n",
	  { GLOB_A, 20 * MiB, 30, COMPRESS_GZIP, 6, ARCHIVE, METHOD_COPYTRUNCATE, { NULL }, 7200, 0, 0 } },
	{ "    idle-after = 0\n",
	  { GLOB_A, 20 * MiB, 30, COMPRESS_GZIP, 6, ARCHIVE, METHOD_COPYTRUNCATE, { NULL }, 0, 0, 0 } },
	{ "    max-age = 30d\n",
	  { GLOB_A, 20 * MiB, 30, COMPRESS_GZIP, 6, ARCHIVE, METHOD_COPYTRUNCATE, { NULL },
	    3600, 30 * 86400, 0 } },
	{ "    max-size = 2G\n",
	  { GLOB_A, 20 * MiB, 30, COMPRESS_GZIP, 6, ARCHIVE, METHOD_COPYTRUNCATE, { NULL },
	    3600, 0, 2048 * MiB } },
	{ "    size = 1G\n    keep = 10000\n    compress = zstd\n    compress-level = 19\n"
	  "    archive-dir = /a\n    method = rename\n    postrotate = {\"/bin/true\"}\n"
	  "    idle-after = 1w\n    max-age = 90d\n    max-size = 5G\n",
	  { GLOB_A, 1024 * MiB, 10000, COMPRESS_ZSTD, 19, "/a", METHOD_RENAME, { "/bin/true", NULL },
	    7 * 86400, 90 * 86400, 5120 * MiB } },
};

/* Pattern B and the role itself keep the plain values. */
START_TEST(test_log_override)
{
	const struct log_override *o = &log_overrides[_i];
	char text[1024];
	struct rotd_config *cfg;
	const struct role_policy *r;

	snprintf(text, sizeof(text), "%s%s%s%s%s%s%s%s", HEAD, LOGS2, SIZE, ADIR, LOG_A, o->body, LEND, END);
	cfg = expect_ok(text);
	r = &cfg->roles[0];
	assert_list(&r->logs, GLOB_A, GLOB_B, END_OF_LIST);
	assert_policy(&r->log_policies[0], &o->want);
	assert_policy(&r->log_policies[1], &plain_b);
	ck_assert_uint_eq(r->size, 20 * MiB);
	ck_assert_uint_eq(r->keep, 30);
	ck_assert_int_eq(r->compress, COMPRESS_GZIP);
	ck_assert_int_eq(r->compress_level, 6);
	ck_assert_str_eq(r->archive_dir, ARCHIVE);
	ck_assert_int_eq(r->method, METHOD_COPYTRUNCATE);
	ck_assert_uint_eq(r->postrotate.n, 0);
	ck_assert_uint_eq(r->idle_after, 3600);
	ck_assert_uint_eq(r->max_age, 0);
	ck_assert_uint_eq(r->max_size, 0);
	config_free(cfg);
}
END_TEST

/* ---- the rest of the API ----------------------------------------------- */

START_TEST(test_config_role_finds_by_name)
{
	struct rotd_config *cfg = config_load_defaults();

	ck_assert_ptr_eq(config_role(cfg, "web"), &cfg->roles[2]);
	ck_assert_ptr_eq(config_role(cfg, "master"), &cfg->roles[0]);
	ck_assert_ptr_null(config_role(cfg, "none"));
	ck_assert_ptr_null(config_role(cfg, "Web"));
	config_free(cfg);
}
END_TEST

START_TEST(test_default_path_and_free_null)
{
	const char *p = config_default_path();
	size_t n = strlen(p);

	ck_assert_uint_gt(n, strlen("/rotd/rotd.conf"));
	ck_assert_str_eq(p + n - strlen("/rotd/rotd.conf"), "/rotd/rotd.conf");
	config_free(NULL);
}
END_TEST

START_TEST(test_daemon_metrics_webhook_set)
{
	char *tokfile = strdup(unit_write_temp("hook.token", "s3cret\nignored\n"));
	char text[1024];
	struct rotd_config *cfg;

	snprintf(text, sizeof(text), ROLE_WEB "interval = 5m\nstop-timeout = 0\nusage-interval = 0\nstatus-file = /tmp/s.json\n"
		 "metrics {\n  file = \"\"\n  listen = \"[::1]:9473\"\n}\n"
		 "webhook {\n  listen = \"127.0.0.1:9474\"\n  token-file = \"%s\"\n  alerts = {\"Disk*\"}\n"
		 "  hosts = {\"db1.example.com\"}\n  rate = 60\n}\n", tokfile);
	cfg = expect_ok(text);
	ck_assert_uint_eq(cfg->interval, 300);
	ck_assert_uint_eq(cfg->stop_timeout, 0);
	ck_assert_uint_eq(cfg->usage_interval, 0);
	ck_assert_str_eq(cfg->status_file, "/tmp/s.json");
	ck_assert_ptr_null(cfg->metrics_file);
	ck_assert_str_eq(cfg->metrics_listen, "[::1]:9473");
	ck_assert_str_eq(cfg->webhook.listen, "127.0.0.1:9474");
	ck_assert_str_eq(cfg->webhook.token, "s3cret");
	ck_assert_uint_eq(cfg->webhook.alerts.n, 1);
	ck_assert_str_eq(cfg->webhook.alerts.v[0], "Disk*");
	ck_assert_str_eq(cfg->webhook.hosts.v[0], "db1.example.com");
	ck_assert_uint_eq(cfg->webhook.rate, 60);
	config_free(cfg);
	free(tokfile);
}
END_TEST

/* rotd status finds the status file in a file the parser refuses. */
START_TEST(test_status_file_of_a_broken_file)
{
	const char *path = unit_write_temp("broken-status.conf",
					   "interval = 3 parsecs\n  status-file = \"/run/x/one.json\"\n"
					   "status-file = /run/y/two.json # the last one wins\nrole web {\n");
	char *got = config_status_file(path);

	ck_assert_str_eq(got, "/run/y/two.json");
	free(got);
	path = unit_write_temp("no-status.conf", "interval = 3 parsecs\nstatus-file = relative.json\n");
	got = config_status_file(path);
	ck_assert_str_eq(got, "/run/rotd/status.json");
	free(got);
	got = config_status_file("/nonexistent/rotd.conf");
	ck_assert_str_eq(got, "/run/rotd/status.json");
	free(got);
}
END_TEST

START_TEST(test_load_buffer_names_the_source)
{
	struct strlist errors = STRLIST_INIT;

	ck_assert_ptr_null(config_load_buffer("jobs = x\n" ROLE_WEB, "my.conf", &errors));
	ck_assert_uint_eq(errors.n, 1);
	ck_assert_str_eq(errors.v[0],
			 "my.conf:1: jobs 'x' must be a whole number from 0 to 256 (0 = one per CPU)");
	strlist_free(&errors);
	/* control bytes in the name are escaped too */
	ck_assert_ptr_null(config_load_buffer("jobs = x\n" ROLE_WEB, "a\x1b" "b.conf", &errors));
	ck_assert_uint_eq(errors.n, 1);
	ck_assert_str_eq(errors.v[0],
			 "a\\x1bb.conf:1: jobs 'x' must be a whole number from 0 to 256 (0 = one per CPU)");
	strlist_free(&errors);
}
END_TEST

START_TEST(test_errors_are_appended)
{
	struct strlist errors = STRLIST_INIT;

	strlist_add(&errors, "earlier");
	ck_assert_ptr_null(config_load_buffer("", "e.conf", &errors));
	ck_assert_uint_eq(errors.n, 2);
	ck_assert_str_eq(errors.v[0], "earlier");
	strlist_free(&errors);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("config values");
	TCase *shipped = tcase_create("shipped");
	TCase *values = tcase_create("values");
	TCase *api = tcase_create("api");

	tcase_add_test(shipped, test_shipped_roles_and_policies);
	tcase_add_test(shipped, test_shipped_matching_rules);
	tcase_add_test(shipped, test_shipped_global_sections);
	tcase_add_test(shipped, test_builtin_defaults_equal_file);
	suite_add_tcase(s, shipped);
	tcase_add_loop_test(values, test_good_config, 0, N_ROWS(good_configs));
	tcase_add_loop_test(values, test_log_override, 0, N_ROWS(log_overrides));
	tcase_add_test(values, test_daemon_metrics_webhook_set);
	suite_add_tcase(s, values);
	tcase_add_test(api, test_config_role_finds_by_name);
	tcase_add_test(api, test_default_path_and_free_null);
	tcase_add_test(api, test_load_buffer_names_the_source);
	tcase_add_test(api, test_errors_are_appended);
	tcase_add_test(api, test_status_file_of_a_broken_file);
	suite_add_tcase(s, api);
	return s;
}
