/*
 * Unit tests for runner/sched (with runner/plan and runner/job) against
 * the fake executor: each workflow is YAML text whose steps are the fake's
 * five-word scripts, run in milliseconds. They check parallelism limits
 * (--jobs, max-parallel), fail-fast, needs results and outputs, job-level
 * if with status functions, deferred matrices, cancellation states,
 * timeouts and continue-on-error.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runner/context.h"
#include "runner/job.h"
#include "runner/runstate.h"
#include "runner/sched.h"
#include "util/fs.h"

struct fixture {
	struct run run;
	struct strbuf dir;
	struct mask mask;
	int cancel_twice;               /* the timer cancels twice (kill at once) */
};

static void fixture_cancel(struct loop *l, uint64_t id, void *data)
{
	struct fixture *f = data;

	(void)l;
	(void)id;
	sched_cancel(&f->run);
	if (f->cancel_twice)
		sched_cancel(&f->run);
}

/*
 * Plan yaml (one workflow) and run it to the end with the fake executor;
 * cancel_ms > 0 cancels the run that long after the start (twice: also
 * the second, killing cancellation).
 */
static void fixture_run_cancel(struct fixture *f, const char *yaml, int max_jobs,
			       uint64_t cancel_ms, int twice)
{
	struct run *run = &f->run;
	struct diag_list d = DIAG_LIST_INIT;
	struct strbuf err = STRBUF_INIT, tmpl = STRBUF_INIT;
	struct plan_wf *w;
	struct plan_opts po;
	struct arena *a;

	memset(f, 0, sizeof(*f));
	strbuf_init(&f->dir, 0);
	plan_init(&run->plan);
	a = &run->plan.arena;
	assert_int_equal(fs_mkdtemp(&f->dir, "/tmp", "slipway-sched-", &err), 0);
	w = plan_wf_new(&run->plan);
	if (wf_load(&w->wf, "t.yml", yaml, strlen(yaml), &d) < 0) {
		diag_list_print(stderr, &d);
		fail_msg("the test workflow is invalid");
	}
	w->path = ".github/workflows/t.yml";
	w->stem = "t";
	w->name = w->display = "t";
	mask_init(&f->mask);
	run->mask = &f->mask;
	run->id = "test-run";
	run->dir = f->dir.buf;
	run->state_dir = f->dir.buf;
	strbuf_addf(&tmpl, "%s/snapshot", f->dir.buf);
	run->snapshot = arena_strdup(a, tmpl.buf);
	fs_mkdir_p(run->snapshot, 0755, &err);
	run->event_path = "";
	run->event_name = "push";
	run->ref = "refs/heads/main";
	run->sha = "0123456789012345678901234567890123456789";
	run->repository = f->dir.buf;
	run->vars = val_new_object(a);
	run->secrets = val_new_object(a);
	run->env_file = val_new_object(a);
	run->env_secrets = val_new_object(a);
	run->env_vars = val_new_object(a);
	run->github = context_github(a, run, val_new_object(a), "o", "r");
	memset(&po, 0, sizeof(po));
	po.contexts = val_new_object(a);
	val_object_setstr(a, po.contexts, "github", run->github);
	if (plan_build(&run->plan, &w, 1, &po, &err) < 0)
		fail_msg("plan: %s", err.buf);
	run->opts.max_jobs = max_jobs;
	run->opts.kill_after_ms[0] = 300;
	run->opts.kill_after_ms[1] = 300;
	run->loop = loop_new();
	run->exec = exec_fake_new();
	assert_int_equal(runstate_open(&run->rs, run, val_null(), &err), 0);
	f->cancel_twice = twice;
	if (cancel_ms)
		loop_add_timer(run->loop, cancel_ms, fixture_cancel, f);
	run->started_ms = run_now_ms();
	assert_int_equal(sched_run(run, &err), 0);
	run->finished_ms = run_now_ms();
	diag_list_release(&d);
	strbuf_release(&err);
	strbuf_release(&tmpl);
}

static void fixture_run(struct fixture *f, const char *yaml, int max_jobs)
{
	fixture_run_cancel(f, yaml, max_jobs, 0, 0);
}

static void fixture_release(struct fixture *f)
{
	struct strbuf err = STRBUF_INIT;

	runstate_close(f->run.rs);
	f->run.exec->ops->free(f->run.exec);
	loop_free(f->run.loop);
	mask_release(&f->mask);
	plan_release(&f->run.plan);
	fs_rm_rf(f->dir.buf, &err);
	strbuf_release(&f->dir);
	strbuf_release(&err);
}

static struct plan_leg *fixture_leg(struct fixture *f, const char *key)
{
	struct plan_leg *leg = plan_find_leg(&f->run.plan, key);

	if (!leg)
		fail_msg("no leg '%s'", key);
	return leg;
}

