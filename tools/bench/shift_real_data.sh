#!/usr/bin/env bash
# Real-data figures of `triage shift` (README, "Deployment"): an MLP trained on
# MNIST, its predictions and embeddings on MNIST test and USPS test, then
# MNIST -> USPS, a planted label shift (tools/bench/shift_planted_split.py,
# numpy from tools/golden/.venv) and the even/odd split. Outputs in
# $SHIFT_OUT (default /tmp/triage-shift-real).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
T=$CARGO_TARGET_DIR/release/triage
date
cargo build --release --locked -p triage-cli 2>&1 | tail -2
date
R=${SHIFT_OUT:-/tmp/triage-shift-real}
mkdir -p $R
rm -rf $R/usps $R/run $R/pred-*
mkdir -p $R/usps
ln -s $(pwd)/../shared/data/usps/usps-test-images-idx3-ubyte.gz $R/usps/t10k-images-idx3-ubyte.gz
ln -s $(pwd)/../shared/data/usps/usps-test-labels-idx1-ubyte.gz $R/usps/t10k-labels-idx1-ubyte.gz
MNIST=$(pwd)/../shared/data/mnist
/usr/bin/time -f "train %e s" $T train $MNIST --model mlp --optimizer adamw --epochs 3 --out $R/run --no-progress --seed 0 | tail -3
$T predict $R/run $MNIST --split test --out $R/pred-mnist 2>&1 | tail -2
$T predict $R/run $R/usps --out $R/pred-usps 2>&1 | tail -2
$T evaluate --predictions $R/pred-mnist/predictions.csv --json > $R/eval-mnist.json
$T evaluate --predictions $R/pred-usps/predictions.csv --json > $R/eval-usps.json
/usr/bin/time -f "shift %e s" $T shift --source $R/pred-mnist/predictions.csv --target $R/pred-usps/predictions.csv \
  --source-embeddings $R/pred-mnist/embeddings.npy --target-embeddings $R/pred-usps/embeddings.npy \
  --no-progress --json > $R/shift-mnist-usps.json
$T report $R/shift-mnist-usps.json --out $R/shift-mnist-usps.html > $R/report.txt
tools/golden/.venv/bin/python tools/bench/shift_planted_split.py $R
/usr/bin/time -f "shift planted %e s" $T shift --source $R/half-a.csv --target $R/half-b-skew.csv \
  --source-embeddings $R/half-a.npy --target-embeddings $R/half-b-skew.npy --no-progress --json > $R/shift-planted.json
/usr/bin/time -f "shift control %e s" $T shift --source $R/half-a.csv --target $R/half-b.csv \
  --source-embeddings $R/half-a.npy --target-embeddings $R/half-b.npy --no-progress --json > $R/shift-control.json
# Image properties: MNIST (train + test) -> USPS test at 28x28; MNIST train -> test.
mkdir -p $R/mtrain $R/mtest
ln -sf $MNIST/train-images-idx3-ubyte.gz $MNIST/train-labels-idx1-ubyte.gz $R/mtrain/
ln -sf $MNIST/t10k-images-idx3-ubyte.gz $MNIST/t10k-labels-idx1-ubyte.gz $R/mtest/
$T shift --source-data $MNIST --target-data $R/usps --resize 28x28 --no-progress > $R/shift-images-usps.txt
$T shift --source-data $R/mtrain --target-data $R/mtest --no-progress > $R/shift-images-mnist.txt
date
echo ALL DONE
