/*
 * event: which workflows an event selects — the event's `on:` entry with
 * GitHub's filter rules (branches/tags and their -ignore forms, paths and
 * paths-ignore, activity types) — and the typed `inputs` of a
 * workflow_dispatch. It reads workflows and a payload; it plans nothing.
 */
#ifndef RUNNER_EVENT_H
#define RUNNER_EVENT_H

#include "parser/workflow.h"
#include "util/arena.h"
#include "util/strbuf.h"
#include "util/strlist.h"
#include "util/value.h"

/* The event a run answers. Valid while the run lasts; nothing is owned. */
struct event {
	const char *name;               /* "push", "pull_request", ... */
	const char *ref;                /* the pushed ref (refs/heads/x, refs/tags/v1) */
	const char *base_ref;           /* pull_request: the base branch's short name */
	struct val payload;             /* github.event */
	const struct strlist *changed;  /* changed paths, sorted; NULL: unknown (paths pass) */
};

/*
 * Does wf run for ev? 1 yes, 0 no (why, when not NULL, says which rule
 * ruled it out: "branch 'dev' is not in 'branches'"), -1 with err for a
 * pattern that does not compile.
 */
int event_selects(const struct wf_workflow *wf, const struct event *ev, struct strbuf *why,
		  struct strbuf *err);

/*
 * The `inputs` context of a workflow_dispatch run of wf into *out (in a):
 * every declared input from args ("K=V", names case-insensitive), else its
 * default, typed (booleans and numbers become such; choices must be one of
 * the options). Also fills the payload's `inputs` (strings, as GitHub
 * sends them) when payload is an object. Returns 0, or -1 with err: an
 * unknown input, a missing required one, a bad boolean, number or choice.
 */
int event_inputs(struct val *out, struct arena *a, const struct wf_workflow *wf,
		 const struct strlist *args, struct val payload, struct strbuf *err);

/* The activity types GitHub assumes when `types:` is absent (NULL-terminated), or NULL: any. */
const char *const *event_default_types(const char *event);

#endif
