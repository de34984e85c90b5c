/*
 * Unit tests for stages/scan: every built-in rule on a true positive and a
 * near miss, redaction, entropy, the allowlist and its globs, inline
 * ignores, binary and size skips, the tree walk, rules files and JSON.
 * Fake secrets are split by string concatenation so that this file does
 * not trip the scanner itself.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stages/scan.h"
#include "util/json.h"
#include "util/xalloc.h"

struct rule_case {
	const char *rule;
	const char *hit;    /* one finding of rule */
	const char *miss;   /* a near miss: no finding at all */
};

static const struct rule_case rule_cases[] = {
	{ "secret/aws-access-key", "id = \"AK" "IAIOSFODNN7QWERTY1\"",
	  "id = \"AK" "IAIOSFODNN7QWERT\"" },
	{ "secret/aws-secret-key",
	  "aws_secret_access_key = wJalrXUtnF" "EMI/K7MDENG/bPxRfiCYzQ8Kd3Lm9P",
	  "aws_secret_access_key = xxxxxxxxxxxxxxxxxxxx" "xxxxxxxxxxxxxxxxxxxx" },
	{ "secret/private-key", "-----BEGIN RSA PRI" "VATE KEY-----",
	  "-----BEGIN PUBLIC KEY-----" },
	{ "secret/github-token", "token: gh" "p_aB3dE5gH7jK9mN1pQ3sT5vW7xY9zA1bC3dE5",
	  "ref: gh" "p_aB3dE5gH7jK9mN1pQ3s" },
	{ "secret/slack-token", "SLACK=xo" "xb-123456789012-1234567890123-AbCdEfGhIjKl",
	  "SLACK=xo" "xb-notatoken" },
	{ "secret/slack-webhook",
	  "url: https://hooks.slack.com/services/" "T0123ABCD/B0456EFGH/aBcDeFgHiJkLmNoPqRsTuVwX",
	  "url: https://hooks.slack.com/services/T000/B000/XXXX" },
	{ "secret/google-api-key", "key=AI" "zaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY",
	  "key=AI" "zaSyD-9tSrke72PouQMnMX" },
	{ "secret/stripe-key", "stripe = sk" "_live_4eC39HqLyjWDarjtT1zdp7dc",
	  "stripe = pk" "_live_4eC39HqLyjWDarjtT1zdp7dc" },
	{ "secret/jwt",
	  "Authorization: Bearer ey" "JhbGciOiJIUzI1NiJ9.ey" "JzdWIiOiIxMjM0NTY3ODkwIn0."
	  "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
	  "Authorization: Bearer ey" "JhbGciOiJIUzI1NiJ9.ey" "JzdWIiOiIxMjM0NTY3ODkwIn0" },
	{ "secret/generic-assignment", "API_TOKEN = \"q8Zr2Lx9" "Vb4Nw7Tk3Pm6\"",
	  "API_TOKEN = \"changeme-changeme-changeme\"" },
	{ "risk/curl-pipe-shell", "curl -fsSL https://get.example.com |" " sh",
	  "curl -fsSLo install.sh https://get.example.com && sh install.sh" },
	{ "risk/eval-remote", "eval \"$(cu" "rl -fsSL https://env.example.com)\"",
	  "eval \"$(ssh-agent -s)\"" },
	{ "risk/chmod-777", "chmod -R 7" "77 /srv/data", "chmod -R 755 /srv/data" },
	{ "risk/privileged-container", "docker run --privi" "leged busybox",
	  "docker run --privileged=false busybox" },
	{ "risk/tls-verify-disabled", "requests.get(url, verify=" "False)",
	  "requests.get(url, verify=True)" },
	{ "risk/curl-insecure", "curl -s" "k https://internal.example.com",
	  "curl -s https://kernel.example.com/k" },
	{ "risk/open-ingress", "cidr_blocks = [\"0.0.0." "0/0\"]",
	  "cidr_blocks = [\"10.0.0.0/8\"]" },
	{ "risk/ssh-no-host-key-check", "ssh -o StrictHostKey" "Checking=no deploy@host",
	  "ssh -o StrictHostKeyChecking=yes deploy@host" },
};

