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

/* One ${{ }} of a string: [start, end) is the text between the braces. */
struct tmpl_part {
	size_t open;            /* offset of "${{" */
	size_t start, end;      /* the expression text */
	size_t close;           /* offset just past "}}" */
};

/*
 * Find the first ${{ }} of s (len bytes) at or after pos. Returns 1 and
 * fills part, 0 when there is none, -1 when a ${{ is never closed (then
 * part->open says where it opens). Quotes inside the expression are
 * honoured, so '}}' in a string literal does not close it.
 */
int tmpl_next_part(const char *s, size_t len, size_t pos, struct tmpl_part *part);

enum tmpl_kind {
	TMPL_LITERAL,           /* no ${{ }}: the text as it is */
	TMPL_EXPRESSION,        /* an expression */
	TMPL_STRING,            /* only ${{ 'literal' }}: GitHub's escape for a string */
};

/*
 * GitHub's reading of a string that may hold ${{ }}: a string that is one
 * ${{ x }} is the expression x (trimmed); text mixed with expressions is
 * format('text{0}...', x, ...) with ' { } doubled in the text; a string
 * that is only ${{ 'lit' }} is the string lit. Appends the expression
 * (TMPL_EXPRESSION) or the string's value (TMPL_STRING) to out and
 * returns the enum tmpl_kind; TMPL_LITERAL leaves out alone. -1 when a
 * ${{ is not closed.
 */
int tmpl_to_expression(struct strbuf *out, const char *text, size_t len);

/*
 * Append GitHub's normalised form of an if: condition (node may be NULL):
 * "success()" when absent, null or empty; the condition as is when it calls a
 * status function or does not parse with names; otherwise
 * "success() && (condition)". The condition is the bare text (trimmed),
 * the expression of a ${{ }} value, or format(...) for mixed text.
 * scratch is reset to where it was. Returns 0, or -1 for a value that is
 * not a string or an unclosed ${{.
 */
int tmpl_if_normalize(struct strbuf *out, const struct ydoc_node *node,
		      const struct expr_names *names, struct arena *scratch);

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
