/*
 * deployspec: the deploy spec's keys as one table (text form, default,
 * kind, field), from which setting a key, checking, writing a record and
 * reading one back all follow. It starts no container.
 */
#include "stages/deployspec.h"

#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

enum deploy_kind {
	DK_STRING,
	DK_ENV_NAME,            /* an environment's name */
	DK_PORT,                /* int, 1..65535 */
	DK_STATUS,              /* int, an HTTP status */
	DK_COUNT,               /* int, 1..10000 */
	DK_SECONDS,             /* long milliseconds, written as seconds */
	DK_LINES,               /* strlist of K=V */
	DK_NAMES,               /* strlist of variable names */
	DK_STRATEGY,
};

/* What each input of deploy_spec_inputs is, in the same order. */
struct deploy_key {
	enum deploy_kind kind;
	size_t off;
};

#define F(field) offsetof(struct deploy_spec, field)

const struct stage_input deploy_spec_inputs[] = {
	{ "image", NULL },
	{ "environment", NULL },
	{ "name", NULL },
	{ "address", "127.0.0.1" },
	{ "port", NULL },
	{ "container-port", NULL },
	{ "env", NULL },
	{ "secrets", NULL },
	{ "health-path", "/health" },
	{ "health-status", "200" },
	{ "health-timeout", "2" },
	{ "health-retries", "30" },
	{ "health-interval", "1" },
	{ "strategy", "candidate" },
	{ NULL, NULL },
};

static const struct deploy_key deploy_key_table[] = {
	{ DK_STRING, F(image) },
	{ DK_ENV_NAME, F(environment) },
	{ DK_STRING, F(name) },
	{ DK_STRING, F(address) },
	{ DK_PORT, F(port) },
	{ DK_PORT, F(container_port) },
	{ DK_LINES, F(env) },
	{ DK_NAMES, F(secrets) },
	{ DK_STRING, F(health.path) },
	{ DK_STATUS, F(health.status) },
	{ DK_SECONDS, F(health.timeout_ms) },
	{ DK_COUNT, F(health.retries) },
	{ DK_SECONDS, F(health.interval_ms) },
	{ DK_STRATEGY, F(strategy) },
};

#define DEPLOY_KEYS (sizeof(deploy_key_table) / sizeof(deploy_key_table[0]))
_Static_assert(DEPLOY_KEYS + 1 == sizeof(deploy_spec_inputs) / sizeof(deploy_spec_inputs[0]),
	       "one kind for each input");

static const char *const deploy_strategies[] = {
	[DEPLOY_CANDIDATE] = "candidate",
	[DEPLOY_RECREATE] = "recreate",
};

/* Integer ranges of the int kinds. */
static const struct {
	enum deploy_kind kind;
	long lo, hi;
	const char *what;
} deploy_ranges[] = {
	{ DK_PORT, 1, 65535, "a port number (1-65535)" },
	{ DK_STATUS, 100, 599, "an HTTP status (100-599)" },
	{ DK_COUNT, 1, 10000, "a count (1-10000)" },
};

#define FIELD(s, k, type) ((type *)((char *)(s) + (k)->off))

void deploy_spec_init(struct deploy_spec *s)
{
	struct strbuf ignored = STRBUF_INIT;

	memset(s, 0, sizeof(*s));
	arena_init(&s->arena);
	strlist_init(&s->env);
	strlist_init(&s->secrets);
	for (size_t i = 0; i < DEPLOY_KEYS; i++)
		if (deploy_spec_inputs[i].dflt)
			deploy_spec_set(s, deploy_spec_inputs[i].name, deploy_spec_inputs[i].dflt,
					&ignored);
	strbuf_release(&ignored);
}

void deploy_spec_release(struct deploy_spec *s)
{
	strlist_release(&s->env);
	strlist_release(&s->secrets);
	arena_release(&s->arena);
	memset(s, 0, sizeof(*s));
}

static int deploy_valid_var(const char *s, size_t n)
{
	if (!n || !(isalpha((unsigned char)*s) || *s == '_'))
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
			return 0;
	return 1;
}

