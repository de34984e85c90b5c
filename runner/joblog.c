/*
 * joblog: a leg's output.log and summary.md — masking, timestamps,
 * GitHub's log markers — and the hand-off of each line to the console.
 */
#include "runner/joblog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "runner/run.h"
#include "util/fs.h"

static const char *const joblog_markers[] = {
	[CONSOLE_OUTPUT] = "", [CONSOLE_INFO] = "", [CONSOLE_GROUP] = "##[group]",
	[CONSOLE_ENDGROUP] = "##[endgroup]", [CONSOLE_ERROR] = "##[error]",
	[CONSOLE_WARNING] = "##[warning]", [CONSOLE_NOTICE] = "##[notice]",
	[CONSOLE_DEBUG] = "##[debug]", [CONSOLE_SCRIPT] = "",
};

int joblog_open(struct joblog *l, const char *dir, const struct plan_leg *leg,
		const struct mask *m, struct console *con, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT;

	memset(l, 0, sizeof(*l));
	l->fd = -1;
	l->dir = dir;
	l->leg = leg;
	l->mask = m;
	l->con = con;
	strbuf_init(&l->scratch, 0);
	if (fs_mkdir_p(dir, 0755, err) < 0)
		return -1;
	fs_path_join(&path, dir, "output.log");
	l->fd = open(path.buf, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (l->fd < 0)
		strbuf_addf(err, "cannot open '%s': %s", path.buf, strerror(errno));
	strbuf_release(&path);
	return l->fd < 0 ? -1 : 0;
}

void joblog_close(struct joblog *l)
{
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
	strbuf_release(&l->scratch);
}

static void joblog_write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

void joblog_line(struct joblog *l, enum console_kind kind, const char *text, size_t len)
{
	struct strbuf *sb = &l->scratch;
	size_t start;

	if (len > JOBLOG_MAX_LINE) {
		joblog_line(l, kind, text, JOBLOG_MAX_LINE);
		joblog_line(l, kind, text + JOBLOG_MAX_LINE, len - JOBLOG_MAX_LINE);
		return;
	}
	strbuf_reset(sb);
	run_format_time(sb, run_now_ms());
	strbuf_addch(sb, ' ');
	strbuf_addstr(sb, joblog_markers[kind]);
	start = sb->len;
	strbuf_add(sb, text, len);
	if (l->mask) {
		struct strbuf tail = STRBUF_INIT;

		strbuf_add(&tail, sb->buf + start, sb->len - start);
		mask_apply(l->mask, &tail);
		strbuf_setlen(sb, start);
		strbuf_add(sb, tail.buf, tail.len);
		strbuf_release(&tail);
	}
	if (kind == CONSOLE_ENDGROUP)
		l->in_group = 0;
	if (l->con)
		console_line(l->con, l->leg, kind, sb->buf + start, sb->len - start, l->in_group);
	if (kind == CONSOLE_GROUP)
		l->in_group = 1;
	strbuf_addch(sb, '\n');
	if (l->fd >= 0)
		joblog_write_all(l->fd, sb->buf, sb->len);
}

void joblog_linef(struct joblog *l, enum console_kind kind, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	joblog_line(l, kind, sb.buf, sb.len);
	strbuf_release(&sb);
}

int joblog_summary(struct joblog *l, const char *text, size_t len, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	int fd, ret = 0;

	if (!len)
		return 0;
	fs_path_join(&path, l->dir, "summary.md");
	fd = open(path.buf, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0) {
		strbuf_addf(err, "cannot open '%s': %s", path.buf, strerror(errno));
		ret = -1;
	} else {
		joblog_write_all(fd, text, len);
		if (text[len - 1] != '\n')
			joblog_write_all(fd, "\n", 1);
		close(fd);
	}
	strbuf_release(&path);
	return ret;
}
