/*
 * publish: the slipway/publish built-in stage — an image already built
 * (never rebuilt here) tagged for the registry of .slipway.yml (or the
 * `registry` input) and pushed through the engine, under its own tag and
 * any extra ones. With no registry the image stays in the local engine
 * and the step says so. Building is stages/build.c's.
 */
#include "stages/stages.h"

#include <string.h>

#include "runner/engine.h"
#include "stages/imageref.h"

static const struct stage_input publish_inputs[] = {
	{ "image", NULL },              /* "tasks-app:3f2c1ab", as slipway/build outputs it */
	{ "tags", NULL },               /* more tags to push the same image under ("latest") */
	{ "registry", NULL },           /* default: `registry:` of .slipway.yml */
	{ "username", NULL },
	{ "password", NULL },
	{ NULL, NULL },
};

/* Push progress the log does without: per-layer transfer states. */
static const char *const publish_quiet[] = { ": Preparing", ": Waiting", ": Pushing" };

static void publish_progress(void *data, const char *line, size_t len)
{
	const struct stage_ctx *ctx = data;

	for (size_t i = 0; i < sizeof(publish_quiet) / sizeof(publish_quiet[0]); i++)
		if (memmem(line, len, publish_quiet[i], strlen(publish_quiet[i])))
			return;
	stage_log(ctx, "%.*s", (int)len, line);
}

/* Tag image as target and push it; the pushed digest replaces digest. */
static int publish_push(const struct stage_ctx *ctx, struct engine *e, const char *image,
			const char *target, const struct engine_auth *auth, struct strbuf *digest,
			struct strbuf *err)
{
	strbuf_reset(digest);
	if (engine_image_tag(e, image, target, err) < 0)
		return -1;
	stage_log(ctx, "pushing '%s'", target);
	return engine_image_push(digest, e, target, auth, publish_progress, (void *)ctx, err);
}

static int publish_main(struct stage_ctx *ctx)
{
	const char *image = stage_input(ctx, "image"), *registry = stage_input(ctx, "registry");
	struct engine_auth auth = { stage_input(ctx, "username"), stage_input(ctx, "password"),
				    NULL };
	struct strbuf err = STRBUF_INIT, target = STRBUF_INIT, digest = STRBUF_INIT,
		      pushed = STRBUF_INIT, md = STRBUF_INIT;
	struct strlist tags = STRLIST_INIT;
	struct imageref ref;
	struct engine *e = NULL;
	int ret = 1;

	imageref_init(&ref);
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
	imageref_format(&target, &ref, registry, NULL);
	if (publish_push(ctx, e, image, target.buf, *auth.username ? &auth : NULL, &digest,
			 &err) < 0)
		goto fail;
	strbuf_addf(&pushed, "%s\n", target.buf);
	stage_set_output(ctx, "image", target.buf);
	stage_set_output(ctx, "digest", digest.buf);
	strbuf_addf(&md, "### Image published\n\n`%s` (%s)", target.buf, digest.buf);
	for (size_t i = 0; i < tags.nr; i++) {
		strbuf_reset(&target);
		imageref_format(&target, &ref, registry, tags.items[i]);
		if (publish_push(ctx, e, image, target.buf, *auth.username ? &auth : NULL, &digest,
				 &err) < 0)
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
