/*
 * Unit tests for the expression engine (parser/expr.h): precedence,
 * coercions, number printing, limits, error wording and columns, the
 * names a location allows, status functions, hashFiles(). The
 * cross-implementation vectors are test_expr_vectors.c's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parser/expr.h"
#include "util/json_js.h"

static const char contexts_json[] =
	"{\"github\": {\"event_name\": \"push\", \"ref\": \"refs/heads/main\","
	"  \"event\": {\"commits\": [{\"id\": 1, \"author\": {\"name\": \"a\"}},"
	"                           {\"id\": 2, \"author\": {\"name\": \"b\"}}]}},"
	" \"matrix\": {\"os\": \"linux\", \"node\": 20, \"list\": [1, \"two\", null]},"
	" \"env\": {\"Empty\": \"\", \"N\": \"0x10\"}}";

struct fixture {
	struct arena a;
	struct val contexts;
	struct expr_error err;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct strbuf err = STRBUF_INIT;

	arena_init(&f->a);
	if (json_js_parse(&f->contexts, &f->a, contexts_json, strlen(contexts_json), &err) < 0)
		return -1;
	expr_error_init(&f->err);
	strbuf_release(&err);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	expr_error_release(&f->err);
	arena_release(&f->a);
	free(f);
	return 0;
}

/*
 * Evaluate text with every function allowed and status st; the result
 * as compact JSON, or "<stage>: <located message>".
 */
static const char *eval_as(struct fixture *f, const char *text, enum expr_job_status st)
{
	static const char *const ctx[] = { "github", "matrix", "env", NULL };
	struct expr_names names = { ctx, EXPR_FN_STATUS | EXPR_FN_CASE, NULL, 0 };
	struct expr_env env = { f->contexts, st, NULL, &f->a };
	static const char *const stages[] = { "lexing", "parsing", "evaluation" };
	struct strbuf out = STRBUF_INIT;
	struct expr *e;
	struct val v;
	const char *s;

	if (expr_parse(&e, &f->a, text, strlen(text), &names, &f->err) < 0 ||
	    expr_eval(&v, e, &env, &f->err) < 0) {
		strbuf_addf(&out, "%s: ", stages[f->err.stage]);
		expr_error_format(&out, &f->err, text, strlen(text));
	} else {
		json_js_write(&out, v, 0, 0);
	}
	s = arena_strdup(&f->a, out.buf);
	strbuf_release(&out);
	return s;
}

static const char *eval(struct fixture *f, const char *text)
{
	return eval_as(f, text, EXPR_STATUS_SUCCESS);
}

struct eval_case {
	const char *expr, *want;
};

static void check_cases(struct fixture *f, const struct eval_case *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *got = eval(f, c[i].expr);

		if (strcmp(got, c[i].want))
			fail_msg("%s\n  got:  %s\n  want: %s", c[i].expr, got, c[i].want);
	}
}

#define CHECK(f, cases) check_cases(f, cases, sizeof(cases) / sizeof(cases[0]))

