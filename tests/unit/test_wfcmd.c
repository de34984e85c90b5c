/*
 * Unit tests for runner/wfcmd, table-driven: the parser vectors of GitHub's
 * runner (LoggingCommandL0, ActionCommandManagerL0), the examples of the
 * "Workflow commands" documentation and act's commands fixture.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner/wfcmd.h"
#include "util/strbuf.h"

#include "support.h"

#define DISABLED(cmd) \
	"E: The `" cmd "` command is disabled. Please upgrade to using Environment Files " \
	"or opt into unsecure command execution by setting the " \
	"`ACTIONS_ALLOW_UNSECURE_COMMANDS` environment variable to `true`. For more " \
	"information see: https://github.blog/changelog/2020-10-01-github-actions-" \
	"deprecating-set-env-and-add-path-commands/\n"
#define DEPRECATED(cmd) \
	"W: The `" cmd "` command is deprecated and will be disabled soon. Please upgrade " \
	"to using Environment Files. For more information see: https://github.blog/" \
	"changelog/2022-10-11-github-actions-deprecating-save-state-and-set-output-commands/\n"
#define BAD_TOKEN \
	"E: You cannot use a endToken that is an empty string, the string 'pause-logging', " \
	"or another workflow command. For more information see: https://docs.github.com/" \
	"actions/learn-github-actions/workflow-commands-for-github-actions#example-" \
	"stopping-and-starting-workflow-commands or opt into insecure command execution " \
	"by setting the `ACTIONS_ALLOW_UNSECURE_STOPCOMMAND_TOKENS` environment variable " \
	"to `true`.\n"

/* base64 of {"username":"me","password":"s3cr3t!"}, and of {"username":"me"} */
#define CREDS "eyJ1c2VybmFtZSI6Im1lIiwicGFzc3dvcmQiOiJzM2NyM3QhIn0="
#define NO_PASSWORD "eyJ1c2VybmFtZSI6Im1lIn0="

static const char *props_str(struct strbuf *sb, const struct wfcmd *c)
{
	strbuf_reset(sb);
	for (size_t i = 0; i < c->nprops; i++)
		strbuf_addf(sb, "%s%s=%s", i ? "&" : "", c->props[i].key, c->props[i].value);
	return sb->buf;
}

static const char *msgs_str(struct strbuf *sb, const struct wfcmd *c)
{
	static const char levels[] = { 'E', 'W', 'D' };

	strbuf_reset(sb);
	for (size_t i = 0; i < c->nmsgs; i++)
		strbuf_addf(sb, "%c: %s\n", levels[c->msgs[i].level], c->msgs[i].text);
	return sb->buf;
}

/* Append to diff what differs between want and a string field (NULL = absent). */
static void check_str(struct strbuf *diff, const char *what, const char *want,
		      const char *got, size_t got_len)
{
	if ((!want && !got) || (want && got && strlen(want) == got_len &&
				!memcmp(want, got, got_len)))
		return;
	strbuf_addf(diff, "\n  %s: want '%s', got '%.*s'", what, want ? want : "(null)",
		    (int)(got ? got_len : 6), got ? got : "(null)");
}

