#!/usr/bin/env python3
"""Generate golden fixtures for triage-stats from scikit-learn / numpy / scipy.

Writes crates/triage-stats/tests/golden/metrics.json (see README.md).

Every case stores its inputs (`y_true`, `y_proba`) exactly as they were scored:
probabilities are quantised to a fixed number of decimals in integer units (the
largest entry of a row absorbs the rounding residual) so that each value is a
short decimal whose float64 parse is exact and each row sums to 1 within a few
ulps, or, for the "full precision" cases, renormalised in float64 and written
with repr precision. Expected values are what triage-stats must return; where
triage deliberately differs from scikit-learn (an undefined metric), the
expected value is null and scikit-learn's own answer is kept in a side field
ending in `_sklearn`.

Conventions of the JSON:
  * null           <-> triage `Metric::Undefined` / `None` / NaN
  * "inf"          <-> +infinity (the first ROC threshold)
  * ROC / PR curves are stored either as the rates scikit-learn returns
    (`fpr`, `tpr` / `precision`, `recall`) or, for large cases
    (`"compact_curves": true`), as the integer counts (`fps`, `tps`) from which
    scikit-learn computes them by a single division (checked bit-for-bit here
    before writing), to keep the file small.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import warnings
from pathlib import Path

import numpy as np
import scipy
import sklearn
from scipy import optimize, special, stats
from sklearn import metrics as skm

SEED = 20_240_617
N_BINS = 15
BETA_RANGE = (1e-4, 1e4)

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "crates" / "triage-stats" / "tests" / "golden" / "metrics.json"


# --------------------------------------------------------------------------
# JSON helpers
# --------------------------------------------------------------------------


def num(x):
    """A float for JSON: NaN -> None, +inf -> "inf", -inf -> "-inf"."""
    if x is None:
        return None
    x = float(x)
    if np.isnan(x):
        return None
    if np.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def nums(a):
    return [num(v) for v in np.asarray(a, dtype=np.float64).ravel()]


def ints(a):
    return [int(v) for v in np.asarray(a).ravel()]


def quiet(fn, *args, **kwargs):
    """Call a scikit-learn function, returning NaN instead of raising, warnings off."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return fn(*args, **kwargs)
        except ValueError:
            return float("nan")


# --------------------------------------------------------------------------
# Input generation
# --------------------------------------------------------------------------


def softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def quantize(p, decimals):
    """Round rows to `decimals` decimals in integer units summing exactly to
    10**decimals (the row maximum absorbs the residual)."""
    scale = 10**decimals
    units = np.floor(p * scale + 0.5).astype(np.int64)
    residual = scale - units.sum(axis=1)
    top = units.argmax(axis=1)
    units[np.arange(len(units)), top] += residual
    assert (units >= 0).all()
    assert (units.sum(axis=1) == scale).all()
    return units / scale


def renormalize(p):
    return p / p.sum(axis=1, keepdims=True)


def model(rng, n, k, priors=None, signal=1.5, noise=1.0, y=None):
    """Labels from `priors` (or given) and logits = signal·onehot(y) + noise."""
    if y is None:
        priors = np.full(k, 1.0 / k) if priors is None else np.asarray(priors, float)
        y = rng.choice(k, size=n, p=priors / priors.sum())
    z = rng.normal(0.0, noise, size=(n, k))
    z[np.arange(n), y] += signal
    return y, softmax(z)


def draw_from(rng, p):
    """Labels drawn from the rows of p (a calibrated model)."""
    u = rng.random(len(p))
    y = (p.cumsum(axis=1) < u[:, None]).sum(axis=1)
    return np.minimum(y, p.shape[1] - 1)


# --------------------------------------------------------------------------
# Reference computations
# --------------------------------------------------------------------------


