/*
 * repo: the run's repository through libgit2 (the only file that includes
 * git2.h): HEAD, branch, origin, changed paths, the working-tree snapshot
 * and GitHub-shaped default event payloads. Which workflows an event
 * selects is runner/event.c's business.
 */
#include "runner/repo.h"

#include <errno.h>
#include <git2.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/fs.h"
#include "util/xalloc.h"

static void repo_git_error(struct strbuf *err, const char *what)
{
	const git_error *e = git_error_last();

	strbuf_addf(err, "%s: %s", what, e && e->message ? e->message : "unknown libgit2 error");
}

static char *repo_oid_hex(const git_oid *oid)
{
	char buf[GIT_OID_HEXSZ + 1];

	git_oid_tostr(buf, sizeof(buf), oid);
	return xstrdup(buf);
}

/* "owner/name" from a remote URL: the last two components, ".git" dropped. */
static void repo_names_from_url(struct repo *r, const char *url)
{
	size_t len = strlen(url);
	const char *end, *slash, *prev;

	while (len && url[len - 1] == '/')
		len--;
	if (len > 4 && !strncmp(url + len - 4, ".git", 4))
		len -= 4;
	end = url + len;
	for (slash = end; slash > url && slash[-1] != '/' && slash[-1] != ':'; slash--)
		;
	if (slash == end)
		return;
	r->name = xstrndup(slash, (size_t)(end - slash));
	if (slash <= url + 1)
		return;
	for (prev = slash - 1; prev > url && prev[-1] != '/' && prev[-1] != ':'; prev--)
		;
	if (prev < slash - 1)
		r->owner = xstrndup(prev, (size_t)(slash - 1 - prev));
}

static void repo_read_origin(struct repo *r, git_repository *g)
{
	git_remote *remote = NULL;
	git_reference *head = NULL;
	static const char *const candidates[] = { "main", "master" };

	if (!git_remote_lookup(&remote, g, "origin") && git_remote_url(remote))
		repo_names_from_url(r, git_remote_url(remote));
	git_remote_free(remote);
	if (!git_reference_lookup(&head, g, "refs/remotes/origin/HEAD") &&
	    git_reference_type(head) == GIT_REFERENCE_SYMBOLIC) {
		const char *t = git_reference_symbolic_target(head);
		static const char prefix[] = "refs/remotes/origin/";

		if (!strncmp(t, prefix, sizeof(prefix) - 1))
			r->default_branch = xstrdup(t + sizeof(prefix) - 1);
	}
	git_reference_free(head);
	for (size_t i = 0; !r->default_branch && i < sizeof(candidates) / sizeof(*candidates); i++) {
		git_reference *ref = NULL;
		char name[64];

		snprintf(name, sizeof(name), "refs/heads/%s", candidates[i]);
		if (!git_reference_lookup(&ref, g, name))
			r->default_branch = xstrdup(candidates[i]);
		git_reference_free(ref);
	}
}

static int repo_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sort l and drop repeats. */
static void repo_sort_unique(struct strlist *l)
{
	size_t keep = 0;

	if (!l->nr)
		return;
	qsort(l->items, l->nr, sizeof(*l->items), repo_cmp_str);
	for (size_t i = 0; i < l->nr; i++) {
		if (keep && !strcmp(l->items[keep - 1], l->items[i])) {
			free(l->items[i]);
			continue;
		}
		l->items[keep++] = l->items[i];
	}
	l->nr = keep;
	l->items[keep] = NULL;
}

static void repo_add_diff(struct strlist *out, git_diff *diff)
{
	for (size_t i = 0; i < git_diff_num_deltas(diff); i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);

		if (d->new_file.path)
			strlist_push(out, d->new_file.path);
		if (d->old_file.path && (!d->new_file.path ||
					 strcmp(d->old_file.path, d->new_file.path)))
			strlist_push(out, d->old_file.path);
	}
}

/* Paths changed between commits from (NULL: the empty tree) and to. */
static int repo_diff_commits(struct strlist *out, git_repository *g, const git_oid *from,
			     const git_oid *to)
{
	git_commit *a = NULL, *b = NULL;
	git_tree *ta = NULL, *tb = NULL;
	git_diff *diff = NULL;
	int ret = -1;

	if ((from && (git_commit_lookup(&a, g, from) || git_commit_tree(&ta, a))) ||
	    git_commit_lookup(&b, g, to) || git_commit_tree(&tb, b) ||
	    git_diff_tree_to_tree(&diff, g, ta, tb, NULL))
		goto out;
	repo_add_diff(out, diff);
	ret = 0;
out:
	git_diff_free(diff);
	git_tree_free(ta);
	git_tree_free(tb);
	git_commit_free(a);
	git_commit_free(b);
	return ret;
}

