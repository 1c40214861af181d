#!/usr/bin/env bash
# CTest smoke test of omniroute-bench with intake's --redis-wait-replicas (label e2e): a tiny run
# on a private Redis Cluster with replicas must exit 0, name the intake flags in its header,
# accept every interaction (a Submit whose WAIT is not acknowledged is refused, so a WAIT that
# never succeeds fails here), and print for every round a non-zero routed count and a submit calls
# line with a non-zero count of calls and numeric p50, p90, p99 and max, then the calls table.
# It checks nothing about the size of the figures (benchmarks are not pass/fail timing tests).
#   load-tests/wait_smoke.sh BENCH INTAKE_FLAGS [bench flags...]
set -uo pipefail
if [[ $# -lt 2 ]]; then
  echo "usage: $0 BENCH INTAKE_FLAGS [bench flags...]" >&2
  exit 2
fi
bench=$1
intake_flags=$2
shift 2
out=$("$bench" "--intake-flags=$intake_flags" "$@" 2>&1)
rc=$?
echo "$out"
if [[ $rc -ne 0 ]]; then
  echo "wait smoke: omniroute-bench exited with $rc" >&2
  exit 1
fi
problems=$(awk '
  function check_round() {
    if (round > 0 && !calls) printf "round %d: no submit calls line\n", round
  }
  /^round [0-9]+:/ {
    check_round(); round++; calls = 0
    if (!match($0, /, [0-9]+ routed in/) || substr($0, RSTART + 2) + 0 <= 0) {
      printf "round %d: nothing routed: %s\n", round, $0
    }
    next
  }
  /^  submit calls: / {
    calls = 1
    n = "[0-9]+\\.[0-9]+"
    if (!match($0, "^  submit calls: [1-9][0-9]* SubmitInteractions answered OK, client wall " \
                   "time per call ms p50 " n " p90 " n " p99 " n " max " n)) {
      printf "round %d: malformed or empty: %s\n", round, $0
    }
  }
  /items not accepted/ { printf "not accepted: %s\n", $0 }
  END {
    check_round()
    if (round == 0) print "no round"
  }' <<<"$out")
for e in "intake flags: $intake_flags" "with 1 replica each" "-- SubmitInteractions calls"; do
  grep -qF -- "$e" <<<"$out" || problems+=$'\n'"output lacks '$e'"
done
if [[ -n ${problems//$'\n'/} ]]; then
  echo "wait smoke: failed:" >&2
  echo "$problems" >&2
  exit 1
fi
echo "wait smoke: ok ($intake_flags)"
