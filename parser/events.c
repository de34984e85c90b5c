/*
 * events: decodes `on:` (a name, a list of names or a mapping) into the
 * model's wf_event list and applies the checks GitHub makes beyond the
 * schema: cron syntax, exclusive filters (`branches` with
 * `branches-ignore` ...), input defaults that fit their type, `options`
 * only for choice inputs. Which events fire for a run is not decided here.
 */
#include "parser/wf_phases.h"
#include "util/strbuf.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define EVENTS_RULE "events"
#define EVENTS_MAX_DISPATCH_INPUTS 25

/* ---------------------------------------------------------------- cron */

struct cron_field {
	int min, max;
	const char *const *names;   /* three-letter names, index = value - min, or NULL */
};

static const char *const cron_months[] = {
	"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec", NULL,
};
static const char *const cron_days[] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat", NULL };

static const struct cron_field cron_fields[] = {
	{ 0, 59, NULL },           /* minute */
	{ 0, 23, NULL },           /* hour */
	{ 1, 31, NULL },           /* day of month */
	{ 1, 12, cron_months },    /* month */
	{ 0, 6, cron_days },       /* day of week */
};

/* The value of a number or name in [s, e) for field f, or -1. */
static int cron_value(const char *s, const char *e, const struct cron_field *f)
{
	long v = 0;

	if (f->names && e - s == 3)
		for (int i = 0; f->names[i]; i++)
			if (!strncasecmp(s, f->names[i], 3))
				return f->min + i;
	if (s == e || e - s > 4)
		return -1;
	for (const char *p = s; p < e; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (*p - '0');
	}
	return v >= f->min && v <= f->max ? (int)v : -1;
}

/* One comma-separated element: *, N, N-M, and either with /STEP. */
static int cron_element_ok(const char *s, const char *e, const struct cron_field *f)
{
	const char *slash = memchr(s, '/', (size_t)(e - s));
	const char *dash;

	if (slash) {
		long step = 0;

		if (slash + 1 == e || slash == s)
			return 0;
		for (const char *p = slash + 1; p < e; p++) {
			if (*p < '0' || *p > '9')
				return 0;
			step = step * 10 + (*p - '0');
			if (step > 1000)
				return 0;
		}
		if (step <= 0 || cron_value(slash + 1, e, f) < 0)
			return 0;
		e = slash;
	}
	if (e - s == 1 && *s == '*')
		return 1;
	dash = memchr(s, '-', (size_t)(e - s));
	if (dash) {
		int lo = cron_value(s, dash, f), hi = cron_value(dash + 1, e, f);

		return lo >= 0 && hi >= lo;
	}
	return cron_value(s, e, f) >= 0;
}

static const char cron_count_problem[] =
	"it needs five fields (minute hour day-of-month month day-of-week)";

/* NULL when cron is valid, else what is wrong with it. */
static const char *cron_problem(const char *cron)
{
	static const char *const bad_field[] = {
		"the minute field is invalid", "the hour field is invalid",
		"the day-of-month field is invalid", "the month field is invalid",
		"the day-of-week field is invalid",
	};
	const char *p = cron;
	size_t nf = sizeof(cron_fields) / sizeof(cron_fields[0]);

	for (size_t i = 0; i < nf; i++) {
		const char *end;

		while (*p == ' ')
			p++;
		if (!*p)
			return cron_count_problem;
		end = strchr(p, ' ');
		if (!end)
			end = p + strlen(p);
		for (const char *s = p; s <= end; s++) {
			const char *comma = memchr(s, ',', (size_t)(end - s));
			const char *e = comma ? comma : end;

			if (!cron_element_ok(s, e, &cron_fields[i]))
				return bad_field[i];
			s = e;
		}
		p = end;
	}
	while (*p == ' ')
		p++;
	return *p ? cron_count_problem : NULL;
}

/* ---------------------------------------------------------------- inputs */

static const struct {
	const char *name;
	enum wf_input_type type;
} input_types[] = {
	{ "string", WF_INPUT_STRING },
	{ "boolean", WF_INPUT_BOOLEAN },
	{ "number", WF_INPUT_NUMBER },
	{ "choice", WF_INPUT_CHOICE },
	{ "environment", WF_INPUT_ENVIRONMENT },
};

static enum wf_input_type input_type_of(const struct ydoc_node *n)
{
	for (size_t i = 0; i < sizeof(input_types) / sizeof(input_types[0]); i++)
		if (ydoc_scalar_is(n, input_types[i].name))
			return input_types[i].type;
	return WF_INPUT_STRING;
}

