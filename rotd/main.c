/* rotd: keeps WhatsApp Business API Docker hosts from filling their disks.
 *
 * The data flows one way: config -> inventory -> (plan -> apply) -> report. */
#include "autoconf.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config/config.h"
#include "cycle.h"
#include "daemon.h"
#include "engine/docker.h"
#include "lib/escape.h"
#include "lib/exitcode.h"
#include "engine/inventory.h"
#include "lib/lock.h"
#include "lib/log.h"
#include "report/metrics.h"
#include "lib/progress.h"
#include "lib/shutdown.h"
#include "lib/state.h"
#include "usage/usage.h"
#include "lib/logtime.h"
#include "logs/search.h"
#include "report/logs_report.h"
#include "report/status.h"
#include "report/usage_report.h"
#include "lib/xalloc.h"

/* Where a production build (--sysconfdir=/etc) reads its configuration. */
#define ETC_CONFIG "/etc/rotd/rotd.conf"

/* Where rotd --now keeps its metric totals in the state file. */
#define METRICS_NOW_RECORD "metrics-now"

struct options {
	const char *config_path;   /* NULL: the default path, or the built-in defaults */
	int check_config;
	int now;
	int dry_run;
	int json;
	int respect_window;        /* off-peak jobs only inside the window, once per window */
	int skip_jobs;             /* --rotate-only: no off-peak jobs */
	int status;                /* the `status` command */
	int usage;                 /* the `usage` command */
	int logs;                  /* the `logs` command */
	const char *since;         /* logs: --since TIME, or NULL */
	const char *until;         /* logs: --until TIME, or NULL */
	const char *grep;          /* logs: --grep REGEX, or NULL */
	int icase;                 /* logs: -i */
	struct strlist roles;      /* logs: --role ROLE */
	struct strlist log_globs;  /* logs: --log GLOB */
	int remediate;             /* --remediate: the emergency pass */
	struct strlist containers; /* --container NAME: only these */
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: rotd [--config FILE] [-v]                  run as a daemon\n"
		"       rotd [--config FILE] status [--json]\n"
		"       rotd [--config FILE] usage [--json] [--container NAME]...\n"
		"       rotd [--config FILE] logs [--since TIME] [--until TIME] [--grep REGEX] [-i]\n"
		"            [--container NAME]... [--role ROLE]... [--log GLOB]... [--json]\n"
		"       rotd [--config FILE] --check-config\n"
		"       rotd [--config FILE] --now [--dry-run] [--json] [--respect-window | --rotate-only | --remediate]\n"
		"            [--container NAME]... [-v]\n"
		"\n"
		"  -c, --config FILE     read FILE instead of %s\n"
		"      --check-config    validate the configuration and exit (0 OK, 2 errors)\n"
		"      --now             run one pass now: rotate what is over its size\n"
		"  status                what the running daemon is doing (0 running, 3 not running)\n"
		"  usage                 what fills the disks: filesystems, containers (logs, archives,\n"
		"                        engine log, writable layer) and media volumes; changes nothing\n"
		"  logs                  search the live logs and archives of the running containers:\n"
		"                        records in [--since, --until) merged oldest first, printed as\n"
		"                        CONTAINER LOG: LINE; changes nothing\n"
		"      --since TIME      logs: records at or after TIME: now, -30m, -2h, -1d, or\n"
		"                        YYYY-MM-DD[ HH:MM[:SS]] (host's local time unless it has a zone)\n"
		"      --until TIME      logs: records before TIME (same forms)\n"
		"      --grep REGEX      logs: records with a line matching REGEX (POSIX extended)\n"
		"  -i                    logs: --grep ignores case\n"
		"      --role ROLE       logs: only containers of this role (repeatable)\n"
		"      --log GLOB        logs: only logs whose path or file name matches GLOB (repeatable)\n"
		"  -n, --dry-run         show what the pass sees and would act on; change nothing\n"
		"      --json            print the report as JSON (logs: one line per record)\n"
		"      --container NAME  only this container (repeatable)\n"
		"      --respect-window  run the off-peak jobs (cleanup.sh, media, gc) only inside\n"
		"                        the window and once per window, as the daemon does\n"
		"      --rotate-only     rotate logs; skip the off-peak jobs\n"
		"      --remediate       the emergency pass for a full disk: rotate, drop archives beyond\n"
		"                        keep, cleanup.sh, then the oldest media down to the floor, until\n"
		"                        every filesystem is under the low watermark\n"
		"  -v, --verbose         debug lines on stderr\n"
		"  -h, --help            this text\n"
		"  -V, --version         print the version\n"
		"\n"
		"Exit status: 0 all done, 1 some container failed, 2 configuration or usage error,\n"
		"3 the Docker engine could not be reached, 4 another pass held the lock, 5 --remediate\n"
		"could not get every filesystem under the low watermark; rotd usage exits 1 when a figure\n"
		"could not be measured; rotd logs exits 0 when it searched everything (whether or not\n"
		"anything matched), 1 when a container or a source could not be read (not running,\n"
		"a corrupt archive, a symlink not followed), 2 for a usage or configuration error,\n"
		"3 when the engine could not be reached. See rotd(8).\n",
		config_default_path());
}

