/*
 * exec_fake: the scripted executor for scheduler and planner tests. A
 * step's script is played by a forked child (no exec) from a five-word
 * language (see runner/executor.h), so tests of parallelism, fail-fast,
 * timeouts and cancellation take milliseconds. It runs no real command.
 */
#include "runner/executor.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/fs.h"
#include "util/proc.h"
#include "util/xalloc.h"

struct fake_job {
	struct strbuf workspace, temp, files;
};

static int fake_prepare_job(struct executor *ex, struct exec_job *job,
			    const struct exec_job_spec *spec, struct strbuf *err)
{
	struct fake_job *fj = xcalloc(1, sizeof(*fj));

	(void)ex;
	strbuf_init(&fj->workspace, 0);
	strbuf_init(&fj->temp, 0);
	strbuf_init(&fj->files, 0);
	job->priv = fj;
	job->os = "Linux";
	job->arch = "X64";
	job->environment = "self-hosted";
	job->base_path = "/usr/bin:/bin";
	fs_path_join(&fj->workspace, spec->job_dir, "workspace");
	fs_path_join(&fj->temp, spec->job_dir, "temp");
	fs_path_join(&fj->files, spec->job_dir, "files");
	job->workspace = job->workspace_host = fj->workspace.buf;
	job->temp = job->temp_host = job->tool_cache = fj->temp.buf;
	job->files = job->files_host = fj->files.buf;
	if (fs_mkdir_p(fj->workspace.buf, 0755, err) < 0 || fs_mkdir_p(fj->temp.buf, 0700, err) < 0 ||
	    fs_mkdir_p(fj->files.buf, 0700, err) < 0)
		return -1;
	return 0;
}

static int fake_find_program(struct executor *ex, struct exec_job *job, const char *name,
			     const char *path, struct strbuf *out)
{
	(void)ex;
	(void)job;
	(void)path;
	strbuf_addf(out, "/fake/%s", name);
	return 0;
}

/* Append line to the file named by the environment variable var. */
static int fake_append(const char *var, const char *line)
{
	const char *path = getenv(var);
	int fd = path ? open(path, O_WRONLY | O_APPEND | O_CREAT, 0644) : -1;
	int ok;

	if (fd < 0)
		return -1;
	ok = write(fd, line, strlen(line)) == (ssize_t)strlen(line) && write(fd, "\n", 1) == 1;
	close(fd);
	return ok ? 0 : -1;
}

/* The child: play the script at data (a path); returns the exit status. */
static int fake_play(void *data)
{
	struct strbuf script = STRBUF_INIT;
	char *save = NULL;
	int status = 0;

	if (strbuf_read_file(&script, data, 1 << 20) < 0)
		status = 126;
	for (char *line = status ? NULL : strtok_r(script.buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "echo ", 5)) {
			printf("%s\n", line + 5);
			fflush(stdout);
		} else if (!strncmp(line, "sleep ", 6)) {
			long ms = atol(line + 6);
			struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

			while (nanosleep(&ts, &ts) < 0)
				;
		} else if (!strncmp(line, "output ", 7)) {
			fake_append("GITHUB_OUTPUT", line + 7);
		} else if (!strncmp(line, "env ", 4)) {
			fake_append("GITHUB_ENV", line + 4);
		} else if (!strncmp(line, "exit ", 5)) {
			status = atoi(line + 5);
			break;
		} else if (*line) {
			printf("fake: unknown command '%s'\n", line);
			status = 127;
			break;
		}
	}
	strbuf_release(&script);
	return status;
}

static int fake_start_step(struct executor *ex, struct exec_job *job,
			   const struct exec_step_spec *spec, struct exec_step *out,
			   struct strbuf *err)
{
	struct proc p = PROC_INIT;
	size_t last = 0;
	char *script;
	int ret = -1;

	(void)ex;
	(void)job;
	while (spec->argv[last + 1])
		last++;
	script = xstrdup(spec->argv[last]);
	for (size_t i = 0; spec->env[i]; i++)
		strlist_push(&p.env, spec->env[i]);
	p.dir = spec->dir;
	p.in = PROC_FD_NULL;
	p.out = PROC_FD_PIPE;
	p.err_to_out = 1;
	p.new_group = 1;
	if (proc_start_fn(&p, fake_play, script, err) < 0)
		goto out;
	out->pid = p.pid;
	out->out = p.out;
	ret = 0;
out:
	free(script);
	proc_release(&p);
	return ret;
}

static int fake_signal_step(struct executor *ex, struct exec_job *job,
			    const struct exec_step *step, int sig)
{
	(void)ex;
	(void)job;
	return step->pid > 0 ? kill(-step->pid, sig) : 0;
}

static void fake_finish_job(struct executor *ex, struct exec_job *job)
{
	struct fake_job *fj = job->priv;

	(void)ex;
	if (!fj)
		return;
	strbuf_release(&fj->workspace);
	strbuf_release(&fj->temp);
	strbuf_release(&fj->files);
	free(fj);
	job->priv = NULL;
}

static void fake_free(struct executor *ex)
{
	free(ex);
}

static const struct executor_ops fake_ops = {
	"fake", fake_prepare_job, fake_find_program, fake_start_step, fake_signal_step,
	fake_finish_job, fake_free,
};

struct executor *exec_fake_new(void)
{
	struct executor *ex = xcalloc(1, sizeof(*ex));

	ex->ops = &fake_ops;
	return ex;
}
