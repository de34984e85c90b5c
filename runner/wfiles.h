/*
 * wfiles: which files `validate` and `list` read — the FILE and DIR
 * arguments (a directory gives its *.yml and *.yaml files, sorted), or,
 * without arguments, the .github/workflows of the git repository around
 * the current directory. It finds files; it does not parse them.
 */
#ifndef RUNNER_WFILES_H
#define RUNNER_WFILES_H

#include "util/strbuf.h"
#include "util/strlist.h"

/*
 * Append the files named by paths[0..nr) to out (nr == 0: the repository's
 * workflows). Returns 0, or -1 with the reason in err for a path that does
 * not exist or cannot be read, or when no repository is found.
 */
int wfiles_collect(struct strlist *out, const char **paths, int nr, struct strbuf *err);

/*
 * The directory a workflow's './' references are relative to: P for a
 * file P/.github/workflows/F ("." when P is empty), appended to out.
 * Returns 1, or 0 (out untouched) when path is not in such a folder.
 */
int wfiles_repo_root(struct strbuf *out, const char *path);

/* 1 when the file name of path is action.yml or action.yaml. */
int wfiles_is_action(const char *path);

#endif
