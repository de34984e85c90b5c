/*
 * Tests for the Docker engine client (runner/engine*.c): the stream
 * decoders fed in pieces; a fake engine on a unix socket (forked here)
 * for what a real one will not do on demand — die mid-call, stall, speak
 * another API version; and the real engine with the locally built
 * busybox image for every call. Without an engine the second half is skipped, or fails when
 * SLIPWAY_TEST_REQUIRE_DOCKER=1. Everything created carries this run's
 * label and is removed after each test; the last test checks none is left.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "runner/engine.h"
#include "runner/engine_req.h"
#include "util/json.h"
#include "util/strbuf.h"
#include "util/strlist.h"
#include "util/tarball.h"

#define BUSYBOX "slipway-test/busybox:latest"

static struct {
	struct engine *e;           /* NULL when no engine answers */
	int require;                /* SLIPWAY_TEST_REQUIRE_DOCKER=1 */
	struct strbuf why;          /* why there is no engine */
	char scratch[64];
	char run_id[64];
	char label[96];             /* "slipway.run=<run_id>" */
	struct strlist images;      /* image names the tests made, removed after each */
	pid_t fake, registry;
} g;

static volatile sig_atomic_t cancel_flag;

#define NEED_DOCKER() do { \
	if (!g.e) { \
		if (g.require) \
			fail_msg("no Docker engine (SLIPWAY_TEST_REQUIRE_DOCKER=1): %s", g.why.buf); \
		skip(); \
	} \
} while (0)

/* ------------------------------------------------------------------ */
/* Helpers */

struct output {
	struct strbuf out, err;
	int stop_after;             /* return -1 after this many calls (0: never) */
	int calls;
};

static int collect(void *data, enum engine_stream s, const char *buf, size_t len)
{
	struct output *o = data;

	strbuf_add(s == ENGINE_STDOUT ? &o->out : &o->err, buf, len);
	return o->stop_after && ++o->calls >= o->stop_after ? -1 : 0;
}

static void output_release(struct output *o)
{
	strbuf_release(&o->out);
	strbuf_release(&o->err);
}

static void collect_line(void *data, const char *line, size_t len)
{
	strlist_push_owned(data, strndup(line, len));
}

static int to_strbuf(void *data, const void *buf, size_t len)
{
	strbuf_add(data, buf, len);
	return 0;
}

static int has_line(const struct strlist *l, const char *needle)
{
	for (size_t i = 0; i < l->nr; i++)
		if (strstr(l->items[i], needle))
			return 1;
	return 0;
}

