#!/usr/bin/env bash
# Runs omniroute-bench with its defaults (3 rounds of 20,000 interactions, each followed by the
# BullMQ peer -- 20,000 jobs of a no-op BullMQ worker -- and the raw redis-benchmark EVALSHA
# baseline, all on the same redis-server). Builds nothing: `make bench` builds first. The first
# run installs BullMQ's pinned npm packages (load-tests/bullmq/install.sh); without node/npm
# BullMQ is skipped with one line saying why.
#   load-tests/run-bench.sh BUILD_DIR [extra omniroute-bench flags...]
# e.g. load-tests/run-bench.sh build --interactions 5000 --rounds 1
set -euo pipefail

if [[ $# -lt 1 ]]; then
  echo "usage: $0 BUILD_DIR [omniroute-bench flags...]" >&2
  exit 2
fi
build_dir=$1
shift
bench="$build_dir/bin/omniroute-bench"
if [[ ! -x "$bench" ]]; then
  echo "$bench not found: build first (make build, or cmake --build $build_dir)" >&2
  exit 1
fi
if ! command -v redis-server >/dev/null; then
  echo "redis-server not found: run 'make deps' (or apt-get install redis-server redis-tools)" >&2
  exit 1
fi
# The services the bench starts sit next to it; --bin-dir given later on the command line wins.
exec "$bench" --bin-dir "$(cd "$(dirname "$bench")" && pwd)" "$@"
