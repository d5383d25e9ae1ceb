/* config: the only module that knows rotd.conf's syntax (libconfuse).
 *
 * config_load() parses and validates the whole file and returns an immutable
 * struct; the rest of rotd reads settings from it and never sees config text.
 * Every problem is reported as "file:line: message". Semantic errors (bad units,
 * bad values, missing required options, contradictions) are all collected and
 * reported together; a syntax error stops the parse, and the errors found
 * before it are reported with it. Messages are sorted by line, and control
 * characters and bytes that are not UTF-8 are escaped in them (\x1b). */
#ifndef ROTD_CONFIG_H
#define ROTD_CONFIG_H

#include <stdint.h>

#include "lib/strlist.h"
#include "lib/units.h"

enum compress_kind { COMPRESS_GZIP, COMPRESS_ZSTD };
enum rotate_method { METHOD_COPYTRUNCATE, METHOD_RENAME };

/* One `match { }` block. Every non-empty list must match (AND); inside a list any
 * one pattern is enough (OR). Patterns are fnmatch(3) globs. */
struct role_match {
	struct strlist images;     /* against the container's Config.Image */
	struct strlist services;   /* against label com.docker.compose.service */
	struct strlist names;      /* against the container name, without the leading '/' */
	struct strlist envs;       /* "KEY=VALUE" must be in Config.Env exactly; "KEY" must be set */
	struct strlist not_envs;   /* none of these may be in Config.Env (same forms as envs) */
};

/* The effective policy of one log pattern: the role's options, overridden by the
 * pattern's own `log "PATTERN" { }` section inside the role, if any. */
struct log_policy {
	char *glob;                    /* the pattern, as in role->logs */
	uint64_t size;                 /* rotate when larger, bytes (> 0) */
	unsigned keep;                 /* archives kept per source log (>= 1) */
	enum compress_kind compress;
	int compress_level;
	char *archive_dir;             /* absolute, inside the container */
	enum rotate_method method;
	struct strlist postrotate;     /* argv run in the container after a rename */
	uint64_t idle_after;           /* seconds; 0: never archive idle files whole */
	uint64_t max_age;              /* seconds: archives older than this are pruned (never the
	                                  newest of a log); 0: off (default) */
	uint64_t max_size;             /* bytes: budget of its archive folder, oldest archives go
	                                  first (never the newest of a log); 0: off (default). A
	                                  folder shared by several patterns gets the smallest budget
	                                  any of them sets */
	char *timestamp;               /* strptime(3) format of the time its lines start with, or
	                                  NULL: the built-in recognisers (lib/logtime.h) */
	char *timezone;                /* zone of the times its lines write without one: "UTC"
	                                  (default), an IANA name or "+hh:mm" */
};

/* One `role NAME { }` section: how to recognise a container and how to rotate it. */
struct role_policy {
	char *name;                    /* section title, e.g. "web" */
	struct role_match *matches;    /* a container has this role if any block matches */
	size_t n_matches;
	struct strlist logs;           /* absolute globs inside the container; wildcards
	                                  only in the last component */
	uint64_t size;                 /* rotate when a log is larger, bytes (> 0) */
	unsigned keep;                 /* archives kept per source log (>= 1) */
	enum compress_kind compress;
	int compress_level;            /* gzip 1..9, zstd 1..19 */
	char *archive_dir;             /* absolute, inside the container */
	enum rotate_method method;
	struct strlist postrotate;     /* argv run in the container after a rename; may be empty */
	uint64_t idle_after;           /* seconds: a non-newest file idle this long is archived
	                                  whole; 0: never */
	uint64_t max_age;              /* as in log_policy; 0: off */
	uint64_t max_size;             /* as in log_policy; 0: off */
	char *timestamp;               /* as in log_policy; NULL: the built-in recognisers */
	char *timezone;                /* as in log_policy; default "UTC" */
	struct log_policy *log_policies;  /* log_policies[i] is the effective policy of logs.v[i] */
};

struct media_rule {
	char *name;                    /* section title, e.g. "outgoing" */
	char *path;                    /* relative to the media root, no "..", e.g. "outgoing" */
	struct strlist globs;          /* fnmatch patterns on file names; empty means all */
	uint64_t max_age;              /* seconds; files older than this are pruned */
};

/* The `cleanup { }` section: the image's own cleanup script, run off-peak. */
struct cleanup_policy {
	struct strlist command;        /* argv run through docker exec; default
	                                  {"/opt/whatsapp/bin/cleanup.sh"} */
	uint64_t timeout;              /* seconds one exec may take (> 0); default 10m */
	unsigned concurrency;          /* containers at once, 1..64; default 4 */
	struct strlist roles;          /* roles it runs in; default {"web", "core", "master"};
	                                  each must name a defined role */
};

/* The `gc { }` section: the WhatsApp client's own message and media garbage
 * collectors, called through its REST API off-peak. Off by default. */
