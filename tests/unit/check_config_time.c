/* rotd.conf's timestamp and timezone keys of a role and of its log sections:
 * the messages of values config_load() refuses (a catalogue as in
 * check_config.c, which has no room left under the 1,000-line limit) and the
 * values a valid file gives (as in check_config_values.c). */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "unit.h"

#define N_ROWS(table) (sizeof(table) / sizeof((table)[0]))

/* A valid role, five lines, and its pieces, one line each. */
#define ROLE_WEB \
	"role web {\n" \
	"  logs = {\"/var/log/whatsapp/*.log\"}\n" \
	"  size = 20M\n" \
	"  archive-dir = /var/log/whatsapp/archive\n" \
	"}\n"
#define HEAD "role web {\n"
#define LOGS "  logs = {\"/var/log/whatsapp/*.log\"}\n"
#define SIZE "  size = 20M\n"
#define ADIR "  archive-dir = /var/log/whatsapp/archive\n"
#define END "}\n"
#define WLOG "  log \"/var/log/whatsapp/*.log\" {\n"
#define LEND "  }\n"
#define LOG_LABEL "role web: log \"/var/log/whatsapp/*.log\": "
/* Two patterns, and a section for each. */
#define GLOB_A "/var/log/a/*.log"
#define GLOB_B "/var/log/b/*.log"
#define LOGS2 "  logs = {\"" GLOB_A "\", \"" GLOB_B "\"}\n"
#define LOG_A "  log \"" GLOB_A "\" {\n"
#define LOG_B "  log \"" GLOB_B "\" {\n"

#define ZONE_HINT "use UTC, an offset such as +05:30, or a name such as Europe/Berlin"
#define NO_DATE "has no date (it needs %d with %m or %b, or %j)"

struct bad_config {
	const char *text;
	const char *errors[4];  /* every error, in order, as "rotd.conf:LINE: message" */
};

/* Every row loads with TZDIR unset. */
static const struct bad_config bad_configs[] = {
	/* timestamp: a strptime format lib/logtime can use */
	{ HEAD LOGS SIZE ADIR "  timestamp = \"%H:%M:%S\"\n" END,
	  { "rotd.conf:5: role web: timestamp '%H:%M:%S' " NO_DATE } },
	{ HEAD LOGS SIZE ADIR "  timestamp = \"%d %H:%M\"\n" END,
	  { "rotd.conf:5: role web: timestamp '%d %H:%M' " NO_DATE } },
	{ HEAD LOGS SIZE ADIR "  timestamp = \"yyyy-mm-dd\"\n" END,
	  { "rotd.conf:5: role web: timestamp 'yyyy-mm-dd' has no % conversion" } },
	{ HEAD LOGS SIZE ADIR "  timestamp = \"%Y-%m-%d %\"\n" END,
	  { "rotd.conf:5: role web: timestamp '%Y-%m-%d %' ends in a lone '%'" } },
	{ HEAD LOGS SIZE ADIR "  timestamp = \"%s\"\n" END,
	  { "rotd.conf:5: role web: timestamp '%s' uses %s (seconds since the epoch), which is not "
	    "supported" } },
	{ HEAD LOGS SIZE ADIR "  timestamp = \"%H\\n%M\"\n" END,
	  { "rotd.conf:5: role web: timestamp '%H\\x0a%M' " NO_DATE } },
	/* timezone: UTC, an offset or a zone lib/logtime can load */
	{ HEAD LOGS SIZE ADIR "  timezone = Mars/Base\n" END,
	  { "rotd.conf:5: role web: timezone 'Mars/Base' is not a known time zone (not in "
	    "/usr/share/zoneinfo); " ZONE_HINT } },
	{ HEAD LOGS SIZE ADIR "  timezone = Europe\n" END,
	  { "rotd.conf:5: role web: timezone 'Europe' is not a known time zone (not in "
	    "/usr/share/zoneinfo); " ZONE_HINT } },
	{ HEAD LOGS SIZE ADIR "  timezone = \"../../etc/passwd\"\n" END,
	  { "rotd.conf:5: role web: timezone '../../etc/passwd' is not a time zone name; " ZONE_HINT } },
	{ HEAD LOGS SIZE ADIR "  timezone = \"/etc/localtime\"\n" END,
	  { "rotd.conf:5: role web: timezone '/etc/localtime' is not a time zone name; " ZONE_HINT } },
	{ HEAD LOGS SIZE ADIR "  timezone = \"Europe/Berlin\\n\"\n" END,
	  { "rotd.conf:5: role web: timezone 'Europe/Berlin\\x0a' is not a time zone name; " ZONE_HINT } },
	{ HEAD LOGS SIZE ADIR "  timezone = \"+25:00\"\n" END,
	  { "rotd.conf:5: role web: timezone '+25:00' is not a UTC offset (+hh:mm, +hhmm or +hh, hours "
	    "0 to 23)" } },
	{ HEAD LOGS SIZE ADIR "  timezone = \"+5\"\n" END,
	  { "rotd.conf:5: role web: timezone '+5' is not a UTC offset (+hh:mm, +hhmm or +hh, hours "
	    "0 to 23)" } },
	/* "" is the host's local time for offpeak, but a role's logs are read in UTC by default */
	{ "offpeak {\n  timezone = \"\"\n}\n" HEAD LOGS SIZE ADIR "  timezone = \"\"\n" END,
	  { "rotd.conf:8: role web: timezone '' must not be empty; use UTC (the default), an offset "
	    "such as +05:30, or a name such as Europe/Berlin" } },
	/* the same checks in a log section */
	{ HEAD LOGS SIZE ADIR WLOG "    timestamp = \"%H\"\n    timezone = Mars/Base\n" LEND END,
	  { "rotd.conf:6: " LOG_LABEL "timestamp '%H' " NO_DATE,
	    "rotd.conf:7: " LOG_LABEL "timezone 'Mars/Base' is not a known time zone (not in "
	    "/usr/share/zoneinfo); " ZONE_HINT } },
	{ HEAD LOGS SIZE ADIR WLOG "    timezone = \"\"\n" LEND END,
	  { "rotd.conf:6: " LOG_LABEL "timezone '' must not be empty; use UTC (the default), an offset "
	    "such as +05:30, or a name such as Europe/Berlin" } },
	/* set twice; and they are role keys, not top-level ones */
	{ HEAD LOGS SIZE ADIR "  timezone = UTC\n  timezone = UTC\n" END,
	  { "rotd.conf:6: role web: 'timezone' is already set on line 5" } },
	{ "timestamp = \"%F %T\"\n" ROLE_WEB, { "rotd.conf:1: no such option 'timestamp'" } },
	{ "timezone = UTC\n" ROLE_WEB, { "rotd.conf:1: no such option 'timezone'" } },
	/* the window's zone keeps its own rules: an offset is not a zone name there */
	{ "offpeak {\n  timezone = \"+05:30\"\n}\n" ROLE_WEB,
	  { "rotd.conf:2: offpeak: timezone '+05:30' is not a time zone name; use one from the tz "
	    "database such as Europe/Berlin, or UTC (\"\" is the host's local time)" } },
};

