//! The evaluation document: every metric of a predictions file, with
//! uncertainty, as one serde value (`triage evaluate --json` prints it).
//!
//! Top-level keys (kept stable; later commands add keys): `n`, `classes`,
//! `metrics`, `undefined`, `ci`, `ci_method`, `accuracy_wilson`,
//! `top_k_accuracy`, `per_class`, `confusion_matrix`, `roc_curves`,
//! `pr_curves`, `reliability`, `temperature`. Non-finite numbers (the +∞
//! first ROC threshold, undefined rates) are written as `null`.

use std::collections::BTreeMap;

use indexmap::IndexMap;
use indicatif::{ProgressBar, ProgressStyle};

use serde::Serialize;
use triage_stats::bootstrap::{bootstrap_intervals_with_progress, BootstrapConfig, MetricKey};
use triage_stats::calibration::{calibration_report, ReliabilityBin, DEFAULT_BINS};
use triage_stats::confusion::{top_k_accuracy_score, ConfusionMatrix, Normalize};
use triage_stats::intervals::wilson_interval;
use triage_stats::multiclass::{Average, Rankings};
use triage_stats::precision_recall::pr_curve_from_sorted;
use triage_stats::probabilistic::{brier_score_loss, log_loss};
use triage_stats::roc::roc_curve_from_sorted;
use triage_stats::split::stratified_split;
use triage_stats::temperature::{apply_temperature, fit_temperature};
use triage_stats::{Metric, ProbMatrix, StatsError};

/// Largest number of classes for which one-vs-one AUCs (and their
/// bootstrap intervals) are computed.
pub const MAX_OVO_CLASSES: usize = 200;

/// Default confidence level of every interval.
pub const DEFAULT_CONFIDENCE: f64 = 0.95;
/// Default share of samples used to fit the temperature.
pub const DEFAULT_CALIBRATE_FRACTION: f64 = 0.3;
/// Default largest number of points written per curve.
pub const DEFAULT_MAX_CURVE_POINTS: usize = 1000;

/// What to compute.
#[derive(Debug, Clone)]
pub struct EvaluationSettings {
    /// Bootstrap resamples (0 = no bootstrap intervals).
    pub bootstrap: usize,
    /// Seed of the bootstrap and of the calibration split.
    pub seed: u64,
    /// Confidence level of every interval.
    pub confidence: f64,
    /// Share of samples used to fit the temperature (0 = skip).
    pub calibrate_fraction: f64,
    /// Largest number of points written per curve (0 = all).
    pub max_curve_points: usize,
    /// Show a progress bar on stderr (only drawn when stderr is a terminal).
    pub progress: bool,
}

/// The whole evaluation.
#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    /// Number of samples.
    pub n: usize,
    /// Class names, in column order.
    pub classes: Vec<String>,
    /// Headline metrics (null when undefined).
    pub metrics: IndexMap<&'static str, Option<f64>>,
    /// Why each null metric is undefined.
    pub undefined: IndexMap<&'static str, String>,
    /// Bootstrap percentile intervals `[low, high]` per metric key.
    pub ci: CiMap,
    /// How the intervals were made.
    pub ci_method: Option<CiMethod>,
    /// Wilson score interval of the accuracy.
    pub accuracy_wilson: [f64; 2],
    /// Top-k accuracy for k = 2, 3, 5 (where k < K).
    pub top_k_accuracy: BTreeMap<String, f64>,
    /// Per-class scores.
    pub per_class: Vec<ClassRow>,
    /// Confusion matrix, counts and normalised.
    pub confusion_matrix: ConfusionDoc,
    /// One-vs-rest ROC curves per class, and the micro-average curve.
    pub roc_curves: Curves<RocDoc>,
    /// One-vs-rest precision–recall curves per class.
    pub pr_curves: Curves<PrDoc>,
    /// Reliability diagram and calibration errors.
    pub reliability: ReliabilityDoc,
    /// Temperature scaling fitted on a calibration split.
    pub temperature: Option<TemperatureDoc>,
}

