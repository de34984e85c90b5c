/*
 * event: GitHub's trigger filters (branches, tags, paths, activity types)
 * applied to a workflow's `on:` entry, and workflow_dispatch inputs typed
 * against their declarations. Patterns are util/glob's filter flavour.
 */
#include "runner/event.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/glob.h"

static const char *const event_pr_types[] = { "opened", "synchronize", "reopened", NULL };

static const struct {
	const char *event;
	const char *const *types;
} event_types[] = {
	{ "pull_request", event_pr_types },
	{ "pull_request_target", event_pr_types },
};

const char *const *event_default_types(const char *event)
{
	for (size_t i = 0; i < sizeof(event_types) / sizeof(event_types[0]); i++)
		if (!strcmp(event, event_types[i].event))
			return event_types[i].types;
	return NULL;
}

/* Compile a filter list; -1 with err naming the pattern. */
static int event_compile(struct glob_filter_list *l, const struct wf_strings *s,
			 struct strbuf *err)
{
	for (size_t i = 0; i < s->nr; i++) {
		struct strbuf why = STRBUF_INIT;

		if (glob_filter_list_add(l, s->items[i], &why) < 0) {
			const struct ydoc_node *n = s->nodes[i];

			strbuf_addf(err, "%s:%d:%d: invalid filter pattern '%s': %s", n->file,
				    n->line, n->col, s->items[i], why.buf);
			strbuf_release(&why);
			return -1;
		}
		strbuf_release(&why);
	}
	return 0;
}

/*
 * name against a positive list and an ignore list (at most one of them is
 * given, as GitHub requires). Returns 1 pass, 0 fail, -1 error.
 */
static int event_match_pair(const struct wf_strings *list, const struct wf_strings *ignore,
			    const char *name, const char *what, const char *key, struct strbuf *why,
			    struct strbuf *err)
{
	struct glob_filter_list l = GLOB_FILTER_LIST_INIT;
	int ret = 1;

	if (list->node) {
		if (event_compile(&l, list, err) < 0)
			ret = -1;
		else if (!glob_filter_list_match(&l, name, strlen(name)))
			ret = 0;
		if (!ret && why)
			strbuf_addf(why, "%s '%s' does not match '%s'", what, name, key);
	} else if (ignore->node) {
		if (event_compile(&l, ignore, err) < 0)
			ret = -1;
		else if (glob_filter_list_match(&l, name, strlen(name)))
			ret = 0;
		if (!ret && why)
			strbuf_addf(why, "%s '%s' matches '%s-ignore'", what, name, key);
	}
	glob_filter_list_release(&l);
	return ret;
}

/* paths / paths-ignore against the changed files. */
static int event_match_paths(const struct wf_event *e, const struct event *ev,
			     struct strbuf *why, struct strbuf *err)
{
	struct glob_filter_list l = GLOB_FILTER_LIST_INIT;
	const struct wf_strings *s = e->paths.node ? &e->paths : &e->paths_ignore;
	int positive = e->paths.node != NULL, any = 0, all = 1;

	if (!s->node || !ev->changed)
		return 1;
	if (event_compile(&l, s, err) < 0) {
		glob_filter_list_release(&l);
		return -1;
	}
	for (size_t i = 0; i < ev->changed->nr; i++) {
		const char *p = ev->changed->items[i];
		int m = glob_filter_list_match(&l, p, strlen(p));

		any |= m;
		all &= m;
	}
	glob_filter_list_release(&l);
	if (positive && !any) {
		if (why)
			strbuf_addstr(why, ev->changed->nr ? "no changed path matches 'paths'"
					   : "no path changed");
		return 0;
	}
	if (!positive && all) {
		if (why)
			strbuf_addstr(why, ev->changed->nr ? "every changed path matches 'paths-ignore'"
					   : "no path changed");
		return 0;
	}
	return 1;
}

/* The activity type from the payload's "action" against `types:` (or the defaults). */
static int event_match_types(const struct wf_event *e, const struct event *ev,
			     struct strbuf *why)
{
	const struct val *action = val_object_getstr(ev->payload, "action");
	const char *const *defaults = event_default_types(ev->name);
	const char *a;

