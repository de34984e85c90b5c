/*
 * Unit tests for util/http: routing and captures, keep-alive and
 * pipelining, every limit's status code, bodies in pieces, streams
 * (heartbeats, disconnect detection, buffer cap) and a graceful stop,
 * with a plain socket client on the same loop.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/http.h"
#include "util/loop.h"

struct fixture {
	struct loop *l;
	struct http_server *s;
	struct http_conn *stream;
	int stream_closed;
	int port;
};

static void h_hello(struct http_conn *c, const struct http_request *r, void *data)
{
	struct strbuf sb = STRBUF_INIT, q = STRBUF_INIT;

	(void)data;
	strbuf_addf(&sb, "%s %s", r->method, r->path);
	for (size_t i = 0; i < r->nr_params; i++)
		strbuf_addf(&sb, " [%s]", r->params[i]);
	if (http_query_param(&q, r, "x"))
		strbuf_addf(&sb, " x=%s", q.buf);
	http_respond(c, 200, "text/plain", sb.buf, sb.len);
	strbuf_release(&sb);
	strbuf_release(&q);
}

static void h_echo(struct http_conn *c, const struct http_request *r, void *data)
{
	(void)data;
	http_conn_add_header(c, "X-Len", "yes");
	http_respond(c, 201, "application/octet-stream", r->body, r->body_len);
}

static void h_silent(struct http_conn *c, const struct http_request *r, void *data)
{
	(void)c;
	(void)r;
	(void)data;
}

static void on_stream_close(struct http_conn *c, void *data)
{
	struct fixture *f = data;

	(void)c;
	f->stream_closed++;
	f->stream = NULL;
}

static void h_stream(struct http_conn *c, const struct http_request *r, void *data)
{
	struct fixture *f = data;

	(void)r;
	http_stream_begin(c, 200, "text/event-stream", ": ping\n\n", 50, on_stream_close, f);
	http_stream_write(c, "data: one\n\n", 11);
	f->stream = c;
}

static const struct http_route routes[] = {
	{ "GET", "/hello", h_hello },
	{ "GET", "/api/runs/{id}/logs/{job}", h_hello },
	{ "POST", "/api/echo", h_echo },
	{ "PUT", "/api/echo", h_echo },
	{ "GET", "/silent", h_silent },
	{ "GET", "/stream", h_stream },
};

static int setup_limits(void **state, const struct http_limits *lim)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct strbuf err = STRBUF_INIT;
	struct http_config cfg = { "127.0.0.1:0", routes, sizeof(routes) / sizeof(*routes), NULL,
				   "/api", { 0 } };

	f->l = loop_new();
	cfg.data = f;
	if (lim)
		cfg.limits = *lim;
	if (http_server_start(&f->s, f->l, &cfg, &err) < 0)
		fail_msg("%s", err.buf);
	f->port = atoi(strrchr(http_server_address(f->s), ':') + 1);
	strbuf_release(&err);
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return setup_limits(state, NULL);
}

static int setup_small(void **state)
{
	struct http_limits lim = { .request_line = 64, .header_bytes = 256, .headers = 4,
				   .body = 32, .stream_buffer = 4096, .idle_ms = 300,
				   .request_ms = 200 };

	return setup_limits(state, &lim);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	http_server_free(f->s);
	loop_free(f->l);
	free(f);
	return 0;
}

static int client(struct fixture *f)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)f->port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != EINPROGRESS)
		fail_msg("connect: %s", strerror(errno));
	return fd;
}

static void send_all(struct fixture *f, int fd, const char *s, size_t len)
{
	while (len) {
		ssize_t n = send(fd, s, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EAGAIN) {
			loop_run_once(f->l, 5);
			continue;
		}
		assert_true(n > 0);
		s += n;
		len -= (size_t)n;
	}
}

/*
 * Pump the loop and read until `until` appears in what was received, the
 * server closes (returns 1 then), or ms pass.
 */
static int pump(struct fixture *f, int fd, struct strbuf *got, const char *until, int ms)
{
	for (int waited = 0; waited < ms; waited += 5) {
		char buf[4096];
		ssize_t n;

		loop_run_once(f->l, 5);
		while ((n = recv(fd, buf, sizeof(buf), 0)) > 0)
			strbuf_add(got, buf, (size_t)n);
		if (n == 0)
			return 1;
		if (until && strstr(got->buf, until))
			return 0;
	}
	return 0;
}

