#!/usr/bin/env python3
"""Side-by-side benchmark: the MMD permutation test of alibi-detect's
`MMDDrift` (TensorFlow backend) against `triage shift --tests mmd`, on the
same seeded 5,000 x 128 float32 reference and test sets, 1,000 permutations.

Usage (from the repository root; alibi-detect pins numpy < 2, so it has its
own venv, see tools/bench/alibi/requirements.txt):

    python3 -m venv tools/bench/alibi/.venv
    tools/bench/alibi/.venv/bin/pip install -r tools/bench/alibi/requirements.txt
    cargo build --release -p triage-cli          # or: TRIAGE_BIN=/path/to/triage
    tools/bench/alibi/.venv/bin/python tools/bench/bench_shift.py [--repeats 3]

    # alibi side only (no triage binary needed), e.g. fewer permutations:
    tools/bench/alibi/.venv/bin/python tools/bench/bench_shift.py --alibi-only \
        --alibi-permutations 100

Data: x ~ N(0, I_128) (the reference / source), y ~ N(0.05 * 1, I_128) (the
test / target), float32, drawn with numpy's default_rng(--seed), written as
`x.npy`, `y.npy` to a temporary directory.

alibi side: `MMDDrift(x, backend="tensorflow", p_val=0.05,
n_permutations=B).predict(y)`, timed in two parts. Construction infers the
kernel bandwidth (alibi's default `configure_kernel_from_x_ref=True`: median
heuristic on x only, see below) and computes the 5,000 x 5,000 k(x, x);
`predict` computes k(x, y) and k(y, y), assembles the 10,000 x 10,000 kernel
matrix and runs the B permutations (each a `tf.gather` of rows and columns of
that matrix, drawn with numpy's global RNG, seeded here with --seed). It
is also timed with one permutation, which gives the per-permutation cost
((t_B - t_1) / (B - 1)) and the extrapolation to --permutations when
--alibi-permutations is smaller (then "extrapolated": true in the output).
alibi runs once by default (--alibi-repeats), after a warm-up and the
one-permutation run (two extra constructions, ~25 s here).

Measured on the 2-core development machine (2026-12-03, load average ~3.9
from a concurrent cargo build, so alibi had about one core): construction
8.7 s, predict with 100 permutations 196 s, 1.93 s per permutation, hence
~1,940 s (32 min) extrapolated for 1,000 -- so on this machine run alibi with
`--alibi-permutations 100` (about 4.5 minutes in all) and read
`total_seconds_extrapolated`. The per-permutation cost is two `tf.gather`
copies of the 400 MB float32 kernel matrix into freshly allocated buffers
(31 million minor page faults, 40 % of the CPU time in the kernel).

alibi's conventions (alibi-detect 0.13, utils/tensorflow/kernels.py and
cd/tensorflow/mmd.py):
  * k(a, b) = exp(-||a - b||^2 / (2 sigma^2)); `kernel.sigma` is sigma, so
    sigma^2 = sigma ** 2 is reported here (triage reports sigma^2);
  * sigma^2 = (lower median of ||x_i - x_j||^2 over the pairs i < j of the
    REFERENCE set only) / 2, in float32 -- not the pooled sample, and the
    lower middle value, not the mean of the two middle ones;
  * MMD^2 is the unbiased estimator (zero diagonal, 1/(n(n-1)) within,
    2/(nm) across), summed in float32;
  * p = (number of permutations with MMD^2_perm >= MMD^2_obs) / B, i.e. k/B
    (can be exactly 0), not (k + 1) / (B + 1).
The script also computes, in float64 numpy (untimed; --no-reference skips
it), the pooled-median sigma^2 (mean of the two middle values) and alibi's
reference-only lower-median sigma^2, and the unbiased MMD^2 at both, to put
the two tools' figures side by side.

triage side: `$TRIAGE_BIN shift --source-embeddings x.npy --target-embeddings y.npy --tests mmd
--permutations B --max-per-side 5000 --json --no-progress` (TRIAGE_BIN defaults to
$CARGO_TARGET_DIR/release/triage, else target/release/triage), wall-clock
(process start to exit, including reading the .npy files), best of
--repeats. MMD^2, p-value, sigma^2 (and the seconds triage reports for the
test, the point counts and the dimension) are read from its JSON on stdout;
the key paths tried are in TRIAGE_KEYS below. triage's p-value is
(1 + k) / (1 + B), alibi's k / B: with no exceedance they are 1/1001 and 0.

The JSON printed at the end has both timings, the ratio alibi / triage, the
figures of both, the versions, the machine's cores and its load average
(`os.getloadavg()`) before and after each side.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]

# ---------------------------------------------------------------------------
# triage's JSON: where to find the figures. ADJUST HERE when the document of
# `triage shift --json` settles. Each entry lists dotted paths tried in
# order; a path component that meets a list matches the element whose
# "name" / "test" / "kind" equals it (e.g. "tests.mmd.mmd2" also finds
# {"tests": [{"name": "mmd", "mmd2": ...}]}). If no path matches, the first
# object anywhere in the document holding the last key is used, and the
# report says "found_by": "search".
# ---------------------------------------------------------------------------
TRIAGE_KEYS = {
    "mmd2": ["mmd.mmd2", "tests.mmd.mmd2", "results.mmd.mmd2", "mmd.statistic", "mmd.mmd2_unbiased"],
    "p_value": ["mmd.p_value", "tests.mmd.p_value", "results.mmd.p_value", "mmd.pvalue", "mmd.p"],
    "sigma2": ["mmd.sigma2", "tests.mmd.sigma2", "results.mmd.sigma2", "mmd.bandwidth_sigma2"],
    "permutations": ["mmd.permutations", "tests.mmd.permutations", "mmd.n_permutations"],
    "seconds": ["mmd.seconds", "timings.mmd", "seconds", "elapsed_s"],
    "n_source": ["mmd.n_source", "tests.mmd.n_source"],
    "n_target": ["mmd.n_target", "tests.mmd.n_target"],
    "dims": ["mmd.dims", "tests.mmd.dims"],
    "representation": ["mmd.representation", "tests.mmd.representation"],
}


def _step(node, key):
    if isinstance(node, dict):
        return node[key] if key in node else KeyError
    if isinstance(node, list):
        for item in node:
            if isinstance(item, dict) and key in (item.get("name"), item.get("test"), item.get("kind")):
                return item
        if key.isdigit() and int(key) < len(node):
            return node[int(key)]
    return KeyError


def _search(node, key):
    if isinstance(node, dict):
        if key in node:
            return node[key]
        children = node.values()
    elif isinstance(node, list):
        children = node
    else:
        return KeyError
    for child in children:
        found = _search(child, key)
        if found is not KeyError:
            return found
    return KeyError


def parse_json_stdout(text):
    """The whole of stdout as one JSON document, else the last line that is one."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        for line in reversed(text.strip().splitlines()):
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                continue
    raise SystemExit("no JSON document on triage's stdout:\n" + text[-2000:])


