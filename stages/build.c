/*
 * build: the slipway/build built-in stage — one image built once from the
 * job's workspace through the engine (the context filtered by its
 * .dockerignore, streamed as a tar), tagged under every tag asked for
 * and labelled with the commit. Pushing is stages/publish.c's; deploying,
 * stages/deploy.c's.
 */
#include "stages/stages.h"

#include <string.h>

#include "stages/imagebuild.h"
#include "stages/imageref.h"
#include "util/fs.h"

static const struct stage_input build_inputs[] = {
	{ "image", NULL },              /* the repository: "tasks-app" */
	{ "tags", "latest" },           /* one a line; the first is the image's output */
	{ "context", "." },             /* relative to the workspace */
	{ "file", "Dockerfile" },       /* relative to the context */
	{ "build-args", NULL },         /* NAME=value lines */
	{ "labels", NULL },             /* key=value lines */
	{ "target", NULL },
	{ "no-cache", "false" },
	{ "pull", "false" },
	{ NULL, NULL },
};

/* The full references "image:tag" of the tags input. */
static int build_refs(const struct stage_ctx *ctx, const struct imageref *ref,
		      struct strlist *out, struct strbuf *err)
{
	struct strlist tags = STRLIST_INIT;
	struct strbuf sb = STRBUF_INIT;
	int ret = 0;

	stage_input_lines(ctx, "tags", &tags);
	for (size_t i = 0; i < tags.nr && !ret; i++) {
		if (!imageref_valid_tag(tags.items[i])) {
			strbuf_addf(err, "'%s' is not a tag", tags.items[i]);
			ret = -1;
			break;
		}
		strbuf_reset(&sb);
		imageref_format(&sb, ref, NULL, tags.items[i]);
		strlist_push(out, sb.buf);
	}
	if (!ret && !out->nr) {
		strbuf_addstr(err, "'tags' names no tag");
		ret = -1;
	}
	strlist_release(&tags);
	strbuf_release(&sb);
	return ret;
}

static int build_main(struct stage_ctx *ctx)
{
	const char *image = stage_input(ctx, "image"), *sha = stage_getenv(ctx, "GITHUB_SHA");
	struct strlist refs = STRLIST_INIT, args = STRLIST_INIT, labels = STRLIST_INIT;
	struct strbuf err = STRBUF_INIT, dir = STRBUF_INIT, id = STRBUF_INIT, md = STRBUF_INIT,
		      all = STRBUF_INIT;
	struct engine_build_spec spec;
	struct engine *e = NULL;
	struct imageref ref;
	int no_cache = stage_input_bool(ctx, "no-cache"), pull = stage_input_bool(ctx, "pull");
	int ret = 1;

	imageref_init(&ref);
	if (no_cache < 0 || pull < 0)
		goto out;
	if (!*image) {
		strbuf_addstr(&err, "'image' is required (the repository name, e.g. tasks-app)");
		goto fail;
	}
	stage_input_lines(ctx, "build-args", &args);
	stage_input_lines(ctx, "labels", &labels);
	if (imageref_parse(&ref, image, &err) < 0 || build_refs(ctx, &ref, &refs, &err) < 0 ||
	    imagebuild_check_pairs("build-args", &args, &err) < 0 ||
	    imagebuild_check_pairs("labels", &labels, &err) < 0)
		goto fail;
	if (sha)
		strlist_pushf(&labels, "org.opencontainers.image.revision=%s", sha);
	fs_path_join(&dir, ctx->workspace, stage_input(ctx, "context"));
	if (!fs_is_dir(dir.buf)) {
		strbuf_addf(&err, "the build context '%s' is not a directory of the workspace",
			    stage_input(ctx, "context"));
		goto fail;
	}
	if (engine_open(&e, stage_getenv(ctx, "DOCKER_HOST"), &err) < 0)
		goto fail;
	memset(&spec, 0, sizeof(spec));
	spec.tags = &refs;
	spec.dockerfile = stage_input(ctx, "file");
	spec.build_args = &args;
	spec.labels = &labels;
	spec.target = *stage_input(ctx, "target") ? stage_input(ctx, "target") : NULL;
	spec.no_cache = no_cache;
	spec.pull = pull;
	if (imagebuild_run(&id, ctx, e, dir.buf, stage_input(ctx, "context"), &spec, &err) < 0)
		goto fail;
	for (size_t i = 0; i < refs.nr; i++)
		strbuf_addf(&all, "%s\n", refs.items[i]);
	stage_set_output(ctx, "image", refs.items[0]);
	stage_set_output(ctx, "imageid", id.buf);
	stage_set_output(ctx, "tags", all.buf);
	strbuf_addf(&md, "### Image built\n\n`%s` (%.19s)\n", refs.items[0], id.buf);
	stage_add_summary(ctx, md.buf);
	stage_log(ctx, "built %s as %s", id.buf, refs.items[0]);
	ret = 0;
	goto out;
fail:
	ret = stage_fail(ctx, "slipway/build: %s", err.buf);
out:
	engine_free(e);
	imageref_release(&ref);
	strlist_release(&refs);
	strlist_release(&args);
	strlist_release(&labels);
	strbuf_release(&err);
	strbuf_release(&dir);
	strbuf_release(&id);
	strbuf_release(&md);
	strbuf_release(&all);
	return ret;
}

const struct stage stage_build = {
	.name = "slipway/build",
	.inputs = build_inputs,
	.main = build_main,
};
