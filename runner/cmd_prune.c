/*
 * cmd_prune: `slipway prune [--run ID] [--dry-run]` removes the containers
 * (forcibly), networks and volumes that runs left behind — everything
 * labelled slipway.run, or one run's. Images and unlabelled objects are
 * never touched.
 */
#include "runner/commands.h"
#include "runner/engine.h"
#include "runner/exitcode.h"
#include "util/options.h"

#include <stdio.h>
#include <string.h>

static const char prune_usage[] = "slipway prune [--run ID] [--dry-run]";

struct prune_kind {
	const char *name;
	int (*list)(struct engine_list *out, struct arena *a, struct engine *e,
		    const char *label_filter, struct strbuf *err);
	int (*remove)(struct engine *e, const struct engine_object *o, struct strbuf *err);
};

static int prune_container(struct engine *e, const struct engine_object *o, struct strbuf *err)
{
	return engine_container_remove(e, o->id, ENGINE_REMOVE_FORCE | ENGINE_REMOVE_VOLUMES, err);
}

static int prune_network(struct engine *e, const struct engine_object *o, struct strbuf *err)
{
	return engine_network_remove(e, o->id, err);
}

static int prune_volume(struct engine *e, const struct engine_object *o, struct strbuf *err)
{
	return engine_volume_remove(e, o->name, 1, err);
}

/* Containers first: they hold the networks and volumes. */
static const struct prune_kind prune_kinds[] = {
	{ "container", engine_container_list, prune_container },
	{ "network", engine_network_list, prune_network },
	{ "volume", engine_volume_list, prune_volume },
};

/* Remove (or list) one kind; returns how many could not be removed. */
static int prune_one_kind(struct engine *e, const struct prune_kind *k, const char *filter,
			  int dry_run, int *seen)
{
	struct arena a = ARENA_INIT;
	struct strbuf err = STRBUF_INIT;
	struct engine_list l;
	int failed = 0;

	if (k->list(&l, &a, e, filter, &err) < 0) {
		fprintf(stderr, "slipway prune: %s\n", err.buf);
		failed = 1;
		goto out;
	}
	for (size_t i = 0; i < l.nr; i++) {
		const struct engine_object *o = &l.items[i];
		struct val *run = val_object_getstr(o->labels, ENGINE_LABEL_RUN);
		const char *name = o->name ? o->name : o->id;

		++*seen;
		if (!dry_run && k->remove(e, o, &err) < 0) {
			fprintf(stderr, "slipway prune: %s\n", err.buf);
			strbuf_reset(&err);
			failed++;
			continue;
		}
		printf("%s %s %s (run %s)\n", dry_run ? "would remove" : "removed", k->name, name,
		       run && run->kind == VAL_STRING ? run->u.string.ptr : "?");
	}
out:
	strbuf_release(&err);
	arena_release(&a);
	return failed;
}

int cmd_prune(int argc, const char **argv)
{
	const char *run = NULL;
	int dry_run = 0, nargs, failed = 0, seen = 0;
	struct strbuf err = STRBUF_INIT, filter = STRBUF_INIT;
	struct engine *e = NULL;
	const struct option opts[] = {
		{ OPT_STRING, 0, "run", &run, "ID", "only what run ID left (default: every run)" },
		{ OPT_FLAG, 'n', "dry-run", &dry_run, NULL, "say what would be removed, remove nothing" },
		{ OPT_END },
	};
	int ret = EXITCODE_USAGE;

	nargs = options_parse(argc, argv, opts, &err);
	if (nargs == OPTIONS_HELP) {
		options_usage(stdout, prune_usage, opts);
		ret = EXITCODE_OK;
		goto out;
	}
	if (nargs > 0)
		strbuf_addf(&err, "unexpected argument '%s'", argv[0]);
	else if (run && !*run)
		strbuf_addstr(&err, "option '--run' needs a run id");
	if (err.len) {
		fprintf(stderr, "slipway prune: %s\n", err.buf);
		options_usage(stderr, prune_usage, opts);
		goto out;
	}
	if (engine_open(&e, NULL, &err) < 0) {
		fprintf(stderr, "slipway prune: %s\n", err.buf);
		ret = EXITCODE_FAILED;
		goto out;
	}
	strbuf_addstr(&filter, ENGINE_LABEL_RUN);
	if (run)
		strbuf_addf(&filter, "=%s", run);
	for (size_t i = 0; i < sizeof(prune_kinds) / sizeof(*prune_kinds); i++)
		failed += prune_one_kind(e, &prune_kinds[i], filter.buf, dry_run, &seen);
	if (!seen && !failed)
		printf("nothing to prune\n");
	ret = failed ? EXITCODE_FAILED : EXITCODE_OK;
out:
	engine_free(e);
	strbuf_release(&err);
	strbuf_release(&filter);
	return ret;
}
