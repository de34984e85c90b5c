/*
 * Unit tests for util/proc: spawning with environment, directory and
 * pipes, exit codes and signals, process-group kills, forked functions,
 * capture, the subreaper and the shutdown sweep, descriptor hygiene.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/unit/testutil.h"
#include "util/proc.h"

static char scratch[] = "/tmp/slipway-test-proc.XXXXXX";

static int setup_scratch(void **state)
{
	(void)state;
	return mkdtemp(scratch) ? 0 : -1;
}

static int teardown_scratch(void **state)
{
	(void)state;
	return test_remove_tree(scratch);
}

static void push_args(struct proc *p, const char *const *argv)
{
	for (size_t i = 0; argv[i]; i++)
		strlist_push(&p->args, argv[i]);
}

/* Start p, collect all of its stdout (a pipe), wait, return the wait status. */
static int run_collect(struct proc *p, struct strbuf *out)
{
	struct strbuf err = STRBUF_INIT;
	int status;

	p->out = PROC_FD_PIPE;
	if (proc_start(p, &err) < 0)
		fail_msg("%s", err.buf);
	assert_int_equal(test_read_all(out, p->out), 0);
	close(p->out);
	status = proc_finish(p);
	strbuf_release(&err);
	return status;
}

static void test_env_dir_and_stdin(void **state)
{
	const char *argv[] = { "sh", "-c", "printf '%s|%s|%s|' \"$FOO\" \"$PWD\" \"${HOME-unset}\"; cat",
			       NULL };
	struct proc p = PROC_INIT;
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT, want = STRBUF_INIT;

	(void)state;
	push_args(&p, argv);
	strlist_push(&p.env, "FOO=first");
	strlist_push(&p.env, "FOO=bar");
	strlist_push(&p.env, "HOME");
	p.dir = scratch;
	p.in = PROC_FD_PIPE;
	p.out = PROC_FD_PIPE;
	assert_int_equal(proc_start(&p, &err), 0);
	assert_true(p.in > 2);
	assert_true(fcntl(p.in, F_GETFD) & FD_CLOEXEC);
	assert_true(fcntl(p.out, F_GETFL) & O_NONBLOCK);
	assert_int_equal(write(p.in, "from stdin", 10), 10);
	close(p.in);
	assert_int_equal(test_read_all(&out, p.out), 0);
	close(p.out);
	assert_int_equal(proc_exit_code(proc_finish(&p)), 0);
	strbuf_addf(&want, "bar|%s|unset|from stdin", scratch);
	assert_string_equal(out.buf, want.buf);
	proc_release(&p);
	strbuf_release(&out);
	strbuf_release(&err);
	strbuf_release(&want);
}

static void test_clear_env_uses_default_path(void **state)
{
	const char *argv[] = { "env", NULL };
	struct proc p = PROC_INIT;
	struct strbuf out = STRBUF_INIT;

	(void)state;
	push_args(&p, argv);
	p.clear_env = 1;
	strlist_push(&p.env, "ONLY=1");
	assert_int_equal(proc_exit_code(run_collect(&p, &out)), 0);
	assert_string_equal(out.buf, "ONLY=1\n");
	proc_release(&p);
	strbuf_release(&out);
}

static void test_path_lookup_uses_child_path(void **state)
{
	struct strbuf path = STRBUF_INIT, env = STRBUF_INIT, out = STRBUF_INIT;
	struct proc p = PROC_INIT;
	FILE *fp;

	(void)state;
	strbuf_addf(&path, "%s/slipway-hello", scratch);
	fp = fopen(path.buf, "w");
	assert_non_null(fp);
	fputs("#!/bin/sh\necho hello from PATH\n", fp);
	fclose(fp);
	assert_int_equal(chmod(path.buf, 0755), 0);
	strbuf_addf(&env, "PATH=/nonexistent::%s:/bin:/usr/bin", scratch);
	strlist_push(&p.args, "slipway-hello");
	strlist_push(&p.env, env.buf);
	assert_int_equal(proc_exit_code(run_collect(&p, &out)), 0);
	assert_string_equal(out.buf, "hello from PATH\n");
	proc_release(&p);
	strbuf_release(&path);
	strbuf_release(&env);
	strbuf_release(&out);
}

