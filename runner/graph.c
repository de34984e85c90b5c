/*
 * graph: one plan, four drawings — text by level with edges, dot,
 * mermaid and JSON — from the same facts per job (level, needs, legs,
 * environment). What the facts are is runner/plan.c's business.
 */
#include "runner/graph.h"

#include <ctype.h>
#include <string.h>

#include "parser/template.h"
#include "runner/context.h"
#include "util/json.h"
#include "util/term.h"

static const char *const graph_formats[] = {
	[GRAPH_TEXT] = "text", [GRAPH_DOT] = "dot", [GRAPH_MERMAID] = "mermaid",
	[GRAPH_JSON] = "json",
};

int graph_format_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(graph_formats) / sizeof(graph_formats[0]); i++)
		if (!strcmp(name, graph_formats[i]))
			return (int)i;
	return -1;
}

/* What every drawing says about a job. */
struct graph_facts {
	const char *env;        /* environment name when known, or NULL */
	int dynamic_env;        /* the environment depends on needs */
	int protected_env;      /* .slipway.yml gates it */
	long legs;              /* -1: known when its needs are done */
};

static void graph_facts(struct run *run, struct plan_job *job, struct graph_facts *f)
{
	const struct ydoc_node *n = job->job->environment;
	struct arena *a = &run->plan.arena;
	struct strbuf err = STRBUF_INIT;
	struct val v, *name;

	memset(f, 0, sizeof(*f));
	f->legs = job->legs ? (long)job->legs_nr : -1;
	if (!n)
		return;
	if (!job->legs_nr || plan_refers_to_needs(n)) {
		f->dynamic_env = 1;
	} else {
		struct expr_names names = { plan_job_contexts, 0, NULL, 0 };
		struct expr_env env = { context_job_level(a, run, &job->legs[0]), EXPR_STATUS_SUCCESS,
					NULL, a };

		if (tmpl_eval(&v, n, &names, &env, &err) == 0) {
			name = v.kind == VAL_OBJECT ? val_object_getstr(v, "name") : &v;
			if (name && name->kind == VAL_STRING && name->u.string.len)
				f->env = name->u.string.ptr;
		}
	}
	if (f->env && run->config)
		f->protected_env = config_env_gated(config_env_find(run->config, f->env));
	strbuf_release(&err);
}

/* A job as the graph names it: its id, after its callers' ("call / build"). */
static void graph_name(struct strbuf *sb, const struct plan_job *job)
{
	if (job->caller) {
		graph_name(sb, job->caller);
		strbuf_addstr(sb, " / ");
	}
	strbuf_addstr(sb, job->job->id);
}

/*
 * The called jobs that end a call (none of the call's jobs needs them):
 * the caller ends after them. The others are inside the call.
 */
static int graph_call_exit(const struct plan_job *job)
{
	for (size_t d = 0; d < job->dependents_nr; d++)
		if (job->dependents[d]->caller == job->caller)
			return 0;
	return 1;
}

static void graph_label(struct strbuf *sb, const struct plan_job *job, const struct graph_facts *f)
{
	graph_name(sb, job);
	if (job->job->is_call)
		strbuf_addf(sb, " (calls %s)", job->job->uses_node->u.scalar.ptr);
	if (f->legs > 1 || (job->has_matrix && f->legs >= 0))
		strbuf_addf(sb, " [x%ld]", f->legs);
	else if (f->legs < 0 && job->has_matrix)
		strbuf_addstr(sb, " [matrix from needs]");
	if (f->env)
		strbuf_addf(sb, " (env %s%s)", f->env, f->protected_env ? ", protected" : "");
	else if (f->dynamic_env)
		strbuf_addstr(sb, " (env from needs)");
}

