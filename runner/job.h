/*
 * job: running one leg on an executor — contexts, env, step `if:`, shells,
 * workflow and file commands, outcome vs conclusion, timeouts, the
 * cancellation sequence, job outputs — on the run's loop. Whether and when
 * a leg runs is runner/sched.c's business.
 */
#ifndef RUNNER_JOB_H
#define RUNNER_JOB_H

#include "runner/plan.h"
#include "runner/run.h"
#include "util/strbuf.h"

/* GitHub's defaults, in minutes. */
#define JOB_DEFAULT_TIMEOUT_MINUTES 360.0
#define JOB_DEFAULT_CANCEL_TIMEOUT_MINUTES 5.0

enum job_stop {
	JOB_STOP_CANCEL,        /* the run was cancelled, or fail-fast / concurrency cancelled it */
	JOB_STOP_TIMEOUT,       /* timeout-minutes of the job ran out (the job fails) */
};

/*
 * Start leg (the scheduler has made it RUNNING): prepare it on run->exec
 * and run its steps. Always ends in one call of run->leg_done(run, leg),
 * never from inside job_start, with leg->result and finished_ms set.
 */
void job_start(struct run *run, struct plan_leg *leg);

/*
 * Stop a running leg: the running step gets GitHub's sequence (SIGINT,
 * then SIGTERM after run->opts.kill_after_ms[0], SIGKILL of its process
 * group after [1] more); later steps run only when their `if:` asks for
 * it (always(), cancelled()). Stopping twice does nothing more.
 */
void job_stop(struct run *run, struct plan_leg *leg, enum job_stop why);

/* Kill the running step's processes now and run no further step. */
void job_kill(struct run *run, struct plan_leg *leg);

#endif
