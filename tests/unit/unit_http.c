#include "autoconf.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "unit_http.h"
#include "lib/xalloc.h"

/* curl's write callback: appends to the reply's body, keeping it NUL-terminated. */
static size_t on_data(char *data, size_t size, size_t n, void *arg)
{
	struct unit_reply *r = arg;

	r->body = xreallocarray(r->body, r->len + size * n + 1, 1);
	memcpy(r->body + r->len, data, size * n);
	r->len += size * n;
	r->body[r->len] = '\0';
	return size * n;
}

CURLcode unit_http_request_url(const char *url, const char *method, const char *body, size_t body_len,
			       const char *const *headers, struct unit_reply *r)
{
	struct curl_slist *hl = NULL;
	CURL *c = curl_easy_init();
	CURLcode rc;
	char *ct = NULL;

	ck_assert_ptr_nonnull(c);
	memset(r, 0, sizeof(*r));
	r->body = xstrdup("");
	for (size_t i = 0; headers && headers[i]; i++)
		hl = curl_slist_append(hl, headers[i]);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
	}
	if (method != NULL)
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
	r->content_type = xstrdup(ct);
	curl_easy_cleanup(c);
	curl_slist_free_all(hl);
	return rc;
}

CURLcode unit_http_request(unsigned port, const char *method, const char *path, const char *body, size_t body_len,
			   const char *const *headers, struct unit_reply *r)
{
	char *url = xasprintf("http://127.0.0.1:%u%s", port, path);
	CURLcode rc = unit_http_request_url(url, method, body, body_len, headers, r);

	free(url);
	return rc;
}

void unit_reply_free(struct unit_reply *r)
{
	free(r->body);
	free(r->content_type);
	memset(r, 0, sizeof(*r));
}
