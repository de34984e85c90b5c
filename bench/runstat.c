/*
 * runstat: runs a command N times with its output discarded and prints
 * how long it took (min and median wall time) and its peak resident set
 * size (getrusage of the children), for the benchmark scripts:
 *   runstat N CMD [ARGS...]
 *   -> runs=N min_ms=12.3 median_ms=12.9 max_rss_kb=4321 status=1
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double runstat_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int runstat_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	int runs = argc > 2 ? atoi(argv[1]) : 0, status = 0;
	double *ms;
	struct rusage ru;

	if (runs < 1) {
		fprintf(stderr, "usage: runstat N CMD [ARGS...]\n");
		return 2;
	}
	ms = calloc((size_t)runs, sizeof(*ms));
	if (!ms)
		return 2;
	for (int i = 0; i < runs; i++) {
		double start = runstat_now_ms();
		pid_t pid = fork();

		if (pid < 0) {
			perror("runstat: fork");
			return 2;
		}
		if (pid == 0) {
			int null = open("/dev/null", O_WRONLY);

			dup2(null, 1);
			dup2(null, 2);
			execvp(argv[2], argv + 2);
			_exit(127);
		}
		waitpid(pid, &status, 0);
		ms[i] = runstat_now_ms() - start;
	}
	qsort(ms, (size_t)runs, sizeof(*ms), runstat_cmp);
	getrusage(RUSAGE_CHILDREN, &ru);
	printf("runs=%d min_ms=%.1f median_ms=%.1f max_rss_kb=%ld status=%d\n", runs, ms[0],
	       ms[runs / 2], ru.ru_maxrss, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	free(ms);
	return 0;
}
