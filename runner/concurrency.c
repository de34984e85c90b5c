/*
 * concurrency: `concurrency:` groups as lock files under
 * <state>/concurrency shared by every run of a state directory, with
 * GitHub's one-running-one-pending rule and cancel-in-progress (request
 * files, polled). Job-level groups are held by a leg until it is done,
 * workflow-level ones by the run for that workflow until the run ends.
 */
#include "runner/concurrency.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parser/template.h"
#include "runner/context.h"
#include "runner/console.h"
#include "runner/sched.h"
#include "util/digest.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/xalloc.h"

struct conc_hold {
	struct plan_leg *leg;           /* the leg that wants it (the first one for a workflow group) */
	const struct plan_wf *wf;       /* workflow-level group: the workflow, else NULL */
	char *group, *holder;           /* holder: "<leg key>" or "workflow:<stem>" */
	char *lock, *cancel, *wait;     /* the group's files */
	int held;
	int cancel_in_progress;
};

struct concurrency {
	struct run *run;
	struct conc_hold *h;
	size_t nr, alloc;
	struct plan_leg **waiting;      /* legs waiting for their groups */
	size_t waiting_nr, waiting_alloc;
	uint64_t poll_timer;
	struct strbuf dir;
};

static void conc_on_poll(struct loop *l, uint64_t id, void *data);
static int conc_names_us(const struct concurrency *c, const struct conc_hold *h,
			 const char *path);

struct concurrency *concurrency_new(struct run *run)
{
	struct concurrency *c = xcalloc(1, sizeof(*c));

	c->run = run;
	strbuf_init(&c->dir, 0);
	strbuf_addf(&c->dir, "%s/concurrency", run->state_dir);
	return c;
}

static char *conc_strf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *conc_strf(const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	return strbuf_detach(&sb, NULL);
}

static void conc_drop(struct concurrency *c, size_t i)
{
	struct conc_hold *h = &c->h[i];

	if (h->held)
		unlink(h->lock);
	/* a pending-waiter mark of ours goes with us */
	if (conc_names_us(c, h, h->wait) == 1)
		unlink(h->wait);
	free(h->group);
	free(h->holder);
	free(h->lock);
	free(h->cancel);
	free(h->wait);
	c->h[i] = c->h[--c->nr];
}

void concurrency_free(struct concurrency *c)
{
	if (!c)
		return;
	if (c->poll_timer)
		loop_cancel_timer(c->run->loop, c->poll_timer);
	while (c->nr)
		conc_drop(c, c->nr - 1);
	free(c->h);
	free(c->waiting);
	strbuf_release(&c->dir);
	free(c);
}

/* ---------------------------------------------------------------- files */

/*
 * Write {"run_id", "holder", "pid"} (our pid) naming run_id's holder into
 * path: a new file (O_EXCL) unless replace.
 */
static int conc_write_for(const char *path, const char *run_id, const char *holder, int replace)
{
	struct strbuf body = STRBUF_INIT, err = STRBUF_INIT;
	int fd, ret = -1;

	strbuf_addf(&body, "{\"run_id\": ");
	json_write_string(&body, run_id, strlen(run_id));
	strbuf_addstr(&body, ", \"holder\": ");
	json_write_string(&body, holder, strlen(holder));
	strbuf_addf(&body, ", \"pid\": %ld}\n", (long)getpid());
	if (replace) {
		ret = fs_write_file(path, body.buf, body.len, 0644, &err);
	} else {
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd >= 0) {
			ret = write(fd, body.buf, body.len) == (ssize_t)body.len ? 0 : -1;
			close(fd);
		}
	}
	strbuf_release(&body);
	strbuf_release(&err);
	return ret;
}

/* The same, naming our run. */
static int conc_write(const struct concurrency *c, const char *path, const char *holder,
		      int replace)
{
	return conc_write_for(path, c->run->id, holder, replace);
}

/* Read a group file: 0 with run id, holder and pid (arena strings), -1 when absent. */
static int conc_read(struct arena *a, const char *path, const char **run_id,
		     const char **holder, long *pid)
{
	struct strbuf err = STRBUF_INIT;
	struct val v, *r, *h, *p;
	int ret = -1;

	if (json_parse_file(&v, a, path, &err) == 0 && (r = val_object_getstr(v, "run_id")) &&
	    (h = val_object_getstr(v, "holder")) && (p = val_object_getstr(v, "pid")) &&
	    r->kind == VAL_STRING && h->kind == VAL_STRING && p->kind == VAL_NUMBER) {
		*run_id = r->u.string.ptr;
		*holder = h->u.string.ptr;
		*pid = (long)p->u.number;
		ret = 0;
	}
	strbuf_release(&err);
	return ret;
}

