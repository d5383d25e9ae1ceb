#include "autoconf.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>

#include "lib/log.h"
#include "lib/buffer.h"
#include "jobs/waclient.h"
#include "lib/xalloc.h"

#define WA_MAX_ANSWER (1024 * 1024) /* bytes buffered from one answer */
#define WA_DEFAULT_TIMEOUT_MS 30000u
#define WA_RELOGIN_MARGIN 60        /* seconds of validity a cached token must keep */
#define WA_DEFAULT_TOKEN_LIFE 3600  /* when the API sends no usable expires_after */

static const char login_path[] = "/v1/users/login";

struct waclient {
	char *endpoint;           /* without trailing '/' */
	char *username;
	char *password;
	char *ca_file;
	int verify_tls;
	unsigned timeout_ms;
	CURL *curl;               /* reused, so keep-alive connections are too */
	char curl_error[CURL_ERROR_SIZE];
	char *token;              /* cached, or NULL */
	time_t expires;           /* the token's expiry, 0 when none */
};

/* One answer being received. */
struct answer {
	char *buf;
	size_t len;
	size_t cap;
	int too_big;
};

/* Overwrites and frees a secret. */
static void free_secret(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

struct waclient *waclient_new(const struct waclient_settings *s)
{
	struct waclient *w = xcalloc(1, sizeof(*w));
	size_t n;

	w->endpoint = xstrdup(s->endpoint != NULL ? s->endpoint : "");
	n = strlen(w->endpoint);
	while (n > 0 && w->endpoint[n - 1] == '/')
		w->endpoint[--n] = '\0';
	w->username = xstrdup(s->username != NULL ? s->username : "");
	w->password = xstrdup(s->password != NULL ? s->password : "");
	w->ca_file = xstrdup(s->ca_file);
	w->verify_tls = s->verify_tls;
	w->timeout_ms = s->timeout_ms != 0 ? s->timeout_ms : WA_DEFAULT_TIMEOUT_MS;
	return w;
}

void waclient_free(struct waclient *w)
{
	if (w == NULL)
		return;
	if (w->curl != NULL)
		curl_easy_cleanup(w->curl);
	free(w->endpoint);
	free(w->username);
	free_secret(w->password);
	free(w->ca_file);
	free_secret(w->token);
	free(w);
}

const char *waclient_token(const struct waclient *w, time_t *expires)
{
	if (expires != NULL)
		*expires = w->token != NULL ? w->expires : 0;
	return w->token;
}

void waclient_set_token(struct waclient *w, const char *token, time_t expires)
{
	free_secret(w->token);
	w->token = token != NULL && *token != '\0' ? xstrdup(token) : NULL;
	w->expires = w->token != NULL ? expires : 0;
}

static void forget_token(struct waclient *w)
{
	waclient_set_token(w, NULL, 0);
}

/* ---- env file ---- */

/* The value of a KEY=value line starting at p (after '='), unquoted, as a new
 * string; NULL with *why set when malformed. */
static char *env_value(const char *p, const char **why)
{
	const char *end;
	char *out, *o;

	while (*p == ' ' || *p == '\t')
		p++;
	end = p + strlen(p);
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (p == end || (*p != '"' && *p != '\''))
		return xstrndup(p, (size_t)(end - p));
	if (end - p < 2 || end[-1] != *p) {
		*why = "unterminated quoted value";
		return NULL;
	}
	if (*p == '\'')
		return xstrndup(p + 1, (size_t)(end - p - 2));
	/* double quotes: \" \\ \$ \` are escapes, as in the shell */
	out = o = xmalloc((size_t)(end - p));
	for (p++, end--; p < end; p++) {
		if (*p == '\\' && p + 1 < end && strchr("\"\\$`", p[1]) != NULL)
			p++;
		else if (*p == '"') {
			free(out);
			*why = "unescaped '\"' inside a double-quoted value";
			return NULL;
		}
		*o++ = *p;
	}
	*o = '\0';
	return out;
}

int waclient_read_env_file(const char *path, struct waclient_settings *s, char ***owned, char **err)
{
	static const char *const keys[] = { "WA_WEB_ENDPOINT", "WA_WEB_USERNAME", "WA_WEB_PASSWORD" };
	char *vals[3] = { NULL, NULL, NULL };
	const char **dest[3];
	FILE *f;
	char *line = NULL;
	size_t linecap = 0;
	ssize_t got;
	unsigned lineno = 0;
	size_t i, n = 0;
	int rc = 0;

	dest[0] = &s->endpoint;
	dest[1] = &s->username;
	dest[2] = &s->password;
	*owned = NULL;
	f = fopen(path, "r");
	if (f == NULL) {
		*err = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	errno = 0;
	while ((got = getline(&line, &linecap, f)) >= 0) {
		char *p = line, *eq, *kend, *v;
		const char *why = NULL;

		lineno++;
		while (got > 0 && (line[got - 1] == '\n' || line[got - 1] == '\r'))
			line[--got] = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0' || *p == '#')
			continue;
		if (strncmp(p, "export", 6) == 0 && (p[6] == ' ' || p[6] == '\t')) {
			p += 6;
			while (*p == ' ' || *p == '\t')
				p++;
		}
		eq = strchr(p, '=');
		if (eq == NULL) {
			*err = xasprintf("%s:%u: expected KEY=value", path, lineno);
			rc = -1;
			break;
		}
		kend = eq;
		while (kend > p && (kend[-1] == ' ' || kend[-1] == '\t'))
			kend--;
		if (kend == p || !(isalpha((unsigned char)*p) || *p == '_')) {
			*err = xasprintf("%s:%u: expected KEY=value", path, lineno);
			rc = -1;
			break;
		}
		for (char *k = p; k < kend; k++) {
			if (!isalnum((unsigned char)*k) && *k != '_') {
				why = "invalid character in the key";
				break;
			}
		}
		v = why == NULL ? env_value(eq + 1, &why) : NULL;
		if (v == NULL) {
			*err = xasprintf("%s:%u: %s", path, lineno, why);
			rc = -1;
			break;
		}
		*kend = '\0';
		for (i = 0; i < 3; i++) {
			if (strcmp(p, keys[i]) == 0)
				break;
		}
		if (i == 3) {
			log_debug("%s:%u: ignoring %s", path, lineno, p);
			free_secret(v);
			continue;
		}
		free_secret(vals[i]);
		vals[i] = v;
	}
	if (rc == 0 && ferror(f)) {
		*err = xasprintf("%s: %s", path, strerror(errno != 0 ? errno : EIO));
		rc = -1;
	}
	if (line != NULL)
		explicit_bzero(line, linecap);
	free(line);
	fclose(f);

	if (rc == 0)
		*owned = xcalloc(4, sizeof(**owned));
	for (i = 0; i < 3; i++) {
		if (rc == 0 && vals[i] != NULL && *dest[i] == NULL) {
			*dest[i] = vals[i];
			(*owned)[n++] = vals[i];
		} else {
			free_secret(vals[i]);
		}
	}
	return rc;
}

/* ---- HTTP ---- */

static size_t write_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	struct answer *a = arg;
	size_t n = size * nmemb;

	if (buffer_append(&a->buf, &a->len, &a->cap, data, n, WA_MAX_ANSWER) < 0) {
		a->too_big = 1;
		return 0;
	}
	return n;
}

static int endpoint_ok(const char *endpoint)
{
	return (strncasecmp(endpoint, "http://", 7) == 0 && endpoint[7] != '\0') ||
	       (strncasecmp(endpoint, "https://", 8) == 0 && endpoint[8] != '\0');
}

/* Copies s into a new string with control characters turned into spaces. */
static char *one_line(const char *s)
{
	char *out = xstrdup(s);

	for (char *p = out; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	}
	return out;
}

/* Appends src to *dst (a new string). */
static void append(char **dst, const char *src)
{
	char *s = xasprintf("%s%s", *dst, src);

	free(*dst);
	*dst = s;
}

/* The error line for a non-2xx answer: "METHOD PATH: HTTP N: CODE TITLE: DETAILS; ...". */
static char *http_error(const char *method, const char *path, long status, const struct answer *a)
{
	char *msg = xasprintf("%s %s: HTTP %ld", method, path, status);
	json_error_t jerr;
	json_t *root, *errors;
	size_t i;
	json_t *e;

	if (a->len == 0)
		return msg;
	root = json_loadb(a->buf, a->len, 0, &jerr);
	if (root == NULL) {
		char *t = one_line(jerr.text);

		free(msg);
		msg = xasprintf("%s %s: HTTP %ld (malformed JSON in the answer: %s)", method, path, status, t);
		free(t);
		return msg;
	}
	errors = json_object_get(root, "errors");
	json_array_foreach(errors, i, e) {
		json_t *code = json_object_get(e, "code");
		const char *title = json_string_value(json_object_get(e, "title"));
		const char *details = json_string_value(json_object_get(e, "details"));
		char *part;

		append(&msg, i == 0 ? ": " : "; ");
		if (json_is_integer(code)) {
			part = xasprintf("%" JSON_INTEGER_FORMAT "%s", json_integer_value(code),
					 title != NULL || details != NULL ? " " : "");
			append(&msg, part);
			free(part);
		}
		if (title != NULL) {
			part = one_line(title);
			append(&msg, part);
			free(part);
		}
		if (details != NULL) {
			part = one_line(details);
			append(&msg, title != NULL ? ": " : "");
			append(&msg, part);
			free(part);
		}
	}
	json_decref(root);
	return msg;
}

/* The error line for a failed transfer. */
static char *transfer_error(struct waclient *w, const char *method, const char *path, CURLcode rc,
			    const struct answer *a)
{
	const char *detail = w->curl_error[0] != '\0' ? w->curl_error : curl_easy_strerror(rc);
	long os_errno = 0;

	curl_easy_getinfo(w->curl, CURLINFO_OS_ERRNO, &os_errno);
	switch (rc) {
	case CURLE_WRITE_ERROR:
		if (a->too_big)
			return xasprintf("%s %s: the answer from %s exceeded %u bytes", method, path, w->endpoint,
					 (unsigned)WA_MAX_ANSWER);
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
		return xasprintf("%s %s: cannot reach %s: %s", method, path, w->endpoint,
				 os_errno != 0 ? strerror((int)os_errno) : detail);
	case CURLE_OPERATION_TIMEDOUT:
		return xasprintf("%s %s: %s timed out after %u ms", method, path, w->endpoint, w->timeout_ms);
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_CRL_BADFILE:
		return xasprintf("%s %s: TLS connection to %s failed: %s", method, path, w->endpoint, detail);
	case CURLE_GOT_NOTHING:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_PARTIAL_FILE:
		return xasprintf("%s %s: lost the connection to %s: %s", method, path, w->endpoint,
				 os_errno != 0 ? strerror((int)os_errno) : detail);
	default:
		break;
	}
	return xasprintf("%s %s: request to %s failed: %s", method, path, w->endpoint, detail);
}

/* Performs one request. Login when bearer is NULL (POST "{}" with Basic auth),
 * else an empty PUT with the bearer token. Returns 0 with *status and the answer
 * filled, or -1 with *err set on a transport failure. */
static int perform(struct waclient *w, const char *path, const char *bearer, long *status,
		   struct answer *a, char **err)
{
	const char *method = bearer == NULL ? "POST" : "PUT";
	struct curl_slist *headers = NULL;
	char *url, *auth = NULL;
	CURLcode rc;
	CURL *c;

	if (!endpoint_ok(w->endpoint)) {
		*err = xasprintf("%s %s: endpoint \"%s\" is not an http:// or https:// URL", method, path,
				 w->endpoint);
		return -1;
	}
	if (w->curl == NULL) {
		w->curl = curl_easy_init();
		if (w->curl == NULL) {
			*err = xasprintf("%s %s: cannot initialise libcurl", method, path);
			return -1;
		}
	}
	c = w->curl;
	url = xasprintf("%s%s", w->endpoint, path);
	curl_easy_reset(c);
	w->curl_error[0] = '\0';
	curl_easy_setopt(c, CURLOPT_URL, url);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, w->curl_error);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)w->timeout_ms);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)w->timeout_ms);
	curl_easy_setopt(c, CURLOPT_USERAGENT, PACKAGE_NAME "/" PACKAGE_VERSION);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, w->verify_tls ? 1L : 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, w->verify_tls ? 2L : 0L);
	if (w->ca_file != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, w->ca_file);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
	headers = curl_slist_append(headers, "Expect:");
	if (bearer == NULL) {
		headers = curl_slist_append(headers, "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(c, CURLOPT_USERNAME, w->username);
		curl_easy_setopt(c, CURLOPT_PASSWORD, w->password);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, "{}");
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, 2L);
	} else {
		auth = xasprintf("Authorization: Bearer %s", bearer);
		headers = curl_slist_append(headers, "Content-Type:");
		headers = curl_slist_append(headers, auth);
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "PUT");
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, 0L);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);

	rc = curl_easy_perform(c);
	*status = 0;
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	else
		*err = transfer_error(w, method, path, rc, a);
	/* drop the references to memory freed below */
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, (struct curl_slist *)NULL);
	curl_easy_setopt(c, CURLOPT_USERNAME, (char *)NULL);
	curl_easy_setopt(c, CURLOPT_PASSWORD, (char *)NULL);
	curl_slist_free_all(headers);
	free_secret(auth);
	free(url);
	if (rc != CURLE_OK)
		return -1;
	log_debug("%s %s: HTTP %ld", method, path, *status);
	return 0;
}

