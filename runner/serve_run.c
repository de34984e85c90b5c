/*
 * serve_run: the run queue and the processes behind it: a private
 * checkout per run (libgit2 in a forked child), then `RUNNER run` in its
 * own process group with bounded concurrency, followed by re-ingesting
 * run.json whenever it changes; resumes after a decision; restart
 * recovery (leftover processes killed, containers pruned). Which commits
 * become runs is serve_repo.c's; what the API shows is serve_api.c's.
 */
#include "runner/gitwatch.h"
#include "runner/rundir.h"
#include "runner/serve.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/proc.h"
#include "util/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The environment variable that marks every process of a run (for orphan sweeps). */
#define SERVE_RUN_ENV "SLIPWAY_SERVE_RUN"
#define SERVE_FOLLOW_MS 200

struct serve_checkout_job {
	const char *repo_path, *ref, *sha, *dir;
};

static void serve_run_free(struct serve_run *r)
{
	if (r->err_fd >= 0) {
		loop_unwatch_fd(r->s->loop, r->err_fd);
		close(r->err_fd);
	}
	loop_cancel_timer(r->s->loop, r->follow_timer);
	strbuf_release(&r->checkout);
	strbuf_release(&r->err);
	free(r->id);
	free(r);
}

static struct serve_run *serve_run_new(struct serve *s, const char *id)
{
	struct serve_run *r = xcalloc(1, sizeof(*r));

	r->s = s;
	r->id = xstrdup(id);
	r->err_fd = -1;
	r->seen_mtime_ns = r->seen_size = -1;
	strbuf_init(&r->checkout, 0);
	strbuf_init(&r->err, 0);
	strbuf_addf(&r->checkout, "%s/serve/checkouts/%s", s->cfg.state, id);
	ALLOC_GROW(s->active, s->nr_active + 1, s->alloc_active);
	s->active[s->nr_active++] = r;
	return r;
}

static void serve_run_remove(struct serve_run *r)
{
	struct serve *s = r->s;

	for (size_t i = 0; i < s->nr_active; i++)
		if (s->active[i] == r) {
			s->active[i] = s->active[--s->nr_active];
			break;
		}
	serve_run_free(r);
}

struct serve_run *serve_active_find(struct serve *s, const char *id)
{
	for (size_t i = 0; i < s->nr_active; i++)
		if (!strcmp(s->active[i]->id, id))
			return s->active[i];
	return NULL;
}

static void serve_run_finish(struct serve_run *r, const char *result, const char *message)
{
	struct strbuf err = STRBUF_INIT;

	if (history_run_set(r->s->h, r->id, "done", result, message, &err) < 0)
		serve_log("run %s: %s", r->id, err.buf);
	serve_log("run %s: %s%s%s", r->id, result, message ? ": " : "", message ? message : "");
	strbuf_release(&err);
}

/* --- following run.json --- */

