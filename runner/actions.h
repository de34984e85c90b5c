/*
 * actions: where the action a `uses:` names lives and its action.yml —
 * local (`./path` in the workspace), remote (`owner/repo[/path]@ref` from
 * the action cache, fetched with libgit2 from a base URL, or a checkout
 * given with --action-path). Built-in stages are stages/'s; running an
 * action is runner/job_uses.c's.
 */
#ifndef RUNNER_ACTIONS_H
#define RUNNER_ACTIONS_H

#include "parser/action.h"
#include "parser/uses.h"
#include "util/strbuf.h"
#include "util/strlist.h"

#define ACTIONS_DEFAULT_BASE_URL "https://github.com"

/* How remote actions are found (strings borrowed for the run). */
struct actions_opts {
	const char *cache_dir;          /* <cache>/actions: <owner>/<repo>/<ref>/ trees */
	const char *base_url;           /* repositories are <base_url>/<owner>/<repo> */
	int offline;                    /* --offline: never fetch, the cache or nothing */
	/* --action-path: "owner/repo@ref=DIR" or "owner/repo=DIR" (any ref) */
	const struct strlist *overrides;
	const struct strlist *no_builtin;       /* --no-builtin NAME */
	/*
	 * Messages of fetches that failed earlier in the run ("owner/repo@ref"
	 * then a tab and the message), so that the step using the action says
	 * why it is missing. May be NULL.
	 */
	struct strlist *failures;
};

/* An action's metadata and where it is. Release with actions_src_release. */
struct action_src {
	struct action act;
	char *dir;                      /* the directory holding action.yml (host view) */
	char *step_dir;                 /* the same as the job's steps see it (its user sets it) */
	char *repository;               /* "owner/repo", or "" for a local action */
	char *ref;                      /* the ref, or "" */
};

/*
 * The directory of the repository tree the remote reference u (its
 * owner, repo and ref; not its path) resolves to: an --action-path
 * override, else the cache entry. Returns 0 when it exists, 1 when the
 * cache has no such entry (out is where it would be), -1 with err for an
 * override that is no directory.
 */
int actions_repo_dir(struct strbuf *out, const struct actions_opts *o, const struct wf_uses *u,
		     struct strbuf *err);

/*
 * Make sure the repository tree of remote reference u is in the cache:
 * nothing to do for overrides and cached tags and commits; a branch is
 * fetched again when online (falling back to the cached tree with a
 * warning appended to warn when the fetch fails). Blocking (network);
 * call it before the run's loop starts. Returns 0, or -1 with err naming
 * the action and the remedy (--offline cache miss, fetch failure).
 */
int actions_fetch(const struct actions_opts *o, const struct wf_uses *u, struct strbuf *warn,
		  struct strbuf *err);

/*
 * Load the action at reference u (text: the `uses:` value, for
 * messages): `./path` under workspace, a remote one from its repository
 * directory. Returns 0, or -1 with err ("action 'x' has no action.yml
 * ...", the file's diagnostics, the cache miss with its remedy).
 */
int actions_load(struct action_src *out, const struct actions_opts *o, const struct wf_uses *u,
		 const char *text, const char *workspace, struct strbuf *err);
void actions_src_release(struct action_src *s);

/*
 * Fetch every remote action a list of steps uses, and those of the
 * composite actions they use (local ones read under workspace), once
 * each, skipping built-in stages. Failures are recorded in o->failures
 * (the steps then fail saying why) and printed to warn. Blocking.
 */
struct wf_step;
void actions_prefetch(const struct actions_opts *o, const struct wf_step *steps, size_t nr,
		      const char *workspace, struct strlist *seen, struct strbuf *warn);

#endif
