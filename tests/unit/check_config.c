/* The catalogue of rotd.conf's error messages: every row is a config text and
 * every error config_load() must report for it, in order, exactly. The values a
 * valid file gives are checked in check_config_values.c. */
#include "autoconf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "config/config.h"
#include "unit.h"

/* A valid role, five lines. */
#define ROLE_WEB \
	"role web {\n" \
	"  logs = {\"/var/log/whatsapp/*.log\"}\n" \
	"  size = 20M\n" \
	"  archive-dir = /var/log/whatsapp/archive\n" \
	"}\n"
/* Pieces of a role, one line each. */
#define HEAD "role web {\n"
#define LOGS "  logs = {\"/var/log/whatsapp/*.log\"}\n"
#define SIZE "  size = 20M\n"
#define ADIR "  archive-dir = /var/log/whatsapp/archive\n"
#define END "}\n"
/* A log section for LOGS' pattern: its first line and its closing line. */
#define WLOG "  log \"/var/log/whatsapp/*.log\" {\n"
#define LEND "  }\n"
/* Two patterns, for a log section that names one of them. */
#define LOGS2 "  logs = {\"/var/log/a/*.log\", \"/var/log/b/*.log\"}\n"
#define OFFPEAK_TZ(zone) ROLE_WEB "offpeak {\n  timezone = \"" zone "\"\n}\n"
#define CLEANUP_CMD "/opt/whatsapp/bin/cleanup.sh"

/* A rotd.conf that config_load() refuses. */
struct bad_config {
	const char *text;
	const char *errors[7];  /* every error it reports, in order, as "rotd.conf:LINE: message" */
};

