/*
 * Unit tests for runner/envfile: GITHUB_OUTPUT/ENV/STATE texts (the forms
 * act's environment-files fixture writes, GitHub's error cases), GITHUB_PATH
 * order, step summaries masked and capped, and the heredoc writer.
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

#include "runner/envfile.h"
#include "util/rx.h"

#include "support.h"

#define UUID_DELIM "ghadelimiter_b8273c6d-d535-419a-a010-b0aaac240e36"

static void test_envfile_pairs(void **state)
{
	static const struct {
		enum envfile_kind kind;
		const char *text, *pairs, *diags;
		int ret;
	} cases[] = {
		/* what act's testdata/environment-files/push.yaml writes */
		{ ENVFILE_ENV, "KEY=value\n", "KEY=[value]", "", 0 },
		{ ENVFILE_ENV, "KEY=value=anothervalue\n", "KEY=[value=anothervalue]", "", 0 },
		{ ENVFILE_ENV, "KEY2<<EOF\nvalue2\nEOF\n", "KEY2=[value2]", "", 0 },
		{ ENVFILE_OUTPUT, "KEY3<<" UUID_DELIM "\nvalue3\n" UUID_DELIM "\n", "KEY3=[value3]",
		  "", 0 },
		/* more of the format */
		{ ENVFILE_OUTPUT, "M<<X\na\n\nb\nX\nE<<X\nX\n", "M=[a\n\nb],E=[]", "", 0 },
		{ ENVFILE_OUTPUT, "A=1\r\nB<<X\r\nl1\r\nl2\r\nX\r\n", "A=[1],B=[l1\nl2]", "", 0 },
		{ ENVFILE_STATE, "\n\nA=1\n\nA=2\n", "A=[2]", "", 0 },
		{ ENVFILE_OUTPUT, "A<<B=C\nv\nB=C\nD=E<<F\nG=\n", "A=[v],D=[E<<F],G=[]", "", 0 },
		{ ENVFILE_OUTPUT, "A<<EOF\nx\nEOF", "A=[x]", "", 0 },
		{ ENVFILE_OUTPUT, "A<<EOF\nEOFx\nEOF\n", "A=[EOFx]", "", 0 },
		/* GitHub's errors: reading stops, earlier pairs stay */
		{ ENVFILE_OUTPUT, "A=1\nbogus\nB=2\n", "A=[1]", "2:0: error: Invalid format 'bogus'\n", -1 },
		{ ENVFILE_OUTPUT, "=v\n", "", "1:0: error: Invalid format '=v'. Name must not be empty\n", -1 },
		{ ENVFILE_OUTPUT, "<<EOF\nx\nEOF\n", "",
		  "1:0: error: Invalid format '<<EOF'. Name must not be empty and delimiter must not be "
		  "empty\n", -1 },
		{ ENVFILE_OUTPUT, "A<<\n", "",
		  "1:0: error: Invalid format 'A<<'. Name must not be empty and delimiter must not be "
		  "empty\n", -1 },
		{ ENVFILE_OUTPUT, "Z=0\nA<<EOF\nx\n EOF\n", "Z=[0]",
		  "2:0: error: Invalid value. Matching delimiter not found 'EOF'\n", -1 },
		{ ENVFILE_OUTPUT, "A<<EOF\nx", "", "2:0: error: Invalid value. EOF marker missing new line.\n",
		  -1 },
		/* NODE_OPTIONS: refused in GITHUB_ENV, without failing the step */
		{ ENVFILE_ENV, "NODE_OPTIONS=--x\nnode_options<<E\ny\nE\nB=1\n", "B=[1]",
		  "1:0: error: Can't store NODE_OPTIONS output parameter using '$GITHUB_ENV' command.\n"
		  "2:0: error: Can't store NODE_OPTIONS output parameter using '$GITHUB_ENV' command.\n", 0 },
		{ ENVFILE_OUTPUT, "NODE_OPTIONS=--x\n", "NODE_OPTIONS=[--x]", "", 0 },
	};
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct arena a = ARENA_INIT;
		struct diag_list d = DIAG_LIST_INIT;
		struct val obj = val_new_object(&a);

		assert_int_equal(envfile_parse(&a, obj, cases[i].kind, "f", cases[i].text,
					       strlen(cases[i].text), &d), cases[i].ret);
		assert_string_equal(support_diags(&sb, &d), cases[i].diags);
		assert_string_equal(support_pairs(&sb, obj), cases[i].pairs);
		diag_list_release(&d);
		arena_release(&a);
	}
	assert_string_equal(envfile_kind_name(ENVFILE_OUTPUT), "output");
	assert_string_equal(envfile_kind_name(ENVFILE_ENV), "env");
	assert_string_equal(envfile_kind_name(ENVFILE_STATE), "state");
	strbuf_release(&sb);
}

