/*
 * gitio: fetching refs into a scratch bare repository, writing commit
 * trees into plain directories (our own walk: no index or checkout
 * baseline is touched), and .git directories that borrow another
 * repository's objects. Reading the user's repository state is
 * runner/repo.c's.
 */
#include "util/gitio.h"

#include <errno.h>
#include <git2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fs.h"

static void gitio_error(struct strbuf *err, const char *fmt, const char *arg)
{
	const git_error *e = git_error_last();

	strbuf_addf(err, fmt, arg);
	strbuf_addf(err, ": %s", e && e->message ? e->message : "unknown libgit2 error");
}

const char *gitio_ref_kind_name(enum gitio_ref_kind kind)
{
	static const char *const names[] = { "branch", "tag", "commit" };

	return names[kind];
}

/* ---------------------------------------------------------------- resolving */

/* The commit a reference name points to (tags peeled), or -1. */
static int gitio_lookup_ref(git_repository *repo, const char *name, git_oid *out)
{
	git_reference *ref = NULL;
	git_object *obj = NULL;
	int ret = -1;

	if (git_reference_lookup(&ref, repo, name) == 0 &&
	    git_reference_peel(&obj, ref, GIT_OBJECT_COMMIT) == 0) {
		git_oid_cpy(out, git_object_id(obj));
		ret = 0;
	}
	git_object_free(obj);
	git_reference_free(ref);
	return ret;
}

/*
 * ref as GitHub resolves an action's: a tag, then a branch (under
 * branch_prefix: "refs/heads/" locally, "refs/remotes/origin/" after a
 * fetch), then a commit id.
 */
static int gitio_resolve_in(git_repository *repo, const char *ref, const char *branch_prefix,
			    struct gitio_ref *out)
{
	static const enum gitio_ref_kind kinds[] = { GITIO_TAG, GITIO_BRANCH };
	const char *try[] = { "refs/tags/", branch_prefix };
	struct strbuf name = STRBUF_INIT;
	git_object *obj = NULL, *commit = NULL;
	git_oid oid;
	int ret = -1;

	for (size_t i = 0; i < 2 && ret < 0; i++) {
		strbuf_reset(&name);
		strbuf_addf(&name, "%s%s", try[i], ref);
		if (gitio_lookup_ref(repo, name.buf, &oid) == 0) {
			out->kind = kinds[i];
			ret = 0;
		}
	}
	if (ret < 0 && git_revparse_single(&obj, repo, ref) == 0 &&
	    git_object_peel(&commit, obj, GIT_OBJECT_COMMIT) == 0) {
		git_oid_cpy(&oid, git_object_id(commit));
		out->kind = GITIO_COMMIT;
		ret = 0;
	}
	if (!ret)
		git_oid_tostr(out->sha, sizeof(out->sha), &oid);
	git_object_free(commit);
	git_object_free(obj);
	strbuf_release(&name);
	return ret;
}

int gitio_resolve(const char *repo_dir, const char *rev, struct gitio_ref *out,
		  struct strbuf *err)
{
	git_repository *repo = NULL;
	int ret = -1;

	git_libgit2_init();
	if (git_repository_open_ext(&repo, repo_dir, 0, NULL) < 0)
		gitio_error(err, "cannot open the repository '%s'", repo_dir);
	else if (gitio_resolve_in(repo, rev, "refs/heads/", out) < 0)
		strbuf_addf(err, "no branch, tag or commit '%s' in '%s'", rev, repo_dir);
	else
		ret = 0;
	git_repository_free(repo);
	git_libgit2_shutdown();
	return ret;
}

/* ---------------------------------------------------------------- writing trees */

struct gitio_walk {
	git_repository *repo;
	const char *dst;
	struct strbuf path, err;
	int failed;
};

static int gitio_write_blob(struct gitio_walk *w, const git_tree_entry *e)
{
	git_blob *blob = NULL;
	const char *data;
	size_t len;
	int ret = -1;

	if (git_blob_lookup(&blob, w->repo, git_tree_entry_id(e)) < 0) {
		gitio_error(&w->err, "cannot read '%s'", w->path.buf);
		return -1;
	}
	data = git_blob_rawcontent(blob);
	len = (size_t)git_blob_rawsize(blob);
	if (git_tree_entry_filemode(e) == GIT_FILEMODE_LINK) {
		struct strbuf target = STRBUF_INIT;

		strbuf_add(&target, data, len);
		unlink(w->path.buf);
		if (symlink(target.buf, w->path.buf) < 0)
			strbuf_addf(&w->err, "cannot create '%s': %s", w->path.buf, strerror(errno));
		else
			ret = 0;
		strbuf_release(&target);
	} else {
		mode_t mode = git_tree_entry_filemode(e) == GIT_FILEMODE_BLOB_EXECUTABLE ? 0755
			      : 0644;

		unlink(w->path.buf);    /* never write through what was there */
		ret = fs_write_file(w->path.buf, data, len, mode, &w->err);
	}
	git_blob_free(blob);
	return ret;
}

