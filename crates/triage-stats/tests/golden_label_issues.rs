//! Golden tests: confident learning (`triage_stats::label_issues`) against
//! cleanlab 2.9, on the fixtures written by
//! `tools/golden/make_label_issues.py`.
//!
//! Issues and their ranking must be identical (exact index order; the
//! fixtures are cleanlab's results with numpy's argsort made stable, triage's
//! tie order). Integer matrices and counts must be equal; thresholds, joints,
//! noise matrices, priors and scores agree to 1e-9 (relative, or absolute
//! near 0).

use serde_json::Value;
use triage_stats::label_issues::{
    find_label_issues, FilterBy, LabelIssues, LabelIssuesParams, RankBy,
};
use triage_stats::ProbMatrix;

const FIXTURES: &str = include_str!("golden/label_issues.json");
const HINT: &str =
    "HINT: regenerate fixtures with tools/golden/make_label_issues.py (see tools/golden/README.md)";
const TOL: f64 = 1e-9;

struct Checker {
    case: String,
    failures: Vec<String>,
    checked: usize,
}

impl Checker {
    fn fail(&mut self, field: &str, msg: String) {
        self.failures
            .push(format!("case {}: {field}: {msg}", self.case));
    }

    fn close(&mut self, field: &str, got: f64, want: f64) {
        self.checked += 1;
        let scale = got.abs().max(want.abs());
        if (got - want).abs() > TOL * scale.max(1.0) {
            self.fail(field, format!("expected {want:e}, got {got:e}"));
        }
    }

    fn floats(&mut self, field: &str, got: &[f64], want: &Value) {
        let want = f64s(want);
        if got.len() != want.len() {
            self.fail(field, format!("length {} ≠ {}", got.len(), want.len()));
            return;
        }
        for (i, (&g, &w)) in got.iter().zip(&want).enumerate() {
            let before = self.failures.len();
            self.close(&format!("{field}[{i}]"), g, w);
            if self.failures.len() > before {
                return;
            }
        }
    }

    fn float_matrix(&mut self, field: &str, got: &[Vec<f64>], want: &Value) {
        let rows = want.as_array().expect("matrix");
        if got.len() != rows.len() {
            self.fail(field, format!("{} rows ≠ {}", got.len(), rows.len()));
            return;
        }
        for (i, (g, w)) in got.iter().zip(rows).enumerate() {
            self.floats(&format!("{field}[{i}]"), g, w);
        }
    }

    fn exact<T: PartialEq + std::fmt::Debug>(&mut self, field: &str, got: T, want: T) {
        self.checked += 1;
        if got != want {
            self.fail(field, format!("expected {want:?}, got {got:?}"));
        }
    }

