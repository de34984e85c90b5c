/*
 * serve_repo: the watched repositories: parsing --repo, polling their
 * branch heads in a forked child (libgit2 blocks), trigger files from
 * `slipway trigger`, and turning a new head into a queued run. The first
 * look at a repository only records its heads (a baseline); commits
 * after it become runs. Running the queue is serve_run.c's.
 */
#include "runner/gitwatch.h"
#include "runner/rundir.h"
#include "runner/serve.h"
#include "util/fs.h"
#include "util/proc.h"
#include "util/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SERVE_POLL_OUTPUT_MAX (4 << 20)

static int serve_repo_parse(struct serve_repo *r, const char *spec, struct strbuf *err)
{
	const char *eq = strrchr(spec, '=');
	struct strbuf path = STRBUF_INIT, name = STRBUF_INIT;
	char real[PATH_MAX];
	int rc = -1;

	if (eq && !strchr(eq, '/')) {
		strbuf_add(&path, spec, (size_t)(eq - spec));
		strbuf_addstr(&name, eq + 1);
	} else {
		strbuf_addstr(&path, spec);
	}
	if (!realpath(path.buf, real)) {
		strbuf_addf(err, "repository '%s': %s", path.buf, strerror(errno));
		goto out;
	}
	if (!name.len) {
		const char *base = strrchr(real, '/');
		size_t n;

		strbuf_addstr(&name, base ? base + 1 : real);
		n = name.len;
		if (n > 4 && !strcmp(name.buf + n - 4, ".git"))
			strbuf_setlen(&name, n - 4);
	}
	if (!rundir_valid_name(name.buf)) {
		strbuf_addf(err, "repository name '%s' may only have letters, digits, '.', '_' and '-'"
			    " (give one with --repo PATH=NAME)", name.buf);
		goto out;
	}
	r->path = xstrdup(real);
	r->name = strbuf_detach(&name, NULL);
	rc = 0;
out:
	strbuf_release(&path);
	strbuf_release(&name);
	return rc;
}

int serve_repos_init(struct serve *s, struct strbuf *err)
{
	s->repos = xcalloc(s->cfg.repos->nr ? s->cfg.repos->nr : 1, sizeof(*s->repos));
	for (size_t i = 0; i < s->cfg.repos->nr; i++) {
		struct serve_repo *r = &s->repos[i];

		r->s = s;
		strlist_init(&r->forced);
		strbuf_init(&r->poll_out, 0);
		r->poll_fd = -1;
		s->nr_repos++;
		if (serve_repo_parse(r, s->cfg.repos->items[i], err) < 0)
			return -1;
		for (size_t k = 0; k < i; k++)
			if (!strcmp(s->repos[k].name, r->name)) {
				strbuf_addf(err, "two repositories are called '%s' (name one with "
						 "--repo PATH=NAME)", r->name);
				return -1;
			}
		if (history_repo_set(s->h, r->name, r->path, err) < 0)
			return -1;
	}
	return 0;
}

void serve_repos_release(struct serve *s)
{
	for (size_t i = 0; i < s->nr_repos; i++) {
		struct serve_repo *r = &s->repos[i];

		if (r->poll_fd >= 0) {
			loop_unwatch_fd(s->loop, r->poll_fd);
			close(r->poll_fd);
		}
		free(r->name);
		free(r->path);
		strlist_release(&r->forced);
		strbuf_release(&r->poll_out);
	}
	free(s->repos);
}

struct serve_repo *serve_repo_find(struct serve *s, const char *name_or_path)
{
	char real[PATH_MAX];

	for (size_t i = 0; i < s->nr_repos; i++)
		if (!strcmp(s->repos[i].name, name_or_path))
			return &s->repos[i];
	if (!realpath(name_or_path, real))
		return NULL;
	for (size_t i = 0; i < s->nr_repos; i++)
		if (!strcmp(s->repos[i].path, real))
			return &s->repos[i];
	return NULL;
}

