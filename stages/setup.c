/*
 * setup: actions/setup-python, setup-node, setup-go and setup-java as
 * built-in stages. They install nothing: they find the tool the job's
 * environment has, put its directory first in PATH, set the outputs the
 * real actions set, and warn clearly when the version asked for is not
 * the one present. Tool tables, not code per tool.
 */
#include "stages/stages.h"

#include <ctype.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runner/engine.h"
#include "util/fs.h"
#include "util/proc.h"

/* Output of a version command is read up to this much. */
#define SETUP_OUTPUT_MAX 65536

struct setup_tool {
	const char *stage;              /* "actions/setup-python" */
	const char *what;               /* "python", for messages */
	const char *const programs[3];  /* looked up in PATH in this order */
	const char *version_arg;        /* "--version" */
	const char *skip;               /* text before the version in the output ("go" of go1.21) */
	const char *version_input, *file_input;
	const char *version_output;     /* output naming the version found */
	const char *path_output;        /* output naming the program (or NULL) */
	const char *home_var;           /* variable exported with the tool's home (or NULL) */
	const char *const fixed[2][2];  /* outputs with fixed values */
};

static const struct setup_tool setup_tools[] = {
	{ "actions/setup-python", "python", { "python3", "python", NULL }, "--version", "Python ",
	  "python-version", "python-version-file", "python-version", "python-path", NULL,
	  { { "cache-hit", "false" }, { NULL, NULL } } },
	{ "actions/setup-node", "node", { "node", NULL, NULL }, "--version", "v",
	  "node-version", "node-version-file", "node-version", NULL, NULL,
	  { { "cache-hit", "false" }, { NULL, NULL } } },
	{ "actions/setup-go", "go", { "go", NULL, NULL }, "version", "go version go",
	  "go-version", "go-version-file", "go-version", NULL, NULL,
	  { { "cache-hit", "false" }, { NULL, NULL } } },
	{ "actions/setup-java", "java", { "java", NULL, NULL }, "-version", NULL,
	  "java-version", "java-version-file", "version", "path", "JAVA_HOME",
	  { { "distribution", "system" }, { "cache-hit", "false" } } },
};

/*
 * What the probe prints: the first of programs found in PATH, its real
 * path, then what it says to version_arg (stderr too), e.g.
 *   /usr/bin/python3 \n /usr/bin/python3.11 \n Python 3.11.2
 * The same script runs here or in the job container.
 */
static void setup_probe_script(struct strbuf *out, const struct setup_tool *t)
{
	strbuf_addstr(out, "for p in");
	for (size_t i = 0; i < 3 && t->programs[i]; i++)
		strbuf_addf(out, " %s", t->programs[i]);
	strbuf_addf(out, "; do prog=$(command -v \"$p\") || continue; echo \"$prog\"; "
		    "readlink -f \"$prog\" 2>/dev/null || echo \"$prog\"; "
		    "exec \"$prog\" %s 2>&1; done; exit 127", t->version_arg);
}

static int setup_collect(void *data, enum engine_stream stream, const char *buf, size_t len)
{
	struct strbuf *out = data;

	(void)stream;
	if (out->len + len <= SETUP_OUTPUT_MAX)
		strbuf_add(out, buf, len);
	return 0;
}

/* Run script with sh in the job container (PATH from the step); its exit code or -1. */
static int setup_probe_container(struct stage_ctx *ctx, const char *script, struct strbuf *out)
{
	struct strlist cmd = STRLIST_INIT, env = STRLIST_INIT;
	struct engine_exec_spec spec = { &cmd, &env, NULL, NULL, 0, 0 };
	struct engine_exec_info info = { 0, -1, 0 };
	struct strbuf err = STRBUF_INIT;
	struct engine *e = NULL;
	int rc = -1;

	strlist_push(&cmd, "/bin/sh");
	strlist_push(&cmd, "-c");
	strlist_push(&cmd, script);
	if (stage_getenv(ctx, "PATH"))
		strlist_pushf(&env, "PATH=%s", stage_getenv(ctx, "PATH"));
	if (engine_open(&e, stage_getenv(ctx, "DOCKER_HOST"), &err) < 0 ||
	    engine_exec_run(&info, e, ctx->job_container, &spec, setup_collect, out, &err) != 0)
		strbuf_addf(out, "cannot look in the job container: %s", err.buf);
	else
		rc = info.exit_code;
	engine_free(e);
	strlist_release(&cmd);
	strlist_release(&env);
	strbuf_release(&err);
	return rc;
}

