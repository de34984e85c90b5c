/*
 * serve: the daemon's lifecycle: the state directory and its lock, the
 * loop, signals, the HTTP server, the trigger directory (inotify) and
 * serve.json, which tells the CLI where the daemon listens; then a
 * graceful stop. Repositories, runs, reviewers and routes have their own
 * serve_*.c files.
 */
#include "runner/serve.h"
#include "runner/rundir.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/proc.h"
#include "util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <unistd.h>

/* How long runs get to stop after SIGTERM before they are killed. */
#define SERVE_STOP_GRACE_MS 10000

void serve_log(const char *fmt, ...)
{
	char now[RUNDIR_ISO_LEN];
	va_list ap;

	rundir_now_iso(now);
	fprintf(stderr, "%s serve: ", now);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int serve_lock(struct serve *s, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT, pid = STRBUF_INIT;
	int rc = -1;

	strbuf_addf(&path, "%s/serve.lock", s->cfg.state);
	s->lock_fd = open(path.buf, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (s->lock_fd < 0) {
		strbuf_addf(err, "cannot open '%s': %s", path.buf, strerror(errno));
	} else if (flock(s->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		strbuf_read_fd(&pid, s->lock_fd, 64);
		strbuf_rtrim(&pid);
		strbuf_addf(err, "another slipway serve (pid %s) is using the state directory '%s'",
			    pid.len ? pid.buf : "?", s->cfg.state);
	} else {
		char buf[32];
		int n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());

		rc = ftruncate(s->lock_fd, 0) == 0 && pwrite(s->lock_fd, buf, (size_t)n, 0) == n ? 0 : -1;
		if (rc)
			strbuf_addf(err, "cannot write '%s': %s", path.buf, strerror(errno));
	}
	strbuf_release(&path);
	strbuf_release(&pid);
	return rc;
}

static void serve_write_info(struct serve *s)
{
	struct strbuf body = STRBUF_INIT, path = STRBUF_INIT, err = STRBUF_INIT;
	char now[RUNDIR_ISO_LEN];
	const char *addr = http_server_address(s->http);

	rundir_now_iso(now);
	strbuf_addf(&body, "{\"pid\": %ld, \"address\": ", (long)getpid());
	json_write_string(&body, addr, strlen(addr));
	strbuf_addstr(&body, ", \"url\": ");
	{
		struct strbuf url = STRBUF_INIT;

		strbuf_addf(&url, "http://%s/", addr);
		json_write_string(&body, url.buf, url.len);
		strbuf_release(&url);
	}
	strbuf_addf(&body, ", \"started_at\": \"%s\", \"repos\": [", now);
	for (size_t i = 0; i < s->nr_repos; i++) {
		strbuf_addstr(&body, i ? ", {\"name\": " : "{\"name\": ");
		json_write_string(&body, s->repos[i].name, strlen(s->repos[i].name));
		strbuf_addstr(&body, ", \"path\": ");
		json_write_string(&body, s->repos[i].path, strlen(s->repos[i].path));
		strbuf_addch(&body, '}');
	}
	strbuf_addstr(&body, "]}\n");
	strbuf_addf(&path, "%s/serve.json", s->cfg.state);
	if (fs_write_file(path.buf, body.buf, body.len, 0644, &err) < 0)
		serve_log("%s", err.buf);
	strbuf_release(&body);
	strbuf_release(&path);
	strbuf_release(&err);
}

static void serve_trigger_cb(struct loop *l, int fd, unsigned events, void *data)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));

	(void)l;
	(void)events;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	serve_triggers_drain(data);
}

static int serve_watch_triggers(struct serve *s, struct strbuf *err)
{
	struct strbuf dir = STRBUF_INIT;
	int rc = -1;

	strbuf_addf(&dir, "%s/triggers", s->cfg.state);
	s->trigger_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (s->trigger_fd < 0 ||
	    inotify_add_watch(s->trigger_fd, dir.buf, IN_CLOSE_WRITE | IN_MOVED_TO) < 0 ||
	    loop_watch_fd(s->loop, s->trigger_fd, LOOP_READ, serve_trigger_cb, s) < 0)
		strbuf_addf(err, "cannot watch '%s': %s", dir.buf, strerror(errno));
	else
		rc = 0;
	strbuf_release(&dir);
	return rc;
}

static void serve_waiting_cb(struct loop *l, uint64_t id, void *data)
{
	struct serve *s = data;

	(void)id;
	serve_waiting_check(s);
	if (!s->stopping)
		s->waiting_timer = loop_add_timer(l, 500, serve_waiting_cb, s);
}

static void serve_self(struct serve *s)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);

	strbuf_addstr(&s->self, n > 0 ? (buf[n] = '\0', buf) : "slipway");
}

