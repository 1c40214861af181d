#!/usr/bin/env bash
# One redis-server against a Redis Cluster, back to back in one session: runs omniroute-bench
# alternately on a private redis-server and on a private Redis Cluster (--redis-cluster-masters),
# with the same tenants and the same load, and prints the medians side by side: routed/s, done/s,
# and Redis CPU and commands per routed interaction, for all of Redis and per master. Prints
# figures, never passes or fails on them. Builds nothing (`make build` first).
#   load-tests/cluster-bench.sh BUILD_DIR [--tenants N] [--masters M] [--runs R] [--rounds K]
#                               [--out DIR] [-- omniroute-bench flags...]
# Defaults: 6 tenants, 3 masters, 2 runs of each side (order single, cluster, cluster, single,
# ...), 3 rounds per run (the bench's default load: 20,000 interactions per round). The raw
# baseline and BullMQ are skipped (they need one redis-server). Each run's full output is kept in
# --out DIR (default: a new temporary directory, named at the end).
# e.g. load-tests/cluster-bench.sh build --runs 1 --rounds 2 -- --interactions 5000
set -euo pipefail

usage() {
  echo "usage: $0 BUILD_DIR [--tenants N] [--masters M] [--runs R] [--rounds K] [--out DIR]" \
    "[-- omniroute-bench flags...]" >&2
  exit 2
}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=load-tests/alternate-runs.sh
source "$here/alternate-runs.sh"
tenants=6 masters=3 runs=2 rounds=3 out=""
alt_options "tenants masters runs rounds out" "$@"
alt_positive tenants masters runs rounds
alt_prepare "$build_dir" omniroute-cluster-bench

side_flags() {  # single | cluster
  flags=()
  [[ $1 == cluster ]] && flags=(--redis-cluster-masters "$masters")
  return 0
}
alt_run single cluster "$runs" --bin-dir "$bin_dir" --tenants "$tenants" --rounds "$rounds" \
  --skip-raw --skip-bullmq "${bench_extra[@]}"

PYTHONPATH="$here" python3 - "$out" "$runs" "$rounds" "$tenants" "$masters" "$started" \
  "$loadavg_start" "$(cut -d' ' -f1-3 /proc/loadavg)" "${order[*]}" "${bench_extra[*]}" <<'EOF'
import sys

from bench_runs import (SideBySide, fmt, med, median, print_figures_note, print_when,
                        side_rounds)

out, runs, rounds, tenants, masters, started, load0, load1, order, extra = sys.argv[1:]
s = side_rounds(out, "single", runs, "cluster-bench", masters=True)
c = side_rounds(out, "cluster", runs, "cluster-bench", masters=True)
n_masters = max(len(r["masters"]) for r in c)

print(f"== omniroute-bench: one redis-server vs a Redis Cluster of {masters} masters, "
      f"{tenants} tenants ==")
print_when(started, load0, load1)
print(f"each run: omniroute-bench --tenants {tenants} --rounds {rounds} --skip-raw --skip-bullmq"
      f"{' ' + extra if extra else ''} (the cluster side adds --redis-cluster-masters {masters}); "
      f"{runs} run(s) per side in the order: {order}")
print_figures_note("single", len(s), "cluster", len(c))
print()
t = SideBySide("one redis-server", "Redis Cluster", "cluster/single")
row = t.row
row("routed/s (every tenant)", med(s, lambda r: r["routed_s"]), med(c, lambda r: r["routed_s"]))
row("done/s (full life cycle)", med(s, lambda r: r["done_s"]), med(c, lambda r: r["done_s"]))
row("SubmitInteractions call ms, p50", med(s, lambda r: r["calls"]["p50"]),
    med(c, lambda r: r["calls"]["p50"]), 2)
row("SubmitInteractions call ms, p99", med(s, lambda r: r["calls"]["p99"]),
    med(c, lambda r: r["calls"]["p99"]), 2)
row("Redis CPU us per routed interaction, all", med(s, lambda r: r["all"]["us"]),
    med(c, lambda r: r["all"]["us"]), 1)
row("Redis commands per routed interaction, all", med(s, lambda r: r["all"]["cmds"]),
    med(c, lambda r: r["all"]["cmds"]), 1)
row("Redis busy, all nodes added up (cores)", med(s, lambda r: r["all"]["busy"] / 100),
    med(c, lambda r: r["all"]["busy"] / 100), 2)
print()
w = 14
print(f"{'per master':30}{'CPU us/int':>{w}}{'cmds/int':>{w}}{'routed %':>{w}}{'busy cores':>{w}}")


def master_row(label, rows, total_of):
    share = median([100.0 * m["routed"] / max(1, total_of(i)) for i, m in enumerate(rows)])
    print(f"{label:30}{fmt(median([m['us'] for m in rows]), 1):>{w}}"
          f"{fmt(median([m['cmds'] for m in rows]), 1):>{w}}{fmt(share, 1):>{w}}"
          f"{fmt(median([m['busy'] / 100 for m in rows]), 2):>{w}}")


for i in range(n_masters):
    rounds_i = [r for r in c if i < len(r["masters"])]
    rows = [r["masters"][i] for r in rounds_i]
    n = rows[0]["tenants"]
    master_row(f"cluster master {i + 1} ({n} tenant{'' if n == 1 else 's'})", rows,
               lambda k: rounds_i[k]["all"]["routed"])
master_row(f"one redis-server ({tenants} tenants)", [r["all"] for r in s],
           lambda k: s[k]["all"]["routed"])
print()
print("per round:")
for side, rows in (("single ", s), ("cluster", c)):
    print(f"  {side} routed/s {' '.join(fmt(r['routed_s']) for r in rows)}; done/s "
          f"{' '.join(fmt(r['done_s']) for r in rows)}; Redis us/int all "
          f"{' '.join(fmt(r['all']['us'], 1) for r in rows)}")
for i in range(n_masters):
    print(f"  cluster master {i + 1} us/int "
          f"{' '.join(fmt(r['masters'][i]['us'], 1) for r in c if i < len(r['masters']))}")
print(f"outputs of every run: {out}")
EOF
