/* libFuzzer target: rotd.conf text (config.h). */
#include "autoconf.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strlist errors = STRLIST_INIT;
	struct rotd_config *cfg;
	char *text = malloc(size + 1);

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	cfg = config_load_buffer(text, "fuzz.conf", &errors);
	/* either a config or at least one reason why not */
	if ((cfg == NULL) != (errors.n > 0))
		abort();
	config_free(cfg);
	strlist_free(&errors);
	free(text);
	return 0;
}
