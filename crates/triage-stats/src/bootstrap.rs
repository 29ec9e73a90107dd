//! Percentile bootstrap confidence intervals for every headline metric,
//! seeded, parallel and reproducible regardless of thread count.
//!
//! Reference: Efron & Tibshirani, "An Introduction to the Bootstrap" (1993),
//! ch. 13 (percentile interval). A resample draws n sample indices with
//! replacement; it is represented as integer counts wᵢ (how often sample i
//! was drawn), so every metric is a weighted metric on the original data.
//! AUC and AP reuse the per-class sort made once ([`Rankings`]): a resample
//! costs O(n·K), not a new sort.
//!
//! Resample b uses its own generator, Xoshiro256++ seeded from
//! (seed, b) by SplitMix64, so results depend only on the seed. A resample in
//! which a metric is undefined (e.g. a class drawn zero times makes the macro
//! AUC undefined) is left out of that metric's interval; the number of valid
//! resamples is reported.

use std::collections::BTreeMap;

use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;
use serde::Serialize;

use crate::calibration::{bin_indices, ece_mce, reliability_bins, top_label, DEFAULT_BINS};
use crate::confusion::ConfusionMatrix;
use crate::error::StatsError;
use crate::intervals::{check_confidence, percentile_interval};
use crate::multiclass::{Average, Rankings};
use crate::proba::{check_labels, ProbMatrix};
use crate::probabilistic::{brier_terms, log_loss_terms};

/// The headline metrics that get bootstrap intervals (the keys of triage's
/// JSON `metrics` object).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MetricKey {
    /// Accuracy.
    Accuracy,
    /// Balanced accuracy.
    BalancedAccuracy,
    /// Log loss.
    LogLoss,
    /// Multiclass Brier score.
    Brier,
    /// Top-label ECE (15 equal-width bins).
    Ece,
    /// Top-label MCE (15 equal-width bins).
    Mce,
    /// One-vs-rest ROC AUC, macro.
    RocAucOvrMacro,
    /// One-vs-rest ROC AUC, support-weighted.
    RocAucOvrWeighted,
    /// One-vs-rest ROC AUC, micro.
    RocAucOvrMicro,
    /// One-vs-one (Hand & Till) ROC AUC, macro.
    RocAucOvoMacro,
    /// Average precision, macro.
    AveragePrecisionMacro,
    /// Cohen's kappa.
    CohenKappa,
    /// Matthews correlation coefficient.
    Mcc,
}

impl MetricKey {
    /// Every key, in report order.
    pub const ALL: [MetricKey; 13] = [
        MetricKey::Accuracy,
        MetricKey::BalancedAccuracy,
        MetricKey::LogLoss,
        MetricKey::Brier,
        MetricKey::Ece,
        MetricKey::Mce,
        MetricKey::RocAucOvrMacro,
        MetricKey::RocAucOvrWeighted,
        MetricKey::RocAucOvrMicro,
        MetricKey::RocAucOvoMacro,
        MetricKey::AveragePrecisionMacro,
        MetricKey::CohenKappa,
        MetricKey::Mcc,
    ];

    /// The JSON key, e.g. `roc_auc_ovr_macro`.
    pub fn name(self) -> &'static str {
        match self {
            MetricKey::Accuracy => "accuracy",
            MetricKey::BalancedAccuracy => "balanced_accuracy",
            MetricKey::LogLoss => "log_loss",
            MetricKey::Brier => "brier",
            MetricKey::Ece => "ece",
            MetricKey::Mce => "mce",
            MetricKey::RocAucOvrMacro => "roc_auc_ovr_macro",
            MetricKey::RocAucOvrWeighted => "roc_auc_ovr_weighted",
            MetricKey::RocAucOvrMicro => "roc_auc_ovr_micro",
            MetricKey::RocAucOvoMacro => "roc_auc_ovo_macro",
            MetricKey::AveragePrecisionMacro => "average_precision_macro",
            MetricKey::CohenKappa => "cohen_kappa",
            MetricKey::Mcc => "mcc",
        }
    }

    fn needs_ranking(self) -> bool {
        matches!(
            self,
            MetricKey::RocAucOvrMacro
                | MetricKey::RocAucOvrWeighted
                | MetricKey::RocAucOvrMicro
                | MetricKey::RocAucOvoMacro
                | MetricKey::AveragePrecisionMacro
        )
    }
}

/// Bootstrap settings.
#[derive(Debug, Clone, PartialEq)]
pub struct BootstrapConfig {
    /// Number of resamples B (default 1000).
    pub n_resamples: usize,
    /// Seed of the resampling (default 0).
    pub seed: u64,
    /// Confidence level of the intervals (default 0.95).
    pub confidence: f64,
}

