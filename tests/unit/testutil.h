/*
 * testutil: small helpers shared by the unit suites that deal with
 * processes, descriptors and scratch trees (open descriptor counts,
 * waiting for a pid to die, reading a pipe to its end, removing a scratch
 * directory). Header-only: each suite is one binary.
 */
#ifndef TESTS_UNIT_TESTUTIL_H
#define TESTS_UNIT_TESTUTIL_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/proc.h"
#include "util/strbuf.h"

/* Open descriptors of this process (the directory's own one excluded). */
static inline int test_count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;
}

/* The state letter of pid in /proc/PID/stat, or 0 when it is gone. */
static inline char test_pid_state(pid_t pid)
{
	char path[64], buf[512], state = 0;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fp = fopen(path, "r");
	if (!fp)
		return 0;
	if (fgets(buf, sizeof(buf), fp) && strrchr(buf, ')'))
		sscanf(strrchr(buf, ')') + 1, " %c", &state);
	fclose(fp);
	return state;
}

/* The parent of pid from /proc/PID/stat, or -1. */
static inline pid_t test_pid_parent(pid_t pid)
{
	char path[64], buf[512];
	int ppid = -1;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fp = fopen(path, "r");
	if (!fp)
		return -1;
	if (fgets(buf, sizeof(buf), fp) && strrchr(buf, ')'))
		sscanf(strrchr(buf, ')') + 1, " %*c %d", &ppid);
	fclose(fp);
	return ppid;
}

static inline void test_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/*
 * Wait up to ms for pid to stop running (gone, or a zombie; our own
 * zombies are reaped). Returns 1 when it did.
 */
static inline int test_wait_dead(pid_t pid, long ms)
{
	for (long waited = 0; waited <= ms; waited += 5) {
		char st = test_pid_state(pid);

		if (!st)
			return 1;
		if (st == 'Z') {
			waitpid(pid, NULL, WNOHANG);
			return 1;
		}
		test_sleep_ms(5);
	}
	return 0;
}

/* Read a (possibly non-blocking) descriptor until EOF; returns 0 or -1. */
static inline int test_read_all(struct strbuf *out, int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char buf[4096];

	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n > 0)
			strbuf_add(out, buf, (size_t)n);
		else if (n == 0)
			return 0;
		else if (errno == EAGAIN)
			poll(&pfd, 1, 10000);
		else if (errno != EINTR)
			return -1;
	}
}

/* Read one line (without the newline) from a descriptor; returns 0 or -1. */
static inline int test_read_line(struct strbuf *out, int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char c;

	for (;;) {
		ssize_t n = read(fd, &c, 1);

		if (n == 1 && c == '\n')
			return 0;
		if (n == 1)
			strbuf_addch(out, c);
		else if (n == 0)
			return -1;
		else if (errno == EAGAIN)
			poll(&pfd, 1, 10000);
		else if (errno != EINTR)
			return -1;
	}
}

/*
 * Remove a scratch tree with rm -rf, not util/fs, so the fs suite does
 * not clean up with what it tests. Returns rm's exit code.
 */
static inline int test_remove_tree(const char *dir)
{
	const char *argv[] = { "rm", "-rf", dir, NULL };
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	int rc = proc_run_capture(argv, &out, 0, &err);

	strbuf_release(&out);
	strbuf_release(&err);
	return rc;
}

#endif
