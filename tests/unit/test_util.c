/*
 * Unit tests for util/: strbuf, arena, strlist, options, diag.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "util/intern.h"
#include "util/diag.h"
#include "util/options.h"
#include "util/strbuf.h"
#include "util/strlist.h"

static void test_strbuf_addf_grows(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	assert_string_equal(sb.buf, "");
	for (int i = 0; i < 1000; i++)
		strbuf_addf(&sb, "%d,", i);
	assert_int_equal(sb.len, strlen(sb.buf));
	assert_memory_equal(sb.buf, "0,1,2,", 6);
	assert_string_equal(sb.buf + sb.len - 4, "999,");
	strbuf_release(&sb);
	assert_int_equal(sb.len, 0);
}

static void test_strbuf_detach_and_trim(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	char *s;

	(void)state;
	strbuf_addstr(&sb, "hello \n\t");
	strbuf_rtrim(&sb);
	s = strbuf_detach(&sb, NULL);
	assert_string_equal(s, "hello");
	assert_string_equal(sb.buf, "");
	free(s);
}

static void test_arena_realloc_and_reset(void **state)
{
	struct arena a = ARENA_INIT;
	struct arena_mark m;
	char *p, *q;

	(void)state;
	p = arena_strdup(&a, "abc");
	m = arena_mark(&a);
	q = arena_alloc(&a, 10);
	memcpy(q, "0123456789", 10);
	q = arena_realloc(&a, q, 10, 100000);
	assert_memory_equal(q, "0123456789", 10);
	assert_int_equal(q[99999], 0);
	arena_reset(&a, m);
	assert_string_equal(p, "abc");
	assert_string_equal(arena_printf(&a, "%s-%d", "x", 7), "x-7");
	arena_release(&a);
}

/* A reset keeps one dropped chunk: a reset-per-evaluation loop reuses it instead of malloc. */
static void test_arena_reset_reuses_a_chunk(void **state)
{
	struct arena a = ARENA_INIT;
	struct arena_mark m = arena_mark(&a);
	char *p, *q;

	(void)state;
	p = arena_alloc(&a, 100);
	arena_reset(&a, m);
	q = arena_alloc(&a, 100);
	assert_ptr_equal(p, q);
	/* Several chunks dropped at once: one is kept, the others freed (valgrind checks). */
	arena_alloc(&a, 3000);
	arena_alloc(&a, 9000);
	arena_alloc(&a, 40000);
	arena_reset(&a, m);
	assert_ptr_equal(arena_alloc(&a, 100), p);
	/* A request larger than the spare gets a chunk of its own. */
	arena_reset(&a, m);
	q = arena_alloc(&a, 1u << 21);
	q[(1u << 21) - 1] = 'x';
	arena_release(&a);
}

/* Equal strings, one pointer; the copy is the caller's string, NUL-terminated; long ones are refused. */
static void test_intern(void **state)
{
	char buf[INTERN_MAX_LEN + 2];
	const char *a, *b;

	(void)state;
	a = intern("event_name", 10);
	assert_non_null(a);
	assert_string_equal(a, "event_name");
	memcpy(buf, "event_name_x", 13);
	assert_ptr_equal(intern(buf, 10), a);
	assert_ptr_not_equal(intern(buf, 12), a);
	assert_ptr_not_equal(intern("Event_Name", 10), a);
	b = intern("a\0b", 3);
	assert_memory_equal(b, "a\0b", 4);
	assert_ptr_not_equal(intern("a", 1), b);
	/* Many strings: the table grows and keeps every pointer. */
	for (int i = 0; i < 5000; i++) {
		int n = snprintf(buf, sizeof(buf), "key-%d", i);

		assert_ptr_equal(intern(buf, (size_t)n), intern(buf, (size_t)n));
	}
	assert_ptr_equal(intern("event_name", 10), a);
	memset(buf, 'x', sizeof(buf));
	assert_null(intern(buf, INTERN_MAX_LEN + 1));
	assert_non_null(intern(buf, INTERN_MAX_LEN));
	intern_release();
	assert_string_equal(intern("event_name", 10), "event_name");
	/* Bounded: once INTERN_MAX_TEXT bytes are in, new strings are refused, old ones still found. */
	a = intern("event_name", 10);
	for (size_t i = 0;; i++) {
		int n = snprintf(buf, sizeof(buf), "%0*zu", INTERN_MAX_LEN, i);

		if (!intern(buf, (size_t)n)) {
			assert_true(i > INTERN_MAX_TEXT / (INTERN_MAX_LEN + 1) - 2);
			buf[0] = 'y';
			assert_null(intern(buf, (size_t)n));
			break;
		}
	}
	assert_ptr_equal(intern("event_name", 10), a);
	intern_release();
}

