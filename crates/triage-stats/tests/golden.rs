//! Golden tests: every metric of triage-stats against scikit-learn (and numpy /
//! scipy reference code for calibration, temperature scaling and the Wilson
//! interval), on the fixtures written by `tools/golden/make_golden.py`.
//!
//! Values are compared to a relative 1e-10 (absolute floor 1e-12), curves
//! element-wise with equal lengths; JSON `null` stands for
//! `Metric::Undefined` / `None` / NaN and the string `"inf"` for +∞.
//! Temperatures are compared to a relative 1e-6, NLLs to 1e-9.

use serde_json::Value;
use triage_stats::calibration::calibration_report;
use triage_stats::confusion::{top_k_accuracy_score, ConfusionMatrix, Normalize};
use triage_stats::intervals::wilson_interval;
use triage_stats::multiclass::{average_precision_multiclass, roc_auc_ovo, roc_auc_ovr, Average};
use triage_stats::precision_recall::{average_precision_score, precision_recall_curve};
use triage_stats::probabilistic::{brier_score_loss, log_loss};
use triage_stats::roc::{roc_auc_score, roc_curve};
use triage_stats::temperature::fit_temperature;
use triage_stats::{Metric, ProbMatrix};

const FIXTURES: &str = include_str!("golden/metrics.json");
const HINT: &str =
    "HINT: regenerate fixtures with tools/golden/make_golden.py (see tools/golden/README.md)";
const N_BINS: usize = 15;

/// Relative tolerance of ordinary values.
const REL: f64 = 1e-10;
/// Absolute floor for values near 0.
const ABS: f64 = 1e-12;

/// Collects every mismatch of one run, labelled by case and field.
struct Checker {
    case: String,
    failures: Vec<String>,
    checked: usize,
    /// Largest relative error seen among non-zero values (and where).
    worst: (f64, String),
}

impl Checker {
    fn fail(&mut self, field: &str, msg: String) {
        self.failures
            .push(format!("case {}: {field}: {msg}", self.case));
    }

    /// Compare an optional value (None = undefined/NaN) with tolerances.
    fn value_tol(&mut self, field: &str, got: Option<f64>, want: Option<f64>, rel: f64, abs: f64) {
        self.checked += 1;
        let got = got.filter(|v| !v.is_nan());
        match (got, want) {
            (None, None) => {}
            (Some(g), Some(w)) => {
                let scale = g.abs().max(w.abs());
                if g != w && scale > ABS && (g - w).abs() / scale > self.worst.0 {
                    self.worst = ((g - w).abs() / scale, format!("{}: {field}", self.case));
                }
                if !approx::relative_eq!(g, w, epsilon = abs, max_relative = rel) {
                    let rel_err = (g - w).abs() / g.abs().max(w.abs());
                    self.fail(
                        field,
                        format!("expected {w:e}, got {g:e} (rel. error {rel_err:.2e})"),
                    );
                }
            }
            (g, w) => self.fail(field, format!("expected {w:?}, got {g:?}")),
        }
    }

    fn value(&mut self, field: &str, got: Option<f64>, want: Option<f64>) {
        self.value_tol(field, got, want, REL, ABS);
    }

    fn metric(&mut self, field: &str, got: &Metric, want: &Value) {
        self.value(field, got.value(), opt(want));
    }

    fn num(&mut self, field: &str, got: f64, want: &Value) {
        self.value(field, Some(got), opt(want));
    }

    fn curve(&mut self, field: &str, got: &[f64], want: &[Option<f64>]) {
        self.checked += 1;
        if got.len() != want.len() {
            self.fail(
                field,
                format!("expected {} points, got {}", want.len(), got.len()),
            );
            return;
        }
        for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
            let before = self.failures.len();
            self.value(&format!("{field}[{i}]"), Some(g), w);
            if self.failures.len() > before {
                return; // one failure per curve is enough
            }
        }
    }
}

/// A JSON number, null (→ None) or "inf"/"-inf".
fn opt(v: &Value) -> Option<f64> {
    match v {
        Value::Null => None,
        Value::Number(n) => n.as_f64(),
        Value::String(s) if s == "inf" => Some(f64::INFINITY),
        Value::String(s) if s == "-inf" => Some(f64::NEG_INFINITY),
        other => panic!("not a number: {other}"),
    }
}

