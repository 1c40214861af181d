#!/usr/bin/env bash
# Runs omniroute-model-bench: intent model inference latency over the Banking77 holdout beside a
# featurize-only baseline. Builds nothing; trains a model first unless --model is given.
#   load-tests/run-model-bench.sh BUILD_DIR [--busy N] [--bench BINARY]
#     [--before BINARY [--runs N]] [omniroute-model-bench flags...]
# e.g. load-tests/run-model-bench.sh build --model /tmp/banking77.model --rounds 10
#
# --busy N: runs the bench while N busy processes share the machine (each walks ~150 MB of
# Python objects in a loop: CPU and cache pressure, like a build or `make bench` beside it),
# started 30 s before the bench (so the load average shows them) and stopped after it.
# The load average is printed at the start and at the end.
# --bench BINARY: runs that omniroute-model-bench instead of BUILD_DIR's.
# --before BINARY: also runs an older build's omniroute-model-bench, alternating with this one
# (before after after before ...) --runs N times each (default 1), under the same busy processes,
# and prints each row's median p50 / p99 per side.
set -euo pipefail

if [[ $# -lt 1 ]]; then
  echo "usage: $0 BUILD_DIR [--busy N] [--bench BINARY] [--before BINARY [--runs N]]" \
    "[omniroute-model-bench flags...]" >&2
  exit 2
fi
build_dir=$1
shift
bench="$build_dir/bin/omniroute-model-bench"
busy=0 before="" runs=1
while [[ $# -gt 0 ]]; do
  case $1 in
    --busy | --runs)
      [[ $# -ge 2 && $2 =~ ^[0-9]+$ ]] || { echo "$0: $1 needs a number" >&2; exit 2; }
      printf -v "${1#--}" '%s' "$2"
      shift 2
      ;;
    --before | --bench)
      [[ $# -ge 2 && -x $2 ]] || { echo "$0: $1 needs a bench binary" >&2; exit 2; }
      printf -v "${1#--}" '%s' "$(realpath "$2")"
      shift 2
      ;;
    *) break ;;
  esac
done
if [[ $runs -lt 1 ]]; then
  echo "$0: --runs must be at least 1" >&2
  exit 2
fi
if [[ ! -x "$bench" ]]; then
  echo "$bench not found: build first (cmake --build $build_dir --target omniroute-model-bench)" >&2
  exit 1
fi
bench=$(realpath "$bench")
cd "$(dirname "$0")/.."

pids=()
stop_busy() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop_busy EXIT
if [[ $busy -gt 0 ]]; then
  for _ in $(seq 1 "$busy"); do
    python3 -c 'a = list(range(4_000_000))
while True: sum(a)' &
    pids+=($!)
  done
  sleep 30
fi
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (busy processes: $busy)"
if [[ -z $before ]]; then
  rc=0
  "$bench" --data data/banking77/train.csv "$@" || rc=$?
  echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg) (busy processes: $busy)"
  exit $rc
fi
out=$(mktemp -d /tmp/model-bench-ab.XXXXXX)
for i in $(seq 1 "$runs"); do
  order="before after"
  ((i % 2 == 0)) && order="after before"
  for side in $order; do
    binary=$bench
    [[ $side == before ]] && binary=$before
    echo "=== $side run $i, load average $(cut -d' ' -f1-3 /proc/loadavg)"
    "$binary" --data data/banking77/train.csv "$@" | tee "$out/$side-$i.txt" |
      sed -n '/^path /,/^ratio worker/p'
  done
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg) (busy processes: $busy)"
python3 - "$out" "$runs" <<'PY'
import statistics, sys
out, runs = sys.argv[1], int(sys.argv[2])
rows = {}  # path -> side -> [(p50, p99) per run]
for side in ("before", "after"):
    for i in range(1, runs + 1):
        for line in open(f"{out}/{side}-{i}.txt"):
            parts = line.rsplit(None, 5)
            try:
                p50, p99 = float(parts[1]), float(parts[2])
            except (IndexError, ValueError):
                continue
            rows.setdefault(parts[0], {}).setdefault(side, []).append((p50, p99))
print(f"medians of {runs} runs each (us)")
print(f"{'path':44} {'before p50':>10} {'p99':>8} {'after p50':>10} {'p99':>8}")
for path, sides in rows.items():
    med = lambda s, k: statistics.median(x[k] for x in sides.get(s, [(0, 0)]))
    print(f"{path:44} {med('before', 0):10.2f} {med('before', 1):8.2f} "
          f"{med('after', 0):10.2f} {med('after', 1):8.2f}")
PY
echo "outputs: $out"
