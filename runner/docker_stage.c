/*
 * docker_stage: a built-in stage for a leg in a container, run on this
 * machine between a copy of the workspace out of the container and its
 * copy back in (see docker_stage.h).
 */
#include "runner/docker_stage.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runner/docker_setup.h"
#include "util/fs.h"
#include "util/proc.h"
#include "util/strbuf.h"
#include "util/strlist.h"
#include "util/tarball.h"

static int stage_save(void *data, const void *buf, size_t len)
{
	return fs_write_all(*(int *)data, buf, len);
}

/* The container's /github/workspace as <job_dir>/workspace, through <job_dir>/workspace.tar. */
static int stage_bring_out(struct engine *e, const struct docker_stage *s, const char *ws,
			   struct strbuf *err)
{
	struct strbuf tar = STRBUF_INIT;
	int fd, ret = -1;

	strbuf_addf(&tar, "%s.tar", ws);
	fd = open(tar.buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		strbuf_addf(err, "cannot create '%s'", tar.buf);
		goto out;
	}
	if (engine_archive_get(e, s->container, DOCKER_WORKSPACE, stage_save, &fd, err)) {
		close(fd);
		goto out;
	}
	close(fd);
	/* the first time, ws is the link to the snapshot: removed, never followed */
	if (fs_rm_rf(ws, err) < 0 || tarball_extract_file(s->job_dir, tar.buf, err) < 0)
		goto out;
	ret = 0;
out:
	unlink(tar.buf);
	strbuf_release(&tar);
	return ret;
}

static int stage_put_back(struct engine *e, const struct docker_stage *s, const char *ws,
			  struct strbuf *err)
{
	struct tarball_opts opts = { TARBALL_TAR, "workspace", 0, 1, s->uid, s->gid };
	struct tarball_source *src = tarball_source_new(ws, NULL, &opts, err);
	struct engine_body body = { NULL, 0, tarball_source_read_fn, src };
	int ret;

	if (!src)
		return -1;
	ret = engine_archive_put(e, s->container, "/github", &body, err) ? -1 : 0;
	tarball_source_free(src);
	return ret;
}

/* A workspace entry as a key: its path, with '/' after a directory's (a type change differs). */
static int stage_list_entry(const struct fs_entry *e, void *data)
{
	strlist_pushf(data, "%s%s", e->rel, S_ISDIR(e->st.st_mode) ? "/" : "");
	return 0;
}

static int stage_key_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every entry under ws, sorted. */
static int stage_list(struct strlist *out, const char *ws, struct strbuf *err)
{
	if (fs_walk(ws, 0, stage_list_entry, out, err) < 0)
		return -1;
	if (out->nr)
		qsort(out->items, out->nr, sizeof(*out->items), stage_key_cmp);
	return 0;
}

/* Is key in the sorted list? */
static int stage_listed(const struct strlist *l, const char *key)
{
	return l->nr && bsearch(&key, l->items, l->nr, sizeof(*l->items), stage_key_cmp);
}

/*
 * What the stage removed (in before, not after; a directory once, not
 * what was in it) is removed in the container too, before the rest goes
 * back: the archive API only adds and replaces. Paths go to rm in
 * batches; an image without rm keeps them, with a warning.
 */
#define STAGE_RM_BATCH 256

static void stage_remove_deleted(struct engine *e, const struct docker_stage *s,
				 const struct strlist *before, const struct strlist *after)
{
	struct strlist gone = STRLIST_INIT, cmd = STRLIST_INIT;
	struct strbuf err = STRBUF_INIT;
	struct engine_exec_spec spec = { &cmd, NULL, NULL, NULL, 0, 0 };
	struct engine_exec_info info;
	const char *dir = NULL;
	size_t dir_len = 0;
	int failed = 0;

	for (size_t i = 0; i < before->nr; i++) {
		const char *key = before->items[i];

		/* sorted: what a removed directory held follows it */
		if (dir && !strncmp(key, dir, dir_len))
			continue;
		if (stage_listed(after, key))
			continue;
		strlist_pushf(&gone, DOCKER_WORKSPACE "/%s", key);
		dir = key[strlen(key) - 1] == '/' ? key : NULL;
		dir_len = dir ? strlen(dir) : 0;
	}
	for (size_t i = 0; !failed && i < gone.nr; i += STAGE_RM_BATCH) {
		strlist_release(&cmd);
		strlist_push(&cmd, "rm");
		strlist_push(&cmd, "-rf");
		strlist_push(&cmd, "--");
		for (size_t j = i; j < gone.nr && j < i + STAGE_RM_BATCH; j++)
			strlist_push(&cmd, gone.items[j]);
		failed = engine_exec_run(&info, e, s->container, &spec, NULL, NULL, &err) ||
			 info.exit_code;
	}
	if (failed)
		printf("::warning::%zu path(s) the step removed stay in the job container "
		       "(removing them there failed%s%s)\n", gone.nr, err.len ? ": " : "", err.buf);
	strlist_release(&gone);
	strlist_release(&cmd);
	strbuf_release(&err);
}

static int stage_exec(const struct docker_stage *s, struct strbuf *err)
{
	struct proc p = PROC_INIT;
	int status;

	for (size_t i = 0; s->argv[i]; i++)
		strlist_push(&p.args, s->argv[i]);
	for (size_t i = 0; s->env[i]; i++)
		strlist_push(&p.env, s->env[i]);
	p.dir = s->dir;
	p.err_to_out = 1;
	if (proc_start(&p, err) < 0) {
		proc_release(&p);
		return -1;
	}
	status = proc_finish(&p);
	proc_release(&p);
	return proc_exit_code(status);
}

int docker_stage_run(void *data)
{
	const struct docker_stage *s = data;
	struct engine *e = engine_clone(s->engine);
	struct strbuf ws = STRBUF_INIT, err = STRBUF_INIT;
	struct strlist before = STRLIST_INIT, after = STRLIST_INIT;
	int code = 1;

	strbuf_addf(&ws, "%s/workspace", s->job_dir);
	if (s->container && (stage_bring_out(e, s, ws.buf, &err) < 0 ||
			     stage_list(&before, ws.buf, &err) < 0)) {
		printf("::error::cannot bring the workspace out of the job container: %s\n", err.buf);
		goto out;
	}
	code = stage_exec(s, &err);
	if (code < 0) {
		printf("::error::%s\n", err.buf);
		code = 1;
		goto out;
	}
	if (s->container) {
		strbuf_reset(&err);
		if (stage_list(&after, ws.buf, &err) == 0)
			stage_remove_deleted(e, s, &before, &after);
		if (err.len || stage_put_back(e, s, ws.buf, &err) < 0) {
			printf("::error::cannot put the workspace back into the job container: %s\n",
			       err.buf);
			code = 1;
		}
	}
out:
	fflush(stdout);
	strbuf_release(&ws);
	strbuf_release(&err);
	strlist_release(&before);
	strlist_release(&after);
	engine_free(e);
	return code;
}
