/*
 * approval: protected environments as a gate — branch rules, wait timers,
 * decisions from the command line, from approvals/<env>.json (polled) or
 * from the terminal (one prompt at a time, stdin watched on the loop) —
 * and the environments' own secrets and variables. It tells the
 * scheduler through sched_gate_done; it never starts a job.
 */
#include "runner/approval.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "runner/console.h"
#include "runner/dotenv.h"
#include "runner/runstate.h"
#include "runner/sched.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/xalloc.h"

struct approval_wait {
	struct plan_leg *leg;
	const struct config_env *env;
	int need_decision;              /* approval: still no decision */
	uint64_t timer;                 /* wait timer running, or 0 */
	int asked;                      /* a terminal prompt was shown for it */
};

struct approval {
	struct run *run;
	struct approval_wait *waits;
	size_t nr, alloc;
	uint64_t poll_timer;
	struct approval_wait *asking;   /* the prompt on the terminal, or NULL */
	struct strbuf input;
	struct strlist told;            /* environments whose "how to approve" was printed */
	struct strlist refused;         /* environments this user was told they may not review */
	struct strlist announced;       /* environments whose decision is in events.jsonl */
};

struct approval *approval_new(struct run *run)
{
	struct approval *ap = xcalloc(1, sizeof(*ap));

	ap->run = run;
	strbuf_init(&ap->input, 0);
	strlist_init(&ap->told);
	strlist_init(&ap->refused);
	strlist_init(&ap->announced);
	return ap;
}

void approval_free(struct approval *ap)
{
	if (!ap)
		return;
	if (ap->poll_timer)
		loop_cancel_timer(ap->run->loop, ap->poll_timer);
	for (size_t i = 0; i < ap->nr; i++)
		if (ap->waits[i].timer)
			loop_cancel_timer(ap->run->loop, ap->waits[i].timer);
	if (ap->asking)
		loop_unwatch_fd(ap->run->loop, STDIN_FILENO);
	free(ap->waits);
	strbuf_release(&ap->input);
	strlist_release(&ap->told);
	strlist_release(&ap->refused);
	strlist_release(&ap->announced);
	free(ap);
}

/* ---------------------------------------------------------------- environment values */

int approval_load_env_values(struct run *run, const char *dir, struct diag_list *diags)
{
	struct arena *a = &run->plan.arena;
	struct strbuf path = STRBUF_INIT;
	size_t errors = diags->errors;

	run->env_secrets = val_new_object(a);
	run->env_vars = val_new_object(a);
	for (size_t i = 0; run->config && i < run->config->envs_nr; i++) {
		const struct config_env *e = &run->config->envs[i];
		struct val secrets = val_new_object(a), vars = val_new_object(a);

		if (e->secrets_file) {
			strbuf_reset(&path);
			fs_path_join(&path, dir, e->secrets_file->u.scalar.ptr);
			dotenv_load(a, secrets, path.buf, diags);
		}
		for (size_t k = 0; k < secrets.u.object->nr; k++)
			mask_add(run->mask, secrets.u.object->members[k].value.u.string.ptr,
				 secrets.u.object->members[k].value.u.string.len);
		if (e->vars_file) {
			strbuf_reset(&path);
			fs_path_join(&path, dir, e->vars_file->u.scalar.ptr);
			dotenv_load(a, vars, path.buf, diags);
		}
		for (size_t k = 0; e->vars && k < e->vars->u.map.nr; k++) {
			const struct ydoc_pair *p = &e->vars->u.map.pairs[k];

			val_object_setstr(a, vars, p->key->u.scalar.ptr,
					  val_cstring(a, p->value->u.scalar.ptr));
		}
		val_object_setstr(a, run->env_secrets, e->name, secrets);
		val_object_setstr(a, run->env_vars, e->name, vars);
	}
	strbuf_release(&path);
	return diags->errors > errors ? -1 : 0;
}

/* ---------------------------------------------------------------- decisions */

/* <run>/approvals/<env>.json ('/' in a name becomes '_'). */
static void approval_path(struct strbuf *out, const struct run *run, const char *env)
{
	strbuf_addf(out, "%s/approvals/", run->dir);
	for (const char *p = env; *p; p++)
		strbuf_addch(out, *p == '/' ? '_' : *p);
	strbuf_addstr(out, ".json");
}