static void input_check(struct diag_list *diags, const struct wf_input *in,
			const struct ydoc_node *map)
{
	const struct ydoc_node *d = in->default_value;
	enum val_kind kind = d && d->kind == YDOC_SCALAR ? ydoc_scalar_kind(d) : VAL_NULL;
	const char *tname = input_types[in->type].name;

	if (d && !wf_is_expression(d)) {
		if (in->type == WF_INPUT_BOOLEAN && kind != VAL_BOOL)
			wf_error(diags, d, EVENTS_RULE, "the default of boolean input '%s' must be true or "
				     "false, not '%s'", in->name, d->u.scalar.ptr);
		else if (in->type != WF_INPUT_BOOLEAN && in->type != WF_INPUT_NUMBER &&
			 kind != VAL_STRING)
			wf_error(diags, d, EVENTS_RULE, "the default of %s input '%s' must be a string, "
				     "not '%s' (quote it)", tname, in->name, d->u.scalar.ptr);
	}
	if (in->type == WF_INPUT_CHOICE && !in->options.nr)
		wf_error(diags, map, EVENTS_RULE, "choice input '%s' needs 'options'", in->name);
	else if (in->type != WF_INPUT_CHOICE && in->options.node)
		wf_error(diags, in->options.node, EVENTS_RULE,
			     "input '%s' has 'options' but its type is '%s', not 'choice'",
			     in->name, tname);
}

static void decode_inputs(struct wf_workflow *wf, struct wf_event *ev, struct diag_list *diags)
{
	const struct ydoc_node *map = ydoc_map_get(ev->config, "inputs");

	if (!map || map->kind != YDOC_MAPPING)
		return;
	if (!strcmp(ev->name, "workflow_dispatch") && map->u.map.nr > EVENTS_MAX_DISPATCH_INPUTS)
		wf_error(diags, ev->node, EVENTS_RULE, "'workflow_dispatch' may have at most %d inputs, "
			     "not %zu", EVENTS_MAX_DISPATCH_INPUTS, map->u.map.nr);
	ev->inputs = arena_alloc(&wf->doc.arena, (map->u.map.nr ? map->u.map.nr : 1) *
				 sizeof(*ev->inputs));
	for (size_t i = 0; i < map->u.map.nr; i++) {
		const struct ydoc_node *def = map->u.map.pairs[i].value;
		struct wf_input *in = &ev->inputs[ev->inputs_nr++];

		in->key = map->u.map.pairs[i].key;
		in->name = in->key->u.scalar.ptr;
		if (def->kind != YDOC_MAPPING)
			continue;
		in->type = input_type_of(ydoc_map_get(def, "type"));
		in->required = ydoc_scalar_is(ydoc_map_get(def, "required"), "true");
		in->description = ydoc_map_get(def, "description");
		in->default_value = ydoc_map_get(def, "default");
		wf_strings_decode(&in->options, &wf->doc.arena, ydoc_map_get(def, "options"));
		input_check(diags, in, def);
	}
}

void wf_outputs_decode(struct wf_output **out, size_t *nr, struct arena *a,
		       const struct ydoc_node *map)
{
	if (!map || map->kind != YDOC_MAPPING)
		return;
	*out = arena_alloc(a, (map->u.map.nr ? map->u.map.nr : 1) * sizeof(**out));
	for (size_t i = 0; i < map->u.map.nr; i++) {
		struct wf_output *o = &(*out)[(*nr)++];

		o->key = map->u.map.pairs[i].key;
		o->name = o->key->u.scalar.ptr;
		o->description = ydoc_map_get(map->u.map.pairs[i].value, "description");
		o->value = ydoc_map_get(map->u.map.pairs[i].value, "value");
	}
}

static void decode_secrets(struct wf_workflow *wf, struct wf_event *ev)
{
	const struct ydoc_node *map = ydoc_map_get(ev->config, "secrets");

	if (!map || map->kind != YDOC_MAPPING)
		return;
	ev->secrets = arena_alloc(&wf->doc.arena, (map->u.map.nr ? map->u.map.nr : 1) *
				  sizeof(*ev->secrets));
	for (size_t i = 0; i < map->u.map.nr; i++) {
		const struct ydoc_node *def = map->u.map.pairs[i].value;
		struct wf_secret *s = &ev->secrets[ev->secrets_nr++];

		s->key = map->u.map.pairs[i].key;
		s->name = s->key->u.scalar.ptr;
		s->description = ydoc_map_get(def, "description");
		s->required = ydoc_scalar_is(ydoc_map_get(def, "required"), "true");
	}
}

static void decode_schedule(struct wf_workflow *wf, struct wf_event *ev, struct diag_list *diags)
{
	const struct ydoc_node *seq = ev->config;

	if (!seq || seq->kind != YDOC_SEQUENCE)
		return;
	ev->crons = arena_alloc(&wf->doc.arena, (seq->u.seq.nr ? seq->u.seq.nr : 1) *
				sizeof(*ev->crons));
	for (size_t i = 0; i < seq->u.seq.nr; i++) {
		const struct ydoc_node *cron = ydoc_map_get(seq->u.seq.items[i], "cron");
		const char *text = wf_static_string(cron);
		const char *problem;
		struct wf_cron *c;

		if (!text)
			continue;
		problem = cron_problem(text);
		if (problem) {
			wf_error(diags, cron, EVENTS_RULE, "invalid cron expression '%s': %s", text, problem);
			continue;
		}
		c = &ev->crons[ev->crons_nr++];
		c->cron = text;
		c->node = cron;
		c->timezone = wf_static_string(ydoc_map_get(seq->u.seq.items[i], "timezone"));
	}
}

