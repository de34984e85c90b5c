/*
 * exec_docker: the docker executor (`--backend docker`). Decides per leg
 * where it runs (runner/platform), names and lays out its containers, and
 * forks the children that do the engine work (runner/docker_setup,
 * runner/docker_step), so that the caller's loop only ever watches
 * children and pipes. Legs that map to this machine go to a host executor
 * inside. Engine calls themselves are runner/engine's.
 */
#include "runner/executor.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runner/ctrspec.h"
#include "runner/docker_setup.h"
#include "runner/docker_stage.h"
#include "runner/docker_step.h"
#include "runner/docker_sweep.h"
#include "runner/engine.h"
#include "runner/platform.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/proc.h"
#include "util/xalloc.h"

/* How long services may take to turn healthy, and teardowns to finish at the end. */
#define DOCKER_HEALTH_MS (10L * 60 * 1000)
#define DOCKER_TEARDOWN_WAIT_MS 60000
#define DOCKER_SWEEP_MS 15000L

struct docker_exec {
	struct engine *engine;
	char *run_id, *tool_cache, *bind, *socket;
	struct platform_map platforms;
	int pull, docker_socket;
	struct executor *host;          /* legs that run on this machine */
	int bell[2];                    /* teardown children hold bell[1]; EOF: all done */
};

struct docker_job {
	int on_host;                    /* the host executor runs the steps */
	struct exec_job host;           /* its view of the leg */
	char *container;                /* the job container's name, or NULL */
	char *network;                  /* the leg's network, or NULL */
	struct strlist removals;        /* containers to remove: the job's, the services' */
	struct strlist volumes;         /* volumes of the leg's own (anonymous ones) */
	struct strlist named;           /* named volumes to make sure exist */
	struct strlist dirs;            /* host directories to remove at the end */
	struct strbuf temp_host;        /* RUNNER_TEMP on the host */
	struct strbuf files_host;       /* scripts and file-command files on the host */
	struct strbuf ctl;              /* exec ids, private */
	char *workspace_host;
	struct docker_setup_result found;
	struct arena arena;             /* job_context */
	int setup_err;                  /* the set-up child's answer, or -1 */
	int writable;                   /* steps run as another user: open temp files to them */
	unsigned steps;                 /* steps started so far */
	int stage_running;              /* the last step started runs here (docker_stage) */
	char *job_dir;
	struct strbuf exec_file;        /* the running step's */
};

/* ------------------------------------------------------------------ */
/* Names and children */

/* "slipway-<run>-<key>" with what docker refuses in names turned into '-'. */
static char *docker_name(const struct docker_exec *dx, const char *key, const char *suffix)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "slipway-%s-%s%s%s", dx->run_id, key, suffix ? "-" : "",
		    suffix ? suffix : "");
	for (size_t i = 0; i < sb.len; i++) {
		char c = sb.buf[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '-'))
			sb.buf[i] = '-';
	}
	return strbuf_detach(&sb, NULL);
}

/*
 * Fork fn(data) with descriptors in, out, err as struct proc takes them
 * (an err of PROC_FD_INHERIT with a piped out joins out), in its own
 * process group: Ctrl-C on the terminal is the scheduler's to handle, not
 * the child's. *p has the pid and the parent's pipe ends.
 */
static int docker_fork(struct proc *p, int in, int out, int err_fd, int (*fn)(void *),
		       void *data, struct strbuf *err)
{
	proc_init(p);
	p->in = in;
	p->out = out;
	p->err = err_fd;
	p->err_to_out = err_fd == PROC_FD_INHERIT && out == PROC_FD_PIPE;
	p->new_group = 1;
	return proc_start_fn(p, fn, data, err);
}

/* ------------------------------------------------------------------ */
/* Preparing a leg */

static void docker_job_free(struct docker_job *dj)
{
	strlist_release(&dj->removals);
	strlist_release(&dj->volumes);
	strlist_release(&dj->named);
	strlist_release(&dj->dirs);
	strbuf_release(&dj->temp_host);
	strbuf_release(&dj->files_host);
	strbuf_release(&dj->ctl);
	strbuf_release(&dj->exec_file);
	docker_setup_result_release(&dj->found);
	arena_release(&dj->arena);
	if (dj->setup_err >= 0)
		close(dj->setup_err);
	free(dj->container);
	free(dj->network);
	free(dj->workspace_host);
	free(dj->job_dir);
	free(dj);
}

