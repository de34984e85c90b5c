/*
 * engine_container: the container calls of the Docker engine client —
 * create (the spec mapped to the API body), start, stop, kill, wait,
 * remove, inspect, health, logs, list, and files in and out as tar
 * streams. Processes inside a running container are engine_exec.c's.
 */
#include "runner/engine_req.h"

#include <stdlib.h>
#include <string.h>

/* "[ip:][host:]container[/proto]" into ExposedPorts and PortBindings. */
static int engine_add_port(struct arena *a, struct val exposed, struct val bindings,
			   const char *spec, struct strbuf *err)
{
	const char *last = strrchr(spec, ':');
	const char *cport = last ? last + 1 : spec;
	const char *slash = strchr(cport, '/');
	const char *hport = "", *ip = "";
	struct strbuf key = STRBUF_INIT, host = STRBUF_INIT;
	struct val binding, *list;
	char *end;
	long n;
	int ret = ENGINE_ERR;

	if (last) {
		const char *first = memchr(spec, ':', (size_t)(last - spec));

		strbuf_add(&host, spec, (size_t)(last - spec));
		hport = host.buf;
		if (first) {
			host.buf[first - spec] = '\0';
			ip = host.buf;
			hport = host.buf + (first - spec) + 1;
		}
	}
	n = strtol(cport, &end, 10);
	if (end == cport || n < 1 || n > 65535 || (*end && end != slash) ||
	    (slash && strcmp(slash, "/tcp") && strcmp(slash, "/udp") && strcmp(slash, "/sctp")))
		goto bad;
	if (*hport) {
		long h = strtol(hport, &end, 10);

		if (*end || h < 1 || h > 65535)
			goto bad;
	}
	strbuf_addf(&key, "%ld%s", n, slash ? slash : "/tcp");
	val_object_setstr(a, exposed, key.buf, val_new_object(a));
	list = val_object_getstr(bindings, key.buf);
	if (!list) {
		val_object_setstr(a, bindings, key.buf, val_new_array(a));
		list = val_object_getstr(bindings, key.buf);
	}
	binding = val_new_object(a);
	engine_set_string(a, binding, "HostIp", ip);
	engine_set_string(a, binding, "HostPort", hport);
	val_array_push(a, *list, binding);
	ret = 0;
	goto out;
bad:
	strbuf_addf(err, "invalid port mapping '%s': expected [ip:][host-port:]container-port"
		    "[/tcp|/udp|/sctp]", spec);
out:
	strbuf_release(&key);
	strbuf_release(&host);
	return ret;
}

static void engine_set_number(struct arena *a, struct val obj, const char *key, double n)
{
	val_object_setstr(a, obj, key, val_number(n));
}

static struct val engine_health_body(struct arena *a, const struct engine_healthcheck *h)
{
	struct val obj = val_new_object(a);

	engine_set_strlist(a, obj, "Test", h->test);
	/* the API counts nanoseconds */
	if (h->interval_ms)
		engine_set_number(a, obj, "Interval", (double)h->interval_ms * 1e6);
	if (h->timeout_ms)
		engine_set_number(a, obj, "Timeout", (double)h->timeout_ms * 1e6);
	if (h->start_period_ms)
		engine_set_number(a, obj, "StartPeriod", (double)h->start_period_ms * 1e6);
	if (h->retries)
		engine_set_number(a, obj, "Retries", h->retries);
	return obj;
}

static struct val engine_host_config(struct arena *a, const struct engine_container_spec *s)
{
	struct val hc = val_new_object(a), policy = val_new_object(a);

