/*
 * Tests for the docker executor (runner/exec_docker.c and the children of
 * runner/docker_setup.c and runner/docker_step.c) against the real engine,
 * driven the way runner/job.c drives it: a util/loop watching the set-up
 * child, then each step's child and pipe. Skips, or fails with
 * SLIPWAY_TEST_REQUIRE_DOCKER=1, when no engine answers. A proxy in front
 * of the engine's socket is killed mid-step to see the engine "die".
 * Everything carries this test's run label; the last test checks that
 * nothing of it is left.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <limits.h>
#include <unistd.h>

#include "runner/docker_sweep.h"
#include "runner/engine.h"
#include "runner/executor.h"
#include "runner/platform.h"
#include "util/fs.h"
#include "util/loop.h"

#define BUSYBOX "slipway-test/busybox:latest"

static struct {
	struct engine *e;           /* NULL when no engine answers */
	int require;
	struct strbuf why;
	char scratch[64];
	char run_id[64];
	struct strbuf snapshot, tool_cache, slots;
	struct loop *loop;
} g;

#define NEED_DOCKER() do { \
	if (!g.e) { \
		if (g.require) \
			fail_msg("no Docker engine (SLIPWAY_TEST_REQUIRE_DOCKER=1): %s", g.why.buf); \
		skip(); \
	} \
} while (0)

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------------ */
/* The harness: one child and its pipe on the loop */

struct watched {
	int fd;
	int exited, status;
	struct strbuf out;
};

static void on_output(struct loop *l, int fd, unsigned events, void *data)
{
	struct watched *w = data;
	char buf[4096];
	ssize_t n;

	(void)events;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		strbuf_add(&w->out, buf, (size_t)n);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		loop_unwatch_fd(l, fd);
		close(fd);
		w->fd = -1;
	}
}

static void on_exit_child(struct loop *l, pid_t pid, int status, void *data)
{
	struct watched *w = data;

	(void)l;
	(void)pid;
	w->exited = 1;
	w->status = status;
}

static void watch(struct watched *w, pid_t pid, int fd)
{
	memset(w, 0, sizeof(*w));
	strbuf_init(&w->out, 0);
	w->fd = fd;
	assert_int_equal(loop_watch_fd(g.loop, fd, LOOP_READ, on_output, w), 0);
	assert_int_equal(loop_watch_child(g.loop, pid, on_exit_child, w), 0);
}

/* Run the loop until the child has exited and its pipe ended (or until). */
static int run_until(struct watched *w, long timeout_ms, const char *until)
{
	long start = now_ms();

	while (!w->exited || w->fd >= 0) {
		if (until && strstr(w->out.buf, until))
			return 0;
		if (now_ms() - start > timeout_ms)
			return -1;
		loop_run_once(g.loop, 50);
	}
	return 0;
}

static void unwatch(struct watched *w)
{
	if (w->fd >= 0) {
		loop_unwatch_fd(g.loop, w->fd);
		close(w->fd);
	}
	strbuf_release(&w->out);
}

/* ------------------------------------------------------------------ */
/* Executors and legs */

static struct executor *new_executor(const char *host, const char *const *maps)
{
	struct platform_map m = PLATFORM_MAP_INIT;
	struct exec_docker_opts o;
	struct executor *ex = NULL;
	struct strbuf err = STRBUF_INIT;

	for (size_t i = 0; maps && maps[i]; i++)
		assert_int_equal(platform_map_add_spec(&m, maps[i], &err), 0);
	memset(&o, 0, sizeof(o));
	o.host = host;
	o.run_id = g.run_id;
	o.platforms = &m;
	o.tool_cache = g.tool_cache.buf;
	o.slots_dir = g.slots.buf;
	if (exec_docker_new(&ex, &o, &err) < 0)
		fail_msg("exec_docker_new: %s", err.buf);
	platform_map_release(&m);
	strbuf_release(&err);
	return ex;
}

struct leg {
	struct exec_job job;
	struct strbuf dir;
	struct arena a;
};

/* prepare_job for a leg of key with runs-on runs_on (JSON-free: one label). */
static int prepare(struct executor *ex, struct leg *leg, const char *key, const char *runs_on,
		   struct val container, struct strbuf *err)
{
	struct exec_job_spec spec;

