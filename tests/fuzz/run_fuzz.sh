#!/usr/bin/env bash
# One libFuzzer target as a CTest test: replays every committed crasher (each once; they must
# all pass now), then fuzzes for SECONDS starting from the committed seed corpus. Any crash,
# leak, undefined behaviour, slow input (> 10 s) or memory blow-up (> 2 GB) fails the test and
# leaves the input in FINDINGS_DIR. New inputs the run discovers go to a scratch directory, so
# the committed corpus never changes.
# usage: run_fuzz.sh BINARY SEED_DIR CRASHER_DIR SECONDS FINDINGS_DIR
set -euo pipefail
bin=$1 seeds=$2 crashers=$3 seconds=$4 findings=$5
[[ -x "$bin" ]] || { echo "run_fuzz: $bin is not built" >&2; exit 1; }
compgen -G "$seeds/*" >/dev/null || { echo "run_fuzz: no seeds in $seeds" >&2; exit 1; }
mkdir -p "$findings"
if compgen -G "$crashers/*" >/dev/null; then
  echo "run_fuzz: replaying $(ls "$crashers" | wc -l) crasher(s) from $crashers"
  "$bin" "$crashers"/*
fi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$findings/" "$scratch" "$seeds"
