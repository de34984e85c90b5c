/*
 * template: GitHub's template evaluation of workflow values. A string with
 * ${{ }} parts is interpolated; a string that is exactly one ${{ expr }}
 * yields the expression's own value (keeping its type); mappings and
 * sequences are evaluated member by member. Errors carry the file
 * position of the string and the column inside it.
 */
#ifndef PARSER_TEMPLATE_H
#define PARSER_TEMPLATE_H

#include "parser/expr.h"
#include "parser/ydoc.h"
#include "util/strbuf.h"
#include "util/value.h"

/*
 * Evaluate node (any YAML node) into *out, allocated in env->arena.
 * Returns 0, or -1 with "file:line:col: message" in err.
 */
int tmpl_eval(struct val *out, const struct ydoc_node *node, const struct expr_names *names,
	      const struct expr_env *env, struct strbuf *err);

/*
 * Interpolate a string value (plain text with ${{ }} parts) and append
 * the result to out. node gives the position for errors (may be NULL).
 */
int tmpl_eval_string(struct strbuf *out, const char *text, size_t len,
		     const struct ydoc_node *node, const struct expr_names *names,
		     const struct expr_env *env, struct strbuf *err);

/*
 * Evaluate an if: condition as GitHub does: the text is an expression
 * even without ${{ }}; a condition that calls no status function means
 * success() && (cond). Returns 1 (run), 0 (skip) or -1 with err.
 */
int tmpl_eval_if(const struct ydoc_node *node, const struct expr_names *names,
		 const struct expr_env *env, struct strbuf *err);

#endif
