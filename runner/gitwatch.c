/*
 * gitwatch: libgit2 calls for the daemon: listing branches, resolving a
 * ref, reading a committed file, and a work tree of a commit in a
 * directory of its own that borrows the watched repository's objects.
 * Watching, polling and scheduling are serve's.
 */
#include "runner/gitwatch.h"
#include "util/fs.h"

#include <git2.h>
#include <string.h>

static int gitwatch_fail(struct strbuf *err, const char *what, const char *path)
{
	const git_error *e = git_error_last();

	strbuf_addf(err, "%s '%s': %s", what, path, e && e->message ? e->message : "unknown error");
	return -1;
}

static int gitwatch_open(git_repository **repo, const char *path, struct strbuf *err)
{
	git_libgit2_init();
	if (git_repository_open_ext(repo, path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0) {
		gitwatch_fail(err, "cannot open repository", path);
		git_libgit2_shutdown();
		return -1;
	}
	return 0;
}

static void gitwatch_close(git_repository *repo)
{
	git_repository_free(repo);
	git_libgit2_shutdown();
}

int gitwatch_heads(struct strlist *out, const char *path, struct strbuf *err)
{
	git_repository *repo;
	git_branch_iterator *it = NULL;
	git_reference *ref;
	git_branch_t type;
	int rc = 0, got;

	if (gitwatch_open(&repo, path, err) < 0)
		return -1;
	if (git_branch_iterator_new(&it, repo, GIT_BRANCH_LOCAL) < 0) {
		rc = gitwatch_fail(err, "cannot list the branches of", path);
		goto out;
	}
	while ((got = git_branch_next(&ref, &type, it)) == 0) {
		git_object *obj = NULL;

		if (git_reference_peel(&obj, ref, GIT_OBJECT_COMMIT) == 0) {
			char hex[GIT_OID_HEXSZ + 1];

			git_oid_tostr(hex, sizeof(hex), git_object_id(obj));
			strlist_pushf(out, "%s %s", hex, git_reference_name(ref));
		}
		git_object_free(obj);
		git_reference_free(ref);
	}
	if (got != GIT_ITEROVER)
		rc = gitwatch_fail(err, "cannot list the branches of", path);
out:
	git_branch_iterator_free(it);
	gitwatch_close(repo);
	return rc;
}

int gitwatch_resolve(struct strbuf *sha, const char *path, const char *ref, struct strbuf *err)
{
	git_repository *repo;
	git_object *obj = NULL;
	char hex[GIT_OID_HEXSZ + 1];
	int rc = 0;

	if (gitwatch_open(&repo, path, err) < 0)
		return -1;
	if (git_revparse_single(&obj, repo, ref) < 0) {
		strbuf_addf(err, "no ref or commit '%s' in repository '%s'", ref, path);
		rc = -1;
	} else {
		git_object *commit = NULL;

		if (git_object_peel(&commit, obj, GIT_OBJECT_COMMIT) < 0) {
			strbuf_addf(err, "'%s' in repository '%s' is not a commit", ref, path);
			rc = -1;
		} else {
			git_oid_tostr(hex, sizeof(hex), git_object_id(commit));
			strbuf_reset(sha);
			strbuf_addstr(sha, hex);
		}
		git_object_free(commit);
	}
	git_object_free(obj);
	gitwatch_close(repo);
	return rc;
}

int gitwatch_read_file(struct strbuf *out, const char *path, const char *rev, const char *file,
		       size_t max, struct strbuf *err)
{
	git_repository *repo;
	git_object *commit = NULL;
	git_tree *tree = NULL;
	git_tree_entry *entry = NULL;
	git_blob *blob = NULL;
	int rc = 0;

	if (gitwatch_open(&repo, path, err) < 0)
		return -1;
	if (git_revparse_single(&commit, repo, rev) < 0 ||
	    git_object_peel((git_object **)&tree, commit, GIT_OBJECT_TREE) < 0 ||
	    git_tree_entry_bypath(&entry, tree, file) < 0 ||
	    git_tree_entry_type(entry) != GIT_OBJECT_BLOB)
		goto out;
	if (git_blob_lookup(&blob, repo, git_tree_entry_id(entry)) < 0) {
		rc = gitwatch_fail(err, "cannot read a file of", path);
		goto out;
	}
	if ((size_t)git_blob_rawsize(blob) > max) {
		strbuf_addf(err, "'%s' in '%s' is larger than %zu bytes", file, path, max);
		rc = -1;
		goto out;
	}
	strbuf_reset(out);
	strbuf_add(out, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));
	rc = 1;
out:
	git_blob_free(blob);
	git_tree_entry_free(entry);
	git_tree_free(tree);
	git_object_free(commit);
	gitwatch_close(repo);
	return rc;
}

int gitwatch_checkout(const char *path, const char *ref, const char *sha, const char *dir,
		      struct strbuf *err)
{
	git_repository *src, *wt = NULL;
	git_commit *commit = NULL;
	git_reference *branch = NULL;
	git_config *cfg = NULL;
	git_checkout_options opts;
	struct strbuf alt = STRBUF_INIT, objects = STRBUF_INIT;
	git_oid oid;
	int rc = -1;

	if (strncmp(ref, "refs/", 5)) {
		strbuf_addf(err, "'%s' is not a full ref name", ref);
		return -1;
	}
	if (fs_mkdir_p(dir, 0755, err) < 0 || gitwatch_open(&src, path, err) < 0)
		return -1;
	if (strlen(sha) != GIT_OID_HEXSZ || git_oid_fromstr(&oid, sha) < 0 ||
	    git_commit_lookup(&commit, src, &oid) < 0) {
		strbuf_addf(err, "commit '%s' is not in repository '%s'", sha, path);
		goto out;
	}
	if (git_repository_init(&wt, dir, 0) < 0) {
		gitwatch_fail(err, "cannot create a repository in", dir);
		goto out;
	}
	/* borrow the objects instead of copying them */
	strbuf_addf(&objects, "%s", git_repository_path(src));
	while (objects.len > 1 && objects.buf[objects.len - 1] == '/')
		strbuf_setlen(&objects, objects.len - 1);
	strbuf_addstr(&objects, "/objects\n");
	strbuf_addf(&alt, "%sobjects/info/alternates", git_repository_path(wt));
	if (fs_write_file(alt.buf, objects.buf, objects.len, 0644, err) < 0)
		goto out;
	git_repository_free(wt);
	/* origin is written as configuration: git_remote_create leaks in libgit2 1.5 */
	if (git_repository_open(&wt, dir) < 0 ||
	    git_reference_create(&branch, wt, ref, &oid, 1, "slipway serve") < 0 ||
	    git_repository_set_head(wt, ref) < 0 ||
	    git_repository_config(&cfg, wt) < 0 ||
	    git_config_set_string(cfg, "remote.origin.url", path) < 0 ||
	    git_config_set_string(cfg, "remote.origin.fetch",
				  "+refs/heads/*:refs/remotes/origin/*") < 0) {
		gitwatch_fail(err, "cannot set up the work tree", dir);
		goto out;
	}
	git_checkout_options_init(&opts, GIT_CHECKOUT_OPTIONS_VERSION);
	opts.checkout_strategy = GIT_CHECKOUT_FORCE;
	if (git_checkout_head(wt, &opts) < 0) {
		gitwatch_fail(err, "cannot check out into", dir);
		goto out;
	}
	rc = 0;
out:
	git_config_free(cfg);
	git_reference_free(branch);
	git_commit_free(commit);
	git_repository_free(wt);
	gitwatch_close(src);
	strbuf_release(&alt);
	strbuf_release(&objects);
	return rc;
}