/*
 * The job container's mounts: RUNNER_TEMP, the runner's files (scripts
 * and file commands), the event payload, the tool cache, the workspace
 * with --bind, the engine's socket when allowed.
 */
static void docker_job_mounts(struct docker_exec *dx, struct docker_job *dj, struct ctrspec *c,
			      const struct exec_job_spec *spec)
{
	strlist_pushf(&c->binds, "%s:%s", dj->temp_host.buf, DOCKER_TEMP);
	strlist_pushf(&c->binds, "%s:%s", dj->files_host.buf, DOCKER_FILES);
	if (spec->event_path)
		strlist_pushf(&c->binds, "%s:%s:ro", spec->event_path, DOCKER_EVENT);
	strlist_pushf(&c->binds, "%s:%s", dx->tool_cache, DOCKER_TOOL_CACHE);
	if (dx->bind)
		strlist_pushf(&c->binds, "%s:%s", dx->bind, DOCKER_WORKSPACE);
	if (dx->docker_socket && dx->socket) {
		strlist_pushf(&c->binds, "%s:%s", dx->socket, DOCKER_SOCKET_PATH);
		strlist_pushf(&c->env, "DOCKER_HOST=unix://%s", DOCKER_SOCKET_PATH);
	} else if (dx->docker_socket) {
		strlist_pushf(&c->env, "DOCKER_HOST=%s", engine_host(dx->engine));
	}
}

/* Anonymous volumes of c become "<container>-v<n>" volumes of the leg; named ones are made. */
static void docker_job_volumes(struct docker_job *dj, struct ctrspec *c, const char *owner)
{
	for (size_t i = 0; i < c->anonymous.nr; i++) {
		char *name = xstrdup(owner);
		struct strbuf sb = STRBUF_INIT;

		strbuf_addf(&sb, "%s-v%zu", name, dj->volumes.nr + 1);
		strlist_pushf(&c->binds, "%s:%s", sb.buf, c->anonymous.items[i]);
		strlist_push(&dj->volumes, sb.buf);
		strbuf_release(&sb);
		free(name);
	}
	for (size_t i = 0; i < c->named.nr; i++)
		if (strlist_find(&dj->named, c->named.items[i]) < 0)
			strlist_push(&dj->named, c->named.items[i]);
}

/* Everything the set-up child needs, then the fork. */
static int docker_start_setup(struct docker_exec *dx, struct docker_job *dj, struct exec_job *job,
			      const struct exec_job_spec *spec, struct ctrspec *ctr,
			      struct ctrspec *services, size_t services_nr, struct strbuf *err)
{
	struct docker_plan plan;
	struct strlist names = STRLIST_INIT, volumes = STRLIST_INIT;
	struct proc p;
	int ret;

	memset(&plan, 0, sizeof(plan));
	if (services_nr)
		dj->network = docker_name(dx, spec->key, "net");
	for (size_t i = 0; i < services_nr; i++) {
		strlist_push_owned(&names, docker_name(dx, spec->key, services[i].key));
		docker_job_volumes(dj, &services[i], names.items[i]);
	}
	if (ctr) {
		docker_job_mounts(dx, dj, ctr, spec);
		docker_job_volumes(dj, ctr, dj->container);
		strlist_push(&dj->removals, dj->container);
	}
	for (size_t i = 0; i < names.nr; i++)
		strlist_push(&dj->removals, names.items[i]);
	for (size_t i = 0; i < dj->named.nr; i++)
		strlist_push(&volumes, dj->named.items[i]);
	for (size_t i = 0; i < dj->volumes.nr; i++)
		strlist_push(&volumes, dj->volumes.items[i]);
	plan.engine = dx->engine;
	plan.key = spec->key;
	plan.pull = dx->pull;
	plan.network = dj->network;
	plan.services = services;
	plan.service_names = (const char *const *)names.items;
	plan.services_nr = services_nr;
	plan.job = ctr;
	plan.container = dj->container;
	plan.snapshot = dx->bind ? NULL : spec->snapshot;
	plan.volumes = &volumes;
	plan.health_ms = DOCKER_HEALTH_MS;
	ret = docker_fork(&p, PROC_FD_NULL, PROC_FD_PIPE, PROC_FD_PIPE, docker_setup_run, &plan,
			  err);
	if (!ret) {
		job->setup.pid = p.pid;
		job->setup.out = p.out;
		dj->setup_err = p.err;
	}
	proc_release(&p);
	strlist_release(&names);
	strlist_release(&volumes);
	return ret;
}