static void parse_options(int argc, char **argv, struct options *o)
{
	enum { OPT_CHECK = 256, OPT_NOW, OPT_JSON, OPT_CONTAINER, OPT_RESPECT_WINDOW, OPT_ROTATE_ONLY, OPT_REMEDIATE,
	       OPT_SINCE, OPT_UNTIL, OPT_GREP, OPT_ROLE, OPT_LOG };
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, OPT_CHECK },
		{ "now", no_argument, NULL, OPT_NOW },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "container", required_argument, NULL, OPT_CONTAINER },
		{ "respect-window", no_argument, NULL, OPT_RESPECT_WINDOW },
		{ "rotate-only", no_argument, NULL, OPT_ROTATE_ONLY },
		{ "remediate", no_argument, NULL, OPT_REMEDIATE },
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "until", required_argument, NULL, OPT_UNTIL },
		{ "grep", required_argument, NULL, OPT_GREP },
		{ "role", required_argument, NULL, OPT_ROLE },
		{ "log", required_argument, NULL, OPT_LOG },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":c:nivhV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			o->config_path = optarg;
			break;
		case OPT_CHECK:
			o->check_config = 1;
			break;
		case OPT_NOW:
			o->now = 1;
			break;
		case 'n':
			o->dry_run = 1;
			break;
		case OPT_JSON:
			o->json = 1;
			break;
		case OPT_CONTAINER:
			strlist_add(&o->containers, optarg);
			break;
		case OPT_RESPECT_WINDOW:
			o->respect_window = 1;
			break;
		case OPT_ROTATE_ONLY:
			o->skip_jobs = 1;
			break;
		case OPT_REMEDIATE:
			o->remediate = 1;
			break;
		case OPT_SINCE:
			o->since = optarg;
			break;
		case OPT_UNTIL:
			o->until = optarg;
			break;
		case OPT_GREP:
			o->grep = optarg;
			break;
		case 'i':
			o->icase = 1;
			break;
		case OPT_ROLE:
			strlist_add(&o->roles, optarg);
			break;
		case OPT_LOG:
			strlist_add(&o->log_globs, optarg);
			break;
		case 'v':
			log_set_verbose(1);
			break;
		case 'h':
			usage(stdout);
			exit(EXIT_ROTD_OK);
		case 'V':
			printf("rotd %s\n", PACKAGE_VERSION);
			exit(EXIT_ROTD_OK);
		case ':':
			fatalx(EXIT_ROTD_CONFIG, "%s needs a value; see rotd --help", argv[optind - 1]);
		default:
			if (optopt > 0 && optopt < 128 && isalnum(optopt))
				fatalx(EXIT_ROTD_CONFIG, "unknown option '-%c'; see rotd --help", optopt);
			if (optopt != 0)
				fatalx(EXIT_ROTD_CONFIG, "'%s': this option takes no value; see rotd --help",
				       argv[optind - 1]);
			fatalx(EXIT_ROTD_CONFIG, "unknown option '%s'; see rotd --help", argv[optind - 1]);
		}
	}
	if (optind < argc && strcmp(argv[optind], "status") == 0) {
		o->status = 1;
		optind++;
	} else if (optind < argc && strcmp(argv[optind], "usage") == 0) {
		o->usage = 1;
		optind++;
	} else if (optind < argc && strcmp(argv[optind], "logs") == 0) {
		o->logs = 1;
		optind++;
	}
	if (optind < argc)
		fatalx(EXIT_ROTD_CONFIG, "unexpected argument '%s'; see rotd --help", argv[optind]);
	if (o->status && (o->now || o->check_config || o->dry_run))
		fatalx(EXIT_ROTD_CONFIG, "status takes only --config and --json; see rotd --help");
	if (o->usage && (o->now || o->check_config || o->dry_run || o->respect_window || o->skip_jobs || o->remediate))
		fatalx(EXIT_ROTD_CONFIG, "usage takes only --config, --json and --container; see rotd --help");
	if (o->logs && (o->now || o->check_config || o->dry_run || o->respect_window || o->skip_jobs || o->remediate))
		fatalx(EXIT_ROTD_CONFIG, "logs takes only --config, --since, --until, --grep, -i, --container, --role, "
		       "--log and --json; see rotd --help");
	if (!o->logs && (o->since != NULL || o->until != NULL || o->grep != NULL || o->icase || o->roles.n > 0 ||
			 o->log_globs.n > 0))
		fatalx(EXIT_ROTD_CONFIG, "%s goes with logs; see rotd --help",
		       o->since != NULL ? "--since" : o->until != NULL ? "--until" : o->grep != NULL ? "--grep" :
		       o->icase ? "-i" : o->roles.n > 0 ? "--role" : "--log");
	if (o->usage || o->logs)
		return;
	if (!o->now && !o->status && (o->dry_run || o->containers.n > 0 || o->respect_window || o->skip_jobs ||
				       o->remediate || o->json))
		fatalx(EXIT_ROTD_CONFIG, "%s goes with --now (or, for --json, with status); see rotd --help",
		       o->dry_run ? "--dry-run" : o->containers.n > 0 ? "--container" : o->respect_window ?
		       "--respect-window" : o->skip_jobs ? "--rotate-only" : o->remediate ? "--remediate" : "--json");
	if (o->check_config && (o->now || o->dry_run || o->json || o->containers.n > 0))
		fatalx(EXIT_ROTD_CONFIG, "--check-config takes only --config; see rotd --help");
	if (o->remediate && (o->respect_window || o->skip_jobs))
		fatalx(EXIT_ROTD_CONFIG, "--remediate runs its own steps: not with --respect-window or --rotate-only");
	if (o->remediate)
		o->skip_jobs = 1;
}

