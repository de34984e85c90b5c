/*
 * executor: the seam between the scheduler and what runs steps (the host,
 * Docker, a scripted fake): prepare a leg's directories, start a step as a
 * child with one output pipe, signal it, clean up. What runs, when, and
 * what output means are runner/job.c's, sched.c's and joblog.c's.
 */
#ifndef RUNNER_EXECUTOR_H
#define RUNNER_EXECUTOR_H

#include <sys/types.h>

#include "util/strbuf.h"
#include "util/value.h"

/*
 * The one rule every implementation keeps: a step is a child of this
 * process, its wait status is the step's exit status, and everything it
 * prints arrives, in order, on one pipe. Work that would block (the Docker
 * engine, copying a layer) is done by a forked helper (util/proc's
 * proc_start_fn) that is that child: it relays the output to the pipe,
 * exits with the step's exit code, and turns the signals it receives into
 * the engine's kill. So the scheduler's util/loop only watches children,
 * pipes and timers.
 *
 * Paths come in two views: where the step sees a directory (a container's
 * /github/workspace) and where this process reads and writes it (a
 * bind-mounted host directory). On the host both are the same.
 */
struct executor;

/* What prepare_job is told about the job leg. Valid during the call only. */
struct exec_job_spec {
	const char *key;            /* "ci.test.2": the run's name for the leg, file-system safe */
	const char *job_dir;        /* <run>/jobs/<key>: exists; output.log lives there */
	const char *snapshot;       /* <run>/snapshot: the repository as the run saw it */
	const char *event_path;     /* <run>/event.json: the payload GITHUB_EVENT_PATH names */
	struct val runs_on;         /* the evaluated `runs-on` (string, array or object) */
	struct val container;       /* the evaluated `container:` (null when absent) */
	struct val services;        /* the evaluated `services:` (null when absent) */
};

/* A started step: a child of this process. */
struct exec_step {
	pid_t pid;                  /* watch with loop_watch_child; its status is the step's */
	/*
	 * Read end of the output pipe (stdout and stderr merged, in order),
	 * non-blocking and close-on-exec; owned by the caller, who closes it.
	 * Background processes a step leaves behind may keep it open after
	 * the child has exited: the caller drains what is there when the
	 * child exits and may keep reading until the job finishes.
	 */
	int out;
};

/*
 * A prepared job leg. Filled by prepare_job; every string is owned by the
 * executor and valid until finish_job. The *_host paths are where this
 * process reads and writes the same directories (equal to the step view
 * on the host).
 */
struct exec_job {
	const char *workspace;      /* GITHUB_WORKSPACE as steps see it: a copy of the snapshot */
	const char *temp;           /* RUNNER_TEMP as steps see it: empty, private to the job */
	const char *tool_cache;     /* RUNNER_TOOL_CACHE as steps see it */
	const char *files;          /* the runner's own files (scripts, file commands), step view */
	/*
	 * Where this process reads the workspace (hashFiles) and on-host
	 * steps work on it: the workspace itself on the host and with --bind;
	 * for a container that got a copy, <job_dir>/workspace — a link to
	 * the snapshot the copy came from (the workspace as the leg began)
	 * until an on-host step brings the container's workspace out there.
	 */
	const char *workspace_host;
	const char *temp_host;
	const char *files_host;     /* scripts and file-command files are written here */
	const char *base_path;      /* PATH a step gets before GITHUB_PATH additions */
	const char *os;             /* RUNNER_OS: "Linux" */
	const char *arch;           /* RUNNER_ARCH: "X64", "ARM64" ... */
	const char *environment;    /* runner.environment: "self-hosted" or "github-hosted" */
	const char *event_path;     /* GITHUB_EVENT_PATH as steps see it; NULL: spec's */
	/*
	 * Members of the job context the executor knows ({container: {id,
	 * network}, services: {<id>: {id, network, ports}}}, as on GitHub);
	 * null when it has none. Valid until finish_job.
	 */
	struct val job_context;
	/*
	 * Set-up still going on when prepare_job returns (the docker executor
	 * creates containers in a child, so that independent legs overlap):
	 * when setup.pid > 0, it is a child of this process and setup.out its
	 * output (progress lines for the job's log), watched exactly like a
	 * step's. Once it has exited, the caller calls prepare_done with its
	 * wait status before anything else; to give up sooner (cancelled,
	 * timed out) it sends the child SIGKILL, waits for it, and still calls
	 * prepare_done. setup.pid 0 (the caller zeroes the struct): the leg is
	 * ready when prepare_job returns, and the fields above are filled.
	 */
	struct exec_step setup;
	void *priv;                 /* the executor's own per-job state */
};

/* prepare_job's or prepare_done's answer for a leg that cannot run here (see prepare_job). */
#define EXEC_SKIP 1

/* One step to start. Valid during the call only. */
struct exec_step_spec {
	/*
	 * The command line (NULL-terminated), with the script path in the
	 * step's view already substituted for {0}; argv[0] is looked up in
	 * the step's PATH.
	 */
	const char *const *argv;
	/*
	 * "K=V" entries (NULL-terminated) laid over the executor's base
	 * environment (the host: slipway's own environment, as GitHub's
	 * runner passes its own; a container: the image's). PATH is always
	 * among them.
	 */
	const char *const *env;
	const char *dir;            /* working directory as the step sees it (absolute) */
	/*
	 * A step of Slipway's own (a built-in stage, `slipway __stage`): it
	 * runs on this machine whatever the leg's executor, with env and dir
	 * in this machine's view, on job->workspace_host — which the executor
	 * brings up to date with the leg's workspace before the step and
	 * carries back into it after, when the two are not one directory.
	 */
	int on_host;
};

