/*
 * actions: resolving `uses:` references to directories — --action-path
 * overrides, the cache of fetched repository trees (one directory per
 * owner/repo/ref, moved into place by rename so readers never see half
 * of one), fetching through util/gitio — and loading action.yml. It
 * runs nothing.
 */
#include "runner/actions.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "stages/stage.h"
#include "util/fs.h"
#include "util/gitio.h"
#include "util/xalloc.h"

/* The cache's note of what a ref was, beside its tree ("<kind> <sha>\n"). */
#define ACTIONS_NOTE_MAX 256

/*
 * Append s as one safe path component: bytes outside [A-Za-z0-9._-], and
 * a leading '.', as %XX; folded to lower case when fold (owner and repo
 * names, which GitHub compares without case).
 */
static void actions_escape(struct strbuf *out, const char *s, int fold)
{
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if ((isalnum(c) || c == '_' || c == '-' || c == '.') && !(c == '.' && p == s))
			strbuf_addch(out, fold ? (char)tolower(c) : (char)c);
		else
			strbuf_addf(out, "%%%02X", c);
	}
}

/* <cache>/<owner>/<repo>/<ref> */
static void actions_cache_path(struct strbuf *out, const struct actions_opts *o,
			       const struct wf_uses *u)
{
	strbuf_addf(out, "%s/", o->cache_dir);
	actions_escape(out, u->owner, 1);
	strbuf_addch(out, '/');
	actions_escape(out, u->repo, 1);
	strbuf_addch(out, '/');
	actions_escape(out, u->ref, 0);
}

/* The --action-path directory given for u, or NULL. */
static const char *actions_override(const struct actions_opts *o, const struct wf_uses *u)
{
	size_t on = strlen(u->owner), rn = strlen(u->repo);

	for (size_t i = 0; o->overrides && i < o->overrides->nr; i++) {
		const char *e = o->overrides->items[i], *eq = strchr(e, '='), *at;

		if (!eq || strncasecmp(e, u->owner, on) || e[on] != '/' ||
		    strncasecmp(e + on + 1, u->repo, rn))
			continue;
		at = e + on + 1 + rn;
		if (at == eq || (*at == '@' && (size_t)(eq - at - 1) == strlen(u->ref) &&
				 !strncmp(at + 1, u->ref, strlen(u->ref))))
			return eq + 1;
	}
	return NULL;
}

int actions_repo_dir(struct strbuf *out, const struct actions_opts *o, const struct wf_uses *u,
		     struct strbuf *err)
{
	const char *dir = actions_override(o, u);

	if (dir) {
		if (!fs_is_dir(dir)) {
			strbuf_addf(err, "--action-path for '%s/%s': '%s' is not a directory",
				    u->owner, u->repo, dir);
			return -1;
		}
		strbuf_addstr(out, dir);
		return 0;
	}
	actions_cache_path(out, o, u);
	return fs_is_dir(out->buf) ? 0 : 1;
}

/* ---------------------------------------------------------------- fetching */

/* "owner/repo@ref" */
static void actions_name(struct strbuf *out, const struct wf_uses *u)
{
	strbuf_addf(out, "%s/%s@%s", u->owner, u->repo, u->ref);
}

/* Was the cached tree at dir a branch (to be fetched again)? */
static int actions_cached_branch(const char *dir)
{
	struct strbuf note = STRBUF_INIT, path = STRBUF_INIT, err = STRBUF_INIT;
	int branch;

	strbuf_addf(&path, "%s.ref", dir);
	branch = fs_read_file(&note, path.buf, ACTIONS_NOTE_MAX, &err) == 0 &&
		 !strncmp(note.buf, "branch ", 7);
	strbuf_release(&note);
	strbuf_release(&path);
	strbuf_release(&err);
	return branch;
}

