/*
 * fuzz_webhook: libFuzzer entry point for runner/webhook past its
 * signature check: the input is signed with the secret here, so every
 * byte reaches the payload reader, as GitHub and as Gitea. Unsigned and
 * mis-signed variants of the same bytes must be refused with 401.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <strings.h>

#include "runner/webhook.h"
#include "util/digest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_headers {
	const char *event_name, *event, *sig_name, *sig;
};

static const char *fuzz_header(void *d, const char *name)
{
	struct fuzz_headers *h = d;

	if (!strcasecmp(name, h->event_name))
		return h->event;
	if (!strcasecmp(name, h->sig_name))
		return h->sig;
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const events[] = { "push", "ping", "issues" };
	unsigned char mac[32];
	struct strbuf sig = STRBUF_INIT, hex = STRBUF_INIT, err = STRBUF_INIT;
	struct arena a = ARENA_INIT;
	struct webhook_delivery d;

	digest_hmac_sha256(mac, "fuzz-secret", 11, data, size);
	digest_hex(&hex, mac, sizeof(mac));
	for (int gitea = 0; gitea < 2; gitea++) {
		struct fuzz_headers h = { gitea ? "X-Gitea-Event" : "X-GitHub-Event",
					  events[size % 3],
					  gitea ? "X-Gitea-Signature" : "X-Hub-Signature-256", NULL };

		strbuf_reset(&sig);
		strbuf_addf(&sig, "%s%s", gitea ? "" : "sha256=", hex.buf);
		h.sig = sig.buf;
		if (webhook_read(&d, &a, fuzz_header, &h, (const char *)data, size, "fuzz-secret",
				 &err) == 401)
			abort();        /* a correct signature is never refused */
		strbuf_reset(&err);
		h.sig = NULL;
		if (webhook_read(&d, &a, fuzz_header, &h, (const char *)data, size, "fuzz-secret",
				 &err) != 401)
			abort();        /* an unsigned one always is */
		strbuf_reset(&err);
	}
	strbuf_release(&sig);
	strbuf_release(&hex);
	strbuf_release(&err);
	arena_release(&a);
	return 0;
}
