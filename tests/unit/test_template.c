/*
 * Unit tests for parser/template: typed whole-expression values,
 * interpolation, if: rules, and file positions in errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "parser/template.h"
#include "util/json.h"

static const char doc_text[] =
	"plain: 3\n"
	"whole: ${{ matrix.n }}\n"
	"mixed: v${{ matrix.n }}-${{ matrix.os }}\n"
	"nested:\n"
	"  list:\n"
	"    - a\n"
	"    - '${{ matrix.os }}'\n"
	"    - ${{ fromJSON('[1,2]') }}\n"
	"unclosed: echo ${{ matrix.n\n"
	"unknown: echo ${{ nosuch.x }}\n"
	"quoted: \"${{ '}}' }}\"\n"
	"block: |\n"
	"  line one\n"
	"  two ${{ nosuch }}\n";

struct fixture {
	struct ydoc doc;
	struct diag_list diags;
	struct arena arena;
	struct expr_env env;
	struct expr_names names;
	struct strbuf err;
};

static const char *const contexts[] = { "matrix", "github", NULL };

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct strbuf jerr = STRBUF_INIT;
	const char *ctx = "{\"matrix\": {\"n\": 3, \"os\": \"linux\"},"
			  " \"github\": {\"ref\": \"refs/heads/main\"}}";

	diag_list_init(&f->diags);
	arena_init(&f->arena);
	strbuf_init(&f->err, 0);
	assert_int_equal(ydoc_load(&f->doc, "w.yml", doc_text, strlen(doc_text), &f->diags), 0);
	assert_int_equal(json_parse(&f->env.contexts, &f->arena, ctx, strlen(ctx), &jerr), 0);
	f->env.arena = &f->arena;
	f->env.status = EXPR_STATUS_SUCCESS;
	f->names.contexts = contexts;
	f->names.functions = EXPR_FN_STATUS;
	strbuf_release(&jerr);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	ydoc_release(&f->doc);
	diag_list_release(&f->diags);
	arena_release(&f->arena);
	strbuf_release(&f->err);
	free(f);
	return 0;
}

static const struct ydoc_node *node(struct fixture *f, const char *key)
{
	return ydoc_map_get(f->doc.root, key);
}

static const char *as_json(struct fixture *f, const char *key)
{
	static struct strbuf out = STRBUF_INIT;
	struct val v;

	strbuf_reset(&f->err);
	if (tmpl_eval(&v, node(f, key), &f->names, &f->env, &f->err) < 0)
		return NULL;
	strbuf_reset(&out);
	json_write(&out, v, 0);
	return out.buf;
}

static void test_values_keep_their_type(void **state)
{
	struct fixture *f = *state;

	assert_string_equal(as_json(f, "plain"), "3");
	assert_string_equal(as_json(f, "whole"), "3");
	assert_string_equal(as_json(f, "mixed"), "\"v3-linux\"");
	assert_string_equal(as_json(f, "nested"), "{\"list\":[\"a\",\"linux\",[1,2]]}");
	assert_string_equal(as_json(f, "quoted"), "\"}}\"");
}

static void test_errors_carry_file_positions(void **state)
{
	struct fixture *f = *state;

	assert_null(as_json(f, "unclosed"));
	assert_string_equal(f->err.buf,
		"w.yml:9:16: The expression is not closed. An unescaped ${{ sequence was "
		"found, but the closing }} sequence was not found.");
	assert_null(as_json(f, "unknown"));
	assert_string_equal(f->err.buf,
		"w.yml:10:19: Unrecognized named-value: 'nosuch'. Located at position 2 "
		"within expression:  nosuch.x ");
	assert_null(as_json(f, "block"));
	assert_non_null(strstr(f->err.buf, "w.yml:14:11: Unrecognized named-value: 'nosuch'"));
}

static int eval_if(struct fixture *f, const char *text, enum expr_job_status status)
{
	struct ydoc doc;
	struct diag_list diags = DIAG_LIST_INIT;
	struct strbuf yaml = STRBUF_INIT;
	int ret;

	strbuf_addf(&yaml, "if: %s\n", text);
	if (ydoc_load(&doc, "if.yml", yaml.buf, yaml.len, &diags) < 0) {
		diag_list_print(stderr, &diags);
		fail();
	}
	f->env.status = status;
	strbuf_reset(&f->err);
	ret = tmpl_eval_if(ydoc_map_get(doc.root, "if"), &f->names, &f->env, &f->err);
	f->env.status = EXPR_STATUS_SUCCESS;
	ydoc_release(&doc);
	diag_list_release(&diags);
	strbuf_release(&yaml);
	return ret;
}

static void test_if_follows_github(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(eval_if(f, "github.ref == 'refs/heads/main'", EXPR_STATUS_SUCCESS), 1);
	assert_int_equal(eval_if(f, "github.ref == 'refs/heads/main'", EXPR_STATUS_FAILURE), 0);
	assert_int_equal(eval_if(f, "failure()", EXPR_STATUS_FAILURE), 1);
	assert_int_equal(eval_if(f, "failure()", EXPR_STATUS_SUCCESS), 0);
	assert_int_equal(eval_if(f, "always()", EXPR_STATUS_CANCELLED), 1);
	assert_int_equal(eval_if(f, "${{ false }}", EXPR_STATUS_SUCCESS), 0);
	/* Text around ${{ }} makes a non-empty string: true (GitHub's trap). */
	assert_int_equal(eval_if(f, "x ${{ false }}", EXPR_STATUS_SUCCESS), 1);
	assert_int_equal(eval_if(f, "x ${{ false }}", EXPR_STATUS_FAILURE), 0);
	/* Without a status function the condition is not evaluated after a failure... */
	assert_int_equal(eval_if(f, "fromJSON('{')", EXPR_STATUS_FAILURE), 0);
	assert_int_equal(eval_if(f, "fromJSON('{')", EXPR_STATUS_SUCCESS), -1);
	assert_non_null(strstr(f->err.buf, "if.yml:1:5: "));
	/* ...but it must still parse: an unknown context is an error either way. */
	assert_int_equal(eval_if(f, "nosuch.x", EXPR_STATUS_FAILURE), -1);
	assert_non_null(strstr(f->err.buf, "if.yml:1:5: Unrecognized named-value: 'nosuch'"));
}

