/*
 * http: the listener, connections (read buffer, parser, write buffer),
 * routing and the periodic sweep that enforces time limits and sends
 * stream heartbeats. Each connection answers one request at a time;
 * pipelined requests wait in the read buffer. What handlers do with a
 * request (files, JSON, a database) is theirs.
 */
#include "util/http.h"
#include "util/arena.h"
#include "util/digest.h"
#include "util/json.h"
#include "util/xalloc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

static const struct http_limits http_default_limits = {
	.request_line = 8 << 10,
	.header_bytes = 16 << 10,
	.headers = 64,
	.body = 1 << 20,
	.conns = 256,
	.stream_buffer = 1 << 20,
	.idle_ms = 30000,
	.request_ms = 10000,
};

struct http_conn {
	struct http_server *s;
	struct http_conn *prev, *next;
	int fd;
	unsigned watched;               /* LOOP_* events currently asked for */
	char peer[64];
	struct strbuf in;               /* received, not yet consumed */
	struct strbuf out;              /* to send, from out_off */
	size_t out_off;
	struct strbuf extra;            /* headers added for the next answer */
	struct arena a;                 /* the current request's strings */
	uint64_t request_start_ms;      /* first byte of the request being received */
	uint64_t last_ms;               /* last activity (read or write) */
	int responded, keep_alive, head, sent_continue;
	int close_after;                /* close once out is sent */
	int dead;                       /* being closed: freed by the loop */
	int streaming;
	const char *heartbeat;
	uint64_t heartbeat_ms;
	http_close_fn *on_close;
	void *close_data;
};

struct http_server {
	struct loop *loop;
	int fd;
	char address[80];
	const struct http_route *routes;
	size_t nr_routes;
	void *data;
	const char *json_prefix;
	struct http_limits lim;
	struct http_conn *conns;
	size_t nr_conns;
	uint64_t sweep_timer, reap_timer, sweep_ms;
	int stopping;
};

static const struct {
	int status;
	const char *reason;
} http_reasons[] = {
	{ 100, "Continue" }, { 200, "OK" }, { 201, "Created" }, { 202, "Accepted" },
	{ 204, "No Content" }, { 301, "Moved Permanently" }, { 302, "Found" },
	{ 304, "Not Modified" }, { 400, "Bad Request" }, { 401, "Unauthorized" },
	{ 403, "Forbidden" }, { 404, "Not Found" }, { 405, "Method Not Allowed" },
	{ 408, "Request Timeout" }, { 409, "Conflict" }, { 411, "Length Required" },
	{ 413, "Content Too Large" }, { 414, "URI Too Long" }, { 415, "Unsupported Media Type" },
	{ 422, "Unprocessable Content" }, { 429, "Too Many Requests" },
	{ 431, "Request Header Fields Too Large" }, { 500, "Internal Server Error" },
	{ 501, "Not Implemented" }, { 503, "Service Unavailable" },
	{ 505, "HTTP Version Not Supported" },
};

const char *http_reason(int status)
{
	for (size_t i = 0; i < sizeof(http_reasons) / sizeof(*http_reasons); i++)
		if (http_reasons[i].status == status)
			return http_reasons[i].reason;
	return "Unknown";
}

/* --- connection lifetime --- */

static void http_reap_cb(struct loop *l, uint64_t id, void *data);
static void http_conn_cb(struct loop *l, int fd, unsigned events, void *data);
static void http_conn_kill(struct http_conn *c);

static void http_conn_set_watch(struct http_conn *c)
{
	unsigned want;
	int pending = c->out.len > c->out_off;

	if (c->dead)
		return;
	if (c->streaming)
		want = LOOP_READ | (pending ? LOOP_WRITE : 0);
	else
		want = pending ? LOOP_WRITE : LOOP_READ;
	if (want == c->watched)
		return;
	if (loop_watch_fd(c->s->loop, c->fd, want, http_conn_cb, c) < 0)
		http_conn_kill(c);
	else
		c->watched = want;
}

