/*
 * webhook: which forge sent a delivery (one table row per forge), its
 * signature check, and the few push-payload fields a run needs. Nothing
 * here queues, stores or answers.
 */
#include "runner/webhook.h"
#include "util/digest.h"
#include "util/json.h"

#include <string.h>
#include <strings.h>

struct webhook_source {
	const char *name;
	const char *event_header;
	const char *signature_header;
	const char *signature_prefix;   /* before the hex digest */
	const char *delivery_header;
};

/* Gitea also sends GitHub's headers, so it is recognised first. */
static const struct webhook_source webhook_sources[] = {
	{ "gitea", "X-Gitea-Event", "X-Gitea-Signature", "", "X-Gitea-Delivery" },
	{ "github", "X-GitHub-Event", "X-Hub-Signature-256", "sha256=", "X-GitHub-Delivery" },
};

static int webhook_verify(const struct webhook_source *src, const char *sig, const char *body,
			  size_t len, const char *secret, struct strbuf *err)
{
	unsigned char want[DIGEST_SHA256_LEN], got[DIGEST_SHA256_LEN];
	size_t plen = strlen(src->signature_prefix);

	if (!sig || !*sig) {
		strbuf_addf(err, "the delivery is not signed (no %s header)", src->signature_header);
		return 401;
	}
	if (strncasecmp(sig, src->signature_prefix, plen) || strlen(sig + plen) != 2 * sizeof(got) ||
	    digest_unhex(got, sig + plen, sizeof(got)) < 0) {
		strbuf_addf(err, "malformed %s header (expected %s<64 hex digits>)",
			    src->signature_header, src->signature_prefix);
		return 401;
	}
	digest_hmac_sha256(want, secret, strlen(secret), body, len);
	if (!digest_equal(want, got, sizeof(want))) {
		strbuf_addf(err, "the %s signature does not match the configured secret",
			    src->signature_header);
		return 401;
	}
	return 0;
}

static const char *webhook_str(struct val obj, const char *key)
{
	struct val *v = val_object_getstr(obj, key);

	return v && v->kind == VAL_STRING ? v->u.string.ptr : "";
}

static int webhook_is_sha(const char *s)
{
	return strlen(s) == 40 && strspn(s, "0123456789abcdef") == 40;
}

static int webhook_read_push(struct webhook_delivery *out, struct val payload, struct strbuf *err)
{
	struct val *repo = val_object_getstr(payload, "repository");
	struct val *deleted = val_object_getstr(payload, "deleted");

	out->ref = webhook_str(payload, "ref");
	out->before = webhook_str(payload, "before");
	out->after = webhook_str(payload, "after");
	if (strncmp(out->ref, "refs/", 5)) {
		strbuf_addstr(err, "malformed push payload: no 'ref' like 'refs/heads/main'");
		return 400;
	}
	if (!webhook_is_sha(out->after)) {
		strbuf_addstr(err, "malformed push payload: 'after' is not a 40-hex commit id");
		return 400;
	}
	if (!repo || repo->kind != VAL_OBJECT) {
		strbuf_addstr(err, "malformed push payload: no 'repository' object");
		return 400;
	}
	out->repo_name = webhook_str(*repo, "name");
	out->repo_full_name = webhook_str(*repo, "full_name");
	out->clone_url = webhook_str(*repo, "clone_url");
	if (!*out->repo_name && !*out->repo_full_name && !*out->clone_url) {
		strbuf_addstr(err, "malformed push payload: the repository has no name");
		return 400;
	}
	out->deleted = (deleted && deleted->kind == VAL_BOOL && deleted->u.boolean) ||
		       strspn(out->after, "0") == 40;
	return 0;
}

int webhook_read(struct webhook_delivery *out, struct arena *a, webhook_header_fn *header,
		 void *header_data, const char *body, size_t len, const char *secret,
		 struct strbuf *err)
{
	const struct webhook_source *src = NULL;
	struct strbuf perr = STRBUF_INIT;
	struct webhook_delivery d;
	struct val payload;
	const char *event = NULL, *id;
	int rc;

	for (size_t i = 0; i < sizeof(webhook_sources) / sizeof(*webhook_sources); i++) {
		event = header(header_data, webhook_sources[i].event_header);
		if (event) {
			src = &webhook_sources[i];
			break;
		}
	}
	if (!src) {
		strbuf_addstr(err, "not a GitHub or Gitea delivery (no X-GitHub-Event or "
				   "X-Gitea-Event header)");
		return 400;
	}
	rc = webhook_verify(src, header(header_data, src->signature_header), body, len, secret,
			    err);
	if (rc)
		return rc;
	memset(&d, 0, sizeof(d));
	d.source = src->name;
	d.event = arena_strdup(a, event);
	id = header(header_data, src->delivery_header);
	d.id = arena_strdup(a, id ? id : "");
	d.repo_name = d.repo_full_name = d.clone_url = d.ref = d.before = d.after = "";
	if (json_parse(&payload, a, body, len, &perr) < 0 || payload.kind != VAL_OBJECT) {
		strbuf_addf(err, "malformed payload: %s", perr.len ? perr.buf : "not a JSON object");
		strbuf_release(&perr);
		return 400;
	}
	strbuf_release(&perr);
	if (!strcmp(event, "push")) {
		d.kind = WEBHOOK_PUSH;
		rc = webhook_read_push(&d, payload, err);
		if (rc)
			return rc;
	} else {
		d.kind = !strcmp(event, "ping") ? WEBHOOK_PING : WEBHOOK_OTHER;
	}
	*out = d;
	return 0;
}
