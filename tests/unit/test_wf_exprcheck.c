/*
 * Unit tests for parser/wf_exprcheck: for each kind of location, a context
 * (or function) GitHub does not allow there is reported at the fault with
 * GitHub's message, and one it allows is not; positions inside plain,
 * quoted and block scalars; if: conditions without ${{ }}; actions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "parser/action.h"
#include "parser/workflow.h"

#define JOB "on: push\njobs:\n  a:\n    runs-on: x\n"
#define STEP JOB "    steps:\n      - "
#define CALL "on: push\njobs:\n  a:\n    uses: o/r/.github/workflows/w.yml@v1\n"
#define WCALL "on:\n  workflow_call:\n"

/* A workflow and its first error ("line:col" and a part of the message), or none. */
struct xc_case {
	const char *yaml;
	const char *at;         /* NULL: no error */
	const char *message;
};

static const struct xc_case workflow_cases[] = {
	/* run-name: github, inputs, vars */
	{ "run-name: ${{ github.actor }} ${{ vars.x }}\n" JOB "    steps: [{run: x}]\n", NULL, NULL },
	{ "run-name: ${{ env.X }}\n" JOB "    steps: [{run: x}]\n", "1:15",
	  "Unrecognized named-value: 'env'. Located at position 1 within expression: env.X" },
	/* env: + secrets */
	{ "env:\n  A: ${{ secrets.s }}\n" JOB "    steps: [{run: x}]\n", NULL, NULL },
	{ "env:\n  A: ${{ steps.s.outputs.x }}\n" JOB "    steps: [{run: x}]\n", "2:10",
	  "Unrecognized named-value: 'steps'" },
	/* concurrency */
	{ "concurrency: ${{ github.ref }}-${{ secrets.x }}\n" JOB "    steps: [{run: x}]\n", "1:36",
	  "Unrecognized named-value: 'secrets'" },
	/* workflow_call: input defaults and output values */
	{ WCALL "    inputs:\n      i:\n        type: string\n        default: ${{ env.A }}\n"
	  "jobs:\n  a: {runs-on: x, steps: [{run: x}]}\n", "6:22", "'env'" },
	{ WCALL "    outputs:\n      o:\n        value: ${{ jobs.a.outputs.x }}\n"
	  "jobs:\n  a: {runs-on: x, steps: [{run: x}]}\n", NULL, NULL },
	{ WCALL "    outputs:\n      o:\n        value: ${{ steps.a.outputs.x }}\n"
	  "jobs:\n  a: {runs-on: x, steps: [{run: x}]}\n", "5:20", "'steps'" },
	/* job keys: github, inputs, vars, needs, strategy, matrix */
	{ JOB "    name: ${{ matrix.os }} ${{ needs.b.result }}\n    steps: [{run: x}]\n", NULL, NULL },
	{ JOB "    name: ${{ secrets.x }}\n    steps: [{run: x}]\n", "5:15", "'secrets'" },
	{ "on: push\njobs:\n  a:\n    runs-on: ${{ runner.os }}\n    steps: [{run: x}]\n", "4:18",
	  "'runner'" },
	{ JOB "    timeout-minutes: ${{ env.T }}\n    steps: [{run: x}]\n", "5:26", "'env'" },
	{ JOB "    continue-on-error: ${{ steps.x.outcome }}\n    steps: [{run: x}]\n", "5:28",
	  "'steps'" },
	{ JOB "    concurrency:\n      group: ${{ job.status }}\n    steps: [{run: x}]\n", "6:18",
	  "'job'" },
	{ JOB "    environment: ${{ runner.os }}\n    steps: [{run: x}]\n", "5:22", "'runner'" },
	{ JOB "    environment:\n      name: prod\n      url: ${{ steps.d.outputs.url }}\n"
	  "    steps: [{run: x}]\n", NULL, NULL },
	{ JOB "    environment:\n      name: prod\n      url: ${{ secrets.u }}\n"
	  "    steps: [{run: x}]\n", "7:16", "'secrets'" },
	{ JOB "    env:\n      A: ${{ secrets.x }}\n      B: ${{ runner.os }}\n    steps: [{run: x}]\n",
	  "7:14", "'runner'" },
	{ JOB "    outputs:\n      o: ${{ steps.s.outputs.v }}\n      p: ${{ hashFiles('x') }}\n"
	  "    steps: [{run: x}]\n", "7:14", "Unrecognized function: 'hashFiles'" },
	{ JOB "    defaults:\n      run:\n        shell: ${{ secrets.s }}\n    steps: [{run: x}]\n",
	  "7:20", "'secrets'" },
	{ JOB "    snapshot:\n      image-name: i\n      if: ${{ env.A }}\n    steps: [{run: x}]\n",
	  "7:15", "'env'" },
	/* strategy: no matrix or strategy yet */
	{ JOB "    strategy:\n      matrix:\n        os: ${{ fromJSON(needs.a.outputs.m) }}\n"
	  "    steps: [{run: x}]\n", NULL, NULL },
	{ JOB "    strategy:\n      matrix:\n        os: ${{ matrix.x }}\n    steps: [{run: x}]\n",
	  "7:17", "'matrix'" },
	/* container and services; credentials add secrets and env, env adds the runner's */
	{ JOB "    container:\n      image: ${{ secrets.i }}\n    steps: [{run: x}]\n", "6:18",
	  "'secrets'" },
	{ JOB "    container:\n      image: i\n      credentials:\n        username: ${{ secrets.u }}\n"
	  "        password: ${{ runner.os }}\n    steps: [{run: x}]\n", "9:23", "'runner'" },
	{ JOB "    container:\n      image: i\n      env:\n        A: ${{ runner.temp }}\n"
	  "    steps: [{run: x}]\n", NULL, NULL },
	{ JOB "    services:\n      db:\n        image: ${{ env.I }}\n    steps: [{run: x}]\n",
	  "7:20", "'env'" },
	{ JOB "    services:\n      db:\n        image: i\n        env:\n          A: ${{ job.status }}\n"
	  "        credentials:\n          username: ${{ steps.x.outputs.u }}\n"
	  "    steps: [{run: x}]\n", "11:25", "'steps'" },
	/* jobs.<id>.if: needs and status functions with job ids, no env, no hashFiles */
	{ JOB "    if: success('b') && needs.b.result == 'success' || failure()\n"
	  "    steps: [{run: x}]\n", NULL, NULL },
	{ JOB "    if: env.A == 'x'\n    steps: [{run: x}]\n", "5:9",
	  "Unrecognized named-value: 'env'. Located at position 1 within expression: env.A == 'x'" },
	{ JOB "    if: ${{ hashFiles('a') }}\n    steps: [{run: x}]\n", "5:13",
	  "Unrecognized function: 'hashFiles'" },
	{ JOB "    if: always('b')\n    steps: [{run: x}]\n", "5:9", "Too many parameters supplied: "
	  "'always'" },
	/* steps: everything of the runner, hashFiles; if: no secrets, status functions */
	{ STEP "name: ${{ hashFiles('x') }}\n        run: ${{ secrets.a }} ${{ steps.s.outputs.b }}\n"
	  "        env: {A: '${{ runner.os }}'}\n        working-directory: ${{ job.status }}\n", NULL,
	  NULL },
	{ STEP "run: echo\n        if: always() && hashFiles('x') != '' && env.A\n", NULL, NULL },
	{ STEP "run: echo\n        if: secrets.x != ''\n", "7:13", "'secrets'" },
	{ STEP "run: echo\n        if: success('b')\n", "7:13", "Too many parameters supplied" },
	{ STEP "uses: a/b@v1\n        with:\n          x: ${{ nope.y }}\n", "8:18", "'nope'" },
	{ STEP "run: echo\n        timeout-minutes: ${{ strategy.job-index }}\n"
	  "        continue-on-error: ${{ inputs.x }}\n", NULL, NULL },
	{ STEP "run: echo ${{ success() }}\n", "6:23", "Unrecognized function: 'success'" },
	/* calling a reusable workflow: with and secrets */
	{ CALL "    with:\n      a: ${{ needs.b.outputs.x }}\n    secrets:\n      s: ${{ secrets.t }}\n",
	  NULL, NULL },
	{ CALL "    with:\n      a: ${{ secrets.t }}\n", "6:14", "'secrets'" },
	{ CALL "    secrets:\n      s: ${{ env.t }}\n", "6:14", "'env'" },
	/* syntax errors are GitHub's, at the fault */
	{ STEP "run: echo ${{ github.x == \"y\" }}\n", "6:35", "Unexpected symbol: '\"y\"'. Located "
	  "at position 13 within expression: github.x == \"y\"" },
	{ STEP "run: echo ${{ format('{0}' }}\n", "6:30", "Unexpected symbol: 'EOF'. Located at "
	  "position 8 within expression: format('{0}'" },
	{ STEP "run: echo ${{ contains('a') }}\n", "6:23", "Too few parameters supplied: 'contains'" },
	/* a ${{ }} the schema already reported is not reported again */
	{ STEP "run: echo ${{ github.x\n", "6:14",
	  "the expression is not closed: '${{' has no matching '}}'" },
};