static void test_wfcmd_parse(void **state)
{
	static const struct {
		const char *line;
		enum wfcmd_kind kind;
		const char *data, *props;
	} cases[] = {
		/* LoggingCommandL0.CommandParserV2Test, with a registered name */
		{ "::debug k1=v1,::msg", WFCMD_DEBUG, "msg", "k1=v1" },
		{ "::debug::", WFCMD_DEBUG, "", "" },
		{ "::debug k1=;=%2C=%0D=%0A=]=%3A,::;-%0D-%0A-]-:-,", WFCMD_DEBUG,
		  ";-\r-\n-]-:-,", "k1=;=,=\r=\n=]=:" },
		{ "::debug k1=;=%252C=%250D=%250A=]=%253A,::;-%250D-%250A-]-:-,", WFCMD_DEBUG,
		  ";-%0D-%0A-]-:-,", "k1=;=%2C=%0D=%0A=]=%3A" },
		{ "::debug k1=,k2=,::", WFCMD_DEBUG, "", "" },
		{ "::debug k1=v1::", WFCMD_DEBUG, "", "k1=v1" },
		{ "   ::debug k1=v1,::msg", WFCMD_DEBUG, "msg", "k1=v1" },
		{ "   >>>   ::debug k1=v1,::msg", WFCMD_NONE, NULL, NULL },
		/* LoggingCommandL0.CommandParserTest (the legacy form) */
		{ "##[debug k1=v1;]msg", WFCMD_DEBUG, "msg", "k1=v1" },
		{ "##[debug]", WFCMD_DEBUG, "", "" },
		{ "##[debug k1=%3B=%0D=%0A=%5D;]%3B-%0D-%0A-%5D", WFCMD_DEBUG, ";-\r-\n-]",
		  "k1=;=\r=\n=]" },
		{ "##[debug k1=%253B=%250D=%250A=%255D;]%253B-%250D-%250A-%255D", WFCMD_DEBUG,
		  "%3B-%0D-%0A-%5D", "k1=%3B=%0D=%0A=%5D" },
		{ "##[debug k1=;k2=;]", WFCMD_DEBUG, "", "" },
		{ ">>>   ##[debug k1=v1;]msg", WFCMD_DEBUG, "msg", "k1=v1" },
		/* the documentation's examples */
		{ "::debug::Set the Octocat variable", WFCMD_DEBUG, "Set the Octocat variable", "" },
		{ "::notice file=app.js,line=1,col=5,endColumn=7::Missing semicolon", WFCMD_NOTICE,
		  "Missing semicolon", "file=app.js&line=1&col=5&endColumn=7" },
		{ "::group::My title", WFCMD_GROUP, "My title", "" },
		{ "::endgroup::", WFCMD_ENDGROUP, "", "" },
		{ "::add-mask::Mona The Octocat", WFCMD_ADD_MASK, "Mona The Octocat", "" },
		{ "::error title=Oops%2C bad::line one%0Aline two", WFCMD_ERROR,
		  "line one\nline two", "title=Oops, bad" },
		/* names and keys are case-insensitive; a repeated key keeps the last */
		{ "::WARNING File=a.c,file=b.c::w", WFCMD_WARNING, "w", "file=b.c" },
		{ "::warning::a::b", WFCMD_WARNING, "a::b", "" },
		{ "::warning::x\r", WFCMD_WARNING, "x", "" },
		{ "::warning k=a=b::x", WFCMD_WARNING, "x", "k=a=b" },
		/* lower-case escapes are not escapes */
		{ "::warning::100%0a", WFCMD_WARNING, "100%0a", "" },
		/* not commands: unknown, unterminated, empty name, plain text */
		{ "::set-outputs name=x::y", WFCMD_NONE, NULL, NULL },
		{ "::frobnicate::x", WFCMD_NONE, NULL, NULL },
		{ "::warning", WFCMD_NONE, NULL, NULL },
		{ "::warning x", WFCMD_NONE, NULL, NULL },
		{ ":: warning::x", WFCMD_NONE, NULL, NULL },
		{ "##[warning", WFCMD_NONE, NULL, NULL },
		{ "a::b::c", WFCMD_NONE, NULL, NULL },
		{ "plain output", WFCMD_NONE, NULL, NULL },
		{ "", WFCMD_NONE, NULL, NULL },
	};
	struct strbuf sb = STRBUF_INIT, diff = STRBUF_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct wfcmd_state st;
		struct wfcmd c;

		wfcmd_state_init(&st, 0);
		wfcmd_parse(&st, cases[i].line, strlen(cases[i].line), &c);
		strbuf_reset(&diff);
		if (c.kind != cases[i].kind)
			strbuf_addf(&diff, "\n  kind: want %d, got %d", cases[i].kind, c.kind);
		if (cases[i].data) {
			check_str(&diff, "data", cases[i].data, c.data, c.data_len);
			props_str(&sb, &c);
			check_str(&diff, "props", cases[i].props, sb.buf, sb.len);
		} else if (c.name || c.nmsgs) {
			strbuf_addstr(&diff, "\n  not a command, yet a name or messages");
		}
		if (diff.len)
			fail_msg("'%s':%s", cases[i].line, diff.buf);
		wfcmd_state_release(&st);
	}
	strbuf_release(&sb);
	strbuf_release(&diff);
}

