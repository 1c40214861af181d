#!/usr/bin/env bash
# CTest smoke test of a benchmark executable (label e2e): a tiny run must exit 0 and print the
# expected lines of its results table. It checks nothing about the figures (benchmarks are not
# pass/fail timing tests).
#   load-tests/smoke.sh BENCH 'expected text'... -- [bench flags...]
set -uo pipefail
bench=$1
shift
expected=()
while [[ $# -gt 0 && $1 != "--" ]]; do
  expected+=("$1")
  shift
done
[[ $# -gt 0 ]] && shift
name=$(basename "$bench")
out=$("$bench" "$@" 2>&1)
rc=$?
echo "$out"
if [[ $rc -ne 0 ]]; then
  echo "smoke: $name exited with $rc" >&2
  exit 1
fi
for e in "${expected[@]}"; do
  if ! grep -qF -- "$e" <<<"$out"; then
    echo "smoke: $name output lacks '$e'" >&2
    exit 1
  fi
done
echo "smoke: $name ok"
