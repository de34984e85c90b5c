/*
 * engine: a blocking client for the Docker Engine HTTP API over a unix
 * socket or TCP (Podman's Docker-compatible service speaks the same API;
 * only Docker is tested here). engine.c is the only file that includes
 * curl.h. It speaks HTTP and JSON; what the containers are for (jobs,
 * services, steps) is the docker executor's.
 *
 * Every call blocks until done, so callers that must not block (the event
 * loop) run it in a forked child. Every call returns 0 or a negative
 * enum engine_error with a message in err; ordinary calls are bounded by
 * a timeout, streams by the engine closing the connection (which it does
 * when it dies), an optional stream timeout and the cancel flag.
 *
 * Strings returned in structs and struct val live in the arena the caller
 * passes and die with it; ids returned in a strbuf belong to the caller.
 */
#ifndef RUNNER_ENGINE_H
#define RUNNER_ENGINE_H

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

#include "util/arena.h"
#include "util/strbuf.h"
#include "util/strlist.h"
#include "util/value.h"

/* The label every container, network and volume of a run carries. */
#define ENGINE_LABEL_RUN "slipway.run"
#define ENGINE_DEFAULT_HOST "unix:///var/run/docker.sock"
/* The newest API version we speak, and the oldest we accept. */
#define ENGINE_API_NEWEST "1.43"
#define ENGINE_API_OLDEST "1.30"

enum engine_error {
	ENGINE_ERR = -1,            /* anything not listed below */
	ENGINE_EUNREACHABLE = -2,   /* no connection, lost connection, or no answer in time */
	ENGINE_ENOIMAGE = -3,       /* the image is not present locally */
	ENGINE_ENOTFOUND = -4,      /* no such container, exec, network, volume or path */
	ENGINE_ECANCELLED = -5,     /* the cancel flag was raised, or a callback said stop */
};

struct engine;

/*
 * Connect to host ("unix:///path", "/path", "tcp://host:port"; NULL: the
 * DOCKER_HOST environment variable, else ENGINE_DEFAULT_HOST) and
 * negotiate the API version: min(the server's, ENGINE_API_NEWEST).
 * An engine that does not answer gives ENGINE_EUNREACHABLE and
 * "cannot reach the Docker engine at HOST: REASON (start dockerd or
 * podman's service, or set DOCKER_HOST)". Free *out with engine_free.
 */
int engine_open(struct engine **out, const char *host, struct strbuf *err);
void engine_free(struct engine *e);

/*
 * Another connection to e's engine with e's negotiated version, timeouts
 * and run label, made without a round trip — for a forked child, which
 * must not use the connection it inherited (util/proc closes it there).
 * The cancel flag is not copied. Free with engine_free.
 */
struct engine *engine_clone(const struct engine *e);

/* The host as given (for messages) and the negotiated version ("1.41"). */
const char *engine_host(const struct engine *e);
const char *engine_api_version(const struct engine *e);
/* Is the engine Podman's Docker-compatible service (its /version says so)? */
int engine_is_podman(const struct engine *e);

/*
 * call_ms bounds each ordinary call (default 60000); stream_ms bounds the
 * streaming ones — exec output, wait, logs, build, pull, push, archives
 * (default 0: no bound, as a step may be silent for an hour).
 */
void engine_set_timeouts(struct engine *e, long call_ms, long stream_ms);
/* When *flag becomes non-zero (a signal handler), the call in progress
 * stops within about a second with ENGINE_ECANCELLED. NULL: none. */
void engine_set_cancel(struct engine *e, const volatile sig_atomic_t *flag);
/* Label every container, network and volume created from now on with
 * slipway.run=run_id (NULL: stop). The string is copied. */
void engine_set_run_id(struct engine *e, const char *run_id);

int engine_ping(struct engine *e, struct strbuf *err);

/*
 * Any other API call: method ("GET", "POST", ...) on path (below the
 * version prefix, e.g. "/info", already URL-escaped) with an optional JSON
 * body; the JSON answer (null when empty) goes to *out in arena a.
 */
