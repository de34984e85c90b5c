/*
 * platform: where a job leg runs, decided from its `runs-on` — a container
 * image, this machine, or nowhere here (the leg is skipped, with the
 * reason). Mappings come from -P LABEL=IMAGE|-self-hosted first, then
 * `.slipway.yml`'s `platforms:`, then the defaults documented in README.md.
 * Creating containers is the docker executor's business, not this file's.
 */
#ifndef RUNNER_PLATFORM_H
#define RUNNER_PLATFORM_H

#include "util/strbuf.h"
#include "util/strlist.h"
#include "util/value.h"

/* The target that sends a label to this machine instead of an image. */
#define PLATFORM_SELF_HOSTED "-self-hosted"

enum platform_kind {
	PLATFORM_IMAGE,         /* a container from an image */
	PLATFORM_HOST,          /* this machine (the host executor) */
	PLATFORM_NONE,          /* cannot run here: skipped, with the reason */
};

/* Explicit mappings, label -> image or PLATFORM_SELF_HOSTED; the first added wins. */
struct platform_map {
	struct strlist labels, targets;
};

#define PLATFORM_MAP_INIT { STRLIST_INIT, STRLIST_INIT }

void platform_map_init(struct platform_map *m);
void platform_map_release(struct platform_map *m);

/*
 * Add "LABEL=IMAGE" or "LABEL=-self-hosted" (a -P argument). Returns 0,
 * or -1 with a message in err when either side is empty or '=' is missing.
 */
int platform_map_add_spec(struct platform_map *m, const char *spec, struct strbuf *err);
/* Add one mapping (both strings copied); a label already mapped keeps its first target. */
void platform_map_add(struct platform_map *m, const char *label, const char *target);

struct platform_choice {
	enum platform_kind kind;
	/* PLATFORM_IMAGE: the image, borrowed from the map or from buf */
	const char *image;
	char buf[64];
};

/*
 * Decide for runs_on (a string, an array of labels, or {group, labels});
 * labels compare case-insensitively, as on GitHub. An explicitly mapped
 * label wins (in runs-on order); then `self-hosted` (this machine, unless
 * another label asks for Windows or macOS); then the defaults:
 * ubuntu-latest and ubuntu-NN.NN[-arm] -> ubuntu:24.04 / ubuntu:NN.NN;
 * windows-* and macos-* cannot run here. PLATFORM_NONE puts the notice
 * in why ("runs-on 'windows-latest' needs a Windows runner, ...").
 */
void platform_choose(struct platform_choice *out, const struct platform_map *m, struct val runs_on,
		     struct strbuf *why);

#endif