static void test_options_parse_mixed(void **state)
{
	int flag = 0, n = 0;
	const char *file = NULL;
	struct strlist list = STRLIST_INIT;
	struct strbuf err = STRBUF_INIT;
	const struct option opts[] = {
		{ OPT_FLAG, 'v', "verbose", &flag, NULL, "talk" },
		{ OPT_STRING, 'W', "workflow", &file, "FILE", "one workflow" },
		{ OPT_INT, 0, "jobs", &n, "N", "parallelism" },
		{ OPT_LIST, 'j', "job", &list, "JOB", "a job" },
		{ OPT_END },
	};
	const char *argv[] = { "run", "push", "-v", "-W", "a.yml", "--jobs=3",
			       "-jone", "--job", "two", "--", "-x", NULL };
	int argc = 11;

	(void)state;
	assert_int_equal(options_parse(argc, argv, opts, &err), 2);
	assert_string_equal(argv[0], "push");
	assert_string_equal(argv[1], "-x");
	assert_int_equal(flag, 1);
	assert_string_equal(file, "a.yml");
	assert_int_equal(n, 3);
	assert_int_equal(list.nr, 2);
	assert_string_equal(list.items[1], "two");
	strlist_release(&list);
}

static void test_options_errors(void **state)
{
	int n = 0;
	struct strbuf err = STRBUF_INIT;
	const struct option opts[] = {
		{ OPT_INT, 0, "jobs", &n, "N", "parallelism" },
		{ OPT_END },
	};
	const char *bad_int[] = { "x", "--jobs", "many", NULL };
	const char *unknown[] = { "x", "--nope", NULL };
	const char *missing[] = { "x", "--jobs", NULL };
	const char *help[] = { "x", "--help", NULL };

	(void)state;
	assert_int_equal(options_parse(3, bad_int, opts, &err), -1);
	assert_string_equal(err.buf, "option '--jobs' expects a number, not 'many'");
	strbuf_reset(&err);
	assert_int_equal(options_parse(2, unknown, opts, &err), -1);
	assert_string_equal(err.buf, "unknown option '--nope'");
	strbuf_reset(&err);
	assert_int_equal(options_parse(2, missing, opts, &err), -1);
	assert_string_equal(err.buf, "option '--jobs' needs a value");
	assert_int_equal(options_parse(2, help, opts, &err), OPTIONS_HELP);
	strbuf_release(&err);
}

static void test_diag_sort_and_count(void **state)
{
	struct diag_list l = DIAG_LIST_INIT;

	(void)state;
	diag_add(&l, DIAG_ERROR, "a.yml", 9, 3, "syntax-check", "second");
	diag_add(&l, DIAG_WARNING, "a.yml", 2, 1, NULL, "first %d", 1);
	diag_list_sort(&l);
	assert_int_equal(l.errors, 1);
	assert_string_equal(l.items[0].message, "first 1");
	assert_int_equal(l.items[1].line, 9);
	diag_list_release(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strbuf_addf_grows),
		cmocka_unit_test(test_strbuf_detach_and_trim),
		cmocka_unit_test(test_arena_realloc_and_reset),
		cmocka_unit_test(test_arena_reset_reuses_a_chunk),
		cmocka_unit_test(test_intern),
		cmocka_unit_test(test_options_parse_mixed),
		cmocka_unit_test(test_options_errors),
		cmocka_unit_test(test_diag_sort_and_count),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
