/*
 * deployer: the deploy choreography on the engine — image lookup (pull if
 * missing), candidate container on an engine-chosen loopback port, HTTP
 * health checks (util/probe), cut-over with the old container kept
 * stopped until the new one is healthy, restore on failure — and one
 * record per attempt. The spec's parsing is stages/deployspec.c's.
 */
#include "stages/deployer.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stages/deployrec.h"
#include "util/probe.h"

/* How long a container gets to stop before it is killed. */
#define DEPLOY_STOP_S 10
/* Log lines of a failed container shown, and the bytes of log read for them. */
#define DEPLOY_TAIL_LINES 20
#define DEPLOY_TAIL_BYTES (64 * 1024)

struct deploy_ctx {
	struct engine *e;
	const struct deploy_spec *s;
	const struct strlist *secret_env;
	FILE *log;
	const char *probe_host;         /* where the published ports are reached */
};

void deploy_result_init(struct deploy_result *r)
{
	r->outcome = "failed";
	strbuf_init(&r->image_id, 0);
	strbuf_init(&r->url, 0);
	strbuf_init(&r->previous, 0);
}

void deploy_result_release(struct deploy_result *r)
{
	strbuf_release(&r->image_id);
	strbuf_release(&r->url);
	strbuf_release(&r->previous);
}

static void deploy_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0)
		;
}

static void deploy_now_iso(char *out, size_t size)
{
	struct timespec ts;
	struct tm tm;
	char buf[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, size, "%s.%03ldZ", buf, ts.tv_nsec / 1000000);
}

/* ------------------------------------------------------------------ */
/* Containers */

/* Remove a container if it exists (a missing one is fine). */
static int deploy_remove(struct deploy_ctx *c, const char *name, struct strbuf *err)
{
	struct strbuf why = STRBUF_INIT;
	int rc = engine_container_remove(c->e, name, ENGINE_REMOVE_FORCE | ENGINE_REMOVE_VOLUMES,
					 &why);

	if (rc == ENGINE_ENOTFOUND)
		rc = 0;
	else if (rc < 0)
		strbuf_add(err, why.buf, why.len);
	strbuf_release(&why);
	return rc;
}

/* 1 when the container exists, 0 when not, negative on engine errors. */
static int deploy_exists(struct deploy_ctx *c, const char *name, struct strbuf *err)
{
	struct arena a = ARENA_INIT;
	struct engine_container_info info;
	struct strbuf why = STRBUF_INIT;
	int rc = engine_container_inspect(&info, &a, c->e, name, &why);

	if (rc == ENGINE_ENOTFOUND)
		rc = 0;
	else if (rc < 0)
		strbuf_add(err, why.buf, why.len);
	else
		rc = 1;
	strbuf_release(&why);
	arena_release(&a);
	return rc;
}

static int deploy_rename(struct deploy_ctx *c, const char *from, const char *to,
			 struct strbuf *err)
{
	struct arena a = ARENA_INIT;
	struct strbuf path = STRBUF_INIT;
	struct val out;
	int rc;

	strbuf_addf(&path, "/containers/%s/rename?name=%s", from, to);
	rc = engine_call(&out, &a, c->e, "POST", path.buf, NULL, err);
	strbuf_release(&path);
	arena_release(&a);
	return rc;
}

/* Keep the live container up across engine restarts: RestartPolicy unless-stopped. */
static int deploy_restart_policy(struct deploy_ctx *c, const char *id, struct strbuf *err)
{
	struct arena a = ARENA_INIT;
	struct strbuf path = STRBUF_INIT;
	struct val body = val_new_object(&a), policy = val_new_object(&a), out;
	int rc;

	val_object_setstr(&a, policy, "Name", val_cstring(&a, "unless-stopped"));
	val_object_setstr(&a, body, "RestartPolicy", policy);
	strbuf_addf(&path, "/containers/%s/update", id);
	rc = engine_call(&out, &a, c->e, "POST", path.buf, &body, err);
	strbuf_release(&path);
	arena_release(&a);
	return rc;
}

