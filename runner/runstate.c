/*
 * runstate: run.json, events.jsonl and the --summary file from the plan's
 * run-time fields, and run.json read back for --resume. It owns the
 * coalescing timer of run.json writes and nothing else of the run.
 */
#include "runner/runstate.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "runner/context.h"
#include "stages/stage.h"

#include "util/fs.h"
#include "util/json.h"
#include "util/xalloc.h"

/* An artifact's description is small; a bigger file is not ours. */
#define RUNSTATE_ARTIFACT_META_MAX 65536

struct runstate {
	struct run *run;
	int events_fd;
	uint64_t timer;                 /* a pending run.json write, or 0 */
	uint64_t last_write;            /* loop_now_ms() of the last write */
	struct val extra;
	struct strbuf buf;
};

int runstate_open(struct runstate **out, struct run *run, struct val extra, struct strbuf *err)
{
	struct runstate *rs = xcalloc(1, sizeof(*rs));
	struct strbuf path = STRBUF_INIT;

	rs->run = run;
	rs->extra = extra;
	strbuf_init(&rs->buf, 0);
	fs_path_join(&path, run->dir, "events.jsonl");
	rs->events_fd = open(path.buf, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (rs->events_fd < 0) {
		strbuf_addf(err, "cannot open '%s': %s", path.buf, strerror(errno));
		strbuf_release(&path);
		strbuf_release(&rs->buf);
		free(rs);
		return -1;
	}
	strbuf_release(&path);
	*out = rs;
	return 0;
}

void runstate_close(struct runstate *rs)
{
	struct strbuf err = STRBUF_INIT;

	if (!rs)
		return;
	if (rs->timer)
		loop_cancel_timer(rs->run->loop, rs->timer);
	runstate_write(rs, &err);
	strbuf_release(&err);
	close(rs->events_fd);
	strbuf_release(&rs->buf);
	free(rs);
}

static void runstate_time(struct strbuf *sb, uint64_t ms)
{
	if (!ms) {
		strbuf_addstr(sb, "null");
		return;
	}
	strbuf_addch(sb, '"');
	run_format_time(sb, ms);
	strbuf_addch(sb, '"');
}

void runstate_event(struct runstate *rs, const char *type, struct val fields)
{
	struct strbuf *sb;
	const char *p;
	size_t left;

	if (!rs)
		return;
	sb = &rs->buf;
	strbuf_reset(sb);
	strbuf_addstr(sb, "{\"t\":");
	runstate_time(sb, run_now_ms());
	strbuf_addstr(sb, ",\"type\":");
	json_write_string(sb, type, strlen(type));
	for (size_t i = 0; fields.kind == VAL_OBJECT && i < fields.u.object->nr; i++) {
		strbuf_addch(sb, ',');
		json_write_string(sb, fields.u.object->members[i].key,
				  fields.u.object->members[i].key_len);
		strbuf_addch(sb, ':');
		json_write(sb, fields.u.object->members[i].value, 0);
	}
	strbuf_addstr(sb, "}\n");
	for (p = sb->buf, left = sb->len; left;) {
		ssize_t n = write(rs->events_fd, p, left);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		p += n;
		left -= (size_t)n;
	}
}

/* ---------------------------------------------------------------- run.json */

static void runstate_str(struct strbuf *sb, const char *key, const char *s)
{
	strbuf_addf(sb, "\"%s\":", key);
	if (s)
		json_write_string(sb, s, strlen(s));
	else
		strbuf_addstr(sb, "null");
}

static void runstate_num(struct strbuf *sb, const char *key, uint64_t from, uint64_t to)
{
	if (from && to)
		strbuf_addf(sb, "\"%s\":%llu", key, (unsigned long long)(to - from));
	else
		strbuf_addf(sb, "\"%s\":null", key);
}

static void runstate_steps(struct strbuf *sb, const struct plan_leg *leg, int summary)
{
	strbuf_addstr(sb, "\"steps\":[");
	for (size_t i = 0; i < leg->steps_nr; i++) {
		const struct plan_step *st = &leg->steps[i];

		strbuf_addstr(sb, i ? ",{" : "{");
		runstate_str(sb, "id", st->id);
		strbuf_addch(sb, ',');
		runstate_str(sb, "name", st->name);
		if (!summary) {
			strbuf_addch(sb, ',');
			runstate_str(sb, "status", plan_status_name(st->status));
		}
		strbuf_addch(sb, ',');
		runstate_str(sb, "outcome", plan_result_name(st->outcome));
		strbuf_addch(sb, ',');
		runstate_str(sb, "conclusion", plan_result_name(st->conclusion));
		strbuf_addstr(sb, ",\"outputs\":");
		json_write(sb, st->outputs, 0);
		if (!summary && st->duration_ms)
			strbuf_addf(sb, ",\"duration_ms\":%llu", (unsigned long long)st->duration_ms);
		else if (!summary)
			strbuf_addstr(sb, ",\"duration_ms\":null");
		strbuf_addch(sb, '}');
	}
	strbuf_addch(sb, ']');
}

static void runstate_environment(struct strbuf *sb, const struct plan_leg *leg)
{
	strbuf_addstr(sb, "\"environment\":");
	if (!leg || !leg->env_name) {
		strbuf_addstr(sb, "null");
		return;
	}
	strbuf_addch(sb, '{');
	runstate_str(sb, "name", leg->env_name);
	strbuf_addch(sb, ',');
	runstate_str(sb, "url", leg->env_url);
	strbuf_addf(sb, ",\"protected\":%s", leg->env_protected ? "true" : "false");
	if (leg->env_reviewers_nr) {
		strbuf_addstr(sb, ",\"reviewers\":[");
		for (size_t i = 0; i < leg->env_reviewers_nr; i++) {
			if (i)
				strbuf_addch(sb, ',');
			json_write_string(sb, leg->env_reviewers[i], strlen(leg->env_reviewers[i]));
		}
		strbuf_addch(sb, ']');
	}
	strbuf_addch(sb, '}');
}

/* One entry of "jobs": a leg, or a job whose legs are not known (leg NULL). */
static void runstate_job(struct strbuf *sb, const struct plan_job *job, const struct plan_leg *leg,
			 int summary)
{
	strbuf_addch(sb, '{');
	if (!summary) {
		runstate_str(sb, "key", leg ? leg->key : job->key);
		strbuf_addch(sb, ',');
		runstate_str(sb, "workflow", job->wf->stem);
		strbuf_addch(sb, ',');
	}
	runstate_str(sb, "id", job->job->id);
	strbuf_addch(sb, ',');
	runstate_str(sb, "name", leg ? leg->name : job->label);
	strbuf_addstr(sb, ",\"matrix\":");
	json_write(sb, leg ? leg->matrix : val_null(), 0);
	if (!summary) {
		strbuf_addstr(sb, ",\"needs\":[");
		for (size_t i = 0; i < job->needs_nr; i++) {
			strbuf_addstr(sb, i ? "," : "");
			json_write_string(sb, job->needs[i]->key, strlen(job->needs[i]->key));
		}
		strbuf_addstr(sb, "],");
		runstate_str(sb, "status", plan_status_name(leg ? leg->status
							    : job->result ? PLAN_DONE : PLAN_PENDING));
	}
	strbuf_addch(sb, ',');
	runstate_str(sb, "result", plan_result_name(leg ? leg->result : job->result));
	if (!summary) {
		strbuf_addch(sb, ',');
		runstate_environment(sb, leg);
		strbuf_addch(sb, ',');
		runstate_str(sb, "waiting_for", leg ? plan_wait_name(leg->waiting_for) : NULL);
		strbuf_addstr(sb, ",\"started_at\":");
		runstate_time(sb, leg ? leg->started_ms : 0);
		strbuf_addstr(sb, ",\"finished_at\":");
		runstate_time(sb, leg ? leg->finished_ms : 0);
		strbuf_addch(sb, ',');
		runstate_str(sb, "message", leg ? leg->message : NULL);
	}
	strbuf_addstr(sb, ",\"outputs\":");
	if (leg)
		json_write(sb, leg->outputs, 0);
	else
		strbuf_addstr(sb, "{}");
	strbuf_addch(sb, ',');
	runstate_num(sb, "duration_ms", leg ? leg->started_ms : 0, leg ? leg->finished_ms : 0);
	strbuf_addch(sb, ',');
	if (leg)
		runstate_steps(sb, leg, summary);
	else
		strbuf_addstr(sb, "\"steps\":[]");
	strbuf_addch(sb, '}');
}

/* The "jobs" array; sep goes before each entry ("\n    " puts one a line). */
static void runstate_jobs(struct strbuf *sb, const struct plan *p, int summary, const char *sep)
{
	int first = 1;

	strbuf_addstr(sb, "\"jobs\": [");
	for (size_t i = 0; i < p->jobs_nr; i++) {
		const struct plan_job *job = p->jobs[i];

		if (!job->legs_nr) {
			strbuf_addf(sb, "%s%s", first ? "" : ",", sep);
			runstate_job(sb, job, NULL, summary);
			first = 0;
		}
		for (size_t l = 0; l < job->legs_nr; l++) {
			strbuf_addf(sb, "%s%s", first ? "" : ",", sep);
			runstate_job(sb, job, &job->legs[l], summary);
			first = 0;
		}
	}
	strbuf_addstr(sb, first ? "]" : "\n  ]");
}

/* Re-indent compact JSON text as JSON_PRETTY would write it. */
static void runstate_pretty(struct strbuf *out, const struct strbuf *compact)
{
	struct arena a = ARENA_INIT;
	struct strbuf err = STRBUF_INIT;
	struct val v;

	if (json_parse(&v, &a, compact->buf, compact->len, &err) == 0) {
		json_write(out, v, JSON_PRETTY);
		strbuf_addch(out, '\n');
	} else {
		strbuf_add(out, compact->buf, compact->len);
	}
	strbuf_release(&err);
	arena_release(&a);
}

/*
 * "artifacts": what actions/upload-artifact stored in the run (stages/
 * artifact.c writes each one's description), in name order.
 */
static void runstate_artifacts(struct strbuf *sb, const char *run_dir, const char *sep)
{
	struct strbuf path = STRBUF_INIT, text = STRBUF_INIT, err = STRBUF_INIT;
	struct dirent **list = NULL;
	struct arena a = ARENA_INIT;
	int n, first = 1;

	strbuf_addf(&path, "%s/artifacts", run_dir);
	n = scandir(path.buf, &list, NULL, alphasort);
	strbuf_addstr(sb, "\"artifacts\": [");
	for (int i = 0; i < n; i++) {
		struct val meta;

		strbuf_reset(&path);
		strbuf_reset(&text);
		strbuf_addf(&path, "%s/artifacts/%s/%s", run_dir, list[i]->d_name, STAGE_ARTIFACT_META);
		if (list[i]->d_name[0] != '.' &&
		    fs_read_file(&text, path.buf, RUNSTATE_ARTIFACT_META_MAX, &err) == 0 &&
		    json_parse(&meta, &a, text.buf, text.len, &err) == 0 && meta.kind == VAL_OBJECT) {
			strbuf_addf(sb, "%s%s", first ? "" : ",", sep);
			json_write(sb, meta, 0);
			first = 0;
		}
		strbuf_reset(&err);
		free(list[i]);
	}
	free(list);
	strbuf_addch(sb, ']');
	arena_release(&a);
	strbuf_release(&path);
	strbuf_release(&text);
	strbuf_release(&err);
}

/*
 * run.json is rewritten often while a run goes on, so it is written
 * straight out — a member per line, a job per line — rather than built as
 * a value and pretty-printed (twice the memory and time for a big run).
 */
static void runstate_format(struct strbuf *out, const struct run *run, struct val extra)
{
	const char *r = run->finished_ms ? plan_result_name(run->result) : "running";

	strbuf_addstr(out, "{\n  ");
	runstate_str(out, "run_id", run->id);
	strbuf_addf(out, ",\n  \"state_version\": %d,\n  ", RUNSTATE_VERSION);
	runstate_str(out, "repository", run->repository);
	strbuf_addstr(out, ",\n  ");
	runstate_str(out, "event", run->event_name);
	strbuf_addstr(out, ",\n  ");
	runstate_str(out, "ref", run->ref);
	strbuf_addstr(out, ",\n  ");
	runstate_str(out, "sha", run->sha);
	strbuf_addstr(out, ",\n  \"workflows\": [");
	for (size_t i = 0; i < run->plan.wfs_nr; i++) {
		strbuf_addstr(out, i ? ", {" : "{");
		runstate_str(out, "file", run->plan.wfs[i]->path);
		strbuf_addch(out, ',');
		runstate_str(out, "name", run->plan.wfs[i]->name);
		strbuf_addch(out, '}');
	}
	strbuf_addstr(out, "],\n  \"started_at\": ");
	runstate_time(out, run->started_ms);
	strbuf_addstr(out, ",\n  \"finished_at\": ");
	runstate_time(out, run->finished_ms);
	strbuf_addstr(out, ",\n  ");
	runstate_num(out, "duration_ms", run->started_ms, run->finished_ms);
	strbuf_addstr(out, ",\n  ");
	runstate_str(out, "result", r ? r : "running");
	strbuf_addf(out, ",\n  \"pid\": %ld,\n  ", (long)getpid());
	runstate_jobs(out, &run->plan, 0, "\n    ");
	strbuf_addstr(out, ",\n  ");
	runstate_artifacts(out, run->dir, "\n    ");
	if (extra.kind == VAL_OBJECT) {
		strbuf_addstr(out, ",\n  \"slipway\": ");
		json_write(out, extra, 0);
	}
	strbuf_addstr(out, "\n}\n");
}

int runstate_write(struct runstate *rs, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	int ret;

	if (!rs)
		return 0;
	strbuf_reset(&rs->buf);
	runstate_format(&rs->buf, rs->run, rs->extra);
	fs_path_join(&path, rs->run->dir, "run.json");
	ret = fs_write_file(path.buf, rs->buf.buf, rs->buf.len, 0644, err);
	rs->last_write = loop_now_ms();
	strbuf_release(&path);
	return ret;
}

static void runstate_on_timer(struct loop *l, uint64_t id, void *data)
{
	struct runstate *rs = data;
	struct strbuf err = STRBUF_INIT;

	(void)l;
	(void)id;
	rs->timer = 0;
	runstate_write(rs, &err);
	strbuf_release(&err);
}

void runstate_dirty(struct runstate *rs)
{
	uint64_t now, due;

	if (!rs || rs->timer)
		return;
	now = loop_now_ms();
	due = rs->last_write + RUNSTATE_COALESCE_MS;
	rs->timer = loop_add_timer(rs->run->loop, due > now ? due - now : 0, runstate_on_timer, rs);
}

int runstate_write_summary(const struct run *run, const char *path, struct strbuf *err)
{
	struct strbuf sb = STRBUF_INIT, out = STRBUF_INIT;
	const char *r = plan_result_name(run->result);
	int ret;

	strbuf_addch(&sb, '{');
	runstate_str(&sb, "run_id", run->id);
	strbuf_addch(&sb, ',');
	runstate_str(&sb, "result", r ? r : "running");
	strbuf_addch(&sb, ',');
	runstate_jobs(&sb, &run->plan, 1, "");
	strbuf_addch(&sb, ',');
	runstate_artifacts(&sb, run->dir, "");
	strbuf_addch(&sb, '}');
	runstate_pretty(&out, &sb);
	ret = fs_write_file(path, out.buf, out.len, 0644, err);
	strbuf_release(&sb);
	strbuf_release(&out);
	return ret;
}

int runstate_load(struct val *out, struct arena *a, const char *dir, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	int ret;

	fs_path_join(&path, dir, "run.json");
	ret = json_parse_file(out, a, path.buf, err);
	if (!ret && out->kind != VAL_OBJECT) {
		strbuf_addf(err, "'%s' is not a JSON object", path.buf);
		ret = -1;
	}
	strbuf_release(&path);
	return ret;
}

/* ---------------------------------------------------------------- resume */

static const char *runstate_get_str(struct val obj, const char *key)
{
	struct val *v = val_object_getstr(obj, key);

	return v && v->kind == VAL_STRING ? v->u.string.ptr : NULL;
}

static uint64_t runstate_parse_time(const char *s)
{
	struct tm tm;
	unsigned ms = 0;
	const char *rest;

	if (!s)
		return 0;
	memset(&tm, 0, sizeof(tm));
	rest = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!rest)
		return 0;
	if (*rest == '.')
		ms = (unsigned)strtoul(rest + 1, NULL, 10);
	return (uint64_t)timegm(&tm) * 1000 + ms;
}

