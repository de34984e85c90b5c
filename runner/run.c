/*
 * run: the clock helpers every writer of the run shares (timestamps in
 * logs, run.json and events). The run's state itself is a plain struct.
 */
#include "runner/run.h"

#include <time.h>

uint64_t run_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void run_format_time(struct strbuf *out, uint64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char buf[40];

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	strbuf_addf(out, "%s.%03uZ", buf, (unsigned)(ms % 1000));
}
