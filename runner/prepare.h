/*
 * prepare: what `slipway run` and `slipway graph` do before anything runs —
 * repository, .slipway.yml, workflows, event, selection, inputs, secrets,
 * contexts and the plan — filling a struct run. Executing is not here.
 */
#ifndef RUNNER_PREPARE_H
#define RUNNER_PREPARE_H

#include "runner/actions.h"
#include "runner/config.h"
#include "runner/repo.h"
#include "runner/run.h"
#include "runner/secrets.h"
#include "util/diag.h"
#include "util/strbuf.h"
#include "util/strlist.h"

struct prepare_opts {
	const char *dir;                /* where the repository is looked for (NULL: ".") */
	const char *state;              /* the state directory (never part of the repository) */
	const char *event;              /* "push" when NULL */
	const char *event_file;         /* -e: the payload */
	const char *ref, *sha;          /* override what the repository says */
	const struct strlist *workflows;        /* -W FILE (empty: .github/workflows) */
	const struct strlist *jobs;             /* -j */
	const struct strlist *matrix;           /* --matrix */
	const struct strlist *inputs;           /* --input */
	struct secrets_opts secrets;            /* dir is filled in by prepare */
	/*
	 * Resume: read workflows and .slipway.yml from this snapshot and the
	 * payload from this file instead of the repository and the event.
	 */
	const char *snapshot, *payload_file;
	/*
	 * Where remote reusable workflows are fetched from (NULL: they stay
	 * unloaded and their calls fail). Its base_url, when NULL, is filled
	 * in from .slipway.yml (else GitHub's).
	 */
	struct actions_opts *actions;
};

/* What prepare owns for the run (released by prepare_release). */
struct prepared {
	struct repo repo;
	struct config config;
	struct secrets secrets;
	struct mask mask;
	struct val payload;             /* github.event (in the plan's arena) */
	struct strlist skipped;         /* "file: why" for workflows the event does not select */
	int have_repo, have_config, have_secrets;
};

enum prepare_failure {
	PREPARE_INVALID = -2,           /* invalid workflow or config (diags say where) */
	PREPARE_ERROR = -1,             /* anything else (err says what) */
};

/*
 * Fill run (plan, identity strings, contexts, mask, config) from o.
 * run->plan must be plan_init'ed. Returns 0, PREPARE_INVALID with diags,
 * or PREPARE_ERROR with err.
 */
int prepare_run(struct run *run, struct prepared *pr, const struct prepare_opts *o,
		struct diag_list *diags, struct strbuf *err);
void prepare_release(struct prepared *pr);

#endif