/* One step's lines through one state, each with what must come out. */
struct wfcmd_step {
	const char *line;
	enum wfcmd_kind kind;
	const char *key, *echo, *secret, *msgs;
	int failed;
};

struct wfcmd_scenario {
	const char *name;
	unsigned flags;
	struct wfcmd_step steps[8];
};

static const struct wfcmd_scenario scenarios[] = {
	{ "set-output and save-state: deprecated, honoured", 0, {
		{ "::set-output name=zoo::zar", WFCMD_SET_OUTPUT, "zoo", NULL, NULL,
		  DEPRECATED("set-output"), 0 },
		{ "::save-state name=pid::42", WFCMD_SAVE_STATE, "pid", NULL, NULL,
		  DEPRECATED("save-state"), 0 },
		{ "::set-output::nameless", WFCMD_INVALID, NULL, NULL, NULL,
		  DEPRECATED("set-output")
		  "E: Unable to process command '::set-output::nameless' successfully.\n"
		  "E: Required field 'name' is missing in ##[set-output] command.\n", 1 },
		{ NULL } } },
	{ "set-env and add-path: disabled", 0, {
		{ "::set-env name=foo::bar", WFCMD_INVALID, NULL, NULL, NULL,
		  "E: Unable to process command '::set-env name=foo::bar' successfully.\n"
		  DISABLED("set-env"), 1 },
		{ "::add-path::/zip", WFCMD_INVALID, NULL, NULL, NULL,
		  "E: Unable to process command '::add-path::/zip' successfully.\n"
		  DISABLED("add-path"), 1 },
		{ NULL } } },
	{ "set-env and add-path: allowed", WFCMD_ALLOW_UNSECURE_COMMANDS, {
		{ "::set-env name=foo::bar", WFCMD_SET_ENV, "foo", NULL, NULL, "", 0 },
		{ "::add-path::/zip", WFCMD_ADD_PATH, NULL, NULL, NULL, "", 0 },
		{ "::set-env name=node_options::--require x", WFCMD_INVALID, NULL, NULL, NULL,
		  "E: Can't update NODE_OPTIONS environment variable using ::set-env:: command.\n", 0 },
		{ "::set-env::nameless", WFCMD_INVALID, NULL, NULL, NULL,
		  "E: Unable to process command '::set-env::nameless' successfully.\n"
		  "E: Required field 'name' is missing in ##[set-env] command.\n", 1 },
		{ "::add-path::", WFCMD_INVALID, NULL, NULL, NULL,
		  "E: Unable to process command '::add-path::' successfully.\n"
		  "E: Value cannot be null. (Parameter 'path')\n", 1 },
		{ NULL } } },
	{ "add-mask", 0, {
		{ "::add-mask::abc%0Ddef%0Aghi%0D%0Ajkl", WFCMD_ADD_MASK, NULL, NULL,
		  "abc\rdef\nghi\r\njkl", "", 0 },
		{ "::add-mask:: %0D  %0A   %0D%0A    %0D", WFCMD_INVALID, NULL, NULL, NULL,
		  "W: Can't add secret mask for empty string in ##[add-mask] command.\n", 0 },
		{ NULL } } },
	/* act's testdata/commands/push.yml, with ACTIONS_ALLOW_UNSECURE_COMMANDS */
	{ "stop-commands", WFCMD_ALLOW_UNSECURE_COMMANDS, {
		{ "::stop-commands::my-end-token", WFCMD_STOP_COMMANDS, NULL,
		  "::stop-commands::my-end-token", "my-end-token", "", 0 },
		{ "::set-env name=foo::baz", WFCMD_NONE, NULL, NULL, NULL, "", 0 },
		{ "::warning::not now", WFCMD_NONE, NULL, NULL, NULL, "", 0 },
		{ "::MY-END-TOKEN::", WFCMD_RESUME_COMMANDS, NULL, "::MY-END-TOKEN::", NULL, "", 0 },
		{ "::set-env name=foo::baz", WFCMD_SET_ENV, "foo", NULL, NULL, "", 0 },
		{ "##[stop-commands]short1", WFCMD_STOP_COMMANDS, NULL, "##[stop-commands]short1",
		  NULL, "", 0 },
		{ "##[short1]", WFCMD_RESUME_COMMANDS, NULL, "##[short1]", NULL, "", 0 },
		{ NULL } } },
	{ "stop-commands: unsafe tokens refused", 0, {
		{ "::stop-commands::", WFCMD_INVALID, NULL, NULL, NULL, BAD_TOKEN, 1 },
		{ "::stop-commands::set-env", WFCMD_INVALID, NULL, NULL, NULL, BAD_TOKEN, 1 },
		{ "::stop-commands::Pause-Logging", WFCMD_INVALID, NULL, NULL, NULL, BAD_TOKEN, 1 },
		{ "::warning::still processed", WFCMD_WARNING, NULL, NULL, NULL, "", 0 },
		{ NULL } } },
	{ "stop-commands: unsafe tokens allowed", WFCMD_ALLOW_UNSECURE_STOP_TOKENS, {
		{ "::stop-commands::pause-logging", WFCMD_STOP_COMMANDS, NULL,
		  "::stop-commands::pause-logging", "pause-logging", "", 0 },
		{ "::add-mask::hidden", WFCMD_NONE, NULL, NULL, NULL, "", 0 },
		{ "::pause-logging::", WFCMD_RESUME_COMMANDS, NULL, "::pause-logging::", NULL, "", 0 },
		{ NULL } } },
	{ "echo", 0, {
		{ "::set-output name=a::b", WFCMD_SET_OUTPUT, "a", NULL, NULL,
		  DEPRECATED("set-output"), 0 },
		{ "::echo::ON", WFCMD_ECHO, NULL, NULL, NULL, "", 0 },
		{ "::set-output name=a::b", WFCMD_SET_OUTPUT, "a", "::set-output name=a::b", NULL,
		  DEPRECATED("set-output"), 0 },
		{ "::add-mask::s3cr3t", WFCMD_ADD_MASK, NULL, "::add-mask::***", "s3cr3t", "", 0 },
		{ "::warning::w", WFCMD_WARNING, NULL, NULL, NULL, "", 0 },
		{ "::group::g", WFCMD_GROUP, NULL, "::group::g", NULL, "", 0 },
		{ "::echo::Off   ", WFCMD_ECHO, NULL, "::echo::Off   ", NULL, "", 0 },
		{ "::group::g", WFCMD_GROUP, NULL, NULL, NULL, "", 0 },
		} },
	{ "echo: invalid values", 0, {
		{ "::echo::invalid", WFCMD_INVALID, NULL, NULL, NULL,
		  "E: Unable to process command '::echo::invalid' successfully.\n"
		  "E: Invalid echo command value. Possible values can be: 'on', 'off'. "
		  "Current value is: 'invalid'.\n", 1 },
		{ "::echo::", WFCMD_INVALID, NULL, NULL, NULL,
		  "E: Unable to process command '::echo::' successfully.\n"
		  "E: Value cannot be null. (Parameter 'value')\n", 1 },
		{ NULL } } },
	{ "echo from the start (step debug)", WFCMD_ECHO_ON, {
		{ "::endgroup::", WFCMD_ENDGROUP, NULL, "::endgroup::", NULL, "", 0 },
		{ "::debug::d", WFCMD_DEBUG, NULL, NULL, NULL, "", 0 },
		{ NULL } } },
	{ "slipway's registry commands: from a built-in stage", WFCMD_STAGE, {
		{ "::slipway-registry-login registry=localhost%3A5000::" CREDS, WFCMD_REGISTRY_LOGIN,
		  "localhost:5000", NULL, "s3cr3t!", "", 0 },
		{ "::slipway-registry-logout registry=localhost%3A5000::", WFCMD_REGISTRY_LOGOUT,
		  "localhost:5000", NULL, NULL, "", 0 },
		/* the password is masked even when the command is refused */
		{ "::slipway-registry-login::" CREDS, WFCMD_INVALID, NULL, NULL, "s3cr3t!",
		  "E: the '::slipway-registry-login::' command lacks its 'registry' property\n", 1 },
		{ "::slipway-registry-login registry=x::" NO_PASSWORD, WFCMD_INVALID, NULL, NULL,
		  NULL, "E: the '::slipway-registry-login::' command does not carry base64 of "
		  "{\"username\", \"password\"}\n", 1 },
		{ "::slipway-registry-login registry=x::not base64!", WFCMD_INVALID, NULL, NULL,
		  NULL, "E: the '::slipway-registry-login::' command does not carry base64 of "
		  "{\"username\", \"password\"}\n", 1 },
		{ "::slipway-registry-logout::", WFCMD_INVALID, NULL, NULL, NULL,
		  "E: the '::slipway-registry-logout::' command lacks its 'registry' property\n", 1 },
		{ NULL } } },
	{ "slipway's registry commands: echoed masked", WFCMD_STAGE | WFCMD_ECHO_ON, {
		{ "::slipway-registry-login registry=r.io::" CREDS, WFCMD_REGISTRY_LOGIN, "r.io",
		  "::slipway-registry-login registry=r.io::***", "s3cr3t!", "", 0 },
		{ NULL } } },
	/* a `run:` step (or a docker action) cannot hand the job credentials */
	{ "slipway's registry commands: not from other steps", WFCMD_ECHO_ON, {
		{ "::slipway-registry-login registry=r.io::" CREDS, WFCMD_INVALID, NULL, NULL,
		  NULL, "W: the '::slipway-registry-login::' command is for Slipway's built-in "
		  "stages only; ignored in this step\n", 0 },
		{ "##[slipway-registry-login registry=r.io]" CREDS, WFCMD_INVALID, NULL, NULL,
		  NULL, "W: the '::slipway-registry-login::' command is for Slipway's built-in "
		  "stages only; ignored in this step\n", 0 },
		{ "::slipway-registry-logout registry=r.io::", WFCMD_INVALID, NULL,
		  "::slipway-registry-logout registry=r.io::", NULL, "W: the "
		  "'::slipway-registry-logout::' command is for Slipway's built-in stages only; "
		  "ignored in this step\n", 0 },
		{ NULL } } },
	{ "problem matchers", 0, {
		{ "::add-matcher::.github/m.json", WFCMD_ADD_MATCHER, NULL, NULL, NULL,
		  "D: problem matchers are not supported: the '::add-matcher::' command is "
		  "ignored\n", 0 },
		{ NULL } } },
};

