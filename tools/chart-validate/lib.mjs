// Offline checks of the omniroute chart: values against values.schema.json (ajv, draft-07, as
// Helm does before rendering), and rendered objects against the Kubernetes, KEDA and
// Prometheus-operator schemas that the kubernetes-models packages ship, with unknown fields
// reported as errors (like `kubectl apply --validate=strict`), plus cross-object rules of the
// chart. See charts/omniroute/README.md, "How the chart is checked without Helm".
import { readFileSync, existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import Ajv from "ajv";
import YAML from "yaml";

const here = path.dirname(fileURLToPath(import.meta.url));
const modules = path.join(here, "node_modules");

// ---- values ---------------------------------------------------------------------------------

// Returns one line per schema violation of `values` (the merged values, as Helm validates them).
export function validateValues(schemaFile, values) {
  const schema = JSON.parse(readFileSync(schemaFile, "utf8"));
  if (schema.$schema !== "http://json-schema.org/draft-07/schema#") {
    return [`${schemaFile}: $schema must be draft-07`];
  }
  const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, strictRequired: false });
  const validate = ajv.compile(schema);
  if (validate(values)) return [];
  return validate.errors
    .filter((e) => !["if", "anyOf", "oneOf"].includes(e.keyword) || validate.errors.length === 1)
    .map((e) => {
      const at = e.instancePath ? e.instancePath.slice(1).replaceAll("/", ".") : "(top level)";
      if (e.keyword === "additionalProperties") {
        const key = e.instancePath ? `${at}.${e.params.additionalProperty}` : e.params.additionalProperty;
        return `values: ${key}: unknown key (not in values.schema.json)`;
      }
      let detail = e.message;
      if (e.keyword === "enum") detail += `: ${e.params.allowedValues.join(", ")}`;
      if (e.keyword === "const") detail += ` ${JSON.stringify(e.params.allowedValue)}`;
      const why = e.parentSchema && e.parentSchema.description ? ` (${e.parentSchema.description})` : "";
      return `values: ${at}: ${detail}${why}`;
    });
}

// ---- objects --------------------------------------------------------------------------------

// API versions Kubernetes no longer serves (the chart needs 1.25 or later), with the release
// that removed them: kubernetes-models still ships their schemas.
const REMOVED = {
  "extensions/v1beta1": "1.22", "apps/v1beta1": "1.16", "apps/v1beta2": "1.16",
  "policy/v1beta1": "1.25", "batch/v1beta1": "1.25", "autoscaling/v2beta1": "1.25",
  "autoscaling/v2beta2": "1.26", "networking.k8s.io/v1beta1": "1.22",
};

function modelFile(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  if (!/^[A-Za-z0-9]+$/.test(kind) || !/^v[0-9a-z]+$/.test(version || "")) return null;
  if (group === "") return path.join(modules, "kubernetes-models", version, `${kind}.js`);
  if (group === "keda.sh") return path.join(modules, "@kubernetes-models/keda", group, version, `${kind}.js`);
  if (group === "monitoring.coreos.com") {
    return path.join(modules, "@kubernetes-models/prometheus-operator", group, version, `${kind}.js`);
  }
  return path.join(modules, "kubernetes-models", group, version, `${kind}.js`);
}

const validators = new Map();
async function schemaValidator(apiVersion, kind) {
  const key = `${apiVersion}/${kind}`;
  if (validators.has(key)) return validators.get(key);
  const file = modelFile(apiVersion, kind);
  let fn = null;
  if (file && existsSync(file)) {
    // The model module imports its compiled ajv validator from ../_schemas/<Name>.js.
    const m = /from"((?:\.\.\/)+_schemas\/[A-Za-z0-9]+\.js)"/.exec(readFileSync(file, "utf8"));
    if (m) fn = (await import(pathToFileURL(path.resolve(path.dirname(file), m[1])).href)).validate;
  }
  validators.set(key, fn);
  return fn;
}