/* A leg on this machine: the host executor prepares it; services still come up here. */
static int docker_prepare_host(struct docker_exec *dx, struct docker_job *dj, struct exec_job *job,
			       const struct exec_job_spec *spec, struct ctrspec *services,
			       size_t services_nr, struct strbuf *err)
{
	struct exec_job_spec plain = *spec;

	dj->on_host = 1;
	plain.container = val_null();
	plain.services = val_null();
	if (dx->host->ops->prepare_job(dx->host, &dj->host, &plain, err) < 0)
		return -1;
	job->workspace = dj->host.workspace;
	job->temp = dj->host.temp;
	job->tool_cache = dj->host.tool_cache;
	job->files = dj->host.files;
	job->workspace_host = dj->host.workspace_host;
	job->temp_host = dj->host.temp_host;
	job->files_host = dj->host.files_host;
	job->base_path = dj->host.base_path;
	job->os = dj->host.os;
	job->arch = dj->host.arch;
	job->environment = dj->host.environment;
	if (!services_nr)
		return 0;
	return docker_start_setup(dx, dj, job, spec, NULL, services, services_nr, err);
}

/* A leg in a container: its directories, names, then the set-up child. */
static int docker_prepare_container(struct docker_exec *dx, struct docker_job *dj,
				    struct exec_job *job, const struct exec_job_spec *spec,
				    struct ctrspec *ctr, struct ctrspec *services, size_t services_nr,
				    struct strbuf *err)
{
	fs_path_join(&dj->temp_host, spec->job_dir, "temp");
	fs_path_join(&dj->files_host, spec->job_dir, "files");
	fs_path_join(&dj->ctl, spec->job_dir, "docker");
	if (fs_mkdir_p(dj->temp_host.buf, 0700, err) < 0 ||
	    fs_mkdir_p(dj->files_host.buf, 0700, err) < 0 ||
	    fs_mkdir_p(dj->ctl.buf, 0700, err) < 0 || fs_mkdir_p(dx->tool_cache, 0755, err) < 0)
		return -1;
	strlist_push(&dj->dirs, dj->temp_host.buf);
	strlist_push(&dj->dirs, dj->files_host.buf);
	strlist_push(&dj->dirs, dj->ctl.buf);
	dj->container = docker_name(dx, spec->key, NULL);
	dj->job_dir = xstrdup(spec->job_dir);
	if (dx->bind) {
		dj->workspace_host = xstrdup(dx->bind);
	} else {
		struct strbuf ws = STRBUF_INIT;

		/* the snapshot until a stage brings the container's workspace out (docker_stage) */
		fs_path_join(&ws, spec->job_dir, "workspace");
		if (symlink(spec->snapshot, ws.buf) < 0 && errno != EEXIST) {
			strbuf_addf(err, "cannot link '%s': %s", ws.buf, strerror(errno));
			strbuf_release(&ws);
			return -1;
		}
		strlist_push(&dj->dirs, ws.buf);
		dj->workspace_host = strbuf_detach(&ws, NULL);
	}
	job->workspace = DOCKER_WORKSPACE;
	job->temp = DOCKER_TEMP;
	job->tool_cache = DOCKER_TOOL_CACHE;
	job->files = DOCKER_FILES;
	job->workspace_host = dj->workspace_host;
	job->temp_host = dj->temp_host.buf;
	job->files_host = dj->files_host.buf;
	job->os = "Linux";
	job->arch = "X64";
	job->environment = "github-hosted";
	job->event_path = spec->event_path ? DOCKER_EVENT : NULL;
	return docker_start_setup(dx, dj, job, spec, ctr, services, services_nr, err);
}