fn opts(v: &Value) -> Vec<Option<f64>> {
    v.as_array().expect("array").iter().map(opt).collect()
}

fn f64s(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_f64().expect("number"))
        .collect()
}

fn usizes(v: &Value) -> Vec<usize> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_u64().expect("integer") as usize)
        .collect()
}

/// Rates `counts / counts.last()` as scikit-learn computes them (NaN when the
/// total is 0, i.e. null).
fn rates(counts: &[f64]) -> Vec<Option<f64>> {
    let total = *counts.last().expect("non-empty curve");
    counts
        .iter()
        .map(|&c| (total != 0.0).then(|| c / total))
        .collect()
}

fn check_roc(ck: &mut Checker, field: &str, y: &[bool], s: &[f64], drop: bool, want: &Value) {
    let roc = roc_curve(y, s, drop).expect("roc_curve");
    ck.curve(
        &format!("{field}.thresholds"),
        &roc.thresholds,
        &opts(&want["thresholds"]),
    );
    let (fpr, tpr) = if want.get("fps").is_some() {
        (rates(&f64s(&want["fps"])), rates(&f64s(&want["tps"])))
    } else {
        (opts(&want["fpr"]), opts(&want["tpr"]))
    };
    ck.curve(&format!("{field}.fpr"), &roc.fpr, &fpr);
    ck.curve(&format!("{field}.tpr"), &roc.tpr, &tpr);
}

fn check_pr(ck: &mut Checker, field: &str, y: &[bool], s: &[f64], want: &Value) {
    let pr = precision_recall_curve(y, s).expect("precision_recall_curve");
    ck.curve(
        &format!("{field}.thresholds"),
        &pr.thresholds,
        &opts(&want["thresholds"]),
    );
    let (precision, recall) = if want.get("fps").is_some() {
        // Counts in increasing-threshold order, as the curve.
        let (fps, tps) = (f64s(&want["fps"]), f64s(&want["tps"]));
        let total = tps[0];
        let mut p: Vec<Option<f64>> = tps
            .iter()
            .zip(&fps)
            .map(|(&tp, &fp)| Some(if tp + fp != 0.0 { tp / (tp + fp) } else { 0.0 }))
            .collect();
        let mut r: Vec<Option<f64>> = tps
            .iter()
            .map(|&tp| Some(if total != 0.0 { tp / total } else { 1.0 }))
            .collect();
        p.push(Some(1.0));
        r.push(Some(0.0));
        (p, r)
    } else {
        (opts(&want["precision"]), opts(&want["recall"]))
    };
    ck.curve(&format!("{field}.precision"), &pr.precision, &precision);
    ck.curve(&format!("{field}.recall"), &pr.recall, &recall);
}

