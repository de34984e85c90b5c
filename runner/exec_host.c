/*
 * exec_host: the host executor (`--backend host`, `runs-on: self-hosted`):
 * slots of workspace, temp and files directories reused between legs,
 * steps as process groups of this machine, leftovers killed when a leg
 * ends. Containers are the Docker executor's.
 */
#include "runner/executor.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "util/fs.h"
#include "util/proc.h"
#include "util/xalloc.h"

/* A workspace, temp and files directory that one running leg has at a time. */
struct host_slot {
	struct strbuf dir, workspace, temp, files;
	int busy;
	struct timespec clean;          /* nothing in the workspace changed before this */
	pid_t *groups;                  /* process groups of the steps started */
	size_t groups_nr, groups_alloc;
};

struct host_exec {
	char *tool_cache, *slots_dir;
	char arch[16];
	struct strlist found;           /* "name\tPATH\tresult" of programs looked up ("" result: none) */
	struct host_slot **slots;
	size_t slots_nr, slots_alloc;
};

static const struct {
	const char *machine, *arch;
} host_arches[] = {
	{ "x86_64", "X64" }, { "amd64", "X64" }, { "aarch64", "ARM64" }, { "arm64", "ARM64" },
	{ "armv7l", "ARM" }, { "armv6l", "ARM" }, { "i686", "X86" }, { "i386", "X86" },
};

/* ---------------------------------------------------------------- slots */

/* What brings a reused workspace back to the snapshot. */
struct host_sync {
	const char *dst, *src;
	struct timespec clean;
	struct strbuf other, err;
	int failed;
};

static int host_after(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec > b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec >= b->tv_nsec);
}

/*
 * Pass 1 over the workspace: remove what the snapshot does not have, or
 * has otherwise; a file whose ctime is not before the slot was last clean
 * (ctime cannot be set back) or whose size, mtime or mode differ was
 * changed by the leg, and goes too. Pass 2 copies what is missing.
 */
static int host_sync_prune(const struct fs_entry *e, void *data)
{
	struct host_sync *s = data;
	struct stat st;
	int gone;

	strbuf_reset(&s->other);
	fs_path_join(&s->other, s->src, e->rel);
	gone = lstat(s->other.buf, &st) < 0 || (st.st_mode & S_IFMT) != (e->st.st_mode & S_IFMT);
	if (!gone && S_ISDIR(st.st_mode)) {
		if ((st.st_mode & 07777) != (e->st.st_mode & 07777))
			chmod(e->path, st.st_mode & 07777);
		return 0;
	}
	if (!gone)
		gone = host_after(&e->st.st_ctim, &s->clean) || st.st_size != e->st.st_size ||
		       st.st_mtim.tv_sec != e->st.st_mtim.tv_sec ||
		       st.st_mtim.tv_nsec != e->st.st_mtim.tv_nsec || st.st_mode != e->st.st_mode;
	if (!gone)
		return 0;
	if (fs_rm_rf(e->path, &s->err) < 0)
		s->failed = 1;
	return FS_WALK_SKIP;
}

static int host_sync_fill(const struct fs_entry *e, void *data)
{
	struct host_sync *s = data;

	strbuf_reset(&s->other);
	fs_path_join(&s->other, s->dst, e->rel);
	if (fs_exists(s->other.buf))
		return 0;
	if (fs_copy_tree(s->other.buf, e->path, NULL, NULL, &s->err) < 0)
		s->failed = 1;
	return FS_WALK_SKIP;
}

/* Bring slot back to a clean copy of snapshot. */
static int host_slot_reset(struct host_slot *slot, const char *snapshot, struct strbuf *err)
{
	struct host_sync s = { slot->workspace.buf, snapshot, slot->clean, STRBUF_INIT,
			       STRBUF_INIT, 0 };
	int ret = 0;

	if (fs_walk(slot->workspace.buf, 0, host_sync_prune, &s, err) < 0 ||
	    fs_walk(snapshot, 0, host_sync_fill, &s, err) < 0 || fs_empty_dir(slot->temp.buf, 0700, err) < 0)
		ret = -1;
	else if (s.failed) {
		strbuf_add(err, s.err.buf, s.err.len);
		ret = -1;
	}
	strbuf_release(&s.other);
	strbuf_release(&s.err);
	return ret;
}

/* A new slot under slots_dir with a fresh copy of snapshot. */
static struct host_slot *host_slot_new(struct host_exec *h, const char *snapshot,
				       struct strbuf *err)
{
	struct host_slot *slot = xcalloc(1, sizeof(*slot));
	struct strbuf *dirs[] = { &slot->workspace, &slot->temp, &slot->files };
	static const char *const names[] = { "workspace", "temp", "files" };

