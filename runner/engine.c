/*
 * engine: the connection to the Docker engine — the only file that
 * includes curl.h. Owns the CURL handle (one per engine, so connections
 * are kept alive between calls), version negotiation, timeouts and
 * cancellation, and turning transport and HTTP failures into messages.
 * The API calls themselves are built in engine_*.c.
 */
#include "runner/engine.h"
#include "runner/engine_req.h"
#include "util/digest.h"
#include "util/dynlib.h"
#include "util/json.h"
#include "util/xalloc.h"

#include <ctype.h>
#define CURL_DISABLE_TYPECHECK   /* calls go through cu (below), not the macros */
#include <curl/curl.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * libcurl is opened when the first engine connection is made, not when
 * slipway starts: with its TLS, LDAP, Kerberos and SSH libraries it costs
 * every process about 4.5 MB of memory, and most commands never talk to
 * an engine. Every function this file calls goes through cu.
 */
#define ENGINE_LIBCURL "libcurl.so.4"
#define ENGINE_CURL_FUNCS(X) \
	X(curl_easy_cleanup) \
	X(curl_easy_getinfo) \
	X(curl_easy_init) \
	X(curl_easy_perform) \
	X(curl_easy_reset) \
	X(curl_easy_setopt) \
	X(curl_easy_strerror) \
	X(curl_slist_append) \
	X(curl_slist_free_all)

static struct {
#define ENGINE_DECLARE(name) __typeof__(name) *name;
	ENGINE_CURL_FUNCS(ENGINE_DECLARE)
#undef ENGINE_DECLARE
} cu;

#define ENGINE_SYM(name) { #name, (void **)&cu.name },
static const struct dynlib_sym engine_curl_syms[] = {
	ENGINE_CURL_FUNCS(ENGINE_SYM)
	{ NULL, NULL },
};
#undef ENGINE_SYM

static struct dynlib engine_curl = {
	ENGINE_LIBCURL, "libcurl", "libcurl4", engine_curl_syms, 0, "",
};

#define ENGINE_CONNECT_MS 5000L
#define ENGINE_CALL_MS 60000L
#define ENGINE_MAX_BODY (64u << 20)

struct engine {
	CURL *curl;
	char *host;                 /* as given, for messages */
	char *socket;               /* unix socket path, or NULL for TCP */
	char *base;                 /* "http://localhost" or "http://host:port" */
	char version[16];           /* negotiated, "1.41" */
	int podman;                 /* the engine is Podman's Docker-compatible service */
	long call_ms, stream_ms;
	const volatile sig_atomic_t *cancel;
	char *run_id;
	struct engine_req *active;  /* the request in progress, for the callbacks */
	char curl_err[CURL_ERROR_SIZE];
};

void engine_req_init(struct engine_req *r, const char *method)
{
	memset(r, 0, sizeof(*r));
	r->method = method;
	strbuf_init(&r->path, 0);
	strbuf_init(&r->resp, 0);
	strbuf_init(&r->sink_msg, 0);
}

void engine_req_release(struct engine_req *r)
{
	strbuf_release(&r->path);
	strbuf_release(&r->resp);
	strbuf_release(&r->sink_msg);
}

static void engine_escape(struct strbuf *sb, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c) || strchr("-._~/:@", c)) {
			strbuf_addch(sb, c);
		} else {
			strbuf_addch(sb, '%');
			strbuf_addch(sb, hex[c >> 4]);
			strbuf_addch(sb, hex[c & 15]);
		}
	}
}

void engine_pathf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			strbuf_addch(sb, *fmt);
			continue;
		}
		switch (*++fmt) {
		case 's':
			engine_escape(sb, va_arg(ap, const char *));
			break;
		case 'd':
			strbuf_addf(sb, "%d", va_arg(ap, int));
			break;
		default:
			strbuf_addch(sb, '%');
			break;
		}
	}
	va_end(ap);
}

