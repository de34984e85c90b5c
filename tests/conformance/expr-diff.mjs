// expr-diff.mjs: compares Slipway's answers to expression requests with the
// oracle's (GitHub's @actions/expressions behind ../shared/oracle/eval.mjs).
// Usage: node expr-diff.mjs REQUESTS.jsonl OURS.jsonl ORACLE.jsonl [MAX_SHOWN]
// Prints a summary line and the first disagreements; exits 1 on any.
//
// Agreement: the same "ok"; for values the same kind, JSON value (key order
// included), "coerced" string and "number" marker; for errors the same
// stage and message. "error_located" is left out: for expressions spanning
// several lines GitHub's runner counts columns from the start of the text
// (as the shared test data expects, and as we do) while the npm package
// restarts at each line. One wording differs on purpose: for a text longer
// than 21000 characters the npm lexer throws its internal error name
// "ErrorExceededMaxLength"; we give GitHub's message for it, "Exceeded max
// expression length 21000" (same stage).
import * as fs from "node:fs";

const [reqFile, oursFile, oracleFile, maxShown = "10"] = process.argv.slice(2);
const lines = f => fs.readFileSync(f, "utf8").split("\n").filter(l => l.trim() !== "");
const reqs = lines(reqFile).map(l => JSON.parse(l));
const ours = lines(oursFile);
const theirs = lines(oracleFile);

const strip = line => {
  const o = JSON.parse(line);
  delete o.error_located;
  if (o.error === "ErrorExceededMaxLength" || /^Exceeded max expression length 21000\b/.test(o.error ?? ""))
    o.error = "(expression too long)";
  return JSON.stringify(o);
};

let agree = 0, disagree = 0, values = 0, errors = 0;
const shown = [];
if (ours.length !== reqs.length || theirs.length !== reqs.length) {
  console.log(`line counts differ: ${reqs.length} requests, ${ours.length} answers from slipway, ${theirs.length} from the oracle`);
  process.exit(1);
}
for (let i = 0; i < reqs.length; i++) {
  const a = strip(ours[i]), b = strip(theirs[i]);
  if (a === b) {
    agree++;
    JSON.parse(b).ok ? values++ : errors++;
    continue;
  }
  disagree++;
  if (shown.length < Number(maxShown))
    shown.push({request: reqs[i], slipway: JSON.parse(ours[i]), oracle: JSON.parse(theirs[i])});
}
console.log(`${reqs.length} requests: ${agree} agree (${values} values, ${errors} errors), ${disagree} disagree`);
for (const s of shown) console.log(JSON.stringify(s).slice(0, 4000));
process.exit(disagree ? 1 : 0);
