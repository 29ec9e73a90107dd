#!/usr/bin/env python3
"""Generate the covariate / label-shift golden fixtures for triage-stats.

Writes crates/triage-stats/tests/golden/shift.json (see README.md). Sections:

  ks       two-sample Kolmogorov-Smirnov (scipy.stats.ks_2samp, method="exact"),
           the limiting Kolmogorov p-value, the 1-D Wasserstein distance and
           the standardised mean difference;
  mmd      the unbiased MMD^2 (Gretton et al. 2012) with a Gaussian kernel at
           the median-heuristic bandwidth of the pooled sample and at a fixed one;
  chi2     chi-square test of homogeneity of two count vectors
           (scipy.stats.chi2_contingency, correction=False);
  chi2_sf  scipy.stats.chi2.sf on a grid;
  binom    scipy.stats.binomtest(k, n, p, alternative="greater").pvalue;
  delong   AUC (sklearn roc_auc_score) and DeLong's (1988) variance;
  bbse     black-box shift estimation (Lipton et al. 2018) of importance
           weights and target priors from the joint confusion matrix;
  em       Saerens et al. (2002) EM re-estimation of target priors.

Every input is stored exactly as it was used: real values are short decimals
(rounded with np.round, so the float64 parse of the stored text is the value
that was used) and probability rows are quantised to integer units summing
exactly to 10**decimals (make_golden.quantize). Each reference value is
checked here against an independent computation before the file is written
(exact rational lattice-path counts for the KS p-values, brute-force ECDF
differences, explicit loops for MMD, rank formulas for DeLong, exact rational
binomial tails, an upward recurrence for the chi-square tail, a direct
likelihood maximisation for EM, ...).
"""

from __future__ import annotations

import json
import math
import os
import platform
import sys
import warnings
from fractions import Fraction
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_golden import clean, quantize, softmax  # noqa: E402

import scipy  # noqa: E402
import sklearn  # noqa: E402
from scipy import optimize, special, stats  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402

SEED = 20_251_203
ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "crates" / "triage-stats" / "tests" / "golden" / "shift.json"

EM_TOL = 1e-12
EM_MAX_ITER = 10_000
KS_EXACT_MAX_N = 10_000


def section_rng(i):
    """An independent stream per section: adding a case to one section leaves
    the others unchanged."""
    return np.random.default_rng([SEED, i])


def close(a, b, rel, abs_=0.0):
    return abs(a - b) <= max(rel * max(abs(a), abs(b)), abs_)


# --------------------------------------------------------------------------
# KS, Wasserstein, SMD
# --------------------------------------------------------------------------


