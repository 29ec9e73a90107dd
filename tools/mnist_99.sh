#!/usr/bin/env bash
# The documented MNIST check of the training engine (not run in CI): a
# small ResNet (examples/models/resnet8.toml) trained with SGD + Nesterov
# and one-cycle on MNIST's 60,000 training images (10% held out for
# validation and model selection), then evaluated on the 10,000 test
# images. Target: >= 99.0% test accuracy on a 2-core CPU.
#
# Usage: tools/mnist_99.sh [OUT_DIR] [EPOCHS]   (data: ../shared/data/mnist)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-target/mnist-99}"
epochs="${2:-4}"
data="${MNIST_DIR:-../shared/data/mnist}"
cargo build --release --locked -p triage-cli >&2
triage="${CARGO_TARGET_DIR:-target}/release/triage"
start=$(date +%s)
"$triage" train "$data" --model examples/models/resnet8.toml --optimizer nesterov \
    --schedule one-cycle --lr 0.1 --epochs "$epochs" --batch-size 128 --crop-padding 2 \
    --out "$out/run" --force --no-progress
"$triage" predict "$out/run" "$data" --split test --out "$out/test"
"$triage" evaluate --predictions "$out/test/predictions.csv" --bootstrap 200 --no-progress \
    | tee "$out/evaluate.txt"
echo "wall time: $(( $(date +%s) - start )) s"
