/*
 * artifact: actions/upload-artifact and actions/download-artifact (v3 and
 * v4 inputs) as built-in stages. An artifact is <run>/artifacts/<name>/:
 * <name>.tar.zst (v3 uploads to one name add <name>.<n>.tar.zst) and
 * .slipway-artifact.json describing it. v4 names are immutable unless
 * `overwrite`. Other runs and repositories (`run-id`, `repository`) are
 * not reached.
 */
#include "stages/stages.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/digest.h"
#include "util/fs.h"
#include "util/glob.h"
#include "util/json.h"
#include "util/tarball.h"

#define ARTIFACT_META_MAX 65536
#define ARTIFACT_SUFFIX ".tar.zst"

/* A name GitHub accepts that is also one safe path component. */
static int artifact_name_ok(const char *name)
{
	return *name && name[0] != '.' && !strpbrk(name, "\"<>|*?:\\/\r\n");
}

/* Uploads of upload-artifact v1-v3 add to an artifact of the same name; v4 refuses. */
static int artifact_v3(const struct stage_ctx *ctx)
{
	const char *ref = stage_getenv(ctx, "GITHUB_ACTION_REF");

	return ref && ref[0] == 'v' && ref[1] >= '1' && ref[1] <= '3' &&
	       (!ref[2] || ref[2] == '.');
}

/* <run>/artifacts into out, or -1 (printed). */
static int artifact_dir(const struct stage_ctx *ctx, struct strbuf *out)
{
	if (!ctx->run_dir) {
		stage_fail(ctx, "SLIPWAY_RUN_DIR is not set: artifacts live in the run's directory");
		return -1;
	}
	strbuf_addf(out, "%s/artifacts", ctx->run_dir);
	return 0;
}

/* sha256 of the file at path, in hex. */
static int artifact_digest(const char *path, struct strbuf *out)
{
	unsigned char buf[65536], sum[DIGEST_SHA256_LEN];
	struct digest_sha256 *d = digest_sha256_new();
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = 0;

	while (fd >= 0 && (n = read(fd, buf, sizeof(buf))) > 0)
		digest_sha256_update(d, buf, (size_t)n);
	digest_sha256_final(d, sum);
	if (fd >= 0)
		close(fd);
	if (fd < 0 || n < 0)
		return -1;
	digest_hex(out, sum, sizeof(sum));
	return 0;
}

/* ---------------------------------------------------------------- upload */

/* Has rel a component starting with '.' (hidden files are left out by default)? */
static int artifact_hidden(const char *rel)
{
	for (const char *p = rel; *p;) {
		if (*p == '.')
			return 1;
		p += strcspn(p, "/");
		p += *p == '/';
	}
	return 0;
}

/*
 * The directory files are stored relative to, as upload-artifact picks
 * it: the directory of a single file named as such, else the one search
 * root, else the deepest directory holding every search root.
 */
static void artifact_root(struct strbuf *out, const struct strlist *roots,
			  const struct strlist *files)
{
	if (roots->nr == 1 && files->nr == 1 && !strcmp(roots->items[0], files->items[0])) {
		strbuf_addstr(out, files->items[0]);
		strbuf_setlen(out, (size_t)(strrchr(out->buf, '/') - out->buf));
	} else {
		strbuf_addstr(out, roots->items[0]);
	}
	for (size_t i = 1; i < roots->nr; i++) {
		const char *r = roots->items[i];

		while (out->len > 1 && (strncmp(r, out->buf, out->len) ||
					(r[out->len] && r[out->len] != '/')))
			strbuf_setlen(out, (size_t)(strrchr(out->buf, '/') - out->buf));
	}
	if (!out->len)
		strbuf_addch(out, '/');
}

/* Match the `path` patterns under the workspace into files (relative to root). */
static int artifact_collect(const struct stage_ctx *ctx, struct strbuf *root,
			    struct strlist *rel, struct strbuf *err)
{
	const char *patterns = stage_input(ctx, "path");
	struct glob_paths *g = NULL;
	struct strlist files = STRLIST_INIT, roots = STRLIST_INIT;
	int hidden = !strcmp(stage_input(ctx, "include-hidden-files"), "true"), ret = -1;

	if (glob_paths_compile(&g, patterns, strlen(patterns), ctx->workspace, err) < 0 ||
	    glob_paths_walk(g, 0, &files, err) < 0)
		goto out;
	glob_paths_search_roots(g, &roots);
	ret = 0;
	if (!files.nr)
		goto out;
	artifact_root(root, &roots, &files);
	for (size_t i = 0; i < files.nr; i++) {
		const char *r = files.items[i] + root->len + (root->len > 1);

		if (hidden || !artifact_hidden(r))
			strlist_push(rel, r);
	}
out:
	glob_paths_free(g);
	strlist_release(&files);
	strlist_release(&roots);
	return ret;
}

