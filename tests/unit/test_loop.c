/*
 * Unit tests for util/loop: timers (order, cancellation from callbacks,
 * no starvation), descriptor watches changed during dispatch, child exits
 * (late watches, many at once, unwatched orphans), signals through the
 * self-pipe, and that nothing leaks descriptors or signal dispositions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/unit/testutil.h"
#include "util/loop.h"
#include "util/proc.h"

static pid_t start(const char *script)
{
	struct proc p = PROC_INIT;
	struct strbuf err = STRBUF_INIT;

	strlist_push(&p.args, "sh");
	strlist_push(&p.args, "-c");
	strlist_push(&p.args, script);
	if (proc_start(&p, &err) < 0)
		fail_msg("%s", err.buf);
	proc_release(&p);
	strbuf_release(&err);
	return p.pid;
}

/* --- timers --- */

struct order {
	struct loop *l;
	char fired[32];
	size_t nr;              /* timers fired */
	uint64_t cancel;        /* cancelled by the timer named 'a' */
};

static void on_timer(struct loop *l, uint64_t id, void *data)
{
	struct order *o = data;

	(void)l;
	(void)id;
	o->nr++;
}

struct named {
	struct order *o;
	char name;
};

static void on_named(struct loop *l, uint64_t id, void *data)
{
	struct named *n = data;

	n->o->fired[n->o->nr++] = n->name;
	if (n->name == 'a') {
		loop_cancel_timer(l, n->o->cancel);
		/* cancelling the timer now running, or again, is harmless */
		loop_cancel_timer(l, id);
		loop_cancel_timer(l, n->o->cancel);
	}
}

static void test_timers_fire_in_order_and_cancel(void **state)
{
	struct loop *l = *state;
	struct order o = { .l = l };
	struct named n[] = { { &o, 'd' }, { &o, 'a' }, { &o, 'c' }, { &o, 'b' }, { &o, 'x' },
			     { &o, 'e' } };
	uint64_t start_ms = loop_now_ms(), ids[6];

	ids[0] = loop_add_timer(l, 40, on_named, &n[0]);
	ids[1] = loop_add_timer(l, 10, on_named, &n[1]);
	ids[2] = loop_add_timer(l, 20, on_named, &n[2]);
	ids[3] = loop_add_timer(l, 10, on_named, &n[3]);   /* ties fire in insertion order */
	ids[4] = loop_add_timer(l, 30, on_named, &n[4]);   /* cancelled by 'a' */
	ids[5] = loop_add_timer(l, 5, on_named, &n[5]);
	loop_cancel_timer(l, ids[5]);                       /* cancelled before running */
	o.cancel = ids[4];
	for (int i = 0; i < 6; i++) {
		assert_int_not_equal(ids[i], 0);
		for (int j = 0; j < i; j++)
			assert_int_not_equal(ids[i], ids[j]);
	}
	assert_int_equal(loop_run(l), 0);
	o.fired[o.nr] = '\0';
	assert_string_equal(o.fired, "abcd");
	assert_true(loop_now_ms() - start_ms >= 40);
}

static void test_timer_heap_under_churn(void **state)
{
	struct loop *l = *state;
	struct order o = { .l = l };
	uint64_t ids[500];

	/* many timers, most cancelled in scrambled order: the rest still fire once each */
	for (int i = 0; i < 500; i++)
		ids[i] = loop_add_timer(l, (uint64_t)(i * 7919 % 23), on_timer, &o);
	for (int i = 0; i < 500; i++)
		if ((i * 31) % 5)
			loop_cancel_timer(l, ids[(i * 31) % 500]);
	assert_int_equal(loop_run(l), 0);
	assert_int_equal(o.nr, 100);
}

struct rearm {
	int count;
	uint64_t other_fired;
};

static void on_rearm(struct loop *l, uint64_t id, void *data)
{
	struct rearm *r = data;

	(void)id;
	if (++r->count < 1000)
		loop_add_timer(l, 0, on_rearm, r);
}

static void on_other(struct loop *l, uint64_t id, void *data)
{
	(void)l;
	(void)id;
	((struct rearm *)data)->other_fired = 1;
}

static void test_zero_timer_rearming_does_not_starve(void **state)
{
	struct loop *l = *state;
	struct rearm r = { 0, 0 };

	loop_add_timer(l, 0, on_rearm, &r);
	loop_add_timer(l, 0, on_other, &r);
	assert_int_equal(loop_run_once(l, 0), 2);
	assert_int_equal(r.count, 1);
	assert_int_equal(r.other_fired, 1);
	assert_int_equal(loop_run(l), 0);
	assert_int_equal(r.count, 1000);
}