static void test_precedence_and_logic(void **state)
{
	static const struct eval_case cases[] = {
		{ "1 == 1 && 2 == 3 || 'x'", "\"x\"" },         /* && binds tighter than || */
		{ "!1 == false", "true" },                       /* ! before == */
		{ "1 < 2 == true", "true" },                     /* < before == */
		{ "1 < 2 < 3", "true" },                         /* (1 < 2) < 3: true < 3 */
		{ "3 > 2 > 1", "false" },                        /* true > 1 is false */
		{ "'a' && 0 && x", "parsing: Unrecognized named-value: 'x'. Located at position 13 within expression: 'a' && 0 && x" },
		{ "'a' && 0 && fromJSON('x')", "0" },            /* short circuit: && returns operands */
		{ "null || '' || 0 || 'last'", "\"last\"" },
		{ "null || ''", "\"\"" },
		{ "(1 || 2) && (0 || null)", "null" },
		{ "!!matrix", "true" },
		{ "!(matrix.nosuch)", "true" },
		{ "github.event.commits.*.author.name", "[\"a\",\"b\"]" },
		{ "github.event.commits[1].author['NAME']", "\"b\"" },
		{ "github['EVENT_NAME'] == 'PUSH'", "true" },
		{ "matrix.list[1]", "\"two\"" },
		{ "matrix.list['1']", "\"two\"" },
		{ "matrix.list[1.9]", "\"two\"" },
		{ "matrix.list[-1]", "null" },
		{ "matrix.list[null]", "1" },                    /* null indexes as 0 */
		{ "matrix.*", "[\"linux\",20,[1,\"two\",null]]" },
		/* x.*.name in one go: the same as '*' then .name, for every kind of x */
		{ "matrix.*.x", "[]" },
		{ "matrix.*.length", "[]" },
		{ "matrix.list.*.x", "[]" },
		{ "matrix.os.*.x", "[]" },
		{ "matrix.nosuch.*.x", "[]" },
		{ "github.event.*.author", "[]" },
		{ "github.event.commits.*.author", "[{\"name\":\"a\"},{\"name\":\"b\"}]" },
		{ "(github.event.commits.*).*.name", "[\"a\",\"b\"]" },
		{ "case(true, github.event.commits.*, 1).id", "[1,2]" },
		{ "(null || github.event.commits.*).*.NAME", "[\"a\",\"b\"]" },
		{ "fromJSON('[[10, 11], {\"0\": 1}, 3]').*['0']", "[10,1]" },
		{ "(matrix.list.*)[0]", "[]" },                   /* a filtered array indexes its items */
		{ "matrix == matrix", "true" },                  /* containers compare by reference */
		{ "fromJSON('{}') == fromJSON('{}')", "false" },
		{ "case(matrix.os == 'linux', 'L', 'other')", "\"L\"" },
		{ "case(false, 1, true, 2, 3)", "2" },
		{ "case('yes', 1, 2)", "evaluation: case predicate must evaluate to a boolean value. Located within expression: case('yes', 1, 2)" },
	};

	CHECK(*state, cases);
}