// The compiled validators carry no messages: say what the keyword wanted.
function describe(e) {
  const p = e.params || {};
  switch (e.keyword) {
    case "type": return `must be ${p.type}`;
    case "required": return `must have required property '${p.missingProperty}'`;
    case "pattern": return `must match pattern "${p.pattern}"`;
    case "format": return `must match format "${p.format}"`;
    case "enum": return `must be one of ${JSON.stringify(p.allowedValues)}`;
    case "minimum": case "maximum": return `must be ${p.comparison} ${p.limit}`;
    case "additionalProperties": return `unknown field ${p.additionalProperty}`;
    default: return e.message || `fails ${e.keyword} ${JSON.stringify(p)}`;
  }
}

// Wraps `root` so that validation records which keys of each object the schema knows: the
// compiled validators read every declared property and enumerate the keys of map-like objects,
// so a key that was neither read nor enumerated is unknown to the schema.
function tracking(root) {
  const records = [];
  const wrap = (value, at) => {
    if (value === null || typeof value !== "object") return value;
    const rec = { target: value, at, read: new Set(), enumerated: false };
    records.push(rec);
    const children = new Map();
    return new Proxy(value, {
      get(t, k, r) {
        const v = Reflect.get(t, k, r);
        if (typeof k !== "string") return v;
        rec.read.add(k);
        if (v === null || typeof v !== "object") return v;
        if (!children.has(k)) children.set(k, wrap(v, `${at}.${k}`));
        return children.get(k);
      },
      has(t, k) {
        if (typeof k === "string") rec.read.add(k);
        return Reflect.has(t, k);
      },
      ownKeys(t) {
        rec.enumerated = true;
        return Reflect.ownKeys(t);
      },
    });
  };
  return { proxy: wrap(root, ""), records };
}

function unknownFields(records) {
  const out = [];
  for (const r of records) {
    if (Array.isArray(r.target) || r.enumerated) continue;
    for (const k of Object.keys(r.target)) {
      if (!r.read.has(k) && !(r.at === "" && (k === "apiVersion" || k === "kind"))) {
        out.push(`${(r.at + "." + k).slice(1)}: unknown field`);
      }
    }
  }
  return out;
}

// Parses a YAML stream the way kubectl reads it (YAML 1.1: unquoted yes/no/on/off are booleans).
export function parseStream(text, origin) {
  const docs = YAML.parseAllDocuments(text, { version: "1.1", uniqueKeys: true });
  const objects = [];
  const errors = [];
  for (const d of docs) {
    if (d.errors.length) {
      errors.push(`${origin}: YAML error: ${d.errors[0].message}`);
      continue;
    }
    const o = d.toJS();
    if (o === null || o === undefined) continue;
    const source = /# Source: (\S+)/.exec(String(d.commentBefore || ""))?.[1] || origin;
    objects.push({ source, object: o });
  }
  return { objects, errors };
}

// Validates each object against the schema of its apiVersion and kind.
export async function validateObjects(objects) {
  const errors = [];
  for (const { source, object } of objects) {
    const id = `${object.kind ?? "?"}/${object.metadata?.name ?? "?"} (${source})`;
    if (typeof object.apiVersion !== "string" || typeof object.kind !== "string") {
      errors.push(`${id}: apiVersion and kind are required`);
      continue;
    }
    if (REMOVED[object.apiVersion]) {
      errors.push(`${id}: ${object.apiVersion} was removed in Kubernetes ${REMOVED[object.apiVersion]}`);
      continue;
    }
    const validate = await schemaValidator(object.apiVersion, object.kind);
    if (!validate) {
      errors.push(`${id}: no schema for apiVersion ${object.apiVersion} kind ${object.kind}`);
      continue;
    }
    const { proxy, records } = tracking(structuredClone(object));
    if (!validate(proxy)) {
      for (const e of validate.errors) {
        errors.push(`${id}: ${e.instancePath.slice(1).replaceAll("/", ".") || "(object)"}: ${describe(e)}`);
      }
    }
    for (const u of unknownFields(records)) errors.push(`${id}: ${u}`);
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(object.metadata?.name ?? "") || object.metadata.name.length > 63) {
      errors.push(`${id}: metadata.name must be a DNS-1123 label of at most 63 characters`);
    }
  }
  return errors;
}

