#include "autoconf.h"

#include <errno.h>
#include <fnmatch.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "engine/inventory.h"
#include "lib/log.h"
#include "lib/xalloc.h"

static int any_glob_matches(const struct strlist *patterns, const char *value)
{
	if (value == NULL)
		return 0;
	for (size_t i = 0; i < patterns->n; i++)
		if (fnmatch(patterns->v[i], value, 0) == 0)
			return 1;
	return 0;
}

/* "KEY=VALUE" needs that exact entry; "KEY" needs the variable set to anything. */
static int env_has(const struct strlist *env, const char *want)
{
	size_t keylen = strlen(want);
	int exact = strchr(want, '=') != NULL;

	if (env == NULL)
		return 0;
	for (size_t i = 0; i < env->n; i++) {
		if (exact && strcmp(env->v[i], want) == 0)
			return 1;
		if (!exact && strncmp(env->v[i], want, keylen) == 0 && env->v[i][keylen] == '=')
			return 1;
	}
	return 0;
}

static int match_block_matches(const struct role_match *m, const struct container_facts *f)
{
	int constrained = 0;

	if (m->images.n) {
		constrained = 1;
		if (!any_glob_matches(&m->images, f->image))
			return 0;
	}
	if (m->services.n) {
		constrained = 1;
		if (!any_glob_matches(&m->services, f->service))
			return 0;
	}
	if (m->names.n) {
		constrained = 1;
		if (!any_glob_matches(&m->names, f->name))
			return 0;
	}
	for (size_t i = 0; i < m->envs.n; i++) {
		constrained = 1;
		if (!env_has(f->env, m->envs.v[i]))
			return 0;
	}
	for (size_t i = 0; i < m->not_envs.n; i++)
		if (env_has(f->env, m->not_envs.v[i]))
			return 0;
	/* A block that constrains nothing positively must not adopt every container. */
	return constrained;
}

enum classify_result inventory_classify(const struct rotd_config *cfg, const struct container_facts *facts,
					const struct role_policy **role)
{
	*role = NULL;
	if (facts->role_label != NULL) {
		if (strcmp(facts->role_label, INVENTORY_ROLE_NONE) == 0)
			return CLASSIFY_LABEL_NONE;
		*role = config_role(cfg, facts->role_label);
		return *role ? CLASSIFY_ROLE : CLASSIFY_LABEL_UNKNOWN;
	}
	for (size_t r = 0; r < cfg->n_roles; r++)
		for (size_t m = 0; m < cfg->roles[r].n_matches; m++)
			if (match_block_matches(&cfg->roles[r].matches[m], facts)) {
				*role = &cfg->roles[r];
				return CLASSIFY_ROLE;
			}
	return CLASSIFY_NONE;
}