/* Every row loads with ROTD_TEST_SOCK=/run, and TZDIR and ROTD_TEST_UNSET unset. */
static const struct bad_config bad_configs[] = {
	/* The file as a whole: no role, comments keep line numbers, a BOM is not part of a name */
	/* libconfuse 3.3 alone counts each comment line twice */
	{ "# one\n" "// two\n" "/* three\n" "   four */\n" "jobs = 1  # five\n" HEAD
	  "  logs = {\"/var/log/a.log\",  # seven, inside a list\n" "          \"/var/log/b.log\"}\n"
	  "  archive-dir = \"/var/log/#archive\"  // nine\n" "  size = 20X\n" END,
	  { "rotd.conf:10: role web: size '20X' is not a size (examples: 20M, 15MB, 512K)" } },
	{ "jobs = 2\n",
	  { "rotd.conf:1: no role is defined; rotd needs at least one 'role NAME { match {...} logs = "
	    "{...} size = ... archive-dir = ... }'" } },
	{ "",
	  { "rotd.conf:1: no role is defined; rotd needs at least one 'role NAME { match {...} logs = "
	    "{...} size = ... archive-dir = ... }'" } },
	/* a byte order mark is not taken into the first name */
	{ "\xef\xbb\xbfjobs = x\n" ROLE_WEB,
	  { "rotd.conf:1: jobs 'x' must be a whole number from 0 to 256 (0 = one per CPU)" } },
	/* Strings, comments, escapes and bytes that are not text */
	{ ROLE_WEB "/* jobs = 2\n\n", { "rotd.conf:6: comment '/*' is never closed with '*/'" } },
	{ "jobs = \x1b[31m\xff\n" ROLE_WEB,
	  { "rotd.conf:1: jobs '\\x1b[31m\\xff' must be a whole number from 0 to 256 (0 = one per CPU)" } },
	{ "\x07" "bell = 1\n" ROLE_WEB, { "rotd.conf:1: no such option '\\x07bell'" } },
	{ "role we\x01" "b {\n" LOGS SIZE ADIR END,
	  { "rotd.conf:1: role name 'we\\x01b' may only use letters, digits, '_', '.' and '-'" } },
	/* a C1 control, a lone continuation byte, a cut sequence; valid UTF-8 is kept */
	{ "jobs = \"\xc2\x9b" "1\x80" "2\xe2\x82" "über\"\n" ROLE_WEB,
	  { "rotd.conf:1: jobs '\\xc2\\x9b1\\x802\\xe2\\x82über' must be a whole number from 0 to 256 "
	    "(0 = one per CPU)" } },
	/* the start of an ELF file without its NUL bytes: one line, escaped */
	{ "\x7f" "ELF\x02\x01\x01\x03>\x01\xd0" "a@pG\x02@8\n*\n${X}\n\"\xff\n",
	  { "rotd.conf:1: no such option '\\x7fELF\\x02\\x01\\x01\\x03>\\x01\\xd0" "a@pG\\x02@8'" } },
	{ ROLE_WEB "jobs = \"abc\n",
	  { "rotd.conf:6: the string \"abc... is never closed (missing the closing \")" } },
	/* the role it is in is not checked: the file ends inside the string */
	{ HEAD LOGS "  size = \"20M\n" ADIR END,
	  { "rotd.conf:3: the string \"20M... is never closed (missing the closing \")" } },
	{ HEAD LOGS "  /* size = 20M\n" ADIR END, { "rotd.conf:3: comment '/*' is never closed with '*/'" } },
	{ ROLE_WEB "jobs = \"\\9\"\n",
	  { "rotd.conf:6: '\\9' in a string is not an escape; write a backslash as \\\\" } },
	{ ROLE_WEB "jobs = \"\\08\"\n",
	  { "rotd.conf:6: '\\08' in a string is not an escape; write a backslash as \\\\" } },
	{ ROLE_WEB "jobs = \"\\1234\"\n",
	  { "rotd.conf:6: '\\1234' in a string is not an escape; write a backslash as \\\\" } },
	{ ROLE_WEB "jobs = \"\\777\"\n",
	  { "rotd.conf:6: '\\777' in a string is not an escape; write a backslash as \\\\" } },
	/* Braces and sections: never closed, stray, misplaced, unknown, nested */
	{ "role {\n" LOGS SIZE ADIR END, { "rotd.conf:1: missing title for section 'role'" } },
	/* the checks of a section the file never closes are left out */
	{ ROLE_WEB "role core {\n" LOGS SIZE, { "rotd.conf:6: role core { is never closed (missing '}')" } },
	{ ROLE_WEB "}\n", { "rotd.conf:6: unexpected closing brace" } },
	{ HEAD "  logs = {\"/a.log\",\n",
	  { "rotd.conf:1: role web { is never closed (missing '}')",
	    "rotd.conf:2: role web: logs = { is never closed (missing '}')" } },
	/* libconfuse alone: "role master: no such option 'role'" */
	{ "role master {\n" LOGS SIZE ADIR ROLE_WEB,
	  { "rotd.conf:1: role master { is never closed (missing '}')" } },
	{ HEAD LOGS SIZE ADIR "media {\n  root = /m\n}\n",
	  { "rotd.conf:1: role web { is never closed (missing '}')" } },
	{ HEAD LOGS SIZE ADIR "jobs = 2\n", { "rotd.conf:1: role web { is never closed (missing '}')" } },
	{ "role master {\n" LOGS "  size = 20X\n" ADIR ROLE_WEB "jobs = x\n",
	  { "rotd.conf:1: role master { is never closed (missing '}')",
	    "rotd.conf:3: role master: size '20X' is not a size (examples: 20M, 15MB, 512K)",
	    "rotd.conf:10: jobs 'x' must be a whole number from 0 to 256 (0 = one per CPU)" } },
	{ HEAD "  match {\n    image = \"x\"\n" LOGS SIZE ADIR END,
	  { "rotd.conf:2: role web: match { is never closed (missing '}')" } },
	{ HEAD SIZE ADIR WLOG "    keep = 3\n" LOGS END,
	  { "rotd.conf:4: role web: log \"/var/log/whatsapp/*.log\" { is never closed (missing '}')" } },
	/* nothing after them says where they should close: their checks are left out */
	{ "role a {\n" LOGS SIZE ADIR "role b {\n" LOGS SIZE ADIR "role c {\n" LOGS,
	  { "rotd.conf:1: role a { is never closed (missing '}')",
	    "rotd.conf:5: role b { is never closed (missing '}')",
	    "rotd.conf:9: role c { is never closed (missing '}')" } },
	{ HEAD "  logs = {\"/a/*.log\"\n" SIZE ADIR END,
	  { "rotd.conf:2: role web: logs = { is never closed (missing '}')" } },
	{ HEAD "  logs = {\"/a/1.log\"\n    \"/b/2.log\"}\n" SIZE ADIR END,
	  { "rotd.conf:3: role web: logs: a ',' is missing before \"/b/2.log\" (list items are "
	    "separated by commas)" } },
	{ "match {\n  image = \"x\"\n}\n" ROLE_WEB,
	  { "rotd.conf:1: a 'match' section goes inside a role section, not at the top level" } },
	{ HEAD LOGS SIZE ADIR "  media {\n  }\n" END,
	  { "rotd.conf:5: role web: a 'media' section goes at the top level, not inside role web" } },
	{ ROLE_WEB "media {\n  root = /m\n  log \"/x.log\" {\n  }\n}\n",
	  { "rotd.conf:8: media: a 'log' section goes inside a role section, not inside media" } },
	{ ROLE_WEB "retention {\n  keep = 3\n}\n",
	  { "rotd.conf:6: no such section 'retention' (sections here: metrics, webhook, docker, "
	    "offpeak, role, media, watermarks, cleanup, gc)" } },
	{ "docker {\n  tls {\n  }\n}\n" ROLE_WEB,
	  { "rotd.conf:2: docker: no such section 'tls' (no section goes here)" } },
	{ ROLE_WEB "retention \"x\" {\n}\n",
	  { "rotd.conf:6: no such section 'retention' (sections here: metrics, webhook, docker, "
	    "offpeak, role, media, watermarks, cleanup, gc)" } },
	/* Options: unknown, set twice, out of place, written as a path */
	{ HEAD LOGS SIZE ADIR "  size = 15M\n" END,
	  { "rotd.conf:5: role web: 'size' is already set on line 3" } },
	{ ROLE_WEB "\nretention = 3\n", { "rotd.conf:7: no such option 'retention'" } },
	{ HEAD LOGS SIZE ADIR "  rotate = 5\n" END, { "rotd.conf:5: role web: no such option 'rotate'" } },
	{ HEAD "  match {\n    label = {\"x\"}\n  }\n" LOGS SIZE ADIR END,
	  { "rotd.conf:3: role web: match: no such option 'label'" } },
	{ "jobs = 1\n" ROLE_WEB "jobs = 2\n", { "rotd.conf:7: 'jobs' is already set on line 1" } },
	/* libconfuse would read it as docker { socket = /x } */
	{ "docker|socket = /x\n" ROLE_WEB,
	  { "rotd.conf:1: no such option 'docker|socket'; write an option inside its section, e.g. "
	    "docker { socket = ... }" } },
	{ HEAD LOGS SIZE ADIR "  max-age = 1d\n  max-age = 2d\n" END,
	  { "rotd.conf:6: role web: 'max-age' is already set on line 5" } },
	{ "max-age = 1d\n" ROLE_WEB, { "rotd.conf:1: no such option 'max-age'" } },
	{ ROLE_WEB "watermarks {\n  max-size = 1G\n}\n",
	  { "rotd.conf:7: watermarks: no such option 'max-size'" } },
	{ HEAD LOGS SIZE ADIR "  archive-floor = 1d\n" END,
	  { "rotd.conf:5: role web: no such option 'archive-floor'" } },
	/* Values written with spaces, unquoted '*', values joined to text */
	{ HEAD "  match {\n    image = {docker.whatsapp.biz/web:*}\n  }\n" "  logs = {/var/log/*.log}\n" SIZE
	  ADIR END,
	  { "rotd.conf:3: '*' outside quotes is lost by the parser; put patterns in double quotes, "
	    "e.g. \"/var/log/app/*.log\"",
	    "rotd.conf:5: '*' outside quotes is lost by the parser; put patterns in double quotes, "
	    "e.g. \"/var/log/app/*.log\"" } },
	{ HEAD LOGS "  size = 15 MB\n" ADIR END,
	  { "rotd.conf:3: role web: size = 15 MB: write sizes without a space, e.g. 15M (or \"15M\")" } },
	{ HEAD LOGS "  size = 512 kilobytes\n" ADIR END,
	  { "rotd.conf:3: role web: size = 512 kilobytes: write sizes without a space, e.g. 512K (or "
	    "\"512K\")" } },
	{ HEAD LOGS "  size = 15 parsecs\n" ADIR END,
	  { "rotd.conf:3: role web: size = 15 parsecs: write sizes without a space, e.g. 20M (or "
	    "\"20M\")" } },
	{ ROLE_WEB "media {\n  root = /m\n  floor = 7 days\n}\ninterval = 5 s\n",
	  { "rotd.conf:8: media: floor = 7 days: write durations without a space, e.g. 7d (or \"7d\")",
	    "rotd.conf:10: interval = 5 s: write durations without a space, e.g. 5s (or \"5s\")" } },
	{ ROLE_WEB "offpeak {\n  window = 02:00 - 05:00\n}\nwatermarks {\n  high = 85 %\n}\n",
	  { "rotd.conf:7: offpeak: window = 02:00 - 05:00: write the window without spaces, e.g. "
	    "02:00-05:00",
	    "rotd.conf:10: watermarks: high = 85 %: write percentages without a space, e.g. 85%" } },
	{ HEAD LOGS SIZE "  keep = 30 files\n  archive-dir = /var/log/my logs\n" END,
	  { "rotd.conf:4: role web: keep = 30 files: write just the number, e.g. 30",
	    "rotd.conf:5: role web: archive-dir = /var/log/my logs: put a value with spaces in double "
	    "quotes, e.g. \"/var/log/my logs\"" } },
	{ HEAD "  logs = {/var/log/my app.log}\n" SIZE ADIR
	  "  method = rename\n  postrotate = {/bin/kill -HUP 1}\n" END,
	  { "rotd.conf:2: role web: logs item /var/log/my app.log: put an item with spaces in double "
	    "quotes, e.g. \"/var/log/my app.log\"",
	    "rotd.conf:6: role web: postrotate item /bin/kill -HUP 1: give each argument its own "
	    "quoted item, e.g. {\"/bin/kill\", \"-HUP\", \"1\"}" } },
	{ HEAD "  logs = {/var/log/my app*.log}\n" SIZE ADIR END,
	  { "rotd.conf:2: '*' outside quotes is lost by the parser; put patterns in double quotes, "
	    "e.g. \"/var/log/app/*.log\"",
	    "rotd.conf:2: role web: logs item /var/log/my app*.log: put an item with spaces in double "
	    "quotes, e.g. \"/var/log/my app*.log\"" } },
	/* Environment variables: ${NAME} */
	/* libconfuse alone: "docker: socket '' must be an absolute path" */
	{ "docker {\n  socket = ${ROTD_TEST_UNSET}\n}\n" ROLE_WEB,
	  { "rotd.conf:2: ${ROTD_TEST_UNSET} is not set in rotd's environment" } },
	{ "docker {\n  socket = \"${ROTD_TEST_UNSET}/docker.sock\"\n}\n" ROLE_WEB,
	  { "rotd.conf:2: ${ROTD_TEST_UNSET} is not set in rotd's environment" } },
	{ HEAD "  logs = {\"/a/*.log\", ${ROTD_TEST_UNSET}}\n" SIZE ADIR END,
	  { "rotd.conf:2: ${ROTD_TEST_UNSET} is not set in rotd's environment" } },
	/* libconfuse alone: "docker: no such option '/docker.sock'" */
	{ "docker {\n  socket = ${ROTD_TEST_SOCK}/docker.sock\n  timeout = \"30\"s\n}\n" ROLE_WEB,
	  { "rotd.conf:2: docker: socket = ${ROTD_TEST_SOCK}/docker.sock: write it as one string in "
	    "double quotes, e.g. \"${ROTD_TEST_SOCK}/docker.sock\"",
	    "rotd.conf:3: docker: timeout = \"30\"s: write it as one string in double quotes, e.g. "
	    "\"30s\"" } },
	{ "docker {\n  socket = ${DOCKER_SOCK\n}\n" ROLE_WEB,
	  { "rotd.conf:2: the variable ${DOCKER_SOCK... is never closed (missing the closing '}' on "
	    "its line)" } },
	/* Top-level options: jobs, state-file, lock-file, lock-wait */
	{ "jobs = 257\n" ROLE_WEB,
	  { "rotd.conf:1: jobs '257' must be a whole number from 0 to 256 (0 = one per CPU)" } },
	{ "jobs = -1\n" ROLE_WEB,
	  { "rotd.conf:1: jobs '-1' must be a whole number from 0 to 256 (0 = one per CPU)" } },
	{ "jobs = 99999999999999999999\n" ROLE_WEB,
	  { "rotd.conf:1: jobs '99999999999999999999' must be a whole number from 0 to 256 (0 = one "
	    "per CPU)" } },
	{ ROLE_WEB "lock-file = rotd.lock\nlock-wait = soon\n",
	  { "rotd.conf:6: lock-file 'rotd.lock' must be an absolute path",
	    "rotd.conf:7: lock-wait 'soon' is not a duration (examples: 7d, 12h, 0)" } },
	{ ROLE_WEB "state-file = state.json\n",
	  { "rotd.conf:6: state-file 'state.json' must be an absolute path" } },
	{ ROLE_WEB "state-file = /var/lib/../state.json\n",
	  { "rotd.conf:6: state-file '/var/lib/../state.json' must not contain a '..' component" } },
	{ ROLE_WEB "state-file = /var/lib/rotd/\n",
	  { "rotd.conf:6: state-file '/var/lib/rotd/' must name a file, not a folder" } },
	/* docker { } */
	{ "docker {\n  socket = \"unix:///run/docker.sock\"\n}\n" ROLE_WEB,
	  { "rotd.conf:2: docker: socket 'unix:///run/docker.sock' must be an absolute path" } },
	{ "docker {\n  timeout = 0\n}\n" ROLE_WEB,
	  { "rotd.conf:2: docker: timeout '0' is not a duration from 1s to 1d (examples: 30s, 2m)" } },
	{ "docker { timeout = 2d }\n" ROLE_WEB,
	  { "rotd.conf:1: docker: timeout '2d' is not a duration from 1s to 1d (examples: 30s, 2m)" } },
	/* offpeak { }: the window and the time zone */
	{ "offpeak {\n  window = 05:00-05:00\n}\n" ROLE_WEB,
	  { "rotd.conf:2: offpeak: window '05:00-05:00' is not a daily window HH:MM-HH:MM with "
	    "different start and end (e.g. 02:00-05:00, or 22:00-04:00 across midnight)" } },
	{ "offpeak {\n  window = \"25:00-01:00\"\n}\n" ROLE_WEB,
	  { "rotd.conf:2: offpeak: window '25:00-01:00' is not a daily window HH:MM-HH:MM with "
	    "different start and end (e.g. 02:00-05:00, or 22:00-04:00 across midnight)" } },
	{ OFFPEAK_TZ("Mars/Olympus"),
	  { "rotd.conf:7: offpeak: timezone 'Mars/Olympus' is not a known time zone (not in "
	    "/usr/share/zoneinfo); use one such as Europe/Berlin, or UTC (\"\" is the host's local "
	    "time)" } },
	{ OFFPEAK_TZ("../../etc/passwd"),
	  { "rotd.conf:7: offpeak: timezone '../../etc/passwd' is not a time zone name; use one from "
	    "the tz database such as Europe/Berlin, or UTC (\"\" is the host's local time)" } },
	{ OFFPEAK_TZ("/etc/localtime"),
	  { "rotd.conf:7: offpeak: timezone '/etc/localtime' is not a time zone name; use one from the "
	    "tz database such as Europe/Berlin, or UTC (\"\" is the host's local time)" } },
	{ OFFPEAK_TZ("Europe/Ber lin"),
	  { "rotd.conf:7: offpeak: timezone 'Europe/Ber lin' is not a time zone name; use one from the "
	    "tz database such as Europe/Berlin, or UTC (\"\" is the host's local time)" } },
	{ OFFPEAK_TZ("Europe/Berlin\\n"),
	  { "rotd.conf:7: offpeak: timezone 'Europe/Berlin\\x0a' is not a time zone name; use one from "
	    "the tz database such as Europe/Berlin, or UTC (\"\" is the host's local time)" } },
	/* watermarks { } */
	{ "watermarks {\n  high = 101%\n}\n" ROLE_WEB,
	  { "rotd.conf:2: watermarks: high '101%' is not a percentage from 0 to 100 (e.g. 85%)" } },
	{ "watermarks {\n  high = 80%\n  low = 80%\n}\n" ROLE_WEB,
	  { "rotd.conf:3: watermarks: low (80%) must be below high (80%)" } },
	{ "watermarks {\n  high = 70\n}\n" ROLE_WEB,
	  { "rotd.conf:2: watermarks: low (80%) must be below high (70%)" } },
	{ ROLE_WEB "watermarks {\n  archive-floor = 1day\n}\n",
	  { "rotd.conf:7: watermarks: archive-floor '1day' is not a duration (examples: 7d, 12h, 0)" } },
	{ ROLE_WEB "watermarks {\n  remediation-backoff = 0\n}\n",
	  { "rotd.conf:7: watermarks: remediation-backoff '0' is not a duration greater than 0 "
	    "(examples: 30d, 1h, 90s, 2w)" } },
	{ ROLE_WEB "watermarks {\n  high = 90\n\n  remediation-backoff = soon\n}\n",
	  { "rotd.conf:9: watermarks: remediation-backoff 'soon' is not a duration greater than 0 "
	    "(examples: 30d, 1h, 90s, 2w)" } },
	/* Role names and match { } blocks */
	{ "role none {\n" LOGS SIZE ADIR END,
	  { "rotd.conf:1: role name 'none' is reserved (the label rotd.role=none means: ignore this "
	    "container); choose another name" } },
	{ "role \"web/app\" {\n" LOGS SIZE ADIR END,
	  { "rotd.conf:1: role name 'web/app' may only use letters, digits, '_', '.' and '-'" } },
	{ HEAD LOGS SIZE ADIR "  match {\n  }\n" END,
	  { "rotd.conf:5: role web: match: the block has no condition that selects containers (not-env "
	    "only excludes); give image, service, name or env" } },
	{ HEAD LOGS SIZE ADIR "  match {\n    not-env = {\"A=1\"}\n  }\n" END,
	  { "rotd.conf:5: role web: match: the block has no condition that selects containers (not-env "
	    "only excludes); give image, service, name or env" } },
	{ HEAD "  match { image = {\"\"} }\n" LOGS SIZE ADIR END,
	  { "rotd.conf:2: role web: match: image '' must not be empty" } },
	{ HEAD "  match {\n    env = {\"1WA=1\"}\n  }\n" LOGS SIZE ADIR END,
	  { "rotd.conf:3: role web: match: env '1WA=1' is not KEY or KEY=VALUE (KEY: letters, digits "
	    "and '_', not starting with a digit; e.g. WA_MASTER_NODE=1)" } },
	{ HEAD "  match {\n    env = {\"=1\"}\n  }\n" LOGS SIZE ADIR END,
	  { "rotd.conf:3: role web: match: env '=1' is not KEY or KEY=VALUE (KEY: letters, digits and "
	    "'_', not starting with a digit; e.g. WA_MASTER_NODE=1)" } },
	{ ROLE_WEB "role core {\n  match {\n    image = {\"c:*\"}\n    not-env = {\"WA MASTER=1\"}\n  }\n"
	  LOGS SIZE ADIR END,
	  { "rotd.conf:9: role core: match: not-env 'WA MASTER=1' is not KEY or KEY=VALUE (KEY: "
	    "letters, digits and '_', not starting with a digit; e.g. WA_MASTER_NODE=1)" } },
	{ ROLE_WEB "role core {\n" LOGS SIZE ADIR END "role web {\n" LOGS SIZE ADIR END,
	  { "rotd.conf:11: role 'web' is defined twice (first on line 1); each role needs its own name" } },
	/* A role's required options and its logs patterns */
	{ HEAD "  logs = {\"/var/log/a.log\",\n    \"var/log/*.log\"}\n" SIZE ADIR END,
	  { "rotd.conf:3: role web: logs 'var/log/*.log' must be an absolute path inside the container "
	    "(e.g. /var/log/app/*.log)" } },
	{ HEAD "  logs = {\"/var/log/../../etc/*.log\"}\n" SIZE ADIR END,
	  { "rotd.conf:2: role web: logs '/var/log/../../etc/*.log' must not contain a '..' component" } },
	{ HEAD "  logs = {\"/var/log/*/app.log\"}\n" SIZE ADIR END,
	  { "rotd.conf:2: role web: logs '/var/log/*/app.log' may have wildcards (* ? [) only in its "
	    "last component (e.g. /var/log/app/*.log)" } },
	{ HEAD "  logs = {\"/var/log[12]/app.log\"}\n" SIZE ADIR END,
	  { "rotd.conf:2: role web: logs '/var/log[12]/app.log' may have wildcards (* ? [) only in its "
	    "last component (e.g. /var/log/app/*.log)" } },
	{ HEAD "  logs = {\"/var/log/\"}\n" SIZE ADIR END,
	  { "rotd.conf:2: role web: logs '/var/log/' must name files, not a directory (e.g. "
	    "/var/log/app/*.log)" } },
	{ HEAD "  logs = {}\n" SIZE ADIR END,
	  { "rotd.conf:1: role web: 'logs' is empty; list at least one value" } },
	{ HEAD SIZE ADIR END, { "rotd.conf:1: role web: required option 'logs' is missing" } },
	{ HEAD LOGS ADIR END, { "rotd.conf:1: role web: required option 'size' is missing" } },
	{ HEAD LOGS SIZE END, { "rotd.conf:1: role web: required option 'archive-dir' is missing" } },
	{ "jobs = 2\n\nrole web\n{\n" LOGS "\n" END,
	  { "rotd.conf:3: role web: required option 'size' is missing",
	    "rotd.conf:3: role web: required option 'archive-dir' is missing" } },
	/* A role's values: size, keep, compress, method, postrotate, idle-after, archive-dir */
	{ HEAD LOGS ADIR "  size = 20X\n" END,
	  { "rotd.conf:4: role web: size '20X' is not a size (examples: 20M, 15MB, 512K)" } },
	{ HEAD LOGS ADIR "  size = 0\n" END,
	  { "rotd.conf:4: role web: size '0' must be more than 0 (examples: 20M, 15MB, 512K)" } },
	{ HEAD LOGS ADIR "  size = 99999999999999999999T\n" END,
	  { "rotd.conf:4: role web: size '99999999999999999999T' is not a size (examples: 20M, 15MB, "
	    "512K)" } },
	{ HEAD LOGS SIZE ADIR "  idle-after = 1y\n" END,
	  { "rotd.conf:5: role web: idle-after '1y' is not a duration (examples: 1h, 30m, 2d; 0 never "
	    "archives idle files whole)" } },
	{ HEAD LOGS SIZE ADIR "  idle-after = -1h\n" END,
	  { "rotd.conf:5: role web: idle-after '-1h' is not a duration (examples: 1h, 30m, 2d; 0 never "
	    "archives idle files whole)" } },
	{ HEAD LOGS SIZE ADIR "  keep = 0\n" END,
	  { "rotd.conf:5: role web: keep '0' must be a whole number from 1 to 10000" } },
	{ HEAD LOGS SIZE ADIR "  keep = 10001\n" END,
	  { "rotd.conf:5: role web: keep '10001' must be a whole number from 1 to 10000" } },
	{ HEAD LOGS SIZE ADIR "  keep = 3x\n" END,
	  { "rotd.conf:5: role web: keep '3x' must be a whole number from 1 to 10000" } },
	{ HEAD LOGS SIZE ADIR "  compress = bzip2\n" END,
	  { "rotd.conf:5: role web: compress 'bzip2' must be gzip or zstd" } },
	{ HEAD LOGS SIZE ADIR "  compress-level = 10\n" END,
	  { "rotd.conf:5: role web: compress-level '10' is out of range for gzip (1 to 9)" } },
	/* the level comes first: the check waits for the section's end */
	{ HEAD LOGS SIZE "  compress-level = 20\n" ADIR "  compress = zstd\n" END,
	  { "rotd.conf:4: role web: compress-level '20' is out of range for zstd (1 to 19)" } },
	{ HEAD LOGS SIZE ADIR "  compress-level = 0\n" END,
	  { "rotd.conf:5: role web: compress-level '0' is out of range for gzip (1 to 9)" } },
	{ HEAD LOGS SIZE ADIR "  compress-level = best\n" END,
	  { "rotd.conf:5: role web: compress-level 'best' must be a whole number (gzip 1 to 9, zstd 1 "
	    "to 19)" } },
	{ HEAD LOGS SIZE ADIR "  method = move\n" END,
	  { "rotd.conf:5: role web: method 'move' must be copytruncate or rename" } },
	{ HEAD LOGS SIZE ADIR "  method = rename\n" END,
	  { "rotd.conf:5: role web: method 'rename' needs a postrotate command that makes the app "
	    "reopen its logs (or use method copytruncate)" } },
	{ HEAD LOGS SIZE ADIR "  postrotate = {\"/bin/true\"}\n" END,
	  { "rotd.conf:5: role web: postrotate is only run with method rename; set method = rename or "
	    "remove postrotate" } },
	{ HEAD LOGS SIZE ADIR "  method = rename\n  postrotate = {\"\"}\n" END,
	  { "rotd.conf:6: role web: postrotate '' must not be empty" } },
	{ HEAD LOGS SIZE "  archive-dir = archive\n" END,
	  { "rotd.conf:4: role web: archive-dir 'archive' must be an absolute path" } },
	{ HEAD LOGS SIZE "  archive-dir = /var/log/..\n" END,
	  { "rotd.conf:4: role web: archive-dir '/var/log/..' must not contain a '..' component" } },
	/* Retention: max-age and max-size */
	{ HEAD LOGS SIZE ADIR "  max-age = 14days\n" END,
	  { "rotd.conf:5: role web: max-age '14days' is not a duration (examples: 14d, 2w, 90d; 0 "
	    "keeps archives of any age)" } },
	{ HEAD LOGS SIZE ADIR "  max-age = -1d\n" END,
	  { "rotd.conf:5: role web: max-age '-1d' is not a duration (examples: 14d, 2w, 90d; 0 keeps "
	    "archives of any age)" } },
	{ HEAD LOGS SIZE ADIR "  max-size = 1X\n" END,
	  { "rotd.conf:5: role web: max-size '1X' is not a size (examples: 1G, 500M, 2GiB; 0 sets no "
	    "budget)" } },
	{ HEAD LOGS SIZE ADIR "  max-size = 99999999999999999999T\n" END,
	  { "rotd.conf:5: role web: max-size '99999999999999999999T' is not a size (examples: 1G, "
	    "500M, 2GiB; 0 sets no budget)" } },
	{ HEAD LOGS SIZE ADIR WLOG "    max-age = 1y\n    max-size = -5M\n" LEND END,
	  { "rotd.conf:6: role web: log \"/var/log/whatsapp/*.log\": max-age '1y' is not a duration "
	    "(examples: 14d, 2w, 90d; 0 keeps archives of any age)",
	    "rotd.conf:7: role web: log \"/var/log/whatsapp/*.log\": max-size '-5M' is not a size "
	    "(examples: 1G, 500M, 2GiB; 0 sets no budget)" } },
	/* log "PATTERN" { } sections inside a role */
	/* the title must be one of the role's logs patterns, written the same way */
	{ HEAD LOGS SIZE ADIR "  log \"/var/log/other/*.log\" {\n    size = 5M\n" LEND
	  "  log \"/var/log/whatsapp//*.log\" {\n" LEND END,
	  { "rotd.conf:5: role web: log \"/var/log/other/*.log\" is not one of the role's logs patterns",
	    "rotd.conf:8: role web: log \"/var/log/whatsapp//*.log\" is not one of the role's logs "
	    "patterns" } },
	{ ROLE_WEB "role core {\n" LOGS2 SIZE ADIR WLOG LEND END,
	  { "rotd.conf:10: role core: log \"/var/log/whatsapp/*.log\" is not one of the role's logs "
	    "patterns" } },
	{ HEAD LOGS SIZE ADIR WLOG "    size = 5M\n" LEND WLOG "    keep = 3\n" LEND END,
	  { "rotd.conf:8: role web: log \"/var/log/whatsapp/*.log\" has a second section (first on "
	    "line 5); put its options in one section" } },
	{ HEAD LOGS SIZE ADIR "  log {\n" LEND END,
	  { "rotd.conf:5: role web: missing title for section 'log'" } },
	{ HEAD LOGS SIZE ADIR WLOG "    logs = {\"/var/log/x.log\"}\n" LEND END,
	  { "rotd.conf:6: role web: log \"/var/log/whatsapp/*.log\": no such option 'logs'" } },
	{ HEAD LOGS SIZE ADIR WLOG "    size = 5M\n    size = 6M\n" LEND END,
	  { "rotd.conf:7: role web: log \"/var/log/whatsapp/*.log\": 'size' is already set on line 6" } },
	{ HEAD LOGS SIZE ADIR WLOG "    size = 20X\n" LEND END,
	  { "rotd.conf:6: role web: log \"/var/log/whatsapp/*.log\": size '20X' is not a size "
	    "(examples: 20M, 15MB, 512K)" } },
	{ HEAD LOGS SIZE ADIR WLOG "    size = 0\n" LEND END,
	  { "rotd.conf:6: role web: log \"/var/log/whatsapp/*.log\": size '0' must be more than 0 "
	    "(examples: 20M, 15MB, 512K)" } },
	{ ROLE_WEB "role core {\n" LOGS SIZE ADIR WLOG "    keep = 0\n" LEND END,
	  { "rotd.conf:11: role core: log \"/var/log/whatsapp/*.log\": keep '0' must be a whole number "
	    "from 1 to 10000" } },
	{ HEAD LOGS SIZE ADIR WLOG "    compress = bzip2\n" LEND END,
	  { "rotd.conf:6: role web: log \"/var/log/whatsapp/*.log\": compress 'bzip2' must be gzip or "
	    "zstd" } },
	{ HEAD LOGS SIZE ADIR WLOG "    compress-level = best\n" LEND END,
	  { "rotd.conf:6: role web: log \"/var/log/whatsapp/*.log\": compress-level 'best' must be a "
	    "whole number (gzip 1 to 9, zstd 1 to 19)" } },
	{ HEAD LOGS SIZE ADIR WLOG "    compress-level = 12\n" LEND END,
	  { "rotd.conf:6: role web: log \"/var/log/whatsapp/*.log\": compress-level '12' is out of "
	    "range for gzip (1 to 9)" } },
	/* the level comes before the compressor: the check waits for the role's end */
	{ HEAD LOGS SIZE ADIR WLOG "    compress-level = 20\n    compress = zstd\n" LEND END,
	  { "rotd.conf:6: role web: log \"/var/log/whatsapp/*.log\": compress-level '20' is out of "
	    "range for zstd (1 to 19)" } },
	/* fine for the role's zstd; the section's gzip makes it wrong */
	{ HEAD LOGS SIZE ADIR "  compress = zstd\n  compress-level = 15\n" WLOG "    compress = gzip\n" LEND
	  END,
	  { "rotd.conf:8: role web: log \"/var/log/whatsapp/*.log\": the role's compress-level '15' is "
	    "out of range for gzip (1 to 9); set compress-level in this section too" } },
	{ HEAD LOGS SIZE ADIR "  compress-level = 10\n" WLOG "    compress-level = 5\n" LEND END,
	  { "rotd.conf:5: role web: compress-level '10' is out of range for gzip (1 to 9)" } },
	{ HEAD LOGS SIZE ADIR WLOG "    archive-dir = archive\n" LEND
	  "  log \"/var/log/lighttpd/*.log\" {\n    archive-dir = \"/var/../etc\"\n" LEND
	  "  logs += {\"/var/log/lighttpd/*.log\"}\n" END,
	  { "rotd.conf:6: role web: log \"/var/log/whatsapp/*.log\": archive-dir 'archive' must be an "
	    "absolute path",
	    "rotd.conf:9: role web: log \"/var/log/lighttpd/*.log\": archive-dir '/var/../etc' must "
	    "not contain a '..' component" } },
	{ HEAD LOGS SIZE ADIR WLOG "    method = move\n" LEND END,
	  { "rotd.conf:6: role web: log \"/var/log/whatsapp/*.log\": method 'move' must be "
	    "copytruncate or rename" } },
	{ HEAD LOGS SIZE ADIR WLOG "    keep = 3\n    method = rename\n" LEND END,
	  { "rotd.conf:7: role web: log \"/var/log/whatsapp/*.log\": method 'rename' needs a "
	    "postrotate command that makes the app reopen its logs (or use method copytruncate)" } },
	{ HEAD LOGS SIZE ADIR WLOG "    postrotate = {\"/bin/true\"}\n" LEND END,
	  { "rotd.conf:6: role web: log \"/var/log/whatsapp/*.log\": postrotate is only run with "
	    "method rename; set method = rename or remove postrotate" } },
	{ HEAD LOGS SIZE ADIR "  method = rename\n  postrotate = {\"/bin/true\"}\n" WLOG
	  "    method = copytruncate\n" LEND END,
	  { "rotd.conf:8: role web: log \"/var/log/whatsapp/*.log\": method 'copytruncate' never runs "
	    "the role's postrotate; set postrotate = {} in this section, or use method rename" } },
	{ HEAD LOGS SIZE ADIR "  method = rename\n  postrotate = {\"/bin/true\"}\n" WLOG
	  "    postrotate = {}\n" LEND END,
	  { "rotd.conf:7: role web: log \"/var/log/whatsapp/*.log\": postrotate is empty, but the "
	    "role's method 'rename' needs a command that makes the app reopen its logs (or set method "
	    "= copytruncate in this section)" } },
	{ HEAD LOGS SIZE ADIR WLOG "    method = rename\n    postrotate = {\"\"}\n" LEND END,
	  { "rotd.conf:7: role web: log \"/var/log/whatsapp/*.log\": postrotate '' must not be empty" } },
	{ HEAD LOGS SIZE ADIR WLOG "    idle-after = -1h\n" LEND END,
	  { "rotd.conf:6: role web: log \"/var/log/whatsapp/*.log\": idle-after '-1h' is not a "
	    "duration (examples: 1h, 30m, 2d; 0 never archives idle files whole)" } },
	{ HEAD LOGS WLOG "    size = 5M\n    archive-dir = /a\n" LEND END,
	  { "rotd.conf:1: role web: required option 'size' is missing",
	    "rotd.conf:1: role web: required option 'archive-dir' is missing" } },
	{ HEAD SIZE ADIR WLOG LEND END,
	  { "rotd.conf:1: role web: required option 'logs' is missing",
	    "rotd.conf:4: role web: log \"/var/log/whatsapp/*.log\" is not one of the role's logs "
	    "patterns" } },
	{ "jobs = many\n" HEAD LOGS SIZE ADIR WLOG "    keep = 0\n    method = rename\n" LEND "  keep = 0\n"
	  END "role core {\n" LOGS SIZE ADIR "  log \"/x.log\" {\n" LEND END,
	  { "rotd.conf:1: jobs 'many' must be a whole number from 0 to 256 (0 = one per CPU)",
	    "rotd.conf:7: role web: log \"/var/log/whatsapp/*.log\": keep '0' must be a whole number "
	    "from 1 to 10000",
	    "rotd.conf:8: role web: log \"/var/log/whatsapp/*.log\": method 'rename' needs a "
	    "postrotate command that makes the app reopen its logs (or use method copytruncate)",
	    "rotd.conf:10: role web: keep '0' must be a whole number from 1 to 10000",
	    "rotd.conf:16: role core: log \"/x.log\" is not one of the role's logs patterns" } },
	/* media { } and its rules */
	{ ROLE_WEB "media {\n  floor = 7d\n}\n",
	  { "rotd.conf:6: media: required option 'root' is missing" } },
	{ ROLE_WEB "media {\n  root = \"usr/local/wamedia\"\n}\n",
	  { "rotd.conf:7: media: root 'usr/local/wamedia' must be an absolute path" } },
	{ ROLE_WEB "media {\n  root = /usr/local/../wamedia\n}\n",
	  { "rotd.conf:7: media: root '/usr/local/../wamedia' must not contain a '..' component" } },
	{ ROLE_WEB "media {\n  root = /m\n  floor = 7days\n}\n",
	  { "rotd.conf:8: media: floor '7days' is not a duration (examples: 7d, 12h, 0)" } },
	{ ROLE_WEB "media {\n  root = /m\n  rule out {\n    path = /outgoing\n    age = 30d\n  }\n}\n",
	  { "rotd.conf:9: rule out: path '/outgoing' must be relative to the media root (e.g. outgoing)" } },
	{ ROLE_WEB "media {\n  root = /m\n  rule out {\n    path = outgoing/../..\n    age = 30d\n  }\n}\n",
	  { "rotd.conf:9: rule out: path 'outgoing/../..' must not contain a '..' component" } },
	{ ROLE_WEB "media {\n  root = /m\n  rule out {\n    path = \"\"\n    age = 30d\n  }\n}\n",
	  { "rotd.conf:9: rule out: path '' must not be empty (a folder under the media root, e.g. "
	    "outgoing)" } },
	{ ROLE_WEB "media {\n  root = /m\n  rule out {\n    globs = {\"*.jpg\"}\n  }\n}\n",
	  { "rotd.conf:8: rule out: required option 'path' is missing",
	    "rotd.conf:8: rule out: required option 'age' is missing" } },
	{ ROLE_WEB "media {\n  root = /m\n  rule out {\n    path = out\n    age = 30x\n  }\n}\n",
	  { "rotd.conf:10: rule out: age '30x' is not a duration greater than 0 (examples: 30d, 1h, "
	    "90s, 2w)" } },
	{ ROLE_WEB "media {\n  root = /m\n  rule out {\n    path = out\n    age = 30d\n"
	  "    globs = {\"*.jpg\", \"sub/*.png\"}\n  }\n}\n",
	  { "rotd.conf:11: rule out: globs 'sub/*.png' must be a file name pattern without '/' (e.g. "
	    "*.jpg)" } },
	{ ROLE_WEB "media {\n  root = /m\n  rule \"old media\" {\n    path = out\n    age = 30d\n  }\n}\n",
	  { "rotd.conf:8: rule name 'old media' may only use letters, digits, '_', '.' and '-'" } },
	{ ROLE_WEB "media {\n  root = /m\n  rule out {\n    path = a\n    age = 1d\n  }\n"
	  "  rule out {\n    path = b\n    age = 1d\n  }\n}\n",
	  { "rotd.conf:12: media: rule 'out' is defined twice (first on line 8); each rule needs its "
	    "own name" } },
	/* cleanup { } */
	{ ROLE_WEB "cleanup {\n  timeout = soon\n}\n",
	  { "rotd.conf:7: cleanup: timeout 'soon' is not a duration from 1s to 1d (examples: 30s, 2m)" } },
	{ ROLE_WEB "cleanup {\n  timeout = 0\n}\n",
	  { "rotd.conf:7: cleanup: timeout '0' is not a duration from 1s to 1d (examples: 30s, 2m)" } },
	{ ROLE_WEB "cleanup {\n  timeout = 25h\n}\n",
	  { "rotd.conf:7: cleanup: timeout '25h' is not a duration from 1s to 1d (examples: 30s, 2m)" } },
	{ ROLE_WEB "cleanup {\n  concurrency = 0\n}\n",
	  { "rotd.conf:7: cleanup: concurrency '0' must be a whole number from 1 to 64" } },
	{ ROLE_WEB "cleanup {\n  concurrency = 65\n}\n",
	  { "rotd.conf:7: cleanup: concurrency '65' must be a whole number from 1 to 64" } },
	{ ROLE_WEB "cleanup {\n  command = {}\n}\n",
	  { "rotd.conf:6: cleanup: 'command' is empty; give the program and its arguments, e.g. {\""
	    CLEANUP_CMD "\"}" } },
	{ ROLE_WEB "cleanup {\n  command = {\"/bin/x\", \"\"}\n}\n",
	  { "rotd.conf:7: cleanup: command '' must not be empty" } },
	{ ROLE_WEB "cleanup {\n  timeout = 5m\n  command = {\"cleanup.sh\", \"-v\"}\n}\n",
	  { "rotd.conf:8: cleanup: command 'cleanup.sh' must start with the program's absolute path "
	    "inside the container (e.g. " CLEANUP_CMD ")" } },
	/* checked after every role is read: web, defined later, is fine */
	{ "cleanup {\n  timeout = 5m\n  roles = {\"web\", \"wacore\"}\n}\n" ROLE_WEB,
	  { "rotd.conf:3: cleanup: roles names 'wacore', which is not a defined role (defined: web)" } },
	{ ROLE_WEB "role core {\n" LOGS SIZE ADIR END "cleanup {\n  roles = {\"web\",\n    \"master\"}\n}\n",
	  { "rotd.conf:13: cleanup: roles names 'master', which is not a defined role (defined: web, "
	    "core)" } },
	{ ROLE_WEB "cleanup {\n  roles = {\"web\",\n    \"web\"}\n}\n",
	  { "rotd.conf:8: cleanup: roles names 'web' twice" } },
	{ "cleanup {\n  timeout = 5m\n}\n" ROLE_WEB "cleanup {\n  concurrency = 2\n}\n",
	  { "rotd.conf:9: cleanup: a second cleanup section (first on line 1); put its options in one "
	    "section" } },
	/* gc { } */
	{ ROLE_WEB "gc {\n  enabled = false\n}\n\ngc {\n  timeout = 30s\n}\n",
	  { "rotd.conf:10: gc: a second gc section (first on line 6); put its options in one section" } },
	{ ROLE_WEB "gc {\n  username = admin\n  enabled = true\n}\n",
	  { "rotd.conf:6: gc: enabled = true needs an endpoint, or an env-file with WA_WEB_ENDPOINT=" } },
	{ ROLE_WEB "gc {\n  enabled = maybe\n}\n",
	  { "rotd.conf:7: gc: enabled 'maybe' must be true or false" } },
	{ ROLE_WEB "gc {\n  verify-tls = 0\n}\n",
	  { "rotd.conf:7: gc: verify-tls '0' must be true or false" } },
	{ ROLE_WEB "gc {\n  endpoint = \"localhost:9090\"\n}\n",
	  { "rotd.conf:7: gc: endpoint 'localhost:9090' must start with https:// or http:// (e.g. "
	    "\"https://localhost:9090\")" } },
	{ ROLE_WEB "gc {\n  endpoint = \"ftp://localhost:9090\"\n}\n",
	  { "rotd.conf:7: gc: endpoint 'ftp://localhost:9090' must start with https:// or http:// "
	    "(e.g. \"https://localhost:9090\")" } },
	{ ROLE_WEB "gc {\n  endpoint = https://localhost:9090\n}\n",
	  { "rotd.conf:7: gc: endpoint 'https:' lost its '//...' to a comment; put the endpoint in "
	    "double quotes (e.g. \"https://localhost:9090\")" } },
	{ ROLE_WEB "gc {\n  endpoint = \"https://local host:9090\"\n}\n",
	  { "rotd.conf:7: gc: endpoint 'https://local host:9090' must not contain spaces" } },
	{ ROLE_WEB "gc {\n  endpoint = \"https://\"\n}\n",
	  { "rotd.conf:7: gc: endpoint 'https://' has no host (e.g. \"https://localhost:9090\")" } },
	{ ROLE_WEB "gc {\n  env-file = .env\n}\n",
	  { "rotd.conf:7: gc: env-file '.env' must be an absolute path" } },
	{ ROLE_WEB "gc {\n  ca-file = certs/ca.pem\n}\n",
	  { "rotd.conf:7: gc: ca-file 'certs/ca.pem' must be an absolute path" } },
	{ ROLE_WEB "gc {\n  timeout = 2h\n}\n",
	  { "rotd.conf:7: gc: timeout '2h' is not a duration from 1s to 1h (examples: 60s, 2m)" } },
	{ ROLE_WEB "gc {\n  timeout = 0\n}\n",
	  { "rotd.conf:7: gc: timeout '0' is not a duration from 1s to 1h (examples: 60s, 2m)" } },
	{ ROLE_WEB "gc {\n  # a comment\n  user = admin\n}\n", { "rotd.conf:8: gc: no such option 'user'" } },
	/* The daemon: interval, metrics { }, webhook { } */
	{ ROLE_WEB "webhook {\n  rate = 601\n}\n",
	  { "rotd.conf:7: webhook: rate '601' must be a whole number of requests per minute from 1 to "
	    "600" } },
	{ ROLE_WEB "usage-interval = often\n",
	  { "rotd.conf:6: usage-interval 'often' is not a duration (examples: 7d, 12h, 0)" } },
	{ ROLE_WEB "interval = 0\n",
	  { "rotd.conf:6: interval '0' is not a duration greater than 0 (examples: 30d, 1h, 90s, 2w)" } },
	{ ROLE_WEB "metrics {\n  listen = \"localhost:9473\"\n}\n",
	  { "rotd.conf:7: metrics: listen 'localhost:9473' must be \"\" (off) or ADDR:PORT with a "
	    "numeric IP address, e.g. 127.0.0.1:9473 or [::1]:9473" } },
	{ ROLE_WEB "webhook {\n  listen = \"127.0.0.1:9474\"\n}\n",
	  { "rotd.conf:6: webhook: listen needs a token or a token-file (the bearer token Alertmanager "
	    "sends)" } },
	{ ROLE_WEB "webhook {\n  listen = \"127.0.0.1:9474\"\n  token = \"a\"\n"
	  "  token-file = \"/etc/t\"\n}\n",
	  { "rotd.conf:6: webhook: give either token or token-file, not both" } },
	{ ROLE_WEB "webhook {\n  listen = \"127.0.0.1:9474\"\n  token-file = \"/nonexistent/t\"\n}\n",
	  { "rotd.conf:6: webhook: cannot read the token-file /nonexistent/t: No such file or directory" } },
	{ ROLE_WEB "webhook {\n  rate = 601\n}\n",
	  { "rotd.conf:7: webhook: rate '601' must be a whole number of requests per minute from 1 to "
	    "600" } },
	/* Several errors: all reported, sorted by line; a syntax error ends the list */
	{ "jobs = many\n" HEAD LOGS ADIR "  size = 20X\n" END "role core {\n" LOGS ADIR
	  "  size = 15Q\n  keep = 0\n" END "role master {\n" LOGS ADIR "  size = -1\n" END
	  "watermarks {\n  low = 90\n}\n",
	  { "rotd.conf:1: jobs 'many' must be a whole number from 0 to 256 (0 = one per CPU)",
	    "rotd.conf:5: role web: size '20X' is not a size (examples: 20M, 15MB, 512K)",
	    "rotd.conf:10: role core: size '15Q' is not a size (examples: 20M, 15MB, 512K)",
	    "rotd.conf:11: role core: keep '0' must be a whole number from 1 to 10000",
	    "rotd.conf:16: role master: size '-1' is not a size (examples: 20M, 15MB, 512K)",
	    "rotd.conf:19: watermarks: low (90%) must be below high (85%)" } },
	/* missing options and the level are found at the section's end */
	{ HEAD "  compress-level = 12\n  keep = 0\n" END,
	  { "rotd.conf:1: role web: required option 'logs' is missing",
	    "rotd.conf:1: role web: required option 'size' is missing",
	    "rotd.conf:1: role web: required option 'archive-dir' is missing",
	    "rotd.conf:2: role web: compress-level '12' is out of range for gzip (1 to 9)",
	    "rotd.conf:3: role web: keep '0' must be a whole number from 1 to 10000" } },
	{ HEAD LOGS ADIR "  size = 20X\n" END "role core {\n" LOGS ADIR "  size 15M\n" END,
	  { "rotd.conf:4: role web: size '20X' is not a size (examples: 20M, 15MB, 512K)",
	    "rotd.conf:9: role core: missing equal sign after option 'size'" } },
	/* found in the order 4, 8 (the scan), 1, 10 (the parse) */
	{ "jobs = x\n" HEAD LOGS "  size = 15 MB\n" ADIR END
	  "docker {\n  socket = ${ROTD_TEST_UNSET}\n}\nbogus = 1\n",
	  { "rotd.conf:1: jobs 'x' must be a whole number from 0 to 256 (0 = one per CPU)",
	    "rotd.conf:4: role web: size = 15 MB: write sizes without a space, e.g. 15M (or \"15M\")",
	    "rotd.conf:8: ${ROTD_TEST_UNSET} is not set in rotd's environment",
	    "rotd.conf:10: no such option 'bogus'" } },
	/* the parse stops at line 1: the unquoted '*' and the unset variable after it are not reported */
	{ "bogus = 1\n" HEAD "  logs = {/var/log/*.log}\n  size = ${ROTD_TEST_UNSET}\n" ADIR END,
	  { "rotd.conf:1: no such option 'bogus'" } },
	{ "gc {\n  enabled = true\n}\n" "cleanup {\n  roles = {\"db\"}\n  concurrency = 99\n}\n" HEAD LOGS
	  "  size = 0\n" ADIR END,
	  { "rotd.conf:1: gc: enabled = true needs an endpoint, or an env-file with WA_WEB_ENDPOINT=",
	    "rotd.conf:5: cleanup: roles names 'db', which is not a defined role (defined: web)",
	    "rotd.conf:6: cleanup: concurrency '99' must be a whole number from 1 to 64",
	    "rotd.conf:10: role web: size '0' must be more than 0 (examples: 20M, 15MB, 512K)" } },
};

