#!/usr/bin/env bash
# Fails when a tracked C++ file is not clang-format clean (Google style, 100 columns).
set -euo pipefail
cd "$(dirname "$0")/.."
files=$(git ls-files '*.h' '*.cc' 2>/dev/null || find services tests tools load-tests -name '*.h' -o -name '*.cc')
[[ -n "$files" ]] || { echo "format-check: no C++ files found" >&2; exit 1; }
bad=0
for f in $files; do
  if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
    echo "format-check: $f is not formatted (run: make format)" >&2
    bad=1
  fi
done
[[ $bad -eq 0 ]] && echo "format-check: $(echo "$files" | wc -w) files clean"
exit $bad
