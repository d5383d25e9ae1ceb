/* docker: the Docker Engine API over its unix socket (libcurl + jansson).
 *
 * One struct docker per thread: it owns one reused curl easy handle, so the
 * connection stays open across calls. Every request has a connect timeout, a
 * total timeout (except streams) and a response size cap. On failure a call
 * returns a negative enum docker_status and docker_error() gives one line that
 * carries what the engine said, e.g. "engine said: No such container: abc". */
#ifndef ROTD_DOCKER_H
#define ROTD_DOCKER_H

#include <jansson.h>
#include <stddef.h>

#include "engine/demux.h"

/* API versions rotd speaks: it uses min(engine's Api-Version, max), and refuses
 * engines older than min. */
#define DOCKER_API_MIN "1.25"
#define DOCKER_API_MAX "1.47"
#define DOCKER_DEFAULT_SOCKET "/var/run/docker.sock"

enum docker_status {
	DOCKER_OK = 0,
	DOCKER_EUNREACHABLE = -1,  /* socket missing, refused, or connection lost */
	DOCKER_ENOTFOUND = -2,     /* HTTP 404 from the engine */
	DOCKER_EENGINE = -3,       /* any other HTTP error from the engine */
	DOCKER_ETIMEOUT = -4,      /* the request took longer than allowed */
	DOCKER_ETOOBIG = -5,       /* the response exceeded its size cap */
	DOCKER_EPROTO = -6,        /* malformed response, or unsupported API version */
	DOCKER_ESTOPPED = -7,      /* a callback, the cancel hook or a shutdown stopped it */
};

struct docker;

/* Initialises libcurl; call once at start, before any thread exists. */
void docker_global_init(void);
/* Releases libcurl's global state; call once at exit, after every client is freed. */
void docker_global_cleanup(void);

/* Compares API versions "MAJOR.MINOR" numerically (1.9 < 1.25): <0, 0 or >0; a string that
 * is not such a version sorts before every valid one. */
int docker_api_compare(const char *a, const char *b);

/* Picks the version to speak to an engine whose Api-Version is engine (NULL: absent, taken
 * as DOCKER_API_MIN): min(engine, DOCKER_API_MAX), written to out[outsz]. Returns 0, or -1
 * when engine is unreadable or older than DOCKER_API_MIN. */
int docker_api_negotiate(const char *engine, char *out, size_t outsz);

struct docker_options {
	unsigned connect_timeout_ms;   /* 0: 5000 */
	unsigned timeout_ms;           /* per request; 0: 30000 */
	size_t max_response;           /* bytes; 0: 64 MiB */
};

/* Chooses the engine socket: DOCKER_HOST=unix://PATH first, then config_socket,
 * then DOCKER_DEFAULT_SOCKET. Returns a new string, or NULL with *why set to a
 * new message when DOCKER_HOST is set to something other than unix://. */
char *docker_choose_socket(const char *config_socket, char **why);

/* Creates a client for the socket; no I/O yet. opt may be NULL. Never NULL. */
struct docker *docker_new(const char *socket_path, const struct docker_options *opt);

/* Frees d; NULL is allowed. */
void docker_free(struct docker *d);

/* Asked about once a second during every transfer of d; non-zero stops the
 * transfer with DOCKER_ESTOPPED. Independently of it, every transfer stops once
 * a shutdown (shutdown.h) has passed its grace, and a stream (events) as soon
 * as a shutdown is requested; other transfers tick the heartbeat. */
typedef int (*docker_cancel_fn)(void *arg);

/* Sets d's cancel hook (NULL: none). */
void docker_set_cancel(struct docker *d, docker_cancel_fn cancel, void *arg);

/* GET /_ping and negotiates the API version. Returns DOCKER_OK or an error. */
int docker_ping(struct docker *d);

/* The negotiated API version ("1.41"); DOCKER_API_MIN before docker_ping. */
const char *docker_api_version(const struct docker *d);

/* The socket path d talks to. */
const char *docker_socket(const struct docker *d);

/* One line describing the last failure; "" when the last call succeeded. */
const char *docker_error(const struct docker *d);

