/*
 * prepare: repository, config, workflows, event, selection, inputs,
 * secrets and the plan, into a struct run — the common first half of
 * `slipway run` and `slipway graph`. It runs nothing.
 */
#include "runner/prepare.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner/context.h"
#include "runner/event.h"
#include "runner/wfiles.h"
#include "util/fs.h"
#include "util/json.h"

void prepare_release(struct prepared *pr)
{
	if (pr->have_secrets)
		secrets_release(&pr->secrets);
	if (pr->have_config)
		config_release(&pr->config);
	if (pr->have_repo)
		repo_release(&pr->repo);
	mask_release(&pr->mask);
	strlist_release(&pr->skipped);
	memset(pr, 0, sizeof(*pr));
}

/* "ci" for ".github/workflows/ci.yml", unique among the plan's workflows. */
static const char *prepare_stem(struct plan *p, const char *path)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	size_t len = strcspn(base, ".");
	const char *stem = arena_strndup(&p->arena, base, len ? len : strlen(base));

	for (int n = 2;; n++) {
		int taken = 0;

		for (size_t i = 0; i + 1 < p->loaded_nr && !taken; i++)
			taken = p->loaded[i]->stem && !strcmp(p->loaded[i]->stem, stem);
		if (!taken)
			return stem;
		stem = arena_printf(&p->arena, "%.*s-%d", (int)(len ? len : strlen(base)), base, n);
	}
}

/* path as the user sees it: relative to root when it is inside. */
static const char *prepare_shown_path(struct arena *a, const char *path, const char *root)
{
	size_t n = strlen(root);

	if (!strncmp(path, root, n) && path[n] == '/')
		return arena_strdup(a, path + n + 1);
	return arena_strdup(a, path);
}

/*
 * The resolver of remote reusable workflows: the repository's tree from
 * the action cache (fetched when missing), the file read from it.
 */
static int prepare_resolve(void *data, const char *ref, const struct wf_uses *uses,
			   struct strbuf *name, struct strbuf *text, struct strbuf *err)
{
	struct actions_opts *ao = data;
	struct strbuf dir = STRBUF_INIT, warn = STRBUF_INIT;
	int ret = -1;

	if (uses->kind != WF_USES_REMOTE)
		return 1;
	if (actions_fetch(ao, uses, &warn, err) < 0 || actions_repo_dir(&dir, ao, uses, err) != 0)
		goto out;
	strbuf_addf(&dir, "/%s", uses->path);
	if (fs_read_file(text, dir.buf, ydoc_default_limits.max_size, err) < 0)
		goto out;
	strbuf_addstr(name, ref);
	ret = 0;
out:
	if (warn.len)
		fprintf(stderr, "slipway: %s", warn.buf);
	strbuf_release(&dir);
	strbuf_release(&warn);
	return ret;
}

static int prepare_workflows(struct run *run, const struct prepare_opts *o, const char *src,
			     struct diag_list *diags, struct strbuf *err)
{
	struct wf_resolver resolver = { prepare_resolve, o->actions };
	struct wf_load_options lo;
	struct strlist args = STRLIST_INIT, found = STRLIST_INIT;
	struct strbuf p = STRBUF_INIT;
	int ret = PREPARE_ERROR;
	size_t errors = diags->errors;

