#!/usr/bin/env bash
# Runs omniroute-decision-bench with its defaults (scenario A: 1,000 queued / 100 agents,
# scenario B: 1,000,000 queued / 10,000 agents; 3 interleaved rounds). Builds nothing.
#   load-tests/run-decision-bench.sh BUILD_DIR [extra omniroute-decision-bench flags...]
# e.g. load-tests/run-decision-bench.sh build --b-queued 200000 --rounds 5
# Needs ~0.6 GiB of free memory for scenario B's redis-server; takes ~1.5 minutes.
set -euo pipefail

if [[ $# -lt 1 ]]; then
  echo "usage: $0 BUILD_DIR [omniroute-decision-bench flags...]" >&2
  exit 2
fi
build_dir=$1
shift
bench="$build_dir/bin/omniroute-decision-bench"
if [[ ! -x "$bench" ]]; then
  echo "$bench not found: build first (cmake --build $build_dir --target omniroute-decision-bench)" >&2
  exit 1
fi
if ! command -v redis-server >/dev/null; then
  echo "redis-server not found: run 'make deps' (or apt-get install redis-server redis-tools)" >&2
  exit 1
fi
exec "$bench" "$@"
