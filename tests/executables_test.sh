#!/usr/bin/env bash
# Every executable the project ships answers --version (its name, the project version and the
# git commit) and --help (a usage text) with exit status 0.
# usage: executables_test.sh BIN_DIR NAME...
set -uo pipefail
bin=$1
shift
fail=0
for name in "$@"; do
  exe="$bin/$name"
  if [[ ! -x "$exe" ]]; then
    echo "FAIL $name: not built at $exe"
    fail=1
    continue
  fi
  out=$("$exe" --version 2>&1)
  status=$?
  if [[ $status -ne 0 ]]; then
    echo "FAIL $name --version: exit $status: $out"
    fail=1
  elif ! grep -Eq "^$name [0-9]+\.[0-9]+\.[0-9]+ \(commit ([0-9a-f]{7,}(-dirty)?|unknown)\)$" <<<"$out"; then
    echo "FAIL $name --version printed: $out"
    fail=1
  fi
  out=$("$exe" --help 2>&1)
  status=$?
  if [[ $status -ne 0 ]]; then
    echo "FAIL $name --help: exit $status: $(head -3 <<<"$out")"
    fail=1
  elif ! grep -qi "usage" <<<"$out"; then
    echo "FAIL $name --help printed no usage: $(head -3 <<<"$out")"
    fail=1
  fi
  [[ $fail -eq 0 ]] && echo "ok $name: $("$exe" --version 2>&1)"
done
# Every omniroute-* executable in BIN_DIR is one of NAME...: a new tool cannot be left out.
for exe in "$bin"/omniroute-*; do
  listed=0
  for name in "$@"; do [[ $(basename "$exe") == "$name" ]] && listed=1; done
  if [[ $listed -eq 0 ]]; then
    echo "FAIL $(basename "$exe"): built but not in the list this test checks (tests/CMakeLists.txt)"
    fail=1
  fi
done
exit $fail