	for (size_t i = 0; o->workflows && i < o->workflows->nr; i++) {
		strbuf_reset(&p);
		if (o->snapshot)
			fs_path_join(&p, src, o->workflows->items[i]);
		else
			strbuf_addstr(&p, o->workflows->items[i]);
		strlist_push(&args, p.buf);
	}
	if (!args.nr) {
		strbuf_reset(&p);
		fs_path_join(&p, src, ".github/workflows");
		if (!fs_is_dir(p.buf)) {
			strbuf_addf(err, "no workflows: '%s' is not a directory", p.buf);
			goto out;
		}
		strlist_push(&args, p.buf);
	}
	if (wfiles_collect(&found, (const char **)args.items, (int)args.nr, err) < 0)
		goto out;
	for (size_t i = 0; i < found.nr; i++) {
		struct plan_wf *w = plan_wf_new(&run->plan);
		const char *name;

		memset(&lo, 0, sizeof(lo));
		lo.root = src;
		lo.resolver = o->actions ? &resolver : NULL;
		wf_load_file_opts(&w->wf, found.items[i], &lo, diags);
		w->path = prepare_shown_path(&run->plan.arena, found.items[i], src);
		w->stem = prepare_stem(&run->plan, w->path);
		name = w->wf.name ? wf_static_string(w->wf.name) : NULL;
		w->name = name ? name : w->path;
		w->display = name ? name : w->stem;
	}
	ret = diags->errors > errors ? PREPARE_INVALID : 0;
out:
	strlist_release(&args);
	strlist_release(&found);
	strbuf_release(&p);
	return ret;
}

/* The string at keys (NULL-terminated path of members) in obj, or NULL. */
static const char *prepare_get(struct val obj, const char *const *keys)
{
	struct val *v = &obj;

	for (size_t i = 0; keys[i] && v; i++)
		v = val_object_getstr(*v, keys[i]);
	return v && v->kind == VAL_STRING && v->u.string.len ? v->u.string.ptr : NULL;
}

#define PREPARE_GET(obj, ...) prepare_get(obj, (const char *const[]){ __VA_ARGS__, NULL })

/* The event: payload, ref, sha; the base branch of a pull request. */
static int prepare_event(struct run *run, struct prepared *pr, const struct prepare_opts *o,
			 const char **base_ref, struct strbuf *err)
{
	struct arena *a = &run->plan.arena;
	const char *file = o->payload_file ? o->payload_file : o->event_file;
	int is_pr = !strncmp(run->event_name, "pull_request", 12);
	const char *ref, *sha;

	if (file) {
		if (json_parse_file(&pr->payload, a, file, err) < 0)
			return -1;
		if (pr->payload.kind != VAL_OBJECT) {
			strbuf_addf(err, "'%s' is not a JSON object", file);
			return -1;
		}
	} else {
		pr->payload = repo_event_payload(a, &pr->repo, run->event_name,
						 o->ref ? o->ref : pr->repo.ref,
						 o->sha ? o->sha : pr->repo.sha);
	}
	ref = o->ref ? o->ref : PREPARE_GET(pr->payload, "ref");
	sha = o->sha ? o->sha : PREPARE_GET(pr->payload, "after");
	if (is_pr && !o->ref) {
		struct val *num = val_object_getstr(pr->payload, "number");

		ref = arena_printf(a, "refs/pull/%d/merge", num && num->kind == VAL_NUMBER
				   ? (int)num->u.number : 1);
	}
	if (is_pr && !sha)
		sha = PREPARE_GET(pr->payload, "pull_request", "head", "sha");
	if (!ref)
		ref = pr->repo.ref;
	if (!sha || !strcmp(sha, "0000000000000000000000000000000000000000"))
		sha = pr->repo.sha;
	run->ref = ref ? arena_strdup(a, ref) : NULL;
	run->sha = sha ? arena_strdup(a, sha) : NULL;
	*base_ref = PREPARE_GET(pr->payload, "pull_request", "base", "ref");
	return 0;
}

/* Which loaded workflows the event selects, with their inputs. */
static int prepare_select(struct run *run, struct prepared *pr, const struct prepare_opts *o,
			  const char *base_ref, struct plan_wf ***out, size_t *nr,
			  struct strbuf *err)
{
	struct plan *p = &run->plan;
	struct event ev;
	int dispatch = !strcmp(run->event_name, "workflow_dispatch");

