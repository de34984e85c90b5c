/*
 * probe: a single HTTP GET over a non-blocking socket, with one deadline
 * for the whole exchange. It reads the status line and the start of the
 * body and nothing else of HTTP (no chunked decoding, no redirects); the
 * health checks that use it need no more.
 */
#include "util/probe.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Headers beyond this are not read: an answer is judged by its first bytes. */
#define PROBE_HEAD_MAX 16384

static long probe_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for events on fd until the deadline: 1 ready, 0 timed out, -1 error. */
static int probe_wait(int fd, short events, long deadline)
{
	for (;;) {
		struct pollfd p = { fd, events, 0 };
		long left = deadline - probe_now_ms();
		int n;

		if (left <= 0)
			return 0;
		n = poll(&p, 1, (int)left);
		if (n > 0)
			return 1;
		if (n == 0)
			return 0;
		if (errno != EINTR)
			return -1;
	}
}

/* A connected non-blocking socket to one of host's addresses, or -1 with err. */
static int probe_connect(const char *host, int port, long deadline, struct strbuf *err)
{
	struct addrinfo hints, *res = NULL;
	char service[16];
	int fd = -1, rc, last = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(service, sizeof(service), "%d", port);
	rc = getaddrinfo(host, service, &hints, &res);
	if (rc) {
		strbuf_addf(err, "cannot resolve '%s': %s", host, gai_strerror(rc));
		return -1;
	}
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		int soerr = 0;
		socklen_t len = sizeof(soerr);

		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
			    ai->ai_protocol);
		if (fd < 0) {
			last = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		if (errno == EINPROGRESS) {
			rc = probe_wait(fd, POLLOUT, deadline);
			if (rc > 0 && !getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) && !soerr)
				break;
			last = rc == 0 ? ETIMEDOUT : soerr ? soerr : errno;
		} else {
			last = errno;
		}
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		strbuf_addf(err, "cannot connect to %s:%d: ", host, port);
		strbuf_add_strerror(err, last ? last : ECONNREFUSED);
	}
	return fd;
}

static int probe_send(int fd, const char *buf, size_t len, long deadline)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n > 0) {
			buf += n;
			len -= (size_t)n;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && errno == EAGAIN) {
			if (probe_wait(fd, POLLOUT, deadline) <= 0)
				return -1;
		} else {
			return -1;
		}
	}
	return 0;
}

/* Read until the peer closes, the deadline, or head+body caps; -1 on a reset. */
static int probe_recv(int fd, struct strbuf *in, long deadline)
{
	char buf[4096];

	while (in->len < PROBE_HEAD_MAX + PROBE_BODY_MAX) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n > 0) {
			strbuf_add(in, buf, (size_t)n);
		} else if (n == 0) {
			return 0;
		} else if (errno == EINTR) {
			continue;
		} else if (errno == EAGAIN) {
			int rc = probe_wait(fd, POLLIN, deadline);

			if (rc <= 0)
				return rc == 0 && in->len ? 0 : -1;
		} else {
			return -1;
		}
	}
	return 0;
}

int probe_http_get(int *status, struct strbuf *body, const char *host, int port,
		   const char *path, long timeout_ms, struct strbuf *err)
{
	long deadline = probe_now_ms() + (timeout_ms > 0 ? timeout_ms : 1);
	struct strbuf req = STRBUF_INIT, in = STRBUF_INIT;
	const char *p;
	char *end;
	int fd, code, ret = -1;

	fd = probe_connect(host, port, deadline, err);
	if (fd < 0)
		return -1;
	strbuf_addf(&req, "GET %s HTTP/1.1\r\nHost: %s:%d\r\nUser-Agent: slipway-probe\r\n"
		    "Accept: */*\r\nConnection: close\r\n\r\n", *path ? path : "/", host, port);
	if (probe_send(fd, req.buf, req.len, deadline) < 0 || probe_recv(fd, &in, deadline) < 0) {
		if (probe_now_ms() >= deadline)
			strbuf_addf(err, "no answer from %s:%d within %ld ms", host, port, timeout_ms);
		else
			strbuf_addf(err, "the connection to %s:%d was closed without an answer",
				    host, port);
		goto out;
	}
	if (in.len < 12 || strncmp(in.buf, "HTTP/1.", 7) || in.buf[8] != ' ') {
		strbuf_addf(err, "%s:%d did not answer in HTTP", host, port);
		goto out;
	}
	code = (int)strtol(in.buf + 9, &end, 10);
	if (end != in.buf + 12 || code < 100 || code > 999) {
		strbuf_addf(err, "%s:%d sent a malformed status line", host, port);
		goto out;
	}
	*status = code;
	p = strstr(in.buf, "\r\n\r\n");
	if (body && p) {
		size_t n = in.len - (size_t)(p + 4 - in.buf);

		strbuf_add(body, p + 4, n < PROBE_BODY_MAX ? n : PROBE_BODY_MAX);
	}
	ret = 0;
out:
	close(fd);
	strbuf_release(&req);
	strbuf_release(&in);
	return ret;
}
