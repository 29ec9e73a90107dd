//! The evaluation: predictions + settings → the evaluation document
//! ([`triage_docs::evaluation::EvaluationDoc`], what `triage evaluate
//! --json` prints and `triage report` reads).
//!
//! Every number the report shows is computed here, not by the report:
//! the headline metrics with their bootstrap intervals, the Wilson
//! interval of the accuracy and of each class's recall and precision,
//! macro F1, the macro-average ROC curve (from the exact per-class curves,
//! before thinning), the confusion matrix, the curves, the reliability
//! bins and temperature scaling.
//!
//! # Example
//!
//! ```
//! use triage_stats::evaluation::{evaluate, EvaluationParams};
//! use triage_stats::ProbMatrix;
//!
//! let proba = ProbMatrix::new(vec![0.9, 0.1, 0.2, 0.8, 0.6, 0.4, 0.3, 0.7], 2, 1e-9).unwrap();
//! let settings = EvaluationParams { bootstrap: 100, ..Default::default() }.check().unwrap();
//! let classes = ["cat".to_string(), "dog".to_string()];
//! let doc = evaluate(&classes, &[0, 1, 1, 1], &proba, &settings, &|| ()).unwrap();
//! assert_eq!(doc.metric("accuracy"), Some(0.75));
//! ```

mod curves;
mod settings;

use std::collections::BTreeMap;

use indexmap::IndexMap;
use triage_docs::evaluation::{
    CalibrationMetrics, CiMethod, ClassAverages, ClassRow, ConfusionDoc, Curves, EvaluationDoc,
    Intervals, Metrics, PrDoc, ReliabilityBin, ReliabilityDoc, RocDoc, TemperatureDoc,
    EVALUATION_FORMAT, EVALUATION_VERSION,
};

use crate::bootstrap::{bootstrap_intervals_with_progress, BootstrapConfig, MetricKey};
use crate::calibration::{calibration_report, DEFAULT_BINS};
use crate::confusion::{top_k_accuracy_score, ConfusionMatrix, Normalize};
use crate::intervals::wilson_interval;
use crate::multiclass::{Average, Rankings};
use crate::precision_recall::pr_curve_from_sorted;
use crate::probabilistic::{brier_score_loss, log_loss};
use crate::ranking::SortedScores;
use crate::roc::roc_curve_from_sorted;
use crate::stratify::stratified_split;
use crate::temperature::{apply_temperature, fit_temperature};
use crate::{Metric, ProbMatrix, StatsError};

pub use curves::{macro_roc, thinned_indices, values_at};
pub use settings::{
    EvaluationParams, EvaluationSettings, DEFAULT_BOOTSTRAP, DEFAULT_CALIBRATE_FRACTION,
    DEFAULT_CONFIDENCE, DEFAULT_MAX_CURVE_POINTS, MAX_BOOTSTRAP,
};

/// Largest number of classes for which one-vs-one AUCs (and their
/// bootstrap intervals) are computed.
pub const MAX_OVO_CLASSES: usize = 200;

/// The most classes [`evaluate`] accepts: 10,000. The confusion matrix and
/// its row-normalised copy are K×K (two f64 matrices: 1.6 GB at K =
/// 10,000); larger K is refused before anything is allocated.
pub const MAX_CLASSES: usize = 10_000;

