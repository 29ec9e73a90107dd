#!/usr/bin/env bash
# ResNet-20 (batch 128, 3x32x32) training and inference images/s, triage's
# default build (burn 0.22.1 flex) next to PyTorch from PyPI, on the same
# machine and the same 2 threads, run back to back. Prints both RESULT
# lines and the ratios triage/PyTorch.
#
# Usage: tools/bench/run_resnet20.sh [PYTHON]   (PYTHON: a python with torch;
#   default $TORCH_PYTHON or python3; install with
#   `python3 -m venv ~/.venvs/torch && ~/.venvs/torch/bin/pip install torch numpy`)
set -euo pipefail
cd "$(dirname "$0")/../.."
py="${1:-${TORCH_PYTHON:-python3}}"
threads="${THREADS:-2}"
cargo build --release --locked -p triage-nn --example bench_resnet20 >&2
target="${CARGO_TARGET_DIR:-target}"
burn=$(RAYON_NUM_THREADS="$threads" "$target/release/examples/bench_resnet20" 128 10 | grep RESULT)
torch=$(THREADS="$threads" "$py" tools/bench/bench_resnet20.py 128 10 10 | grep RESULT)
echo "$burn"
echo "$torch"
field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<<"$2"; }
python3 - "$(field train_img_s "$burn")" "$(field train_img_s "$torch")" \
    "$(field infer_img_s "$burn")" "$(field infer_img_s "$torch")" <<'PY'
import sys
bt, tt, bi, ti = map(float, sys.argv[1:])
print(f"train: triage {bt:.1f} img/s, PyTorch {tt:.1f} img/s, ratio {bt/tt:.2f}x")
print(f"infer: triage {bi:.1f} img/s, PyTorch {ti:.1f} img/s, ratio {bi/ti:.2f}x")
PY
