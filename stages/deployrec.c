/*
 * deployrec: the per-environment deployment records — reading, locking
 * (flock on a file beside the record), adding an attempt, atomic writes,
 * listing environments. What an entry means is stages/deployrec.h's.
 */
#include "stages/deployrec.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "util/fs.h"
#include "util/json.h"
#include "util/xalloc.h"

/* A record file larger than this is not ours. */
#define DEPLOYREC_FILE_MAX (16 * 1024 * 1024)

int deployrec_valid_env(const char *name)
{
	size_t n = strlen(name);

	if (!n || n > 128 || name[0] == '.')
		return 0;
	return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
	       == n;
}

void deployrec_path(struct strbuf *out, const char *state, const char *env)
{
	strbuf_reset(out);
	strbuf_addf(out, "%s/deployments", state);
	if (env)
		strbuf_addf(out, "/%s.json", env);
}

/* Take the environment's lock: <state>/deployments/<env>.lock. */
static int deployrec_lock(struct deployrec *r, const char *dir, const char *env,
			  struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	int ret = -1;

	strbuf_addf(&path, "%s/%s.lock", dir, env);
	r->lock_fd = open(path.buf, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (r->lock_fd < 0) {
		strbuf_addf(err, "cannot open '%s': ", path.buf);
		strbuf_add_strerror(err, errno);
		goto out;
	}
	while (flock(r->lock_fd, LOCK_EX) < 0) {
		if (errno == EINTR)
			continue;
		strbuf_addf(err, "cannot lock '%s': ", path.buf);
		strbuf_add_strerror(err, errno);
		close(r->lock_fd);
		r->lock_fd = -1;
		goto out;
	}
	ret = 0;
out:
	strbuf_release(&path);
	return ret;
}

int deployrec_open(struct deployrec *r, const char *state, const char *env, int lock,
		   struct strbuf *err)
{
	struct strbuf dir = STRBUF_INIT, path = STRBUF_INIT;
	struct val *h;
	int ret = -1;

	memset(r, 0, sizeof(*r));
	arena_init(&r->arena);
	r->lock_fd = -1;
	r->doc = val_null();
	if (!deployrec_valid_env(env)) {
		strbuf_addf(err, "'%s' is not an environment name (letters, digits, '.', '_', '-')",
			    env);
		goto out;
	}
	deployrec_path(&dir, state, NULL);
	deployrec_path(&path, state, env);
	r->path = xstrdup(path.buf);
	if (lock && (fs_mkdir_p(dir.buf, 0755, err) < 0 || deployrec_lock(r, dir.buf, env, err) < 0))
		goto out;
	if (fs_exists(path.buf)) {
		if (json_parse_file(&r->doc, &r->arena, path.buf, err) < 0)
			goto out;
		h = val_object_getstr(r->doc, "history");
		if (r->doc.kind != VAL_OBJECT || !h || h->kind != VAL_ARRAY) {
			strbuf_addf(err, "'%s' is not a deployment record", path.buf);
			goto out;
		}
	} else {
		r->doc = val_new_object(&r->arena);
		val_object_setstr(&r->arena, r->doc, "environment", val_cstring(&r->arena, env));
		val_object_setstr(&r->arena, r->doc, "current", val_null());
		val_object_setstr(&r->arena, r->doc, "previous", val_null());
		val_object_setstr(&r->arena, r->doc, "history", val_new_array(&r->arena));
	}
	ret = 0;
out:
	strbuf_release(&dir);
	strbuf_release(&path);
	return ret;
}

void deployrec_release(struct deployrec *r)
{
	if (r->lock_fd >= 0)
		close(r->lock_fd);      /* drops the lock */
	free(r->path);
	arena_release(&r->arena);
	memset(r, 0, sizeof(*r));
	r->lock_fd = -1;
}

static const struct val *deployrec_entry(const struct deployrec *r, const char *key)
{
	const struct val *v = val_object_getstr(r->doc, key);

	return v && v->kind == VAL_OBJECT ? v : NULL;
}

const struct val *deployrec_current(const struct deployrec *r)
{
	return deployrec_entry(r, "current");
}

const struct val *deployrec_previous(const struct deployrec *r)
{
	return deployrec_entry(r, "previous");
}

struct val deployrec_history(const struct deployrec *r)
{
	static struct val_array none;
	const struct val *h = val_object_getstr(r->doc, "history");
	struct val empty = { VAL_ARRAY, { .array = &none } };

	return h && h->kind == VAL_ARRAY ? *h : empty;
}

int deployrec_add(struct deployrec *r, struct val entry, struct strbuf *err)
{
	struct val old = deployrec_history(r), hist = val_new_array(&r->arena);
	const struct val *result = val_object_getstr(entry, "result"), *cur = deployrec_current(r);
	struct strbuf text = STRBUF_INIT;
	int ret;

	val_array_push(&r->arena, hist, entry);
	for (size_t i = 0; i < old.u.array->nr && hist.u.array->nr < DEPLOYREC_HISTORY_MAX; i++)
		val_array_push(&r->arena, hist, old.u.array->items[i]);
	val_object_setstr(&r->arena, r->doc, "history", hist);
	if (result && result->kind == VAL_STRING && !strcmp(result->u.string.ptr, "success")) {
		val_object_setstr(&r->arena, r->doc, "previous", cur ? *cur : val_null());
		val_object_setstr(&r->arena, r->doc, "current", entry);
	}
	json_write(&text, r->doc, JSON_PRETTY);
	strbuf_addch(&text, '\n');
	ret = fs_write_file(r->path, text.buf, text.len, 0644, err);
	strbuf_release(&text);
	return ret;
}

static int deployrec_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int deployrec_environments(struct strlist *out, const char *state, struct strbuf *err)
{
	struct strbuf dir = STRBUF_INIT;
	struct dirent *de;
	size_t first = out->nr;
	DIR *d;

	deployrec_path(&dir, state, NULL);
	d = opendir(dir.buf);
	if (!d) {
		int rc = errno == ENOENT ? 0 : -1;

		if (rc) {
			strbuf_addf(err, "cannot read '%s': ", dir.buf);
			strbuf_add_strerror(err, errno);
		}
		strbuf_release(&dir);
		return rc;
	}
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (n > 5 && !strcmp(de->d_name + n - 5, ".json")) {
			char *name = xstrndup(de->d_name, n - 5);

			if (deployrec_valid_env(name))
				strlist_push_owned(out, name);
			else
				free(name);
		}
	}
	closedir(d);
	if (out->nr > first)
		qsort(out->items + first, out->nr - first, sizeof(*out->items), deployrec_cmp);
	strbuf_release(&dir);
	return 0;
}
