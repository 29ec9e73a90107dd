//! The shift statistics against `tests/golden/shift.json`, written by
//! `tools/golden/make_shift.py` with scipy / scikit-learn (versions in the
//! file's header): KS (exact and limiting p-values), Wasserstein-1,
//! standardised mean difference, unbiased MMD², χ² homogeneity, the χ² and
//! binomial tails, AUC with DeLong's variance, BBSE and EM priors.

use serde_json::Value;
use triage_stats::proba::ProbMatrix;
use triage_stats::shift::bbsd::chi2_homogeneity;
use triage_stats::shift::c2st::delong_variance;
use triage_stats::shift::distributions::{binomial_sf_ge, chi2_sf, kolmogorov_sf};
use triage_stats::shift::label_shift::{bbse, em_priors};
use triage_stats::shift::mmd::{median_heuristic_sigma2, mmd2_unbiased};
use triage_stats::shift::univariate::{
    ks_two_sample, standardized_mean_difference, wasserstein_1, KsMethod, EXACT_MAX,
};

const HINT: &str = "HINT: regenerate with tools/golden/make_shift.py (see tools/golden/README.md)";

fn golden() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/shift.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect(HINT)).expect(HINT)
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn vec1(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(f).collect()
}

fn rows(v: &Value) -> (Vec<f64>, usize) {
    let rows = v.as_array().unwrap();
    let k = rows[0].as_array().unwrap().len();
    (rows.iter().flat_map(vec1).collect(), k)
}

fn close(case: &str, what: &str, got: f64, want: f64, rel: f64) {
    let scale = got.abs().max(want.abs()).max(1e-300);
    assert!(
        (got - want).abs() <= rel * scale || (got - want).abs() < 1e-300,
        "{case}: {what}: got {got:e}, want {want:e} (relative tolerance {rel:e}); {HINT}"
    );
}

#[test]
fn ks_wasserstein_and_smd_match_scipy() {
    let g = golden();
    let cases = g["ks"].as_array().unwrap();
    assert!(cases.len() >= 15);
    for c in cases {
        let name = c["name"].as_str().unwrap();
        let (x, y) = (vec1(&c["x"]), vec1(&c["y"]));
        let ks = ks_two_sample(&x, &y).unwrap();
        close(name, "D", ks.statistic, f(&c["statistic"]), 1e-12);
        let exact = x.len().max(y.len()) <= EXACT_MAX;
        if ks.method == KsMethod::Exact {
            // scipy's exact p-value (and the exact lattice-path count).
            close(name, "p exact", ks.p_value, f(&c["pvalue_paths"]), 1e-9);
        } else {
            assert!(!exact, "{name}: limiting p-value below the exact cap");
            close(name, "p limit", ks.p_value, f(&c["pvalue_limit"]), 1e-9);
        }
        // The limiting distribution itself, at λ = √(mn/(m+n))·D.
        let (m, n) = (x.len() as f64, y.len() as f64);
        let lambda = (m * n / (m + n)).sqrt() * f(&c["statistic"]);
        close(
            name,
            "Kolmogorov sf",
            kolmogorov_sf(lambda),
            f(&c["pvalue_limit"]),
            1e-9,
        );
        close(
            name,
            "W1",
            wasserstein_1(&x, &y).unwrap(),
            f(&c["wasserstein"]),
            1e-10,
        );
        match (
            standardized_mean_difference(&x, &y).unwrap(),
            c["smd"].as_f64(),
        ) {
            (Some(got), Some(want)) => close(name, "SMD", got, want, 1e-10),
            (None, None) => {}
            (got, want) => panic!("{name}: SMD {got:?} vs {want:?}"),
        }
    }
}

#[test]
fn unbiased_mmd2_matches_the_reference_at_both_bandwidths() {
    let g = golden();
    for c in g["mmd"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        let d = c["d"].as_u64().unwrap() as usize;
        let (x, _) = rows(&c["x"]);
        let (y, _) = rows(&c["y"]);
        let pooled: Vec<f64> = x.iter().chain(&y).copied().collect();
        let s2 = median_heuristic_sigma2(&pooled, d, usize::MAX, 0);
        close(name, "σ² median", s2, f(&c["sigma2_median"]), 1e-12);
        let got = mmd2_unbiased(&x, &y, d, s2).unwrap();
        close(name, "MMD² median", got, f(&c["mmd2_median"]), 1e-9);
        let fixed = f(&c["sigma2_fixed"]);
        let got = mmd2_unbiased(&x, &y, d, fixed).unwrap();
        close(name, "MMD² fixed", got, f(&c["mmd2_fixed"]), 1e-9);
    }
}

