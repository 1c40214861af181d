#!/usr/bin/env python3
"""Static checks of deploy/docker/Dockerfile (it cannot build the image; see README.md).

  1. Every FROM is debian:12 or debian:12-slim by tag (optionally pinned with @sha256:...): no
     other image, registry or build argument.
  2. A `build` stage FROM debian:12 and one runtime target per service (intake, classification,
     routing) FROM debian:12-slim.
  3. In every runtime target:
     - the last USER is a numeric, non-zero uid (with a gid), so Kubernetes' runAsNonRoot can
       verify it;
     - COPY --from names only the build stage; a COPY from the build context copies only the
       target's own deploy/docker/runtime-packages/<target>.txt; no ADD;
     - packages come only from that list: every `apt-get install` reads it through xargs with
       --no-install-recommends;
     - exactly the binary omniroute-<target>, omniroute-health and omniroute-ctl (API keys; the
       Helm chart's bootstrap Job runs it) are copied from the build stage (the binaries
       check-runtime-packages.sh checks);
     - HEALTHCHECK runs omniroute-health against the target's gRPC port;
     - EXPOSE lists the target's gRPC and metrics ports; ENTRYPOINT (exec form) is the binary.

Prints one line per problem (Dockerfile:line: target: problem) and exits 1 when there is any.
"""

import argparse
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
BASE_RE = re.compile(r"^debian:(12|12-slim)(@sha256:[0-9a-f]{64})?$")
# target -> (gRPC port, metrics port, health service name)
TARGETS = {
    "intake": (7101, 9101, "omniroute.v1.Intake"),
    "classification": (7102, 9102, "omniroute.v1.Classifier"),
    "routing": (7103, 9103, "omniroute.v1.Routing"),
    # No API of its own: the overall health service "" (omniroute-health's default).
    "webhooks": (7104, 9104, ""),
}


def instructions(text):
    """Yields (line number, KEYWORD, arguments) with continuation lines joined."""
    start, parts = None, []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not parts and (not line or line.startswith("#")):
            continue
        if parts and line.startswith("#"):  # comments inside a continued instruction
            continue
        if start is None:
            start = number
        if line.endswith("\\"):
            parts.append(line[:-1].strip())
            continue
        parts.append(line)
        joined = " ".join(p for p in parts if p)
        keyword, _, args = joined.partition(" ")
        yield start, keyword.upper(), args.strip()
        start, parts = None, []
    if parts:
        joined = " ".join(parts)
        keyword, _, args = joined.partition(" ")
        yield start, keyword.upper(), args.strip()


def split_flags(args):
    """('--from=build --chown=1 a b', ...) -> ({'from': 'build', ...}, ['a', 'b'])."""
    flags, rest = {}, []
    for word in args.split():
        if word.startswith("--") and not rest:
            name, _, value = word[2:].partition("=")
            flags[name.lower()] = value
        else:
            rest.append(word)
    return flags, rest


def exec_form(args):
    try:
        value = json.loads(args)
    except ValueError:
        return None
    return value if isinstance(value, list) and all(isinstance(v, str) for v in value) else None


def check(path):
    problems = []
    stages = []  # {"name", "base", "line", "body": [(line, keyword, args)]}
    with open(path, encoding="utf-8") as f:
        text = f.read()
    for line, keyword, args in instructions(text):
        if keyword == "FROM":
            words = args.split()
            words = [w for w in words if not w.startswith("--")]
            base = words[0] if words else ""
            name = words[2] if len(words) == 3 and words[1].lower() == "as" else ""
            if not BASE_RE.match(base):
                problems.append(f"{line}: FROM {base}: only debian:12 and debian:12-slim "
                                 "(by tag) are allowed")
            stages.append({"name": name, "base": base, "line": line, "body": []})
        elif not stages:
            if keyword != "ARG":
                problems.append(f"{line}: {keyword} before the first FROM")
        else:
            stages[-1]["body"].append((line, keyword, args))

    by_name = {s["name"]: s for s in stages if s["name"]}
    build = by_name.get("build")
    if build is None:
        problems.append("1: no stage named build")
    elif not build["base"].startswith("debian:12") or build["base"].startswith("debian:12-slim"):
        problems.append(f"{build['line']}: build stage must be FROM debian:12")
    for stage in stages:
        if stage["name"] != "build" and stage["name"] not in TARGETS:
            problems.append(f"{stage['line']}: stage '{stage['name']}' is neither build nor a "
                            f"service target ({', '.join(TARGETS)})")

    for target, (grpc_port, metrics_port, health_name) in TARGETS.items():
        stage = by_name.get(target)
        if stage is None:
            problems.append(f"1: {target}: no runtime target named {target}")
            continue
        problems.extend(f"{p[0]}: {target}: {p[1]}"
                        for p in check_runtime(stage, target, grpc_port, metrics_port,
                                               health_name))
    return problems


