/*
 * cmd_run: `slipway run [EVENT]` — options, the run directory (a new one,
 * or --resume of an existing one), the snapshot, the collaborators of a
 * run (loop, host executor, console, approvals, concurrency, records),
 * then the scheduler, the summary and the exit status. Planning is
 * runner/prepare.c's, running runner/sched.c's.
 */
#include "runner/actions.h"
#include "runner/approval.h"
#include "runner/backend.h"
#include "runner/commands.h"
#include "runner/concurrency.h"
#include "runner/console.h"
#include "runner/dryrun.h"
#include "runner/exitcode.h"
#include "runner/prepare.h"
#include "runner/rundir.h"
#include "runner/runstate.h"
#include "runner/sched.h"
#include "stages/stage.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/options.h"
#include "util/proc.h"
#include "util/term.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

static const char run_usage[] = "slipway run [EVENT] [options]   (EVENT: push by default)";

struct run_cli {
	const char *event, *event_file, *summary, *state, *run_id, *resume, *backend;
	const char *ref, *sha, *checkout, *action_base_url;
	struct strlist inputs, workflows, jobs, matrix, secrets, secret_files, vars, var_files;
	struct strlist env_files, approve, reject, platforms, no_builtin, action_paths;
	int max_jobs, dry_run, verbose, collapse, bind, pull, docker_socket, offline;
};

static const struct {
	enum plan_result result;
	int code;
} run_exit_codes[] = {
	{ PLAN_SUCCESS, EXITCODE_OK }, { PLAN_FAILURE, EXITCODE_FAILED },
	{ PLAN_WAITING, EXITCODE_WAITING }, { PLAN_CANCELLED, EXITCODE_CANCELLED },
};

static int run_exit_code(enum plan_result r)
{
	for (size_t i = 0; i < sizeof(run_exit_codes) / sizeof(run_exit_codes[0]); i++)
		if (run_exit_codes[i].result == r)
			return run_exit_codes[i].code;
	return EXITCODE_OK;
}

/* Is s one safe path component (a run id)? */
static int run_valid_id(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > 128 || s[0] == '.')
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

/* A fresh id: UTC time and four random hex digits. */
static void run_new_id(struct strbuf *out)
{
	unsigned char r[2] = { 0, 0 };
	time_t t = time(NULL);
	struct tm tm;
	char buf[32];

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		r[0] = (unsigned char)getpid(), r[1] = (unsigned char)clock();
	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y%m%d-%H%M%S", &tm);
	strbuf_addf(out, "%s-%02x%02x", buf, r[0], r[1]);
}

/* How many runs the state directory holds (for github.run_number). */
static int run_count(const char *state)
{
	struct strbuf path = STRBUF_INIT;
	DIR *d;
	struct dirent *de;
	int n = 0;

	strbuf_addf(&path, "%s/runs", state);
	d = opendir(path.buf);
	while (d && (de = readdir(d)))
		n += de->d_name[0] != '.';
	if (d)
		closedir(d);
	strbuf_release(&path);
	return n;
}

/* Make <state>/runs/<id> (a new id when none is given). */
static int run_make_dir(struct run *run, struct run_cli *o, struct strbuf *state,
			struct strbuf *err)
{
	struct arena *a = &run->plan.arena;
	struct strbuf id = STRBUF_INIT, dir = STRBUF_INIT, runs = STRBUF_INIT;
	int ret = -1;

	strbuf_addf(&runs, "%s/runs", state->buf);
	if (fs_mkdir_p(runs.buf, 0755, err) < 0)
		goto out;
	for (int attempt = 0; attempt < 100; attempt++) {
		strbuf_reset(&id);
		strbuf_reset(&dir);
		if (o->run_id)
			strbuf_addstr(&id, o->run_id);
		else
			run_new_id(&id);
		strbuf_addf(&dir, "%s/%s", runs.buf, id.buf);
		if (!mkdir(dir.buf, 0755))
			break;
		if (errno != EEXIST) {
			strbuf_addf(err, "cannot create '%s': %s", dir.buf, strerror(errno));
			goto out;
		}
		if (o->run_id) {
			strbuf_addf(&dir, "/run.json");
			if (fs_exists(dir.buf)) {
				strbuf_addf(err, "run '%s' already exists (continue it with --resume)",
					    o->run_id);
				goto out;
			}
			strbuf_setlen(&dir, dir.len - strlen("/run.json"));
			break;
		}
	}
	run->id = arena_strdup(a, id.buf);
	run->dir = arena_strdup(a, dir.buf);
	ret = 0;
out:
	strbuf_release(&id);
	strbuf_release(&dir);
	strbuf_release(&runs);
	return ret;
}

