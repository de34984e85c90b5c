/*
 * proc: starting children (posix_spawn for programs, fork for functions),
 * their descriptors, environment and process groups; waiting for one
 * child; the subreaper and the shutdown sweep over all descendants.
 * Asynchronous reaping and signal handlers belong to util/loop, not here.
 */
#include "util/proc.h"
#include "util/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Everything a start needs, prepared in the parent before the child exists. */
struct proc_plan {
	int src[3];             /* descriptor to dup onto 0/1/2, or -1 to inherit */
	int close_after[6];     /* descriptors the parent closes once the child runs */
	size_t nr_close;
	int parent_end[3];      /* PROC_FD_PIPE: the parent's end, else -1 */
	char **envp;            /* borrowed strings; NULL: our environ as it is */
	struct strbuf path;     /* the program, after the PATH lookup */
};

void proc_init(struct proc *p)
{
	struct proc blank = PROC_INIT;

	*p = blank;
}

void proc_release(struct proc *p)
{
	strlist_release(&p->args);
	strlist_release(&p->env);
}

/* Move fd above the standard descriptors so dup2 onto 0-2 cannot clobber it. */
static int proc_fd_above_std(int fd, int owned)
{
	int nfd;

	if (fd < 0 || fd > 2)
		return fd;
	nfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (owned) {
		int saved = errno;
		close(fd);
		errno = saved;
	}
	return nfd;
}

static void proc_plan_close_later(struct proc_plan *pl, int fd)
{
	for (size_t i = 0; i < pl->nr_close; i++)
		if (pl->close_after[i] == fd)
			return;
	pl->close_after[pl->nr_close++] = fd;
}

static void proc_plan_release(struct proc_plan *pl, int failed)
{
	for (size_t i = 0; i < pl->nr_close; i++)
		close(pl->close_after[i]);
	pl->nr_close = 0;
	if (failed)
		for (int i = 0; i < 3; i++)
			if (pl->parent_end[i] >= 0)
				close(pl->parent_end[i]);
	free(pl->envp);
	strbuf_release(&pl->path);
}

/* The child's side of descriptor i (0 = stdin) as requested by spec. */
static int proc_plan_fd(struct proc_plan *pl, int i, int spec, int *devnull,
			struct strbuf *err)
{
	int fds[2];

	switch (spec) {
	case PROC_FD_INHERIT:
		return 0;
	case PROC_FD_NULL:
		if (*devnull < 0) {
			*devnull = proc_fd_above_std(open("/dev/null", O_RDWR | O_CLOEXEC), 1);
			if (*devnull < 0) {
				strbuf_addf(err, "cannot open '/dev/null': %s", strerror(errno));
				return -1;
			}
			proc_plan_close_later(pl, *devnull);
		}
		pl->src[i] = *devnull;
		return 0;
	case PROC_FD_PIPE:
		if (pipe2(fds, O_CLOEXEC) < 0) {
			strbuf_addf(err, "cannot create a pipe: %s", strerror(errno));
			return -1;
		}
		pl->parent_end[i] = i ? fds[0] : fds[1];
		pl->src[i] = proc_fd_above_std(i ? fds[1] : fds[0], 1);
		if (pl->src[i] < 0 || fcntl(pl->parent_end[i], F_SETFL, O_NONBLOCK) < 0) {
			strbuf_addf(err, "cannot set up a pipe: %s", strerror(errno));
			if (pl->src[i] >= 0)
				close(pl->src[i]);
			return -1;
		}
		proc_plan_close_later(pl, pl->src[i]);
		return 0;
	default:
		if (spec < 0) {
			strbuf_addf(err, "invalid descriptor %d for the child", spec);
			return -1;
		}
		pl->src[i] = proc_fd_above_std(spec, 0);
		if (pl->src[i] < 0) {
			strbuf_addf(err, "cannot duplicate descriptor %d: %s", spec, strerror(errno));
			return -1;
		}
		proc_plan_close_later(pl, pl->src[i]);
		return 0;
	}
}

