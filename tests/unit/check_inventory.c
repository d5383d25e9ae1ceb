/* Role classification with the built-in WhatsApp rules, and inspect decoding. */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "inventory.h"
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
	suite_add_tcase(s, tc);
	return s;
}