def roc_entry(y_bin, score, drop, compact):
    fpr, tpr, thr = skm.roc_curve(y_bin, score, drop_intermediate=drop)
    out = {"thresholds": nums(thr)}
    if compact:
        fps, tps, t = counts_at(y_bin, score)
        if drop and len(fps) > 2:
            keep = np.r_[True, np.logical_or(np.diff(fps, 2), np.diff(tps, 2)), True]
            fps, tps, t = fps[keep], tps[keep], t[keep]
        fps, tps = np.r_[0, fps], np.r_[0, tps]
        assert np.array_equal(np.r_[np.inf, t], thr)
        with np.errstate(invalid="ignore", divide="ignore"):
            assert np.array_equal(fps / fps[-1], fpr, equal_nan=True)
            assert np.array_equal(tps / tps[-1], tpr, equal_nan=True)
        out.update(fps=ints(fps), tps=ints(tps))
    else:
        out.update(fpr=nums(fpr), tpr=nums(tpr))
    return out


def counts_at(y_bin, score):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, fps, _, tps, thr = skm.confusion_matrix_at_thresholds(y_bin, score)
    return np.asarray(fps), np.asarray(tps), np.asarray(thr)


def pr_entry(y_bin, score, compact):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        prec, rec, thr = skm.precision_recall_curve(y_bin, score)
    out = {"thresholds": nums(thr)}
    if compact:
        fps, tps, t = counts_at(y_bin, score)
        assert np.array_equal(t[::-1], thr)
        ps = tps + fps
        with np.errstate(invalid="ignore", divide="ignore"):
            p_ref = np.where(ps != 0, tps / ps, 0.0)
            r_ref = tps / tps[-1] if tps[-1] != 0 else np.ones(len(tps))
        assert np.array_equal(np.r_[p_ref[::-1], 1.0], prec)
        assert np.array_equal(np.r_[r_ref[::-1], 0.0], rec)
        out.update(fps=ints(fps[::-1]), tps=ints(tps[::-1]))
    else:
        out.update(precision=nums(prec), recall=nums(rec))
    return out


def calibration(y, p, m=N_BINS):
    n, k = p.shape
    bounds = np.linspace(0.0, 1.0, m + 1)

    def equal_width(values, hit):
        idx = np.searchsorted(bounds[1:-1], values, side="left")
        ece, mce, bins = 0.0, 0.0, []
        for b in range(m):
            mask = idx == b
            c = int(mask.sum())
            if c == 0:
                bins.append({"count": 0, "confidence": None, "accuracy": None})
                continue
            conf, acc = float(values[mask].mean()), float(hit[mask].mean())
            gap = abs(acc - conf)
            ece += c / n * gap
            mce = max(mce, gap)
            bins.append({"count": c, "confidence": conf, "accuracy": acc})
        return ece, mce, bins

    conf = p.max(axis=1)
    correct = p.argmax(axis=1) == y
    ece, mce, bins = equal_width(conf, correct)
    order = np.argsort(conf, kind="stable")
    adaptive = 0.0
    for members in np.array_split(order, m):
        if len(members) == 0:
            continue
        adaptive += len(members) / n * abs(correct[members].mean() - conf[members].mean())
    classwise = float(np.mean([equal_width(p[:, c], y == c)[0] for c in range(k)]))
    return {
        "ece": ece,
        "mce": mce,
        "adaptive_ece": float(adaptive),
        "classwise_ece": classwise,
        "bins": bins,
    }