/* Loaded three times in a row, each followed by the built-in defaults: an error
 * must not leave libconfuse's global lexer where the next load would start. */
static const struct bad_config lexer_resets[] = {
	{ "jobs = 1\n}\n", { "rotd.conf:2: unexpected closing brace" } },
	{ "role a {\n  size = 'x\n",
	  { "rotd.conf:2: the string 'x... is never closed (missing the closing ')" } },
	/* libconfuse stops inside the string on a bad escape, and would start its next parse there */
	{ "jobs = \"\\9\"\n", { "rotd.conf:1: '\\9' in a string is not an escape; write a backslash as \\\\" } },
};

#define N_ROWS(table) (sizeof(table) / sizeof((table)[0]))

/* Loads bc's text from a file named rotd.conf and asserts that loading fails
 * with exactly bc's errors, in order. */
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
	ck_assert_int_eq(setenv("ROTD_TEST_SOCK", "/run", 1), 0);
	unsetenv("TZDIR");
	unsetenv("ROTD_TEST_UNSET");
	expect_bad_config(&bad_configs[_i]);
	unsetenv("ROTD_TEST_SOCK");
}
END_TEST

START_TEST(test_repeated_loads_after_errors)
{
	for (int i = 0; i < 3; i++) {
		struct rotd_config *cfg;

		for (size_t j = 0; j < N_ROWS(lexer_resets); j++)
			expect_bad_config(&lexer_resets[j]);
		cfg = config_load_defaults();
		ck_assert_uint_eq(cfg->n_roles, 3);
		config_free(cfg);
	}
}
END_TEST