/* The key node of key in map, or NULL. */
static const struct ydoc_node *events_key(const struct ydoc_node *map, const char *key)
{
	for (size_t i = 0; i < map->u.map.nr; i++)
		if (ydoc_scalar_is(map->u.map.pairs[i].key, key))
			return map->u.map.pairs[i].key;
	return NULL;
}

static const char *const branch_events[] = {
	"push", "pull_request", "pull_request_target", "merge_group", "workflow_run", NULL,
};
static const char *const tag_events[] = { "push", NULL };
static const char *const path_events[] = {
	"push", "pull_request", "pull_request_target", NULL,
};

/* GitHub refuses a filter together with its -ignore twin for one event. */
static void check_exclusive(struct diag_list *diags, const struct wf_event *ev)
{
	static const struct {
		const char *filter, *ignore;
		const char *const *events;      /* the events that have this filter */
	} pairs[] = {
		{ "branches", "branches-ignore", branch_events },
		{ "tags", "tags-ignore", tag_events },
		{ "paths", "paths-ignore", path_events },
	};

	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		const struct ydoc_node *a = events_key(ev->config, pairs[i].filter);
		const struct ydoc_node *b = events_key(ev->config, pairs[i].ignore);
		const char *const *e = pairs[i].events;

		while (*e && strcmp(*e, ev->name))
			e++;
		if (!a || !b || !*e)
			continue;
		wf_error(diags, a->line > b->line ? a : b, EVENTS_RULE,
			     "event '%s' cannot use both '%s' and '%s' (negate patterns with '!' "
			     "instead)", ev->name, pairs[i].filter, pairs[i].ignore);
	}
}

static void decode_event(struct wf_workflow *wf, struct wf_event *ev, struct diag_list *diags)
{
	static const struct {
		const char *key;
		size_t offset;
	} lists[] = {
		{ "branches", offsetof(struct wf_event, branches) },
		{ "branches-ignore", offsetof(struct wf_event, branches_ignore) },
		{ "tags", offsetof(struct wf_event, tags) },
		{ "tags-ignore", offsetof(struct wf_event, tags_ignore) },
		{ "paths", offsetof(struct wf_event, paths) },
		{ "paths-ignore", offsetof(struct wf_event, paths_ignore) },
		{ "types", offsetof(struct wf_event, types) },
		{ "workflows", offsetof(struct wf_event, workflows) },
		{ "names", offsetof(struct wf_event, names) },
		{ "versions", offsetof(struct wf_event, versions) },
	};

	if (!strcmp(ev->name, "schedule")) {
		decode_schedule(wf, ev, diags);
		return;
	}
	if (!ev->config || ev->config->kind != YDOC_MAPPING)
		return;
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		wf_strings_decode((struct wf_strings *)((char *)ev + lists[i].offset),
				  &wf->doc.arena, ydoc_map_get(ev->config, lists[i].key));
	check_exclusive(diags, ev);
	decode_inputs(wf, ev, diags);
	wf_outputs_decode(&ev->outputs, &ev->outputs_nr, &wf->doc.arena,
			  ydoc_map_get(ev->config, "outputs"));
	decode_secrets(wf, ev);
}

void wf_events_decode(struct wf_workflow *wf, struct diag_list *diags)
{
	const struct ydoc_node *on = wf->on;
	size_t cap;

	if (!on)
		return;
	cap = on->kind == YDOC_SEQUENCE ? on->u.seq.nr : on->kind == YDOC_MAPPING ? on->u.map.nr : 1;
	wf->events = arena_alloc(&wf->doc.arena, (cap ? cap : 1) * sizeof(*wf->events));
	for (size_t i = 0; i < cap; i++) {
		const struct ydoc_node *name, *config = NULL;
		struct wf_event *ev;

		if (on->kind == YDOC_MAPPING) {
			name = on->u.map.pairs[i].key;
			config = on->u.map.pairs[i].value;
			if (config->kind == YDOC_SCALAR && ydoc_scalar_kind(config) == VAL_NULL)
				config = NULL;
		} else {
			name = on->kind == YDOC_SEQUENCE ? on->u.seq.items[i] : on;
		}
		if (!wf_static_string(name) || !*name->u.scalar.ptr)
			continue;
		ev = &wf->events[wf->events_nr++];
		ev->name = name->u.scalar.ptr;
		ev->node = name;
		ev->config = config;
		decode_event(wf, ev, diags);
	}
}