static void graph_text(FILE *out, struct run *run, int color)
{
	struct plan *p = &run->plan;
	struct strbuf label = STRBUF_INIT;

	for (size_t w = 0; w < p->wfs_nr; w++) {
		fprintf(out, "%s%s%s  %s\n", color ? TERM_BOLD : "", p->wfs[w]->display,
			color ? TERM_RESET : "", p->wfs[w]->path);
		for (int level = 0; level < p->levels; level++) {
			int shown = 0;

			for (size_t i = 0; i < p->jobs_nr; i++) {
				struct plan_job *job = p->jobs[i];
				struct graph_facts f;

				if (job->wf != p->wfs[w] || job->level != level)
					continue;
				if (!shown++)
					fprintf(out, "  %s %d %s\n", level ? "\xe2\x94\x9c" : "\xe2\x94\x8c",
						level + 1, "\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80");
				graph_facts(run, job, &f);
				strbuf_reset(&label);
				graph_label(&label, job, &f);
				fprintf(out, "  \xe2\x94\x82 %s%s%s", f.protected_env && color
					? TERM_RED : "", label.buf, f.protected_env && color
					? TERM_RESET : "");
				strbuf_reset(&label);
				for (size_t n = 0; n < job->needs_nr; n++) {
					strbuf_addstr(&label, n ? ", " : "  \xe2\x86\x90 ");
					graph_name(&label, job->needs[n]);
				}
				for (size_t c = 0, n = 0; c < job->callees_nr; c++) {
					if (!graph_call_exit(job->callees[c]))
						continue;
					strbuf_addstr(&label, n++ ? ", " : job->needs_nr ? ", "
						      : "  \xe2\x86\x90 ");
					graph_name(&label, job->callees[c]);
				}
				fprintf(out, "%s\n", label.buf);
			}
		}
		fprintf(out, "  \xe2\x94\x94\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\n");
	}
	if (!p->wfs_nr)
		fprintf(out, "no workflow is triggered by '%s'\n", run->event_name);
	strbuf_release(&label);
}

/* A Mermaid node id: the key with anything but letters and digits as '_'. */
static void graph_mermaid_id(struct strbuf *sb, const char *key)
{
	for (const char *c = key; *c; c++)
		strbuf_addch(sb, isalnum((unsigned char)*c) ? *c : '_');
}

static void graph_quoted(struct strbuf *sb, const char *s)
{
	strbuf_addch(sb, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			strbuf_addch(sb, '\\');
		strbuf_addch(sb, *s);
	}
	strbuf_addch(sb, '"');
}

static void graph_dot(FILE *out, struct run *run)
{
	struct plan *p = &run->plan;
	struct strbuf sb = STRBUF_INIT, label = STRBUF_INIT;

	strbuf_addstr(&sb, "digraph slipway {\n  rankdir=LR;\n  node [shape=box];\n");
	for (size_t w = 0; w < p->wfs_nr; w++) {
		strbuf_addf(&sb, "  subgraph cluster_%zu {\n    label=", w);
		graph_quoted(&sb, p->wfs[w]->display);
		strbuf_addstr(&sb, ";\n");
		for (size_t i = 0; i < p->jobs_nr; i++) {
			struct plan_job *job = p->jobs[i];
			struct graph_facts f;

			if (job->wf != p->wfs[w])
				continue;
			graph_facts(run, job, &f);
			strbuf_reset(&label);
			graph_label(&label, job, &f);
			strbuf_addstr(&sb, "    ");
			graph_quoted(&sb, job->key);
			strbuf_addstr(&sb, " [label=");
			graph_quoted(&sb, label.buf);
			strbuf_addstr(&sb, f.protected_env ? ", style=bold, color=red];\n" : "];\n");
		}
		strbuf_addstr(&sb, "  }\n");
	}
	for (size_t i = 0; i < p->jobs_nr; i++) {
		for (size_t n = 0; n < p->jobs[i]->needs_nr; n++) {
			strbuf_addstr(&sb, "  ");
			graph_quoted(&sb, p->jobs[i]->needs[n]->key);
			strbuf_addstr(&sb, " -> ");
			graph_quoted(&sb, p->jobs[i]->key);
			strbuf_addstr(&sb, ";\n");
		}
		for (size_t c = 0; c < p->jobs[i]->callees_nr; c++) {
			if (!graph_call_exit(p->jobs[i]->callees[c]))
				continue;
			strbuf_addstr(&sb, "  ");
			graph_quoted(&sb, p->jobs[i]->callees[c]->key);
			strbuf_addstr(&sb, " -> ");
			graph_quoted(&sb, p->jobs[i]->key);
			strbuf_addstr(&sb, " [style=dashed];\n");
		}
	}
	strbuf_addstr(&sb, "}\n");
	fwrite(sb.buf, 1, sb.len, out);
	strbuf_release(&sb);
	strbuf_release(&label);
}

