/*
 * Unit tests for the workflow model and its validation (parser/workflow,
 * schema, validate, events, uses, action): every rule with its exact
 * message and position, the decoded forms (needs, uses, step ids, events),
 * and hostile input through the whole loader.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "parser/action.h"
#include "parser/uses.h"
#include "parser/workflow.h"
#include "util/strbuf.h"
#include "tests/unit/timing.h"

#define HEAD "on: push\njobs:\n"

/* One rule: a workflow, and the first diagnostic it must give. */
static const struct {
	const char *yaml;
	int line, col;
	const char *rule;
	const char *message;
} rules[] = {
	/* schema: keys and types */
	{ HEAD "  build:\n    name: Build\n", 4, 5, "syntax-check",
	  "job 'build' needs one of 'runs-on' or 'uses'" },
	{ HEAD "  build:\n    runs_on: ubuntu-latest\n    steps: [{run: x}]\n", 4, 5, "syntax-check",
	  "unexpected key 'runs_on' in job 'build'; did you mean 'runs-on'?" },
	{ HEAD "  build:\n    environment: prod\n    uses: o/r/.github/workflows/w.yml@v1\n", 5, 5,
	  "syntax-check", "'uses' cannot be used together with 'environment' in job 'build'" },
	{ HEAD "  build:\n    runs-on: x\n    stratgy: {}\n    steps: [{run: x}]\n", 5, 5,
	  "syntax-check", "unexpected key 'stratgy' in job 'build'; did you mean 'strategy'?" },
	{ HEAD "  build:\n    runs-on: x\n    steps:\n      - run: a\n        uses: b@c\n", 7, 9,
	  "syntax-check", "'uses' cannot be used together with 'run' in step" },
	{ HEAD "  build:\n    runs-on: x\n    steps:\n      - name: only a name\n", 6, 9, "syntax-check",
	  "step needs one of 'run' or 'uses'" },
	{ HEAD "  build:\n    runs-on: x\n    uses: o/r/.github/workflows/w.yml@v1\n", 5, 5,
	  "syntax-check", "'uses' cannot be used together with 'runs-on' in job 'build'" },
	{ HEAD "  build:\n    runs-on: x\n    continue-on-error: 'true'\n    steps: [{run: x}]\n", 5, 24,
	  "syntax-check", "expected a boolean for 'continue-on-error', got 'true'" },
	{ HEAD "  build:\n    runs-on: x\n    env: [A]\n    steps: [{run: x}]\n", 5, 10, "syntax-check",
	  "expected a mapping for 'env', got a sequence" },
	{ "on: pushh\njobs:\n  a: {runs-on: x, steps: [{run: x}]}\n", 1, 5, "syntax-check",
	  "expected an event name, a sequence of event names or a mapping for 'on', got 'pushh'; "
	  "did you mean 'push'?" },
	{ "on: push\n", 1, 1, "syntax-check", "the workflow is missing the required key 'jobs'" },
	{ HEAD "  build:\n    runs-on: x\n    permissions: {contents: maybe}\n    steps: [{run: x}]\n",
	  5, 29, "syntax-check", "expected 'read', 'write' or 'none' for 'contents', got 'maybe'" },
	{ HEAD "  build:\n    runs-on: x\n    env: {FOO: 1, foo: 2}\n    steps: [{run: x}]\n", 5, 19,
	  "syntax-check",
	  "key 'foo' is already defined as 'FOO' at line 5, column 11 (keys are case-insensitive)" },
	{ HEAD "  build:\n    runs-on: x\n    runs-on: y\n", 5, 5, "syntax-check",
	  "key 'runs-on' is duplicated (first defined at line 4, column 5)" },
	{ "name: ${{ github.ref }}\n" HEAD "  a: {runs-on: x, steps: [{run: x}]}\n", 1, 7, "expression",
	  "an expression is not allowed in 'name'" },
	{ HEAD "  a:\n    runs-on: x\n    steps: [{run: 'echo ${{ github.ref'}]\n", 5, 19, "expression",
	  "the expression is not closed: '${{' has no matching '}}'" },
	{ HEAD "  a:\n    runs-on: x\n    steps: [{run: 'echo ${{ }}'}]\n", 5, 19, "expression",
	  "an expression was expected inside '${{ }}'" },
	{ HEAD "  a:\n    runs-on: x\n    steps:\n      - uses: actions/checkout\n", 6, 15,
	  "syntax-check", "invalid action reference 'actions/checkout': expected "
	  "'owner/repo[/path]@ref', './path' or 'docker://image'" },
	{ HEAD "  a:\n    <<: {runs-on: x}\n", 4, 5, "syntax-check",
	  "YAML merge keys ('<<') are not supported; repeat the keys instead" },
	/* ids */
	{ HEAD "  my.job:\n    runs-on: x\n    steps: [{run: x}]\n", 3, 3, "id",
	  "invalid job id 'my.job': it must start with a letter or '_' and hold only letters, "
	  "digits, '-' and '_' (at most 99 characters)" },
	{ HEAD "  __a:\n    runs-on: x\n    steps: [{run: x}]\n", 3, 3, "id",
	  "invalid job id '__a': ids starting with '__' are reserved" },
	{ HEAD "  a:\n    runs-on: x\n    steps:\n      - {id: s1, run: x}\n      - {id: S1, run: y}\n",
	  7, 14, "id", "step id 'S1' is already used by the step at line 6 (ids are case-insensitive)" },
	{ HEAD "  a:\n    runs-on: x\n    steps:\n      - {id: 1st, run: x}\n", 6, 14, "id",
	  "invalid step id '1st': it must start with a letter or '_' and hold only letters, digits, "
	  "'-' and '_' (at most 99 characters)" },
	/* needs */
	{ HEAD "  build: {runs-on: x, steps: [{run: x}]}\n  deploy:\n    needs: biuld\n    runs-on: x\n"
	  "    steps: [{run: x}]\n", 5, 12, "job-needs",
	  "job 'deploy' needs unknown job 'biuld'; did you mean 'build'?" },
	{ HEAD "  a: {needs: b, runs-on: x, steps: [{run: x}]}\n  b: {needs: [a], runs-on: x, steps: [{run: x}]}\n",
	  3, 3, "job-needs", "dependency cycle in 'needs': a -> b -> a" },
	{ HEAD "  x: {runs-on: x, steps: [{run: x}]}\n  a: {needs: c, runs-on: x, steps: [{run: x}]}\n"
	  "  b: {needs: a, runs-on: x, steps: [{run: x}]}\n  c: {needs: b, runs-on: x, steps: [{run: x}]}\n",
	  4, 3, "job-needs", "dependency cycle in 'needs': a -> c -> b -> a" },
	{ HEAD "  a: {needs: a, runs-on: x, steps: [{run: x}]}\n", 3, 3, "job-needs",
	  "dependency cycle in 'needs': a -> a" },
	{ "on: push\njobs: {}\n", 2, 7, "syntax-check", "'jobs' must contain at least one job" },
	/* matrix, containers, runners */
	{ HEAD "  a:\n    runs-on: x\n    strategy: {matrix: {os: []}}\n    steps: [{run: x}]\n", 5, 29,
	  "matrix", "matrix vector 'os' has no values" },
	{ HEAD "  a:\n    runs-on: x\n    strategy:\n      matrix:\n        os: [a]\n        exclude:\n"
	  "          - platform: a\n    steps: [{run: x}]\n", 9, 13, "matrix",
	  "'platform' in 'exclude' is not a key of the matrix (its keys are 'os')" },
	{ HEAD "  a:\n    runs-on: x\n    container: {env: {A: b}}\n    steps: [{run: x}]\n", 5, 16,
	  "syntax-check", "'container' needs an 'image'" },
	{ HEAD "  a:\n    runs-on: {group: teams/x}\n    steps: [{run: x}]\n", 4, 22, "runs-on",
	  "invalid runner group 'teams/x': use 'organization/NAME' or 'enterprise/NAME' to pick a "
	  "single runner group" },
	/* events */
	{ "on:\n  schedule:\n    - cron: '61 * * * *'\njobs:\n  a: {runs-on: x, steps: [{run: x}]}\n",
	  3, 13, "events", "invalid cron expression '61 * * * *': the minute field is invalid" },
	{ "on:\n  schedule:\n    - cron: '* * *'\njobs:\n  a: {runs-on: x, steps: [{run: x}]}\n",
	  3, 13, "events", "invalid cron expression '* * *': it needs five fields (minute hour "
	  "day-of-month month day-of-week)" },
	{ "on:\n  push:\n    branches: [a]\n    branches-ignore: [b]\njobs:\n"
	  "  a: {runs-on: x, steps: [{run: x}]}\n", 4, 5, "events",
	  "event 'push' cannot use both 'branches' and 'branches-ignore' (negate patterns with '!' "
	  "instead)" },
	{ "on:\n  workflow_dispatch:\n    inputs:\n      level:\n        type: choice\njobs:\n"
	  "  a: {runs-on: x, steps: [{run: x}]}\n", 5, 9, "events",
	  "choice input 'level' needs 'options'" },
	{ "on:\n  workflow_dispatch:\n    inputs:\n      dry:\n        type: boolean\n"
	  "        default: 'no'\njobs:\n  a: {runs-on: x, steps: [{run: x}]}\n", 6, 18, "events",
	  "the default of boolean input 'dry' must be true or false, not 'no'" },
	{ "on:\n  workflow_call:\n    inputs:\n      x: {required: true}\njobs:\n"
	  "  a: {runs-on: x, steps: [{run: x}]}\n", 4, 10, "syntax-check",
	  "input 'x' is missing the required key 'type'" },
};

