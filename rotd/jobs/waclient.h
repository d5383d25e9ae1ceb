/* waclient: the WhatsApp Business API client's REST API, for its own garbage
 * collectors: POST /v1/users/login (Basic auth) for a Bearer token, then
 * PUT /v1/services/message/gc and PUT /v1/services/media/gc. libcurl + jansson. */
#ifndef ROTD_WACLIENT_H
#define ROTD_WACLIENT_H

#include <time.h>

struct waclient_settings {
	const char *endpoint;      /* "https://host:port" or "http://host:port", no trailing path */
	const char *username;
	const char *password;
	const char *ca_file;       /* PEM bundle, or NULL for the system store */
	int verify_tls;            /* 1: verify peer and host name (the default) */
	unsigned timeout_ms;       /* per request */
};

struct waclient;

/* Creates a client (copies the settings; no I/O). Never NULL. */
struct waclient *waclient_new(const struct waclient_settings *s);

/* Frees w; NULL is allowed. */
void waclient_free(struct waclient *w);

/* Fills the settings' endpoint/username/password that are NULL from an env file
 * with WA_WEB_ENDPOINT=, WA_WEB_USERNAME=, WA_WEB_PASSWORD= lines (optional
 * quotes, '#' comments, blank lines). *owned receives the strings to free (an
 * array ending in NULL). Returns 0, or -1 with *err set to "PATH:LINE: ..." or
 * "PATH: strerror". */
int waclient_read_env_file(const char *path, struct waclient_settings *s, char ***owned, char **err);

/* Logs in unless a token is cached and not within 60 s of expiring. Returns 0, or
 * -1 with *err set to one line carrying the HTTP status and the API's own
 * error code, title and details when it sent them. */
int waclient_login(struct waclient *w, time_t now, char **err);

/* PUT /v1/services/<which>/gc ("message" or "media"), logging in first if needed.
 * Returns 0, or -1 with *err set as for waclient_login. */
int waclient_gc(struct waclient *w, const char *which, time_t now, char **err);

/* The cached token and its expiry (0 when none), e.g. to keep it in the state file. */
const char *waclient_token(const struct waclient *w, time_t *expires);

/* Installs a token saved earlier (copied). */
void waclient_set_token(struct waclient *w, const char *token, time_t expires);

#endif
