/* logs_report: `rotd logs` output, text and JSON lines. */
#include "report/logs_report.h"

#include <stdlib.h>
#include <string.h>

#include "lib/escape.h"
#include "lib/logtime.h"

/* Writes n bytes of log text with control characters (C0 but tab, DEL, C1) as
 * \xNN, so that a line never rewrites the terminal. */
static void put_text(FILE *out, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t run = 0;

	for (size_t i = 0; i < n; i++) {
		int ctl = (p[i] < 0x20 && p[i] != '\t') || p[i] == 0x7f ||
			  (p[i] == 0xc2 && i + 1 < n && p[i + 1] >= 0x80 && p[i + 1] < 0xa0);

		if (!ctl)
			continue;
		fwrite(s + run, 1, i - run, out);
		if (p[i] == 0xc2) {
			fprintf(out, "\\x%02x\\x%02x", p[i], p[i + 1]);
			i++;
		} else {
			fprintf(out, "\\x%02x", p[i]);
		}
		run = i + 1;
	}
	fwrite(s + run, 1, n - run, out);
}

void logs_report_print_text(FILE *out, const struct logs_hit *hit)
{
	char *container = escape_text(hit->container);
	char *log = escape_text(hit->log);
	const char *p = hit->record->text, *end = p + hit->record->len;

	for (;;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);

		fprintf(out, "%s %s: ", container, log);
		put_text(out, p, n);
		fputc('\n', out);
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	free(container);
	free(log);
}

json_t *logs_report_json(const struct logs_hit *hit)
{
	json_t *o = json_object();
	char when[LOGTIME_RFC3339_SIZE];

	json_object_set_new(o, "time", hit->record->has_time ?
				       json_string(logtime_format_rfc3339(hit->record->t_us, when)) : json_null());
	json_object_set_new(o, "container", escape_json_string(hit->container));
	json_object_set_new(o, "role", escape_json_string(hit->role));
	json_object_set_new(o, "log", escape_json_string(hit->log));
	json_object_set_new(o, "archive", escape_json_string(hit->archive));
	json_object_set_new(o, "text", escape_json_string(hit->record->text));
	return o;
}

void logs_report_print_json(FILE *out, const struct logs_hit *hit)
{
	json_t *o = logs_report_json(hit);

	json_dumpf(o, out, JSON_COMPACT | JSON_PRESERVE_ORDER);
	fputc('\n', out);
	json_decref(o);
}
