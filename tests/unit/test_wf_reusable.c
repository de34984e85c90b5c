/*
 * Unit tests for reusable workflows at load time (parser/wf_reusable via
 * wf_load_opts): each check of a call with its message and position,
 * sharing, cycles, depth, permissions, './' inside remote workflows, and
 * files under a root directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "parser/workflow.h"
#include "util/strlist.h"

#define CALLEE "o/r/.github/workflows/c.yml@v1"
#define RUN_JOB "jobs:\n  j:\n    runs-on: x\n    steps: [{run: x}]\n"

/* Reusable workflows by reference, and the references asked for. */
struct docs {
	const char *const *refs;        /* ref, text, ref, text, ..., NULL */
	struct strlist asked;
};

static int docs_resolve(void *data, const char *ref, const struct wf_uses *uses,
			struct strbuf *name, struct strbuf *text, struct strbuf *err)
{
	struct docs *d = data;

	(void)uses;
	strlist_push(&d->asked, ref);
	if (!strcmp(ref, "o/r/.github/workflows/broken.yml@v1")) {
		strbuf_addstr(err, "no access");
		return -1;
	}
	for (size_t i = 0; d->refs[i]; i += 2) {
		if (!strcmp(d->refs[i], ref)) {
			strbuf_addstr(name, ref);
			strbuf_addstr(text, d->refs[i + 1]);
			return 0;
		}
	}
	return 1;
}

struct load {
	struct wf_workflow wf;
	struct diag_list diags;
	struct docs docs;
	int ret;
};

static void load_with(struct load *l, const char *yaml, const char *const *refs,
		      const struct wf_load_options *base)
{
	struct wf_resolver resolver = { docs_resolve, &l->docs };
	struct wf_load_options opts = { NULL, NULL, &resolver, 0, 0, WF_POLICY_UNKNOWN };

	if (base) {
		opts = *base;
		opts.resolver = &resolver;
	}
	memset(l, 0, sizeof(*l));
	l->docs.refs = refs;
	l->ret = wf_load_opts(&l->wf, "w.yml", yaml, strlen(yaml), &opts, &l->diags);
}

static void load_release(struct load *l)
{
	wf_release(&l->wf);
	diag_list_release(&l->diags);
	strlist_release(&l->docs.asked);
}

/* The i-th diagnostic is at file:line:col and its message holds needle. */
static void assert_diag(const struct load *l, size_t i, const char *file, int line, int col,
			const char *needle)
{
	const struct diag *d;

	if (i >= l->diags.nr)
		fail_msg("diagnostic %zu missing (%zu given)", i, l->diags.nr);
	d = &l->diags.items[i];
	if (strcmp(d->file, file) || d->line != line || d->col != col || !strstr(d->message, needle))
		fail_msg("diagnostic %zu: %s:%d:%d: %s; want %s:%d:%d: ...%s...", i, d->file,
			 d->line, d->col, d->message, file, line, col, needle);
}

static const char *const callee_docs[] = {
	CALLEE,
	"on:\n  workflow_call:\n    inputs:\n      flag: {type: boolean, required: true}\n"
	"      count: {type: number}\n      name: {type: string}\n"
	"    secrets:\n      token: {required: true}\n"
	"    outputs:\n      out: {value: '${{ jobs.j.outputs.o }}'}\n" RUN_JOB,
	NULL,
};

static void test_calls_are_checked(void **state)
{
	static const char yaml[] =
		"on: push\njobs:\n"
		"  a:\n    uses: " CALLEE "\n"                            /* 3-4 */
		"    with:\n      flga: true\n      count: many\n"         /* 5-7 */
		"      name: 12\n"                                          /* 8 */
		"    secrets:\n      tokn: x\n"                            /* 9-10 */
		"  b:\n    needs: a\n    runs-on: x\n"                     /* 11-13 */
		"    steps:\n      - run: ${{ needs.a.outputs.out }} ${{ needs.a.outputs.nope }}\n";
	struct load l;

	(void)state;
	load_with(&l, yaml, callee_docs, NULL);
	assert_int_equal(l.ret, -1);
	assert_diag(&l, 0, "w.yml", 4, 11, "requires input 'flag', which 'with' does not give");
	assert_diag(&l, 1, "w.yml", 4, 11, "requires secret 'token', which 'secrets' does not give");
	assert_diag(&l, 2, "w.yml", 6, 7, "input 'flga' is not defined in reusable workflow '"
		    CALLEE "'; did you mean 'flag'?");
	assert_diag(&l, 3, "w.yml", 7, 14, "input 'count' of reusable workflow '" CALLEE
		    "' is a number, got 'many'");
	assert_diag(&l, 4, "w.yml", 10, 7, "secret 'tokn' is not defined");
	assert_diag(&l, 5, "w.yml", 15, 45, "job 'a' calls reusable workflow '" CALLEE
		    "', which has no output 'nope'");
	assert_int_equal(l.diags.nr, 6);
	assert_non_null(l.wf.jobs[0].callee);
	assert_string_equal(l.wf.jobs[0].callee->jobs[0].id, "j");
	load_release(&l);
}

