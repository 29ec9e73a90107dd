//! Multiclass ROC AUC and average precision: one-vs-rest (macro, weighted,
//! micro) and one-vs-one (Hand & Till).
//!
//! References: scikit-learn `roc_auc_score(multi_class='ovr'|'ovo')` and
//! `average_precision_score` with `label_binarize` (`_ranking.py`,
//! `_base.py::_average_binary_score`); D. J. Hand and R. J. Till, "A simple
//! generalisation of the area under the ROC curve for multiple class
//! classification problems", Machine Learning 45 (2001).
//!
//! Class columns are the K columns of the probability matrix; a class absent
//! from `y_true` makes its one-vs-rest score undefined, and so the macro
//! average (scikit-learn: NaN), while the weighted average gives it weight 0;
//! one-vs-one, as in scikit-learn, pairs only the classes present.

use rayon::prelude::*;

use crate::error::StatsError;
use crate::key_sort::{descending_key, sort_pairs};
use crate::metric::Metric;
use crate::proba::{check_labels, ProbMatrix};
use crate::ranking::{SortedScores, ID_POSITIVE, MAX_ENTRIES};

/// How per-class scores are averaged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Average {
    /// Unweighted mean over classes (over class pairs for OvO).
    Macro,
    /// Mean weighted by class support (by pair prevalence for OvO).
    Weighted,
    /// One binary problem over all n·K (sample, class) entries (OvR only).
    Micro,
}

/// One class pair (a < b) of the one-vs-one scheme.
#[derive(Debug, Clone)]
pub struct OvoPair {
    /// First class.
    pub a: usize,
    /// Second class.
    pub b: usize,
    /// Samples of a or b, scored by P[:, a], positives = class a.
    pub a_vs_b: SortedScores,
    /// Samples of a or b, scored by P[:, b], positives = class b.
    pub b_vs_a: SortedScores,
}

/// Every sort the multiclass scores need, done once (in parallel over
/// classes) and reused by point estimates, curves and bootstrap resamples.
#[derive(Debug, Clone)]
pub struct Rankings {
    /// Number of samples.
    pub n: usize,
    /// Number of classes.
    pub k: usize,
    /// Support of each class in `y_true`.
    pub support: Vec<u64>,
    /// One-vs-rest problem of each class.
    pub ovr: Vec<SortedScores>,
    /// Micro-average problem over n·K entries, if asked for.
    pub micro: Option<SortedScores>,
    /// One-vs-one pairs, if asked for.
    pub ovo: Option<Vec<OvoPair>>,
}

impl Rankings {
    /// Sort the one-vs-rest problems, and the micro and one-vs-one problems
    /// when `micro`/`ovo` are set.
    ///
    /// # Errors
    /// Label errors, or more than 2³⁰ − 1 entries (n·K for micro).
    pub fn new(
        y_true: &[usize],
        proba: &ProbMatrix,
        micro: bool,
        ovo: bool,
    ) -> Result<Self, StatsError> {
        check_labels(y_true, proba)?;
        let (n, k) = (proba.n(), proba.k());
        let limit = if micro { n * k } else { n };
        if limit > MAX_ENTRIES {
            return Err(StatsError::InvalidParameter {
                name: "y_proba",
                reason: format!("{limit} entries exceed the supported {MAX_ENTRIES}"),
            });
        }
        let mut support = vec![0u64; k];
        for &y in y_true {
            support[y] += 1;
        }
        // One pass over the rows fills the K class columns as flagged
        // (key, sample | ID_POSITIVE) pairs; each column is sorted once, and
        // the micro problem (all n·K entries) is their k-way merge.
        let mut columns: Vec<Vec<(u64, u32)>> = (0..k).map(|_| Vec::with_capacity(n)).collect();
        for (i, (row, &y)) in proba.rows().zip(y_true).enumerate() {
            for (c, (&p, column)) in row.iter().zip(columns.iter_mut()).enumerate() {
                let flag = if y == c { ID_POSITIVE } else { 0 };
                column.push((descending_key(p), i as u32 | flag));
            }
        }
        let sorted: Vec<Vec<(u64, u32)>> = columns
            .into_par_iter()
            .map(|column| sort_pairs(&column))
            .collect();
        let ovr: Vec<SortedScores> = sorted
            .par_iter()
            .map(|l| SortedScores::from_flagged(l))
            .collect();
        let micro = micro.then(|| SortedScores::merge_flagged(&sorted));
        let ovo = ovo.then(|| ovo_pairs(y_true, proba));
        Ok(Self {
            n,
            k,
            support,
            ovr,
            micro,
            ovo,
        })
    }

    /// Per-class one-vs-rest AUCs (`weights`: bootstrap counts per sample).
    pub fn ovr_auc_per_class(&self, weights: Option<&[u32]>) -> Vec<Option<f64>> {
        self.ovr.par_iter().map(|s| s.auc(weights)).collect()
    }

