/*
 * validate: the semantic rules of a workflow that the schema cannot say —
 * job and step ids, `needs` naming existing jobs, dependency cycles (the
 * message names the cycle), duplicate step ids, empty matrix vectors.
 * Expression checks inside ${{ }} belong to a later pass of their own.
 */
#include "parser/wf_phases.h"
#include "util/strbuf.h"
#include "util/strmap.h"
#include "util/suggest.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* 1 when id is fine; otherwise the problem is reported at n. */
static int validate_id(struct diag_list *diags, const struct ydoc_node *n, const char *what,
		       const char *id)
{
	if (!wf_id_is_valid(id)) {
		wf_error(diags, n, "id",
			       "invalid %s id '%s': it must start with a letter or '_' and hold "
			       "only letters, digits, '-' and '_' (at most 99 characters)", what, id);
		return 0;
	}
	if (!strncmp(id, "__", 2)) {
		wf_error(diags, n, "id", "invalid %s id '%s': ids starting with '__' are "
			       "reserved", what, id);
		return 0;
	}
	return 1;
}

/* ---------------------------------------------------------------- needs */

struct validate_graph {
	struct wf_workflow *wf;
	size_t **edges;         /* edges[j]: indexes of the jobs job j needs */
	size_t *edges_nr;
};

static void validate_needs(struct validate_graph *g, struct diag_list *diags)
{
	struct wf_workflow *wf = g->wf;
	struct strmap ids;
	const char **names;

	strmap_init(&ids, 0);
	names = xmalloc((wf->jobs_nr + 1) * sizeof(*names));
	for (size_t j = 0; j < wf->jobs_nr; j++) {
		strmap_put(&ids, wf->jobs[j].id, &wf->jobs[j]);
		names[j] = wf->jobs[j].id;
	}
	names[wf->jobs_nr] = NULL;
	for (size_t j = 0; j < wf->jobs_nr; j++) {
		struct wf_job *job = &wf->jobs[j];

		g->edges[j] = xmalloc((job->needs_nr ? job->needs_nr : 1) * sizeof(**g->edges));
		for (size_t i = 0; i < job->needs_nr; i++) {
			struct strmap_entry *e = strmap_get(&ids, job->needs[i].id);
			const char *near;

			if (e) {
				g->edges[j][g->edges_nr[j]++] =
					(size_t)((struct wf_job *)e->value - wf->jobs);
				continue;
			}
			near = suggest_nearest(job->needs[i].id, names);
			if (near)
				wf_error(diags, job->needs[i].node, "job-needs",
					       "job '%s' needs unknown job '%s'; did you mean '%s'?",
					       job->id, job->needs[i].id, near);
			else
				wf_error(diags, job->needs[i].node, "job-needs",
					       "job '%s' needs unknown job '%s'", job->id,
					       job->needs[i].id);
		}
	}
	free(names);
	strmap_release(&ids);
}

/*
 * Strongly connected components (Tarjan's algorithm without recursion, so
 * that a long chain of jobs cannot exhaust the stack). comp[j] receives the
 * component number of job j.
 */
static void validate_scc(const struct validate_graph *g, size_t n, size_t *comp)
{
	size_t *index = xmalloc(n * sizeof(*index)), *low = xmalloc(n * sizeof(*low));
	size_t *stack = xmalloc(n * sizeof(*stack)), *call = xmalloc(n * sizeof(*call));
	size_t *next = xcalloc(n, sizeof(*next));
	unsigned char *on = xcalloc(n, 1);
	size_t counter = 0, sp = 0, comps = 0;
	const size_t unvisited = (size_t)-1;

	for (size_t i = 0; i < n; i++)
		index[i] = unvisited;
	for (size_t root = 0; root < n; root++) {
		size_t depth = 0;

		if (index[root] != unvisited)
			continue;
		call[depth++] = root;
		index[root] = low[root] = counter++;
		stack[sp++] = root;
		on[root] = 1;
		while (depth) {
			size_t v = call[depth - 1];

			if (next[v] < g->edges_nr[v]) {
				size_t w = g->edges[v][next[v]++];

				if (index[w] == unvisited) {
					index[w] = low[w] = counter++;
					stack[sp++] = w;
					on[w] = 1;
					call[depth++] = w;
				} else if (on[w] && index[w] < low[v]) {
					low[v] = index[w];
				}
				continue;
			}
			depth--;
			if (depth && low[v] < low[call[depth - 1]])
				low[call[depth - 1]] = low[v];
			if (low[v] == index[v]) {
				size_t w;

				do {
					w = stack[--sp];
					on[w] = 0;
					comp[w] = comps;
				} while (w != v);
				comps++;
			}
		}
	}
	free(index);
	free(low);
	free(stack);
	free(call);
	free(next);
	free(on);
}

