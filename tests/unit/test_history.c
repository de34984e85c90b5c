/*
 * Unit tests for runner/history: the queue, ingest of a hand-written run
 * directory (tests/data/runs, following the runstate contract) and its
 * idempotence, approvals one per reviewer, deployments, restart recovery,
 * filters, and that a reopened database keeps everything.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runner/history.h"
#include "runner/rundir.h"
#include "tests/unit/testutil.h"
#include "util/fs.h"
#include "util/json.h"

struct fixture {
	struct strbuf dir, db;
	struct history *h;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct strbuf err = STRBUF_INIT, runs = STRBUF_INIT;

	strbuf_init(&f->dir, 0);
	strbuf_init(&f->db, 0);
	if (fs_mkdtemp(&f->dir, "/tmp", "slipway-history-", &err) < 0)
		fail_msg("%s", err.buf);
	strbuf_addf(&f->db, "%s/history.db", f->dir.buf);
	strbuf_addf(&runs, "%s/runs/cd-waiting", f->dir.buf);
	if (fs_mkdir_p(runs.buf, 0755, &err) < 0 || fs_copy_tree(runs.buf, "tests/data/runs/cd-waiting", NULL, NULL, &err) < 0 ||
	    history_open(&f->h, f->db.buf, &err) < 0)
		fail_msg("%s", err.buf);
	strbuf_release(&err);
	strbuf_release(&runs);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	history_free(f->h);
	test_remove_tree(f->dir.buf);
	strbuf_release(&f->dir);
	strbuf_release(&f->db);
	free(f);
	return 0;
}

static void ok(int rc, struct strbuf *err)
{
	if (rc < 0)
		fail_msg("%s", err->buf);
}

static const char *render(struct strbuf *sb, struct val v)
{
	strbuf_reset(sb);
	json_write(sb, v, 0);
	return sb->buf;
}

static void queue(struct fixture *f, const char *id, const char *sha)
{
	struct strbuf err = STRBUF_INIT;
	struct history_new_run r = { id, "tasks-app", "refs/heads/main", sha, "push", "poll" };

	ok(history_run_queue(f->h, &r, &err), &err);
	strbuf_release(&err);
}

static void test_heads_and_queue(void **state)
{
	struct fixture *f = *state;
	struct strbuf err = STRBUF_INIT, sha = STRBUF_INIT, id = STRBUF_INIT;

	ok(history_repo_set(f->h, "tasks-app", "/srv/git/tasks-app", &err), &err);
	assert_int_equal(history_heads_seen(f->h, "tasks-app", &err), 0);
	assert_int_equal(history_head_get(f->h, &sha, "tasks-app", "refs/heads/main", &err), 0);
	ok(history_head_set(f->h, "tasks-app", "refs/heads/main", "aaa", &err), &err);
	ok(history_head_set(f->h, "tasks-app", "refs/heads/main", "bbb", &err), &err);
	assert_int_equal(history_head_get(f->h, &sha, "tasks-app", "refs/heads/main", &err), 1);
	assert_string_equal(sha.buf, "bbb");
	assert_int_equal(history_heads_seen(f->h, "tasks-app", &err), 1);

	assert_int_equal(history_next_queued(f->h, &id, &err), 0);
	queue(f, "r1", "aaa");
	queue(f, "r2", "bbb");
	assert_int_equal(history_next_queued(f->h, &id, &err), 1);
	assert_string_equal(id.buf, "r1");
	ok(history_run_spawned(f->h, "r1", 4242, &err), &err);
	assert_int_equal(history_next_queued(f->h, &id, &err), 1);
	assert_string_equal(id.buf, "r2");
	/* the same id twice is refused */
	assert_int_equal(history_run_queue(f->h, &(struct history_new_run){ "r1", "x", "refs/heads/x",
								     "c", "push", "poll" }, &err), -1);
	assert_non_null(strstr(err.buf, "UNIQUE"));
	strbuf_release(&err);
	strbuf_release(&sha);
	strbuf_release(&id);
}