static void test_coercion(void **state)
{
	static const struct eval_case cases[] = {
		{ "'' == 0", "true" },
		{ "null == 0", "true" },
		{ "null == ''", "true" },
		{ "null == false", "true" },
		{ "'0x10' == 16", "true" },
		{ "env.N == 16", "true" },
		{ "' 1e3 ' == 1000", "true" },
		{ "'abc' == 'ABC'", "true" },
		/* ASCII compared eight bytes at a time: letters fold, their neighbours do not */
		{ "'Octo-Org/Repo.Name-2024' == 'octo-org/repo.name-2024'", "true" },
		{ "'abcdefgh@' == 'ABCDEFGH`'", "false" },
		{ "'[abcdefgh]' == '{ABCDEFGH}'", "false" },
		{ "'abcdefghZ' == 'ABCDEFGHz'", "true" },
		{ "startsWith('Refs/Heads/Main', 'refs/heads/')", "true" },
		{ "endsWith('x/OCTO-REPO', '/octo-repo')", "true" },
		{ "contains('the [SKIP CI] tag', '[skip ci]')", "true" },
		{ "contains('the [SKIP CI] tag', '{skip ci}')", "false" },
		{ "'straße' == 'STRASSE'", "true" },
		{ "'ı' == 'I'", "false" },                        /* GitHub keeps the dotless i */
		{ "'abc' < 'ABD'", "true" },
		{ "'b' > 'A'", "true" },
		{ "true > false", "true" },
		{ "NaN == NaN", "false" },
		{ "NaN != NaN", "true" },
		{ "'x' < 1", "false" },                           /* NaN compares false */
		{ "matrix > 1", "false" },
		{ "matrix == 'Object'", "false" },
		{ "contains('Hello', 'ELL')", "true" },
		{ "contains(matrix.list, 'TWO')", "true" },
		{ "contains(matrix.list, '1')", "true" },          /* loose equality */
		{ "contains(matrix, 'os')", "false" },
		/* NULs are characters like others: no C string compare may stop at them */
		{ "contains(fromJSON('\"a\\u0000b\"'), fromJSON('\"a\\u0000c\"'))", "false" },
		{ "contains(fromJSON('\"a\\u0000B\"'), fromJSON('\"A\\u0000b\"'))", "true" },
		{ "endsWith(fromJSON('\"xa\\u0000b\"'), fromJSON('\"a\\u0000c\"'))", "false" },
		/* an ASCII needle: found among ASCII bytes of any haystack, or through the mapping */
		{ "contains('\u00e9t\u00e9 AND more', 'and M')", "true" },
		{ "contains('\xe2\x84\xaa', 'k')", "true" },      /* the Kelvin sign lowers to k */
		{ "contains('\u00e9t\u00e9', 'x')", "false" },
		{ "startsWith('Straße', 'STRAS')", "true" },
		{ "endsWith('Ümlaut', 'LAUT')", "true" },
		{ "join(matrix.list, '+')", "\"1+two+\"" },
		{ "join(matrix.list)", "\"1,two,\"" },
		{ "join('abc')", "\"abc\"" },
		{ "join(matrix)", "\"\"" },
		{ "join(fromJSON('[1, 2.5, true, null]'), 0.5)", "\"10.52.50.5true0.5\"" },
		{ "join(fromJSON('[]'), '-')", "\"\"" },
		{ "format('{0}|{1}|{2}|{3}', null, true, matrix, matrix.list)", "\"|true|Object|Array\"" },
		{ "format('{{{0}}}', 1)", "\"{1}\"" },
		{ "format('{0:D3} {1}', 1, 2)", "\"1 2\"" },        /* what follows the index is ignored */
		{ "format(matrix.os, 1)", "\"linux\"" },             /* a format string that is no literal */
		{ "format(format('{0}{1}', '{', '0}}}'), 'x')", "\"x}\"" },
		{ "format('')", "\"\"" },
		{ "format('{0}{1}{2}{3}{4}{5}{6}{7}{8}{9}{10}{11}{12}{13}{14}{15}{16}', 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16)",
		  "\"012345678910111213141516\"" },
		{ "format('{1}', 1)", "evaluation: The following format string references more arguments than were supplied: {1}. Located within expression: format('{1}', 1)" },
		{ "format('{', 1)", "evaluation: The following format string is invalid: {. Located within expression: format('{', 1)" },
		{ "toJSON(matrix.list)", "\"[\\n  1,\\n  \\\"two\\\",\\n  null\\n]\"" },
		{ "toJSON('a\"b')", "\"\\\"a\\\\\\\"b\\\"\"" },
		{ "fromJSON('[1, {\"A\": 1, \"a\": 2}]')[1].a", "1" }, /* keys fold case-insensitively, first wins */
		{ "fromJSON('{\"a\\u0000b\": 1, \"A\\u0000c\": 2}')", "{\"a\\u0000b\":1,\"A\\u0000c\":2}" },
		{ "fromJSON(' ')", "evaluation: empty input. Located within expression: fromJSON(' ')" },
		{ "fromJSON('{')", "evaluation: Error parsing JSON when evaluating fromJson. Located within expression: fromJSON('{')" },
		{ "matrix[fromJSON('x')]", "evaluation: could not evaluate index for index access: Error parsing JSON when evaluating fromJson. Located within expression: matrix[fromJSON('x')]" },
	};

	CHECK(*state, cases);
}

static void test_numbers(void **state)
{
	static const struct eval_case cases[] = {
		{ "format('{0}', 1.0)", "\"1\"" },
		{ "format('{0}', 0.1)", "\"0.1\"" },
		{ "format('{0}', 0.30000000000000004)", "\"0.3\"" },  /* 15 decimals at most */
		{ "format('{0}', 0.0000152587890625)", "\"0.000015258789063\"" }, /* ties round up */
		{ "format('{0}', 123456789012345678)", "\"123456789012345680\"" },
		{ "format('{0}', 1e21)", "\"1e+21\"" },
		{ "format('{0}', 1e-7)", "\"1e-7\"" },
		{ "format('{0}', -1e-16)", "\"0\"" },
		{ "format('{0}', -0)", "\"0\"" },
		{ "format('{0} {1} {2}', NaN, Infinity, -Infinity)", "\"NaN Infinity -Infinity\"" },
		{ "0x1F", "31" },
		{ "0b101", "5" },
		{ "0o17", "15" },
		{ "0b11111111111111111111111111111111111111111111111111111111", "72057594037927940" },
		{ ".5", "0.5" },
		{ "5.", "5" },
		{ "-1.5e3", "-1500" },
		{ "1e400", "null" },                               /* Infinity prints as null in JSON */
		{ "'1_0' == 10", "false" },
		{ "1.2.3", "lexing: Unexpected symbol: '1.2.3'. Located at position 1 within expression: 1.2.3" },
		{ "-0x10", "lexing: Unexpected symbol: '-0x10'. Located at position 1 within expression: -0x10" },
	};

	CHECK(*state, cases);
}

