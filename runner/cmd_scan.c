/*
 * cmd_scan: `slipway scan [PATH...]` runs the secret and risky-pattern
 * scanner (stages/scan.h) over files and trees and prints its redacted
 * findings. Exit 0 when clean, 1 on findings, 2 on a usage error or input
 * that could not be read. The rules and matching belong to stages/scan*.c.
 */
#include "runner/commands.h"
#include "runner/exitcode.h"
#include "stages/scan.h"
#include "util/options.h"

#include <stdio.h>

static const char scan_usage[] = "slipway scan [PATH...] [--rules FILE] [--json] [--list-rules]";

static void scan_list_rules(const struct scan *s)
{
	for (size_t i = 0; i < s->rules_nr; i++)
		printf("%-28s %-6s %s\n", s->rules[i].id,
		       scan_severity_name(s->rules[i].severity), s->rules[i].description);
}

int cmd_scan(int argc, const char **argv)
{
	const char *rules = NULL;
	int json = 0, list = 0, failed = 0, n, ret;
	struct strbuf err = STRBUF_INIT;
	struct scan s;
	const struct option opts[] = {
		{ OPT_STRING, 0, "rules", &rules, "FILE",
		  "also apply the rules in FILE: ID SEVERITY \"DESCRIPTION\" PATTERN a line" },
		{ OPT_FLAG, 0, "json", &json, NULL, "print the findings as a JSON object" },
		{ OPT_FLAG, 0, "list-rules", &list, NULL, "list the rules and exit" },
		{ OPT_END },
	};

	n = options_parse(argc, argv, opts, &err);
	if (n == OPTIONS_HELP) {
		options_usage(stdout, scan_usage, opts);
		return EXITCODE_OK;
	}
	if (n < 0) {
		fprintf(stderr, "slipway scan: %s\n", err.buf);
		options_usage(stderr, scan_usage, opts);
		strbuf_release(&err);
		return EXITCODE_USAGE;
	}
	scan_init(&s);
	if (rules && scan_load_rules(&s, rules) < 0) {
		diag_list_print(stderr, &s.diags);
		scan_release(&s);
		return EXITCODE_USAGE;
	}
	if (list) {
		scan_list_rules(&s);
		scan_release(&s);
		return EXITCODE_OK;
	}
	if (!n)
		failed = scan_path(&s, ".") < 0;
	for (int i = 0; i < n; i++)
		if (scan_path(&s, argv[i]) < 0)
			failed = 1;
	scan_sort_findings(&s);
	if (json) {
		struct strbuf out = STRBUF_INIT;

		scan_write_json(&out, &s);
		puts(out.buf);
		strbuf_release(&out);
	} else {
		scan_print_findings(stdout, &s);
	}
	diag_list_print(stderr, &s.diags);
	fprintf(stderr, "slipway scan: %zu files scanned, %zu skipped, %zu findings\n",
		s.files_scanned, s.files_skipped, s.findings_nr);
	ret = failed ? EXITCODE_USAGE : s.findings_nr ? EXITCODE_FAILED : EXITCODE_OK;
	scan_release(&s);
	return ret;
}
