/*
 * envfile: reading the GITHUB_* files a step leaves behind, with GitHub's
 * rules and messages, and writing one heredoc pair. Where the files live
 * and what is done with their contents belong to the runner.
 */
#include "runner/envfile.h"
#include "util/xalloc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>

#define ENVFILE_RULE "envfile"

/* Names GitHub refuses in GITHUB_ENV (SetEnvFileCommand._setEnvBlockList). */
static const char *const envfile_env_blocked[] = { "NODE_OPTIONS" };

struct envfile_reader {
	const char *p, *end;
	int line;               /* of the line last read */
};

/* The next line without its LF or CRLF; *newline tells if one ended it. */
static int envfile_next_line(struct envfile_reader *r, const char **s, size_t *len,
			     int *newline)
{
	const char *nl;

	if (r->p >= r->end)
		return 0;
	nl = memchr(r->p, '\n', (size_t)(r->end - r->p));
	*s = r->p;
	*len = (size_t)((nl ? nl : r->end) - r->p);
	*newline = nl != NULL;
	if (*len && (*s)[*len - 1] == '\r')
		(*len)--;
	r->p = nl ? nl + 1 : r->end;
	r->line++;
	return 1;
}

static int envfile_error(struct diag_list *diags, const char *path, int line,
			 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int envfile_error(struct diag_list *diags, const char *path, int line,
			 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(diags, DIAG_ERROR, path, line, 0, ENVFILE_RULE, fmt, ap);
	va_end(ap);
	return -1;
}

/* The block-list entry name matches (any case), or NULL. */
static const char *envfile_blocked(enum envfile_kind kind, const char *name)
{
	for (size_t i = 0; kind == ENVFILE_ENV &&
	     i < sizeof(envfile_env_blocked) / sizeof(envfile_env_blocked[0]); i++)
		if (!strcasecmp(envfile_env_blocked[i], name))
			return envfile_env_blocked[i];
	return NULL;
}

/* Read a heredoc's value into value, up to the line that is the delimiter. */
static int envfile_heredoc(struct envfile_reader *r, const char *path, int start_line,
			   const char *delim, size_t dlen, struct strbuf *value,
			   struct diag_list *diags)
{
	const char *s;
	size_t len;
	int newline, first = 1;

	for (;;) {
		if (!envfile_next_line(r, &s, &len, &newline))
			return envfile_error(diags, path, start_line, "Invalid value. Matching "
					     "delimiter not found '%.*s'", (int)dlen, delim);
		if (len == dlen && !memcmp(s, delim, dlen))
			return 0;
		if (!newline)
			return envfile_error(diags, path, r->line,
					     "Invalid value. EOF marker missing new line.");
		if (!first)
			strbuf_addch(value, '\n');
		strbuf_add(value, s, len);
		first = 0;
	}
}

int envfile_parse(struct arena *a, struct val obj, enum envfile_kind kind, const char *path,
		  const char *text, size_t len, struct diag_list *diags)
{
	struct envfile_reader r = { text, text + len, 0 };
	struct strbuf value = STRBUF_INIT;
	const char *s;
	size_t n;
	int newline, ret = 0;

	while (!ret && envfile_next_line(&r, &s, &n, &newline)) {
		const char *eq = memchr(s, '=', n), *hd = n > 1 ? memmem(s, n, "<<", 2) : NULL;
		const char *blocked;
		size_t name_len;
		int line = r.line;
		char *name;

		if (!n)
			continue;
		strbuf_reset(&value);
		if (eq && (!hd || eq < hd)) {
			name_len = (size_t)(eq - s);
			if (!name_len) {
				ret = envfile_error(diags, path, r.line, "Invalid format '%.*s'. Name "
						    "must not be empty", (int)n, s);
				break;
			}
			strbuf_add(&value, eq + 1, n - name_len - 1);
		} else if (hd) {
			name_len = (size_t)(hd - s);
			if (!name_len || hd + 2 == s + n) {
				ret = envfile_error(diags, path, r.line, "Invalid format '%.*s'. Name "
						    "must not be empty and delimiter must not be "
						    "empty", (int)n, s);
				break;
			}
			ret = envfile_heredoc(&r, path, line, hd + 2, (size_t)(s + n - hd - 2),
					      &value, diags);
			if (ret)
				break;
		} else {
			ret = envfile_error(diags, path, r.line, "Invalid format '%.*s'", (int)n, s);
			break;
		}
		name = arena_strndup(a, s, name_len);
		blocked = envfile_blocked(kind, name);
		if (blocked) {
			diag_add(diags, DIAG_ERROR, path, line, 0, ENVFILE_RULE, "Can't store %s "
				 "output parameter using '$GITHUB_ENV' command.", blocked);
			continue;
		}
		val_object_set(a, obj, name, name_len, val_string(a, value.buf, value.len));
	}
	strbuf_release(&value);
	return ret;
}

/* Read path (capped); a missing file reads as empty. */
static int envfile_read(struct strbuf *text, const char *path, size_t max,
			struct diag_list *diags)
{
	if (!strbuf_read_file(text, path, max))
		return 0;
	if (errno == ENOENT)
		return 0;
	if (errno == EFBIG)
		return envfile_error(diags, path, 0, "file is larger than %zu MiB", max >> 20);
	return envfile_error(diags, path, 0, "cannot read file: %s", strerror(errno));
}

int envfile_load(struct arena *a, struct val obj, enum envfile_kind kind, const char *path,
		 struct diag_list *diags)
{
	struct strbuf text = STRBUF_INIT;
	int ret = envfile_read(&text, path, ENVFILE_MAX_SIZE, diags);

	if (!ret)
		ret = envfile_parse(a, obj, kind, path, text.buf, text.len, diags);
	strbuf_release(&text);
	return ret;
}

const char *envfile_kind_name(enum envfile_kind kind)
{
	static const char *const names[] = {
		[ENVFILE_OUTPUT] = "output",
		[ENVFILE_ENV] = "env",
		[ENVFILE_STATE] = "state",
	};

	return names[kind];
}

void envfile_parse_path(struct strlist *prepend, const char *text, size_t len)
{
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *eol = p;
		char *dir;

		while (eol < end && *eol != '\n' && *eol != '\r')
			eol++;
		if (eol > p && !memchr(p, '\0', (size_t)(eol - p))) {
			dir = xstrndup(p, (size_t)(eol - p));
			for (size_t i = 0; i < prepend->nr; i++) {
				if (!strcmp(prepend->items[i], dir)) {
					free(prepend->items[i]);
					memmove(prepend->items + i, prepend->items + i + 1,
						(prepend->nr - i) * sizeof(*prepend->items));
					prepend->nr--;
					break;
				}
			}
			strlist_push_owned(prepend, dir);
		}
		p = eol + (eol + 1 < end && eol[0] == '\r' && eol[1] == '\n' ? 2 : 1);
	}
}