	if (!action || action->kind != VAL_STRING)
		return 1;
	a = action->u.string.ptr;
	if (e->types.node) {
		for (size_t i = 0; i < e->types.nr; i++)
			if (!strcmp(e->types.items[i], a))
				return 1;
	} else if (defaults) {
		for (size_t i = 0; defaults[i]; i++)
			if (!strcmp(defaults[i], a))
				return 1;
	} else {
		return 1;
	}
	if (why)
		strbuf_addf(why, "activity type '%s' is not in 'types'", a);
	return 0;
}

/* push: branches or tags by the kind of ref, then paths (not for tags). */
static int event_match_push(const struct wf_event *e, const struct event *ev,
			    struct strbuf *why, struct strbuf *err)
{
	const char *ref = ev->ref ? ev->ref : "";
	int is_tag = !strncmp(ref, "refs/tags/", 10);
	int has_branch = e->branches.node || e->branches_ignore.node;
	int has_tag = e->tags.node || e->tags_ignore.node;
	const char *name = is_tag ? ref + 10 : !strncmp(ref, "refs/heads/", 11) ? ref + 11 : ref;
	int ret;

	if (is_tag) {
		if (has_branch && !has_tag) {
			if (why)
				strbuf_addf(why, "tag '%s' pushed, only branches are filtered", name);
			return 0;
		}
		return event_match_pair(&e->tags, &e->tags_ignore, name, "tag", "tags", why, err);
	}
	if (has_tag && !has_branch) {
		if (why)
			strbuf_addf(why, "branch '%s' pushed, only tags are filtered", name);
		return 0;
	}
	ret = event_match_pair(&e->branches, &e->branches_ignore, name, "branch", "branches", why, err);
	return ret == 1 ? event_match_paths(e, ev, why, err) : ret;
}

/* pull_request: the base branch, activity types, paths. */
static int event_match_pr(const struct wf_event *e, const struct event *ev,
			  struct strbuf *why, struct strbuf *err)
{
	int ret = event_match_types(e, ev, why);

	if (ret == 1 && ev->base_ref)
		ret = event_match_pair(&e->branches, &e->branches_ignore, ev->base_ref,
				       "branch", "branches", why, err);
	return ret == 1 ? event_match_paths(e, ev, why, err) : ret;
}

static int event_match_other(const struct wf_event *e, const struct event *ev,
			     struct strbuf *why, struct strbuf *err)
{
	(void)err;
	return event_match_types(e, ev, why);
}

static const struct {
	const char *event;
	int (*match)(const struct wf_event *e, const struct event *ev, struct strbuf *why,
		     struct strbuf *err);
} event_matchers[] = {
	{ "push", event_match_push },
	{ "pull_request", event_match_pr },
	{ "pull_request_target", event_match_pr },
};

int event_selects(const struct wf_workflow *wf, const struct event *ev, struct strbuf *why,
		  struct strbuf *err)
{
	const struct wf_event *e = wf_event_find(wf, ev->name);

	if (!e) {
		if (why)
			strbuf_addf(why, "not triggered by '%s'", ev->name);
		return 0;
	}
	for (size_t i = 0; i < sizeof(event_matchers) / sizeof(event_matchers[0]); i++)
		if (!strcmp(ev->name, event_matchers[i].event))
			return event_matchers[i].match(e, ev, why, err);
	return event_match_other(e, ev, why, err);
}

/* ---------------------------------------------------------------- inputs */

/* The --input value for name ("K=V", K case-insensitive; the last wins), or NULL. */
static const char *event_input_arg(const struct strlist *args, const char *name)
{
	const char *found = NULL;
	size_t n = strlen(name);

	for (size_t i = 0; args && i < args->nr; i++)
		if (!strncasecmp(args->items[i], name, n) && args->items[i][n] == '=')
			found = args->items[i] + n + 1;
	return found;
}

