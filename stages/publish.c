/*
 * publish: the slipway/publish built-in stage — an image already built
 * (never rebuilt here) tagged for the registry of .slipway.yml (or the
 * `registry` input) and pushed through the engine, under its own tag and
 * any extra ones. With no registry the image stays in the local engine
 * and the step says so. Without username and password inputs, the
 * credentials docker/login-action left for the job are used
 * (stages/dockerauth.h). Building is stages/build.c's.
 */
#include "stages/stages.h"

#include <string.h>

#include "stages/dockerauth.h"
#include "stages/imagebuild.h"
#include "stages/imageref.h"

static const struct stage_input publish_inputs[] = {
	{ "image", NULL },              /* "tasks-app:3f2c1ab", as slipway/build outputs it */
	{ "tags", NULL },               /* more tags to push the same image under ("latest") */
	{ "registry", NULL },           /* default: `registry:` of .slipway.yml */
	{ "username", NULL },
	{ "password", NULL, 1 },
	{ NULL, NULL },
};

static int publish_main(struct stage_ctx *ctx)
{
	const char *image = stage_input(ctx, "image"), *registry = stage_input(ctx, "registry");
	struct engine_auth auth = { stage_input(ctx, "username"), stage_input(ctx, "password"),
				    NULL };
	struct strbuf err = STRBUF_INIT, target = STRBUF_INIT, digest = STRBUF_INIT,
		      pushed = STRBUF_INIT, md = STRBUF_INIT;
	struct strlist tags = STRLIST_INIT;
	const struct engine_auth *use = NULL;
	struct dockerauth stored;
	struct imageref ref;
	struct engine *e = NULL;
	int ret = 1;

	imageref_init(&ref);
	dockerauth_init(&stored);
	if (!*registry && ctx->registry)
		registry = ctx->registry;
	auth.server = registry;
	stage_input_lines(ctx, "tags", &tags);
	if (!*image) {
		strbuf_addstr(&err, "'image' is required (the tag slipway/build made)");
		goto fail;
	}
	if (imageref_parse(&ref, image, &err) < 0)
		goto fail;
	for (size_t i = 0; i < tags.nr; i++)
		if (!imageref_valid_tag(tags.items[i])) {
			strbuf_addf(&err, "'%s' is not a tag", tags.items[i]);
			goto fail;
		}
	if (engine_open(&e, stage_getenv(ctx, "DOCKER_HOST"), &err) < 0)
		goto fail;
	ret = engine_image_exists(e, image, &err);
	if (ret <= 0) {
		if (!ret)
			strbuf_addf(&err, "image '%s' is not in the engine: build it first "
				    "(slipway/build)", image);
		goto fail;
	}
	if (!*registry) {
		stage_log(ctx, "no registry is configured (registry: in .slipway.yml): '%s' stays "
			  "in the local engine", image);
		strbuf_addf(&md, "### Image not published\n\nNo registry is configured "
			    "(`registry:` in `.slipway.yml`): `%s` stays in the local engine.\n",
			    image);
		stage_set_output(ctx, "image", image);
		stage_set_output(ctx, "pushed", "false");
		stage_add_summary(ctx, md.buf);
		ret = 0;
		goto out;
	}
	if (*auth.username) {
		use = &auth;
	} else {
		ret = dockerauth_job_lookup(&stored, ctx, registry, &err);
		if (ret < 0)
			goto fail;
		auth.username = stored.username.buf;
		auth.password = stored.password.buf;
		use = ret ? &auth : NULL;
	}
	imageref_format(&target, &ref, registry, NULL);
	if (imagebuild_push(ctx, e, image, target.buf, use, &digest, &err) < 0)
		goto fail;
	strbuf_addf(&pushed, "%s\n", target.buf);
	stage_set_output(ctx, "image", target.buf);
	stage_set_output(ctx, "digest", digest.buf);
	strbuf_addf(&md, "### Image published\n\n`%s` (%s)", target.buf, digest.buf);
	for (size_t i = 0; i < tags.nr; i++) {
		strbuf_reset(&target);
		imageref_format(&target, &ref, registry, tags.items[i]);
		if (imagebuild_push(ctx, e, image, target.buf, use, &digest, &err) < 0)
			goto fail;
		strbuf_addf(&pushed, "%s\n", target.buf);
		strbuf_addf(&md, ", `%s`", target.buf);
	}
	strbuf_addstr(&md, "\n");
	stage_set_output(ctx, "tags", pushed.buf);
	stage_set_output(ctx, "pushed", "true");
	stage_add_summary(ctx, md.buf);
	ret = 0;
	goto out;
fail:
	ret = stage_fail(ctx, "slipway/publish: %s", err.buf);
out:
	engine_free(e);
	dockerauth_release(&stored);
	imageref_release(&ref);
	strlist_release(&tags);
	strbuf_release(&err);
	strbuf_release(&target);
	strbuf_release(&digest);
	strbuf_release(&pushed);
	strbuf_release(&md);
	return ret;
}

const struct stage stage_publish = {
	.name = "slipway/publish",
	.inputs = publish_inputs,
	.main = publish_main,
};
