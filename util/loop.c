/*
 * loop: epoll (level-triggered) over watched descriptors, a binary
 * min-heap of timers, and one process-wide self-pipe that carries signals
 * and SIGCHLD; children are reaped with waitpid(-1, WNOHANG). It does not
 * start processes (util/proc) or decide what a signal means (the runner).
 */
#include "util/loop.h"
#include "util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct loop_fd {
	loop_fd_fn *fn;
	void *data;
	unsigned events;
	uint32_t gen;           /* bumped per registration: stale epoll events are dropped */
	int watched;
};

struct loop_timer {
	uint64_t deadline, seq; /* fire order: deadline, then creation */
	loop_timer_fn *fn;
	void *data;
	size_t pos;             /* index in the heap while armed */
	uint32_t gen;           /* the id's high half; bumped when the slot is reused */
	uint32_t next_free;     /* free list of slots, index + 1 */
	int armed;
};

struct loop_child {
	pid_t pid;
	int exited, status;     /* reaped, waiting to be dispatched */
	loop_child_fn *fn;
	void *data;
};

/* A status reaped while nobody watched the pid. */
struct loop_exit {
	pid_t pid;
	int status;
	uint64_t seq;
};

struct loop_sig {
	loop_signal_fn *fn;
	void *data;
};

/*
 * Statuses of unwatched children are kept for a later loop_watch_child;
 * reparented orphans also land there, so the table is capped (oldest out).
 */
enum { LOOP_EXITS_MAX = 1024, LOOP_EVENTS = 64 };

#define LOOP_SIGNAL_KEY UINT64_MAX

struct loop {
	int epfd;
	int stop;
	size_t nr_fds, nr_sigs;
	struct loop_fd *fds;    /* indexed by descriptor */
	size_t fds_alloc;
	struct loop_timer *timers;
	size_t timers_nr, timers_alloc;
	uint32_t free_timer;
	uint32_t *heap;         /* timer slots, ordered by (deadline, seq) */
	size_t heap_nr, heap_alloc;
	uint64_t timer_seq;
	struct loop_child *children;    /* sorted by pid */
	size_t children_nr, children_alloc, exited_nr;
	struct loop_exit *exits;        /* sorted by pid */
	size_t exits_nr, exits_alloc;
	uint64_t exit_seq;
	struct loop_sig sigs[NSIG];
};

/*
 * Signal handlers are process-wide, so one loop at a time owns them (and
 * the self-pipe): the first to watch a child or a signal.
 */
static struct loop *loop_signal_owner;
static int loop_sigpipe[2] = { -1, -1 };
static struct sigaction loop_saved_action[NSIG];
static unsigned char loop_handled[NSIG];

static void loop_on_signal(int sig)
{
	int saved = errno;
	unsigned char b = (unsigned char)sig;

	(void)!write(loop_sigpipe[1], &b, 1);
	errno = saved;
}

uint64_t loop_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

struct loop *loop_new(void)
{
	struct loop *l = xcalloc(1, sizeof(*l));

	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		free(l);
		return NULL;
	}
	return l;
}

static int loop_handle(int sig)
{
	struct sigaction sa;

	if (loop_handled[sig])
		return 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = loop_on_signal;
	sa.sa_flags = SA_RESTART | (sig == SIGCHLD ? SA_NOCLDSTOP : 0);
	sigemptyset(&sa.sa_mask);
	if (sigaction(sig, &sa, &loop_saved_action[sig]) < 0)
		return -1;
	loop_handled[sig] = 1;
	return 0;
}

static void loop_unhandle(int sig)
{
	if (!loop_handled[sig])
		return;
	sigaction(sig, &loop_saved_action[sig], NULL);
	loop_handled[sig] = 0;
}

/* Take the process-wide signal machinery for l (once), with SIGCHLD handled. */
static int loop_claim_signals(struct loop *l)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = LOOP_SIGNAL_KEY };

	if (loop_signal_owner == l)
		return 0;
	if (loop_signal_owner) {
		errno = EBUSY;
		return -1;
	}
	if (pipe2(loop_sigpipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return -1;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, loop_sigpipe[0], &ev) < 0 ||
	    loop_handle(SIGCHLD) < 0) {
		int saved = errno;
		close(loop_sigpipe[0]);
		close(loop_sigpipe[1]);
		loop_sigpipe[0] = loop_sigpipe[1] = -1;
		errno = saved;
		return -1;
	}
	loop_signal_owner = l;
	/* Children that exited before the handler was in place are reaped on the first round. */
	loop_on_signal(SIGCHLD);
	return 0;
}