static void test_wfcmd_scenarios(void **state)
{
	struct strbuf sb = STRBUF_INIT, diff = STRBUF_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		const struct wfcmd_scenario *sc = &scenarios[i];
		struct wfcmd_state st;

		wfcmd_state_init(&st, sc->flags);
		for (size_t j = 0; j < 8 && sc->steps[j].line; j++) {
			const struct wfcmd_step *s = &sc->steps[j];
			struct wfcmd c;

			wfcmd_parse(&st, s->line, strlen(s->line), &c);
			strbuf_reset(&diff);
			if (c.kind != s->kind)
				strbuf_addf(&diff, "\n  kind: want %d, got %d", s->kind, c.kind);
			if (s->kind != WFCMD_INVALID)
				check_str(&diff, "key", s->key, c.key, c.key ? strlen(c.key) : 0);
			check_str(&diff, "echo", s->echo, c.echo, c.echo ? strlen(c.echo) : 0);
			check_str(&diff, "secret", s->secret, c.secret, c.secret_len);
			msgs_str(&sb, &c);
			check_str(&diff, "msgs", s->msgs, sb.buf, sb.len);
			if (c.failed != s->failed)
				strbuf_addf(&diff, "\n  failed: want %d, got %d", s->failed, c.failed);
			if (diff.len)
				fail_msg("%s: '%s':%s", sc->name, s->line, diff.buf);
		}
		wfcmd_state_release(&st);
	}
	strbuf_release(&sb);
	strbuf_release(&diff);
}

