#!/usr/bin/env bash
# Renders report.html files in headless Chromium and fails on any console message or too few charts.
# A deliberately broken page is rendered first to prove the console check can fail.
# usage: render_report.sh WORK_DIR MIN_CHARTS REPORT.html [REPORT.html ...]
#    or: render_report.sh WORK_DIR MIN_CHARTS --make BINARY   (BINARY --out FILE writes a sample report)
set -euo pipefail
work=$1
min=$2
shift 2
mkdir -p "$work"
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
    echo "chromium not installed: ./hil.sh installs it (package chromium)" >&2
    exit 1
fi
render() { # file -> stdout: DOM; log in $work/log
    timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$(mktemp -d "$work/profile.XXXX")" --enable-logging=stderr --v=0 \
        --dump-dom "file://$(realpath "$1")" 2>"$work/log"
}
console_lines() { grep -E ':CONSOLE[:(]|Uncaught' "$work/log" || true; }

printf '<!DOCTYPE html><html><body><script>console.error("planted");</script></body></html>' >"$work/bad.html"
render "$work/bad.html" >/dev/null
if [ -z "$(console_lines)" ]; then
    echo "FAIL: the console check did not see a planted console.error" >&2
    exit 1
fi
files=("$@")
if [ "${1:-}" = "--make" ]; then
    "$2" --out "$work/report.html" >/dev/null
    files=("$work/report.html")
fi
for f in "${files[@]}"; do
    dom=$(render "$f")
    bad=$(console_lines)
    if [ -n "$bad" ]; then
        echo "FAIL: console messages while rendering $f:" >&2
        echo "$bad" >&2
        exit 1
    fi
    svgs=$(grep -o '<svg' <<<"$dom" | wc -l)
    if [ "$svgs" -lt "$min" ]; then
        echo "FAIL: $f: expected at least $min rendered charts, found $svgs" >&2
        exit 1
    fi
    echo "$f rendered: $svgs charts, no console messages"
done
