#!/usr/bin/env python3
"""Offline checks of omniroute's Prometheus rules and Grafana dashboards.

  1. `promtool check rules` on the rules files.
  2. Every PromQL expression of every dashboard (panel targets, nested rows' panels, query
     variables, annotations), with Grafana variables replaced by valid values, is written into a
     temporary rules file and parsed by `promtool check rules`, i.e. by Prometheus' own parser.
  3. Recording-rule names (with colons) used anywhere are defined in the rules files; with
     --metrics, every omniroute_* metric name used by a dashboard or rule is in one of the given
     Prometheus text exposition files (scraped from running services).
  4. Dashboard hygiene: unique stable uids, a `datasource` variable of type datasource, every
     panel, target and query variable on ${datasource}.

Prints one line per problem and exits 1 when there is any (0 otherwise).
Needs python3 with PyYAML and promtool (on PATH, or --promtool).
"""

import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DASHBOARDS = os.path.join(HERE, "grafana", "dashboards")
DEFAULT_RULES = os.path.join(HERE, "prometheus", "rules")
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
UID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
MIN_SCHEMA_VERSION = 36

# Grafana's built-in variables and the values they stand for when parsing.
BUILTIN_DURATIONS = {"__rate_interval": "5m", "__interval": "1m", "__range": "1h"}
BUILTIN_NUMBERS = {"__interval_ms": "60000", "__range_s": "3600", "__range_ms": "3600000",
                   "__from": "0", "__to": "0"}
# $name, ${name}, ${name:format}, [[name]], [[name:format]]
VAR_RE = re.compile(r"\$\{(\w+)(?::[^}]*)?\}|\$(\w+)|\[\[(\w+)(?::[^\]]*)?\]\]")
METRIC_RE = re.compile(r"(?<![A-Za-z0-9_:])omniroute_[a-zA-Z0-9_]*")
RECORDED_RE = re.compile(r"(?<![A-Za-z0-9_:.])[a-zA-Z_][a-zA-Z0-9_]*:[a-zA-Z0-9_:]*")
STRING_RE = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')
LABEL_VALUES_RE = re.compile(r"^\s*label_values\(\s*(.*?)\s*\)\s*$", re.S)
QUERY_RESULT_RE = re.compile(r"^\s*query_result\(\s*(.*)\s*\)\s*$", re.S)
OTHER_FUNCTION_RE = re.compile(r"^\s*(label_names|metrics)\(.*\)\s*$", re.S)


class Expr:
    """A PromQL expression and where it is used."""

    def __init__(self, text, where, substituted=None):
        self.text = text
        self.where = where
        self.substituted = substituted if substituted is not None else text


def strip_strings(expr):
    return STRING_RE.sub('""', expr)


# ---- rules -------------------------------------------------------------------------------


def rule_files(paths):
    out = []
    for p in paths:
        if os.path.isdir(p):
            out += sorted(glob.glob(os.path.join(p, "*.yml")) + glob.glob(os.path.join(p, "*.yaml")))
        else:
            out.append(p)
    return out


def load_rules(files, problems):
    """Returns (expressions of every rule, names defined by recording rules)."""
    exprs, recorded = [], set()
    for f in files:
        try:
            with open(f) as fh:
                doc = yaml.safe_load(fh) or {}
        except (OSError, yaml.YAMLError) as e:
            problems.append(f"{f}: cannot read: {e}")
            continue
        for group in doc.get("groups") or []:
            for rule in group.get("rules") or []:
                name = rule.get("record") or rule.get("alert") or "?"
                kind = "record" if "record" in rule else "alert"
                if "record" in rule:
                    recorded.add(rule["record"])
                exprs.append(Expr(str(rule.get("expr", "")),
                                  f"rules {os.path.basename(f)} group {group.get('name')!r} "
                                  f"{kind} {name}"))
    return exprs, recorded


