/*
 * Unit tests for the built-in stages (stages/): the table lookup, inputs
 * and file commands of stages/stage.c, and each stage run through
 * stage_main with an environment made here — artifacts up and down,
 * caches saved and restored by key and prefix, setup-* against fake tools,
 * the docker stages' inputs (list inputs, booleans, tags, build-args,
 * contexts) and their credentials' round trip through the runner's
 * memory (stages/dockerauth, runner/wfcmd, runner/regauth) up to the
 * point where an engine would be asked. Checkout's git side is tested with
 * util/gitio and end to end; the docker stages with an engine, in
 * tests/e2e/docker-stages.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runner/envfile.h"
#include "runner/regauth.h"
#include "runner/wfcmd.h"
#include "stages/dockerauth.h"
#include "stages/stages.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/strbuf.h"
#include "util/strlist.h"

struct fx {
	char top[64];
	struct strbuf ws, log;
	struct strlist env;             /* the stage's environment */
	struct arena arena;
	struct val outputs, state;      /* read back after a stage ran */
};

static const char *const fx_files[] = {
	"GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_PATH", "GITHUB_STATE", "GITHUB_STEP_SUMMARY",
};

static int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct strbuf err = STRBUF_INIT;

	snprintf(f->top, sizeof(f->top), "/tmp/slipway-stages.XXXXXX");
	assert_non_null(mkdtemp(f->top));
	strbuf_init(&f->ws, 0);
	strbuf_init(&f->log, 0);
	strbuf_addf(&f->ws, "%s/ws", f->top);
	assert_int_equal(fs_mkdir_p(f->ws.buf, 0755, &err), 0);
	strlist_init(&f->env);
	arena_init(&f->arena);
	*state = f;
	strbuf_release(&err);
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;
	struct strbuf err = STRBUF_INIT;

	fs_rm_rf(f->top, &err);
	strbuf_release(&err);
	strbuf_release(&f->ws);
	strbuf_release(&f->log);
	strlist_release(&f->env);
	arena_release(&f->arena);
	free(f);
	return 0;
}

static void put(const char *dir, const char *rel, const char *text)
{
	struct strbuf p = STRBUF_INIT, err = STRBUF_INIT;

	fs_path_join(&p, dir, rel);
	*strrchr(p.buf, '/') = 0;
	assert_int_equal(fs_mkdir_p(p.buf, 0755, &err), 0);
	p.buf[strlen(p.buf)] = '/';
	assert_int_equal(fs_write_file(p.buf, text, strlen(text), 0755, &err), 0);
	strbuf_release(&p);
	strbuf_release(&err);
}

/* The contents of dir/rel, or "" when missing (a static buffer of the fixture's). */
static const char *get(struct fx *f, const char *dir, const char *rel)
{
	static struct strbuf sb = STRBUF_INIT;
	struct strbuf p = STRBUF_INIT, err = STRBUF_INIT;

	strbuf_reset(&sb);
	fs_path_join(&p, dir, rel);
	fs_read_file(&sb, p.buf, 0, &err);
	strbuf_release(&p);
	strbuf_release(&err);
	(void)f;
	return sb.buf;
}

/*
 * Run stage name (post: its post step) with the inputs "name=value"
 * (NULL-terminated) and extra "K=V" variables; stdout goes to f->log;
 * outputs and state are read back. Returns the exit status.
 */
