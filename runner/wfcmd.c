/*
 * wfcmd: recognising workflow commands in a line of step output, GitHub's
 * unescaping rules, and each command's checks and messages (one table row
 * and handler per command). Carrying the command out is the runner's job.
 */
#include "runner/wfcmd.h"
#include "util/digest.h"
#include "util/json.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Constants.Runner.* texts of GitHub's runner, kept word for word. */
#define WFCMD_DISABLED_TEXT \
	"The `%s` command is disabled. Please upgrade to using Environment Files or " \
	"opt into unsecure command execution by setting the " \
	"`ACTIONS_ALLOW_UNSECURE_COMMANDS` environment variable to `true`. For more " \
	"information see: https://github.blog/changelog/2020-10-01-github-actions-" \
	"deprecating-set-env-and-add-path-commands/"
#define WFCMD_DEPRECATED_TEXT \
	"The `%s` command is deprecated and will be disabled soon. Please upgrade to " \
	"using Environment Files. For more information see: https://github.blog/" \
	"changelog/2022-10-11-github-actions-deprecating-save-state-and-set-output-commands/"
#define WFCMD_STOP_TOKEN_TEXT \
	"You cannot use a endToken that is an empty string, the string 'pause-logging', " \
	"or another workflow command. For more information see: https://docs.github.com/" \
	"actions/learn-github-actions/workflow-commands-for-github-actions#example-" \
	"stopping-and-starting-workflow-commands or opt into insecure command execution " \
	"by setting the `ACTIONS_ALLOW_UNSECURE_STOPCOMMAND_TOKENS` environment variable " \
	"to `true`."

/* A stop token longer than this is itself masked (GitHub's rule). */
#define WFCMD_STOP_TOKEN_MASK_LEN 6

/* Escapes, decoded in one left-to-right pass; GitHub's are upper case only. */
struct wfcmd_escape {
	const char *seq;
	char c;
};

static const struct wfcmd_escape wfcmd_data_escapes[] = {
	{ "%0D", '\r' }, { "%0A", '\n' }, { "%25", '%' }, { NULL, 0 },
};
static const struct wfcmd_escape wfcmd_prop_escapes[] = {
	{ "%0D", '\r' }, { "%0A", '\n' }, { "%3A", ':' }, { "%2C", ',' }, { "%25", '%' },
	{ NULL, 0 },
};
static const struct wfcmd_escape wfcmd_legacy_escapes[] = {
	{ "%3B", ';' }, { "%0D", '\r' }, { "%0A", '\n' }, { "%5D", ']' }, { "%25", '%' },
	{ NULL, 0 },
};

/* The two spellings of a command line. */
struct wfcmd_syntax {
	char prop_sep;
	int trim_props;
	const struct wfcmd_escape *data_escapes, *prop_escapes;
};

static const struct wfcmd_syntax wfcmd_v2 = { ',', 1, wfcmd_data_escapes, wfcmd_prop_escapes };
static const struct wfcmd_syntax wfcmd_legacy = { ';', 0, wfcmd_legacy_escapes,
						   wfcmd_legacy_escapes };

struct wfcmd_ctx {
	struct wfcmd_state *st;
	struct wfcmd *out;
	const char *input;      /* the line, NUL-terminated in the arena */
};

