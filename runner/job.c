/*
 * job: one leg from prepare to outputs — its contexts, each step's `if:`,
 * env, shell and script, the step's output through workflow commands into
 * the log, file commands after it, timeouts and the cancellation
 * sequence; frames of composite steps, pre and post steps. Step kinds
 * (`run:`, `uses:`, `parallel:`) are a table; `uses:` is runner/job_uses.c.
 */
#include "runner/job_int.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parser/template.h"
#include "runner/call.h"
#include "runner/context.h"
#include "runner/envfile.h"
#include "runner/joblog.h"
#include "runner/runstate.h"
#include "runner/wfcmd.h"
#include "stages/stage.h"
#include "util/fs.h"
#include "util/proc.h"
#include "util/xalloc.h"

extern char **environ;

/* Bytes read from a step's pipe at a time. */
#define JOB_READ_CHUNK 65536

static const char *const job_file_names[JF_NR] = {
	"set_output", "set_env", "add_path", "save_state", "step_summary",
};

static void job_next_step(struct job_run *jr);
static int job_minutes(struct job_run *jr, const struct ydoc_node *n, double dflt,
		       uint64_t *ms, struct strbuf *err);
static void job_finish(struct job_run *jr);

static struct expr_names job_names = {
	plan_step_contexts, EXPR_FN_STATUS | EXPR_FN_HASHFILES, NULL, 0,
};

struct job_frame *job_top(struct job_run *jr)
{
	return &jr->frames[jr->frames_nr - 1];
}

void job_env_context(struct job_run *jr)
{
	struct job_frame *top = job_top(jr);
	struct val env = jr->env;

	if (top->contexts.kind != VAL_OBJECT)
		return;
	if (top->env_over.kind == VAL_OBJECT && top->env_over.u.object->nr) {
		env = context_copy_object(&jr->arena, jr->env);
		for (size_t i = 0; i < top->env_over.u.object->nr; i++)
			val_object_set(&jr->arena, env, top->env_over.u.object->members[i].key,
				       top->env_over.u.object->members[i].key_len,
				       top->env_over.u.object->members[i].value);
	}
	val_object_setstr(&jr->arena, top->contexts, "env", env);
}

/* The status success()/failure() read: the job's, or a composite's own. */
static enum expr_job_status *job_status_ptr(struct job_run *jr)
{
	return jr->frames_nr > 1 ? &job_top(jr)->status : &jr->status;
}

static struct expr_env job_env(struct job_run *jr)
{
	struct expr_env env = { job_top(jr)->contexts, *job_status_ptr(jr), jr->ej.workspace_host,
				&jr->arena };

	return env;
}

int job_eval(struct job_run *jr, struct val *out, const struct ydoc_node *n, struct strbuf *err)
{
	struct expr_env env = job_env(jr);

	return tmpl_eval(out, n, &job_names, &env, err);
}

void job_error(struct job_run *jr, const char *msg)
{
	joblog_line(&jr->log, CONSOLE_ERROR, msg, strlen(msg));
}

static const char *job_status_name(enum expr_job_status s)
{
	static const char *const names[] = { "success", "failure", "cancelled" };

	return names[s];
}

static void job_update_status(struct job_run *jr)
{
	if (jr->job_ctx.kind != VAL_OBJECT)
		return;         /* not prepared yet: job_build_contexts sets it */
	val_object_setstr(&jr->arena, jr->job_ctx, "status",
			  val_cstring(&jr->arena, job_status_name(jr->status)));
}

/* ---------------------------------------------------------------- env */

/* Evaluate a mapping of env values into obj (later keys win). */
int job_eval_env(struct job_run *jr, struct val obj, const struct ydoc_node *n, struct strbuf *err)
{
	struct val v;

	if (!n)
		return 0;
	if (job_eval(jr, &v, n, err) < 0)
		return -1;
	if (v.kind != VAL_OBJECT) {
		strbuf_addf(err, "%s:%d:%d: 'env' must be a mapping", n->file, n->line, n->col);
		return -1;
	}
	for (size_t i = 0; i < v.u.object->nr; i++) {
		struct strbuf s = STRBUF_INIT;

		expr_coerce_string(&s, v.u.object->members[i].value);
		val_object_set(&jr->arena, obj, v.u.object->members[i].key,
			       v.u.object->members[i].key_len, val_string(&jr->arena, s.buf, s.len));
		strbuf_release(&s);
	}
	return 0;
}

/* ---------------------------------------------------------------- contexts */

/*
 * The run's secrets or vars (base) with those of the leg's environment
 * (per_env: environment name -> object) laid over them, in the job's arena.
 */
static struct val job_with_environment(struct job_run *jr, struct val base, struct val per_env)
{
	const char *env = jr->leg->env_name;
	struct val v = context_copy_object(&jr->arena, base);
	struct val *extra = env ? val_object_geti(per_env, env, strlen(env)) : NULL;

	for (size_t i = 0; extra && extra->kind == VAL_OBJECT && i < extra->u.object->nr; i++)
		val_object_set(&jr->arena, v, extra->u.object->members[i].key,
			       extra->u.object->members[i].key_len,
			       extra->u.object->members[i].value);
	return v;
}

static int job_build_contexts(struct job_run *jr, struct strbuf *err)
{
	struct arena *a = &jr->arena;
	struct plan_leg *leg = jr->leg;
	struct val c = context_job_level(a, jr->run, leg), *g;

	jr->contexts = c;
	jr->frames[0].contexts = c;
	jr->env = val_new_object(a);
	jr->steps = val_new_object(a);
	jr->frames[0].steps_ctx = jr->steps;
	jr->job_ctx = val_new_object(a);
	val_object_setstr(a, jr->job_ctx, "container", val_new_object(a));
	val_object_setstr(a, jr->job_ctx, "services", val_new_object(a));
	for (size_t i = 0; jr->ej.job_context.kind == VAL_OBJECT &&
	     i < jr->ej.job_context.u.object->nr; i++) {
		const struct val_member *m = &jr->ej.job_context.u.object->members[i];

		val_object_set(a, jr->job_ctx, m->key, m->key_len, val_copy(a, m->value));
	}
	val_object_setstr(a, c, "secrets", job_with_environment(jr, leg->job->secrets.kind ==
								VAL_OBJECT ? leg->job->secrets
								: jr->run->secrets,
								jr->run->env_secrets));
	val_object_setstr(a, c, "vars", job_with_environment(jr, jr->run->vars, jr->run->env_vars));
	val_object_setstr(a, c, "runner", context_runner(a, &jr->ej, jr->run->opts.verbose));
	val_object_setstr(a, c, "job", jr->job_ctx);
	val_object_setstr(a, c, "steps", jr->steps);
	val_object_setstr(a, c, "env", jr->env);
	g = val_object_getstr(c, "github");
	if (g)
		val_object_setstr(a, *g, "workspace", val_cstring(a, jr->ej.workspace));
	if (g && jr->ej.event_path)
		val_object_setstr(a, *g, "event_path", val_cstring(a, jr->ej.event_path));
	job_update_status(jr);
	for (size_t i = 0; i < jr->run->env_file.u.object->nr; i++)
		val_object_set(a, jr->env, jr->run->env_file.u.object->members[i].key,
			       jr->run->env_file.u.object->members[i].key_len,
			       jr->run->env_file.u.object->members[i].value);
	return job_eval_env(jr, jr->env, leg->job->def->env, err) < 0 ||
	       job_eval_env(jr, jr->env, leg->job->job->env, err) < 0 ? -1 : 0;
}

/* ---------------------------------------------------------------- lines */

static void job_annotation(struct job_run *jr, enum console_kind kind, const struct wfcmd *cmd)
{
	struct strbuf sb = STRBUF_INIT;

	if (cmd->file) {
		strbuf_addstr(&sb, cmd->file);
		if (cmd->line)
			strbuf_addf(&sb, ":%d", cmd->line);
		if (cmd->line && cmd->col)
			strbuf_addf(&sb, ":%d", cmd->col);
		strbuf_addstr(&sb, ": ");
	}
	if (cmd->title)
		strbuf_addf(&sb, "%s: ", cmd->title);
	strbuf_add(&sb, cmd->data, cmd->data_len);
	joblog_line(&jr->log, kind, sb.buf, sb.len);
	strbuf_release(&sb);
}

static void job_set_output(struct job_run *jr, const char *key, const char *data, size_t len)
{
	if (key && *key)
		val_object_setstr(&jr->arena, jr->cmd_outputs, key, val_string(&jr->arena, data, len));
}

