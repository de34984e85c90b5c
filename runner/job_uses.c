/*
 * job_uses: the `uses:` step kind — a built-in stage (`slipway __stage`),
 * a node action (main, with pre and post steps), a composite action (its
 * steps in a frame of their own), a docker action or `docker://` step
 * (`slipway __action-container`, runner/actrun.h) — with inputs, state and
 * variables as GitHub's runner passes them.
 * Finding and loading actions is runner/actions.c's.
 */
#include "runner/job_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "runner/actions.h"
#include "runner/actrun.h"
#include "runner/context.h"
#include "runner/ctrspec.h"
#include "stages/stage.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/xalloc.h"

/* The `uses:` value of a step, as written. */
static const char *uses_text(const struct wf_step *s)
{
	return s->uses_node && s->uses_node->kind == YDOC_SCALAR ? s->uses_node->u.scalar.ptr : "";
}

/* "file:line:col: " of the step's `uses:`. */
static void uses_where(struct strbuf *err, const struct wf_step *s)
{
	const struct ydoc_node *n = s->uses_node ? s->uses_node : s->node;

	if (n)
		strbuf_addf(err, "%s:%d:%d: ", n->file, n->line, n->col);
}

/* ---------------------------------------------------------------- inputs */

/* Is name among the declared inputs (ASCII case-insensitive, as GitHub compares them)? */
static int uses_declared(const char *name, const struct action_input *ai, size_t ai_nr,
			 const struct stage_input *si)
{
	for (size_t i = 0; i < ai_nr; i++)
		if (!strcasecmp(ai[i].name, name))
			return 1;
	for (; si && si->name; si++)
		if (!strcasecmp(si->name, name))
			return 1;
	return 0;
}

/* GitHub's warning for `with:` keys the action does not declare. */
static void uses_warn_unexpected(struct job_run *jr, struct val with,
				 const struct action_input *ai, size_t ai_nr,
				 const struct stage_input *si)
{
	struct strbuf bad = STRBUF_INIT, valid = STRBUF_INIT;

	for (size_t i = 0; i < with.u.object->nr; i++) {
		const char *k = with.u.object->members[i].key;

		if (!uses_declared(k, ai, ai_nr, si))
			strbuf_addf(&bad, "%s'%s'", bad.len ? ", " : "", k);
	}
	if (bad.len) {
		for (size_t i = 0; i < ai_nr; i++)
			strbuf_addf(&valid, "%s'%s'", i ? ", " : "", ai[i].name);
		for (; si && si->name; si++)
			strbuf_addf(&valid, "%s'%s'", valid.len ? ", " : "", si->name);
		joblog_linef(&jr->log, CONSOLE_WARNING, "Unexpected input(s) %s, valid inputs are "
			     "[%s]", bad.buf, valid.buf);
	}
	strbuf_release(&bad);
	strbuf_release(&valid);
}

/*
 * The step's inputs as strings: `with:` evaluated, then the defaults of
 * declared inputs it does not give (evaluated too: `${{ github.token }}`).
 * An object in the job's arena.
 */
static int uses_inputs(struct job_run *jr, const struct wf_step *s, const struct action *act,
		       const struct stage_input *si, struct val *out, struct strbuf *err)
{
	struct arena *a = &jr->arena;
	struct val with = val_new_object(a), v;
	struct strbuf sb = STRBUF_INIT;
	int ret = -1;

	*out = val_new_object(a);
	if (s->with) {
		if (job_eval(jr, &v, s->with, err) < 0)
			goto out;
		if (v.kind != VAL_OBJECT) {
			strbuf_addf(err, "%s:%d:%d: 'with' must be a mapping", s->with->file,
				    s->with->line, s->with->col);
			goto out;
		}
		with = v;
	}
	uses_warn_unexpected(jr, with, act ? act->inputs : NULL, act ? act->inputs_nr : 0, si);
	for (size_t i = 0; i < with.u.object->nr; i++) {
		strbuf_reset(&sb);
		expr_coerce_string(&sb, with.u.object->members[i].value);
		val_object_setstr(a, *out, with.u.object->members[i].key,
				  val_string(a, sb.buf, sb.len));
	}
	for (size_t i = 0; act && i < act->inputs_nr; i++) {
		const struct action_input *in = &act->inputs[i];

		if (val_object_geti(*out, in->name, strlen(in->name)))
			continue;
		strbuf_reset(&sb);
		if (in->default_value) {
			if (job_eval(jr, &v, in->default_value, err) < 0)
				goto out;
			expr_coerce_string(&sb, v);
		}
		val_object_setstr(a, *out, in->name, val_string(a, sb.buf, sb.len));
	}
	ret = 0;
out:
	strbuf_release(&sb);
	return ret;
}