/* The `approval` event, once per environment. */
static void approval_announce(struct approval *ap, const char *env, int approved, const char *by)
{
	struct arena *a = &ap->run->plan.arena;
	struct val f = val_new_object(a);

	if (strlist_find(&ap->announced, env) >= 0)
		return;
	strlist_push(&ap->announced, env);
	val_object_setstr(a, f, "environment", val_cstring(a, env));
	val_object_setstr(a, f, "decision", val_cstring(a, approved ? "approved" : "rejected"));
	val_object_setstr(a, f, "by", val_cstring(a, by));
	runstate_event(ap->run->rs, "approval", f);
}

/* Write a decision file (the run's own answers: --approve, --reject, the terminal). */
static void approval_write(struct approval *ap, const char *env, int approved,
			   const char *comment)
{
	struct run *run = ap->run;
	struct strbuf path = STRBUF_INIT, dir = STRBUF_INIT, body = STRBUF_INIT, err = STRBUF_INIT;

	strbuf_addf(&dir, "%s/approvals", run->dir);
	approval_path(&path, run, env);
	strbuf_addstr(&body, "{\"decision\": ");
	json_write_string(&body, approved ? "approved" : "rejected", 8);
	strbuf_addstr(&body, ", \"by\": ");
	json_write_string(&body, fs_user_name(), strlen(fs_user_name()));
	strbuf_addstr(&body, ", \"at\": \"");
	run_format_time(&body, run_now_ms());
	strbuf_addstr(&body, "\", \"comment\": ");
	json_write_string(&body, comment, strlen(comment));
	strbuf_addstr(&body, "}\n");
	if (fs_mkdir_p(dir.buf, 0755, &err) < 0 ||
	    fs_write_file(path.buf, body.buf, body.len, 0644, &err) < 0)
		console_note(run->con, "slipway: %s", err.buf);
	approval_announce(ap, env, approved, fs_user_name());
	strbuf_release(&path);
	strbuf_release(&dir);
	strbuf_release(&body);
	strbuf_release(&err);
}

/*
 * The decision recorded for env: 1 approved, 0 rejected, -1 none. *by
 * (arena string) says who.
 */
static int approval_read(struct approval *ap, const char *env, const char **by)
{
	struct run *run = ap->run;
	struct strbuf path = STRBUF_INIT, err = STRBUF_INIT;
	struct arena a = ARENA_INIT;
	struct val v, *d, *who;
	int ret = -1;

	approval_path(&path, run, env);
	if (fs_exists(path.buf) && json_parse_file(&v, &a, path.buf, &err) == 0 &&
	    (d = val_object_getstr(v, "decision")) && d->kind == VAL_STRING) {
		ret = !strcmp(d->u.string.ptr, "approved") ? 1
		      : !strcmp(d->u.string.ptr, "rejected") ? 0 : -1;
		who = val_object_getstr(v, "by");
		*by = arena_strdup(&run->plan.arena, who && who->kind == VAL_STRING
				   ? who->u.string.ptr : "someone");
	}
	arena_release(&a);
	strbuf_release(&path);
	strbuf_release(&err);
	return ret;
}

static int approval_listed(const struct strlist *l, const char *env)
{
	for (size_t i = 0; l && i < l->nr; i++)
		if (!strcasecmp(l->items[i], env))
			return 1;
	return 0;
}

/*
 * May this user decide for ce from here (--approve, --reject, the
 * terminal)? When not, say so once per environment: the job keeps
 * waiting for a reviewer.
 */
static int approval_user_may_review(struct approval *ap, const struct config_env *ce)
{
	struct strbuf names = STRBUF_INIT;

	if (config_env_may_review(ce, fs_user_name()))
		return 1;
	if (strlist_find(&ap->refused, ce->name) < 0) {
		strlist_push(&ap->refused, ce->name);
		for (size_t i = 0; i < ce->reviewers_nr; i++)
			strbuf_addf(&names, "%s%s", i ? ", " : "", ce->reviewer_names[i]);
		console_note(ap->run->con, "slipway: '%s' is not a reviewer of environment '%s' "
			     "(reviewers: %s): only they may approve or reject it", fs_user_name(),
			     ce->name, names.buf);
		strbuf_release(&names);
	}
	return 0;
}

/*
 * The answer known for env now: from a file, else --reject / --approve
 * (then recorded) when this user may review ce.
 */
static int approval_decision(struct approval *ap, const char *env, const struct config_env *ce,
			     const char **by)
{
	int d = approval_read(ap, env, by);

	if (d >= 0) {
		approval_announce(ap, env, d, *by);
		return d;
	}
	if (approval_listed(ap->run->opts.reject, env)) {
		if (!approval_user_may_review(ap, ce))
			return -1;
		approval_write(ap, env, 0, "--reject");
		*by = fs_user_name();
		return 0;
	}
	if (approval_listed(ap->run->opts.approve, env)) {
		if (!approval_user_may_review(ap, ce))
			return -1;
		approval_write(ap, env, 1, "--approve");
		*by = fs_user_name();
		return 1;
	}
	return -1;
}

