/*
 * ctrspec: `container:` and `services:` values to container specs. The
 * options string goes through util/options with one table of the docker
 * create flags that map to the API; flags that would fight slipway's own
 * set-up (--network, --name) are refused with the reason.
 */
#include "runner/ctrspec.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "parser/expr.h"
#include "util/options.h"
#include "util/xalloc.h"

void ctrspec_init(struct ctrspec *c)
{
	memset(c, 0, sizeof(*c));
}

void ctrspec_release(struct ctrspec *c)
{
	struct strlist *lists[] = {
		&c->env, &c->ports, &c->binds, &c->named, &c->anonymous, &c->tmpfs, &c->labels,
		&c->extra_hosts, &c->cap_add, &c->cap_drop, &c->security_opt, &c->entrypoint,
		&c->health_test,
	};

	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		strlist_release(lists[i]);
	free(c->key);
	free(c->image);
	free(c->username);
	free(c->password);
	free(c->user);
	free(c->hostname);
	free(c->workdir);
	ctrspec_init(c);
}

void ctrspec_free_list(struct ctrspec *list, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		ctrspec_release(&list[i]);
	free(list);
}

/* ------------------------------------------------------------------ */
/* Words */

int ctrspec_split_words(struct strlist *out, const char *s, struct strbuf *err)
{
	struct strbuf w = STRBUF_INIT;
	int in_word = 0, ret = 0;

	for (const char *p = s;; p++) {
		if (!*p || isspace((unsigned char)*p)) {
			if (in_word)
				strlist_push(out, w.buf);
			strbuf_reset(&w);
			in_word = 0;
			if (!*p)
				break;
			continue;
		}
		in_word = 1;
		if (*p == '\'') {
			const char *end = strchr(p + 1, '\'');

			if (!end)
				goto unterminated;
			strbuf_add(&w, p + 1, (size_t)(end - p - 1));
			p = end;
		} else if (*p == '"') {
			for (p++; *p && *p != '"'; p++) {
				if (*p == '\\' && (p[1] == '"' || p[1] == '\\' || p[1] == '$'))
					p++;
				strbuf_addch(&w, *p);
			}
			if (!*p)
				goto unterminated;
		} else if (*p == '\\' && p[1]) {
			strbuf_addch(&w, *++p);
		} else {
			strbuf_addch(&w, *p);
		}
	}
	goto out;
unterminated:
	strbuf_addf(err, "unterminated quote in '%s'", s);
	ret = -1;
out:
	strbuf_release(&w);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Numbers with units, as docker's command line reads them */

/* "512", "64m", "1.5g", "2GiB": bytes, binary multiples. */
static int ctrspec_parse_bytes(long long *out, const char *s)
{
	static const char units[] = "bkmgtp";
	char *end;
	double n;
	const char *u;

	errno = 0;
	n = strtod(s, &end);
	if (errno || end == s || n < 0 || !isdigit((unsigned char)*s))
		return -1;
	while (*end == ' ')
		end++;
	if (*end) {
		u = strchr(units, tolower((unsigned char)*end));
		if (!u)
			return -1;
		n *= pow(1024, (double)(u - units));
		end++;
		if (u > units && (*end == 'i' || *end == 'I'))
			end++;
		if (u > units && (*end == 'b' || *end == 'B'))
			end++;
	}
	if (*end || n > 9e18)
		return -1;
	*out = (long long)n;
	return 0;
}

/* Go durations: "30s", "1m30s", "500ms", "1h"; into milliseconds. */
static int ctrspec_parse_duration(long *out, const char *s)
{
	static const struct {
		const char *unit;
		double ms;
	} units[] = {
		{ "ns", 1e-6 }, { "us", 1e-3 }, { "ms", 1 }, { "s", 1e3 }, { "m", 6e4 }, { "h", 3.6e6 },
	};
	double total = 0;
	const char *p = s;

	if (!*p)
		return -1;
	while (*p) {
		char *end;
		double n = strtod(p, &end);
		size_t best = 0, best_len = 0;

		if (end == p || n < 0 || !isdigit((unsigned char)*p))
			return -1;
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			size_t len = strlen(units[i].unit);

			if (!strncmp(end, units[i].unit, len) && len > best_len) {
				best = i;
				best_len = len;
			}
		}
		if (!best_len)
			return -1;
		total += n * units[best].ms;
		p = end + best_len;
	}
	if (total > 3e11)
		return -1;
	*out = (long)total;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Volumes */

static int ctrspec_volume_name_ok(const char *s, size_t len)
{
	if (!len || !isalnum((unsigned char)s[0]))
		return 0;
	for (size_t i = 1; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("_.-", s[i]))
			return 0;
	return 1;
}

/* "/dst" (a fresh volume), "name:/dst[:mode]", "/src:/dst[:mode]". */
static int ctrspec_add_volume(struct ctrspec *c, const char *v, struct strbuf *err)
{
	const char *colon = strchr(v, ':');

	if (!colon) {
		if (v[0] != '/')
			goto bad;
		strlist_push(&c->anonymous, v);
		return 0;
	}
	if (colon[1] != '/')
		goto bad;
	if (v[0] != '/') {
		if (!ctrspec_volume_name_ok(v, (size_t)(colon - v)))
			goto bad;
		strlist_push_owned(&c->named, xstrndup(v, (size_t)(colon - v)));
	}
	strlist_push(&c->binds, v);
	return 0;
bad:
	strbuf_addf(err, "invalid volume '%s': expected /container/path, volume-name:/container/path "
		    "or /host/path:/container/path", v);
	return -1;
}

/* ------------------------------------------------------------------ */
/* options: */

/* What the options string may set; strings point into the split words. */
struct ctrspec_opts {
	const char *user, *hostname, *workdir, *entrypoint, *memory, *shm_size, *cpus;
	const char *health_cmd, *health_interval, *health_timeout, *health_start;
	int health_retries, no_healthcheck, privileged, init, read_only, rm;
	struct strlist env, labels, volumes, tmpfs, ports, hosts, cap_add, cap_drop, security_opt;
};

/* Flags that would undo what slipway sets up, and why. */
static const struct {
	const char *name;
	const char *why;
} ctrspec_refused[] = {
	{ "network", "slipway puts a job and its services on a network of its own" },
	{ "net", "slipway puts a job and its services on a network of its own" },
	{ "network-alias", "a service's hostname is its key under 'services:'" },
	{ "name", "slipway names the containers of a run" },
	{ "restart", "slipway removes its containers when the job ends" },
	{ "detach", "slipway starts its containers itself" },
	{ "interactive", "steps run without standard input" },
	{ "tty", "steps run without a terminal" },
	{ "mount", "use 'volumes:'" },
};

static int ctrspec_check_refused(const struct strlist *words, struct strbuf *err)
{
	for (size_t i = 0; i < words->nr; i++) {
		const char *w = words->items[i];

		if (strncmp(w, "--", 2))
			continue;
		for (size_t k = 0; k < sizeof(ctrspec_refused) / sizeof(ctrspec_refused[0]); k++) {
			size_t len = strlen(ctrspec_refused[k].name);

			if (!strncmp(w + 2, ctrspec_refused[k].name, len) &&
			    (!w[2 + len] || w[2 + len] == '=')) {
				strbuf_addf(err, "option '--%s' is not supported: %s",
					    ctrspec_refused[k].name, ctrspec_refused[k].why);
				return -1;
			}
		}
	}
	return 0;
}

static void ctrspec_take_env(struct ctrspec *c, const struct strlist *env)
{
	for (size_t i = 0; i < env->nr; i++) {
		const char *e = env->items[i], *v;

		if (strchr(e, '='))
			strlist_push(&c->env, e);
		else if ((v = getenv(e)))   /* docker's "-e NAME": this machine's value */
			strlist_pushf(&c->env, "%s=%s", e, v);
	}
}

static void ctrspec_append(struct strlist *dst, const struct strlist *src)
{
	for (size_t i = 0; i < src->nr; i++)
		strlist_push(dst, src->items[i]);
}

static int ctrspec_bad_value(struct strbuf *err, const char *option, const char *value,
			     const char *expected)
{
	strbuf_addf(err, "option '--%s' expects %s, not '%s'", option, expected, value);
	return -1;
}

/* The parsed options into c: numbers with units, health check, lists. */
static int ctrspec_apply_opts(struct ctrspec *c, struct ctrspec_opts *o, struct strbuf *err)
{
	static const char bytes[] = "a size such as 512m or 2g";
	static const char duration[] = "a duration such as 10s or 1m30s";
	double cpus;
	char *end;

	if (o->memory && ctrspec_parse_bytes(&c->memory, o->memory) < 0)
		return ctrspec_bad_value(err, "memory", o->memory, bytes);
	if (o->shm_size && ctrspec_parse_bytes(&c->shm_size, o->shm_size) < 0)
		return ctrspec_bad_value(err, "shm-size", o->shm_size, bytes);
	if (o->cpus) {
		cpus = strtod(o->cpus, &end);
		if (end == o->cpus || *end || !(cpus > 0) || cpus > 1e6)
			return ctrspec_bad_value(err, "cpus", o->cpus, "a number of CPUs such as 1.5");
		c->nano_cpus = (long long)(cpus * 1e9);
	}
	if (o->health_interval && ctrspec_parse_duration(&c->health.interval_ms,
							 o->health_interval) < 0)
		return ctrspec_bad_value(err, "health-interval", o->health_interval, duration);
	if (o->health_timeout && ctrspec_parse_duration(&c->health.timeout_ms,
							o->health_timeout) < 0)
		return ctrspec_bad_value(err, "health-timeout", o->health_timeout, duration);
	if (o->health_start && ctrspec_parse_duration(&c->health.start_period_ms,
						      o->health_start) < 0)
		return ctrspec_bad_value(err, "health-start-period", o->health_start, duration);
	if (o->health_retries < 0)
		return ctrspec_bad_value(err, "health-retries", "a negative number", "a count");
	c->health.retries = o->health_retries;
	if (o->no_healthcheck) {
		strlist_push(&c->health_test, "NONE");
	} else if (o->health_cmd) {
		strlist_push(&c->health_test, "CMD-SHELL");
		strlist_push(&c->health_test, o->health_cmd);
	}
	if (o->entrypoint) {
		c->has_entrypoint = 1;
		if (*o->entrypoint)
			strlist_push(&c->entrypoint, o->entrypoint);
	}
	if (o->user)
		c->user = xstrdup(o->user);
	if (o->hostname)
		c->hostname = xstrdup(o->hostname);
	if (o->workdir)
		c->workdir = xstrdup(o->workdir);
	c->privileged = o->privileged;
	c->init = o->init;
	c->read_only = o->read_only;
	ctrspec_take_env(c, &o->env);
	for (size_t i = 0; i < o->volumes.nr; i++)
		if (ctrspec_add_volume(c, o->volumes.items[i], err) < 0)
			return -1;
	ctrspec_append(&c->labels, &o->labels);
	ctrspec_append(&c->tmpfs, &o->tmpfs);
	ctrspec_append(&c->ports, &o->ports);
	ctrspec_append(&c->extra_hosts, &o->hosts);
	ctrspec_append(&c->cap_add, &o->cap_add);
	ctrspec_append(&c->cap_drop, &o->cap_drop);
	ctrspec_append(&c->security_opt, &o->security_opt);
	return 0;
}

static int ctrspec_parse_options(struct ctrspec *c, const char *s, struct strbuf *err)
{
	struct ctrspec_opts o;
	struct strlist words = STRLIST_INIT;
	const struct option table[] = {
		{ OPT_STRING, 'u', "user", &o.user, NULL, NULL },
		{ OPT_STRING, 0, "hostname", &o.hostname, NULL, NULL },
		{ OPT_STRING, 'w', "workdir", &o.workdir, NULL, NULL },
		{ OPT_STRING, 0, "entrypoint", &o.entrypoint, NULL, NULL },
		{ OPT_LIST, 'e', "env", &o.env, NULL, NULL },
		{ OPT_LIST, 'l', "label", &o.labels, NULL, NULL },
		{ OPT_LIST, 'v', "volume", &o.volumes, NULL, NULL },
		{ OPT_LIST, 0, "tmpfs", &o.tmpfs, NULL, NULL },
		{ OPT_LIST, 'p', "publish", &o.ports, NULL, NULL },
		{ OPT_LIST, 0, "add-host", &o.hosts, NULL, NULL },
		{ OPT_LIST, 0, "cap-add", &o.cap_add, NULL, NULL },
		{ OPT_LIST, 0, "cap-drop", &o.cap_drop, NULL, NULL },
		{ OPT_LIST, 0, "security-opt", &o.security_opt, NULL, NULL },
		{ OPT_STRING, 'm', "memory", &o.memory, NULL, NULL },
		{ OPT_STRING, 0, "shm-size", &o.shm_size, NULL, NULL },
		{ OPT_STRING, 0, "cpus", &o.cpus, NULL, NULL },
		{ OPT_STRING, 0, "health-cmd", &o.health_cmd, NULL, NULL },
		{ OPT_STRING, 0, "health-interval", &o.health_interval, NULL, NULL },
		{ OPT_STRING, 0, "health-timeout", &o.health_timeout, NULL, NULL },
		{ OPT_STRING, 0, "health-start-period", &o.health_start, NULL, NULL },
		{ OPT_INT, 0, "health-retries", &o.health_retries, NULL, NULL },
		{ OPT_FLAG, 0, "no-healthcheck", &o.no_healthcheck, NULL, NULL },
		{ OPT_FLAG, 0, "privileged", &o.privileged, NULL, NULL },
		{ OPT_FLAG, 0, "init", &o.init, NULL, NULL },
		{ OPT_FLAG, 0, "read-only", &o.read_only, NULL, NULL },
		{ OPT_FLAG, 0, "rm", &o.rm, NULL, NULL },    /* slipway removes them anyway */
		{ OPT_END },
	};
	struct strlist *lists[] = { &o.env, &o.labels, &o.volumes, &o.tmpfs, &o.ports, &o.hosts,
				    &o.cap_add, &o.cap_drop, &o.security_opt };
	const char **argv = NULL;
	int nargs, ret = -1;

	memset(&o, 0, sizeof(o));
	strlist_push(&words, "options");
	if (ctrspec_split_words(&words, s, err) < 0 || ctrspec_check_refused(&words, err) < 0)
		goto out;
	/* util/options keeps -h for help; docker's -h is --hostname */
	for (size_t i = 1; i < words.nr; i++) {
		if (!strcmp(words.items[i], "-h")) {
			free(words.items[i]);
			words.items[i] = xstrdup("--hostname");
		} else if (!strcmp(words.items[i], "--help")) {
			strbuf_addstr(err, "unknown option '--help'");
			goto out;
		}
	}
	/* options_parse reorders the vector it is given; words keep their owners */
	argv = xcalloc(words.nr + 1, sizeof(*argv));
	memcpy(argv, words.items, words.nr * sizeof(*argv));
	nargs = options_parse((int)words.nr, argv, table, err);
	if (nargs > 0)
		strbuf_addf(err, "unexpected argument '%s' (options are docker create flags)",
			    argv[0]);
	if (nargs < 0 || nargs > 0)
		goto out;
	ret = ctrspec_apply_opts(c, &o, err);
out:
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		strlist_release(lists[i]);
	strlist_release(&words);
	free(argv);
	return ret;
}

/* ------------------------------------------------------------------ */
/* The mapping */

/* A scalar as the string GitHub would pass (numbers as JavaScript prints them). */
static void ctrspec_scalar(struct strbuf *out, struct val v)
{
	strbuf_reset(out);
	expr_coerce_string(out, v);
}

static int ctrspec_is_scalar(struct val v)
{
	return v.kind == VAL_STRING || v.kind == VAL_NUMBER || v.kind == VAL_BOOL;
}

/* A value's kind in YAML's words, for messages. */
static const char *ctrspec_kind(struct val v)
{
	static const char *const names[] = {
		[VAL_NULL] = "null", [VAL_BOOL] = "a boolean", [VAL_NUMBER] = "a number",
		[VAL_STRING] = "a string", [VAL_ARRAY] = "a sequence", [VAL_OBJECT] = "a mapping",
	};

	return names[v.kind];
}

static int ctrspec_type_error(struct strbuf *err, const char *what, const char *expected,
			      struct val v)
{
	strbuf_addf(err, "'%s' must be %s, not %s", what, expected, ctrspec_kind(v));
	return -1;
}

/* env: a mapping of names to scalars. */
static int ctrspec_env(struct ctrspec *c, struct val env, struct strbuf *err)
{
	struct strbuf sb = STRBUF_INIT;

	if (env.kind != VAL_OBJECT)
		return ctrspec_type_error(err, "env", "a mapping", env);
	for (size_t i = 0; i < env.u.object->nr; i++) {
		const struct val_member *m = &env.u.object->members[i];

		if (m->value.kind == VAL_NULL)
			ctrspec_scalar(&sb, val_string_ref("", 0));
		else if (ctrspec_is_scalar(m->value))
			ctrspec_scalar(&sb, m->value);
		else {
			strbuf_release(&sb);
			strbuf_addf(err, "'env.%s' must be a string, not %s", m->key,
				    ctrspec_kind(m->value));
			return -1;
		}
		strlist_pushf(&c->env, "%s=%s", m->key, sb.buf);
	}
	strbuf_release(&sb);
	return 0;
}

/* ports / volumes: a sequence of scalars, each given to add. */
static int ctrspec_list(struct ctrspec *c, struct val list, const char *what,
			int (*add)(struct ctrspec *c, const char *item, struct strbuf *err),
			struct strbuf *err)
{
	struct strbuf sb = STRBUF_INIT;
	int ret = 0;

	if (list.kind != VAL_ARRAY)
		return ctrspec_type_error(err, what, "a sequence", list);
	for (size_t i = 0; i < list.u.array->nr && !ret; i++) {
		struct val v = list.u.array->items[i];

		if (!ctrspec_is_scalar(v)) {
			strbuf_addf(err, "'%s[%zu]' must be a string, not %s", what, i,
				    ctrspec_kind(v));
			ret = -1;
			break;
		}
		ctrspec_scalar(&sb, v);
		ret = add(c, sb.buf, err);
	}
	strbuf_release(&sb);
	return ret;
}

static int ctrspec_add_port(struct ctrspec *c, const char *p, struct strbuf *err)
{
	(void)err;
	strlist_push(&c->ports, p);
	return 0;
}

static int ctrspec_credentials(struct ctrspec *c, struct val cred, struct strbuf *err)
{
	struct val *user, *pass;

	if (cred.kind != VAL_OBJECT)
		return ctrspec_type_error(err, "credentials", "a mapping", cred);
	user = val_object_geti(cred, "username", 8);
	pass = val_object_geti(cred, "password", 8);
	if (user && user->kind == VAL_STRING && user->u.string.len)
		c->username = xstrdup(user->u.string.ptr);
	if (pass && pass->kind == VAL_STRING && pass->u.string.len)
		c->password = xstrdup(pass->u.string.ptr);
	return 0;
}

/* Members of a container or service mapping; options come last so -e adds to env. */
static int ctrspec_mapping(struct ctrspec *c, struct val v, struct strbuf *err)
{
	struct val *image = val_object_geti(v, "image", 5);
	struct val *cred = val_object_geti(v, "credentials", 11);
	struct val *env = val_object_geti(v, "env", 3);
	struct val *ports = val_object_geti(v, "ports", 5);
	struct val *volumes = val_object_geti(v, "volumes", 7);
	struct val *options = val_object_geti(v, "options", 7);

	if (image && image->kind != VAL_STRING && image->kind != VAL_NULL)
		return ctrspec_type_error(err, "image", "a string", *image);
	if (image && image->kind == VAL_STRING && image->u.string.len)
		c->image = xstrdup(image->u.string.ptr);
	if (!c->image)
		return 0;
	if ((cred && ctrspec_credentials(c, *cred, err) < 0) ||
	    (env && env->kind != VAL_NULL && ctrspec_env(c, *env, err) < 0) ||
	    (ports && ports->kind != VAL_NULL &&
	     ctrspec_list(c, *ports, "ports", ctrspec_add_port, err) < 0) ||
	    (volumes && volumes->kind != VAL_NULL &&
	     ctrspec_list(c, *volumes, "volumes", ctrspec_add_volume, err) < 0))
		return -1;
	if (options && options->kind != VAL_NULL && options->kind != VAL_STRING)
		return ctrspec_type_error(err, "options", "a string", *options);
	if (options && options->kind == VAL_STRING &&
	    ctrspec_parse_options(c, options->u.string.ptr, err) < 0)
		return -1;
	return 0;
}

static int ctrspec_decode(struct ctrspec *c, struct val v, struct strbuf *err)
{
	if (v.kind == VAL_STRING) {
		if (v.u.string.len)
			c->image = xstrdup(v.u.string.ptr);
		return 0;
	}
	if (v.kind == VAL_NULL)
		return 0;
	if (v.kind != VAL_OBJECT)
		return ctrspec_type_error(err, "image", "an image name or a mapping", v);
	return ctrspec_mapping(c, v, err);
}

int ctrspec_from_container(struct ctrspec *c, struct val container, struct strbuf *err)
{
	struct strbuf why = STRBUF_INIT;
	int ret;

	ctrspec_init(c);
	ret = ctrspec_decode(c, container, &why);
	if (ret < 0) {
		strbuf_addf(err, "container: %s", why.buf);
		ctrspec_release(c);
	}
	strbuf_release(&why);
	return ret;
}

int ctrspec_from_services(struct ctrspec **out, size_t *nr, struct val services,
			  struct strbuf *err)
{
	struct ctrspec *list = NULL;
	size_t n = 0, alloc = 0;
	struct strbuf why = STRBUF_INIT;
	int ret = 0;

	*out = NULL;
	*nr = 0;
	if (services.kind == VAL_NULL)
		return 0;
	if (services.kind != VAL_OBJECT) {
		strbuf_addf(err, "services: must be a mapping, not %s", ctrspec_kind(services));
		return -1;
	}
	for (size_t i = 0; i < services.u.object->nr && !ret; i++) {
		const struct val_member *m = &services.u.object->members[i];

		ALLOC_GROW(list, n + 1, alloc);
		ctrspec_init(&list[n]);
		if (ctrspec_decode(&list[n], m->value, &why) < 0) {
			strbuf_addf(err, "services.%s: %s", m->key, why.buf);
			ret = -1;
		} else if (list[n].image) {
			list[n].key = xstrdup(m->key);
			n++;
			continue;
		}
		ctrspec_release(&list[n]);
	}
	strbuf_release(&why);
	if (ret < 0) {
		ctrspec_free_list(list, n);
		return -1;
	}
	*out = list;
	*nr = n;
	return 0;
}

void ctrspec_engine_spec(struct engine_container_spec *out, struct ctrspec *c)
{
	memset(out, 0, sizeof(*out));
	c->health.test = &c->health_test;
	out->image = c->image;
	out->env = &c->env;
	out->labels = &c->labels;
	out->workdir = c->workdir;
	out->user = c->user;
	out->hostname = c->hostname;
	out->binds = &c->binds;
	out->tmpfs = c->tmpfs.nr ? &c->tmpfs : NULL;
	out->ports = c->ports.nr ? &c->ports : NULL;
	out->extra_hosts = &c->extra_hosts;
	out->cap_add = &c->cap_add;
	out->cap_drop = &c->cap_drop;
	out->security_opt = &c->security_opt;
	out->entrypoint = c->has_entrypoint ? &c->entrypoint : NULL;
	out->health = c->health_test.nr ? &c->health : NULL;
	out->memory = c->memory;
	out->nano_cpus = c->nano_cpus;
	out->shm_size = c->shm_size;
	out->privileged = c->privileged;
	out->init = c->init;
	out->read_only = c->read_only;
}
