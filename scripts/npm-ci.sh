#!/usr/bin/env bash
# Installs the pinned npm packages of DIR (its package-lock.json) with `npm ci`, unless
# DIR/node_modules already holds exactly them: then nothing is downloaded, so the tests that use
# them run offline once the packages are there. Used by the CTest fixtures of the chart checks
# and the OpenAPI validation.
# usage: npm-ci.sh DIR
set -euo pipefail
dir=${1:?usage: npm-ci.sh DIR}
for tool in node npm; do
  command -v "$tool" >/dev/null || { echo "npm-ci: $tool is missing (run scripts/install-deps.sh)" >&2; exit 1; }
done
# npm ci records what it installed in node_modules/.package-lock.json: when that matches the lock
# file, the packages are there.
if ! node -e '
  const [lock, installed] = process.argv.slice(1).map((f) => require(f).packages);
  const want = Object.entries(lock).filter(([k]) => k !== "");
  const ok = want.length === Object.keys(installed).length &&
    want.every(([k, v]) => installed[k] && installed[k].version === v.version && installed[k].integrity === v.integrity);
  process.exit(ok ? 0 : 1);' "$dir/package-lock.json" "$dir/node_modules/.package-lock.json" 2>/dev/null; then
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
fi
