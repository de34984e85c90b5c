/*
 * wf_reusable: loads the workflows that jobs call (a job's `uses:`) —
 * './' files under the caller's root, others through the caller's
 * resolver — once each, to a bounded depth and without cycles, and checks
 * every call as GitHub does before a run: the callee is callable
 * (on: workflow_call), `with:` and `secrets:` name what it declares (with
 * values of the declared type), required inputs and secrets are given,
 * and the permissions callees ask for stay within what callers grant.
 * Fetching is the resolver's business; expanding calls into the job graph
 * is the planner's.
 */
#include "parser/wf_phases.h"
#include "util/strbuf.h"
#include "util/strmap.h"
#include "util/suggest.h"
#include "util/xalloc.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define RW_RULE "workflow-call"

/* One loaded workflow of the tree below the top. */
struct wf_call_entry {
	char *key;                      /* the reference it was loaded for, the registry key */
	char *name;                     /* its file name in messages */
	struct wf_workflow wf;
	/* Where './' references inside it point: a remote repository at a ref, or NULL. */
	char *owner, *repo, *ref;
	int loading;                    /* its calls are being loaded: a cycle if called now */
	int height;                     /* levels of workflows from it down, itself included */
	size_t jobs;                    /* its jobs and those of what it calls (0: not counted) */
	uint64_t *grants;               /* permission grants its calls were checked under */
	size_t grants_nr, grants_alloc;
};

struct wf_calls {
	const struct wf_load_options *opts;     /* during the load only */
	struct wf_call_entry **entries;
	size_t nr, alloc;
	struct strmap by_key;
	/* The workflows whose calls are being loaded, outermost first (NULL: the top). */
	struct wf_call_entry **chain;
	size_t depth, chain_alloc;
	int max_depth;
};

struct wf_calls *wf_calls_new(const struct wf_load_options *opts)
{
	struct wf_calls *calls = xcalloc(1, sizeof(*calls));

	calls->opts = opts;
	calls->max_depth = opts->max_depth > 0 ? opts->max_depth : WF_MAX_CALL_DEPTH;
	strmap_init(&calls->by_key, 0);
	return calls;
}

void wf_calls_free(struct wf_calls *calls)
{
	if (!calls)
		return;
	for (size_t i = 0; i < calls->nr; i++) {
		struct wf_call_entry *e = calls->entries[i];

		wf_release(&e->wf);
		free(e->key);
		free(e->name);
		free(e->owner);
		free(e->repo);
		free(e->ref);
		free(e->grants);
		free(e);
	}
	free(calls->entries);
	free(calls->chain);
	strmap_release(&calls->by_key);
	free(calls);
}

static struct wf_call_entry *rw_entry_of(const struct wf_workflow *wf)
{
	return (struct wf_call_entry *)((char *)wf - offsetof(struct wf_call_entry, wf));
}

/* The workflow whose calls are being loaded: NULL for the top. */
static struct wf_call_entry *rw_current(const struct wf_calls *calls)
{
	return calls->depth ? calls->chain[calls->depth - 1] : NULL;
}

/* ---------------------------------------------------------------- finding the text */

/* "caller -> ... -> name": the chain of calls that reaches name again. */
static void rw_describe_cycle(struct strbuf *out, const struct wf_calls *calls,
			      const struct wf_call_entry *again)
{
	size_t from = 0;

	while (from < calls->depth && calls->chain[from] != again)
		from++;
	for (size_t i = from; i < calls->depth; i++)
		strbuf_addf(out, "'%s' -> ", calls->chain[i]->name);
	strbuf_addf(out, "'%s'", again->name);
}

/*
 * The reference job's `uses:` stands for, into ref and uses: as written,
 * but a './' one in a workflow of another repository names a file of
 * that repository at that workflow's ref.
 */
static void rw_reference(const struct wf_calls *calls, const struct wf_job *job,
			 struct strbuf *ref, struct wf_uses *uses)
{
	const struct wf_call_entry *cur = rw_current(calls);