/* Create and start the image as name with port mapping ports; id appended to out. */
static int deploy_start(struct strbuf *out, struct deploy_ctx *c, const char *name,
			const char *ports, int live, struct strbuf *err)
{
	const struct deploy_spec *s = c->s;
	struct strlist env = STRLIST_INIT, labels = STRLIST_INIT, portl = STRLIST_INIT;
	struct engine_container_spec spec;
	int rc;

	for (size_t i = 0; i < s->env.nr; i++)
		strlist_push(&env, s->env.items[i]);
	for (size_t i = 0; c->secret_env && i < c->secret_env->nr; i++)
		strlist_push(&env, c->secret_env->items[i]);
	strlist_pushf(&labels, "slipway.environment=%s", s->environment);
	strlist_pushf(&labels, "slipway.deploy.image=%s", s->image);
	strlist_pushf(&labels, "slipway.deploy.role=%s", live ? "live" : "candidate");
	strlist_push(&portl, ports);
	memset(&spec, 0, sizeof(spec));
	spec.name = name;
	spec.image = s->image;
	spec.env = &env;
	spec.labels = &labels;
	spec.ports = &portl;
	rc = engine_container_create(out, c->e, &spec, err);
	if (!rc && live)
		rc = deploy_restart_policy(c, out->buf, err);
	if (!rc)
		rc = engine_container_start(c->e, out->buf, err);
	strlist_release(&env);
	strlist_release(&labels);
	strlist_release(&portl);
	return rc;
}

/* The host port the engine published container port cport on. */
static int deploy_host_port(int *out, struct deploy_ctx *c, const char *id, int cport,
			    struct strbuf *err)
{
	struct arena a = ARENA_INIT;
	struct engine_container_info info;
	struct strbuf key = STRBUF_INIT;
	struct val *net, *ports, *list, *hp;
	int rc = engine_container_inspect(&info, &a, c->e, id, err);

	if (rc < 0)
		goto out;
	strbuf_addf(&key, "%d/tcp", cport);
	net = val_object_getstr(info.raw, "NetworkSettings");
	ports = net ? val_object_getstr(*net, "Ports") : NULL;
	list = ports ? val_object_getstr(*ports, key.buf) : NULL;
	hp = list && list->kind == VAL_ARRAY && list->u.array->nr ?
	     val_object_getstr(list->u.array->items[0], "HostPort") : NULL;
	if (!hp || hp->kind != VAL_STRING || !(*out = atoi(hp->u.string.ptr))) {
		strbuf_addf(err, "the engine published no host port for port %d of '%s'", cport,
			    info.name ? info.name : id);
		rc = -1;
	}
out:
	strbuf_release(&key);
	arena_release(&a);
	return rc;
}

/* Each secret value in text replaced by "***" (a container may print its own). */
static void deploy_mask(struct strbuf *text, const struct strlist *secret_env)
{
	for (size_t i = 0; secret_env && i < secret_env->nr; i++) {
		const char *v = strchr(secret_env->items[i], '=') + 1;
		size_t n = strlen(v);
		char *hit;

		if (!n)
			continue;
		while ((hit = memmem(text->buf, text->len, v, n))) {
			size_t at = (size_t)(hit - text->buf);
			struct strbuf rest = STRBUF_INIT;

			strbuf_add(&rest, hit + n, text->len - at - n);
			strbuf_setlen(text, at);
			strbuf_addstr(text, "***");
			strbuf_add(text, rest.buf, rest.len);
			strbuf_release(&rest);
		}
	}
}

static int deploy_collect_log(void *data, enum engine_stream stream, const char *buf, size_t len)
{
	struct strbuf *sb = data;

	(void)stream;
	strbuf_add(sb, buf, len);
	if (sb->len > DEPLOY_TAIL_BYTES) {
		memmove(sb->buf, sb->buf + sb->len - DEPLOY_TAIL_BYTES, DEPLOY_TAIL_BYTES);
		strbuf_setlen(sb, DEPLOY_TAIL_BYTES);
	}
	return 0;
}

