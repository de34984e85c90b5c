// expr-gen.mjs: a seeded generator of ${{ }} expression requests for the
// differential test (tests/conformance/expr-diff.sh). Writes JSON lines in
// the protocol of ../shared/oracle/eval.mjs: {"id", "expr", "contexts",
// "functions"?}. Most expressions are well typed over the generated
// contexts; a share is deliberately broken (mutated text, unknown names,
// wrong argument counts, too deep, bad format strings, invalid JSON).
//
// Usage: node expr-gen.mjs --seed N --count N
//
// Inputs that only expose artifacts of the JavaScript implementation, not
// of GitHub's expression language, are not generated (Slipway follows
// GitHub's runner there):
//   - a string literal with two or more '' escapes (the npm lexer unescapes
//     only the first: String.replace with a string pattern); a mutated text
//     with two '' anywhere is replaced by the text before the mutation;
//   - the names "constructor" and "__proto__" as keys or functions (the npm
//     dictionaries are plain JavaScript objects that inherit them);
//   - lone UTF-16 surrogates (not valid UTF-8 on our side).

import {options, random} from "./seeded.mjs";

const args = options(process.argv.slice(2));
const {rand, int, pick, chance} = random(args.seed ?? 1);
const count = Number(args.count ?? 1000);


const CONTEXTS = ["github", "env", "matrix", "inputs", "steps", "needs", "vars", "secrets", "job", "runner", "strategy"];
const KEYS = [
  "name", "Name", "NAME", "ref", "event", "sha", "items", "os", "node", "version", "result", "outputs",
  "a", "b", "A", "k", "K", "x_y", "a-b", "0", "1", "2", "10", "01", "-1", "1.5", "", "ß", "SS", "straße",
  "ΣΑΣ", "σας", "İ", "i̇", "ı", "I", "K", "ǅ", "Ǆ", "é", "É", "日本", "😀", "null", "true", "toString",
];
const WORDS = [
  "", "a", "A", "abc", "ABC", "Hello World", "main", "refs/heads/main", "push", "pull_request", "ubuntu-latest",
  " 12 ", "12", "-3.5", "0x1F", "0X1f", "0b101", "0o17", "1e3", "1E-2", ".5", "5.", "+7", "-0", "0", "00", "1_0",
  "Infinity", "-Infinity", "NaN", "true", "false", "null", "\t\n 4 \u00a0", "\u2028", "\ufeff1",
  "{0}", "{1}", "{{", "}}", "{0}{1}", "{", "}", "{x}", "{0:x}", "'", "''", "\"", "\\", "\n", "a,b",
  "straße", "STRASSE", "Straße", "ß", "SS", "ﬀ", "FF", "ǅ", "Ǆ", "ǆ", "ı", "I", "İ", "i", "i̇", "K", "k",
  "ΑΣ", "ας", "ασ", "Σ", "σ", "ς", "ΟΔΟΣ.", "é", "É", "e\u0301", "日本語", "😀", "a😀b", "\u{1F600}\u{E000}", "\uE000",
  "[1,2]", "{\"a\":1}", "{\"A\":1,\"a\":2}", "[]", "{}", "\"s\"", "1.0", "1e400",
];
const NUMBERS = [
  0, 1, -1, 2, 3, 10, 42, -7, 0.5, 1.5, -2.25, 0.1, 0.2, 0.3, 1 / 3, 2 / 3, 123.456, 1e21, 1e-7, 1e-6, 123456789012345678,
  12345678901234567000, 9007199254740993, 1.7976931348623157e308, 5e-324, 0.0000152587890625, 0.1234567890123456,
  1.0000000000000002, 4.35, 1e15 + 0.3, -0.000000000000001, 2 ** 31, 2 ** 32 - 2, 2 ** 32, 100, 1e16,
];

function randString() {
  let s = pick(WORDS);
  if (chance(0.2)) s += pick(WORDS);
  return s;
}

function randValue(depth) {
  const r = rand();
  if (depth <= 0 || r < 0.45) {
    const k = int(5);
    if (k === 0) return null;
    if (k === 1) return chance(0.5);
    if (k === 2) return pick(NUMBERS) * (chance(0.1) ? -1 : 1);
    return randString();
  }
  if (r < 0.7) return Array.from({length: int(5)}, () => randValue(depth - 1));
  const o = {};
  for (let i = int(6); i > 0; i--) o[pick(KEYS)] = randValue(depth - 1);
  return o;
}

