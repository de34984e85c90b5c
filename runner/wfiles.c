/*
 * wfiles: argument expansion for the commands that read workflow files,
 * and the walk up from the current directory to the repository root
 * (the directory holding .git). Paths stay relative when they were.
 */
#include "runner/wfiles.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int wfiles_has_suffix(const char *name, const char *suffix)
{
	size_t n = strlen(name), s = strlen(suffix);

	return n > s && !strcmp(name + n - s, suffix);
}

int wfiles_is_action(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *name = slash ? slash + 1 : path;

	return !strcmp(name, "action.yml") || !strcmp(name, "action.yaml");
}

int wfiles_repo_root(struct strbuf *out, const char *path)
{
	static const char dir[] = ".github/workflows/";
	const char *slash = strrchr(path, '/'), *at;
	size_t n = strlen(dir);

	if (!slash || (size_t)(slash + 1 - path) < n || strncmp(slash + 1 - n, dir, n))
		return 0;
	at = slash + 1 - n;
	if (at != path && at[-1] != '/')
		return 0;
	if (at == path)
		strbuf_addch(out, '.');
	else
		strbuf_add(out, path, (size_t)(at - 1 - path));
	if (!out->len)
		strbuf_addch(out, '/');
	return 1;
}

static int wfiles_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int wfiles_scan_dir(struct strlist *out, const char *dir, struct strbuf *err)
{
	struct strlist names = STRLIST_INIT;
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t dlen = strlen(dir);

	if (!d) {
		strbuf_addf(err, "cannot read directory '%s': ", dir);
		strbuf_add_strerror(err, errno);
		return -1;
	}
	while ((e = readdir(d))) {
		struct strbuf path = STRBUF_INIT;
		struct stat st;

		if (e->d_name[0] == '.' ||
		    !(wfiles_has_suffix(e->d_name, ".yml") || wfiles_has_suffix(e->d_name, ".yaml")))
			continue;
		strbuf_addf(&path, "%s%s%s", dir, dlen && dir[dlen - 1] == '/' ? "" : "/",
			    e->d_name);
		if (stat(path.buf, &st) == 0 && S_ISREG(st.st_mode))
			strlist_push_owned(&names, strbuf_detach(&path, NULL));
		else
			strbuf_release(&path);
	}
	closedir(d);
	if (names.nr)
		qsort(names.items, names.nr, sizeof(*names.items), wfiles_cmp);
	for (size_t i = 0; i < names.nr; i++)
		strlist_push(out, names.items[i]);
	strlist_release(&names);
	return 0;
}

/* "../../.github/workflows" for the nearest directory upwards that holds .git. */
static int wfiles_repository(struct strbuf *out, struct strbuf *err)
{
	char *cwd = getcwd(NULL, 0);
	struct strbuf probe = STRBUF_INIT;
	struct stat st;
	size_t len;
	int found = 0;

	if (!cwd) {
		strbuf_addstr(err, "cannot find the current directory: ");
		strbuf_add_strerror(err, errno);
		return -1;
	}
	len = strlen(cwd);
	for (int up = 0; !found; up++) {
		strbuf_reset(&probe);
		strbuf_add(&probe, cwd, len);
		strbuf_addstr(&probe, len > 1 ? "/.git" : ".git");
		if (stat(probe.buf, &st) == 0) {
			for (int i = 0; i < up; i++)
				strbuf_addstr(out, "../");
			strbuf_addstr(out, ".github/workflows");
			found = 1;
		} else if (len <= 1) {
			break;
		} else {
			while (len > 1 && cwd[len - 1] != '/')
				len--;
			if (len > 1)
				len--;
		}
	}
	free(cwd);
	strbuf_release(&probe);
	if (!found) {
		strbuf_addstr(err, "not inside a git repository: name the workflow files or "
			      "directories to read");
		return -1;
	}
	if (stat(out->buf, &st) < 0 || !S_ISDIR(st.st_mode)) {
		strbuf_addf(err, "no workflows: '%s' is not a directory", out->buf);
		return -1;
	}
	return 0;
}

int wfiles_collect(struct strlist *out, const char **paths, int nr, struct strbuf *err)
{
	struct strbuf repo = STRBUF_INIT;
	int ret = 0;

	if (nr == 0) {
		if (wfiles_repository(&repo, err) < 0 || wfiles_scan_dir(out, repo.buf, err) < 0)
			ret = -1;
		strbuf_release(&repo);
		return ret;
	}
	for (int i = 0; i < nr; i++) {
		struct stat st;

		if (stat(paths[i], &st) < 0) {
			strbuf_addf(err, "cannot read '%s': ", paths[i]);
			strbuf_add_strerror(err, errno);
			return -1;
		}
		if (S_ISDIR(st.st_mode)) {
			if (wfiles_scan_dir(out, paths[i], err) < 0)
				return -1;
		} else {
			strlist_push(out, paths[i]);
		}
	}
	return 0;
}
