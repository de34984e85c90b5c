/*
 * history: the SQLite schema and its migrations (by user_version), the
 * ingest of a run directory into rows, restart recovery, and the queries
 * behind the API, answered as struct val. The only file that includes
 * sqlite3.h; what the rows mean to the daemon is serve's.
 */
#include "runner/history.h"
#include "runner/rundir.h"
#include "util/json.h"
#include "util/xalloc.h"

#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct history {
	sqlite3 *db;
};

/* Migration n takes the schema from user_version n to n + 1. */
static const char *const history_migrations[] = {
	"CREATE TABLE repos(name TEXT PRIMARY KEY, path TEXT NOT NULL, added_at TEXT NOT NULL);"
	"CREATE TABLE heads(repo TEXT NOT NULL, ref TEXT NOT NULL, sha TEXT NOT NULL,"
	" seen_at TEXT NOT NULL, PRIMARY KEY(repo, ref));"
	"CREATE TABLE runs(seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,"
	" repo TEXT, ref TEXT, branch TEXT, sha TEXT, event TEXT, trigger TEXT,"
	" status TEXT NOT NULL, result TEXT, message TEXT, queued_at TEXT, spawned_at TEXT,"
	" started_at TEXT, finished_at TEXT, duration_ms INTEGER, pid INTEGER, workflows TEXT);"
	"CREATE INDEX runs_status ON runs(status, seq);"
	"CREATE INDEX runs_result ON runs(result, seq);"
	"CREATE TABLE jobs(run_id TEXT NOT NULL, key TEXT NOT NULL, position INTEGER,"
	" workflow TEXT, job_id TEXT, name TEXT, matrix TEXT, needs TEXT, status TEXT,"
	" result TEXT, environment TEXT, environment_url TEXT, protected INTEGER,"
	" waiting_for TEXT, started_at TEXT, finished_at TEXT, duration_ms INTEGER,"
	" outputs TEXT, PRIMARY KEY(run_id, key));"
	"CREATE TABLE steps(run_id TEXT NOT NULL, job_key TEXT NOT NULL, position INTEGER NOT NULL,"
	" step_id TEXT, name TEXT, status TEXT, outcome TEXT, conclusion TEXT,"
	" duration_ms INTEGER, outputs TEXT, PRIMARY KEY(run_id, job_key, position));"
	"CREATE TABLE approvals(seq INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL,"
	" environment TEXT NOT NULL, decision TEXT NOT NULL, by_name TEXT NOT NULL, at TEXT,"
	" comment TEXT, UNIQUE(run_id, environment, by_name));"
	"CREATE TABLE deployments(run_id TEXT NOT NULL, job_key TEXT NOT NULL, repo TEXT,"
	" environment TEXT NOT NULL, url TEXT, sha TEXT, ref TEXT, result TEXT, at TEXT,"
	" PRIMARY KEY(run_id, job_key));"
	"CREATE INDEX deployments_env ON deployments(environment, at);"
	"CREATE TABLE deliveries(seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT, source TEXT,"
	" event TEXT, delivery TEXT, repo TEXT, ref TEXT, after TEXT, status INTEGER,"
	" message TEXT, run_id TEXT);",
};

/* Columns holding JSON text, returned as values rather than strings. */
static const char *const history_json_columns[] = { "matrix", "needs", "outputs", "workflows" };

static int history_fail(struct history *h, struct strbuf *err, const char *what)
{
	strbuf_addf(err, "history: %s: %s", what, sqlite3_errmsg(h->db));
	return -1;
}