/* Mark c for closing; the loop frees it (and calls on_close) soon after. */
static void http_conn_kill(struct http_conn *c)
{
	struct http_server *s = c->s;

	if (c->dead)
		return;
	c->dead = 1;
	loop_unwatch_fd(s->loop, c->fd);
	c->watched = 0;
	if (!s->reap_timer)
		s->reap_timer = loop_add_timer(s->loop, 0, http_reap_cb, s);
}

static void http_conn_free(struct http_conn *c)
{
	struct http_server *s = c->s;

	if (!c->dead)
		loop_unwatch_fd(s->loop, c->fd);
	close(c->fd);
	if (c->prev)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	s->nr_conns--;
	if (c->on_close)
		c->on_close(c, c->close_data);
	strbuf_release(&c->in);
	strbuf_release(&c->out);
	strbuf_release(&c->extra);
	arena_release(&c->a);
	free(c);
}

static void http_reap_cb(struct loop *l, uint64_t id, void *data)
{
	struct http_server *s = data;
	struct http_conn *c = s->conns, *next;

	(void)l;
	(void)id;
	s->reap_timer = 0;
	for (; c; c = next) {
		next = c->next;
		if (c->dead)
			http_conn_free(c);
	}
}

/* Send what can be sent now; a failed send kills the connection. */
static void http_conn_flush(struct http_conn *c)
{
	while (!c->dead && c->out.len > c->out_off) {
		ssize_t n = send(c->fd, c->out.buf + c->out_off, c->out.len - c->out_off,
				 MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			http_conn_kill(c);
			return;
		}
		c->out_off += (size_t)n;
		c->last_ms = loop_now_ms();
	}
	if (c->out_off == c->out.len) {
		strbuf_reset(&c->out);
		c->out_off = 0;
		if (c->close_after)
			http_conn_kill(c);
	} else if (c->out_off > (64 << 10)) {
		memmove(c->out.buf, c->out.buf + c->out_off, c->out.len - c->out_off);
		strbuf_setlen(&c->out, c->out.len - c->out_off);
		c->out_off = 0;
	}
	http_conn_set_watch(c);
}

/* --- answering --- */

static void http_add_head(struct http_conn *c, int status, const char *content_type,
			  long long length)
{
	strbuf_addf(&c->out, "HTTP/1.1 %d %s\r\n", status, http_reason(status));
	if (content_type)
		strbuf_addf(&c->out, "Content-Type: %s\r\n", content_type);
	if (length >= 0)
		strbuf_addf(&c->out, "Content-Length: %lld\r\n", length);
	strbuf_addf(&c->out, "Connection: %s\r\n", c->close_after ? "close" : "keep-alive");
	strbuf_add(&c->out, c->extra.buf, c->extra.len);
	strbuf_addstr(&c->out, "\r\n");
	strbuf_reset(&c->extra);
}

int http_conn_add_header(struct http_conn *c, const char *name, const char *value)
{
	if (!*name || strpbrk(name, "\r\n:") || strpbrk(value, "\r\n"))
		return -1;
	strbuf_addf(&c->extra, "%s: %s\r\n", name, value);
	return 0;
}

void http_respond(struct http_conn *c, int status, const char *content_type, const void *body,
		  size_t len)
{
	if (c->responded || c->dead)
		return;
	c->responded = 1;
	if (!c->keep_alive || c->s->stopping)
		c->close_after = 1;
	http_add_head(c, status, content_type, (long long)len);
	if (!c->head)
		strbuf_add(&c->out, body, len);
}

static int http_wants_json(const struct http_server *s, const struct http_request *req)
{
	const char *accept = req ? http_request_header(req, "Accept") : NULL;
	size_t n;

	if (accept && !strcasecmp(accept, "application/json"))
		return 1;
	if (!s->json_prefix || !req || !req->path)
		return 0;
	n = strlen(s->json_prefix);
	return !strncmp(req->path, s->json_prefix, n) && (!req->path[n] || req->path[n] == '/');
}

static void http_vrespond_error(struct http_conn *c, const struct http_request *req, int status,
				const char *fmt, va_list ap)
{
	struct strbuf msg = STRBUF_INIT, body = STRBUF_INIT;

	strbuf_vaddf(&msg, fmt, ap);
	if (http_wants_json(c->s, req)) {
		strbuf_addstr(&body, "{\"error\": ");
		json_write_string(&body, msg.buf, msg.len);
		strbuf_addf(&body, ", \"status\": %d}\n", status);
		http_respond(c, status, "application/json", body.buf, body.len);
	} else {
		strbuf_addf(&body, "%s\n", msg.buf);
		http_respond(c, status, "text/plain; charset=utf-8", body.buf, body.len);
	}
	strbuf_release(&msg);
	strbuf_release(&body);
}

