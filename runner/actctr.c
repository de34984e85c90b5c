/*
 * actctr: a docker action's container variables and binds, from the
 * step's environment, and the content tag of an action's image. Pure
 * but for reading the action's files; the engine is runner/actrun.c's.
 */
#include "runner/actctr.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/digest.h"
#include "util/fs.h"

/* What becomes of a variable naming a place of this machine. */
enum actctr_place {
	ACTCTR_DIR,             /* a directory bound at the path */
	ACTCTR_FILE_RO,         /* a file bound read-only at the path */
	ACTCTR_FILE_COMMAND,    /* a file bound under ACTCTR_FILE_COMMANDS by its name */
	ACTCTR_DROP,            /* meaningless inside: left out */
};

static const struct {
	const char *name;
	enum actctr_place place;
	const char *path;
} actctr_places[] = {
	{ "GITHUB_WORKSPACE", ACTCTR_DIR, ACTCTR_WORKSPACE },
	{ "RUNNER_TEMP", ACTCTR_DIR, ACTCTR_TEMP },
	{ "GITHUB_EVENT_PATH", ACTCTR_FILE_RO, ACTCTR_EVENT },
	{ "GITHUB_OUTPUT", ACTCTR_FILE_COMMAND, NULL },
	{ "GITHUB_ENV", ACTCTR_FILE_COMMAND, NULL },
	{ "GITHUB_PATH", ACTCTR_FILE_COMMAND, NULL },
	{ "GITHUB_STATE", ACTCTR_FILE_COMMAND, NULL },
	{ "GITHUB_STEP_SUMMARY", ACTCTR_FILE_COMMAND, NULL },
	{ "GITHUB_ACTION_PATH", ACTCTR_DROP, NULL },
	{ "RUNNER_TOOL_CACHE", ACTCTR_DROP, NULL },
};

/* The variable prefixes a docker action always gets (with CI). */
static const char *const actctr_prefixes[] = { "GITHUB_", "RUNNER_", "INPUT_", "STATE_" };

static int actctr_passed(const char *name, size_t len, const struct strlist *pass)
{
	if (len == 2 && !memcmp(name, "CI", 2))
		return 1;
	for (size_t i = 0; i < sizeof(actctr_prefixes) / sizeof(actctr_prefixes[0]); i++)
		if (!strncmp(name, actctr_prefixes[i], strlen(actctr_prefixes[i])))
			return 1;
	for (size_t i = 0; pass && i < pass->nr; i++)
		if (strlen(pass->items[i]) == len && !memcmp(pass->items[i], name, len))
			return 1;
	return 0;
}

/* The place variable name (len bytes) is, or -1. */
static int actctr_place_of(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(actctr_places) / sizeof(actctr_places[0]); i++)
		if (strlen(actctr_places[i].name) == len && !memcmp(actctr_places[i].name, name, len))
			return (int)i;
	return -1;
}

/* Bind the place k at host path value; its container path into out. */
static int actctr_bind(struct actctr *c, int k, const char *value, struct strbuf *out,
		       struct strbuf *err)
{
	const char *base = strrchr(value, '/');

	if (*value != '/') {
		strbuf_addf(err, "'%s' is not an absolute path: '%s'", actctr_places[k].name, value);
		return -1;
	}
	switch (actctr_places[k].place) {
	case ACTCTR_DIR:
		strbuf_addstr(out, actctr_places[k].path);
		strlist_pushf(&c->binds, "%s:%s", value, out->buf);
		break;
	case ACTCTR_FILE_RO:
		strbuf_addstr(out, actctr_places[k].path);
		strlist_pushf(&c->binds, "%s:%s:ro", value, out->buf);
		break;
	case ACTCTR_FILE_COMMAND:
		strbuf_addf(out, "%s/%s", ACTCTR_FILE_COMMANDS, base + 1);
		strlist_pushf(&c->binds, "%s:%s", value, out->buf);
		break;
	case ACTCTR_DROP:
		break;
	}
	return 0;
}

