/*
 * action: the action.yml schema as tables (GitHub's action schema: strict
 * top level, inputs that may carry extra keys, the three kinds of `runs:`)
 * and the loader that decodes inputs, outputs and `runs:`. Composite steps
 * share the workflow step model, its `uses` parser and its id rules.
 */
#include "parser/action.h"
#include "parser/schema.h"
#include "parser/wf_phases.h"

#include <stddef.h>
#include <string.h>

/* ---------------------------------------------------------------- hooks */

static void *action_open_step(struct schema_walk *w, void *parent,
			      const struct ydoc_node *container, size_t index,
			      const struct ydoc_node *key, const struct ydoc_node *value)
{
	struct action *act = parent;
	struct wf_step *step;

	(void)key;
	if (!act || act->steps_node != container)
		return NULL;
	if (!act->steps)
		act->steps = arena_alloc(w->arena, container->u.seq.nr * sizeof(*act->steps));
	if (act->steps_nr == container->u.seq.nr)
		return NULL;
	step = &act->steps[act->steps_nr++];
	step->node = value;
	step->index = index;
	return step;
}

/* ---------------------------------------------------------------- tables */

#define NOF SCHEMA_NO_FIELD
#define K(name, def, flags, field) { name, &def, flags, field, NOF }
#define KEND { NULL, NULL, 0, 0, 0 }
#define REQ SCHEMA_REQUIRED
#define EXPR SCHEMA_EXPR
#define ACT(f) ((long)offsetof(struct action, f))
#define STEP(f) ((long)offsetof(struct wf_step, f))
#define ONE_OF(...) ((const struct schema_def *const[]){ __VA_ARGS__, NULL })
#define VALUES(...) ((const char *const[]){ __VA_ARGS__, NULL })

static const struct schema_def d_string_map = {
	.kind = SCHEMA_MAPPING, .flags = EXPR, .loose_key = &schema_nonempty, .item = &schema_string,
};

static const struct schema_key k_input[] = {
	K("description", schema_string, 0, NOF),
	K("required", schema_boolean, 0, NOF),
	K("default", schema_string_x, 0, NOF),
	K("deprecationMessage", schema_string, 0, NOF),
	KEND,
};
static const struct schema_def d_input = {
	.kind = SCHEMA_MAPPING, .keys = k_input, .loose_key = &schema_nonempty, .item = &schema_any,
	.section = "input '%s'",
};
static const struct schema_def d_inputs = {
	.kind = SCHEMA_MAPPING, .loose_key = &schema_nonempty, .item = &d_input,
};
static const struct schema_key k_output[] = {
	K("description", schema_string, 0, NOF),
	K("value", schema_string_x, 0, NOF),
	KEND,
};
static const struct schema_def d_output = {
	.kind = SCHEMA_MAPPING, .keys = k_output, .section = "output '%s'",
};
static const struct schema_def d_outputs = {
	.kind = SCHEMA_MAPPING, .loose_key = &schema_nonempty, .item = &d_output,
};

static const char *const action_usings[] = {
	"docker", "node12", "node16", "node20", "node24", "composite", NULL,
};
static const struct schema_def d_using = {
	.kind = SCHEMA_STRING, .values = action_usings,
};

static const struct schema_def d_args = {
	.kind = SCHEMA_SEQUENCE, .item = &schema_string_x, .what = "a sequence of strings",
};
static const struct schema_key k_docker[] = {
	K("using", d_using, REQ, ACT(using_node)),
	K("image", schema_nonempty, REQ, ACT(image)),
	K("entrypoint", schema_nonempty, 0, ACT(entrypoint)),
	K("args", d_args, 0, ACT(args)),
	K("env", d_string_map, 0, ACT(env)),
	K("pre-entrypoint", schema_nonempty, 0, ACT(pre_entrypoint)),
	K("pre-if", schema_string_x, 0, ACT(pre_if)),
	K("post-entrypoint", schema_nonempty, 0, ACT(post_entrypoint)),
	K("post-if", schema_string_x, 0, ACT(post_if)),
	KEND,
};
static const struct schema_key k_node[] = {
	K("using", d_using, REQ, ACT(using_node)),
	K("main", schema_nonempty, REQ, ACT(main)),
	K("pre", schema_nonempty, 0, ACT(pre)),
	K("pre-if", schema_string_x, 0, ACT(pre_if)),
	K("post", schema_nonempty, 0, ACT(post)),
	K("post-if", schema_string_x, 0, ACT(post_if)),
	KEND,
};

