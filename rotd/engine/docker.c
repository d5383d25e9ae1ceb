#include "autoconf.h"

#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "lib/buffer.h"
#include "engine/docker.h"
#include "lib/heartbeat.h"
#include "lib/lines.h"
#include "lib/log.h"
#include "lib/shutdown.h"
#include "lib/xalloc.h"

#define DEFAULT_CONNECT_TIMEOUT_MS 5000u
#define DEFAULT_TIMEOUT_MS 30000u
#define DEFAULT_MAX_RESPONSE ((size_t)64 << 20)
#define EVENT_LINE_MAX ((size_t)1 << 20)
#define EXEC_POLL_MS 20
#define VERSION_PART_MAX 100000ul

struct docker {
	CURL *curl;
	char *socket;
	char api[24];
	unsigned connect_timeout_ms;
	unsigned timeout_ms;
	size_t max_response;
	char curl_error[CURL_ERROR_SIZE];
	char error[1024];
	docker_cancel_fn cancel;   /* asked about once a second during transfers, or NULL */
	void *cancel_arg;
};

struct docker_filters {
	json_t *map;   /* key -> array of strings */
};

/* A body sink for 2xx answers: returns 0 to go on, or a docker_status to abort with
 * (after setting the error, except for DOCKER_ETOOBIG). */
typedef int (*xfer_sink)(const char *data, size_t len, void *arg);

/* One HTTP exchange: what was asked and what came back. */
struct xfer {
	const char *method;
	const char *path;         /* as logged: without the version prefix */
	int versioned;            /* prefix the URL path with /v<api> */
	const char *body;         /* JSON request body, or NULL */
	unsigned timeout_ms;      /* 0: no total timeout */
	int forbid_reuse;         /* close the connection afterwards */
	xfer_sink sink;           /* receives a 2xx body instead of the buffer; may be NULL */
	void *sink_arg;
	long status;              /* from the status line */
	char api_version[24];     /* the Api-Version header, or "" */
	char *buf;                /* the buffered body (always for non-2xx) */
	size_t len;
	size_t cap;
	size_t max;
	int abort_status;         /* why a callback stopped the transfer */
	int stream;               /* open-ended (events): no heartbeat, stops at a shutdown request */
	const struct docker *d;
};

void docker_global_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

void docker_global_cleanup(void)
{
	curl_global_cleanup();
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Records a one-line failure description for docker_error(). */
static void __attribute__((format(printf, 2, 3))) set_error(struct docker *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->error, sizeof(d->error), fmt, ap);
	va_end(ap);
	for (char *p = d->error; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
}

/* ---- versions ---------------------------------------------------------- */

/* Parses "MAJOR.MINOR"; returns 0, or -1 when s is not such a version. */
static int parse_version(const char *s, unsigned long *major, unsigned long *minor)
{
	unsigned long part[2] = { 0, 0 };
	int i = 0;

	if (s == NULL)
		return -1;
	for (;;) {
		if (*s < '0' || *s > '9')
			return -1;
		while (*s >= '0' && *s <= '9') {
			part[i] = part[i] * 10 + (unsigned long)(*s - '0');
			if (part[i] >= VERSION_PART_MAX)
				return -1;
			s++;
		}
		if (i == 1)
			break;
		if (*s++ != '.')
			return -1;
		i++;
	}
	if (*s != '\0')
		return -1;
	*major = part[0];
	*minor = part[1];
	return 0;
}

int docker_api_compare(const char *a, const char *b)
{
	unsigned long amaj, amin, bmaj, bmin;
	int va = parse_version(a, &amaj, &amin) == 0;
	int vb = parse_version(b, &bmaj, &bmin) == 0;

	if (!va || !vb)
		return va - vb;
	if (amaj != bmaj)
		return amaj < bmaj ? -1 : 1;
	if (amin != bmin)
		return amin < bmin ? -1 : 1;
	return 0;
}

int docker_api_negotiate(const char *engine, char *out, size_t outsz)
{
	unsigned long major, minor;
	const char *use = engine != NULL ? engine : DOCKER_API_MIN;

	if (parse_version(use, &major, &minor) != 0 || docker_api_compare(use, DOCKER_API_MIN) < 0)
		return -1;
	if (docker_api_compare(use, DOCKER_API_MAX) > 0)
		use = DOCKER_API_MAX;
	if (parse_version(use, &major, &minor) != 0)
		return -1;
	if ((size_t)snprintf(out, outsz, "%lu.%lu", major, minor) >= outsz)
		return -1;
	return 0;
}

/* ---- socket choice ----------------------------------------------------- */

char *docker_choose_socket(const char *config_socket, char **why)
{
	const char *host = getenv("DOCKER_HOST");

	if (why != NULL)
		*why = NULL;
	if (host != NULL && *host != '\0') {
		if (strncmp(host, "unix://", 7) == 0 && host[7] != '\0')
			return xstrdup(host + 7);
		if (why != NULL)
			*why = xasprintf("DOCKER_HOST=%s is not a unix:///path socket; rotd needs the engine's "
					 "local unix socket because it reads container files through /proc on "
					 "the same host", host);
		return NULL;
	}
	if (config_socket != NULL && *config_socket != '\0')
		return xstrdup(config_socket);
	return xstrdup(DOCKER_DEFAULT_SOCKET);
}

/* ---- encoding ---------------------------------------------------------- */

/* Returns s percent-encoded (all but RFC 3986 unreserved bytes); new string. */
static char *percent_encode(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = xreallocarray(NULL, strlen(s) + 1, 3);
	char *o = out;

	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '-' || *p == '.' || *p == '_' || *p == '~') {
			*o++ = (char)*p;
		} else {
			*o++ = '%';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 15];
		}
	}
	*o = '\0';
	return out;
}

