/* `rotd usage`'s report, held by golden files as the pass's report is
 * (check_report, check_report_json): the text table (golden/usage.txt) and the
 * JSON document (golden/usage.json), byte for byte as rotd prints them, of one
 * hand-made measurement at a fixed time. It holds three filesystems (one with
 * no inode limit, one not measured), containers given out of order (two of
 * equal total, one without a role, one stopped with a hostile name and no
 * filesystem), unknown figures with their notes (or, without one, the reason
 * the report gives), a volume two containers
 * share, a bind mount with a hostile path, and an error. The rules: sorting,
 * and the closing line for each kind of largest consumer.
 *
 * After a deliberate change of layout, rewrite them and review the diff:
 *
 *     ROTD_UPDATE_GOLDEN=1 make check TESTS=tests/unit/check_usage_report
 *     git diff tests/unit/golden/
 */
#include "autoconf.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"
#include "report/usage_report.h"
#include "report_fixture.h"
#include "unit.h"

#define KiB 1024ULL
#define MiB (1024ULL * KiB)
#define GiB (1024ULL * MiB)
#define DAY 86400
#define UNKNOWN USAGE_UNKNOWN

/* ---- the measurement ---------------------------------------------------- */

static void add_fs(struct usage *u, const char *mount, const char *device, uint64_t size, unsigned pct,
		   uint64_t inodes, unsigned inodes_pct)
{
	struct usage_fs *f = &u->fs[u->n_fs++];

	f->name.mount = xstrdup(mount);
	f->name.device = xstrdup(device);
	f->name.fstype = xstrdup("ext4");
	f->label = xasprintf("%s (%s)", mount, device);
	f->measured = size > 0;
	if (!f->measured)
		return;
	f->use = report_fixture_usage(size, pct);
	f->use.inodes = inodes;
	f->use.inodes_used = inodes * inodes_pct / 100;
	f->use.inodes_pct = inodes_pct;
}

static struct usage_container *add_container(struct usage *u, const char *name, const char *role, const char *state,
					     const uint64_t bytes[USAGE_KINDS], size_t fs, const char *note)
{
	struct usage_container *c = &u->containers[u->n_containers++];

	c->name = xstrdup(name);
	c->id = xasprintf("%064zx", u->n_containers);
	c->role = role;
	c->state = xstrdup(state);
	c->total = 0;
	for (int k = 0; k < USAGE_KINDS; k++) {
		c->bytes[k] = bytes[k];
		if (bytes[k] != UNKNOWN)
			c->total += bytes[k];
	}
	c->fs = fs;
	c->note = note != NULL ? xstrdup(note) : NULL;
	return c;
}

static struct usage_volume *add_volume(struct usage *u, const char *key, const char *name, uint64_t bytes,
				       uint64_t files, uint64_t prunable, size_t fs)
{
	struct usage_volume *v = &u->volumes[u->n_volumes++];

	v->key = xstrdup(key);
	v->name = xstrdup(name);
	v->bytes = bytes;
	v->files = files;
	v->prunable_bytes = prunable;
	v->fs = fs;
	return v;
}

/* The host of the golden files: containers out of order, as the report must
 * not rely on the order it is given. */