function randContexts() {
  const ctx = {};
  for (let i = 1 + int(4); i > 0; i--) {
    let name = pick(CONTEXTS);
    if (chance(0.1)) name = name.toUpperCase();
    ctx[name] = randValue(3);
  }
  return ctx;
}

// ---------------------------------------------------------------- expressions

const quote = s => {
  // At most one '' escape per literal (see the header).
  const parts = s.split("'");
  return "'" + (parts.length > 2 ? parts.join("") : parts.join("''")) + "'";
};

function numberLiteral() {
  return pick([
    "0", "1", "-1", "42", "3.14", "-2.5", ".5", "5.", "1e3", "1E-3", "-1e2", "0x1F", "0xff", "0b101", "0o17",
    "NaN", "Infinity", "-Infinity", "+5", "1e21", "0.1", "123456789012345678", "0.0000152587890625", "2e-7",
    "9007199254740993", "1.5e300", "-0", "00", "0.30000000000000004",
  ]);
}

function caseVariant(name) {
  const r = rand();
  if (r < 0.7) return name;
  if (r < 0.85) return name.toUpperCase();
  return [...name].map(c => (chance(0.5) ? c.toUpperCase() : c.toLowerCase())).join("");
}

function keyExpr(ctxKeys) {
  const r = rand();
  if (r < 0.6) return pick(KEYS.filter(k => /^[A-Za-z_][A-Za-z0-9_-]*$/.test(k)));
  return null;
}

function access(base, depth, ctxNames) {
  let e = base;
  for (let n = int(4); n > 0; n--) {
    const r = rand();
    const ident = keyExpr();
    if (r < 0.35 && ident) e += "." + caseVariant(ident);
    else if (r < 0.5) e += "[" + quote(pick(KEYS)) + "]";
    else if (r < 0.65) e += "[" + pick(["0", "1", "2", "-1", "1.7", "'1'", "null", "true", "''", "NaN"]) + "]";
    else if (r < 0.75) e += ".*";
    else if (r < 0.85) e += "[*]";
    else e += "[" + expr(depth - 1, ctxNames) + "]";
  }
  return e;
}

function formatString() {
  const pieces = ["{0}", "{1}", "{2}", "x", " ", "{{", "}}", "{0:D}", "{00}", "ab", "-", ""];
  let s = "";
  for (let n = 1 + int(4); n > 0; n--) s += pick(pieces);
  if (chance(0.1)) s += pick(["{", "}", "{a}", "{ 0}", "{9}", "{99999999999999999999}"]);
  return s;
}

const FUNCS = ["contains", "startsWith", "endsWith", "format", "join", "toJSON", "fromJSON", "case"];

function call(depth, ctxNames, fixedNames) {
  const arg = () => expr(depth - 1, ctxNames, fixedNames);
  const name = pick(FUNCS);
  let args;
  switch (name) {
    case "format":
      args = [chance(0.8) ? quote(formatString()) : arg()];
      for (let n = int(4); n > 0; n--) args.push(arg());
      break;
    case "join":
      args = [arg()];
      if (chance(0.6)) args.push(chance(0.5) ? quote(pick(["", ",", " - ", "|", "ß"])) : arg());
      break;
    case "fromJSON":
      args = [chance(0.6) ? quote(JSON.stringify(randValue(2))) : chance(0.5) ? quote(pick(WORDS)) : arg()];
      break;
    case "case": {
      args = [];
      for (let n = 1 + int(3); n > 0; n--) args.push(chance(0.7) ? comparison(depth - 1, ctxNames, fixedNames) : arg(), arg());
      args.push(arg());
      break;
    }
    case "toJSON":
      args = [arg()];
      break;
    default:
      args = [arg(), arg()];
  }
  // Wrong argument counts now and then.
  if (chance(0.04)) args.pop();
  if (chance(0.04)) args.push(arg());
  if (fixedNames.length && chance(0.1)) {
    const f = pick(fixedNames);
    return caseVariant(f) + "(" + args.slice(0, int(3)).join(", ") + ")";
  }
  return caseVariant(name) + "(" + args.join(", ") + ")";
}

