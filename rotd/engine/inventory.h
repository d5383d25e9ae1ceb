/* inventory: the containers on this host, each mapped to a role by the config's
 * matching rules (or its rotd.role label), with its pid, compose identity and mounts. */
#ifndef ROTD_INVENTORY_H
#define ROTD_INVENTORY_H

#include <jansson.h>
#include <stddef.h>
#include <sys/types.h>

#include "config/config.h"
#include "engine/docker.h"
#include "lib/strlist.h"

#define INVENTORY_ROLE_LABEL "rotd.role"
#define INVENTORY_ROLE_NONE "none"

enum container_state {
	CTR_RUNNING,      /* has a role and a live pid: rotd works on it */
	CTR_STOPPED,      /* has a role but is not running: reported and skipped */
	CTR_IGNORED,      /* no role: not a container rotd looks after */
	CTR_VANISHED,     /* removed between list and inspect: skipped */
	CTR_FAILED,       /* could not be inspected or classified: an error */
};

struct mount_info {
	char *type;          /* "volume", "bind", "tmpfs" ... */
	char *name;          /* volume name, or NULL */
	char *source;        /* host path, or NULL */
	char *destination;   /* path inside the container */
	int read_write;
};

struct container {
	char *id;
	char *name;                      /* without the leading '/' */
	char *image;                     /* Config.Image, or the list's Image */
	char *project;                   /* com.docker.compose.project, or NULL */
	char *service;                   /* com.docker.compose.service, or NULL */
	const struct role_policy *role;  /* borrowed from the config; NULL unless RUNNING/STOPPED */
	enum container_state state;
	char *detail;                    /* why STOPPED/IGNORED/VANISHED/FAILED, for the report */
	pid_t pid;                       /* 0 unless RUNNING */
	char *status;                    /* State.Status ("running", "exited", "created"...), or NULL */
	pid_t engine_pid;                /* State.Pid when the engine says it runs, role or not; else 0 */
	char *started_at;                /* State.StartedAt, or NULL */
	char *log_path;                  /* LogPath: the engine's own log of the container's
	                                    output (a host path), or NULL */
	char *log_driver;                /* HostConfig.LogConfig.Type ("json-file", "local"...), or NULL;
	                                    Podman says json-file for its own k8s-file ctr.log */
	char *log_max_size;              /* its max-size option ("10m"), or NULL when unbounded */
	struct mount_info *mounts;
	size_t n_mounts;
};

struct inventory {
	struct container *v;
	size_t n;
};

/* What classification looks at. */
struct container_facts {
	const char *image;
	const char *name;           /* without the leading '/' */
	const char *service;        /* compose service label, or NULL */
	const char *role_label;     /* rotd.role label, or NULL */
	const struct strlist *env;  /* "KEY=VALUE" entries */
};

/* The outcome of classification. */
enum classify_result {
	CLASSIFY_ROLE,          /* *role is set */
	CLASSIFY_NONE,          /* no rule matched */
	CLASSIFY_LABEL_NONE,    /* rotd.role=none */
	CLASSIFY_LABEL_UNKNOWN, /* rotd.role names a role the config lacks */
};

/* Decides a container's role: a rotd.role label wins; otherwise the first role (in
 * config order) any of whose match blocks matches. Pure. */
enum classify_result inventory_classify(const struct rotd_config *cfg, const struct container_facts *facts,
					const struct role_policy **role);

/* Fills *c from an inspect object (GET /containers/{id}/json) and classifies it.
 * Returns 0, or -1 when the object lacks Id/Name/State (c->state = CTR_FAILED). */
int inventory_entry_from_inspect(const struct rotd_config *cfg, json_t *inspect, struct container *c);

/* Lists containers (all states, narrowed by filters, may be NULL), inspects each and
 * classifies it. Containers gone before inspect are VANISHED; other inspect errors
 * are FAILED entries. Returns DOCKER_OK and fills *inv (sorted by name), or the
 * list call's docker_status (nothing filled). */
int inventory_build(struct docker *d, const struct rotd_config *cfg, const struct docker_filters *filters,
		    struct inventory *inv);

/* The same from a list response already in hand (for callers and tests that act
 * between list and inspect). */
int inventory_build_from_list(struct docker *d, const struct rotd_config *cfg, json_t *list,
			      struct inventory *inv);

/* Re-inspects container id and brings inv up to date: replaces its entry (or
 * adds it, keeping the name order), or removes it when the engine no longer
 * knows it. Returns DOCKER_OK and sets *entry to its entry in inv (NULL when
 * removed; valid until inv changes again), or the inspect call's error with inv
 * unchanged (DOCKER_EPROTO: the answer lacked Id, Name or State; the old entry is
 * then gone). */
int inventory_refresh(struct docker *d, const struct rotd_config *cfg, struct inventory *inv, const char *id,
		      const struct container **entry);

/* The identity of the mount that holds the media root in c: "volume:NAME" for a
 * named volume, "TYPE:SOURCE" for a bind or other mount; NULL when no mount
 * covers root (a master whose media root is only a folder of its image is never
 * a media source). Containers with one key share one volume. New string. */
char *inventory_media_key(const struct container *c, const char *root);

/* Whether c's engine log is a Docker json-file log without max-size, the one that
 * "log-opts" in daemon.json bound: driver json-file and a LogPath that ends in
 * "-json.log" (Podman reports json-file for its own ctr.log, which they do not
 * govern). Pure. */
int inventory_json_log_unbounded(const struct container *c);

/* The cheap check for what events may have missed: adds to ids (once each) the
 * containers whose running pid is gone (ESRCH), and, from one list call
 * without inspecting, those the engine lists that inv lacks or shows in
 * another running state, and those inv has that the engine no longer lists.
 * Re-inspect them with inventory_refresh. Returns DOCKER_OK or the list
 * call's error. */
int inventory_stale(struct docker *d, const struct inventory *inv, struct strlist *ids);

/* Frees everything inv owns and empties it. */
void inventory_free(struct inventory *inv);

/* "running", "stopped", "ignored", "vanished", "failed". */
const char *inventory_state_name(enum container_state state);

#endif