static const char *finding_rule(const struct scan *s, size_t i)
{
	return s->rules[s->findings[i].rule].id;
}

static void test_every_rule_has_a_case(void **state)
{
	(void)state;
	for (size_t i = 0; i < scan_builtin_rules_nr; i++) {
		size_t j;

		for (j = 0; j < sizeof(rule_cases) / sizeof(*rule_cases); j++)
			if (!strcmp(rule_cases[j].rule, scan_builtin_rules[i].id))
				break;
		if (j == sizeof(rule_cases) / sizeof(*rule_cases))
			fail_msg("rule '%s' has no test case", scan_builtin_rules[i].id);
	}
}

static void test_rules_hit_and_near_miss(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rule_cases) / sizeof(*rule_cases); i++) {
		const struct rule_case *c = &rule_cases[i];
		struct scan s;

		scan_init(&s);
		if (scan_buffer(&s, "hit.txt", c->hit, strlen(c->hit)) != 1 ||
		    strcmp(finding_rule(&s, 0), c->rule))
			fail_msg("'%s' was not found exactly once in its positive case", c->rule);
		if (scan_buffer(&s, "miss.txt", c->miss, strlen(c->miss)) != 0)
			fail_msg("near miss of '%s' was flagged as '%s'", c->rule,
				 finding_rule(&s, 1));
		assert_int_equal(s.diags.nr, 0);
		scan_release(&s);
	}
}

/* What a reader of the logs sees: the text lines and the JSON. */
static char *scan_output(const struct scan *s)
{
	struct strbuf json = STRBUF_INIT;
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);

	assert_non_null(fp);
	scan_print_findings(fp, s);
	scan_write_json(&json, s);
	fputs(json.buf, fp);
	fclose(fp);
	strbuf_release(&json);
	return text;
}

static void test_redaction_never_leaks_a_secret(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rule_cases) / sizeof(*rule_cases); i++) {
		const struct rule_case *c = &rule_cases[i];
		struct scan s;
		char *out, *shown_too_much;

		if (strncmp(c->rule, "secret/", 7))
			continue;
		scan_init(&s);
		assert_int_equal(scan_buffer(&s, "f", c->hit, strlen(c->hit)), 1);
		/* The promise is four bytes at most: five from the secret's start leak. */
		shown_too_much = xstrndup(c->hit + s.findings[0].col - 1, 5);
		assert_true(strlen(s.findings[0].preview) <= 4 + strlen("\xe2\x80\xa6"));
		out = scan_output(&s);
		if (strstr(out, shown_too_much))
			fail_msg("output for '%s' shows '%s'", c->rule, shown_too_much);
		free(out);
		free(shown_too_much);
		scan_release(&s);
	}
}

static void test_redact_and_entropy(void **state)
{
	char out[SCAN_PREVIEW_MAX + 4];

	(void)state;
	scan_redact(out, "AKIA" "0123456789ABCDEF", 20);
	assert_string_equal(out, "AKIA\xe2\x80\xa6");
	scan_redact(out, "abcdefgh", 8);
	assert_string_equal(out, "ab\xe2\x80\xa6");
	scan_redact(out, "a\nbcdefghijklmn", 15);
	assert_string_equal(out, "a\xe2\x80\xa6");
	assert_true(scan_entropy("aaaaaaaa", 8) == 0.0);
	assert_true(scan_entropy("abcdabcd", 8) == 2.0);
	assert_true(scan_looks_random("q8Zr2Lx9" "Vb4Nw7Tk3Pm6", 20));
	assert_false(scan_looks_random("q8Zr2Lx9Vb4Nw7T", 15));
	assert_false(scan_looks_random("my-super-long-passphrase", 24));
	assert_false(scan_looks_random("Aa1Aa1Aa1Aa1Aa1Aa1Aa1", 21));
}

