#include "autoconf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "config/config.h"
#include "unit.h"

#define SHIPPED TEST_SRCDIR "/conf/rotd.conf"
#define MiB (1024ull * 1024)

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
/* A log section for LOGS' pattern: its first line and its closing line. */
#define WLOG "  log \"/var/log/whatsapp/*.log\" {\n"
#define LEND "  }\n"
/* Two patterns, and a section for each, for the per-pattern overrides. */
#define GLOB_A "/var/log/a/*.log"
#define GLOB_B "/var/log/b/*.log"
#define LOGS2 "  logs = {\"" GLOB_A "\", \"" GLOB_B "\"}\n"
#define LOG_A "  log \"" GLOB_A "\" {\n"
#define LOG_B "  log \"" GLOB_B "\" {\n"

/* End expect_errors' and assert_list's lists; typed, because a bare NULL in varargs need not be a pointer. */
#define NO_MORE_ERRORS ((const char *)NULL)
#define END_OF_LIST ((const char *)NULL)

static void expect_errors(const char *text, ...) __attribute__((sentinel));

/* Loads text from a file and asserts that loading fails with exactly the given
 * errors, each written without the leading "PATH:"; the list ends with NULL. */
static void expect_errors(const char *text, ...)
{
	char *path = strdup(unit_write_temp("rotd.conf", text));
	struct strlist errors = STRLIST_INIT;
	struct rotd_config *cfg = config_load(path, &errors);
	const char *want;
	size_t n = 0;
	va_list ap;

	ck_assert_ptr_null(cfg);
	va_start(ap, text);
	while ((want = va_arg(ap, const char *)) != NULL) {
		char full[1024];

		snprintf(full, sizeof(full), "%s:%s", path, want);
		ck_assert_msg(n < errors.n, "missing error: %s", full);
		ck_assert_str_eq(errors.v[n], full);
		n++;
	}
	va_end(ap);
	ck_assert_msg(errors.n == n, "unexpected error: %s", errors.v[n]);
	strlist_free(&errors);
	free(path);
}

/* Loads text from a file and asserts that it is accepted. */
static struct rotd_config *expect_ok(const char *text)
{
	struct strlist errors = STRLIST_INIT;
	struct rotd_config *cfg = config_load(unit_write_temp("rotd.conf", text), &errors);

	ck_assert_msg(cfg != NULL, "rejected: %s", errors.n ? errors.v[0] : "(no message)");
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
	for (size_t i = 0; i < a->logs.n; i++) {
		const struct log_policy *p = &a->log_policies[i], *q = &b->log_policies[i];

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
	size_t n_postrotate;
	uint64_t idle_after;
	uint64_t max_age;              /* 0 when left out of an initializer: off */
	uint64_t max_size;
};

static void assert_policy(const struct log_policy *p, const struct want_policy *w)
{
	ck_assert_str_eq(p->glob, w->glob);
	ck_assert_uint_eq(p->size, w->size);
	ck_assert_uint_eq(p->keep, w->keep);
	ck_assert_int_eq(p->compress, w->compress);
	ck_assert_int_eq(p->compress_level, w->compress_level);
	ck_assert_str_eq(p->archive_dir, w->archive_dir);
	ck_assert_int_eq(p->method, w->method);
	ck_assert_uint_eq(p->postrotate.n, w->n_postrotate);
	ck_assert_uint_eq(p->idle_after, w->idle_after);
	ck_assert_uint_eq(p->max_age, w->max_age);
	ck_assert_uint_eq(p->max_size, w->max_size);
}

/* The policies of HEAD LOGS2 SIZE ADIR with nothing overridden. */
static const struct want_policy plain_a = {
	GLOB_A, 20 * MiB, 30, COMPRESS_GZIP, 6, "/var/log/whatsapp/archive", METHOD_COPYTRUNCATE, 0, 3600, 0, 0
};
static const struct want_policy plain_b = {
	GLOB_B, 20 * MiB, 30, COMPRESS_GZIP, 6, "/var/log/whatsapp/archive", METHOD_COPYTRUNCATE, 0, 3600, 0, 0
};

/* Loads a role with patterns GLOB_A and GLOB_B whose GLOB_A section holds body,
 * asserts that pattern B and the role kept the plain values, and returns the
 * config with roles[0].log_policies[0] for the caller to check. */
static struct rotd_config *load_override(const char *body)
{
	char text[1024];
	struct rotd_config *cfg;
	const struct role_policy *r;

