/*
 * digest: thin wrappers over OpenSSL's libcrypto (EVP, HMAC, base64).
 */
#include "util/digest.h"
#include "util/xalloc.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>

struct digest_sha256 {
	EVP_MD_CTX *ctx;
};

struct digest_sha256 *digest_sha256_new(void)
{
	struct digest_sha256 *d = xmalloc(sizeof(*d));

	d->ctx = EVP_MD_CTX_new();
	if (!d->ctx || EVP_DigestInit_ex(d->ctx, EVP_sha256(), NULL) != 1)
		abort();
	return d;
}

void digest_sha256_update(struct digest_sha256 *d, const void *data, size_t len)
{
	if (EVP_DigestUpdate(d->ctx, data, len) != 1)
		abort();
}

void digest_sha256_final(struct digest_sha256 *d, unsigned char out[DIGEST_SHA256_LEN])
{
	unsigned int n = DIGEST_SHA256_LEN;

	if (EVP_DigestFinal_ex(d->ctx, out, &n) != 1)
		abort();
	EVP_MD_CTX_free(d->ctx);
	free(d);
}

void digest_sha256(unsigned char out[DIGEST_SHA256_LEN], const void *data, size_t len)
{
	struct digest_sha256 *d = digest_sha256_new();

	digest_sha256_update(d, data, len);
	digest_sha256_final(d, out);
}

void digest_hmac_sha256(unsigned char out[32], const void *key, size_t key_len,
			const void *data, size_t len)
{
	unsigned int n = 32;

	if (!HMAC(EVP_sha256(), key, (int)key_len, data, len, out, &n))
		abort();
}

void digest_hmac_sha1(unsigned char out[20], const void *key, size_t key_len,
		      const void *data, size_t len)
{
	unsigned int n = 20;

	if (!HMAC(EVP_sha1(), key, (int)key_len, data, len, out, &n))
		abort();
}

void digest_hex(struct strbuf *sb, const unsigned char *bytes, size_t len)
{
	static const char hex[] = "0123456789abcdef";

	strbuf_grow(sb, len * 2);
	for (size_t i = 0; i < len; i++) {
		strbuf_addch(sb, hex[bytes[i] >> 4]);
		strbuf_addch(sb, hex[bytes[i] & 15]);
	}
}

int digest_equal(const void *a, const void *b, size_t len)
{
	return CRYPTO_memcmp(a, b, len) == 0;
}

void digest_base64(struct strbuf *sb, const void *data, size_t len)
{
	size_t out_len = 4 * ((len + 2) / 3);

	strbuf_grow(sb, out_len);
	EVP_EncodeBlock((unsigned char *)sb->buf + sb->len, data, (int)len);
	strbuf_setlen(sb, sb->len + out_len);
}

static int digest_hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int digest_unhex(unsigned char *out, const char *hex, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int hi = digest_hex_value((unsigned char)hex[2 * i]);
		int lo = hi < 0 ? -1 : digest_hex_value((unsigned char)hex[2 * i + 1]);

		if (lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

static int digest_b64_value(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int digest_base64_decode(struct strbuf *sb, const char *text, size_t len)
{
	unsigned acc = 0;
	int bits = 0;
	size_t start = sb->len;

	while (len && text[len - 1] == '=')
		len--;
	for (size_t i = 0; i < len; i++) {
		int v = digest_b64_value((unsigned char)text[i]);

		if (v < 0) {
			strbuf_setlen(sb, start);
			return -1;
		}
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			strbuf_addch(sb, (int)((acc >> bits) & 0xff));
		}
	}
	return 0;
}