void engine_add_reason(struct strbuf *err, const char *text, size_t len)
{
	while (len && isspace((unsigned char)text[len - 1]))
		len--;
	if (len >= 2 && isupper((unsigned char)text[0]) && islower((unsigned char)text[1])) {
		strbuf_addch(err, tolower((unsigned char)text[0]));
		text++;
		len--;
	}
	strbuf_add(err, text, len);
}

void engine_no_image(struct strbuf *err, const char *image)
{
	strbuf_addf(err, "image '%s' not present: build or pull it, or map the label with -P",
		    image);
}

/* ------------------------------------------------------------------ */
/* Curl callbacks */

static size_t engine_on_data(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct engine *e = userdata;
	struct engine_req *r = e->active;
	size_t len = size * nmemb;

	if (!r->status)
		cu.curl_easy_getinfo(e->curl, CURLINFO_RESPONSE_CODE, &r->status);
	if (r->sink && r->status >= 200 && r->status < 300) {
		int rc = r->sink(r->sink_data, ptr, len, &r->sink_msg);

		if (rc < 0) {
			r->sink_error = rc;
			return 0;
		}
		return len;
	}
	if (r->resp.len + len > ENGINE_MAX_BODY) {
		r->too_big = 1;
		return 0;
	}
	strbuf_add(&r->resp, ptr, len);
	return len;
}

static size_t engine_on_read(char *buf, size_t size, size_t nitems, void *userdata)
{
	struct engine *e = userdata;
	struct engine_req *r = e->active;
	ssize_t n = r->body->read(r->body->data, buf, size * nitems);

	if (n < 0) {
		r->read_failed = 1;
		return CURL_READFUNC_ABORT;
	}
	return (size_t)n;
}

static int engine_on_progress(void *userdata, curl_off_t dltotal, curl_off_t dlnow,
			      curl_off_t ultotal, curl_off_t ulnow)
{
	struct engine *e = userdata;

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return e->cancel && *e->cancel;
}

/* ------------------------------------------------------------------ */
/* Performing a request */

static void engine_add_auth(struct curl_slist **headers, const struct engine_req *r)
{
	struct arena a = ARENA_INIT;
	struct strbuf json = STRBUF_INIT, hdr = STRBUF_INIT;
	struct val obj = val_new_object(&a);

	if (r->auth) {
		engine_set_string(&a, obj, "username", r->auth->username);
		engine_set_string(&a, obj, "password", r->auth->password);
		engine_set_string(&a, obj, "serveraddress", r->auth->server);
	}
	json_write(&json, obj, 0);
	strbuf_addstr(&hdr, "X-Registry-Auth: ");
	digest_base64(&hdr, json.buf, json.len);
	/* the engine decodes the URL-safe alphabet */
	for (char *p = hdr.buf; *p; p++)
		*p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
	*headers = cu.curl_slist_append(*headers, hdr.buf);
	strbuf_release(&json);
	strbuf_release(&hdr);
	arena_release(&a);
}

/* Set the method, body and headers of r on the handle. */
static struct curl_slist *engine_setup_body(struct engine *e, struct engine_req *r,
					    struct strbuf *json)
{
	struct curl_slist *headers = cu.curl_slist_append(NULL, "Expect:");
	CURL *c = e->curl;

	if (r->json) {
		json_write(json, *r->json, 0);
		headers = cu.curl_slist_append(headers, "Content-Type: application/json");
		cu.curl_easy_setopt(c, CURLOPT_POSTFIELDS, json->buf);
		cu.curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)json->len);
	} else if (r->body && r->body->buf) {
		cu.curl_easy_setopt(c, CURLOPT_POSTFIELDS, r->body->buf);
		cu.curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body->len);
	} else if (r->body) {
		cu.curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
		cu.curl_easy_setopt(c, CURLOPT_READFUNCTION, engine_on_read);
		cu.curl_easy_setopt(c, CURLOPT_READDATA, e);
		cu.curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)-1);
	} else if (!strcmp(r->method, "POST")) {
		cu.curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
		cu.curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, 0L);
	}
	if (r->body && r->content_type) {
		struct strbuf h = STRBUF_INIT;

		strbuf_addf(&h, "Content-Type: %s", r->content_type);
		headers = cu.curl_slist_append(headers, h.buf);
		strbuf_release(&h);
	}
	if (r->auth || r->send_auth)
		engine_add_auth(&headers, r);
	if (strcmp(r->method, "GET"))
		cu.curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, r->method);
	cu.curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	return headers;
}