/// Compute the evaluation of labels `y` against probabilities `proba`
/// (rows sum to 1), with class names `classes`. `progress` is called once
/// per bootstrap resample (from several threads).
///
/// # Errors
///
/// Invalid labels, shapes or probabilities ([`StatsError`]).
pub fn evaluate(
    classes: &[String],
    y: &[usize],
    proba: &ProbMatrix,
    settings: &EvaluationSettings,
    progress: &(dyn Fn() + Sync),
) -> Result<EvaluationDoc, StatsError> {
    let params = settings.params();
    let (n, k) = (proba.n(), proba.k());
    if classes.len() != k {
        return Err(StatsError::LengthMismatch {
            what: "class names and probability columns",
            expected: k,
            got: classes.len(),
        });
    }
    if k > MAX_CLASSES {
        return Err(StatsError::TooManyClasses {
            k,
            max: MAX_CLASSES,
            needed_gib: (k as f64).powi(2) * 16.0 / f64::from(1u32 << 30),
        });
    }
    // One-vs-one needs K(K−1)/2 class pairs, each its own sorted problem:
    // above MAX_OVO_CLASSES that costs more than everything else together.
    let with_ovo = k <= MAX_OVO_CLASSES;
    let rankings = Rankings::new(y, proba, true, with_ovo)?;
    let support = rankings.support_f64();
    let ovo = |average| {
        if with_ovo {
            rankings.ovo_auc(average, None, &support)
        } else {
            Metric::undefined(format!(
                "not computed for K = {k} classes ({} class pairs; one-vs-one is computed up to K = {MAX_OVO_CLASSES})",
                k * (k - 1) / 2
            ))
        }
    };
    let y_pred = proba.argmax();
    let cm = ConfusionMatrix::new(y, &y_pred, k, None)?;
    let calibration = calibration_report(y, proba, DEFAULT_BINS)?;

    let values: Vec<(&'static str, Metric)> = vec![
        ("accuracy", cm.accuracy()),
        ("balanced_accuracy", cm.balanced_accuracy()),
        ("log_loss", Metric::Value(log_loss(y, proba)?)),
        ("brier", Metric::Value(brier_score_loss(y, proba)?)),
        ("ece", Metric::Value(calibration.ece)),
        ("mce", Metric::Value(calibration.mce)),
        (
            "roc_auc_ovr_macro",
            rankings.ovr_auc(Average::Macro, None, &support),
        ),
        (
            "roc_auc_ovr_weighted",
            rankings.ovr_auc(Average::Weighted, None, &support),
        ),
        (
            "roc_auc_ovr_micro",
            rankings.ovr_auc(Average::Micro, None, &support),
        ),
        ("roc_auc_ovo_macro", ovo(Average::Macro)),
        (
            "average_precision_macro",
            rankings.ovr_ap(Average::Macro, None, &support),
        ),
        ("cohen_kappa", cm.cohen_kappa()),
        ("mcc", cm.mcc()),
        ("roc_auc_ovo_weighted", ovo(Average::Weighted)),
        (
            "average_precision_weighted",
            rankings.ovr_ap(Average::Weighted, None, &support),
        ),
        (
            "average_precision_micro",
            rankings.ovr_ap(Average::Micro, None, &support),
        ),
        ("adaptive_ece", Metric::Value(calibration.adaptive_ece)),
        ("classwise_ece", Metric::Value(calibration.classwise_ece)),
    ];
    let mut metrics = Metrics::default();
    let mut undefined = IndexMap::new();
    for (key, m) in &values {
        let known = metrics.set(key, m.value());
        debug_assert!(known, "metric key {key} missing from Metrics");
        if let Some(reason) = m.reason() {
            undefined.insert((*key).to_string(), reason.to_string());
        }
    }

    let (ci, ci_method) = intervals(y, proba, &rankings, params, progress)?;
    let correct = y.iter().zip(&y_pred).filter(|(a, b)| a == b).count() as u64;
    let wilson = wilson_interval(correct, n as u64, params.confidence)?;

    let top_k_accuracy = [2usize, 3, 5]
        .into_iter()
        .filter(|&t| t < k)
        .map(|t| Ok((t.to_string(), top_k_accuracy_score(y, proba, t)?)))
        .collect::<Result<BTreeMap<_, _>, StatsError>>()?;

    let counts: Vec<Vec<u64>> = cm
        .rows()
        .iter()
        .map(|r| r.iter().map(|&v| v as u64).collect())
        .collect();
    let auc = rankings.ovr_auc_per_class(None);
    let ap = rankings.ovr_ap_per_class(None);
    let per_class: Vec<ClassRow> = cm
        .class_scores()
        .into_iter()
        .enumerate()
        .map(|(c, s)| {
            let tp = counts[c][c];
            let true_n: u64 = counts[c].iter().sum();
            let pred_n: u64 = counts.iter().map(|r| r[c]).sum();
            ClassRow {
                class: classes[c].clone(),
                support: rankings.support[c],
                precision: s.precision.value(),
                recall: s.recall.value(),
                f1: s.f1.value(),
                roc_auc: auc[c],
                average_precision: ap[c],
                recall_wilson: wilson_of(tp, true_n, params.confidence),
                precision_wilson: wilson_of(tp, pred_n, params.confidence),
            }
        })
        .collect();
    let f1_macro = f1_macro(&per_class, &counts);

    let confusion_matrix = ConfusionDoc {
        labels: classes.to_vec(),
        counts,
        normalized_true: cm.normalized(Normalize::True),
        normalized_pred: cm.normalized(Normalize::Pred),
        normalized_all: cm.normalized(Normalize::All),
    };

    let max_points = params.max_curve_points;
    let full_roc: Vec<_> = rankings
        .ovr
        .iter()
        .map(|s| roc_curve_from_sorted(s, true))
        .collect();
    let roc_macro = macro_roc(
        &full_roc
            .iter()
            .map(|c| (c.fpr.as_slice(), c.tpr.as_slice()))
            .collect::<Vec<_>>(),
        max_points,
    );
    let roc_doc = |name: &str, sorted: &SortedScores, c: &crate::roc::RocCurve| {
        let keep = thinned_indices(c.fpr.len(), max_points);
        RocDoc {
            class: name.to_string(),
            auc: sorted.auc(None),
            fpr: values_at(&c.fpr, &keep),
            tpr: values_at(&c.tpr, &keep),
            thresholds: values_at(&c.thresholds, &keep),
        }
    };
    let pr_doc = |name: &str, sorted: &SortedScores| {
        let c = pr_curve_from_sorted(sorted);
        let keep = thinned_indices(c.precision.len(), max_points);
        let keep_t: Vec<usize> = keep
            .iter()
            .copied()
            .filter(|&i| i < c.thresholds.len())
            .collect();
        PrDoc {
            class: name.to_string(),
            average_precision: sorted.average_precision(None),
            precision: values_at(&c.precision, &keep),
            recall: values_at(&c.recall, &keep),
            thresholds: values_at(&c.thresholds, &keep_t),
        }
    };
    let thinned = max_points > 0 && rankings.ovr.iter().any(|s| s.len() + 1 > max_points);
    let roc_curves = Curves {
        thinned,
        per_class: rankings
            .ovr
            .iter()
            .zip(&full_roc)
            .enumerate()
            .map(|(c, (s, curve))| roc_doc(&classes[c], s, curve))
            .collect(),
        micro: rankings
            .micro
            .as_ref()
            .map(|s| roc_doc("micro", s, &roc_curve_from_sorted(s, true))),
    };
    let pr_curves = Curves {
        thinned,
        per_class: rankings
            .ovr
            .iter()
            .enumerate()
            .map(|(c, s)| pr_doc(&classes[c], s))
            .collect(),
        micro: rankings.micro.as_ref().map(|s| pr_doc("micro", s)),
    };

    let reliability = ReliabilityDoc {
        n_bins: DEFAULT_BINS,
        ece: calibration.ece,
        mce: calibration.mce,
        adaptive_ece: calibration.adaptive_ece,
        classwise_ece: calibration.classwise_ece,
        bins: calibration.bins,
    };

    Ok(EvaluationDoc {
        format: EVALUATION_FORMAT.into(),
        version: EVALUATION_VERSION,
        n,
        classes: classes.to_vec(),
        metrics,
        undefined,
        ci,
        ci_method,
        accuracy_wilson: [wilson.0, wilson.1],
        top_k_accuracy,
        per_class,
        summary: Some(ClassAverages {
            f1_macro,
            roc_macro,
        }),
        leakage: None,
        confusion_matrix,
        roc_curves,
        pr_curves,
        reliability,
        temperature: temperature(y, proba, params)?,
    })
}