/* ---- texts made at run time --------------------------------------------- */

/* The temp folder unit_write_temp() writes into; static buffer. */
static const char *temp_dir(void)
{
	static char dir[300];

	snprintf(dir, sizeof(dir), "%s", unit_write_temp("probe", ""));
	*strrchr(dir, '/') = '\0';
	return dir;
}

/* Loads text from a file and asserts that it fails with exactly one error, want
 * after the file's path. */
static void expect_one_error(const char *text, const char *want)
{
	struct bad_config bc = { text, { want } };

	expect_bad_config(&bc);
}

/* TZDIR holds Test/Zone (a TZif file), Test/Plain (not one) and the folder Test. */
static void fake_zone_dir(void)
{
	char path[400];
	const char *dir = temp_dir();
	FILE *f;

	snprintf(path, sizeof(path), "%s/Test", dir);
	ck_assert_int_eq(mkdir(path, 0700) == 0 || errno == EEXIST, 1);
	snprintf(path, sizeof(path), "%s/Test/Zone", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("TZif2\n", f);
	ck_assert_int_eq(fclose(f), 0);
	snprintf(path, sizeof(path), "%s/Test/Plain", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("not a zone\n", f);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(setenv("TZDIR", dir, 1), 0);
}

/* Loads text with TZDIR set to fake_zone_dir() and asserts that it is accepted. */
static struct rotd_config *load_with_fake_zones(const char *text)
{
	struct strlist errors = STRLIST_INIT;
	struct rotd_config *cfg;

	fake_zone_dir();
	cfg = config_load(unit_write_temp("rotd.conf", text), &errors);
	unsetenv("TZDIR");
	ck_assert_msg(cfg != NULL, "rejected: %s", errors.n ? errors.v[0] : "(no message)");
	ck_assert_uint_eq(errors.n, 0);
	return cfg;
}

START_TEST(test_timezone_names_accepted)
{
	struct rotd_config *cfg = load_with_fake_zones(OFFPEAK_TZ("Test/Zone"));

	ck_assert_str_eq(cfg->timezone, "Test/Zone");
	config_free(cfg);
	/* always valid, with or without a zone database */
	cfg = load_with_fake_zones(OFFPEAK_TZ("UTC"));
	ck_assert_str_eq(cfg->timezone, "UTC");
	config_free(cfg);
	cfg = load_with_fake_zones(OFFPEAK_TZ(""));
	ck_assert_ptr_null(cfg->timezone);
	config_free(cfg);
}
END_TEST

START_TEST(test_err_timezone_folder_or_not_tzif)
{
	static const char *const zones[] = { "Test", "Test/Plain" };

	for (size_t i = 0; i < N_ROWS(zones); i++) {
		char text[256], want[600];

		fake_zone_dir();
		snprintf(text, sizeof(text), OFFPEAK_TZ("%s"), zones[i]);
		snprintf(want, sizeof(want), "rotd.conf:7: offpeak: timezone '%s' is not a known time zone "
			 "(not in %s); use one such as Europe/Berlin, or UTC (\"\" is the host's local time)",
			 zones[i], getenv("TZDIR"));
		expect_one_error(text, want);
		unsetenv("TZDIR");
	}
}
END_TEST

START_TEST(test_err_deeply_nested)
{
	size_t n = 10000, len;
	char *text = malloc(n * 4 + 1);

	ck_assert_ptr_nonnull(text);
	for (size_t i = 0; i < n; i++)
		memcpy(text + i * 3, "a {", 3);
	memset(text + n * 3, '}', n);
	text[n * 4] = '\0';
	expect_one_error(text, "rotd.conf:1: no such section 'a' (sections here: metrics, webhook, docker, "
			 "offpeak, role, media, watermarks, cleanup, gc)");
	len = (size_t)snprintf(text, n * 4 + 1, "%s", HEAD);
	for (size_t i = 0; i < 100; i++)
		len += (size_t)snprintf(text + len, n * 4 + 1 - len, "match {\n");
	for (size_t i = 0; i < 101; i++)
		len += (size_t)snprintf(text + len, n * 4 + 1 - len, "}\n");
	expect_one_error(text, "rotd.conf:3: role web: match: a 'match' section goes inside a role section, "
			 "not inside match");
	free(text);
}
END_TEST

#define X64 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"

START_TEST(test_err_100k_line)
{
	size_t n = 100 * 1024;
	char *w = malloc(n + 1);
	char *text = malloc(n + 256);
	struct strlist errors = STRLIST_INIT;
	struct rotd_config *cfg;

	ck_assert_ptr_nonnull(w);
	ck_assert_ptr_nonnull(text);
	memset(w, 'x', n);
	w[n] = '\0';
	sprintf(text, "%sjobs = %s\n", ROLE_WEB, w);
	expect_one_error(text, "rotd.conf:6: jobs '" X64 "...' must be a whole number from 0 to 256 "
			 "(0 = one per CPU)");
	sprintf(text, "%s%s = 1\n", ROLE_WEB, w);
	expect_one_error(text, "rotd.conf:6: no such option '" X64 "...'");
	sprintf(text, "%s  logs = {\"%s\"}\n%s%s%s", HEAD, w, SIZE, ADIR, END);
	expect_one_error(text, "rotd.conf:2: role web: logs '" X64 "...' must be an absolute path inside the "
			 "container (e.g. /var/log/app/*.log)");
	/* a 100 KB comment is fine */
	sprintf(text, "# %s\n%s", w, ROLE_WEB);
	cfg = config_load(unit_write_temp("rotd.conf", text), &errors);
	ck_assert_ptr_nonnull(cfg);
	ck_assert_uint_eq(errors.n, 0);
	config_free(cfg);
	free(text);
	free(w);
}
END_TEST

START_TEST(test_err_too_many_errors)
{
	size_t n = 150, size = n * 16 + sizeof(ROLE_WEB);
	char *text = malloc(size);
	struct strlist errors = STRLIST_INIT;
	size_t len;

	ck_assert_ptr_nonnull(text);
	len = (size_t)snprintf(text, size, "%s", ROLE_WEB);
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, size - len, "jobs = x\n");
	ck_assert_ptr_null(config_load_buffer(text, "many.conf", &errors));
	ck_assert_uint_eq(errors.n, 101);
	ck_assert_str_eq(errors.v[0],
			 "many.conf:6: jobs 'x' must be a whole number from 0 to 256 (0 = one per CPU)");
	ck_assert_str_eq(errors.v[99], "many.conf:56: 'jobs' is already set on line 55");
	ck_assert_str_eq(errors.v[100], "many.conf: and 199 more errors; is this the right file?");
	strlist_free(&errors);
	free(text);
}
END_TEST

/* ---- paths refused before parsing: one error, after the path ------------- */

/* A text of n bytes: ROLE_WEB after '#' comment lines. New string. */
static char *padded_conf(size_t n)
{
	size_t role = strlen(ROLE_WEB);
	char *text = malloc(n + 1);

	ck_assert_ptr_nonnull(text);
	ck_assert_uint_ge(n, role + 2);
	memset(text, '#', n - role);
	for (size_t i = 100; i < n - role; i += 100)
		text[i] = '\n';
	text[n - role - 1] = '\n';
	memcpy(text + n - role, ROLE_WEB, role + 1);
	return text;
}

/* Each makes the file it names and returns its path; static buffers. */
static const char *a_fifo(void)
{
	static char path[400];

	snprintf(path, sizeof(path), "%s/fifo.conf", temp_dir());
	unlink(path);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	return path;
}

static const char *a_socket(void)
{
	static struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_uint_lt(strlen(temp_dir()), 90);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%.90s/sock.conf", temp_dir());
	unlink(sun.sun_path);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);
	return sun.sun_path;
}

