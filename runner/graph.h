/*
 * graph: the DAG of a plan drawn for people (jobs by level, `needs`
 * edges, matrix counts, protected environments marked) or for tools
 * (Graphviz dot, Mermaid, JSON). It reads a built plan; it runs nothing.
 */
#ifndef RUNNER_GRAPH_H
#define RUNNER_GRAPH_H

#include <stdio.h>

#include "runner/run.h"

enum graph_format {
	GRAPH_TEXT,
	GRAPH_DOT,
	GRAPH_MERMAID,
	GRAPH_JSON,
};

/* The format called name ("text", "dot", "mermaid", "json"), or -1. */
int graph_format_parse(const char *name);

/* Draw run's plan (prepared, not run) to out; color for the text form. */
void graph_print(FILE *out, struct run *run, enum graph_format f, int color);

#endif