static void test_run_once_waits_for_next_timer(void **state)
{
	struct loop *l = *state;
	struct order o = { .l = l };
	uint64_t t0 = loop_now_ms();

	loop_add_timer(l, 30, on_timer, &o);
	assert_int_equal(loop_run_once(l, 0), 0);
	while (!o.nr)
		assert_true(loop_run_once(l, 5000) >= 0);
	assert_true(loop_now_ms() - t0 >= 30);
	assert_true(loop_now_ms() - t0 < 2000);
}

/* --- descriptors --- */

struct pipes {
	int a[2], b[2];
	int a_calls, b_calls;
	unsigned last;
	struct strbuf got;
};

static void on_b(struct loop *l, int fd, unsigned events, void *data)
{
	struct pipes *p = data;

	(void)l;
	(void)fd;
	(void)events;
	p->b_calls++;
}

/* Reads a; on the first call also unwatches b, whose event is in the same batch. */
static void on_a(struct loop *l, int fd, unsigned events, void *data)
{
	struct pipes *p = data;
	char buf[64];
	ssize_t n;

	p->a_calls++;
	p->last = events;
	if (p->a_calls == 1)
		loop_unwatch_fd(l, p->b[0]);
	n = read(fd, buf, sizeof(buf));
	if (n > 0)
		strbuf_add(&p->got, buf, (size_t)n);
	if (n == 0) {
		loop_unwatch_fd(l, fd);
		close(fd);
	}
}

static void test_fd_watches_change_during_dispatch(void **state)
{
	struct loop *l = *state;
	struct pipes p = { .got = STRBUF_INIT };
	int before = test_count_fds();

	assert_int_equal(pipe(p.a), 0);
	assert_int_equal(pipe(p.b), 0);
	assert_int_equal(loop_watch_fd(l, p.b[0], LOOP_READ, on_b, &p), 0);
	assert_int_equal(loop_watch_fd(l, p.a[0], LOOP_READ, on_a, &p), 0);
	assert_int_equal(write(p.b[1], "b", 1), 1);
	assert_int_equal(write(p.a[1], "hello", 5), 5);
	/* whichever comes first in the batch, b may be seen at most once */
	assert_true(loop_run_once(l, 1000) >= 1);
	assert_int_equal(p.a_calls, 1);
	assert_true(p.b_calls <= 1);
	assert_int_equal(p.last, LOOP_READ);
	close(p.a[1]);
	/* b is no longer watched: its unread byte never calls back; a hangs up */
	assert_int_equal(loop_run(l), 0);
	assert_true(p.last & LOOP_HUP);
	assert_string_equal(p.got.buf, "hello");
	assert_true(p.b_calls <= 1);
	close(p.b[0]);
	close(p.b[1]);
	assert_int_equal(test_count_fds(), before);
	strbuf_release(&p.got);
}

static void on_count(struct loop *l, int fd, unsigned events, void *data)
{
	(void)l;
	(void)fd;
	(void)events;
	(*(int *)data)++;
}

