/* remedy: the emergency pass that brings full filesystems back under the low
 * watermark, in the order the runbook wants (DESIGN.md, Remediation):
 *   1. rotate and compress everything over its size, drop archives beyond keep,
 *      max-age and max-size (the caller's ordinary pass, between remedy_begin
 *      and remedy_finish);
 *   2. run cleanup.sh in the containers of the cleanup roles (in the daemon at
 *      most once per remediation-backoff);
 *   3. prune the oldest media first, never younger than the media floor, in
 *      each media volume once (reached through a container that mounts it);
 *   4. drop the oldest archives, never younger than archive-floor, never the
 *      newest archive of a log.
 * It measures (fstatvfs, as df) the filesystems that hold each running
 * container's log folders, archive folders and media volume, named by mount
 * point and device and counted once however many containers share them,
 * before and after every step, and stops as soon as every target is under
 * low. When it cannot get there it names what takes the space. */
#ifndef ROTD_REMEDY_H
#define ROTD_REMEDY_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "jobs/cleanup.h"
#include "config/config.h"
#include "rotate/ctrfs.h"
#include "lib/fsusage.h"
#include "engine/inventory.h"
#include "lib/fsname.h"
#include "jobs/media.h"
#include "rotate/pass.h"
#include "lib/strlist.h"

enum remedy_trigger {
	REMEDY_MANUAL,       /* rotd --now --remediate: targets what is above low */
	REMEDY_WATERMARK,    /* the daemon found a filesystem above high: targets what is above low */
	REMEDY_ALERT,        /* an alert through the webhook: targets what is above low */
};

struct remedy_fs {
	struct fs_usage before;        /* at remedy_begin */
	struct fs_usage after;         /* at the end (or the last measure) */
	struct fs_name name;           /* mount point and device on the host */
	char *label;                   /* "MOUNT (DEVICE)" */
	int target;                    /* above low at remedy_begin and not backing off: must come
	                                  under low */
	int backing_off;               /* above the threshold, but an emergency pass already left it
	                                  there recently and it has not grown since (daemon) */
	int fd;                        /* private: a folder on it, to measure it again */
};

/* A media volume, pruned once however many containers mount it. */
struct remedy_volume {
	char *key;                     /* "volume:whatsappMedia", "bind:/srv/media" */
	const char *via;               /* the first container that mounts it (borrowed name) */
	size_t ctr;                    /* private: its index */
	size_t fs;                     /* index into fs */
	struct strlist containers;     /* every running container that mounts it */
};

/* An archive the last step dropped. */
struct remedy_dropped {
	char *container;
	char *path;                    /* inside the container */
	uint64_t bytes;
};

/* What the daemon remembers between emergency passes (zero it to start). */
struct remedy_recall {
	dev_t dev;                     /* the filesystem */
	unsigned pct;                  /* its usage when a pass last left it above low */
	time_t at;                     /* when */
	int told;                      /* what takes its space was reported in this incident */
};

struct remedy_memory {
	struct remedy_recall *v;       /* filesystems an emergency pass left above low */
	size_t n;
	time_t cleanup_at;             /* when an emergency pass last ran cleanup.sh, or 0 */
};

struct remedy_step {
	char *what;                    /* "rotation and archives beyond keep", "cleanup.sh in 3 containers",
	                                  "media older than 41 days (1204 files)" */
	int64_t freed;                 /* bytes the target filesystems' used fell by during it; in a
	                                  dry run, the estimate of what it would free */
	char *note;                    /* dry run: what the estimate rests on ("cannot be estimated:
	                                  the image's own script"), or NULL */
};

struct remedy_consumer {            /* figures from usage_collect (usage/usage.h) */
	char *container;
	const char *role;              /* borrowed from the config, or NULL */
	uint64_t live_logs;            /* sizes of the files its role's log globs match */
	uint64_t archives;             /* its archive folders, as du -sb counts them */
	uint64_t media;                /* bytes of its media volume, as du -sb (0 when shared and counted
	                                  under the volume's first container, or without a volume) */
	char *engine_log;              /* the engine's log of its output (LogPath), or NULL */
	uint64_t engine_log_bytes;     /* LogPath and its rotated siblings (LogPath.1, ...) */
	char *hint;                    /* e.g. no max-size on a json-file log, or NULL */
};

struct remedy_ctr;                 /* private: an opened container */

struct remedy {
	enum remedy_trigger trigger;
	unsigned high, low;
	int dry_run;                   /* nothing is freed: steps hold estimates, each target's
	                                  after is its usage as estimated at the end, and
	                                  reached_low says whether that would be under low */
	int needed;                    /* some filesystem was above the trigger's threshold */
	int reached_low;               /* every target is at or under low (1 when none was needed) */
	struct remedy_fs *fs;
	size_t n_fs;
	struct remedy_step *steps;
	size_t n_steps;
	struct cleanup_task *cleanup;  /* step 2, when it ran */
	size_t n_cleanup;
	struct media_result media;     /* step 3, summed over media volumes */
	struct remedy_volume *volumes;
	size_t n_volumes;
	struct remedy_dropped *dropped;   /* step 4 */
	size_t n_dropped;
	uint64_t dropped_bytes;
	char *cleanup_skipped;         /* why step 2 did not run (backoff), or NULL */
	struct remedy_consumer *consumers;   /* when !reached_low, largest first */
	size_t n_consumers;
	struct strlist errors;         /* folders that could not be measured, step failures */
	const struct inventory *inv;   /* private: what remedy_begin was given */
	const struct remedy_memory *memory;   /* the daemon's memory (or NULL); read by cycle_record for
	                                  the filesystems-short-of-low gauge */
	uint64_t backoff;              /* private: seconds */
	struct remedy_ctr *ctrs;       /* private: the running containers with a role, opened */
	size_t n_ctrs;
};

/* Opens every running container with a role in inv and measures the
 * filesystems of its log folders, archive folders and media volume. r->needed
 * is set when one is above the threshold (high for REMEDY_WATERMARK, low
 * otherwise) and, with a memory (the daemon's; NULL for rotd --now), is not
 * backing off: a filesystem that an earlier pass left above low is left alone
 * until its usage grows by a point or remediation-backoff passes. inv and
 * memory must outlive r. Free with remedy_free. */
void remedy_begin(struct remedy *r, const struct rotd_config *cfg, const struct inventory *inv,
		  enum remedy_trigger trigger, int dry_run, const struct remedy_memory *memory, time_t now);

/* After the caller's ordinary pass p (step 1), runs steps 2 to 4 as far as
 * needed against the engine at socket, then, if a target is still above low,
 * gathers the consumers. Does nothing but measure when !r->needed; in a dry run
 * measures and gathers only. */
void remedy_finish(struct remedy *r, const struct rotd_config *cfg, const char *socket, const struct pass *p,
		   time_t now);

/* Updates the daemon's memory after a finished pass r: filesystems an
 * emergency pass (r->needed) left above low are recalled (usage and time),
 * those under low forgotten, and when cleanup.sh ran. Returns 1 when a filesystem fell short for the first time in
 * its incident (report what takes the space now), else 0. */
int remedy_remember(struct remedy_memory *m, const struct remedy *r, time_t now);

/* Frees what m holds. */
void remedy_memory_free(struct remedy_memory *m);

/* Bytes freed on the target filesystems from begin to the last measure. */
int64_t remedy_freed(const struct remedy *r);

/* Frees what r owns (and closes its containers). */
void remedy_free(struct remedy *r);

/* "manual", "watermark", "alert". */
const char *remedy_trigger_name(enum remedy_trigger t);

#endif