/* Appends "key=value" to the query string *q (NULL when empty), value percent-encoded. */
static void query_add(char **q, const char *key, const char *value)
{
	char *enc = percent_encode(value);
	char *next = xasprintf("%s%c%s=%s", *q != NULL ? *q : "", *q != NULL ? '&' : '?', key, enc);

	free(enc);
	free(*q);
	*q = next;
}

/* Returns a copy of s with every byte outside ASCII replaced by '?'; new string. */
static char *ascii_only(const char *s)
{
	char *copy = xstrdup(s);

	for (char *p = copy; *p != '\0'; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	return copy;
}

/* Returns a new JSON string for s; if s is not valid UTF-8, its non-ASCII bytes become '?'. */
static json_t *json_text(const char *s)
{
	json_t *j = json_string(s);

	if (j == NULL) {
		char *copy = ascii_only(s);

		j = json_string(copy);
		free(copy);
		if (j == NULL)
			abort();
	}
	return j;
}

/* Serialises j compactly with sorted keys; new string. */
static char *json_text_dump(const json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	char *copy;

	if (s == NULL)
		abort();
	copy = xstrdup(s);
	free(s);
	return copy;
}

/* ---- filters ----------------------------------------------------------- */

struct docker_filters *docker_filters_new(void)
{
	struct docker_filters *f = xcalloc(1, sizeof(*f));

	f->map = json_object();
	if (f->map == NULL)
		abort();
	return f;
}

void docker_filters_add(struct docker_filters *f, const char *key, const char *value)
{
	json_t *k = json_text(key);
	const char *kk = json_string_value(k);
	json_t *list = json_object_get(f->map, kk);
	json_t *v = json_text(value);
	size_t i;
	json_t *old;

	if (list == NULL) {
		list = json_array();
		if (list == NULL || json_object_set_new(f->map, kk, list) != 0)
			abort();
	}
	json_array_foreach(list, i, old) {
		if (json_equal(old, v)) {
			json_decref(v);
			json_decref(k);
			return;
		}
	}
	if (json_array_append_new(list, v) != 0)
		abort();
	json_decref(k);
}

char *docker_filters_json(const struct docker_filters *f)
{
	return json_text_dump(f->map);
}

char *docker_filters_query(const struct docker_filters *f)
{
	char *json = docker_filters_json(f);
	char *enc = percent_encode(json);

	free(json);
	return enc;
}

void docker_filters_free(struct docker_filters *f)
{
	if (f == NULL)
		return;
	json_decref(f->map);
	free(f);
}

char *docker_exact_name_regex(const char *name)
{
	char *out = xreallocarray(NULL, strlen(name) + 3, 2);
	size_t o = 0;

	out[o++] = '^';
	out[o++] = '/';
	out[o++] = '?';
	for (const char *p = name; *p != '\0'; p++) {
		if (strchr(".[]()*+?{}|^$\\", *p) != NULL)
			out[o++] = '\\';
		out[o++] = *p;
	}
	out[o++] = '$';
	out[o] = '\0';
	return out;
}

void docker_filters_add_exact_name(struct docker_filters *f, const char *name)
{
	char *re = docker_exact_name_regex(name);

	docker_filters_add(f, "name", re);
	free(re);
}

/* ---- client ------------------------------------------------------------ */

struct docker *docker_new(const char *socket_path, const struct docker_options *opt)
{
	struct docker *d = xcalloc(1, sizeof(*d));

	d->curl = curl_easy_init();
	if (d->curl == NULL) {
		log_errorx("cannot create a libcurl handle");
		abort();
	}
	d->socket = xstrdup(socket_path);
	snprintf(d->api, sizeof(d->api), "%s", DOCKER_API_MIN);
	d->connect_timeout_ms = DEFAULT_CONNECT_TIMEOUT_MS;
	d->timeout_ms = DEFAULT_TIMEOUT_MS;
	d->max_response = DEFAULT_MAX_RESPONSE;
	if (opt != NULL) {
		if (opt->connect_timeout_ms > 0)
			d->connect_timeout_ms = opt->connect_timeout_ms;
		if (opt->timeout_ms > 0)
			d->timeout_ms = opt->timeout_ms;
		if (opt->max_response > 0)
			d->max_response = opt->max_response;
	}
	return d;
}

void docker_set_cancel(struct docker *d, docker_cancel_fn cancel, void *arg)
{
	d->cancel = cancel;
	d->cancel_arg = arg;
}

void docker_free(struct docker *d)
{
	if (d == NULL)
		return;
	curl_easy_cleanup(d->curl);
	free(d->socket);
	free(d);
}

const char *docker_api_version(const struct docker *d)
{
	return d->api;
}

const char *docker_socket(const struct docker *d)
{
	return d->socket;
}

const char *docker_error(const struct docker *d)
{
	return d->error;
}

/* ---- one HTTP exchange ------------------------------------------------- */

/* Prepares a request with the client's defaults. */
static void xfer_init(struct xfer *x, const struct docker *d, const char *method, const char *path)
{
	memset(x, 0, sizeof(*x));
	x->method = method;
	x->path = path;
	x->versioned = 1;
	x->timeout_ms = d->timeout_ms;
	x->max = d->max_response;
	x->d = d;
}

static void xfer_free(struct xfer *x)
{
	free(x->buf);
	x->buf = NULL;
}

static int is_success(long status)
{
	return status >= 200 && status < 300;
}

static size_t write_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	struct xfer *x = arg;
	size_t n = size * nmemb;

	if (x->sink != NULL && is_success(x->status)) {
		x->abort_status = x->sink(data, n, x->sink_arg);
		return x->abort_status == 0 ? n : 0;
	}
	if (buffer_append(&x->buf, &x->len, &x->cap, data, n, x->max) < 0) {
		x->abort_status = DOCKER_ETOOBIG;
		return 0;
	}
	return n;
}