int engine_call(struct val *out, struct arena *a, struct engine *e, const char *method,
		const char *path, const struct val *body, struct strbuf *err);

/* ------------------------------------------------------------------ */
/* Callbacks and bodies */

enum engine_stream {
	ENGINE_STDOUT = 1,
	ENGINE_STDERR = 2,
};

/* Output of a process as it arrives; return -1 to stop the call. */
typedef int engine_output_fn(void *data, enum engine_stream stream, const char *buf,
			     size_t len);
/* One line of progress (build output, pull/push status), without its newline. */
typedef void engine_line_fn(void *data, const char *line, size_t len);
/* Bytes of a download; return -1 to stop the call. */
typedef int engine_write_fn(void *data, const void *buf, size_t len);
/* Bytes of an upload: the count, 0 at the end, -1 on error (the call fails). */
typedef ssize_t engine_read_fn(void *data, void *buf, size_t len);

/* A request body: len bytes at buf, or, when buf is NULL, read() until 0. */
struct engine_body {
	const void *buf;
	size_t len;
	engine_read_fn *read;
	void *data;
};

/* Registry credentials (X-Registry-Auth); NULL members are left out. */
struct engine_auth {
	const char *username;
	const char *password;
	const char *server;
};

/* ------------------------------------------------------------------ */
/* Images. A name is "repo[:tag]" or an id. */

/* The inspect body (Id, RepoTags, Config.Labels, ...); ENGINE_ENOIMAGE if absent. */
int engine_image_inspect(struct val *out, struct arena *a, struct engine *e, const char *image,
			 struct strbuf *err);
/* 1 when present, 0 when not, negative on other errors. */
int engine_image_exists(struct engine *e, const char *image, struct strbuf *err);
/* Pull from its registry; progress lines to fn (may be NULL). */
int engine_image_pull(struct engine *e, const char *image, const struct engine_auth *auth,
		      engine_line_fn *fn, void *data, struct strbuf *err);

struct engine_build_spec {
	const struct strlist *tags;         /* "repo:tag" each; may be NULL */
	const char *dockerfile;             /* path inside the context; NULL: "Dockerfile" */
	const struct strlist *build_args;   /* "NAME=value" */
	const struct strlist *labels;       /* "key=value" */
	const char *target;                 /* multi-stage target, or NULL */
	int no_cache;
	int pull;                           /* refresh the base images */
};

/*
 * Build an image from a tar context (streamed); every output line to fn.
 * The new image's id ("sha256:...") is appended to out. A failing step
 * gives ENGINE_ERR with the builder's message ("The command '/bin/sh -c
 * exit 7' returned a non-zero code: 7").
 */
int engine_image_build(struct strbuf *out, struct engine *e, const struct engine_build_spec *spec,
		       const struct engine_body *context, engine_line_fn *fn, void *data,
		       struct strbuf *err);
/* Give image another name, "repo[:tag]" (tag defaults to "latest"). */
int engine_image_tag(struct engine *e, const char *image, const char *name, struct strbuf *err);
/* Push "repo[:tag]"; the pushed manifest's digest is appended to out (may be NULL). */
int engine_image_push(struct strbuf *out, struct engine *e, const char *name,
		      const struct engine_auth *auth, engine_line_fn *fn, void *data,
		      struct strbuf *err);
int engine_image_remove(struct engine *e, const char *image, int force, struct strbuf *err);
/*
 * POST /auth: the engine logs in to auth->server (NULL: Docker Hub) with
 * the credentials, as `docker login` has it check them. ENGINE_ERR with
 * "cannot log in to 'SERVER': REASON" when the registry refuses them or
 * cannot be reached from the engine (the reason says which).
 */
int engine_registry_login(struct engine *e, const struct engine_auth *auth, struct strbuf *err);
/* The history body: an array of {Id, Created, CreatedBy, Tags, Size, Comment}. */
int engine_image_history(struct val *out, struct arena *a, struct engine *e, const char *image,
			 struct strbuf *err);

/* ------------------------------------------------------------------ */
/* Containers */