static void test_rules(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		struct wf_workflow wf;
		struct diag_list d = DIAG_LIST_INIT;
		const struct diag *first;

		if (wf_load(&wf, "w.yml", rules[i].yaml, strlen(rules[i].yaml), &d) != -1 || !d.nr)
			fail_msg("rule %zu: no error", i);
		first = &d.items[0];
		if (first->line != rules[i].line || first->col != rules[i].col ||
		    strcmp(first->message, rules[i].message) || strcmp(first->rule, rules[i].rule))
			fail_msg("rule %zu: got %d:%d %s [%s]\n  want %d:%d %s [%s]", i, first->line,
				 first->col, first->message, first->rule, rules[i].line, rules[i].col,
				 rules[i].message, rules[i].rule);
		assert_string_equal(first->file, "w.yml");
		wf_release(&wf);
		diag_list_release(&d);
	}
}

static void test_all_errors_sorted(void **state)
{
	static const char yaml[] = HEAD
		"  b:\n    needs: zz\n    runs-on: x\n    steps: [{run: x}]\n"
		"  a:\n    runs-on: x\n    timeout-minutes: soon\n    steps: [{run: x}]\n"
		"  c:\n    runs-on: x\n    stepz: []\n";
	struct wf_workflow wf;
	struct diag_list d = DIAG_LIST_INIT;

	(void)state;
	assert_int_equal(wf_load(&wf, "w.yml", yaml, strlen(yaml), &d), -1);
	assert_int_equal(d.nr, 3);
	assert_int_equal(d.items[0].line, 4);
	assert_int_equal(d.items[1].line, 9);
	assert_int_equal(d.items[2].line, 13);
	assert_string_equal(d.items[2].message, "unexpected key 'stepz' in job 'c'; did you mean "
			    "'steps'?");
	wf_release(&wf);
	diag_list_release(&d);
}

