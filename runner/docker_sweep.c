/*
 * docker_sweep: labelled containers, networks and volumes removed by
 * label, in the order that frees what holds what. Used by `slipway prune`
 * and at the end of every run with the docker executor; what a job
 * creates and removes as it goes is exec_docker's.
 */
#include "runner/docker_sweep.h"

#include <string.h>
#include <time.h>

struct sweep_kind {
	const char *name;
	int (*list)(struct engine_list *out, struct arena *a, struct engine *e,
		    const char *label_filter, struct strbuf *err);
	int (*remove)(struct engine *e, const struct engine_object *o, struct strbuf *err);
};

static int sweep_container(struct engine *e, const struct engine_object *o, struct strbuf *err)
{
	return engine_container_remove(e, o->id, ENGINE_REMOVE_FORCE | ENGINE_REMOVE_VOLUMES, err);
}

static int sweep_network(struct engine *e, const struct engine_object *o, struct strbuf *err)
{
	return engine_network_remove(e, o->id, err);
}

static int sweep_volume(struct engine *e, const struct engine_object *o, struct strbuf *err)
{
	return engine_volume_remove(e, o->name, 1, err);
}

/* Containers first: they hold the networks and volumes. */
static const struct sweep_kind sweep_kinds[] = {
	{ "container", engine_container_list, sweep_container },
	{ "network", engine_network_list, sweep_network },
	{ "volume", engine_volume_list, sweep_volume },
};

int docker_sweep(struct engine *e, const char *run_id, int dry_run, docker_sweep_fn *fn,
		 void *data, int *failed, struct strbuf *err)
{
	struct strbuf filter = STRBUF_INIT, why = STRBUF_INIT;
	int found = 0, list_failed = 0;

	*failed = 0;
	strbuf_addstr(&filter, ENGINE_LABEL_RUN);
	if (run_id)
		strbuf_addf(&filter, "=%s", run_id);
	for (size_t k = 0; k < sizeof(sweep_kinds) / sizeof(sweep_kinds[0]); k++) {
		const struct sweep_kind *kind = &sweep_kinds[k];
		struct arena a = ARENA_INIT;
		struct engine_list l;

		strbuf_reset(&why);
		if (kind->list(&l, &a, e, filter.buf, &why) < 0) {
			strbuf_addf(err, "%s%s", list_failed++ ? "; " : "", why.buf);
			++*failed;
			arena_release(&a);
			continue;
		}
		for (size_t i = 0; i < l.nr; i++) {
			const struct engine_object *o = &l.items[i];
			struct val *run = val_object_getstr(o->labels, ENGINE_LABEL_RUN);
			int gone;

			found++;
			strbuf_reset(&why);
			gone = dry_run || kind->remove(e, o, &why) >= 0;
			*failed += !gone;
			if (fn)
				fn(data, kind->name, o->name ? o->name : o->id,
				   run && run->kind == VAL_STRING ? run->u.string.ptr : "?",
				   gone ? NULL : why.buf);
		}
		arena_release(&a);
	}
	strbuf_release(&filter);
	strbuf_release(&why);
	return list_failed ? -1 : found;
}

/* The last reason an object could not be removed, for the final message. */
static void sweep_note(void *data, const char *kind, const char *name, const char *run,
		       const char *error)
{
	struct strbuf *last = data;

	(void)run;
	if (!error)
		return;
	strbuf_reset(last);
	strbuf_addf(last, "%s '%s' is left: %s", kind, name, error);
}

int docker_sweep_run(struct engine *e, const char *run_id, long timeout_ms, struct strbuf *err)
{
	struct strbuf last = STRBUF_INIT, why = STRBUF_INIT;
	const struct timespec pause = { 0, 200 * 1000000L };
	long waited = 0;
	int failed, ret;

	for (;;) {
		strbuf_reset(&why);
		strbuf_reset(&last);
		ret = docker_sweep(e, run_id, 0, sweep_note, &last, &failed, &why);
		if (ret >= 0 && !failed) {
			ret = 0;
			break;
		}
		if (waited >= timeout_ms) {
			strbuf_addf(err, "cannot remove the containers, networks and volumes of run "
				    "'%s' (run 'slipway prune --run %s' later): %s", run_id, run_id,
				    ret < 0 ? why.buf : last.buf);
			ret = -1;
			break;
		}
		nanosleep(&pause, NULL);
		waited += 200;
	}
	strbuf_release(&last);
	strbuf_release(&why);
	return ret;
}
