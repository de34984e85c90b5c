/*
 * config: `.slipway.yml` at the repository root — environments and their
 * protection rules, platforms, registry, Docker socket — loaded and
 * validated with file:line:col errors. Applying the rules is
 * runner/approval.c's job.
 */
#ifndef RUNNER_CONFIG_H
#define RUNNER_CONFIG_H

#include <stddef.h>

#include "parser/ydoc.h"
#include "util/diag.h"
#include "util/glob.h"

#define CONFIG_FILE ".slipway.yml"

/* One `environments.<name>` entry. Pointers live in the config's arena. */
struct config_env {
	const char *name;
	const struct ydoc_node *key, *node;
	/* as written (NULL when absent) */
	const struct ydoc_node *approval, *reviewers, *wait_timer, *branches;
	const struct ydoc_node *secrets_file, *vars_file, *vars, *url;
	/* decoded */
	int approval_required;          /* `approval: required` or any reviewer */
	const char **reviewer_names;    /* `reviewers:`, in order */
	size_t reviewers_nr;
	double wait_minutes;            /* `wait-timer`, 0 when none */
	struct glob_filter_list branch_filters;  /* empty: every ref may deploy */
	size_t branches_nr;
};

struct config {
	struct ydoc doc;                /* owns every node and string */
	const char *file;               /* NULL when there is no file */
	const struct ydoc_node *environments, *platforms, *registry, *docker_socket;
	const struct ydoc_node *action_base_url;        /* where remote actions are fetched */
	struct config_env *envs;
	size_t envs_nr;
};

/*
 * Load the config at path; a missing file is an empty config (0). Every
 * problem — YAML, unknown keys (with a "did you mean"), wrong types,
 * invalid branch patterns, negative wait timers — goes to diags as
 * file:line:col. Returns 0, or -1 when an error was added. Release with
 * config_release either way.
 */
int config_load(struct config *c, const char *path, struct diag_list *diags);
/* The same over text read from elsewhere (a commit's blob); name is its file name in diags. */
int config_load_text(struct config *c, const char *name, const char *text, size_t len,
		     struct diag_list *diags);
void config_release(struct config *c);

/* The environment called name (case-insensitive, as on GitHub), or NULL. */
const struct config_env *config_env_find(const struct config *c, const char *name);

/*
 * Does env need anything before its jobs may run (approval, a wait
 * timer)? An environment with no rules runs freely, as on GitHub.
 */
int config_env_gated(const struct config_env *env);

/* May ref (e.g. "refs/heads/main") deploy to env? Patterns match the short name. */
int config_env_allows_ref(const struct config_env *env, const char *ref);

/*
 * May name decide for env? Yes when env lists no `reviewers:` (anyone with
 * access to the state directory may), else when name is one of them
 * (case-insensitively, as GitHub's user names).
 */
int config_env_may_review(const struct config_env *env, const char *name);

#endif
