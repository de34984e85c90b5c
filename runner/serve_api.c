/*
 * serve_api: the daemon's HTTP routes: the dashboard's pages and assets,
 * the JSON API (runs, run detail, logs, artifacts, deployments, repos,
 * deliveries), decisions (approve/reject with a bearer token), webhooks,
 * and server-sent-event tails of a job's output.log or a run's
 * events.jsonl. Data comes from the history and the run directories;
 * nothing here starts runs except through serve_queue_commit/serve_decide.
 */
#include "runner/rundir.h"
#include "runner/serve.h"
#include "runner/webhook.h"
#include "stages/deployrec.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define SERVE_TAIL_MS 200
#define SERVE_HEARTBEAT_MS 15000
#define SERVE_LOG_MAX (64 << 20)

static const char *const serve_states[] = { "queued", "running", "waiting", "success",
					     "failure", "cancelled", "interrupted" };

static void serve_headers(struct http_conn *c)
{
	http_conn_add_header(c, "X-Content-Type-Options", "nosniff");
	http_conn_add_header(c, "Referrer-Policy", "no-referrer");
	http_conn_add_header(c, "Content-Security-Policy",
			     "default-src 'self'; img-src 'self' data:; style-src 'self'; "
			     "script-src 'self'; connect-src 'self'; frame-ancestors 'none'");
}

static void serve_json(struct http_conn *c, int status, struct val v)
{
	struct strbuf sb = STRBUF_INIT;

	json_write(&sb, v, JSON_PRETTY);
	strbuf_addch(&sb, '\n');
	serve_headers(c);
	http_conn_add_header(c, "Cache-Control", "no-store");
	http_respond(c, status, "application/json", sb.buf, sb.len);
	strbuf_release(&sb);
}

/* The {id} capture, checked; answers 404 and returns NULL when unusable. */
static const char *serve_run_param(struct http_conn *c, const struct http_request *req)
{
	if (!rundir_valid_name(req->params[0])) {
		http_respond_error(c, req, 404, "no run '%s'", req->params[0]);
		return NULL;
	}
	return req->params[0];
}

/* --- pages and assets --- */

static void serve_page(struct http_conn *c, const struct http_request *req, void *data)
{
	const struct serve_asset *a = serve_asset_find("/index.html");

	(void)req;
	(void)data;
	serve_headers(c);
	http_respond(c, 200, a->type, a->data, a->len);
}

static void serve_asset(struct http_conn *c, const struct http_request *req, void *data)
{
	const struct serve_asset *a = serve_asset_find(req->path);

	(void)data;
	if (!a) {
		http_respond_error(c, req, 404, "no such page: '%s'", req->path);
		return;
	}
	serve_headers(c);
	http_conn_add_header(c, "Cache-Control", "no-cache");
	http_respond(c, 200, a->type, a->data, a->len);
}

/* --- runs --- */

static void serve_api_runs(struct http_conn *c, const struct http_request *req, void *data)
{
	struct serve *s = data;
	struct strbuf state = STRBUF_INIT, repo = STRBUF_INIT, num = STRBUF_INIT,
		      err = STRBUF_INIT;
	struct history_filter f = { 0 };
	struct arena a = ARENA_INIT;
	struct val out;
	int known = 0;

	if (http_query_param(&state, req, "state") && state.len) {
		for (size_t i = 0; i < sizeof(serve_states) / sizeof(*serve_states); i++)
			known |= !strcmp(state.buf, serve_states[i]);
		if (!known) {
			http_respond_error(c, req, 400, "unknown state '%s' (queued, running, waiting,"
					   " success, failure, cancelled, interrupted)", state.buf);
			goto out;
		}
		f.state = state.buf;
	}
	if (http_query_param(&repo, req, "repo") && repo.len)
		f.repo = repo.buf;
	if (http_query_param(&num, req, "limit")) {
		f.limit = strtoul(num.buf, NULL, 10);
		if (!f.limit || f.limit > 500 || strspn(num.buf, "0123456789") != num.len) {
			http_respond_error(c, req, 400, "limit must be 1..500");
			goto out;
		}
	}
	if (http_query_param(&num, req, "offset"))
		f.offset = strtoul(num.buf, NULL, 10);
	if (history_list_runs(&out, &a, s->h, &f, &err) < 0)
		http_respond_error(c, req, 500, "%s", err.buf);
	else
		serve_json(c, 200, out);
out:
	strbuf_release(&state);
	strbuf_release(&repo);
	strbuf_release(&num);
	strbuf_release(&err);
	arena_release(&a);
}

