#!/usr/bin/env python3
"""Golden fixtures for triage_stats::agreement (crates/triage-stats/tests/golden/agreement.json):

  cohen   sklearn.metrics.cohen_kappa_score (unweighted) on random rater pairs;
  fleiss  statsmodels.stats.inter_rater.fleiss_kappa(table, method="fleiss");
  mcnemar statsmodels.stats.contingency_tables.mcnemar([[a, b], [c, d]]) with
          exact=True and with exact=False, correction=True.
"""
import json, platform, sys
from pathlib import Path

import numpy as np
import sklearn, statsmodels, scipy
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.inter_rater import fleiss_kappa

SEED = 20_261_207
OUT = Path(__file__).resolve().parents[2] / "crates" / "triage-stats" / "tests" / "golden" / "agreement.json"


def main():
    rng = np.random.default_rng(SEED)
    cohen = []
    for n, k, noise in [(20, 2, 0.3), (100, 3, 0.5), (500, 10, 0.2), (50, 4, 0.9)]:
        truth = rng.integers(0, k, n)
        a = np.where(rng.random(n) < noise, rng.integers(0, k, n), truth)
        b = np.where(rng.random(n) < noise, rng.integers(0, k, n), truth)
        cohen.append({"classes": k, "a": a.tolist(), "b": b.tolist(), "kappa": float(cohen_kappa_score(a, b))})
    fleiss = []
    for items, k, raters, noise in [(30, 3, 5, 0.4), (200, 10, 3, 0.2), (15, 2, 8, 0.7)]:
        truth = rng.integers(0, k, items)
        table = np.zeros((items, k), dtype=np.int64)
        for i in range(items):
            for _ in range(raters):
                label = rng.integers(0, k) if rng.random() < noise else truth[i]
                table[i, label] += 1
        fleiss.append({"classes": k, "counts": table.tolist(), "kappa": float(fleiss_kappa(table, method="fleiss"))})
    mc = []
    for b, c in [(3, 9), (0, 5), (12, 12), (30, 14), (100, 70), (1, 0), (24, 1)]:
        table = [[50, b], [c, 40]]
        exact = mcnemar(table, exact=True)
        chi = mcnemar(table, exact=False, correction=True)
        mc.append({"b": b, "c": c, "p_exact": float(exact.pvalue), "chi2": float(chi.statistic), "p_chi2": float(chi.pvalue)})
    doc = {"sklearn": sklearn.__version__, "statsmodels": statsmodels.__version__, "scipy": scipy.__version__,
           "numpy": np.__version__, "python": platform.python_version(), "seed": SEED,
           "generator": "tools/golden/make_agreement.py", "cohen": cohen, "fleiss": fleiss, "mcnemar": mc}
    OUT.write_text(json.dumps(doc, separators=(",", ":")) + "\n")
    print(f"wrote {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
