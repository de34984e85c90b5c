/*
 * engine_image: the image calls of the Docker engine client — inspect,
 * pull, build from a tar context, tag, push, remove, history, and the
 * registry login that pushes and pulls rely on. Which image
 * a job needs, and when to pull, is the executor's decision.
 */
#include "runner/engine_req.h"
#include "util/json.h"

#include <string.h>

/* GET /images/IMAGE/part as JSON; "cannot ACTION image 'IMAGE'" on failure. */
static int engine_image_get(struct val *out, struct arena *a, struct engine *e,
			    const char *image, const char *part, const char *action,
			    struct strbuf *err)
{
	struct engine_req r;
	int ret;

	engine_req_init(&r, "GET");
	engine_pathf(&r.path, "/images/%s/", image);
	strbuf_addstr(&r.path, part);
	r.image = image;
	ret = engine_do_json(out, a, e, &r, err, "cannot %s image '%s'", action, image);
	engine_req_release(&r);
	return ret;
}

int engine_image_inspect(struct val *out, struct arena *a, struct engine *e, const char *image,
			 struct strbuf *err)
{
	return engine_image_get(out, a, e, image, "json", "inspect", err);
}

int engine_image_exists(struct engine *e, const char *image, struct strbuf *err)
{
	struct arena a = ARENA_INIT;
	struct strbuf ignored = STRBUF_INIT;
	struct val v;
	int ret = engine_image_inspect(&v, &a, e, image, &ignored);

	if (ret == ENGINE_ENOIMAGE || ret == ENGINE_ENOTFOUND)
		ret = 0;
	else if (ret < 0)
		strbuf_add(err, ignored.buf, ignored.len);
	else
		ret = 1;
	strbuf_release(&ignored);
	arena_release(&a);
	return ret;
}

/* Run a progress-streaming request; an error line in the stream fails it. */
static int engine_progress_do(struct engine *e, struct engine_req *r, struct engine_progress *p,
			      struct strbuf *err, const char *what, const char *subject)
{
	int ret;

	r->sink = engine_progress_feed;
	r->sink_data = p;
	r->stream = 1;
	ret = engine_do(e, r, err, "%s '%s'", what, subject);
	engine_progress_finish(p);
	if (!ret && p->error.len) {
		strbuf_addf(err, "%s '%s': ", what, subject);
		engine_add_reason(err, p->error.buf, p->error.len);
		ret = ENGINE_ERR;
	}
	return ret;
}

int engine_image_pull(struct engine *e, const char *image, const struct engine_auth *auth,
		      engine_line_fn *fn, void *data, struct strbuf *err)
{
	struct strbuf repo = STRBUF_INIT, tag = STRBUF_INIT;
	struct engine_progress p;
	struct engine_req r;
	int ret;

	engine_req_init(&r, "POST");
	engine_progress_init(&p, fn, data);
	if (strchr(image, '@')) {
		engine_pathf(&r.path, "/images/create?fromImage=%s", image);
	} else {
		engine_split_tag(&repo, &tag, image);
		engine_pathf(&r.path, "/images/create?fromImage=%s&tag=%s", repo.buf,
			     tag.len ? tag.buf : "latest");
	}
	r.auth = auth;
	r.low_speed_s = ENGINE_STALL_S;
	ret = engine_progress_do(e, &r, &p, err, "cannot pull image", image);
	engine_progress_release(&p);
	engine_req_release(&r);
	strbuf_release(&repo);
	strbuf_release(&tag);
	return ret;
}

/* "K=V" entries as the JSON object text the build endpoint takes in its query. */
static void engine_build_map(struct strbuf *path, const char *param, const struct strlist *kv)
{
	struct arena a = ARENA_INIT;
	struct strbuf json = STRBUF_INIT;
	struct val obj = val_new_object(&a);

	if (!kv || !kv->nr)
		goto out;
	for (size_t i = 0; i < kv->nr; i++) {
		const char *eq = strchr(kv->items[i], '=');

		val_object_set(&a, obj, kv->items[i], eq ? (size_t)(eq - kv->items[i]) :
			       strlen(kv->items[i]), val_cstring(&a, eq ? eq + 1 : ""));
	}
	json_write(&json, obj, 0);
	engine_pathf(path, "&%s=%s", param, json.buf);
out:
	strbuf_release(&json);
	arena_release(&a);
}

int engine_image_build(struct strbuf *out, struct engine *e, const struct engine_build_spec *spec,
		       const struct engine_body *context, engine_line_fn *fn, void *data,
		       struct strbuf *err)
{
	static const char built[] = "Successfully built ";
	struct engine_progress p;
	struct engine_req r;
	const char *name;
	int ret;

	engine_req_init(&r, "POST");
	engine_progress_init(&p, fn, data);
	engine_pathf(&r.path, "/build?rm=1&forcerm=1&dockerfile=%s",
		     spec->dockerfile ? spec->dockerfile : "Dockerfile");
	for (size_t i = 0; spec->tags && i < spec->tags->nr; i++)
		engine_pathf(&r.path, "&t=%s", spec->tags->items[i]);
	engine_build_map(&r.path, "buildargs", spec->build_args);
	engine_build_map(&r.path, "labels", spec->labels);
	if (spec->target)
		engine_pathf(&r.path, "&target=%s", spec->target);
	if (spec->no_cache)
		strbuf_addstr(&r.path, "&nocache=1");
	if (spec->pull)
		strbuf_addstr(&r.path, "&pull=1");
	r.body = context;
	r.content_type = "application/x-tar";
	name = spec->tags && spec->tags->nr ? spec->tags->items[0] : "(untagged)";
	ret = engine_progress_do(e, &r, &p, err, "cannot build image", name);
	if (!ret && !p.id.len && !strncmp(p.last.buf, built, sizeof(built) - 1))
		strbuf_addstr(&p.id, p.last.buf + sizeof(built) - 1);
	if (!ret && !p.id.len) {
		strbuf_addf(err, "cannot build image '%s': the engine did not name the new image",
			    name);
		ret = ENGINE_ERR;
	}
	if (!ret)
		strbuf_add(out, p.id.buf, p.id.len);
	engine_progress_release(&p);
	engine_req_release(&r);
	return ret;
}