def temperature(y, p):
    """Minimise NLL(β) = mean(logsumexp(β z) − β z_y), z = ln max(p, 1e-300),
    over β ∈ [1e-4, 1e4] by root-finding on NLL'(β) (NLL is convex in β)."""
    z = np.log(np.maximum(p, 1e-300))
    zy = z[np.arange(len(y)), y]
    if np.all(z == z[:, :1]):
        # Every row uniform: NLL(β) = ln K for all β, T is arbitrary.
        flat = float(np.log(p.shape[1]))
        return {"temperature": None, "nll_before": flat, "nll_after": flat, "at_bound": None}

    def nll(beta):
        return float(np.mean(special.logsumexp(beta * z, axis=1) - beta * zy))

    def grad(beta):
        w = special.softmax(beta * z, axis=1)
        return float(np.mean((w * z).sum(axis=1) - zy))

    lo, hi = BETA_RANGE
    if grad(lo) >= 0.0:
        beta, at_bound = lo, True
    elif grad(hi) <= 0.0:
        beta, at_bound = hi, True
    else:
        beta = optimize.brentq(
            grad, lo, hi, xtol=1e-300, rtol=4 * np.finfo(float).eps, maxiter=1000
        )
        at_bound = False
        # Cross-check with a bounded scalar minimiser in log β.
        res = optimize.minimize_scalar(
            lambda t: nll(np.exp(t)),
            bounds=(np.log(lo), np.log(hi)),
            method="bounded",
            options={"xatol": 1e-12},
        )
        assert nll(beta) <= res.fun + 1e-12, (beta, np.exp(res.x))
    return {
        "temperature": 1.0 / beta,
        "nll_before": nll(1.0),
        "nll_after": nll(beta),
        "at_bound": at_bound,
    }


def ovr_auc_k2(y, p):
    """scikit-learn's multiclass roc_auc_score needs K ≥ 3: for K = 2 the
    one-vs-rest per-class AUCs are binary roc_auc_score calls, and macro /
    weighted their mean / support-weighted mean; micro is the binary AUC of
    the flattened one-hot problem."""
    k = p.shape[1]
    onehot = np.eye(k, dtype=int)[y]
    per = [quiet(skm.roc_auc_score, onehot[:, c], p[:, c]) for c in range(k)]
    support = onehot.sum(axis=0)
    macro = float(np.mean(per))
    used = [(s, a) for s, a in zip(support, per) if s > 0]
    weighted = sum(s * a for s, a in used) / sum(s for s, _ in used)
    micro = quiet(skm.roc_auc_score, onehot.ravel(), p.ravel())
    return {"macro": macro, "weighted": weighted, "micro": micro}


