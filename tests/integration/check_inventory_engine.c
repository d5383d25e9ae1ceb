/* The inventory against the real engine that tests/integration/run.sh started
 * (DOCKER_HOST), with the WhatsApp-like containers it created. */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config/config.h"
#include "engine/docker.h"
#include "engine/inventory.h"
#include "unit.h"

static struct rotd_config *cfg;
static struct docker *dk;

static void setup(void)
{
	char *why = NULL, *sock;

	ck_assert_msg(getenv("DOCKER_HOST") != NULL, "DOCKER_HOST must point at the test engine");
	sock = docker_choose_socket(NULL, &why);
	ck_assert_ptr_nonnull(sock);
	cfg = config_load_defaults();
	dk = docker_new(sock, NULL);
	free(sock);
	ck_assert_int_eq(docker_ping(dk), DOCKER_OK);
}

static void teardown(void)
{
	docker_free(dk);
	config_free(cfg);
}

/* Runs the docker CLI with argv; returns its exit status. */
static int docker_cli(const char *const argv[])
{
	pid_t pid = fork();
	int status;

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);

		dup2(devnull, 1);
		execvp("docker", (char *const *)argv);
		_exit(127);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static const struct container *find(const struct inventory *inv, const char *name)
{
	for (size_t i = 0; i < inv->n; i++)
		if (strcmp(inv->v[i].name, name) == 0)
			return &inv->v[i];
	return NULL;
}

START_TEST(roles_of_the_whatsapp_containers)
{
	struct inventory inv;
	const struct container *c;

	ck_assert_int_eq(inventory_build(dk, cfg, NULL, &inv), DOCKER_OK);
	c = find(&inv, "biz_waweb_1");
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(c->state, CTR_RUNNING);
	ck_assert_str_eq(c->role->name, "web");
	ck_assert_int_gt(c->pid, 0);
	ck_assert_str_eq(c->project, "biz");
	ck_assert_str_eq(c->service, "waweb");
	ck_assert_uint_eq(c->n_mounts, 1);
	ck_assert_str_eq(c->mounts[0].name, "whatsappMedia");
	ck_assert_str_eq(c->mounts[0].destination, "/usr/local/wamedia");
	c = find(&inv, "biz_wacore_1");
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c->role->name, "core");
	c = find(&inv, "biz-master1-1");
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c->role->name, "master");
	c = find(&inv, "biz_db_1");
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(c->state, CTR_IGNORED);
	ck_assert_ptr_null(c->role);
	inventory_free(&inv);
}
END_TEST

START_TEST(container_removed_between_list_and_inspect)
{
	const char *run[] = { "docker", "run", "-d", "--network", "none", "--name", "inv-vanishing",
			      "docker.whatsapp.biz/web:v2.x", "sleep", "1000000", NULL };
	const char *rm[] = { "docker", "rm", "-f", "inv-vanishing", NULL };
	struct docker_filters *f = docker_filters_new();
	struct inventory inv;
	json_t *list = NULL;

	ck_assert_int_eq(docker_cli(run), 0);
	docker_filters_add_exact_name(f, "inv-vanishing");
	ck_assert_int_eq(docker_list_containers(dk, 1, f, &list), DOCKER_OK);
	docker_filters_free(f);
	ck_assert_uint_eq(json_array_size(list), 1);
	ck_assert_int_eq(docker_cli(rm), 0);

	ck_assert_int_eq(inventory_build_from_list(dk, cfg, list, &inv), DOCKER_OK);
	ck_assert_uint_eq(inv.n, 1);
	ck_assert_str_eq(inv.v[0].name, "inv-vanishing");
	ck_assert_int_eq(inv.v[0].state, CTR_VANISHED);
	ck_assert_ptr_null(inv.v[0].role);
	inventory_free(&inv);
	json_decref(list);
}
END_TEST

START_TEST(filters_narrow_the_inventory)
{
	struct docker_filters *f = docker_filters_new();
	struct inventory inv;

	docker_filters_add(f, "label", "com.docker.compose.service=wacore");
	ck_assert_int_eq(inventory_build(dk, cfg, f, &inv), DOCKER_OK);
	docker_filters_free(f);
	ck_assert_uint_eq(inv.n, 1);
	ck_assert_str_eq(inv.v[0].name, "biz_wacore_1");
	inventory_free(&inv);
}
END_TEST

/* What the daemon does on events: one container re-inspected at a time. */
START_TEST(refresh_follows_start_stop_and_removal)
{
	const char *create[] = { "docker", "create", "--network", "none", "--name", "inv-refresh",
				 "--label", "com.docker.compose.service=waweb",
				 "docker.whatsapp.biz/web:v2.x", "sleep", "1000000", NULL };
	const char *start[] = { "docker", "start", "inv-refresh", NULL };
	const char *rm[] = { "docker", "rm", "-f", "inv-refresh", NULL };
	struct docker_filters *f = docker_filters_new();
	const struct container *c;
	struct inventory inv;
	json_t *one = NULL, *id;
	size_t before;
	char *cid;

	ck_assert_int_eq(inventory_build(dk, cfg, NULL, &inv), DOCKER_OK);
	before = inv.n;
	ck_assert_int_eq(docker_cli(create), 0);
	docker_filters_add_exact_name(f, "inv-refresh");
	ck_assert_int_eq(docker_list_containers(dk, 1, f, &one), DOCKER_OK);
	docker_filters_free(f);
	id = json_object_get(json_array_get(one, 0), "Id");
	ck_assert_ptr_nonnull(id);
	cid = strdup(json_string_value(id));
	json_decref(one);

	ck_assert_int_eq(inventory_refresh(dk, cfg, &inv, cid, &c), DOCKER_OK);
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(inv.n, before + 1);
	ck_assert_int_eq(c->state, CTR_STOPPED);
	ck_assert_str_eq(c->role->name, "web");

	ck_assert_int_eq(docker_cli(start), 0);
	ck_assert_int_eq(inventory_refresh(dk, cfg, &inv, cid, &c), DOCKER_OK);
	ck_assert_uint_eq(inv.n, before + 1);
	ck_assert_int_eq(c->state, CTR_RUNNING);
	ck_assert_int_gt(c->pid, 0);
	ck_assert_ptr_eq(find(&inv, "inv-refresh"), c);
	for (size_t i = 1; i < inv.n; i++)
		ck_assert_int_lt(strcmp(inv.v[i - 1].name, inv.v[i].name), 0);

	ck_assert_int_eq(docker_cli(rm), 0);
	ck_assert_int_eq(inventory_refresh(dk, cfg, &inv, cid, &c), DOCKER_OK);
	ck_assert_ptr_null(c);
	ck_assert_uint_eq(inv.n, before);
	ck_assert_ptr_null(find(&inv, "inv-refresh"));
	/* An id the engine never knew changes nothing. */
	ck_assert_int_eq(inventory_refresh(dk, cfg, &inv, "0123456789ab", &c), DOCKER_OK);
	ck_assert_uint_eq(inv.n, before);
	free(cid);
	inventory_free(&inv);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("inventory against the engine");
	TCase *tc = tcase_create("engine");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, roles_of_the_whatsapp_containers);
	tcase_add_test(tc, container_removed_between_list_and_inspect);
	tcase_add_test(tc, filters_narrow_the_inventory);
	tcase_add_test(tc, refresh_follows_start_stop_and_removal);
	suite_add_tcase(s, tc);
	return s;
}
