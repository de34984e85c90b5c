/*
 * Unit tests for runner/webhook: GitHub's documented signature example,
 * push payloads from both forges (tests/data/webhook), and every way a
 * delivery is refused: unsigned, mis-signed, malformed, unknown source.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <strings.h>

#include "runner/webhook.h"
#include "util/digest.h"
#include "util/fs.h"

struct headers {
	const char *pairs[8][2];
};

static const char *get_header(void *data, const char *name)
{
	struct headers *h = data;

	for (size_t i = 0; i < 8 && h->pairs[i][0]; i++)
		if (!strcasecmp(h->pairs[i][0], name))
			return h->pairs[i][1];
	return NULL;
}

static void sign(struct strbuf *out, const char *prefix, const char *secret, const char *body,
		 size_t len)
{
	unsigned char mac[32];

	digest_hmac_sha256(mac, secret, strlen(secret), body, len);
	strbuf_reset(out);
	strbuf_addstr(out, prefix);
	digest_hex(out, mac, sizeof(mac));
}

/* docs.github.com, "Validating webhook deliveries": the example values. */
static void test_github_documented_vector(void **state)
{
	const char *secret = "It's a Secret to Everybody", *body = "Hello, World!";
	struct headers h = { { { "X-GitHub-Event", "push" },
			       { "X-Hub-Signature-256",
				 "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17" } } };
	struct webhook_delivery d;
	struct arena a = ARENA_INIT;
	struct strbuf err = STRBUF_INIT, sig = STRBUF_INIT;

	(void)state;
	sign(&sig, "sha256=", secret, body, strlen(body));
	assert_string_equal(sig.buf, h.pairs[1][1]);
	/* the signature holds, so the body is read: not JSON, 400 */
	assert_int_equal(webhook_read(&d, &a, get_header, &h, body, strlen(body), secret, &err), 400);
	assert_string_equal(err.buf, "malformed payload: line 1, column 5: invalid token near 'Hello'");
	/* one byte changed in the body, or another secret: 401 */
	strbuf_reset(&err);
	assert_int_equal(webhook_read(&d, &a, get_header, &h, "Hello, World?", 13, secret, &err), 401);
	assert_string_equal(err.buf, "the X-Hub-Signature-256 signature does not match the configured secret");
	strbuf_reset(&err);
	assert_int_equal(webhook_read(&d, &a, get_header, &h, body, 13, "another", &err), 401);
	strbuf_release(&err);
	strbuf_release(&sig);
	arena_release(&a);
}

static void read_fixture(struct strbuf *sb, const char *name)
{
	struct strbuf path = STRBUF_INIT, err = STRBUF_INIT;

	strbuf_addf(&path, "tests/data/webhook/%s", name);
	if (fs_read_file(sb, path.buf, 0, &err) < 0)
		fail_msg("%s", err.buf);
	strbuf_release(&path);
	strbuf_release(&err);
}

static void test_pushes(void **state)
{
	static const struct {
		const char *file, *event_header, *sig_header, *prefix;
		const char *name, *full, *ref, *after;
	} cases[] = {
		{ "github-push.json", "X-GitHub-Event", "X-Hub-Signature-256", "sha256=", "tasks-app",
		  "octo-org/tasks-app", "refs/heads/main", "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c" },
		{ "gitea-push.json", "X-Gitea-Event", "X-Gitea-Signature", "", "webhooks",
		  "gitea/webhooks", "refs/heads/develop", "bffeb74224043ba2feb48d137756c8a9331c449a" },
	};
	const char *secret = "s3cret";

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct strbuf body = STRBUF_INIT, sig = STRBUF_INIT, err = STRBUF_INIT;
		struct arena a = ARENA_INIT;
		struct webhook_delivery d;
		struct headers h = { { { cases[i].event_header, "push" },
				       { cases[i].sig_header, NULL },
				       { "X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958" } } };

		read_fixture(&body, cases[i].file);
		sign(&sig, cases[i].prefix, secret, body.buf, body.len);
		h.pairs[1][1] = sig.buf;
		if (webhook_read(&d, &a, get_header, &h, body.buf, body.len, secret, &err))
			fail_msg("%s: %s", cases[i].file, err.buf);
		assert_int_equal(d.kind, WEBHOOK_PUSH);
		assert_string_equal(d.source, i ? "gitea" : "github");
		assert_string_equal(d.repo_name, cases[i].name);
		assert_string_equal(d.repo_full_name, cases[i].full);
		assert_string_equal(d.ref, cases[i].ref);
		assert_string_equal(d.after, cases[i].after);
		assert_int_equal(d.deleted, 0);
		assert_string_equal(d.id, i ? "" : "72d3162e-cc78-11e3-81ab-4c9367dc0958");
		/* unsigned */
		h.pairs[1][1] = NULL;
		strbuf_reset(&err);
		assert_int_equal(webhook_read(&d, &a, get_header, &h, body.buf, body.len, secret, &err), 401);
		assert_non_null(strstr(err.buf, "is not signed"));
		/* a signature of the wrong shape */
		h.pairs[1][1] = "sha1=abc";
		strbuf_reset(&err);
		assert_int_equal(webhook_read(&d, &a, get_header, &h, body.buf, body.len, secret, &err), 401);
		assert_non_null(strstr(err.buf, "malformed"));
		strbuf_release(&body);
		strbuf_release(&sig);
		strbuf_release(&err);
		arena_release(&a);
	}
}