/* INPUT_<NAME>=value for each input. */
static void uses_input_vars(struct strlist *env, struct val inputs)
{
	struct strbuf var = STRBUF_INIT;

	for (size_t i = 0; i < inputs.u.object->nr; i++) {
		strbuf_reset(&var);
		stage_input_var(&var, inputs.u.object->members[i].key);
		strlist_pushf(env, "%s=%s", var.buf, inputs.u.object->members[i].value.u.string.ptr);
	}
	strbuf_release(&var);
}

/* Mask the values of a stage's password inputs before anything logs them. */
static void uses_mask_inputs(struct job_run *jr, const struct stage_input *si, struct val inputs)
{
	for (; si && si->name; si++) {
		struct val *v = si->secret ? val_object_geti(inputs, si->name, strlen(si->name))
			      : NULL;

		if (v && v->kind == VAL_STRING)
			mask_add(jr->run->mask, v->u.string.ptr, v->u.string.len);
	}
}

/* Log the step as GitHub does: a group "Run <uses>" listing its inputs. */
static void uses_log(struct job_run *jr, const char *text, struct val inputs)
{
	joblog_linef(&jr->log, CONSOLE_GROUP, "Run %s", text);
	if (inputs.u.object->nr)
		joblog_line(&jr->log, CONSOLE_SCRIPT, "with:", 5);
	for (size_t i = 0; i < inputs.u.object->nr; i++) {
		const struct val_member *m = &inputs.u.object->members[i];
		size_t nl = strcspn(m->value.u.string.ptr, "\n");

		joblog_linef(&jr->log, CONSOLE_SCRIPT, "  %s: %.*s%s", m->key, (int)nl,
			     m->value.u.string.ptr, m->value.u.string.ptr[nl] ? " ..." : "");
	}
	joblog_line(&jr->log, CONSOLE_ENDGROUP, "", 0);
}

/* The GITHUB_STATE object of the action instance of step id (shared by its pre, main, post). */
static struct val *uses_state(struct job_run *jr, const char *id, int nested)
{
	struct val *state = arena_alloc(&jr->arena, sizeof(*state));
	struct val *known;

	if (jr->action_states.kind != VAL_OBJECT)
		jr->action_states = val_new_object(&jr->arena);
	known = nested ? NULL : val_object_getstr(jr->action_states, id);
	*state = known ? *known : val_new_object(&jr->arena);
	if (!nested && !known)
		val_object_setstr(&jr->arena, jr->action_states, id, *state);
	return state;
}

/* Copy a launch's command and variables into a pre or post hook. */
static void uses_hook_from(struct job_hook *h, const struct job_launch *l, const char *cond_text,
			   const struct ydoc_node *cond, struct job_run *jr)
{
	for (size_t i = 0; i < l->argv.nr; i++)
		strlist_push(&h->argv, l->argv.items[i]);
	for (size_t i = 0; i < l->env.nr; i++)
		strlist_push(&h->env, l->env.items[i]);
	h->step_env = l->step_env;
	h->state = l->state;
	h->host_files = l->host_files;
	h->stage = l->stage;
	h->cond = cond ? cond : job_condition(jr, cond_text);
}

/* ---------------------------------------------------------------- stages */