static const char *fixture_result(struct fixture *f, const char *key)
{
	struct plan_job *job = plan_find_job(&f->run.plan, key);

	if (job && !job->legs_nr)
		return plan_result_name(job->result);
	return plan_result_name(fixture_leg(f, key)->result);
}

/* The most legs that ran at the same time (from their start and finish times). */
static size_t fixture_max_overlap(struct fixture *f)
{
	struct plan *p = &f->run.plan;
	size_t best = 0;

	for (size_t i = 0; i < p->jobs_nr; i++)
		for (size_t l = 0; l < p->jobs[i]->legs_nr; l++) {
			const struct plan_leg *x = &p->jobs[i]->legs[l];
			size_t n = 0;

			if (!x->started_ms)
				continue;
			for (size_t j = 0; j < p->jobs_nr; j++)
				for (size_t m = 0; m < p->jobs[j]->legs_nr; m++) {
					const struct plan_leg *y = &p->jobs[j]->legs[m];

					n += y->started_ms && y->started_ms <= x->started_ms &&
					     y->finished_ms > x->started_ms;
				}
			if (n > best)
				best = n;
		}
	return best;
}

static void test_sched_needs_outputs(void **state)
{
	static const char yaml[] =
		"on: push\n"
		"jobs:\n"
		"  a:\n"
		"    runs-on: x\n"
		"    outputs: {v: '${{ steps.s.outputs.v }}'}\n"
		"    steps:\n"
		"      - id: s\n"
		"        run: output v=42\n"
		"  b:\n"
		"    needs: a\n"
		"    runs-on: x\n"
		"    outputs: {w: '${{ needs.a.outputs.v }}-${{ needs.a.result }}'}\n"
		"    steps: [{run: echo hi}]\n"
		"  c:\n"
		"    needs: [a, b]\n"
		"    runs-on: x\n"
		"    strategy: {matrix: {n: '${{ fromJSON(format(''[{0},{1}]'', needs.a.outputs.v, 7)) }}'}}\n"
		"    name: c-${{ needs.b.outputs.w }}\n"
		"    steps: [{run: 'output m=${{ matrix.n }}'}]\n";
	struct fixture f;

	(void)state;
	fixture_run(&f, yaml, 4);
	assert_string_equal(plan_result_name(f.run.result), "success");
	assert_string_equal(fixture_result(&f, "t.b"), "success");
	assert_string_equal(val_object_getstr(fixture_leg(&f, "t.b")->outputs, "w")->u.string.ptr,
			    "42-success");
	assert_int_equal(plan_find_job(&f.run.plan, "t.c")->legs_nr, 2);
	/* a name with an expression gets no matrix suffix (GitHub's rule) */
	assert_string_equal(fixture_leg(&f, "t.c.1")->name, "c-42-success");
	assert_string_equal(fixture_leg(&f, "t.c.2")->name, "c-42-success");
	assert_string_equal(val_object_getstr(fixture_leg(&f, "t.c.2")->outputs, "m")
			    ? "x" : "y", "y");
	assert_true(fixture_leg(&f, "t.b")->finished_ms <= fixture_leg(&f, "t.c.1")->started_ms);
	fixture_release(&f);
}

static void test_sched_parallel_limits(void **state)
{
	static const char yaml[] =
		"on: push\n"
		"jobs:\n"
		"  m:\n"
		"    runs-on: x\n"
		"    strategy: {max-parallel: 2, matrix: {i: [1, 2, 3, 4, 5]}}\n"
		"    steps: [{run: sleep 60}]\n"
		"  free:\n"
		"    runs-on: x\n"
		"    strategy: {matrix: {i: [1, 2, 3, 4, 5, 6]}}\n"
		"    steps: [{run: sleep 60}]\n";
	struct fixture f;
	size_t peak_m = 0;

	(void)state;
	fixture_run(&f, yaml, 3);
	assert_string_equal(plan_result_name(f.run.result), "success");
	assert_true(fixture_max_overlap(&f) <= 3);
	assert_true(fixture_max_overlap(&f) >= 2);
	for (size_t l = 0; l < 5; l++) {
		const struct plan_job *m = plan_find_job(&f.run.plan, "t.m");
		size_t n = 0;

		for (size_t k = 0; k < 5; k++)
			n += m->legs[k].started_ms <= m->legs[l].started_ms &&
			     m->legs[k].finished_ms > m->legs[l].started_ms;
		peak_m = n > peak_m ? n : peak_m;
	}
	assert_true(peak_m <= 2);
	fixture_release(&f);
	fixture_run(&f, yaml, 1);
	assert_int_equal(fixture_max_overlap(&f), 1);
	fixture_release(&f);
}

