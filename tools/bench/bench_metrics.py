"""Side-by-side benchmark: triage vs scikit-learn on the same 1,000,000 x 10
predictions (issue 2).

Usage (from the repository root):
    python -m venv .venv && .venv/bin/pip install -r tools/bench/requirements.txt
    .venv/bin/python tools/bench/bench_metrics.py [--n 1000000] [--k 10] [--sk-resamples 2]

It writes bench-data/bench_{n}x{k}.npz (seeded), times scikit-learn (and a
numpy ECE, Guo et al., 15 bins) in this process, runs
`cargo run --release -p triage-cli --example bench_metrics` on the same file,
checks that both give the same values, and prints the ratios. scikit-learn's
1000-resample bootstrap is extrapolated from --sk-resamples resamples (a full
run takes close to an hour). Both sides use the machine's cores as they do by
default (scikit-learn's metrics are single-threaded; triage uses rayon).
"""

import argparse
import json
import os
import platform
import subprocess
import time

import numpy as np
import sklearn
from sklearn.metrics import log_loss, roc_auc_score


def make_data(n, k, seed=0, decimals=None):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    z = rng.normal(size=(n, k)) * 1.5
    z[np.arange(n), y] += 1.5
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    if decimals is not None:
        # Rounded scores: many ties (sorts get cheaper for numpy).
        p = np.round(p, decimals) + 1e-12
        p /= p.sum(axis=1, keepdims=True)
    return y.astype(np.int64), p


def ece_numpy(y, p, n_bins=15):
    conf = p.max(axis=1)
    pred = p.argmax(axis=1)
    correct = (pred == y).astype(np.float64)
    bounds = np.linspace(0, 1, n_bins + 1)
    idx = np.searchsorted(bounds[1:-1], conf, side="left")
    count = np.bincount(idx, minlength=n_bins)
    sum_conf = np.bincount(idx, weights=conf, minlength=n_bins)
    sum_acc = np.bincount(idx, weights=correct, minlength=n_bins)
    nz = count > 0
    gap = np.abs(sum_acc[nz] / count[nz] - sum_conf[nz] / count[nz])
    return float(np.sum(count[nz] / len(y) * gap))


def timed(f, repeats):
    times, value = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        value = f()
        times.append(time.perf_counter() - t)
    return float(np.median(times)), value


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--sk-resamples", type=int, default=2)
    ap.add_argument("--resamples", type=int, default=1000)
    ap.add_argument("--decimals", type=int, default=None,
                    help="round probabilities to this many decimals (ties); default: none")
    args = ap.parse_args()

    os.makedirs("bench-data", exist_ok=True)
    suffix = "" if args.decimals is None else f"_{args.decimals}dec"
    path = f"bench-data/bench_{args.n}x{args.k}{suffix}.npz"
    y, p = make_data(args.n, args.k, decimals=args.decimals)
    np.savez(path, labels=y, probs=p)
    labels = list(range(args.k))

    sk = {}
    sk["roc_auc_ovr_macro"], v_macro = timed(
        lambda: roc_auc_score(y, p, multi_class="ovr", average="macro", labels=labels),
        args.repeats)
    sk["roc_auc_ovr_micro"], v_micro = timed(
        lambda: roc_auc_score(y, p, multi_class="ovr", average="micro", labels=labels),
        args.repeats)
    sk["log_loss"], v_ll = timed(lambda: log_loss(y, p, labels=labels), args.repeats)
    sk["ece"], v_ece = timed(lambda: ece_numpy(y, p), args.repeats)

    rng = np.random.default_rng(1)
    t = time.perf_counter()
    for _ in range(args.sk_resamples):
        i = rng.integers(0, args.n, args.n)
        float(np.mean(p[i].argmax(axis=1) == y[i]))
        roc_auc_score(y[i], p[i], multi_class="ovr", average="macro", labels=labels)
    per_resample = (time.perf_counter() - t) / args.sk_resamples
    sk["bootstrap_accuracy_and_macro_auc"] = per_resample * args.resamples

    out = subprocess.run(
        ["cargo", "run", "--quiet", "--release", "-p", "triage-cli", "--example",
         "bench_metrics", "--", path, str(args.resamples)],
        check=True, capture_output=True, text=True)
    tr = json.loads(out.stdout)

    for name, ref in [("roc_auc_ovr_macro", v_macro), ("roc_auc_ovr_micro", v_micro),
                      ("log_loss", v_ll), ("ece", v_ece)]:
        got = tr["values"][name]
        assert abs(got - ref) <= 1e-9 * max(1.0, abs(ref)), (name, got, ref)

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
          f"scikit-learn {sklearn.__version__}, numpy {np.__version__}; "
          f"triage threads: {tr['threads']}")
    ties = "continuous scores" if args.decimals is None else f"scores rounded to {args.decimals} decimals"
    print(f"data: n = {args.n}, K = {args.k}, {ties} (values agree to 1e-9)")
    print(f"{'metric':<36} {'scikit-learn s':>15} {'triage s':>10} {'ratio':>8}")
    for name in ["roc_auc_ovr_macro", "roc_auc_ovr_micro", "log_loss", "ece",
                 "bootstrap_accuracy_and_macro_auc"]:
        label = name if name != "bootstrap_accuracy_and_macro_auc" else \
            f"bootstrap x{args.resamples} (acc + macro AUC)"
        print(f"{label:<36} {sk[name]:>15.4f} {tr[name]:>10.4f} {sk[name] / tr[name]:>7.1f}x")
    if args.sk_resamples < args.resamples:
        print(f"(scikit-learn bootstrap extrapolated from {args.sk_resamples} resamples: "
              f"{per_resample:.2f} s each)")


if __name__ == "__main__":
    main()
