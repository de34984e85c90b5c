/*
 * platform: runs-on labels to an image, this machine, or a skip notice.
 * Explicit mappings (-P, .slipway.yml) first, then self-hosted, then the
 * default rules table. What happens next (containers, the host executor)
 * is exec_docker.c's.
 */
#include "runner/platform.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

void platform_map_init(struct platform_map *m)
{
	strlist_init(&m->labels);
	strlist_init(&m->targets);
}

void platform_map_release(struct platform_map *m)
{
	strlist_release(&m->labels);
	strlist_release(&m->targets);
}

static long platform_map_find(const struct platform_map *m, const char *label)
{
	for (size_t i = 0; i < m->labels.nr; i++)
		if (!strcasecmp(m->labels.items[i], label))
			return (long)i;
	return -1;
}

void platform_map_add(struct platform_map *m, const char *label, const char *target)
{
	if (platform_map_find(m, label) >= 0)
		return;
	strlist_push(&m->labels, label);
	strlist_push(&m->targets, target);
}

int platform_map_add_spec(struct platform_map *m, const char *spec, struct strbuf *err)
{
	const char *eq = strchr(spec, '=');
	struct strbuf label = STRBUF_INIT;

	if (!eq || eq == spec || !eq[1]) {
		strbuf_addf(err, "invalid platform '%s': expected LABEL=IMAGE or LABEL=%s", spec,
			    PLATFORM_SELF_HOSTED);
		return -1;
	}
	strbuf_add(&label, spec, (size_t)(eq - spec));
	platform_map_add(m, label.buf, eq + 1);
	strbuf_release(&label);
	return 0;
}

/* ------------------------------------------------------------------ */
/* The labels of a runs-on value */

#define PLATFORM_MAX_LABELS 64

struct platform_labels {
	const char *items[PLATFORM_MAX_LABELS];
	size_t nr;
};

static void platform_labels_add(struct platform_labels *l, struct val v)
{
	if (v.kind == VAL_ARRAY) {
		for (size_t i = 0; i < v.u.array->nr; i++)
			platform_labels_add(l, v.u.array->items[i]);
	} else if (v.kind == VAL_STRING && v.u.string.len && l->nr < PLATFORM_MAX_LABELS) {
		l->items[l->nr++] = v.u.string.ptr;
	}
}

/* runs-on: "label", [labels], or {group: name, labels: label|[labels]}. */
static void platform_labels_of(struct platform_labels *l, struct val runs_on)
{
	l->nr = 0;
	if (runs_on.kind == VAL_OBJECT) {
		struct val *group = val_object_geti(runs_on, "group", 5);
		struct val *labels = val_object_geti(runs_on, "labels", 6);

		if (labels)
			platform_labels_add(l, *labels);
		if (group)
			platform_labels_add(l, *group);
		return;
	}
	platform_labels_add(l, runs_on);
}

static void platform_describe(struct strbuf *out, const struct platform_labels *l)
{
	if (l->nr == 1) {
		strbuf_addf(out, "'%s'", l->items[0]);
		return;
	}
	strbuf_addch(out, '[');
	for (size_t i = 0; i < l->nr; i++)
		strbuf_addf(out, "%s%s", i ? ", " : "", l->items[i]);
	strbuf_addch(out, ']');
}

/* ------------------------------------------------------------------ */
/* Defaults */

/* Labels of operating systems this machine is not; they skip the leg. */
static const struct {
	const char *prefix;     /* "windows-latest", "windows-2022", and the bare qualifier */
	const char *os;
} platform_foreign[] = {
	{ "windows", "Windows" },
	{ "macos", "macOS" },
	{ "osx", "macOS" },
};

static int platform_has_prefix(const char *label, const char *prefix)
{
	size_t n = strlen(prefix);

	return !strncasecmp(label, prefix, n) && (!label[n] || label[n] == '-');
}

static const char *platform_foreign_os(const char *label)
{
	for (size_t i = 0; i < sizeof(platform_foreign) / sizeof(platform_foreign[0]); i++)
		if (platform_has_prefix(label, platform_foreign[i].prefix))
			return platform_foreign[i].os;
	return NULL;
}

/*
 * ubuntu-latest -> ubuntu:24.04 (what GitHub's ubuntu-latest is);
 * ubuntu-NN.NN and ubuntu-NN.NN-arm -> ubuntu:NN.NN. Returns 0 when
 * label is another name.
 */
static int platform_ubuntu(struct platform_choice *out, const char *label)
{
	unsigned major, minor;
	int n = 0;

	if (!strcasecmp(label, "ubuntu-latest") || !strcasecmp(label, "ubuntu-latest-arm")) {
		snprintf(out->buf, sizeof(out->buf), "ubuntu:24.04");
		return 1;
	}
	if (strncasecmp(label, "ubuntu-", 7) ||
	    sscanf(label + 7, "%2u.%2u%n", &major, &minor, &n) != 2 ||
	    (label[7 + n] && strcasecmp(label + 7 + n, "-arm")))
		return 0;
	snprintf(out->buf, sizeof(out->buf), "ubuntu:%02u.%02u", major, minor);
	return 1;
}

static void platform_set_target(struct platform_choice *out, const char *target)
{
	if (!strcmp(target, PLATFORM_SELF_HOSTED)) {
		out->kind = PLATFORM_HOST;
	} else {
		out->kind = PLATFORM_IMAGE;
		out->image = target;
	}
}

void platform_choose(struct platform_choice *out, const struct platform_map *m, struct val runs_on,
		     struct strbuf *why)
{
	struct platform_labels l;
	const char *os = NULL;
	int self_hosted = 0;

	memset(out, 0, sizeof(*out));
	out->kind = PLATFORM_NONE;
	platform_labels_of(&l, runs_on);
	if (!l.nr) {
		strbuf_addstr(why, "runs-on names no runner label; the job is skipped");
		return;
	}
	for (size_t i = 0; i < l.nr; i++) {
		long k = platform_map_find(m, l.items[i]);

		if (k >= 0) {
			platform_set_target(out, m->targets.items[k]);
			return;
		}
	}
	for (size_t i = 0; i < l.nr; i++) {
		self_hosted |= !strcasecmp(l.items[i], "self-hosted");
		if (!os)
			os = platform_foreign_os(l.items[i]);
	}
	if (self_hosted && !os) {
		out->kind = PLATFORM_HOST;
		return;
	}
	for (size_t i = 0; i < l.nr && !os; i++) {
		if (platform_ubuntu(out, l.items[i])) {
			out->kind = PLATFORM_IMAGE;
			out->image = out->buf;
			return;
		}
	}
	strbuf_addstr(why, "runs-on ");
	platform_describe(why, &l);
	if (os)
		strbuf_addf(why, " needs a %s runner, which this machine is not", os);
	else
		strbuf_addstr(why, " names no runner slipway knows");
	strbuf_addf(why, "; the job is skipped (map the label with -P %s=IMAGE, or -P %s=%s to "
		    "run it on this machine)", l.items[0], l.items[0], PLATFORM_SELF_HOSTED);
}
