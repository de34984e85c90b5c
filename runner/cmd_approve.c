/*
 * cmd_approve: `slipway approve RUN ENV` and `slipway reject RUN ENV`
 * write the decision for a job waiting on a protected environment (or, in
 * a run still going, one that will) into the run directory
 * (approvals/ENV.json), where the run, a --resume or the daemon picks it
 * up. Shell access to the state directory is the authority here; an
 * environment's `reviewers:` name who may decide (--by or $USER), and the
 * daemon's API asks for their tokens.
 */
#include "runner/commands.h"
#include "runner/config.h"
#include "runner/exitcode.h"
#include "runner/rundir.h"
#include "util/fs.h"
#include "util/options.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

struct approve_kind {
	const char *name, *decision, *usage;
};

static const struct approve_kind approve_kinds[] = {
	{ "approve", "approved", "slipway approve RUN ENV [--by NAME] [--comment TEXT] [--state DIR]" },
	{ "reject", "rejected", "slipway reject RUN ENV [--by NAME] [--comment TEXT] [--state DIR]" },
};

/*
 * Does a job of run (run.json's object) deploy to env (names compare
 * case-insensitively, as GitHub's environments do)? *waiting says whether
 * one of them waits for its approval now; *reviewers is the environment's
 * `reviewers:` as the run recorded them (NULL: none).
 */
static int approve_env_known(struct val run, const char *env, int *waiting,
			     const struct val **reviewers)
{
	struct val *jobs = val_object_getstr(run, "jobs");
	int known = 0;

	*waiting = 0;
	*reviewers = NULL;
	for (size_t i = 0; jobs && jobs->kind == VAL_ARRAY && i < jobs->u.array->nr; i++) {
		struct val job = jobs->u.array->items[i], *e = val_object_getstr(job, "environment");
		const char *name = e && e->kind == VAL_OBJECT ? rundir_str(*e, "name") : NULL;
		const char *st = rundir_str(job, "status");
		struct val *r;

		if (!name || strcasecmp(name, env))
			continue;
		known = 1;
		*waiting |= st && !strcmp(st, "waiting");
		r = val_object_getstr(*e, "reviewers");
		if (r && r->kind == VAL_ARRAY && r->u.array->nr)
			*reviewers = r;
	}
	return known;
}

/*
 * May who decide for env? The reviewers the run recorded, or, for a job
 * the run has not reached, those of the repository's .slipway.yml. When
 * not, err says who may.
 */
static int approve_may_review(struct val run, const struct val *reviewers, const char *env,
			      const char *who, struct strbuf *err)
{
	struct strbuf names = STRBUF_INIT, path = STRBUF_INIT;
	struct diag_list diags = DIAG_LIST_INIT;
	struct config cfg;
	const struct config_env *ce;
	const char *repo = rundir_str(run, "repository");
	int ok = 1;

	if (reviewers) {
		ok = 0;
		for (size_t i = 0; i < reviewers->u.array->nr; i++) {
			const struct val *r = &reviewers->u.array->items[i];

			if (r->kind != VAL_STRING)
				continue;
			ok |= !strcasecmp(r->u.string.ptr, who);
			strbuf_addf(&names, "%s%s", names.len ? ", " : "", r->u.string.ptr);
		}
	} else if (repo) {
		fs_path_join(&path, repo, CONFIG_FILE);
		if (config_load(&cfg, path.buf, &diags) == 0 && (ce = config_env_find(&cfg, env)) &&
		    !config_env_may_review(ce, who)) {
			ok = 0;
			for (size_t i = 0; i < ce->reviewers_nr; i++)
				strbuf_addf(&names, "%s%s", i ? ", " : "", ce->reviewer_names[i]);
		}
		config_release(&cfg);
	}
	if (!ok)
		strbuf_addf(err, "'%s' is not a reviewer of environment '%s' (reviewers: %s)", who,
			    env, names.buf);
	diag_list_release(&diags);
	strbuf_release(&names);
	strbuf_release(&path);
	return ok;
}

static int approve_main(const struct approve_kind *k, int argc, const char **argv)
{
	const char *state_opt = NULL, *by = NULL, *comment = "";
	struct strbuf err = STRBUF_INIT, state = STRBUF_INIT, info = STRBUF_INIT;
	struct arena a = ARENA_INIT;
	const struct option opts[] = {
		{ OPT_STRING, 0, "by", &by, "NAME", "who decides (default: $USER)" },
		{ OPT_STRING, 0, "comment", &comment, "TEXT", "why" },
		{ OPT_STRING, 0, "state", &state_opt, "DIR", "the state directory" },
		{ OPT_END },
	};
	int nargs, waiting, running, ret = EXITCODE_USAGE;
	const struct val *reviewers;
	struct val run;

	nargs = options_parse(argc, argv, opts, &err);
	if (nargs == OPTIONS_HELP) {
		options_usage(stdout, k->usage, opts);
		ret = EXITCODE_OK;
		goto out;
	}
	if (nargs >= 0 && nargs < 2)
		strbuf_addf(&err, "%s what? (%s)", k->name, k->usage);
	else if (nargs > 2)
		strbuf_addf(&err, "unexpected argument '%s'", argv[2]);
	else if (nargs == 2 && !rundir_valid_name(argv[0]))
		strbuf_addf(&err, "'%s' is not a run id", argv[0]);
	else if (nargs == 2 && !rundir_valid_name(argv[1]))
		strbuf_addf(&err, "'%s' is not an environment name", argv[1]);
	else if (by && !*by)
		strbuf_addstr(&err, "--by needs a name");
	if (err.len) {
		fprintf(stderr, "slipway %s: %s\n", k->name, err.buf);
		options_usage(stderr, k->usage, opts);
		goto out;
	}
	ret = EXITCODE_FAILED;
	if (rundir_open(&run, &a, &state, state_opt, argv[0], &err) < 0)
		goto fail;
	/* A run still going may not have reached the job yet: decide ahead of time. */
	running = !strcmp(rundir_result(run), "running");
	if (!approve_env_known(run, argv[1], &waiting, &reviewers) && !running) {
		strbuf_addf(&err, "no job of run '%s' deploys to environment '%s'", argv[0], argv[1]);
		goto fail;
	}
	if (!waiting && !running) {
		strbuf_addf(&err, "run '%s' is not waiting for environment '%s'", argv[0], argv[1]);
		goto fail;
	}
	if (!approve_may_review(run, reviewers, argv[1], by ? by : fs_user_name(), &err))
		goto fail;
	if (rundir_write_decision(state.buf, argv[0], argv[1], k->decision,
				  by ? by : fs_user_name(), comment, &err) < 0)
		goto fail;
	printf("%s environment '%s' in run %s as %s\n", k->decision, argv[1], argv[0],
	       by ? by : fs_user_name());
	strbuf_addf(&info, "%s/serve.json", state.buf);
	if (!strcmp(rundir_result(run), "waiting") && !fs_exists(info.buf))
		printf("continue it with: slipway run --resume %s --state %s\n", argv[0], state.buf);
	ret = EXITCODE_OK;
	goto out;
fail:
	fprintf(stderr, "slipway %s: %s\n", k->name, err.buf);
out:
	strbuf_release(&err);
	strbuf_release(&state);
	strbuf_release(&info);
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
