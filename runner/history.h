/*
 * history: the daemon's record in SQLite (WAL mode; the only file that
 * includes sqlite3.h): repositories and the branch heads seen, runs with
 * their jobs, steps, approvals and deployments, and webhook deliveries.
 * Runs are ingested from their run directory (idempotent: ingesting the
 * same run.json again updates the rows). Answers for the API come back
 * as struct val in the caller's arena. It starts and watches nothing.
 *
 * Run status (the daemon's view): queued, running, waiting, done; result
 * (run.json's): null, success, failure, cancelled, waiting, interrupted.
 * Functions returning int give 0 (or a count / 1 for found) or -1 with
 * a message in err.
 */
#ifndef RUNNER_HISTORY_H
#define RUNNER_HISTORY_H

#include <stddef.h>

#include "util/arena.h"
#include "util/strbuf.h"
#include "util/strlist.h"
#include "util/value.h"

struct history;

/* Open (creating and migrating) the database at path. Free with history_free. */
int history_open(struct history **out, const char *path, struct strbuf *err);
void history_free(struct history *h);

/* Record a watched repository (name unique; the path may change). */
int history_repo_set(struct history *h, const char *name, const char *path, struct strbuf *err);

/*
 * The commit last seen on repo's ref: 1 with sha set, 0 when never seen.
 * history_heads_seen says whether the repository was ever looked at.
 */
int history_head_get(struct history *h, struct strbuf *sha, const char *repo, const char *ref,
		     struct strbuf *err);
int history_head_set(struct history *h, const char *repo, const char *ref, const char *sha,
		     struct strbuf *err);
int history_heads_seen(struct history *h, const char *repo, struct strbuf *err);

struct history_new_run {
	const char *id, *repo, *ref, *sha, *event;
	const char *trigger;            /* "poll", "trigger", "webhook" */
};

/* Add a queued run. */
int history_run_queue(struct history *h, const struct history_new_run *r, struct strbuf *err);
/*
 * Add a run the daemon did not queue (found in the state directory), with
 * status "waiting" or "done"; history_ingest fills in the rest. An id
 * already known is left alone.
 */
int history_run_adopt(struct history *h, const char *id, const char *repo, const char *status,
		      struct strbuf *err);
/* The oldest queued run's id into id: 1, or 0 when none is queued. */
int history_next_queued(struct history *h, struct strbuf *id, struct strbuf *err);
/* Ids of the runs with this status, oldest first (appended to out). */
int history_runs_with_status(struct history *h, struct strlist *out, const char *status,
			     struct strbuf *err);
/*
 * The run's repository, ref, sha and event for starting it (strings in
 * a): 1, or 0 when there is no such run.
 */
int history_run_get(struct history *h, struct val *out, struct arena *a, const char *id,
		    struct strbuf *err);
/* The process of the run started: status running, pid and spawned_at set. */
int history_run_spawned(struct history *h, const char *id, long pid, struct strbuf *err);
/*
 * Set the daemon's view: status, and result and message when not NULL.
 * A "done" run without a finish time gets one.
 */
int history_run_set(struct history *h, const char *id, const char *status, const char *result,
		    const char *message, struct strbuf *err);

/*
 * Read <state>/runs/<id>/ (run.json and the decisions in approvals/) into the rows of
 * run id. The run's status follows run.json's result unless the daemon
 * marked it done. Returns 0, or -1 (a missing or unreadable run.json).
 */
int history_ingest(struct history *h, const char *state, const char *id, struct strbuf *err);

/*
 * Restart recovery: every run left "running" becomes done/interrupted
 * (and its unfinished jobs too); their ids are appended to out.
 */
int history_recover(struct history *h, struct strlist *out, struct strbuf *err);

/*
 * Record an approval decision. Returns 0, or -2 when this reviewer
 * already decided for this run and environment (err says so).
 */
int history_approval_add(struct history *h, const char *run, const char *env,
			 const char *decision, const char *by, const char *at,
			 const char *comment, struct strbuf *err);

struct history_delivery {
	const char *source, *event, *id, *repo, *ref, *after;
	int status;                     /* the HTTP status answered */
	const char *message;
	const char *run;                /* the run queued, or NULL */
};

int history_delivery_add(struct history *h, const struct history_delivery *d,
			 struct strbuf *err);

struct history_filter {
	const char *state;      /* a status or a result; NULL: any */
	const char *repo;       /* NULL: any */
	size_t limit, offset;   /* limit 0: 50 */
};

/* {"runs": [...], "total": N}, newest first. */
int history_list_runs(struct val *out, struct arena *a, struct history *h,
		      const struct history_filter *f, struct strbuf *err);
/*
 * The run with "jobs" (each with "steps"), "waiting" ([{job, environment,
 * url}] for jobs waiting on approval), and "approvals". 1, or 0 when
 * there is no such run.
 */
int history_run_detail(struct val *out, struct arena *a, struct history *h, const char *id,
		       struct strbuf *err);
/*
 * Per environment and repository, by environment: {"environments":
 * [{"name", "repo", "current", "previous", "history": [...]}]}; current
 * and previous are the last two successful deployments.
 */
int history_deployments(struct val *out, struct arena *a, struct history *h,
			struct strbuf *err);
/* Recent webhook deliveries, newest first: {"deliveries": [...]} */
int history_deliveries(struct val *out, struct arena *a, struct history *h, size_t limit,
		       struct strbuf *err);

#endif
