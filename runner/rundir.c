/*
 * rundir: paths, run.json reading, the interrupted-run rule and decision
 * files of the run-directory contract. The run itself writes everything
 * else; nothing here knows about the daemon or SQLite.
 */
#include "runner/rundir.h"
#include "util/fs.h"
#include "util/json.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

void rundir_now_iso(char out[RUNDIR_ISO_LEN])
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(out, RUNDIR_ISO_LEN, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 ts.tv_nsec / 1000000);
}

void rundir_new_id(char out[RUNDIR_ISO_LEN])
{
	time_t now = time(NULL);
	unsigned short rnd = 0;
	struct tm tm;

	if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
		rnd = (unsigned short)(getpid() ^ clock());
	gmtime_r(&now, &tm);
	snprintf(out, RUNDIR_ISO_LEN, "%04d%02d%02d-%02d%02d%02d-%04x", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, rnd);
}

int rundir_valid_name(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > 128 || s[0] == '.')
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' || *s == '-'))
			return 0;
	return 1;
}

int rundir_state(struct strbuf *out, const char *given, struct strbuf *err)
{
	struct strbuf cwd = STRBUF_INIT, top = STRBUF_INIT;
	const char *env = getenv("SLIPWAY_STATE");
	char buf[4096];
	int rc = 0;

	if (!given && env && *env)
		given = env;
	if (!getcwd(buf, sizeof(buf))) {
		strbuf_addf(err, "cannot read the current directory: %s", strerror(errno));
		return -1;
	}
	strbuf_addstr(&cwd, buf);
	if (given) {
		strbuf_reset(out);
		if (given[0] == '/')
			strbuf_addstr(out, given);
		else
			fs_path_join(out, cwd.buf, given);
	} else if (fs_find_upwards(&top, cwd.buf, ".git") == 0 ||
		   fs_find_upwards(&top, cwd.buf, ".github") == 0) {
		strbuf_reset(out);
		strbuf_addf(out, "%s/.slipway", top.buf);
	} else {
		rc = fs_state_dir(out, err);
	}
	while (out->len > 1 && out->buf[out->len - 1] == '/')
		strbuf_setlen(out, out->len - 1);
	strbuf_release(&cwd);
	strbuf_release(&top);
	return rc;
}

void rundir_path(struct strbuf *out, const char *state, const char *id, const char *rel)
{
	strbuf_reset(out);
	strbuf_addf(out, "%s/runs/%s", state, id);
	if (rel)
		strbuf_addf(out, "/%s", rel);
}

int rundir_read(struct val *out, struct arena *a, const char *state, const char *id,
		struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	int rc;

	rundir_path(&path, state, id, "run.json");
	rc = json_parse_file(out, a, path.buf, err);
	if (rc == 0 && out->kind != VAL_OBJECT) {
		strbuf_addf(err, "%s: not a JSON object", path.buf);
		rc = -1;
	}
	strbuf_release(&path);
	return rc;
}

int rundir_open(struct val *out, struct arena *a, struct strbuf *state, const char *given,
		const char *id, struct strbuf *err)
{
	struct strbuf rerr = STRBUF_INIT;
	int rc = rundir_state(state, given, err);

	if (rc == 0 && rundir_read(out, a, state->buf, id, &rerr) < 0) {
		strbuf_addf(err, "no run '%s' in '%s'", id, state->buf);
		rc = -1;
	}
	strbuf_release(&rerr);
	return rc;
}

const char *rundir_str(struct val obj, const char *key)
{
	struct val *v = val_object_getstr(obj, key);

	return v && v->kind == VAL_STRING ? v->u.string.ptr : NULL;
}

int rundir_pid_alive(long pid)
{
	return pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

const char *rundir_result(struct val run)
{
	const char *result = rundir_str(run, "result");
	struct val *pid = val_object_getstr(run, "pid");

	if (!result)
		return "unknown";
	if (!strcmp(result, "running") &&
	    !(pid && pid->kind == VAL_NUMBER && rundir_pid_alive((long)pid->u.number)))
		return "interrupted";
	return result;
}

static int rundir_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int rundir_list(struct strlist *out, const char *state, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	struct dirent *de;
	DIR *d;

	strbuf_addf(&path, "%s/runs", state);
	d = opendir(path.buf);
	if (!d) {
		int rc = errno == ENOENT ? 0 : -1;

		if (rc)
			strbuf_addf(err, "cannot read '%s': %s", path.buf, strerror(errno));
		strbuf_release(&path);
		return rc;
	}
	while ((de = readdir(d)))
		if (rundir_valid_name(de->d_name))
			strlist_push(out, de->d_name);
	closedir(d);
	if (out->nr)
		qsort(out->items, out->nr, sizeof(*out->items), rundir_cmp);
	strbuf_release(&path);
	return 0;
}

int rundir_write_decision(const char *state, const char *id, const char *env,
			  const char *decision, const char *by, const char *comment,
			  struct strbuf *err)
{
	struct strbuf dir = STRBUF_INIT, path = STRBUF_INIT, body = STRBUF_INIT,
		      tmp = STRBUF_INIT, rerr = STRBUF_INIT;
	struct arena a = ARENA_INIT;
	char at[RUNDIR_ISO_LEN];
	struct val old;
	int rc = -1, fd;

	rundir_path(&dir, state, id, "approvals");
	strbuf_addf(&path, "%s/%s.json", dir.buf, env);
	if (fs_mkdir_p(dir.buf, 0755, err) < 0)
		goto out;
	rundir_now_iso(at);
	strbuf_addstr(&body, "{\"decision\": ");
	json_write_string(&body, decision, strlen(decision));
	strbuf_addstr(&body, ", \"by\": ");
	json_write_string(&body, by, strlen(by));
	strbuf_addf(&body, ", \"at\": \"%s\", \"comment\": ", at);
	json_write_string(&body, comment ? comment : "", comment ? strlen(comment) : 0);
	strbuf_addstr(&body, "}\n");
	/* write a temporary file, then link it into place: link fails if a decision exists */
	strbuf_addf(&tmp, "%s/.%s.%ld.tmp", dir.buf, env, (long)getpid());
	if (fs_write_file(tmp.buf, body.buf, body.len, 0644, err) < 0)
		goto out;
	fd = link(tmp.buf, path.buf);
	unlink(tmp.buf);
	if (fd == 0) {
		rc = 0;
	} else if (errno == EEXIST) {
		const char *who = NULL, *what = NULL;

		if (json_parse_file(&old, &a, path.buf, &rerr) == 0) {
			who = rundir_str(old, "by");
			what = rundir_str(old, "decision");
		}
		strbuf_addf(err, "environment '%s' in run '%s' was already %s by '%s'", env, id,
			    what && !strcmp(what, "rejected") ? "rejected" : "approved",
			    who ? who : "?");
		rc = -2;
	} else {
		strbuf_addf(err, "cannot write '%s': %s", path.buf, strerror(errno));
	}
out:
	strbuf_release(&dir);
	strbuf_release(&path);
	strbuf_release(&body);
	strbuf_release(&tmp);
	strbuf_release(&rerr);
	arena_release(&a);
	return rc;
}