/* Uncommitted changes (staged, unstaged, untracked not ignored), or only the untracked files. */
static int repo_status_paths(struct strlist *out, git_repository *g, int untracked_only)
{
	git_status_options opts = GIT_STATUS_OPTIONS_INIT;
	git_status_list *st = NULL;

	opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
	opts.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS;
	if (git_status_list_new(&st, g, &opts))
		return -1;
	for (size_t i = 0; i < git_status_list_entrycount(st); i++) {
		const git_status_entry *e = git_status_byindex(st, i);

		if (untracked_only) {
			if (e->status & GIT_STATUS_WT_NEW)
				strlist_push(out, e->index_to_workdir->new_file.path);
			continue;
		}
		if (e->head_to_index)
			strlist_push(out, e->head_to_index->new_file.path);
		if (e->index_to_workdir)
			strlist_push(out, e->index_to_workdir->new_file.path);
	}
	git_status_list_free(st);
	return 0;
}

static void repo_read_head(struct repo *r, git_repository *g, git_oid *head_oid, int *have_head)
{
	git_reference *head = NULL;
	git_commit *commit = NULL;
	int rc = git_repository_head(&head, g);

	*have_head = 0;
	if (rc == GIT_EUNBORNBRANCH) {
		git_reference *sym = NULL;

		if (!git_reference_lookup(&sym, g, "HEAD") &&
		    git_reference_type(sym) == GIT_REFERENCE_SYMBOLIC)
			r->ref = xstrdup(git_reference_symbolic_target(sym));
		git_reference_free(sym);
	} else if (!rc) {
		if (!git_repository_head_detached(g))
			r->ref = xstrdup(git_reference_name(head));
		if (!git_reference_peel((git_object **)&commit, head, GIT_OBJECT_COMMIT)) {
			const git_signature *author = git_commit_author(commit);

			git_oid_cpy(head_oid, git_commit_id(commit));
			*have_head = 1;
			r->sha = repo_oid_hex(head_oid);
			if (git_commit_parentcount(commit))
				r->parent_sha = repo_oid_hex(git_commit_parent_id(commit, 0));
			r->message = xstrdup(git_commit_message(commit) ? git_commit_message(commit) : "");
			r->author_name = xstrdup(author && author->name ? author->name : "");
			r->author_email = xstrdup(author && author->email ? author->email : "");
			r->commit_time = author ? (long long)author->when.time : 0;
		}
	}
	if (r->ref && !strncmp(r->ref, "refs/heads/", 11))
		r->branch = xstrdup(r->ref + 11);
	git_commit_free(commit);
	git_reference_free(head);
}

static void repo_read_changes(struct repo *r, git_repository *g, const git_oid *head,
			      int have_head)
{
	git_oid parent;

	if (have_head) {
		int has_parent = r->parent_sha && !git_oid_fromstr(&parent, r->parent_sha);

		repo_diff_commits(&r->changed, g, has_parent ? &parent : NULL, head);
	}
	repo_status_paths(&r->changed, g, 0);
	if (have_head && r->default_branch) {
		git_reference *base = NULL;
		git_oid base_oid, mb;
		char name[PATH_MAX];

		snprintf(name, sizeof(name), "refs/heads/%s", r->default_branch);
		if (!git_reference_name_to_id(&base_oid, g, name) &&
		    !git_merge_base(&mb, g, head, &base_oid) && git_oid_cmp(&mb, head))
			repo_diff_commits(&r->changed_pr, g, &mb, head);
		else
			repo_diff_commits(&r->changed_pr, g, r->parent_sha &&
					  !git_oid_fromstr(&parent, r->parent_sha) ? &parent : NULL,
					  head);
		git_reference_free(base);
	}
	repo_status_paths(&r->changed_pr, g, 0);
	repo_sort_unique(&r->changed);
	repo_sort_unique(&r->changed_pr);
}