#define STEP_COMMON_KEYS \
	K("name", schema_string_x, 0, STEP(name)), \
	K("id", schema_nonempty, 0, STEP(id_node)), \
	K("if", schema_string_x, 0, STEP(if_cond)), \
	K("continue-on-error", schema_boolean_x, 0, STEP(continue_on_error)), \
	K("env", d_string_map, 0, STEP(env))
static const struct schema_key k_run_step[] = {
	STEP_COMMON_KEYS,
	K("run", schema_string_x, REQ, STEP(run)),
	K("shell", schema_string_x, REQ, STEP(shell)),
	K("working-directory", schema_string_x, 0, STEP(working_directory)),
	KEND,
};
static const struct schema_key k_uses_step[] = {
	STEP_COMMON_KEYS,
	K("uses", schema_nonempty, REQ, STEP(uses_node)),
	K("with", d_string_map, 0, STEP(with)),
	KEND,
};
static const struct schema_def d_run_step = {
	.kind = SCHEMA_MAPPING, .keys = k_run_step, .section = "step",
};
static const struct schema_def d_uses_step = {
	.kind = SCHEMA_MAPPING, .keys = k_uses_step, .section = "step",
};
static const struct schema_def d_step = {
	.kind = SCHEMA_ONE_OF, .one_of = ONE_OF(&d_run_step, &d_uses_step), .section = "step",
	.what = "a mapping",
};
static const struct schema_def d_steps = {
	.kind = SCHEMA_SEQUENCE, .item = &d_step, .open = action_open_step,
	.what = "a sequence of steps",
};
static const struct schema_key k_composite[] = {
	K("using", d_using, REQ, ACT(using_node)),
	K("steps", d_steps, REQ, ACT(steps_node)),
	KEND,
};

static const struct schema_def d_runs_docker = {
	.kind = SCHEMA_MAPPING, .keys = k_docker, .section = "'runs'",
};
static const struct schema_def d_runs_node = {
	.kind = SCHEMA_MAPPING, .keys = k_node, .section = "'runs'",
};
static const struct schema_def d_runs_composite = {
	.kind = SCHEMA_MAPPING, .keys = k_composite, .section = "'runs'",
};
static const struct schema_def d_runs = {
	.kind = SCHEMA_ONE_OF,
	.one_of = ONE_OF(&d_runs_docker, &d_runs_node, &d_runs_composite),
	.section = "'runs'", .what = "a mapping",
};

static const struct schema_def d_color = {
	.kind = SCHEMA_STRING,
	.values = VALUES("white", "yellow", "blue", "green", "orange", "red", "purple",
			 "gray-dark"),
};
static const struct schema_key k_branding[] = {
	K("icon", schema_nonempty, 0, NOF),
	K("color", d_color, 0, NOF),
	KEND,
};
static const struct schema_def d_branding = {
	.kind = SCHEMA_MAPPING, .keys = k_branding, .section = "'branding'",
};

static const struct schema_key k_action[] = {
	K("name", schema_string, 0, ACT(name)),
	K("description", schema_string, 0, ACT(description)),
	K("author", schema_string, 0, ACT(author)),
	K("inputs", d_inputs, 0, ACT(inputs_node)),
	K("outputs", d_outputs, 0, ACT(outputs_node)),
	K("runs", d_runs, REQ, ACT(runs)),
	K("branding", d_branding, 0, ACT(branding)),
	KEND,
};
static const struct schema_def d_action = {
	.kind = SCHEMA_MAPPING, .keys = k_action, .section = "the action", .what = "a mapping",
};

/* ---------------------------------------------------------------- decoding */

static const struct {
	const char *prefix;
	enum action_kind kind;
} action_kinds[] = {
	{ "composite", ACTION_COMPOSITE },
	{ "node", ACTION_NODE },
	{ "docker", ACTION_DOCKER },
};