void http_respond_error(struct http_conn *c, const struct http_request *req, int status,
			const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	http_vrespond_error(c, req, status, fmt, ap);
	va_end(ap);
}

/* A request we cannot read on: answer and close. */
static void http_conn_fail(struct http_conn *c, const struct http_request *req, int status,
			   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void http_conn_fail(struct http_conn *c, const struct http_request *req, int status,
			   const char *fmt, ...)
{
	va_list ap;

	c->keep_alive = 0;
	c->head = 0;
	strbuf_reset(&c->in);
	va_start(ap, fmt);
	http_vrespond_error(c, req, status, fmt, ap);
	va_end(ap);
}

void http_stream_begin(struct http_conn *c, int status, const char *content_type,
		       const char *heartbeat, uint64_t heartbeat_ms, http_close_fn *on_close,
		       void *data)
{
	if (c->responded || c->dead)
		return;
	c->responded = 1;
	c->streaming = 1;
	c->close_after = 0;
	c->keep_alive = 0;
	c->heartbeat = heartbeat;
	c->heartbeat_ms = heartbeat_ms;
	c->on_close = on_close;
	c->close_data = data;
	http_conn_add_header(c, "Cache-Control", "no-cache");
	http_conn_add_header(c, "X-Accel-Buffering", "no");
	strbuf_addf(&c->out, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nConnection: close\r\n", status,
		    http_reason(status), content_type);
	strbuf_add(&c->out, c->extra.buf, c->extra.len);
	strbuf_addstr(&c->out, "\r\n");
	strbuf_reset(&c->extra);
	if (c->s->stopping)
		c->close_after = 1;
}

int http_stream_write(struct http_conn *c, const void *data, size_t len)
{
	if (c->dead || !c->streaming || c->close_after)
		return -1;
	if (c->out.len - c->out_off + len > c->s->lim.stream_buffer) {
		http_conn_kill(c);
		return -1;
	}
	strbuf_add(&c->out, data, len);
	http_conn_flush(c);
	return c->dead ? -1 : 0;
}

void http_stream_end(struct http_conn *c)
{
	if (c->dead || !c->streaming)
		return;
	c->close_after = 1;
	http_conn_flush(c);
}

/* --- requests --- */

const char *http_request_header(const struct http_request *r, const char *name)
{
	for (size_t i = 0; i < r->nr_headers; i++)
		if (!strcasecmp(r->headers[i].name, name))
			return r->headers[i].value;
	return NULL;
}

/* Percent-decode s[0..len) into out; -1 on a bad escape or a NUL. */
static int http_decode(struct strbuf *out, const char *s, size_t len, int plus_is_space)
{
	for (size_t i = 0; i < len; i++) {
		int ch = (unsigned char)s[i];

		if (ch == '%') {
			unsigned char byte;

			if (i + 2 >= len || digest_unhex(&byte, s + i + 1, 1) < 0)
				return -1;
			ch = byte;
			i += 2;
		} else if (ch == '+' && plus_is_space) {
			ch = ' ';
		}
		if (!ch)
			return -1;
		strbuf_addch(out, ch);
	}
	return 0;
}

int http_query_param(struct strbuf *out, const struct http_request *r, const char *name)
{
	const char *p = r->query;
	size_t nlen = strlen(name);

	while (p && *p) {
		const char *end = strchr(p, '&'), *eq;
		size_t len = end ? (size_t)(end - p) : strlen(p);

		eq = memchr(p, '=', len);
		if ((eq ? (size_t)(eq - p) : len) == nlen && !strncmp(p, name, nlen)) {
			struct strbuf v = STRBUF_INIT;
			int ok = !eq || http_decode(&v, eq + 1, len - (size_t)(eq + 1 - p), 1) == 0;

			if (ok) {
				strbuf_reset(out);
				strbuf_add(out, v.buf, v.len);
			}
			strbuf_release(&v);
			return ok;
		}
		p = end ? end + 1 : NULL;
	}
	return 0;
}

static int http_is_tchar(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       (ch && strchr("!#$%&'*+-.^_`|~", ch));
}

/*
 * Match the raw path (no query) against a route pattern, capturing {name}
 * segments decoded into the request's arena. Returns 1 on a match.
 */
static int http_route_match(struct http_conn *c, struct http_request *req, const char *pattern,
			    const char *raw, size_t raw_len)
{
	const char *p = pattern, *r = raw, *rend = raw + raw_len;
	size_t nr = 0;

	while (*p && r < rend) {
		const char *pseg_end = strchr(p + 1, '/'), *rseg_end;
		size_t plen, rlen;

		if (*p != '/' || *r != '/')
			return 0;
		p++;
		r++;
		pseg_end = pseg_end ? pseg_end : p + strlen(p);
		rseg_end = memchr(r, '/', (size_t)(rend - r));
		rseg_end = rseg_end ? rseg_end : rend;
		plen = (size_t)(pseg_end - p);
		rlen = (size_t)(rseg_end - r);
		if (plen > 2 && p[0] == '{' && p[plen - 1] == '}') {
			struct strbuf v = STRBUF_INIT;

			if (!rlen || nr == HTTP_MAX_PARAMS || http_decode(&v, r, rlen, 0) < 0) {
				strbuf_release(&v);
				return 0;
			}
			req->params[nr++] = arena_strndup(&c->a, v.buf, v.len);
			strbuf_release(&v);
		} else if (plen != rlen || memcmp(p, r, plen)) {
			return 0;
		}
		p = pseg_end;
		r = rseg_end;
	}
	if (*p || r != rend)
		return 0;
	req->nr_params = nr;
	return 1;
}

static void http_dispatch(struct http_conn *c, struct http_request *req, size_t raw_len)
{
	struct http_server *s = c->s;
	const char *method = c->head ? "GET" : req->method;
	struct strbuf allow = STRBUF_INIT;

	for (size_t i = 0; i < s->nr_routes; i++) {
		const struct http_route *rt = &s->routes[i];

		if (!http_route_match(c, req, rt->pattern, req->target, raw_len))
			continue;
		if (!strcmp(rt->method, method)) {
			rt->fn(c, req, s->data);
			if (!c->responded)
				http_respond_error(c, req, 500, "the handler for '%s' gave no answer",
						   req->path);
			strbuf_release(&allow);
			return;
		}
		if (!strstr(allow.buf, rt->method))
			strbuf_addf(&allow, "%s%s", allow.len ? ", " : "", rt->method);
	}
	if (allow.len) {
		if (strstr(allow.buf, "GET"))
			strbuf_addstr(&allow, ", HEAD");
		http_conn_add_header(c, "Allow", allow.buf);
		http_respond_error(c, req, 405, "method '%s' is not allowed on '%s'", req->method,
				   req->path);
	} else {
		http_respond_error(c, req, 404, "no such page: '%s'", req->path);
	}
	strbuf_release(&allow);
}

/* The token header value contains (comma-separated, case-insensitive)? */
static int http_header_has(const char *value, const char *token)
{
	size_t n = strlen(token);

	while (value && *value) {
		value += strspn(value, " \t,");
		if (!strncasecmp(value, token, n) && strchr(" \t,", value[n]))
			return 1;
		value = strchr(value, ',');
	}
	return 0;
}

static int http_parse_request_line(struct http_conn *c, struct http_request *req, char *line)
{
	char *sp1 = strchr(line, ' '), *sp2, *q;
	struct strbuf path = STRBUF_INIT;

	if (!sp1 || sp1 == line)
		return -1;
	*sp1 = '\0';
	for (const char *m = line; *m; m++)
		if (!http_is_tchar((unsigned char)*m))
			return -1;
	req->method = line;
	req->target = sp1 + 1;
	sp2 = strchr(sp1 + 1, ' ');
	if (!sp2 || strchr(sp2 + 1, ' '))
		return -1;
	*sp2 = '\0';
	if (!strcmp(sp2 + 1, "HTTP/1.1"))
		req->minor = 1;
	else if (!strcmp(sp2 + 1, "HTTP/1.0"))
		req->minor = 0;
	else
		return -1;
	if (req->target[0] != '/')
		return -1;
	q = strchr(req->target, '?');
	req->query = q ? q + 1 : "";
	if (http_decode(&path, req->target, q ? (size_t)(q - req->target) : strlen(req->target),
			0) < 0) {
		strbuf_release(&path);
		return -1;
	}
	req->path = arena_strndup(&c->a, path.buf, path.len);
	strbuf_release(&path);
	return 0;
}

/* Split header lines into name/value pairs; -1: malformed, -2: too many. */
static int http_parse_headers(struct http_conn *c, struct http_request *req, char *p)
{
	struct http_header *h;
	size_t nr = 0, cap = 0;

	for (char *q = p; q && *q; q = strstr(q, "\r\n"), q = q ? q + 2 : NULL)
		cap++;
	if (cap > c->s->lim.headers)
		return -2;
	h = arena_alloc(&c->a, (cap + 1) * sizeof(*h));
	while (*p) {
		char *eol = strstr(p, "\r\n"), *colon, *v, *e;

		if (eol)
			*eol = '\0';
		colon = strchr(p, ':');
		if (!colon || colon == p)
			return -1;
		*colon = '\0';
		for (const char *n = p; *n; n++)
			if (!http_is_tchar((unsigned char)*n))
				return -1;
		v = colon + 1;
		v += strspn(v, " \t");
		e = v + strlen(v);
		while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
			*--e = '\0';
		for (const char *x = v; *x; x++)
			if ((unsigned char)*x < 0x20 && *x != '\t')
				return -1;
		h[nr].name = p;
		h[nr].value = v;
		nr++;
		if (!eol)
			break;
		p = eol + 2;
	}
	req->headers = h;
	req->nr_headers = nr;
	return 0;
}

/* Decide Content-Length; returns the length, -1 for a malformed header, -2 when absent. */
static long long http_content_length(const struct http_request *req)
{
	long long len = -2;

	for (size_t i = 0; i < req->nr_headers; i++) {
		const char *v = req->headers[i].value;
		long long n = 0;

		if (strcasecmp(req->headers[i].name, "Content-Length"))
			continue;
		if (!*v || strspn(v, "0123456789") != strlen(v) || strlen(v) > 15)
			return -1;
		for (; *v; v++)
			n = n * 10 + (*v - '0');
		if (len >= 0 && len != n)
			return -1;
		len = n;
	}
	return len;
}

/*
 * Try to take one request from c->in. Returns 1 when one was answered
 * (or refused), 0 when more bytes are needed.
 */
static int http_conn_parse(struct http_conn *c)
{
	const struct http_limits *lim = &c->s->lim;
	struct http_request req;
	char *head, *end, *eol;
	size_t skip, head_len, line_len;
	long long clen;
	const char *te, *conn_hdr;
	int rc;

	skip = 0;
	while (skip + 1 < c->in.len && c->in.buf[skip] == '\r' && c->in.buf[skip + 1] == '\n')
		skip += 2;
	if (skip) {
		memmove(c->in.buf, c->in.buf + skip, c->in.len - skip);
		strbuf_setlen(&c->in, c->in.len - skip);
	}
	if (!c->in.len)
		return 0;
	end = memmem(c->in.buf, c->in.len, "\r\n\r\n", 4);
	eol = memmem(c->in.buf, c->in.len, "\r\n", 2);
	line_len = eol ? (size_t)(eol - c->in.buf) : c->in.len;
	memset(&req, 0, sizeof(req));
	if (line_len > lim->request_line) {
		http_conn_fail(c, NULL, 414, "the request line is longer than %zu bytes",
			       lim->request_line);
		return 1;
	}
	if (!end) {
		if (c->in.len <= lim->request_line + lim->header_bytes + 4)
			return 0;
		http_conn_fail(c, NULL, 431, "the request headers exceed %zu bytes",
			       lim->header_bytes);
		return 1;
	}
	head_len = (size_t)(end - c->in.buf) + 4;
	if (head_len - line_len - 2 > lim->header_bytes + 2) {
		http_conn_fail(c, NULL, 431, "the request headers exceed %zu bytes",
			       lim->header_bytes);
		return 1;
	}
	arena_release(&c->a);
	head = arena_strndup(&c->a, c->in.buf, head_len - 4);
	head[line_len] = '\0';
	if (http_parse_request_line(c, &req, head) < 0) {
		http_conn_fail(c, NULL, 400, "malformed request line");
		return 1;
	}
	rc = line_len < head_len - 4 ? http_parse_headers(c, &req, head + line_len + 2) : 0;
	if (rc == -2) {
		http_conn_fail(c, &req, 431, "more than %zu request headers", lim->headers);
		return 1;
	}
	if (rc < 0) {
		http_conn_fail(c, &req, 400, "malformed request header");
		return 1;
	}
	clen = http_content_length(&req);
	te = http_request_header(&req, "Transfer-Encoding");
	if (clen == -1) {
		http_conn_fail(c, &req, 400, "malformed Content-Length");
		return 1;
	}
	if (te || (clen == -2 && (!strcmp(req.method, "POST") || !strcmp(req.method, "PUT") ||
				  !strcmp(req.method, "PATCH")))) {
		http_conn_fail(c, &req, 411, "a request body needs a Content-Length");
		return 1;
	}
	if (clen > (long long)lim->body) {
		http_conn_fail(c, &req, 413, "the request body is larger than %zu bytes", lim->body);
		return 1;
	}
	if (clen < 0)
		clen = 0;
	if (c->in.len < head_len + (size_t)clen) {
		const char *expect = http_request_header(&req, "Expect");

		if (expect && !strcasecmp(expect, "100-continue") && !c->sent_continue) {
			c->sent_continue = 1;
			strbuf_addstr(&c->out, "HTTP/1.1 100 Continue\r\n\r\n");
		}
		return 0;
	}
	req.body = arena_strndup(&c->a, c->in.buf + head_len, (size_t)clen);
	req.body_len = (size_t)clen;
	req.peer = c->peer;
	conn_hdr = http_request_header(&req, "Connection");
	c->keep_alive = req.minor == 1 ? !http_header_has(conn_hdr, "close")
				       : http_header_has(conn_hdr, "keep-alive");
	c->head = !strcmp(req.method, "HEAD");
	c->responded = 0;
	c->sent_continue = 0;
	memmove(c->in.buf, c->in.buf + head_len + clen, c->in.len - head_len - (size_t)clen);
	strbuf_setlen(&c->in, c->in.len - head_len - (size_t)clen);
	{
		const char *q = strchr(req.target, '?');

		http_dispatch(c, &req, q ? (size_t)(q - req.target) : strlen(req.target));
	}
	c->request_start_ms = loop_now_ms();
	return 1;
}

/* Answer as many buffered requests as can be answered without waiting for a send. */
static void http_conn_process(struct http_conn *c)
{
	while (!c->dead && !c->streaming && !c->close_after && c->out.len == c->out_off) {
		if (!http_conn_parse(c))
			break;
		http_conn_flush(c);
	}
	if (!c->dead && c->out.len > c->out_off)
		http_conn_flush(c);
	http_conn_set_watch(c);
}

static void http_conn_cb(struct loop *l, int fd, unsigned events, void *data)
{
	struct http_conn *c = data;
	char buf[16384];

	(void)l;
	if (events & LOOP_WRITE) {
		http_conn_flush(c);
		if (!c->dead && !c->streaming && c->out.len == c->out_off)
			http_conn_process(c);
	}
	if (!c->dead && (events & (LOOP_READ | LOOP_HUP))) {
		size_t cap = c->s->lim.request_line + c->s->lim.header_bytes + c->s->lim.body + 8;
		ssize_t n;

		if (!c->streaming && c->in.len >= cap) {
			http_conn_fail(c, NULL, 413, "the request is too large");
			http_conn_flush(c);
		} else {
			n = recv(fd, buf, c->streaming ? sizeof(buf)
						       : (cap - c->in.len < sizeof(buf)
								  ? cap - c->in.len
								  : sizeof(buf)), 0);
			if (n > 0) {
				c->last_ms = loop_now_ms();
				if (!c->streaming) {
					if (!c->in.len)
						c->request_start_ms = c->last_ms;
					strbuf_add(&c->in, buf, (size_t)n);
					http_conn_process(c);
				}
			} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
				http_conn_kill(c);
			}
		}
	}
	if (c->dead)
		http_conn_free(c);
}

