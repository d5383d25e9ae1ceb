/* usage: what fills this host's disks, at any time. One accounting of
 *   - every filesystem that holds container data, a volume or a log folder
 *     (mount point and device on the host, bytes and inodes as df counts them);
 *   - every container, with or without a role, running or not: its live logs
 *     (its role's log patterns), its archives (its role's archive folders), its
 *     engine log (LogPath), its writable layer (SizeRw) and its filesystem;
 *   - every volume mounted at the media root, once however many containers
 *     share it: bytes, files, bytes older than the media floor, and who mounts it.
 * Byte figures are apparent sizes, as `du -sb` counts them (a file with several
 * links in one walk counts once). Read-only: it opens container trees through
 * ctrfs, confined and never following a symlink, and writes nothing.
 * It backs `rotd usage`, the daemon's usage gauges and the remediation report. */
#ifndef ROTD_USAGE_H
#define ROTD_USAGE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "config/config.h"
#include "engine/docker.h"
#include "engine/inventory.h"
#include "lib/fsname.h"
#include "lib/fsusage.h"
#include "lib/strlist.h"
#include "rotate/ctrfs.h"

#define USAGE_UNKNOWN UINT64_MAX   /* a figure that could not be measured (see the container's note) */

struct usage_fs {
	struct fs_name name;           /* mount point and device on the host */
	char *label;                   /* "MOUNT (DEVICE)" */
	struct fs_usage use;           /* bytes and inodes, as df */
	int measured;                  /* use holds figures (0: statvfs failed; see errors) */
};

enum usage_kind {
	USAGE_LIVE_LOGS,               /* the files its role's log patterns match */
	USAGE_ARCHIVES,                /* the files in its role's archive folders */
	USAGE_ENGINE_LOG,              /* the engine's log of its output (LogPath, or the local
	                                  driver's file), rotated files included; 0 for driver none */
	USAGE_WRITABLE_LAYER,          /* SizeRw: what the container wrote into its image */
	USAGE_KINDS
};

struct usage_container {
	char *name;
	char *id;
	const char *role;              /* borrowed from the config, or NULL without one */
	char *state;                   /* the engine's State.Status: "running", "exited", ... */
	uint64_t bytes[USAGE_KINDS];   /* USAGE_UNKNOWN where it cannot be measured (a container
	                                  not running has no tree to read; no role, no logs) */
	uint64_t total;                /* what it takes: the sum of the known figures, with the live
	                                  logs and archives kept in its writable layer (on no
	                                  mount) counted once, since SizeRw holds them too */
	size_t fs;                     /* index into usage.fs of the filesystem it lives on, or
	                                  USAGE_NO_FS */
	char *note;                    /* why a figure is missing, or NULL */
};

#define USAGE_NO_FS SIZE_MAX

struct usage_volume {
	char *key;                     /* inventory_media_key: "volume:whatsappMedia", "bind:/srv/media" */
	char *name;                    /* the volume's name, or the bind's host path */
	uint64_t bytes;                /* everything under the media root, as du -sb */
	uint64_t files;                /* regular files */
	uint64_t prunable_bytes;       /* regular files older than the media floor */
	uint64_t prunable_files;       /* those files */
	struct strlist containers;     /* every container that mounts it, in name order */
	size_t fs;                     /* index into usage.fs, or USAGE_NO_FS */
};

struct usage {
	time_t at;                     /* when it was measured */
	uint64_t media_floor;          /* seconds: what prunable_bytes was counted against */
	struct usage_fs *fs;           /* in mount order */
	size_t n_fs;
	struct usage_container *containers;   /* largest total first, then by name */
	size_t n_containers;
	struct usage_volume *volumes;  /* largest first */
	size_t n_volumes;
	struct strlist errors;         /* one line each: "CONTAINER: PATH: why", or an engine error */
};

/* Measures everything inv lists (all containers, any state; the caller narrows
 * inv for --container), asking d for SizeRw (GET /containers/json?size=true;
 * d NULL: writable layers are unknown).
 * Never fails as a whole: what cannot be measured is USAGE_UNKNOWN with a note,
 * or a line in u->errors. Fills *u (zeroed first). Returns the number of errors. */
size_t usage_collect(struct docker *d, const struct rotd_config *cfg, const struct inventory *inv, time_t now,
		     struct usage *u);

/* The figure kind names as JSON and metrics spell them: "live_logs", "archives",
 * "engine_log", "writable_layer". */
const char *usage_kind_name(enum usage_kind kind);

/* For tests: opens the root of running container c (engine_pid set) instead
 * of ctrfs_open(c->engine_pid, c->id); NULL restores that. */
typedef struct ctrfs *(*usage_root_opener)(const struct container *c);
void usage_set_root_opener(usage_root_opener open);

/* Frees what u owns and zeroes it. */
void usage_free(struct usage *u);

#endif