	strbuf_init(&slot->dir, 0);
	strbuf_addf(&slot->dir, "%s/%zu", h->slots_dir, h->slots_nr + 1);
	for (size_t i = 0; i < 3; i++) {
		strbuf_init(dirs[i], 0);
		fs_path_join(dirs[i], slot->dir.buf, names[i]);
	}
	ALLOC_GROW(h->slots, h->slots_nr + 1, h->slots_alloc);
	h->slots[h->slots_nr++] = slot;
	if (fs_mkdir_p(slot->files.buf, 0700, err) < 0 || fs_mkdir_p(slot->temp.buf, 0700, err) < 0 ||
	    fs_mkdir_p(slot->workspace.buf, 0755, err) < 0 ||
	    fs_copy_tree(slot->workspace.buf, snapshot, NULL, NULL, err) < 0)
		return NULL;
	return slot;
}

static void host_slot_free(struct host_slot *slot)
{
	struct strbuf err = STRBUF_INIT;

	if (slot->dir.len)
		fs_rm_rf(slot->dir.buf, &err);
	strbuf_release(&err);
	strbuf_release(&slot->dir);
	strbuf_release(&slot->workspace);
	strbuf_release(&slot->temp);
	strbuf_release(&slot->files);
	free(slot->groups);
	free(slot);
}

static int host_prepare_job(struct executor *ex, struct exec_job *job,
			    const struct exec_job_spec *spec, struct strbuf *err)
{
	struct host_exec *h = ex->priv;
	struct host_slot *slot = NULL;
	const char *path = getenv("PATH");

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
	if (!fs_is_dir(h->tool_cache) && fs_mkdir_p(h->tool_cache, 0755, err) < 0)
		return -1;
	for (size_t i = 0; i < h->slots_nr && !slot; i++)
		if (!h->slots[i]->busy)
			slot = h->slots[i];
	if (slot && host_slot_reset(slot, spec->snapshot, err) < 0)
		return -1;
	if (!slot && !(slot = host_slot_new(h, spec->snapshot, err)))
		return -1;
	slot->busy = 1;
	slot->groups_nr = 0;
	job->priv = slot;
	job->workspace = job->workspace_host = slot->workspace.buf;
	job->temp = job->temp_host = slot->temp.buf;
	job->files = job->files_host = slot->files.buf;
	clock_gettime(CLOCK_REALTIME_COARSE, &slot->clean);
	return 0;
}

/* Every job looks its shell up: the answers are kept for the run (PATH included in the key). */
static int host_find_program(struct executor *ex, struct exec_job *job, const char *name,
			     const char *path, struct strbuf *out)
{
	struct host_exec *h = ex->priv;
	struct strbuf key = STRBUF_INIT;
	int ret;

	(void)job;
	strbuf_addf(&key, "%s\t%s\t", name, path ? path : "");
	for (size_t i = 0; i < h->found.nr; i++) {
		const char *e = h->found.items[i];

		if (!strncmp(e, key.buf, key.len)) {
			e += key.len;
			strbuf_release(&key);
			strbuf_addstr(out, e);
			return *e ? 0 : -1;
		}
	}
	ret = proc_which(name, path, out);
	strbuf_addstr(&key, ret ? "" : out->buf);
	strlist_push(&h->found, key.buf);
	strbuf_release(&key);
	return ret;
}

static int host_start_step(struct executor *ex, struct exec_job *job,
			   const struct exec_step_spec *spec, struct exec_step *out,
			   struct strbuf *err)
{
	struct host_slot *slot = job->priv;
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
	ALLOC_GROW(slot->groups, slot->groups_nr + 1, slot->groups_alloc);
	slot->groups[slot->groups_nr++] = p.pid;
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
	struct host_slot *slot = job->priv;

	(void)ex;
	if (!slot)
		return;
	for (size_t i = 0; i < slot->groups_nr; i++)
		kill(-slot->groups[i], SIGKILL);
	slot->groups_nr = 0;
	slot->busy = 0;         /* the next leg resets it */
	job->priv = NULL;
}

static void host_free(struct executor *ex)
{
	struct host_exec *h = ex->priv;

	for (size_t i = 0; i < h->slots_nr; i++)
		host_slot_free(h->slots[i]);
	if (h->slots_nr) {
		struct strbuf err = STRBUF_INIT;

		fs_rm_rf(h->slots_dir, &err);
		strbuf_release(&err);
	}
	free(h->slots);
	free(h->tool_cache);
	free(h->slots_dir);
	strlist_release(&h->found);
	free(h);
	free(ex);
}

static const struct executor_ops host_ops = {
	"host", host_prepare_job, host_find_program, host_start_step, host_signal_step,
	host_finish_job, host_free,
};

struct executor *exec_host_new(const char *tool_cache, const char *slots_dir)
{
	struct executor *ex = xcalloc(1, sizeof(*ex));
	struct host_exec *h = xcalloc(1, sizeof(*h));
	struct utsname u;

	h->tool_cache = xstrdup(tool_cache);
	h->slots_dir = xstrdup(slots_dir);
	strlist_init(&h->found);
	snprintf(h->arch, sizeof(h->arch), "X64");
	if (!uname(&u))
		for (size_t i = 0; i < sizeof(host_arches) / sizeof(host_arches[0]); i++)
			if (!strcmp(u.machine, host_arches[i].machine))
				snprintf(h->arch, sizeof(h->arch), "%s", host_arches[i].arch);
	ex->ops = &host_ops;
	ex->priv = h;
	return ex;
}