/* The position of the fault in every scalar style. */
static const struct xc_case position_cases[] = {
	{ STEP "run: echo ${{ github.a }} ${{ nope }}\n", "6:39", "'nope'" },
	{ STEP "run: 'it''s ${{ nope }}'\n", "6:25", "'nope'" },
	{ STEP "run: \"tab\\t${{ nope }}\"\n", "6:24", "'nope'" },
	{ STEP "run: |\n          echo one\n          echo ${{ github.a }} ${{\n            nope }}\n",
	  "9:13", "'nope'" },
	{ STEP "run: >\n          echo one\n\n          echo ${{ nope }}\n", "9:20", "'nope'" },
	{ STEP "run: echo one\n          two ${{ nope }}\n", "7:19", "'nope'" },
	{ STEP "run: echo ${{ '\xc3\xa9' == nope }}\n", "6:30", "position 8 within" },
};

static const struct xc_case action_cases[] = {
	{ "name: a\ninputs:\n  i:\n    default: ${{ github.actor }} ${{ hashFiles('x') }}\n"
	  "runs: {using: node20, main: m.js}\n", NULL, NULL },
	{ "name: a\ninputs:\n  i:\n    default: ${{ inputs.j }}\n"
	  "runs: {using: node20, main: m.js}\n", "4:18", "'inputs'" },
	{ "name: a\noutputs:\n  o:\n    value: ${{ steps.s.outputs.x }}\n"
	  "runs: {using: node20, main: m.js}\n", NULL, NULL },
	{ "name: a\noutputs:\n  o:\n    value: ${{ secrets.s }}\n"
	  "runs: {using: node20, main: m.js}\n", "4:16", "'secrets'" },
	{ "name: a\nruns:\n  using: node20\n  main: m.js\n  post-if: runner.os == 'Linux' && failure()\n",
	  NULL, NULL },
	{ "name: a\nruns:\n  using: node20\n  main: m.js\n  post-if: needs.a.result\n", "5:12",
	  "'needs'" },
	{ "name: a\nruns:\n  using: docker\n  image: Dockerfile\n  env:\n    A: ${{ github.x }}\n",
	  "6:12", "'github'" },
	{ "name: a\nruns:\n  using: docker\n  image: Dockerfile\n  args: ['${{ inputs.a }}']\n", NULL,
	  NULL },
	{ "name: a\nruns:\n  using: composite\n  steps:\n    - run: ${{ secrets.s }}\n"
	  "      shell: bash\n", "5:16", "'secrets'" },
	{ "name: a\nruns:\n  using: composite\n  steps:\n    - run: ${{ inputs.s }}\n"
	  "      shell: ${{ inputs.shell }}\n      if: steps.a.outcome == 'success' && always()\n",
	  NULL, NULL },
};