struct serve_artifact_walk {
	struct arena *a;
	struct val list;        /* the depth-1 entries, in name order */
	struct val *last;       /* the entry files below belong to */
};

static int serve_artifact_cb(const struct fs_entry *e, void *data)
{
	struct serve_artifact_walk *w = data;
	struct val *size, *files;

	if (e->name[0] == '.')
		return S_ISDIR(e->st.st_mode) ? FS_WALK_SKIP : 0;
	if (e->depth == 1 && (S_ISREG(e->st.st_mode) || S_ISDIR(e->st.st_mode))) {
		struct val item = val_new_object(w->a);

		val_object_setstr(w->a, item, "name", val_cstring(w->a, e->name));
		val_object_setstr(w->a, item, "size", val_number(0));
		val_object_setstr(w->a, item, "files", val_number(0));
		val_array_push(w->a, w->list, item);
		w->last = &w->list.u.array->items[w->list.u.array->nr - 1];
	}
	if (S_ISDIR(e->st.st_mode))
		return e->depth == 1 ? 0 : FS_WALK_SKIP;
	if (!S_ISREG(e->st.st_mode) || !w->last)
		return 0;
	size = val_object_getstr(*w->last, "size");
	files = val_object_getstr(*w->last, "files");
	size->u.number += (double)e->st.st_size;
	files->u.number += 1;
	return 0;
}

/* The run's artifacts/ entries: [{"name", "size", "files"}], a folder counting its files. */
static struct val serve_artifacts(struct serve *s, struct arena *a, const char *id)
{
	struct strbuf dir = STRBUF_INIT, err = STRBUF_INIT;
	struct serve_artifact_walk w = { a, val_new_array(a), NULL };

	rundir_path(&dir, s->cfg.state, id, "artifacts");
	if (fs_is_dir(dir.buf) && fs_walk(dir.buf, 0, serve_artifact_cb, &w, &err) < 0)
		serve_log("run %s: %s", id, err.buf);
	strbuf_release(&dir);
	strbuf_release(&err);
	return w.list;
}

static void serve_api_run(struct http_conn *c, const struct http_request *req, void *data)
{
	struct serve *s = data;
	const char *id = serve_run_param(c, req);
	struct strbuf err = STRBUF_INIT;
	struct arena a = ARENA_INIT;
	struct val run, *waiting, reviewers;
	int rc;

	if (!id)
		return;
	rc = history_run_detail(&run, &a, s->h, id, &err);
	if (rc != 1) {
		http_respond_error(c, req, rc < 0 ? 500 : 404, "%s", rc < 0 ? err.buf : "no such run");
		goto out;
	}
	waiting = val_object_getstr(run, "waiting");
	reviewers = val_new_object(&a);
	for (size_t i = 0; waiting && i < waiting->u.array->nr; i++) {
		const char *env = rundir_str(waiting->u.array->items[i], "environment");
		struct strlist names = STRLIST_INIT;
		struct val arr = val_new_array(&a);

		serve_reviewers_for(s, &names, rundir_str(run, "repo"), env);
		for (size_t k = 0; k < names.nr; k++)
			val_array_push(&a, arr, val_cstring(&a, names.items[k]));
		val_object_setstr(&a, reviewers, env, arr);
		strlist_release(&names);
	}
	val_object_setstr(&a, run, "reviewers", reviewers);
	val_object_setstr(&a, run, "artifacts", serve_artifacts(s, &a, id));
	val_object_setstr(&a, run, "active", val_bool(serve_active_find(s, id) != NULL));
	serve_json(c, 200, run);
out:
	strbuf_release(&err);
	arena_release(&a);
}