static int deploy_valid_env_name(const char *s)
{
	size_t n = strlen(s);

	return n && n <= 128 && *s != '.' &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

/* K=V lines (trimmed, blank ones skipped) into l, replacing it. */
static int deploy_set_lines(struct strlist *l, const char *key, const char *v, struct strbuf *err)
{
	strlist_release(l);
	while (*v) {
		size_t len = strcspn(v, "\n"), s = 0, e = len;

		while (s < e && isspace((unsigned char)v[s]))
			s++;
		while (e > s && isspace((unsigned char)v[e - 1]))
			e--;
		if (e > s) {
			const char *eq = memchr(v + s, '=', e - s);

			if (!eq || !deploy_valid_var(v + s, (size_t)(eq - v - s))) {
				strbuf_addf(err, "'%s' must be NAME=VALUE lines, not '%.*s'", key,
					    (int)(e - s), v + s);
				return -1;
			}
			strlist_pushf(l, "%.*s", (int)(e - s), v + s);
		}
		v += len + (v[len] == '\n');
	}
	return 0;
}

/* Names separated by newlines, commas or blanks into l, replacing it. */
static int deploy_set_names(struct strlist *l, const char *key, const char *v, struct strbuf *err)
{
	static const char seps[] = " \t\r\n,";

	strlist_release(l);
	for (v += strspn(v, seps); *v; v += strspn(v, seps)) {
		size_t n = strcspn(v, seps);

		if (!deploy_valid_var(v, n)) {
			strbuf_addf(err, "'%s' must list variable names, not '%.*s'", key, (int)n, v);
			return -1;
		}
		strlist_pushf(l, "%.*s", (int)n, v);
		v += n;
	}
	return 0;
}

static int deploy_set_int(int *out, const struct deploy_key *k, const char *key, const char *v,
			  struct strbuf *err)
{
	char *end;
	long n = strtol(v, &end, 10);

	for (size_t i = 0; i < sizeof(deploy_ranges) / sizeof(deploy_ranges[0]); i++) {
		if (deploy_ranges[i].kind != k->kind)
			continue;
		if (end == v || *end || n < deploy_ranges[i].lo || n > deploy_ranges[i].hi) {
			strbuf_addf(err, "'%s' must be %s, not '%s'", key, deploy_ranges[i].what, v);
			return -1;
		}
	}
	*out = (int)n;
	return 0;
}

int deploy_spec_set(struct deploy_spec *s, const char *key, const char *value,
		    struct strbuf *err)
{
	const struct deploy_key *k = NULL;
	char *end;
	double secs;

	for (size_t i = 0; i < DEPLOY_KEYS && !k; i++)
		if (!strcmp(deploy_spec_inputs[i].name, key))
			k = &deploy_key_table[i];
	if (!k) {
		strbuf_addf(err, "unknown deploy setting '%s'", key);
		return -1;
	}
	if (!*value && k->kind != DK_LINES && k->kind != DK_NAMES)
		return 0;
	switch (k->kind) {
	case DK_ENV_NAME:
		if (!deploy_valid_env_name(value)) {
			strbuf_addf(err, "'%s' must be an environment name (letters, digits, '.', "
				    "'_', '-'), not '%s'", key, value);
			return -1;
		}
		/* fall through */
	case DK_STRING:
		*FIELD(s, k, const char *) = arena_strdup(&s->arena, value);
		return 0;
	case DK_PORT:
	case DK_STATUS:
	case DK_COUNT:
		return deploy_set_int(FIELD(s, k, int), k, key, value, err);
	case DK_SECONDS:
		secs = strtod(value, &end);
		if (end == value || *end || !(secs > 0 && secs <= 3600)) {
			strbuf_addf(err, "'%s' must be a number of seconds (above 0, at most 3600), "
				    "not '%s'", key, value);
			return -1;
		}
		*FIELD(s, k, long) = (long)(secs * 1000 + 0.5);
		return 0;
	case DK_LINES:
		return deploy_set_lines(FIELD(s, k, struct strlist), key, value, err);
	case DK_NAMES:
		return deploy_set_names(FIELD(s, k, struct strlist), key, value, err);
	case DK_STRATEGY:
		for (size_t i = 0; i < sizeof(deploy_strategies) / sizeof(deploy_strategies[0]); i++)
			if (!strcmp(deploy_strategies[i], value)) {
				*FIELD(s, k, enum deploy_strategy) = (enum deploy_strategy)i;
				return 0;
			}
		strbuf_addf(err, "'%s' must be 'candidate' or 'recreate', not '%s'", key, value);
		return -1;
	}
	return -1;
}

/* Docker's rule for container names: [a-zA-Z0-9][a-zA-Z0-9_.-]*. */
static int deploy_valid_container(const char *s)
{
	return isalnum((unsigned char)*s) &&
	       strspn(s + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
	       == strlen(s + 1);
}

/* "<repository's last segment>-<environment>" for image [registry/]path/repo[:tag|@digest]. */
static const char *deploy_default_name(struct deploy_spec *s)
{
	const char *slash = strrchr(s->image, '/');
	const char *repo = slash ? slash + 1 : s->image;
	size_t n = strcspn(repo, ":@");

	return arena_printf(&s->arena, "%.*s-%s", (int)n, repo, s->environment);
}

int deploy_spec_check(struct deploy_spec *s, struct strbuf *err)
{
	static const char *const required[] = { "image", "environment", "port" };
	const int missing[] = { !s->image, !s->environment, !s->port };

	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (missing[i]) {
			strbuf_addf(err, "'%s' is required", required[i]);
			return -1;
		}
	if (!s->container_port)
		s->container_port = s->port;
	if (!s->name)
		s->name = deploy_default_name(s);
	if (!deploy_valid_container(s->name)) {
		strbuf_addf(err, "'%s' is not a container name ([a-zA-Z0-9][a-zA-Z0-9_.-]*)",
			    s->name);
		return -1;
	}
	if (s->health.path[0] != '/') {
		strbuf_addf(err, "'health-path' must start with '/', not '%s'", s->health.path);
		return -1;
	}
	return 0;
}

struct val deploy_spec_to_val(struct arena *a, const struct deploy_spec *s)
{
	struct val obj = val_new_object(a), v;

	for (size_t i = 0; i < DEPLOY_KEYS; i++) {
		const struct deploy_key *k = &deploy_key_table[i];
		const struct strlist *l;

		switch (k->kind) {
		case DK_STRING:
		case DK_ENV_NAME:
			v = *FIELD(s, k, const char *) ? val_cstring(a, *FIELD(s, k, const char *))
						       : val_null();
			break;
		case DK_PORT:
		case DK_STATUS:
		case DK_COUNT:
			v = val_number(*FIELD(s, k, int));
			break;
		case DK_SECONDS:
			v = val_number(*FIELD(s, k, long) / 1000.0);
			break;
		case DK_LINES:
		case DK_NAMES:
			l = FIELD(s, k, struct strlist);
			v = val_new_array(a);
			for (size_t j = 0; j < l->nr; j++)
				val_array_push(a, v, val_cstring(a, l->items[j]));
			break;
		case DK_STRATEGY:
			v = val_cstring(a, deploy_strategies[*FIELD(s, k, enum deploy_strategy)]);
			break;
		}
		val_object_setstr(a, obj, deploy_spec_inputs[i].name, v);
	}
	return obj;
}

int deploy_spec_from_val(struct deploy_spec *s, struct val v, struct strbuf *err)
{
	struct strbuf text = STRBUF_INIT;
	int ret = -1;

	if (v.kind != VAL_OBJECT) {
		strbuf_addstr(err, "the recorded deploy settings are not an object");
		goto out;
	}
	for (size_t i = 0; i < DEPLOY_KEYS; i++) {
		const char *key = deploy_spec_inputs[i].name;
		const struct val *m = val_object_getstr(v, key);

		if (!m || m->kind == VAL_NULL)
			continue;
		strbuf_reset(&text);
		if (m->kind == VAL_STRING) {
			strbuf_add(&text, m->u.string.ptr, m->u.string.len);
		} else if (m->kind == VAL_NUMBER) {
			val_format_number(&text, m->u.number);
		} else if (m->kind == VAL_ARRAY) {
			for (size_t j = 0; j < m->u.array->nr; j++)
				if (m->u.array->items[j].kind == VAL_STRING)
					strbuf_addf(&text, "%s\n", m->u.array->items[j].u.string.ptr);
		} else {
			strbuf_addf(err, "the recorded '%s' is a %s", key, val_kind_name(m->kind));
			goto out;
		}
		if (deploy_spec_set(s, key, text.buf, err) < 0)
			goto out;
	}
	ret = deploy_spec_check(s, err);
out:
	strbuf_release(&text);
	return ret;
}
