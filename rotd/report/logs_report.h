/* logs_report: the records `rotd logs` finds, as people read them
 * ("CONTAINER LOG: LINE" for every line) and as machines read them (one JSON
 * object per line). Log text comes from containers: the text form shows its
 * control characters as \xNN, the JSON form escapes them as JSON does. */
#ifndef ROTD_LOGS_REPORT_H
#define ROTD_LOGS_REPORT_H

#include <jansson.h>
#include <stdio.h>

#include "logs/search.h"

/* Writes every line of hit's record as "CONTAINER LOG: LINE\n". */
void logs_report_print_text(FILE *out, const struct logs_hit *hit);

/* hit as {"time", "container", "role", "log", "archive", "text"}, in that order:
 * time RFC 3339 UTC or null, archive the archive's file name or null for the
 * live log, text the record's lines joined by "\n". New reference. */
json_t *logs_report_json(const struct logs_hit *hit);

/* Writes logs_report_json(hit) compact on one line. */
void logs_report_print_json(FILE *out, const struct logs_hit *hit);

#endif