/* --- listener and sweep --- */

static void http_accept_cb(struct loop *l, int fd, unsigned events, void *data)
{
	struct http_server *s = data;

	(void)events;
	for (;;) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		int cfd = accept4(fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct http_conn *c;
		char host[INET6_ADDRSTRLEN] = "?", port[8] = "?";

		if (cfd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			break;
		}
		if (s->nr_conns >= s->lim.conns || s->stopping) {
			close(cfd);
			continue;
		}
		c = xcalloc(1, sizeof(*c));
		c->s = s;
		c->fd = cfd;
		strbuf_init(&c->in, 0);
		strbuf_init(&c->out, 0);
		strbuf_init(&c->extra, 0);
		arena_init(&c->a);
		getnameinfo((struct sockaddr *)&ss, sl, host, sizeof(host), port, sizeof(port),
			    NI_NUMERICHOST | NI_NUMERICSERV);
		snprintf(c->peer, sizeof(c->peer), "%s:%s", host, port);
		c->last_ms = c->request_start_ms = loop_now_ms();
		c->keep_alive = 1;
		if (loop_watch_fd(l, cfd, LOOP_READ, http_conn_cb, c) < 0) {
			close(cfd);
			strbuf_release(&c->in);
			free(c);
			continue;
		}
		c->watched = LOOP_READ;
		c->next = s->conns;
		if (s->conns)
			s->conns->prev = c;
		s->conns = c;
		s->nr_conns++;
	}
}