/* Filters for list and events, encoded as the engine's JSON map of arrays. */
struct docker_filters;
/* Returns an empty filter set. Never NULL. */
struct docker_filters *docker_filters_new(void);
/* Adds value to the list for key (e.g. "label", "com.docker.compose.project=biz"); a repeat
 * adds nothing; bytes that are not UTF-8 become '?'. */
void docker_filters_add(struct docker_filters *f, const char *key, const char *value);
/* Returns the JSON text, keys sorted: {"label":["a=b"],"status":["running"]}; new string. */
char *docker_filters_json(const struct docker_filters *f);
/* Returns the JSON text percent-encoded for a query string; new string. */
char *docker_filters_query(const struct docker_filters *f);
/* Frees f; NULL is allowed. */
void docker_filters_free(struct docker_filters *f);
/* The value for a "name" filter that matches exactly the container named name, on
 * Docker (which matches "/NAME") and Podman (which matches "NAME"): ^/?NAME$ with
 * every regex metacharacter of name escaped. New string. */
char *docker_exact_name_regex(const char *name);
/* Adds to f the "name" filter that matches exactly the container named name
 * (docker_exact_name_regex). */
void docker_filters_add_exact_name(struct docker_filters *f, const char *name);

/* GET /containers/json?all=ALL&filters=F. On DOCKER_OK *out is a new JSON array. */
int docker_list_containers(struct docker *d, int all, const struct docker_filters *f, json_t **out);

/* The same with size=1: each entry also carries SizeRw (and SizeRootFs) when the
 * engine can tell; slower, as the engine measures every writable layer. */
int docker_list_containers_sized(struct docker *d, int all, const struct docker_filters *f, json_t **out);

/* GET /containers/{id}/json. On DOCKER_OK *out is a new JSON object. */
int docker_inspect_container(struct docker *d, const char *id, json_t **out);

/* Receives one decoded event object (borrowed). Returns 0 to go on, non-zero to stop. */
typedef int (*docker_event_cb)(json_t *event, void *arg);

/* GET /events?since=&until=&filters= and calls cb for each event, line by line,
 * until the engine closes the stream (with until set), cb returns non-zero
 * (DOCKER_ESTOPPED), or the connection fails. since/until are Unix-time strings
 * or NULL. No total timeout applies. */
int docker_events(struct docker *d, const char *since, const char *until,
		  const struct docker_filters *f, docker_event_cb cb, void *arg);

struct docker_exec_result {
	int exit_code;         /* from exec inspect; -1 if unknown */
};

/* Runs argv (NULL-terminated) in container id: exec create, exec start with
 * Detach:false and Tty:false on a non-upgraded raw stream, demultiplexed into cb,
 * then exec inspect for the exit code. timeout_ms bounds the whole run (0: the
 * client's timeout); on DOCKER_ETIMEOUT the process may still be running in the
 * container, because the engine cannot kill an exec. */
int docker_exec(struct docker *d, const char *id, const char *const argv[], unsigned timeout_ms,
		demux_cb cb, void *arg, struct docker_exec_result *res);

/* Lines of an exec's output longer than this are delivered cut. */
#define DOCKER_EXEC_LINE_MAX 4096

/* Receives one line of an exec's output from stream "stdout" or "stderr", without its
 * newline, NUL-terminated at line[len]; truncated is 1 when it was cut at
 * DOCKER_EXEC_LINE_MAX bytes. Returns 0 to go on, non-zero to stop the exec's stream. */
typedef int (*docker_line_cb)(const char *stream, const char *line, size_t len, int truncated, void *arg);

/* What docker_exec_lines did. */
struct docker_exec_outcome {
	int started;           /* the engine answered the ping, so the exec was asked for */
	int exit_code;         /* from exec inspect; -1 if unknown */
	char *error;           /* one line when it failed, else NULL; the caller frees it */
};

/* Runs argv in container id on the engine at socket_path with a client of its own (so
 * threads never share one): ping, then docker_exec with timeout_ms, its stdout and
 * stderr split into lines for cb (a last unterminated line included). Like every
 * client it gives up once a shutdown has passed its grace (DOCKER_ESTOPPED; see
 * docker_cancel_fn). Returns DOCKER_OK or the failure, and fills *out either way. */
int docker_exec_lines(const char *socket_path, const char *id, const char *const argv[], unsigned timeout_ms,
		      docker_line_cb cb, void *arg, struct docker_exec_outcome *out);

#endif
