/*
 * probe: one plain-HTTP GET bounded in time — what a health check asks a
 * freshly started service. It speaks HTTP/1.1 with `Connection: close`,
 * follows no redirects and has no TLS; deciding what a healthy answer is
 * (status, body) is the caller's.
 */
#ifndef UTIL_PROBE_H
#define UTIL_PROBE_H

#include "util/strbuf.h"

/* The most of an answer's body a probe keeps. */
#define PROBE_BODY_MAX 4096

/*
 * GET path from host (a name or numeric address) on port within
 * timeout_ms (connecting, sending and reading together). On an answer,
 * *status is its status code, body (may be NULL) gets up to
 * PROBE_BODY_MAX bytes of the body, and the call returns 0. No answer
 * (refused, reset, timed out, not HTTP) is -1 with the reason in err,
 * e.g. "no answer from 127.0.0.1:8080 within 2000 ms".
 */
int probe_http_get(int *status, struct strbuf *body, const char *host, int port,
		   const char *path, long timeout_ms, struct strbuf *err);

#endif