struct engine_healthcheck {
	const struct strlist *test;     /* {"CMD-SHELL", "cmd"}, {"CMD", argv...} or {"NONE"} */
	long interval_ms, timeout_ms, start_period_ms;  /* 0: the engine's default */
	int retries;                                    /* 0: the engine's default */
};

struct engine_container_spec {
	const char *name;                   /* NULL: the engine picks one */
	const char *image;
	const struct strlist *cmd;          /* NULL: the image's */
	const struct strlist *entrypoint;   /* NULL: the image's; empty: none */
	const struct strlist *env;          /* "NAME=value" */
	const struct strlist *labels;       /* "key=value" */
	const char *workdir;
	const char *user;                   /* "uid[:gid]" or a name */
	const char *hostname;
	const struct strlist *binds;        /* "src:dst[:opts]" (host path or volume name) */
	const struct strlist *tmpfs;        /* "path[:opts]" */
	const struct strlist *ports;        /* "[ip:][host:]container[/proto]" as `docker -p` */
	const struct strlist *extra_hosts;  /* "name:ip" */
	const char *network;                /* NULL: the default bridge */
	const struct strlist *aliases;      /* names on that network */
	const struct engine_healthcheck *health;
	const struct strlist *cap_add, *cap_drop, *security_opt;
	long long memory;                   /* bytes; 0: no limit */
	long long nano_cpus;                /* 1e9 per CPU; 0: no limit */
	long long shm_size;                 /* bytes; 0: default */
	int tty, privileged, init, read_only;
};

/* Create (not start) a container; its id is appended to out. Restart policy: none. */
int engine_container_create(struct strbuf *out, struct engine *e,
			    const struct engine_container_spec *spec, struct strbuf *err);
int engine_container_start(struct engine *e, const char *id, struct strbuf *err);
/* SIGTERM, then SIGKILL after timeout_s seconds. Stopping a stopped one is fine. */
int engine_container_stop(struct engine *e, const char *id, int timeout_s, struct strbuf *err);
/* Send a signal ("SIGKILL", "TERM", "9"). */
int engine_container_kill(struct engine *e, const char *id, const char *signal,
			  struct strbuf *err);
/* Wait until it is not running; *out is its exit code. */
int engine_container_wait(int *out, struct engine *e, const char *id, struct strbuf *err);

enum engine_remove_flags {
	ENGINE_REMOVE_FORCE = 1 << 0,       /* kill it first if running */
	ENGINE_REMOVE_VOLUMES = 1 << 1,     /* and its anonymous volumes */
};
int engine_container_remove(struct engine *e, const char *id, unsigned flags,
			    struct strbuf *err);

struct engine_endpoint {
	const char *network;
	const char *ip;                     /* "" when none was assigned */
};

struct engine_container_info {
	const char *id, *name, *image;
	const char *status;                 /* "created", "running", "exited", ... */
	int running;
	int exit_code;
	int pid;                            /* 0 when not running */
	int oom_killed;
	const char *health;                 /* "starting", "healthy", "unhealthy"; NULL: no check */
	const char *health_output;          /* the last probe's output, or NULL */
	long health_interval_ms;            /* between probes (the engine's default: 0) */
	struct engine_endpoint *networks;
	size_t networks_nr;
	struct val raw;                     /* the whole inspect body */
};

int engine_container_inspect(struct engine_container_info *out, struct arena *a,
			     struct engine *e, const char *id, struct strbuf *err);
/* The address on network, or NULL. */
const char *engine_container_ip(const struct engine_container_info *c, const char *network);
/*
 * Poll until the container's health check reports healthy. Fails when it
 * reports unhealthy (with the probe's last output), the container stops,
 * it has no health check, or timeout_ms passes.
 */
int engine_container_await_healthy(struct engine *e, const char *id, long timeout_ms,
				   struct strbuf *err);
/* Its output so far (follow: until it exits), demultiplexed to fn. */
int engine_container_logs(struct engine *e, const char *id, int follow, engine_output_fn *fn,
			  void *data, struct strbuf *err);

