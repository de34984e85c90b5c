/*
 * secrets: merging the sources of secrets, vars and env in their order of
 * precedence (see secrets.h) and handing the final secret values to the
 * masker. File syntax is dotenv.c's; option syntax the command's.
 */
#include "runner/secrets.h"
#include "runner/dotenv.h"
#include "util/strbuf.h"

#include <errno.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define SECRETS_RULE "secrets"

/* Set key in obj, replacing a member whose key differs only in case. */
static void secrets_set_nocase(struct arena *a, struct val obj, const char *key, size_t len,
			       struct val v)
{
	struct val_object *o = obj.u.object;

	for (size_t i = 0; i < o->nr; i++) {
		if (o->members[i].key_len == len && !strncasecmp(o->members[i].key, key, len)) {
			o->members[i].key = arena_strndup(a, key, len);
			o->members[i].value = v;
			return;
		}
	}
	val_object_set(a, obj, key, len, v);
}

/* Merge one dotenv file into obj. */
static int secrets_merge_file(struct secrets *s, struct val obj, int nocase, const char *path,
			      struct diag_list *diags)
{
	struct val file = val_new_object(&s->arena);
	int ret = dotenv_load(&s->arena, file, path, diags);

	for (size_t i = 0; i < file.u.object->nr; i++) {
		const struct val_member *m = &file.u.object->members[i];

		if (nocase)
			secrets_set_nocase(&s->arena, obj, m->key, m->key_len, m->value);
		else
			val_object_set(&s->arena, obj, m->key, m->key_len, m->value);
	}
	return ret;
}

/* The files given, or else DIR/name when it exists. */
static int secrets_merge_files(struct secrets *s, struct val obj, int nocase,
			       const struct strlist *files, const char *dir,
			       const char *name, struct diag_list *diags)
{
	struct strbuf path = STRBUF_INIT;
	struct stat st;
	int ret = 0;

	if (files && files->nr) {
		for (size_t i = 0; i < files->nr; i++)
			ret |= secrets_merge_file(s, obj, nocase, files->items[i], diags);
		return ret;
	}
	if (!name)
		return 0;
	strbuf_addf(&path, "%s/%s", dir ? dir : ".", name);
	if (!stat(path.buf, &st) || errno != ENOENT)
		ret = secrets_merge_file(s, obj, nocase, path.buf, diags);
	strbuf_release(&path);
	return ret;
}

static const char *secrets_getenv(char *const *env, const char *name, size_t len)
{
	for (; env && *env; env++)
		if (!strncmp(*env, name, len) && (*env)[len] == '=')
			return *env + len + 1;
	return NULL;
}

/* --secret / --var arguments: NAME=VALUE, or NAME with its value from env. */
static int secrets_merge_args(struct secrets *s, struct val obj, const struct strlist *args,
			      const char *option, char *const *env, struct diag_list *diags)
{
	int ret = 0;

	for (size_t i = 0; args && i < args->nr; i++) {
		const char *arg = args->items[i], *eq = strchr(arg, '='), *value;
		size_t len = eq ? (size_t)(eq - arg) : strlen(arg);

		if (!dotenv_key_valid(arg, len)) {
			diag_add(diags, DIAG_ERROR, NULL, 0, 0, SECRETS_RULE,
				 "invalid name '%.*s' in '--%s %s': names are letters, digits and "
				 "'_', not starting with a digit", (int)len, arg, option, arg);
			ret = -1;
			continue;
		}
		value = eq ? eq + 1 : secrets_getenv(env, arg, len);
		if (!value) {
			diag_add(diags, DIAG_ERROR, NULL, 0, 0, SECRETS_RULE,
				 "'--%s %s' takes the value from the environment, where '%s' is "
				 "not set", option, arg, arg);
			ret = -1;
			continue;
		}
		secrets_set_nocase(&s->arena, obj, arg, len, val_cstring(&s->arena, value));
	}
	return ret;
}

int secrets_collect(struct secrets *out, const struct secrets_opts *o, struct mask *m,
		    struct diag_list *diags)
{
	char *const *env = o->environ ? o->environ : environ;
	int ret = 0;

	arena_init(&out->arena);
	out->secrets = val_new_object(&out->arena);
	out->vars = val_new_object(&out->arena);
	out->env = val_new_object(&out->arena);

	ret |= secrets_merge_files(out, out->secrets, 1, o->secret_files, o->dir, ".secrets",
				   diags);
	ret |= secrets_merge_args(out, out->secrets, o->secret_args, "secret", env, diags);
	ret |= secrets_merge_files(out, out->vars, 1, o->var_files, o->dir, ".vars", diags);
	ret |= secrets_merge_args(out, out->vars, o->var_args, "var", env, diags);
	ret |= secrets_merge_files(out, out->env, 0, o->env_files, o->dir, NULL, diags);

	for (size_t i = 0; i < out->secrets.u.object->nr; i++) {
		const struct val *v = &out->secrets.u.object->members[i].value;

		mask_add(m, v->u.string.ptr, v->u.string.len);
	}
	return ret ? -1 : 0;
}

void secrets_release(struct secrets *s)
{
	arena_release(&s->arena);
}
