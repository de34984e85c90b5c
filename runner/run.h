/*
 * run: the state one `slipway run` shares between its modules — plan,
 * identity, directories, starting contexts, masker, loop, executor and
 * writers. A plain struct filled by runner/cmd_run.c (or a test), driven
 * by runner/sched.c.
 */
#ifndef RUNNER_RUN_H
#define RUNNER_RUN_H

#include <stdint.h>

#include "runner/config.h"
#include "runner/executor.h"
#include "runner/mask.h"
#include "runner/plan.h"
#include "util/loop.h"
#include "util/strlist.h"
#include "util/value.h"

struct runstate;
struct console;
struct approval;
struct concurrency;
struct actions_opts;

/* What the command line asked for how to run (set before sched_run). */
struct run_opts {
	int max_jobs;                   /* --jobs: legs running at once (>= 1) */
	int verbose;                    /* --verbose: ::debug:: lines, runner.debug */
	int interactive;                /* stdin and stderr are terminals: approvals are asked */
	const struct strlist *approve;  /* --approve ENV */
	const struct strlist *reject;   /* --reject ENV */
	const struct strlist *matrix;   /* --matrix KEY:VALUE (for deferred matrices) */
	uint64_t kill_after_ms[2];      /* cancellation: SIGINT -> SIGTERM -> SIGKILL (7500, 2500) */
	/* `uses:` steps (runner/job_uses.c) */
	const struct actions_opts *actions;     /* where actions are found; NULL: none can be */
	const char *self_exe;           /* this program, run as `slipway __stage` for stages */
	const char *checkout;           /* --checkout: "snapshot" (default) or "commit" */
	const char *cache_store;        /* actions/cache's store (SLIPWAY_CACHE_DIR) */
};

enum run_cancel {
	RUN_NOT_CANCELLED,
	RUN_CANCELLING,                 /* first Ctrl-C / SIGTERM: GitHub's sequence */
	RUN_KILLED,                     /* second: everything is killed at once */
};

struct run {
	struct plan plan;               /* its arena holds everything below that is not owned */
	/* identity and places (arena strings) */
	const char *id;                 /* "20260101-120000-abcd" */
	const char *dir;                /* <state>/runs/<id> */
	const char *state_dir;
	const char *snapshot;           /* <dir>/snapshot */
	const char *event_path;         /* <dir>/event.json: github.event for GITHUB_EVENT_PATH */
	const char *repository;         /* the repository's absolute path */
	const char *event_name, *ref, *sha;     /* sha NULL without a commit */
	int run_number;
	/* contexts known at the start (values in the plan's arena) */
	struct val github;              /* without the job-specific members */
	struct val vars, secrets, env_file;     /* vars, secrets, --env-file */
	struct val env_secrets;         /* environment name -> its secrets object (config) */
	struct val env_vars;            /* environment name -> its vars object */
	/* collaborators (borrowed) */
	struct mask *mask;
	const struct config *config;
	struct loop *loop;
	struct executor *exec;
	struct runstate *rs;
	struct console *con;
	struct approval *approval;
	struct concurrency *conc;
	struct run_opts opts;
	/* run time (runner/sched.c) */
	enum run_cancel cancel;
	enum plan_result result;
	uint64_t started_ms, finished_ms;       /* wall clock */
	size_t running;                 /* legs RUNNING */
	int finished;                   /* sched_run's loop may stop */
	/* runner/job.c calls this when a leg it started is done */
	void (*leg_done)(struct run *run, struct plan_leg *leg);
};

/* Milliseconds since the epoch (wall clock, for timestamps). */
uint64_t run_now_ms(void);

/* Append ms since the epoch as ISO-8601 UTC with milliseconds: "2026-01-01T12:00:00.123Z". */
void run_format_time(struct strbuf *out, uint64_t ms);

#endif
