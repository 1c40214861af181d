#!/usr/bin/env node
// Command line of the offline chart checks (see lib.mjs and charts/omniroute/README.md).
//
//   check-chart.mjs render --render BIN --chart DIR [-f values.yaml]... [--set a.b=v]...
//                   [--api-versions g/v]... [--expect-fail TEXT]
//                   [--expect-env NAME=VALUE]... [--expect-text TEXT]...
//       values (merged by BIN) against values.schema.json, then the rendered objects against
//       their schemas and the chart's rules. With --expect-fail the check passes only if it
//       fails with a message containing TEXT. --expect-env: every container of every Deployment
//       and Job has the environment variable NAME set to exactly VALUE; --expect-text: the
//       rendered chart contains TEXT.
//   check-chart.mjs cases --render BIN --chart DIR CASE.yaml...
//       one render check per values file; a file says what it expects in its first lines:
//       "# expect: pass" or "# expect-fail: TEXT", and optionally "# api-versions: g/v g/v",
//       "# expect-env: NAME=VALUE" and "# expect-text: TEXT" (each may be repeated).
//   check-chart.mjs objects FILE...
//       validates YAML streams (e.g. `kubectl kustomize` output, '-' = stdin) against the
//       schemas and the chart's rules.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { checkChartRules, parseStream, validateObjects, validateValues } from "./lib.mjs";

function parseArgs(argv) {
  const o = { files: [], sets: [], apis: [], env: [], texts: [], rest: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === "--render") o.bin = next();
    else if (a === "--chart") o.chart = next();
    else if (a === "-f" || a === "--values") o.files.push(next());
    else if (a === "--set") o.sets.push(next());
    else if (a === "--api-versions") o.apis.push(next());
    else if (a === "--expect-fail") o.expectFail = next();
    else if (a === "--expect-env") o.env.push(next());
    else if (a === "--expect-text") o.texts.push(next());
    else o.rest.push(a);
  }
  return o;
}

function run(bin, args) {
  try {
    return { out: execFileSync(bin, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 << 20 }) };
  } catch (e) {
    return { error: (e.stderr || e.message).trim() };
  }
}

// Every container of every Deployment and Job must set each NAME=VALUE of `env` exactly.
function expectedEnv(objects, env) {
  const problems = [];
  const workloads = objects.map((o) => o.object).filter((o) => o.kind === "Deployment" || o.kind === "Job");
  for (const item of env) {
    const [name, ...rest] = item.split("=");
    const want = rest.join("=");
    if (workloads.length === 0) problems.push(`expect-env ${name}: no Deployment or Job rendered`);
    for (const w of workloads) {
      for (const c of w.spec.template.spec.containers) {
        const got = (c.env || []).find((e) => e.name === name);
        if (!got) problems.push(`${w.kind}/${w.metadata.name}/${c.name}: env ${name} is not set (expected "${want}")`);
        else if (got.value !== want) problems.push(`${w.kind}/${w.metadata.name}/${c.name}: env ${name} is "${got.value ?? "(from a reference)"}", expected "${want}"`);
      }
    }
  }
  return problems;
}

// Returns the list of problems of one chart render, stage by stage like `helm install`.
async function checkRender({ bin, chart, files, sets, apis, env = [], texts = [] }) {
  const common = ["--chart", chart, ...files.flatMap((f) => ["-f", f]), ...sets.flatMap((s) => ["--set", s])];
  const dumped = run(bin, [...common, "--dump-values", "-"]);
  if (dumped.error) return [dumped.error];
  const valueErrors = validateValues(path.join(chart, "values.schema.json"), JSON.parse(dumped.out));
  if (valueErrors.length) return valueErrors;
  const tmp = mkdtempSync(path.join(os.tmpdir(), "chart-notes-"));
  try {
    const rendered = run(bin, [...common, ...apis.flatMap((a) => ["--api-versions", a]), "--notes", path.join(tmp, "NOTES.txt")]);
    if (rendered.error) return [rendered.error];
    const { objects, errors } = parseStream(rendered.out, "rendered chart");
    if (errors.length) return errors;
    if (objects.length === 0) return ["the chart rendered no object"];
    const problems = [...(await validateObjects(objects)), ...checkChartRules(objects),
      ...expectedEnv(objects, env), ...texts.filter((t) => !rendered.out.includes(t)).map((t) => `the rendered chart does not contain "${t}"`)];
    const notes = readFileSync(path.join(tmp, "NOTES.txt"), "utf8");
    if (!notes.includes("omniroute")) problems.push("NOTES.txt rendered empty");
    return problems;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function verdict(label, problems, expectFail) {
  if (expectFail === undefined) {
    if (problems.length === 0) {
      console.log(`PASS ${label}`);
      return true;
    }
    console.log(`FAIL ${label}:\n  ${problems.join("\n  ")}`);
    return false;
  }
  const hit = problems.find((p) => p.includes(expectFail));
  if (hit) {
    console.log(`PASS ${label}: rejected as expected: ${hit}`);
    return true;
  }
  console.log(problems.length === 0
    ? `FAIL ${label}: expected a failure naming "${expectFail}" but the check passed`
    : `FAIL ${label}: expected a failure naming "${expectFail}", got:\n  ${problems.join("\n  ")}`);
  return false;
}

async function main() {
  const [cmd, ...argv] = process.argv.slice(2);
  const o = parseArgs(argv);
  if (cmd === "render") {
    const label = `render ${o.files.map((f) => path.basename(f)).join(" ") || "(defaults)"} ${o.sets.join(" ")}`.trim();
    return verdict(label, await checkRender(o), o.expectFail);
  }
  if (cmd === "cases") {
    let ok = true;
    if (o.rest.length === 0) throw new Error("cases: no values files given");
    for (const file of o.rest) {
      const head = readFileSync(file, "utf8").split("\n").slice(0, 8).join("\n");
      const fail = /^# expect-fail: (.+)$/m.exec(head)?.[1].trim();
      if (!fail && !/^# expect: pass$/m.test(head)) throw new Error(`${file}: no "# expect: pass" or "# expect-fail: TEXT" line`);
      const apis = (/^# api-versions: (.+)$/m.exec(head)?.[1] || "").split(/\s+/).filter(Boolean);
      const env = [...head.matchAll(/^# expect-env: (.+)$/gm)].map((m) => m[1].trim());
      const texts = [...head.matchAll(/^# expect-text: (.+)$/gm)].map((m) => m[1].trim());
      const problems = await checkRender({ ...o, files: [file], apis, env, texts });
      ok = verdict(path.basename(file), problems, fail) && ok;
    }
    return ok;
  }
  if (cmd === "objects") {
    let ok = true;
    for (const file of o.rest) {
      const text = readFileSync(file === "-" ? 0 : file, "utf8");
      const { objects, errors } = parseStream(text, file);
      const problems = errors.length ? errors : [...(await validateObjects(objects)), ...checkChartRules(objects)];
      if (objects.length === 0 && !errors.length) problems.push("no object");
      ok = verdict(`objects ${file} (${objects.length})`, problems, o.expectFail) && ok;
    }
    return ok;
  }
  throw new Error("usage: check-chart.mjs render|cases|objects ... (see the top of the file)");
}

main().then((ok) => process.exit(ok ? 0 : 1), (e) => {
  console.error(`check-chart: ${e.message}`);
  process.exit(2);
});