/* Loads the named file, else the default file, else the built-in defaults. On
 * errors prints each "file:line: message" on stderr and returns NULL. */
static struct rotd_config *load_config(const char *path)
{
	struct strlist errors = STRLIST_INIT;
	struct rotd_config *cfg;

	/* A build for another prefix must not pass over the usual file silently. */
	if (path == NULL && strcmp(config_default_path(), ETC_CONFIG) != 0 && access(config_default_path(), F_OK) < 0 &&
	    errno == ENOENT && access(ETC_CONFIG, F_OK) == 0)
		log_warnx("%s exists, but this rotd reads %s (built with another --sysconfdir); using the built-in "
			  "defaults: pass --config %s, or build with --sysconfdir=/etc", ETC_CONFIG,
			  config_default_path(), ETC_CONFIG);
	cfg = config_load_chosen(path, &errors);

	/* Bare file:line lines, at err priority under the journal: a reload that
	 * ExecReload's --check-config refuses, or a daemon that cannot start, says
	 * why at err. */
	for (size_t i = 0; i < errors.n; i++)
		log_errorx_bare("%s", errors.v[i]);
	strlist_free(&errors);
	return cfg;
}

/* rotd status reads only the status file: a configuration broken on disk
 * (the daemon keeps the one it read) must not hide what the daemon does. */
static int show_status(const struct options *o)
{
	struct strlist errors = STRLIST_INIT;
	struct rotd_config *cfg = config_load_chosen(o->config_path, &errors);
	char *path;
	int code;

	if (cfg != NULL) {
		code = status_show(cfg->status_file, stdout, o->json, time(NULL));
		config_free(cfg);
		strlist_free(&errors);
		return code;
	}
	path = config_status_file(o->config_path);
	log_warnx("%s has %zu error%s (rotd --check-config lists them); reading the status file %s",
		  o->config_path != NULL ? o->config_path : config_default_path(), errors.n, errors.n == 1 ? "" : "s",
		  path);
	code = status_show(path, stdout, o->json, time(NULL));
	free(path);
	strlist_free(&errors);
	return code;
}

