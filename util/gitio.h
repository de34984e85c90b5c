/*
 * gitio: the git work of actions and checkouts, through libgit2 — fetch a
 * repository's ref from a URL and write its tree into a directory, write
 * a local repository's commit into one, and give a directory a .git that
 * borrows a local repository's objects. Domain-free: it knows refs and
 * trees, not actions or workflows. Every call blocks (network, disk).
 */
#ifndef UTIL_GITIO_H
#define UTIL_GITIO_H

#include "util/strbuf.h"

enum gitio_ref_kind {
	GITIO_BRANCH,
	GITIO_TAG,
	GITIO_COMMIT,           /* a commit id (full or abbreviated) */
};

/* What a ref turned out to be. */
struct gitio_ref {
	enum gitio_ref_kind kind;
	char sha[41];           /* the commit, 40 hex */
};

/* "branch", "tag", "commit". */
const char *gitio_ref_kind_name(enum gitio_ref_kind kind);

/*
 * Fetch the branches and tags of the repository at url (file://, https://
 * or a local path) into a temporary bare repository under tmp_base and
 * write the tree of ref (a tag, a branch, or a commit id, tried in that
 * order as GitHub resolves action refs) into dst, which must not exist
 * (it is created; on failure nothing is left there). *out says what ref
 * was. Returns 0, or -1 with err ("cannot fetch 'URL': ...", "no branch,
 * tag or commit 'v9' in 'URL'").
 */
int gitio_fetch_tree(const char *url, const char *ref, const char *dst, const char *tmp_base,
		     struct gitio_ref *out, struct strbuf *err);

/*
 * Resolve rev (a branch, tag, commit id, or anything git rev-parse reads)
 * in the local repository around repo_dir into *out. Returns 0, or -1
 * with err.
 */
int gitio_resolve(const char *repo_dir, const char *rev, struct gitio_ref *out,
		  struct strbuf *err);

/*
 * Write the tree of commit sha of the local repository around repo_dir
 * into the existing directory dst (files are overwritten; others are
 * left). Returns 0, or -1 with err.
 */
int gitio_write_tree(const char *repo_dir, const char *sha, const char *dst, struct strbuf *err);

/*
 * Make dir a git working tree of commit sha of the local repository
 * around repo_dir without copying objects: dir/.git borrows them
 * (objects/info/alternates, as `git clone --shared`), HEAD names branch
 * (e.g. "main"; NULL or "": detached at sha), and the index is the
 * commit's tree, so `git status` shows what dir changes against the
 * commit. An existing dir/.git is replaced. Returns 0, or -1 with err.
 */
int gitio_link_worktree(const char *repo_dir, const char *sha, const char *branch,
			const char *dir, struct strbuf *err);

#endif
