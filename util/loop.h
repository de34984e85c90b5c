/*
 * loop: the one event loop (epoll) that drives slipway's concurrent work:
 * readable descriptors, timers, child exits (SIGCHLD) and signals, each
 * delivered to a callback. Single-threaded; callbacks may add and remove
 * watches, including their own.
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
/* Frees the loop; watches left are dropped without callbacks. */
void loop_free(struct loop *l);

/* Watch fd for events (LOOP_READ/LOOP_WRITE); re-watching replaces. */
int loop_watch_fd(struct loop *l, int fd, unsigned events, loop_fd_fn *fn, void *data);
void loop_unwatch_fd(struct loop *l, int fd);

/* Call fn once after ms milliseconds; returns an id (never 0). */
uint64_t loop_add_timer(struct loop *l, uint64_t ms, loop_timer_fn *fn, void *data);
void loop_cancel_timer(struct loop *l, uint64_t id);

/*
 * Call fn when pid exits (reaped by the loop with waitpid). A child that
 * exited before the watch was added is still reported.
 */
int loop_watch_child(struct loop *l, pid_t pid, loop_child_fn *fn, void *data);

/* Deliver sig (e.g. SIGINT, SIGTERM) to fn through a self-pipe. */
int loop_watch_signal(struct loop *l, int sig, loop_signal_fn *fn, void *data);

/* Wait up to timeout_ms (-1: no limit) and dispatch what is ready. */
int loop_run_once(struct loop *l, int timeout_ms);
/* Dispatch until loop_stop() is called. */
int loop_run(struct loop *l);
void loop_stop(struct loop *l);

/* Monotonic milliseconds. */
uint64_t loop_now_ms(void);

#endif
