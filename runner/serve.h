/*
 * serve: the self-hosted CD daemon behind `slipway serve`. It watches
 * repositories (polling with libgit2, `slipway trigger`, signed webhooks),
 * queues a run per new commit, runs each as a child `slipway run` on a
 * private checkout with bounded concurrency, follows the run directory
 * into the history, and serves the dashboard, the JSON API, live logs and
 * approvals on one HTTP port. It never executes jobs itself.
 *
 * This header is shared by the runner/serve*.c files only; cmd_serve.c
 * uses serve_config, serve_new, serve_run and serve_free.
 */
#ifndef RUNNER_SERVE_H
#define RUNNER_SERVE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "runner/history.h"
#include "util/http.h"
#include "util/loop.h"
#include "util/strbuf.h"
#include "util/strlist.h"

/* What `slipway serve` was told; strings are borrowed for the daemon's life. */
struct serve_config {
	const char *state;              /* absolute state directory */
	const char *listen;             /* HOST:PORT */
	const struct strlist *repos;    /* "PATH[=NAME]" each */
	const struct strlist *reviewers;        /* "[ENV=]NAME:TOKEN" each */
	const char *webhook_secret;     /* NULL: webhooks refused */
	const char *runner;             /* the program run as `RUNNER run ...` */
	const char *backend;            /* --backend for every run (NULL: run's default) */
	int concurrency;                /* runs at once (>= 1) */
	int poll_seconds;               /* 0: no periodic polling */
};

struct serve_repo {
	struct serve *s;
	char *name, *path;
	uint64_t timer;
	pid_t poll_pid;                 /* a poll under way, or 0 */
	int poll_again;                 /* poll once more when this one ends */
	int poll_triggered;             /* a trigger asked for this poll: runs say "trigger" */
	struct strlist forced;          /* refs to build even when seen (from triggers) */
	struct strbuf poll_out;
	int poll_fd;
};

struct serve_reviewer {
	char *env;                      /* NULL: where .slipway.yml names this reviewer */
	char *name;
	unsigned char token_hash[32];   /* sha256 of the token: compared in constant time */
};

enum serve_phase {
	SERVE_CHECKOUT,                 /* the private checkout is being written */
	SERVE_RUNNING,                  /* `slipway run` (or --resume) is going */
};

struct serve_run {
	struct serve *s;
	char *id;
	enum serve_phase phase;
	pid_t pid;
	struct strbuf checkout;         /* the checkout directory */
	struct strbuf err;              /* the checkout's messages */
	int err_fd;
	uint64_t follow_timer;
	long long seen_mtime_ns, seen_size;     /* run.json as last ingested */
	int cancel_sent;
};

struct serve {
	struct serve_config cfg;
	struct loop *loop;
	struct http_server *http;
	struct history *h;
	struct serve_repo *repos;
	size_t nr_repos;
	struct serve_reviewer *reviewers;
	size_t nr_reviewers;
	struct serve_run **active;
	size_t nr_active, alloc_active;
	uint64_t waiting_timer;
	int trigger_fd, lock_fd;
	int stopping;
	uint64_t stop_deadline;
	struct strbuf self;             /* our own executable, for `slipway prune` */
};

/* --- serve.c: lifecycle --- */

/* Open the state (lock, history, recovery), bind the port, start watching. */
int serve_new(struct serve **out, const struct serve_config *cfg, struct strbuf *err);
/* Run until SIGINT/SIGTERM and a graceful stop. Returns 0, or -1. */
int serve_run(struct serve *s);
void serve_free(struct serve *s);
/* A line on stderr: "serve: ..." */
void serve_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* --- serve_repo.c: repositories, polling, triggers, webhooks --- */

int serve_repos_init(struct serve *s, struct strbuf *err);
void serve_repos_release(struct serve *s);
/* Poll repo now (once more after the poll under way); force_ref: build it even if seen. */
void serve_repo_poll(struct serve *s, struct serve_repo *r, const char *force_ref);
/* The repository called name, or whose path is path; NULL when none. */
struct serve_repo *serve_repo_find(struct serve *s, const char *name_or_path);
/* Read and remove the trigger files in <state>/triggers. */
void serve_triggers_drain(struct serve *s);
/* Queue a run of sha on ref; returns 1 when queued (id set), 0 when already seen. */
int serve_queue_commit(struct serve *s, struct serve_repo *r, const char *ref, const char *sha,
		       const char *trigger, int force, struct strbuf *id, struct strbuf *err);

/* --- serve_run.c: the queue and the runs' processes --- */

/* Start queued runs while there is room. */
void serve_schedule(struct serve *s);
/* Continue a run that ended waiting (its decision is on disk). */
int serve_resume(struct serve *s, const char *id, struct strbuf *err);
/* The active run with this id, or NULL. */
struct serve_run *serve_active_find(struct serve *s, const char *id);
/* On start: interrupt what a dead daemon left running (processes killed, containers pruned). */
int serve_recover(struct serve *s, struct strbuf *err);
/* Ask every active run to stop (SIGTERM, then SIGKILL after the deadline). */
void serve_runs_stop(struct serve *s, int sig);
/* Check waiting runs for decisions written by the API or `slipway approve`. */
void serve_waiting_check(struct serve *s);

/* --- serve_review.c: reviewers and approvals --- */

int serve_reviewers_init(struct serve *s, struct strbuf *err);
void serve_reviewers_release(struct serve *s);
/* The names of env's reviewers (the server's and repo's .slipway.yml's), appended to out. */
void serve_reviewers_for(struct serve *s, struct strlist *out, const char *repo, const char *env);
/*
 * Decide env in run id with the bearer token (NULL when none). Returns
 * an HTTP status: 200 with the reviewer's name in msg, or an error
 * status with the reason in msg.
 */
int serve_decide(struct serve *s, const char *id, const char *env, const char *decision,
		 const char *token, const char *comment, struct strbuf *msg);

/* --- serve_api.c: the HTTP routes --- */

extern const struct http_route serve_routes[];
extern const size_t serve_nr_routes;

/* --- serve_assets.c: the embedded dashboard --- */

struct serve_asset {
	const char *path;               /* "/assets/app.js" */
	const char *type;
	const unsigned char *data;
	size_t len;
};

/* The asset served at path, or NULL. */
const struct serve_asset *serve_asset_find(const char *path);

#endif