struct gc_policy {
	int enabled;                   /* default 0 */
	char *endpoint;                /* "https://host:port" (http:// allowed), or NULL */
	char *username;                /* or NULL */
	char *password;                /* or NULL */
	char *env_file;                /* a file with WA_WEB_ENDPOINT=, WA_WEB_USERNAME=,
	                                  WA_WEB_PASSWORD= lines, used for what is unset
	                                  above; or NULL */
	char *ca_file;                 /* PEM CA bundle for TLS verification, or NULL for
	                                  the system store */
	int verify_tls;                /* default 1 */
	uint64_t timeout;              /* seconds per request (> 0); default 60 */
};

/* The `webhook { }` section: the daemon's Alertmanager receiver. Off by default. */
struct webhook_policy {
	char *listen;                  /* "ADDR:PORT", or NULL: off */
	char *token;                   /* the bearer token (from token or token-file); set when listen is */
	struct strlist alerts;         /* alert names (globs) that trigger a remediation pass */
	struct strlist hosts;          /* names this host answers to, besides its hostname */
	unsigned rate;                 /* requests per minute, 1..600; default 10 */
};

struct rotd_config {
	char *path;                    /* file it was read from, or "<built-in>" */
	char *docker_socket;           /* config's docker.socket, or NULL when not set */
	unsigned docker_timeout_ms;    /* per request, except streams */
	unsigned jobs;                 /* logs rotated at once; 0 means the number of CPUs */
	struct role_policy *roles;     /* in file order; the first matching role wins */
	size_t n_roles;
	struct time_window offpeak;
	char *timezone;                /* TZ name for the window, or NULL for local time */
	char *media_root;              /* absolute, inside the container; NULL when the file has
	                                  no media section: then rotd never prunes media */
	uint64_t media_floor;          /* seconds: never prune younger media */
	struct media_rule *media_rules; /* in file order; none without a media section */
	size_t n_media_rules;
	struct cleanup_policy cleanup;
	struct gc_policy gc;
	char *state_file;              /* absolute host path; default /var/lib/rotd/state.json */
	char *lock_file;               /* absolute host path; default /run/rotd.lock */
	uint64_t lock_wait;            /* seconds a pass waits for the lock; default 5m; 0: no wait */
	uint64_t interval;             /* daemon: seconds between size checks (> 0); default 60 */
	uint64_t stop_timeout;         /* daemon: seconds a stop waits for the files in progress
	                                  before abandoning them (nothing is lost); default 30 */
	uint64_t usage_interval;       /* daemon: seconds between refreshes of the usage gauges
	                                  (rotd usage's figures); 0: never; default 10m */
	char *status_file;             /* daemon: absolute host path; default /run/rotd/status.json */
	char *metrics_file;            /* textfile-collector file written after every pass, or NULL
	                                  (set to "") for none; default
	                                  /var/lib/prometheus/node-exporter/rotd.prom */
	char *metrics_listen;          /* daemon: "ADDR:PORT" serving /metrics, or NULL: off (default) */
	struct webhook_policy webhook;
	unsigned high_watermark;       /* percent used */
	unsigned low_watermark;        /* percent used, < high */
	uint64_t archive_floor;        /* seconds: the emergency pass never drops an archive younger
	                                  than this (watermarks.archive-floor, default 1d) */
	uint64_t remediation_backoff;  /* seconds: after an emergency pass that left a filesystem
	                                  above low, the daemon does not repeat it for that
	                                  filesystem until its usage grows by a point or this
	                                  passes (watermarks.remediation-backoff, default 30m) */
};

/* Reads and validates the file at path. Returns the config (free with config_free),
 * or NULL after appending every problem as "file:line: message" to *errors.
 * Only a regular file of at most 1 MiB is read; anything else is refused at
 * once, without blocking ("path: not a regular file (a FIFO)"; "path: cannot
 * open: reason"). One load at a time: libconfuse's lexer is global, so call
 * this from one thread only. */
struct rotd_config *config_load(const char *path, struct strlist *errors);

/* The same for text already in memory; name stands for the file in messages. */
struct rotd_config *config_load_buffer(const char *text, const char *name, struct strlist *errors);

/* What rotd reads: path when given; else the default file (config_default_path),
 * or the built-in defaults when that file does not exist. Errors as config_load. */
struct rotd_config *config_load_chosen(const char *path, struct strlist *errors);

/* The built-in defaults: the text of conf/rotd.conf compiled into rotd. Never NULL. */
struct rotd_config *config_load_defaults(void);

/* Where rotd status finds the status file when the configuration at path
 * (NULL: the default file) does not load: the status-file the file sets, read
 * line by line without the parser, else the default. Never NULL; new string. */
char *config_status_file(const char *path);

/* Returns the role named name, or NULL. */
const struct role_policy *config_role(const struct rotd_config *cfg, const char *name);

/* Frees cfg and everything it owns; NULL is allowed. */
void config_free(struct rotd_config *cfg);

/* The default config file path (SYSCONFDIR/rotd/rotd.conf). */
const char *config_default_path(void);

#endif