static void test_envfile_path(void **state)
{
	struct strlist prepend = STRLIST_INIT;
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	/* step 1, as act's fixture: someFolder, then someOtherFolder */
	envfile_parse_path(&prepend, "/h/someFolder\n", 14);
	envfile_parse_path(&prepend, "/h/someOtherFolder\r\n\n", 21);
	envfile_join_path(&sb, &prepend, "/usr/bin:/bin");
	assert_string_equal(sb.buf, "/h/someOtherFolder:/h/someFolder:/usr/bin:/bin");
	/* a directory added again moves to the front */
	envfile_parse_path(&prepend, "/x\r/h/someFolder", 16);
	strbuf_reset(&sb);
	envfile_join_path(&sb, &prepend, NULL);
	assert_string_equal(sb.buf, "/h/someFolder:/x:/h/someOtherFolder");
	assert_int_equal(prepend.nr, 3);
	/* no directory holds a NUL byte: such a line is skipped */
	envfile_parse_path(&prepend, "/n\0ul\n/ok", 9);
	assert_int_equal(prepend.nr, 4);
	assert_string_equal(prepend.items[3], "/ok");
	strlist_release(&prepend);
	strbuf_reset(&sb);
	envfile_join_path(&sb, &prepend, "/bin");
	assert_string_equal(sb.buf, "/bin");
	strbuf_release(&sb);
}

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void test_envfile_files(void **state)
{
	char dir[] = "/tmp/slipway-envfile.XXXXXX";
	struct strbuf path = STRBUF_INIT, sb = STRBUF_INIT, out = STRBUF_INIT;
	struct strlist prepend = STRLIST_INIT;
	struct diag_list d = DIAG_LIST_INIT;
	struct arena a = ARENA_INIT;
	struct val obj = val_new_object(&a);
	struct mask m;
	FILE *fp;

	(void)state;
	assert_non_null(mkdtemp(dir));
	mask_init(&m);
	mask_add(&m, "hunter2", 7);

	/* missing files are empty */
	strbuf_addf(&path, "%s/missing", dir);
	assert_int_equal(envfile_load(&a, obj, ENVFILE_OUTPUT, path.buf, &d), 0);
	assert_int_equal(envfile_load_path(&prepend, path.buf, &d), 0);
	assert_int_equal(envfile_load_summary(&out, path.buf, &m, &d), 0);
	assert_int_equal(d.nr + obj.u.object->nr + prepend.nr + out.len, 0);

	strbuf_reset(&path);
	strbuf_addf(&path, "%s/output", dir);
	write_file(path.buf, "a=1\nb<<E\nx\nE\n");
	assert_int_equal(envfile_load(&a, obj, ENVFILE_OUTPUT, path.buf, &d), 0);
	assert_string_equal(support_pairs(&sb, obj), "a=[1],b=[x]");
	write_file(path.buf, "/opt/bin\n");
	assert_int_equal(envfile_load_path(&prepend, path.buf, &d), 0);
	assert_string_equal(prepend.items[0], "/opt/bin");

	/* the summary is masked as a whole */
	write_file(path.buf, "# Result\n\npassword: hunter2\n`aHVudGVyMg==`\n");
	assert_int_equal(envfile_load_summary(&out, path.buf, &m, &d), 0);
	assert_string_equal(out.buf, "# Result\n\npassword: ***\n`***`\n");

	/* too large: GitHub's message; nothing appended */
	fp = fopen(path.buf, "w");
	assert_non_null(fp);
	assert_int_equal(ftruncate(fileno(fp), (off_t)ENVFILE_SUMMARY_MAX + 1), 0);
	fclose(fp);
	strbuf_reset(&out);
	assert_int_equal(envfile_load_summary(&out, path.buf, &m, &d), -1);
	assert_int_equal(out.len, 0);
	assert_string_equal(support_diags(&sb, &d),
		"0:0: error: $GITHUB_STEP_SUMMARY upload aborted, supports content up to a size of 1024k, "
		"got 1024k. For more information see: https://docs.github.com/actions/using-"
		"workflows/workflow-commands-for-github-actions#adding-a-markdown-summary\n");
	diag_list_release(&d);
	fp = fopen(path.buf, "w");
	assert_non_null(fp);
	assert_int_equal(ftruncate(fileno(fp), (off_t)ENVFILE_MAX_SIZE + 1), 0);
	fclose(fp);
	assert_int_equal(envfile_load(&a, obj, ENVFILE_ENV, path.buf, &d), -1);
	assert_int_equal(envfile_load_path(&prepend, path.buf, &d), -1);
	assert_string_equal(support_diags(&sb, &d), "0:0: error: file is larger than 16 MiB\n"
			    "0:0: error: file is larger than 16 MiB\n");
	diag_list_release(&d);
	assert_int_equal(envfile_load(&a, obj, ENVFILE_ENV, dir, &d), -1);
	assert_string_equal(support_diags(&sb, &d), "0:0: error: cannot read file: Is a directory\n");

	unlink(path.buf);
	rmdir(dir);
	mask_release(&m);
	diag_list_release(&d);
	arena_release(&a);
	strlist_release(&prepend);
	strbuf_release(&path);
	strbuf_release(&sb);
	strbuf_release(&out);
}