static void test_merged_output_keeps_order(void **state)
{
	const char *argv[] = { "sh", "-c", "echo a; echo b >&2; echo c; echo d >&2", NULL };
	struct proc p = PROC_INIT;
	struct strbuf out = STRBUF_INIT;

	(void)state;
	push_args(&p, argv);
	p.err = PROC_FD_PIPE;   /* ignored: err_to_out wins */
	p.err_to_out = 1;
	assert_int_equal(proc_exit_code(run_collect(&p, &out)), 0);
	assert_string_equal(out.buf, "a\nb\nc\nd\n");
	assert_int_equal(p.err, PROC_FD_PIPE);
	proc_release(&p);
	strbuf_release(&out);
}

static void test_exit_codes_and_signals(void **state)
{
	static const struct {
		const char *script;
		int code, signal;
	} cases[] = {
		{ "exit 0", 0, 0 },
		{ "exit 3", 3, 0 },
		{ "exit 255", 255, 0 },
		{ "kill -TERM $$", 128 + SIGTERM, SIGTERM },
		{ "kill -KILL $$", 128 + SIGKILL, SIGKILL },
	};
	struct strbuf err = STRBUF_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *argv[] = { "sh", "-c", cases[i].script, NULL };
		struct proc p = PROC_INIT;
		int status;

		push_args(&p, argv);
		assert_int_equal(proc_start(&p, &err), 0);
		status = proc_finish(&p);
		assert_int_equal(proc_exit_code(status), cases[i].code);
		assert_int_equal(WIFSIGNALED(status) ? WTERMSIG(status) : 0, cases[i].signal);
		proc_release(&p);
	}
	assert_int_equal(proc_exit_code(-1), -1);
	strbuf_release(&err);
}

