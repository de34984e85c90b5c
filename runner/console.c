/*
 * console: the terminal side of a run — prefixed, coloured job lines,
 * groups and annotations, the progress line, the final table and the
 * step summaries. It writes what it is given; masking happened before.
 */
#include "runner/console.h"

#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "util/term.h"

static const struct {
	const char *mark;       /* before the text on the console */
	const char *color;      /* when colour is on */
} console_kinds[] = {
	[CONSOLE_OUTPUT] = { "", NULL },
	[CONSOLE_INFO] = { "", TERM_DIM },
	[CONSOLE_GROUP] = { "\xe2\x96\xb6 ", TERM_BOLD },       /* ▶ */
	[CONSOLE_ENDGROUP] = { NULL, NULL },
	[CONSOLE_ERROR] = { "error: ", TERM_RED },
	[CONSOLE_WARNING] = { "warning: ", "\033[33m" },
	[CONSOLE_NOTICE] = { "notice: ", TERM_BOLD },
	[CONSOLE_DEBUG] = { "debug: ", TERM_DIM },
	[CONSOLE_SCRIPT] = { "", TERM_DIM },
};

static const char *const console_result_colors[] = {
	[PLAN_RESULT_NONE] = TERM_DIM, [PLAN_SUCCESS] = "\033[32m", [PLAN_FAILURE] = TERM_RED,
	[PLAN_CANCELLED] = "\033[33m", [PLAN_SKIPPED] = TERM_DIM, [PLAN_WAITING] = "\033[35m",
};

void console_init(struct console *c, FILE *out, int tty, int color)
{
	memset(c, 0, sizeof(*c));
	c->out = out;
	c->tty = tty;
	c->color = color;
	strbuf_init(&c->progress, 0);
	strbuf_init(&c->line, 0);
}

void console_release(struct console *c)
{
	strbuf_release(&c->progress);
	strbuf_release(&c->line);
}

/* Remove the progress line (before a line, the final table, or a prompt). */
static void console_clear_progress(struct console *c)
{
	if (!c->progress_shown)
		return;
	fputs("\r\033[K", c->out);
	c->progress_shown = 0;
}

void console_pause(struct console *c, int paused)
{
	if (paused)
		console_clear_progress(c);
	c->paused = paused;
}

static void console_redraw_progress(struct console *c)
{
	if (!c->tty || !c->progress.len || c->paused)
		return;
	fputs(c->color ? TERM_DIM : "", c->out);
	fwrite(c->progress.buf, 1, c->progress.len, c->out);
	fputs(c->color ? TERM_RESET : "", c->out);
	c->progress_shown = 1;
}

void console_line(struct console *c, const struct plan_leg *leg, enum console_kind kind,
		  const char *text, size_t len, int in_group)
{
	const char *mark = console_kinds[kind].mark, *kc = console_kinds[kind].color;
	struct strbuf *sb = &c->line;

	if (!mark || ((kind == CONSOLE_DEBUG || kind == CONSOLE_SCRIPT) && !c->verbose) ||
	    (in_group && c->collapse_groups && kind == CONSOLE_OUTPUT))
		return;
	strbuf_reset(sb);
	if (c->color)
		strbuf_addstr(sb, term_job_color(leg->job->order));
	strbuf_addf(sb, "[%s/%s]", leg->job->wf->display, leg->name);
	if (c->color)
		strbuf_addstr(sb, TERM_RESET);
	strbuf_addch(sb, ' ');
	if (in_group && !c->collapse_groups && kind != CONSOLE_GROUP)
		strbuf_addstr(sb, "  ");
	if (c->color && kc)
		strbuf_addstr(sb, kc);
	strbuf_addstr(sb, mark);
	strbuf_add(sb, text, len);
	if (c->color && kc)
		strbuf_addstr(sb, TERM_RESET);
	strbuf_addch(sb, '\n');
	console_clear_progress(c);
	fwrite(sb->buf, 1, sb->len, c->out);
	console_redraw_progress(c);
	if (!c->tty)
		fflush(c->out);
}

void console_note(struct console *c, const char *fmt, ...)
{
	va_list ap;

	console_clear_progress(c);
	va_start(ap, fmt);
	vfprintf(c->out, fmt, ap);
	va_end(ap);
	fputc('\n', c->out);
	console_redraw_progress(c);
	fflush(c->out);
}