/* Parses "YYYY-MM-DD HH:MM:SS[.frac][Z|±HH:MM|±HHMM]" (or with 'T'); returns 0. */
static int parse_expiry(const char *s, time_t *out)
{
	struct tm tm;
	const char *p;
	long off = 0;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	p = strptime(s, "%Y-%m-%d", &tm);
	if (p == NULL || (*p != ' ' && *p != 'T'))
		return -1;
	p = strptime(p + 1, "%H:%M:%S", &tm);
	if (p == NULL)
		return -1;
	if (*p == '.' || *p == ',') {
		p++;
		while (isdigit((unsigned char)*p))
			p++;
	}
	while (*p == ' ')
		p++;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p == '-' ? -1 : 1;
		int hh, mm = 0;

		p++;
		if (!isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[1]))
			return -1;
		hh = (p[0] - '0') * 10 + (p[1] - '0');
		p += 2;
		if (*p == ':')
			p++;
		if (isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1])) {
			mm = (p[0] - '0') * 10 + (p[1] - '0');
			p += 2;
		}
		if (hh > 23 || mm > 59)
			return -1;
		off = sign * (hh * 3600L + mm * 60L);
	} else if (strncmp(p, "UTC", 3) == 0) {
		p += 3;
	}
	if (*p != '\0')
		return -1;
	tm.tm_isdst = 0;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return -1;
	*out = t - off;
	return 0;
}

