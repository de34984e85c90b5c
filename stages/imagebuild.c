/*
 * imagebuild: building a context through the engine and pushing a tag,
 * for every stage that makes or ships images. The context's file list is
 * stages/buildctx.c's; credentials are stages/dockerauth.c's.
 */
#include "stages/imagebuild.h"

#include <string.h>

#include "stages/buildctx.h"
#include "util/tarball.h"

/* Push progress the log does without: per-layer transfer states. */
static const char *const imagebuild_quiet[] = { ": Preparing", ": Waiting", ": Pushing" };

static void imagebuild_progress(void *data, const char *line, size_t len)
{
	stage_log(data, "%.*s", (int)len, line);
}

static void imagebuild_push_progress(void *data, const char *line, size_t len)
{
	for (size_t i = 0; i < sizeof(imagebuild_quiet) / sizeof(imagebuild_quiet[0]); i++)
		if (memmem(line, len, imagebuild_quiet[i], strlen(imagebuild_quiet[i])))
			return;
	stage_log(data, "%.*s", (int)len, line);
}

int imagebuild_run(struct strbuf *id, const struct stage_ctx *ctx, struct engine *e,
		   const char *dir, const char *name, const struct engine_build_spec *spec,
		   struct strbuf *err)
{
	struct tarball_opts topts = { TARBALL_TAR, NULL, 1 };
	struct strlist files = STRLIST_INIT;
	struct tarball_source *src = NULL;
	struct engine_body body;
	const char *dockerfile = spec->dockerfile ? spec->dockerfile : "Dockerfile";
	int ret = -1;

	if (buildctx_files(&files, dir, dockerfile, err) < 0 ||
	    !(src = tarball_source_new(dir, &files, &topts, err)))
		goto out;
	memset(&body, 0, sizeof(body));
	body.read = tarball_source_read_fn;
	body.data = src;
	stage_log(ctx, "building '%s' from %zu files of '%s'",
		  spec->tags && spec->tags->nr ? spec->tags->items[0] : "(untagged)", files.nr, name);
	if (engine_image_build(id, e, spec, &body, imagebuild_progress, (void *)ctx, err) < 0) {
		if (*tarball_source_error(src))
			strbuf_addf(err, " (the context: %s)", tarball_source_error(src));
		goto out;
	}
	ret = 0;
out:
	tarball_source_free(src);
	strlist_release(&files);
	return ret;
}

int imagebuild_push(const struct stage_ctx *ctx, struct engine *e, const char *image,
		    const char *target, const struct engine_auth *auth, struct strbuf *digest,
		    struct strbuf *err)
{
	strbuf_reset(digest);
	if (strcmp(image, target) && engine_image_tag(e, image, target, err) < 0)
		return -1;
	stage_log(ctx, "pushing '%s'", target);
	return engine_image_push(digest, e, target, auth, imagebuild_push_progress, (void *)ctx,
				 err) < 0 ? -1 : 0;
}

int imagebuild_platform(struct strbuf *out, struct engine *e, struct strbuf *err)
{
	struct arena a = ARENA_INIT;
	struct val v, *os, *arch;
	int ret = -1;

	if (engine_call(&v, &a, e, "GET", "/version", NULL, err) < 0)
		goto out;
	os = val_object_getstr(v, "Os");
	arch = val_object_getstr(v, "Arch");
	if (!os || os->kind != VAL_STRING || !arch || arch->kind != VAL_STRING) {
		strbuf_addf(err, "the Docker engine at %s does not say its OS and architecture",
			    engine_host(e));
		goto out;
	}
	strbuf_addf(out, "%s/%s", os->u.string.ptr, arch->u.string.ptr);
	ret = 0;
out:
	arena_release(&a);
	return ret;
}

int imagebuild_check_pairs(const char *input, const struct strlist *items, struct strbuf *err)
{
	for (size_t i = 0; i < items->nr; i++) {
		const char *eq = strchr(items->items[i], '=');

		if (!eq || eq == items->items[i]) {
			strbuf_addf(err, "'%s' must be NAME=value lines, not '%s'", input,
				    items->items[i]);
			return -1;
		}
	}
	return 0;
}
