#!/usr/bin/env bash
# Before/after comparison on one machine, alternating so that both sides see the same noise:
# `run-bench.sh BUILD_DIR --rounds 3` with the services of BEFORE_BIN_DIR (a build of the older
# revision's bin/ folder) and with this build's, RUNS times each, the same bench binary in both.
# Prints each run's results tables; quote the medians of the rounds (load-tests/README.md,
# "Hot path v2").
#   load-tests/ab-bench.sh BUILD_DIR BEFORE_BIN_DIR [RUNS] [extra bench flags...]
set -euo pipefail
build=${1:?usage: ab-bench.sh BUILD_DIR BEFORE_BIN_DIR [RUNS] [flags...]}
before=${2:?usage: ab-bench.sh BUILD_DIR BEFORE_BIN_DIR [RUNS] [flags...]}
runs=${3:-3}
shift $(($# < 3 ? $# : 3))
here=$(cd "$(dirname "$0")" && pwd)
[[ -x "$before/omniroute-routing" ]] || { echo "no services in $before" >&2; exit 2; }
for i in $(seq 1 "$runs"); do
  for side in before after; do
    extra=()
    [[ $side == before ]] && extra=(--bin-dir "$before")
    echo "=== $side run $i $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)"
    "$here/run-bench.sh" "$build" --rounds 3 "${extra[@]}" "$@" 2>&1 |
      sed -n '/^== omniroute-bench results/,$p'
  done
done
