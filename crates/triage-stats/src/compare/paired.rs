//! Paired bootstrap intervals of the differences between two models'
//! metrics on the same items: accuracy, log loss, Brier score, macro
//! one-vs-rest ROC AUC and top-label ECE.
//!
//! Each resample draws n items with replacement (the same draw for both
//! models: the pairing is kept) and recomputes every metric of both on it
//! as weighted sums (an item drawn k times weighs k); the interval is the
//! percentile interval of the resampled differences A − B (numpy's
//! "linear" percentiles), over the resamples where the metric is defined
//! (macro AUC needs every class present and absent). Definitions as
//! `triage evaluate`: log loss with p clipped to [ε, 1 − ε] (scikit-learn),
//! Brier Σₖ (p̂ₖ − 1[y = k])², ECE over 15 equal-width bins of the
//! top-label confidence (numpy edges, right-closed), macro AUC as
//! scikit-learn's `roc_auc_score(multi_class="ovr", average="macro")`
//! (Mann–Whitney with ties counted ½). Efron & Tibshirani, *An
//! Introduction to the Bootstrap* (1993), ch. 13.

use rayon::prelude::*;

use crate::bootstrap::draw_counts;
use crate::calibration::{bin_indices, top_label, DEFAULT_BINS};
use crate::error::StatsError;
use crate::intervals::percentile_interval;
use crate::proba::{check_labels, ProbMatrix};
use crate::probabilistic::{brier_terms, log_loss_terms};

/// The metrics compared, in order.
pub const METRICS: [&str; 5] = ["accuracy", "log_loss", "brier", "macro_auc", "ece"];
/// Default number of resamples.
pub const DEFAULT_RESAMPLES: usize = 2000;

/// Settings of the paired bootstrap.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairedOptions {
    /// Resamples (default [`DEFAULT_RESAMPLES`]).
    pub resamples: usize,
    /// Seed of the draws.
    pub seed: u64,
    /// Interval confidence (default 0.95).
    pub confidence: f64,
}

impl Default for PairedOptions {
    fn default() -> Self {
        Self {
            resamples: DEFAULT_RESAMPLES,
            seed: 0,
            confidence: 0.95,
        }
    }
}

/// One metric of both models and their difference.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MetricDiff {
    /// Which metric (one of [`METRICS`]).
    pub metric: &'static str,
    /// The first model's value on all items.
    pub a: f64,
    /// The second's.
    pub b: f64,
    /// a − b.
    pub diff: f64,
    /// Lower end of the percentile interval of the difference (NaN
    /// without valid resamples).
    pub low: f64,
    /// Upper end.
    pub high: f64,
    /// Higher values are better (accuracy, AUC) or worse (the losses).
    pub higher_is_better: bool,
    /// Resamples where the metric was defined.
    pub valid_resamples: usize,
}

/// What one model contributes to every metric, per item.
struct Terms {
    correct: Vec<f64>,
    log_loss: Vec<f64>,
    brier: Vec<f64>,
    confidence: Vec<f64>,
    bin: Vec<u16>,
    /// Per class, the items in increasing score, with tie-group starts.
    order: Vec<(Vec<u32>, Vec<bool>)>,
}

impl Terms {
    fn new(y: &[usize], p: &ProbMatrix) -> Self {
        let (confidence, hit) = top_label(y, p);
        let k = p.k();
        let mut order = Vec::with_capacity(k);
        for c in 0..k {
            let s: Vec<f64> = p.rows().map(|r| r[c]).collect();
            let mut idx: Vec<u32> = (0..y.len() as u32).collect();
            idx.sort_by(|&i, &j| s[i as usize].total_cmp(&s[j as usize]));
            let starts = idx
                .iter()
                .enumerate()
                .map(|(r, &i)| r == 0 || s[idx[r - 1] as usize] != s[i as usize])
                .collect();
            order.push((idx, starts));
        }
        Self {
            correct: hit.iter().map(|&h| f64::from(u8::from(h))).collect(),
            log_loss: log_loss_terms(y, p),
            brier: brier_terms(y, p),
            bin: bin_indices(&confidence, DEFAULT_BINS),
            confidence,
            order,
        }
    }

    /// Every metric under weights `w` (counts of each item).
    fn metrics(&self, y: &[usize], w: &[u32]) -> [f64; 5] {
        let total: f64 = w.iter().map(|&x| f64::from(x)).sum();
        let mean = |t: &[f64]| t.iter().zip(w).map(|(v, &x)| v * f64::from(x)).sum::<f64>() / total;
        // ECE: Σ_bins |Σ w (hit − conf)| / Σ w.
        let mut gap = [0.0; DEFAULT_BINS];
        for i in 0..y.len() {
            gap[self.bin[i] as usize] += f64::from(w[i]) * (self.correct[i] - self.confidence[i]);
        }
        let ece = gap.iter().map(|g| g.abs()).sum::<f64>() / total;
        [
            mean(&self.correct),
            mean(&self.log_loss),
            mean(&self.brier),
            self.macro_auc(y, w),
            ece,
        ]
    }