/* What --resume needs to plan the same run again, kept in run.json. */
static struct val run_resume_info(struct arena *a, const struct run_cli *o)
{
	const struct {
		const char *key;
		const struct strlist *l;
	} lists[] = {
		{ "workflows", &o->workflows }, { "jobs", &o->jobs }, { "matrix", &o->matrix },
		{ "inputs", &o->inputs },
	};
	struct val info = val_new_object(a);

	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		struct val arr = val_new_array(a);

		for (size_t k = 0; k < lists[i].l->nr; k++)
			val_array_push(a, arr, val_cstring(a, lists[i].l->items[k]));
		val_object_setstr(a, info, lists[i].key, arr);
	}
	return info;
}

/* The other way: run.json's "slipway" member back into the option lists. */
static void run_resume_options(struct run_cli *o, struct val state)
{
	struct strlist *const lists[] = { &o->workflows, &o->jobs, &o->matrix, &o->inputs };
	static const char *const keys[] = { "workflows", "jobs", "matrix", "inputs" };
	struct val *info = val_object_getstr(state, "slipway");

	for (size_t i = 0; info && i < sizeof(keys) / sizeof(keys[0]); i++) {
		struct val *arr = val_object_getstr(*info, keys[i]);

		for (size_t k = 0; arr && arr->kind == VAL_ARRAY && k < arr->u.array->nr; k++)
			if (arr->u.array->items[k].kind == VAL_STRING)
				strlist_push(lists[i], arr->u.array->items[k].u.string.ptr);
	}
}

static const char *run_state_str(struct val state, const char *key)
{
	struct val *v = val_object_getstr(state, key);

	return v && v->kind == VAL_STRING ? v->u.string.ptr : NULL;
}

/* --resume: the run directory and what run.json says. */
static int run_open_resume(struct run *run, struct run_cli *o, const char *state_dir,
			   struct val *state, struct prepare_opts *po, struct strbuf *err)
{
	struct arena *a = &run->plan.arena;
	struct strbuf dir = STRBUF_INIT;
	const char *repo;
	int ret = -1;

	if (!run_valid_id(o->resume)) {
		strbuf_addf(err, "'%s' is not a run id", o->resume);
		goto out;
	}
	strbuf_addf(&dir, "%s/runs/%s", state_dir, o->resume);
	if (runstate_load(state, a, dir.buf, err) < 0)
		goto out;
	run->id = arena_strdup(a, o->resume);
	run->dir = arena_strdup(a, dir.buf);
	run_resume_options(o, *state);
	repo = run_state_str(*state, "repository");
	po->dir = repo && fs_is_dir(repo) ? repo : NULL;
	po->event = run_state_str(*state, "event");
	po->ref = run_state_str(*state, "ref");
	po->sha = run_state_str(*state, "sha");
	po->snapshot = arena_printf(a, "%s/snapshot", dir.buf);
	po->payload_file = arena_printf(a, "%s/event.json", dir.buf);
	if (!fs_is_dir(po->snapshot)) {
		strbuf_addf(err, "run '%s' has no snapshot to resume from", o->resume);
		goto out;
	}
	ret = 0;
out:
	strbuf_release(&dir);
	return ret;
}

static void run_event_started(struct run *run)
{
	struct arena *a = &run->plan.arena;
	struct val f = val_new_object(a);

	val_object_setstr(a, f, "run_id", val_cstring(a, run->id));
	val_object_setstr(a, f, "event", val_cstring(a, run->event_name));
	val_object_setstr(a, f, "ref", run->ref ? val_cstring(a, run->ref) : val_null());
	val_object_setstr(a, f, "sha", run->sha ? val_cstring(a, run->sha) : val_null());
	runstate_event(run->rs, "run_started", f);
}

static void run_event_finished(struct run *run)
{
	struct arena *a = &run->plan.arena;
	struct val f = val_new_object(a);

	val_object_setstr(a, f, "result", val_cstring(a, plan_result_name(run->result)));
	val_object_setstr(a, f, "duration_ms",
			  val_number((double)(run->finished_ms - run->started_ms)));
	runstate_event(run->rs, "run_finished", f);
}

