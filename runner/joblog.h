/*
 * joblog: one leg's log — every line masked, then appended to
 * jobs/<key>/output.log as "<ISO-8601 UTC ms> <text>" (written as it
 * happens, so readers can tail it) and handed to the console; the step
 * summaries appended, masked, to jobs/<key>/summary.md. What a line
 * means (workflow commands) is runner/job.c's concern.
 */
#ifndef RUNNER_JOBLOG_H
#define RUNNER_JOBLOG_H

#include <stddef.h>

#include "runner/console.h"
#include "runner/mask.h"
#include "runner/plan.h"
#include "util/strbuf.h"

/* A line longer than this is cut into pieces of this size. */
#define JOBLOG_MAX_LINE (64 * 1024)

struct joblog {
	int fd;                 /* output.log, or -1 */
	const char *dir;        /* jobs/<key> */
	const struct mask *mask;
	struct console *con;    /* may be NULL */
	const struct plan_leg *leg;
	int in_group;
	struct strbuf scratch;
};

/*
 * Open dir/output.log for appending (dir is created). Returns 0, or -1
 * with err.
 */
int joblog_open(struct joblog *l, const char *dir, const struct plan_leg *leg,
		const struct mask *m, struct console *con, struct strbuf *err);
void joblog_close(struct joblog *l);

/*
 * Log one line (len bytes, no newline) of the given kind: masked, written
 * to output.log (groups and annotations with GitHub's ##[group] /
 * ##[error] markers) and shown on the console.
 */
void joblog_line(struct joblog *l, enum console_kind kind, const char *text, size_t len);
void joblog_linef(struct joblog *l, enum console_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Append text (a step summary, already masked) to dir/summary.md. */
int joblog_summary(struct joblog *l, const char *text, size_t len, struct strbuf *err);

#endif