/* Fetch u into dir (replacing what is there) and note what its ref was. */
static int actions_fetch_into(const struct actions_opts *o, const struct wf_uses *u,
			      const char *dir, struct strbuf *err)
{
	struct strbuf url = STRBUF_INIT, parent = STRBUF_INIT, note = STRBUF_INIT;
	struct strbuf old = STRBUF_INIT, scratch = STRBUF_INIT, msg = STRBUF_INIT;
	struct gitio_ref ref;
	const char *base = o->base_url ? o->base_url : ACTIONS_DEFAULT_BASE_URL;
	int ret = -1;

	strbuf_addf(&url, "%s/%s/%s", base, u->owner, u->repo);
	while (url.len > 1 && url.buf[url.len - 1] == '/')
		strbuf_setlen(&url, url.len - 1);
	strbuf_addstr(&parent, dir);
	strbuf_setlen(&parent, (size_t)(strrchr(parent.buf, '/') - parent.buf));
	if (fs_mkdir_p(parent.buf, 0755, err) < 0)
		goto out;
	if (fs_is_dir(dir)) {
		/* a branch fetched again: the new tree replaces the old one */
		if (fs_mkdtemp(&old, parent.buf, ".old-", err) < 0)
			goto out;
		strbuf_addstr(&old, "/tree");
		if (rename(dir, old.buf) < 0) {
			strbuf_addf(err, "cannot move '%s' aside: %s", dir, strerror(errno));
			goto out;
		}
	}
	if (gitio_fetch_tree(url.buf, u->ref, dir, parent.buf, &ref, &msg) < 0) {
		strbuf_addf(err, "cannot fetch action '");
		actions_name(err, u);
		strbuf_addf(err, "' from %s: %s (check the network and --action-base-url, or give "
			    "a local checkout with --action-path %s/%s@%s=DIR)", url.buf, msg.buf,
			    u->owner, u->repo, u->ref);
		if (old.len)
			rename(old.buf, dir);
		goto out;
	}
	strbuf_addf(&note, "%s %s\n", gitio_ref_kind_name(ref.kind), ref.sha);
	strbuf_reset(&url);
	strbuf_addf(&url, "%s.ref", dir);
	if (fs_write_file(url.buf, note.buf, note.len, 0644, err) < 0)
		goto out;
	ret = 0;
out:
	if (old.len) {
		strbuf_setlen(&old, old.len - strlen("/tree"));
		fs_rm_rf(old.buf, &scratch);
	}
	strbuf_release(&url);
	strbuf_release(&parent);
	strbuf_release(&note);
	strbuf_release(&old);
	strbuf_release(&scratch);
	strbuf_release(&msg);
	return ret;
}

int actions_fetch(const struct actions_opts *o, const struct wf_uses *u, struct strbuf *warn,
		  struct strbuf *err)
{
	struct strbuf dir = STRBUF_INIT, msg = STRBUF_INIT;
	int rc = actions_repo_dir(&dir, o, u, err), ret = -1;

	if (rc < 0)
		goto out;
	if (rc == 0 && (o->offline || actions_override(o, u) || !actions_cached_branch(dir.buf))) {
		ret = 0;
		goto out;
	}
	if (rc == 1 && o->offline) {
		strbuf_addstr(err, "action '");
		actions_name(err, u);
		strbuf_addf(err, "' is not in the action cache (%s) and --offline forbids fetching "
			    "it: run once without --offline, or give a local checkout with "
			    "--action-path %s/%s@%s=DIR", o->cache_dir, u->owner, u->repo, u->ref);
		goto out;
	}
	if (actions_fetch_into(o, u, dir.buf, &msg) < 0) {
		if (rc == 1) {
			strbuf_add(err, msg.buf, msg.len);
			goto out;
		}
		strbuf_addf(warn, "%s; using the tree fetched earlier\n", msg.buf);
	}
	ret = 0;
out:
	strbuf_release(&dir);
	strbuf_release(&msg);
	return ret;
}

/* ---------------------------------------------------------------- loading */

void actions_src_release(struct action_src *s)
{
	action_release(&s->act);
	free(s->dir);
	free(s->step_dir);
	free(s->repository);
	free(s->ref);
	memset(s, 0, sizeof(*s));
}

/* The failure recorded for u by an earlier fetch, or NULL. */
static const char *actions_failure(const struct actions_opts *o, const struct wf_uses *u)
{
	struct strbuf key = STRBUF_INIT;
	const char *msg = NULL;

	actions_name(&key, u);
	strbuf_addch(&key, '\t');
	for (size_t i = 0; o->failures && !msg && i < o->failures->nr; i++)
		if (!strncmp(o->failures->items[i], key.buf, key.len))
			msg = o->failures->items[i] + key.len;
	strbuf_release(&key);
	return msg;
}