	*uses = job->uses;
	if (uses->kind != WF_USES_LOCAL || !cur || !cur->owner) {
		strbuf_addstr(ref, job->uses_node->u.scalar.ptr);
		return;
	}
	strbuf_addf(ref, "%s/%s/%s@%s", cur->owner, cur->repo, uses->path, cur->ref);
	uses->kind = WF_USES_REMOTE;
	uses->owner = cur->owner;
	uses->repo = cur->repo;
	uses->ref = cur->ref;
}

/*
 * The text of ref: 1 with name and text filled, 0 when it is not to be
 * loaded (nobody can resolve it), -1 after reporting why it cannot be.
 */
static int rw_fetch(const struct wf_calls *calls, const struct wf_job *job, const char *ref,
		    const struct wf_uses *uses, struct strbuf *name, struct strbuf *text,
		    struct diag_list *diags)
{
	const struct wf_load_options *opts = calls->opts;
	struct strbuf err = STRBUF_INIT;
	int rc = 1;

	if (opts->resolver)
		rc = opts->resolver->resolve(opts->resolver->data, ref, uses, name, text, &err);
	if (rc == 0 && !name->len)
		strbuf_addstr(name, ref);
	if (rc == 1 && uses->kind == WF_USES_LOCAL && opts->root) {
		strbuf_reset(name);
		if (strcmp(opts->root, "."))
			strbuf_addf(name, "%s/", opts->root);
		strbuf_addstr(name, uses->path);
		rc = 0;
		if (strbuf_read_file(text, name->buf, (opts->limits ? opts->limits :
						       &ydoc_default_limits)->max_size + 1) < 0) {
			strbuf_add_strerror(&err, errno);
			rc = -1;
		}
	}
	if (rc < 0)
		wf_error(diags, job->uses_node, RW_RULE, "cannot read reusable workflow '%s': %s",
			 ref, err.buf);
	strbuf_release(&err);
	return rc < 0 ? -1 : rc == 0;
}

/* ---------------------------------------------------------------- checking a call */

static const char *const rw_type_names[] = {
	[WF_INPUT_STRING] = "string",
	[WF_INPUT_BOOLEAN] = "boolean",
	[WF_INPUT_NUMBER] = "number",
	[WF_INPUT_CHOICE] = "choice",
	[WF_INPUT_ENVIRONMENT] = "environment",
};

/* Only booleans fit a boolean input and numbers a number input; anything fits a string. */
static int rw_value_fits(enum wf_input_type type, const struct ydoc_node *v)
{
	if (v->kind != YDOC_SCALAR || wf_is_expression(v))
		return v->kind == YDOC_SCALAR;
	switch (type) {
	case WF_INPUT_BOOLEAN:
		return ydoc_scalar_kind(v) == VAL_BOOL;
	case WF_INPUT_NUMBER:
		return ydoc_scalar_kind(v) == VAL_NUMBER;
	default:
		return 1;
	}
}

/* A declared name that is not given: the names of a call's keys, case-insensitively. */
static int rw_given(const struct ydoc_node *map, const char *name)
{
	if (!map || map->kind != YDOC_MAPPING)
		return 0;
	for (size_t i = 0; i < map->u.map.nr; i++)
		if (map->u.map.pairs[i].key->kind == YDOC_SCALAR &&
		    !strcasecmp(map->u.map.pairs[i].key->u.scalar.ptr, name))
			return 1;
	return 0;
}

/* "; did you mean 'x'?" or " (it declares no <what>)" for an unknown name. */
static void rw_hint(struct strbuf *out, const char *name, const char **declared, size_t nr,
		    const char *what)
{
	const char *near;

	if (!nr) {
		strbuf_addf(out, " (it declares no %s)", what);
		return;
	}
	declared[nr] = NULL;
	near = suggest_nearest(name, declared);
	if (near)
		strbuf_addf(out, "; did you mean '%s'?", near);
}

