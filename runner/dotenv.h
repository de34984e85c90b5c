/*
 * dotenv: reading KEY=value files — .secrets, .vars, --secret-file,
 * --var-file, --env-file and per-environment secret files — into a value
 * object. Which file feeds which context, and in what order, is
 * secrets.c's business.
 *
 * The format, one assignment per line:
 *   # a comment line; blank lines are skipped
 *   KEY=value                 unquoted: surrounding blanks trimmed; a '#'
 *                             after a blank starts a comment (a#b is a value)
 *   export KEY=value          "export " is ignored
 *   KEY = value               blanks around '=' are allowed
 *   KEY='literal $ \n text'   single quotes: nothing is special, may span lines
 *   KEY="a\nb \"q\" \\"       double quotes: \n \r \t \" \\ \$ are escapes
 *                             (any other backslash stays), may span lines
 * Keys are [A-Za-z_][A-Za-z0-9_]*. Values are taken literally: there is no
 * $VAR expansion, so a secret containing '$' arrives intact. CRLF line
 * ends are accepted (inside quotes they become LF); a UTF-8 BOM is skipped.
 * A key given twice keeps the last value, with a warning.
 */
#ifndef RUNNER_DOTENV_H
#define RUNNER_DOTENV_H

#include <stddef.h>

#include "util/arena.h"
#include "util/diag.h"
#include "util/value.h"

/* Files larger than this are refused. */
#define DOTENV_MAX_SIZE ((size_t)16 << 20)

/*
 * Parse len bytes of text into obj (a VAL_OBJECT; keys and values are
 * copied into a). Problems go to diags as `file:line:col` diagnostics with
 * rule "dotenv"; parsing goes on at the next line, so good lines are still
 * set. Returns 0, or -1 if any error was added.
 */
int dotenv_parse(struct arena *a, struct val obj, const char *file, const char *text,
		 size_t len, struct diag_list *diags);

/* 1 if key (len bytes) is a valid name: [A-Za-z_][A-Za-z0-9_]*. */
int dotenv_key_valid(const char *key, size_t len);

/* Read the file at path and parse it; an unreadable file is one error. */
int dotenv_load(struct arena *a, struct val obj, const char *path, struct diag_list *diags);

#endif
