#!/bin/sh
# usage: version.sh MOSAIC SOURCE_DIR — `mosaic --version` names the commit the source tree is at now
# (with -dirty when it has changes), not the one it was at when the build was configured.
want=unknown
if [ "$(cd "$(git -C "$2" rev-parse --show-toplevel 2>/dev/null || echo /nonexistent)" 2>/dev/null && pwd -P)" = \
     "$(cd "$2" && pwd -P)" ]; then
    want=$(git -C "$2" rev-parse --short=12 HEAD 2>/dev/null) || want=unknown
fi
got=$("$1" --version) || exit 1
case "$got" in
*"($want)" | *"($want-dirty)") echo "ok: $got" ;;
*) echo "mosaic --version says '$got'; the source tree is at $want"; exit 1 ;;
esac