/// Bootstrap description.
#[derive(Debug, Clone, Serialize)]
pub struct CiMethod {
    /// Always "percentile bootstrap".
    pub method: &'static str,
    /// Number of resamples.
    pub n_resamples: usize,
    /// Seed.
    pub seed: u64,
    /// Confidence level.
    pub confidence: f64,
    /// Resamples in which each metric was defined.
    pub valid_resamples: IndexMap<&'static str, usize>,
}

/// Scores of one class.
#[derive(Debug, Clone, Serialize)]
pub struct ClassRow {
    /// Class name.
    pub class: String,
    /// Number of samples of the class.
    pub support: u64,
    /// Precision (null if never predicted).
    pub precision: Option<f64>,
    /// Recall (null if absent).
    pub recall: Option<f64>,
    /// F1.
    pub f1: Option<f64>,
    /// One-vs-rest ROC AUC.
    pub roc_auc: Option<f64>,
    /// One-vs-rest average precision.
    pub average_precision: Option<f64>,
}

/// Confusion matrix (rows = true class, columns = predicted class).
#[derive(Debug, Clone, Serialize)]
pub struct ConfusionDoc {
    /// Class names of rows and columns.
    pub labels: Vec<String>,
    /// Counts.
    pub counts: Vec<Vec<u64>>,
    /// Each row divided by its sum (null for an empty row).
    pub normalized_true: Vec<Vec<Option<f64>>>,
    /// Each column divided by its sum.
    pub normalized_pred: Vec<Vec<Option<f64>>>,
    /// Divided by n.
    pub normalized_all: Vec<Vec<Option<f64>>>,
}

/// Per-class curves plus an overall one.
#[derive(Debug, Clone, Serialize)]
pub struct Curves<T> {
    /// Whether curves were thinned to `--max-curve-points`.
    pub thinned: bool,
    /// One curve per class.
    pub per_class: Vec<T>,
    /// The micro-average curve (all n·K entries), if computed.
    pub micro: Option<T>,
}

/// A ROC curve.
#[derive(Debug, Clone, Serialize)]
pub struct RocDoc {
    /// Class name (or "micro").
    pub class: String,
    /// AUC (exact, computed before any thinning).
    pub auc: Option<f64>,
    /// False positive rates.
    pub fpr: Vec<f64>,
    /// True positive rates.
    pub tpr: Vec<f64>,
    /// Thresholds; the first, +∞, is written as null.
    pub thresholds: Vec<f64>,
}

/// A precision–recall curve.
#[derive(Debug, Clone, Serialize)]
pub struct PrDoc {
    /// Class name (or "micro").
    pub class: String,
    /// Average precision.
    pub average_precision: Option<f64>,
    /// Precision.
    pub precision: Vec<f64>,
    /// Recall.
    pub recall: Vec<f64>,
    /// Thresholds (one fewer than points).
    pub thresholds: Vec<f64>,
}

/// Reliability diagram.
#[derive(Debug, Clone, Serialize)]
pub struct ReliabilityDoc {
    /// Number of equal-width bins.
    pub n_bins: usize,
    /// Top-label ECE.
    pub ece: f64,
    /// Top-label MCE.
    pub mce: f64,
    /// Equal-mass ECE.
    pub adaptive_ece: f64,
    /// Class-wise ECE.
    pub classwise_ece: f64,
    /// The bins.
    pub bins: Vec<ReliabilityBin>,
}

/// Temperature scaling result.
#[derive(Debug, Clone, Serialize)]
pub struct TemperatureDoc {
    /// Fitted temperature T.
    pub temperature: f64,
    /// Whether T hit the edge of its search range.
    pub at_bound: bool,
    /// Share of samples used for fitting.
    pub calibrate_fraction: f64,
    /// Samples used for fitting.
    pub n_fit: usize,
    /// Held-out samples on which before/after are measured.
    pub n_eval: usize,
    /// Metrics on the held-out samples before scaling.
    pub before: CalibrationMetrics,
    /// Metrics on the held-out samples after scaling.
    pub after: CalibrationMetrics,
    /// Reliability bins after scaling (held-out samples).
    pub bins_after: Vec<ReliabilityBin>,
    /// Reliability bins before scaling (held-out samples).
    pub bins_before: Vec<ReliabilityBin>,
}