    /// Per-class one-vs-rest average precision.
    pub fn ovr_ap_per_class(&self, weights: Option<&[u32]>) -> Vec<Option<f64>> {
        self.ovr
            .iter()
            .map(|s| s.average_precision(weights))
            .collect()
    }

    /// One-vs-rest ROC AUC, averaged as asked. `support` must be the
    /// (weighted) class support matching `weights`.
    pub fn ovr_auc(&self, average: Average, weights: Option<&[u32]>, support: &[f64]) -> Metric {
        match average {
            Average::Micro => match &self.micro {
                Some(m) => m.auc(weights).map_or_else(
                    || Metric::undefined("micro-average problem has a single class"),
                    Metric::Value,
                ),
                None => Metric::undefined("micro average was not computed"),
            },
            _ => average_scores(
                &self.ovr_auc_per_class(weights),
                support,
                average,
                "ROC AUC",
            ),
        }
    }

    /// Average precision, averaged as asked (one-vs-rest).
    pub fn ovr_ap(&self, average: Average, weights: Option<&[u32]>, support: &[f64]) -> Metric {
        match average {
            Average::Micro => match &self.micro {
                Some(m) => m.average_precision(weights).map_or_else(
                    || Metric::undefined("micro-average problem has no positives"),
                    Metric::Value,
                ),
                None => Metric::undefined("micro average was not computed"),
            },
            _ => average_scores(
                &self.ovr_ap_per_class(weights),
                support,
                average,
                "average precision",
            ),
        }
    }

    /// Hand & Till one-vs-one ROC AUC: the mean over pairs (a, b) of
    /// (AUC(a|b) + AUC(b|a))/2, each restricted to samples of a or b;
    /// `Weighted` weighs pairs by their prevalence (share of samples in a∪b).
    /// As in scikit-learn, only classes present in `y_true` (non-zero
    /// `support`) form pairs; undefined when fewer than two classes are
    /// present.
    pub fn ovo_auc(&self, average: Average, weights: Option<&[u32]>, support: &[f64]) -> Metric {
        let Some(pairs) = &self.ovo else {
            return Metric::undefined("one-vs-one scores were not computed");
        };
        let total: f64 = support.iter().sum();
        let (mut sum, mut weight_sum) = (0.0, 0.0);
        for p in pairs
            .iter()
            .filter(|p| support[p.a] > 0.0 && support[p.b] > 0.0)
        {
            let (Some(x), Some(y)) = (p.a_vs_b.auc(weights), p.b_vs_a.auc(weights)) else {
                return Metric::undefined(format!(
                    "classes {} and {} do not both have samples",
                    p.a, p.b
                ));
            };
            let w = match average {
                Average::Weighted => (support[p.a] + support[p.b]) / total,
                _ => 1.0,
            };
            sum += w * (x + y) / 2.0;
            weight_sum += w;
        }
        if weight_sum == 0.0 {
            return Metric::undefined("fewer than two classes are present in y_true");
        }
        Metric::Value(sum / weight_sum)
    }

    /// Class support as f64 (unweighted).
    pub fn support_f64(&self) -> Vec<f64> {
        self.support.iter().map(|&s| s as f64).collect()
    }
}

fn ovo_pairs(y_true: &[usize], proba: &ProbMatrix) -> Vec<OvoPair> {
    let k = proba.k();
    // Samples of each class, found once: pair (a, b) then touches only its
    // own n_a + n_b samples, (K − 1)·n in all instead of K²·n/2.
    let mut by_class: Vec<Vec<usize>> = vec![Vec::new(); k];
    for (i, &y) in y_true.iter().enumerate() {
        by_class[y].push(i);
    }
    let pairs: Vec<(usize, usize)> = (0..k)
        .flat_map(|a| (a + 1..k).map(move |b| (a, b)))
        .collect();
    pairs
        .into_par_iter()
        .map(|(a, b)| {
            let mut members = Vec::with_capacity(by_class[a].len() + by_class[b].len());
            members.extend_from_slice(&by_class[a]);
            members.extend_from_slice(&by_class[b]);
            members.sort_unstable();
            let sorted_by = |c: usize| {
                SortedScores::new(
                    members.iter().map(|&i| proba.get(i, c)),
                    |e| y_true[members[e]] == c,
                    |e| members[e],
                )
            };
            OvoPair {
                a,
                b,
                a_vs_b: sorted_by(a),
                b_vs_a: sorted_by(b),
            }
        })
        .collect()
}