static void assert_prefix(const char *s, const char *prefix)
{
	if (strncmp(s, prefix, strlen(prefix)))
		fail_msg("\"%s\" does not start with \"%s\"", s, prefix);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void write_file(const char *path, const char *text, int mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* "sh -c script" as an argv list (owned by the caller). */
static void sh_argv(struct strlist *l, const char *script)
{
	strlist_push(l, "sh");
	strlist_push(l, "-c");
	strlist_push(l, script);
}

/* Create and start a busybox container running script; its id into id. */
static void start_busybox(struct strbuf *id, const char *script, const char *network,
			  const char *alias)
{
	struct strlist cmd = STRLIST_INIT, aliases = STRLIST_INIT;
	struct engine_container_spec spec = { 0 };
	struct strbuf err = STRBUF_INIT;

	sh_argv(&cmd, script);
	if (alias)
		strlist_push(&aliases, alias);
	spec.image = BUSYBOX;
	spec.cmd = &cmd;
	spec.network = network;
	spec.aliases = alias ? &aliases : NULL;
	assert_int_equal(engine_container_create(id, g.e, &spec, &err), 0);
	assert_int_equal(engine_container_start(g.e, id->buf, &err), 0);
	assert_string_equal(err.buf, "");
	strlist_release(&cmd);
	strlist_release(&aliases);
	strbuf_release(&err);
}

/* Run script in the container; returns the exit code. */
static int exec_sh(const char *id, const char *script, struct output *o)
{
	struct strlist cmd = STRLIST_INIT;
	struct engine_exec_spec spec = { 0 };
	struct engine_exec_info info;
	struct strbuf err = STRBUF_INIT;
	int ret;

	sh_argv(&cmd, script);
	spec.cmd = &cmd;
	ret = engine_exec_run(&info, g.e, id, &spec, collect, o, &err);
	assert_string_equal(err.buf, "");
	assert_int_equal(ret, 0);
	assert_false(info.running);
	strlist_release(&cmd);
	strbuf_release(&err);
	return info.exit_code;
}

/* Remove every container, network and volume labelled with this run. */
static int remove_labelled(void)
{
	struct arena a = ARENA_INIT;
	struct strbuf err = STRBUF_INIT;
	struct engine_list l;
	int failures = 0;

	if (!engine_container_list(&l, &a, g.e, g.label, &err))
		for (size_t i = 0; i < l.nr; i++)
			failures += engine_container_remove(g.e, l.items[i].id, ENGINE_REMOVE_FORCE |
							    ENGINE_REMOVE_VOLUMES, &err) < 0;
	if (!engine_network_list(&l, &a, g.e, g.label, &err))
		for (size_t i = 0; i < l.nr; i++)
			failures += engine_network_remove(g.e, l.items[i].id, &err) < 0;
	if (!engine_volume_list(&l, &a, g.e, g.label, &err))
		for (size_t i = 0; i < l.nr; i++)
			failures += engine_volume_remove(g.e, l.items[i].name, 1, &err) < 0;
	if (err.len)
		fprintf(stderr, "# cleanup: %s\n", err.buf);
	strbuf_release(&err);
	arena_release(&a);
	return failures;
}

static void stop_child(pid_t *pid)
{
	if (*pid > 0) {
		kill(*pid, SIGKILL);
		waitpid(*pid, NULL, 0);
	}
	*pid = 0;
}

static int cleanup(void **state)
{
	(void)state;
	stop_child(&g.fake);
	stop_child(&g.registry);
	if (!g.e)
		return 0;
	remove_labelled();
	for (size_t i = 0; i < g.images.nr; i++) {
		struct strbuf err = STRBUF_INIT;

		engine_image_remove(g.e, g.images.items[i], 1, &err);
		strbuf_release(&err);
	}
	strlist_release(&g.images);
	engine_set_timeouts(g.e, 60000, 0);
	engine_set_cancel(g.e, NULL);
	return 0;
}

/* ------------------------------------------------------------------ */
/* A fake engine: answers requests by the first rule whose prefix matches
 * "METHOD /path"; serves several connections; counts them. */

enum fake_action {
	FAKE_REPLY,             /* send the response, keep the connection */
	FAKE_REPLY_CLOSE,       /* send it and hang up (a dying engine) */
	FAKE_STALL,             /* never answer */
	FAKE_COUNT,             /* answer the number of connections accepted so far */
};

struct fake_rule {
	const char *request;        /* "METHOD /path" prefix */
	enum fake_action action;
	const char *status;         /* "404 Not Found": body goes with a Content-Length */
	const char *body;           /* without a status: the raw answer */
	size_t len;                 /* of a raw answer with NUL bytes (0: strlen) */
};

static void fake_answer(int fd, const char *request, const struct fake_rule *rules,
			int *close_it, int connections)
{
	const struct fake_rule *r;
	char buf[256];

	for (r = rules; r->request; r++)
		if (!strncmp(request, r->request, strlen(r->request)))
			break;
	if (!r->request) {
		static const char none[] = "HTTP/1.1 404 Not Found\r\nContent-Length: 26\r\n\r\n"
			"{\"message\":\"no such rule\"}";

		(void)!write(fd, none, sizeof(none) - 1);
		return;
	}
	switch (r->action) {
	case FAKE_STALL:
		return;
	case FAKE_COUNT:
		snprintf(buf, sizeof(buf), "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%d",
			 connections > 9 ? 2 : 1, connections);
		(void)!write(fd, buf, strlen(buf));
		return;
	case FAKE_REPLY_CLOSE:
		*close_it = 1;
		/* fall through */
	case FAKE_REPLY:
		if (r->status) {
			snprintf(buf, sizeof(buf), "HTTP/1.1 %s\r\nContent-Length: %zu\r\n\r\n",
				 r->status, strlen(r->body));
			(void)!write(fd, buf, strlen(buf));
		}
		(void)!write(fd, r->body, r->len ? r->len : strlen(r->body));
		return;
	}
}

static void fake_serve(int lfd, const struct fake_rule *rules)
{
	struct pollfd fds[16];
	struct strbuf bufs[16];
	int nfds = 1, connections = 0;

	fds[0].fd = lfd;
	fds[0].events = POLLIN;
	for (;;) {
		if (poll(fds, (nfds_t)nfds, -1) < 0)
			continue;
		if (fds[0].revents & POLLIN && nfds < 16) {
			fds[nfds].fd = accept(lfd, NULL, NULL);
			fds[nfds].events = POLLIN;
			fds[nfds].revents = 0;
			strbuf_init(&bufs[nfds], 0);
			if (fds[nfds].fd >= 0) {
				connections++;
				nfds++;
			}
		}
		for (int i = 1; i < nfds; i++) {
			char chunk[4096];
			ssize_t n;
			char *end;
			int close_it = 0;

			if (!(fds[i].revents & (POLLIN | POLLHUP)))
				continue;
			n = read(fds[i].fd, chunk, sizeof(chunk));
			if (n <= 0) {
				close_it = 1;
			} else {
				strbuf_add(&bufs[i], chunk, (size_t)n);
				while ((end = strstr(bufs[i].buf, "\r\n\r\n"))) {
					const char *cl = strcasestr(bufs[i].buf, "Content-Length: ");
					size_t head = (size_t)(end - bufs[i].buf) + 4;
					size_t body = cl && cl < end ? (size_t)atol(cl + 16) : 0;

					if (bufs[i].len < head + body)
						break;
					fake_answer(fds[i].fd, bufs[i].buf, rules, &close_it, connections);
					memmove(bufs[i].buf, bufs[i].buf + head + body,
						bufs[i].len - head - body + 1);
					bufs[i].len -= head + body;
				}
			}
			if (close_it) {
				close(fds[i].fd);
				fds[i] = fds[nfds - 1];
				bufs[i] = bufs[nfds - 1];
				nfds--;
				i--;
			}
		}
	}
}

/* The address fake_start gives. */
static const char *engine_host_of_fake(void)
{
	static char host[128];

	snprintf(host, sizeof(host), "unix://%s/fake.sock", g.scratch);
	return host;
}

/* Start a fake engine; its address ("unix://...") goes to host. */
static void fake_start(struct strbuf *host, const struct fake_rule *rules)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int lfd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/fake.sock", g.scratch);
	unlink(sa.sun_path);
	assert_true(lfd >= 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(lfd, 8), 0);
	g.fake = fork();
	assert_true(g.fake >= 0);
	if (!g.fake) {
		fake_serve(lfd, rules);
		_exit(0);
	}
	close(lfd);
	strbuf_addf(host, "unix://%s", sa.sun_path);
}

#define FAKE_VERSION_141 { "GET /version ", FAKE_REPLY, "200 OK", "{\"ApiVersion\":\"1.41\"}", 0 }
#define FAKE_END { NULL, FAKE_REPLY, NULL, NULL, 0 }

/* ------------------------------------------------------------------ */
/* Without a real engine */

static void test_open_rejects_unknown_schemes(void **state)
{
	struct engine *e = NULL;
	struct strbuf err = STRBUF_INIT;

	(void)state;
	assert_int_equal(engine_open(&e, "ssh://builder@example.com", &err), ENGINE_ERR);
	assert_string_equal(err.buf, "unsupported Docker host 'ssh://builder@example.com': "
			    "use unix:///path/to/socket or tcp://host:port");
	assert_null(e);
	strbuf_release(&err);
}

static void test_unreachable_engine(void **state)
{
	struct engine *e = NULL;
	struct strbuf err = STRBUF_INIT, host = STRBUF_INIT, want = STRBUF_INIT;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	(void)state;
	strbuf_addf(&host, "unix://%s/dead.sock", g.scratch);
	assert_int_equal(engine_open(&e, host.buf, &err), ENGINE_EUNREACHABLE);
	strbuf_addf(&want, "cannot reach the Docker engine at %s: No such file or directory "
		    "(start dockerd or podman's service, or set DOCKER_HOST)", host.buf);
	assert_string_equal(err.buf, want.buf);

	/* a socket nobody listens on, found through DOCKER_HOST */
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/dead.sock", g.scratch);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	setenv("DOCKER_HOST", host.buf, 1);
	strbuf_reset(&err);
	strbuf_reset(&want);
	assert_int_equal(engine_open(&e, NULL, &err), ENGINE_EUNREACHABLE);
	unsetenv("DOCKER_HOST");
	strbuf_addf(&want, "cannot reach the Docker engine at %s: Connection refused "
		    "(start dockerd or podman's service, or set DOCKER_HOST)", host.buf);
	assert_string_equal(err.buf, want.buf);
	unlink(sa.sun_path);

	strbuf_reset(&err);
	assert_int_equal(engine_open(&e, "tcp://127.0.0.1:1", &err), ENGINE_EUNREACHABLE);
	assert_string_equal(err.buf, "cannot reach the Docker engine at tcp://127.0.0.1:1: "
			    "Connection refused (start dockerd or podman's service, or set DOCKER_HOST)");
	strbuf_release(&err);
	strbuf_release(&host);
	strbuf_release(&want);
}

static void open_fake(struct engine **e, const struct fake_rule *rules)
{
	struct strbuf host = STRBUF_INIT, err = STRBUF_INIT;

	fake_start(&host, rules);
	assert_int_equal(engine_open(e, host.buf, &err), 0);
	assert_string_equal(err.buf, "");
	strbuf_release(&host);
	strbuf_release(&err);
}

static void expect_version(const char *server, const char *negotiated, const char *error)
{
	struct strbuf err = STRBUF_INIT, host = STRBUF_INIT, body = STRBUF_INIT;
	struct fake_rule rules[] = {
		{ "GET /version ", FAKE_REPLY, "200 OK", NULL, 0 },
		FAKE_END,
	};
	struct engine *e = NULL;
	int ret;

	strbuf_addf(&body, "{\"ApiVersion\":\"%s\",\"MinAPIVersion\":\"1.12\"}", server);
	rules[0].body = body.buf;
	fake_start(&host, rules);
	ret = engine_open(&e, host.buf, &err);
	if (negotiated) {
		assert_string_equal(err.buf, "");
		assert_int_equal(ret, 0);
		assert_string_equal(engine_api_version(e), negotiated);
		engine_free(e);
	} else {
		assert_int_equal(ret, ENGINE_ERR);
		strbuf_reset(&host);
		strbuf_addf(&host, error, engine_host_of_fake());
		assert_string_equal(err.buf, host.buf);
	}
	stop_child(&g.fake);
	strbuf_release(&err);
	strbuf_release(&host);
	strbuf_release(&body);
}

static void test_version_negotiation(void **state)
{
	(void)state;
	expect_version("1.99", ENGINE_API_NEWEST, NULL);
	expect_version("1.38", "1.38", NULL);
	expect_version("1.41", "1.41", NULL);
	expect_version("1.20", NULL, "the Docker engine at %s speaks API 1.20; slipway needs "
		       ENGINE_API_OLDEST " or newer");
	expect_version("latest", NULL, "the Docker engine at %s did not say which API version "
		       "it speaks");
}

/* One connection serves many calls (keep-alive), under the negotiated prefix. */
static void test_connection_reused(void **state)
{
	static const struct fake_rule rules[] = {
		FAKE_VERSION_141,
		{ "GET /v1.41/connections ", FAKE_COUNT, NULL, NULL, 0 },
		FAKE_END,
	};
	struct engine *e;
	struct arena a = ARENA_INIT;
	struct strbuf err = STRBUF_INIT;
	struct val v;

	(void)state;
	open_fake(&e, rules);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(engine_call(&v, &a, e, "GET", "/connections", NULL, &err), 0);
		assert_int_equal(v.kind, VAL_NUMBER);
		assert_int_equal((int)v.u.number, 1);
	}
	engine_free(e);
	arena_release(&a);
	strbuf_release(&err);
}

