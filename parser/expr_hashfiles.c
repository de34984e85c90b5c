/*
 * expr_hashfiles: hashFiles(pattern, ...) as GitHub's runner computes it —
 * the patterns are @actions/glob lines rooted at the workspace, every
 * matched file under the workspace is hashed with SHA-256 in the order
 * the glob yields it, and the digests are hashed again; '' when nothing
 * matches. The only place where evaluation reads files.
 */
#include "parser/expr_int.h"
#include "util/digest.h"
#include "util/glob.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define HASHFILES_FOLLOW "--follow-symbolic-links"

/* Feed the SHA-256 of the file at path into outer; -1 with errno on a read error. */
static int hashfiles_add(struct digest_sha256 *outer, const char *path)
{
	unsigned char buf[65536], sum[DIGEST_SHA256_LEN];
	struct digest_sha256 *d;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	d = digest_sha256_new();
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		digest_sha256_update(d, buf, (size_t)n);
	digest_sha256_final(d, sum);
	close(fd);
	if (n < 0)
		return -1;
	digest_sha256_update(outer, sum, sizeof(sum));
	return 0;
}

static int hashfiles_failed(struct expr_run *r, const struct expr_node *n,
			    const struct strbuf *patterns, const char *why)
{
	return expr_run_fail(r, n, "hashFiles('%s') failed. Fail to hash files under directory '%s': %s",
			     patterns->buf, r->env->workspace, why);
}

static int hashfiles_run(struct expr_run *r, const struct expr_node *n,
			 const struct strbuf *patterns, unsigned flags, struct val *out)
{
	const char *ws = r->env->workspace;
	size_t wslen = strlen(ws);
	struct glob_paths *g;
	struct strlist files = STRLIST_INIT;
	struct strbuf err = STRBUF_INIT, hex = STRBUF_INIT;
	struct digest_sha256 *outer = NULL;
	unsigned char sum[DIGEST_SHA256_LEN];
	size_t hashed = 0;
	int ret = -1;

	if (glob_paths_compile(&g, patterns->buf, patterns->len, ws, &err) < 0) {
		ret = hashfiles_failed(r, n, patterns, err.buf);
		goto out;
	}
	if (glob_paths_walk(g, flags, &files, &err) < 0) {
		glob_paths_free(g);
		ret = hashfiles_failed(r, n, patterns, err.buf);
		goto out;
	}
	glob_paths_free(g);
	outer = digest_sha256_new();
	for (size_t i = 0; i < files.nr; i++) {
		const char *f = files.items[i];

		/* Files outside the workspace are ignored. */
		if (strncmp(f, ws, wslen) || (wslen && ws[wslen - 1] != '/' && f[wslen] != '/'))
			continue;
		if (hashfiles_add(outer, f) < 0) {
			strbuf_addf(&err, "cannot read '%s': %s", f, strerror(errno));
			ret = hashfiles_failed(r, n, patterns, err.buf);
			goto out;
		}
		hashed++;
	}
	digest_sha256_final(outer, sum);
	outer = NULL;
	if (hashed)
		digest_hex(&hex, sum, sizeof(sum));
	*out = val_string(r->env->arena, hex.buf, hex.len);
	ret = 0;
out:
	if (outer)
		digest_sha256_final(outer, sum);
	strlist_release(&files);
	strbuf_release(&err);
	strbuf_release(&hex);
	return ret;
}

struct expr_ref expr_func_hashfiles(struct expr_run *r, const struct expr_node *n,
				    const struct expr_ref *args, unsigned nr, struct val *slot)
{
	struct strbuf patterns = STRBUF_INIT;
	unsigned flags = 0;
	int ret;

	if (!r->env->workspace) {
		expr_run_fail(r, n, "hashFiles() is only available where a workspace exists");
		return expr_ref_failed();
	}
	for (unsigned i = 0; i < nr; i++) {
		char buf[VAL_NUMBER_MAX];
		size_t len;
		const char *s = expr_coerce_chars(args[i].v, buf, &len);

		/* A first argument starting with "--" is an option, as on GitHub's runner. */
		if (!i && len >= 2 && !strncmp(s, "--", 2)) {
			if (len != strlen(HASHFILES_FOLLOW) || strncasecmp(s, HASHFILES_FOLLOW, len)) {
				expr_run_fail(r, n,
					      "Invalid glob option %.*s, available option: '%s'.",
					      (int)len, s, HASHFILES_FOLLOW);
				strbuf_release(&patterns);
				return expr_ref_failed();
			}
			flags |= GLOB_FOLLOW_SYMLINKS;
			continue;
		}
		if (patterns.len)
			strbuf_addch(&patterns, '\n');
		strbuf_add(&patterns, s, len);
	}
	ret = hashfiles_run(r, n, &patterns, flags, slot);
	strbuf_release(&patterns);
	return ret < 0 ? expr_ref_failed() : expr_ref_to(slot);
}