static void uses_stage_vars(struct job_run *jr, const struct wf_uses *u, struct strlist *env)
{
	const struct run *run = jr->run;
	const struct run_opts *o = &run->opts;
	const struct val *ctr = jr->ej.job_context.kind == VAL_OBJECT
				? val_object_getstr(jr->ej.job_context, "container") : NULL, *id;

	strlist_pushf(env, "GITHUB_ACTION_REPOSITORY=%s/%s", u->owner, u->repo);
	strlist_pushf(env, "GITHUB_ACTION_REF=%s", u->ref);
	strlist_pushf(env, "SLIPWAY_RUN_DIR=%s", run->dir);
	strlist_pushf(env, "SLIPWAY_REPOSITORY=%s", run->repository ? run->repository : "");
	strlist_pushf(env, "SLIPWAY_SNAPSHOT=%s", run->snapshot ? run->snapshot : "");
	strlist_pushf(env, "SLIPWAY_CHECKOUT=%s", o->checkout ? o->checkout : "snapshot");
	strlist_pushf(env, "SLIPWAY_JOB_KEY=%s", jr->leg->key);
	if (o->cache_store)
		strlist_pushf(env, "SLIPWAY_CACHE_DIR=%s", o->cache_store);
	if (o->actions && o->actions->base_url)
		strlist_pushf(env, "SLIPWAY_ACTION_BASE_URL=%s", o->actions->base_url);
	if (run->state_dir)
		strlist_pushf(env, "SLIPWAY_STATE_DIR=%s", run->state_dir);
	if (run->config && run->config->registry)
		strlist_pushf(env, "SLIPWAY_REGISTRY=%s", run->config->registry->u.scalar.ptr);
	/* a stage works on this machine's side of the job's directories */
	strlist_pushf(env, "GITHUB_WORKSPACE=%s", jr->ej.workspace_host);
	strlist_pushf(env, "SLIPWAY_STEP_WORKSPACE=%s", jr->ej.workspace);
	if (ctr && ctr->kind == VAL_OBJECT && (id = val_object_getstr(*ctr, "id")) &&
	    id->kind == VAL_STRING && id->u.string.len)
		strlist_pushf(env, "SLIPWAY_JOB_CONTAINER=%s", id->u.string.ptr);
	strlist_pushf(env, "SLIPWAY_STEP_TEMP=%s", jr->ej.temp);
	strlist_pushf(env, "RUNNER_TEMP=%s", jr->ej.temp_host);
}

static int uses_start_stage(struct job_run *jr, struct plan_step *st, const struct stage *stage,
			    struct strbuf *err)
{
	const struct wf_step *s = st->step;
	struct job_launch l = JOB_LAUNCH_INIT;
	struct val inputs;
	int ret = -1;

	if (!jr->run->opts.self_exe) {
		uses_where(err, s);
		strbuf_addf(err, "step '%s' uses the built-in stage '%s', which this runner cannot "
			    "start", st->name, stage->name);
		goto out;
	}
	if (job_step_setup(jr, st, &l, err) < 0 || uses_inputs(jr, s, NULL, stage->inputs,
							       &inputs, err) < 0)
		goto out;
	uses_mask_inputs(jr, stage->inputs, inputs);
	uses_log(jr, uses_text(s), inputs);
	strlist_push(&l.argv, jr->run->opts.self_exe);
	strlist_push(&l.argv, "__stage");
	strlist_push(&l.argv, stage->name);
	uses_input_vars(&l.env, inputs);
	uses_stage_vars(jr, &s->uses, &l.env);
	l.host_files = 1;
	l.stage = 1;
	l.dir = jr->ej.workspace_host;
	l.state = uses_state(jr, st->id, jr->frames_nr > 1);
	if (job_launch(jr, &l, err) < 0)
		goto out;
	if (stage->post) {
		struct job_hook *h = job_add_hook(jr, JOB_HOOK_POST, st->id, st->name);

		uses_hook_from(h, &l, stage->post_if ? stage->post_if : "always()", NULL, jr);
		strlist_push(&h->argv, "--post");
	}
	ret = 0;
out:
	job_env_context(jr);
	job_launch_release(&l);
	return ret;
}

/* ---------------------------------------------------------------- actions */

/* Keep src for the rest of the leg (composite frames point into it). */
static struct action_src *uses_keep(struct job_run *jr, struct action_src *src)
{
	struct action_src *kept = xmalloc(sizeof(*kept));