/// Metrics that temperature scaling changes (accuracy for reference).
#[derive(Debug, Clone, Serialize)]
pub struct CalibrationMetrics {
    /// Accuracy (unchanged by scaling).
    pub accuracy: f64,
    /// Log loss.
    pub log_loss: f64,
    /// Brier score.
    pub brier: f64,
    /// Top-label ECE.
    pub ece: f64,
    /// Top-label MCE.
    pub mce: f64,
}

/// Compute the evaluation of labels `y` against probabilities `proba`.
///
/// # Errors
/// Invalid labels or settings.
pub fn evaluate(
    classes: &[String],
    y: &[usize],
    proba: &ProbMatrix,
    settings: &EvaluationSettings,
) -> Result<Evaluation, StatsError> {
    let (n, k) = (proba.n(), proba.k());
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

    let mut values: Vec<(&'static str, Metric)> = vec![
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
    ];
    values.extend([
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
    ]);
    let metrics = values.iter().map(|(key, m)| (*key, m.value())).collect();
    let undefined = values
        .iter()
        .filter_map(|(key, m)| m.reason().map(|r| (*key, r.to_string())))
        .collect();

    let (ci, ci_method) = intervals(y, proba, &rankings, settings)?;
    let correct = y.iter().zip(&y_pred).filter(|(a, b)| a == b).count() as u64;
    let wilson = wilson_interval(correct, n as u64, settings.confidence)?;

    let top_k_accuracy = [2usize, 3, 5]
        .into_iter()
        .filter(|&t| t < k)
        .map(|t| Ok((t.to_string(), top_k_accuracy_score(y, proba, t)?)))
        .collect::<Result<_, StatsError>>()?;

    let auc = rankings.ovr_auc_per_class(None);
    let ap = rankings.ovr_ap_per_class(None);
    let per_class = cm
        .class_scores()
        .into_iter()
        .enumerate()
        .map(|(c, s)| ClassRow {
            class: classes[c].clone(),
            support: rankings.support[c],
            precision: s.precision.value(),
            recall: s.recall.value(),
            f1: s.f1.value(),
            roc_auc: auc[c],
            average_precision: ap[c],
        })
        .collect();

    let confusion_matrix = ConfusionDoc {
        labels: classes.to_vec(),
        counts: cm
            .rows()
            .iter()
            .map(|r| r.iter().map(|&v| v as u64).collect())
            .collect(),
        normalized_true: cm.normalized(Normalize::True),
        normalized_pred: cm.normalized(Normalize::Pred),
        normalized_all: cm.normalized(Normalize::All),
    };

    let max_points = settings.max_curve_points;
    let roc_doc = |name: &str, sorted: &triage_stats::ranking::SortedScores| {
        let c = roc_curve_from_sorted(sorted, true);
        let keep = thin(c.fpr.len(), max_points);
        RocDoc {
            class: name.to_string(),
            auc: sorted.auc(None),
            fpr: pick(&c.fpr, &keep),
            tpr: pick(&c.tpr, &keep),
            thresholds: pick(&c.thresholds, &keep),
        }
    };
    let pr_doc = |name: &str, sorted: &triage_stats::ranking::SortedScores| {
        let c = pr_curve_from_sorted(sorted);
        let keep = thin(c.precision.len(), max_points);
        let keep_t: Vec<usize> = keep
            .iter()
            .copied()
            .filter(|&i| i < c.thresholds.len())
            .collect();
        PrDoc {
            class: name.to_string(),
            average_precision: sorted.average_precision(None),
            precision: pick(&c.precision, &keep),
            recall: pick(&c.recall, &keep),
            thresholds: pick(&c.thresholds, &keep_t),
        }
    };
    let roc_per_class: Vec<RocDoc> = rankings
        .ovr
        .iter()
        .enumerate()
        .map(|(c, s)| roc_doc(&classes[c], s))
        .collect();
    let pr_per_class: Vec<PrDoc> = rankings
        .ovr
        .iter()
        .enumerate()
        .map(|(c, s)| pr_doc(&classes[c], s))
        .collect();
    let thinned = max_points > 0 && rankings.ovr.iter().any(|s| s.len() + 1 > max_points);
    let roc_curves = Curves {
        thinned,
        per_class: roc_per_class,
        micro: rankings.micro.as_ref().map(|s| roc_doc("micro", s)),
    };
    let pr_curves = Curves {
        thinned,
        per_class: pr_per_class,
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

    Ok(Evaluation {
        n,
        classes: classes.to_vec(),
        metrics,
        undefined,
        ci,
        ci_method,
        accuracy_wilson: [wilson.0, wilson.1],
        top_k_accuracy,
        per_class,
        confusion_matrix,
        roc_curves,
        pr_curves,
        reliability,
        temperature: temperature(y, proba, settings)?,
    })
}

type CiMap = IndexMap<&'static str, Option<[f64; 2]>>;

fn intervals(
    y: &[usize],
    proba: &ProbMatrix,
    rankings: &Rankings,
    settings: &EvaluationSettings,
) -> Result<(CiMap, Option<CiMethod>), StatsError> {
    if settings.bootstrap == 0 {
        return Ok((
            MetricKey::ALL.iter().map(|k| (k.name(), None)).collect(),
            None,
        ));
    }
    let config = BootstrapConfig {
        n_resamples: settings.bootstrap,
        seed: settings.seed,
        confidence: settings.confidence,
    };
    let bar = progress_bar(settings.bootstrap as u64, settings.progress);
    let found = bootstrap_intervals_with_progress(
        y,
        proba,
        Some(rankings),
        &MetricKey::ALL,
        &config,
        &|| bar.inc(1),
    )?;
    bar.finish_and_clear();
    let ci = found
        .iter()
        .map(|(k, v)| (k.name(), v.as_ref().map(|i| [i.low, i.high])))
        .collect();
    let valid_resamples = found
        .iter()
        .map(|(k, v)| (k.name(), v.as_ref().map_or(0, |i| i.valid_resamples)))
        .collect();
    Ok((
        ci,
        Some(CiMethod {
            method: "percentile bootstrap",
            n_resamples: settings.bootstrap,
            seed: settings.seed,
            confidence: settings.confidence,
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
    settings: &EvaluationSettings,
) -> Result<Option<TemperatureDoc>, StatsError> {
    if settings.calibrate_fraction <= 0.0 {
        return Ok(None);
    }
    let (fit_idx, eval_idx) = stratified_split(y, settings.calibrate_fraction, settings.seed);
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
        calibrate_fraction: settings.calibrate_fraction,
        n_fit: fit_idx.len(),
        n_eval: eval_idx.len(),
        before,
        after,
        bins_before,
        bins_after,
    }))
}

/// A bootstrap progress bar on stderr; hidden unless `show` (indicatif also
/// hides it when stderr is not a terminal).
fn progress_bar(len: u64, show: bool) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template(
            "bootstrap {bar:30} {pos}/{len} resamples [{elapsed} < {eta}]",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

/// Indices of at most `max` evenly spaced points out of `len`, first and last
/// included (`max` = 0 keeps all).
fn thin(len: usize, max: usize) -> Vec<usize> {
    if max == 0 || len <= max || max < 2 {
        return (0..len).collect();
    }
    let mut keep: Vec<usize> = (0..max)
        .map(|j| (j as f64 * (len - 1) as f64 / (max - 1) as f64).round() as usize)
        .collect();
    keep.dedup();
    keep
}

fn pick(values: &[f64], keep: &[usize]) -> Vec<f64> {
    keep.iter().map(|&i| values[i]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thinning_keeps_ends() {
        assert_eq!(thin(10, 0).len(), 10);
        let t = thin(1000, 11);
        assert_eq!(t.len(), 11);
        assert_eq!((t[0], t[10]), (0, 999));
    }
}
