#!/usr/bin/env bash
# The cost of intake's --redis-wait-replicas, back to back in one session: runs omniroute-bench
# on a private Redis Cluster with replicas (--redis-cluster-masters, --redis-cluster-replicas),
# alternately without the option ("off") and with --intake-flags=--redis-wait-replicas=W ("on"),
# with the same tenants and the same load, and prints the medians side by side: the client wall
# time of the SubmitInteractions calls (p50 .. max), intake accepted/s, routed/s, done/s, Redis
# CPU and commands per routed interaction. Prints figures, never passes or fails on them. Builds
# nothing (`make build` first).
#   load-tests/wait-bench.sh BUILD_DIR [--tenants N] [--masters M] [--replicas R] [--wait W]
#                            [--wait-ms T] [--runs K] [--rounds K] [--out DIR]
#                            [-- omniroute-bench flags...]
# Defaults: 6 tenants, 3 masters with 1 replica each, --redis-wait-replicas=1 with intake's
# default --redis-wait-ms (--wait-ms T passes --redis-wait-ms=T too), 2 runs of each side (order
# off, on, on, off, ...), 3 rounds per run (the bench's default load: 20,000 interactions per
# round), --skip-raw --skip-bullmq. Each run's full output is kept in --out DIR (default: a new
# temporary directory, named at the end).
# e.g. load-tests/wait-bench.sh build --runs 1 --rounds 2 -- --interactions 5000
set -euo pipefail

usage() {
  echo "usage: $0 BUILD_DIR [--tenants N] [--masters M] [--replicas R] [--wait W] [--wait-ms T]" \
    "[--runs K] [--rounds K] [--out DIR] [-- omniroute-bench flags...]" >&2
  exit 2
}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=load-tests/alternate-runs.sh
source "$here/alternate-runs.sh"
tenants=6 masters=3 replicas=1 wait=1 wait_ms="" runs=2 rounds=3 out=""
alt_options "tenants masters replicas wait wait-ms runs rounds out" "$@"
alt_positive tenants masters replicas wait runs rounds
[[ -z $wait_ms ]] || alt_positive wait_ms
alt_prepare "$build_dir" omniroute-wait-bench

on_flag="--intake-flags=--redis-wait-replicas=$wait${wait_ms:+ --redis-wait-ms=$wait_ms}"
side_flags() {  # off | on
  flags=()
  [[ $1 == on ]] && flags=("$on_flag")
  return 0
}
alt_run off on "$runs" --bin-dir "$bin_dir" --tenants "$tenants" --rounds "$rounds" \
  --skip-raw --skip-bullmq --redis-cluster-masters "$masters" --redis-cluster-replicas \
  "$replicas" "${bench_extra[@]}"

PYTHONPATH="$here" python3 - "$out" "$runs" "$rounds" "$tenants" "$masters" "$replicas" \
  "$on_flag" "$started" "$loadavg_start" "$(cut -d' ' -f1-3 /proc/loadavg)" "${order[*]}" \
  "${bench_extra[*]}" <<'EOF'
import sys

from bench_runs import SideBySide, fmt, med, print_figures_note, print_when, side_rounds

(out, runs, rounds, tenants, masters, replicas, on_flag, started, load0, load1, order,
 extra) = sys.argv[1:]
off = side_rounds(out, "off", runs, "wait-bench", masters=True)
on = side_rounds(out, "on", runs, "wait-bench", masters=True)
plural = "" if replicas == "1" else "s"

print(f"== omniroute-bench: intake without and with {on_flag.split('=', 1)[1]}, Redis Cluster "
      f"of {masters} masters with {replicas} replica{plural} each, {tenants} tenants ==")
print_when(started, load0, load1)
print(f"each run: omniroute-bench --tenants {tenants} --rounds {rounds} --skip-raw --skip-bullmq "
      f"--redis-cluster-masters {masters} --redis-cluster-replicas {replicas}"
      f"{' ' + extra if extra else ''} (the on side adds '{on_flag}'); {runs} run(s) per side in "
      f"the order: {order}")
print_figures_note("off", len(off), "on", len(on))
print()
t = SideBySide("off", "on", "on/off")
for p in ("p50", "p90", "p99", "max"):
    t.row(f"SubmitInteractions call ms, {p}", med(off, lambda r: r["calls"][p]),
          med(on, lambda r: r["calls"][p]), 2)
t.row("intake accepted/s (submits alone)", med(off, lambda r: r["accepted_s"]),
      med(on, lambda r: r["accepted_s"]))
t.row("routed/s (every tenant)", med(off, lambda r: r["routed_s"]),
      med(on, lambda r: r["routed_s"]))
t.row("done/s (full life cycle)", med(off, lambda r: r["done_s"]), med(on, lambda r: r["done_s"]))
t.row("Redis CPU us per routed interaction, masters", med(off, lambda r: r["all"]["us"]),
      med(on, lambda r: r["all"]["us"]), 1)
t.row("Redis commands per routed interaction", med(off, lambda r: r["all"]["cmds"]),
      med(on, lambda r: r["all"]["cmds"]), 2)
print()
for side, rows in (("off", off), ("on", on)):
    calls = sum(r["calls"]["n"] for r in rows)
    retried = sum(r["calls"]["retried"] for r in rows)
    refused = sum(r["refused"] for r in rows)
    print(f"{side:3}: {calls:,} SubmitInteractions calls answered, {retried:,} retried, "
          f"{refused:,} interactions not accepted")
print()
print("per round:")
for side, rows in (("off", off), ("on ", on)):
    print(f"  {side} call ms p50 {' '.join(fmt(r['calls']['p50'], 2) for r in rows)}; p99 "
          f"{' '.join(fmt(r['calls']['p99'], 2) for r in rows)}")
    print(f"      accepted/s {' '.join(fmt(r['accepted_s']) for r in rows)}")
    print(f"      routed/s {' '.join(fmt(r['routed_s']) for r in rows)}; done/s "
          f"{' '.join(fmt(r['done_s']) for r in rows)}")
print(f"outputs of every run: {out}")
EOF