/* Who the group file at path names: 1 h's holder in this run, 0 someone else, -1 no one. */
static int conc_names_us(const struct concurrency *c, const struct conc_hold *h, const char *path)
{
	struct arena a = ARENA_INIT;
	const char *run_id, *holder;
	long pid;
	int ret = -1;

	if (conc_read(&a, path, &run_id, &holder, &pid) == 0)
		ret = !strcmp(run_id, c->run->id) && !strcmp(holder, h->holder);
	arena_release(&a);
	return ret;
}

static int conc_pid_alive(long pid)
{
	return pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

/* Try to take h's lock. 1 taken (or ours already), 0 held by someone else. */
static int conc_try(struct concurrency *c, struct conc_hold *h)
{
	struct arena a = ARENA_INIT;
	const char *run_id, *holder;
	long pid;
	int ret = 0;

	if (h->held)
		return 1;
	for (int attempt = 0; attempt < 2 && !ret; attempt++) {
		if (!conc_write(c, h->lock, h->holder, 0)) {
			ret = 1;
			break;
		}
		if (conc_read(&a, h->lock, &run_id, &holder, &pid) < 0)
			break;
		if (!strcmp(run_id, c->run->id) && !strcmp(holder, h->holder)) {
			ret = 1;
			break;
		}
		if (conc_pid_alive(pid))
			break;
		unlink(h->lock);        /* its holder died: the group is free */
	}
	arena_release(&a);
	h->held = ret;
	return ret;
}

/* ---------------------------------------------------------------- groups of a leg */

/* Evaluate a `concurrency` value into group and cancel-in-progress. 0, or -1 with err. */
static int conc_eval(struct run *run, struct plan_leg *leg, const struct ydoc_node *n,
		     struct strbuf *group, int *cancel, struct strbuf *err)
{
	struct arena *a = &run->plan.arena;
	struct arena_mark mark = arena_mark(a);
	struct expr_names names = { plan_job_contexts, 0, NULL, 0 };
	struct expr_env env = { context_job_level(a, run, leg), EXPR_STATUS_SUCCESS, NULL, a };
	struct val v, *g, *cip;

	*cancel = 0;
	if (tmpl_eval(&v, n, &names, &env, err) < 0) {
		arena_reset(a, mark);
		return -1;
	}
	if (v.kind == VAL_OBJECT) {
		g = val_object_getstr(v, "group");
		cip = val_object_getstr(v, "cancel-in-progress");
		*cancel = cip && (cip->kind == VAL_STRING ? !strcmp(cip->u.string.ptr, "true")
				  : expr_truthy(*cip));
		if (g)
			expr_coerce_string(group, *g);
	} else {
		expr_coerce_string(group, v);
	}
	arena_reset(a, mark);   /* the group and the flag are copied out */
	return 0;
}

/* The hold for leg's job (wf NULL) or for its workflow, or NULL. */
static struct conc_hold *conc_find(struct concurrency *c, const struct plan_leg *leg,
				   const struct plan_wf *wf)
{
	for (size_t i = 0; i < c->nr; i++)
		if (wf ? c->h[i].wf == wf : c->h[i].leg == leg && !c->h[i].wf)
			return &c->h[i];
	return NULL;
}

static struct conc_hold *conc_add(struct concurrency *c, struct plan_leg *leg,
				  const struct plan_wf *wf, const char *group, int cancel)
{
	unsigned char sum[DIGEST_SHA256_LEN];
	struct strbuf hex = STRBUF_INIT;
	struct conc_hold *h;

	digest_sha256(sum, group, strlen(group));
	digest_hex(&hex, sum, sizeof(sum));
	ALLOC_GROW(c->h, c->nr + 1, c->alloc);
	h = &c->h[c->nr++];
	memset(h, 0, sizeof(*h));
	h->leg = leg;
	h->wf = wf;
	h->group = xstrdup(group);
	h->holder = wf ? conc_strf("workflow:%s", wf->stem) : xstrdup(leg->key);
	h->cancel_in_progress = cancel;
	h->lock = conc_strf("%s/%s.lock", c->dir.buf, hex.buf);
	h->cancel = conc_strf("%s/%s.cancel", c->dir.buf, hex.buf);
	h->wait = conc_strf("%s/%s.wait", c->dir.buf, hex.buf);
	strbuf_release(&hex);
	return h;
}

/* Make sure leg's holds exist (job and workflow groups). -1 with err. */
static int conc_holds(struct concurrency *c, struct plan_leg *leg, struct conc_hold **job,
		      struct conc_hold **wf, struct strbuf *err)
{
	const struct ydoc_node *jn = leg->job->job->concurrency, *wn = leg->job->def->concurrency;
	struct strbuf group = STRBUF_INIT;
	int cancel, ret = 0;

	*job = *wf = NULL;
	if (wn && !(*wf = conc_find(c, leg, leg->job->wf))) {
		ret = conc_eval(c->run, leg, wn, &group, &cancel, err);
		if (!ret && group.len)
			*wf = conc_add(c, leg, leg->job->wf, group.buf, cancel);
	}
	strbuf_reset(&group);
	if (!ret && jn && !(*job = conc_find(c, leg, NULL))) {
		ret = conc_eval(c->run, leg, jn, &group, &cancel, err);
		if (!ret && group.len)
			*job = conc_add(c, leg, NULL, group.buf, cancel);
		/* conc_add may have moved the workflow hold */
		*wf = wn ? conc_find(c, leg, leg->job->wf) : NULL;
	}
	strbuf_release(&group);
	return ret;
}

/* h is taken by someone else: cancel-in-progress, and mark us as the pending waiter. */
static void conc_contend(struct concurrency *c, struct conc_hold *h)
{
	struct arena a = ARENA_INIT;
	const char *run_id, *holder;
	long pid;

	conc_write(c, h->wait, h->holder, 1);
	if (h->cancel_in_progress && conc_read(&a, h->lock, &run_id, &holder, &pid) == 0) {
		struct plan_leg *other = strcmp(run_id, c->run->id) ? NULL
					 : plan_find_leg(&c->run->plan, holder);

		if (other)
			sched_cancel_leg(c->run, other);
		else if (strcmp(run_id, c->run->id))
			conc_write_for(h->cancel, run_id, holder, 1);
	}
	arena_release(&a);
}

static void conc_arm(struct concurrency *c)
{
	if (!c->poll_timer && (c->waiting_nr || c->nr))
		c->poll_timer = loop_add_timer(c->run->loop, CONCURRENCY_POLL_MS, conc_on_poll, c);
}

int concurrency_acquire(struct concurrency *c, struct plan_leg *leg, struct strbuf *err)
{
	struct conc_hold *job, *wf;
	int have = 1;

	if (!leg->job->job->concurrency && !leg->job->def->concurrency)
		return CONCURRENCY_PASS;
	if (fs_mkdir_p(c->dir.buf, 0755, err) < 0 || conc_holds(c, leg, &job, &wf, err) < 0)
		return -1;
	if (wf && !conc_try(c, wf)) {
		conc_contend(c, wf);
		have = 0;
	}
	if (have && job && !conc_try(c, job)) {
		conc_contend(c, job);
		have = 0;
	}
	if (!have) {
		ALLOC_GROW(c->waiting, c->waiting_nr + 1, c->waiting_alloc);
		c->waiting[c->waiting_nr++] = leg;
	}
	conc_arm(c);
	return have ? CONCURRENCY_PASS : CONCURRENCY_WAIT;
}

static void conc_forget_waiter(struct concurrency *c, const struct plan_leg *leg)
{
	for (size_t i = 0; i < c->waiting_nr; i++)
		if (c->waiting[i] == leg) {
			c->waiting[i] = c->waiting[--c->waiting_nr];
			return;
		}
}

void concurrency_release(struct concurrency *c, struct plan_leg *leg)
{
	conc_forget_waiter(c, leg);
	for (size_t i = 0; i < c->nr; i++)
		if (c->h[i].leg == leg && !c->h[i].wf) {
			conc_drop(c, i);
			return;
		}
}

/* A cancel request naming one of our held groups. */
static void conc_check_cancel(struct concurrency *c, struct conc_hold *h)
{
	if (!h->held || conc_names_us(c, h, h->cancel) != 1)
		return;
	unlink(h->cancel);
	if (c->run->con)
		console_note(c->run->con, "slipway: concurrency group '%s': a newer run "
			     "cancels this one", h->group);
	if (h->wf)
		sched_cancel(c->run);
	else
		sched_cancel_leg(c->run, h->leg);
}

static void conc_on_poll(struct loop *l, uint64_t id, void *data)
{
	struct concurrency *c = data;

	(void)l;
	(void)id;
	c->poll_timer = 0;
	for (size_t i = 0; i < c->nr; i++)
		conc_check_cancel(c, &c->h[i]);
	for (size_t i = 0; i < c->waiting_nr;) {
		struct plan_leg *leg = c->waiting[i];
		struct conc_hold *job = conc_find(c, leg, NULL), *wf = conc_find(c, leg, leg->job->wf);
		struct conc_hold *want = wf && !wf->held ? wf : job && !job->held ? job : NULL;

		/* a newer waiter replaced our pending mark: GitHub cancels the older one */
		if (want && conc_names_us(c, want, want->wait) == 0) {
			c->waiting[i] = c->waiting[--c->waiting_nr];
			leg->message = "cancelled: a newer job waits for its concurrency group";
			sched_cancel_leg(c->run, leg);
			continue;
		}
		if ((!wf || conc_try(c, wf)) && (!job || conc_try(c, job))) {
			c->waiting[i] = c->waiting[--c->waiting_nr];
			sched_gate_done(c->run, leg, 1, PLAN_SUCCESS, NULL);
			continue;
		}
		i++;
	}
	conc_arm(c);
}
