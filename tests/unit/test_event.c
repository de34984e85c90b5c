/*
 * Unit tests for runner/event: GitHub's trigger filter rules as a table —
 * an `on:` value, the event, its ref and changed paths, and whether the
 * workflow runs (with the reason when not) — and workflow_dispatch inputs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "runner/event.h"
#include "util/json.h"

static const struct {
	const char *on, *event, *ref;
	const char *changed;    /* paths separated by spaces; NULL: unknown */
	const char *action;     /* payload "action", or NULL */
	int runs;
	const char *why;        /* part of the reason when it does not run */
} event_cases[] = {
	{ "push", "push", "refs/heads/main", NULL, NULL, 1, NULL },
	{ "push", "pull_request", "refs/heads/main", NULL, NULL, 0, "not triggered by 'pull_request'" },
	{ "[push, pull_request]", "pull_request", "refs/pull/1/merge", NULL, "opened", 1, NULL },
	/* branches: GitHub's documented patterns */
	{ "{push: {branches: [main, 'mona/octocat', 'releases/**']}}", "push",
	  "refs/heads/releases/10/beta", NULL, NULL, 1, NULL },
	{ "{push: {branches: ['releases/*']}}", "push", "refs/heads/releases/10/beta", NULL, NULL, 0,
	  "branch 'releases/10/beta' does not match 'branches'" },
	{ "{push: {branches: ['releases/**', '!releases/**-alpha']}}", "push",
	  "refs/heads/releases/10-alpha", NULL, NULL, 0, NULL },
	{ "{push: {branches: ['releases/**', '!releases/**-alpha']}}", "push",
	  "refs/heads/releases/10-beta", NULL, NULL, 1, NULL },
	{ "{push: {branches-ignore: ['mona/octocat', 'releases/**-alpha']}}", "push",
	  "refs/heads/releases/beta/3-alpha", NULL, NULL, 0, "matches 'branches-ignore'" },
	{ "{push: {branches-ignore: ['mona/octocat']}}", "push", "refs/heads/main", NULL, NULL, 1,
	  NULL },
	/* tags and branches: a filter of one kind keeps the other kind out */
	{ "{push: {tags: ['v2', 'v1.*']}}", "push", "refs/tags/v1.9.1", NULL, NULL, 1, NULL },
	{ "{push: {tags: ['v2', 'v1.*']}}", "push", "refs/heads/main", NULL, NULL, 0,
	  "only tags are filtered" },
	{ "{push: {branches: [main]}}", "push", "refs/tags/v1", NULL, NULL, 0,
	  "only branches are filtered" },
	{ "{push: {tags-ignore: ['v1.*']}}", "push", "refs/tags/v2", NULL, NULL, 1, NULL },
	/* paths: at least one changed path must match; -ignore: not all of them */
	{ "{push: {paths: ['**.js']}}", "push", "refs/heads/main", "app/index.js README.md", NULL, 1,
	  NULL },
	{ "{push: {paths: ['**.js']}}", "push", "refs/heads/main", "README.md", NULL, 0,
	  "no changed path matches 'paths'" },
	{ "{push: {paths: ['sub-project/**', '!sub-project/docs/**']}}", "push", "refs/heads/main",
	  "sub-project/docs/readme.md", NULL, 0, NULL },
	{ "{push: {paths: ['sub-project/**', '!sub-project/docs/**']}}", "push", "refs/heads/main",
	  "sub-project/docs/readme.md sub-project/src/a.c", NULL, 1, NULL },
	{ "{push: {paths-ignore: ['docs/**']}}", "push", "refs/heads/main", "docs/a.md docs/b.md",
	  NULL, 0, "every changed path matches 'paths-ignore'" },
	{ "{push: {paths-ignore: ['docs/**']}}", "push", "refs/heads/main", "docs/a.md src/b.c",
	  NULL, 1, NULL },
	{ "{push: {paths: ['src/**']}}", "push", "refs/heads/main", "", NULL, 0, "no path changed" },
	{ "{push: {paths: ['src/**']}}", "push", "refs/tags/v1", "docs/a.md", NULL, 1, NULL },
	{ "{push: {branches: [main], paths: ['src/**']}}", "push", "refs/heads/dev", "src/a.c",
	  NULL, 0, "does not match 'branches'" },
	/* pull_request: activity types (default opened, synchronize, reopened) */
	{ "pull_request", "pull_request", "refs/pull/1/merge", NULL, "closed", 0,
	  "activity type 'closed' is not in 'types'" },
	{ "{pull_request: {types: [closed]}}", "pull_request", "refs/pull/1/merge", NULL, "closed", 1,
	  NULL },
	{ "{pull_request: {types: [labeled]}}", "pull_request", "refs/pull/1/merge", NULL, "opened",
	  0, NULL },
	{ "workflow_dispatch", "workflow_dispatch", "refs/heads/main", NULL, NULL, 1, NULL },
};