/* Run script with sh here (PATH from the step); its exit code or -1. */
static int setup_probe_here(struct stage_ctx *ctx, const char *script, struct strbuf *out)
{
	struct proc p = PROC_INIT;
	struct strbuf err = STRBUF_INIT;
	int rc = -1;

	strlist_push(&p.args, "/bin/sh");
	strlist_push(&p.args, "-c");
	strlist_push(&p.args, script);
	if (stage_getenv(ctx, "PATH"))
		strlist_pushf(&p.env, "PATH=%s", stage_getenv(ctx, "PATH"));
	p.out = PROC_FD_PIPE;
	p.err_to_out = 1;
	if (proc_start(&p, &err) == 0) {
		fcntl(p.out, F_SETFL, fcntl(p.out, F_GETFL) & ~O_NONBLOCK);   /* we wait for it */
		strbuf_read_fd(out, p.out, SETUP_OUTPUT_MAX);
		close(p.out);
		rc = proc_exit_code(proc_finish(&p));
	} else {
		strbuf_add(out, err.buf, err.len);
	}
	proc_release(&p);
	strbuf_release(&err);
	return rc;
}

/*
 * Find t's program where the job's steps run (the job container when
 * there is one): its path into prog, its real path into real, its version
 * output into out. 0; 1 when it is not there; -1 when the probe failed
 * (out says why).
 */
static int setup_find(struct stage_ctx *ctx, const struct setup_tool *t, struct strbuf *prog,
		      struct strbuf *real, struct strbuf *out)
{
	struct strbuf script = STRBUF_INIT, all = STRBUF_INIT;
	const char *nl1, *nl2;
	int rc;

	setup_probe_script(&script, t);
	rc = ctx->job_container ? setup_probe_container(ctx, script.buf, &all)
		: setup_probe_here(ctx, script.buf, &all);
	strbuf_release(&script);
	nl1 = strchr(all.buf, '\n');
	nl2 = nl1 ? strchr(nl1 + 1, '\n') : NULL;
	if (rc == 127 && !all.len) {
		rc = 1;
	} else if (rc < 0 || !nl2 || all.buf[0] != '/') {
		strbuf_add(out, all.buf, all.len);
		rc = -1;
	} else {
		strbuf_add(prog, all.buf, (size_t)(nl1 - all.buf));
		strbuf_add(real, nl1 + 1, (size_t)(nl2 - nl1 - 1));
		strbuf_addstr(out, nl2 + 1);
		rc = 0;
	}
	strbuf_release(&all);
	return rc;
}

/* The first dotted number in text (after skip when it occurs), into out. */
static int setup_parse_version(struct strbuf *out, const char *text, const char *skip)
{
	const char *p = skip && strstr(text, skip) ? strstr(text, skip) + strlen(skip) : text;

	while (*p && !isdigit((unsigned char)*p))
		p++;
	if (!*p)
		return -1;
	while (isdigit((unsigned char)*p) || (*p == '.' && isdigit((unsigned char)p[1])) ||
	       (*p == '_' && isdigit((unsigned char)p[1])))
		strbuf_addch(out, *p++);
	return 0;
}

