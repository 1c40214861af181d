#!/usr/bin/env bash
# CTest (label unit): deploy/docker/check-runtime-packages.sh can fail. On temporary copies of
# the package lists it must pass the real lists, then fail naming the package and the library
# when a needed package is removed, fail on an unneeded package unless it says "# keep: <why>",
# and fail when a binary is missing.
#   tests/deploy/runtime_packages_selftest.sh CHECK BIN_DIR LIST_DIR
set -uo pipefail
check=$1 bin_dir=$2 list_dir=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

fresh_lists() {
  rm -rf "$tmp/lists"
  cp -r "$list_dir" "$tmp/lists"
}

# expect CODE NAME [TEXT...] -- ARGS...: the check exits CODE and its output has every TEXT.
expect() {
  local code=$1 name=$2 texts=() out rc t
  shift 2
  while [[ $1 != -- ]]; do texts+=("$1"); shift; done
  shift
  out=$("$check" "$@" 2>&1)
  rc=$?
  if [[ $rc -eq 77 ]]; then
    echo "SKIP: $out"
    exit 77
  fi
  if [[ $rc -ne $code ]]; then
    echo "FAIL: $name: exit $rc (want $code); output:" >&2
    echo "$out" >&2
    failures=$((failures + 1))
    return
  fi
  for t in "${texts[@]}"; do
    if ! grep -qF -- "$t" <<<"$out"; then
      echo "FAIL: $name: output lacks '$t'; output:" >&2
      echo "$out" >&2
      failures=$((failures + 1))
      return
    fi
  done
  echo "ok: $name -> $code"
}

fresh_lists
expect 0 "the real lists pass" -- "$bin_dir" "$tmp/lists"

# Each package every image needs in turn: removing it from the intake list must be caught.
for pkg in libhiredis0.14 libgrpc++1.51 libc-ares2 libstdc++6 libc6; do
  fresh_lists
  grep -qx "$pkg" "$tmp/lists/intake.txt" || {
    echo "FAIL: $pkg is not in intake.txt, so removing it proves nothing" >&2
    failures=$((failures + 1))
    continue
  }
  grep -vxF "$pkg" "$list_dir/intake.txt" >"$tmp/lists/intake.txt"
  expect 1 "intake without $pkg" "intake: $pkg is missing from" -- "$bin_dir" "$tmp/lists"
done
fresh_lists
sed -i '/^libhiredis0\.14$/d' "$tmp/lists/routing.txt"
expect 1 "routing without libhiredis0.14 names the library and binary" \
  "routing: libhiredis0.14 is missing" "libhiredis.so.0.14 (omniroute-routing)" \
  -- "$bin_dir" "$tmp/lists"

fresh_lists
echo "curl" >>"$tmp/lists/classification.txt"
expect 1 "an unneeded package" "classification: curl is in" "no library of" \
  -- "$bin_dir" "$tmp/lists"
fresh_lists
echo "curl  # keep: only to test the keep note" >>"$tmp/lists/classification.txt"
expect 0 "an unneeded package marked keep" -- "$bin_dir" "$tmp/lists"
fresh_lists
sed -i 's/^tzdata.*/tzdata/' "$tmp/lists/routing.txt"
expect 1 "tzdata without its keep note" "routing: tzdata is in" -- "$bin_dir" "$tmp/lists"

fresh_lists
rm "$tmp/lists/classification.txt"
expect 1 "a missing list" "classification: no package list" -- "$bin_dir" "$tmp/lists"

mkdir "$tmp/bin"
for b in intake classification routing; do ln -s "$bin_dir/omniroute-$b" "$tmp/bin/"; done
fresh_lists
expect 1 "omniroute-health not built" "omniroute-health is missing" -- "$tmp/bin" "$tmp/lists"

[[ $failures -eq 0 ]] || { echo "$failures failure(s)" >&2; exit 1; }
echo "the check fails on every broken list"