static void test_http_errors(void **state)
{
	static const struct fake_rule rules[] = {
		FAKE_VERSION_141,
		{ "POST /v1.41/containers/create ", FAKE_REPLY, "404 Not Found",
		  "{\"message\":\"No such image: ghost:1\"}", 0 },
		{ "POST /v1.41/containers/abc/start ", FAKE_REPLY, "404 Not Found",
		  "{\"message\":\"No such container: abc\"}\n", 0 },
		{ "GET /v1.41/info ", FAKE_REPLY, "500 Internal Server Error", "plain failure", 0 },
		{ "POST /v1.41/containers/abc/stop", FAKE_REPLY, NULL,
		  "HTTP/1.1 304 Not Modified\r\n\r\n", 0 },
		FAKE_END,
	};
	struct engine_container_spec spec = { .image = "ghost:1" };
	struct engine *e;
	struct arena a = ARENA_INIT;
	struct strbuf err = STRBUF_INIT, id = STRBUF_INIT;
	struct val v;

	(void)state;
	open_fake(&e, rules);
	assert_int_equal(engine_container_create(&id, e, &spec, &err), ENGINE_ENOIMAGE);
	assert_string_equal(err.buf, "image 'ghost:1' not present: build or pull it, or map the "
			    "label with -P");
	assert_int_equal(id.len, 0);
	strbuf_reset(&err);
	assert_int_equal(engine_container_start(e, "abc", &err), ENGINE_ENOTFOUND);
	assert_string_equal(err.buf, "cannot start container 'abc': no such container: abc");
	strbuf_reset(&err);
	assert_int_equal(engine_call(&v, &a, e, "GET", "/info", NULL, &err), ENGINE_ERR);
	assert_string_equal(err.buf, "'GET /info' failed: plain failure");
	strbuf_reset(&err);
	assert_int_equal(engine_container_stop(e, "abc", 1, &err), 0);
	assert_string_equal(err.buf, "");
	engine_free(e);
	arena_release(&a);
	strbuf_release(&err);
	strbuf_release(&id);
}

/* The engine dies mid-call: an error, never a hang, and later calls fail fast. */
static void test_engine_dies_mid_call(void **state)
{
	static const char frames[] =
		"HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\n"
		"\001\000\000\000\000\000\000\003ok\n\002\000\000\000\000\000\000\020partial";
	static const struct fake_rule rules[] = {
		FAKE_VERSION_141,
		{ "POST /v1.41/containers/c1/wait", FAKE_REPLY_CLOSE, NULL,
		  "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
		  "Transfer-Encoding: chunked\r\n\r\n", 0 },
		{ "POST /v1.41/exec/x1/start ", FAKE_REPLY_CLOSE, NULL, frames, sizeof(frames) - 1 },
		FAKE_END,
	};
	struct engine *e;
	struct output o = { STRBUF_INIT, STRBUF_INIT, 0, 0 };
	struct strbuf err = STRBUF_INIT, want = STRBUF_INIT;
	int code = -1;
	long start = now_ms();

	(void)state;
	open_fake(&e, rules);
	assert_int_equal(engine_container_wait(&code, e, "c1", &err), ENGINE_EUNREACHABLE);
	strbuf_addf(&want, "cannot wait for container 'c1': lost the connection to the Docker "
		    "engine at %s: ", engine_host(e));
	assert_prefix(err.buf, want.buf);
	strbuf_reset(&err);
	strbuf_reset(&want);
	assert_int_equal(engine_exec_start(e, "x1", 0, collect, &o, &err), ENGINE_EUNREACHABLE);
	strbuf_addf(&want, "lost the output of process 'x1': the stream ended mid-frame (the "
		    "engine at %s may have stopped)", engine_host(e));
	assert_string_equal(err.buf, want.buf);
	assert_string_equal(o.out.buf, "ok\n");
	assert_string_equal(o.err.buf, "partial");
	stop_child(&g.fake);
	strbuf_reset(&err);
	strbuf_reset(&want);
	assert_int_equal(engine_ping(e, &err), ENGINE_EUNREACHABLE);
	strbuf_addf(&want, "cannot ping the Docker engine: cannot reach the Docker engine at %s: "
		    "Connection refused (start dockerd or podman's service, or set DOCKER_HOST)",
		    engine_host(e));
	assert_string_equal(err.buf, want.buf);
	assert_true(now_ms() - start < 3000);
	engine_free(e);
	output_release(&o);
	strbuf_release(&err);
	strbuf_release(&want);
}

/*
 * A follow that misses the container's end (Podman can): after a silence
 * the container is looked at, and, stopped, the rest of its logs is read
 * without following — what the follow delivered is not delivered twice.
 */
#define RAW_STREAM_HEAD "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\n"
#define FRAME_ONE "\x01\0\0\0\0\0\0\x04one\n"
#define FRAME_TWO "\x02\0\0\0\0\0\0\x04two\n"
#define LOGS_ALL_HEAD "HTTP/1.1 200 OK\r\nContent-Length: 24\r\n\r\n"

static void test_logs_follow_missing_the_end(void **state)
{
	static const char follow[] = RAW_STREAM_HEAD FRAME_ONE, all[] = LOGS_ALL_HEAD FRAME_ONE FRAME_TWO;
	static const struct fake_rule rules[] = {
		FAKE_VERSION_141,
		{ "GET /v1.41/containers/c1/json", FAKE_REPLY, "200 OK",
		  "{\"Id\":\"c1\",\"Config\":{\"Tty\":false},\"State\":{\"Running\":false}}", 0 },
		{ "GET /v1.41/containers/c1/logs?stdout=1&stderr=1&follow=1", FAKE_REPLY, NULL, follow,
		  sizeof(follow) - 1 },
		{ "GET /v1.41/containers/c1/logs?stdout=1&stderr=1&follow=0", FAKE_REPLY, NULL, all,
		  sizeof(all) - 1 },
		FAKE_END,
	};
	struct output o = { STRBUF_INIT, STRBUF_INIT, 0, 0 };
	struct strbuf err = STRBUF_INIT;
	struct engine *e;

	(void)state;
	open_fake(&e, rules);
	assert_int_equal(engine_container_logs(e, "c1", 1, collect, &o, &err), 0);
	assert_string_equal(err.buf, "");
	assert_string_equal(o.out.buf, "one\n");
	assert_string_equal(o.err.buf, "two\n");
	engine_free(e);
	stop_child(&g.fake);
	output_release(&o);
	strbuf_release(&err);
}

static void raise_cancel(int sig)
{
	(void)sig;
	cancel_flag = 1;
}

/* A stalled engine: the call timeout, the stream timeout and the cancel flag end it. */
static void test_engine_stalls(void **state)
{
	static const struct fake_rule rules[] = {
		FAKE_VERSION_141,
		{ "GET /v1.41/_ping", FAKE_STALL, NULL, NULL, 0 },
		{ "POST /v1.41/containers/c1/wait", FAKE_STALL, NULL, NULL, 0 },
		FAKE_END,
	};
	struct itimerval tv = { { 0, 0 }, { 0, 200000 } };
	struct engine *e;
	struct strbuf err = STRBUF_INIT, want = STRBUF_INIT;
	long start;
	int code;

	(void)state;
	open_fake(&e, rules);
	engine_set_timeouts(e, 300, 0);
	start = now_ms();
	assert_int_equal(engine_ping(e, &err), ENGINE_EUNREACHABLE);
	strbuf_addf(&want, "cannot ping the Docker engine: no answer from the Docker engine at %s "
		    "within 0.3 s to 'GET /_ping'", engine_host(e));
	assert_string_equal(err.buf, want.buf);
	assert_true(now_ms() - start < 2000);

	strbuf_reset(&err);
	strbuf_reset(&want);
	engine_set_timeouts(e, 60000, 400);
	start = now_ms();
	assert_int_equal(engine_container_wait(&code, e, "c1", &err), ENGINE_EUNREACHABLE);
	strbuf_addf(&want, "cannot wait for container 'c1': no answer from the Docker engine at %s "
		    "within 0.4 s to 'POST /containers/c1/wait?condition=not-running'",
		    engine_host(e));
	assert_string_equal(err.buf, want.buf);
	assert_true(now_ms() - start < 2000);

	strbuf_reset(&err);
	engine_set_timeouts(e, 60000, 0);
	cancel_flag = 0;
	engine_set_cancel(e, &cancel_flag);
	signal(SIGALRM, raise_cancel);
	setitimer(ITIMER_REAL, &tv, NULL);
	start = now_ms();
	assert_int_equal(engine_container_wait(&code, e, "c1", &err), ENGINE_ECANCELLED);
	assert_string_equal(err.buf, "cannot wait for container 'c1': cancelled");
	assert_true(now_ms() - start < 3000);
	signal(SIGALRM, SIG_DFL);
	engine_free(e);
	strbuf_release(&err);
	strbuf_release(&want);
}