static void test_model(void **state)
{
	static const char yaml[] =
		"name: CI\n"
		"on:\n"
		"  push:\n"
		"    branches: [main, 'releases/**']\n"
		"    paths-ignore: docs/**\n"
		"  pull_request:\n"
		"    types: [opened, synchronize]\n"
		"  schedule:\n"
		"    - cron: '30 5 * * 1-5'\n"
		"      timezone: Europe/Paris\n"
		"  workflow_dispatch:\n"
		"    inputs:\n"
		"      level: {type: choice, options: [info, debug], default: info, required: true}\n"
		"      dry: {type: boolean}\n"
		"env:\n"
		"  A: ${{ github.sha }}\n"
		"jobs:\n"
		"  build:\n"
		"    name: Build ${{ matrix.os }}\n"
		"    runs-on: ${{ matrix.os }}\n"
		"    strategy:\n"
		"      fail-fast: false\n"
		"      matrix:\n"
		"        os: [ubuntu-latest, macos-latest]\n"
		"    defaults:\n"
		"      run: {shell: bash}\n"
		"    steps:\n"
		"      - uses: actions/checkout@v4\n"
		"      - run: make\n"
		"      - uses: actions/checkout@v4\n"
		"        with: {path: sub}\n"
		"      - id: test\n"
		"        run: make test\n"
		"      - uses: docker://alpine:3.8\n"
		"      - uses: ./.github/actions/x\n"
		"      - run: echo\n"
		"      - uses: actions/aws/ec2@main\n"
		"  deploy:\n"
		"    needs: [build]\n"
		"    uses: octo/repo/.github/workflows/deploy.yml@v1\n"
		"    secrets: inherit\n";
	static const char *const step_ids[] = {
		"__actions_checkout", "__run", "__actions_checkout_2", "test", "__alpine_3_8",
		"__self", "__run_2", "__actions_aws",
	};
	struct wf_workflow wf;
	struct diag_list d = DIAG_LIST_INIT;
	const struct wf_job *build, *deploy;
	const struct wf_event *ev;

	(void)state;
	if (wf_load(&wf, "ci.yml", yaml, strlen(yaml), &d) < 0)
		fail_msg("%d:%d: %s", d.items[0].line, d.items[0].col, d.items[0].message);
	assert_string_equal(wf_static_string(wf.name), "CI");
	assert_true(wf_is_expression(ydoc_map_get(wf.env, "A")));
	assert_int_equal(wf.jobs_nr, 2);
	build = wf_job_find(&wf, "build");
	deploy = wf_job_find(&wf, "deploy");
	assert_ptr_equal(build, &wf.jobs[0]);
	assert_int_equal(build->key->line, 18);
	assert_int_equal(build->key->col, 3);
	assert_true(wf_is_expression(build->runs_on));
	assert_null(wf_static_string(build->runs_on));
	assert_int_equal(build->runs_on->line, 20);
	assert_true(ydoc_scalar_is(build->fail_fast, "false"));
	assert_int_equal(ydoc_map_get(build->matrix, "os")->u.seq.nr, 2);
	assert_string_equal(wf_static_string(build->defaults_run.shell), "bash");
	assert_int_equal(build->steps_nr, sizeof(step_ids) / sizeof(step_ids[0]));
	for (size_t i = 0; i < build->steps_nr; i++) {
		assert_string_equal(build->steps[i].id, step_ids[i]);
		assert_int_equal(build->steps[i].id_generated, i != 3);
		assert_int_equal(build->steps[i].index, i);
	}
	assert_int_equal(build->steps[0].uses.kind, WF_USES_REMOTE);
	assert_string_equal(build->steps[0].uses.owner, "actions");
	assert_string_equal(build->steps[0].uses.repo, "checkout");
	assert_string_equal(build->steps[0].uses.ref, "v4");
	assert_string_equal(build->steps[0].uses.path, "");
	assert_int_equal(build->steps[4].uses.kind, WF_USES_DOCKER);
	assert_string_equal(build->steps[4].uses.path, "alpine:3.8");
	assert_int_equal(build->steps[5].uses.kind, WF_USES_LOCAL);
	assert_string_equal(build->steps[5].uses.path, ".github/actions/x");
	assert_string_equal(build->steps[7].uses.path, "ec2");
	assert_string_equal(ydoc_map_get(build->steps[2].with, "path")->u.scalar.ptr, "sub");
	assert_true(deploy->is_call);
	assert_true(deploy->secrets_inherit);
	assert_string_equal(deploy->uses.owner, "octo");
	assert_string_equal(deploy->uses.path, ".github/workflows/deploy.yml");
	assert_int_equal(deploy->needs_nr, 1);
	assert_string_equal(deploy->needs[0].id, "build");
	assert_int_equal(deploy->needs[0].node->line, 39);
	assert_int_equal(deploy->steps_nr, 0);

	assert_int_equal(wf.events_nr, 4);
	ev = wf_event_find(&wf, "push");
	assert_int_equal(ev->branches.nr, 2);
	assert_string_equal(ev->branches.items[1], "releases/**");
	assert_int_equal(ev->branches.nodes[1]->line, 4);
	assert_int_equal(ev->paths_ignore.nr, 1);
	assert_string_equal(ev->paths_ignore.items[0], "docs/**");
	assert_int_equal(ev->tags.nr, 0);
	assert_null(ev->tags.node);
	ev = wf_event_find(&wf, "pull_request");
	assert_int_equal(ev->types.nr, 2);
	assert_string_equal(ev->types.items[1], "synchronize");
	ev = wf_event_find(&wf, "schedule");
	assert_int_equal(ev->crons_nr, 1);
	assert_string_equal(ev->crons[0].cron, "30 5 * * 1-5");
	assert_string_equal(ev->crons[0].timezone, "Europe/Paris");
	ev = wf_event_find(&wf, "workflow_dispatch");
	assert_int_equal(ev->inputs_nr, 2);
	assert_string_equal(ev->inputs[0].name, "level");
	assert_int_equal(ev->inputs[0].type, WF_INPUT_CHOICE);
	assert_true(ev->inputs[0].required);
	assert_int_equal(ev->inputs[0].options.nr, 2);
	assert_int_equal(ev->inputs[1].type, WF_INPUT_BOOLEAN);
	assert_false(ev->inputs[1].required);
	assert_null(wf_event_find(&wf, "release"));
	wf_release(&wf);
	diag_list_release(&d);
}