// ---- the chart's own rules across objects ---------------------------------------------------

const matches = (selector, labels) =>
  Object.entries(selector || {}).every(([k, v]) => labels && labels[k] === v);

// Returns one line per broken promise of the chart (see the README's list).
export function checkChartRules(objects) {
  const errors = [];
  const all = objects.map((o) => o.object);
  const of = (kind) => all.filter((o) => o.kind === kind);
  const deployments = of("Deployment");
  const workloads = [...deployments, ...of("StatefulSet"), ...of("Job")];
  for (const w of workloads) {
    const id = `${w.kind}/${w.metadata.name}`;
    const pod = w.spec.template.spec;
    const psc = pod.securityContext || {};
    if (psc.runAsNonRoot !== true) errors.push(`${id}: pod securityContext.runAsNonRoot must be true`);
    if (psc.seccompProfile?.type !== "RuntimeDefault") errors.push(`${id}: pod seccompProfile must be RuntimeDefault`);
    // Native sidecars (init containers with restartPolicy Always, e.g. the Redis TLS stunnel)
    // run beside the service for the pod's life: the same rules hold for them.
    for (const c of [...pod.containers, ...(pod.initContainers || [])]) {
      const sc = c.securityContext || {};
      if (sc.allowPrivilegeEscalation !== false) errors.push(`${id}/${c.name}: allowPrivilegeEscalation must be false`);
      if (sc.readOnlyRootFilesystem !== true) errors.push(`${id}/${c.name}: readOnlyRootFilesystem must be true`);
      if (!(sc.capabilities?.drop || []).includes("ALL")) errors.push(`${id}/${c.name}: capabilities must drop ALL`);
      const defined = new Set();
      for (const e of c.env || []) {
        for (const [, ref] of String(e.value ?? "").matchAll(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g)) {
          if (!defined.has(ref)) errors.push(`${id}/${c.name}: env ${e.name} uses $(${ref}) before ${ref} is defined`);
        }
        defined.add(e.name);
      }
      if (!c.resources?.requests?.cpu || !c.resources?.limits?.memory) {
        errors.push(`${id}/${c.name}: needs a CPU request and a memory limit`);
      }
    }
  }
  for (const d of deployments) {
    const id = `Deployment/${d.metadata.name}`;
    const pod = d.spec.template.spec;
    if (!matches(d.spec.selector.matchLabels, d.spec.template.metadata?.labels)) {
      errors.push(`${id}: selector does not match the pod labels`);
    }
    if (!(pod.terminationGracePeriodSeconds > 10)) {
      errors.push(`${id}: terminationGracePeriodSeconds must exceed the services' 10 s drain`);
    }
    if (pod.securityContext?.runAsUser !== 10001) errors.push(`${id}: pods run as uid 10001 (the images' user)`);
    for (const c of pod.containers) {
      const grpcPort = c.ports?.find((p) => p.name === "grpc")?.containerPort;
      if (!grpcPort || !c.ports.find((p) => p.name === "metrics")) {
        errors.push(`${id}/${c.name}: needs container ports named grpc and metrics`);
      }
      const r = c.readinessProbe;
      const args = c.args || [];
      const tls = args.some((a) => a.startsWith("--tls-cert="));
      if (tls) {
        // Native gRPC probes speak no TLS: omniroute-health asks over TLS (with a client
        // certificate when the port requires one).
        const cmd = r?.exec?.command || [];
        const ok = cmd[0] === "/usr/local/bin/omniroute-health" && cmd.includes(`--addr=127.0.0.1:${grpcPort}`) &&
          cmd.some((a) => a.startsWith("--tls-ca=")) && !cmd.some((a) => a.startsWith("--service=")) &&
          (!args.some((a) => a.startsWith("--tls-client-ca=")) || cmd.some((a) => a.startsWith("--tls-cert=")));
        if (!ok) {
          errors.push(`${id}/${c.name}: with --tls-cert, readiness must run omniroute-health over TLS (--tls-ca, and --tls-cert under mTLS) against the overall health service "" on the gRPC port`);
        }
      } else if (!r?.grpc || r.grpc.port !== grpcPort || (r.grpc.service ?? "") !== "") {
        errors.push(`${id}/${c.name}: readiness must be a gRPC probe of the overall health service "" on the gRPC port`);
      }
      const l = c.livenessProbe;
      if (!l || l.grpc || l.exec || l.httpGet || !l.tcpSocket) {
        errors.push(`${id}/${c.name}: liveness must be a tcpSocket probe (gRPC health follows Redis)`);
      }
    }
  }
  for (const s of of("Service")) {
    if (!workloads.some((w) => matches(s.spec.selector, w.spec.template.metadata?.labels))) {
      errors.push(`Service/${s.metadata.name}: its selector matches no workload`);
    }
    for (const p of s.spec.ports) {
      if (!p.name) errors.push(`Service/${s.metadata.name}: every port needs a name`);
    }
  }
  for (const p of of("PodDisruptionBudget")) {
    if (!deployments.some((d) => matches(p.spec.selector.matchLabels, d.spec.template.metadata.labels))) {
      errors.push(`PodDisruptionBudget/${p.metadata.name}: its selector matches no Deployment`);
    }
  }
  const targets = new Map();
  for (const a of [...of("HorizontalPodAutoscaler"), ...of("ScaledObject")]) {
    const t = a.spec.scaleTargetRef;
    const name = t?.name;
    if (!deployments.some((d) => d.metadata.name === name)) {
      errors.push(`${a.kind}/${a.metadata.name}: scaleTargetRef names no Deployment of the chart`);
    }
    if (targets.has(name)) {
      errors.push(`${a.kind}/${a.metadata.name} and ${targets.get(name)} both scale Deployment/${name}`);
    }
    targets.set(name, `${a.kind}/${a.metadata.name}`);
    const d = deployments.find((x) => x.metadata.name === name);
    if (d && d.spec.replicas !== undefined) {
      errors.push(`Deployment/${name}: must not set replicas while ${a.kind}/${a.metadata.name} scales it`);
    }
  }
  for (const so of of("ScaledObject")) {
    const d = deployments.find((x) => x.metadata.name === so.spec.scaleTargetRef.name);
    const envList = d?.spec.template.spec.containers[0].env || [];
    const env = new Set(envList.map((e) => e.name));
    const onCluster = /^redis\+cluster:\/\//.test(envList.find((e) => e.name === "OMNIROUTE_REDIS_URL")?.value ?? "");
    for (const t of so.spec.triggers) {
      if (t.type !== "redis-streams" && t.type !== "redis-cluster-streams") continue;
      // A Redis Cluster answers a plain client with MOVED for most slots.
      if (onCluster !== (t.type === "redis-cluster-streams")) {
        errors.push(`ScaledObject/${so.metadata.name}: a ${t.type} trigger on ${onCluster ? "a Redis Cluster (use redis-cluster-streams)" : "a single Redis (use redis-streams)"}`);
      }
      for (const k of ["addressFromEnv", "addressesFromEnv", "passwordFromEnv", "usernameFromEnv"]) {
        if (t.metadata[k] && !env.has(t.metadata[k])) {
          errors.push(`ScaledObject/${so.metadata.name}: ${k} ${t.metadata[k]} is not set on the target container`);
        }
      }
      const m = t.metadata;
      if (!m.address && !m.addressFromEnv && !m.addresses && !m.addressesFromEnv) errors.push(`ScaledObject/${so.metadata.name}: no Redis address`);
      if (!/^\{t:[A-Za-z0-9_-]{1,64}\}:s:(intake|classified)$/.test(t.metadata.stream)) {
        errors.push(`ScaledObject/${so.metadata.name}: stream ${t.metadata.stream} is not a tenant stream`);
      }
      if (!t.metadata.lagCount) errors.push(`ScaledObject/${so.metadata.name}: redis-streams trigger without lagCount`);
    }
  }
  return errors;
}