static void wfcmd_msg(struct wfcmd_ctx *x, enum wfcmd_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Add a message; a command raises at most WFCMD_MAX_MSGS by construction. */
static void wfcmd_msg(struct wfcmd_ctx *x, enum wfcmd_level level, const char *fmt, ...)
{
	struct wfcmd *out = x->out;
	struct strbuf text = STRBUF_INIT;
	va_list ap;

	if (out->nmsgs == WFCMD_MAX_MSGS)
		return;
	va_start(ap, fmt);
	strbuf_vaddf(&text, fmt, ap);
	va_end(ap);
	out->msgs[out->nmsgs].level = level;
	out->msgs[out->nmsgs].text = arena_strndup(&x->st->arena, text.buf, text.len);
	out->nmsgs++;
	strbuf_release(&text);
}

/*
 * A command whose processing threw in GitHub's runner: two errors, the step
 * fails. (Only commands that are echoed can fail, so the line is quoted.)
 */
static void wfcmd_fail(struct wfcmd_ctx *x, const char *fmt, const char *arg)
{
	wfcmd_msg(x, WFCMD_LEVEL_ERROR, "Unable to process command '%s' successfully.",
		  x->input);
	wfcmd_msg(x, WFCMD_LEVEL_ERROR, fmt, arg);
	x->out->kind = WFCMD_INVALID;
	x->out->failed = 1;
}

static const char *wfcmd_propstr(const struct wfcmd *cmd, const char *key)
{
	const struct wfcmd_prop *p = wfcmd_prop(cmd, key);

	return p && p->value_len ? p->value : NULL;
}

/* .NET int.TryParse, restricted to positive numbers: 0 when not one. */
static int wfcmd_position(const struct wfcmd *cmd, const char *key)
{
	const char *s = wfcmd_propstr(cmd, key);
	char *end;
	long v;

	if (!s)
		return 0;
	v = strtol(s, &end, 10);
	while (*end == ' ' || *end == '\t')
		end++;
	return *end || end == s || v <= 0 || v > INT_MAX ? 0 : (int)v;
}

static void wfcmd_do_annotation(struct wfcmd_ctx *x)
{
	struct wfcmd *c = x->out;
	int has_col;

	c->file = wfcmd_propstr(c, "file");
	c->title = wfcmd_propstr(c, "title");
	c->line = wfcmd_position(c, "line");
	c->end_line = wfcmd_position(c, "endLine");
	c->col = wfcmd_position(c, "col");
	c->end_col = wfcmd_position(c, "endColumn");
	/* IssueCommandExtension.ValidateLinesAndColumns, rule by rule. */
	has_col = c->col || c->end_col;
	if (c->end_line && !c->line)
		c->line = c->end_line;
	if (c->end_col && !c->col)
		c->col = c->end_col;
	if ((!c->line && has_col) || (c->end_line && c->line != c->end_line && has_col))
		c->col = c->end_col = 0;
	if (c->line && c->end_line && c->end_line < c->line)
		c->line = c->end_line = 0;
	if (c->col && c->end_col && c->end_col < c->col)
		c->col = c->end_col = 0;
}

static int wfcmd_is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static void wfcmd_do_add_mask(struct wfcmd_ctx *x)
{
	struct wfcmd *c = x->out;
	size_t i = 0;

	while (i < c->data_len && wfcmd_is_blank(c->data[i]))
		i++;
	if (i == c->data_len) {
		c->kind = WFCMD_INVALID;
		wfcmd_msg(x, WFCMD_LEVEL_WARNING,
			  "Can't add secret mask for empty string in ##[add-mask] command.");
		return;
	}
	c->secret = c->data;
	c->secret_len = c->data_len;
	if (x->st->echo)
		c->echo = "::add-mask::***";
}

static void wfcmd_do_matcher(struct wfcmd_ctx *x)
{
	wfcmd_msg(x, WFCMD_LEVEL_DEBUG,
		  "problem matchers are not supported: the '::%s::' command is ignored",
		  x->out->name);
}

static int wfcmd_unsecure_allowed(struct wfcmd_ctx *x)
{
	if (x->st->flags & WFCMD_ALLOW_UNSECURE_COMMANDS)
		return 1;
	wfcmd_fail(x, WFCMD_DISABLED_TEXT, x->out->name);
	return 0;
}

static void wfcmd_do_add_path(struct wfcmd_ctx *x)
{
	if (!wfcmd_unsecure_allowed(x))
		return;
	if (!x->out->data_len)
		wfcmd_fail(x, "Value cannot be null. (Parameter '%s')", "path");
}

static void wfcmd_do_echo(struct wfcmd_ctx *x)
{
	const char *d = x->out->data;
	size_t len = x->out->data_len;

	if (!len) {
		wfcmd_fail(x, "Value cannot be null. (Parameter '%s')", "value");
		return;
	}
	while (len && wfcmd_is_blank(*d)) {
		d++;
		len--;
	}
	while (len && wfcmd_is_blank(d[len - 1]))
		len--;
	if (len == 2 && !strncasecmp(d, "on", 2))
		x->st->echo = 1;
	else if (len == 3 && !strncasecmp(d, "off", 3))
		x->st->echo = 0;
	else
		wfcmd_fail(x, "Invalid echo command value. Possible values can be: 'on', "
			   "'off'. Current value is: '%s'.", x->out->data);
}

/* ::set-output:: and ::save-state:: — deprecated, still honoured. */
static void wfcmd_do_named(struct wfcmd_ctx *x)
{
	struct wfcmd *c = x->out;

	wfcmd_msg(x, WFCMD_LEVEL_WARNING, WFCMD_DEPRECATED_TEXT, c->name);
	c->key = wfcmd_propstr(c, "name");
	if (!c->key)
		wfcmd_fail(x, "Required field 'name' is missing in ##[%s] command.", c->name);
}

static void wfcmd_do_set_env(struct wfcmd_ctx *x)
{
	struct wfcmd *c = x->out;

	if (!wfcmd_unsecure_allowed(x))
		return;
	c->key = wfcmd_propstr(c, "name");
	if (!c->key) {
		wfcmd_fail(x, "Required field 'name' is missing in ##[%s] command.", c->name);
	} else if (!strcasecmp(c->key, "NODE_OPTIONS")) {
		c->kind = WFCMD_INVALID;
		wfcmd_msg(x, WFCMD_LEVEL_ERROR,
			  "Can't update %s environment variable using ::set-env:: command.",
			  "NODE_OPTIONS");
	}
}

/* Slipway's own commands come from its built-in stages only. */
static int wfcmd_stage_allowed(struct wfcmd_ctx *x)
{
	if (x->st->flags & WFCMD_STAGE)
		return 1;
	x->out->kind = WFCMD_INVALID;
	wfcmd_msg(x, WFCMD_LEVEL_WARNING, "the '::%s::' command is for Slipway's built-in "
		  "stages only; ignored in this step", x->out->name);
	return 0;
}

/* A stage's command that cannot be applied: the step fails (its line is not quoted). */
static void wfcmd_stage_fail(struct wfcmd_ctx *x, const char *why)
{
	x->out->kind = WFCMD_INVALID;
	x->out->failed = 1;
	wfcmd_msg(x, WFCMD_LEVEL_ERROR, "the '::%s::' command %s", x->out->name, why);
}

/* A non-empty string member of obj without NULs, or NULL. */
static const char *wfcmd_json_str(struct val obj, const char *key)
{
	const struct val *v = val_object_getstr(obj, key);

	return v && v->kind == VAL_STRING && v->u.string.len &&
	       !memchr(v->u.string.ptr, '\0', v->u.string.len) ? v->u.string.ptr : NULL;
}

static void wfcmd_do_registry_login(struct wfcmd_ctx *x)
{
	struct wfcmd *c = x->out;
	struct strbuf json = STRBUF_INIT, why = STRBUF_INIT;
	struct val creds;

	if (!wfcmd_stage_allowed(x))
		return;
	if (!digest_base64_decode(&json, c->data, c->data_len) &&
	    !json_parse(&creds, &x->st->arena, json.buf, json.len, &why) &&
	    creds.kind == VAL_OBJECT) {
		c->username = wfcmd_json_str(creds, "username");
		c->password = wfcmd_json_str(creds, "password");
	}
	memset(json.buf, 0, json.len);
	strbuf_release(&json);
	strbuf_release(&why);
	if (c->password) {      /* masked even when the rest is wrong */
		c->secret = c->password;
		c->secret_len = strlen(c->password);
	}
	c->key = wfcmd_propstr(c, "registry");
	if (!c->key || !c->username || !c->password) {
		c->username = c->password = NULL;
		wfcmd_stage_fail(x, c->key ? "does not carry base64 of {\"username\", \"password\"}"
				 : "lacks its 'registry' property");
		return;
	}
	if (x->st->echo)
		c->echo = arena_printf(&x->st->arena, "::%s registry=%s::%s", c->name, c->key,
				       "***");
}

static void wfcmd_do_registry_logout(struct wfcmd_ctx *x)
{
	if (!wfcmd_stage_allowed(x))
		return;
	x->out->key = wfcmd_propstr(x->out, "registry");
	if (!x->out->key)
		wfcmd_stage_fail(x, "lacks its 'registry' property");
}

static void wfcmd_do_nothing(struct wfcmd_ctx *x)
{
	(void)x;
}

static void wfcmd_do_stop(struct wfcmd_ctx *x);

/*
 * GitHub's registered commands (internal-set-repo-path is for its plugins)
 * and Slipway's own (see wfcmd.h).
 */
static const struct wfcmd_def {
	const char *name;
	enum wfcmd_kind kind;
	int omit_echo;          /* not echoed even with ::echo::on */
	void (*process)(struct wfcmd_ctx *x);
} wfcmd_defs[] = {
	{ "add-mask", WFCMD_ADD_MASK, 1, wfcmd_do_add_mask },
	{ "add-matcher", WFCMD_ADD_MATCHER, 0, wfcmd_do_matcher },
	{ "add-path", WFCMD_ADD_PATH, 0, wfcmd_do_add_path },
	{ "debug", WFCMD_DEBUG, 1, wfcmd_do_nothing },
	{ "echo", WFCMD_ECHO, 0, wfcmd_do_echo },
	{ "endgroup", WFCMD_ENDGROUP, 0, wfcmd_do_nothing },
	{ "error", WFCMD_ERROR, 1, wfcmd_do_annotation },
	{ "group", WFCMD_GROUP, 0, wfcmd_do_nothing },
	{ "notice", WFCMD_NOTICE, 1, wfcmd_do_annotation },
	{ "remove-matcher", WFCMD_REMOVE_MATCHER, 0, wfcmd_do_matcher },
	{ "save-state", WFCMD_SAVE_STATE, 0, wfcmd_do_named },
	{ "set-env", WFCMD_SET_ENV, 0, wfcmd_do_set_env },
	{ "set-output", WFCMD_SET_OUTPUT, 0, wfcmd_do_named },
	{ "stop-commands", WFCMD_STOP_COMMANDS, 0, wfcmd_do_stop },
	{ "warning", WFCMD_WARNING, 1, wfcmd_do_annotation },
	{ WFCMD_REGISTRY_LOGIN_NAME, WFCMD_REGISTRY_LOGIN, 1, wfcmd_do_registry_login },
	{ WFCMD_REGISTRY_LOGOUT_NAME, WFCMD_REGISTRY_LOGOUT, 0, wfcmd_do_registry_logout },
};

#define WFCMD_NDEFS (sizeof(wfcmd_defs) / sizeof(wfcmd_defs[0]))

static const struct wfcmd_def *wfcmd_find(const char *name, size_t len)
{
	for (size_t i = 0; i < WFCMD_NDEFS; i++)
		if (strlen(wfcmd_defs[i].name) == len && !strncasecmp(wfcmd_defs[i].name, name, len))
			return &wfcmd_defs[i];
	return NULL;
}

static void wfcmd_do_stop(struct wfcmd_ctx *x)
{
	struct wfcmd *c = x->out;
	const char *token = c->data;

	/*
	 * ActionCommandManager.ValidateStopToken throws out of the command
	 * manager: commands keep being processed and the step fails.
	 */
	if ((!*token || wfcmd_find(token, strlen(token)) || !strcasecmp(token, "pause-logging")) &&
	    !(x->st->flags & WFCMD_ALLOW_UNSECURE_STOP_TOKENS)) {
		c->kind = WFCMD_INVALID;
		c->failed = 1;
		wfcmd_msg(x, WFCMD_LEVEL_ERROR, "%s", WFCMD_STOP_TOKEN_TEXT);
		return;
	}
	if (strlen(token) > WFCMD_STOP_TOKEN_MASK_LEN) {
		c->secret = token;
		c->secret_len = strlen(token);
	}
	free(x->st->stop_token);
	x->st->stop_token = xstrdup(token);
	c->echo = x->input;
}

/* Decode escaped text into the arena, NUL-terminated. */
static const char *wfcmd_unescape(struct arena *a, const char *s, size_t len,
				  const struct wfcmd_escape *esc, size_t *out_len)
{
	char *out = arena_alloc(a, len + 1), *o = out;

	for (size_t i = 0; i < len;) {
		const struct wfcmd_escape *e = NULL;

		if (s[i] == '%' && i + 3 <= len)
			for (e = esc; e->seq && memcmp(s + i, e->seq, 3); e++)
				;
		if (e && e->seq) {
			*o++ = e->c;
			i += 3;
		} else {
			*o++ = s[i++];
		}
	}
	*o = '\0';
	*out_len = (size_t)(o - out);
	return out;
}

static void wfcmd_add_prop(struct wfcmd_ctx *x, const struct wfcmd_syntax *syn,
			   const char *s, size_t len)
{
	struct wfcmd *c = x->out;
	const char *eq = memchr(s, '=', len);
	struct wfcmd_prop p;
	size_t klen;

	/* "k=" and "=v" split into one part in .NET and are dropped. */
	if (!eq || eq == s || eq == s + len - 1)
		return;
	klen = (size_t)(eq - s);
	p.key = arena_strndup(&x->st->arena, s, klen);
	p.value = wfcmd_unescape(&x->st->arena, eq + 1, len - klen - 1, syn->prop_escapes,
				 &p.value_len);
	for (size_t i = 0; i < c->nprops; i++) {
		if (!strcasecmp(c->props[i].key, p.key)) {
			c->props[i] = p;
			return;
		}
	}
	c->props = arena_realloc(&x->st->arena, c->props, c->nprops * sizeof(p),
				 (c->nprops + 1) * sizeof(p));
	c->props[c->nprops++] = p;
}

static void wfcmd_parse_props(struct wfcmd_ctx *x, const struct wfcmd_syntax *syn,
			      const char *s, size_t len)
{
	const char *end = s + len;

	if (syn->trim_props) {
		while (s < end && wfcmd_is_blank(*s))
			s++;
		while (end > s && wfcmd_is_blank(end[-1]))
			end--;
	}
	while (s < end) {
		const char *sep = memchr(s, syn->prop_sep, (size_t)(end - s));

		if (!sep)
			sep = end;
		wfcmd_add_prop(x, syn, s, (size_t)(sep - s));
		s = sep + 1;
	}
}

/* Is name a command now: a registered one, or the awaited resume token? */
static int wfcmd_known(const struct wfcmd_state *st, const char *name, size_t len)
{
	if (st->stop_token)
		return strlen(st->stop_token) == len && !strncasecmp(st->stop_token, name, len);
	return wfcmd_find(name, len) != NULL;
}

/*
 * Split [info, info_end) into name and properties and the rest into data,
 * if the name is known; fills x->out. Returns 0 or -1 (not a command).
 */
static int wfcmd_split(struct wfcmd_ctx *x, const struct wfcmd_syntax *syn, const char *info,
		       const char *info_end, const char *data, const char *end)
{
	const char *sp = memchr(info, ' ', (size_t)(info_end - info));
	const char *name_end = sp ? sp : info_end;
	struct wfcmd *c = x->out;

	if (!wfcmd_known(x->st, info, (size_t)(name_end - info)))
		return -1;
	c->name = arena_strndup(&x->st->arena, info, (size_t)(name_end - info));
	if (sp)
		wfcmd_parse_props(x, syn, sp + 1, (size_t)(info_end - sp - 1));
	c->data = wfcmd_unescape(&x->st->arena, data, (size_t)(end - data), syn->data_escapes,
				 &c->data_len);
	return 0;
}

/* ActionCommand.TryParseV2: `::name props::data` after leading blanks. */
static int wfcmd_try_v2(struct wfcmd_ctx *x, const char *line, size_t len)
{
	const char *p = line, *end = line + len, *close;

	while (p < end && wfcmd_is_blank(*p))
		p++;
	if (end - p < 2 || p[0] != ':' || p[1] != ':')
		return -1;
	p += 2;
	for (close = p; close + 1 < end && !(close[0] == ':' && close[1] == ':'); close++)
		;
	if (close + 1 >= end)
		return -1;
	return wfcmd_split(x, &wfcmd_v2, p, close, close + 2, end);
}

/* ActionCommand.TryParse: `##[name props]data`, anywhere in the line. */
static int wfcmd_try_legacy(struct wfcmd_ctx *x, const char *line, size_t len)
{
	const char *start = memmem(line, len, "##[", 3), *end = line + len, *rb;

	if (!start)
		return -1;
	start += 3;
	rb = memchr(start, ']', (size_t)(end - start));
	if (!rb)
		return -1;
	return wfcmd_split(x, &wfcmd_legacy, start, rb, rb + 1, end);
}

/* Could the line hold a command ("::" or "##[" anywhere)? Cheap on plain output. */
static int wfcmd_has_marker(const char *s, size_t len)
{
	const char *p, *end = s + len;

	for (p = s; (p = memchr(p, ':', (size_t)(end - p))) && p + 1 < end; p++)
		if (p[1] == ':')
			return 1;
	for (p = s; (p = memchr(p, '#', (size_t)(end - p))) && p + 2 < end; p++)
		if (p[1] == '#' && p[2] == '[')
			return 1;
	return 0;
}

enum wfcmd_kind wfcmd_parse(struct wfcmd_state *st, const char *line, size_t len,
			    struct wfcmd *out)
{
	struct wfcmd_ctx x;
	const struct wfcmd_def *def;

	memset(out, 0, sizeof(*out));
	out->kind = WFCMD_NONE;
	x.st = st;
	x.out = out;
	x.input = NULL;
	if (len && line[len - 1] == '\r')
		len--;
	/* Ordinary output must stay cheap: look for a command marker first. */
	if (!wfcmd_has_marker(line, len))
		return WFCMD_NONE;
	arena_release(&st->arena);
	if (wfcmd_try_v2(&x, line, len) && wfcmd_try_legacy(&x, line, len))
		return WFCMD_NONE;
	x.input = arena_strndup(&st->arena, line, len);
	if (st->stop_token) {
		/* Only the token is known while stopped (see wfcmd_known). */
		free(st->stop_token);
		st->stop_token = NULL;
		out->echo = x.input;
		return out->kind = WFCMD_RESUME_COMMANDS;
	}
	def = wfcmd_find(out->name, strlen(out->name));
	out->kind = def->kind;
	if (st->echo && !def->omit_echo && def->kind != WFCMD_STOP_COMMANDS)
		out->echo = x.input;
	def->process(&x);
	return out->kind;
}

const struct wfcmd_prop *wfcmd_prop(const struct wfcmd *cmd, const char *key)
{
	for (size_t i = 0; i < cmd->nprops; i++)
		if (!strcasecmp(cmd->props[i].key, key))
			return &cmd->props[i];
	return NULL;
}

void wfcmd_state_init(struct wfcmd_state *st, unsigned flags)
{
	st->flags = flags;
	st->echo = !!(flags & WFCMD_ECHO_ON);
	st->stop_token = NULL;
	arena_init(&st->arena);
}

void wfcmd_state_release(struct wfcmd_state *st)
{
	free(st->stop_token);
	st->stop_token = NULL;
	arena_release(&st->arena);
}

static const char *wfcmd_env_get(char *const *env, const char *name)
{
	size_t n = strlen(name);

	for (; env && *env; env++)
		if (!strncmp(*env, name, n) && (*env)[n] == '=')
			return *env + n + 1;
	return NULL;
}

/* .NET bool.TryParse: "true" in any case, blanks around allowed. */
static int wfcmd_bool_tryparse(const char *v)
{
	size_t len;

	if (!v)
		return 0;
	while (*v == ' ' || *v == '\t')
		v++;
	len = strlen(v);
	while (len && (v[len - 1] == ' ' || v[len - 1] == '\t'))
		len--;
	return len == 4 && !strncasecmp(v, "true", 4);
}

/* GitHub's StringUtil.ConvertToBoolean. */
static int wfcmd_bool_convert(const char *v)
{
	return v && (!strcasecmp(v, "true") || !strcmp(v, "1") || !strcasecmp(v, "$true"));
}

unsigned wfcmd_flags_from_env(char *const *process_env, char *const *step_env)
{
	static const struct {
		const char *name;
		int (*is_true)(const char *v);
		unsigned flag;
	} vars[] = {
		{ "ACTIONS_ALLOW_UNSECURE_COMMANDS", wfcmd_bool_tryparse,
		  WFCMD_ALLOW_UNSECURE_COMMANDS },
		{ "ACTIONS_ALLOW_UNSECURE_STOPCOMMAND_TOKENS", wfcmd_bool_convert,
		  WFCMD_ALLOW_UNSECURE_STOP_TOKENS },
	};
	unsigned flags = 0;

	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		if (vars[i].is_true(wfcmd_env_get(process_env, vars[i].name)) ||
		    vars[i].is_true(wfcmd_env_get(step_env, vars[i].name)))
			flags |= vars[i].flag;
	return flags;
}