/* Ingest run.json when it changed since the last look (or always with force). */
static int serve_run_ingest(struct serve_run *r, int force, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	struct stat st;
	int rc = 0;

	rundir_path(&path, r->s->cfg.state, r->id, "run.json");
	if (stat(path.buf, &st) < 0) {
		if (force) {
			strbuf_addf(err, "no '%s'", path.buf);
			rc = -1;
		}
	} else if (force || (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec !=
				    r->seen_mtime_ns || st.st_size != r->seen_size) {
		r->seen_mtime_ns = (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
		r->seen_size = st.st_size;
		rc = history_ingest(r->s->h, r->s->cfg.state, r->id, err);
	}
	strbuf_release(&path);
	return rc;
}

static void serve_follow_cb(struct loop *l, uint64_t id, void *data)
{
	struct serve_run *r = data;
	struct strbuf err = STRBUF_INIT;

	(void)id;
	r->follow_timer = 0;
	if (serve_run_ingest(r, 0, &err) < 0)
		serve_log("run %s: %s", r->id, err.buf);
	r->follow_timer = loop_add_timer(l, SERVE_FOLLOW_MS, serve_follow_cb, r);
	strbuf_release(&err);
}

/* --- the run's process --- */

static void serve_mark_interrupted(struct serve *s, const char *id);

static void serve_run_exit_cb(struct loop *l, pid_t pid, int status, void *data)
{
	struct serve_run *r = data;
	struct serve *s = r->s;
	struct strbuf err = STRBUF_INIT, msg = STRBUF_INIT;
	struct arena a = ARENA_INIT;
	struct val run;
	int code = proc_exit_code(status);

	(void)l;
	(void)pid;
	loop_cancel_timer(s->loop, r->follow_timer);
	r->follow_timer = 0;
	if (serve_run_ingest(r, 1, &err) < 0) {
		strbuf_addf(&msg, "the run exited with status %d without a readable run.json (%s;"
			    " see serve/logs/%s.log)", code, err.buf, r->id);
		serve_run_finish(r, code == 130 ? "cancelled" : "failure", msg.buf);
	} else if (history_run_get(s->h, &run, &a, r->id, &err) == 1) {
		const char *st = rundir_str(run, "status");

		if (st && !strcmp(st, "running")) {
			strbuf_addf(&msg, "the run exited with status %d before finishing", code);
			serve_mark_interrupted(s, r->id);
			serve_run_ingest(r, 1, &err);
			serve_run_finish(r, "interrupted", msg.buf);
		} else {
			serve_log("run %s: %s (exit status %d)", r->id,
				  rundir_str(run, "result") ? rundir_str(run, "result") : st, code);
		}
	}
	if (history_run_get(s->h, &run, &a, r->id, &err) == 1 &&
	    !strcmp(rundir_str(run, "status"), "done") && fs_rm_rf(r->checkout.buf, &err) < 0)
		serve_log("run %s: %s", r->id, err.buf);
	serve_run_remove(r);
	strbuf_release(&err);
	strbuf_release(&msg);
	arena_release(&a);
	serve_schedule(s);
}

static int serve_spawn(struct serve_run *r, struct val run, int resume, struct strbuf *err)
{
	struct serve *s = r->s;
	struct proc p = PROC_INIT;
	struct strbuf log = STRBUF_INIT;
	int rc = -1;

	strbuf_addf(&log, "%s/serve/logs/%s.log", s->cfg.state, r->id);
	p.out = open(log.buf, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (p.out < 0) {
		strbuf_addf(err, "cannot open '%s': %s", log.buf, strerror(errno));
		goto out;
	}
	p.err_to_out = 1;
	p.new_group = 1;
	p.dir = fs_is_dir(r->checkout.buf) ? r->checkout.buf : s->cfg.state;
	strlist_pushf(&p.env, SERVE_RUN_ENV "=%s", r->id);
	strlist_push(&p.args, s->cfg.runner);
	strlist_push(&p.args, "run");
	strlist_push(&p.args, "--state");
	strlist_push(&p.args, s->cfg.state);
	if (s->cfg.backend) {
		strlist_push(&p.args, "--backend");
		strlist_push(&p.args, s->cfg.backend);
	}
	if (resume) {
		strlist_push(&p.args, "--resume");
		strlist_push(&p.args, r->id);
	} else {
		strlist_push(&p.args, "--run-id");
		strlist_push(&p.args, r->id);
		strlist_push(&p.args, "--event");
		strlist_push(&p.args, rundir_str(run, "event") ? rundir_str(run, "event") : "push");
		strlist_push(&p.args, "--ref");
		strlist_push(&p.args, rundir_str(run, "ref"));
		strlist_push(&p.args, "--sha");
		strlist_push(&p.args, rundir_str(run, "sha"));
	}
	if (proc_start(&p, err) < 0 || history_run_spawned(s->h, r->id, (long)p.pid, err) < 0)
		goto out;
	r->phase = SERVE_RUNNING;
	r->pid = p.pid;
	loop_watch_child(s->loop, p.pid, serve_run_exit_cb, r);
	r->follow_timer = loop_add_timer(s->loop, SERVE_FOLLOW_MS, serve_follow_cb, r);
	serve_log("run %s: %s (pid %ld)", r->id, resume ? "resumed" : "started", (long)p.pid);
	rc = 0;
out:
	proc_release(&p);
	strbuf_release(&log);
	return rc;
}

/* --- the private checkout --- */

static int serve_checkout_child(void *data)
{
	const struct serve_checkout_job *job = data;
	struct strbuf err = STRBUF_INIT;
	int rc = fs_rm_rf(job->dir, &err) < 0 ? -1
						: gitwatch_checkout(job->repo_path, job->ref, job->sha,
								    job->dir, &err);

	if (rc < 0)
		printf("%s\n", err.buf);
	strbuf_release(&err);
	return rc < 0 ? 1 : 0;
}

static void serve_checkout_pipe_cb(struct loop *l, int fd, unsigned events, void *data)
{
	struct serve_run *r = data;
	char buf[4096];
	ssize_t n;

	(void)events;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (r->err.len < 65536)
			strbuf_add(&r->err, buf, (size_t)n);
	if (n == 0) {
		loop_unwatch_fd(l, fd);
		close(fd);
		r->err_fd = -1;
	}
}

static void serve_checkout_done_cb(struct loop *l, pid_t pid, int status, void *data)
{
	struct serve_run *r = data;
	struct serve *s = r->s;
	struct strbuf err = STRBUF_INIT;
	struct arena a = ARENA_INIT;
	struct val run;

	(void)pid;
	if (r->err_fd >= 0)
		serve_checkout_pipe_cb(l, r->err_fd, LOOP_READ, r);
	strbuf_rtrim(&r->err);
	if (s->stopping) {
		history_run_set(s->h, r->id, "queued", NULL, NULL, &err);
		serve_run_remove(r);
	} else if (status != 0) {
		strbuf_addf(&err, "cannot check out: %s", r->err.len ? r->err.buf : "the checkout failed");
		serve_run_finish(r, "failure", err.buf);
		fs_rm_rf(r->checkout.buf, &err);
		serve_run_remove(r);
	} else if (history_run_get(s->h, &run, &a, r->id, &err) != 1 ||
		   serve_spawn(r, run, 0, &err) < 0) {
		serve_run_finish(r, "failure", err.len ? err.buf : "the run vanished from the history");
		serve_run_remove(r);
	}
	strbuf_release(&err);
	arena_release(&a);
	serve_schedule(s);
}

static void serve_start_queued(struct serve *s, const char *id)
{
	struct strbuf err = STRBUF_INIT;
	struct arena a = ARENA_INIT;
	struct serve_run *r = serve_run_new(s, id);
	struct serve_repo *repo;
	struct serve_checkout_job job;
	struct proc p = PROC_INIT;
	struct val run;

	if (history_run_get(s->h, &run, &a, id, &err) != 1 ||
	    history_run_set(s->h, id, "running", NULL, NULL, &err) < 0)
		goto fail;
	repo = serve_repo_find(s, rundir_str(run, "repo") ? rundir_str(run, "repo") : "");
	if (!repo) {
		strbuf_addf(&err, "repository '%s' is no longer watched", rundir_str(run, "repo"));
		goto fail;
	}
	job.repo_path = repo->path;
	job.ref = rundir_str(run, "ref");
	job.sha = rundir_str(run, "sha");
	job.dir = r->checkout.buf;
	p.out = PROC_FD_PIPE;
	p.err_to_out = 1;
	if (proc_start_fn(&p, serve_checkout_child, &job, &err) < 0)
		goto fail;
	r->phase = SERVE_CHECKOUT;
	r->pid = p.pid;
	r->err_fd = p.out;
	loop_watch_fd(s->loop, r->err_fd, LOOP_READ, serve_checkout_pipe_cb, r);
	loop_watch_child(s->loop, p.pid, serve_checkout_done_cb, r);
	goto out;
fail:
	serve_run_finish(r, "failure", err.buf);
	serve_run_remove(r);
out:
	proc_release(&p);
	strbuf_release(&err);
	arena_release(&a);
}

void serve_schedule(struct serve *s)
{
	struct strbuf id = STRBUF_INIT, err = STRBUF_INIT;

	while (!s->stopping && s->nr_active < (size_t)s->cfg.concurrency) {
		int rc = history_next_queued(s->h, &id, &err);

		if (rc < 0)
			serve_log("%s", err.buf);
		if (rc != 1)
			break;
		serve_start_queued(s, id.buf);
	}
	strbuf_release(&id);
	strbuf_release(&err);
}

int serve_resume(struct serve *s, const char *id, struct strbuf *err)
{
	struct arena a = ARENA_INIT;
	struct serve_run *r;
	struct val run;
	int rc = -1;

	if (serve_active_find(s, id))
		return 0;       /* the run's process is still going and watches approvals/ */
	if (history_run_get(s->h, &run, &a, id, err) != 1) {
		if (!err->len)
			strbuf_addf(err, "no run '%s'", id);
		goto out;
	}
	if (strcmp(rundir_str(run, "status"), "waiting")) {
		strbuf_addf(err, "run '%s' is not waiting", id);
		goto out;
	}
	r = serve_run_new(s, id);
	if (serve_spawn(r, run, 1, err) < 0) {
		serve_run_remove(r);
		goto out;
	}
	rc = 0;
out:
	arena_release(&a);
	return rc;
}

void serve_waiting_check(struct serve *s)
{
	struct strlist ids = STRLIST_INIT;
	struct strbuf err = STRBUF_INIT, path = STRBUF_INIT;
	struct arena a = ARENA_INIT;

	if (history_runs_with_status(s->h, &ids, "waiting", &err) < 0)
		serve_log("%s", err.buf);
	for (size_t i = 0; i < ids.nr; i++) {
		struct val run, *waiting;
		int decided = 0;

		if (serve_active_find(s, ids.items[i]) ||
		    history_run_detail(&run, &a, s->h, ids.items[i], &err) != 1)
			continue;
		waiting = val_object_getstr(run, "waiting");
		for (size_t k = 0; waiting && k < waiting->u.array->nr; k++) {
			const char *env = rundir_str(waiting->u.array->items[k], "environment");
			struct strbuf rel = STRBUF_INIT;

			strbuf_addf(&rel, "approvals/%s.json", env);
			rundir_path(&path, s->cfg.state, ids.items[i], rel.buf);
			decided |= fs_exists(path.buf);
			strbuf_release(&rel);
		}
		if (decided && (history_ingest(s->h, s->cfg.state, ids.items[i], &err) < 0 ||
				serve_resume(s, ids.items[i], &err) < 0)) {
			serve_log("run %s: cannot resume: %s", ids.items[i], err.buf);
			strbuf_reset(&err);
		}
	}
	strlist_release(&ids);
	strbuf_release(&err);
	strbuf_release(&path);
	arena_release(&a);
}

void serve_runs_stop(struct serve *s, int sig)
{
	for (size_t i = 0; i < s->nr_active; i++) {
		struct serve_run *r = s->active[i];

		if (r->pid <= 0)
			continue;
		kill(r->phase == SERVE_RUNNING ? -r->pid : r->pid,
		     r->phase == SERVE_RUNNING ? sig : SIGKILL);
		r->cancel_sent = 1;
	}
}

/* --- restart recovery --- */

/* Does /proc/<pid>/environ hold marker ("K=V")? */
static int serve_proc_marked(const char *pid, const char *marker)
{
	struct strbuf path = STRBUF_INIT, env = STRBUF_INIT;
	size_t n = strlen(marker);
	int found = 0;

	strbuf_addf(&path, "/proc/%s/environ", pid);
	if (strbuf_read_file(&env, path.buf, 1 << 20) == 0)
		for (size_t i = 0; i < env.len && !found; i += strlen(env.buf + i) + 1)
			found = !strncmp(env.buf + i, marker, n) && env.buf[i + n] == '\0';
	strbuf_release(&path);
	strbuf_release(&env);
	return found;
}

/* SIGKILL every process carrying run id's marker until none is left; returns how many. */
static int serve_kill_marked(const char *id)
{
	struct strbuf marker = STRBUF_INIT;
	int killed = 0;

	strbuf_addf(&marker, SERVE_RUN_ENV "=%s", id);
	for (int round = 0; round < 20; round++) {
		DIR *d = opendir("/proc");
		struct dirent *de;
		int found = 0;

		while (d && (de = readdir(d))) {
			if (strspn(de->d_name, "0123456789") != strlen(de->d_name) ||
			    atol(de->d_name) == (long)getpid() ||
			    !serve_proc_marked(de->d_name, marker.buf))
				continue;
			if (kill((pid_t)atol(de->d_name), SIGKILL) == 0) {
				found++;
				killed++;
			}
		}
		if (d)
			closedir(d);
		if (!found)
			break;
		nanosleep(&(struct timespec){ 0, 50 * 1000000 }, NULL);
	}
	strbuf_release(&marker);
	return killed;
}

/* Say in run.json and events.jsonl that the run was interrupted. */
static void serve_mark_interrupted(struct serve *s, const char *id)
{
	struct strbuf path = STRBUF_INIT, body = STRBUF_INIT, err = STRBUF_INIT;
	struct arena a = ARENA_INIT;
	char now[RUNDIR_ISO_LEN];
	struct val run, *fin, *jobs;
	FILE *fp;

	if (rundir_read(&run, &a, s->cfg.state, id, &err) < 0)
		goto out;
	rundir_now_iso(now);
	val_object_setstr(&a, run, "result", val_cstring(&a, "interrupted"));
	jobs = val_object_getstr(run, "jobs");
	for (size_t i = 0; jobs && jobs->kind == VAL_ARRAY && i < jobs->u.array->nr; i++) {
		struct val job = jobs->u.array->items[i];
		const char *st = rundir_str(job, "status"), *res = rundir_str(job, "result");

		if (st && strcmp(st, "done")) {
			val_object_setstr(&a, job, "status", val_cstring(&a, "done"));
			if (!res || !strcmp(res, "waiting"))
				val_object_setstr(&a, job, "result", val_cstring(&a, "cancelled"));
		}
	}
	fin = val_object_getstr(run, "finished_at");
	if (!fin || fin->kind != VAL_STRING)
		val_object_setstr(&a, run, "finished_at", val_cstring(&a, now));
	json_write(&body, run, JSON_PRETTY);
	strbuf_addch(&body, '\n');
	rundir_path(&path, s->cfg.state, id, "run.json");
	if (fs_write_file(path.buf, body.buf, body.len, 0644, &err) < 0)
		goto out;
	rundir_path(&path, s->cfg.state, id, "events.jsonl");
	fp = fopen(path.buf, "a");
	if (fp) {
		fprintf(fp, "{\"t\": \"%s\", \"type\": \"run_finished\", \"result\": \"interrupted\","
			    " \"duration_ms\": null}\n", now);
		fclose(fp);
	}
out:
	if (err.len)
		serve_log("run %s: %s", id, err.buf);
	strbuf_release(&path);
	strbuf_release(&body);
	strbuf_release(&err);
	arena_release(&a);
}

static void serve_prune_done_cb(struct loop *l, pid_t pid, int status, void *data)
{
	(void)l;
	(void)pid;
	if (status != 0)
		serve_log("run %s: 'slipway prune' failed (status %d; see serve/logs)", (char *)data,
			  proc_exit_code(status));
	free(data);
}

/* Remove the run's containers, networks and volumes with `slipway prune --run ID`. */
static void serve_prune(struct serve *s, const char *id)
{
	struct proc p = PROC_INIT;
	struct strbuf err = STRBUF_INIT, log = STRBUF_INIT;

	strbuf_addf(&log, "%s/serve/logs/%s.log", s->cfg.state, id);
	p.out = open(log.buf, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	p.err_to_out = 1;
	strlist_push(&p.args, s->self.buf);
	strlist_push(&p.args, "prune");
	strlist_push(&p.args, "--run");
	strlist_push(&p.args, id);
	if (p.out < 0 || proc_start(&p, &err) < 0)
		serve_log("run %s: cannot prune: %s", id, err.len ? err.buf : strerror(errno));
	else
		loop_watch_child(s->loop, p.pid, serve_prune_done_cb, xstrdup(id));
	proc_release(&p);
	strbuf_release(&err);
	strbuf_release(&log);
}

/* Add the runs of the state directory the history does not know (made by `slipway run`). */
static void serve_adopt_runs(struct serve *s)
{
	struct strlist ids = STRLIST_INIT;
	struct strbuf err = STRBUF_INIT;
	struct arena a = ARENA_INIT;

	if (rundir_list(&ids, s->cfg.state, &err) < 0)
		serve_log("%s", err.buf);
	for (size_t i = 0; i < ids.nr; i++) {
		const char *id = ids.items[i], *result, *path, *name = NULL, *slash;
		struct val run;

		strbuf_reset(&err);
		if (history_run_get(s->h, &run, &a, id, &err) != 0 ||
		    rundir_read(&run, &a, s->cfg.state, id, &err) < 0)
			continue;
		result = rundir_result(run);
		if (!strcmp(result, "running") || !strcmp(result, "unknown"))
			continue;       /* someone else's run still going: adopted on a later start */
		path = rundir_str(run, "repository");
		for (size_t k = 0; path && k < s->nr_repos; k++)
			if (!strcmp(s->repos[k].path, path))
				name = s->repos[k].name;
		slash = path ? strrchr(path, '/') : NULL;
		if (!name)
			name = slash ? slash + 1 : path;
		if (!strcmp(result, "interrupted"))
			serve_mark_interrupted(s, id);
		if (history_run_adopt(s->h, id, name, strcmp(result, "waiting") ? "done" : "waiting",
				      &err) < 0 ||
		    history_ingest(s->h, s->cfg.state, id, &err) < 0 ||
		    (!strcmp(result, "interrupted") &&
		     history_run_set(s->h, id, "done", "interrupted", "its process is gone", &err) < 0))
			serve_log("run %s: %s", id, err.buf);
	}
	strlist_release(&ids);
	strbuf_release(&err);
	arena_release(&a);
}

int serve_recover(struct serve *s, struct strbuf *err)
{
	struct strlist ids = STRLIST_INIT;
	struct strbuf dir = STRBUF_INIT;

	if (history_recover(s->h, &ids, err) < 0) {
		strlist_release(&ids);
		return -1;
	}
	for (size_t i = 0; i < ids.nr; i++) {
		int killed = serve_kill_marked(ids.items[i]);

		serve_log("run %s: interrupted by a restart (%d leftover process(es) killed)",
			  ids.items[i], killed);
		serve_mark_interrupted(s, ids.items[i]);
		history_ingest(s->h, s->cfg.state, ids.items[i], err);
		strbuf_reset(err);
		strbuf_reset(&dir);
		strbuf_addf(&dir, "%s/serve/checkouts/%s", s->cfg.state, ids.items[i]);
		fs_rm_rf(dir.buf, err);
		strbuf_reset(err);
		serve_prune(s, ids.items[i]);
	}
	serve_adopt_runs(s);
	strlist_release(&ids);
	strbuf_release(&dir);
	return 0;
}