/* The entry of state's "jobs" with this key, or NULL. */
static struct val *runstate_entry(struct val state, const char *key)
{
	struct val *jobs = val_object_getstr(state, "jobs");

	for (size_t i = 0; jobs && jobs->kind == VAL_ARRAY && i < jobs->u.array->nr; i++) {
		const char *k = runstate_get_str(jobs->u.array->items[i], "key");

		if (k && !strcmp(k, key))
			return &jobs->u.array->items[i];
	}
	return NULL;
}

/* A finished result worth keeping, or 0. */
static enum plan_result runstate_kept_result(struct val entry)
{
	const char *status = runstate_get_str(entry, "status");
	const char *result = runstate_get_str(entry, "result");
	int r = result ? plan_result_parse(result) : -1;

	if (!status || strcmp(status, "done") || r < 0 || r == PLAN_WAITING)
		return PLAN_RESULT_NONE;
	return (enum plan_result)r;
}

static void runstate_restore_steps(struct arena *a, struct plan_leg *leg, struct val entry)
{
	struct val *steps = val_object_getstr(entry, "steps");

	if (!steps || steps->kind != VAL_ARRAY)
		return;
	leg->steps = arena_alloc(a, (steps->u.array->nr + 1) * sizeof(*leg->steps));
	for (size_t i = 0; i < steps->u.array->nr; i++) {
		struct val s = steps->u.array->items[i], *o = val_object_getstr(s, "outputs"), *d;
		struct plan_step *st = &leg->steps[leg->steps_nr++];
		const char *oc = runstate_get_str(s, "outcome"), *cc = runstate_get_str(s, "conclusion");

		st->id = runstate_get_str(s, "id") ? runstate_get_str(s, "id") : "";
		st->name = runstate_get_str(s, "name") ? runstate_get_str(s, "name") : st->id;
		st->status = PLAN_DONE;
		st->outcome = oc && plan_result_parse(oc) > 0 ? plan_result_parse(oc) : 0;
		st->conclusion = cc && plan_result_parse(cc) > 0 ? plan_result_parse(cc) : 0;
		st->outputs = o && o->kind == VAL_OBJECT ? *o : val_new_object(a);
		d = val_object_getstr(s, "duration_ms");
		st->duration_ms = d && d->kind == VAL_NUMBER ? (uint64_t)d->u.number : 0;
	}
}