int serve_queue_commit(struct serve *s, struct serve_repo *r, const char *ref, const char *sha,
		       const char *trigger, int force, struct strbuf *id, struct strbuf *err)
{
	struct strbuf seen = STRBUF_INIT, dir = STRBUF_INIT;
	struct arena a = ARENA_INIT;
	char fresh[RUNDIR_ISO_LEN];
	struct val run;
	int rc = history_head_get(s->h, &seen, r->name, ref, err), tries = 0;

	if (rc < 0 || (rc == 1 && !force && !strcmp(seen.buf, sha))) {
		rc = rc < 0 ? -1 : 0;
		goto out;
	}
	/* ids made in the same second differ only in 4 random digits: make sure */
	do {
		rundir_new_id(fresh);
		rundir_path(&dir, s->cfg.state, fresh, NULL);
		rc = history_run_get(s->h, &run, &a, fresh, err);
	} while ((rc == 1 || fs_exists(dir.buf)) && ++tries < 64);
	if (rc < 0)
		goto out;
	{
		struct history_new_run nr = { fresh, r->name, ref, sha, "push", trigger };

		if (history_run_queue(s->h, &nr, err) < 0 ||
		    history_head_set(s->h, r->name, ref, sha, err) < 0) {
			rc = -1;
			goto out;
		}
	}
	serve_log("queued run %s: %s %s %.12s (%s)", fresh, r->name, ref, sha, trigger);
	if (id) {
		strbuf_reset(id);
		strbuf_addstr(id, fresh);
	}
	rc = 1;
	serve_schedule(s);
out:
	strbuf_release(&seen);
	strbuf_release(&dir);
	arena_release(&a);
	return rc;
}

/* --- polling --- */

static int serve_poll_child(void *data)
{
	struct strlist heads = STRLIST_INIT;
	struct strbuf err = STRBUF_INIT;
	int rc = gitwatch_heads(&heads, data, &err);

	if (rc == 0)
		for (size_t i = 0; i < heads.nr; i++)
			printf("%s\n", heads.items[i]);
	else
		printf("%s\n", err.buf);
	strlist_release(&heads);
	strbuf_release(&err);
	return rc ? 1 : 0;
}

static void serve_poll_read(struct serve_repo *r)
{
	char buf[8192];
	ssize_t n;

	while ((n = read(r->poll_fd, buf, sizeof(buf))) > 0)
		if (r->poll_out.len < SERVE_POLL_OUTPUT_MAX)
			strbuf_add(&r->poll_out, buf, (size_t)n);
}

static void serve_poll_pipe_cb(struct loop *l, int fd, unsigned events, void *data)
{
	struct serve_repo *r = data;

	(void)events;
	serve_poll_read(r);
	if (events & LOOP_HUP)
		loop_unwatch_fd(l, fd);
}

/* Compare the heads the poll printed with the history; queue what is new. */
static void serve_poll_apply(struct serve *s, struct serve_repo *r)
{
	struct strbuf err = STRBUF_INIT;
	int baseline = history_heads_seen(s->h, r->name, &err) == 0;
	char *line = r->poll_out.buf, *nl;

	for (; (nl = strchr(line, '\n')); line = nl + 1) {
		const char *ref;
		int forced;

		*nl = '\0';
		if (strlen(line) < 42 || line[40] != ' ')
			continue;
		line[40] = '\0';
		ref = line + 41;
		forced = strlist_find(&r->forced, ref) >= 0;
		if (baseline && !forced) {
			if (history_head_set(s->h, r->name, ref, line, &err) < 0)
				break;
			continue;
		}
		if (serve_queue_commit(s, r, ref, line, forced || r->poll_triggered ? "trigger" : "poll",
				       forced, NULL, &err) < 0)
			break;
	}
	if (err.len)
		serve_log("repository '%s': %s", r->name, err.buf);
	else if (baseline)
		serve_log("repository '%s': recorded its branch heads; new commits will run", r->name);
	strbuf_release(&err);
}

