/*
 * mask: which forms of a secret are registered (the encoder table) and how
 * masked text is produced from the matcher's covering spans. The matching
 * itself is util/acm's; collecting secrets from files and flags is not here.
 */
#include "runner/mask.h"
#include "util/acm.h"
#include "util/digest.h"
#include "util/json.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

struct mask_matcher {
	struct acm *ac;         /* NULL while no form is registered */
	size_t built_nr;        /* forms compiled into ac */
	struct acm_spans spans;
	struct strbuf scratch;
};

enum {
	MASK_B64_URL = 4,       /* flag beside the shift (0..2) in an encoder's arg */
};

static void mask_encode_json(struct strbuf *out, const char *s, size_t len, int arg)
{
	size_t start = out->len;

	(void)arg;
	json_write_string(out, s, len);
	/* Keep what sits between the quotes. */
	memmove(out->buf + start, out->buf + start + 1, out->len - start - 2);
	strbuf_setlen(out, out->len - 2);
}

/* RFC 3986's unreserved characters; encodeURIComponent (arg 1) keeps !'()* too. */
static int mask_uri_keeps(unsigned char c, int arg)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		(c && strchr("-_.~", c)) || (arg && c && strchr("!'()*", c));
}

/* arg 0: Uri.EscapeDataString (GitHub's UriDataEscape); 1: encodeURIComponent. */
static void mask_encode_uri(struct strbuf *out, const char *s, size_t len, int arg)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (mask_uri_keeps(c, arg)) {
			strbuf_addch(out, c);
		} else {
			strbuf_addch(out, '%');
			strbuf_addch(out, hex[c >> 4]);
			strbuf_addch(out, hex[c & 15]);
		}
	}
}

static void mask_encode_xml(struct strbuf *out, const char *s, size_t len, int arg)
{
	(void)arg;
	for (size_t i = 0; i < len; i++) {
		switch (s[i]) {
		case '<': strbuf_addstr(out, "&lt;"); break;
		case '>': strbuf_addstr(out, "&gt;"); break;
		case '"': strbuf_addstr(out, "&quot;"); break;
		case '\'': strbuf_addstr(out, "&apos;"); break;
		case '&': strbuf_addstr(out, "&amp;"); break;
		default: strbuf_addch(out, s[i]);
		}
	}
}

/* A string literal's body in the ${{ }} language: ' is doubled. */
static void mask_encode_expression(struct strbuf *out, const char *s, size_t len, int arg)
{
	(void)arg;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\'')
			strbuf_addch(out, '\'');
		strbuf_addch(out, s[i]);
	}
}

/* GitHub's TrimDoubleQuotes: the inside of "...", for values over 8 bytes. */
static void mask_encode_unquoted(struct strbuf *out, const char *s, size_t len, int arg)
{
	(void)arg;
	if (len > 8 && s[0] == '"' && s[len - 1] == '"')
		strbuf_add(out, s + 1, len - 2);
}

/* GitHub's Base64StringEscape(Shift1|Shift2): arg bytes dropped first. */
static void mask_encode_base64(struct strbuf *out, const char *s, size_t len, int arg)
{
	size_t shift = (size_t)arg;

	if (len > shift)
		digest_base64(out, s + shift, len - shift);
	else
		digest_base64(out, s, len);
}

/*
 * base64 of the bytes after the first (arg & 3), cut to the characters that
 * no neighbouring byte can change: 4 per whole group of 3 bytes, then 1 per
 * leftover byte. With MASK_B64_URL, the URL-safe alphabet.
 */
static void mask_encode_base64_fragment(struct strbuf *out, const char *s, size_t len, int arg)
{
	size_t shift = (size_t)(arg & 3), start = out->len, keep;

	if (len <= shift)
		return;
	len -= shift;
	keep = len / 3 * 4 + len % 3;
	if (keep < MASK_MIN_BASE64_FRAGMENT)
		return;
	digest_base64(out, s + shift, len);
	strbuf_setlen(out, start + keep);
	for (size_t i = start; (arg & MASK_B64_URL) && i < out->len; i++) {
		if (out->buf[i] == '+')
			out->buf[i] = '-';
		else if (out->buf[i] == '/')
			out->buf[i] = '_';
	}
}

static const struct mask_encoder {
	void (*encode)(struct strbuf *out, const char *s, size_t len, int arg);
	int arg;
} mask_encoders[] = {
	{ mask_encode_json, 0 },
	{ mask_encode_uri, 0 },
	{ mask_encode_uri, 1 },
	{ mask_encode_xml, 0 },
	{ mask_encode_expression, 0 },
	{ mask_encode_unquoted, 0 },
	{ mask_encode_base64, 0 },
	{ mask_encode_base64, 1 },
	{ mask_encode_base64, 2 },
	{ mask_encode_base64_fragment, 0 },
	{ mask_encode_base64_fragment, 1 },
	{ mask_encode_base64_fragment, 2 },
	{ mask_encode_base64_fragment, MASK_B64_URL | 0 },
	{ mask_encode_base64_fragment, MASK_B64_URL | 1 },
	{ mask_encode_base64_fragment, MASK_B64_URL | 2 },
};