impl Default for BootstrapConfig {
    fn default() -> Self {
        Self {
            n_resamples: 1000,
            seed: 0,
            confidence: 0.95,
        }
    }
}

/// A percentile interval.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BootstrapInterval {
    /// Lower bound (α/2 percentile of the replicates).
    pub low: f64,
    /// Upper bound (1 − α/2 percentile).
    pub high: f64,
    /// Resamples in which the metric was defined.
    pub valid_resamples: usize,
}

/// The per-sample quantities every resample re-weights.
struct Prepared<'a> {
    y_true: &'a [usize],
    y_pred: Vec<usize>,
    k: usize,
    log_loss: Vec<f64>,
    brier: Vec<f64>,
    confidence: Vec<f64>,
    correct: Vec<bool>,
    bins: Vec<u16>,
}

/// Percentile bootstrap intervals of the requested metrics.
///
/// `rankings`, when given, must have been built from the same `y_true` and
/// `proba` (with `micro`/`ovo` set if those keys are requested); otherwise
/// the needed sorts are made here. A metric undefined in every resample maps
/// to `None`.
///
/// # Errors
/// Label errors, `n_resamples` = 0, or a confidence outside (0, 1).
pub fn bootstrap_intervals(
    y_true: &[usize],
    proba: &ProbMatrix,
    rankings: Option<&Rankings>,
    keys: &[MetricKey],
    config: &BootstrapConfig,
) -> Result<BTreeMap<MetricKey, Option<BootstrapInterval>>, StatsError> {
    bootstrap_intervals_with_progress(y_true, proba, rankings, keys, config, &|| {})
}

/// [`bootstrap_intervals`], calling `on_resample` after each resample (from
/// any thread), e.g. to advance a progress bar.
///
/// # Errors
/// As [`bootstrap_intervals`].
pub fn bootstrap_intervals_with_progress(
    y_true: &[usize],
    proba: &ProbMatrix,
    rankings: Option<&Rankings>,
    keys: &[MetricKey],
    config: &BootstrapConfig,
    on_resample: &(dyn Fn() + Sync),
) -> Result<BTreeMap<MetricKey, Option<BootstrapInterval>>, StatsError> {
    check_labels(y_true, proba)?;
    check_confidence(config.confidence)?;
    if config.n_resamples == 0 {
        return Err(StatsError::InvalidParameter {
            name: "n_resamples",
            reason: "must be at least 1".into(),
        });
    }
    let owned;
    let rankings = match rankings {
        Some(r) => Some(r),
        None if keys.iter().any(|k| k.needs_ranking()) => {
            let micro = keys.contains(&MetricKey::RocAucOvrMicro);
            let ovo = keys.contains(&MetricKey::RocAucOvoMacro);
            owned = Rankings::new(y_true, proba, micro, ovo)?;
            Some(&owned)
        }
        None => None,
    };
    let (confidence, correct) = top_label(y_true, proba);
    let prepared = Prepared {
        y_true,
        y_pred: proba.argmax(),
        k: proba.k(),
        log_loss: log_loss_terms(y_true, proba),
        brier: brier_terms(y_true, proba),
        bins: bin_indices(&confidence, DEFAULT_BINS),
        confidence,
        correct,
    };
    let n = y_true.len();
    let replicates: Vec<Vec<f64>> = (0..config.n_resamples)
        .into_par_iter()
        .map_init(
            || vec![0u32; n],
            |weights, b| {
                draw_counts(weights, config.seed, b as u64);
                let values = keys
                    .iter()
                    .map(|&key| prepared.metric(key, weights, rankings))
                    .collect();
                on_resample();
                values
            },
        )
        .collect();
    let mut out = BTreeMap::new();
    for (j, &key) in keys.iter().enumerate() {
        let values: Vec<f64> = replicates
            .iter()
            .map(|r| r[j])
            .filter(|v| !v.is_nan())
            .collect();
        let interval =
            percentile_interval(&values, config.confidence).map(|(low, high)| BootstrapInterval {
                low,
                high,
                valid_resamples: values.len(),
            });
        out.insert(key, interval);
    }
    Ok(out)
}

/// Fill `weights` with the counts of n draws with replacement, from the
/// generator of resample `b`.
pub fn draw_counts(weights: &mut [u32], seed: u64, b: u64) {
    weights.fill(0);
    let n = weights.len();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(splitmix(seed ^ splitmix(b)));
    if n <= u32::MAX as usize {
        for _ in 0..n {
            weights[rng.random_range(0..n as u32) as usize] += 1;
        }
    } else {
        for _ in 0..n {
            weights[rng.random_range(0..n)] += 1;
        }
    }
}