static void test_ingest_detail_and_approvals(void **state)
{
	struct fixture *f = *state;
	struct strbuf err = STRBUF_INIT, sb = STRBUF_INIT;
	struct arena a = ARENA_INIT;
	struct val run, list, deps;
	struct history_filter all = { 0 };

	queue(f, "cd-waiting", "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c");
	ok(history_run_spawned(f->h, "cd-waiting", 99, &err), &err);
	for (int pass = 0; pass < 2; pass++) {
		ok(history_ingest(f->h, f->dir.buf, "cd-waiting", &err), &err);
		assert_int_equal(history_run_detail(&run, &a, f->h, "cd-waiting", &err), 1);
		assert_string_equal(rundir_str(run, "state"), "waiting");
		assert_int_equal(val_object_getstr(run, "jobs")->u.array->nr, 3);
		assert_string_equal(render(&sb, *val_object_getstr(run, "waiting")),
				    "[{\"job\":\"cd-starter.deploy-production\",\"environment\":"
				    "\"production\",\"url\":\"http://127.0.0.1:18081\"}]");
		assert_string_equal(render(&sb, *val_object_getstr(
					val_object_getstr(run, "jobs")->u.array->items[0], "steps")),
				    "[{\"id\":\"checkout\",\"name\":\"Check out\",\"status\":\"done\","
				    "\"outcome\":\"success\",\"conclusion\":\"success\",\"duration_ms\":100,"
				    "\"outputs\":{}},{\"id\":\"test\",\"name\":\"Run tests\",\"status\":"
				    "\"done\",\"outcome\":\"success\",\"conclusion\":\"success\","
				    "\"duration_ms\":3800,\"outputs\":{}}]");
		assert_string_equal(render(&sb, *val_object_getstr(
					val_object_getstr(run, "jobs")->u.array->items[0], "outputs")),
				    "{\"image\":\"tasks-app:0d1a26e\"}");
		ok(history_deployments(&deps, &a, f->h, &err), &err);
		assert_string_equal(render(&sb, deps),
				    "{\"environments\":[{\"name\":\"staging\",\"repo\":\"tasks-app\","
				    "\"current\":{\"run\":"
				    "\"cd-waiting\",\"job\":\"cd-starter.deploy-staging\","
				    "\"url\":\"http://127.0.0.1:18080\",\"sha\":"
				    "\"0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c\",\"ref\":\"refs/heads/main\","
				    "\"result\":\"success\",\"at\":\"2026-11-26T07:00:09.400Z\"},"
				    "\"previous\":null,\"history\":[{\"run\":\"cd-waiting\",\"job\":"
				    "\"cd-starter.deploy-staging\",\"url\":"
				    "\"http://127.0.0.1:18080\",\"sha\":"
				    "\"0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c\",\"ref\":\"refs/heads/main\","
				    "\"result\":\"success\",\"at\":\"2026-11-26T07:00:09.400Z\"}]}]}");
	}

	/* one decision per reviewer */
	ok(history_approval_add(f->h, "cd-waiting", "production", "approved", "alice", "t", "", &err),
	   &err);
	assert_int_equal(history_approval_add(f->h, "cd-waiting", "production", "rejected", "alice",
					      "t", "", &err), -2);
	assert_string_equal(err.buf, "reviewer 'alice' already approved environment 'production' in run 'cd-waiting'");
	ok(history_approval_add(f->h, "cd-waiting", "production", "approved", "bob", "t", "", &err),
	   &err);

	/* a decision file written by 'slipway approve' is picked up by the next ingest */
	strbuf_reset(&err);
	assert_int_equal(rundir_write_decision(f->dir.buf, "cd-waiting", "staging", "approved", "carol",
					       "ok", &err), 0);
	assert_int_equal(rundir_write_decision(f->dir.buf, "cd-waiting", "staging", "rejected", "dave",
					       "", &err), -2);
	assert_string_equal(err.buf, "environment 'staging' in run 'cd-waiting' was already approved by 'carol'");
	ok(history_ingest(f->h, f->dir.buf, "cd-waiting", &err), &err);
	assert_int_equal(history_run_detail(&run, &a, f->h, "cd-waiting", &err), 1);
	assert_int_equal(val_object_getstr(run, "approvals")->u.array->nr, 3);
	assert_string_equal(rundir_str(val_object_getstr(run, "approvals")->u.array->items[2], "by"),
			    "carol");

	ok(history_list_runs(&list, &a, f->h, &all, &err), &err);
	assert_int_equal(val_object_getstr(list, "total")->u.number, 1);
	assert_int_equal(history_run_detail(&run, &a, f->h, "nope", &err), 0);
	strbuf_release(&err);
	strbuf_release(&sb);
	arena_release(&a);
}