/* Report the shortest cycle through start inside its component, at start's key. */
static void validate_report_cycle(const struct validate_graph *g, const size_t *comp, size_t n,
				  size_t start, struct diag_list *diags)
{
	size_t *prev = xmalloc(n * sizeof(*prev)), *queue = xmalloc(n * sizeof(*queue));
	size_t head = 0, tail = 0, last = (size_t)-1;
	const size_t none = (size_t)-1;
	struct strbuf path = STRBUF_INIT;
	size_t *order;
	size_t len = 0;

	for (size_t i = 0; i < n; i++)
		prev[i] = none;
	queue[tail++] = start;
	while (head < tail && last == none) {
		size_t v = queue[head++];

		for (size_t i = 0; i < g->edges_nr[v]; i++) {
			size_t w = g->edges[v][i];

			if (comp[w] != comp[start])
				continue;
			if (w == start) {
				last = v;
				break;
			}
			if (prev[w] == none) {
				prev[w] = v;
				queue[tail++] = w;
			}
		}
	}
	order = queue;  /* reused: the path backwards from last to start */
	for (size_t v = last; v != start; v = prev[v])
		order[len++] = v;
	strbuf_addstr(&path, g->wf->jobs[start].id);
	while (len)
		strbuf_addf(&path, " -> %s", g->wf->jobs[order[--len]].id);
	strbuf_addf(&path, " -> %s", g->wf->jobs[start].id);
	wf_error(diags, g->wf->jobs[start].key, "job-needs",
		       "dependency cycle in 'needs': %s", path.buf);
	strbuf_release(&path);
	free(prev);
	free(queue);
}

static void validate_cycles(const struct validate_graph *g, struct diag_list *diags)
{
	size_t n = g->wf->jobs_nr;
	size_t *comp = xmalloc((n ? n : 1) * sizeof(*comp));
	size_t *size = xcalloc(n ? n : 1, sizeof(*size));
	unsigned char *done = xcalloc(n ? n : 1, 1);

	validate_scc(g, n, comp);
	for (size_t j = 0; j < n; j++)
		size[comp[j]]++;
	for (size_t j = 0; j < n; j++) {
		int self = 0;

		for (size_t i = 0; i < g->edges_nr[j]; i++)
			self |= g->edges[j][i] == j;
		if (done[comp[j]] || (size[comp[j]] < 2 && !self))
			continue;
		done[comp[j]] = 1;
		validate_report_cycle(g, comp, n, j, diags);
	}
	free(comp);
	free(size);
	free(done);
}

static void validate_jobs(struct wf_workflow *wf, struct diag_list *diags)
{
	struct validate_graph g;

	if (wf->jobs_node && wf->jobs_node->kind == YDOC_MAPPING && !wf->jobs_node->u.map.nr)
		wf_error(diags, wf->jobs_node, "syntax-check",
			       "'jobs' must contain at least one job");
	for (size_t j = 0; j < wf->jobs_nr; j++)
		validate_id(diags, wf->jobs[j].key, "job", wf->jobs[j].id);
	g.wf = wf;
	g.edges = xcalloc(wf->jobs_nr ? wf->jobs_nr : 1, sizeof(*g.edges));
	g.edges_nr = xcalloc(wf->jobs_nr ? wf->jobs_nr : 1, sizeof(*g.edges_nr));
	validate_needs(&g, diags);
	validate_cycles(&g, diags);
	for (size_t j = 0; j < wf->jobs_nr; j++)
		free(g.edges[j]);
	free(g.edges);
	free(g.edges_nr);
}

/* ---------------------------------------------------------------- steps, matrix */

void wf_steps_validate(const struct wf_step *steps, size_t nr, struct diag_list *diags)
{
	struct strmap seen;

	strmap_init(&seen, 1);
	for (size_t i = 0; i < nr; i++) {
		const struct wf_step *step = &steps[i];
		struct strmap_entry *e;

		if (step->parallel_nr) {
			for (size_t k = 0; k < step->parallel_nr; k++)
				if (step->parallel_steps[k].parallel)
					wf_error(diags, step->parallel_steps[k].node, "syntax-check",
						       "a 'parallel' group cannot contain another "
						       "'parallel' group");
			wf_steps_validate(step->parallel_steps, step->parallel_nr, diags);
		}
		if (step->id_generated || !step->id)
			continue;
		if (!validate_id(diags, step->id_node, "step", step->id))
			continue;
		e = strmap_put(&seen, step->id, (void *)step);
		if (e->value != step) {
			const struct wf_step *first = e->value;

			wf_error(diags, step->id_node, "id",
				       "step id '%s' is already used by the step at line %d "
				       "(ids are case-insensitive)", step->id, first->id_node->line);
		}
	}
	strmap_release(&seen);
}

/* 1 when a ${{ }} appears anywhere in n (keys included). */
static int validate_has_expression(const struct ydoc_node *n)
{
	switch (n->kind) {
	case YDOC_SCALAR:
		return wf_is_expression(n);
	case YDOC_SEQUENCE:
		for (size_t i = 0; i < n->u.seq.nr; i++)
			if (validate_has_expression(n->u.seq.items[i]))
				return 1;
		return 0;
	default:
		for (size_t i = 0; i < n->u.map.nr; i++)
			if (validate_has_expression(n->u.map.pairs[i].key) ||
			    validate_has_expression(n->u.map.pairs[i].value))
				return 1;
		return 0;
	}
}