/* Copies value (up to end, blanks trimmed) into out[outsz]. */
static void copy_trimmed(const char *value, const char *end, char *out, size_t outsz)
{
	size_t n;

	while (value < end && (*value == ' ' || *value == '\t'))
		value++;
	while (end > value && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n'))
		end--;
	n = (size_t)(end - value);
	if (n >= outsz)
		n = outsz - 1;
	memcpy(out, value, n);
	out[n] = '\0';
}

static size_t header_cb(char *data, size_t size, size_t nitems, void *arg)
{
	static const char api[] = "Api-Version:";
	struct xfer *x = arg;
	size_t n = size * nitems;

	if (n > 5 && strncmp(data, "HTTP/", 5) == 0) {
		char line[64];

		copy_trimmed(data, data + n, line, sizeof(line));
		x->status = 0;
		x->api_version[0] = '\0';
		if (strchr(line, ' ') != NULL)
			x->status = strtol(strchr(line, ' ') + 1, NULL, 10);
	} else if (n > sizeof(api) - 1 && strncasecmp(data, api, sizeof(api) - 1) == 0) {
		copy_trimmed(data + sizeof(api) - 1, data + n, x->api_version, sizeof(x->api_version));
	}
	return n;
}

/* Marks x as stopped on purpose; returns what makes libcurl abort. */
static int stopped(struct xfer *x)
{
	x->abort_status = DOCKER_ESTOPPED;
	return 1;
}

/* libcurl calls this about once a second during a transfer, even an idle one.
 * Work in progress shows it is alive (heartbeat); a stop ends streams at once
 * and other requests once the shutdown grace has passed. */
static int progress_cb(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	struct xfer *x = arg;

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	if (x->d->cancel != NULL && x->d->cancel(x->d->cancel_arg))
		return stopped(x);
	if (x->stream)
		return shutdown_requested() ? stopped(x) : 0;
	if (shutdown_abandon())
		return stopped(x);
	heartbeat_tick();
	return 0;
}

/* Sets the options for x on the client's handle; returns the header list to free. */
static struct curl_slist *setup_handle(struct docker *d, struct xfer *x, const char *url)
{
	CURL *c = d->curl;
	struct curl_slist *headers = NULL;

	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, d->socket);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, d->curl_error);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)d->connect_timeout_ms);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)x->timeout_ms);
	curl_easy_setopt(c, CURLOPT_FORBID_REUSE, x->forbid_reuse ? 1L : 0L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, PACKAGE_NAME "/" PACKAGE_VERSION);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress_cb);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, x);
	if (x->body != NULL) {
		headers = curl_slist_append(headers, "Content-Type: application/json");
		headers = curl_slist_append(headers, "Expect:");
		if (headers == NULL)
			abort();
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, x->body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(x->body));
	} else {
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	}
	return headers;
}