static int check_config(const char *path)
{
	struct rotd_config *cfg = load_config(path);

	if (cfg == NULL)
		return EXIT_ROTD_CONFIG;
	printf("configuration OK (%s)\n", cfg->path);
	config_free(cfg);
	return EXIT_ROTD_OK;
}

/* Whether every --container name is in inv; says which are not, and what
 * lists the names (hint). A typo must not pass for "nothing to do". */
static int all_named(const struct strlist *names, const struct inventory *inv, const char *hint)
{
	int ok = 1;

	for (size_t i = 0; i < names->n; i++) {
		int found = 0;

		for (size_t k = 0; k < inv->n && !found; k++)
			found = strcmp(inv->v[k].name, names->v[i]) == 0;
		if (!found) {
			log_errorx("no container named %s; nothing done (%s lists the containers)", names->v[i], hint);
			ok = 0;
		}
	}
	return ok;
}

/* Builds *inv: the containers o names with --container, or all of them.
 * Returns EXIT_ROTD_OK, or logs one line and returns the exit code. */
static int list_containers(struct docker *d, const struct rotd_config *cfg, const struct options *o,
			   struct inventory *inv)
{
	struct docker_filters *filters = NULL;
	int st;

	if (o->containers.n > 0) {
		filters = docker_filters_new();
		for (size_t i = 0; i < o->containers.n; i++)
			docker_filters_add_exact_name(filters, o->containers.v[i]);
	}
	st = inventory_build(d, cfg, filters, inv);
	docker_filters_free(filters);
	if (st != DOCKER_OK) {
		log_errorx("cannot list containers: %s", docker_error(d));
		return st == DOCKER_EUNREACHABLE ? EXIT_ROTD_ENGINE : EXIT_ROTD_PARTIAL;
	}
	return EXIT_ROTD_OK;
}

/* Connects and negotiates; on failure logs one line and returns NULL. */
static struct docker *connect_engine(const struct rotd_config *cfg, int *exit_code)
{
	struct docker_options dopt = { 0, cfg->docker_timeout_ms, 0 };
	char *why = NULL;
	char *socket = docker_choose_socket(cfg->docker_socket, &why);
	struct docker *d;

	if (socket == NULL) {
		log_errorx("%s", why);
		free(why);
		*exit_code = EXIT_ROTD_CONFIG;
		return NULL;
	}
	d = docker_new(socket, &dopt);
	free(socket);
	if (docker_ping(d) != DOCKER_OK) {
		log_errorx("%s", docker_error(d));
		docker_free(d);
		*exit_code = EXIT_ROTD_ENGINE;
		return NULL;
	}
	log_debug("engine at %s speaks API %s", docker_socket(d), docker_api_version(d));
	return d;
}

/* rotd --now's metrics: its own file beside the daemon's, with mode="now" on
 * every series and its totals kept in the state file, so that they only grow
 * and never touch the daemon's. A --container run leaves out the host-wide
 * containers gauge, which a subset would get wrong. A failure is reported, not
 * fatal. */
static void write_metrics(const struct rotd_config *cfg, const struct inventory *inv, const struct cycle *c,
			  int subset)
{
	char *path, *text, *warning = NULL, *err = NULL;
	struct state *st;
	struct metrics *m;

	if (cfg->metrics_file == NULL || c->pass.dry_run)
		return;
	st = state_load(cfg->state_file, &warning);
	if (warning != NULL)
		log_warnx("%s", warning);
	free(warning);
	m = metrics_new(c->started);
	metrics_set_mode(m, "now");
	metrics_restore(m, state_record(st, METRICS_NOW_RECORD));
	if (!subset)
		metrics_set_inventory(m, inv);
	cycle_record(m, c);
	state_set_record(st, METRICS_NOW_RECORD, metrics_save(m));
	if (state_save(st, cfg->state_file, &err) < 0) {
		log_warnx("%s; rotd --now's metric totals start again from this pass next time", err);
		free(err);
		err = NULL;
	}
	state_free(st);
	path = metrics_now_path(cfg->metrics_file);
	text = metrics_render(m);
	if (metrics_write_file(path, text, &err) < 0) {
		log_warnx("%s", err);
		free(err);
	}
	free(text);
	free(path);
	metrics_free(m);
}

