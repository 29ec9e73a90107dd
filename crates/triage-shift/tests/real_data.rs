//! The checks of the shift diagnosis on the real datasets of
//! `../shared/data` (ignored without them; CI runs them with `--ignored`):
//!
//! - no false alarm: MNIST train against MNIST test, 1,000 images a side,
//!   in at least 90 % of 20 seeded subsamples;
//! - a real shift: MNIST against USPS (resized to 28 × 28), 500 a side,
//!   found by every covariate test that needs no model (image properties,
//!   and MMD and the classifier test on the raw pixels);
//! - label shift: a nearest-class-mean classifier on raw MNIST pixels (a
//!   real, if weak, model: softmax of −distance to each class mean), its
//!   outputs on MNIST train as the source and on MNIST test resampled to
//!   skewed priors as the target, n = 5,000: the estimated priors within
//!   0.03 in L1 of the truth, EM at least as accurate as BBSE.

use std::path::{Path, PathBuf};

use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use triage_data::dataset::{open_dataset, OpenOptions};
use triage_data::decode::{decode_item, DecodeOptions};
use triage_data::progress::Silent;
use triage_data::Predictions;
use triage_shift::images::{sample_images, SampleOptions};
use triage_shift::{analyze, EmbeddingSide, ShiftOptions, Side, Tests};
use triage_stats::ProbMatrix;

fn shared(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data")
        .join(rel)
}

/// A folder holding the IDX files `names` of `from` (links), so that one
/// split of a multi-split folder can be opened alone.
fn only(from: &Path, names: &[&str], dir: &Path) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    for n in names {
        std::os::unix::fs::symlink(from.join(n), dir.join(n.replace("usps-test", "t10k"))).unwrap();
    }
    dir.to_path_buf()
}

fn mnist_split(tmp: &Path, split: &str) -> PathBuf {
    only(
        &shared("mnist"),
        &[
            &format!("{split}-images-idx3-ubyte.gz"),
            &format!("{split}-labels-idx1-ubyte.gz"),
        ],
        &tmp.join(split),
    )
}

fn usps(tmp: &Path) -> PathBuf {
    only(
        &shared("usps"),
        &[
            "usps-test-images-idx3-ubyte.gz",
            "usps-test-labels-idx1-ubyte.gz",
        ],
        &tmp.join("usps"),
    )
}

/// Raw pixels (/255) and labels of `n` seeded items of an IDX folder,
/// resized to 28 × 28.
fn pixels(dir: &Path, n: usize, seed: u64) -> (Vec<f64>, Vec<usize>, Vec<String>) {
    let ds = open_dataset(dir, &OpenOptions::default()).unwrap();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut idx: Vec<usize> = (0..ds.items.len()).collect();
    for i in (1..idx.len()).rev() {
        idx.swap(i, rng.random_range(0..=i));
    }
    idx.truncate(n);
    let options = DecodeOptions {
        resize: Some((28, 28)),
        ..DecodeOptions::default()
    };
    let mut rows = Vec::with_capacity(n * 784);
    let mut labels = Vec::with_capacity(n);
    let mut ids = Vec::with_capacity(n);
    for &i in &idx {
        let d = decode_item(&ds, i, &options).unwrap();
        rows.extend(d.image.luma().iter().map(|&v| f64::from(v) / 255.0));
        labels.push(ds.items[i].label);
        ids.push(ds.items[i].id.clone());
    }
    (rows, labels, ids)
}

fn embedding_side(rows: Vec<f64>, ids: Vec<String>, name: &str) -> EmbeddingSide {
    EmbeddingSide {
        path: PathBuf::from(name),
        dim: 784,
        rows,
        ids: Some(ids),
    }
}

