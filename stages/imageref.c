/*
 * imageref: splitting and formatting image references (registry, path,
 * tag) with docker's character rules. It asks no engine whether an image
 * exists.
 */
#include "stages/imageref.h"

#include <string.h>

#define IMAGEREF_LOWER "abcdefghijklmnopqrstuvwxyz0123456789"
#define IMAGEREF_TAG "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-"

void imageref_init(struct imageref *r)
{
	strbuf_init(&r->registry, 0);
	strbuf_init(&r->path, 0);
	strbuf_init(&r->tag, 0);
}

void imageref_release(struct imageref *r)
{
	strbuf_release(&r->registry);
	strbuf_release(&r->path);
	strbuf_release(&r->tag);
}

int imageref_valid_tag(const char *tag)
{
	size_t n = strlen(tag);

	return n && n <= 128 && *tag != '.' && *tag != '-' && strspn(tag, IMAGEREF_TAG) == n;
}

/* Path segments: [a-z0-9] runs joined by '.', '_', '__' or '-'s, separated by '/'. */
static int imageref_valid_path(const char *p, size_t n)
{
	size_t seg = 0;

	if (!n || n > 255)
		return 0;
	for (size_t i = 0; i <= n; i++) {
		char c = i < n ? p[i] : '/';

		if (c == '/') {
			if (!seg || !strchr(IMAGEREF_LOWER, p[i - 1]))
				return 0;
			seg = 0;
		} else if (strchr(IMAGEREF_LOWER, c)) {
			seg++;
		} else if (strchr("._-", c) && seg) {
			seg++;
		} else {
			return 0;
		}
	}
	return 1;
}

int imageref_parse(struct imageref *r, const char *s, struct strbuf *err)
{
	const char *slash = strchr(s, '/'), *rest = s, *colon;

	strbuf_reset(&r->registry);
	strbuf_reset(&r->path);
	strbuf_reset(&r->tag);
	if (strchr(s, '@')) {
		strbuf_addf(err, "'%s' is not an image reference: name images by tag, not digest",
			    s);
		return -1;
	}
	if (slash && (memchr(s, '.', (size_t)(slash - s)) || memchr(s, ':', (size_t)(slash - s)) ||
		      (slash - s == 9 && !strncmp(s, "localhost", 9)))) {
		strbuf_add(&r->registry, s, (size_t)(slash - s));
		rest = slash + 1;
	}
	colon = strrchr(rest, ':');
	if (colon && strchr(colon, '/'))
		colon = NULL;
	strbuf_add(&r->path, rest, colon ? (size_t)(colon - rest) : strlen(rest));
	if (colon)
		strbuf_addstr(&r->tag, colon + 1);
	if (!imageref_valid_path(r->path.buf, r->path.len)) {
		strbuf_addf(err, "'%s' is not an image reference: the name must be lowercase "
			    "letters, digits and separators", s);
		return -1;
	}
	if (colon && !imageref_valid_tag(r->tag.buf)) {
		strbuf_addf(err, "'%s' is not an image reference: invalid tag '%s'", s, r->tag.buf);
		return -1;
	}
	return 0;
}

void imageref_format(struct strbuf *out, const struct imageref *r, const char *registry,
		     const char *tag)
{
	if (!registry)
		registry = r->registry.buf;
	if (!tag)
		tag = r->tag.buf;
	if (*registry)
		strbuf_addf(out, "%s/", registry);
	strbuf_addstr(out, r->path.buf);
	if (*tag)
		strbuf_addf(out, ":%s", tag);
}
