/*
 * uses: the parsed form of a `uses:` reference — a step's action
 * (`actions/checkout@v4`, `./path`, `docker://image`) or a job's reusable
 * workflow (`owner/repo/.github/workflows/x.yml@ref`, `./.github/...`).
 * It parses text; it does not fetch or resolve anything.
 */
#ifndef PARSER_USES_H
#define PARSER_USES_H

#include "util/arena.h"
#include "util/strbuf.h"

enum wf_uses_kind {
	WF_USES_REMOTE,     /* owner/repo[/path]@ref */
	WF_USES_LOCAL,      /* ./path (or .\path, or $/path: the same repository) */
	WF_USES_DOCKER,     /* docker://image */
};

struct wf_uses {
	enum wf_uses_kind kind;
	const char *owner;      /* REMOTE only, else NULL */
	const char *repo;       /* REMOTE only, else NULL */
	const char *path;       /* REMOTE: path inside the repository ("" for its root);
				   LOCAL: the path without "./"; DOCKER: the image */
	const char *ref;        /* REMOTE only: tag, branch or SHA */
};

/*
 * Parse text into *out (strings allocated in a). Returns 0, or -1 with
 * "expected 'owner/repo[/path]@ref', './path' or 'docker://image'"-style
 * detail in err (err is left alone on success).
 */
int wf_uses_parse(struct wf_uses *out, struct arena *a, const char *text, struct strbuf *err);

/*
 * Append the text GitHub derives a step id from: "owner/repo" for REMOTE,
 * "self" for LOCAL, the image for DOCKER (the caller sanitises it).
 */
void wf_uses_id_seed(struct strbuf *out, const struct wf_uses *u);

#endif
