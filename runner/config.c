/*
 * config: `.slipway.yml` — the schema tables of the file (one per mapping,
 * as parser/schema_workflow.c does for workflows), the decoding of each
 * environment's rules, and lookups. It evaluates no approval and reads
 * no secrets file (runner/approval.c does both).
 */
#include "runner/config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "parser/schema.h"
#include "util/fs.h"

#define NOF SCHEMA_NO_FIELD
#define K(name, def, flags, field) { name, &def, flags, field, NOF }
#define KEND { NULL, NULL, 0, 0, 0 }
#define ENV(f) ((long)offsetof(struct config_env, f))
#define CFG(f) ((long)offsetof(struct config, f))
#define ONE_OF(...) ((const struct schema_def *const[]){ __VA_ARGS__, NULL })
#define VALUES(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define CONFIG_RULE "config"

/* GitHub's longest wait timer: 30 days. */
#define CONFIG_MAX_WAIT_MINUTES 43200.0

static void *config_open_env(struct schema_walk *w, void *parent,
			     const struct ydoc_node *container, size_t index,
			     const struct ydoc_node *key, const struct ydoc_node *value)
{
	struct config *c = parent;
	struct config_env *env;

	(void)index;
	if (!c || container != c->environments)
		return NULL;
	if (!c->envs)
		c->envs = arena_alloc(w->arena, container->u.map.nr * sizeof(*c->envs));
	if (c->envs_nr == container->u.map.nr)
		return NULL;
	env = &c->envs[c->envs_nr++];
	env->name = key->u.scalar.ptr;
	env->key = key;
	env->node = value;
	return env;
}

static const struct schema_def d_approval = {
	.kind = SCHEMA_STRING, .values = VALUES("required", "none"),
	.what = "'required' or 'none'",
};
static const struct schema_def d_seq_nonempty = {
	.kind = SCHEMA_SEQUENCE, .item = &schema_nonempty,
};
static const struct schema_def d_nonempty_list = {
	.kind = SCHEMA_ONE_OF, .one_of = ONE_OF(&schema_nonempty, &d_seq_nonempty),
	.what = "a string or a sequence of strings",
};
static const struct schema_def d_string_map = {
	.kind = SCHEMA_MAPPING, .loose_key = &schema_nonempty, .item = &schema_string,
};
static const struct schema_key k_env[] = {
	K("approval", d_approval, 0, ENV(approval)),
	K("reviewers", d_nonempty_list, 0, ENV(reviewers)),
	K("wait-timer", schema_number, 0, ENV(wait_timer)),
	K("branches", d_nonempty_list, 0, ENV(branches)),
	K("secrets-file", schema_nonempty, 0, ENV(secrets_file)),
	K("vars-file", schema_nonempty, 0, ENV(vars_file)),
	K("vars", d_string_map, 0, ENV(vars)),
	K("url", schema_nonempty, 0, ENV(url)),
	KEND,
};
static const struct schema_def d_env_map = {
	.kind = SCHEMA_MAPPING, .keys = k_env, .section = "environment '%s'",
};
/* `production:` with nothing under it: an environment without rules. */
static const struct schema_def d_env = {
	.kind = SCHEMA_ONE_OF, .one_of = ONE_OF(&d_env_map, &schema_null),
	.what = "a mapping of protection rules",
};
static const struct schema_def d_envs = {
	.kind = SCHEMA_MAPPING, .loose_key = &schema_nonempty, .item = &d_env,
	.open = config_open_env, .what = "a mapping of environments",
};
static const struct schema_key k_config[] = {
	K("environments", d_envs, 0, CFG(environments)),
	K("platforms", d_string_map, 0, CFG(platforms)),
	K("registry", schema_nonempty, 0, CFG(registry)),
	K("docker-socket", schema_boolean, 0, CFG(docker_socket)),
	K("action-base-url", schema_nonempty, 0, CFG(action_base_url)),
	KEND,
};
static const struct schema_def d_config = {
	.kind = SCHEMA_MAPPING, .keys = k_config, .section = "'%s'",
};

static void config_error(struct diag_list *diags, const struct ydoc_node *n, const char *fmt,
			 const char *arg)
{
	diag_add(diags, DIAG_ERROR, n->file, n->line, n->col, CONFIG_RULE, fmt, arg);
}