static void test_sched_fail_fast(void **state)
{
	static const char yaml[] =
		"on: push\n"
		"jobs:\n"
		"  m:\n"
		"    runs-on: x\n"
		"    strategy: {fail-fast: %s, matrix: {i: [1, 2, 3, 4]}}\n"
		"    steps:\n"
		"      - run: \"${{ matrix.i == 1 && 'exit 1' || 'sleep 400' }}\"\n"
		"  after:\n"
		"    needs: m\n"
		"    if: failure()\n"
		"    runs-on: x\n"
		"    steps: [{run: echo cleanup}]\n";
	char buf[1024];
	struct fixture f;

	(void)state;
	snprintf(buf, sizeof(buf), yaml, "true");
	fixture_run(&f, buf, 2);
	assert_string_equal(fixture_result(&f, "t.m.1"), "failure");
	/* the running leg is stopped, the queued ones never start */
	assert_string_equal(fixture_result(&f, "t.m.2"), "cancelled");
	assert_string_equal(fixture_result(&f, "t.m.3"), "cancelled");
	assert_int_equal(fixture_leg(&f, "t.m.3")->started_ms, 0);
	assert_string_equal(plan_result_name(plan_find_job(&f.run.plan, "t.m")->result), "failure");
	assert_string_equal(fixture_result(&f, "t.after"), "success");
	assert_true(f.run.finished_ms - f.run.started_ms < 380);
	fixture_release(&f);
	snprintf(buf, sizeof(buf), yaml, "false");
	fixture_run(&f, buf, 2);
	assert_string_equal(fixture_result(&f, "t.m.1"), "failure");
	assert_string_equal(fixture_result(&f, "t.m.4"), "success");
	fixture_release(&f);
}

static void test_sched_failure_gating(void **state)
{
	static const char yaml[] =
		"on: push\n"
		"jobs:\n"
		"  bad:\n"
		"    runs-on: x\n"
		"    steps: [{run: exit 2}, {if: failure(), id: f, run: echo f}, {id: n, run: echo n}]\n"
		"  skipped:\n"
		"    needs: bad\n"
		"    runs-on: x\n"
		"    steps: [{run: echo x}]\n"
		"  chained:\n"
		"    needs: skipped\n"
		"    runs-on: x\n"
		"    steps: [{run: echo x}]\n"
		"  on-failure:\n"
		"    needs: skipped\n"
		"    if: failure()\n"
		"    runs-on: x\n"
		"    steps: [{run: echo x}]\n"
		"  always:\n"
		"    needs: bad\n"
		"    if: ${{ always() && needs.bad.result == 'failure' }}\n"
		"    runs-on: x\n"
		"    steps: [{run: echo x}]\n"
		"  soft:\n"
		"    runs-on: x\n"
		"    continue-on-error: true\n"
		"    steps: [{run: exit 1}]\n"
		"  after-soft:\n"
		"    needs: soft\n"
		"    runs-on: x\n"
		"    steps: [{id: s, continue-on-error: true, run: exit 3}, {run: echo ok}]\n";
	struct fixture f;
	const struct plan_leg *bad, *as;

	(void)state;
	fixture_run(&f, yaml, 4);
	assert_string_equal(plan_result_name(f.run.result), "failure");
	assert_string_equal(fixture_result(&f, "t.bad"), "failure");
	assert_string_equal(fixture_result(&f, "t.skipped"), "skipped");
	assert_string_equal(fixture_result(&f, "t.chained"), "skipped");
	assert_string_equal(fixture_result(&f, "t.on-failure"), "success");
	assert_string_equal(fixture_result(&f, "t.always"), "success");
	assert_string_equal(fixture_result(&f, "t.soft"), "success");
	assert_string_equal(fixture_result(&f, "t.after-soft"), "success");
	bad = fixture_leg(&f, "t.bad");
	assert_string_equal(plan_result_name(bad->steps[1].outcome), "success");
	assert_string_equal(plan_result_name(bad->steps[2].outcome), "skipped");
	as = fixture_leg(&f, "t.after-soft");
	assert_string_equal(plan_result_name(as->steps[0].outcome), "failure");
	assert_string_equal(plan_result_name(as->steps[0].conclusion), "success");
	fixture_release(&f);
}

