/*
 * buildpush: the docker/build-push-action built-in stage (v5/v6 inputs) —
 * one image built by the engine's classic builder from a context of the
 * workspace (not GitHub's default Git context: the workspace is the
 * repository here), tagged with every tag given, pushed under each when
 * push: true with the credentials docker/login-action left for the job.
 * Buildx-only inputs are accepted with a warning. The build and the push
 * are stages/imagebuild.c's; credentials, stages/dockerauth.c's.
 */
#include "stages/stages.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "stages/dockerauth.h"
#include "stages/imagebuild.h"
#include "stages/imageref.h"
#include "util/fs.h"
#include "util/json.h"

/* GitHub's default context, handlebars in the action: the repository (here, the workspace). */
#define BUILDPUSH_DEFAULT_CONTEXT "{{defaultContext}}"

static const struct stage_input buildpush_inputs[] = {
	{ "context", NULL },            /* default: the workspace */
	{ "file", NULL },               /* relative to the workspace; default: CONTEXT/Dockerfile */
	{ "tags", NULL },               /* full references, comma- or newline-separated */
	{ "build-args", NULL },
	{ "labels", NULL },
	{ "target", NULL },
	{ "no-cache", "false" },
	{ "pull", "false" },
	{ "push", "false" },
	{ "load", "false" },            /* the image is always in the local engine */
	{ "platforms", NULL },
	{ "builder", NULL },
	{ "github-token", NULL },       /* for Git contexts, which are not supported */
	{ "add-hosts", NULL },
	{ "allow", NULL },
	{ "annotations", NULL },
	{ "attests", NULL },
	{ "build-contexts", NULL },
	{ "cache-from", NULL },
	{ "cache-to", NULL },
	{ "call", NULL },
	{ "cgroup-parent", NULL },
	{ "network", NULL },
	{ "no-cache-filters", NULL },
	{ "outputs", NULL },
	{ "provenance", NULL },
	{ "sbom", NULL },
	{ "secrets", NULL },
	{ "secret-envs", NULL },
	{ "secret-files", NULL },
	{ "shm-size", NULL },
	{ "ssh", NULL },
	{ "ulimit", NULL },
	{ NULL, NULL },
};

/* Inputs the classic builder has no use for, and why: given, they are warned about. */
static const struct {
	const char *name, *why;
} buildpush_ignored[] = {
	{ "add-hosts", "extra hosts are a buildx option" },
	{ "allow", "entitlements are BuildKit's" },
	{ "annotations", "annotations need a BuildKit exporter" },
	{ "attests", "attestations are BuildKit's" },
	{ "build-contexts", "named contexts are BuildKit's" },
	{ "cache-from", "the engine keeps its own layer cache" },
	{ "cache-to", "the engine keeps its own layer cache" },
	{ "call", "build subrequests are BuildKit's" },
	{ "cgroup-parent", "a buildx option" },
	{ "network", "a buildx option" },
	{ "no-cache-filters", "use no-cache" },
	{ "outputs", "the image always goes to the local engine" },
	{ "provenance", "attestations are BuildKit's" },
	{ "sbom", "attestations are BuildKit's" },
	{ "secrets", "build secrets are BuildKit's" },
	{ "secret-envs", "build secrets are BuildKit's" },
	{ "secret-files", "build secrets are BuildKit's" },
	{ "shm-size", "a buildx option" },
	{ "ssh", "SSH forwarding is BuildKit's" },
	{ "ulimit", "a buildx option" },
};

/* What the inputs ask for, checked before anything is built. */
struct buildpush_req {
	struct strbuf dir;              /* the context as this process reaches it (real path) */
	struct strbuf dockerfile;       /* relative to dir */
	struct strlist tags, args, labels, platforms;
	int no_cache, pull, push, load;
};

static void buildpush_req_init(struct buildpush_req *r)
{
	memset(r, 0, sizeof(*r));
	strbuf_init(&r->dir, 0);
	strbuf_init(&r->dockerfile, 0);
	strlist_init(&r->tags);
	strlist_init(&r->args);
	strlist_init(&r->labels);
	strlist_init(&r->platforms);
}

static void buildpush_req_release(struct buildpush_req *r)
{
	strbuf_release(&r->dir);
	strbuf_release(&r->dockerfile);
	strlist_release(&r->tags);
	strlist_release(&r->args);
	strlist_release(&r->labels);
	strlist_release(&r->platforms);
}

/* path (a step's view, or relative to the workspace) as a real path of this process's. */
static int buildpush_resolve(const struct stage_ctx *ctx, const char *path, struct strbuf *out)
{
	struct strbuf full = STRBUF_INIT;
	char *real;

	if (*path == '/')
		stage_host_path(ctx, path, &full);
	else
		fs_path_join(&full, ctx->workspace, path);
	real = realpath(full.buf, NULL);
	strbuf_release(&full);
	if (!real)
		return -1;
	strbuf_addstr(out, real);
	free(real);
	return 0;
}