    /// Weighted one-vs-rest AUC averaged over classes; NaN when a class has
    /// no positive or no negative weight.
    fn macro_auc(&self, y: &[usize], w: &[u32]) -> f64 {
        let mut sum = 0.0;
        for (c, (idx, starts)) in self.order.iter().enumerate() {
            let (mut below, mut pos_total, mut neg_total, mut area) = (0.0, 0.0, 0.0, 0.0);
            let mut r = 0;
            while r < idx.len() {
                let mut end = r + 1;
                while end < idx.len() && !starts[end] {
                    end += 1;
                }
                let (mut p, mut n) = (0.0, 0.0);
                for &i in &idx[r..end] {
                    let wi = f64::from(w[i as usize]);
                    if y[i as usize] == c {
                        p += wi;
                    } else {
                        n += wi;
                    }
                }
                area += p * (below + 0.5 * n);
                below += n;
                pos_total += p;
                neg_total += n;
                r = end;
            }
            if pos_total == 0.0 || neg_total == 0.0 {
                return f64::NAN;
            }
            sum += area / (pos_total * neg_total);
        }
        sum / self.order.len() as f64
    }
}

/// Every metric of [`METRICS`] for one model on all items, in that order
/// (macro AUC NaN when a class has no positive or no negative item).
///
/// # Errors
/// [`StatsError::LengthMismatch`] when `p` has another number of rows than
/// `y`; label errors.
pub fn point_metrics(y: &[usize], p: &ProbMatrix) -> Result<[f64; 5], StatsError> {
    if p.n() != y.len() {
        return Err(StatsError::LengthMismatch {
            what: "the model's rows",
            expected: y.len(),
            got: p.n(),
        });
    }
    check_labels(y, p)?;
    Ok(Terms::new(y, p).metrics(y, &vec![1u32; y.len()]))
}

/// Whether a higher value of `metric` (one of [`METRICS`]) is better.
pub fn higher_is_better(metric: &str) -> bool {
    matches!(metric, "accuracy" | "macro_auc")
}

/// The values `metric` (one of [`METRICS`]) can take, `(low, high)`:
/// accuracy, macro AUC and ECE in [0, 1], the Brier score in [0, 2], log
/// loss in [0, ∞); any other name is unbounded.
pub fn metric_range(metric: &str) -> (f64, f64) {
    match metric {
        "accuracy" | "macro_auc" | "ece" => (0.0, 1.0),
        "brier" => (0.0, 2.0),
        "log_loss" => (0.0, f64::INFINITY),
        _ => (f64::NEG_INFINITY, f64::INFINITY),
    }
}

/// The paired bootstrap of every metric of [`METRICS`].
///
/// # Errors
/// [`StatsError::LengthMismatch`] or [`StatsError::WidthMismatch`] when
/// the two models do not cover the same items and classes; label errors;
/// [`StatsError::InvalidParameter`] for no resamples or a confidence
/// outside (0, 1).
pub fn paired_bootstrap(
    y: &[usize],
    a: &ProbMatrix,
    b: &ProbMatrix,
    opts: &PairedOptions,
) -> Result<Vec<MetricDiff>, StatsError> {
    for (what, p) in [
        ("the first model's rows", a),
        ("the second model's rows", b),
    ] {
        if p.n() != y.len() {
            return Err(StatsError::LengthMismatch {
                what,
                expected: y.len(),
                got: p.n(),
            });
        }
    }
    if a.k() != b.k() {
        return Err(StatsError::WidthMismatch {
            what: "the two models' classes",
            expected: a.k(),
            got: b.k(),
        });
    }
    check_labels(y, a)?;
    if opts.resamples == 0 || !(opts.confidence > 0.0 && opts.confidence < 1.0) {
        return Err(StatsError::InvalidParameter {
            name: "resamples/confidence",
            reason: "at least one resample and a confidence in (0, 1)".into(),
        });
    }
    let (ta, tb) = (Terms::new(y, a), Terms::new(y, b));
    let ones = vec![1u32; y.len()];
    let (full_a, full_b) = (ta.metrics(y, &ones), tb.metrics(y, &ones));
    let replicates: Vec<[f64; 5]> = (0..opts.resamples as u64)
        .into_par_iter()
        .map(|r| {
            let mut w = vec![0u32; y.len()];
            draw_counts(&mut w, opts.seed, r);
            let (ma, mb) = (ta.metrics(y, &w), tb.metrics(y, &w));
            std::array::from_fn(|m| ma[m] - mb[m])
        })
        .collect();
    Ok(METRICS
        .iter()
        .enumerate()
        .map(|(m, &metric)| {
            let values: Vec<f64> = replicates
                .iter()
                .map(|r| r[m])
                .filter(|v| !v.is_nan())
                .collect();
            let (low, high) =
                percentile_interval(&values, opts.confidence).unwrap_or((f64::NAN, f64::NAN));
            MetricDiff {
                metric,
                a: full_a[m],
                b: full_b[m],
                diff: full_a[m] - full_b[m],
                low,
                high,
                higher_is_better: higher_is_better(metric),
                valid_resamples: values.len(),
            }
        })
        .collect())
}
