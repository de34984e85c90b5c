/*
 * term: terminal capabilities from isatty, the window size ioctl and the
 * conventional environment variables. Deciding what to print in colour
 * is the caller's business.
 */
#include "util/term.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int term_is_tty(int fd)
{
	return isatty(fd) == 1;
}

enum term_verdict { TERM_NEXT, TERM_NO, TERM_YES };

/* The value of an environment variable, NULL when unset or empty. */
static const char *term_env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

static enum term_verdict term_rule_no_color(void)
{
	return term_env("NO_COLOR") ? TERM_NO : TERM_NEXT;
}

static enum term_verdict term_rule_force(void)
{
	const char *v = term_env("CLICOLOR_FORCE");

	return v && strcmp(v, "0") ? TERM_YES : TERM_NEXT;
}

static enum term_verdict term_rule_clicolor(void)
{
	const char *v = term_env("CLICOLOR");

	return v && !strcmp(v, "0") ? TERM_NO : TERM_NEXT;
}

static enum term_verdict term_rule_dumb(void)
{
	const char *v = term_env("TERM");

	return !v || !strcmp(v, "dumb") ? TERM_NO : TERM_NEXT;
}

/* In order of precedence; the descriptor decides when none applies. */
static enum term_verdict (*const term_color_rules[])(void) = {
	term_rule_no_color,
	term_rule_force,
	term_rule_clicolor,
	term_rule_dumb,
};

int term_use_color(int fd)
{
	for (size_t i = 0; i < sizeof(term_color_rules) / sizeof(term_color_rules[0]); i++) {
		enum term_verdict v = term_color_rules[i]();

		if (v != TERM_NEXT)
			return v == TERM_YES;
	}
	return term_is_tty(fd);
}

static const char *const term_job_colors[TERM_JOB_COLORS] = {
	"\033[36m",     /* cyan */
	"\033[35m",     /* magenta */
	"\033[33m",     /* yellow */
	"\033[32m",     /* green */
	"\033[34m",     /* blue */
	"\033[96m",     /* bright cyan */
	"\033[95m",     /* bright magenta */
	"\033[93m",     /* bright yellow */
	"\033[92m",     /* bright green */
	"\033[94m",     /* bright blue */
};

const char *term_job_color(size_t i)
{
	return term_job_colors[i % TERM_JOB_COLORS];
}

int term_width(int fd)
{
	struct winsize ws;
	const char *columns = term_env("COLUMNS");
	char *end;
	long n;

	if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	if (columns) {
		n = strtol(columns, &end, 10);
		if (!*end && n > 0 && n < 100000)
			return (int)n;
	}
	return 80;
}
