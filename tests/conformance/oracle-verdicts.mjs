// oracle-verdicts: GitHub's official workflow parser (through the oracle's
// oracle-lib.mjs) over many files in one Node process.
//   node oracle-verdicts.mjs ORACLE_DIR FILE...
// prints one line per file: FILE <TAB> ok|error <TAB> first error message.
import fs from "node:fs";
import path from "node:path";
import {pathToFileURL} from "node:url";

const [oracle, ...files] = process.argv.slice(2);
const {parseWorkflowFile} = await import(pathToFileURL(path.join(oracle, "oracle-lib.mjs")).href);
for (const file of files) {
  const content = fs.readFileSync(file, "utf8");
  const {errors} = await parseWorkflowFile({name: path.basename(file), content, fetchDepth: 0});
  const first = errors.length ? String(errors[0].message).replace(/[\t\n]/g, " ") : "";
  process.stdout.write(`${file}\t${errors.length ? "error" : "ok"}\t${first}\n`);
}
