/* usage_report: see usage_report.h. */
#include "autoconf.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lib/escape.h"
#include "lib/units.h"
#include "lib/xalloc.h"
#include "report/usage_report.h"

/* ---- a table of escaped cells ---------------------------------------------- */

#define TABLE_MAX_COLS 10

/* Cells are added row by row; each column is as wide as its widest cell. */
struct table {
	size_t cols;
	const char *right;         /* per column: 'r' right-aligned (figures), else left */
	char **cells;              /* owned, escaped (printable ASCII: strlen is the width) */
	size_t n, cap;
};

static void table_init(struct table *t, const char *right)
{
	memset(t, 0, sizeof(*t));
	t->cols = strlen(right);
	t->right = right;
}

/* Adds a cell, taking s. */
static void table_take(struct table *t, char *s)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 32;
		t->cells = xreallocarray(t->cells, t->cap, sizeof(*t->cells));
	}
	t->cells[t->n++] = s;
}

/* Adds s, escaped ("-" for NULL). */
static void table_text(struct table *t, const char *s)
{
	table_take(t, escape_text(s != NULL ? s : "-"));
}

/* Adds a size, or "?" when unknown. */
static void table_size(struct table *t, uint64_t bytes)
{
	char b[32];

	table_take(t, xstrdup(bytes == USAGE_UNKNOWN ? "?" : units_format_size(bytes, b, sizeof(b))));
}

static void table_print(FILE *out, const struct table *t)
{
	size_t width[TABLE_MAX_COLS] = { 0 };

	for (size_t i = 0; i < t->n; i++) {
		size_t len = strlen(t->cells[i]);

		if (len > width[i % t->cols])
			width[i % t->cols] = len;
	}
	for (size_t i = 0; i < t->n; i++) {
		size_t col = i % t->cols;
		int w = (int)width[col];

		fputs("  ", out);
		if (t->right[col] == 'r')
			fprintf(out, "%*s", w, t->cells[i]);
		else if (col + 1 == t->cols)
			fputs(t->cells[i], out);
		else
			fprintf(out, "%-*s", w, t->cells[i]);
		if (col + 1 == t->cols)
			fputc('\n', out);
	}
}

static void table_free(struct table *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->cells[i]);
	free(t->cells);
}

/* ---- text ------------------------------------------------------------------- */

static void print_escaped(FILE *out, const char *s)
{
	char *e = escape_text(s != NULL ? s : "-");

	fputs(e, out);
	free(e);
}

static const char *fs_mount(const struct usage *u, size_t fs)
{
	return fs < u->n_fs ? u->fs[fs].name.mount : NULL;
}

/* Largest first, then by name (volumes: by key), as usage_collect orders them;
 * the reports do not rely on it. */
