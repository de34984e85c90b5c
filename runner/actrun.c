/*
 * actrun: one docker action step against the engine — image, container,
 * output, exit code, removal (see actrun.h). What the container is given
 * is runner/actctr.c's; the build context's files, stages/buildctx.c's.
 */
#include "runner/actrun.h"

#include <stdarg.h>
#include <string.h>

#include "runner/actctr.h"
#include "runner/engine.h"
#include "stages/buildctx.h"
#include "util/fs.h"
#include "util/tarball.h"

static void actrun_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A line of ours on fd 1, written as the container's output is: no stdio buffer between. */
static void actrun_say(const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	strbuf_addch(&sb, '\n');
	fs_write_all(1, sb.buf, sb.len);
	strbuf_release(&sb);
}

static void actrun_progress(void *data, const char *line, size_t len)
{
	(void)data;
	actrun_say("%.*s", (int)len, line);
}

static int actrun_relay(void *data, enum engine_stream stream, const char *buf, size_t len)
{
	(void)data;
	(void)stream;   /* the step has one log: both streams, in the order they come */
	return fs_write_all(1, buf, len);
}

/* Build the image of the action's Dockerfile unless its tag is there; its name into out. */
static int actrun_build(struct strbuf *out, struct engine *e, const char *dockerfile,
			struct strbuf *err)
{
	const char *slash = strrchr(dockerfile, '/');
	struct strbuf dir = STRBUF_INIT;
	struct strlist files = STRLIST_INIT, tags = STRLIST_INIT;
	struct tarball_opts topts = { TARBALL_TAR, NULL, 1, 0, 0, 0 };
	struct tarball_source *src = NULL;
	struct engine_build_spec spec;
	struct engine_body body;
	struct strbuf id = STRBUF_INIT;
	int ret = -1, have;

	if (!slash) {
		strbuf_addf(err, "the Dockerfile '%s' is not an absolute path", dockerfile);
		goto out;
	}
	if (!fs_exists(dockerfile)) {
		strbuf_addf(err, "the action's Dockerfile '%s' does not exist", dockerfile);
		goto out;
	}
	strbuf_add(&dir, dockerfile, (size_t)(slash - dockerfile));
	if (!dir.len)
		strbuf_addch(&dir, '/');
	if (buildctx_files(&files, dir.buf, slash + 1, err) < 0 ||
	    actctr_image_tag(out, dir.buf, &files, err) < 0)
		goto out;
	have = engine_image_exists(e, out->buf, err);
	if (have)
		goto done;
	src = tarball_source_new(dir.buf, &files, &topts, err);
	if (!src)
		goto out;
	strlist_push(&tags, out->buf);
	memset(&spec, 0, sizeof(spec));
	spec.tags = &tags;
	spec.dockerfile = slash + 1;
	memset(&body, 0, sizeof(body));
	body.read = tarball_source_read_fn;
	body.data = src;
	actrun_say("::group::Build container for action use: '%s'", dockerfile);
	have = engine_image_build(&id, e, &spec, &body, actrun_progress, NULL, err);
	actrun_say("::endgroup::");
	if (have < 0 && *tarball_source_error(src))
		strbuf_addf(err, " (the context: %s)", tarball_source_error(src));
done:
	ret = have < 0 ? -1 : 0;
out:
	tarball_source_free(src);
	strlist_release(&files);
	strlist_release(&tags);
	strbuf_release(&dir);
	strbuf_release(&id);
	return ret;
}

/* The image to run: built, or the named one, pulled when it is not here. */
static int actrun_image(struct strbuf *out, struct engine *e, const struct actrun_opts *o,
			struct strbuf *err)
{
	int have;

	if (o->dockerfile)
		return actrun_build(out, e, o->dockerfile, err);
	strbuf_addstr(out, o->image);
	have = engine_image_exists(e, o->image, err);
	if (have)
		return have < 0 ? -1 : 0;
	actrun_say("::group::Pull down action image '%s'", o->image);
	have = engine_image_pull(e, o->image, NULL, actrun_progress, NULL, err);
	actrun_say("::endgroup::");
	return have < 0 ? -1 : 0;
}

int actrun_main(const struct actrun_opts *o, char *const *env)
{
	struct actctr c = ACTCTR_INIT;
	struct strbuf err = STRBUF_INIT, image = STRBUF_INIT, id = STRBUF_INIT;
	struct strlist entrypoint = STRLIST_INIT;
	struct engine_container_spec spec;
	struct engine *e = NULL;
	int code = 1;

	if (actctr_build(&c, env, o->pass, &err) < 0 || engine_open(&e, o->host, &err) < 0)
		goto fail;
	engine_set_cancel(e, o->cancel);
	engine_set_run_id(e, o->run_id);
	if (actrun_image(&image, e, o, &err) < 0)
		goto fail;
	memset(&spec, 0, sizeof(spec));
	spec.image = image.buf;
	spec.cmd = o->args;
	if (o->entrypoint) {
		strlist_push(&entrypoint, o->entrypoint);
		spec.entrypoint = &entrypoint;
	}
	spec.env = &c.env;
	spec.binds = &c.binds;
	spec.workdir = ACTCTR_WORKSPACE;
	spec.network = o->network;
	if (engine_container_create(&id, e, &spec, &err) < 0 ||
	    engine_container_start(e, id.buf, &err) < 0 ||
	    engine_container_logs(e, id.buf, 1, actrun_relay, NULL, &err) < 0 ||
	    engine_container_wait(&code, e, id.buf, &err) < 0)
		goto fail;
	goto out;
fail:
	code = *o->cancel ? 128 + *o->cancel : 1;
	if (!*o->cancel)
		actrun_say("::error::%s", err.buf);
out:
	if (id.len) {
		strbuf_reset(&err);
		engine_set_cancel(e, NULL);
		if (engine_container_remove(e, id.buf, ENGINE_REMOVE_FORCE | ENGINE_REMOVE_VOLUMES,
					    &err) < 0)
			actrun_say("::warning::cannot remove the action's container: %s", err.buf);
	}
	engine_free(e);
	actctr_release(&c);
	strlist_release(&entrypoint);
	strbuf_release(&err);
	strbuf_release(&image);
	strbuf_release(&id);
	return code;
}
