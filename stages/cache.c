/*
 * cache: actions/cache, actions/cache/restore and actions/cache/save as
 * built-in stages over a local store shared by runs (SLIPWAY_CACHE_DIR):
 * one directory per entry with its key, its version (the paths, as
 * actions/cache scopes entries) and tar.zst archives — what lies in the
 * workspace stored relative to it, the rest by absolute path. Restore
 * matches the key, then each restore key as a prefix, newest first; the
 * post step saves on success unless the primary key was hit.
 */
#include "stages/stages.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/digest.h"
#include "util/fs.h"
#include "util/glob.h"
#include "util/tarball.h"
#include "util/xalloc.h"

#define CACHE_KEY_MAX 512
#define CACHE_NOTE_MAX (CACHE_KEY_MAX + 128)

/* The archives of an entry: files under the workspace, and the others by absolute path. */
static const char *const cache_parts[] = { "workspace.tar.zst", "absolute.tar.zst" };

/* The store, or -1 (printed) when the runner gave none. */
static int cache_store(const struct stage_ctx *ctx, struct strbuf *out)
{
	if (!ctx->cache_dir) {
		stage_fail(ctx, "SLIPWAY_CACHE_DIR is not set: the runner names the cache store");
		return -1;
	}
	strbuf_addstr(out, ctx->cache_dir);
	return 0;
}

/* The paths' lines, "~" expanded, as actions/cache computes its version from them. */
static void cache_paths(const struct stage_ctx *ctx, struct strlist *out)
{
	struct strlist lines = STRLIST_INIT;
	const char *home = stage_getenv(ctx, "HOME");

	stage_input_lines(ctx, "path", &lines);
	for (size_t i = 0; i < lines.nr; i++) {
		const char *l = lines.items[i];

		if (l[0] == '~' && (l[1] == '/' || !l[1]) && home)
			strlist_pushf(out, "%s%s", home, l + 1);
		else
			strlist_push(out, l);
	}
	strlist_release(&lines);
}

/* The version of an entry: sha256 of the path lines and the compression, as actions/cache. */
static void cache_version(const struct strlist *paths, struct strbuf *out)
{
	struct strbuf all = STRBUF_INIT;
	unsigned char sum[DIGEST_SHA256_LEN];

	for (size_t i = 0; i < paths->nr; i++)
		strbuf_addf(&all, "%s|", paths->items[i]);
	strbuf_addstr(&all, "zstd-without-long|1.0");
	digest_sha256(sum, all.buf, all.len);
	digest_hex(out, sum, sizeof(sum));
	strbuf_release(&all);
}

/* The entry directory of key: <store>/<sha256(version + key)>. */
static void cache_entry_dir(struct strbuf *out, const char *store, const char *version,
			    const char *key)
{
	struct strbuf id = STRBUF_INIT;
	unsigned char sum[DIGEST_SHA256_LEN];

	strbuf_addf(&id, "%s\n%s", version, key);
	digest_sha256(sum, id.buf, id.len);
	strbuf_addf(out, "%s/", store);
	digest_hex(out, sum, sizeof(sum));
	strbuf_release(&id);
}

/* An entry: its directory, key and when it was saved. */
struct cache_entry {
	char *dir, *key;
	struct timespec mtime;
};

static int cache_entry_newer(const void *a, const void *b)
{
	const struct cache_entry *x = a, *y = b;

	if (x->mtime.tv_sec != y->mtime.tv_sec)
		return x->mtime.tv_sec > y->mtime.tv_sec ? -1 : 1;
	if (x->mtime.tv_nsec != y->mtime.tv_nsec)
		return x->mtime.tv_nsec > y->mtime.tv_nsec ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* The store's entries of version, newest first (each entry's "note": "<version>\n<key>"). */
