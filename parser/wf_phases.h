/*
 * wf_phases: the steps of wf_load() that live in their own files, and the
 * small decoders they share. Internal to the parser.
 */
#ifndef PARSER_WF_PHASES_H
#define PARSER_WF_PHASES_H

#include "parser/workflow.h"
#include "util/diag.h"

/* Append an error at node n's position. */
void wf_error(struct diag_list *diags, const struct ydoc_node *n, const char *rule,
	      const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Decode `on:` into wf->events and check what GitHub checks there (events.c). */
void wf_events_decode(struct wf_workflow *wf, struct diag_list *diags);

/*
 * `outputs:` of workflow_call or of an action (name -> {description, value})
 * into *out / *nr (arena a). map may be NULL or not a mapping.
 */
void wf_outputs_decode(struct wf_output **out, size_t *nr, struct arena *a,
		       const struct ydoc_node *map);

/* The semantic rules: ids, needs, cycles, step ids, matrix (validate.c). */
void wf_validate(struct wf_workflow *wf, struct diag_list *diags);

/*
 * A string or a sequence of strings into *out (arena a); items that are
 * not plain scalars are skipped. n may be NULL.
 */
void wf_strings_decode(struct wf_strings *out, struct arena *a, const struct ydoc_node *n);

/*
 * Parse the `uses:` string n into *out (arena a); a malformed reference is
 * reported. job: n is a job's reusable-workflow reference (no docker://).
 * Returns 1 when *out was filled.
 */
int wf_uses_decode(struct wf_uses *out, struct arena *a, const struct ydoc_node *n, int job,
		   struct diag_list *diags);

/* Parse the steps' `uses:` and give every step its id (GitHub's generated ones too). */
void wf_steps_decode(struct wf_step *steps, size_t nr, struct arena *a, struct diag_list *diags);

/* Check the steps' own ids: format, reserved '__', duplicates (validate.c). */
void wf_steps_validate(const struct wf_step *steps, size_t nr, struct diag_list *diags);

struct action;

/*
 * The passes of one workflow after its YAML (errors: the error count
 * before the YAML was read): schema, decoders, rules, the workflows its
 * jobs call (when calls is not NULL), expressions; then diags[first..] is
 * tidied and the called workflows' own diagnostics follow (workflow.c).
 */
void wf_check(struct wf_workflow *wf, struct wf_calls *calls, struct diag_list *diags,
	      size_t first, size_t errors);

/* The registry of called workflows of one load (wf_reusable.c); opts must outlive the load. */
struct wf_calls *wf_calls_new(const struct wf_load_options *opts);
void wf_calls_free(struct wf_calls *calls);
/*
 * Load what wf's jobs call, recursively, and check each call: errors
 * about wf's calls go to diags, the called workflows' own to later. At
 * the top (wf is the workflow being loaded) also check permissions.
 */
void wf_calls_load(struct wf_calls *calls, struct wf_workflow *wf, struct diag_list *diags,
		   struct diag_list *later);

/*
 * Parse every ${{ }} and if: with what GitHub allows where it stands;
 * report what does not parse, and needs.<job>.outputs.<name> that a
 * called workflow lacks (wf_exprcheck.c).
 */
void wf_exprcheck(const struct wf_workflow *wf, struct diag_list *diags);
void wf_exprcheck_action(const struct action *act, struct diag_list *diags);

/* Sort diags[first..] by position (stably) and drop exact repeats (shared alias nodes). */
void wf_diags_tidy(struct diag_list *diags, size_t first);

/* 1 when id is a valid job/step id (^[A-Za-z_][A-Za-z0-9_-]*$, < 100 chars). */
int wf_id_is_valid(const char *id);

#endif