/* Compare dotted versions a and b numerically over the components a has. */
static int setup_cmp_prefix(const char *a, const char *b)
{
	while (*a && *b) {
		long x, y;
		char *ea, *eb;

		if (*a == 'x' || *a == 'X' || *a == '*')
			return 0;
		x = strtol(a, &ea, 10);
		y = strtol(b, &eb, 10);
		if (ea == a)
			return 0;
		if (x != y)
			return x < y ? -1 : 1;
		a = *ea == '.' ? ea + 1 : ea;
		b = *eb == '.' ? eb + 1 : eb;
		if (*ea != '.')
			return 0;
	}
	return *a && !*b ? 1 : 0;
}

/*
 * Does the version found satisfy what was asked: "3.11" (a prefix),
 * "3.x", "^18", "~1.21", ">=3.8", ">17"? Names the tool's channels use
 * (latest, stable, lts/..., node, system) match whatever is present.
 */
static int setup_version_ok(const char *want, const char *have)
{
	while (*want == ' ')
		want++;
	if (!strncmp(want, ">=", 2))
		return setup_cmp_prefix(want + 2 + strspn(want + 2, " v"), have) <= 0;
	if (*want == '>')
		return setup_cmp_prefix(want + 1 + strspn(want + 1, " v"), have) < 0;
	if (*want == '^' || *want == '~' || *want == '=' || *want == 'v')
		want++;
	if (!isdigit((unsigned char)*want))
		return 1;
	return setup_cmp_prefix(want, have) == 0;
}

/* The version asked for: the input, else the first meaningful line of the version file. */
static void setup_wanted(const struct stage_ctx *ctx, const struct setup_tool *t,
			 struct strbuf *out)
{
	struct strlist lines = STRLIST_INIT;
	struct strbuf path = STRBUF_INIT, text = STRBUF_INIT, err = STRBUF_INIT;
	const char *file = stage_input(ctx, t->file_input);

	stage_input_lines(ctx, t->version_input, &lines);
	if (lines.nr) {
		strbuf_addstr(out, lines.items[0]);
	} else if (*file) {
		fs_path_join(&path, ctx->workspace, file);
		if (fs_read_file(&text, path.buf, SETUP_OUTPUT_MAX, &err) < 0) {
			stage_warning(ctx, "%s", err.buf);
		} else {
			/* go.mod says "go 1.21"; .nvmrc, .python-version, .java-version the version */
			const char *go = strstr(text.buf, "\ngo ");
			const char *p = !strncmp(text.buf, "go ", 3) ? text.buf + 3
					: go ? go + 4 : text.buf;

			p += strspn(p, " \t\n");
			strbuf_add(out, p, strcspn(p, " \t\r\n"));
		}
	}
	strlist_release(&lines);
	strbuf_release(&path);
	strbuf_release(&text);
	strbuf_release(&err);
}

static int setup_run(struct stage_ctx *ctx, const struct setup_tool *t)
{
	struct strbuf prog = STRBUF_INIT, out = STRBUF_INIT, version = STRBUF_INIT;
	struct strbuf want = STRBUF_INIT, real = STRBUF_INIT;
	int ret = 1, found = setup_find(ctx, t, &prog, &real, &out);

	if (found > 0) {
		ret = stage_fail(ctx, "%s is not installed in the job's %s (%s does not "
				 "download tools: install %s, or use --no-builtin %s)", t->what,
				 ctx->job_container ? "container" : "environment", t->stage,
				 t->what, t->stage);
		goto out;
	}
	if (found < 0 || setup_parse_version(&version, out.buf, t->skip) < 0) {
		ret = stage_fail(ctx, "cannot tell which version of %s the job has: %s", t->what,
				 out.buf);
		goto out;
	}
	setup_wanted(ctx, t, &want);
	if (want.len && !setup_version_ok(want.buf, version.buf))
		stage_warning(ctx, "%s %s was asked for, but the job's environment has %s %s (%s): "
			      "using it", t->what, want.buf, t->what, version.buf, prog.buf);
	else
		stage_log(ctx, "Using %s %s from %s", t->what, version.buf, prog.buf);
	strbuf_setlen(&prog, (size_t)(strrchr(prog.buf, '/') - prog.buf));
	if (stage_add_path(ctx, prog.buf) < 0 ||
	    stage_set_output(ctx, t->version_output, version.buf) < 0 ||
	    (t->path_output && stage_set_output(ctx, t->path_output, real.buf) < 0))
		goto out;
	for (size_t i = 0; i < 2 && t->fixed[i][0]; i++)
		if (stage_set_output(ctx, t->fixed[i][0], t->fixed[i][1]) < 0)
			goto out;
	if (t->home_var) {
		/* <home>/bin/java: the home is two levels above the real program */
		for (int up = 0; up < 2 && strrchr(real.buf, '/'); up++)
			strbuf_setlen(&real, (size_t)(strrchr(real.buf, '/') - real.buf));
		if (stage_export_env(ctx, t->home_var, real.buf) < 0)
			goto out;
	}
	ret = 0;
out:
	strbuf_release(&prog);
	strbuf_release(&out);
	strbuf_release(&version);
	strbuf_release(&want);
	strbuf_release(&real);
	return ret;
}