/* The snapshot and event.json of a new run. */
static int run_write_inputs(struct run *run, struct prepared *pr, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT, body = STRBUF_INIT;
	int ret;

	fs_path_join(&path, run->dir, "snapshot");
	ret = repo_snapshot(&pr->repo, path.buf, err);
	if (!ret) {
		json_write(&body, pr->payload, JSON_PRETTY);
		strbuf_addch(&body, '\n');
		ret = fs_write_file(run->event_path, body.buf, body.len, 0644, err);
	}
	strbuf_release(&path);
	strbuf_release(&body);
	return ret;
}

/* --backend and -P are usage errors when wrong, before anything runs. */
static void run_check_backend(const struct run_cli *o, struct strbuf *err)
{
	struct backend_opts b;

	memset(&b, 0, sizeof(b));
	b.name = o->backend;
	b.platforms = &o->platforms;
	backend_check(&b, err);
}

/*
 * The executor --backend asks for (auto: docker when the engine answers);
 * says on stderr why there is none.
 */
static int run_open_backend(struct run *run, const struct run_cli *o, const char *tool_cache)
{
	struct backend_opts b;
	struct strbuf notice = STRBUF_INIT, err = STRBUF_INIT;
	int ret;

	memset(&b, 0, sizeof(b));
	b.name = o->backend;
	b.platforms = &o->platforms;
	b.bind = o->bind;
	b.pull = o->pull;
	b.docker_socket = o->docker_socket;
	b.repository = run->repository;
	b.run_id = run->id;
	b.tool_cache = tool_cache;
	b.slots_dir = arena_printf(&run->plan.arena, "%s/slots", run->dir);
	b.config = run->config;
	ret = backend_open(&run->exec, &b, &notice, &err);
	if (notice.len)
		fprintf(stderr, "slipway run: %s\n", notice.buf);
	if (ret < 0)
		fprintf(stderr, "slipway run: %s\n", err.buf);
	strbuf_release(&notice);
	strbuf_release(&err);
	return ret;
}

/* Where `uses:` steps find actions and stages their stores; strings in the run's arena. */
static int run_uses_setup(struct run *run, struct run_cli *o, struct actions_opts *ao,
			  struct strbuf *err)
{
	struct arena *a = &run->plan.arena;
	struct strbuf cache = STRBUF_INIT;
	char *self = realpath("/proc/self/exe", NULL);

	memset(ao, 0, sizeof(*ao));
	if (fs_cache_dir(&cache, err) < 0)
		return -1;
	ao->cache_dir = arena_printf(a, "%s/actions", cache.buf);
	ao->base_url = o->action_base_url;      /* NULL: prepare reads .slipway.yml */
	ao->offline = o->offline;
	ao->overrides = &o->action_paths;
	ao->no_builtin = &o->no_builtin;
	run->opts.actions = ao;
	run->opts.checkout = o->checkout ? o->checkout : "snapshot";
	run->opts.cache_store = arena_printf(a, "%s/cache", cache.buf);
	run->opts.self_exe = self ? arena_strdup(a, self) : NULL;
	free(self);
	strbuf_release(&cache);
	return 0;
}

/*
 * Fetch the remote actions the planned jobs use before anything runs, as
 * GitHub's runner downloads them when a job is set up; a failure is
 * reported by the step that needs the action.
 */
static void run_fetch_actions(struct run *run, const struct actions_opts *ao)
{
	struct strlist seen = STRLIST_INIT;
	struct strbuf warn = STRBUF_INIT;

	for (size_t i = 0; i < run->plan.jobs_nr; i++) {
		const struct wf_job *j = run->plan.jobs[i]->job;

		actions_prefetch(ao, j->steps, j->steps_nr, run->snapshot, &seen, &warn);
	}
	if (warn.len)
		fprintf(stderr, "slipway run: %s", warn.buf);
	strlist_release(&seen);
	strbuf_release(&warn);
}