/* Frames split anywhere (here: byte by byte) come out whole and in order. */
static void test_demux_split_feeds(void **state)
{
	static const char frames[] =
		"\001\000\000\000\000\000\000\006hello "
		"\002\000\000\000\000\000\000\005oops\n"
		"\001\000\000\000\000\000\000\000"
		"\003\000\000\000\000\000\000\004err!"
		"\001\000\000\000\000\000\000\006world\n";
	struct output o = { STRBUF_INIT, STRBUF_INIT, 0, 0 };
	struct strbuf why = STRBUF_INIT;
	struct engine_demux d;

	(void)state;
	engine_demux_init(&d, 0, collect, &o);
	for (size_t i = 0; i < sizeof(frames) - 1; i++)
		assert_int_equal(engine_demux_feed(&d, frames + i, 1, &why), 0);
	assert_int_equal(engine_demux_finish(&d), 0);
	assert_string_equal(o.out.buf, "hello world\n");
	assert_string_equal(o.err.buf, "oops\nerr!");

	/* cut inside a header, then inside a frame */
	engine_demux_init(&d, 0, collect, &o);
	assert_int_equal(engine_demux_feed(&d, frames, 5, &why), 0);
	assert_int_equal(engine_demux_finish(&d), -1);
	assert_int_equal(engine_demux_feed(&d, frames + 5, 6, &why), 0);
	assert_int_equal(engine_demux_finish(&d), -1);

	engine_demux_init(&d, 0, collect, &o);
	assert_int_equal(engine_demux_feed(&d, "plain text, no frames", 21, &why), ENGINE_ERR);
	assert_string_equal(why.buf, "the engine's output stream is garbled (a frame header was "
			    "expected)");

	strbuf_reset(&o.out);
	engine_demux_init(&d, 1, collect, &o);
	assert_int_equal(engine_demux_feed(&d, "raw\r\n", 5, &why), 0);
	assert_int_equal(engine_demux_finish(&d), 0);
	assert_string_equal(o.out.buf, "raw\r\n");
	output_release(&o);
	strbuf_release(&why);
}

static void test_progress_lines(void **state)
{
	static const char stream[] =
		"{\"stream\":\"Step 1/2 : FROM base\"}\r\n{\"stream\":\"\\n\"}\r\n"
		"{\"status\":\"Downloading\",\"id\":\"a1b2\",\"progress\":\"[=> ] 1B/2B\"}\n"
		"\n   \r\n"
		"not json at all\n"
		"{\"aux\":{\"ID\":\"sha256:abc\"}}\n"
		"{\"aux\":{\"Tag\":\"1\",\"Digest\":\"sha256:def\",\"Size\":1}}\n"
		"{\"errorDetail\":{\"message\":\"first failure\"},\"error\":\"first failure\"}\n"
		"{\"errorDetail\":{\"message\":\"second\"}}\n"
		"{\"stream\":\"no newline at the end\"}";
	struct strlist lines = STRLIST_INIT;
	struct strbuf why = STRBUF_INIT, big = STRBUF_INIT;
	struct engine_progress p;

	(void)state;
	engine_progress_init(&p, collect_line, &lines);
	for (size_t i = 0; i < sizeof(stream) - 1; i += 3)
		assert_int_equal(engine_progress_feed(&p, stream + i,
						      sizeof(stream) - 1 - i < 3 ? sizeof(stream) - 1 - i : 3,
						      &why), 0);
	engine_progress_finish(&p);
	assert_int_equal(lines.nr, 6);
	assert_string_equal(lines.items[0], "Step 1/2 : FROM base");
	assert_string_equal(lines.items[1], "a1b2: Downloading [=> ] 1B/2B");
	assert_string_equal(lines.items[2], "not json at all");
	assert_string_equal(lines.items[3], "first failure");
	assert_string_equal(lines.items[4], "second");
	assert_string_equal(lines.items[5], "no newline at the end");
	assert_string_equal(p.error.buf, "first failure");
	assert_string_equal(p.id.buf, "sha256:abc");
	assert_string_equal(p.digest.buf, "sha256:def");
	engine_progress_release(&p);

	engine_progress_init(&p, NULL, NULL);
	strbuf_addchars(&big, 'x', (1u << 20) + 1);
	assert_int_equal(engine_progress_feed(&p, big.buf, big.len, &why), ENGINE_ERR);
	assert_string_equal(why.buf, "a progress line is longer than 1024 KiB");
	engine_progress_release(&p);
	strlist_release(&lines);
	strbuf_release(&why);
	strbuf_release(&big);
}

/* ------------------------------------------------------------------ */
/* With the real engine */

static void test_version_ping_info(void **state)
{
	struct arena a = ARENA_INIT;
	struct strbuf err = STRBUF_INIT;
	struct val v;

	(void)state;
	NEED_DOCKER();
	assert_int_equal(engine_ping(g.e, &err), 0);
	assert_int_equal(engine_call(&v, &a, g.e, "GET", "/version", NULL, &err), 0);
	assert_non_null(val_object_getstr(v, "ApiVersion"));
	assert_true(strcmp(engine_api_version(g.e), ENGINE_API_OLDEST) >= 0);
	assert_true(strcmp(engine_api_version(g.e), ENGINE_API_NEWEST) <= 0);
	assert_int_equal(engine_call(&v, &a, g.e, "GET", "/info", NULL, &err), 0);
	assert_non_null(val_object_getstr(v, "ID"));
	assert_string_equal(err.buf, "");
	arena_release(&a);
	strbuf_release(&err);
}

static void test_missing_image(void **state)
{
	struct engine_container_spec spec = { .image = "slipway-test/no-such-image:nope" };
	struct strbuf err = STRBUF_INIT, id = STRBUF_INIT;
	struct arena a = ARENA_INIT;
	struct val v;

	(void)state;
	NEED_DOCKER();
	assert_int_equal(engine_container_create(&id, g.e, &spec, &err), ENGINE_ENOIMAGE);
	assert_string_equal(err.buf, "image 'slipway-test/no-such-image:nope' not present: build "
			    "or pull it, or map the label with -P");
	strbuf_reset(&err);
	assert_int_equal(engine_image_inspect(&v, &a, g.e, spec.image, &err), ENGINE_ENOIMAGE);
	assert_int_equal(engine_image_exists(g.e, spec.image, &err), 0);
	assert_int_equal(engine_image_exists(g.e, BUSYBOX, &err), 1);
	arena_release(&a);
	strbuf_release(&err);
	strbuf_release(&id);
}