/* ---------------------------------------------------------------- waiting */

static void approval_remove(struct approval *ap, size_t i)
{
	if (ap->waits[i].timer)
		loop_cancel_timer(ap->run->loop, ap->waits[i].timer);
	if (ap->asking == &ap->waits[i]) {
		loop_unwatch_fd(ap->run->loop, STDIN_FILENO);
		ap->asking = NULL;
		if (ap->run->con)
			console_pause(ap->run->con, 0);
	}
	ap->waits[i] = ap->waits[--ap->nr];
	if (ap->asking == &ap->waits[ap->nr])
		ap->asking = &ap->waits[i];
}

static void approval_prompt_next(struct approval *ap);

/* A wait has what it needs, or was rejected: tell the scheduler. */
static void approval_settle(struct approval *ap, struct plan_leg *leg, int pass,
			    const char *message)
{
	struct run *run = ap->run;

	for (size_t i = 0; i < ap->nr; i++)
		if (ap->waits[i].leg == leg) {
			approval_remove(ap, i);
			break;
		}
	sched_gate_done(run, leg, pass, PLAN_FAILURE, message);
	approval_prompt_next(ap);
}

/* Apply a decision for env to every leg waiting for it. */
static void approval_decided(struct approval *ap, const char *env, int approved, const char *by)
{
	struct run *run = ap->run;

	for (size_t i = 0; i < ap->nr;) {
		struct approval_wait *w = &ap->waits[i];
		struct plan_leg *leg = w->leg;

		if (!w->need_decision || strcasecmp(leg->env_name, env)) {
			i++;
			continue;
		}
		w->need_decision = 0;
		if (!approved) {
			approval_settle(ap, leg, 0, arena_printf(&run->plan.arena,
					"the deployment to environment '%s' was rejected by %s",
					env, by));
			i = 0;
			continue;
		}
		if (run->con)
			console_line(run->con, leg, CONSOLE_INFO, "approved", 8, 0);
		if (!w->timer) {
			approval_settle(ap, leg, 1, NULL);
			i = 0;
			continue;
		}
		leg->waiting_for = PLAN_WAIT_TIMER;
		runstate_dirty(run->rs);
		i++;
	}
}

static void approval_on_poll(struct loop *l, uint64_t id, void *data)
{
	struct approval *ap = data;
	int need = 0;

	(void)l;
	(void)id;
	ap->poll_timer = 0;
	for (size_t i = 0; i < ap->nr; i++) {
		const char *by = NULL;
		int d;

		if (!ap->waits[i].need_decision)
			continue;
		d = approval_read(ap, ap->waits[i].leg->env_name, &by);
		if (d >= 0)
			approval_announce(ap, ap->waits[i].leg->env_name, d, by);
		if (d >= 0) {
			approval_decided(ap, ap->waits[i].leg->env_name, d, by);
			i = (size_t)-1;
		}
	}
	for (size_t i = 0; i < ap->nr; i++)
		need |= ap->waits[i].need_decision;
	if (need)
		ap->poll_timer = loop_add_timer(ap->run->loop, APPROVAL_POLL_MS, approval_on_poll, ap);
}

static void approval_on_timer(struct loop *l, uint64_t id, void *data)
{
	struct approval *ap = data;

	(void)l;
	for (size_t i = 0; i < ap->nr; i++) {
		struct approval_wait *w = &ap->waits[i];

		if (w->timer != id)
			continue;
		w->timer = 0;
		if (!w->need_decision)
			approval_settle(ap, w->leg, 1, NULL);
		else
			w->leg->waiting_for = PLAN_WAIT_APPROVAL;
		return;
	}
}

/* ---------------------------------------------------------------- the terminal */

static void approval_on_input(struct loop *l, int fd, unsigned events, void *data)
{
	struct approval *ap = data;
	struct approval_wait *w = ap->asking;
	char buf[256];
	ssize_t n = read(fd, buf, sizeof(buf));
	const char *env;
	int yes;

	(void)l;
	(void)events;
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n > 0) {
		strbuf_add(&ap->input, buf, (size_t)n);
		if (!memchr(ap->input.buf, '\n', ap->input.len) && ap->input.len < 1024)
			return;
	}
	loop_unwatch_fd(ap->run->loop, STDIN_FILENO);
	ap->asking = NULL;
	if (ap->run->con)
		console_pause(ap->run->con, 0);
	if (!w)
		return;
	strbuf_rtrim(&ap->input);
	yes = !strcasecmp(ap->input.buf, "y") || !strcasecmp(ap->input.buf, "yes");
	strbuf_reset(&ap->input);
	env = w->leg->env_name;
	approval_write(ap, env, yes, n > 0 ? "terminal" : "terminal closed");
	approval_decided(ap, env, yes, fs_user_name());
	approval_prompt_next(ap);
}