/* environ (unless clear_env) with p->env applied: "K=V" sets, "K" unsets. */
static char **proc_build_env(const struct proc *p)
{
	size_t nr = 0, base = 0;
	char **envp;

	if (!p->clear_env)
		while (environ[base])
			base++;
	envp = xmalloc((base + p->env.nr + 1) * sizeof(*envp));
	for (size_t i = 0; i < base; i++)
		envp[nr++] = environ[i];
	for (size_t i = 0; i < p->env.nr; i++) {
		char *e = p->env.items[i];
		size_t klen = strcspn(e, "="), j = 0;

		while (j < nr) {
			if (!strncmp(envp[j], e, klen) && envp[j][klen] == '=')
				envp[j] = envp[--nr];
			else
				j++;
		}
		if (e[klen] == '=')
			envp[nr++] = e;
	}
	envp[nr] = NULL;
	return envp;
}

static int proc_is_executable(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -ENOENT;
	if (!S_ISREG(st.st_mode) || faccessat(AT_FDCWD, path, X_OK, AT_EACCESS) < 0)
		return -EACCES;
	return 0;
}

/* Is candidate (relative to dir, where the child runs) executable? */
static int proc_check_program(struct strbuf *scratch, const char *candidate, const char *dir)
{
	strbuf_reset(scratch);
	if (dir && candidate[0] != '/')
		strbuf_addf(scratch, "%s/", dir);
	strbuf_addstr(scratch, candidate);
	return proc_is_executable(scratch->buf);
}

/*
 * Resolve name in the child's PATH into out. Returns 0, or the errno
 * execvp would report (ENOENT, or EACCES when only non-executable files
 * of that name exist). Checking here rather than relying on posix_spawn
 * keeps errors exact where the C library or valgrind report exec
 * failures only as exit status 127.
 */
static int proc_find_program(struct strbuf *out, const char *name, char *const *envp,
			     const char *dir)
{
	const char *path = "/bin:/usr/bin";
	struct strbuf check = STRBUF_INIT;
	int found = ENOENT;

	if (strchr(name, '/')) {
		strbuf_addstr(out, name);
		found = -proc_check_program(&check, name, dir);
		strbuf_release(&check);
		return found;
	}
	for (size_t i = 0; envp[i]; i++)
		if (!strncmp(envp[i], "PATH=", 5)) {
			path = envp[i] + 5;
			break;
		}
	for (const char *p = path;; p++) {
		size_t len = strcspn(p, ":");
		int rc;

		strbuf_reset(out);
		if (len)
			strbuf_add(out, p, len);
		else
			strbuf_addch(out, '.');
		strbuf_addf(out, "/%s", name);
		rc = proc_check_program(&check, out->buf, dir);
		if (!rc) {
			found = 0;
			break;
		}
		if (rc == -EACCES)
			found = EACCES;
		p += len;
		if (!*p)
			break;
	}
	strbuf_release(&check);
	return found;
}

/* 0 if p->dir is usable (or unset), else -1 with the reason in err. */
static int proc_check_dir(const struct proc *p, struct strbuf *err)
{
	struct stat st;
	int errnum = 0;

	if (!p->dir)
		return 0;
	if (stat(p->dir, &st) < 0)
		errnum = errno;
	else if (!S_ISDIR(st.st_mode))
		errnum = ENOTDIR;
	if (!errnum)
		return 0;
	strbuf_addf(err, "cannot change to directory '%s': %s", p->dir, strerror(errnum));
	return -1;
}

static void proc_report_failure(const struct proc *p, int errnum, struct strbuf *err)
{
	if (proc_check_dir(p, err) == 0)
		strbuf_addf(err, "cannot run '%s': %s", p->args.items[0], strerror(errnum));
}

static int proc_plan_init(struct proc_plan *pl, struct proc *p, int need_program,
			  struct strbuf *err)
{
	const int spec[3] = { p->in, p->out, p->err_to_out ? PROC_FD_INHERIT : p->err };
	int devnull = -1, rc;

