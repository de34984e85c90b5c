/*
 * secrets: the secrets, variables and env files of a run, collected from
 * the command line and dotenv files in a fixed order of precedence, with
 * every secret value registered with the masker. Parsing the files is
 * dotenv.c's job; parsing the command line is the command's.
 *
 * Precedence, lowest first (a later source replaces an earlier value):
 *   secrets:  DIR/.secrets (only if present and no --secret-file is given)
 *             < each --secret-file, in order
 *             < each --secret NAME=VALUE or --secret NAME (VALUE taken from
 *               the environment), in order
 *   vars:     DIR/.vars (same rule) < each --var-file < each --var
 *             NAME=VALUE or --var NAME (from the environment)
 *   env:      each --env-file, in order
 * Secret and variable names are case-insensitive, as on GitHub: a later
 * "my_token" replaces an earlier "MY_TOKEN" (the later spelling is kept).
 * Env names are case-sensitive.
 */
#ifndef RUNNER_SECRETS_H
#define RUNNER_SECRETS_H

#include "runner/mask.h"
#include "util/arena.h"
#include "util/diag.h"
#include "util/strlist.h"
#include "util/value.h"

struct secrets_opts {
	const char *dir;                        /* for .secrets and .vars; NULL: "." */
	const struct strlist *secret_args;      /* --secret NAME[=VALUE]; may be NULL */
	const struct strlist *secret_files;     /* --secret-file FILE */
	const struct strlist *var_args;         /* --var NAME[=VALUE] */
	const struct strlist *var_files;        /* --var-file FILE */
	const struct strlist *env_files;        /* --env-file FILE */
	char *const *environ;                   /* for NAME without VALUE; NULL: environ */
};

struct secrets {
	struct arena arena;     /* holds every key and value below */
	struct val secrets;     /* VAL_OBJECT of strings: the secrets context */
	struct val vars;        /* the vars context */
	struct val env;         /* env from --env-file */
};

/*
 * Fill out (initialised here; secrets_release frees it) from the sources
 * in o, then mask_add every final secret value to m. Problems (a file
 * that cannot be read or parsed, a bad name, NAME not in the environment)
 * go to diags; everything else is still collected. Returns 0, or -1 if an
 * error was reported.
 */
int secrets_collect(struct secrets *out, const struct secrets_opts *o, struct mask *m,
		    struct diag_list *diags);
void secrets_release(struct secrets *s);

#endif