/* Turns a failed libcurl transfer into a docker_status and an error line. */
static int transfer_failed(struct docker *d, const struct xfer *x, CURLcode rc)
{
	const char *detail = d->curl_error[0] != '\0' ? d->curl_error : curl_easy_strerror(rc);
	long os_errno = 0;

	curl_easy_getinfo(d->curl, CURLINFO_OS_ERRNO, &os_errno);
	switch (rc) {
	case CURLE_ABORTED_BY_CALLBACK:
		if (x->abort_status == DOCKER_ESTOPPED) {
			set_error(d, "%s %s to the Docker engine at %s stopped: rotd is stopping", x->method,
				  x->path, d->socket);
			return DOCKER_ESTOPPED;
		}
		break;
	case CURLE_WRITE_ERROR:
		if (x->abort_status == DOCKER_ETOOBIG) {
			set_error(d, "the engine's answer to %s %s exceeded %zu bytes", x->method, x->path, x->max);
			return DOCKER_ETOOBIG;
		}
		if (x->abort_status != 0)
			return x->abort_status;
		break;
	case CURLE_COULDNT_CONNECT:
		set_error(d, "cannot reach the Docker engine at %s: %s", d->socket,
			  os_errno != 0 ? strerror((int)os_errno) : detail);
		return DOCKER_EUNREACHABLE;
	case CURLE_OPERATION_TIMEDOUT:
		set_error(d, "%s %s to the Docker engine at %s timed out after %u ms", x->method, x->path,
			  d->socket, x->timeout_ms);
		return DOCKER_ETIMEOUT;
	case CURLE_GOT_NOTHING:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_PARTIAL_FILE:
		set_error(d, "lost the connection to the Docker engine at %s during %s %s: %s", d->socket,
			  x->method, x->path, os_errno != 0 ? strerror((int)os_errno) : detail);
		return DOCKER_EUNREACHABLE;
	default:
		break;
	}
	set_error(d, "%s %s to the Docker engine at %s failed: %s", x->method, x->path, d->socket, detail);
	return DOCKER_EPROTO;
}

/* Turns a non-2xx answer into a docker_status, carrying the engine's message. */
static int http_failed(struct docker *d, const struct xfer *x)
{
	json_t *j = x->buf != NULL ? json_loadb(x->buf, x->len, 0, NULL) : NULL;
	const char *msg = json_string_value(json_object_get(j, "message"));

	if (msg != NULL && *msg != '\0')
		set_error(d, "engine said: %s", msg);
	else
		set_error(d, "the engine answered %s %s with HTTP status %ld", x->method, x->path, x->status);
	json_decref(j);
	return x->status == 404 ? DOCKER_ENOTFOUND : DOCKER_EENGINE;
}

