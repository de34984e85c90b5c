/*
 * imagebuild: the engine work the image stages share (slipway/build,
 * slipway/publish, docker/build-push-action): a build from a context
 * directory (its .dockerignore applied, streamed as a tar, the builder's
 * lines in the step's log), a push under another name, and the checks of
 * NAME=value inputs. What to build and where to push is each stage's.
 */
#ifndef STAGES_IMAGEBUILD_H
#define STAGES_IMAGEBUILD_H

#include "runner/engine.h"
#include "stages/stage.h"

/*
 * Build the context directory dir (spec->dockerfile relative to it; name
 * is how the user wrote it, for the log) through e; every line of the builder goes to the step's log. The new
 * image's id ("sha256:...") is appended to id. -1 with err.
 */
int imagebuild_run(struct strbuf *id, const struct stage_ctx *ctx, struct engine *e,
		   const char *dir, const char *name, const struct engine_build_spec *spec,
		   struct strbuf *err);

/*
 * Tag image as target and push target (auth may be NULL); the pushed
 * manifest's digest replaces digest. Per-layer transfer states stay out
 * of the log. -1 with err.
 */
int imagebuild_push(const struct stage_ctx *ctx, struct engine *e, const char *image,
		    const char *target, const struct engine_auth *auth, struct strbuf *digest,
		    struct strbuf *err);

/* The engine's own platform, "os/arch" ("linux/amd64"), from GET /version. -1 with err. */
int imagebuild_platform(struct strbuf *out, struct engine *e, struct strbuf *err);

/* Is every item of the input a NAME=value pair with a name? -1 with err otherwise. */
int imagebuild_check_pairs(const char *input, const struct strlist *items, struct strbuf *err);

#endif