static void cache_entries(const char *store, const char *version, struct cache_entry **out,
			  size_t *nr)
{
	DIR *d = opendir(store);
	struct dirent *de;
	struct strbuf path = STRBUF_INIT, note = STRBUF_INIT, err = STRBUF_INIT;
	size_t alloc = 0, vlen = strlen(version);
	struct stat st;

	*out = NULL;
	*nr = 0;
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		strbuf_reset(&path);
		strbuf_reset(&note);
		strbuf_addf(&path, "%s/%s/note", store, de->d_name);
		if (fs_read_file(&note, path.buf, CACHE_NOTE_MAX, &err) < 0 ||
		    strncmp(note.buf, version, vlen) || note.buf[vlen] != '\n' ||
		    stat(path.buf, &st) < 0) {
			strbuf_reset(&err);
			continue;
		}
		ALLOC_GROW(*out, *nr + 1, alloc);
		strbuf_setlen(&path, path.len - strlen("/note"));
		(*out)[*nr].dir = xstrdup(path.buf);
		(*out)[*nr].key = xstrdup(note.buf + vlen + 1);
		(*out)[(*nr)++].mtime = st.st_mtim;
	}
	if (d)
		closedir(d);
	if (*nr)
		qsort(*out, *nr, sizeof(**out), cache_entry_newer);
	strbuf_release(&path);
	strbuf_release(&note);
	strbuf_release(&err);
}

static void cache_entries_free(struct cache_entry *e, size_t nr)
{
	for (size_t i = 0; i < nr; i++) {
		free(e[i].dir);
		free(e[i].key);
	}
	free(e);
}

/* The key input, checked as actions/cache checks it; NULL after printing why. */
static const char *cache_key(const struct stage_ctx *ctx, const char *key)
{
	if (!*key) {
		stage_fail(ctx, "Input required and not supplied: key");
		return NULL;
	}
	if (strlen(key) > CACHE_KEY_MAX || strchr(key, ',')) {
		stage_fail(ctx, "Key Validation Error: %s cannot be larger than %d characters nor "
			   "contain commas.", key, CACHE_KEY_MAX);
		return NULL;
	}
	return key;
}

/*
 * The entry for keys (the primary key first): for each key in turn, an
 * entry with exactly that key, else the newest whose key starts with it,
 * as GitHub's cache service looks them up. NULL when none matches.
 */
static const struct cache_entry *cache_match(const struct cache_entry *e, size_t nr,
					     const struct strlist *keys)
{
	for (size_t k = 0; k < keys->nr; k++) {
		const char *key = keys->items[k];

		for (size_t i = 0; i < nr; i++)
			if (!strcmp(e[i].key, key))
				return &e[i];
		for (size_t i = 0; i < nr; i++)
			if (!strncmp(e[i].key, key, strlen(key)))
				return &e[i];
	}
	return NULL;
}

/* Extract an entry's archives: the workspace part into the workspace, the rest into /. */
static int cache_extract(const struct stage_ctx *ctx, const char *dir, struct strbuf *err)
{
	const char *dests[] = { ctx->workspace, "/" };
	struct strbuf path = STRBUF_INIT;
	int ret = 0;

	for (size_t i = 0; !ret && i < 2; i++) {
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", dir, cache_parts[i]);
		if (fs_exists(path.buf))
			ret = tarball_extract_file(dests[i], path.buf, err);
	}
	strbuf_release(&path);
	return ret;
}