/* "WHAT: " from the caller's format, or nothing without one. */
static void engine_what(struct strbuf *err, const char *what, va_list ap)
{
	if (what) {
		strbuf_vaddf(err, what, ap);
		strbuf_addstr(err, ": ");
	}
}

/*
 * Whether a timeout was the low-speed limit rather than the time limit:
 * curl says only "timed out", and its clock and ours differ by a little.
 */
static int engine_stalled(const struct engine_req *r, long elapsed_ms, long limit_ms)
{
	if (!r->low_speed_s || elapsed_ms < r->low_speed_s * 1000)
		return 0;
	return !limit_ms || elapsed_ms + 100 < limit_ms;
}

/* A transport failure: ENGINE_EUNREACHABLE or ENGINE_ECANCELLED. */
static int engine_transport_error(struct engine *e, struct engine_req *r, CURLcode rc,
				  long elapsed_ms, long limit_ms, struct strbuf *err)
{
	long os_errno = 0;
	const char *reason = e->curl_err[0] ? e->curl_err : cu.curl_easy_strerror(rc);

	if (rc == CURLE_ABORTED_BY_CALLBACK && e->cancel && *e->cancel) {
		strbuf_addstr(err, "cancelled");
		return ENGINE_ECANCELLED;
	}
	cu.curl_easy_getinfo(e->curl, CURLINFO_OS_ERRNO, &os_errno);
	if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST) {
		strbuf_addf(err, "cannot reach the Docker engine at %s: %s (start dockerd or "
			    "podman's service, or set DOCKER_HOST)", e->host,
			    os_errno ? strerror((int)os_errno) : reason);
	} else if (rc == CURLE_OPERATION_TIMEDOUT && engine_stalled(r, elapsed_ms, limit_ms)) {
		strbuf_addf(err, "the transfer with the Docker engine at %s stalled for %ld s",
			    e->host, r->low_speed_s);
	} else if (rc == CURLE_OPERATION_TIMEDOUT) {
		strbuf_addf(err, "no answer from the Docker engine at %s within %.1f s to '%s %s'",
			    e->host, (double)limit_ms / 1000, r->method, r->path.buf);
	} else {
		strbuf_addf(err, "lost the connection to the Docker engine at %s: %s", e->host,
			    reason);
	}
	return ENGINE_EUNREACHABLE;
}

/* The message of an HTTP error answer: its "message" member, or its text. */
static void engine_http_reason(struct engine_req *r, struct strbuf *out)
{
	struct arena a = ARENA_INIT;
	struct strbuf ignored = STRBUF_INIT;
	struct val v;
	const char *msg = NULL;

	if (!json_parse(&v, &a, r->resp.buf, r->resp.len, &ignored))
		msg = engine_get_str(v, "message");
	if (msg)
		strbuf_addstr(out, msg);
	else if (r->resp.len)
		strbuf_add(out, r->resp.buf, r->resp.len < 500 ? r->resp.len : 500);
	else
		strbuf_addf(out, "HTTP status %ld", r->status);
	strbuf_release(&ignored);
	arena_release(&a);
}

static int engine_is_no_image(const char *msg)
{
	return strcasestr(msg, "no such image") || strcasestr(msg, "image not known");
}

static int engine_http_error(struct engine_req *r, const char *what, va_list ap,
			     struct strbuf *err)
{
	struct strbuf reason = STRBUF_INIT;
	int ret = ENGINE_ERR;