static void test_overlapping_rules_report_once(void **state)
{
	const char *text = "id = AK" "IAIOSFODNN7QWERTY1\n"
			   "AWS_SECRET_ACCESS_KEY=\"wJalrXUtnF" "EMI/K7MDENG/bPxRfiCYzQ8Kd3Lm9P\"\n"
			   "password = \"q8Zr2Lx9" "Vb4Nw7Tk3Pm6\" token = \"Zr2Lx9q8" "Nw7Tk3Vb4Pm6\"\n";
	struct scan s;

	(void)state;
	scan_init(&s);
	assert_int_equal(scan_buffer(&s, "env", text, strlen(text)), 4);
	scan_sort_findings(&s);
	assert_string_equal(finding_rule(&s, 0), "secret/aws-access-key");
	assert_string_equal(finding_rule(&s, 1), "secret/aws-secret-key");
	assert_int_equal(s.findings[1].line, 2);
	assert_int_equal(s.findings[1].col, 24);
	assert_string_equal(finding_rule(&s, 2), "secret/generic-assignment");
	assert_int_equal(s.findings[2].col, 13);
	assert_string_equal(finding_rule(&s, 3), "secret/generic-assignment");
	assert_int_equal(s.findings[3].col, 44);
	scan_release(&s);
}

static void test_lines_columns_and_inline_ignore(void **state)
{
	const char *text = "first\n\nkey = AK" "IAIOSFODNN7QWERTY1\n"
			   "ok = AK" "IAIOSFODNN7QWERTY1 # slipway-scan: ignore\n"
			   "x\ty AK" "IAIOSFODNN7QWERTY2 AK" "IAIOSFODNN7QWERTY3";
	struct scan s;

	(void)state;
	scan_init(&s);
	assert_int_equal(scan_buffer(&s, "f", text, strlen(text)), 3);
	assert_int_equal(s.findings[0].line, 3);
	assert_int_equal(s.findings[0].col, 7);
	assert_int_equal(s.findings[1].line, 5);
	assert_int_equal(s.findings[1].col, 5);
	assert_int_equal(s.findings[2].line, 5);
	assert_int_equal(s.findings[2].col, 26);
	scan_release(&s);
}

static void test_matches_stay_within_a_line(void **state)
{
	const char *text = "chmod -R\n777 /srv\napi_key:\n  \"q8Zr2Lx9" "Vb4Nw7Tk3Pm6\"\n";
	struct scan s;

	(void)state;
	scan_init(&s);
	assert_int_equal(scan_buffer(&s, "f", text, strlen(text)), 0);
	scan_release(&s);
}

/* PCRE2's JIT reads whole words past a subject's end: valgrind wants them defined. */
static void define_slack(struct strbuf *sb)
{
	memset(sb->buf + sb->len, 0, sb->alloc - sb->len);
}

static void test_binary_content_is_skipped(void **state)
{
	const char *key = " AK" "IAIOSFODNN7QWERTY1";
	struct strbuf buf = STRBUF_INIT;
	struct scan s;

	(void)state;
	scan_init(&s);
	strbuf_addstr(&buf, "\x7f" "ELF");
	strbuf_addch(&buf, '\0');
	strbuf_addstr(&buf, key);
	define_slack(&buf);
	assert_int_equal(scan_buffer(&s, "bin", buf.buf, buf.len), 0);
	assert_int_equal(s.files_skipped, 1);
	/* A NUL past the probed prefix does not make a file binary. */
	strbuf_reset(&buf);
	strbuf_addchars(&buf, 'x', SCAN_BINARY_PROBE);
	strbuf_addch(&buf, '\0');
	strbuf_addstr(&buf, key);
	define_slack(&buf);
	assert_int_equal(scan_buffer(&s, "late-nul", buf.buf, buf.len), 1);
	assert_int_equal(s.files_scanned, 1);
	strbuf_release(&buf);
	scan_release(&s);
}

struct glob_case {
	const char *entry, *path;
	int is_dir, expect;
};

