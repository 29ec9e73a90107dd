//! [`analyze`]: every test the inputs allow, judged as one family, and the
//! `triage-shift` document.

use std::time::Instant;

use triage_data::progress::Progress;
use triage_docs::shift::{
    BbsdResult, C2stResult, MmdResult, OutputTest, ScoredItem, ShiftDoc, ShiftSettings, ShiftSide,
    SHIFT_FORMAT, SHIFT_VERSION,
};
use triage_stats::shift::{bbsd, c2st, mmd, seeded_subsample};
use triage_stats::ProbMatrix;

use crate::error::ShiftError;
use crate::images::comparable;
use crate::inputs::Side;
use crate::label::label_section;
use crate::properties::{judge_properties, property_shift};
use crate::verdict::verdict;

/// Fewest items a side: below it no test has power worth reporting.
pub const MIN_ITEMS: usize = 20;
/// Said when the covariate tests fire next to a label-shift estimate.
pub const LABEL_SHIFT_ASSUMPTION: &str = "the label-shift estimates assume the inputs of each class look the same at deployment (p(x|y) unchanged); a label shift alone moves the inputs too, so the covariate tests fire with it, but a covariate shift (new looks, not new proportions) makes the estimated priors and expected accuracies unreliable: check them on a few hundred labelled deployment items";

/// Items listed in each gallery of the classifier test.
const GALLERY: usize = 12;

/// Which tests to run (each only when its inputs are given).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tests {
    /// Image properties on datasets.
    pub properties: bool,
    /// MMD on embeddings.
    pub mmd: bool,
    /// Classifier two-sample test on embeddings.
    pub c2st: bool,
    /// BBSD on predictions.
    pub bbsd: bool,
    /// Label shift on predictions.
    pub label_shift: bool,
}

impl Default for Tests {
    fn default() -> Self {
        Self {
            properties: true,
            mmd: true,
            c2st: true,
            bbsd: true,
            label_shift: true,
        }
    }
}

/// Settings of [`analyze`].
#[derive(Debug, Clone, PartialEq)]
pub struct ShiftOptions {
    /// Which tests.
    pub tests: Tests,
    /// Significance level, in (0, 1). Default 0.05.
    pub alpha: f64,
    /// Items per side at most for MMD and the classifier test (a seeded
    /// subsample above; bounds the N² kernel). Default 5,000.
    pub max_per_side: usize,
    /// MMD permutations. Default 1,000.
    pub permutations: usize,
    /// Label-shift bootstrap resamples (0: no intervals). Default 200.
    pub bootstrap: usize,
    /// Seed of every subsample, permutation, fold and resample.
    pub seed: u64,
    /// The resize the datasets' images were measured at (recorded).
    pub resize: Option<(u32, u32)>,
    /// Whether the datasets' images were measured in grey (recorded).
    pub grayscale: bool,
}

impl Default for ShiftOptions {
    fn default() -> Self {
        Self {
            tests: Tests::default(),
            alpha: 0.05,
            max_per_side: 5_000,
            permutations: mmd::DEFAULT_PERMUTATIONS,
            bootstrap: 200,
            seed: 0,
            resize: None,
            grayscale: false,
        }
    }
}

/// What [`analyze`] found.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// The document.
    pub doc: ShiftDoc,
    /// The prior-corrected target predictions (label shift), in the target
    /// predictions' row order.
    pub adjusted: Option<ProbMatrix>,
}

fn check(options: &ShiftOptions) -> Result<(), ShiftError> {
    if !(options.alpha > 0.0 && options.alpha < 1.0) {
        return Err(ShiftError::Setting(format!(
            "alpha {} must lie in (0, 1)",
            options.alpha
        )));
    }
    if options.max_per_side < MIN_ITEMS {
        return Err(ShiftError::Setting(format!(
            "max_per_side {} is below the {MIN_ITEMS} items a side the tests need",
            options.max_per_side
        )));
    }
    if options.permutations == 0 || options.permutations > 100_000 {
        return Err(ShiftError::Setting(format!(
            "permutations {} must be between 1 and 100000",
            options.permutations
        )));
    }
    Ok(())
}

fn rows(data: &[f64], dim: usize, idx: &[usize]) -> Vec<f64> {
    idx.iter()
        .flat_map(|&i| data[i * dim..(i + 1) * dim].iter().copied())
        .collect()
}

fn scored(list: &[(usize, f64)], id: impl Fn(usize) -> String) -> Vec<ScoredItem> {
    let mut v = list.to_vec();
    v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    v.into_iter()
        .take(GALLERY)
        .map(|(i, score)| ScoredItem { id: id(i), score })
        .collect()
}