/* What a list call returns: containers (all states), networks or volumes. */
struct engine_object {
	const char *id;                     /* volumes: the name */
	const char *name;
	const char *state;                  /* containers only ("running", "exited", ...) */
	struct val labels;                  /* object */
};

struct engine_list {
	struct engine_object *items;
	size_t nr;
};

/* label_filter is "key" (any value) or "key=value". */
int engine_container_list(struct engine_list *out, struct arena *a, struct engine *e,
			  const char *label_filter, struct strbuf *err);
/*
 * The images whose names match reference (the engine's "reference"
 * filter: "repo" for all its tags, "repo:tag", globs): each one's id and,
 * as its name, its first tag in the repository reference names (else its
 * first tag, else its id).
 */
int engine_image_list(struct engine_list *out, struct arena *a, struct engine *e,
		      const char *reference, struct strbuf *err);

/* ------------------------------------------------------------------ */
/* Exec: processes in a running container */

struct engine_exec_spec {
	const struct strlist *cmd;
	const struct strlist *env;          /* "NAME=value" */
	const char *workdir;
	const char *user;
	int tty;                            /* one raw stream (ENGINE_STDOUT) instead of two */
	int privileged;
};

struct engine_exec_info {
	int running;
	int exit_code;
	int pid;
};

/* Create; the exec id is appended to out. */
int engine_exec_create(struct strbuf *out, struct engine *e, const char *container,
		       const struct engine_exec_spec *spec, struct strbuf *err);
/*
 * Start and deliver the output to fn as it arrives, split into stdout and
 * stderr (tty: all is ENGINE_STDOUT); returns when the process's output
 * ends. tty must match the spec's.
 */
int engine_exec_start(struct engine *e, const char *exec_id, int tty, engine_output_fn *fn,
		      void *data, struct strbuf *err);
/* The exit code (-1 while running) and Pid. */
int engine_exec_inspect(struct engine_exec_info *out, struct engine *e, const char *exec_id,
			struct strbuf *err);
/*
 * After engine_exec_start returned: the exit code, once the engine has
 * recorded it (a moment after the output ends; ENGINE_ERR if it still
 * runs 10 s later).
 */
int engine_exec_wait(struct engine_exec_info *out, struct engine *e, const char *exec_id,
		     struct strbuf *err);
/* Create, start and inspect: *out holds the finished process's exit code. */
int engine_exec_run(struct engine_exec_info *out, struct engine *e, const char *container,
		    const struct engine_exec_spec *spec, engine_output_fn *fn, void *data,
		    struct strbuf *err);

/* ------------------------------------------------------------------ */
/* Archives: files in and out of a container */

/* Extract the tar stream into path (a directory that exists in the container). */
int engine_archive_put(struct engine *e, const char *container, const char *path,
		       const struct engine_body *tar, struct strbuf *err);
/* path as a tar stream (its basename the top entry); ENGINE_ENOTFOUND if absent. */
int engine_archive_get(struct engine *e, const char *container, const char *path,
		       engine_write_fn *fn, void *data, struct strbuf *err);

/* ------------------------------------------------------------------ */
/* Networks and volumes */

/* A bridge network; its id is appended to out. */
int engine_network_create(struct strbuf *out, struct engine *e, const char *name,
			  const struct strlist *labels, struct strbuf *err);
int engine_network_connect(struct engine *e, const char *network, const char *container,
			   const struct strlist *aliases, struct strbuf *err);
int engine_network_remove(struct engine *e, const char *network, struct strbuf *err);
int engine_network_list(struct engine_list *out, struct arena *a, struct engine *e,
			const char *label_filter, struct strbuf *err);

int engine_volume_create(struct engine *e, const char *name, const struct strlist *labels,
			 struct strbuf *err);
int engine_volume_remove(struct engine *e, const char *name, int force, struct strbuf *err);
int engine_volume_list(struct engine_list *out, struct arena *a, struct engine *e,
		       const char *label_filter, struct strbuf *err);

#endif
