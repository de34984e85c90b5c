/*
 * digest: SHA-256, HMAC and base64 (the only file that includes OpenSSL's
 * headers). Hex output is lowercase.
 */
#ifndef UTIL_DIGEST_H
#define UTIL_DIGEST_H

#include <stddef.h>

#include "util/strbuf.h"

#define DIGEST_SHA256_LEN 32

struct digest_sha256;

/* Incremental SHA-256. */
struct digest_sha256 *digest_sha256_new(void);
void digest_sha256_update(struct digest_sha256 *d, const void *data, size_t len);
/* Writes 32 bytes to out and frees d. */
void digest_sha256_final(struct digest_sha256 *d, unsigned char out[DIGEST_SHA256_LEN]);

void digest_sha256(unsigned char out[DIGEST_SHA256_LEN], const void *data, size_t len);
/* HMAC with SHA-256 or SHA-1 (GitHub's X-Hub-Signature-256 / X-Hub-Signature). */
void digest_hmac_sha256(unsigned char out[32], const void *key, size_t key_len,
			const void *data, size_t len);
void digest_hmac_sha1(unsigned char out[20], const void *key, size_t key_len,
		      const void *data, size_t len);

/* Append len bytes as lowercase hex. */
void digest_hex(struct strbuf *sb, const unsigned char *bytes, size_t len);
/* Decode 2*n hex digits (either case) into n bytes; -1 on a non-hex digit. */
int digest_unhex(unsigned char *out, const char *hex, size_t n);
/* Constant-time comparison of two equal-length byte strings. */
int digest_equal(const void *a, const void *b, size_t len);

/* Append standard base64 (with padding). */
void digest_base64(struct strbuf *sb, const void *data, size_t len);
/* Decode base64 (padding optional); -1 on invalid input. */
int digest_base64_decode(struct strbuf *sb, const char *text, size_t len);

#endif
