#!/usr/bin/env bash
# CTest (label unit): omniroute-model refuses bad usage with exit code 2 and bad content with
# exit code 1, each with a message naming the problem; a tiny train/evaluate/predict round works.
#   tests/model/cli_errors.sh OMNIROUTE_MODEL
set -uo pipefail
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

# expect CODE 'TEXT IN STDERR' -- ARGS...
expect() {
  local code=$1 text=$2
  shift 3
  local err rc
  err=$("$bin" "$@" 2>&1 >/dev/null </dev/null)
  rc=$?
  if [[ $rc -ne $code ]] || ! grep -qF -- "$text" <<<"$err"; then
    echo "FAIL: omniroute-model $* -> exit $rc (want $code), stderr: $err" >&2
    failures=$((failures + 1))
  else
    echo "ok: omniroute-model $* -> $code: $(head -1 <<<"$err")"
  fi
}

{
  echo "text,label"
  for i in $(seq 1 12); do
    echo "my card is lost $i,card_lost"
    echo "\"I want a refund, please $i\",refund"
    echo "hello good morning $i,greeting"
  done
} >"$tmp/tiny.csv"
printf 'text,label\nok,a\ntoo,many,fields\n' >"$tmp/bad.csv"
printf 'OMRINTNT\x02\x00\x00\x00garbage' >"$tmp/corrupt.bin"
printf 'OMRINTNT\x01\x00\x00\x00garbage' >"$tmp/version1.bin"

expect 2 "unknown command" -- frobnicate
expect 2 "unknown flag --bogus" -- train --data "$tmp/tiny.csv" --model "$tmp/m" --bogus 1
expect 2 "missing --model" -- train --data "$tmp/tiny.csv"
expect 2 "--holdout '1.5' is not a number" -- train --data "$tmp/tiny.csv" --model "$tmp/m" --holdout 1.5
expect 2 "--holdout 'abc'" -- train --data "$tmp/tiny.csv" --model "$tmp/m" --holdout abc
expect 2 "--seed '-1'" -- train --data "$tmp/tiny.csv" --model "$tmp/m" --seed -1
expect 2 "'chars' is not text, word or words" -- train --data "$tmp/tiny.csv" --model "$tmp/m" --views text+chars
expect 2 "cannot open" -- train --data "$tmp/missing.csv" --model "$tmp/m"
expect 2 "cannot open" -- evaluate --data "$tmp/tiny.csv" --model "$tmp/missing.bin"
expect 1 "line 3: expected 2 fields" -- train --data "$tmp/bad.csv" --model "$tmp/m"
expect 1 "model file truncated" -- evaluate --data "$tmp/tiny.csv" --model "$tmp/corrupt.bin"
expect 1 "unsupported intent model format version 1" -- evaluate --data "$tmp/tiny.csv" --model "$tmp/version1.bin"
expect 1 "wrong magic" -- evaluate --data "$tmp/tiny.csv" --model "$tmp/tiny.csv"
expect 2 "--holdout-intents '0.95'" -- oos-eval --data "$tmp/tiny.csv" --holdout-intents 0.95
expect 2 "need at least 1 held out and 2 in scope" -- oos-eval --data "$tmp/tiny.csv" --holdout-intents 0.5
expect 2 "--oos-threshold '1.5'" -- train --data "$tmp/tiny.csv" --model "$tmp/m" --oos-threshold 1.5

if "$bin" train --data "$tmp/tiny.csv" --model "$tmp/m" --holdout 0.25 --seed 1 --epochs 5 \
  >"$tmp/train.txt" 2>&1 && grep -q '^accuracy: ' "$tmp/train.txt" &&
  "$bin" evaluate --data "$tmp/tiny.csv" --model "$tmp/m" >"$tmp/eval.txt" 2>&1 &&
  grep -q '^accuracy: ' "$tmp/eval.txt" &&
  echo "my card was stolen" | "$bin" predict --model "$tmp/m" | grep -q "^card_lost"; then
  echo "ok: train / evaluate / predict round trip"
else
  echo "FAIL: train / evaluate / predict round trip" >&2
  cat "$tmp"/*.txt >&2
  failures=$((failures + 1))
fi
# Out of scope: info prints the threshold (here the one set by --oos-threshold), predict the
# score; a version-2 file (written before the detector existed) loads and is never out of scope.
"$bin" train --data "$tmp/tiny.csv" --model "$tmp/m3" --holdout 0.25 --seed 1 --epochs 5 \
  --oos-threshold 0.4 >/dev/null 2>&1
corpus=$(dirname "$0")/../fuzz/corpus/model_file
if "$bin" info --model "$tmp/m3" | grep -q "^out of scope: .*threshold 0.4000" &&
  echo "my card was stolen" | "$bin" predict --model "$tmp/m3" |
  grep -qE "out_of_scope: [01]\.[0-9]{4} \((yes|no): threshold 0\.4000\)$" &&
  "$bin" info --model "$corpus/mlp.model" | grep -q "^out of scope: no detector: never out of scope" &&
  echo "lost card" | "$bin" predict --model "$corpus/mlp.model" | grep -q "out_of_scope: .*(no threshold)$"; then
  echo "ok: out-of-scope threshold in info and predict; a version-2 file is never out of scope"
else
  echo "FAIL: out-of-scope lines of info / predict" >&2
  "$bin" info --model "$tmp/m3" >&2
  failures=$((failures + 1))
fi
# Same seed, same data: byte-identical model files.
"$bin" train --data "$tmp/tiny.csv" --model "$tmp/m2" --holdout 0.25 --seed 1 --epochs 5 >/dev/null
if cmp -s "$tmp/m" "$tmp/m2"; then
  echo "ok: deterministic model file"
else
  echo "FAIL: two trainings with seed 1 differ" >&2
  failures=$((failures + 1))
fi

[[ $failures -eq 0 ]] && echo "cli_errors: ok"
exit $((failures > 0))
