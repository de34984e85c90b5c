/*
 * cmd_list: `slipway list [--json] [FILE|DIR...]` prints every job of every
 * workflow with its stage (how many waves of `needs` come before it), id,
 * name, workflow, file, events and needs, in columns as `act -l` does.
 * Invalid workflows are reported on stderr and left out (exit 1).
 */
#include "parser/workflow.h"
#include "runner/commands.h"
#include "runner/exitcode.h"
#include "runner/wfiles.h"
#include "util/json.h"
#include "util/options.h"
#include "util/strmap.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char list_usage[] = "slipway list [--json] [FILE|DIR...]";

enum list_column {
	LIST_STAGE,
	LIST_JOB_ID,
	LIST_JOB_NAME,
	LIST_WORKFLOW_NAME,
	LIST_WORKFLOW_FILE,
	LIST_EVENTS,
	LIST_NEEDS,
	LIST_COLUMNS,
};

static const char *const list_headers[LIST_COLUMNS] = {
	"Stage", "Job ID", "Job name", "Workflow name", "Workflow file", "Events", "Needs",
};

struct list_row {
	int stage;
	size_t order;                   /* the input order, to keep the sort stable */
	char *cells[LIST_COLUMNS];      /* malloc'd */
	struct val json;
};

struct list_state {
	struct list_row *rows;
	size_t nr, alloc;
	struct arena arena;             /* the JSON values */
};

/*
 * Stage of each job: 0 without needs, else one more than the highest stage
 * among its needs (Kahn's algorithm over the dependents of each job; the
 * workflow is valid, so acyclic).
 */
static void list_stages(const struct wf_workflow *wf, int *stage)
{
	size_t n = wf->jobs_nr, edges = 0, head = 0, tail = 0;
	size_t *pending = xcalloc(n + 1, sizeof(*pending));
	size_t *first = xcalloc(n + 2, sizeof(*first));    /* dependents of k: dep[first[k]..first[k+1]) */
	size_t *queue = xmalloc((n + 1) * sizeof(*queue));
	size_t *dep, *fill;
	struct strmap ids;

	strmap_init(&ids, 0);
	for (size_t j = 0; j < n; j++) {
		strmap_put(&ids, wf->jobs[j].id, (void *)&wf->jobs[j]);
		edges += wf->jobs[j].needs_nr;
	}
	dep = xmalloc((edges + 1) * sizeof(*dep));
	fill = xcalloc(n + 1, sizeof(*fill));
	for (int pass = 0; pass < 2; pass++) {
		for (size_t j = 0; j < n; j++)
			for (size_t i = 0; i < wf->jobs[j].needs_nr; i++) {
				struct strmap_entry *e = strmap_get(&ids, wf->jobs[j].needs[i].id);
				size_t k;

				if (!e)
					continue;
				k = (size_t)((const struct wf_job *)e->value - wf->jobs);
				if (pass == 0) {
					first[k + 1]++;
					pending[j]++;
				} else {
					dep[first[k] + fill[k]++] = j;
				}
			}
		for (size_t k = 0; pass == 0 && k < n; k++)
			first[k + 1] += first[k];
	}
	for (size_t j = 0; j < n; j++) {
		stage[j] = 0;
		if (!pending[j])
			queue[tail++] = j;
	}
	while (head < tail) {
		size_t k = queue[head++];

		for (size_t d = first[k]; d < first[k + 1]; d++) {
			size_t j = dep[d];

			if (stage[j] < stage[k] + 1)
				stage[j] = stage[k] + 1;
			if (--pending[j] == 0)
				queue[tail++] = j;
		}
	}
	strmap_release(&ids);
	free(pending);
	free(first);
	free(queue);
	free(dep);
	free(fill);
}

static char *list_join(const char *const *items, size_t nr, const char *sep)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < nr; i++)
		strbuf_addf(&sb, "%s%s", i ? sep : "", items[i]);
	return strbuf_detach(&sb, NULL);
}

static struct val list_string_array(struct arena *a, const char *const *items, size_t nr)
{
	struct val arr = val_new_array(a);

	for (size_t i = 0; i < nr; i++)
		val_array_push(a, arr, val_cstring(a, items[i]));
	return arr;
}

