/*
 * repo: the repository a run starts from, read once through libgit2 before
 * anything runs: root, branch, HEAD, the paths a push or pull request
 * changes, GitHub-shaped default payloads, and the working-tree snapshot.
 * A plain directory is a repository without commits.
 */
#ifndef RUNNER_REPO_H
#define RUNNER_REPO_H

#include "util/arena.h"
#include "util/strbuf.h"
#include "util/strlist.h"
#include "util/value.h"

/* Every string is heap-owned by the struct (repo_release frees them); NULL when unknown. */
struct repo {
	char *root;             /* absolute working-tree root (or the plain directory) */
	int is_git;
	char *ref;              /* "refs/heads/main", "refs/tags/v1"; NULL: detached or unborn */
	char *sha;              /* HEAD, 40 hex; NULL for an unborn branch or no git */
	char *parent_sha;       /* HEAD's first parent */
	char *branch;           /* the checked-out branch's short name (unborn too) */
	char *default_branch;   /* origin's HEAD branch, else "main" or "master" when present */
	char *owner, *name;     /* from origin's URL ("owner/name"), else "local" and the directory */
	char *message;          /* HEAD's commit message */
	char *author_name, *author_email;
	long long commit_time;  /* seconds since the epoch, 0 without a commit */
	/*
	 * What changed, for `paths:` filters ('/'-separated, relative to the
	 * root, sorted, unique): the files HEAD changed against its first
	 * parent (all of HEAD's files for a root commit) plus every
	 * uncommitted change (staged, unstaged, untracked not ignored) —
	 * what the user is about to push.
	 */
	struct strlist changed;
	/* For pull_request: HEAD against its merge base with the default branch, plus the same. */
	struct strlist changed_pr;
	char *exclude;          /* ignored besides .gitignore: the state directory, relative */
};

/*
 * Open the repository around dir (or dir itself when it is in none).
 * ".slipway" at the root, and the directory state (absolute; may be NULL)
 * when it lies inside, count as ignored: runs never see their own state
 * as a change or copy it. Returns 0, or -1 with a message in err (dir
 * missing, a broken repository).
 */
int repo_open(struct repo *r, const char *dir, const char *state, struct strbuf *err);
void repo_release(struct repo *r);

/*
 * Copy the working tree as the user has it into dst (created): tracked
 * files as they are on disk (uncommitted changes included, deleted ones
 * left out) and untracked files git does not ignore; no .git, nothing
 * repo_open counts as ignored. Without git, the whole directory but
 * those. Returns 0, or -1 with err.
 */
int repo_snapshot(const struct repo *r, const char *dst, struct strbuf *err);

/*
 * The payload GitHub would send for event (push, pull_request,
 * workflow_dispatch; other events get repository and sender only), for
 * ref and sha (either may be NULL), allocated in a.
 */
struct val repo_event_payload(struct arena *a, const struct repo *r, const char *event,
			      const char *ref, const char *sha);


#endif
