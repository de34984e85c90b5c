/*
 * commands: the subcommand table (one line per subcommand) and lookup.
 */
#include "runner/commands.h"

#include <string.h>

const struct command commands[] = {
	{ "run", cmd_run, "run the workflows an event triggers (jobs on this machine)" },
	{ "graph", cmd_graph, "draw the job graph an event would run (text, dot, mermaid, json)" },
	{ "validate", cmd_validate, "check workflow files for errors" },
	{ "list", cmd_list, "list the jobs of the workflows, with stages and needs" },
	{ "eval", cmd_eval, "evaluate a ${{ }} expression (or a stream of them)" },
	{ "approve", cmd_approve, "approve a run's deployment to a protected environment" },
	{ "reject", cmd_reject, "reject a run's deployment to a protected environment" },
	{ "runs", cmd_runs, "list the runs in a state directory" },
	{ "logs", cmd_logs, "print (or follow) a run's job logs" },
	{ "deployments", cmd_deployments, "which version serves in each environment, since when" },
	{ "rollback", cmd_rollback, "put an environment's previous version back (no rebuild)" },
	{ "serve", cmd_serve, "the CD daemon: watch repositories, run, record, dashboard" },
	{ "trigger", cmd_trigger, "ask the daemon to look at a repository now" },
	{ "scan", cmd_scan, "scan files for secrets and risky patterns" },
	{ "prune", cmd_prune, "remove the containers, networks and volumes runs left" },
	{ "version", cmd_version, "print the version" },
	{ "__stage", cmd_stage, NULL },         /* a built-in stage, run by `slipway run` */
	{ "__action-container", cmd_action, NULL },     /* a docker action's step, likewise */
	{ NULL, NULL, NULL },
};

const struct command *commands_find(const char *name)
{
	for (const struct command *c = commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}