static void rw_check_inputs(const struct wf_job *job, const struct wf_event *call,
			    const char *ref, struct diag_list *diags)
{
	const struct ydoc_node *with = job->with;
	const char **names = xmalloc((call->inputs_nr + 1) * sizeof(*names));
	struct strbuf hint = STRBUF_INIT;

	for (size_t i = 0; i < call->inputs_nr; i++)
		names[i] = call->inputs[i].name;
	for (size_t i = 0; with && with->kind == YDOC_MAPPING && i < with->u.map.nr; i++) {
		const struct ydoc_pair *p = &with->u.map.pairs[i];
		const struct wf_input *in = NULL;

		if (p->key->kind != YDOC_SCALAR)
			continue;
		for (size_t k = 0; k < call->inputs_nr && !in; k++)
			if (!strcasecmp(call->inputs[k].name, p->key->u.scalar.ptr))
				in = &call->inputs[k];
		if (!in) {
			strbuf_reset(&hint);
			rw_hint(&hint, p->key->u.scalar.ptr, names, call->inputs_nr, "inputs");
			wf_error(diags, p->key, RW_RULE,
				 "input '%s' is not defined in reusable workflow '%s'%s",
				 p->key->u.scalar.ptr, ref, hint.buf);
		} else if (!rw_value_fits(in->type, p->value)) {
			wf_error(diags, p->value, RW_RULE,
				 "input '%s' of reusable workflow '%s' is a %s, got %s%s%s",
				 in->name, ref, rw_type_names[in->type],
				 p->value->kind == YDOC_SCALAR ? "'" : "a ",
				 p->value->kind == YDOC_SCALAR ? p->value->u.scalar.ptr :
				 p->value->kind == YDOC_SEQUENCE ? "sequence" : "mapping",
				 p->value->kind == YDOC_SCALAR ? "'" : "");
		}
	}
	for (size_t i = 0; (!with || with->kind == YDOC_MAPPING) && i < call->inputs_nr; i++)
		if (call->inputs[i].required && !rw_given(with, call->inputs[i].name))
			wf_error(diags, job->uses_node, RW_RULE,
				 "reusable workflow '%s' requires input '%s', which 'with' does "
				 "not give", ref, call->inputs[i].name);
	strbuf_release(&hint);
	free(names);
}

static void rw_check_secrets(const struct wf_job *job, const struct wf_event *call,
			     const char *ref, struct diag_list *diags)
{
	const struct ydoc_node *given = job->secrets;
	const char **names = xmalloc((call->secrets_nr + 1) * sizeof(*names));
	struct strbuf hint = STRBUF_INIT;

	/* inherit passes them all; a value the schema refused says nothing. */
	if (job->secrets_inherit || (given && given->kind != YDOC_MAPPING))
		goto out;
	for (size_t i = 0; i < call->secrets_nr; i++)
		names[i] = call->secrets[i].name;
	for (size_t i = 0; given && given->kind == YDOC_MAPPING && i < given->u.map.nr; i++) {
		const struct ydoc_node *key = given->u.map.pairs[i].key;
		int known = 0;

		if (key->kind != YDOC_SCALAR)
			continue;
		for (size_t k = 0; k < call->secrets_nr && !known; k++)
			known = !strcasecmp(call->secrets[k].name, key->u.scalar.ptr);
		if (known)
			continue;
		strbuf_reset(&hint);
		rw_hint(&hint, key->u.scalar.ptr, names, call->secrets_nr, "secrets");
		wf_error(diags, key, RW_RULE, "secret '%s' is not defined in reusable workflow '%s'%s",
			 key->u.scalar.ptr, ref, hint.buf);
	}
	for (size_t i = 0; i < call->secrets_nr; i++)
		if (call->secrets[i].required && !rw_given(given, call->secrets[i].name))
			wf_error(diags, job->uses_node, RW_RULE,
				 "reusable workflow '%s' requires secret '%s', which 'secrets' does "
				 "not give", ref, call->secrets[i].name);
out:
	strbuf_release(&hint);
	free(names);
}

/* What GitHub checks of a call against the workflow it calls. */
static void rw_check_call(const struct wf_job *job, const struct wf_workflow *callee,
			  struct diag_list *diags)
{
	const char *ref = job->uses_node->u.scalar.ptr;
	const struct wf_event *call = wf_event_find(callee, "workflow_call");

	if (!callee->doc.root)
		return;
	if (!call) {
		wf_error(diags, job->uses_node, RW_RULE, "reusable workflow '%s' cannot be called: "
			 "its 'on' has no 'workflow_call'", ref);
		return;
	}
	rw_check_inputs(job, call, ref, diags);
	rw_check_secrets(job, call, ref, diags);
}