/* GitHub's expression form of strings, and normalised if: conditions. */
static void test_expression_forms(void **state)
{
	static const struct {
		const char *text;
		int kind;
		const char *out;
	} forms[] = {
		{ "plain text", TMPL_LITERAL, "" },
		{ "${{ matrix.os }}", TMPL_EXPRESSION, "matrix.os" },
		{ "${{ 'it''s' }}", TMPL_STRING, "it's" },
		{ "a ${{ x }} b{c}'d ${{ y.z }}", TMPL_EXPRESSION,
		  "format('a {0} b{{c}}''d {1}', x, y.z)" },
		{ "${{ x }} ", TMPL_EXPRESSION, "format('{0} ', x)" },
		{ "${{ '}}' }}", TMPL_STRING, "}}" },
		{ "echo ${{ x", -1, "" },
	};
	static const struct {
		const char *yaml;
		const char *want;
	} conds[] = {
		{ "other: 1\n", "success()" },
		{ "if: null\n", "success()" },
		{ "if: ''\n", "success()" },
		{ "if: github.ref == 'x'\n", "success() && (github.ref == 'x')" },
		{ "if: ' true '\n", "success() && (true)" },
		{ "if: ${{ always() && github.x }}\n", "always() && github.x" },
		{ "if: success('build', 'test')\n", "success('build', 'test')" },
		{ "if: a ${{ github.ref }}\n", "success() && (format('a {0}', github.ref))" },
		{ "if: ${{ 'failure()' }}\n", "failure()" },
		{ "if: github.y == 'success()'\n", "success() && (github.y == 'success()')" },
		/* What does not parse is kept for the error to be reported. */
		{ "if: nosuch.x\n", "nosuch.x" },
	};
	struct fixture *f = *state;
	struct strbuf out = STRBUF_INIT;

	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		strbuf_reset(&out);
		assert_int_equal(tmpl_to_expression(&out, forms[i].text, strlen(forms[i].text)),
				 forms[i].kind);
		assert_string_equal(out.buf, forms[i].out);
	}
	f->names.functions = EXPR_FN_STATUS | EXPR_FN_JOB_STATUS;
	for (size_t i = 0; i < sizeof(conds) / sizeof(conds[0]); i++) {
		struct diag_list diags = DIAG_LIST_INIT;
		struct ydoc doc;

		assert_int_equal(ydoc_load(&doc, "if.yml", conds[i].yaml, strlen(conds[i].yaml),
					   &diags), 0);
		strbuf_reset(&out);
		assert_int_equal(tmpl_if_normalize(&out, ydoc_map_get(doc.root, "if"), &f->names,
						   &f->arena), 0);
		assert_string_equal(out.buf, conds[i].want);
		ydoc_release(&doc);
		diag_list_release(&diags);
	}
	f->names.functions = EXPR_FN_STATUS;
	strbuf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values_keep_their_type),
		cmocka_unit_test(test_errors_carry_file_positions),
		cmocka_unit_test(test_if_follows_github),
		cmocka_unit_test(test_expression_forms),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