static void http_sweep_cb(struct loop *l, uint64_t id, void *data)
{
	struct http_server *s = data;
	uint64_t now = loop_now_ms();

	(void)id;
	for (struct http_conn *c = s->conns; c; c = c->next) {
		if (c->dead)
			continue;
		if (c->streaming) {
			if (c->heartbeat && c->out.len == c->out_off && !c->close_after &&
			    now - c->last_ms >= c->heartbeat_ms)
				http_stream_write(c, c->heartbeat, strlen(c->heartbeat));
		} else if (c->out.len > c->out_off) {
			if (now - c->last_ms >= s->lim.idle_ms)
				http_conn_kill(c);
		} else if (c->in.len) {
			if (now - c->request_start_ms >= s->lim.request_ms) {
				http_conn_fail(c, NULL, 408, "the request took too long to arrive");
				http_conn_flush(c);
			}
		} else if (now - c->last_ms >= s->lim.idle_ms) {
			http_conn_kill(c);
		}
	}
	s->sweep_timer = loop_add_timer(l, s->sweep_ms, http_sweep_cb, s);
}

/* Split "host:port" / "[v6]:port" / ":port"; -1 when malformed. */
static int http_split_listen(struct strbuf *host, struct strbuf *port, const char *addr)
{
	const char *colon;

	if (addr[0] == '[') {
		const char *close = strchr(addr, ']');

		if (!close || close[1] != ':')
			return -1;
		strbuf_add(host, addr + 1, (size_t)(close - addr - 1));
		colon = close + 1;
	} else {
		colon = strrchr(addr, ':');
		if (!colon)
			return -1;
		strbuf_add(host, addr, (size_t)(colon - addr));
	}
	strbuf_addstr(port, colon + 1);
	if (!port->len || port->len > 5 || strspn(port->buf, "0123456789") != port->len ||
	    atoi(port->buf) > 65535)
		return -1;
	if (!host->len)
		strbuf_addstr(host, "127.0.0.1");
	return 0;
}