/* The restore half: actions/cache's main step and actions/cache/restore. */
static int cache_restore(struct stage_ctx *ctx)
{
	struct strlist paths = STRLIST_INIT, keys = STRLIST_INIT;
	struct strbuf store = STRBUF_INIT, version = STRBUF_INIT, err = STRBUF_INIT;
	struct strbuf list = STRBUF_INIT;
	struct cache_entry *entries = NULL;
	const struct cache_entry *hit;
	const char *key = cache_key(ctx, stage_input(ctx, "key"));
	int lookup = stage_input_bool(ctx, "lookup-only");
	int fail_miss = stage_input_bool(ctx, "fail-on-cache-miss"), exact, ret = 1;
	size_t nr = 0;

	if (!key || lookup < 0 || fail_miss < 0 || cache_store(ctx, &store) < 0)
		goto out;
	cache_paths(ctx, &paths);
	if (!paths.nr) {
		ret = stage_fail(ctx, "Input required and not supplied: path");
		goto out;
	}
	strlist_push(&keys, key);
	stage_input_lines(ctx, "restore-keys", &keys);
	cache_version(&paths, &version);
	cache_entries(store.buf, version.buf, &entries, &nr);
	hit = cache_match(entries, nr, &keys);
	exact = hit && !strcmp(hit->key, key);
	if (stage_set_output(ctx, "cache-primary-key", key) ||
	    stage_save_state(ctx, "CACHE_KEY", key))
		goto out;
	if (!hit) {
		for (size_t i = 0; i < keys.nr; i++)
			strbuf_addf(&list, "%s%s", i ? ", " : "", keys.items[i]);
		if (fail_miss) {
			ret = stage_fail(ctx, "Failed to restore cache entry. Exiting as "
					 "fail-on-cache-miss is set. Input key: %s", key);
			goto out;
		}
		stage_log(ctx, "Cache not found for input keys: %s", list.buf);
		ret = stage_set_output(ctx, "cache-hit", "false");
		goto out;
	}
	if (!lookup && cache_extract(ctx, hit->dir, &err) < 0) {
		stage_warning(ctx, "Failed to restore: %s", err.buf);
		ret = stage_set_output(ctx, "cache-hit", "false");
		goto out;
	}
	stage_log(ctx, lookup ? "Cache found and can be restored from key: %s"
		  : "Cache restored from key: %s", hit->key);
	ret = stage_set_output(ctx, "cache-hit", exact ? "true" : "false") ||
	      stage_set_output(ctx, "cache-matched-key", hit->key) ||
	      stage_save_state(ctx, "CACHE_RESULT", hit->key);
out:
	cache_entries_free(entries, nr);
	strlist_release(&paths);
	strlist_release(&keys);
	strbuf_release(&store);
	strbuf_release(&version);
	strbuf_release(&err);
	strbuf_release(&list);
	return ret;
}

/* Split the files paths match into those under the workspace and the rest (relative to /). */
static int cache_collect(const struct stage_ctx *ctx, const struct strlist *paths,
			 struct strlist *in_ws, struct strlist *abs, struct strbuf *err)
{
	struct strbuf patterns = STRBUF_INIT;
	struct strlist files = STRLIST_INIT;
	struct glob_paths *g = NULL;
	size_t wl = strlen(ctx->workspace);
	int ret = -1;

	for (size_t i = 0; i < paths->nr; i++)
		strbuf_addf(&patterns, "%s\n", paths->items[i]);
	if (glob_paths_compile(&g, patterns.buf, patterns.len, ctx->workspace, err) < 0 ||
	    glob_paths_walk(g, 0, &files, err) < 0)
		goto out;
	for (size_t i = 0; i < files.nr; i++) {
		const char *f = files.items[i];

		if (!strncmp(f, ctx->workspace, wl) && f[wl] == '/')
			strlist_push(in_ws, f + wl + 1);
		else
			strlist_push(abs, f + 1);
	}
	ret = 0;
out:
	glob_paths_free(g);
	strlist_release(&files);
	strbuf_release(&patterns);
	return ret;
}