/* Runs x on the client's handle. Returns DOCKER_OK for a 2xx answer, else an error. */
static int perform(struct docker *d, struct xfer *x)
{
	char *url = xasprintf("http://localhost%s%s%s", x->versioned ? "/v" : "", x->versioned ? d->api : "",
			      x->path);
	struct curl_slist *headers = setup_handle(d, x, url);
	long long start = now_ms();
	CURLcode rc;
	long status = 0;

	d->curl_error[0] = '\0';
	rc = curl_easy_perform(d->curl);
	curl_easy_getinfo(d->curl, CURLINFO_RESPONSE_CODE, &status);
	if (status != 0)
		x->status = status;
	log_debug("docker: %s %s -> %ld%s%s in %lld ms", x->method, x->path, x->status,
		  rc != CURLE_OK ? ", " : "", rc != CURLE_OK ? curl_easy_strerror(rc) : "", now_ms() - start);
	curl_slist_free_all(headers);
	free(url);
	if (rc != CURLE_OK)
		return transfer_failed(d, x, rc);
	if (!is_success(x->status))
		return http_failed(d, x);
	return DOCKER_OK;
}

/* Parses x's buffered answer as JSON of the given type into *out (new reference). */
static int parse_answer(struct docker *d, const struct xfer *x, json_type type, json_t **out)
{
	json_error_t err;
	json_t *j = json_loadb(x->buf != NULL ? x->buf : "", x->len, 0, &err);

	if (j == NULL) {
		set_error(d, "malformed JSON from the engine for %s %s: %s", x->method, x->path, err.text);
		return DOCKER_EPROTO;
	}
	if (json_typeof(j) != type) {
		set_error(d, "unexpected JSON from the engine for %s %s", x->method, x->path);
		json_decref(j);
		return DOCKER_EPROTO;
	}
	*out = j;
	return DOCKER_OK;
}

/* Runs a buffered request whose answer is JSON of the given type; *out is a new reference. */
static int request_json(struct docker *d, const char *method, const char *path, const char *body,
			unsigned timeout_ms, json_type type, json_t **out)
{
	struct xfer x;
	int rc;

	xfer_init(&x, d, method, path);
	x.body = body;
	x.timeout_ms = timeout_ms;
	rc = perform(d, &x);
	if (rc == DOCKER_OK)
		rc = parse_answer(d, &x, type, out);
	xfer_free(&x);
	return rc;
}

/* ---- calls ------------------------------------------------------------- */

int docker_ping(struct docker *d)
{
	struct xfer x;
	int rc;

	d->error[0] = '\0';
	xfer_init(&x, d, "GET", "/_ping");
	x.versioned = 0;
	rc = perform(d, &x);
	if (rc == DOCKER_OK) {
		const char *engine = x.api_version[0] != '\0' ? x.api_version : NULL;
		char api[sizeof(d->api)];

		if (docker_api_negotiate(engine, api, sizeof(api)) == 0) {
			memcpy(d->api, api, sizeof(api));
		} else if (engine != NULL && docker_api_compare(engine, "0.0") >= 0) {
			set_error(d, "the Docker engine at %s speaks API %s, older than %s, the oldest rotd supports",
				  d->socket, engine, DOCKER_API_MIN);
			rc = DOCKER_EPROTO;
		} else {
			set_error(d, "the Docker engine at %s sent an unreadable Api-Version header: %s", d->socket,
				  engine != NULL ? engine : "");
			rc = DOCKER_EPROTO;
		}
	}
	xfer_free(&x);
	return rc;
}

static int list_containers(struct docker *d, int all, int sized, const struct docker_filters *f, json_t **out)
{
	char *query = NULL;
	char *path;
	int rc;

	d->error[0] = '\0';
	query_add(&query, "all", all ? "1" : "0");
	if (sized)
		query_add(&query, "size", "1");
	if (f != NULL && json_object_size(f->map) > 0) {
		char *json = docker_filters_json(f);

		query_add(&query, "filters", json);
		free(json);
	}
	path = xasprintf("/containers/json%s", query);
	rc = request_json(d, "GET", path, NULL, d->timeout_ms, JSON_ARRAY, out);
	free(path);
	free(query);
	return rc;
}

int docker_list_containers(struct docker *d, int all, const struct docker_filters *f, json_t **out)
{
	return list_containers(d, all, 0, f, out);
}

