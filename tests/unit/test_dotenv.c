/*
 * Unit tests for runner/dotenv: act's secrets fixtures as they are, then a
 * table of texts with the exact values and diagnostics they must give.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runner/dotenv.h"
#include "util/strbuf.h"

#include "support.h"

/* act's testdata/secrets/.env and .secrets (nektos/act), read as they are. */
static void test_dotenv_act_fixtures(void **state)
{
	static const struct { const char *file, *want; } files[] = {
		{ ".env", "HELLO=[WORLD],MULTILINE_ENV=[foo\nbar\nbaz]" },
		{ ".secrets", "MY_SECRET=[top-secret],MULTILINE_SECRET=[foo\nbar\nbaz],"
			      "JSON_SECRET=[{\"foo\": \"bar\"}]" },
	};
	const char *shared = getenv("SLIPWAY_SHARED");
	struct strbuf path = STRBUF_INIT, sb = STRBUF_INIT;

	(void)state;
	if (!shared || !*shared)
		skip();
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct arena a = ARENA_INIT;
		struct diag_list d = DIAG_LIST_INIT;
		struct val obj = val_new_object(&a);

		strbuf_reset(&path);
		strbuf_addf(&path, "%s/conformance/act-runner/testdata/secrets/%s", shared,
			    files[i].file);
		assert_int_equal(dotenv_load(&a, obj, path.buf, &d), 0);
		assert_int_equal(d.nr, 0);
		assert_string_equal(support_pairs(&sb, obj), files[i].want);
		diag_list_release(&d);
		arena_release(&a);
	}
	strbuf_release(&path);
	strbuf_release(&sb);
}

static void test_dotenv_table(void **state)
{
	static const struct {
		const char *text;
		size_t len;             /* 0: strlen */
		const char *pairs, *diags;
	} cases[] = {
		{ "A=1\nB=two words\n", 0, "A=[1],B=[two words]", "" },
		{ "export C=3\nexport\tD=4", 0, "C=[3],D=[4]", "" },
		{ "export=5", 0, "export=[5]", "" },
		{ "  # comment\n\n\t\nE = spaced  \n", 0, "E=[spaced]", "" },
		{ "E=val # comment\nF=a#b\nG= # only a comment\nH=#x", 0,
		  "E=[val],F=[a#b],G=[],H=[#x]", "" },
		{ "I='lit $HOME \\n \"q\"'", 0, "I=[lit $HOME \\n \"q\"]", "" },
		{ "J=\"a\\nb\\t\\\"q\\\" \\\\ \\$ \\x\\r\"", 0, "J=[a\nb\t\"q\" \\ $ \\x\r]", "" },
		{ "K=\"line1\nline2\"\nL=after", 0, "K=[line1\nline2],L=[after]", "" },
		{ "M='x\r\ny'\r\nN=z\r\nO=\"v\" # c\r\n", 0, "M=[x\ny],N=[z],O=[v]", "" },
		{ "\xEF\xBB\xBFP=1", 0, "P=[1]", "" },
		{ "Q=\nR=a=b\n_s9=\"\"", 0, "Q=[],R=[a=b],_s9=[]", "" },
		{ "S=1\nS=2", 0, "S=[2]", "2:1: warning: 'S' is set again; the last value wins\n" },
		{ "K=\"a\nb\"\n K='c\nd'", 0, "K=[c\nd]",
		  "3:2: warning: 'K' is set again; the last value wins\n" },
		{ "1BAD=x\nmy-key=y\nOK=1", 0, "OK=[1]",
		  "1:1: error: invalid key '1BAD': keys are letters, digits and '_', not "
		  "starting with a digit\n"
		  "2:1: error: invalid key 'my-key': keys are letters, digits and '_', not "
		  "starting with a digit\n" },
		{ "NOEQ\nNO EQ\n  =v", 0, "",
		  "1:5: error: expected '=' after 'NOEQ'\n"
		  "2:4: error: expected '=' after 'NO'\n"
		  "3:3: error: missing key before '='\n" },
		{ "U=1\nT=\"open\nV=1\n", 0, "U=[1]",
		  "2:3: error: unterminated double-quoted value of 'T'\n" },
		{ "W='open", 0, "", "1:3: error: unterminated single-quoted value of 'W'\n" },
		{ "X=\"x\" y\nY=ok", 0, "Y=[ok]",
		  "1:7: error: unexpected text after the closing quote of 'X'\n" },
		{ "Z=a\0b\nA=1", 9, "A=[1]", "1:1: error: the value of 'Z' contains a NUL byte\n" },
		{ "B=\"a\nb\"\n-bad=1\nC=2", 0, "B=[a\nb],C=[2]",
		  "3:1: error: invalid key '-bad': keys are letters, digits and '_', not "
		  "starting with a digit\n" },
	};
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct arena a = ARENA_INIT;
		struct diag_list d = DIAG_LIST_INIT;
		struct val obj = val_new_object(&a);
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].text);
		int ret = dotenv_parse(&a, obj, "t.env", cases[i].text, len, &d);

		assert_int_equal(ret, d.errors ? -1 : 0);
		assert_string_equal(support_diags(&sb, &d), cases[i].diags);
		assert_string_equal(support_pairs(&sb, obj), cases[i].pairs);
		for (size_t j = 0; j < d.nr; j++) {
			assert_string_equal(d.items[j].file, "t.env");
			assert_string_equal(d.items[j].rule, "dotenv");
		}
		diag_list_release(&d);
		arena_release(&a);
	}
	strbuf_release(&sb);
}

