/*
 * proc: starting and stopping child processes (in the shape of git's
 * run-command.h). Every process slipway spawns goes through here, so
 * pipes, process groups, environment and cleanup are handled one way.
 * Waiting is the caller's business (util/loop, or proc_finish).
 */
#ifndef UTIL_PROC_H
#define UTIL_PROC_H

#include <sys/types.h>

#include "util/strbuf.h"
#include "util/strlist.h"

/* For proc.in / proc.out / proc.err. */
#define PROC_FD_NULL   (-1)     /* /dev/null */
#define PROC_FD_PIPE   (-2)     /* make a pipe; the parent's end is stored back */
#define PROC_FD_INHERIT (-3)    /* keep the parent's descriptor */

struct proc {
	struct strlist args;        /* argv; args.items[0] is looked up in PATH */
	struct strlist env;         /* "K=V" entries; see clear_env */
	int clear_env;              /* start from an empty environment (else: ours + env) */
	const char *dir;            /* working directory, or NULL */
	int in, out, err;           /* PROC_FD_* or a descriptor to dup (closed by proc_start) */
	int err_to_out;             /* stderr goes where stdout goes */
	int new_group;              /* own process group (pgid = pid), so the tree can be signalled */
	pid_t pid;                  /* set by proc_start */
};

/*
 * Semantics shared by proc_start and proc_start_fn:
 * - env entries "K=V" set K, a bare "K" removes K; later entries win.
 *   args.items[0] without a '/' is looked up in the child's PATH (the one
 *   env produces; "/bin:/usr/bin" when it has none).
 * - A descriptor given in in/out/err is dup'ed onto 0/1/2 and, if above 2,
 *   closed by the call (on failure too). Parent ends of PROC_FD_PIPE belong
 *   to the caller, who closes them; proc_release does not.
 * - The child starts with default signal dispositions, an empty signal
 *   mask and only descriptors 0, 1 and 2 open.
 * - A child is waited for either by proc_finish (with no util/loop
 *   dispatch in between) or through loop_watch_child, not both.
 */
#define PROC_INIT { STRLIST_INIT, STRLIST_INIT, 0, NULL, PROC_FD_NULL, PROC_FD_INHERIT, \
		    PROC_FD_INHERIT, 0, 0, -1 }

void proc_init(struct proc *p);
void proc_release(struct proc *p);

/*
 * Start the child. Descriptors set to PROC_FD_PIPE are replaced by the
 * parent's end (close-on-exec, non-blocking). Returns 0, or -1 with a
 * message in err (e.g. "cannot run 'bash': No such file or directory").
 */
int proc_start(struct proc *p, struct strbuf *err);

/*
 * Run fn(data) in a forked child (no exec) with the same descriptor set-up
 * as proc_start; the child exits with fn's return value. Used to keep
 * blocking library work (libgit2, libarchive, engine calls) off the event
 * loop.
 */
int proc_start_fn(struct proc *p, int (*fn)(void *data), void *data, struct strbuf *err);

/* Block until the child exits; returns its wait status (as waitpid). */
int proc_finish(struct proc *p);

/* Signal the child's process group (new_group) or the child itself. */
int proc_signal(const struct proc *p, int sig);

/*
 * Run argv to completion, capturing stdout into out (capped at max bytes;
 * stderr is inherited). Returns the exit code, or -1 if it could not run
 * or was killed.
 */
int proc_run_capture(const char *const *argv, struct strbuf *out, size_t max,
		     struct strbuf *err);

/*
 * Where a shell would find program name in the directories of path (a
 * PATH value; an empty entry is "."): its path in out and 0, or -1 when
 * no executable of that name is there. A name with a '/' is itself.
 */
int proc_which(const char *name, const char *path, struct strbuf *out);

/* Exit code of a wait status: the code, or 128+signal when killed. */
int proc_exit_code(int status);

/*
 * Mark this process a child subreaper (prctl PR_SET_CHILD_SUBREAPER):
 * descendants orphaned by their parent (daemons that double-fork and
 * setsid) are reparented to us instead of init, so they stay reapable by
 * util/loop and reachable by proc_kill_descendants. Call it once, early,
 * before starting children. Returns 0, or -1 with a message in err.
 */
int proc_become_subreaper(struct strbuf *err);

/*
 * The shutdown sweep: kill every live process whose parent chain (read
 * from /proc) leads to us. Descendants are first stopped (SIGSTOP, until
 * a scan finds no new one, so none can fork away during the sweep), then
 * sent SIGKILL, and the call waits until none of them is alive.
 * Guarantee: when it returns >= 0, no descendant of ours is running; the
 * dead are left as zombies for util/loop or proc_finish to reap. Under
 * proc_become_subreaper() this covers daemonised grandchildren too;
 * without it, an orphan adopted by init is no longer ours. Processes
 * handed to others (e.g. containers started by the Docker engine) are not
 * descendants. Returns how many processes were killed, or -1 with a
 * message in err (/proc unreadable, or a process survived SIGKILL for
 * seconds, e.g. stuck in uninterruptible sleep).
 */
int proc_kill_descendants(struct strbuf *err);

#endif