	memset(leg, 0, sizeof(*leg));
	arena_init(&leg->a);
	strbuf_init(&leg->dir, 0);
	strbuf_addf(&leg->dir, "%s/jobs/%s", g.scratch, key);
	assert_int_equal(fs_mkdir_p(leg->dir.buf, 0755, err), 0);
	memset(&spec, 0, sizeof(spec));
	spec.key = key;
	spec.job_dir = leg->dir.buf;
	spec.snapshot = g.snapshot.buf;
	spec.runs_on = val_cstring(&leg->a, runs_on);
	spec.container = container;
	spec.services = val_null();
	return ex->ops->prepare_job(ex, &leg->job, &spec, err);
}

/* The set-up child to its end, then prepare_done; the set-up's log lines into log. */
static int finish_setup(struct executor *ex, struct leg *leg, struct strbuf *log,
			struct strbuf *err)
{
	struct watched w;
	int ret;

	if (leg->job.setup.pid <= 0)
		return 0;
	watch(&w, leg->job.setup.pid, leg->job.setup.out);
	assert_int_equal(run_until(&w, 60000, NULL), 0);
	if (log)
		strbuf_add(log, w.out.buf, w.out.len);
	leg->job.setup.pid = 0;
	ret = ex->ops->prepare_done(ex, &leg->job, w.status, err);
	unwatch(&w);
	return ret;
}

static void finish(struct executor *ex, struct leg *leg)
{
	ex->ops->finish_job(ex, &leg->job);
	strbuf_release(&leg->dir);
	arena_release(&leg->a);
}

/* Write script into the leg's temp dir; start `sh -e <script>` with env in the workspace. */
static void start(struct executor *ex, struct leg *leg, struct exec_step *step, const char *script,
		  const char *const *env, int n)
{
	struct strbuf host = STRBUF_INIT, view = STRBUF_INIT, err = STRBUF_INIT;
	const char *argv[4] = { "sh", "-e", NULL, NULL };
	struct exec_step_spec spec = { 0 };

	strbuf_addf(&host, "%s/step%d.sh", leg->job.files_host, n);
	strbuf_addf(&view, "%s/step%d.sh", leg->job.files, n);
	assert_int_equal(fs_write_file(host.buf, script, strlen(script), 0644, &err), 0);
	argv[2] = view.buf;
	spec.argv = argv;
	spec.env = env;
	spec.dir = leg->job.workspace;
	if (ex->ops->start_step(ex, &leg->job, &spec, step, &err) < 0)
		fail_msg("start_step: %s", err.buf);
	strbuf_release(&host);
	strbuf_release(&view);
	strbuf_release(&err);
}

/* A whole step: its output and wait status. */
static int run_step(struct executor *ex, struct leg *leg, const char *script,
		    const char *const *env, int n, struct strbuf *out)
{
	struct exec_step step;
	struct watched w;
	int status;

	start(ex, leg, &step, script, env, n);
	watch(&w, step.pid, step.out);
	assert_int_equal(run_until(&w, 30000, NULL), 0);
	strbuf_add(out, w.out.buf, w.out.len);
	status = w.status;
	unwatch(&w);
	return status;
}

/* How many containers, networks and volumes carry this test's label. */
static int labelled(void)
{
	struct strbuf err = STRBUF_INIT;
	int failed, n = docker_sweep(g.e, g.run_id, 1, NULL, NULL, &failed, &err);

	strbuf_release(&err);
	return n;
}

/* ------------------------------------------------------------------ */
/* Tests */