static void test_on_forms(void **state)
{
	static const char *const forms[] = {
		"on: push\n", "on: [push, pull_request]\n", "on:\n  push:\n  pull_request:\n",
		"'on':\n  push: {}\n  pull_request: null\n",
	};
	static const size_t counts[] = { 1, 2, 2, 2 };

	(void)state;
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		struct strbuf text = STRBUF_INIT;
		struct wf_workflow wf;
		struct diag_list d = DIAG_LIST_INIT;

		strbuf_addf(&text, "%sjobs:\n  a: {runs-on: x, steps: [{run: x}]}\n", forms[i]);
		assert_int_equal(wf_load(&wf, "w.yml", text.buf, text.len, &d), 0);
		assert_int_equal(wf.events_nr, counts[i]);
		assert_string_equal(wf.events[0].name, "push");
		wf_release(&wf);
		diag_list_release(&d);
		strbuf_release(&text);
	}
}

static void test_expressions_stand_in(void **state)
{
	static const char yaml[] =
		"on: push\n"
		"jobs:\n"
		"  a:\n"
		"    runs-on: [self-hosted, '${{ inputs.label }}']\n"
		"    continue-on-error: ${{ matrix.experimental }}\n"
		"    timeout-minutes: ${{ fromJSON(vars.T) }}\n"
		"    strategy: ${{ fromJSON(needs.x.outputs.s) }}\n"
		"    env: ${{ fromJSON(vars.ENV) }}\n"
		"    services: ${{ fromJSON(vars.S) }}\n"
		"    steps:\n"
		"      - run: echo ${{ github.sha }}\n"
		"        if: github.ref == 'refs/heads/main'\n"
		"        with_ok: false\n";
	struct wf_workflow wf;
	struct diag_list d = DIAG_LIST_INIT;

	(void)state;
	assert_int_equal(wf_load(&wf, "w.yml", yaml, strlen(yaml), &d), -1);
	/* Only the unknown key is wrong: every ${{ }} above is allowed where it is. */
	assert_int_equal(d.nr, 1);
	assert_int_equal(d.items[0].line, 13);
	assert_true(wf_is_expression(wf.jobs[0].strategy));
	assert_true(wf_is_expression(wf.jobs[0].continue_on_error));
	assert_int_equal(wf.jobs[0].continue_on_error->col, 24);
	assert_false(wf_is_expression(wf.jobs[0].steps[0].if_cond));
	wf_release(&wf);
	diag_list_release(&d);
}