static void loop_release_signals(struct loop *l)
{
	if (loop_signal_owner != l)
		return;
	for (int sig = 1; sig < NSIG; sig++)
		loop_unhandle(sig);
	close(loop_sigpipe[0]);
	close(loop_sigpipe[1]);
	loop_sigpipe[0] = loop_sigpipe[1] = -1;
	loop_signal_owner = NULL;
}

void loop_free(struct loop *l)
{
	if (!l)
		return;
	loop_release_signals(l);
	close(l->epfd);
	free(l->fds);
	free(l->timers);
	free(l->heap);
	free(l->children);
	free(l->exits);
	free(l);
}

/* --- descriptors --- */

static uint64_t loop_fd_key(int fd, uint32_t gen)
{
	return (uint64_t)gen << 32 | (uint32_t)fd;
}

int loop_watch_fd(struct loop *l, int fd, unsigned events, loop_fd_fn *fn, void *data)
{
	struct epoll_event ev = { 0 };
	struct loop_fd *w;
	size_t old = l->fds_alloc;

	if (fd < 0 || !fn || !(events & (LOOP_READ | LOOP_WRITE))) {
		errno = EINVAL;
		return -1;
	}
	if ((size_t)fd >= l->fds_alloc) {
		ALLOC_GROW(l->fds, (size_t)fd + 1, l->fds_alloc);
		memset(l->fds + old, 0, (l->fds_alloc - old) * sizeof(*l->fds));
	}
	w = &l->fds[fd];
	ev.events = (events & LOOP_READ ? EPOLLIN : 0) | (events & LOOP_WRITE ? EPOLLOUT : 0);
	if (w->watched) {
		ev.data.u64 = loop_fd_key(fd, w->gen);
		if (epoll_ctl(l->epfd, EPOLL_CTL_MOD, fd, &ev) < 0)
			return -1;
	} else {
		ev.data.u64 = loop_fd_key(fd, w->gen + 1);
		if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
			return -1;
		w->gen++;
		w->watched = 1;
		l->nr_fds++;
	}
	w->fn = fn;
	w->data = data;
	w->events = events & (LOOP_READ | LOOP_WRITE);
	return 0;
}

void loop_unwatch_fd(struct loop *l, int fd)
{
	if (fd < 0 || (size_t)fd >= l->fds_alloc || !l->fds[fd].watched)
		return;
	/* Fails harmlessly if the caller already closed fd: epoll dropped it. */
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
	l->fds[fd].watched = 0;
	l->nr_fds--;
}

static int loop_dispatch_fd(struct loop *l, uint64_t key, uint32_t epoll_events)
{
	int fd = (int)(uint32_t)key;
	struct loop_fd *w = (size_t)fd < l->fds_alloc ? &l->fds[fd] : NULL;
	unsigned ev = 0;

	if (!w || !w->watched || w->gen != (uint32_t)(key >> 32))
		return 0;
	if (epoll_events & EPOLLIN)
		ev |= LOOP_READ;
	if (epoll_events & EPOLLOUT)
		ev |= LOOP_WRITE;
	if (epoll_events & (EPOLLHUP | EPOLLERR))
		ev |= LOOP_HUP;
	ev &= w->events | LOOP_HUP;
	if (!ev)
		return 0;
	w->fn(l, fd, ev, w->data);
	return 1;
}

/* --- timers --- */

static int loop_timer_before(const struct loop *l, uint32_t a, uint32_t b)
{
	const struct loop_timer *x = &l->timers[a], *y = &l->timers[b];

	return x->deadline < y->deadline || (x->deadline == y->deadline && x->seq < y->seq);
}

static void loop_heap_set(struct loop *l, size_t pos, uint32_t slot)
{
	l->heap[pos] = slot;
	l->timers[slot].pos = pos;
}