static int docker_prepare_job(struct executor *ex, struct exec_job *job,
			      const struct exec_job_spec *spec, struct strbuf *err)
{
	struct docker_exec *dx = ex->priv;
	struct docker_job *dj = xcalloc(1, sizeof(*dj));
	struct platform_choice where;
	struct ctrspec ctr, *services = NULL;
	size_t services_nr = 0;
	int ret = -1;

	strbuf_init(&dj->temp_host, 0);
	strbuf_init(&dj->ctl, 0);
	strbuf_init(&dj->exec_file, 0);
	dj->setup_err = -1;
	job->priv = dj;
	ctrspec_init(&ctr);
	platform_choose(&where, &dx->platforms, spec->runs_on, err);
	if (where.kind == PLATFORM_NONE) {
		ret = EXEC_SKIP;
		goto out;
	}
	if (ctrspec_from_container(&ctr, spec->container, err) < 0 ||
	    ctrspec_from_services(&services, &services_nr, spec->services, err) < 0)
		goto out;
	if (!ctr.image && where.kind == PLATFORM_IMAGE)
		ctr.image = xstrdup(where.image);
	if (ctr.image)
		ret = docker_prepare_container(dx, dj, job, spec, &ctr, services, services_nr, err);
	else
		ret = docker_prepare_host(dx, dj, job, spec, services, services_nr, err);
out:
	ctrspec_release(&ctr);
	ctrspec_free_list(services, services_nr);
	return ret;
}

/* Everything the set-up child wrote on its stderr (it has exited). */
static void docker_read_all(struct strbuf *out, int fd)
{
	char buf[4096];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
		if (n > 0 && out->len < (1u << 20))
			strbuf_add(out, buf, (size_t)n);
}

static int docker_prepare_done(struct executor *ex, struct exec_job *job, int status,
			       struct strbuf *err)
{
	struct docker_job *dj = job->priv;
	struct strbuf answer = STRBUF_INIT;
	int ret;

	(void)ex;
	docker_read_all(&answer, dj->setup_err);
	close(dj->setup_err);
	dj->setup_err = -1;
	ret = docker_setup_result(&dj->found, answer.buf, answer.len, status, err);
	if (!ret && dj->found.job &&
	    json_parse(&job->job_context, &dj->arena, dj->found.job, strlen(dj->found.job), err) < 0)
		ret = -1;
	if (!ret && !dj->on_host) {
		job->base_path = dj->found.path;
		job->arch = dj->found.arch;
		dj->writable = dj->found.uid != geteuid();
		/* RUNNER_TEMP is the steps' to write, whoever they run as */
		if (dj->writable)
			chmod(dj->temp_host.buf, 01777);
	}
	strbuf_release(&answer);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Programs inside the container */

struct docker_peek {
	struct strbuf head;
};

static int docker_peek_collect(void *data, const void *buf, size_t len)
{
	struct docker_peek *p = data;

	strbuf_add(&p->head, buf, len);
	return p->head.len >= 512 ? -1 : 0;
}

/*
 * Is path an executable (or a link, as busybox's applets are) in the
 * container? Its tar header, from the archive API, says without an exec.
 */
static int docker_is_program(struct engine *e, const char *container, const char *path)
{
	struct docker_peek p = { STRBUF_INIT };
	struct strbuf err = STRBUF_INIT;
	int ret = engine_archive_get(e, container, path, docker_peek_collect, &p, &err), found = 0;

	if ((!ret || ret == ENGINE_ECANCELLED) && p.head.len >= 512) {
		char type = p.head.buf[156];
		unsigned long mode = strtoul(p.head.buf + 100, NULL, 8);

		found = type == '2' || ((type == '0' || type == '\0') && (mode & 0111));
	}
	strbuf_release(&p.head);
	strbuf_release(&err);
	return found;
}

/* Did the container report on name as it started (DOCKER_PROBED)? */
static int docker_probed(const char *name)
{
	size_t len = strlen(name);

	for (const char *p = DOCKER_PROBED; *p;) {
		size_t n = strcspn(p, " ");

		if (n == len && !strncmp(p, name, len))
			return 1;
		p += n + (p[n] == ' ');
	}
	return 0;
}

static int docker_find_program(struct executor *ex, struct exec_job *job, const char *name,
			       const char *path, struct strbuf *out)
{
	struct docker_exec *dx = ex->priv;
	struct docker_job *dj = job->priv;

	if (dj->on_host)
		return dx->host->ops->find_program(dx->host, &dj->host, name, path, out);
	if (dj->found.path && path && !strcmp(path, dj->found.path) && docker_probed(name)) {
		for (size_t i = 0; i < dj->found.programs.nr; i++) {
			const char *p = dj->found.programs.items[i];
			size_t len = strlen(name);

			if (!strncmp(p, name, len) && p[len] == '=') {
				strbuf_addstr(out, p + len + 1);
				return 0;
			}
		}
		return -1;
	}
	if (strchr(name, '/')) {
		strbuf_addstr(out, name);
		return docker_is_program(dx->engine, dj->container, name) ? 0 : -1;
	}
	for (const char *p = path; p && *p;) {
		size_t len = strcspn(p, ":");

		strbuf_reset(out);
		strbuf_add(out, len ? p : ".", len ? len : 1);
		strbuf_addf(out, "/%s", name);
		if (out->buf[0] == '/' && docker_is_program(dx->engine, dj->container, out->buf))
			return 0;
		p += len + (p[len] == ':');
	}
	strbuf_reset(out);
	return -1;
}

/* ------------------------------------------------------------------ */
/* Steps */

/* Steps that run as another user must be able to write the file-command files and read the scripts. */
static int docker_open_files(const struct fs_entry *e, void *data)
{
	(void)data;
	if (S_ISDIR(e->st.st_mode) && (e->st.st_mode & 0777) != 0777)
		chmod(e->path, 0777);
	else if (S_ISREG(e->st.st_mode) && (e->st.st_mode & 0666) != 0666)
		chmod(e->path, 0666);
	return e->depth >= 2 && S_ISDIR(e->st.st_mode) ? FS_WALK_SKIP : 0;
}

/* A step's child: fn(data) with its output (stderr joined) on a pipe the job reads. */
static int docker_fork_step(int (*fn)(void *), void *data, struct exec_step *out,
			    struct strbuf *err)
{
	struct proc p;
	int ret = docker_fork(&p, PROC_FD_NULL, PROC_FD_PIPE, PROC_FD_INHERIT, fn, data, err);

