#!/usr/bin/env bash
# Every tracked C/C++ file is clang-formatted with the repository's .clang-format.
set -euo pipefail
cd "$1"
command -v clang-format >/dev/null || { echo "clang-format not installed (./hil.sh installs it)" >&2; exit 1; }
files=$(git ls-files '*.c' '*.h' '*.inc' '*.cpp' '*.hpp' 2>/dev/null || find . -name '*.[ch]' -o -name '*.cpp')
bad=$(clang-format --dry-run $files 2>&1 | grep -c "warning:" || true)
if [ "$bad" != "0" ]; then
    clang-format --dry-run $files 2>&1 | grep "warning:" | cut -d: -f1 | sort -u >&2
    echo "FAIL: $bad formatting differences; run clang-format -i on the files above" >&2
    exit 1
fi
echo "all $(wc -w <<<"$files") C/C++ files are clang-formatted"
