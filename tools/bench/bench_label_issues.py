"""Side-by-side benchmark: triage's confident learning against cleanlab's
`filter.find_label_issues` on the same seeded 1,000,000 x 10 noisy predictions.

Usage (from the repository root):
    python -m venv .venv && .venv/bin/pip install -r tools/bench/requirements.txt
    .venv/bin/python tools/bench/bench_label_issues.py [--n 1000000] [--k 10] [--n-jobs N]

It draws true labels, flips them through a random noise matrix (20 % of the
mass off the diagonal), draws float64 softmax probabilities that lean to the
true label, and writes `labels.npy` (int64) and `probs.npy` (float64, n x K)
to a temporary directory. It times `cleanlab.filter.find_label_issues` with
its default settings (a boolean mask; `n_jobs` left to cleanlab unless
--n-jobs is given: cleanlab then uses the physical cores if psutil is
installed, else the logical ones, and forks a multiprocessing pool), best of
--repeats. Then it runs
`cargo run --release -p triage-stats --example bench_label_issues -- DIR`
(or the prebuilt binary named by $TRIAGE_BENCH_LABEL_ISSUES_BIN), which
times triage's `find_label_issues` (default settings, best of 3, rayon on all
cores), checks that triage flags the same examples as cleanlab and ranks them
in the same order (cleanlab's `return_indices_ranked_by="self_confidence"`),
and prints the figures and the ratio as JSON. The reference for the check is
cleanlab run (untimed) with `np.argsort` defaulting to a stable sort, the tie
order triage follows; how many examples the timed default run flags
differently is reported too (numpy's default argsort is unstable, and on x86
machines with AVX2/AVX-512 it orders ties differently even in the rounding of
the calibrated joint).
"""

import argparse
import contextlib
import json
import multiprocessing
import os
import platform
import subprocess
import sys
import tempfile
import time

import numpy as np

import cleanlab
from cleanlab.filter import find_label_issues


@contextlib.contextmanager
def stable_argsort():
    """np.argsort defaulting to kind="stable" (cleanlab calls np.argsort)."""
    original = np.argsort

    def argsort(a, axis=-1, kind=None, order=None, **kw):
        return original(a, axis=axis, kind="stable" if kind is None else kind, order=order, **kw)

    np.argsort = argsort
    try:
        yield
    finally:
        np.argsort = original


def make_data(n, k, seed=0, rate=0.2):
    rng = np.random.default_rng(seed)
    nm = np.zeros((k, k))
    for j in range(k):
        nm[np.arange(k) != j, j] = rate * rng.dirichlet(np.ones(k - 1))
        nm[j, j] = 1.0 - rate
    y_true = rng.integers(0, k, n)
    cum = nm.cumsum(axis=0)[:, y_true].T
    given = np.minimum((rng.random(n)[:, None] > cum).sum(axis=1), k - 1)
    z = rng.normal(size=(n, k))
    z[np.arange(n), y_true] += 2.5
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    return given.astype(np.int64), np.ascontiguousarray(p, dtype=np.float64)


def cleanlab_default_n_jobs():
    """The n_jobs cleanlab 2.9's find_label_issues picks when given None."""
    try:
        import psutil  # noqa: F401

        jobs = psutil.cpu_count(logical=False)
        how = "psutil physical cores"
    except ImportError:
        jobs, how = None, "no psutil"
    if not jobs:
        jobs, how = multiprocessing.cpu_count(), f"{how}: logical cores"
    return jobs, how


def run_triage(directory):
    binary = os.environ.get("TRIAGE_BENCH_LABEL_ISSUES_BIN")
    if binary:
        cmd = [binary, directory]
    else:
        cmd = [
            "cargo", "run", "--quiet", "--release", "-p", "triage-stats",
            "--example", "bench_label_issues", "--", directory,
        ]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--n-jobs", type=int, default=None,
                    help="passed to cleanlab (default: cleanlab's own choice)")
    args = ap.parse_args()

    labels, probs = make_data(args.n, args.k, args.seed)
    with tempfile.TemporaryDirectory(prefix="bench_label_issues_") as d:
        np.save(os.path.join(d, "labels.npy"), labels)
        np.save(os.path.join(d, "probs.npy"), probs)

        times, mask = [], None
        for _ in range(args.repeats):
            t = time.perf_counter()
            mask = find_label_issues(labels, probs, n_jobs=args.n_jobs)
            times.append(time.perf_counter() - t)
        cl_seconds = min(times)
        # The reference results: cleanlab with np.argsort made stable, the
        # tie order triage follows (numpy's default argsort is unstable; on
        # x86 machines with AVX2/AVX-512 its SIMD sort orders equal values
        # differently, even among the K cells of a calibrated-joint row).
        with stable_argsort():
            stable_mask = find_label_issues(labels, probs, n_jobs=args.n_jobs)
            ranked = find_label_issues(
                labels, probs, n_jobs=args.n_jobs, return_indices_ranked_by="self_confidence"
            )

        tri = run_triage(d)
        tri_ranked = np.loadtxt(tri["ranked_path"], dtype=np.int64, ndmin=1)

    tri_mask = np.zeros(args.n, dtype=bool)
    tri_mask[tri_ranked] = True
    same_issues = bool(np.array_equal(tri_mask, stable_mask))
    same_order = bool(np.array_equal(tri_ranked, ranked))
    differ_default = int((tri_mask != mask).sum())
    if args.n_jobs is None:
        jobs, how = cleanlab_default_n_jobs()
        n_jobs = {"value": jobs, "how": f"cleanlab default ({how})"}
    else:
        n_jobs = {"value": args.n_jobs, "how": "--n-jobs"}
    report = {
        "n": args.n,
        "k": args.k,
        "cleanlab": cleanlab.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "cleanlab_n_jobs": n_jobs,
        "cleanlab_seconds": cl_seconds,
        "cleanlab_all_seconds": times,
        "cleanlab_n_issues": int(mask.sum()),
        "triage_seconds": tri["seconds"],
        "triage_threads": tri["threads"],
        "triage_n_issues": tri["n_issues"],
        "same_issues_as_cleanlab_stable_argsort": same_issues,
        "same_order_as_cleanlab_stable_argsort": same_order,
        "examples_differing_from_cleanlab_default_argsort": differ_default,
        "ratio": cl_seconds / tri["seconds"],
    }
    print(json.dumps(report, indent=2))
    if not (same_issues and same_order):
        print("MISMATCH: triage and cleanlab (stable argsort) differ", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