/* Has got a whole response (head and Content-Length bytes of body)? */
static int complete(const struct strbuf *got)
{
	const char *end = strstr(got->buf, "\r\n\r\n"), *cl = strstr(got->buf, "Content-Length: ");

	return end && cl && cl < end && got->len >= (size_t)(end + 4 - got->buf) + strtoul(cl + 16, NULL, 10);
}

/* Send a request on a fresh connection; read until the server closes or one response is whole. */
static void exchange(struct fixture *f, const char *req, struct strbuf *got)
{
	int fd = client(f);

	send_all(f, fd, req, strlen(req));
	for (int i = 0; i < 400 && !complete(got); i++)
		if (pump(f, fd, got, "\r\n\r\n", 5))
			break;
	close(fd);
}

static void test_routes_and_captures(void **state)
{
	struct fixture *f = *state;
	struct strbuf got = STRBUF_INIT;

	exchange(f, "GET /api/runs/r%2D1/logs/ci.test.3?x=a+b%21 HTTP/1.1\r\nHost: x\r\n"
		    "Connection: close\r\n\r\n", &got);
	assert_non_null(strstr(got.buf, "HTTP/1.1 200 OK\r\n"));
	assert_non_null(strstr(got.buf, "Content-Length: 57\r\n"));
	assert_non_null(strstr(got.buf, "Connection: close\r\n"));
	assert_non_null(strstr(got.buf, "\r\n\r\nGET /api/runs/r-1/logs/ci.test.3 [r-1] [ci.test.3] x=a b!"));
	assert_string_equal(http_server_address(f->s) + 0, http_server_address(f->s));
	assert_int_equal(strncmp(http_server_address(f->s), "127.0.0.1:", 10), 0);
	strbuf_release(&got);
}

static void test_errors(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *req, *want;
	} cases[] = {
		{ "GET /nope HTTP/1.1\r\n\r\n", "HTTP/1.1 404 Not Found\r\n" },
		{ "GET /api/nope HTTP/1.1\r\n\r\n", "{\"error\": \"no such page: '/api/nope'\", \"status\": 404}" },
		{ "DELETE /api/echo HTTP/1.1\r\n\r\n", "Allow: POST, PUT\r\n" },
		{ "POST /hello HTTP/1.1\r\nContent-Length: 0\r\n\r\n", "Allow: GET, HEAD\r\n" },
		{ "POST /api/echo HTTP/1.1\r\n\r\n", "HTTP/1.1 411 Length Required" },
		{ "POST /api/echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", "411 Length Required" },
		{ "POST /api/echo HTTP/1.1\r\nContent-Length: 1x\r\n\r\n", "400 Bad Request" },
		{ "POST /api/echo HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n", "400 Bad Request" },
		{ "GET /hello HTTP/2.0\r\n\r\n", "400 Bad Request" },
		{ "GET hello HTTP/1.1\r\n\r\n", "400 Bad Request" },
		{ "GET /he%zzllo HTTP/1.1\r\n\r\n", "400 Bad Request" },
		{ "GET /hello%00 HTTP/1.1\r\n\r\n", "400 Bad Request" },
		{ "GET /hello HTTP/1.1\r\nBad Header\r\n\r\n", "400 Bad Request" },
		{ "G(T /hello HTTP/1.1\r\n\r\n", "400 Bad Request" },
		{ "GET /silent HTTP/1.1\r\n\r\n", "500 Internal Server Error" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct strbuf got = STRBUF_INIT;

		exchange(f, cases[i].req, &got);
		if (!strstr(got.buf, cases[i].want))
			fail_msg("case %zu: wanted '%s' in:\n%s", i, cases[i].want, got.buf);
		strbuf_release(&got);
	}
}

static void test_limits(void **state)
{
	struct fixture *f = *state;
	struct strbuf req = STRBUF_INIT, got = STRBUF_INIT;

	strbuf_addf(&req, "GET /%0100d HTTP/1.1\r\n\r\n", 0);
	exchange(f, req.buf, &got);
	assert_non_null(strstr(got.buf, "HTTP/1.1 414 URI Too Long"));

	strbuf_reset(&req);
	strbuf_reset(&got);
	strbuf_addstr(&req, "GET /hello HTTP/1.1\r\n");
	for (int i = 0; i < 5; i++)
		strbuf_addf(&req, "X-%d: y\r\n", i);
	strbuf_addstr(&req, "\r\n");
	exchange(f, req.buf, &got);
	assert_non_null(strstr(got.buf, "431 Request Header Fields Too Large"));
	assert_non_null(strstr(got.buf, "more than 4 request headers"));

	strbuf_reset(&req);
	strbuf_reset(&got);
	strbuf_addf(&req, "GET /hello HTTP/1.1\r\nX-Big: %0300d\r\n\r\n", 0);
	exchange(f, req.buf, &got);
	assert_non_null(strstr(got.buf, "431 Request Header Fields Too Large"));

	strbuf_reset(&got);
	exchange(f, "POST /api/echo HTTP/1.1\r\nContent-Length: 33\r\n\r\n", &got);
	assert_non_null(strstr(got.buf, "413 Content Too Large"));
	assert_non_null(strstr(got.buf, "{\"error\": \"the request body is larger than 32 bytes\""));

	/* a request that never completes is answered 408 and closed */
	strbuf_reset(&got);
	exchange(f, "GET /hello HTTP/1.1\r\nHost: slow", &got);
	assert_non_null(strstr(got.buf, "408 Request Timeout"));
	strbuf_release(&req);
	strbuf_release(&got);
}

