//! Confident learning: which given labels are probably wrong.
//!
//! Northcutt, Jiang & Chuang, "Confident Learning: Estimating Uncertainty in
//! Dataset Labels", JAIR 70 (2021) 1373–1411. The semantics, constants and
//! defaults are those of the reference implementation, cleanlab 2.9
//! (`cleanlab.filter.find_label_issues`, `count.compute_confident_joint`,
//! `count.calibrate_confident_joint`, `count.estimate_latent`,
//! `count.num_label_issues`, `rank.get_label_quality_scores`); golden tests
//! compare every output with cleanlab 2.9.0 (`tools/golden/make_label_issues.py`).
//!
//! With given labels `ỹ_i`, predicted probabilities `p_ic` (out of sample)
//! and `n_c` examples given label c:
//!
//! ```text
//! threshold      t_c = mean{ p_ic : ỹ_i = c }   (2 if n_c = 0; floor 2e-6)
//! confident in c p_ic ≥ t_c − 1e-6
//! guess          y*_i = the only confident class, or argmax_c p_ic when
//!                several are confident; none when no class is
//! confident joint C_ij = #{ ỹ = i, y* = j },  then C_ii ← max(C_ii, 1)
//! calibrated     Q_ij = C_ij / Σ_j C_ij · n_i,  Q ← Q / ΣQ · n, rows rounded
//!                to integers keeping their totals
//! joint          J = Q / n
//! noise matrix   N_ij = P(ỹ = i | y* = j) = Q_ij / Σ_i Q_ij
//! inverse        I_ji = P(y* = j | ỹ = i) = Q_ij / Σ_j Q_ij
//! prior          py_j = I_jj / N_jj · n_j / n  (cleanlab's py_method="cnt")
//! ```
//!
//! Off-diagonal noise rates are then clipped to [0, 0.9999] and every column
//! renormalised; the prior is clipped to [1e-6, 1] and renormalised
//! (see [`LabelIssues::noise_matrix`] for the index conventions). The issues
//! are chosen by a [`FilterBy`] (default cleanlab's `prune_by_noise_rate`)
//! and ranked by a [`RankBy`] score (default self-confidence).
//!
//! # Ties and determinism
//!
//! cleanlab selects and ranks with numpy's default `argsort`, an unstable
//! quicksort (on x86 machines with AVX2/AVX-512 a SIMD sort, even for the
//! K cells of a row) whose order among equal values depends on the machine. triage breaks every tie by the smaller
//! example index, the order of `np.argsort(kind="stable")`; where cleanlab
//! sorts in descending order (`np.argsort(-margin)`) that is still the
//! smaller index first, and in the rounding of the calibrated joint (which
//! reverses an ascending argsort) the larger position first. The golden
//! fixtures are cleanlab's results with `np.argsort` made stable; on inputs
//! without ties at a selection boundary (including equal confident counts
//! in a row of the joint, which the rounding can split) they equal
//! cleanlab's unchanged results. Every float sum that feeds a decision is numpy's pairwise sum in
//! numpy's order; the parallel parts only add integers or pick from a total
//! order, so results are identical for any number of threads.
//!
//! # Differences from cleanlab
//!
//! - Labels with a single distinct class are refused
//!   ([`StatsError::SingleLabelledClass`]); cleanlab refuses them too,
//!   except when every label is 0 (a case it allows for its multi-label
//!   code).
//! - `frac_noise ≠ 1` with a filter that does not use it is refused
//!   (cleanlab warns). `num_to_remove_per_class`, a given confident joint,
//!   `rank_by_kwargs` (`adjust_pred_probs`), the
//!   `confidence_weighted_entropy` score and multi-label data are not
//!   supported.
//! - Probabilities must form a valid [`ProbMatrix`] (rows summing to 1);
//!   cleanlab only requires values in [−1e-6, 1 + 1e-6].

mod confident_joint;
mod document;
mod filters;
mod latent;
mod numeric;
mod settings;

pub use document::{label_issues_document, LabeledPredictions};
pub use settings::{
    FilterBy, LabelIssuesParams, LabelIssuesSettings, RankBy, DEFAULT_FRAC_NOISE,
    DEFAULT_MIN_EXAMPLES_PER_CLASS,
};

use rayon::prelude::*;

use crate::error::StatsError;
use crate::proba::ProbMatrix;
use confident_joint::{AGREES, OFF_DIAGONAL};
use numeric::pairwise_sum;

/// The most classes [`find_label_issues`] accepts: 4096. It keeps about
/// eight K×K matrices of 8-byte values (1 GiB at K = 4096); larger K is
/// refused before anything is allocated.
pub const MAX_CLASSES: usize = 4096;

