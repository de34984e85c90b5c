/*
 * http: a small HTTP/1.1 server on util/loop (no threads): non-blocking
 * accept, request parsing with hard limits, keep-alive and pipelining, a
 * route table with {name} captures, Content-Length responses, streamed
 * responses (server-sent events) with heartbeats and disconnect
 * detection, and a graceful stop. It knows nothing of what it serves.
 *
 * Handlers run on the loop and must answer with exactly one of
 * http_respond / http_respond_error / http_stream_begin before they
 * return (a handler that does not gets a 500). Strings in a request live
 * until the handler returns.
 */
#ifndef UTIL_HTTP_H
#define UTIL_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "util/loop.h"
#include "util/strbuf.h"

#define HTTP_DEFAULT_LISTEN "127.0.0.1:8080"
#define HTTP_MAX_PARAMS 4

struct http_server;
struct http_conn;

struct http_header {
	const char *name;
	const char *value;
};

struct http_request {
	const char *method;             /* "GET", "POST", ... (HEAD is routed as GET) */
	const char *target;             /* as sent: "/api/runs?state=queued" */
	const char *path;               /* percent-decoded, without the query */
	const char *query;              /* raw, after '?'; "" when none */
	int minor;                      /* HTTP/1.<minor> */
	const struct http_header *headers;
	size_t nr_headers;
	const char *body;               /* NUL-terminated; "" when none */
	size_t body_len;
	const char *params[HTTP_MAX_PARAMS];    /* {name} captures in order, decoded */
	size_t nr_params;
	const char *peer;               /* "127.0.0.1:54321" */
};

typedef void http_handler_fn(struct http_conn *c, const struct http_request *req, void *data);

/*
 * A route: method ("GET", "POST"...) and a pattern of '/'-separated
 * segments where "{name}" matches one non-empty segment. The first match
 * wins; a path matched under another method only gets 405 with Allow.
 */
struct http_route {
	const char *method;
	const char *pattern;
	http_handler_fn *fn;
};

/* Hard limits; a zero member takes the default in brackets. */
struct http_limits {
	size_t request_line;    /* bytes of the request line [8 KiB]; over: 414 */
	size_t header_bytes;    /* bytes of all header lines [16 KiB]; over: 431 */
	size_t headers;         /* header count [64]; over: 431 */
	size_t body;            /* Content-Length [1 MiB]; over: 413 */
	size_t conns;           /* open connections [256]; over: closed at once */
	size_t stream_buffer;   /* unsent bytes a stream may queue [1 MiB]; over: dropped */
	uint64_t idle_ms;       /* keep-alive idle time [30 s] */
	uint64_t request_ms;    /* time to receive a whole request [10 s]; over: 408 */
};

struct http_config {
	const char *listen;             /* "HOST:PORT", "[::1]:PORT"; NULL: HTTP_DEFAULT_LISTEN */
	const struct http_route *routes;
	size_t nr_routes;
	void *data;                     /* passed to every handler */
	const char *json_prefix;        /* errors below this path are JSON (e.g. "/api") */
	struct http_limits limits;
};

/*
 * Bind and listen (port 0: any free port), and serve on l from now on.
 * routes and json_prefix must outlive the server. Returns 0, or -1 with
 * "cannot listen on 'HOST:PORT': REASON" in err.
 */
int http_server_start(struct http_server **out, struct loop *l, const struct http_config *cfg,
		      struct strbuf *err);
/* The bound address, "127.0.0.1:8080" (the real port when 0 was asked). */
const char *http_server_address(const struct http_server *s);
/*
 * Graceful stop: close the listener and idle connections, end streams,
 * and let responses under way finish. Returns at once; the connections
 * close on the loop. Safe to call twice.
 */
void http_server_stop(struct http_server *s);
/* Connections still open (0 after a stop once everything is sent). */
size_t http_server_connections(const struct http_server *s);
/* Close everything (calling streams' close functions) and free. */
void http_server_free(struct http_server *s);

/* Case-insensitive header lookup; NULL when absent (the first wins). */
const char *http_request_header(const struct http_request *r, const char *name);
/*
 * Find name in the query string and set out to its decoded value ('+'
 * is a space). Returns 1 when present, 0 when absent or malformed.
 */
int http_query_param(struct strbuf *out, const struct http_request *r, const char *name);

/*
 * Add a response header for the answer about to be given. Names and
 * values with CR, LF or NUL are refused (-1).
 */
int http_conn_add_header(struct http_conn *c, const char *name, const char *value);

/* Answer with status, content type and body (Content-Length is set). */
void http_respond(struct http_conn *c, int status, const char *content_type, const void *body,
		  size_t len);
/*
 * Answer with an error: {"error": "message"} as JSON below json_prefix
 * (or when the client accepts only JSON), else the message as text.
 */
void http_respond_error(struct http_conn *c, const struct http_request *req, int status,
			const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* The standard reason phrase ("Not Found"), "Unknown" for others. */
const char *http_reason(int status);

typedef void http_close_fn(struct http_conn *c, void *data);

/*
 * Start a streamed answer (no Content-Length; the connection closes when
 * it ends). heartbeat, when not NULL, is sent whenever the stream has
 * been quiet for heartbeat_ms (": ping\n\n" keeps an EventSource alive).
 * on_close is called exactly once, from the loop (never inside an http_*
 * call), when the client goes away, the stream is ended or the server
 * stops; c is invalid after it.
 */
void http_stream_begin(struct http_conn *c, int status, const char *content_type,
		       const char *heartbeat, uint64_t heartbeat_ms, http_close_fn *on_close,
		       void *data);
/*
 * Queue bytes on a stream. Returns 0, or -1 when the client is gone or
 * fell more than limits.stream_buffer behind (the stream is then being
 * closed: write no more and wait for on_close).
 */
int http_stream_write(struct http_conn *c, const void *data, size_t len);
/* Finish the stream once what is queued has been sent. */
void http_stream_end(struct http_conn *c);

#endif
