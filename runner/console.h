/*
 * console: what a run prints — `[workflow/job]` lines (coloured per job on
 * a TTY), groups, annotations, the progress line, the final table and step
 * summaries. Lines arrive masked (runner/joblog.c); it sees no secret.
 */
#ifndef RUNNER_CONSOLE_H
#define RUNNER_CONSOLE_H

#include <stddef.h>
#include <stdio.h>

#include "runner/plan.h"
#include "util/strbuf.h"

enum console_kind {
	CONSOLE_OUTPUT,         /* a line the step printed */
	CONSOLE_INFO,           /* the runner's own line ("Run make test") */
	CONSOLE_GROUP,          /* a group starts: text is its title */
	CONSOLE_ENDGROUP,
	CONSOLE_ERROR,          /* ::error annotations and failures */
	CONSOLE_WARNING,
	CONSOLE_NOTICE,
	CONSOLE_DEBUG,          /* ::debug:: (shown with --verbose) */
	CONSOLE_SCRIPT,         /* a step's script, logged before it runs (shown with --verbose) */
};

struct console {
	FILE *out;
	int tty;                /* draw the progress line */
	int color;
	int collapse_groups;    /* lines inside a group are not shown (output.log keeps them) */
	int verbose;
	int progress_shown;     /* a progress line is on screen */
	int paused;             /* no progress line (a prompt is on screen) */
	struct strbuf progress; /* the line last drawn */
	struct strbuf line;     /* scratch */
};

/* out is where lines go (stdout); tty and color as util/term decides them. */
void console_init(struct console *c, FILE *out, int tty, int color);
void console_release(struct console *c);

/*
 * Print one line of leg (len bytes, no newline). in_group says the line
 * is inside a ::group:: (hidden with collapse_groups).
 */
void console_line(struct console *c, const struct plan_leg *leg, enum console_kind kind,
		  const char *text, size_t len, int in_group);

/* A message about the run itself (no job prefix), e.g. how to approve. */
void console_note(struct console *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Redraw the progress line from the plan (TTY only): running and waiting legs. */
void console_progress(struct console *c, const struct plan *p);

/* While paused (a question is asked on the terminal) no progress line is drawn. */
void console_pause(struct console *c, int paused);

/*
 * The final table: one row per leg with its result and duration (legs
 * never expanded show as their job), then, on a TTY, each leg's step
 * summary file (<run_dir>/jobs/<key>/summary.md) that is not empty.
 */
void console_table(struct console *c, const struct plan *p, const char *run_dir);

#endif