/// Everything confident learning estimates about a labelled dataset.
///
/// K×K matrices are `Vec`s of rows. Index conventions are cleanlab's:
/// joints are `[given][true]`, the noise matrix is `[given][true]` and the
/// inverse noise matrix `[true][given]`, so that the columns of both
/// conditional matrices sum to 1.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelIssues {
    /// Number of examples given each label, `n_c`.
    pub label_counts: Vec<usize>,
    /// Per-class thresholds `t_c`: the mean self-confidence of the examples
    /// given label c (numpy's pairwise sum / `n_c`), 2 for a class no
    /// example is given, at least 2·10⁻⁶ (cleanlab's
    /// `get_confident_thresholds`).
    pub thresholds: Vec<f64>,
    /// The confident joint `C[given][true]` before calibration, its
    /// diagonal raised to at least 1 (cleanlab's
    /// `compute_confident_joint(calibrate=False)`).
    pub confident_joint: Vec<Vec<usize>>,
    /// The calibrated confident joint `Q[given][true]`: row i sums to
    /// `n_i`, the whole to n (`compute_confident_joint()`, the matrix the
    /// pruning filters start from).
    pub calibrated_confident_joint: Vec<Vec<usize>>,
    /// `Q / n`, the estimated joint distribution of given and true labels
    /// (cleanlab's `estimate_joint`).
    pub joint: Vec<Vec<f64>>,
    /// `noise_matrix[i][j] = P(given = i | true = j)`, columns summing to 1
    /// (cleanlab's `noise_matrix` from `estimate_latent`).
    pub noise_matrix: Vec<Vec<f64>>,
    /// `inverse_noise_matrix[j][i] = P(true = j | given = i)`, columns
    /// summing to 1 (cleanlab's `inv_noise_matrix`; note the `[true][given]`
    /// order).
    pub inverse_noise_matrix: Vec<Vec<f64>>,
    /// Estimated prior of the true labels, `P(true = j)` (cleanlab's `py`).
    pub true_label_prior: Vec<f64>,
    /// cleanlab's `num_label_issues()` (`estimation_method="off_diagonal"`,
    /// its default): examples counted off the diagonal of the confident
    /// joint, less those whose given label (nearly) wins the argmax. Equals
    /// the number of issues of [`FilterBy::ConfidentLearning`].
    pub num_label_issues: usize,
    /// cleanlab's `num_label_issues(estimation_method="off_diagonal_calibrated")`:
    /// `rint(n · (1 − trace J'))` with `J'` the calibrated joint calibrated
    /// once more and divided by its total.
    pub num_label_issues_calibrated: usize,
    /// `is_issue[i]`: example i's given label is probably wrong (cleanlab's
    /// boolean mask).
    pub is_issue: Vec<bool>,
    /// The indices of the issues, worst first: ascending by the
    /// [`RankBy`] score, ties by index (cleanlab's
    /// `return_indices_ranked_by`, with a stable sort).
    pub ranked: Vec<usize>,
    /// Self-confidence `p[i][given_i]` of every example.
    pub self_confidence: Vec<f64>,
    /// Normalized margin `(p[i][given_i] − max_{c≠given_i} p[i][c] + 1) / 2`
    /// of every example.
    pub normalized_margin: Vec<f64>,
    /// Suggested label of every example: the first argmax of its
    /// probabilities.
    pub suggested_label: Vec<usize>,
}

impl LabelIssues {
    /// The number of issues found (`is_issue` count, `ranked` length).
    pub fn n_issues(&self) -> usize {
        self.ranked.len()
    }
}