/* The scalars of a string-or-sequence node into a NULL-less array in a. */
static const char **config_strings(struct arena *a, const struct ydoc_node *n, size_t *nr,
				   const struct ydoc_node ***nodes)
{
	size_t count = n->kind == YDOC_SEQUENCE ? n->u.seq.nr : 1;
	const char **out = arena_alloc(a, (count + 1) * sizeof(*out));

	*nodes = arena_alloc(a, (count + 1) * sizeof(**nodes));
	*nr = 0;
	for (size_t i = 0; i < count; i++) {
		const struct ydoc_node *item = n->kind == YDOC_SEQUENCE ? n->u.seq.items[i] : n;

		if (item->kind != YDOC_SCALAR)
			continue;
		(*nodes)[*nr] = item;
		out[(*nr)++] = item->u.scalar.ptr;
	}
	return out;
}

static void config_decode_env(struct config *c, struct config_env *env,
			      struct diag_list *diags)
{
	const struct ydoc_node **nodes;
	struct strbuf err = STRBUF_INIT;

	if (env->node->kind != YDOC_MAPPING)
		return;
	env->approval_required = ydoc_scalar_is(env->approval, "required");
	if (env->reviewers) {
		env->reviewer_names = config_strings(&c->doc.arena, env->reviewers,
						     &env->reviewers_nr, &nodes);
		if (env->reviewers_nr && !ydoc_scalar_is(env->approval, "none"))
			env->approval_required = 1;
	}
	if (env->wait_timer && ydoc_scalar_kind(env->wait_timer) == VAL_NUMBER) {
		env->wait_minutes = strtod(env->wait_timer->u.scalar.ptr, NULL);
		if (!(env->wait_minutes >= 0 && env->wait_minutes <= CONFIG_MAX_WAIT_MINUTES))
			config_error(diags, env->wait_timer,
				     "'wait-timer' must be between 0 and 43200 minutes, not %s",
				     env->wait_timer->u.scalar.ptr);
	}
	if (env->branches) {
		const char **pats = config_strings(&c->doc.arena, env->branches,
						   &env->branches_nr, &nodes);

		for (size_t i = 0; i < env->branches_nr; i++) {
			strbuf_reset(&err);
			if (glob_filter_list_add(&env->branch_filters, pats[i], &err) < 0)
				diag_add(diags, DIAG_ERROR, nodes[i]->file, nodes[i]->line,
					 nodes[i]->col, CONFIG_RULE, "invalid branch pattern '%s': %s",
					 pats[i], err.buf);
		}
	}
	strbuf_release(&err);
}

/* The schema and the decoding over a loaded document. */
static int config_check(struct config *c, size_t errors, struct diag_list *diags)
{
	struct schema_walk walk = { diags, &c->doc.arena, c, 0 };

	if (c->doc.root) {
		schema_check(&walk, &d_config, c->doc.root, c, CONFIG_FILE);
		for (size_t i = 0; i < c->envs_nr; i++)
			config_decode_env(c, &c->envs[i], diags);
	}
	return diags->errors > errors ? -1 : 0;
}

int config_load(struct config *c, const char *path, struct diag_list *diags)
{
	size_t errors = diags->errors;

	memset(c, 0, sizeof(*c));
	if (!fs_exists(path)) {
		arena_init(&c->doc.arena);
		return 0;
	}
	c->file = path;
	ydoc_load_file(&c->doc, path, diags);
	return config_check(c, errors, diags);
}

int config_load_text(struct config *c, const char *name, const char *text, size_t len,
		     struct diag_list *diags)
{
	size_t errors = diags->errors;

	memset(c, 0, sizeof(*c));
	c->file = name;
	ydoc_load(&c->doc, name, text, len, diags);
	return config_check(c, errors, diags);
}

void config_release(struct config *c)
{
	for (size_t i = 0; i < c->envs_nr; i++)
		glob_filter_list_release(&c->envs[i].branch_filters);
	ydoc_release(&c->doc);
	memset(c, 0, sizeof(*c));
}

const struct config_env *config_env_find(const struct config *c, const char *name)
{
	for (size_t i = 0; i < c->envs_nr; i++)
		if (!strcasecmp(c->envs[i].name, name))
			return &c->envs[i];
	return NULL;
}

int config_env_gated(const struct config_env *env)
{
	return env && (env->approval_required || env->wait_minutes > 0);
}

int config_env_may_review(const struct config_env *env, const char *name)
{
	if (!env || !env->reviewers_nr)
		return 1;
	for (size_t i = 0; i < env->reviewers_nr; i++)
		if (!strcasecmp(env->reviewer_names[i], name))
			return 1;
	return 0;
}

int config_env_allows_ref(const struct config_env *env, const char *ref)
{
	static const char *const prefixes[] = { "refs/heads/", "refs/tags/" };
	const char *name = ref;

	if (!env || !env->branches_nr)
		return 1;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(ref, prefixes[i], strlen(prefixes[i])))
			name = ref + strlen(prefixes[i]);
	return glob_filter_list_match(&env->branch_filters, name, strlen(name));
}