static void test_dotenv_load_errors(void **state)
{
	char dir[] = "/tmp/slipway-dotenv.XXXXXX";
	struct strbuf path = STRBUF_INIT, sb = STRBUF_INIT;
	struct arena a = ARENA_INIT;
	struct diag_list d = DIAG_LIST_INIT;
	struct val obj = val_new_object(&a);
	FILE *fp;

	(void)state;
	assert_non_null(mkdtemp(dir));
	strbuf_addf(&path, "%s/missing", dir);
	assert_int_equal(dotenv_load(&a, obj, path.buf, &d), -1);
	assert_string_equal(support_diags(&sb, &d),
			    "0:0: error: cannot read file: No such file or directory\n");
	assert_string_equal(d.items[0].file, path.buf);
	diag_list_release(&d);

	strbuf_reset(&path);
	strbuf_addf(&path, "%s/huge", dir);
	fp = fopen(path.buf, "w");
	assert_non_null(fp);
	assert_int_equal(ftruncate(fileno(fp), (off_t)DOTENV_MAX_SIZE + 1), 0);
	fclose(fp);
	assert_int_equal(dotenv_load(&a, obj, path.buf, &d), -1);
	assert_string_equal(support_diags(&sb, &d), "0:0: error: file is larger than 16 MiB\n");
	assert_int_equal(obj.u.object->nr, 0);
	unlink(path.buf);
	rmdir(dir);
	diag_list_release(&d);
	arena_release(&a);
	strbuf_release(&path);
	strbuf_release(&sb);
}


static void test_dotenv_random_input(void **state)
{
	static const char *const tokens[] = {
		"A", "b_9", "=", " ", "\t", "\n", "\r\n", "\r", "#", "\"", "'", "\\", "export ",
		"-", "$X", "\xEF\xBB\xBF", "", "\xff", "KEY=\"", "V='x",
	};
	char text[512];
	unsigned seed = 7;

	(void)state;
	for (int i = 0; i < 3000; i++) {
		struct arena a = ARENA_INIT;
		struct diag_list d = DIAG_LIST_INIT;
		struct val obj = val_new_object(&a);
		size_t len = support_token_soup(text, sizeof(text), &seed, tokens,
						 sizeof(tokens) / sizeof(tokens[0]));
		int ret = dotenv_parse(&a, obj, "r.env", text, len, &d);

		assert_int_equal(ret, d.errors ? -1 : 0);
		for (size_t j = 0; j < d.nr; j++)
			assert_true(d.items[j].line >= 1 && d.items[j].col >= 1);
		for (size_t j = 0; j < obj.u.object->nr; j++)
			assert_true(dotenv_key_valid(obj.u.object->members[j].key,
						     obj.u.object->members[j].key_len));
		diag_list_release(&d);
		arena_release(&a);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dotenv_act_fixtures),
		cmocka_unit_test(test_dotenv_table),
		cmocka_unit_test(test_dotenv_load_errors),
		cmocka_unit_test(test_dotenv_random_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