/* Logs in unconditionally and caches the token. */
static int do_login(struct waclient *w, time_t now, char **err)
{
	struct answer a = { NULL, 0, 0, 0 };
	json_error_t jerr;
	json_t *root, *user;
	const char *token, *exp;
	time_t expires;
	long status;
	int rc = -1;

	if (perform(w, login_path, NULL, &status, &a, err) != 0)
		goto out;
	if (status < 200 || status > 299) {
		*err = http_error("POST", login_path, status, &a);
		goto out;
	}
	root = json_loadb(a.buf != NULL ? a.buf : "", a.len, 0, &jerr);
	if (root == NULL) {
		char *t = one_line(jerr.text);

		*err = xasprintf("POST %s: HTTP %ld: malformed JSON in the answer: %s", login_path, status, t);
		free(t);
		goto out;
	}
	user = json_array_get(json_object_get(root, "users"), 0);
	token = json_string_value(json_object_get(user, "token"));
	exp = json_string_value(json_object_get(user, "expires_after"));
	if (token == NULL || *token == '\0') {
		*err = xasprintf("POST %s: HTTP %ld: the answer carries no users[0].token", login_path, status);
		json_decref(root);
		goto out;
	}
	if (exp == NULL || parse_expiry(exp, &expires) != 0) {
		log_warnx("POST %s: unusable users[0].expires_after; assuming the token lasts %d s", login_path,
			  WA_DEFAULT_TOKEN_LIFE);
		expires = now + WA_DEFAULT_TOKEN_LIFE;
	}
	waclient_set_token(w, token, expires);
	json_decref(root);
	log_debug("logged in to %s as %s; token valid for %lld s", w->endpoint, w->username,
		  (long long)(expires - now));
	rc = 0;
out:
	if (a.buf != NULL)
		explicit_bzero(a.buf, a.len);
	free(a.buf);
	return rc;
}