/* The state directory relative to the root, when it lies inside. */
static void repo_set_exclude(struct repo *r, const char *state)
{
	size_t n = strlen(r->root);

	if (state && !strncmp(state, r->root, n) && state[n] == '/' && state[n + 1])
		r->exclude = xstrdup(state + n + 1);
}

static const char *repo_basename(const char *path)
{
	const char *s = strrchr(path, '/');

	return s && s[1] ? s + 1 : path;
}

/* The ignore rules for what runs write into the working tree. */
static void repo_add_ignores(const struct repo *r, git_repository *g)
{
	struct strbuf rules = STRBUF_INIT;

	strbuf_addstr(&rules, "/.slipway/\n");
	if (r->exclude)
		strbuf_addf(&rules, "/%s/\n", r->exclude);
	git_ignore_add_rule(g, rules.buf);
	strbuf_release(&rules);
}

int repo_open(struct repo *r, const char *dir, const char *state, struct strbuf *err)
{
	git_repository *g = NULL;
	char *abs = realpath(dir, NULL);
	git_oid head;
	int have_head = 0, rc;

	memset(r, 0, sizeof(*r));
	strlist_init(&r->changed);
	strlist_init(&r->changed_pr);
	if (!abs) {
		strbuf_addf(err, "cannot open '%s': %s", dir, strerror(errno));
		return -1;
	}
	git_libgit2_init();
	rc = git_repository_open_ext(&g, abs, 0, NULL);
	if (rc == GIT_ENOTFOUND) {
		r->root = abs;
		repo_set_exclude(r, state);
		r->owner = xstrdup("local");
		r->name = xstrdup(repo_basename(abs));
		r->default_branch = xstrdup("main");
		return 0;
	}
	free(abs);
	if (rc) {
		repo_git_error(err, "cannot open the repository");
		return -1;
	}
	if (!git_repository_workdir(g)) {
		strbuf_addf(err, "'%s' is a bare repository: there is no working tree to run",
			    git_repository_path(g));
		git_repository_free(g);
		return -1;
	}
	r->is_git = 1;
	r->root = xstrdup(git_repository_workdir(g));
	if (strlen(r->root) > 1 && r->root[strlen(r->root) - 1] == '/')
		r->root[strlen(r->root) - 1] = '\0';
	repo_set_exclude(r, state);
	repo_add_ignores(r, g);
	repo_read_origin(r, g);
	if (!r->name)
		r->name = xstrdup(repo_basename(r->root));
	if (!r->owner)
		r->owner = xstrdup("local");
	if (!r->default_branch)
		r->default_branch = xstrdup("main");
	repo_read_head(r, g, &head, &have_head);
	repo_read_changes(r, g, &head, have_head);
	git_repository_free(g);
	return 0;
}

void repo_release(struct repo *r)
{
	char **strs[] = { &r->root, &r->ref, &r->sha, &r->parent_sha, &r->branch,
			  &r->default_branch, &r->owner, &r->name, &r->message,
			  &r->author_name, &r->author_email, &r->exclude };

	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		free(*strs[i]);
		*strs[i] = NULL;
	}
	if (r->is_git)
		git_libgit2_shutdown();
	strlist_release(&r->changed);
	strlist_release(&r->changed_pr);
	r->is_git = 0;
}

/* ---------------------------------------------------------------- snapshot */

struct repo_copy {
	const struct repo *r;
	const char *root, *dst;
	const char *exclude_rel;        /* the excluded directory relative to root, or NULL */
	struct strbuf src, to, lastdir;
};

static int repo_excluded(const struct repo_copy *c, const char *rel)
{
	static const char *const always[] = { ".git", ".slipway" };

	for (size_t i = 0; i < sizeof(always) / sizeof(always[0]); i++) {
		size_t n = strlen(always[i]);

		if (!strncmp(rel, always[i], n) && (rel[n] == '/' || !rel[n]))
			return 1;
	}
	if (c->exclude_rel) {
		size_t n = strlen(c->exclude_rel);

		if (!strncmp(rel, c->exclude_rel, n) && (rel[n] == '/' || !rel[n]))
			return 1;
	}
	return 0;
}

static int repo_filter(const char *rel, const struct stat *st, void *data)
{
	(void)st;
	return !repo_excluded(data, rel);
}

