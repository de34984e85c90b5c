/*
 * Unit tests for runner/actctr: a step's environment turned into a docker
 * action container's variables and binds (rendered as text, exact), the
 * errors, and the content tag of an action's image (stable, and changed
 * by a file's contents, its executable bit, a new file, a link's target).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runner/actctr.h"
#include "stages/buildctx.h"
#include "testutil.h"
#include "util/fs.h"

static const char *render(struct strbuf *sb, const struct actctr *c)
{
	strbuf_reset(sb);
	for (size_t i = 0; i < c->env.nr; i++)
		strbuf_addf(sb, "%s%s", i ? " " : "env: ", c->env.items[i]);
	for (size_t i = 0; i < c->binds.nr; i++)
		strbuf_addf(sb, "%s%s", i ? " " : "\nbinds: ", c->binds.items[i]);
	return sb->buf;
}

static void test_actctr_env(void **state)
{
	static const struct {
		const char *env[16];
		const char *pass[4];
		const char *want;       /* the rendering, or "error: MESSAGE" */
	} cases[] = {
		{ { "PATH=/usr/bin", "HOME=/root", "CI=true", "GITHUB_WORKSPACE=/w/ws",
		    "GITHUB_SHA=abc", "INPUT_WHO=me", "STATE_x=1", "RUNNER_OS=Linux",
		    "SLIPWAY_RUN_DIR=/r", "CIRCLE=no", "MINE=yes", "OTHER=no", NULL }, { "MINE" },
		  "env: CI=true GITHUB_WORKSPACE=/github/workspace GITHUB_SHA=abc INPUT_WHO=me "
		  "STATE_x=1 RUNNER_OS=Linux MINE=yes\n"
		  "binds: /w/ws:/github/workspace" },
		{ { "GITHUB_WORKSPACE=/w/ws", "RUNNER_TEMP=/w/temp", "GITHUB_EVENT_PATH=/r/event.json",
		    "GITHUB_OUTPUT=/w/files/output", "GITHUB_ENV=/w/files/env",
		    "GITHUB_PATH=/w/files/path", "GITHUB_STATE=/w/files/state",
		    "GITHUB_STEP_SUMMARY=/w/files/summary", NULL }, { NULL },
		  "env: GITHUB_WORKSPACE=/github/workspace RUNNER_TEMP=/github/runner_temp "
		  "GITHUB_EVENT_PATH=/github/workflow/event.json "
		  "GITHUB_OUTPUT=/github/file_commands/output GITHUB_ENV=/github/file_commands/env "
		  "GITHUB_PATH=/github/file_commands/path GITHUB_STATE=/github/file_commands/state "
		  "GITHUB_STEP_SUMMARY=/github/file_commands/summary\n"
		  "binds: /w/ws:/github/workspace /w/temp:/github/runner_temp "
		  "/r/event.json:/github/workflow/event.json:ro "
		  "/w/files/output:/github/file_commands/output "
		  "/w/files/env:/github/file_commands/env /w/files/path:/github/file_commands/path "
		  "/w/files/state:/github/file_commands/state "
		  "/w/files/summary:/github/file_commands/summary" },
		/* host paths that mean nothing inside stay out, unless the step names them */
		{ { "GITHUB_ACTION_PATH=/a", "RUNNER_TOOL_CACHE=/t", "GITHUB_WORKSPACE=/w", NULL },
		  { NULL },
		  "env: GITHUB_WORKSPACE=/github/workspace\nbinds: /w:/github/workspace" },
		{ { "RUNNER_TOOL_CACHE=/t", "GITHUB_WORKSPACE=/w", NULL }, { "RUNNER_TOOL_CACHE" },
		  "env: RUNNER_TOOL_CACHE=/t GITHUB_WORKSPACE=/github/workspace\n"
		  "binds: /w:/github/workspace" },
		/* an empty place is passed as it is, unbound */
		{ { "GITHUB_WORKSPACE=/w", "RUNNER_TEMP=", NULL }, { NULL },
		  "env: GITHUB_WORKSPACE=/github/workspace\nbinds: /w:/github/workspace" },
		{ { "CI=true", NULL }, { NULL }, "error: GITHUB_WORKSPACE is not set" },
		{ { "GITHUB_WORKSPACE=ws", NULL }, { NULL },
		  "error: 'GITHUB_WORKSPACE' is not an absolute path: 'ws'" },
	};
	struct strbuf sb = STRBUF_INIT, err = STRBUF_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct actctr c = ACTCTR_INIT;
		struct strlist pass = STRLIST_INIT;

		for (size_t k = 0; cases[i].pass[k]; k++)
			strlist_push(&pass, cases[i].pass[k]);
		strbuf_reset(&err);
		if (actctr_build(&c, (char *const *)cases[i].env, &pass, &err) < 0) {
			strbuf_reset(&sb);
			strbuf_addf(&sb, "error: %s", err.buf);
		} else {
			render(&sb, &c);
		}
		if (strcmp(sb.buf, cases[i].want))
			fail_msg("case %zu:\n got: %s\nwant: %s", i, sb.buf, cases[i].want);
		actctr_release(&c);
		strlist_release(&pass);
	}
	strbuf_release(&sb);
	strbuf_release(&err);
}