/* A value from the payload's "inputs" (as given with -e), or NULL. */
static const char *event_payload_input(struct val payload, const char *name)
{
	struct val *inputs = val_object_getstr(payload, "inputs"), *v;

	if (!inputs || inputs->kind != VAL_OBJECT)
		return NULL;
	v = val_object_geti(*inputs, name, strlen(name));
	return v && v->kind == VAL_STRING ? v->u.string.ptr : NULL;
}

static int event_type_input(struct val *out, struct arena *a, const struct wf_input *in,
			    const char *text, struct strbuf *err)
{
	char *end;
	double d;

	switch (in->type) {
	case WF_INPUT_BOOLEAN:
		if (strcmp(text, "true") && strcmp(text, "false")) {
			strbuf_addf(err, "input '%s' must be true or false, not '%s'", in->name, text);
			return -1;
		}
		*out = val_bool(!strcmp(text, "true"));
		return 0;
	case WF_INPUT_NUMBER:
		d = strtod(text, &end);
		if (!*text || *end || !isfinite(d)) {
			strbuf_addf(err, "input '%s' must be a number, not '%s'", in->name, text);
			return -1;
		}
		*out = val_number(d);
		return 0;
	case WF_INPUT_CHOICE:
		for (size_t i = 0; i < in->options.nr; i++)
			if (!strcmp(in->options.items[i], text)) {
				*out = val_cstring(a, text);
				return 0;
			}
		strbuf_addf(err, "input '%s' must be one of", in->name);
		for (size_t i = 0; i < in->options.nr; i++)
			strbuf_addf(err, "%s '%s'", i ? "," : "", in->options.items[i]);
		strbuf_addf(err, ", not '%s'", text);
		return -1;
	case WF_INPUT_STRING:
	case WF_INPUT_ENVIRONMENT:
		break;
	}
	*out = val_cstring(a, text);
	return 0;
}

int event_inputs(struct val *out, struct arena *a, const struct wf_workflow *wf,
		 const struct strlist *args, struct val payload, struct strbuf *err)
{
	const struct wf_event *e = wf_event_find(wf, "workflow_dispatch");
	struct val strings = val_new_object(a);

	*out = val_new_object(a);
	for (size_t i = 0; e && args && i < args->nr; i++) {
		const char *eq = strchr(args->items[i], '=');
		int known = 0;

		if (!eq || eq == args->items[i]) {
			strbuf_addf(err, "--input '%s' is not NAME=VALUE", args->items[i]);
			return -1;
		}
		for (size_t k = 0; k < e->inputs_nr && !known; k++)
			known = strlen(e->inputs[k].name) == (size_t)(eq - args->items[i]) &&
				!strncasecmp(e->inputs[k].name, args->items[i],
					     (size_t)(eq - args->items[i]));
		if (!known) {
			strbuf_addf(err, "workflow '%s' has no input '%.*s'", wf->file,
				    (int)(eq - args->items[i]), args->items[i]);
			return -1;
		}
	}
	for (size_t k = 0; e && k < e->inputs_nr; k++) {
		const struct wf_input *in = &e->inputs[k];
		const char *text = event_input_arg(args, in->name);
		struct val v;

		if (!text)
			text = event_payload_input(payload, in->name);
		if (!text && in->default_value && in->default_value->kind == YDOC_SCALAR)
			text = in->default_value->u.scalar.ptr;
		if (!text && in->required) {
			strbuf_addf(err, "workflow '%s' needs input '%s' (--input %s=VALUE)",
				    wf->file, in->name, in->name);
			return -1;
		}
		if (!text)
			text = in->type == WF_INPUT_BOOLEAN ? "false" : "";
		if (!*text && in->type == WF_INPUT_NUMBER && !in->required) {
			val_object_setstr(a, *out, in->name, val_cstring(a, ""));
			continue;
		}
		if (event_type_input(&v, a, in, text, err) < 0)
			return -1;
		val_object_setstr(a, *out, in->name, v);
		val_object_setstr(a, strings, in->name, val_cstring(a, text));
	}
	if (payload.kind == VAL_OBJECT && e)
		val_object_setstr(a, payload, "inputs", strings);
	return 0;
}