static void test_start_errors(void **state)
{
	static const struct {
		const char *program, *dir, *message;
	} cases[] = {
		{ "slipway-no-such-program", NULL,
		  "cannot run 'slipway-no-such-program': No such file or directory" },
		{ "/nonexistent/prog", NULL, "cannot run '/nonexistent/prog': No such file or directory" },
		{ "/etc/passwd", NULL, "cannot run '/etc/passwd': Permission denied" },
		{ "/tmp", NULL, "cannot run '/tmp': Permission denied" },
		{ "true", "/nonexistent-dir",
		  "cannot change to directory '/nonexistent-dir': No such file or directory" },
		{ "true", "/etc/passwd", "cannot change to directory '/etc/passwd': Not a directory" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct proc p = PROC_INIT;
		struct strbuf err = STRBUF_INIT;
		int fds[2];

		assert_int_equal(pipe(fds), 0);
		strlist_push(&p.args, cases[i].program);
		p.dir = cases[i].dir;
		p.out = fds[1];
		assert_int_equal(proc_start(&p, &err), -1);
		assert_string_equal(err.buf, cases[i].message);
		assert_int_equal(p.pid, -1);
		/* the given descriptor is closed on failure too */
		assert_int_equal(fcntl(fds[1], F_GETFD), -1);
		close(fds[0]);
		proc_release(&p);
		strbuf_release(&err);
	}
}

static void test_no_program(void **state)
{
	struct proc p = PROC_INIT;
	struct strbuf err = STRBUF_INIT;

	(void)state;
	assert_int_equal(proc_start(&p, &err), -1);
	assert_string_equal(err.buf, "no program to run");
	strbuf_release(&err);
}

static void test_given_descriptor_is_dup_and_closed(void **state)
{
	const char *argv[] = { "sh", "-c", "echo out; echo err >&2", NULL };
	struct proc p = PROC_INIT;
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	int fds[2];

	(void)state;
	assert_int_equal(pipe(fds), 0);
	push_args(&p, argv);
	p.out = fds[1];
	p.err = fds[1];
	assert_int_equal(proc_start(&p, &err), 0);
	assert_int_equal(fcntl(fds[1], F_GETFD), -1);
	assert_int_equal(test_read_all(&out, fds[0]), 0);
	close(fds[0]);
	assert_int_equal(proc_exit_code(proc_finish(&p)), 0);
	assert_string_equal(out.buf, "out\nerr\n");
	proc_release(&p);
	strbuf_release(&out);
	strbuf_release(&err);
}

static void test_child_gets_only_std_descriptors(void **state)
{
	const char *argv[] = { "sh", "-c", "ls /proc/$$/fd", NULL };
	struct proc p = PROC_INIT;
	struct strbuf out = STRBUF_INIT;
	int leaky = open("/dev/null", O_RDONLY);    /* deliberately without O_CLOEXEC */

	(void)state;
	assert_true(leaky > 2);
	push_args(&p, argv);
	assert_int_equal(proc_exit_code(run_collect(&p, &out)), 0);
	assert_string_equal(out.buf, "0\n1\n2\n");
	close(leaky);
	proc_release(&p);
	strbuf_release(&out);
}

/* Bit n-1 of a /proc/PID/status signal mask line "Name:\tHEX" for signal n. */
static unsigned long long status_mask(const char *text, const char *name)
{
	const char *at = strstr(text, name);

	assert_non_null(at);
	return strtoull(at + strlen(name), NULL, 16);
}

static void test_child_signal_state_is_default(void **state)
{
	const char *argv[] = { "sh", "-c", "grep -E '^Sig(Ign|Blk)' /proc/self/status", NULL };
	/* glibc's posix_spawn leaves its own internal signals (32, 33) ignored */
	const unsigned long long glibc_internal = 3ULL << 31;
	struct proc p = PROC_INIT;
	struct strbuf out = STRBUF_INIT;
	sigset_t block, old;

	(void)state;
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR2);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old);
	push_args(&p, argv);
	assert_int_equal(proc_exit_code(run_collect(&p, &out)), 0);
	sigprocmask(SIG_SETMASK, &old, NULL);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	assert_int_equal(status_mask(out.buf, "SigBlk:\t"), 0);
	assert_int_equal(status_mask(out.buf, "SigIgn:\t") & ~glibc_internal, 0);
	proc_release(&p);
	strbuf_release(&out);
}

static void test_group_kill_reaches_grandchildren(void **state)
{
	const char *argv[] = { "sh", "-c", "sleep 100 & echo $!; sleep 100", NULL };
	struct proc p = PROC_INIT;
	struct strbuf err = STRBUF_INIT, line = STRBUF_INIT;
	pid_t grandchild;
	int status;

	(void)state;
	push_args(&p, argv);
	p.out = PROC_FD_PIPE;
	p.new_group = 1;
	assert_int_equal(proc_start(&p, &err), 0);
	assert_int_equal(getpgid(p.pid), p.pid);
	assert_int_equal(test_read_line(&line, p.out), 0);
	grandchild = atoi(line.buf);
	assert_true(grandchild > 0);
	assert_int_equal(getpgid(grandchild), p.pid);
	assert_int_equal(proc_signal(&p, SIGTERM), 0);
	status = proc_finish(&p);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGTERM);
	assert_true(test_wait_dead(grandchild, 5000));
	close(p.out);
	proc_release(&p);
	strbuf_release(&err);
	strbuf_release(&line);
}