int engine_image_tag(struct engine *e, const char *image, const char *name, struct strbuf *err)
{
	struct strbuf repo = STRBUF_INIT, tag = STRBUF_INIT;
	struct engine_req r;
	int ret;

	engine_req_init(&r, "POST");
	engine_split_tag(&repo, &tag, name);
	engine_pathf(&r.path, "/images/%s/tag?repo=%s&tag=%s", image, repo.buf,
		     tag.len ? tag.buf : "latest");
	r.image = image;
	ret = engine_do(e, &r, err, "cannot tag image '%s' as '%s'", image, name);
	engine_req_release(&r);
	strbuf_release(&repo);
	strbuf_release(&tag);
	return ret;
}

int engine_image_push(struct strbuf *out, struct engine *e, const char *name,
		      const struct engine_auth *auth, engine_line_fn *fn, void *data,
		      struct strbuf *err)
{
	struct strbuf repo = STRBUF_INIT, tag = STRBUF_INIT;
	struct engine_progress p;
	struct engine_req r;
	int ret;

	engine_req_init(&r, "POST");
	engine_progress_init(&p, fn, data);
	engine_split_tag(&repo, &tag, name);
	engine_pathf(&r.path, "/images/%s/push?tag=%s", repo.buf, tag.len ? tag.buf : "latest");
	r.auth = auth;
	r.send_auth = 1;
	r.image = name;
	r.low_speed_s = ENGINE_STALL_S;
	ret = engine_progress_do(e, &r, &p, err, "cannot push image", name);
	if (!ret && out)
		strbuf_add(out, p.digest.buf, p.digest.len);
	engine_progress_release(&p);
	engine_req_release(&r);
	strbuf_release(&repo);
	strbuf_release(&tag);
	return ret;
}

/* The first of tags (RepoTags) that is "<repo>:..." for repo, else the first; NULL: none. */
static const char *engine_image_tag_named(const struct val *tags, const char *repo)
{
	size_t len = strlen(repo);

	if (!tags || tags->kind != VAL_ARRAY)
		return NULL;
	for (size_t i = 0; i < tags->u.array->nr; i++) {
		const struct val *t = &tags->u.array->items[i];

		if (t->kind == VAL_STRING && !strncmp(t->u.string.ptr, repo, len) &&
		    t->u.string.ptr[len] == ':')
			return t->u.string.ptr;
	}
	return tags->u.array->nr && tags->u.array->items[0].kind == VAL_STRING ?
	       tags->u.array->items[0].u.string.ptr : NULL;
}

int engine_image_list(struct engine_list *out, struct arena *a, struct engine *e,
		      const char *reference, struct strbuf *err)
{
	const struct val *list;
	int ret = engine_list_get(out, &list, a, e, "/images/json?filters=", "reference",
				  reference, NULL, "images", err);

	if (ret)
		return ret;
	for (size_t i = 0; i < out->nr; i++) {
		struct val img = list->u.array->items[i];
		struct val *tags = val_object_getstr(img, "RepoTags");
		struct val *labels = val_object_getstr(img, "Labels");
		struct engine_object *o = &out->items[i];

		o->id = engine_get_str(img, "Id");
		o->labels = labels ? *labels : val_null();
		o->name = engine_image_tag_named(tags, reference);
		if (!o->name)
			o->name = o->id;
	}
	return 0;
}

int engine_image_remove(struct engine *e, const char *image, int force, struct strbuf *err)
{
	struct engine_req r;
	int ret;

	engine_req_init(&r, "DELETE");
	engine_pathf(&r.path, "/images/%s?force=%d", image, force ? 1 : 0);
	r.image = image;
	ret = engine_do(e, &r, err, "cannot remove image '%s'", image);
	engine_req_release(&r);
	return ret;
}

int engine_image_history(struct val *out, struct arena *a, struct engine *e, const char *image,
			 struct strbuf *err)
{
	return engine_image_get(out, a, e, image, "history", "read the history of", err);
}

int engine_registry_login(struct engine *e, const struct engine_auth *auth, struct strbuf *err)
{
	const char *server = auth->server && *auth->server ? auth->server : "docker.io";
	struct arena a = ARENA_INIT;
	struct val body = val_new_object(&a), out;
	struct engine_req r;
	int ret;

	engine_set_string(&a, body, "username", auth->username);
	engine_set_string(&a, body, "password", auth->password);
	engine_set_string(&a, body, "serveraddress", auth->server);
	engine_req_init(&r, "POST");
	strbuf_addstr(&r.path, "/auth");
	r.json = &body;
	ret = engine_do_json(&out, &a, e, &r, err, "cannot log in to '%s'", server);
	engine_req_release(&r);
	arena_release(&a);
	return ret;
}