int envfile_load_path(struct strlist *prepend, const char *path, struct diag_list *diags)
{
	struct strbuf text = STRBUF_INIT;
	int ret = envfile_read(&text, path, ENVFILE_MAX_SIZE, diags);

	if (!ret)
		envfile_parse_path(prepend, text.buf, text.len);
	strbuf_release(&text);
	return ret;
}

void envfile_join_path(struct strbuf *out, const struct strlist *prepend, const char *base)
{
	for (size_t i = prepend->nr; i-- > 0;) {
		strbuf_addstr(out, prepend->items[i]);
		if (i || (base && *base))
			strbuf_addch(out, ':');
	}
	if (base)
		strbuf_addstr(out, base);
}

int envfile_load_summary(struct strbuf *out, const char *path, const struct mask *m,
			 struct diag_list *diags)
{
	struct strbuf text = STRBUF_INIT;
	struct stat st;
	int ret;

	/* GitHub checks the size before reading; the read is capped anyway. */
	if (!stat(path, &st) && (size_t)st.st_size > ENVFILE_SUMMARY_MAX)
		return envfile_error(diags, path, 0, "$GITHUB_STEP_SUMMARY upload aborted, "
				     "supports content up to a size of %zuk, got %zuk. For more "
				     "information see: https://docs.github.com/actions/using-"
				     "workflows/workflow-commands-for-github-actions#adding-a-"
				     "markdown-summary", ENVFILE_SUMMARY_MAX / 1024,
				     (size_t)st.st_size / 1024);
	ret = envfile_read(&text, path, ENVFILE_SUMMARY_MAX, diags);
	if (!ret)
		mask_apply_buf(m, text.buf, text.len, out);
	strbuf_release(&text);
	return ret;
}

/* A random (version 4) UUID, as crypto.randomUUID() prints it. */
static int envfile_uuid(struct strbuf *out, struct strbuf *err)
{
	unsigned char b[16];
	size_t got = 0;

	while (got < sizeof(b)) {
		ssize_t n = getrandom(b + got, sizeof(b) - got, 0);

		if (n < 0 && errno != EINTR) {
			strbuf_addf(err, "cannot get random bytes: %s", strerror(errno));
			return -1;
		}
		if (n > 0)
			got += (size_t)n;
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	for (size_t i = 0; i < sizeof(b); i++)
		strbuf_addf(out, "%s%02x", i == 4 || i == 6 || i == 8 || i == 10 ? "-" : "", b[i]);
	return 0;
}

int envfile_format_pair(struct strbuf *out, const char *name, const char *value,
			size_t value_len, const char *delimiter, struct strbuf *err)
{
	struct strbuf delim = STRBUF_INIT;
	int ret = -1;

	if (delimiter) {
		strbuf_addstr(&delim, delimiter);
	} else {
		strbuf_addstr(&delim, "ghadelimiter_");
		if (envfile_uuid(&delim, err))
			goto out;
	}
	if (strstr(name, delim.buf)) {
		strbuf_addf(err, "Unexpected input: name should not contain the delimiter "
			    "\"%s\"", delim.buf);
		goto out;
	}
	if (memmem(value, value_len, delim.buf, delim.len)) {
		strbuf_addf(err, "Unexpected input: value should not contain the delimiter "
			    "\"%s\"", delim.buf);
		goto out;
	}
	strbuf_addf(out, "%s<<%s\n", name, delim.buf);
	strbuf_add(out, value, value_len);
	strbuf_addf(out, "\n%s\n", delim.buf);
	ret = 0;
out:
	strbuf_release(&delim);
	return ret;
}