static void job_process_line(struct job_run *jr, const char *line, size_t len)
{
	static const enum console_kind msg_kinds[] = {
		[WFCMD_LEVEL_ERROR] = CONSOLE_ERROR, [WFCMD_LEVEL_WARNING] = CONSOLE_WARNING,
		[WFCMD_LEVEL_DEBUG] = CONSOLE_DEBUG,
	};
	struct wfcmd cmd;
	enum wfcmd_kind kind;

	if (!jr->cur) {
		joblog_line(&jr->log, CONSOLE_OUTPUT, line, len);
		return;
	}
	kind = wfcmd_parse(&jr->wfcmd, line, len, &cmd);
	if (cmd.secret && cmd.secret_len)
		mask_add(jr->run->mask, cmd.secret, cmd.secret_len);
	if (kind == WFCMD_NONE) {
		joblog_line(&jr->log, CONSOLE_OUTPUT, line, len);
		return;
	}
	if (cmd.echo)
		joblog_line(&jr->log, CONSOLE_OUTPUT, cmd.echo, strlen(cmd.echo));
	for (size_t i = 0; i < cmd.nmsgs; i++)
		joblog_line(&jr->log, msg_kinds[cmd.msgs[i].level], cmd.msgs[i].text,
			    strlen(cmd.msgs[i].text));
	if (cmd.failed)
		jr->cmd_failed = 1;
	switch (kind) {
	case WFCMD_ADD_PATH:
		envfile_parse_path(&jr->path_add, cmd.data, cmd.data_len);
		break;
	case WFCMD_DEBUG:
		joblog_line(&jr->log, CONSOLE_DEBUG, cmd.data, cmd.data_len);
		break;
	case WFCMD_GROUP:
		joblog_line(&jr->log, CONSOLE_GROUP, cmd.data, cmd.data_len);
		break;
	case WFCMD_ENDGROUP:
		joblog_line(&jr->log, CONSOLE_ENDGROUP, "", 0);
		break;
	case WFCMD_ERROR:
		job_annotation(jr, CONSOLE_ERROR, &cmd);
		break;
	case WFCMD_WARNING:
		job_annotation(jr, CONSOLE_WARNING, &cmd);
		break;
	case WFCMD_NOTICE:
		job_annotation(jr, CONSOLE_NOTICE, &cmd);
		break;
	case WFCMD_SET_OUTPUT:
		job_set_output(jr, cmd.key, cmd.data, cmd.data_len);
		break;
	case WFCMD_SET_ENV:
		if (cmd.key && *cmd.key)
			val_object_setstr(&jr->arena, jr->env, cmd.key,
					  val_string(&jr->arena, cmd.data, cmd.data_len));
		break;
	case WFCMD_REGISTRY_LOGIN:
		mask_add(jr->run->mask, cmd.data, cmd.data_len);        /* the encoded pair too */
		regauth_set(&jr->registry_auths, cmd.key, cmd.username, cmd.password);
		break;
	case WFCMD_REGISTRY_LOGOUT:
		regauth_drop(&jr->registry_auths, cmd.key);
		break;
	default:
		break;
	}
}

/* Split buffered output into lines; flush a partial one when final. */
static void job_take_lines(struct job_run *jr, int final)
{
	struct strbuf *p = &jr->pending;
	size_t start = 0;

	for (size_t i = 0; i < p->len; i++) {
		if (p->buf[i] != '\n')
			continue;
		job_process_line(jr, p->buf + start, i - start);
		start = i + 1;
	}
	if (p->len - start > JOBLOG_MAX_LINE || (final && start < p->len)) {
		job_process_line(jr, p->buf + start, p->len - start);
		start = p->len;
	}
	memmove(p->buf, p->buf + start, p->len - start);
	strbuf_setlen(p, p->len - start);
}

/* Read what fd has; returns 1 on end of file or error, else 0. */
static int job_read(struct job_run *jr, int fd)
{
	char buf[JOB_READ_CHUNK];

	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n > 0) {
			strbuf_add(&jr->pending, buf, (size_t)n);
			job_take_lines(jr, 0);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		return n < 0 && errno == EAGAIN ? 0 : 1;
	}
}

static void job_drop_fd(struct job_run *jr, int fd)
{
	loop_unwatch_fd(jr->run->loop, fd);
	close(fd);
	for (size_t i = 0; i < jr->linger_nr; i++)
		if (jr->linger[i] == fd)
			jr->linger[i] = jr->linger[--jr->linger_nr];
}

static void job_on_linger(struct loop *l, int fd, unsigned events, void *data)
{
	struct job_run *jr = data;

	(void)l;
	(void)events;
	if (job_read(jr, fd)) {
		job_take_lines(jr, 1);
		job_drop_fd(jr, fd);
	}
}

static void job_on_output(struct loop *l, int fd, unsigned events, void *data)
{
	struct job_run *jr = data;

	(void)l;
	(void)events;
	if (job_read(jr, fd)) {
		loop_unwatch_fd(jr->run->loop, fd);
		close(fd);
		jr->es.out = -1;
	}
}

/* ---------------------------------------------------------------- stopping */

static void job_on_kill_timer(struct loop *l, uint64_t id, void *data);

/* The next signal of the cancellation sequence for the running step. */
static void job_signal_next(struct job_run *jr)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGKILL };
	struct run *run = jr->run;

	if (!jr->cur || jr->child_done || jr->kill_stage >= 3)
		return;
	run->exec->ops->signal_step(run->exec, &jr->ej, &jr->es, sigs[jr->kill_stage]);
	jr->kill_stage++;
	if (jr->kill_stage < 3)
		jr->kill_timer = loop_add_timer(run->loop, run->opts.kill_after_ms[jr->kill_stage - 1],
						job_on_kill_timer, jr);
}

static void job_on_kill_timer(struct loop *l, uint64_t id, void *data)
{
	struct job_run *jr = data;

	(void)l;
	(void)id;
	jr->kill_timer = 0;
	job_signal_next(jr);
}

static void job_on_step_timeout(struct loop *l, uint64_t id, void *data)
{
	struct job_run *jr = data;

	(void)l;
	(void)id;
	jr->step_timer = 0;
	jr->step_timed_out = 1;
	joblog_linef(&jr->log, CONSOLE_ERROR, "the step '%s' has timed out", jr->cur->name);
	if (!jr->kill_stage)
		job_signal_next(jr);
}

static void job_on_cancel_timeout(struct loop *l, uint64_t id, void *data)
{
	struct job_run *jr = data;

	(void)l;
	(void)id;
	jr->cancel_timer = 0;
	joblog_linef(&jr->log, CONSOLE_ERROR, "the job '%s' did not end within its "
		     "cancel-timeout-minutes: stopping it", jr->leg->name);
	job_kill(jr->run, jr->leg);
}

/*
 * A stopped job's always() and cancelled() steps get cancel-timeout-minutes
 * (default 5), as on GitHub; then the job is killed.
 */
static void job_start_cancel_timer(struct job_run *jr)
{
	struct strbuf err = STRBUF_INIT;
	uint64_t ms = 0;

	if (jr->killed || jr->cancel_timer)
		return;
	/* the contexts an expression would need exist once the leg is set up */
	if (jr->frames_nr && job_top(jr)->contexts.kind == VAL_OBJECT &&
	    job_minutes(jr, jr->leg->job->job->cancel_timeout_minutes,
			JOB_DEFAULT_CANCEL_TIMEOUT_MINUTES, &ms, &err) < 0)
		joblog_line(&jr->log, CONSOLE_ERROR, err.buf, err.len);
	if (!ms)
		ms = (uint64_t)(JOB_DEFAULT_CANCEL_TIMEOUT_MINUTES * 60000.0);
	jr->cancel_timer = loop_add_timer(jr->run->loop, ms, job_on_cancel_timeout, jr);
	strbuf_release(&err);
}

void job_stop(struct run *run, struct plan_leg *leg, enum job_stop why)
{
	struct job_run *jr = leg->run;

	(void)run;
	if (!jr || jr->stopped)
		return;
	jr->stopped = 1;
	jr->status = EXPR_STATUS_CANCELLED;
	for (size_t i = 1; i < jr->frames_nr; i++)
		jr->frames[i].status = EXPR_STATUS_CANCELLED;
	job_update_status(jr);
	if (jr->setting_up)
		kill(jr->ej.setup.pid, SIGKILL);
	if (why == JOB_STOP_TIMEOUT) {
		jr->timed_out = 1;
		leg->message = "timed out";
	}
	if (jr->cur && !jr->kill_stage)
		job_signal_next(jr);
	job_start_cancel_timer(jr);
}

