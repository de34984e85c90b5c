// expr_eval.mjs: the in-process throughput of GitHub's evaluator
// (@actions/expressions) on the same batch as bench/expr_eval.c: each
// expression lexed and parsed once, the contexts built once, then the
// batch evaluated over and over for about a second.
// Usage (from a folder with @actions/expressions installed, e.g. the
// oracle's): node expr_eval.mjs CONTEXTS.json EXPRESSIONS.txt [SECONDS]
import * as fs from "node:fs";
import {Evaluator, Lexer, Parser, data} from "@actions/expressions";

const [contextsFile, exprsFile, secondsArg = "1"] = process.argv.slice(2);
const contexts = JSON.parse(fs.readFileSync(contextsFile, "utf8"));
const context = JSON.parse(JSON.stringify(contexts), data.reviver);
const names = Object.keys(contexts);
// The status functions are not part of @actions/expressions: give them as the runner would.
const statusFunctions = ["success", "failure", "cancelled", "always"];
const functions = new Map(
  statusFunctions.map(name => [name, {name, minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(name !== "failure" && name !== "cancelled")}])
);
const asts = fs
  .readFileSync(exprsFile, "utf8")
  .split("\n")
  .filter(l => l.trim() !== "")
  .map(line => new Parser(new Lexer(line).lex().tokens, names, [...functions.values()]).parse());

const seconds = Number(secondsArg);
let evals = 0;
const start = performance.now();
let elapsed = 0;
do {
  // The clock is read every 64 batches, as in expr_eval.c.
  for (let round = 0; round < 64; round++) for (const ast of asts) new Evaluator(ast, context, functions).evaluate();
  evals += 64 * asts.length;
  elapsed = (performance.now() - start) / 1000;
} while (elapsed < seconds);
console.log(
  `@actions/expressions in-process: ${asts.length} expressions, ${evals} evaluations in ${elapsed.toFixed(3)} s: ${Math.round(evals / elapsed)} evaluations/s`
);