	engine_http_reason(r, &reason);
	if (r->status == 404 && r->image && engine_is_no_image(reason.buf)) {
		engine_no_image(err, r->image);
		ret = ENGINE_ENOIMAGE;
	} else {
		if (r->status == 404)
			ret = ENGINE_ENOTFOUND;
		engine_what(err, what, ap);
		if (!what)
			strbuf_addstr(err, "the Docker engine answered: ");
		engine_add_reason(err, reason.buf, reason.len);
	}
	strbuf_release(&reason);
	return ret;
}

static long engine_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int engine_vdo(struct engine *e, struct engine_req *r, struct strbuf *err,
		      const char *what, va_list ap)
{
	struct strbuf url = STRBUF_INIT, json = STRBUF_INIT;
	struct curl_slist *headers;
	long limit_ms = r->stream ? e->stream_ms : e->call_ms + r->extra_ms;
	long start = engine_now_ms();
	CURLcode rc;
	CURL *c = e->curl;
	int ret = 0;

	strbuf_addstr(&url, e->base);
	if (!r->unversioned)
		strbuf_addf(&url, "/v%s", e->version);
	strbuf_add(&url, r->path.buf, r->path.len);
	cu.curl_easy_reset(c);
	cu.curl_easy_setopt(c, CURLOPT_URL, url.buf);
	if (e->socket)
		cu.curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, e->socket);
	cu.curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	cu.curl_easy_setopt(c, CURLOPT_ERRORBUFFER, e->curl_err);
	cu.curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, ENGINE_CONNECT_MS);
	cu.curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, limit_ms);
	cu.curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
	if (r->low_speed_s) {
		cu.curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
		cu.curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, r->low_speed_s);
	}
	cu.curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, engine_on_data);
	cu.curl_easy_setopt(c, CURLOPT_WRITEDATA, e);
	if (e->cancel) {
		cu.curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
		cu.curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, engine_on_progress);
		cu.curl_easy_setopt(c, CURLOPT_XFERINFODATA, e);
	}
	headers = engine_setup_body(e, r, &json);
	e->curl_err[0] = '\0';
	e->active = r;
	rc = cu.curl_easy_perform(c);
	e->active = NULL;
	cu.curl_slist_free_all(headers);
	cu.curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);

	if (rc != CURLE_OK && r->read_failed) {
		engine_what(err, what, ap);
		strbuf_addstr(err, "the request body could not be read");
		ret = ENGINE_ERR;
	} else if (rc != CURLE_OK && r->sink_error) {
		engine_what(err, what, ap);
		strbuf_add(err, r->sink_msg.buf, r->sink_msg.len);
		ret = r->sink_error;
	} else if (rc != CURLE_OK && r->too_big) {
		engine_what(err, what, ap);
		strbuf_addf(err, "the engine's answer is larger than %u MiB", ENGINE_MAX_BODY >> 20);
		ret = ENGINE_ERR;
	} else if (rc != CURLE_OK) {
		engine_what(err, what, ap);
		ret = engine_transport_error(e, r, rc, engine_now_ms() - start, limit_ms, err);
	} else if (r->status >= 400 || r->status < 200) {
		ret = engine_http_error(r, what, ap, err);
	}
	strbuf_release(&url);
	strbuf_release(&json);
	return ret;
}

int engine_do(struct engine *e, struct engine_req *r, struct strbuf *err, const char *what, ...)
{
	va_list ap;
	int ret;

	va_start(ap, what);
	ret = engine_vdo(e, r, err, what, ap);
	va_end(ap);
	return ret;
}

/* engine_do, then the answer as JSON; what is already formatted (or NULL). */
static int engine_do_answer(struct val *out, struct arena *a, struct engine *e,
			    struct engine_req *r, struct strbuf *err, const char *what)
{
	struct strbuf why = STRBUF_INIT;
	int ret = what ? engine_do(e, r, err, "%s", what) : engine_do(e, r, err, NULL);