void job_kill(struct run *run, struct plan_leg *leg)
{
	struct job_run *jr = leg->run;

	if (!jr)
		return;
	job_stop(run, leg, JOB_STOP_CANCEL);
	jr->killed = 1;
	if (jr->cur && !jr->child_done && jr->kill_stage < 3) {
		if (jr->kill_timer)
			loop_cancel_timer(run->loop, jr->kill_timer);
		jr->kill_timer = 0;
		jr->kill_stage = 2;
		job_signal_next(jr);
	}
}

static void job_on_job_timeout(struct loop *l, uint64_t id, void *data)
{
	struct job_run *jr = data;

	(void)l;
	(void)id;
	jr->job_timer = 0;
	joblog_linef(&jr->log, CONSOLE_ERROR, "the job '%s' has exceeded its maximum execution "
		     "time", jr->leg->name);
	job_stop(jr->run, jr->leg, JOB_STOP_TIMEOUT);
}

/* ---------------------------------------------------------------- finishing a step */

/*
 * steps.<id> for st in the running frame; outputs are the real values
 * (run.json gets masked ones). Pre and post steps are in no context.
 */
static void job_set_step_context(struct job_run *jr, struct plan_step *st, struct val outputs)
{
	struct arena *a = &jr->arena;
	struct val s = val_new_object(a);

	if (jr->cur_hook)
		return;
	val_object_setstr(a, s, "outputs", outputs);
	val_object_setstr(a, s, "outcome", val_cstring(a, plan_result_name(st->outcome)));
	val_object_setstr(a, s, "conclusion", val_cstring(a, plan_result_name(st->conclusion)));
	val_object_setstr(a, job_top(jr)->steps_ctx, st->id, s);
}

/* Steps of frame 0 and pre/post steps are the leg's, in run.json and the events. */
static int job_step_visible(struct job_run *jr)
{
	return jr->cur_hook || jr->frames_nr == 1;
}

/* Report envfile diagnostics into the log; -1 when one was an error. */
static int job_report_diags(struct job_run *jr, struct diag_list *d)
{
	for (size_t i = 0; i < d->nr; i++)
		job_error(jr, d->items[i].message);
	return d->errors ? -1 : 0;
}

/* Read the file commands the step wrote. Returns -1 when one could not be processed. */
static int job_read_files(struct job_run *jr, struct val outputs)
{
	struct diag_list d = DIAG_LIST_INIT;
	struct val env = val_new_object(&jr->arena);
	struct strbuf summary = STRBUF_INIT, err = STRBUF_INIT;
	static const enum envfile_kind kinds[] = { ENVFILE_OUTPUT, ENVFILE_ENV, ENVFILE_STATE };
	static const enum job_files files[] = { JF_OUTPUT, JF_ENV, JF_STATE };
	struct val objs[] = { outputs, env, jr->cur_state ? *jr->cur_state : val_null() };
	int ret = 0;

	for (size_t k = 0; k < 3; k++) {
		if (objs[k].kind != VAL_OBJECT)
			continue;       /* GITHUB_STATE is read for actions only */
		if (envfile_load(&jr->arena, objs[k], kinds[k], jr->files[files[k]].buf, &d) < 0) {
			job_report_diags(jr, &d);
			joblog_linef(&jr->log, CONSOLE_ERROR, "Unable to process file command "
				     "'%s' successfully.", envfile_kind_name(kinds[k]));
			ret = -1;
		} else {
			job_report_diags(jr, &d);
		}
		diag_list_release(&d);
	}
	for (size_t i = 0; i < env.u.object->nr; i++)
		val_object_set(&jr->arena, jr->env, env.u.object->members[i].key,
			       env.u.object->members[i].key_len, env.u.object->members[i].value);
	if (envfile_load_path(&jr->path_add, jr->files[JF_PATH].buf, &d) < 0)
		ret = -1;
	job_report_diags(jr, &d);
	diag_list_release(&d);
	if (envfile_load_summary(&summary, jr->files[JF_SUMMARY].buf, jr->run->mask, &d) < 0)
		job_report_diags(jr, &d);
	else if (joblog_summary(&jr->log, summary.buf, summary.len, &err) < 0)
		job_error(jr, err.buf);
	diag_list_release(&d);
	strbuf_release(&summary);
	strbuf_release(&err);
	return ret;
}

/*
 * outputs (an object of strings) copied into the plan's arena with every
 * secret masked: what run.json and --summary show. The steps context
 * keeps the real values.
 */
static struct val job_masked_copy(struct job_run *jr, struct val outputs)
{
	struct arena *pa = &jr->run->plan.arena;
	struct val out = val_new_object(pa);
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < outputs.u.object->nr; i++) {
		const struct val_member *m = &outputs.u.object->members[i];

		strbuf_reset(&sb);
		expr_coerce_string(&sb, m->value);
		mask_apply(jr->run->mask, &sb);
		val_object_set(pa, out, m->key, m->key_len, val_string(pa, sb.buf, sb.len));
	}
	strbuf_release(&sb);
	return out;
}

void job_step_done(struct job_run *jr, struct plan_step *st, enum plan_result outcome, int coe,
		   struct val outputs)
{
	enum expr_job_status *status = job_status_ptr(jr);
	struct arena *a = &jr->arena;
	struct val fields;

	st->outcome = outcome;
	st->conclusion = outcome == PLAN_FAILURE && coe ? PLAN_SUCCESS : outcome;
	if (st->conclusion == PLAN_FAILURE && *status == EXPR_STATUS_SUCCESS)
		*status = EXPR_STATUS_FAILURE;
	job_update_status(jr);
	st->outputs = job_masked_copy(jr, outputs);
	st->duration_ms = run_now_ms() - st->started_ms;
	st->status = PLAN_DONE;
	job_set_step_context(jr, st, outputs);
	job_env_context(jr);            /* GITHUB_ENV may have changed it */
	if (!job_step_visible(jr))
		return;
	fields = val_new_object(a);
	val_object_setstr(a, fields, "job", val_cstring(a, jr->leg->key));
	val_object_setstr(a, fields, "step", val_cstring(a, st->id));
	val_object_setstr(a, fields, "outcome", val_cstring(a, plan_result_name(st->outcome)));
	val_object_setstr(a, fields, "conclusion", val_cstring(a, plan_result_name(st->conclusion)));
	runstate_event(jr->run->rs, "step_finished", fields);
	runstate_dirty(jr->run->rs);
}

static void job_end_step(struct job_run *jr)
{
	struct run *run = jr->run;
	struct plan_step *st = jr->cur;
	struct val outputs = val_new_object(&jr->arena);
	int code = proc_exit_code(jr->exit_status);
	enum plan_result outcome;

	if (jr->step_timer)
		loop_cancel_timer(run->loop, jr->step_timer);
	if (jr->kill_timer)
		loop_cancel_timer(run->loop, jr->kill_timer);
	jr->step_timer = jr->kill_timer = 0;
	for (size_t i = 0; i < jr->cmd_outputs.u.object->nr; i++)
		val_object_set(&jr->arena, outputs, jr->cmd_outputs.u.object->members[i].key,
			       jr->cmd_outputs.u.object->members[i].key_len,
			       jr->cmd_outputs.u.object->members[i].value);
	if (job_read_files(jr, outputs) < 0)
		jr->cmd_failed = 1;
	if (jr->kill_stage && !jr->step_timed_out)
		outcome = PLAN_CANCELLED;
	else if (code == 0 && !jr->cmd_failed && !jr->step_timed_out)
		outcome = PLAN_SUCCESS;
	else
		outcome = PLAN_FAILURE;
	if (code && !jr->kill_stage)
		joblog_linef(&jr->log, CONSOLE_ERROR, "Process completed with exit code %d.", code);
	job_step_done(jr, st, outcome, jr->coe, outputs);
	wfcmd_state_release(&jr->wfcmd);
	jr->cur = NULL;
	jr->cur_hook = NULL;
	jr->cur_state = NULL;
	job_next_step(jr);
}