/// Find the examples whose given `labels` are probably wrong, by confident
/// learning on out-of-sample probabilities `probs` (see the
/// [module documentation](self) for the formulas; defaults in
/// [`LabelIssuesParams::default`]).
///
/// Cost: a sequential pass gathering the self-confidences by class (for the
/// thresholds), one parallel pass over the examples (confident joint,
/// scores, argmax), and for the default filter a sampled and a parallel
/// pass over the rows (see `prune_by_noise_rate` in `filters.rs`): O(n·K)
/// in all, no allocation per example. On 1,000,000 × 10 predictions it runs
/// over ten times faster than cleanlab (`tools/bench/bench_label_issues.py`).
///
/// # Errors
///
/// [`StatsError::LengthMismatch`] if `labels` and `probs` differ in length,
/// [`StatsError::LabelOutOfRange`] for a label ≥ K,
/// [`StatsError::SingleLabelledClass`] if every label is the same class,
/// [`StatsError::TooManyClasses`] above [`MAX_CLASSES`].
pub fn find_label_issues(
    labels: &[usize],
    probs: &ProbMatrix,
    settings: &LabelIssuesSettings,
) -> Result<LabelIssues, StatsError> {
    let params = settings.params();
    let (n, k) = (probs.n(), probs.k());
    check_inputs(labels, probs)?;

    let (label_counts, thresholds, spare) = confident_joint::thresholds(labels, probs);
    let pass = confident_joint::item_pass(labels, probs, &thresholds, spare);
    let mut cj = pass.counts.clone();
    for c in 0..k {
        cj[c * k + c] = cj[c * k + c].max(1);
    }
    let cal = confident_joint::calibrate(&cj, &label_counts);
    let latent = latent::estimate_latent(&cal, &label_counts, params.converge_latent_estimates);

    let num_label_issues = pass
        .flags
        .par_iter()
        .filter(|&&f| f & OFF_DIAGONAL != 0 && f & AGREES == 0)
        .count();
    let num_label_issues_calibrated = {
        let twice = confident_joint::calibrate(&cal, &label_counts);
        let total = twice.iter().sum::<usize>() as f64;
        let diagonal: Vec<f64> = (0..k).map(|c| twice[c * k + c] as f64 / total).collect();
        let frac = 1.0 - pairwise_sum(&diagonal);
        (frac * n as f64).round_ties_even().max(0.0) as usize
    };

    let mut is_issue = vec![false; n];
    let min = params.min_examples_per_class;
    match params.filter_by {
        FilterBy::PruneByNoiseRate | FilterBy::PruneByClass | FilterBy::Both => {
            let pcm = filters::prune_count_matrix(&cal, k, min, params.frac_noise);
            if params.filter_by != FilterBy::PruneByClass {
                filters::prune_by_noise_rate(
                    &label_counts,
                    labels,
                    probs,
                    &pcm,
                    min,
                    &mut is_issue,
                );
            }
            if params.filter_by != FilterBy::PruneByNoiseRate {
                let mut by_class = vec![false; n];
                let classes = confident_joint::ClassIndex::new(labels, &label_counts);
                filters::prune_by_class(
                    &classes,
                    &label_counts,
                    &pass.self_confidence,
                    &pcm,
                    min,
                    &mut by_class,
                );
                if params.filter_by == FilterBy::Both {
                    is_issue
                        .par_iter_mut()
                        .zip(&by_class)
                        .for_each(|(a, &b)| *a &= b);
                } else {
                    is_issue = by_class;
                }
            }
        }
        FilterBy::ConfidentLearning => {
            is_issue
                .par_iter_mut()
                .zip(&pass.flags)
                .for_each(|(m, &f)| *m = f & OFF_DIAGONAL != 0);
        }
        FilterBy::PredictedNeqGiven => {
            is_issue
                .par_iter_mut()
                .zip(labels.par_iter().zip(&pass.suggested))
                .for_each(|(m, (&l, &s))| *m = l != s);
        }
        FilterBy::LowNormalizedMargin => {
            filters::lowest(&pass.normalized_margin, num_label_issues, &mut is_issue);
        }
        FilterBy::LowSelfConfidence => {
            filters::lowest(&pass.self_confidence, num_label_issues, &mut is_issue);
        }
    }
    if !matches!(
        params.filter_by,
        FilterBy::LowNormalizedMargin | FilterBy::LowSelfConfidence
    ) {
        is_issue
            .par_iter_mut()
            .zip(&pass.flags)
            .for_each(|(m, &f)| *m &= f & AGREES == 0);
    }

    let scores = match params.rank_by {
        RankBy::SelfConfidence => &pass.self_confidence,
        RankBy::NormalizedMargin => &pass.normalized_margin,
    };
    let ranked = rank(&is_issue, scores);

    let rows_usize = |m: &[usize]| m.chunks_exact(k).map(<[usize]>::to_vec).collect();
    let rows_f64 = |m: &[f64]| m.chunks_exact(k).map(<[f64]>::to_vec).collect();
    let joint: Vec<f64> = cal.iter().map(|&q| q as f64 / n as f64).collect();
    Ok(LabelIssues {
        label_counts,
        thresholds,
        confident_joint: rows_usize(&cj),
        calibrated_confident_joint: rows_usize(&cal),
        joint: rows_f64(&joint),
        noise_matrix: rows_f64(&latent.noise),
        inverse_noise_matrix: rows_f64(&latent.inverse),
        true_label_prior: latent.prior,
        num_label_issues,
        num_label_issues_calibrated,
        is_issue,
        ranked,
        self_confidence: pass.self_confidence,
        normalized_margin: pass.normalized_margin,
        suggested_label: pass.suggested,
    })
}