def reference(y, p, compact):
    n, k = p.shape
    labels = list(range(k))
    y_pred = p.argmax(axis=1)
    onehot = np.eye(k, dtype=int)[y]
    e = {}

    e["accuracy"] = skm.accuracy_score(y, y_pred)
    e["balanced_accuracy"] = quiet(skm.balanced_accuracy_score, y, y_pred)
    if k >= 3:
        e["top_k_accuracy"] = {
            str(t): skm.top_k_accuracy_score(y, p, k=t, labels=labels)
            for t in ([2, 3] if k > 3 else [2])
        }
    e["cohen_kappa"] = num(quiet(skm.cohen_kappa_score, y, y_pred, labels=labels))

    cm = skm.confusion_matrix(y, y_pred, labels=labels)
    t, pc = cm.sum(axis=1).astype(np.int64), cm.sum(axis=0).astype(np.int64)
    s, c = int(cm.sum()), int(np.trace(cm))
    degenerate = (s * s - int(pc @ pc)) * (s * s - int(t @ t)) == 0
    mcc = quiet(skm.matthews_corrcoef, y, y_pred)
    e["mcc"] = None if degenerate else mcc
    e["mcc_sklearn"] = mcc
    e["log_loss"] = skm.log_loss(y, p, labels=labels)
    e["brier"] = skm.brier_score_loss(y, p, labels=labels, scale_by_half=False)

    e["confusion"] = cm.tolist()
    for how, divisor in (
        ("true", np.broadcast_to(t[:, None], cm.shape)),
        ("pred", np.broadcast_to(pc[None, :], cm.shape)),
        ("all", np.full(cm.shape, s)),
    ):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            norm = skm.confusion_matrix(y, y_pred, labels=labels, normalize=how)
        e[f"confusion_{how}"] = [
            [None if divisor[i, j] == 0 else float(norm[i, j]) for j in range(k)] for i in range(k)
        ]

    prec, rec, f1, sup = skm.precision_recall_fscore_support(
        y, y_pred, labels=labels, average=None, zero_division=np.nan
    )
    per_class = []
    for cl in range(k):
        yb, sc = onehot[:, cl], p[:, cl]
        auc = quiet(skm.roc_auc_score, yb, sc)
        ap = quiet(skm.average_precision_score, yb, sc)
        per_class.append(
            {
                "precision": num(prec[cl]),
                "recall": num(rec[cl]),
                "f1": num(f1[cl]),
                "support": int(sup[cl]),
                "roc": roc_entry_q(yb, sc, True, compact),
                "roc_full": roc_entry_q(yb, sc, False, compact),
                "roc_auc": num(auc),
                "pr": pr_entry(yb, sc, compact),
                "average_precision": None if yb.sum() == 0 else num(ap),
                "average_precision_sklearn": num(ap),
            }
        )
    e["per_class"] = per_class

    present = np.bincount(y, minlength=k) > 0
    if k == 2:
        ovr = ovr_auc_k2(y, p)
        e["roc_auc_note"] = (
            "K=2: sklearn's multiclass roc_auc_score needs K>=3; ovr per-class AUCs are "
            "binary roc_auc_score calls, macro/weighted their mean/support-weighted mean "
            "computed in Python, micro the binary AUC of the flattened one-hot problem; "
            "ovo is the mean of the two binary AUCs on the full sample"
        )
        ovo_val = ovr["macro"]
        ovo = {"macro": ovo_val, "weighted": ovo_val}
    else:
        ovr = {
            av: quiet(skm.roc_auc_score, y, p, multi_class="ovr", average=av, labels=labels)
            for av in ("macro", "weighted", "micro")
        }
        ovo = {
            av: quiet(skm.roc_auc_score, y, p, multi_class="ovo", average=av, labels=labels)
            for av in ("macro", "weighted")
        }
    e["roc_auc_ovr"] = {av: num(v) for av, v in ovr.items()}
    e["roc_auc_ovr_sklearn"] = dict(e["roc_auc_ovr"])
    # OvO: like sklearn, triage forms pairs only from the classes present in
    # y_true (Hand & Till over the observed classes).
    e["roc_auc_ovo"] = {av: num(v) for av, v in ovo.items()}
    e["roc_auc_ovo_sklearn"] = {av: num(v) for av, v in ovo.items()}

    ap_sk = {
        av: quiet(skm.average_precision_score, onehot, p, average=av)
        for av in ("macro", "weighted", "micro")
    }
    e["average_precision"] = {
        "macro": num(ap_sk["macro"]) if present.all() else None,
        "weighted": num(ap_sk["weighted"]),
        "micro": num(ap_sk["micro"]),
    }
    e["average_precision_sklearn"] = {av: num(v) for av, v in ap_sk.items()}

    e["calibration"] = calibration(y, p)
    e["temperature"] = temperature(y, p)

    correct = int((y_pred == y).sum())
    ci = stats.binomtest(correct, n).proportion_ci(confidence_level=0.95, method="wilson")
    e["wilson"] = {"successes": correct, "n": n, "low": float(ci.low), "high": float(ci.high)}
    return e


def roc_entry_q(yb, sc, drop, compact):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return roc_entry(yb, sc, drop, compact)


# --------------------------------------------------------------------------
# Cases
# --------------------------------------------------------------------------