/* --- tails over server-sent events --- */

struct serve_tail {
	struct serve *s;
	struct http_conn *c;
	char *id;
	struct strbuf path, partial;
	off_t off;
	uint64_t timer;
};

static void serve_tail_close(struct http_conn *c, void *data)
{
	struct serve_tail *t = data;

	(void)c;
	loop_cancel_timer(t->s->loop, t->timer);
	strbuf_release(&t->path);
	strbuf_release(&t->partial);
	free(t->id);
	free(t);
}

/* Send the complete lines that arrived; returns -1 when the client is gone. */
static int serve_tail_read(struct serve_tail *t)
{
	struct strbuf ev = STRBUF_INIT;
	char buf[65536];
	struct stat st;
	int fd = open(t->path.buf, O_RDONLY | O_CLOEXEC), rc = 0;
	ssize_t n;

	if (fd < 0)
		return 0;
	if (fstat(fd, &st) == 0 && st.st_size < t->off) {
		t->off = 0;             /* rewritten from the start */
		strbuf_reset(&t->partial);
	}
	while (rc == 0 && (n = pread(fd, buf, sizeof(buf), t->off)) > 0) {
		char *line, *nl;

		t->off += n;
		strbuf_add(&t->partial, buf, (size_t)n);
		strbuf_reset(&ev);
		for (line = t->partial.buf; (nl = memchr(line, '\n', t->partial.len -
							 (size_t)(line - t->partial.buf)));
		     line = nl + 1) {
			*nl = '\0';
			if (nl > line && nl[-1] == '\r')
				nl[-1] = '\0';
			strbuf_addf(&ev, "data: %s\n\n", line);
		}
		memmove(t->partial.buf, line, t->partial.len - (size_t)(line - t->partial.buf));
		strbuf_setlen(&t->partial, t->partial.len - (size_t)(line - t->partial.buf));
		if (ev.len)
			rc = http_stream_write(t->c, ev.buf, ev.len);
	}
	close(fd);
	strbuf_release(&ev);
	return rc;
}

static void serve_tail_cb(struct loop *l, uint64_t id, void *data)
{
	struct serve_tail *t = data;
	struct strbuf err = STRBUF_INIT;
	struct arena a = ARENA_INIT;
	struct val run;
	const char *status = NULL;

	(void)id;
	t->timer = 0;
	/* look at the run before reading, so nothing written before it ended is missed */
	if (history_run_get(t->s->h, &run, &a, t->id, &err) == 1)
		status = rundir_str(run, "status");
	if (serve_tail_read(t) < 0)
		goto out;
	/* a waiting run may resume, so only a finished one ends the stream */
	if (status && !strcmp(status, "done") && !serve_active_find(t->s, t->id)) {
		struct strbuf end = STRBUF_INIT;

		if (t->partial.len)
			strbuf_addf(&end, "data: %s\n\n", t->partial.buf);
		strbuf_addf(&end, "event: end\ndata: %s\n\n", status);
		http_stream_write(t->c, end.buf, end.len);
		http_stream_end(t->c);
		strbuf_release(&end);
		goto out;
	}
	t->timer = loop_add_timer(l, SERVE_TAIL_MS, serve_tail_cb, t);
out:
	strbuf_release(&err);
	arena_release(&a);
}

