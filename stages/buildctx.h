/*
 * buildctx: what goes into an image build's context — the directory's
 * files less what its `.dockerignore` excludes, read as the docker CLI
 * reads it (moby's patternmatcher). Sending the context and building are
 * stages/imagebuild.c's.
 */
#ifndef STAGES_BUILDCTX_H
#define STAGES_BUILDCTX_H

#include <stddef.h>

#include "util/strbuf.h"
#include "util/strlist.h"

/*
 * Rules, one a line: blank lines and `#` comments are skipped, a leading
 * `!` re-includes, patterns are cleaned paths relative to the context
 * (a leading `/` is dropped) where `*` and `?` stay within a segment,
 * `[...]` is a class, `\` escapes and `**` spans segments. A path is
 * excluded when the last rule matching it, or one of its parent
 * directories, is not a `!` rule.
 */
struct buildctx_rules;

/* Parse rules; -1 with err naming the line of an invalid pattern. */
int buildctx_rules_parse(struct buildctx_rules **out, const char *text, size_t len,
			 struct strbuf *err);
void buildctx_rules_free(struct buildctx_rules *r);
/* Is rel (relative, '/'-separated) left out of the context? */
int buildctx_excluded(const struct buildctx_rules *r, const char *rel);

/*
 * The context below root as relative paths for util/tarball: every file
 * and symlink the rules of root/.dockerignore (if any) let through, plus
 * dockerfile (relative to root) and .dockerignore themselves, which the
 * engine reads whatever the rules say, as the docker CLI sends them.
 * Appended to out in walk order. -1 with err when root cannot be read.
 */
int buildctx_files(struct strlist *out, const char *root, const char *dockerfile,
		   struct strbuf *err);

#endif
