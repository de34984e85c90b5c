/*
 * docker_step: a step as one exec in the job container, and signals for
 * it, each in a forked child that may block on the engine. The exec id
 * travels through a file so that the signal child finds exactly the step
 * it was meant for, never the next one.
 */
#include "runner/docker_step.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/fs.h"
#include "util/strlist.h"

static int step_relay(void *data, enum engine_stream stream, const char *buf, size_t len)
{
	(void)data;
	(void)stream;
	return fs_write_all(1, buf, len);
}

static void step_list(struct strlist *out, const char *const *items)
{
	for (size_t i = 0; items && items[i]; i++)
		strlist_push(out, items[i]);
}

int docker_step_run(void *data)
{
	const struct docker_step *s = data;
	struct engine *e = engine_clone(s->engine);
	struct strlist cmd = STRLIST_INIT, env = STRLIST_INIT;
	struct engine_exec_spec spec = { &cmd, &env, s->dir, NULL, 0, 0 };
	struct engine_exec_info info = { 0, 1, 0 };
	struct strbuf id = STRBUF_INIT, err = STRBUF_INIT, line = STRBUF_INIT;
	int ret;

	/* stderr joins stdout in the container, so lines keep the order they were printed in */
	strlist_push(&cmd, "sh");
	strlist_push(&cmd, "-c");
	strlist_push(&cmd, "exec \"$@\" 2>&1");
	strlist_push(&cmd, "sh");
	step_list(&cmd, s->argv);
	step_list(&env, s->env);
	ret = engine_exec_create(&id, e, s->container, &spec, &err);
	if (!ret && fs_write_file(s->exec_file, id.buf, id.len, 0600, &err) < 0)
		ret = ENGINE_ERR;
	if (!ret)
		ret = engine_exec_start(e, id.buf, 0, step_relay, NULL, &err);
	if (!ret)
		ret = engine_exec_wait(&info, e, id.buf, &err);
	if (ret) {
		strbuf_addf(&line, "::error::%s\n", err.buf);
		fs_write_all(1, line.buf, line.len);
		info.exit_code = 1;
	}
	strlist_release(&cmd);
	strlist_release(&env);
	strbuf_release(&id);
	strbuf_release(&err);
	strbuf_release(&line);
	engine_free(e);
	return info.exit_code;
}

/* ------------------------------------------------------------------ */
/* Signals */

#define SIGNAL_WAIT_MS 5000

static void signal_pause(void)
{
	const struct timespec ts = { 0, 5 * 1000000L };

	nanosleep(&ts, NULL);
}

/* The exec id, once the step child has written it (it may not have yet). */
static int signal_exec_id(struct strbuf *out, const struct docker_signal *s)
{
	struct strbuf err = STRBUF_INIT;

	for (int waited = 0; waited < SIGNAL_WAIT_MS; waited += 5) {
		strbuf_reset(out);
		if (!fs_read_file(out, s->exec_file, 4096, &err) && out->len)
			break;
		strbuf_reset(out);
		if (kill(s->step, 0) < 0)
			break;
		signal_pause();
	}
	strbuf_release(&err);
	return out->len ? 0 : -1;
}

/* The exec's process on this machine, once it runs; 0 when it is over (or never came). */
static pid_t signal_exec_pid(struct engine *e, const char *exec_id)
{
	struct strbuf err = STRBUF_INIT;
	struct engine_exec_info info;
	pid_t pid = 0;

	for (int waited = 0; waited < SIGNAL_WAIT_MS; waited += 5) {
		strbuf_reset(&err);
		if (engine_exec_inspect(&info, e, exec_id, &err) < 0)
			break;
		if (info.running && info.pid > 0) {
			pid = info.pid;
			break;
		}
		if (!info.running && info.exit_code >= 0)
			break;
		signal_pause();
	}
	strbuf_release(&err);
	return pid;
}

/* Is pid, a process of this machine, inside the container (its cgroup names the id)? */
static int signal_is_local(struct engine *e, const char *container, pid_t pid)
{
	const char *host = engine_host(e);
	struct strbuf path = STRBUF_INIT, cgroup = STRBUF_INIT, err = STRBUF_INIT;
	struct engine_container_info info;
	struct arena a = ARENA_INIT;
	int local = 0;

	if (strncmp(host, "unix://", 7) && host[0] != '/')
		goto out;
	strbuf_addf(&path, "/proc/%d/cgroup", (int)pid);
	if (fs_read_file(&cgroup, path.buf, 1 << 16, &err) < 0 ||
	    engine_container_inspect(&info, &a, e, container, &err) < 0 || !info.id)
		goto out;
	local = strstr(cgroup.buf, info.id) != NULL;
out:
	strbuf_release(&path);
	strbuf_release(&cgroup);
	strbuf_release(&err);
	arena_release(&a);
	return local;
}

/* pid's number inside its own pid namespace (the last of /proc/PID/status's NSpid), or 0. */
static long signal_ns_pid(pid_t pid)
{
	struct strbuf path = STRBUF_INIT, status = STRBUF_INIT, err = STRBUF_INIT;
	const char *line;
	long ns = 0;

	strbuf_addf(&path, "/proc/%d/status", (int)pid);
	if (!fs_read_file(&status, path.buf, 1 << 16, &err) &&
	    (line = strstr(status.buf, "\nNSpid:"))) {
		char *end;

		for (line += 7;; line = end) {
			long n = strtol(line, &end, 10);

			if (end == line)
				break;
			ns = n;
		}
	}
	strbuf_release(&path);
	strbuf_release(&status);
	strbuf_release(&err);
	return ns;
}

/* `kill -SIG -GROUP` (or -1) run as root inside the container. */
static int signal_in_container(struct engine *e, const char *container, int sig, long group)
{
	struct strlist cmd = STRLIST_INIT;
	struct engine_exec_spec spec = { &cmd, NULL, NULL, "0", 0, 0 };
	struct engine_exec_info info;
	struct strbuf err = STRBUF_INIT;
	int ret;

	strlist_push(&cmd, "sh");
	strlist_push(&cmd, "-c");
	strlist_pushf(&cmd, "kill -%s -%ld", sigabbrev_np(sig), group > 0 ? group : 1);
	ret = engine_exec_run(&info, e, container, &spec, NULL, NULL, &err);
	strlist_release(&cmd);
	strbuf_release(&err);
	return ret || info.exit_code ? -1 : 0;
}

int docker_signal_run(void *data)
{
	const struct docker_signal *s = data;
	struct engine *e = engine_clone(s->engine);
	struct strbuf id = STRBUF_INIT;
	pid_t pid;
	int ret = 0;

	engine_set_timeouts(e, 10000, 10000);
	if (signal_exec_id(&id, s) < 0 || !(pid = signal_exec_pid(e, id.buf)))
		goto out;
	if (signal_is_local(e, s->container, pid)) {
		if (!kill(-pid, s->sig) || errno == ESRCH)
			goto out;
		ret = signal_in_container(e, s->container, s->sig, signal_ns_pid(pid));
	} else {
		ret = signal_in_container(e, s->container, s->sig, 0);
	}
out:
	strbuf_release(&id);
	engine_free(e);
	return ret ? 1 : 0;
}