	*kept = *src;
	ALLOC_GROW(jr->actions, jr->actions_nr + 1, jr->actions_alloc);
	jr->actions[jr->actions_nr++] = kept;
	return kept;
}

static int uses_load(struct job_run *jr, const struct wf_step *s, struct action_src **out,
		     struct strbuf *err)
{
	struct action_src src;
	struct strbuf why = STRBUF_INIT;

	if (!jr->run->opts.actions) {
		uses_where(err, s);
		strbuf_addf(err, "action '%s' cannot be resolved here", uses_text(s));
		return -1;
	}
	if (actions_load(&src, jr->run->opts.actions, &s->uses, uses_text(s),
			 jr->ej.workspace_host, &why) < 0) {
		uses_where(err, s);
		strbuf_add(err, why.buf, why.len);
		strbuf_release(&why);
		return -1;
	}
	strbuf_release(&why);
	if (s->uses.kind == WF_USES_LOCAL) {   /* in a container: its own workspace */
		fs_path_join(&why, jr->ej.workspace, s->uses.path);
		src.step_dir = strbuf_detach(&why, NULL);
	} else {
		src.step_dir = xstrdup(src.dir);
	}
	*out = uses_keep(jr, &src);
	return 0;
}

/* argv and variables of a node action's script (main, pre or post). */
static int uses_node_launch(struct job_run *jr, const struct wf_step *s,
			    const struct action_src *src, const struct ydoc_node *script,
			    struct val inputs, struct job_launch *l, struct strbuf *err)
{
	const char *node = job_find_program(jr, "node", jr->ej.base_path);

	if (!node) {
		uses_where(err, s);
		strbuf_addf(err, "action '%s' runs on %s: 'node' was not found in the job's PATH "
			    "(install Node.js, or use a container that has it)", uses_text(s),
			    src->act.using);
		return -1;
	}
	strlist_push(&l->argv, node);
	strlist_pushf(&l->argv, "%s/%s", src->step_dir, script->u.scalar.ptr);
	uses_input_vars(&l->env, inputs);
	strlist_pushf(&l->env, "GITHUB_ACTION_PATH=%s", src->step_dir);
	strlist_pushf(&l->env, "GITHUB_ACTION_REPOSITORY=%s", src->repository);
	strlist_pushf(&l->env, "GITHUB_ACTION_REF=%s", src->ref);
	return 0;
}

/* ---------------------------------------------------------------- docker actions */

/*
 * The args and env of a docker action, evaluated with the action's inputs
 * as the `inputs` context (as GitHub's runner does): args into a JSON
 * array of strings, env laid over *env.
 */
static int uses_docker_eval(struct job_run *jr, const struct action *act, struct val inputs,
			    struct strbuf *args, struct val env, struct strbuf *err)
{
	struct job_frame *top = job_top(jr);
	struct val saved = top->contexts, v;
	struct strbuf sb = STRBUF_INIT;
	int ret = -1;

	top->contexts = context_copy_object(&jr->arena, saved);
	val_object_setstr(&jr->arena, top->contexts, "inputs", inputs);
	if (job_eval_env(jr, env, act->env, err) < 0)
		goto out;
	if (act->args) {
		if (job_eval(jr, &v, act->args, err) < 0)
			goto out;
		strbuf_addch(args, '[');
		for (size_t i = 0; v.kind == VAL_ARRAY && i < v.u.array->nr; i++) {
			strbuf_reset(&sb);
			expr_coerce_string(&sb, v.u.array->items[i]);
			strbuf_addstr(args, i ? ", " : "");
			json_write_string(args, sb.buf, sb.len);
		}
		strbuf_addch(args, ']');
	}
	ret = 0;
out:
	top->contexts = saved;
	strbuf_release(&sb);
	return ret;
}

/* `uses: docker://IMAGE`: `with: args` split as docker's command line, `with: entrypoint`. */
static int uses_docker_with(struct val inputs, struct strbuf *args, const char **entrypoint,
			    struct strbuf *err)
{
	struct val *a = val_object_getstr(inputs, "args");
	struct val *ep = val_object_getstr(inputs, "entrypoint");
	struct strlist words = STRLIST_INIT;

