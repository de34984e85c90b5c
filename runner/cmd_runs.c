/*
 * cmd_runs: `slipway runs [--filter STATE] [--limit N] [--json]` lists
 * the runs of a state directory, newest first, from their run.json (so
 * runs made by `slipway run` alone show too), plus the runs a daemon has
 * queued but not started (from its history). It changes nothing.
 */
#include "runner/commands.h"
#include "runner/exitcode.h"
#include "runner/history.h"
#include "runner/rundir.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/options.h"

#include <stdio.h>
#include <string.h>

static const char runs_usage[] = "slipway runs [--filter STATE] [--limit N] [--json] [--state DIR]";

/* One row: {id, result, event, ref, sha, started_at, duration_ms, waiting: [env]}. */
static struct val runs_row(struct arena *a, const char *id, struct val run)
{
	struct val row = val_new_object(a), waiting = val_new_array(a), *jobs, *dur;
	static const char *const copied[] = { "event", "ref", "sha", "started_at" };

	val_object_setstr(a, row, "id", val_cstring(a, id));
	val_object_setstr(a, row, "result", val_cstring(a, rundir_result(run)));
	for (size_t i = 0; i < sizeof(copied) / sizeof(*copied); i++) {
		const char *v = rundir_str(run, copied[i]);

		val_object_setstr(a, row, copied[i], v ? val_cstring(a, v) : val_null());
	}
	dur = val_object_getstr(run, "duration_ms");
	val_object_setstr(a, row, "duration_ms", dur ? *dur : val_null());
	jobs = val_object_getstr(run, "jobs");
	for (size_t i = 0; jobs && jobs->kind == VAL_ARRAY && i < jobs->u.array->nr; i++) {
		struct val job = jobs->u.array->items[i], *env = val_object_getstr(job, "environment");
		const char *st = rundir_str(job, "status");

		if (st && !strcmp(st, "waiting") && env && env->kind == VAL_OBJECT &&
		    rundir_str(*env, "name"))
			val_array_push(a, waiting, val_cstring(a, rundir_str(*env, "name")));
	}
	val_object_setstr(a, row, "waiting", waiting);
	return row;
}

/* Queued runs from the daemon's history, when there is one. */
static int runs_queued(struct val rows, struct arena *a, const char *state, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	struct history *h = NULL;
	struct history_filter f = { "queued", NULL, 500, 0 };
	struct val list, *runs;
	int rc = 0;

	strbuf_addf(&path, "%s/history.db", state);
	if (!fs_exists(path.buf))
		goto out;
	rc = history_open(&h, path.buf, err) < 0 ? -1 : history_list_runs(&list, a, h, &f, err);
	runs = rc == 0 ? val_object_getstr(list, "runs") : NULL;
	for (size_t i = 0; runs && i < runs->u.array->nr; i++) {
		struct val r = runs->u.array->items[i], row = val_new_object(a);

		val_object_setstr(a, row, "id", *val_object_getstr(r, "id"));
		val_object_setstr(a, row, "result", val_cstring(a, "queued"));
		val_object_setstr(a, row, "event", *val_object_getstr(r, "event"));
		val_object_setstr(a, row, "ref", *val_object_getstr(r, "ref"));
		val_object_setstr(a, row, "sha", *val_object_getstr(r, "sha"));
		val_object_setstr(a, row, "started_at", val_null());
		val_object_setstr(a, row, "duration_ms", val_null());
		val_object_setstr(a, row, "waiting", val_new_array(a));
		val_array_push(a, rows, row);
	}
out:
	history_free(h);
	strbuf_release(&path);
	return rc;
}

static const char *runs_cell(struct val row, const char *key)
{
	const char *v = rundir_str(row, key);

	return v ? v : "-";
}