/* The last lines the container printed, to the log (secrets masked). */
static void deploy_show_tail(struct deploy_ctx *c, const char *name)
{
	struct strbuf text = STRBUF_INIT, ignored = STRBUF_INIT;
	const char *p;
	size_t lines = 0;

	if (engine_container_logs(c->e, name, 0, deploy_collect_log, &text, &ignored) < 0 ||
	    !text.len)
		goto out;
	deploy_mask(&text, c->secret_env);
	strbuf_rtrim(&text);
	for (p = text.buf + text.len; p > text.buf; p--)
		if (p[-1] == '\n' && ++lines == DEPLOY_TAIL_LINES)
			break;
	fprintf(c->log, "the last lines '%s' printed:\n", name);
	while (*p) {
		size_t n = strcspn(p, "\n");

		fprintf(c->log, "  | %.*s\n", (int)n, p);
		p += n + (p[n] == '\n');
	}
out:
	strbuf_release(&text);
	strbuf_release(&ignored);
}

/* ------------------------------------------------------------------ */
/* Health */

/*
 * Probe GET <path> on port until it answers the expected status, the
 * retries run out, or the container stops. 0 healthy; -1 with err.
 */
static int deploy_await(struct deploy_ctx *c, const char *name, int port, struct strbuf *err)
{
	const struct deploy_health *h = &c->s->health;
	struct strbuf why = STRBUF_INIT, body = STRBUF_INIT;
	int status = 0, ret = -1, attempt;

	for (attempt = 1; attempt <= h->retries; attempt++) {
		struct arena a = ARENA_INIT;
		struct engine_container_info info;
		int rc;

		strbuf_reset(&why);
		strbuf_reset(&body);
		status = 0;
		rc = probe_http_get(&status, &body, c->probe_host, port, h->path, h->timeout_ms,
				    &why);
		if (!rc && status == h->status) {
			strbuf_setlen(&body, strcspn(body.buf, "\r\n"));
			fprintf(c->log, "'%s' is healthy: GET %s answered %d %s (attempt %d)\n",
				name, h->path, status, body.buf, attempt);
			ret = 0;
			break;
		}
		if (!rc)
			strbuf_addf(&why, "GET http://%s:%d%s answered %d, not %d", c->probe_host,
				    port, h->path, status, h->status);
		rc = engine_container_inspect(&info, &a, c->e, name, err);
		if (!rc && !info.running)
			strbuf_addf(&why, "%sthe container exited with code %d",
				    why.len ? "; " : "", info.exit_code);
		arena_release(&a);
		if (rc < 0)
			goto out;
		if (!info.running)
			break;
		if (attempt < h->retries)
			deploy_sleep_ms(h->interval_ms);
	}
	if (ret < 0)
		strbuf_addf(err, "'%s' failed its health check after %d attempt%s: %s", name,
			    attempt > h->retries ? h->retries : attempt,
			    (attempt > h->retries ? h->retries : attempt) == 1 ? "" : "s", why.buf);
out:
	strbuf_release(&why);
	strbuf_release(&body);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Steps */

/* The image's id; pulled first when the engine lacks it. */
static int deploy_image_id(struct strbuf *out, struct deploy_ctx *c, struct strbuf *err)
{
	struct arena a = ARENA_INIT;
	struct val v, *id;
	struct strbuf why = STRBUF_INIT;
	int rc = engine_image_inspect(&v, &a, c->e, c->s->image, &why);

	if (rc == ENGINE_ENOIMAGE || rc == ENGINE_ENOTFOUND) {
		fprintf(c->log, "'%s' is not in the engine: pulling it\n", c->s->image);
		strbuf_reset(&why);
		rc = engine_image_pull(c->e, c->s->image, NULL, NULL, NULL, &why);
		if (rc == 0)
			rc = engine_image_inspect(&v, &a, c->e, c->s->image, &why);
		if (rc < 0) {
			strbuf_addf(err, "image '%s' is neither in the engine nor pullable (build "
				    "and publish it first): %s", c->s->image, why.buf);
			goto out;
		}
	} else if (rc < 0) {
		strbuf_add(err, why.buf, why.len);
		goto out;
	}
	id = val_object_getstr(v, "Id");
	if (id && id->kind == VAL_STRING)
		strbuf_add(out, id->u.string.ptr, id->u.string.len);
out:
	strbuf_release(&why);
	arena_release(&a);
	return rc < 0 ? -1 : 0;
}

/* The new version beside the live one on an engine-chosen port; removed afterwards. */
static int deploy_candidate(struct deploy_ctx *c, struct strbuf *err)
{
	const struct deploy_spec *s = c->s;
	struct strbuf name = STRBUF_INIT, id = STRBUF_INIT, ports = STRBUF_INIT,
		      ignored = STRBUF_INIT;
	int port = 0, ret = -1;

	strbuf_addf(&name, "%s-candidate", s->name);
	strbuf_addf(&ports, "%s::%d", c->probe_host, s->container_port);
	if (deploy_remove(c, name.buf, err) < 0)
		goto out;
	if (deploy_start(&id, c, name.buf, ports.buf, 0, err) < 0 ||
	    deploy_host_port(&port, c, id.buf, s->container_port, err) < 0)
		goto fail;
	fprintf(c->log, "started '%s' as '%s' on %s:%d beside the live container\n", s->image,
		name.buf, c->probe_host, port);
	if (deploy_await(c, name.buf, port, err) == 0)
		ret = 0;
	else
		deploy_show_tail(c, name.buf);
fail:
	deploy_remove(c, name.buf, &ignored);
out:
	strbuf_release(&name);
	strbuf_release(&id);
	strbuf_release(&ports);
	strbuf_release(&ignored);
	return ret;
}

/*
 * The new version on the live port: the old container (if any) is
 * stopped and kept as "<name>-previous" until the new one is healthy,
 * then removed; if the new one fails, it is put back (*restored).
 */
static int deploy_cut_over(struct deploy_ctx *c, int have_live, int *restored,
			   struct strbuf *err)
{
	const struct deploy_spec *s = c->s;
	struct strbuf prev = STRBUF_INIT, id = STRBUF_INIT, ports = STRBUF_INIT,
		      why = STRBUF_INIT;
	int ret = -1;

	*restored = 0;
	strbuf_addf(&prev, "%s-previous", s->name);
	strbuf_addf(&ports, "%s:%d:%d", s->address, s->port, s->container_port);
	if (deploy_remove(c, prev.buf, err) < 0)
		goto out;
	if (have_live && (engine_container_stop(c->e, s->name, DEPLOY_STOP_S, err) < 0 ||
			  deploy_rename(c, s->name, prev.buf, err) < 0))
		goto out;
	fprintf(c->log, "starting '%s' as '%s' on %s:%d\n", s->image, s->name, s->address,
		s->port);
	if (deploy_start(&id, c, s->name, ports.buf, 1, err) == 0 &&
	    deploy_await(c, s->name, s->port, err) == 0) {
		if (have_live)
			deploy_remove(c, prev.buf, &why);
		ret = 0;
		goto out;
	}
	deploy_show_tail(c, s->name);
	deploy_remove(c, s->name, &why);
	if (!have_live)
		goto out;
	strbuf_reset(&why);
	if (deploy_rename(c, prev.buf, s->name, &why) < 0 ||
	    engine_container_start(c->e, s->name, &why) < 0) {
		strbuf_addf(err, "; the previous container could not be restarted: %s", why.buf);
		goto out;
	}
	*restored = 1;
	fprintf(c->log, "restored the previous container '%s'\n", s->name);
	if (deploy_await(c, s->name, s->port, &why) < 0)
		fprintf(c->log, "warning: the restored container is not healthy either: %s\n",
			why.buf);
out:
	strbuf_release(&prev);
	strbuf_release(&id);
	strbuf_release(&ports);
	strbuf_release(&why);
	return ret;
}

/* The record entry of this attempt, in r's arena. */
static struct val deploy_entry(struct deployrec *r, const struct deploy_spec *s,
			       const struct deploy_origin *o, const struct deploy_result *res,
			       const char *result, const char *message)
{
	struct arena *a = &r->arena;
	struct val e = val_new_object(a);
	char at[64];
	const struct {
		const char *key, *value;
	} fields[] = {
		{ "image", s->image }, { "image_id", res->image_id.len ? res->image_id.buf : NULL },
		{ "sha", o->sha }, { "at", at }, { "run_id", o->run_id }, { "job", o->job },
		{ "by", o->by }, { "kind", o->kind ? o->kind : "deploy" }, { "result", result },
		{ "message", message }, { "url", res->url.buf }, { "container", s->name },
	};

	deploy_now_iso(at, sizeof(at));
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (fields[i].value || strcmp(fields[i].key, "message"))
			val_object_setstr(a, e, fields[i].key, fields[i].value ?
					  val_cstring(a, fields[i].value) : val_null());
	val_object_setstr(a, e, "spec", deploy_spec_to_val(a, s));
	return e;
}

int deploy_run(struct deploy_result *out, struct engine *e, const struct deploy_spec *spec,
	       const struct strlist *secret_env, const struct deploy_origin *origin,
	       const char *state, FILE *log, struct strbuf *err)
{
	struct deploy_ctx c = { e, spec, secret_env, log, spec->address };
	struct deployrec rec;
	struct strbuf why = STRBUF_INIT;
	const struct val *cur, *img;
	struct val entry;
	int have_live, restored = 0, ret = -1;

	if (!strcmp(c.probe_host, "0.0.0.0") || !strcmp(c.probe_host, "::"))
		c.probe_host = "127.0.0.1";
	out->outcome = "failed";
	strbuf_addf(&out->url, "http://%s:%d", c.probe_host, spec->port);
	if (deployrec_open(&rec, state, spec->environment, 1, err) < 0)
		goto out;
	cur = deployrec_current(&rec);
	img = cur ? val_object_getstr(*cur, "image") : NULL;
	if (img && img->kind == VAL_STRING)
		strbuf_addstr(&out->previous, img->u.string.ptr);
	if (deploy_image_id(&out->image_id, &c, err) < 0)
		goto out;
	have_live = deploy_exists(&c, spec->name, err);
	if (have_live < 0)
		goto out;
	fprintf(log, "deploying '%s' (%.19s) to '%s'%s%s\n", spec->image, out->image_id.buf,
		spec->environment, out->previous.len ? ", replacing " : "", out->previous.buf);
	if (spec->strategy == DEPLOY_CANDIDATE && deploy_candidate(&c, &why) < 0) {
		out->outcome = have_live ? "kept" : "failed";
		if (have_live)
			fprintf(log, "the new version is not deployed; '%s' keeps serving\n",
				spec->name);
	} else if (deploy_cut_over(&c, have_live, &restored, &why) < 0) {
		out->outcome = restored ? "restored" : "failed";
	} else {
		out->outcome = "deployed";
		ret = 0;
	}
	if (ret < 0) {
		strbuf_add(err, why.buf, why.len);
		entry = deploy_entry(&rec, spec, origin, out, restored ? "rolled-back" : "failed",
				     why.buf);
	} else {
		entry = deploy_entry(&rec, spec, origin, out, "success", NULL);
	}
	strbuf_reset(&why);
	if (deployrec_add(&rec, entry, &why) < 0) {
		if (ret == 0)
			strbuf_add(err, why.buf, why.len);
		else
			fprintf(log, "warning: %s\n", why.buf);
		ret = -1;
	} else if (ret == 0) {
		fprintf(log, "deployed '%s' to '%s': %s\n", spec->image, spec->environment,
			out->url.buf);
	}
out:
	deployrec_release(&rec);
	strbuf_release(&why);
	return ret;
}
