#include "autoconf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "lib/httpd.h"
#include "lib/log.h"
#include "lib/units.h"
#include "lib/xalloc.h"

#define HTTPD_TIMEOUT_S 10
#define HTTPD_MAX_CONNECTIONS 16
/* A too-large body is read and dropped so the client sees the 413 (closing on
 * unread data would reset the connection); beyond this much, it is cut off. */
#define HTTPD_DRAIN_MAX (1024 * 1024)

struct httpd {
	struct MHD_Daemon *d;
	httpd_handler handler;
	void *arg;
	size_t max_body;
	unsigned port;
	/* While httpd_start runs MHD_start_daemon, its messages are kept here for *err. */
	atomic_int starting;
	pthread_t starter;
	char start_msg[256];
};

/* One request being received (MHD's per-request context). */
struct request {
	char *body;
	size_t len, cap;
	size_t dropped;
	int too_large;
};

static void __attribute__((format(printf, 2, 0))) on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct httpd *h = cls;
	char msg[256];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	if (atomic_load(&h->starting) && pthread_equal(pthread_self(), h->starter)) {
		if (h->start_msg[0] == '\0')
			snprintf(h->start_msg, sizeof(h->start_msg), "%s", msg);
		return;
	}
	/* Clients that misbehave or go away: nothing the operator can act on. */
	log_debug("httpd: %s", msg);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct request *r = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (r == NULL)
		return;
	free(r->body);
	free(r);
	*con_cls = NULL;
}

/* Queues a response; takes body (which MHD frees with free()). */
static enum MHD_Result respond(struct MHD_Connection *conn, unsigned status, const char *content_type, char *body,
			       const char *allow)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	if (body != NULL)
		resp = MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
	else
		resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	if (resp == NULL) {
		free(body);
		return MHD_NO;
	}
	if (MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
				    content_type ? content_type : "text/plain; charset=utf-8") == MHD_NO ||
	    (allow != NULL && MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow) == MHD_NO)) {
		MHD_destroy_response(resp);
		return MHD_NO;
	}
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result too_large(struct MHD_Connection *conn)
{
	return respond(conn, MHD_HTTP_CONTENT_TOO_LARGE, NULL, xstrdup("request body too large\n"), NULL);
}

/* The declared body length, when a valid Content-Length says it. */
static int content_length(struct MHD_Connection *conn, uint64_t *len)
{
	const char *v = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	char *end;

	if (v == NULL || *v < '0' || *v > '9')
		return 0;
	errno = 0;
	*len = strtoumax(v, &end, 10);
	return errno == 0 && *end == '\0';
}

static int expects_continue(struct MHD_Connection *conn)
{
	const char *v = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_EXPECT);

	return v != NULL && strcasecmp(v, "100-continue") == 0;
}

static void peer_of(struct MHD_Connection *conn, char *buf, size_t len)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	snprintf(buf, len, "?");
	if (sa == NULL)
		return;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, buf, (socklen_t)len);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, buf, (socklen_t)len);
}

/* Appends data to r's body, or drops it once the body is over max. */
static int take_upload(struct request *r, const char *data, size_t n, size_t max)
{
	if (!r->too_large && n > max - r->len) {
		r->too_large = 1;
		free(r->body);
		r->body = NULL;
		r->len = r->cap = 0;
	}
	if (r->too_large) {
		r->dropped += n;
		return r->dropped <= HTTPD_DRAIN_MAX;
	}
	if (r->len + n + 1 > r->cap) {
		size_t cap = r->cap ? r->cap : 1024;

		while (cap < r->len + n + 1)
			cap *= 2;
		if (cap > max + 1)
			cap = max + 1;
		r->body = xreallocarray(r->body, cap, 1);
		r->cap = cap;
	}
	memcpy(r->body + r->len, data, n);
	r->len += n;
	r->body[r->len] = '\0';
	return 1;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	struct httpd *h = cls;
	struct request *r = *con_cls;
	struct httpd_response res = { 0, NULL, NULL, NULL };
	struct httpd_request req;
	uint64_t declared;
	char peer[INET6_ADDRSTRLEN];

	(void)version;
	if (r == NULL) {
		/* First call: headers only. */
		r = xcalloc(1, sizeof(*r));
		*con_cls = r;
		if (content_length(conn, &declared) && declared > h->max_body) {
			/* A client waiting for "100 Continue" has sent nothing yet:
			 * answer now, and MHD will not read the body. */
			if (expects_continue(conn) || declared - h->max_body > HTTPD_DRAIN_MAX)
				return too_large(conn);
			r->too_large = 1;
		}
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		/* MHD may call again with the same data unless it is marked consumed. */
		if (!take_upload(r, upload_data, *upload_data_size, h->max_body))
			return MHD_NO;
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (r->too_large)
		return too_large(conn);

	peer_of(conn, peer, sizeof(peer));
	req.method = method;
	req.path = url;
	req.authorization = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	req.content_type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	req.body = r->body ? r->body : "";
	req.body_len = r->len;
	req.peer = peer;
	h->handler(&req, &res, h->arg);
	return respond(conn, res.status > 0 ? (unsigned)res.status : MHD_HTTP_INTERNAL_SERVER_ERROR,
		       res.content_type, res.body, res.allow);
}

struct httpd *httpd_start(const char *listen, size_t max_body, httpd_handler handler, void *arg, char **err)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	const union MHD_DaemonInfo *info;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG;
	unsigned port;
	struct httpd *h;
	char *addr;

	*err = NULL;
	if (units_parse_listen(listen, &addr, &port) < 0) {
		*err = xasprintf("bad listen address \"%s\": want ADDR:PORT, e.g. 127.0.0.1:9473 or [::1]:9473",
				 listen);
		return NULL;
	}
	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
	} else if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		flags |= MHD_USE_IPv6;
	} else {
		*err = xasprintf("bad listen address \"%s\": %s is not an IP address", listen, addr);
		free(addr);
		return NULL;
	}
	free(addr);

	h = xcalloc(1, sizeof(*h));
	h->handler = handler;
	h->arg = arg;
	h->max_body = max_body;
	h->starter = pthread_self();
	atomic_store(&h->starting, 1);
	/* The logger must come first to see every message. */
	h->d = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, on_request, h,
				MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, h,
				MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)&ss,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTPD_TIMEOUT_S,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned)HTTPD_MAX_CONNECTIONS,
				MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
				MHD_OPTION_END);
	atomic_store(&h->starting, 0);
	if (h->d == NULL) {
		*err = xasprintf("cannot listen on %s: %s", listen,
				 h->start_msg[0] ? h->start_msg : "libmicrohttpd could not start");
		free(h);
		return NULL;
	}
	info = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
	h->port = info ? info->port : port;
	return h;
}

unsigned httpd_port(const struct httpd *h)
{
	return h->port;
}

void httpd_stop(struct httpd *h)
{
	if (h == NULL)
		return;
	MHD_stop_daemon(h->d);
	free(h);
}
