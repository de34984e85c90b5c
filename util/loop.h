/*
 * loop: the one event loop (epoll) that drives slipway's concurrent work:
 * readable descriptors, timers, child exits (SIGCHLD) and signals, each
 * delivered to a callback. Single-threaded; callbacks may add and remove
 * watches, including their own.
 *
 * Descriptors are level-triggered: a callback that leaves data unread is
 * called again on the next round. Unwatch a descriptor before closing it.
 * Signals and child exits travel through one process-wide self-pipe, so
 * only one loop at a time may watch children or signals (the first to do
 * so; another gets EBUSY). Functions returning int give 0, or -1 with
 * errno set.
 */
#ifndef UTIL_LOOP_H
#define UTIL_LOOP_H

#include <stdint.h>
#include <sys/types.h>

struct loop;

enum loop_events {
	LOOP_READ = 1 << 0,
	LOOP_WRITE = 1 << 1,
	LOOP_HUP = 1 << 2,      /* reported, never requested */
};

typedef void loop_fd_fn(struct loop *l, int fd, unsigned events, void *data);
typedef void loop_timer_fn(struct loop *l, uint64_t id, void *data);
typedef void loop_child_fn(struct loop *l, pid_t pid, int status, void *data);
typedef void loop_signal_fn(struct loop *l, int sig, void *data);

struct loop *loop_new(void);
/*
 * Frees the loop; watches left are dropped without callbacks, and signal
 * dispositions it changed are restored. Returns NULL from loop_new if
 * epoll is unavailable.
 */
void loop_free(struct loop *l);

/*
 * Watch fd for events (LOOP_READ/LOOP_WRITE); re-watching replaces. fn
 * gets the ready events, plus LOOP_HUP on hang-up or error.
 */
int loop_watch_fd(struct loop *l, int fd, unsigned events, loop_fd_fn *fn, void *data);
void loop_unwatch_fd(struct loop *l, int fd);

/*
 * Call fn once after ms milliseconds; returns an id (never 0). Timers due
 * together fire in deadline order, ties in the order they were added. A
 * timer added by a callback fires in a later round, even with ms = 0.
 * Cancelling a fired or cancelled id does nothing. O(log n) each.
 */
uint64_t loop_add_timer(struct loop *l, uint64_t ms, loop_timer_fn *fn, void *data);
void loop_cancel_timer(struct loop *l, uint64_t id);

/*
 * Call fn once when pid exits (reaped by the loop with waitpid); status
 * is as waitpid gives it. A child that exited before the watch was added
 * is still reported. The loop reaps every child, watched or not (orphans
 * adopted under proc_become_subreaper too), and remembers the statuses
 * of the last 1024 unwatched ones for watches added later. Fails with
 * ECHILD for a pid that is not, and was not, our child.
 */
int loop_watch_child(struct loop *l, pid_t pid, loop_child_fn *fn, void *data);
/* Drop the watch on pid (no callback); a later exit is remembered as unwatched. */
void loop_unwatch_child(struct loop *l, pid_t pid);

/*
 * Deliver sig (e.g. SIGINT, SIGTERM) to fn through a self-pipe, once per
 * signal received (two quick Ctrl-Cs are two calls). SIGCHLD, SIGKILL and
 * SIGSTOP cannot be watched.
 */
int loop_watch_signal(struct loop *l, int sig, loop_signal_fn *fn, void *data);
/* Stop watching sig and restore the disposition it had before. */
void loop_unwatch_signal(struct loop *l, int sig);

/*
 * Wait up to timeout_ms (-1: no limit; less if a timer is due sooner) and
 * dispatch what is ready. Returns the number of callbacks made, or -1.
 */
int loop_run_once(struct loop *l, int timeout_ms);
/*
 * Dispatch until loop_stop() is called or nothing is watched any more
 * (no descriptor, timer, child or signal). Returns 0, or -1 on failure.
 */
int loop_run(struct loop *l);
void loop_stop(struct loop *l);

/* Monotonic milliseconds. */
uint64_t loop_now_ms(void);

#endif