static void test_steps_in_a_container(void **state)
{
	static const char *const maps[] = { "ubuntu-latest=" BUSYBOX, NULL };
	static const char *const env[] = { "FOO=bar", "PATH=/bin", NULL };
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT, log = STRBUF_INIT, path = STRBUF_INIT;
	struct executor *ex;
	struct leg leg;
	long t0;
	int status;

	(void)state;
	NEED_DOCKER();
	ex = new_executor(NULL, maps);
	t0 = now_ms();
	assert_int_equal(prepare(ex, &leg, "t.steps", "ubuntu-latest", val_null(), &err), 0);
	/* the engine work is the set-up child's: prepare_job itself does not wait for it */
	assert_true(leg.job.setup.pid > 0);
	assert_true(now_ms() - t0 < 100);
	assert_int_equal(finish_setup(ex, &leg, &log, &err), 0);
	assert_string_equal(log.buf, "Starting the job container from '" BUSYBOX "'\n");
	assert_string_equal(leg.job.workspace, "/github/workspace");
	assert_string_equal(leg.job.temp, "/github/runner_temp");
	assert_string_equal(leg.job.tool_cache, "/github/tool_cache");
	assert_string_equal(leg.job.files, "/github/files");
	assert_string_equal(leg.job.base_path, "/bin");
	assert_string_equal(leg.job.os, "Linux");
	assert_string_equal(leg.job.environment, "github-hosted");
	/* the snapshot, through the link an on-host stage replaces with the container's workspace */
	{
		char target[PATH_MAX];
		ssize_t n = readlink(leg.job.workspace_host, target, sizeof(target) - 1);

		assert_true(n > 0);
		target[n] = '\0';
		assert_string_equal(target, g.snapshot.buf);
	}
	assert_int_equal(ex->ops->find_program(ex, &leg.job, "sh", "/bin", &path), 0);
	assert_string_equal(path.buf, "/bin/sh");
	strbuf_reset(&path);
	assert_int_equal(ex->ops->find_program(ex, &leg.job, "bash", "/bin", &path), -1);
	assert_int_equal(ex->ops->find_program(ex, &leg.job, "wget", "/usr/bin:/bin", &path), 0);
	assert_string_equal(path.buf, "/bin/wget");
	assert_int_equal(ex->ops->find_program(ex, &leg.job, "nope", "/usr/bin:/bin", &path), -1);

	status = run_step(ex, &leg, "echo out; echo err >&2; cat hello.txt; echo \"$FOO in $PWD\";"
			  " id -u; exit 3", env, 1, &out);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 3);
	assert_string_equal(out.buf, "out\nerr\nhello from the snapshot\nbar in /github/workspace\n0\n");

	/* the temp directory is mounted: what a step writes there, this process reads */
	strbuf_reset(&out);
	status = run_step(ex, &leg, "echo v=1 > /github/runner_temp/result; touch new-file; ls",
			  env, 2, &out);
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_string_equal(out.buf, "hello.txt\nnew-file\n");
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/result", leg.job.temp_host);
	strbuf_reset(&out);
	assert_int_equal(fs_read_file(&out, path.buf, 0, &err), 0);
	assert_string_equal(out.buf, "v=1\n");
	finish(ex, &leg);
	ex->ops->free(ex);
	assert_int_equal(labelled(), 0);
	strbuf_release(&err);
	strbuf_release(&out);
	strbuf_release(&log);
	strbuf_release(&path);
}