def run_promtool(promtool, files):
    r = subprocess.run([promtool, "check", "rules", *files], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    return r.returncode, r.stdout


# ---- dashboards --------------------------------------------------------------------------


def dashboard_files(paths):
    out = []
    for p in paths:
        out += sorted(glob.glob(os.path.join(p, "*.json"))) if os.path.isdir(p) else [p]
    return out


def walk_panels(panels):
    """Every panel, including those nested in (collapsed) rows."""
    for p in panels or []:
        yield p
        yield from walk_panels(p.get("panels"))


def substitute(expr, variables, name, problems):
    """Replaces Grafana variables with values Prometheus accepts in their position."""

    def repl(m):
        var = m.group(1) or m.group(2) or m.group(3)
        if var in BUILTIN_DURATIONS:
            return BUILTIN_DURATIONS[var]
        if var in BUILTIN_NUMBERS:
            return BUILTIN_NUMBERS[var]
        if var not in variables:
            problems.append(f"{name}: undefined variable ${var} in: {expr}")
            return "undefined"
        kind = variables[var]
        if kind == "interval":
            return "5m"
        if kind == "datasource":
            return "prometheus"
        return "value"

    return VAR_RE.sub(repl, expr)


def check_datasource(ds, where, problems):
    if ds != DATASOURCE and ds != "${datasource}" and ds != "$datasource":
        problems.append(f"{where}: datasource {json.dumps(ds)} is not "
                        f"{json.dumps(DATASOURCE)}")


def load_dashboard(path, problems, uids):
    """Checks one dashboard's hygiene; returns its PromQL expressions."""
    try:
        with open(path) as fh:
            d = json.load(fh)
    except (OSError, ValueError) as e:
        problems.append(f"{path}: cannot read dashboard JSON: {e}")
        return []
    base = os.path.basename(path)
    uid = d.get("uid")
    if not isinstance(uid, str) or not UID_RE.match(uid):
        problems.append(f"dashboard {base}: uid {uid!r} is not a stable uid "
                        f"(lower-case letters, digits and '-', at most 40)")
    else:
        if uid in uids:
            problems.append(f"dashboard {base}: uid {uid!r} also used by {uids[uid]}")
        uids[uid] = base
        if os.path.splitext(base)[0] != uid:
            problems.append(f"dashboard {base}: uid {uid!r} differs from the file name")
    name = f"dashboard {uid or base}"
    if not isinstance(d.get("schemaVersion"), int) or d["schemaVersion"] < MIN_SCHEMA_VERSION:
        problems.append(f"{name}: schemaVersion {d.get('schemaVersion')!r} is below "
                        f"{MIN_SCHEMA_VERSION}")

    templating = (d.get("templating") or {}).get("list") or []
    variables = {v.get("name"): v.get("type") for v in templating}
    ds_vars = [v for v in templating if v.get("name") == "datasource"]
    if not ds_vars or ds_vars[0].get("type") != "datasource" or \
            ds_vars[0].get("query") != "prometheus":
        problems.append(f"{name}: no template variable 'datasource' of type datasource with "
                        f"query 'prometheus'")

    exprs = []

    def add(text, where):
        exprs.append(Expr(text, where, substitute(text, variables, where, problems)))

    for v in templating:
        if v.get("type") != "query":
            continue
        where = f"{name} variable ${v.get('name')}"
        check_datasource(v.get("datasource"), where, problems)
        # `query` is what Grafana runs (a string, or an object in newer schemas); `definition`
        # only its display text.
        q = v.get("query")
        if isinstance(q, dict):
            q = q.get("query")
        q = q or v.get("definition")
        if not isinstance(q, str) or not q.strip():
            problems.append(f"{where}: no query")
            continue
        m = LABEL_VALUES_RE.match(q)
        if m:
            # Grafana syntax: label_values(label) or label_values(selector, label). The
            # selector alone is PromQL; the whole call is not.
            args = m.group(1)
            sel, _, label = args.rpartition(",")
            if not re.fullmatch(r"\s*[a-zA-Z_][a-zA-Z0-9_]*\s*", label):
                problems.append(f"{where}: label_values needs a label name last: {q}")
            if sel.strip():
                add(sel.strip(), where)
            continue
        m = QUERY_RESULT_RE.match(q)
        if m:
            add(m.group(1), where)
            continue
        if OTHER_FUNCTION_RE.match(q):
            continue
        add(q, where)

    for a in (d.get("annotations") or {}).get("list") or []:
        if a.get("expr"):
            where = f"{name} annotation {a.get('name')!r}"
            check_datasource(a.get("datasource"), where, problems)
            add(a["expr"], where)

    ids = set()
    for p in walk_panels(d.get("panels")):
        title = p.get("title", "")
        where = f"{name} panel {title!r}"
        pid = p.get("id")
        if pid in ids:
            problems.append(f"{where}: panel id {pid} used twice")
        ids.add(pid)
        if p.get("type") == "row":
            if p.get("datasource") is not None:
                check_datasource(p.get("datasource"), where, problems)
            continue
        targets = p.get("targets") or []
        if targets or "datasource" in p:
            check_datasource(p.get("datasource"), where, problems)
        for t in targets:
            if "datasource" in t:
                check_datasource(t["datasource"], f"{where} target {t.get('refId')}", problems)
            if t.get("expr"):
                add(t["expr"], where)
            elif not t.get("hide"):
                problems.append(f"{where}: target {t.get('refId')} has no expr")
    return exprs


def parse_with_promtool(promtool, exprs, problems):
    """Parses every expression with Prometheus' parser through `promtool check rules`."""
    if not exprs:
        return
    doc = {"groups": [{"name": "dashboards", "rules": [
        {"record": f"check:e{i}", "expr": e.substituted} for i, e in enumerate(exprs)]}]}
    with tempfile.TemporaryDirectory(prefix="check-observability-") as tmp:
        path = os.path.join(tmp, "dashboard-expressions.yml")
        with open(path, "w") as fh:
            yaml.safe_dump(doc, fh, width=1000)
        rc, out = run_promtool(promtool, [path])
    if rc == 0:
        return
    found = False
    for line in out.splitlines():
        m = re.search(r'"check:e(\d+)": (.*)$', line)
        if m:
            found = True
            e = exprs[int(m.group(1))]
            problems.append(f"{e.where}: {m.group(2)}\n    expression: {e.text}")
    if not found:
        problems.append(f"promtool check rules failed on the dashboard expressions:\n{out}")


# ---- metric names ------------------------------------------------------------------------


def load_exposition(files, problems):
    """Returns (sample names, histogram/summary base names) of text exposition files."""
    names, typed = set(), {}
    for f in files:
        try:
            with open(f) as fh:
                lines = fh.read().splitlines()
        except OSError as e:
            problems.append(f"{f}: cannot read: {e}")
            continue
        for line in lines:
            line = line.strip()
            if line.startswith("# TYPE "):
                parts = line.split()
                if len(parts) >= 4:
                    typed[parts[2]] = parts[3]
            elif line and not line.startswith("#"):
                m = re.match(r"[a-zA-Z_:][a-zA-Z0-9_:]*", line)
                if m:
                    names.add(m.group(0))
    return names, typed


def exported(name, names, typed):
    if name in names:
        return True
    for suffix, kinds in (("_bucket", ("histogram",)), ("_sum", ("histogram", "summary")),
                          ("_count", ("histogram", "summary"))):
        if name.endswith(suffix) and typed.get(name[: -len(suffix)]) in kinds:
            return True
    return False


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dashboards", nargs="+", default=[DEFAULT_DASHBOARDS],
                    help="dashboard JSON files or directories (default: %(default)s)")
    ap.add_argument("--rules", nargs="+", default=[DEFAULT_RULES],
                    help="rules files or directories (default: %(default)s)")
    ap.add_argument("--metrics", nargs="+", default=[],
                    help="Prometheus text exposition files: check every used name is exported")
    ap.add_argument("--promtool", default=shutil.which("promtool") or "/usr/bin/promtool")
    args = ap.parse_args()

    problems = []
    if not os.access(args.promtool, os.X_OK):
        print(f"promtool not found at {args.promtool}")
        return 1

    # 1. Rules.
    rules = rule_files(args.rules)
    if not rules:
        problems.append(f"no rules files in {' '.join(args.rules)}")
    else:
        rc, out = run_promtool(args.promtool, rules)
        if rc != 0:
            problems.append(f"promtool check rules failed:\n{out.strip()}")
    rule_exprs, recorded = load_rules(rules, problems)

    # 2 and 4. Dashboards.
    dashboards = dashboard_files(args.dashboards)
    if not dashboards:
        problems.append(f"no dashboards in {' '.join(args.dashboards)}")
    uids, dash_exprs = {}, []
    for f in dashboards:
        dash_exprs += load_dashboard(f, problems, uids)
    parse_with_promtool(args.promtool, dash_exprs, problems)

    # 3. Names.
    used = {}  # name -> places
    for e in rule_exprs + dash_exprs:
        text = strip_strings(e.substituted)
        for n in RECORDED_RE.findall(text):
            if n not in recorded:
                problems.append(f"{e.where}: recording rule {n} is not defined in the rules "
                                f"files")
        for n in METRIC_RE.findall(text):
            used.setdefault(n, [])
            if e.where not in used[n]:
                used[n].append(e.where)
    if args.metrics:
        names, typed = load_exposition(args.metrics, problems)
        # Missing series of one histogram (_bucket, _sum, _count) are reported once, by base.
        missing = {}
        for n in sorted(used):
            if exported(n, names, typed):
                continue
            base = re.sub(r"_(bucket|sum|count)$", "", n)
            key = base if base != n and base not in names else n
            places = missing.setdefault(key, [])
            places += [w for w in used[n] if w not in places]
        for n, places in sorted(missing.items()):
            more = f" (and {len(places) - 3} more)" if len(places) > 3 else ""
            problems.append(f"metric {n} is not exported; used by: "
                            f"{'; '.join(places[:3])}{more}")

    for p in problems:
        print(f"ERROR: {p}")
    print(f"checked {len(rules)} rules files ({len(rule_exprs)} rules), {len(dashboards)} "
          f"dashboards ({len(dash_exprs)} expressions), {len(used)} metric names"
          f"{' against ' + str(len(args.metrics)) + ' exposition files' if args.metrics else ''}"
          f": {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
