#!/usr/bin/env python3
"""Writes the servers' copy of omniroute's .proto files: the fields listed in FIELDS_FILE become
`bytes` (map values included); everything else is copied unchanged, so the wire format is the
same. Fails, naming it, when a listed field is not found or is not a `string`.

usage: server_copy.py [--subset] FIELDS_FILE SRC_DIR OUT_DIR PROTO...
--subset: PROTO is not every file, so listed fields may be elsewhere.
"""
import os
import re
import sys

MESSAGE = re.compile(r"\s*message (\w+)\s*\{")
BLOCK = re.compile(r"\s*(enum|oneof|service)\s+\w+\s*\{")
PACKAGE = re.compile(r"\s*package ([\w.]+);")
SCALAR = re.compile(r"(\s*(?:repeated )?)string(\s+(\w+)\s*=\s*\d+.*)")
MAP = re.compile(r"(\s*map<string,\s*)string(>\s+(\w+)\s*=\s*\d+.*)")


def rewrite(text, wanted, found):
    package, stack, out = "", [], []
    for line in text.split("\n"):
        code = line.split("//", 1)[0]
        m = PACKAGE.match(code)
        if m:
            package = m.group(1)
        m = MESSAGE.match(code)
        if m:
            stack.append(m.group(1))
        elif BLOCK.match(code):
            stack.append(None)
        else:
            for pattern in (SCALAR, MAP):
                f = pattern.match(line)
                if f:
                    name = ".".join([package] + [s for s in stack if s] + [f.group(3)])
                    if name in wanted:
                        line = f.group(1) + "bytes" + f.group(2)
                        found.add(name)
                    break
        for _ in range(code.count("}")):  # "message X {}" opens and closes on one line
            if stack:
                stack.pop()
        out.append(line)
    return "\n".join(out)


def main(argv):
    subset = len(argv) > 1 and argv[1] == "--subset"
    if subset:
        argv = argv[1:]
    if len(argv) < 5:
        sys.exit(__doc__)
    fields_file, src, dst, protos = argv[1], argv[2], argv[3], argv[4:]
    with open(fields_file, encoding="utf-8") as f:
        wanted = {l.strip() for l in f if l.strip() and not l.lstrip().startswith("#")}
    found = set()
    for proto in protos:
        with open(os.path.join(src, proto), encoding="utf-8") as f:
            text = rewrite(f.read(), wanted, found)
        path = os.path.join(dst, proto)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        old = None
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                old = f.read()
        if old != text:  # unchanged copies keep their time stamp: no needless protoc runs
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
    missing = sorted(wanted - found)
    if missing and not subset:
        sys.exit(f"{fields_file}: no string field named {', '.join(missing)}")


if __name__ == "__main__":
    main(sys.argv)