static void test_errors_and_columns(void **state)
{
	static const struct eval_case cases[] = {
		{ "1 +", "lexing: Unexpected symbol: '+'. Located at position 3 within expression: 1 +" },
		{ "a == 1", "parsing: Unrecognized named-value: 'a'. Located at position 1 within expression: a == 1" },
		{ "format(1", "parsing: Unexpected symbol: 'EOF'. Located at position 8 within expression: format(1" },
		{ "(1", "parsing: Unexpected end of expression: '1'. Located at position 2 within expression: (1" },
		{ "'abc", "lexing: Unexpected symbol: ''abc'. Located at position 1 within expression: 'abc" },
		{ "1 = 2", "lexing: Unexpected symbol: '='. Located at position 3 within expression: 1 = 2" },
		{ "nope()", "parsing: Unrecognized function: 'nope'. Located at position 1 within expression: nope()" },
		{ "Contains(1)", "parsing: Too few parameters supplied: 'Contains'. Located at position 1 within expression: Contains(1)" },
		{ "join(1, 2, 3)", "parsing: Too many parameters supplied: 'join'. Located at position 1 within expression: join(1, 2, 3)" },
		{ "case(true, 1, false, 2)", "parsing: Even number of parameters supplied, requires an odd number of parameters: 'case'. Located at position 1 within expression: case(true, 1, false, 2)" },
		{ "'x' [0]", "parsing: Unexpected symbol: '['. Located at position 5 within expression: 'x' [0]" },
		{ "true\n&& 'é😀' == nope", "parsing: Unrecognized named-value: 'nope'. Located at position 18 within expression: true\n&& 'é😀' == nope" },
		{ "success()", "true" },
		{ "", "null" },
		{ "  ", "null" },
	};

	CHECK(*state, cases);
}

static void test_limits(void **state)
{
	struct fixture *f = *state;
	struct strbuf text = STRBUF_INIT;

	/* Depth: GitHub counts 50; nesting is bounded, never a stack overflow. */
	strbuf_addchars(&text, '!', 49);
	strbuf_addstr(&text, "true");
	assert_string_equal(eval(f, text.buf), "false");
	strbuf_reset(&text);
	strbuf_addchars(&text, '!', 50);
	strbuf_addstr(&text, "true");
	assert_non_null(strstr(eval(f, text.buf), "parsing: Exceeded max expression depth 50"));
	strbuf_reset(&text);
	strbuf_addchars(&text, '(', 10000);
	assert_non_null(strstr(eval(f, text.buf), "Exceeded max expression depth 50"));
	/* Long operator chains are one node each: no recursion per operand. */
	strbuf_reset(&text);
	strbuf_addstr(&text, "1");
	for (int i = 0; i < 5000; i++)
		strbuf_addstr(&text, " < 2");
	assert_string_equal(eval(f, text.buf), "true");
	/* Length: 21000 UTF-16 units. */
	strbuf_reset(&text);
	strbuf_addch(&text, '\'');
	strbuf_addchars(&text, 'x', EXPR_MAX_LENGTH - 2);
	strbuf_addch(&text, '\'');
	assert_int_equal(strlen(eval(f, text.buf)), EXPR_MAX_LENGTH);
	strbuf_addch(&text, ' ');
	assert_non_null(strstr(eval(f, text.buf), "lexing: Exceeded max expression length 21000"));
	/* Memory: results held at once are bounded as GitHub bounds them. */
	strbuf_reset(&text);
	strbuf_addstr(&text, "format('");
	strbuf_addchars(&text, '{', 1);
	strbuf_addstr(&text, "0}");
	for (int i = 0; i < 2000; i++)
		strbuf_addstr(&text, "{0}");
	strbuf_addstr(&text, "', format('{0}{0}{0}{0}{0}{0}{0}{0}', '0123456789012345678901234567890123456789'))");
	assert_non_null(strstr(eval(f, text.buf), "evaluation: The maximum allowed memory size was exceeded"));
	/* The same through a format string that is no literal (built as it goes, not sized first). */
	strbuf_reset(&text);
	strbuf_addstr(&text, "format(format('{0}', '");
	for (int i = 0; i < 2000; i++)
		strbuf_addstr(&text, "{0}");
	strbuf_addstr(&text, "'), format('{0}{0}{0}{0}{0}{0}{0}{0}', '0123456789012345678901234567890123456789'))");
	assert_non_null(strstr(eval(f, text.buf), "evaluation: The maximum allowed memory size was exceeded"));
	/* join() sizes its result first and is held to it too. */
	assert_non_null(strstr(eval(f, "join(fromJSON(format('[{0}1]', format('{0}{0}{0}{0}{0}{0}{0}{0}{0}{0}', "
				  "format('{0}{0}{0}{0}{0}{0}{0}{0}{0}{0}', format('{0}{0}{0}{0}{0}{0}{0}{0}{0}{0}', "
				  "format('{0}{0}{0}{0}{0}{0}{0}{0}{0}{0}', '11111111111111111111,')))))), "
				  "'0123456789012345678901234567890123456789')"),
			       "evaluation: The maximum allowed memory size was exceeded"));
	strbuf_release(&text);
}