static int run_stage(struct fx *f, const char *name, int post, const char *const *inputs,
		     const char *const *extra)
{
	struct strbuf var = STRBUF_INIT, path = STRBUF_INIT, err = STRBUF_INIT;
	struct diag_list d = DIAG_LIST_INIT;
	int saved = dup(STDOUT_FILENO), fd, rc;

	strlist_release(&f->env);
	strlist_pushf(&f->env, "GITHUB_WORKSPACE=%s", f->ws.buf);
	strlist_pushf(&f->env, "RUNNER_TEMP=%s", f->top);
	strlist_pushf(&f->env, "SLIPWAY_RUN_DIR=%s/run", f->top);
	strlist_pushf(&f->env, "SLIPWAY_CACHE_DIR=%s/cache", f->top);
	strlist_pushf(&f->env, "SLIPWAY_JOB_KEY=ci.build");
	strlist_pushf(&f->env, "HOME=%s/home", f->top);
	for (size_t i = 0; i < 5; i++)
		strlist_pushf(&f->env, "%s=%s/%s", fx_files[i], f->top, fx_files[i]);
	for (size_t i = 0; inputs && inputs[i]; i++) {
		const char *eq = strchr(inputs[i], '=');

		strbuf_reset(&var);
		strbuf_add(&var, inputs[i], (size_t)(eq - inputs[i]));
		strbuf_reset(&path);
		stage_input_var(&path, var.buf);
		strlist_pushf(&f->env, "%s=%s", path.buf, eq + 1);
	}
	for (size_t i = 0; extra && extra[i]; i++)
		strlist_push(&f->env, extra[i]);
	for (size_t i = 0; i < 5; i++) {
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", f->top, fx_files[i]);
		assert_int_equal(fs_write_file(path.buf, "", 0, 0644, &err), 0);
	}
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/log", f->top);
	fflush(stdout);
	fd = open(path.buf, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	dup2(fd, STDOUT_FILENO);
	close(fd);
	rc = stage_main(name, post, f->env.items);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	strbuf_reset(&f->log);
	fs_read_file(&f->log, path.buf, 0, &err);
	f->outputs = val_new_object(&f->arena);
	f->state = val_new_object(&f->arena);
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/GITHUB_OUTPUT", f->top);
	assert_int_equal(envfile_load(&f->arena, f->outputs, ENVFILE_OUTPUT, path.buf, &d), 0);
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/GITHUB_STATE", f->top);
	assert_int_equal(envfile_load(&f->arena, f->state, ENVFILE_STATE, path.buf, &d), 0);
	diag_list_release(&d);
	strbuf_release(&var);
	strbuf_release(&path);
	strbuf_release(&err);
	return rc;
}

static const char *out(struct fx *f, const char *name)
{
	struct val *v = val_object_getstr(f->outputs, name);

	return v ? v->u.string.ptr : NULL;
}

#define INPUTS(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define LOG_HAS(f, s) do { if (!strstr((f)->log.buf, (s))) fail_msg("log lacks '%s':\n%s", \
							(s), (f)->log.buf); } while (0)

/* ---------------------------------------------------------------- the table and inputs */

static void test_find(void **state)
{
	struct strlist off = STRLIST_INIT;

	(void)state;
	assert_ptr_equal(stage_find("actions/checkout@v4", NULL), &stage_checkout);
	assert_ptr_equal(stage_find("Actions/CHECKOUT@main", NULL), &stage_checkout);
	assert_ptr_equal(stage_find("actions/cache/restore@v4", NULL), &stage_cache_restore);
	assert_ptr_equal(stage_find("actions/cache@1a2b3c", NULL), &stage_cache);
	assert_null(stage_find("actions/checkout", NULL));
	assert_null(stage_find("./actions/checkout", NULL));
	assert_null(stage_find("actions/checkoutx@v4", NULL));
	assert_null(stage_find("docker://actions/checkout@v4", NULL));
	strlist_push(&off, "ACTIONS/checkout");
	assert_null(stage_find("actions/checkout@v4", &off));
	assert_ptr_equal(stage_find("actions/cache@v4", &off), &stage_cache);
	assert_ptr_equal(stage_by_name("actions/setup-go"), &stage_setup_go);
	assert_null(stage_by_name("actions/nothing"));
	for (const struct stage *const *s = stages; *s; s++)
		assert_ptr_equal(stage_by_name((*s)->name), *s);
	strlist_release(&off);
}

static void test_inputs(void **state)
{
	struct fx *f = *state;
	struct strbuf var = STRBUF_INIT;
	struct strlist lines = STRLIST_INIT;
	struct stage_ctx ctx;

	stage_input_var(&var, "fetch depth");
	assert_string_equal(var.buf, "INPUT_FETCH_DEPTH");
	strlist_push(&f->env, "INPUT_PATH=  a \n\n b/c  \n");
	strlist_push(&f->env, "INPUT_CLEAN=False");
	strlist_push(&f->env, "INPUT_LFS=");
	strlist_push(&f->env, "INPUT_SUBMODULES=yes");
	memset(&ctx, 0, sizeof(ctx));
	ctx.stage = &stage_checkout;
	ctx.env = f->env.items;
	assert_string_equal(stage_input(&ctx, "fetch-depth"), "1");     /* the table's default */
	assert_string_equal(stage_input(&ctx, "lfs"), "false");         /* empty: the default */
	assert_string_equal(stage_input(&ctx, "ref"), "");
	assert_int_equal(stage_input_bool(&ctx, "clean"), 0);
	stage_input_lines(&ctx, "path", &lines);
	assert_int_equal(lines.nr, 2);
	assert_string_equal(lines.items[0], "a");
	assert_string_equal(lines.items[1], "b/c");
	strbuf_release(&var);
	strlist_release(&lines);
}

