#!/usr/bin/env bash
# Renders a sample report.html in headless Chromium and fails on any console message or a missing chart.
# A deliberately broken page is rendered first to prove the console check can fail.
# usage: render_report.sh <test_cosim_report binary> <work dir>
set -euo pipefail
bin=$1
work=$2
mkdir -p "$work"
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
    echo "chromium not installed: ./hil.sh installs it (package chromium)" >&2
    exit 1
fi
render() { # file -> stdout: DOM, stderr log in $work/log
    timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$(mktemp -d "$work/profile.XXXX")" --enable-logging=stderr --v=0 \
        --dump-dom "file://$1" 2>"$work/log"
}
console_lines() { grep -E ':CONSOLE[:(]|Uncaught' "$work/log" || true; }

printf '<!DOCTYPE html><html><body><script>console.error("planted");</script></body></html>' >"$work/bad.html"
render "$work/bad.html" >/dev/null
if [ -z "$(console_lines)" ]; then
    echo "FAIL: the console check did not see a planted console.error" >&2
    exit 1
fi

"$bin" --out "$work/report.html" >/dev/null
dom=$(render "$work/report.html")
bad=$(console_lines)
if [ -n "$bad" ]; then
    echo "FAIL: console messages while rendering report.html:" >&2
    echo "$bad" >&2
    exit 1
fi
svgs=$(grep -o '<svg' <<<"$dom" | wc -l)
if [ "$svgs" -lt 8 ]; then
    echo "FAIL: expected at least 8 rendered charts, found $svgs" >&2
    exit 1
fi
echo "report rendered: $svgs charts, no console messages"