/// Wilson interval `[low, high]` of `k` successes in `n` trials; `None`
/// for `n = 0`.
fn wilson_of(k: u64, n: u64, confidence: f64) -> Option<[f64; 2]> {
    (n > 0)
        .then(|| wilson_interval(k, n, confidence).ok())
        .flatten()
        .map(|(lo, hi)| [lo, hi])
}

/// scikit-learn's `f1_score(y, y_pred, average="macro")`: the mean F1 over
/// the classes that occur in the labels or the predictions, an undefined
/// F1 (no true and no predicted sample) counting as 0 (`zero_division`'s
/// default).
fn f1_macro(per_class: &[ClassRow], counts: &[Vec<u64>]) -> Option<f64> {
    let present: Vec<f64> = per_class
        .iter()
        .enumerate()
        .filter(|&(c, _)| counts[c].iter().sum::<u64>() > 0 || counts.iter().any(|r| r[c] > 0))
        .map(|(_, row)| row.f1.unwrap_or(0.0))
        .collect();
    (!present.is_empty()).then(|| present.iter().sum::<f64>() / present.len() as f64)
}

fn intervals(
    y: &[usize],
    proba: &ProbMatrix,
    rankings: &Rankings,
    params: &EvaluationParams,
    progress: &(dyn Fn() + Sync),
) -> Result<(Intervals, Option<CiMethod>), StatsError> {
    if params.bootstrap == 0 {
        return Ok((Intervals::default(), None));
    }
    let config = BootstrapConfig {
        n_resamples: params.bootstrap,
        seed: params.seed,
        confidence: params.confidence,
    };
    let found = bootstrap_intervals_with_progress(
        y,
        proba,
        Some(rankings),
        &MetricKey::ALL,
        &config,
        progress,
    )?;
    let mut ci = Intervals::default();
    let mut valid_resamples = IndexMap::new();
    for (key, v) in &found {
        ci.set(key.name(), v.as_ref().map(|i| [i.low, i.high]));
        valid_resamples.insert(
            key.name().to_string(),
            v.as_ref().map_or(0, |i| i.valid_resamples),
        );
    }
    Ok((
        ci,
        Some(CiMethod {
            method: "percentile bootstrap".into(),
            n_resamples: params.bootstrap,
            seed: params.seed,
            confidence: params.confidence,
            valid_resamples,
        }),
    ))
}