static void check_case(const struct xc_case *c, size_t i, int action)
{
	struct diag_list diags = DIAG_LIST_INIT;
	char at[32];

	if (action) {
		struct action act;

		action_load(&act, "t.yml", c->yaml, strlen(c->yaml), &diags);
		action_release(&act);
	} else {
		struct wf_workflow wf;

		wf_load(&wf, "t.yml", c->yaml, strlen(c->yaml), &diags);
		wf_release(&wf);
	}
	if (!c->at) {
		if (diags.nr)
			fail_msg("case %zu: unexpected %d:%d: %s", i, diags.items[0].line,
				 diags.items[0].col, diags.items[0].message);
	} else {
		if (!diags.nr)
			fail_msg("case %zu: no error, want %s %s", i, c->at, c->message);
		snprintf(at, sizeof(at), "%d:%d", diags.items[0].line, diags.items[0].col);
		if (strcmp(at, c->at) || !strstr(diags.items[0].message, c->message))
			fail_msg("case %zu: got %s %s, want %s %s", i, at, diags.items[0].message,
				 c->at, c->message);
	}
	diag_list_release(&diags);
}

static void test_locations(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(workflow_cases) / sizeof(workflow_cases[0]); i++)
		check_case(&workflow_cases[i], i, 0);
}

