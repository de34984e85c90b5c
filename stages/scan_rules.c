/*
 * scan_rules: the scanner's built-in rule table and the reader of rules
 * files (--rules). Every gap in a pattern is bounded, so that a long line
 * cannot make a rule backtrack quadratically. Matching lives in scan.c.
 */
#include "stages/scan.h"
#include "util/xalloc.h"

#include <errno.h>
#include <string.h>

/*
 * Secrets first, the generic assignment last among them: on one line an
 * earlier rule's finding hides a later rule's overlapping one. Patterns
 * are spelled so that this file does not match itself (-{2}, :{2}).
 */
const struct scan_rule scan_builtin_rules[] = {
	{ "secret/aws-access-key", "possible AWS access key id",
	  "\\b(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\\b",
	  0, SCAN_HIGH, SCAN_CHECK_NONE },
	{ "secret/aws-secret-key", "possible AWS secret access key",
	  "(?i)aws_?(?:secret_?access_?key|secret_?key)[\"']?\\s{0,5}(?::=|=>|[:=])\\s{0,5}"
	  "[\"']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])",
	  1, SCAN_HIGH, SCAN_CHECK_RANDOM },
	{ "secret/private-key", "private key block",
	  "-----BEGIN (?:[A-Z0-9]{1,20} ){0,3}PRIVATE KEY(?: BLOCK)?-----",
	  0, SCAN_HIGH, SCAN_CHECK_NONE },
	{ "secret/github-token", "possible GitHub token",
	  "\\b(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})\\b",
	  0, SCAN_HIGH, SCAN_CHECK_NONE },
	{ "secret/slack-token", "possible Slack token",
	  "\\bxox[abposr]-[0-9]{6,20}-[0-9A-Za-z-]{8,120}",
	  0, SCAN_HIGH, SCAN_CHECK_NONE },
	{ "secret/slack-webhook", "possible Slack webhook url",
	  "https://hooks\\.slack\\.com/(?:services|workflows|triggers)/"
	  "T[A-Z0-9]{6,12}/[A-Z0-9]{6,14}/[A-Za-z0-9]{16,40}",
	  0, SCAN_HIGH, SCAN_CHECK_NONE },
	{ "secret/google-api-key", "possible Google API key",
	  "\\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])",
	  0, SCAN_HIGH, SCAN_CHECK_NONE },
	{ "secret/stripe-key", "possible Stripe secret key",
	  "\\b(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{24,99}\\b",
	  0, SCAN_HIGH, SCAN_CHECK_NONE },
	{ "secret/jwt", "possible JSON web token",
	  "\\beyJ[A-Za-z0-9_-]{8,4096}\\.eyJ[A-Za-z0-9_-]{8,8192}\\.[A-Za-z0-9_-]{16,4096}",
	  0, SCAN_MEDIUM, SCAN_CHECK_NONE },
	{ "secret/generic-assignment", "possible hard-coded secret",
	  "(?i)(?:password|passwd|passphrase|secret|token|api[_-]?key|access[_-]?key|"
	  "auth[_-]?key|private[_-]?key|client[_-]?secret)[\"']?\\s{0,5}(?::=|=>|[:=])"
	  "\\s{0,5}[\"']?([A-Za-z0-9+/=_.~!@#%^*-]{16,256})(?=[\"'\\s,;]|$)",
	  1, SCAN_MEDIUM, SCAN_CHECK_RANDOM },
	{ "risk/curl-pipe-shell", "remote script piped into a shell",
	  "\\b(?:curl|wget)\\b[^\\n|;&]{0,300}\\|\\s{0,5}"
	  "(?:sudo\\s{1,5}(?:-[A-Za-z]{1,5}\\s{1,5}){0,3})?(?:ba|z|da|k)?sh\\b",
	  0, SCAN_HIGH, SCAN_CHECK_NONE },
	{ "risk/eval-remote", "remote script run through eval or process substitution",
	  "(?:\\beval\\s{1,5}[\"']?(?:\\$\\(|`)|\\b(?:source|(?:ba|z|da)?sh)\\s{1,5}<\\()"
	  "\\s{0,5}(?:curl|wget)\\b",
	  0, SCAN_HIGH, SCAN_CHECK_NONE },
	{ "risk/chmod-777", "world-writable permissions",
	  "\\bchmod\\s{1,5}(?:-[A-Za-z]{1,5}\\s{1,5}){0,3}(?:0?777|a\\+rwx|ugo\\+rwx|o\\+w)(?![\\w+])",
	  0, SCAN_MEDIUM, SCAN_CHECK_NONE },
	{ "risk/privileged-container", "privileged container",
	  "-{2}privileged(?:=true)?(?![\\w=-])|\\bprivileged[\"']?\\s{0,5}:\\s{0,5}true\\b",
	  0, SCAN_MEDIUM, SCAN_CHECK_NONE },
	{ "risk/tls-verify-disabled", "tls certificate verification disabled",
	  "\\bverify\\s{0,5}=\\s{0,5}False\\b"
	  "|\\bNODE_TLS_REJECT_UNAUTHORIZED[\"']?\\s{0,5}[:=]\\s{0,5}[\"']?0\\b"
	  "|\\brejectUnauthorized[\"']?\\s{0,5}:\\s{0,5}false\\b"
	  "|\\bInsecureSkipVerify\\s{0,5}:\\s{0,5}true\\b"
	  "|\\bGIT_SSL_NO_VERIFY[\"']?\\s{0,5}[:=]\\s{0,5}[\"']?(?:1|true)\\b",
	  0, SCAN_MEDIUM, SCAN_CHECK_NONE },
	{ "risk/curl-insecure", "download without certificate checks",
	  "\\bcurl\\b[^\\n|;&]{0,300}?\\s(?:-[A-Za-z]{0,10}k[A-Za-z]{0,10}|--insecure)(?=\\s|$)"
	  "|\\bwget\\b[^\\n|;&]{0,300}?\\s--no-check-certificate\\b",
	  0, SCAN_MEDIUM, SCAN_CHECK_NONE },
	{ "risk/open-ingress", "network rule open to the whole internet",
	  "(?<![0-9.])0\\.0\\.0\\.0/0(?![0-9])|(?<![0-9A-Fa-f:]):{2}/0(?![0-9])",
	  0, SCAN_MEDIUM, SCAN_CHECK_NONE },
	{ "risk/ssh-no-host-key-check", "ssh host key checking disabled",
	  "\\bStrictHostKeyChecking\\s{0,5}[= ]\\s{0,5}[\"']?no\\b",
	  0, SCAN_MEDIUM, SCAN_CHECK_NONE },
};
const size_t scan_builtin_rules_nr = sizeof(scan_builtin_rules) / sizeof(scan_builtin_rules[0]);

