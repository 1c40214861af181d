#!/usr/bin/env python3
"""Self-test of deploy/check-observability.py on the fixtures next to this file: the checker
fails, naming the dashboard, panel and expression, on broken input, and passes on good input.

Run: python3 deploy/tests/check_observability_test.py [-v]
"""

import os
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
CHECKER = os.path.join(os.path.dirname(HERE), "check-observability.py")
FIX = os.path.join(HERE, "fixtures")


def run(*args):
    r = subprocess.run([sys.executable, CHECKER, *args], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    return r.returncode, r.stdout


def fixture(name):
    return os.path.join(FIX, name)


class CheckerTest(unittest.TestCase):
    def test_good_dashboard_and_rules_pass(self):
        rc, out = run("--dashboards", fixture("good-dashboard.json"), "--rules",
                      fixture("rules.yml"))
        self.assertEqual(rc, 0, out)
        self.assertIn(": 0 problem(s)", out)

    def test_broken_dashboard_fails_naming_panel_and_expression(self):
        rc, out = run("--dashboards", fixture("broken-dashboard.json"), "--rules",
                      fixture("rules.yml"))
        self.assertEqual(rc, 1, out)
        # The broken expression sits in a collapsed row's nested panel.
        self.assertIn("dashboard broken-dashboard panel 'Nested broken panel': could not parse "
                      "expression", out)
        self.assertIn("expression: sum by (tenant) (rate(omniroute_fixture_total"
                      "[$__rate_interval])\n", out)
        self.assertIn("dashboard broken-dashboard panel 'Hard-coded datasource': datasource "
                      '{"type": "prometheus", "uid": "P1809F7CD0C75ACF3"}', out)
        self.assertIn("dashboard broken-dashboard panel 'Unknown recording rule': recording "
                      "rule omniroute:nope:ratio is not defined", out)
        self.assertNotIn("panel 'Fine'", out)
        self.assertIn(": 4 problem(s)", out)

    def test_broken_rules_fail(self):
        rc, out = run("--dashboards", fixture("good-dashboard.json"), "--rules",
                      fixture("broken-rules.yml"))
        self.assertEqual(rc, 1, out)
        self.assertIn("promtool check rules failed", out)
        self.assertIn("unclosed left parenthesis", out)

    def test_metric_missing_from_scrapes_is_reported_with_its_users(self):
        rc, out = run("--dashboards", fixture("good-dashboard.json"), "--rules",
                      fixture("rules.yml"), "--metrics", fixture("metrics.prom"))
        self.assertEqual(rc, 1, out)
        self.assertIn("metric omniroute_fixture_depth is not exported; used by: rules rules.yml "
                      "group 'fixture' alert FixtureDeep; dashboard good-dashboard variable "
                      "$tenant", out)
        # A histogram's _bucket series are exported when the base is a histogram.
        self.assertNotIn("omniroute_fixture_wait_seconds", out)
        self.assertIn(": 1 problem(s)", out)

    def test_every_name_exported_across_files_passes(self):
        rc, out = run("--dashboards", fixture("good-dashboard.json"), "--rules",
                      fixture("rules.yml"), "--metrics", fixture("metrics.prom"),
                      fixture("metrics-depth.prom"))
        self.assertEqual(rc, 0, out)

    def test_missing_histogram_is_reported_once_by_its_base_name(self):
        rc, out = run("--dashboards", fixture("good-dashboard.json"), "--rules",
                      fixture("rules.yml"), "--metrics", fixture("metrics-depth.prom"))
        self.assertEqual(rc, 1, out)
        self.assertIn("metric omniroute_fixture_wait_seconds is not exported; used by: "
                      "dashboard good-dashboard panel 'Wait p90'", out)
        self.assertNotIn("omniroute_fixture_wait_seconds_bucket", out)
        self.assertIn("metric omniroute_fixture_total is not exported", out)
        self.assertIn(": 2 problem(s)", out)

    def test_duplicate_uid_fails(self):
        rc, out = run("--dashboards", fixture("good-dashboard.json"),
                      fixture("good-dashboard.json"), "--rules", fixture("rules.yml"))
        self.assertEqual(rc, 1, out)
        self.assertIn("uid 'good-dashboard' also used by good-dashboard.json", out)


if __name__ == "__main__":
    unittest.main()
