/*
 * action: the model of an action's metadata file (action.yml /
 * action.yaml): name, inputs with defaults, outputs with values, and
 * `runs:` for composite (steps), JavaScript (`main`, `pre`, `post`, their
 * `-if`s) and Docker actions (`image`, `args`, `entrypoint`, `env`).
 * Loading validates it; running the action is the runner's business.
 */
#ifndef PARSER_ACTION_H
#define PARSER_ACTION_H

#include <stddef.h>

#include "parser/workflow.h"
#include "parser/ydoc.h"
#include "util/diag.h"

enum action_kind {
	ACTION_UNKNOWN,     /* `runs:` missing or its `using:` unknown */
	ACTION_COMPOSITE,   /* using: composite */
	ACTION_NODE,        /* using: node12/16/20/24 */
	ACTION_DOCKER,      /* using: docker */
};

struct action_input {
	const char *name;
	const struct ydoc_node *key, *description, *default_value, *deprecation_message;
	int required;                           /* `required: true` */
};

/* Pointers below point into the action's ydoc arena; absent keys are NULL. */
struct action {
	struct ydoc doc;                        /* owns every node and string below */
	const char *file;
	const struct ydoc_node *name, *description, *author, *branding;
	const struct ydoc_node *inputs_node, *outputs_node, *runs;
	struct action_input *inputs;
	size_t inputs_nr;
	struct wf_output *outputs;              /* as workflow_call's: name, description, value */
	size_t outputs_nr;
	enum action_kind kind;
	const char *using;                      /* "composite", "node20", "docker" ... */
	const struct ydoc_node *using_node;
	/* node actions */
	const struct ydoc_node *main, *pre, *post, *pre_if, *post_if;
	/* docker actions (pre_if/post_if are shared with node actions) */
	const struct ydoc_node *image, *args, *entrypoint, *pre_entrypoint, *post_entrypoint, *env;
	/* composite actions: steps with ids as in workflows */
	const struct ydoc_node *steps_node;
	struct wf_step *steps;
	size_t steps_nr;
};

/*
 * Load and validate an action file. Problems are appended to diags
 * (sorted) as `file:line:col: error: message [rule]`. Returns 0 when it is
 * valid, -1 otherwise; release with action_release() either way.
 */
int action_load(struct action *act, const char *file, const char *text, size_t len,
		struct diag_list *diags);
int action_load_file(struct action *act, const char *path, struct diag_list *diags);
void action_release(struct action *act);

#endif