/* Save paths under key (the save half: the post step and actions/cache/save). */
static int cache_save_key(struct stage_ctx *ctx, const char *key)
{
	struct strlist paths = STRLIST_INIT, lists[2] = { STRLIST_INIT, STRLIST_INIT };
	struct strbuf store = STRBUF_INIT, version = STRBUF_INIT, err = STRBUF_INIT;
	struct strbuf tmp = STRBUF_INIT, entry = STRBUF_INIT, file = STRBUF_INIT;
	struct strbuf note = STRBUF_INIT;
	struct tarball_opts topts = { TARBALL_TAR_ZSTD, NULL, 0 };
	const char *roots[] = { ctx->workspace, "/" };
	int ret = 1;

	if (cache_store(ctx, &store) < 0)
		goto out;
	cache_paths(ctx, &paths);
	if (cache_collect(ctx, &paths, &lists[0], &lists[1], &err) < 0) {
		ret = stage_fail(ctx, "%s", err.buf);
		goto out;
	}
	if (!lists[0].nr && !lists[1].nr) {
		stage_warning(ctx, "Path Validation Error: Path(s) specified in the action for "
			      "caching do(es) not exist, hence no cache is being saved.");
		ret = 0;
		goto out;
	}
	cache_version(&paths, &version);
	cache_entry_dir(&entry, store.buf, version.buf, key);
	if (fs_is_dir(entry.buf)) {
		stage_warning(ctx, "Failed to save: Unable to reserve cache with key %s, another job "
			      "may be creating this cache.", key);
		ret = 0;
		goto out;
	}
	if (fs_mkdir_p(store.buf, 0755, &err) < 0 || fs_mkdtemp(&tmp, store.buf, ".save-", &err) < 0)
		goto fail;
	for (size_t i = 0; i < 2; i++) {
		if (!lists[i].nr)
			continue;
		strbuf_reset(&file);
		strbuf_addf(&file, "%s/%s", tmp.buf, cache_parts[i]);
		if (tarball_create_file(file.buf, roots[i], &lists[i], &topts, &err) < 0)
			goto fail;
	}
	strbuf_reset(&file);
	strbuf_addf(&file, "%s/note", tmp.buf);
	strbuf_addf(&note, "%s\n%s", version.buf, key);
	if (fs_write_file(file.buf, note.buf, note.len, 0644, &err) < 0)
		goto fail;
	if (rename(tmp.buf, entry.buf) < 0) {
		stage_warning(ctx, "Failed to save: Unable to reserve cache with key %s, another job "
			      "may be creating this cache.", key);
		ret = 0;
		goto out;
	}
	strbuf_reset(&tmp);
	stage_log(ctx, "Cache saved with key: %s (%zu files)", key, lists[0].nr + lists[1].nr);
	ret = 0;
	goto out;
fail:
	ret = stage_fail(ctx, "Failed to save: %s", err.buf);
out:
	if (tmp.len)
		fs_rm_rf(tmp.buf, &err);
	strlist_release(&paths);
	strlist_release(&lists[0]);
	strlist_release(&lists[1]);
	strbuf_release(&store);
	strbuf_release(&version);
	strbuf_release(&err);
	strbuf_release(&tmp);
	strbuf_release(&entry);
	strbuf_release(&file);
	strbuf_release(&note);
	return ret;
}

/* actions/cache's post step: save unless the primary key was hit. */
static int cache_post(struct stage_ctx *ctx)
{
	const char *key = stage_state(ctx, "CACHE_KEY");
	const char *matched = stage_state(ctx, "CACHE_RESULT");

	if (!key || !*key) {
		stage_log(ctx, "Key is not specified: the restore step did not run, nothing to save");
		return 0;
	}
	if (matched && !strcmp(matched, key)) {
		stage_log(ctx, "Cache hit occurred on the primary key %s, not saving cache.", key);
		return 0;
	}
	return cache_save_key(ctx, key);
}

static int cache_save_main(struct stage_ctx *ctx)
{
	const char *key = cache_key(ctx, stage_input(ctx, "key"));

	return key ? cache_save_key(ctx, key) : 1;
}

static const struct stage_input cache_inputs[] = {
	{ "path", NULL }, { "key", NULL }, { "restore-keys", NULL }, { "upload-chunk-size", NULL },
	{ "enableCrossOsArchive", "false" }, { "fail-on-cache-miss", "false" },
	{ "lookup-only", "false" }, { "save-always", "false" }, { NULL, NULL },
};
static const struct stage_input cache_save_inputs[] = {
	{ "path", NULL }, { "key", NULL }, { "upload-chunk-size", NULL },
	{ "enableCrossOsArchive", "false" }, { NULL, NULL },
};

/* post-if as actions/cache's action.yml has it: a cache is saved when the job succeeded */
const struct stage stage_cache = {
	"actions/cache", cache_inputs, cache_restore, cache_post, "success()",
};
const struct stage stage_cache_restore = {
	"actions/cache/restore", cache_inputs, cache_restore, NULL, NULL,
};
const struct stage stage_cache_save = {
	"actions/cache/save", cache_save_inputs, cache_save_main, NULL, NULL,
};