static const char *json_str(json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

static char *json_strdup(json_t *obj, const char *key)
{
	return xstrdup(json_str(obj, key));
}

static void read_mounts(json_t *mounts, struct container *c)
{
	size_t i;
	json_t *m;

	if (!json_is_array(mounts) || json_array_size(mounts) == 0)
		return;
	c->mounts = xcalloc(json_array_size(mounts), sizeof(*c->mounts));
	json_array_foreach(mounts, i, m) {
		struct mount_info *mi = &c->mounts[c->n_mounts];

		if (json_str(m, "Destination") == NULL)
			continue;
		mi->type = json_strdup(m, "Type");
		mi->name = json_strdup(m, "Name");
		mi->source = json_strdup(m, "Source");
		mi->destination = json_strdup(m, "Destination");
		mi->read_write = json_is_true(json_object_get(m, "RW"));
		c->n_mounts++;
	}
}

static void read_env(json_t *env, struct strlist *out)
{
	size_t i;
	json_t *e;

	json_array_foreach(env, i, e)
		if (json_is_string(e))
			strlist_add(out, json_string_value(e));
}

static void classify_entry(const struct rotd_config *cfg, struct container *c, const struct container_facts *f,
			   int running, const char *status)
{
	switch (inventory_classify(cfg, f, &c->role)) {
	case CLASSIFY_ROLE:
		c->state = running ? CTR_RUNNING : CTR_STOPPED;
		if (!running)
			c->detail = xasprintf("%s, not running: skipped", status ? status : "not running");
		break;
	case CLASSIFY_NONE:
		c->state = CTR_IGNORED;
		c->detail = xstrdup("matches no role");
		break;
	case CLASSIFY_LABEL_NONE:
		c->state = CTR_IGNORED;
		c->detail = xstrdup("label " INVENTORY_ROLE_LABEL "=" INVENTORY_ROLE_NONE);
		break;
	case CLASSIFY_LABEL_UNKNOWN:
		c->state = CTR_FAILED;
		c->detail = xasprintf("label " INVENTORY_ROLE_LABEL "=%s names no role in the configuration",
				      f->role_label);
		break;
	}
}

int inventory_entry_from_inspect(const struct rotd_config *cfg, json_t *inspect, struct container *c)
{
	json_t *config = json_object_get(inspect, "Config");
	json_t *state = json_object_get(inspect, "State");
	json_t *labels = json_object_get(config, "Labels");
	json_t *log_config;
	const char *name = json_str(inspect, "Name");
	struct strlist env = STRLIST_INIT;
	struct container_facts facts;
	int running;

	if (json_str(inspect, "Id") == NULL || name == NULL || !json_is_object(state)) {
		c->state = CTR_FAILED;
		c->detail = xstrdup("the engine's inspect answer lacks Id, Name or State");
		return -1;
	}
	c->id = json_strdup(inspect, "Id");
	c->name = xstrdup(name[0] == '/' ? name + 1 : name);
	c->image = json_strdup(config, "Image");
	c->project = json_strdup(labels, "com.docker.compose.project");
	c->service = json_strdup(labels, "com.docker.compose.service");
	c->started_at = json_strdup(state, "StartedAt");
	c->log_path = json_str(inspect, "LogPath") != NULL && json_str(inspect, "LogPath")[0] != '\0' ?
			      json_strdup(inspect, "LogPath") : NULL;
	log_config = json_object_get(json_object_get(inspect, "HostConfig"), "LogConfig");
	c->log_driver = json_strdup(log_config, "Type");
	c->log_max_size = json_strdup(json_object_get(log_config, "Config"), "max-size");
	read_mounts(json_object_get(inspect, "Mounts"), c);
	read_env(json_object_get(config, "Env"), &env);

	facts.image = c->image;
	facts.name = c->name;
	facts.service = c->service;
	facts.role_label = json_str(labels, INVENTORY_ROLE_LABEL);
	facts.env = &env;
	running = json_is_true(json_object_get(state, "Running")) &&
		  json_integer_value(json_object_get(state, "Pid")) > 0;
	classify_entry(cfg, c, &facts, running, json_str(state, "Status"));
	c->status = json_strdup(state, "Status");
	if (running)
		c->engine_pid = (pid_t)json_integer_value(json_object_get(state, "Pid"));
	if (c->state == CTR_RUNNING)
		c->pid = c->engine_pid;
	strlist_free(&env);
	return 0;
}

/* Fills an entry for a container that could not be inspected. */
static void entry_from_summary(json_t *summary, struct container *c, enum container_state state, const char *why)
{
	const char *name = json_string_value(json_array_get(json_object_get(summary, "Names"), 0));

	c->id = json_strdup(summary, "Id");
	c->name = xstrdup(name ? (name[0] == '/' ? name + 1 : name) : json_str(summary, "Id"));
	c->image = json_strdup(summary, "Image");
	c->status = json_strdup(summary, "State");
	c->state = state;
	c->detail = xstrdup(why);
}

static int by_name(const void *a, const void *b)
{
	const struct container *x = a, *y = b;

	return strcmp(x->name ? x->name : "", y->name ? y->name : "");
}

int inventory_build_from_list(struct docker *d, const struct rotd_config *cfg, json_t *list, struct inventory *inv)
{
	size_t i;
	json_t *summary;

	inv->v = xcalloc(json_array_size(list), sizeof(*inv->v));
	inv->n = 0;
	json_array_foreach(list, i, summary) {
		struct container *c = &inv->v[inv->n];
		const char *id = json_str(summary, "Id");
		json_t *inspect = NULL;
		int st;

		if (id == NULL)
			continue;
		inv->n++;
		st = docker_inspect_container(d, id, &inspect);
		if (st == DOCKER_ENOTFOUND) {
			entry_from_summary(summary, c, CTR_VANISHED, "removed before it could be inspected: skipped");
			log_info("container %s was removed before it could be inspected; skipped", c->name);
			continue;
		}
		if (st != DOCKER_OK) {
			entry_from_summary(summary, c, CTR_FAILED, docker_error(d));
			log_errorx("container %s: inspect failed: %s", c->name, c->detail);
			continue;
		}
		if (inventory_entry_from_inspect(cfg, inspect, c) < 0)
			log_errorx("container %s: %s", id, c->detail);
		else if (c->state == CTR_FAILED)
			log_errorx("container %s: %s", c->name, c->detail);
		json_decref(inspect);
	}
	if (inv->n > 1)
		qsort(inv->v, inv->n, sizeof(*inv->v), by_name);
	return DOCKER_OK;
}

int inventory_build(struct docker *d, const struct rotd_config *cfg, const struct docker_filters *filters,
		    struct inventory *inv)
{
	json_t *list = NULL;
	int st = docker_list_containers(d, 1, filters, &list);

	inv->v = NULL;
	inv->n = 0;
	if (st != DOCKER_OK)
		return st;
	st = inventory_build_from_list(d, cfg, list, inv);
	json_decref(list);
	return st;
}

static const struct container *entry_by_id(const struct inventory *inv, const char *id)
{
	for (size_t i = 0; i < inv->n; i++)
		if (inv->v[i].id != NULL && strcmp(inv->v[i].id, id) == 0)
			return &inv->v[i];
	return NULL;
}

/* Whether the list's summary of a container disagrees with its entry. */
static int summary_differs(const struct container *c, json_t *summary)
{
	const char *state = json_str(summary, "State");
	int running = state != NULL && strcmp(state, "running") == 0;

	switch (c->state) {
	case CTR_RUNNING:
		return !running;
	case CTR_STOPPED:
		return running;
	case CTR_IGNORED:
		return 0;
	case CTR_VANISHED:
	case CTR_FAILED:
		break;
	}
	return 1;
}

int inventory_stale(struct docker *d, const struct inventory *inv, struct strlist *ids)
{
	json_t *list = NULL, *summary;
	size_t i;
	int st;

	for (i = 0; i < inv->n; i++) {
		const struct container *c = &inv->v[i];

		if (c->state == CTR_RUNNING && c->pid > 0 && kill(c->pid, 0) < 0 && errno == ESRCH &&
		    !strlist_contains(ids, c->id))
			strlist_add(ids, c->id);
	}
	st = docker_list_containers(d, 1, NULL, &list);
	if (st != DOCKER_OK)
		return st;
	json_array_foreach(list, i, summary) {
		const char *id = json_str(summary, "Id");
		const struct container *c;

		if (id == NULL)
			continue;
		c = entry_by_id(inv, id);
		if ((c == NULL || summary_differs(c, summary)) && !strlist_contains(ids, id))
			strlist_add(ids, id);
	}
	for (i = 0; i < inv->n; i++) {
		const char *id = inv->v[i].id;
		int listed = 0;
		size_t k;

		json_array_foreach(list, k, summary) {
			const char *lid = json_str(summary, "Id");

			if (lid != NULL && id != NULL && strcmp(lid, id) == 0) {
				listed = 1;
				break;
			}
		}
		if (!listed && id != NULL && !strlist_contains(ids, id))
			strlist_add(ids, id);
	}
	json_decref(list);
	return DOCKER_OK;
}

/* Frees what c owns. */
static void container_free(struct container *c)
{
	for (size_t m = 0; m < c->n_mounts; m++) {
		free(c->mounts[m].type);
		free(c->mounts[m].name);
		free(c->mounts[m].source);
		free(c->mounts[m].destination);
	}
	free(c->mounts);
	free(c->id);
	free(c->name);
	free(c->image);
	free(c->project);
	free(c->service);
	free(c->detail);
	free(c->started_at);
	free(c->status);
	free(c->log_path);
	free(c->log_driver);
	free(c->log_max_size);
}

char *inventory_media_key(const struct container *c, const char *root)
{
	const struct mount_info *best = NULL;
	size_t best_len = 0;

	for (size_t m = 0; m < c->n_mounts; m++) {
		const char *dst = c->mounts[m].destination;
		size_t len = strlen(dst);

		if (strncmp(root, dst, len) == 0 && (root[len] == '\0' || root[len] == '/' || strcmp(dst, "/") == 0) &&
		    len >= best_len) {
			best = &c->mounts[m];
			best_len = len;
		}
	}
	if (best == NULL)
		return NULL;
	if (best->name != NULL && *best->name != '\0')
		return xasprintf("volume:%s", best->name);
	return xasprintf("%s:%s", best->type ? best->type : "mount", best->source ? best->source : "?");
}

int inventory_json_log_unbounded(const struct container *c)
{
	static const char suffix[] = "-json.log";
	size_t len;

	if (c->log_driver == NULL || strcmp(c->log_driver, "json-file") != 0 || c->log_max_size != NULL ||
	    c->log_path == NULL)
		return 0;
	len = strlen(c->log_path);
	return len > sizeof(suffix) - 1 && strcmp(c->log_path + len - (sizeof(suffix) - 1), suffix) == 0 &&
	       c->log_path[len - sizeof(suffix)] != '/';
}

void inventory_free(struct inventory *inv)
{
	for (size_t i = 0; i < inv->n; i++)
		container_free(&inv->v[i]);
	free(inv->v);
	inv->v = NULL;
	inv->n = 0;
}

/* The index of the entry whose id is id, or inv->n. */
static size_t find_id(const struct inventory *inv, const char *id)
{
	size_t i;

	for (i = 0; i < inv->n; i++)
		if (inv->v[i].id != NULL && strcmp(inv->v[i].id, id) == 0)
			break;
	return i;
}

int inventory_refresh(struct docker *d, const struct rotd_config *cfg, struct inventory *inv, const char *id,
		      const struct container **entry)
{
	json_t *inspect = NULL;
	struct container c;
	size_t at = find_id(inv, id);
	int st = docker_inspect_container(d, id, &inspect);

	*entry = NULL;
	if (st != DOCKER_OK && st != DOCKER_ENOTFOUND)
		return st;
	if (at < inv->n) {
		container_free(&inv->v[at]);
		inv->v[at] = inv->v[--inv->n];
	}
	if (st == DOCKER_ENOTFOUND)
		return DOCKER_OK;
	memset(&c, 0, sizeof(c));
	if (inventory_entry_from_inspect(cfg, inspect, &c) < 0) {
		json_decref(inspect);
		container_free(&c);
		return DOCKER_EPROTO;
	}
	json_decref(inspect);
	inv->v = xreallocarray(inv->v, inv->n + 1, sizeof(*inv->v));
	inv->v[inv->n++] = c;
	if (inv->n > 1)
		qsort(inv->v, inv->n, sizeof(*inv->v), by_name);
	*entry = &inv->v[find_id(inv, c.id)];
	return DOCKER_OK;
}

const char *inventory_state_name(enum container_state state)
{
	switch (state) {
	case CTR_RUNNING:
		return "running";
	case CTR_STOPPED:
		return "stopped";
	case CTR_IGNORED:
		return "ignored";
	case CTR_VANISHED:
		return "vanished";
	case CTR_FAILED:
		break;
	}
	return "failed";
}
