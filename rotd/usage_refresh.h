/* usage_refresh: the daemon's usage gauges. They come from a thread of its
 * own, at idle I/O priority and niced: every usage-interval it measures with
 * its own engine client and a fresh inventory (usage_collect), swaps the
 * result into the metrics under their lock, and wakes the loop to publish it. It takes neither the pass lock
 * nor anything of the loop's, so a pass never waits for it. The config it
 * measures with is shared with the loop: a reload hands the new one over, and
 * the old one is freed by whichever of the two is done with it last. Its
 * progress never pings the systemd watchdog, which must keep proving that the
 * loop, not this thread, is alive. */
#ifndef ROTD_USAGE_REFRESH_H
#define ROTD_USAGE_REFRESH_H

#include "config/config.h"
#include "report/metrics.h"

struct usage_refresh;

/* Starts the refresh with cfg (the loop's, shared: see usage_refresh_config),
 * swapping into m and waking the loop through wake_fd. NULL when no thread
 * could start (logged; the gauges then stay empty). */
struct usage_refresh *usage_refresh_start(struct metrics *m, struct rotd_config *cfg, int wake_fd);

/* Hands the refresh the config a reload made current, and frees old (the one
 * it replaces) now, or leaves that to the thread while a refresh measures
 * with it. */
void usage_refresh_config(struct usage_refresh *r, struct rotd_config *cfg, struct rotd_config *old);

/* Whether a refresh landed in the metrics since the last call. */
int usage_refresh_fresh(struct usage_refresh *r);

/* Stops the thread (a refresh in progress ends at its next check of the
 * stop) and frees r; NULL is a no-op. */
void usage_refresh_stop(struct usage_refresh *r);

#endif
