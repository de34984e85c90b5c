// oracle-parse: GitHub's official @actions/workflow-parser (through the oracle's
// oracle-lib.mjs) over many files in ONE Node process, timed in-process so that
// Node's start-up and module loading are not counted.
//   node oracle-parse.mjs ORACLE_DIR PASSES FILE...
// prints: files=N cold_ms=... warm_ms=... (cold: first pass; warm: best later pass)
import fs from "node:fs";
import path from "node:path";
import {pathToFileURL} from "node:url";

const [oracle, passesArg, ...files] = process.argv.slice(2);
const {parseWorkflowFile} = await import(pathToFileURL(path.join(oracle, "oracle-lib.mjs")).href);
const inputs = files.map(f => ({name: path.basename(f), content: fs.readFileSync(f, "utf8")}));
// Load the parser's modules (lazy in oracle-lib) before the clock starts.
await parseWorkflowFile({name: "warmup.yml", content: "on: push\njobs: {}\n", fetchDepth: 0});
const passes = Math.max(1, Number(passesArg) || 1);
const times = [];
for (let p = 0; p < passes; p++) {
  const t0 = performance.now();
  for (const input of inputs) await parseWorkflowFile({...input, fetchDepth: 0});
  times.push(performance.now() - t0);
}
const warm = times.length > 1 ? Math.min(...times.slice(1)) : times[0];
console.log(`files=${inputs.length} cold_ms=${times[0].toFixed(1)} warm_ms=${warm.toFixed(1)}`);