	*entrypoint = ep && *ep->u.string.ptr ? ep->u.string.ptr : NULL;
	if (!a)
		return 0;
	if (ctrspec_split_words(&words, a->u.string.ptr, err) < 0) {
		strlist_release(&words);
		return -1;
	}
	strbuf_addch(args, '[');
	for (size_t i = 0; i < words.nr; i++) {
		strbuf_addstr(args, i ? ", " : "");
		json_write_string(args, words.items[i], strlen(words.items[i]));
	}
	strbuf_addch(args, ']');
	strlist_release(&words);
	return 0;
}

/* The job's network (its container's, else its services'), for the action to join. */
static const char *uses_docker_network(const struct job_run *jr)
{
	struct val *c = val_object_getstr(jr->ej.job_context, "container");
	struct val *n = c ? val_object_getstr(*c, "network") : NULL;
	struct val *svc = val_object_getstr(jr->ej.job_context, "services");

	for (size_t i = 0; !n && svc && svc->kind == VAL_OBJECT && i < svc->u.object->nr; i++)
		if (svc->u.object->members[i].value.kind == VAL_OBJECT)
			n = val_object_getstr(svc->u.object->members[i].value, "network");
	return n && n->kind == VAL_STRING && *n->u.string.ptr ? n->u.string.ptr : NULL;
}

/*
 * argv and variables of a docker action's container (src NULL: a
 * `docker://` step), with entrypoint (a scalar: pre-entrypoint,
 * post-entrypoint) or the action's own. Like a stage, the child works on
 * this machine's side of the job's directories, which it binds into the
 * container.
 */
static int uses_docker_launch(struct job_run *jr, const struct wf_step *s,
			      const struct action_src *src, const struct ydoc_node *entrypoint,
			      struct val inputs, struct job_launch *l, struct strbuf *err)
{
	const struct action *act = src ? &src->act : NULL;
	const char *image = act ? act->image->u.scalar.ptr : s->uses.path, *ep = NULL;
	const char *network = uses_docker_network(jr);
	struct val env = val_new_object(&jr->arena);
	struct strbuf args = STRBUF_INIT, path = STRBUF_INIT;
	int ret = -1;

	if (!jr->run->opts.self_exe) {
		uses_where(err, s);
		strbuf_addf(err, "action '%s' runs in a container, which this runner cannot start",
			    uses_text(s));
		goto out;
	}
	if (act ? uses_docker_eval(jr, act, inputs, &args, env, err) < 0
	    : uses_docker_with(inputs, &args, &ep, err) < 0)
		goto out;
	if (act && (entrypoint || act->entrypoint))
		ep = (entrypoint ? entrypoint : act->entrypoint)->u.scalar.ptr;
	strlist_push(&l->argv, jr->run->opts.self_exe);
	strlist_push(&l->argv, "__action-container");
	if (!act || !strncmp(image, "docker://", 9)) {
		strlist_pushf(&l->argv, "--image=%s", act ? image + 9 : image);
	} else {
		fs_path_join(&path, src->dir, image);
		strlist_pushf(&l->argv, "--dockerfile=%s", path.buf);
	}
	if (ep)
		strlist_pushf(&l->argv, "--entrypoint=%s", ep);
	if (network)
		strlist_pushf(&l->argv, "--network=%s", network);
	strlist_pushf(&l->argv, "--run-id=%s", jr->run->id);
	for (size_t i = 0; i < l->step_env.u.object->nr; i++)
		strlist_pushf(&l->argv, "--env=%s", l->step_env.u.object->members[i].key);
	for (size_t i = 0; i < env.u.object->nr; i++) {
		const struct val_member *m = &env.u.object->members[i];

		strlist_pushf(&l->argv, "--env=%s", m->key);
		strlist_pushf(&l->env, "%s=%s", m->key, m->value.u.string.ptr);
	}
	uses_input_vars(&l->env, inputs);
	if (args.len)
		strlist_pushf(&l->env, "%s=%s", ACTRUN_ARGS_VAR, args.buf);
	if (src) {
		strlist_pushf(&l->env, "GITHUB_ACTION_REPOSITORY=%s", src->repository);
		strlist_pushf(&l->env, "GITHUB_ACTION_REF=%s", src->ref);
	}
	/* the places as this machine sees them: the child binds them into the container */
	strlist_pushf(&l->env, "GITHUB_WORKSPACE=%s", jr->ej.workspace_host);
	strlist_pushf(&l->env, "RUNNER_TEMP=%s", jr->ej.temp_host);
	strlist_pushf(&l->env, "GITHUB_EVENT_PATH=%s", jr->run->event_path);
	l->host_files = 1;
	l->dir = jr->ej.workspace_host;
	ret = 0;
out:
	strbuf_release(&args);
	strbuf_release(&path);
	return ret;
}