def lookup(doc, paths):
    """(value, how) for the first dotted path that resolves; (None, None) if none."""
    for path in paths:
        node = doc
        for key in path.split("."):
            node = _step(node, key)
            if node is KeyError:
                break
        if node is not KeyError:
            return node, path
    found = _search(doc, paths[0].split(".")[-1])
    if found is not KeyError:
        return found, "search"
    return None, None


# ---------------------------------------------------------------------------
# Data and references
# ---------------------------------------------------------------------------


def make_data(n, d, shift, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d), dtype=np.float32)
    y = rng.standard_normal((n, d), dtype=np.float32) + np.float32(shift)
    return x, y


def sq_dists(a, b):
    """Squared Euclidean distances in float64 (rows of a vs rows of b)."""
    a = a.astype(np.float64)
    b = b.astype(np.float64)
    d = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2.0 * (a @ b.T)
    return np.maximum(d, 0.0)


def upper_pairs(z):
    d = sq_dists(z, z)
    return d[np.triu_indices(len(z), 1)]


def mmd2_unbiased(x, y, sigma2, block=2000):
    """Unbiased MMD^2 with a Gaussian kernel, float64, in blocks."""

    def ksum(a, b, same):
        total = 0.0
        for i in range(0, len(a), block):
            k = np.exp(-sq_dists(a[i:i + block], b) / (2.0 * sigma2))
            if same:
                k[np.arange(k.shape[0]), np.arange(i, i + k.shape[0])] = 0.0
            total += k.sum()
        return total

    m, n = len(x), len(y)
    return (ksum(x, x, True) / (m * (m - 1)) + ksum(y, y, True) / (n * (n - 1))
            - 2.0 * ksum(x, y, False) / (m * n))