fn check_case(ck: &mut Checker, case: &Value) {
    let k = case["k"].as_u64().expect("k") as usize;
    let y = usizes(&case["y_true"]);
    let rows = case["y_proba"].as_array().expect("y_proba");
    let data: Vec<f64> = rows.iter().flat_map(f64s).collect();
    assert_eq!(
        rows.len(),
        y.len(),
        "case {}: y_true and y_proba lengths",
        ck.case
    );
    assert_eq!(data.len(), y.len() * k, "case {}: y_proba shape", ck.case);
    let proba = ProbMatrix::new(data, k, 1e-12)
        .unwrap_or_else(|e| panic!("case {}: invalid y_proba: {e}\n{HINT}", ck.case));
    let e = &case["expected"];
    let y_pred = proba.argmax();

    // Confusion-matrix metrics.
    let cm = ConfusionMatrix::new(&y, &y_pred, k, None).expect("confusion");
    ck.metric("accuracy", &cm.accuracy(), &e["accuracy"]);
    ck.metric(
        "balanced_accuracy",
        &cm.balanced_accuracy(),
        &e["balanced_accuracy"],
    );
    ck.metric("cohen_kappa", &cm.cohen_kappa(), &e["cohen_kappa"]);
    ck.metric("mcc", &cm.mcc(), &e["mcc"]);
    if let Some(topk) = e.get("top_k_accuracy").and_then(Value::as_object) {
        for (t, want) in topk {
            let t: usize = t.parse().expect("top-k key");
            let got = top_k_accuracy_score(&y, &proba, t).expect("top_k");
            ck.num(&format!("top_k_accuracy[{t}]"), got, want);
        }
    } else {
        assert!(k < 3, "case {}: top_k_accuracy missing for K={k}", ck.case);
    }
    ck.num(
        "log_loss",
        log_loss(&y, &proba).expect("log_loss"),
        &e["log_loss"],
    );
    ck.num(
        "brier",
        brier_score_loss(&y, &proba).expect("brier"),
        &e["brier"],
    );

    let counts = cm.rows();
    for (t, want_row) in e["confusion"]
        .as_array()
        .expect("confusion")
        .iter()
        .enumerate()
    {
        ck.curve(&format!("confusion[{t}]"), &counts[t], &opts(want_row));
    }
    for (how, key) in [
        (Normalize::True, "confusion_true"),
        (Normalize::Pred, "confusion_pred"),
        (Normalize::All, "confusion_all"),
    ] {
        let got = cm.normalized(how);
        for (t, want_row) in e[key].as_array().expect("normalized").iter().enumerate() {
            for (p, want) in want_row.as_array().expect("row").iter().enumerate() {
                ck.value(&format!("{key}[{t}][{p}]"), got[t][p], opt(want));
            }
        }
    }

    // Per-class scores and curves.
    let scores = cm.class_scores();
    let per_class = e["per_class"].as_array().expect("per_class");
    assert_eq!(per_class.len(), k, "case {}: per_class length", ck.case);
    for (c, want) in per_class.iter().enumerate() {
        let f = |name: &str| format!("class {c}.{name}");
        ck.metric(&f("precision"), &scores[c].precision, &want["precision"]);
        ck.metric(&f("recall"), &scores[c].recall, &want["recall"]);
        ck.metric(&f("f1"), &scores[c].f1, &want["f1"]);
        ck.num(&f("support"), scores[c].support, &want["support"]);
        let yb: Vec<bool> = y.iter().map(|&t| t == c).collect();
        let sc = proba.column(c);
        check_roc(ck, &f("roc"), &yb, &sc, true, &want["roc"]);
        check_roc(ck, &f("roc_full"), &yb, &sc, false, &want["roc_full"]);
        ck.metric(
            &f("roc_auc"),
            &roc_auc_score(&yb, &sc).expect("auc"),
            &want["roc_auc"],
        );
        check_pr(ck, &f("pr"), &yb, &sc, &want["pr"]);
        let ap = average_precision_score(&yb, &sc).expect("ap");
        ck.metric(&f("average_precision"), &ap, &want["average_precision"]);
    }

    // Multiclass averages.
    let averages = [
        ("macro", Average::Macro),
        ("weighted", Average::Weighted),
        ("micro", Average::Micro),
    ];
    for (name, avg) in averages {
        let got = roc_auc_ovr(&y, &proba, avg).expect("ovr");
        ck.metric(
            &format!("roc_auc_ovr.{name}"),
            &got,
            &e["roc_auc_ovr"][name],
        );
        let got = average_precision_multiclass(&y, &proba, avg).expect("ap multiclass");
        ck.metric(
            &format!("average_precision.{name}"),
            &got,
            &e["average_precision"][name],
        );
        if avg != Average::Micro {
            let got = roc_auc_ovo(&y, &proba, avg).expect("ovo");
            ck.metric(
                &format!("roc_auc_ovo.{name}"),
                &got,
                &e["roc_auc_ovo"][name],
            );
        }
    }

    // Calibration.
    let cal = calibration_report(&y, &proba, N_BINS).expect("calibration");
    let want = &e["calibration"];
    ck.num("calibration.ece", cal.ece, &want["ece"]);
    ck.num("calibration.mce", cal.mce, &want["mce"]);
    ck.num(
        "calibration.adaptive_ece",
        cal.adaptive_ece,
        &want["adaptive_ece"],
    );
    ck.num(
        "calibration.classwise_ece",
        cal.classwise_ece,
        &want["classwise_ece"],
    );
    let bins = want["bins"].as_array().expect("bins");
    if bins.len() != cal.bins.len() {
        ck.fail(
            "calibration.bins",
            format!("expected {} bins, got {}", bins.len(), cal.bins.len()),
        );
    } else {
        for (b, (got, want)) in cal.bins.iter().zip(bins).enumerate() {
            ck.num(
                &format!("calibration.bins[{b}].count"),
                got.count,
                &want["count"],
            );
            ck.value(
                &format!("calibration.bins[{b}].confidence"),
                got.confidence,
                opt(&want["confidence"]),
            );
            ck.value(
                &format!("calibration.bins[{b}].accuracy"),
                got.accuracy,
                opt(&want["accuracy"]),
            );
        }
    }

    // Temperature scaling.
    let fit = fit_temperature(&y, &proba).expect("temperature");
    let want = &e["temperature"];
    if let Some(t) = opt(&want["temperature"]) {
        ck.value_tol(
            "temperature.temperature",
            Some(fit.temperature),
            Some(t),
            1e-6,
            0.0,
        );
    }
    ck.value_tol(
        "temperature.nll_before",
        Some(fit.nll_before),
        opt(&want["nll_before"]),
        1e-9,
        ABS,
    );
    ck.value_tol(
        "temperature.nll_after",
        Some(fit.nll_after),
        opt(&want["nll_after"]),
        1e-9,
        ABS,
    );
    if let Some(at_bound) = want["at_bound"].as_bool() {
        if fit.at_bound != at_bound {
            ck.fail(
                "temperature.at_bound",
                format!("expected {at_bound}, got {}", fit.at_bound),
            );
        }
    }

    // Wilson interval of the accuracy.
    let want = &e["wilson"];
    let (successes, n) = (
        want["successes"].as_u64().expect("k"),
        want["n"].as_u64().expect("n"),
    );
    ck.num("wilson.successes", cm.trace(), &want["successes"]);
    let (lo, hi) = wilson_interval(successes, n, 0.95).expect("wilson");
    ck.num("wilson.low", lo, &want["low"]);
    ck.num("wilson.high", hi, &want["high"]);
}

