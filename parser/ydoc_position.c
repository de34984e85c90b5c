/*
 * ydoc_position: where a byte of a scalar's value sits in the file. It
 * re-reads the scalar's source the way YAML built the value (folded line
 * breaks, '' and \ escapes, block indentation) so errors inside a value
 * point at the right character. Loading and typing scalars is ydoc.c's.
 */
#include "parser/ydoc.h"

#include <string.h>

/* A place in the source, with its 1-based line and column (in characters). */
struct ypos_cursor {
	const char *p;
	int line, col;
};

static int ypos_is_break(char c)
{
	return c == '\n' || c == '\r';
}

static int ypos_is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static size_t ypos_char_len(const char *p)
{
	unsigned char c = (unsigned char)*p;

	return c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
}

/* Step over one character (a CRLF is one line break). */
static void ypos_next(struct ypos_cursor *c)
{
	if (ypos_is_break(*c->p)) {
		c->p += c->p[0] == '\r' && c->p[1] == '\n' ? 2 : 1;
		c->line++;
		c->col = 1;
		return;
	}
	c->p += ypos_char_len(c->p);
	c->col++;
}

/* Bytes of the UTF-8 form of the code point written as n hex digits at p. */
static size_t ypos_hex_bytes(const char *p, int n)
{
	unsigned long cp = 0;

	for (int i = 0; i < n; i++) {
		char c = p[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
			c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;

		if (d < 0)
			return 1;
		cp = cp * 16 + (unsigned long)d;
	}
	return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

/*
 * A double-quoted escape at c->p (a backslash): how many value bytes it
 * makes and how many source characters it spans. An escaped line break
 * makes none and also swallows the next line's indentation (the caller).
 */
static size_t ypos_escape(const char *p, int *span)
{
	static const struct {
		char c;
		int digits;     /* hex digits after it */
		size_t bytes;   /* value bytes when no digits follow */
	} escapes[] = {
		{ 'x', 2, 0 }, { 'u', 4, 0 }, { 'U', 8, 0 },
		{ 'N', 0, 2 }, { '_', 0, 2 }, { 'L', 0, 3 }, { 'P', 0, 3 },
	};

	*span = 2;
	for (size_t i = 0; i < sizeof(escapes) / sizeof(escapes[0]); i++) {
		if (p[1] != escapes[i].c)
			continue;
		if (!escapes[i].digits)
			return escapes[i].bytes;
		*span = 2 + escapes[i].digits;
		return ypos_hex_bytes(p + 2, escapes[i].digits);
	}
	return 1;
}

/*
 * At blanks or a line break: when they end the line, fold them (and the
 * indentation and empty lines after) as YAML does and return the value
 * bytes that makes (1 space, or one \n per empty line); -1 when the
 * blanks are content.
 */
static long ypos_fold(struct ypos_cursor *c)
{
	const char *q = c->p;
	long breaks = 0;

	while (ypos_is_blank(*q))
		q++;
	if (!ypos_is_break(*q))
		return -1;
	while (ypos_is_blank(*c->p) || ypos_is_break(*c->p)) {
		breaks += ypos_is_break(*c->p);
		ypos_next(c);
	}
	return breaks == 1 ? 1 : breaks - 1;
}

/* Plain, single- and double-quoted scalars: walk value and source side by side. */
static void ypos_flow(struct ypos_cursor *c, const struct ydoc_node *n, size_t off)
{
	size_t i = 0;

	if (n->style != YDOC_PLAIN)
		ypos_next(c);
	while (i < off && *c->p) {
		struct ypos_cursor save = *c;
		size_t bytes;
		long folded;
		int span;

		if ((ypos_is_blank(*c->p) || ypos_is_break(*c->p)) && (folded = ypos_fold(c)) >= 0) {
			bytes = (size_t)folded;
		} else if (n->style == YDOC_SINGLE_QUOTED && *c->p == '\'') {
			ypos_next(c);
			ypos_next(c);
			bytes = 1;
		} else if (n->style == YDOC_DOUBLE_QUOTED && *c->p == '\\' &&
			   ypos_is_break(c->p[1])) {
			ypos_next(c);
			ypos_next(c);
			while (ypos_is_blank(*c->p))
				ypos_next(c);
			bytes = 0;
		} else if (n->style == YDOC_DOUBLE_QUOTED && *c->p == '\\') {
			bytes = ypos_escape(c->p, &span);
			while (span--)
				ypos_next(c);
		} else {
			bytes = ypos_char_len(c->p);
			ypos_next(c);
		}
		if (i + bytes > off) {
			*c = save;
			return;
		}
		i += bytes;
	}
}

/* Leading spaces of the line at p. */
static int ypos_indent_of(const char *p)
{
	int n = 0;

	while (p[n] == ' ')
		n++;
	return n;
}

/* Move c to the start of the next line (or the end of the text). */
static void ypos_next_line(struct ypos_cursor *c)
{
	while (*c->p && !ypos_is_break(*c->p))
		ypos_next(c);
	if (*c->p)
		ypos_next(c);
}

/* From the start of a content line: past its indentation, then len bytes further. */
static void ypos_advance(struct ypos_cursor *c, int indent, size_t len)
{
	const char *end;

	for (int k = 0; k < indent && *c->p == ' '; k++)
		ypos_next(c);
	end = c->p + len;
	while (c->p < end && *c->p && !ypos_is_break(*c->p))
		ypos_next(c);
}

/*
 * Bytes of the value before the text of a block scalar's content line:
 * a literal keeps every line break; a folded scalar turns the break
 * between two lines that are not more indented into a space, and keeps
 * the breaks around more-indented lines.
 */
static size_t ypos_block_separator(const struct ydoc_node *n, int seen_text, int empties,
				   int more, int prev_more)
{
	if (n->style == YDOC_LITERAL)
		return (size_t)empties + (seen_text ? 1 : 0);
	if (!seen_text)
		return (size_t)empties;
	if (!more && !prev_more)
		return empties ? (size_t)empties : 1;
	return (size_t)empties + 1;
}

/*
 * Literal and folded scalars: content starts on the line after the
 * indicator, indented as its first non-empty line is.
 */
static void ypos_block(struct ypos_cursor *c, const struct ydoc_node *n, size_t off)
{
	size_t i = 0;
	int indent = -1, empties = 0, seen_text = 0, prev_more = 0;

	ypos_next_line(c);
	for (struct ypos_cursor q = *c; *q.p && indent < 0; ypos_next_line(&q)) {
		int k = ypos_indent_of(q.p);

		if (q.p[k] && !ypos_is_break(q.p[k]))
			indent = k;
	}
	if (indent < 0)
		return;
	for (; *c->p; ypos_next_line(c)) {
		int k = ypos_indent_of(c->p);
		const char *text = c->p + (k < indent ? k : indent);
		size_t len = 0;
		int more;

		while (text[len] && !ypos_is_break(text[len]))
			len++;
		if (!c->p[k] || ypos_is_break(c->p[k])) {
			if (k <= indent) {
				empties++;
				continue;
			}
		} else if (k < indent) {
			return;
		}
		more = ypos_is_blank(*text);
		i += ypos_block_separator(n, seen_text, empties, more, prev_more);
		if (off < i + len || i + len >= n->u.scalar.len) {
			ypos_advance(c, indent, off > i ? off - i : 0);
			return;
		}
		i += len;
		seen_text = 1;
		prev_more = more;
		empties = 0;
	}
}

/* 1 when p starts a line break as libyaml counts them (also NEL, LS and PS). */
static size_t ypos_break_len(const char *p)
{
	if (p[0] == '\r')
		return p[1] == '\n' ? 2 : 1;
	if (p[0] == '\n')
		return 1;
	if ((unsigned char)p[0] == 0xc2 && (unsigned char)p[1] == 0x85)
		return 2;
	if ((unsigned char)p[0] == 0xe2 && (unsigned char)p[1] == 0x80 &&
	    ((unsigned char)p[2] == 0xa8 || (unsigned char)p[2] == 0xa9))
		return 3;
	return 0;
}

/*
 * Where node n starts in its text: its line and column are libyaml's, so
 * count lines and characters the way it does. Only errors need this.
 */
static const char *ypos_node_start(const struct ydoc_node *n)
{
	const char *p = n->text;

	for (int line = 1; line < n->line && *p;) {
		size_t br = ypos_break_len(p);

		p += br ? br : 1;
		line += br != 0;
	}
	for (int col = 1; col < n->col && *p && !ypos_break_len(p); col++)
		p += ypos_char_len(p);
	return p;
}

void ydoc_scalar_position(const struct ydoc_node *n, size_t off, int *line, int *col)
{
	struct ypos_cursor c;

	*line = n->line;
	*col = n->col;
	if (!n->text || n->kind != YDOC_SCALAR)
		return;
	c.p = ypos_node_start(n);
	c.line = n->line;
	c.col = n->col;
	if (off > n->u.scalar.len)
		off = n->u.scalar.len;
	/* Anchors and tags come before the value. */
	while (*c.p == '&' || *c.p == '!') {
		while (*c.p && !ypos_is_blank(*c.p) && !ypos_is_break(*c.p))
			ypos_next(&c);
		while (ypos_is_blank(*c.p) || ypos_is_break(*c.p))
			ypos_next(&c);
	}
	if (n->style == YDOC_LITERAL || n->style == YDOC_FOLDED)
		ypos_block(&c, n, off);
	else
		ypos_flow(&c, n, off);
	*line = c.line;
	*col = c.col;
}