void mask_init(struct mask *m)
{
	strbuf_init(&m->forms, 0);
	m->form = NULL;
	m->nr = m->alloc = 0;
	m->matcher = xcalloc(1, sizeof(*m->matcher));
	strbuf_init(&m->matcher->scratch, 0);
}

void mask_release(struct mask *m)
{
	if (m->matcher) {
		acm_free(m->matcher->ac);
		free(m->matcher->spans.items);
		strbuf_release(&m->matcher->scratch);
		free(m->matcher);
	}
	strbuf_release(&m->forms);
	free(m->form);
	m->form = NULL;
	m->nr = m->alloc = 0;
	m->matcher = NULL;
}

static int mask_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static const char *mask_trim(const char *s, size_t *len)
{
	while (*len && mask_is_space(*s)) {
		s++;
		(*len)--;
	}
	while (*len && mask_is_space(s[*len - 1]))
		(*len)--;
	return s;
}

static int mask_form_is(const struct mask *m, size_t i, const char *s, size_t len)
{
	return m->form[i].len == len && !memcmp(m->forms.buf + m->form[i].off, s, len);
}

/* Add s as a form unless one of the forms from index since on equals it. */
static size_t mask_push_form(struct mask *m, size_t since, const char *s, size_t len,
			     int original)
{
	for (size_t i = since; i < m->nr; i++)
		if (mask_form_is(m, i, s, len))
			return 0;
	ALLOC_GROW(m->form, m->nr + 1, m->alloc);
	m->form[m->nr].off = m->forms.len;
	m->form[m->nr].len = len;
	m->form[m->nr].original = original;
	m->nr++;
	strbuf_add(&m->forms, s, len);
	return 1;
}

/* Register s and each of its encodings (new, distinct, non-empty ones). */
static size_t mask_push_encoded(struct mask *m, const char *s, size_t len, int original)
{
	struct strbuf enc = STRBUF_INIT;
	size_t since = m->nr, added = mask_push_form(m, since, s, len, original);

	for (size_t i = 0; i < sizeof(mask_encoders) / sizeof(mask_encoders[0]); i++) {
		strbuf_reset(&enc);
		mask_encoders[i].encode(&enc, s, len, mask_encoders[i].arg);
		if (enc.len)
			added += mask_push_form(m, since, enc.buf, enc.len, 0);
	}
	strbuf_release(&enc);
	return added;
}

size_t mask_add(struct mask *m, const char *value, size_t len)
{
	const char *v = mask_trim(value, &len), *end = v + len, *p = v;
	size_t added;

	if (!len)
		return 0;
	for (size_t i = 0; i < m->nr; i++)
		if (m->form[i].original && mask_form_is(m, i, v, len))
			return 0;
	added = mask_push_encoded(m, v, len, 1);
	if (!memchr(v, '\n', len) && !memchr(v, '\r', len))
		return added;
	while (p < end) {
		const char *eol = p;
		size_t n;

		while (eol < end && *eol != '\n' && *eol != '\r')
			eol++;
		n = (size_t)(eol - p);
		p = mask_trim(p, &n);
		if (n)
			added += mask_push_encoded(m, p, n, 0);
		p = eol + 1;
	}
	return added;
}

size_t mask_count_secrets(const struct mask *m)
{
	size_t n = 0;

	for (size_t i = 0; i < m->nr; i++)
		n += m->form[i].original;
	return n;
}

/* The covering spans of text, after compiling the matcher if it is stale. */
static size_t mask_cover(const struct mask *m, const char *text, size_t len)
{
	struct mask_matcher *mm = m->matcher;

	if (!m->nr)
		return 0;
	if (mm->built_nr != m->nr) {
		struct acm_pattern *pats = xmalloc(m->nr * sizeof(*pats));

		for (size_t i = 0; i < m->nr; i++) {
			pats[i].ptr = m->forms.buf + m->form[i].off;
			pats[i].len = m->form[i].len;
		}
		acm_free(mm->ac);
		mm->ac = acm_build(pats, m->nr, 0);
		mm->built_nr = m->nr;
		free(pats);
	}
	return acm_cover(mm->ac, text, len, &mm->spans);
}

/* Append text to out with the spans found by the last mask_cover replaced. */
static void mask_emit(const struct mask *m, const char *text, size_t len, struct strbuf *out)
{
	const struct acm_spans *spans = &m->matcher->spans;
	size_t at = 0;

	for (size_t i = 0; i < spans->nr; i++) {
		strbuf_add(out, text + at, spans->items[i].start - at);
		strbuf_addstr(out, MASK_REPLACEMENT);
		at = spans->items[i].end;
	}
	strbuf_add(out, text + at, len - at);
}

size_t mask_apply(const struct mask *m, struct strbuf *line)
{
	struct strbuf *scratch = &m->matcher->scratch, tmp;
	size_t n = mask_cover(m, line->buf, line->len);

	if (!n)
		return 0;
	strbuf_reset(scratch);
	mask_emit(m, line->buf, line->len, scratch);
	tmp = *line;
	*line = *scratch;
	*scratch = tmp;
	return n;
}

size_t mask_apply_buf(const struct mask *m, const char *buf, size_t len, struct strbuf *out)
{
	size_t n = mask_cover(m, buf, len);

	if (n)
		mask_emit(m, buf, len, out);
	else
		strbuf_add(out, buf, len);
	return n;
}
