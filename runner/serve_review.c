/*
 * serve_review: reviewers and approval decisions from the API. A reviewer
 * is a name with a token (the server's --reviewer, of which only the
 * token's SHA-256 is kept): ENV=NAME:TOKEN lets NAME decide for ENV;
 * NAME:TOKEN lets NAME decide wherever the repository's .slipway.yml
 * names them (environments.<env>.reviewers, read from the default
 * branch). A decision needs the environment to be waiting in the run and
 * each reviewer decides once; it is written where the run looks for it
 * (approvals/<env>.json) and recorded. Resuming is serve_run.c's.
 */
#include "runner/config.h"
#include "runner/gitwatch.h"
#include "runner/rundir.h"
#include "runner/serve.h"
#include "util/digest.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

#define SERVE_TOKEN_MIN 8

int serve_reviewers_init(struct serve *s, struct strbuf *err)
{
	const struct strlist *l = s->cfg.reviewers;

	s->reviewers = xcalloc(l->nr ? l->nr : 1, sizeof(*s->reviewers));
	for (size_t i = 0; i < l->nr; i++) {
		const char *spec = l->items[i], *colon = strchr(spec, ':'), *eq, *name;
		struct serve_reviewer *r = &s->reviewers[s->nr_reviewers];

		eq = colon ? memchr(spec, '=', (size_t)(colon - spec)) : NULL;
		name = eq ? eq + 1 : spec;
		if (!colon || colon == name) {
			/* name it by what comes before any '=' or ':', never by a token */
			strbuf_addf(err, "reviewer '%.*s…' is not [ENV=]NAME:TOKEN",
				    (int)strcspn(spec, "=:"), spec);
			return -1;
		}
		r->env = eq ? xstrndup(spec, (size_t)(eq - spec)) : NULL;
		r->name = xstrndup(name, (size_t)(colon - name));
		s->nr_reviewers++;
		if (r->env && !rundir_valid_name(r->env)) {
			strbuf_addf(err, "reviewer '%s': '%s' is not an environment name", r->name, r->env);
			return -1;
		}
		if (strlen(colon + 1) < SERVE_TOKEN_MIN) {
			strbuf_addf(err, "reviewer '%s': a token needs at least %d characters", r->name,
				    SERVE_TOKEN_MIN);
			return -1;
		}
		digest_sha256(r->token_hash, colon + 1, strlen(colon + 1));
		for (size_t k = 0; k < s->nr_reviewers - 1; k++)
			if (digest_equal(s->reviewers[k].token_hash, r->token_hash, 32) &&
			    strcmp(s->reviewers[k].name, r->name)) {
				strbuf_addf(err, "reviewers '%s' and '%s' share a token",
					    s->reviewers[k].name, r->name);
				return -1;
			}
	}
	return 0;
}

void serve_reviewers_release(struct serve *s)
{
	for (size_t i = 0; i < s->nr_reviewers; i++) {
		free(s->reviewers[i].env);
		free(s->reviewers[i].name);
	}
	free(s->reviewers);
}

/*
 * The names .slipway.yml on the repository's default branch gives as
 * env's reviewers (environments.<env>.reviewers: [alice, bob], the
 * runner's format), appended to out. The default branch, not the run's
 * commit: a branch cannot make its author a reviewer of its own
 * deployment. A missing or unreadable file names nobody.
 */
static void serve_repo_reviewers(struct serve *s, struct strlist *out, const char *repo_name,
				 const char *env)
{
	struct serve_repo *r = repo_name ? serve_repo_find(s, repo_name) : NULL;
	struct strbuf text = STRBUF_INIT, err = STRBUF_INIT;
	struct diag_list diags = DIAG_LIST_INIT;
	const struct config_env *e;
	struct config c;

	if (!r || gitwatch_read_file(&text, r->path, "HEAD", CONFIG_FILE, 1 << 20, &err) != 1)
		goto out;
	if (config_load_text(&c, CONFIG_FILE, text.buf, text.len, &diags) < 0) {
		serve_log("repository '%s': %s is not valid; its reviewers are ignored", r->name,
			  CONFIG_FILE);
	} else if ((e = config_env_find(&c, env))) {
		for (size_t i = 0; i < e->reviewers_nr; i++)
			if (strlist_find(out, e->reviewer_names[i]) < 0)
				strlist_push(out, e->reviewer_names[i]);
	}
	config_release(&c);
out:
	diag_list_release(&diags);
	strbuf_release(&text);
	strbuf_release(&err);
}

void serve_reviewers_for(struct serve *s, struct strlist *out, const char *repo, const char *env)
{
	for (size_t i = 0; i < s->nr_reviewers; i++)
		if (s->reviewers[i].env && !strcmp(s->reviewers[i].env, env) &&
		    strlist_find(out, s->reviewers[i].name) < 0)
			strlist_push(out, s->reviewers[i].name);
	serve_repo_reviewers(s, out, repo, env);
}