/* Write .slipway-artifact.json into dir (files and size added to what it says for v3). */
static int artifact_write_meta(const struct stage_ctx *ctx, const char *dir, const char *name,
			       size_t files, off_t size, const char *digest, struct strbuf *err)
{
	struct strbuf body = STRBUF_INIT, path = STRBUF_INIT, old = STRBUF_INIT, scratch = STRBUF_INIT;
	struct arena a = ARENA_INIT;
	struct val meta, *v;
	int ret;

	strbuf_addf(&path, "%s/%s", dir, STAGE_ARTIFACT_META);
	if (fs_read_file(&old, path.buf, ARTIFACT_META_MAX, &scratch) == 0 &&
	    json_parse(&meta, &a, old.buf, old.len, &scratch) == 0) {
		if ((v = val_object_getstr(meta, "files")) && v->kind == VAL_NUMBER)
			files += (size_t)v->u.number;
		if ((v = val_object_getstr(meta, "size")) && v->kind == VAL_NUMBER)
			size += (off_t)v->u.number;
	}
	strbuf_addstr(&body, "{\"name\":");
	json_write_string(&body, name, strlen(name));
	strbuf_addstr(&body, ",\"job\":");
	json_write_string(&body, ctx->job_key ? ctx->job_key : "",
			  ctx->job_key ? strlen(ctx->job_key) : 0);
	strbuf_addf(&body, ",\"files\":%zu,\"size\":%lld,\"digest\":\"%s\",\"created_at\":%lld}\n",
		    files, (long long)size, digest, (long long)time(NULL));
	ret = fs_write_file(path.buf, body.buf, body.len, 0644, err);
	arena_release(&a);
	strbuf_release(&body);
	strbuf_release(&path);
	strbuf_release(&old);
	strbuf_release(&scratch);
	return ret;
}

/*
 * Put the archive made in tmp (a directory) in place as artifact name:
 * a rename, refused when the name exists unless overwrite (v4); for v3
 * the archive joins the existing artifact.
 */
static int artifact_place(const struct stage_ctx *ctx, const char *base, const char *tmp,
			  const char *name, int overwrite, struct strbuf *err)
{
	struct strbuf dst = STRBUF_INIT, old = STRBUF_INIT, part = STRBUF_INIT;
	struct strbuf from = STRBUF_INIT;
	int ret = -1;

	strbuf_addf(&dst, "%s/%s", base, name);
	if (!rename(tmp, dst.buf)) {
		ret = 0;
		goto out;
	}
	if (errno != EEXIST && errno != ENOTEMPTY) {
		strbuf_addf(err, "cannot store artifact '%s': %s", name, strerror(errno));
		goto out;
	}
	if (artifact_v3(ctx)) {
		strbuf_addf(&from, "%s/%s%s", tmp, name, ARTIFACT_SUFFIX);
		for (int n = 2; ret < 0 && n < 10000; n++) {
			strbuf_reset(&part);
			strbuf_addf(&part, "%s/%s.%d%s", dst.buf, name, n, ARTIFACT_SUFFIX);
			if (!link(from.buf, part.buf))
				ret = 0;
			else if (errno != EEXIST)
				break;
		}
		if (ret < 0)
			strbuf_addf(err, "cannot add to artifact '%s': %s", name, strerror(errno));
		goto out;
	}
	if (!overwrite) {
		strbuf_addf(err, "Failed to CreateArtifact: an artifact with this name already "
			    "exists on the workflow run: '%s' (set 'overwrite: true' to replace it)",
			    name);
		goto out;
	}
	strbuf_addf(&old, "%s.replaced", tmp);
	if (rename(dst.buf, old.buf) < 0 || rename(tmp, dst.buf) < 0) {
		strbuf_addf(err, "cannot replace artifact '%s': %s", name, strerror(errno));
		goto out;
	}
	ret = fs_rm_rf(old.buf, err);
out:
	strbuf_release(&dst);
	strbuf_release(&old);
	strbuf_release(&part);
	strbuf_release(&from);
	return ret;
}

