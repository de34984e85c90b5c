/*
 * matrix: GitHub's expansion of an evaluated `strategy.matrix` into legs
 * (product in key order, exclude, include, the 256-leg limit) and --matrix
 * narrowing. Evaluating the YAML, and when, is runner/plan.c's job.
 */
#ifndef RUNNER_MATRIX_H
#define RUNNER_MATRIX_H

#include <stddef.h>

#include "util/arena.h"
#include "util/strbuf.h"
#include "util/strlist.h"
#include "util/value.h"

/* GitHub's limit on the legs of one matrix. */
#define MATRIX_MAX_LEGS 256

/*
 * Expand matrix m (an object of vectors plus optional include/exclude)
 * into *out: an array of objects, one per leg, in GitHub's order,
 * allocated in a (values are shared with m). GitHub's rules:
 *   - the vectors' product, the first key varying slowest;
 *   - an `exclude` entry removes every combination that has all of its
 *     key/value pairs (values compared deeply);
 *   - each `include` entry is merged into every combination whose
 *     original (vector) values it does not contradict, overwriting only
 *     values added by earlier includes; an entry merged into none is
 *     appended as a combination of its own;
 *   - an include-only matrix is its include entries.
 * Returns 0, or -1 with a message in err: a vector that is not a sequence
 * or is empty, include/exclude entries that are not mappings, no
 * combination left, more than MATRIX_MAX_LEGS.
 */
int matrix_expand(struct val *out, struct arena *a, struct val m, struct strbuf *err);

/*
 * Keep the legs (array of objects) that pass every filter "KEY:VALUE"
 * (from --matrix): a leg with KEY passes when its value, as a string,
 * equals one of the VALUEs given for KEY; a leg without KEY passes.
 * Filters are applied in place. Returns 0, or -1 with err for a filter
 * without ':'.
 */
int matrix_narrow(struct val legs, const struct strlist *filters, struct strbuf *err);

/*
 * Append the leg's values as GitHub shows them after a job's name:
 * "v1, v2" in key order (strings as they are, others as JSON; null and
 * empty strings left out, so nothing may be appended).
 */
void matrix_format_values(struct strbuf *out, struct val leg);

#endif
