/*
 * engine_stream: decoders for what the Docker engine streams back — the
 * multiplexed stdout/stderr frames of exec and logs, and the JSON-lines
 * progress of build, pull and push. Fed in arbitrary pieces; no I/O here.
 */
#include "runner/engine_req.h"
#include "util/json.h"

#include <string.h>

#define ENGINE_MAX_LINE (1u << 20)

void engine_demux_init(struct engine_demux *d, int tty, engine_output_fn *fn, void *data)
{
	memset(d, 0, sizeof(*d));
	d->tty = tty;
	d->fn = fn;
	d->data = data;
	d->stream = ENGINE_STDOUT;
}

static int engine_demux_deliver(struct engine_demux *d, const char *buf, size_t len,
				struct strbuf *why)
{
	if (!len || !d->fn || d->fn(d->data, d->stream, buf, len) >= 0)
		return 0;
	strbuf_addstr(why, "stopped by the output callback");
	return ENGINE_ECANCELLED;
}

int engine_demux_feed(void *data, const char *buf, size_t len, struct strbuf *why)
{
	struct engine_demux *d = data;

	if (d->tty)
		return engine_demux_deliver(d, buf, len, why);
	while (len) {
		size_t n;

		if (!d->left) {
			n = sizeof(d->hdr) - d->have < len ? sizeof(d->hdr) - d->have : len;
			memcpy(d->hdr + d->have, buf, n);
			d->have += n;
			buf += n;
			len -= n;
			if (d->have < sizeof(d->hdr))
				break;
			d->have = 0;
			if (d->hdr[0] > 3 || d->hdr[1] || d->hdr[2] || d->hdr[3]) {
				strbuf_addstr(why, "the engine's output stream is garbled "
					      "(a frame header was expected)");
				return ENGINE_ERR;
			}
			/* 0 stdin (echoed) and 1 stdout go out as stdout; 2 stderr, 3 engine errors */
			d->stream = d->hdr[0] >= 2 ? ENGINE_STDERR : ENGINE_STDOUT;
			d->left = (size_t)d->hdr[4] << 24 | (size_t)d->hdr[5] << 16 |
				(size_t)d->hdr[6] << 8 | d->hdr[7];
			continue;
		}
		n = d->left < len ? d->left : len;
		if (engine_demux_deliver(d, buf, n, why) < 0)
			return ENGINE_ECANCELLED;
		d->left -= n;
		buf += n;
		len -= n;
	}
	return 0;
}

int engine_demux_finish(const struct engine_demux *d)
{
	return d->have || d->left ? -1 : 0;
}

void engine_progress_init(struct engine_progress *p, engine_line_fn *fn, void *data)
{
	memset(p, 0, sizeof(*p));
	p->fn = fn;
	p->data = data;
	strbuf_init(&p->line, 0);
	strbuf_init(&p->text, 0);
	strbuf_init(&p->error, 0);
	strbuf_init(&p->id, 0);
	strbuf_init(&p->digest, 0);
	strbuf_init(&p->last, 0);
	arena_init(&p->scratch);
}

void engine_progress_release(struct engine_progress *p)
{
	strbuf_release(&p->line);
	strbuf_release(&p->text);
	strbuf_release(&p->error);
	strbuf_release(&p->id);
	strbuf_release(&p->digest);
	strbuf_release(&p->last);
	arena_release(&p->scratch);
}

static void engine_progress_emit(struct engine_progress *p, const char *line, size_t len)
{
	while (len && (line[len - 1] == '\r' || line[len - 1] == '\n'))
		len--;
	strbuf_reset(&p->last);
	strbuf_add(&p->last, line, len);
	if (p->fn)
		p->fn(p->data, p->last.buf, p->last.len);
}

/* Emit the complete lines of the "stream" text collected so far (capped). */
static void engine_progress_text(struct engine_progress *p)
{
	size_t start = 0;
	const char *nl;

	while ((nl = memchr(p->text.buf + start, '\n', p->text.len - start))) {
		engine_progress_emit(p, p->text.buf + start, (size_t)(nl - p->text.buf) - start);
		start = (size_t)(nl - p->text.buf) + 1;
	}
	memmove(p->text.buf, p->text.buf + start, p->text.len - start);
	strbuf_setlen(&p->text, p->text.len - start);
	if (p->text.len > ENGINE_MAX_LINE) {      /* no newline in sight: pass it on as is */
		engine_progress_emit(p, p->text.buf, p->text.len);
		strbuf_reset(&p->text);
	}
}

static void engine_progress_copy(struct strbuf *dst, const char *s)
{
	if (s && !dst->len)
		strbuf_addstr(dst, s);
}

static void engine_progress_line(struct engine_progress *p, const char *line, size_t len)
{
	struct arena_mark mark = arena_mark(&p->scratch);
	struct strbuf ignored = STRBUF_INIT, status = STRBUF_INIT;
	struct val v, *detail, *aux;
	const char *s;

	if (json_parse(&v, &p->scratch, line, len, &ignored) < 0 || v.kind != VAL_OBJECT) {
		engine_progress_emit(p, line, len);
		goto out;
	}
	detail = val_object_getstr(v, "errorDetail");
	s = engine_get_str(v, "error");
	if (!s && detail)
		s = engine_get_str(*detail, "message");
	if (s) {
		engine_progress_copy(&p->error, s);
		engine_progress_emit(p, s, strlen(s));
	}
	if ((s = engine_get_str(v, "stream"))) {
		strbuf_addstr(&p->text, s);
		engine_progress_text(p);
	}
	if ((s = engine_get_str(v, "status"))) {
		const char *id = engine_get_str(v, "id");
		const char *progress = engine_get_str(v, "progress");

		if (id)
			strbuf_addf(&status, "%s: ", id);
		strbuf_addstr(&status, s);
		if (progress && *progress)
			strbuf_addf(&status, " %s", progress);
		engine_progress_emit(p, status.buf, status.len);
	}
	aux = val_object_getstr(v, "aux");
	if (aux) {
		engine_progress_copy(&p->id, engine_get_str(*aux, "ID"));
		engine_progress_copy(&p->digest, engine_get_str(*aux, "Digest"));
	}
out:
	strbuf_release(&ignored);
	strbuf_release(&status);
	arena_reset(&p->scratch, mark);
}

static void engine_progress_flush_line(struct engine_progress *p)
{
	size_t start = 0;

	while (start < p->line.len && (p->line.buf[start] == ' ' || p->line.buf[start] == '\r'))
		start++;
	if (start < p->line.len)
		engine_progress_line(p, p->line.buf + start, p->line.len - start);
	strbuf_reset(&p->line);
}

int engine_progress_feed(void *data, const char *buf, size_t len, struct strbuf *why)
{
	struct engine_progress *p = data;

	while (len) {
		const char *nl = memchr(buf, '\n', len);
		size_t n = nl ? (size_t)(nl - buf) : len;

		if (p->line.len + n > ENGINE_MAX_LINE) {
			strbuf_addf(why, "a progress line is longer than %u KiB", ENGINE_MAX_LINE >> 10);
			return ENGINE_ERR;
		}
		strbuf_add(&p->line, buf, n);
		if (!nl)
			break;
		engine_progress_flush_line(p);
		buf += n + 1;
		len -= n + 1;
	}
	return 0;
}

void engine_progress_finish(struct engine_progress *p)
{
	engine_progress_flush_line(p);
	if (p->text.len) {
		strbuf_addch(&p->text, '\n');
		engine_progress_text(p);
	}
}
