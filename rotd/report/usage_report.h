/* usage_report: `rotd usage` as people read it (a table) and as machines read
 * it (a JSON document whose fields rotd(8) documents as a stable interface).
 * Container-controlled strings (names, paths, notes) are escaped before they
 * are shown. */
#ifndef ROTD_USAGE_REPORT_H
#define ROTD_USAGE_REPORT_H

#include <jansson.h>
#include <stdio.h>

#include "engine/inventory.h"
#include "usage/usage.h"

/* Writes u as text: the filesystems as df shows them; the containers, largest
 * first then by name (an unknown figure as "?", its note below the table);
 * the volumes, largest first then by key (both whatever order u holds); the
 * totals per filesystem; the errors; and last one line naming the largest
 * consumer and the rotd step that would free it. inv (may be NULL) is what u
 * was measured from: it tells whether a container's engine log is bounded. */
void usage_report_print_text(FILE *out, const struct usage *u, const struct inventory *inv);

/* u as one JSON object: "at" (RFC 3339, UTC), "filesystems", "containers",
 * "volumes" (in the text's order), "errors"; an unknown figure is null. New
 * reference. */
json_t *usage_report_json(const struct usage *u);

/* Writes usage_report_json(u) as `rotd usage --json` prints it: indented, keys
 * sorted, so the field order never depends on the code that builds it. */
void usage_report_print_json(FILE *out, const struct usage *u);

#endif
