#!/usr/bin/env bash
# Builds the plain manifests with `kubectl kustomize` (base, bootstrap Job, example overlay) and
# validates the output like the chart's. Exits 77 (CTest: skipped) when kubectl is missing.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
command -v kubectl >/dev/null || { echo "kubectl not found: skipped"; exit 77; }
status=0
for dir in base bootstrap-admin-key overlays/example; do
  out=$(mktemp)
  if ! kubectl kustomize "$root/deploy/kubernetes/$dir" >"$out" 2>"$out.err"; then
    echo "FAIL kubectl kustomize deploy/kubernetes/$dir:"; cat "$out.err"; status=1
  else
    node "$root/tools/chart-validate/check-chart.mjs" objects "$out" | sed "s|$out|deploy/kubernetes/$dir|" || status=1
  fi
  rm -f "$out" "$out.err"
done
exit $status