/* Everything after planning: directories, collaborators, the scheduler. */
static int run_execute(struct run *run, struct prepared *pr, struct run_cli *o,
		       struct val state, struct strbuf *err)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct strbuf cache = STRBUF_INIT;
	int ret = EXITCODE_USAGE;

	if (!o->resume && run_write_inputs(run, pr, err) < 0)
		goto out;
	run_fetch_actions(run, run->opts.actions);
	if (approval_load_env_values(run, pr->repo.root, &diags) < 0) {
		diag_list_print(stderr, &diags);
		goto out;
	}
	if (o->resume)
		runstate_restore(run, state);
	if (runstate_open(&run->rs, run, run_resume_info(&run->plan.arena, o), err) < 0)
		goto out;
	run->loop = loop_new();
	if (fs_cache_dir(&cache, err) < 0)
		goto out;
	strbuf_addstr(&cache, "/toolcache");
	if (run_open_backend(run, o, cache.buf) < 0) {
		ret = EXITCODE_FAILED;
		goto out;
	}
	run->approval = approval_new(run);
	run->conc = concurrency_new(run);
	proc_become_subreaper(err);
	strbuf_reset(err);
	run->started_ms = run_now_ms();
	run_event_started(run);
	runstate_write(run->rs, err);
	if (sched_run(run, err) < 0)
		goto out;
	run->finished_ms = run_now_ms();
	run_event_finished(run);
	console_table(run->con, &run->plan, run->dir);
	ret = run_exit_code(run->result);
out:
	if (run->approval)
		approval_free(run->approval);
	if (run->conc)
		concurrency_free(run->conc);
	if (!run->finished_ms && run->rs) {
		run->finished_ms = run_now_ms();
		run->result = PLAN_FAILURE;
	}
	runstate_close(run->rs);
	run->rs = NULL;
	/* first: the docker executor waits for its teardown children and sweeps */
	if (run->exec)
		run->exec->ops->free(run->exec);
	{
		struct strbuf sweep = STRBUF_INIT;

		proc_kill_descendants(&sweep);
		strbuf_release(&sweep);
	}
	if (run->loop) {
		while (loop_run_once(run->loop, 0) > 0)
			;
		loop_free(run->loop);
	}
	if (o->summary && ret != EXITCODE_USAGE && runstate_write_summary(run, o->summary, err) < 0)
		ret = EXITCODE_USAGE;
	diag_list_release(&diags);
	strbuf_release(&cache);
	return ret;
}

/* --action-path entries are OWNER/REPO[@REF]=DIR; --no-builtin names a built-in stage. */
static void run_check_uses_options(const struct run_cli *o, struct strbuf *err)
{
	for (size_t i = 0; i < o->action_paths.nr && !err->len; i++) {
		const char *e = o->action_paths.items[i], *eq = strchr(e, '='), *slash = strchr(e, '/');

		if (!eq || !slash || slash > eq || eq == e || !eq[1])
			strbuf_addf(err, "--action-path '%s': expected OWNER/REPO@REF=DIR", e);
	}
	for (size_t i = 0; i < o->no_builtin.nr && !err->len; i++)
		if (!stage_by_name(o->no_builtin.items[i]))
			strbuf_addf(err, "--no-builtin '%s': no built-in stage has that name",
				    o->no_builtin.items[i]);
}

static void run_release_cli(struct run_cli *o)
{
	struct strlist *lists[] = {
		&o->inputs, &o->workflows, &o->jobs, &o->matrix, &o->secrets, &o->secret_files,
		&o->vars, &o->var_files, &o->env_files, &o->approve, &o->reject, &o->platforms,
		&o->no_builtin, &o->action_paths,
	};

	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		strlist_release(lists[i]);
}