/* ---------------------------------------------------------------- loading */

static void rw_set_origin(struct wf_call_entry *e, const struct wf_job *job,
			  const struct wf_call_entry *cur)
{
	if (job->uses.kind == WF_USES_REMOTE) {
		e->owner = xstrdup(job->uses.owner);
		e->repo = xstrdup(job->uses.repo);
		e->ref = xstrdup(job->uses.ref);
	} else if (cur && cur->owner) {
		e->owner = xstrdup(cur->owner);
		e->repo = xstrdup(cur->repo);
		e->ref = xstrdup(cur->ref);
	}
}

/* Load name (its text in text) as the workflow ref stands for, with everything it calls. */
static struct wf_call_entry *rw_load(struct wf_calls *calls, const struct wf_job *job,
				     const char *ref, const char *name, const struct strbuf *text,
				     struct diag_list *later)
{
	struct wf_call_entry *e = xcalloc(1, sizeof(*e));
	struct diag_list own = DIAG_LIST_INIT;
	size_t errors;

	e->key = xstrdup(ref);
	e->name = xstrdup(name);
	rw_set_origin(e, job, rw_current(calls));
	ALLOC_GROW(calls->entries, calls->nr + 1, calls->alloc);
	calls->entries[calls->nr++] = e;
	strmap_put(&calls->by_key, e->key, e);
	ydoc_load_limits(&e->wf.doc, name, text->buf, text->len, calls->opts->limits, &own);
	errors = own.errors;
	e->loading = 1;
	ALLOC_GROW(calls->chain, calls->depth + 1, calls->chain_alloc);
	calls->chain[calls->depth++] = e;
	wf_check(&e->wf, calls, &own, 0, errors);
	calls->depth--;
	e->loading = 0;
	e->height = 1;
	for (size_t j = 0; j < e->wf.jobs_nr; j++) {
		const struct wf_workflow *c = e->wf.jobs[j].callee;

		if (c && rw_entry_of(c)->height + 1 > e->height)
			e->height = rw_entry_of(c)->height + 1;
	}
	diag_list_move(later, &own);
	return e;
}

/* Load what job calls (once per reference) and check the call. */
static void rw_load_call(struct wf_calls *calls, struct wf_job *job, struct diag_list *diags,
			 struct diag_list *later)
{
	struct strbuf ref = STRBUF_INIT, name = STRBUF_INIT, text = STRBUF_INIT;
	struct strbuf chain = STRBUF_INIT;
	struct strmap_entry *known;
	struct wf_call_entry *e;
	struct wf_uses uses;
	int level = (int)calls->depth + 1;

	if (!job->is_call || !job->uses.path)
		return;
	if (job->uses.kind == WF_USES_LOCAL && strchr(job->uses.path, '@')) {
		wf_error(diags, job->uses_node, RW_RULE, "invalid reusable workflow reference '%s': "
			 "a './' reference names a file of this repository and takes no '@ref'",
			 job->uses_node->u.scalar.ptr);
		return;
	}
	rw_reference(calls, job, &ref, &uses);
	known = strmap_get(&calls->by_key, ref.buf);
	e = known ? known->value : NULL;
	if (e && e->loading) {
		rw_describe_cycle(&chain, calls, e);
		wf_error(diags, job->uses_node, RW_RULE,
			 "reusable workflow '%s' calls itself: %s", job->uses_node->u.scalar.ptr,
			 chain.buf);
		goto out;
	}
	if (level + (e ? e->height - 1 : 0) > calls->max_depth) {
		wf_error(diags, job->uses_node, RW_RULE,
			 "calling reusable workflow '%s' here nests workflows more than %d levels "
			 "deep (the most GitHub allows)", job->uses_node->u.scalar.ptr,
			 calls->max_depth);
		goto out;
	}
	if (!e && rw_fetch(calls, job, ref.buf, &uses, &name, &text, diags) <= 0)
		goto out;
	e = e ? e : rw_load(calls, job, ref.buf, name.buf, &text, later);
	if (!e->wf.doc.root)
		goto out;
	job->callee = &e->wf;
	rw_check_call(job, job->callee, diags);
out:
	strbuf_release(&ref);
	strbuf_release(&name);
	strbuf_release(&text);
	strbuf_release(&chain);
}

