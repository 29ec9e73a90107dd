//! The label-shift section: target priors by BBSE and EM with intervals,
//! the test of "no label shift", the expected accuracies, and — when the
//! target has labels — how close the estimates came.

use triage_data::Predictions;
use triage_docs::shift::LabelShiftResult;
use triage_stats::shift::label_shift::{label_shift, LabelShiftParams};
use triage_stats::ProbMatrix;

use crate::analysis::ShiftOptions;
use crate::error::ShiftError;

/// BBSE is unreliable when σ_min of the source confusion matrix is below
/// this fraction of a perfect classifier's (which is the smallest source
/// prior): its error grows as 1/σ_min (Lipton et al. 2018, Theorem 3).
pub const SMALL_SIGMA_FRACTION: f64 = 0.1;

/// The section and the prior-corrected target predictions.
pub(crate) fn label_section(
    sp: &Predictions,
    tp: &Predictions,
    options: &ShiftOptions,
    notes: &mut Vec<String>,
) -> Result<(LabelShiftResult, ProbMatrix), ShiftError> {
    let params = LabelShiftParams {
        bootstrap: options.bootstrap,
        seed: options.seed,
        confidence: 0.95,
    };
    let l = label_shift(&sp.labels, &sp.proba, &tp.proba, &params)
        .map_err(ShiftError::stats("label-shift estimation"))?;
    let k = sp.classes.len();
    let min_prior = l
        .source_priors
        .iter()
        .copied()
        .filter(|&p| p > 0.0)
        .fold(1.0, f64::min);
    let sigma_min_small = l
        .bbse
        .sigma_min
        .is_some_and(|s| s < SMALL_SIGMA_FRACTION * min_prior);
    if sigma_min_small {
        notes.push(format!(
            "BBSE is unreliable here: the source confusion matrix's smallest singular value is {:.4} (a perfect classifier's would be {:.4}); trust EM's priors",
            l.bbse.sigma_min.unwrap_or(0.0),
            min_prior
        ));
    }
    if l.bbse.priors.is_none() {
        notes.push(
            "BBSE could not run: the source confusion matrix is singular (a class is never predicted)"
                .into(),
        );
    }
    let observed = tp.labelled.then(|| {
        let mut f = vec![0.0; k];
        for &y in &tp.labels {
            f[y] += 1.0 / tp.len() as f64;
        }
        f
    });
    let l1 = |q: &[f64], o: &[f64]| q.iter().zip(o).map(|(a, b)| (a - b).abs()).sum::<f64>();
    let accuracy = |p: &ProbMatrix| {
        p.argmax()
            .iter()
            .zip(&tp.labels)
            .filter(|(a, b)| a == b)
            .count() as f64
            / tp.len() as f64
    };
    let intervals =
        |v: &Option<Vec<(f64, f64)>>| v.as_ref().map(|v| v.iter().map(|&(a, b)| [a, b]).collect());
    let section = LabelShiftResult {
        classes: sp.classes.clone(),
        source_priors: l.source_priors.clone(),
        bbse_priors: l.bbse.priors.clone(),
        bbse_intervals: intervals(&l.bbse_intervals),
        sigma_min: l.bbse.sigma_min,
        sigma_min_small,
        em_priors: l.em.priors.clone(),
        em_intervals: intervals(&l.em_intervals),
        em_iterations: l.em.iterations,
        bcts_beta: l.bcts.beta,
        lr_statistic: l.lr_statistic,
        lr_dof: l.lr_dof,
        lr_p_value: l.lr_p_value,
        shifted: l.lr_p_value < options.alpha,
        max_prior_change: l
            .em
            .priors
            .iter()
            .zip(&l.source_priors)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max),
        negligible: false,
        expected_accuracy: l.expected_accuracy,
        expected_accuracy_adjusted: l.expected_accuracy_adjusted,
        em_l1_error: observed.as_ref().map(|o| l1(&l.em.priors, o)),
        bbse_l1_error: observed
            .as_ref()
            .and_then(|o| l.bbse.priors.as_ref().map(|q| l1(q, o))),
        target_priors_observed: observed,
        accuracy_observed: tp.labelled.then(|| accuracy(&tp.proba)),
        accuracy_adjusted_observed: tp.labelled.then(|| accuracy(&l.adjusted)),
        adjusted_predictions: None,
    };
    Ok((section, l.adjusted))
}