static void serve_tail_start(struct serve *s, struct http_conn *c, const char *id,
			     const char *path)
{
	struct serve_tail *t = xcalloc(1, sizeof(*t));

	t->s = s;
	t->c = c;
	t->id = xstrdup(id);
	strbuf_init(&t->path, 0);
	strbuf_init(&t->partial, 0);
	strbuf_addstr(&t->path, path);
	http_stream_begin(c, 200, "text/event-stream; charset=utf-8", ": ping\n\n",
			  SERVE_HEARTBEAT_MS, serve_tail_close, t);
	t->timer = loop_add_timer(s->loop, 0, serve_tail_cb, t);
}

static int serve_wants_stream(const struct http_request *req)
{
	const char *accept = http_request_header(req, "Accept");
	struct strbuf v = STRBUF_INIT;
	int follow = http_query_param(&v, req, "follow") && strcmp(v.buf, "0");

	strbuf_release(&v);
	return follow || (accept && strstr(accept, "text/event-stream"));
}

static int serve_run_has_job(struct val run, const char *key)
{
	struct val *jobs = val_object_getstr(run, "jobs");

	for (size_t i = 0; jobs && i < jobs->u.array->nr; i++) {
		const char *k = rundir_str(jobs->u.array->items[i], "key");

		if (k && !strcmp(k, key))
			return rundir_valid_name(key);
	}
	return 0;
}

static void serve_api_logs(struct http_conn *c, const struct http_request *req, void *data)
{
	struct serve *s = data;
	const char *id = serve_run_param(c, req), *job = req->params[1];
	struct strbuf path = STRBUF_INIT, rel = STRBUF_INIT, text = STRBUF_INIT,
		      err = STRBUF_INIT;
	struct arena a = ARENA_INIT;
	struct val run;

	if (!id)
		return;
	if (history_run_detail(&run, &a, s->h, id, &err) != 1) {
		http_respond_error(c, req, 404, "no run '%s'", id);
		goto out;
	}
	if (!serve_run_has_job(run, job)) {
		http_respond_error(c, req, 404, "no job '%s' in run '%s'", job, id);
		goto out;
	}
	strbuf_addf(&rel, "jobs/%s/output.log", job);
	rundir_path(&path, s->cfg.state, id, rel.buf);
	if (serve_wants_stream(req)) {
		serve_tail_start(s, c, id, path.buf);
		goto out;
	}
	if (strbuf_read_file(&text, path.buf, SERVE_LOG_MAX) < 0 && errno != ENOENT) {
		http_respond_error(c, req, errno == EFBIG ? 413 : 500, "cannot read the log of '%s': %s",
				   job, strerror(errno));
		goto out;
	}
	serve_headers(c);
	http_respond(c, 200, "text/plain; charset=utf-8", text.buf, text.len);
out:
	strbuf_release(&path);
	strbuf_release(&rel);
	strbuf_release(&text);
	strbuf_release(&err);
	arena_release(&a);
}

static void serve_api_events(struct http_conn *c, const struct http_request *req, void *data)
{
	struct serve *s = data;
	const char *id = serve_run_param(c, req);
	struct strbuf path = STRBUF_INIT, err = STRBUF_INIT;
	struct arena a = ARENA_INIT;
	struct val run;

	if (!id)
		return;
	if (history_run_get(s->h, &run, &a, id, &err) != 1)
		http_respond_error(c, req, 404, "no run '%s'", id);
	else {
		rundir_path(&path, s->cfg.state, id, "events.jsonl");
		serve_tail_start(s, c, id, path.buf);
	}
	strbuf_release(&path);
	strbuf_release(&err);
	arena_release(&a);
}

