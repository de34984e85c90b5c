/*
 * uses: splits `uses:` references into their parts with GitHub's rules
 * (a remote reference needs a non-empty owner, repository and ref).
 * Whether the action or workflow exists is not this file's concern.
 */
#include "parser/uses.h"

#include <string.h>

static const struct {
	const char *prefix;
	enum wf_uses_kind kind;
} uses_prefixes[] = {
	{ "docker://", WF_USES_DOCKER },
	{ "./", WF_USES_LOCAL },
	{ ".\\", WF_USES_LOCAL },
	{ "$/", WF_USES_LOCAL },
};

static const char uses_expected[] =
	"expected 'owner/repo[/path]@ref', './path' or 'docker://image'";

/* The next '/'-separated segment of [*p, end) that is not empty, or NULL. */
static const char *uses_segment(const char **p, const char *end, size_t *len)
{
	const char *s = *p, *e;

	while (s < end && *s == '/')
		s++;
	if (s == end)
		return NULL;
	e = memchr(s, '/', (size_t)(end - s));
	if (!e)
		e = end;
	*len = (size_t)(e - s);
	*p = e;
	return s;
}

int wf_uses_parse(struct wf_uses *out, struct arena *a, const char *text, struct strbuf *err)
{
	const char *at, *p, *owner, *repo, *path;
	size_t owner_len, repo_len, path_len;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < sizeof(uses_prefixes) / sizeof(uses_prefixes[0]); i++) {
		size_t n = strlen(uses_prefixes[i].prefix);

		if (!strncmp(text, uses_prefixes[i].prefix, n)) {
			out->kind = uses_prefixes[i].kind;
			out->path = arena_strdup(a, text + n);
			return 0;
		}
	}
	out->kind = WF_USES_REMOTE;
	at = strchr(text, '@');
	p = text;
	if (!at || !at[1] || strchr(at + 1, '@') ||
	    !(owner = uses_segment(&p, at, &owner_len)) ||
	    !(repo = uses_segment(&p, at, &repo_len))) {
		strbuf_addstr(err, uses_expected);
		return -1;
	}
	out->owner = arena_strndup(a, owner, owner_len);
	out->repo = arena_strndup(a, repo, repo_len);
	path = uses_segment(&p, at, &path_len);
	out->path = path ? arena_strndup(a, path, (size_t)(at - path)) : "";
	out->ref = arena_strdup(a, at + 1);
	return 0;
}

void wf_uses_id_seed(struct strbuf *out, const struct wf_uses *u)
{
	switch (u->kind) {
	case WF_USES_LOCAL:
		strbuf_addstr(out, "self");
		break;
	case WF_USES_DOCKER:
		strbuf_addstr(out, u->path);
		break;
	default:
		strbuf_addf(out, "%s/%s", u->owner, u->repo);
		break;
	}
}
