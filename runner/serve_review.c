/*
 * serve_review: reviewers (the server's ENV=NAME:TOKEN, and those the
 * repository's .slipway.yml names on its default branch; only tokens'
 * SHA-256 is kept or read) and approval decisions from the API: the token must belong to a
 * reviewer of that environment, the environment must be waiting in the
 * run, each reviewer decides once, and the decision is written where the
 * run looks for it (approvals/<env>.json) and recorded in the history.
 * Resuming the run afterwards is serve_run.c's.
 */
#include "parser/ydoc.h"
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
		const char *spec = l->items[i], *eq = strchr(spec, '='), *colon;
		struct serve_reviewer *r = &s->reviewers[s->nr_reviewers];

		colon = eq ? strchr(eq + 1, ':') : NULL;
		if (!eq || !colon || colon == eq + 1) {
			/* name it by what comes before any '=' or ':', never by a token */
			strbuf_addf(err, "reviewer '%.*s…' is not ENV=NAME:TOKEN",
				    (int)strcspn(spec, "=:"), spec);
			return -1;
		}
		r->env = xstrndup(spec, (size_t)(eq - spec));
		r->name = xstrndup(eq + 1, (size_t)(colon - eq - 1));
		s->nr_reviewers++;
		if (!rundir_valid_name(r->env)) {
			strbuf_addf(err, "reviewer '%s': '%s' is not an environment name", r->name, r->env);
			return -1;
		}
		if (strlen(colon + 1) < SERVE_TOKEN_MIN) {
			strbuf_addf(err, "reviewer '%s' for '%s': a token needs at least %d characters",
				    r->name, r->env, SERVE_TOKEN_MIN);
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

/*
 * The reviewers of env that .slipway.yml on the repository's default
 * branch declares:
 *     environments:
 *       production:
 *         reviewers:
 *           - name: alice
 *             token-sha256: <64 hex digits: sha256 of alice's token>
 * Read from the default branch, not from a run's commit, so that a branch
 * cannot make its author a reviewer of its own deployment. Appended to
 * out/nr (names malloc'd); entries that are not of that shape are skipped.
 */
static void serve_repo_reviewers(struct serve *s, const char *repo_name, const char *env,
				 struct serve_reviewer **out, size_t *nr)
{
	struct serve_repo *r = repo_name ? serve_repo_find(s, repo_name) : NULL;
	struct strbuf text = STRBUF_INIT, err = STRBUF_INIT;
	struct diag_list diags = DIAG_LIST_INIT;
	const struct ydoc_node *list;
	struct ydoc doc = { 0 };
	size_t alloc = *nr;

	if (!r || gitwatch_read_file(&text, r->path, "HEAD", ".slipway.yml", 1 << 20, &err) != 1)
		goto out;
	if (ydoc_load(&doc, ".slipway.yml", text.buf, text.len, &diags) < 0 || !doc.root) {
		serve_log("repository '%s': .slipway.yml is not valid YAML; its reviewers are ignored",
			  r->name);
		goto out;
	}
	list = ydoc_map_get(doc.root, "environments");
	list = list && list->kind == YDOC_MAPPING ? ydoc_map_get(list, env) : NULL;
	list = list && list->kind == YDOC_MAPPING ? ydoc_map_get(list, "reviewers") : NULL;
	for (size_t i = 0; list && list->kind == YDOC_SEQUENCE && i < list->u.seq.nr; i++) {
		const struct ydoc_node *item = list->u.seq.items[i], *name, *hash;
		struct serve_reviewer *rv;

		name = item->kind == YDOC_MAPPING ? ydoc_map_get(item, "name") : NULL;
		hash = item->kind == YDOC_MAPPING ? ydoc_map_get(item, "token-sha256") : NULL;
		if (!name || name->kind != YDOC_SCALAR || !name->u.scalar.len || !hash ||
		    hash->kind != YDOC_SCALAR || hash->u.scalar.len != 64) {
			serve_log("repository '%s': .slipway.yml:%d: a reviewer needs 'name' and "
				  "'token-sha256' (64 hex digits)", r->name, item->line);
			continue;
		}
		ALLOC_GROW(*out, *nr + 1, alloc);
		rv = &(*out)[*nr];
		if (digest_unhex(rv->token_hash, hash->u.scalar.ptr, 32) < 0)
			continue;
		rv->env = xstrdup(env);
		rv->name = xstrdup(name->u.scalar.ptr);
		++*nr;
	}
out:
	ydoc_release(&doc);
	diag_list_release(&diags);
	strbuf_release(&text);
	strbuf_release(&err);
}

static void serve_reviewer_list_free(struct serve_reviewer *l, size_t nr)
{
	for (size_t i = 0; i < nr; i++) {
		free(l[i].env);
		free(l[i].name);
	}
	free(l);
}

void serve_reviewers_release(struct serve *s)
{
	serve_reviewer_list_free(s->reviewers, s->nr_reviewers);
}

void serve_reviewers_for(struct serve *s, struct strlist *out, const char *repo, const char *env)
{
	struct serve_reviewer *from_repo = NULL;
	size_t nr = 0;

	serve_repo_reviewers(s, repo, env, &from_repo, &nr);
	for (size_t i = 0; i < s->nr_reviewers; i++)
		if (!strcmp(s->reviewers[i].env, env) && strlist_find(out, s->reviewers[i].name) < 0)
			strlist_push(out, s->reviewers[i].name);
	for (size_t i = 0; i < nr; i++)
		if (strlist_find(out, from_repo[i].name) < 0)
			strlist_push(out, from_repo[i].name);
	serve_reviewer_list_free(from_repo, nr);
}

/*
 * The reviewer the token belongs to for env; *other is set to a reviewer
 * it belongs to for another environment. Every entry is compared, in
 * constant time, whatever matches.
 */
static const struct serve_reviewer *serve_reviewer_match(const struct serve_reviewer *l,
							  size_t nr, const char *token,
							  const char *env,
							  const struct serve_reviewer **other)
{
	const struct serve_reviewer *found = NULL;
	unsigned char hash[32];

	digest_sha256(hash, token, strlen(token));
	for (size_t i = 0; i < nr; i++) {
		int same = digest_equal(hash, l[i].token_hash, sizeof(hash));

		if (same && !strcmp(l[i].env, env))
			found = &l[i];
		else if (same)
			*other = &l[i];
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
	struct serve_reviewer *from_repo = NULL;
	size_t nr_repo = 0;
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
	other = NULL;
	serve_repo_reviewers(s, rundir_str(run, "repo"), env, &from_repo, &nr_repo);
	rv = serve_reviewer_match(s->reviewers, s->nr_reviewers, token, env, &other);
	if (!rv)
		rv = serve_reviewer_match(from_repo, nr_repo, token, env, &other);
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
	serve_reviewer_list_free(from_repo, nr_repo);
	strbuf_release(&err);
	arena_release(&a);
	return status;
}
