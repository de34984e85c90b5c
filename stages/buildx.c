/*
 * buildx: the docker/setup-buildx-action built-in stage. There is no
 * buildx here: it checks that the engine answers, says that builds go
 * through the engine's classic builder (buildx's "docker" driver), and
 * sets the outputs that still mean something. Building is
 * stages/buildpush.c's.
 */
#include "stages/stages.h"

#include <string.h>

#include "stages/imagebuild.h"
#include "util/json.h"

/* The builder's name: what buildx calls the docker driver's builder of the default context. */
#define BUILDX_NAME "default"

static const struct stage_input buildx_inputs[] = {
	{ "version", NULL },
	{ "name", NULL },
	{ "driver", NULL },             /* only "docker" is what happens here */
	{ "driver-opts", NULL },
	{ "buildkitd-flags", NULL },
	{ "buildkitd-config", NULL },
	{ "buildkitd-config-inline", NULL },
	{ "install", "false" },
	{ "use", "true" },
	{ "endpoint", NULL },
	{ "platforms", NULL },
	{ "append", NULL },
	{ "keep-state", "false" },
	{ "cache-binary", "true" },
	{ "cleanup", "true" },
	{ NULL, NULL },
};

/* Inputs that shape a buildx builder: given, they are said to have no effect. */
static const char *const buildx_moot[] = {
	"version", "name", "driver-opts", "buildkitd-flags", "buildkitd-config",
	"buildkitd-config-inline", "endpoint", "platforms", "append",
};

static int buildx_main(struct stage_ctx *ctx)
{
	const char *driver = stage_input(ctx, "driver");
	struct strbuf err = STRBUF_INIT, platform = STRBUF_INIT, nodes = STRBUF_INIT;
	struct arena a = ARENA_INIT;
	struct engine *e = NULL;
	struct val node, list;
	int ret = 1;

	if (engine_open(&e, stage_getenv(ctx, "DOCKER_HOST"), &err) < 0 ||
	    engine_ping(e, &err) < 0 || imagebuild_platform(&platform, e, &err) < 0) {
		ret = stage_fail(ctx, "docker/setup-buildx-action: %s", err.buf);
		goto out;
	}
	if (*driver && strcmp(driver, "docker"))
		stage_warning(ctx, "docker/setup-buildx-action: driver '%s' is not available; "
			      "builds go through the engine's classic builder (driver 'docker')",
			      driver);
	for (size_t i = 0; i < sizeof(buildx_moot) / sizeof(buildx_moot[0]); i++)
		if (*stage_input(ctx, buildx_moot[i]))
			stage_warning(ctx, "docker/setup-buildx-action: '%s' has no effect: there is "
				      "no buildx builder to set up", buildx_moot[i]);
	stage_log(ctx, "no buildx here: docker/build-push-action builds through the classic "
		  "builder of the Docker engine at %s (API %s, %s), as buildx's 'docker' driver "
		  "would", engine_host(e), engine_api_version(e), platform.buf);
	node = val_new_object(&a);
	val_object_setstr(&a, node, "name", val_cstring(&a, BUILDX_NAME));
	val_object_setstr(&a, node, "endpoint", val_cstring(&a, engine_host(e)));
	val_object_setstr(&a, node, "status", val_cstring(&a, "running"));
	val_object_setstr(&a, node, "platforms", val_cstring(&a, platform.buf));
	list = val_new_array(&a);
	val_array_push(&a, list, node);
	json_write(&nodes, list, JSON_PRETTY);
	if (stage_set_output(ctx, "name", BUILDX_NAME) < 0 ||
	    stage_set_output(ctx, "driver", "docker") < 0 ||
	    stage_set_output(ctx, "platforms", platform.buf) < 0 ||
	    stage_set_output(ctx, "endpoint", engine_host(e)) < 0 ||
	    stage_set_output(ctx, "status", "running") < 0 ||
	    stage_set_output(ctx, "nodes", nodes.buf) < 0 ||
	    stage_set_output(ctx, "flags", "") < 0)
		goto out;
	ret = 0;
out:
	engine_free(e);
	arena_release(&a);
	strbuf_release(&err);
	strbuf_release(&platform);
	strbuf_release(&nodes);
	return ret;
}

const struct stage stage_setup_buildx = {
	.name = "docker/setup-buildx-action",
	.inputs = buildx_inputs,
	.main = buildx_main,
};