/* ---------------------------------------------------------------- permissions */

enum rw_level {
	RW_NONE,
	RW_READ,
	RW_WRITE,
};

/* The scopes, in the order GitHub lists them in its messages. */
static const char *const rw_scopes[] = {
	"actions", "checks", "contents", "deployments", "discussions", "issues", "packages",
	"pages", "pull-requests", "repository-projects", "statuses", "security-events",
	"id-token", "attestations", "artifact-metadata", "code-quality", "copilot-requests",
	"drives", "models", "vulnerability-alerts",
};

#define RW_SCOPES (sizeof(rw_scopes) / sizeof(rw_scopes[0]))

static const char *const rw_level_names[] = { "none", "read", "write" };

/* Sets of permissions are uint64_t: two bits per scope, in rw_scopes' order. */
#define RW_UNKNOWN UINT64_MAX

static enum rw_level rw_get(uint64_t p, size_t scope)
{
	return (enum rw_level)((p >> (2 * scope)) & 3);
}

static uint64_t rw_all(enum rw_level level)
{
	uint64_t p = 0;

	for (size_t i = 0; i < RW_SCOPES; i++)
		p |= (uint64_t)level << (2 * i);
	return p;
}

static int rw_level_of(const char *s, enum rw_level *out)
{
	for (size_t i = 0; i < sizeof(rw_level_names) / sizeof(rw_level_names[0]); i++) {
		if (!strcmp(s, rw_level_names[i])) {
			*out = (enum rw_level)i;
			return 1;
		}
	}
	return 0;
}

/* A `permissions:` value as a set, or RW_UNKNOWN when absent or not understood. */
static uint64_t rw_decode(const struct ydoc_node *n)
{
	uint64_t p = 0;

	if (ydoc_scalar_is(n, "read-all"))
		return rw_all(RW_READ);
	if (ydoc_scalar_is(n, "write-all"))
		return rw_all(RW_WRITE);
	if (!n || n->kind != YDOC_MAPPING)
		return RW_UNKNOWN;
	for (size_t i = 0; i < n->u.map.nr; i++) {
		const struct ydoc_pair *pair = &n->u.map.pairs[i];
		const char *level = wf_static_string(pair->value);
		enum rw_level l;

		for (size_t s = 0; s < RW_SCOPES; s++)
			if (ydoc_scalar_is(pair->key, rw_scopes[s]) && level && rw_level_of(level, &l))
				p |= (uint64_t)l << (2 * s);
	}
	return p;
}

static uint64_t rw_policy(enum wf_permissions_policy policy)
{
	static const size_t limited[] = { 2 /* contents */, 6 /* packages */ };
	uint64_t p = 0;

	switch (policy) {
	case WF_POLICY_LIMITED_READ:
		for (size_t i = 0; i < sizeof(limited) / sizeof(limited[0]); i++)
			p |= (uint64_t)RW_READ << (2 * limited[i]);
		return p;
	case WF_POLICY_WRITE:
		return rw_all(RW_WRITE);
	default:
		return RW_UNKNOWN;
	}
}

/* 1 and "scope: level, ..." of what want asks beyond have (and what have gives there). */
static int rw_excess(uint64_t want, uint64_t have, struct strbuf *asked, struct strbuf *given)
{
	for (size_t s = 0; s < RW_SCOPES; s++) {
		if (rw_get(want, s) <= rw_get(have, s))
			continue;
		strbuf_addf(asked, "%s%s: %s", asked->len ? ", " : "", rw_scopes[s],
			    rw_level_names[rw_get(want, s)]);
		strbuf_addf(given, "%s%s: %s", given->len ? ", " : "", rw_scopes[s],
			    rw_level_names[rw_get(have, s)]);
	}
	return asked->len > 0;
}

/* The job's display name: its static `name:`, else its id. */
static const char *rw_job_name(const struct wf_job *job)
{
	const char *name = wf_static_string(job->name);

	return name && *name ? name : job->id;
}