#[test]
#[ignore = "needs ../shared/data"]
fn mnist_train_against_mnist_test_raises_no_false_alarm() {
    let tmp = tempfile::tempdir().unwrap();
    let (train, test) = (
        mnist_split(tmp.path(), "train"),
        mnist_split(tmp.path(), "t10k"),
    );
    let replicates = 20;
    let (mut alarms, mut significant) = (0, 0);
    for seed in 0..replicates {
        let sample = |dir: &Path, salt: u64| Side {
            images: Some(
                sample_images(
                    dir,
                    &SampleOptions {
                        max_items: 1_000,
                        seed: seed * 2 + salt,
                        ..SampleOptions::default()
                    },
                    &Silent,
                )
                .unwrap(),
            ),
            predictions: None,
            embeddings: None,
        };
        let d = analyze(
            &sample(&train, 0),
            &sample(&test, 1),
            &ShiftOptions::default(),
            &Silent,
        )
        .unwrap()
        .doc;
        // A significant but negligible drift is not an alarm: the verdict
        // names it as such and the finding is information only.
        let drifted = d.properties.as_ref().is_some_and(|p| !p.drifted.is_empty());
        alarms += usize::from(drifted);
        significant += usize::from(d.verdict.covariate_shift);
    }
    eprintln!(
        "MNIST train vs test, 1,000 a side: {alarms} alarms in {replicates} subsamples ({significant} with a significant but negligible KS)"
    );
    assert!(
        alarms * 10 <= replicates as usize,
        "{alarms} alarms in {replicates}"
    );
}

#[test]
#[ignore = "needs ../shared/data"]
fn mnist_against_usps_is_found_by_every_covariate_test() {
    let tmp = tempfile::tempdir().unwrap();
    let (mnist, usps) = (mnist_split(tmp.path(), "t10k"), usps(tmp.path()));
    let (mx, _, mid) = pixels(&mnist, 500, 1);
    let (ux, _, uid) = pixels(&usps, 500, 2);
    let sample = |dir: &Path| {
        sample_images(
            dir,
            &SampleOptions {
                max_items: 500,
                resize: Some((28, 28)),
                ..SampleOptions::default()
            },
            &Silent,
        )
        .unwrap()
    };
    let source = Side {
        images: Some(sample(&mnist)),
        predictions: None,
        embeddings: Some(embedding_side(mx, mid, "mnist-pixels")),
    };
    let target = Side {
        images: Some(sample(&usps)),
        predictions: None,
        embeddings: Some(embedding_side(ux, uid, "usps-pixels")),
    };
    let options = ShiftOptions {
        permutations: 200,
        ..ShiftOptions::default()
    };
    let d = analyze(&source, &target, &options, &Silent).unwrap().doc;
    for test in ["properties", "mmd", "c2st"] {
        assert!(
            d.verdict.detected_by.iter().any(|t| t == test),
            "{test}: {:?}",
            d.verdict
        );
    }
    let p = d.properties.as_ref().unwrap();
    assert!(
        p.drifted.iter().any(|x| x == "sharpness"),
        "{:?}",
        p.drifted
    );
    eprintln!(
        "MNIST vs USPS, 500 a side: {}; C2ST AUC {:.3}",
        d.verdict.summary,
        d.c2st.as_ref().unwrap().auc
    );
}

/// Softmax of −‖x − μ_c‖² / τ for every row of `x` (784 columns).
fn nearest_mean(x: &[f64], means: &[Vec<f64>], tau: f64) -> ProbMatrix {
    let mut out = Vec::with_capacity(x.len() / 784 * means.len());
    for row in x.chunks_exact(784) {
        let d: Vec<f64> = means
            .iter()
            .map(|m| {
                -row.iter()
                    .zip(m)
                    .map(|(a, b)| (a - b) * (a - b))
                    .sum::<f64>()
                    / tau
            })
            .collect();
        let max = d.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let e: Vec<f64> = d.iter().map(|v| (v - max).exp()).collect();
        let s: f64 = e.iter().sum();
        out.extend(e.iter().map(|v| v / s));
    }
    ProbMatrix::new(out, means.len(), 1e-9).unwrap()
}