static void test_parallel_steps(void **state)
{
	static const char yaml[] = HEAD
		"  a:\n    runs-on: x\n    steps:\n      - run: one\n"
		"      - parallel:\n          - run: two\n          - uses: o/r@v1\n";
	struct wf_workflow wf;
	struct diag_list d = DIAG_LIST_INIT;

	(void)state;
	assert_int_equal(wf_load(&wf, "w.yml", yaml, strlen(yaml), &d), 0);
	assert_int_equal(wf.jobs[0].steps_nr, 2);
	assert_string_equal(wf.jobs[0].steps[1].id, "__parallel");
	assert_int_equal(wf.jobs[0].steps[1].parallel_nr, 2);
	assert_string_equal(wf.jobs[0].steps[1].parallel_steps[0].id, "__run");
	assert_string_equal(wf.jobs[0].steps[1].parallel_steps[1].id, "__o_r");
	wf_release(&wf);
	diag_list_release(&d);
}

static const struct {
	const char *text;
	int ok;
	enum wf_uses_kind kind;
	const char *owner, *repo, *path, *ref;
} uses_cases[] = {
	{ "actions/checkout@v4", 1, WF_USES_REMOTE, "actions", "checkout", "", "v4" },
	{ "actions/aws/ec2/deep@main", 1, WF_USES_REMOTE, "actions", "aws", "ec2/deep", "main" },
	{ "o/r/.github/workflows/w.yml@0123abcd", 1, WF_USES_REMOTE, "o", "r",
	  ".github/workflows/w.yml", "0123abcd" },
	{ "./path/to", 1, WF_USES_LOCAL, NULL, NULL, "path/to", NULL },
	{ "docker://ghcr.io/o/i:1", 1, WF_USES_DOCKER, NULL, NULL, "ghcr.io/o/i:1", NULL },
	{ "badrepo@invalid", 0, WF_USES_REMOTE, NULL, NULL, NULL, NULL },
	{ "$$docker://alpine:3.8", 0, WF_USES_REMOTE, NULL, NULL, NULL, NULL },
	{ "o/r@", 0, WF_USES_REMOTE, NULL, NULL, NULL, NULL },
	{ "o/r", 0, WF_USES_REMOTE, NULL, NULL, NULL, NULL },
	{ "o/r@a@b", 0, WF_USES_REMOTE, NULL, NULL, NULL, NULL },
};