static void test_signal_without_group_hits_only_child(void **state)
{
	const char *argv[] = { "sleep", "100", NULL };
	struct proc p = PROC_INIT, none = PROC_INIT;
	struct strbuf err = STRBUF_INIT;

	(void)state;
	push_args(&p, argv);
	assert_int_equal(proc_start(&p, &err), 0);
	assert_int_equal(getpgid(p.pid), getpgid(0));
	assert_int_equal(proc_signal(&p, SIGKILL), 0);
	assert_int_equal(proc_exit_code(proc_finish(&p)), 128 + SIGKILL);
	/* an unstarted proc never signals a group or ourselves */
	assert_int_equal(proc_signal(&none, 0), -1);
	assert_int_equal(errno, ESRCH);
	proc_release(&p);
	strbuf_release(&err);
}

static int fn_answer(void *data)
{
	printf("cwd=%s arg=%s\n", getcwd((char[4096]){ 0 }, 4096), (const char *)data);
	return 42;
}

static void test_start_fn_returns_value(void **state)
{
	struct proc p = PROC_INIT;
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT, want = STRBUF_INIT;
	char cwd[4096];

	(void)state;
	p.out = PROC_FD_PIPE;
	p.dir = scratch;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(proc_start_fn(&p, fn_answer, "x", &err), 0);
	assert_int_equal(test_read_all(&out, p.out), 0);
	close(p.out);
	assert_int_equal(proc_exit_code(proc_finish(&p)), 42);
	strbuf_addf(&want, "cwd=%s arg=x\n", scratch);
	assert_string_equal(out.buf, want.buf);
	/* the parent stayed where it was */
	assert_string_equal(getcwd((char[4096]){ 0 }, 4096), cwd);
	proc_release(&p);
	strbuf_release(&err);
	strbuf_release(&out);
	strbuf_release(&want);
}

/* 0 when the parent's descriptor *data is closed here (counting would see valgrind's own). */
static int fn_fd_closed(void *data)
{
	return fcntl(*(int *)data, F_GETFD) < 0 && errno == EBADF ? 0 : 1;
}

static int fn_env(void *data)
{
	const char *v = getenv((const char *)data);

	return v ? atoi(v) : 99;
}

static void on_usr1(int sig)
{
	(void)sig;
}

/* 0 when SIGUSR1's handler is the default and nothing is blocked. */
static int fn_signal_state(void *data)
{
	struct sigaction sa;
	sigset_t mask;

	(void)data;
	sigaction(SIGUSR1, NULL, &sa);
	sigprocmask(SIG_SETMASK, NULL, &mask);
	return (sa.sa_handler != SIG_DFL) | sigismember(&mask, SIGTERM) << 1;
}

static void test_start_fn_signal_state(void **state)
{
	struct proc p = PROC_INIT;
	struct strbuf err = STRBUF_INIT;
	struct sigaction sa = { .sa_handler = on_usr1 }, old_sa;
	sigset_t block, old_mask;

	(void)state;
	sigaction(SIGUSR1, &sa, &old_sa);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old_mask);
	assert_int_equal(proc_start_fn(&p, fn_signal_state, NULL, &err), 0);
	assert_int_equal(proc_exit_code(proc_finish(&p)), 0);
	/* and the parent's own state is as it was */
	sigaction(SIGUSR1, NULL, &sa);
	assert_ptr_equal(sa.sa_handler, on_usr1);
	sigprocmask(SIG_SETMASK, NULL, &block);
	assert_true(sigismember(&block, SIGTERM));
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	sigaction(SIGUSR1, &old_sa, NULL);
	proc_release(&p);
	strbuf_release(&err);
}