	memset(pl, 0, sizeof(*pl));
	strbuf_init(&pl->path, 0);
	for (int i = 0; i < 3; i++)
		pl->src[i] = pl->parent_end[i] = -1;
	/* Given descriptors are closed whatever happens, so register them first. */
	if (p->err_to_out && p->err > 2)
		proc_plan_close_later(pl, p->err);
	for (int i = 0; i < 3; i++)
		if (spec[i] > 2)
			proc_plan_close_later(pl, spec[i]);
	if (need_program && !p->args.nr) {
		strbuf_addstr(err, "no program to run");
		goto fail;
	}
	for (int i = 0; i < 3; i++)
		if (proc_plan_fd(pl, i, spec[i], &devnull, err) < 0)
			goto fail;
	if (p->clear_env || p->env.nr)
		pl->envp = proc_build_env(p);
	if (need_program) {
		if (proc_check_dir(p, err) < 0)
			goto fail;
		rc = proc_find_program(&pl->path, p->args.items[0],
				       pl->envp ? pl->envp : environ, p->dir);
		if (rc) {
			strbuf_addf(err, "cannot run '%s': %s", p->args.items[0], strerror(rc));
			goto fail;
		}
	}
	return 0;
fail:
	proc_plan_release(pl, 1);
	return -1;
}

/* Hand the parent's pipe ends back through p->in/out/err. */
static void proc_plan_publish(struct proc_plan *pl, struct proc *p)
{
	if (pl->parent_end[0] >= 0)
		p->in = pl->parent_end[0];
	if (pl->parent_end[1] >= 0)
		p->out = pl->parent_end[1];
	if (pl->parent_end[2] >= 0)
		p->err = pl->parent_end[2];
}