/* The keys that belong to one kind of action only, to catch mixed `runs:`. */
static const struct {
	const char *key;
	enum action_kind kind;
} action_kind_keys[] = {
	{ "steps", ACTION_COMPOSITE },
	{ "main", ACTION_NODE },
	{ "pre", ACTION_NODE },
	{ "post", ACTION_NODE },
	{ "image", ACTION_DOCKER },
	{ "args", ACTION_DOCKER },
	{ "entrypoint", ACTION_DOCKER },
	{ "env", ACTION_DOCKER },
	{ "pre-entrypoint", ACTION_DOCKER },
	{ "post-entrypoint", ACTION_DOCKER },
};

static void action_decode_runs(struct action *act, struct diag_list *diags)
{
	act->using = wf_static_string(act->using_node);
	if (!act->using)
		return;
	for (size_t i = 0; i < sizeof(action_kinds) / sizeof(action_kinds[0]); i++)
		if (!strncmp(act->using, action_kinds[i].prefix, strlen(action_kinds[i].prefix)))
			act->kind = action_kinds[i].kind;
	if (act->kind == ACTION_UNKNOWN || !act->runs || act->runs->kind != YDOC_MAPPING)
		return;
	for (size_t i = 0; i < sizeof(action_kind_keys) / sizeof(action_kind_keys[0]); i++) {
		const struct ydoc_node *v = ydoc_map_get(act->runs, action_kind_keys[i].key);

		if (v && action_kind_keys[i].kind != act->kind)
			wf_error(diags, v, "action",
				 "'%s' does not belong in 'runs' of an action using '%s'",
				 action_kind_keys[i].key, act->using);
	}
}

static void action_decode_inputs(struct action *act)
{
	const struct ydoc_node *map = act->inputs_node;

	if (!map || map->kind != YDOC_MAPPING)
		return;
	act->inputs = arena_alloc(&act->doc.arena, (map->u.map.nr ? map->u.map.nr : 1) *
				  sizeof(*act->inputs));
	for (size_t i = 0; i < map->u.map.nr; i++) {
		const struct ydoc_node *def = map->u.map.pairs[i].value;
		struct action_input *in = &act->inputs[act->inputs_nr++];

		in->key = map->u.map.pairs[i].key;
		in->name = in->key->u.scalar.ptr;
		in->description = ydoc_map_get(def, "description");
		in->default_value = ydoc_map_get(def, "default");
		in->deprecation_message = ydoc_map_get(def, "deprecationMessage");
		in->required = ydoc_scalar_is(ydoc_map_get(def, "required"), "true");
	}
}

static int action_finish(struct action *act, struct diag_list *diags, size_t first,
			 size_t errors)
{
	struct schema_walk walk = { diags, &act->doc.arena, act, 0 };

	act->file = act->doc.file;
	if (act->doc.root) {
		schema_check(&walk, &d_action, act->doc.root, act, "action");
		action_decode_runs(act, diags);
		action_decode_inputs(act);
		wf_outputs_decode(&act->outputs, &act->outputs_nr, &act->doc.arena,
				  act->outputs_node);
		wf_steps_decode(act->steps, act->steps_nr, &act->doc.arena, diags);
		wf_steps_validate(act->steps, act->steps_nr, diags);
		wf_exprcheck_action(act, diags);
	} else if (diags->errors == errors) {
		diag_add(diags, DIAG_ERROR, act->file, 1, 1, "syntax-check", "the action is empty");
	}
	wf_diags_tidy(diags, first);
	return diags->errors > errors ? -1 : 0;
}

int action_load(struct action *act, const char *file, const char *text, size_t len,
		struct diag_list *diags)
{
	size_t first = diags->nr, errors = diags->errors;

	memset(act, 0, sizeof(*act));
	ydoc_load(&act->doc, file, text, len, diags);
	return action_finish(act, diags, first, errors);
}

int action_load_file(struct action *act, const char *path, struct diag_list *diags)
{
	size_t first = diags->nr, errors = diags->errors;

	memset(act, 0, sizeof(*act));
	ydoc_load_file(&act->doc, path, diags);
	return action_finish(act, diags, first, errors);
}

void action_release(struct action *act)
{
	ydoc_release(&act->doc);
	memset(act, 0, sizeof(*act));
}