static void test_start_fn_setup(void **state)
{
	struct proc p = PROC_INIT;
	struct strbuf err = STRBUF_INIT;
	int leaky = open("/dev/null", O_RDONLY);

	(void)state;
	assert_true(leaky > 2);
	assert_int_equal(proc_start_fn(&p, fn_fd_closed, &leaky, &err), 0);
	assert_int_equal(proc_exit_code(proc_finish(&p)), 0);
	close(leaky);

	strlist_push(&p.env, "SLIPWAY_FN_VALUE=17");
	p.new_group = 1;
	assert_int_equal(proc_start_fn(&p, fn_env, "SLIPWAY_FN_VALUE", &err), 0);
	assert_int_equal(getpgid(p.pid), p.pid);
	assert_int_equal(proc_exit_code(proc_finish(&p)), 17);
	assert_null(getenv("SLIPWAY_FN_VALUE"));

	p.dir = "/nonexistent-dir";
	assert_int_equal(proc_start_fn(&p, fn_env, "X", &err), -1);
	assert_string_equal(err.buf,
			    "cannot change to directory '/nonexistent-dir': No such file or directory");
	assert_int_equal(p.pid, -1);
	proc_release(&p);
	strbuf_release(&err);
}

static void test_run_capture(void **state)
{
	const char *echo[] = { "echo", "hi", NULL };
	const char *code[] = { "sh", "-c", "echo partial; exit 7", NULL };
	const char *flood[] = { "yes", NULL };
	const char *killed[] = { "sh", "-c", "echo gone; kill -KILL $$", NULL };
	const char *missing[] = { "slipway-no-such-program", NULL };
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;

	(void)state;
	strbuf_addstr(&out, "kept:");
	assert_int_equal(proc_run_capture(echo, &out, 100, &err), 0);
	assert_string_equal(out.buf, "kept:hi\n");
	strbuf_reset(&out);
	assert_int_equal(proc_run_capture(code, &out, 0, &err), 7);
	assert_string_equal(out.buf, "partial\n");
	assert_string_equal(err.buf, "");

	strbuf_reset(&out);
	assert_int_equal(proc_run_capture(flood, &out, 1000, &err), -1);
	assert_string_equal(err.buf, "output of 'yes' exceeds 1000 bytes");
	assert_string_equal(out.buf, "");
	strbuf_reset(&err);
	assert_int_equal(proc_run_capture(killed, &out, 0, &err), -1);
	assert_string_equal(err.buf, "'sh' was killed by signal 9 (Killed)");
	assert_string_equal(out.buf, "");
	strbuf_reset(&err);
	assert_int_equal(proc_run_capture(missing, &out, 0, &err), -1);
	assert_string_equal(err.buf,
			    "cannot run 'slipway-no-such-program': No such file or directory");
	strbuf_release(&out);
	strbuf_release(&err);
}

/* Double fork and setsid, as a daemon does; prints the daemon's pid. */
static int fn_daemonise(void *data)
{
	pid_t mid;

	(void)data;
	mid = fork();
	if (mid == 0) {
		setsid();
		pid_t dpid = fork();
		if (dpid == 0) {
			int null = open("/dev/null", O_WRONLY);
			dup2(null, 1);
			execl("/bin/sleep", "sleep", "100", (char *)NULL);
			_exit(127);
		}
		printf("%d\n", (int)dpid);
		fflush(stdout);
		_exit(dpid > 0 ? 0 : 1);
	}
	if (mid < 0 || waitpid(mid, NULL, 0) != mid)
		return 1;
	return 0;
}

static void test_subreaper_sweep_kills_daemon(void **state)
{
	struct proc p = PROC_INIT;
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;
	pid_t daemon;
	int status;

	(void)state;
	assert_int_equal(proc_become_subreaper(&err), 0);
	p.out = PROC_FD_PIPE;
	assert_int_equal(proc_start_fn(&p, fn_daemonise, NULL, &err), 0);
	assert_int_equal(test_read_all(&out, p.out), 0);
	close(p.out);
	assert_int_equal(proc_exit_code(proc_finish(&p)), 0);
	daemon = atoi(out.buf);
	assert_true(daemon > 0);
	/* orphaned by its parent, the daemon was adopted by us, not init */
	assert_int_equal(test_pid_parent(daemon), getpid());
	assert_int_not_equal(getsid(daemon), getsid(0));

	assert_int_equal(proc_kill_descendants(&err), 1);
	assert_string_equal(err.buf, "");
	assert_int_equal(waitpid(daemon, &status, 0), daemon);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);
	/* nothing left: a second sweep kills nobody */
	assert_int_equal(proc_kill_descendants(&err), 0);
	proc_release(&p);
	strbuf_release(&err);
	strbuf_release(&out);
}

