/*
 * Unit tests for util/term: terminal detection on a pseudo-terminal and a
 * pipe, the colour rules (NO_COLOR, CLICOLOR_FORCE, CLICOLOR, TERM), the
 * job palette and the width from the window size or $COLUMNS.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "util/term.h"

/* A pseudo-terminal (both ends) and a pipe, and the saved environment. */
struct fixture {
	int master, tty, pipe[2];
	char *saved[5];
};

static const char *const vars[5] = { "NO_COLOR", "CLICOLOR_FORCE", "CLICOLOR", "TERM",
				     "COLUMNS" };

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	*state = f;
	f->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (f->master < 0 || grantpt(f->master) || unlockpt(f->master))
		return -1;
	f->tty = open(ptsname(f->master), O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (f->tty < 0 || pipe(f->pipe))
		return -1;
	for (int i = 0; i < 5; i++) {
		f->saved[i] = getenv(vars[i]) ? strdup(getenv(vars[i])) : NULL;
		unsetenv(vars[i]);
	}
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	for (int i = 0; i < 5; i++) {
		if (f->saved[i])
			setenv(vars[i], f->saved[i], 1);
		else
			unsetenv(vars[i]);
		free(f->saved[i]);
	}
	close(f->master);
	close(f->tty);
	close(f->pipe[0]);
	close(f->pipe[1]);
	free(f);
	return 0;
}

static void test_is_tty(void **state)
{
	struct fixture *f = *state;

	assert_true(term_is_tty(f->tty));
	assert_false(term_is_tty(f->pipe[1]));
	assert_false(term_is_tty(-1));
}

static void test_color_rules(void **state)
{
	/* NO_COLOR, CLICOLOR_FORCE, CLICOLOR, TERM; then the answer on a tty and on a pipe */
	static const struct {
		const char *no_color, *force, *clicolor, *term;
		int tty, pipe;
	} cases[] = {
		{ NULL, NULL, NULL, "xterm-256color", 1, 0 },
		{ NULL, NULL, NULL, NULL, 0, 0 },
		{ NULL, NULL, NULL, "dumb", 0, 0 },
		{ NULL, NULL, NULL, "", 0, 0 },
		{ "1", NULL, NULL, "xterm", 0, 0 },
		{ "", NULL, NULL, "xterm", 1, 0 },
		{ NULL, "1", NULL, "xterm", 1, 1 },
		{ NULL, "1", NULL, "dumb", 1, 1 },
		{ NULL, "0", NULL, "xterm", 1, 0 },
		{ NULL, "", NULL, "xterm", 1, 0 },
		{ "1", "1", NULL, "xterm", 0, 0 },
		{ NULL, NULL, "0", "xterm", 0, 0 },
		{ NULL, NULL, "1", "xterm", 1, 0 },
		{ NULL, "1", "0", "xterm", 1, 1 },
	};
	struct fixture *f = *state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *values[4] = { cases[i].no_color, cases[i].force, cases[i].clicolor,
					  cases[i].term };

		for (int v = 0; v < 4; v++) {
			if (values[v])
				setenv(vars[v], values[v], 1);
			else
				unsetenv(vars[v]);
		}
		if (term_use_color(f->tty) != cases[i].tty ||
		    term_use_color(f->pipe[1]) != cases[i].pipe)
			fail_msg("case %zu: expected tty=%d pipe=%d", i, cases[i].tty, cases[i].pipe);
	}
}

static void test_job_palette(void **state)
{
	(void)state;
	assert_true(TERM_JOB_COLORS >= 8);
	for (size_t i = 0; i < TERM_JOB_COLORS; i++) {
		const char *c = term_job_color(i);
		size_t len = strlen(c);

		assert_int_equal(strncmp(c, "\033[", 2), 0);
		assert_int_equal(c[len - 1], 'm');
		assert_null(strstr(c, "[31m"));
		assert_null(strstr(c, "[91m"));
		assert_string_not_equal(c, TERM_RED);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(c, term_job_color(j));
		assert_ptr_equal(term_job_color(i + TERM_JOB_COLORS), c);
	}
}

static void test_width(void **state)
{
	struct fixture *f = *state;
	struct winsize ws = { .ws_row = 40, .ws_col = 123 };

	assert_int_equal(ioctl(f->tty, TIOCSWINSZ, &ws), 0);
	setenv("COLUMNS", "100", 1);
	assert_int_equal(term_width(f->tty), 123);
	assert_int_equal(term_width(f->pipe[1]), 100);
	setenv("COLUMNS", "wide", 1);
	assert_int_equal(term_width(f->pipe[1]), 80);
	setenv("COLUMNS", "-5", 1);
	assert_int_equal(term_width(f->pipe[1]), 80);
	unsetenv("COLUMNS");
	assert_int_equal(term_width(f->pipe[1]), 80);
	ws.ws_col = 0;
	assert_int_equal(ioctl(f->tty, TIOCSWINSZ, &ws), 0);
	assert_int_equal(term_width(f->tty), 80);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_is_tty),
		cmocka_unit_test(test_color_rules),
		cmocka_unit_test(test_job_palette),
		cmocka_unit_test(test_width),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
