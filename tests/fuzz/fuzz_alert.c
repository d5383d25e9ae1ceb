/* libFuzzer target: Alertmanager payloads (alert.h), as the webhook feeds them. */
#include "autoconf.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "remedy/alert.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct strlist names = STRLIST_INIT, hosts = STRLIST_INIT;
	struct alert_batch b;
	char *err = NULL;

	if (names.n == 0) {
		strlist_add(&names, "HostOutOf*Space");
		strlist_add(&names, "Rotd[A-Z]*");
		strlist_add(&names, "*Disk?Full");
		strlist_add(&hosts, "db1.example.com");
		strlist_add(&hosts, "db1");
		strlist_add(&hosts, "::1");
		strlist_add(&hosts, "10.0.0.7");
		strlist_add(&hosts, "");
	}
	if (alert_parse((const char *)data, size, &b, &err) < 0) {
		/* a one-line message, always */
		if (err == NULL || strchr(err, '\n') != NULL)
			abort();
		free(err);
		return 0;
	}
	if (err != NULL || b.status == NULL || (b.n > 0 && b.v == NULL) || b.n > ALERT_MAX_ALERTS)
		abort();
	for (size_t i = 0; i < b.n; i++) {
		const struct alert *a = &b.v[i];

		if (a->name == NULL || a->status == NULL || strlen(a->name) > ALERT_MAX_STRING)
			abort();
		(void)alert_firing(a);
		(void)alert_name_matches(a, &names);
		(void)alert_names_host(a, &hosts);
	}
	alert_batch_free(&b);
	if (b.v != NULL || b.n != 0)
		abort();
	return 0;
}
