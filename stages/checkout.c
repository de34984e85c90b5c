/*
 * checkout: actions/checkout as a built-in stage. By default the job gets
 * the repository as the user has it (the run's snapshot, uncommitted work
 * included); with --checkout=commit, or a `ref:`, exactly a commit of the
 * local repository; another `repository:` is fetched from the action base
 * URL. A .git that borrows the local repository's objects makes git work
 * in the workspace. Credentials, LFS and sparse checkouts are not done.
 */
#include "stages/stages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/fs.h"
#include "util/gitio.h"

/* Is path relative, without '..' components (it must stay in the workspace)? */
static int checkout_path_ok(const char *path)
{
	if (*path == '/')
		return 0;
	for (const char *p = path; *p;) {
		size_t n = strcspn(p, "/");

		if (n == 2 && !strncmp(p, "..", 2))
			return 0;
		p += n + (p[n] == '/');
	}
	return 1;
}

/* The branch a ref names ("refs/heads/main" -> "main"), or NULL. */
static const char *checkout_branch(const char *ref)
{
	return ref && !strncmp(ref, "refs/heads/", 11) ? ref + 11 : NULL;
}

/* Another repository: fetched from the base URL at ref (its main or master branch if none). */
static int checkout_other(struct stage_ctx *ctx, const char *repo, const char *ref,
			  const char *dst)
{
	static const char *const defaults[] = { "main", "master" };
	struct strbuf url = STRBUF_INIT, err = STRBUF_INIT, parent = STRBUF_INIT;
	struct gitio_ref got;
	int ret = 1;

	strbuf_addf(&url, "%s/%s", ctx->base_url ? ctx->base_url : "https://github.com", repo);
	strbuf_addf(&parent, "%s", ctx->temp);
	if (fs_rm_rf(dst, &err) < 0)
		goto out;
	for (size_t i = 0; i < 2; i++) {
		const char *r = *ref ? ref : defaults[i];

		strbuf_reset(&err);
		if (gitio_fetch_tree(url.buf, r, dst, parent.buf, &got, &err) == 0) {
			stage_log(ctx, "Fetched %s@%s (%s %s) into %s", repo, r,
				  gitio_ref_kind_name(got.kind), got.sha, dst);
			ret = stage_set_output(ctx, "ref", r) || stage_set_output(ctx, "commit", got.sha);
			goto out;
		}
		if (*ref)
			break;
	}
	ret = stage_fail(ctx, "cannot check out '%s': %s", repo, err.buf);
out:
	strbuf_release(&url);
	strbuf_release(&err);
	strbuf_release(&parent);
	return ret;
}

static int checkout_main(struct stage_ctx *ctx)
{
	const char *repo = stage_input(ctx, "repository");
	const char *ref = stage_input(ctx, "ref");
	const char *path = stage_input(ctx, "path");
	const char *own = stage_getenv(ctx, "GITHUB_REPOSITORY");
	const char *sha = stage_getenv(ctx, "GITHUB_SHA");
	const char *run_ref = stage_getenv(ctx, "GITHUB_REF");
	const char *branch = checkout_branch(run_ref);
	const char *subs = stage_input(ctx, "submodules");
	struct strbuf dst = STRBUF_INIT, err = STRBUF_INIT;
	struct gitio_ref resolved;
	int exact = !strcmp(ctx->checkout, "commit") || *ref, ret = 1;

	if (!checkout_path_ok(path)) {
		ret = stage_fail(ctx, "repository path '%s' is not under '%s'", path, ctx->workspace);
		goto out;
	}
	fs_path_join(&dst, ctx->workspace, path);
	if (*repo && own && strcasecmp(repo, own)) {
		ret = checkout_other(ctx, repo, ref, dst.buf);
		goto out;
	}
	if (*ref) {
		if (!ctx->repository || gitio_resolve(ctx->repository, ref, &resolved, &err) < 0) {
			ret = stage_fail(ctx, "cannot check out ref '%s': %s", ref,
					 err.len ? err.buf : "no local repository");
			goto out;
		}
		sha = resolved.sha;
		branch = resolved.kind == GITIO_BRANCH ? ref : NULL;
	}
	if (exact && (!sha || !*sha || !ctx->repository)) {
		ret = stage_fail(ctx, "--checkout=commit needs a git repository with a commit; "
				 "this run has none");
		goto out;
	}
	if (exact) {
		if ((*path ? fs_rm_rf(dst.buf, &err) < 0 || fs_mkdir_p(dst.buf, 0755, &err) < 0
		     : fs_empty_dir(dst.buf, 0755, &err) < 0) ||
		    gitio_write_tree(ctx->repository, sha, dst.buf, &err) < 0) {
			ret = stage_fail(ctx, "cannot check out %s: %s", sha, err.buf);
			goto out;
		}
		stage_log(ctx, "Checked out commit %s into %s", sha, dst.buf);
	} else if (*path) {
		if (!ctx->snapshot || fs_copy_tree(dst.buf, ctx->snapshot, NULL, NULL, &err) < 0) {
			ret = stage_fail(ctx, "cannot copy the working tree to '%s': %s", dst.buf,
					 err.len ? err.buf : "no snapshot");
			goto out;
		}
		stage_log(ctx, "Copied the working tree as it is (uncommitted changes included) "
			  "into %s", dst.buf);
	} else {
		stage_log(ctx, "The workspace is the working tree as it is (uncommitted changes "
			  "included); --checkout=commit checks out %s instead", sha && *sha ? sha
			  : "the commit");
	}
	if (ctx->repository && sha && *sha &&
	    gitio_link_worktree(ctx->repository, sha, branch, dst.buf, &err) < 0)
		stage_warning(ctx, "no .git in the workspace: %s", err.buf);
	if (strcmp(subs, "false") && *subs)
		stage_warning(ctx, "submodules are not checked out by the built-in checkout "
			      "(--no-builtin actions/checkout runs the real action)");
	ret = stage_set_output(ctx, "ref", *ref ? ref : run_ref ? run_ref : "") ||
	      stage_set_output(ctx, "commit", sha ? sha : "");
out:
	strbuf_release(&dst);
	strbuf_release(&err);
	return ret;
}

static const struct stage_input checkout_inputs[] = {
	{ "repository", NULL }, { "ref", NULL }, { "token", NULL }, { "ssh-key", NULL },
	{ "ssh-known-hosts", NULL }, { "ssh-strict", "true" }, { "ssh-user", "git" },
	{ "persist-credentials", "true" }, { "path", NULL }, { "clean", "true" },
	{ "filter", NULL }, { "sparse-checkout", NULL }, { "sparse-checkout-cone-mode", "true" },
	{ "fetch-depth", "1" }, { "fetch-tags", "false" }, { "show-progress", "true" },
	{ "lfs", "false" }, { "submodules", "false" }, { "set-safe-directory", "true" },
	{ "github-server-url", NULL }, { NULL, NULL },
};

const struct stage stage_checkout = {
	"actions/checkout", checkout_inputs, checkout_main, NULL, NULL,
};