static int run_pass(struct options *o, const struct rotd_config *cfg)
{
	struct inventory inv = { NULL, 0 };
	struct cycle_request req;
	struct cycle c;
	struct docker *d;
	int code = EXIT_ROTD_OK;

	d = connect_engine(cfg, &code);
	if (d == NULL)
		return code;
	code = list_containers(d, cfg, o, &inv);
	if (code != EXIT_ROTD_OK) {
		docker_free(d);
		return code;
	}
	if (!all_named(&o->containers, &inv, "rotd --now --dry-run")) {
		inventory_free(&inv);
		docker_free(d);
		return EXIT_ROTD_CONFIG;
	}
	memset(&req, 0, sizeof(req));
	req.dry_run = o->dry_run;
	req.jobs = o->skip_jobs ? CYCLE_JOBS_NONE : o->respect_window ? CYCLE_JOBS_WINDOW : CYCLE_JOBS_ALWAYS;
	req.remedy = o->remediate ? CYCLE_REMEDY_MANUAL : CYCLE_REMEDY_NONE;
	req.socket = docker_socket(d);
	req.api_version = docker_api_version(d);
	progress_console_start();
	cycle_run(&c, cfg, &inv, &req, time(NULL));
	progress_console_stop();
	cycle_print(stdout, &c, o->json);
	write_metrics(cfg, &inv, &c, o->containers.n > 0);
	code = c.exit_code;
	cycle_free(&c);
	inventory_free(&inv);
	docker_free(d);
	return code;
}

/* rotd usage: measures and prints; read-only, so it takes no lock. Exits 1
 * when some figure could not be measured (the others still print). */
static int show_usage(const struct options *o, const struct rotd_config *cfg)
{
	struct inventory inv = { NULL, 0 };
	struct usage u;
	struct docker *d;
	int code = EXIT_ROTD_OK;

	d = connect_engine(cfg, &code);
	if (d == NULL)
		return code;
	code = list_containers(d, cfg, o, &inv);
	if (code == EXIT_ROTD_OK && !all_named(&o->containers, &inv, "rotd usage"))
		code = EXIT_ROTD_CONFIG;
	if (code == EXIT_ROTD_OK) {
		if (usage_collect(d, cfg, &inv, time(NULL), &u) > 0)
			code = EXIT_ROTD_PARTIAL;
		if (o->json)
			usage_report_print_json(stdout, &u);
		else
			usage_report_print_text(stdout, &u, &inv);
		usage_free(&u);
	}
	inventory_free(&inv);
	docker_free(d);
	return code;
}

/* Prints one record as rotd logs shows it; stops the search when stdout fails
 * (a closed pipe). */
static int print_hit(const struct logs_hit *hit, void *arg)
{
	const struct options *o = arg;

	if (o->json)
		logs_report_print_json(stdout, hit);
	else
		logs_report_print_text(stdout, hit);
	return ferror(stdout);
}

/* Reads --since or --until; exits 2 with the reason when text is not a time. */
static int cli_time(const char *opt, const char *text, int64_t now_us, const struct logtime_zone *local,
		    int64_t *t_us)
{
	char *err = NULL;

	if (logtime_parse_cli(text, now_us, local, t_us, &err) < 0) {
		char *shown = escape_utf8_text(text);

		log_errorx_bare("rotd logs: invalid %s '%s': %s", opt, shown, err);
		free(shown);
		free(err);
		return -1;
	}
	return 0;
}

/* rotd logs: searches and prints as it goes; read-only, so it takes no lock.
 * Exits 1 when some container or source could not be read (the rest still
 * prints). */
