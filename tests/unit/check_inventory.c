/* Role classification with the built-in WhatsApp rules, and inspect decoding. */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "engine/inventory.h"
#include "unit.h"

static struct rotd_config *cfg;

static void setup(void)
{
	cfg = config_load_defaults();
}

static void teardown(void)
{
	config_free(cfg);
}

/* The role name classification gives, "-" for none, "!label" for a bad label. */
static const char *classify(const char *image, const char *name, const char *service, const char *label,
			    const char *env1)
{
	struct strlist env = STRLIST_INIT;
	struct container_facts f = { image, name, service, label, &env };
	const struct role_policy *role;
	enum classify_result r;

	strlist_add(&env, "PATH=/bin");
	if (env1)
		strlist_add(&env, env1);
	r = inventory_classify(cfg, &f, &role);
	strlist_free(&env);
	switch (r) {
	case CLASSIFY_ROLE:
		return role->name;
	case CLASSIFY_NONE:
		return "-";
	case CLASSIFY_LABEL_NONE:
		return "none";
	case CLASSIFY_LABEL_UNKNOWN:
		break;
	}
	return "!label";
}

START_TEST(web_by_image_or_service)
{
	ck_assert_str_eq(classify("docker.whatsapp.biz/web:v2.51.1", "biz_waweb_1", "waweb", NULL, NULL), "web");
	ck_assert_str_eq(classify("docker.whatsapp.biz/web:v2.51.1", "whatever", NULL, NULL, NULL), "web");
	ck_assert_str_eq(classify("registry.local/mirror/web:2", "biz-waweb-1", "waweb", NULL, NULL), "web");
}
END_TEST

START_TEST(core_versus_master)
{
	ck_assert_str_eq(classify("docker.whatsapp.biz/coreapp:v2.51.1", "biz_wacore_1", "wacore", NULL, NULL), "core");
	ck_assert_str_eq(classify("docker.whatsapp.biz/coreapp:v2.51.1", "biz-master1-1", "master1", NULL,
				  "WA_MASTER_NODE=1"), "master");
	ck_assert_str_eq(classify("docker.whatsapp.biz/coreapp:v2.51.1", "x", NULL, NULL, "WA_MASTER_NODE=1"), "master");
	ck_assert_str_eq(classify("docker.whatsapp.biz/coreapp:v2.51.1", "x", NULL, NULL, "WA_MASTER_NODE=0"), "core");
	ck_assert_str_eq(classify("mirror/coreapp:1", "biz_wacore3_1", "wacore3", NULL, NULL), "core");
	ck_assert_str_eq(classify("mirror/coreapp:1", "biz_master2_1", "master2", NULL, NULL), "master");
}
END_TEST

START_TEST(others_are_ignored)
{
	ck_assert_str_eq(classify("mysql:5.7", "biz_db_1", "db", NULL, NULL), "-");
	ck_assert_str_eq(classify("busybox:latest", "unrelated", NULL, NULL, NULL), "-");
	ck_assert_str_eq(classify("docker.whatsapp.biz/webhook:1", "x", NULL, NULL, NULL), "-");
}
END_TEST

START_TEST(label_overrides)
{
	ck_assert_str_eq(classify("busybox:latest", "custom", NULL, "web", NULL), "web");
	ck_assert_str_eq(classify("docker.whatsapp.biz/web:v2", "biz_waweb_1", "waweb", "none", NULL), "none");
	ck_assert_str_eq(classify("docker.whatsapp.biz/web:v2", "biz_waweb_1", "waweb", "wbe", NULL), "!label");
}
END_TEST

static const char *inspect_running =
	"{\"Id\":\"4f1c0de0aa11bb22cc33dd44ee55ff6600112233445566778899aabbccddeeff\","
	"\"Name\":\"/biz_waweb_1\","
	"\"State\":{\"Status\":\"running\",\"Running\":true,\"Pid\":4242,\"StartedAt\":\"2026-11-22T01:02:03Z\"},"
	"\"Config\":{\"Image\":\"docker.whatsapp.biz/web:v2.51.1\",\"Env\":[\"PATH=/bin\"],"
	"\"Labels\":{\"com.docker.compose.project\":\"biz\",\"com.docker.compose.service\":\"waweb\"}},"
	"\"Mounts\":[{\"Type\":\"volume\",\"Name\":\"whatsappMedia\",\"Source\":\"/var/lib/docker/volumes/whatsappMedia/_data\","
	"\"Destination\":\"/usr/local/wamedia\",\"RW\":true}]}";

