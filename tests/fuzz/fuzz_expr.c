/*
 * fuzz_expr: libFuzzer entry point for the expression engine. The input is
 * expression text; it is parsed with every name and function allowed
 * (hashFiles excepted: it reads files) and, when it parses, evaluated over
 * a small fixed context. Anything but a clean error or a value (a crash,
 * a leak, a hang) is a finding. fromJSON() puts the JSON reader in reach.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "parser/expr.h"
#include "util/json_js.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fuzz_contexts[] =
	"{\"github\": {\"event_name\": \"push\", \"ref\": \"refs/heads/main\", \"event\": "
	"{\"commits\": [{\"id\": 1, \"message\": \"a\"}, {\"id\": 2, \"message\": \"B\"}]}},"
	" \"matrix\": {\"os\": \"linux\", \"node\": [18, 20]}, \"env\": {\"K\": \"\", \"ß\": 1.5}}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a = ARENA_INIT;
	struct strbuf err = STRBUF_INIT;
	struct expr_names names = { NULL, EXPR_FN_STATUS | EXPR_FN_CASE, NULL, 0 };
	struct expr_error xerr;
	struct expr_env env;
	struct expr *e;
	struct val v;

	memset(&env, 0, sizeof(env));
	env.arena = &a;
	env.status = (enum expr_job_status)(size % 3);
	if (json_js_parse(&env.contexts, &a, fuzz_contexts, strlen(fuzz_contexts), &err) == 0) {
		expr_fold_keys(env.contexts);
		expr_error_init(&xerr);
		if (expr_parse(&e, &a, (const char *)data, size, &names, &xerr) == 0 &&
		    expr_eval(&v, e, &env, &xerr) == 0) {
			strbuf_reset(&err);
			expr_coerce_string(&err, v);
			json_js_write(&err, v, JSON_JS_PRETTY, 1 << 20);
		} else {
			strbuf_reset(&err);
			expr_error_format(&err, &xerr, (const char *)data, size);
		}
		expr_error_release(&xerr);
	}
	strbuf_release(&err);
	arena_release(&a);
	return 0;
}