	memset(&ev, 0, sizeof(ev));
	ev.name = run->event_name;
	ev.ref = run->ref;
	ev.base_ref = base_ref;
	ev.payload = pr->payload;
	ev.changed = pr->repo.sha ? (!strncmp(run->event_name, "pull_request", 12)
				     ? &pr->repo.changed_pr : &pr->repo.changed) : NULL;
	if (o->inputs && o->inputs->nr && !dispatch) {
		strbuf_addstr(err, "--input is for workflow_dispatch runs (slipway run "
			      "workflow_dispatch --input NAME=VALUE)");
		return -1;
	}
	*out = arena_alloc(&p->arena, (p->loaded_nr ? p->loaded_nr : 1) * sizeof(**out));
	*nr = 0;
	for (size_t i = 0; i < p->loaded_nr; i++) {
		struct plan_wf *w = p->loaded[i];
		struct strbuf why = STRBUF_INIT;
		int sel = event_selects(&w->wf, &ev, &why, err);

		if (sel < 0) {
			strbuf_release(&why);
			return -1;
		}
		if (sel && dispatch &&
		    event_inputs(&w->inputs, &p->arena, &w->wf, o->inputs, pr->payload, err) < 0) {
			strbuf_release(&why);
			return -1;
		}
		if (sel)
			(*out)[(*nr)++] = w;
		else
			strlist_pushf(&pr->skipped, "%s: %s", w->path, why.buf);
		strbuf_release(&why);
	}
	return 0;
}

int prepare_run(struct run *run, struct prepared *pr, const struct prepare_opts *o,
		struct diag_list *diags, struct strbuf *err)
{
	struct arena *a = &run->plan.arena;
	struct strbuf path = STRBUF_INIT;
	struct secrets_opts so = o->secrets;
	struct plan_opts po;
	struct plan_wf **selected;
	const char *src, *base_ref = NULL;
	size_t nsel = 0;
	int ret = PREPARE_ERROR;

	memset(pr, 0, sizeof(*pr));
	mask_init(&pr->mask);
	strlist_init(&pr->skipped);
	run->mask = &pr->mask;
	if (repo_open(&pr->repo, o->dir ? o->dir : ".", o->state, err) < 0)
		goto out;
	pr->have_repo = 1;
	run->repository = arena_strdup(a, pr->repo.root);
	src = o->snapshot ? o->snapshot : pr->repo.root;
	fs_path_join(&path, src, CONFIG_FILE);
	pr->have_config = 1;
	if (config_load(&pr->config, path.buf, diags) < 0) {
		ret = PREPARE_INVALID;
		goto out;
	}
	run->config = &pr->config;
	if (o->actions && !o->actions->base_url)
		o->actions->base_url = wf_static_string(pr->config.action_base_url);
	if (o->actions && !o->actions->base_url)
		o->actions->base_url = ACTIONS_DEFAULT_BASE_URL;
	ret = prepare_workflows(run, o, src, diags, err);
	if (ret)
		goto out;
	ret = PREPARE_ERROR;
	run->event_name = arena_strdup(a, o->event ? o->event : "push");
	if (prepare_event(run, pr, o, &base_ref, err) < 0 ||
	    prepare_select(run, pr, o, base_ref, &selected, &nsel, err) < 0)
		goto out;
	so.dir = pr->repo.root;
	pr->have_secrets = 1;
	if (secrets_collect(&pr->secrets, &so, &pr->mask, diags) < 0) {
		ret = PREPARE_INVALID;
		goto out;
	}
	run->vars = pr->secrets.vars;
	run->secrets = pr->secrets.secrets;
	run->env_file = pr->secrets.env;
	run->github = context_github(a, run, pr->payload, pr->repo.owner, pr->repo.name);
	memset(&po, 0, sizeof(po));
	po.jobs = o->jobs;
	po.matrix = o->matrix;
	po.contexts = val_new_object(a);
	val_object_setstr(a, po.contexts, "github", run->github);
	val_object_setstr(a, po.contexts, "vars", run->vars);
	val_object_setstr(a, po.contexts, "needs", val_new_object(a));
	if (plan_build(&run->plan, selected, nsel, &po, err) < 0)
		goto out;
	ret = 0;
out:
	strbuf_release(&path);
	return ret;
}