def cases(rng):
    """Yield (name, note, y_true, y_proba, decimals or None)."""

    def q(p, d):
        return quantize(p, d)

    # ---- K = 2
    y, p = model(rng, 5, 2, signal=1.0)
    yield "k2_n5", "smallest binary case", y, q(p, 3), 3
    y, p = model(rng, 60, 2, signal=1.0)
    yield "k2_n60_ties_1dec", "scores rounded to 1 decimal: heavy ties", y, q(p, 1), 1
    y, p = model(rng, 1000, 2, signal=1.2)
    yield "k2_n1000", "", y, q(p, 6), 6
    y, p = model(rng, 300, 2, signal=1.0)
    yield "k2_n300_fullprec", "float64 softmax outputs, renormalised, repr", y, renormalize(p), None
    y, p = model(rng, 2000, 2, priors=[0.98, 0.02], signal=2.0)
    yield "k2_n2000_imbalanced_98_2", "heavy imbalance", y, q(p, 4), 4
    y = rng.integers(0, 2, 40)
    p = np.where(np.eye(2)[y] == 1, 0.9, 0.1)
    p[:, 0] += rng.integers(0, 5, 40) / 100.0
    p = q(renormalize(p), 2)
    assert (p.argmax(axis=1) == y).all()
    yield "k2_n40_perfect", "argmax always right, scores separable", y, p, 2
    y = rng.integers(0, 2, 30)
    p = q(np.where(np.eye(2)[y] == 1, 0.2, 0.8), 1)
    yield "k2_n30_all_wrong", "argmax always wrong", y, p, 1
    y = rng.integers(0, 2, 25)
    yield "k2_n25_constant", "all rows identical", y, q(np.tile([0.35, 0.65], (25, 1)), 2), 2
    y = np.ones(50, dtype=int)
    _, p = model(rng, 50, 2, y=y)
    yield "k2_n50_class0_absent", "class 0 absent from y_true", y, q(p, 4), 4

    # ---- K = 3
    y, p = model(rng, 5, 3, signal=1.0)
    yield "k3_n5", "smallest multiclass case", y, q(p, 3), 3
    y, p = model(rng, 200, 3)
    yield "k3_n200", "", y, q(p, 6), 6
    y, p = model(rng, 150, 3, signal=1.0)
    yield "k3_n150_ties_1dec", "scores rounded to 1 decimal", y, q(p, 1), 1
    y, p = model(rng, 400, 3, signal=1.0)
    yield "k3_n400_ties_2dec", "scores rounded to 2 decimals", y, q(p, 2), 2
    y, p = model(rng, 120, 3, priors=[0.5, 0.5, 0.0])
    yield "k3_n120_class2_absent", "class 2 absent from y_true", y, q(p, 4), 4
    y = rng.integers(0, 3, 80)
    yield "k3_n80_constant", "all rows identical", y, q(np.tile([0.5, 0.3, 0.2], (80, 1)), 2), 2
    y = rng.integers(0, 3, 90)
    p = np.full((90, 3), 1 / 3)
    yield "k3_n90_uniform", "all rows uniform 1/3 (every score tied)", y, p, None
    y = rng.integers(0, 3, 60)
    p = np.eye(3)[y].astype(float)
    yield "k3_n60_perfect_onehot", "one-hot, always right (zeros: log-loss clipping)", y, p, 0
    y = rng.integers(0, 3, 70)
    p = q(softmax(rng.normal(0, 0.3, (70, 3)) - 3.0 * np.eye(3)[y]), 4)
    assert (p.argmax(axis=1) != y).all()
    yield "k3_n70_all_wrong", "argmax always wrong", y, p, 4
    y, p = model(rng, 3000, 3, priors=[0.95, 0.04, 0.01], signal=1.5)
    yield "k3_n3000_imbalanced_95_4_1", "heavy imbalance 95/4/1 %", y, q(p, 5), 5
    _, p = model(rng, 5000, 3, signal=2.0)
    p = q(p, 4)
    yield "k3_n5000_calibrated", "labels drawn from the probabilities", draw_from(rng, p), p, 4
    y, p = model(rng, 500, 3, signal=1.3)
    yield "k3_n500_fullprec", "float64 softmax outputs, renormalised, repr", y, renormalize(p), None
    y, p = model(rng, 100_000, 3, priors=[0.6, 0.3, 0.1], signal=1.2)
    yield "k3_n100000_4dec", "large n, 4-decimal scores", y, q(p, 4), 4

    # ---- K = 4, 5
    y, p = model(rng, 500, 4)
    yield "k4_n500", "", y, q(p, 5), 5
    y, p = model(rng, 250, 4, signal=0.8)
    yield "k4_n250_ties_1dec", "scores rounded to 1 decimal", y, q(p, 1), 1
    y = rng.integers(0, 4, 100)
    pred = np.where(rng.random(100) < 0.7, y, rng.integers(0, 4, 100))
    yield "k4_n100_hard_predictions", "one-hot predictions with mistakes", y, np.eye(4)[pred], 0
    y, p = model(rng, 1000, 5)
    yield "k5_n1000", "", y, q(p, 6), 6
    y, p = model(rng, 400, 5, priors=[0.3, 0.0, 0.4, 0.0, 0.3])
    yield "k5_n400_two_absent", "classes 1 and 3 absent from y_true", y, q(p, 4), 4
    y, p = model(rng, 2000, 5, priors=[0.9, 0.05, 0.03, 0.015, 0.005], signal=2.0)
    yield "k5_n2000_imbalanced", "heavy imbalance", y, q(p, 4), 4
    y = rng.integers(0, 5, 7)
    _, p = model(rng, 7, 5, y=y)
    yield "k5_n7", "tiny n: some classes absent", y, q(p, 3), 3

    # ---- K = 10
    y, p = model(rng, 2000, 10, signal=2.0)
    yield "k10_n2000", "", y, q(p, 4), 4
    y, p = model(rng, 300, 10, signal=1.5)
    yield "k10_n300_ties_2dec", "scores rounded to 2 decimals", y, q(p, 2), 2
    y, p = model(rng, 500, 10, priors=[0.1] * 9 + [0.0], signal=1.5)
    yield "k10_n500_class9_absent", "class 9 absent from y_true", y, q(p, 4), 4
    y, p = model(rng, 12, 10, signal=1.0)
    yield "k10_n12", "tiny n, several classes absent", y, q(p, 4), 4
    y, p = model(rng, 5000, 10, signal=1.8)
    yield "k10_n5000", "", y, q(p, 3), 3
    y = rng.integers(0, 10, 50)
    p = q(np.tile(np.linspace(1, 2, 10), (50, 1)) / 15.0, 3)
    yield "k10_n50_constant", "all rows identical", y, p, 3