static int show_logs(const struct options *o, const struct rotd_config *cfg)
{
	struct inventory inv = { NULL, 0 };
	struct logs_query q;
	struct logtime_zone *local;
	struct timespec now;
	regex_t re;
	struct docker *d;
	int code = EXIT_ROTD_OK;

	for (size_t i = 0; i < o->roles.n; i++)
		if (config_role(cfg, o->roles.v[i]) == NULL) {
			char *shown = escape_utf8_text(o->roles.v[i]);

			log_errorx_bare("rotd logs: no role named '%s' in %s", shown, cfg->path);
			free(shown);
			return EXIT_ROTD_CONFIG;
		}
	clock_gettime(CLOCK_REALTIME, &now);
	memset(&q, 0, sizeof(q));
	q.now_us = (int64_t)now.tv_sec * 1000000 + now.tv_nsec / 1000;
	q.since_us = INT64_MIN;
	q.until_us = INT64_MAX;
	local = logtime_zone_local();
	if ((o->since != NULL && cli_time("--since", o->since, q.now_us, local, &q.since_us) < 0) ||
	    (o->until != NULL && cli_time("--until", o->until, q.now_us, local, &q.until_us) < 0)) {
		logtime_zone_free(local);
		return EXIT_ROTD_CONFIG;
	}
	logtime_zone_free(local);
	if (q.since_us >= q.until_us) {
		char *since = escape_utf8_text(o->since != NULL ? o->since : "-");
		char *until = escape_utf8_text(o->until != NULL ? o->until : "-");

		log_errorx_bare("rotd logs: --since '%s' is not before --until '%s': the window is empty", since,
				until);
		free(since);
		free(until);
		return EXIT_ROTD_CONFIG;
	}
	if (o->grep != NULL) {
		char *err = NULL;

		if (search_compile(&re, o->grep, o->icase, &err) < 0) {
			char *shown = escape_utf8_text(err);

			log_errorx_bare("rotd logs: %s", shown);
			free(shown);
			free(err);
			return EXIT_ROTD_CONFIG;
		}
		q.grep = &re;
	}
	q.roles = &o->roles;
	q.logs = &o->log_globs;
	q.named = &o->containers;
	d = connect_engine(cfg, &code);
	if (d != NULL) {
		code = list_containers(d, cfg, o, &inv);
		if (code == EXIT_ROTD_OK && !all_named(&o->containers, &inv, "docker ps -a"))
			code = EXIT_ROTD_CONFIG;
		if (code == EXIT_ROTD_OK) {
			struct stat st;

			/* Records show as they are found, in a terminal or a pipe (| less, | head). */
			if (fstat(STDOUT_FILENO, &st) < 0 || !S_ISREG(st.st_mode))
				setvbuf(stdout, NULL, _IOLBF, 0);
			if (search_inventory(&inv, &q, print_hit, (void *)o) > 0)
				code = EXIT_ROTD_PARTIAL;
			if (fflush(stdout) != 0 || ferror(stdout))
				code = EXIT_ROTD_PARTIAL;
		}
		inventory_free(&inv);
		docker_free(d);
	}
	if (q.grep != NULL)
		regfree(&re);
	return code;
}

int main(int argc, char **argv)
{
	struct options o;
	struct rotd_config *cfg;
	char *lock_err = NULL;
	int code, lock_fd;

	memset(&o, 0, sizeof(o));
	log_init();
	parse_options(argc, argv, &o);
	if (o.check_config) {
		code = check_config(o.config_path);
		strlist_free(&o.containers);
		return code;
	}
	if (o.status)
		return show_status(&o);
	cfg = load_config(o.config_path);
	if (cfg == NULL)
		return EXIT_ROTD_CONFIG;
	if (o.usage || o.logs) {
		docker_global_init();
		code = o.usage ? show_usage(&o, cfg) : show_logs(&o, cfg);
		docker_global_cleanup();
		config_free(cfg);
		strlist_free(&o.containers);
		strlist_free(&o.roles);
		strlist_free(&o.log_globs);
		return code;
	}
	if (!o.now) {
		docker_global_init();
		code = daemon_run(o.config_path, cfg);
		docker_global_cleanup();
		return code;
	}
	shutdown_set_grace((unsigned)cfg->stop_timeout);
	shutdown_install_handlers(-1);
	lock_fd = o.dry_run ? -3 : lock_take(cfg->lock_file, (unsigned long)cfg->lock_wait, &lock_err);
	if (lock_fd == -1 || lock_fd == -2) {
		if (lock_fd == -1)
			log_errorx("%s", lock_err);
		else if (shutdown_requested())
			log_errorx("stopped on request while waiting for %s", cfg->lock_file);
		else
			log_errorx("another rotd pass still holds %s after %lu s (lock-wait); try again later",
				   cfg->lock_file, (unsigned long)cfg->lock_wait);
		free(lock_err);
		config_free(cfg);
		strlist_free(&o.containers);
		return lock_fd == -1 ? EXIT_ROTD_CONFIG : EXIT_ROTD_BUSY;
	}
	docker_global_init();
	code = run_pass(&o, cfg);
	docker_global_cleanup();
	if (lock_fd >= 0)
		close(lock_fd);
	config_free(cfg);
	strlist_free(&o.containers);
	return code;
}
