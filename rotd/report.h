/* report: what a pass saw and did, for people (text) and machines (JSON).
 * Container-controlled strings (names, paths) are escaped before they are shown. */
#ifndef ROTD_REPORT_H
#define ROTD_REPORT_H

#include <stdio.h>

#include "inventory.h"
#include "scan.h"

/* One container's part of the report. */
struct report_container {
	const struct container *ctr;   /* borrowed from the inventory */
	int scanned;                   /* scan is filled */
	struct scan_result scan;       /* owned */
	char *error;                   /* owned; why the container could not be read, or NULL */
};

struct report {
	const char *socket;            /* engine socket path */
	const char *api_version;       /* negotiated API version */
	const char *config_path;       /* file the config came from, or "<built-in>" */
	int dry_run;
	struct report_container *v;    /* owned array, inventory order */
	size_t n;
};

/* Prepares r with one entry per inventory container (nothing scanned yet). */
void report_init(struct report *r, const struct inventory *inv);

/* Frees what r owns. */
void report_free(struct report *r);

/* Writes the human summary. */
void report_print_text(FILE *out, const struct report *r);

/* Writes the report as one JSON object followed by a newline. */
void report_print_json(FILE *out, const struct report *r);

/* EXIT_ROTD_OK when no container failed or errored, else EXIT_ROTD_PARTIAL. */
int report_exit_code(const struct report *r);

/* A copy of s fit for a terminal: bytes outside printable ASCII become \xNN and
 * '\\' becomes "\\\\". New string. */
char *report_escape(const char *s);

#endif
