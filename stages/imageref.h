/*
 * imageref: image references as docker reads them — "[registry/]path[:tag]"
 * — split, checked and put back together with another registry or tag.
 * Digests ("@sha256:...") are refused: the CD stages deal in tags.
 */
#ifndef STAGES_IMAGEREF_H
#define STAGES_IMAGEREF_H

#include "util/strbuf.h"

struct imageref {
	struct strbuf registry;         /* "127.0.0.1:5000", or "" */
	struct strbuf path;             /* "team/tasks-app" */
	struct strbuf tag;              /* "3f2c1ab", or "" */
};

void imageref_init(struct imageref *r);
void imageref_release(struct imageref *r);

/*
 * Split s. The first component is a registry when it holds a '.' or a
 * ':' or is "localhost". The path must be lowercase [a-z0-9._-] segments
 * separated by '/'; the tag is checked by imageref_valid_tag. -1 with err
 * ("'X' is not an image reference: ...").
 */
int imageref_parse(struct imageref *r, const char *s, struct strbuf *err);

/* A tag: [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}. */
int imageref_valid_tag(const char *tag);

/* Append "[registry/]path[:tag]" to out; a NULL registry or tag uses r's own. */
void imageref_format(struct strbuf *out, const struct imageref *r, const char *registry,
		     const char *tag);

#endif