/* How many artifacts the run has (the new one's id). */
static size_t artifact_count(const char *base)
{
	DIR *d = opendir(base);
	struct dirent *de;
	size_t n = 0;

	while (d && (de = readdir(d)))
		n += de->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

static int artifact_no_files(struct stage_ctx *ctx, const char *what)
{
	const char *mode = stage_input(ctx, "if-no-files-found");
	static const char msg[] = "No files were found with the provided path: %s. No artifacts "
				  "will be uploaded.";

	if (!strcmp(mode, "error"))
		return stage_fail(ctx, msg, what);
	if (!strcmp(mode, "ignore"))
		stage_log(ctx, msg, what);
	else
		stage_warning(ctx, msg, what);
	return 0;
}

static int upload_main(struct stage_ctx *ctx)
{
	const char *name = stage_input(ctx, "name");
	struct strbuf base = STRBUF_INIT, root = STRBUF_INIT, tmp = STRBUF_INIT, err = STRBUF_INIT;
	struct strbuf file = STRBUF_INIT, digest = STRBUF_INIT, url = STRBUF_INIT;
	struct strlist rel = STRLIST_INIT;
	struct tarball_opts topts = { TARBALL_TAR_ZSTD, NULL, 1 };
	int overwrite = stage_input_bool(ctx, "overwrite"), ret = 1;
	struct stat st;

	if (overwrite < 0 || artifact_dir(ctx, &base) < 0)
		goto out;
	if (!artifact_name_ok(name)) {
		ret = stage_fail(ctx, "the artifact name '%s' is not valid: it may not contain \" < > "
				 "| * ? : \\ / or line breaks, nor start with '.'", name);
		goto out;
	}
	if (artifact_collect(ctx, &root, &rel, &err) < 0) {
		ret = stage_fail(ctx, "%s", err.buf);
		goto out;
	}
	if (!rel.nr) {
		ret = artifact_no_files(ctx, stage_input(ctx, "path"));
		goto out;
	}
	if (fs_mkdir_p(base.buf, 0755, &err) < 0 || fs_mkdtemp(&tmp, base.buf, ".upload-", &err) < 0)
		goto fail;
	strbuf_addf(&file, "%s/%s%s", tmp.buf, name, ARTIFACT_SUFFIX);
	if (tarball_create_file(file.buf, root.buf, &rel, &topts, &err) < 0 ||
	    stat(file.buf, &st) < 0 || artifact_digest(file.buf, &digest) < 0)
		goto fail;
	if (chmod(tmp.buf, 0755) < 0 ||
	    artifact_write_meta(ctx, tmp.buf, name, rel.nr, st.st_size, digest.buf, &err) < 0 ||
	    artifact_place(ctx, base.buf, tmp.buf, name, overwrite, &err) < 0)
		goto fail;
	if (artifact_v3(ctx)) {
		strbuf_reset(&file);
		strbuf_addf(&file, "%s/%s", base.buf, name);
		if (artifact_write_meta(ctx, file.buf, name, rel.nr, st.st_size, digest.buf, &err) < 0)
			goto fail;
	}
	stage_log(ctx, "Uploaded %zu file%s (%lld bytes compressed) from %s as artifact '%s'",
		  rel.nr, rel.nr == 1 ? "" : "s", (long long)st.st_size, root.buf, name);
	strbuf_addf(&url, "file://%s/%s", base.buf, name);
	strbuf_reset(&file);
	strbuf_addf(&file, "%zu", artifact_count(base.buf));
	ret = stage_set_output(ctx, "artifact-id", file.buf) ||
	      stage_set_output(ctx, "artifact-url", url.buf) ||
	      stage_set_output(ctx, "artifact-digest", digest.buf);
	goto out;
fail:
	ret = stage_fail(ctx, "%s", err.buf);
out:
	if (tmp.len && fs_exists(tmp.buf))
		fs_rm_rf(tmp.buf, &err);
	strbuf_release(&base);
	strbuf_release(&root);
	strbuf_release(&tmp);
	strbuf_release(&err);
	strbuf_release(&file);
	strbuf_release(&digest);
	strbuf_release(&url);
	strlist_release(&rel);
	return ret;
}

/* ---------------------------------------------------------------- download */

/* Extract every archive of artifact dir into dest. */
static int artifact_extract(const char *dir, const char *dest, size_t *parts, struct strbuf *err)
{
	struct dirent **list = NULL;
	struct strbuf path = STRBUF_INIT;
	int n = scandir(dir, &list, NULL, alphasort), ret = 0;
	size_t sl = strlen(ARTIFACT_SUFFIX);

	if (n < 0) {
		strbuf_addf(err, "cannot read '%s': %s", dir, strerror(errno));
		return -1;
	}
	if (fs_mkdir_p(dest, 0755, err) < 0)
		ret = -1;
	for (int i = 0; i < n; i++) {
		size_t len = strlen(list[i]->d_name);

		if (!ret && len > sl && !strcmp(list[i]->d_name + len - sl, ARTIFACT_SUFFIX)) {
			strbuf_reset(&path);
			strbuf_addf(&path, "%s/%s", dir, list[i]->d_name);
			ret = tarball_extract_file(dest, path.buf, err);
			++*parts;
		}
		free(list[i]);
	}
	free(list);
	strbuf_release(&path);
	return ret;
}

/* The names of the run's artifacts matching pattern (all without one), sorted. */
static int artifact_list(const char *base, const char *pattern, struct strlist *out,
			 struct strbuf *err)
{
	struct glob_filter *f = NULL;
	struct dirent **list = NULL;
	int n, ret = 0;

	if (*pattern && glob_filter_compile(&f, pattern, err) < 0)
		return -1;
	n = scandir(base, &list, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		const char *name = list[i]->d_name;

		if (name[0] != '.' && (!f || glob_filter_match(f, name, strlen(name))))
			strlist_push(out, name);
		free(list[i]);
	}
	free(list);
	if (n < 0 && errno != ENOENT) {
		strbuf_addf(err, "cannot read '%s': %s", base, strerror(errno));
		ret = -1;
	}
	glob_filter_free(f);
	return ret;
}

static int download_main(struct stage_ctx *ctx)
{
	const char *name = stage_input(ctx, "name"), *path = stage_input(ctx, "path");
	const char *pattern = stage_input(ctx, "pattern");
	struct strbuf base = STRBUF_INIT, dest = STRBUF_INIT, err = STRBUF_INIT, one = STRBUF_INIT;
	struct strbuf dir = STRBUF_INIT;
	struct strlist names = STRLIST_INIT;
	int merge = stage_input_bool(ctx, "merge-multiple"), ret = 1;
	size_t parts = 0;

	if (merge < 0 || artifact_dir(ctx, &base) < 0)
		goto out;
	if (*path == '~' && stage_getenv(ctx, "HOME"))
		strbuf_addf(&dest, "%s%s", stage_getenv(ctx, "HOME"), path + 1);
	else
		fs_path_join(&dest, *path == '/' ? "" : ctx->workspace, path);
	if (*name) {
		strbuf_addf(&dir, "%s/%s", base.buf, name);
		if (!artifact_name_ok(name) || !fs_is_dir(dir.buf)) {
			ret = stage_fail(ctx, "Unable to download artifact(s): Artifact not found for "
					 "name: %s (the artifacts of this run: upload it in a job "
					 "this one needs)", name);
			goto out;
		}
		if (artifact_extract(dir.buf, dest.buf, &parts, &err) < 0)
			goto fail;
		stage_log(ctx, "Downloaded artifact '%s' into %s", name, dest.buf);
	} else {
		if (artifact_list(base.buf, pattern, &names, &err) < 0)
			goto fail;
		for (size_t i = 0; i < names.nr; i++) {
			strbuf_reset(&dir);
			strbuf_reset(&one);
			strbuf_addf(&dir, "%s/%s", base.buf, names.items[i]);
			if (merge)
				strbuf_add(&one, dest.buf, dest.len);
			else
				fs_path_join(&one, dest.buf, names.items[i]);
			if (artifact_extract(dir.buf, one.buf, &parts, &err) < 0)
				goto fail;
			stage_log(ctx, "Downloaded artifact '%s' into %s", names.items[i], one.buf);
		}
		if (!names.nr)
			stage_log(ctx, "No artifacts%s%s%s to download", *pattern ? " match '" : "",
				  pattern, *pattern ? "'" : "");
	}
	strbuf_reset(&one);
	stage_step_path(ctx, dest.buf, &one);
	ret = stage_set_output(ctx, "download-path", one.buf);
	goto out;
fail:
	ret = stage_fail(ctx, "%s", err.buf);
out:
	strbuf_release(&base);
	strbuf_release(&dest);
	strbuf_release(&err);
	strbuf_release(&one);
	strbuf_release(&dir);
	strlist_release(&names);
	return ret;
}

static const struct stage_input upload_inputs[] = {
	{ "name", "artifact" }, { "path", NULL }, { "if-no-files-found", "warn" },
	{ "retention-days", NULL }, { "compression-level", "6" }, { "overwrite", "false" },
	{ "include-hidden-files", "false" }, { NULL, NULL },
};
static const struct stage_input download_inputs[] = {
	{ "name", NULL }, { "artifact-ids", NULL }, { "path", "." }, { "pattern", NULL },
	{ "merge-multiple", "false" }, { "github-token", NULL }, { "repository", NULL },
	{ "run-id", NULL }, { NULL, NULL },
};

const struct stage stage_upload_artifact = {
	"actions/upload-artifact", upload_inputs, upload_main, NULL, NULL,
};
const struct stage stage_download_artifact = {
	"actions/download-artifact", download_inputs, download_main, NULL, NULL,
};
