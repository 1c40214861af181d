#!/usr/bin/env bash
# CTest smoke test of omniroute-decision-bench (label e2e): a tiny run must exit 0 and print the
# results table. It checks nothing about the figures (benchmarks are not pass/fail timing tests).
#   load-tests/decision_smoke.sh path/to/omniroute-decision-bench
set -uo pipefail
bench=$1
out=$("$bench" --a-queued 50 --a-agents 12 --b-queued 2000 --b-agents 40 --decisions 30 \
  --warmup 5 --rounds 1 2>&1)
rc=$?
printf '%s\n' "$out"
if [[ $rc -ne 0 ]]; then
  echo "decision smoke: omniroute-decision-bench exited with $rc" >&2
  exit 1
fi
for expected in "== omniroute-decision-bench results" "p50 us" "B/A" "memory B:"; do
  if ! grep -qF -- "$expected" <<<"$out"; then
    echo "decision smoke: output lacks '$expected'" >&2
    exit 1
  fi
done
echo "decision smoke: ok"
