/*
 * bench/spawn: what starting and reaping a process costs through
 * util/proc + util/loop (one at a time, and 16 in flight), next to a raw
 * fork+exec+waitpid and a shell loop running the same binary, then again
 * with a large heap in the parent (where fork must copy page tables and
 * posix_spawn need not). The methods alternate in rounds so that load
 * from elsewhere hits them alike; the median and best round are printed
 * in microseconds per process, with the ratios, all from this run.
 * Usage: spawn [N] (processes per method, default 2000).
 */
#include "util/loop.h"
#include "util/proc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TRUE_PATH "/bin/true"
#define ROUNDS 10
#define BIG_HEAP_MB 256
#define STR_(x) #x
#define STR(x) STR_(x)

struct run {
	struct loop *loop;
	int total, started, finished, failed, in_flight, max_in_flight;
};

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void on_exit_status(struct loop *l, pid_t pid, int status, void *data);

/* Start `true` (found through PATH, as a step's program is) in its own group, and watch it. */
static int start_one(struct run *r)
{
	struct proc p = PROC_INIT;
	struct strbuf err = STRBUF_INIT;
	int rc;

	strlist_push(&p.args, "true");
	p.new_group = 1;
	rc = proc_start(&p, &err);
	if (rc == 0)
		rc = loop_watch_child(r->loop, p.pid, on_exit_status, r);
	if (rc < 0)
		fprintf(stderr, "spawn: %s\n", err.len ? err.buf : "cannot watch the child");
	proc_release(&p);
	strbuf_release(&err);
	if (rc == 0) {
		r->started++;
		r->in_flight++;
	}
	return rc;
}

static void on_exit_status(struct loop *l, pid_t pid, int status, void *data)
{
	struct run *r = data;

	(void)pid;
	r->finished++;
	r->in_flight--;
	if (proc_exit_code(status) != 0)
		r->failed++;
	while (r->started < r->total && r->in_flight < r->max_in_flight)
		if (start_one(r) < 0) {
			r->failed++;
			r->total = r->started;
		}
	if (r->finished == r->total)
		loop_stop(l);
}

/* Microseconds per process through proc + loop with up to width in flight. */
static double bench_loop(int n, int width)
{
	struct run r = { loop_new(), n, 0, 0, 0, 0, width };
	double t0 = now_us();

	while (r.started < width && r.started < n)
		if (start_one(&r) < 0)
			exit(1);
	loop_run(r.loop);
	t0 = (now_us() - t0) / n;
	loop_free(r.loop);
	if (r.failed || r.finished != n) {
		fprintf(stderr, "spawn: %d of %d processes failed\n", r.failed, n);
		exit(1);
	}
	return t0;
}

static double bench_loop_serial(int n)
{
	return bench_loop(n, 1);
}

static double bench_loop_wide(int n)
{
	return bench_loop(n, 16);
}

/* The textbook fork + execv + waitpid. */
static double bench_fork_exec(int n)
{
	char *argv[] = { "true", NULL };
	double t0 = now_us();

	for (int i = 0; i < n; i++) {
		pid_t pid = fork();
		int status;

		if (pid == 0) {
			execv(TRUE_PATH, argv);
			_exit(127);
		}
		if (pid < 0 || waitpid(pid, &status, 0) != pid || status) {
			fprintf(stderr, "spawn: fork+exec failed\n");
			exit(1);
		}
	}
	return (now_us() - t0) / n;
}

/* sh forking the binary n times (the shell's `true` builtin would fork nothing). */
static double bench_shell(int n)
{
	char script[256];
	const char *argv[] = { "sh", "-c", script, NULL };
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	double t0;

	snprintf(script, sizeof(script),
		 "i=0; while [ $i -lt %d ]; do %s; i=$((i+1)); done", n, TRUE_PATH);
	t0 = now_us();
	if (proc_run_capture(argv, &out, 0, &err) != 0) {
		fprintf(stderr, "spawn: %s\n", err.len ? err.buf : "the shell loop failed");
		exit(1);
	}
	t0 = now_us() - t0;
	strbuf_release(&out);
	strbuf_release(&err);
	return t0 / n;
}

struct method {
	const char *name;
	double (*fn)(int n);
	double us[ROUNDS];
	double median, best;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Run every method for n processes, in ROUNDS interleaved rounds. */
static void measure(struct method *m, size_t nr, int n)
{
	int per_round = n / ROUNDS > 0 ? n / ROUNDS : 1;

	for (int r = 0; r < ROUNDS; r++)
		for (size_t i = 0; i < nr; i++)
			m[i].us[r] = m[i].fn(per_round);
	for (size_t i = 0; i < nr; i++) {
		qsort(m[i].us, ROUNDS, sizeof(double), cmp_double);
		m[i].median = (m[i].us[ROUNDS / 2 - 1] + m[i].us[ROUNDS / 2]) / 2;
		m[i].best = m[i].us[0];
	}
}

static void report(const char *title, const struct method *m, size_t nr, int n)
{
	printf("%s, %d processes per method (us per process):\n", title, n);
	printf("  %-34s %9s %9s\n", "", "median", "best");
	for (size_t i = 0; i < nr; i++)
		printf("  %-34s %9.1f %9.1f\n", m[i].name, m[i].median, m[i].best);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 2000;
	struct method small[] = {
		{ "proc+loop, one at a time", bench_loop_serial },
		{ "proc+loop, 16 in flight (per proc)", bench_loop_wide },
		{ "fork+execv+waitpid", bench_fork_exec },
		{ "sh loop running " TRUE_PATH, bench_shell },
	};
	struct method big[] = {
		{ "proc+loop, one at a time", bench_loop_serial },
		{ "fork+execv+waitpid", bench_fork_exec },
	};
	size_t heap = (size_t)BIG_HEAP_MB << 20;
	char *ballast;

	if (n <= 0) {
		fprintf(stderr, "usage: spawn [N]\n");
		return 2;
	}
	/* warm the caches (binary, dynamic loader) so the first method is not penalised */
	bench_fork_exec(20);
	measure(small, 4, n);
	report("spawn+wait of `true`", small, 4, n);
	printf("ratio proc+loop / sh loop:      %.2f (median), %.2f (best)\n",
	       small[0].median / small[3].median, small[0].best / small[3].best);
	printf("ratio proc+loop / fork+exec:    %.2f (median), %.2f (best)\n",
	       small[0].median / small[2].median, small[0].best / small[2].best);
	printf("cost per job over the shell's:  %.3f ms (median)\n",
	       (small[0].median - small[3].median) / 1000.0);

	/* small pages, as a heap of many small allocations has: fork copies an entry per 4 KiB */
	ballast = mmap(NULL, heap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ballast == MAP_FAILED)
		return 1;
	madvise(ballast, heap, MADV_NOHUGEPAGE);
	memset(ballast, 1, heap);
	measure(big, 2, n / 4);
	report("\nwith " STR(BIG_HEAP_MB) " MiB resident in the parent", big, 2, n / 4);
	printf("ratio proc+loop / fork+exec:    %.2f (median), %.2f (best)\n",
	       big[0].median / big[1].median, big[0].best / big[1].best);
	munmap(ballast, heap);
	return 0;
}