static void test_container_and_exec(void **state)
{
	struct strlist cmd = STRLIST_INIT, env = STRLIST_INIT, labels = STRLIST_INIT;
	struct strlist tmpfs = STRLIST_INIT;
	struct engine_container_spec spec = { 0 };
	struct engine_exec_spec xs = { 0 };
	struct engine_exec_info info;
	struct engine_container_info ci;
	struct output o = { STRBUF_INIT, STRBUF_INIT, 0, 0 };
	struct strbuf err = STRBUF_INIT, id = STRBUF_INIT;
	struct arena a = ARENA_INIT;
	struct val *label;

	(void)state;
	NEED_DOCKER();
	strlist_push(&cmd, "sleep");
	strlist_push(&cmd, "600");
	strlist_push(&env, "GREETING=hello from env");
	strlist_push(&labels, "org.example.kind=exec-test");
	strlist_push(&tmpfs, "/scratch:size=1m");
	spec.image = BUSYBOX;
	spec.cmd = &cmd;
	spec.env = &env;
	spec.labels = &labels;
	spec.tmpfs = &tmpfs;
	spec.workdir = "/tmp";
	spec.hostname = "job-host";
	assert_int_equal(engine_container_create(&id, g.e, &spec, &err), 0);
	assert_int_equal(id.len, 64);
	assert_int_equal(engine_container_start(g.e, id.buf, &err), 0);
	assert_int_equal(engine_container_start(g.e, id.buf, &err), 0);   /* 304: already */
	assert_int_equal(engine_container_inspect(&ci, &a, g.e, id.buf, &err), 0);
	assert_true(ci.running);
	assert_true(ci.pid > 0);
	assert_string_equal(ci.status, "running");
	assert_string_equal(ci.image, BUSYBOX);
	assert_null(ci.health);
	label = val_object_getstr(*val_object_getstr(*val_object_getstr(ci.raw, "Config"),
						     "Labels"), ENGINE_LABEL_RUN);
	assert_non_null(label);
	assert_string_equal(label->u.string.ptr, g.run_id);

	/* stdout and stderr apart, environment, working directory, exit code */
	assert_int_equal(exec_sh(id.buf, "echo out; echo err >&2; echo \"$GREETING\"; pwd; "
				 "hostname; echo scratch > /scratch/f && cat /scratch/f; exit 3", &o),
			 3);
	assert_string_equal(o.out.buf, "out\nhello from env\n/tmp\njob-host\nscratch\n");
	assert_string_equal(o.err.buf, "err\n");

	/* exec's own env, working directory and user */
	strlist_release(&cmd);
	sh_argv(&cmd, "echo \"$STEP\" $(id -u) $(pwd)");
	strlist_release(&env);
	strlist_push(&env, "STEP=two");
	xs.cmd = &cmd;
	xs.env = &env;
	xs.user = "65534";
	xs.workdir = "/bin";
	strbuf_reset(&o.out);
	assert_int_equal(engine_exec_run(&info, g.e, id.buf, &xs, collect, &o, &err), 0);
	assert_int_equal(info.exit_code, 0);
	assert_true(info.pid > 0);
	assert_string_equal(o.out.buf, "two 65534 /bin\n");

	/* a tty merges both streams into one raw stream */
	strlist_release(&cmd);
	sh_argv(&cmd, "echo hi; echo there >&2");
	memset(&xs, 0, sizeof(xs));
	xs.cmd = &cmd;
	xs.tty = 1;
	strbuf_reset(&o.out);
	strbuf_reset(&o.err);
	assert_int_equal(engine_exec_run(&info, g.e, id.buf, &xs, collect, &o, &err), 0);
	assert_string_equal(o.out.buf, "hi\r\nthere\r\n");
	assert_string_equal(o.err.buf, "");

	/* megabytes through the frames, interleaved */
	strbuf_reset(&o.out);
	strbuf_reset(&o.err);
	assert_int_equal(exec_sh(id.buf, "head -c 3000000 /dev/zero; head -c 1000001 /dev/zero >&2;"
				 " head -c 5 /dev/zero", &o), 0);
	assert_int_equal(o.out.len, 3000005);
	assert_int_equal(o.err.len, 1000001);

	/* a missing program: the engine's exit code and message */
	strlist_release(&cmd);
	strlist_push(&cmd, "/no/such/program");
	strbuf_reset(&o.out);
	strbuf_reset(&o.err);
	assert_int_equal(engine_exec_run(&info, g.e, id.buf, &xs, collect, &o, &err), 0);
	assert_true(info.exit_code == 126 || info.exit_code == 127);

	/* an output callback that says stop */
	strlist_release(&cmd);
	sh_argv(&cmd, "while :; do echo spam; done");
	xs.tty = 0;
	o.stop_after = 3;
	assert_int_equal(engine_exec_run(&info, g.e, id.buf, &xs, collect, &o, &err),
			 ENGINE_ECANCELLED);
	assert_non_null(strstr(err.buf, ": stopped by the output callback"));

	strbuf_reset(&err);
	assert_int_equal(engine_container_remove(g.e, id.buf, ENGINE_REMOVE_FORCE, &err), 0);
	assert_int_equal(engine_container_inspect(&ci, &a, g.e, id.buf, &err), ENGINE_ENOTFOUND);
	strlist_release(&cmd);
	strlist_release(&env);
	strlist_release(&labels);
	strlist_release(&tmpfs);
	output_release(&o);
	strbuf_release(&err);
	strbuf_release(&id);
	arena_release(&a);
}

static void test_wait_logs_kill_stop(void **state)
{
	struct output o = { STRBUF_INIT, STRBUF_INIT, 0, 0 };
	struct strbuf err = STRBUF_INIT, id = STRBUF_INIT, id2 = STRBUF_INIT;
	struct engine_container_info ci;
	struct arena a = ARENA_INIT;
	int code = -1;
	long start;

	(void)state;
	NEED_DOCKER();
	start_busybox(&id, "echo to-out; echo to-err >&2; exit 5", NULL, NULL);
	assert_int_equal(engine_container_wait(&code, g.e, id.buf, &err), 0);
	assert_int_equal(code, 5);
	assert_int_equal(engine_container_logs(g.e, id.buf, 0, collect, &o, &err), 0);
	assert_string_equal(o.out.buf, "to-out\n");
	assert_string_equal(o.err.buf, "to-err\n");
	assert_int_equal(engine_container_inspect(&ci, &a, g.e, id.buf, &err), 0);
	assert_false(ci.running);
	assert_int_equal(ci.exit_code, 5);
	assert_string_equal(ci.status, "exited");
	assert_int_equal(engine_container_stop(g.e, id.buf, 1, &err), 0);     /* stopped already */

	/* sleep as pid 1 ignores SIGTERM: stop waits its grace time, then kills */
	strbuf_reset(&id);
	start_busybox(&id, "exec sleep 600", NULL, NULL);
	start = now_ms();
	assert_int_equal(engine_container_stop(g.e, id.buf, 1, &err), 0);
	assert_true(now_ms() - start >= 900);
	assert_int_equal(engine_container_wait(&code, g.e, id.buf, &err), 0);
	assert_int_equal(code, 137);

	start_busybox(&id2, "sleep 600", NULL, NULL);
	assert_int_equal(engine_container_kill(g.e, id2.buf, "SIGKILL", &err), 0);
	assert_int_equal(engine_container_wait(&code, g.e, id2.buf, &err), 0);
	assert_int_equal(code, 137);
	assert_string_equal(err.buf, "");
	assert_int_equal(engine_container_kill(g.e, id2.buf, "SIGKILL", &err), ENGINE_ERR);
	assert_non_null(strstr(err.buf, "cannot kill container '"));
	strbuf_reset(&err);
	assert_int_equal(engine_container_start(g.e, "slipway-no-such-container", &err),
			 ENGINE_ENOTFOUND);
	assert_string_equal(err.buf, "cannot start container 'slipway-no-such-container': no such "
			    "container: slipway-no-such-container");
	output_release(&o);
	strbuf_release(&err);
	strbuf_release(&id);
	strbuf_release(&id2);
	arena_release(&a);
}

static ssize_t failing_read(void *data, void *buf, size_t len)
{
	(void)data;
	(void)buf;
	(void)len;
	return -1;
}

static void test_archives(void **state)
{
	struct output o = { STRBUF_INIT, STRBUF_INIT, 0, 0 };
	struct strbuf err = STRBUF_INIT, id = STRBUF_INIT, dir = STRBUF_INIT, tar = STRBUF_INIT;
	struct strbuf path = STRBUF_INIT, got = STRBUF_INIT;
	struct tarball_opts opts = { TARBALL_TAR, "ws", 1 };
	struct tarball_source *src;
	struct engine_body body = { 0 };

	(void)state;
	NEED_DOCKER();
	start_busybox(&id, "sleep 600", NULL, NULL);
	strbuf_addf(&dir, "%s/ws", g.scratch);
	mkdir(dir.buf, 0755);
	strbuf_addf(&path, "%s/hello.txt", dir.buf);
	write_file(path.buf, "hello, container\n", 0644);
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/run.sh", dir.buf);
	write_file(path.buf, "#!/bin/sh\necho ran\n", 0755);

	/* streamed in: the tarball is read as the upload goes */
	src = tarball_source_new(dir.buf, NULL, &opts, &err);
	assert_non_null(src);
	body.read = tarball_source_read_fn;
	body.data = src;
	assert_int_equal(engine_archive_put(g.e, id.buf, "/tmp", &body, &err), 0);
	tarball_source_free(src);
	assert_int_equal(exec_sh(id.buf, "cat /tmp/ws/hello.txt; /tmp/ws/run.sh; "
				 "stat -c '%a %u' /tmp/ws/run.sh", &o), 0);
	assert_string_equal(o.out.buf, "hello, container\nran\n755 0\n");

	/* and out again */
	assert_int_equal(exec_sh(id.buf, "mkdir /tmp/out && echo made-inside > /tmp/out/result && "
				 "ln -s result /tmp/out/link", &o), 0);
	assert_int_equal(engine_archive_get(g.e, id.buf, "/tmp/out", to_strbuf, &tar, &err), 0);
	strbuf_reset(&dir);
	strbuf_addf(&dir, "%s/got", g.scratch);
	mkdir(dir.buf, 0755);
	assert_int_equal(tarball_extract_buffer(dir.buf, tar.buf, tar.len, &err), 0);
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/out/result", dir.buf);
	assert_int_equal(strbuf_read_file(&got, path.buf, 0), 0);
	assert_string_equal(got.buf, "made-inside\n");
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/out/link", dir.buf);
	strbuf_reset(&got);
	assert_int_equal(strbuf_read_file(&got, path.buf, 0), 0);
	assert_string_equal(got.buf, "made-inside\n");

	/* a path that is not there; a body that fails */
	assert_int_equal(engine_archive_get(g.e, id.buf, "/no/such/path", to_strbuf, &tar, &err),
			 ENGINE_ENOTFOUND);
	assert_non_null(strstr(err.buf, "cannot copy '/no/such/path' out of container '"));
	strbuf_reset(&err);
	body.read = failing_read;
	assert_int_equal(engine_archive_put(g.e, id.buf, "/tmp", &body, &err), ENGINE_ERR);
	assert_non_null(strstr(err.buf, ": the request body could not be read"));
	output_release(&o);
	strbuf_release(&err);
	strbuf_release(&id);
	strbuf_release(&dir);
	strbuf_release(&tar);
	strbuf_release(&path);
	strbuf_release(&got);
}