function comparison(depth, ctxNames, fixedNames) {
  const op = pick(["==", "!=", "<", "<=", ">", ">="]);
  return expr(depth - 1, ctxNames, fixedNames) + " " + op + " " + expr(depth - 1, ctxNames, fixedNames);
}

function primary(depth, ctxNames, fixedNames) {
  const r = rand();
  if (depth <= 0 || r < 0.3) {
    const k = int(6);
    if (k === 0) return pick(["null", "true", "false"]);
    if (k === 1) return numberLiteral();
    if (k <= 3) return quote(randString());
    if (ctxNames.length) return access(caseVariant(pick(ctxNames)), depth, ctxNames);
    return quote(randString());
  }
  if (r < 0.5 && ctxNames.length) return access(caseVariant(pick(ctxNames)), depth, ctxNames);
  if (r < 0.75) {
    const c = call(depth, ctxNames, fixedNames);
    return chance(0.3) ? access(c, depth, ctxNames) : c;
  }
  const inner = "(" + expr(depth - 1, ctxNames, fixedNames) + ")";
  return chance(0.3) ? access(inner, depth, ctxNames) : inner;
}

function expr(depth, ctxNames, fixedNames = []) {
  const r = rand();
  if (depth <= 0 || r < 0.35) return primary(depth, ctxNames, fixedNames);
  if (r < 0.45) return "!" + primary(depth - 1, ctxNames, fixedNames);
  if (r < 0.65) return comparison(depth, ctxNames, fixedNames);
  const op = pick(["&&", "||"]);
  const parts = [];
  for (let n = 2 + int(3); n > 0; n--) parts.push(chance(0.5) ? comparison(depth - 1, ctxNames, fixedNames) : expr(depth - 1, ctxNames, fixedNames));
  return parts.join(" " + op + " ");
}

// Broken input: characters dropped, duplicated or inserted.
function mutate(s) {
  const chars = [...s];
  for (let n = 1 + int(3); n > 0; n--) {
    const i = int(chars.length + 1);
    const k = int(3);
    if (k === 0 && chars.length) chars.splice(i, 1);
    else if (k === 1) chars.splice(i, 0, pick(["(", ")", "[", "]", ",", ".", "'", "!", "=", "&", "|", "<", "*", "@", " ", "1", "a", "é", "\n"]));
    else if (chars.length) chars.splice(i, 0, chars[int(chars.length)]);
  }
  return chars.join("");
}

function special() {
  return pick([
    () => "!".repeat(45 + int(10)) + "true",
    () => "(".repeat(45 + int(10)) + "1" + ")".repeat(45 + int(10)),
    () => "github" + ".a".repeat(45 + int(10)),
    () => Array.from({length: 200}, (_, i) => String(i)).join(pick([" < ", " == ", " && ", " || "])),
    () => "format('{0}', " + "format('{0}', ".repeat(20 + int(30)) + "1" + ")".repeat(21 + int(30)),
    () => "'" + "x".repeat(20990 + int(20)) + "'",
    () => "nosuch.thing",
    () => "nosuchfunction(1)",
    () => "",
    () => "   ",
    () => pick(["success()", "hashFiles('**')", "always() && true", "FAILURE()"]),
  ])();
}

const FIXED = [{success: true}, {success: false, failure: true}, {hashFiles: "abc", always: true}, {format: 1}, {Foo: [1, 2], BAR: {x: 1}}];

for (let id = 1; id <= count; id++) {
  const contexts = randContexts();
  const req = {id, expr: "", contexts};
  const fixed = chance(0.1) ? pick(FIXED) : undefined;
  if (fixed) req.functions = fixed;
  const names = Object.keys(contexts);
  const r = rand();
  if (r < 0.05) req.expr = special();
  else if (r < 0.15) {
    // A mutation may join quotes into a literal with two '' escapes (see the header).
    const base = expr(3, names, fixed ? Object.keys(fixed) : []);
    const broken = mutate(base);
    req.expr = broken.split("''").length > 2 ? base : broken;
  }
  else req.expr = expr(1 + int(4), chance(0.05) ? names.concat(["nosuch"]) : names, fixed ? Object.keys(fixed) : []);
  process.stdout.write(JSON.stringify(req) + "\n");
}
