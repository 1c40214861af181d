#!/usr/bin/env node
// Shows that the chart checks catch what they claim to: each case copies the chart (and, for
// the drift check, the generator and deploy/kubernetes) to a temporary directory, breaks one
// thing, and expects the check to fail with a message naming it.
//   mutation-test.mjs --render BIN --root REPO_ROOT
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const bin = args[args.indexOf("--render") + 1];
const root = args[args.indexOf("--root") + 1];
const CRDS = ["--api-versions", "keda.sh/v1alpha1", "--api-versions", "monitoring.coreos.com/v1"];
const examples = path.join(root, "charts/omniroute/examples");

// [name, file under the chart, from, to, extra check-chart args, expected text]
const cases = [
  ["broken template syntax", "templates/deployment.yaml", /\{\{- end \}\}\s*$/, "", [], "parse error"],
  ["missing value in a template", "templates/service.yaml", "{{ $s.grpcPort }}", "{{ $s.ports.grpc }}", [], "nil pointer"],
  ["bad indentation", "templates/service.yaml", 'include "omniroute.labels" $ctx | nindent 4', 'include "omniroute.labels" $ctx | nindent 2', [], "metadata.app.kubernetes.io/name: unknown field"],
  ["removed apiVersion", "templates/hpa.yaml", "autoscaling/v2", "autoscaling/v2beta2", ["-f", `${examples}/external-redis.yaml`], "removed in Kubernetes 1.26"],
  ["unknown apiVersion", "templates/pdb.yaml", "policy/v1", "policy/v2", [], "no schema for apiVersion policy/v2"],
  ["unknown field (typo)", "templates/service.yaml", "appProtocol: grpc", "appProtocl: grpc", [], "spec.ports.0.appProtocl: unknown field"],
  ["wrong field type", "templates/deployment.yaml", "containerPort: {{ $s.grpcPort }}", 'containerPort: "{{ $s.grpcPort }}"', [], "containerPort: must be integer"],
  ["unquoted YAML 1.1 boolean", "templates/redis.yaml", '- "yes"', "- yes", ["-f", `${examples}/in-chart-redis.yaml`], "args.3: must be string"],
  ["KEDA field typo", "templates/scaledobject.yaml", "minReplicaCount:", "minReplicas:", ["-f", `${examples}/keda.yaml`, ...CRDS], "spec.minReplicas: unknown field"],
  ["KEDA wrong type", "templates/scaledobject.yaml", "pollingInterval: {{ $s.keda.pollingInterval }}", "pollingInterval: {{ $s.keda.pollingInterval | quote }}", ["-f", `${examples}/keda.yaml`, ...CRDS], "spec.pollingInterval: must be integer"],
  ["ServiceMonitor field typo", "templates/servicemonitor.yaml", "path: /metrics", "paths: /metrics", ["-f", `${examples}/servicemonitor.yaml`, ...CRDS], "endpoints.0.paths: unknown field"],
  ["ServiceMonitor bad duration", "templates/servicemonitor.yaml", "interval: {{ .Values.serviceMonitor.interval }}", "interval: 15 seconds", ["-f", `${examples}/servicemonitor.yaml`, ...CRDS], "interval: must match pattern"],
  ["liveness follows Redis", "templates/deployment.yaml", "tcpSocket:\n              port: grpc", "grpc:\n              port: {{ $s.grpcPort }}", [], "liveness must be a tcpSocket probe"],
  ["readiness not gRPC", "templates/deployment.yaml", "{{- else }}\n            grpc:\n              port: {{ $s.grpcPort }}", "{{- else }}\n            tcpSocket:\n              port: {{ $s.grpcPort }}", [], "readiness must be a gRPC probe"],
  ["TLS readiness without TLS", "templates/deployment.yaml", "- --tls-ca=/etc/omniroute/tls/{{ $t.caKey }}", "- --timeout-ms=1000", ["-f", `${examples}/tls.yaml`], "readiness must run omniroute-health over TLS"],
  ["mTLS readiness without a client certificate", "templates/deployment.yaml", "{{- if $t.mutual }}\n                - --tls-cert", "{{- if false }}\n                - --tls-cert", ["-f", `${examples}/tls.yaml`], "and --tls-cert under mTLS"],
  ["sidecar root filesystem writable", "templates/_helpers.tpl", "{{- toYaml .Values.securityContext | nindent 4 }}", "readOnlyRootFilesystem: false", ["-f", `${examples}/tls.yaml`], "redis-tls: readOnlyRootFilesystem must be true"],
  ["root filesystem writable", "values.yaml", "readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false", [], "readOnlyRootFilesystem must be true"],
  ["Service selects nothing", "templates/service.yaml", '{{- include "omniroute.selectorLabels" $ctx | nindent 4 }}', "app: nothing", [], "its selector matches no workload"],
  ["HPA and KEDA on one Deployment", "templates/hpa.yaml", "{{- if $s.hpa.enabled }}", "{{- if or $s.hpa.enabled (eq $component \"routing\") }}", ["-f", `${examples}/keda.yaml`, ...CRDS], "both scale Deployment/omniroute-routing"],
  ["KEDA env not on the target", "templates/_helpers.tpl", "- name: OMNIROUTE_REDIS_ADDRESS\n  value: {{ include \"omniroute.redisHostPort\" . | quote }}\n{{- end }}\n{{- end -}}", "{{- end }}\n{{- end -}}", ["-f", `${examples}/keda.yaml`, ...CRDS], "addressFromEnv OMNIROUTE_REDIS_ADDRESS is not set"],
  ["cluster URL not a cluster URL", "templates/_helpers.tpl", 'printf "redis+cluster://%s" $nodes', 'printf "redis://%s" $nodes', ["-f", path.join(root, "tests/chart/cases/good-redis-cluster-without-password.yaml"), "--expect-env", "OMNIROUTE_REDIS_URL=redis+cluster://10.0.0.11:7000,[fd00::12]:7000"], 'env OMNIROUTE_REDIS_URL is "redis://10.0.0.11:7000'],
  ["single-Redis KEDA scaler on a cluster", "templates/scaledobject.yaml", "{{ if $cluster }}redis-cluster-streams{{ else }}redis-streams{{ end }}", "redis-streams", ["-f", `${examples}/redis-cluster.yaml`, ...CRDS], "a redis-streams trigger on a Redis Cluster"],
  ["schema lets unknown keys in", "values.schema.json", /"additionalProperties": false,\n  "definitions"/, '"additionalProperties": true,\n  "definitions"', ["-f", path.join(root, "tests/chart/cases/bad-unknown-top-level-key.yaml")], "SHOULD-PASS"],
];

