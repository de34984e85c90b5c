/*
 * docker_setup: a leg's containers brought up and torn down, in forked
 * children that may block on the engine for as long as it takes. Set-up
 * reports back through one JSON object; teardown reports nothing but
 * problems. Deciding names, binds and labels is exec_docker's.
 */
#include "runner/docker_setup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "util/fs.h"
#include "util/json.h"
#include "util/tarball.h"
#include "util/xalloc.h"

/*
 * The job container's entrypoint: report the programs job.c may ask for
 * (found along PATH) and the user's ids — read back from the container's
 * log, that costs no exec — then stay alive as pid 1, reaping what steps
 * leave behind (GitHub's runner uses `tail -f /dev/null`, which does
 * not; it is the fallback when the image has no sleep).
 */
static const char setup_probe[] =
	"for n in " DOCKER_PROBED "; do o=$IFS; IFS=:; for d in $PATH; do "
	"if [ -x \"$d/$n\" ] && [ ! -d \"$d/$n\" ]; then echo \"slipway-program $n $d/$n\"; "
	"break; fi; done; IFS=$o; done; "
	"echo \"slipway-user $(id -u 2>/dev/null) $(id -g 2>/dev/null)\"; "
	"echo slipway-ready; command -v sleep >/dev/null || exec tail -f /dev/null; "
	"while :; do sleep 86400 & wait $!; done";

/* The engine's default bound on a call; probing the container's log is bounded by it too. */
#define DOCKER_CALL_MS 60000L

/* A line for the job's log. */
static void setup_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void setup_say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* ------------------------------------------------------------------ */
/* Images */

/* A member of an engine answer: NULL / 0 when absent or of another kind. */
static const char *setup_str(struct val obj, const char *key)
{
	struct val *v = val_object_getstr(obj, key);

	return v && v->kind == VAL_STRING ? v->u.string.ptr : NULL;
}

static double setup_num(struct val obj, const char *key)
{
	struct val *v = val_object_getstr(obj, key);

	return v && v->kind == VAL_NUMBER ? v->u.number : 0;
}

/* The image is there, or pulled (with --pull). */
static int setup_image(struct engine *e, const struct ctrspec *c, const char *what, int pull,
		       struct strbuf *err)
{
	struct engine_auth auth = { c->username, c->password, NULL };
	struct strbuf why = STRBUF_INIT;
	struct arena a = ARENA_INIT;
	struct val v;
	int ret = engine_image_inspect(&v, &a, e, c->image, &why);

	if (ret == ENGINE_ENOIMAGE && pull) {
		setup_say("Pulling image '%s'", c->image);
		strbuf_reset(&why);
		ret = engine_image_pull(e, c->image, c->username ? &auth : NULL, NULL, NULL, &why);
	}
	if (ret)
		strbuf_addf(err, "%s: %s%s", what, why.buf,
			    ret == ENGINE_ENOIMAGE ? " (--pull fetches missing images)" : "");
	strbuf_release(&why);
	arena_release(&a);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Containers */

/* Create and start c as name; its id into id. */
static int setup_container(struct strbuf *id, struct engine *e, const struct docker_plan *p,
			   struct ctrspec *c, const char *name, struct strbuf *err)
{
	struct engine_container_spec spec;
	struct strlist labels = STRLIST_INIT, aliases = STRLIST_INIT, cmd = STRLIST_INIT;
	struct strlist entrypoint = STRLIST_INIT;
	int ret;

	ctrspec_engine_spec(&spec, c);
	for (size_t i = 0; i < c->labels.nr; i++)
		strlist_push(&labels, c->labels.items[i]);
	strlist_pushf(&labels, "slipway.job=%s", p->key);
	spec.labels = &labels;
	spec.name = name;
	spec.network = p->network;
	if (p->network && c->key) {
		strlist_push(&aliases, c->key);
		spec.aliases = &aliases;
	}
	if (!c->key) {
		/* the job container: the probe, then kept alive by tail; steps come as execs */
		strlist_push(&entrypoint, "sh");
		strlist_push(&cmd, "-c");
		strlist_push(&cmd, setup_probe);
		spec.entrypoint = &entrypoint;
		spec.cmd = &cmd;
	}
	ret = engine_container_create(id, e, &spec, err);
	if (!ret)
		ret = engine_container_start(e, name, err);
	strlist_release(&labels);
	strlist_release(&aliases);
	strlist_release(&cmd);
	strlist_release(&entrypoint);
	return ret;
}

/* Its published ports as GitHub's job.services.<id>.ports: container port -> host port. */
static struct val setup_ports(struct arena *a, struct val inspect)
{
	struct val *net = val_object_getstr(inspect, "NetworkSettings");
	struct val *ports = net ? val_object_getstr(*net, "Ports") : NULL;
	struct val out = val_new_object(a);