#[test]
fn golden_metrics_match_sklearn() {
    let doc: Value =
        serde_json::from_str(FIXTURES).unwrap_or_else(|e| panic!("bad fixtures: {e}\n{HINT}"));
    let version = doc["sklearn"].as_str().unwrap_or_default();
    assert!(
        !version.is_empty(),
        "fixture header lacks the sklearn version\n{HINT}"
    );
    for key in ["numpy", "scipy", "python"] {
        assert!(
            doc[key].as_str().is_some_and(|s| !s.is_empty()),
            "header lacks {key}\n{HINT}"
        );
    }
    let cases = doc["cases"].as_array().expect("cases");
    assert!(
        cases.len() >= 30,
        "only {} golden cases\n{HINT}",
        cases.len()
    );

    let mut failures = Vec::new();
    let mut checked = 0;
    let mut worst = (0.0, String::new());
    for case in cases {
        let mut ck = Checker {
            case: case["name"].as_str().expect("name").to_owned(),
            failures: Vec::new(),
            checked: 0,
            worst: (0.0, String::new()),
        };
        check_case(&mut ck, case);
        checked += ck.checked;
        failures.extend(ck.failures);
        if ck.worst.0 > worst.0 {
            worst = ck.worst;
        }
    }
    eprintln!(
        "{} golden cases, {checked} comparisons; largest relative difference {:.2e} ({})",
        cases.len(),
        worst.0,
        worst.1
    );
    assert!(checked > 1000, "suspiciously few comparisons: {checked}");
    if !failures.is_empty() {
        let shown: Vec<&str> = failures.iter().take(60).map(String::as_str).collect();
        panic!(
            "{} golden mismatch(es) against scikit-learn {version} (showing {}):\n  {}\n{HINT}",
            failures.len(),
            shown.len(),
            shown.join("\n  ")
        );
    }
}