    fn ranking(&mut self, field: &str, got: &[usize], want: &[usize]) {
        self.checked += 1;
        if got == want {
            return;
        }
        let mut g = got.to_vec();
        let mut w = want.to_vec();
        g.sort_unstable();
        w.sort_unstable();
        if g != w {
            let missing: Vec<_> = w
                .iter()
                .filter(|i| g.binary_search(i).is_err())
                .take(10)
                .collect();
            let extra: Vec<_> = g
                .iter()
                .filter(|i| w.binary_search(i).is_err())
                .take(10)
                .collect();
            self.fail(
                field,
                format!(
                    "different issues: {} expected, {} found; missing {missing:?}, extra {extra:?}",
                    w.len(),
                    g.len()
                ),
            );
        } else {
            let at = got.iter().zip(want).position(|(a, b)| a != b).unwrap_or(0);
            self.fail(
                field,
                format!(
                    "same issues, order differs from position {at}: expected {}, got {}",
                    want[at], got[at]
                ),
            );
        }
    }
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

fn usize_matrix(v: &Value) -> Vec<Vec<usize>> {
    v.as_array().expect("matrix").iter().map(usizes).collect()
}

fn inputs(case: &Value) -> (Vec<usize>, ProbMatrix) {
    let k = case["k"].as_u64().expect("k") as usize;
    let labels = usizes(&case["labels"]);
    let data: Vec<f64> = match case["decimals"].as_u64() {
        Some(d) => {
            let scale = 10f64.powi(d as i32);
            case["proba_units"]
                .as_array()
                .expect("proba_units")
                .iter()
                .flat_map(|row| usizes(row).into_iter().map(move |u| u as f64 / scale))
                .collect()
        }
        None => case["proba"]
            .as_array()
            .expect("proba")
            .iter()
            .flat_map(f64s)
            .collect(),
    };
    assert_eq!(data.len(), labels.len() * k, "{}: shape", case["name"]);
    let probs = ProbMatrix::new(data, k, 1e-9)
        .unwrap_or_else(|e| panic!("{}: invalid probabilities: {e}\n{HINT}", case["name"]));
    (labels, probs)
}

fn run(labels: &[usize], probs: &ProbMatrix, params: LabelIssuesParams) -> LabelIssues {
    let settings = params.check().expect("valid settings");
    find_label_issues(labels, probs, &settings).expect("find_label_issues")
}

fn check_latent(ck: &mut Checker, what: &str, got: &LabelIssues, want: &Value) {
    ck.floats(
        &format!("{what}.true_label_prior"),
        &got.true_label_prior,
        &want["true_label_prior"],
    );
    ck.float_matrix(
        &format!("{what}.noise_matrix"),
        &got.noise_matrix,
        &want["noise_matrix"],
    );
    ck.float_matrix(
        &format!("{what}.inverse_noise_matrix"),
        &got.inverse_noise_matrix,
        &want["inverse_noise_matrix"],
    );
}

fn check_case(ck: &mut Checker, case: &Value) {
    let (labels, probs) = inputs(case);
    let e = &case["expected"];
    let base = run(&labels, &probs, LabelIssuesParams::default());
    ck.exact(
        "label_counts",
        base.label_counts.clone(),
        usizes(&e["label_counts"]),
    );
    ck.floats("thresholds", &base.thresholds, &e["thresholds"]);
    ck.exact(
        "confident_joint",
        base.confident_joint.clone(),
        usize_matrix(&e["confident_joint"]),
    );
    ck.exact(
        "calibrated_confident_joint",
        base.calibrated_confident_joint.clone(),
        usize_matrix(&e["calibrated_confident_joint"]),
    );
    ck.float_matrix("joint", &base.joint, &e["joint"]);
    check_latent(ck, "latent", &base, &e["latent"]);
    ck.exact(
        "num_label_issues",
        base.num_label_issues,
        e["num_label_issues"].as_u64().unwrap() as usize,
    );
    ck.exact(
        "num_label_issues_calibrated",
        base.num_label_issues_calibrated,
        e["num_label_issues_calibrated"].as_u64().unwrap() as usize,
    );
    if e.get("self_confidence").is_some() {
        ck.floats(
            "self_confidence",
            &base.self_confidence,
            &e["self_confidence"],
        );
        ck.floats(
            "normalized_margin",
            &base.normalized_margin,
            &e["normalized_margin"],
        );
        ck.exact(
            "suggested_label",
            base.suggested_label.clone(),
            usizes(&e["suggested_label"]),
        );
    }
    let converged = run(
        &labels,
        &probs,
        LabelIssuesParams {
            converge_latent_estimates: true,
            ..Default::default()
        },
    );
    check_latent(ck, "latent_converged", &converged, &e["latent_converged"]);

    for r in case["runs"].as_array().expect("runs") {
        let filter_by: FilterBy = r["filter_by"]
            .as_str()
            .expect("filter_by")
            .parse()
            .expect("known filter");
        let mut params = LabelIssuesParams {
            filter_by,
            ..Default::default()
        };
        if let Some(m) = r.get("min_examples_per_class") {
            params.min_examples_per_class = m.as_u64().expect("min_examples_per_class") as usize;
        }
        if let Some(f) = r.get("frac_noise") {
            params.frac_noise = f.as_f64().expect("frac_noise");
        }
        let tag = format!(
            "run {filter_by} (min_examples_per_class {}, frac_noise {})",
            params.min_examples_per_class, params.frac_noise
        );
        for rank_by in RankBy::ALL {
            let got = run(
                &labels,
                &probs,
                LabelIssuesParams {
                    rank_by,
                    ..params.clone()
                },
            );
            let want = usizes(&r["ranked"][rank_by.as_str()]);
            ck.ranking(&format!("{tag} ranked by {rank_by}"), &got.ranked, &want);
            let mask: Vec<usize> = (0..got.is_issue.len())
                .filter(|&i| got.is_issue[i])
                .collect();
            ck.exact(
                &format!("{tag}: mask count = ranked length"),
                mask.len(),
                got.ranked.len(),
            );
        }
    }
}

#[test]
fn label_issues_match_cleanlab() {
    let doc: Value = serde_json::from_str(FIXTURES).expect("fixture JSON");
    let cases = doc["cases"].as_array().expect("cases");
    assert!(cases.len() >= 10, "too few cases\n{HINT}");
    let mut ck = Checker {
        case: String::new(),
        failures: Vec::new(),
        checked: 0,
    };
    let mut runs = 0;
    for case in cases {
        ck.case = case["name"].as_str().expect("name").to_string();
        runs += case["runs"].as_array().map_or(0, Vec::len);
        check_case(&mut ck, case);
    }
    eprintln!(
        "cleanlab {}: {} cases, {runs} runs, {} values checked",
        doc["cleanlab"],
        cases.len(),
        ck.checked
    );
    assert!(
        ck.failures.is_empty(),
        "{} mismatches:\n{}\n{HINT}",
        ck.failures.len(),
        ck.failures.join("\n")
    );
}
