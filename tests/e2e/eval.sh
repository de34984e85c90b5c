#!/usr/bin/env bash
# eval: `slipway eval` as a user meets it — values printed, errors with a
# caret and exit 1, usage errors with exit 2, contexts from a file, status
# functions, hashFiles() over the current directory, and the --jsonl
# protocol's framing (ids, blank lines, bad lines).
. "$(dirname "$0")/../lib.sh"

out=$("$SLIPWAY" eval "1 == 1 && 'yes'" 2>&1)
ok $? "a valid expression exits 0"
is "$out" '"yes"' "the value prints as JSON"
is "$("$SLIPWAY" eval --raw "format('{0}-{1}', 'a', 1.50)")" "a-1.5" "--raw prints what interpolation would"
is "$("$SLIPWAY" eval "fromJSON('{\"b\":[1,null]}')")" $'{\n  "b": [\n    1,\n    null\n  ]\n}' \
	"containers print as pretty JSON"
is "$("$SLIPWAY" eval "github.ref")" "null" "standard contexts are known even when empty"

cat >"$SCRATCH/ctx.json" <<'JSON'
{"github": {"ref": "refs/heads/main"}, "custom": {"Name": "x"}}
JSON
is "$("$SLIPWAY" eval -c "$SCRATCH/ctx.json" "startsWith(github.ref, 'refs/') && custom.NAME")" '"x"' \
	"--context adds contexts; names are case-insensitive"

err=$("$SLIPWAY" eval "github.ref == 'a' && nosuch.x" 2>&1 >/dev/null)
is $? 1 "an unknown context exits 1"
like "$err" "error: Unrecognized named-value: 'nosuch'" "the message is GitHub's"
like "$err" $'\n    \\|                        \\^~~~~~' "a caret marks the fault"
err=$("$SLIPWAY" eval $'true &&\n  (1 <' 2>&1 >/dev/null)
is $? 1 "a syntax error exits 1"
like "$err" $'\\|   \\(1 <\n    \\|      \\^' "the caret is on the faulty line of a multi-line expression"
err=$("$SLIPWAY" eval "fromJSON('{')" 2>&1 >/dev/null)
is $? 1 "an evaluation error exits 1"
like "$err" "Error parsing JSON when evaluating fromJson" "evaluation errors are reported"

is "$("$SLIPWAY" eval "success() && !failure()")" "true" "status functions default to success"
is "$("$SLIPWAY" eval --status failure "failure() && !success() && always()")" "true" "--status sets the job status"

"$SLIPWAY" eval >/dev/null 2>&1
is $? 2 "no expression is a usage error"
"$SLIPWAY" eval 1 2 >/dev/null 2>&1
is $? 2 "two expressions are a usage error"
"$SLIPWAY" eval --jsonl 1 </dev/null >/dev/null 2>&1
is $? 2 "--jsonl with an expression is a usage error"
"$SLIPWAY" eval --status maybe 1 >/dev/null 2>&1
is $? 2 "an unknown status is a usage error"
"$SLIPWAY" eval --nosuch 1 >/dev/null 2>&1
is $? 2 "an unknown option is a usage error"
"$SLIPWAY" eval -c "$SCRATCH/none.json" 1 >/dev/null 2>&1
is $? 2 "a missing context file is a usage error"
echo '[1]' >"$SCRATCH/array.json"
err=$("$SLIPWAY" eval -c "$SCRATCH/array.json" 1 2>&1)
is $? 2 "a context file that is not an object is a usage error"
like "$err" "is not a JSON object of contexts" "and says so"
"$SLIPWAY" eval --help | grep -q -- "--jsonl"
ok $? "--help lists the options"

mkdir -p "$SCRATCH/ws/src"
printf 'abc' >"$SCRATCH/ws/src/a.txt"
printf 'def' >"$SCRATCH/ws/src/b.txt"
want=$( (cd "$SCRATCH/ws" && for f in src/a.txt src/b.txt; do sha256sum "$f" | cut -c1-64 | xxd -r -p; done) |
	sha256sum | cut -c1-64)
is "$(cd "$SCRATCH/ws" && "$SLIPWAY" eval --raw "hashFiles('src/*.txt', '!**/nosuch')")" "$want" \
	"hashFiles() hashes the files' SHA-256 digests, in the glob's order, under the current directory"
is "$(cd "$SCRATCH/ws" && "$SLIPWAY" eval "hashFiles('*.none')")" '""' "hashFiles() of nothing is ''"

printf '%s\n' '{"id": 1, "expr": "1 + "}' '' '   ' 'not json' '[1]' \
	'{"id": "x", "expr": "a.b", "contexts": {"a": {"B": -0}}}' \
	'{"expr": "f(1) && case(true, 2, 3)", "functions": {"F": "fixed"}}' >"$SCRATCH/req.jsonl"
"$SLIPWAY" eval --jsonl <"$SCRATCH/req.jsonl" >"$SCRATCH/resp.jsonl"
ok $? "--jsonl exits 0 whatever the requests say"
is "$(wc -l <"$SCRATCH/resp.jsonl")" 5 "one answer per non-blank line"
like "$(sed -n 1p "$SCRATCH/resp.jsonl")" '^\{"id":1,"ok":false,"stage":"lexing"' "ids come first"
like "$(sed -n 2p "$SCRATCH/resp.jsonl")" '^\{"ok":false,"stage":"input","error":"bad JSON line' \
	"a bad line is an input error"
like "$(sed -n 3p "$SCRATCH/resp.jsonl")" "request must be an object with a string field 'expr'" \
	"a request that is not an object is an input error"
is "$(sed -n 4p "$SCRATCH/resp.jsonl")" \
	'{"id":"x","ok":true,"kind":"Number","value":0,"coerced":"0","number":"-0"}' \
	"values carry kind, coerced and the number marker"
is "$(sed -n 5p "$SCRATCH/resp.jsonl")" \
	'{"ok":true,"kind":"Number","value":2,"coerced":"2"}' "fixed functions and case() are available"
done_testing
