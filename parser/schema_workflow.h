/*
 * schema_workflow: the table of GitHub's workflow syntax (`on`, `jobs`,
 * steps, containers, permissions ...) for parser/schema's walker, and the
 * hooks that create a wf_job per job and a wf_step per step while it
 * walks. Internal to the parser: the loader (workflow.c) is its user.
 */
#ifndef PARSER_SCHEMA_WORKFLOW_H
#define PARSER_SCHEMA_WORKFLOW_H

#include "parser/schema.h"

/* The root of a workflow file; the model object is a struct wf_workflow. */
extern const struct schema_def wf_schema_workflow;

/* Every event name GitHub accepts in `on:` (NULL-terminated). */
extern const char *const wf_event_names[];

#endif