static void test_network_aliases(void **state)
{
	struct output o = { STRBUF_INIT, STRBUF_INIT, 0, 0 };
	struct strbuf err = STRBUF_INIT, net = STRBUF_INIT, web = STRBUF_INIT;
	struct strbuf client = STRBUF_INIT, name = STRBUF_INIT;
	struct strlist aliases = STRLIST_INIT;
	struct engine_container_info ci;
	struct engine_list l;
	struct arena a = ARENA_INIT;
	const char *ip;

	(void)state;
	NEED_DOCKER();
	strbuf_addf(&name, "%s-net", g.run_id);
	assert_int_equal(engine_network_create(&net, g.e, name.buf, NULL, &err), 0);
	assert_int_equal(engine_network_list(&l, &a, g.e, g.label, &err), 0);
	assert_int_equal(l.nr, 1);
	assert_string_equal(l.items[0].name, name.buf);
	assert_string_equal(l.items[0].id, net.buf);

	start_busybox(&web, "exec httpd -f -p 8080 -h /etc", name.buf, "web");
	start_busybox(&client, "sleep 600", NULL, NULL);
	strlist_push(&aliases, "client");
	assert_int_equal(engine_network_connect(g.e, name.buf, client.buf, &aliases, &err), 0);
	assert_int_equal(exec_sh(client.buf, "for i in $(seq 50); do wget -qO- http://web:8080/passwd "
				 "2>/dev/null && exit 0; sleep 0.1; done; exit 1", &o), 0);
	assert_non_null(strstr(o.out.buf, "root:x:0:0"));
	assert_int_equal(engine_container_inspect(&ci, &a, g.e, web.buf, &err), 0);
	ip = engine_container_ip(&ci, name.buf);
	assert_non_null(ip);
	assert_true(strlen(ip) >= 7);
	assert_null(engine_container_ip(&ci, "bridge"));
	assert_int_equal(engine_network_remove(g.e, name.buf, &err), ENGINE_ERR);   /* in use */
	strbuf_reset(&err);
	assert_int_equal(engine_container_remove(g.e, web.buf, ENGINE_REMOVE_FORCE, &err), 0);
	assert_int_equal(engine_container_remove(g.e, client.buf, ENGINE_REMOVE_FORCE, &err), 0);
	assert_int_equal(engine_network_remove(g.e, name.buf, &err), 0);
	assert_int_equal(engine_network_remove(g.e, name.buf, &err), ENGINE_ENOTFOUND);
	output_release(&o);
	strlist_release(&aliases);
	strbuf_release(&err);
	strbuf_release(&net);
	strbuf_release(&web);
	strbuf_release(&client);
	strbuf_release(&name);
	arena_release(&a);
}

static void create_with_health(struct strbuf *id, const char *probe, int retries)
{
	struct strlist cmd = STRLIST_INIT, test = STRLIST_INIT;
	struct engine_healthcheck health = { &test, 100, 2000, 0, retries };
	struct engine_container_spec spec = { 0 };
	struct strbuf err = STRBUF_INIT;

	strlist_push(&cmd, "sleep");
	strlist_push(&cmd, "600");
	strlist_push(&test, "CMD-SHELL");
	strlist_push(&test, probe);
	spec.image = BUSYBOX;
	spec.cmd = &cmd;
	spec.health = &health;
	assert_int_equal(engine_container_create(id, g.e, &spec, &err), 0);
	assert_int_equal(engine_container_start(g.e, id->buf, &err), 0);
	strlist_release(&cmd);
	strlist_release(&test);
	strbuf_release(&err);
}

static void test_healthchecks(void **state)
{
	struct output o = { STRBUF_INIT, STRBUF_INIT, 0, 0 };
	struct strbuf err = STRBUF_INIT, ok = STRBUF_INIT, bad = STRBUF_INIT, none = STRBUF_INIT;
	struct strbuf want = STRBUF_INIT;
	struct engine_container_info ci;
	struct arena a = ARENA_INIT;

	(void)state;
	NEED_DOCKER();
	create_with_health(&ok, "test -f /tmp/ready", 3);
	assert_int_equal(engine_container_inspect(&ci, &a, g.e, ok.buf, &err), 0);
	assert_string_equal(ci.health, "starting");
	assert_int_equal(engine_container_await_healthy(g.e, ok.buf, 300, &err), ENGINE_ERR);
	strbuf_addf(&want, "container '%s' was not healthy within 0.3 s", ok.buf);
	assert_prefix(err.buf, want.buf);
	strbuf_reset(&err);
	assert_int_equal(exec_sh(ok.buf, "touch /tmp/ready", &o), 0);
	assert_int_equal(engine_container_await_healthy(g.e, ok.buf, 10000, &err), 0);
	assert_string_equal(err.buf, "");
	assert_int_equal(engine_container_inspect(&ci, &a, g.e, ok.buf, &err), 0);
	assert_string_equal(ci.health, "healthy");

	create_with_health(&bad, "echo probe-failed; exit 1", 2);
	assert_int_equal(engine_container_await_healthy(g.e, bad.buf, 10000, &err), ENGINE_ERR);
	strbuf_reset(&want);
	strbuf_addf(&want, "container '%s' is unhealthy (last check: probe-failed)", bad.buf);
	assert_string_equal(err.buf, want.buf);

	strbuf_reset(&err);
	start_busybox(&none, "sleep 600", NULL, NULL);
	assert_int_equal(engine_container_await_healthy(g.e, none.buf, 1000, &err), ENGINE_ERR);
	strbuf_reset(&want);
	strbuf_addf(&want, "container '%s' has no health check", none.buf);
	assert_string_equal(err.buf, want.buf);
	output_release(&o);
	strbuf_release(&err);
	strbuf_release(&ok);
	strbuf_release(&bad);
	strbuf_release(&none);
	strbuf_release(&want);
	arena_release(&a);
}

/* Build from a context directory streamed as a tarball. */
static int build_image(struct strbuf *image_id, const char *tag, const char *dockerfile,
		       const char *dockerfile_path, struct strlist *lines, struct strbuf *err)
{
	struct strbuf dir = STRBUF_INIT, path = STRBUF_INIT;
	struct strlist tags = STRLIST_INIT, args = STRLIST_INIT, labels = STRLIST_INIT;
	struct engine_build_spec spec = { 0 };
	struct engine_body body = { 0 };
	struct tarball_source *src;
	int ret;

	strbuf_addf(&dir, "%s/ctx-%s", g.scratch, strchr(tag, ':') + 1);
	mkdir(dir.buf, 0755);
	strbuf_addf(&path, "%s/sub", dir.buf);
	mkdir(path.buf, 0755);
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/%s", dir.buf, dockerfile_path);
	write_file(path.buf, dockerfile, 0644);
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/hello.txt", dir.buf);
	write_file(path.buf, "copied into the image\n", 0644);
	strlist_push(&tags, tag);
	strlist_push(&args, "GREETING=hi there");
	strlist_push(&labels, "org.example.built-by=test-engine");
	spec.tags = &tags;
	spec.dockerfile = dockerfile_path;
	spec.build_args = &args;
	spec.labels = &labels;
	src = tarball_source_new(dir.buf, NULL, NULL, err);
	assert_non_null(src);
	body.read = tarball_source_read_fn;
	body.data = src;
	strlist_push(&g.images, tag);
	ret = engine_image_build(image_id, g.e, &spec, &body, collect_line, lines, err);
	tarball_source_free(src);
	strlist_release(&tags);
	strlist_release(&args);
	strlist_release(&labels);
	strbuf_release(&dir);
	strbuf_release(&path);
	return ret;
}