static int http_bind(struct http_server *s, const char *addr, struct strbuf *err)
{
	struct strbuf host = STRBUF_INIT, port = STRBUF_INIT;
	struct addrinfo hints = { 0 }, *res = NULL;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char h[INET6_ADDRSTRLEN], p[8];
	int one = 1, rc = -1, gai;

	if (http_split_listen(&host, &port, addr) < 0) {
		strbuf_addf(err, "cannot listen on '%s': expected HOST:PORT", addr);
		goto out;
	}
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	gai = getaddrinfo(host.buf, port.buf, &hints, &res);
	if (gai) {
		strbuf_addf(err, "cannot listen on '%s': %s", addr, gai_strerror(gai));
		goto out;
	}
	s->fd = socket(res->ai_family, res->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0 || setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(s->fd, res->ai_addr, res->ai_addrlen) < 0 || listen(s->fd, 128) < 0 ||
	    getsockname(s->fd, (struct sockaddr *)&ss, &sl) < 0) {
		strbuf_addf(err, "cannot listen on '%s': %s", addr, strerror(errno));
		goto out;
	}
	getnameinfo((struct sockaddr *)&ss, sl, h, sizeof(h), p, sizeof(p),
		    NI_NUMERICHOST | NI_NUMERICSERV);
	snprintf(s->address, sizeof(s->address), ss.ss_family == AF_INET6 ? "[%s]:%s" : "%s:%s",
		 h, p);
	rc = 0;
out:
	if (res)
		freeaddrinfo(res);
	strbuf_release(&host);
	strbuf_release(&port);
	return rc;
}