	if (ret)
		return ret;
	*out = val_null();
	if (r->resp.len && json_parse(out, a, r->resp.buf, r->resp.len, &why) < 0) {
		if (what)
			strbuf_addf(err, "%s: ", what);
		strbuf_addf(err, "the engine's answer is not JSON (%s)", why.buf);
		ret = ENGINE_ERR;
	}
	strbuf_release(&why);
	return ret;
}

int engine_do_json(struct val *out, struct arena *a, struct engine *e, struct engine_req *r,
		   struct strbuf *err, const char *what, ...)
{
	struct strbuf w = STRBUF_INIT;
	va_list ap;
	int ret;

	va_start(ap, what);
	strbuf_vaddf(&w, what, ap);
	va_end(ap);
	ret = engine_do_answer(out, a, e, r, err, w.buf);
	strbuf_release(&w);
	return ret;
}

int engine_do_id(struct strbuf *out, struct engine *e, struct engine_req *r, struct strbuf *err,
		 const char *what, ...)
{
	struct arena a = ARENA_INIT;
	struct strbuf w = STRBUF_INIT;
	struct val v;
	const char *id;
	va_list ap;
	int ret;

	va_start(ap, what);
	strbuf_vaddf(&w, what, ap);
	va_end(ap);
	ret = engine_do_answer(&v, &a, e, r, err, w.buf);
	if (!ret && !(id = engine_get_str(v, "Id"))) {
		strbuf_addf(err, "%s: the engine sent no id", w.buf);
		ret = ENGINE_ERR;
	}
	if (!ret)
		strbuf_addstr(out, id);
	strbuf_release(&w);
	arena_release(&a);
	return ret;
}

int engine_pause(struct engine *e, long ms, struct strbuf *err)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	if (e->cancel && *e->cancel) {
		strbuf_addstr(err, "cancelled");
		return ENGINE_ECANCELLED;
	}
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		if (e->cancel && *e->cancel) {
			strbuf_addstr(err, "cancelled");
			return ENGINE_ECANCELLED;
		}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Building and reading values */

void engine_set_string(struct arena *a, struct val obj, const char *key, const char *s)
{
	if (s)
		val_object_setstr(a, obj, key, val_cstring(a, s));
}

int engine_set_strlist(struct arena *a, struct val obj, const char *key,
		       const struct strlist *list)
{
	struct val arr;

	if (!list)
		return 0;
	arr = val_new_array(a);
	for (size_t i = 0; i < list->nr; i++)
		val_array_push(a, arr, val_cstring(a, list->items[i]));
	val_object_setstr(a, obj, key, arr);
	return 1;
}

struct val engine_labels(struct arena *a, const struct engine *e, const struct strlist *labels)
{
	struct val obj = val_new_object(a);

	for (size_t i = 0; labels && i < labels->nr; i++) {
		const char *kv = labels->items[i];
		const char *eq = strchr(kv, '=');

		val_object_set(a, obj, kv, eq ? (size_t)(eq - kv) : strlen(kv),
			       val_cstring(a, eq ? eq + 1 : ""));
	}
	if (e->run_id)
		val_object_setstr(a, obj, ENGINE_LABEL_RUN, val_cstring(a, e->run_id));
	return obj;
}

int engine_list_get(struct engine_list *out, const struct val **list, struct arena *a,
		    struct engine *e, const char *path, const char *kind, const char *value,
		    const char *member, const char *what, struct strbuf *err)
{
	static const struct val none = { VAL_NULL, { 0 } };
	struct strbuf json = STRBUF_INIT;
	struct engine_req r;
	struct val *v;
	int ret;

	engine_req_init(&r, "GET");
	strbuf_addstr(&r.path, path);
	strbuf_addch(&json, '{');
	json_write_string(&json, kind, strlen(kind));
	strbuf_addstr(&json, ":[");
	json_write_string(&json, value, strlen(value));
	strbuf_addstr(&json, "]}");
	engine_escape(&r.path, json.buf);
	strbuf_release(&json);
	v = arena_alloc(a, sizeof(*v));
	ret = engine_do_json(v, a, e, &r, err, "cannot list %s", what);
	engine_req_release(&r);
	if (ret)
		return ret;
	if (member)
		v = val_object_getstr(*v, member);
	*list = v && v->kind == VAL_ARRAY ? v : &none;
	out->nr = v && v->kind == VAL_ARRAY ? v->u.array->nr : 0;
	out->items = arena_alloc(a, (out->nr + 1) * sizeof(*out->items));
	return 0;
}