static void graph_mermaid(FILE *out, struct run *run)
{
	struct plan *p = &run->plan;
	struct strbuf sb = STRBUF_INIT, label = STRBUF_INIT;

	strbuf_addstr(&sb, "flowchart LR\n");
	for (size_t i = 0; i < p->jobs_nr; i++) {
		struct plan_job *job = p->jobs[i];
		struct graph_facts f;

		graph_facts(run, job, &f);
		strbuf_reset(&label);
		graph_label(&label, job, &f);
		strbuf_addstr(&sb, "  ");
		graph_mermaid_id(&sb, job->key);
		strbuf_addstr(&sb, f.protected_env ? "{{" : "[");
		graph_quoted(&sb, label.buf);
		strbuf_addstr(&sb, f.protected_env ? "}}\n" : "]\n");
	}
	for (size_t i = 0; i < p->jobs_nr; i++) {
		for (size_t n = 0; n < p->jobs[i]->needs_nr; n++) {
			strbuf_addstr(&sb, "  ");
			graph_mermaid_id(&sb, p->jobs[i]->needs[n]->key);
			strbuf_addstr(&sb, " --> ");
			graph_mermaid_id(&sb, p->jobs[i]->key);
			strbuf_addch(&sb, '\n');
		}
		for (size_t c = 0; c < p->jobs[i]->callees_nr; c++) {
			if (!graph_call_exit(p->jobs[i]->callees[c]))
				continue;
			strbuf_addstr(&sb, "  ");
			graph_mermaid_id(&sb, p->jobs[i]->callees[c]->key);
			strbuf_addstr(&sb, " -.-> ");
			graph_mermaid_id(&sb, p->jobs[i]->key);
			strbuf_addch(&sb, '\n');
		}
	}
	fwrite(sb.buf, 1, sb.len, out);
	strbuf_release(&sb);
	strbuf_release(&label);
}

static void graph_json(FILE *out, struct run *run)
{
	struct plan *p = &run->plan;
	struct arena *a = &p->arena;
	struct val root = val_new_object(a), wfs = val_new_array(a);
	struct strbuf sb = STRBUF_INIT;

	for (size_t w = 0; w < p->wfs_nr; w++) {
		struct val wf = val_new_object(a), jobs = val_new_array(a);

		val_object_setstr(a, wf, "file", val_cstring(a, p->wfs[w]->path));
		val_object_setstr(a, wf, "name", val_cstring(a, p->wfs[w]->name));
		for (size_t i = 0; i < p->jobs_nr; i++) {
			struct plan_job *job = p->jobs[i];
			struct val j = val_new_object(a), needs = val_new_array(a);
			struct graph_facts f;

			if (job->wf != p->wfs[w])
				continue;
			graph_facts(run, job, &f);
			val_object_setstr(a, j, "key", val_cstring(a, job->key));
			val_object_setstr(a, j, "id", val_cstring(a, job->job->id));
			val_object_setstr(a, j, "level", val_number(job->level + 1));
			for (size_t n = 0; n < job->needs_nr; n++)
				val_array_push(a, needs, val_cstring(a, job->needs[n]->key));
			val_object_setstr(a, j, "needs", needs);
			val_object_setstr(a, j, "caller", job->caller ? val_cstring(a, job->caller->key)
					  : val_null());
			needs = val_new_array(a);
			for (size_t c = 0; c < job->callees_nr; c++)
				val_array_push(a, needs, val_cstring(a, job->callees[c]->key));
			val_object_setstr(a, j, "calls", needs);
			val_object_setstr(a, j, "legs", f.legs < 0 ? val_null()
					  : val_number((double)f.legs));
			val_object_setstr(a, j, "environment", f.env ? val_cstring(a, f.env)
					  : val_null());
			val_object_setstr(a, j, "protected", val_bool(f.protected_env));
			val_array_push(a, jobs, j);
		}
		val_object_setstr(a, wf, "jobs", jobs);
		val_array_push(a, wfs, wf);
	}
	val_object_setstr(a, root, "event", val_cstring(a, run->event_name));
	val_object_setstr(a, root, "levels", val_number(p->levels));
	val_object_setstr(a, root, "workflows", wfs);
	json_write(&sb, root, JSON_PRETTY);
	strbuf_addch(&sb, '\n');
	fwrite(sb.buf, 1, sb.len, out);
	strbuf_release(&sb);
}

void graph_print(FILE *out, struct run *run, enum graph_format f, int color)
{
	static void (*const draw[])(FILE *out, struct run *run) = {
		[GRAPH_DOT] = graph_dot, [GRAPH_MERMAID] = graph_mermaid, [GRAPH_JSON] = graph_json,
	};

	if (f == GRAPH_TEXT)
		graph_text(out, run, color);
	else
		draw[f](out, run);
}
