/*
 * dotenv: the KEY=value file parser (format in dotenv.h). A cursor walks
 * the text once, keeping line and column for diagnostics; a bad line is
 * reported and skipped. Nothing here knows what the values are for.
 */
#include "runner/dotenv.h"
#include "util/strbuf.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

#define DOTENV_RULE "dotenv"

struct dotenv_parser {
	struct arena *a;
	struct val obj;
	const char *file;
	struct diag_list *diags;
	const char *p, *end;
	const char *line_start;         /* for columns */
	int line;
	int errors;
	struct strbuf value;
};

/* A place in the text, for diagnostics. */
struct dotenv_pos {
	int line, col;
};

static struct dotenv_pos dotenv_pos_of(const struct dotenv_parser *ps, const char *at)
{
	struct dotenv_pos pos = { ps->line, (int)(at - ps->line_start) + 1 };

	return pos;
}

static void dotenv_report(struct dotenv_parser *ps, enum diag_severity sev,
			  struct dotenv_pos pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void dotenv_report(struct dotenv_parser *ps, enum diag_severity sev,
			  struct dotenv_pos pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(ps->diags, sev, ps->file, pos.line, pos.col, DOTENV_RULE, fmt, ap);
	va_end(ap);
	if (sev == DIAG_ERROR)
		ps->errors++;
}

static int dotenv_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int dotenv_eol(const struct dotenv_parser *ps, const char *q)
{
	return q == ps->end || *q == '\n' || (*q == '\r' && (q + 1 == ps->end || q[1] == '\n'));
}

static void dotenv_skip_blanks(struct dotenv_parser *ps)
{
	while (ps->p < ps->end && dotenv_blank(*ps->p))
		ps->p++;
}

/* Move past the end of the current line. */
static void dotenv_next_line(struct dotenv_parser *ps)
{
	const char *nl = memchr(ps->p, '\n', (size_t)(ps->end - ps->p));

	ps->p = nl ? nl + 1 : ps->end;
	ps->line++;
	ps->line_start = ps->p;
}

/* Account for a newline inside a quoted value at q. */
static void dotenv_newline_at(struct dotenv_parser *ps, const char *q)
{
	ps->line++;
	ps->line_start = q + 1;
}

int dotenv_key_valid(const char *key, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char c = key[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
		      (i && c >= '0' && c <= '9')))
			return 0;
	}
	return len > 0;
}

/* Copy a quoted value into ps->value; returns 0 at the closing quote. */
static int dotenv_quoted(struct dotenv_parser *ps, const char *key)
{
	char quote = *ps->p;
	struct dotenv_pos open = dotenv_pos_of(ps, ps->p);

	for (ps->p++; ps->p < ps->end; ps->p++) {
		char c = *ps->p;

		if (c == quote) {
			ps->p++;
			return 0;
		}
		if (c == '\r' && ps->p + 1 < ps->end && ps->p[1] == '\n')
			continue;       /* CRLF inside quotes is LF */
		if (c == '\n')
			dotenv_newline_at(ps, ps->p);
		if (c == '\\' && quote == '"' && ps->p + 1 < ps->end) {
			static const char from[] = "nrt\"\\$", to[] = "\n\r\t\"\\$";
			const char *e = strchr(from, ps->p[1]);

			if (e && ps->p[1]) {
				strbuf_addch(&ps->value, to[e - from]);
				ps->p++;
				continue;
			}
		}
		strbuf_addch(&ps->value, c);
	}
	dotenv_report(ps, DIAG_ERROR, open, "unterminated %s-quoted value of '%s'",
		      quote == '"' ? "double" : "single", key);
	return -1;
}

/* An unquoted value: the rest of the line up to a comment, trimmed. */
static void dotenv_unquoted(struct dotenv_parser *ps)
{
	const char *start = ps->p, *q = ps->p;

	while (!dotenv_eol(ps, q) && !(*q == '#' && dotenv_blank(q[-1])))
		q++;
	while (q > start && dotenv_blank(q[-1]))
		q--;
	strbuf_add(&ps->value, start, (size_t)(q - start));
}

