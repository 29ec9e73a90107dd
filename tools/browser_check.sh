#!/usr/bin/env bash
# Open a triage report in headless Chromium: keep a screenshot and the DOM,
# and fail if the browser logs any console warning/error or a refused load
# (a report must be self-contained and need no JavaScript).
#
#   tools/browser_check.sh REPORT.html OUT_DIR
#
# Writes OUT_DIR/report.png, OUT_DIR/dom.html and OUT_DIR/chromium.log.
# Exit codes: 0 clean, 1 console messages found, 2 usage or browser failure.
set -euo pipefail

if [ $# -ne 2 ]; then
    echo "usage: $0 REPORT.html OUT_DIR" >&2
    exit 2
fi
report=$1
out=$2
browser=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [ -z "$browser" ]; then
    echo "browser_check: chromium not found (install it with tools/setup.sh)" >&2
    exit 2
fi
if [ ! -f "$report" ]; then
    echo "browser_check: no such report: $report" >&2
    exit 2
fi
mkdir -p "$out"
url="file://$(cd "$(dirname "$report")" && pwd)/$(basename "$report")"
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
flags=(--headless=new --no-sandbox --disable-gpu --no-first-run --user-data-dir="$profile"
       --enable-logging=stderr --v=0 --hide-scrollbars)

timeout 120 "$browser" "${flags[@]}" --window-size=1280,4000 \
    --screenshot="$out/report.png" "$url" >"$out/chromium.log" 2>&1 || {
    echo "browser_check: chromium failed; see $out/chromium.log" >&2
    exit 2
}
timeout 120 "$browser" "${flags[@]}" --dump-dom "$url" >"$out/dom.html" 2>>"$out/chromium.log" || {
    echo "browser_check: chromium --dump-dom failed; see $out/chromium.log" >&2
    exit 2
}
if [ ! -s "$out/report.png" ] || ! grep -q "<svg" "$out/dom.html"; then
    echo "browser_check: no screenshot, or the DOM holds no <svg>" >&2
    exit 2
fi
# Console messages (any level from warning up), uncaught exceptions,
# resources refused by the browser (CSP, mixed content, missing files).
if grep -E "CONSOLE|Uncaught|Refused|ERR_FILE_NOT_FOUND|Failed to load" "$out/chromium.log"; then
    echo "browser_check: the page logged console messages or failed loads (above); full log: $out/chromium.log" >&2
    exit 1
fi
echo "browser_check: $report renders cleanly; screenshot $out/report.png"
