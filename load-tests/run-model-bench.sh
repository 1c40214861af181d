#!/usr/bin/env bash
# Runs omniroute-model-bench: intent model inference latency over the Banking77 holdout beside a
# featurize-only baseline. Builds nothing; trains a model first unless --model is given.
#   load-tests/run-model-bench.sh BUILD_DIR [extra omniroute-model-bench flags...]
# e.g. load-tests/run-model-bench.sh build --model /tmp/banking77.model --rounds 10
set -euo pipefail

if [[ $# -lt 1 ]]; then
  echo "usage: $0 BUILD_DIR [omniroute-model-bench flags...]" >&2
  exit 2
fi
build_dir=$1
shift
bench="$build_dir/bin/omniroute-model-bench"
if [[ ! -x "$bench" ]]; then
  echo "$bench not found: build first (cmake --build $build_dir --target omniroute-model-bench)" >&2
  exit 1
fi
cd "$(dirname "$0")/.."
exec "$bench" --data data/banking77/train.csv "$@"
