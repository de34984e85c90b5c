/*
 * wfcmd: workflow commands in step output (`::name k=v,k=v::data` and the
 * legacy `##[name k=v;k=v]data`), parsed and checked as GitHub's runner
 * does (ActionCommand, ActionCommandManager). A per-step state follows
 * ::stop-commands:: and ::echo::. Applying a command (outputs, env, masks,
 * annotations, printing) is the runner's job: this says what to do.
 */
#ifndef RUNNER_WFCMD_H
#define RUNNER_WFCMD_H

#include <stddef.h>

#include "util/arena.h"

enum wfcmd_kind {
	WFCMD_NONE,             /* not a command: the line is ordinary output */
	WFCMD_INVALID,          /* a command that cannot be applied: see msgs */
	WFCMD_ADD_MASK,         /* register secret with the masker */
	WFCMD_ADD_MATCHER,      /* problem matchers: not supported, see msgs */
	WFCMD_REMOVE_MATCHER,
	WFCMD_ADD_PATH,         /* prepend data to PATH (only when allowed) */
	WFCMD_DEBUG,            /* data is a debug message (shown with --verbose) */
	WFCMD_ECHO,             /* echo was switched; nothing else to do */
	WFCMD_GROUP,            /* start a collapsible group titled data */
	WFCMD_ENDGROUP,
	WFCMD_ERROR,            /* annotations: data is the message */
	WFCMD_WARNING,
	WFCMD_NOTICE,
	WFCMD_SAVE_STATE,       /* key = data, for the action's post step */
	WFCMD_SET_OUTPUT,       /* step output key = data */
	WFCMD_SET_ENV,          /* env key = data (only when allowed) */
	WFCMD_STOP_COMMANDS,    /* commands are ignored until the token comes */
	WFCMD_RESUME_COMMANDS,  /* the token came: commands are processed again */
	WFCMD_REGISTRY_LOGIN,   /* keep registry key's username and password for the job */
	WFCMD_REGISTRY_LOGOUT,  /* drop registry key's credentials */
};

/*
 * Slipway's own commands, honoured only in the output of its built-in
 * stages (WFCMD_STAGE): docker/login-action hands the credentials it
 * checked to the runner, which keeps them in the job's memory (never in a
 * file) for the job's later stages:
 *   ::slipway-registry-login registry=SERVER::BASE64
 *       BASE64 is base64 of the JSON object {"username": U, "password": P}
 *   ::slipway-registry-logout registry=SERVER::
 * Neither is ever echoed with its data; from any other step they are
 * ignored with a warning.
 */
#define WFCMD_REGISTRY_LOGIN_NAME "slipway-registry-login"
#define WFCMD_REGISTRY_LOGOUT_NAME "slipway-registry-logout"

enum wfcmd_level {
	WFCMD_LEVEL_ERROR,
	WFCMD_LEVEL_WARNING,
	WFCMD_LEVEL_DEBUG,
};

struct wfcmd_msg {
	enum wfcmd_level level;
	const char *text;       /* GitHub's wording (English, as it prints it) */
};

struct wfcmd_prop {
	const char *key;        /* as written; keys compare case-insensitively */
	const char *value;      /* unescaped; may contain NULs */
	size_t value_len;
};

#define WFCMD_MAX_MSGS 3

/*
 * A parsed line. Strings live in the state's arena and stay valid until the
 * next wfcmd_parse or wfcmd_state_release.
 */
struct wfcmd {
	enum wfcmd_kind kind;
	const char *name;               /* command name as written, or NULL */
	const char *data;               /* unescaped message; "" when none */
	size_t data_len;
	struct wfcmd_prop *props;       /* unescaped; a repeated key keeps the last */
	size_t nprops;
	/*
	 * SET_OUTPUT, SAVE_STATE, SET_ENV: the `name` property;
	 * REGISTRY_LOGIN, REGISTRY_LOGOUT: the `registry` property.
	 */
	const char *key;
	/* REGISTRY_LOGIN: the credentials (the password is also the secret). */
	const char *username, *password;
	/* ERROR, WARNING, NOTICE: GitHub's checked positions; 0 when absent. */
	const char *file, *title;       /* NULL when absent */
	int line, end_line, col, end_col;
	/*
	 * Whatever the kind, in this order: register secret (secret_len bytes)
	 * with the masker; print echo as output; report msgs; fail the step if
	 * failed. Everything printed goes through the masker, as all output.
	 */
	const char *secret;
	size_t secret_len;
	const char *echo;
	struct wfcmd_msg msgs[WFCMD_MAX_MSGS];
	size_t nmsgs;
	int failed;
};

enum wfcmd_flags {
	WFCMD_ALLOW_UNSECURE_COMMANDS = 1 << 0,   /* honour ::set-env:: / ::add-path:: */
	WFCMD_ALLOW_UNSECURE_STOP_TOKENS = 1 << 1, /* accept any ::stop-commands:: token */
	WFCMD_ECHO_ON = 1 << 2,                   /* echo commands from the start */
	WFCMD_STAGE = 1 << 3,                     /* a built-in stage: Slipway's own commands */
};

/*
 * One per step (GitHub keeps the stop state for the whole job; here a step
 * cannot silence the commands of the next one).
 */
struct wfcmd_state {
	unsigned flags;
	int echo;
	char *stop_token;               /* malloc'd while commands are stopped */
	struct arena arena;             /* the last parsed command's strings */
};

/*
 * The flags GitHub derives from the environment: process_env and step_env
 * are environ-style ("NAME=value", NULL-terminated; either may be NULL),
 * the runner's own environment and the step's (job and step env), which
 * GitHub consults in that order. ACTIONS_ALLOW_UNSECURE_COMMANDS counts in
 * either when it reads "true" in any case with blanks around (.NET
 * bool.TryParse); ACTIONS_ALLOW_UNSECURE_STOPCOMMAND_TOKENS when "true",
 * "1" or "$true" in any case (StringUtil.ConvertToBoolean). WFCMD_ECHO_ON
 * (step debug logging) is the runner's to add.
 */
unsigned wfcmd_flags_from_env(char *const *process_env, char *const *step_env);

void wfcmd_state_init(struct wfcmd_state *st, unsigned flags);
void wfcmd_state_release(struct wfcmd_state *st);

/*
 * Parse one line of output (len bytes, without its newline; a trailing CR
 * is ignored) into *out. Lines that are not a registered command, and
 * every line while commands are stopped except the resume token, come back
 * as WFCMD_NONE. Returns out->kind.
 */
enum wfcmd_kind wfcmd_parse(struct wfcmd_state *st, const char *line, size_t len,
			    struct wfcmd *out);

/* The value of property key (case-insensitive) or NULL. */
const struct wfcmd_prop *wfcmd_prop(const struct wfcmd *cmd, const char *key);

#endif