int docker_list_containers_sized(struct docker *d, int all, const struct docker_filters *f, json_t **out)
{
	return list_containers(d, all, 1, f, out);
}

int docker_inspect_container(struct docker *d, const char *id, json_t **out)
{
	char *enc = percent_encode(id);
	char *path = xasprintf("/containers/%s/json", enc);
	int rc;

	d->error[0] = '\0';
	rc = request_json(d, "GET", path, NULL, d->timeout_ms, JSON_OBJECT, out);
	free(path);
	free(enc);
	return rc;
}

/* ---- events ------------------------------------------------------------ */

struct event_stream {
	struct docker *d;
	struct lines lines;
	docker_event_cb cb;
	void *arg;
};

/* Decodes one line of the events stream and passes it on; skips malformed lines. */
static int event_line(const char *line, size_t len, int truncated, void *arg)
{
	struct event_stream *s = arg;
	json_error_t err;
	json_t *ev;
	int rc;

	if (truncated) {
		log_warnx("skipping an event longer than %zu bytes from the Docker engine at %s",
			  s->lines.max_line, s->d->socket);
		return 0;
	}
	if (len == 0)
		return 0;
	ev = json_loadb(line, len, 0, &err);
	if (!json_is_object(ev)) {
		log_warnx("skipping a malformed event from the Docker engine at %s: %s", s->d->socket,
			  ev == NULL ? err.text : "not a JSON object");
		json_decref(ev);
		return 0;
	}
	rc = s->cb(ev, s->arg);
	json_decref(ev);
	if (rc == 0)
		return 0;
	set_error(s->d, "the event callback stopped the events stream");
	return DOCKER_ESTOPPED;
}

static int events_sink(const char *data, size_t len, void *arg)
{
	struct event_stream *s = arg;

	return lines_feed(&s->lines, data, len, event_line, s);
}

int docker_events(struct docker *d, const char *since, const char *until,
		  const struct docker_filters *f, docker_event_cb cb, void *arg)
{
	struct event_stream s = { .d = d, .cb = cb, .arg = arg };
	char *query = NULL;
	char *path;
	struct xfer x;
	int rc;

	d->error[0] = '\0';
	if (since != NULL)
		query_add(&query, "since", since);
	if (until != NULL)
		query_add(&query, "until", until);
	if (f != NULL && json_object_size(f->map) > 0) {
		char *json = docker_filters_json(f);

		query_add(&query, "filters", json);
		free(json);
	}
	path = xasprintf("/events%s", query != NULL ? query : "");
	lines_init(&s.lines, EVENT_LINE_MAX);
	xfer_init(&x, d, "GET", path);
	x.timeout_ms = 0;
	x.stream = 1;
	x.sink = events_sink;
	x.sink_arg = &s;
	rc = perform(d, &x);
	if (rc == DOCKER_OK)
		rc = lines_flush(&s.lines, event_line, &s);
	xfer_free(&x);
	lines_free(&s.lines);
	free(path);
	free(query);
	return rc;
}

/* ---- exec -------------------------------------------------------------- */

/* Milliseconds left until deadline, at least 1; 0 when it has passed. */
static unsigned ms_left(long long deadline)
{
	long long left = deadline - now_ms();

	return left > 0 ? (unsigned)left : 0;
}

/* POST /containers/{id}/exec; on DOCKER_OK *exec_id is a new string. */
static int exec_create(struct docker *d, const char *id, const char *const argv[], long long deadline,
		       char **exec_id)
{
	json_t *req = json_pack("{s:b, s:b, s:b, s:[]}", "AttachStdout", 1, "AttachStderr", 1, "Tty", 0, "Cmd");
	json_t *cmd = json_object_get(req, "Cmd");
	char *enc = percent_encode(id);
	char *path = xasprintf("/containers/%s/exec", enc);
	json_t *answer = NULL;
	char *body;
	int rc;

	if (cmd == NULL)
		abort();
	for (size_t i = 0; argv[i] != NULL; i++)
		if (json_array_append_new(cmd, json_text(argv[i])) != 0)
			abort();
	body = json_text_dump(req);
	rc = ms_left(deadline) > 0 ? request_json(d, "POST", path, body, ms_left(deadline), JSON_OBJECT, &answer)
				   : DOCKER_ETIMEOUT;
	if (rc == DOCKER_OK) {
		const char *eid = json_string_value(json_object_get(answer, "Id"));

		if (eid != NULL && *eid != '\0') {
			*exec_id = xstrdup(eid);
		} else {
			set_error(d, "the engine's answer to POST %s has no exec Id", path);
			rc = DOCKER_EPROTO;
		}
	}
	json_decref(answer);
	json_decref(req);
	free(body);
	free(path);
	free(enc);
	return rc;
}

