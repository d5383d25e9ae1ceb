#include "autoconf.h"

#include <fnmatch.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "remedy/alert.h"
#include "lib/xalloc.h"

/* Replaces what could break a one-line, ASCII message (control characters and
 * bytes of the input jansson quotes back) with '?'. */
static char *one_line(char *s)
{
	for (unsigned char *p = (unsigned char *)s; *p != '\0'; p++)
		if (*p < 0x20 || *p >= 0x7f)
			*p = '?';
	return s;
}

static int __attribute__((format(printf, 2, 3))) fail(char **err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	*err = one_line(xvasprintf(fmt, ap));
	va_end(ap);
	return -1;
}

/* Strict UTF-8: no overlong forms, surrogates or code points past U+10FFFF. */
static int utf8_valid(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		size_t n;
		unsigned long cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return 0;
		}
		if (n > len - i - 1)
			return 0;
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += n + 1;
	}
	return 1;
}

/* Sets *out to a copy of obj[key] when it is a string, to NULL when it is
 * absent or not a string (the caller decides whether that is an error).
 * Returns -1 with *err set when the string is unusable; what names the
 * field in the message. */
static int get_string(json_t *obj, const char *key, const char *what, char **out, char **err)
{
	json_t *v = json_object_get(obj, key);
	const char *s;
	size_t len;

	*out = NULL;
	if (!json_is_string(v))
		return 0;
	s = json_string_value(v);
	len = json_string_length(v);
	if (len > ALERT_MAX_STRING)
		return fail(err, "%s is too long (%zu bytes, at most %d)", what, len, ALERT_MAX_STRING);
	if (memchr(s, '\0', len) != NULL || !utf8_valid((const unsigned char *)s, len))
		return fail(err, "%s is not valid UTF-8 text", what);
	*out = xstrndup(s, len);
	return 0;
}

/* The first of keys that obj has as a string. */
static int get_first_string(json_t *obj, const char *const *keys, const char *prefix, char **out, char **err)
{
	*out = NULL;
	if (!json_is_object(obj))
		return 0;
	for (size_t i = 0; keys[i] != NULL; i++) {
		char what[64];

		snprintf(what, sizeof(what), "%s.%s", prefix, keys[i]);
		if (get_string(obj, keys[i], what, out, err) < 0)
			return -1;
		if (*out != NULL)
			return 0;
	}
	return 0;
}

static void alert_free(struct alert *a)
{
	free(a->name);
	free(a->status);
	free(a->instance);
	free(a->host);
	free(a->summary);
	memset(a, 0, sizeof(*a));
}

/* Fills *a from the index'th alert (numbered from 1 in messages). */
static int parse_alert(json_t *j, size_t index, const char *batch_status, struct alert *a, char **err)
{
	static const char *const name_key[] = { "alertname", NULL };
	static const char *const instance_key[] = { "instance", NULL };
	static const char *const host_keys[] = { "host", "hostname", "nodename", NULL };
	static const char *const summary_keys[] = { "summary", "description", NULL };
	static const char *const status_key[] = { "status", NULL };
	json_t *labels;
	char *why = NULL;

	memset(a, 0, sizeof(*a));
	if (!json_is_object(j))
		return fail(err, "alert %zu is not an object", index);
	labels = json_object_get(j, "labels");
	if (!json_is_object(labels))
		return fail(err, "alert %zu: labels is missing or not an object", index);
	if (get_first_string(labels, name_key, "labels", &a->name, &why) < 0 ||
	    get_first_string(j, status_key, "alert", &a->status, &why) < 0 ||
	    get_first_string(labels, instance_key, "labels", &a->instance, &why) < 0 ||
	    get_first_string(labels, host_keys, "labels", &a->host, &why) < 0 ||
	    get_first_string(json_object_get(j, "annotations"), summary_keys, "annotations", &a->summary,
			     &why) < 0) {
		fail(err, "alert %zu: %s", index, why);
		free(why);
		alert_free(a);
		return -1;
	}
	if (a->name == NULL) {
		alert_free(a);
		return fail(err, "alert %zu: labels.alertname is missing or not a string", index);
	}
	if (a->status == NULL)
		a->status = xstrdup(batch_status);
	return 0;
}