static void loop_heap_up(struct loop *l, size_t pos)
{
	uint32_t slot = l->heap[pos];

	while (pos > 0) {
		size_t parent = (pos - 1) / 2;

		if (!loop_timer_before(l, slot, l->heap[parent]))
			break;
		loop_heap_set(l, pos, l->heap[parent]);
		pos = parent;
	}
	loop_heap_set(l, pos, slot);
}

static void loop_heap_down(struct loop *l, size_t pos)
{
	uint32_t slot = l->heap[pos];

	for (;;) {
		size_t child = 2 * pos + 1;

		if (child >= l->heap_nr)
			break;
		if (child + 1 < l->heap_nr && loop_timer_before(l, l->heap[child + 1], l->heap[child]))
			child++;
		if (!loop_timer_before(l, l->heap[child], slot))
			break;
		loop_heap_set(l, pos, l->heap[child]);
		pos = child;
	}
	loop_heap_set(l, pos, slot);
}

/* Take slot out of the heap and put it on the free list. */
static void loop_timer_drop(struct loop *l, uint32_t slot)
{
	struct loop_timer *t = &l->timers[slot];
	size_t pos = t->pos;
	uint32_t last = l->heap[--l->heap_nr];

	if (pos < l->heap_nr) {
		loop_heap_set(l, pos, last);
		loop_heap_up(l, pos);
		loop_heap_down(l, l->timers[last].pos);
	}
	t->armed = 0;
	t->next_free = l->free_timer;
	l->free_timer = slot + 1;
}

uint64_t loop_add_timer(struct loop *l, uint64_t ms, loop_timer_fn *fn, void *data)
{
	struct loop_timer *t;
	uint32_t slot;

	if (l->free_timer) {
		slot = l->free_timer - 1;
		l->free_timer = l->timers[slot].next_free;
	} else {
		ALLOC_GROW(l->timers, l->timers_nr + 1, l->timers_alloc);
		slot = (uint32_t)l->timers_nr++;
		l->timers[slot].gen = 0;
	}
	t = &l->timers[slot];
	if (++t->gen == 0)
		t->gen = 1;
	t->deadline = loop_now_ms() + ms;
	if (t->deadline < ms)
		t->deadline = UINT64_MAX;
	t->seq = ++l->timer_seq;
	t->fn = fn;
	t->data = data;
	t->armed = 1;
	ALLOC_GROW(l->heap, l->heap_nr + 1, l->heap_alloc);
	loop_heap_set(l, l->heap_nr++, slot);
	loop_heap_up(l, t->pos);
	return (uint64_t)t->gen << 32 | slot;
}

void loop_cancel_timer(struct loop *l, uint64_t id)
{
	uint32_t slot = (uint32_t)id;

	if (slot < l->timers_nr && l->timers[slot].armed &&
	    l->timers[slot].gen == (uint32_t)(id >> 32))
		loop_timer_drop(l, slot);
}

/*
 * Fire the timers due now. Timers added by these callbacks wait for the
 * next round even when already due, so a re-arming timer cannot starve
 * the rest of the loop.
 */
static int loop_dispatch_timers(struct loop *l)
{
	uint64_t now = loop_now_ms(), last = l->timer_seq;
	int n = 0;

	while (l->heap_nr) {
		uint32_t slot = l->heap[0];
		struct loop_timer *t = &l->timers[slot];
		uint64_t id = (uint64_t)t->gen << 32 | slot;
		loop_timer_fn *fn = t->fn;
		void *data = t->data;

		if (t->deadline > now || t->seq > last)
			break;
		loop_timer_drop(l, slot);
		fn(l, id, data);
		n++;
	}
	return n;
}

/* --- children --- */

static int loop_pid_cmp(const void *key, const void *elem)
{
	pid_t a = *(const pid_t *)key, b = *(const pid_t *)elem;

	return (a > b) - (a < b);
}