	engine_set_strlist(a, hc, "Binds", s->binds);
	if (s->tmpfs) {
		struct val t = val_new_object(a);

		for (size_t i = 0; i < s->tmpfs->nr; i++) {
			const char *p = s->tmpfs->items[i], *colon = strchr(p, ':');

			val_object_set(a, t, p, colon ? (size_t)(colon - p) : strlen(p),
				       val_cstring(a, colon ? colon + 1 : ""));
		}
		val_object_setstr(a, hc, "Tmpfs", t);
	}
	engine_set_string(a, hc, "NetworkMode", s->network);
	engine_set_strlist(a, hc, "ExtraHosts", s->extra_hosts);
	engine_set_string(a, policy, "Name", "no");
	val_object_setstr(a, hc, "RestartPolicy", policy);
	val_object_setstr(a, hc, "Privileged", val_bool(s->privileged));
	if (s->init)
		val_object_setstr(a, hc, "Init", val_bool(1));
	val_object_setstr(a, hc, "ReadonlyRootfs", val_bool(s->read_only));
	engine_set_strlist(a, hc, "CapAdd", s->cap_add);
	engine_set_strlist(a, hc, "CapDrop", s->cap_drop);
	engine_set_strlist(a, hc, "SecurityOpt", s->security_opt);
	if (s->memory)
		engine_set_number(a, hc, "Memory", (double)s->memory);
	if (s->nano_cpus)
		engine_set_number(a, hc, "NanoCpus", (double)s->nano_cpus);
	if (s->shm_size)
		engine_set_number(a, hc, "ShmSize", (double)s->shm_size);
	return hc;
}

static int engine_create_body(struct val *out, struct arena *a, struct engine *e,
			      const struct engine_container_spec *s, struct strbuf *err)
{
	struct val body = val_new_object(a), hc = engine_host_config(a, s);
	struct val exposed = val_new_object(a), bindings = val_new_object(a);

	engine_set_string(a, body, "Image", s->image);
	engine_set_strlist(a, body, "Cmd", s->cmd);
	if (s->entrypoint && !s->entrypoint->nr) {
		struct val none = val_new_array(a);

		val_array_push(a, none, val_cstring(a, ""));
		val_object_setstr(a, body, "Entrypoint", none);
	} else {
		engine_set_strlist(a, body, "Entrypoint", s->entrypoint);
	}
	engine_set_strlist(a, body, "Env", s->env);
	engine_set_string(a, body, "WorkingDir", s->workdir);
	engine_set_string(a, body, "User", s->user);
	engine_set_string(a, body, "Hostname", s->hostname);
	val_object_setstr(a, body, "Labels", engine_labels(a, e, s->labels));
	val_object_setstr(a, body, "Tty", val_bool(s->tty));
	if (s->health)
		val_object_setstr(a, body, "Healthcheck", engine_health_body(a, s->health));
	for (size_t i = 0; s->ports && i < s->ports->nr; i++)
		if (engine_add_port(a, exposed, bindings, s->ports->items[i], err) < 0)
			return ENGINE_ERR;
	if (s->ports) {
		val_object_setstr(a, body, "ExposedPorts", exposed);
		val_object_setstr(a, hc, "PortBindings", bindings);
	}
	val_object_setstr(a, body, "HostConfig", hc);
	if (s->network) {
		struct val nc = val_new_object(a), eps = val_new_object(a), ep = val_new_object(a);

		engine_set_strlist(a, ep, "Aliases", s->aliases);
		val_object_setstr(a, eps, s->network, ep);
		val_object_setstr(a, nc, "EndpointsConfig", eps);
		val_object_setstr(a, body, "NetworkingConfig", nc);
	}
	*out = body;
	return 0;
}

int engine_container_create(struct strbuf *out, struct engine *e,
			    const struct engine_container_spec *spec, struct strbuf *err)
{
	struct arena a = ARENA_INIT;
	struct engine_req r;
	struct val body;
	int ret;

	engine_req_init(&r, "POST");
	ret = engine_create_body(&body, &a, e, spec, err);
	if (ret)
		goto out;
	strbuf_addstr(&r.path, "/containers/create");
	if (spec->name)
		engine_pathf(&r.path, "?name=%s", spec->name);
	r.json = &body;
	r.image = spec->image;
	ret = engine_do_id(out, e, &r, err, "cannot create a container from '%s'", spec->image);
out:
	engine_req_release(&r);
	arena_release(&a);
	return ret;
}