static void test_status_functions(void **state)
{
	struct fixture *f = *state;

	assert_string_equal(eval_as(f, "success()", EXPR_STATUS_SUCCESS), "true");
	assert_string_equal(eval_as(f, "success()", EXPR_STATUS_FAILURE), "false");
	assert_string_equal(eval_as(f, "failure()", EXPR_STATUS_FAILURE), "true");
	assert_string_equal(eval_as(f, "CANCELLED()", EXPR_STATUS_CANCELLED), "true");
	assert_string_equal(eval_as(f, "failure()", EXPR_STATUS_CANCELLED), "false");
	assert_string_equal(eval_as(f, "always()", EXPR_STATUS_CANCELLED), "true");
	assert_string_equal(eval(f, "success(1)"),
			    "parsing: Too many parameters supplied: 'success'. Located at position 1 within expression: success(1)");
}

/* What a location allows: context names, status functions, case(), fixed functions. */
static void test_names(void **state)
{
	struct fixture *f = *state;
	static const char *const ctx[] = { "github", "Matrix", NULL };
	struct expr_fixed_fn fixed[] = { { "hashFiles", val_string_ref("abc", 3) },
					 { "Format", val_number(7) } };
	struct expr_names names = { ctx, 0, fixed, 2 };
	struct expr_env env = { f->contexts, EXPR_STATUS_SUCCESS, NULL, &f->a };
	struct expr *e;
	struct val v;

	assert_int_equal(expr_parse(&e, &f->a, "MATRIX.os", 9, &names, &f->err), 0);
	assert_int_equal(expr_parse(&e, &f->a, "env.N", 5, &names, &f->err), -1);
	assert_string_equal(f->err.message.buf, "Unrecognized named-value: 'env'");
	assert_int_equal(expr_parse(&e, &f->a, "success()", 9, &names, &f->err), -1);
	assert_string_equal(f->err.message.buf, "Unrecognized function: 'success'");
	assert_int_equal(expr_parse(&e, &f->a, "case(true, 1, 2)", 16, &names, &f->err), -1);
	/* A fixed function ignores its arguments; one that shadows a built-in keeps its counts. */
	assert_int_equal(expr_parse(&e, &f->a, "HASHFILES('**', 1)", 18, &names, &f->err), 0);
	assert_int_equal(expr_eval(&v, e, &env, &f->err), 0);
	assert_int_equal(v.kind, VAL_STRING);
	assert_int_equal(expr_parse(&e, &f->a, "format()", 8, &names, &f->err), -1);
	assert_int_equal(expr_parse(&e, &f->a, "format('{0}', 1)", 16, &names, &f->err), 0);
	assert_int_equal(expr_eval(&v, e, &env, &f->err), 0);
	assert_true(v.kind == VAL_NUMBER && v.u.number == 7);
	/* A sub-span of a larger text parses alone (columns relative to it). */
	assert_int_equal(expr_parse(&e, &f->a, "x ${{ 1 + }}" + 6, 4, &names, &f->err), -1);
	assert_int_equal(f->err.pos, 3);
}