fn predictions(labels: Vec<usize>, proba: ProbMatrix, name: &str) -> Predictions {
    Predictions {
        ids: (0..labels.len()).map(|i| format!("{name}{i}")).collect(),
        paths: None,
        classes: (0..10).map(|c| c.to_string()).collect(),
        labels,
        proba,
        source: PathBuf::from(name),
        input_was_f32: false,
        labelled: true,
    }
}

#[test]
#[ignore = "needs ../shared/data"]
fn skewed_mnist_priors_are_recovered_by_em_and_bbse() {
    let tmp = tempfile::tempdir().unwrap();
    let (train, test) = (
        mnist_split(tmp.path(), "train"),
        mnist_split(tmp.path(), "t10k"),
    );
    // The "model": class means of 10,000 training images.
    let (fit_x, fit_y, _) = pixels(&train, 10_000, 7);
    let mut means = vec![vec![0.0; 784]; 10];
    let mut counts = [0.0f64; 10];
    for (row, &y) in fit_x.chunks_exact(784).zip(&fit_y) {
        counts[y] += 1.0;
        for (m, v) in means[y].iter_mut().zip(row) {
            *m += v;
        }
    }
    for (m, c) in means.iter_mut().zip(counts) {
        m.iter_mut().for_each(|v| *v /= c);
    }
    // Source: other training images (held out from the means).
    let (sx, sy, _) = pixels(&train, 15_000, 8);
    let (sx, sy) = (sx[10_000 * 784..].to_vec(), sy[10_000..].to_vec());
    let source = predictions(sy, nearest_mean(&sx, &means, 10.0), "s");
    // Target: MNIST test resampled with replacement to skewed priors.
    let truth = [0.25, 0.2, 0.15, 0.1, 0.08, 0.07, 0.06, 0.04, 0.03, 0.02];
    let (tx, ty, _) = pixels(&test, 10_000, 9);
    let by_class: Vec<Vec<usize>> = (0..10)
        .map(|c| (0..ty.len()).filter(|&i| ty[i] == c).collect())
        .collect();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(10);
    let mut rows = Vec::with_capacity(5_000 * 784);
    let mut labels = Vec::with_capacity(5_000);
    for _ in 0..5_000 {
        let u: f64 = rng.random();
        let mut acc = 0.0;
        let c = truth
            .iter()
            .position(|p| {
                acc += p;
                u < acc
            })
            .unwrap_or(9);
        let i = by_class[c][rng.random_range(0..by_class[c].len())];
        rows.extend_from_slice(&tx[i * 784..(i + 1) * 784]);
        labels.push(c);
    }
    let target = predictions(labels, nearest_mean(&rows, &means, 10.0), "t");
    let observed: Vec<f64> = (0..10)
        .map(|c| target.labels.iter().filter(|&&y| y == c).count() as f64 / 5_000.0)
        .collect();
    let side = |p| Side {
        images: None,
        predictions: Some(p),
        embeddings: None,
    };
    let options = ShiftOptions {
        tests: Tests {
            properties: false,
            mmd: false,
            c2st: false,
            bbsd: false,
            label_shift: true,
        },
        bootstrap: 0,
        ..ShiftOptions::default()
    };
    let d = analyze(&side(source), &side(target), &options, &Silent)
        .unwrap()
        .doc;
    let l = d.label_shift.unwrap();
    let l1 = |q: &[f64]| {
        q.iter()
            .zip(&observed)
            .map(|(a, b)| (a - b).abs())
            .sum::<f64>()
    };
    let (em, bbse) = (l1(&l.em_priors), l1(l.bbse_priors.as_ref().unwrap()));
    eprintln!(
        "MNIST test resampled to skewed priors, n = 5,000: L1 error EM {em:.4}, BBSE {bbse:.4}; model accuracy {:.3}",
        l.accuracy_observed.unwrap()
    );
    assert!(em <= 0.03, "EM L1 {em}");
    assert!(em <= bbse + 0.005, "EM {em} vs BBSE {bbse}");
    assert!(l.shifted);
}