int actctr_build(struct actctr *out, char *const *env, const struct strlist *pass,
		 struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	int workspace = 0, ret = -1;

	for (size_t i = 0; env[i]; i++) {
		const char *eq = strchr(env[i], '=');
		size_t len = eq ? (size_t)(eq - env[i]) : 0;
		int k;

		if (!eq || !actctr_passed(env[i], len, pass))
			continue;
		k = actctr_place_of(env[i], len);
		if (k < 0 || (actctr_places[k].place == ACTCTR_DROP && pass &&
			      strlist_find(pass, actctr_places[k].name) >= 0)) {
			strlist_push(&out->env, env[i]);
			continue;
		}
		if (actctr_places[k].place == ACTCTR_DROP || !eq[1])
			continue;
		strbuf_reset(&path);
		if (actctr_bind(out, k, eq + 1, &path, err) < 0)
			goto out;
		strlist_pushf(&out->env, "%.*s=%s", (int)len, env[i], path.buf);
		workspace |= !strcmp(actctr_places[k].name, "GITHUB_WORKSPACE");
	}
	if (!workspace) {
		strbuf_addstr(err, "GITHUB_WORKSPACE is not set");
		goto out;
	}
	ret = 0;
out:
	strbuf_release(&path);
	return ret;
}

void actctr_release(struct actctr *c)
{
	strlist_release(&c->env);
	strlist_release(&c->binds);
}

/* Feed a file's contents to d. */
static int actctr_hash_file(struct digest_sha256 *d, const char *path, struct strbuf *err)
{
	char buf[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		strbuf_addf(err, "cannot read '%s': %s", path, strerror(errno));
		return -1;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		digest_sha256_update(d, buf, (size_t)n);
	if (n < 0)
		strbuf_addf(err, "cannot read '%s': %s", path, strerror(errno));
	close(fd);
	return n < 0 ? -1 : 0;
}

int actctr_image_tag(struct strbuf *out, const char *dir, const struct strlist *files,
		     struct strbuf *err)
{
	struct digest_sha256 *d = digest_sha256_new();
	unsigned char sum[DIGEST_SHA256_LEN];
	struct strbuf path = STRBUF_INIT;
	char link[PATH_MAX];
	int ret = -1;

	for (size_t i = 0; i < files->nr; i++) {
		struct stat st;
		ssize_t n;

		strbuf_reset(&path);
		fs_path_join(&path, dir, files->items[i]);
		if (lstat(path.buf, &st) < 0) {
			strbuf_addf(err, "cannot read '%s': %s", path.buf, strerror(errno));
			goto out;
		}
		/* the name with its NUL, then the kind: 'l'ink, e'x'ecutable, 'f'ile, 'd'irectory */
		digest_sha256_update(d, files->items[i], strlen(files->items[i]) + 1);
		if (S_ISLNK(st.st_mode)) {
			n = readlink(path.buf, link, sizeof(link));
			if (n < 0) {
				strbuf_addf(err, "cannot read '%s': %s", path.buf, strerror(errno));
				goto out;
			}
			digest_sha256_update(d, "l", 1);
			digest_sha256_update(d, link, (size_t)n);
		} else if (S_ISREG(st.st_mode)) {
			char size[32];

			digest_sha256_update(d, st.st_mode & 0100 ? "x" : "f", 1);
			digest_sha256_update(d, size, (size_t)snprintf(size, sizeof(size), "%lld:",
									(long long)st.st_size));
			if (actctr_hash_file(d, path.buf, err) < 0)
				goto out;
		} else {
			digest_sha256_update(d, "d", 1);
		}
		digest_sha256_update(d, "", 1);
	}
	ret = 0;
out:
	digest_sha256_final(d, sum);
	if (!ret) {
		strbuf_addstr(out, ACTCTR_IMAGE_REPO ":");
		digest_hex(out, sum, 16);
	}
	strbuf_release(&path);
	return ret;
}
