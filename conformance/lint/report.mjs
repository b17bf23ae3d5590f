// Reports what the two linters found in each document and fails on any
// error or warning. Usage:
//
//	node report.mjs DIR NAME...
//
// where DIR holds NAME.redocly.json (the output of `redocly lint
// --format=json NAME.json`) and NAME.spectral.json (that of `spectral lint
// -f json NAME.json`) for each NAME.
import { readFileSync } from "node:fs";
import { join } from "node:path";

const [dir, ...names] = process.argv.slice(2);
// Spectral's severities: 0 error, 1 warning, 2 information, 3 hint.
const spectralLevel = ["error", "warning", "info", "hint"];
let failed = false;
const rows = [];
for (const name of names) {
  const redocly = JSON.parse(readFileSync(join(dir, `${name}.redocly.json`), "utf8"));
  const spectral = JSON.parse(readFileSync(join(dir, `${name}.spectral.json`), "utf8"));
  const found = [];
  for (const p of redocly.problems) {
    found.push({ linter: "redocly", level: p.severity === "error" ? "error" : p.severity === "warn" ? "warning" : p.severity,
      rule: p.ruleId, at: p.location?.[0]?.pointer ?? "", message: p.message });
  }
  for (const p of spectral) {
    found.push({ linter: "spectral", level: spectralLevel[p.severity] ?? String(p.severity),
      rule: p.code, at: "#/" + (p.path ?? []).join("/"), message: p.message });
  }
  const count = (linter, level) => found.filter((f) => f.linter === linter && f.level === level).length;
  const row = { document: name,
    redocly: `${count("redocly", "error")} errors, ${count("redocly", "warning")} warnings`,
    spectral: `${count("spectral", "error")} errors, ${count("spectral", "warning")} warnings` };
  rows.push(row);
  for (const f of found) {
    console.log(`${name}: ${f.linter} ${f.level} ${f.rule} at ${f.at}: ${f.message}`);
    if (f.level === "error" || f.level === "warning") failed = true;
  }
}
for (const r of rows) console.log(`lint: ${r.document}: redocly ${r.redocly}; spectral ${r.spectral}`);
process.exit(failed ? 1 : 0);