static void test_inherit_and_types(void **state)
{
	static const char yaml[] =
		"on: push\njobs:\n  a:\n    uses: " CALLEE "\n"
		"    with: {flag: '${{ github.event.x }}', count: 3, name: null}\n"
		"    secrets: inherit\n";
	struct load l;

	(void)state;
	load_with(&l, yaml, callee_docs, NULL);
	if (l.diags.nr)
		fail_msg("%d:%d: %s", l.diags.items[0].line, l.diags.items[0].col,
			 l.diags.items[0].message);
	assert_int_equal(l.ret, 0);
	load_release(&l);
}

static void test_callee_errors_follow(void **state)
{
	static const char *const docs[] = {
		CALLEE, "on: push\n" RUN_JOB,
		"o/r/.github/workflows/bad.yml@v1", "on: workflow_call\njobs:\n  j: {runs_on: x}\n",
		NULL,
	};
	static const char yaml[] =
		"on: push\njobs:\n  a: {uses: 'o/r/.github/workflows/bad.yml@v1'}\n"
		"  b: {uses: '" CALLEE "'}\n  c: {uses: 'o/r/.github/workflows/broken.yml@v1'}\n"
		"  d: {uses: 'o/r/.github/workflows/unknown.yml@v1'}\n  e: {runs-on: x, steps: [{rn: x}]}\n";
	struct load l;

	(void)state;
	load_with(&l, yaml, docs, NULL);
	assert_diag(&l, 0, "w.yml", 4, 13, "reusable workflow '" CALLEE "' cannot be called: its "
		    "'on' has no 'workflow_call'");
	assert_diag(&l, 1, "w.yml", 5, 13, "cannot read reusable workflow "
		    "'o/r/.github/workflows/broken.yml@v1': no access");
	assert_diag(&l, 2, "w.yml", 7, 27, "step needs one of");
	assert_diag(&l, 3, "w.yml", 7, 28, "unexpected key 'rn'");
	/* The called workflow's own errors come after, under its name. */
	assert_diag(&l, 4, "o/r/.github/workflows/bad.yml@v1", 3, 6, "job 'j' needs one of "
		    "'runs-on' or 'uses'");
	/* Nobody knows unknown.yml: it stays unloaded, which is no error. */
	assert_null(l.wf.jobs[3].callee);
	load_release(&l);
}

static void test_shared_cycles_depth(void **state)
{
	static const char *const docs[] = {
		"o/r/.github/workflows/a.yml@v1",
		"on: workflow_call\njobs:\n  x: {uses: ./.github/workflows/b.yml}\n",
		"o/r/.github/workflows/b.yml@v1",
		"on: workflow_call\njobs:\n  y: {uses: ./.github/workflows/a.yml}\n",
		"o/r/.github/workflows/l1.yml@v1",
		"on: workflow_call\njobs:\n  x: {uses: o/r/.github/workflows/l2.yml@v1}\n",
		"o/r/.github/workflows/l2.yml@v1",
		"on: workflow_call\njobs:\n  x: {uses: o/r/.github/workflows/l3.yml@v1}\n",
		"o/r/.github/workflows/l3.yml@v1", "on: workflow_call\n" RUN_JOB,
		NULL,
	};
	static const char cycle[] =
		"on: push\njobs:\n  a: {uses: o/r/.github/workflows/a.yml@v1}\n";
	static const char deep[] =
		"on: push\njobs:\n  a: {uses: o/r/.github/workflows/l1.yml@v1}\n"
		"  b: {uses: o/r/.github/workflows/l3.yml@v1}\n"
		"  c: {uses: o/r/.github/workflows/l3.yml@v1}\n";
	struct wf_load_options opts = { NULL, NULL, NULL, 2, 0, WF_POLICY_UNKNOWN };
	struct load l;

	(void)state;
	/* './' inside a remote workflow names a file of that repository, at that ref. */
	load_with(&l, cycle, docs, NULL);
	assert_string_equal(l.docs.asked.items[1], "o/r/.github/workflows/b.yml@v1");
	assert_diag(&l, 0, "o/r/.github/workflows/b.yml@v1", 3, 13,
		    "reusable workflow './.github/workflows/a.yml' calls itself: "
		    "'o/r/.github/workflows/a.yml@v1' -> 'o/r/.github/workflows/b.yml@v1' -> "
		    "'o/r/.github/workflows/a.yml@v1'");
	load_release(&l);

	load_with(&l, deep, docs, &opts);
	assert_diag(&l, 0, "o/r/.github/workflows/l2.yml@v1", 3, 13,
		    "nests workflows more than 2 levels deep");
	/* A workflow called twice is loaded once. */
	assert_ptr_equal(l.wf.jobs[1].callee, l.wf.jobs[2].callee);
	assert_int_equal(l.diags.nr, 1);
	load_release(&l);
}