static int setup_main(struct stage_ctx *ctx)
{
	for (size_t i = 0; i < sizeof(setup_tools) / sizeof(setup_tools[0]); i++)
		if (!strcmp(setup_tools[i].stage, ctx->stage->name))
			return setup_run(ctx, &setup_tools[i]);
	return stage_fail(ctx, "no tool for stage '%s'", ctx->stage->name);
}

static const struct stage_input setup_python_inputs[] = {
	{ "python-version", NULL }, { "python-version-file", NULL }, { "cache", NULL },
	{ "architecture", NULL }, { "check-latest", "false" }, { "token", NULL },
	{ "cache-dependency-path", NULL }, { "update-environment", "true" },
	{ "allow-prereleases", "false" }, { "freethreaded", "false" }, { NULL, NULL },
};
static const struct stage_input setup_node_inputs[] = {
	{ "node-version", NULL }, { "node-version-file", NULL }, { "architecture", NULL },
	{ "check-latest", "false" }, { "registry-url", NULL }, { "scope", NULL },
	{ "token", NULL }, { "cache", NULL }, { "package-manager-cache", "true" },
	{ "cache-dependency-path", NULL }, { "always-auth", "false" }, { "mirror", NULL },
	{ "mirror-token", NULL }, { NULL, NULL },
};
static const struct stage_input setup_go_inputs[] = {
	{ "go-version", NULL }, { "go-version-file", NULL }, { "check-latest", "false" },
	{ "token", NULL }, { "cache", "true" }, { "cache-dependency-path", NULL },
	{ "architecture", NULL }, { NULL, NULL },
};
static const struct stage_input setup_java_inputs[] = {
	{ "java-version", NULL }, { "java-version-file", NULL }, { "distribution", NULL },
	{ "java-package", "jdk" }, { "architecture", NULL }, { "jdkFile", NULL },
	{ "check-latest", "false" }, { "server-id", "github" }, { "server-username", NULL },
	{ "server-password", NULL }, { "settings-path", NULL }, { "overwrite-settings", "true" },
	{ "gpg-private-key", NULL }, { "gpg-passphrase", NULL }, { "cache", NULL },
	{ "cache-dependency-path", NULL }, { "job-status", NULL }, { "token", NULL },
	{ "mvn-toolchain-id", NULL }, { "mvn-toolchain-vendor", NULL }, { NULL, NULL },
};

const struct stage stage_setup_python = {
	"actions/setup-python", setup_python_inputs, setup_main, NULL, NULL,
};
const struct stage stage_setup_node = {
	"actions/setup-node", setup_node_inputs, setup_main, NULL, NULL,
};
const struct stage stage_setup_go = {
	"actions/setup-go", setup_go_inputs, setup_main, NULL, NULL,
};
const struct stage stage_setup_java = {
	"actions/setup-java", setup_java_inputs, setup_main, NULL, NULL,
};