/* A POST with no body and no answer worth reading. */
static int engine_container_post(struct engine *e, const char *id, const char *action,
				 const char *query, long extra_ms, struct strbuf *err)
{
	struct engine_req r;
	int ret;

	engine_req_init(&r, "POST");
	engine_pathf(&r.path, "/containers/%s/", id);
	strbuf_addstr(&r.path, action);
	strbuf_addstr(&r.path, query);
	r.extra_ms = extra_ms;
	ret = engine_do(e, &r, err, "cannot %s container '%s'", action, id);
	engine_req_release(&r);
	return ret;
}

int engine_container_start(struct engine *e, const char *id, struct strbuf *err)
{
	return engine_container_post(e, id, "start", "", 0, err);
}

int engine_container_stop(struct engine *e, const char *id, int timeout_s, struct strbuf *err)
{
	struct strbuf q = STRBUF_INIT;
	int ret;

	engine_pathf(&q, "?t=%d", timeout_s);
	ret = engine_container_post(e, id, "stop", q.buf, timeout_s * 1000L, err);
	strbuf_release(&q);
	return ret;
}

int engine_container_kill(struct engine *e, const char *id, const char *signal,
			  struct strbuf *err)
{
	struct strbuf q = STRBUF_INIT;
	int ret;

	engine_pathf(&q, "?signal=%s", signal);
	ret = engine_container_post(e, id, "kill", q.buf, 0, err);
	strbuf_release(&q);
	return ret;
}

int engine_container_wait(int *out, struct engine *e, const char *id, struct strbuf *err)
{
	struct arena a = ARENA_INIT;
	struct engine_req r;
	struct val v, *status, *error;
	int ret;

	engine_req_init(&r, "POST");
	engine_pathf(&r.path, "/containers/%s/wait?condition=not-running", id);
	r.stream = 1;
	ret = engine_do_json(&v, &a, e, &r, err, "cannot wait for container '%s'", id);
	if (ret)
		goto out;
	status = val_object_getstr(v, "StatusCode");
	error = val_object_getstr(v, "Error");
	if (error && error->kind == VAL_OBJECT && engine_get_str(*error, "Message")) {
		strbuf_addf(err, "cannot wait for container '%s': ", id);
		strbuf_addstr(err, engine_get_str(*error, "Message"));
		ret = ENGINE_ERR;
	} else if (!status || status->kind != VAL_NUMBER) {
		strbuf_addf(err, "cannot wait for container '%s': the engine sent no exit code "
			    "(the connection may have been lost)", id);
		ret = ENGINE_EUNREACHABLE;
	} else {
		*out = (int)status->u.number;
	}
out:
	engine_req_release(&r);
	arena_release(&a);
	return ret;
}

int engine_container_remove(struct engine *e, const char *id, unsigned flags,
			    struct strbuf *err)
{
	struct engine_req r;
	int ret;

	engine_req_init(&r, "DELETE");
	engine_pathf(&r.path, "/containers/%s?force=%d&v=%d", id,
		     !!(flags & ENGINE_REMOVE_FORCE), !!(flags & ENGINE_REMOVE_VOLUMES));
	r.extra_ms = flags & ENGINE_REMOVE_FORCE ? 10000 : 0;
	ret = engine_do(e, &r, err, "cannot remove container '%s'", id);
	engine_req_release(&r);
	return ret;
}

static struct val engine_member(struct val obj, const char *key)
{
	struct val *v = val_object_getstr(obj, key);

	return v ? *v : val_null();
}

static void engine_read_health(struct engine_container_info *out, struct val state)
{
	struct val health = engine_member(state, "Health");
	struct val log = engine_member(health, "Log");

	out->health = engine_get_str(health, "Status");
	/* no check: Docker says "none" or leaves Health out, Podman says "" */
	if (out->health && (!*out->health || !strcmp(out->health, "none")))
		out->health = NULL;
	if (log.kind == VAL_ARRAY && log.u.array->nr)
		out->health_output = engine_get_str(log.u.array->items[log.u.array->nr - 1],
						    "Output");
}