static int gitio_walk_cb(const char *root, const git_tree_entry *e, void *data)
{
	struct gitio_walk *w = data;
	git_object_t type = git_tree_entry_type(e);

	strbuf_reset(&w->path);
	strbuf_addf(&w->path, "%s/%s%s", w->dst, root, git_tree_entry_name(e));
	if (type == GIT_OBJECT_TREE) {
		if (fs_mkdir_p(w->path.buf, 0755, &w->err) < 0)
			goto fail;
		return 0;
	}
	if (type != GIT_OBJECT_BLOB)
		return 0;       /* submodules (commits) are the caller's */
	if (gitio_write_blob(w, e) < 0)
		goto fail;
	return 0;
fail:
	w->failed = 1;
	return -1;
}

/* Write the tree of commit oid into dst (existing). */
static int gitio_write_commit(git_repository *repo, const git_oid *oid, const char *dst,
			      struct strbuf *err)
{
	struct gitio_walk w = { repo, dst, STRBUF_INIT, STRBUF_INIT, 0 };
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	int ret = -1;

	if (git_commit_lookup(&commit, repo, oid) < 0 || git_commit_tree(&tree, commit) < 0) {
		gitio_error(err, "cannot read the tree of '%s'", git_oid_tostr_s(oid));
		goto out;
	}
	if (git_tree_walk(tree, GIT_TREEWALK_PRE, gitio_walk_cb, &w) < 0 || w.failed) {
		if (w.err.len)
			strbuf_add(err, w.err.buf, w.err.len);
		else
			gitio_error(err, "cannot write the tree into '%s'", dst);
		goto out;
	}
	ret = 0;
out:
	git_tree_free(tree);
	git_commit_free(commit);
	strbuf_release(&w.path);
	strbuf_release(&w.err);
	return ret;
}

int gitio_write_tree(const char *repo_dir, const char *sha, const char *dst, struct strbuf *err)
{
	git_repository *repo = NULL;
	git_oid oid;
	int ret = -1;

	git_libgit2_init();
	if (git_repository_open_ext(&repo, repo_dir, 0, NULL) < 0)
		gitio_error(err, "cannot open the repository '%s'", repo_dir);
	else if (git_oid_fromstr(&oid, sha) < 0)
		strbuf_addf(err, "'%s' is not a commit id", sha);
	else
		ret = gitio_write_commit(repo, &oid, dst, err);
	git_repository_free(repo);
	git_libgit2_shutdown();
	return ret;
}

/* ---------------------------------------------------------------- fetching */

/*
 * Name url as repo's origin in its config directly: git_remote_create_*
 * leak a regex match block in libgit2 1.5.
 */
static int gitio_set_origin(git_repository *repo, const char *url)
{
	git_config *cfg = NULL;
	int ret = git_repository_config(&cfg, repo);

	if (!ret)
		ret = git_config_set_string(cfg, "remote.origin.url", url);
	if (!ret)
		ret = git_config_set_string(cfg, "remote.origin.fetch",
					    "+refs/heads/*:refs/remotes/origin/*");
	git_config_free(cfg);
	return ret;
}

int gitio_fetch_tree(const char *url, const char *ref, const char *dst, const char *tmp_base,
		     struct gitio_ref *out, struct strbuf *err)
{
	char *specs[] = { "+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*" };
	git_strarray refspecs = { specs, 2 };
	git_fetch_options fo = GIT_FETCH_OPTIONS_INIT;
	struct strbuf tmp = STRBUF_INIT, tree = STRBUF_INIT, scratch = STRBUF_INIT;
	git_repository *repo = NULL;
	git_remote *remote = NULL;
	git_oid oid;
	int ret = -1;