static void make_usage(struct usage *u)
{
	const uint64_t core[] = { 300 * MiB, 1200 * MiB, 40 * MiB, 12 * MiB };
	const uint64_t web[] = { 2 * GiB, 500 * MiB, 3 * GiB + 100 * MiB, 80 * MiB };
	const uint64_t db[] = { UNKNOWN, UNKNOWN, 10 * MiB, 50 * MiB };
	const uint64_t stopped[] = { UNKNOWN, UNKNOWN, 1 * MiB, 4 * KiB };
	const uint64_t side[] = { UNKNOWN, UNKNOWN, 0, 8 * MiB };
	const uint64_t unsized[] = { UNKNOWN, UNKNOWN, 2 * MiB, UNKNOWN };
	struct usage_volume *v;

	memset(u, 0, sizeof(*u));
	u->at = REPORT_FIXTURE_NOW;
	u->media_floor = 7 * DAY;
	u->fs = xcalloc(3, sizeof(*u->fs));
	add_fs(u, "/var/lib/docker", "/dev/sdb1", 100 * GiB, 62, 6553600, 4);
	add_fs(u, "/srv/media", "/dev/sdc1", 500 * GiB, 91, 0, 0);
	add_fs(u, "/mnt/gone", "/dev/sdd1", 0, 0, 0, 0);
	u->containers = xcalloc(7, sizeof(*u->containers));
	add_container(u, "redis", NULL, "running", side, 0, NULL);
	add_container(u, "biz_wacore_1", "core", "running", core, 0, NULL);
	add_container(u, "db", NULL, "running", db, 0, NULL);
	add_container(u, "old\033[31m\377core", "core", "exited", stopped, USAGE_NO_FS,
		      "not running: its logs and archives cannot be read");
	add_container(u, "biz_waweb_1", "web", "running", web, 0, NULL);
	add_container(u, "nginx", NULL, "paused", side, 0, NULL);
	add_container(u, "cache", NULL, "running", unsized, 0, "the engine did not report its writable layer (SizeRw)");
	u->volumes = xcalloc(2, sizeof(*u->volumes));
	v = add_volume(u, "bind:/srv/wa\nmedia", "/srv/wa\nmedia", 100 * MiB, 10, 0, 1);
	strlist_add(&v->containers, "biz_wamaster_1");
	v = add_volume(u, "volume:whatsappMedia", "whatsappMedia", 5 * GiB, 12345, 1536 * MiB, 1);
	strlist_add(&v->containers, "biz_wacore_1");
	strlist_add(&v->containers, "biz_waweb_1");
	strlist_add(&u->errors, "old\033[31m\377core: /var/lib/docker/containers/x/x-json.log: Permission denied");
	strlist_add(&u->errors, "/mnt/gone: statvfs: No such file or directory");
}

/* Frees what make_usage allocated (usage_free is the usage module's, and
 * frees the same fields). */
static void free_usage(struct usage *u)
{
	for (size_t i = 0; i < u->n_fs; i++) {
		fsname_free(&u->fs[i].name);
		free(u->fs[i].label);
	}
	for (size_t i = 0; i < u->n_containers; i++) {
		free(u->containers[i].name);
		free(u->containers[i].id);
		free(u->containers[i].state);
		free(u->containers[i].note);
	}
	for (size_t i = 0; i < u->n_volumes; i++) {
		free(u->volumes[i].key);
		free(u->volumes[i].name);
		strlist_free(&u->volumes[i].containers);
	}
	free(u->fs);
	free(u->containers);
	free(u->volumes);
	strlist_free(&u->errors);
	memset(u, 0, sizeof(*u));
}

/* The containers' engine logs as the engine describes them: web's json-file
 * log has no max-size, core's has one, db logs to the local driver. */
static void make_inventory(struct inventory *inv, const struct usage *u)
{
	inv->n = 3;
	inv->v = xcalloc(inv->n, sizeof(*inv->v));
	for (size_t i = 0, n = 0; i < u->n_containers; i++) {
		const struct usage_container *c = &u->containers[i];
		struct container *e;

		if (strcmp(c->name, "biz_waweb_1") != 0 && strcmp(c->name, "biz_wacore_1") != 0 &&
		    strcmp(c->name, "db") != 0)
			continue;
		e = &inv->v[n++];
		e->id = xstrdup(c->id);
		e->name = xstrdup(c->name);
		e->log_driver = xstrdup(strcmp(c->name, "db") == 0 ? "local" : "json-file");
		e->log_path = xasprintf("/var/lib/docker/containers/%s/%s-json.log", c->id, c->id);
		e->log_max_size = strcmp(c->name, "biz_wacore_1") == 0 ? xstrdup("10m") : NULL;
	}
}

static char *render_text(const struct usage *u, const struct inventory *inv)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(out);
	usage_report_print_text(out, u, inv);
	ck_assert_int_eq(fclose(out), 0);
	return text;
}

/* The last line of the text report, without its newline. New string. */
static char *closing_line(const struct usage *u, const struct inventory *inv)
{
	char *text = render_text(u, inv), *line, *last;

	ck_assert_int_gt((int)strlen(text), 1);
	text[strlen(text) - 1] = '\0';
	last = strrchr(text, '\n');
	line = xstrdup(last != NULL ? last + 1 : text);
	free(text);
	return line;
}

static struct usage_container *find(struct usage *u, const char *name)
{
	for (size_t i = 0; i < u->n_containers; i++)
		if (strcmp(u->containers[i].name, name) == 0)
			return &u->containers[i];
	ck_abort_msg("no container %s in the fixture", name);
	return NULL;
}