static void engine_read_networks(struct engine_container_info *out, struct arena *a,
				 struct val inspect)
{
	struct val nets = engine_member(engine_member(inspect, "NetworkSettings"), "Networks");

	if (nets.kind != VAL_OBJECT || !nets.u.object->nr)
		return;
	out->networks_nr = nets.u.object->nr;
	out->networks = arena_alloc(a, out->networks_nr * sizeof(*out->networks));
	for (size_t i = 0; i < out->networks_nr; i++) {
		const char *ip = engine_get_str(nets.u.object->members[i].value, "IPAddress");

		out->networks[i].network = nets.u.object->members[i].key;
		out->networks[i].ip = ip ? ip : "";
	}
}

int engine_container_inspect(struct engine_container_info *out, struct arena *a,
			     struct engine *e, const char *id, struct strbuf *err)
{
	struct engine_req r;
	struct val v, state;
	const char *name;
	int ret;

	engine_req_init(&r, "GET");
	engine_pathf(&r.path, "/containers/%s/json", id);
	ret = engine_do_json(&v, a, e, &r, err, "cannot inspect container '%s'", id);
	engine_req_release(&r);
	if (ret)
		return ret;
	memset(out, 0, sizeof(*out));
	state = engine_member(v, "State");
	out->raw = v;
	out->id = engine_get_str(v, "Id");
	name = engine_get_str(v, "Name");
	out->name = name && *name == '/' ? name + 1 : name;
	out->image = engine_get_str(engine_member(v, "Config"), "Image");
	out->status = engine_get_str(state, "Status");
	out->running = engine_member(state, "Running").kind == VAL_BOOL &&
		engine_member(state, "Running").u.boolean;
	out->exit_code = (int)engine_get_num(state, "ExitCode");
	out->pid = (int)engine_get_num(state, "Pid");
	out->oom_killed = engine_member(state, "OOMKilled").kind == VAL_BOOL &&
		engine_member(state, "OOMKilled").u.boolean;
	engine_read_health(out, state);
	out->health_interval_ms = (long)(engine_get_num(engine_member(engine_member(v, "Config"),
								      "Healthcheck"), "Interval") / 1e6);
	engine_read_networks(out, a, v);
	return 0;
}

const char *engine_container_ip(const struct engine_container_info *c, const char *network)
{
	for (size_t i = 0; i < c->networks_nr; i++)
		if (!strcmp(c->networks[i].network, network))
			return c->networks[i].ip;
	return NULL;
}

/* The last probe's output, trimmed, for a message. */
static void engine_add_probe_output(struct strbuf *err, const char *output)
{
	size_t len = output ? strlen(output) : 0;

	while (len && (output[len - 1] == '\n' || output[len - 1] == ' '))
		len--;
	if (len)
		strbuf_addf(err, " (last check: %.*s)", (int)(len < 300 ? len : 300), output);
}

/*
 * Podman runs health checks from systemd timers; where there is no
 * systemd they never run and the status stays "starting". Its own API
 * runs one check on request: done here at the container's interval
 * (Podman's default 30 s), as the timer would.
 */
#define ENGINE_PODMAN_INTERVAL_MS 30000L

static void engine_podman_probe(struct engine *e, const struct engine_container_info *c,
				long waited, long *probed)
{
	long interval = c->health_interval_ms > 0 ? c->health_interval_ms :
			ENGINE_PODMAN_INTERVAL_MS;
	struct engine_req r;
	struct strbuf why = STRBUF_INIT;

	if (!engine_is_podman(e) || !c->health || strcmp(c->health, "starting") ||
	    waited - *probed < interval)
		return;
	*probed = waited;
	engine_req_init(&r, "GET");
	engine_pathf(&r.path, "/libpod/containers/%s/healthcheck", c->id);
	/* the answer is the new status, which the next inspection reads anyway */
	engine_do(e, &r, &why, "cannot run the health check of '%s'", c->id);
	engine_req_release(&r);
	strbuf_release(&why);
}

