// glob-diff.mjs: the hashFiles() differential test (tests/conformance/
// glob-diff.sh). Builds a seeded random file tree in TREE, then for COUNT
// random pattern sets computes hashFiles() exactly as GitHub's runner does
// (its hashFiles script: @actions/glob over the patterns from the
// workspace, directories and files outside it skipped, the SHA-256 of each
// file's SHA-256) and asks `SLIPWAY eval --raw "hashFiles('...')"` in the
// same folder. Both must give the same hash, or both fail. Prints a summary
// and the first disagreements; exits 1 on any.
// Usage (from a folder with @actions/glob installed):
//   node glob-diff.mjs --seed N --count N --tree DIR --slipway PATH
import {spawnSync} from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as glob from "@actions/glob";
import {options, random} from "./seeded.mjs";

const args = options(process.argv.slice(2));
const {rand, int, pick, chance} = random(args.seed ?? 1);
const count = Number(args.count ?? 200);
const tree = path.resolve(args.tree);


const NAMES = ["a", "b", "ab", "a.txt", "b.md", "c.c", ".hidden", "x-y", "x_y", "README.md", "src", "lib", "test",
  "node_modules", "A", "B.TXT", "a b", "e[1].txt", "q?x", "star*", "é.txt", "deep", "1", "10", "2.json", "a.txt.bak"];

// The tree: directories to depth 4, files with short contents, a few links.
const dirs = [tree];
const files = [];
fs.mkdirSync(tree, {recursive: true});
for (let i = 0; i < 60; i++) {
  const parent = pick(dirs);
  const p = path.join(parent, pick(NAMES));
  if (fs.existsSync(p)) continue;
  if (chance(0.35) && parent.split(path.sep).length - tree.split(path.sep).length < 4) {
    fs.mkdirSync(p);
    dirs.push(p);
  } else {
    fs.writeFileSync(p, `content of ${path.relative(tree, p)}\n`);
    files.push(p);
  }
}
for (let i = 0; i < 4; i++) {
  const p = path.join(pick(dirs), "link-" + i);
  if (!fs.existsSync(p)) fs.symlinkSync(chance(0.5) ? pick(files) : pick(dirs), p);
}

const SEGMENTS = ["*", "**", "*.txt", "*.md", "?", "??", "[ab]*", "[!a]*", "a*", "*b", "x-*", ".*", "*.*", "e\\[1\\].txt",
  "[Rr]*", "*[0-9]*", "link-*"];

function segment() {
  return chance(0.5) ? pick(NAMES.filter(n => !/[[*?]/.test(n))) : pick(SEGMENTS);
}

function pattern() {
  const parts = [];
  for (let n = 1 + int(3); n > 0; n--) parts.push(segment());
  let p = parts.join("/");
  if (chance(0.15)) p = "./" + p;
  if (chance(0.05)) p = tree + "/" + p;
  if (chance(0.1)) p += "/";
  if (chance(0.25)) p = "!" + p;
  if (chance(0.05)) p = "# " + p;
  if (chance(0.1)) p = "  " + p + " ";
  return p;
}

process.chdir(tree);
let agree = 0, hashes = 0;
const shown = [];
for (let i = 0; i < count; i++) {
  const lines = [];
  for (let n = 1 + int(3); n > 0; n--) lines.push(pattern());
  if (lines.every(l => l.trim().startsWith("!") || l.trim().startsWith("#"))) lines.unshift(pattern().replace(/^!+/, ""));
  const patterns = lines.join("\n");
  let out;
  try {
    const result = crypto.createHash("sha256");
    let n = 0;
    const globber = await glob.create(patterns, {followSymbolicLinks: false});
    for await (const file of globber.globGenerator()) {
      if (!file.startsWith(`${tree}${path.sep}`)) continue;
      if (fs.statSync(file).isDirectory()) continue;
      result.update(crypto.createHash("sha256").update(fs.readFileSync(file)).digest());
      n++;
    }
    out = {patterns, hash: n ? result.digest("hex") : ""};
  } catch (e) {
    out = {patterns, error: String(e && e.message)};
  }
  const expr = "hashFiles('" + patterns.replaceAll("'", "''") + "')";
  const ours = spawnSync(args.slipway, ["eval", "--raw", "--", expr], {cwd: tree, encoding: "utf8"});
  const same = out.error !== undefined ? ours.status === 1 : ours.status === 0 && ours.stdout === out.hash + "\n";
  if (same) {
    agree++;
    if (out.hash) hashes++;
  } else if (shown.length < 5) {
    shown.push({patterns, github: out, slipway: {status: ours.status, stdout: ours.stdout, stderr: ours.stderr}});
  }
}
console.log(`${count} pattern sets: ${agree} agree (${hashes} non-empty hashes), ${count - agree} disagree`);
for (const s of shown) console.log(JSON.stringify(s));
process.exit(agree === count ? 0 : 1);