static void test_calls_status(void **state)
{
	struct fixture *f = *state;
	struct expr_names names = { NULL, EXPR_FN_STATUS, NULL, 0 };
	static const struct {
		const char *text;
		int calls;
	} cases[] = {
		{ "github.ref == 'x'", 0 },
		{ "always()", 1 },
		{ "github.x && !Cancelled()", 1 },
		{ "contains(toJSON(failure()), 'true')", 1 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct expr *e;

		assert_int_equal(expr_parse(&e, &f->a, cases[i].text, strlen(cases[i].text), &names,
					    &f->err), 0);
		assert_int_equal(expr_calls_status(e), cases[i].calls);
	}
}

/* expr_each_path: every context read, with its literal names, as "off:a.b.c" lines. */
static void collect_path(void *data, const struct expr_name *names, unsigned nr, size_t off)
{
	struct strbuf *out = data;

	strbuf_addf(out, "%zu:", off);
	for (unsigned i = 0; i < nr; i++)
		strbuf_addf(out, "%s%.*s", i ? "." : "", (int)names[i].len, names[i].ptr);
	strbuf_addch(out, ' ');
}

static void test_paths(void **state)
{
	struct fixture *f = *state;
	struct expr_names names = { NULL, EXPR_FN_STATUS | EXPR_FN_JOB_STATUS, NULL, 0 };
	static const struct {
		const char *text;
		const char *paths;
	} cases[] = {
		{ "needs.build.outputs.version", "0:needs.build.outputs.version " },
		{ "needs['b'].outputs[matrix.os] == x",
		  "19:matrix.os 0:needs.b.outputs 33:x " },
		{ "success('a') && !contains(github.event.pull_request.labels.*.name, 'x')",
		  "26:github.event.pull_request.labels " },
		{ "fromJSON(steps.s.outputs.json).a.b", "9:steps.s.outputs.json " },
		{ "'literal' == 1", "" },
	};
	struct strbuf out = STRBUF_INIT;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct expr *e;

		assert_int_equal(expr_parse(&e, &f->a, cases[i].text, strlen(cases[i].text), &names,
					    &f->err), 0);
		strbuf_reset(&out);
		expr_each_path(e, collect_path, &out);
		assert_string_equal(out.buf, cases[i].paths);
	}
	/* Job ids in success() and failure() only where a job's if: allows them. */
	names.functions = EXPR_FN_STATUS;
	assert_int_equal(expr_parse(&(struct expr *){ NULL }, &f->a, "success('a')", 12, &names,
				    &f->err), -1);
	assert_string_equal(f->err.message.buf, "Too many parameters supplied: 'success'");
	strbuf_release(&out);
}

static void test_hashfiles(void **state)
{
	struct fixture *f = *state;
	char dir[] = "/tmp/slipway-hashfiles-XXXXXX", path[4200];
	struct expr_names names = { NULL, EXPR_FN_HASHFILES, NULL, 0 };
	struct expr_env env = { f->contexts, EXPR_STATUS_SUCCESS, NULL, &f->a };
	struct expr *e;
	struct val v;
	FILE *fp;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/abc.txt", dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("abc", fp);
	fclose(fp);
	assert_int_equal(expr_parse(&e, &f->a, "hashFiles('*.txt')", 18, &names, &f->err), 0);
	assert_int_equal(expr_eval(&v, e, &env, &f->err), -1);
	assert_non_null(strstr(f->err.message.buf, "only available where a workspace exists"));
	env.workspace = dir;
	assert_int_equal(expr_eval(&v, e, &env, &f->err), 0);
	/* SHA-256 of the file's SHA-256 (ba7816bf...) as raw bytes. */
	assert_string_equal(v.u.string.ptr,
			    "4f8b42c22dd3729b519ba6f68d2da7cc5b2d606d05daed5ad5128cc03e6c6358");
	assert_int_equal(expr_parse(&e, &f->a, "hashFiles('*.none', '/etc/passwd')", 34, &names,
				    &f->err), 0);
	assert_int_equal(expr_eval(&v, e, &env, &f->err), 0);
	assert_string_equal(v.u.string.ptr, "");            /* nothing inside the workspace */
	assert_int_equal(expr_parse(&e, &f->a, "hashFiles('--x', '*')", 21, &names, &f->err), 0);
	assert_int_equal(expr_eval(&v, e, &env, &f->err), -1);
	assert_non_null(strstr(f->err.message.buf, "Invalid glob option --x"));
	assert_int_equal(expr_parse(&e, &f->a, "hashFiles('../*')", 17, &names, &f->err), 0);
	assert_int_equal(expr_eval(&v, e, &env, &f->err), -1);
	assert_non_null(strstr(f->err.message.buf, "relative pathing"));
	unlink(path);
	rmdir(dir);
}