static void test_main_errors(void **state)
{
	struct fx *f = *state;

	assert_int_equal(run_stage(f, "actions/nothing", 0, NULL, NULL), 2);
	LOG_HAS(f, "::error::'actions/nothing' is not a built-in stage");
	assert_int_equal(run_stage(f, "actions/checkout", 1, NULL, NULL), 2);
	LOG_HAS(f, "has no post step");
	assert_int_equal(stage_main("actions/checkout", 0, (char *[]){ "PATH=/bin", NULL }), 2);
	assert_int_equal(run_stage(f, "actions/upload-artifact", 0, INPUTS("path=x",
				   "overwrite=maybe"), NULL), 1);
	LOG_HAS(f, "input 'overwrite' is not a boolean: 'maybe'");
}

/* ---------------------------------------------------------------- artifacts */

static void test_artifact_roundtrip(void **state)
{
	struct fx *f = *state;
	struct strbuf dir = STRBUF_INIT;

	put(f->ws.buf, "dist/a.txt", "one");
	put(f->ws.buf, "dist/sub/b.txt", "two");
	put(f->ws.buf, "dist/.hidden", "h");
	put(f->ws.buf, "other/c.txt", "three");
	assert_int_equal(run_stage(f, "actions/upload-artifact", 0, INPUTS("name=dist",
				   "path=dist/"), NULL), 0);
	LOG_HAS(f, "Uploaded 2 files");
	assert_string_equal(out(f, "artifact-id"), "1");
	assert_int_equal(strlen(out(f, "artifact-digest")), 64);
	assert_int_equal(run_stage(f, "actions/upload-artifact", 0, INPUTS("name=one",
				   "path=dist/a.txt"), NULL), 0);
	assert_int_equal(run_stage(f, "actions/upload-artifact", 0, INPUTS("name=two",
				   "path=dist/sub/*.txt\nother/c.txt\n!other/none"), NULL), 0);
	assert_int_equal(run_stage(f, "actions/upload-artifact", 0, INPUTS("name=hidden",
				   "path=dist", "include-hidden-files=true"), NULL), 0);
	LOG_HAS(f, "Uploaded 3 files");

	assert_int_equal(run_stage(f, "actions/download-artifact", 0, INPUTS("name=dist",
				   "path=got"), NULL), 0);
	assert_string_equal(get(f, f->ws.buf, "got/a.txt"), "one");
	assert_string_equal(get(f, f->ws.buf, "got/sub/b.txt"), "two");
	strbuf_addf(&dir, "%s/got", f->ws.buf);
	assert_string_equal(out(f, "download-path"), dir.buf);
	strbuf_addstr(&dir, "/.hidden");
	assert_false(fs_exists(dir.buf));
	/* a single file is stored by its name; several roots under the deepest common one */
	assert_int_equal(run_stage(f, "actions/download-artifact", 0, INPUTS("name=one",
				   "path=one"), NULL), 0);
	assert_string_equal(get(f, f->ws.buf, "one/a.txt"), "one");
	assert_int_equal(run_stage(f, "actions/download-artifact", 0, INPUTS("name=two",
				   "path=two"), NULL), 0);
	assert_string_equal(get(f, f->ws.buf, "two/dist/sub/b.txt"), "two");
	assert_string_equal(get(f, f->ws.buf, "two/other/c.txt"), "three");
	/* all of them, each in its own directory, or merged */
	assert_int_equal(run_stage(f, "actions/download-artifact", 0, INPUTS("path=all"), NULL), 0);
	assert_string_equal(get(f, f->ws.buf, "all/hidden/.hidden"), "h");
	assert_string_equal(get(f, f->ws.buf, "all/one/a.txt"), "one");
	assert_int_equal(run_stage(f, "actions/download-artifact", 0, INPUTS("path=m",
				   "pattern=[ot]*", "merge-multiple=true"), NULL), 0);
	assert_string_equal(get(f, f->ws.buf, "m/a.txt"), "one");
	assert_string_equal(get(f, f->ws.buf, "m/other/c.txt"), "three");
	assert_string_equal(get(f, f->ws.buf, "m/sub/b.txt"), "");
	strbuf_release(&dir);
}