static void job_on_child(struct loop *l, pid_t pid, int status, void *data)
{
	struct job_run *jr = data;

	(void)l;
	(void)pid;
	jr->exit_status = status;
	jr->child_done = 1;
	if (jr->es.out >= 0) {
		if (job_read(jr, jr->es.out)) {
			job_take_lines(jr, 1);
			loop_unwatch_fd(jr->run->loop, jr->es.out);
			close(jr->es.out);
		} else {
			/* something the step started still holds the pipe: keep reading it */
			job_take_lines(jr, 1);
			ALLOC_GROW(jr->linger, jr->linger_nr + 1, jr->linger_alloc);
			jr->linger[jr->linger_nr++] = jr->es.out;
			loop_watch_fd(jr->run->loop, jr->es.out, LOOP_READ, job_on_linger, jr);
		}
		jr->es.out = -1;
	} else {
		job_take_lines(jr, 1);
	}
	job_end_step(jr);
}

/* ---------------------------------------------------------------- starting a step */

struct job_shell {
	const char *name;
	const char *const argv[4];      /* "{0}" stands for the script */
	const char *ext;
	const char *prologue, *epilogue;
};

static const struct job_shell job_shells[] = {
	{ "bash", { "bash", "--noprofile", "--norc", "-eo pipefail {0}" }, ".sh", NULL, NULL },
	{ "sh", { "sh", "-e", "{0}", NULL }, ".sh", NULL, NULL },
	{ "python", { "python", "{0}", NULL, NULL }, ".py", NULL, NULL },
	{ "pwsh", { "pwsh", "-command", ". '{0}'", NULL }, ".ps1",
	  "$ErrorActionPreference = 'stop'\n",
	  "\nif ((Test-Path -LiteralPath variable:\\LASTEXITCODE)) { exit $LASTEXITCODE }\n" },
	{ "powershell", { "powershell", "-command", ". '{0}'", NULL }, ".ps1",
	  "$ErrorActionPreference = 'stop'\n",
	  "\nif ((Test-Path -LiteralPath variable:\\LASTEXITCODE)) { exit $LASTEXITCODE }\n" },
};

/* GitHub's default when no shell is named: bash -e when bash is there, else sh -e. */
static const struct job_shell job_default_bash = { "bash", { "bash", "-e", "{0}", NULL }, ".sh",
						   NULL, NULL };

const char *job_find_program(struct job_run *jr, const char *name, const char *path)
{
	struct strbuf out = STRBUF_INIT;
	size_t n = strlen(name);
	const char *found = NULL;

	for (size_t i = 0; i < jr->shells.nr; i++)
		if (!strncmp(jr->shells.items[i], name, n) && jr->shells.items[i][n] == '=')
			return jr->shells.items[i][n + 1] ? jr->shells.items[i] + n + 1 : NULL;
	if (!jr->run->exec->ops->find_program(jr->run->exec, &jr->ej, name, path, &out))
		found = out.buf;
	strlist_pushf(&jr->shells, "%s=%s", name, found ? found : "");
	strbuf_release(&out);
	return found ? jr->shells.items[jr->shells.nr - 1] + n + 1 : NULL;
}

/* Split a custom shell line at blanks, honouring '...' and "..." quotes. */
static void job_split_words(struct strlist *out, const char *s)
{
	struct strbuf w = STRBUF_INIT;
	int have = 0;
	char quote = 0;

	for (;; s++) {
		if (!*s || (!quote && (*s == ' ' || *s == '\t'))) {
			if (have)
				strlist_push(out, w.buf);
			strbuf_reset(&w);
			have = 0;
			if (!*s)
				break;
			continue;
		}
		have = 1;
		if (quote && *s == quote)
			quote = 0;
		else if (!quote && (*s == '\'' || *s == '"'))
			quote = *s;
		else
			strbuf_addch(&w, *s);
	}
	strbuf_release(&w);
}

/* Replace {0} in word by script, appending the result to argv. */
static void job_push_arg(struct strlist *argv, const char *word, const char *script)
{
	const char *at = strstr(word, "{0}");
	struct strbuf sb = STRBUF_INIT;

	if (!at) {
		strlist_push(argv, word);
		return;
	}
	strbuf_add(&sb, word, (size_t)(at - word));
	strbuf_addstr(&sb, script);
	strbuf_addstr(&sb, at + 3);
	strlist_push(argv, sb.buf);
	strbuf_release(&sb);
}

/* The shell a step names (step, job defaults, workflow defaults), or NULL. */
static const char *job_step_shell(struct job_run *jr, const struct wf_step *s)
{
	const struct wf_job *j = jr->leg->job->job;
	const struct wf_workflow *wf = jr->leg->job->def;
	const struct ydoc_node *n = s->shell ? s->shell : j->defaults_run.shell
				    ? j->defaults_run.shell : wf->defaults_run.shell;

	return n && n->kind == YDOC_SCALAR ? n->u.scalar.ptr : NULL;
}

/*
 * The shell for a step's `shell:` value name (NULL: GitHub's default):
 * a known one into *sh, or *sh NULL for a custom command line. -1 with
 * err for a custom line without {0}.
 */
static int job_pick_shell(struct job_run *jr, const char *name, const struct job_shell **sh,
			  struct strbuf *err)
{
	*sh = NULL;
	if (!name) {
		*sh = job_find_program(jr, "bash", jr->ej.base_path) ? &job_default_bash
								      : &job_shells[1];
		return 0;
	}
	for (size_t i = 0; i < sizeof(job_shells) / sizeof(job_shells[0]); i++)
		if (!strcmp(name, job_shells[i].name))
			*sh = &job_shells[i];
	if (!*sh && !strstr(name, "{0}")) {
		strbuf_addf(err, "custom shell '%s' must contain '{0}' where the script goes", name);
		return -1;
	}
	return 0;
}

/* The command line running script (step view) with sh, or the custom line name. */
static int job_shell_argv(struct job_run *jr, const struct job_shell *sh, const char *name,
			  const char *script, struct strlist *argv, struct strbuf *err)
{
	struct strlist words = STRLIST_INIT;
	const char *prog;
	int ret = -1;

	if (sh) {
		for (size_t i = 0; i < 4 && sh->argv[i]; i++)
			if (!strcmp(sh->argv[i], "-eo pipefail {0}")) {
				strlist_push(&words, "-eo");
				strlist_push(&words, "pipefail");
				strlist_push(&words, "{0}");
			} else {
				strlist_push(&words, sh->argv[i]);
			}
	} else {
		job_split_words(&words, name);
	}
	prog = words.nr ? job_find_program(jr, words.items[0], jr->ej.base_path) : NULL;
	/* Debian has python3 without python: GitHub's `python {0}` still runs */
	if (!prog && sh && !strcmp(sh->name, "python"))
		prog = job_find_program(jr, "python3", jr->ej.base_path);
	if (!prog) {
		strbuf_addf(err, "shell '%s' was not found in PATH", words.nr ? words.items[0] : name);
		goto out;
	}
	strlist_push(argv, prog);
	for (size_t i = 1; i < words.nr; i++)
		job_push_arg(argv, words.items[i], script);
	ret = 0;
out:
	strlist_release(&words);
	return ret;
}

/* The step's working directory (step view): step, job default, workflow default. */
static int job_workdir(struct job_run *jr, const struct wf_step *s, struct strbuf *out,
		       struct strbuf *err)
{
	const struct wf_job *j = jr->leg->job->job;
	const struct wf_workflow *wf = jr->leg->job->def;
	const struct ydoc_node *n = s->working_directory ? s->working_directory
				    : j->defaults_run.working_directory
				    ? j->defaults_run.working_directory
				    : wf->defaults_run.working_directory;
	struct val v;

	strbuf_addstr(out, jr->ej.workspace);
	if (!n)
		return 0;
	if (job_eval(jr, &v, n, err) < 0)
		return -1;
	if (v.kind == VAL_STRING && v.u.string.len) {
		if (v.u.string.ptr[0] == '/')
			strbuf_reset(out);
		else
			strbuf_addch(out, '/');
		strbuf_add(out, v.u.string.ptr, v.u.string.len);
	}
	return 0;
}

/* A number of minutes from a node (expression allowed) into ms; 0: none. */
/* Minutes given as v (a number or a numeric string; else dflt) in ms; 0: none. */
static uint64_t job_minutes_ms(struct val v, double dflt)
{
	double m = v.kind == VAL_NUMBER ? v.u.number : v.kind == VAL_STRING
		? strtod(v.u.string.ptr, NULL) : dflt;

	return m > 0 ? (uint64_t)(m * 60000.0) : 0;
}