static const struct glob_case glob_cases[] = {
	{ "*.pem", "a.pem", 0, 1 },
	{ "*.pem", "deep/er/a.pem", 0, 1 },
	{ "*.pem", "a.pem.txt", 0, 0 },
	{ "/*.pem", "deep/a.pem", 0, 0 },
	{ "docs/*.md", "docs/a.md", 0, 1 },
	{ "docs/*.md", "docs/sub/a.md", 0, 0 },
	{ "docs/*.md", "x/docs/a.md", 0, 0 },
	{ "docs/**/*.md", "docs/sub/deeper/a.md", 0, 1 },
	{ "docs/**/*.md", "docs/a.md", 0, 1 },
	{ "**/fixtures/", "a/b/fixtures", 1, 1 },
	{ "**/fixtures/", "a/b/fixtures", 0, 0 },
	{ "fixtures/", "a/fixtures/keys/k.txt", 0, 1 },
	{ "vendor", "vendor/lib/x.c", 0, 1 },
	{ "te?t.c", "test.c", 0, 1 },
	{ "te?t.c", "te/t.c", 0, 0 },
	{ "[!a]b.txt", "cb.txt", 0, 1 },
	{ "[!a]b.txt", "ab.txt", 0, 0 },
	{ "a+b(1).txt", "a+b(1).txt", 0, 1 },
	{ "secret/jwt:tests/*.json", "tests/tok.json", 0, 1 },
};

static void test_allowlist_globs(void **state)
{
	struct strbuf err = STRBUF_INIT;
	struct scan s;

	(void)state;
	scan_init(&s);
	for (size_t i = 0; i < sizeof(glob_cases) / sizeof(*glob_cases); i++) {
		const struct glob_case *c = &glob_cases[i];

		assert_int_equal(scan_allow_add(&s, c->entry, &err), 0);
		if (scan_allow_matches(&s.allow[s.allow_nr - 1], c->path, c->is_dir) != c->expect)
			fail_msg("glob '%s' on '%s' should give %d", c->entry, c->path, c->expect);
	}
	assert_int_equal(scan_allow_add(&s, "secret/nope:x", &err), -1);
	assert_string_equal(err.buf, "unknown rule 'secret/nope'");
	strbuf_reset(&err);
	assert_int_equal(scan_allow_add(&s, "secret/jwt:", &err), -1);
	assert_string_equal(err.buf, "entry 'secret/jwt:' has no path");
	strbuf_release(&err);
	scan_release(&s);
}

static void test_allowlist_mutes_rules_and_paths(void **state)
{
	const char *text = "t = gh" "p_aB3dE5gH7jK9mN1pQ3sT5vW7xY9zA1bC3dE5\n"
			   "k = AK" "IAIOSFODNN7QWERTY1\n";
	struct strbuf err = STRBUF_INIT;
	struct scan s;

	(void)state;
	scan_init(&s);
	assert_int_equal(scan_allow_add(&s, "secret/github-token:config/*.yml", &err), 0);
	assert_int_equal(scan_allow_add(&s, "*.pem", &err), 0);
	assert_int_equal(scan_buffer(&s, "config/app.yml", text, strlen(text)), 1);
	assert_string_equal(finding_rule(&s, 0), "secret/aws-access-key");
	assert_int_equal(scan_buffer(&s, "src/app.yml", text, strlen(text)), 2);
	assert_int_equal(scan_buffer(&s, "keys/server.pem", text, strlen(text)), 0);
	assert_int_equal(s.files_skipped, 1);
	assert_int_equal(s.files_scanned, 2);
	strbuf_release(&err);
	scan_release(&s);
}

static void write_file(const char *dir, const char *name, const char *text, size_t len)
{
	struct strbuf path = STRBUF_INIT;
	FILE *fp;

	strbuf_addf(&path, "%s/%s", dir, name);
	fp = fopen(path.buf, "w");
	assert_non_null(fp);
	assert_int_equal(fwrite(text, 1, len, fp), len);
	fclose(fp);
	strbuf_release(&path);
}

static void make_dir(const char *dir, const char *name)
{
	struct strbuf path = STRBUF_INIT;

	strbuf_addf(&path, "%s/%s", dir, name);
	assert_int_equal(mkdir(path.buf, 0755), 0);
	strbuf_release(&path);
}

static void remove_tree(const char *dir)
{
	struct strbuf cmd = STRBUF_INIT;

	strbuf_addf(&cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd.buf), 0);
	strbuf_release(&cmd);
}

