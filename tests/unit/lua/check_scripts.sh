#!/usr/bin/env bash
# Checks every bundled Lua script (each transition script with the includes it names):
#   - it compiles (luac5.1 -p, the Lua of Redis);
#   - it reads no global but those Redis provides and sets none (a helper used before its
#     include, or a missing `local`, would otherwise fail only when that line runs);
#   - every local function of the bundle is used in it (no script carries code it does not use);
#   - no Lua file (script or include) is longer than 150 lines;
#   - the Functions library the services load (every include once, each script a function)
#     compiles (Lua's limits of 200 locals and 60 upvalues per function included) and defines
#     no helper that nothing uses.
#   tests/unit/lua/check_scripts.sh SOURCE_DIR
set -uo pipefail
src=${1:?usage: $0 SOURCE_DIR}
bundler="$src/services/common/redis/lua_bundle.py"
includes="$src/services/common/lua/include"
allowed='^(redis|cjson|cmsgpack|bit|struct|KEYS|ARGV|string|table|math|tonumber|tostring|ipairs|pairs|unpack|type|next|select|error|pcall|assert)$'
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
fail() {
  echo "check_scripts: $*" >&2
  failed=1
}
for f in "$includes"/*.lua "$src"/services/*/lua/*.lua; do
  lines=$(wc -l <"$f")
  [[ $lines -le 150 ]] || fail "${f#$src/} has $lines lines (at most 150)"
done
count=0
for f in "$src"/services/*/lua/*.lua; do
  svc=$(basename "$(dirname "$(dirname "$f")")")
  name="$svc/$(basename "$f" .lua)"
  out="$tmp/${name//\//_}.lua"
  if ! python3 "$bundler" --includes "$includes" --print "$name=$f" >"$out"; then
    fail "$name: bundling failed"
    continue
  fi
  count=$((count + 1))
  if ! luac5.1 -p "$out" 2>"$tmp/err"; then
    fail "$name: does not compile: $(cat "$tmp/err")"
    continue
  fi
  while read -r op global; do
    [[ $op == SETGLOBAL ]] && fail "$name: sets global '$global'"
    [[ $op == GETGLOBAL && ! $global =~ $allowed ]] && fail "$name: reads unknown global '$global'"
  done < <(luac5.1 -l -p "$out" | sed -nE 's/.*\t([GS]ETGLOBAL)\t.*; ([A-Za-z_][A-Za-z0-9_]*)$/\1 \2/p' | sort -u)
  sed -E 's/--.*$//' "$out" >"$out.code"  # comments (and the bundle's headers) are no use
  for fn in $(sed -nE 's/^local function ([A-Za-z_][A-Za-z0-9_]*)\(.*/\1/p' "$out"); do
    uses=$(grep -oE "(^|[^A-Za-z0-9_.:])$fn([^A-Za-z0-9_]|$)" "$out.code" | wc -l)
    [[ $uses -ge 2 ]] || fail "$name: carries local function '$fn' that it never uses"
  done
done
[[ $count -gt 0 ]] || fail "no scripts found under $src/services/*/lua"
pairs=()
for f in "$src"/services/*/lua/*.lua; do
  pairs+=("$(basename "$(dirname "$(dirname "$f")")")/$(basename "$f" .lua)=$f")
done
lib="$tmp/library.lua"
if python3 "$bundler" --includes "$includes" --print-library "${pairs[@]}" >"$lib"; then
  head -1 "$lib" | grep -qE '^#!lua name=omniroute_[0-9a-f]{12}$' || fail "library: bad first line"
  tail -n +2 "$lib" >"$lib.body"
  if luac5.1 -p "$lib.body" 2>"$tmp/err"; then
    sed -E 's/--.*$//' "$lib.body" >"$lib.code"
    for fn in $(sed -nE 's/^local function ([A-Za-z_][A-Za-z0-9_]*)\(.*/\1/p' "$lib.body"); do
      uses=$(grep -oE "(^|[^A-Za-z0-9_.:])$fn([^A-Za-z0-9_]|$)" "$lib.code" | wc -l)
      [[ $uses -ge 2 ]] || fail "library: defines local function '$fn' that nothing uses"
    done
  else
    fail "library: does not compile: $(cat "$tmp/err")"
  fi
else
  fail "library: bundling failed"
fi
[[ $failed -eq 0 ]] && echo "check_scripts: $count bundles ok"
exit $failed
