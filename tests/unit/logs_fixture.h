/* logs_fixture: what the rotd logs tests (check_logs, check_logs_search) share. */
#ifndef ROTD_LOGS_FIXTURE_H
#define ROTD_LOGS_FIXTURE_H

#include "config/config.h"

/* The text of a config with one role, web: its logs are the .log files in
 * /var/log/whatsapp, archived into /var/log/whatsapp/archive. */
extern const char *const logs_fixture_web_conf;

/* logs_fixture_web_conf loaded (the test fails if it does not load); free with
 * config_free. */
struct rotd_config *logs_fixture_web_config(void);

/* Runs "tool -c -q in > out" (gzip, bzip2, xz, zstd) on host paths, as the app's
 * logrotate would compress; the test fails unless the tool exits 0. */
void logs_fixture_compress_with(const char *tool, const char *in, const char *out);

#endif
