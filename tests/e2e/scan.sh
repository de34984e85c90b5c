#!/usr/bin/env bash
# scan: `slipway scan` end to end — the sample app is clean, a planted fake
# AWS key fails the scan without showing up in its output (text or JSON),
# the allowlist and inline ignores mute it, --rules adds a rule, usage and
# unreadable input exit 2, and Slipway's own tree passes its own scanner.
. "$(dirname "$0")/../lib.sh"

app=$SCRATCH/tasks-app
cp -r "$SLIPWAY_TOP/fixtures/tasks-app" "$app"
# Built by concatenation, so that this file is no finding itself.
key="AKIA""QX7TBZ3M5RWL2PJD"

out=$("$SLIPWAY" scan "$app" 2>"$SCRATCH/err")
is "$?:$out" "0:" "the sample app scans clean"
like "$(cat "$SCRATCH/err")" "^slipway scan: [1-9][0-9]* files scanned, [0-9]+ skipped, 0 findings$" \
	"a summary goes to stderr"

printf 'import os\n\nAWS_ACCESS_KEY_ID = "%s"\n' "$key" >"$app/settings.py"
out=$("$SLIPWAY" scan "$app" 2>&1)
is $? 1 "a planted AWS key id fails the scan"
like "$out" "^$app/settings.py:3:22: error: possible AWS access key id \[secret/aws-access-key\]$" \
	"the finding names file, line, column and rule"
unlike "$out" "${key:4}|${key:0:5}" "the output does not show the key"

out=$(cd "$app" && "$SLIPWAY" scan --json 2>/dev/null)
is $? 1 "--json also exits 1 on findings"
unlike "$out" "${key:4}|${key:0:5}" "the JSON does not show the key"
if command -v python3 >/dev/null; then
	is "$(printf '%s' "$out" | python3 -c 'import json, sys
f = json.load(sys.stdin)["findings"][0]
print(f["path"], f["line"], f["column"], f["rule"], f["severity"], f["preview"])')" \
		"settings.py 3 22 secret/aws-access-key high AKIA…" "--json gives the finding, redacted"
else
	skip "--json gives the finding, redacted" "python3 is not installed"
fi

printf 'secret/aws-access-key:settings.py\n' >"$app/.slipway-scan-ignore"
"$SLIPWAY" scan "$app" >/dev/null 2>&1
is $? 0 "a rule:path entry in .slipway-scan-ignore mutes the finding"
printf '# generated settings\n*.py\n' >"$app/.slipway-scan-ignore"
out=$("$SLIPWAY" scan "$app" 2>&1)
is "$?" 0 "a path glob in .slipway-scan-ignore skips the files"
like "$out" "files scanned, [1-9][0-9]* skipped, 0 findings" "skipped files are counted"
printf 'secret/aws-key:settings.py\n' >"$app/.slipway-scan-ignore"
out=$("$SLIPWAY" scan "$app" 2>&1)
is $? 2 "an unknown rule in the allowlist is an error"
like "$out" "^$app/.slipway-scan-ignore:1:1: error: unknown rule 'secret/aws-key' \[scan-ignore\]$" \
	"the allowlist error has file, line and column"
rm "$app/.slipway-scan-ignore"
printf 'import os\n\nAWS_ACCESS_KEY_ID = "%s"  # slipway-scan: ignore\n' "$key" >"$app/settings.py"
"$SLIPWAY" scan "$app" >/dev/null 2>&1
is $? 0 "an inline 'slipway-scan: ignore' mutes its line"

printf 'corp/host medium "internal host name" \\bdb\\d+\\.corp\\.example\\b\n' >"$SCRATCH/rules"
printf 'DB = "db7.corp.example"\n' >"$app/db.py"
out=$("$SLIPWAY" scan --rules "$SCRATCH/rules" "$app/db.py" 2>/dev/null)
is "$?:$out" "1:$app/db.py:1:7: error: internal host name [corp/host]" "--rules adds a rule"
printf 'corp/host urgent "x" y\n' >"$SCRATCH/rules"
out=$("$SLIPWAY" scan --rules "$SCRATCH/rules" "$app" 2>&1)
is $? 2 "a bad rules file is a usage error"
like "$out" "^$SCRATCH/rules:1:11: error: severity 'urgent' is not one of high, medium, low" \
	"the rules file error has file, line and column"

out=$("$SLIPWAY" scan --bogus 2>&1)
is $? 2 "an unknown option exits 2"
like "$out" "unknown option '--bogus'" "and names the option"
out=$("$SLIPWAY" scan "$SCRATCH/missing" 2>&1)
is $? 2 "a missing path exits 2"
like "$out" "^$SCRATCH/missing: error: cannot read: No such file or directory" "and says why"
out=$("$SLIPWAY" scan --help)
like "$out" "^usage: slipway scan \[PATH\.\.\.\]" "--help prints the usage"
out=$("$SLIPWAY" scan --list-rules)
like "$out" "^secret/aws-access-key +high +possible AWS access key id$" "--list-rules lists the rules"
like "$out" "^risk/curl-pipe-shell " "--list-rules lists the risk rules"

printf 'RUN curl -fsSL https://get.example.com %s sh\n' "|" >"$SCRATCH/Dockerfile"
out=$("$SLIPWAY" scan "$SCRATCH/Dockerfile" 2>/dev/null)
is "$?:$out" "1:$SCRATCH/Dockerfile:1:5: error: remote script piped into a shell [risk/curl-pipe-shell]" \
	"a risky pattern is a finding too"

out=$(cd "$SLIPWAY_TOP" && "$SLIPWAY" scan 2>&1)
rc=$?
is "$rc" 0 "Slipway's own tree passes its own scanner"
[ "$rc" = 0 ] || diag "$out"

done_testing