static void test_keep_alive_and_pipelining(void **state)
{
	struct fixture *f = *state;
	struct strbuf got = STRBUF_INIT;
	int fd = client(f), closed;
	const char *two = "GET /hello HTTP/1.1\r\n\r\nPOST /api/echo HTTP/1.1\r\n"
			  "Content-Length: 5\r\n\r\nabcde";
	const char *p;

	send_all(f, fd, two, strlen(two));
	closed = pump(f, fd, &got, "abcde", 2000);
	assert_false(closed);
	p = strstr(got.buf, "HTTP/1.1 200 OK");
	assert_non_null(p);
	assert_non_null(strstr(p, "Connection: keep-alive"));
	p = strstr(p, "HTTP/1.1 201 Created");
	assert_non_null(p);
	assert_non_null(strstr(p, "X-Len: yes\r\n"));
	assert_int_equal(http_server_connections(f->s), 1);

	/* a body arriving in pieces, and HEAD without a body */
	strbuf_reset(&got);
	send_all(f, fd, "PUT /api/echo HTTP/1.1\r\nContent-Length: 6\r\n\r\nxy", strlen("PUT /api/echo HTTP/1.1\r\nContent-Length: 6\r\n\r\nxy"));
	pump(f, fd, &got, NULL, 30);
	assert_int_equal(got.len, 0);
	send_all(f, fd, "zw12HEAD /hello HTTP/1.0\r\n\r\n", strlen("zw12HEAD /hello HTTP/1.0\r\n\r\n"));
	closed = pump(f, fd, &got, NULL, 2000);
	assert_true(closed);
	if (!strstr(got.buf, "\r\n\r\nxyzw12HTTP/1.1 200 OK"))
		fail_msg("got:\n%s", got.buf);
	assert_non_null(strstr(got.buf, "Content-Length: 11\r\nConnection: close\r\n\r\n"));
	assert_null(strstr(got.buf, "HEAD /hello"));
	close(fd);
	strbuf_release(&got);
}

/* A request answered, then part of the next one: the server waits for the rest. */
static void test_partial_after_answer(void **state)
{
	struct fixture *f = *state;
	struct strbuf got = STRBUF_INIT;
	int fd = client(f);

	send_all(f, fd, "GET /hello HTTP/1.1\r\n\r\nGET /hel", strlen("GET /hello HTTP/1.1\r\n\r\nGET /hel"));
	assert_false(pump(f, fd, &got, "GET /hello", 2000));
	send_all(f, fd, "lo?x=2 HTTP/1.1\r\nConnection: close\r\n\r\n", strlen("lo?x=2 HTTP/1.1\r\nConnection: close\r\n\r\n"));
	assert_true(pump(f, fd, &got, NULL, 2000));
	assert_non_null(strstr(got.buf, "GET /hello x=2"));
	close(fd);
	strbuf_release(&got);
}

static void test_idle_close(void **state)
{
	struct fixture *f = *state;
	struct strbuf got = STRBUF_INIT;
	int fd = client(f);

	send_all(f, fd, "GET /hello HTTP/1.1\r\n\r\n", strlen("GET /hello HTTP/1.1\r\n\r\n"));
	assert_true(pump(f, fd, &got, NULL, 2000));     /* closed after idle_ms */
	assert_non_null(strstr(got.buf, "200 OK"));
	close(fd);
	strbuf_release(&got);
}