static void expect_bad_config(const struct bad_config *bc)
{
	char *path = strdup(unit_write_temp("rotd.conf", bc->text));
	int dir_len = (int)(strlen(path) - strlen("rotd.conf"));
	struct strlist errors = STRLIST_INIT;
	struct rotd_config *cfg;
	size_t n = 0;

	cfg = config_load(path, &errors);
	ck_assert_msg(cfg == NULL, "accepted: %s", bc->text);
	for (; n < N_ROWS(bc->errors) && bc->errors[n] != NULL; n++) {
		char full[1024];

		snprintf(full, sizeof(full), "%.*s%s", dir_len, path, bc->errors[n]);
		ck_assert_msg(n < errors.n, "missing error: %s", full);
		ck_assert_str_eq(errors.v[n], full);
	}
	ck_assert_msg(errors.n == n, "unexpected error: %s", errors.v[n]);
	strlist_free(&errors);
	free(path);
}

START_TEST(test_bad_config)
{
	unsetenv("TZDIR");
	expect_bad_config(&bad_configs[_i]);
}
END_TEST

static struct rotd_config *expect_ok(const char *text)
{
	struct strlist errors = STRLIST_INIT;
	struct rotd_config *cfg;

	unsetenv("TZDIR");
	cfg = config_load(unit_write_temp("rotd.conf", text), &errors);
	ck_assert_msg(cfg != NULL, "rejected: %s", errors.n ? errors.v[0] : "(no message)");
	ck_assert_uint_eq(errors.n, 0);
	return cfg;
}

static void assert_str_or_null(const char *got, const char *want)
{
	if (want == NULL)
		ck_assert_ptr_null(got);
	else
		ck_assert_str_eq(got, want);
}

static void assert_policy(const struct log_policy *p, const char *timestamp, const char *timezone)
{
	assert_str_or_null(p->timestamp, timestamp);
	assert_str_or_null(p->timezone, timezone);
}

