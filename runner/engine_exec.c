/*
 * engine_exec: processes run inside a running container through the exec
 * API — create, start with the output streamed and demultiplexed as it
 * arrives, inspect for the exit code. Steps, shells and logs are the
 * executor's; this only runs argv.
 */
#include "runner/engine_req.h"

#include <string.h>

int engine_exec_create(struct strbuf *out, struct engine *e, const char *container,
		       const struct engine_exec_spec *spec, struct strbuf *err)
{
	struct arena a = ARENA_INIT;
	struct engine_req r;
	struct val body = val_new_object(&a);
	int ret;

	val_object_setstr(&a, body, "AttachStdin", val_bool(0));
	val_object_setstr(&a, body, "AttachStdout", val_bool(1));
	val_object_setstr(&a, body, "AttachStderr", val_bool(1));
	val_object_setstr(&a, body, "Tty", val_bool(spec->tty));
	val_object_setstr(&a, body, "Privileged", val_bool(spec->privileged));
	engine_set_strlist(&a, body, "Cmd", spec->cmd);
	engine_set_strlist(&a, body, "Env", spec->env);
	engine_set_string(&a, body, "WorkingDir", spec->workdir);
	engine_set_string(&a, body, "User", spec->user);
	engine_req_init(&r, "POST");
	engine_pathf(&r.path, "/containers/%s/exec", container);
	r.json = &body;
	ret = engine_do_id(out, e, &r, err, "cannot run a process in container '%s'", container);
	engine_req_release(&r);
	arena_release(&a);
	return ret;
}

int engine_exec_start(struct engine *e, const char *exec_id, int tty, engine_output_fn *fn,
		      void *data, struct strbuf *err)
{
	struct arena a = ARENA_INIT;
	struct engine_demux d;
	struct engine_req r;
	struct val body = val_new_object(&a);
	int ret;

	val_object_setstr(&a, body, "Detach", val_bool(0));
	val_object_setstr(&a, body, "Tty", val_bool(tty));
	engine_demux_init(&d, tty, fn, data);
	engine_req_init(&r, "POST");
	engine_pathf(&r.path, "/exec/%s/start", exec_id);
	r.json = &body;
	r.stream = 1;
	r.sink = engine_demux_feed;
	r.sink_data = &d;
	ret = engine_do(e, &r, err, "cannot start process '%s'", exec_id);
	if (!ret && engine_demux_finish(&d) < 0) {
		strbuf_addf(err, "lost the output of process '%s': the stream ended mid-frame "
			    "(the engine at %s may have stopped)", exec_id, engine_host(e));
		ret = ENGINE_EUNREACHABLE;
	}
	engine_req_release(&r);
	arena_release(&a);
	return ret;
}

int engine_exec_inspect(struct engine_exec_info *out, struct engine *e, const char *exec_id,
			struct strbuf *err)
{
	struct arena a = ARENA_INIT;
	struct engine_req r;
	struct val v, *running, *code;
	int ret;

	engine_req_init(&r, "GET");
	engine_pathf(&r.path, "/exec/%s/json", exec_id);
	ret = engine_do_json(&v, &a, e, &r, err, "cannot inspect process '%s'", exec_id);
	if (!ret) {
		running = val_object_getstr(v, "Running");
		code = val_object_getstr(v, "ExitCode");
		out->running = running && running->kind == VAL_BOOL && running->u.boolean;
		out->exit_code = code && code->kind == VAL_NUMBER && !out->running ?
			(int)code->u.number : -1;
		out->pid = (int)engine_get_num(v, "Pid");
	}
	engine_req_release(&r);
	arena_release(&a);
	return ret;
}

int engine_exec_wait(struct engine_exec_info *out, struct engine *e, const char *exec_id,
		     struct strbuf *err)
{
	long waited = 0, step = 1;
	int ret;

	/* The output ends when the process closes it; the engine may record the exit later. */
	while (!(ret = engine_exec_inspect(out, e, exec_id, err)) && out->running) {
		if (waited >= 10000) {
			strbuf_addf(err, "process '%s' still runs 10 s after its output ended",
				    exec_id);
			return ENGINE_ERR;
		}
		ret = engine_pause(e, step, err);
		if (ret)
			return ret;
		waited += step;
		step = step < 64 ? step * 2 : 100;
	}
	return ret;
}

int engine_exec_run(struct engine_exec_info *out, struct engine *e, const char *container,
		    const struct engine_exec_spec *spec, engine_output_fn *fn, void *data,
		    struct strbuf *err)
{
	struct strbuf id = STRBUF_INIT;
	int ret;

	ret = engine_exec_create(&id, e, container, spec, err);
	if (!ret)
		ret = engine_exec_start(e, id.buf, spec->tty, fn, data, err);
	if (!ret)
		ret = engine_exec_wait(out, e, id.buf, err);
	strbuf_release(&id);
	return ret;
}
