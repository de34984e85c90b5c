/*
 * exec_host: the host executor (`--backend host`, what `runs-on:
 * self-hosted` means): each leg gets a plain copy of the snapshot as its
 * workspace and its own temp directory under its job directory, steps run
 * as process groups of this machine, and what a leg leaves running is
 * killed when it finishes. Containers are the Docker executor's.
 */
#include "runner/executor.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "util/fs.h"
#include "util/proc.h"
#include "util/xalloc.h"

struct host_exec {
	char *tool_cache;
	char arch[16];
};

struct host_job {
	struct strbuf workspace, temp;
	pid_t *groups;                  /* process groups of the steps started */
	size_t groups_nr, groups_alloc;
};

static const struct {
	const char *machine, *arch;
} host_arches[] = {
	{ "x86_64", "X64" }, { "amd64", "X64" }, { "aarch64", "ARM64" }, { "arm64", "ARM64" },
	{ "armv7l", "ARM" }, { "armv6l", "ARM" }, { "i686", "X86" }, { "i386", "X86" },
};

static int host_prepare_job(struct executor *ex, struct exec_job *job,
			    const struct exec_job_spec *spec, struct strbuf *err)
{
	struct host_exec *h = ex->priv;
	struct host_job *hj = xcalloc(1, sizeof(*hj));
	const char *path = getenv("PATH");

	strbuf_init(&hj->workspace, 0);
	strbuf_init(&hj->temp, 0);
	job->priv = hj;
	job->os = "Linux";
	job->arch = h->arch;
	job->environment = "self-hosted";
	job->tool_cache = h->tool_cache;
	job->base_path = path && *path ? path : "/usr/local/bin:/usr/bin:/bin";
	if (spec->container.kind != VAL_NULL || spec->services.kind != VAL_NULL) {
		strbuf_addstr(err, "job containers and services need the docker backend; "
			      "the host backend runs steps on this machine");
		return -1;
	}
	fs_path_join(&hj->workspace, spec->job_dir, "workspace");
	fs_path_join(&hj->temp, spec->job_dir, "temp");
	if (fs_mkdir_p(h->tool_cache, 0755, err) < 0 || fs_mkdir_p(hj->temp.buf, 0700, err) < 0 ||
	    fs_mkdir_p(hj->workspace.buf, 0755, err) < 0 ||
	    fs_copy_tree(hj->workspace.buf, spec->snapshot, NULL, NULL, err) < 0)
		return -1;
	job->workspace = job->workspace_host = hj->workspace.buf;
	job->temp = job->temp_host = hj->temp.buf;
	return 0;
}

static int host_find_program(struct executor *ex, struct exec_job *job, const char *name,
			     const char *path, struct strbuf *out)
{
	(void)ex;
	(void)job;
	if (strchr(name, '/')) {
		strbuf_addstr(out, name);
		return access(name, X_OK) ? -1 : 0;
	}
	for (const char *p = path; p && *p;) {
		size_t len = strcspn(p, ":");

		strbuf_reset(out);
		strbuf_add(out, len ? p : ".", len ? len : 1);
		strbuf_addf(out, "/%s", name);
		if (!access(out->buf, X_OK))
			return 0;
		p += len;
		if (*p)
			p++;
	}
	strbuf_reset(out);
	return -1;
}

static int host_start_step(struct executor *ex, struct exec_job *job,
			   const struct exec_step_spec *spec, struct exec_step *out,
			   struct strbuf *err)
{
	struct host_job *hj = job->priv;
	struct proc p = PROC_INIT;
	int ret = -1;

	(void)ex;
	for (size_t i = 0; spec->argv[i]; i++)
		strlist_push(&p.args, spec->argv[i]);
	for (size_t i = 0; spec->env[i]; i++)
		strlist_push(&p.env, spec->env[i]);
	p.dir = spec->dir;
	p.in = PROC_FD_NULL;
	p.out = PROC_FD_PIPE;
	p.err_to_out = 1;
	p.new_group = 1;
	if (proc_start(&p, err) < 0)
		goto out;
	out->pid = p.pid;
	out->out = p.out;
	ALLOC_GROW(hj->groups, hj->groups_nr + 1, hj->groups_alloc);
	hj->groups[hj->groups_nr++] = p.pid;
	ret = 0;
out:
	proc_release(&p);
	return ret;
}

static int host_signal_step(struct executor *ex, struct exec_job *job,
			    const struct exec_step *step, int sig)
{
	(void)ex;
	(void)job;
	if (step->pid <= 0)
		return 0;
	if (kill(-step->pid, sig) < 0 && errno != ESRCH)
		return -1;
	return 0;
}

static void host_finish_job(struct executor *ex, struct exec_job *job)
{
	struct host_job *hj = job->priv;
	struct strbuf err = STRBUF_INIT;

	(void)ex;
	if (!hj)
		return;
	for (size_t i = 0; i < hj->groups_nr; i++)
		kill(-hj->groups[i], SIGKILL);
	if (hj->workspace.len)
		fs_rm_rf(hj->workspace.buf, &err);
	if (hj->temp.len)
		fs_rm_rf(hj->temp.buf, &err);
	strbuf_release(&err);
	strbuf_release(&hj->workspace);
	strbuf_release(&hj->temp);
	free(hj->groups);
	free(hj);
	job->priv = NULL;
}

static void host_free(struct executor *ex)
{
	struct host_exec *h = ex->priv;

	free(h->tool_cache);
	free(h);
	free(ex);
}

static const struct executor_ops host_ops = {
	"host", host_prepare_job, host_find_program, host_start_step, host_signal_step,
	host_finish_job, host_free,
};

struct executor *exec_host_new(const char *tool_cache)
{
	struct executor *ex = xcalloc(1, sizeof(*ex));
	struct host_exec *h = xcalloc(1, sizeof(*h));
	struct utsname u;

	h->tool_cache = xstrdup(tool_cache);
	snprintf(h->arch, sizeof(h->arch), "X64");
	if (!uname(&u))
		for (size_t i = 0; i < sizeof(host_arches) / sizeof(host_arches[0]); i++)
			if (!strcmp(u.machine, host_arches[i].machine))
				snprintf(h->arch, sizeof(h->arch), "%s", host_arches[i].arch);
	ex->ops = &host_ops;
	ex->priv = h;
	return ex;
}