static void serve_api_artifact(struct http_conn *c, const struct http_request *req, void *data)
{
	struct serve *s = data;
	const char *id = serve_run_param(c, req);
	struct strbuf rel = STRBUF_INIT, path = STRBUF_INIT, body = STRBUF_INIT,
		      disp = STRBUF_INIT;
	struct stat st;

	if (!id)
		return;
	for (size_t i = 1; i < req->nr_params; i++)
		if (!rundir_valid_name(req->params[i])) {
			http_respond_error(c, req, 404, "no artifact '%s'", req->params[i]);
			goto out;
		}
	strbuf_addf(&rel, "artifacts/%s", req->params[1]);
	if (req->nr_params > 2)
		strbuf_addf(&rel, "/%s", req->params[2]);
	rundir_path(&path, s->cfg.state, id, rel.buf);
	if (lstat(path.buf, &st) < 0 || !S_ISREG(st.st_mode) ||
	    strbuf_read_file(&body, path.buf, SERVE_LOG_MAX) < 0) {
		http_respond_error(c, req, 404, "no artifact file '%s' in run '%s'", rel.buf + 10, id);
		goto out;
	}
	strbuf_addf(&disp, "attachment; filename=\"%s\"", req->params[req->nr_params - 1]);
	serve_headers(c);
	http_conn_add_header(c, "Content-Disposition", disp.buf);
	http_respond(c, 200, "application/octet-stream", body.buf, body.len);
out:
	strbuf_release(&rel);
	strbuf_release(&path);
	strbuf_release(&body);
	strbuf_release(&disp);
}

/* --- decisions --- */

static void serve_api_decide(struct http_conn *c, const struct http_request *req,
			     struct serve *s, const char *decision)
{
	const char *id = serve_run_param(c, req), *auth = http_request_header(req, "Authorization");
	const char *token = NULL, *env, *comment;
	struct strbuf msg = STRBUF_INIT, err = STRBUF_INIT;
	struct arena a = ARENA_INIT;
	struct val body, out;
	int status;

	if (!id)
		return;
	if (auth && !strncasecmp(auth, "Bearer ", 7))
		token = auth + 7;
	if (json_parse(&body, &a, req->body, req->body_len, &err) < 0 || body.kind != VAL_OBJECT) {
		http_respond_error(c, req, 400, "the body must be a JSON object like "
				   "{\"environment\": \"production\"}%s%s", err.len ? ": " : "", err.buf);
		goto out;
	}
	env = rundir_str(body, "environment");
	comment = rundir_str(body, "comment");
	if (!env || !rundir_valid_name(env)) {
		http_respond_error(c, req, 400, "'environment' must name an environment");
		goto out;
	}
	status = serve_decide(s, id, env, decision, token, comment ? comment : "", &msg);
	if (status != 200) {
		if (status == 401)
			http_conn_add_header(c, "WWW-Authenticate", "Bearer realm=\"slipway\"");
		http_respond_error(c, req, status, "%s", msg.buf);
		goto out;
	}
	out = val_new_object(&a);
	val_object_setstr(&a, out, "run", val_cstring(&a, id));
	val_object_setstr(&a, out, "environment", val_cstring(&a, env));
	val_object_setstr(&a, out, "decision", val_cstring(&a, decision));
	val_object_setstr(&a, out, "by", val_cstring(&a, msg.buf));
	serve_json(c, 200, out);
out:
	strbuf_release(&msg);
	strbuf_release(&err);
	arena_release(&a);
}

static void serve_api_approve(struct http_conn *c, const struct http_request *req, void *data)
{
	serve_api_decide(c, req, data, "approved");
}

static void serve_api_reject(struct http_conn *c, const struct http_request *req, void *data)
{
	serve_api_decide(c, req, data, "rejected");
}

/* --- the rest of the API --- */

/* An entry of a deploy record as the page shows it: the image and how it got there. */
static struct val serve_release(struct arena *a, const struct val *entry)
{
	static const char *const keys[] = { "image", "sha", "at", "by", "kind", "run_id" };
	struct val out;

	if (!entry || entry->kind != VAL_OBJECT)
		return val_null();
	out = val_new_object(a);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *v = rundir_str(*entry, keys[i]);

		val_object_setstr(a, out, keys[i], v ? val_cstring(a, v) : val_null());
	}
	return out;
}

/*
 * What slipway/deploy and `slipway rollback` recorded for each environment
 * (<state>/deployments/<env>.json): the image that serves and the one
 * before, as "release" and "previous_release" (null without a record).
 */