static void test_permissions(void **state)
{
	static const char *const docs[] = {
		CALLEE,
		"on: workflow_call\npermissions:\n  contents: write\n"
		"jobs:\n  j:\n    name: Deploy\n    permissions: {actions: write, contents: read}\n"
		"    runs-on: x\n    steps: [{run: x}]\n"
		"  n: {uses: o/r/.github/workflows/n.yml@v1}\n",
		"o/r/.github/workflows/n.yml@v1",
		"on: workflow_call\njobs:\n  k: {runs-on: x, permissions: write-all, steps: [{run: x}]}\n",
		NULL,
	};
	static const char yaml[] =
		"on: push\njobs:\n  a:\n    uses: " CALLEE "\n"
		"  b:\n    permissions: write-all\n    uses: " CALLEE "\n";
	struct wf_load_options opts = { NULL, NULL, NULL, 0, 0, WF_POLICY_LIMITED_READ };
	struct load l;

	(void)state;
	load_with(&l, yaml, docs, &opts);
	assert_diag(&l, 0, "w.yml", 3, 3, "reusable workflow '" CALLEE "' asks for "
		    "'contents: write', but job 'a' grants only 'contents: read'");
	assert_diag(&l, 1, "w.yml", 3, 3, "job 'Deploy' of reusable workflow '" CALLEE "' asks "
		    "for 'actions: write', but job 'a' grants only 'actions: none'");
	/* Deeper: the callee's own permissions are what its calls are granted. */
	assert_diag(&l, 2, CALLEE, 10, 3, "job 'k' of reusable workflow "
		    "'o/r/.github/workflows/n.yml@v1' asks for 'actions: write, checks: write, "
		    "deployments: write");
	/* Job b grants everything; the nested check under 'contents: write' is not repeated. */
	assert_int_equal(l.diags.nr, 3);
	load_release(&l);

	/* Without a known policy nothing is checked at the top. */
	load_with(&l, "on: push\njobs:\n  a: {uses: " CALLEE "}\n", docs, NULL);
	assert_int_equal(l.diags.nr, 1);
	assert_diag(&l, 0, CALLEE, 10, 3, "job 'k' of reusable workflow");
	load_release(&l);
}

static void test_job_limit(void **state)
{
	struct wf_load_options opts = { NULL, NULL, NULL, 0, 4, WF_POLICY_UNKNOWN };
	static const char yaml[] =
		"on: push\njobs:\n  a: {uses: " CALLEE "}\n  b: {uses: " CALLEE "}\n";
	static const char *const docs[] = {
		CALLEE, "on: workflow_call\njobs:\n  j: {runs-on: x, steps: [{run: x}]}\n"
		"  k: {runs-on: x, steps: [{run: x}]}\n",
		NULL,
	};
	struct load l;

	(void)state;
	load_with(&l, yaml, docs, &opts);
	assert_diag(&l, 0, "w.yml", 3, 3, "the workflow has 6 jobs with those of the workflows "
		    "it calls, more than the 4 allowed");
	load_release(&l);
}

/* './' references read under a root directory. */
static void test_root(void **state)
{
	char dir[] = "/tmp/slipway-reusable-XXXXXX";
	char path[256];
	static const char yaml[] =
		"on: push\njobs:\n  a: {uses: ./.github/workflows/c.yml}\n"
		"  b: {uses: ./.github/workflows/missing.yml}\n"
		"  c: {uses: ./.github/workflows/c.yml@main}\n";
	struct wf_load_options opts = { NULL, dir, NULL, 0, 0, WF_POLICY_UNKNOWN };
	struct diag_list diags = DIAG_LIST_INIT;
	struct wf_workflow wf;
	FILE *fp;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/.github", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/.github/workflows", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/.github/workflows/c.yml", dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("on: workflow_call\n" RUN_JOB, fp);
	fclose(fp);
	assert_int_equal(wf_load_opts(&wf, "w.yml", yaml, strlen(yaml), &opts, &diags), -1);
	assert_non_null(wf.jobs[0].callee);
	assert_string_equal(wf.jobs[0].callee->file, path);
	assert_int_equal(diags.nr, 2);
	assert_int_equal(diags.items[0].line, 4);
	assert_non_null(strstr(diags.items[0].message, "cannot read reusable workflow "
			       "'./.github/workflows/missing.yml': no such file or directory"));
	assert_int_equal(diags.items[1].line, 5);
	assert_non_null(strstr(diags.items[1].message, "takes no '@ref'"));
	wf_release(&wf);
	diag_list_release(&diags);
	unlink(path);
	snprintf(path, sizeof(path), "%s/.github/workflows", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/.github", dir);
	rmdir(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_calls_are_checked),
		cmocka_unit_test(test_inherit_and_types),
		cmocka_unit_test(test_callee_errors_follow),
		cmocka_unit_test(test_shared_cycles_depth),
		cmocka_unit_test(test_permissions),
		cmocka_unit_test(test_job_limit),
		cmocka_unit_test(test_root),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