def check_runtime(stage, target, grpc_port, metrics_port, health_name):
    problems = []
    line0, body = stage["line"], stage["body"]
    binary = f"omniroute-{target}"
    package_list = f"deploy/docker/runtime-packages/{target}.txt"
    if not stage["base"].startswith("debian:12-slim"):
        problems.append((line0, "runtime targets must be FROM debian:12-slim"))

    users = [(line, args) for line, keyword, args in body if keyword == "USER"]
    if not users:
        problems.append((line0, "no USER: the image would run as root"))
    else:
        line, user = users[-1]
        uid, _, gid = user.partition(":")
        if not uid.isdigit() or int(uid) == 0 or not gid.isdigit() or int(gid) == 0:
            problems.append((line, f"USER {user}: must be a numeric non-root uid:gid"))

    copied = set()
    list_copied_to = None
    for line, keyword, args in body:
        if keyword == "ADD":
            problems.append((line, "ADD is not allowed; COPY from the build stage"))
        if keyword != "COPY":
            continue
        flags, words = split_flags(args)
        sources = words[:-1]
        if "from" in flags:
            if flags["from"] != "build":
                problems.append((line, f"COPY --from={flags['from']}: only the build stage"))
            copied.update(os.path.basename(s) for s in sources)
        elif sources != [package_list]:
            problems.append((line, f"COPY {' '.join(sources)} from the build context: only "
                                   f"{package_list}"))
        else:
            list_copied_to = words[-1]
    shipped = (binary, "omniroute-health", "omniroute-ctl")
    for needed in shipped:
        if needed not in copied:
            problems.append((line0, f"{needed} is not copied from the build stage"))
    # check-runtime-packages.sh proves the package list for exactly these binaries.
    for extra in sorted(copied - set(shipped)):
        problems.append((line0, f"{extra} is copied from the build stage, but only "
                                f"{', '.join(shipped)} are covered by the runtime package check"))

    installs = [(line, args) for line, keyword, args in body
                if keyword == "RUN" and "apt-get install" in args]
    if not installs:
        problems.append((line0, f"no RUN installs {package_list}"))
    if list_copied_to is None:
        problems.append((line0, f"{package_list} is not copied into the image"))
    for line, args in installs:
        for command in re.split(r"&&|;|\|\|", args):
            if "apt-get install" not in command:
                continue
            feed, _, consumer = command.rpartition("|")
            if (list_copied_to is None or list_copied_to not in feed.split()
                    or not re.match(r"\s*xargs\s+apt-get install\b", consumer)):
                problems.append((line, f"apt-get install must read only {package_list} "
                                       "(... list | xargs apt-get install)"))
            if "--no-install-recommends" not in command:
                problems.append((line, "apt-get install without --no-install-recommends"))

    checks = [(line, args) for line, keyword, args in body if keyword == "HEALTHCHECK"]
    if not checks:
        problems.append((line0, "no HEALTHCHECK"))
    else:
        line, args = checks[-1]
        if not re.search(rf"omniroute-health\b.*--addr[= ]\"?127\.0\.0\.1:{grpc_port}\b", args):
            problems.append((line, f"HEALTHCHECK must run omniroute-health "
                                   f"--addr=127.0.0.1:{grpc_port}"))
        elif health_name not in args:
            problems.append((line, f"HEALTHCHECK should check --service={health_name}"))

    exposed = set()
    for _, keyword, args in body:
        if keyword == "EXPOSE":
            exposed.update(p.split("/")[0] for p in args.split())
    for port in (grpc_port, metrics_port):
        if str(port) not in exposed:
            problems.append((line0, f"port {port} is not EXPOSEd"))

    entry = [(line, args) for line, keyword, args in body if keyword == "ENTRYPOINT"]
    if not entry:
        problems.append((line0, "no ENTRYPOINT"))
    else:
        line, args = entry[-1]
        argv = exec_form(args)
        if not argv or os.path.basename(argv[0]) != binary:
            problems.append((line, f"ENTRYPOINT must be the exec form [\".../{binary}\"]"))
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dockerfile", nargs="?", default=os.path.join(HERE, "Dockerfile"))
    options = parser.parse_args()
    problems = check(options.dockerfile)
    for p in problems:
        print(f"{options.dockerfile}:{p}")
    if problems:
        return 1
    print(f"{options.dockerfile}: FROM, USER, COPY, packages, HEALTHCHECK, EXPOSE and "
          "ENTRYPOINT of every target look right")
    return 0


if __name__ == "__main__":
    sys.exit(main())