static void test_build(void **state)
{
	static const char dockerfile[] =
		"FROM " BUSYBOX "\n"
		"ARG GREETING\n"
		"LABEL from.dockerfile=yes\n"
		"COPY hello.txt /hello.txt\n"
		"RUN echo \"$GREETING\" > /greeting\n";
	struct strlist lines = STRLIST_INIT, cmd = STRLIST_INIT;
	struct strbuf err = STRBUF_INIT, id = STRBUF_INIT, tag = STRBUF_INIT, c = STRBUF_INIT;
	struct strbuf history = STRBUF_INIT;
	int code = -1;
	struct output o = { STRBUF_INIT, STRBUF_INIT, 0, 0 };
	struct engine_container_spec spec = { 0 };
	struct arena a = ARENA_INIT;
	struct val v, *labels;

	(void)state;
	NEED_DOCKER();
	strbuf_addf(&tag, "slipway-test/built-%s:1", g.run_id);
	assert_int_equal(build_image(&id, tag.buf, dockerfile, "sub/Build.dockerfile", &lines, &err), 0);
	assert_string_equal(err.buf, "");
	assert_memory_equal(id.buf, "sha256:", 7);
	/* the labels asked for through the API come as a last step */
	assert_true(has_line(&lines, "Step 1/6 : FROM " BUSYBOX));
	assert_true(has_line(&lines, "Step 5/6 : RUN echo \"$GREETING\" > /greeting"));
	assert_true(has_line(&lines, "Step 6/6 : LABEL org.example.built-by=test-engine"));

	assert_int_equal(engine_image_inspect(&v, &a, g.e, tag.buf, &err), 0);
	assert_string_equal(val_object_getstr(v, "Id")->u.string.ptr, id.buf);
	labels = val_object_getstr(*val_object_getstr(v, "Config"), "Labels");
	assert_string_equal(val_object_getstr(*labels, "from.dockerfile")->u.string.ptr, "yes");
	assert_string_equal(val_object_getstr(*labels, "org.example.built-by")->u.string.ptr,
			    "test-engine");

	spec.image = tag.buf;
	sh_argv(&cmd, "cat /greeting /hello.txt");
	spec.cmd = &cmd;
	assert_int_equal(engine_container_create(&c, g.e, &spec, &err), 0);
	assert_int_equal(engine_container_start(g.e, c.buf, &err), 0);
	assert_int_equal(engine_container_wait(&code, g.e, c.buf, &err), 0);
	assert_int_equal(code, 0);
	assert_int_equal(engine_container_logs(g.e, c.buf, 0, collect, &o, &err), 0);
	assert_string_equal(o.out.buf, "hi there\ncopied into the image\n");

	/* build arguments end up in the layer history: what secret scans look for */
	assert_int_equal(engine_image_history(&v, &a, g.e, tag.buf, &err), 0);
	assert_int_equal(v.kind, VAL_ARRAY);
	assert_true(v.u.array->nr >= 3);
	for (size_t i = 0; i < v.u.array->nr; i++) {
		struct val *by = val_object_getstr(v.u.array->items[i], "CreatedBy");

		if (by && by->kind == VAL_STRING)
			strbuf_addf(&history, "%s\n", by->u.string.ptr);
	}
	assert_non_null(strstr(history.buf, "GREETING=hi there"));
	output_release(&o);
	strlist_release(&lines);
	strlist_release(&cmd);
	strbuf_release(&err);
	strbuf_release(&id);
	strbuf_release(&tag);
	strbuf_release(&c);
	strbuf_release(&history);
	arena_release(&a);
}

static void test_build_failure(void **state)
{
	struct strlist lines = STRLIST_INIT;
	struct strbuf err = STRBUF_INIT, id = STRBUF_INIT, tag = STRBUF_INIT;

	(void)state;
	NEED_DOCKER();
	strbuf_addf(&tag, "slipway-test/broken-%s:1", g.run_id);
	assert_int_equal(build_image(&id, tag.buf, "FROM " BUSYBOX "\nRUN echo failing; exit 7\n",
				     "Dockerfile", &lines, &err), ENGINE_ERR);
	assert_string_equal(err.buf + strlen(err.buf) - strlen("returned a non-zero code: 7"),
			    "returned a non-zero code: 7");
	assert_prefix(err.buf, "cannot build image 'slipway-test/broken-");
	assert_true(has_line(&lines, "failing"));
	assert_int_equal(id.len, 0);
	strbuf_reset(&err);
	strlist_release(&lines);
	strbuf_reset(&tag);
	strbuf_addf(&tag, "slipway-test/unparsable-%s:1", g.run_id);
	assert_int_equal(build_image(&id, tag.buf, "FROM " BUSYBOX "\nNOTANINSTRUCTION x\n",
				     "Dockerfile", &lines, &err), ENGINE_ERR);
	assert_prefix(err.buf, "cannot build image 'slipway-test/unparsable-");
	assert_non_null(strstr(err.buf, "unknown instruction: NOTANINSTRUCTION"));
	strlist_release(&lines);
	strbuf_release(&err);
	strbuf_release(&id);
	strbuf_release(&tag);
}

static int free_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

static int port_answers(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0), ok;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

/* Debian's docker-registry on 127.0.0.1:port, storing into the scratch directory. */
static int start_registry(void)
{
	struct strbuf config = STRBUF_INIT, text = STRBUF_INIT;
	int port = free_port();

	strbuf_addf(&config, "%s/registry.yml", g.scratch);
	strbuf_addf(&text, "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n"
		    "    rootdirectory: %s/registry\nhttp:\n  addr: 127.0.0.1:%d\n", g.scratch, port);
	write_file(config.buf, text.buf, 0644);
	g.registry = fork();
	assert_true(g.registry >= 0);
	if (!g.registry) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		dup2(null, 2);
		execlp("docker-registry", "docker-registry", "serve", config.buf, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 100 && !port_answers(port); i++)
		usleep(50000);
	assert_true(port_answers(port));
	strbuf_release(&config);
	strbuf_release(&text);
	return port;
}

static void test_tag_push_pull(void **state)
{
	struct strlist lines = STRLIST_INIT;
	struct strbuf err = STRBUF_INIT, name = STRBUF_INIT, digest = STRBUF_INIT;
	struct strbuf dead = STRBUF_INIT;
	struct engine_auth auth = { "slipway", "not-a-secret", NULL };
	int port;

	(void)state;
	NEED_DOCKER();
	port = start_registry();
	strbuf_addf(&name, "127.0.0.1:%d/slipway-test/pushed-%s:1", port, g.run_id);
	strlist_push(&g.images, name.buf);
	assert_int_equal(engine_image_tag(g.e, BUSYBOX, name.buf, &err), 0);
	assert_int_equal(engine_image_exists(g.e, name.buf, &err), 1);
	auth.server = name.buf;
	assert_int_equal(engine_image_push(&digest, g.e, name.buf, &auth, collect_line, &lines,
					   &err), 0);
	assert_string_equal(err.buf, "");
	assert_memory_equal(digest.buf, "sha256:", 7);
	assert_int_equal(digest.len, 71);
	assert_true(has_line(&lines, "Pushed") || has_line(&lines, "Layer already exists"));

	assert_int_equal(engine_image_remove(g.e, name.buf, 0, &err), 0);
	assert_int_equal(engine_image_exists(g.e, name.buf, &err), 0);
	strlist_release(&lines);
	assert_int_equal(engine_image_pull(g.e, name.buf, NULL, collect_line, &lines, &err), 0);
	assert_int_equal(engine_image_exists(g.e, name.buf, &err), 1);
	assert_true(has_line(&lines, digest.buf));

	/* a registry nobody runs: the error is in the progress stream or the answer */
	strbuf_addf(&dead, "127.0.0.1:%d/slipway-test/dead-%s:1", free_port(), g.run_id);
	strlist_push(&g.images, dead.buf);
	assert_int_equal(engine_image_tag(g.e, BUSYBOX, dead.buf, &err), 0);
	assert_int_equal(engine_image_push(NULL, g.e, dead.buf, NULL, NULL, NULL, &err), ENGINE_ERR);
	assert_non_null(strstr(err.buf, "connection refused"));
	strbuf_reset(&err);
	strbuf_reset(&name);
	strbuf_addf(&name, "127.0.0.1:%d/slipway-test/never-pushed:1", port);
	assert_true(engine_image_pull(g.e, name.buf, NULL, NULL, NULL, &err) < 0);
	assert_prefix(err.buf, "cannot pull image '127.0.0.1:");
	assert_int_equal(engine_image_tag(g.e, "slipway-test/no-such-image:1", "x:1", &err),
			 ENGINE_ENOIMAGE);
	strlist_release(&lines);
	strbuf_release(&err);
	strbuf_release(&name);
	strbuf_release(&digest);
	strbuf_release(&dead);
}