/* The context input: a path of the workspace ("{{defaultContext}}[:subdir]" too). */
static int buildpush_context(const struct stage_ctx *ctx, struct buildpush_req *r,
			     struct strbuf *err)
{
	const char *c = stage_input(ctx, "context");
	size_t n = strlen(BUILDPUSH_DEFAULT_CONTEXT);

	if (!strncmp(c, BUILDPUSH_DEFAULT_CONTEXT, n) && (!c[n] || c[n] == ':'))
		c = c[n] ? c + n + 1 : "";
	if (strstr(c, "://") || !strncmp(c, "git@", 4)) {
		strbuf_addf(err, "the context '%s' is a URL; only directories of the workspace can "
			    "be built here (check the repository out and give its path)", c);
		return -1;
	}
	if (buildpush_resolve(ctx, *c ? c : ".", &r->dir) < 0 || !fs_is_dir(r->dir.buf)) {
		strbuf_addf(err, "the build context '%s' is not a directory of the workspace", c);
		return -1;
	}
	return 0;
}

/* The file input, relative to the workspace as buildx reads it; it must lie in the context. */
static int buildpush_file(const struct stage_ctx *ctx, struct buildpush_req *r,
			  struct strbuf *err)
{
	const char *f = stage_input(ctx, "file");
	struct strbuf real = STRBUF_INIT;
	int ret = -1;

	if (!*f) {
		strbuf_addstr(&r->dockerfile, "Dockerfile");
		return 0;
	}
	if (buildpush_resolve(ctx, f, &real) < 0) {
		strbuf_addf(err, "the Dockerfile '%s' does not exist (it is relative to the "
			    "workspace, as for buildx)", f);
	} else if (strncmp(real.buf, r->dir.buf, r->dir.len) || real.buf[r->dir.len] != '/') {
		strbuf_addf(err, "the Dockerfile '%s' is outside the build context; the engine "
			    "reads it from the context", f);
	} else {
		strbuf_addstr(&r->dockerfile, real.buf + r->dir.len + 1);
		ret = 0;
	}
	strbuf_release(&real);
	return ret;
}

static int buildpush_read(const struct stage_ctx *ctx, struct buildpush_req *r,
			  struct strbuf *err)
{
	struct imageref ref;
	int ret = -1;

	imageref_init(&ref);
	r->no_cache = stage_input_bool(ctx, "no-cache");
	r->pull = stage_input_bool(ctx, "pull");
	r->push = stage_input_bool(ctx, "push");
	r->load = stage_input_bool(ctx, "load");
	if (r->no_cache < 0 || r->pull < 0 || r->push < 0 || r->load < 0)
		goto out;       /* said already */
	stage_input_list(ctx, "tags", 0, &r->tags);
	stage_input_list(ctx, "build-args", 1, &r->args);
	stage_input_list(ctx, "labels", 1, &r->labels);
	stage_input_list(ctx, "platforms", 0, &r->platforms);
	for (size_t i = 0; i < r->tags.nr; i++)
		if (imageref_parse(&ref, r->tags.items[i], err) < 0)
			goto out;
	if (r->push && !r->tags.nr) {
		strbuf_addstr(err, "push: true needs at least one tag ('tags')");
		goto out;
	}
	if (imagebuild_check_pairs("build-args", &r->args, err) < 0 ||
	    imagebuild_check_pairs("labels", &r->labels, err) < 0 ||
	    buildpush_context(ctx, r, err) < 0 || buildpush_file(ctx, r, err) < 0)
		goto out;
	ret = 0;
out:
	imageref_release(&ref);
	return ret;
}

/* Warnings for what is asked but cannot be done here. */
static void buildpush_warn(const struct stage_ctx *ctx, const struct buildpush_req *r,
			   const char *platform)
{
	const char *builder = stage_input(ctx, "builder");

	for (size_t i = 0; i < sizeof(buildpush_ignored) / sizeof(buildpush_ignored[0]); i++)
		if (*stage_input(ctx, buildpush_ignored[i].name))
			stage_warning(ctx, "docker/build-push-action: '%s' is ignored by the "
				      "built-in stage (%s)", buildpush_ignored[i].name,
				      buildpush_ignored[i].why);
	if (*builder && strcmp(builder, "default"))
		stage_warning(ctx, "docker/build-push-action: builder '%s' is not available; the "
			      "engine's classic builder builds", builder);
	for (size_t i = 0; i < r->platforms.nr; i++)
		if (strcmp(r->platforms.items[i], platform))
			stage_warning(ctx, "docker/build-push-action: platform '%s' is not built: "
				      "the engine builds for its own, %s", r->platforms.items[i],
				      platform);
}

