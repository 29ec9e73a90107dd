#!/usr/bin/env python3
"""Generate the Bayes-error golden fixtures for triage-bayes.

Writes crates/triage-bayes/tests/golden/bayes.json. Sections:

  t_quantile  scipy.stats.t.ppf(p, df) on a grid;
  cifar10h    Ishida et al. (ICLR 2023) binary soft-label estimates on the
              CIFAR-10H counts (../shared/data/cifar10h/cifar10h-counts.npy),
              with be_c10h.py's definition: the soft binary label of an image
              is the share of its annotator votes in the positive class group;
              R = mean(min(c, 1 - c)), 95 % interval
              scipy.stats.t.interval(0.95, n - 1, loc=R, scale=scipy.stats.sem);
              and the multiclass plug-in mean(1 - max p) with the same interval;
  soft        the same estimates on small random count matrices;
  knn         sklearn KNeighborsClassifier(algorithm="brute") test errors for
              several k (train -> test) and leave-one-out errors (NearestNeighbors
              .kneighbors() without X excludes each point itself), squared
              Euclidean ranking (= Euclidean) and cosine;
  mst         scipy.sparse.csgraph.minimum_spanning_tree on the dense
              squared-Euclidean distance matrix of random points (distinct, so
              no zero off the diagonal): total weight and edges; and FeeBee's GHP
              upper and lower bounds from those edges and random labels.

Inputs are stored as short decimals (np.round) so the parsed float64 values are
exactly those used.
"""

from __future__ import annotations

import json
import os
import platform
import sys
from pathlib import Path

import numpy as np
import scipy
import sklearn
from scipy import stats
from scipy.sparse.csgraph import minimum_spanning_tree
from sklearn.neighbors import KNeighborsClassifier, NearestNeighbors

SEED = 20_261_206
ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "crates" / "triage-bayes" / "tests" / "golden" / "bayes.json"
C10H = ROOT.parent / "shared" / "data" / "cifar10h" / "cifar10h-counts.npy"

GROUPS = {
    # CIFAR-10 classes: 0 airplane 1 automobile 2 bird 3 cat 4 deer 5 dog
    # 6 frog 7 horse 8 ship 9 truck
    "animals": [2, 3, 4, 5, 6, 7],
    "land": [1, 3, 4, 5, 7, 9],
    "odd": [0, 2, 4, 6, 8],
    "firstfive": [0, 1, 2, 3, 4],
}


def rng(i):
    return np.random.default_rng([SEED, i])


def mean_t(values):
    values = np.asarray(values, dtype=np.float64)
    m = float(np.mean(values))
    sem = float(stats.sem(values))
    lo, hi = stats.t.interval(0.95, len(values) - 1, loc=m, scale=sem)
    return {"value": m, "low": float(lo), "high": float(hi)}


def soft_estimates(counts, groups):
    probs = counts / counts.sum(axis=1, keepdims=True)
    out = {}
    for name, members in groups.items():
        c = probs[:, members].sum(axis=1)
        out[name] = mean_t(np.minimum(c, 1.0 - c))
    out["plugin"] = mean_t(1.0 - probs.max(axis=1))
    return out


def t_grid():
    rows = []
    for df in [1, 2, 3, 5, 9, 29, 99, 999, 9999]:
        for p in [0.5, 0.6, 0.9, 0.95, 0.975, 0.995, 0.9995, 0.025, 0.1]:
            rows.append({"p": p, "df": df, "q": float(stats.t.ppf(p, df))})
    return rows


def cifar10h():
    counts = np.load(C10H).astype(np.float64)
    est = soft_estimates(counts, GROUPS)
    return [{"task": k, "positive": GROUPS.get(k), **v} for k, v in est.items()]


