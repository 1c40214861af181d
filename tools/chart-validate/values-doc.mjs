#!/usr/bin/env node
// Keeps the values table of charts/omniroute/README.md in step with values.yaml: every key must
// have a "# --" comment above it, and the README holds the generated table between
// <!-- values:start --> and <!-- values:end -->.
//   values-doc.mjs VALUES.yaml README.md           fail if a comment is missing or the table differs
//   values-doc.mjs VALUES.yaml README.md --write   rewrite the table
import { readFileSync, writeFileSync } from "node:fs";

export function valuesTable(text) {
  const rows = [];
  const missing = [];
  const stack = []; // [{indent, key}]
  let comment = null;
  for (const line of text.split("\n")) {
    const c = /^(\s*)#(.*)$/.exec(line);
    if (c) {
      const body = c[2].trim();
      if (body.startsWith("-- ")) comment = [body.slice(3)];
      else if (comment) comment.push(body);
      continue;
    }
    const k = /^(\s*)([A-Za-z0-9_]+):(.*)$/.exec(line);
    if (!k) {
      if (line.trim() === "") comment = null;
      continue;
    }
    const indent = k[1].length;
    while (stack.length && stack[stack.length - 1].indent >= indent) stack.pop();
    stack.push({ indent, key: k[2] });
    const key = stack.map((s) => s.key).join(".");
    const value = k[3].trim();
    if (!comment) missing.push(key);
    const desc = (comment || []).join(" ").replaceAll("|", "\\|");
    rows.push(`| \`${key}\` | ${value === "" ? "" : "`" + value.replaceAll("|", "\\|") + "`"} | ${desc} |`);
    comment = null;
  }
  return { table: ["| key | default | description |", "|---|---|---|", ...rows].join("\n"), missing };
}

const [valuesFile, readmeFile, mode] = process.argv.slice(2);
const { table, missing } = valuesTable(readFileSync(valuesFile, "utf8"));
if (missing.length) {
  console.log(`FAIL ${valuesFile}: keys without a "# --" comment: ${missing.join(", ")}`);
  process.exit(1);
}
const readme = readFileSync(readmeFile, "utf8");
const re = /(<!-- values:start -->\n)[\s\S]*?(<!-- values:end -->)/;
if (!re.test(readme)) {
  console.log(`FAIL ${readmeFile}: no <!-- values:start --> ... <!-- values:end --> section`);
  process.exit(1);
}
const updated = readme.replace(re, (_, a, b) => a + table + "\n" + b);
if (mode === "--write") {
  writeFileSync(readmeFile, updated);
  console.log(`wrote the values table of ${readmeFile}`);
} else if (updated !== readme) {
  console.log(`FAIL ${readmeFile}: the values table differs from ${valuesFile}; run node tools/chart-validate/values-doc.mjs ${valuesFile} ${readmeFile} --write`);
  process.exit(1);
} else {
  console.log(`PASS every value of ${valuesFile} is commented and documented in ${readmeFile}`);
}