/* Unset: the built-in recognisers, in UTC, for the role and each pattern. */
START_TEST(test_defaults)
{
	struct rotd_config *cfg = expect_ok(ROLE_WEB);

	ck_assert_ptr_null(cfg->roles[0].timestamp);
	ck_assert_str_eq(cfg->roles[0].timezone, "UTC");
	assert_policy(&cfg->roles[0].log_policies[0], NULL, "UTC");
	/* the offpeak window's zone is a key of its own: still the host's local time */
	ck_assert_ptr_null(cfg->timezone);
	config_free(cfg);
}
END_TEST

/* The shipped file and the built-in defaults: every role in UTC, built-ins. */
START_TEST(test_shipped_and_builtin)
{
	struct strlist errors = STRLIST_INIT;
	struct rotd_config *shipped = config_load(TEST_SRCDIR "/conf/rotd.conf", &errors);
	struct rotd_config *builtin = config_load_defaults();

	ck_assert_msg(shipped != NULL, "%s", errors.n ? errors.v[0] : "");
	ck_assert_uint_eq(shipped->n_roles, builtin->n_roles);
	for (size_t i = 0; i < shipped->n_roles; i++) {
		ck_assert_ptr_null(shipped->roles[i].timestamp);
		ck_assert_str_eq(shipped->roles[i].timezone, "UTC");
		ck_assert_ptr_null(builtin->roles[i].timestamp);
		ck_assert_str_eq(builtin->roles[i].timezone, "UTC");
		for (size_t j = 0; j < shipped->roles[i].logs.n; j++)
			assert_policy(&shipped->roles[i].log_policies[j], NULL, "UTC");
	}
	config_free(shipped);
	config_free(builtin);
	strlist_free(&errors);
}
END_TEST

/* A role's values reach every pattern; a log section overrides them for its
 * own, and timestamp = "" there goes back to the built-in recognisers. */
START_TEST(test_role_values_and_overrides)
{
	static const struct {
		const char *value;      /* as written in the file */
		const char *stored;     /* what the config holds */
	} zones[] = {
		{ "UTC", "UTC" }, { "Europe/Berlin", "Europe/Berlin" }, { "\"+05:30\"", "+05:30" },
		{ "\"-0800\"", "-0800" }, { "\"+01\"", "+01" }, { "Etc/UTC", "Etc/UTC" },
	};
	char text[512];
	struct rotd_config *cfg;

	for (size_t i = 0; i < N_ROWS(zones); i++) {
		snprintf(text, sizeof(text), HEAD LOGS SIZE ADIR "  timezone = %s\n" END, zones[i].value);
		cfg = expect_ok(text);
		ck_assert_str_eq(cfg->roles[0].timezone, zones[i].stored);
		assert_policy(&cfg->roles[0].log_policies[0], NULL, zones[i].stored);
		config_free(cfg);
	}

	cfg = expect_ok("role web {\n" LOGS2 SIZE ADIR
			"  timestamp = \"%d/%b/%Y:%H:%M:%S %z\"\n"
			"  timezone = Europe/Berlin\n"
			LOG_A "    timestamp = \"\"\n    timezone = \"+05:30\"\n" LEND
			LOG_B "    timestamp = \"%b %d %H:%M:%S\"\n" LEND
			END
			"offpeak {\n  timezone = America/New_York\n}\n");
	ck_assert_str_eq(cfg->roles[0].timestamp, "%d/%b/%Y:%H:%M:%S %z");
	ck_assert_str_eq(cfg->roles[0].timezone, "Europe/Berlin");
	assert_policy(&cfg->roles[0].log_policies[0], NULL, "+05:30");
	assert_policy(&cfg->roles[0].log_policies[1], "%b %d %H:%M:%S", "Europe/Berlin");
	ck_assert_str_eq(cfg->timezone, "America/New_York");
	/* each policy owns its strings */
	ck_assert_ptr_ne(cfg->roles[0].log_policies[1].timezone, cfg->roles[0].timezone);
	config_free(cfg);

	/* a role without a log section: its own values in every policy */
	cfg = expect_ok("role web {\n" LOGS2 SIZE ADIR "  timestamp = \"%Y-%m-%d %H:%M:%S\"\n" END);
	assert_policy(&cfg->roles[0].log_policies[0], "%Y-%m-%d %H:%M:%S", "UTC");
	assert_policy(&cfg->roles[0].log_policies[1], "%Y-%m-%d %H:%M:%S", "UTC");
	config_free(cfg);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("config_time");
	TCase *messages = tcase_create("messages");
	TCase *values = tcase_create("values");

	tcase_add_loop_test(messages, test_bad_config, 0, N_ROWS(bad_configs));
	suite_add_tcase(s, messages);
	tcase_add_test(values, test_defaults);
	tcase_add_test(values, test_shipped_and_builtin);
	tcase_add_test(values, test_role_values_and_overrides);
	suite_add_tcase(s, values);
	return s;
}