pub(crate) fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Prepared<'_> {
    fn weighted_mean(&self, terms: &[f64], w: &[u32]) -> f64 {
        let (mut s, mut t) = (0.0, 0u64);
        for (x, &wi) in terms.iter().zip(w) {
            s += wi as f64 * x;
            t += wi as u64;
        }
        s / t as f64
    }

    fn metric(&self, key: MetricKey, w: &[u32], rankings: Option<&Rankings>) -> f64 {
        let confusion = || {
            ConfusionMatrix::new(self.y_true, &self.y_pred, self.k, Some(w)).map_or(
                f64::NAN,
                |cm| match key {
                    MetricKey::BalancedAccuracy => cm.balanced_accuracy().or_nan(),
                    MetricKey::CohenKappa => cm.cohen_kappa().or_nan(),
                    _ => cm.mcc().or_nan(),
                },
            )
        };
        let support = || {
            let mut s = vec![0.0; self.k];
            for (&y, &wi) in self.y_true.iter().zip(w) {
                s[y] += wi as f64;
            }
            s
        };
        match key {
            MetricKey::Accuracy => {
                let hits: u64 = self
                    .correct
                    .iter()
                    .zip(w)
                    .filter(|(c, _)| **c)
                    .map(|(_, &wi)| wi as u64)
                    .sum();
                hits as f64 / self.y_true.len() as f64
            }
            MetricKey::BalancedAccuracy | MetricKey::CohenKappa | MetricKey::Mcc => confusion(),
            MetricKey::LogLoss => self.weighted_mean(&self.log_loss, w),
            MetricKey::Brier => self.weighted_mean(&self.brier, w),
            MetricKey::Ece | MetricKey::Mce => {
                let bins = reliability_bins(
                    &self.bins,
                    &self.confidence,
                    &self.correct,
                    DEFAULT_BINS,
                    Some(w),
                );
                let (ece, mce) = ece_mce(&bins);
                if key == MetricKey::Ece {
                    ece
                } else {
                    mce
                }
            }
            MetricKey::RocAucOvrMacro
            | MetricKey::RocAucOvrWeighted
            | MetricKey::RocAucOvrMicro
            | MetricKey::RocAucOvoMacro
            | MetricKey::AveragePrecisionMacro => {
                let Some(r) = rankings else { return f64::NAN };
                let support = support();
                let w = Some(w);
                match key {
                    MetricKey::RocAucOvrMacro => r.ovr_auc(Average::Macro, w, &support),
                    MetricKey::RocAucOvrWeighted => r.ovr_auc(Average::Weighted, w, &support),
                    MetricKey::RocAucOvrMicro => r.ovr_auc(Average::Micro, w, &support),
                    MetricKey::RocAucOvoMacro => r.ovo_auc(Average::Macro, w, &support),
                    _ => r.ovr_ap(Average::Macro, w, &support),
                }
                .or_nan()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(n: usize) -> (Vec<usize>, ProbMatrix) {
        let k = 3;
        let mut y = vec![];
        let mut p = vec![];
        for i in 0..n {
            let label = i % k;
            let a = ((i * 37) % 100) as f64 / 100.0;
            let mut row = vec![(1.0 - a) / 2.0; k];
            row[label] = a;
            y.push(label);
            p.extend(row);
        }
        (y, ProbMatrix::renormalized(p, k).unwrap())
    }

    #[test]
    fn counts_sum_to_n_and_are_seeded() {
        let mut a = vec![0u32; 1000];
        let mut b = vec![0u32; 1000];
        draw_counts(&mut a, 7, 3);
        draw_counts(&mut b, 7, 3);
        assert_eq!(a, b);
        assert_eq!(a.iter().map(|&c| c as usize).sum::<usize>(), 1000);
        draw_counts(&mut b, 7, 4);
        assert_ne!(a, b);
    }

    #[test]
    fn intervals_bracket_the_estimate_and_do_not_depend_on_threads() {
        let (y, p) = data(600);
        let cfg = BootstrapConfig {
            n_resamples: 200,
            seed: 1,
            confidence: 0.95,
        };
        let all = bootstrap_intervals(&y, &p, None, &MetricKey::ALL, &cfg).unwrap();
        let acc = crate::confusion::ConfusionMatrix::new(&y, &p.argmax(), 3, None)
            .unwrap()
            .accuracy()
            .value()
            .unwrap();
        let ci = all[&MetricKey::Accuracy].clone().unwrap();
        assert!(ci.low <= acc && acc <= ci.high, "{ci:?} {acc}");
        assert_eq!(ci.valid_resamples, 200);
        let single = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let again = single
            .install(|| bootstrap_intervals(&y, &p, None, &MetricKey::ALL, &cfg))
            .unwrap();
        assert_eq!(all, again);
    }
}