int proc_start(struct proc *p, struct strbuf *err)
{
	struct proc_plan pl;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all;
	short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
	int rc;

	p->pid = -1;
	if (proc_plan_init(&pl, p, 1, err) < 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	for (int i = 0; i < 3; i++)
		if (pl.src[i] >= 0)
			posix_spawn_file_actions_adddup2(&fa, pl.src[i], i);
	if (p->err_to_out)
		posix_spawn_file_actions_adddup2(&fa, 1, 2);
	if (p->dir)
		posix_spawn_file_actions_addchdir_np(&fa, p->dir);
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);
	if (p->new_group) {
		flags |= POSIX_SPAWN_SETPGROUP;
		posix_spawnattr_setpgroup(&attr, 0);
	}
	posix_spawnattr_setflags(&attr, flags);
	rc = posix_spawn(&p->pid, pl.path.buf, &fa, &attr, p->args.items,
			 pl.envp ? pl.envp : environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (rc) {
		p->pid = -1;
		proc_report_failure(p, rc, err);
		proc_plan_release(&pl, 1);
		return -1;
	}
	proc_plan_publish(&pl, p);
	proc_plan_release(&pl, 0);
	return 0;
}

/* In the forked child: report errno through the error pipe and give up. */
static void proc_child_fail(int errpipe, int tag)
{
	int msg[2] = { tag, errno };

	(void)!write(errpipe, msg, sizeof(msg));
	_exit(127);
}

enum { PROC_FAIL_SETUP, PROC_FAIL_CHDIR };

static void proc_child_setup(const struct proc *p, const struct proc_plan *pl, int errpipe)
{
	struct sigaction dfl;
	sigset_t none;

	if (p->new_group && setpgid(0, 0) < 0)
		proc_child_fail(errpipe, PROC_FAIL_SETUP);
	for (int i = 0; i < 3; i++)
		if (pl->src[i] >= 0 && dup2(pl->src[i], i) < 0)
			proc_child_fail(errpipe, PROC_FAIL_SETUP);
	if (p->err_to_out && dup2(1, 2) < 0)
		proc_child_fail(errpipe, PROC_FAIL_SETUP);
	if (p->dir && chdir(p->dir) < 0)
		proc_child_fail(errpipe, PROC_FAIL_CHDIR);
	if (pl->envp)
		environ = pl->envp;
	/* signals stay blocked (see proc_start_fn) until no handler of ours is left */
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	for (int sig = 1; sig < NSIG; sig++)
		sigaction(sig, &dfl, NULL);
	closefrom(3);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

int proc_start_fn(struct proc *p, int (*fn)(void *data), void *data, struct strbuf *err)
{
	struct proc_plan pl;
	int errpipe[2], msg[2], ret, fork_errno;
	sigset_t all, old;
	ssize_t n;

	p->pid = -1;
	if (proc_plan_init(&pl, p, 0, err) < 0)
		return -1;
	if (pipe2(errpipe, O_CLOEXEC) < 0 ||
	    (errpipe[1] = proc_fd_above_std(errpipe[1], 1)) < 0) {
		strbuf_addf(err, "cannot create a pipe: %s", strerror(errno));
		proc_plan_release(&pl, 1);
		return -1;
	}
	fflush(NULL);
	/*
	 * Until the child has reset them, a signal would run our handlers
	 * there (util/loop's writes into the self-pipe it shares with us).
	 */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	p->pid = fork();
	fork_errno = errno;
	if (p->pid == 0) {
		close(errpipe[0]);
		proc_child_setup(p, &pl, errpipe[1]);
		ret = fn(data);
		fflush(NULL);
		_exit(ret & 0xff);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(errpipe[1]);
	if (p->pid < 0) {
		strbuf_addf(err, "cannot fork: %s", strerror(fork_errno));
		close(errpipe[0]);
		proc_plan_release(&pl, 1);
		return -1;
	}
	if (p->new_group)
		setpgid(p->pid, p->pid);
	do
		n = read(errpipe[0], msg, sizeof(msg));
	while (n < 0 && errno == EINTR);
	close(errpipe[0]);
	if (n == (ssize_t)sizeof(msg)) {
		waitpid(p->pid, NULL, 0);
		p->pid = -1;
		if (msg[0] == PROC_FAIL_CHDIR)
			strbuf_addf(err, "cannot change to directory '%s': %s", p->dir,
				    strerror(msg[1]));
		else
			strbuf_addf(err, "cannot set up the child: %s", strerror(msg[1]));
		proc_plan_release(&pl, 1);
		return -1;
	}
	proc_plan_publish(&pl, p);
	proc_plan_release(&pl, 0);
	return 0;
}

int proc_finish(struct proc *p)
{
	int status;
	pid_t rc;

	if (p->pid <= 0)
		return -1;
	do
		rc = waitpid(p->pid, &status, 0);
	while (rc < 0 && errno == EINTR);
	return rc < 0 ? -1 : status;
}

int proc_signal(const struct proc *p, int sig)
{
	if (p->pid <= 0) {
		errno = ESRCH;
		return -1;
	}
	return kill(p->new_group ? -p->pid : p->pid, sig);
}

int proc_which(const char *name, const char *path, struct strbuf *out)
{
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
		p += len + (p[len] == ':');
	}
	strbuf_reset(out);
	return -1;
}

int proc_exit_code(int status)
{
	if (status < 0)
		return -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;
}

/* Read the non-blocking fd to EOF into out; -1 with errno (EFBIG past max). */
static int proc_read_all(struct strbuf *out, int fd, size_t max)
{
	size_t start = out->len;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	for (;;) {
		ssize_t n;

		strbuf_grow(out, 8192);
		n = read(fd, out->buf + out->len, out->alloc - out->len - 1);
		if (n > 0) {
			strbuf_setlen(out, out->len + (size_t)n);
			if (max && out->len - start > max) {
				errno = EFBIG;
				return -1;
			}
		} else if (n == 0) {
			return 0;
		} else if (errno == EAGAIN) {
			if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
				return -1;
		} else if (errno != EINTR) {
			return -1;
		}
	}
}

int proc_run_capture(const char *const *argv, struct strbuf *out, size_t max,
		     struct strbuf *err)
{
	struct proc p = PROC_INIT;
	size_t start = out->len;
	int status, rc, read_errno = 0;

	for (size_t i = 0; argv[i]; i++)
		strlist_push(&p.args, argv[i]);
	p.out = PROC_FD_PIPE;
	if (proc_start(&p, err) < 0) {
		proc_release(&p);
		return -1;
	}
	if (proc_read_all(out, p.out, max) < 0) {
		read_errno = errno;
		kill(p.pid, SIGKILL);
	}
	close(p.out);
	status = proc_finish(&p);
	rc = proc_exit_code(status);
	if (read_errno == EFBIG) {
		strbuf_addf(err, "output of '%s' exceeds %zu bytes", argv[0], max);
		rc = -1;
	} else if (read_errno) {
		strbuf_addf(err, "cannot read the output of '%s': %s", argv[0],
			    strerror(read_errno));
		rc = -1;
	} else if (status < 0) {
		strbuf_addf(err, "cannot wait for '%s': %s", argv[0], strerror(errno));
		rc = -1;
	} else if (WIFSIGNALED(status)) {
		strbuf_addf(err, "'%s' was killed by signal %d (%s)", argv[0],
			    WTERMSIG(status), strsignal(WTERMSIG(status)));
		rc = -1;
	}
	if (rc < 0)
		strbuf_setlen(out, start);
	proc_release(&p);
	return rc;
}

int proc_become_subreaper(struct strbuf *err)
{
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) {
		strbuf_addf(err, "cannot become a child subreaper: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* One process as /proc/PID/stat shows it. */
struct proc_entry {
	pid_t pid, ppid;
	char state;
	int descendant;         /* -1 unknown, 0 no, 1 yes */
	int target;             /* a live descendant: to be stopped and killed */
};

struct proc_table {
	struct proc_entry *items;
	size_t nr, alloc;
};

static int proc_entry_cmp(const void *a, const void *b)
{
	pid_t x = ((const struct proc_entry *)a)->pid, y = ((const struct proc_entry *)b)->pid;

	return (x > y) - (x < y);
}

static struct proc_entry *proc_table_find(struct proc_table *t, pid_t pid)
{
	struct proc_entry key = { .pid = pid };

	return bsearch(&key, t->items, t->nr, sizeof(key), proc_entry_cmp);
}

/* Parse "pid (comm) S ppid ..."; comm may hold spaces and parentheses. */
static int proc_read_stat(struct proc_entry *e, pid_t pid)
{
	char path[64], buf[512];
	const char *close_paren;
	int fd, ppid;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	close_paren = strrchr(buf, ')');
	if (!close_paren || sscanf(close_paren + 1, " %c %d", &e->state, &ppid) != 2)
		return -1;
	e->pid = pid;
	e->ppid = ppid;
	e->descendant = -1;
	e->target = 0;
	return 0;
}

static int proc_table_load(struct proc_table *t, struct strbuf *err)
{
	DIR *d = opendir("/proc");
	struct dirent *de;

	t->nr = 0;
	if (!d) {
		strbuf_addf(err, "cannot read '/proc': %s", strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		ALLOC_GROW(t->items, t->nr + 1, t->alloc);
		if (!proc_read_stat(&t->items[t->nr], atoi(de->d_name)))
			t->nr++;
	}
	closedir(d);
	qsort(t->items, t->nr, sizeof(*t->items), proc_entry_cmp);
	return 0;
}

static int proc_table_is_descendant(struct proc_table *t, struct proc_entry *e, pid_t self)
{
	struct proc_entry *up;

	if (e->descendant < 0) {
		e->descendant = 0;      /* also breaks cycles a racy scan could show */
		if (e->ppid == self)
			e->descendant = 1;
		else if (e->ppid > 1 && (up = proc_table_find(t, e->ppid)))
			e->descendant = proc_table_is_descendant(t, up, self);
	}
	return e->descendant;
}

/* Mark the live descendants of ours in t; returns how many. */
static size_t proc_table_mark(struct proc_table *t, pid_t self)
{
	size_t live = 0;

	for (size_t i = 0; i < t->nr; i++) {
		struct proc_entry *e = &t->items[i];

		e->target = e->pid != self && proc_table_is_descendant(t, e, self) &&
			    e->state != 'Z' && e->state != 'X';
		live += (size_t)e->target;
	}
	return live;
}

/*
 * A process the sweep has signalled. The pidfd pins it, so a pid freed
 * and reused meanwhile is never hit; without one (descriptors exhausted)
 * the parent check at adoption is the guard.
 */
struct proc_victim {
	pid_t pid;
	int fd;
};

struct proc_victims {
	struct proc_victim *items;
	size_t nr, alloc;
};

static int proc_victim_signal(const struct proc_victim *v, int sig)
{
	return v->fd >= 0 ? pidfd_send_signal(v->fd, sig, NULL, 0) : kill(v->pid, sig);
}

/*
 * Add e (a live descendant in the last scan) unless already there, and
 * send it sig. Returns 1 when added. A process that is gone, or whose pid
 * now belongs to a process with another parent, is left alone.
 */
static int proc_victims_add(struct proc_victims *vs, const struct proc_entry *e, pid_t self,
			    int sig)
{
	struct proc_entry now;
	struct proc_victim v = { e->pid, -1 };

	for (size_t i = 0; i < vs->nr; i++)
		if (vs->items[i].pid == e->pid)
			return 0;
	v.fd = pidfd_open(e->pid, 0);
	if ((v.fd < 0 && errno == ESRCH) || proc_read_stat(&now, e->pid) < 0 ||
	    (now.ppid != e->ppid && now.ppid != self)) {
		if (v.fd >= 0)
			close(v.fd);
		return 0;
	}
	ALLOC_GROW(vs->items, vs->nr + 1, vs->alloc);
	vs->items[vs->nr++] = v;
	proc_victim_signal(&v, sig);
	return 1;
}

/* How long killed descendants may take to die before the sweep gives up. */
enum { PROC_SWEEP_WAIT_S = 5 };

static int proc_sweep_timed_out(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > deadline->tv_sec ||
	       (now.tv_sec == deadline->tv_sec && now.tv_nsec > deadline->tv_nsec);
}

int proc_kill_descendants(struct strbuf *err)
{
	struct proc_table t = { NULL, 0, 0 };
	struct proc_victims vs = { NULL, 0, 0 };
	const struct timespec tick = { 0, 1000000 };
	struct timespec deadline;
	pid_t self = getpid();
	int ret = -1, added;

	/* Stop first, until a scan finds nobody new: stopped processes cannot fork. */
	do {
		if (proc_table_load(&t, err) < 0)
			goto out;
		proc_table_mark(&t, self);
		added = 0;
		for (size_t i = 0; i < t.nr; i++)
			if (t.items[i].target)
				added |= proc_victims_add(&vs, &t.items[i], self, SIGSTOP);
	} while (added);
	for (size_t i = 0; i < vs.nr; i++)
		proc_victim_signal(&vs.items[i], SIGKILL);
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += PROC_SWEEP_WAIT_S;
	for (;;) {
		size_t live;

		if (proc_table_load(&t, err) < 0)
			goto out;
		live = proc_table_mark(&t, self);
		if (!live)
			break;
		for (size_t i = 0; i < t.nr; i++)
			if (t.items[i].target)
				proc_victims_add(&vs, &t.items[i], self, SIGKILL);
		if (proc_sweep_timed_out(&deadline)) {
			strbuf_addf(err, "%zu descendant processes survived SIGKILL", live);
			goto out;
		}
		nanosleep(&tick, NULL);
	}
	ret = (int)vs.nr;
out:
	for (size_t i = 0; i < vs.nr; i++)
		if (vs.items[i].fd >= 0)
			close(vs.items[i].fd);
	free(t.items);
	free(vs.items);
	return ret;
}
