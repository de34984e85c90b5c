/*
 * term: what the terminal we write to can do: is a descriptor a
 * terminal, should output be coloured, a palette that tells jobs apart,
 * and the width. It prints nothing itself and keeps no state.
 */
#ifndef UTIL_TERM_H
#define UTIL_TERM_H

#include <stddef.h>

#define TERM_RESET "\033[0m"
#define TERM_BOLD  "\033[1m"
#define TERM_DIM   "\033[2m"
#define TERM_RED   "\033[31m"   /* failures; never a job colour */

/* How many distinct job colours term_job_color cycles through. */
#define TERM_JOB_COLORS 10

/* Is fd a terminal? */
int term_is_tty(int fd);

/*
 * Should output on fd be coloured? The first rule that applies decides
 * (no-color.org and bixense.com/clicolors; empty variables count as
 * unset): NO_COLOR set: no. CLICOLOR_FORCE set and not "0": yes.
 * CLICOLOR is "0": no. TERM unset or "dumb": no. Otherwise: whether fd
 * is a terminal.
 */
int term_use_color(int fd);

/*
 * The ANSI sequence for job colour i (i modulo TERM_JOB_COLORS):
 * foreground colours readable on dark and light backgrounds, without red
 * (kept for failures), ordered so neighbours differ clearly. Static.
 */
const char *term_job_color(size_t i);

/* Columns of the terminal on fd; else $COLUMNS; else 80. */
int term_width(int fd);

#endif
