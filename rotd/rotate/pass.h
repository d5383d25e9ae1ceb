/* pass: one full pass over the inventory — for each running container with a
 * role: finish interrupted rotations, scan its logs, plan, and (unless a dry run)
 * apply the plan; then the report prints the pass. */
#ifndef ROTD_PASS_H
#define ROTD_PASS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "config/config.h"
#include "rotate/ctrfs.h"
#include "engine/inventory.h"
#include "rotate/plan.h"
#include "rotate/rotate.h"
#include "rotate/scan.h"
#include "lib/strlist.h"

/* One archive folder of one container. */
struct pass_archive_dir {
	const char *path;              /* borrowed from the config */
	int fd;                        /* -1 when missing or refused */
	struct strlist names;          /* its regular files (journal records included); listed
	                                  before the plan, and again once the pass applied it */
	uint64_t *sizes;               /* sizes[k] is the size in bytes of names.v[k] */
};

/* What method rename's postrotate needs to run a command in the container. */
struct pass_exec {
	const char *socket;            /* engine socket */
	const char *container_id;
	unsigned timeout_ms;
};

struct pass_container {
	const struct container *ctr;   /* borrowed from the inventory */
	struct pass_exec exec;
	struct ctrfs *fs;              /* NULL unless the container is running and opened */
	struct rotate_target target;
	int scanned;                   /* scan and plan are filled */
	struct scan_result scan;
	struct plan plan;
	struct rotate_outcome *outcomes;  /* parallel to plan.v; NULL in a dry run */
	struct pass_archive_dir *dirs;    /* distinct archive folders of the role */
	size_t n_dirs;
	struct strlist recovered;      /* what finishing interrupted rotations did (or would do) */
	struct strlist errors;         /* container-level problems */
};

struct pass {
	const char *socket;
	const char *api_version;
	const char *config_path;
	int dry_run;
	time_t now;
	struct pass_container *v;      /* inventory order */
	size_t n;
};

/* Runs the pass over inv: reads every running container with a role, plans, and
 * unless dry_run applies the plans on jobs workers (0: one per CPU): first each
 * ROTATE and ARCHIVE_IDLE with the PRUNEs of its own log; once all are done, the
 * other PRUNEs (of patterns, of logs with no main action, over a folder's
 * max-size). A group whose main actions made none of its new archives loses no
 * archive; one that made some but not all keeps back as many of its newest
 * planned PRUNEs as archives failed (note "kept: the new archive of its log
 * failed"). Then lists the archive folders again. */
void pass_run(struct pass *p, const struct rotd_config *cfg, const struct inventory *inv, int dry_run, time_t now);

/* The archives an emergency pass may drop in pc now (retention_emergency over what
 * its archive folders hold after the pass's own work), oldest first. Empty for a
 * container that was not scanned. Free with plan_free. */
struct plan pass_emergency_plan(const struct pass_container *pc, time_t now, uint64_t floor);

/* The open fd of pc's archive folder path (as in its policies), or -1. */
int pass_archive_dir_fd(const struct pass_container *pc, const char *path);

/* Frees what p owns (closes the containers' files). */
void pass_free(struct pass *p);

/* EXIT_ROTD_OK, or EXIT_ROTD_PARTIAL when any container, file or step failed. */
int pass_exit_code(const struct pass *p);

#endif