static void test_signals(void **state)
{
	static const char *const maps[] = { "ubuntu-latest=" BUSYBOX, NULL };
	static const char *const env[] = { "PATH=/bin", NULL };
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;
	struct executor *ex;
	struct exec_step step;
	struct watched w;
	struct leg leg;
	long t0;

	(void)state;
	NEED_DOCKER();
	ex = new_executor(NULL, maps);
	assert_int_equal(prepare(ex, &leg, "t.signals", "ubuntu-latest", val_null(), &err), 0);
	assert_int_equal(finish_setup(ex, &leg, NULL, &err), 0);

	/* SIGINT reaches the step's process group: the trap runs, the step ends with its code */
	start(ex, &leg, &step, "trap 'echo caught INT; exit 7' INT; echo ready;"
	      " while :; do sleep 0.1; done", env, 1);
	watch(&w, step.pid, step.out);
	assert_int_equal(run_until(&w, 10000, "ready\n"), 0);
	t0 = now_ms();
	assert_int_equal(ex->ops->signal_step(ex, &leg.job, &step, SIGINT), 0);
	assert_int_equal(run_until(&w, 10000, NULL), 0);
	assert_true(now_ms() - t0 < 3000);
	assert_true(WIFEXITED(w.status));
	assert_int_equal(WEXITSTATUS(w.status), 7);
	assert_string_equal(w.out.buf, "ready\ncaught INT\n");
	/* a step that is over: nothing to do, no error */
	assert_int_equal(ex->ops->signal_step(ex, &leg.job, &step, SIGTERM), 0);
	unwatch(&w);

	/* a step that ignores INT and TERM ends with SIGKILL, with everything it started */
	start(ex, &leg, &step, "trap '' INT TERM; echo ready; sleep 1234 & "
	      "while :; do sleep 0.1; done", env, 2);
	watch(&w, step.pid, step.out);
	assert_int_equal(run_until(&w, 10000, "ready\n"), 0);
	assert_int_equal(ex->ops->signal_step(ex, &leg.job, &step, SIGINT), 0);
	assert_int_equal(ex->ops->signal_step(ex, &leg.job, &step, SIGTERM), 0);
	t0 = now_ms();
	while (now_ms() - t0 < 500)
		loop_run_once(g.loop, 50);
	assert_false(w.exited);
	assert_int_equal(ex->ops->signal_step(ex, &leg.job, &step, SIGKILL), 0);
	assert_int_equal(run_until(&w, 10000, NULL), 0);
	assert_true(WIFSIGNALED(w.status));
	unwatch(&w);
	/* the kill reached the group in the container: nothing of that step is left, not even a zombie */
	t0 = now_ms();
	do {
		strbuf_reset(&out);
		run_step(ex, &leg, "ps -o stat,args", env, 3, &out);
	} while ((strstr(out.buf, "sleep 1234") || strstr(out.buf, "[sleep]")) &&
		 now_ms() - t0 < 5000);
	assert_null(strstr(out.buf, "sleep 1234"));
	assert_null(strstr(out.buf, "[sleep]"));
	assert_null(strstr(out.buf, "step2.sh"));
	finish(ex, &leg);
	ex->ops->free(ex);
	assert_int_equal(labelled(), 0);
	strbuf_release(&err);
	strbuf_release(&out);
}

static void test_where_legs_run(void **state)
{
	static const char *const maps[] = {
		"ubuntu-latest=slipway-test/absent:nope", "mine=-self-hosted", NULL,
	};
	static const char *const env[] = { "PATH=/usr/bin:/bin", NULL };
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;
	struct executor *ex;
	struct leg leg;
	struct arena a = ARENA_INIT;
	struct val ctr = val_new_object(&a);

	(void)state;
	NEED_DOCKER();
	ex = new_executor(NULL, maps);

	/* windows-latest cannot run here: skipped, with the reason */
	assert_int_equal(prepare(ex, &leg, "t.win", "windows-latest", val_null(), &err), EXEC_SKIP);
	assert_string_equal(err.buf, "runs-on 'windows-latest' needs a Windows runner, which this "
			    "machine is not; the job is skipped (map the label with -P "
			    "windows-latest=IMAGE, or -P windows-latest=-self-hosted to run it on "
			    "this machine)");
	finish(ex, &leg);

	/* an image that is not there: the set-up says so, and what to do */
	strbuf_reset(&err);
	assert_int_equal(prepare(ex, &leg, "t.absent", "ubuntu-latest", val_null(), &err), 0);
	assert_int_equal(finish_setup(ex, &leg, NULL, &err), -1);
	assert_string_equal(err.buf, "job container: image 'slipway-test/absent:nope' not present: "
			    "build or pull it, or map the label with -P (--pull fetches missing "
			    "images)");
	finish(ex, &leg);

	/* container: wins over the runs-on image; its options are checked before anything runs */
	strbuf_reset(&err);
	val_object_setstr(&a, ctr, "image", val_cstring(&a, BUSYBOX));
	val_object_setstr(&a, ctr, "options", val_cstring(&a, "--network host"));
	assert_int_equal(prepare(ex, &leg, "t.opts", "ubuntu-latest", ctr, &err), -1);
	assert_string_equal(err.buf, "container: option '--network' is not supported: slipway puts "
			    "a job and its services on a network of its own");
	finish(ex, &leg);
	strbuf_reset(&err);
	val_object_setstr(&a, ctr, "options", val_cstring(&a, "--user 65534"));
	assert_int_equal(prepare(ex, &leg, "t.user", "ubuntu-latest", ctr, &err), 0);
	assert_int_equal(finish_setup(ex, &leg, NULL, &err), 0);
	/* the workspace belongs to the user steps run as; file-command files are theirs to write */
	assert_int_equal(run_step(ex, &leg, "id -u; touch w && echo ws; "
				  "echo x >> /github/files/step2.sh && echo files; "
				  "touch /github/runner_temp/t && echo temp", env, 1, &out), 0);
	assert_string_equal(out.buf, "65534\nws\nfiles\ntemp\n");
	finish(ex, &leg);

	/* a label mapped to this machine: the host executor inside, no set-up child */
	strbuf_reset(&err);
	strbuf_reset(&out);
	assert_int_equal(prepare(ex, &leg, "t.host", "mine", val_null(), &err), 0);
	assert_int_equal(leg.job.setup.pid, 0);
	assert_string_equal(leg.job.environment, "self-hosted");
	assert_int_equal(run_step(ex, &leg, "cat hello.txt; echo \"$PWD\"", env, 1, &out), 0);
	assert_int_equal(strncmp(out.buf, "hello from the snapshot\n", 24), 0);
	assert_non_null(strstr(out.buf, g.slots.buf));
	finish(ex, &leg);
	ex->ops->free(ex);
	assert_int_equal(labelled(), 0);
	arena_release(&a);
	strbuf_release(&err);
	strbuf_release(&out);
}