int engine_container_await_healthy(struct engine *e, const char *id, long timeout_ms,
				   struct strbuf *err)
{
	long waited = 0, step = 50, probed = 0;
	int ret;

	for (;;) {
		struct arena a = ARENA_INIT;
		struct engine_container_info c;

		ret = engine_container_inspect(&c, &a, e, id, err);
		if (!ret)
			engine_podman_probe(e, &c, waited, &probed);
		if (!ret && !c.health) {
			strbuf_addf(err, "container '%s' has no health check", id);
			ret = ENGINE_ERR;
		} else if (!ret && !strcmp(c.health, "healthy")) {
			ret = 1;
		} else if (!ret && !strcmp(c.health, "unhealthy")) {
			strbuf_addf(err, "container '%s' is unhealthy", id);
			engine_add_probe_output(err, c.health_output);
			ret = ENGINE_ERR;
		} else if (!ret && !c.running) {
			strbuf_addf(err, "container '%s' stopped (exit code %d) before it was healthy",
				    id, c.exit_code);
			ret = ENGINE_ERR;
		} else if (!ret && waited >= timeout_ms) {
			strbuf_addf(err, "container '%s' was not healthy within %.1f s", id,
				    (double)timeout_ms / 1000);
			engine_add_probe_output(err, c.health_output);
			ret = ENGINE_ERR;
		}
		arena_release(&a);
		if (ret)
			return ret < 0 ? ret : 0;
		ret = engine_pause(e, step, err);
		if (ret)
			return ret;
		waited += step;
		step = step < 400 ? step * 2 : 500;
	}
}

/*
 * What a read of the logs delivers, past what earlier reads delivered:
 * a read that starts over (the follow below) replays the logs from the
 * start, and each stream's bytes come in the same order every time.
 */
struct logs_resume {
	engine_output_fn *fn;
	void *data;
	size_t seen[3], delivered[3];   /* by enum engine_stream */
};

static int logs_resume_relay(void *data, enum engine_stream stream, const char *buf, size_t len)
{
	struct logs_resume *l = data;
	size_t *seen = &l->seen[stream], *done = &l->delivered[stream], skip = 0;

	if (*seen < *done)
		skip = *done - *seen < len ? *done - *seen : len;
	*seen += len;
	if (skip == len)
		return 0;
	*done += len - skip;
	return l->fn(l->data, stream, buf + skip, len - skip);
}

/* One read of the logs: to the end (follow = 0), or until the container ends. */
static int logs_read(struct engine *e, const char *id, int tty, int follow, long idle_s,
		     struct logs_resume *l, struct strbuf *err)
{
	struct engine_demux d;
	struct engine_req r;
	int ret;

	memset(l->seen, 0, sizeof(l->seen));
	engine_demux_init(&d, tty, logs_resume_relay, l);
	engine_req_init(&r, "GET");
	engine_pathf(&r.path, "/containers/%s/logs?stdout=1&stderr=1&follow=%d", id, follow);
	r.stream = 1;
	r.low_speed_s = idle_s;
	r.sink = engine_demux_feed;
	r.sink_data = &d;
	ret = engine_do(e, &r, err, "cannot read the logs of container '%s'", id);
	if (!ret && engine_demux_finish(&d) < 0) {
		strbuf_addf(err, "cannot read the logs of container '%s': the stream ended "
			    "mid-frame (the engine may have stopped)", id);
		ret = ENGINE_EUNREACHABLE;
	}
	engine_req_release(&r);
	return ret;
}

/*
 * A followed stream ends when the container does, but Podman's can miss
 * an exit that comes as it starts and then wait for ever. So a follow
 * that is silent for this long looks at the container: stopped, the rest
 * is read without following; still running, the follow starts over.
 */