#define HTTP_LIMIT(field) \
	s->lim.field = cfg->limits.field ? cfg->limits.field : http_default_limits.field

int http_server_start(struct http_server **out, struct loop *l, const struct http_config *cfg,
		      struct strbuf *err)
{
	struct http_server *s = xcalloc(1, sizeof(*s));

	s->loop = l;
	s->fd = -1;
	s->routes = cfg->routes;
	s->nr_routes = cfg->nr_routes;
	s->data = cfg->data;
	s->json_prefix = cfg->json_prefix;
	HTTP_LIMIT(request_line);
	HTTP_LIMIT(header_bytes);
	HTTP_LIMIT(headers);
	HTTP_LIMIT(body);
	HTTP_LIMIT(conns);
	HTTP_LIMIT(stream_buffer);
	HTTP_LIMIT(idle_ms);
	HTTP_LIMIT(request_ms);
	s->sweep_ms = 1000;
	if (s->lim.idle_ms / 4 < s->sweep_ms)
		s->sweep_ms = s->lim.idle_ms / 4;
	if (s->lim.request_ms / 4 < s->sweep_ms)
		s->sweep_ms = s->lim.request_ms / 4;
	if (s->sweep_ms < 10)
		s->sweep_ms = 10;
	if (http_bind(s, cfg->listen ? cfg->listen : HTTP_DEFAULT_LISTEN, err) < 0 ||
	    loop_watch_fd(l, s->fd, LOOP_READ, http_accept_cb, s) < 0) {
		if (!err->len)
			strbuf_addf(err, "cannot watch the listener: %s", strerror(errno));
		if (s->fd >= 0)
			close(s->fd);
		free(s);
		return -1;
	}
	s->sweep_timer = loop_add_timer(l, s->sweep_ms, http_sweep_cb, s);
	*out = s;
	return 0;
}

const char *http_server_address(const struct http_server *s)
{
	return s->address;
}

size_t http_server_connections(const struct http_server *s)
{
	return s->nr_conns;
}

void http_server_stop(struct http_server *s)
{
	if (s->stopping)
		return;
	s->stopping = 1;
	loop_unwatch_fd(s->loop, s->fd);
	close(s->fd);
	s->fd = -1;
	for (struct http_conn *c = s->conns; c; c = c->next) {
		if (c->dead)
			continue;
		if (c->streaming) {
			http_stream_end(c);
		} else if (c->out.len > c->out_off) {
			c->close_after = 1;
		} else {
			http_conn_kill(c);
		}
	}
}

void http_server_free(struct http_server *s)
{
	if (!s)
		return;
	if (s->fd >= 0) {
		loop_unwatch_fd(s->loop, s->fd);
		close(s->fd);
	}
	loop_cancel_timer(s->loop, s->sweep_timer);
	loop_cancel_timer(s->loop, s->reap_timer);
	while (s->conns) {
		s->conns->dead = 1;
		loop_unwatch_fd(s->loop, s->conns->fd);
		http_conn_free(s->conns);
	}
	free(s);
}