static void test_unreachable_engine(void **state)
{
	struct strbuf err = STRBUF_INIT, host = STRBUF_INIT;
	struct exec_docker_opts o;
	struct executor *ex = NULL;

	(void)state;
	strbuf_addf(&host, "unix://%s/no-engine.sock", g.scratch);
	memset(&o, 0, sizeof(o));
	o.host = host.buf;
	o.run_id = g.run_id;
	o.tool_cache = g.tool_cache.buf;
	assert_int_equal(exec_docker_new(&ex, &o, &err), -1);
	assert_null(ex);
	assert_non_null(strstr(err.buf, "cannot reach the Docker engine at unix://"));
	assert_non_null(strstr(err.buf, "(start dockerd or podman's service, or set DOCKER_HOST)"));
	strbuf_release(&err);
	strbuf_release(&host);
}

/* ------------------------------------------------------------------ */
/* An engine that dies: a proxy in front of the real socket, killed mid-step */

static void proxy_shuttle(int a)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int b = socket(AF_UNIX, SOCK_STREAM, 0);
	char buf[65536];

	snprintf(sun.sun_path, sizeof(sun.sun_path), "/var/run/docker.sock");
	if (b < 0 || connect(b, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		_exit(1);
	for (;;) {
		struct pollfd p[2] = { { a, POLLIN, 0 }, { b, POLLIN, 0 } };

		if (poll(p, 2, -1) < 0)
			_exit(1);
		for (int i = 0; i < 2; i++) {
			ssize_t n;

			if (!p[i].revents)
				continue;
			n = read(i ? b : a, buf, sizeof(buf));
			if (n <= 0 || write(i ? a : b, buf, (size_t)n) != n)
				_exit(0);
		}
	}
}

static pid_t proxy_start(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	pid_t pid;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	assert_true(s >= 0);
	assert_int_equal(bind(s, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(s, 64), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		setpgid(0, 0);
		signal(SIGCHLD, SIG_IGN);
		for (;;) {
			int c = accept(s, NULL, NULL);

			if (c >= 0 && !fork()) {
				close(s);
				proxy_shuttle(c);
			}
			if (c >= 0)
				close(c);
		}
	}
	setpgid(pid, pid);
	close(s);
	return pid;
}

static void test_engine_dies_mid_step(void **state)
{
	static const char *const maps[] = { "ubuntu-latest=" BUSYBOX, NULL };
	static const char *const env[] = { "PATH=/bin", NULL };
	struct strbuf err = STRBUF_INIT, sock = STRBUF_INIT, host = STRBUF_INIT;
	struct executor *ex;
	struct exec_step step;
	struct watched w;
	struct leg leg;
	pid_t proxy;
	long t0;

	(void)state;
	NEED_DOCKER();
	if (strcmp(engine_host(g.e), "unix:///var/run/docker.sock")) {
		if (g.require)
			fail_msg("the proxy needs the engine at /var/run/docker.sock");
		skip();
	}
	strbuf_addf(&sock, "%s/proxy.sock", g.scratch);
	strbuf_addf(&host, "unix://%s", sock.buf);
	proxy = proxy_start(sock.buf);
	ex = new_executor(host.buf, maps);
	assert_int_equal(prepare(ex, &leg, "t.dies", "ubuntu-latest", val_null(), &err), 0);
	assert_int_equal(finish_setup(ex, &leg, NULL, &err), 0);
	start(ex, &leg, &step, "echo started; sleep 30", env, 1);
	watch(&w, step.pid, step.out);
	assert_int_equal(run_until(&w, 10000, "started\n"), 0);
	kill(-proxy, SIGKILL);
	waitpid(proxy, NULL, 0);
	t0 = now_ms();
	assert_int_equal(run_until(&w, 15000, NULL), 0);
	assert_true(now_ms() - t0 < 10000);
	assert_int_equal(WEXITSTATUS(w.status), 1);
	assert_non_null(strstr(w.out.buf, "started\n::error::"));
	unwatch(&w);
	/* what is left behind cannot be removed through a dead engine; the test's sweep does it */
	t0 = now_ms();
	finish(ex, &leg);
	ex->ops->free(ex);
	assert_true(now_ms() - t0 < 30000);
	strbuf_release(&err);
	strbuf_release(&sock);
	strbuf_release(&host);
}

static void test_nothing_left(void **state)
{
	struct strbuf err = STRBUF_INIT;

	(void)state;
	NEED_DOCKER();
	assert_int_equal(docker_sweep_run(g.e, g.run_id, 15000, &err), 0);
	assert_int_equal(labelled(), 0);
	strbuf_release(&err);
}

/* ------------------------------------------------------------------ */

static int setup(void **state)
{
	const char *top = getenv("SLIPWAY_TOP");
	const char *require = getenv("SLIPWAY_TEST_REQUIRE_DOCKER");
	struct strbuf cmd = STRBUF_INIT, err = STRBUF_INIT, file = STRBUF_INIT;

	(void)state;
	strbuf_init(&g.why, 0);
	strbuf_init(&g.snapshot, 0);
	strbuf_init(&g.tool_cache, 0);
	strbuf_init(&g.slots, 0);
	g.require = require && !strcmp(require, "1");
	snprintf(g.scratch, sizeof(g.scratch), "%s/exec-docker-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(g.scratch))
		return -1;
	strbuf_addf(&g.snapshot, "%s/snapshot", g.scratch);
	strbuf_addf(&g.tool_cache, "%s/toolcache", g.scratch);
	strbuf_addf(&g.slots, "%s/slots", g.scratch);
	strbuf_addf(&file, "%s/hello.txt", g.snapshot.buf);
	if (fs_mkdir_p(g.snapshot.buf, 0755, &err) < 0 ||
	    fs_write_file(file.buf, "hello from the snapshot\n", 24, 0644, &err) < 0)
		return -1;
	snprintf(g.run_id, sizeof(g.run_id), "test-exec-docker-%ld", (long)getpid());
	g.loop = loop_new();
	if (engine_open(&g.e, NULL, &g.why) >= 0) {
		strbuf_addf(&cmd, "'%s/tests/images.sh' busybox", top ? top : ".");
		if (system(cmd.buf) != 0) {
			strbuf_addf(&g.why, "'%s' failed", cmd.buf);
			engine_free(g.e);
			g.e = NULL;
		}
	}
	strbuf_release(&cmd);
	strbuf_release(&err);
	strbuf_release(&file);
	return 0;
}

static int teardown(void **state)
{
	struct strbuf err = STRBUF_INIT;

	(void)state;
	if (g.e)
		docker_sweep_run(g.e, g.run_id, 15000, &err);
	engine_free(g.e);
	loop_free(g.loop);
	fs_rm_rf(g.scratch, &err);
	strbuf_release(&err);
	strbuf_release(&g.why);
	strbuf_release(&g.snapshot);
	strbuf_release(&g.tool_cache);
	strbuf_release(&g.slots);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_steps_in_a_container),
		cmocka_unit_test(test_signals),
		cmocka_unit_test(test_where_legs_run),
		cmocka_unit_test(test_unreachable_engine),
		cmocka_unit_test(test_engine_dies_mid_step),
		cmocka_unit_test(test_nothing_left),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