int waclient_login(struct waclient *w, time_t now, char **err)
{
	if (w->token != NULL && w->expires - now > WA_RELOGIN_MARGIN)
		return 0;
	return do_login(w, now, err);
}

int waclient_gc(struct waclient *w, const char *which, time_t now, char **err)
{
	struct answer a = { NULL, 0, 0, 0 };
	char path[64];
	long status = 0;
	int cached, attempt, rc = -1;

	if (which == NULL || (strcmp(which, "message") != 0 && strcmp(which, "media") != 0)) {
		*err = xasprintf("unknown garbage collector \"%s\" (expected message or media)",
				 which != NULL ? which : "(null)");
		return -1;
	}
	snprintf(path, sizeof(path), "/v1/services/%s/gc", which);
	cached = w->token != NULL && w->expires - now > WA_RELOGIN_MARGIN;
	if (waclient_login(w, now, err) != 0)
		return -1;
	for (attempt = 0; attempt < 2; attempt++) {
		a.len = 0;
		a.too_big = 0;
		if (perform(w, path, w->token, &status, &a, err) != 0)
			break;
		if (status >= 200 && status <= 299) {
			rc = 0;
			break;
		}
		if (status == 401 && cached && attempt == 0) {
			log_info("PUT %s: HTTP 401 with the cached token; logging in again", path);
			forget_token(w);
			if (do_login(w, now, err) != 0)
				break;
			continue;
		}
		*err = http_error("PUT", path, status, &a);
		break;
	}
	free(a.buf);
	return rc;
}