static int history_exec(struct history *h, const char *sql, struct strbuf *err)
{
	char *msg = NULL;

	if (sqlite3_exec(h->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		strbuf_addf(err, "history: %s", msg ? msg : sqlite3_errmsg(h->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int history_prepare(struct history *h, sqlite3_stmt **st, const char *sql,
			   struct strbuf *err)
{
	if (sqlite3_prepare_v2(h->db, sql, -1, st, NULL) != SQLITE_OK)
		return history_fail(h, err, "cannot prepare a statement");
	return 0;
}

/* Bind NULL-able strings to ?1..?n. */
static void history_bind(sqlite3_stmt *st, int n, const char *const *v)
{
	for (int i = 0; i < n; i++)
		if (v[i])
			sqlite3_bind_text(st, i + 1, v[i], -1, SQLITE_TRANSIENT);
		else
			sqlite3_bind_null(st, i + 1);
}

/* Run a statement without rows with string parameters. */
static int history_run(struct history *h, const char *sql, int n, const char *const *v,
		       struct strbuf *err)
{
	sqlite3_stmt *st;
	int rc;

	if (history_prepare(h, &st, sql, err) < 0)
		return -1;
	history_bind(st, n, v);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return history_fail(h, err, "cannot write");
	return 0;
}

int history_open(struct history **out, const char *path, struct strbuf *err)
{
	struct history *h = xcalloc(1, sizeof(*h));
	sqlite3_stmt *st = NULL;
	int version = 0;
	size_t nr = sizeof(history_migrations) / sizeof(*history_migrations);

	if (sqlite3_open_v2(path, &h->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		strbuf_addf(err, "cannot open the history '%s': %s", path,
			    h->db ? sqlite3_errmsg(h->db) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(h->db, 5000);
	if (history_exec(h, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
			    "PRAGMA foreign_keys=ON;", err) < 0 ||
	    history_prepare(h, &st, "PRAGMA user_version", err) < 0)
		goto fail;
	if (sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (version > (int)nr) {
		strbuf_addf(err, "the history '%s' is from a newer slipway (schema %d, this one knows %zu)",
			    path, version, nr);
		goto fail;
	}
	for (size_t v = (size_t)version; v < nr; v++) {
		char pragma[64];

		snprintf(pragma, sizeof(pragma), "PRAGMA user_version=%zu;", v + 1);
		if (history_exec(h, "BEGIN IMMEDIATE", err) < 0)
			goto fail;
		if (history_exec(h, history_migrations[v], err) < 0 ||
		    history_exec(h, pragma, err) < 0 || history_exec(h, "COMMIT", err) < 0) {
			history_exec(h, "ROLLBACK", err);
			goto fail;
		}
	}
	*out = h;
	return 0;
fail:
	history_free(h);
	return -1;
}

void history_free(struct history *h)
{
	if (!h)
		return;
	sqlite3_close(h->db);
	free(h);
}

int history_repo_set(struct history *h, const char *name, const char *path, struct strbuf *err)
{
	char now[RUNDIR_ISO_LEN];
	const char *v[] = { name, path, now };

	rundir_now_iso(now);
	return history_run(h, "INSERT INTO repos(name, path, added_at) VALUES(?1, ?2, ?3)"
			      " ON CONFLICT(name) DO UPDATE SET path = excluded.path", 3, v, err);
}

/* One text column of the first row: 1 with out set, 0 without a row. */
static int history_query_text(struct history *h, struct strbuf *out, const char *sql, int n,
			      const char *const *v, struct strbuf *err)
{
	sqlite3_stmt *st;
	int rc;

	if (history_prepare(h, &st, sql, err) < 0)
		return -1;
	history_bind(st, n, v);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(st, 0);

		if (out) {
			strbuf_reset(out);
			strbuf_addstr(out, t ? (const char *)t : "");
		}
		rc = 1;
	} else if (rc == SQLITE_DONE) {
		rc = 0;
	} else {
		rc = history_fail(h, err, "cannot read");
	}
	sqlite3_finalize(st);
	return rc;
}

int history_head_get(struct history *h, struct strbuf *sha, const char *repo, const char *ref,
		     struct strbuf *err)
{
	const char *v[] = { repo, ref };

	return history_query_text(h, sha, "SELECT sha FROM heads WHERE repo = ?1 AND ref = ?2", 2,
				  v, err);
}

int history_head_set(struct history *h, const char *repo, const char *ref, const char *sha,
		     struct strbuf *err)
{
	char now[RUNDIR_ISO_LEN];
	const char *v[] = { repo, ref, sha, now };

	rundir_now_iso(now);
	return history_run(h, "INSERT INTO heads(repo, ref, sha, seen_at) VALUES(?1, ?2, ?3, ?4)"
			      " ON CONFLICT(repo, ref) DO UPDATE SET sha = excluded.sha,"
			      " seen_at = excluded.seen_at", 4, v, err);
}

int history_heads_seen(struct history *h, const char *repo, struct strbuf *err)
{
	const char *v[] = { repo };

	return history_query_text(h, NULL, "SELECT ref FROM heads WHERE repo = ?1 LIMIT 1", 1, v,
				  err);
}

int history_run_queue(struct history *h, const struct history_new_run *r, struct strbuf *err)
{
	char now[RUNDIR_ISO_LEN];
	const char *branch = !strncmp(r->ref, "refs/heads/", 11) ? r->ref + 11 : r->ref;
	const char *v[] = { r->id, r->repo, r->ref, branch, r->sha, r->event, r->trigger, now };

	rundir_now_iso(now);
	return history_run(h, "INSERT INTO runs(id, repo, ref, branch, sha, event, trigger, status,"
			      " queued_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, 'queued', ?8)", 8, v,
			   err);
}

int history_run_adopt(struct history *h, const char *id, const char *repo, const char *status,
		      struct strbuf *err)
{
	char now[RUNDIR_ISO_LEN];
	const char *v[] = { id, repo, status, now };

	rundir_now_iso(now);
	return history_run(h, "INSERT OR IGNORE INTO runs(id, repo, status, trigger, queued_at)"
			      " VALUES(?1, ?2, ?3, 'import', ?4)", 4, v, err);
}

int history_next_queued(struct history *h, struct strbuf *id, struct strbuf *err)
{
	return history_query_text(h, id, "SELECT id FROM runs WHERE status = 'queued'"
				  " ORDER BY seq LIMIT 1", 0, NULL, err);
}

int history_runs_with_status(struct history *h, struct strlist *out, const char *status,
			     struct strbuf *err)
{
	sqlite3_stmt *st;
	int rc;

	if (history_prepare(h, &st, "SELECT id FROM runs WHERE status = ?1 ORDER BY seq", err) < 0)
		return -1;
	history_bind(st, 1, &status);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		strlist_push(out, (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : history_fail(h, err, "cannot read");
}

int history_run_spawned(struct history *h, const char *id, long pid, struct strbuf *err)
{
	char now[RUNDIR_ISO_LEN], spid[32];
	const char *v[] = { id, spid, now };

	rundir_now_iso(now);
	snprintf(spid, sizeof(spid), "%ld", pid);
	return history_run(h, "UPDATE runs SET status = 'running', pid = ?2,"
			      " spawned_at = COALESCE(spawned_at, ?3) WHERE id = ?1", 3, v, err);
}

int history_run_set(struct history *h, const char *id, const char *status, const char *result,
		    const char *message, struct strbuf *err)
{
	char now[RUNDIR_ISO_LEN];
	const char *v[] = { id, status, result, message, now };

	rundir_now_iso(now);
	return history_run(h, "UPDATE runs SET status = ?2, result = COALESCE(?3, result),"
			      " message = COALESCE(?4, message),"
			      " finished_at = CASE WHEN ?2 = 'done' THEN COALESCE(finished_at, ?5)"
			      " ELSE finished_at END WHERE id = ?1", 5, v, err);
}

/* --- rows as values --- */

static struct val history_column(struct arena *a, sqlite3_stmt *st, int i)
{
	const char *name = sqlite3_column_name(st, i);
	struct strbuf err = STRBUF_INIT;
	struct val v;

	switch (sqlite3_column_type(st, i)) {
	case SQLITE_INTEGER:
		return val_number((double)sqlite3_column_int64(st, i));
	case SQLITE_FLOAT:
		return val_number(sqlite3_column_double(st, i));
	case SQLITE_NULL:
		return val_null();
	default:
		break;
	}
	for (size_t k = 0; k < sizeof(history_json_columns) / sizeof(*history_json_columns); k++) {
		if (strcmp(name, history_json_columns[k]))
			continue;
		if (json_parse(&v, a, (const char *)sqlite3_column_text(st, i),
			       (size_t)sqlite3_column_bytes(st, i), &err) == 0) {
			strbuf_release(&err);
			return v;
		}
		strbuf_release(&err);
		return val_null();
	}
	return val_string(a, (const char *)sqlite3_column_text(st, i),
			  (size_t)sqlite3_column_bytes(st, i));
}

/* The current row as an object of its columns. */
static struct val history_row(struct arena *a, sqlite3_stmt *st)
{
	struct val obj = val_new_object(a);

	for (int i = 0; i < sqlite3_column_count(st); i++)
		val_object_setstr(a, obj, sqlite3_column_name(st, i), history_column(a, st, i));
	return obj;
}

/* Every row of sql (string parameters) pushed onto the array arr. */
static int history_rows(struct history *h, struct arena *a, struct val arr, const char *sql,
			int n, const char *const *v, struct strbuf *err)
{
	sqlite3_stmt *st;
	int rc;

	if (history_prepare(h, &st, sql, err) < 0)
		return -1;
	history_bind(st, n, v);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		val_array_push(a, arr, history_row(a, st));
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : history_fail(h, err, "cannot read");
}

int history_run_get(struct history *h, struct val *out, struct arena *a, const char *id,
		    struct strbuf *err)
{
	struct val arr = val_new_array(a);
	const char *v[] = { id };

	if (history_rows(h, a, arr, "SELECT id, repo, ref, sha, event, status, result, pid"
			 " FROM runs WHERE id = ?1", 1, v, err) < 0)
		return -1;
	if (!arr.u.array->nr)
		return 0;
	*out = arr.u.array->items[0];
	return 1;
}

/* --- ingest --- */

static const char *history_json_text(struct strbuf *sb, struct val *v)
{
	strbuf_reset(sb);
	if (!v)
		return NULL;
	json_write(sb, *v, 0);
	return sb->buf;
}

static const char *history_number_text(char *buf, size_t n, struct val *v)
{
	if (!v || v->kind != VAL_NUMBER)
		return NULL;
	snprintf(buf, n, "%.0f", v->u.number);
	return buf;
}

static int history_ingest_steps(struct history *h, const char *run, const char *key,
				struct val *steps, struct strbuf *err)
{
	const char *del[] = { run, key };
	struct strbuf outputs = STRBUF_INIT;
	int rc;

	rc = history_run(h, "DELETE FROM steps WHERE run_id = ?1 AND job_key = ?2", 2, del, err);
	for (size_t i = 0; rc == 0 && steps && steps->kind == VAL_ARRAY && i < steps->u.array->nr;
	     i++) {
		struct val s = steps->u.array->items[i];
		char pos[32], dur[32];
		const char *v[10];

		snprintf(pos, sizeof(pos), "%zu", i);
		v[0] = run;
		v[1] = key;
		v[2] = pos;
		v[3] = rundir_str(s, "id");
		v[4] = rundir_str(s, "name");
		v[5] = rundir_str(s, "status");
		v[6] = rundir_str(s, "outcome");
		v[7] = rundir_str(s, "conclusion");
		v[8] = history_number_text(dur, sizeof(dur), val_object_getstr(s, "duration_ms"));
		v[9] = history_json_text(&outputs, val_object_getstr(s, "outputs"));
		rc = history_run(h, "INSERT INTO steps VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
				 10, v, err);
	}
	strbuf_release(&outputs);
	return rc;
}

static int history_ingest_job(struct history *h, struct val run, const char *id, size_t pos,
			      struct val job, struct strbuf *err)
{
	struct strbuf matrix = STRBUF_INIT, needs = STRBUF_INIT, outputs = STRBUF_INIT;
	struct val *env = val_object_getstr(job, "environment");
	struct val *prot = env ? val_object_getstr(*env, "protected") : NULL;
	const char *key = rundir_str(job, "key"), *status = rundir_str(job, "status");
	char spos[32], dur[32];
	const char *v[18];
	int rc;

	if (!key || !rundir_valid_name(key)) {
		strbuf_addf(err, "run '%s' has a job without a valid 'key'", id);
		return -1;
	}
	snprintf(spos, sizeof(spos), "%zu", pos);
	v[0] = id;
	v[1] = key;
	v[2] = spos;
	v[3] = rundir_str(job, "workflow");
	v[4] = rundir_str(job, "id");
	v[5] = rundir_str(job, "name");
	v[6] = history_json_text(&matrix, val_object_getstr(job, "matrix"));
	v[7] = history_json_text(&needs, val_object_getstr(job, "needs"));
	v[8] = status;
	v[9] = rundir_str(job, "result");
	v[10] = env && env->kind == VAL_OBJECT ? rundir_str(*env, "name") : NULL;
	v[11] = env && env->kind == VAL_OBJECT ? rundir_str(*env, "url") : NULL;
	v[12] = prot && prot->kind == VAL_BOOL ? (prot->u.boolean ? "1" : "0") : NULL;
	v[13] = rundir_str(job, "waiting_for");
	v[14] = rundir_str(job, "started_at");
	v[15] = rundir_str(job, "finished_at");
	v[16] = history_number_text(dur, sizeof(dur), val_object_getstr(job, "duration_ms"));
	v[17] = history_json_text(&outputs, val_object_getstr(job, "outputs"));
	rc = history_run(h, "INSERT OR REPLACE INTO jobs VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
			    " ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)", 18, v, err);
	if (rc == 0)
		rc = history_ingest_steps(h, id, key, val_object_getstr(job, "steps"), err);
	if (rc == 0 && v[10] && status && !strcmp(status, "done")) {
		const char *d[] = { id, key, rundir_str(run, "repository"), v[10], v[11],
				    rundir_str(run, "sha"), rundir_str(run, "ref"), v[9], v[15] };

		rc = history_run(h, "INSERT OR REPLACE INTO deployments VALUES(?1, ?2,"
				    " (SELECT repo FROM runs WHERE id = ?1), ?4, ?5,"
				    " COALESCE((SELECT sha FROM runs WHERE id = ?1), ?6),"
				    " COALESCE((SELECT ref FROM runs WHERE id = ?1), ?7), ?8, ?9)",
				 9, d, err);
	}
	strbuf_release(&matrix);
	strbuf_release(&needs);
	strbuf_release(&outputs);
	return rc;
}

static int history_ingest_approvals(struct history *h, const char *state, const char *id,
				    struct strbuf *err)
{
	struct strbuf dir = STRBUF_INIT, path = STRBUF_INIT, perr = STRBUF_INIT;
	struct arena a = ARENA_INIT;
	struct dirent *de;
	DIR *d;
	int rc = 0;

	rundir_path(&dir, state, id, "approvals");
	d = opendir(dir.buf);
	while (d && rc == 0 && (de = readdir(d))) {
		size_t n = strlen(de->d_name);
		struct val dec;
		char *env;

		if (de->d_name[0] == '.' || n < 6 || strcmp(de->d_name + n - 5, ".json"))
			continue;
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", dir.buf, de->d_name);
		if (json_parse_file(&dec, &a, path.buf, &perr) < 0 || dec.kind != VAL_OBJECT) {
			strbuf_reset(&perr);
			continue;
		}
		env = arena_strndup(&a, de->d_name, n - 5);
		if (rundir_str(dec, "decision") && rundir_str(dec, "by")) {
			const char *v[] = { id, env, rundir_str(dec, "decision"), rundir_str(dec, "by"),
					    rundir_str(dec, "at"), rundir_str(dec, "comment") };

			rc = history_run(h, "INSERT OR IGNORE INTO approvals(run_id, environment,"
					    " decision, by_name, at, comment) VALUES(?1, ?2, ?3, ?4,"
					    " ?5, ?6)", 6, v, err);
		}
	}
	if (d)
		closedir(d);
	strbuf_release(&dir);
	strbuf_release(&path);
	strbuf_release(&perr);
	arena_release(&a);
	return rc;
}

int history_ingest(struct history *h, const char *state, const char *id, struct strbuf *err)
{
	struct arena a = ARENA_INIT;
	struct strbuf workflows = STRBUF_INIT;
	struct val run, *jobs;
	char dur[32], pid[32];
	int rc = -1;

	if (rundir_read(&run, &a, state, id, err) < 0)
		goto out;
	if (history_exec(h, "BEGIN IMMEDIATE", err) < 0)
		goto out;
	{
		const char *result = rundir_str(run, "result");
		const char *v[] = { id, result, rundir_str(run, "started_at"),
				    rundir_str(run, "finished_at"),
				    history_number_text(dur, sizeof(dur),
							val_object_getstr(run, "duration_ms")),
				    history_number_text(pid, sizeof(pid), val_object_getstr(run, "pid")),
				    history_json_text(&workflows, val_object_getstr(run, "workflows")),
				    rundir_str(run, "event"), rundir_str(run, "ref"),
				    rundir_str(run, "sha") };

		rc = history_run(h, "UPDATE runs SET"
				    " status = CASE WHEN status = 'done' THEN 'done'"
				    "  WHEN ?2 = 'running' THEN 'running' WHEN ?2 = 'waiting' THEN 'waiting'"
				    "  WHEN ?2 IS NULL THEN status ELSE 'done' END,"
				    " result = CASE WHEN status = 'done' AND result IS NOT NULL THEN result"
				    "  WHEN ?2 = 'running' THEN NULL ELSE ?2 END,"
				    " started_at = COALESCE(?3, started_at), finished_at = ?4,"
				    " duration_ms = ?5, pid = COALESCE(?6, pid), workflows = ?7,"
				    " event = COALESCE(event, ?8), ref = COALESCE(ref, ?9),"
				    " branch = COALESCE(branch, CASE WHEN ?9 LIKE 'refs/heads/%'"
				    "  THEN substr(?9, 12) ELSE ?9 END),"
				    " sha = COALESCE(sha, ?10) WHERE id = ?1", 10, v, err);
	}
	jobs = val_object_getstr(run, "jobs");
	for (size_t i = 0; rc == 0 && jobs && jobs->kind == VAL_ARRAY && i < jobs->u.array->nr; i++)
		rc = history_ingest_job(h, run, id, i, jobs->u.array->items[i], err);
	if (rc == 0)
		rc = history_ingest_approvals(h, state, id, err);
	if (rc == 0)
		rc = history_exec(h, "COMMIT", err);
	else
		history_exec(h, "ROLLBACK", err);
out:
	strbuf_release(&workflows);
	arena_release(&a);
	return rc;
}

int history_recover(struct history *h, struct strlist *out, struct strbuf *err)
{
	char now[RUNDIR_ISO_LEN];
	const char *v[] = { now };
	size_t before = out->nr;

	rundir_now_iso(now);
	/* a run that never got its process had only begun its checkout: queue it again */
	if (history_run(h, "UPDATE runs SET status = 'queued' WHERE status = 'running'"
			   " AND pid IS NULL", 0, NULL, err) < 0 ||
	    history_runs_with_status(h, out, "running", err) < 0)
		return -1;
	if (out->nr == before)
		return 0;
	if (history_exec(h, "BEGIN IMMEDIATE", err) < 0)
		return -1;
	if (history_run(h, "UPDATE jobs SET status = 'done', result = COALESCE(result, 'cancelled')"
			   " WHERE status != 'done' AND run_id IN"
			   " (SELECT id FROM runs WHERE status = 'running')", 0, NULL, err) < 0 ||
	    history_run(h, "UPDATE runs SET status = 'done', result = 'interrupted',"
			   " message = 'the daemon stopped while the run was going',"
			   " finished_at = COALESCE(finished_at, ?1) WHERE status = 'running'",
			1, v, err) < 0 ||
	    history_exec(h, "COMMIT", err) < 0) {
		history_exec(h, "ROLLBACK", err);
		return -1;
	}
	return 0;
}

int history_approval_add(struct history *h, const char *run, const char *env,
			 const char *decision, const char *by, const char *at,
			 const char *comment, struct strbuf *err)
{
	const char *v[] = { run, env, decision, by, at, comment };
	struct strbuf old = STRBUF_INIT;
	int rc;

	rc = history_query_text(h, &old, "SELECT decision FROM approvals WHERE run_id = ?1"
				" AND environment = ?2 AND by_name = ?4", 4, v, err);
	if (rc == 1) {
		strbuf_addf(err, "reviewer '%s' already %s environment '%s' in run '%s'", by, old.buf,
			    env, run);
		rc = -2;
	} else if (rc == 0) {
		rc = history_run(h, "INSERT INTO approvals(run_id, environment, decision, by_name, at,"
				    " comment) VALUES(?1, ?2, ?3, ?4, ?5, ?6)", 6, v, err);
	}
	strbuf_release(&old);
	return rc;
}

int history_delivery_add(struct history *h, const struct history_delivery *d,
			 struct strbuf *err)
{
	char now[RUNDIR_ISO_LEN], status[16];
	const char *v[] = { now, d->source, d->event, d->id, d->repo, d->ref, d->after, status,
			    d->message, d->run };

	rundir_now_iso(now);
	snprintf(status, sizeof(status), "%d", d->status);
	return history_run(h, "INSERT INTO deliveries(at, source, event, delivery, repo, ref, after,"
			      " status, message, run_id) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
			      " ?10)", 10, v, err);
}

/* --- queries --- */

#define HISTORY_RUN_COLUMNS \
	"id, repo, ref, branch, sha, event, trigger, status, result," \
	" CASE WHEN status = 'done' THEN result ELSE status END AS state, message, queued_at," \
	" spawned_at, started_at, finished_at, duration_ms, workflows"

int history_list_runs(struct val *out, struct arena *a, struct history *h,
		      const struct history_filter *f, struct strbuf *err)
{
	static const char where[] =
		" WHERE (?1 IS NULL OR (CASE WHEN status = 'done' THEN result ELSE status END) = ?1)"
		" AND (?2 IS NULL OR repo = ?2)";
	struct strbuf sql = STRBUF_INIT, total = STRBUF_INIT;
	char limit[32], offset[32];
	const char *v[] = { f->state, f->repo, limit, offset };
	struct val runs = val_new_array(a);
	int rc;

	snprintf(limit, sizeof(limit), "%zu", f->limit ? f->limit : 50);
	snprintf(offset, sizeof(offset), "%zu", f->offset);
	strbuf_addf(&sql, "SELECT " HISTORY_RUN_COLUMNS " FROM runs%s ORDER BY seq DESC"
		    " LIMIT ?3 OFFSET ?4", where);
	rc = history_rows(h, a, runs, sql.buf, 4, v, err);
	strbuf_reset(&sql);
	strbuf_addf(&sql, "SELECT count(*) FROM runs%s", where);
	if (rc == 0)
		rc = history_query_text(h, &total, sql.buf, 2, v, err) < 0 ? -1 : 0;
	if (rc == 0) {
		*out = val_new_object(a);
		val_object_setstr(a, *out, "runs", runs);
		val_object_setstr(a, *out, "total", val_number(atof(total.buf)));
	}
	strbuf_release(&sql);
	strbuf_release(&total);
	return rc;
}

int history_run_detail(struct val *out, struct arena *a, struct history *h, const char *id,
		       struct strbuf *err)
{
	const char *v[] = { id };
	struct val arr = val_new_array(a), run, jobs = val_new_array(a),
		   waiting = val_new_array(a), approvals = val_new_array(a);

	if (history_rows(h, a, arr, "SELECT " HISTORY_RUN_COLUMNS ", pid FROM runs WHERE id = ?1",
			 1, v, err) < 0)
		return -1;
	if (!arr.u.array->nr)
		return 0;
	run = arr.u.array->items[0];
	if (history_rows(h, a, jobs, "SELECT key, workflow, job_id AS id, name, matrix, needs,"
			 " status, result, environment, environment_url, protected, waiting_for,"
			 " started_at, finished_at, duration_ms, outputs FROM jobs WHERE run_id = ?1"
			 " ORDER BY position", 1, v, err) < 0 ||
	    history_rows(h, a, waiting, "SELECT key AS job, environment, environment_url AS url"
			 " FROM jobs WHERE run_id = ?1 AND status = 'waiting'"
			 " AND waiting_for = 'approval' AND environment IS NOT NULL"
			 " AND (SELECT status FROM runs WHERE id = ?1) != 'done' ORDER BY position",
			 1, v, err) < 0 ||
	    history_rows(h, a, approvals, "SELECT environment, decision, by_name AS \"by\", at,"
			 " comment FROM approvals WHERE run_id = ?1 ORDER BY seq", 1, v, err) < 0)
		return -1;
	for (size_t i = 0; i < jobs.u.array->nr; i++) {
		struct val job = jobs.u.array->items[i], steps = val_new_array(a);
		const char *sv[] = { id, rundir_str(job, "key") };

		if (history_rows(h, a, steps, "SELECT step_id AS id, name, status, outcome,"
				 " conclusion, duration_ms, outputs FROM steps WHERE run_id = ?1"
				 " AND job_key = ?2 ORDER BY position", 2, sv, err) < 0)
			return -1;
		val_object_setstr(a, job, "steps", steps);
	}
	val_object_setstr(a, run, "jobs", jobs);
	val_object_setstr(a, run, "waiting", waiting);
	val_object_setstr(a, run, "approvals", approvals);
	*out = run;
	return 1;
}

int history_deployments(struct val *out, struct arena *a, struct history *h,
			struct strbuf *err)
{
	struct val names = val_new_array(a), envs = val_new_array(a);

	if (history_rows(h, a, names, "SELECT DISTINCT environment AS name, repo FROM deployments"
			 " ORDER BY environment, repo", 0, NULL, err) < 0)
		return -1;
	for (size_t i = 0; i < names.u.array->nr; i++) {
		struct val env = names.u.array->items[i], hist = val_new_array(a),
			   ok = val_new_array(a);
		const char *v[] = { rundir_str(env, "name"), rundir_str(env, "repo") };

		if (history_rows(h, a, hist, "SELECT run_id AS run, job_key AS job, url, sha, ref,"
				 " result, at FROM deployments WHERE environment = ?1 AND repo IS ?2"
				 " ORDER BY at DESC, rowid DESC LIMIT 50", 2, v, err) < 0)
			return -1;
		for (size_t k = 0; k < hist.u.array->nr; k++) {
			const char *r = rundir_str(hist.u.array->items[k], "result");

			if (r && !strcmp(r, "success"))
				val_array_push(a, ok, hist.u.array->items[k]);
		}
		val_object_setstr(a, env, "current", ok.u.array->nr > 0 ? ok.u.array->items[0]
									: val_null());
		val_object_setstr(a, env, "previous", ok.u.array->nr > 1 ? ok.u.array->items[1]
									 : val_null());
		val_object_setstr(a, env, "history", hist);
		val_array_push(a, envs, env);
	}
	*out = val_new_object(a);
	val_object_setstr(a, *out, "environments", envs);
	return 0;
}

int history_deliveries(struct val *out, struct arena *a, struct history *h, size_t limit,
		       struct strbuf *err)
{
	struct val arr = val_new_array(a);
	char lim[32];
	const char *v[] = { lim };

	snprintf(lim, sizeof(lim), "%zu", limit ? limit : 50);
	if (history_rows(h, a, arr, "SELECT at, source, event, delivery, repo, ref, after, status,"
			 " message, run_id AS run FROM deliveries ORDER BY seq DESC LIMIT ?1", 1, v,
			 err) < 0)
		return -1;
	*out = val_new_object(a);
	val_object_setstr(a, *out, "deliveries", arr);
	return 0;
}