/* The tag of dir's context as buildctx lists it. */
static void tag_of(struct strbuf *out, const char *dir)
{
	struct strlist files = STRLIST_INIT;
	struct strbuf err = STRBUF_INIT;

	strbuf_reset(out);
	assert_int_equal(buildctx_files(&files, dir, "Dockerfile", &err), 0);
	assert_int_equal(actctr_image_tag(out, dir, &files, &err), 0);
	strlist_release(&files);
	strbuf_release(&err);
}

static void write_file(const char *dir, const char *name, const char *text, mode_t mode)
{
	struct strbuf path = STRBUF_INIT, err = STRBUF_INIT;

	fs_path_join(&path, dir, name);
	assert_int_equal(fs_write_file(path.buf, text, strlen(text), mode, &err), 0);
	assert_int_equal(chmod(path.buf, mode), 0);
	strbuf_release(&path);
	strbuf_release(&err);
}

static void test_actctr_tag(void **state)
{
	char dir[] = "/tmp/test-actctr.XXXXXX";
	struct strbuf first = STRBUF_INIT, now = STRBUF_INIT, path = STRBUF_INIT;
	struct strbuf err = STRBUF_INIT;
	struct strlist files = STRLIST_INIT;

	(void)state;
	assert_non_null(mkdtemp(dir));
	write_file(dir, "Dockerfile", "FROM scratch\n", 0644);
	write_file(dir, "entry.sh", "echo hi\n", 0644);
	write_file(dir, ".dockerignore", "ignored\n", 0644);
	tag_of(&first, dir);
	assert_int_equal(first.len, strlen(ACTCTR_IMAGE_REPO ":") + 32);
	assert_memory_equal(first.buf, ACTCTR_IMAGE_REPO ":", strlen(ACTCTR_IMAGE_REPO ":"));
	tag_of(&now, dir);
	assert_string_equal(now.buf, first.buf);

	write_file(dir, "ignored", "not in the context\n", 0644);
	tag_of(&now, dir);
	assert_string_equal(now.buf, first.buf);

	write_file(dir, "entry.sh", "echo ho\n", 0644);
	tag_of(&now, dir);
	assert_string_not_equal(now.buf, first.buf);
	write_file(dir, "entry.sh", "echo hi\n", 0644);
	tag_of(&now, dir);
	assert_string_equal(now.buf, first.buf);

	write_file(dir, "entry.sh", "echo hi\n", 0755);
	tag_of(&now, dir);
	assert_string_not_equal(now.buf, first.buf);
	write_file(dir, "entry.sh", "echo hi\n", 0644);

	fs_path_join(&path, dir, "link");
	assert_int_equal(symlink("entry.sh", path.buf), 0);
	tag_of(&now, dir);
	assert_string_not_equal(now.buf, first.buf);
	strbuf_reset(&first);
	strbuf_add(&first, now.buf, now.len);
	unlink(path.buf);
	assert_int_equal(symlink("Dockerfile", path.buf), 0);
	tag_of(&now, dir);
	assert_string_not_equal(now.buf, first.buf);

	/* a file that went away between the listing and the hash */
	strlist_push(&files, "gone");
	strbuf_reset(&now);
	assert_int_equal(actctr_image_tag(&now, dir, &files, &err), -1);
	assert_non_null(strstr(err.buf, "/gone': No such file or directory"));
	assert_int_equal(now.len, 0);

	assert_int_equal(test_remove_tree(dir), 0);
	strlist_release(&files);
	strbuf_release(&first);
	strbuf_release(&now);
	strbuf_release(&path);
	strbuf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_actctr_env),
		cmocka_unit_test(test_actctr_tag),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