int cmd_run(int argc, const char **argv)
{
	struct run_cli o;
	const struct option opts[] = {
		{ OPT_STRING, 0, "event", &o.event, "NAME", "the event (also the EVENT argument)" },
		{ OPT_STRING, 'e', "event-file", &o.event_file, "FILE.json", "the event payload" },
		{ OPT_LIST, 0, "input", &o.inputs, "K=V", "a workflow_dispatch input" },
		{ OPT_LIST, 'W', "workflow", &o.workflows, "FILE", "run this workflow only" },
		{ OPT_LIST, 'j', "job", &o.jobs, "ID", "run this job (and what it needs)" },
		{ OPT_INT, 0, "jobs", &o.max_jobs, "N", "jobs running at once (default: CPUs)" },
		{ OPT_LIST, 0, "matrix", &o.matrix, "KEY:VALUE", "run only these matrix legs" },
		{ OPT_LIST, 0, "secret", &o.secrets, "K[=V]", "a secret (V from the environment)" },
		{ OPT_LIST, 0, "secret-file", &o.secret_files, "FILE", "secrets (dotenv)" },
		{ OPT_LIST, 0, "var", &o.vars, "K[=V]", "a configuration variable" },
		{ OPT_LIST, 0, "var-file", &o.var_files, "FILE", "variables (dotenv)" },
		{ OPT_LIST, 0, "env-file", &o.env_files, "FILE", "environment for every step" },
		{ OPT_LIST, 0, "approve", &o.approve, "ENV", "approve deployments to ENV" },
		{ OPT_LIST, 0, "reject", &o.reject, "ENV", "reject deployments to ENV" },
		{ OPT_STRING, 0, "summary", &o.summary, "FILE", "write the run's results as JSON" },
		{ OPT_FLAG, 'n', "dry-run", &o.dry_run, NULL, "show the plan, run nothing" },
		{ OPT_FLAG, 'v', "verbose", &o.verbose, NULL, "show ::debug:: lines and scripts" },
		{ OPT_STRING, 0, "state", &o.state, "DIR", "state directory (default .slipway)" },
		{ OPT_STRING, 0, "run-id", &o.run_id, "ID", "the new run's id" },
		{ OPT_STRING, 0, "resume", &o.resume, "RUN", "continue a run (after approvals)" },
		{ OPT_FLAG, 0, "collapse-groups", &o.collapse, NULL, "hide ::group:: contents" },
		{ OPT_STRING, 0, "backend", &o.backend, "auto|docker|host",
		  "where jobs run (auto: docker when its engine answers)" },
		{ OPT_LIST, 'P', "platform", &o.platforms, "LABEL=IMAGE",
		  "run runs-on LABEL in IMAGE (-self-hosted: on this machine)" },
		{ OPT_FLAG, 0, "bind", &o.bind, NULL, "mount the repository as the workspace" },
		{ OPT_FLAG, 0, "pull", &o.pull, NULL, "pull images that are not present" },
		{ OPT_FLAG, 0, "docker-socket", &o.docker_socket, NULL,
		  "let job containers use the Docker engine" },
		{ OPT_STRING, 0, "ref", &o.ref, "REF", "the ref the event is for" },
		{ OPT_STRING, 0, "sha", &o.sha, "SHA", "the commit the event is for" },
		{ OPT_STRING, 0, "checkout", &o.checkout, "snapshot|commit",
		  "what actions/checkout gives (default: the working tree)" },
		{ OPT_LIST, 0, "no-builtin", &o.no_builtin, "NAME",
		  "run the real action NAME, not the built-in stage" },
		{ OPT_FLAG, 0, "offline", &o.offline, NULL, "use only cached remote actions" },
		{ OPT_LIST, 0, "action-path", &o.action_paths, "OWNER/REPO@REF=DIR",
		  "use the checkout in DIR for that action" },
		{ OPT_STRING, 0, "action-base-url", &o.action_base_url, "URL",
		  "fetch remote actions from URL/OWNER/REPO (default https://github.com)" },
		{ OPT_END },
	};
	struct run run;
	struct console con;
	struct prepared pr;
	struct prepare_opts po;
	struct diag_list diags = DIAG_LIST_INIT;
	struct strbuf err = STRBUF_INIT, state = STRBUF_INIT;
	struct val saved = val_null();
	struct actions_opts ao;
	struct strlist failures = STRLIST_INIT;
	int nargs, ret = EXITCODE_USAGE, prepared = 0, rc;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	memset(&o, 0, sizeof(o));
	memset(&run, 0, sizeof(run));
	memset(&po, 0, sizeof(po));
	plan_init(&run.plan);
	console_init(&con, stdout, term_is_tty(STDOUT_FILENO), term_use_color(STDOUT_FILENO));
	o.max_jobs = cpus > 0 ? (int)cpus : 2;
	nargs = options_parse(argc, argv, opts, &err);
	if (nargs == OPTIONS_HELP) {
		options_usage(stdout, run_usage, opts);
		ret = EXITCODE_OK;
		goto out;
	}
	if (nargs > 1)
		strbuf_addf(&err, "unexpected argument '%s'", argv[1]);
	else if (nargs == 1 && o.event && strcmp(o.event, argv[0]))
		strbuf_addf(&err, "two events: '%s' and --event '%s'", argv[0], o.event);
	else if (o.max_jobs < 1)
		strbuf_addf(&err, "--jobs must be at least 1, not %d", o.max_jobs);
	else if (o.resume && (nargs || o.event || o.event_file || o.run_id || o.dry_run))
		strbuf_addstr(&err, "--resume continues a run as it was planned: it takes no "
			      "event, --event-file, --run-id or --dry-run");
	else if (o.run_id && !run_valid_id(o.run_id))
		strbuf_addf(&err, "'%s' is not a valid run id (letters, digits, '.', '_', '-')",
			    o.run_id);
	else if (o.checkout && strcmp(o.checkout, "snapshot") && strcmp(o.checkout, "commit"))
		strbuf_addf(&err, "--checkout must be 'snapshot' or 'commit', not '%s'", o.checkout);
	else
		run_check_uses_options(&o, &err);
	if (nargs >= 0 && !err.len)
		run_check_backend(&o, &err);
	if (nargs < 0 || err.len) {
		fprintf(stderr, "slipway run: %s\n", err.buf);
		if (nargs >= 0)
			options_usage(stderr, run_usage, opts);
		goto out;
	}
	if (nargs == 1)
		o.event = argv[0];
	if (rundir_state(&state, o.state, &err) < 0)
		goto fail;
	run.state_dir = arena_strdup(&run.plan.arena, state.buf);
	run.opts.max_jobs = o.max_jobs;
	run.opts.verbose = o.verbose;
	run.opts.interactive = term_is_tty(STDIN_FILENO) && term_is_tty(STDERR_FILENO);
	run.opts.approve = &o.approve;
	run.opts.reject = &o.reject;
	run.opts.matrix = &o.matrix;
	run.opts.kill_after_ms[0] = 7500;
	run.opts.kill_after_ms[1] = 2500;
	if (o.resume && run_open_resume(&run, &o, state.buf, &saved, &po, &err) < 0)
		goto fail;
	if (!o.resume) {
		po.event = o.event;
		po.event_file = o.event_file;
		po.ref = o.ref;
		po.sha = o.sha;
	}
	if (!o.resume && !o.dry_run && run_make_dir(&run, &o, &state, &err) < 0)
		goto fail;
	if (o.dry_run) {
		struct strbuf id = STRBUF_INIT;

		run_new_id(&id);
		run.id = arena_strdup(&run.plan.arena, id.buf);
		run.dir = arena_printf(&run.plan.arena, "%s/runs/%s", state.buf, id.buf);
		strbuf_release(&id);
	}
	run.snapshot = arena_printf(&run.plan.arena, "%s/snapshot", run.dir);
	run.event_path = arena_printf(&run.plan.arena, "%s/event.json", run.dir);
	run.run_number = run_count(state.buf) + (o.dry_run ? 1 : 0);
	po.state = state.buf;
	po.workflows = &o.workflows;
	po.jobs = &o.jobs;
	po.matrix = &o.matrix;
	po.inputs = &o.inputs;
	po.secrets.secret_args = &o.secrets;
	po.secrets.secret_files = &o.secret_files;
	po.secrets.var_args = &o.vars;
	po.secrets.var_files = &o.var_files;
	po.secrets.env_files = &o.env_files;
	if (run_uses_setup(&run, &o, &ao, &err) < 0)
		goto fail;
	ao.failures = &failures;
	po.actions = &ao;
	rc = prepare_run(&run, &pr, &po, &diags, &err);
	prepared = 1;
	if (rc < 0 && !o.resume && !o.dry_run)
		rmdir(run.dir);         /* nothing ran: leave no empty run behind */
	if (rc == PREPARE_INVALID) {
		diag_list_print(stderr, &diags);
		goto out;
	}
	if (rc < 0)
		goto fail;
	diag_list_print(stderr, &diags);
	if (o.dry_run) {
		dryrun_print(stdout, &run, &pr.skipped);
		ret = EXITCODE_OK;
		goto out;
	}
	con.collapse_groups = o.collapse;
	con.verbose = o.verbose;
	run.con = &con;
	ret = run_execute(&run, &pr, &o, saved, &err);
	if (err.len && ret == EXITCODE_USAGE)
		fprintf(stderr, "slipway run: %s\n", err.buf);
	goto out;
fail:
	fprintf(stderr, "slipway run: %s\n", err.buf);
out:
	if (prepared)
		prepare_release(&pr);
	plan_release(&run.plan);
	console_release(&con);
	run_release_cli(&o);
	strlist_release(&failures);
	diag_list_release(&diags);
	strbuf_release(&err);
	strbuf_release(&state);
	return ret;
}
