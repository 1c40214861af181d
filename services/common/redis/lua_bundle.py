#!/usr/bin/env python3
"""Resolves the `--- @include "name"` lines of omniroute's Lua scripts at build time.

Each transition script names the shared include files it uses, one per line:

    --- @include "offer"

An include is `<include dir>/<name>.lua` and may name includes of its own. A script's bundle is
every include it reaches, each once (de-duplicated), in dependency order (an include comes after
everything it names), then the script itself. A cycle or an unknown name is an error that names
the chain. This is the model of BullMQ's src/commands/includes/ and its loader.

The services run the scripts as one Redis Functions library (FUNCTION LOAD, FCALL): every
include the scripts reach, once, then each script's body registered as a function. The
library's top level (every helper's definition) then runs once when it is loaded, not on every
call as it would in an EVAL script. Its name and every function's carry a version (a digest of
the code), so replicas of two versions can share a Redis during a rolling upgrade.

  lua_bundle.py --includes DIR --out FILE.cc name=path [name=path ...]
      writes the C++ source that embeds the library (EmbeddedLuaLibrary())
  lua_bundle.py --includes DIR --print name=path
      prints one script's bundle (what the script reaches; checked by tests/unit/lua)
  lua_bundle.py --includes DIR --print-library name=path [name=path ...]
      prints the library
"""

import hashlib
import argparse
import os
import re
import sys

INCLUDE_RE = re.compile(r'^--- @include "([a-z0-9_]+)"\s*$')
INCLUDE_LIKE_RE = re.compile(r'^---\s*@include\b')


class BundleError(Exception):
    pass


def split_includes(text, where):
    """Returns (names included, the text without its include lines)."""
    names, body = [], []
    for number, line in enumerate(text.splitlines(keepends=True), 1):
        m = INCLUDE_RE.match(line.rstrip('\n'))
        if m:
            names.append(m.group(1))
        elif INCLUDE_LIKE_RE.match(line):
            raise BundleError(f'{where}:{number}: malformed include line: {line.strip()}')
        else:
            body.append(line)
    return names, ''.join(body)


class Resolver:
    def __init__(self, include_dir):
        self.include_dir = include_dir
        self.parsed = {}  # name -> (includes, body)

    def parse(self, name, chain):
        if name not in self.parsed:
            path = os.path.join(self.include_dir, name + '.lua')
            if not os.path.isfile(path):
                raise BundleError(f'unknown include "{name}" (no {path}), included by '
                                  + ' -> '.join(chain))
            with open(path, encoding='utf-8') as f:
                self.parsed[name] = split_includes(f.read(), path)
        return self.parsed[name]

    def bundle(self, script_name, script_text):
        names, body = split_includes(script_text, script_name)
        order, done = [], set()

        def visit(name, chain):
            if name in done:
                return
            if name in chain:
                cycle = chain[chain.index(name):] + [name]
                raise BundleError('include cycle: ' + ' -> '.join(cycle))
            includes, _ = self.parse(name, chain + [name])
            for sub in includes:
                visit(sub, chain + [name])
            done.add(name)
            order.append(name)

        for name in names:
            visit(name, [script_name])
        parts = []
        for name in order:
            parts.append(f'-- include {name}.lua\n')
            parts.append(self.parsed[name][1])
        parts.append(f'-- {script_name}.lua\n')
        parts.append(body)
        return ''.join(parts), order


def function_name(script_name, version):
    """The Redis function of a script: "routing/accept" -> "routing_accept_<version>"."""
    return script_name.replace('/', '_') + '_' + version


def library(resolver, scripts):
    """(code, version) of the Functions library of [(name, text), ...]."""
    order, bodies = [], []
    for name, text in scripts:
        _, reached = resolver.bundle(name, text)
        for inc in reached:
            if inc not in order:
                order.append(inc)
        bodies.append((name, split_includes(text, name)[1]))
    parts = []
    for inc in order:
        parts.append(f'-- include {inc}.lua\n')
        parts.append(resolver.parsed[inc][1])
    for name, body in bodies:
        parts.append(f'-- {name}.lua\nredis.register_function(\'{name}@\', function(KEYS, ARGV)\n')
        parts.append(body)
        parts.append('end)\n')
    code = ''.join(parts)
    version = hashlib.sha1(code.encode('utf-8')).hexdigest()[:12]
    for name, _ in bodies:
        code = code.replace(f"redis.register_function('{name}@'",
                            f"redis.register_function('{function_name(name, version)}'")
    return f'#!lua name=omniroute_{version}\n' + code, version


def cpp_literal(text):
    delimiter = 'OMNILUA'
    if ')' + delimiter + '"' in text:
        raise BundleError('a script contains the raw-string delimiter')
    return f'R"{delimiter}({text}){delimiter}"'


def parse_pairs(pairs):
    out = []
    for pair in pairs:
        name, sep, path = pair.partition('=')
        if not sep:
            raise BundleError(f'expected name=path, got {pair}')
        out.append((name, path))
    return out


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--includes', required=True, help='directory of the include files')
    parser.add_argument('--out', help='C++ file to write')
    parser.add_argument('--print', action='store_true', help='print the bundle of each script')
    parser.add_argument('--print-library', action='store_true', help='print the library')
    parser.add_argument('scripts', nargs='+', help='name=path of each script')
    args = parser.parse_args(argv)
    resolver = Resolver(args.includes)
    try:
        scripts = []
        for name, path in parse_pairs(args.scripts):
            with open(path, encoding='utf-8') as f:
                scripts.append((name, f.read()))
        if args.print:
            for name, text in scripts:
                sys.stdout.write(resolver.bundle(name, text)[0])
            return 0
        code, version = library(resolver, scripts)
        if args.print_library:
            sys.stdout.write(code)
            return 0
        if not args.out:
            raise BundleError('give --out FILE, --print or --print-library')
        names = ', '.join(f'"{name}"' for name, _ in scripts)
        # MSVC-free, but GCC still limits one string literal's length: split the code in chunks.
        chunks = [code[i:i + 30000] for i in range(0, len(code), 30000)]
        literal = '\n      '.join(cpp_literal(chunk) for chunk in chunks)
        lines = ['// Generated by services/common/redis/lua_bundle.py; do not edit.',
                 '#include "services/common/redis/lua_library.h"',
                 'namespace omniroute::redis {',
                 'const LuaLibrary& EmbeddedLuaLibrary() {',
                 '  static const auto* library = new LuaLibrary{',
                 f'      "{version}",',
                 f'      {literal},',
                 f'      {{{names}}}}};',
                 '  return *library;',
                 '}',
                 '}  // namespace omniroute::redis', '']
        content = '\n'.join(lines)
        old = None
        if os.path.exists(args.out):
            with open(args.out, encoding='utf-8') as f:
                old = f.read()
        if old != content:
            with open(args.out, 'w', encoding='utf-8') as f:
                f.write(content)
        return 0
    except (BundleError, OSError) as e:
        print(f'lua_bundle: {e}', file=sys.stderr)
        return 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