static void test_artifact_names(void **state)
{
	struct fx *f = *state;

	put(f->ws.buf, "a.txt", "first");
	assert_int_equal(run_stage(f, "actions/upload-artifact", 0, INPUTS("path=a.txt"), NULL), 0);
	put(f->ws.buf, "a.txt", "second");
	/* v4: names are immutable unless overwrite */
	assert_int_equal(run_stage(f, "actions/upload-artifact", 0, INPUTS("path=a.txt"), NULL), 1);
	LOG_HAS(f, "an artifact with this name already exists on the workflow run: 'artifact'");
	assert_int_equal(run_stage(f, "actions/upload-artifact", 0, INPUTS("path=a.txt",
				   "overwrite=true"), NULL), 0);
	assert_int_equal(run_stage(f, "actions/download-artifact", 0, INPUTS("name=artifact",
				   "path=d"), NULL), 0);
	assert_string_equal(get(f, f->ws.buf, "d/a.txt"), "second");
	/* v3: uploads to one name add up */
	put(f->ws.buf, "b.txt", "bee");
	assert_int_equal(run_stage(f, "actions/upload-artifact", 0, INPUTS("path=b.txt"),
				   (const char *[]){ "GITHUB_ACTION_REF=v3", NULL }), 0);
	assert_int_equal(run_stage(f, "actions/download-artifact", 0, INPUTS("name=artifact",
				   "path=e"), NULL), 0);
	assert_string_equal(get(f, f->ws.buf, "e/a.txt"), "second");
	assert_string_equal(get(f, f->ws.buf, "e/b.txt"), "bee");
	/* bad names, nothing found, nothing to download */
	assert_int_equal(run_stage(f, "actions/upload-artifact", 0, INPUTS("path=a.txt",
				   "name=a/b"), NULL), 1);
	LOG_HAS(f, "the artifact name 'a/b' is not valid");
	assert_int_equal(run_stage(f, "actions/upload-artifact", 0, INPUTS("path=nope/*",
				   "name=x"), NULL), 0);
	LOG_HAS(f, "::warning::No files were found with the provided path: nope/*. No artifacts "
		"will be uploaded.");
	assert_int_equal(run_stage(f, "actions/upload-artifact", 0, INPUTS("path=nope",
				   "name=x", "if-no-files-found=error"), NULL), 1);
	assert_int_equal(run_stage(f, "actions/download-artifact", 0, INPUTS("name=x"), NULL), 1);
	LOG_HAS(f, "Unable to download artifact(s): Artifact not found for name: x");
}

/* ---------------------------------------------------------------- caches */

static void test_cache(void **state)
{
	struct fx *f = *state;
	const char *deps = "path=deps\n~/tool";

	put(f->ws.buf, "deps/lib.a", "v1");
	put(f->top, "home/tool/bin", "tool");
	assert_int_equal(run_stage(f, "actions/cache", 0, INPUTS(deps, "key=k-1",
				   "restore-keys=k-"), NULL), 0);
	LOG_HAS(f, "Cache not found for input keys: k-1, k-");
	assert_string_equal(out(f, "cache-hit"), "false");
	assert_string_equal(val_object_getstr(f->state, "CACHE_KEY")->u.string.ptr, "k-1");
	assert_int_equal(run_stage(f, "actions/cache", 1, NULL, (const char *[]){
				   "INPUT_PATH=deps\n~/tool", "STATE_CACHE_KEY=k-1", NULL }), 0);
	LOG_HAS(f, "Cache saved with key: k-1 (2 files)");
	/* a second save under the same key is refused */
	assert_int_equal(run_stage(f, "actions/cache/save", 0, INPUTS(deps, "key=k-1"), NULL), 0);
	LOG_HAS(f, "Unable to reserve cache with key k-1");
	put(f->ws.buf, "deps/lib.a", "v2");
	assert_int_equal(run_stage(f, "actions/cache/save", 0, INPUTS(deps, "key=k-2"), NULL), 0);

	/* exact key: a hit; a prefix: the newest match, no hit */
	put(f->ws.buf, "deps/lib.a", "changed");
	assert_int_equal(run_stage(f, "actions/cache/restore", 0, INPUTS(deps, "key=k-1"), NULL), 0);
	assert_string_equal(out(f, "cache-hit"), "true");
	assert_string_equal(get(f, f->ws.buf, "deps/lib.a"), "v1");
	assert_int_equal(run_stage(f, "actions/cache/restore", 0, INPUTS(deps, "key=k-9",
				   "restore-keys=x-\nk-"), NULL), 0);
	assert_string_equal(out(f, "cache-hit"), "false");
	assert_string_equal(out(f, "cache-matched-key"), "k-2");
	assert_string_equal(get(f, f->ws.buf, "deps/lib.a"), "v2");
	assert_string_equal(get(f, f->top, "home/tool/bin"), "tool");
	/* other paths are another version: no match */
	assert_int_equal(run_stage(f, "actions/cache/restore", 0, INPUTS("path=deps", "key=k-1"),
				   NULL), 0);
	assert_string_equal(out(f, "cache-hit"), "false");
	assert_int_equal(run_stage(f, "actions/cache/restore", 0, INPUTS("path=deps", "key=k-1",
				   "fail-on-cache-miss=true"), NULL), 1);
	LOG_HAS(f, "Failed to restore cache entry. Exiting as fail-on-cache-miss is set");
	/* the post step does not save what the primary key restored */
	assert_int_equal(run_stage(f, "actions/cache", 1, NULL, (const char *[]){
				   "INPUT_PATH=deps", "STATE_CACHE_KEY=k-1",
				   "STATE_CACHE_RESULT=k-1", NULL }), 0);
	LOG_HAS(f, "Cache hit occurred on the primary key k-1, not saving cache.");
	assert_int_equal(run_stage(f, "actions/cache", 0, INPUTS("path=deps", "key=a,b"), NULL), 1);
	LOG_HAS(f, "Key Validation Error: a,b cannot be larger than 512 characters nor contain "
		"commas.");
	assert_int_equal(run_stage(f, "actions/cache/save", 0, INPUTS("path=none", "key=z"),
				   NULL), 0);
	LOG_HAS(f, "Path(s) specified in the action for caching do(es) not exist");
}