/* Sets one figure of a container and its total. */
static void set_figure(struct usage *u, const char *name, enum usage_kind kind, uint64_t bytes)
{
	struct usage_container *c = find(u, name);

	c->bytes[kind] = bytes;
	c->total = 0;
	for (int k = 0; k < USAGE_KINDS; k++)
		if (c->bytes[k] != UNKNOWN)
			c->total += c->bytes[k];
}

/* ---- golden files ---------------------------------------------------------- */

START_TEST(text_golden)
{
	struct inventory inv;
	struct usage u;
	char *text;

	make_usage(&u);
	make_inventory(&inv, &u);
	text = render_text(&u, &inv);
	report_fixture_assert_golden("usage.txt", text);
	free(text);
	inventory_free(&inv);
	free_usage(&u);
}
END_TEST

START_TEST(json_golden)
{
	struct usage u;
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(out);
	make_usage(&u);
	usage_report_print_json(out, &u);
	ck_assert_int_eq(fclose(out), 0);
	report_fixture_assert_golden("usage.json", text);
	free(text);
	free_usage(&u);
}
END_TEST

/* ---- rules ------------------------------------------------------------------ */

/* Largest total first, equal totals by name; the JSON keeps the same order
 * and gives each field the issue names, unknown ones as null. */
START_TEST(sorted_largest_first)
{
	static const char *const want[] = { "biz_waweb_1", "biz_wacore_1", "db", "nginx", "redis", "cache",
					    "old\033[31m\377core" };
	static const char *const fields[] = { "name", "role", "state", "live_logs_bytes", "archives_bytes",
					      "engine_log_bytes", "writable_layer_bytes", "filesystem" };
	struct usage u;
	json_t *j, *ctrs, *db;

	make_usage(&u);
	j = usage_report_json(&u);
	ctrs = json_object_get(j, "containers");
	ck_assert_int_eq(json_array_size(ctrs), 7);
	for (size_t i = 0; i < 6; i++)
		ck_assert_str_eq(json_string_value(json_object_get(json_array_get(ctrs, i), "name")), want[i]);
	/* Not UTF-8: shown escaped. */
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(ctrs, 6), "name")),
			 "old\\x1b[31m\\xffcore");
	db = json_array_get(ctrs, 2);
	ck_assert_int_eq(json_object_size(db), sizeof(fields) / sizeof(fields[0]));
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		ck_assert_msg(json_object_get(db, fields[i]) != NULL, "no %s", fields[i]);
	ck_assert(json_is_null(json_object_get(db, "role")));
	ck_assert(json_is_null(json_object_get(db, "live_logs_bytes")));
	ck_assert_int_eq(json_integer_value(json_object_get(db, "engine_log_bytes")), 10 * MiB);
	ck_assert(json_is_null(json_object_get(json_array_get(ctrs, 6), "filesystem")));
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(j, "volumes"), 0), "key")),
			 "volume:whatsappMedia");
	json_decref(j);
	free_usage(&u);
}
END_TEST

/* A volume is one row, however many containers mount it, and the escaped
 * names never reach the terminal raw. */
START_TEST(shared_volume_once_and_escaped)
{
	struct usage u;
	char *text;

	make_usage(&u);
	text = render_text(&u, NULL);
	ck_assert_ptr_nonnull(strstr(text, "whatsappMedia"));
	ck_assert_ptr_null(strstr(strstr(text, "whatsappMedia") + 1, "  whatsappMedia"));
	ck_assert_ptr_nonnull(strstr(text, "biz_wacore_1, biz_waweb_1"));
	ck_assert_ptr_null(strchr(text, '\033'));
	ck_assert_ptr_null(memchr(text, 0xff, strlen(text)));
	ck_assert_ptr_nonnull(strstr(text, "/srv/wa\\x0amedia"));
	free(text);
	free_usage(&u);
}
END_TEST

/* The closing line names the largest single figure and what frees it. */
START_TEST(closing_line_media)
{
	struct usage u;
	char *line;

	make_usage(&u);
	line = closing_line(&u, NULL);
	ck_assert_str_eq(line, "Largest consumer: the media volume whatsappMedia (5.0 GiB): 1.5 GiB of it is older "
			 "than the media floor (1w): the off-peak media job prunes what its rules name, and "
			 "rotd --now --remediate prunes media older than the floor, oldest first.");
	free(line);
	u.volumes[1].prunable_bytes = 0;
	line = closing_line(&u, NULL);
	ck_assert_str_eq(line, "Largest consumer: the media volume whatsappMedia (5.0 GiB): none of it is older "
			 "than the media floor (1w); rotd cannot free it.");
	free(line);
	free_usage(&u);
}
END_TEST