/* Push every tag with the job's credentials for its registry; the first digest to digest. */
static int buildpush_push(const struct stage_ctx *ctx, struct engine *e,
			  const struct buildpush_req *r, struct strbuf *digest, struct strbuf *err)
{
	struct strbuf one = STRBUF_INIT;
	struct dockerauth auth;
	struct imageref ref;
	int ret = -1;

	dockerauth_init(&auth);
	imageref_init(&ref);
	for (size_t i = 0; i < r->tags.nr; i++) {
		struct engine_auth ea;
		int found;

		if (imageref_parse(&ref, r->tags.items[i], err) < 0 ||
		    (found = dockerauth_job_lookup(&auth, ctx, ref.registry.buf, err)) < 0)
			goto out;
		ea.username = auth.username.buf;
		ea.password = auth.password.buf;
		ea.server = auth.server.buf;
		if (imagebuild_push(ctx, e, r->tags.items[i], r->tags.items[i], found ? &ea : NULL,
				    &one, err) < 0)
			goto out;
		if (!digest->len)
			strbuf_add(digest, one.buf, one.len);
	}
	ret = 0;
out:
	dockerauth_release(&auth);
	imageref_release(&ref);
	strbuf_release(&one);
	return ret;
}

/* The metadata output, as buildx's metadata file has it for the docker driver. */
static void buildpush_metadata(struct strbuf *out, const struct buildpush_req *r,
			       const char *id, const char *digest)
{
	struct arena a = ARENA_INIT;
	struct val md = val_new_object(&a);
	struct strbuf names = STRBUF_INIT;

	for (size_t i = 0; i < r->tags.nr; i++)
		strbuf_addf(&names, "%s%s", i ? "," : "", r->tags.items[i]);
	val_object_setstr(&a, md, "containerimage.config.digest", val_cstring(&a, id));
	val_object_setstr(&a, md, "containerimage.digest", val_cstring(&a, digest));
	if (names.len)
		val_object_setstr(&a, md, "image.name", val_cstring(&a, names.buf));
	json_write(out, md, JSON_PRETTY);
	strbuf_release(&names);
	arena_release(&a);
}

static int buildpush_main(struct stage_ctx *ctx)
{
	struct buildpush_req r;
	struct strbuf err = STRBUF_INIT, platform = STRBUF_INIT, id = STRBUF_INIT,
		      digest = STRBUF_INIT, md = STRBUF_INIT, sum = STRBUF_INIT;
	struct engine_build_spec spec;
	struct engine *e = NULL;
	int ret = 1;

	buildpush_req_init(&r);
	if (buildpush_read(ctx, &r, &err) < 0) {
		if (err.len)
			goto fail;
		goto out;
	}
	if (engine_open(&e, stage_getenv(ctx, "DOCKER_HOST"), &err) < 0 ||
	    imagebuild_platform(&platform, e, &err) < 0)
		goto fail;
	buildpush_warn(ctx, &r, platform.buf);
	memset(&spec, 0, sizeof(spec));
	spec.tags = &r.tags;
	spec.dockerfile = r.dockerfile.buf;
	spec.build_args = &r.args;
	spec.labels = &r.labels;
	spec.target = *stage_input(ctx, "target") ? stage_input(ctx, "target") : NULL;
	spec.no_cache = r.no_cache;
	spec.pull = r.pull;
	if (imagebuild_run(&id, ctx, e, r.dir.buf, *stage_input(ctx, "context") ?
			   stage_input(ctx, "context") : "the workspace", &spec, &err) < 0)
		goto fail;
	if (r.push && buildpush_push(ctx, e, &r, &digest, &err) < 0)
		goto fail;
	if (!r.push)
		stage_log(ctx, "not pushed (push: false); the image is in the local engine%s",
			  r.load ? "" : " whatever load says");
	buildpush_metadata(&md, &r, id.buf, digest.len ? digest.buf : id.buf);
	if (stage_set_output(ctx, "imageid", id.buf) < 0 ||
	    stage_set_output(ctx, "digest", digest.len ? digest.buf : id.buf) < 0 ||
	    stage_set_output(ctx, "metadata", md.buf) < 0)
		goto out;
	strbuf_addf(&sum, "### Image %s\n\n`%.19s`", r.push ? "built and pushed" : "built", id.buf);
	for (size_t i = 0; i < r.tags.nr; i++)
		strbuf_addf(&sum, "%s`%s`", i ? ", " : " as ", r.tags.items[i]);
	if (digest.len)
		strbuf_addf(&sum, " (%s)", digest.buf);
	strbuf_addstr(&sum, "\n");
	stage_add_summary(ctx, sum.buf);
	ret = 0;
	goto out;
fail:
	ret = stage_fail(ctx, "docker/build-push-action: %s", err.buf);
out:
	engine_free(e);
	buildpush_req_release(&r);
	strbuf_release(&err);
	strbuf_release(&platform);
	strbuf_release(&id);
	strbuf_release(&digest);
	strbuf_release(&md);
	strbuf_release(&sum);
	return ret;
}

const struct stage stage_build_push = {
	.name = "docker/build-push-action",
	.inputs = buildpush_inputs,
	.main = buildpush_main,
};