static void runstate_restore_leg(struct run *run, struct plan_leg *leg, struct val entry,
				 enum plan_result r)
{
	struct arena *a = &run->plan.arena;
	struct val *o = val_object_getstr(entry, "outputs"), *env = val_object_getstr(entry,
										      "environment");

	leg->result = r;
	leg->status = PLAN_DONE;
	leg->restored = 1;
	leg->outputs = o && o->kind == VAL_OBJECT ? *o : val_new_object(a);
	leg->started_ms = runstate_parse_time(runstate_get_str(entry, "started_at"));
	leg->finished_ms = runstate_parse_time(runstate_get_str(entry, "finished_at"));
	leg->message = runstate_get_str(entry, "message");
	if (env && env->kind == VAL_OBJECT) {
		struct val *p = val_object_getstr(*env, "protected");

		leg->env_name = runstate_get_str(*env, "name");
		leg->env_url = runstate_get_str(*env, "url");
		leg->env_protected = p && p->kind == VAL_BOOL && p->u.boolean;
	}
	runstate_restore_steps(a, leg, entry);
}

void runstate_restore(struct run *run, struct val state)
{
	struct plan *p = &run->plan;

	for (size_t i = 0; i < p->jobs_nr; i++) {
		struct plan_job *job = p->jobs[i];
		struct val *whole = runstate_entry(state, job->key);
		int needs_done = 1;
		size_t done = 0;

		for (size_t n = 0; n < job->needs_nr; n++)
			needs_done &= job->needs[n]->result != PLAN_RESULT_NONE &&
				      job->needs[n]->result != PLAN_WAITING;
		if (!job->legs && needs_done) {
			struct strbuf err = STRBUF_INIT;
			struct plan_leg probe;

			memset(&probe, 0, sizeof(probe));
			probe.job = job;
			probe.matrix = val_null();
			plan_expand_job(p, job, context_job_level(&p->arena, run, &probe),
					run->opts.matrix, &err);
			strbuf_release(&err);
		}
		if (!job->legs_nr && whole && runstate_kept_result(*whole)) {
			job->result = runstate_kept_result(*whole);
			continue;
		}
		for (size_t l = 0; l < job->legs_nr; l++) {
			struct val *e = runstate_entry(state, job->legs[l].key);
			enum plan_result r = e ? runstate_kept_result(*e) : PLAN_RESULT_NONE;

			if (r) {
				runstate_restore_leg(run, &job->legs[l], *e, r);
				done++;
			}
		}
		if (job->legs_nr && done == job->legs_nr)
			plan_job_finish(p, job);
	}
}
