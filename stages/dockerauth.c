/*
 * dockerauth: the docker CLI's config.json as the job's credential store —
 * registry names as `docker login` files them, entries added, removed and
 * looked up (base64 "user:password"). It talks to no engine and no registry.
 */
#include "stages/dockerauth.h"

#include <errno.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "util/digest.h"
#include "util/fs.h"
#include "util/json.h"

/* A config file is small; anything larger is not one. */
#define DOCKERAUTH_MAX (1024 * 1024)

static const char *const dockerauth_hub_names[] = {
	"docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com",
};

void dockerauth_server(struct strbuf *out, const char *registry)
{
	const char *s = registry, *scheme = strstr(registry, "://");
	size_t n;

	if (!strcmp(registry, DOCKERAUTH_HUB)) {
		strbuf_addstr(out, DOCKERAUTH_HUB);
		return;
	}
	if (scheme)
		s = scheme + 3;
	n = strcspn(s, "/");
	for (size_t i = 0; i < sizeof(dockerauth_hub_names) / sizeof(dockerauth_hub_names[0]); i++)
		if (strlen(dockerauth_hub_names[i]) == n && !strncasecmp(s, dockerauth_hub_names[i], n))
			n = 0;
	if (!n)
		strbuf_addstr(out, DOCKERAUTH_HUB);
	else
		strbuf_add(out, s, n);
}

void dockerauth_init(struct dockerauth *a)
{
	strbuf_init(&a->username, 0);
	strbuf_init(&a->password, 0);
	strbuf_init(&a->server, 0);
}

void dockerauth_release(struct dockerauth *a)
{
	/* the password does not outlive its use in this process's heap */
	memset(a->password.buf, 0, a->password.len);
	strbuf_release(&a->username);
	strbuf_release(&a->password);
	strbuf_release(&a->server);
}

/* dir/config.json parsed into *out (an empty object when there is no file). */
static int dockerauth_read(struct val *out, struct arena *a, const char *path,
			   struct strbuf *err)
{
	struct strbuf text = STRBUF_INIT, why = STRBUF_INIT;
	int ret = 0;

	*out = val_new_object(a);
	if (!fs_exists(path))
		goto out;
	if (fs_read_file(&text, path, DOCKERAUTH_MAX, err) < 0) {
		ret = -1;
	} else if (json_parse(out, a, text.buf, text.len, &why) < 0 || out->kind != VAL_OBJECT) {
		strbuf_addf(err, "'%s' is not a docker config file%s%s", path, why.len ? ": " : "",
			    why.buf);
		ret = -1;
	}
out:
	memset(text.buf, 0, text.len);
	strbuf_release(&text);
	strbuf_release(&why);
	return ret;
}

/* The "auths" object of config, or NULL. */
static struct val *dockerauth_auths(struct val config)
{
	struct val *auths = val_object_getstr(config, "auths");

	return auths && auths->kind == VAL_OBJECT ? auths : NULL;
}

/*
 * config with its "auths" less key (and plus entry, unless its kind is
 * VAL_NULL) into *out; *found says whether key was there.
 */
static void dockerauth_edit(struct val *out, struct arena *a, struct val config, const char *key,
			    struct val entry, int *found)
{
	struct val *old = dockerauth_auths(config), auths = val_new_object(a);

	*out = val_new_object(a);
	*found = 0;
	for (size_t i = 0; i < config.u.object->nr; i++) {
		const struct val_member *m = &config.u.object->members[i];

		if (strcmp(m->key, "auths"))
			val_object_set(a, *out, m->key, m->key_len, m->value);
	}
	for (size_t i = 0; old && i < old->u.object->nr; i++) {
		const struct val_member *m = &old->u.object->members[i];

		if (strcmp(m->key, key))
			val_object_set(a, auths, m->key, m->key_len, m->value);
		else
			*found = 1;
	}
	if (entry.kind != VAL_NULL)
		val_object_setstr(a, auths, key, entry);
	if (auths.u.object->nr)
		val_object_setstr(a, *out, "auths", auths);
}