/// The metrics temperature scaling changes, and the reliability bins they
/// come from (one calibration report serves both).
fn calibration_metrics(
    y: &[usize],
    proba: &ProbMatrix,
) -> Result<(CalibrationMetrics, Vec<ReliabilityBin>), StatsError> {
    let report = calibration_report(y, proba, DEFAULT_BINS)?;
    let pred = proba.argmax();
    let correct = y.iter().zip(&pred).filter(|(a, b)| a == b).count();
    let metrics = CalibrationMetrics {
        accuracy: correct as f64 / y.len() as f64,
        log_loss: log_loss(y, proba)?,
        brier: brier_score_loss(y, proba)?,
        ece: report.ece,
        mce: report.mce,
    };
    Ok((metrics, report.bins))
}

fn temperature(
    y: &[usize],
    proba: &ProbMatrix,
    params: &EvaluationParams,
) -> Result<Option<TemperatureDoc>, StatsError> {
    if params.calibrate_fraction <= 0.0 {
        return Ok(None);
    }
    let (fit_idx, eval_idx) = stratified_split(y, params.calibrate_fraction, params.seed);
    if fit_idx.len() < 2 || eval_idx.is_empty() {
        return Ok(None);
    }
    let subset = |idx: &[usize]| {
        (
            idx.iter().map(|&i| y[i]).collect::<Vec<_>>(),
            proba.select_rows(idx),
        )
    };
    let (y_fit, p_fit) = subset(&fit_idx);
    let (y_eval, p_eval) = subset(&eval_idx);
    let fit = fit_temperature(&y_fit, &p_fit)?;
    let scaled = apply_temperature(&p_eval, fit.temperature)?;
    let (before, bins_before) = calibration_metrics(&y_eval, &p_eval)?;
    let (after, bins_after) = calibration_metrics(&y_eval, &scaled)?;
    Ok(Some(TemperatureDoc {
        temperature: fit.temperature,
        at_bound: fit.at_bound,
        calibrate_fraction: params.calibrate_fraction,
        n_fit: fit_idx.len(),
        n_eval: eval_idx.len(),
        before,
        after,
        bins_before,
        bins_after,
    }))
}