int serve_new(struct serve **out, const struct serve_config *cfg, struct strbuf *err)
{
	struct serve *s = xcalloc(1, sizeof(*s));
	struct strbuf path = STRBUF_INIT;
	static const char *const dirs[] = { "runs", "triggers", "serve/checkouts", "serve/logs" };
	struct http_config hc = { cfg->listen, serve_routes, serve_nr_routes, NULL, "/api",
				  { 0 } };

	s->cfg = *cfg;
	s->trigger_fd = s->lock_fd = -1;
	strbuf_init(&s->self, 0);
	serve_self(s);
	for (size_t i = 0; i < sizeof(dirs) / sizeof(*dirs); i++) {
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", cfg->state, dirs[i]);
		if (fs_mkdir_p(path.buf, 0755, err) < 0)
			goto fail;
	}
	if (serve_lock(s, err) < 0)
		goto fail;
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/history.db", cfg->state);
	if (history_open(&s->h, path.buf, err) < 0)
		goto fail;
	s->loop = loop_new();
	if (!s->loop) {
		strbuf_addstr(err, "cannot create the event loop");
		goto fail;
	}
	if (proc_become_subreaper(err) < 0 || serve_reviewers_init(s, err) < 0 ||
	    serve_repos_init(s, err) < 0 || serve_recover(s, err) < 0)
		goto fail;
	hc.data = s;
	if (http_server_start(&s->http, s->loop, &hc, err) < 0 || serve_watch_triggers(s, err) < 0)
		goto fail;
	signal(SIGPIPE, SIG_IGN);
	serve_write_info(s);
	strbuf_release(&path);
	*out = s;
	return 0;
fail:
	strbuf_release(&path);
	serve_free(s);
	return -1;
}

static void serve_stop_check_cb(struct loop *l, uint64_t id, void *data)
{
	struct serve *s = data;

	(void)id;
	if (!s->nr_active && !http_server_connections(s->http)) {
		loop_stop(l);
		return;
	}
	if (loop_now_ms() >= s->stop_deadline)
		serve_runs_stop(s, SIGKILL);
	loop_add_timer(l, 50, serve_stop_check_cb, s);
}

static void serve_signal_cb(struct loop *l, int sig, void *data)
{
	struct serve *s = data;

	if (s->stopping) {
		serve_log("second signal: killing the runs");
		serve_runs_stop(s, SIGKILL);
		return;
	}
	serve_log("stopping (signal %d): ending %zu active run(s)", sig, s->nr_active);
	s->stopping = 1;
	s->stop_deadline = loop_now_ms() + SERVE_STOP_GRACE_MS;
	http_server_stop(s->http);
	for (size_t i = 0; i < s->nr_repos; i++)
		loop_cancel_timer(l, s->repos[i].timer);
	loop_cancel_timer(l, s->waiting_timer);
	serve_runs_stop(s, SIGTERM);
	loop_add_timer(l, 0, serve_stop_check_cb, s);
}

int serve_run(struct serve *s)
{
	int rc;

	if (loop_watch_signal(s->loop, SIGINT, serve_signal_cb, s) < 0 ||
	    loop_watch_signal(s->loop, SIGTERM, serve_signal_cb, s) < 0) {
		serve_log("cannot watch signals: %s", strerror(errno));
		return -1;
	}
	serve_log("listening on http://%s/ (state %s, %zu repositories, concurrency %d)",
		  http_server_address(s->http), s->cfg.state, s->nr_repos, s->cfg.concurrency);
	for (size_t i = 0; i < s->nr_repos; i++)
		serve_repo_poll(s, &s->repos[i], NULL);
	serve_triggers_drain(s);
	serve_schedule(s);
	s->waiting_timer = loop_add_timer(s->loop, 500, serve_waiting_cb, s);
	rc = loop_run(s->loop);
	/* what the runs' process groups left (we are their subreaper) goes too */
	{
		struct strbuf err = STRBUF_INIT;
		int killed = proc_kill_descendants(&err);

		if (killed < 0)
			serve_log("%s", err.buf);
		else if (killed > 0)
			serve_log("killed %d leftover process(es)", killed);
		strbuf_release(&err);
	}
	serve_log("stopped");
	return rc;
}

void serve_free(struct serve *s)
{
	struct strbuf path = STRBUF_INIT;

	if (!s)
		return;
	if (s->http) {
		strbuf_addf(&path, "%s/serve.json", s->cfg.state);
		unlink(path.buf);
	}
	http_server_free(s->http);
	for (size_t i = 0; i < s->nr_active; i++) {
		struct serve_run *r = s->active[i];

		strbuf_release(&r->checkout);
		strbuf_release(&r->err);
		if (r->err_fd >= 0)
			close(r->err_fd);
		free(r->id);
		free(r);
	}
	free(s->active);
	serve_repos_release(s);
	serve_reviewers_release(s);
	if (s->trigger_fd >= 0)
		close(s->trigger_fd);
	loop_free(s->loop);
	history_free(s->h);
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	strbuf_release(&s->self);
	strbuf_release(&path);
	free(s);
}