static void dotenv_set(struct dotenv_parser *ps, const char *key, struct dotenv_pos key_at)
{
	size_t klen = strlen(key);

	if (memchr(ps->value.buf, '\0', ps->value.len)) {
		dotenv_report(ps, DIAG_ERROR, key_at, "the value of '%s' contains a NUL byte", key);
		return;
	}
	if (val_object_get(ps->obj, key, klen))
		dotenv_report(ps, DIAG_WARNING, key_at,
			      "'%s' is set again; the last value wins", key);
	val_object_set(ps->a, ps->obj, key, klen,
		       val_string(ps->a, ps->value.buf, ps->value.len));
}

/* One statement; the cursor is at its first non-blank character. */
static void dotenv_statement(struct dotenv_parser *ps)
{
	const char *key_at, *key_end;
	struct dotenv_pos key_pos;
	char *key;
	size_t klen;

	if (ps->end - ps->p > 7 && !memcmp(ps->p, "export", 6) && dotenv_blank(ps->p[6])) {
		ps->p += 6;
		dotenv_skip_blanks(ps);
	}
	key_at = ps->p;
	key_pos = dotenv_pos_of(ps, key_at);
	for (key_end = key_at; !dotenv_eol(ps, key_end) && !dotenv_blank(*key_end) &&
	     *key_end != '='; key_end++)
		;
	klen = (size_t)(key_end - key_at);
	if (!klen) {
		dotenv_report(ps, DIAG_ERROR, key_pos, "missing key before '='");
		return;
	}
	if (!dotenv_key_valid(key_at, klen)) {
		dotenv_report(ps, DIAG_ERROR, key_pos, "invalid key '%.*s': keys are letters, "
			      "digits and '_', not starting with a digit", (int)klen, key_at);
		return;
	}
	key = arena_strndup(ps->a, key_at, klen);
	ps->p = key_end;
	dotenv_skip_blanks(ps);
	if (ps->p == ps->end || *ps->p != '=') {
		dotenv_report(ps, DIAG_ERROR, dotenv_pos_of(ps, ps->p), "expected '=' after '%s'",
			      key);
		return;
	}
	ps->p++;
	dotenv_skip_blanks(ps);
	strbuf_reset(&ps->value);
	if (ps->p < ps->end && (*ps->p == '"' || *ps->p == '\'')) {
		if (dotenv_quoted(ps, key)) {
			ps->p = ps->end;        /* the rest of the file is inside the quote */
			return;
		}
		dotenv_skip_blanks(ps);
		if (!dotenv_eol(ps, ps->p) && *ps->p != '#') {
			dotenv_report(ps, DIAG_ERROR, dotenv_pos_of(ps, ps->p),
				      "unexpected text after the closing quote of '%s'", key);
			return;
		}
	} else {
		dotenv_unquoted(ps);
	}
	dotenv_set(ps, key, key_pos);
}

int dotenv_parse(struct arena *a, struct val obj, const char *file, const char *text,
		 size_t len, struct diag_list *diags)
{
	struct dotenv_parser ps = {
		a, obj, file, diags, text, text + len, text, 1, 0, STRBUF_INIT,
	};

	if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
		ps.p = ps.line_start = text + 3;
	while (ps.p < ps.end) {
		dotenv_skip_blanks(&ps);
		if (!dotenv_eol(&ps, ps.p) && *ps.p != '#')
			dotenv_statement(&ps);
		if (ps.p < ps.end)
			dotenv_next_line(&ps);
	}
	strbuf_release(&ps.value);
	return ps.errors ? -1 : 0;
}

int dotenv_load(struct arena *a, struct val obj, const char *path, struct diag_list *diags)
{
	struct strbuf text = STRBUF_INIT;
	int ret;

	if (strbuf_read_file(&text, path, DOTENV_MAX_SIZE) < 0) {
		if (errno == EFBIG)
			diag_add(diags, DIAG_ERROR, path, 0, 0, DOTENV_RULE,
				 "file is larger than %zu MiB", DOTENV_MAX_SIZE >> 20);
		else
			diag_add(diags, DIAG_ERROR, path, 0, 0, DOTENV_RULE,
				 "cannot read file: %s", strerror(errno));
		strbuf_release(&text);
		return -1;
	}
	ret = dotenv_parse(a, obj, path, text.buf, text.len, diags);
	strbuf_release(&text);
	return ret;
}