/// Average per-class scores like scikit-learn's `_average_binary_score`:
/// macro is undefined if any class is; weighted gives zero-support classes
/// weight 0 (their score is ignored).
pub fn average_scores(
    scores: &[Option<f64>],
    support: &[f64],
    average: Average,
    what: &str,
) -> Metric {
    match average {
        Average::Macro | Average::Micro => {
            let mut sum = 0.0;
            for (c, s) in scores.iter().enumerate() {
                match s {
                    Some(v) => sum += v,
                    None => {
                        return Metric::undefined(format!(
                            "{what} of class {c} is undefined (it has no {} samples)",
                            if support[c] == 0.0 {
                                "positive"
                            } else {
                                "negative"
                            }
                        ))
                    }
                }
            }
            Metric::Value(sum / scores.len() as f64)
        }
        Average::Weighted => {
            let (mut sum, mut total) = (0.0, 0.0);
            for (c, s) in scores.iter().enumerate() {
                if support[c] == 0.0 {
                    continue;
                }
                match s {
                    Some(v) => sum += v * support[c],
                    None => {
                        return Metric::undefined(format!(
                            "{what} of class {c} is undefined (it has no negative samples)"
                        ))
                    }
                }
                total += support[c];
            }
            if total == 0.0 {
                return Metric::undefined("no class has support");
            }
            Metric::Value(sum / total)
        }
    }
}

/// One-vs-rest ROC AUC of a multiclass problem (scikit-learn's
/// `roc_auc_score(y_true, y_proba, multi_class='ovr', average=…,
/// labels=range(K))`).
///
/// # Errors
/// Label errors.
pub fn roc_auc_ovr(
    y_true: &[usize],
    proba: &ProbMatrix,
    average: Average,
) -> Result<Metric, StatsError> {
    let r = Rankings::new(y_true, proba, average == Average::Micro, false)?;
    Ok(r.ovr_auc(average, None, &r.support_f64()))
}

/// One-vs-one (Hand & Till) ROC AUC; `average` is `Macro` or `Weighted`.
///
/// # Errors
/// Label errors, or `Average::Micro` (not defined for OvO).
pub fn roc_auc_ovo(
    y_true: &[usize],
    proba: &ProbMatrix,
    average: Average,
) -> Result<Metric, StatsError> {
    if average == Average::Micro {
        return Err(StatsError::InvalidParameter {
            name: "average",
            reason: "micro averaging is not defined for one-vs-one".into(),
        });
    }
    let r = Rankings::new(y_true, proba, false, true)?;
    Ok(r.ovo_auc(average, None, &r.support_f64()))
}

/// Multiclass average precision (one-vs-rest), averaged as asked.
///
/// # Errors
/// Label errors.
pub fn average_precision_multiclass(
    y_true: &[usize],
    proba: &ProbMatrix,
    average: Average,
) -> Result<Metric, StatsError> {
    let r = Rankings::new(y_true, proba, average == Average::Micro, false)?;
    Ok(r.ovr_ap(average, None, &r.support_f64()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example() -> (Vec<usize>, ProbMatrix) {
        // From scikit-learn's roc_auc_score tests (multiclass, ovo/ovr).
        let y = vec![0, 1, 0, 2];
        let p = ProbMatrix::new(
            vec![0.1, 0.8, 0.1, 0.3, 0.4, 0.3, 0.35, 0.5, 0.15, 0.0, 0.2, 0.8],
            3,
            1e-9,
        )
        .unwrap();
        (y, p)
    }

    #[test]
    fn hand_till_by_hand() {
        let (y, p) = example();
        // Pairs: (0,1): AUC(0|1)=scores P0 of {0:0.1,0.35} vs {1:0.3} -> 0.5;
        // AUC(1|0)=P1 {1:0.4} vs {0:0.8,0.5} -> 0 => 0.25
        // (0,2): P0 {0.1,0.35} vs {0.0} -> 1; P2 {0.8} vs {0.1,0.15} -> 1 => 1
        // (1,2): P1 {0.4} vs {0.2} -> 1; P2 {0.8} vs {0.3} -> 1 => 1
        let m = roc_auc_ovo(&y, &p, Average::Macro).unwrap();
        assert!((m.value().unwrap() - 0.75).abs() < 1e-15);
        // Weighted: prevalences 3/4, 3/4, 2/4.
        let w = roc_auc_ovo(&y, &p, Average::Weighted).unwrap();
        let expected = (0.75 * 0.25 + 0.75 * 1.0 + 0.5 * 1.0) / 2.0;
        assert!((w.value().unwrap() - expected).abs() < 1e-15);
    }

    #[test]
    fn absent_class_makes_macro_undefined_but_not_weighted() {
        let y = vec![0, 1, 0, 1];
        let p = ProbMatrix::new(
            vec![0.6, 0.3, 0.1, 0.2, 0.7, 0.1, 0.5, 0.4, 0.1, 0.3, 0.3, 0.4],
            3,
            1e-9,
        )
        .unwrap();
        let macro_auc = roc_auc_ovr(&y, &p, Average::Macro).unwrap();
        assert!(macro_auc.reason().unwrap().contains("class 2"));
        assert!(roc_auc_ovr(&y, &p, Average::Weighted)
            .unwrap()
            .value()
            .is_some());
        // One-vs-one pairs only the classes present: here (0, 1).
        let ovo = roc_auc_ovo(&y, &p, Average::Macro)
            .unwrap()
            .value()
            .unwrap();
        let weighted = roc_auc_ovo(&y, &p, Average::Weighted)
            .unwrap()
            .value()
            .unwrap();
        assert_eq!(ovo, weighted);
    }
}
