#!/usr/bin/env python3
"""CTest (label unit): deploy/docker/check-dockerfile.py passes the real Dockerfile and fails,
naming the problem, on copies of it with one thing broken."""

import os
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CHECK = os.path.join(ROOT, "deploy", "docker", "check-dockerfile.py")
DOCKERFILE = os.path.join(ROOT, "deploy", "docker", "Dockerfile")


def run(text):
    with tempfile.NamedTemporaryFile("w", suffix=".Dockerfile", delete=False) as f:
        f.write(text)
    try:
        result = subprocess.run([sys.executable, CHECK, f.name], capture_output=True, text=True,
                                check=False)
    finally:
        os.unlink(f.name)
    return result.returncode, result.stdout + result.stderr


class CheckDockerfileTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(DOCKERFILE, encoding="utf-8") as f:
            cls.text = f.read()

    def broken(self, old, new, expected, count=1):
        """Replaces `count` occurrences of `old` and expects exit 1 with `expected`."""
        self.assertIn(old, self.text, "the mutation no longer applies to the Dockerfile")
        code, out = run(self.text.replace(old, new, count))
        self.assertEqual(code, 1, out)
        self.assertIn(expected, out)

    def test_real_dockerfile_passes(self):
        code, out = run(self.text)
        self.assertEqual(code, 0, out)

    def test_other_base_image(self):
        self.broken("FROM debian:12-slim AS routing", "FROM ubuntu:22.04 AS routing",
                    "FROM ubuntu:22.04: only debian:12")

    def test_other_registry(self):
        self.broken("FROM debian:12 AS build", "FROM docker.io/library/debian:12 AS build",
                    "FROM docker.io/library/debian:12: only debian:12")

    def test_base_from_build_arg(self):
        self.broken("FROM debian:12-slim AS intake", "FROM debian:${TAG} AS intake",
                    "only debian:12 and debian:12-slim")

    def test_runtime_on_the_full_image(self):
        self.broken("FROM debian:12-slim AS classification", "FROM debian:12 AS classification",
                    "classification: runtime targets must be FROM debian:12-slim")

    def test_root_user(self):
        self.broken("USER 10001:10001", "USER root", "intake: USER root: must be a numeric")
        self.broken("USER 10001:10001", "USER 0:0", "intake: USER 0:0: must be a numeric")

    def test_user_by_name(self):
        self.broken("USER 10001:10001", "USER omniroute", "USER omniroute: must be a numeric")

    def test_no_user(self):
        code, out = run(self.text.replace("USER 10001:10001\n", "", 3))
        self.assertEqual(code, 1, out)
        for target in ("intake", "classification", "routing"):
            self.assertIn(f"{target}: no USER", out)

    def test_root_again_after_user(self):
        self.broken("EXPOSE 7103 9103", "USER 0\nEXPOSE 7103 9103", "routing: USER 0: must be")

    def test_no_healthcheck(self):
        start = self.text.index("HEALTHCHECK", self.text.index("AS routing"))
        end = self.text.index("ENTRYPOINT", start)
        code, out = run(self.text[:start] + self.text[end:])
        self.assertEqual(code, 1, out)
        self.assertIn("routing: no HEALTHCHECK", out)

    def test_healthcheck_on_the_wrong_port(self):
        self.broken('"--addr=127.0.0.1:7102"', '"--addr=127.0.0.1:7103"',
                    "classification: HEALTHCHECK must run omniroute-health")

    def test_copy_from_another_image(self):
        self.broken("COPY --from=build /build/bin/omniroute-routing",
                    "COPY --from=busybox:latest /bin/sh /bin/sh\n"
                    "COPY --from=build /build/bin/omniroute-routing",
                    "routing: COPY --from=busybox:latest: only the build stage")

    def test_copy_from_context(self):
        self.broken("USER 10001:10001", "COPY . /app\nUSER 10001:10001",
                    "intake: COPY . from the build context")

    def test_another_targets_list(self):
        self.broken("COPY deploy/docker/runtime-packages/routing.txt",
                    "COPY deploy/docker/runtime-packages/intake.txt",
                    "routing: COPY deploy/docker/runtime-packages/intake.txt")

    def test_add(self):
        self.broken("USER 10001:10001", "ADD https://example.com/x /x\nUSER 10001:10001",
                    "intake: ADD is not allowed")

    def test_package_outside_the_list(self):
        self.broken("USER 10001:10001",
                    "RUN apt-get install -y --no-install-recommends curl\nUSER 10001:10001",
                    "intake: apt-get install must read only")

    def test_recommends(self):
        self.broken("xargs apt-get install -y --no-install-recommends",
                    "xargs apt-get install -y", "intake: apt-get install without "
                    "--no-install-recommends")

    def test_health_binary_not_copied(self):
        self.broken("/build/bin/omniroute-classification /build/bin/omniroute-health",
                    "/build/bin/omniroute-classification",
                    "classification: omniroute-health is not copied")

    def test_other_binary_copied(self):
        self.broken("/build/bin/omniroute-intake /build/bin/omniroute-health",
                    "/build/bin/omniroute-intake /build/bin/omniroute-health "
                    "/build/bin/omniroute-model", "intake: omniroute-model is copied from the build")

    def test_ctl_not_copied(self):
        self.broken("     /build/bin/omniroute-ctl /usr/local/bin/", "     /usr/local/bin/",
                    "intake: omniroute-ctl is not copied from the build stage")

    def test_port_not_exposed(self):
        self.broken("EXPOSE 7101 9101", "EXPOSE 7101", "intake: port 9101 is not EXPOSEd")

    def test_entrypoint_shell_form(self):
        self.broken('ENTRYPOINT ["/usr/local/bin/omniroute-routing"]',
                    "ENTRYPOINT /usr/local/bin/omniroute-routing",
                    "routing: ENTRYPOINT must be the exec form")

    def test_missing_target(self):
        start = self.text.index("FROM debian:12-slim AS classification")
        end = self.text.index("# ---- routing")
        code, out = run(self.text[:start] + self.text[end:])
        self.assertEqual(code, 1, out)
        self.assertIn("classification: no runtime target named classification", out)


if __name__ == "__main__":
    unittest.main()