def main():
    rng = np.random.default_rng(SEED)
    out = []
    for name, note, y, p, decimals in cases(rng):
        y = np.asarray(y, dtype=np.int64)
        p = np.asarray(p, dtype=np.float64)
        n, k = p.shape
        assert len(y) == n and y.min() >= 0 and y.max() < k
        assert (p >= 0).all() and np.all(np.abs(p.sum(axis=1) - 1.0) <= 1e-12), name
        if decimals is not None:
            # Stored values are short decimals: their float64 parse is exact.
            assert all(len(repr(v)) <= decimals + 3 for v in p.ravel().tolist()), name
        compact = n >= 400
        case = {
            "name": name,
            "note": note,
            "k": k,
            "n": n,
            "decimals": decimals,
            "compact_curves": compact,
            "y_true": y.tolist(),
            "y_proba": p.tolist(),
            "expected": reference(y, p, compact),
        }
        out.append(case)
        print(f"{name:32s} n={n:6d} K={k:2d}", file=sys.stderr)

    doc = {
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "python": platform.python_version(),
        "seed": SEED,
        "generator": "tools/golden/make_golden.py",
        "cases": out,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(clean(doc), separators=(",", ":"), allow_nan=False)
    # One case per line keeps diffs readable.
    text = text.replace(',{"name":', ',\n{"name":')
    OUT.write_text(text + "\n")
    print(f"wrote {OUT} ({os.path.getsize(OUT) / 1e6:.2f} MB, {len(out)} cases)", file=sys.stderr)


def clean(x):
    if isinstance(x, dict):
        return {k: clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [clean(v) for v in x]
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        return num(x)
    return x


if __name__ == "__main__":
    main()