#define LOGS_FOLLOW_IDLE_S 3

int engine_container_logs(struct engine *e, const char *id, int follow, engine_output_fn *fn,
			  void *data, struct strbuf *err)
{
	struct arena a = ARENA_INIT;
	struct engine_container_info c;
	struct logs_resume l = { fn, data, { 0 }, { 0 } };
	struct val *tty;
	int is_tty, ret = engine_container_inspect(&c, &a, e, id, err);

	if (ret) {
		arena_release(&a);
		return ret;
	}
	tty = val_object_getstr(engine_member(c.raw, "Config"), "Tty");
	is_tty = tty && tty->kind == VAL_BOOL && tty->u.boolean;
	for (;;) {
		size_t mark = err->len;

		ret = logs_read(e, id, is_tty, !!follow, follow ? LOGS_FOLLOW_IDLE_S : 0, &l, err);
		if (!follow || ret != ENGINE_EUNREACHABLE)
			break;
		/* silent (or gone): is the container still there, and running? */
		strbuf_setlen(err, mark);
		arena_release(&a);
		ret = engine_container_inspect(&c, &a, e, id, err);
		if (ret)
			break;
		if (!c.running) {
			ret = logs_read(e, id, is_tty, 0, 0, &l, err);
			break;
		}
	}
	arena_release(&a);
	return ret;
}

int engine_container_list(struct engine_list *out, struct arena *a, struct engine *e,
			  const char *label_filter, struct strbuf *err)
{
	const struct val *list;
	int ret = engine_list_get(out, &list, a, e, "/containers/json?all=1&filters=", "label",
				  label_filter, NULL, "containers", err);

	if (ret)
		return ret;
	for (size_t i = 0; i < out->nr; i++) {
		struct val c = list->u.array->items[i], names = engine_member(c, "Names");
		struct engine_object *o = &out->items[i];

		o->id = engine_get_str(c, "Id");
		o->state = engine_get_str(c, "State");
		o->labels = engine_member(c, "Labels");
		if (names.kind == VAL_ARRAY && names.u.array->nr &&
		    names.u.array->items[0].kind == VAL_STRING) {
			o->name = names.u.array->items[0].u.string.ptr;
			o->name += *o->name == '/';
		}
	}
	return 0;
}

int engine_archive_put(struct engine *e, const char *container, const char *path,
		       const struct engine_body *tar, struct strbuf *err)
{
	struct engine_req r;
	int ret;

	engine_req_init(&r, "PUT");
	engine_pathf(&r.path, "/containers/%s/archive?path=%s", container, path);
	r.body = tar;
	r.content_type = "application/x-tar";
	r.stream = 1;
	r.low_speed_s = ENGINE_STALL_S;
	ret = engine_do(e, &r, err, "cannot copy files into '%s' in container '%s'", path,
			container);
	engine_req_release(&r);
	return ret;
}

struct engine_download {
	engine_write_fn *fn;
	void *data;
};

static int engine_download_feed(void *data, const char *buf, size_t len, struct strbuf *why)
{
	struct engine_download *d = data;

	if (d->fn(d->data, buf, len) >= 0)
		return 0;
	strbuf_addstr(why, "the download was stopped by its consumer");
	return ENGINE_ECANCELLED;
}

int engine_archive_get(struct engine *e, const char *container, const char *path,
		       engine_write_fn *fn, void *data, struct strbuf *err)
{
	struct engine_download d = { fn, data };
	struct engine_req r;
	int ret;

	engine_req_init(&r, "GET");
	engine_pathf(&r.path, "/containers/%s/archive?path=%s", container, path);
	r.stream = 1;
	r.low_speed_s = ENGINE_STALL_S;
	r.sink = engine_download_feed;
	r.sink_data = &d;
	ret = engine_do(e, &r, err, "cannot copy '%s' out of container '%s'", path, container);
	engine_req_release(&r);
	return ret;
}