def references(x, y):
    px = upper_pairs(x)
    pooled = upper_pairs(np.concatenate([x, y]))
    s_pooled = float(np.median(pooled)) / 2.0
    del pooled
    s_alibi = float(np.sort(px)[(len(px) - 1) // 2]) / 2.0  # lower median, reference only
    return {
        "sigma2_pooled_median": s_pooled,
        "sigma2_reference_lower_median": s_alibi,
        "mmd2_at_sigma2_pooled_median": mmd2_unbiased(x, y, s_pooled),
        "mmd2_at_sigma2_reference_lower_median": mmd2_unbiased(x, y, s_alibi),
        "note": "float64 numpy; the unbiased MMD^2; median of ||z_i - z_j||^2 over i<j, halved",
    }


# ---------------------------------------------------------------------------
# The two sides
# ---------------------------------------------------------------------------


def load():
    return list(os.getloadavg())


def run_alibi(x, y, permutations, seed, repeats):
    import tensorflow as tf
    from alibi_detect.cd import MMDDrift

    def once(b):
        np.random.seed(seed)
        t0 = time.perf_counter()
        cd = MMDDrift(x, backend="tensorflow", p_val=0.05, n_permutations=b)
        t1 = time.perf_counter()
        res = cd.predict(y)
        t2 = time.perf_counter()
        sigma = np.asarray(cd._detector.kernel.sigma.numpy(), dtype=np.float64)
        return t1 - t0, t2 - t1, res["data"], sigma

    once(1)  # warm-up: TensorFlow's first graph/kernel set-up
    load_before = load()
    one_init, one_predict, _, _ = once(1)
    runs = [once(permutations) for _ in range(repeats)]
    load_after = load()
    best = min(range(repeats), key=lambda i: runs[i][0] + runs[i][1])
    init_s, predict_s, data, sigma = runs[best]
    per_perm = (predict_s - one_predict) / (permutations - 1) if permutations > 1 else None
    return {
        "backend": "tensorflow",
        "tensorflow": tf.__version__,
        "tf_threads": {"intra_op": tf.config.threading.get_intra_op_parallelism_threads(),
                       "inter_op": tf.config.threading.get_inter_op_parallelism_threads(),
                       "note": "0 = TensorFlow's default (all cores)"},
        "permutations": permutations,
        "init_seconds": init_s,
        "predict_seconds": predict_s,
        "total_seconds": init_s + predict_s,
        "all_runs": [{"init_seconds": r[0], "predict_seconds": r[1]} for r in runs],
        "one_permutation": {"init_seconds": one_init, "predict_seconds": one_predict},
        "per_permutation_seconds": per_perm,
        "mmd2": float(data["distance"]),
        "p_value": float(data["p_val"]),
        "distance_threshold": float(data["distance_threshold"]),
        "is_drift": int(data["is_drift"]),
        "sigma": sigma.tolist(),
        "sigma2": (sigma ** 2).tolist(),
        "load_avg_before": load_before,
        "load_avg_after": load_after,
    }


def triage_binary():
    if os.environ.get("TRIAGE_BIN"):
        return Path(os.environ["TRIAGE_BIN"])
    target = Path(os.environ["CARGO_TARGET_DIR"]) if os.environ.get("CARGO_TARGET_DIR") else ROOT / "target"
    return target / "release" / "triage"


def run_triage(binary, directory, permutations, max_per_side, repeats):
    cmd = [
        str(binary), "shift",
        "--source-embeddings", str(directory / "x.npy"),
        "--target-embeddings", str(directory / "y.npy"),
        "--tests", "mmd",
        "--permutations", str(permutations),
        "--max-per-side", str(max_per_side),
        "--json",
        "--no-progress",
    ]
    load_before = load()
    times, out = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
        times.append(time.perf_counter() - t)
        if proc.returncode != 0:
            sys.stderr.write(proc.stderr)
            raise SystemExit(f"triage exited with {proc.returncode}: {' '.join(cmd)}")
        out = proc.stdout
    load_after = load()
    doc = parse_json_stdout(out)
    figures, found = {}, {}
    for name, paths in TRIAGE_KEYS.items():
        figures[name], found[name] = lookup(doc, paths)
    return {
        "command": cmd,
        "seconds": min(times),
        "all_seconds": times,
        **{k: figures[k] for k in ("mmd2", "p_value", "sigma2", "permutations",
                                   "n_source", "n_target", "dims", "representation")},
        "reported_seconds": figures["seconds"],
        "found_by": found,
        "load_avg_before": load_before,
        "load_avg_after": load_after,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=5000, help="points per side")
    ap.add_argument("--d", type=int, default=128)
    ap.add_argument("--shift", type=float, default=0.05, help="mean shift of y in every coordinate")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--permutations", type=int, default=1000)
    ap.add_argument("--alibi-permutations", type=int, default=None,
                    help="permutations for alibi (default --permutations); fewer -> extrapolated")
    ap.add_argument("--repeats", type=int, default=3, help="triage runs, best taken")
    ap.add_argument("--alibi-repeats", type=int, default=1, help="alibi runs, best taken")
    ap.add_argument("--alibi-only", action="store_true", help="skip triage")
    ap.add_argument("--no-reference", action="store_true", help="skip the float64 numpy references")
    args = ap.parse_args()
    b_alibi = args.alibi_permutations or args.permutations

    binary = None
    if not args.alibi_only:
        binary = triage_binary()
        if not binary.exists():
            raise SystemExit(f"no triage binary at {binary} (set TRIAGE_BIN, or use --alibi-only)")

    import alibi_detect
    import scipy

    x, y = make_data(args.n, args.d, args.shift, args.seed)
    report = {
        "data": {"n_per_side": args.n, "d": args.d, "shift": args.shift, "seed": args.seed,
                 "dtype": "float32", "x": "N(0, I)", "y": f"N({args.shift} * 1, I)"},
        "permutations": args.permutations,
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                    "processor": platform.processor() or platform.machine()},
        "versions": {"alibi_detect": alibi_detect.__version__, "numpy": np.__version__,
                     "scipy": scipy.__version__, "python": platform.python_version()},
    }
    with tempfile.TemporaryDirectory(prefix="bench_shift_") as d:
        d = Path(d)
        np.save(d / "x.npy", x)
        np.save(d / "y.npy", y)
        if binary is not None:
            tri = run_triage(binary, d, args.permutations, args.n, args.repeats)
            report["triage"] = tri
        al = run_alibi(x, y, b_alibi, args.seed, args.alibi_repeats)
        extrapolated = b_alibi != args.permutations
        if extrapolated:
            al["extrapolated"] = True
            al["total_seconds_extrapolated"] = (
                al["init_seconds"] + al["one_permutation"]["predict_seconds"]
                + (args.permutations - 1) * al["per_permutation_seconds"]
            )
            al["note"] = (f"alibi ran {b_alibi} permutations; total_seconds_extrapolated is "
                          f"init + predict(1) + {args.permutations - 1} x per_permutation_seconds")
        else:
            al["extrapolated"] = False
        report["alibi"] = al
        if binary is not None:
            alibi_s = al["total_seconds_extrapolated"] if extrapolated else al["total_seconds"]
            report["ratio_alibi_over_triage"] = alibi_s / tri["seconds"]
            if isinstance(tri["reported_seconds"], (int, float)) and tri["reported_seconds"] > 0:
                # alibi's construction + predict against the seconds triage reports for the test
                report["ratio_alibi_over_triage_test_seconds"] = alibi_s / tri["reported_seconds"]
    if not args.no_reference:
        report["reference_float64"] = references(x, y)
    report["load_avg_end"] = load()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
