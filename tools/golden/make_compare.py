#!/usr/bin/env python3
"""Golden values for triage_stats::compare (crates/triage-stats/tests/golden/compare.json).

- Welch's t-test: scipy.stats.ttest_ind(equal_var=False) (t, p, df).
- F distribution tail: scipy.stats.f.sf.
- Dietterich's 5x2cv t and Alpaydin's combined F: the published formulas
  evaluated with numpy and scipy.stats.t / scipy.stats.f.
- Holm: statsmodels.stats.multitest.multipletests(method="holm").
- DeLong's paired test: an O(m*n) implementation straight from DeLong et al.
  (1988), pairwise psi matrices (triage sorts; this does not), scipy.stats.norm.
- McNemar sample size (Connor 1987): scipy.stats.norm.ppf.
- Base metrics of two models on the same items: scikit-learn accuracy_score,
  log_loss, roc_auc_score(multi_class="ovr", average="macro"); Brier and
  15-bin top-label ECE with numpy.

    tools/golden/.venv/bin/python tools/golden/make_compare.py
"""

import json
import os

import numpy as np
import scipy
import sklearn
import statsmodels
from scipy import stats
from sklearn.metrics import accuracy_score, log_loss, roc_auc_score
from statsmodels.stats.multitest import multipletests

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "crates", "triage-stats", "tests", "golden", "compare.json")
rng = np.random.default_rng(7)


def welch_cases():
    cases = []
    for nx, ny, shift in [(5, 5, 0.0), (3, 8, 0.5), (10, 4, -1.0), (20, 20, 0.2)]:
        x = rng.normal(0.8, 0.02, nx)
        y = rng.normal(0.8 + shift * 0.02, 0.03, ny)
        r = stats.ttest_ind(x, y, equal_var=False)
        ci = r.confidence_interval(0.95)
        cases.append({"x": x.tolist(), "y": y.tolist(), "t": float(r.statistic), "p": float(r.pvalue),
                      "df": float(r.df), "ci_low": float(ci.low), "ci_high": float(ci.high)})
    return cases


def five_by_two_cases():
    cases = []
    for scale, bias in [(0.01, 0.0), (0.01, 0.02), (0.005, -0.01)]:
        d = rng.normal(bias, scale, (5, 2))
        s2 = ((d - d.mean(axis=1, keepdims=True)) ** 2).sum(axis=1)
        t = d[0, 0] / np.sqrt(s2.sum() / 5)
        f = (d ** 2).sum() / (2 * s2.sum())
        cases.append({"diffs": d.tolist(), "t": float(t), "p_t": float(2 * stats.t.sf(abs(t), 5)),
                      "f": float(f), "p_f": float(stats.f.sf(f, 10, 5))})
    return cases


def delong_naive(pos, a, b):
    out = []
    for s in (a, b):
        x, y = s[pos], s[~pos]
        psi = (x[:, None] > y[None, :]) + 0.5 * (x[:, None] == y[None, :])
        out.append((psi.mean(axis=1), psi.mean(axis=0), psi.mean()))
    (v10a, v01a, auca), (v10b, v01b, aucb) = out
    s10 = np.cov(np.vstack([v10a, v10b]))
    s01 = np.cov(np.vstack([v01a, v01b]))
    m, n = len(v10a), len(v01a)
    var = (s10[0, 0] + s10[1, 1] - 2 * s10[0, 1]) / m + (s01[0, 0] + s01[1, 1] - 2 * s01[0, 1]) / n
    z = (auca - aucb) / np.sqrt(var)
    return float(auca), float(aucb), float(np.sqrt(var)), float(2 * stats.norm.sf(abs(z)))


def delong_cases():
    cases = []
    for n, rounding in [(60, None), (200, 1), (500, 2)]:
        pos = rng.random(n) < 0.4
        a = rng.normal(pos * 1.0, 1.0)
        b = 0.6 * a + rng.normal(pos * 0.5, 0.8)
        if rounding is not None:  # ties
            a, b = np.round(a, rounding), np.round(b, rounding)
        auca, aucb, se, p = delong_naive(pos, a, b)
        cases.append({"positive": pos.tolist(), "a": a.tolist(), "b": b.tolist(), "auc_a": auca, "auc_b": aucb,
                      "se": se, "p": p})
    return cases


def sample_size_cases():
    cases = []
    for b, c, n in [(30, 20, 1000), (12, 4, 500), (100, 90, 10000)]:
        p10, p01 = b / n, c / n
        psi, delta = p10 + p01, p10 - p01
        root = stats.norm.ppf(0.975) * np.sqrt(psi) + stats.norm.ppf(0.8) * np.sqrt(psi - delta ** 2)
        cases.append({"b": b, "c": c, "n": n, "size": float(root ** 2 / delta ** 2)})
    return cases


def ece(y, p, bins=15):
    conf, pred = p.max(axis=1), p.argmax(axis=1)
    hit = (pred == y).astype(float)
    edges = np.linspace(0, 1, bins + 1)
    idx = np.searchsorted(edges[1:-1], conf, side="left")
    total = 0.0
    for m in range(bins):
        sel = idx == m
        if sel.any():
            total += sel.sum() / len(y) * abs(hit[sel].mean() - conf[sel].mean())
    return total


def metrics_case():
    n, k = 400, 4
    y = rng.integers(0, k, n)
    logits_a = rng.normal(0, 1, (n, k)) + 2.0 * np.eye(k)[y]
    logits_b = logits_a + rng.normal(0, 1.0, (n, k))
    pa = np.exp(logits_a) / np.exp(logits_a).sum(axis=1, keepdims=True)
    pb = np.exp(logits_b) / np.exp(logits_b).sum(axis=1, keepdims=True)
    pa, pb = np.round(pa, 6), np.round(pb, 6)
    pa /= pa.sum(axis=1, keepdims=True)
    pb /= pb.sum(axis=1, keepdims=True)
    out = {"y": y.tolist(), "a": pa.tolist(), "b": pb.tolist()}
    for name, p in [("a", pa), ("b", pb)]:
        onehot = np.eye(k)[y]
        out[f"metrics_{name}"] = {
            "accuracy": float(accuracy_score(y, p.argmax(axis=1))),
            "log_loss": float(log_loss(y, p, labels=range(k))),
            "brier": float(((p - onehot) ** 2).sum(axis=1).mean()),
            "macro_auc": float(roc_auc_score(y, p, multi_class="ovr", average="macro", labels=range(k))),
            "ece": float(ece(y, p)),
        }
    return out


def main():
    ps = rng.random(12) ** 2
    golden = {
        "versions": {"numpy": np.__version__, "scipy": scipy.__version__, "scikit-learn": sklearn.__version__,
                     "statsmodels": statsmodels.__version__},
        "welch": welch_cases(),
        "f_sf": [{"f": f, "d1": d1, "d2": d2, "p": float(stats.f.sf(f, d1, d2))}
                 for f, d1, d2 in [(0.5, 10, 5), (2.3, 10, 5), (4.74, 10, 5), (1.0, 3, 17)]],
        "five_by_two": five_by_two_cases(),
        "holm": {"p": ps.tolist(), "adjusted": multipletests(ps, method="holm")[1].tolist()},
        "delong": delong_cases(),
        "sample_size": sample_size_cases(),
        "metrics": metrics_case(),
    }
    with open(OUT, "w") as f:
        json.dump(golden, f)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
