/*
 * commands: the table of slipway subcommands. Each subcommand lives in its
 * own runner/cmd_<name>.c and is entered through cmd_<name>(argc, argv)
 * with argv[0] the subcommand's name; it returns an exitcode.
 */
#ifndef RUNNER_COMMANDS_H
#define RUNNER_COMMANDS_H

struct command {
	const char *name;
	int (*handler)(int argc, const char **argv);
	const char *summary;            /* NULL: internal, not listed */
};

/* The table, terminated by an entry with a NULL name. */
extern const struct command commands[];

const struct command *commands_find(const char *name);

int cmd_validate(int argc, const char **argv);
int cmd_list(int argc, const char **argv);
int cmd_eval(int argc, const char **argv);
int cmd_run(int argc, const char **argv);
int cmd_graph(int argc, const char **argv);
int cmd_approve(int argc, const char **argv);
int cmd_reject(int argc, const char **argv);
int cmd_runs(int argc, const char **argv);
int cmd_logs(int argc, const char **argv);
int cmd_serve(int argc, const char **argv);
int cmd_trigger(int argc, const char **argv);
int cmd_scan(int argc, const char **argv);
int cmd_prune(int argc, const char **argv);
int cmd_version(int argc, const char **argv);
int cmd_deployments(int argc, const char **argv);
int cmd_rollback(int argc, const char **argv);
int cmd_stage(int argc, const char **argv);
int cmd_action(int argc, const char **argv);

#endif