START_TEST(entry_from_a_running_inspect)
{
	json_t *j = json_loads(inspect_running, 0, NULL);
	struct inventory inv = { NULL, 1 };

	ck_assert_ptr_nonnull(j);
	inv.v = calloc(1, sizeof(*inv.v));
	ck_assert_int_eq(inventory_entry_from_inspect(cfg, j, &inv.v[0]), 0);
	ck_assert_str_eq(inv.v[0].name, "biz_waweb_1");
	ck_assert_str_eq(inv.v[0].role->name, "web");
	ck_assert_int_eq(inv.v[0].state, CTR_RUNNING);
	ck_assert_int_eq(inv.v[0].pid, 4242);
	ck_assert_str_eq(inv.v[0].project, "biz");
	ck_assert_uint_eq(inv.v[0].n_mounts, 1);
	ck_assert_str_eq(inv.v[0].mounts[0].name, "whatsappMedia");
	ck_assert_int_eq(inv.v[0].mounts[0].read_write, 1);
	json_decref(j);
	inventory_free(&inv);
}
END_TEST

START_TEST(entry_from_a_stopped_inspect)
{
	const char *text =
		"{\"Id\":\"ab\",\"Name\":\"/biz_wacore_2\",\"State\":{\"Status\":\"exited\",\"Running\":false,\"Pid\":0},"
		"\"Config\":{\"Image\":\"docker.whatsapp.biz/coreapp:v2\",\"Env\":null,\"Labels\":null}}";
	json_t *j = json_loads(text, 0, NULL);
	struct inventory inv = { NULL, 1 };

	inv.v = calloc(1, sizeof(*inv.v));
	ck_assert_int_eq(inventory_entry_from_inspect(cfg, j, &inv.v[0]), 0);
	ck_assert_int_eq(inv.v[0].state, CTR_STOPPED);
	ck_assert_str_eq(inv.v[0].role->name, "core");
	ck_assert_int_eq(inv.v[0].pid, 0);
	ck_assert_str_eq(inv.v[0].detail, "exited, not running: skipped");
	json_decref(j);
	inventory_free(&inv);
}
END_TEST

START_TEST(entry_from_a_malformed_inspect)
{
	json_t *j = json_loads("{\"Name\":\"/x\"}", 0, NULL);
	struct inventory inv = { NULL, 1 };

	inv.v = calloc(1, sizeof(*inv.v));
	ck_assert_int_eq(inventory_entry_from_inspect(cfg, j, &inv.v[0]), -1);
	ck_assert_int_eq(inv.v[0].state, CTR_FAILED);
	json_decref(j);
	inventory_free(&inv);
}
END_TEST

/* Decodes an inspect object from text into *c (classified with the built-in config). */
static void entry_from_text(const char *text, struct container *c)
{
	json_error_t err;
	json_t *j = json_loads(text, 0, &err);

	ck_assert_msg(j != NULL, "bad test JSON: %s", err.text);
	memset(c, 0, sizeof(*c));
	ck_assert_int_eq(inventory_entry_from_inspect(cfg, j, c), 0);
	json_decref(j);
}

/* A web container's inspect with the given LogPath and LogConfig (JSON text). */
static void entry_with_log(const char *log_path, const char *log_config, struct inventory *inv)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	fprintf(f, "{\"Id\":\"ab12\",\"Name\":\"/biz_waweb_1\",\"State\":{\"Running\":true,\"Pid\":7},"
		"\"Config\":{\"Image\":\"docker.whatsapp.biz/web:v2\"},\"LogPath\":\"%s\","
		"\"HostConfig\":{\"LogConfig\":%s}}", log_path, log_config);
	fclose(f);
	inv->v = calloc(1, sizeof(*inv->v));
	inv->n = 1;
	entry_from_text(text, &inv->v[0]);
	free(text);
}

static int hint_applies(const char *log_path, const char *log_config)
{
	struct inventory inv;
	int rc;

	entry_with_log(log_path, log_config, &inv);
	rc = inventory_json_log_unbounded(&inv.v[0]);
	inventory_free(&inv);
	return rc;
}