/* ---------------------------------------------------------------- setup-* */

static void test_setup(void **state)
{
	struct fx *f = *state;
	struct strbuf path = STRBUF_INIT, bin = STRBUF_INIT;
	const char *env[3];

	strbuf_addf(&bin, "%s/tools/bin", f->top);
	put(f->top, "tools/bin/node", "#!/bin/sh\necho v18.19.0\n");
	put(f->top, "tools/bin/go", "#!/bin/sh\necho go version go1.21.3 linux/amd64\n");
	put(f->top, "tools/jdk/bin/java", "#!/bin/sh\necho 'openjdk version \"17.0.8\" 2023-07-18'"
	    " >&2\n");
	strbuf_addf(&path, "PATH=%s:%s/tools/jdk/bin", bin.buf, f->top);
	env[0] = path.buf;
	env[1] = NULL;
	assert_int_equal(run_stage(f, "actions/setup-node", 0, INPUTS("node-version=18"), env), 0);
	assert_string_equal(out(f, "node-version"), "18.19.0");
	LOG_HAS(f, "Using node 18.19.0");
	assert_non_null(strstr(get(f, f->top, "GITHUB_PATH"), bin.buf));
	assert_int_equal(run_stage(f, "actions/setup-node", 0, INPUTS("node-version=20.x"), env), 0);
	LOG_HAS(f, "::warning::node 20.x was asked for, but the job's environment has node 18.19.0");
	assert_int_equal(run_stage(f, "actions/setup-node", 0, INPUTS("node-version=>=16"), env), 0);
	LOG_HAS(f, "Using node");
	put(f->ws.buf, "go.mod", "module x\n\ngo 1.21\n");
	assert_int_equal(run_stage(f, "actions/setup-go", 0, INPUTS("go-version-file=go.mod"), env),
			 0);
	assert_string_equal(out(f, "go-version"), "1.21.3");
	LOG_HAS(f, "Using go 1.21.3");
	assert_int_equal(run_stage(f, "actions/setup-java", 0, INPUTS("java-version=17",
				   "distribution=temurin"), env), 0);
	assert_string_equal(out(f, "version"), "17.0.8");
	assert_non_null(strstr(get(f, f->top, "GITHUB_ENV"), "JAVA_HOME"));
	assert_non_null(strstr(get(f, f->top, "GITHUB_ENV"), "/tools/jdk\n"));
	assert_int_equal(run_stage(f, "actions/setup-python", 0, INPUTS("python-version=3.12"),
				   env), 1);
	LOG_HAS(f, "python is not installed in the job's environment");
	strbuf_release(&path);
	strbuf_release(&bin);
}


/* ---------------------------------------------------------------- docker stages */