static int by_total(const void *a, const void *b)
{
	const struct usage_container *x = *(const struct usage_container *const *)a;
	const struct usage_container *y = *(const struct usage_container *const *)b;

	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int by_bytes(const void *a, const void *b)
{
	const struct usage_volume *x = *(const struct usage_volume *const *)a;
	const struct usage_volume *y = *(const struct usage_volume *const *)b;
	uint64_t bx = x->bytes == USAGE_UNKNOWN ? 0 : x->bytes, by = y->bytes == USAGE_UNKNOWN ? 0 : y->bytes;

	if (bx != by)
		return bx > by ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* u's containers, largest first; free the array. */
static const struct usage_container **sorted_containers(const struct usage *u)
{
	const struct usage_container **v = xreallocarray(NULL, u->n_containers + 1, sizeof(*v));

	for (size_t i = 0; i < u->n_containers; i++)
		v[i] = &u->containers[i];
	qsort(v, u->n_containers, sizeof(*v), by_total);
	return v;
}

/* u's volumes, largest first; free the array. */
static const struct usage_volume **sorted_volumes(const struct usage *u)
{
	const struct usage_volume **v = xreallocarray(NULL, u->n_volumes + 1, sizeof(*v));

	for (size_t i = 0; i < u->n_volumes; i++)
		v[i] = &u->volumes[i];
	qsort(v, u->n_volumes, sizeof(*v), by_bytes);
	return v;
}

static const char *const kind_label[USAGE_KINDS] = {
	[USAGE_LIVE_LOGS] = "live logs",
	[USAGE_ARCHIVES] = "archives",
	[USAGE_ENGINE_LOG] = "engine log",
	[USAGE_WRITABLE_LAYER] = "writable layer",
};

static void print_filesystems(FILE *out, const struct usage *u)
{
	struct table t;

	table_init(&t, "llrrrrr");
	table_text(&t, "FILESYSTEM");
	table_text(&t, "DEVICE");
	table_text(&t, "SIZE");
	table_text(&t, "USED");
	table_text(&t, "AVAIL");
	table_text(&t, "USE%");
	table_text(&t, "IUSE%");
	for (size_t i = 0; i < u->n_fs; i++) {
		const struct usage_fs *f = &u->fs[i];

		table_text(&t, f->name.mount);
		table_text(&t, f->name.device);
		if (!f->measured) {
			for (int k = 0; k < 5; k++)
				table_text(&t, "?");
			continue;
		}
		table_size(&t, f->use.size);
		table_size(&t, f->use.used);
		table_size(&t, f->use.avail);
		table_take(&t, xasprintf("%u%%", f->use.used_pct));
		/* df shows "-" for a filesystem without an inode limit. */
		table_take(&t, f->use.inodes == 0 ? xstrdup("-") : xasprintf("%u%%", f->use.inodes_pct));
	}
	table_print(out, &t);
	table_free(&t);
	for (size_t i = 0; i < u->n_fs; i++)
		if (!u->fs[i].measured) {
			fputs("  ? ", out);
			print_escaped(out, u->fs[i].label);
			fputs(": not measured (see the errors below)\n", out);
		}
}

static int has_unknown(const struct usage_container *c)
{
	for (int k = 0; k < USAGE_KINDS; k++)
		if (c->bytes[k] == USAGE_UNKNOWN)
			return 1;
	return 0;
}

static void print_containers(FILE *out, const struct usage *u)
{
	const struct usage_container **sorted;
	struct table t;

	if (u->n_containers == 0) {
		fputs("No containers.\n", out);
		return;
	}
	table_init(&t, "lllrrrrrl");
	table_text(&t, "CONTAINER");
	table_text(&t, "ROLE");
	table_text(&t, "STATE");
	table_text(&t, "LIVE LOGS");
	table_text(&t, "ARCHIVES");
	table_text(&t, "ENGINE LOG");
	table_text(&t, "WRITABLE");
	table_text(&t, "TOTAL");
	table_text(&t, "FILESYSTEM");
	sorted = sorted_containers(u);
	for (size_t i = 0; i < u->n_containers; i++) {
		const struct usage_container *c = sorted[i];

		table_text(&t, c->name);
		table_text(&t, c->role);
		table_text(&t, c->state);
		for (int k = 0; k < USAGE_KINDS; k++)
			table_size(&t, c->bytes[k]);
		table_size(&t, c->total);
		table_text(&t, fs_mount(u, c->fs) != NULL ? fs_mount(u, c->fs) : "?");
	}
	table_print(out, &t);
	table_free(&t);
	for (size_t i = 0; i < u->n_containers; i++) {
		const struct usage_container *c = sorted[i];
		int no_role = c->role == NULL && (c->bytes[USAGE_LIVE_LOGS] == USAGE_UNKNOWN ||
						  c->bytes[USAGE_ARCHIVES] == USAGE_UNKNOWN);

		if (c->note == NULL && !has_unknown(c))
			continue;
		fputs("  ? ", out);
		print_escaped(out, c->name);
		fputs(": ", out);
		if (no_role)
			fputs("no role: rotd knows no log patterns or archive folders for it", out);
		if (no_role && c->note != NULL)
			fputs("; ", out);
		if (c->note != NULL)
			print_escaped(out, c->note);
		else if (!no_role)
			fputs("not measured", out);
		fputc('\n', out);
	}
	free(sorted);
	fputs("  TOTAL sums the known figures, counting logs kept in the writable layer once; WRITABLE is the\n"
	      "  writable layer (SizeRw), which holds them too.\n", out);
}

static void print_volumes(FILE *out, const struct usage *u)
{
	const struct usage_volume **sorted;
	struct table t;
	char floor[32];

	if (u->n_volumes == 0) {
		fputs("No media volumes.\n", out);
		return;
	}
	table_init(&t, "lrrrll");
	table_text(&t, "VOLUME");
	table_text(&t, "BYTES");
	table_text(&t, "FILES");
	table_take(&t, xasprintf("PRUNABLE (>%s)", units_format_duration(u->media_floor, floor, sizeof(floor))));
	table_text(&t, "FILESYSTEM");
	table_text(&t, "CONTAINERS");
	sorted = sorted_volumes(u);
	for (size_t i = 0; i < u->n_volumes; i++) {
		const struct usage_volume *v = sorted[i];
		size_t len = 1;
		char *list;

		table_text(&t, v->name);
		table_size(&t, v->bytes);
		table_take(&t, v->files == USAGE_UNKNOWN ? xstrdup("?") : xasprintf("%" PRIu64, v->files));
		table_size(&t, v->prunable_bytes);
		table_text(&t, fs_mount(u, v->fs) != NULL ? fs_mount(u, v->fs) : "?");
		for (size_t k = 0; k < v->containers.n; k++)
			len += strlen(v->containers.v[k]) + 2;
		list = xmalloc(len);
		len = 0;
		for (size_t k = 0; k < v->containers.n; k++) {
			size_t n = strlen(v->containers.v[k]);

			if (k > 0) {
				memcpy(list + len, ", ", 2);
				len += 2;
			}
			memcpy(list + len, v->containers.v[k], n);
			len += n;
		}
		list[len] = '\0';
		table_text(&t, v->containers.n > 0 ? list : NULL);
		free(list);
	}
	free(sorted);
	table_print(out, &t);
	table_free(&t);
}

/* Adds a known figure to a total. */
static void add_known(uint64_t *sum, uint64_t bytes)
{
	if (bytes != USAGE_UNKNOWN)
		*sum += bytes;
}

/* The line of totals of what lives on filesystem fs (USAGE_NO_FS: on none
 * known); nothing when nothing does. */
static void print_fs_total(FILE *out, const struct usage *u, size_t fs)
{
	static const char *const totals_label[USAGE_KINDS] = {
		[USAGE_LIVE_LOGS] = "live logs",
		[USAGE_ARCHIVES] = "archives",
		[USAGE_ENGINE_LOG] = "engine logs",
		[USAGE_WRITABLE_LAYER] = "writable layers",
	};
	uint64_t kinds[USAGE_KINDS] = { 0 }, media = 0, total = 0;   /* total: the containers' totals */
	size_t n = 0;
	char b[32], t[32];

	for (size_t i = 0; i < u->n_containers; i++) {
		if (u->containers[i].fs != fs)
			continue;
		n++;
		for (int k = 0; k < USAGE_KINDS; k++)
			add_known(&kinds[k], u->containers[i].bytes[k]);
		total += u->containers[i].total;
	}
	for (size_t i = 0; i < u->n_volumes; i++) {
		if (u->volumes[i].fs != fs)
			continue;
		n++;
		add_known(&media, u->volumes[i].bytes);
	}
	if (n == 0)
		return;
	fputs("  ", out);
	print_escaped(out, fs == USAGE_NO_FS ? "filesystem unknown" : u->fs[fs].label);
	fputs(":", out);
	for (int k = 0; k < USAGE_KINDS; k++)
		fprintf(out, " %s %s,", totals_label[k], units_format_size(kinds[k], b, sizeof(b)));
	total += media;
	fprintf(out, " media %s; total %s", units_format_size(media, b, sizeof(b)),
		units_format_size(total, t, sizeof(t)));
	if (fs != USAGE_NO_FS && u->fs[fs].measured)
		fprintf(out, " of %s used", units_format_size(u->fs[fs].use.used, b, sizeof(b)));
	fputc('\n', out);
}

static void print_totals(FILE *out, const struct usage *u)
{
	if (u->n_containers == 0 && u->n_volumes == 0)
		return;
	fputs("\nTotals per filesystem (a container counts on the filesystem it lives on):\n", out);
	for (size_t i = 0; i < u->n_fs; i++)
		print_fs_total(out, u, i);
	print_fs_total(out, u, USAGE_NO_FS);
}

/* The largest consumer: a figure of one container, or one volume. */
struct consumer {
	uint64_t bytes;
	const struct usage_container *ctr;   /* NULL: a volume */
	enum usage_kind kind;
	const struct usage_volume *vol;
};

/* Ties go to what the tables show first. */
static struct consumer largest_consumer(const struct usage *u)
{
	struct consumer best = { 0, NULL, USAGE_LIVE_LOGS, NULL };
	const struct usage_container **ctrs = sorted_containers(u);
	const struct usage_volume **vols = sorted_volumes(u);

	for (size_t i = 0; i < u->n_containers; i++)
		for (int k = 0; k < USAGE_KINDS; k++) {
			uint64_t b = ctrs[i]->bytes[k];

			if (b != USAGE_UNKNOWN && b > best.bytes) {
				best.bytes = b;
				best.ctr = ctrs[i];
				best.kind = (enum usage_kind)k;
			}
		}
	for (size_t i = 0; i < u->n_volumes; i++)
		if (vols[i]->bytes != USAGE_UNKNOWN && vols[i]->bytes > best.bytes) {
			best.bytes = vols[i]->bytes;
			best.ctr = NULL;
			best.vol = vols[i];
		}
	free(ctrs);
	free(vols);
	return best;
}

static const struct container *find_container(const struct inventory *inv, const struct usage_container *c)
{
	for (size_t i = 0; inv != NULL && i < inv->n; i++)
		if ((c->id != NULL && inv->v[i].id != NULL && strcmp(inv->v[i].id, c->id) == 0) ||
		    (c->id == NULL && strcmp(inv->v[i].name, c->name) == 0))
			return &inv->v[i];
	return NULL;
}

/* What frees an engine log, as far as the inventory tells. */
static void print_engine_log_step(FILE *out, const struct container *c)
{
	if (c == NULL) {
		fputs("set max-size in the engine's log-opts (/etc/docker/daemon.json) and recreate the container; "
		      "rotd does not rotate the engine's log", out);
	} else if (inventory_json_log_unbounded(c)) {
		fputs("its json-file log has no max-size: set max-size (and max-file) in the engine's log-opts "
		      "(/etc/docker/daemon.json, or logging options in the compose file) and recreate the container; "
		      "rotd does not rotate the engine's log", out);
	} else if (c->log_max_size != NULL) {
		fputs("the engine bounds it (max-size ", out);
		print_escaped(out, c->log_max_size);
		fputs(" per file): a lower max-size or max-file in its log-opts keeps less, once the container is "
		      "recreated", out);
	} else {
		fputs("the engine's ", out);
		print_escaped(out, c->log_driver != NULL ? c->log_driver : "logging");
		fputs(" driver keeps it: its log-opts (max-size, max-file) bound it, once the container is recreated",
		      out);
	}
}

static void print_closing_line(FILE *out, const struct usage *u, const struct inventory *inv)
{
	struct consumer top = largest_consumer(u);
	char b[32], floor[32];

	if (top.bytes == 0) {
		fputs("Largest consumer: none measured.\n", out);
		return;
	}
	units_format_size(top.bytes, b, sizeof(b));
	units_format_duration(u->media_floor, floor, sizeof(floor));
	if (top.vol != NULL) {
		fputs("Largest consumer: the media volume ", out);
		print_escaped(out, top.vol->name);
		fprintf(out, " (%s): ", b);
		if (top.vol->prunable_bytes == 0 || top.vol->prunable_bytes == USAGE_UNKNOWN) {
			fprintf(out, "none of it is older than the media floor (%s); rotd cannot free it.\n", floor);
			return;
		}
		fprintf(out, "%s of it is older than the media floor (%s): the off-peak media job prunes what its "
			"rules name, and rotd --now --remediate prunes media older than the floor, oldest first.\n",
			units_format_size(top.vol->prunable_bytes, b, sizeof(b)), floor);
		return;
	}
	fprintf(out, "Largest consumer: the %s of ", kind_label[top.kind]);
	print_escaped(out, top.ctr->name);
	fprintf(out, " (%s): ", b);
	switch (top.kind) {
	case USAGE_LIVE_LOGS:
		fputs("rotd --now rotates them (each log over its role's size) into compressed archives", out);
		break;
	case USAGE_ARCHIVES:
		fputs("keep/max-age/max-size in rotd.conf, or rotd --now --remediate drops the oldest", out);
		break;
	case USAGE_ENGINE_LOG:
		print_engine_log_step(out, find_container(inv, top.ctr));
		break;
	case USAGE_WRITABLE_LAYER:
	case USAGE_KINDS:
		fputs("what the container writes outside its volumes; rotd cannot free it (docker diff ", out);
		print_escaped(out, top.ctr->name);
		fputs(" lists it)", out);
		break;
	}
	fputs(".\n", out);
}

void usage_report_print_text(FILE *out, const struct usage *u, const struct inventory *inv)
{
	char when[64];

	fprintf(out, "Disk usage at %s\n\n", units_format_time(u->at, when, sizeof(when)));
	if (u->n_fs == 0)
		fputs("No filesystems measured.\n", out);
	else
		print_filesystems(out, u);
	fputc('\n', out);
	print_containers(out, u);
	fputc('\n', out);
	print_volumes(out, u);
	print_totals(out, u);
	if (u->errors.n > 0) {
		fprintf(out, "\n%zu error%s:\n", u->errors.n, u->errors.n == 1 ? "" : "s");
		for (size_t i = 0; i < u->errors.n; i++) {
			fputs("  ", out);
			print_escaped(out, u->errors.v[i]);
			fputc('\n', out);
		}
	}
	fputc('\n', out);
	print_closing_line(out, u, inv);
}

/* ---- JSON ------------------------------------------------------------------- */

/* A figure, or null when unknown. */
static json_t *jbytes(uint64_t n)
{
	if (n == USAGE_UNKNOWN)
		return json_null();
	return json_integer(n > (uint64_t)INT64_MAX ? INT64_MAX : (json_int_t)n);
}

static json_t *json_fs(const struct usage_fs *f)
{
	json_t *o = json_object();

	json_object_set_new(o, "mount", escape_json_string(f->name.mount));
	json_object_set_new(o, "device", escape_json_string(f->name.device));
	json_object_set_new(o, "bytes_total", f->measured ? jbytes(f->use.size) : json_null());
	json_object_set_new(o, "bytes_used", f->measured ? jbytes(f->use.used) : json_null());
	json_object_set_new(o, "used_percent", f->measured ? json_integer(f->use.used_pct) : json_null());
	json_object_set_new(o, "inodes_used_percent",
			    f->measured && f->use.inodes > 0 ? json_integer(f->use.inodes_pct) : json_null());
	return o;
}

static json_t *json_container(const struct usage *u, const struct usage_container *c)
{
	json_t *o = json_object();

	json_object_set_new(o, "name", escape_json_string(c->name));
	json_object_set_new(o, "role", escape_json_string(c->role));
	json_object_set_new(o, "state", escape_json_string(c->state));
	json_object_set_new(o, "live_logs_bytes", jbytes(c->bytes[USAGE_LIVE_LOGS]));
	json_object_set_new(o, "archives_bytes", jbytes(c->bytes[USAGE_ARCHIVES]));
	json_object_set_new(o, "engine_log_bytes", jbytes(c->bytes[USAGE_ENGINE_LOG]));
	json_object_set_new(o, "writable_layer_bytes", jbytes(c->bytes[USAGE_WRITABLE_LAYER]));
	json_object_set_new(o, "filesystem", escape_json_string(fs_mount(u, c->fs)));
	return o;
}

static json_t *json_volume(const struct usage *u, const struct usage_volume *v)
{
	json_t *o = json_object(), *ctrs = json_array();

	for (size_t i = 0; i < v->containers.n; i++)
		json_array_append_new(ctrs, escape_json_string(v->containers.v[i]));
	json_object_set_new(o, "key", escape_json_string(v->key));
	json_object_set_new(o, "name", escape_json_string(v->name));
	json_object_set_new(o, "bytes", jbytes(v->bytes));
	json_object_set_new(o, "files", jbytes(v->files));
	json_object_set_new(o, "prunable_bytes", jbytes(v->prunable_bytes));
	json_object_set_new(o, "containers", ctrs);
	json_object_set_new(o, "filesystem", escape_json_string(fs_mount(u, v->fs)));
	return o;
}

json_t *usage_report_json(const struct usage *u)
{
	json_t *root = json_object(), *fs = json_array(), *ctrs = json_array(), *vols = json_array(),
	       *errors = json_array();
	const struct usage_container **sorted_ctrs = sorted_containers(u);
	const struct usage_volume **sorted_vols = sorted_volumes(u);
	struct tm tm;
	char at[32];

	gmtime_r(&u->at, &tm);
	strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ", &tm);
	for (size_t i = 0; i < u->n_fs; i++)
		json_array_append_new(fs, json_fs(&u->fs[i]));
	for (size_t i = 0; i < u->n_containers; i++)
		json_array_append_new(ctrs, json_container(u, sorted_ctrs[i]));
	for (size_t i = 0; i < u->n_volumes; i++)
		json_array_append_new(vols, json_volume(u, sorted_vols[i]));
	free(sorted_ctrs);
	free(sorted_vols);
	for (size_t i = 0; i < u->errors.n; i++)
		json_array_append_new(errors, escape_json_string(u->errors.v[i]));
	json_object_set_new(root, "at", json_string(at));
	json_object_set_new(root, "filesystems", fs);
	json_object_set_new(root, "containers", ctrs);
	json_object_set_new(root, "volumes", vols);
	json_object_set_new(root, "errors", errors);
	return root;
}

void usage_report_print_json(FILE *out, const struct usage *u)
{
	json_t *root = usage_report_json(u);

	json_dumpf(root, out, JSON_INDENT(2) | JSON_SORT_KEYS);
	fputc('\n', out);
	json_decref(root);
}
