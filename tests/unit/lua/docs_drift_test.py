#!/usr/bin/env python3
"""The documented event types and routing-decision triggers (routing.proto and the README) are
exactly what the Lua scripts can emit and record, so the lists cannot drift from the code.

Emitted event types: every `emit(c, '<type>', ...)` in the Lua sources. Decision triggers: the
context name (`new_context(..., '<trigger>')`) of every script whose bundle reaches the `offer`
include, and every literal trigger passed to `offer` (7th argument) or `match` (5th)."""

import glob
import os
import re
import sys
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
sys.path.insert(0, os.path.join(ROOT, 'services', 'common', 'redis'))
import lua_bundle  # noqa: E402


def read(path):
    with open(path, encoding='utf-8') as f:
        return f.read()


def lua_sources():
    return sorted(glob.glob(os.path.join(ROOT, 'services', '**', '*.lua'), recursive=True))


def call_args(text, start):
    """The top-level arguments of the call whose '(' is at text[start]."""
    args, depth, cur = [], 0, ''
    for ch in text[start:]:
        if ch in '({[':
            depth += 1
            if depth == 1:
                continue
        elif ch in ')}]':
            depth -= 1
            if depth == 0:
                args.append(cur.strip())
                return args
        if ch == ',' and depth == 1:
            args.append(cur.strip())
            cur = ''
        else:
            cur += ch
    return args


def literal(arg):
    m = re.fullmatch(r"'([a-z_]+)'", arg or '')
    return m.group(1) if m else None


def emitted_types():
    types = set()
    for path in lua_sources():
        types.update(re.findall(r"\bemit\(c, '([a-z_]+)'", read(path)))
    return types


def decision_triggers():
    triggers = set()
    resolver = lua_bundle.Resolver(os.path.join(ROOT, 'services', 'common', 'lua', 'include'))
    for path in glob.glob(os.path.join(ROOT, 'services', '*', 'lua', '*.lua')):
        text = read(path)
        _, reached = resolver.bundle(os.path.basename(path), text)
        m = re.search(r"new_context\([^)]*'([a-z_]+)'\)", text)
        if m and 'offer' in reached:
            triggers.add(m.group(1))
    for path in lua_sources():
        text = read(path)
        for name, position in (('offer', 6), ('match', 4)):
            for m in re.finditer(r'(?<![\w.])%s\(' % name, text):
                if text[max(0, m.start() - 15):m.start()].endswith('local function '):
                    continue
                args = call_args(text, m.end() - 1)
                if len(args) > position and literal(args[position]):
                    triggers.add(literal(args[position]))
    return triggers


def proto_list(field):
    """The names after 'one of:' in the comment above `field` in routing.proto."""
    lines = read(os.path.join(ROOT, 'proto', 'omniroute', 'v1', 'routing.proto')).splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip() == field)
    comment = []
    for line in reversed(lines[:at]):
        if not line.strip().startswith('//'):
            break
        comment.insert(0, line.strip()[2:].strip())
    text = ' '.join(comment)
    m = re.search(r'one of: ([a-z_, ]+)\.', text)
    if not m:
        raise AssertionError(f'no "one of: ..." list above {field!r} in routing.proto')
    return set(x.strip() for x in m.group(1).split(','))


def readme_list(marker):
    """The backticked names of the README paragraph or bullet that starts at `marker`, up to
    its first sentence end."""
    text = read(os.path.join(ROOT, 'README.md'))
    at = text.find(marker)
    if at < 0:
        raise AssertionError(f'README has no {marker!r}')
    rest = text[at + len(marker):]
    end = re.search(r'[;.](\s|$)', rest)
    return set(re.findall(r'`([a-z_]+)`', rest[:end.start() if end else len(rest)]))


class DocsDriftTest(unittest.TestCase):
    def assert_same(self, documented, actual, where):
        self.assertEqual(sorted(documented - actual), [],
                         f'{where} lists what the scripts never produce')
        self.assertEqual(sorted(actual - documented), [],
                         f'the scripts produce what {where} does not list')

    def test_the_code_has_what_the_lists_check(self):
        self.assertIn('offered', emitted_types())
        self.assertIn('preferred_agent', decision_triggers())
        self.assertIn('enqueue', decision_triggers())
        self.assertNotIn('accept', decision_triggers())  # accept makes no offer

    def test_event_types_in_routing_proto(self):
        self.assert_same(proto_list('string type = 2;'), emitted_types(), 'routing.proto Event.type')

    def test_event_types_in_the_readme(self):
        self.assert_same(readme_list('Event types:'), emitted_types(), 'README "Event types"')

    def test_event_types_webhooks_accept(self):
        text = read(os.path.join(ROOT, 'services', 'webhooks', 'event_types.cc'))
        body = text[text.index('types = {'):text.index('};')]
        self.assert_same(set(re.findall(r'"([a-z_]+)"', body)), emitted_types(),
                         'services/webhooks/event_types.cc')

    def test_decision_triggers_in_routing_proto(self):
        self.assert_same(proto_list('string trigger = 11;'), decision_triggers(),
                         'routing.proto RoutingDecision.trigger')

    def test_decision_triggers_in_the_readme(self):
        self.assert_same(readme_list('* `trigger` — what ran the decision:'), decision_triggers(),
                         'README "trigger"')


if __name__ == '__main__':
    unittest.main()
