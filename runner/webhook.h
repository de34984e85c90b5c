/*
 * webhook: push deliveries from GitHub (X-Hub-Signature-256, X-GitHub-Event)
 * and Gitea (X-Gitea-Signature, X-Gitea-Event). The HMAC-SHA256 signature
 * is checked in constant time before a byte of the body is parsed. It
 * turns a delivery into what to build (repository, ref, commits); queuing
 * the run and answering over HTTP are the daemon's.
 */
#ifndef RUNNER_WEBHOOK_H
#define RUNNER_WEBHOOK_H

#include <stddef.h>

#include "util/arena.h"
#include "util/strbuf.h"

enum webhook_kind {
	WEBHOOK_PUSH,
	WEBHOOK_PING,
	WEBHOOK_OTHER,          /* signed and well-formed, but not an event we act on */
};

struct webhook_delivery {
	const char *source;             /* "github" or "gitea" */
	const char *event;              /* the event header's value */
	const char *id;                 /* X-GitHub-Delivery / X-Gitea-Delivery, or "" */
	enum webhook_kind kind;
	/* pushes only; strings are "" when the payload has none */
	const char *repo_name;          /* repository.name */
	const char *repo_full_name;     /* repository.full_name */
	const char *clone_url;          /* repository.clone_url */
	const char *ref;                /* "refs/heads/main" */
	const char *before, *after;     /* 40-hex commit ids */
	int deleted;                    /* the ref was deleted (after is all zeros) */
};

/* Returns a header's value (case-insensitive name), or NULL. */
typedef const char *webhook_header_fn(void *data, const char *name);

/*
 * Verify and read one delivery. secret is the shared webhook secret
 * (never empty). Returns 0 with *out filled (strings in a), or the HTTP
 * status to refuse with and a message in err: 401 for a missing or wrong
 * signature, 400 for an unknown source, a malformed signature header or
 * a malformed payload.
 */
int webhook_read(struct webhook_delivery *out, struct arena *a, webhook_header_fn *header,
		 void *header_data, const char *body, size_t len, const char *secret,
		 struct strbuf *err);

#endif