	git_libgit2_init();
	fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
	if (fs_mkdtemp(&tmp, tmp_base, "fetch-", err) < 0)
		goto out;
	strbuf_addf(&tree, "%s/tree", tmp.buf);
	/* a remote named in the config, not git_remote_create_*: they leak in libgit2 1.5 */
	if (git_repository_init(&repo, tmp.buf, 1) < 0 ||
	    gitio_set_origin(repo, url) < 0 ||
	    git_remote_lookup(&remote, repo, "origin") < 0 ||
	    git_remote_fetch(remote, &refspecs, &fo, NULL) < 0) {
		gitio_error(err, "cannot fetch '%s'", url);
		goto out;
	}
	if (gitio_resolve_in(repo, ref, "refs/remotes/origin/", out) < 0) {
		strbuf_addf(err, "no branch, tag or commit '%s' in '%s'", ref, url);
		goto out;
	}
	git_oid_fromstr(&oid, out->sha);
	if (fs_mkdir_p(tree.buf, 0755, err) < 0 || gitio_write_commit(repo, &oid, tree.buf, err) < 0)
		goto out;
	if (rename(tree.buf, dst) < 0) {
		strbuf_addf(err, "cannot move the tree to '%s': %s", dst, strerror(errno));
		goto out;
	}
	ret = 0;
out:
	git_remote_free(remote);
	git_repository_free(repo);
	if (tmp.len)
		fs_rm_rf(tmp.buf, &scratch);
	strbuf_release(&tmp);
	strbuf_release(&tree);
	strbuf_release(&scratch);
	git_libgit2_shutdown();
	return ret;
}

/* ---------------------------------------------------------------- borrowed worktrees */

/* dir/.git/objects/info/alternates naming src's object directory. */
static int gitio_alternates(git_repository *src, const char *gitdir, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT, line = STRBUF_INIT;
	int ret;

	strbuf_addf(&path, "%s/objects/info", gitdir);
	strbuf_addf(&line, "%sobjects\n", git_repository_commondir(src));
	ret = fs_mkdir_p(path.buf, 0755, err);
	strbuf_addstr(&path, "/alternates");
	if (!ret)
		ret = fs_write_file(path.buf, line.buf, line.len, 0644, err);
	strbuf_release(&path);
	strbuf_release(&line);
	return ret;
}

/* origin of the new repository: src's origin URL, else src itself. */
static int gitio_origin(git_repository *src, git_repository *dst)
{
	git_remote *r = NULL;
	const char *url = git_repository_workdir(src) ? git_repository_workdir(src)
			  : git_repository_path(src);
	int ret;

	if (git_remote_lookup(&r, src, "origin") == 0 && git_remote_url(r))
		url = git_remote_url(r);
	ret = gitio_set_origin(dst, url);
	git_remote_free(r);
	return ret;
}

int gitio_link_worktree(const char *repo_dir, const char *sha, const char *branch,
			const char *dir, struct strbuf *err)
{
	struct strbuf gitdir = STRBUF_INIT, name = STRBUF_INIT;
	git_repository *src = NULL, *dst = NULL;
	git_reference *ref = NULL;
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	git_index *index = NULL;
	git_oid oid;
	int ret = -1;

	git_libgit2_init();
	strbuf_addf(&gitdir, "%s/.git", dir);
	if (git_oid_fromstr(&oid, sha) < 0) {
		strbuf_addf(err, "'%s' is not a commit id", sha);
		goto out;
	}
	if (git_repository_open_ext(&src, repo_dir, 0, NULL) < 0) {
		gitio_error(err, "cannot open the repository '%s'", repo_dir);
		goto out;
	}
	if (fs_rm_rf(gitdir.buf, err) < 0)
		goto out;
	if (git_repository_init(&dst, dir, 0) < 0) {
		gitio_error(err, "cannot create a repository in '%s'", dir);
		goto out;
	}
	if (gitio_alternates(src, gitdir.buf, err) < 0)
		goto out;
	git_repository_free(dst);
	dst = NULL;
	if (git_repository_open(&dst, dir) < 0 || git_commit_lookup(&commit, dst, &oid) < 0 ||
	    git_commit_tree(&tree, commit) < 0 || gitio_origin(src, dst) < 0) {
		gitio_error(err, "cannot borrow commit '%s'", sha);
		goto out;
	}
	if (branch && *branch) {
		strbuf_addf(&name, "refs/heads/%s", branch);
		if (git_reference_create(&ref, dst, name.buf, &oid, 1, "slipway checkout") < 0 ||
		    git_repository_set_head(dst, name.buf) < 0) {
			gitio_error(err, "cannot create the branch '%s'", branch);
			goto out;
		}
	} else if (git_repository_set_head_detached(dst, &oid) < 0) {
		gitio_error(err, "cannot set HEAD to '%s'", sha);
		goto out;
	}
	if (git_repository_index(&index, dst) < 0 || git_index_read_tree(index, tree) < 0 ||
	    git_index_write(index) < 0) {
		gitio_error(err, "cannot write the index of '%s'", dir);
		goto out;
	}
	ret = 0;
out:
	git_index_free(index);
	git_tree_free(tree);
	git_commit_free(commit);
	git_reference_free(ref);
	git_repository_free(dst);
	git_repository_free(src);
	strbuf_release(&gitdir);
	strbuf_release(&name);
	git_libgit2_shutdown();
	return ret;
}
