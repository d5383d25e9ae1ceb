/* libFuzzer target: Docker's container inspect JSON, decoded into an inventory
 * entry (inventory.h) and classified against the built-in config. */
#include "autoconf.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "config/config.h"
#include "engine/inventory.h"
#include "lib/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rotd_config *cfg;
	struct inventory inv;
	json_t *j;

	if (cfg == NULL)
		cfg = config_load_defaults();
	j = json_loadb((const char *)data, size, 0, NULL);
	if (!json_is_object(j)) {
		json_decref(j);
		return 0;
	}
	inv.v = xcalloc(1, sizeof(*inv.v));
	inv.n = 1;
	if (inventory_entry_from_inspect(cfg, j, &inv.v[0]) < 0 && inv.v[0].state != CTR_FAILED)
		abort();
	(void)inventory_state_name(inv.v[0].state);
	inventory_free(&inv);
	json_decref(j);
	return 0;
}
