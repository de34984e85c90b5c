/*
 * stage: the runtime every built-in stage shares — finding a stage by its
 * `uses:` name, reading inputs and Slipway's variables from the step's
 * environment, the file commands, log lines. What each stage does is in
 * its own file; the table is stages/stages.c.
 */
#include "stages/stage.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "runner/envfile.h"

const struct stage *stage_by_name(const char *name)
{
	for (const struct stage *const *s = stages; *s; s++)
		if (!strcasecmp((*s)->name, name))
			return *s;
	return NULL;
}

const struct stage *stage_find(const char *uses, const struct strlist *disabled)
{
	const char *at = strchr(uses, '@');
	size_t n = at ? (size_t)(at - uses) : strlen(uses);

	if (!at)
		return NULL;    /* ./local and docker:// references are never stages */
	for (const struct stage *const *s = stages; *s; s++) {
		if (strlen((*s)->name) != n || strncasecmp((*s)->name, uses, n))
			continue;
		for (size_t i = 0; disabled && i < disabled->nr; i++)
			if (!strcasecmp(disabled->items[i], (*s)->name))
				return NULL;
		return *s;
	}
	return NULL;
}

void stage_input_var(struct strbuf *out, const char *name)
{
	strbuf_addstr(out, "INPUT_");
	for (const char *p = name; *p; p++)
		strbuf_addch(out, *p == ' ' ? '_' : toupper((unsigned char)*p));
}