static void test_walk_a_tree(void **state)
{
	char dir[] = "/tmp/slipway-scan-test.XXXXXX";
	const char *key = "k = AK" "IAIOSFODNN7QWERTY1\n";
	struct strbuf big = STRBUF_INIT, path = STRBUF_INIT;
	struct scan s;

	(void)state;
	assert_non_null(mkdtemp(dir));
	make_dir(dir, ".git");
	make_dir(dir, ".slipway");
	make_dir(dir, "sub");
	make_dir(dir, "vendor");
	write_file(dir, "b.txt", key, strlen(key));
	write_file(dir, "a.txt", key, strlen(key));
	write_file(dir, ".git/config", key, strlen(key));
	write_file(dir, ".slipway/state", key, strlen(key));
	write_file(dir, "sub/c.txt", key, strlen(key));
	write_file(dir, "vendor/d.txt", key, strlen(key));
	write_file(dir, "bin.dat", "\0\1\2AK" "IAIOSFODNN7QWERTY1", 23);
	strbuf_addchars(&big, 'x', SCAN_MAX_FILE_SIZE);
	strbuf_addstr(&big, key);
	write_file(dir, "big.txt", big.buf, big.len);
	strbuf_addf(&path, "%s/link.txt", dir);
	assert_int_equal(symlink("a.txt", path.buf), 0);
	write_file(dir, SCAN_IGNORE_FILE, "# vendored code\nvendor/\n", 24);

	scan_init(&s);
	assert_int_equal(scan_path(&s, dir), 0);
	assert_int_equal(s.findings_nr, 3);
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/a.txt", dir);
	assert_string_equal(s.findings[0].path, path.buf);
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/b.txt", dir);
	assert_string_equal(s.findings[1].path, path.buf);
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/sub/c.txt", dir);
	assert_string_equal(s.findings[2].path, path.buf);
	/* a, b, sub/c and the ignore file; bin.dat and big.txt skipped. */
	assert_int_equal(s.files_scanned, 4);
	assert_int_equal(s.files_skipped, 2);
	assert_int_equal(s.allow_nr, 0);

	write_file(dir, SCAN_IGNORE_FILE, "secret/nope:x\n  [z-a]\n", 22);
	assert_int_equal(scan_path(&s, dir), -1);
	assert_int_equal(s.diags.nr, 2);
	assert_int_equal(s.diags.items[0].line, 1);
	assert_string_equal(s.diags.items[0].message, "unknown rule 'secret/nope'");
	assert_int_equal(s.diags.items[1].line, 2);
	assert_int_equal(s.diags.items[1].col, 3);
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/missing", dir);
	assert_int_equal(scan_path(&s, path.buf), -1);
	assert_non_null(strstr(s.diags.items[2].message, "No such file"));
	scan_release(&s);
	remove_tree(dir);
	strbuf_release(&big);
	strbuf_release(&path);
}

static void test_rules_file(void **state)
{
	char path[] = "/tmp/slipway-scan-rules.XXXXXX";
	const char *rules =
		"# custom rules\n"
		"corp/internal-host high \"internal host name\" \\bdb\\.corp\\.example\\b\n"
		"corp/span low \"spans lines\" \\bzz\\s{0,3}q?\n"
		"Bad_Id high \"x\" y\n"
		"corp/sev critical \"x\" y\n"
		"corp/desc high unquoted y\n"
		"corp/regex low \"bad regex\" (unclosed\n"
		"secret/jwt low \"again\" x\n";
	const char *text = "host = db.corp.example\n";
	struct scan s;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, rules, strlen(rules)), (ssize_t)strlen(rules));
	close(fd);
	scan_init(&s);
	assert_int_equal(scan_load_rules(&s, path), -1);
	assert_int_equal(s.diags.nr, 5);
	assert_string_equal(s.diags.items[0].message,
			    "rule id 'Bad_Id' is not of the form 'category/name'");
	assert_string_equal(s.diags.items[1].message,
			    "severity 'critical' is not one of high, medium, low");
	assert_int_equal(s.diags.items[1].col, 10);
	assert_string_equal(s.diags.items[2].message, "expected a \"quoted description\"");
	assert_non_null(strstr(s.diags.items[3].message, "invalid pattern for rule 'corp/regex'"));
	assert_int_equal(s.diags.items[3].col, 28);
	assert_string_equal(s.diags.items[4].message, "rule 'secret/jwt' is already defined");
	assert_int_equal(s.rules_nr, scan_builtin_rules_nr + 2);
	assert_int_equal(scan_buffer(&s, "cfg", text, strlen(text)), 1);
	assert_string_equal(finding_rule(&s, 0), "corp/internal-host");
	assert_int_equal(s.findings[0].col, 8);
	/* A match across a newline is searched for again within its first line. */
	assert_int_equal(scan_buffer(&s, "span", "a zz\nq zz q\n", 12), 2);
	assert_int_equal(s.findings[1].line, 1);
	assert_int_equal(s.findings[1].col, 3);
	assert_int_equal(s.findings[2].line, 2);
	assert_int_equal(s.findings[2].col, 3);
	assert_int_equal(scan_load_rules(&s, path), -1);
	assert_string_equal(s.diags.items[5].message, "rules must be loaded before scanning");
	assert_int_equal(s.diags.items[0].line, 4);
	scan_release(&s);
	unlink(path);
}