/*
 * The reviewer the token belongs to who may decide for env (the server
 * says so, or .slipway.yml names them: repo_names); *other is set to a
 * reviewer the token belongs to who may not. Every entry is compared,
 * in constant time, whatever matches.
 */
static const struct serve_reviewer *serve_reviewer_match(struct serve *s, const char *token,
							  const char *env,
							  const struct strlist *repo_names,
							  const struct serve_reviewer **other)
{
	const struct serve_reviewer *found = NULL;
	unsigned char hash[32];

	*other = NULL;
	digest_sha256(hash, token, strlen(token));
	for (size_t i = 0; i < s->nr_reviewers; i++) {
		const struct serve_reviewer *r = &s->reviewers[i];
		int same = digest_equal(hash, r->token_hash, sizeof(hash));

		if (same && (r->env ? !strcmp(r->env, env) : strlist_find(repo_names, r->name) >= 0))
			found = r;
		else if (same)
			*other = r;
	}
	return found;
}

/* Is env among the run's environments waiting for approval? */
static int serve_env_waiting(struct val run, const char *env)
{
	struct val *waiting = val_object_getstr(run, "waiting");

	for (size_t i = 0; waiting && i < waiting->u.array->nr; i++) {
		const char *e = rundir_str(waiting->u.array->items[i], "environment");

		if (e && !strcmp(e, env))
			return 1;
	}
	return 0;
}

/* Has reviewer already decided env in this run? (msg says so) */
static int serve_already_decided(struct val run, const char *env, const char *reviewer,
				 struct strbuf *msg)
{
	struct val *approvals = val_object_getstr(run, "approvals");

	for (size_t i = 0; approvals && i < approvals->u.array->nr; i++) {
		struct val ap = approvals->u.array->items[i];
		const char *e = rundir_str(ap, "environment"), *by = rundir_str(ap, "by");

		if (e && by && !strcmp(e, env) && !strcmp(by, reviewer)) {
			strbuf_addf(msg, "reviewer '%s' already %s environment '%s' in run '%s'",
				    reviewer, rundir_str(ap, "decision"), env, rundir_str(run, "id"));
			return 1;
		}
	}
	return 0;
}

int serve_decide(struct serve *s, const char *id, const char *env, const char *decision,
		 const char *token, const char *comment, struct strbuf *msg)
{
	const struct serve_reviewer *rv, *other;
	struct strlist repo_names = STRLIST_INIT;
	struct strbuf err = STRBUF_INIT;
	struct arena a = ARENA_INIT;
	char at[RUNDIR_ISO_LEN];
	struct val run;
	int status, rc;

	if (!token || !*token) {
		strbuf_addstr(msg, "a decision needs a reviewer token (Authorization: Bearer TOKEN)");
		status = 401;
		goto out;
	}
	rc = history_run_detail(&run, &a, s->h, id, &err);
	if (rc != 1) {
		strbuf_addf(msg, rc < 0 ? "%s" : "no run '%s'", rc < 0 ? err.buf : id);
		status = rc < 0 ? 500 : 404;
		goto out;
	}
	serve_repo_reviewers(s, &repo_names, rundir_str(run, "repo"), env);
	rv = serve_reviewer_match(s, token, env, &repo_names, &other);
	if (!rv) {
		if (other)
			strbuf_addf(msg, "reviewer '%s' may not decide for environment '%s'",
				    other->name, env);
		else
			strbuf_addf(msg, "the token is not a reviewer's for environment '%s'", env);
		status = 403;
		goto out;
	}
	if (serve_already_decided(run, env, rv->name, msg)) {
		status = 409;
		goto out;
	}
	if (!serve_env_waiting(run, env)) {
		strbuf_addf(msg, "run '%s' is not waiting for environment '%s'", id, env);
		status = 409;
		goto out;
	}
	rc = rundir_write_decision(s->cfg.state, id, env, decision, rv->name, comment, &err);
	if (rc < 0) {
		strbuf_addstr(msg, err.buf);
		status = rc == -2 ? 409 : 500;
		goto out;
	}
	rundir_now_iso(at);
	if (history_approval_add(s->h, id, env, decision, rv->name, at, comment, &err) < 0 ||
	    history_ingest(s->h, s->cfg.state, id, &err) < 0 || serve_resume(s, id, &err) < 0)
		serve_log("run %s: %s", id, err.buf);
	serve_log("run %s: environment '%s' %s by '%s'", id, env, decision, rv->name);
	strbuf_addf(msg, "%s", rv->name);
	status = 200;
out:
	strlist_release(&repo_names);
	strbuf_release(&err);
	arena_release(&a);
	return status;
}