START_TEST(json_log_hint_only_for_docker_json_logs)
{
	static const char docker_log[] = "/var/lib/docker/containers/ab12/ab12-json.log";
	static const char podman_log[] = "/var/lib/containers/storage/overlay-containers/ab12/userdata/ctr.log";

	/* Docker's json-file log without max-size: daemon.json's log-opts would bound it. */
	ck_assert(hint_applies(docker_log, "{\"Type\":\"json-file\",\"Config\":{}}"));
	ck_assert(hint_applies(docker_log, "{\"Type\":\"json-file\",\"Config\":null}"));
	ck_assert(hint_applies(docker_log, "{\"Type\":\"json-file\"}"));
	/* Already bounded. */
	ck_assert(!hint_applies(docker_log, "{\"Type\":\"json-file\",\"Config\":{\"max-size\":\"10m\"}}"));
	/* Other drivers keep no such file, or bound it themselves. */
	ck_assert(!hint_applies(docker_log, "{\"Type\":\"local\",\"Config\":{}}"));
	ck_assert(!hint_applies("", "{\"Type\":\"journald\",\"Config\":{}}"));
	ck_assert(!hint_applies("", "{\"Type\":\"json-file\",\"Config\":{}}"));
	/* Podman says json-file, but its log is its own ctr.log (k8s-file format),
	 * which Docker's log-opts do not govern. */
	ck_assert(!hint_applies(podman_log, "{\"Type\":\"json-file\",\"Config\":null}"));
	ck_assert(!hint_applies("/var/log/-json.log", "{\"Type\":\"json-file\"}"));
	ck_assert(!hint_applies("/var/log/ab12-json.log.1", "{\"Type\":\"json-file\"}"));
}
END_TEST

/* Reads a file of the source tree into a new string. */
static char *read_source_file(const char *rel)
{
	char path[4096], *text;
	FILE *f;
	long size;

	ck_assert_int_lt(snprintf(path, sizeof(path), "%s/%s", TEST_SRCDIR, rel), (int)sizeof(path));
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	ck_assert_int_gt(size, 0);
	rewind(f);
	text = calloc(1, (size_t)size + 1);
	ck_assert_ptr_nonnull(text);
	ck_assert_uint_eq(fread(text, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	return text;
}

START_TEST(entry_from_a_podman_inspect)
{
	/* What Podman 4.3's Docker-compatible API answered for a web container. */
	char *text = read_source_file("tests/fuzz/corpus/fuzz_inspect/podman-waweb.json");
	struct inventory inv = { NULL, 1 };

	inv.v = calloc(1, sizeof(*inv.v));
	entry_from_text(text, &inv.v[0]);
	free(text);
	ck_assert_str_eq(inv.v[0].name, "biz_waweb_1");
	ck_assert_int_eq(inv.v[0].state, CTR_RUNNING);
	ck_assert_str_eq(inv.v[0].role->name, "web");
	ck_assert_int_gt(inv.v[0].pid, 0);
	ck_assert_str_eq(inv.v[0].project, "biz");
	ck_assert_str_eq(inv.v[0].service, "waweb");
	ck_assert_uint_eq(inv.v[0].n_mounts, 1);
	ck_assert_str_eq(inv.v[0].mounts[0].name, "whatsappMedia");
	ck_assert_str_eq(inv.v[0].mounts[0].destination, "/usr/local/wamedia");
	/* It names the json-file driver for a log that is not a Docker json log. */
	ck_assert_str_eq(inv.v[0].log_driver, "json-file");
	ck_assert_ptr_null(inv.v[0].log_max_size);
	ck_assert_ptr_nonnull(strstr(inv.v[0].log_path, "/userdata/ctr.log"));
	ck_assert(!inventory_json_log_unbounded(&inv.v[0]));
	inventory_free(&inv);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("inventory");
	TCase *tc = tcase_create("classification");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, web_by_image_or_service);
	tcase_add_test(tc, core_versus_master);
	tcase_add_test(tc, others_are_ignored);
	tcase_add_test(tc, label_overrides);
	tcase_add_test(tc, entry_from_a_running_inspect);
	tcase_add_test(tc, entry_from_a_stopped_inspect);
	tcase_add_test(tc, entry_from_a_malformed_inspect);
	tcase_add_test(tc, json_log_hint_only_for_docker_json_logs);
	tcase_add_test(tc, entry_from_a_podman_inspect);
	suite_add_tcase(s, tc);
	return s;
}