static void serve_add_releases(struct serve *s, struct arena *a, struct val out)
{
	struct val *envs = val_object_getstr(out, "environments");

	for (size_t i = 0; envs && envs->kind == VAL_ARRAY && i < envs->u.array->nr; i++) {
		struct val env = envs->u.array->items[i];
		const char *name = rundir_str(env, "name");
		struct strbuf err = STRBUF_INIT;
		struct deployrec r;
		int ok = name && deployrec_open(&r, s->cfg.state, name, 0, &err) == 0;

		val_object_setstr(a, env, "release", ok ? serve_release(a, deployrec_current(&r))
							  : val_null());
		val_object_setstr(a, env, "previous_release",
				  ok ? serve_release(a, deployrec_previous(&r)) : val_null());
		if (name)       /* opened, or failed: released either way */
			deployrec_release(&r);
		strbuf_release(&err);
	}
}

static void serve_api_deployments(struct http_conn *c, const struct http_request *req,
				  void *data)
{
	struct serve *s = data;
	struct strbuf err = STRBUF_INIT;
	struct arena a = ARENA_INIT;
	struct val out;

	if (history_deployments(&out, &a, s->h, &err) < 0) {
		http_respond_error(c, req, 500, "%s", err.buf);
	} else {
		serve_add_releases(s, &a, out);
		serve_json(c, 200, out);
	}
	strbuf_release(&err);
	arena_release(&a);
}

static void serve_api_deliveries(struct http_conn *c, const struct http_request *req,
				 void *data)
{
	struct serve *s = data;
	struct strbuf err = STRBUF_INIT;
	struct arena a = ARENA_INIT;
	struct val out;

	if (history_deliveries(&out, &a, s->h, 50, &err) < 0)
		http_respond_error(c, req, 500, "%s", err.buf);
	else
		serve_json(c, 200, out);
	strbuf_release(&err);
	arena_release(&a);
}

static void serve_api_repos(struct http_conn *c, const struct http_request *req, void *data)
{
	struct serve *s = data;
	struct arena a = ARENA_INIT;
	struct val out = val_new_object(&a), list = val_new_array(&a);

	(void)req;
	for (size_t i = 0; i < s->nr_repos; i++) {
		struct val r = val_new_object(&a);

		val_object_setstr(&a, r, "name", val_cstring(&a, s->repos[i].name));
		val_object_setstr(&a, r, "path", val_cstring(&a, s->repos[i].path));
		val_array_push(&a, list, r);
	}
	val_object_setstr(&a, out, "repos", list);
	val_object_setstr(&a, out, "concurrency", val_number(s->cfg.concurrency));
	val_object_setstr(&a, out, "active", val_number((double)s->nr_active));
	serve_json(c, 200, out);
	arena_release(&a);
}

static const char *serve_req_header(void *data, const char *name)
{
	return http_request_header(data, name);
}

/* The watched repository a push names: by full name's last part, name or clone URL. */
static struct serve_repo *serve_webhook_repo(struct serve *s, const struct webhook_delivery *d)
{
	const char *slash = strrchr(d->repo_full_name, '/'), *url = strrchr(d->clone_url, '/');
	struct strbuf base = STRBUF_INIT;
	struct serve_repo *r = NULL;

	if (url) {
		strbuf_addstr(&base, url + 1);
		if (base.len > 4 && !strcmp(base.buf + base.len - 4, ".git"))
			strbuf_setlen(&base, base.len - 4);
	}
	if (*d->repo_full_name)
		r = serve_repo_find(s, slash ? slash + 1 : d->repo_full_name);
	if (!r && *d->repo_name)
		r = serve_repo_find(s, d->repo_name);
	if (!r && base.len)
		r = serve_repo_find(s, base.buf);
	strbuf_release(&base);
	return r;
}