/* What a stage's ::slipway-registry-login:: hands over, and only from a stage. */
static void test_wfcmd_registry_login(void **state)
{
	static const char line[] = "::slipway-registry-login registry=ghcr.io::" CREDS;
	struct wfcmd_state st;
	struct wfcmd c;

	(void)state;
	wfcmd_state_init(&st, WFCMD_STAGE);
	assert_int_equal(wfcmd_parse(&st, line, strlen(line), &c), WFCMD_REGISTRY_LOGIN);
	assert_string_equal(c.key, "ghcr.io");
	assert_string_equal(c.username, "me");
	assert_string_equal(c.password, "s3cr3t!");
	assert_null(c.echo);
	wfcmd_state_release(&st);

	wfcmd_state_init(&st, wfcmd_flags_from_env((char *[]){ "ACTIONS_ALLOW_UNSECURE_COMMANDS="
							       "true", NULL }, NULL));
	assert_int_equal(wfcmd_parse(&st, line, strlen(line), &c), WFCMD_INVALID);
	assert_null(c.username);
	assert_null(c.password);
	assert_null(c.key);
	assert_null(c.secret);
	assert_false(c.failed);
	wfcmd_state_release(&st);
}

/* ActionCommandManagerL0.IssueCommandInvalidColumns and the docs' example. */
static void test_wfcmd_annotation_positions(void **state)
{
	static const struct {
		const char *line;
		int l, el, c, ec;
		const char *file, *title;
	} cases[] = {
		{ "::warning line=1,endLine=2,col=1,endColumn=2::w", 1, 2, 0, 0, NULL, NULL },
		{ "::warning col=1,endColumn=2::w", 0, 0, 0, 0, NULL, NULL },
		{ "::warning endLine=1::w", 1, 1, 0, 0, NULL, NULL },
		{ "::warning line=1,endColumn=2::w", 1, 0, 2, 2, NULL, NULL },
		{ "::warning line=,endLine=3::w", 3, 3, 0, 0, NULL, NULL },
		{ "::warning line=4,endLine=3::w", 0, 0, 0, 0, NULL, NULL },
		{ "::warning line=1,endLine=1,col=3,endColumn=2::w", 1, 1, 0, 0, NULL, NULL },
		{ "::warning line=1,endLine=1,col=1,endColumn=2::w", 1, 1, 1, 2, NULL, NULL },
		{ "::warning line=1,col=1,file=test.txt::w", 1, 0, 1, 0, "test.txt", NULL },
		{ "::error file=app.js,line=1,col=5,endColumn=7,title=T::Missing semicolon",
		  1, 0, 5, 7, "app.js", "T" },
		{ "::notice line=x,col= 3 ::n", 0, 0, 0, 0, NULL, NULL },
		{ "::notice line= 12 ::n", 12, 0, 0, 0, NULL, NULL },
		{ "::notice line=-1::n", 0, 0, 0, 0, NULL, NULL },
	};
	struct strbuf diff = STRBUF_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct wfcmd_state st;
		struct wfcmd c;

		wfcmd_state_init(&st, 0);
		wfcmd_parse(&st, cases[i].line, strlen(cases[i].line), &c);
		if (c.line != cases[i].l || c.end_line != cases[i].el || c.col != cases[i].c ||
		    c.end_col != cases[i].ec)
			fail_msg("'%s': want %d,%d,%d,%d got %d,%d,%d,%d", cases[i].line,
				 cases[i].l, cases[i].el, cases[i].c, cases[i].ec,
				 c.line, c.end_line, c.col, c.end_col);
		strbuf_reset(&diff);
		check_str(&diff, "file", cases[i].file, c.file, c.file ? strlen(c.file) : 0);
		check_str(&diff, "title", cases[i].title, c.title, c.title ? strlen(c.title) : 0);
		if (diff.len)
			fail_msg("'%s':%s", cases[i].line, diff.buf);
		wfcmd_state_release(&st);
	}
	strbuf_release(&diff);
}

