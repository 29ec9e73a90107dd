#!/usr/bin/env bash
# Prepare a fresh Debian machine for triage: check the Rust toolchain and
# install what the checks need beyond it (Chromium for tools/browser_check.sh,
# Chromium's WebDriver for tools/label_browser_check.py).
# Run as root or with sudo available. Idempotent.
set -euo pipefail

MIN_RUST=1.95   # burn 0.22.1's minimum (the other crates need 1.88)

if command -v cargo >/dev/null 2>&1; then
    have=$(rustc --version | awk '{print $2}')
    if [ "$(printf '%s\n%s\n' "$MIN_RUST" "$have" | sort -V | head -n1)" != "$MIN_RUST" ]; then
        echo "setup: rustc $have is older than $MIN_RUST; run: rustup update stable" >&2
        exit 1
    fi
    echo "setup: rustc $have ok"
else
    echo "setup: no Rust toolchain; install it from https://rustup.rs (rustc $MIN_RUST or newer)" >&2
    exit 1
fi

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else
        echo "setup: need root (or sudo) for: $*" >&2; return 1; fi
}

missing=()
if command -v chromium >/dev/null 2>&1; then
    echo "setup: $(chromium --version 2>/dev/null | head -n1) ok"
else
    missing+=(chromium)   # headless browser check of triage report
fi
if command -v chromedriver >/dev/null 2>&1; then
    echo "setup: $(chromedriver --version 2>/dev/null | head -n1) ok"
else
    missing+=(chromium-driver)   # WebDriver check of triage label serve
fi
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    as_root apt-get update
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
fi
