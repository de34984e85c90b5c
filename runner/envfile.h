/*
 * envfile: the files a step writes for the runner — GITHUB_OUTPUT,
 * GITHUB_ENV, GITHUB_STATE, GITHUB_PATH and GITHUB_STEP_SUMMARY — read
 * after the step ends the way GitHub's runner reads them
 * (FileCommandManager), and the heredoc form written the way
 * @actions/core writes it. Creating the files and applying what they say
 * (outputs, env, PATH) is the runner's job.
 */
#ifndef RUNNER_ENVFILE_H
#define RUNNER_ENVFILE_H

#include <stddef.h>

#include "runner/mask.h"
#include "util/arena.h"
#include "util/diag.h"
#include "util/strbuf.h"
#include "util/strlist.h"
#include "util/value.h"

/* GITHUB_OUTPUT, GITHUB_ENV, GITHUB_STATE and GITHUB_PATH over this are refused. */
#define ENVFILE_MAX_SIZE ((size_t)16 << 20)
/* GitHub's limit for one step summary (CreateStepSummaryCommand). */
#define ENVFILE_SUMMARY_MAX ((size_t)1 << 20)

enum envfile_kind {
	ENVFILE_OUTPUT,         /* step outputs */
	ENVFILE_ENV,            /* env for the following steps */
	ENVFILE_STATE,          /* state for the action's post step */
};

/*
 * Read a name=value file into obj (a VAL_OBJECT; copies in a; a name given
 * again keeps the last value). Lines are NAME=VALUE (split at the first
 * '=') or NAME<<DELIMITER, then the value's lines, then a line that is
 * exactly DELIMITER; empty lines are skipped. CRLF ends lines as LF does
 * (GitHub's runner only does that on Windows) and a multi-line value's
 * lines are joined with LF. A missing file is an empty one.
 *
 * Messages go to diags (file = path, line of the problem, rule "envfile")
 * in GitHub's words: "Invalid format '<line>'", "... Name must not be
 * empty", "... Name must not be empty and delimiter must not be empty",
 * "Invalid value. Matching delimiter not found '<delimiter>'", "Invalid
 * value. EOF marker missing new line.". The first of these stops reading:
 * as in GitHub, the pairs before it are kept and the function returns -1
 * (the runner reports "Unable to process file command '<kind>'
 * successfully." and fails the step). For ENVFILE_ENV, NODE_OPTIONS is
 * refused with GitHub's error ("Can't store NODE_OPTIONS output parameter
 * using '$GITHUB_ENV' command.") without failing: the return stays 0.
 */
int envfile_load(struct arena *a, struct val obj, enum envfile_kind kind, const char *path,
		 struct diag_list *diags);
/* The same over text already in memory; path only names it in messages. */
int envfile_parse(struct arena *a, struct val obj, enum envfile_kind kind, const char *path,
		  const char *text, size_t len, struct diag_list *diags);

/* "output", "env", "state": the name in GitHub's failure message. */
const char *envfile_kind_name(enum envfile_kind kind);

/*
 * Read GITHUB_PATH: one directory per line (CR, LF or CRLF); empty lines,
 * and lines with a NUL byte (no directory has one), are skipped. Each is moved to the end of prepend (an existing equal entry is
 * removed first), so prepend lists directories in rising precedence
 * across steps. Returns 0, or -1 with an error in diags (too large,
 * unreadable; a missing file is an empty one).
 */
int envfile_load_path(struct strlist *prepend, const char *path, struct diag_list *diags);
void envfile_parse_path(struct strlist *prepend, const char *text, size_t len);

/* PATH for a step: prepend's entries, last first, then base (may be NULL). */
void envfile_join_path(struct strbuf *out, const struct strlist *prepend, const char *base);

/*
 * Append the step summary at path to out with every secret masked. An
 * empty or missing file adds nothing. Over ENVFILE_SUMMARY_MAX it adds
 * nothing and reports GitHub's error ("$GITHUB_STEP_SUMMARY upload
 * aborted, supports content up to a size of 1024k, got <n>k. ...") as an
 * error in diags; returns -1 then or when the file cannot be read.
 */
int envfile_load_summary(struct strbuf *out, const char *path, const struct mask *m,
			 struct diag_list *diags);

/*
 * Append "name<<delimiter\nvalue\ndelimiter\n", as @actions/core's
 * setOutput/exportVariable write it. delimiter NULL picks
 * "ghadelimiter_<random UUID>". Returns -1 with @actions/core's error in
 * err ("Unexpected input: name should not contain the delimiter ...", or
 * value) if the delimiter occurs in the name or the value.
 */
int envfile_format_pair(struct strbuf *out, const char *name, const char *value,
			size_t value_len, const char *delimiter, struct strbuf *err);

#endif