void engine_split_tag(struct strbuf *repo, struct strbuf *tag, const char *name)
{
	const char *slash = strrchr(name, '/');
	const char *colon = strrchr(slash ? slash : name, ':');

	if (colon) {
		strbuf_add(repo, name, (size_t)(colon - name));
		strbuf_addstr(tag, colon + 1);
	} else {
		strbuf_addstr(repo, name);
	}
}

const char *engine_get_str(struct val obj, const char *key)
{
	struct val *v = val_object_getstr(obj, key);

	return v && v->kind == VAL_STRING ? v->u.string.ptr : NULL;
}

double engine_get_num(struct val obj, const char *key)
{
	struct val *v = val_object_getstr(obj, key);

	return v && v->kind == VAL_NUMBER ? v->u.number : 0;
}

/* ------------------------------------------------------------------ */
/* Opening */

/* Fill e->socket or e->base from host; ENGINE_ERR for schemes we do not speak. */
static int engine_parse_host(struct engine *e, const char *host, struct strbuf *err)
{
	if (!strncmp(host, "unix://", 7) && host[7] == '/') {
		e->socket = xstrdup(host + 7);
	} else if (host[0] == '/') {
		e->socket = xstrdup(host);
	} else if (!strncmp(host, "tcp://", 6) && host[6]) {
		struct strbuf b = STRBUF_INIT;

		strbuf_addf(&b, "http://%s", host + 6);
		strbuf_rtrim(&b);
		while (b.len && b.buf[b.len - 1] == '/')
			strbuf_setlen(&b, b.len - 1);
		e->base = strbuf_detach(&b, NULL);
		return 0;
	} else {
		strbuf_addf(err, "unsupported Docker host '%s': use unix:///path/to/socket "
			    "or tcp://host:port", host);
		return ENGINE_ERR;
	}
	e->base = xstrdup("http://localhost");
	return 0;
}

/* "1.41" → 1041; -1 when not a version. */
static int engine_version_number(const char *v)
{
	int major, minor, n = 0;

	if (!v || sscanf(v, "%d.%d%n", &major, &minor, &n) != 2 || v[n] || major < 0 ||
	    minor < 0 || minor > 999)
		return -1;
	return major * 1000 + minor;
}

/* Does a /version answer come from Podman (a component "Podman Engine")? */
static int engine_says_podman(struct val version)
{
	struct val *parts = val_object_getstr(version, "Components");

	for (size_t i = 0; parts && parts->kind == VAL_ARRAY && i < parts->u.array->nr; i++) {
		const char *name = engine_get_str(parts->u.array->items[i], "Name");

		if (name && !strncmp(name, "Podman", 6))
			return 1;
	}
	return 0;
}

static int engine_negotiate(struct engine *e, struct strbuf *err)
{
	struct engine_req r;
	struct arena a = ARENA_INIT;
	struct val v;
	const char *server;
	int ret;

	engine_req_init(&r, "GET");
	r.unversioned = 1;
	strbuf_addstr(&r.path, "/version");
	ret = engine_do_answer(&v, &a, e, &r, err, NULL);
	if (ret)
		goto out;
	e->podman = engine_says_podman(v);
	server = engine_get_str(v, "ApiVersion");
	if (engine_version_number(server) < 0) {
		strbuf_addf(err, "the Docker engine at %s did not say which API version it speaks",
			    e->host);
		ret = ENGINE_ERR;
	} else if (engine_version_number(server) < engine_version_number(ENGINE_API_OLDEST)) {
		strbuf_addf(err, "the Docker engine at %s speaks API %s; slipway needs %s or newer",
			    e->host, server, ENGINE_API_OLDEST);
		ret = ENGINE_ERR;
	} else {
		snprintf(e->version, sizeof(e->version), "%s",
			 engine_version_number(server) < engine_version_number(ENGINE_API_NEWEST) ?
			 server : ENGINE_API_NEWEST);
	}
out:
	engine_req_release(&r);
	arena_release(&a);
	return ret;
}