static void test_stream(void **state)
{
	struct fixture *f = *state;
	struct strbuf got = STRBUF_INIT;
	int fd = client(f);

	send_all(f, fd, "GET /stream HTTP/1.1\r\nAccept: text/event-stream\r\n\r\n", strlen("GET /stream HTTP/1.1\r\nAccept: text/event-stream\r\n\r\n"));
	pump(f, fd, &got, "data: one", 2000);
	assert_non_null(strstr(got.buf, "Content-Type: text/event-stream\r\n"));
	assert_null(strstr(got.buf, "Content-Length"));
	assert_non_null(f->stream);
	assert_int_equal(http_stream_write(f->stream, "data: two\n\n", 11), 0);
	pump(f, fd, &got, ": ping", 2000);
	assert_non_null(strstr(got.buf, "data: one\n\ndata: two\n\n: ping\n\n"));
	/* the client leaves: the stream's close function runs from the loop */
	close(fd);
	for (int i = 0; i < 100 && !f->stream_closed; i++)
		loop_run_once(f->l, 10);
	assert_int_equal(f->stream_closed, 1);
	assert_int_equal(http_server_connections(f->s), 0);

	/* a client that reads nothing is dropped at the buffer cap */
	fd = client(f);
	send_all(f, fd, "GET /stream HTTP/1.1\r\n\r\n", strlen("GET /stream HTTP/1.1\r\n\r\n"));
	for (int i = 0; i < 100 && !f->stream; i++)
		loop_run_once(f->l, 5);
	assert_non_null(f->stream);
	{
		char block[1024];
		int rc = 0;

		memset(block, 'x', sizeof(block));
		for (int i = 0; i < 100000 && rc == 0; i++)
			rc = http_stream_write(f->stream, block, sizeof(block));
		assert_int_equal(rc, -1);
	}
	for (int i = 0; i < 100 && f->stream_closed < 2; i++)
		loop_run_once(f->l, 5);
	assert_int_equal(f->stream_closed, 2);
	close(fd);
	strbuf_release(&got);
}

static void test_graceful_stop(void **state)
{
	struct fixture *f = *state;
	struct strbuf got = STRBUF_INIT, got2 = STRBUF_INIT;
	int idle = client(f), streamer = client(f), late;

	send_all(f, idle, "GET /hello HTTP/1.1\r\n\r\n", strlen("GET /hello HTTP/1.1\r\n\r\n"));
	pump(f, idle, &got, "GET /hello", 2000);
	send_all(f, streamer, "GET /stream HTTP/1.1\r\n\r\n", strlen("GET /stream HTTP/1.1\r\n\r\n"));
	pump(f, streamer, &got2, "data: one", 2000);
	http_server_stop(f->s);
	http_server_stop(f->s);
	assert_true(pump(f, idle, &got, NULL, 2000));
	assert_true(pump(f, streamer, &got2, NULL, 2000));
	assert_int_equal(f->stream_closed, 1);
	assert_int_equal(http_server_connections(f->s), 0);
	late = client(f);
	{
		char c;
		ssize_t n;

		loop_run_once(f->l, 10);
		n = recv(late, &c, 1, 0);
		assert_true(n <= 0 && (n == 0 || errno == ECONNREFUSED || errno == ECONNRESET ||
				       errno == EAGAIN));
	}
	close(late);
	close(idle);
	close(streamer);
	strbuf_release(&got);
	strbuf_release(&got2);
}

static void test_bind_errors(void **state)
{
	struct loop *l = loop_new();
	struct http_server *s = NULL;
	struct strbuf err = STRBUF_INIT;
	struct http_config cfg = { "nonsense", routes, 1, NULL, NULL, { 0 } };

	(void)state;
	assert_int_equal(http_server_start(&s, l, &cfg, &err), -1);
	assert_string_equal(err.buf, "cannot listen on 'nonsense': expected HOST:PORT");
	strbuf_reset(&err);
	cfg.listen = "127.0.0.1:99999";
	assert_int_equal(http_server_start(&s, l, &cfg, &err), -1);
	strbuf_reset(&err);
	cfg.listen = "[::1]:0";
	if (http_server_start(&s, l, &cfg, &err) == 0) {
		assert_int_equal(strncmp(http_server_address(s), "[::1]:", 6), 0);
		http_server_free(s);
	}
	strbuf_release(&err);
	loop_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_routes_and_captures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limits, setup_small, teardown),
		cmocka_unit_test_setup_teardown(test_keep_alive_and_pipelining, setup, teardown),
		cmocka_unit_test_setup_teardown(test_partial_after_answer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_idle_close, setup_small, teardown),
		cmocka_unit_test_setup_teardown(test_stream, setup_small, teardown),
		cmocka_unit_test_setup_teardown(test_graceful_stop, setup, teardown),
		cmocka_unit_test(test_bind_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
