#!/usr/bin/env bash
# CTest fixture of the chart tests: builds tools/chart-render (Go in GOPATH mode with Debian's
# golang-* packages, offline) into $1, and installs the pinned npm packages of
# tools/chart-validate (scripts/npm-ci.sh: `npm ci` unless node_modules already matches the lock).
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
"$root/scripts/npm-ci.sh" "$root/tools/chart-validate"
echo "chart tests: chart-render built, npm packages installed"
