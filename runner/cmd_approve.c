/*
 * cmd_approve: `slipway approve RUN ENV` and `slipway reject RUN ENV`
 * write a decision for a run's protected environment into its directory
 * (approvals/ENV.json, per the run-directory contract). A run still going
 * picks it up within a poll; a run that ended waiting continues with
 * `slipway run --resume RUN`. Access to the state directory is the
 * authority here.
 */
#include "runner/commands.h"
#include "runner/exitcode.h"
#include "runner/run.h"
#include "runner/runstate.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/options.h"

#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct approve_kind {
	const char *name, *decision, *usage;
};

static const struct approve_kind approve_kinds[] = {
	{ "approve", "approved", "slipway approve RUN ENV [--by NAME] [--comment TEXT] [--state DIR]" },
	{ "reject", "rejected", "slipway reject RUN ENV [--by NAME] [--comment TEXT] [--state DIR]" },
};

static const char *approve_default_by(void)
{
	const char *user = getenv("USER");
	struct passwd *pw;

	if (user && *user)
		return user;
	pw = getpwuid(getuid());
	return pw ? pw->pw_name : "unknown";
}

/* Is s one safe path component? */
static int approve_valid_name(const char *s)
{
	size_t n = strlen(s);

	return n && n <= 128 && s[0] != '.' && !strchr(s, '/');
}

/* Does a job of run (run.json's object) wait for, or deploy to, env? */
static int approve_env_known(struct val run, const char *env, int *waiting)
{
	struct val *jobs = val_object_getstr(run, "jobs");
	int known = 0;

	*waiting = 0;
	for (size_t i = 0; jobs && jobs->kind == VAL_ARRAY && i < jobs->u.array->nr; i++) {
		struct val *e = val_object_getstr(jobs->u.array->items[i], "environment");
		struct val *name = e && e->kind == VAL_OBJECT ? val_object_getstr(*e, "name") : NULL;
		struct val *wf = val_object_getstr(jobs->u.array->items[i], "waiting_for");

		if (!name || name->kind != VAL_STRING || strcasecmp(name->u.string.ptr, env))
			continue;
		known = 1;
		*waiting |= wf && wf->kind == VAL_STRING && !strcmp(wf->u.string.ptr, "approval");
	}
	return known;
}

/* Does run.json say the run goes on (a live process)? */
static int approve_running(struct val run)
{
	struct val *result = val_object_getstr(run, "result"), *pid = val_object_getstr(run, "pid");

	return result && result->kind == VAL_STRING && !strcmp(result->u.string.ptr, "running") &&
	       pid && pid->kind == VAL_NUMBER && pid->u.number > 0 &&
	       (kill((pid_t)pid->u.number, 0) == 0 || errno == EPERM);
}

static int approve_write(const char *dir, const char *env, const struct approve_kind *k,
			 const char *by, const char *comment, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT, body = STRBUF_INIT;
	int ret;

	strbuf_addf(&path, "%s/approvals", dir);
	if (fs_mkdir_p(path.buf, 0755, err) < 0) {
		strbuf_release(&path);
		return -1;
	}
	strbuf_addf(&path, "/%s.json", env);
	strbuf_addstr(&body, "{\"decision\": ");
	json_write_string(&body, k->decision, strlen(k->decision));
	strbuf_addstr(&body, ", \"by\": ");
	json_write_string(&body, by, strlen(by));
	strbuf_addstr(&body, ", \"at\": \"");
	run_format_time(&body, run_now_ms());
	strbuf_addstr(&body, "\", \"comment\": ");
	json_write_string(&body, comment, strlen(comment));
	strbuf_addstr(&body, "}\n");
	ret = fs_write_file(path.buf, body.buf, body.len, 0644, err);
	strbuf_release(&path);
	strbuf_release(&body);
	return ret;
}

static int approve_main(const struct approve_kind *k, int argc, const char **argv)
{
	const char *state_opt = NULL, *by = NULL, *comment = "";
	const struct option opts[] = {
		{ OPT_STRING, 0, "by", &by, "NAME", "who decides (default: $USER)" },
		{ OPT_STRING, 0, "comment", &comment, "TEXT", "why" },
		{ OPT_STRING, 0, "state", &state_opt, "DIR", "the state directory (default .slipway)" },
		{ OPT_END },
	};
	struct strbuf err = STRBUF_INIT, state = STRBUF_INIT, dir = STRBUF_INIT;
	struct arena a = ARENA_INIT;
	struct val run;
	int nargs, waiting, ret = EXITCODE_USAGE;

	nargs = options_parse(argc, argv, opts, &err);
	if (nargs == OPTIONS_HELP) {
		options_usage(stdout, k->usage, opts);
		ret = EXITCODE_OK;
		goto out;
	}
	if (nargs >= 0 && nargs != 2)
		strbuf_addf(&err, nargs < 2 ? "%s needs a run id and an environment"
			    : "%s takes a run id and an environment, nothing more", k->name);
	else if (nargs == 2 && !approve_valid_name(argv[0]))
		strbuf_addf(&err, "'%s' is not a run id", argv[0]);
	else if (nargs == 2 && !approve_valid_name(argv[1]))
		strbuf_addf(&err, "'%s' is not an environment name", argv[1]);
	else if (by && !*by)
		strbuf_addstr(&err, "--by needs a name");
	if (err.len) {
		fprintf(stderr, "slipway %s: %s\n", k->name, err.buf);
		if (nargs >= 0)
			options_usage(stderr, k->usage, opts);
		goto out;
	}
	ret = EXITCODE_FAILED;
	if (runstate_state_dir(&state, state_opt, &err) < 0)
		goto fail;
	strbuf_addf(&dir, "%s/runs/%s", state.buf, argv[0]);
	if (runstate_load(&run, &a, dir.buf, &err) < 0) {
		strbuf_reset(&err);
		strbuf_addf(&err, "no run '%s' in '%s'", argv[0], state.buf);
		goto fail;
	}
	/* a run still going may not have reached the job yet: decide ahead of time */
	if (!approve_env_known(run, argv[1], &waiting) && !approve_running(run)) {
		strbuf_addf(&err, "no job of run '%s' deploys to environment '%s'", argv[0], argv[1]);
		goto fail;
	}
	if (approve_write(dir.buf, argv[1], k, by ? by : approve_default_by(), comment, &err) < 0)
		goto fail;
	printf("%s environment '%s' of run %s as %s\n", k->decision, argv[1], argv[0],
	       by ? by : approve_default_by());
	if (waiting) {
		struct val *result = val_object_getstr(run, "result");

		if (result && result->kind == VAL_STRING && strcmp(result->u.string.ptr, "running"))
			printf("continue it with: slipway run --resume %s --state %s\n", argv[0],
			       state.buf);
	}
	ret = EXITCODE_OK;
	goto out;
fail:
	fprintf(stderr, "slipway %s: %s\n", k->name, err.buf);
out:
	strbuf_release(&err);
	strbuf_release(&state);
	strbuf_release(&dir);
	arena_release(&a);
	return ret;
}

int cmd_approve(int argc, const char **argv)
{
	return approve_main(&approve_kinds[0], argc, argv);
}

int cmd_reject(int argc, const char **argv)
{
	return approve_main(&approve_kinds[1], argc, argv);
}