/* Copy root/rel to dst/rel when it exists on disk. */
static int repo_copy_one(struct repo_copy *c, const char *rel, struct strbuf *err)
{
	struct stat st;
	const char *slash = strrchr(rel, '/');

	if (repo_excluded(c, rel))
		return 0;
	strbuf_reset(&c->src);
	fs_path_join(&c->src, c->root, rel);
	if (lstat(c->src.buf, &st) < 0)
		return 0;
	strbuf_reset(&c->to);
	fs_path_join(&c->to, c->dst, rel);
	if (slash) {
		size_t dlen = (size_t)(slash - rel);

		if (c->lastdir.len != dlen || strncmp(c->lastdir.buf, rel, dlen)) {
			struct strbuf dir = STRBUF_INIT;
			int ret;

			strbuf_reset(&c->lastdir);
			strbuf_add(&c->lastdir, rel, dlen);
			fs_path_join(&dir, c->dst, c->lastdir.buf);
			ret = fs_mkdir_p(dir.buf, 0755, err);
			strbuf_release(&dir);
			if (ret < 0)
				return -1;
		}
	}
	if (S_ISDIR(st.st_mode))
		return fs_copy_tree(c->to.buf, c->src.buf, repo_filter, c, err);
	return fs_copy_tree(c->to.buf, c->src.buf, NULL, NULL, err);
}

static int repo_snapshot_git(struct repo_copy *c, struct strbuf *err)
{
	git_repository *g = NULL;
	git_index *idx = NULL;
	struct strlist untracked = STRLIST_INIT;
	int ret = -1;

	if (git_repository_open(&g, c->root) || git_repository_index(&idx, g)) {
		repo_git_error(err, "cannot read the repository's index");
		goto out;
	}
	for (size_t i = 0; i < git_index_entrycount(idx); i++) {
		const git_index_entry *e = git_index_get_byindex(idx, i);

		if (git_index_entry_stage(e) > 1)
			continue;
		if (repo_copy_one(c, e->path, err) < 0)
			goto out;
	}
	repo_add_ignores(c->r, g);
	if (repo_status_paths(&untracked, g, 1) < 0) {
		repo_git_error(err, "cannot read the repository's status");
		goto out;
	}
	for (size_t i = 0; i < untracked.nr; i++)
		if (repo_copy_one(c, untracked.items[i], err) < 0)
			goto out;
	ret = 0;
out:
	strlist_release(&untracked);
	git_index_free(idx);
	git_repository_free(g);
	return ret;
}

int repo_snapshot(const struct repo *r, const char *dst, struct strbuf *err)
{
	struct repo_copy c = { r, r->root, dst, r->exclude, STRBUF_INIT, STRBUF_INIT, STRBUF_INIT };
	int ret;

	if (fs_mkdir_p(dst, 0755, err) < 0)
		return -1;
	ret = r->is_git ? repo_snapshot_git(&c, err)
			: fs_copy_tree(dst, r->root, repo_filter, &c, err);
	strbuf_release(&c.src);
	strbuf_release(&c.to);
	strbuf_release(&c.lastdir);
	return ret;
}

/* ---------------------------------------------------------------- payloads */

static void repo_set(struct arena *a, struct val obj, const char *key, const char *s)
{
	val_object_setstr(a, obj, key, s ? val_cstring(a, s) : val_null());
}

/* The repository as GitHub's payloads describe it ({name, full_name, owner, ...}). */
static struct val repo_payload_repository(struct arena *a, const struct repo *r)
{
	struct val repo = val_new_object(a), owner = val_new_object(a);
	char *full = arena_printf(a, "%s/%s", r->owner, r->name);

	repo_set(a, owner, "login", r->owner);
	repo_set(a, owner, "name", r->owner);
	repo_set(a, repo, "name", r->name);
	repo_set(a, repo, "full_name", full);
	val_object_setstr(a, repo, "owner", owner);
	repo_set(a, repo, "default_branch", r->default_branch);
	repo_set(a, repo, "master_branch", r->default_branch);
	val_object_setstr(a, repo, "private", val_bool(1));
	repo_set(a, repo, "clone_url", arena_printf(a, "file://%s", r->root));
	repo_set(a, repo, "html_url", arena_printf(a, "file://%s", r->root));
	return repo;
}

static char *repo_iso_time(struct arena *a, long long t)
{
	char buf[64];
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return arena_strdup(a, buf);
}

static struct val repo_head_commit(struct arena *a, const struct repo *r, const char *sha)
{
	struct val c = val_new_object(a), author = val_new_object(a);

