#!/usr/bin/env bash
# CTest smoke test of omniroute-bench (label e2e): a tiny run must exit 0 and print the results
# table. It checks nothing about the figures (benchmarks are not pass/fail timing tests).
#   load-tests/smoke.sh path/to/omniroute-bench
set -uo pipefail
bench=$1
out=$("$bench" --interactions 200 --rounds 1 --warmup 50 --raw-requests 2000 --raw-clients 10 \
  --bin-dir "$(dirname "$bench")" 2>&1)
rc=$?
printf '%s\n' "$out"
if [[ $rc -ne 0 ]]; then
  echo "smoke: omniroute-bench exited with $rc" >&2
  exit 1
fi
for expected in "== omniroute-bench results ==" "routed/s" "raw/s P1" "median"; do
  if ! grep -qF -- "$expected" <<<"$out"; then
    echo "smoke: output lacks '$expected'" >&2
    exit 1
  fi
done
echo "smoke: ok"