int alert_parse(const char *body, size_t len, struct alert_batch *out, char **err)
{
	struct alert_batch b = { NULL, NULL, NULL, 0 };
	json_error_t jerr;
	json_t *root, *alerts;
	size_t n;

	memset(out, 0, sizeof(*out));
	*err = NULL;
	root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
		return fail(err, "not JSON: %s (line %d, column %d)", jerr.text, jerr.line, jerr.column);
	if (!json_is_object(root)) {
		json_decref(root);
		return fail(err, "not a JSON object");
	}
	if (get_string(root, "status", "\"status\"", &b.status, err) < 0)
		goto bad;
	if (b.status == NULL) {
		fail(err, "\"status\" is missing or not a string");
		goto bad;
	}
	if (get_string(root, "receiver", "\"receiver\"", &b.receiver, err) < 0)
		goto bad;
	alerts = json_object_get(root, "alerts");
	if (!json_is_array(alerts)) {
		fail(err, "\"alerts\" is missing or not an array");
		goto bad;
	}
	n = json_array_size(alerts);
	if (n > ALERT_MAX_ALERTS) {
		fail(err, "too many alerts: %zu (at most %d)", n, ALERT_MAX_ALERTS);
		goto bad;
	}
	if (n > 0)
		b.v = xcalloc(n, sizeof(*b.v));
	for (size_t i = 0; i < n; i++) {
		if (parse_alert(json_array_get(alerts, i), i + 1, b.status, &b.v[i], err) < 0)
			goto bad;
		b.n++;
	}
	json_decref(root);
	*out = b;
	return 0;
bad:
	json_decref(root);
	alert_batch_free(&b);
	return -1;
}

void alert_batch_free(struct alert_batch *b)
{
	for (size_t i = 0; i < b->n; i++)
		alert_free(&b->v[i]);
	free(b->v);
	free(b->receiver);
	free(b->status);
	memset(b, 0, sizeof(*b));
}

int alert_firing(const struct alert *a)
{
	return a->status != NULL && strcmp(a->status, "firing") == 0;
}

int alert_name_matches(const struct alert *a, const struct strlist *names)
{
	if (a->name == NULL || names == NULL)
		return 0;
	for (size_t i = 0; i < names->n; i++)
		if (fnmatch(names->v[i], a->name, 0) == 0)
			return 1;
	return 0;
}

/* The host part of an instance label: "[::1]:9100" -> "::1", "db1:9100" ->
 * "db1"; with more than one ':' and no brackets it is a bare IPv6 address. */
static void instance_host(const char *instance, const char **host, size_t *len)
{
	const char *colon, *end;

	if (instance[0] == '[' && (end = strchr(instance, ']')) != NULL) {
		*host = instance + 1;
		*len = (size_t)(end - instance - 1);
		return;
	}
	*host = instance;
	colon = strchr(instance, ':');
	if (colon != NULL && strchr(colon + 1, ':') == NULL)
		*len = (size_t)(colon - instance);
	else
		*len = strlen(instance);
}

static size_t first_label_len(const char *s, size_t len)
{
	const char *dot = memchr(s, '.', len);

	return dot != NULL ? (size_t)(dot - s) : len;
}

/* Whether host (len bytes) and name name the same machine, as alert.h says. */
static int same_host(const char *host, size_t len, const char *name)
{
	size_t nlen = strlen(name);

	if (len == 0 || nlen == 0)
		return 0;
	if (len == nlen && strncasecmp(host, name, len) == 0)
		return 1;
	if (len == first_label_len(name, nlen) && strncasecmp(host, name, len) == 0)
		return 1;
	return nlen == first_label_len(host, len) && strncasecmp(host, name, nlen) == 0;
}

int alert_names_host(const struct alert *a, const struct strlist *names)
{
	const char *ih = NULL;
	size_t ilen = 0;

	if (names == NULL)
		return 0;
	if (a->instance != NULL)
		instance_host(a->instance, &ih, &ilen);
	for (size_t i = 0; i < names->n; i++) {
		if (ih != NULL && same_host(ih, ilen, names->v[i]))
			return 1;
		if (a->host != NULL && same_host(a->host, strlen(a->host), names->v[i]))
			return 1;
	}
	return 0;
}
