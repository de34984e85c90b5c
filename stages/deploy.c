/*
 * deploy: the slipway/deploy built-in stage — a step's inputs turned into
 * a deploy spec, the named secrets taken from the step's environment (and
 * handed to the container only), the deploy run (stages/deployer.c), its
 * outputs and step summary. How containers are started and checked is
 * the deployer's; what is recorded, stages/deployrec's.
 */
#include "stages/stages.h"

#include <stdio.h>
#include <string.h>

#include "stages/deployer.h"

/* The state directory: SLIPWAY_STATE_DIR, else two levels above the run's directory. */
static int deploy_state_dir(struct strbuf *out, const struct stage_ctx *ctx)
{
	const char *slash;

	if (ctx->state_dir) {
		strbuf_addstr(out, ctx->state_dir);
		return 0;
	}
	if (!ctx->run_dir)
		return -1;
	strbuf_addstr(out, ctx->run_dir);
	for (int up = 0; up < 2; up++) {
		slash = strrchr(out->buf, '/');
		if (!slash || slash == out->buf)
			return -1;
		strbuf_setlen(out, (size_t)(slash - out->buf));
	}
	return 0;
}

/* "NAME=value" for each secret named in the spec, from the step's environment. */
static int deploy_secret_env(struct strlist *out, const struct stage_ctx *ctx,
			     const struct deploy_spec *spec)
{
	for (size_t i = 0; i < spec->secrets.nr; i++) {
		const char *name = spec->secrets.items[i], *v = stage_getenv(ctx, name);

		if (!v || !*v)
			return stage_fail(ctx, "secret '%s' is empty: map it into the step's "
					  "environment (env: %s: ${{ secrets.%s }})", name, name,
					  name);
		strlist_pushf(out, "%s=%s", name, v);
	}
	return 0;
}

static void deploy_summary(const struct stage_ctx *ctx, const struct deploy_spec *spec,
			   const struct deploy_result *res, const char *why)
{
	struct strbuf md = STRBUF_INIT;

	if (!why)
		strbuf_addf(&md, "### Deployed to %s\n\n`%s` serves at %s", spec->environment,
			    spec->image, res->url.buf);
	else
		strbuf_addf(&md, "### Deployment to %s failed\n\n`%s` was not deployed (%s); %s",
			    spec->environment, spec->image, why,
			    !strcmp(res->outcome, "kept") ? "the previous version keeps serving" :
			    !strcmp(res->outcome, "restored") ? "the previous version was restored" :
			    "nothing serves there now");
	if (res->previous.len)
		strbuf_addf(&md, " (before: `%s`)", res->previous.buf);
	strbuf_addstr(&md, ".\n");
	stage_add_summary(ctx, md.buf);
	strbuf_release(&md);
}

static int deploy_main(struct stage_ctx *ctx)
{
	struct deploy_spec spec;
	struct deploy_result res;
	struct strlist secret_env = STRLIST_INIT;
	struct strbuf err = STRBUF_INIT, state = STRBUF_INIT;
	struct engine *e = NULL;
	const char *slash = ctx->run_dir ? strrchr(ctx->run_dir, '/') : NULL;
	struct deploy_origin origin = { "deploy", stage_getenv(ctx, "GITHUB_SHA"),
					slash ? slash + 1 : NULL, ctx->job_key,
					stage_getenv(ctx, "GITHUB_ACTOR") };
	int ret = 1;

	deploy_spec_init(&spec);
	deploy_result_init(&res);
	for (const struct stage_input *in = deploy_spec_inputs; in->name; in++)
		if (deploy_spec_set(&spec, in->name, stage_input(ctx, in->name), &err) < 0)
			goto fail;
	if (deploy_spec_check(&spec, &err) < 0)
		goto fail;
	if (deploy_secret_env(&secret_env, ctx, &spec))
		goto out;
	if (deploy_state_dir(&state, ctx) < 0) {
		strbuf_addstr(&err, "no state directory (SLIPWAY_STATE_DIR): stages are run by "
			      "slipway run");
		goto fail;
	}
	if (engine_open(&e, stage_getenv(ctx, "DOCKER_HOST"), &err) < 0)
		goto fail;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (deploy_run(&res, e, &spec, &secret_env, &origin, state.buf, stdout, &err) == 0)
		ret = 0;
	stage_set_output(ctx, "outcome", res.outcome);
	stage_set_output(ctx, "previous-image", res.previous.buf);
	if (res.image_id.len || ret == 0) {
		stage_set_output(ctx, "image", spec.image);
		stage_set_output(ctx, "image-id", res.image_id.buf);
		stage_set_output(ctx, "container", spec.name);
		stage_set_output(ctx, "url", res.url.buf);
		deploy_summary(ctx, &spec, &res, ret ? err.buf : NULL);
	}
	if (ret == 0)
		goto out;
fail:
	ret = stage_fail(ctx, "slipway/deploy: %s", err.buf);
out:
	engine_free(e);
	deploy_spec_release(&spec);
	deploy_result_release(&res);
	strlist_release(&secret_env);
	strbuf_release(&err);
	strbuf_release(&state);
	return ret;
}

const struct stage stage_deploy = {
	.name = "slipway/deploy",
	.inputs = deploy_spec_inputs,
	.main = deploy_main,
};