int dockerauth_store(const char *dir, const char *registry, const char *username,
		     const char *password, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT, key = STRBUF_INIT, pair = STRBUF_INIT, b64 = STRBUF_INIT,
		      json = STRBUF_INIT;
	struct arena a = ARENA_INIT;
	struct val config, edited, entry;
	int found, ret = -1;

	fs_path_join(&path, dir, "config.json");
	dockerauth_server(&key, registry);
	if (fs_mkdir_p(dir, 0700, err) < 0 || dockerauth_read(&config, &a, path.buf, err) < 0)
		goto out;
	strbuf_addf(&pair, "%s:%s", username, password);
	digest_base64(&b64, pair.buf, pair.len);
	entry = val_new_object(&a);
	val_object_setstr(&a, entry, "auth", val_string(&a, b64.buf, b64.len));
	dockerauth_edit(&edited, &a, config, key.buf, entry, &found);
	json_write(&json, edited, JSON_PRETTY);
	strbuf_addch(&json, '\n');
	ret = fs_write_file(path.buf, json.buf, json.len, 0600, err);
out:
	memset(pair.buf, 0, pair.len);
	memset(b64.buf, 0, b64.len);
	memset(json.buf, 0, json.len);
	strbuf_release(&path);
	strbuf_release(&key);
	strbuf_release(&pair);
	strbuf_release(&b64);
	strbuf_release(&json);
	arena_release(&a);
	return ret;
}

int dockerauth_forget(const char *dir, const char *registry, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT, key = STRBUF_INIT, json = STRBUF_INIT;
	struct arena a = ARENA_INIT;
	struct val config, edited;
	int found = 0, ret = -1;

	fs_path_join(&path, dir, "config.json");
	dockerauth_server(&key, registry);
	if (dockerauth_read(&config, &a, path.buf, err) < 0)
		goto out;
	dockerauth_edit(&edited, &a, config, key.buf, val_null(), &found);
	if (edited.u.object->nr) {
		json_write(&json, edited, JSON_PRETTY);
		strbuf_addch(&json, '\n');
		if (fs_write_file(path.buf, json.buf, json.len, 0600, err) < 0)
			goto out;
	} else if (fs_exists(path.buf) && unlink(path.buf) < 0) {
		strbuf_addf(err, "cannot remove '%s': %s", path.buf, strerror(errno));
		goto out;
	} else {
		rmdir(dir);     /* only when empty: what else is there is not ours */
	}
	ret = found;
out:
	memset(json.buf, 0, json.len);
	strbuf_release(&path);
	strbuf_release(&key);
	strbuf_release(&json);
	arena_release(&a);
	return ret;
}

int dockerauth_lookup(struct dockerauth *out, const char *dir, const char *registry,
		      struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT, pair = STRBUF_INIT;
	struct arena a = ARENA_INIT;
	struct val config, *auths, *entry, *auth;
	const char *colon;
	int ret = -1;

	strbuf_reset(&out->server);
	dockerauth_server(&out->server, registry);
	fs_path_join(&path, dir, "config.json");
	if (dockerauth_read(&config, &a, path.buf, err) < 0)
		goto out;
	auths = dockerauth_auths(config);
	entry = auths ? val_object_getstr(*auths, out->server.buf) : NULL;
	auth = entry && entry->kind == VAL_OBJECT ? val_object_getstr(*entry, "auth") : NULL;
	ret = 0;
	if (!auth || auth->kind != VAL_STRING || !auth->u.string.len)
		goto out;
	if (digest_base64_decode(&pair, auth->u.string.ptr, auth->u.string.len) < 0 ||
	    !(colon = memchr(pair.buf, ':', pair.len))) {
		strbuf_addf(err, "'%s': the credentials of '%s' are not base64 \"user:password\"",
			    path.buf, out->server.buf);
		ret = -1;
		goto out;
	}
	strbuf_reset(&out->username);
	strbuf_reset(&out->password);
	strbuf_add(&out->username, pair.buf, (size_t)(colon - pair.buf));
	strbuf_add(&out->password, colon + 1, pair.len - (size_t)(colon + 1 - pair.buf));
	ret = 1;
out:
	memset(pair.buf, 0, pair.len);
	strbuf_release(&path);
	strbuf_release(&pair);
	arena_release(&a);
	return ret;
}

int dockerauth_job_lookup(struct dockerauth *out, const struct stage_ctx *ctx,
			  const char *registry, struct strbuf *err)
{
	const char *dir = stage_getenv(ctx, "DOCKER_CONFIG");
	struct strbuf host = STRBUF_INIT;
	int ret;

	if (!dir || !*dir)
		return 0;
	stage_host_path(ctx, dir, &host);
	ret = dockerauth_lookup(out, host.buf, registry, err);
	strbuf_release(&host);
	return ret;
}