	for (size_t i = 0; ports && ports->kind == VAL_OBJECT && i < ports->u.object->nr; i++) {
		const struct val_member *m = &ports->u.object->members[i];
		const char *host;

		if (m->value.kind != VAL_ARRAY || !m->value.u.array->nr ||
		    !(host = setup_str(m->value.u.array->items[0], "HostPort")))
			continue;
		val_object_set(a, out, m->key, strcspn(m->key, "/"), val_cstring(a, host));
	}
	return out;
}

/*
 * A service is ready when healthy, or, without a health check, running;
 * then its job.services.<key> ({id, network, ports}) goes into services.
 */
static int setup_await_service(struct arena *ctx, struct val services, struct engine *e,
			       const char *name, const char *key, const char *network,
			       long timeout_ms, struct strbuf *err)
{
	struct arena a = ARENA_INIT;
	struct engine_container_info info;
	struct strbuf why = STRBUF_INIT;
	int ret = engine_container_inspect(&info, &a, e, name, err);
	struct val svc;

	if (!ret && !info.health && !info.running) {
		strbuf_addf(err, "service '%s' stopped (exit code %d) right after it started", key,
			    info.exit_code);
		ret = ENGINE_ERR;
	} else if (!ret && info.health) {
		setup_say("Waiting for service '%s' to be healthy", key);
		ret = engine_container_await_healthy(e, name, timeout_ms, &why);
		if (ret)
			strbuf_addf(err, "service '%s': %s", key, why.buf);
		else
			setup_say("Service '%s' is healthy", key);
	}
	/* ports are published once it runs: read them after the wait */
	if (!ret && info.health)
		ret = engine_container_inspect(&info, &a, e, name, err);
	if (!ret) {
		svc = val_new_object(ctx);
		val_object_setstr(ctx, svc, "id", val_cstring(ctx, info.id ? info.id : ""));
		val_object_setstr(ctx, svc, "network", val_cstring(ctx, network));
		val_object_setstr(ctx, svc, "ports", setup_ports(ctx, info.raw));
		val_object_setstr(ctx, services, key, svc);
	}
	strbuf_release(&why);
	arena_release(&a);
	return ret;
}

/* ------------------------------------------------------------------ */
/* What the job container has: shells, its user, PATH, architecture */

struct setup_log {
	struct strbuf text;
};

static int setup_log_collect(void *data, enum engine_stream stream, const char *buf, size_t len)
{
	struct setup_log *l = data;

	if (stream != ENGINE_STDOUT)
		return 0;
	strbuf_add(&l->text, buf, len);
	return strstr(l->text.buf, "slipway-ready\n") || l->text.len > 65536 ? -1 : 0;
}

/* The probe's lines into r. */
static void setup_read_probe(struct docker_setup_result *r, const char *text)
{
	for (const char *line = text; *line;) {
		size_t len = strcspn(line, "\n");
		char name[32], path[4096];
		unsigned long uid, gid;

		if (sscanf(line, "slipway-program %31s %4095[^\n]", name, path) == 2)
			strlist_pushf(&r->programs, "%s=%s", name, path);
		else if (sscanf(line, "slipway-user %lu %lu", &uid, &gid) == 2) {
			r->uid = (uid_t)uid;
			r->gid = (gid_t)gid;
		}
		line += len + (line[len] == '\n');
	}
}

static int setup_probe_container(struct docker_setup_result *r, struct engine *e,
				 const char *container, struct strbuf *err)
{
	struct setup_log log = { STRBUF_INIT };
	int ret;

	engine_set_timeouts(e, DOCKER_CALL_MS, DOCKER_CALL_MS);
	ret = engine_container_logs(e, container, 1, setup_log_collect, &log, err);
	engine_set_timeouts(e, DOCKER_CALL_MS, 0);
	if (strstr(log.text.buf, "slipway-ready\n")) {
		strbuf_reset(err);
		setup_read_probe(r, log.text.buf);
		ret = 0;
	} else if (!ret) {
		strbuf_addf(err, "the job container stopped as it started; its image needs 'sh' and "
			    "'tail' (as on GitHub): %.300s", log.text.buf);
		ret = ENGINE_ERR;
	}
	strbuf_release(&log.text);
	return ret;
}

static const struct {
	const char *docker, *runner;
} setup_arches[] = {
	{ "amd64", "X64" }, { "arm64", "ARM64" }, { "arm", "ARM" }, { "386", "X86" },
};

/* PATH from the container's environment, RUNNER_ARCH from its image. */
static int setup_describe(struct docker_setup_result *r, struct engine *e, const char *container,
			  const char *image, struct strbuf *err)
{
	struct arena a = ARENA_INIT;
	struct engine_container_info info;
	struct val img, *config, *env;
	const char *arch;
	int ret = engine_container_inspect(&info, &a, e, container, err);

	if (!ret)
		ret = engine_image_inspect(&img, &a, e, image, err);
	if (ret)
		goto out;
	config = val_object_getstr(info.raw, "Config");
	env = config ? val_object_getstr(*config, "Env") : NULL;
	for (size_t i = 0; env && env->kind == VAL_ARRAY && i < env->u.array->nr; i++) {
		struct val v = env->u.array->items[i];

		if (v.kind == VAL_STRING && !strncmp(v.u.string.ptr, "PATH=", 5))
			r->path = xstrdup(v.u.string.ptr + 5);
	}
	if (!r->path)  /* what the engine gives processes when the image sets none */
		r->path = xstrdup("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	arch = setup_str(img, "Architecture");
	snprintf(r->arch, sizeof(r->arch), "%s", arch ? arch : "X64");
	for (size_t i = 0; arch && i < sizeof(setup_arches) / sizeof(setup_arches[0]); i++)
		if (!strcmp(arch, setup_arches[i].docker))
			snprintf(r->arch, sizeof(r->arch), "%s", setup_arches[i].runner);
out:
	arena_release(&a);
	return ret;
}

/* ------------------------------------------------------------------ */
/* The workspace */

static int setup_upload(struct engine *e, const char *container, const char *snapshot,
			uid_t uid, gid_t gid, struct strbuf *err)
{
	struct tarball_opts opts = { TARBALL_TAR, "workspace", 0, 1, uid, gid };
	struct tarball_source *src = tarball_source_new(snapshot, NULL, &opts, err);
	struct engine_body body = { NULL, 0, tarball_source_read_fn, src };
	int ret;

	if (!src)
		return ENGINE_ERR;
	ret = engine_archive_put(e, container, "/github", &body, err);
	if (ret && *tarball_source_error(src)) {
		strbuf_reset(err);
		strbuf_addf(err, "cannot copy the workspace into the job container: %s",
			    tarball_source_error(src));
	}
	tarball_source_free(src);
	return ret;
}

/* ------------------------------------------------------------------ */
/* The set-up child */

/* Everything, in order; what the job context learns goes into job ({container, services}). */
static int setup_steps(struct docker_setup_result *r, struct arena *a, struct val job,
		       struct engine *e, const struct docker_plan *p, struct strbuf *err)
{
	struct strbuf what = STRBUF_INIT, network = STRBUF_INIT, id = STRBUF_INIT;
	struct val container = val_new_object(a), services = val_new_object(a);
	int ret = 0;

	val_object_setstr(a, job, "container", container);
	val_object_setstr(a, job, "services", services);
	for (size_t i = 0; i < p->services_nr && !ret; i++) {
		strbuf_reset(&what);
		strbuf_addf(&what, "service '%s'", p->services[i].key);
		ret = setup_image(e, &p->services[i], what.buf, p->pull, err);
	}
	if (!ret && p->job)
		ret = setup_image(e, p->job, "job container", p->pull, err);
	for (size_t i = 0; !ret && p->volumes && i < p->volumes->nr; i++)
		ret = engine_volume_create(e, p->volumes->items[i], NULL, err);
	if (!ret && p->network)
		ret = engine_network_create(&network, e, p->network, NULL, err);
	for (size_t i = 0; i < p->services_nr && !ret; i++) {
		setup_say("Starting service '%s' from '%s'", p->services[i].key,
			  p->services[i].image);
		strbuf_reset(&id);
		ret = setup_container(&id, e, p, &p->services[i], p->service_names[i], err);
	}
	if (!ret && p->job) {
		setup_say("Starting the job container from '%s'", p->job->image);
		strbuf_reset(&id);
		ret = setup_container(&id, e, p, p->job, p->container, err);
		val_object_setstr(a, container, "id", val_cstring(a, id.buf));
		val_object_setstr(a, container, "network", val_cstring(a, network.buf));
		if (!ret)
			ret = setup_describe(r, e, p->container, p->job->image, err);
		if (!ret)
			ret = setup_probe_container(r, e, p->container, err);
		if (!ret && p->snapshot)
			ret = setup_upload(e, p->container, p->snapshot, r->uid, r->gid, err);
	}
	for (size_t i = 0; i < p->services_nr && !ret; i++)
		ret = setup_await_service(a, services, e, p->service_names[i], p->services[i].key,
					  network.buf, p->health_ms, err);
	strbuf_release(&what);
	strbuf_release(&network);
	strbuf_release(&id);
	return ret;
}

int docker_setup_run(void *data)
{
	const struct docker_plan *p = data;
	struct engine *e = engine_clone(p->engine);
	struct docker_setup_result r;
	struct strbuf err = STRBUF_INIT, json = STRBUF_INIT;
	struct arena a = ARENA_INIT;
	struct val out = val_new_object(&a), job = val_new_object(&a);
	int ret;

	memset(&r, 0, sizeof(r));
	fflush(stdout);
	ret = setup_steps(&r, &a, job, e, p, &err);
	if (ret)
		val_object_setstr(&a, out, "error", val_cstring(&a, err.buf));
	else
		val_object_setstr(&a, out, "job", job);
	if (!ret && p->job) {
		struct val programs = val_new_object(&a);

		for (size_t i = 0; i < r.programs.nr; i++) {
			const char *eq = strchr(r.programs.items[i], '=');

			val_object_set(&a, programs, r.programs.items[i],
				       (size_t)(eq - r.programs.items[i]), val_cstring(&a, eq + 1));
		}
		val_object_setstr(&a, out, "programs", programs);
		val_object_setstr(&a, out, "path", val_cstring(&a, r.path));
		val_object_setstr(&a, out, "uid", val_number(r.uid));
		val_object_setstr(&a, out, "gid", val_number(r.gid));
		val_object_setstr(&a, out, "arch", val_cstring(&a, r.arch));
	}
	json_write(&json, out, 0);
	fs_write_all(2, json.buf, json.len);
	docker_setup_result_release(&r);
	strbuf_release(&err);
	strbuf_release(&json);
	arena_release(&a);
	engine_free(e);
	return ret ? 1 : 0;
}

int docker_setup_result(struct docker_setup_result *out, const char *text, size_t len,
			int status, struct strbuf *err)
{
	struct arena a = ARENA_INIT;
	struct strbuf why = STRBUF_INIT;
	struct val v, *programs, *job;
	const char *s;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (WIFSIGNALED(status)) {
		strbuf_addf(err, "the set-up of the job's containers was stopped (%s)",
			    strsignal(WTERMSIG(status)));
		goto out;
	}
	if (json_parse(&v, &a, text, len, &why) < 0 || v.kind != VAL_OBJECT) {
		strbuf_addf(err, "the set-up of the job's containers ended without an answer "
			    "(exit status %d)", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		goto out;
	}
	if ((s = setup_str(v, "error"))) {
		strbuf_addstr(err, s);
		goto out;
	}
	out->uid = (uid_t)setup_num(v, "uid");
	out->gid = (gid_t)setup_num(v, "gid");
	s = setup_str(v, "path");
	out->path = s ? xstrdup(s) : NULL;
	job = val_object_getstr(v, "job");
	if (job && job->kind == VAL_OBJECT) {
		struct strbuf sb = STRBUF_INIT;

		json_write(&sb, *job, 0);
		out->job = strbuf_detach(&sb, NULL);
	}
	programs = val_object_getstr(v, "programs");
	for (size_t i = 0; programs && programs->kind == VAL_OBJECT &&
	     i < programs->u.object->nr; i++) {
		const struct val_member *m = &programs->u.object->members[i];

		if (m->value.kind == VAL_STRING)
			strlist_pushf(&out->programs, "%s=%s", m->key, m->value.u.string.ptr);
	}
	snprintf(out->arch, sizeof(out->arch), "%s", (s = setup_str(v, "arch")) ? s : "X64");
	ret = 0;
out:
	strbuf_release(&why);
	arena_release(&a);
	return ret;
}

void docker_setup_result_release(struct docker_setup_result *r)
{
	free(r->path);
	r->path = NULL;
	free(r->job);
	r->job = NULL;
	strlist_release(&r->programs);
}

/* ------------------------------------------------------------------ */
/* Teardown */

int docker_teardown_run(void *data)
{
	const struct docker_teardown *t = data;
	struct engine *e = engine_clone(t->engine);
	struct strbuf err = STRBUF_INIT;
	int left = 0;

	for (size_t i = 0; t->containers && i < t->containers->nr; i++) {
		int ret = engine_container_remove(e, t->containers->items[i],
						  ENGINE_REMOVE_FORCE | ENGINE_REMOVE_VOLUMES, &err);

		left += ret && ret != ENGINE_ENOTFOUND;
		strbuf_reset(&err);
	}
	if (t->network) {
		int ret = engine_network_remove(e, t->network, &err);

		left += ret && ret != ENGINE_ENOTFOUND;
		strbuf_reset(&err);
	}
	for (size_t i = 0; t->volumes && i < t->volumes->nr; i++) {
		int ret = engine_volume_remove(e, t->volumes->items[i], 1, &err);

		left += ret && ret != ENGINE_ENOTFOUND;
		strbuf_reset(&err);
	}
	for (size_t i = 0; t->dirs && i < t->dirs->nr; i++) {
		if (fs_rm_rf(t->dirs->items[i], &err) < 0)
			fprintf(stderr, "slipway: %s\n", err.buf);
		strbuf_reset(&err);
	}
	strbuf_release(&err);
	engine_free(e);
	return left ? 1 : 0;
}
