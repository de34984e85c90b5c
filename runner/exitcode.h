/*
 * exitcode: the process exit statuses of every slipway command, in one
 * place (documented in README.md under "Exit status").
 */
#ifndef RUNNER_EXITCODE_H
#define RUNNER_EXITCODE_H

enum exitcode {
	EXITCODE_OK = 0,          /* everything that ran succeeded */
	EXITCODE_FAILED = 1,      /* a job failed / a file is invalid */
	EXITCODE_USAGE = 2,       /* bad command line or unreadable input */
	EXITCODE_WAITING = 3,     /* a job waits for a manual approval */
	EXITCODE_CANCELLED = 130, /* the run was cancelled (Ctrl-C, SIGTERM) */
};

#endif
