/*
 * rx: a small wrapper over PCRE2 (8-bit) with JIT when available. Match
 * data is allocated per call so that compiled patterns can be shared.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "util/rx.h"
#include "util/xalloc.h"

#include <pcre2.h>
#include <stdlib.h>

struct rx {
	pcre2_code *code;
	unsigned flags;
};

struct rx *rx_compile(const char *pattern, unsigned flags, struct strbuf *err)
{
	uint32_t opts = 0;
	int errcode;
	PCRE2_SIZE erroff;
	pcre2_code *code;
	struct rx *rx;

	if (flags & RX_CASELESS)
		opts |= PCRE2_CASELESS;
	if (flags & RX_MULTILINE)
		opts |= PCRE2_MULTILINE;
	if (flags & RX_DOTALL)
		opts |= PCRE2_DOTALL;
	if (flags & RX_UTF)
		opts |= PCRE2_UTF;
	code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, opts, &errcode,
			     &erroff, NULL);
	if (!code) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(errcode, msg, sizeof(msg));
		strbuf_addf(err, "offset %zu: %s", (size_t)erroff, (char *)msg);
		return NULL;
	}
	pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
	rx = xmalloc(sizeof(*rx));
	rx->code = code;
	rx->flags = flags;
	return rx;
}

void rx_free(struct rx *rx)
{
	if (!rx)
		return;
	pcre2_code_free(rx->code);
	free(rx);
}

static int rx_exec(const struct rx *rx, const char *subject, size_t len, size_t start,
		   uint32_t opts, size_t *spans, size_t nspans)
{
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(rx->code, NULL);
	int rc;

	if (!md)
		abort();
	rc = pcre2_match(rx->code, (PCRE2_SPTR)subject, len, start, opts, md, NULL);
	if (rc >= 0) {
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
		size_t have = pcre2_get_ovector_count(md);

		for (size_t i = 0; i < nspans; i++) {
			int set = i < have && ov[2 * i] != PCRE2_UNSET;

			spans[2 * i] = set ? ov[2 * i] : RX_UNSET;
			spans[2 * i + 1] = set ? ov[2 * i + 1] : RX_UNSET;
		}
		rc = 1;
	} else if (rc == PCRE2_ERROR_NOMATCH) {
		rc = 0;
	} else {
		rc = -1;
	}
	pcre2_match_data_free(md);
	return rc;
}

static uint32_t rx_search_opts(const struct rx *rx)
{
	return (rx->flags & RX_ANCHORED) ? PCRE2_ANCHORED | PCRE2_ENDANCHORED : 0;
}

int rx_search(const struct rx *rx, const char *subject, size_t len, size_t start,
	      size_t *mstart, size_t *mend)
{
	size_t span[2];
	int rc = rx_exec(rx, subject, len, start, rx_search_opts(rx), span, 1);

	if (rc == 1) {
		if (mstart)
			*mstart = span[0];
		if (mend)
			*mend = span[1];
	}
	return rc;
}

int rx_search_spans(const struct rx *rx, const char *subject, size_t len, size_t start,
		    size_t *spans, size_t nspans)
{
	return rx_exec(rx, subject, len, start, rx_search_opts(rx), spans, nspans);
}

int rx_matches(const struct rx *rx, const char *subject, size_t len)
{
	return rx_exec(rx, subject, len, 0, PCRE2_ANCHORED | PCRE2_ENDANCHORED, NULL, 0) == 1;
}