/// Label quality score of every example (cleanlab's
/// `rank.get_label_quality_scores(labels, pred_probs, method=…)` with
/// `adjust_pred_probs=False`): self-confidence `p[i][given_i]` or the
/// normalized margin `(p[i][given_i] − max_{c≠given_i} p[i][c] + 1) / 2`.
/// Lower is worse; both lie in [0, 1].
///
/// # Errors
///
/// [`StatsError::LengthMismatch`] or [`StatsError::LabelOutOfRange`].
pub fn label_quality_scores(
    labels: &[usize],
    probs: &ProbMatrix,
    rank_by: RankBy,
) -> Result<Vec<f64>, StatsError> {
    crate::proba::check_labels(labels, probs)?;
    Ok(labels
        .par_iter()
        .enumerate()
        .map(|(i, &l)| {
            let row = probs.row(i);
            match rank_by {
                RankBy::SelfConfidence => row[l],
                RankBy::NormalizedMargin => {
                    let other = row
                        .iter()
                        .enumerate()
                        .filter(|&(c, _)| c != l)
                        .fold(f64::NEG_INFINITY, |a, (_, &v)| if v > a { v } else { a });
                    (row[l] - other + 1.0) / 2.0
                }
            }
        })
        .collect())
}

/// Indices of the flagged examples in ascending order of `scores`, ties by
/// index: `idx[np.argsort(scores[mask], kind="stable")]`. A stable LSD radix
/// sort of the order-preserving keys, starting from index order.
fn rank(is_issue: &[bool], scores: &[f64]) -> Vec<usize> {
    let mut items: Vec<(u64, usize)> = is_issue
        .par_iter()
        .enumerate()
        .filter_map(|(i, &m)| m.then(|| (numeric::key(scores[i]), i)))
        .collect();
    numeric::radix_sort_by_key(&mut items);
    items.into_iter().map(|(_, i)| i).collect()
}

fn check_inputs(labels: &[usize], probs: &ProbMatrix) -> Result<(), StatsError> {
    let k = probs.k();
    if k > MAX_CLASSES {
        return Err(StatsError::TooManyClasses {
            k,
            max: MAX_CLASSES,
            needed_gib: (k as f64).powi(2) * 64.0 / f64::from(1u32 << 30),
        });
    }
    crate::proba::check_labels(labels, probs)?;
    if let Some(&first) = labels.first() {
        if labels.iter().all(|&l| l == first) {
            return Err(StatsError::SingleLabelledClass { class: first });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probs(rows: &[&[f64]]) -> ProbMatrix {
        let k = rows[0].len();
        ProbMatrix::new(rows.concat(), k, 1e-12).unwrap()
    }

    #[test]
    fn flags_an_obvious_error() {
        let p = probs(&[
            &[0.9, 0.1],
            &[0.8, 0.2],
            &[0.95, 0.05],
            &[0.1, 0.9],
            &[0.2, 0.8],
            &[0.05, 0.95],
        ]);
        // Example 2 is labelled 1 but looks like a 0.
        let labels = [0, 0, 1, 1, 1, 1];
        let r = find_label_issues(&labels, &p, &LabelIssuesSettings::default()).unwrap();
        assert_eq!(r.ranked, vec![2]);
        assert_eq!(r.is_issue, vec![false, false, true, false, false, false]);
        assert_eq!(r.suggested_label, vec![0, 0, 0, 1, 1, 1]);
        assert_eq!(r.num_label_issues, 1);
        let rows: Vec<usize> = r
            .calibrated_confident_joint
            .iter()
            .map(|row| row.iter().sum())
            .collect();
        assert_eq!(rows, vec![2, 4]);
    }

    #[test]
    fn bad_input_is_a_typed_error() {
        let p = probs(&[&[0.5, 0.5], &[0.2, 0.8]]);
        let s = LabelIssuesSettings::default();
        assert!(matches!(
            find_label_issues(&[0], &p, &s),
            Err(StatsError::LengthMismatch { .. })
        ));
        assert!(matches!(
            find_label_issues(&[0, 2], &p, &s),
            Err(StatsError::LabelOutOfRange {
                row: 1,
                label: 2,
                k: 2
            })
        ));
        assert!(matches!(
            find_label_issues(&[1, 1], &p, &s),
            Err(StatsError::SingleLabelledClass { class: 1 })
        ));
        assert!(matches!(
            label_quality_scores(&[0, 5], &p, RankBy::SelfConfidence),
            Err(StatsError::LabelOutOfRange { .. })
        ));
    }

    #[test]
    fn quality_scores_match_the_pass() {
        let p = probs(&[&[0.2, 0.5, 0.3], &[0.6, 0.1, 0.3], &[0.3, 0.3, 0.4]]);
        let labels = [0, 0, 2];
        let r = find_label_issues(&labels, &p, &LabelIssuesSettings::default()).unwrap();
        for rank_by in RankBy::ALL {
            let s = label_quality_scores(&labels, &p, rank_by).unwrap();
            let want = match rank_by {
                RankBy::SelfConfidence => &r.self_confidence,
                RankBy::NormalizedMargin => &r.normalized_margin,
            };
            assert_eq!(&s, want);
        }
        assert_eq!(r.normalized_margin[0], (0.2 - 0.5 + 1.0) / 2.0);
    }
}