def ks_paths_pvalue(m, n, h):
    """P(D >= h / lcm(m, n)) under H0, by exact counting of the monotone
    lattice paths from (0, 0) to (m, n) that stay strictly inside the band
    |i (n/g) - j (m/g)| < h (Python integers, no rounding until the final
    correctly rounded division)."""
    if h == 0:
        return 1.0
    g = math.gcd(m, n)
    a, b = n // g, m // g  # ECDF difference at (i, j) is (i a - j b) / lcm
    row = np.zeros(m + 1, dtype=object)
    row[:] = 0
    for i in range(m + 1):
        if i * a < h:
            row[i] = 1
        else:
            break
    for j in range(1, n + 1):
        lo = max((j * b - h) // a + 1, 0)
        hi = min(-((-(j * b + h)) // a) - 1, m)
        new = np.zeros(m + 1, dtype=object)
        new[:] = 0
        if lo <= hi:
            new[lo:hi + 1] = np.cumsum(row[lo:hi + 1])
        row = new
    inside = int(row[m])
    total = math.comb(m + n, m)
    return (total - inside) / total  # int / int: correctly rounded


def ks_brute_h(x, y):
    """max over all pooled points t of |#{x<=t} n/g - #{y<=t} m/g| (integers)."""
    m, n = len(x), len(y)
    g = math.gcd(m, n)
    t = np.concatenate([x, y])
    cx = (x[None, :] <= t[:, None]).sum(axis=1).astype(np.int64)
    cy = (y[None, :] <= t[:, None]).sum(axis=1).astype(np.int64)
    return int(np.abs(cx * (n // g) - cy * (m // g)).max())


def wasserstein_check(x, y):
    if len(x) == len(y):
        return float(np.mean(np.abs(np.sort(x) - np.sort(y))))
    u = np.sort(np.concatenate([x, y]))
    f = np.searchsorted(np.sort(x), u[:-1], side="right") / len(x)
    gg = np.searchsorted(np.sort(y), u[:-1], side="right") / len(y)
    return float(np.sum(np.abs(f - gg) * np.diff(u)))


def smd(x, y):
    den = math.sqrt((np.var(x, ddof=1) + np.var(y, ddof=1)) / 2.0)
    if den == 0.0:
        return None
    return float((np.mean(y) - np.mean(x)) / den)


def ks_case(name, note, x, y):
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    m, n = len(x), len(y)
    assert min(m, n) >= 2
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = stats.ks_2samp(x, y, alternative="two-sided", method="exact")
    fell_back = any("Switching to" in str(w.message) for w in caught)
    stat = float(res.statistic)
    g = math.gcd(m, n)
    lcm = m // g * n
    h = ks_brute_h(x, y)
    exact = max(m, n) <= KS_EXACT_MAX_N and not fell_back
    if exact:
        assert stat == h / lcm, (name, stat, h, lcm)
    else:
        assert close(stat, h / lcm, 1e-15), (name, stat, h / lcm)
    p_paths = ks_paths_pvalue(m, n, h)
    p_exact = float(res.pvalue) if exact else None
    if exact:
        assert close(p_exact, p_paths, 1e-11, 1e-15), (name, p_exact, p_paths)
    en = math.sqrt(m * n / (m + n))
    p_limit = float(stats.kstwobign.sf(en * stat))
    w = float(stats.wasserstein_distance(x, y))
    assert close(w, wasserstein_check(x, y), 1e-12, 1e-15), (name, w, wasserstein_check(x, y))
    s = smd(x, y)
    # SMD, second route: sums of squares about the mean.
    sx = math.fsum((x - x.mean()) ** 2) / (m - 1)
    sy = math.fsum((y - y.mean()) ** 2) / (n - 1)
    if s is None:
        assert sx == 0.0 and sy == 0.0
    else:
        assert close(s, (y.mean() - x.mean()) / math.sqrt((sx + sy) / 2), 1e-12, 1e-15)
    return {
        "name": name,
        "note": note,
        "m": m,
        "n": n,
        "x": x.tolist(),
        "y": y.tolist(),
        "statistic": stat,
        "h": h,
        "lcm": lcm,
        "pvalue_exact": p_exact,
        "pvalue_paths": p_paths,
        "pvalue_limit": p_limit,
        "wasserstein": w,
        "smd": s,
    }


def ks_cases(rng):
    def nrm(size, loc=0.0, scale=1.0, dec=4):
        return np.round(rng.normal(loc, scale, size), dec)

    yield "eq_20_20", "equal sizes, shift 0.5", nrm(20), nrm(20, 0.5)
    yield "eq_200_200", "equal sizes, shift 0.2", nrm(200), nrm(200, 0.2)
    yield "eq_1000_1000", "equal sizes, shift 0.1", nrm(1000), nrm(1000, 0.1)
    yield "uneq_20_37", "coprime sizes, shift 0.5", nrm(20), nrm(37, 0.5)
    yield "uneq_150_400", "gcd 50, shift 0.3", nrm(150), nrm(400, 0.3)
    yield "uneq_999_1001", "coprime sizes, shift 0.1", nrm(999), nrm(1001, 0.1)
    yield "uneq_3000_2000", "largest, shift 0.05", nrm(3000), nrm(2000, 0.05)
    yield "uneq_50_5000", "very unbalanced, shift 0.3", nrm(50), nrm(5000, 0.3)
    x = nrm(100)
    yield "identical", "y is a copy of x: D = 0, p = 1", x, x.copy()
    yield "ties_0dec", "values rounded to integers: heavy ties", nrm(300, 0, 2, 0), nrm(250, 0.3, 2, 0)
    yield "ties_1dec", "values rounded to 1 decimal", nrm(120, 0, 1, 1), nrm(80, 0.2, 1, 1)
    yield "one_constant", "x constant, y normal", np.full(40, 0.5), nrm(60)
    yield "both_constant", "two different constants: D = 1, SMD undefined", np.full(10, 1.0), np.full(15, 2.0)
    yield "scale_change", "same mean, sd 1 vs 2", nrm(500), nrm(500, 0, 2)
    yield "shifted_normals", "shift 1", nrm(100), nrm(100, 1.0)
    yield "tiny_2_5", "smallest sizes", nrm(2), nrm(5, 0.5)
    yield "strong_eq_200", "shift 5: complete separation, p ~ 1e-114", nrm(200), nrm(200, 5.0)
    yield "strong_uneq_40_70", "shift 4, unequal sizes, p < 1e-10", nrm(40), nrm(70, 4.0)
    yield "strong_uneq_150_400", "shift 1.2, unequal sizes, p ~ 1e-30", nrm(150), nrm(400, 1.2)


# --------------------------------------------------------------------------
# MMD
# --------------------------------------------------------------------------


def sqdist(a, b):
    """||a_i - b_j||^2 from explicit differences (no Gram-matrix shortcut)."""
    out = np.empty((len(a), len(b)))
    for i in range(len(a)):
        diff = b - a[i]
        out[i] = (diff * diff).sum(axis=1)
    return out


def mmd2_unbiased(x, y, sigma2):
    m, n = len(x), len(y)
    kxx = np.exp(-sqdist(x, x) / (2.0 * sigma2))
    kyy = np.exp(-sqdist(y, y) / (2.0 * sigma2))
    kxy = np.exp(-sqdist(x, y) / (2.0 * sigma2))
    np.fill_diagonal(kxx, 0.0)
    np.fill_diagonal(kyy, 0.0)
    return float(kxx.sum() / (m * (m - 1)) + kyy.sum() / (n * (n - 1)) - 2.0 * kxy.sum() / (m * n))


def mmd2_loops(x, y, sigma2):
    """Explicit double loops in Python floats (small cases only)."""

    def k(a, b):
        return math.exp(-math.fsum((p - q) ** 2 for p, q in zip(a, b)) / (2.0 * sigma2))

    m, n = len(x), len(y)
    sxx = math.fsum(k(x[i], x[j]) for i in range(m) for j in range(m) if i != j)
    syy = math.fsum(k(y[i], y[j]) for i in range(n) for j in range(n) if i != j)
    sxy = math.fsum(k(x[i], y[j]) for i in range(m) for j in range(n))
    return sxx / (m * (m - 1)) + syy / (n * (n - 1)) - 2.0 * sxy / (m * n)


def mmd2_gram(x, y, sigma2):
    z = np.concatenate([x, y])
    sq = (z * z).sum(axis=1)
    d = np.maximum(sq[:, None] + sq[None, :] - 2.0 * z @ z.T, 0.0)
    k = np.exp(-d / (2.0 * sigma2))
    m, n = len(x), len(y)
    kxx, kyy, kxy = k[:m, :m].copy(), k[m:, m:].copy(), k[:m, m:]
    np.fill_diagonal(kxx, 0.0)
    np.fill_diagonal(kyy, 0.0)
    return float(kxx.sum() / (m * (m - 1)) + kyy.sum() / (n * (n - 1)) - 2.0 * kxy.sum() / (m * n))


def median_sigma2(z):
    d = sqdist(z, z)[np.triu_indices(len(z), 1)]
    med = float(np.median(d))
    # Second route: sort and take the middle value(s) by hand.
    s = sorted(d.tolist())
    c = len(s)
    hand = s[c // 2] if c % 2 else (s[c // 2 - 1] + s[c // 2]) / 2.0
    assert med == hand, (med, hand)
    return med / 2.0


def mmd_case(name, note, x, y, sigma2_fixed):
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    assert x.ndim == 2 and y.ndim == 2 and x.shape[1] == y.shape[1]
    m, n = len(x), len(y)
    assert min(m, n) >= 2 and m + n <= 1200
    s2m = median_sigma2(np.concatenate([x, y]))
    assert s2m > 0.0
    out = {
        "name": name,
        "note": note,
        "d": x.shape[1],
        "m": m,
        "n": n,
        "x": x.tolist(),
        "y": y.tolist(),
        "sigma2_median": s2m,
        "mmd2_median": mmd2_unbiased(x, y, s2m),
        "sigma2_fixed": float(sigma2_fixed),
        "mmd2_fixed": mmd2_unbiased(x, y, sigma2_fixed),
    }
    for s2, key in ((s2m, "mmd2_median"), (sigma2_fixed, "mmd2_fixed")):
        # MMD^2 is a difference of O(1) terms: compare on the scale of those.
        assert abs(out[key] - mmd2_gram(x, y, s2)) <= 1e-12, (name, key)
        if m * n <= 400:
            assert abs(out[key] - mmd2_loops(x.tolist(), y.tolist(), s2)) <= 1e-13, (name, key)
    return out


def mmd_cases(rng):
    def g(size, d, loc=0.0, scale=1.0, dec=3):
        return np.round(rng.normal(loc, scale, (size, d)), dec)

    yield "d1_10_12_shift", "smallest, checked by explicit loops", g(10, 1), g(12, 1, 0.8), 1.0
    yield "d1_300_300_same", "identical distributions", g(300, 1), g(300, 1), 1.0
    yield "d2_600_600_shift", "pooled 1200, mean shift 0.3", g(600, 2), g(600, 2, 0.3), 2.0
    yield "d2_40_30_duplicates", (
        "values rounded to integers: many duplicate rows, zero distances"
    ), g(40, 2, 0, 1, 0), g(30, 2, 0.5, 1, 0), 2.0
    yield "d16_10_10_tiny", "tiny, checked by explicit loops", g(10, 16), g(10, 16, 0.5), 16.0
    yield "d16_100_400_scale", "unequal sizes, sd 1 vs 1.5", g(100, 16), g(400, 16, 0, 1.5), 16.0
    yield "d16_300_200_same", "identical distributions, unequal sizes", g(300, 16), g(200, 16), 16.0
    yield "d128_150_120_shift", "mean shift 0.1 in every coordinate", g(150, 128), g(120, 128, 0.1), 128.0
    yield "d128_60_60_same", "identical distributions", g(60, 128), g(60, 128), 128.0
    x = g(25, 4)
    y = np.concatenate([x[:10], g(15, 4)])
    yield "d4_25_25_shared_rows", "y repeats 10 rows of x", x, y, 4.0


# --------------------------------------------------------------------------
# chi-square: homogeneity and the survival function
# --------------------------------------------------------------------------


def chi2_case(name, note, a, b):
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    table = np.array([a, b])
    keep = table.sum(axis=0) > 0
    res = stats.chi2_contingency(table[:, keep], correction=False)
    stat, p, dof = float(res.statistic), float(res.pvalue), int(res.dof)
    # Independent route: expected = row total x column total / N.
    t = table[:, keep].astype(np.float64)
    e = t.sum(axis=1)[:, None] * t.sum(axis=0)[None, :] / t.sum()
    s2 = float(((t - e) ** 2 / e).sum())
    assert close(stat, s2, 1e-12, 1e-12), (name, stat, s2)
    assert dof == int(keep.sum()) - 1
    assert close(p, chi2_sf_check(stat, dof), 1e-11, 1e-300), (name, p)
    return {
        "name": name,
        "note": note,
        "a": a.tolist(),
        "b": b.tolist(),
        "statistic": stat,
        "dof": dof,
        "pvalue": p,
    }


def chi2_cases(rng):
    yield "k2_basic", "2x2, no Yates correction", [30, 70], [45, 55]
    yield "k2_equal", "identical vectors: statistic 0, p 1", [50, 50], [50, 50]
    yield "k3_strong", "strongly different", [200, 20, 30], [40, 180, 30]
    yield "k5_zero_column", "column 1 is 0 in both: dropped", [10, 0, 20, 5, 7], [12, 0, 18, 9, 3]
    yield "k6_zero_edges", "first and last columns 0 in both", [0, 3, 9, 4, 1, 0], [0, 5, 2, 6, 2, 0]
    pa = np.full(10, 0.1)
    a = rng.multinomial(5000, pa)
    yield "k10_near_equal", "same distribution, different totals", a, rng.multinomial(4000, pa)
    pb = np.linspace(1, 2, 10)
    yield "k10_different", "uniform vs linear ramp", rng.multinomial(3000, pa), rng.multinomial(3000, pb / pb.sum())
    yield "k4_small_counts", "expected counts below 5", [1, 2, 0, 3], [0, 1, 4, 1]
    pc = np.linspace(1, 1.05, 10)
    yield "k10_large_n", "1e6 per side, 5 % ramp", rng.multinomial(10**6, pa), rng.multinomial(10**6, pc / pc.sum())


def chi2_sf_check(x, df):
    """Q(df/2, x/2) by the upward recurrence Q(a+1, t) = Q(a, t) + t^a e^-t / Gamma(a+1),
    from Q(1/2, t) = erfc(sqrt t) or Q(1, t) = e^-t, summed in log space."""
    t = x / 2.0
    if x == 0.0:
        return 1.0
    a = df / 2.0
    if df % 2:
        start, a0 = math.erfc(math.sqrt(t)), 0.5
    else:
        start, a0 = math.exp(-t), 1.0
    logs = [math.log(start)] if start > 0 else []
    k = a0
    while k < a - 1e-9:
        logs.append(k * math.log(t) - t - math.lgamma(k + 1.0))
        k += 1.0
    if not logs:
        return 0.0
    mx = max(logs)
    return math.exp(mx) * math.fsum(math.exp(v - mx) for v in logs)


def chi2_sf_grid():
    out = []
    for df in (1, 2, 3, 9, 50, 999):
        xs = {0.0, 1e-10, 1e-3, 0.5, float(df) / 2, float(df - 1) if df > 1 else 0.25, float(df), 2.0 * df}
        xs.add(float(np.round(df + 10 * math.sqrt(2 * df), 1)))
        for target in (1e-20, 1e-100, 1e-300):
            xs.add(float(np.round(stats.chi2.isf(target, df), 1)))
        for x in sorted(xs):
            sf = float(stats.chi2.sf(x, df))
            ref = chi2_sf_check(x, df)
            assert close(sf, ref, 1e-11, 1e-320), (x, df, sf, ref)
            out.append({"x": x, "df": df, "sf": sf})
    return out


# --------------------------------------------------------------------------
# binomial test, one-sided
# --------------------------------------------------------------------------


def binom_tail_exact(k, n, p):
    """P(X >= k) for X ~ Bin(n, p), p a Fraction: exact rational, correctly rounded."""
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    a, b = p.numerator, p.denominator
    c = b - a

    def tail(lo, hi):  # sum_{i=lo}^{hi} C(n, i) a^i c^(n-i), exact integers
        total, term = 0, math.comb(n, lo) * a**lo * c ** (n - lo)
        for i in range(lo, hi + 1):
            total += term
            if i < hi:
                term = term * (n - i) * a // ((i + 1) * c)  # exact: the result is an integer
        return total

    whole = b**n
    if n - k + 1 <= k:
        return tail(k, n) / whole
    return (whole - tail(0, k - 1)) / whole


def binom_grid():
    out = []
    for n in (20, 100, 1000, 10000):
        for p_str in ("0.5", "0.3"):
            p = float(p_str)
            mu, sd = n * p, math.sqrt(n * p * (1 - p))
            ks = {0, 1, n, n - 1, int(mu), int(mu) + 1, max(int(mu - 2 * sd), 0), min(int(mu + 2 * sd), n),
                  min(int(mu + 5 * sd), n), min(int(mu + 10 * sd), n), min(int(mu + 30 * sd), n),
                  min(int(mu + 0.5 * sd) + 1, n)}
            for k in sorted(ks):
                pv = float(stats.binomtest(k, n, p, alternative="greater").pvalue)
                ref = binom_tail_exact(k, n, Fraction(p_str))
                if ref < 1e-300:
                    continue  # subnormal or underflowing tails are not compared
                assert close(pv, ref, 1e-11, 1e-300), (k, n, p, pv, ref)
                out.append({"k": k, "n": n, "p": p, "pvalue": pv})
    return out


# --------------------------------------------------------------------------
# DeLong
# --------------------------------------------------------------------------


def delong(y, s):
    pos, neg = s[y == 1], s[y == 0]
    m, n = len(pos), len(neg)
    psi = (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])
    v10 = psi.mean(axis=1)
    v01 = psi.mean(axis=0)
    return float(psi.mean()), float(np.var(v10, ddof=1) / m + np.var(v01, ddof=1) / n), v10, v01


def delong_ranks(y, s):
    """Placements from midranks: V10_i = (R_i - R^X_i) / n, V01_j = 1 - (R_j - R^Y_j) / m."""
    pos, neg = s[y == 1], s[y == 0]
    m, n = len(pos), len(neg)
    r = stats.rankdata(np.concatenate([pos, neg]))
    v10 = (r[:m] - stats.rankdata(pos)) / n
    v01 = 1.0 - (r[m:] - stats.rankdata(neg)) / m
    return v10, v01


def delong_case(name, note, y, s):
    y = np.asarray(y, dtype=np.int64)
    s = np.asarray(s, dtype=np.float64)
    auc_sk = float(roc_auc_score(y, s))
    auc, var, v10, v01 = delong(y, s)
    assert close(auc, auc_sk, 1e-12), (name, auc, auc_sk)
    r10, r01 = delong_ranks(y, s)
    assert np.allclose(v10, r10, rtol=0, atol=1e-12) and np.allclose(v01, r01, rtol=0, atol=1e-12), name
    return {
        "name": name,
        "note": note,
        "n_pos": int(y.sum()),
        "n_neg": int((1 - y).sum()),
        "y": y.tolist(),
        "score": s.tolist(),
        "auc": auc_sk,
        "variance": var,
    }


def delong_cases(rng):
    def scores(y, shift, dec=4):
        return np.round(rng.normal(0, 1, len(y)) + shift * y, dec)

    y = rng.permutation(np.r_[np.ones(60, int), np.zeros(80, int)])
    yield "ties_1dec", "scores rounded to 1 decimal: many ties across classes", y, scores(y, 0.8, 1)
    y = rng.permutation(np.r_[np.ones(40, int), np.zeros(50, int)])
    yield "perfect", "every positive above every negative: AUC 1, variance 0", y, np.round(
        np.where(y == 1, rng.uniform(0.6, 1.0, len(y)), rng.uniform(0.0, 0.4, len(y))), 4
    )
    y = rng.permutation(np.r_[np.ones(100, int), np.zeros(100, int)])
    yield "random", "no signal", y, scores(y, 0.0)
    y = rng.permutation(np.r_[np.ones(200, int), np.zeros(300, int)])
    yield "informative", "shift 1", y, scores(y, 1.0)
    y = rng.permutation(np.r_[np.ones(30, int), np.zeros(500, int)])
    yield "unbalanced_30_500", "30 positives, 500 negatives", y, scores(y, 1.2)
    y = rng.permutation(np.r_[np.ones(12, int), np.zeros(20, int)])
    yield "all_tied", "constant score: AUC 0.5, variance 0", y, np.full(len(y), 0.25)
    yield "tiny_2_3", "2 positives, 3 negatives", np.array([1, 0, 1, 0, 0]), np.array([0.9, 0.3, 0.4, 0.5, 0.1])


# --------------------------------------------------------------------------
# Label shift: BBSE and EM
# --------------------------------------------------------------------------


def leaning(rng, y, k, signal, decimals):
    """softmax(signal * onehot(y) + N(0, 1)), quantised."""
    z = rng.normal(0.0, 1.0, (len(y), k))
    z[np.arange(len(y)), y] += signal
    return quantize(softmax(z), decimals)


def bbse(k, src_labels, src_p, tgt_p):
    n_s = len(src_labels)
    pred_s = src_p.argmax(axis=1)
    pred_t = tgt_p.argmax(axis=1)
    conf = np.zeros((k, k))
    np.add.at(conf, (pred_s, src_labels), 1.0)
    conf /= n_s
    mu = np.bincount(pred_t, minlength=k) / len(pred_t)
    w_raw = np.linalg.solve(conf, mu)
    w = np.maximum(w_raw, 0.0)
    src_prior = np.bincount(src_labels, minlength=k) / n_s
    pri = w * src_prior / np.sum(w * src_prior)
    smin = float(np.linalg.svd(conf, compute_uv=False)[-1])
    # Checks: the loop-built confusion, the residual, lstsq, the eigenvalues of C^T C.
    loop = np.zeros((k, k))
    for pi, ti in zip(pred_s.tolist(), src_labels.tolist()):
        loop[pi][ti] += 1
    assert np.array_equal(loop / n_s, conf)
    assert np.allclose(conf @ w_raw, mu, rtol=0, atol=1e-13)
    assert np.allclose(np.linalg.lstsq(conf, mu, rcond=None)[0], w_raw, rtol=1e-10, atol=1e-12)
    assert close(smin, math.sqrt(max(np.linalg.eigvalsh(conf.T @ conf)[0], 0.0)), 1e-8)
    # argmax is the first maximum
    for row, p in zip(src_p[:50], pred_s[:50]):
        assert p == next(i for i, v in enumerate(row) if v == row.max())
    return conf, mu, w_raw, w, src_prior, pri, smin


def bbse_case(rng, name, note, k, n_s, n_t, src_prior, tgt_prior, signal, decimals, need_clip=False):
    """Labels from the priors, probabilities leaning to the label. With
    `need_clip`, redraw (deterministically, from the same stream) until a raw
    weight is negative, so that the clipping is exercised."""
    src_prior = np.asarray(src_prior, float)
    tgt_prior = np.asarray(tgt_prior, float)
    for _ in range(100):
        ys = rng.choice(k, size=n_s, p=src_prior / src_prior.sum())
        yt = rng.choice(k, size=n_t, p=tgt_prior / tgt_prior.sum())
        ps = leaning(rng, ys, k, signal, decimals)
        pt = leaning(rng, yt, k, signal, decimals)
        conf, mu, w_raw, w, sp, pri, smin = bbse(k, ys, ps, pt)
        if not need_clip or w_raw.min() < 0.0:
            break
    else:
        raise RuntimeError(f"{name}: no negative raw weight in 100 draws")
    acc = float((ps.argmax(axis=1) == ys).mean())
    print(f"  bbse {name}: source accuracy {acc:.3f}, sigma_min {smin:.4f}", file=sys.stderr)
    return {
        "name": name,
        "note": note,
        "k": k,
        "decimals": decimals,
        "source_labels": ys.tolist(),
        "source_proba": ps.tolist(),
        "target_proba": pt.tolist(),
        "target_prior_used": tgt_prior / tgt_prior.sum(),
        "target_label_freq": np.bincount(yt, minlength=k) / n_t,
        "source_accuracy": acc,
        "confusion": conf.tolist(),
        "target_predicted": mu.tolist(),
        "weights_raw": w_raw.tolist(),
        "weights": w.tolist(),
        "source_priors": sp.tolist(),
        "priors": pri.tolist(),
        "sigma_min": smin,
    }


def bbse_cases(rng):
    yield bbse_case(rng, "k2", "target prior [0.8, 0.2]", 2, 500, 1000, [0.5, 0.5], [0.8, 0.2], 1.5, 4)
    yield bbse_case(rng, "k3", "uniform source, target [0.5, 0.3, 0.2]", 3, 2000, 3000,
                    [1, 1, 1], [0.5, 0.3, 0.2], 1.95, 4)
    yield bbse_case(rng, "k3_absent_class", "class 2 absent from the target: a weight clipped to 0",
                    3, 1000, 1500, [0.4, 0.3, 0.3], [0.6, 0.4, 0.0], 1.95, 4, need_clip=True)
    yield bbse_case(rng, "k3_no_shift", "target prior = source prior", 3, 1500, 1500,
                    [0.5, 0.3, 0.2], [0.5, 0.3, 0.2], 1.95, 4)
    tp = 0.7 ** np.arange(10)
    yield bbse_case(rng, "k10", "uniform source, geometric target prior (ratio 0.7)", 10, 1500, 2500,
                    np.ones(10), tp, 2.7, 3)


def em(source_priors, p):
    pi = np.asarray(source_priors, float)
    q = pi.copy()
    for it in range(1, EM_MAX_ITER + 1):
        r = p * (q / pi)
        r /= r.sum(axis=1, keepdims=True)
        q_new = r.mean(axis=0)
        done = np.max(np.abs(q_new - q)) < EM_TOL
        q = q_new
        if done:
            break
    else:
        raise RuntimeError("EM did not converge")
    log_lr = float(np.sum(np.log((p * (q / pi)).sum(axis=1))))
    return q, it, log_lr


def em_check(source_priors, p, q, log_lr):
    pi = np.asarray(source_priors, float)
    k = len(pi)

    def negll(theta):
        qq = special.softmax(np.r_[0.0, theta])
        return -float(np.sum(np.log((p * (qq / pi)).sum(axis=1))))

    theta0 = np.log(np.maximum(q, 1e-300) / max(q[0], 1e-300))[1:]
    res = optimize.minimize(negll, theta0 + 0.05, method="BFGS", options={"gtol": 1e-10})
    assert -res.fun <= log_lr + 1e-8, (-res.fun, log_lr)  # EM reached the maximum
    assert close(-res.fun, log_lr, 1e-8, 1e-9), (-res.fun, log_lr)
    assert np.allclose(special.softmax(np.r_[0.0, res.x]), q, atol=1e-5)
    # Fixed point.
    r = p * (q / pi)
    r /= r.sum(axis=1, keepdims=True)
    assert np.max(np.abs(r.mean(axis=0) - q)) < 1e-11
    assert log_lr >= -1e-12 and k == p.shape[1]


def em_case(rng, name, note, src_prior, tgt_prior, n, sep, decimals):
    """x | y ~ N(sep * e_y, I_K); the source model's output is the exact
    posterior under the source prior, softmax(log pi + sep * x)."""
    pi = np.asarray(src_prior, float)
    pi = pi / pi.sum()
    k = len(pi)
    tq = np.asarray(tgt_prior, float)
    tq = tq / tq.sum()
    y = rng.choice(k, size=n, p=tq)
    x = rng.normal(0.0, 1.0, (n, k))
    x[np.arange(n), y] += sep
    p = quantize(softmax(np.log(pi)[None, :] + sep * x), decimals)
    q, it, log_lr = em(pi, p)
    em_check(pi, p, q, log_lr)
    print(f"  em {name}: {it} iterations, log_lr {log_lr:.6g}", file=sys.stderr)
    return {
        "name": name,
        "note": note,
        "k": k,
        "decimals": decimals,
        "source_priors": pi.tolist(),
        "target_proba": p.tolist(),
        "target_prior_used": tq,
        "target_label_freq": np.bincount(y, minlength=k) / n,
        "priors": q.tolist(),
        "iterations": it,
        "log_lr": log_lr,
    }


def em_cases(rng):
    yield em_case(rng, "k2", "uniform source, target [0.8, 0.2]", [0.5, 0.5], [0.8, 0.2], 2000, 2.0, 4)
    yield em_case(rng, "k3", "uniform source, target [0.5, 0.3, 0.2]", np.ones(3) / 3, [0.5, 0.3, 0.2],
                  2000, 2.5, 4)
    yield em_case(rng, "k3_skewed_source", "source [0.2, 0.3, 0.5], target [0.6, 0.3, 0.1]",
                  [0.2, 0.3, 0.5], [0.6, 0.3, 0.1], 1500, 2.5, 4)
    yield em_case(rng, "k3_no_shift", "target prior = source prior [0.5, 0.3, 0.2]", [0.5, 0.3, 0.2],
                  [0.5, 0.3, 0.2], 1000, 2.5, 4)
    yield em_case(rng, "k10", "uniform source, geometric target (ratio 0.7)", np.ones(10) / 10,
                  0.7 ** np.arange(10), 1000, 3.0, 3)


# --------------------------------------------------------------------------


def main():
    ks = []
    for name, note, x, y in ks_cases(section_rng(1)):
        ks.append(ks_case(name, note, x, y))
        c = ks[-1]
        print(f"  ks {name:22s} {c['m']:5d}/{c['n']:<5d} D={c['statistic']:.4f} p={c['pvalue_exact']}",
              file=sys.stderr)
    mmd = [mmd_case(*args) for args in mmd_cases(section_rng(2))]
    chi2 = [chi2_case(*args) for args in chi2_cases(section_rng(3))]
    chi2_sf = chi2_sf_grid()
    binom = binom_grid()
    dl = [delong_case(*args) for args in delong_cases(section_rng(4))]
    bb = list(bbse_cases(section_rng(5)))
    emc = list(em_cases(section_rng(6)))

    header = {
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "sklearn": sklearn.__version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "seed": SEED,
        "generator": "tools/golden/make_shift.py",
        "em_tol": EM_TOL,
        "em_max_iter": EM_MAX_ITER,
    }
    sections = [("ks", ks), ("mmd", mmd), ("chi2", chi2), ("chi2_sf", chi2_sf), ("binom", binom),
                ("delong", dl), ("bbse", bb), ("em", emc)]

    def dump(x):
        return json.dumps(clean(arrays_to_lists(x)), separators=(",", ":"), allow_nan=False)

    parts = [dump(header)[:-1]]
    for key, items in sections:
        parts.append(f'"{key}":[\n' + ",\n".join(dump(it) for it in items) + "\n]")
    text = ",\n".join(parts) + "}\n"
    json.loads(text)  # well-formed
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text)
    counts = ", ".join(f"{k} {len(v)}" for k, v in sections)
    print(f"wrote {OUT} ({os.path.getsize(OUT) / 1e6:.2f} MB; {counts})", file=sys.stderr)


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
