#!/usr/bin/env bash
# Installs the pinned npm packages of the BullMQ peer baseline (package-lock.json) into
# load-tests/bullmq/node_modules with `npm ci`, unless they are already there. omniroute-bench
# runs it before its first round, and CTest runs it as the fixture of bench_bullmq_smoke.
#
# "Already there" = node_modules/.omniroute-lock.sha256 holds the sha256 of the current lock
# file (written after a successful `npm ci`), so a changed lock file reinstalls and an
# up-to-date install needs no network. A lock file serialises concurrent runs (a bench and a
# CTest run in the same tree). Exit 0 when the packages are installed; otherwise exit 1 with one
# line on stderr saying why (the bench prints it and skips BullMQ).
set -uo pipefail
dir=$(cd "$(dirname "$0")" && pwd)
for tool in node npm; do
  command -v "$tool" >/dev/null || { echo "$tool not found on PATH" >&2; exit 1; }
done
want=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1) || exit 1
stamp="$dir/node_modules/.omniroute-lock.sha256"
exec 9>"$dir/.install.lock"
flock -w 600 9 || { echo "timed out waiting for another npm ci in $dir" >&2; exit 1; }
if [[ -f "$stamp" && $(cat "$stamp") == "$want" && -f "$dir/node_modules/bullmq/package.json" ]]; then
  exit 0
fi
rm -f "$stamp"
# --ignore-scripts: the only install script (msgpackr-extract's) would build an optional native
# accelerator; its prebuilt binary comes as an optional dependency package anyway.
if ! out=$(cd "$dir" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error 2>&1); then
  # npm's first few non-empty error lines say what went wrong (code, then the message).
  why=$(sed -n 's/^npm error \(..*\)$/\1/p' <<<"$out" | head -n 4 | tr '\n' ' ')
  echo "npm ci failed in $dir: ${why:-$(tail -n 1 <<<"$out")}" >&2
  exit 1
fi
echo "$want" >"$stamp"