let failed = 0;
for (const [name, file, from, to, extra, expect] of cases) {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "chart-mutation-"));
  try {
    const chart = path.join(tmp, "omniroute");
    cpSync(path.join(root, "charts/omniroute"), chart, { recursive: true });
    const target = path.join(chart, file);
    const before = readFileSync(target, "utf8");
    const after = before.replace(from, to);
    if (after === before) throw new Error(`mutation "${name}" did not change ${file}: update the test`);
    writeFileSync(target, after);
    const checkArgs = ["render", "--render", bin, "--chart", chart, ...extra];
    const r = spawnSync(process.execPath, [path.join(here, "check-chart.mjs"), ...checkArgs,
      ...(expect === "SHOULD-PASS" ? [] : ["--expect-fail", expect])], { encoding: "utf8" });
    // The last case shows the other direction: with the schema loosened, the bad values file
    // that the cases test rejects renders fine, so that test depends on the schema.
    const ok = r.status === 0;
    console.log(`${ok ? "PASS" : "FAIL"} caught: ${name}: ${(r.stdout || r.stderr).trim().split("\n").slice(0, 4).join(" | ")}`);
    if (!ok) failed++;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

// The drift check: a chart change without re-generated manifests must fail --check.
{
  const tmp = mkdtempSync(path.join(os.tmpdir(), "chart-drift-"));
  try {
    for (const d of ["charts/omniroute", "tools/chart-render", "deploy/kubernetes"]) {
      cpSync(path.join(root, d), path.join(tmp, d), { recursive: true });
    }
    const values = path.join(tmp, "charts/omniroute/values.yaml");
    writeFileSync(values, readFileSync(values, "utf8").replace("terminationGracePeriodSeconds: 30", "terminationGracePeriodSeconds: 45"));
    const r = spawnSync("bash", [path.join(tmp, "tools/chart-render/render-manifests.sh"), "--check"],
      { encoding: "utf8", env: { ...process.env, CHART_RENDER: bin } });
    const ok = r.status !== 0 && r.stdout.includes("terminationGracePeriodSeconds: 45");
    console.log(`${ok ? "PASS" : "FAIL"} caught: deploy/kubernetes out of date with the chart`);
    if (!ok) failed++;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
// The values documentation: a value without its "# --" comment, or one the README table lacks.
for (const [name, from, to, expect] of [
  ["value without a comment", /  # -- Headless Services[^\n]*\n(  #[^\n]*\n)*/, "", "keys without a \"# --\" comment: service.headless"],
  ["value missing from the README", "  headless: false\n", "  headless: false\n  # -- New.\n  newValue: 1\n", "the values table differs"],
]) {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "chart-doc-"));
  try {
    cpSync(path.join(root, "charts/omniroute"), tmp, { recursive: true });
    const values = path.join(tmp, "values.yaml");
    const before = readFileSync(values, "utf8");
    const after = before.replace(from, to);
    if (after === before) throw new Error(`mutation "${name}" did not change values.yaml: update the test`);
    writeFileSync(values, after);
    const r = spawnSync(process.execPath, [path.join(here, "values-doc.mjs"), values, path.join(tmp, "README.md")], { encoding: "utf8" });
    const ok = r.status !== 0 && r.stdout.includes(expect);
    console.log(`${ok ? "PASS" : "FAIL"} caught: ${name}: ${r.stdout.trim()}`);
    if (!ok) failed++;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
console.log(`${cases.length + 3 - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