static void test_positions(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(position_cases) / sizeof(position_cases[0]); i++)
		check_case(&position_cases[i], i, 0);
}

static void test_actions(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(action_cases) / sizeof(action_cases[0]); i++)
		check_case(&action_cases[i], i, 1);
}

/* Every expression error is one diagnostic with the rule "expression"; the rest is checked. */
static void test_every_error_reported(void **state)
{
	static const char yaml[] = STEP "run: ${{ a }} ${{ b }}\n        env:\n"
		"          ${{ c }}: ${{ d }}\n";
	struct diag_list diags = DIAG_LIST_INIT;
	struct wf_workflow wf;

	(void)state;
	assert_int_equal(wf_load(&wf, "t.yml", yaml, strlen(yaml), &diags), -1);
	assert_int_equal(diags.nr, 4);
	for (size_t i = 0; i < diags.nr; i++)
		assert_string_equal(diags.items[i].rule, "expression");
	assert_int_equal(diags.items[3].line, 8);
	assert_int_equal(diags.items[3].col, 25);
	wf_release(&wf);
	diag_list_release(&diags);
}

/*
 * An expression that parsed is not parsed again under the same names,
 * but one that failed is reported every time, and other names are a
 * new check.
 */
static void test_repeats(void **state)
{
	static const char yaml[] = JOB "    env:\n      A: ${{ runner.os }}\n"
		"    steps:\n      - run: ${{ runner.os }} ${{ nope }}\n"
		"        env: {B: '${{ runner.os }} ${{ nope }}'}\n"
		"      - run: ${{ runner.os }} ${{ nope }}\n";
	static const int lines[] = { 6, 8, 9, 10 };
	struct diag_list diags = DIAG_LIST_INIT;
	struct wf_workflow wf;

	(void)state;
	wf_load(&wf, "t.yml", yaml, strlen(yaml), &diags);
	assert_int_equal(diags.nr, 4);
	for (size_t i = 0; i < diags.nr; i++)
		assert_int_equal(diags.items[i].line, lines[i]);
	assert_non_null(strstr(diags.items[0].message, "'runner'"));
	for (size_t i = 1; i < diags.nr; i++)
		assert_non_null(strstr(diags.items[i].message, "'nope'"));
	wf_release(&wf);
	diag_list_release(&diags);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_locations),
		cmocka_unit_test(test_positions),
		cmocka_unit_test(test_actions),
		cmocka_unit_test(test_every_error_reported),
		cmocka_unit_test(test_repeats),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