/* 1 when the calls of e's workflow were already checked under grant (and remember it). */
static int rw_checked(struct wf_call_entry *e, uint64_t grant)
{
	for (size_t i = 0; i < e->grants_nr; i++)
		if (e->grants[i] == grant)
			return 1;
	ALLOC_GROW(e->grants, e->grants_nr + 1, e->grants_alloc);
	e->grants[e->grants_nr++] = grant;
	return 0;
}

/*
 * The calls of wf (top: the workflow loaded), whose jobs have grant unless
 * wf or they name their own permissions: what each callee asks for (its
 * own `permissions:` and its jobs') must be granted. Errors about wf's
 * calls go to out. A callee is checked once per grant.
 */
static void rw_check_grants(const struct wf_workflow *wf, int top, uint64_t grant,
			    struct diag_list *out, struct diag_list *later)
{
	uint64_t wf_perms = rw_decode(wf->permissions);

	if (wf_perms != RW_UNKNOWN)
		grant = wf_perms;
	if (!top && rw_checked(rw_entry_of(wf), grant))
		return;
	for (size_t j = 0; j < wf->jobs_nr; j++) {
		const struct wf_job *job = &wf->jobs[j];
		const struct wf_workflow *callee = job->callee;
		uint64_t allowed = rw_decode(job->permissions), asks;
		struct strbuf asked = STRBUF_INIT, given = STRBUF_INIT;
		const char *ref;

		if (!callee)
			continue;
		ref = job->uses_node->u.scalar.ptr;
		if (allowed == RW_UNKNOWN)
			allowed = grant;
		if (allowed != RW_UNKNOWN &&
		    (asks = rw_decode(callee->permissions)) != RW_UNKNOWN &&
		    rw_excess(asks, allowed, &asked, &given))
			wf_error(out, job->key, RW_RULE, "reusable workflow '%s' asks for '%s', but "
				 "job '%s' grants only '%s'", ref, asked.buf, job->id, given.buf);
		for (size_t k = 0; allowed != RW_UNKNOWN && k < callee->jobs_nr; k++) {
			const struct wf_job *nested = &callee->jobs[k];

			strbuf_reset(&asked);
			strbuf_reset(&given);
			if ((asks = rw_decode(nested->permissions)) != RW_UNKNOWN &&
			    rw_excess(asks, allowed, &asked, &given))
				wf_error(out, job->key, RW_RULE, "job '%s' of reusable workflow '%s' "
					 "asks for '%s', but job '%s' grants only '%s'",
					 rw_job_name(nested), ref, asked.buf, job->id, given.buf);
		}
		strbuf_release(&asked);
		strbuf_release(&given);
		rw_check_grants(callee, 0, allowed, later, later);
	}
}

/* ---------------------------------------------------------------- job count */

/* wf's jobs, each call counting the called workflow's jobs too. */
static size_t rw_count_jobs(const struct wf_workflow *wf)
{
	size_t n = 0;

	for (size_t j = 0; j < wf->jobs_nr; j++) {
		const struct wf_workflow *callee = wf->jobs[j].callee;
		struct wf_call_entry *e = callee ? rw_entry_of(callee) : NULL;

		if (e && !e->jobs)
			e->jobs = rw_count_jobs(callee);
		n += 1 + (e ? e->jobs : 0);
	}
	return n;
}

/* ---------------------------------------------------------------- the pass */

void wf_calls_load(struct wf_calls *calls, struct wf_workflow *wf, struct diag_list *diags,
		   struct diag_list *later)
{
	for (size_t j = 0; j < wf->jobs_nr; j++)
		rw_load_call(calls, &wf->jobs[j], diags, later);
	if (!calls->depth) {
		struct diag_list nested = DIAG_LIST_INIT;

		size_t jobs = calls->opts->max_jobs ? rw_count_jobs(wf) : 0;

		if (jobs > calls->opts->max_jobs && wf->jobs_node)
			wf_error(diags, wf->jobs_node, RW_RULE, "the workflow has %zu jobs with those "
				 "of the workflows it calls, more than the %zu allowed", jobs,
				 calls->opts->max_jobs);
		rw_check_grants(wf, 1, rw_policy(calls->opts->policy), diags, &nested);
		diag_list_move(later, &nested);
		calls->opts = NULL;
	}
}
