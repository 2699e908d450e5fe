#!/usr/bin/env bash
# Fails if any C++ file in the repository differs from clang-format's output
# (Google style, see .clang-format). Fix with:  .ci/check_format.sh --fix
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mapfile -t files < <(git ls-files '*.cc' '*.h' | grep -v '^third_party/')
if [[ "${1:-}" == "--fix" ]]; then
  clang-format -i "${files[@]}"
  exit 0
fi
bad=0
for f in "${files[@]}"; do
  if ! diff -q <(clang-format "$f") "$f" >/dev/null; then
    echo "not clang-formatted: $f" >&2
    bad=1
  fi
done
if ((bad)); then
  echo "run .ci/check_format.sh --fix" >&2
fi
exit "$bad"