/* ---------------------------------------------------------------- pre and post steps */

/*
 * Register a pre or post step of an action: script is a node action's
 * `pre` or `post`, or a docker action's `pre-entrypoint` or
 * `post-entrypoint`; its condition the action's `pre-if` or `post-if`.
 */
static void uses_action_hook(struct job_run *jr, const struct plan_step *st,
			     const struct action_src *src, enum job_hook_kind kind,
			     const struct ydoc_node *script, struct val inputs, struct val step_env,
			     struct val *state)
{
	const struct ydoc_node *cond = kind == JOB_HOOK_PRE ? src->act.pre_if : src->act.post_if;
	struct job_launch l = JOB_LAUNCH_INIT;
	struct strbuf err = STRBUF_INIT;
	int ret;

	l.step_env = step_env;
	l.state = state;
	if (src->act.kind == ACTION_DOCKER)
		ret = uses_docker_launch(jr, st->step, src, script, inputs, &l, &err);
	else
		ret = uses_node_launch(jr, st->step, src, script, inputs, &l, &err);
	if (!ret)
		uses_hook_from(job_add_hook(jr, kind, st->id, st->name), &l, "always()", cond, jr);
	job_launch_release(&l);
	strbuf_release(&err);
}

static int uses_start_node(struct job_run *jr, struct plan_step *st, const struct action_src *src,
			   struct strbuf *err)
{
	const struct wf_step *s = st->step;
	struct job_launch l = JOB_LAUNCH_INIT;
	struct val inputs;
	int ret = -1;

	if (job_step_setup(jr, st, &l, err) < 0 ||
	    uses_inputs(jr, s, &src->act, NULL, &inputs, err) < 0)
		goto out;
	uses_log(jr, uses_text(s), inputs);
	l.state = uses_state(jr, st->id, jr->frames_nr > 1);
	if (uses_node_launch(jr, s, src, src->act.main, inputs, &l, err) < 0 ||
	    job_launch(jr, &l, err) < 0)
		goto out;
	if (src->act.post)
		uses_action_hook(jr, st, src, JOB_HOOK_POST, src->act.post, inputs, l.step_env,
				 l.state);
	ret = 0;
out:
	job_env_context(jr);
	job_launch_release(&l);
	return ret;
}

/* github for a composite's steps: action_path, action_repository, action_ref set. */
static struct val uses_github(struct job_run *jr, struct val outer, const struct action_src *src,
			      const char *id)
{
	struct arena *a = &jr->arena;
	struct val *g = val_object_getstr(outer, "github");
	struct val c = g ? context_copy_object(a, *g) : val_new_object(a);

	val_object_setstr(a, c, "action", val_cstring(a, id));
	val_object_setstr(a, c, "action_path", val_cstring(a, src->step_dir));
	val_object_setstr(a, c, "action_repository", val_cstring(a, src->repository));
	val_object_setstr(a, c, "action_ref", val_cstring(a, src->ref));
	return c;
}