static void test_volumes(void **state)
{
	struct output o = { STRBUF_INIT, STRBUF_INIT, 0, 0 };
	struct strbuf err = STRBUF_INIT, name = STRBUF_INIT, id = STRBUF_INIT, bind = STRBUF_INIT;
	struct strlist cmd = STRLIST_INIT, binds = STRLIST_INIT;
	struct engine_container_spec spec = { 0 };
	struct engine_list l;
	struct arena a = ARENA_INIT;

	(void)state;
	NEED_DOCKER();
	strbuf_addf(&name, "%s-vol", g.run_id);
	assert_int_equal(engine_volume_create(g.e, name.buf, NULL, &err), 0);
	assert_int_equal(engine_volume_list(&l, &a, g.e, g.label, &err), 0);
	assert_int_equal(l.nr, 1);
	assert_string_equal(l.items[0].name, name.buf);
	strbuf_addf(&bind, "%s:/data", name.buf);
	strlist_push(&binds, bind.buf);
	sh_argv(&cmd, "echo kept > /data/file");
	spec.image = BUSYBOX;
	spec.cmd = &cmd;
	spec.binds = &binds;
	for (int round = 0; round < 2; round++) {
		int code = -1;

		strbuf_reset(&id);
		assert_int_equal(engine_container_create(&id, g.e, &spec, &err), 0);
		assert_int_equal(engine_container_start(g.e, id.buf, &err), 0);
		assert_int_equal(engine_container_wait(&code, g.e, id.buf, &err), 0);
		assert_int_equal(code, 0);
		strlist_release(&cmd);
		sh_argv(&cmd, "cat /data/file");
	}
	assert_int_equal(engine_container_logs(g.e, id.buf, 1, collect, &o, &err), 0);
	assert_string_equal(o.out.buf, "kept\n");
	assert_int_equal(engine_volume_remove(g.e, name.buf, 0, &err), ENGINE_ERR);    /* in use */
	strbuf_reset(&err);
	remove_labelled();
	assert_int_equal(engine_volume_list(&l, &a, g.e, g.label, &err), 0);
	assert_int_equal(l.nr, 0);
	output_release(&o);
	strlist_release(&cmd);
	strlist_release(&binds);
	strbuf_release(&err);
	strbuf_release(&name);
	strbuf_release(&id);
	strbuf_release(&bind);
	arena_release(&a);
}

static void test_ports_and_options(void **state)
{
	struct strlist ports = STRLIST_INIT, hosts = STRLIST_INIT, caps = STRLIST_INIT;
	struct engine_container_spec spec = { 0 };
	struct engine_container_info ci;
	struct strbuf err = STRBUF_INIT, id = STRBUF_INIT;
	struct arena a = ARENA_INIT;
	struct val hc, *bindings;

	(void)state;
	NEED_DOCKER();
	strlist_push(&ports, "127.0.0.1::8080");
	strlist_push(&ports, "9090/udp");
	strlist_push(&hosts, "registry.local:10.1.2.3");
	strlist_push(&caps, "NET_ADMIN");
	spec.image = BUSYBOX;
	spec.ports = &ports;
	spec.extra_hosts = &hosts;
	spec.cap_add = &caps;
	spec.user = "65534:65534";
	spec.memory = 64 << 20;
	spec.init = 1;
	assert_int_equal(engine_container_create(&id, g.e, &spec, &err), 0);
	assert_int_equal(engine_container_inspect(&ci, &a, g.e, id.buf, &err), 0);
	hc = *val_object_getstr(ci.raw, "HostConfig");
	bindings = val_object_getstr(*val_object_getstr(hc, "PortBindings"), "8080/tcp");
	assert_non_null(bindings);
	assert_string_equal(val_object_getstr(bindings->u.array->items[0], "HostIp")->u.string.ptr,
			    "127.0.0.1");
	assert_non_null(val_object_getstr(*val_object_getstr(hc, "PortBindings"), "9090/udp"));
	assert_string_equal(val_object_getstr(hc, "ExtraHosts")->u.array->items[0].u.string.ptr,
			    "registry.local:10.1.2.3");
	assert_int_equal((long)val_object_getstr(hc, "Memory")->u.number, 64 << 20);
	assert_string_equal(val_object_getstr(*val_object_getstr(hc, "RestartPolicy"),
					      "Name")->u.string.ptr, "no");
	assert_string_equal(val_object_getstr(*val_object_getstr(ci.raw, "Config"),
					      "User")->u.string.ptr, "65534:65534");

	strlist_release(&ports);
	strlist_push(&ports, "80:http");
	strbuf_reset(&id);
	assert_int_equal(engine_container_create(&id, g.e, &spec, &err), ENGINE_ERR);
	assert_string_equal(err.buf, "invalid port mapping '80:http': expected "
			    "[ip:][host-port:]container-port[/tcp|/udp|/sctp]");
	strlist_release(&ports);
	strlist_release(&hosts);
	strlist_release(&caps);
	strbuf_release(&err);
	strbuf_release(&id);
	arena_release(&a);
}

/* Everything the tests made carries the label, and removing by label leaves nothing. */
static void test_nothing_left(void **state)
{
	struct strbuf err = STRBUF_INIT, id = STRBUF_INIT, net = STRBUF_INIT, name = STRBUF_INIT;
	struct engine_list l;
	struct arena a = ARENA_INIT;

	(void)state;
	NEED_DOCKER();
	start_busybox(&id, "sleep 600", NULL, NULL);
	strbuf_addf(&name, "%s-last", g.run_id);
	assert_int_equal(engine_network_create(&net, g.e, name.buf, NULL, &err), 0);
	assert_int_equal(engine_volume_create(g.e, name.buf, NULL, &err), 0);
	assert_int_equal(engine_container_list(&l, &a, g.e, g.label, &err), 0);
	assert_int_equal(l.nr, 1);
	assert_string_equal(l.items[0].id, id.buf);
	assert_string_equal(l.items[0].state, "running");
	assert_int_equal(remove_labelled(), 0);
	assert_int_equal(engine_container_list(&l, &a, g.e, g.label, &err), 0);
	assert_int_equal(l.nr, 0);
	assert_int_equal(engine_network_list(&l, &a, g.e, g.label, &err), 0);
	assert_int_equal(l.nr, 0);
	assert_int_equal(engine_volume_list(&l, &a, g.e, g.label, &err), 0);
	assert_int_equal(l.nr, 0);
	assert_string_equal(err.buf, "");
	strbuf_release(&err);
	strbuf_release(&id);
	strbuf_release(&net);
	strbuf_release(&name);
	arena_release(&a);
}

/* ------------------------------------------------------------------ */

static int setup(void **state)
{
	const char *top = getenv("SLIPWAY_TOP");
	const char *require = getenv("SLIPWAY_TEST_REQUIRE_DOCKER");
	struct strbuf cmd = STRBUF_INIT;

	(void)state;
	strbuf_init(&g.why, 0);
	g.require = require && !strcmp(require, "1");
	snprintf(g.scratch, sizeof(g.scratch), "%s/engine-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(g.scratch))
		return -1;
	snprintf(g.run_id, sizeof(g.run_id), "test-engine-%ld", (long)getpid());
	snprintf(g.label, sizeof(g.label), ENGINE_LABEL_RUN "=%s", g.run_id);
	if (engine_open(&g.e, NULL, &g.why) < 0)
		return 0;
	strbuf_addf(&cmd, "'%s/tests/images.sh' busybox", top ? top : ".");
	if (system(cmd.buf) != 0) {
		strbuf_addf(&g.why, "'%s' failed", cmd.buf);
		engine_free(g.e);
		g.e = NULL;
	} else {
		engine_set_run_id(g.e, g.run_id);
	}
	strbuf_release(&cmd);
	return 0;
}

static int teardown(void **state)
{
	struct strbuf cmd = STRBUF_INIT;

	cleanup(state);
	engine_free(g.e);
	strbuf_release(&g.why);
	strbuf_addf(&cmd, "rm -rf '%s'", g.scratch);
	if (system(cmd.buf) != 0)
		fprintf(stderr, "# cannot remove %s\n", g.scratch);
	strbuf_release(&cmd);
	return 0;
}

#define T(name) cmocka_unit_test_teardown(name, cleanup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_open_rejects_unknown_schemes),
		T(test_unreachable_engine),
		T(test_version_negotiation),
		T(test_connection_reused),
		T(test_http_errors),
		T(test_engine_dies_mid_call),
		T(test_engine_stalls),
		T(test_logs_follow_missing_the_end),
		T(test_demux_split_feeds),
		T(test_progress_lines),
		T(test_version_ping_info),
		T(test_missing_image),
		T(test_container_and_exec),
		T(test_wait_logs_kill_stop),
		T(test_archives),
		T(test_network_aliases),
		T(test_healthchecks),
		T(test_build),
		T(test_build_failure),
		T(test_tag_push_pull),
		T(test_volumes),
		T(test_ports_and_options),
		T(test_nothing_left),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
