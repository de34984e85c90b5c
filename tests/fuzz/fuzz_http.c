/*
 * fuzz_http: libFuzzer entry point for util/http's request parser, driven
 * the only way a client can: the bytes go to a live server (small limits,
 * routes with captures, a body echo and a stream) over a loopback socket,
 * then the client half-closes and the loop runs until the server closes.
 */
#include <stddef.h>
#include <stdint.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/http.h"
#include "util/loop.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_get(struct http_conn *c, const struct http_request *r, void *d)
{
	struct strbuf q = STRBUF_INIT;

	(void)d;
	http_query_param(&q, r, "x");
	http_conn_add_header(c, "X-Seen", r->nr_params ? r->params[0] : "-");
	http_respond(c, 200, "text/plain", q.buf, q.len);
	strbuf_release(&q);
}

static void fuzz_post(struct http_conn *c, const struct http_request *r, void *d)
{
	(void)d;
	http_respond_error(c, r, 409, "%zu bytes from %s", r->body_len,
			   http_request_header(r, "User-Agent") ? "an agent" : "nobody");
}

static void fuzz_stream(struct http_conn *c, const struct http_request *r, void *d)
{
	(void)r;
	(void)d;
	http_stream_begin(c, 200, "text/event-stream", ": ping\n\n", 1000, NULL, NULL);
	http_stream_write(c, "data: x\n\n", 9);
	http_stream_end(c);
}

static const struct http_route fuzz_routes[] = {
	{ "GET", "/api/runs/{id}/logs/{job}", fuzz_get },
	{ "GET", "/", fuzz_get },
	{ "POST", "/api/runs/{id}/approve", fuzz_post },
	{ "GET", "/stream", fuzz_stream },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct loop *l;
	static struct http_server *s;
	static struct sockaddr_in sa;
	int fd, shut = 0;
	size_t off = 0;

	if (!l) {
		struct strbuf err = STRBUF_INIT;
		struct http_config cfg = { "127.0.0.1:0", fuzz_routes,
					   sizeof(fuzz_routes) / sizeof(*fuzz_routes), NULL, "/api",
					   { 128, 512, 8, 256, 16, 4096, 1000, 1000 } };

		l = loop_new();
		if (!l || http_server_start(&s, l, &cfg, &err) < 0)
			abort();
		sa.sin_family = AF_INET;
		sa.sin_port = htons((uint16_t)atoi(strrchr(http_server_address(s), ':') + 1));
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		strbuf_release(&err);
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return 0;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != EINPROGRESS) {
		close(fd);
		return 0;
	}
	for (int round = 0; round < 500; round++) {
		char buf[4096];
		ssize_t n;

		if (off < size) {
			n = send(fd, data + off, size - off, MSG_NOSIGNAL);
			if (n > 0)
				off += (size_t)n;
			else if (n < 0 && errno != EAGAIN)
				break;
		} else if (!shut) {
			shutdown(fd, SHUT_WR);
			shut = 1;
		}
		loop_run_once(l, 1);
		while ((n = recv(fd, buf, sizeof(buf), 0)) > 0)
			;
		if (n == 0 || (n < 0 && errno != EAGAIN))
			break;
	}
	close(fd);
	for (int i = 0; i < 3; i++)
		loop_run_once(l, 0);
	return 0;
}