/* Input values and how the docker actions split them: items joined by '|'. */
static const struct {
	const char *value;
	int ignore_comma;
	const char *items;
} list_cases[] = {
	{ "a/b:1,c/d:2", 0, "a/b:1|c/d:2" },
	{ "a/b:1\nc/d:2\n", 0, "a/b:1|c/d:2" },
	{ " a , b \n\n c,\r\nd", 0, "a|b|c|d" },
	{ "a,,b", 0, "a|b" },
	{ "\"a,b\"", 0, "a|b" },                        /* one quoted field is split still */
	{ "\"a,b\",c", 0, "a,b|c" },                    /* several fields are not */
	{ "", 0, "" },
	{ "FOO=a,b\nBAR=c", 1, "FOO=a,b|BAR=c" },
	{ "\"FOO=x \"\"y\"\"\"\n", 1, "FOO=x \"y\"" },
	{ "\"MULTI=1\n2\"\nX=3", 1, "MULTI=1\n2|X=3" },
	{ "A=1, B=2", 1, "A=1, B=2" },
	{ "  \n  \n", 1, "" },
	{ "x=\"q\"", 1, "x=\"q\"" },                    /* a quote inside a field is kept */
};

static void test_docker_lists(void **state)
{
	struct fx *f = *state;
	struct strlist items = STRLIST_INIT;
	struct strbuf joined = STRBUF_INIT;
	struct stage_ctx ctx;

	memset(&ctx, 0, sizeof(ctx));
	ctx.stage = &stage_build_push;
	for (size_t i = 0; i < sizeof(list_cases) / sizeof(list_cases[0]); i++) {
		strlist_release(&f->env);
		strlist_pushf(&f->env, "INPUT_TAGS=%s", list_cases[i].value);
		ctx.env = f->env.items;
		strlist_release(&items);
		strbuf_reset(&joined);
		stage_input_list(&ctx, "tags", list_cases[i].ignore_comma, &items);
		for (size_t k = 0; k < items.nr; k++)
			strbuf_addf(&joined, "%s%s", k ? "|" : "", items.items[k]);
		if (strcmp(joined.buf, list_cases[i].items))
			fail_msg("case %zu '%s': got '%s', want '%s'", i, list_cases[i].value,
				 joined.buf, list_cases[i].items);
	}
	strlist_release(&items);
	strbuf_release(&joined);
}

/* Inputs build-push-action refuses before any engine is asked, and what it says. */
static const struct {
	const char *inputs[4];
	const char *says;
} buildpush_refusals[] = {
	{ { "push=yes" }, "input 'push' is not a boolean: 'yes'" },
	{ { "load=1" }, "input 'load' is not a boolean: '1'" },
	{ { "push=true" }, "push: true needs at least one tag ('tags')" },
	{ { "tags=ok/app:1,Bad/App" }, "'Bad/App' is not an image reference" },
	{ { "tags=app@sha256:00" }, "name images by tag, not digest" },
	{ { "build-args=FOO=1\n=2" }, "'build-args' must be NAME=value lines, not '=2'" },
	{ { "labels=nolabel" }, "'labels' must be NAME=value lines, not 'nolabel'" },
	{ { "context=https://github.com/a/b.git#main" }, "the context 'https://github.com/a/b.git#main' is a URL" },
	{ { "context=missing" }, "the build context 'missing' is not a directory of the workspace" },
	{ { "context=app", "file=Dockerfile" }, "the Dockerfile 'Dockerfile' is outside the build context" },
	{ { "context=app", "file=app/Nope" }, "the Dockerfile 'app/Nope' does not exist" },
};

static void test_docker_buildpush_inputs(void **state)
{
	struct fx *f = *state;
	const char *dead[] = { "DOCKER_HOST=unix:///nonexistent/docker.sock", NULL };

	put(f->ws.buf, "Dockerfile", "FROM scratch\n");
	put(f->ws.buf, "app/Dockerfile", "FROM scratch\n");
	for (size_t i = 0; i < sizeof(buildpush_refusals) / sizeof(buildpush_refusals[0]); i++) {
		assert_int_equal(run_stage(f, "docker/build-push-action", 0,
					   buildpush_refusals[i].inputs, dead), 1);
		LOG_HAS(f, buildpush_refusals[i].says);
		assert_null(strstr(f->log.buf, "Docker engine"));        /* refused before */
	}
	/* valid inputs get as far as the engine: the default context and GitHub's handlebars */
	assert_int_equal(run_stage(f, "docker/build-push-action", 0, INPUTS("tags=a:1\nb:2",
				   "build-args=X=1,2", "no-cache=TRUE"), dead), 1);
	LOG_HAS(f, "::error::docker/build-push-action: cannot reach the Docker engine");
	assert_int_equal(run_stage(f, "docker/build-push-action", 0,
				   INPUTS("context={{defaultContext}}:app", "file=app/Dockerfile"),
				   dead), 1);
	LOG_HAS(f, "cannot reach the Docker engine");
	assert_int_equal(run_stage(f, "docker/setup-buildx-action", 0, NULL, dead), 1);
	LOG_HAS(f, "::error::docker/setup-buildx-action: cannot reach the Docker engine at "
		"unix:///nonexistent/docker.sock");
}