static void runs_print(struct val rows)
{
	printf("%-22s %-12s %-20s %-10s %-24s %9s  %s\n", "RUN", "RESULT", "REF", "COMMIT",
	       "STARTED", "DURATION", "WAITING FOR");
	for (size_t i = 0; i < rows.u.array->nr; i++) {
		struct val row = rows.u.array->items[i], *dur = val_object_getstr(row, "duration_ms");
		struct val *waiting = val_object_getstr(row, "waiting");
		const char *ref = runs_cell(row, "ref");
		struct strbuf d = STRBUF_INIT, w = STRBUF_INIT;

		if (!strncmp(ref, "refs/heads/", 11))
			ref += 11;
		if (dur && dur->kind == VAL_NUMBER)
			strbuf_addf(&d, "%.1fs", dur->u.number / 1000);
		for (size_t k = 0; k < waiting->u.array->nr; k++)
			strbuf_addf(&w, "%s%s", k ? "," : "", waiting->u.array->items[k].u.string.ptr);
		printf("%-22s %-12s %-20s %-10.10s %-24s %9s  %s\n", runs_cell(row, "id"),
		       runs_cell(row, "result"), ref, runs_cell(row, "sha"),
		       runs_cell(row, "started_at"), d.len ? d.buf : "-", w.buf);
		strbuf_release(&d);
		strbuf_release(&w);
	}
}

int cmd_runs(int argc, const char **argv)
{
	const char *state_opt = NULL, *filter = NULL;
	int json = 0, limit = 20, nargs, ret = EXITCODE_USAGE;
	struct strbuf err = STRBUF_INIT, state = STRBUF_INIT, out = STRBUF_INIT;
	struct strlist ids = STRLIST_INIT;
	struct arena a = ARENA_INIT;
	struct val all, rows;
	const struct option opts[] = {
		{ OPT_STRING, 0, "filter", &filter, "STATE", "only runs in this state (queued, running, waiting, success, ...)" },
		{ OPT_INT, 'n', "limit", &limit, "N", "at most N runs (default 20)" },
		{ OPT_FLAG, 0, "json", &json, NULL, "print JSON" },
		{ OPT_STRING, 0, "state", &state_opt, "DIR", "the state directory" },
		{ OPT_END },
	};

	nargs = options_parse(argc, argv, opts, &err);
	if (nargs == OPTIONS_HELP) {
		options_usage(stdout, runs_usage, opts);
		ret = EXITCODE_OK;
		goto out;
	}
	if (nargs > 0)
		strbuf_addf(&err, "unexpected argument '%s'", argv[0]);
	else if (nargs == 0 && limit < 1)
		strbuf_addstr(&err, "--limit must be at least 1");
	if (err.len) {
		fprintf(stderr, "slipway runs: %s\n", err.buf);
		options_usage(stderr, runs_usage, opts);
		goto out;
	}
	ret = EXITCODE_FAILED;
	all = val_new_array(&a);
	rows = val_new_array(&a);
	if (rundir_state(&state, state_opt, &err) < 0 || runs_queued(all, &a, state.buf, &err) < 0 ||
	    rundir_list(&ids, state.buf, &err) < 0) {
		fprintf(stderr, "slipway runs: %s\n", err.buf);
		goto out;
	}
	for (size_t i = ids.nr; i-- > 0;) {
		struct val run;
		struct strbuf rerr = STRBUF_INIT;

		if (rundir_read(&run, &a, state.buf, ids.items[i], &rerr) == 0)
			val_array_push(&a, all, runs_row(&a, ids.items[i], run));
		strbuf_release(&rerr);
	}
	for (size_t i = 0; i < all.u.array->nr && rows.u.array->nr < (size_t)limit; i++)
		if (!filter || !strcmp(rundir_str(all.u.array->items[i], "result"), filter))
			val_array_push(&a, rows, all.u.array->items[i]);
	if (json) {
		json_write(&out, rows, JSON_PRETTY);
		puts(out.buf);
	} else {
		runs_print(rows);
	}
	ret = EXITCODE_OK;
out:
	strbuf_release(&err);
	strbuf_release(&state);
	strbuf_release(&out);
	strlist_release(&ids);
	arena_release(&a);
	return ret;
}
