//! `triage_shift::analyze` on files written as `triage predict` writes
//! them: a 3-class model whose outputs depend only on the class (label
//! shift only) or also on a covariate that moves (covariate shift).

use std::path::{Path, PathBuf};

use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use triage_data::npy_write::write_npy_f32;
use triage_data::predictions::{write_predictions_csv, PredictionRow};
use triage_data::progress::Silent;
use triage_shift::{analyze, ShiftError, ShiftOptions, Side, Tests};

const CLASSES: [&str; 3] = ["cat", "dog", "owl"];

fn normal(rng: &mut Xoshiro256PlusPlus) -> f64 {
    let u1: f64 = rng.random::<f64>().max(1e-300);
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Write `n` predictions (labelled or not) and 4-D embeddings of items
/// drawn with `priors`; `offset` moves the embeddings' second coordinate
/// (a covariate the model ignores).
fn write_side(
    dir: &Path,
    name: &str,
    n: usize,
    priors: [f64; 3],
    offset: f64,
    labelled: bool,
    seed: u64,
) -> (PathBuf, PathBuf) {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut labels = Vec::new();
    let mut probs = Vec::new();
    let mut emb = Vec::new();
    for _ in 0..n {
        let u: f64 = rng.random();
        let y = if u < priors[0] {
            0
        } else if u < priors[0] + priors[1] {
            1
        } else {
            2
        };
        let logits: Vec<f64> = (0..3)
            .map(|c| if c == y { 2.5 } else { 0.0 } + 1.5 * normal(&mut rng))
            .collect();
        let max = logits.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let e: Vec<f64> = logits.iter().map(|l| (l - max).exp()).collect();
        let s: f64 = e.iter().sum();
        probs.push(e.iter().map(|v| v / s).collect::<Vec<f64>>());
        emb.extend([
            y as f32 + normal(&mut rng) as f32,
            (offset + normal(&mut rng)) as f32,
            normal(&mut rng) as f32,
            normal(&mut rng) as f32,
        ]);
        labels.push(y);
    }
    let ids: Vec<String> = (0..n).map(|i| format!("{name}/{i:05}.png")).collect();
    let classes: Vec<String> = CLASSES.iter().map(|c| c.to_string()).collect();
    let csv = dir.join(format!("{name}.csv"));
    let rows = (0..n).map(|i| PredictionRow {
        id: &ids[i],
        label: labelled.then_some(labels[i]),
        path: "",
        probs: &probs[i],
    });
    write_predictions_csv(&csv, &classes, rows).unwrap();
    let npy = dir.join(format!("{name}.npy"));
    write_npy_f32(&npy, &emb, n, 4).unwrap();
    (csv, npy)
}

fn options() -> ShiftOptions {
    ShiftOptions {
        permutations: 200,
        bootstrap: 50,
        ..ShiftOptions::default()
    }
}

#[test]
fn label_shift_and_covariate_shift_are_found_without_target_labels() {
    let tmp = tempfile::tempdir().unwrap();
    let (sp, se) = write_side(tmp.path(), "val", 3000, [0.5, 0.3, 0.2], 0.0, true, 1);
    let (tp, te) = write_side(tmp.path(), "deploy", 3000, [0.2, 0.3, 0.5], 1.0, false, 2);
    let source = Side::read(Some(&sp), Some(&se)).unwrap();
    let target = Side::read(Some(&tp), Some(&te)).unwrap();
    assert!(!target.predictions.as_ref().unwrap().labelled);
    let a = analyze(&source, &target, &options(), &Silent).unwrap();
    let d = &a.doc;
    assert!(d.verdict.covariate_shift && d.verdict.label_shift == Some(true));
    for test in ["mmd", "c2st", "bbsd", "label_shift"] {
        assert!(
            d.verdict.detected_by.iter().any(|t| t == test),
            "{:?}",
            d.verdict
        );
    }
    let l = d.label_shift.as_ref().unwrap();
    for (q, truth) in l.em_priors.iter().zip([0.2, 0.3, 0.5]) {
        assert!((q - truth).abs() < 0.04, "EM {:?}", l.em_priors);
    }
    assert!(
        l.target_priors_observed.is_none(),
        "the target had no labels"
    );
    assert!(l.expected_accuracy_adjusted >= l.expected_accuracy);
    assert_eq!(a.adjusted.as_ref().unwrap().n(), 3000);
    // The classifier sees the moved coordinate; its gallery names items.
    let c = d.c2st.as_ref().unwrap();
    assert!(c.auc > 0.65, "AUC {}", c.auc);
    assert!(
        c.most_unlike[0].id.starts_with("deploy/"),
        "{:?}",
        c.most_unlike
    );
    // The document is valid by its own checks.
    let json = serde_json::to_value(d).unwrap();
    let back: triage_docs::shift::ShiftDoc = triage_docs::read_value(json).unwrap();
    assert_eq!(&back, d);
}

#[test]
fn the_same_distribution_stays_quiet_and_labelled_targets_are_scored() {
    let tmp = tempfile::tempdir().unwrap();
    let (sp, se) = write_side(tmp.path(), "val", 1500, [0.5, 0.3, 0.2], 0.0, true, 3);
    let (tp, te) = write_side(tmp.path(), "test", 1500, [0.5, 0.3, 0.2], 0.0, true, 4);
    let source = Side::read(Some(&sp), Some(&se)).unwrap();
    let target = Side::read(Some(&tp), Some(&te)).unwrap();
    let d = analyze(&source, &target, &options(), &Silent).unwrap().doc;
    assert!(!d.verdict.covariate_shift, "{:?}", d.verdict);
    assert_eq!(d.verdict.label_shift, Some(false));
    assert!(d.verdict.summary.starts_with("no shift"));
    let l = d.label_shift.as_ref().unwrap();
    assert!(l.em_l1_error.unwrap() < 0.06, "{:?}", l.em_l1_error);
    assert!(l.accuracy_observed.is_some());
    // Three covariate tests ran: each at α/3.
    assert!((d.settings.alpha_per_test - 0.05 / 3.0).abs() < 1e-12);
}

#[test]
fn tests_run_only_where_their_inputs_are_given() {
    let tmp = tempfile::tempdir().unwrap();
    let (sp, _) = write_side(tmp.path(), "val", 200, [0.5, 0.3, 0.2], 0.0, true, 5);
    let (tp, _) = write_side(tmp.path(), "deploy", 200, [0.5, 0.3, 0.2], 0.0, false, 6);
    let source = Side::read(Some(&sp), None).unwrap();
    let target = Side::read(Some(&tp), None).unwrap();
    let d = analyze(&source, &target, &options(), &Silent).unwrap().doc;
    assert!(d.mmd.is_none() && d.c2st.is_none() && d.bbsd.is_some());
    assert!(
        d.notes.iter().any(|n| n.contains("embeddings")),
        "{:?}",
        d.notes
    );
    let only_bbsd = ShiftOptions {
        tests: Tests {
            properties: false,
            mmd: false,
            c2st: false,
            bbsd: true,
            label_shift: false,
        },
        ..options()
    };
    let d = analyze(&source, &target, &only_bbsd, &Silent).unwrap().doc;
    assert!(d.label_shift.is_none() && d.notes.is_empty());
}

#[test]
fn bad_inputs_are_named_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let (sp, se) = write_side(tmp.path(), "val", 100, [0.5, 0.3, 0.2], 0.0, true, 7);
    let (tp, _) = write_side(tmp.path(), "small", 10, [0.5, 0.3, 0.2], 0.0, true, 8);
    let source = Side::read(Some(&sp), Some(&se)).unwrap();
    let small = Side::read(Some(&tp), None).unwrap();
    assert!(matches!(
        analyze(&source, &small, &options(), &Silent),
        Err(ShiftError::TooFew {
            side: "target",
            got: 10,
            ..
        })
    ));
    // Embeddings of another width.
    let wide = tmp.path().join("wide.npy");
    write_npy_f32(&wide, &vec![0.5; 100 * 3], 100, 3).unwrap();
    let other = Side::read(None, Some(&wide)).unwrap();
    let err = analyze(&source, &other, &options(), &Silent).unwrap_err();
    assert!(err.to_string().contains("4 columns"), "{err}");
    // Predictions of another model (other classes).
    let other_csv = tmp.path().join("other.csv");
    let classes = vec!["a".to_string(), "b".to_string()];
    let ids: Vec<String> = (0..50).map(|i| i.to_string()).collect();
    let p = [0.5, 0.5];
    let rows = (0..50).map(|i| PredictionRow {
        id: &ids[i],
        label: Some(i % 2),
        path: "",
        probs: &p,
    });
    write_predictions_csv(&other_csv, &classes, rows).unwrap();
    let other = Side::read(Some(&other_csv), None).unwrap();
    let err = analyze(&source, &other, &options(), &Silent).unwrap_err();
    assert!(err.to_string().contains("[cat, dog, owl]"), "{err}");
    // Settings.
    let bad = ShiftOptions {
        alpha: 1.5,
        ..options()
    };
    assert!(matches!(
        analyze(&source, &source, &bad, &Silent),
        Err(ShiftError::Setting(_))
    ));
    // A NaN in embeddings is the reader's error, naming the file.
    let nan = tmp.path().join("nan.npy");
    let mut v = vec![0.5f32; 100 * 4];
    v[7] = f32::NAN;
    write_npy_f32(&nan, &v, 100, 4).unwrap();
    let err = Side::read(None, Some(&nan)).unwrap_err();
    assert!(err.to_string().contains("nan.npy"), "{err}");
}

