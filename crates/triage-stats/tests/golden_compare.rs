//! Comparison statistics against `tests/golden/compare.json`, written by
//! `tools/golden/make_compare.py` (scipy's Welch t-test and F tail,
//! statsmodels' Holm correction, a pairwise DeLong implementation, the
//! 5×2cv formulas with scipy's distributions, scikit-learn's metrics;
//! versions in the file), and the paired bootstrap's invariants.

use serde_json::Value;
use triage_stats::compare::configs::welch_comparison;
use triage_stats::compare::delong::delong_paired;
use triage_stats::compare::hypothesis::{f_sf, five_by_two, holm, mcnemar_sample_size, welch_t};
use triage_stats::compare::paired::{paired_bootstrap, PairedOptions};
use triage_stats::proba::ProbMatrix;

fn golden() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/compare.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("run tools/golden/make_compare.py"))
        .unwrap()
}

fn close(what: &str, got: f64, want: f64, rel: f64) {
    assert!(
        (got - want).abs() <= rel * want.abs().max(1e-300) + 1e-15,
        "{what}: {got} vs {want}"
    );
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap()
}

#[test]
fn welch_and_f_match_scipy() {
    let g = golden();
    for case in g["welch"].as_array().unwrap() {
        let r = welch_t(&floats(&case["x"]), &floats(&case["y"])).unwrap();
        close("t", r.t, f(&case["t"]), 1e-12);
        close("df", r.df, f(&case["df"]), 1e-12);
        close("p", r.p_value, f(&case["p"]), 1e-9);
        // The sweep's interval of the difference of means (scipy's
        // `TtestResult.confidence_interval`).
        let c = welch_comparison(
            ("x", "y"),
            "accuracy",
            &floats(&case["x"]),
            &floats(&case["y"]),
            0.05,
        )
        .unwrap();
        close("interval low", c.low.unwrap(), f(&case["ci_low"]), 1e-9);
        close("interval high", c.high.unwrap(), f(&case["ci_high"]), 1e-9);
    }
    for case in g["f_sf"].as_array().unwrap() {
        close(
            "F tail",
            f_sf(f(&case["f"]), f(&case["d1"]), f(&case["d2"])),
            f(&case["p"]),
            1e-10,
        );
    }
}

#[test]
fn five_by_two_cv_tests_match_the_formulas() {
    for case in golden()["five_by_two"].as_array().unwrap() {
        let rows = case["diffs"].as_array().unwrap();
        let diffs: [[f64; 2]; 5] = std::array::from_fn(|i| {
            let r = floats(&rows[i]);
            [r[0], r[1]]
        });
        let (t, ftest) = five_by_two(&diffs);
        close("5x2cv t", t.t, f(&case["t"]), 1e-12);
        close("5x2cv p", t.p_value, f(&case["p_t"]), 1e-9);
        close("combined F", ftest.f, f(&case["f"]), 1e-12);
        close("combined F p", ftest.p_value, f(&case["p_f"]), 1e-9);
    }
}

#[test]
fn holm_matches_statsmodels() {
    let g = golden();
    let adjusted = holm(&floats(&g["holm"]["p"]));
    for (got, want) in adjusted.iter().zip(floats(&g["holm"]["adjusted"])) {
        close("holm", *got, want, 1e-12);
    }
}

#[test]
fn delong_matches_the_pairwise_definition() {
    for case in golden()["delong"].as_array().unwrap() {
        let pos: Vec<bool> = case["positive"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_bool().unwrap())
            .collect();
        let r = delong_paired(&pos, &floats(&case["a"]), &floats(&case["b"])).unwrap();
        close("auc a", r.auc_a, f(&case["auc_a"]), 1e-12);
        close("auc b", r.auc_b, f(&case["auc_b"]), 1e-12);
        close("se", r.se, f(&case["se"]), 1e-9);
        close("p", r.p_value, f(&case["p"]), 1e-8);
    }
}

#[test]
fn mcnemar_sample_size_matches_connor() {
    for case in golden()["sample_size"].as_array().unwrap() {
        let n = mcnemar_sample_size(
            case["b"].as_u64().unwrap(),
            case["c"].as_u64().unwrap(),
            case["n"].as_u64().unwrap(),
            0.05,
            0.8,
        )
        .unwrap();
        close("size", n, f(&case["size"]), 1e-10);
    }
    assert!(mcnemar_sample_size(5, 5, 100, 0.05, 0.8).is_none());
}

fn matrix(v: &Value) -> ProbMatrix {
    let rows = v.as_array().unwrap();
    let k = rows[0].as_array().unwrap().len();
    ProbMatrix::new(rows.iter().flat_map(floats).collect(), k, 1e-6).unwrap()
}

#[test]
fn paired_metrics_match_scikit_learn_and_the_bootstrap_holds_them() {
    let g = &golden()["metrics"];
    let y: Vec<usize> = g["y"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap() as usize)
        .collect();
    let (a, b) = (matrix(&g["a"]), matrix(&g["b"]));
    let opts = PairedOptions {
        resamples: 1000,
        seed: 3,
        confidence: 0.95,
    };
    let diffs = paired_bootstrap(&y, &a, &b, &opts).unwrap();
    for d in &diffs {
        close(d.metric, d.a, f(&g["metrics_a"][d.metric]), 1e-10);
        close(d.metric, d.b, f(&g["metrics_b"][d.metric]), 1e-10);
        assert!(d.low <= d.diff && d.diff <= d.high, "{d:?}");
        assert_eq!(d.valid_resamples, 1000, "{}", d.metric);
    }
    // Accuracy: the bootstrap's spread is the paired analytic one,
    // Var(diff) = (b + c − (b − c)²/n)/n².
    let (pa, pb) = (a.argmax(), b.argmax());
    let bc = y
        .iter()
        .zip(pa.iter().zip(&pb))
        .fold((0.0, 0.0), |(b, c), (&t, (&x, &z))| {
            (
                b + f64::from(u8::from(x == t && z != t)),
                c + f64::from(u8::from(z == t && x != t)),
            )
        });
    let n = y.len() as f64;
    let se = ((bc.0 + bc.1 - (bc.0 - bc.1).powi(2) / n) / (n * n)).sqrt();
    let acc = &diffs[0];
    let width = acc.high - acc.low;
    assert!(
        (width / (2.0 * 1.96 * se) - 1.0).abs() < 0.15,
        "bootstrap width {width} against analytic {}",
        2.0 * 1.96 * se
    );
    // The same seed gives the same intervals; the pairing is symmetric.
    assert_eq!(paired_bootstrap(&y, &a, &b, &opts).unwrap(), diffs);
    let swapped = paired_bootstrap(&y, &b, &a, &opts).unwrap();
    for (s, d) in swapped.iter().zip(&diffs) {
        close("symmetry", s.low, -d.high, 1e-12);
    }
}