static void assert_str_or_null(const char *got, const char *want)
{
	if (!want)
		assert_null(got);
	else
		assert_string_equal(got, want);
}

static void test_uses_parse(void **state)
{
	struct arena a = ARENA_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof(uses_cases) / sizeof(uses_cases[0]); i++) {
		struct strbuf err = STRBUF_INIT;
		struct wf_uses u;
		int ret = wf_uses_parse(&u, &a, uses_cases[i].text, &err);

		if ((ret == 0) != uses_cases[i].ok)
			fail_msg("'%s': ret %d", uses_cases[i].text, ret);
		if (!uses_cases[i].ok) {
			assert_true(err.len > 0);
			strbuf_release(&err);
			continue;
		}
		assert_int_equal(err.len, 0);
		assert_int_equal(u.kind, uses_cases[i].kind);
		assert_str_or_null(u.owner, uses_cases[i].owner);
		assert_str_or_null(u.repo, uses_cases[i].repo);
		assert_str_or_null(u.path, uses_cases[i].path);
		assert_str_or_null(u.ref, uses_cases[i].ref);
	}
	arena_release(&a);
}

static void test_action(void **state)
{
	static const char composite[] =
		"name: Setup\n"
		"inputs:\n"
		"  version: {description: v, default: '1.0', required: false, x-extra: ok}\n"
		"outputs:\n"
		"  path: {value: '${{ steps.s.outputs.path }}'}\n"
		"runs:\n"
		"  using: composite\n"
		"  steps:\n"
		"    - id: s\n"
		"      run: echo\n"
		"      shell: bash\n"
		"    - uses: actions/cache@v4\n";
	static const char node[] =
		"name: n\nruns:\n  using: node20\n  main: dist/index.js\n  post: dist/post.js\n"
		"  post-if: success()\n";
	static const char docker[] =
		"name: d\nruns:\n  using: docker\n  image: Dockerfile\n  args: ['${{ inputs.x }}']\n";
	static const char broken[] =
		"name: b\nruns:\n  using: node20\n  steps: []\n  main: x.js\n";
	static const char no_shell[] =
		"name: b\nruns:\n  using: composite\n  steps:\n    - run: echo\n";
	struct action act;
	struct diag_list d = DIAG_LIST_INIT;

	(void)state;
	assert_int_equal(action_load(&act, "action.yml", composite, strlen(composite), &d), 0);
	assert_int_equal(act.kind, ACTION_COMPOSITE);
	assert_int_equal(act.inputs_nr, 1);
	assert_string_equal(act.inputs[0].name, "version");
	assert_string_equal(act.inputs[0].default_value->u.scalar.ptr, "1.0");
	assert_int_equal(act.outputs_nr, 1);
	assert_int_equal(act.steps_nr, 2);
	assert_string_equal(act.steps[0].id, "s");
	assert_string_equal(act.steps[1].id, "__actions_cache");
	action_release(&act);

	assert_int_equal(action_load(&act, "action.yml", node, strlen(node), &d), 0);
	assert_int_equal(act.kind, ACTION_NODE);
	assert_string_equal(act.using, "node20");
	assert_string_equal(act.main->u.scalar.ptr, "dist/index.js");
	assert_string_equal(act.post_if->u.scalar.ptr, "success()");
	action_release(&act);

	assert_int_equal(action_load(&act, "action.yml", docker, strlen(docker), &d), 0);
	assert_int_equal(act.kind, ACTION_DOCKER);
	assert_int_equal(act.args->u.seq.nr, 1);
	action_release(&act);
	assert_int_equal(d.nr, 0);

	assert_int_equal(action_load(&act, "action.yml", broken, strlen(broken), &d), -1);
	assert_int_equal(d.nr, 2);
	assert_string_equal(d.items[0].message,
			    "'steps' does not belong in 'runs' of an action using 'node20'");
	assert_string_equal(d.items[1].message, "'main' cannot be used together with 'steps' in 'runs'");
	action_release(&act);
	diag_list_release(&d);

	assert_int_equal(action_load(&act, "action.yml", no_shell, strlen(no_shell), &d), -1);
	assert_string_equal(d.items[0].message, "step is missing the required key 'shell'");
	assert_int_equal(d.items[0].line, 5);
	action_release(&act);
	diag_list_release(&d);
}