static void test_coerce_string_and_truthy(void **state)
{
	struct fixture *f = *state;
	struct strbuf sb = STRBUF_INIT;

	expr_coerce_string(&sb, val_null());
	expr_coerce_string(&sb, val_bool(1));
	expr_coerce_string(&sb, val_number(2.50));
	expr_coerce_string(&sb, val_new_array(&f->a));
	expr_coerce_string(&sb, val_new_object(&f->a));
	assert_string_equal(sb.buf, "true2.5ArrayObject");
	strbuf_release(&sb);
	assert_false(expr_truthy(val_number(-0.0)));
	assert_false(expr_truthy(val_number(NAN)));
	assert_false(expr_truthy(val_string_ref("", 0)));
	assert_true(expr_truthy(val_string_ref("0", 1)));
	assert_true(expr_truthy(val_new_array(&f->a)));
}

/* Evaluate text over contexts (any context name allowed); the result as eval() gives it. */
static const char *eval_over(struct fixture *f, struct val contexts, const char *text)
{
	struct expr_names names = { NULL, 0, NULL, 0 };
	struct expr_env env = { contexts, EXPR_STATUS_SUCCESS, NULL, &f->a };
	struct strbuf out = STRBUF_INIT;
	struct expr *e;
	struct val v;
	const char *s;

	if (expr_parse(&e, &f->a, text, strlen(text), &names, &f->err) < 0 ||
	    expr_eval(&v, e, &env, &f->err) < 0)
		expr_error_format(&out, &f->err, text, strlen(text));
	else
		json_js_write(&out, v, 0, 0);
	s = arena_strdup(&f->a, out.buf);
	strbuf_release(&out);
	return s;
}

/* A context "big" holding a string that leaves room bytes of memory (as GitHub counts) when held. */
static struct val contexts_with_big(struct fixture *f, size_t room)
{
	struct val c = val_new_object(&f->a), gh = val_new_object(&f->a);
	size_t len = (EXPR_MAX_MEMORY - room - 26) / 2;
	char *big = arena_alloc(&f->a, len + 1);

	memset(big, 'x', len);
	val_object_setstr(&f->a, c, "big", val_string_ref(big, len));
	val_object_setstr(&f->a, gh, "event_name", val_cstring(&f->a, "push"));
	val_object_setstr(&f->a, gh, "ref", val_cstring(&f->a, "refs/heads/main"));
	val_object_setstr(&f->a, c, "github", gh);
	return c;
}

/* The evaluation of expr over c fails, over the memory limit at what (the text of a node). */
static void expect_exceeded(struct fixture *f, struct val c, const char *what, const char *expr)
{
	struct strbuf want = STRBUF_INIT;

	strbuf_addf(&want, "The maximum allowed memory size was exceeded while evaluating the "
		    "following expression: %s. Located within expression: %s", what, expr);
	assert_string_equal(eval_over(f, c, expr), want.buf);
	strbuf_release(&want);
}

/*
 * A path is walked in one go but means its chain of accesses, memory
 * included: each name is checked (the outermost first) before what it
 * indexes, and a string met on the way is held by the access that made it.
 */
static void test_path_memory_is_the_chain(void **state)
{
	struct fixture *f = *state;
	struct val c;

	/* No room at all: the name 'ref' fails before anything is looked up. */
	c = contexts_with_big(f, 0);
	expect_exceeded(f, c, "ref", "contains(big, github.ref)");
	expect_exceeded(f, c, "ref", "contains(big, github.event_name.ref)");
	/* Room for the names (26 + 2 * 3 bytes) but not for 'refs/heads/main' held by github.ref. */
	c = contexts_with_big(f, 40);
	expect_exceeded(f, c, "github.ref", "contains(big, github.ref.x)");
	expect_exceeded(f, c, "github.ref", "contains(big, github.ref)");
	/* The outermost name that does not fit: 'x' does, 'event_name' (26 + 2 * 10) does not. */
	expect_exceeded(f, c, "event_name", "contains(big, github.event_name.x)");
	/* Room for the names and for 'push': the path through it ends in null (and "" is in any text). */
	c = contexts_with_big(f, 50);
	assert_string_equal(eval_over(f, c, "contains(big, github.event_name.x)"), "true");
}