static void test_docker_login(void **state)
{
	struct fx *f = *state;
	const char *dead[] = { "DOCKER_HOST=unix:///nonexistent/docker.sock", NULL };
	char *mask;

	assert_int_equal(run_stage(f, "docker/login-action", 0, INPUTS("password=pa%ss"), dead), 1);
	mask = strstr(f->log.buf, "::add-mask::pa%25ss\n");
	assert_non_null(mask);
	assert_ptr_equal(mask, f->log.buf);                     /* before anything else */
	LOG_HAS(f, "'username' and 'password' are required to log in to "
		"'https://index.docker.io/v1/'");
	assert_int_equal(run_stage(f, "docker/login-action", 0, INPUTS("username=u",
				   "password=p", "logout=nah"), dead), 1);
	LOG_HAS(f, "input 'logout' is not a boolean: 'nah'");
	assert_int_equal(run_stage(f, "docker/login-action", 0, INPUTS("registry=ghcr.io",
				   "username=u", "password=p"), dead), 1);
	LOG_HAS(f, "::error::docker/login-action: cannot reach the Docker engine");
	assert_string_equal(get(f, f->top, "GITHUB_ENV"), "");  /* nothing kept */

	/* the post step has the runner drop what main handed over, unless logout: false */
	assert_int_equal(run_stage(f, "docker/login-action", 1, NULL,
				   (const char *[]){ "STATE_registry=localhost:5000", NULL }), 0);
	LOG_HAS(f, "::slipway-registry-logout registry=localhost%3A5000::\n");
	LOG_HAS(f, "Logging out of localhost:5000");
	assert_int_equal(run_stage(f, "docker/login-action", 1, INPUTS("logout=false"),
				   (const char *[]){ "STATE_registry=" DOCKERAUTH_HUB, NULL }), 0);
	LOG_HAS(f, "logout: false");
	assert_null(strstr(f->log.buf, "slipway-registry-logout"));
	assert_int_equal(run_stage(f, "docker/login-action", 1, NULL, NULL), 0);  /* never logged in */
	assert_null(strstr(f->log.buf, "slipway-registry-logout"));
	assert_string_equal(get(f, f->top, "GITHUB_ENV"), "");
}

static const struct {
	const char *registry, *server;
} server_cases[] = {
	{ "", DOCKERAUTH_HUB },
	{ "docker.io", DOCKERAUTH_HUB },
	{ "Registry-1.Docker.io", DOCKERAUTH_HUB },
	{ "index.docker.io/v1/", DOCKERAUTH_HUB },
	{ DOCKERAUTH_HUB, DOCKERAUTH_HUB },
	{ "ghcr.io", "ghcr.io" },
	{ "https://ghcr.io/v2/", "ghcr.io" },
	{ "127.0.0.1:5000", "127.0.0.1:5000" },
	{ "http://localhost:5000/x", "localhost:5000" },
};

/* Passwords that need escaping in JSON, base64 padding and workflow commands. */
static const char *const handoff_passwords[] = {
	"p:ss w\xc3\xb6rd", "a\"b\\c", "100%,::x", "line1\nline2", "x", "xy", "xyz",
};

/*
 * The round trip of credentials without a file: login's command line,
 * the runner's parse (only from a stage) and keeping, the variable it
 * gives later stages, and their lookup.
 */