def soft_cases(r):
    cases = []
    for n, k, annotators in [(50, 3, 5), (200, 10, 20), (7, 2, 3)]:
        counts = np.zeros((n, k), dtype=np.int64)
        for i in range(n):
            p = r.dirichlet(np.full(k, 0.3))
            counts[i] = r.multinomial(annotators, p)
        groups = {"first": list(range(k // 2)), "last": [k - 1]}
        est = soft_estimates(counts.astype(np.float64), groups)
        cases.append({"counts": counts.tolist(), "classes": k, "groups": groups, "estimates": est})
    return cases


def knn_cases(r):
    cases = []
    for n_train, n_test, dim, classes in [(300, 120, 4, 3), (500, 200, 8, 2)]:
        centers = r.normal(0, 1.5, size=(classes, dim))
        ytr = r.integers(0, classes, n_train)
        yte = r.integers(0, classes, n_test)
        xtr = np.round(centers[ytr] + r.normal(0, 1, (n_train, dim)), 4)
        xte = np.round(centers[yte] + r.normal(0, 1, (n_test, dim)), 4)
        errors = {}
        for metric in ["euclidean", "cosine"]:
            for k in [1, 2, 3, 5, 10]:
                clf = KNeighborsClassifier(n_neighbors=k, algorithm="brute", metric=metric)
                clf.fit(xtr, ytr)
                errors[f"{metric}/test/{k}"] = float(np.mean(clf.predict(xte) != yte))
                nn = NearestNeighbors(n_neighbors=k, algorithm="brute", metric=metric).fit(xtr)
                idx = nn.kneighbors(return_distance=False)
                votes = np.zeros((n_train, classes), dtype=np.int64)
                for j in range(k):
                    np.add.at(votes, (np.arange(n_train), ytr[idx[:, j]]), 1)
                pred = votes.argmax(axis=1)  # ties: smallest class, as sklearn's mode
                errors[f"{metric}/loo/{k}"] = float(np.mean(pred != ytr))
        cases.append({
            "train": xtr.tolist(), "train_labels": ytr.tolist(),
            "test": xte.tolist(), "test_labels": yte.tolist(),
            "classes": classes, "errors": errors,
        })
    return cases


def mst_cases(r):
    cases = []
    for n, dim, classes in [(40, 2, 2), (300, 5, 4), (1000, 3, 10)]:
        x = np.round(r.normal(0, 1, (n, dim)), 6)
        y = r.integers(0, classes, n)
        d = ((x[:, None, :] - x[None, :, :]) ** 2).sum(axis=2)
        assert (d[~np.eye(n, dtype=bool)] > 0).all()
        t = minimum_spanning_tree(d).tocoo()
        edges = sorted((int(min(a, b)), int(max(a, b))) for a, b in zip(t.row, t.col))
        # FeeBee's GHP on these edges.
        present = np.unique(y)
        c = len(present)
        cross = sum(1 for a, b in edges if y[a] != y[b])
        delta_sum = cross / (2.0 * n)
        upper = 2.0 * delta_sum
        lower = ((c - 1.0) / c) * (1.0 - np.sqrt(max(0.0, 1.0 - (2.0 * c / (c - 1.0)) * delta_sum)))
        cases.append({
            "points": x.tolist(), "labels": y.tolist(), "total_weight": float(t.sum()),
            "edges": edges, "ghp_upper": upper, "ghp_lower": float(lower),
        })
    return cases


def main():
    header = {
        "numpy": np.__version__, "scipy": scipy.__version__, "sklearn": sklearn.__version__,
        "python": platform.python_version(), "machine": platform.machine(), "seed": SEED,
        "generator": "tools/golden/make_bayes.py",
    }
    doc = {
        **header,
        "t_quantile": t_grid(),
        "cifar10h": cifar10h(),
        "soft": soft_cases(rng(1)),
        "knn": knn_cases(rng(2)),
        "mst": mst_cases(rng(3)),
    }
    text = json.dumps(doc, separators=(",", ":"), allow_nan=False) + "\n"
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text)
    for row in doc["cifar10h"]:
        print(f"  cifar10h {row['task']:10s} {100 * row['value']:.3f} % "
              f"[{100 * row['low']:.3f}, {100 * row['high']:.3f}]", file=sys.stderr)
    print(f"wrote {OUT} ({os.path.getsize(OUT) / 1e6:.2f} MB)", file=sys.stderr)


if __name__ == "__main__":
    main()
