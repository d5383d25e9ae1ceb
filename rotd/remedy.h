/* remedy: the emergency pass that brings full filesystems back under the low
 * watermark, in the order the runbook wants (DESIGN.md, Remediation):
 *   1. rotate and compress everything over its size, drop archives beyond keep
 *      (the caller's ordinary pass, between remedy_begin and remedy_finish);
 *   2. run cleanup.sh in the containers of the cleanup roles;
 *   3. prune the oldest media first, never younger than the media floor.
 * It measures (fstatvfs, as df) the filesystems that hold each running
 * container's log folders, archive folders and media root, before and after
 * every step, and stops as soon as every target is under low. When it cannot
 * get there it names what takes the space, container by container. */
#ifndef ROTD_REMEDY_H
#define ROTD_REMEDY_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "cleanup.h"
#include "config.h"
#include "ctrfs.h"
#include "fsusage.h"
#include "inventory.h"
#include "media.h"
#include "strlist.h"

enum remedy_trigger {
	REMEDY_MANUAL,       /* rotd --now --remediate: targets what is above low */
	REMEDY_WATERMARK,    /* the daemon found a filesystem above high: targets what is above low */
	REMEDY_ALERT,        /* an alert through the webhook: targets what is above low */
};

struct remedy_fs {
	struct fs_usage before;        /* at remedy_begin */
	struct fs_usage after;         /* at the end (or the last measure) */
	char *label;                   /* where it was first seen: "biz_waweb_1:/var/log/whatsapp" */
	int media_ctr;                 /* index into the handles of a container whose media root is
	                                  on it, or -1 */
	int target;                    /* above low at remedy_begin: must come under low */
	int fd;                        /* private: a folder on it, to measure it again */
};

struct remedy_step {
	char *what;                    /* "rotation and archives beyond keep", "cleanup.sh in 3 containers",
	                                  "media older than 41 days (1204 files)" */
	int64_t freed;                 /* bytes the target filesystems' used fell by during it */
};

struct remedy_consumer {
	char *container;
	const char *role;              /* borrowed from the config, or NULL */
	uint64_t live_logs;            /* sizes of the files its role's log globs match */
	uint64_t archives;             /* sizes of the files in its archive folders */
	uint64_t media;                /* bytes under the media root (0 when shared and counted
	                                  under an earlier container) */
	char *engine_log;              /* the engine's log of its output (LogPath), or NULL */
	uint64_t engine_log_bytes;
	char *hint;                    /* e.g. no max-size on a json-file log, or NULL */
};

struct remedy_ctr;                 /* private: an opened container */

struct remedy {
	enum remedy_trigger trigger;
	unsigned high, low;
	int dry_run;
	int needed;                    /* some filesystem was above the trigger's threshold */
	int reached_low;               /* every target is at or under low (1 when none was needed) */
	struct remedy_fs *fs;
	size_t n_fs;
	struct remedy_step *steps;
	size_t n_steps;
	struct cleanup_task *cleanup;  /* step 2, when it ran */
	size_t n_cleanup;
	struct media_result media;     /* step 3, summed over media filesystems */
	struct remedy_consumer *consumers;   /* when !reached_low, largest first */
	size_t n_consumers;
	struct strlist errors;         /* folders that could not be measured, step failures */
	const struct inventory *inv;   /* private: what remedy_begin was given */
	struct remedy_ctr *ctrs;       /* private: the running containers with a role, opened */
	size_t n_ctrs;
};

/* Opens every running container with a role in inv and measures the
 * filesystems of its log folders, archive folders and media root. r->needed is
 * set when one is above the threshold (high for REMEDY_WATERMARK, low
 * otherwise). inv must outlive r. Free with remedy_free. */
void remedy_begin(struct remedy *r, const struct rotd_config *cfg, const struct inventory *inv,
		  enum remedy_trigger trigger, int dry_run);

/* After the caller's ordinary pass (step 1), runs steps 2 and 3 as far as
 * needed against the engine at socket, then, if a target is still above low,
 * gathers the consumers. Does nothing but measure when !r->needed; in a dry run
 * measures and gathers only. */
void remedy_finish(struct remedy *r, const struct rotd_config *cfg, const char *socket, time_t now);

/* Bytes freed on the target filesystems from begin to the last measure. */
int64_t remedy_freed(const struct remedy *r);

/* Frees what r owns (and closes its containers). */
void remedy_free(struct remedy *r);

/* "manual", "watermark", "alert". */
const char *remedy_trigger_name(enum remedy_trigger t);

#endif
