#!/usr/bin/env bash
# CTest smoke test of omniroute-bench on a Redis Cluster (label e2e): a tiny run must exit 0 and
# print, for every round, per-master figures of exactly MASTERS masters, each with a non-zero
# count of routed interactions and numeric, non-zero Redis CPU and commands per interaction, a
# masters' total, and the per-master results table. It checks nothing about the size of the
# figures (benchmarks are not pass/fail timing tests).
#   load-tests/cluster_smoke.sh BENCH MASTERS [bench flags...]
set -uo pipefail
if [[ $# -lt 2 ]]; then
  echo "usage: $0 BENCH MASTERS [bench flags...]" >&2
  exit 2
fi
bench=$1
masters=$2
shift 2
out=$("$bench" --redis-cluster-masters "$masters" "$@" 2>&1)
rc=$?
echo "$out"
if [[ $rc -ne 0 ]]; then
  echo "cluster smoke: omniroute-bench exited with $rc" >&2
  exit 1
fi
# Per round: the master lines between "round N:" and the next round, and the total.
problems=$(awk -v want="$masters" '
  function check_round() {
    if (round == 0) return
    if (seen != want) printf "round %d: %d master lines, want %d\n", round, seen, want
    if (!total) printf "round %d: no masters'"'"' total line\n", round
  }
  /^round [0-9]+:/ { check_round(); round++; seen = 0; total = 0; next }
  /^    master [0-9]+ / {
    seen++
    if (!match($0, /: [0-9]+ routed, redis [0-9.]+ us CPU\/int, [0-9.]+ cmds\/int/)) {
      printf "round %d: malformed: %s\n", round, $0; next
    }
    split(substr($0, RSTART + 2), f, " ")
    if (f[1] + 0 <= 0) printf "round %d: no routed interaction: %s\n", round, $0
    if (f[4] + 0 <= 0 || f[7] + 0 <= 0) printf "round %d: zero figures: %s\n", round, $0
  }
  /^    masters'"'"' total: [1-9][0-9]* routed/ { total = 1 }
  END {
    check_round()
    if (round == 0) print "no round"
  }' <<<"$out")
for e in "-- per master: Redis CPU" "m$masters us/int" "all cmds/int" "tenant placement:"; do
  grep -qF -- "$e" <<<"$out" || problems+=$'\n'"output lacks '$e'"
done
if [[ -n ${problems//$'\n'/} ]]; then
  echo "cluster smoke: failed:" >&2
  echo "$problems" >&2
  exit 1
fi
echo "cluster smoke: ok ($masters masters)"