static void test_sweep_kills_whole_trees(void **state)
{
	const char *argv[] = { "sh", "-c", "sleep 100 & sleep 100 & (sleep 100 &) ; wait", NULL };
	struct proc p[3] = { PROC_INIT, PROC_INIT, PROC_INIT };
	struct strbuf err = STRBUF_INIT;
	int killed;

	(void)state;
	assert_int_equal(proc_become_subreaper(&err), 0);
	for (int i = 0; i < 3; i++) {
		push_args(&p[i], argv);
		p[i].new_group = i == 1;
		assert_int_equal(proc_start(&p[i], &err), 0);
	}
	/* give the shells time to start their sleeps */
	test_sleep_ms(200);
	killed = proc_kill_descendants(&err);
	assert_string_equal(err.buf, "");
	assert_true(killed >= 3 && killed <= 12);
	for (int i = 0; i < 3; i++) {
		int status = proc_finish(&p[i]);

		assert_true(WIFSIGNALED(status));
		assert_int_equal(WTERMSIG(status), SIGKILL);
		proc_release(&p[i]);
	}
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	assert_int_equal(proc_kill_descendants(&err), 0);
	strbuf_release(&err);
}

static void test_no_descriptor_leaks(void **state)
{
	const char *argv[] = { "sh", "-c", "cat; echo x >&2", NULL };
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;
	int before = test_count_fds();

	(void)state;
	for (int i = 0; i < 20; i++) {
		struct proc p = PROC_INIT;

		push_args(&p, argv);
		p.in = PROC_FD_PIPE;
		p.out = PROC_FD_PIPE;
		p.err = PROC_FD_PIPE;
		assert_int_equal(proc_start(&p, &err), 0);
		close(p.in);
		assert_int_equal(test_read_all(&out, p.err), 0);
		close(p.out);
		close(p.err);
		proc_finish(&p);

		proc_release(&p);
		strlist_push(&p.args, "slipway-no-such-program");
		p.in = PROC_FD_PIPE;
		p.out = PROC_FD_PIPE;
		p.err = PROC_FD_NULL;
		assert_int_equal(proc_start(&p, &err), -1);
		p.out = PROC_FD_PIPE;
		p.dir = "/nonexistent-dir";
		assert_int_equal(proc_start_fn(&p, fn_env, "X", &err), -1);
		proc_release(&p);
	}
	assert_int_equal(test_count_fds(), before);
	strbuf_release(&err);
	strbuf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_env_dir_and_stdin),
		cmocka_unit_test(test_clear_env_uses_default_path),
		cmocka_unit_test(test_path_lookup_uses_child_path),
		cmocka_unit_test(test_merged_output_keeps_order),
		cmocka_unit_test(test_exit_codes_and_signals),
		cmocka_unit_test(test_start_errors),
		cmocka_unit_test(test_no_program),
		cmocka_unit_test(test_given_descriptor_is_dup_and_closed),
		cmocka_unit_test(test_child_gets_only_std_descriptors),
		cmocka_unit_test(test_child_signal_state_is_default),
		cmocka_unit_test(test_group_kill_reaches_grandchildren),
		cmocka_unit_test(test_signal_without_group_hits_only_child),
		cmocka_unit_test(test_start_fn_returns_value),
		cmocka_unit_test(test_start_fn_setup),
		cmocka_unit_test(test_start_fn_signal_state),
		cmocka_unit_test(test_run_capture),
		cmocka_unit_test(test_subreaper_sweep_kills_daemon),
		cmocka_unit_test(test_sweep_kills_whole_trees),
		cmocka_unit_test(test_no_descriptor_leaks),
	};
	return cmocka_run_group_tests(tests, setup_scratch, teardown_scratch);
}
