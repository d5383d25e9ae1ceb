/* metrics: rotd's Prometheus metrics. Totals accumulate over the life of the
 * process (a daemon's uptime; one pass for rotd --now) and are rendered in the
 * Prometheus text exposition format (version 0.0.4), for node-exporter's
 * textfile collector and for the daemon's optional /metrics endpoint.
 *
 * Families (label values are escaped as the format requires):
 *   rotd_build_info{version}                       gauge 1
 *   rotd_start_time_seconds                        gauge
 *   rotd_passes_total                              counter
 *   rotd_last_pass_timestamp_seconds               gauge, when the last pass started
 *   rotd_last_pass_success                         gauge 1/0 (exit code 0 or not)
 *   rotd_last_pass_duration_seconds                gauge
 *   rotd_containers{role,state}                    gauge, the inventory (role "none": no role)
 *   rotd_rotated_bytes_total{container,role}       counter, source bytes archived
 *   rotd_archives_written_total{container,role}    counter
 *   rotd_archives_pruned_total{container,role}     counter, archives removed beyond keep
 *   rotd_freed_bytes_total{container,role}         counter, bytes the live logs shrank by
 *                                                  plus the sizes of pruned archives,
 *                                                  minus the new archives' sizes
 *                                                  (per container and pass, never below 0)
 *   rotd_cleanup_exit_code{container}              gauge, last cleanup.sh exit code
 *                                                  (-1: timed out or could not run)
 *   rotd_cleanup_last_run_timestamp_seconds{container} gauge, start of the pass that ran it
 *   rotd_media_pruned_files_total{volume}          counter
 *   rotd_media_pruned_bytes_total{volume}          counter
 *   rotd_errors_total{kind}                        counter; kinds: engine, container, file,
 *                                                  prune, cleanup, media, gc, state, config,
 *                                                  metrics
 *   rotd_remediations_total{trigger}              counter, emergency passes that had work
 *   rotd_remediation_freed_bytes_total{trigger}   counter
 *   rotd_last_remediation_timestamp_seconds       gauge
 *   rotd_last_remediation_reached_low             gauge 1/0 (history: what that pass did)
 *   rotd_filesystems_measured                     gauge, filesystems the last check measured
 *   rotd_filesystems_above_low                    gauge, of those, above the low watermark
 *   rotd_filesystems_short_of_low                 gauge, of those above low, the ones an
 *                                                  emergency pass left above low (it fell
 *                                                  short there) and that are still above
 *   rotd_container_bytes{container,role,kind}      gauge, the last usage refresh: bytes by kind
 *                                                  (usage_kind_name: live_logs, archives,
 *                                                  engine_log, writable_layer); role "none"
 *                                                  without one, as in rotd_containers
 *   rotd_volume_bytes{volume}                      gauge, bytes under the media root; volume is
 *                                                  the key of rotd_media_pruned_*: "volume:NAME"
 *                                                  or "bind:/host/path"
 *   rotd_filesystem_used_ratio{mount}              gauge 0..1, used / (used + available), as
 *                                                  df's Use% (mount: the host's mount point)
 *   rotd_usage_refreshed_timestamp_seconds         gauge, when the last usage refresh measured
 * The three filesystems gauges are the current state, not history: the daemon
 * measures on every interval check (remedy_begin), so they follow a disk that
 * was cleaned by hand within an interval; they appear once a pass measured.
 * RotdRemediationFellShort fires on rotd_filesystems_short_of_low > 0.
 * The usage gauges are the last refresh's, whole: a container, volume or
 * filesystem it did not see has no series, and a figure it could not measure
 * (USAGE_UNKNOWN) is left out rather than shown as 0. They appear once a
 * refresh measured; the label sets are bounded by what the host holds.
 * Every errors kind is always present (0 until it happens).
 * Not thread-safe, except metrics_set_usage: one thread records and renders;
 * publish the rendered text. */
#ifndef ROTD_METRICS_H
#define ROTD_METRICS_H

#include <jansson.h>
#include <time.h>

#include "engine/inventory.h"
#include "jobs/jobs.h"
#include "rotate/pass.h"
#include "remedy/remedy.h"
#include "usage/usage.h"

struct metrics;

/* Returns empty metrics for a process started at started. Never NULL. */
struct metrics *metrics_new(time_t started);

/* Frees m; NULL is allowed. */
void metrics_free(struct metrics *m);

/* Adds a finished pass: p (not a dry run) and its jobs j (NULL when none ran),
 * which started at started, took seconds and ended with exit_code. Counts its
 * container, file, prune, cleanup, media, gc and state errors. */
void metrics_record_pass(struct metrics *m, const struct pass *p, const struct jobs *j, time_t started,
			 double seconds, int exit_code);

/* Adds an emergency pass that had work to do (r->needed, not a dry run) and
 * ended at at. */
void metrics_record_remedy(struct metrics *m, const struct remedy *r, time_t at);

/* Replaces the filesystems gauges with what r measured last (after its pass;
 * not a dry run). memory is the daemon's, after remedy_remember: a filesystem
 * is short of low when it is above low and recalled there; NULL (rotd --now
 * --remediate): when it is above low and was a target of r. */
void metrics_record_filesystems(struct metrics *m, const struct remedy *r, const struct remedy_memory *memory);

/* Counts one error of kind outside a pass (e.g. "engine", "config", "metrics").
 * An unknown kind is counted under its own name. */
void metrics_count_error(struct metrics *m, const char *kind);

/* Replaces the rotd_containers gauge with the counts of inv. */
void metrics_set_inventory(struct metrics *m, const struct inventory *inv);

/* Replaces the usage gauges with what u measured (copied: u may be freed
 * afterwards). The one call that may run on another thread than the one that
 * renders: the new gauges are built first, then swapped in under the metrics'
 * usage lock, so a render shows either the old refresh or the new one whole. */
void metrics_set_usage(struct metrics *m, const struct usage *u);

/* Puts mode="MODE" first on every sample (NULL: none). rotd --now renders with
 * "now" into its own file beside the daemon's, so that node-exporter's textfile
 * collector sees two sets of series and never a clash, and a one-shot run
 * never lowers or removes the daemon's. */
void metrics_set_mode(struct metrics *m, const char *mode);

/* The totals and last-pass gauges of m as JSON, to keep across one-shot runs
 * (the containers and filesystems gauges are not kept: they describe the run
 * that measured them). New reference. */
json_t *metrics_save(const struct metrics *m);

/* Puts back into m what metrics_save wrote; entries of the wrong shape are
 * ignored, so a damaged record restarts those series at 0. */
void metrics_restore(struct metrics *m, const json_t *saved);

/* The file rotd --now writes: the daemon's path with "-now" before ".prom"
 * (rotd.prom -> rotd-now.prom). New string. */
char *metrics_now_path(const char *daemon_path);

/* Renders everything: HELP and TYPE lines, families in the order above, series
 * sorted by labels. New string. */
char *metrics_render(const struct metrics *m);

/* Writes text to path atomically: a temp file in the same folder (mode 0644),
 * fsync, rename over path, fsync of the folder. Returns 0, or -1 with *err set
 * to a new one-line message naming the path (a missing folder is not created). */
int metrics_write_file(const char *path, const char *text, char **err);

#endif