struct executor_ops {
	const char *name;           /* "host", "docker", "fake" */

	/*
	 * Make the leg's workspace (a copy of spec->snapshot), temp and tool
	 * cache directories, and whatever the executor needs (a container, a
	 * network). Fills *job. May block (copying, creating a container);
	 * it runs before the leg's first step. Returns 0 (see job->setup for
	 * a set-up that goes on in a child), -1 with a message in err ("job
	 * container needs the docker backend"), or EXEC_SKIP with the reason
	 * in err when the leg cannot run here (runs-on: windows-latest and no
	 * mapping): the caller ends it as skipped and shows the reason in its
	 * log and the summary. finish_job is called after each of these.
	 */
	int (*prepare_job)(struct executor *ex, struct exec_job *job,
			   const struct exec_job_spec *spec, struct strbuf *err);

	/*
	 * Where program name (a shell: "bash", "python", "pwsh") is found in
	 * the job's environment with PATH path (the step view), into out.
	 * Returns 0, or -1 when it is not there (no message: the caller
	 * knows which shell it was looking for). May block briefly; callers
	 * cache the answer per job.
	 */
	int (*find_program)(struct executor *ex, struct exec_job *job, const char *name,
			    const char *path, struct strbuf *out);

	/*
	 * Start one step and fill *out. The step runs in its own process
	 * group (or container exec) so that signal_step reaches everything
	 * it started. Returns 0, or -1 with a message in err (the step then
	 * fails without running: "cannot run 'pwsh': No such file or
	 * directory").
	 */
	int (*start_step)(struct executor *ex, struct exec_job *job,
			  const struct exec_step_spec *spec, struct exec_step *out,
			  struct strbuf *err);

	/*
	 * Deliver sig to the running step and everything it started (the
	 * cancellation sequence is the caller's: SIGINT, SIGTERM, SIGKILL).
	 * A step that already exited is not an error. Returns 0 or -1.
	 */
	int (*signal_step)(struct executor *ex, struct exec_job *job,
			   const struct exec_step *step, int sig);

	/*
	 * The leg is over: kill what its steps left running (GitHub's
	 * "cleaning up orphan processes"), remove the workspace and temp
	 * directories, stop containers. Must not block for long: it runs
	 * on the scheduler's loop. Called once per prepare_job, successful
	 * or not.
	 */
	void (*finish_job)(struct executor *ex, struct exec_job *job);

	/* Release the executor and its state (after every job finished). */
	void (*free)(struct executor *ex);

	/*
	 * The set-up child (job->setup) has exited with wait status status:
	 * finish preparing and fill *job. Returns 0, -1 with a message in err
	 * (the leg fails), or EXEC_SKIP with the reason. NULL in executors
	 * that never start one (host, fake).
	 */
	int (*prepare_done)(struct executor *ex, struct exec_job *job, int status,
			    struct strbuf *err);
};

struct executor {
	const struct executor_ops *ops;
	void *priv;
};

/*
 * The host executor (runner/exec_host.c): steps run as processes on this
 * machine. Each running leg has a slot of its own under slots_dir
 * (<run>/slots/N: workspace, temp, files); a slot freed by a finished leg
 * is reused, its workspace brought back to the snapshot by copying only
 * what the last leg changed, its temp directory emptied — creating and
 * deleting whole trees per job is what costs most on the host. The tool
 * cache is tool_cache (created if missing; shared). ops->free removes the
 * slots. Returns a heap executor.
 */
struct executor *exec_host_new(const char *tool_cache, const char *slots_dir);

/*
 * The fake executor (runner/exec_fake.c), for scheduler tests: a step's
 * script (the file named last on its command line) is read as a tiny
 * language, one command a line, and played by a forked child without
 * exec, in milliseconds:
 *   echo TEXT        print TEXT (and a newline)
 *   sleep MS         wait MS milliseconds
 *   output K=V       append K=V to $GITHUB_OUTPUT
 *   env K=V          append K=V to $GITHUB_ENV
 *   exit N           end with status N (the end of the script: 0)
 * Anything else prints "fake: unknown command" and exits 127. Workspace,
 * temp and files directories are made under job_dir.
 */
struct executor *exec_fake_new(void);

struct platform_map;

/* What the docker executor is told by `slipway run`. Strings are copied. */
struct exec_docker_opts {
	const char *host;           /* the engine; NULL: DOCKER_HOST, else the default socket */
	const char *run_id;         /* names and the slipway.run label of what it creates */
	const struct platform_map *platforms;   /* runs-on label -> image; copied */
	const char *tool_cache;     /* RUNNER_TOOL_CACHE on the host; mounted into containers */
	const char *slots_dir;      /* the host executor's, for legs that run on this machine */
	const char *bind;           /* --bind: this directory (the repository) is the
				       workspace, mounted; NULL: a copy of the snapshot goes in */
	int pull;                   /* --pull: pull missing images */
	int docker_socket;          /* mount the engine's socket into job containers */
};

/*
 * The docker executor (runner/exec_docker.c): each leg whose runs-on maps
 * to an image gets a container of its own (started once; steps run in it
 * with the exec API) with the workspace copied in, on a network of its
 * own with its services; legs that map to this machine run on a host
 * executor inside; legs that cannot run here are skipped. Engine work is
 * done in forked children, never on the caller's loop. Connects to the
 * engine first: -1 with err ("cannot reach the Docker engine at ...")
 * when it does not answer. Everything created carries slipway.run=run_id
 * and is gone when ops->free returns. Free with ops->free.
 */
int exec_docker_new(struct executor **out, const struct exec_docker_opts *opts,
		    struct strbuf *err);

#endif
