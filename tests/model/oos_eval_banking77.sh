#!/usr/bin/env bash
# CTest (label model): out-of-scope detection under the leave-intents-out protocol on Banking77
# (omniroute-model oos-eval: a seeded quarter of the intents held out entirely, the model trained
# on the others; their in-scope test messages and every held-out intent's message scored). At the
# model's default threshold, requires OOS recall >= MIN_RECALL and an in-scope accuracy drop of at
# most MAX_DROP points; prints both. Time is printed, never asserted.
#   tests/model/oos_eval_banking77.sh OMNIROUTE_MODEL DATA.csv MIN_RECALL MAX_DROP
set -uo pipefail
bin=$1
data=$2
min_recall=$3
max_drop=$4
out=$(mktemp)
trap 'rm -f "$out"' EXIT

fail() {
  echo "oos_eval_banking77: $*" >&2
  exit 1
}

"$bin" oos-eval --data "$data" --holdout-intents 0.25 --seed 42 >"$out" 2>&1
rc=$?
cat "$out"
[[ $rc -eq 0 ]] || fail "oos-eval exited with $rc"
recall=$(sed -n 's/^oos recall: \([0-9.]*\)$/\1/p' "$out" | head -1)
drop=$(sed -n 's/^in-scope accuracy drop: \(-\{0,1\}[0-9.]*\) points.*/\1/p' "$out" | head -1)
[[ -n "$recall" ]] || fail "no 'oos recall:' line"
[[ -n "$drop" ]] || fail "no 'in-scope accuracy drop:' line"
echo "oos_eval_banking77: oos recall $recall (bound >= $min_recall), in-scope drop $drop points (bound <= $max_drop)"
awk -v r="$recall" -v m="$min_recall" 'BEGIN { exit !(r >= m) }' || fail "oos recall $recall < $min_recall"
awk -v d="$drop" -v m="$max_drop" 'BEGIN { exit !(d <= m) }' || fail "in-scope drop $drop > $max_drop points"
echo "oos_eval_banking77: ok"
