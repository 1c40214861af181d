#!/usr/bin/env bash
# CTest fixture of the chart tests: builds tools/chart-render (Go in GOPATH mode with Debian's
# golang-* packages, offline) into $1, and installs the pinned npm packages of
# tools/chart-validate with `npm ci` unless node_modules already matches package-lock.json.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:?usage: setup.sh OUTPUT_DIR}
mkdir -p "$out"
for tool in go node npm; do
  command -v "$tool" >/dev/null || { echo "chart tests: $tool is missing (run scripts/install-deps.sh)" >&2; exit 1; }
done
[[ -d /usr/share/gocode/src/github.com/Masterminds/sprig ]] ||
  { echo "chart tests: golang-github-masterminds-sprig-dev is missing (run scripts/install-deps.sh)" >&2; exit 1; }
(cd "$root/tools/chart-render" &&
  GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="$out/gocache" GOFLAGS= go build -o "$out/chart-render" .)
validate="$root/tools/chart-validate"
# npm ci records what it installed in node_modules/.package-lock.json: when that matches the lock
# file, nothing is downloaded (so the tests run offline once the packages are there).
if ! node -e '
  const [lock, installed] = process.argv.slice(1).map((f) => require(f).packages);
  const want = Object.entries(lock).filter(([k]) => k !== "");
  const ok = want.length === Object.keys(installed).length &&
    want.every(([k, v]) => installed[k] && installed[k].version === v.version && installed[k].integrity === v.integrity);
  process.exit(ok ? 0 : 1);' "$validate/package-lock.json" "$validate/node_modules/.package-lock.json" 2>/dev/null; then
  (cd "$validate" && npm ci --no-audit --no-fund --loglevel=error)
fi
echo "chart tests: chart-render built, npm packages installed"