static void test_json_output(void **state)
{
	const char *text = "\n  k = AK" "IAIOSFODNN7QWERTY1\n";
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	struct arena a = ARENA_INIT;
	struct val v, *f;
	struct scan s;

	(void)state;
	scan_init(&s);
	assert_int_equal(scan_buffer(&s, "conf/app.env", text, strlen(text)), 1);
	scan_write_json(&out, &s);
	assert_int_equal(json_parse(&v, &a, out.buf, out.len, &err), 0);
	assert_int_equal(val_object_getstr(v, "files")->u.number, 1);
	assert_int_equal(val_object_getstr(v, "skipped")->u.number, 0);
	assert_int_equal(val_object_getstr(v, "findings")->u.array->nr, 1);
	f = &val_object_getstr(v, "findings")->u.array->items[0];
	assert_string_equal(val_object_getstr(*f, "path")->u.string.ptr, "conf/app.env");
	assert_int_equal(val_object_getstr(*f, "line")->u.number, 2);
	assert_int_equal(val_object_getstr(*f, "column")->u.number, 7);
	assert_string_equal(val_object_getstr(*f, "rule")->u.string.ptr, "secret/aws-access-key");
	assert_string_equal(val_object_getstr(*f, "severity")->u.string.ptr, "high");
	assert_string_equal(val_object_getstr(*f, "preview")->u.string.ptr, "AKIA\xe2\x80\xa6");
	arena_release(&a);
	strbuf_release(&out);
	strbuf_release(&err);
	scan_release(&s);
}

/* Bounded gaps: a megabyte-long line of near misses scans in linear time. */
static void test_long_line_stays_linear(void **state)
{
	struct strbuf buf = STRBUF_INIT;
	struct scan s;

	(void)state;
	for (int i = 0; i < 60000; i++)
		strbuf_addstr(&buf, "curl wget AIza eyJ ");
	define_slack(&buf);
	scan_init(&s);
	assert_int_equal(scan_buffer(&s, "long", buf.buf, buf.len), 0);
	assert_int_equal(s.diags.nr, 0);
	scan_release(&s);
	strbuf_release(&buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_rule_has_a_case),
		cmocka_unit_test(test_rules_hit_and_near_miss),
		cmocka_unit_test(test_redaction_never_leaks_a_secret),
		cmocka_unit_test(test_redact_and_entropy),
		cmocka_unit_test(test_overlapping_rules_report_once),
		cmocka_unit_test(test_lines_columns_and_inline_ignore),
		cmocka_unit_test(test_matches_stay_within_a_line),
		cmocka_unit_test(test_binary_content_is_skipped),
		cmocka_unit_test(test_allowlist_globs),
		cmocka_unit_test(test_allowlist_mutes_rules_and_paths),
		cmocka_unit_test(test_walk_a_tree),
		cmocka_unit_test(test_rules_file),
		cmocka_unit_test(test_json_output),
		cmocka_unit_test(test_long_line_stays_linear),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