/*
 * Parsed once, evaluated over contexts that change: what the lookup
 * caches remember must never show through. Each context is parsed into
 * its own arena, released before the next (so addresses come back).
 */
static void test_caches_follow_the_data(void **state)
{
	static const char *const exprs[] = {
		"github.event.name", "github['event'].NAME", "(github.event).name", "github.event.*.name",
	};
	static const struct {
		const char *contexts, *want[4];
	} cases[] = {
		{ "{\"github\": {\"event\": {\"a\": 1, \"name\": \"first\"}}}",
		  { "\"first\"", "\"first\"", "\"first\"", "[]" } },
		{ "{\"x\": 0, \"github\": {\"z\": 1, \"event\": {\"name\": \"second\", \"a\": 1}}}",
		  { "\"second\"", "\"second\"", "\"second\"", "[]" } },
		{ "{\"GITHUB\": {\"EVENT\": {\"Name\": \"third\", \"b\": {\"name\": 1}}}}",
		  { "\"third\"", "\"third\"", "\"third\"", "[1]" } },
		{ "{\"github\": {\"event\": {\"nam\": 0, \"name_\": 0, \"c\": {\"NAME\": 2}}}}",
		  { "null", "null", "null", "[2]" } },
		{ "{\"github\": {\"event\": [{\"name\": \"in an array\"}, [5]]}}",
		  { "null", "null", "null", "[\"in an array\"]" } },
		{ "{\"github\": {\"event\": \"a string\"}}", { "null", "null", "null", "[]" } },
		{ "{\"github\": {\"event\": {\"name\": \"last\"}}}",
		  { "\"last\"", "\"last\"", "\"last\"", "[]" } },
	};
	struct fixture *f = *state;
	struct expr_names names = { NULL, 0, NULL, 0 };
	struct expr *e[4];
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;

	for (size_t i = 0; i < 4; i++)
		assert_int_equal(expr_parse(&e[i], &f->a, exprs[i], strlen(exprs[i]), &names, &f->err), 0);
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct arena data = ARENA_INIT;
		struct expr_env env = { val_null(), EXPR_STATUS_SUCCESS, NULL, &data };

		assert_int_equal(json_js_parse(&env.contexts, &data, cases[c].contexts,
					       strlen(cases[c].contexts), &err), 0);
		expr_fold_keys(env.contexts);
		for (size_t i = 0; i < 4; i++) {
			struct val v;

			assert_int_equal(expr_eval(&v, e[i], &env, &f->err), 0);
			strbuf_reset(&out);
			json_js_write(&out, v, 0, 0);
			if (strcmp(out.buf, cases[c].want[i]))
				fail_msg("%s over %s\n  got:  %s\n  want: %s", exprs[i],
					 cases[c].contexts, out.buf, cases[c].want[i]);
		}
		/* The same objects changed in place: a member added (the array moves), a value replaced. */
		if (c == 0) {
			struct val *ev = val_object_getstr(*val_object_getstr(env.contexts, "github"), "event");
			struct val v;

			for (int k = 0; k < 40; k++)
				val_object_setstr(&data, *ev, arena_printf(&data, "k%d", k), val_null());
			val_object_setstr(&data, *ev, "name", val_cstring(&data, "changed"));
			assert_int_equal(expr_eval(&v, e[0], &env, &f->err), 0);
			assert_string_equal(v.u.string.ptr, "changed");
		}
		arena_release(&data);
	}
	strbuf_release(&err);
	strbuf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_precedence_and_logic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_coercion, setup, teardown),
		cmocka_unit_test_setup_teardown(test_numbers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors_and_columns, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_functions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_calls_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_paths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hashfiles, setup, teardown),
		cmocka_unit_test_setup_teardown(test_coerce_string_and_truthy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_caches_follow_the_data, setup, teardown),
		cmocka_unit_test_setup_teardown(test_path_memory_is_the_chain, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