static void test_docker_auth_handoff(void **state)
{
	struct strbuf line = STRBUF_INIT, json = STRBUF_INIT, var = STRBUF_INIT, err = STRBUF_INIT;
	struct regauth kept = REGAUTH_INIT;
	struct dockerauth a;
	struct stage_ctx ctx;
	struct wfcmd_state st;
	struct wfcmd c;

	(void)state;
	for (size_t i = 0; i < sizeof(server_cases) / sizeof(server_cases[0]); i++) {
		strbuf_reset(&line);
		dockerauth_server(&line, server_cases[i].registry);
		assert_string_equal(line.buf, server_cases[i].server);
	}
	dockerauth_init(&a);
	memset(&ctx, 0, sizeof(ctx));
	for (size_t i = 0; i < sizeof(handoff_passwords) / sizeof(handoff_passwords[0]); i++) {
		const char *pw = handoff_passwords[i];

		strbuf_reset(&line);
		dockerauth_login_command(&line, "localhost:5000", "me,\"you\"", pw);
		if (strlen(pw) > 3)
			assert_null(strstr(line.buf, pw));              /* encoded */
		assert_null(strchr(line.buf, '\n'));
		wfcmd_state_init(&st, WFCMD_STAGE);
		assert_int_equal(wfcmd_parse(&st, line.buf, line.len, &c), WFCMD_REGISTRY_LOGIN);
		assert_string_equal(c.key, "localhost:5000");
		assert_string_equal(c.password, pw);
		assert_memory_equal(c.secret, pw, strlen(pw));
		regauth_set(&kept, c.key, c.username, c.password);
		regauth_set(&kept, "ghcr.io", "other", "pw2");
		wfcmd_state_release(&st);

		strbuf_reset(&json);
		regauth_json(&kept, &json);
		strbuf_reset(&var);
		strbuf_addf(&var, "%s=%s", STAGE_REGISTRY_AUTHS_VAR, json.buf);
		ctx.env = (char *[]){ "PATH=/bin", var.buf, NULL };
		assert_int_equal(dockerauth_job_lookup(&a, &ctx, "http://localhost:5000/v2/", &err),
				 1);
		assert_string_equal(a.username.buf, "me,\"you\"");
		assert_string_equal(a.password.buf, pw);
		assert_string_equal(a.server.buf, "localhost:5000");
		assert_int_equal(dockerauth_job_lookup(&a, &ctx, "ghcr.io", &err), 1);
		assert_string_equal(a.password.buf, "pw2");
		assert_int_equal(dockerauth_job_lookup(&a, &ctx, "docker.io", &err), 0);
	}
	assert_int_equal(kept.nr, 2);                           /* replaced, not added */

	/* logging out drops one registry's */
	strbuf_reset(&line);
	dockerauth_logout_command(&line, "localhost:5000");
	wfcmd_state_init(&st, WFCMD_STAGE);
	assert_int_equal(wfcmd_parse(&st, line.buf, line.len, &c), WFCMD_REGISTRY_LOGOUT);
	assert_int_equal(regauth_drop(&kept, c.key), 1);
	assert_int_equal(regauth_drop(&kept, c.key), 0);
	wfcmd_state_release(&st);
	strbuf_reset(&json);
	regauth_json(&kept, &json);
	strbuf_reset(&var);
	strbuf_addf(&var, "%s=%s", STAGE_REGISTRY_AUTHS_VAR, json.buf);
	ctx.env = (char *[]){ var.buf, NULL };
	assert_int_equal(dockerauth_job_lookup(&a, &ctx, "localhost:5000", &err), 0);
	assert_int_equal(dockerauth_job_lookup(&a, &ctx, "ghcr.io", &err), 1);
	regauth_release(&kept);
	strbuf_reset(&json);
	regauth_json(&kept, &json);
	assert_string_equal(json.buf, "{}");

	/* none given, none kept, or not the runner's */
	ctx.env = (char *[]){ "PATH=/bin", NULL };
	assert_int_equal(dockerauth_job_lookup(&a, &ctx, "ghcr.io", &err), 0);
	ctx.env = (char *[]){ STAGE_REGISTRY_AUTHS_VAR "={}", NULL };
	assert_int_equal(dockerauth_job_lookup(&a, &ctx, "ghcr.io", &err), 0);
	ctx.env = (char *[]){ STAGE_REGISTRY_AUTHS_VAR "={\"ghcr.io\": {\"username\": \"u\"}}",
			      NULL };
	assert_int_equal(dockerauth_job_lookup(&a, &ctx, "ghcr.io", &err), 0);
	ctx.env = (char *[]){ STAGE_REGISTRY_AUTHS_VAR "=[\"hunter2\"]", NULL };
	assert_int_equal(dockerauth_job_lookup(&a, &ctx, "ghcr.io", &err), -1);
	assert_string_equal(err.buf, STAGE_REGISTRY_AUTHS_VAR " is not the runner's JSON object "
			    "of credentials");                  /* the value is not quoted */
	dockerauth_release(&a);
	strbuf_release(&line);
	strbuf_release(&json);
	strbuf_release(&var);
	strbuf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find),
		cmocka_unit_test_setup_teardown(test_inputs, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_main_errors, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_artifact_roundtrip, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_artifact_names, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_cache, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_setup, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_docker_lists, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_docker_buildpush_inputs, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_docker_login, fx_setup, fx_teardown),
		cmocka_unit_test(test_docker_auth_handoff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