int engine_open(struct engine **out, const char *host, struct strbuf *err)
{
	struct engine *e = xcalloc(1, sizeof(*e));
	const char *env = getenv("DOCKER_HOST");
	int ret;

	if (!host)
		host = env && *env ? env : ENGINE_DEFAULT_HOST;
	e->host = xstrdup(host);
	e->call_ms = ENGINE_CALL_MS;
	ret = engine_parse_host(e, host, err);
	if (!ret)
		ret = dynlib_load(&engine_curl, err) < 0 ? ENGINE_ERR : 0;
	if (ret)
		goto fail;
	e->curl = cu.curl_easy_init();
	if (!e->curl) {
		strbuf_addstr(err, "cannot start an HTTP client (curl_easy_init failed)");
		ret = ENGINE_ERR;
		goto fail;
	}
	ret = engine_negotiate(e, err);
	if (ret)
		goto fail;
	*out = e;
	return 0;
fail:
	engine_free(e);
	return ret;
}

struct engine *engine_clone(const struct engine *e)
{
	struct engine *c = xcalloc(1, sizeof(*c));

	c->host = xstrdup(e->host);
	c->socket = e->socket ? xstrdup(e->socket) : NULL;
	c->base = xstrdup(e->base);
	memcpy(c->version, e->version, sizeof(c->version));
	c->podman = e->podman;
	c->call_ms = e->call_ms;
	c->stream_ms = e->stream_ms;
	c->run_id = e->run_id ? xstrdup(e->run_id) : NULL;
	c->curl = cu.curl_easy_init();
	if (!c->curl) {
		fprintf(stderr, "slipway: cannot start an HTTP client (curl_easy_init failed)\n");
		abort();
	}
	return c;
}

void engine_free(struct engine *e)
{
	if (!e)
		return;
	if (e->curl)
		cu.curl_easy_cleanup(e->curl);
	free(e->host);
	free(e->socket);
	free(e->base);
	free(e->run_id);
	free(e);
}

const char *engine_host(const struct engine *e)
{
	return e->host;
}

int engine_is_podman(const struct engine *e)
{
	return e->podman;
}

const char *engine_api_version(const struct engine *e)
{
	return e->version;
}

void engine_set_timeouts(struct engine *e, long call_ms, long stream_ms)
{
	e->call_ms = call_ms;
	e->stream_ms = stream_ms;
}

void engine_set_cancel(struct engine *e, const volatile sig_atomic_t *flag)
{
	e->cancel = flag;
}

void engine_set_run_id(struct engine *e, const char *run_id)
{
	free(e->run_id);
	e->run_id = run_id ? xstrdup(run_id) : NULL;
}

int engine_ping(struct engine *e, struct strbuf *err)
{
	struct engine_req r;
	int ret;

	engine_req_init(&r, "GET");
	strbuf_addstr(&r.path, "/_ping");
	ret = engine_do(e, &r, err, "cannot ping the Docker engine");
	engine_req_release(&r);
	return ret;
}

int engine_call(struct val *out, struct arena *a, struct engine *e, const char *method,
		const char *path, const struct val *body, struct strbuf *err)
{
	struct engine_req r;
	int ret;

	engine_req_init(&r, method);
	strbuf_addstr(&r.path, path);
	r.json = body;
	ret = engine_do_json(out, a, e, &r, err, "'%s %s' failed", method, path);
	engine_req_release(&r);
	return ret;
}
