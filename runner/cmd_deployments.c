/*
 * cmd_deployments: `slipway deployments [ENV] [--json]` answers which
 * version serves in each environment, since when, from which commit and
 * run, and what served before — from <state>/deployments/ (the records
 * the slipway/deploy stage and `slipway rollback` keep). It changes nothing.
 */
#include "runner/commands.h"
#include "runner/exitcode.h"
#include "runner/rundir.h"
#include "stages/deployrec.h"
#include "util/json.h"
#include "util/options.h"

#include <stdio.h>
#include <string.h>

static const char deployments_usage[] = "slipway deployments [ENV] [--json] [--state DIR]";

/* A string member of an entry, or "-". */
static const char *deployments_str(const struct val *entry, const char *key)
{
	const char *s = entry ? rundir_str(*entry, key) : NULL;

	return s && *s ? s : "-";
}

/* "3f2c1ab" of a commit, or "-". */
static const char *deployments_short(char out[8], const struct val *entry)
{
	const char *sha = deployments_str(entry, "sha");

	snprintf(out, 8, "%s", sha);
	return out;
}

/* One line per environment: what serves, since when. */
static void deployments_row(const char *env, const struct deployrec *r)
{
	const struct val *cur = deployrec_current(r);
	struct val h = deployrec_history(r);
	char sha[8];

	if (!cur) {
		printf("%-14s nothing deployed (%zu failed attempt%s)\n", env, h.u.array->nr,
		       h.u.array->nr == 1 ? "" : "s");
		return;
	}
	printf("%-14s %-44s %-8s %-25s %s\n", env, deployments_str(cur, "image"),
	       deployments_short(sha, cur), deployments_str(cur, "at"), deployments_str(cur, "url"));
}

/* An entry as one line of the history. */
static void deployments_entry_line(const struct val *e)
{
	char sha[8];
	const char *msg = deployments_str(e, "message");

	printf("  %-25s %-12s %-8s %-44s %-8s %s%s%s\n", deployments_str(e, "at"),
	       deployments_str(e, "result"), deployments_str(e, "kind"),
	       deployments_str(e, "image"), deployments_short(sha, e),
	       deployments_str(e, "run_id"), *msg != '-' ? ": " : "", *msg != '-' ? msg : "");
}

static void deployments_detail(const char *env, const struct deployrec *r)
{
	const struct val *cur = deployrec_current(r), *prev = deployrec_previous(r);
	struct val h = deployrec_history(r);

	printf("environment: %s\n", env);
	if (cur) {
		printf("current:     %s (commit %s)\n", deployments_str(cur, "image"),
		       deployments_str(cur, "sha"));
		printf("since:       %s, %s by %s (run %s)\n", deployments_str(cur, "at"),
		       deployments_str(cur, "kind"), deployments_str(cur, "by"),
		       deployments_str(cur, "run_id"));
		printf("url:         %s\n", deployments_str(cur, "url"));
	} else {
		printf("current:     nothing deployed\n");
	}
	if (prev)
		printf("previous:    %s (commit %s, since %s)\n", deployments_str(prev, "image"),
		       deployments_str(prev, "sha"), deployments_str(prev, "at"));
	printf("history:\n");
	for (size_t i = 0; i < h.u.array->nr; i++)
		deployments_entry_line(&h.u.array->items[i]);
}

int cmd_deployments(int argc, const char **argv)
{
	const char *state_opt = NULL;
	int json = 0, nargs, ret = EXITCODE_USAGE;
	const struct option opts[] = {
		{ OPT_FLAG, 0, "json", &json, NULL, "print the records as JSON" },
		{ OPT_STRING, 0, "state", &state_opt, "DIR", "the state directory" },
		{ OPT_END },
	};
	struct strbuf err = STRBUF_INIT, state = STRBUF_INIT, out = STRBUF_INIT;
	struct strlist envs = STRLIST_INIT;
	struct arena a = ARENA_INIT;
	struct val all = val_new_array(&a);

	nargs = options_parse(argc, argv, opts, &err);
	if (nargs == OPTIONS_HELP) {
		options_usage(stdout, deployments_usage, opts);
		ret = EXITCODE_OK;
		goto out;
	}
	if (nargs > 1)
		strbuf_addf(&err, "unexpected argument '%s'", argv[1]);
	else if (nargs == 1 && !deployrec_valid_env(argv[0]))
		strbuf_addf(&err, "'%s' is not an environment name", argv[0]);
	if (err.len) {
		fprintf(stderr, "slipway deployments: %s\n", err.buf);
		options_usage(stderr, deployments_usage, opts);
		goto out;
	}
	ret = EXITCODE_FAILED;
	if (rundir_state(&state, state_opt, &err) < 0)
		goto fail;
	if (nargs == 1)
		strlist_push(&envs, argv[0]);
	else if (deployrec_environments(&envs, state.buf, &err) < 0)
		goto fail;
	if (!envs.nr && !json)
		printf("no deployments in '%s'\n", state.buf);
	else if (!json && nargs == 0)
		printf("%-14s %-44s %-8s %-25s %s\n", "ENVIRONMENT", "IMAGE", "COMMIT", "SINCE",
		       "URL");
	for (size_t i = 0; i < envs.nr; i++) {
		struct deployrec r;

		if (deployrec_open(&r, state.buf, envs.items[i], 0, &err) < 0) {
			deployrec_release(&r);
			goto fail;
		}
		if (nargs == 1 && !deployrec_history(&r).u.array->nr) {
			strbuf_addf(&err, "no deployments to environment '%s' in '%s'", envs.items[i],
				    state.buf);
			deployrec_release(&r);
			goto fail;
		}
		if (json)
			val_array_push(&a, all, val_copy(&a, r.doc));
		else if (nargs == 1)
			deployments_detail(envs.items[i], &r);
		else
			deployments_row(envs.items[i], &r);
		deployrec_release(&r);
	}
	if (json) {
		struct val top = val_new_object(&a);

		val_object_setstr(&a, top, "environments", all);
		json_write(&out, nargs == 1 ? all.u.array->items[0] : top, JSON_PRETTY);
		puts(out.buf);
	}
	ret = EXITCODE_OK;
	goto out;
fail:
	fprintf(stderr, "slipway deployments: %s\n", err.buf);
out:
	strbuf_release(&err);
	strbuf_release(&state);
	strbuf_release(&out);
	strlist_release(&envs);
	arena_release(&a);
	return ret;
}