#[test]
fn under_the_null_false_alarms_are_at_most_about_alpha() {
    let tmp = tempfile::tempdir().unwrap();
    let replicates = 200u64;
    let (mut covariate, mut label) = (0u64, 0u64);
    let options = ShiftOptions {
        bootstrap: 0,
        ..options()
    };
    for r in 0..replicates {
        let (sp, _) = write_side(
            tmp.path(),
            "s",
            300,
            [0.5, 0.3, 0.2],
            0.0,
            true,
            100 + 2 * r,
        );
        let (tp, _) = write_side(
            tmp.path(),
            "t",
            300,
            [0.5, 0.3, 0.2],
            0.0,
            false,
            101 + 2 * r,
        );
        let source = Side::read(Some(&sp), None).unwrap();
        let target = Side::read(Some(&tp), None).unwrap();
        let v = analyze(&source, &target, &options, &Silent)
            .unwrap()
            .doc
            .verdict;
        covariate += u64::from(v.covariate_shift);
        label += u64::from(v.label_shift == Some(true));
    }
    let rate = |k: u64| k as f64 / replicates as f64;
    eprintln!(
        "null, {replicates} replicates of 300 a side: BBSD alarms {:.3}, label-shift alarms {:.3} (α = 0.05)",
        rate(covariate),
        rate(label)
    );
    // Binomial(200, 0.05) exceeds 18 with probability < 1 %.
    assert!(covariate <= 18 && label <= 18, "{covariate} / {label}");
    // The LR test is not so conservative that it never fires.
    assert!(label >= 2, "{label}");
}