static int job_minutes(struct job_run *jr, const struct ydoc_node *n, double dflt,
		       uint64_t *ms, struct strbuf *err)
{
	struct val v = val_null();

	if (n && job_eval(jr, &v, n, err) < 0)
		return -1;
	*ms = job_minutes_ms(v, dflt);
	return 0;
}

int job_truthy_node(struct job_run *jr, const struct ydoc_node *n, int *out, struct strbuf *err)
{
	struct val v;

	*out = 0;
	if (!n)
		return 0;
	if (job_eval(jr, &v, n, err) < 0)
		return -1;
	*out = v.kind == VAL_STRING ? !strcmp(v.u.string.ptr, "true") : expr_truthy(v);
	return 0;
}

/*
 * The step's environment list: user env, runner variables (file commands
 * in the step's view, or the host's for stages), the frame's action
 * variables, extra (inputs ...), PATH.
 */
static void job_step_env(struct job_run *jr, struct strlist *env, struct val step_env,
			 int host_files, const struct strlist *extra)
{
	const struct strbuf *f = host_files ? jr->files : jr->views;
	const struct job_frame *top = job_top(jr);
	struct context_files files;
	struct strbuf path = STRBUF_INIT;
	struct val *user_path = val_object_getstr(step_env, "PATH");

	for (size_t i = 0; i < step_env.u.object->nr; i++) {
		const struct val_member *m = &step_env.u.object->members[i];

		strlist_pushf(env, "%s=%s", m->key, m->value.u.string.ptr);
	}
	files.output = f[JF_OUTPUT].buf;
	files.env = f[JF_ENV].buf;
	files.path = f[JF_PATH].buf;
	files.state = f[JF_STATE].buf;
	files.summary = f[JF_SUMMARY].buf;
	context_step_vars(env, jr->run, jr->leg, &jr->ej, jr->cur->id, &files,
			  jr->run->opts.verbose);
	if (top->action_path && !jr->cur_hook) {
		strlist_pushf(env, "GITHUB_ACTION_PATH=%s", top->action_path);
		strlist_pushf(env, "GITHUB_ACTION_REPOSITORY=%s", top->action_repository);
		strlist_pushf(env, "GITHUB_ACTION_REF=%s", top->action_ref);
	}
	for (size_t i = 0; extra && i < extra->nr; i++)
		strlist_push(env, extra->items[i]);
	envfile_join_path(&path, &jr->path_add,
			  user_path && user_path->kind == VAL_STRING ? user_path->u.string.ptr
			  : jr->ej.base_path);
	strlist_pushf(env, "PATH=%s", path.buf);
	strbuf_release(&path);
}

/* Log the step's script in output.log as GitHub does (a group with the script). */
static void job_log_script(struct job_run *jr, const char *script)
{
	joblog_linef(&jr->log, CONSOLE_GROUP, "%s", jr->cur->name);
	for (const char *p = script; *p;) {
		size_t len = strcspn(p, "\n");

		if (len || p[len])
			joblog_line(&jr->log, CONSOLE_SCRIPT, p, len);
		p += len + (p[len] == '\n');
	}
	joblog_line(&jr->log, CONSOLE_ENDGROUP, "", 0);
}