	repo_set(a, author, "name", r->author_name);
	repo_set(a, author, "email", r->author_email);
	repo_set(a, author, "username", r->author_name);
	repo_set(a, c, "id", sha);
	repo_set(a, c, "tree_id", NULL);
	repo_set(a, c, "message", r->message ? r->message : "");
	repo_set(a, c, "timestamp", repo_iso_time(a, r->commit_time));
	val_object_setstr(a, c, "author", author);
	val_object_setstr(a, c, "committer", val_copy(a, author));
	return c;
}

static const char repo_zero_sha[] = "0000000000000000000000000000000000000000";

static void repo_payload_push(struct arena *a, struct val p, const struct repo *r,
			      const char *ref, const char *sha)
{
	struct val commits = val_new_array(a), pusher = val_new_object(a);

	repo_set(a, p, "ref", ref);
	repo_set(a, p, "before", r->parent_sha && sha && r->sha && !strcmp(sha, r->sha)
		 ? r->parent_sha : repo_zero_sha);
	repo_set(a, p, "after", sha ? sha : repo_zero_sha);
	val_object_setstr(a, p, "created", val_bool(0));
	val_object_setstr(a, p, "deleted", val_bool(0));
	val_object_setstr(a, p, "forced", val_bool(0));
	repo_set(a, p, "base_ref", NULL);
	if (sha) {
		struct val head = repo_head_commit(a, r, sha);

		val_array_push(a, commits, head);
		val_object_setstr(a, p, "head_commit", head);
	} else {
		val_object_setstr(a, p, "head_commit", val_null());
	}
	val_object_setstr(a, p, "commits", commits);
	repo_set(a, pusher, "name", r->author_name);
	repo_set(a, pusher, "email", r->author_email);
	val_object_setstr(a, p, "pusher", pusher);
}

static void repo_payload_pull_request(struct arena *a, struct val p, const struct repo *r,
				      const char *ref, const char *sha)
{
	struct val pr = val_new_object(a), head = val_new_object(a), base = val_new_object(a);
	const char *branch = ref && !strncmp(ref, "refs/heads/", 11) ? ref + 11 : r->branch;

	repo_set(a, p, "action", "opened");
	val_object_setstr(a, p, "number", val_number(1));
	repo_set(a, head, "ref", branch ? branch : "HEAD");
	repo_set(a, head, "sha", sha);
	val_object_setstr(a, head, "repo", repo_payload_repository(a, r));
	repo_set(a, base, "ref", r->default_branch);
	repo_set(a, base, "sha", r->parent_sha);
	val_object_setstr(a, base, "repo", repo_payload_repository(a, r));
	val_object_setstr(a, pr, "number", val_number(1));
	repo_set(a, pr, "state", "open");
	repo_set(a, pr, "title", r->message ? r->message : "");
	val_object_setstr(a, pr, "head", head);
	val_object_setstr(a, pr, "base", base);
	val_object_setstr(a, pr, "draft", val_bool(0));
	val_object_setstr(a, pr, "merged", val_bool(0));
	val_object_setstr(a, p, "pull_request", pr);
}

static void repo_payload_dispatch(struct arena *a, struct val p, const struct repo *r,
				  const char *ref, const char *sha)
{
	(void)r;
	(void)sha;
	repo_set(a, p, "ref", ref);
	val_object_setstr(a, p, "inputs", val_new_object(a));
}

static const struct {
	const char *event;
	void (*fill)(struct arena *a, struct val p, const struct repo *r, const char *ref,
		     const char *sha);
} repo_payloads[] = {
	{ "push", repo_payload_push },
	{ "pull_request", repo_payload_pull_request },
	{ "pull_request_target", repo_payload_pull_request },
	{ "workflow_dispatch", repo_payload_dispatch },
};

struct val repo_event_payload(struct arena *a, const struct repo *r, const char *event,
			      const char *ref, const char *sha)
{
	struct val p = val_new_object(a), sender = val_new_object(a);

	for (size_t i = 0; i < sizeof(repo_payloads) / sizeof(repo_payloads[0]); i++)
		if (!strcmp(event, repo_payloads[i].event))
			repo_payloads[i].fill(a, p, r, ref, sha);
	val_object_setstr(a, p, "repository", repo_payload_repository(a, r));
	repo_set(a, sender, "login", r->owner);
	repo_set(a, sender, "type", "User");
	val_object_setstr(a, p, "sender", sender);
	return p;
}