static void serve_poll_done_cb(struct loop *l, pid_t pid, int status, void *data)
{
	struct serve_repo *r = data;
	struct serve *s = r->s;

	(void)l;
	(void)pid;
	r->poll_pid = 0;
	if (r->poll_fd >= 0) {
		serve_poll_read(r);
		loop_unwatch_fd(s->loop, r->poll_fd);
		close(r->poll_fd);
		r->poll_fd = -1;
	}
	if (status == 0) {
		serve_poll_apply(s, r);
	} else {
		strbuf_rtrim(&r->poll_out);
		serve_log("cannot poll repository '%s': %s", r->name,
			  r->poll_out.len ? r->poll_out.buf : "the poll failed");
	}
	strbuf_reset(&r->poll_out);
	strlist_release(&r->forced);
	r->poll_triggered = 0;
	if (r->poll_again && !s->stopping) {
		r->poll_again = 0;
		serve_repo_poll(s, r, NULL);
	}
}

static void serve_poll_timer_cb(struct loop *l, uint64_t id, void *data)
{
	struct serve_repo *r = data;

	(void)l;
	(void)id;
	r->timer = 0;
	serve_repo_poll(r->s, r, NULL);
}

void serve_repo_poll(struct serve *s, struct serve_repo *r, const char *force_ref)
{
	struct proc p = PROC_INIT;
	struct strbuf err = STRBUF_INIT;

	if (force_ref && strlist_find(&r->forced, force_ref) < 0)
		strlist_push(&r->forced, force_ref);
	if (r->poll_pid) {
		r->poll_again = 1;
		return;
	}
	if (r->timer)
		loop_cancel_timer(s->loop, r->timer);
	r->timer = 0;
	if (s->cfg.poll_seconds > 0 && !s->stopping)
		r->timer = loop_add_timer(s->loop, (uint64_t)s->cfg.poll_seconds * 1000,
					  serve_poll_timer_cb, r);
	p.out = PROC_FD_PIPE;
	p.err_to_out = 1;
	if (proc_start_fn(&p, serve_poll_child, r->path, &err) < 0) {
		serve_log("cannot poll repository '%s': %s", r->name, err.buf);
		goto out;
	}
	r->poll_pid = p.pid;
	r->poll_fd = p.out;
	loop_watch_fd(s->loop, r->poll_fd, LOOP_READ, serve_poll_pipe_cb, r);
	loop_watch_child(s->loop, p.pid, serve_poll_done_cb, r);
out:
	proc_release(&p);
	strbuf_release(&err);
}

/* --- triggers --- */

static void serve_trigger_apply(struct serve *s, const char *file, char *text)
{
	char *repo = text, *ref = strchr(text, '\n');
	struct strbuf full = STRBUF_INIT;
	struct serve_repo *r;

	if (ref) {
		*ref++ = '\0';
		ref[strcspn(ref, "\n")] = '\0';
	}
	r = serve_repo_find(s, repo);
	if (!r) {
		serve_log("trigger %s: repository '%s' is not watched", file, repo);
		return;
	}
	if (ref && *ref) {
		if (strncmp(ref, "refs/", 5))
			strbuf_addstr(&full, "refs/heads/");
		strbuf_addstr(&full, ref);
	}
	serve_log("trigger: polling '%s'%s%s", r->name, full.len ? " and building " : "", full.buf);
	serve_repo_poll(s, r, full.len ? full.buf : NULL);
	r->poll_triggered = 1;
	strbuf_release(&full);
}

void serve_triggers_drain(struct serve *s)
{
	struct strbuf dir = STRBUF_INIT, path = STRBUF_INIT, text = STRBUF_INIT;
	struct dirent *de;
	DIR *d;

	strbuf_addf(&dir, "%s/triggers", s->cfg.state);
	d = opendir(dir.buf);
	while (d && (de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (de->d_name[0] == '.' || n < 9 || strcmp(de->d_name + n - 8, ".trigger"))
			continue;
		strbuf_reset(&path);
		strbuf_reset(&text);
		strbuf_addf(&path, "%s/%s", dir.buf, de->d_name);
		if (strbuf_read_file(&text, path.buf, 4096) == 0)
			serve_trigger_apply(s, de->d_name, text.buf);
		unlink(path.buf);
	}
	if (d)
		closedir(d);
	strbuf_release(&dir);
	strbuf_release(&path);
	strbuf_release(&text);
}