static void serve_api_webhook(struct http_conn *c, const struct http_request *req, void *data)
{
	struct serve *s = data;
	struct strbuf err = STRBUF_INIT, id = STRBUF_INIT;
	struct arena a = ARENA_INIT;
	struct webhook_delivery d = { 0 };
	struct history_delivery rec = { "", "", "", "", "", "", 0, "", NULL };
	struct serve_repo *r = NULL;
	struct val out = val_new_object(&a);
	int status;

	if (!s->cfg.webhook_secret) {
		status = 403;
		strbuf_addstr(&err, "webhooks are off: start 'slipway serve' with --webhook-secret-file");
	} else {
		status = webhook_read(&d, &a, serve_req_header, (void *)req, req->body, req->body_len,
				      s->cfg.webhook_secret, &err);
	}
	if (status == 0) {
		rec.source = d.source;
		rec.event = d.event;
		rec.id = d.id;
		rec.repo = *d.repo_full_name ? d.repo_full_name : d.repo_name;
		rec.ref = d.ref;
		rec.after = d.after;
		if (d.kind == WEBHOOK_PING) {
			status = 200;
			val_object_setstr(&a, out, "ok", val_bool(1));
		} else if (d.kind == WEBHOOK_OTHER || d.deleted) {
			status = 202;
			strbuf_addf(&err, "%s '%s' is not built", d.deleted ? "a deleted ref" : "event",
				    d.deleted ? d.ref : d.event);
			val_object_setstr(&a, out, "ignored", val_cstring(&a, err.buf));
		} else if (!(r = serve_webhook_repo(s, &d))) {
			status = 404;
			strbuf_addf(&err, "repository '%s' is not watched", rec.repo);
		} else {
			int rc = serve_queue_commit(s, r, d.ref, d.after, "webhook", 0, &id, &err);

			status = rc < 0 ? 500 : rc ? 202 : 200;
			val_object_setstr(&a, out, "queued", rc == 1 ? val_cstring(&a, id.buf)
								      : val_null());
			if (rc == 0)
				val_object_setstr(&a, out, "reason",
						  val_cstring(&a, "this commit was already seen"));
		}
	}
	rec.status = status;
	rec.message = err.buf;
	rec.run = id.len ? id.buf : NULL;
	{
		struct strbuf herr = STRBUF_INIT;

		if (history_delivery_add(s->h, &rec, &herr) < 0)
			serve_log("%s", herr.buf);
		strbuf_release(&herr);
	}
	serve_log("webhook %s %s: %d %s", rec.source, rec.event, status, err.buf);
	if (status >= 400)
		http_respond_error(c, req, status, "%s", err.buf);
	else
		serve_json(c, status, out);
	strbuf_release(&err);
	strbuf_release(&id);
	arena_release(&a);
}

const struct http_route serve_routes[] = {
	{ "GET", "/", serve_page },
	{ "GET", "/runs/{id}", serve_page },
	{ "GET", "/deployments", serve_page },
	{ "GET", "/assets/{name}", serve_asset },
	{ "GET", "/api/runs", serve_api_runs },
	{ "GET", "/api/runs/{id}", serve_api_run },
	{ "GET", "/api/runs/{id}/events", serve_api_events },
	{ "GET", "/api/runs/{id}/logs/{job}", serve_api_logs },
	{ "GET", "/api/runs/{id}/artifacts/{name}", serve_api_artifact },
	{ "GET", "/api/runs/{id}/artifacts/{name}/{file}", serve_api_artifact },
	{ "POST", "/api/runs/{id}/approve", serve_api_approve },
	{ "POST", "/api/runs/{id}/reject", serve_api_reject },
	{ "GET", "/api/deployments", serve_api_deployments },
	{ "GET", "/api/repos", serve_api_repos },
	{ "GET", "/api/webhooks", serve_api_deliveries },
	{ "POST", "/api/webhook", serve_api_webhook },
	{ "POST", "/webhook", serve_api_webhook },
};

const size_t serve_nr_routes = sizeof(serve_routes) / sizeof(*serve_routes);