int actions_load(struct action_src *out, const struct actions_opts *o, const struct wf_uses *u,
		 const char *text, const char *workspace, struct strbuf *err)
{
	static const char *const files[] = { "action.yml", "action.yaml" };
	struct diag_list diags = DIAG_LIST_INIT;
	struct strbuf dir = STRBUF_INIT, file = STRBUF_INIT;
	int ret = -1, rc;

	memset(out, 0, sizeof(*out));
	if (u->kind == WF_USES_LOCAL) {
		fs_path_join(&dir, workspace, u->path);
	} else if ((rc = actions_repo_dir(&dir, o, u, err)) != 0) {
		const char *why = rc > 0 ? actions_failure(o, u) : NULL;

		if (why)
			strbuf_addstr(err, why);
		else if (rc > 0)
			strbuf_addf(err, "action '%s' is not in the action cache (%s): it is fetched "
				    "when the run starts; give a local checkout with --action-path "
				    "%s/%s@%s=DIR", text, o->cache_dir, u->owner, u->repo, u->ref);
		goto out;
	} else if (*u->path) {
		strbuf_addch(&dir, '/');
		strbuf_addstr(&dir, u->path);
	}
	for (size_t i = 0; i < 2 && !file.len; i++) {
		fs_path_join(&file, dir.buf, files[i]);
		if (!fs_exists(file.buf))
			strbuf_reset(&file);
	}
	if (!file.len) {
		strbuf_addf(err, "action '%s': no action.yml or action.yaml in '%s'%s", text, dir.buf,
			    u->kind == WF_USES_LOCAL ? " (local actions are read from the workspace)"
			    : "");
		goto out;
	}
	if (action_load_file(&out->act, file.buf, &diags) < 0) {
		strbuf_addf(err, "action '%s' is invalid:", text);
		for (size_t i = 0; i < diags.nr; i++)
			if (diags.items[i].severity == DIAG_ERROR)
				strbuf_addf(err, "\n%s:%d:%d: error: %s", diags.items[i].file,
					    diags.items[i].line, diags.items[i].col,
					    diags.items[i].message);
		goto out;
	}
	out->dir = strbuf_detach(&dir, NULL);
	out->repository = u->kind == WF_USES_REMOTE ? NULL : xstrdup("");
	if (u->kind == WF_USES_REMOTE) {
		struct strbuf r = STRBUF_INIT;

		strbuf_addf(&r, "%s/%s", u->owner, u->repo);
		out->repository = strbuf_detach(&r, NULL);
	}
	out->ref = xstrdup(u->kind == WF_USES_REMOTE ? u->ref : "");
	ret = 0;
out:
	if (ret < 0)
		actions_src_release(out);
	diag_list_release(&diags);
	strbuf_release(&dir);
	strbuf_release(&file);
	return ret;
}

/* ---------------------------------------------------------------- prefetching */

void actions_prefetch(const struct actions_opts *o, const struct wf_step *steps, size_t nr,
		      const char *workspace, struct strlist *seen, struct strbuf *warn)
{
	for (size_t i = 0; i < nr; i++) {
		const struct wf_step *s = &steps[i];
		const char *text = s->uses_node ? s->uses_node->u.scalar.ptr : NULL;
		struct strbuf err = STRBUF_INIT, key = STRBUF_INIT;
		struct action_src src;

		if (s->parallel_nr)
			actions_prefetch(o, s->parallel_steps, s->parallel_nr, workspace, seen, warn);
		if (!s->has_uses || s->uses.kind == WF_USES_DOCKER ||
		    stage_find(text, o->no_builtin))
			continue;
		if (s->uses.kind == WF_USES_REMOTE)
			actions_name(&key, &s->uses);
		else
			strbuf_addf(&key, "./%s", s->uses.path);
		if (strlist_find(seen, key.buf) >= 0) {
			strbuf_release(&key);
			continue;
		}
		strlist_push(seen, key.buf);
		if (s->uses.kind == WF_USES_REMOTE && actions_fetch(o, &s->uses, warn, &err) < 0) {
			strbuf_addf(warn, "%s\n", err.buf);
			if (o->failures)
				strlist_pushf(o->failures, "%s\t%s", key.buf, err.buf);
		} else if (actions_load(&src, o, &s->uses, text, workspace, &err) == 0) {
			if (src.act.kind == ACTION_COMPOSITE)
				actions_prefetch(o, src.act.steps, src.act.steps_nr, workspace, seen,
						 warn);
			actions_src_release(&src);
		}
		strbuf_release(&err);
		strbuf_release(&key);
	}
}