	snprintf(text, sizeof(text), "%s%s%s%s%s%s%s%s", HEAD, LOGS2, SIZE, ADIR, LOG_A, body, LEND, END);
	cfg = expect_ok(text);
	r = &cfg->roles[0];
	assert_list(&r->logs, GLOB_A, GLOB_B, END_OF_LIST);
	assert_policy(&r->log_policies[1], &plain_b);
	ck_assert_uint_eq(r->size, 20 * MiB);
	ck_assert_uint_eq(r->keep, 30);
	ck_assert_int_eq(r->compress, COMPRESS_GZIP);
	ck_assert_int_eq(r->compress_level, 6);
	ck_assert_str_eq(r->archive_dir, "/var/log/whatsapp/archive");
	ck_assert_int_eq(r->method, METHOD_COPYTRUNCATE);
	ck_assert_uint_eq(r->postrotate.n, 0);
	ck_assert_uint_eq(r->idle_after, 3600);
	ck_assert_uint_eq(r->max_age, 0);
	ck_assert_uint_eq(r->max_size, 0);
	return cfg;
}

/* ---- the shipped file and the built-in defaults ------------------------ */

START_TEST(test_shipped_conf_loads)
{
	struct strlist errors = STRLIST_INIT;
	struct rotd_config *cfg = config_load(SHIPPED, &errors);

	ck_assert_msg(cfg != NULL, "%s", errors.n ? errors.v[0] : "");
	ck_assert_uint_eq(errors.n, 0);
	ck_assert_str_eq(cfg->path, SHIPPED);
	config_free(cfg);
}
END_TEST

START_TEST(test_shipped_roles_in_order)
{
	struct strlist errors = STRLIST_INIT;
	struct rotd_config *cfg = config_load(SHIPPED, &errors);

	ck_assert_ptr_nonnull(cfg);
	ck_assert_uint_eq(cfg->n_roles, 3);
	ck_assert_str_eq(cfg->roles[0].name, "master");
	ck_assert_str_eq(cfg->roles[1].name, "core");
	ck_assert_str_eq(cfg->roles[2].name, "web");
	config_free(cfg);
}
END_TEST

START_TEST(test_shipped_whatsapp_policies)
{
	struct strlist errors = STRLIST_INIT;
	struct rotd_config *cfg = config_load(SHIPPED, &errors);

	ck_assert_ptr_nonnull(cfg);
	for (size_t i = 0; i < cfg->n_roles; i++) {
		const struct role_policy *r = &cfg->roles[i];

		ck_assert_uint_eq(r->size, strcmp(r->name, "web") == 0 ? 20 * MiB : 15 * MiB);
		ck_assert_uint_eq(r->keep, 30);
		ck_assert_int_eq(r->compress, COMPRESS_GZIP);
		ck_assert_int_eq(r->compress_level, 6);
		ck_assert_str_eq(r->archive_dir, "/var/log/whatsapp/archive");
		ck_assert_int_eq(r->method, METHOD_COPYTRUNCATE);
		ck_assert_uint_eq(r->postrotate.n, 0);
		ck_assert_uint_eq(r->idle_after, 0);
		ck_assert_uint_eq(r->n_matches, 2);
	}
	assert_list(&cfg->roles[0].logs, "/usr/local/waent/logs/*.log", "/var/log/whatsapp/*.log", END_OF_LIST);
	assert_list(&cfg->roles[1].logs, "/usr/local/waent/logs/*.log", "/var/log/whatsapp/*.log", END_OF_LIST);
	assert_list(&cfg->roles[2].logs, "/var/log/whatsapp/*.log", "/var/log/lighttpd/*.log", END_OF_LIST);
	config_free(cfg);
}
END_TEST

START_TEST(test_shipped_log_policies)
{
	static const struct want_policy waent = {
		"/usr/local/waent/logs/*.log", 15 * MiB, 30, COMPRESS_GZIP, 6,
		"/var/log/whatsapp/archive", METHOD_COPYTRUNCATE, 0, 3600, 0, 0
	};
	static const struct want_policy core_whatsapp = {
		"/var/log/whatsapp/*.log", 15 * MiB, 30, COMPRESS_GZIP, 6,
		"/var/log/whatsapp/archive", METHOD_COPYTRUNCATE, 0, 0, 0, 0
	};
	static const struct want_policy web_whatsapp = {
		"/var/log/whatsapp/*.log", 20 * MiB, 30, COMPRESS_GZIP, 6,
		"/var/log/whatsapp/archive", METHOD_COPYTRUNCATE, 0, 0, 0, 0
	};
	static const struct want_policy web_lighttpd = {
		"/var/log/lighttpd/*.log", 20 * MiB, 30, COMPRESS_GZIP, 6,
		"/var/log/whatsapp/archive", METHOD_COPYTRUNCATE, 0, 0, 0, 0
	};
	struct strlist errors = STRLIST_INIT;
	struct rotd_config *cfg = config_load(SHIPPED, &errors);

	ck_assert_ptr_nonnull(cfg);
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
	struct strlist errors = STRLIST_INIT;
	struct rotd_config *cfg = config_load(SHIPPED, &errors);
	const struct role_match *m;

	ck_assert_ptr_nonnull(cfg);
	m = cfg->roles[0].matches;
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

START_TEST(test_shipped_jobs_media_watermarks)
{
	struct strlist errors = STRLIST_INIT;
	struct rotd_config *cfg = config_load(SHIPPED, &errors);

	ck_assert_ptr_nonnull(cfg);
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
	for (size_t i = 0; i < cfg->n_roles; i++) {
		/* Retention beyond keep is off unless asked for. */
		ck_assert_uint_eq(cfg->roles[i].max_age, 0);
		ck_assert_uint_eq(cfg->roles[i].max_size, 0);
	}
	config_free(cfg);
}
END_TEST

START_TEST(test_builtin_defaults_equal_file)
{
	struct strlist errors = STRLIST_INIT;
	struct rotd_config *file = config_load(SHIPPED, &errors);
	struct rotd_config *def = config_load_defaults();

	ck_assert_ptr_nonnull(file);
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

START_TEST(test_repeated_loads_after_errors)
{
	for (int i = 0; i < 3; i++) {
		struct rotd_config *cfg;

		expect_errors("jobs = 1\n}\n", "2: unexpected closing brace", NO_MORE_ERRORS);
		expect_errors("role a {\n  size = 'x\n",
			      "2: the string 'x... is never closed (missing the closing ')", NO_MORE_ERRORS);
		/* libconfuse stops inside the string on a bad escape, and would
		 * start its next parse there */
		expect_errors("jobs = \"\\9\"\n", "1: '\\9' in a string is not an escape; write a "
			      "backslash as \\\\", NO_MORE_ERRORS);
		cfg = config_load_defaults();
		ck_assert_uint_eq(cfg->n_roles, 3);
		config_free(cfg);
	}
}
END_TEST

/* ---- defaults and accepted forms --------------------------------------- */

START_TEST(test_defaults_fill_a_minimal_file)
{
	struct rotd_config *cfg = expect_ok(ROLE_WEB);
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
	config_free(cfg);
}
END_TEST

START_TEST(test_no_media_section_means_no_pruning)
{
	struct rotd_config *cfg = expect_ok(ROLE_WEB);

	ck_assert_ptr_null(cfg->media_root);
	ck_assert_uint_eq(cfg->n_media_rules, 0);
	config_free(cfg);
}
END_TEST

START_TEST(test_quoted_and_unquoted_values)
{
	struct rotd_config *cfg = expect_ok(
		"docker {\n  socket = \"/run/docker.sock\"\n  timeout = \"2m\"\n}\n"
		"jobs = \"4\"\n"
		"offpeak {\n  window = \"22:00-04:00\"\n  timezone = Europe/Berlin\n}\n"
		"role a {\n  logs = {\"/a/*.log\"}\n  size = \"15MB\"\n  archive-dir = \"/a/archive\"\n"
		"  keep = \"7\"\n  idle-after = \"2w\"\n}\n"
		"role b {\n  logs = {\"/b/*.log\"}\n  size = 512KiB\n  archive-dir = /b\n}\n"
		"role c {\n  logs = {\"/c/x.log\"}\n  size = 4096\n  archive-dir = /c\n  idle-after = 90\n}\n"
		"watermarks {\n  high = \"90%\"\n  low = 70\n}\n");

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
	config_free(cfg);
}
END_TEST

START_TEST(test_idle_after_zero_accepted)
{
	struct rotd_config *cfg = expect_ok(
		HEAD LOGS SIZE ADIR "  idle-after = 0\n" END
		"role b {\n  logs = {\"/b/*.log\"}\n  size = 1M\n  archive-dir = /b\n  idle-after = 0h\n}\n");

	ck_assert_uint_eq(cfg->roles[0].idle_after, 0);
	ck_assert_uint_eq(cfg->roles[0].log_policies[0].idle_after, 0);
	ck_assert_uint_eq(cfg->roles[1].idle_after, 0);
	ck_assert_uint_eq(cfg->roles[1].log_policies[0].idle_after, 0);
	config_free(cfg);
}
END_TEST

START_TEST(test_retention_in_role_reaches_every_pattern)
{
	struct rotd_config *cfg = expect_ok(HEAD LOGS2 SIZE ADIR "  max-age = 14d\n  max-size = 1G\n" END);
	struct want_policy a = plain_a, b = plain_b;

	ck_assert_uint_eq(cfg->roles[0].max_age, 14 * 86400);
	ck_assert_uint_eq(cfg->roles[0].max_size, 1024 * MiB);
	a.max_age = b.max_age = 14 * 86400;
	a.max_size = b.max_size = 1024 * MiB;
	assert_policy(&cfg->roles[0].log_policies[0], &a);
	assert_policy(&cfg->roles[0].log_policies[1], &b);
	config_free(cfg);
	cfg = expect_ok(HEAD LOGS SIZE ADIR "  max-age = 0\n  max-size = 0\n" END);
	ck_assert_uint_eq(cfg->roles[0].max_age, 0);
	ck_assert_uint_eq(cfg->roles[0].max_size, 0);
	config_free(cfg);
	cfg = expect_ok(HEAD LOGS SIZE ADIR "  max-age = \"2w\"\n  max-size = 512MiB\n" END);
	ck_assert_uint_eq(cfg->roles[0].log_policies[0].max_age, 14 * 86400);
	ck_assert_uint_eq(cfg->roles[0].log_policies[0].max_size, 512 * MiB);
	config_free(cfg);
}
END_TEST

START_TEST(test_log_override_max_age)
{
	struct rotd_config *cfg = load_override("    max-age = 30d\n");
	struct want_policy w = plain_a;

	w.max_age = 30 * 86400;
	assert_policy(&cfg->roles[0].log_policies[0], &w);
	config_free(cfg);
}
END_TEST

START_TEST(test_log_override_max_size)
{
	struct rotd_config *cfg = load_override("    max-size = 2G\n");
	struct want_policy w = plain_a;

	w.max_size = 2048 * MiB;
	assert_policy(&cfg->roles[0].log_policies[0], &w);
	config_free(cfg);
}
END_TEST

/* A log section can also turn the role's retention off for its pattern. */
START_TEST(test_log_override_turns_retention_off)
{
	struct rotd_config *cfg = expect_ok(HEAD LOGS2 SIZE ADIR "  max-age = 7d\n  max-size = 100M\n"
					    LOG_B "    max-age = 0\n" LEND LOG_A "    max-size = 0\n" LEND END);
	const struct role_policy *r = &cfg->roles[0];

	ck_assert_uint_eq(r->max_age, 7 * 86400);
	ck_assert_uint_eq(r->max_size, 100 * MiB);
	ck_assert_uint_eq(r->log_policies[0].max_age, 7 * 86400);
	ck_assert_uint_eq(r->log_policies[0].max_size, 0);
	ck_assert_uint_eq(r->log_policies[1].max_age, 0);
	ck_assert_uint_eq(r->log_policies[1].max_size, 100 * MiB);
	config_free(cfg);
}
END_TEST

START_TEST(test_watermarks_archive_floor_and_backoff)
{
	struct rotd_config *cfg = expect_ok(ROLE_WEB "watermarks {\n  archive-floor = 3d\n"
					    "  remediation-backoff = 2h\n}\n");

	ck_assert_uint_eq(cfg->archive_floor, 3 * 86400);
	ck_assert_uint_eq(cfg->remediation_backoff, 7200);
	ck_assert_uint_eq(cfg->high_watermark, 85);
	ck_assert_uint_eq(cfg->low_watermark, 80);
	config_free(cfg);
	cfg = expect_ok(ROLE_WEB "watermarks {\n  archive-floor = 0\n  remediation-backoff = 90\n}\n");
	ck_assert_uint_eq(cfg->archive_floor, 0);
	ck_assert_uint_eq(cfg->remediation_backoff, 90);
	config_free(cfg);
}
END_TEST

/* ---- per-pattern overrides --------------------------------------------- */

START_TEST(test_log_policies_without_sections)
{
	struct rotd_config *cfg = expect_ok(HEAD LOGS2 SIZE ADIR END);

	assert_policy(&cfg->roles[0].log_policies[0], &plain_a);
	assert_policy(&cfg->roles[0].log_policies[1], &plain_b);
	config_free(cfg);
}
END_TEST

START_TEST(test_log_override_size)
{
	struct rotd_config *cfg = load_override("    size = 5M\n");
	struct want_policy w = plain_a;

	w.size = 5 * MiB;
	assert_policy(&cfg->roles[0].log_policies[0], &w);
	config_free(cfg);
}
END_TEST

START_TEST(test_log_override_keep)
{
	struct rotd_config *cfg = load_override("    keep = 3\n");
	struct want_policy w = plain_a;

	w.keep = 3;
	assert_policy(&cfg->roles[0].log_policies[0], &w);
	config_free(cfg);
}
END_TEST

START_TEST(test_log_override_compress)
{
	/* No level anywhere: the pattern gets zstd's default, not the role's 6. */
	struct rotd_config *cfg = load_override("    compress = zstd\n");
	struct want_policy w = plain_a;

	w.compress = COMPRESS_ZSTD;
	w.compress_level = 3;
	assert_policy(&cfg->roles[0].log_policies[0], &w);
	config_free(cfg);
}
END_TEST

START_TEST(test_log_override_compress_level)
{
	struct rotd_config *cfg = load_override("    compress-level = 9\n");
	struct want_policy w = plain_a;

	w.compress_level = 9;
	assert_policy(&cfg->roles[0].log_policies[0], &w);
	config_free(cfg);
}
END_TEST

START_TEST(test_log_override_archive_dir)
{
	struct rotd_config *cfg = load_override("    archive-dir = \"/var/log/a/old\"\n");
	struct want_policy w = plain_a;

	w.archive_dir = "/var/log/a/old";
	assert_policy(&cfg->roles[0].log_policies[0], &w);
	config_free(cfg);
}
END_TEST

START_TEST(test_log_override_method_and_postrotate)
{
	struct rotd_config *cfg = load_override(
		"    method = rename\n    postrotate = {\"/bin/kill\", \"-USR1\", \"1\"}\n");
	struct want_policy w = plain_a;

	w.method = METHOD_RENAME;
	w.n_postrotate = 3;
	assert_policy(&cfg->roles[0].log_policies[0], &w);
	assert_list(&cfg->roles[0].log_policies[0].postrotate, "/bin/kill", "-USR1", "1", END_OF_LIST);
	config_free(cfg);
}
END_TEST

START_TEST(test_log_override_idle_after)
{
	struct rotd_config *cfg = load_override("    idle-after = 2h\n");
	struct want_policy w = plain_a;

	w.idle_after = 7200;
	assert_policy(&cfg->roles[0].log_policies[0], &w);
	config_free(cfg);
	cfg = load_override("    idle-after = 0\n");
	w.idle_after = 0;
	assert_policy(&cfg->roles[0].log_policies[0], &w);
	config_free(cfg);
}
END_TEST

START_TEST(test_log_override_everything)
{
	struct rotd_config *cfg = load_override(
		"    size = 1G\n    keep = 10000\n    compress = zstd\n    compress-level = 19\n"
		"    archive-dir = /a\n    method = rename\n    postrotate = {\"/bin/true\"}\n"
		"    idle-after = 1w\n    max-age = 90d\n    max-size = 5G\n");
	static const struct want_policy w = {
		GLOB_A, 1024 * MiB, 10000, COMPRESS_ZSTD, 19, "/a", METHOD_RENAME, 1, 7 * 86400, 90 * 86400, 5120 * MiB
	};

	assert_policy(&cfg->roles[0].log_policies[0], &w);
	config_free(cfg);
}
END_TEST

START_TEST(test_log_postrotate_inherited_and_replaced)
{
	/* The role renames; b inherits its command (its section changes only keep),
	 * a replaces it, and c goes back to copytruncate with no command. */
	struct rotd_config *cfg = expect_ok(
		HEAD "  logs = {\"/a/*.log\", \"/b/*.log\", \"/c/*.log\"}\n" SIZE ADIR
		"  method = rename\n  postrotate = {\"/bin/kill\", \"-HUP\", \"1\"}\n"
		"  log \"/c/*.log\" {\n    method = copytruncate\n    postrotate = {}\n  }\n"
		"  log \"/a/*.log\" {\n    postrotate = {\"/usr/bin/reopen\"}\n  }\n"
		"  log \"/b/*.log\" {\n    keep = 3\n  }\n" END);
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
	config_free(cfg);
}
END_TEST

START_TEST(test_log_level_inherited_with_other_compressor)
{
	/* The role's explicit level carries over when a pattern switches compressor. */
	struct rotd_config *cfg = expect_ok(
		HEAD LOGS2 SIZE ADIR "  compress-level = 9\n" LOG_B "    compress = zstd\n" LEND END);

	ck_assert_int_eq(cfg->roles[0].log_policies[0].compress, COMPRESS_GZIP);
	ck_assert_int_eq(cfg->roles[0].log_policies[0].compress_level, 9);
	ck_assert_int_eq(cfg->roles[0].log_policies[1].compress, COMPRESS_ZSTD);
	ck_assert_int_eq(cfg->roles[0].log_policies[1].compress_level, 9);
	config_free(cfg);
}
END_TEST

START_TEST(test_log_sections_in_any_order_and_roles)
{
	/* Sections before the logs list, in another order, in two roles. */
	struct rotd_config *cfg = expect_ok(
		HEAD LOG_B "    size = 2M\n" LEND LOG_A "    size = 1M\n" LEND LOGS2 SIZE ADIR END
		"role core {\n" LOG_A "    keep = 5\n" LEND LOGS2 SIZE ADIR END);

	ck_assert_uint_eq(cfg->roles[0].log_policies[0].size, 1 * MiB);
	ck_assert_uint_eq(cfg->roles[0].log_policies[1].size, 2 * MiB);
	ck_assert_uint_eq(cfg->roles[0].log_policies[0].keep, 30);
	ck_assert_uint_eq(cfg->roles[1].log_policies[0].size, 20 * MiB);
	ck_assert_uint_eq(cfg->roles[1].log_policies[0].keep, 5);
	ck_assert_uint_eq(cfg->roles[1].log_policies[1].keep, 30);
	config_free(cfg);
}
END_TEST

START_TEST(test_zstd_level_default_and_max)
{
	struct rotd_config *cfg = expect_ok(
		HEAD LOGS SIZE ADIR "  compress = zstd\n" END
		"role b {\n  logs = {\"/b/*.log\"}\n  size = 1M\n  archive-dir = /b\n"
		"  compress-level = 19\n  compress = zstd\n}\n"
		"role c {\n  logs = {\"/c/*.log\"}\n  size = 1M\n  archive-dir = /c\n  compress-level = 1\n}\n");

	ck_assert_int_eq(cfg->roles[0].compress, COMPRESS_ZSTD);
	ck_assert_int_eq(cfg->roles[0].compress_level, 3);
	ck_assert_int_eq(cfg->roles[1].compress_level, 19);
	ck_assert_int_eq(cfg->roles[2].compress, COMPRESS_GZIP);
	ck_assert_int_eq(cfg->roles[2].compress_level, 1);
	config_free(cfg);
}
END_TEST

START_TEST(test_rename_with_postrotate)
{
	struct rotd_config *cfg = expect_ok(
		HEAD LOGS SIZE ADIR "  method = rename\n  postrotate = {\"/bin/kill\", \"-HUP\", \"1\"}\n" END);

	ck_assert_int_eq(cfg->roles[0].method, METHOD_RENAME);
	assert_list(&cfg->roles[0].postrotate, "/bin/kill", "-HUP", "1", END_OF_LIST);
	config_free(cfg);
}
END_TEST

START_TEST(test_match_lists_and_env_forms)
{
	struct rotd_config *cfg = expect_ok(
		HEAD "  match {\n    name = {\"biz_*\", \"biz-*\"}\n    env = {\"WA_MASTER_NODE=1\", \"_X\", \"a1=\"}\n"
		"    not-env = {\"DEBUG\"}\n  }\n  match {\n    image = \"x:*\"\n  }\n" LOGS SIZE ADIR END);
	const struct role_match *m = cfg->roles[0].matches;

	ck_assert_uint_eq(cfg->roles[0].n_matches, 2);
	assert_list(&m[0].names, "biz_*", "biz-*", END_OF_LIST);
	assert_list(&m[0].envs, "WA_MASTER_NODE=1", "_X", "a1=", END_OF_LIST);
	assert_list(&m[0].not_envs, "DEBUG", END_OF_LIST);
	assert_list(&m[1].images, "x:*", END_OF_LIST);
	config_free(cfg);
}
END_TEST

START_TEST(test_media_rules_with_globs)
{
	struct rotd_config *cfg = expect_ok(
		ROLE_WEB "media {\n  root = /m\n  floor = 0\n  rule pics {\n    path = out/pics\n    age = 2w\n"
		"    globs = {\"*.jpg\", \"*.png\"}\n  }\n}\n");

	ck_assert_str_eq(cfg->media_root, "/m");
	ck_assert_uint_eq(cfg->media_floor, 0);
	ck_assert_uint_eq(cfg->n_media_rules, 1);
	ck_assert_str_eq(cfg->media_rules[0].name, "pics");
	ck_assert_str_eq(cfg->media_rules[0].path, "out/pics");
	ck_assert_uint_eq(cfg->media_rules[0].max_age, 14 * 86400);
	assert_list(&cfg->media_rules[0].globs, "*.jpg", "*.png", END_OF_LIST);
	config_free(cfg);
}
END_TEST

START_TEST(test_comments_keep_line_numbers)
{
	/* libconfuse 3.3 alone counts each comment line twice. */
	expect_errors(
		"# one\n"
		"// two\n"
		"/* three\n"
		"   four */\n"
		"jobs = 1  # five\n"
		HEAD
		"  logs = {\"/var/log/a.log\",  # seven, inside a list\n"
		"          \"/var/log/b.log\"}\n"
		"  archive-dir = \"/var/log/#archive\"  // nine\n"
		"  size = 20X\n"
		END,
		"10: role web: size '20X' is not a size (examples: 20M, 15MB, 512K)", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_hash_inside_quotes_is_kept)
{
	struct rotd_config *cfg = expect_ok(
		HEAD LOGS SIZE "  archive-dir = \"/var/log/#archive//x\"\n" END);

	ck_assert_str_eq(cfg->roles[0].archive_dir, "/var/log/#archive//x");
	config_free(cfg);
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

/* ---- units in the file ------------------------------------------------- */

START_TEST(test_err_size_not_a_size)
{
	expect_errors(HEAD LOGS ADIR "  size = 20X\n" END,
		      "4: role web: size '20X' is not a size (examples: 20M, 15MB, 512K)", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_size_zero)
{
	expect_errors(HEAD LOGS ADIR "  size = 0\n" END,
		      "4: role web: size '0' must be more than 0 (examples: 20M, 15MB, 512K)", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_size_overflow)
{
	expect_errors(HEAD LOGS ADIR "  size = 99999999999999999999T\n" END,
		      "4: role web: size '99999999999999999999T' is not a size (examples: 20M, 15MB, 512K)",
		      NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_idle_after_not_a_duration)
{
	expect_errors(HEAD LOGS SIZE ADIR "  idle-after = 1y\n" END,
		      "5: role web: idle-after '1y' is not a duration "
		      "(examples: 1h, 30m, 2d; 0 never archives idle files whole)", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_idle_after_negative)
{
	expect_errors(HEAD LOGS SIZE ADIR "  idle-after = -1h\n" END,
		      "5: role web: idle-after '-1h' is not a duration "
		      "(examples: 1h, 30m, 2d; 0 never archives idle files whole)", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_window_start_equals_end)
{
	expect_errors("offpeak {\n  window = 05:00-05:00\n}\n" ROLE_WEB,
		      "2: offpeak: window '05:00-05:00' is not a daily window HH:MM-HH:MM with "
		      "different start and end (e.g. 02:00-05:00, or 22:00-04:00 across midnight)", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_window_bad_hour)
{
	expect_errors("offpeak {\n  window = \"25:00-01:00\"\n}\n" ROLE_WEB,
		      "2: offpeak: window '25:00-01:00' is not a daily window HH:MM-HH:MM with "
		      "different start and end (e.g. 02:00-05:00, or 22:00-04:00 across midnight)", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_percent)
{
	expect_errors("watermarks {\n  high = 101%\n}\n" ROLE_WEB,
		      "2: watermarks: high '101%' is not a percentage from 0 to 100 (e.g. 85%)", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_watermarks_low_not_below_high)
{
	expect_errors("watermarks {\n  high = 80%\n  low = 80%\n}\n" ROLE_WEB,
		      "3: watermarks: low (80%) must be below high (80%)", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_watermarks_high_below_default_low)
{
	expect_errors("watermarks {\n  high = 70\n}\n" ROLE_WEB,
		      "2: watermarks: low (80%) must be below high (70%)", NO_MORE_ERRORS);
}
END_TEST

/* ---- plain values ------------------------------------------------------ */

START_TEST(test_err_keep_zero)
{
	expect_errors(HEAD LOGS SIZE ADIR "  keep = 0\n" END,
		      "5: role web: keep '0' must be a whole number from 1 to 10000", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_keep_too_many)
{
	expect_errors(HEAD LOGS SIZE ADIR "  keep = 10001\n" END,
		      "5: role web: keep '10001' must be a whole number from 1 to 10000", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_keep_not_a_number)
{
	expect_errors(HEAD LOGS SIZE ADIR "  keep = 3x\n" END,
		      "5: role web: keep '3x' must be a whole number from 1 to 10000", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_jobs_too_many)
{
	expect_errors("jobs = 257\n" ROLE_WEB,
		      "1: jobs '257' must be a whole number from 0 to 256 (0 = one per CPU)", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_jobs_negative)
{
	expect_errors("jobs = -1\n" ROLE_WEB,
		      "1: jobs '-1' must be a whole number from 0 to 256 (0 = one per CPU)", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_jobs_upper_bound_accepted)
{
	struct rotd_config *cfg = expect_ok("jobs = 256\n" ROLE_WEB);

	ck_assert_uint_eq(cfg->jobs, 256);
	config_free(cfg);
}
END_TEST

START_TEST(test_err_compress_unknown)
{
	expect_errors(HEAD LOGS SIZE ADIR "  compress = bzip2\n" END,
		      "5: role web: compress 'bzip2' must be gzip or zstd", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_level_out_of_range_for_gzip)
{
	expect_errors(HEAD LOGS SIZE ADIR "  compress-level = 10\n" END,
		      "5: role web: compress-level '10' is out of range for gzip (1 to 9)", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_level_out_of_range_for_zstd)
{
	/* The level comes first: the check waits for the section's end. */
	expect_errors(HEAD LOGS SIZE "  compress-level = 20\n" ADIR "  compress = zstd\n" END,
		      "4: role web: compress-level '20' is out of range for zstd (1 to 19)", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_level_zero)
{
	expect_errors(HEAD LOGS SIZE ADIR "  compress-level = 0\n" END,
		      "5: role web: compress-level '0' is out of range for gzip (1 to 9)", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_level_not_a_number)
{
	expect_errors(HEAD LOGS SIZE ADIR "  compress-level = best\n" END,
		      "5: role web: compress-level 'best' must be a whole number "
		      "(gzip 1 to 9, zstd 1 to 19)", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_method_unknown)
{
	expect_errors(HEAD LOGS SIZE ADIR "  method = move\n" END,
		      "5: role web: method 'move' must be copytruncate or rename", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_rename_without_postrotate)
{
	expect_errors(HEAD LOGS SIZE ADIR "  method = rename\n" END,
		      "5: role web: method 'rename' needs a postrotate command that makes the app "
		      "reopen its logs (or use method copytruncate)", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_postrotate_without_rename)
{
	expect_errors(HEAD LOGS SIZE ADIR "  postrotate = {\"/bin/true\"}\n" END,
		      "5: role web: postrotate is only run with method rename; "
		      "set method = rename or remove postrotate", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_postrotate_empty_argument)
{
	expect_errors(HEAD LOGS SIZE ADIR "  method = rename\n  postrotate = {\"\"}\n" END,
		      "6: role web: postrotate '' must not be empty", NO_MORE_ERRORS);
}
END_TEST

/* ---- paths ------------------------------------------------------------- */

START_TEST(test_err_logs_relative)
{
	expect_errors(HEAD "  logs = {\"/var/log/a.log\",\n    \"var/log/*.log\"}\n" SIZE ADIR END,
		      "3: role web: logs 'var/log/*.log' must be an absolute path inside the "
		      "container (e.g. /var/log/app/*.log)", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_logs_dotdot)
{
	expect_errors(HEAD "  logs = {\"/var/log/../../etc/*.log\"}\n" SIZE ADIR END,
		      "2: role web: logs '/var/log/../../etc/*.log' must not contain a '..' component",
		      NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_logs_dots_inside_names_accepted)
{
	struct rotd_config *cfg = expect_ok(HEAD "  logs = {\"/var/log/..app/x...log\"}\n" SIZE ADIR END);

	assert_list(&cfg->roles[0].logs, "/var/log/..app/x...log", END_OF_LIST);
	config_free(cfg);
}
END_TEST

START_TEST(test_err_logs_wildcard_in_folder)
{
	expect_errors(HEAD "  logs = {\"/var/log/*/app.log\"}\n" SIZE ADIR END,
		      "2: role web: logs '/var/log/*/app.log' may have wildcards (* ? [) only in its "
		      "last component (e.g. /var/log/app/*.log)", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_logs_bracket_in_folder)
{
	expect_errors(HEAD "  logs = {\"/var/log[12]/app.log\"}\n" SIZE ADIR END,
		      "2: role web: logs '/var/log[12]/app.log' may have wildcards (* ? [) only in its "
		      "last component (e.g. /var/log/app/*.log)", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_logs_names_a_folder)
{
	expect_errors(HEAD "  logs = {\"/var/log/\"}\n" SIZE ADIR END,
		      "2: role web: logs '/var/log/' must name files, not a directory "
		      "(e.g. /var/log/app/*.log)", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_logs_empty_list)
{
	expect_errors(HEAD "  logs = {}\n" SIZE ADIR END,
		      "1: role web: 'logs' is empty; list at least one value", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_logs_missing)
{
	expect_errors(HEAD SIZE ADIR END, "1: role web: required option 'logs' is missing", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_size_missing)
{
	expect_errors(HEAD LOGS ADIR END, "1: role web: required option 'size' is missing", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_archive_dir_missing)
{
	expect_errors(HEAD LOGS SIZE END, "1: role web: required option 'archive-dir' is missing", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_missing_options_at_section_start)
{
	expect_errors("jobs = 2\n\nrole web\n{\n" LOGS "\n" END,
		      "3: role web: required option 'size' is missing",
		      "3: role web: required option 'archive-dir' is missing", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_archive_dir_relative)
{
	expect_errors(HEAD LOGS SIZE "  archive-dir = archive\n" END,
		      "4: role web: archive-dir 'archive' must be an absolute path", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_archive_dir_dotdot)
{
	expect_errors(HEAD LOGS SIZE "  archive-dir = /var/log/..\n" END,
		      "4: role web: archive-dir '/var/log/..' must not contain a '..' component", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_socket_relative)
{
	expect_errors("docker {\n  socket = \"unix:///run/docker.sock\"\n}\n" ROLE_WEB,
		      "2: docker: socket 'unix:///run/docker.sock' must be an absolute path", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_timeout_zero)
{
	expect_errors("docker {\n  timeout = 0\n}\n" ROLE_WEB,
		      "2: docker: timeout '0' is not a duration from 1s to 1d (examples: 30s, 2m)", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_timeout_too_long)
{
	expect_errors("docker { timeout = 2d }\n" ROLE_WEB,
		      "1: docker: timeout '2d' is not a duration from 1s to 1d (examples: 30s, 2m)", NO_MORE_ERRORS);
}
END_TEST

/* ---- media ------------------------------------------------------------- */

START_TEST(test_err_media_root_missing)
{
	expect_errors(ROLE_WEB "media {\n  floor = 7d\n}\n",
		      "6: media: required option 'root' is missing", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_media_root_relative)
{
	expect_errors(ROLE_WEB "media {\n  root = \"usr/local/wamedia\"\n}\n",
		      "7: media: root 'usr/local/wamedia' must be an absolute path", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_media_root_dotdot)
{
	expect_errors(ROLE_WEB "media {\n  root = /usr/local/../wamedia\n}\n",
		      "7: media: root '/usr/local/../wamedia' must not contain a '..' component", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_media_floor)
{
	expect_errors(ROLE_WEB "media {\n  root = /m\n  floor = 7days\n}\n",
		      "8: media: floor '7days' is not a duration (examples: 7d, 12h, 0)", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_rule_path_absolute)
{
	expect_errors(ROLE_WEB "media {\n  root = /m\n  rule out {\n    path = /outgoing\n    age = 30d\n  }\n}\n",
		      "9: rule out: path '/outgoing' must be relative to the media root (e.g. outgoing)",
		      NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_rule_path_dotdot)
{
	expect_errors(ROLE_WEB "media {\n  root = /m\n  rule out {\n    path = outgoing/../..\n    age = 30d\n  }\n}\n",
		      "9: rule out: path 'outgoing/../..' must not contain a '..' component", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_rule_path_empty)
{
	expect_errors(ROLE_WEB "media {\n  root = /m\n  rule out {\n    path = \"\"\n    age = 30d\n  }\n}\n",
		      "9: rule out: path '' must not be empty (a folder under the media root, e.g. outgoing)",
		      NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_rule_path_and_age_missing)
{
	expect_errors(ROLE_WEB "media {\n  root = /m\n  rule out {\n    globs = {\"*.jpg\"}\n  }\n}\n",
		      "8: rule out: required option 'path' is missing",
		      "8: rule out: required option 'age' is missing", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_rule_age)
{
	expect_errors(ROLE_WEB "media {\n  root = /m\n  rule out {\n    path = out\n    age = 30x\n  }\n}\n",
		      "10: rule out: age '30x' is not a duration greater than 0 (examples: 30d, 1h, 90s, 2w)",
		      NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_rule_globs_with_slash)
{
	expect_errors(ROLE_WEB "media {\n  root = /m\n  rule out {\n    path = out\n    age = 30d\n"
		      "    globs = {\"*.jpg\", \"sub/*.png\"}\n  }\n}\n",
		      "11: rule out: globs 'sub/*.png' must be a file name pattern without '/' (e.g. *.jpg)",
		      NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_rule_name)
{
	expect_errors(ROLE_WEB "media {\n  root = /m\n  rule \"old media\" {\n    path = out\n    age = 30d\n  }\n}\n",
		      "8: rule name 'old media' may only use letters, digits, '_', '.' and '-'", NO_MORE_ERRORS);
}
END_TEST

/* ---- roles and matching ------------------------------------------------ */

START_TEST(test_err_role_named_none)
{
	expect_errors("role none {\n" LOGS SIZE ADIR END,
		      "1: role name 'none' is reserved (the label rotd.role=none means: ignore this "
		      "container); choose another name", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_role_name_characters)
{
	expect_errors("role \"web/app\" {\n" LOGS SIZE ADIR END,
		      "1: role name 'web/app' may only use letters, digits, '_', '.' and '-'", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_role_name_characters_accepted)
{
	struct rotd_config *cfg = expect_ok("role Web_2.a-b {\n" LOGS SIZE ADIR END);

	ck_assert_str_eq(cfg->roles[0].name, "Web_2.a-b");
	config_free(cfg);
}
END_TEST

START_TEST(test_err_match_without_condition)
{
	expect_errors(HEAD LOGS SIZE ADIR "  match {\n  }\n" END,
		      "5: role web: match: the block has no condition that selects containers (not-env only "
		      "excludes); give image, service, name or env", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_match_with_only_not_env)
{
	expect_errors(HEAD LOGS SIZE ADIR "  match {\n    not-env = {\"A=1\"}\n  }\n" END,
		      "5: role web: match: the block has no condition that selects containers (not-env only "
		      "excludes); give image, service, name or env", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_match_empty_pattern)
{
	expect_errors(HEAD "  match { image = {\"\"} }\n" LOGS SIZE ADIR END,
		      "2: role web: match: image '' must not be empty", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_env_key_starts_with_digit)
{
	expect_errors(HEAD "  match {\n    env = {\"1WA=1\"}\n  }\n" LOGS SIZE ADIR END,
		      "3: role web: match: env '1WA=1' is not KEY or KEY=VALUE (KEY: letters, digits and "
		      "'_', not starting with a digit; e.g. WA_MASTER_NODE=1)", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_env_without_key)
{
	expect_errors(HEAD "  match {\n    env = {\"=1\"}\n  }\n" LOGS SIZE ADIR END,
		      "3: role web: match: env '=1' is not KEY or KEY=VALUE (KEY: letters, digits and "
		      "'_', not starting with a digit; e.g. WA_MASTER_NODE=1)", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_not_env_bad_key)
{
	expect_errors(ROLE_WEB "role core {\n  match {\n    image = {\"c:*\"}\n    not-env = {\"WA MASTER=1\"}\n  }\n"
		      LOGS SIZE ADIR END,
		      "9: role core: match: not-env 'WA MASTER=1' is not KEY or KEY=VALUE (KEY: letters, "
		      "digits and '_', not starting with a digit; e.g. WA_MASTER_NODE=1)", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_no_role)
{
	expect_errors("jobs = 2\n",
		      "1: no role is defined; rotd needs at least one 'role NAME { match {...} "
		      "logs = {...} size = ... archive-dir = ... }'", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_empty_file)
{
	expect_errors("",
		      "1: no role is defined; rotd needs at least one 'role NAME { match {...} "
		      "logs = {...} size = ... archive-dir = ... }'", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_unquoted_star)
{
	expect_errors(HEAD "  match {\n    image = {docker.whatsapp.biz/web:*}\n  }\n"
		      "  logs = {/var/log/*.log}\n" SIZE ADIR END,
		      "3: '*' outside quotes is lost by the parser; put patterns in double quotes, "
		      "e.g. \"/var/log/app/*.log\"",
		      "5: '*' outside quotes is lost by the parser; put patterns in double quotes, "
		      "e.g. \"/var/log/app/*.log\"", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_option_set_twice)
{
	expect_errors(HEAD LOGS SIZE ADIR "  size = 15M\n" END,
		      "5: role web: 'size' is already set on line 3", NO_MORE_ERRORS);
}
END_TEST

/* ---- several errors ---------------------------------------------------- */

START_TEST(test_err_all_semantic_errors_in_order)
{
	expect_errors(
		"jobs = many\n"
		HEAD LOGS ADIR "  size = 20X\n" END
		"role core {\n" LOGS ADIR "  size = 15Q\n  keep = 0\n" END
		"role master {\n" LOGS ADIR "  size = -1\n" END
		"watermarks {\n  low = 90\n}\n",
		"1: jobs 'many' must be a whole number from 0 to 256 (0 = one per CPU)",
		"5: role web: size '20X' is not a size (examples: 20M, 15MB, 512K)",
		"10: role core: size '15Q' is not a size (examples: 20M, 15MB, 512K)",
		"11: role core: keep '0' must be a whole number from 1 to 10000",
		"16: role master: size '-1' is not a size (examples: 20M, 15MB, 512K)",
		"19: watermarks: low (90%) must be below high (85%)", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_sorted_by_line_not_by_discovery)
{
	/* Missing options and the level are found at the section's end. */
	expect_errors(HEAD "  compress-level = 12\n  keep = 0\n" END,
		      "1: role web: required option 'logs' is missing",
		      "1: role web: required option 'size' is missing",
		      "1: role web: required option 'archive-dir' is missing",
		      "2: role web: compress-level '12' is out of range for gzip (1 to 9)",
		      "3: role web: keep '0' must be a whole number from 1 to 10000", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_semantic_then_syntax)
{
	expect_errors(HEAD LOGS ADIR "  size = 20X\n" END
		      "role core {\n" LOGS ADIR "  size 15M\n" END,
		      "4: role web: size '20X' is not a size (examples: 20M, 15MB, 512K)",
		      "9: role core: missing equal sign after option 'size'", NO_MORE_ERRORS);
}
END_TEST

/* ---- log sections ------------------------------------------------------ */

START_TEST(test_err_log_not_a_pattern)
{
	/* The title must be one of the role's logs patterns, written the same way. */
	expect_errors(HEAD LOGS SIZE ADIR "  log \"/var/log/other/*.log\" {\n    size = 5M\n" LEND
		      "  log \"/var/log/whatsapp//*.log\" {\n" LEND END,
		      "5: role web: log \"/var/log/other/*.log\" is not one of the role's logs patterns",
		      "8: role web: log \"/var/log/whatsapp//*.log\" is not one of the role's logs patterns",
		      NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_log_pattern_of_another_role)
{
	expect_errors(ROLE_WEB "role core {\n" LOGS2 SIZE ADIR WLOG LEND END,
		      "10: role core: log \"/var/log/whatsapp/*.log\" is not one of the role's logs patterns",
		      NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_log_duplicate)
{
	expect_errors(HEAD LOGS SIZE ADIR WLOG "    size = 5M\n" LEND WLOG "    keep = 3\n" LEND END,
		      "8: role web: log \"/var/log/whatsapp/*.log\" has a second section (first on line 5); "
		      "put its options in one section", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_log_without_title)
{
	expect_errors(HEAD LOGS SIZE ADIR "  log {\n" LEND END,
		      "5: role web: missing title for section 'log'", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_log_unknown_option)
{
	expect_errors(HEAD LOGS SIZE ADIR WLOG "    logs = {\"/var/log/x.log\"}\n" LEND END,
		      "6: role web: log \"/var/log/whatsapp/*.log\": no such option 'logs'", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_log_option_set_twice)
{
	expect_errors(HEAD LOGS SIZE ADIR WLOG "    size = 5M\n    size = 6M\n" LEND END,
		      "7: role web: log \"/var/log/whatsapp/*.log\": 'size' is already set on line 6",
		      NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_log_size)
{
	expect_errors(HEAD LOGS SIZE ADIR WLOG "    size = 20X\n" LEND END,
		      "6: role web: log \"/var/log/whatsapp/*.log\": size '20X' is not a size "
		      "(examples: 20M, 15MB, 512K)", NO_MORE_ERRORS);
	expect_errors(HEAD LOGS SIZE ADIR WLOG "    size = 0\n" LEND END,
		      "6: role web: log \"/var/log/whatsapp/*.log\": size '0' must be more than 0 "
		      "(examples: 20M, 15MB, 512K)", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_log_keep)
{
	expect_errors(ROLE_WEB "role core {\n" LOGS SIZE ADIR WLOG "    keep = 0\n" LEND END,
		      "11: role core: log \"/var/log/whatsapp/*.log\": keep '0' must be a whole number "
		      "from 1 to 10000", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_log_compress)
{
	expect_errors(HEAD LOGS SIZE ADIR WLOG "    compress = bzip2\n" LEND END,
		      "6: role web: log \"/var/log/whatsapp/*.log\": compress 'bzip2' must be gzip or zstd",
		      NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_log_level_not_a_number)
{
	expect_errors(HEAD LOGS SIZE ADIR WLOG "    compress-level = best\n" LEND END,
		      "6: role web: log \"/var/log/whatsapp/*.log\": compress-level 'best' must be a whole "
		      "number (gzip 1 to 9, zstd 1 to 19)", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_log_level_for_role_compressor)
{
	expect_errors(HEAD LOGS SIZE ADIR WLOG "    compress-level = 12\n" LEND END,
		      "6: role web: log \"/var/log/whatsapp/*.log\": compress-level '12' is out of range "
		      "for gzip (1 to 9)", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_log_level_for_own_compressor)
{
	/* The level comes before the compressor: the check waits for the role's end. */
	expect_errors(HEAD LOGS SIZE ADIR WLOG "    compress-level = 20\n    compress = zstd\n" LEND END,
		      "6: role web: log \"/var/log/whatsapp/*.log\": compress-level '20' is out of range "
		      "for zstd (1 to 19)", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_log_compressor_against_role_level)
{
	/* Fine for the role's zstd; the section's gzip makes it wrong. */
	expect_errors(HEAD LOGS SIZE ADIR "  compress = zstd\n  compress-level = 15\n"
		      WLOG "    compress = gzip\n" LEND END,
		      "8: role web: log \"/var/log/whatsapp/*.log\": the role's compress-level '15' is out "
		      "of range for gzip (1 to 9); set compress-level in this section too", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_log_role_level_reported_once)
{
	expect_errors(HEAD LOGS SIZE ADIR "  compress-level = 10\n" WLOG "    compress-level = 5\n" LEND END,
		      "5: role web: compress-level '10' is out of range for gzip (1 to 9)", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_log_archive_dir)
{
	expect_errors(HEAD LOGS SIZE ADIR WLOG "    archive-dir = archive\n" LEND
		      "  log \"/var/log/lighttpd/*.log\" {\n    archive-dir = \"/var/../etc\"\n" LEND
		      "  logs += {\"/var/log/lighttpd/*.log\"}\n" END,
		      "6: role web: log \"/var/log/whatsapp/*.log\": archive-dir 'archive' must be an "
		      "absolute path",
		      "9: role web: log \"/var/log/lighttpd/*.log\": archive-dir '/var/../etc' must not "
		      "contain a '..' component", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_log_method)
{
	expect_errors(HEAD LOGS SIZE ADIR WLOG "    method = move\n" LEND END,
		      "6: role web: log \"/var/log/whatsapp/*.log\": method 'move' must be copytruncate "
		      "or rename", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_log_rename_without_postrotate)
{
	expect_errors(HEAD LOGS SIZE ADIR WLOG "    keep = 3\n    method = rename\n" LEND END,
		      "7: role web: log \"/var/log/whatsapp/*.log\": method 'rename' needs a postrotate "
		      "command that makes the app reopen its logs (or use method copytruncate)",
		      NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_log_postrotate_without_rename)
{
	expect_errors(HEAD LOGS SIZE ADIR WLOG "    postrotate = {\"/bin/true\"}\n" LEND END,
		      "6: role web: log \"/var/log/whatsapp/*.log\": postrotate is only run with method "
		      "rename; set method = rename or remove postrotate", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_log_copytruncate_with_role_postrotate)
{
	expect_errors(HEAD LOGS SIZE ADIR "  method = rename\n  postrotate = {\"/bin/true\"}\n"
		      WLOG "    method = copytruncate\n" LEND END,
		      "8: role web: log \"/var/log/whatsapp/*.log\": method 'copytruncate' never runs the "
		      "role's postrotate; set postrotate = {} in this section, or use method rename",
		      NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_log_empty_postrotate_with_role_rename)
{
	expect_errors(HEAD LOGS SIZE ADIR "  method = rename\n  postrotate = {\"/bin/true\"}\n"
		      WLOG "    postrotate = {}\n" LEND END,
		      "7: role web: log \"/var/log/whatsapp/*.log\": postrotate is empty, but the role's "
		      "method 'rename' needs a command that makes the app reopen its logs (or set method = "
		      "copytruncate in this section)", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_log_postrotate_empty_argument)
{
	expect_errors(HEAD LOGS SIZE ADIR WLOG "    method = rename\n    postrotate = {\"\"}\n" LEND END,
		      "7: role web: log \"/var/log/whatsapp/*.log\": postrotate '' must not be empty",
		      NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_log_idle_after)
{
	expect_errors(HEAD LOGS SIZE ADIR WLOG "    idle-after = -1h\n" LEND END,
		      "6: role web: log \"/var/log/whatsapp/*.log\": idle-after '-1h' is not a duration "
		      "(examples: 1h, 30m, 2d; 0 never archives idle files whole)", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_log_does_not_satisfy_required)
{
	expect_errors(HEAD LOGS WLOG "    size = 5M\n    archive-dir = /a\n" LEND END,
		      "1: role web: required option 'size' is missing",
		      "1: role web: required option 'archive-dir' is missing", NO_MORE_ERRORS);
	expect_errors(HEAD SIZE ADIR WLOG LEND END,
		      "1: role web: required option 'logs' is missing",
		      "4: role web: log \"/var/log/whatsapp/*.log\" is not one of the role's logs patterns",
		      NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_log_errors_with_the_rest_in_order)
{
	expect_errors(
		"jobs = many\n"
		HEAD LOGS SIZE ADIR WLOG "    keep = 0\n    method = rename\n" LEND "  keep = 0\n" END
		"role core {\n" LOGS SIZE ADIR "  log \"/x.log\" {\n" LEND END,
		"1: jobs 'many' must be a whole number from 0 to 256 (0 = one per CPU)",
		"7: role web: log \"/var/log/whatsapp/*.log\": keep '0' must be a whole number from 1 to 10000",
		"8: role web: log \"/var/log/whatsapp/*.log\": method 'rename' needs a postrotate command "
		"that makes the app reopen its logs (or use method copytruncate)",
		"10: role web: keep '0' must be a whole number from 1 to 10000",
		"16: role core: log \"/x.log\" is not one of the role's logs patterns", NO_MORE_ERRORS);
}
END_TEST

/* ---- syntax ------------------------------------------------------------ */

START_TEST(test_err_unknown_option)
{
	expect_errors(ROLE_WEB "\nretention = 3\n", "7: no such option 'retention'", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_unknown_option_in_role)
{
	expect_errors(HEAD LOGS SIZE ADIR "  rotate = 5\n" END, "5: role web: no such option 'rotate'", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_unknown_option_in_match)
{
	expect_errors(HEAD "  match {\n    label = {\"x\"}\n  }\n" LOGS SIZE ADIR END,
		      "3: role web: match: no such option 'label'", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_duplicate_role)
{
	expect_errors(ROLE_WEB "role core {\n" LOGS SIZE ADIR END "role web {\n" LOGS SIZE ADIR END,
		      "11: role 'web' is defined twice (first on line 1); each role needs its own name", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_duplicate_rule)
{
	expect_errors(ROLE_WEB "media {\n  root = /m\n  rule out {\n    path = a\n    age = 1d\n  }\n"
		      "  rule out {\n    path = b\n    age = 1d\n  }\n}\n",
		      "12: media: rule 'out' is defined twice (first on line 8); each rule needs its own name",
		      NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_role_without_title)
{
	expect_errors("role {\n" LOGS SIZE ADIR END, "1: missing title for section 'role'", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_unclosed_section)
{
	/* the checks of a section the file never closes are left out */
	expect_errors(ROLE_WEB "role core {\n" LOGS SIZE,
		      "6: role core { is never closed (missing '}')", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_stray_closing_brace)
{
	expect_errors(ROLE_WEB "}\n", "6: unexpected closing brace", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_unterminated_list)
{
	expect_errors(HEAD "  logs = {\"/a.log\",\n",
		      "1: role web { is never closed (missing '}')",
		      "2: role web: logs = { is never closed (missing '}')", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_unclosed_comment)
{
	expect_errors(ROLE_WEB "/* jobs = 2\n\n", "6: comment '/*' is never closed with '*/'", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_missing_file)
{
	struct strlist errors = STRLIST_INIT;
	char path[300];

	snprintf(path, sizeof(path), "%s.missing", unit_write_temp("x.conf", ""));
	ck_assert_ptr_null(config_load(path, &errors));
	ck_assert_uint_eq(errors.n, 1);
	ck_assert_str_eq(errors.v[0] + strlen(path), ": cannot open: No such file or directory");
	ck_assert_int_eq(strncmp(errors.v[0], path, strlen(path)), 0);
	strlist_free(&errors);
}
END_TEST

START_TEST(test_err_path_is_a_folder)
{
	struct strlist errors = STRLIST_INIT;

	ck_assert_ptr_null(config_load("/", &errors));
	ck_assert_uint_eq(errors.n, 1);
	ck_assert_str_eq(errors.v[0], "/: not a regular file (a folder)");
	strlist_free(&errors);
}
END_TEST

START_TEST(test_err_nul_byte)
{
	static const char text[] = ROLE_WEB "jobs = 1\0\n";
	struct strlist errors = STRLIST_INIT;
	char path[300];
	FILE *f;

	snprintf(path, sizeof(path), "%s", unit_write_temp("nul.conf", ""));
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, sizeof(text) - 1, f), sizeof(text) - 1);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_ptr_null(config_load(path, &errors));
	ck_assert_uint_eq(errors.n, 1);
	ck_assert_str_eq(errors.v[0] + strlen(path), ":6: contains a NUL byte; is this the right file?");
	strlist_free(&errors);
}
END_TEST

/* ---- bad input: one clear line each ------------------------------------ */

/* Loads path and asserts that it fails with exactly one error: path followed by want. */
static void expect_file_error(const char *path, const char *want)
{
	struct strlist errors = STRLIST_INIT;
	char full[4200];

	snprintf(full, sizeof(full), "%s%s", path, want);
	ck_assert_ptr_null(config_load(path, &errors));
	ck_assert_uint_eq(errors.n, 1);
	ck_assert_str_eq(errors.v[0], full);
	strlist_free(&errors);
}

/* The temp folder unit_write_temp() writes into; static buffer. */
static const char *temp_dir(void)
{
	static char dir[300];

	snprintf(dir, sizeof(dir), "%s", unit_write_temp("probe", ""));
	*strrchr(dir, '/') = '\0';
	return dir;
}

/* A text of n bytes: ROLE_WEB after '#' comment lines. New string. */
static char *padded_conf(size_t n)
{
	size_t role = strlen(ROLE_WEB);
	char *text = malloc(n + 1);

	ck_assert_ptr_nonnull(text);
	ck_assert_uint_ge(n, role + 2);
	memset(text, '#', n - role);
	for (size_t i = 100; i < n - role; i += 100)
		text[i] = '\n';
	text[n - role - 1] = '\n';
	memcpy(text + n - role, ROLE_WEB, role + 1);
	return text;
}

START_TEST(test_err_config_is_a_fifo)
{
	char path[400];

	/* a blocking open would wait for a writer for ever */
	snprintf(path, sizeof(path), "%s/fifo.conf", temp_dir());
	unlink(path);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	expect_file_error(path, ": not a regular file (a FIFO)");
}
END_TEST

START_TEST(test_err_config_is_a_device_or_folder)
{
	expect_file_error("/dev/null", ": not a regular file (a character device)");
	expect_file_error(temp_dir(), ": not a regular file (a folder)");
}
END_TEST

START_TEST(test_err_config_is_a_socket)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_uint_lt(strlen(temp_dir()), 90);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%.90s/sock.conf", temp_dir());
	unlink(sun.sun_path);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	expect_file_error(sun.sun_path, ": not a regular file (a socket)");
	close(fd);
}
END_TEST

START_TEST(test_err_config_too_large)
{
	char *text = padded_conf(1024 * 1024 + 1);
	char path[300];

	snprintf(path, sizeof(path), "%s", unit_write_temp("big.conf", text));
	expect_file_error(path, ": larger than 1 MiB (1048577 bytes); is this the right file?");
	free(text);
}
END_TEST

START_TEST(test_config_of_1_mib_accepted)
{
	char *text = padded_conf(1024 * 1024);

	config_free(expect_ok(text));
	free(text);
}
END_TEST

#define OFFPEAK_TZ(zone) ROLE_WEB "offpeak {\n  timezone = \"" zone "\"\n}\n"

START_TEST(test_err_timezone_unknown)
{
	unsetenv("TZDIR");
	expect_errors(OFFPEAK_TZ("Mars/Olympus"),
		      "7: offpeak: timezone 'Mars/Olympus' is not a known time zone (not in /usr/share/zoneinfo); "
		      "use one such as Europe/Berlin, or UTC (\"\" is the host's local time)", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_timezone_not_a_name)
{
	static const char *const names[] = { "../../etc/passwd", "/etc/localtime", "Europe/Ber lin", "Europe/Berlin\\n" };
	char text[512], want[512];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(text, sizeof(text), OFFPEAK_TZ("%s"), names[i]);
		snprintf(want, sizeof(want), "7: offpeak: timezone '%s' is not a time zone name; use one from the "
			 "tz database such as Europe/Berlin, or UTC (\"\" is the host's local time)",
			 i == 3 ? "Europe/Berlin\\x0a" : names[i]);
		expect_errors(text, want, NO_MORE_ERRORS);
	}
}
END_TEST

/* TZDIR holds Test/Zone (a TZif file), Test/Plain (not one) and the folder Test. */
static void fake_zone_dir(void)
{
	char path[400];
	const char *dir = temp_dir();
	FILE *f;

	snprintf(path, sizeof(path), "%s/Test", dir);
	ck_assert_int_eq(mkdir(path, 0700) == 0 || errno == EEXIST, 1);
	snprintf(path, sizeof(path), "%s/Test/Zone", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("TZif2\n", f);
	ck_assert_int_eq(fclose(f), 0);
	snprintf(path, sizeof(path), "%s/Test/Plain", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("not a zone\n", f);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(setenv("TZDIR", dir, 1), 0);
}

START_TEST(test_timezone_names_accepted)
{
	struct rotd_config *cfg;

	fake_zone_dir();
	cfg = expect_ok(OFFPEAK_TZ("Test/Zone"));
	ck_assert_str_eq(cfg->timezone, "Test/Zone");
	config_free(cfg);
	/* always valid, with or without a zone database */
	cfg = expect_ok(OFFPEAK_TZ("UTC"));
	ck_assert_str_eq(cfg->timezone, "UTC");
	config_free(cfg);
	cfg = expect_ok(OFFPEAK_TZ(""));
	ck_assert_ptr_null(cfg->timezone);
	config_free(cfg);
	unsetenv("TZDIR");
}
END_TEST

START_TEST(test_err_timezone_folder_or_not_tzif)
{
	char want[600];

	fake_zone_dir();
	snprintf(want, sizeof(want), "7: offpeak: timezone 'Test' is not a known time zone (not in %s); "
		 "use one such as Europe/Berlin, or UTC (\"\" is the host's local time)", getenv("TZDIR"));
	expect_errors(OFFPEAK_TZ("Test"), want, NO_MORE_ERRORS);
	snprintf(want, sizeof(want), "7: offpeak: timezone 'Test/Plain' is not a known time zone (not in %s); "
		 "use one such as Europe/Berlin, or UTC (\"\" is the host's local time)", getenv("TZDIR"));
	expect_errors(OFFPEAK_TZ("Test/Plain"), want, NO_MORE_ERRORS);
	unsetenv("TZDIR");
}
END_TEST

START_TEST(test_err_size_with_space)
{
	expect_errors(HEAD LOGS "  size = 15 MB\n" ADIR END,
		      "3: role web: size = 15 MB: write sizes without a space, e.g. 15M (or \"15M\")", NO_MORE_ERRORS);
	expect_errors(HEAD LOGS "  size = 512 kilobytes\n" ADIR END,
		      "3: role web: size = 512 kilobytes: write sizes without a space, e.g. 512K (or \"512K\")",
		      NO_MORE_ERRORS);
	expect_errors(HEAD LOGS "  size = 15 parsecs\n" ADIR END,
		      "3: role web: size = 15 parsecs: write sizes without a space, e.g. 20M (or \"20M\")",
		      NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_duration_with_space)
{
	expect_errors(ROLE_WEB "media {\n  root = /m\n  floor = 7 days\n}\ninterval = 5 s\n",
		      "8: media: floor = 7 days: write durations without a space, e.g. 7d (or \"7d\")",
		      "10: interval = 5 s: write durations without a space, e.g. 5s (or \"5s\")", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_other_values_with_space)
{
	expect_errors(ROLE_WEB "offpeak {\n  window = 02:00 - 05:00\n}\nwatermarks {\n  high = 85 %\n}\n",
		      "7: offpeak: window = 02:00 - 05:00: write the window without spaces, e.g. 02:00-05:00",
		      "10: watermarks: high = 85 %: write percentages without a space, e.g. 85%", NO_MORE_ERRORS);
	expect_errors(HEAD LOGS SIZE "  keep = 30 files\n  archive-dir = /var/log/my logs\n" END,
		      "4: role web: keep = 30 files: write just the number, e.g. 30",
		      "5: role web: archive-dir = /var/log/my logs: put a value with spaces in double quotes, "
		      "e.g. \"/var/log/my logs\"", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_list_item_with_space)
{
	expect_errors(HEAD "  logs = {/var/log/my app.log}\n" SIZE ADIR
		      "  method = rename\n  postrotate = {/bin/kill -HUP 1}\n" END,
		      "2: role web: logs item /var/log/my app.log: put an item with spaces in double quotes, "
		      "e.g. \"/var/log/my app.log\"",
		      "6: role web: postrotate item /bin/kill -HUP 1: give each argument its own quoted item, "
		      "e.g. {\"/bin/kill\", \"-HUP\", \"1\"}", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_statements_on_one_line_accepted)
{
	/* a value followed by the next statement is not a value with a space */
	struct rotd_config *cfg = expect_ok(
		"role web {\n  logs = {\"" GLOB_A "\"} size = 20M keep = 3 archive-dir = /a log \"" GLOB_A "\" {\n"
		"    keep = 4 }\n}\njobs = 2 docker { timeout = 5s }\n");

	ck_assert_uint_eq(cfg->roles[0].keep, 3);
	ck_assert_uint_eq(cfg->roles[0].log_policies[0].keep, 4);
	ck_assert_uint_eq(cfg->jobs, 2);
	ck_assert_uint_eq(cfg->docker_timeout_ms, 5000);
	config_free(cfg);
}
END_TEST

START_TEST(test_err_missing_brace_before_next_section)
{
	/* libconfuse alone: "role master: no such option 'role'" */
	expect_errors("role master {\n" LOGS SIZE ADIR ROLE_WEB,
		      "1: role master { is never closed (missing '}')", NO_MORE_ERRORS);
	expect_errors(HEAD LOGS SIZE ADIR "media {\n  root = /m\n}\n",
		      "1: role web { is never closed (missing '}')", NO_MORE_ERRORS);
	expect_errors(HEAD LOGS SIZE ADIR "jobs = 2\n", "1: role web { is never closed (missing '}')", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_missing_brace_others_still_reported)
{
	expect_errors("role master {\n" LOGS "  size = 20X\n" ADIR ROLE_WEB "jobs = x\n",
		      "1: role master { is never closed (missing '}')",
		      "3: role master: size '20X' is not a size (examples: 20M, 15MB, 512K)",
		      "10: jobs 'x' must be a whole number from 0 to 256 (0 = one per CPU)", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_missing_brace_of_inner_section)
{
	expect_errors(HEAD "  match {\n    image = \"x\"\n" LOGS SIZE ADIR END,
		      "2: role web: match { is never closed (missing '}')", NO_MORE_ERRORS);
	expect_errors(HEAD SIZE ADIR WLOG "    keep = 3\n" LOGS END,
		      "4: role web: log \"/var/log/whatsapp/*.log\" { is never closed (missing '}')", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_missing_braces_at_the_end)
{
	/* nothing after them says where they should close: their checks are left out */
	expect_errors("role a {\n" LOGS SIZE ADIR "role b {\n" LOGS SIZE ADIR "role c {\n" LOGS,
		      "1: role a { is never closed (missing '}')",
		      "5: role b { is never closed (missing '}')",
		      "9: role c { is never closed (missing '}')", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_list_missing_brace_or_comma)
{
	expect_errors(HEAD "  logs = {\"/a/*.log\"\n" SIZE ADIR END,
		      "2: role web: logs = { is never closed (missing '}')", NO_MORE_ERRORS);
	expect_errors(HEAD "  logs = {\"/a/1.log\"\n    \"/b/2.log\"}\n" SIZE ADIR END,
		      "3: role web: logs: a ',' is missing before \"/b/2.log\" (list items are separated by commas)",
		      NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_section_in_the_wrong_place)
{
	expect_errors("match {\n  image = \"x\"\n}\n" ROLE_WEB,
		      "1: a 'match' section goes inside a role section, not at the top level", NO_MORE_ERRORS);
	expect_errors(HEAD LOGS SIZE ADIR "  media {\n  }\n" END,
		      "5: role web: a 'media' section goes at the top level, not inside role web", NO_MORE_ERRORS);
	expect_errors(ROLE_WEB "media {\n  root = /m\n  log \"/x.log\" {\n  }\n}\n",
		      "8: media: a 'log' section goes inside a role section, not inside media", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_unknown_section)
{
	expect_errors(ROLE_WEB "retention {\n  keep = 3\n}\n",
		      "6: no such section 'retention' (sections here: metrics, webhook, docker, offpeak, role, "
		      "media, watermarks, cleanup, gc)", NO_MORE_ERRORS);
	expect_errors("docker {\n  tls {\n  }\n}\n" ROLE_WEB,
		      "2: docker: no such section 'tls' (no section goes here)", NO_MORE_ERRORS);
	expect_errors(ROLE_WEB "retention \"x\" {\n}\n",
		      "6: no such section 'retention' (sections here: metrics, webhook, docker, offpeak, role, "
		      "media, watermarks, cleanup, gc)", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_deeply_nested)
{
	size_t n = 10000;
	char *text = malloc(n * 4 + 1);

	ck_assert_ptr_nonnull(text);
	for (size_t i = 0; i < n; i++)
		memcpy(text + i * 3, "a {", 3);
	memset(text + n * 3, '}', n);
	text[n * 4] = '\0';
	expect_errors(text, "1: no such section 'a' (sections here: metrics, webhook, docker, offpeak, role, "
		      "media, watermarks, cleanup, gc)", NO_MORE_ERRORS);
	strcpy(text, HEAD);
	for (size_t i = 0; i < 100; i++)
		strcat(text, "match {\n");
	for (size_t i = 0; i < 101; i++)
		strcat(text, "}\n");
	expect_errors(text, "3: role web: match: a 'match' section goes inside a role section, not inside match",
		      NO_MORE_ERRORS);
	free(text);
}
END_TEST

START_TEST(test_err_unset_variable)
{
	unsetenv("ROTD_TEST_UNSET");
	/* libconfuse alone: "docker: socket '' must be an absolute path" */
	expect_errors("docker {\n  socket = ${ROTD_TEST_UNSET}\n}\n" ROLE_WEB,
		      "2: ${ROTD_TEST_UNSET} is not set in rotd's environment", NO_MORE_ERRORS);
	expect_errors("docker {\n  socket = \"${ROTD_TEST_UNSET}/docker.sock\"\n}\n" ROLE_WEB,
		      "2: ${ROTD_TEST_UNSET} is not set in rotd's environment", NO_MORE_ERRORS);
	expect_errors(HEAD "  logs = {\"/a/*.log\", ${ROTD_TEST_UNSET}}\n" SIZE ADIR END,
		      "2: ${ROTD_TEST_UNSET} is not set in rotd's environment", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_variables_set_or_with_default_accepted)
{
	struct rotd_config *cfg;

	ck_assert_int_eq(setenv("ROTD_TEST_SOCK", "/run/test.sock", 1), 0);
	unsetenv("ROTD_TEST_UNSET");
	cfg = expect_ok("docker {\n  socket = ${ROTD_TEST_SOCK}\n}\n" ROLE_WEB);
	ck_assert_str_eq(cfg->docker_socket, "/run/test.sock");
	config_free(cfg);
	cfg = expect_ok("docker {\n  socket = \"${ROTD_TEST_SOCK}.2\"\n}\n" ROLE_WEB);
	ck_assert_str_eq(cfg->docker_socket, "/run/test.sock.2");
	config_free(cfg);
	cfg = expect_ok("docker {\n  socket = ${ROTD_TEST_UNSET:-/run/default.sock}\n}\n" ROLE_WEB);
	ck_assert_str_eq(cfg->docker_socket, "/run/default.sock");
	config_free(cfg);
	unsetenv("ROTD_TEST_SOCK");
}
END_TEST

START_TEST(test_err_variable_joined_to_text)
{
	/* libconfuse alone: "docker: no such option '/docker.sock'" */
	ck_assert_int_eq(setenv("ROTD_TEST_SOCK", "/run", 1), 0);
	expect_errors("docker {\n  socket = ${ROTD_TEST_SOCK}/docker.sock\n  timeout = \"30\"s\n}\n" ROLE_WEB,
		      "2: docker: socket = ${ROTD_TEST_SOCK}/docker.sock: write it as one string in double quotes, "
		      "e.g. \"${ROTD_TEST_SOCK}/docker.sock\"",
		      "3: docker: timeout = \"30\"s: write it as one string in double quotes, e.g. \"30s\"",
		      NO_MORE_ERRORS);
	unsetenv("ROTD_TEST_SOCK");
}
END_TEST

START_TEST(test_err_variable_never_closed)
{
	expect_errors("docker {\n  socket = ${DOCKER_SOCK\n}\n" ROLE_WEB,
		      "2: the variable ${DOCKER_SOCK... is never closed (missing the closing '}' on its line)",
		      NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_bom_accepted)
{
	config_free(expect_ok("\xef\xbb\xbf" ROLE_WEB));
	/* and not taken into the first name or value */
	expect_errors("\xef\xbb\xbfjobs = x\n" ROLE_WEB,
		      "1: jobs 'x' must be a whole number from 0 to 256 (0 = one per CPU)", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_crlf_accepted)
{
	struct rotd_config *cfg = expect_ok("jobs = 3\r\nrole web {\r\n  logs = {\"/var/log/a.log\"}\r\n"
					    "  size = 20M\r\n  archive-dir = /a\r\n}\r\n");

	ck_assert_uint_eq(cfg->jobs, 3);
	ck_assert_str_eq(cfg->roles[0].archive_dir, "/a");
	config_free(cfg);
}
END_TEST

START_TEST(test_err_control_bytes_escaped)
{
	struct strlist errors = STRLIST_INIT;

	expect_errors("jobs = \x1b[31m\xff\n" ROLE_WEB,
		      "1: jobs '\\x1b[31m\\xff' must be a whole number from 0 to 256 (0 = one per CPU)", NO_MORE_ERRORS);
	expect_errors("\x07" "bell = 1\n" ROLE_WEB, "1: no such option '\\x07bell'", NO_MORE_ERRORS);
	expect_errors("role we\x01" "b {\n" LOGS SIZE ADIR END,
		      "1: role name 'we\\x01b' may only use letters, digits, '_', '.' and '-'", NO_MORE_ERRORS);
	/* a C1 control, a lone continuation byte, a cut sequence; valid UTF-8 is kept */
	expect_errors("jobs = \"\xc2\x9b" "1\x80" "2\xe2\x82" "über\"\n" ROLE_WEB,
		      "1: jobs '\\xc2\\x9b1\\x802\\xe2\\x82über' must be a whole number from 0 to 256 "
		      "(0 = one per CPU)", NO_MORE_ERRORS);
	ck_assert_ptr_null(config_load_buffer("jobs = x\n" ROLE_WEB, "a\x1b" "b.conf", &errors));
	assert_list(&errors, "a\\x1bb.conf:1: jobs 'x' must be a whole number from 0 to 256 (0 = one per CPU)",
		    END_OF_LIST);
	strlist_free(&errors);
}
END_TEST

START_TEST(test_err_sorted_by_line_with_syntax_errors)
{
	unsetenv("ROTD_TEST_UNSET");
	/* found in the order 4, 8 (the scan), 1, 10 (the parse) */
	expect_errors("jobs = x\n" HEAD LOGS "  size = 15 MB\n" ADIR END
		      "docker {\n  socket = ${ROTD_TEST_UNSET}\n}\nbogus = 1\n",
		      "1: jobs 'x' must be a whole number from 0 to 256 (0 = one per CPU)",
		      "4: role web: size = 15 MB: write sizes without a space, e.g. 15M (or \"15M\")",
		      "8: ${ROTD_TEST_UNSET} is not set in rotd's environment",
		      "10: no such option 'bogus'", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_same_line_in_order)
{
	expect_errors(HEAD "  logs = {/var/log/my app*.log}\n" SIZE ADIR END,
		      "2: '*' outside quotes is lost by the parser; put patterns in double quotes, "
		      "e.g. \"/var/log/app/*.log\"",
		      "2: role web: logs item /var/log/my app*.log: put an item with spaces in double quotes, "
		      "e.g. \"/var/log/my app*.log\"", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_nothing_after_a_syntax_error)
{
	/* the parse stops at line 1: an unquoted '*' and an unset variable after it
	 * are not reported */
	unsetenv("ROTD_TEST_UNSET");
	expect_errors("bogus = 1\n" HEAD "  logs = {/var/log/*.log}\n  size = ${ROTD_TEST_UNSET}\n" ADIR END,
		      "1: no such option 'bogus'", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_binary_garbage)
{
	/* the start of an ELF file without its NUL bytes: one line, escaped */
	expect_errors("\x7f" "ELF\x02\x01\x01\x03>\x01\xd0" "a@pG\x02@8\n*\n${X}\n\"\xff\n",
		      "1: no such option '\\x7fELF\\x02\\x01\\x01\\x03>\\x01\\xd0" "a@pG\\x02@8'", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_too_many_errors)
{
	size_t n = 150;
	char *text = malloc(n * 16 + sizeof(ROLE_WEB));
	struct strlist errors = STRLIST_INIT;

	ck_assert_ptr_nonnull(text);
	strcpy(text, ROLE_WEB);
	for (size_t i = 0; i < n; i++)
		strcat(text, "jobs = x\n");
	ck_assert_ptr_null(config_load_buffer(text, "many.conf", &errors));
	ck_assert_uint_eq(errors.n, 101);
	ck_assert_str_eq(errors.v[0], "many.conf:6: jobs 'x' must be a whole number from 0 to 256 (0 = one per CPU)");
	ck_assert_str_eq(errors.v[99], "many.conf:56: 'jobs' is already set on line 55");
	ck_assert_str_eq(errors.v[100], "many.conf: and 199 more errors; is this the right file?");
	strlist_free(&errors);
	free(text);
}
END_TEST

START_TEST(test_err_unterminated_string)
{
	expect_errors(ROLE_WEB "jobs = \"abc\n", "6: the string \"abc... is never closed (missing the closing \")",
		      NO_MORE_ERRORS);
	/* the role it is in is not checked: the file ends inside the string */
	expect_errors(HEAD LOGS "  size = \"20M\n" ADIR END,
		      "3: the string \"20M... is never closed (missing the closing \")", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_unclosed_comment_in_a_section)
{
	expect_errors(HEAD LOGS "  /* size = 20M\n" ADIR END, "3: comment '/*' is never closed with '*/'",
		      NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_bad_escapes)
{
	static const char *const escapes[] = { "\\9", "\\08", "\\1234", "\\777" };
	char text[256], want[256];

	for (size_t i = 0; i < sizeof(escapes) / sizeof(escapes[0]); i++) {
		snprintf(text, sizeof(text), "%sjobs = \"%s\"\n", ROLE_WEB, escapes[i]);
		snprintf(want, sizeof(want), "6: '%s' in a string is not an escape; write a backslash as \\\\",
			 escapes[i]);
		expect_errors(text, want, NO_MORE_ERRORS);
	}
}
END_TEST

/* 100 KB of x. New string. */
static char *long_word(void)
{
	char *w = malloc(100 * 1024 + 1);

	ck_assert_ptr_nonnull(w);
	memset(w, 'x', 100 * 1024);
	w[100 * 1024] = '\0';
	return w;
}

#define X64 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"

START_TEST(test_err_100k_line)
{
	char *w = long_word();
	char *text = malloc(strlen(w) + 256);

	ck_assert_ptr_nonnull(text);
	sprintf(text, "%sjobs = %s\n", ROLE_WEB, w);
	expect_errors(text, "6: jobs '" X64 "...' must be a whole number from 0 to 256 (0 = one per CPU)",
		      NO_MORE_ERRORS);
	sprintf(text, "%s%s = 1\n", ROLE_WEB, w);
	expect_errors(text, "6: no such option '" X64 "...'", NO_MORE_ERRORS);
	sprintf(text, "%s  logs = {\"%s\"}\n%s%s%s", HEAD, w, SIZE, ADIR, END);
	expect_errors(text, "2: role web: logs '" X64 "...' must be an absolute path inside the container "
		      "(e.g. /var/log/app/*.log)", NO_MORE_ERRORS);
	sprintf(text, "# %s\n%s", w, ROLE_WEB);
	config_free(expect_ok(text));
	free(text);
	free(w);
}
END_TEST

START_TEST(test_err_number_out_of_range)
{
	expect_errors("jobs = 99999999999999999999\n" ROLE_WEB,
		      "1: jobs '99999999999999999999' must be a whole number from 0 to 256 (0 = one per CPU)",
		      NO_MORE_ERRORS);
	expect_errors(ROLE_WEB "webhook {\n  rate = 601\n}\n",
		      "7: webhook: rate '601' must be a whole number of requests per minute from 1 to 600", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_top_level_option_twice)
{
	expect_errors("jobs = 1\n" ROLE_WEB "jobs = 2\n", "7: 'jobs' is already set on line 1", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_option_path)
{
	/* libconfuse would read it as docker { socket = /x } */
	expect_errors("docker|socket = /x\n" ROLE_WEB,
		      "1: no such option 'docker|socket'; write an option inside its section, "
		      "e.g. docker { socket = ... }", NO_MORE_ERRORS);
}
END_TEST

/* ---- state file, cleanup and gc ---------------------------------------- */

#define CLEANUP_CMD "/opt/whatsapp/bin/cleanup.sh"

START_TEST(test_shipped_state_cleanup_gc)
{
	struct strlist errors = STRLIST_INIT;
	struct rotd_config *cfg = config_load(SHIPPED, &errors);

	ck_assert_ptr_nonnull(cfg);
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

START_TEST(test_state_cleanup_gc_defaults)
{
	struct rotd_config *cfg = expect_ok(ROLE_WEB);

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
	config_free(cfg);
}
END_TEST

START_TEST(test_default_cleanup_roles_in_default_order)
{
	struct rotd_config *cfg = expect_ok("role master {\n" LOGS SIZE ADIR END
					    "role other {\n" LOGS SIZE ADIR END ROLE_WEB);

	assert_list(&cfg->cleanup.roles, "web", "master", END_OF_LIST);
	config_free(cfg);
}
END_TEST

START_TEST(test_cleanup_section_without_roles_gets_defaults)
{
	struct rotd_config *cfg = expect_ok("cleanup {\n  timeout = 90s\n}\n" ROLE_WEB);

	ck_assert_uint_eq(cfg->cleanup.timeout, 90);
	assert_list(&cfg->cleanup.command, CLEANUP_CMD, END_OF_LIST);
	ck_assert_uint_eq(cfg->cleanup.concurrency, 4);
	assert_list(&cfg->cleanup.roles, "web", END_OF_LIST);
	config_free(cfg);
}
END_TEST

START_TEST(test_cleanup_and_gc_set)
{
	struct rotd_config *cfg = expect_ok(
		"state-file = \"/srv/rotd/state.json\"\n"
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
		ROLE_WEB "role other {\n" LOGS SIZE ADIR END);

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
	config_free(cfg);
}
END_TEST

START_TEST(test_cleanup_roles_empty_runs_nowhere)
{
	struct rotd_config *cfg = expect_ok(ROLE_WEB "cleanup {\n  roles = {}\n  concurrency = 1\n}\n");

	ck_assert_uint_eq(cfg->cleanup.roles.n, 0);
	ck_assert_uint_eq(cfg->cleanup.concurrency, 1);
	config_free(cfg);
}
END_TEST

START_TEST(test_gc_enabled_with_env_file_only)
{
	struct rotd_config *cfg = expect_ok(ROLE_WEB "gc {\n  enabled = true\n"
					    "  env-file = /opt/whatsapp/.env\n}\n");

	ck_assert_int_eq(cfg->gc.enabled, 1);
	ck_assert_ptr_null(cfg->gc.endpoint);
	ck_assert_str_eq(cfg->gc.env_file, "/opt/whatsapp/.env");
	config_free(cfg);
}
END_TEST

START_TEST(test_gc_enabled_with_endpoint_only)
{
	struct rotd_config *cfg = expect_ok(ROLE_WEB "gc {\n  enabled = true\n"
					    "  endpoint = \"https://localhost:9090\"\n}\n");

	ck_assert_int_eq(cfg->gc.enabled, 1);
	ck_assert_str_eq(cfg->gc.endpoint, "https://localhost:9090");
	ck_assert_ptr_null(cfg->gc.env_file);
	config_free(cfg);
}
END_TEST

START_TEST(test_err_lock_file_and_wait)
{
	expect_errors(ROLE_WEB "lock-file = rotd.lock\nlock-wait = soon\n",
		      "6: lock-file 'rotd.lock' must be an absolute path",
		      "7: lock-wait 'soon' is not a duration (examples: 7d, 12h, 0)", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_lock_defaults_and_values)
{
	struct strlist errors = STRLIST_INIT;
	struct rotd_config *cfg = config_load(unit_write_temp("rotd.conf", ROLE_WEB), &errors);

	ck_assert_ptr_nonnull(cfg);
	ck_assert_str_eq(cfg->lock_file, "/run/rotd.lock");
	ck_assert_uint_eq(cfg->lock_wait, 300);
	config_free(cfg);
	cfg = config_load(unit_write_temp("rotd.conf", ROLE_WEB "lock-file = /tmp/x.lock\nlock-wait = 0\n"), &errors);
	ck_assert_ptr_nonnull(cfg);
	ck_assert_str_eq(cfg->lock_file, "/tmp/x.lock");
	ck_assert_uint_eq(cfg->lock_wait, 0);
	config_free(cfg);
	strlist_free(&errors);
}
END_TEST

START_TEST(test_err_state_file_relative)
{
	expect_errors(ROLE_WEB "state-file = state.json\n",
		      "6: state-file 'state.json' must be an absolute path", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_state_file_dotdot)
{
	expect_errors(ROLE_WEB "state-file = /var/lib/../state.json\n",
		      "6: state-file '/var/lib/../state.json' must not contain a '..' component", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_state_file_folder)
{
	expect_errors(ROLE_WEB "state-file = /var/lib/rotd/\n",
		      "6: state-file '/var/lib/rotd/' must name a file, not a folder", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_cleanup_timeout_not_a_duration)
{
	expect_errors(ROLE_WEB "cleanup {\n  timeout = soon\n}\n",
		      "7: cleanup: timeout 'soon' is not a duration from 1s to 1d (examples: 30s, 2m)",
		      NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_cleanup_timeout_zero)
{
	expect_errors(ROLE_WEB "cleanup {\n  timeout = 0\n}\n",
		      "7: cleanup: timeout '0' is not a duration from 1s to 1d (examples: 30s, 2m)",
		      NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_cleanup_timeout_too_long)
{
	expect_errors(ROLE_WEB "cleanup {\n  timeout = 25h\n}\n",
		      "7: cleanup: timeout '25h' is not a duration from 1s to 1d (examples: 30s, 2m)",
		      NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_cleanup_concurrency_zero)
{
	expect_errors(ROLE_WEB "cleanup {\n  concurrency = 0\n}\n",
		      "7: cleanup: concurrency '0' must be a whole number from 1 to 64", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_cleanup_concurrency_too_many)
{
	expect_errors(ROLE_WEB "cleanup {\n  concurrency = 65\n}\n",
		      "7: cleanup: concurrency '65' must be a whole number from 1 to 64", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_cleanup_command_empty)
{
	expect_errors(ROLE_WEB "cleanup {\n  command = {}\n}\n",
		      "6: cleanup: 'command' is empty; give the program and its arguments, "
		      "e.g. {\"" CLEANUP_CMD "\"}", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_cleanup_command_empty_argument)
{
	expect_errors(ROLE_WEB "cleanup {\n  command = {\"/bin/x\", \"\"}\n}\n",
		      "7: cleanup: command '' must not be empty", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_cleanup_command_relative)
{
	expect_errors(ROLE_WEB "cleanup {\n  timeout = 5m\n  command = {\"cleanup.sh\", \"-v\"}\n}\n",
		      "8: cleanup: command 'cleanup.sh' must start with the program's absolute path "
		      "inside the container (e.g. " CLEANUP_CMD ")", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_cleanup_unknown_role)
{
	/* Checked after every role is read: web, defined later, is fine. */
	expect_errors("cleanup {\n  timeout = 5m\n  roles = {\"web\", \"wacore\"}\n}\n" ROLE_WEB,
		      "3: cleanup: roles names 'wacore', which is not a defined role (defined: web)",
		      NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_cleanup_unknown_role_on_later_line)
{
	expect_errors(ROLE_WEB "role core {\n" LOGS SIZE ADIR END
		      "cleanup {\n  roles = {\"web\",\n    \"master\"}\n}\n",
		      "13: cleanup: roles names 'master', which is not a defined role (defined: web, core)",
		      NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_cleanup_role_twice)
{
	expect_errors(ROLE_WEB "cleanup {\n  roles = {\"web\",\n    \"web\"}\n}\n",
		      "8: cleanup: roles names 'web' twice", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_cleanup_twice)
{
	expect_errors("cleanup {\n  timeout = 5m\n}\n" ROLE_WEB "cleanup {\n  concurrency = 2\n}\n",
		      "9: cleanup: a second cleanup section (first on line 1); put its options in one section",
		      NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_gc_twice)
{
	expect_errors(ROLE_WEB "gc {\n  enabled = false\n}\n\ngc {\n  timeout = 30s\n}\n",
		      "10: gc: a second gc section (first on line 6); put its options in one section",
		      NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_gc_enabled_without_endpoint)
{
	expect_errors(ROLE_WEB "gc {\n  username = admin\n  enabled = true\n}\n",
		      "6: gc: enabled = true needs an endpoint, or an env-file with WA_WEB_ENDPOINT=",
		      NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_gc_enabled_not_a_bool)
{
	expect_errors(ROLE_WEB "gc {\n  enabled = maybe\n}\n",
		      "7: gc: enabled 'maybe' must be true or false", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_gc_verify_tls_not_a_bool)
{
	expect_errors(ROLE_WEB "gc {\n  verify-tls = 0\n}\n",
		      "7: gc: verify-tls '0' must be true or false", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_gc_endpoint_scheme)
{
	expect_errors(ROLE_WEB "gc {\n  endpoint = \"localhost:9090\"\n}\n",
		      "7: gc: endpoint 'localhost:9090' must start with https:// or http:// "
		      "(e.g. \"https://localhost:9090\")", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_gc_endpoint_ftp)
{
	expect_errors(ROLE_WEB "gc {\n  endpoint = \"ftp://localhost:9090\"\n}\n",
		      "7: gc: endpoint 'ftp://localhost:9090' must start with https:// or http:// "
		      "(e.g. \"https://localhost:9090\")", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_gc_endpoint_unquoted)
{
	expect_errors(ROLE_WEB "gc {\n  endpoint = https://localhost:9090\n}\n",
		      "7: gc: endpoint 'https:' lost its '//...' to a comment; put the endpoint in double "
		      "quotes (e.g. \"https://localhost:9090\")", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_gc_endpoint_space)
{
	expect_errors(ROLE_WEB "gc {\n  endpoint = \"https://local host:9090\"\n}\n",
		      "7: gc: endpoint 'https://local host:9090' must not contain spaces", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_gc_endpoint_no_host)
{
	expect_errors(ROLE_WEB "gc {\n  endpoint = \"https://\"\n}\n",
		      "7: gc: endpoint 'https://' has no host (e.g. \"https://localhost:9090\")", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_gc_env_file_relative)
{
	expect_errors(ROLE_WEB "gc {\n  env-file = .env\n}\n",
		      "7: gc: env-file '.env' must be an absolute path", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_gc_ca_file_relative)
{
	expect_errors(ROLE_WEB "gc {\n  ca-file = certs/ca.pem\n}\n",
		      "7: gc: ca-file 'certs/ca.pem' must be an absolute path", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_gc_timeout_too_long)
{
	expect_errors(ROLE_WEB "gc {\n  timeout = 2h\n}\n",
		      "7: gc: timeout '2h' is not a duration from 1s to 1h (examples: 60s, 2m)", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_gc_timeout_zero)
{
	expect_errors(ROLE_WEB "gc {\n  timeout = 0\n}\n",
		      "7: gc: timeout '0' is not a duration from 1s to 1h (examples: 60s, 2m)", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_gc_unknown_option)
{
	expect_errors(ROLE_WEB "gc {\n  # a comment\n  user = admin\n}\n",
		      "8: gc: no such option 'user'", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_cleanup_gc_errors_in_order)
{
	/* The section's own errors, the later roles check and the rest, by line. */
	expect_errors("gc {\n  enabled = true\n}\n"
		      "cleanup {\n  roles = {\"db\"}\n  concurrency = 99\n}\n"
		      HEAD LOGS "  size = 0\n" ADIR END,
		      "1: gc: enabled = true needs an endpoint, or an env-file with WA_WEB_ENDPOINT=",
		      "5: cleanup: roles names 'db', which is not a defined role (defined: web)",
		      "6: cleanup: concurrency '99' must be a whole number from 1 to 64",
		      "10: role web: size '0' must be more than 0 (examples: 20M, 15MB, 512K)",
		      NO_MORE_ERRORS);
}
END_TEST

/* ---- daemon, metrics and webhook --------------------------------------- */

START_TEST(test_daemon_metrics_webhook_defaults)
{
	struct rotd_config *cfg = expect_ok(ROLE_WEB);

	ck_assert_uint_eq(cfg->interval, 60);
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
	config_free(cfg);
}
END_TEST

START_TEST(test_daemon_metrics_webhook_set)
{
	char *tokfile = strdup(unit_write_temp("hook.token", "s3cret\nignored\n"));
	char text[1024];
	struct rotd_config *cfg;

	snprintf(text, sizeof(text), ROLE_WEB "interval = 5m\nstop-timeout = 0\nstatus-file = /tmp/s.json\n"
		 "metrics {\n  file = \"\"\n  listen = \"[::1]:9473\"\n}\n"
		 "webhook {\n  listen = \"127.0.0.1:9474\"\n  token-file = \"%s\"\n  alerts = {\"Disk*\"}\n"
		 "  hosts = {\"db1.example.com\"}\n  rate = 60\n}\n", tokfile);
	cfg = expect_ok(text);
	ck_assert_uint_eq(cfg->interval, 300);
	ck_assert_uint_eq(cfg->stop_timeout, 0);
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

START_TEST(test_daemon_metrics_webhook_errors)
{
	expect_errors(ROLE_WEB "interval = 0\n",
		      "6: interval '0' is not a duration greater than 0 (examples: 30d, 1h, 90s, 2w)", NO_MORE_ERRORS);
	expect_errors(ROLE_WEB "metrics {\n  listen = \"localhost:9473\"\n}\n",
		      "7: metrics: listen 'localhost:9473' must be \"\" (off) or ADDR:PORT with a numeric IP address, "
		      "e.g. 127.0.0.1:9473 or [::1]:9473", NO_MORE_ERRORS);
	expect_errors(ROLE_WEB "webhook {\n  listen = \"127.0.0.1:9474\"\n}\n",
		      "6: webhook: listen needs a token or a token-file (the bearer token Alertmanager sends)",
		      NO_MORE_ERRORS);
	expect_errors(ROLE_WEB "webhook {\n  listen = \"127.0.0.1:9474\"\n  token = \"a\"\n"
		      "  token-file = \"/etc/t\"\n}\n",
		      "6: webhook: give either token or token-file, not both", NO_MORE_ERRORS);
	expect_errors(ROLE_WEB "webhook {\n  listen = \"127.0.0.1:9474\"\n  token-file = \"/nonexistent/t\"\n}\n",
		      "6: webhook: cannot read the token-file /nonexistent/t: No such file or directory", NO_MORE_ERRORS);
	expect_errors(ROLE_WEB "webhook {\n  rate = 601\n}\n",
		      "7: webhook: rate '601' must be a whole number of requests per minute from 1 to 600", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_max_age)
{
	expect_errors(HEAD LOGS SIZE ADIR "  max-age = 14days\n" END,
		      "5: role web: max-age '14days' is not a duration "
		      "(examples: 14d, 2w, 90d; 0 keeps archives of any age)", NO_MORE_ERRORS);
	expect_errors(HEAD LOGS SIZE ADIR "  max-age = -1d\n" END,
		      "5: role web: max-age '-1d' is not a duration "
		      "(examples: 14d, 2w, 90d; 0 keeps archives of any age)", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_max_size)
{
	expect_errors(HEAD LOGS SIZE ADIR "  max-size = 1X\n" END,
		      "5: role web: max-size '1X' is not a size (examples: 1G, 500M, 2GiB; 0 sets no budget)",
		      NO_MORE_ERRORS);
	expect_errors(HEAD LOGS SIZE ADIR "  max-size = 99999999999999999999T\n" END,
		      "5: role web: max-size '99999999999999999999T' is not a size "
		      "(examples: 1G, 500M, 2GiB; 0 sets no budget)", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_log_max_age_and_max_size)
{
	expect_errors(HEAD LOGS SIZE ADIR WLOG "    max-age = 1y\n    max-size = -5M\n" LEND END,
		      "6: role web: log \"/var/log/whatsapp/*.log\": max-age '1y' is not a duration "
		      "(examples: 14d, 2w, 90d; 0 keeps archives of any age)",
		      "7: role web: log \"/var/log/whatsapp/*.log\": max-size '-5M' is not a size "
		      "(examples: 1G, 500M, 2GiB; 0 sets no budget)", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_max_age_set_twice)
{
	expect_errors(HEAD LOGS SIZE ADIR "  max-age = 1d\n  max-age = 2d\n" END,
		      "6: role web: 'max-age' is already set on line 5", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_archive_floor)
{
	expect_errors(ROLE_WEB "watermarks {\n  archive-floor = 1day\n}\n",
		      "7: watermarks: archive-floor '1day' is not a duration (examples: 7d, 12h, 0)", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_remediation_backoff)
{
	expect_errors(ROLE_WEB "watermarks {\n  remediation-backoff = 0\n}\n",
		      "7: watermarks: remediation-backoff '0' is not a duration greater than 0 "
		      "(examples: 30d, 1h, 90s, 2w)", NO_MORE_ERRORS);
	expect_errors(ROLE_WEB "watermarks {\n  high = 90\n\n  remediation-backoff = soon\n}\n",
		      "9: watermarks: remediation-backoff 'soon' is not a duration greater than 0 "
		      "(examples: 30d, 1h, 90s, 2w)", NO_MORE_ERRORS);
}
END_TEST

START_TEST(test_err_retention_options_out_of_place)
{
	expect_errors("max-age = 1d\n" ROLE_WEB, "1: no such option 'max-age'", NO_MORE_ERRORS);
	expect_errors(ROLE_WEB "watermarks {\n  max-size = 1G\n}\n", "7: watermarks: no such option 'max-size'",
		      NO_MORE_ERRORS);
	expect_errors(HEAD LOGS SIZE ADIR "  archive-floor = 1d\n" END, "5: role web: no such option 'archive-floor'",
		      NO_MORE_ERRORS);
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

Suite *unit_suite(void)
{
	Suite *s = suite_create("config");
	TCase *ok = tcase_create("accepted");
	TCase *bad = tcase_create("rejected");
	TCase *input = tcase_create("bad input");

	tcase_add_test(ok, test_shipped_conf_loads);
	tcase_add_test(ok, test_status_file_of_a_broken_file);
	tcase_add_test(ok, test_shipped_roles_in_order);
	tcase_add_test(ok, test_shipped_whatsapp_policies);
	tcase_add_test(ok, test_shipped_log_policies);
	tcase_add_test(ok, test_shipped_matching_rules);
	tcase_add_test(ok, test_shipped_jobs_media_watermarks);
	tcase_add_test(ok, test_builtin_defaults_equal_file);
	tcase_add_test(ok, test_config_role_finds_by_name);
	tcase_add_test(ok, test_default_path_and_free_null);
	tcase_add_test(ok, test_repeated_loads_after_errors);
	tcase_add_test(ok, test_defaults_fill_a_minimal_file);
	tcase_add_test(ok, test_no_media_section_means_no_pruning);
	tcase_add_test(ok, test_quoted_and_unquoted_values);
	tcase_add_test(ok, test_zstd_level_default_and_max);
	tcase_add_test(ok, test_rename_with_postrotate);
	tcase_add_test(ok, test_match_lists_and_env_forms);
	tcase_add_test(ok, test_media_rules_with_globs);
	tcase_add_test(ok, test_comments_keep_line_numbers);
	tcase_add_test(ok, test_hash_inside_quotes_is_kept);
	tcase_add_test(ok, test_load_buffer_names_the_source);
	tcase_add_test(ok, test_errors_are_appended);
	tcase_add_test(ok, test_jobs_upper_bound_accepted);
	tcase_add_test(ok, test_logs_dots_inside_names_accepted);
	tcase_add_test(ok, test_role_name_characters_accepted);
	tcase_add_test(ok, test_idle_after_zero_accepted);
	tcase_add_test(ok, test_log_policies_without_sections);
	tcase_add_test(ok, test_log_override_size);
	tcase_add_test(ok, test_log_override_keep);
	tcase_add_test(ok, test_log_override_compress);
	tcase_add_test(ok, test_log_override_compress_level);
	tcase_add_test(ok, test_log_override_archive_dir);
	tcase_add_test(ok, test_log_override_method_and_postrotate);
	tcase_add_test(ok, test_log_override_idle_after);
	tcase_add_test(ok, test_log_override_everything);
	tcase_add_test(ok, test_retention_in_role_reaches_every_pattern);
	tcase_add_test(ok, test_log_override_max_age);
	tcase_add_test(ok, test_log_override_max_size);
	tcase_add_test(ok, test_log_override_turns_retention_off);
	tcase_add_test(ok, test_watermarks_archive_floor_and_backoff);
	tcase_add_test(ok, test_log_postrotate_inherited_and_replaced);
	tcase_add_test(ok, test_log_level_inherited_with_other_compressor);
	tcase_add_test(ok, test_log_sections_in_any_order_and_roles);
	tcase_add_test(ok, test_shipped_state_cleanup_gc);
	tcase_add_test(ok, test_state_cleanup_gc_defaults);
	tcase_add_test(ok, test_daemon_metrics_webhook_defaults);
	tcase_add_test(ok, test_daemon_metrics_webhook_set);
	tcase_add_test(ok, test_daemon_metrics_webhook_errors);
	tcase_add_test(ok, test_default_cleanup_roles_in_default_order);
	tcase_add_test(ok, test_cleanup_section_without_roles_gets_defaults);
	tcase_add_test(ok, test_cleanup_and_gc_set);
	tcase_add_test(ok, test_cleanup_roles_empty_runs_nowhere);
	tcase_add_test(ok, test_gc_enabled_with_env_file_only);
	tcase_add_test(ok, test_gc_enabled_with_endpoint_only);
	suite_add_tcase(s, ok);

	tcase_add_test(bad, test_err_size_not_a_size);
	tcase_add_test(bad, test_err_size_zero);
	tcase_add_test(bad, test_err_size_overflow);
	tcase_add_test(bad, test_err_idle_after_not_a_duration);
	tcase_add_test(bad, test_err_idle_after_negative);
	tcase_add_test(bad, test_err_max_age);
	tcase_add_test(bad, test_err_max_size);
	tcase_add_test(bad, test_err_log_max_age_and_max_size);
	tcase_add_test(bad, test_err_max_age_set_twice);
	tcase_add_test(bad, test_err_archive_floor);
	tcase_add_test(bad, test_err_remediation_backoff);
	tcase_add_test(bad, test_err_retention_options_out_of_place);
	tcase_add_test(bad, test_err_window_start_equals_end);
	tcase_add_test(bad, test_err_window_bad_hour);
	tcase_add_test(bad, test_err_percent);
	tcase_add_test(bad, test_err_watermarks_low_not_below_high);
	tcase_add_test(bad, test_err_watermarks_high_below_default_low);
	tcase_add_test(bad, test_err_keep_zero);
	tcase_add_test(bad, test_err_keep_too_many);
	tcase_add_test(bad, test_err_keep_not_a_number);
	tcase_add_test(bad, test_err_jobs_too_many);
	tcase_add_test(bad, test_err_jobs_negative);
	tcase_add_test(bad, test_err_compress_unknown);
	tcase_add_test(bad, test_err_level_out_of_range_for_gzip);
	tcase_add_test(bad, test_err_level_out_of_range_for_zstd);
	tcase_add_test(bad, test_err_level_zero);
	tcase_add_test(bad, test_err_level_not_a_number);
	tcase_add_test(bad, test_err_method_unknown);
	tcase_add_test(bad, test_err_rename_without_postrotate);
	tcase_add_test(bad, test_err_postrotate_without_rename);
	tcase_add_test(bad, test_err_postrotate_empty_argument);
	tcase_add_test(bad, test_err_logs_relative);
	tcase_add_test(bad, test_err_logs_dotdot);
	tcase_add_test(bad, test_err_logs_wildcard_in_folder);
	tcase_add_test(bad, test_err_logs_bracket_in_folder);
	tcase_add_test(bad, test_err_logs_names_a_folder);
	tcase_add_test(bad, test_err_logs_empty_list);
	tcase_add_test(bad, test_err_logs_missing);
	tcase_add_test(bad, test_err_size_missing);
	tcase_add_test(bad, test_err_archive_dir_missing);
	tcase_add_test(bad, test_err_missing_options_at_section_start);
	tcase_add_test(bad, test_err_archive_dir_relative);
	tcase_add_test(bad, test_err_archive_dir_dotdot);
	tcase_add_test(bad, test_err_socket_relative);
	tcase_add_test(bad, test_err_timeout_zero);
	tcase_add_test(bad, test_err_timeout_too_long);
	tcase_add_test(bad, test_err_media_root_missing);
	tcase_add_test(bad, test_err_media_root_relative);
	tcase_add_test(bad, test_err_media_root_dotdot);
	tcase_add_test(bad, test_err_media_floor);
	tcase_add_test(bad, test_err_rule_path_absolute);
	tcase_add_test(bad, test_err_rule_path_dotdot);
	tcase_add_test(bad, test_err_rule_path_empty);
	tcase_add_test(bad, test_err_rule_path_and_age_missing);
	tcase_add_test(bad, test_err_rule_age);
	tcase_add_test(bad, test_err_rule_globs_with_slash);
	tcase_add_test(bad, test_err_rule_name);
	tcase_add_test(bad, test_err_role_named_none);
	tcase_add_test(bad, test_err_role_name_characters);
	tcase_add_test(bad, test_err_match_without_condition);
	tcase_add_test(bad, test_err_match_with_only_not_env);
	tcase_add_test(bad, test_err_match_empty_pattern);
	tcase_add_test(bad, test_err_env_key_starts_with_digit);
	tcase_add_test(bad, test_err_env_without_key);
	tcase_add_test(bad, test_err_not_env_bad_key);
	tcase_add_test(bad, test_err_no_role);
	tcase_add_test(bad, test_err_empty_file);
	tcase_add_test(bad, test_err_unquoted_star);
	tcase_add_test(bad, test_err_option_set_twice);
	tcase_add_test(bad, test_err_all_semantic_errors_in_order);
	tcase_add_test(bad, test_err_sorted_by_line_not_by_discovery);
	tcase_add_test(bad, test_err_semantic_then_syntax);
	tcase_add_test(bad, test_err_unknown_option);
	tcase_add_test(bad, test_err_unknown_option_in_role);
	tcase_add_test(bad, test_err_unknown_option_in_match);
	tcase_add_test(bad, test_err_duplicate_role);
	tcase_add_test(bad, test_err_duplicate_rule);
	tcase_add_test(bad, test_err_role_without_title);
	tcase_add_test(bad, test_err_unclosed_section);
	tcase_add_test(bad, test_err_stray_closing_brace);
	tcase_add_test(bad, test_err_unterminated_list);
	tcase_add_test(bad, test_err_unclosed_comment);
	tcase_add_test(bad, test_err_missing_file);
	tcase_add_test(bad, test_err_path_is_a_folder);
	tcase_add_test(bad, test_err_nul_byte);
	tcase_add_test(bad, test_err_log_not_a_pattern);
	tcase_add_test(bad, test_err_log_pattern_of_another_role);
	tcase_add_test(bad, test_err_log_duplicate);
	tcase_add_test(bad, test_err_log_without_title);
	tcase_add_test(bad, test_err_log_unknown_option);
	tcase_add_test(bad, test_err_log_option_set_twice);
	tcase_add_test(bad, test_err_log_size);
	tcase_add_test(bad, test_err_log_keep);
	tcase_add_test(bad, test_err_log_compress);
	tcase_add_test(bad, test_err_log_level_not_a_number);
	tcase_add_test(bad, test_err_log_level_for_role_compressor);
	tcase_add_test(bad, test_err_log_level_for_own_compressor);
	tcase_add_test(bad, test_err_log_compressor_against_role_level);
	tcase_add_test(bad, test_err_log_role_level_reported_once);
	tcase_add_test(bad, test_err_log_archive_dir);
	tcase_add_test(bad, test_err_log_method);
	tcase_add_test(bad, test_err_log_rename_without_postrotate);
	tcase_add_test(bad, test_err_log_postrotate_without_rename);
	tcase_add_test(bad, test_err_log_copytruncate_with_role_postrotate);
	tcase_add_test(bad, test_err_log_empty_postrotate_with_role_rename);
	tcase_add_test(bad, test_err_log_postrotate_empty_argument);
	tcase_add_test(bad, test_err_log_idle_after);
	tcase_add_test(bad, test_err_log_does_not_satisfy_required);
	tcase_add_test(bad, test_err_log_errors_with_the_rest_in_order);
	tcase_add_test(bad, test_err_state_file_relative);
	tcase_add_test(bad, test_err_lock_file_and_wait);
	tcase_add_test(bad, test_lock_defaults_and_values);
	tcase_add_test(bad, test_err_state_file_dotdot);
	tcase_add_test(bad, test_err_state_file_folder);
	tcase_add_test(bad, test_err_cleanup_timeout_not_a_duration);
	tcase_add_test(bad, test_err_cleanup_timeout_zero);
	tcase_add_test(bad, test_err_cleanup_timeout_too_long);
	tcase_add_test(bad, test_err_cleanup_concurrency_zero);
	tcase_add_test(bad, test_err_cleanup_concurrency_too_many);
	tcase_add_test(bad, test_err_cleanup_command_empty);
	tcase_add_test(bad, test_err_cleanup_command_empty_argument);
	tcase_add_test(bad, test_err_cleanup_command_relative);
	tcase_add_test(bad, test_err_cleanup_unknown_role);
	tcase_add_test(bad, test_err_cleanup_unknown_role_on_later_line);
	tcase_add_test(bad, test_err_cleanup_role_twice);
	tcase_add_test(bad, test_err_cleanup_twice);
	tcase_add_test(bad, test_err_gc_twice);
	tcase_add_test(bad, test_err_gc_enabled_without_endpoint);
	tcase_add_test(bad, test_err_gc_enabled_not_a_bool);
	tcase_add_test(bad, test_err_gc_verify_tls_not_a_bool);
	tcase_add_test(bad, test_err_gc_endpoint_scheme);
	tcase_add_test(bad, test_err_gc_endpoint_ftp);
	tcase_add_test(bad, test_err_gc_endpoint_unquoted);
	tcase_add_test(bad, test_err_gc_endpoint_space);
	tcase_add_test(bad, test_err_gc_endpoint_no_host);
	tcase_add_test(bad, test_err_gc_env_file_relative);
	tcase_add_test(bad, test_err_gc_ca_file_relative);
	tcase_add_test(bad, test_err_gc_timeout_too_long);
	tcase_add_test(bad, test_err_gc_timeout_zero);
	tcase_add_test(bad, test_err_gc_unknown_option);
	tcase_add_test(bad, test_err_cleanup_gc_errors_in_order);
	suite_add_tcase(s, bad);
	tcase_add_test(input, test_err_config_is_a_fifo);
	tcase_add_test(input, test_err_config_is_a_device_or_folder);
	tcase_add_test(input, test_err_config_is_a_socket);
	tcase_add_test(input, test_err_config_too_large);
	tcase_add_test(input, test_config_of_1_mib_accepted);
	tcase_add_test(input, test_err_timezone_unknown);
	tcase_add_test(input, test_err_timezone_not_a_name);
	tcase_add_test(input, test_timezone_names_accepted);
	tcase_add_test(input, test_err_timezone_folder_or_not_tzif);
	tcase_add_test(input, test_err_size_with_space);
	tcase_add_test(input, test_err_duration_with_space);
	tcase_add_test(input, test_err_other_values_with_space);
	tcase_add_test(input, test_err_list_item_with_space);
	tcase_add_test(input, test_statements_on_one_line_accepted);
	tcase_add_test(input, test_err_missing_brace_before_next_section);
	tcase_add_test(input, test_err_missing_brace_others_still_reported);
	tcase_add_test(input, test_err_missing_brace_of_inner_section);
	tcase_add_test(input, test_err_missing_braces_at_the_end);
	tcase_add_test(input, test_err_list_missing_brace_or_comma);
	tcase_add_test(input, test_err_section_in_the_wrong_place);
	tcase_add_test(input, test_err_unknown_section);
	tcase_add_test(input, test_err_deeply_nested);
	tcase_add_test(input, test_err_unset_variable);
	tcase_add_test(input, test_variables_set_or_with_default_accepted);
	tcase_add_test(input, test_err_variable_joined_to_text);
	tcase_add_test(input, test_err_variable_never_closed);
	tcase_add_test(input, test_bom_accepted);
	tcase_add_test(input, test_crlf_accepted);
	tcase_add_test(input, test_err_control_bytes_escaped);
	tcase_add_test(input, test_err_sorted_by_line_with_syntax_errors);
	tcase_add_test(input, test_err_same_line_in_order);
	tcase_add_test(input, test_err_nothing_after_a_syntax_error);
	tcase_add_test(input, test_err_binary_garbage);
	tcase_add_test(input, test_err_too_many_errors);
	tcase_add_test(input, test_err_unterminated_string);
	tcase_add_test(input, test_err_unclosed_comment_in_a_section);
	tcase_add_test(input, test_err_bad_escapes);
	tcase_add_test(input, test_err_100k_line);
	tcase_add_test(input, test_err_number_out_of_range);
	tcase_add_test(input, test_err_top_level_option_twice);
	tcase_add_test(input, test_err_option_path);
	suite_add_tcase(s, input);
	return s;
}
