/*
 * cmd_prune: `slipway prune [--run ID] [--images] [--dry-run]` removes the
 * containers (forcibly), networks and volumes that runs left behind —
 * everything labelled slipway.run, or one run's — and with --images the
 * images built from docker actions' Dockerfiles (slipway-action:*, a
 * cache the next run rebuilds). Other images and unlabelled objects are
 * never touched.
 */
#include "runner/actctr.h"
#include "runner/commands.h"
#include "runner/docker_sweep.h"
#include "runner/engine.h"
#include "runner/exitcode.h"
#include "util/options.h"

#include <stdio.h>
#include <string.h>

static const char prune_usage[] = "slipway prune [--run ID] [--images] [--dry-run]";

/* The action images; returns how many were seen, -1 when they cannot be listed. */
static int prune_action_images(struct engine *e, int dry_run, int *failed, struct strbuf *err)
{
	struct arena a = ARENA_INIT;
	struct engine_list l;
	struct strbuf why = STRBUF_INIT;

	if (engine_image_list(&l, &a, e, ACTCTR_IMAGE_REPO, err)) {
		arena_release(&a);
		return -1;
	}
	for (size_t i = 0; i < l.nr; i++) {
		strbuf_reset(&why);
		/* by name: an image tagged otherwise too only loses this tag */
		if (!dry_run && engine_image_remove(e, l.items[i].name, 0, &why)) {
			fprintf(stderr, "slipway prune: %s\n", why.buf);
			++*failed;
			continue;
		}
		printf("%s image %s\n", dry_run ? "would remove" : "removed", l.items[i].name);
	}
	strbuf_release(&why);
	arena_release(&a);
	return (int)l.nr;
}

/* Print what was (or would be) removed, and what could not be. */
static void prune_report(void *data, const char *kind, const char *name, const char *run,
			 const char *error)
{
	const int *dry_run = data;

	if (error)
		fprintf(stderr, "slipway prune: %s\n", error);
	else
		printf("%s %s %s (run %s)\n", *dry_run ? "would remove" : "removed", kind, name, run);
}

int cmd_prune(int argc, const char **argv)
{
	const char *run = NULL;
	int dry_run = 0, images = 0, nargs, failed = 0, seen, images_seen = 0;
	struct strbuf err = STRBUF_INIT;
	struct engine *e = NULL;
	const struct option opts[] = {
		{ OPT_STRING, 0, "run", &run, "ID", "only what run ID left (default: every run)" },
		{ OPT_FLAG, 0, "images", &images, NULL,
		  "also the images built from docker actions' Dockerfiles (" ACTCTR_IMAGE_REPO ":*)" },
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
	seen = docker_sweep(e, run, dry_run, prune_report, &dry_run, &failed, &err);
	if (seen < 0)
		fprintf(stderr, "slipway prune: %s\n", err.buf);
	strbuf_reset(&err);
	if (images && (images_seen = prune_action_images(e, dry_run, &failed, &err)) < 0) {
		fprintf(stderr, "slipway prune: %s\n", err.buf);
		failed++;
	}
	if (seen == 0 && images_seen == 0 && !failed)
		printf("nothing to prune\n");
	ret = failed ? EXITCODE_FAILED : EXITCODE_OK;
out:
	engine_free(e);
	strbuf_release(&err);
	return ret;
}
