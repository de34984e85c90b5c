/*
 * engine_network: the network and volume calls of the Docker engine
 * client — create (labelled), connect, remove, list by label. Which
 * services share a network is the executor's business.
 */
#include "runner/engine_req.h"

#include <string.h>

int engine_network_create(struct strbuf *out, struct engine *e, const char *name,
			  const struct strlist *labels, struct strbuf *err)
{
	struct arena a = ARENA_INIT;
	struct engine_req r;
	struct val body = val_new_object(&a);
	int ret;

	engine_set_string(&a, body, "Name", name);
	engine_set_string(&a, body, "Driver", "bridge");
	val_object_setstr(&a, body, "CheckDuplicate", val_bool(1));
	val_object_setstr(&a, body, "Labels", engine_labels(&a, e, labels));
	engine_req_init(&r, "POST");
	strbuf_addstr(&r.path, "/networks/create");
	r.json = &body;
	ret = engine_do_id(out, e, &r, err, "cannot create network '%s'", name);
	engine_req_release(&r);
	arena_release(&a);
	return ret;
}

int engine_network_connect(struct engine *e, const char *network, const char *container,
			   const struct strlist *aliases, struct strbuf *err)
{
	struct arena a = ARENA_INIT;
	struct engine_req r;
	struct val body = val_new_object(&a), endpoint = val_new_object(&a);
	int ret;

	engine_set_string(&a, body, "Container", container);
	engine_set_strlist(&a, endpoint, "Aliases", aliases);
	val_object_setstr(&a, body, "EndpointConfig", endpoint);
	engine_req_init(&r, "POST");
	engine_pathf(&r.path, "/networks/%s/connect", network);
	r.json = &body;
	ret = engine_do(e, &r, err, "cannot connect container '%s' to network '%s'", container,
			network);
	engine_req_release(&r);
	arena_release(&a);
	return ret;
}

/* A DELETE with no answer worth reading. */
static int engine_delete(struct engine *e, const char *kind, const char *name,
			 const char *query, struct strbuf *err)
{
	struct engine_req r;
	int ret;

	engine_req_init(&r, "DELETE");
	engine_pathf(&r.path, "/%ss/%s", kind, name);
	strbuf_addstr(&r.path, query);
	ret = engine_do(e, &r, err, "cannot remove %s '%s'", kind, name);
	engine_req_release(&r);
	return ret;
}

int engine_network_remove(struct engine *e, const char *network, struct strbuf *err)
{
	return engine_delete(e, "network", network, "", err);
}

/* Networks and volumes: objects with a Name, an Id (volumes: none) and Labels. */
static int engine_list_objects(struct engine_list *out, struct arena *a, struct engine *e,
			       const char *path, const char *member, const char *what,
			       const char *label_filter, struct strbuf *err)
{
	const struct val *list;
	int ret = engine_list_get(out, &list, a, e, path, "label", label_filter, member, what, err);

	for (size_t i = 0; !ret && i < out->nr; i++) {
		struct val o = list->u.array->items[i], *labels = val_object_getstr(o, "Labels");

		out->items[i].name = engine_get_str(o, "Name");
		out->items[i].id = engine_get_str(o, "Id");
		if (!out->items[i].id)
			out->items[i].id = out->items[i].name;
		out->items[i].labels = labels ? *labels : val_null();
	}
	return ret;
}

int engine_network_list(struct engine_list *out, struct arena *a, struct engine *e,
			const char *label_filter, struct strbuf *err)
{
	return engine_list_objects(out, a, e, "/networks?filters=", NULL, "networks", label_filter,
				   err);
}

int engine_volume_create(struct engine *e, const char *name, const struct strlist *labels,
			 struct strbuf *err)
{
	struct arena a = ARENA_INIT;
	struct engine_req r;
	struct val body = val_new_object(&a);
	int ret;

	engine_set_string(&a, body, "Name", name);
	val_object_setstr(&a, body, "Labels", engine_labels(&a, e, labels));
	engine_req_init(&r, "POST");
	strbuf_addstr(&r.path, "/volumes/create");
	r.json = &body;
	ret = engine_do(e, &r, err, "cannot create volume '%s'", name);
	engine_req_release(&r);
	arena_release(&a);
	return ret;
}

int engine_volume_remove(struct engine *e, const char *name, int force, struct strbuf *err)
{
	return engine_delete(e, "volume", name, force ? "?force=1" : "", err);
}

int engine_volume_list(struct engine_list *out, struct arena *a, struct engine *e,
		       const char *label_filter, struct strbuf *err)
{
	return engine_list_objects(out, a, e, "/volumes?filters=", "Volumes", "volumes",
				   label_filter, err);
}