START_TEST(closing_line_containers)
{
	struct inventory inv;
	struct usage u;
	char *line;

	make_usage(&u);
	make_inventory(&inv, &u);
	u.n_volumes = 0;   /* freed below all the same */

	line = closing_line(&u, &inv);
	ck_assert_str_eq(line, "Largest consumer: the engine log of biz_waweb_1 (3.1 GiB): its json-file log has no "
			 "max-size: set max-size (and max-file) in the engine's log-opts (/etc/docker/daemon.json, "
			 "or logging options in the compose file) and recreate the container; rotd does not rotate "
			 "the engine's log.");
	free(line);

	line = closing_line(&u, NULL);
	ck_assert_str_eq(line, "Largest consumer: the engine log of biz_waweb_1 (3.1 GiB): set max-size in the "
			 "engine's log-opts (/etc/docker/daemon.json) and recreate the container; rotd does not "
			 "rotate the engine's log.");
	free(line);

	set_figure(&u, "biz_waweb_1", USAGE_ENGINE_LOG, 1 * MiB);
	line = closing_line(&u, &inv);
	ck_assert_str_eq(line, "Largest consumer: the live logs of biz_waweb_1 (2.0 GiB): rotd --now rotates them "
			 "(each log over its role's size) into compressed archives.");
	free(line);

	set_figure(&u, "biz_waweb_1", USAGE_LIVE_LOGS, 1 * MiB);
	line = closing_line(&u, &inv);
	ck_assert_str_eq(line, "Largest consumer: the archives of biz_wacore_1 (1.2 GiB): keep/max-age/max-size in "
			 "rotd.conf, or rotd --now --remediate drops the oldest.");
	free(line);

	set_figure(&u, "biz_wacore_1", USAGE_ARCHIVES, 1 * MiB);
	set_figure(&u, "biz_wacore_1", USAGE_ENGINE_LOG, 900 * MiB);
	line = closing_line(&u, &inv);
	ck_assert_str_eq(line, "Largest consumer: the engine log of biz_wacore_1 (900.0 MiB): the engine bounds it "
			 "(max-size 10m per file): a lower max-size or max-file in its log-opts keeps less, once "
			 "the container is recreated.");
	free(line);

	set_figure(&u, "db", USAGE_ENGINE_LOG, 950 * MiB);
	line = closing_line(&u, &inv);
	ck_assert_str_eq(line, "Largest consumer: the engine log of db (950.0 MiB): the engine's local driver keeps "
			 "it: its log-opts (max-size, max-file) bound it, once the container is recreated.");
	free(line);

	set_figure(&u, "nginx", USAGE_WRITABLE_LAYER, 2 * GiB);
	line = closing_line(&u, &inv);
	ck_assert_str_eq(line, "Largest consumer: the writable layer of nginx (2.0 GiB): what the container writes "
			 "outside its volumes; rotd cannot free it (docker diff nginx lists it).");
	free(line);

	u.n_volumes = 2;
	inventory_free(&inv);
	free_usage(&u);
}
END_TEST

/* Nothing measured, nothing named; and no container, no volume. */
START_TEST(closing_line_nothing)
{
	struct usage u;
	char *line, *text;

	memset(&u, 0, sizeof(u));
	u.at = REPORT_FIXTURE_NOW;
	line = closing_line(&u, NULL);
	ck_assert_str_eq(line, "Largest consumer: none measured.");
	free(line);
	text = render_text(&u, NULL);
	ck_assert_ptr_nonnull(strstr(text, "No filesystems measured.\n"));
	ck_assert_ptr_nonnull(strstr(text, "No containers.\n"));
	ck_assert_ptr_nonnull(strstr(text, "No media volumes.\n"));
	free(text);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("usage_report");
	TCase *golden = tcase_create("golden");
	TCase *rules = tcase_create("rules");

	tcase_add_test(golden, text_golden);
	tcase_add_test(golden, json_golden);
	suite_add_tcase(s, golden);
	tcase_add_test(rules, sorted_largest_first);
	tcase_add_test(rules, shared_volume_once_and_escaped);
	tcase_add_test(rules, closing_line_media);
	tcase_add_test(rules, closing_line_containers);
	tcase_add_test(rules, closing_line_nothing);
	suite_add_tcase(s, rules);
	return s;
}
