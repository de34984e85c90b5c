/*
 * dockerauth: registry names as `docker login` files them, the workflow
 * commands that hand credentials to the runner, and looking them up in
 * what the runner gives a stage. It talks to no engine and no registry,
 * and writes no file.
 */
#include "stages/dockerauth.h"

#include <string.h>
#include <strings.h>

#include "runner/wfcmd.h"
#include "util/digest.h"
#include "util/json.h"

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

/* "::NAME registry=SERVER::" with SERVER escaped as @actions/core escapes properties. */
static void dockerauth_command(struct strbuf *out, const char *name, const char *server)
{
	static const struct {
		char c;
		const char *esc;
	} escapes[] = {
		{ '%', "%25" }, { '\r', "%0D" }, { '\n', "%0A" }, { ':', "%3A" }, { ',', "%2C" },
	};

	strbuf_addf(out, "::%s registry=", name);
	for (const char *p = server; *p; p++) {
		size_t i = 0;

		while (i < sizeof(escapes) / sizeof(escapes[0]) && escapes[i].c != *p)
			i++;
		if (i < sizeof(escapes) / sizeof(escapes[0]))
			strbuf_addstr(out, escapes[i].esc);
		else
			strbuf_addch(out, *p);
	}
	strbuf_addstr(out, "::");
}

void dockerauth_login_command(struct strbuf *out, const char *server, const char *username,
			      const char *password)
{
	struct strbuf json = STRBUF_INIT;

	strbuf_addstr(&json, "{\"username\":");
	json_write_string(&json, username, strlen(username));
	strbuf_addstr(&json, ",\"password\":");
	json_write_string(&json, password, strlen(password));
	strbuf_addch(&json, '}');
	dockerauth_command(out, WFCMD_REGISTRY_LOGIN_NAME, server);
	digest_base64(out, json.buf, json.len);
	memset(json.buf, 0, json.len);
	strbuf_release(&json);
}

void dockerauth_logout_command(struct strbuf *out, const char *server)
{
	dockerauth_command(out, WFCMD_REGISTRY_LOGOUT_NAME, server);
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

/* A string member of obj, or NULL. */
static const struct val *dockerauth_str(struct val obj, const char *key)
{
	const struct val *v = val_object_getstr(obj, key);

	return v && v->kind == VAL_STRING ? v : NULL;
}

int dockerauth_job_lookup(struct dockerauth *out, const struct stage_ctx *ctx,
			  const char *registry, struct strbuf *err)
{
	const char *text = stage_getenv(ctx, STAGE_REGISTRY_AUTHS_VAR);
	struct strbuf why = STRBUF_INIT;
	struct arena a = ARENA_INIT;
	const struct val *entry, *user = NULL, *password = NULL;
	struct val auths;
	int ret = 0;

	strbuf_reset(&out->server);
	dockerauth_server(&out->server, registry);
	if (!text || !*text)
		goto out;
	if (json_parse(&auths, &a, text, strlen(text), &why) < 0 || auths.kind != VAL_OBJECT) {
		strbuf_addf(err, "%s is not the runner's JSON object of credentials",
			    STAGE_REGISTRY_AUTHS_VAR);
		ret = -1;
		goto out;
	}
	entry = val_object_getstr(auths, out->server.buf);
	if (entry && entry->kind == VAL_OBJECT) {
		user = dockerauth_str(*entry, "username");
		password = dockerauth_str(*entry, "password");
	}
	if (!user || !password)
		goto out;
	strbuf_reset(&out->username);
	strbuf_reset(&out->password);
	strbuf_add(&out->username, user->u.string.ptr, user->u.string.len);
	strbuf_add(&out->password, password->u.string.ptr, password->u.string.len);
	ret = 1;
out:
	strbuf_release(&why);
	arena_release(&a);
	return ret;
}