const char *stage_getenv(const struct stage_ctx *ctx, const char *name)
{
	size_t n = strlen(name);

	for (char **e = ctx->env; e && *e; e++)
		if (!strncmp(*e, name, n) && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

const char *stage_input(const struct stage_ctx *ctx, const char *name)
{
	struct strbuf var = STRBUF_INIT;
	const char *v;

	stage_input_var(&var, name);
	v = stage_getenv(ctx, var.buf);
	strbuf_release(&var);
	if (v && *v)
		return v;
	for (const struct stage_input *in = ctx->stage->inputs; in && in->name; in++)
		if (!strcasecmp(in->name, name))
			return in->dflt ? in->dflt : "";
	return "";
}

int stage_input_bool(const struct stage_ctx *ctx, const char *name)
{
	static const char *const yes[] = { "true", "True", "TRUE" };
	static const char *const no[] = { "false", "False", "FALSE" };
	const char *v = stage_input(ctx, name);

	for (size_t i = 0; i < 3; i++) {
		if (!strcmp(v, yes[i]))
			return 1;
		if (!strcmp(v, no[i]))
			return 0;
	}
	stage_fail(ctx, "input '%s' is not a boolean: '%s' (true or false)", name, v);
	return -1;
}

void stage_input_lines(const struct stage_ctx *ctx, const char *name, struct strlist *out)
{
	const char *p = stage_input(ctx, name);

	while (*p) {
		size_t len = strcspn(p, "\n");
		const char *s = p, *e = p + len;

		while (s < e && isspace((unsigned char)*s))
			s++;
		while (e > s && isspace((unsigned char)e[-1]))
			e--;
		if (e > s) {
			struct strbuf line = STRBUF_INIT;

			strbuf_add(&line, s, (size_t)(e - s));
			strlist_push(out, line.buf);
			strbuf_release(&line);
		}
		p += len + (p[len] == '\n');
	}
}

/* Push the item trimmed, unless it is empty then. */
static void stage_list_push(struct strlist *out, const char *s, size_t len)
{
	struct strbuf item = STRBUF_INIT;

	while (len && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	if (len) {
		strbuf_add(&item, s, len);
		strlist_push(out, item.buf);
	}
	strbuf_release(&item);
}

/*
 * One CSV record from *p (csv-parse with relax_quotes: a '"' opens a
 * quoted field only where the field starts); fields into out, *p moved
 * past the record's newline.
 */
static void stage_csv_record(const char **p, struct strlist *out)
{
	struct strbuf field = STRBUF_INIT;
	const char *s = *p;

	for (;;) {
		strbuf_reset(&field);
		if (*s == '"') {
			for (s++; *s; s++) {
				if (*s == '"' && s[1] == '"')
					s++;
				else if (*s == '"')
					break;
				strbuf_addch(&field, *s);
			}
			if (*s)
				s++;
		}
		while (*s && *s != ',' && *s != '\n' && !(*s == '\r' && s[1] == '\n'))
			strbuf_addch(&field, *s++);
		strlist_push(out, field.buf);
		if (*s != ',')
			break;
		s++;
	}
	s += *s == '\r' ? 2 : *s == '\n';
	*p = s;
	strbuf_release(&field);
}

void stage_input_list(const struct stage_ctx *ctx, const char *name, int ignore_comma,
		      struct strlist *out)
{
	const char *p = stage_input(ctx, name);
	struct strlist rec = STRLIST_INIT;
	struct strbuf joined = STRBUF_INIT;

	while (*p) {
		if (*p == '\n' || (*p == '\r' && p[1] == '\n')) {   /* skip_empty_lines */
			p += *p == '\r' ? 2 : 1;
			continue;
		}
		strlist_release(&rec);
		stage_csv_record(&p, &rec);
		if (ignore_comma) {
			strbuf_reset(&joined);
			for (size_t i = 0; i < rec.nr; i++)
				strbuf_addf(&joined, "%s%s", i ? "," : "", rec.items[i]);
			stage_list_push(out, joined.buf, joined.len);
			continue;
		}
		for (size_t i = 0; i < rec.nr; i++) {
			const char *it = rec.items[i];

			/* a record of one field is split at its commas, even quoted ones */
			while (rec.nr == 1 && strchr(it, ',')) {
				stage_list_push(out, it, strcspn(it, ","));
				it += strcspn(it, ",") + 1;
			}
			stage_list_push(out, it, strlen(it));
		}
	}
	strlist_release(&rec);
	strbuf_release(&joined);
}

/* ---------------------------------------------------------------- file commands */

/* Append text to the file the variable var names. */
static int stage_append(const struct stage_ctx *ctx, const char *var, const char *text, size_t len)
{
	const char *path = stage_getenv(ctx, var);
	int fd;
	ssize_t n;

	if (!path || !*path) {
		stage_fail(ctx, "%s is not set: the runner gives every stage its file commands", var);
		return -1;
	}
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		stage_fail(ctx, "cannot open '%s': %s", path, strerror(errno));
		return -1;
	}
	n = write(fd, text, len);
	close(fd);
	if (n != (ssize_t)len) {
		stage_fail(ctx, "cannot write '%s'", path);
		return -1;
	}
	return 0;
}

static int stage_pair(const struct stage_ctx *ctx, const char *var, const char *name,
		      const char *value)
{
	struct strbuf sb = STRBUF_INIT, err = STRBUF_INIT;
	int ret = -1;

	if (envfile_format_pair(&sb, name, value, strlen(value), NULL, &err) < 0)
		stage_fail(ctx, "%s", err.buf);
	else
		ret = stage_append(ctx, var, sb.buf, sb.len);
	strbuf_release(&sb);
	strbuf_release(&err);
	return ret;
}

int stage_set_output(const struct stage_ctx *ctx, const char *name, const char *value)
{
	return stage_pair(ctx, "GITHUB_OUTPUT", name, value);
}

int stage_export_env(const struct stage_ctx *ctx, const char *name, const char *value)
{
	return stage_pair(ctx, "GITHUB_ENV", name, value);
}

int stage_save_state(const struct stage_ctx *ctx, const char *name, const char *value)
{
	return stage_pair(ctx, "GITHUB_STATE", name, value);
}

int stage_add_path(const struct stage_ctx *ctx, const char *dir)
{
	struct strbuf sb = STRBUF_INIT;
	int ret;

	strbuf_addf(&sb, "%s\n", dir);
	ret = stage_append(ctx, "GITHUB_PATH", sb.buf, sb.len);
	strbuf_release(&sb);
	return ret;
}

int stage_add_summary(const struct stage_ctx *ctx, const char *markdown)
{
	return stage_append(ctx, "GITHUB_STEP_SUMMARY", markdown, strlen(markdown));
}

const char *stage_state(const struct stage_ctx *ctx, const char *name)
{
	struct strbuf var = STRBUF_INIT;
	const char *v;

	strbuf_addf(&var, "STATE_%s", name);
	v = stage_getenv(ctx, var.buf);
	strbuf_release(&var);
	return v;
}

/* ---------------------------------------------------------------- logging */

/* Print a workflow command: the message escaped as @actions/core escapes data. */
static void stage_command(const char *cmd, const char *fmt, va_list ap)
{
	struct strbuf msg = STRBUF_INIT, out = STRBUF_INIT;

	strbuf_vaddf(&msg, fmt, ap);
	strbuf_addf(&out, "::%s::", cmd);
	for (size_t i = 0; i < msg.len; i++) {
		if (msg.buf[i] == '%')
			strbuf_addstr(&out, "%25");
		else if (msg.buf[i] == '\r')
			strbuf_addstr(&out, "%0D");
		else if (msg.buf[i] == '\n')
			strbuf_addstr(&out, "%0A");
		else
			strbuf_addch(&out, msg.buf[i]);
	}
	strbuf_addch(&out, '\n');
	fwrite(out.buf, 1, out.len, stdout);
	fflush(stdout);
	strbuf_release(&msg);
	strbuf_release(&out);
}

void stage_log(const struct stage_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	(void)ctx;
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

static void stage_commandf(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void stage_commandf(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	stage_command(cmd, fmt, ap);
	va_end(ap);
}

void stage_mask(const struct stage_ctx *ctx, const char *value)
{
	(void)ctx;
	stage_commandf("add-mask", "%s", value);
}

void stage_warning(const struct stage_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	(void)ctx;
	va_start(ap, fmt);
	stage_command("warning", fmt, ap);
	va_end(ap);
}

int stage_fail(const struct stage_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	(void)ctx;
	va_start(ap, fmt);
	stage_command("error", fmt, ap);
	va_end(ap);
	return 1;
}

void stage_step_path(const struct stage_ctx *ctx, const char *path, struct strbuf *out)
{
	size_t n = strlen(ctx->workspace);

	if (ctx->step_workspace && !strncmp(path, ctx->workspace, n) &&
	    (path[n] == '/' || !path[n]))
		strbuf_addf(out, "%s%s", ctx->step_workspace, path + n);
	else
		strbuf_addstr(out, path);
}

void stage_host_path(const struct stage_ctx *ctx, const char *path, struct strbuf *out)
{
	const char *views[][2] = {
		{ ctx->step_workspace, ctx->workspace },
		{ ctx->step_temp, ctx->temp },
	};

	for (size_t i = 0; i < sizeof(views) / sizeof(views[0]); i++) {
		size_t n = views[i][0] ? strlen(views[i][0]) : 0;

		if (n && views[i][1] && !strncmp(path, views[i][0], n) &&
		    (path[n] == '/' || !path[n])) {
			strbuf_addf(out, "%s%s", views[i][1], path + n);
			return;
		}
	}
	strbuf_addstr(out, path);
}

/* ---------------------------------------------------------------- entry */

int stage_main(const char *name, int post, char **env)
{
	static const struct {
		const char *var;
		size_t off;
		int required;
	} vars[] = {
		{ "GITHUB_WORKSPACE", offsetof(struct stage_ctx, workspace), 1 },
		{ "RUNNER_TEMP", offsetof(struct stage_ctx, temp), 1 },
		{ "SLIPWAY_RUN_DIR", offsetof(struct stage_ctx, run_dir), 0 },
		{ "SLIPWAY_CACHE_DIR", offsetof(struct stage_ctx, cache_dir), 0 },
		{ "SLIPWAY_REPOSITORY", offsetof(struct stage_ctx, repository), 0 },
		{ "SLIPWAY_SNAPSHOT", offsetof(struct stage_ctx, snapshot), 0 },
		{ "SLIPWAY_CHECKOUT", offsetof(struct stage_ctx, checkout), 0 },
		{ "SLIPWAY_JOB_KEY", offsetof(struct stage_ctx, job_key), 0 },
		{ "SLIPWAY_ACTION_BASE_URL", offsetof(struct stage_ctx, base_url), 0 },
		{ "SLIPWAY_STATE_DIR", offsetof(struct stage_ctx, state_dir), 0 },
		{ "SLIPWAY_REGISTRY", offsetof(struct stage_ctx, registry), 0 },
		{ "SLIPWAY_STEP_WORKSPACE", offsetof(struct stage_ctx, step_workspace), 0 },
		{ "SLIPWAY_JOB_CONTAINER", offsetof(struct stage_ctx, job_container), 0 },
		{ "SLIPWAY_STEP_TEMP", offsetof(struct stage_ctx, step_temp), 0 },
	};
	struct stage_ctx ctx;

	memset(&ctx, 0, sizeof(ctx));
	ctx.env = env;
	ctx.post = post;
	ctx.stage = stage_by_name(name);
	if (!ctx.stage) {
		stage_fail(&ctx, "'%s' is not a built-in stage", name);
		return 2;
	}
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *v = stage_getenv(&ctx, vars[i].var);

		if (vars[i].required && (!v || !*v)) {
			stage_fail(&ctx, "stage '%s' needs %s in its environment (stages are run by "
				   "slipway run)", name, vars[i].var);
			return 2;
		}
		*(const char **)((char *)&ctx + vars[i].off) = v && *v ? v : NULL;
	}
	if (!ctx.checkout)
		ctx.checkout = "snapshot";
	if (post && !ctx.stage->post) {
		stage_fail(&ctx, "stage '%s' has no post step", name);
		return 2;
	}
	return post ? ctx.stage->post(&ctx) : ctx.stage->main(&ctx);
}
