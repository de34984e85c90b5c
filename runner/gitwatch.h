/*
 * gitwatch: what the daemon asks of a watched repository through libgit2
 * (the only file that includes git2.h): its branch heads, one ref's
 * commit, and a checkout of one commit's tree into a fresh directory,
 * never touching the repository's own work tree or index. Every call
 * blocks: the daemon runs them in a forked child, off its event loop.
 */
#ifndef RUNNER_GITWATCH_H
#define RUNNER_GITWATCH_H

#include "util/strbuf.h"
#include "util/strlist.h"

/*
 * Append "<40-hex sha> refs/heads/<name>" for every local branch of the
 * repository at path (bare or not) to out. Returns 0, or -1 with err.
 */
int gitwatch_heads(struct strlist *out, const char *path, struct strbuf *err);

/* Set sha to the commit ref ("refs/heads/main", "main", a sha) names. */
int gitwatch_resolve(struct strbuf *sha, const char *path, const char *ref, struct strbuf *err);

/*
 * Read file (a path in the tree, e.g. ".slipway.yml") as committed at rev
 * ("HEAD": the default branch) into out: 1, 0 when the file or rev is not
 * there, -1 with err on other errors. Files over max bytes fail.
 */
int gitwatch_read_file(struct strbuf *out, const char *path, const char *rev, const char *file,
		       size_t max, struct strbuf *err);

/*
 * Make dir (created; it must not exist or be empty) a git work tree of
 * commit sha on branch ref ("refs/heads/main"): a repository of its own
 * that borrows the watched one's objects (objects/info/alternates, as
 * `git clone --shared`), with ref at sha, HEAD on ref, origin pointing at
 * path, and the files checked out. A run sees a real repository (HEAD,
 * parents, changed paths) while the watched one is never written.
 * Returns 0, or -1 with err (e.g. "commit 'abc…' is not in repository
 * '/srv/app.git'").
 */
int gitwatch_checkout(const char *path, const char *ref, const char *sha, const char *dir,
		      struct strbuf *err);

#endif