static void list_add_workflow(struct list_state *st, const char *path,
			      const struct wf_workflow *wf)
{
	struct arena *a = &st->arena;
	const char *slash = strrchr(path, '/');
	const char *wf_name = wf->name && wf->name->kind == YDOC_SCALAR ?
			      wf->name->u.scalar.ptr : path;
	const char **events = xmalloc((wf->events_nr + 1) * sizeof(*events));
	int *stage = xmalloc((wf->jobs_nr + 1) * sizeof(*stage));

	for (size_t i = 0; i < wf->events_nr; i++)
		events[i] = wf->events[i].name;
	list_stages(wf, stage);
	for (size_t j = 0; j < wf->jobs_nr; j++) {
		const struct wf_job *job = &wf->jobs[j];
		const char *name = job->name && job->name->kind == YDOC_SCALAR &&
				   job->name->u.scalar.len ? job->name->u.scalar.ptr : job->id;
		const char **needs = xmalloc((job->needs_nr + 1) * sizeof(*needs));
		struct list_row *row;
		struct val o = val_new_object(a);

		for (size_t i = 0; i < job->needs_nr; i++)
			needs[i] = job->needs[i].id;
		ALLOC_GROW(st->rows, st->nr + 1, st->alloc);
		row = &st->rows[st->nr];
		row->stage = stage[j];
		row->order = st->nr++;
		row->cells[LIST_STAGE] = xmalloc(16);
		snprintf(row->cells[LIST_STAGE], 16, "%d", stage[j]);
		row->cells[LIST_JOB_ID] = xstrdup(job->id);
		row->cells[LIST_JOB_NAME] = xstrdup(name);
		row->cells[LIST_WORKFLOW_NAME] = xstrdup(wf_name);
		row->cells[LIST_WORKFLOW_FILE] = xstrdup(slash ? slash + 1 : path);
		row->cells[LIST_EVENTS] = list_join(events, wf->events_nr, ",");
		row->cells[LIST_NEEDS] = list_join(needs, job->needs_nr, ",");
		val_object_setstr(a, o, "stage", val_number(stage[j]));
		val_object_setstr(a, o, "job_id", val_cstring(a, job->id));
		val_object_setstr(a, o, "job_name", val_cstring(a, name));
		val_object_setstr(a, o, "workflow_name", val_cstring(a, wf_name));
		val_object_setstr(a, o, "workflow_file", val_cstring(a, path));
		val_object_setstr(a, o, "events", list_string_array(a, events, wf->events_nr));
		val_object_setstr(a, o, "needs", list_string_array(a, needs, job->needs_nr));
		row->json = o;
		free(needs);
	}
	free(events);
	free(stage);
}

static int list_row_cmp(const void *x, const void *y)
{
	const struct list_row *a = x, *b = y;

	if (a->stage != b->stage)
		return a->stage < b->stage ? -1 : 1;
	return (a->order > b->order) - (a->order < b->order);
}

/* One row of cells, padded to the column widths, without trailing blanks. */
static void list_print_cells(char *const *cells, const size_t *width)
{
	struct strbuf line = STRBUF_INIT;

	for (int c = 0; c < LIST_COLUMNS; c++)
		strbuf_addf(&line, "%-*s  ", (int)width[c], cells[c]);
	strbuf_rtrim(&line);
	puts(line.buf);
	strbuf_release(&line);
}

static void list_print_table(const struct list_state *st)
{
	size_t width[LIST_COLUMNS];

	for (int c = 0; c < LIST_COLUMNS; c++)
		width[c] = strlen(list_headers[c]);
	for (size_t r = 0; r < st->nr; r++)
		for (int c = 0; c < LIST_COLUMNS; c++)
			if (strlen(st->rows[r].cells[c]) > width[c])
				width[c] = strlen(st->rows[r].cells[c]);
	list_print_cells((char *const *)list_headers, width);
	for (size_t r = 0; r < st->nr; r++)
		list_print_cells(st->rows[r].cells, width);
}

static void list_print_json(struct list_state *st)
{
	struct strbuf sb = STRBUF_INIT;
	struct val arr = val_new_array(&st->arena);

	for (size_t r = 0; r < st->nr; r++)
		val_array_push(&st->arena, arr, st->rows[r].json);
	json_write(&sb, arr, JSON_PRETTY);
	puts(sb.buf);
	strbuf_release(&sb);
}

int cmd_list(int argc, const char **argv)
{
	int as_json = 0, nr, invalid = 0;
	struct strbuf err = STRBUF_INIT;
	struct strlist files = STRLIST_INIT;
	struct list_state st = { NULL, 0, 0, ARENA_INIT };
	const struct option opts[] = {
		{ OPT_FLAG, 0, "json", &as_json, NULL, "print a JSON array, one object per job" },
		{ OPT_END },
	};

	nr = options_parse(argc, argv, opts, &err);
	if (nr == OPTIONS_HELP) {
		options_usage(stdout, list_usage, opts);
		return EXITCODE_OK;
	}
	if (nr < 0 || wfiles_collect(&files, argv, nr, &err) < 0) {
		fprintf(stderr, "slipway list: %s\n", err.buf);
		strbuf_release(&err);
		strlist_release(&files);
		return EXITCODE_USAGE;
	}
	for (size_t i = 0; i < files.nr; i++) {
		struct diag_list diags = DIAG_LIST_INIT;
		struct wf_workflow wf;

		if (wfiles_is_action(files.items[i]))
			continue;
		if (wf_load_file(&wf, files.items[i], &diags) < 0) {
			diag_list_print(stderr, &diags);
			invalid = 1;
		} else {
			list_add_workflow(&st, files.items[i], &wf);
		}
		wf_release(&wf);
		diag_list_release(&diags);
	}
	if (st.nr)
		qsort(st.rows, st.nr, sizeof(*st.rows), list_row_cmp);
	if (as_json)
		list_print_json(&st);
	else
		list_print_table(&st);
	for (size_t r = 0; r < st.nr; r++)
		for (int c = 0; c < LIST_COLUMNS; c++)
			free(st.rows[r].cells[c]);
	free(st.rows);
	arena_release(&st.arena);
	strlist_release(&files);
	strbuf_release(&err);
	return invalid ? EXITCODE_FAILED : EXITCODE_OK;
}
