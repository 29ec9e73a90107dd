#!/usr/bin/env bash
# Prepare a fresh Debian machine for triage: check the Rust toolchain and
# install what the checks need beyond it (Chromium for tools/browser_check.sh,
# Chromium's WebDriver for tools/label_browser_check.py, Slurm and munge for
# the single-node cluster of tools/slurm_check.sh, and kubernetes-validate
# in tools/cluster/.venv for tools/k8s_check.sh).
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
for tool in slurmctld slurmd sbatch munged; do
    if ! command -v "$tool" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$tool" ]; then
        missing+=(slurmctld slurmd slurm-client munge)   # tools/slurm_check.sh
        break
    fi
done
if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
    missing+=(python3-venv)   # tools/cluster/.venv
fi
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    as_root apt-get update
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
fi

# kubernetes-validate (its bundled API schemas validate the Kubernetes
# manifest of `triage sweep --emit k8s` offline).
venv="$(dirname "$0")/cluster/.venv"
if [ -x "$venv/bin/kubernetes-validate" ]; then
    echo "setup: kubernetes-validate ok"
else
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet -r "$(dirname "$0")/cluster/requirements.txt"
    echo "setup: kubernetes-validate installed in $venv"
fi
