/*
 * backend: choosing and opening the run's executor from the command line
 * and `.slipway.yml`. The platform map is built here (-P before the
 * config's `platforms:`) and handed to the docker executor, which copies
 * it.
 */
#include "runner/backend.h"

#include <string.h>
#include <strings.h>

#include "runner/platform.h"

static const char *const backend_names[] = { "auto", "docker", "host" };

int backend_check(const struct backend_opts *o, struct strbuf *err)
{
	struct platform_map m = PLATFORM_MAP_INIT;
	size_t i;
	int ret = 0;

	for (i = 0; o->name && i < sizeof(backend_names) / sizeof(backend_names[0]); i++)
		if (!strcmp(o->name, backend_names[i]))
			break;
	if (o->name && i == sizeof(backend_names) / sizeof(backend_names[0])) {
		strbuf_addf(err, "backend '%s' is not one of auto, docker, host", o->name);
		return -1;
	}
	for (i = 0; o->platforms && i < o->platforms->nr && !ret; i++)
		ret = platform_map_add_spec(&m, o->platforms->items[i], err);
	platform_map_release(&m);
	return ret;
}

/* -P first, then `platforms:` of .slipway.yml. */
static void backend_platforms(struct platform_map *m, const struct backend_opts *o)
{
	const struct ydoc_node *p = o->config ? o->config->platforms : NULL;
	struct strbuf err = STRBUF_INIT;

	for (size_t i = 0; o->platforms && i < o->platforms->nr; i++)
		platform_map_add_spec(m, o->platforms->items[i], &err);
	for (size_t i = 0; p && p->kind == YDOC_MAPPING && i < p->u.map.nr; i++) {
		const struct ydoc_pair *pair = &p->u.map.pairs[i];

		if (pair->value->kind == YDOC_SCALAR)
			platform_map_add(m, pair->key->u.scalar.ptr, pair->value->u.scalar.ptr);
	}
	strbuf_release(&err);
}

int backend_open(struct executor **out, const struct backend_opts *o, struct strbuf *notice,
		 struct strbuf *err)
{
	const struct ydoc_node *sock = o->config ? o->config->docker_socket : NULL;
	struct platform_map m = PLATFORM_MAP_INIT;
	struct exec_docker_opts d;
	struct strbuf why = STRBUF_INIT;
	int ret = 0;

	if (o->name && !strcmp(o->name, "host")) {
		*out = exec_host_new(o->tool_cache, o->slots_dir);
		return 0;
	}
	backend_platforms(&m, o);
	memset(&d, 0, sizeof(d));
	d.run_id = o->run_id;
	d.platforms = &m;
	d.tool_cache = o->tool_cache;
	d.slots_dir = o->slots_dir;
	d.bind = o->bind ? o->repository : NULL;
	d.pull = o->pull;
	d.docker_socket = o->docker_socket ||
		(sock && sock->kind == YDOC_SCALAR && !strcasecmp(sock->u.scalar.ptr, "true"));
	if (exec_docker_new(out, &d, &why) < 0) {
		if (o->name && !strcmp(o->name, "docker")) {
			strbuf_add(err, why.buf, why.len);
			ret = -1;
		} else {
			strbuf_addf(notice, "%s; jobs run on this machine (--backend host)", why.buf);
			*out = exec_host_new(o->tool_cache, o->slots_dir);
		}
	}
	platform_map_release(&m);
	strbuf_release(&why);
	return ret;
}