static const char *const scan_severity_names[] = {
	[SCAN_LOW] = "low",
	[SCAN_MEDIUM] = "medium",
	[SCAN_HIGH] = "high",
};

const char *scan_severity_name(enum scan_severity sev)
{
	return scan_severity_names[sev];
}

static int scan_severity_parse(enum scan_severity *out, const char *p, size_t len)
{
	for (size_t i = 0; i < sizeof(scan_severity_names) / sizeof(*scan_severity_names); i++)
		if (strlen(scan_severity_names[i]) == len &&
		    !strncmp(scan_severity_names[i], p, len)) {
			*out = (enum scan_severity)i;
			return 0;
		}
	return -1;
}

int scan_rule_id_valid(const char *p, size_t len)
{
	size_t slash = 0;

	for (size_t i = 0; i < len; i++) {
		if (p[i] == '/') {
			if (slash || !i)
				return 0;
			slash = i;
		} else if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= '0' && p[i] <= '9') ||
			     p[i] == '-')) {
			return 0;
		}
	}
	return slash && slash + 1 < len;
}

static size_t scan_skip_blanks(const char *line, size_t i)
{
	while (line[i] == ' ' || line[i] == '\t')
		i++;
	return i;
}

static size_t scan_word_end(const char *line, size_t i)
{
	while (line[i] && line[i] != ' ' && line[i] != '\t')
		i++;
	return i;
}

size_t scan_rule_index(const struct scan *s, const char *id, size_t len)
{
	for (size_t i = 0; i < s->rules_nr; i++)
		if (strlen(s->rules[i].id) == len && !strncmp(s->rules[i].id, id, len))
			return i;
	return SCAN_ANY_RULE;
}

