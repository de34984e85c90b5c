/*
 * timing: wall-clock helpers for the unit tests that bound how long hostile
 * input may take. Bounds stretch under valgrind (make valgrind), which runs
 * ~50x slower.
 */
#ifndef TESTS_UNIT_TIMING_H
#define TESTS_UNIT_TIMING_H

#include <stdlib.h>
#include <time.h>

static inline double budget_s(double s)
{
	return getenv("SLIPWAY_VALGRIND") ? s * 50 : s;
}

static inline double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#endif