static void test_sched_cancel(void **state)
{
	static const char yaml[] =
		"on: push\n"
		"jobs:\n"
		"  long:\n"
		"    runs-on: x\n"
		"    steps:\n"
		"      - run: sleep 5000\n"
		"      - {if: always(), run: echo a}\n"
		"      - {if: cancelled(), run: echo c}\n"
		"      - run: echo never\n"
		"  next:\n"
		"    needs: long\n"
		"    runs-on: x\n"
		"    steps: [{run: echo x}]\n"
		"  tidy:\n"
		"    needs: long\n"
		"    if: always()\n"
		"    runs-on: x\n"
		"    steps: [{run: echo x}]\n";
	struct fixture f;
	const struct plan_leg *leg;

	(void)state;
	fixture_run_cancel(&f, yaml, 2, 100, 0);
	assert_string_equal(plan_result_name(f.run.result), "cancelled");
	leg = fixture_leg(&f, "t.long");
	assert_string_equal(plan_result_name(leg->result), "cancelled");
	assert_string_equal(plan_result_name(leg->steps[0].outcome), "cancelled");
	assert_string_equal(plan_result_name(leg->steps[1].outcome), "success");
	assert_string_equal(plan_result_name(leg->steps[2].outcome), "success");
	assert_string_equal(plan_result_name(leg->steps[3].outcome), "skipped");
	assert_string_equal(fixture_result(&f, "t.next"), "cancelled");
	assert_string_equal(fixture_result(&f, "t.tidy"), "success");
	/* SIGINT ends the fake's sleep at once: no SIGTERM or SIGKILL was needed */
	assert_true(f.run.finished_ms - f.run.started_ms < 1000);
	fixture_release(&f);

	/* twice: the running step is killed and nothing else runs */
	fixture_run_cancel(&f, yaml, 2, 100, 1);
	leg = fixture_leg(&f, "t.long");
	assert_string_equal(plan_result_name(leg->result), "cancelled");
	assert_string_equal(plan_result_name(leg->steps[1].outcome), "skipped");
	assert_string_equal(fixture_result(&f, "t.tidy"), "cancelled");
	fixture_release(&f);
}

static void test_sched_timeouts(void **state)
{
	static const char yaml[] =
		"on: push\n"
		"jobs:\n"
		"  step-timeout:\n"
		"    runs-on: x\n"
		"    steps:\n"
		"      - {id: slow, timeout-minutes: 0.002, run: sleep 5000}\n"
		"      - {id: next, if: always(), run: echo after}\n"
		"  soft-timeout:\n"
		"    runs-on: x\n"
		"    steps:\n"
		"      - {id: slow, timeout-minutes: 0.002, continue-on-error: true, run: sleep 5000}\n"
		"  job-timeout:\n"
		"    runs-on: x\n"
		"    timeout-minutes: 0.003\n"
		"    steps:\n"
		"      - run: sleep 5000\n"
		"      - {id: cleanup, if: always(), run: echo cleanup}\n";
	struct fixture f;
	const struct plan_leg *leg;

	(void)state;
	fixture_run(&f, yaml, 3);
	leg = fixture_leg(&f, "t.step-timeout");
	assert_string_equal(plan_result_name(leg->result), "failure");
	assert_string_equal(plan_result_name(leg->steps[0].outcome), "failure");
	assert_string_equal(plan_result_name(leg->steps[1].outcome), "success");
	leg = fixture_leg(&f, "t.soft-timeout");
	assert_string_equal(plan_result_name(leg->result), "success");
	assert_string_equal(plan_result_name(leg->steps[0].conclusion), "success");
	leg = fixture_leg(&f, "t.job-timeout");
	assert_string_equal(plan_result_name(leg->result), "failure");
	assert_string_equal(plan_result_name(leg->steps[1].outcome), "success");
	assert_true(f.run.finished_ms - f.run.started_ms < 2000);
	fixture_release(&f);
}

static void test_sched_selection_and_skips(void **state)
{
	static const char yaml[] =
		"on: push\n"
		"jobs:\n"
		"  a: {runs-on: x, steps: [{run: echo a}]}\n"
		"  b: {runs-on: x, needs: a, steps: [{run: echo b}]}\n"
		"  c: {runs-on: x, needs: b, steps: [{run: echo c}]}\n"
		"  d: {runs-on: x, steps: [{run: echo d}]}\n"
		"  e: {runs-on: x, if: \"github.ref == 'refs/heads/other'\", steps: [{run: echo e}]}\n"
		"  f: {runs-on: x, needs: e, if: \"!cancelled()\", steps: [{run: echo f}]}\n";
	struct fixture f;

	(void)state;
	fixture_run(&f, yaml, 2);
	assert_string_equal(fixture_result(&f, "t.c"), "success");
	assert_string_equal(fixture_result(&f, "t.e"), "skipped");
	assert_string_equal(fixture_result(&f, "t.f"), "success");
	assert_int_equal(f.run.plan.levels, 3);
	assert_int_equal(plan_find_job(&f.run.plan, "t.c")->level, 2);
	fixture_release(&f);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sched_needs_outputs),
		cmocka_unit_test(test_sched_parallel_limits),
		cmocka_unit_test(test_sched_fail_fast),
		cmocka_unit_test(test_sched_failure_gating),
		cmocka_unit_test(test_sched_cancel),
		cmocka_unit_test(test_sched_timeouts),
		cmocka_unit_test(test_sched_selection_and_skips),
	};

	signal(SIGPIPE, SIG_IGN);
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
