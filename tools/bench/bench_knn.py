#!/usr/bin/env python3
"""Exact k-NN, side by side on this machine: triage-knn vs scikit-learn
NearestNeighbors(algorithm="brute") vs faiss-cpu IndexFlatL2.

50,000 x 512 reference points, 10,000 queries, k = 10, float32, Gaussian
(seed 0). Each timed best of 3 in one run; all use every core (sklearn via
its BLAS and joblib, faiss via OpenMP, triage via rayon). Also reports how
many neighbour lists agree exactly with triage's (f64-exact) answer.

    python tools/bench/bench_knn.py [--triage PATH_TO_bench_knn_BINARY]

Without --triage it runs `cargo run --release -p triage-knn --example bench_knn`.
"""
import argparse, json, os, subprocess, sys, tempfile, time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
N_REF, N_Q, DIM, K = 50_000, 10_000, 512, 10


def best_of(f, n=3):
    best, out = float("inf"), None
    for _ in range(n):
        t = time.perf_counter(); out = f(); best = min(best, time.perf_counter() - t)
    return best, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--triage")
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    ref = rng.standard_normal((N_REF, DIM), dtype=np.float32)
    qry = rng.standard_normal((N_Q, DIM), dtype=np.float32)
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        ref.tofile(d / "reference.f32"); qry.tofile(d / "queries.f32")
        cmd = [args.triage] if args.triage else ["cargo", "run", "--release", "-q", "-p", "triage-knn", "--example", "bench_knn", "--"]
        out = subprocess.run(cmd + [str(d), str(N_REF), str(N_Q), str(DIM), str(K)], check=True, capture_output=True, text=True, cwd=ROOT)
        tri = json.loads(out.stdout.strip().splitlines()[-1])
        tri_idx = np.fromfile(d / "triage_indices.u32", dtype=np.uint32).reshape(N_Q, K)

    import sklearn, faiss
    from sklearn.neighbors import NearestNeighbors
    nn = NearestNeighbors(n_neighbors=K, algorithm="brute").fit(ref)
    sk_t, (_, sk_idx) = best_of(lambda: nn.kneighbors(qry))
    index = faiss.IndexFlatL2(DIM); index.add(ref)
    fa_t, (_, fa_idx) = best_of(lambda: index.search(qry, K))
    agree = lambda a: float((np.asarray(a) == tri_idx).all(axis=1).mean())
    res = {
        "shape": {"reference": [N_REF, DIM], "queries": N_Q, "k": K},
        "cores": os.cpu_count(),
        "triage_s": tri["seconds"], "sklearn_s": sk_t, "faiss_s": fa_t,
        "speedup_vs_sklearn": sk_t / tri["seconds"], "speedup_vs_faiss": fa_t / tri["seconds"],
        "rows_identical_to_triage": {"sklearn": agree(sk_idx), "faiss": agree(fa_idx)},
        "versions": {"sklearn": sklearn.__version__, "faiss": faiss.__version__, "numpy": np.__version__, "python": sys.version.split()[0]},
    }
    print(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