static const char *a_file_over_1_mib(void)
{
	static char path[300];
	char *text = padded_conf(1024 * 1024 + 1);

	snprintf(path, sizeof(path), "%s", unit_write_temp("big.conf", text));
	free(text);
	return path;
}

static const char *a_missing_file(void)
{
	static char path[300];

	snprintf(path, sizeof(path), "%s.missing", unit_write_temp("x.conf", ""));
	return path;
}

static const char *a_file_with_nul(void)
{
	static const char text[] = ROLE_WEB "jobs = 1\0\n";
	static char path[300];
	FILE *f;

	snprintf(path, sizeof(path), "%s", unit_write_temp("nul.conf", ""));
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, sizeof(text) - 1, f), sizeof(text) - 1);
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

static const struct bad_file {
	const char *path;       /* or NULL: make() creates it and returns its path */
	const char *(*make)(void);
	const char *error;      /* the one error, after the path */
} bad_files[] = {
	/* a blocking open would wait for a writer for ever */
	{ NULL, a_fifo, ": not a regular file (a FIFO)" },
	{ "/dev/null", NULL, ": not a regular file (a character device)" },
	{ NULL, temp_dir, ": not a regular file (a folder)" },
	{ "/", NULL, ": not a regular file (a folder)" },
	{ NULL, a_socket, ": not a regular file (a socket)" },
	{ NULL, a_file_over_1_mib, ": larger than 1 MiB (1048577 bytes); is this the right file?" },
	{ NULL, a_missing_file, ": cannot open: No such file or directory" },
	{ NULL, a_file_with_nul, ":6: contains a NUL byte; is this the right file?" },
};

