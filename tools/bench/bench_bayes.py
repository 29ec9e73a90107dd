#!/usr/bin/env python3
"""Bayes-error estimates, side by side on this machine.

1. The 1-NN error (train -> test) on 50,000 x 512 float32 embeddings with
   10,000 queries (two Gaussian classes per label, 10 labels, seed 0):
   `triage bayes --k 1 --estimators knn --metrics squared-euclidean` end to
   end (reading the .npy and labels files included) against scikit-learn
   KNeighborsClassifier(n_neighbors=1, algorithm="brute").fit().score() and
   faiss-cpu IndexFlatL2 (k = 1, labels compared) on arrays in memory.
2. GHP's exact minimum spanning tree on 20,000 x 64 points: triage-knn's
   Prim (`bench_mst` example) against scipy.sparse.csgraph.minimum_spanning_tree
   on the dense squared-Euclidean distance matrix (computed by
   sklearn.metrics.pairwise_distances, timed with it).

Best of 3 for each (the tree: best of 3 inside the example; scipy once, it
takes minutes). All use every core.

    python tools/bench/bench_bayes.py --triage target/release/triage \
        --bench-mst target/release/examples/bench_mst
"""
import argparse, csv, json, os, subprocess, sys, tempfile, time
from pathlib import Path

import numpy as np

N_REF, N_Q, DIM, CLASSES = 50_000, 10_000, 512, 10
MST_N, MST_DIM = 20_000, 64


def best_of(f, n=3):
    best, out = float("inf"), None
    for _ in range(n):
        t = time.perf_counter(); out = f(); best = min(best, time.perf_counter() - t)
    return best, out


def labelled(rng, n):
    y = rng.integers(0, CLASSES, n)
    centers = np.random.default_rng(42).standard_normal((CLASSES, DIM)).astype(np.float32) * 0.35
    x = centers[y] + rng.standard_normal((n, DIM), dtype=np.float32)
    return x.astype(np.float32), y


def write_labels(path, ids, y):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "label"] + [f"p_{c}" for c in range(CLASSES)])
        uniform = ["0.1"] * CLASSES
        for i, label in zip(ids, y):
            w.writerow([i, int(label)] + uniform)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--triage", required=True)
    ap.add_argument("--bench-mst", required=True)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    xtr, ytr = labelled(rng, N_REF)
    xte, yte = labelled(rng, N_Q)
    import sklearn, faiss, scipy
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.metrics import pairwise_distances
    from scipy.sparse.csgraph import minimum_spanning_tree
    res = {"cores": os.cpu_count()}
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        np.save(d / "train.npy", xtr); np.save(d / "test.npy", xte)
        write_labels(d / "train.csv", [f"r{i}" for i in range(N_REF)], ytr)
        write_labels(d / "test.csv", [f"q{i}" for i in range(N_Q)], yte)
        cmd = [args.triage, "bayes", "--embeddings", str(d / "train.npy"), "--labels", str(d / "train.csv"),
               "--test-embeddings", str(d / "test.npy"), "--test-labels", str(d / "test.csv"),
               "--k", "1", "--estimators", "knn", "--metrics", "squared-euclidean",
               "--min-per-class", "0", "--json", "--no-progress"]
        tri_t, out = best_of(lambda: subprocess.run(cmd, check=True, capture_output=True, text=True))
        doc = json.loads(out.stdout)
        tri_err = doc["feature_sets"][0]["estimates"][0]["upper"]["value"]
        points = rng.standard_normal((MST_N, MST_DIM), dtype=np.float32)
        points.tofile(d / "mst.f32")
        mst = subprocess.run([args.bench_mst, str(d / "mst.f32"), str(MST_N), str(MST_DIM)],
                             check=True, capture_output=True, text=True)
        tri_mst = json.loads(mst.stdout.strip().splitlines()[-1])
    clf = KNeighborsClassifier(n_neighbors=1, algorithm="brute").fit(xtr, ytr)
    sk_t, sk_acc = best_of(lambda: clf.score(xte, yte))
    index = faiss.IndexFlatL2(DIM); index.add(xtr)
    fa_t, (_, fa_idx) = best_of(lambda: index.search(xte, 1))
    fa_err = float(np.mean(ytr[fa_idx[:, 0]] != yte))
    t = time.perf_counter()
    dense = pairwise_distances(points.astype(np.float64), metric="sqeuclidean", n_jobs=-1)
    tree = minimum_spanning_tree(dense)
    sc_t = time.perf_counter() - t
    res.update({
        "one_nn": {"shape": [N_REF, N_Q, DIM], "triage_s": tri_t, "sklearn_s": sk_t, "faiss_s": fa_t,
                    "error": {"triage": tri_err, "sklearn": 1.0 - sk_acc, "faiss": fa_err},
                    "sklearn_over_triage": sk_t / tri_t, "faiss_over_triage": fa_t / tri_t},
        "mst": {"shape": [MST_N, MST_DIM], "triage_s": tri_mst["seconds"], "scipy_s": sc_t,
                "total_weight": {"triage": tri_mst["total_weight"], "scipy": float(tree.sum())},
                "scipy_over_triage": sc_t / tri_mst["seconds"]},
        "versions": {"sklearn": sklearn.__version__, "faiss": faiss.__version__, "scipy": scipy.__version__,
                     "numpy": np.__version__, "python": sys.version.split()[0]},
    })
    print(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