static void test_wfcmd_flags_from_env(void **state)
{
	static char *const none[] = { "PATH=/bin", NULL };
	static char *const t1[] = { "ACTIONS_ALLOW_UNSECURE_COMMANDS= True ", NULL };
	static char *const t2[] = { "ACTIONS_ALLOW_UNSECURE_COMMANDS=1",
				    "ACTIONS_ALLOW_UNSECURE_STOPCOMMAND_TOKENS=1", NULL };
	static char *const t3[] = { "ACTIONS_ALLOW_UNSECURE_STOPCOMMAND_TOKENS=$TRUE", NULL };
	static char *const t4[] = { "ACTIONS_ALLOW_UNSECURE_COMMANDSX=true",
				    "ACTIONS_ALLOW_UNSECURE_STOPCOMMAND_TOKENS= true", NULL };

	(void)state;
	assert_int_equal(wfcmd_flags_from_env(NULL, NULL), 0);
	assert_int_equal(wfcmd_flags_from_env(none, none), 0);
	assert_int_equal(wfcmd_flags_from_env(t1, NULL), WFCMD_ALLOW_UNSECURE_COMMANDS);
	assert_int_equal(wfcmd_flags_from_env(none, t1), WFCMD_ALLOW_UNSECURE_COMMANDS);
	/* bool.TryParse does not take "1"; ConvertToBoolean does */
	assert_int_equal(wfcmd_flags_from_env(t2, NULL), WFCMD_ALLOW_UNSECURE_STOP_TOKENS);
	assert_int_equal(wfcmd_flags_from_env(t1, t3),
			 WFCMD_ALLOW_UNSECURE_COMMANDS | WFCMD_ALLOW_UNSECURE_STOP_TOKENS);
	assert_int_equal(wfcmd_flags_from_env(t4, NULL), 0);
}