static int uses_start_composite(struct job_run *jr, struct plan_step *st,
				const struct action_src *src, struct strbuf *err)
{
	const struct wf_step *s = st->step;
	struct arena *a = &jr->arena;
	struct job_launch l = JOB_LAUNCH_INIT;
	struct job_frame *outer = job_top(jr), *f;
	struct val inputs, env_over, contexts;
	enum expr_job_status status = jr->frames_nr > 1 ? outer->status : jr->status;
	int ret = -1;

	if (jr->frames_nr > JOB_MAX_ACTION_DEPTH) {
		uses_where(err, s);
		strbuf_addf(err, "composite action '%s' is nested more than %d levels deep",
			    uses_text(s), JOB_MAX_ACTION_DEPTH);
		goto out;
	}
	if (job_step_setup(jr, st, &l, err) < 0 ||
	    uses_inputs(jr, s, &src->act, NULL, &inputs, err) < 0)
		goto out;
	env_over = context_copy_object(a, outer->env_over);
	if (job_eval_env(jr, env_over, s->env, err) < 0)
		goto out;
	uses_log(jr, uses_text(s), inputs);
	contexts = context_copy_object(a, outer->contexts);
	val_object_setstr(a, contexts, "inputs", inputs);
	val_object_setstr(a, contexts, "github", uses_github(jr, outer->contexts, src, st->id));
	f = job_push_frame(jr);         /* outer is stale from here on */
	f->contexts = contexts;
	f->steps_ctx = val_new_object(a);
	val_object_setstr(a, contexts, "steps", f->steps_ctx);
	f->env_over = env_over;
	f->status = status;
	f->owner = st;
	f->owner_coe = jr->coe;
	f->action = src;
	f->action_path = src->step_dir;
	f->action_repository = src->repository;
	f->action_ref = src->ref;
	f->nr = src->act.steps_nr;
	f->steps = arena_alloc(a, (f->nr ? f->nr : 1) * sizeof(*f->steps));
	memset(f->steps, 0, (f->nr ? f->nr : 1) * sizeof(*f->steps));
	for (size_t i = 0; i < f->nr; i++) {
		f->steps[i].step = &src->act.steps[i];
		f->steps[i].id = src->act.steps[i].id;
		f->steps[i].name = src->act.steps[i].id;
		f->steps[i].outputs = val_new_object(a);
	}
	ret = 1;
out:
	if (ret > 0) {
		jr->frames_nr--;        /* the outer frame's env, then the new one's */
		job_env_context(jr);
		jr->frames_nr++;
	}
	job_env_context(jr);
	job_launch_release(&l);
	return ret;
}

void job_uses_frame_done(struct job_run *jr)
{
	struct job_frame *f = job_top(jr);
	const struct action *act = &f->action->act;
	struct val outputs = val_new_object(&jr->arena), v;
	struct strbuf err = STRBUF_INIT, sb = STRBUF_INIT;
	static const enum plan_result outcomes[] = {
		[EXPR_STATUS_SUCCESS] = PLAN_SUCCESS, [EXPR_STATUS_FAILURE] = PLAN_FAILURE,
		[EXPR_STATUS_CANCELLED] = PLAN_CANCELLED,
	};
	enum plan_result outcome = outcomes[f->status];
	struct plan_step *owner = f->owner;
	int coe = f->owner_coe;

	job_env_context(jr);

	for (size_t i = 0; i < act->outputs_nr; i++) {
		strbuf_reset(&sb);
		if (act->outputs[i].value && job_eval(jr, &v, act->outputs[i].value, &err) < 0) {
			job_error(jr, err.buf);
			strbuf_reset(&err);
			continue;
		}
		if (act->outputs[i].value)
			expr_coerce_string(&sb, v);
		val_object_setstr(&jr->arena, outputs, act->outputs[i].name,
				  val_string(&jr->arena, sb.buf, sb.len));
	}
	jr->frames_nr--;
	job_step_done(jr, owner, outcome, coe, outputs);        /* resets the outer env context */
	strbuf_release(&err);
	strbuf_release(&sb);
}

/* What a `docker://` step takes in `with:`. */
static const struct stage_input uses_docker_inputs[] = {
	{ "args", NULL }, { "entrypoint", NULL }, { NULL, NULL },
};

