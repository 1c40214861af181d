#!/usr/bin/env python3
"""Unit tests of services/common/redis/lua_bundle.py (the build-time include resolver)."""

import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..', '..', 'services', 'common',
                                'redis'))
import lua_bundle  # noqa: E402


class BundleTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)

    def write(self, name, text):
        with open(os.path.join(self.dir.name, name + '.lua'), 'w', encoding='utf-8') as f:
            f.write(text)

    def bundle(self, text):
        return lua_bundle.Resolver(self.dir.name).bundle('svc/script', text)

    def test_includes_come_once_in_dependency_order(self):
        self.write('keys', 'local K = {}\n')
        self.write('events', '--- @include "keys"\nlocal function emit() end\n')
        self.write('offer', '--- @include "keys"\n--- @include "events"\nlocal function offer() end\n')
        text, order = self.bundle('--- @include "offer"\n--- @include "keys"\nreturn offer()\n')
        self.assertEqual(order, ['keys', 'events', 'offer'])
        self.assertEqual(text.count('local K = {}'), 1)
        self.assertLess(text.index('local K'), text.index('local function emit'))
        self.assertLess(text.index('local function emit'), text.index('local function offer'))
        self.assertTrue(text.rstrip().endswith('return offer()'))
        self.assertNotIn('@include', text)

    def test_a_cycle_is_an_error_that_names_it(self):
        self.write('a', '--- @include "b"\n')
        self.write('b', '--- @include "c"\n')
        self.write('c', '--- @include "a"\n')
        with self.assertRaisesRegex(lua_bundle.BundleError, r'include cycle: a -> b -> c -> a'):
            self.bundle('--- @include "a"\n')

    def test_an_unknown_include_is_an_error_that_names_who_included_it(self):
        self.write('a', '--- @include "nope"\n')
        with self.assertRaisesRegex(lua_bundle.BundleError, r'unknown include "nope".*svc/script -> a'):
            self.bundle('--- @include "a"\n')

    def test_a_malformed_include_line_is_an_error(self):
        with self.assertRaisesRegex(lua_bundle.BundleError, r'malformed include line'):
            self.bundle("--- @include 'single_quotes'\n")

    def test_the_library_holds_each_include_once_and_each_script_as_a_versioned_function(self):
        self.write('keys', 'local K = {}\n')
        self.write('emit', '--- @include "keys"\nlocal function emit() end\n')
        lib, version = lua_bundle.library(lua_bundle.Resolver(self.dir.name), [
            ('routing/accept', '--- @include "emit"\nreturn emit()\n'),
            ('intake/submit', '--- @include "keys"\n--- @include "emit"\nreturn 2\n')])
        self.assertRegex(version, r'^[0-9a-f]{12}$')
        self.assertTrue(lib.startswith(f'#!lua name=omniroute_{version}\n'))
        self.assertEqual(lib.count('local K = {}'), 1)
        self.assertEqual(lib.count('local function emit'), 1)
        self.assertLess(lib.index('local K'), lib.index('local function emit'))
        self.assertIn(f"redis.register_function('routing_accept_{version}', "
                      'function(KEYS, ARGV)\nreturn emit()\nend)', lib)
        self.assertIn(f"redis.register_function('intake_submit_{version}', "
                      'function(KEYS, ARGV)\nreturn 2\nend)', lib)
        self.assertNotIn('@include', lib)
        # Another body is another version: two versions of the services can share a Redis.
        _, other = lua_bundle.library(lua_bundle.Resolver(self.dir.name), [
            ('routing/accept', '--- @include "emit"\nreturn emit(1)\n')])
        self.assertNotEqual(version, other)

    def test_the_generated_source_embeds_the_library(self):
        self.write('keys', 'local K = {}\n')
        script = os.path.join(self.dir.name, 'accept_script.lua')
        with open(script, 'w', encoding='utf-8') as f:
            f.write('--- @include "keys"\nreturn 1\n')
        out = os.path.join(self.dir.name, 'out.cc')
        rc = lua_bundle.main(['--includes', self.dir.name, '--out', out, 'routing/accept=' + script])
        self.assertEqual(rc, 0)
        with open(out, encoding='utf-8') as f:
            cc = f.read()
        self.assertIn('R"OMNILUA(#!lua name=omniroute_', cc)
        self.assertIn('local K = {}', cc)
        self.assertIn('{"routing/accept"}', cc)


if __name__ == '__main__':
    unittest.main()