static void test_envfile_format_pair(void **state)
{
	static const char *const values[] = { "", "x", "multi\nline\n", "EOF", "a=b<<c", "%0A" };
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT, sb = STRBUF_INIT;
	struct rx *rx;

	(void)state;
	assert_int_equal(envfile_format_pair(&out, "a", "x\ny", 3, "EOF", &err), 0);
	assert_string_equal(out.buf, "a<<EOF\nx\ny\nEOF\n");
	assert_int_equal(envfile_format_pair(&out, "a", "1EOF2", 5, "EOF", &err), -1);
	assert_string_equal(err.buf,
			    "Unexpected input: value should not contain the delimiter \"EOF\"");
	strbuf_reset(&err);
	assert_int_equal(envfile_format_pair(&out, "nEOF", "v", 1, "EOF", &err), -1);
	assert_string_equal(err.buf,
			    "Unexpected input: name should not contain the delimiter \"EOF\"");
	assert_string_equal(out.buf, "a<<EOF\nx\ny\nEOF\n");

	/* a random delimiter, and every value reads back as written */
	rx = rx_compile("^n<<ghadelimiter_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
			"[0-9a-f]{12}\n", 0, &err);
	assert_non_null(rx);
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		struct arena a = ARENA_INIT;
		struct diag_list d = DIAG_LIST_INIT;
		struct val obj = val_new_object(&a);

		strbuf_reset(&out);
		assert_int_equal(envfile_format_pair(&out, "n", values[i], strlen(values[i]),
						     NULL, &err), 0);
		assert_int_equal(rx_search(rx, out.buf, out.len, 0, NULL, NULL), 1);
		assert_int_equal(envfile_parse(&a, obj, ENVFILE_OUTPUT, "f", out.buf, out.len,
					       &d), 0);
		strbuf_reset(&err);
		strbuf_addf(&err, "n=[%s]", values[i]);
		assert_string_equal(support_pairs(&sb, obj), err.buf);
		arena_release(&a);
		diag_list_release(&d);
	}
	rx_free(rx);
	strbuf_release(&out);
	strbuf_release(&err);
	strbuf_release(&sb);
}

static void test_envfile_random_input(void **state)
{
	static const char *const tokens[] = {
		"A", "b", "=", "<<", "EOF", "\n", "\r\n", "\r", " ", "NODE_OPTIONS", "", "\xff",
		"A<<EOF\n", "EOF\n",
	};
	char text[512];
	unsigned seed = 11;

	(void)state;
	for (int i = 0; i < 3000; i++) {
		struct arena a = ARENA_INIT;
		struct diag_list d = DIAG_LIST_INIT;
		struct val obj = val_new_object(&a);
		struct strlist prepend = STRLIST_INIT;
		size_t len = support_token_soup(text, sizeof(text), &seed, tokens,
						 sizeof(tokens) / sizeof(tokens[0]));
		int ret = envfile_parse(&a, obj, (enum envfile_kind)(i % 3), "r", text, len, &d);

		/* a failure is exactly one message, the last */
		if (ret)
			assert_true(d.nr >= 1 && d.items[d.nr - 1].severity == DIAG_ERROR);
		for (size_t j = 0; j < d.nr; j++)
			assert_true(d.items[j].line >= 1);
		envfile_parse_path(&prepend, text, len);
		for (size_t j = 0; j < prepend.nr; j++)
			assert_true(prepend.items[j][0] && !strpbrk(prepend.items[j], "\r\n"));
		strlist_release(&prepend);
		diag_list_release(&d);
		arena_release(&a);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_envfile_pairs),
		cmocka_unit_test(test_envfile_path),
		cmocka_unit_test(test_envfile_files),
		cmocka_unit_test(test_envfile_format_pair),
		cmocka_unit_test(test_envfile_random_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