fn describe(side: &Side, used: usize) -> ShiftSide {
    let predictions = side
        .predictions
        .as_ref()
        .map(|p| p.source.display().to_string());
    let embeddings = side
        .embeddings
        .as_ref()
        .map(|e| e.path.display().to_string());
    let dataset = side.images.as_ref().map(|i| i.root.display().to_string());
    let kind = [
        (dataset.is_some(), "dataset"),
        (predictions.is_some(), "predictions"),
        (embeddings.is_some(), "embeddings"),
    ]
    .iter()
    .filter(|(given, _)| *given)
    .map(|(_, k)| *k)
    .collect::<Vec<_>>()
    .join("+");
    ShiftSide {
        path: dataset
            .or(predictions.clone())
            .or(embeddings.clone())
            .unwrap_or_default(),
        kind,
        n: side.n(),
        used,
        predictions,
        embeddings,
    }
}

/// Compare `source` (training: labelled, held-out predictions; embeddings)
/// with `target` (deployment: labels optional) with every test of
/// `options.tests` the inputs allow (see the crate documentation).
///
/// # Errors
///
/// Invalid settings, too few items, classes or widths that differ between
/// the sides, nothing to compare, a statistic failing on the inputs.
pub fn analyze(
    source: &Side,
    target: &Side,
    options: &ShiftOptions,
    progress: &dyn Progress,
) -> Result<Analysis, ShiftError> {
    check(options)?;
    if [source, target]
        .iter()
        .any(|s| s.predictions.is_none() && s.embeddings.is_none() && s.images.is_none())
    {
        return Err(ShiftError::NothingToCompare);
    }
    for (side, name) in [(source, "source"), (target, "target")] {
        if side.n() < MIN_ITEMS {
            return Err(ShiftError::TooFew {
                side: name,
                got: side.n(),
                min: MIN_ITEMS,
            });
        }
    }
    let tests = options.tests;
    let mut notes = Vec::new();

    // Datasets: image properties.
    let mut properties = None;
    match (&source.images, &target.images) {
        (Some(s), Some(t)) if tests.properties => {
            notes.extend(comparable(s, t)?);
            for (side, name) in [(s, "source"), (t, "target")] {
                if side.ids.len() < MIN_ITEMS {
                    return Err(ShiftError::TooFew {
                        side: name,
                        got: side.ids.len(),
                        min: MIN_ITEMS,
                    });
                }
            }
            properties = Some(property_shift(s, t)?);
        }
        (Some(_), Some(_)) => {}
        _ if tests.properties => {
            notes.push("image properties were not compared: give the datasets of both sides".into())
        }
        _ => {}
    }

    // Embeddings: MMD and the classifier test.
    let (mut mmd_result, mut c2st_result) = (None, None);
    // Items the tests saw: the embeddings' subsample when MMD or the
    // classifier ran, else the images sampled, else every item.
    let sampled = |s: &Side| s.images.as_ref().map_or(s.n(), |i| i.ids.len());
    let mut used = (sampled(source), sampled(target));
    match (&source.embeddings, &target.embeddings) {
        (Some(se), Some(te)) if tests.mmd || tests.c2st => {
            if se.dim != te.dim {
                return Err(ShiftError::WidthsDiffer {
                    source_path: se.path.clone(),
                    source_dim: se.dim,
                    target_path: te.path.clone(),
                    target_dim: te.dim,
                });
            }
            let si = seeded_subsample(se.n(), options.max_per_side, options.seed ^ 0x51);
            let ti = seeded_subsample(te.n(), options.max_per_side, options.seed ^ 0x52);
            used = (si.len(), ti.len());
            let (sx, tx) = (rows(&se.rows, se.dim, &si), rows(&te.rows, te.dim, &ti));
            let name = format!(
                "embeddings ({} dims; {})",
                se.dim,
                se.path.file_name().map_or_else(
                    || se.path.display().to_string(),
                    |n| n.to_string_lossy().into_owned()
                )
            );
            if tests.mmd {
                progress.note(&format!(
                    "MMD: {} vs {} points, {} permutations",
                    si.len(),
                    ti.len(),
                    options.permutations
                ));
                let start = Instant::now();
                let params = mmd::MmdParams {
                    permutations: options.permutations,
                    seed: options.seed,
                    ..mmd::MmdParams::default()
                };
                let t = mmd::mmd_test(&sx, &tx, se.dim, &params)
                    .map_err(ShiftError::stats("MMD test"))?;
                mmd_result = Some(MmdResult {
                    representation: name.clone(),
                    dims: se.dim,
                    n_source: si.len(),
                    n_target: ti.len(),
                    mmd2: t.mmd2,
                    p_value: t.p_value,
                    sigma2: t.sigma2,
                    permutations: t.permutations,
                    null_mean: t.null_mean,
                    null_q95: t.null_q95,
                    shifted: false,
                    seconds: start.elapsed().as_secs_f64(),
                });
            }
            if tests.c2st {
                progress.note("classifier two-sample test (5-fold logistic regression)");
                let params = c2st::C2stParams {
                    seed: options.seed,
                    ..c2st::C2stParams::default()
                };
                let t = c2st::c2st(&sx, &tx, se.dim, &params)
                    .map_err(ShiftError::stats("classifier two-sample test"))?;
                c2st_result = Some(C2stResult {
                    representation: name,
                    per_side: t.per_side,
                    auc: t.auc,
                    auc_low: t.auc_interval.0,
                    auc_high: t.auc_interval.1,
                    accuracy: t.accuracy,
                    p_value: t.p_value,
                    shifted: false,
                    most_unlike: scored(&t.target_scores, |i| target.id(ti[i])),
                    most_like: scored(&t.source_scores, |i| source.id(si[i])),
                });
            }
        }
        (Some(_), Some(_)) => {}
        _ if tests.mmd || tests.c2st => notes.push(
            "MMD and the classifier test did not run: give embeddings of both sides (`triage predict` writes embeddings.npy)".into(),
        ),
        _ => {}
    }

    // Predictions: BBSD and label shift.
    let (mut bbsd_result, mut label_result, mut adjusted) = (None, None, None);
    match (&source.predictions, &target.predictions) {
        (Some(sp), Some(tp)) => {
            if sp.classes != tp.classes {
                return Err(ShiftError::ClassesDiffer {
                    source_classes: sp.classes.join(", "),
                    target_classes: tp.classes.join(", "),
                });
            }
            if tests.bbsd {
                let b = bbsd::bbsd(&sp.proba, &tp.proba).map_err(ShiftError::stats("BBSD"))?;
                bbsd_result = Some(BbsdResult {
                    outputs: b
                        .per_output
                        .iter()
                        .zip(&sp.classes)
                        .map(|(t, c)| OutputTest {
                            class: c.clone(),
                            ks: t.statistic,
                            p_value: t.p_value,
                        })
                        .collect(),
                    ks_p_adjusted: b.ks_p_adjusted,
                    chi2: b.predicted_labels.statistic,
                    chi2_dof: b.predicted_labels.dof,
                    chi2_p_value: b.predicted_labels.p_value,
                    cramers_v: b.predicted_labels.cramers_v,
                    source_counts: b.counts.0.clone(),
                    target_counts: b.counts.1.clone(),
                    shifted: false,
                });
            }
            if tests.label_shift {
                if sp.labelled {
                    progress.note(&format!(
                        "label shift: BBSE and EM, {} bootstrap resamples",
                        options.bootstrap
                    ));
                    let (section, adj) = label_section(sp, tp, options, &mut notes)?;
                    label_result = Some(section);
                    adjusted = Some(adj);
                } else {
                    notes.push("label shift was not estimated: the source predictions have no labels (give labelled validation predictions)".into());
                }
            }
        }
        _ if tests.bbsd || tests.label_shift => notes
            .push("BBSD and label shift did not run: give predictions files of both sides".into()),
        _ => {}
    }
    if properties.is_none()
        && mmd_result.is_none()
        && c2st_result.is_none()
        && bbsd_result.is_none()
        && label_result.is_none()
    {
        return Err(ShiftError::NothingToCompare);
    }

    // One family of covariate tests: Bonferroni over those that ran.
    let ran = usize::from(properties.is_some())
        + usize::from(mmd_result.is_some())
        + usize::from(c2st_result.is_some())
        + usize::from(bbsd_result.is_some());
    let alpha_per_test = options.alpha / ran.max(1) as f64;
    if let Some(p) = properties.as_mut() {
        judge_properties(p, alpha_per_test);
    }
    if let Some(m) = mmd_result.as_mut() {
        m.shifted = m.p_value < alpha_per_test;
    }
    if let Some(c) = c2st_result.as_mut() {
        c.shifted = c.p_value < alpha_per_test;
    }
    if let Some(b) = bbsd_result.as_mut() {
        // Its two parts share its level.
        b.shifted = b.ks_p_adjusted < alpha_per_test / 2.0 || b.chi2_p_value < alpha_per_test / 2.0;
    }
    let verdict = verdict(
        &properties,
        &mmd_result,
        &c2st_result,
        &bbsd_result,
        &mut label_result,
    );
    if verdict.covariate_shift && label_result.is_some() {
        notes.push(LABEL_SHIFT_ASSUMPTION.into());
    }
    for n in &verdict.negligible {
        notes.push(format!(
            "{n} is significant, but its effect is negligible: with this many items a tiny difference is detectable"
        ));
    }
    let doc = ShiftDoc {
        format: SHIFT_FORMAT.into(),
        version: SHIFT_VERSION,
        source: describe(source, used.0),
        target: describe(target, used.1),
        settings: ShiftSettings {
            alpha: options.alpha,
            alpha_per_test,
            max_per_side: options.max_per_side,
            permutations: options.permutations,
            bootstrap: options.bootstrap,
            seed: options.seed,
            resize: options.resize.map(|(w, h)| format!("{w}x{h}")),
            grayscale: options.grayscale,
        },
        notes,
        properties,
        mmd: mmd_result,
        c2st: c2st_result,
        bbsd: bbsd_result,
        label_shift: label_result,
        verdict,
    };
    Ok(Analysis { doc, adjusted })
}