static void test_resume_finishes_and_recovery(void **state)
{
	struct fixture *f = *state;
	struct strbuf err = STRBUF_INIT, path = STRBUF_INIT, text = STRBUF_INIT;
	struct arena a = ARENA_INIT;
	struct strlist interrupted = STRLIST_INIT;
	struct val run, deps, list;
	struct history_filter by_state = { "interrupted", NULL, 0, 0 };
	char *p;

	queue(f, "cd-waiting", "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c");
	ok(history_run_spawned(f->h, "cd-waiting", 99, &err), &err);
	ok(history_ingest(f->h, f->dir.buf, "cd-waiting", &err), &err);
	/* the resumed run finishes production */
	strbuf_addf(&path, "%s/runs/cd-waiting/run.json", f->dir.buf);
	ok(fs_read_file(&text, path.buf, 0, &err), &err);
	p = strstr(text.buf, "\"status\": \"waiting\", \"result\": \"waiting\"");
	assert_non_null(p);
	memcpy(p, "\"status\": \"done\",    \"result\": \"success\"", 40);
	p = strstr(text.buf, "\"result\": \"waiting\"");
	memcpy(p, "\"result\": \"success\"", 19);
	ok(fs_write_file(path.buf, text.buf, text.len, 0644, &err), &err);
	ok(history_ingest(f->h, f->dir.buf, "cd-waiting", &err), &err);
	assert_int_equal(history_run_detail(&run, &a, f->h, "cd-waiting", &err), 1);
	assert_string_equal(rundir_str(run, "state"), "success");
	assert_int_equal(val_object_getstr(run, "waiting")->u.array->nr, 0);
	ok(history_deployments(&deps, &a, f->h, &err), &err);
	assert_string_equal(rundir_str(val_object_getstr(deps, "environments")->u.array->items[0],
				       "name"), "production");

	/* restart: a run with a process is interrupted, one still in checkout is queued again */
	queue(f, "mid-run", "b");
	ok(history_run_spawned(f->h, "mid-run", 1234, &err), &err);
	queue(f, "checking-out", "c");
	ok(history_run_set(f->h, "checking-out", "running", NULL, NULL, &err), &err);
	ok(history_recover(f->h, &interrupted, &err), &err);
	assert_int_equal(interrupted.nr, 1);
	assert_string_equal(interrupted.items[0], "mid-run");
	assert_int_equal(history_run_detail(&run, &a, f->h, "mid-run", &err), 1);
	assert_string_equal(rundir_str(run, "state"), "interrupted");
	assert_non_null(rundir_str(run, "finished_at"));
	assert_int_equal(history_run_detail(&run, &a, f->h, "checking-out", &err), 1);
	assert_string_equal(rundir_str(run, "state"), "queued");
	ok(history_list_runs(&list, &a, f->h, &by_state, &err), &err);
	assert_int_equal(val_object_getstr(list, "total")->u.number, 1);

	/* reopened, everything is still there */
	history_free(f->h);
	ok(history_open(&f->h, f->db.buf, &err), &err);
	assert_int_equal(history_run_detail(&run, &a, f->h, "cd-waiting", &err), 1);
	assert_string_equal(rundir_str(run, "state"), "success");
	strbuf_reset(&path);
	strbuf_addf(&path, "%s-wal", f->db.buf);
	assert_true(fs_exists(path.buf));
	strlist_release(&interrupted);
	strbuf_release(&err);
	strbuf_release(&path);
	strbuf_release(&text);
	arena_release(&a);
}

static void test_rundir_result_and_errors(void **state)
{
	struct fixture *f = *state;
	struct strbuf err = STRBUF_INIT;
	struct arena a = ARENA_INIT;
	struct val v;
	char id[RUNDIR_ISO_LEN];

	assert_int_equal(json_parse(&v, &a, "{\"result\": \"running\", \"pid\": 1}", 31, &err), 0);
	assert_string_equal(rundir_result(v), "running");
	assert_int_equal(json_parse(&v, &a, "{\"result\": \"running\", \"pid\": 999999999}", 39, &err), 0);
	assert_string_equal(rundir_result(v), "interrupted");
	assert_int_equal(history_ingest(f->h, f->dir.buf, "missing", &err), -1);
	assert_non_null(strstr(err.buf, "runs/missing/run.json"));
	rundir_new_id(id);
	assert_int_equal(strlen(id), 20);
	assert_true(rundir_valid_name(id));
	assert_false(rundir_valid_name("../x"));
	assert_false(rundir_valid_name(".hidden"));
	assert_false(rundir_valid_name(""));
	strbuf_release(&err);
	arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_heads_and_queue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ingest_detail_and_approvals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resume_finishes_and_recovery, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rundir_result_and_errors, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