/* Index of pid in a pid-sorted array whose elements start with a pid_t. */
static size_t loop_pid_lower(const void *base, size_t nr, size_t size, pid_t pid)
{
	size_t lo = 0, hi = nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (loop_pid_cmp(&pid, (const char *)base + mid * size) > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct loop_child *loop_child_find(struct loop *l, pid_t pid)
{
	size_t i = loop_pid_lower(l->children, l->children_nr, sizeof(*l->children), pid);

	return i < l->children_nr && l->children[i].pid == pid ? &l->children[i] : NULL;
}

static void loop_child_remove(struct loop *l, struct loop_child *c)
{
	size_t i = (size_t)(c - l->children);

	if (c->exited)
		l->exited_nr--;
	memmove(c, c + 1, (l->children_nr - i - 1) * sizeof(*c));
	l->children_nr--;
}

static void loop_exit_remove(struct loop *l, size_t i)
{
	memmove(&l->exits[i], &l->exits[i + 1], (l->exits_nr - i - 1) * sizeof(*l->exits));
	l->exits_nr--;
}

/* Index of pid's remembered status, or exits_nr. */
static size_t loop_exit_find(struct loop *l, pid_t pid)
{
	size_t i = loop_pid_lower(l->exits, l->exits_nr, sizeof(*l->exits), pid);

	return i < l->exits_nr && l->exits[i].pid == pid ? i : l->exits_nr;
}

static void loop_exit_remember(struct loop *l, pid_t pid, int status)
{
	size_t i = loop_exit_find(l, pid);

	if (i == l->exits_nr) {
		if (l->exits_nr == LOOP_EXITS_MAX) {
			size_t oldest = 0;

			for (size_t j = 1; j < l->exits_nr; j++)
				if (l->exits[j].seq < l->exits[oldest].seq)
					oldest = j;
			loop_exit_remove(l, oldest);
		}
		i = loop_pid_lower(l->exits, l->exits_nr, sizeof(*l->exits), pid);
		ALLOC_GROW(l->exits, l->exits_nr + 1, l->exits_alloc);
		memmove(&l->exits[i + 1], &l->exits[i], (l->exits_nr - i) * sizeof(*l->exits));
		l->exits_nr++;
		l->exits[i].pid = pid;
	}
	l->exits[i].status = status;
	l->exits[i].seq = ++l->exit_seq;
}

static void loop_child_exited(struct loop *l, struct loop_child *c, int status)
{
	if (!c->exited)
		l->exited_nr++;
	c->exited = 1;
	c->status = status;
}

static void loop_reap(struct loop *l)
{
	for (;;) {
		struct loop_child *c;
		int status;
		pid_t pid = waitpid(-1, &status, WNOHANG);

		if (pid < 0 && errno == EINTR)
			continue;
		if (pid <= 0)
			break;
		c = loop_child_find(l, pid);
		if (c)
			loop_child_exited(l, c, status);
		else
			loop_exit_remember(l, pid, status);
	}
}

int loop_watch_child(struct loop *l, pid_t pid, loop_child_fn *fn, void *data)
{
	struct loop_child *c;
	size_t i;
	int status, exited = 0;
	pid_t rc;

	if (pid <= 0 || !fn) {
		errno = EINVAL;
		return -1;
	}
	/* The handler goes in first, so an exit after the check below still wakes us. */
	if (loop_claim_signals(l) < 0)
		return -1;
	c = loop_child_find(l, pid);
	if (c) {
		c->fn = fn;
		c->data = data;
		return 0;
	}
	do
		rc = waitpid(pid, &status, WNOHANG);
	while (rc < 0 && errno == EINTR);
	i = loop_exit_find(l, pid);
	if (rc == pid) {
		exited = 1;
	} else if (rc < 0 && i < l->exits_nr) {
		exited = 1;
		status = l->exits[i].status;
	} else if (rc < 0) {
		return -1;
	}
	/* A remembered status for a pid that is running again belonged to an earlier process. */
	if (i < l->exits_nr)
		loop_exit_remove(l, i);
	ALLOC_GROW(l->children, l->children_nr + 1, l->children_alloc);
	i = loop_pid_lower(l->children, l->children_nr, sizeof(*l->children), pid);
	memmove(&l->children[i + 1], &l->children[i],
		(l->children_nr - i) * sizeof(*l->children));
	l->children_nr++;
	c = &l->children[i];
	c->pid = pid;
	c->exited = 0;
	c->fn = fn;
	c->data = data;
	if (exited)
		loop_child_exited(l, c, status);
	return 0;
}

void loop_unwatch_child(struct loop *l, pid_t pid)
{
	struct loop_child *c = loop_child_find(l, pid);

	if (!c)
		return;
	if (c->exited)
		loop_exit_remember(l, pid, c->status);
	loop_child_remove(l, c);
}

/*
 * Call back for children reaped before this round. The pids are copied
 * first: callbacks may add and remove child watches as they go.
 */
static int loop_dispatch_children(struct loop *l)
{
	pid_t *ready;
	size_t nr = 0;
	int n = 0;

	if (!l->exited_nr)
		return 0;
	ready = xmalloc(l->exited_nr * sizeof(*ready));
	for (size_t i = 0; i < l->children_nr; i++)
		if (l->children[i].exited)
			ready[nr++] = l->children[i].pid;
	for (size_t i = 0; i < nr; i++) {
		struct loop_child *c = loop_child_find(l, ready[i]);
		loop_child_fn *fn;
		void *data;
		int status;

		if (!c || !c->exited)
			continue;
		fn = c->fn;
		data = c->data;
		status = c->status;
		loop_child_remove(l, c);
		fn(l, ready[i], status, data);
		n++;
	}
	free(ready);
	return n;
}

/* --- signals --- */

int loop_watch_signal(struct loop *l, int sig, loop_signal_fn *fn, void *data)
{
	if (sig <= 0 || sig >= NSIG || sig == SIGCHLD || sig == SIGKILL || sig == SIGSTOP ||
	    !fn) {
		errno = EINVAL;
		return -1;
	}
	if (loop_claim_signals(l) < 0 || loop_handle(sig) < 0)
		return -1;
	if (!l->sigs[sig].fn)
		l->nr_sigs++;
	l->sigs[sig].fn = fn;
	l->sigs[sig].data = data;
	return 0;
}

void loop_unwatch_signal(struct loop *l, int sig)
{
	if (sig <= 0 || sig >= NSIG || loop_signal_owner != l || !l->sigs[sig].fn)
		return;
	loop_unhandle(sig);
	l->sigs[sig].fn = NULL;
	l->nr_sigs--;
}

/* Drain the self-pipe: reap on SIGCHLD, call back for the other signals in order. */
static int loop_dispatch_signals(struct loop *l)
{
	unsigned char buf[256];
	ssize_t got;
	int n = 0;

	while ((got = read(loop_sigpipe[0], buf, sizeof(buf))) > 0 ||
	       (got < 0 && errno == EINTR)) {
		for (ssize_t i = 0; i < got; i++) {
			struct loop_sig *s = &l->sigs[buf[i]];

			if (buf[i] == SIGCHLD) {
				loop_reap(l);
			} else if (s->fn) {
				s->fn(l, buf[i], s->data);
				n++;
			}
		}
	}
	return n;
}

/* --- running --- */

static int loop_timeout(struct loop *l, int timeout_ms)
{
	uint64_t now, deadline;

	if (l->exited_nr)
		return 0;
	if (!l->heap_nr)
		return timeout_ms;
	now = loop_now_ms();
	deadline = l->timers[l->heap[0]].deadline;
	if (deadline <= now)
		return 0;
	if (deadline - now < INT_MAX && (timeout_ms < 0 || deadline - now < (uint64_t)timeout_ms))
		return (int)(deadline - now);
	return timeout_ms < 0 ? INT_MAX : timeout_ms;
}

int loop_run_once(struct loop *l, int timeout_ms)
{
	struct epoll_event evs[LOOP_EVENTS];
	int nev, n = 0;

	nev = epoll_wait(l->epfd, evs, LOOP_EVENTS, loop_timeout(l, timeout_ms));
	if (nev < 0) {
		if (errno != EINTR)
			return -1;
		nev = 0;
	}
	for (int i = 0; i < nev; i++) {
		if (evs[i].data.u64 == LOOP_SIGNAL_KEY)
			n += loop_dispatch_signals(l);
		else
			n += loop_dispatch_fd(l, evs[i].data.u64, evs[i].events);
	}
	n += loop_dispatch_children(l);
	n += loop_dispatch_timers(l);
	return n;
}

static int loop_has_watches(const struct loop *l)
{
	return l->nr_fds || l->heap_nr || l->children_nr || l->nr_sigs;
}

int loop_run(struct loop *l)
{
	int rc = 0;

	while (!l->stop && loop_has_watches(l)) {
		if (loop_run_once(l, -1) < 0) {
			rc = -1;
			break;
		}
	}
	l->stop = 0;
	return rc;
}

void loop_stop(struct loop *l)
{
	l->stop = 1;
}