static int uses_start_docker(struct job_run *jr, struct plan_step *st,
			     const struct action_src *src, struct strbuf *err)
{
	const struct wf_step *s = st->step;
	struct job_launch l = JOB_LAUNCH_INIT;
	struct val inputs;
	int ret = -1;

	if (job_step_setup(jr, st, &l, err) < 0 ||
	    uses_inputs(jr, s, src ? &src->act : NULL, src ? NULL : uses_docker_inputs, &inputs,
			err) < 0)
		goto out;
	uses_log(jr, uses_text(s), inputs);
	l.state = uses_state(jr, st->id, jr->frames_nr > 1);
	if (uses_docker_launch(jr, s, src, NULL, inputs, &l, err) < 0 ||
	    job_launch(jr, &l, err) < 0)
		goto out;
	if (src && src->act.post_entrypoint)
		uses_action_hook(jr, st, src, JOB_HOOK_POST, src->act.post_entrypoint, inputs,
				 l.step_env, l.state);
	ret = 0;
out:
	job_env_context(jr);
	job_launch_release(&l);
	return ret;
}

int job_uses_start(struct job_run *jr, struct plan_step *st, struct strbuf *err)
{
	const struct wf_step *s = st->step;
	const struct stage *stage;
	struct action_src *src;

	if (!s->has_uses) {
		uses_where(err, s);
		strbuf_addf(err, "step '%s': '%s' is not a valid 'uses' reference", st->name,
			    uses_text(s));
		return -1;
	}
	if (s->uses.kind == WF_USES_DOCKER)
		return uses_start_docker(jr, st, NULL, err);
	stage = stage_find(uses_text(s), jr->run->opts.actions ? jr->run->opts.actions->no_builtin
			   : NULL);
	if (stage)
		return uses_start_stage(jr, st, stage, err);
	if (uses_load(jr, s, &src, err) < 0)
		return -1;
	switch (src->act.kind) {
	case ACTION_COMPOSITE:
		return uses_start_composite(jr, st, src, err);
	case ACTION_NODE:
		return uses_start_node(jr, st, src, err);
	case ACTION_DOCKER:
		return uses_start_docker(jr, st, src, err);
	default:
		uses_where(err, s);
		strbuf_addf(err, "action '%s' has an unknown 'runs.using'", uses_text(s));
		return -1;
	}
}

/* ---------------------------------------------------------------- pre steps and the end */

/* A node action's `pre`, a docker action's `pre-entrypoint`, or NULL. */
static const struct ydoc_node *uses_pre_script(const struct action *act)
{
	return act->kind == ACTION_NODE ? act->pre : act->kind == ACTION_DOCKER ?
	       act->pre_entrypoint : NULL;
}

void job_uses_pre(struct job_run *jr)
{
	const struct job_frame *f = &jr->frames[0];
	struct strbuf err = STRBUF_INIT;

	for (size_t i = 0; i < f->nr && jr->run->opts.actions; i++) {
		struct plan_step *st = &f->steps[i];
		const struct wf_step *s = st->step;
		struct action_src *src;
		struct val inputs, step_env;

		/* GitHub runs the pre steps of downloaded actions only, not of ./local ones */
		if (!s->has_uses || s->uses.kind != WF_USES_REMOTE ||
		    stage_find(uses_text(s), jr->run->opts.actions->no_builtin))
			continue;
		if (uses_load(jr, s, &src, &err) < 0 || !uses_pre_script(&src->act)) {
			strbuf_reset(&err);
			continue;       /* the step itself reports what is wrong */
		}
		step_env = context_copy_object(&jr->arena, jr->env);
		if (job_eval_env(jr, step_env, s->env, &err) < 0 ||
		    uses_inputs(jr, s, &src->act, NULL, &inputs, &err) < 0) {
			job_error(jr, err.buf);
			strbuf_reset(&err);
			continue;
		}
		uses_action_hook(jr, st, src, JOB_HOOK_PRE, uses_pre_script(&src->act), inputs,
				 step_env, uses_state(jr, st->id, 0));
	}
	strbuf_release(&err);
}

void job_uses_release(struct job_run *jr)
{
	for (size_t i = 0; i < jr->actions_nr; i++) {
		actions_src_release(jr->actions[i]);
		free(jr->actions[i]);
	}
	free(jr->actions);
	jr->actions = NULL;
	jr->actions_nr = jr->actions_alloc = 0;
}