static void test_hostile_workflows(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct wf_workflow wf;
	struct diag_list d = DIAG_LIST_INIT;
	double t;

	(void)state;
	/* A chain of 20000 jobs, each needing the next: long, valid, and then cyclic. */
	strbuf_addstr(&sb, HEAD);
	for (int i = 0; i < 20000; i++)
		strbuf_addf(&sb, "  j%d: {needs: j%d, runs-on: x, steps: [{run: x}]}\n", i,
			    i + 1 < 20000 ? i + 1 : 0);
	t = now_s();
	assert_int_equal(wf_load(&wf, "w.yml", sb.buf, sb.len, &d), -1);
	assert_true(now_s() - t < budget_s(2.0));
	assert_int_equal(d.nr, 1);
	assert_non_null(strstr(d.items[0].message, "dependency cycle in 'needs': j0 -> j1 -> j2"));
	wf_release(&wf);
	diag_list_release(&d);

	/* Aliases multiply the walk: the expansion budget bounds it. */
	strbuf_reset(&sb);
	strbuf_addstr(&sb, "on: push\nx: &s [{run: a}, {run: b}, {run: c}, {run: d}]\njobs:\n");
	for (int i = 0; i < 5000; i++)
		strbuf_addf(&sb, "  j%d: {runs-on: x, steps: *s}\n", i);
	t = now_s();
	assert_int_equal(wf_load(&wf, "w.yml", sb.buf, sb.len, &d), -1);
	assert_true(now_s() - t < budget_s(2.0));
	assert_string_equal(d.items[0].message, "unexpected key 'x' in the workflow");
	assert_int_equal(wf.jobs_nr, 5000);
	assert_int_equal(wf.jobs[4999].steps_nr, 4);
	wf_release(&wf);
	diag_list_release(&d);

	/* Not a mapping at all, and binary junk. */
	assert_int_equal(wf_load(&wf, "w.yml", "- a\n- b\n", 8, &d), -1);
	assert_string_equal(d.items[0].message, "expected a mapping for 'workflow', got a sequence");
	wf_release(&wf);
	diag_list_release(&d);
	assert_int_equal(wf_load(&wf, "w.yml", "\x00\x01\x02", 3, &d), -1);
	assert_int_equal(d.items[0].line, 1);
	wf_release(&wf);
	diag_list_release(&d);
	assert_int_equal(wf_load(&wf, "w.yml", "", 0, &d), -1);
	assert_string_equal(d.items[0].message, "the workflow is empty");
	wf_release(&wf);
	diag_list_release(&d);
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_all_errors_sorted),
		cmocka_unit_test(test_model),
		cmocka_unit_test(test_on_forms),
		cmocka_unit_test(test_expressions_stand_in),
		cmocka_unit_test(test_parallel_steps),
		cmocka_unit_test(test_uses_parse),
		cmocka_unit_test(test_action),
		cmocka_unit_test(test_hostile_workflows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