/* GitHub refuses a container without an image (unless ${{ }} decides it at run time). */
static void validate_image(const struct ydoc_node *n, const char *what, const char *name,
			   struct diag_list *diags)
{
	const struct ydoc_node *image;

	if (!n || n->kind != YDOC_MAPPING || validate_has_expression(n))
		return;
	image = ydoc_map_get(n, "image");
	if (!image || (image->kind == YDOC_SCALAR && !image->u.scalar.len))
		wf_error(diags, n, "syntax-check", "%s%s%s%s needs an 'image'", what,
			       name ? " '" : "", name ? name : "", name ? "'" : "");
}

static void validate_containers(const struct wf_job *job, struct diag_list *diags)
{
	const struct ydoc_node *s = job->services;

	validate_image(job->container, "'container'", NULL, diags);
	if (!s || s->kind != YDOC_MAPPING)
		return;
	for (size_t i = 0; i < s->u.map.nr; i++)
		validate_image(s->u.map.pairs[i].value, "service", s->u.map.pairs[i].key->u.scalar.ptr,
			       diags);
}

/* `runs-on: {group: ...}`: a name, or "organization/name" / "enterprise/name". */
static void validate_runner_group(const struct wf_job *job, struct diag_list *diags)
{
	static const char *const prefixes[] = { "org", "organization", "ent", "enterprise" };
	const struct ydoc_node *g = ydoc_map_get(job->runs_on, "group");
	const char *name = wf_static_string(g), *slash;
	size_t plen;
	int known = 0;

	if (!name || !(slash = strchr(name, '/')))
		return;
	plen = (size_t)(slash - name);
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		known |= strlen(prefixes[i]) == plen && !strncmp(name, prefixes[i], plen);
	if (!known || strchr(slash + 1, '/'))
		wf_error(diags, g, "runs-on", "invalid runner group '%s': use 'organization/"
			       "NAME' or 'enterprise/NAME' to pick a single runner group", name);
	else if (!slash[1])
		wf_error(diags, g, "runs-on", "invalid runner group '%s': the group name is "
			       "missing", name);
}

/* Each key of a static `exclude:` entry must be a key of the matrix. */
static void validate_exclude(const struct ydoc_node *m, const struct ydoc_node *exclude,
			     struct diag_list *diags)
{
	struct strbuf keys = STRBUF_INIT;

	if (exclude->kind != YDOC_SEQUENCE || validate_has_expression(m))
		return;
	for (size_t i = 0; i < m->u.map.nr; i++) {
		const struct ydoc_node *key = m->u.map.pairs[i].key;

		if (!ydoc_scalar_is(key, "include") && !ydoc_scalar_is(key, "exclude"))
			strbuf_addf(&keys, "%s'%s'", keys.len ? ", " : "", key->u.scalar.ptr);
	}
	for (size_t i = 0; i < exclude->u.seq.nr; i++) {
		const struct ydoc_node *entry = exclude->u.seq.items[i];

		if (entry->kind != YDOC_MAPPING)
			continue;
		for (size_t k = 0; k < entry->u.map.nr; k++) {
			const struct ydoc_node *key = entry->u.map.pairs[k].key;
			const struct ydoc_node *v = ydoc_map_get(m, key->u.scalar.ptr);

			if (v && !ydoc_scalar_is(key, "include") && !ydoc_scalar_is(key, "exclude"))
				continue;
			wf_error(diags, key, "matrix",
				       "'%s' in 'exclude' is not a key of the matrix (%s%s)",
				       key->u.scalar.ptr, keys.len ? "its keys are " : "it has none",
				       keys.buf);
		}
	}
	strbuf_release(&keys);
}

static void validate_matrix(const struct wf_job *job, struct diag_list *diags)
{
	const struct ydoc_node *m = job->matrix;

	if (!m || m->kind != YDOC_MAPPING)
		return;
	for (size_t i = 0; i < m->u.map.nr; i++) {
		const struct ydoc_node *key = m->u.map.pairs[i].key;
		const struct ydoc_node *value = m->u.map.pairs[i].value;

		if (ydoc_scalar_is(key, "include"))
			continue;
		if (ydoc_scalar_is(key, "exclude"))
			validate_exclude(m, value, diags);
		else if (value->kind == YDOC_SEQUENCE && !value->u.seq.nr)
			wf_error(diags, value, "matrix", "matrix vector '%s' has no values",
				       key->u.scalar.ptr);
	}
}

void wf_validate(struct wf_workflow *wf, struct diag_list *diags)
{
	validate_jobs(wf, diags);
	for (size_t j = 0; j < wf->jobs_nr; j++) {
		wf_steps_validate(wf->jobs[j].steps, wf->jobs[j].steps_nr, diags);
		validate_matrix(&wf->jobs[j], diags);
		validate_containers(&wf->jobs[j], diags);
		validate_runner_group(&wf->jobs[j], diags);
	}
}