static void test_wfcmd_random_input(void **state)
{
	static const char *const tokens[] = {
		"::", "##[", "]", " ", ",", ";", "=", "%", "%0A", "%25", "%3A", "add-mask",
		"stop-commands", "set-output", "echo", "on", "warning", "name", "line", "tok",
		"", "\xff", "\r", "x",
	};
	char text[512];
	unsigned seed = 3;
	struct wfcmd_state st;

	(void)state;
	wfcmd_state_init(&st, 0);
	for (int i = 0; i < 5000; i++) {
		size_t len = support_token_soup(text, sizeof(text), &seed, tokens,
						 sizeof(tokens) / sizeof(tokens[0]));
		struct wfcmd c;
		enum wfcmd_kind k = wfcmd_parse(&st, text, len, &c);

		assert_true(k <= WFCMD_RESUME_COMMANDS && k == c.kind);
		assert_true(c.nmsgs <= WFCMD_MAX_MSGS);
		if (k != WFCMD_NONE) {
			assert_non_null(c.name);
			assert_non_null(c.data);
		}
		if (c.failed)
			assert_int_equal(k, WFCMD_INVALID);
		for (size_t j = 0; j < c.nmsgs; j++)
			assert_non_null(c.msgs[j].text);
		if (i % 1000 == 999) {
			wfcmd_state_release(&st);
			wfcmd_state_init(&st, (unsigned)i & 7);
		}
	}
	wfcmd_state_release(&st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wfcmd_parse),
		cmocka_unit_test(test_wfcmd_scenarios),
		cmocka_unit_test(test_wfcmd_registry_login),
		cmocka_unit_test(test_wfcmd_annotation_positions),
		cmocka_unit_test(test_wfcmd_flags_from_env),
		cmocka_unit_test(test_wfcmd_random_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