void console_progress(struct console *c, const struct plan *p)
{
	size_t running = 0, waiting = 0, done = 0, total = 0;
	struct strbuf names = STRBUF_INIT;
	int width;

	if (!c->tty)
		return;
	for (size_t i = 0; i < p->jobs_nr; i++) {
		const struct plan_job *job = p->jobs[i];

		total += job->legs ? job->legs_nr : 1;
		for (size_t l = 0; l < job->legs_nr; l++) {
			const struct plan_leg *leg = &job->legs[l];

			if (leg->status == PLAN_DONE)
				done++;
			if (leg->status == PLAN_RUNNING || leg->status == PLAN_WAITING_GATE)
				strbuf_addf(&names, "%s%s%s", names.len ? ", " : "", leg->name,
					    leg->status == PLAN_WAITING_GATE ? " (waiting)" : "");
			running += leg->status == PLAN_RUNNING;
			waiting += leg->status == PLAN_WAITING_GATE;
		}
	}
	strbuf_reset(&c->progress);
	strbuf_addf(&c->progress, "%zu/%zu done, %zu running, %zu waiting: %s", done, total,
		    running, waiting, names.buf);
	width = term_width(fileno(c->out));
	if (width > 4 && c->progress.len > (size_t)width - 1) {
		strbuf_setlen(&c->progress, (size_t)width - 4);
		strbuf_addstr(&c->progress, "...");
	}
	strbuf_release(&names);
	console_clear_progress(c);
	console_redraw_progress(c);
	fflush(c->out);
}

static void console_duration(struct strbuf *sb, uint64_t ms)
{
	if (ms < 1000)
		strbuf_addf(sb, "%llums", (unsigned long long)ms);
	else if (ms < 60000)
		strbuf_addf(sb, "%.1fs", (double)ms / 1000);
	else
		strbuf_addf(sb, "%llum%02llus", (unsigned long long)(ms / 60000),
			    (unsigned long long)(ms / 1000 % 60));
}

static void console_row(struct console *c, const char *name, enum plan_result r,
			const char *extra, uint64_t ms, size_t width)
{
	struct strbuf d = STRBUF_INIT;
	const char *rn = plan_result_name(r);

	if (ms)
		console_duration(&d, ms);
	fprintf(c->out, "  %-*s  %s%-9s%s  %8s%s%s\n", (int)width, name,
		c->color ? console_result_colors[r] : "", rn ? rn : "-",
		c->color ? TERM_RESET : "", d.buf, extra ? "  " : "", extra ? extra : "");
	strbuf_release(&d);
}

void console_table(struct console *c, const struct plan *p, const char *run_dir)
{
	size_t width = 3;
	struct strbuf path = STRBUF_INIT, text = STRBUF_INIT;

	console_clear_progress(c);
	c->progress.len = 0;
	for (size_t i = 0; i < p->jobs_nr; i++) {
		const struct plan_job *job = p->jobs[i];

		for (size_t l = 0; l < job->legs_nr; l++)
			if (strlen(job->legs[l].name) + strlen(job->wf->display) + 1 > width)
				width = strlen(job->legs[l].name) + strlen(job->wf->display) + 1;
	}
	fprintf(c->out, "\n  %-*s  %-9s  %8s\n", (int)width, "job", "result", "time");
	for (size_t i = 0; i < p->jobs_nr; i++) {
		const struct plan_job *job = p->jobs[i];

		if (!job->legs_nr) {
			strbuf_reset(&text);
			strbuf_addf(&text, "%s/%s", job->wf->display, job->label);
			console_row(c, text.buf, job->result, NULL, 0, width);
		}
		for (size_t l = 0; l < job->legs_nr; l++) {
			const struct plan_leg *leg = &job->legs[l];

			strbuf_reset(&text);
			strbuf_addf(&text, "%s/%s", job->wf->display, leg->name);
			console_row(c, text.buf, leg->result, leg->message,
				    leg->finished_ms && leg->started_ms
				    ? leg->finished_ms - leg->started_ms : 0, width);
		}
	}
	for (size_t i = 0; c->tty && run_dir && i < p->jobs_nr; i++) {
		const struct plan_job *job = p->jobs[i];

		for (size_t l = 0; l < job->legs_nr; l++) {
			strbuf_reset(&path);
			strbuf_reset(&text);
			strbuf_addf(&path, "%s/jobs/%s/summary.md", run_dir, job->legs[l].key);
			if (strbuf_read_file(&text, path.buf, 1 << 20) < 0 || !text.len)
				continue;
			fprintf(c->out, "\n%s%s/%s summary%s\n", c->color ? TERM_BOLD : "",
				job->wf->display, job->legs[l].name, c->color ? TERM_RESET : "");
			fwrite(text.buf, 1, text.len, c->out);
			if (text.buf[text.len - 1] != '\n')
				fputc('\n', c->out);
		}
	}
	fflush(c->out);
	strbuf_release(&path);
	strbuf_release(&text);
}