struct exec_stream {
	struct docker *d;
	struct demux demux;
	demux_cb cb;
	void *arg;
};

static int exec_sink(const char *data, size_t len, void *arg)
{
	struct exec_stream *s = arg;
	int rc = demux_feed(&s->demux, data, len, s->cb, s->arg);

	if (rc == 0)
		return 0;
	if (s->demux.failed) {
		set_error(s->d, "malformed frame header in the exec output from the Docker engine at %s",
			  s->d->socket);
		return DOCKER_EPROTO;
	}
	set_error(s->d, "the exec output callback stopped the stream");
	return DOCKER_ESTOPPED;
}

/* POST /exec/{id}/start and demultiplexes the raw stream into cb until the engine closes it.
 * The engine hijacks the connection, so it is never reused afterwards. */
static int exec_start(struct docker *d, const char *exec_id, long long deadline, demux_cb cb, void *arg)
{
	struct exec_stream s = { .d = d, .cb = cb, .arg = arg };
	char *enc = percent_encode(exec_id);
	char *path = xasprintf("/exec/%s/start", enc);
	struct xfer x;
	int rc;

	demux_init(&s.demux);
	xfer_init(&x, d, "POST", path);
	x.body = "{\"Detach\":false,\"Tty\":false}";
	x.timeout_ms = ms_left(deadline);
	x.forbid_reuse = 1;
	x.sink = exec_sink;
	x.sink_arg = &s;
	rc = x.timeout_ms > 0 ? perform(d, &x) : DOCKER_ETIMEOUT;
	if (rc == DOCKER_OK && !demux_at_boundary(&s.demux)) {
		set_error(d, "the exec output from the Docker engine at %s ended inside a frame", d->socket);
		rc = DOCKER_EPROTO;
	}
	xfer_free(&x);
	free(path);
	free(enc);
	return rc;
}

/* GET /exec/{id}/json until Running is false; stores ExitCode in *exit_code. */
static int exec_wait(struct docker *d, const char *exec_id, long long deadline, int *exit_code)
{
	char *enc = percent_encode(exec_id);
	char *path = xasprintf("/exec/%s/json", enc);
	int rc;

	for (;;) {
		json_t *info = NULL;
		int running;
		json_t *code;

		if (ms_left(deadline) == 0) {
			rc = DOCKER_ETIMEOUT;
			break;
		}
		rc = request_json(d, "GET", path, NULL, ms_left(deadline), JSON_OBJECT, &info);
		if (rc != DOCKER_OK)
			break;
		running = json_is_true(json_object_get(info, "Running"));
		code = json_object_get(info, "ExitCode");
		if (!running && json_is_integer(code))
			*exit_code = (int)json_integer_value(code);
		json_decref(info);
		if (!running)
			break;
		sleep_ms(EXEC_POLL_MS);
	}
	free(path);
	free(enc);
	return rc;
}

int docker_exec(struct docker *d, const char *id, const char *const argv[], unsigned timeout_ms,
		demux_cb cb, void *arg, struct docker_exec_result *res)
{
	unsigned limit = timeout_ms > 0 ? timeout_ms : d->timeout_ms;
	long long deadline = now_ms() + limit;
	char *exec_id = NULL;
	int exit_code = -1;
	int rc;

	d->error[0] = '\0';
	rc = exec_create(d, id, argv, deadline, &exec_id);
	if (rc == DOCKER_OK)
		rc = exec_start(d, exec_id, deadline, cb, arg);
	if (rc == DOCKER_OK)
		rc = exec_wait(d, exec_id, deadline, &exit_code);
	if (rc == DOCKER_ETIMEOUT)
		set_error(d, "exec of %s in container %s timed out after %u ms; the process may still be "
			  "running in the container", argv[0] != NULL ? argv[0] : "(nothing)", id, limit);
	if (res != NULL)
		res->exit_code = exit_code;
	free(exec_id);
	return rc;
}