START_TEST(test_bad_file)
{
	const char *path = bad_files[_i].path ? bad_files[_i].path : bad_files[_i].make();
	struct strlist errors = STRLIST_INIT;
	char full[4200];

	snprintf(full, sizeof(full), "%s%s", path, bad_files[_i].error);
	ck_assert_ptr_null(config_load(path, &errors));
	ck_assert_uint_eq(errors.n, 1);
	ck_assert_str_eq(errors.v[0], full);
	strlist_free(&errors);
}
END_TEST

START_TEST(test_config_of_1_mib_accepted)
{
	char *text = padded_conf(1024 * 1024);
	struct strlist errors = STRLIST_INIT;
	struct rotd_config *cfg = config_load(unit_write_temp("rotd.conf", text), &errors);

	ck_assert_ptr_nonnull(cfg);
	ck_assert_uint_eq(errors.n, 0);
	config_free(cfg);
	free(text);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("config");
	TCase *messages = tcase_create("messages");
	TCase *runtime = tcase_create("made at run time");

	tcase_add_loop_test(messages, test_bad_config, 0, N_ROWS(bad_configs));
	tcase_add_loop_test(messages, test_bad_file, 0, N_ROWS(bad_files));
	suite_add_tcase(s, messages);
	tcase_add_test(runtime, test_repeated_loads_after_errors);
	tcase_add_test(runtime, test_timezone_names_accepted);
	tcase_add_test(runtime, test_err_timezone_folder_or_not_tzif);
	tcase_add_test(runtime, test_err_deeply_nested);
	tcase_add_test(runtime, test_err_100k_line);
	tcase_add_test(runtime, test_err_too_many_errors);
	tcase_add_test(runtime, test_config_of_1_mib_accepted);
	suite_add_tcase(s, runtime);
	return s;
}