/* A signed delivery: event header, body; returns webhook_read's status. */
static int deliver(struct webhook_delivery *d, struct arena *a, struct strbuf *err,
		   const char *event, const char *body)
{
	struct strbuf sig = STRBUF_INIT;
	struct headers h = { { { "X-GitHub-Event", event }, { "X-Hub-Signature-256", NULL } } };
	int rc;

	sign(&sig, "sha256=", "k", body, strlen(body));
	h.pairs[1][1] = sig.buf;
	strbuf_reset(err);
	rc = webhook_read(d, a, get_header, &h, body, strlen(body), "k", err);
	strbuf_release(&sig);
	return rc;
}

static void test_events_and_malformed_pushes(void **state)
{
	struct arena a = ARENA_INIT;
	struct strbuf err = STRBUF_INIT;
	struct webhook_delivery d;
	struct headers none = { { { "Content-Type", "application/json" } } };
	const char *sha = "\"after\": \"0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c\"";
	struct strbuf body = STRBUF_INIT;

	(void)state;
	assert_int_equal(deliver(&d, &a, &err, "ping", "{\"zen\": \"Keep it logically awesome.\"}"), 0);
	assert_int_equal(d.kind, WEBHOOK_PING);
	assert_int_equal(deliver(&d, &a, &err, "issues", "{}"), 0);
	assert_int_equal(d.kind, WEBHOOK_OTHER);
	assert_int_equal(deliver(&d, &a, &err, "push", "[1]"), 400);
	assert_string_equal(err.buf, "malformed payload: not a JSON object");
	assert_int_equal(deliver(&d, &a, &err, "push", "{\"ref\": 1}"), 400);
	assert_string_equal(err.buf, "malformed push payload: no 'ref' like 'refs/heads/main'");
	assert_int_equal(deliver(&d, &a, &err, "push", "{\"ref\": \"refs/heads/x\", \"after\": \"zz\"}"), 400);
	assert_string_equal(err.buf, "malformed push payload: 'after' is not a 40-hex commit id");
	strbuf_addf(&body, "{\"ref\": \"refs/heads/x\", %s}", sha);
	assert_int_equal(deliver(&d, &a, &err, "push", body.buf), 400);
	assert_string_equal(err.buf, "malformed push payload: no 'repository' object");
	strbuf_reset(&body);
	strbuf_addf(&body, "{\"ref\": \"refs/heads/x\", \"after\": \"%040d\", \"repository\": "
			   "{\"name\": \"r\"}}", 0);
	assert_int_equal(deliver(&d, &a, &err, "push", body.buf), 0);
	assert_int_equal(d.deleted, 1);
	strbuf_reset(&err);
	assert_int_equal(webhook_read(&d, &a, get_header, &none, "{}", 2, "k", &err), 400);
	assert_string_equal(err.buf, "not a GitHub or Gitea delivery (no X-GitHub-Event or X-Gitea-Event header)");
	strbuf_release(&body);
	strbuf_release(&err);
	arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_github_documented_vector),
		cmocka_unit_test(test_pushes),
		cmocka_unit_test(test_events_and_malformed_pushes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