/* Load "on: ON" with one job into wf. */
static void event_load(struct wf_workflow *wf, const char *on)
{
	char text[1024];
	struct diag_list d = DIAG_LIST_INIT;

	snprintf(text, sizeof(text), "on: %s\njobs:\n  j: {runs-on: x, steps: [{run: echo}]}\n", on);
	if (wf_load(wf, "w.yml", text, strlen(text), &d) < 0) {
		diag_list_print(stderr, &d);
		fail_msg("invalid test workflow: %s", on);
	}
	diag_list_release(&d);
}

static void test_event_filters(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(event_cases) / sizeof(event_cases[0]); i++) {
		struct wf_workflow wf;
		struct strlist changed = STRLIST_INIT;
		struct strbuf why = STRBUF_INIT, err = STRBUF_INIT;
		struct arena a = ARENA_INIT;
		struct event ev;
		char paths[256], *save = NULL;
		int got;

		event_load(&wf, event_cases[i].on);
		memset(&ev, 0, sizeof(ev));
		ev.name = event_cases[i].event;
		ev.ref = event_cases[i].ref;
		ev.base_ref = "main";
		ev.payload = val_new_object(&a);
		if (event_cases[i].action)
			val_object_setstr(&a, ev.payload, "action",
					  val_cstring(&a, event_cases[i].action));
		if (event_cases[i].changed) {
			snprintf(paths, sizeof(paths), "%s", event_cases[i].changed);
			for (char *p = strtok_r(paths, " ", &save); p; p = strtok_r(NULL, " ", &save))
				strlist_push(&changed, p);
			ev.changed = &changed;
		}
		got = event_selects(&wf, &ev, &why, &err);
		if (got != event_cases[i].runs)
			fail_msg("case %zu (on: %s, %s %s): got %d (%s), want %d", i,
				 event_cases[i].on, ev.name, ev.ref, got, why.buf, event_cases[i].runs);
		if (event_cases[i].why && !strstr(why.buf, event_cases[i].why))
			fail_msg("case %zu: reason '%s' does not say '%s'", i, why.buf,
				 event_cases[i].why);
		wf_release(&wf);
		strlist_release(&changed);
		strbuf_release(&why);
		strbuf_release(&err);
		arena_release(&a);
	}
}

static void test_event_inputs(void **state)
{
	static const char on[] =
		"{workflow_dispatch: {inputs: {n: {type: number, required: true}, "
		"c: {type: choice, options: [a, b], default: a}, f: {type: boolean, default: true}, "
		"s: {default: text}}}}";
	static const struct {
		const char *args;       /* K=V separated by spaces */
		const char *want;       /* inputs as JSON, or an error */
	} cases[] = {
		{ "n=2", "{\"n\":2,\"c\":\"a\",\"f\":true,\"s\":\"text\"}" },
		{ "N=3 c=b f=false s=x", "{\"n\":3,\"c\":\"b\",\"f\":false,\"s\":\"x\"}" },
		{ "", "workflow 'w.yml' needs input 'n' (--input n=VALUE)" },
		{ "n=two", "input 'n' must be a number, not 'two'" },
		{ "n=1 c=z", "input 'c' must be one of 'a', 'b', not 'z'" },
		{ "n=1 f=yes", "input 'f' must be true or false, not 'yes'" },
		{ "n=1 other=1", "workflow 'w.yml' has no input 'other'" },
		{ "n", "--input 'n' is not NAME=VALUE" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct wf_workflow wf;
		struct strlist args = STRLIST_INIT;
		struct strbuf err = STRBUF_INIT, got = STRBUF_INIT;
		struct arena a = ARENA_INIT;
		char buf[128], *save = NULL;
		struct val inputs, payload = val_new_object(&a);

		event_load(&wf, on);
		snprintf(buf, sizeof(buf), "%s", cases[i].args);
		for (char *p = strtok_r(buf, " ", &save); p; p = strtok_r(NULL, " ", &save))
			strlist_push(&args, p);
		if (event_inputs(&inputs, &a, &wf, &args, payload, &err) == 0)
			json_write(&got, inputs, 0);
		else
			strbuf_add(&got, err.buf, err.len);
		assert_string_equal(got.buf, cases[i].want);
		wf_release(&wf);
		strlist_release(&args);
		strbuf_release(&err);
		strbuf_release(&got);
		arena_release(&a);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_event_filters),
		cmocka_unit_test(test_event_inputs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