#[test]
fn chi2_homogeneity_and_tails_match_scipy() {
    let g = golden();
    for c in g["chi2"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        let counts = |v: &Value| -> Vec<u64> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_u64().unwrap())
                .collect()
        };
        let t = chi2_homogeneity(&counts(&c["a"]), &counts(&c["b"])).unwrap();
        close(name, "χ²", t.statistic, f(&c["statistic"]), 1e-10);
        assert_eq!(t.dof as u64, c["dof"].as_u64().unwrap(), "{name}");
        close(name, "p", t.p_value, f(&c["pvalue"]), 1e-9);
    }
    for c in g["chi2_sf"].as_array().unwrap() {
        let (x, df) = (f(&c["x"]), f(&c["df"]));
        close(
            &format!("x={x} df={df}"),
            "χ² sf",
            chi2_sf(x, df),
            f(&c["sf"]),
            1e-9,
        );
    }
    for c in g["binom"].as_array().unwrap() {
        let (k, n, p) = (
            c["k"].as_u64().unwrap(),
            c["n"].as_u64().unwrap(),
            f(&c["p"]),
        );
        close(
            &format!("k={k} n={n} p={p}"),
            "P(X ≥ k)",
            binomial_sf_ge(k, n, p),
            f(&c["pvalue"]),
            1e-9,
        );
    }
}

#[test]
fn delong_variance_matches_the_rank_formula() {
    let g = golden();
    for c in g["delong"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        let y = vec1(&c["y"]);
        let score = vec1(&c["score"]);
        let pos: Vec<f64> = score
            .iter()
            .zip(&y)
            .filter(|(_, &l)| l == 1.0)
            .map(|(s, _)| *s)
            .collect();
        let neg: Vec<f64> = score
            .iter()
            .zip(&y)
            .filter(|(_, &l)| l == 0.0)
            .map(|(s, _)| *s)
            .collect();
        assert_eq!(pos.len() as u64, c["n_pos"].as_u64().unwrap());
        close(
            name,
            "variance",
            delong_variance(&pos, &neg),
            f(&c["variance"]),
            1e-9,
        );
    }
}

fn proba(v: &Value) -> ProbMatrix {
    let (data, k) = rows(v);
    ProbMatrix::new(data, k, 1e-6).unwrap()
}

#[test]
fn bbse_matches_the_reference() {
    let g = golden();
    for c in g["bbse"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        let labels: Vec<usize> = c["source_labels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap() as usize)
            .collect();
        let est = bbse(
            &labels,
            &proba(&c["source_proba"]),
            &proba(&c["target_proba"]),
        )
        .unwrap();
        let (confusion, _) = rows(&c["confusion"]);
        for (i, (&g, &w)) in est.confusion.iter().zip(&confusion).enumerate() {
            close(name, &format!("C[{i}]"), g, w, 1e-12);
        }
        for (i, (&g, &w)) in est
            .target_predicted
            .iter()
            .zip(&vec1(&c["target_predicted"]))
            .enumerate()
        {
            close(name, &format!("μ[{i}]"), g, w, 1e-12);
        }
        match c["weights_raw"].as_array() {
            Some(_) => {
                let raw = est.weights_raw.as_ref().expect("weights");
                for (i, (&g, &w)) in raw.iter().zip(&vec1(&c["weights_raw"])).enumerate() {
                    close(name, &format!("w_raw[{i}]"), g, w, 1e-9);
                }
                let priors = est.priors.as_ref().expect("priors");
                for (i, (&g, &w)) in priors.iter().zip(&vec1(&c["priors"])).enumerate() {
                    close(name, &format!("q[{i}]"), g, w, 1e-9);
                }
            }
            None => assert!(est.weights_raw.is_none(), "{name}: singular C"),
        }
        if let (Some(got), Some(want)) = (est.sigma_min, c["sigma_min"].as_f64()) {
            close(name, "σ_min", got, want, 1e-8);
        }
    }
}

#[test]
fn em_priors_match_the_reference() {
    let g = golden();
    for c in g["em"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        let est = em_priors(&proba(&c["target_proba"]), &vec1(&c["source_priors"])).unwrap();
        for (i, (&g, &w)) in est.priors.iter().zip(&vec1(&c["priors"])).enumerate() {
            // Both stop at a relative change of 1e-12; the fixed point
            // agrees to about that.
            close(name, &format!("q[{i}]"), g, w, 1e-8);
        }
        close(name, "log LR", est.log_lr, f(&c["log_lr"]), 1e-8);
    }
}
