#!/usr/bin/env python3
"""Generate the confident-learning golden fixtures for triage-stats from cleanlab.

Writes crates/triage-stats/tests/golden/label_issues.json (see README.md).

Every case stores its inputs (`labels`, and the probabilities either as
integer units `proba_units` with p = units / 10**decimals, or, when
`decimals` is null, as float64 `proba` written with repr precision) and what
cleanlab 2.9 computes for them:

  * per case: label counts, per-class thresholds (`count.get_confident_thresholds`),
    the confident joint before and after calibration
    (`count.compute_confident_joint(calibrate=False / True)`), the joint
    (`count.estimate_joint`), the prior and noise matrices of
    `count.estimate_latent(calibrated_joint, labels)` with
    `converge_latent_estimates` False and True, `count.num_label_issues` with
    `estimation_method` "off_diagonal" and "off_diagonal_calibrated", and for
    n <= 2000 the quality scores (`rank.get_label_quality_scores`) and the
    argmax;
  * per run (a filter and its options): the issue indices that
    `filter.find_label_issues` returns ranked by self-confidence and by
    normalized margin.

numpy's default argsort is an unstable quicksort (a SIMD sort on AVX-512
machines) whose order among equal values depends on the machine; triage
breaks ties by index, as a stable sort does. Every cleanlab call here runs
with `np.argsort` defaulting to `kind="stable"`; each run is also computed
with numpy's own default, and `default_argsort` records whether that gives
the same issues and the same order (on the machine that wrote the file).
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import sys
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_golden import clean, quantize, renormalize, softmax  # noqa: E402

import cleanlab  # noqa: E402
import scipy  # noqa: E402
import sklearn  # noqa: E402
from cleanlab import count, filter as cl_filter, rank  # noqa: E402

SEED = 20_250_301
ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "crates" / "triage-stats" / "tests" / "golden" / "label_issues.json"
FILTERS = [
    "prune_by_noise_rate",
    "prune_by_class",
    "both",
    "confident_learning",
    "predicted_neq_given",
    "low_normalized_margin",
    "low_self_confidence",
]
RANKS = ["self_confidence", "normalized_margin"]
SCORES_UP_TO = 2000

_numpy_argsort = np.argsort


@contextlib.contextmanager
def argsort_kind(stable):
    """Make np.argsort default to kind="stable" (cleanlab calls np.argsort)."""

    def argsort(a, axis=-1, kind=None, order=None, **kw):
        return _numpy_argsort(a, axis=axis, kind="stable" if kind is None else kind, order=order, **kw)

    if stable:
        np.argsort = argsort
    try:
        yield
    finally:
        np.argsort = _numpy_argsort


# --------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------


def noisy(rng, n, k, noise_matrix, prior=None, signal=2.0, sd=1.0):
    """True labels from `prior`, given labels flipped by `noise_matrix`
    (columns P(given | true)), probabilities softmax(signal·onehot(true) + N(0, sd))."""
    nm = np.asarray(noise_matrix, dtype=float)
    assert np.allclose(nm.sum(axis=0), 1.0)
    prior = np.full(k, 1.0 / k) if prior is None else np.asarray(prior, float)
    y_true = rng.choice(k, size=n, p=prior / prior.sum())
    cum = nm.cumsum(axis=0)[:, y_true].T  # (n, k): CDF of the given label
    u = rng.random(n)
    given = np.minimum((u[:, None] > cum).sum(axis=1), k - 1)
    z = rng.normal(0.0, sd, size=(n, k))
    z[np.arange(n), y_true] += signal
    return given, softmax(z), nm


def symmetric_noise(k, rate):
    nm = np.full((k, k), rate / (k - 1))
    np.fill_diagonal(nm, 1.0 - rate)
    return nm


def random_noise(rng, k, rate):
    """Column-stochastic noise matrix with off-diagonal mass `rate` spread at random."""
    nm = np.zeros((k, k))
    for j in range(k):
        w = rng.dirichlet(np.ones(k - 1))
        nm[np.arange(k) != j, j] = rate * w
        nm[j, j] = 1.0 - rate
    return nm


DEFAULT_RUNS = [{"filter_by": f} for f in FILTERS]


def cases(rng):
    """Yield (name, note, labels, probs, decimals, true noise matrix or None, runs)."""
    q = quantize

    y, p, nm = noisy(rng, 20, 2, [[0.8, 0.2], [0.2, 0.8]], signal=1.5)
    yield "k2_n20", "smallest case", y, q(p, 2), 2, nm, DEFAULT_RUNS

    y, p, nm = noisy(rng, 600, 2, [[0.9, 0.3], [0.1, 0.7]], prior=[0.7, 0.3], signal=1.8)
    yield "k2_n600_asymmetric", "asymmetric noise, imbalanced prior", y, q(p, 4), 4, nm, DEFAULT_RUNS

    y, p, nm = noisy(rng, 300, 3, symmetric_noise(3, 0.2), signal=1.2)
    yield "k3_n300_ties_1dec", "probabilities to 1 decimal: ties everywhere", y, q(p, 1), 1, nm, (
        DEFAULT_RUNS + [{"filter_by": "prune_by_noise_rate", "min_examples_per_class": 40}]
    )

    nm3 = [[0.85, 0.1, 0.25], [0.1, 0.8, 0.05], [0.05, 0.1, 0.7]]
    y, p, nm = noisy(rng, 2000, 3, nm3, prior=[0.5, 0.3, 0.2], signal=2.2)
    yield "k3_n2000", "asymmetric noise", y, q(p, 3), 3, nm, DEFAULT_RUNS + [
        {"filter_by": "prune_by_noise_rate", "frac_noise": 0.5},
        {"filter_by": "prune_by_class", "frac_noise": 0.5},
        {"filter_by": "both", "frac_noise": 0.25},
    ]

    # Class 2 is never given: its threshold is 2 and nothing is counted in it.
    y, p, nm = noisy(rng, 400, 3, [[0.9, 0.2, 0.5], [0.1, 0.8, 0.5], [0.0, 0.0, 0.0]], signal=2.0)
    assert not (y == 2).any()
    yield "k3_n400_class2_never_given", "class 2 absent from the labels", y, q(p, 3), 3, nm, DEFAULT_RUNS

    # Class 2 is given but never the confident guess: every example confident
    # in class 2 is more confident in another class.
    n = 300
    y_true = rng.integers(0, 2, n)
    given = y_true.copy()
    flip = rng.random(n) < 0.15
    given[flip] = 2
    p = np.empty((n, 3))
    p[:, 2] = np.where(given == 2, 0.15, 0.05)
    main = np.where(given == 2, 0.8, rng.uniform(0.55, 0.9, n))
    p[np.arange(n), y_true] = main
    p[np.arange(n), 1 - y_true] = 1.0 - main - p[:, 2]
    yield "k3_n300_class2_never_guessed", "class 2 given, never confidently guessed", given, q(p, 2), 2, None, (
        DEFAULT_RUNS
    )

    # One-hot probabilities equal to the labels: no issues anywhere.
    y = rng.integers(0, 3, 60)
    yield "k3_n60_perfect_onehot", "probabilities one-hot on the given label", y, np.eye(3)[y], 0, None, DEFAULT_RUNS

    # Rare classes: a class with a single example, one with 3, min_examples_per_class options.
    y, p, nm = noisy(rng, 1000, 4, random_noise(rng, 4, 0.2), prior=[0.5, 0.4, 0.095, 0.005], signal=2.0)
    y[np.flatnonzero(y == 3)] = 0
    y[rng.choice(np.flatnonzero(y == 0), 1, replace=False)] = 3
    assert (y == 3).sum() == 1
    yield "k4_n1000_rare_classes", "class 3 has one example", y, q(p, 4), 4, None, DEFAULT_RUNS + [
        {"filter_by": f, "min_examples_per_class": m}
        for f in ["prune_by_noise_rate", "prune_by_class", "both"]
        for m in [0, 5, 120]
    ]

    # Uniform rows among confident ones: ties in argmax and margins.
    y, p, nm = noisy(rng, 200, 5, symmetric_noise(5, 0.25), signal=1.5)
    p = q(p, 2)
    p[rng.random(200) < 0.2] = 0.2
    yield "k5_n200_uniform_rows", "a fifth of the rows uniform (all classes tied)", y, p, 2, nm, DEFAULT_RUNS

    y, p, nm = noisy(rng, 1000, 10, random_noise(rng, 10, 0.2), signal=2.5)
    yield "k10_n1000_fullprec", "float64 softmax outputs, renormalised, repr", y, renormalize(p), None, nm, (
        DEFAULT_RUNS
    )

    y, p, nm = noisy(rng, 3000, 10, random_noise(rng, 10, 0.3), signal=2.0, sd=1.2)
    yield "k10_n3000_frac_noise", "heavy noise; frac_noise and min_examples options", y, q(p, 3), 3, nm, (
        DEFAULT_RUNS
        + [{"filter_by": f, "frac_noise": fr} for f in ["prune_by_noise_rate", "both"] for fr in [0.0, 0.3, 0.7]]
        + [{"filter_by": "prune_by_class", "frac_noise": 0.6, "min_examples_per_class": 300}]
    )

    prior = np.linspace(1.0, 3.0, 10)
    y, p, nm = noisy(rng, 20_000, 10, random_noise(rng, 10, 0.15), prior=prior, signal=2.5)
    yield "k10_n20000", "largest case", y, q(p, 3), 3, nm, DEFAULT_RUNS


# --------------------------------------------------------------------------
# Reference values
# --------------------------------------------------------------------------


def latent(cj, y, converge):
    py, nm, inv = count.estimate_latent(cj, y, converge_latent_estimates=converge)
    return {"true_label_prior": py, "noise_matrix": nm, "inverse_noise_matrix": inv}


def per_case(y, p):
    n, k = p.shape
    cj_raw = count.compute_confident_joint(y, p, calibrate=False)
    cj = count.compute_confident_joint(y, p)
    e = {
        "label_counts": np.bincount(y, minlength=k),
        "thresholds": count.get_confident_thresholds(y, p),
        "confident_joint": cj_raw,
        "calibrated_confident_joint": cj,
        "joint": count.estimate_joint(y, p),
        "latent": latent(cj, y, False),
        "latent_converged": latent(cj, y, True),
        "num_label_issues": int(count.num_label_issues(y, p)),
        "num_label_issues_calibrated": int(
            count.num_label_issues(y, p, estimation_method="off_diagonal_calibrated")
        ),
    }
    assert (cj.sum(axis=1) == e["label_counts"]).all() and cj.sum() == n
    if n <= SCORES_UP_TO:
        e["self_confidence"] = rank.get_label_quality_scores(y, p, method="self_confidence")
        e["normalized_margin"] = rank.get_label_quality_scores(y, p, method="normalized_margin")
        e["suggested_label"] = p.argmax(axis=1)
    return e


def find(y, p, run, ranked_by):
    kw = {k: v for k, v in run.items() if k != "filter_by"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return cl_filter.find_label_issues(
            y, p, filter_by=run["filter_by"], return_indices_ranked_by=ranked_by, n_jobs=1, **kw
        )


def per_run(y, p, run):
    out = dict(run)
    with argsort_kind(stable=True):
        mask = find(y, p, run, None)
        ranked = {r: find(y, p, run, r) for r in RANKS}
    with argsort_kind(stable=False):
        default = {r: find(y, p, run, r) for r in RANKS}
    for r in RANKS:
        assert sorted(ranked[r].tolist()) == np.flatnonzero(mask).tolist(), (run, r)
    out["ranked"] = {r: ranked[r] for r in RANKS}
    same_set = all(set(default[r].tolist()) == set(ranked[r].tolist()) for r in RANKS)
    same_order = all(np.array_equal(default[r], ranked[r]) for r in RANKS)
    out["default_argsort"] = {"same_issues": same_set, "same_order": same_order}
    return out, (same_set, same_order)


def main():
    rng = np.random.default_rng(SEED)
    out = []
    for name, note, y, p, decimals, nm, runs in cases(rng):
        y = np.asarray(y, dtype=np.int64)
        p = np.asarray(p, dtype=np.float64)
        n, k = p.shape
        assert len(y) == n and y.min() >= 0 and y.max() < k
        assert (p >= 0).all() and np.all(np.abs(p.sum(axis=1) - 1.0) <= 1e-12), name
        case = {"name": name, "note": note, "k": k, "n": n, "decimals": decimals}
        if decimals is None:
            case["proba"] = p.tolist()
        else:
            units = np.rint(p * 10**decimals).astype(np.int64)
            assert np.array_equal(units / 10**decimals, p), name  # exact round trip
            case["proba_units"] = units.tolist()
        case["labels"] = y.tolist()
        if nm is not None:
            case["noise_matrix_used"] = nm
        with argsort_kind(stable=True):
            case["expected"] = per_case(y, p)
        results, sets_differ, orders_differ = [], 0, 0
        for run in runs:
            r, (same_set, same_order) = per_run(y, p, run)
            results.append(r)
            sets_differ += not same_set
            orders_differ += not same_order
        case["runs"] = results
        out.append(case)
        print(
            f"{name:34s} n={n:6d} K={k:2d} runs={len(runs):2d} "
            f"(numpy's default argsort: other issues in {sets_differ}, other order in {orders_differ})",
            file=sys.stderr,
        )

    doc = {
        "cleanlab": cleanlab.__version__,
        "numpy": np.__version__,
        "sklearn": sklearn.__version__,
        "scipy": scipy.__version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "seed": SEED,
        "generator": "tools/golden/make_label_issues.py",
        "argsort": "stable (np.argsort patched to kind='stable'); see default_argsort in each run",
        "cases": out,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(clean(arrays_to_lists(doc)), separators=(",", ":"), allow_nan=False)
    text = text.replace(',{"name":', ',\n{"name":')
    OUT.write_text(text + "\n")
    print(f"wrote {OUT} ({os.path.getsize(OUT) / 1e6:.2f} MB, {len(out)} cases)", file=sys.stderr)


def arrays_to_lists(x):
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, dict):
        return {k: arrays_to_lists(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [arrays_to_lists(v) for v in x]
    return x


if __name__ == "__main__":
    main()