/* Create (or empty) path with text; -1 with err. Private to the job: no atomic rename needed. */
static int job_write(const char *path, const char *text, size_t len, struct strbuf *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ssize_t n = 0;

	if (fd >= 0 && len)
		n = write(fd, text, len);
	if (fd < 0 || (len && n != (ssize_t)len)) {
		strbuf_addf(err, "cannot write '%s': %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/*
 * The step's file-command files, empty: made once per job in its temp
 * directory (host view and step view) and emptied before each step, which
 * sees them as GitHub's runner's fresh files.
 */
static int job_make_files(struct job_run *jr, struct strbuf *err)
{
	for (size_t k = 0; k < JF_NR; k++) {
		if (!jr->files[k].len) {
			strbuf_addf(&jr->files[k], "%s/%s", jr->ej.files_host, job_file_names[k]);
			strbuf_addf(&jr->views[k], "%s/%s", jr->ej.files, job_file_names[k]);
		}
		if (job_write(jr->files[k].buf, "", 0, err) < 0)
			return -1;
	}
	return 0;
}

/* The script file's contents for shell sh: its prologue, the script, its epilogue. */
static int job_write_script(const char *path, const struct job_shell *sh,
			    const struct strbuf *script, struct strbuf *err)
{
	struct strbuf body = STRBUF_INIT;
	int ret;

	strbuf_addstr(&body, sh && sh->prologue ? sh->prologue : "");
	strbuf_add(&body, script->buf, script->len);
	strbuf_addstr(&body, sh && sh->epilogue ? sh->epilogue : "");
	ret = job_write(path, body.buf, body.len, err);
	strbuf_release(&body);
	return ret;
}

void job_launch_release(struct job_launch *l)
{
	strlist_release(&l->argv);
	strlist_release(&l->env);
}

int job_step_setup(struct job_run *jr, struct plan_step *st, struct job_launch *l,
		   struct strbuf *err)
{
	const struct wf_step *s = st->step;
	struct job_frame *top = job_top(jr);
	struct arena *a = &jr->arena;

	l->step_env = context_copy_object(a, jr->env);
	for (size_t i = 0; i < top->env_over.u.object->nr; i++)
		val_object_set(a, l->step_env, top->env_over.u.object->members[i].key,
			       top->env_over.u.object->members[i].key_len,
			       top->env_over.u.object->members[i].value);
	if (job_eval_env(jr, l->step_env, s->env, err) < 0)
		return -1;
	val_object_setstr(a, top->contexts, "env", l->step_env);
	return job_truthy_node(jr, s->continue_on_error, &jr->coe, err) < 0 ||
	       job_minutes(jr, s->timeout_minutes, 0, &l->timeout_ms, err) < 0 ? -1 : 0;
}

/*
 * A stage's view of the registry credentials of the job, last in env so
 * that a step's `env:` cannot stand in for them ("{}" when none).
 */
static void job_stage_auths(struct job_run *jr, struct strlist *env)
{
	struct strbuf json = STRBUF_INIT;

	regauth_json(&jr->registry_auths, &json);
	strlist_pushf(env, "%s=%s", STAGE_REGISTRY_AUTHS_VAR, json.buf);
	memset(json.buf, 0, json.len);
	strbuf_release(&json);
}

int job_launch(struct job_run *jr, const struct job_launch *l, struct strbuf *err)
{
	struct run *run = jr->run;
	struct strlist env = STRLIST_INIT;
	struct exec_step_spec spec;
	int ret = -1;

	if (job_make_files(jr, err) < 0)
		goto out;
	job_step_env(jr, &env, l->step_env, l->host_files, &l->env);
	for (size_t i = 0; l->state && i < l->state->u.object->nr; i++)
		strlist_pushf(&env, "STATE_%s=%s", l->state->u.object->members[i].key,
			      l->state->u.object->members[i].value.u.string.ptr);
	if (l->stage)
		job_stage_auths(jr, &env);
	wfcmd_state_init(&jr->wfcmd, wfcmd_flags_from_env(environ, env.items) |
			 (run->opts.verbose ? WFCMD_ECHO_ON : 0) | (l->stage ? WFCMD_STAGE : 0));
	jr->cmd_outputs = val_new_object(&jr->arena);
	jr->cur_state = l->state;
	spec.argv = (const char *const *)l->argv.items;
	spec.env = (const char *const *)env.items;
	spec.dir = l->dir ? l->dir : jr->ej.workspace;
	spec.on_host = l->host_files;
	jr->child_done = jr->step_timed_out = jr->cmd_failed = jr->kill_stage = 0;
	if (run->exec->ops->start_step(run->exec, &jr->ej, &spec, &jr->es, err) < 0) {
		wfcmd_state_release(&jr->wfcmd);
		goto out;
	}
	if (loop_watch_fd(run->loop, jr->es.out, LOOP_READ, job_on_output, jr) < 0 ||
	    loop_watch_child(run->loop, jr->es.pid, job_on_child, jr) < 0) {
		strbuf_addf(err, "cannot watch the step's process: %s", strerror(errno));
		run->exec->ops->signal_step(run->exec, &jr->ej, &jr->es, SIGKILL);
		loop_unwatch_fd(run->loop, jr->es.out);
		close(jr->es.out);
		jr->es.out = -1;
		wfcmd_state_release(&jr->wfcmd);
		goto out;
	}
	if (l->timeout_ms)
		jr->step_timer = loop_add_timer(run->loop, l->timeout_ms, job_on_step_timeout, jr);
	ret = 0;
out:
	strlist_release(&env);
	return ret;
}

static int job_start_run_step(struct job_run *jr, struct plan_step *st, struct strbuf *err)
{
	const struct wf_step *s = st->step;
	struct job_launch l = JOB_LAUNCH_INIT;
	struct strbuf script = STRBUF_INIT, file = STRBUF_INIT, view = STRBUF_INIT;
	struct strbuf dir = STRBUF_INIT;
	const char *shell = job_step_shell(jr, s);
	const struct job_shell *sh;
	struct val v;
	int ret = -1;

	if (job_step_setup(jr, st, &l, err) < 0 || job_eval(jr, &v, s->run, err) < 0)
		goto out;
	expr_coerce_string(&script, v);
	if (job_workdir(jr, s, &dir, err) < 0 || job_pick_shell(jr, shell, &sh, err) < 0)
		goto out;
	strbuf_addf(&view, "%s/step_%zu%s", jr->ej.files, s->index + 1, sh ? sh->ext : "");
	strbuf_addf(&file, "%s/step_%zu%s", jr->ej.files_host, s->index + 1, sh ? sh->ext : "");
	if (job_shell_argv(jr, sh, shell, view.buf, &l.argv, err) < 0 ||
	    job_write_script(file.buf, sh, &script, err) < 0)
		goto out;
	job_log_script(jr, script.buf);
	l.dir = dir.buf;
	ret = job_launch(jr, &l, err);
out:
	job_env_context(jr);
	job_launch_release(&l);
	strbuf_release(&script);
	strbuf_release(&file);
	strbuf_release(&view);
	strbuf_release(&dir);
	return ret;
}

static int job_start_parallel_step(struct job_run *jr, struct plan_step *st, struct strbuf *err)
{
	const struct ydoc_node *n = st->step->parallel;

	(void)jr;
	strbuf_addf(err, "%s:%d:%d: step '%s': 'parallel' step groups are not supported yet",
		    n->file, n->line, n->col, st->name);
	return -1;
}

enum job_step_kind { JOB_STEP_RUN, JOB_STEP_USES, JOB_STEP_PARALLEL };

static const struct {
	const char *name;
	int (*start)(struct job_run *jr, struct plan_step *st, struct strbuf *err);
} job_step_kinds[] = {
	[JOB_STEP_RUN] = { "run", job_start_run_step },
	[JOB_STEP_USES] = { "uses", job_uses_start },
	[JOB_STEP_PARALLEL] = { "parallel", job_start_parallel_step },
};

static enum job_step_kind job_step_kind(const struct wf_step *s)
{
	return s->has_uses || s->uses_node ? JOB_STEP_USES : s->parallel ? JOB_STEP_PARALLEL
									    : JOB_STEP_RUN;
}

/* The step's display name: `name:` evaluated, else "Run <first line>" as GitHub shows it. */
static const char *job_step_name(struct job_run *jr, const struct wf_step *s)
{
	struct arena *pa = &jr->run->plan.arena;
	struct strbuf err = STRBUF_INIT, sb = STRBUF_INIT;
	const struct ydoc_node *what = s->run ? s->run : s->uses_node;
	const char *name;
	struct val v;

	if (s->name && job_eval(jr, &v, s->name, &err) == 0 && v.kind != VAL_NULL) {
		expr_coerce_string(&sb, v);
	} else if (what && what->kind == YDOC_SCALAR) {
		const char *text = what->u.scalar.ptr;

		strbuf_addstr(&sb, "Run ");
		while (*text == '\n' || *text == ' ')
			text++;
		strbuf_add(&sb, text, strcspn(text, "\n"));
		strbuf_rtrim(&sb);
	} else {
		strbuf_addstr(&sb, s->id);
	}
	mask_apply(jr->run->mask, &sb);        /* names go to run.json and the events */
	name = arena_strndup(pa, sb.buf, sb.len);
	strbuf_release(&sb);
	strbuf_release(&err);
	return name;
}

static void job_step_event(struct job_run *jr, const struct plan_step *st)
{
	struct arena *a = &jr->arena;
	struct val f = val_new_object(a);

	val_object_setstr(a, f, "job", val_cstring(a, jr->leg->key));
	val_object_setstr(a, f, "step", val_cstring(a, st->id));
	val_object_setstr(a, f, "name", val_cstring(a, st->name));
	runstate_event(jr->run->rs, "step_started", f);
}

/* A step that did not run: skipped, or failed before it could start. */
static void job_step_not_run(struct job_run *jr, struct plan_step *st, enum plan_result r)
{
	enum expr_job_status *status = job_status_ptr(jr);

	st->outcome = st->conclusion = r;
	st->status = PLAN_DONE;
	st->outputs = val_new_object(&jr->run->plan.arena);
	if (r == PLAN_FAILURE && *status == EXPR_STATUS_SUCCESS) {
		*status = EXPR_STATUS_FAILURE;
		job_update_status(jr);
	}
	job_set_step_context(jr, st, st->outputs);
}

/* ---------------------------------------------------------------- frames and hooks */

struct job_frame *job_push_frame(struct job_run *jr)
{
	struct job_frame *f;

	ALLOC_GROW(jr->frames, jr->frames_nr + 1, jr->frames_alloc);
	f = &jr->frames[jr->frames_nr++];
	memset(f, 0, sizeof(*f));
	f->env_over = val_new_object(&jr->arena);
	return f;
}

const struct ydoc_node *job_condition(struct job_run *jr, const char *text)
{
	struct ydoc_node *n = arena_alloc(&jr->arena, sizeof(*n));

	memset(n, 0, sizeof(*n));
	n->kind = YDOC_SCALAR;
	n->file = "(runner)";
	n->line = n->col = 1;
	n->u.scalar.ptr = arena_strdup(&jr->arena, text);
	n->u.scalar.len = strlen(text);
	return n;
}

struct job_hook *job_add_hook(struct job_run *jr, enum job_hook_kind kind, const char *id,
			      const char *name)
{
	static const char *const prefixes[] = { "Pre", "Post" };
	struct arena *pa = &jr->run->plan.arena;
	struct job_hook *h = xcalloc(1, sizeof(*h));

	h->kind = kind;
	h->own.id = arena_printf(pa, "%s-%s", kind == JOB_HOOK_PRE ? "pre" : "post", id);
	h->own.name = arena_printf(pa, "%s %s", prefixes[kind], name);
	h->own.outputs = val_new_object(pa);
	h->st = &h->own;
	strlist_init(&h->argv);
	strlist_init(&h->env);
	h->step_env = val_new_object(&jr->arena);
	ALLOC_GROW(jr->hooks, jr->hooks_nr + 1, jr->hooks_alloc);
	jr->hooks[jr->hooks_nr++] = h;
	return h;
}

/*
 * Put the hooks of kind into leg->steps: pres before the job's steps,
 * posts after them, last registered first. Nothing points into the old
 * array when a phase begins but frame 0, which is moved along.
 */
static void job_place_hooks(struct job_run *jr, enum job_hook_kind kind)
{
	struct plan_leg *leg = jr->leg;
	struct plan_step *steps;
	size_t n = 0, at;

	for (size_t i = 0; i < jr->hooks_nr; i++)
		n += jr->hooks[i]->kind == kind;
	if (!n)
		return;
	steps = arena_alloc(&jr->run->plan.arena, (leg->steps_nr + n) * sizeof(*steps));
	memcpy(steps + (kind == JOB_HOOK_PRE ? n : 0), leg->steps,
	       leg->steps_nr * sizeof(*steps));
	at = kind == JOB_HOOK_PRE ? 0 : leg->steps_nr;
	for (size_t k = 0; k < jr->hooks_nr; k++) {
		struct job_hook *h = jr->hooks[kind == JOB_HOOK_PRE ? k : jr->hooks_nr - 1 - k];

		if (h->kind != kind)
			continue;
		steps[at] = *h->st;
		h->st = &steps[at++];
	}
	if (kind == JOB_HOOK_PRE)
		jr->frames[0].steps = steps + n;
	leg->steps = steps;
	leg->steps_nr += n;
	runstate_dirty(jr->run->rs);
}

/* Start the next hook of the phase whose condition holds: 1 when one runs, 0 when none is left. */
static int job_next_hook(struct job_run *jr)
{
	enum job_hook_kind kind = jr->phase == JOB_PHASE_PRE ? JOB_HOOK_PRE : JOB_HOOK_POST;
	struct strbuf err = STRBUF_INIT;
	int ret = 0;

	while (!ret && jr->hook_next < jr->hooks_nr) {
		size_t k = jr->hook_next++;
		struct job_hook *h = jr->hooks[kind == JOB_HOOK_PRE ? k : jr->hooks_nr - 1 - k];
		struct job_launch l = JOB_LAUNCH_INIT;
		struct expr_env env = job_env(jr);
		struct plan_step *st = h->st;
		int go;

		if (h->kind != kind)
			continue;
		go = jr->killed ? 0 : tmpl_eval_if(h->cond, &job_names, &env, &err);
		if (go < 0)
			job_error(jr, err.buf);
		strbuf_reset(&err);
		st->started_ms = run_now_ms();
		if (go <= 0) {
			st->outcome = st->conclusion = go < 0 ? PLAN_FAILURE : PLAN_SKIPPED;
			st->status = PLAN_DONE;
			continue;
		}
		st->status = PLAN_RUNNING;
		jr->cur = st;
		jr->cur_hook = h;
		joblog_linef(&jr->log, CONSOLE_GROUP, "%s", st->name);
		joblog_line(&jr->log, CONSOLE_ENDGROUP, "", 0);
		job_step_event(jr, st);
		runstate_dirty(jr->run->rs);
		l.argv = h->argv;
		l.env = h->env;
		l.step_env = h->step_env;
		l.host_files = h->host_files;
		l.stage = h->stage;
		l.dir = h->host_files ? jr->ej.workspace_host : NULL;  /* as their main step's */
		l.state = h->state;
		jr->coe = 0;
		if (job_launch(jr, &l, &err) < 0) {
			job_error(jr, err.buf);
			strbuf_reset(&err);
			job_step_done(jr, st, PLAN_FAILURE, 0, val_new_object(&jr->arena));
			jr->cur = NULL;
			jr->cur_hook = NULL;
			continue;
		}
		ret = 1;
	}
	strbuf_release(&err);
	return ret;
}

static void job_next_step(struct job_run *jr)
{
	struct strbuf err = STRBUF_INIT;

	for (;;) {
		struct job_frame *f = job_top(jr);
		struct plan_step *st;
		struct expr_env env;
		int go, rc;

		if (jr->phase != JOB_PHASE_MAIN) {
			if (job_next_hook(jr)) {
				strbuf_release(&err);
				return;
			}
			if (jr->phase == JOB_PHASE_POST)
				break;
			jr->phase = JOB_PHASE_MAIN;
			continue;
		}
		if (f->next >= f->nr) {
			if (jr->frames_nr > 1) {
				job_uses_frame_done(jr);
				continue;
			}
			job_place_hooks(jr, JOB_HOOK_POST);
			jr->phase = JOB_PHASE_POST;
			jr->hook_next = 0;
			continue;
		}
		st = &f->steps[f->next++];
		env = job_env(jr);
		go = jr->killed ? 0 : tmpl_eval_if(st->step->if_cond, &job_names, &env, &err);
		if (go < 0) {
			job_error(jr, err.buf);
			strbuf_reset(&err);
			job_step_not_run(jr, st, PLAN_FAILURE);
			continue;
		}
		if (!go) {
			job_step_not_run(jr, st, PLAN_SKIPPED);
			continue;
		}
		st->name = job_step_name(jr, st->step);
		st->started_ms = run_now_ms();
		st->status = PLAN_RUNNING;
		if (job_step_visible(jr))
			job_step_event(jr, st);
		runstate_dirty(jr->run->rs);
		jr->cur = st;
		rc = job_step_kinds[job_step_kind(st->step)].start(jr, st, &err);
		if (rc < 0) {
			job_error(jr, err.buf);
			strbuf_reset(&err);
			jr->cur = NULL;
			job_step_not_run(jr, st, PLAN_FAILURE);
			st->duration_ms = run_now_ms() - st->started_ms;
			continue;
		}
		if (rc > 0) {
			jr->cur = NULL;         /* a composite: its frame's steps come next */
			continue;
		}
		strbuf_release(&err);
		return;
	}
	strbuf_release(&err);
	job_finish(jr);
}

/* ---------------------------------------------------------------- the job */

/* Evaluate the job's `outputs:` into the leg (values that would leak a secret are dropped). */
static void job_outputs(struct job_run *jr)
{
	const struct ydoc_node *outs = jr->leg->job->job->outputs;
	struct arena *pa = &jr->run->plan.arena;
	struct strbuf err = STRBUF_INIT, s = STRBUF_INIT, masked = STRBUF_INIT;

	for (size_t i = 0; outs && outs->kind == YDOC_MAPPING && i < outs->u.map.nr; i++) {
		const struct ydoc_pair *p = &outs->u.map.pairs[i];
		struct val v;

		strbuf_reset(&s);
		if (job_eval(jr, &v, p->value, &err) < 0) {
			job_error(jr, err.buf);
			strbuf_reset(&err);
			continue;
		}
		expr_coerce_string(&s, v);
		strbuf_reset(&masked);
		strbuf_add(&masked, s.buf, s.len);
		if (mask_apply(jr->run->mask, &masked)) {
			joblog_linef(&jr->log, CONSOLE_WARNING, "Skip output '%s' since it may contain "
				     "secret.", p->key->u.scalar.ptr);
			continue;
		}
		val_object_setstr(pa, jr->leg->outputs, p->key->u.scalar.ptr,
				  val_string(pa, s.buf, s.len));
	}
	strbuf_release(&err);
	strbuf_release(&s);
	strbuf_release(&masked);
}

/* environment.url, once the steps have run. */
static void job_environment_url(struct job_run *jr)
{
	const struct ydoc_node *env = jr->leg->job->job->environment;
	const struct ydoc_node *url = env && env->kind == YDOC_MAPPING ? ydoc_map_get(env, "url")
				      : NULL;
	struct strbuf err = STRBUF_INIT, s = STRBUF_INIT;
	struct val v;

	if (url && job_eval(jr, &v, url, &err) == 0 && v.kind == VAL_STRING && v.u.string.len) {
		expr_coerce_string(&s, v);
		mask_apply(jr->run->mask, &s);
		jr->leg->env_url = arena_strndup(&jr->run->plan.arena, s.buf, s.len);
	}
	strbuf_release(&err);
	strbuf_release(&s);
}

static enum plan_result job_result(struct job_run *jr)
{
	struct strbuf err = STRBUF_INIT;
	int coe = 0;

	if (jr->skipped)
		return PLAN_SKIPPED;
	if (jr->call_result)
		return jr->call_result;
	if (jr->timed_out)
		return PLAN_FAILURE;
	if (jr->stopped)
		return PLAN_CANCELLED;
	if (jr->status != EXPR_STATUS_FAILURE)
		return PLAN_SUCCESS;
	if (job_truthy_node(jr, jr->leg->job->job->continue_on_error, &coe, &err) < 0)
		job_error(jr, err.buf);
	strbuf_release(&err);
	if (coe) {
		jr->leg->message = "failed (continue-on-error)";
		return PLAN_SUCCESS;
	}
	return PLAN_FAILURE;
}

static void job_on_done(struct loop *l, uint64_t id, void *data)
{
	struct plan_leg *leg = data;
	struct run *run = leg->run ? ((struct job_run *)leg->run)->run : NULL;
	struct job_run *jr = leg->run;

	(void)l;
	(void)id;
	leg->run = NULL;
	arena_release(&jr->arena);
	free(jr);
	run->leg_done(run, leg);
}

static void job_finish(struct job_run *jr)
{
	struct run *run = jr->run;
	struct plan_leg *leg = jr->leg;

	if (jr->prepared) {
		job_outputs(jr);
		job_environment_url(jr);
	}
	leg->result = job_result(jr);
	if (jr->job_timer)
		loop_cancel_timer(run->loop, jr->job_timer);
	if (jr->cancel_timer)
		loop_cancel_timer(run->loop, jr->cancel_timer);
	while (jr->linger_nr) {
		int fd = jr->linger[0];

		job_read(jr, fd);
		job_drop_fd(jr, fd);
	}
	job_take_lines(jr, 1);
	if (jr->ej.priv || jr->prepared)
		run->exec->ops->finish_job(run->exec, &jr->ej);
	joblog_close(&jr->log);
	for (size_t k = 0; k < JF_NR; k++) {
		strbuf_release(&jr->files[k]);
		strbuf_release(&jr->views[k]);
	}
	strbuf_release(&jr->pending);
	strbuf_release(&jr->dir);
	strlist_release(&jr->path_add);
	strlist_release(&jr->shells);
	regauth_release(&jr->registry_auths);
	free(jr->linger);
	job_uses_release(jr);
	for (size_t i = 0; i < jr->hooks_nr; i++) {
		strlist_release(&jr->hooks[i]->argv);
		strlist_release(&jr->hooks[i]->env);
		free(jr->hooks[i]);
	}
	free(jr->hooks);
	free(jr->frames);
	leg->finished_ms = run_now_ms();
	loop_add_timer(run->loop, 0, job_on_done, leg);
}

/* Steps of the leg in the plan's arena, with their ids. */
static void job_make_steps(struct job_run *jr)
{
	const struct wf_job *j = jr->leg->job->job;
	struct plan_leg *leg = jr->leg;

	leg->steps = arena_alloc(&jr->run->plan.arena, (j->steps_nr ? j->steps_nr : 1) *
				 sizeof(*leg->steps));
	leg->steps_nr = j->steps_nr;
	for (size_t i = 0; i < j->steps_nr; i++) {
		leg->steps[i].step = &j->steps[i];
		leg->steps[i].id = j->steps[i].id;
		leg->steps[i].name = j->steps[i].id;
		leg->steps[i].outputs = val_new_object(&jr->run->plan.arena);
	}
	jr->frames[0].steps = leg->steps;
	jr->frames[0].nr = leg->steps_nr;
}

/* The leg's contexts, once the executor has prepared it. */
static int job_ready(struct job_run *jr, struct strbuf *err)
{
	return job_build_contexts(jr, err);
}

/* The executor's answer (prepare_job or prepare_done): run the steps, skip the leg, or fail it. */
static void job_prepared(struct job_run *jr, int rc, struct strbuf *err)
{
	if (!rc && !job_ready(jr, err)) {
		job_uses_pre(jr);
		job_place_hooks(jr, JOB_HOOK_PRE);
		job_next_step(jr);
		return;
	}
	if (rc == EXEC_SKIP) {
		joblog_line(&jr->log, CONSOLE_NOTICE, err->buf, err->len);
		jr->leg->message = arena_strdup(&jr->run->plan.arena, err->buf);
		jr->skipped = 1;
		jr->prepared = 0;
	} else {
		job_error(jr, err->buf);
		jr->status = EXPR_STATUS_FAILURE;
	}
	job_finish(jr);
}

static void job_on_setup_output(struct loop *l, int fd, unsigned events, void *data)
{
	struct job_run *jr = data;

	(void)l;
	(void)events;
	if (job_read(jr, fd)) {
		loop_unwatch_fd(jr->run->loop, fd);
		close(fd);
		jr->ej.setup.out = -1;
	}
}

static void job_on_setup_exit(struct loop *l, pid_t pid, int status, void *data)
{
	struct job_run *jr = data;
	struct run *run = jr->run;
	struct strbuf err = STRBUF_INIT;

	(void)l;
	(void)pid;
	jr->setting_up = 0;
	jr->ej.setup.pid = 0;
	if (jr->ej.setup.out >= 0) {
		job_read(jr, jr->ej.setup.out);
		loop_unwatch_fd(run->loop, jr->ej.setup.out);
		close(jr->ej.setup.out);
		jr->ej.setup.out = -1;
	}
	job_take_lines(jr, 1);
	job_prepared(jr, run->exec->ops->prepare_done(run->exec, &jr->ej, status, &err), &err);
	strbuf_release(&err);
}

/* job_prepare's answer while the executor's set-up child is at work. */
#define JOB_SETTING_UP 2

/* Returns 0 (ready), JOB_SETTING_UP, EXEC_SKIP, or -1. */
static int job_prepare(struct job_run *jr, struct strbuf *err)
{
	struct run *run = jr->run;
	struct plan_leg *leg = jr->leg;
	const struct wf_job *j = leg->job->job;
	struct exec_job_spec spec;
	struct val jc = context_job_level(&jr->arena, run, leg);
	struct expr_env env = { jc, EXPR_STATUS_SUCCESS, NULL, &jr->arena };
	struct expr_names names = { plan_job_contexts, 0, NULL, 0 };
	struct val timeout = val_null();
	uint64_t timeout_ms;
	int rc;

	memset(&spec, 0, sizeof(spec));
	spec.key = leg->key;
	spec.job_dir = jr->dir.buf;
	spec.snapshot = run->snapshot;
	spec.event_path = run->event_path;
	if (tmpl_eval(&spec.runs_on, j->runs_on, &names, &env, err) < 0 ||
	    tmpl_eval(&spec.container, j->container, &names, &env, err) < 0 ||
	    tmpl_eval(&spec.services, j->services, &names, &env, err) < 0 ||
	    (j->timeout_minutes && tmpl_eval(&timeout, j->timeout_minutes, &names, &env, err) < 0))
		return -1;
	leg->runs_on = val_copy(&run->plan.arena, spec.runs_on);
	jr->prepared = 1;
	/* as on GitHub, the timeout counts the containers' set-up too */
	timeout_ms = job_minutes_ms(timeout, JOB_DEFAULT_TIMEOUT_MINUTES);
	if (timeout_ms)
		jr->job_timer = loop_add_timer(run->loop, timeout_ms, job_on_job_timeout, jr);
	rc = run->exec->ops->prepare_job(run->exec, &jr->ej, &spec, err);
	if (rc || jr->ej.setup.pid <= 0)
		return rc;
	jr->setting_up = 1;
	loop_watch_fd(run->loop, jr->ej.setup.out, LOOP_READ, job_on_setup_output, jr);
	loop_watch_child(run->loop, jr->ej.setup.pid, job_on_setup_exit, jr);
	return JOB_SETTING_UP;
}

/*
 * A job that calls a reusable workflow runs nothing itself: it is
 * started when the called jobs are done, and ends with their result and
 * the call's outputs.
 */
static void job_finish_call(struct job_run *jr)
{
	const struct wf_job *j = jr->leg->job->job;
	struct strbuf err = STRBUF_INIT;

	if (!j->callee) {
		joblog_linef(&jr->log, CONSOLE_ERROR, "%s:%d:%d: job '%s': the reusable workflow "
			     "'%s' could not be loaded", j->uses_node->file, j->uses_node->line,
			     j->uses_node->col, j->id, j->uses_node->u.scalar.ptr);
		jr->call_result = PLAN_FAILURE;
	} else if (call_finish(jr->run, jr->leg, &jr->call_result, &err) < 0) {
		job_error(jr, err.buf);
		jr->call_result = PLAN_FAILURE;
	}
	strbuf_release(&err);
	job_finish(jr);
}

static void job_begin(struct loop *l, uint64_t id, void *data)
{
	struct job_run *jr = data;
	struct run *run = jr->run;
	struct strbuf err = STRBUF_INIT;
	int rc;

	(void)l;
	(void)id;
	job_make_steps(jr);
	if (joblog_open(&jr->log, jr->dir.buf, jr->leg, run->mask, run->con, &err) < 0) {
		jr->leg->message = arena_strdup(&run->plan.arena, err.buf);
		jr->status = EXPR_STATUS_FAILURE;
		jr->prepared = 0;
		job_finish(jr);
		goto out;
	}
	if (jr->leg->job->job->is_call) {
		job_finish_call(jr);
		goto out;
	}
	rc = job_prepare(jr, &err);
	if (rc != JOB_SETTING_UP)
		job_prepared(jr, rc, &err);
out:
	strbuf_release(&err);
}

void job_start(struct run *run, struct plan_leg *leg)
{
	struct job_run *jr = xcalloc(1, sizeof(*jr));

	jr->run = run;
	jr->leg = leg;
	arena_init(&jr->arena);
	strbuf_init(&jr->dir, 0);
	strbuf_addf(&jr->dir, "%s/jobs/%s", run->dir, leg->key);
	strbuf_init(&jr->pending, 0);
	for (size_t k = 0; k < JF_NR; k++) {
		strbuf_init(&jr->files[k], 0);
		strbuf_init(&jr->views[k], 0);
	}
	strlist_init(&jr->path_add);
	strlist_init(&jr->shells);
	jr->es.out = -1;
	jr->status = EXPR_STATUS_SUCCESS;
	job_push_frame(jr);
	leg->run = jr;
	leg->started_ms = run_now_ms();
	loop_add_timer(run->loop, 0, job_begin, jr);
}