static void test_fd_rewatch_replaces_and_is_level_triggered(void **state)
{
	struct loop *l = *state;
	int fds[2], first = 0, second = 0;

	assert_int_equal(pipe(fds), 0);
	assert_int_equal(loop_watch_fd(l, fds[0], LOOP_READ, on_count, &first), 0);
	assert_int_equal(loop_watch_fd(l, fds[0], LOOP_READ, on_count, &second), 0);
	assert_int_equal(write(fds[1], "x", 1), 1);
	/* unread data is reported again each round */
	assert_int_equal(loop_run_once(l, 1000), 1);
	assert_int_equal(loop_run_once(l, 1000), 1);
	assert_int_equal(first, 0);
	assert_int_equal(second, 2);
	/* a write watch on the other end is ready at once */
	assert_int_equal(loop_watch_fd(l, fds[1], LOOP_WRITE, on_count, &first), 0);
	loop_unwatch_fd(l, fds[0]);
	assert_int_equal(loop_run_once(l, 1000), 1);
	assert_int_equal(first, 1);
	loop_unwatch_fd(l, fds[1]);
	loop_unwatch_fd(l, fds[1]);
	assert_int_equal(loop_run_once(l, 0), 0);
	assert_int_equal(loop_watch_fd(l, -1, LOOP_READ, on_count, &first), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(loop_watch_fd(l, fds[0], 0, on_count, &first), -1);
	close(fds[0]);
	close(fds[1]);
}

/* --- children --- */

struct reaped {
	struct loop *l;
	pid_t pids[600];
	int status[600];
	int nr, want;
};

static void on_child(struct loop *l, pid_t pid, int status, void *data)
{
	struct reaped *r = data;

	r->pids[r->nr] = pid;
	r->status[r->nr++] = status;
	if (r->nr == r->want)
		loop_stop(l);
}

static void test_child_watch_after_exit(void **state)
{
	struct loop *l = *state;
	struct reaped r = { .l = l, .want = 3 };
	pid_t zombie, early, late;

	/* exited (a zombie) before any loop existed */
	zombie = start("exit 4");
	while (test_pid_state(zombie) != 'Z')
		test_sleep_ms(1);
	/* reaped by the loop while nobody watched it */
	early = start("exit 5");
	late = start("sleep 0.2; exit 6");
	assert_int_equal(loop_watch_child(l, late, on_child, &r), 0);
	while (test_pid_state(early) != 0)
		assert_true(loop_run_once(l, 10) >= 0);
	assert_int_equal(r.nr, 0);
	assert_int_equal(loop_watch_child(l, zombie, on_child, &r), 0);
	assert_int_equal(loop_watch_child(l, early, on_child, &r), 0);
	assert_int_equal(loop_run(l), 0);
	assert_int_equal(r.nr, 3);
	for (int i = 0; i < 3; i++) {
		int code = r.pids[i] == zombie ? 4 : r.pids[i] == early ? 5 : 6;

		assert_true(r.pids[i] == zombie || r.pids[i] == early || r.pids[i] == late);
		assert_int_equal(proc_exit_code(r.status[i]), code);
	}
	/* each status is reported once: the pids are not ours any more */
	assert_int_equal(loop_watch_child(l, early, on_child, &r), -1);
	assert_int_equal(errno, ECHILD);
	assert_int_equal(loop_watch_child(l, 1, on_child, &r), -1);
	assert_int_equal(errno, ECHILD);
}

static void test_unwatch_child_keeps_status(void **state)
{
	struct loop *l = *state;
	struct reaped r = { .l = l, .want = 1 };
	pid_t pid = start("exit 9");

	assert_int_equal(loop_watch_child(l, pid, on_child, &r), 0);
	loop_unwatch_child(l, pid);
	while (test_pid_state(pid) != 0)
		assert_true(loop_run_once(l, 10) >= 0);
	assert_int_equal(r.nr, 0);
	assert_int_equal(loop_watch_child(l, pid, on_child, &r), 0);
	assert_int_equal(loop_run(l), 0);
	assert_int_equal(r.nr, 1);
	assert_int_equal(proc_exit_code(r.status[0]), 9);

	/* unwatching a child whose exit was already collected keeps that status */
	pid = start("exit 10");
	while (test_pid_state(pid) != 'Z')
		test_sleep_ms(1);
	assert_int_equal(loop_watch_child(l, pid, on_child, &r), 0);
	loop_unwatch_child(l, pid);
	assert_int_equal(loop_run_once(l, 0), 0);
	assert_int_equal(loop_watch_child(l, pid, on_child, &r), 0);
	r.want = 2;
	assert_int_equal(loop_run(l), 0);
	assert_int_equal(r.nr, 2);
	assert_int_equal(proc_exit_code(r.status[1]), 10);
}

static void test_many_concurrent_children(void **state)
{
	enum { N = 500 };
	struct loop *l = *state;
	struct reaped *r = calloc(1, sizeof(*r));
	pid_t started[N];

	r->l = l;
	r->want = N;
	for (int i = 0; i < N; i++) {
		struct proc p = PROC_INIT;
		struct strbuf err = STRBUF_INIT;

		strlist_push(&p.args, "true");
		if (proc_start(&p, &err) < 0)
			fail_msg("%s", err.buf);
		started[i] = p.pid;
		assert_int_equal(loop_watch_child(l, p.pid, on_child, r), 0);
		proc_release(&p);
	}
	assert_int_equal(loop_run(l), 0);
	assert_int_equal(r->nr, N);
	for (int i = 0; i < N; i++) {
		int seen = 0;

		for (int j = 0; j < N; j++)
			if (r->pids[j] == started[i]) {
				seen++;
				assert_int_equal(proc_exit_code(r->status[j]), 0);
			}
		assert_int_equal(seen, 1);
	}
	free(r);
}

/* --- signals --- */

struct sigs {
	int sig[8];
	int nr;
};

static void on_signal(struct loop *l, int sig, void *data)
{
	struct sigs *s = data;

	(void)l;
	s->sig[s->nr++] = sig;
}

static void test_signals_via_self_pipe(void **state)
{
	struct loop *l = *state, *other = loop_new();
	struct sigs s = { .nr = 0 };
	struct sigaction now;

	assert_int_equal(loop_watch_signal(l, SIGUSR1, on_signal, &s), 0);
	assert_int_equal(loop_watch_signal(l, SIGUSR2, on_signal, &s), 0);
	kill(getpid(), SIGUSR1);
	kill(getpid(), SIGUSR2);
	kill(getpid(), SIGUSR1);
	while (s.nr < 3)
		assert_true(loop_run_once(l, 1000) >= 0);
	assert_int_equal(s.sig[0], SIGUSR1);
	assert_int_equal(s.sig[1], SIGUSR2);
	assert_int_equal(s.sig[2], SIGUSR1);

	/* one loop owns the process's signals */
	assert_int_equal(loop_watch_signal(other, SIGUSR1, on_signal, &s), -1);
	assert_int_equal(errno, EBUSY);
	assert_int_equal(loop_watch_child(other, getpid(), on_child, NULL), -1);
	assert_int_equal(loop_watch_signal(l, SIGCHLD, on_signal, &s), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(loop_watch_signal(l, SIGKILL, on_signal, &s), -1);

	/* unwatching restores the previous disposition */
	loop_unwatch_signal(l, SIGUSR2);
	sigaction(SIGUSR2, NULL, &now);
	assert_ptr_equal(now.sa_handler, SIG_DFL);
	sigaction(SIGUSR1, NULL, &now);
	assert_ptr_not_equal(now.sa_handler, SIG_DFL);
	loop_free(l);
	*state = NULL;
	sigaction(SIGUSR1, NULL, &now);
	assert_ptr_equal(now.sa_handler, SIG_DFL);
	sigaction(SIGCHLD, NULL, &now);
	assert_ptr_equal(now.sa_handler, SIG_DFL);

	/* once the owner is gone another loop may take over */
	assert_int_equal(loop_watch_signal(other, SIGUSR1, on_signal, &s), 0);
	kill(getpid(), SIGUSR1);
	while (s.nr < 4)
		assert_true(loop_run_once(other, 1000) >= 0);
	loop_free(other);
}

static void on_stop_signal(struct loop *l, int sig, void *data)
{
	(void)sig;
	(void)data;
	loop_stop(l);
}

static void test_signal_stops_a_busy_loop(void **state)
{
	struct loop *l = *state;
	struct order o = { .l = l };

	assert_int_equal(loop_watch_signal(l, SIGTERM, on_stop_signal, NULL), 0);
	loop_add_timer(l, 60000, on_timer, &o);
	kill(getpid(), SIGTERM);
	assert_int_equal(loop_run(l), 0);
	assert_int_equal(o.nr, 0);
}

static void test_no_descriptor_leaks(void **state)
{
	int before = test_count_fds(), fds[2], count = 0;
	struct loop *l = loop_new();
	struct reaped r = { .l = l, .want = 1 };
	struct sigs s = { .nr = 0 };

	(void)state;
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(loop_watch_fd(l, fds[0], LOOP_READ, on_count, &count), 0);
	assert_int_equal(loop_watch_signal(l, SIGUSR1, on_signal, &s), 0);
	assert_int_equal(loop_watch_child(l, start("exit 0"), on_child, &r), 0);
	loop_add_timer(l, 1, on_timer, &(struct order){ .l = l });
	assert_int_equal(loop_run(l), 0);
	assert_int_equal(r.nr, 1);
	loop_free(l);
	close(fds[0]);
	close(fds[1]);
	assert_int_equal(test_count_fds(), before);
}

static int setup_loop(void **state)
{
	*state = loop_new();
	return *state ? 0 : -1;
}

static int teardown_loop(void **state)
{
	loop_free(*state);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_timers_fire_in_order_and_cancel,
						setup_loop, teardown_loop),
		cmocka_unit_test_setup_teardown(test_timer_heap_under_churn,
						setup_loop, teardown_loop),
		cmocka_unit_test_setup_teardown(test_zero_timer_rearming_does_not_starve,
						setup_loop, teardown_loop),
		cmocka_unit_test_setup_teardown(test_run_once_waits_for_next_timer,
						setup_loop, teardown_loop),
		cmocka_unit_test_setup_teardown(test_fd_watches_change_during_dispatch,
						setup_loop, teardown_loop),
		cmocka_unit_test_setup_teardown(test_fd_rewatch_replaces_and_is_level_triggered,
						setup_loop, teardown_loop),
		cmocka_unit_test_setup_teardown(test_child_watch_after_exit,
						setup_loop, teardown_loop),
		cmocka_unit_test_setup_teardown(test_unwatch_child_keeps_status,
						setup_loop, teardown_loop),
		cmocka_unit_test_setup_teardown(test_many_concurrent_children,
						setup_loop, teardown_loop),
		cmocka_unit_test_setup_teardown(test_signals_via_self_pipe,
						setup_loop, teardown_loop),
		cmocka_unit_test_setup_teardown(test_signal_stops_a_busy_loop,
						setup_loop, teardown_loop),
		cmocka_unit_test(test_no_descriptor_leaks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