/* Parse one non-comment line; 0, or -1 after recording a diagnostic. */
static int scan_rules_parse_line(struct scan *s, const char *path, int lineno,
				 const char *line)
{
	size_t id0, id1, sev0, sev1, desc0, desc1, pat0;
	enum scan_severity sev;
	struct scan_rule rule = { 0 };
	struct strbuf err = STRBUF_INIT;
	struct rx *rx;
	const char *close;

	id0 = scan_skip_blanks(line, 0);
	id1 = scan_word_end(line, id0);
	if (!scan_rule_id_valid(line + id0, id1 - id0)) {
		diag_add(&s->diags, DIAG_ERROR, path, lineno, (int)id0 + 1, "scan-rules",
			 "rule id '%.*s' is not of the form 'category/name'",
			 (int)(id1 - id0), line + id0);
		return -1;
	}
	if (scan_rule_index(s, line + id0, id1 - id0) != SCAN_ANY_RULE) {
		diag_add(&s->diags, DIAG_ERROR, path, lineno, (int)id0 + 1, "scan-rules",
			 "rule '%.*s' is already defined", (int)(id1 - id0), line + id0);
		return -1;
	}
	sev0 = scan_skip_blanks(line, id1);
	sev1 = scan_word_end(line, sev0);
	if (scan_severity_parse(&sev, line + sev0, sev1 - sev0) < 0) {
		diag_add(&s->diags, DIAG_ERROR, path, lineno, (int)sev0 + 1, "scan-rules",
			 "severity '%.*s' is not one of high, medium, low",
			 (int)(sev1 - sev0), line + sev0);
		return -1;
	}
	desc0 = scan_skip_blanks(line, sev1);
	close = line[desc0] == '"' ? strchr(line + desc0 + 1, '"') : NULL;
	if (!close) {
		diag_add(&s->diags, DIAG_ERROR, path, lineno, (int)desc0 + 1, "scan-rules",
			 "expected a \"quoted description\"");
		return -1;
	}
	desc1 = (size_t)(close - line);
	pat0 = scan_skip_blanks(line, desc1 + 1);
	if (!line[pat0]) {
		diag_add(&s->diags, DIAG_ERROR, path, lineno, (int)pat0 + 1, "scan-rules",
			 "rule '%.*s' has no pattern", (int)(id1 - id0), line + id0);
		return -1;
	}
	rx = rx_compile(line + pat0, RX_MULTILINE, &err);
	if (!rx) {
		diag_add(&s->diags, DIAG_ERROR, path, lineno, (int)pat0 + 1, "scan-rules",
			 "invalid pattern for rule '%.*s': %s", (int)(id1 - id0), line + id0,
			 err.buf);
		strbuf_release(&err);
		return -1;
	}
	rule.id = arena_strndup(&s->arena, line + id0, id1 - id0);
	rule.description = arena_strndup(&s->arena, line + desc0 + 1, desc1 - desc0 - 1);
	rule.pattern = arena_strdup(&s->arena, line + pat0);
	rule.severity = sev;
	ALLOC_GROW(s->rules, s->rules_nr + 1, s->rules_alloc);
	s->rx = xrealloc(s->rx, s->rules_alloc * sizeof(*s->rx));
	s->rules[s->rules_nr] = rule;
	s->rx[s->rules_nr++] = rx;
	return 0;
}

int scan_load_rules(struct scan *s, const char *path)
{
	struct strbuf text = STRBUF_INIT;
	int ret = 0, lineno = 0;
	char *line, *next;

	if (s->compiled) {
		diag_add(&s->diags, DIAG_ERROR, path, 0, 0, "scan-rules",
			 "rules must be loaded before scanning");
		return -1;
	}
	if (strbuf_read_file(&text, path, SCAN_MAX_FILE_SIZE) < 0) {
		diag_add(&s->diags, DIAG_ERROR, path, 0, 0, "scan-rules",
			 "cannot read rules file: %s", strerror(errno));
		return -1;
	}
	for (line = text.buf; line && *line; line = next) {
		size_t len;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		len = strlen(line);
		if (len && line[len - 1] == '\r')
			line[len - 1] = '\0';
		if (!line[scan_skip_blanks(line, 0)] || line[scan_skip_blanks(line, 0)] == '#')
			continue;
		if (scan_rules_parse_line(s, path, lineno, line) < 0)
			ret = -1;
	}
	strbuf_release(&text);
	return ret;
}