static void approval_prompt_next(struct approval *ap)
{
	struct run *run = ap->run;

	if (ap->asking || !run->opts.interactive)
		return;
	for (size_t i = 0; i < ap->nr; i++) {
		struct approval_wait *w = &ap->waits[i];

		if (!w->need_decision || !approval_user_may_review(ap, w->env))
			continue;
		ap->asking = w;
		w->asked = 1;
		if (run->con)
			console_pause(run->con, 1);
		fprintf(stderr, "\nslipway: job '%s' wants to deploy commit %.12s to environment "
			"'%s'%s%s%s\n  approve? [y/N] ", w->leg->name, run->sha ? run->sha : "(none)",
			w->leg->env_name, w->leg->env_url ? " (" : "",
			w->leg->env_url ? w->leg->env_url : "", w->leg->env_url ? ")" : "");
		fflush(stderr);
		loop_watch_fd(run->loop, STDIN_FILENO, LOOP_READ, approval_on_input, ap);
		return;
	}
}

/* ---------------------------------------------------------------- the gate */

enum approval_answer approval_request(struct approval *ap, struct plan_leg *leg,
				      const struct config_env *env, const char **message)
{
	struct run *run = ap->run;
	struct approval_wait *w;
	const char *by = NULL;
	int d = -1;

	if (!config_env_gated(env))
		return APPROVAL_PASS;
	if (env->approval_required) {
		d = approval_decision(ap, leg->env_name, env, &by);
		if (d == 0) {
			*message = arena_printf(&run->plan.arena, "the deployment to environment '%s' "
						"was rejected by %s", leg->env_name, by);
			return APPROVAL_FAIL;
		}
	}
	if (d != -1 && env->wait_minutes <= 0)
		return APPROVAL_PASS;
	if (!env->approval_required && env->wait_minutes <= 0)
		return APPROVAL_PASS;
	ALLOC_GROW(ap->waits, ap->nr + 1, ap->alloc);
	w = &ap->waits[ap->nr++];
	memset(w, 0, sizeof(*w));
	w->leg = leg;
	w->env = env;
	w->need_decision = env->approval_required && d == -1;
	if (env->wait_minutes > 0)
		w->timer = loop_add_timer(run->loop, (uint64_t)(env->wait_minutes * 60000.0),
					  approval_on_timer, ap);
	leg->waiting_for = w->need_decision ? PLAN_WAIT_APPROVAL : PLAN_WAIT_TIMER;
	if (w->need_decision && !ap->poll_timer)
		ap->poll_timer = loop_add_timer(run->loop, APPROVAL_POLL_MS, approval_on_poll, ap);
	if (w->need_decision && run->con)
		console_line(run->con, leg, CONSOLE_NOTICE, "waiting for approval", 20, 0);
	approval_prompt_next(ap);
	return APPROVAL_WAIT;
}

void approval_forget(struct approval *ap, struct plan_leg *leg)
{
	for (size_t i = 0; i < ap->nr; i++)
		if (ap->waits[i].leg == leg) {
			approval_remove(ap, i);
			approval_prompt_next(ap);
			return;
		}
}

int approval_may_answer(const struct approval *ap)
{
	for (size_t i = 0; i < ap->nr; i++)
		if (ap->waits[i].timer || (ap->waits[i].need_decision && ap->run->opts.interactive &&
					   config_env_may_review(ap->waits[i].env, fs_user_name())))
			return 1;
	return 0;
}

void approval_give_up(struct approval *ap)
{
	struct run *run = ap->run;

	while (ap->nr) {
		struct plan_leg *leg = ap->waits[0].leg;
		const char *env = leg->env_name;

		if (run->con && strlist_find(&ap->told, env) < 0) {
			console_note(run->con, "slipway: job '%s' waits for approval of environment "
				     "'%s'; approve with:\n    slipway approve %s %s --state %s\n"
				     "and continue with:\n    slipway run --resume %s --state %s",
				     leg->name, env, run->id, env, run->state_dir, run->id,
				     run->state_dir);
			strlist_push(&ap->told, env);
		}
		approval_remove(ap, 0);
		sched_gate_done(run, leg, 0, PLAN_WAITING, "waiting for approval");
	}
}