	if (!ret) {
		out->pid = p.pid;
		out->out = p.out;
	}
	proc_release(&p);
	return ret;
}

/* A built-in stage of a leg in a container: on this machine, the workspace moved around it. */
static int docker_start_stage(struct docker_exec *dx, struct docker_job *dj,
			      const struct exec_step_spec *spec, struct exec_step *out,
			      struct strbuf *err)
{
	struct docker_stage stage = {
		dx->engine, dx->bind ? NULL : dj->container, dj->job_dir, spec->argv, spec->env,
		spec->dir, dj->found.uid, dj->found.gid,
	};

	return docker_fork_step(docker_stage_run, &stage, out, err);
}

static int docker_start_step(struct executor *ex, struct exec_job *job,
			     const struct exec_step_spec *spec, struct exec_step *out,
			     struct strbuf *err)
{
	struct docker_exec *dx = ex->priv;
	struct docker_job *dj = job->priv;
	struct docker_step step;

	if (dj->on_host)
		return dx->host->ops->start_step(dx->host, &dj->host, spec, out, err);
	dj->stage_running = spec->on_host;
	if (spec->on_host)
		return docker_start_stage(dx, dj, spec, out, err);
	if (dj->writable) {
		chmod(dj->files_host.buf, 0777);
		if (fs_walk(dj->files_host.buf, 0, docker_open_files, NULL, err) < 0)
			return -1;
	}
	strbuf_reset(&dj->exec_file);
	strbuf_addf(&dj->exec_file, "%s/exec-%u", dj->ctl.buf, ++dj->steps);
	step.engine = dx->engine;
	step.container = dj->container;
	step.argv = spec->argv;
	step.env = spec->env;
	step.dir = spec->dir;
	step.exec_file = dj->exec_file.buf;
	return docker_fork_step(docker_step_run, &step, out, err);
}

static int docker_signal_step(struct executor *ex, struct exec_job *job,
			      const struct exec_step *step, int sig)
{
	struct docker_exec *dx = ex->priv;
	struct docker_job *dj = job->priv;
	struct docker_signal s = { dx->engine, dj->container, dj->exec_file.buf, step->pid, sig };
	struct strbuf err = STRBUF_INIT;
	struct proc p;
	int ret;

	if (dj->on_host)
		return dx->host->ops->signal_step(dx->host, &dj->host, step, sig);
	if (step->pid <= 0)
		return 0;
	if (dj->stage_running)  /* the stage child leads the group its stage runs in */
		return kill(-step->pid, sig) < 0 && errno != ESRCH ? -1 : 0;
	/* the loop reaps the signal child; nobody waits for it */
	ret = docker_fork(&p, PROC_FD_NULL, PROC_FD_NULL, PROC_FD_NULL, docker_signal_run, &s, &err);
	proc_release(&p);
	strbuf_release(&err);
	/* a dead engine must not keep the step's child, and so the job, alive */
	if (sig == SIGKILL)
		kill(step->pid, SIGKILL);
	return ret;
}

/* ------------------------------------------------------------------ */
/* The end of a leg, and of the run */

static void docker_finish_job(struct executor *ex, struct exec_job *job)
{
	struct docker_exec *dx = ex->priv;
	struct docker_job *dj = job->priv;
	struct docker_teardown t;
	struct strbuf err = STRBUF_INIT;
	struct proc p;

	if (!dj)
		return;
	if (dj->on_host)
		dx->host->ops->finish_job(dx->host, &dj->host);
	if (job->setup.pid > 0)
		kill(job->setup.pid, SIGKILL);
	if (dj->removals.nr || dj->network || dj->volumes.nr || dj->dirs.nr) {
		t.engine = dx->engine;
		t.containers = &dj->removals;
		t.network = dj->network;
		t.volumes = &dj->volumes;
		t.dirs = &dj->dirs;
		if (docker_fork(&p, dup(dx->bell[1]), PROC_FD_NULL, PROC_FD_INHERIT,
				docker_teardown_run, &t, &err) < 0)
			fprintf(stderr, "slipway: %s\n", err.buf);
		proc_release(&p);
	}
	strbuf_release(&err);
	docker_job_free(dj);
	job->priv = NULL;
}

/* Wait until every teardown child has closed its end of the bell (or time is up). */
static void docker_await_teardowns(struct docker_exec *dx)
{
	struct pollfd pfd = { dx->bell[0], POLLIN, 0 };
	long waited = 0;
	char buf[64];

	close(dx->bell[1]);
	while (waited < DOCKER_TEARDOWN_WAIT_MS) {
		int n = poll(&pfd, 1, 200);

		if (n > 0 && read(dx->bell[0], buf, sizeof(buf)) == 0)
			break;
		if (n == 0)
			waited += 200;
	}
	close(dx->bell[0]);
}

static void docker_free(struct executor *ex)
{
	struct docker_exec *dx = ex->priv;
	struct strbuf err = STRBUF_INIT;

	docker_await_teardowns(dx);
	if (docker_sweep_run(dx->engine, dx->run_id, DOCKER_SWEEP_MS, &err) < 0)
		fprintf(stderr, "slipway: %s\n", err.buf);
	if (dx->host)
		dx->host->ops->free(dx->host);
	engine_free(dx->engine);
	free(dx->run_id);
	free(dx->tool_cache);
	free(dx->bind);
	free(dx->socket);
	platform_map_release(&dx->platforms);
	free(dx);
	free(ex);
	strbuf_release(&err);
}

static const struct executor_ops docker_ops = {
	"docker", docker_prepare_job, docker_find_program, docker_start_step, docker_signal_step,
	docker_finish_job, docker_free, docker_prepare_done,
};

/* The engine's socket path on this machine, for mounting; NULL for TCP. */
static char *docker_socket_path(const char *host)
{
	if (!strncmp(host, "unix://", 7))
		return xstrdup(host + 7);
	return host[0] == '/' ? xstrdup(host) : NULL;
}

int exec_docker_new(struct executor **out, const struct exec_docker_opts *opts,
		    struct strbuf *err)
{
	struct docker_exec *dx;
	struct engine *e;
	struct executor *ex;

	if (engine_open(&e, opts->host, err) < 0)
		return -1;
	dx = xcalloc(1, sizeof(*dx));
	if (pipe2(dx->bell, O_CLOEXEC) < 0) {
		strbuf_addf(err, "cannot create a pipe: %s", strerror(errno));
		engine_free(e);
		free(dx);
		return -1;
	}
	engine_set_run_id(e, opts->run_id);
	dx->engine = e;
	dx->run_id = xstrdup(opts->run_id);
	dx->tool_cache = xstrdup(opts->tool_cache);
	dx->bind = opts->bind ? xstrdup(opts->bind) : NULL;
	dx->socket = docker_socket_path(engine_host(e));
	platform_map_init(&dx->platforms);
	for (size_t i = 0; opts->platforms && i < opts->platforms->labels.nr; i++)
		platform_map_add(&dx->platforms, opts->platforms->labels.items[i],
				 opts->platforms->targets.items[i]);
	dx->pull = opts->pull;
	dx->docker_socket = opts->docker_socket;
	dx->host = exec_host_new(opts->tool_cache, opts->slots_dir);
	ex = xcalloc(1, sizeof(*ex));
	ex->ops = &docker_ops;
	ex->priv = dx;
	*out = ex;
	return 0;
}
